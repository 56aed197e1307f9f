//! End-to-end tests of `analyze` on synthetic run and sweep directories.

use std::fmt::Write as _;
use std::path::Path;

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use super::*;
use crate::outcome::Outcome;

const METRICS: &str = "tension,lab_cloud_share_investor,investor_inhouse_ratio,\
                       talent_share_top2,startups_alive,hhi_max";

fn put(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write fixture");
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("read output")
}

/// Draws an outcome with probabilities `p` (symbiosis takes the rest).
fn draw(rng: &mut ChaCha8Rng, p_dec: f64, p_acq: f64, p_div: f64) -> Outcome {
    let u: f64 = rng.random();
    if u < p_div {
        Outcome::Divestiture
    } else if u < p_div + p_acq {
        Outcome::Acquisition
    } else if u < p_div + p_acq + p_dec {
        Outcome::Decoupling
    } else {
        Outcome::Symbiosis
    }
}

fn metric_cells(rng: &mut ChaCha8Rng, tension: f64) -> String {
    let s: f64 = rng.random();
    format!(
        "{tension:.4},{:.4},0.3,0.6,{},0.25",
        0.7 + 0.2 * s,
        40 + (s * 10.0) as u32
    )
}

/// A run directory with `n` runs, time series over 18 months and an extra column.
fn make_run_dir(dir: &Path, n: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut out = format!("run,seed,outcome,outcome_tick,{METRICS},extra\n");
    let mut ts = format!("run,tick,{METRICS},hhi_consumer\n");
    // Rows in reverse run order: the reader must not rely on order.
    for run in (0..n).rev() {
        let o = draw(&mut rng, 0.25, 0.10, 0.05);
        let cells = metric_cells(&mut rng, 0.4);
        writeln!(out, "{run},{},{},18,{cells},x", 1000 + run, o.as_str()).ok();
        for tick in 0..=18 {
            let t = 0.02 * tick as f64 + 0.1 * rng.random::<f64>();
            writeln!(ts, "{run},{tick},{t:.4},0.8,0.3,0.6,{},0.25,0.3", 40 + tick).ok();
        }
    }
    put(dir, "outcomes.csv", &out);
    put(dir, "timeseries.csv", &ts);
    put(
        dir,
        "events.csv",
        "run,tick,kind,actor,target,detail\n0,1,crisis,lab,,board\n",
    );
    put(
        dir,
        "manifest.json",
        r#"{"kind":"run","scenario_name":"baseline","master_seed":42,"runs":300}"#,
    );
}

/// A grid sweep: divestiture rises with `regulation.stringency` (planted), exclusivity
/// has no effect.
fn make_grid_sweep(dir: &Path, runs: u64) {
    let levels = [0.5, 1.0, 2.0];
    let excl = ["exclusive", "rofr", "none"];
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut points = String::from("point,regulation.stringency,partnership.exclusivity\n");
    let mut outcomes = format!("point,run,seed,outcome,outcome_tick,{METRICS}\n");
    let mut tq = String::from("point,tick,metric,mean,p05,p50,p95\n");
    let mut point = 0u64;
    for &s in &levels {
        for e in excl {
            writeln!(points, "{point},{s},{e}").ok();
            let p_div = 0.02 + 0.12 * (s - 0.5);
            for run in 0..runs {
                let o = draw(&mut rng, 0.25, 0.10, p_div);
                let cells = metric_cells(&mut rng, s / 2.0);
                writeln!(outcomes, "{point},{run},{},{},18,{cells}", run * 7, o.as_str()).ok();
            }
            for tick in 0..=18 {
                let m = 0.1 + 0.01 * tick as f64 * s;
                for metric in ["tension", "startups_alive"] {
                    writeln!(tq, "{point},{tick},{metric},{m},{},{m},{}", m - 0.05, m + 0.05).ok();
                }
            }
            point += 1;
        }
    }
    put(dir, "points.csv", &points);
    put(dir, "outcomes.csv", &outcomes);
    put(dir, "timeseries_quantiles.csv", &tq);
    put(dir, "summary.csv", "point,runs\n0,1\n"); // Deliberately wrong: must be ignored.
    put(
        dir,
        "manifest.json",
        r#"{"kind":"sweep","scenario_name":"baseline","sweep":{"design":"grid","seed":42,
           "vary":[{"param":"regulation.stringency","values":[0.5,1.0,2.0]},
                   {"param":"partnership.exclusivity","values":["exclusive","rofr","none"]}]}}"#,
    );
}

