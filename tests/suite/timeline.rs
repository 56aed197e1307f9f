//! Timelines (dated events) and paired comparisons (issue 16): events change runs as
//! stated, bad input is refused with file, line and field, and `compare` pairs runs.

use crate::common;
use crate::support;

use coopetition::compare::Pairs;
use coopetition::outcome::Outcome;
use coopetition::output::columns::metric_values;
use coopetition::scenario::{Scenario, parse_scenario};
use coopetition::sim::{Simulator, run_seed};
use coopetition::stats::{Z95, newcombe_diff};
use support::{runs, with};

/// The baseline with `events` (TOML `[[events]]` tables) appended.
fn timeline(events: &str) -> Scenario {
    let src = format!("name = \"t\"\n{events}");
    parse_scenario(&src, "t.toml").unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn date_column_follows_start() {
    let d = common::tmp();
    let out = d.path().join("run");
    let o = common::run(&["run", "--runs", "2", "--seed", "1", "--out", common::s(&out), "--quiet"]);
    assert_eq!(common::code(&o), 0, "{}", common::stderr(&o));
    let ts = String::from_utf8(common::read(out.join("timeseries.csv"))).unwrap();
    let header = ts.lines().next().unwrap();
    assert!(header.starts_with("run,tick,date,tension,"), "{header}");
    let dates: Vec<&str> = ts
        .lines()
        .skip(1)
        .take(18)
        .map(|l| l.split(',').nth(2).unwrap())
        .collect();
    assert_eq!(dates[0], "2024-01");
    assert_eq!(dates[11], "2024-12");
    assert_eq!(dates[12], "2025-01");
    assert_eq!(dates[17], "2025-06");
    let ev = String::from_utf8(common::read(out.join("events.csv"))).unwrap();
    assert!(ev.starts_with("run,tick,date,kind,actor,target,detail\n"));
    for l in ev.lines().skip(1) {
        let f: Vec<&str> = l.splitn(4, ',').collect();
        let tick: u32 = f[1].parse().unwrap();
        let (y, m) = (2024 + (tick - 1) / 12, (tick - 1) % 12 + 1);
        assert_eq!(f[2], format!("{y}-{m:02}"), "{l}");
    }
    // Without a start the column is there and empty.
    let f = common::write(d.path(), "nostart.toml", "name = \"nostart\"\nstart = \"\"\n");
    let out2 = d.path().join("nostart");
    let o = common::run(&[
        "run",
        common::s(&f),
        "--runs",
        "1",
        "--out",
        common::s(&out2),
        "--quiet",
    ]);
    assert_eq!(common::code(&o), 0, "{}", common::stderr(&o));
    let ts = String::from_utf8(common::read(out2.join("timeseries.csv"))).unwrap();
    assert!(ts.lines().skip(1).all(|l| l.split(',').nth(2) == Some("")));
}

#[test]
fn a_set_event_applies_from_its_month() {
    // exclusivity = rofr from month 13: the exclusivity column (2 exclusive, 1 rofr, 0 none)
    // is at most 1 from month 13 in every run whose partnership is still active then, and the
    // runs are identical to the baseline before month 13 (common random numbers, no draws).
    let s =
        timeline("[[events]]\nmonth = 13\naction = \"set\"\nparam = \"partnership.exclusivity\"\nvalue = \"rofr\"\n");
    let base = runs(&Scenario::default(), 200, 11);
    let ev = runs(&s, 200, 11);
    let base_m13 = |r: &coopetition::sim::RunResult| r.timeseries[12].exclusivity;
    let (mut applied, mut shown) = (0, 0);
    for (b, e) in base.iter().zip(&ev) {
        assert_eq!(b.timeseries[..12], e.timeseries[..12], "months 1..=12 differ");
        let m13 = &e.timeseries[12];
        if e.events.iter().any(|x| x.kind == "scheduled_set") {
            applied += 1;
            assert_eq!(b.timeseries[11].partnership_status, 0);
            // Terms may loosen further in month 13 itself; only an acquisition tightens them.
            if m13.partnership_status == 0 {
                assert!(m13.exclusivity <= 1, "month 13 exclusivity {}", m13.exclusivity);
                shown += usize::from(m13.exclusivity == 1 && base_m13(b) == 2);
            }
        } else {
            assert!(e.events.iter().any(|x| x.kind == "scheduled_skipped" && x.tick == 13));
            assert_ne!(b.timeseries[11].partnership_status, 0);
        }
    }
    assert!(applied > 100, "applied in {applied} of 200 runs");
    // Where the baseline is still exclusive at month 13, the event's run shows rofr.
    // Measured 43 of 200 (since issue 34 settled talks loosen exclusivity early in many
    // runs, so fewer baseline runs are still exclusive at month 13).
    assert!(shown >= 20, "rofr instead of exclusive at month 13 in {shown} runs");
}

#[test]
fn a_set_at_month_1_equals_the_same_override() {
    // For parameters read every month, a `set` at month 1 is the same run as `--set`
    // (parameters that also set the initial state, such as exclusivity, need not be).
    for (path, value) in [
        ("regulation.stringency", "2.0"),
        ("governance.crisis_rate", "0.2"),
        ("products.overlap", "0.9"),
    ] {
        let s = timeline(&format!(
            "[[events]]\nmonth = 1\naction = \"set\"\nparam = \"{path}\"\nvalue = {value}\n"
        ));
        let o = with(&[&format!("{path}={}", value.trim_matches('"'))]);
        for r in 0..40 {
            let seed = run_seed(5, 0, r);
            let a = Simulator::new().run(&s, seed).unwrap();
            let b = Simulator::new().run(&o, seed).unwrap();
            assert_eq!(a.outcome, b.outcome, "{path}: run {r}");
            assert_eq!(a.timeseries, b.timeseries, "{path}: run {r}");
        }
    }
}

#[test]
fn an_acquihire_moves_exactly_that_many_researchers_and_the_payment() {
    // The investor hires 100 of google's researchers in month 3 and pays 2 $bn.
    let s = timeline(
        "[[events]]\nmonth = 3\naction = \"acquihire\"\nbuyer = \"investor\"\nfrom = \"google\"\nresearchers = 100\npayment = 2.0\n",
    );
    let base = Scenario::default();
    let mut world_a = bevy_ecs::world::World::new();
    let mut world_b = bevy_ecs::world::World::new();
    let seed = run_seed(3, 0, 0);
    // Run both to the start of month 3 by hand, then compare the state the event changed.
    use coopetition::sim::schedule::{Phase, build_phase_schedules};
    use coopetition::sim::timeline::Timeline;
    use coopetition::world::components::Company;
    use coopetition::world::resources::Clock;
    let heads = |w: &mut bevy_ecs::world::World| {
        let mut q = w.query::<&Company>();
        let mut v: Vec<(u8, u32, f64)> = q.iter(w).map(|c| (c.idx, c.headcount, c.capital)).collect();
        v.sort_by_key(|x| x.0);
        v
    };
    for (w, sc) in [(&mut world_a, &base), (&mut world_b, &s)] {
        coopetition::sim::setup::populate(w, sc, seed, &coopetition::sim::setup::Prepared::new(sc));
        let events = coopetition::scenario::timeline::compile(sc).unwrap();
        w.insert_resource(Timeline::new(std::sync::Arc::new(events)));
        let mut phases = build_phase_schedules();
        for month in 1..=3u32 {
            for (phase, sched) in phases.iter_mut() {
                // Month 3: stop right after the timeline phase.
                if month == 3 && *phase != Phase::Timeline {
                    break;
                }
                sched.run(w);
            }
            if month < 3 {
                w.resource_mut::<Clock>().tick += 1;
            }
        }
    }
    let (a, b) = (heads(&mut world_a), heads(&mut world_b));
    let (inv, goo) = (1usize, 2usize);
    assert!(a[goo].1 >= 100, "google has {} researchers", a[goo].1);
    assert_eq!(b[inv].1, a[inv].1 + 100, "investor headcount");
    assert_eq!(b[goo].1, a[goo].1 - 100, "google headcount");
    assert!((b[inv].2 - (a[inv].2 - 2.0)).abs() < 1e-9, "investor pays 2 $bn");
    assert!((b[goo].2 - (a[goo].2 + 2.0)).abs() < 1e-9, "google is paid 2 $bn");
    // The movers are google's most skilled: every remaining google researcher is less skilled.
    use coopetition::world::components::Researcher;
    let mut q = world_b.query::<&Researcher>();
    let mut q0 = world_a.query::<&Researcher>();
    let before: Vec<(u32, f32)> = q0.iter(&world_a).map(|r| (r.employer, r.skill)).collect();
    let after: Vec<(u32, f32)> = q.iter(&world_b).map(|r| (r.employer, r.skill)).collect();
    let moved: Vec<f32> = before
        .iter()
        .zip(&after)
        .filter(|(x, y)| x.0 == goo as u32 && y.0 == inv as u32)
        .map(|(x, _)| x.1)
        .collect();
    assert_eq!(moved.len(), 100);
    let least_moved = moved.iter().copied().fold(f32::INFINITY, f32::min);
    assert!(after.iter().filter(|r| r.0 == goo as u32).all(|r| r.1 <= least_moved));
}

#[test]
fn a_contract_shows_in_the_labs_compute_shares() {
    // 50 kGPU of inference on google from month 6 (exclusivity lifted at month 1 so the
    // contract can apply): the lab's share of compute on the investor drops at month 6 in
    // every run where the contract was placed, against the same runs without it.
    let events = "[[events]]\nmonth = 1\naction = \"set\"\nparam = \"partnership.exclusivity\"\nvalue = \"none\"\n\n\
                  [[events]]\nmonth = 6\naction = \"contract\"\ncustomer = \"lab\"\nhost = \"google\"\nkgpu = 50.0\nworkload = \"inference\"\nmonths = 3\n";
    let s = timeline(events);
    let o = timeline(&events[..events.find("\n\n").unwrap()]);
    let with_contract = runs(&s, 100, 21);
    let without = runs(&o, 100, 21);
    let (mut placed, mut lower, mut sum) = (0, 0, 0.0);
    for (w, wo) in with_contract.iter().zip(&without) {
        assert_eq!(w.timeseries[..5], wo.timeseries[..5], "months 1..=5 differ");
        if let Some(e) = w.events.iter().find(|e| e.kind == "scheduled_contract") {
            placed += 1;
            assert_eq!(e.tick, 6);
            assert_eq!(e.target, "google");
            let d = w.timeseries[5].lab_cloud_share_investor - wo.timeseries[5].lab_cloud_share_investor;
            lower += usize::from(d < 0.0);
            sum += d;
            assert!(w.events.iter().any(|e| e.kind == "contract_end" && e.tick == 9));
        }
    }
    // A month's migration may differ between the pair (the contract takes room on
    // google), so the drop is asked of nearly every pair and of the mean.
    eprintln!(
        "placed {placed}, share lower in {lower}, mean change {:.4}",
        sum / placed as f64
    );
    assert!(placed > 50, "placed in {placed} of 100 runs");
    assert!(lower * 10 >= placed * 9, "share lower in {lower} of {placed}");
    assert!(sum / (placed as f64) < -0.02, "mean change {}", sum / placed as f64);
}

#[test]
fn crisis_and_review_events_are_logged() {
    let s = timeline(
        "[[events]]\nmonth = 4\naction = \"crisis\"\ncompany = \"lab\"\n\n\
         [[events]]\nmonth = 2\naction = \"review\"\nauthority = \"us_ftc\"\n",
    );
    for r in runs(&s, 30, 2) {
        assert!(r.events.iter().any(|e| e.kind == "scheduled_crisis" && e.tick == 4));
        assert!(
            r.events
                .iter()
                .any(|e| (e.kind == "scheduled_review" || e.kind == "scheduled_skipped") && e.tick == 2)
        );
        // The crisis lands in month 4's tension unless the partnership has ended by then.
        if r.timeseries[3].partnership_status == 0 {
            assert!(r.timeseries[3].tension > 0.0);
        }
    }
}

#[test]
fn bad_events_exit_2_naming_file_line_and_field() {
    let d = common::tmp();
    let cases = [
        (
            "month = 19\naction = \"crisis\"\ncompany = \"lab\"\n",
            3,
            "events.0.month",
        ),
        ("month = 2\naction = \"merge\"\n", 4, "events.0.action"),
        (
            "month = 2\naction = \"crisis\"\ncompany = \"openai\"\n",
            5,
            "events.0.company",
        ),
        (
            "month = 2\naction = \"set\"\nparam = \"partnership.exclusivty\"\nvalue = \"rofr\"\n",
            5,
            "events.0.param",
        ),
        (
            "month = 2\naction = \"set\"\nparam = \"regulation.stringency\"\nvalue = -1\n",
            6,
            "events.0.value",
        ),
        (
            "month = 2\naction = \"review\"\nauthority = \"doj\"\n",
            5,
            "events.0.authority",
        ),
        (
            "month = 2\naction = \"review\"\nauthority = \"us_ftc\"\nkgpu = 3\n",
            6,
            "events.0.kgpu",
        ),
    ];
    for (i, (event, line, field)) in cases.iter().enumerate() {
        let f = common::write(
            d.path(),
            &format!("bad{i}.toml"),
            &format!("name = \"bad\"\n[[events]]\n{event}"),
        );
        for args in [
            vec!["validate", common::s(&f)],
            vec!["run", common::s(&f), "--runs", "1", "--quiet"],
        ] {
            let o = common::run_in(d.path(), &args);
            let err = common::stderr(&o);
            assert_eq!(common::code(&o), 2, "{args:?}: {err}");
            assert!(
                err.contains(&format!("bad{i}.toml:{line}:")),
                "{args:?}: line {line}: {err}"
            );
            assert!(err.contains(&format!("`{field}`")), "{args:?}: {field}: {err}");
            assert!(!err.contains("panicked"), "{err}");
        }
    }
}

#[test]
fn timeline_runs_are_identical_for_any_thread_count() {
    let d = common::tmp();
    let mut files = Vec::new();
    for t in ["1", "2"] {
        let out = d.path().join(format!("t{t}"));
        let o = common::run(&[
            "run",
            "timeline-2024",
            "--runs",
            "60",
            "--threads",
            t,
            "--out",
            common::s(&out),
            "--quiet",
        ]);
        assert_eq!(common::code(&o), 0, "{}", common::stderr(&o));
        files.push(out);
    }
    for f in ["outcomes.csv", "timeseries.csv", "events.csv"] {
        assert_eq!(common::read(files[0].join(f)), common::read(files[1].join(f)), "{f}");
    }
    let ev = String::from_utf8(common::read(files[0].join("events.csv"))).unwrap();
    assert!(ev.contains(",scheduled_acquihire,investor,startup-"));
}

#[test]
fn compare_writes_paired_results_and_x_x_is_zero() {
    let d = common::tmp();
    let out = d.path().join("cmp");
    let o = common::run(&[
        "compare",
        "baseline",
        "baseline",
        "--runs",
        "50",
        "--threads",
        "1",
        "--out",
        common::s(&out),
    ]);
    assert_eq!(common::code(&o), 0, "{}", common::stderr(&o));
    assert!(common::stdout(&o).contains("symbiosis"));
    let cmp = String::from_utf8(common::read(out.join("comparison.csv"))).unwrap();
    assert!(cmp.starts_with("outcome,p_a,p_b,diff,diff_lo,diff_hi\n"));
    for l in cmp.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        assert_eq!(f[1], f[2], "{l}");
        assert_eq!(f[3], "0", "{l}");
    }
    let sw = String::from_utf8(common::read(out.join("switches.csv"))).unwrap();
    assert!(sw.starts_with("from,to,runs\n"));
    assert_eq!(sw.lines().count(), 17);
    for l in sw.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        if f[0] != f[1] {
            assert_eq!(f[2], "0", "{l}");
        }
    }
    let m = String::from_utf8(common::read(out.join("metrics.csv"))).unwrap();
    assert!(m.starts_with("metric,mean_a,mean_b,diff,diff_lo,diff_hi\n"));
    assert!(m.lines().skip(1).all(|l| l.split(',').nth(3) == Some("0")));
    for f in [
        "a/outcomes.csv",
        "b/timeseries.csv",
        "b/events.csv",
        "manifest.json",
        "report.md",
        "report.html",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    assert_eq!(
        common::read(out.join("a/outcomes.csv")),
        common::read(out.join("b/outcomes.csv"))
    );
    // Results are never overwritten silently.
    let o = common::run(&[
        "compare",
        "baseline",
        "baseline",
        "--runs",
        "5",
        "--out",
        common::s(&out),
    ]);
    assert_eq!(common::code(&o), 2, "{}", common::stderr(&o));
    let o = common::run(&["compare", "baseline", "nosuch", "--runs", "5"]);
    assert_eq!(common::code(&o), 2);
}

