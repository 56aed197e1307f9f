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
sensitivity_runs = 16
data_polish_evals = 3

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
name = "api_growth"
source = "Menlo"
columns = ["share_developer_api_lab", "share_developer_api_investor"]
months = [10, 12]
base_months = [1, 2]
value = 0.8
tolerance = 0.1

[[target]]
name = "azure_q1"
source = "Synergy, the series of the starting shares"
column = "cloud_share_investor"
month = 1
value = 0.25
tolerance = 0.03
use = "input"

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
            ":45:",
            "target[3].column",
        ),
        ("month = 12", "month = 99", ":46:", "target[3].month"),
        ("prior = [0.3, 1.0]", "prior = [0.3, 7.0]", ":15:", "free[0].prior"),
        (
            "param = \"regulation.divest_propensity\"",
            "param = \"regulation.divest\"",
            ":18:",
            "free[1].param",
        ),
        ("tolerance = 0.03", "tolerance = \"wide\"", ":48:", "tolerance"),
        (
            "outcome = \"acquisition\"",
            "outcome = \"merger\"",
            ":31:",
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
        "sensitivity.csv",
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
    assert_eq!(table.lines().count(), 9, "{table}");
    assert!(table.contains("\neu_partnership,validate,"));
    assert!(table.contains("\nazure_q1,input,"));
    assert!(table.contains("\napi_growth,fit,mean growth of `share_developer_api_lab + share_developer_api_investor`: months 10-12 ÷ months 1-2,"));
    let report = String::from_utf8(read(a.join("report.md"))).unwrap();
    assert!(report.contains("Fitted targets passing:") && report.contains("validation targets passing:"));
    // Input targets are reported but not counted: 6 fitted, 1 held out.
    assert!(
        report.contains(" of 6; validation targets passing: ") && report.contains(" of 1."),
        "{report}"
    );
    assert!(report.contains("| azure_q1 | input |") && report.contains("marked `input`"));
    assert!(
        report.contains("## Identification") && report.contains("## The outcomes with and without the expert's view")
    );
    let sens = String::from_utf8(read(a.join("sensitivity.csv"))).unwrap();
    assert!(sens.starts_with("parameter,prior_lo,prior_hi,best,target,use,tolerance,at_best,at_lo,at_hi,change_lo,change_hi,range,noise,responsive,runs\n"));
    assert_eq!(sens.lines().count(), 1 + 2 * 8, "{sens}");

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
    for f in [
        "posterior.csv",
        "targets.csv",
        "marginals.svg",
        "abc_state.csv",
        "sensitivity.csv",
    ] {
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

/// Issue 36's data target file: at least ten free parameters across
/// the mechanisms, each candidate its own reference world, twice as many fitted targets,
/// inputs marked, the identification and the data-alone polish switched on.
#[test]
fn the_bundled_target_file_frees_the_mechanisms_primitives() {
    use coopetition::calibrate::targets::{Reference, Use, parse_targets};
    use coopetition::scenario::Scenario;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/targets/baseline-data.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let file = parse_targets(&text, path, &Scenario::default()).unwrap_or_else(|e| panic!("{e}"));
    assert!(file.free.len() >= 10, "{} free parameters", file.free.len());
    // Economics, research, hiring, cloud, partnership, regulation: by the path's first word.
    let mut areas: Vec<&str> = file.free.iter().map(|f| f.param.split('.').next().unwrap()).collect();
    areas.sort_unstable();
    areas.dedup();
    for area in ["products", "research", "talent", "cloud", "partnership", "regulation"] {
        assert!(areas.contains(&area), "no free parameter in `{area}`: {areas:?}");
    }
    assert_eq!(file.abc.reference, Reference::Candidate);
    assert!(file.abc.sensitivity_runs >= 1000 && file.abc.data_polish_evals > 0);
    let fitted = file.fitted().count();
    assert!(fitted >= 2 * file.free.len(), "{fitted} fitted");
    let inputs: Vec<&str> = file
        .targets
        .iter()
        .filter(|t| t.usage == Use::Input)
        .map(|t| t.name.as_str())
        .collect();
    // The later levels of the series whose month-1 values are the starting cloud shares.
    for name in [
        "cloud_share_investor_2024q4",
        "cloud_share_amazon_2024q4",
        "cloud_share_google_2024q4",
    ] {
        assert!(inputs.contains(&name), "{name} is not marked input: {inputs:?}");
    }
}

/// One weighted column of `posterior.csv`: (mean, sd).
fn weighted_sd(rows: &[Vec<f64>], col: usize) -> f64 {
    let w: f64 = rows.iter().map(|r| r[1]).sum();
    let m = rows.iter().map(|r| r[1] * r[col]).sum::<f64>() / w;
    (rows.iter().map(|r| r[1] * (r[col] - m).powi(2)).sum::<f64>() / w).sqrt()
}

/// The bundled calibration's identification and fit (issue 36's patterns 1-3), read from
/// `scenarios/calibration/baseline/`. Ignored until the bundled baseline is recalibrated
/// with the data target file above (its directory then has `sensitivity.csv`; it is not yet:
/// that file's best point puts divestiture near 1%, and 7–10 of its 26 fitted targets pass,
/// docs/MODEL.md §10.4); run with
/// `cargo test --profile ci --test suite -- --ignored bundled_calibration`.
#[test]
#[ignore = "until the bundled baseline is recalibrated with the issue-36 data target file"]
fn bundled_calibration_is_identified_and_fits() {
    use coopetition::calibrate::targets::parse_targets;
    use coopetition::scenario::Scenario;
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let targets = std::fs::read_to_string(format!("{root}/targets/baseline-data.toml")).unwrap();
    let file = parse_targets(&targets, "baseline-data.toml", &Scenario::default()).unwrap();
    let dir = format!("{root}/calibration/baseline");
    let sens = std::fs::read_to_string(format!("{dir}/sensitivity.csv")).expect("sensitivity.csv");
    // Pattern 1: at least two responsive fitted targets per free parameter.
    for f in &file.free {
        let responsive = sens
            .lines()
            .skip(1)
            .map(|l| l.split(',').collect::<Vec<_>>())
            .filter(|c| c[0] == f.param && c[5] == "fit" && c[14] == "1")
            .count();
        assert!(responsive >= 2, "{}: {responsive} responsive fitted targets", f.param);
    }
    // Posterior sd ÷ prior sd ≤ 0.6 for at least 70% of the free parameters.
    let posterior = std::fs::read_to_string(format!("{dir}/posterior.csv")).unwrap();
    let rows: Vec<Vec<f64>> = posterior
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(|c| c.parse().unwrap()).collect())
        .collect();
    let narrow = file
        .free
        .iter()
        .enumerate()
        .filter(|(j, f)| weighted_sd(&rows, 3 + j) / ((f.hi - f.lo) / 12f64.sqrt()) <= 0.6)
        .count();
    assert!(
        10 * narrow >= 7 * file.free.len(),
        "{narrow} of {} narrow",
        file.free.len()
    );
    // Pattern 2: 75% of the fitted and 60% of the held-out targets pass on fresh seeds.
    let table = std::fs::read_to_string(format!("{dir}/targets.csv")).unwrap();
    let mut counts = [[0usize; 2]; 2];
    for l in table.lines().skip(1) {
        let c: Vec<&str> = l.split(',').collect();
        let k = match c[1] {
            "fit" => 0,
            "validate" => 1,
            _ => continue,
        };
        counts[k][0] += usize::from(c[10] == "1");
        counts[k][1] += 1;
    }
    assert!(4 * counts[0][0] >= 3 * counts[0][1], "fitted passing {:?}", counts[0]);
    assert!(
        10 * counts[1][0] >= 6 * counts[1][1],
        "held out passing {:?}",
        counts[1]
    );
    // Pattern 3: the report has the matrix and marks the inputs.
    let report = std::fs::read_to_string(format!("{dir}/report.md")).unwrap();
    assert!(report.contains("## Identification") && report.contains("| input |"));
}
