//! `design = "posterior"` sweeps (a calibration's `posterior.csv` resampled by weight) and
//! their analysis: outcome probabilities with parameter uncertainty (`posterior.csv` in
//! `analysis/`).

use crate::common;
use common::*;

use std::fmt::Write;
use std::path::Path;

const OUTCOMES: [&str; 4] = ["symbiosis", "decoupling", "acquisition", "divestiture"];

/// Two particles, 0.75 / 0.25, on `regulation.stringency` 0.5 and 2.0.
const POSTERIOR: &str = "particle,weight,distance,regulation.stringency\n0,0.75,0.84,0.5\n1,0.25,1.2,2.0\n";

fn sweep_text(seed: u64, posterior: &str, extra: &str) -> String {
    format!(
        "[sweep]\nscenario = \"baseline\"\nruns_per_point = 50\nseed = {seed}\ndesign = \"posterior\"\n\
         posterior = \"{posterior}\"\nsamples = 8\n{extra}"
    )
}

/// A CSV file as rows of cells (header first).
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    String::from_utf8(read(path))
        .unwrap()
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

fn column(rows: &[Vec<String>], name: &str) -> usize {
    rows[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", rows[0]))
}

#[test]
fn posterior_sweep_resamples_by_weight_and_analyze_splits_the_spread() {
    let t = tmp();
    // The sweep file and its posterior in a subdirectory; run from elsewhere, so the
    // relative `posterior` path must be resolved against the sweep file's directory.
    let cal = t.path().join("cal");
    std::fs::create_dir(&cal).unwrap();
    write(&cal, "posterior.csv", POSTERIOR);
    let f = write(&cal, "post.toml", &sweep_text(11, "posterior.csv", ""));
    let a = t.path().join("a");
    let o = run_in(t.path(), &["sweep", s(&f), "--out", s(&a), "--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    let points = String::from_utf8(read(a.join("points.csv"))).unwrap();
    let mut lines = points.lines();
    assert_eq!(lines.next(), Some("point,regulation.stringency"));
    let values: Vec<&str> = lines.map(|l| l.split(',').nth(1).unwrap()).collect();
    // Systematic resampling: exactly 6 and 2 draws, in particle order.
    assert_eq!(values, ["0.5", "0.5", "0.5", "0.5", "0.5", "0.5", "2.0", "2.0"]);
    let manifest: serde_json::Value = serde_json::from_slice(&read(a.join("manifest.json"))).unwrap();
    assert_eq!(manifest["sweep"]["design"], "posterior");
    assert_eq!(manifest["sweep"]["posterior"], "posterior.csv");

    // Same posterior, seed and samples: the same points (and results), byte for byte.
    let b = t.path().join("b");
    let o = run(&["sweep", s(&f), "--out", s(&b), "--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_same(&a, &b);

    let o = run(&["analyze", s(&a)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("Outcome probabilities with parameter uncertainty"),
        "{out}"
    );
    assert!(out.contains("Monte Carlo noise"), "{out}");
    let report = String::from_utf8(read(a.join("analysis/report.md"))).unwrap();
    assert!(report.contains("## Outcome probabilities with parameter uncertainty"));
    let html = String::from_utf8(read(a.join("analysis/report.html"))).unwrap();
    assert!(html.contains("Outcome probabilities with parameter uncertainty"));

    let post = csv_rows(&a.join("analysis/posterior.csv"));
    assert_eq!(
        post[0].join(","),
        "outcome,p,mc_lo,mc_hi,param_lo,param_hi,total_lo,total_hi,var_total,var_mc,var_param,share_param"
    );
    assert_eq!(post.len(), 5, "{post:?}");
    let summary = csv_rows(&a.join("summary.csv"));
    assert_eq!(summary.len(), 9);
    let mut p_sum = 0.0;
    for (row, o) in post[1..].iter().zip(OUTCOMES) {
        assert_eq!(row[0], o);
        let x = |name: &str| -> f64 { row[column(&post, name)].parse().unwrap() };
        let c = column(&summary, &format!("p_{o}"));
        let mean = summary[1..].iter().map(|r| r[c].parse::<f64>().unwrap()).sum::<f64>() / 8.0;
        assert!(
            (x("p") - mean).abs() < 1e-6,
            "{o}: p {} vs mean of points {mean}",
            x("p")
        );
        p_sum += x("p");
        let share = x("share_param");
        assert!((0.0..=1.0).contains(&share), "{o}: share {share}");
        assert!(x("var_param") >= 0.0 && x("var_param") <= x("var_total") + 1e-12);
        assert!((x("var_param") - (x("var_total") - x("var_mc")).max(0.0)).abs() < 1e-6);
        for (lo, hi) in [("mc_lo", "mc_hi"), ("param_lo", "param_hi"), ("total_lo", "total_hi")] {
            assert!(0.0 <= x(lo) && x(lo) <= x(hi) && x(hi) <= 1.0, "{o}: {lo}..{hi}");
        }
    }
    assert!((p_sum - 1.0).abs() < 1e-5);
}

#[test]
fn posterior_errors_name_the_file_line_and_column() {
    let t = tmp();
    let d = t.path();
    let sweep = |name: &str, posterior: &str, extra: &str| {
        let f = write(d, name, &sweep_text(1, posterior, extra));
        run(&["sweep", s(&f), "--out", s(&d.join("out")), "--quiet", "--force"])
    };

    let o = sweep("missing.toml", "nowhere.csv", "");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("nowhere.csv") && stderr(&o).contains("cannot read"),
        "{}",
        stderr(&o)
    );

    write(
        d,
        "bad-weight.csv",
        "particle,weight,distance,regulation.stringency\n0,0.5,1,0.5\n1,heavy,1,2.0\n",
    );
    let o = sweep("bad-weight.toml", "bad-weight.csv", "");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("bad-weight.toml:6:1: field `sweep.posterior`"), "{e}");
    assert!(
        e.contains("bad-weight.csv, line 3, column 2 (`weight`): `heavy` is not a number"),
        "{e}"
    );

    write(
        d,
        "unknown.csv",
        "particle,weight,distance,regulation.stringency,partnership.no_such_knob\n0,1,1,0.5,1\n",
    );
    let o = sweep("unknown.toml", "unknown.csv", "");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("unknown.csv, line 1, column 5 (`partnership.no_such_knob`)"),
        "{e}"
    );
    assert!(e.contains("unknown parameter `partnership.no_such_knob`"), "{e}");

    write(d, "good.csv", POSTERIOR);
    let o = sweep(
        "vary.toml",
        "good.csv",
        "[[sweep.vary]]\nparam = \"regulation.stringency\"\nvalues = [1.0]\n",
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("a posterior design takes its parameters from the posterior's columns"),
        "{}",
        stderr(&o)
    );

    // A drawn particle the scenario rejects names its line.
    write(
        d,
        "range.csv",
        "particle,weight,distance,regulation.stringency\n0,1,1,0.5\n1,1,1,-3\n",
    );
    let o = sweep("range.toml", "range.csv", "");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("range.csv, line 3 (particle 1)"), "{}", stderr(&o));

    // `samples` is required; `posterior` needs the posterior design.
    let f = write(
        d,
        "no-samples.toml",
        "[sweep]\nscenario = \"baseline\"\ndesign = \"posterior\"\nposterior = \"good.csv\"\n",
    );
    let o = run(&["sweep", s(&f), "--out", s(&d.join("out")), "--quiet", "--force"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("a posterior design needs samples >= 1"),
        "{}",
        stderr(&o)
    );
    let f = write(
        d,
        "grid.toml",
        "[sweep]\nscenario = \"baseline\"\nposterior = \"good.csv\"\n\
         [[sweep.vary]]\nparam = \"regulation.stringency\"\nvalues = [1.0]\n",
    );
    let o = run(&["sweep", s(&f), "--out", s(&d.join("out")), "--quiet", "--force"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("`posterior` applies only with design = \"posterior\""),
        "{}",
        stderr(&o)
    );
}

/// Other designs serialize as before (no `posterior` key), so their hashes do not change;
/// a posterior sweep's points follow the weights whatever the seed.
#[test]
fn spec_serialization_and_resampling_through_the_library() {
    let grid = coopetition::sweep::parse_sweep(
        "[sweep]\nscenario = \"baseline\"\nruns_per_point = 10\n\
         [[sweep.vary]]\nparam = \"regulation.stringency\"\nvalues = [0.5, 1.0]\n",
        "<test>",
        None,
    )
    .unwrap();
    assert_eq!(
        serde_json::to_string(&grid.spec).unwrap(),
        r#"{"scenario":"baseline","runs_per_point":10,"seed":42,"design":"grid","vary":[{"param":"regulation.stringency","values":[0.5,1.0]}]}"#
    );

    let t = tmp();
    let mut text =
        String::from("particle,weight,distance,regulation.stringency,startups.failure_rate,startups.initial\n");
    let weights = [0.1, 0.0, 0.3, 0.6];
    for (i, w) in weights.iter().enumerate() {
        let _ = writeln!(
            text,
            "{i},{w},0.5,{},{},{}.4",
            0.5 + i as f64,
            0.01 * (i + 1) as f64,
            10 + i
        );
    }
    let p = write(t.path(), "posterior.csv", &text);
    for seed in [1, 2, 3] {
        let src = format!(
            "[sweep]\nscenario = \"baseline\"\nseed = {seed}\ndesign = \"posterior\"\nposterior = \"{}\"\nsamples = 10\n",
            s(&p)
        );
        let sweep = coopetition::sweep::parse_sweep(&src, "<test>", None).unwrap();
        assert_eq!(
            sweep.params,
            ["regulation.stringency", "startups.failure_rate", "startups.initial"]
        );
        assert!(sweep.spec.vary.is_empty());
        // An integer parameter takes rounded values (particle i has 10 + i + 0.4).
        for pt in &sweep.points {
            let i = (pt[0].as_float().unwrap() - 0.5) as i64;
            assert_eq!(pt[2], toml::Value::Integer(10 + i));
        }
        let first: Vec<f64> = sweep.points.iter().map(|pt| pt[0].as_float().unwrap()).collect();
        // Particle order, the zero-weight particle never, each particle within one of 10·w.
        assert!(first.windows(2).all(|w| w[0] <= w[1]), "{first:?}");
        for (i, w) in weights.iter().enumerate() {
            let n = first.iter().filter(|&&x| x == 0.5 + i as f64).count() as f64;
            assert!((n - 10.0 * w).abs() < 1.0, "seed {seed}, particle {i}: {n} draws");
        }
        let again = coopetition::sweep::parse_sweep(&src, "<test>", None).unwrap();
        assert_eq!(sweep.points, again.points);
        assert_eq!(
            coopetition::sweep::sweep_hash(&sweep),
            coopetition::sweep::sweep_hash(&again)
        );
    }
}

/// The decomposition on a planted posterior sweep: where the draws' probabilities differ
/// (0.2 or 0.6) the spread is nearly all parameter uncertainty; where they do not, it is
/// Monte Carlo noise.
#[test]
fn decomposition_recovers_planted_parameter_spread() {
    use rand::{RngExt, SeedableRng};
    let dir = tmp();
    let d = dir.path();
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(5);
    let (mut points, mut outcomes) = (
        String::from("point,regulation.stringency\n"),
        String::from("point,run,seed,outcome,outcome_tick\n"),
    );
    // 100 draws of 200 runs: decoupling 0.2 or 0.6 by the parameter; acquisition 0.3
    // everywhere; the rest symbiosis.
    for i in 0..100 {
        let high = i % 2 == 1;
        let _ = writeln!(points, "{i},{}", if high { 2.0 } else { 0.5 });
        for r in 0..200 {
            let u: f64 = rng.random();
            let pd = if high { 0.6 } else { 0.2 };
            let o = if u < pd {
                "decoupling"
            } else if u < pd + 0.3 {
                "acquisition"
            } else {
                "symbiosis"
            };
            let _ = writeln!(outcomes, "{i},{r},{r},{o},12");
        }
    }
    std::fs::write(d.join("points.csv"), points).unwrap();
    std::fs::write(d.join("outcomes.csv"), outcomes).unwrap();
    let manifest = serde_json::json!({
        "kind": "sweep", "scenario_name": "planted", "master_seed": 5, "runs_per_point": 200,
        "sweep": { "design": "posterior", "samples": 100, "posterior": "posterior.csv", "vary": [] }
    });
    std::fs::write(d.join("manifest.json"), manifest.to_string()).unwrap();
    let o = run(&["analyze", s(d), "--format", "md"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let post = csv_rows(&d.join("analysis/posterior.csv"));
    let get = |outcome: &str, name: &str| -> f64 {
        let row = post.iter().find(|r| r[0] == outcome).unwrap();
        row[column(&post, name)].parse().unwrap()
    };
    // var_total ≈ 0.2² = 0.04 + noise ≈ 0.001: share ≈ 0.97.
    assert!(get("decoupling", "share_param") > 0.9, "{post:?}");
    assert!((get("decoupling", "p") - 0.4).abs() < 0.02);
    assert!(get("decoupling", "param_lo") < 0.1 && get("decoupling", "param_hi") > 0.7);
    // The parameter interval is far wider than the Monte Carlo one.
    assert!(get("decoupling", "mc_hi") - get("decoupling", "mc_lo") < 0.03);
    // No parameter effect on acquisition: the spread is noise (the estimate of its
    // parameter part is a difference of two noisy variances, sd ≈ 14% of var_total).
    assert!(get("acquisition", "share_param") < 0.4, "{post:?}");
    assert!((get("acquisition", "var_mc") / get("acquisition", "var_total") - 1.0).abs() < 0.4);
    let report = String::from_utf8(read(d.join("analysis/report.md"))).unwrap();
    assert!(
        report.contains("of the spread across posterior draws is parameter uncertainty"),
        "{report}"
    );
}
