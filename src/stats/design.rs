//! Experimental designs on the unit hypercube.
//!
//! Every design returns points in `[0, 1]^k` (or level indices for [`grid`]); mapping them to
//! parameter values is the caller's job. All randomness comes from the `rng` argument, so a
//! design is a pure function of its arguments and the RNG state.

use rand::RngExt;
use rand::seq::SliceRandom;

/// Largest `f64` below 1, used to keep jittered values inside `[0, 1)` despite rounding.
const ONE_BELOW: f64 = 1.0 - f64::EPSILON / 2.0;

/// Full factorial design: the cartesian product of level indices `0..levels[f]` for each
/// factor `f`, in row-major order (the first factor varies slowest, the last fastest).
///
/// `grid(&[2, 3])` gives `[0,0], [0,1], [0,2], [1,0], [1,1], [1,2]`.
/// A factor with 0 levels makes the design empty; `grid(&[])` is the single empty point
/// `vec![vec![]]` (the empty product).
///
/// Precondition: the product of `levels` fits in memory (it is not checked for overflow
/// beyond `usize` saturation).
pub fn grid(levels: &[usize]) -> Vec<Vec<usize>> {
    if levels.contains(&0) {
        return Vec::new();
    }
    let total = levels.iter().fold(1usize, |acc, &l| acc.saturating_mul(l));
    let mut out = Vec::with_capacity(total);
    let mut idx = vec![0usize; levels.len()];
    for _ in 0..total {
        out.push(idx.clone());
        // Odometer increment: bump the last factor, carry towards the first.
        for f in (0..levels.len()).rev() {
            idx[f] += 1;
            if idx[f] < levels[f] {
                break;
            }
            idx[f] = 0;
        }
    }
    out
}

/// `n` independent points uniform on `[0, 1)^k` (plain Monte Carlo), drawn row by row.
pub fn random_uniform<R: rand::Rng + ?Sized>(n: usize, k: usize, rng: &mut R) -> Vec<Vec<f64>> {
    (0..n).map(|_| (0..k).map(|_| rng.random::<f64>()).collect()).collect()
}

/// Latin hypercube sample of `n` points in `[0, 1)^k`.
///
/// Each column is an independent random permutation of the strata `[s/n, (s+1)/n)`,
/// `s = 0..n`, with a uniform jitter inside each stratum, so every stratum is hit exactly
/// once per column. Columns are drawn one after the other.
pub fn latin_hypercube<R: rand::Rng + ?Sized>(n: usize, k: usize, rng: &mut R) -> Vec<Vec<f64>> {
    let mut rows = vec![vec![0.0; k]; n];
    let nf = n as f64;
    let mut perm: Vec<usize> = (0..n).collect();
    for c in 0..k {
        perm.shuffle(rng);
        for (row, &s) in rows.iter_mut().zip(&perm) {
            let u: f64 = rng.random();
            // (s + u)/n can round up to (s+1)/n; only the top end matters for staying in [0,1).
            row[c] = ((s as f64 + u) / nf).min(ONE_BELOW);
        }
    }
    rows
}

/// Highest Sobol' dimension supported by the built-in direction numbers.
const SOBOL_MAX_DIM: usize = 32;

/// Bits per Sobol' coordinate: points are multiples of 2^-32.
const SOBOL_BITS: usize = 32;

/// 2^-32, maps a 32-bit Sobol' integer to `[0, 1)`.
const SOBOL_SCALE: f64 = 1.0 / 4_294_967_296.0;

