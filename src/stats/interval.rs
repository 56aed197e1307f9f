//! Confidence intervals for binomial proportions and their differences.
//!
//! Score-based intervals are used instead of the Wald interval `p ± z·sqrt(p(1−p)/n)`
//! because Wald collapses to a zero-width interval at 0 or n successes and undercovers
//! badly for small n, which is exactly the regime of rare events in short simulations.

/// Two-sided 95% standard normal quantile, `Φ⁻¹(0.975)`.
pub const Z95: f64 = 1.959963984540054;

/// Wilson score interval `(lo, hi)` for a binomial proportion `successes / n`.
///
/// `z` is the standard normal quantile of the two-sided level (use [`Z95`] for 95%).
/// The bounds are clamped to `[0, 1]`; `lo` is exactly 0 when `successes == 0` and
/// `hi` is exactly 1 when `successes == n`.
///
/// With `n == 0` nothing is known and the result is `(0.0, 1.0)`.
///
/// Precondition: `successes <= n` (checked by `debug_assert!`; in release builds
/// `successes` is capped at `n`).
pub fn wilson(successes: u64, n: u64, z: f64) -> (f64, f64) {
    debug_assert!(successes <= n, "wilson: successes {successes} > n {n}");
    if n == 0 {
        return (0.0, 1.0);
    }
    let s = successes.min(n);
    let nf = n as f64;
    let p = s as f64 / nf;
    let z2 = z * z;
    let denom = 1.0 + z2 / nf;
    let center = (p + z2 / (2.0 * nf)) / denom;
    let half = z / denom * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    // At the boundaries the formula gives 0 / 1 only up to rounding; make them exact.
    let lo = if s == 0 { 0.0 } else { (center - half).clamp(0.0, 1.0) };
    let hi = if s == n { 1.0 } else { (center + half).clamp(0.0, 1.0) };
    (lo, hi)
}

/// Difference of two proportions `p2 − p1` (with `p1 = s1/n1`, `p2 = s2/n2`) and its
/// Newcombe hybrid score interval (Newcombe 1998, method 10), returned as `(diff, lo, hi)`.
///
/// The interval combines the two [`wilson`] intervals `(l1, u1)` and `(l2, u2)`:
/// `lo = diff − sqrt((p2 − l2)² + (u1 − p1)²)`, `hi = diff + sqrt((u2 − p2)² + (p1 − l1)²)`,
/// clamped to `[−1, 1]`.
///
/// If either `n1` or `n2` is 0 the difference is undefined: the result is
/// `(f64::NAN, -1.0, 1.0)`.
///
/// Precondition: `s1 <= n1` and `s2 <= n2` (as for [`wilson`]).
pub fn newcombe_diff(s1: u64, n1: u64, s2: u64, n2: u64, z: f64) -> (f64, f64, f64) {
    debug_assert!(s1 <= n1, "newcombe_diff: s1 {s1} > n1 {n1}");
    debug_assert!(s2 <= n2, "newcombe_diff: s2 {s2} > n2 {n2}");
    if n1 == 0 || n2 == 0 {
        return (f64::NAN, -1.0, 1.0);
    }
    let p1 = s1.min(n1) as f64 / n1 as f64;
    let p2 = s2.min(n2) as f64 / n2 as f64;
    let (l1, u1) = wilson(s1, n1, z);
    let (l2, u2) = wilson(s2, n2, z);
    let diff = p2 - p1;
    let lo = diff - (p2 - l2).hypot(u1 - p1);
    let hi = diff + (u2 - p2).hypot(p1 - l1);
    (diff, lo.clamp(-1.0, 1.0), hi.clamp(-1.0, 1.0))
}

