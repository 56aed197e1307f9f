//! Monte Carlo noise in per-point outputs, and sensitivity indices corrected for it.
//!
//! A sweep point's output is a mean over its runs (`p_<outcome>` is the mean of a 0/1
//! indicator), so it carries noise: `y_j = f(x_j) + e_j` with `Var(e_j) = s_j² / n_j`,
//! `s_j²` the within-point variance of the runs (for an outcome, `p(1 − p)` up to the
//! `n/(n − 1)` factor) and `n_j` the runs. Estimators of sensitivity indices treat `y` as
//! the model, so the noise shows up as spurious variance: a parameter with no effect gets
//! a total index near the noise share.
//!
//! The correction subtracts, from every squared difference or product of outputs the
//! estimators average, an unbiased estimate of its noise part, computed from the runs:
//! - `Var(ȳ_a − ȳ_b)`: with independent seeds `s_a²/n_a + s_b²/n_b`; with common seeds
//!   (the same run numbers at both points) the sample variance of the run-by-run
//!   differences over `n`, which also accounts for the correlation common random numbers
//!   put between points.
//! - `Cov(ȳ_a, ȳ_b)`: 0 with independent seeds; with common seeds the run-by-run sample
//!   covariance over `n`.
//!
//! Sobol (Saltelli design, base samples `j`, blocks `A_j, B_j, AB_j^i`):
//! `V = pooled variance of A and B outputs − mean_j Var(ȳ_A − ȳ_B)/2`,
//! `ST_i = mean_j[(y_A − y_AB)² − Var(ȳ_A − ȳ_AB)] / 2V` (Jansen),
//! `S1_i = mean_j[y_B (y_AB − y_A) − (Cov(ȳ_B, ȳ_AB) − Cov(ȳ_B, ȳ_A))] / V` (Saltelli 2010).
//! This is the replicate-variance correction for stochastic simulators of Hart,
//! Alexanderian and Gremaud (2017, "Efficient computation of Sobol' indices for stochastic
//! models", SIAM/ASA J. Uncertainty Quantification 5) applied to the pick-freeze
//! estimators: it estimates the indices of the expected output `f(x) = E[y | x]`.
//! `noise_share` is the noise part of the output variance, `mean_j Var(ȳ_A − ȳ_B)/2`
//! over the pooled variance. Intervals are bootstrap percentiles over base samples as
//! for the uncorrected indices. When the noise is all of the variance (corrected `V ≤ 0`)
//! the corrected indices are not defined (empty cells).
//!
//! Morris: an elementary effect `(y_b − y_a)/Δ` has noise variance `Var(ȳ_b − ȳ_a)/Δ²`.
//! `mu_star_noise` is the mean absolute effect noise alone would give
//! (`sqrt(2/π)·sd`, averaged over trajectories): a μ* at or below it is not
//! distinguishable from noise. `sigma_corr` removes the noise variance from σ².
//!
//! Outputs with fewer than two runs at some point have no noise estimate (empty cells).

use super::input::Dataset;

/// Per-point run values of one output, for noise estimates.
#[derive(Debug, Clone)]
pub(crate) struct PointRuns {
    /// Per point: (run number, value), ascending runs, finite values only.
    pub runs: Vec<Vec<(u64, f64)>>,
    /// Runs share seeds across points (`seeds = "common"`), so they pair by run number.
    pub common_seeds: bool,
}

impl PointRuns {
    /// Mean of point `i` (NaN without runs).
    pub(crate) fn mean(&self, i: usize) -> f64 {
        let r = &self.runs[i];
        if r.is_empty() {
            return f64::NAN;
        }
        r.iter().map(|x| x.1).sum::<f64>() / r.len() as f64
    }

    /// Estimated variance of point `i`'s mean: `s²/n` (NaN with fewer than two runs).
    pub(crate) fn var_mean(&self, i: usize) -> f64 {
        let r = &self.runs[i];
        let n = r.len();
        if n < 2 {
            return f64::NAN;
        }
        let m = self.mean(i);
        r.iter().map(|x| (x.1 - m).powi(2)).sum::<f64>() / ((n - 1) * n) as f64
    }

