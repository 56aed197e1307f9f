//! Outcome probabilities with parameter uncertainty, for `posterior` sweeps: every point
//! is one draw of the calibration's posterior, so the spread of the points' outcome
//! shares is parameter uncertainty plus Monte Carlo noise, split here by a variance
//! decomposition.
//!
//! For an outcome, with points i = 1..P (those with runs), `n_i` runs and share `p̂_i`:
//! - `p` = mean of `p̂_i` (each draw weighs the same: the resampling already applied
//!   the posterior weights);
//! - `mc_lo`, `mc_hi` = 95% Wilson interval of the pooled counts (Monte Carlo noise only,
//!   as if all runs came from one parameter set);
//! - `var_total` = sample variance of `p̂_i`; `var_mc` = mean of `p̂_i(1−p̂_i)/n_i` (the
//!   binomial noise within a point); `var_param` = max(`var_total − var_mc`, 0);
//!   `share_param` = `var_param / var_total` (0 when `var_total` is 0);
//! - `param_lo`, `param_hi` = `p ∓ 1.96·sqrt(var_param)`, clipped to [0, 1];
//! - `total_lo`, `total_hi` = the 2.5% and 97.5% type-7 quantiles of `p̂_i`.

use super::csvio::num;
use super::input::{Dataset, Kind};
use super::numbers::{pct, prob};
use super::tables::Table;
use crate::outcome::Outcome;
use crate::stats::{Z95, quantile_sorted};

/// Columns of `posterior.csv`.
pub(crate) const HEADER: [&str; 12] = [
    "outcome",
    "p",
    "mc_lo",
    "mc_hi",
    "param_lo",
    "param_hi",
    "total_lo",
    "total_hi",
    "var_total",
    "var_mc",
    "var_param",
    "share_param",
];

/// One outcome's probability with its Monte Carlo, parameter and total spread.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PosteriorRow {
    pub outcome: Outcome,
    pub p: f64,
    pub mc_lo: f64,
    pub mc_hi: f64,
    pub param_lo: f64,
    pub param_hi: f64,
    pub total_lo: f64,
    pub total_hi: f64,
    pub var_total: f64,
    pub var_mc: f64,
    pub var_param: f64,
    pub share_param: f64,
}

/// The analysis of a posterior sweep.
#[derive(Debug, Clone)]
pub(crate) struct PosteriorAnalysis {
    /// Points (posterior draws) with at least one run.
    pub draws: usize,
    pub runs: u64,
    /// One per outcome, in [`Outcome::ALL`] order.
    pub rows: Vec<PosteriorRow>,
}

/// Whether the directory is a sweep of a calibration posterior.
pub(crate) fn is_posterior(ds: &Dataset) -> bool {
    ds.kind == Kind::Sweep && ds.design() == Some("posterior")
}

/// The decomposition for a posterior sweep (`None` for other inputs), with notes.
pub(crate) fn compute(ds: &Dataset) -> (Option<PosteriorAnalysis>, Vec<String>) {
    if !is_posterior(ds) {
        return (None, Vec::new());
    }
    let mut notes = Vec::new();
    let points: Vec<(u64, [u64; 4])> = (0..ds.point_ids.len())
        .map(|i| (ds.runs[i].len() as u64, ds.counts(i)))
        .filter(|(n, _)| *n > 0)
        .collect();
    let empty = ds.point_ids.len() - points.len();
    if empty > 0 {
        notes.push(format!(
            "Parameter uncertainty: {empty} posterior draws without runs are left out."
        ));
    }
    if points.len() < 2 {
        notes.push(
            "Parameter uncertainty: fewer than two posterior draws with runs, so the spread \
             across draws (var_total, var_param, share_param and their intervals) is not defined."
                .into(),
        );
    }
    if ds.common_seeds() {
        notes.push(
            "Parameter uncertainty with common seeds: the draws share their runs' seeds, so \
             part of the Monte Carlo noise is common to all draws and does not show in their \
             spread; `var_mc` assumes independent noise, so `var_param` and `share_param` \
             understate the parameter uncertainty."
                .into(),
        );
    }
    let rows = Outcome::ALL
        .iter()
        .map(|&o| {
            let counts: Vec<(u64, u64)> = points.iter().map(|(n, c)| (c[o.index()], *n)).collect();
            row(o, &counts)
        })
        .collect();
    let analysis = PosteriorAnalysis {
        draws: points.len(),
        runs: points.iter().map(|(n, _)| n).sum(),
        rows,
    };
    (Some(analysis), notes)
}