/// Difference of two proportions measured on the same units (paired data, e.g. two
/// scenarios run on common random numbers), `p2 − p1`, with Newcombe's hybrid score
/// interval for paired data (Newcombe 1998b, Stat. Med. 17:2635–2650, method 10), as
/// `(diff, lo, hi)`.
///
/// The 2×2 table counts units by (first, second): `both` yes/yes, `first_only` yes/no,
/// `second_only` no/yes, `neither` no/no; `p1 = (both + first_only)/n`,
/// `p2 = (both + second_only)/n`. With the [`wilson`] intervals `(l1, u1)`, `(l2, u2)` and
/// the phi coefficient `φ = (both·neither − first_only·second_only)/√((a+b)(c+d)(a+c)(b+d))`
/// (0 when a margin is empty), `lo = diff − √((p2−l2)² − 2φ(p2−l2)(u1−p1) + (u1−p1)²)` and
/// `hi = diff + √((u2−p2)² − 2φ(u2−p2)(p1−l1) + (p1−l1)²)`, clamped to `[−1, 1]`. A
/// positive correlation between the two measurements (φ > 0) narrows the interval: that is
/// the gain of pairing. With `n = 0` the result is `(NaN, −1, 1)`.
pub fn newcombe_paired(both: u64, first_only: u64, second_only: u64, neither: u64, z: f64) -> (f64, f64, f64) {
    let n = both + first_only + second_only + neither;
    if n == 0 {
        return (f64::NAN, -1.0, 1.0);
    }
    let (a, b, c, d) = (both as f64, first_only as f64, second_only as f64, neither as f64);
    let nf = n as f64;
    let (p1, p2) = ((a + b) / nf, (a + c) / nf);
    let (l1, u1) = wilson(both + first_only, n, z);
    let (l2, u2) = wilson(both + second_only, n, z);
    let margins = (a + b) * (c + d) * (a + c) * (b + d);
    let phi = if margins > 0.0 {
        (a * d - b * c) / margins.sqrt()
    } else {
        0.0
    };
    // Exact zero for equal tables (b = c), not a rounding residue.
    let diff = (c - b) / nf;
    let below = ((p2 - l2).powi(2) - 2.0 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1).powi(2)).max(0.0);
    let above = ((u2 - p2).powi(2) - 2.0 * phi * (u2 - p2) * (p1 - l1) + (p1 - l1).powi(2)).max(0.0);
    (
        diff,
        (diff - below.sqrt()).clamp(-1.0, 1.0),
        (diff + above.sqrt()).clamp(-1.0, 1.0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Published values are given to 4 decimals, so compare to half a unit in the 4th.
    const TOL4: f64 = 5e-5;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn z95_is_the_975_normal_quantile() {
        assert!(close(Z95, 1.96, 1e-4));
    }

    #[test]
    fn wilson_matches_hand_computed_values() {
        // z = 1.96, z² = 3.8416. Formula: c = (p + z²/2n)/(1 + z²/n),
        // h = z/(1 + z²/n) · sqrt(p(1−p)/n + z²/4n²).
        // 0/10:  c = 0.19208/1.38416 = 0.138770, h = 1.416021·0.098 = 0.138770
        //        -> (0, 0.277540)
        // 5/10:  c = 0.5, h = 1.416021·sqrt(0.025 + 0.009604) = 0.263410
        //        -> (0.236590, 0.763410)
        // 60/100: c = 0.619208/1.038416 = 0.596300,
        //        h = 1.887490·sqrt(0.0024 + 0.00009604) = 0.094300 -> (0.502001, 0.690600)
        // 1/1000: c = 0.00292080/1.0038416 = 0.00290962,
        //        h = 1.952499·sqrt(9.99e-7 + 9.604e-7) = 0.00273304 -> (0.000177, 0.005643)
        let cases = [
            (0, 10, 0.0, 0.277540),
            (5, 10, 0.236590, 0.763410),
            (60, 100, 0.502001, 0.690600),
            (1, 1000, 0.000177, 0.005643),
        ];
        for (s, n, lo, hi) in cases {
            let (l, h) = wilson(s, n, 1.96);
            // 6 decimals were carried by hand, so allow 1e-6.
            assert!(close(l, lo, 1e-6), "{s}/{n}: lo {l} vs {lo}");
            assert!(close(h, hi, 1e-6), "{s}/{n}: hi {h} vs {hi}");
        }
    }

    #[test]
    fn wilson_edges_are_exact() {
        assert_eq!(wilson(0, 0, Z95), (0.0, 1.0));
        let (lo, hi) = wilson(0, 7, Z95);
        assert_eq!(lo, 0.0);
        assert!(hi > 0.0 && hi < 1.0);
        let (lo, hi) = wilson(7, 7, Z95);
        assert_eq!(hi, 1.0);
        assert!(lo > 0.0 && lo < 1.0);
    }

    #[test]
    fn wilson_contains_estimate_and_narrows_with_n() {
        let (l1, h1) = wilson(30, 100, Z95);
        let (l2, h2) = wilson(300, 1000, Z95);
        assert!(l1 < 0.3 && 0.3 < h1);
        assert!(l2 < 0.3 && 0.3 < h2);
        assert!(h2 - l2 < h1 - l1);
    }

    #[test]
    fn newcombe_matches_published_table() {
        // Newcombe (1998), Stat. Med. 17:873–890, Table II, method 10. The table was computed
        // with the exact 95% quantile: with z = 1.96, 2/7 vs 6/7 gives hi = 0.80625 (not 0.8062).
        // The paper reports p1 − p2; here arguments are swapped so diff = p2 − p1 matches.
        let cases = [
            ((48, 80, 56, 70), 0.2, 0.0524, 0.3339),
            ((3, 10, 9, 10), 0.6, 0.1705, 0.8090),
            ((2, 7, 6, 7), 4.0 / 7.0, 0.0582, 0.8062),
            ((0, 29, 5, 56), 5.0 / 56.0, -0.0381, 0.1926),
            ((0, 20, 0, 10), 0.0, -0.1611, 0.2775),
            ((0, 10, 0, 10), 0.0, -0.2775, 0.2775),
            ((0, 20, 10, 10), 1.0, 0.6791, 1.0),
            ((0, 10, 10, 10), 1.0, 0.6075, 1.0),
        ];
        for ((s1, n1, s2, n2), d, lo, hi) in cases {
            let (dd, l, h) = newcombe_diff(s1, n1, s2, n2, Z95);
            assert!(close(dd, d, 1e-12), "diff {dd} vs {d}");
            assert!(close(l, lo, TOL4), "{s1}/{n1} vs {s2}/{n2}: lo {l} vs {lo}");
            assert!(close(h, hi, TOL4), "{s1}/{n1} vs {s2}/{n2}: hi {h} vs {hi}");
        }
    }

    #[test]
    fn newcombe_is_antisymmetric_and_handles_empty() {
        let (d, l, h) = newcombe_diff(12, 40, 25, 50, Z95);
        let (d2, l2, h2) = newcombe_diff(25, 50, 12, 40, Z95);
        assert!(close(d, -d2, 1e-15) && close(l, -h2, 1e-15) && close(h, -l2, 1e-15));
        let (d, l, h) = newcombe_diff(0, 0, 3, 10, Z95);
        assert!(d.is_nan());
        assert_eq!((l, h), (-1.0, 1.0));
    }

    #[test]
    fn paired_newcombe_matches_published_example() {
        // Newcombe (1998b), method 10, example (a, b, c, d) = (36, 12, 2, 0): the paper's
        // difference p1 − p2 = 0.2 has interval 0.0569 to 0.3404. Here diff = p2 − p1.
        let (d, l, h) = newcombe_paired(36, 12, 2, 0, Z95);
        assert!(close(d, -0.2, 1e-12), "{d}");
        assert!(close(l, -0.3404, TOL4), "lo {l}");
        assert!(close(h, -0.0569, TOL4), "hi {h}");
        // Equal tables give exactly 0; pairing narrows the interval against the unpaired one.
        let (d, l, h) = newcombe_paired(300, 0, 0, 700, Z95);
        assert_eq!(d, 0.0);
        let (_, ul, uh) = newcombe_diff(300, 1000, 300, 1000, Z95);
        assert!(h - l < 0.1 * (uh - ul), "paired {l}..{h} vs unpaired {ul}..{uh}");
        assert_eq!(newcombe_paired(0, 0, 0, 0, Z95).1, -1.0);
    }
}