    /// Whether points `a` and `b` pair run by run (common seeds, same runs).
    fn paired(&self, a: usize, b: usize) -> bool {
        self.common_seeds
            && self.runs[a].len() >= 2
            && self.runs[a].len() == self.runs[b].len()
            && self.runs[a].iter().zip(&self.runs[b]).all(|(x, y)| x.0 == y.0)
    }

    /// Sample covariance of the paired run values of `a` and `b` over `n`.
    fn paired_cov(&self, a: usize, b: usize) -> f64 {
        let (ra, rb) = (&self.runs[a], &self.runs[b]);
        let n = ra.len();
        let (ma, mb) = (self.mean(a), self.mean(b));
        ra.iter().zip(rb).map(|(x, y)| (x.1 - ma) * (y.1 - mb)).sum::<f64>() / ((n - 1) * n) as f64
    }

    /// Estimated `Var(ȳ_a − ȳ_b)`.
    pub(crate) fn diff_var(&self, a: usize, b: usize) -> f64 {
        if self.paired(a, b) {
            (self.var_mean(a) + self.var_mean(b) - 2.0 * self.paired_cov(a, b)).max(0.0)
        } else {
            self.var_mean(a) + self.var_mean(b)
        }
    }

    /// Estimated `Cov(ȳ_a, ȳ_b)`: zero unless the points pair run by run.
    pub(crate) fn cov(&self, a: usize, b: usize) -> f64 {
        if self.paired(a, b) { self.paired_cov(a, b) } else { 0.0 }
    }
}

/// Per-run values of every analysed output (outcome indicators, then key metrics), in
/// the order of `sensitivity::output_series`.
pub(crate) fn point_runs(ds: &Dataset) -> Vec<PointRuns> {
    let common_seeds = ds.common_seeds();
    let mut out = Vec::new();
    for o in crate::outcome::Outcome::ALL {
        out.push(PointRuns {
            runs: ds
                .runs
                .iter()
                .map(|rs| {
                    rs.iter()
                        .map(|r| (r.run, if r.outcome == o { 1.0 } else { 0.0 }))
                        .collect()
                })
                .collect(),
            common_seeds,
        });
    }
    for m in 0..super::input::KEY_METRICS.len() {
        if !ds.metric_present[m] {
            continue;
        }
        out.push(PointRuns {
            runs: ds
                .runs
                .iter()
                .map(|rs| {
                    rs.iter()
                        .filter(|r| r.metrics[m].is_finite())
                        .map(|r| (r.run, r.metrics[m]))
                        .collect()
                })
                .collect(),
            common_seeds,
        });
    }
    out
}

