//! The cloud capacity market binds (issue: compute that binds).
//!
//! Statistical design: 2,000 baseline runs per arm on common seeds (CRN). Paired tests use
//! the per-run difference of a run-level statistic and assert z = mean/SE ≥ 3; shares are
//! compared as medians over runs with the tolerances the issue states (±3 pp at month 1,
//! ±6 pp drift by month 18). Seeds are fixed, so the tests are deterministic.

use coopetition::sim::{RunResult, Simulator, run_seed};

use crate::support;
use support::*;

const RUNS: u64 = 2_000;
const SEED: u64 = 12;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn mean_shortfall(r: &RunResult) -> f64 {
    r.timeseries.iter().map(|m| m.lab_compute_shortfall).sum::<f64>() / r.timeseries.len() as f64
}

/// Starting shares of cloud compute revenue chosen from the public record: Synergy Research
/// Group, Q1 2024 cloud infrastructure (AWS 31%, Azure 25%, Google 11%, others 33%).
const RECORD: [(&str, f64); 4] = [("investor", 0.25), ("google", 0.11), ("amazon", 0.31), ("other", 0.33)];

#[test]
fn cloud_shares_start_at_the_record_and_stay_near_it() {
    let s = with(&[]);
    let names = s.cloud_names();
    let results = runs(&s, RUNS, SEED);
    for (name, record) in RECORD {
        let k = names.iter().position(|n| *n == name).expect("cloud column");
        let at = |month: usize| median(results.iter().map(|r| r.timeseries[month].clouds[k][0]).collect());
        let month1 = at(0);
        let months = results[0].timeseries.len();
        let drift = (1..months).map(|t| (at(t) - month1).abs()).fold(0.0, f64::max);
        let month18 = at(months - 1);
        println!(
            "cloud_share_{name}: record {record:.3}, month 1 {month1:.3}, month 18 {month18:.3}, largest drift of the median {drift:.3}"
        );
        assert!(
            (month1 - record).abs() <= 0.03,
            "{name} month 1 {month1:.3} vs {record}"
        );
        // The issue asks for month 18 within ±6 pp; the whole path is held to it as well.
        assert!(drift <= 0.06, "{name} drifts up to {drift:.3} from {month1:.3}");
    }
    for r in results.iter().take(200) {
        for m in &r.timeseries {
            let total: f64 = m.clouds.iter().map(|c| c[0]).sum();
            assert!((total - 1.0).abs() < 1e-9, "cloud shares sum to {total}");
            assert!(
                m.clouds
                    .iter()
                    .all(|c| (0.0..=1.0 + 1e-12).contains(&c[1]) && c[2] > 0.0)
            );
        }
    }
}

#[test]
fn exclusivity_makes_the_lab_short_of_compute() {
    let exclusive = runs(&with(&[]), RUNS, SEED);
    let free = runs(&with(&["partnership.exclusivity=none"]), RUNS, SEED);
    // A material shortfall: at least 1% of the lab's demanded compute unmet in some month
    // (rounding dust does not count). Since the compute market clears (issue 33: capacity
    // from compounding build programmes, prices that respond) scarcity is an episode of
    // some runs, not of most: measured 0.049 at this seed (0.12 before issue 34's settled
    // talks loosened exclusivity early in many runs; 0.28 when every cloud saturated).
    // With 2,000 runs the standard error is about 0.005, so the interval [0.02, 0.6] fails
    // both when the lab is never short and when it is short in most runs.
    let short_runs = exclusive
        .iter()
        .filter(|r| r.timeseries.iter().any(|m| m.lab_compute_shortfall >= 0.01))
        .count() as f64
        / RUNS as f64;
    let a: Vec<f64> = exclusive.iter().map(mean_shortfall).collect();
    let b: Vec<f64> = free.iter().map(mean_shortfall).collect();
    let z = paired_z(&a, &b);
    println!(
        "runs with a shortfall of 1% or more: {short_runs:.3}; mean monthly shortfall exclusive {:.4}, none {:.4}, z {z:.1}",
        a.iter().sum::<f64>() / RUNS as f64,
        b.iter().sum::<f64>() / RUNS as f64
    );
    assert!(
        (0.02..=0.6).contains(&short_runs),
        "{short_runs:.3} of baseline runs ever fall short"
    );
    assert!(z >= 3.0, "exclusive vs none: z = {z:.2}");
    for r in &exclusive {
        assert!(
            r.timeseries
                .iter()
                .all(|m| (0.0..=1.0).contains(&m.lab_compute_shortfall))
        );
    }
}