#[test]
fn paired_intervals_are_narrower_than_unpaired_ones() {
    // Exclusivity loosened to rofr at month 13 against the baseline, 2000 pairs on fixed
    // seeds. The runs agree until month 13, so pairing should remove most of the noise:
    // the paired 95% interval of every outcome's difference must be narrower than the
    // unpaired one of the same runs (measured ratio of widths 0.12..0.15 on 2000 pairs of
    // seed 42 with the mechanism streams, 0.17..0.34 with one shared stream; the bound 0.6
    // leaves room for other seeds).
    let s =
        timeline("[[events]]\nmonth = 13\naction = \"set\"\nparam = \"partnership.exclusivity\"\nvalue = \"rofr\"\n");
    let a = runs(&Scenario::default(), 2000, 42);
    let b = runs(&s, 2000, 42);
    let mut pairs = Pairs::new();
    for (x, y) in a.iter().zip(&b) {
        let mx = metric_values(x.last().unwrap());
        let my = metric_values(y.last().unwrap());
        pairs.add((x.outcome, &mx), (y.outcome, &my));
    }
    for d in pairs.outcomes() {
        let k = |o: Outcome, rs: &[coopetition::sim::RunResult]| rs.iter().filter(|r| r.outcome == o).count() as u64;
        let (_, ul, uh) = newcombe_diff(k(d.outcome, &a), 2000, k(d.outcome, &b), 2000, Z95);
        assert!((ul - d.unpaired_lo).abs() < 1e-12 && (uh - d.unpaired_hi).abs() < 1e-12);
        let ratio = (d.hi - d.lo) / (uh - ul);
        eprintln!("{}: paired/unpaired width {ratio:.2}", d.outcome.as_str());
        assert!(ratio < 0.6, "{}: ratio {ratio}", d.outcome.as_str());
        assert!(d.lo <= d.diff && d.diff <= d.hi);
    }
}
