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
    // The fixture has `outcome_tick`: hazard.csv too.
    assert_eq!(s.files.len(), 6);
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

/// The hand-checked run directory: 10 runs over a 14-month horizon (periods 1–6, 7–12
/// and 13–14), rows in reverse run order, and two ties.
///
/// | run | outcome | month | route | headline stake | amazon-anthropic |
/// |---|---|---|---|---|---|
/// | 0–3 | symbiosis | 14 | status_quo | 0.4, 0.5, 0.45, 0.6 | symbiosis 0.25 |
/// | 4 | decoupling | 3 | gradual | 0.3 | symbiosis 0.25 |
/// | 5 | decoupling | 8 | break_up | 0.2 | symbiosis 0.25 |
/// | 6 | decoupling | 13 | gradual | 0.1 | symbiosis 0.25 |
/// | 7 | acquisition | 5 | bid | 1 | symbiosis 0.25 |
/// | 8 | acquisition | 10 | bid | 1 | divestiture cma:stake (month 11) 0 |
/// | 9 | divestiture | 14 | cma:ties | 0 | divestiture cma:stake (month 14) 0 |
const HAND_RUNS: [(&str, u32, &str, f64); 10] = [
    ("symbiosis", 14, "status_quo", 0.4),
    ("symbiosis", 14, "status_quo", 0.5),
    ("symbiosis", 14, "status_quo", 0.45),
    ("symbiosis", 14, "status_quo", 0.6),
    ("decoupling", 3, "gradual", 0.3),
    ("decoupling", 8, "break_up", 0.2),
    ("decoupling", 13, "gradual", 0.1),
    ("acquisition", 5, "bid", 1.0),
    ("acquisition", 10, "bid", 1.0),
    ("divestiture", 14, "cma:ties", 0.0),
];

fn make_hand_run_dir(dir: &Path) {
    let mut out = String::from("run,seed,outcome,outcome_tick,outcome_route\n");
    let mut ties = String::from("run,partnership,investor,lab,outcome,route,month,stake,invested\n");
    for (run, (outcome, month, route, stake)) in HAND_RUNS.iter().enumerate().rev() {
        writeln!(out, "{run},{},{outcome},{month},{route}", 100 + run).ok();
        writeln!(
            ties,
            "{run},investor-lab,investor,lab,{outcome},{route},{month},{stake},0"
        )
        .ok();
        let other = match run {
            8 => "divestiture,cma:stake,11,0",
            9 => "divestiture,cma:stake,14,0",
            _ => "symbiosis,status_quo,14,0.25",
        };
        writeln!(ties, "{run},amazon-anthropic,amazon,anthropic,{other},1.5").ok();
    }
    put(dir, "outcomes.csv", &out);
    put(dir, "partnerships.csv", &ties);
    put(
        dir,
        "manifest.json",
        r#"{"kind":"run","scenario_name":"hand","runs":10,"scenario":{"horizon_months":14}}"#,
    );
}