/// Joe & Kuo (2008) direction numbers, file `new-joe-kuo-6.21201`, dimensions 2..=32 as
/// `(s, a, [m_1 .. m_s])`: degree `s` of the primitive polynomial, its inner coefficients `a`
/// and the initial direction numbers. Dimension 1 is the van der Corput sequence.
const JOE_KUO: [(u32, u32, &[u32]); SOBOL_MAX_DIM - 1] = [
    (1, 0, &[1]),
    (2, 1, &[1, 3]),
    (3, 1, &[1, 3, 1]),
    (3, 2, &[1, 1, 1]),
    (4, 1, &[1, 1, 3, 3]),
    (4, 4, &[1, 3, 5, 13]),
    (5, 2, &[1, 1, 5, 5, 17]),
    (5, 4, &[1, 1, 5, 5, 5]),
    (5, 7, &[1, 1, 7, 11, 19]),
    (5, 11, &[1, 1, 5, 1, 1]),
    (5, 13, &[1, 1, 1, 3, 11]),
    (5, 14, &[1, 3, 5, 5, 31]),
    (6, 1, &[1, 3, 3, 9, 7, 49]),
    (6, 13, &[1, 1, 1, 15, 21, 21]),
    (6, 16, &[1, 3, 1, 13, 27, 49]),
    (6, 19, &[1, 1, 1, 15, 7, 5]),
    (6, 22, &[1, 3, 1, 15, 13, 25]),
    (6, 25, &[1, 1, 5, 5, 19, 61]),
    (7, 1, &[1, 3, 7, 11, 23, 15, 103]),
    (7, 4, &[1, 3, 7, 13, 13, 15, 69]),
    (7, 7, &[1, 1, 3, 13, 7, 35, 63]),
    (7, 8, &[1, 3, 5, 9, 1, 25, 53]),
    (7, 14, &[1, 3, 1, 13, 9, 35, 107]),
    (7, 19, &[1, 3, 1, 5, 27, 61, 31]),
    (7, 21, &[1, 1, 5, 11, 19, 41, 61]),
    (7, 28, &[1, 3, 5, 3, 3, 13, 69]),
    (7, 31, &[1, 1, 7, 13, 1, 19, 1]),
    (7, 32, &[1, 3, 7, 5, 13, 19, 59]),
    (7, 37, &[1, 1, 3, 9, 25, 29, 41]),
    (7, 41, &[1, 3, 5, 13, 23, 1, 55]),
    (7, 42, &[1, 3, 7, 3, 13, 59, 17]),
];

/// Direction integers `v[i] = m_{i+1} · 2^(31−i)` of Sobol' dimension `d` (0-based),
/// extended by the recurrence of Bratley & Fox (1988) as in Joe & Kuo's reference code.
fn sobol_directions(d: usize) -> [u32; SOBOL_BITS] {
    let mut v = [0u32; SOBOL_BITS];
    if d == 0 {
        for (i, vi) in v.iter_mut().enumerate() {
            *vi = 1 << (31 - i);
        }
        return v;
    }
    let (s, a, m) = JOE_KUO[d - 1];
    let s = s as usize;
    for i in 0..s {
        v[i] = m[i] << (31 - i);
    }
    for i in s..SOBOL_BITS {
        v[i] = v[i - s] ^ (v[i - s] >> s);
        for j in 1..s {
            if (a >> (s - 1 - j)) & 1 == 1 {
                v[i] ^= v[i - j];
            }
        }
    }
    v
}

/// Sobol' sequence in Gray-code order with a random digital shift (XOR of each coordinate
/// with a random 32-bit word). The shift keeps the net structure of the sequence, so
/// stratification is preserved, while making the design depend on the seed.
struct ShiftedSobol {
    v: Vec<[u32; SOBOL_BITS]>,
    x: Vec<u32>,
    shift: Vec<u32>,
    /// Index of the next point.
    index: u64,
}

impl ShiftedSobol {
    /// Precondition: `dim <= SOBOL_MAX_DIM`.
    fn new<R: rand::Rng + ?Sized>(dim: usize, rng: &mut R) -> Self {
        debug_assert!(dim <= SOBOL_MAX_DIM);
        let dim = dim.min(SOBOL_MAX_DIM);
        ShiftedSobol {
            v: (0..dim).map(sobol_directions).collect(),
            x: vec![0; dim],
            shift: (0..dim).map(|_| rng.random::<u32>()).collect(),
            index: 0,
        }
    }

    /// Unshifted generator, for checking against published Sobol' points.
    #[cfg(test)]
    fn unshifted(dim: usize) -> Self {
        ShiftedSobol {
            v: (0..dim).map(sobol_directions).collect(),
            x: vec![0; dim],
            shift: vec![0; dim],
            index: 0,
        }
    }

