//! The command line (SPEC §3–§5), through the real binary: every subcommand, a corpus of
//! bad inputs (exit code 2 and a message naming the problem), output files and their
//! columns, determinism across thread counts, and the no-overwrite rule.

use crate::common;
use common::*;

use std::path::Path;
use std::process::Output;

const OUTCOMES_PREFIX: &str = "run,seed,outcome,outcome_tick,tension,lab_cloud_share_investor,\
investor_inhouse_ratio,talent_share_top2,startups_alive,hhi_max";
const EVENTS_HEADER: &str = "run,tick,date,kind,actor,target,detail";
const RUN_FILES: [&str; 3] = ["outcomes.csv", "timeseries.csv", "events.csv"];

/// Every subcommand, for the `--help` check.
const SUBCOMMANDS: [&str; 11] = [
    "run",
    "scenarios",
    "show",
    "validate",
    "params",
    "sweep",
    "merge",
    "analyze",
    "calibrate",
    "bench",
    "slurm",
];

/// Context for assertion messages: the command's exit code, stdout and stderr.
fn ctx(o: &Output) -> String {
    format!(
        "exit {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        code(o),
        stdout(o),
        stderr(o)
    )
}

fn assert_no_panic(o: &Output) {
    assert!(!stderr(o).contains("panicked"), "the tool panicked:\n{}", ctx(o));
    assert_ne!(code(o), 101, "exit code 101 is a panic:\n{}", ctx(o));
}

fn assert_ok(o: &Output) {
    assert_no_panic(o);
    assert_eq!(code(o), 0, "expected success:\n{}", ctx(o));
}

/// Exit code 2, no panic, and stderr holds every `needle`.
fn assert_bad_input(o: &Output, needles: &[&str]) {
    assert_no_panic(o);
    assert_eq!(code(o), 2, "expected exit 2 (bad input):\n{}", ctx(o));
    let err = stderr(o);
    for n in needles {
        assert!(err.contains(n), "stderr does not name {n:?}:\n{}", ctx(o));
    }
}

fn text(p: impl AsRef<Path>) -> String {
    String::from_utf8(read(p)).expect("utf-8")
}

fn small_sweep(dir: &Path) -> std::path::PathBuf {
    write(
        dir,
        "sw.toml",
        "[sweep]\nscenario = \"baseline\"\nruns_per_point = 10\nseed = 3\ndesign = \"grid\"\n\
         [[sweep.vary]]\nparam = \"regulation.stringency\"\nvalues = [0.5, 2.0]\n",
    )
}

// ---- help, scenarios, show, params ----

#[test]
fn help_of_every_subcommand_exits_0_and_shows_examples() {
    let o = run(&["--help"]);
    assert_ok(&o);
    assert!(stdout(&o).contains("Examples"), "{}", ctx(&o));
    let mut missing = Vec::new();
    for sub in SUBCOMMANDS {
        let o = run(&[sub, "--help"]);
        assert_ok(&o);
        // "Examples:" (or "Example:" where there is only one).
        if !stdout(&o).contains("Example") {
            missing.push(sub);
        }
    }
    assert!(missing.is_empty(), "`--help` shows no examples for: {missing:?}");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["frobnicate"][..],
        &[],
        &["run", "--runs", "0"],
        &["run", "--threads", "many"],
        &["run", "--no-such-flag"],
        &["sweep"],
        &["sweep", "x.toml", "--shard", "3/2"],
        &["merge", "a"],
        &["validate"],
        &["slurm", "x.toml"],
    ] {
        let o = run(args);
        assert_no_panic(&o);
        assert_eq!(code(&o), 2, "{args:?}:\n{}", ctx(&o));
        assert!(!stderr(&o).trim().is_empty(), "{args:?}: no message");
    }
}

#[test]
fn scenarios_lists_bundled_scenarios_and_show_prints_valid_toml_for_each() {
    let o = run(&["scenarios"]);
    assert_ok(&o);
    let listed: Vec<String> = stdout(&o)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .collect();
    for name in [
        "baseline",
        "strict-regulators",
        "open-source-surge",
        "cheap-migration",
        "talent-war",
        "copilot-collision",
        "scale-1m",
    ] {
        assert!(listed.iter().any(|n| n == name), "{name} not listed:\n{}", stdout(&o));
    }
    let t = tmp();
    for name in &listed {
        let o = run(&["show", name]);
        assert_ok(&o);
        let f = write(t.path(), &format!("{name}.toml"), &stdout(&o));
        let v = run(&["validate", s(&f)]);
        assert_ok(&v);
        assert!(stdout(&v).contains("ok"), "{name}: {}", ctx(&v));
    }
}

#[test]
fn show_baseline_round_trips_exactly() {
    let t = tmp();
    let o = run(&["show", "baseline"]);
    assert_ok(&o);
    let shown = stdout(&o);
    for key in [
        "name = \"baseline\"",
        "horizon_months = 18",
        "exclusivity = ",
        "investor_stake = ",
        "first_access = ",
        "migration_cost = ",
        "overlap = ",
        "stringency = ",
        "strength = ",
        "researchers = ",
        "initial = ",
        "crisis_rate = ",
    ] {
        assert!(shown.contains(key), "`show baseline` lacks {key:?}");
    }
    let f = write(t.path(), "f.toml", &shown);
    assert_ok(&run(&["validate", s(&f)]));
    // Showing the shown file gives the same text.
    let again = run(&["show", s(&f)]);
    assert_ok(&again);
    assert_eq!(stdout(&again), shown, "show of the shown file differs");

    let (a, b) = (t.path().join("a"), t.path().join("b"));
    let common_args = ["--runs", "40", "--seed", "7", "--quiet"];
    let oa = run(&[&["run", s(&f), "--out", s(&a)][..], &common_args[..]].concat());
    let ob = run(&[&["run", "baseline", "--out", s(&b)][..], &common_args[..]].concat());
    assert_ok(&oa);
    assert_ok(&ob);
    for file in RUN_FILES {
        assert!(
            read(a.join(file)) == read(b.join(file)),
            "{file}: `run f.toml` (f = show baseline) differs from `run baseline`"
        );
    }
}