#[test]
fn routes_hazard_and_partnerships_match_hand_computation() {
    let tmp = tempfile::tempdir().expect("tempdir");
    make_hand_run_dir(tmp.path());
    let s = analyze(tmp.path(), &AnalyzeOptions::default()).expect("analyze");
    let out = tmp.path().join("analysis");
    for f in ["routes.csv", "hazard.csv", "partnerships.csv"] {
        assert!(s.files.contains(&out.join(f)), "{f} not written");
    }

    // Shares: of the outcome's runs (decoupling: 2 of 3 gradual) and of all 10 runs.
    // Months, type 7: gradual {3, 13} → p10 3 + 0.1·10 = 4, median 8, p90 12;
    // bid {5, 10} → 5.5, 7.5, 9.5. Within an outcome the route with more runs comes first.
    assert_eq!(
        read(&out.join("routes.csv")),
        "outcome,route,runs,share_of_outcome,share_of_runs,month_p10,month_median,month_p90\n\
         symbiosis,status_quo,4,1,0.4,14,14,14\n\
         decoupling,gradual,2,0.666667,0.2,4,8,12\n\
         decoupling,break_up,1,0.333333,0.1,8,8,8\n\
         acquisition,bid,2,1,0.2,5.5,7.5,9.5\n\
         divestiture,cma:ties,1,1,0.1,14,14,14\n"
    );

    // Runs end in months 14 (runs 0–3 and 9), 3, 8, 13, 5 and 10. Run-months at risk:
    // 1–6: 5·6 + 3 (run 4) + 6 (run 5) + 6 (run 6) + 5 (run 7) + 6 (run 8) = 56;
    // 7–12: 5·6 + 2 (run 5: months 7, 8) + 6 (run 6) + 4 (run 8: 7–10) = 42;
    // 13–14: 5·2 + 1 (run 6: month 13) = 11. (56 + 42 + 11 = 109 = the months lived.)
    // Events: decoupling in months 3, 8, 13; acquisition 5, 10; divestiture 14.
    // So 1/56 = 0.017857, 1/42 = 0.02381, 1/11 = 0.090909 per month.
    assert_eq!(
        read(&out.join("hazard.csv")),
        "outcome,period_start,period_end,events,run_months_at_risk,hazard_per_month\n\
         decoupling,1,6,1,56,0.017857\n\
         decoupling,7,12,1,42,0.02381\n\
         decoupling,13,14,1,11,0.090909\n\
         acquisition,1,6,1,56,0.017857\n\
         acquisition,7,12,1,42,0.02381\n\
         acquisition,13,14,0,11,0\n\
         divestiture,1,6,0,56,0\n\
         divestiture,7,12,0,42,0\n\
         divestiture,13,14,1,11,0.090909\n"
    );

    // Wilson 95% of k of 10, (p + z²/2n ∓ z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n):
    // 0 → 0–0.277533, 1 → 0.017876–0.40415, 2 → 0.056682–0.509838,
    // 3 → 0.107791–0.603222, 4 → 0.16818–0.687326, 8 → 0.490162–0.943318.
    // Median stakes: symbiosis {0.4, 0.45, 0.5, 0.6} → 0.475; decoupling {0.1, 0.2, 0.3} → 0.2.
    // Ties in order of first appearance (run 9's rows come first: headline, then amazon).
    assert_eq!(
        read(&out.join("partnerships.csv")),
        "partnership,investor,lab,runs,outcome,count,share,share_lo,share_hi,stake_median,routes\n\
         investor-lab,investor,lab,10,symbiosis,4,0.4,0.16818,0.687326,0.475,status_quo 4\n\
         investor-lab,investor,lab,10,decoupling,3,0.3,0.107791,0.603222,0.2,gradual 2; break_up 1\n\
         investor-lab,investor,lab,10,acquisition,2,0.2,0.056682,0.509838,1,bid 2\n\
         investor-lab,investor,lab,10,divestiture,1,0.1,0.017876,0.40415,0,cma:ties 1\n\
         amazon-anthropic,amazon,anthropic,10,symbiosis,8,0.8,0.490162,0.943318,0.25,status_quo 8\n\
         amazon-anthropic,amazon,anthropic,10,decoupling,0,0,0,0.277533,,\n\
         amazon-anthropic,amazon,anthropic,10,acquisition,0,0,0,0.277533,,\n\
         amazon-anthropic,amazon,anthropic,10,divestiture,2,0.2,0.056682,0.509838,0,cma:stake 2\n"
    );

    let md = read(&out.join("report.md"));
    for needle in [
        "## How each outcome came about",
        "| decoupling | gradual | 2 | 67% | 20% | 8 (4–12) |",
        "## Monthly hazard by period",
        "| 1–6 | 56 | 1.8 (1) | 1.8 (1) | 0.00 (0) |",
        "| 13–14 | 11 | 9.1 (1) | 0.00 (0) | 9.1 (1) |",
        "## Outcomes of every partnership",
        "| amazon-anthropic | amazon | anthropic | divestiture | 2 of 10 | 20% (5.7%–51%) | 0 | cma:stake 2 |",
    ] {
        assert!(md.contains(needle), "report lacks {needle:?}\n{md}");
    }
    assert!(!md.contains("older version"), "nothing is missing\n{md}");
}

/// Drops column `name` from every line of the fixture file `file`.
fn drop_column(dir: &Path, file: &str, name: &str) {
    let text = read(&dir.join(file));
    let at = text
        .lines()
        .next()
        .and_then(|h| h.split(',').position(|c| c == name))
        .expect("column in fixture");
    let mut out = String::new();
    for line in text.lines() {
        let cells: Vec<&str> = line
            .split(',')
            .enumerate()
            .filter(|&(i, _)| i != at)
            .map(|(_, c)| c)
            .collect();
        out += &(cells.join(",") + "\n");
    }
    put(dir, file, &out);
}

#[test]
fn old_directories_skip_routes_hazard_and_partnerships_with_notes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    make_hand_run_dir(d);
    analyze(d, &AnalyzeOptions::default()).expect("full analysis first");
    drop_column(d, "outcomes.csv", "outcome_route");
    drop_column(d, "outcomes.csv", "outcome_tick");
    std::fs::remove_file(d.join("partnerships.csv")).expect("rm");
    let s = analyze(d, &AnalyzeOptions::default()).expect("old directory analyses");
    let out = d.join("analysis");
    for f in ["routes.csv", "hazard.csv", "partnerships.csv"] {
        assert!(!out.join(f).exists(), "{f}: stale or written without its input");
        assert!(!s.files.contains(&out.join(f)));
    }
    let md = read(&out.join("report.md"));
    assert!(!md.contains("## How each outcome came about") && !md.contains("## Monthly hazard"));
    assert!(!md.contains("## Outcomes of every partnership"));
    for needle in [
        "no `outcome_route` column",
        "no `outcome_tick` column",
        "No `partnerships.csv`",
    ] {
        assert!(md.contains(needle), "no note {needle:?}\n{md}");
    }

    // Routes without months: the months are empty, the hazard is skipped.
    make_hand_run_dir(d);
    drop_column(d, "outcomes.csv", "outcome_tick");
    analyze(d, &AnalyzeOptions::default()).expect("routes without months");
    let routes = read(&out.join("routes.csv"));
    assert!(routes.contains("\nsymbiosis,status_quo,4,1,0.4,,,\n"), "{routes}");
    assert!(!out.join("hazard.csv").exists());
}