    /// Writes the next point into `out` (length `dim`).
    fn next_into(&mut self, out: &mut [f64]) {
        if self.index > 0 {
            // Gray code: point n differs from point n−1 by the direction of the lowest zero
            // bit of n−1. Beyond 2^32 points the sequence would repeat; the cap only avoids
            // an out-of-bounds index there (far more points than any design can hold).
            let c = ((self.index - 1).trailing_ones() as usize).min(SOBOL_BITS - 1);
            for (x, v) in self.x.iter_mut().zip(&self.v) {
                *x ^= v[c];
            }
        }
        self.index += 1;
        for ((o, &x), &s) in out.iter_mut().zip(&self.x).zip(&self.shift) {
            *o = f64::from(x ^ s) * SOBOL_SCALE;
        }
    }
}

/// Saltelli (2002, 2010) design for Sobol' indices: `n_base * (k + 2)` rows of `k` values in
/// `[0, 1)`.
///
/// Two sample matrices A and B (`n_base` rows each) are drawn; for each base sample
/// `j in 0..n_base` the output holds the block of `k + 2` consecutive rows
/// `[A_j, B_j, AB_j^(0), ..., AB_j^(k-1)]`, where `AB_j^(i)` is `A_j` with column `i` taken
/// from `B_j`. [`sobol_indices`](super::sensitivity::sobol_indices) relies on this layout.
///
/// For `k <= 16`, A and B are the first `k` and the next `k` coordinates of a `2k`-dimensional
/// Sobol' sequence (Joe–Kuo 2008 direction numbers, Gray-code order, starting at point 0)
/// with a random digital shift drawn from `rng`, so the design is seeded but keeps the
/// low-discrepancy structure. Use a power of two for `n_base` to get balanced nets. For
/// `k > 16` (beyond the built-in direction numbers) A and B are independent uniforms.
/// Precondition: `n_base <= 2^32`.
pub fn saltelli<R: rand::Rng + ?Sized>(n_base: usize, k: usize, rng: &mut R) -> Vec<Vec<f64>> {
    let mut out = Vec::with_capacity(n_base.saturating_mul(k + 2));
    let mut point = vec![0.0; 2 * k];
    let mut sobol = (2 * k <= SOBOL_MAX_DIM).then(|| ShiftedSobol::new(2 * k, rng));
    for _ in 0..n_base {
        match sobol.as_mut() {
            Some(s) => s.next_into(&mut point),
            None => point.iter_mut().for_each(|p| *p = rng.random()),
        }
        let (a, b) = point.split_at(k);
        out.push(a.to_vec());
        out.push(b.to_vec());
        for i in 0..k {
            let mut ab = a.to_vec();
            ab[i] = b[i];
            out.push(ab);
        }
    }
    out
}

/// Number of levels actually used by [`morris`]: even and at least 2.
fn morris_levels(levels: usize) -> usize {
    let p = levels.max(2);
    p + p % 2
}

/// Morris (1991) elementary-effects design in the random-trajectory form used by
/// Campolongo et al. (2007) (without their trajectory-selection step).
///
/// Returns `r` trajectories of `k + 1` rows of `k` values; trajectory `t` occupies rows
/// `t*(k+1) .. (t+1)*(k+1)`. Values lie on the grid `{0, 1/(p-1), ..., 1}` with
/// `p = levels`, and the step is `Δ = p / (2(p-1))`. Consecutive rows in a trajectory differ
/// in exactly one factor by `+Δ` or `−Δ`, each factor moving exactly once, in a random order;
/// each factor's start level and direction are random.
///
/// Precondition: `levels` is even and at least 2, so that `Δ` is a whole number of grid
/// steps (checked by `debug_assert!`; in release builds `levels` is raised to the next even
/// number, at least 2).
pub fn morris<R: rand::Rng + ?Sized>(r: usize, k: usize, levels: usize, rng: &mut R) -> Vec<Vec<f64>> {
    debug_assert!(
        levels >= 2 && levels.is_multiple_of(2),
        "morris: levels must be even and >= 2, got {levels}"
    );
    let p = morris_levels(levels);
    let half = p / 2; // Δ in grid steps
    let scale = 1.0 / (p - 1) as f64;
    let mut out = Vec::with_capacity(r.saturating_mul(k + 1));
    let mut order: Vec<usize> = (0..k).collect();
    let mut low = vec![0usize; k];
    let mut idx = vec![0usize; k];
    for _ in 0..r {
        order.shuffle(rng);
        for (lo, i) in low.iter_mut().zip(idx.iter_mut()) {
            // Lower end of the factor's ±Δ pair, chosen so that lo + Δ stays on the grid.
            *lo = rng.random_range(0..half);
            *i = if rng.random_bool(0.5) { *lo } else { *lo + half };
        }
        let to_row = |idx: &[usize]| idx.iter().map(|&i| i as f64 * scale).collect::<Vec<_>>();
        out.push(to_row(&idx));
        for &f in &order {
            idx[f] = if idx[f] == low[f] { low[f] + half } else { low[f] };
            out.push(to_row(&idx));
        }
    }
    out
}