#[test]
fn a_compute_shortfall_drives_renegotiation_of_exclusivity() {
    // A smaller investor build programme leaves the lab shorter of compute; the lab then
    // presses to loosen exclusivity (renegotiations citing the shortfall).
    let count = |rs: &[RunResult]| -> Vec<f64> {
        rs.iter()
            .map(|r| {
                r.events
                    .iter()
                    .filter(|e| e.kind == "renegotiation" && e.detail.contains("compute shortfall"))
                    .count() as f64
            })
            .collect()
    };
    let tight = runs(&with(&["companies.1.build_rate=0.03"]), RUNS, SEED);
    let base = runs(&with(&[]), RUNS, SEED);
    let (a, b) = (count(&tight), count(&base));
    let z = paired_z(&a, &b);
    println!(
        "renegotiations over a shortfall per run: build_rate 0.03 {:.3}, 0.065 {:.3}, z {z:.1}",
        a.iter().sum::<f64>() / RUNS as f64,
        b.iter().sum::<f64>() / RUNS as f64
    );
    assert!(z >= 3.0, "z = {z:.2}");
}

#[test]
fn costlier_migration_means_less_migrated_compute() {
    // Without exclusivity the lab migrates whenever tension is high; cost deters it.
    let cheap = runs(
        &with(&["partnership.exclusivity=none", "cloud.migration_cost=0.3"]),
        RUNS,
        SEED,
    );
    let dear = runs(
        &with(&["partnership.exclusivity=none", "cloud.migration_cost=3"]),
        RUNS,
        SEED,
    );
    let a: Vec<f64> = cheap.iter().map(|r| r.last().unwrap().lab_migrated_compute).collect();
    let b: Vec<f64> = dear.iter().map(|r| r.last().unwrap().lab_migrated_compute).collect();
    let z = paired_z(&a, &b);
    println!(
        "migrated kGPU by month 18: cost 0.3 {:.1}, cost 3 {:.1}, z {z:.1}",
        a.iter().sum::<f64>() / RUNS as f64,
        b.iter().sum::<f64>() / RUNS as f64
    );
    assert!(z >= 3.0, "z = {z:.2}");
}

#[test]
fn a_larger_investor_build_programme_lowers_the_shortfall() {
    let base = runs(&with(&[]), RUNS, SEED);
    let more = runs(&with(&["companies.1.build_rate=0.1"]), RUNS, SEED);
    let a: Vec<f64> = base.iter().map(mean_shortfall).collect();
    let b: Vec<f64> = more.iter().map(mean_shortfall).collect();
    let z = paired_z(&a, &b);
    println!(
        "mean monthly shortfall: build_rate 0.065 {:.4}, 0.1 {:.4}, z {z:.1}",
        a.iter().sum::<f64>() / RUNS as f64,
        b.iter().sum::<f64>() / RUNS as f64
    );
    assert!(z >= 3.0, "z = {z:.2}");
}

#[test]
fn a_build_start_costs_the_lab_no_cash_that_month() {
    // The same seeds with and without the lab's own builds share their random numbers up to
    // the first build start (a probability of 0 still consumes its draw), so the lab's cash at
    // that month must be identical: builds are financed and paid over their life. The lab is
    // made cash-poor (6 $bn of capital, a 4-month runway before a round; with less it cannot
    // afford a build at all since #33 stopped compute growth on negative cash) and
    // builds start at a monthly 0.3, so that starts spread over the months; the investor bids whenever
    // it may, so the weak-cash test is live around the build months: a build booked as one
    // month's burn would make the lab "short of cash" in its start month.
    let poor = [
        "partnership.fundraise_runway_months=4",
        "companies.0.capital=6",
        "partnership.bid_propensity=1",
        "partnership.exclusivity=none",
    ];
    let building = with(&[&poor[..], &["cloud.build_propensity=0.3"]].concat());
    let never = with(&[&poor[..], &["cloud.build_propensity=0"]].concat());
    let short = |res: &RunResult, tick: u32| {
        res.events
            .iter()
            .any(|e| e.tick == tick && e.detail.contains("short of cash"))
    };
    let mut sim = Simulator::new();
    let (mut checked, mut later_starts, mut ever_short) = (0, 0, 0);
    for r in 0..300 {
        let seed = run_seed(SEED, 0, r);
        let a = sim.run(&building, seed).unwrap();
        let b = sim.run(&never, seed).unwrap();
        ever_short += usize::from(b.events.iter().any(|e| e.detail.contains("short of cash")));
        let Some(start) = a.events.iter().find(|e| e.kind == "build_start").map(|e| e.tick) else {
            continue;
        };
        let month = start as usize - 1;
        assert_eq!(
            a.timeseries[month].lab_capital, b.timeseries[month].lab_capital,
            "seed {seed}: a build start in month {start} changed the lab's cash"
        );
        assert_eq!(
            short(&a, start),
            short(&b, start),
            "seed {seed}: a build start in month {start} made the lab short of cash"
        );
        checked += 1;
        later_starts += usize::from(start > 1);
    }
    println!(
        "{checked} runs with a build start ({later_starts} after month 1); {ever_short} of 300 runs have a short-of-cash bid"
    );
    assert!(checked >= 100, "only {checked} runs started a build");
    assert!(later_starts >= 50, "only {later_starts} first builds after month 1");
    assert!(
        ever_short >= 15,
        "the weak-cash test is not live: {ever_short} of 300 runs"
    );
}
