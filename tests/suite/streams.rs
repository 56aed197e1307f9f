//! Synchronised random numbers (issue: exploratory analysis that separates signal from
//! noise). Each mechanism draws from its own stream of the run seed, so a parameter that
//! changes one mechanism's draws leaves the others' in step, and common seeds pair runs
//! closely.
//!
//! Measure: for each outcome, Var(x − y) / (Var(x) + Var(y)) of the per-run outcome
//! indicators of two scenarios on common seeds (1 for independent runs, 0 for runs that
//! agree). 5,000 runs per arm give the ratio to about ±0.03 (its sampling error for
//! indicator variances near 0.1–0.25); the bound leaves that margin.

use crate::support;

use coopetition::outcome::Outcome;
use coopetition::sim::RunResult;
use support::*;

fn variance_ratio(a: &[RunResult], b: &[RunResult], o: Outcome) -> f64 {
    let x: Vec<f64> = a.iter().map(|r| f64::from(u8::from(r.outcome == o))).collect();
    let y: Vec<f64> = b.iter().map(|r| f64::from(u8::from(r.outcome == o))).collect();
    let var = |v: &[f64]| {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        v.iter().map(|z| (z - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64
    };
    let d: Vec<f64> = x.iter().zip(&y).map(|(p, q)| p - q).collect();
    var(&d) / (var(&x) + var(&y)).max(1e-300)
}

#[test]
fn common_seeds_pair_runs_across_a_regulatory_change() {
    let n = 5_000;
    let a = runs(&with(&["regulation.stringency=1.0"]), n, 5);
    let b = runs(&with(&["regulation.stringency=1.5"]), n, 5);
    let changed = a.iter().zip(&b).filter(|(x, y)| x.outcome != y.outcome).count();
    let mut worst: f64 = 0.0;
    for o in Outcome::ALL {
        let r = variance_ratio(&a, &b, o);
        println!(
            "FIGURE stringency 1.0 vs 1.5: {} paired/unpaired variance {r:.3}",
            o.as_str()
        );
        worst = worst.max(r);
    }
    println!("FIGURE stringency 1.0 vs 1.5: {changed} of {n} runs change outcome");
    // Issue 34, pattern 6: 0.3 for every outcome. Divestiture, the rarest, stays paired
    // because a case's findings and its acceptance of undertakings read one uniform kept for
    // the case (`Case::view`): a stricter authority finds harm wherever a laxer one does.
    assert!(worst <= 0.3, "largest paired/unpaired variance ratio {worst:.3}");
}