/// Noise-corrected Sobol indices of one output: `[S1, S1_lo, S1_hi, ST, ST_lo, ST_hi]` per
/// factor, and the noise share of the output variance. `y` are the point outputs in
/// Saltelli layout (shifted by a constant is fine), `noise` their runs.
pub(crate) fn sobol_corrected<R: rand::Rng + ?Sized>(
    y: &[f64],
    noise: &PointRuns,
    n_base: usize,
    k: usize,
    n_boot: usize,
    rng: &mut R,
) -> (f64, Vec<[f64; 6]>) {
    use rand::RngExt;
    let stride = k + 2;
    let nan = (f64::NAN, vec![[f64::NAN; 6]; k]);
    if y.len() != n_base * stride || n_base == 0 {
        return nan;
    }
    // Noise terms per base sample: Var(A − B), and per factor Var(A − AB_i) and the
    // covariance term of the first-order product.
    let mut ab = vec![0.0; n_base];
    let mut tot = vec![0.0; n_base * k];
    let mut first = vec![0.0; n_base * k];
    for j in 0..n_base {
        let (a, b) = (j * stride, j * stride + 1);
        ab[j] = noise.diff_var(a, b);
        for i in 0..k {
            let abi = j * stride + 2 + i;
            tot[j * k + i] = noise.diff_var(a, abi);
            first[j * k + i] = noise.cov(b, abi) - noise.cov(b, a);
        }
    }
    if ab.iter().chain(&tot).chain(&first).any(|v| !v.is_finite()) {
        return nan;
    }
    let estimate = |idx: &[usize]| -> (f64, Vec<f64>, Vec<f64>) {
        let n = idx.len() as f64;
        let pooled = || idx.iter().flat_map(|&j| [y[j * stride], y[j * stride + 1]]);
        let mean = pooled().sum::<f64>() / (2.0 * n);
        let v_obs = pooled().map(|v| (v - mean).powi(2)).sum::<f64>() / (2.0 * n);
        let v_noise = idx.iter().map(|&j| ab[j]).sum::<f64>() / (2.0 * n);
        let v = v_obs - v_noise;
        if v.is_nan() || v <= 0.0 {
            return (
                if v_obs > 0.0 { v_noise / v_obs } else { f64::NAN },
                vec![f64::NAN; k],
                vec![f64::NAN; k],
            );
        }
        let mut s1 = vec![0.0; k];
        let mut st = vec![0.0; k];
        for &j in idx {
            let blk = &y[j * stride..(j + 1) * stride];
            let (fa, fb) = (blk[0], blk[1]);
            for i in 0..k {
                let fab = blk[2 + i];
                s1[i] += fb * (fab - fa) - first[j * k + i];
                st[i] += (fa - fab).powi(2) - tot[j * k + i];
            }
        }
        for i in 0..k {
            s1[i] /= n * v;
            st[i] /= 2.0 * n * v;
        }
        (v_noise / v_obs, s1, st)
    };
    let all: Vec<usize> = (0..n_base).collect();
    let (share, s1, st) = estimate(&all);
    let mut boot_s1 = vec![Vec::with_capacity(n_boot); k];
    let mut boot_st = vec![Vec::with_capacity(n_boot); k];
    let mut sample = vec![0usize; n_base];
    for _ in 0..n_boot {
        for s in sample.iter_mut() {
            *s = rng.random_range(0..n_base);
        }
        let (_, f, t) = estimate(&sample);
        for i in 0..k {
            if f[i].is_finite() {
                boot_s1[i].push(f[i]);
            }
            if t[i].is_finite() {
                boot_st[i].push(t[i]);
            }
        }
    }
    let ci = |v: &mut Vec<f64>| {
        if v.len() < n_boot.div_ceil(2) {
            // Most resamples had no signal variance left: no interval.
            return (f64::NAN, f64::NAN);
        }
        v.sort_by(f64::total_cmp);
        (
            crate::stats::quantile_sorted(v, 0.025),
            crate::stats::quantile_sorted(v, 0.975),
        )
    };
    let rows = (0..k)
        .map(|i| {
            let (a, b) = ci(&mut boot_s1[i]);
            let (c, d) = ci(&mut boot_st[i]);
            [s1[i], a, b, st[i], c, d]
        })
        .collect();
    (share, rows)
}

/// Noise figures of Morris indices: `[mu_star_noise, sigma_corr]` per factor, and the
/// noise share of the output variance. `unit` are the unit-cube design rows, `sigma`
/// the uncorrected σ per factor.
pub(crate) fn morris_noise(
    unit: &[Vec<f64>],
    noise: &PointRuns,
    r: usize,
    k: usize,
    sigma: &[f64],
) -> (f64, Vec<[f64; 2]>) {
    let mut ee_var: Vec<Vec<f64>> = vec![Vec::new(); k];
    for t in 0..r {
        for s in 0..k {
            let (a, b) = (t * (k + 1) + s, t * (k + 1) + s + 1);
            let Some(f) = (0..k).find(|&f| (unit[b][f] - unit[a][f]).abs() > 1e-12) else {
                continue;
            };
            let delta = unit[b][f] - unit[a][f];
            ee_var[f].push(noise.diff_var(a, b) / (delta * delta));
        }
    }
    let rows = (0..k)
        .map(|f| {
            let v = &ee_var[f];
            if v.is_empty() || v.iter().any(|x| !x.is_finite()) {
                return [f64::NAN; 2];
            }
            let floor = v.iter().map(|x| x.sqrt()).sum::<f64>() / v.len() as f64 * (2.0 / std::f64::consts::PI).sqrt();
            let mean_var = v.iter().sum::<f64>() / v.len() as f64;
            let s = sigma.get(f).copied().unwrap_or(f64::NAN);
            [floor, (s * s - mean_var).max(0.0).sqrt()]
        })
        .collect();
    (noise_share_of_points(noise, k + 1), rows)
}