fn effect_row<'a>(csv: &'a str, param: &str, outcome: &str) -> Vec<&'a str> {
    csv.lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|c| c[0] == param && c[1] == outcome)
        .expect("effect row")
}

fn f(s: &str) -> f64 {
    s.parse().expect("number")
}

#[test]
fn run_directory_report_renders() {
    let tmp = tempfile::tempdir().expect("tempdir");
    make_run_dir(tmp.path(), 300);
    let s = analyze(tmp.path(), &AnalyzeOptions::default()).expect("analyze");
    let out = tmp.path().join("analysis");
    assert_eq!(s.out_dir, out);
    for f in [
        "outcome_probabilities.csv",
        "convergence.csv",
        "outcomes.svg",
        "fan_tension.svg",
        "fan_startups_alive.svg",
        "report.md",
        "report.html",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
        assert!(s.files.contains(&out.join(f)), "{f} not listed");
    }
    assert!(!out.join("effects.csv").exists());
    assert!(!out.join("sensitivity.csv").exists());

    let probs = read(&out.join("outcome_probabilities.csv"));
    assert!(probs.starts_with("point,outcome,runs,count,p,p_lo,p_hi,reference\n"));
    assert_eq!(probs.lines().count(), 5);
    assert!(probs.contains("0,symbiosis,300,"));
    assert!(probs.lines().nth(1).is_some_and(|l| l.ends_with(",0.6")));

    let conv = read(&out.join("convergence.csv"));
    let ns: Vec<&str> = conv
        .lines()
        .skip(1)
        .step_by(4)
        .map(|l| l.split(',').nth(2).unwrap_or(""))
        .collect();
    assert_eq!(ns, ["10", "20", "50", "100", "200", "300"]);

    assert!(s.table.contains("symbiosis") && s.table.contains("60%"), "{}", s.table);
    let svg = read(&out.join("outcomes.svg"));
    assert!(svg.contains("<text") && svg.contains("divestiture") && svg.contains("article"));
    let md = read(&out.join("report.md"));
    assert!(md.contains("![") && md.contains("outcomes.svg") && md.contains("Master seed 42"));
    let html = read(&out.join("report.html"));
    assert!(html.contains("<svg") && html.contains("<table>"));
    assert!(!html.contains("http"), "no external URLs in the HTML");
}

