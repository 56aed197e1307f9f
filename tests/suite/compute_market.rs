//! Issue 33, a compute market that clears: clouds' capacity from capex programmes with lead
//! times, prices that follow scarcity (the fringe's fast, the hyperscalers' sticky),
//! utilisation below 1 in most runs with scarcity episodes in some, and capability that grows
//! with log compute (diminishing returns), not by an order of magnitude in 60 months.
//!
//! Statistical design: 400 baseline runs on a fixed seed (5), so the tests are deterministic.
//! A share of runs has a sampling error of at most √(0.25/400) = 2.5 pp, so every interval
//! below is at least 4 standard errors from the measured value (figures in the comments,
//! measured on 2,000 runs); each interval can fail both ways.

use coopetition::sim::RunResult;

use crate::support::{paired_z, runs, with};

const RUNS: u64 = 400;
const SEED: u64 = 5;
const MONTH: usize = 18;

fn share(rs: &[RunResult], f: impl Fn(&RunResult) -> bool) -> f64 {
    rs.iter().filter(|r| f(r)).count() as f64 / rs.len() as f64
}

fn quantile(mut v: Vec<f64>, q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * q).round() as usize]
}

/// (utilisation, price) of cloud `k` in month `month` (1-based).
fn cloud(r: &RunResult, month: usize, k: usize) -> (f64, f64) {
    let c = r.timeseries[month - 1].clouds[k];
    (c[1], c[2])
}

/// Pattern 4 of the issue. The investor is full (utilisation ≥ 0.999) at month 18 in at
/// most half the runs (measured 0.32), but in at least a tenth: the record has Microsoft
/// capacity-constrained for AI through 2024 and into 2025, so scarcity episodes belong in the
/// baseline. The GPU specialists' rental price falls from month 1 to month 18 in at least
/// half the runs (measured 0.83; record: H100 rental from about $8 an hour in 2023 to $2–3
/// by late 2024), but not in every run (at most 97%: the fringe is the market's buffer and
/// tightens when the hyperscalers are full). The investor's list price holds: its median
/// month-18/month-1 ratio lies in 0.85–1.1 (measured 0.96; the record: list prices hardly
/// moved until mid-2025).
#[test]
fn the_fringe_price_falls_while_hyperscaler_list_prices_hold() {
    let s = with(&[]);
    let names = s.cloud_names();
    let slot = |name: &str| names.iter().position(|n| *n == name).expect("cloud column");
    let (investor, other) = (slot("investor"), slot("other"));
    let rs = runs(&s, RUNS, SEED);
    let full = share(&rs, |r| cloud(r, MONTH, investor).0 >= 0.999);
    let other_falls = share(&rs, |r| cloud(r, MONTH, other).1 < cloud(r, 1, other).1);
    let investor_ratio = quantile(
        rs.iter()
            .map(|r| cloud(r, MONTH, investor).1 / cloud(r, 1, investor).1)
            .collect(),
        0.5,
    );
    let other_ratio = quantile(
        rs.iter()
            .map(|r| cloud(r, MONTH, other).1 / cloud(r, 1, other).1)
            .collect(),
        0.5,
    );
    println!(
        "FIGURE month {MONTH}: investor full in {full:.3} of runs; price_other below month 1 in {other_falls:.3} \
         (median ratio {other_ratio:.3}); investor's median price ratio {investor_ratio:.3}"
    );
    assert!((0.10..=0.50).contains(&full), "investor full in {full:.3} of runs");
    assert!(
        (0.50..=0.97).contains(&other_falls),
        "price_other falls in {other_falls:.3} of runs"
    );
    assert!(
        (0.5..1.0).contains(&other_ratio),
        "median price_other ratio {other_ratio:.3}"
    );
    assert!(
        (0.85..=1.10).contains(&investor_ratio),
        "median investor price ratio {investor_ratio:.3}"
    );
}