#[test]
fn show_applies_set_and_rejects_unknown_scenarios() {
    let o = run(&[
        "show",
        "baseline",
        "--set",
        "regulation.stringency=2.5",
        "--set",
        "partnership.exclusivity=rofr",
    ]);
    assert_ok(&o);
    let out = stdout(&o);
    assert!(out.contains("stringency = 2.5"), "{out}");
    assert!(out.contains("exclusivity = \"rofr\""), "{out}");
    let o = run(&["show", "no-such-scenario"]);
    assert_bad_input(&o, &["no-such-scenario", "baseline"]);
}

#[test]
fn params_prints_every_required_knob_with_range() {
    let o = run(&["params"]);
    assert_ok(&o);
    let out = stdout(&o);
    for path in [
        "horizon_months",
        "partnership.exclusivity",
        "partnership.investor_stake",
        "partnership.first_access",
        "cloud.migration_cost",
        "products.overlap",
        "regulation.stringency",
        "open_source.strength",
        "talent.researchers",
        "startups.initial",
        "governance.crisis_rate",
    ] {
        let line = out
            .lines()
            .find(|l| l.contains(&format!("`{path}`")))
            .unwrap_or_else(|| panic!("params lacks {path}:\n{out}"));
        assert!(line.matches('|').count() >= 6, "{path}: not a table row: {line}");
    }
    assert!(
        out.lines()
            .any(|l| l.contains("`partnership.investor_stake`") && l.contains("0 ..= 1")),
        "investor_stake range not shown"
    );
    assert_ok(&run(&["params", "strict-regulators"]));
    assert_bad_input(&run(&["params", "no-such-scenario"]), &["no-such-scenario"]);
}

// ---- run ----

/// Parses the outcome table: (outcome, count, p %, lo %, hi %, article %).
fn parse_table(out: &str) -> Vec<(String, u64, f64, f64, f64, f64)> {
    let mut rows = Vec::new();
    for line in out.lines() {
        let words: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || c == '[' || c == ']' || c == ',' || c == '%')
            .filter(|w| !w.is_empty())
            .collect();
        if words.len() == 6 && ["symbiosis", "decoupling", "acquisition", "divestiture"].contains(&words[0]) {
            let n = |i: usize| -> f64 { words[i].parse().unwrap_or_else(|_| panic!("bad number in {line:?}")) };
            rows.push((words[0].to_string(), n(1) as u64, n(2), n(3), n(4), n(5)));
        }
    }
    rows
}

fn wilson(k: u64, n: u64) -> (f64, f64) {
    let z = 1.959963984540054_f64;
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let den = 1.0 + z * z / n;
    let mid = (p + z * z / (2.0 * n)) / den;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / den;
    (mid - half, mid + half)
}