/// Systematic resampling (Kitagawa 1996): `n` draws of indices `0..weights.len()` with
/// probabilities proportional to `weights`, from the single uniform offset `u` in `[0, 1)`.
///
/// Draw `i` is the first index whose cumulative weight exceeds `(u + i) / n` of the total,
/// so the draws come out in ascending index order and index `j` is drawn
/// `⌊n·W_j⌋` or `⌈n·W_j⌉` times (`W_j` its normalised weight): far less noise than `n`
/// independent draws. Zero weights are never drawn.
///
/// Preconditions: weights finite and non-negative with a positive sum, `u` in `[0, 1)`
/// (checked by `debug_assert!`; otherwise the result is unspecified but there is no panic
/// unless `weights` is empty and `n > 0`).
pub fn systematic(weights: &[f64], n: usize, u: f64) -> Vec<usize> {
    debug_assert!(weights.iter().all(|w| w.is_finite() && *w >= 0.0));
    debug_assert!((0.0..1.0).contains(&u));
    let total: f64 = weights.iter().sum();
    debug_assert!(total > 0.0);
    // The last index with positive weight: rounding in the cumulative sum never draws past it.
    let last = weights
        .iter()
        .rposition(|&w| w > 0.0)
        .unwrap_or(weights.len().saturating_sub(1));
    let mut out = Vec::with_capacity(n);
    let mut j = 0usize;
    let mut cum = weights.first().copied().unwrap_or(0.0);
    for i in 0..n {
        let t = (u + i as f64) / n as f64 * total;
        while j < last && cum <= t {
            j += 1;
            cum += weights[j];
        }
        out.push(j);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::ChaCha8Rng;

    fn rng(seed: u64) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(seed)
    }

    #[test]
    fn grid_is_row_major() {
        let g = grid(&[2, 3]);
        let want: Vec<Vec<usize>> = vec![vec![0, 0], vec![0, 1], vec![0, 2], vec![1, 0], vec![1, 1], vec![1, 2]];
        assert_eq!(g, want);
        assert_eq!(grid(&[3, 1, 2]).len(), 6);
        assert!(grid(&[2, 0, 3]).is_empty());
        assert_eq!(grid(&[]), vec![Vec::<usize>::new()]);
    }

    #[test]
    fn random_uniform_shape_range_and_determinism() {
        let a = random_uniform(50, 4, &mut rng(1));
        let b = random_uniform(50, 4, &mut rng(1));
        let c = random_uniform(50, 4, &mut rng(2));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), 50);
        assert!(
            a.iter()
                .all(|r| r.len() == 4 && r.iter().all(|&x| (0.0..1.0).contains(&x)))
        );
    }

    #[test]
    fn latin_hypercube_hits_each_stratum_once_per_column() {
        let n = 37;
        let k = 5;
        let x = latin_hypercube(n, k, &mut rng(7));
        assert_eq!(x.len(), n);
        for c in 0..k {
            let mut hits = vec![0usize; n];
            for row in &x {
                assert!((0.0..1.0).contains(&row[c]));
                hits[(row[c] * n as f64).floor() as usize] += 1;
            }
            assert!(hits.iter().all(|&h| h == 1), "column {c}: {hits:?}");
        }
        assert_eq!(x, latin_hypercube(n, k, &mut rng(7)));
        assert!(latin_hypercube(0, 3, &mut rng(7)).is_empty());
    }

    #[test]
    fn direction_numbers_are_well_formed() {
        // m_i must be odd and below 2^i (1-based i), one per polynomial degree.
        for &(s, a, m) in &JOE_KUO {
            assert_eq!(m.len(), s as usize);
            assert!(a < (1 << (s - 1)).max(1));
            for (i, &mi) in m.iter().enumerate() {
                assert!(mi % 2 == 1 && mi < (2 << i), "m = {m:?}");
            }
        }
    }

    #[test]
    fn sobol_matches_published_first_points() {
        // First ten 3-d Sobol' points (Joe–Kuo numbering), as tabulated with their code.
        let want = [
            [0.0, 0.0, 0.0],
            [0.5, 0.5, 0.5],
            [0.75, 0.25, 0.25],
            [0.25, 0.75, 0.75],
            [0.375, 0.375, 0.625],
            [0.875, 0.875, 0.125],
            [0.625, 0.125, 0.875],
            [0.125, 0.625, 0.375],
            [0.1875, 0.3125, 0.9375],
            [0.6875, 0.8125, 0.4375],
        ];
        let mut s = ShiftedSobol::unshifted(3);
        let mut p = [0.0; 3];
        for w in want {
            s.next_into(&mut p);
            assert_eq!(p, w); // dyadic rationals: exact
        }
    }

    /// Counts points of `pts` (2-d projections `(d0, d1)`) per elementary box of size
    /// `2^-a × 2^-b` and checks each box holds exactly one point.
    fn is_0_net(pts: &[Vec<f64>], d0: usize, d1: usize, a: u32, b: u32) -> bool {
        let (na, nb) = (1usize << a, 1usize << b);
        let mut hits = vec![0usize; na * nb];
        for p in pts {
            let i = (p[d0] * na as f64) as usize;
            let j = (p[d1] * nb as f64) as usize;
            hits[i * nb + j] += 1;
        }
        hits.iter().all(|&h| h == 1)
    }

    #[test]
    fn shifted_sobol_keeps_stratification() {
        // The first 2^m points of every Sobol' coordinate hit each of the 2^m dyadic intervals
        // once, and dimensions 1–2 form a (0, m, 2)-net; a digital shift preserves both.
        let m = 10u32;
        let n = 1usize << m;
        let mut s = ShiftedSobol::new(SOBOL_MAX_DIM, &mut rng(3));
        let pts: Vec<Vec<f64>> = (0..n)
            .map(|_| {
                let mut p = vec![0.0; SOBOL_MAX_DIM];
                s.next_into(&mut p);
                p
            })
            .collect();
        for d in 0..SOBOL_MAX_DIM {
            assert!(is_0_net(&pts, d, d, m, 0), "dimension {d} not stratified");
        }
        for a in 0..=m {
            assert!(is_0_net(&pts, 0, 1, a, m - a), "not a (0,m,2)-net at a = {a}");
        }
        assert!(pts.iter().flatten().all(|x| (0.0..1.0).contains(x)));
    }

    fn check_saltelli_layout(x: &[Vec<f64>], n_base: usize, k: usize) {
        assert_eq!(x.len(), n_base * (k + 2));
        for block in x.chunks(k + 2) {
            let (a, b) = (&block[0], &block[1]);
            assert_eq!(a.len(), k);
            for i in 0..k {
                let ab = &block[2 + i];
                for c in 0..k {
                    assert_eq!(ab[c], if c == i { b[c] } else { a[c] });
                }
            }
        }
    }

    #[test]
    fn saltelli_layout_and_stratification() {
        let (n_base, k) = (64, 3);
        let x = saltelli(n_base, k, &mut rng(11));
        check_saltelli_layout(&x, n_base, k);
        // A and B columns come from Sobol' coordinates: each of the 64 strata hit once.
        for offset in [0, 1] {
            let rows: Vec<Vec<f64>> = x.iter().skip(offset).step_by(k + 2).cloned().collect();
            for c in 0..k {
                assert!(is_0_net(&rows, c, c, 6, 0), "matrix {offset} column {c}");
            }
        }
        assert_eq!(x, saltelli(n_base, k, &mut rng(11)));
        assert_ne!(x, saltelli(n_base, k, &mut rng(12)));
    }

    #[test]
    fn saltelli_falls_back_to_uniforms_for_many_factors() {
        let x = saltelli(10, 17, &mut rng(5));
        check_saltelli_layout(&x, 10, 17);
        assert!(x.iter().flatten().all(|v| (0.0..1.0).contains(v)));
        assert!(saltelli(0, 3, &mut rng(5)).is_empty());
    }

    #[test]
    fn morris_trajectories_are_one_at_a_time_on_the_grid() {
        for (levels, k, r) in [(4, 5, 30), (2, 3, 10), (6, 1, 8)] {
            let x = morris(r, k, levels, &mut rng(levels as u64));
            assert_eq!(x.len(), r * (k + 1));
            let p = levels as f64;
            let delta = p / (2.0 * (p - 1.0));
            for row in &x {
                for &v in row {
                    let g = v * (p - 1.0);
                    // On the grid up to the rounding of i/(p−1).
                    assert!((g - g.round()).abs() < 1e-9 && (0.0..=1.0).contains(&v));
                }
            }
            for traj in x.chunks(k + 1) {
                let mut moved = vec![0usize; k];
                for w in traj.windows(2) {
                    let changed: Vec<usize> = (0..k).filter(|&f| w[0][f] != w[1][f]).collect();
                    assert_eq!(changed.len(), 1);
                    let f = changed[0];
                    assert!(((w[1][f] - w[0][f]).abs() - delta).abs() < 1e-12);
                    moved[f] += 1;
                }
                assert!(moved.iter().all(|&m| m == 1));
            }
        }
    }

    #[test]
    fn morris_uses_both_directions_and_is_seeded() {
        let x = morris(40, 2, 4, &mut rng(9));
        let steps: Vec<f64> = x
            .chunks(3)
            .flat_map(|t| t.windows(2).map(|w| w[1][0] - w[0][0] + w[1][1] - w[0][1]))
            .collect();
        assert!(steps.iter().any(|&s| s > 0.0) && steps.iter().any(|&s| s < 0.0));
        assert_eq!(x, morris(40, 2, 4, &mut rng(9)));
    }

    #[test]
    fn morris_levels_are_normalised() {
        assert_eq!(morris_levels(0), 2);
        assert_eq!(morris_levels(2), 2);
        assert_eq!(morris_levels(3), 4);
        assert_eq!(morris_levels(8), 8);
    }

    #[test]
    fn systematic_draws_in_order_and_in_proportion() {
        // 0.75 / 0.25 over 8 draws: exactly 6 and 2 whatever the offset.
        for u in [0.0, 0.3, 0.999_999] {
            assert_eq!(systematic(&[3.0, 1.0], 8, u), vec![0, 0, 0, 0, 0, 0, 1, 1]);
        }
        // Zero weights are never drawn, even at the ends.
        let w = [0.0, 0.2, 0.0, 0.5, 0.3, 0.0];
        for u in [0.0, 0.5, 0.999_999] {
            let d = systematic(&w, 10, u);
            assert_eq!(d.len(), 10);
            assert!(d.windows(2).all(|p| p[0] <= p[1]), "{d:?}");
            assert!(d.iter().all(|&j| w[j] > 0.0), "{d:?}");
            for (j, &wj) in w.iter().enumerate() {
                let c = d.iter().filter(|&&x| x == j).count() as f64;
                assert!((c - 10.0 * wj).abs() < 1.0 + 1e-9, "index {j}: {c} draws, {d:?}");
            }
        }
        assert!(systematic(&[1.0], 0, 0.5).is_empty());
        assert_eq!(systematic(&[1.0], 3, 0.5), vec![0, 0, 0]);
    }
}