/// No cloud is pinned at full utilisation or at a price bound in most runs, and none is
/// idle: at month 18 every cloud is full in at most half the runs (measured at most 0.32)
/// and its median utilisation is 0.80–0.999 (measured 0.92–0.98: planned at 0.85, with the
/// record's scarcity on top); its price is at the floor or the cap in at most a tenth of the
/// runs (measured 0) and its median within 0.8–1.5 × the list price (measured 1.22–1.31: a
/// market still tight from 2023).
#[test]
fn no_cloud_is_pinned_at_a_bound() {
    let s = with(&[]);
    let (list, floor, cap) = (s.cloud.price_per_kgpu_month, s.cloud.price_floor, s.cloud.price_cap);
    let rs = runs(&s, RUNS, SEED);
    for (k, name) in s.cloud_names().iter().enumerate() {
        let full = share(&rs, |r| cloud(r, MONTH, k).0 >= 0.999);
        let bound = share(&rs, |r| {
            let p = cloud(r, MONTH, k).1 / list;
            p <= floor * (1.0 + 1e-6) || p >= cap * (1.0 - 1e-6)
        });
        let util = quantile(rs.iter().map(|r| cloud(r, MONTH, k).0).collect(), 0.5);
        let price = quantile(rs.iter().map(|r| cloud(r, MONTH, k).1 / list).collect(), 0.5);
        println!(
            "FIGURE {name}: month {MONTH} full in {full:.3} of runs, median utilisation {util:.3}, \
             median price {price:.3} × list, at a bound in {bound:.3}"
        );
        assert!(full <= 0.5, "{name} full in {full:.3} of runs");
        assert!((0.80..0.999).contains(&util), "{name} median utilisation {util:.3}");
        assert!(bound <= 0.1, "{name} price at a bound in {bound:.3} of runs");
        assert!((0.8..=1.5).contains(&price), "{name} median price {price:.3} × list");
    }
}

/// The lab's capability multiplier over the start (lab = 1): at month 60 the median lies in
/// ×1.5–×5 (measured ×2.1) and the 95th percentile below ×8 (measured ×2.5), where growth in
/// the level of compute compounding at 9% a month once gave ×17 (p95 ×41); at month 18 the
/// median lies in ×1.1–×2 (measured ×1.29). 200 runs: the median's sampling error is far
/// below these widths.
#[test]
fn capability_grows_with_log_compute_over_60_months() {
    let s = with(&["horizon_months=60"]);
    let start = s.companies[0].capability;
    let rs = runs(&s, 200, SEED);
    let at = |month: usize| -> Vec<f64> {
        rs.iter()
            .map(|r| r.timeseries[month - 1].lab_capability / start)
            .collect()
    };
    let (m18, m60) = (quantile(at(18), 0.5), quantile(at(60), 0.5));
    let p95 = quantile(at(60), 0.95);
    println!("FIGURE lab capability multiplier: month 18 median {m18:.2}; month 60 median {m60:.2}, p95 {p95:.2}");
    assert!((1.1..=2.0).contains(&m18), "month 18 median ×{m18:.2}");
    assert!((1.5..=5.0).contains(&m60), "month 60 median ×{m60:.2}");
    assert!((m60..=8.0).contains(&p95), "month 60 p95 ×{p95:.2}");
}

/// Diminishing returns: halving the growth of the lab's training compute (9% to 4.5% a
/// month, its 60-month compute ×170 to ×14) lowers its month-60 capability (paired z ≥ 3 on
/// log capability), but by far less than in proportion: log capability scales with the log
/// of effective compute, so the ratio of the two medians lies in 1.05–1.6 (measured 1.10).
#[test]
fn more_compute_raises_capability_with_diminishing_returns() {
    let fast = runs(&with(&["horizon_months=60"]), 200, SEED);
    let slow = runs(&with(&["horizon_months=60", "cloud.training_growth=0.045"]), 200, SEED);
    let log_cap = |rs: &[RunResult]| -> Vec<f64> { rs.iter().map(|r| r.last().unwrap().lab_capability.ln()).collect() };
    let (a, b) = (log_cap(&fast), log_cap(&slow));
    let z = paired_z(&a, &b);
    let ratio = (quantile(a.clone(), 0.5) - quantile(b.clone(), 0.5)).exp();
    println!("FIGURE month-60 capability, training growth 9% over 4.5% a month: ratio of medians {ratio:.3}, z {z:.1}");
    assert!(z >= 3.0, "z = {z:.2}");
    assert!((1.05..=1.6).contains(&ratio), "ratio {ratio:.3}");
}