#[test]
fn run_prints_wilson_intervals_beside_the_article_and_writes_section5_files() {
    let t = tmp();
    let d = t.path().join("r");
    let o = run(&["run", "--runs", "30", "--seed", "5", "--out", s(&d)]);
    assert_ok(&o);
    let out = stdout(&o);
    assert!(out.contains("95%"), "no 95% interval heading:\n{out}");

    // The table: four outcomes, counts summing to the runs, Wilson intervals, 60/25/10/5.
    let rows = parse_table(&out);
    let names: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        names,
        ["symbiosis", "decoupling", "acquisition", "divestiture"],
        "{out}"
    );
    assert_eq!(rows.iter().map(|r| r.1).sum::<u64>(), 30, "{out}");
    for ((name, k, p, lo, hi, article), reference) in rows.iter().zip([60.0, 25.0, 10.0, 5.0]) {
        assert_eq!(*article, reference, "{name}: article reference");
        assert!((p - 100.0 * *k as f64 / 30.0).abs() < 0.051, "{name}: p {p}");
        let (wl, wh) = wilson(*k, 30);
        assert!(
            (lo - 100.0 * wl).abs() < 0.051,
            "{name}: lo {lo} vs Wilson {}",
            100.0 * wl
        );
        assert!(
            (hi - 100.0 * wh).abs() < 0.051,
            "{name}: hi {hi} vs Wilson {}",
            100.0 * wh
        );
    }

    // outcomes.csv
    let outcomes = text(d.join("outcomes.csv"));
    let mut lines = outcomes.lines();
    let header = lines.next().expect("header");
    assert!(header.starts_with(OUTCOMES_PREFIX), "outcomes.csv header: {header}");
    let columns: Vec<&str> = header.split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 30);
    let mut counts = std::collections::BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.len(), columns.len(), "row {i}: {r:?}");
        assert_eq!(r[0], i.to_string());
        r[1].parse::<u64>().expect("seed is an integer");
        *counts.entry(r[2]).or_insert(0u64) += 1;
        let tick: u32 = r[3].parse().expect("outcome_tick");
        assert!((1..=18).contains(&tick), "outcome_tick {tick}");
        for (c, v) in columns.iter().zip(r).skip(4) {
            if *c == "outcome_route" {
                assert!(
                    !v.is_empty() && v.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_' || ch == ':'),
                    "{v}"
                );
                continue;
            }
            let x: f64 = v.parse().unwrap_or_else(|_| panic!("{c} = {v:?} is not a number"));
            assert!(x.is_finite(), "{c} = {x}");
        }
    }
    for (name, k, ..) in parse_table(&out) {
        assert_eq!(
            counts.get(name.as_str()).copied().unwrap_or(0),
            k,
            "{name}: table vs CSV"
        );
    }

    // timeseries.csv: run, tick, then every metric column of outcomes.csv.
    let ts = text(d.join("timeseries.csv"));
    let ts_header = ts.lines().next().expect("header");
    assert!(ts_header.starts_with("run,tick,"), "timeseries.csv header: {ts_header}");
    let ts_columns: Vec<&str> = ts_header.split(',').collect();
    for c in columns[4..].iter().filter(|c| **c != "outcome_route") {
        assert!(ts_columns.contains(c), "timeseries.csv lacks metric {c}");
    }
    assert!(ts_columns.iter().any(|c| c.starts_with("hhi_")), "no per-segment HHI");
    assert!(
        ts_columns.iter().any(|c| c.starts_with("share_")),
        "no per-segment shares"
    );
    assert_eq!(ts.lines().count(), 1 + 30 * 18, "one row per run per month");
    assert!(ts.lines().skip(1).all(|l| l.split(',').count() == ts_columns.len()));

    // events.csv
    let ev = text(d.join("events.csv"));
    assert_eq!(ev.lines().next(), Some(EVENTS_HEADER));
    assert!(ev.lines().count() > 1, "no events in 30 runs");

    // manifest.json
    let m: serde_json::Value = serde_json::from_str(&text(d.join("manifest.json"))).expect("manifest is JSON");
    assert_eq!(m["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(m["master_seed"], 5);
    assert_eq!(m["runs"], 30);
    assert_eq!(m["scenario"]["name"], "baseline");
    assert_eq!(m["scenario"]["horizon_months"], 18);
    let cmd = m["command_line"].as_array().expect("command_line array");
    assert!(cmd.iter().any(|a| a == "--runs"), "command line: {cmd:?}");
}

#[test]
fn run_accepts_a_path_a_bundled_name_and_set_overrides() {
    let t = tmp();
    let d = t.path().join("strict");
    let o = run(&[
        "run",
        "strict-regulators",
        "--runs",
        "20",
        "--set",
        "horizon_months=6",
        "--set",
        "partnership.exclusivity=none",
        "--out",
        s(&d),
        "--quiet",
    ]);
    assert_ok(&o);
    assert!(stdout(&o).is_empty(), "--quiet prints nothing: {}", stdout(&o));
    let m: serde_json::Value = serde_json::from_str(&text(d.join("manifest.json"))).expect("JSON");
    assert_eq!(m["scenario"]["horizon_months"], 6);
    assert_eq!(m["scenario"]["partnership"]["exclusivity"], "none");
    assert_eq!(m["scenario"]["name"], "strict-regulators");
    assert_eq!(text(d.join("timeseries.csv")).lines().count(), 1 + 20 * 6);

    let f = t.path().join("talent.toml");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/talent-war.toml"),
        &f,
    )
    .expect("copy");
    assert_ok(&run(&[
        "run",
        s(&f),
        "--runs",
        "10",
        "--out",
        s(&t.path().join("tw")),
        "--quiet",
    ]));
}

#[test]
fn run_is_identical_with_one_and_two_threads() {
    let t = tmp();
    for (label, extra) in [
        ("baseline", &[][..]),
        (
            "overrides",
            &[
                "--set",
                "talent.search_hazard=0.3",
                "--set",
                "governance.crisis_rate=0.2",
            ][..],
        ),
    ] {
        let a = t.path().join(format!("{label}-1"));
        let b = t.path().join(format!("{label}-2"));
        let base = ["run", "--runs", "60", "--seed", "11", "--quiet"];
        let oa = run(&[&base[..], extra, &["--threads", "1", "--out", s(&a)][..]].concat());
        let ob = run(&[&base[..], extra, &["--threads", "2", "--out", s(&b)][..]].concat());
        assert_ok(&oa);
        assert_ok(&ob);
        for f in RUN_FILES {
            assert!(
                read(a.join(f)) == read(b.join(f)),
                "{label}: {f} differs between 1 and 2 threads"
            );
        }
    }
}

#[test]
fn piped_runs_show_no_progress_bar() {
    let t = tmp();
    let checks: [Vec<String>; 2] = [
        vec![
            "run".into(),
            "--runs".into(),
            "600".into(),
            "--out".into(),
            s(&t.path().join("r")).into(),
        ],
        vec![
            "sweep".into(),
            s(&small_sweep(t.path())).into(),
            "--out".into(),
            s(&t.path().join("sw")).into(),
        ],
    ];
    for args in &checks {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(&args);
        assert_ok(&o);
        let err = stderr(&o);
        for bar in ["█", "░", "▏", "ETA", "\r", "\x1b["] {
            assert!(
                !err.contains(bar),
                "{args:?}: progress output {bar:?} on a pipe:\n{err:?}"
            );
        }
        assert!(!stdout(&o).contains('\r'), "{args:?}: carriage return on stdout");
    }
}

// ---- output directories: never overwrite silently ----

#[test]
fn default_output_directory_gets_a_fresh_name() {
    let t = tmp();
    let first = run_in(t.path(), &["run", "--runs", "20", "--quiet"]);
    assert_ok(&first);
    let d1 = t.path().join("output/baseline-seed42");
    let before = read(d1.join("outcomes.csv"));
    let second = run_in(t.path(), &["run", "--runs", "20", "--seed", "42"]);
    assert_ok(&second);
    let d2 = t.path().join("output/baseline-seed42-2");
    assert!(d2.join("outcomes.csv").exists(), "second run not in {}", d2.display());
    assert!(
        stdout(&second).contains("baseline-seed42-2"),
        "the fresh name is not reported:\n{}",
        stdout(&second)
    );
    assert!(read(d1.join("outcomes.csv")) == before, "first results were touched");
    let third = run_in(t.path(), &["run", "--runs", "20", "--quiet"]);
    assert_ok(&third);
    assert!(t.path().join("output/baseline-seed42-3/outcomes.csv").exists());
}