#[test]
fn grid_sweep_detects_planted_effect() {
    let tmp = tempfile::tempdir().expect("tempdir");
    make_grid_sweep(tmp.path(), 300);
    let s = analyze(tmp.path(), &AnalyzeOptions::default()).expect("analyze");
    let out = tmp.path().join("analysis");
    let eff = read(&out.join("effects.csv"));
    assert!(eff.starts_with("param,outcome,low,high,p_low,p_high,effect,effect_lo,effect_hi,rank,interval\n"));
    let div = effect_row(&eff, "regulation.stringency", "divestiture");
    assert_eq!((div[2], div[3]), ("0.5", "2"));
    assert!(f(div[6]) > 0.12 && f(div[7]) > 0.0, "planted effect: {div:?}");
    assert_eq!(div[9], "1");
    for o in Outcome::ALL {
        let r = effect_row(&eff, "partnership.exclusivity", o.as_str());
        assert_eq!((r[2], r[3]), ("exclusive", "none"));
        assert!(f(r[6]).abs() < 0.07, "no effect planted: {r:?}");
        assert_eq!(r[9], "2");
    }
    for f in [
        "effect_regulation.stringency.svg",
        "effect_partnership.exclusivity.svg",
        "fan_tension.svg",
        "outcomes.svg",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    // Metrics missing from the quantiles are skipped with a note, not an error.
    assert!(!out.join("fan_investor_inhouse_ratio.svg").exists());
    let md = read(&out.join("report.md"));
    assert!(
        md.contains("Raising regulation.stringency from 0.5 to 2 raises divestiture"),
        "{md}"
    );
    assert!(s.table.lines().count() >= 11 && s.table.contains("exclusive"));
    let html = read(&out.join("report.html"));
    assert!(html.contains("effect_regulation.stringency.svg") && !html.contains("http"));
    let conv = read(&out.join("convergence.csv"));
    assert!(conv.lines().any(|l| l.starts_with("8,divestiture,300,")));
}

#[test]
fn rerun_replaces_outputs_and_follows_options() {
    let tmp = tempfile::tempdir().expect("tempdir");
    make_run_dir(tmp.path(), 30);
    analyze(tmp.path(), &AnalyzeOptions::default()).expect("first");
    let opts = AnalyzeOptions {
        prim: Vec::new(),
        metrics: Some(vec!["hhi_consumer".into()]),
        formats: vec![ReportFormat::Md],
    };
    let s = analyze(tmp.path(), &opts).expect("second");
    let out = tmp.path().join("analysis");
    assert!(out.join("fan_hhi_consumer.svg").is_file());
    assert!(!out.join("fan_tension.svg").exists(), "stale chart removed");
    assert!(out.join("report.md").is_file() && !out.join("report.html").exists());
    assert_eq!(s.files.len(), 5);
}

#[test]
fn report_formats_parse() {
    assert_eq!("md".parse::<ReportFormat>(), Ok(ReportFormat::Md));
    assert_eq!("HTML".parse::<ReportFormat>(), Ok(ReportFormat::Html));
    assert!("pdf".parse::<ReportFormat>().is_err());
}

#[test]
fn unknown_metric_lists_available_ones() {
    let tmp = tempfile::tempdir().expect("tempdir");
    make_run_dir(tmp.path(), 10);
    let opts = AnalyzeOptions {
        prim: Vec::new(),
        metrics: Some(vec!["nope".into()]),
        ..AnalyzeOptions::default()
    };
    let e = analyze(tmp.path(), &opts).expect_err("unknown metric");
    assert!(e.is_bad_input());
    let msg = e.to_string();
    assert!(
        msg.contains("`nope`") && msg.contains("hhi_consumer") && msg.contains("tension"),
        "{msg}"
    );
    assert!(!tmp.path().join("analysis").exists(), "nothing written on bad input");
}

/// Replaces `from` by `to` in the fixture file `name`.
fn corrupt(dir: &Path, name: &str, from: &str, to: &str) {
    let text = read(&dir.join(name));
    assert!(text.contains(from), "fixture lacks {from}");
    put(dir, name, &text.replacen(from, to, 1));
}

fn bad_input(dir: &Path) -> String {
    let e = analyze(dir, &AnalyzeOptions::default()).expect_err("should fail");
    assert!(e.is_bad_input(), "{e}");
    e.to_string()
}

#[test]
fn malformed_inputs_name_file_line_and_column() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    make_run_dir(d, 5);
    std::fs::remove_file(d.join("outcomes.csv")).expect("rm");
    let msg = bad_input(d);
    assert!(msg.contains("outcomes.csv") && msg.contains("not found"), "{msg}");

    make_run_dir(d, 5);
    corrupt(d, "outcomes.csv", "run,seed,outcome,", "run,seed,result,");
    let msg = bad_input(d);
    assert!(msg.contains("outcomes.csv") && msg.contains("`outcome`"), "{msg}");

    // Line 3 is the second data row; run 3 comes second (rows are written in reverse).
    make_run_dir(d, 5);
    let text = read(&d.join("outcomes.csv"));
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let mut cells: Vec<String> = lines[2].split(',').map(String::from).collect();
    cells[4] = "abc".into();
    lines[2] = cells.join(",");
    put(d, "outcomes.csv", &(lines.join("\n") + "\n"));
    let msg = bad_input(d);
    assert!(
        msg.contains("outcomes.csv") && msg.contains("line 3") && msg.contains("`tension`") && msg.contains("abc"),
        "{msg}"
    );

    make_run_dir(d, 5);
    let text = read(&d.join("outcomes.csv"));
    let label = text
        .lines()
        .nth(3)
        .and_then(|l| l.split(',').nth(2))
        .unwrap_or("")
        .to_string();
    let line4 = text.lines().nth(3).unwrap_or("").to_string();
    put(
        d,
        "outcomes.csv",
        &text.replacen(&line4, &line4.replacen(&label, "merger", 1), 1),
    );
    let msg = bad_input(d);
    assert!(
        msg.contains("line 4") && msg.contains("`outcome`") && msg.contains("merger"),
        "{msg}"
    );

    make_run_dir(d, 5);
    put(d, "outcomes.csv", &format!("run,seed,outcome,outcome_tick,{METRICS}\n"));
    assert!(bad_input(d).contains("no runs"));

    make_run_dir(d, 5);
    corrupt(d, "timeseries.csv", "\n2,5,", "\n2,five,");
    let msg = bad_input(d);
    assert!(msg.contains("timeseries.csv") && msg.contains("`tick`"), "{msg}");

    make_run_dir(d, 5);
    put(d, "manifest.json", "{not json");
    assert!(bad_input(d).contains("manifest.json"));

    let e = analyze(&d.join("missing"), &AnalyzeOptions::default()).expect_err("no dir");
    assert!(e.is_bad_input());
}