#[test]
fn bad_routes_months_and_ties_name_file_line_and_column() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    // Line 2 holds run 9 (rows are in reverse run order), line 3 run 8.
    make_hand_run_dir(d);
    corrupt(
        d,
        "outcomes.csv",
        "\n8,108,acquisition,10,",
        "\n8,108,acquisition,soon,",
    );
    let msg = bad_input(d);
    assert!(
        msg.contains("outcomes.csv")
            && msg.contains("line 3")
            && msg.contains("`outcome_tick`")
            && msg.contains("soon"),
        "{msg}"
    );

    make_hand_run_dir(d);
    corrupt(d, "outcomes.csv", "\n8,108,acquisition,10,", "\n8,108,acquisition,15,");
    let msg = bad_input(d);
    assert!(msg.contains("line 3") && msg.contains("outside 1..=14"), "{msg}");

    make_hand_run_dir(d);
    corrupt(d, "outcomes.csv", ",cma:ties\n", ",\n");
    let msg = bad_input(d);
    assert!(
        msg.contains("line 2") && msg.contains("`outcome_route`") && msg.contains("empty route"),
        "{msg}"
    );

    // partnerships.csv: line 2 is run 9's headline, line 3 run 9's amazon-anthropic.
    make_hand_run_dir(d);
    corrupt(
        d,
        "partnerships.csv",
        "9,amazon-anthropic,amazon,anthropic,divestiture,",
        "9,amazon-anthropic,amazon,anthropic,merger,",
    );
    let msg = bad_input(d);
    assert!(
        msg.contains("partnerships.csv")
            && msg.contains("line 3")
            && msg.contains("`outcome`")
            && msg.contains("merger"),
        "{msg}"
    );

    make_hand_run_dir(d);
    corrupt(d, "partnerships.csv", "cma:stake,14,", "cma:stake,late,");
    let msg = bad_input(d);
    assert!(
        msg.contains("partnerships.csv") && msg.contains("line 3") && msg.contains("`month`"),
        "{msg}"
    );

    make_hand_run_dir(d);
    corrupt(
        d,
        "partnerships.csv",
        "\n8,amazon-anthropic,amazon,",
        "\n8,amazon-anthropic,google,",
    );
    let msg = bad_input(d);
    assert!(
        msg.contains("line 5") && msg.contains("`investor`") && msg.contains("google"),
        "{msg}"
    );
    assert!(!d.join("analysis/routes.csv").exists(), "nothing written on bad input");
}

#[test]
fn sweep_routes_and_hazard_lead_with_the_point() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    put(d, "points.csv", "point,x\n0,1\n1,2\n");
    // No manifest: the horizon is the latest month seen (8); periods 1–6 and 7–8.
    put(
        d,
        "outcomes.csv",
        "point,run,outcome,outcome_tick,outcome_route\n\
         0,0,symbiosis,8,status_quo\n0,1,decoupling,2,break_up\n\
         1,0,divestiture,7,eu:ties\n1,1,divestiture,8,cma:ties\n",
    );
    // Partnerships of a sweep are not analysed, even when such a file is there.
    put(d, "partnerships.csv", "garbage\n");
    analyze(d, &AnalyzeOptions::default()).expect("sweep");
    let out = d.join("analysis");
    assert_eq!(
        read(&out.join("routes.csv")),
        "point,outcome,route,runs,share_of_outcome,share_of_runs,month_p10,month_median,month_p90\n\
         0,symbiosis,status_quo,1,1,0.5,8,8,8\n\
         0,decoupling,break_up,1,1,0.5,2,2,2\n\
         1,divestiture,cma:ties,1,0.5,0.5,8,8,8\n\
         1,divestiture,eu:ties,1,0.5,0.5,7,7,7\n"
    );
    // Point 1: both runs at risk in 1–6 (12 run-months); in 7–8 run 0 for month 7 and
    // run 1 for months 7 and 8 (3), with both divestitures there: 2/3.
    let hazard = read(&out.join("hazard.csv"));
    assert!(hazard.starts_with("point,outcome,period_start,period_end,events,run_months_at_risk,hazard_per_month\n"));
    assert!(hazard.contains("\n0,decoupling,1,6,1,8,0.125\n"), "{hazard}");
    assert!(hazard.contains("\n1,divestiture,7,8,2,3,0.666667\n"), "{hazard}");
    assert_eq!(hazard.lines().count(), 1 + 2 * 3 * 2);
    assert!(!out.join("partnerships.csv").exists());
    let md = read(&out.join("report.md"));
    assert!(
        md.contains("takes the latest month in `outcomes.csv`, 8, as the horizon"),
        "{md}"
    );
    assert!(md.contains("pools all 2 points"), "{md}");
}
