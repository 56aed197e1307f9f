//! `coopetition calibrate --targets`: target-file errors, the files it writes,
//! determinism across thread counts and resumption (issue 15).

use crate::common;

use common::*;

/// A small but complete target file: two free parameters, five fitted targets of all three
/// kinds and one held out; tiny ABC settings so the test is quick.
const TINY: &str = r#"[abc]
particles = 8
alpha = 0.5
max_generations = 3
min_acceptance = 0.0
runs = 12
seed = 5
best_candidates = 2
best_runs = 16

[[free]]
param = "partnership.bid_propensity"
prior = [0.3, 1.0]

[[free]]
param = "regulation.divest_propensity"
prior = [0.05, 0.5]

[[target]]
name = "symbiosis"
source = "article"
outcome = "symbiosis"
value = 0.6
tolerance = 0.02

[[target]]
name = "acquisition"
source = "article"
outcome = "acquisition"
value = 0.1
tolerance = 0.02

[[target]]
name = "divestiture"
source = "article"
outcome = "divestiture"
value = 0.05
tolerance = 0.02

[[target]]
name = "azure"
source = "Synergy"
column = "cloud_share_investor"
month = 12
value = 0.21
tolerance = 0.03

[[target]]
name = "cma_phase2"
source = "Linklaters"
event = "review_phase2"
actor = "uk_cma"
per_event = "review_opened"
per_actor = "uk_cma"
value = 0.22
tolerance = 0.08

[[target]]
name = "eu_partnership"
source = "record"
event = "review_phase2"
actor = "eu_commission"
detail = "partnership"
value = 0.1
tolerance = 0.1
use = "validate"
"#;

fn calibrate(dir: &std::path::Path, targets: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "calibrate",
        "baseline",
        "--targets",
        s(targets),
        "--dir",
        s(dir),
        "--verify-runs",
        "16",
        "--quiet",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn target_file_errors_exit_2_naming_the_file_line_and_field() {
    let t = tmp();
    // (edit, the line and the field the error must name)
    let cases: [(&str, &str, &str, &str); 6] = [
        (
            "column = \"cloud_share_investor\"",
            "column = \"cloud_share_investr\"",
            ":43:",
            "target[3].column",
        ),
        ("month = 12", "month = 99", ":44:", "target[3].month"),
        ("prior = [0.3, 1.0]", "prior = [0.3, 7.0]", ":13:", "free[0].prior"),
        (
            "param = \"regulation.divest_propensity\"",
            "param = \"regulation.divest\"",
            ":16:",
            "free[1].param",
        ),
        ("tolerance = 0.03", "tolerance = \"wide\"", ":46:", "tolerance"),
        (
            "outcome = \"acquisition\"",
            "outcome = \"merger\"",
            ":29:",
            "target[1].outcome",
        ),
    ];
    for (i, (from, to, line, field)) in cases.iter().enumerate() {
        assert!(TINY.contains(from), "case {i}: `{from}` not in the file");
        let path = write(t.path(), &format!("bad{i}.toml"), &TINY.replacen(from, to, 1));
        let o = calibrate(&t.path().join(format!("out{i}")), &path, &[]);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "case {i}: {err}");
        assert!(
            err.contains(&format!("bad{i}.toml{line}")) && err.contains(field),
            "case {i}: expected {line} and `{field}` in: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    // A missing file, and too few targets for the free parameters.
    let o = calibrate(&t.path().join("outm"), &t.path().join("missing.toml"), &[]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("missing.toml"), "{}", stderr(&o));
    let few = TINY.replace("use = \"validate\"", "").replacen(
        "[[target]]\nname = \"acquisition\"",
        "[[free]]\nparam = \"partnership.tension_cost\"\nprior = [0.2, 1.0]\n\n[[free]]\nparam = \"partnership.crisis_exodus\"\nprior = [1.5, 6.0]\n\n[[target]]\nname = \"acquisition\"",
        1,
    );
    let path = write(t.path(), "few.toml", &few);
    let o = calibrate(&t.path().join("outf"), &path, &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("at least twice as many targets"), "{}", stderr(&o));
}

#[test]
fn a_calibration_is_deterministic_resumable_and_never_overwritten() {
    let t = tmp();
    let targets = write(t.path(), "tiny.toml", TINY);
    let (a, b, c) = (t.path().join("a"), t.path().join("b"), t.path().join("c"));
    let o = calibrate(&a, &targets, &["--threads", "1"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for f in [
        "posterior.csv",
        "targets.csv",
        "report.md",
        "marginals.svg",
        "calibrated.toml",
        "abc_state.csv",
    ] {
        assert!(a.join(f).exists(), "{f} missing");
    }
    let posterior = String::from_utf8(read(a.join("posterior.csv"))).unwrap();
    let mut lines = posterior.lines();
    assert_eq!(
        lines.next(),
        Some("particle,weight,distance,partnership.bid_propensity,regulation.divest_propensity")
    );
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|c| c.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 4, "⌊αN⌋ = 4 particles kept");
    let wsum: f64 = rows.iter().map(|r| r[1]).sum();
    assert!((wsum - 1.0).abs() < 1e-9, "weights sum to {wsum}");
    for r in &rows {
        assert!(
            (0.3..=1.0).contains(&r[3]) && (0.05..=0.5).contains(&r[4]),
            "outside the prior: {r:?}"
        );
    }
    let table = String::from_utf8(read(a.join("targets.csv"))).unwrap();
    assert!(table.starts_with(
        "target,use,metric,value,tolerance,simulated,simulated_lo,simulated_hi,runs,standardised,pass,source\n"
    ));
    assert_eq!(table.lines().count(), 7, "{table}");
    assert!(table.contains("\neu_partnership,validate,"));
    let report = String::from_utf8(read(a.join("report.md"))).unwrap();
    assert!(report.contains("Fitted targets passing:") && report.contains("validation targets passing:"));

    // Two threads, and interrupted after the first generation then resumed: same files.
    let o = calibrate(&b, &targets, &["--threads", "2", "--stop-after", "1"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(b.join("abc_state.csv").exists() && !b.join("posterior.csv").exists());
    // Without --resume or --force the directory is not touched.
    let o = calibrate(&b, &targets, &["--threads", "2"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--resume"), "{}", stderr(&o));
    let o = calibrate(&b, &targets, &["--threads", "2", "--resume"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for f in ["posterior.csv", "targets.csv", "marginals.svg", "abc_state.csv"] {
        assert_eq!(read(a.join(f)), read(b.join(f)), "{f} differs after resume / threads");
    }
    // A changed target file cannot resume another's checkpoint.
    std::fs::create_dir_all(&c).unwrap();
    std::fs::copy(b.join("abc_state.csv"), c.join("abc_state.csv")).unwrap();
    let changed = write(t.path(), "changed.toml", &TINY.replace("value = 0.21", "value = 0.25"));
    let o = calibrate(&c, &changed, &["--resume"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("different calibration"), "{}", stderr(&o));
}
