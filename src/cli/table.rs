//! The outcome table printed to the terminal.

use crate::outcome::Outcome;
use crate::stats::{Z95, wilson};

/// Renders outcome counts with 95% Wilson intervals beside the article's reference.
pub fn outcome_table(counts: &[u64; 4], runs: u64) -> String {
    let mut s = format!(
        "{:<12} {:>7} {:>7}   {:<17} {:>9}\n",
        "outcome", "count", "p", "95% CI", "article"
    );
    for o in Outcome::ALL {
        let k = counts[o.index()];
        let p = if runs > 0 { k as f64 / runs as f64 } else { 0.0 };
        let (lo, hi) = wilson(k, runs, Z95);
        s.push_str(&format!(
            "{:<12} {:>7} {:>6.1}%   [{:>5.1}%, {:>5.1}%] {:>8.0}%\n",
            o.as_str(),
            k,
            100.0 * p,
            100.0 * lo,
            100.0 * hi,
            100.0 * o.article_reference()
        ));
    }
    s
}