/// The row of one outcome from each draw's (count, runs), runs ≥ 1.
fn row(outcome: Outcome, counts: &[(u64, u64)]) -> PosteriorRow {
    let k = counts.len();
    let kf = k as f64;
    let (_, mc_lo, mc_hi) = prob(counts.iter().map(|c| c.0).sum(), counts.iter().map(|c| c.1).sum());
    let shares: Vec<(f64, u64)> = counts.iter().map(|&(c, n)| (c as f64 / n as f64, n)).collect();
    let p = if k == 0 {
        f64::NAN
    } else {
        shares.iter().map(|&(p, _)| p).sum::<f64>() / kf
    };
    let var_mc = if k == 0 {
        f64::NAN
    } else {
        shares.iter().map(|&(p, n)| p * (1.0 - p) / n as f64).sum::<f64>() / kf
    };
    let var_total = if k < 2 {
        f64::NAN
    } else {
        shares.iter().map(|&(x, _)| (x - p).powi(2)).sum::<f64>() / (kf - 1.0)
    };
    let var_param = if var_total.is_finite() {
        (var_total - var_mc).max(0.0)
    } else {
        f64::NAN
    };
    let share_param = if !var_total.is_finite() {
        f64::NAN
    } else if var_total > 0.0 {
        var_param / var_total
    } else {
        0.0
    };
    let half = Z95 * var_param.sqrt();
    let (param_lo, param_hi) = if half.is_finite() {
        ((p - half).clamp(0.0, 1.0), (p + half).clamp(0.0, 1.0))
    } else {
        (f64::NAN, f64::NAN)
    };
    let mut sorted: Vec<f64> = shares.iter().map(|&(p, _)| p).collect();
    sorted.sort_by(f64::total_cmp);
    let (total_lo, total_hi) = if k < 2 {
        (f64::NAN, f64::NAN)
    } else {
        (quantile_sorted(&sorted, 0.025), quantile_sorted(&sorted, 0.975))
    };
    PosteriorRow {
        outcome,
        p,
        mc_lo,
        mc_hi,
        param_lo,
        param_hi,
        total_lo,
        total_hi,
        var_total,
        var_mc,
        var_param,
        share_param,
    }
}

/// Rows of `posterior.csv`.
pub(crate) fn csv_rows(a: &PosteriorAnalysis) -> Vec<Vec<String>> {
    a.rows
        .iter()
        .map(|r| {
            let mut row = vec![r.outcome.as_str().to_string()];
            row.extend([r.p, r.mc_lo, r.mc_hi, r.param_lo, r.param_hi, r.total_lo, r.total_hi].map(num));
            // Variances are small: keep significant digits rather than 6 decimals.
            row.extend([r.var_total, r.var_mc, r.var_param].map(sci));
            row.push(num(r.share_param));
            row
        })
        .collect()
}

/// A variance with 6 significant digits (empty when undefined).
fn sci(x: f64) -> String {
    if !x.is_finite() {
        String::new()
    } else if x == 0.0 {
        "0".into()
    } else {
        format!("{x:.5e}")
    }
}

/// The section title, in the report and on the terminal.
pub(crate) const TITLE: &str = "Outcome probabilities with parameter uncertainty";

/// The table for the report and the terminal.
pub(crate) fn table(a: &PosteriorAnalysis) -> Table {
    let range = |lo: f64, hi: f64| {
        if lo.is_finite() && hi.is_finite() {
            format!("{} – {}", pct(lo), pct(hi))
        } else {
            "n/a".into()
        }
    };
    Table {
        header: [
            "outcome",
            "p",
            "Monte Carlo 95%",
            "parameters 95%",
            "draws 2.5–97.5%",
            "parameter share",
        ]
        .map(String::from)
        .to_vec(),
        rows: a
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.outcome.as_str().to_string(),
                    pct(r.p),
                    range(r.mc_lo, r.mc_hi),
                    range(r.param_lo, r.param_hi),
                    range(r.total_lo, r.total_hi),
                    pct(r.share_param),
                ]
            })
            .collect(),
        note: None,
    }
}