#[test]
fn explicit_out_holding_results_needs_force() {
    let t = tmp();
    let d = t.path().join("r");
    assert_ok(&run(&["run", "--runs", "20", "--seed", "1", "--out", s(&d), "--quiet"]));
    let before = read(d.join("outcomes.csv"));
    let o = run(&["run", "--runs", "20", "--seed", "2", "--out", s(&d), "--quiet"]);
    assert_bad_input(&o, &[s(&d), "--force"]);
    assert!(
        read(d.join("outcomes.csv")) == before,
        "results overwritten without --force"
    );
    assert_ok(&run(&[
        "run",
        "--runs",
        "20",
        "--seed",
        "2",
        "--out",
        s(&d),
        "--quiet",
        "--force",
    ]));
    assert!(
        read(d.join("outcomes.csv")) != before,
        "--force did not rewrite the results"
    );

    // An empty existing directory is fine without --force.
    let empty = t.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    assert_ok(&run(&["run", "--runs", "5", "--out", s(&empty), "--quiet"]));

    // --out naming a file is bad input, and the file is left alone.
    let file = write(t.path(), "afile", "keep me");
    let o = run(&["run", "--runs", "5", "--out", s(&file), "--quiet"]);
    assert_bad_input(&o, &[s(&file), "not a directory"]);
    assert_eq!(text(&file), "keep me");

    // Sweep and merge follow the same rule.
    let sw = small_sweep(t.path());
    let out = t.path().join("sw");
    assert_ok(&run(&["sweep", s(&sw), "--out", s(&out), "--quiet"]));
    assert_bad_input(&run(&["sweep", s(&sw), "--out", s(&out), "--quiet"]), &["--force"]);
    assert_bad_input(&run(&["merge", s(&out), "--out", s(&d)]), &["--force"]);
}

#[test]
fn unwritable_output_is_a_clear_error_with_exit_1() {
    let t = tmp();
    let file = write(t.path(), "somefile", "");
    let under_file = file.join("sub");
    let sw = small_sweep(t.path());
    let cases = [
        ("run", under_file.clone()),
        ("run", Path::new("/proc/coopetition-test/out").to_path_buf()),
        ("sweep", under_file.clone()),
    ];
    for (sub, target) in &cases {
        let o = if *sub == "run" {
            run(&["run", "--runs", "5", "--out", s(target), "--quiet"])
        } else {
            run(&["sweep", s(&sw), "--out", s(target), "--quiet"])
        };
        assert_no_panic(&o);
        assert_eq!(
            code(&o),
            1,
            "{}: expected exit 1 (I/O failure):\n{}",
            target.display(),
            ctx(&o)
        );
        let err = stderr(&o);
        assert!(err.contains(s(target)), "the path is not named:\n{err}");
        assert!(err.contains("cannot create"), "no reason given:\n{err}");
        // The OS reason once, not repeated.
        assert_eq!(
            err.matches("(os error").count(),
            1,
            "OS error repeated in the message:\n{err}"
        );
    }
}

// ---- bad input corpus ----

/// A bad scenario file: its name, content (None = do not create it; "<dir>" = a directory),
/// and what the message must name besides the file.
struct Case {
    name: &'static str,
    content: Option<&'static str>,
    needles: &'static [&'static str],
}

