//! Helpers shared by the statistical model tests: scenarios, batches of runs on fixed
//! seeds, shares and paired z statistics.
#![allow(dead_code)]

use coopetition::montecarlo::thread_pool;
use coopetition::outcome::Outcome;
use coopetition::scenario::{Scenario, apply_override};
use coopetition::sim::{RunResult, Simulator, run_seed};
use rayon::prelude::*;

/// Where the partners' joint surplus can turn negative: five years without exclusivity,
/// cheap migration, and the investor's products contesting all of the lab's usage, with
/// disputes at their full cost (a break-up for an economic reason, MODEL.md §7.7).
pub const BREAK_UP: &[&str] = &[
    "horizon_months=60",
    "partnership.exclusivity=none",
    "cloud.migration_cost=0.2",
    "partnership.clash_cost=1",
    "products.overlap=1",
    "partnership.tension_cost=1",
];

/// The calibrated baseline (the default scenario) with `--set`-style overrides.
pub fn with(sets: &[&str]) -> Scenario {
    let mut s = Scenario::default();
    for set in sets {
        s = apply_override(&s, set).unwrap_or_else(|e| panic!("{e}"));
    }
    s
}

/// Runs 0..n of `s` with the seeds of `master` (point 0), in run order.
pub fn runs(s: &Scenario, n: u64, master: u64) -> Vec<RunResult> {
    thread_pool(0).unwrap().install(|| {
        (0..n)
            .into_par_iter()
            .map_init(Simulator::new, |sim, r| sim.run(s, run_seed(master, 0, r)).unwrap())
            .collect()
    })
}

/// Share of runs ending in `o`.
pub fn share(rs: &[RunResult], o: Outcome) -> f64 {
    rs.iter().filter(|r| r.outcome == o).count() as f64 / rs.len() as f64
}

/// z statistic of the mean of paired differences a − b.
pub fn paired_z(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    mean / (var / n).sqrt().max(1e-300)
}