/// What the table means, in words.
pub(crate) fn intro(a: &PosteriorAnalysis) -> String {
    format!(
        "Each of the {} points is one draw of the calibration's posterior (systematic \
         resampling by weight; {} runs in all), so a point's outcome share varies \
         with its parameters and with Monte Carlo noise. `p` is the mean over draws; \
         `Monte Carlo 95%` is the Wilson interval of all runs pooled (noise only, as if \
         every run had the same parameters); `parameters 95%` is p ± 1.96·sd of the \
         parameter part of the spread (the variance across draws minus the mean binomial \
         variance p̂(1−p̂)/n within a draw); `draws 2.5–97.5%` are quantiles of the draws' \
         shares (one parameter draw and its runs); `parameter share` is the parameter part \
         of the variance across draws. All values: `posterior.csv`.",
        a.draws, a.runs
    )
}

/// One sentence per outcome splitting the spread across draws.
pub(crate) fn sentences(a: &PosteriorAnalysis) -> Vec<String> {
    a.rows
        .iter()
        .map(|r| {
            let o = r.outcome.as_str();
            if !r.var_total.is_finite() {
                format!("For {o} the spread across draws is not defined (fewer than two draws).")
            } else if r.var_total == 0.0 {
                format!(
                    "For {o} every posterior draw gave the same share ({}): no spread to split.",
                    pct(r.p)
                )
            } else {
                format!(
                    "For {o} {} of the spread across posterior draws is parameter uncertainty, \
                     {} Monte Carlo noise (p = {}, parameters alone {}).",
                    pct(r.share_param),
                    pct(1.0 - r.share_param),
                    pct(r.p),
                    if r.param_lo.is_finite() {
                        format!("{} – {}", pct(r.param_lo), pct(r.param_hi))
                    } else {
                        "n/a".into()
                    }
                )
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decomposition_by_hand() {
        // Draws 0.2 (n=100), 0.4 (n=100), 0.6 (n=50).
        let r = row(Outcome::Decoupling, &[(20, 100), (40, 100), (30, 50)]);
        assert!((r.p - 0.4).abs() < 1e-12);
        assert!((r.var_total - 0.04).abs() < 1e-12);
        let var_mc = (0.16 / 100.0 + 0.24 / 100.0 + 0.24 / 50.0) / 3.0;
        assert!((r.var_mc - var_mc).abs() < 1e-12);
        assert!((r.var_param - (0.04 - var_mc)).abs() < 1e-12);
        assert!((r.share_param - (0.04 - var_mc) / 0.04).abs() < 1e-12);
        let half = Z95 * (0.04 - var_mc).sqrt();
        assert!((r.param_lo - (0.4 - half)).abs() < 1e-12);
        assert!((r.param_hi - (0.4 + half)).abs() < 1e-12);
        // Pooled: 20 + 40 + 30 of 250.
        let (_, lo, hi) = prob(90, 250);
        assert_eq!((r.mc_lo, r.mc_hi), (lo, hi));
        // Type 7 with h = 2q: 0.2 + 0.05·0.2 and 0.4 + 0.95·0.2.
        assert!((r.total_lo - 0.21).abs() < 1e-12);
        assert!((r.total_hi - 0.59).abs() < 1e-12);
    }

    #[test]
    fn noise_only_and_degenerate_cases() {
        // Spread below the binomial noise: no parameter part.
        let r = row(Outcome::Symbiosis, &[(50, 100), (52, 100)]);
        assert_eq!(r.var_param, 0.0);
        assert_eq!(r.share_param, 0.0);
        assert_eq!((r.param_lo, r.param_hi), (r.p, r.p));
        // No spread at all.
        let r = row(Outcome::Symbiosis, &[(0, 10), (0, 10)]);
        assert_eq!((r.var_total, r.share_param), (0.0, 0.0));
        // One draw: nothing to split.
        let r = row(Outcome::Symbiosis, &[(3, 10)]);
        assert!(r.var_total.is_nan() && r.share_param.is_nan() && r.total_lo.is_nan());
        assert!((r.p - 0.3).abs() < 1e-12);
        assert_eq!(sci(0.000123456789), "1.23457e-4");
    }
}