const CORPUS: &[Case] = &[
    Case {
        name: "malformed.toml",
        content: Some("name = \"x\"\n[cloud\nmigration_cost = 2\n"),
        needles: &["malformed.toml:2:"],
    },
    Case {
        name: "unclosed-string.toml",
        content: Some("name = \"x\n"),
        needles: &["unclosed-string.toml:1:"],
    },
    Case {
        name: "duplicate.toml",
        content: Some("name = \"x\"\n[cloud]\nmigration_cost = 1\nmigration_cost = 2\n"),
        needles: &["duplicate.toml:4:", "duplicate"],
    },
    Case {
        name: "unknown-key.toml",
        content: Some("name = \"x\"\n[cloud]\nmigration_cots = 2\n"),
        needles: &[
            "unknown-key.toml:3:1",
            "migration_cots",
            "did you mean `migration_cost`",
        ],
    },
    Case {
        name: "unknown-table.toml",
        content: Some("name = \"x\"\n[regulaton]\nstringency = 2\n"),
        needles: &["unknown-table.toml:2:", "regulaton", "did you mean `regulation`"],
    },
    Case {
        name: "wrong-type.toml",
        content: Some("name = \"x\"\n[cloud]\nmigration_cost = \"two\"\n"),
        needles: &["wrong-type.toml:3:", "migration_cost"],
    },
    Case {
        name: "wrong-type-bool.toml",
        content: Some("name = \"x\"\n[partnership]\nfirst_access = 1\n"),
        needles: &["wrong-type-bool.toml:3:", "first_access"],
    },
    Case {
        name: "bad-enum.toml",
        content: Some("name = \"x\"\n[partnership]\nexclusivity = \"sometimes\"\n"),
        needles: &["bad-enum.toml:3:", "exclusivity", "rofr"],
    },
    Case {
        name: "negative-count.toml",
        content: Some("name = \"x\"\n[talent]\nresearchers = -5\n"),
        needles: &["negative-count.toml:3:", "researchers"],
    },
    Case {
        name: "out-of-range.toml",
        content: Some("name = \"x\"\n\n[partnership]\ninvestor_stake = 1.5\n"),
        needles: &["out-of-range.toml:4:1", "partnership.investor_stake", "1.5"],
    },
    Case {
        name: "negative.toml",
        content: Some("name = \"x\"\n[regulation]\nstringency = -0.5\n"),
        needles: &["negative.toml:3:1", "regulation.stringency", "-0.5"],
    },
    Case {
        name: "zero-horizon.toml",
        content: Some("name = \"x\"\nhorizon_months = 0\n"),
        needles: &["zero-horizon.toml:2:1", "horizon_months"],
    },
    Case {
        name: "huge-count.toml",
        content: Some("name = \"x\"\n[talent]\nresearchers = 200000000\n"),
        needles: &["huge-count.toml:3:1", "talent.researchers", "range"],
    },
    Case {
        name: "huge-float.toml",
        content: Some("name = \"x\"\n[regulation]\nstringency = 1e300\n"),
        needles: &["huge-float.toml:3:1", "regulation.stringency", "range"],
    },
    Case {
        name: "overflow.toml",
        content: Some("name = \"x\"\nhorizon_months = 99999999999999999999\n"),
        needles: &["overflow.toml:2:", "horizon_months"],
    },
    Case {
        name: "u32-overflow.toml",
        content: Some("name = \"x\"\n[talent]\nresearchers = 99999999999999\n"),
        needles: &["u32-overflow.toml:3:", "researchers"],
    },
    Case {
        name: "nan.toml",
        content: Some("name = \"x\"\n[cloud]\nmigration_cost = nan\n"),
        needles: &["nan.toml:3:1", "cloud.migration_cost", "finite"],
    },
    Case {
        name: "inf.toml",
        content: Some("name = \"x\"\n[regulation]\nstringency = inf\n"),
        needles: &["inf.toml:3:1", "regulation.stringency", "finite"],
    },
    Case {
        name: "minus-inf.toml",
        content: Some("name = \"x\"\n[products]\noverlap = -inf\n"),
        needles: &["minus-inf.toml:3:1", "products.overlap", "finite"],
    },
    Case {
        name: "empty.toml",
        content: Some(""),
        needles: &["empty.toml", "empty"],
    },
    Case {
        name: "blank.toml",
        content: Some("  \n\n# only a comment\n"),
        needles: &["blank.toml"],
    },
    Case {
        name: "missing.toml",
        content: None,
        needles: &["missing.toml", "cannot read"],
    },
    Case {
        name: "a-directory.toml",
        content: Some("<dir>"),
        needles: &["a-directory.toml", "directory"],
    },
];

fn materialize(dir: &Path, case: &Case) -> std::path::PathBuf {
    let p = dir.join(case.name);
    match case.content {
        Some("<dir>") => std::fs::create_dir(&p).expect("mkdir"),
        Some(c) => std::fs::write(&p, c).expect("write"),
        None => {}
    }
    p
}

