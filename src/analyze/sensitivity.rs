//! Global sensitivity indices for `sobol` and `morris` sweeps.
//!
//! The outputs analysed are each outcome probability `p_<outcome>` of a point and the
//! point's mean of each key metric at the horizon (columns of `outcomes.csv`). Points
//! must be complete and in design order: the Saltelli blocks `[A, B, AB_1..AB_k]`
//! (sobol) or trajectories of `k + 1` points (morris) are consecutive point ids.
//! Morris needs unit-cube coordinates; they are recovered from the parameter values by
//! the declared `range` (else the observed minimum and maximum), and booleans or text
//! levels by their level index. Morris μ and μ* are therefore per unit of that
//! normalised range. Sobol outputs are centred first (see [`centered`]); outputs that
//! are constant over the sweep are left out with a note.

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

use super::csvio::num;
use super::input::{Dataset, KEY_METRICS, Param};
use crate::outcome::Outcome;
use crate::stats::sensitivity::{morris_indices, sobol_indices};

/// Bootstrap resamples for Sobol intervals.
const N_BOOT: usize = 500;
/// Fixed bootstrap seed, so reruns give identical intervals.
const BOOT_SEED: u64 = 0x5EED_A11A;

/// Which index family was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Sobol,
    Morris,
}

impl Method {
    /// Position of `noise_share` in [`Method::columns`].
    pub(crate) fn noise_share(self) -> usize {
        match self {
            Method::Sobol => 6,
            Method::Morris => 3,
        }
    }

    /// Column names of `sensitivity.csv` after `param,output`.
    pub(crate) fn columns(self) -> &'static [&'static str] {
        match self {
            Method::Sobol => &[
                "S1",
                "S1_lo",
                "S1_hi",
                "ST",
                "ST_lo",
                "ST_hi",
                "noise_share",
                "S1_corr",
                "S1_corr_lo",
                "S1_corr_hi",
                "ST_corr",
                "ST_corr_lo",
                "ST_corr_hi",
            ],
            Method::Morris => &["mu", "mu_star", "sigma", "noise_share", "mu_star_noise", "sigma_corr"],
        }
    }
}

/// Indices of every parameter for one output.
#[derive(Debug, Clone)]
pub(crate) struct OutputIndices {
    pub output: String,
    /// One row per parameter, values in [`Method::columns`] order.
    pub values: Vec<Vec<f64>>,
}

/// All sensitivity indices of a sweep.
#[derive(Debug, Clone)]
pub(crate) struct Sensitivity {
    pub method: Method,
    pub params: Vec<String>,
    pub outputs: Vec<OutputIndices>,
}

impl Sensitivity {
    /// Rows of `sensitivity.csv`.
    pub(crate) fn rows(&self) -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        for o in &self.outputs {
            for (p, vals) in self.params.iter().zip(&o.values) {
                let mut row = vec![p.clone(), o.output.clone()];
                row.extend(vals.iter().map(|&v| num(v)));
                rows.push(row);
            }
        }
        rows
    }
}