/// Noise share of the variance of the point means over the sweep: the mean noise of a
/// difference between points `i` and `i + stride` (in independent parts of the design,
/// e.g. consecutive trajectories) over twice the variance of the means.
pub(crate) fn noise_share_of_points(noise: &PointRuns, stride: usize) -> f64 {
    let n = noise.runs.len();
    let means: Vec<f64> = (0..n).map(|i| noise.mean(i)).collect();
    if n < 2 || means.iter().any(|m| !m.is_finite()) {
        return f64::NAN;
    }
    let m = means.iter().sum::<f64>() / n as f64;
    let var = means.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n as f64;
    let stride = if stride < n { stride } else { 1 };
    let pairs: Vec<f64> = (0..n - stride).map(|i| noise.diff_var(i, i + stride)).collect();
    if var <= 0.0 || pairs.iter().any(|v| !v.is_finite()) {
        return f64::NAN;
    }
    pairs.iter().sum::<f64>() / pairs.len() as f64 / 2.0 / var
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn runs(values: &[&[f64]], common: bool) -> PointRuns {
        PointRuns {
            runs: values
                .iter()
                .map(|v| v.iter().enumerate().map(|(r, &x)| (r as u64, x)).collect())
                .collect(),
            common_seeds: common,
        }
    }

    #[test]
    fn variance_of_a_difference_pairs_only_with_common_seeds() {
        let a: &[f64] = &[1.0, 0.0, 1.0, 0.0];
        let p = runs(&[a, a], false);
        // s² = 1/3, s²/n = 1/12, twice for the difference.
        assert!((p.diff_var(0, 1) - 2.0 / 12.0).abs() < 1e-12);
        assert_eq!(p.cov(0, 1), 0.0);
        let p = runs(&[a, a], true);
        assert!(p.diff_var(0, 1).abs() < 1e-12, "identical paired runs cancel");
        assert!((p.cov(0, 1) - 1.0 / 12.0).abs() < 1e-12);
    }

    /// p(x) = 0.2 + 0.3·x1, x2 without effect, 50 Bernoulli runs per point: the noise
    /// (p(1 − p)/50 ≈ 0.0045) is about 38% of the variance of the point means (signal
    /// 0.09/12 = 0.0075). Uncorrected, x2's total index is about that share; corrected it is
    /// near 0 and x1's near 1. Tolerance 0.06: 1,024 base samples, bootstrap standard
    /// errors of the corrected indices about 0.02.
    #[test]
    fn planted_no_effect_factor_has_corrected_total_index_near_zero() {
        use rand::RngExt;
        let (n_base, k) = (1024, 2);
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(3);
        let design = crate::stats::design::saltelli(n_base, k, &mut rng);
        let noise = PointRuns {
            runs: design
                .iter()
                .map(|x| {
                    let p = 0.2 + 0.3 * x[0];
                    (0..50).map(|r| (r, f64::from(u8::from(rng.random_bool(p))))).collect()
                })
                .collect(),
            common_seeds: false,
        };
        let y: Vec<f64> = (0..design.len()).map(|i| noise.mean(i)).collect();
        let plain = crate::stats::sensitivity::sobol_indices(&y, n_base, k, 0, &mut rng).unwrap();
        let (share, rows) = sobol_corrected(&y, &noise, n_base, k, 200, &mut rng);
        println!(
            "share {share:.3}; x2 ST {:.3} -> {:.3}; x1 ST {:.3} -> {:.3}",
            plain[1].total, rows[1][3], plain[0].total, rows[0][3]
        );
        assert!((share - 0.38).abs() < 0.06, "noise share {share}");
        assert!(plain[1].total > 0.25, "uncorrected x2 ST {}", plain[1].total);
        assert!(rows[1][3].abs() < 0.06, "corrected x2 ST {}", rows[1][3]);
        assert!(
            rows[1][4] <= 0.0 + 0.06 && rows[1][5] >= -0.06,
            "interval {:?}",
            &rows[1][3..]
        );
        assert!((rows[0][3] - 1.0).abs() < 0.06, "corrected x1 ST {}", rows[0][3]);
        assert!((rows[0][0] - 1.0).abs() < 0.1, "corrected x1 S1 {}", rows[0][0]);
    }
}