#[test]
fn malformed_sweep_inputs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    make_grid_sweep(d, 5);
    corrupt(d, "outcomes.csv", "\n8,4,", "\n9,4,");
    let msg = bad_input(d);
    assert!(
        msg.contains("point 9 is not in points.csv") && msg.contains("`point`"),
        "{msg}"
    );

    make_grid_sweep(d, 5);
    corrupt(d, "points.csv", "partnership.exclusivity", "exclusivity");
    let msg = bad_input(d);
    assert!(
        msg.contains("points.csv") && msg.contains("partnership.exclusivity"),
        "{msg}"
    );

    make_grid_sweep(d, 5);
    corrupt(d, "points.csv", "\n1,", "\n0,");
    assert!(bad_input(d).contains("appears twice"));

    make_grid_sweep(d, 5);
    corrupt(d, "timeseries_quantiles.csv", ",p95", ",q95");
    assert!(bad_input(d).contains("`p95`"));
}

#[test]
fn degenerate_inputs_do_not_panic() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    // One run, no time series, no manifest, only the required columns.
    put(d, "outcomes.csv", "outcome,run\ndivestiture,0\n");
    let s = analyze(d, &AnalyzeOptions::default()).expect("tiny run");
    assert!(s.table.contains("divestiture"));
    assert!(read(&d.join("analysis/report.md")).contains("no fan charts"));

    // A byte-order mark and CRLF line ends, as spreadsheets write them.
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    put(
        d,
        "outcomes.csv",
        "\u{feff}run,outcome\r\n0,symbiosis\r\n1,decoupling\r\n",
    );
    let s = analyze(d, &AnalyzeOptions::default()).expect("BOM and CRLF");
    assert!(s.table.contains("50%"), "{}", s.table);

    // A sweep with one point, a point without runs, and no manifest.
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    put(d, "points.csv", "point,x,flag\n0,1,true\n1,1,false\n");
    put(d, "outcomes.csv", "point,run,outcome\n0,0,symbiosis\n0,1,decoupling\n");
    analyze(d, &AnalyzeOptions::default()).expect("degenerate sweep");
    let eff = read(&d.join("analysis/effects.csv"));
    assert_eq!(eff.lines().count(), 1, "no runs at flag=false: no effect rows\n{eff}");
}

