//! The partnership as bargaining (issue: bargaining, two routes to acquisition, dynamics
//! that hold beyond 18 months).
//!
//! Statistical design: fixed seeds; paired tests run both arms on common seeds and assert
//! z = mean difference / SE ≥ 3 on a run-level statistic; shares use ≥ 3,000 runs, so a
//! share near 0.5 has a standard error under 1 pp.

use coopetition::outcome::Outcome;
use coopetition::sim::{RunResult, Simulator, run_seed};

use crate::support;
use support::*;

const SEED: u64 = 11;

fn indicator(rs: &[RunResult], o: Outcome) -> Vec<f64> {
    rs.iter().map(|r| f64::from(u8::from(r.outcome == o))).collect()
}

/// A month histogram of the outcome's deciding month, in 3-month bins.
fn histogram(rs: &[RunResult], o: Outcome, horizon: u32) -> Vec<usize> {
    let mut bins = vec![0; horizon.div_ceil(3) as usize];
    for r in rs.iter().filter(|r| r.outcome == o) {
        bins[((r.outcome_tick.max(1) - 1) / 3) as usize] += 1;
    }
    bins
}

/// Monthly hazard of `o` over months a..=b: its runs decided in those months ÷ the
/// run-months still undecided at the start of each month.
fn hazard(rs: &[RunResult], o: Outcome, a: u32, b: u32) -> f64 {
    let (mut events, mut at_risk) = (0usize, 0usize);
    for m in a..=b {
        at_risk += rs
            .iter()
            .filter(|r| r.outcome == Outcome::Symbiosis || r.outcome_tick >= m)
            .count();
        events += rs.iter().filter(|r| r.outcome == o && r.outcome_tick == m).count();
    }
    events as f64 / at_risk.max(1) as f64
}

#[test]
fn a_run_up_to_its_horizon_does_not_depend_on_the_horizon() {
    // The same seed at horizons 18 and 36 must agree month for month through month 18:
    // nothing looks ahead to the horizon (a pending bid, a contract's end, a round).
    let s18 = with(&[]);
    let s36 = with(&["horizon_months=36"]);
    let mut sim = Simulator::new();
    for r in 0..300 {
        let seed = run_seed(SEED, 2, r);
        let (a, b) = (sim.run(&s18, seed).unwrap(), sim.run(&s36, seed).unwrap());
        assert_eq!(
            a.timeseries[..],
            b.timeseries[..18],
            "run {r}: metrics differ by month 18"
        );
        let early: Vec<_> = b.events.iter().filter(|e| e.tick <= 18).cloned().collect();
        assert_eq!(a.events, early, "run {r}: events differ by month 18");
        if a.outcome != Outcome::Symbiosis && a.outcome_tick < 18 {
            // Decided before the horizon: the longer run saw the same deciding event.
            assert!(
                b.outcome != Outcome::Symbiosis,
                "run {r}: {:?} vanished at 36",
                a.outcome
            );
        }
    }
}

#[test]
fn decoupling_is_gradual_and_its_hazard_does_not_fall() {
    // Issue 34, pattern 1. 3,000 runs: at 25% decoupling (750 runs) a share's standard
    // error is under 2 pp and the period hazards' under 0.1 pp a month.
    let rs = runs(&with(&[]), 3_000, SEED);
    let dec: Vec<&RunResult> = rs.iter().filter(|r| r.outcome == Outcome::Decoupling).collect();
    let break_ups = dec.iter().filter(|r| r.outcome_route == "break_up").count();
    let gradual = dec.iter().filter(|r| r.outcome_route == "gradual").count();
    let mut months: Vec<u32> = dec.iter().map(|r| r.outcome_tick).collect();
    months.sort_unstable();
    let median = months.get(months.len() / 2).copied().unwrap_or(0);
    let (h1, h2, h3) = (
        hazard(&rs, Outcome::Decoupling, 1, 6),
        hazard(&rs, Outcome::Decoupling, 7, 12),
        hazard(&rs, Outcome::Decoupling, 13, 18),
    );
    println!(
        "decouplings {}: gradual {gradual}, break-up {break_ups}; median month {median}; hazard %/month {:.2} / {:.2} / {:.2}",
        dec.len(),
        100.0 * h1,
        100.0 * h2,
        100.0 * h3
    );
    assert_eq!(gradual + break_ups, dec.len(), "every decoupling has a route");
    assert!(break_ups as f64 <= 0.3 * dec.len() as f64, "break-ups {break_ups}");
    // Gradual: not in the first months, and not all piled on the horizon either.
    assert!((9..=17).contains(&median), "median month {median}");
    assert!(h3 >= 0.7 * h1, "hazard falls: {h1:.4} -> {h3:.4}");
    assert!((0.005..=0.05).contains(&h3), "hazard in months 13-18 {h3:.4}");
}

