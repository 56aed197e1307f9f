//! `timeseries_quantiles.csv`: per month and metric, the mean and the 5%, 50% and 95%
//! quantiles over runs, from one [`QuantileSketch`] per (month, metric).
//!
//! Memory and checkpoint size depend on the spread of the values, not on the number of
//! runs (docs/OUTPUTS.md states the accuracy). Runs must be added in run order, which makes
//! the file byte-identical for any thread count; the state serialises bit for bit, so a
//! resumed sweep continues exactly where its checkpoint left it.

use super::columns::{METRICS, metric_values, push_num};
use crate::sim::RunResult;
use crate::stats::QuantileSketch;

/// Quantiles written beside the mean, with their column names.
pub const QUANTILES: [(f64, &str); 3] = [(0.05, "p05"), (0.5, "p50"), (0.95, "p95")];

/// The header after any `point,` prefix.
pub const QUANTILES_HEADER: &str = "tick,metric,mean,p05,p50,p95";

/// Sketches of every (month, metric) of a batch of runs.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesSketch {
    horizon: usize,
    /// `horizon × METRICS`, month-major.
    sketches: Vec<QuantileSketch>,
}

impl SeriesSketch {
    /// Empty sketches for months `1 ..= horizon`.
    pub fn new(horizon: usize) -> SeriesSketch {
        SeriesSketch {
            horizon,
            sketches: vec![QuantileSketch::new(); horizon * METRICS.len()],
        }
    }

    /// Adds one successful run's months (those beyond the horizon are ignored; a run that
    /// ended early simply has no values for the later months).
    pub fn add_run(&mut self, r: &RunResult) {
        let nm = METRICS.len();
        for (t, m) in r.timeseries.iter().enumerate().take(self.horizon) {
            for (s, v) in self.sketches[t * nm..(t + 1) * nm].iter_mut().zip(metric_values(m)) {
                s.add(v);
            }
        }
    }

    /// Metric `metric` (an index into [`METRICS`]) month by month as `(tick, p05, p50, p95)`:
    /// the quantiles [`rows`](Self::rows) writes, for fan charts drawn without a file.
    pub fn band(&self, metric: usize) -> Vec<(f64, f64, f64, f64)> {
        let nm = METRICS.len();
        (0..self.horizon)
            .map(|t| {
                let s = &self.sketches[t * nm + metric];
                let [a, b, c] = QUANTILES.map(|(q, _)| s.quantile(q));
                ((t + 1) as f64, a, b, c)
            })
            .collect()
    }

    /// Buckets in use over all sketches (what memory and the checkpoint scale with).
    pub fn buckets(&self) -> usize {
        self.sketches.iter().map(QuantileSketch::buckets).sum()
    }

    /// The CSV rows, month by month, metrics in column order, each starting with `prefix`.
    pub fn rows(&self, prefix: &str) -> String {
        let mut rows = String::new();
        let nm = METRICS.len();
        for t in 0..self.horizon {
            for (m, name) in METRICS.iter().enumerate() {
                let s = &self.sketches[t * nm + m];
                rows.push_str(prefix);
                rows.push_str(&format!("{},{name},", t + 1));
                push_num(&mut rows, s.mean());
                for (q, _) in QUANTILES {
                    rows.push(',');
                    push_num(&mut rows, s.quantile(q));
                }
                rows.push('\n');
            }
        }
        rows
    }

    /// Appends the state to `out` (see [`QuantileSketch::write_to`]).
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(self.horizon as u64).to_le_bytes());
        for s in &self.sketches {
            s.write_to(out);
        }
    }

    /// Reads a state written by [`write_to`](Self::write_to); `None` if malformed or for
    /// another horizon.
    pub fn read_from(bytes: &mut &[u8], horizon: usize) -> Option<SeriesSketch> {
        let (head, rest) = bytes.split_first_chunk::<8>()?;
        *bytes = rest;
        if u64::from_le_bytes(*head) != horizon as u64 {
            return None;
        }
        let sketches = (0..horizon * METRICS.len())
            .map(|_| QuantileSketch::read_from(bytes))
            .collect::<Option<Vec<_>>>()?;
        Some(SeriesSketch { horizon, sketches })
    }
}