/// Writes a sweep whose points are `unit` (coordinates in [0, 1] of params a and b), where
/// divestiture has probability `a` and tension is `2a`.
fn make_unit_sweep(dir: &Path, design: &str, unit: &[Vec<f64>], runs: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut points = String::from("point,a,b\n");
    let mut outcomes = format!("point,run,seed,outcome,outcome_tick,{METRICS}\n");
    for (i, x) in unit.iter().enumerate() {
        writeln!(points, "{i},{},{}", x[0], x[1]).ok();
        for run in 0..runs {
            let o = draw(&mut rng, 0.0, 0.0, x[0]);
            let cells = metric_cells(&mut rng, 2.0 * x[0]);
            writeln!(outcomes, "{i},{run},{run},{},18,{cells}", o.as_str()).ok();
        }
    }
    put(dir, "points.csv", &points);
    put(dir, "outcomes.csv", &outcomes);
    put(
        dir,
        "manifest.json",
        &format!(
            r#"{{"kind":"sweep","sweep":{{"design":"{design}","vary":[
                {{"param":"a","range":[0,1]}},{{"param":"b","range":[0,1]}}]}}}}"#
        ),
    );
}

fn sens_row(csv: &str, param: &str, output: &str) -> Vec<f64> {
    csv.lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|c| c[0] == param && c[1] == output)
        .expect("sensitivity row")[2..]
        .iter()
        .map(|v| v.parse().unwrap_or(f64::NAN))
        .collect()
}

#[test]
fn sobol_sweep_end_to_end() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let unit = crate::stats::design::saltelli(128, 2, &mut rng);
    make_unit_sweep(tmp.path(), "sobol", &unit, 40);
    analyze(tmp.path(), &AnalyzeOptions::default()).expect("analyze");
    let out = tmp.path().join("analysis");
    let sens = read(&out.join("sensitivity.csv"));
    assert!(sens.starts_with("param,output,S1,S1_lo,S1_hi,ST,ST_lo,ST_hi,noise_share,S1_corr,S1_corr_lo,S1_corr_hi,ST_corr,ST_corr_lo,ST_corr_hi\n"));
    let a = sens_row(&sens, "a", "p_divestiture");
    let b = sens_row(&sens, "b", "p_divestiture");
    assert!(a[0] > 0.6 && a[3] > 0.6, "a drives the outcome: {a:?}");
    assert!(b[0].abs() < 0.15 && b[3] < 0.15, "b does not: {b:?}");
    assert!(a[1] <= a[0] && a[0] <= a[2], "interval holds S1");
    let t = sens_row(&sens, "a", "tension");
    assert!((t[0] - 1.0).abs() < 0.1 && (t[3] - 1.0).abs() < 0.1, "{t:?}");
    assert!(out.join("sensitivity.svg").is_file());
    // Continuous design: effects use thirds, and the planted one is found.
    let eff = read(&out.join("effects.csv"));
    let div = effect_row(&eff, "a", "divestiture");
    assert!(f(div[6]) > 0.5 && f(div[2]) < 0.25 && f(div[3]) > 0.75, "{div:?}");
    let md = read(&out.join("report.md"));
    assert!(
        md.contains("Sensitivity indices") && md.contains("bottom third"),
        "{md}"
    );
}

#[test]
fn morris_sweep_end_to_end() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let unit = crate::stats::design::morris(20, 2, 4, &mut rng);
    make_unit_sweep(tmp.path(), "morris", &unit, 40);
    analyze(tmp.path(), &AnalyzeOptions::default()).expect("analyze");
    let sens = read(&tmp.path().join("analysis/sensitivity.csv"));
    assert!(sens.starts_with("param,output,mu,mu_star,sigma,noise_share,mu_star_noise,sigma_corr\n"));
    let a = sens_row(&sens, "a", "tension");
    let b = sens_row(&sens, "b", "tension");
    assert!((a[0] - 2.0).abs() < 1e-3 && b[1].abs() < 1e-9, "{a:?} {b:?}");
}

#[test]
fn incomplete_sobol_design_is_a_note_not_an_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut unit = crate::stats::design::saltelli(8, 2, &mut rng);
    unit.pop();
    make_unit_sweep(tmp.path(), "sobol", &unit, 5);
    analyze(tmp.path(), &AnalyzeOptions::default()).expect("analyze");
    let out = tmp.path().join("analysis");
    assert!(!out.join("sensitivity.csv").exists());
    assert!(read(&out.join("report.md")).contains("No sensitivity indices"));
}