#[test]
fn the_revenue_share_holds_and_moves_only_for_a_reason() {
    // Issue 34, pattern 2: the 20% share of the record survives 18 months (median >= 0.15)
    // without being frozen (some talks move it) or driven to a bound.
    let rs = runs(&with(&[]), 2_000, SEED);
    let mut last: Vec<f64> = rs.iter().map(|r| r.last().unwrap().revenue_share).collect();
    let start = with(&[]).products.lab_revenue_share;
    last.sort_by(f64::total_cmp);
    let median = last[last.len() / 2];
    let at_bound = last.iter().filter(|&&x| x <= 1e-6 || x >= 1.0 - 1e-6).count() as f64 / last.len() as f64;
    let moved = last.iter().filter(|&&x| (x - start).abs() > 1e-9).count() as f64 / last.len() as f64;
    println!(
        "revenue share: at the start {start:.3}, month 18 median {median:.3}, p10 {:.3}, p90 {:.3}; at a bound {:.1}%, moved {:.1}%",
        last[last.len() / 10],
        last[last.len() * 9 / 10],
        100.0 * at_bound,
        100.0 * moved
    );
    assert!((0.15..=0.35).contains(&median), "median {median:.3}");
    assert!(at_bound <= 0.2, "at a bound in {:.1}% of runs", 100.0 * at_bound);
    assert!((0.05..=0.95).contains(&moved), "moved in {:.1}% of runs", 100.0 * moved);
}

#[test]
fn governance_noise_alone_does_not_break_the_partnership_up() {
    // A break-up needs continuing to be worth less than the outside option; tripling the
    // governance noise (the drift of the safety and pace gaps) must not make it common.
    let n = 2_000;
    let base = runs(&with(&[]), n, SEED);
    let noisy_set = format!(
        "governance.gap_volatility={}",
        3.0 * with(&[]).governance.gap_volatility
    );
    let noisy = runs(&with(&[&noisy_set]), n, SEED);
    let break_ups = |rs: &[RunResult]| rs.iter().filter(|r| r.outcome_route == "break_up").count();
    println!(
        "break-ups: baseline {}, gap volatility x3 {}",
        break_ups(&base),
        break_ups(&noisy)
    );
    assert!(break_ups(&base) as f64 <= 0.01 * n as f64);
    assert!(break_ups(&noisy) as f64 <= 0.02 * n as f64);
}

