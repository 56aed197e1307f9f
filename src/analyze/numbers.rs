//! Numbers as the analysis shows them (percentages, parameter values) and outcome
//! probabilities with their Wilson intervals: the helpers every table, plot and report
//! shares, below them all.

use crate::stats::{self, Z95};

/// Estimate and Wilson interval of `count` out of `runs` (NaN estimate when `runs == 0`).
pub(crate) fn prob(count: u64, runs: u64) -> (f64, f64, f64) {
    let count = count.min(runs);
    let (lo, hi) = stats::wilson(count, runs, Z95);
    let p = if runs == 0 {
        f64::NAN
    } else {
        count as f64 / runs as f64
    };
    (p, lo, hi)
}

/// A probability as a percentage: whole percent from 10% up, one decimal below.
pub(crate) fn pct(p: f64) -> String {
    if !p.is_finite() {
        return "n/a".to_string();
    }
    let x = p * 100.0;
    if x.abs() >= 9.95 {
        format!("{x:.0}%")
    } else {
        let s = format!("{x:.1}");
        format!("{}%", s.strip_suffix(".0").unwrap_or(&s))
    }
}

/// A parameter value for display, to about three significant digits.
pub(crate) fn fmt_value(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".to_string();
    }
    let a = x.abs();
    let s = if a >= 100.0 || (x.fract() == 0.0 && a < 1e15) {
        format!("{x:.0}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    };
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}
