//! Scenario discovery through `analyze`: PRIM recovers a box planted in a synthetic LHS
//! sweep and reports it in `prim_<outcome>.csv` and in words.

use std::fmt::Write;

use coopetition::analyze::{AnalyzeOptions, analyze};
use rand::{RngExt, SeedableRng};

/// 400 points uniform over stringency ∈ [0, 3] × migration cost ∈ [0, 3], 100 runs each;
/// a run ends in divestiture with probability 0.35 when stringency > 1.6 and migration
/// cost < 0.8, else 0.05. With `--prim divestiture>0.2` the points of interest are (up to
/// binomial noise: P(p̂ ≤ 0.2 | p = 0.35, n = 100) ≈ 0.1%) those in the box. Tolerance
/// on each edge 0.2 (6.7% of the range): one peel removes 5% of the box's points, and the
/// edge sits between sampled points about 3/400·(box share) apart.
#[test]
fn prim_recovers_a_planted_box() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(21);
    let (mut points, mut outcomes) = (
        String::from("point,regulation.stringency,cloud.migration_cost\n"),
        String::from("point,run,seed,outcome,outcome_tick\n"),
    );
    for i in 0..400 {
        let (s, m) = (3.0 * rng.random::<f64>(), 3.0 * rng.random::<f64>());
        let _ = writeln!(points, "{i},{s},{m}");
        let p = if s > 1.6 && m < 0.8 { 0.35 } else { 0.05 };
        for r in 0..100 {
            let o = if rng.random_bool(p) { "divestiture" } else { "symbiosis" };
            let _ = writeln!(outcomes, "{i},{r},{r},{o},12");
        }
    }
    std::fs::write(d.join("points.csv"), points).unwrap();
    std::fs::write(d.join("outcomes.csv"), outcomes).unwrap();
    let manifest = serde_json::json!({
        "kind": "sweep", "scenario_name": "planted", "master_seed": 21, "runs_per_point": 100,
        "sweep": { "design": "lhs", "samples": 400, "vary": [
            { "param": "regulation.stringency", "range": [0.0, 3.0] },
            { "param": "cloud.migration_cost", "range": [0.0, 3.0] }
        ]}
    });
    std::fs::write(d.join("manifest.json"), manifest.to_string()).unwrap();

    let opts = AnalyzeOptions {
        prim: vec!["divestiture>0.2".parse().unwrap()],
        ..AnalyzeOptions::default()
    };
    analyze(d, &opts).expect("analysis runs");
    let text = std::fs::read_to_string(d.join("analysis/prim_divestiture.csv")).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    assert_eq!(
        header[..8],
        [
            "target",
            "step",
            "points",
            "mass",
            "coverage",
            "density",
            "restricted",
            "chosen"
        ]
    );
    let reported: Vec<&str> = text
        .lines()
        .find(|l| l.split(',').nth(7) == Some("2"))
        .expect("a reported box")
        .split(',')
        .collect();
    let col = |name: &str| -> f64 {
        reported[header.iter().position(|h| *h == name).unwrap()]
            .parse()
            .unwrap()
    };
    println!(
        "box: stringency {}..{}, migration {}..{}; coverage {} density {}",
        col("regulation.stringency_lo"),
        col("regulation.stringency_hi"),
        col("cloud.migration_cost_lo"),
        col("cloud.migration_cost_hi"),
        col("coverage"),
        col("density")
    );
    assert!((col("regulation.stringency_lo") - 1.6).abs() < 0.2);
    assert!(
        col("regulation.stringency_hi") > 2.9,
        "upper edge of stringency is free"
    );
    assert!((col("cloud.migration_cost_hi") - 0.8).abs() < 0.2);
    assert!(
        col("cloud.migration_cost_lo") < 0.1,
        "lower edge of migration cost is free"
    );
    assert!(col("coverage") > 0.85 && col("density") > 0.85);
    assert!(d.join("analysis/prim_divestiture.svg").is_file());
    let report = std::fs::read_to_string(d.join("analysis/report.md")).unwrap();
    assert!(
        report.contains("when regulation.stringency ≥ ") && report.contains("cloud.migration_cost ≤ "),
        "{report}"
    );
}