#[test]
fn a_break_up_happens_for_an_economic_reason() {
    // Five years without exclusivity, cheap migration and the investor's products
    // contesting all of the lab's usage: the joint surplus can turn negative, or the lab do
    // better outside even at a revenue share of 0, and then (only then) the partners part.
    let sets = BREAK_UP;
    let rs = runs(&with(sets), 1_000, SEED);
    let dissolutions: Vec<_> = rs
        .iter()
        .flat_map(|r| r.events.iter().filter(|e| e.kind == "dissolution"))
        .collect();
    let break_ups = rs.iter().filter(|r| r.outcome_route == "break_up").count();
    println!(
        "dissolutions {} in 1,000 runs; break-ups {break_ups}",
        dissolutions.len()
    );
    // Five years of full overlap and costly disputes: most partnerships end, and those
    // whose partners still gain (the lab's compute and the investor's margin) do not: at
    // least 1%, and not every run (measured 668 of 1,000).
    assert!(
        (10..=900).contains(&dissolutions.len()),
        "dissolutions {}",
        dissolutions.len()
    );
    for e in dissolutions {
        // Either no transfer can keep both (a negative joint surplus), or the one transfer,
        // the revenue share, is at its bound and a side still does better outside. The sign
        // survives rounding: a tiny negative surplus prints as -0.000.
        let negative = |x: &str| x.starts_with('-') && x[1..].parse::<f64>().is_ok();
        let ok = if let Some(rest) = e.detail.strip_prefix("joint surplus ") {
            negative(rest.split(' ').next().unwrap())
        } else if let Some((_, rest)) = e.detail.split_once("(surpluses ") {
            let mut sides = rest.split(' ');
            let (lab, investor) = (sides.next().unwrap(), sides.nth(1).unwrap());
            negative(lab) || negative(investor)
        } else {
            false
        };
        assert!(ok, "{}", e.detail);
    }
    let calm = runs(&with(&sets[..1]), 1_000, SEED);
    let calm_dissolutions = calm
        .iter()
        .filter(|r| r.events.iter().any(|e| e.kind == "dissolution"))
        .count();
    println!("the baseline at 60 months: {calm_dissolutions} runs with a dissolution");
    assert!(
        calm_dissolutions * 3 <= break_ups.max(1),
        "baseline at 60 months: {calm_dissolutions}"
    );
}

#[test]
fn both_routes_to_acquisition_occur_and_exits_spread_over_the_horizon() {
    let rs = runs(&with(&[]), 5_000, SEED);
    let acquired: Vec<&RunResult> = rs.iter().filter(|r| r.outcome == Outcome::Acquisition).collect();
    let by_absorption = acquired
        .iter()
        .filter(|r| r.events.iter().any(|e| e.kind == "absorption"))
        .count();
    let by_bid = acquired
        .iter()
        .filter(|r| r.events.iter().any(|e| e.kind == "acquisition"))
        .count();
    println!(
        "acquisitions {}: by bid {by_bid}, by absorption {by_absorption}",
        acquired.len()
    );
    assert_eq!(by_bid + by_absorption, acquired.len(), "every acquisition has a route");
    assert!(by_bid as f64 >= 0.1 * acquired.len() as f64, "bids: {by_bid}");
    assert!(
        by_absorption as f64 >= 0.1 * acquired.len() as f64,
        "absorptions: {by_absorption}"
    );
    for o in [Outcome::Acquisition, Outcome::Decoupling] {
        let h = histogram(&rs, o, 18);
        let total: usize = h.iter().sum();
        println!("{} by quarter (months 1-3, 4-6, ...): {h:?}", o.as_str());
        assert!(total > 0, "no {}", o.as_str());
        // Spread: no quarter holds more than 60% of an outcome's runs.
        assert!(
            h.iter().all(|&c| (c as f64) <= 0.6 * total as f64),
            "{} bunches: {h:?}",
            o.as_str()
        );
    }
    // A divestiture is a review (at least 6 months) and a separation (6 more), so it
    // falls in months 13–18 and two quarters; issue 34 asks that no month hold more than
    // 35% of them (over 100 divestitures, a month's share has a standard error near 4 pp).
    let mut h = [0usize; 18];
    for r in rs.iter().filter(|r| r.outcome == Outcome::Divestiture) {
        h[(r.outcome_tick.clamp(1, 18) - 1) as usize] += 1;
    }
    let total: usize = h.iter().sum();
    println!("divestiture by month: {h:?}");
    assert!(total >= 50, "divestitures {total}");
    assert!(
        h.iter().all(|&c| (c as f64) <= 0.35 * total as f64),
        "divestiture bunches: {h:?}"
    );
}

#[test]
fn more_crises_mean_more_acquisition() {
    let n = 2_000;
    let calm = runs(&with(&["governance.crisis_rate=0.01"]), n, SEED);
    let stormy = runs(&with(&["governance.crisis_rate=0.1"]), n, SEED);
    let z = paired_z(
        &indicator(&stormy, Outcome::Acquisition),
        &indicator(&calm, Outcome::Acquisition),
    );
    println!(
        "acquisition: crisis rate 0.01 {:.3}, 0.1 {:.3}, z {z:.1}",
        share(&calm, Outcome::Acquisition),
        share(&stormy, Outcome::Acquisition)
    );
    assert!(z >= 3.0, "z = {z:.2}");
}