/// Computes the indices when the sweep design is sobol or morris; `None` otherwise or
/// when the points do not form the design, with notes saying why.
pub(crate) fn compute(ds: &Dataset) -> (Option<Sensitivity>, Vec<String>) {
    let method = match ds.design() {
        Some("sobol") => Method::Sobol,
        Some("morris") => Method::Morris,
        _ => return (None, Vec::new()),
    };
    let mut notes = Vec::new();
    let n = ds.point_ids.len();
    let k = ds.params.len();
    let block = match method {
        Method::Sobol => k + 2,
        Method::Morris => k + 1,
    };
    let contiguous = ds.point_ids.windows(2).all(|w| w[1] == w[0] + 1);
    if k == 0 || !contiguous || !n.is_multiple_of(block) {
        notes.push(format!(
            "No sensitivity indices: the {n} points (ids {}) do not form a complete {} design \
             of {k} parameters (consecutive ids, a multiple of {block} points).",
            if contiguous { "consecutive" } else { "with gaps" },
            match method {
                Method::Sobol => "sobol",
                Method::Morris => "morris",
            },
        ));
        return (None, notes);
    }
    let unit: Vec<Vec<f64>> = (0..n)
        .map(|i| ds.params.iter().map(|p| unit_coord(p, i)).collect())
        .collect();
    let mut outputs = Vec::new();
    let mut constant = Vec::new();
    let mut no_noise = Vec::new();
    for ((name, y), runs) in output_series(ds).into_iter().zip(super::noise::point_runs(ds)) {
        if y.iter().all(|v| v.is_finite()) && y.iter().all(|&v| v == y[0]) {
            constant.push(format!("`{name}`"));
            continue;
        }
        let result = match method {
            Method::Sobol => {
                let mut rng = ChaCha8Rng::seed_from_u64(BOOT_SEED);
                let y = centered(&y, block);
                let plain = sobol_indices(&y, n / block, k, N_BOOT, &mut rng);
                // Its own bootstrap stream, so the uncorrected intervals stay as they were.
                let mut rng = ChaCha8Rng::seed_from_u64(BOOT_SEED ^ 0xC0EE);
                let (share, corr) = super::noise::sobol_corrected(&y, &runs, n / block, k, N_BOOT, &mut rng);
                plain.map(|v| {
                    v.iter()
                        .zip(&corr)
                        .map(|(s, c)| {
                            let mut row = vec![s.first, s.first_lo, s.first_hi, s.total, s.total_lo, s.total_hi, share];
                            row.extend(c);
                            row
                        })
                        .collect::<Vec<_>>()
                })
            }
            Method::Morris => morris_indices(&unit, &y, n / block, k).map(|v| {
                let sigma: Vec<f64> = v.iter().map(|m| m.sigma).collect();
                let (share, extra) = super::noise::morris_noise(&unit, &runs, n / block, k, &sigma);
                v.iter()
                    .zip(&extra)
                    .map(|(m, e)| vec![m.mu, m.mu_star, m.sigma, share, e[0], e[1]])
                    .collect::<Vec<_>>()
            }),
        };
        if let Ok(values) = &result
            && values.first().is_some_and(|v| !v[method.noise_share()].is_finite())
        {
            no_noise.push(format!("`{name}`"));
        }
        match result {
            Ok(values) => outputs.push(OutputIndices { output: name, values }),
            Err(e) => notes.push(format!("No sensitivity indices for `{name}`: {e}.")),
        }
    }
    if !no_noise.is_empty() {
        notes.push(format!(
            "No Monte Carlo noise estimate (some point has fewer than two runs), so no \
             noise share or corrected indices, for: {}.",
            no_noise.join(", ")
        ));
    }
    if !constant.is_empty() {
        notes.push(format!(
            "Constant over the sweep, so without sensitivity indices: {}.",
            constant.join(", ")
        ));
    }
    let sens = (!outputs.is_empty()).then(|| Sensitivity {
        method,
        params: ds.params.iter().map(|p| p.name.clone()).collect(),
        outputs,
    });
    (sens, notes)
}

/// Per-point outputs: outcome probabilities, then mean key metrics at the horizon.
fn output_series(ds: &Dataset) -> Vec<(String, Vec<f64>)> {
    let mut out = Vec::new();
    for o in Outcome::ALL {
        let y = (0..ds.point_ids.len())
            .map(|i| {
                let runs = ds.runs[i].len();
                if runs == 0 {
                    f64::NAN
                } else {
                    ds.counts(i)[o.index()] as f64 / runs as f64
                }
            })
            .collect();
        out.push((format!("p_{}", o.as_str()), y));
    }
    for (m, name) in KEY_METRICS.iter().enumerate() {
        if !ds.metric_present[m] {
            continue;
        }
        let y = ds
            .runs
            .iter()
            .map(|runs| {
                let v: Vec<f64> = runs.iter().map(|r| r.metrics[m]).filter(|v| v.is_finite()).collect();
                crate::stats::quantile::mean(&v)
            })
            .collect();
        out.push((name.to_string(), y));
    }
    out
}

/// `y` minus the mean of its A and B outputs (the first two of each Saltelli block).
/// The indices are shift-invariant but the first-order estimator's variance grows with
/// the squared output mean, which swamps S1 when the mean is large against the spread.
fn centered(y: &[f64], block: usize) -> Vec<f64> {
    let ab: Vec<f64> = y.chunks(block).flat_map(|c| c.iter().take(2).copied()).collect();
    let m = crate::stats::quantile::mean(&ab);
    if m.is_finite() {
        y.iter().map(|v| v - m).collect()
    } else {
        y.to_vec()
    }
}

/// Position of point `i` on the parameter's axis scaled to [0, 1].
fn unit_coord(p: &Param, i: usize) -> f64 {
    let x = p.x[i];
    if !p.numeric {
        let top = p.level_names.len().saturating_sub(1).max(1) as f64;
        return x / top;
    }
    let (lo, hi) = p.range.unwrap_or_else(|| {
        p.x.iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)))
    });
    if hi > lo { (x - lo) / (hi - lo) } else { 0.0 }
}