#[test]
fn bad_scenario_files_exit_2_and_name_the_problem() {
    let t = tmp();
    let mut failures = Vec::new();
    for case in CORPUS {
        let p = materialize(t.path(), case);
        let out = t.path().join(format!("out-{}", case.name));
        for args in [
            vec!["validate", s(&p)],
            vec!["run", s(&p), "--runs", "2", "--out", s(&out)],
            vec!["show", s(&p)],
        ] {
            let o = run(&args);
            let err = stderr(&o);
            let missing: Vec<&&str> = case.needles.iter().filter(|n| !err.contains(**n)).collect();
            if code(&o) != 2 || err.contains("panicked") || !missing.is_empty() {
                failures.push(format!(
                    "{:?}: exit {} (want 2), stderr lacks {missing:?}:\n    {}",
                    args[0],
                    code(&o),
                    err.trim().replace('\n', "\n    ")
                ));
            }
        }
        if out.exists() {
            failures.push(format!(
                "{}: `run` created {} despite bad input",
                case.name,
                out.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} bad-input checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn one_file_with_several_errors_reports_all_of_them() {
    let t = tmp();
    let f = write(
        t.path(),
        "multi.toml",
        "name = \"x\"\nhorizon_months = 0\n[partnership]\ninvestor_stake = 2.0\n[products]\noverlap = nan\n",
    );
    let o = run(&["validate", s(&f)]);
    assert_bad_input(
        &o,
        &[
            "multi.toml:2:1: field `horizon_months`",
            "multi.toml:4:1: field `partnership.investor_stake`",
            "multi.toml:6:1: field `products.overlap`",
        ],
    );
}

#[test]
fn validate_checks_several_files_and_reports_every_error() {
    let t = tmp();
    let good = write(t.path(), "good.toml", "name = \"good\"\n[regulation]\nstringency = 2\n");
    let bad_range = write(t.path(), "range.toml", "name = \"r\"\n[products]\noverlap = 3\n");
    let malformed = write(t.path(), "broken.toml", "name = \n");
    let missing = t.path().join("absent.toml");
    let sweep = small_sweep(t.path());
    let bad_sweep = write(
        t.path(),
        "bad-sweep.toml",
        "[sweep]\nscenario = \"baseline\"\nrun_per_point = 10\n\
         [[sweep.vary]]\nparam = \"regulation.stringency\"\nvalues = [1.0]\n",
    );
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    let o = run(&[
        "validate",
        s(&good),
        s(&bad_range),
        s(&malformed),
        s(&missing),
        s(&sweep),
        s(&bad_sweep),
        s(&bundled),
    ]);
    assert_bad_input(
        &o,
        &[
            "range.toml:3:1: field `products.overlap`",
            "broken.toml:1:",
            "absent.toml",
            "bad-sweep.toml:3:1",
            "did you mean `runs_per_point`",
            "4 of 7",
        ],
    );
    let out = stdout(&o);
    assert!(out.contains(&format!("{}: ok (scenario)", s(&good))), "{out}");
    assert!(out.contains(&format!("{}: ok (sweep)", s(&sweep))), "{out}");
    assert!(out.contains("baseline.toml: ok"), "{out}");

    // All valid: exit 0.
    assert_ok(&run(&["validate", s(&good), s(&sweep)]));
    // Every bundled sweep example validates.
    let sweeps = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sweeps");
    for entry in std::fs::read_dir(&sweeps).expect("scenarios/sweeps") {
        let p = entry.expect("entry").path();
        let o = run(&["validate", s(&p)]);
        assert_ok(&o);
        assert!(stdout(&o).contains("ok (sweep)"), "{}", ctx(&o));
    }
}

#[test]
fn bad_sweep_files_name_file_line_and_field() {
    let t = tmp();
    let f = write(
        t.path(),
        "bad.toml",
        "[sweep]\nscenario = \"baseline\"\nruns_per_point = 10\ndesign = \"grid\"\n\
         [[sweep.vary]]\nparam = \"regulation.stringncy\"\nvalues = [0.5, 2.0]\n\
         [[sweep.vary]]\nparam = \"products.overlap\"\nvalues = [0.5, 2.0]\n",
    );
    for args in [
        vec!["validate", s(&f)],
        vec!["sweep", s(&f), "--out", s(&t.path().join("o"))],
    ] {
        let o = run(&args);
        assert_bad_input(
            &o,
            &[
                "regulation.stringncy",
                "did you mean `regulation.stringency`",
                "products.overlap",
                "out of range",
            ],
        );
        let err = stderr(&o);
        // Both problems sit on known lines of the file: 6 (param) and 10 (values).
        assert!(
            err.contains("bad.toml:6:"),
            "unknown vary param not located at line 6:\n{err}"
        );
        assert!(
            err.contains("bad.toml:10:"),
            "out-of-range value not located at line 10:\n{err}"
        );
    }
    let scen = write(
        t.path(),
        "missing-base.toml",
        "[sweep]\nscenario = \"nowhere.toml\"\n[[sweep.vary]]\nparam = \"regulation.stringency\"\nvalues = [1.0]\n",
    );
    assert_bad_input(&run(&["validate", s(&scen)]), &["missing-base.toml", "nowhere.toml"]);
    assert_bad_input(&run(&["sweep", s(&t.path().join("none.toml"))]), &["none.toml"]);
    assert_bad_input(
        &run(&["sweep", s(&small_sweep(t.path())), "--resume"]),
        &["--resume", "--out"],
    );
}

#[test]
fn set_overrides_are_validated_like_files() {
    let t = tmp();
    let cases: &[(&str, &[&str])] = &[
        ("regulation.stringncy=2", &["did you mean `regulation.stringency`"]),
        ("regulation.stringency=-1", &["regulation.stringency", "out of range"]),
        ("regulation.stringency=nan", &["regulation.stringency", "finite"]),
        ("cloud.migration_cost=inf", &["cloud.migration_cost", "finite"]),
        ("products.overlap=1.01", &["products.overlap", "out of range"]),
        ("talent.researchers=200000000", &["talent.researchers", "out of range"]),
        ("talent.researchers=1.5", &["talent.researchers"]),
        ("talent.researchers=0", &["talent.researchers", "out of range"]),
        ("horizon_months=99999999999999999999", &["horizon_months"]),
        ("cloud.migration_cost=abc", &["cloud.migration_cost"]),
        ("partnership.exclusivity=maybe", &["partnership.exclusivity", "rofr"]),
        ("partnership.first_access=3", &["partnership.first_access"]),
        ("cloud=2", &["cloud"]),
        ("noequals", &["PATH=VALUE"]),
        ("=1", &[]),
    ];
    let mut failures = Vec::new();
    for (arg, needles) in cases {
        let out = t.path().join("never");
        for sub in [vec!["run", "--runs", "2", "--out", s(&out)], vec!["show", "baseline"]] {
            let mut args = sub.clone();
            args.extend(["--set", arg]);
            let o = run(&args);
            let err = stderr(&o);
            let mut want: Vec<String> = needles.iter().map(|n| n.to_string()).collect();
            want.push(format!("--set {arg}"));
            let missing: Vec<&String> = want.iter().filter(|n| !err.contains(n.as_str())).collect();
            if code(&o) != 2 || err.contains("panicked") || !missing.is_empty() {
                failures.push(format!(
                    "{} --set {arg}: exit {}, lacks {missing:?}: {err}",
                    sub[0],
                    code(&o)
                ));
            }
        }
        assert!(!out.exists(), "--set {arg}: run wrote output despite bad input");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---- sweep, merge, analyze, calibrate, bench, slurm ----

#[test]
fn sweep_and_merge_write_the_section6_files() {
    let t = tmp();
    let sw = small_sweep(t.path());
    let whole = t.path().join("whole");
    let o = run(&["sweep", s(&sw), "--out", s(&whole), "--threads", "2"]);
    assert_ok(&o);
    assert!(stdout(&o).contains("2 points"), "{}", ctx(&o));
    assert_eq!(
        text(whole.join("points.csv")),
        "point,regulation.stringency\n0,0.5\n1,2.0\n"
    );
    let outcomes = text(whole.join("outcomes.csv"));
    assert!(
        outcomes.starts_with(&format!("point,{OUTCOMES_PREFIX}")),
        "{}",
        outcomes.lines().next().unwrap_or("")
    );
    assert_eq!(outcomes.lines().count(), 1 + 20);
    let summary = text(whole.join("summary.csv"));
    let mut expected = String::from("point,regulation.stringency,runs");
    for o in ["symbiosis", "decoupling", "acquisition", "divestiture"] {
        expected.push_str(&format!(",p_{o},p_{o}_lo,p_{o}_hi"));
    }
    assert!(
        summary.starts_with(&expected),
        "summary.csv header: {}",
        summary.lines().next().unwrap_or("")
    );
    assert_eq!(summary.lines().count(), 3);
    assert!(text(whole.join("timeseries_quantiles.csv")).starts_with("point,tick,metric,mean,p05,p50,p95\n"));
    let m: serde_json::Value = serde_json::from_str(&text(whole.join("manifest.json"))).expect("JSON");
    assert!(m.is_object());

    let mut shards = Vec::new();
    for k in 1..=2 {
        let d = t.path().join(format!("shard{k}"));
        assert_ok(&run(&[
            "sweep",
            s(&sw),
            "--out",
            s(&d),
            "--shard",
            &format!("{k}/2"),
            "--quiet",
        ]));
        shards.push(d);
    }
    let merged = t.path().join("merged");
    let o = run(&["merge", s(&shards[0]), s(&shards[1]), "--out", s(&merged)]);
    assert_ok(&o);
    for f in ["points.csv", "outcomes.csv", "summary.csv", "timeseries_quantiles.csv"] {
        assert!(read(whole.join(f)) == read(merged.join(f)), "merged {f} differs");
    }
    assert_bad_input(
        &run(&[
            "merge",
            s(&shards[0]),
            s(&t.path().join("nope")),
            "--out",
            s(&t.path().join("m2")),
        ]),
        &["nope"],
    );
}

#[test]
fn analyze_writes_a_self_contained_report() {
    let t = tmp();
    let d = t.path().join("r");
    assert_ok(&run(&["run", "--runs", "30", "--out", s(&d), "--quiet"]));
    let o = run(&["analyze", s(&d)]);
    assert_ok(&o);
    let out = stdout(&o);
    for name in ["symbiosis", "decoupling", "acquisition", "divestiture"] {
        assert!(out.contains(name), "analyze table lacks {name}:\n{out}");
    }
    let a = d.join("analysis");
    assert!(a.join("report.md").exists(), "no report.md");
    let html = text(a.join("report.html"));
    assert!(html.contains("<svg"), "report.html embeds no SVG");
    for needle in [
        "<img src=\"http",
        "<link",
        "<script src",
        "src=\"fan_",
        "src=\"outcomes",
        ".svg\"",
    ] {
        assert!(!html.contains(needle), "report.html is not self-contained: {needle:?}");
    }
    for line in html.lines().filter(|l| l.contains("http://") || l.contains("https://")) {
        assert!(
            line.contains("xmlns") || line.contains("<a "),
            "report.html fetches an external resource: {line}"
        );
    }
    assert!(
        std::fs::read_dir(&a).expect("analysis dir").any(|e| e
            .expect("entry")
            .path()
            .extension()
            .is_some_and(|x| x == "svg")),
        "no SVG plots written"
    );

    // On a sweep directory too.
    let sw = t.path().join("sw");
    assert_ok(&run(&["sweep", s(&small_sweep(t.path())), "--out", s(&sw), "--quiet"]));
    assert_ok(&run(&["analyze", s(&sw)]));
    assert!(sw.join("analysis/report.html").exists());

    // Bad input.
    assert_bad_input(&run(&["analyze", s(&t.path().join("nope"))]), &["nope"]);
    let empty = t.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    assert_bad_input(&run(&["analyze", s(&empty)]), &["empty"]);
    assert_bad_input(&run(&["analyze", s(&d), "--format", "pdf"]), &["pdf"]);
}

#[test]
fn analyze_writes_routes_hazard_and_partnerships_of_a_run() {
    let t = tmp();
    let d = t.path().join("r");
    assert_ok(&run(&[
        "run",
        "--runs",
        "200",
        "--seed",
        "3",
        "--out",
        s(&d),
        "--quiet",
    ]));
    assert_ok(&run(&["analyze", s(&d), "--format", "md"]));
    let a = d.join("analysis");
    let routes = text(a.join("routes.csv"));
    let hazard = text(a.join("hazard.csv"));
    let ties = text(a.join("partnerships.csv"));
    assert_eq!(
        routes.lines().next(),
        Some("outcome,route,runs,share_of_outcome,share_of_runs,month_p10,month_median,month_p90")
    );
    assert_eq!(
        hazard.lines().next(),
        Some("outcome,period_start,period_end,events,run_months_at_risk,hazard_per_month")
    );
    assert_eq!(
        ties.lines().next(),
        Some("partnership,investor,lab,runs,outcome,count,share,share_lo,share_hi,stake_median,routes")
    );
    let cells = |line: &str, i: usize| line.split(',').nth(i).unwrap_or_default().to_string();
    let runs: u64 = routes
        .lines()
        .skip(1)
        .map(|l| cells(l, 2).parse::<u64>().expect("runs"))
        .sum();
    assert_eq!(runs, 200, "routes' runs sum to the runs:\n{routes}");
    // Baseline horizon 18: three periods for each of the three outcomes that end a run.
    assert_eq!(hazard.lines().count(), 1 + 3 * 3, "{hazard}");
    // Each tie has four rows whose counts sum to the 200 runs; the headline comes first.
    let tie_rows: Vec<&str> = ties.lines().skip(1).collect();
    assert!(!tie_rows.is_empty() && tie_rows.len().is_multiple_of(4), "{ties}");
    assert!(tie_rows[0].starts_with("investor-lab,"), "{ties}");
    for tie in tie_rows.chunks(4) {
        let counts: u64 = tie.iter().map(|l| cells(l, 5).parse::<u64>().expect("count")).sum();
        assert_eq!(counts, 200, "{tie:?}");
    }
    let md = text(a.join("report.md"));
    for heading in [
        "How each outcome came about",
        "Monthly hazard by period",
        "Outcomes of every partnership",
    ] {
        assert!(md.contains(&format!("## {heading}")), "report lacks {heading}");
    }
}

#[test]
fn calibrate_tiny_writes_a_scenario_that_validates() {
    let t = tmp();
    let out = t.path().join("cal.toml");
    let args = [
        "calibrate",
        "--runs",
        "100",
        "--max-evals",
        "5",
        "--verify-runs",
        "100",
        "--out",
        s(&out),
    ];
    let o = run(&args);
    assert_no_panic(&o);
    assert!(matches!(code(&o), 0 | 1), "calibrate must exit 0 or 1:\n{}", ctx(&o));
    let err = stderr(&o);
    assert!(
        !err.contains('\r') && !err.contains("█"),
        "progress bar on a pipe: {err:?}"
    );
    let v = run(&["validate", s(&out)]);
    assert_ok(&v);
    assert!(stdout(&v).contains("ok (scenario)"));
    let body = text(&out);
    for p in ["bid_propensity", "divest_propensity", "migration_propensity"] {
        assert!(body.contains(p), "calibrated scenario lacks {p}");
    }

    // It does not overwrite without --force; bad arguments are bad input.
    assert_bad_input(&run(&args), &["cal.toml", "--force"]);
    let other = t.path().join("c2.toml");
    assert_bad_input(
        &run(&["calibrate", "--target", "symbiosis=2", "--out", s(&other)]),
        &["--target"],
    );
    assert_bad_input(
        &run(&["calibrate", "--params", "regulation.stringncy", "--out", s(&other)]),
        &["regulation.stringncy"],
    );
    assert_bad_input(
        &run(&["calibrate", "no-such-scenario", "--out", s(&other)]),
        &["no-such-scenario"],
    );
    assert!(!other.exists());
}

#[test]
fn slurm_help_and_bad_input() {
    assert_ok(&run(&["slurm", "--help"]));
    assert_ok(&run(&["bench", "--help"]));
    let t = tmp();
    let out = t.path().join("cluster");
    assert_bad_input(
        &run(&[
            "slurm",
            s(&t.path().join("missing.toml")),
            "--tasks",
            "2",
            "--out",
            s(&out),
        ]),
        &["missing.toml"],
    );
    let sw = small_sweep(t.path());
    assert_bad_input(&run(&["slurm", s(&sw), "--tasks", "0", "--out", s(&out)]), &["--tasks"]);
    assert_bad_input(
        &run(&["slurm", s(&sw), "--tasks", "2", "--time", "bogus", "--out", s(&out)]),
        &["--time"],
    );
    let o = run(&["slurm", s(&sw), "--tasks", "2", "--out", s(&out)]);
    assert_ok(&o);
    assert!(out.join("slurm/array.sbatch").exists(), "{}", ctx(&o));
}

#[test]
fn absurd_thread_counts_are_refused() {
    // 100,000 threads would exhaust the machine before the first run.
    for cmd in [
        &["run", "--runs", "1", "--threads", "100000"][..],
        &["bench", "--threads", "5000"][..],
    ] {
        let o = run(cmd);
        assert_eq!(code(&o), 2, "{cmd:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("at most 1024 threads"), "{}", stderr(&o));
    }
}

// ---- Large batches (issue 21) ----

#[test]
fn run_without_per_run_files_keeps_quantiles_and_analysis() {
    let t = tmp();
    let full = t.path().join("full");
    let lean = t.path().join("lean");
    assert_ok(&run(&["run", "--runs", "30", "--out", s(&full), "--quiet"]));
    assert_ok(&run(&[
        "run",
        "--runs",
        "30",
        "--out",
        s(&lean),
        "--quiet",
        "--no-timeseries",
        "--no-events",
    ]));
    // At most 10,000 runs the per-run files are written by default.
    assert!(full.join("timeseries.csv").exists() && full.join("events.csv").exists());
    assert!(!lean.join("timeseries.csv").exists() && !lean.join("events.csv").exists());
    // The rest is the same, byte for byte; the manifest says what was left out.
    for f in ["outcomes.csv", "failures.csv", "timeseries_quantiles.csv"] {
        assert!(read(full.join(f)) == read(lean.join(f)), "{f} differs");
    }
    let q = text(lean.join("timeseries_quantiles.csv"));
    assert!(q.starts_with("tick,metric,mean,p05,p50,p95\n1,tension,"), "{q:.80}");
    assert_eq!(q.lines().count(), 1 + 18 * coopetition::output::columns::METRICS.len());
    let m = text(lean.join("manifest.json"));
    assert!(
        m.contains("\"timeseries\": false") && m.contains("\"events\": false"),
        "{m}"
    );
    assert!(text(full.join("manifest.json")).contains("\"timeseries\": true"));
    // The last of a pair of flags wins.
    let both = t.path().join("both");
    assert_ok(&run(&[
        "run",
        "--runs",
        "5",
        "--out",
        s(&both),
        "--quiet",
        "--no-timeseries",
        "--timeseries",
        "--no-events",
    ]));
    assert!(both.join("timeseries.csv").exists() && !both.join("events.csv").exists());
    // Analysis draws its fan charts from the quantiles.
    assert_ok(&run(&["analyze", s(&lean)]));
    let report = text(lean.join("analysis").join("report.md"));
    assert!(report.contains("Metrics over time"), "no fan charts:\n{report}");
}