#[test]
fn cheaper_alternative_compute_means_more_decoupling() {
    let n = 2_000;
    let cheap = runs(&with(&["cloud.migration_cost=0.2"]), n, SEED);
    let dear = runs(&with(&["cloud.migration_cost=3"]), n, SEED);
    let z = paired_z(
        &indicator(&cheap, Outcome::Decoupling),
        &indicator(&dear, Outcome::Decoupling),
    );
    println!(
        "decoupling: migration cost 0.2 {:.3}, 3 {:.3}, z {z:.1}",
        share(&cheap, Outcome::Decoupling),
        share(&dear, Outcome::Decoupling)
    );
    assert!(z >= 3.0, "z = {z:.2}");
}

#[test]
fn a_settled_renegotiation_lowers_tension_for_months() {
    // Same seeds with and without renegotiation: identical until the first renegotiation
    // (the probability consumes its draw either way), so the runs are matched.
    let with_talks = with(&[]);
    let without = with(&["partnership.renegotiate_rate=0"]);
    let mut sim = Simulator::new();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for r in 0..3_000 {
        let seed = run_seed(SEED, 1, r);
        let x = sim.run(&with_talks, seed).unwrap();
        let Some(t) = x
            .events
            .iter()
            .find(|e| e.kind == "renegotiation" && e.detail.starts_with("exclusivity"))
            .map(|e| e.tick as usize)
        else {
            continue;
        };
        if t + 6 > x.timeseries.len() {
            continue;
        }
        let y = sim.run(&without, seed).unwrap();
        let mean = |res: &RunResult| res.timeseries[t..t + 6].iter().map(|m| m.tension).sum::<f64>() / 6.0;
        a.push(mean(&x));
        b.push(mean(&y));
    }
    let z = paired_z(&b, &a);
    println!(
        "{} settled renegotiations; tension over the next 6 months {:.3} vs {:.3} without, z {z:.1}",
        a.len(),
        a.iter().sum::<f64>() / a.len().max(1) as f64,
        b.iter().sum::<f64>() / b.len().max(1) as f64
    );
    assert!(a.len() >= 30, "only {} renegotiations", a.len());
    assert!(z >= 3.0, "z = {z:.2}");
}

#[test]
fn settled_grievances_make_a_lasting_regime() {
    // boundary_step 0: talks only loosen exclusivity; 1: a settlement clears the present
    // grievance. Mean tension over the last 6 months and symbiosis, on common seeds.
    let n = 2_000;
    let none = runs(&with(&["partnership.boundary_step=0"]), n, SEED);
    let full = runs(&with(&["partnership.boundary_step=1"]), n, SEED);
    let late = |rs: &[RunResult]| -> Vec<f64> {
        rs.iter()
            .map(|r| {
                r.timeseries[r.timeseries.len() - 6..]
                    .iter()
                    .map(|m| m.tension)
                    .sum::<f64>()
                    / 6.0
            })
            .collect()
    };
    let (t0, t1) = (late(&none), late(&full));
    let z_tension = paired_z(&t0, &t1);
    let z_symbiosis = paired_z(
        &indicator(&full, Outcome::Symbiosis),
        &indicator(&none, Outcome::Symbiosis),
    );
    println!(
        "boundary_step 0 -> 1: tension over months 13-18 {:.3} -> {:.3} (z {z_tension:.1}); symbiosis {:.3} -> {:.3} (z {z_symbiosis:.1})",
        t0.iter().sum::<f64>() / n as f64,
        t1.iter().sum::<f64>() / n as f64,
        share(&none, Outcome::Symbiosis),
        share(&full, Outcome::Symbiosis)
    );
    assert!(z_tension >= 3.0, "tension z = {z_tension:.2}");
    assert!(z_symbiosis >= 3.0, "symbiosis z = {z_symbiosis:.2}");
}
