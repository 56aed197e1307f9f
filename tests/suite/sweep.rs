//! Sweep guarantees (SPEC §6): thread-count independence, shard + merge equality,
//! resume after SIGKILL equality with no run computed twice, failures recorded,
//! changed specs refused, bounded memory.

use crate::common;
use common::*;

fn sweep_file(dir: &std::path::Path, runs_per_point: u64, extra: &str) -> std::path::PathBuf {
    let name = format!(
        "sw-{runs_per_point}-{:x}.toml",
        coopetition::sweep::fnv1a64(extra.as_bytes())
    );
    write(
        dir,
        &name,
        &format!(
            "[sweep]\nscenario = \"baseline\"\nruns_per_point = {runs_per_point}\nseed = 9\ndesign = \"grid\"\n{extra}\n\
             [[sweep.vary]]\nparam = \"regulation.stringency\"\nvalues = [0.5, 1.0, 2.0]\n\
             [[sweep.vary]]\nparam = \"products.overlap\"\nrange = [0.0, 1.0]\nsteps = 2\n"
        ),
    )
}

#[test]
fn threads_do_not_change_results() {
    let t = tmp();
    let f = sweep_file(t.path(), 60, "");
    let a = t.path().join("a");
    let b = t.path().join("b");
    assert_eq!(
        code(&run(&["sweep", s(&f), "--out", s(&a), "--threads", "1", "--quiet"])),
        0
    );
    assert_eq!(
        code(&run(&["sweep", s(&f), "--out", s(&b), "--threads", "2", "--quiet"])),
        0
    );
    assert_same(&a, &b);
    let summary = String::from_utf8(read(a.join("summary.csv"))).unwrap();
    assert!(
        summary.starts_with(
            "point,regulation.stringency,products.overlap,runs,p_symbiosis,p_symbiosis_lo,p_symbiosis_hi,"
        )
    );
    assert_eq!(summary.lines().count(), 7);
}

#[test]
fn merged_shards_equal_the_unsharded_sweep() {
    let t = tmp();
    let f = sweep_file(t.path(), 40, "");
    let whole = t.path().join("whole");
    assert_eq!(
        code(&run(&["sweep", s(&f), "--out", s(&whole), "--quiet", "--timeseries"])),
        0
    );
    let mut shards = Vec::new();
    for k in 1..=3 {
        let d = t.path().join(format!("shard{k}"));
        let o = run(&[
            "sweep",
            s(&f),
            "--out",
            s(&d),
            "--shard",
            &format!("{k}/3"),
            "--quiet",
            "--timeseries",
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        shards.push(d);
    }
    let merged = t.path().join("merged");
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(|d| s(d)));
    args.extend(["--out", s(&merged)]);
    let o = run(&args);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_same(&whole, &merged);
    assert!(read(whole.join("timeseries.csv")) == read(merged.join("timeseries.csv")));
    // A missing shard is refused.
    let o = run(&["merge", s(&shards[0]), s(&shards[2]), "--out", s(&t.path().join("bad"))]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}

#[test]
fn resume_after_sigkill_equals_uninterrupted_and_redoes_nothing() {
    let t = tmp();
    let f = sweep_file(t.path(), 400, "");
    let whole = t.path().join("whole");
    assert_eq!(
        code(&run(&["sweep", s(&f), "--out", s(&whole), "--quiet", "--threads", "1"])),
        0
    );

    let part = t.path().join("part");
    let mut child = bin()
        .args(["sweep", s(&f), "--out", s(&part), "--quiet", "--threads", "1"])
        .spawn()
        .expect("spawn");
    // Wait for at least one checkpoint, then kill -9 in the middle.
    let checkpoint = part.join(".checkpoint.json");
    let start = std::time::Instant::now();
    while !checkpoint.exists() && start.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    assert!(checkpoint.exists(), "no checkpoint was written before the kill");

    let o = run(&["sweep", s(&f), "--out", s(&part), "--resume", "--threads", "2"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    let out = stdout(&o);
    // "resumed: D of T runs were already done" + "C runs computed now": D + C = T, D > 0.
    let done: u64 = err
        .split("resumed: ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no resume line in {err}"));
    let computed: u64 = out
        .split(" runs computed now")
        .next()
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no computed count in {out}"));
    assert!(done > 0, "the kill came before any checkpoint");
    assert_eq!(done + computed, 6 * 400, "runs done twice or lost");
    assert_same(&whole, &part);
    assert!(!checkpoint.exists());
}

#[test]
fn resume_refuses_a_changed_sweep() {
    let t = tmp();
    let f = sweep_file(t.path(), 50, "");
    let d = t.path().join("d");
    let o = run(&["sweep", s(&f), "--out", s(&d), "--quiet", "--max-runs", "100"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let f2 = sweep_file(t.path(), 50, "set = [\"cloud.migration_cost=2\"]");
    let o = run(&["sweep", s(&f2), "--out", s(&d), "--resume", "--quiet"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("changed since it started"), "{}", stderr(&o));
    // The unchanged file resumes fine and matches a fresh sweep.
    let o = run(&["sweep", s(&f), "--out", s(&d), "--resume", "--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let fresh = t.path().join("fresh");
    assert_eq!(code(&run(&["sweep", s(&f), "--out", s(&fresh), "--quiet"])), 0);
    assert_same(&d, &fresh);
}

#[test]
fn failing_runs_are_recorded_and_the_sweep_goes_on() {
    let t = tmp();
    let f = sweep_file(t.path(), 50, "set = [\"testing.fail_every=7\"]");
    let d = t.path().join("d");
    let o = run(&["sweep", s(&f), "--out", s(&d), "--quiet"]);
    assert_eq!(code(&o), 1, "some runs failed: exit 1");
    let failures = String::from_utf8(read(d.join("failures.csv"))).unwrap();
    let outcomes = String::from_utf8(read(d.join("outcomes.csv"))).unwrap();
    let failed = failures.lines().count() - 1;
    assert!(failed > 0, "no failures recorded");
    assert!(failures.lines().nth(1).unwrap().contains("injected fault"));
    assert_eq!(
        failed + outcomes.lines().count() - 1,
        300,
        "every run is in exactly one file"
    );
}

#[test]
fn existing_results_are_not_overwritten_without_force() {
    let t = tmp();
    let f = sweep_file(t.path(), 10, "");
    let d = t.path().join("d");
    assert_eq!(code(&run(&["sweep", s(&f), "--out", s(&d), "--quiet"])), 0);
    let o = run(&["sweep", s(&f), "--out", s(&d), "--quiet"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--force"));
    assert_eq!(code(&run(&["sweep", s(&f), "--out", s(&d), "--quiet", "--force"])), 0);
}

fn peak_rss_mib(out: &str) -> f64 {
    out.split("peak RSS ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no peak RSS in {out}"))
}

#[test]
fn memory_stays_flat_from_10k_to_100k_runs() {
    // 100 runs per point, so the per-point quantile buffer is the same in both sweeps.
    // Six-month runs: what could grow with the number of runs is the same as at 18 months
    // (a run's kept series would still be ~6 kB, far above the ~160 B a run that the 1.5x
    // bound detects), at a third of the CPU.
    let t = tmp();
    let small = write(
        t.path(),
        "small.toml",
        "[sweep]\nscenario = \"baseline\"\nruns_per_point = 100\ndesign = \"random\"\nsamples = 100\n\
         set = [\"horizon_months=6\"]\n\
         [[sweep.vary]]\nparam = \"regulation.stringency\"\nrange = [0.5, 2.0]\n",
    );
    let big = write(
        t.path(),
        "big.toml",
        "[sweep]\nscenario = \"baseline\"\nruns_per_point = 100\ndesign = \"random\"\nsamples = 1000\n\
         set = [\"horizon_months=6\"]\n\
         [[sweep.vary]]\nparam = \"regulation.stringency\"\nrange = [0.5, 2.0]\n",
    );
    let a = run(&["sweep", s(&small), "--out", s(&t.path().join("a"))]);
    let b = run(&["sweep", s(&big), "--out", s(&t.path().join("b"))]);
    assert_eq!(code(&a), 0);
    assert_eq!(code(&b), 0);
    let (ra, rb) = (peak_rss_mib(&stdout(&a)), peak_rss_mib(&stdout(&b)));
    println!("peak RSS: 10k runs {ra} MiB, 100k runs {rb} MiB");
    assert!(rb <= 1.5 * ra, "100k-run sweep used {rb} MiB vs {ra} MiB for 10k");
}

// ---- Common random numbers and adaptive replication (issue 19) ----

fn lhs_file(dir: &std::path::Path, name: &str, runs: &str, extra: &str) -> std::path::PathBuf {
    write(
        dir,
        name,
        &format!(
            "[sweep]\nscenario = \"baseline\"\nruns_per_point = {runs}\nseed = 9\ndesign = \"lhs\"\nsamples = 5\n{extra}\n\
             [[sweep.vary]]\nparam = \"regulation.stringency\"\nrange = [0.5, 2.0]\n"
        ),
    )
}

/// `seeds = "independent"` (the default) is today's behaviour: every row of outcomes.csv
/// equals a run rendered directly with `run_seed(master, point, run)`, the way sweeps drew
/// seeds before `seeds` existed, and the manifest records no new keys.
#[test]
fn independent_seeds_keep_the_recorded_behaviour() {
    use coopetition::montecarlo::{Render, run_one};
    let t = tmp();
    let f = lhs_file(t.path(), "ind.toml", "12", "");
    let d = t.path().join("d");
    let o = run(&["sweep", s(&f), "--out", s(&d), "--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let sweep = coopetition::sweep::load_sweep_file(&f).unwrap();
    let mut expected = String::from_utf8(read(d.join("outcomes.csv"))).unwrap();
    expected.truncate(expected.find('\n').unwrap() + 1);
    let mut sim = coopetition::sim::Simulator::new();
    for p in 0..sweep.points.len() {
        let scenario = sweep.scenario(p).unwrap();
        let render = Render {
            prefix: format!("{p},"),
            ..Default::default()
        };
        for r in 0..12 {
            expected.push_str(&run_one(&mut sim, &scenario, 9, p as u64, r, &render).outcome_row);
        }
    }
    assert!(
        expected.as_bytes() == read(d.join("outcomes.csv")).as_slice(),
        "outcomes.csv differs from runs seeded by (master, point, run)"
    );
    let manifest = String::from_utf8(read(d.join("manifest.json"))).unwrap();
    for key in ["\"seeds\"", "target_halfwidth", "block_runs", "max_runs_per_point"] {
        assert!(!manifest.contains(key), "{key} in the manifest of a default sweep");
    }
    assert!(manifest.contains("\"runs_per_point\": 12"));
}

#[test]
fn common_seeds_give_run_r_the_same_seed_at_every_point() {
    let t = tmp();
    let f = lhs_file(t.path(), "crn.toml", "8", "seeds = \"common\"");
    let a = t.path().join("a");
    let b = t.path().join("b");
    assert_eq!(
        code(&run(&["sweep", s(&f), "--out", s(&a), "--quiet", "--threads", "1"])),
        0
    );
    assert_eq!(
        code(&run(&["sweep", s(&f), "--out", s(&b), "--quiet", "--threads", "2"])),
        0
    );
    assert_same(&a, &b);
    let text = String::from_utf8(read(a.join("outcomes.csv"))).unwrap();
    let mut seed_of_run = std::collections::BTreeMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let prev = seed_of_run.insert(f[1].to_string(), f[2].to_string());
        assert!(prev.is_none_or(|p| p == f[2]), "run {} has two seeds", f[1]);
    }
    assert_eq!(seed_of_run.len(), 8);
    assert!(
        String::from_utf8(read(a.join("manifest.json")))
            .unwrap()
            .contains("\"seeds\": \"common\"")
    );
}

const AUTO: &str = "target_halfwidth = 0.07\nblock_runs = 40\nmax_runs_per_point = 400";

/// Adaptive replication: each point stops at the first block boundary where every
/// outcome's 95% Wilson half-width is within the target (or at the cap), and the result
/// does not depend on threads, shards or interruptions.
#[test]
fn adaptive_replication_stops_at_the_target_and_is_reproducible() {
    let t = tmp();
    let f = lhs_file(t.path(), "auto.toml", "\"auto\"", AUTO);
    let whole = t.path().join("whole");
    let o = run(&["sweep", s(&f), "--out", s(&whole), "--quiet", "--threads", "1"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    // The stop rule, recomputed from outcomes.csv.
    let text = String::from_utf8(read(whole.join("outcomes.csv"))).unwrap();
    let mut per_point: std::collections::BTreeMap<u64, Vec<String>> = Default::default();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        per_point
            .entry(f[0].parse().unwrap())
            .or_default()
            .push(f[3].to_string());
    }
    let half = |outs: &[String]| {
        ["symbiosis", "decoupling", "acquisition", "divestiture"]
            .iter()
            .map(|o| {
                let k = outs.iter().filter(|x| x == o).count() as u64;
                let (lo, hi) = coopetition::stats::wilson(k, outs.len() as u64, coopetition::stats::Z95);
                (hi - lo) / 2.0
            })
            .fold(0.0, f64::max)
    };
    let mut total = 0;
    for (p, outs) in &per_point {
        let n = outs.len();
        total += n;
        assert!(n % 40 == 0 && n <= 400, "point {p}: {n} runs");
        assert!(n == 400 || half(outs) <= 0.07, "point {p} stopped imprecise at {n}");
        assert!(
            n == 40 || half(&outs[..n - 40]) > 0.07,
            "point {p} ran a block too many"
        );
    }
    println!(
        "adaptive: runs per point {:?}",
        per_point.values().map(Vec::len).collect::<Vec<_>>()
    );
    let summary = String::from_utf8(read(whole.join("summary.csv"))).unwrap();
    for (line, (_, outs)) in summary.lines().skip(1).zip(&per_point) {
        assert_eq!(line.split(',').nth(2).unwrap(), outs.len().to_string(), "summary runs");
    }
    let manifest = String::from_utf8(read(whole.join("manifest.json"))).unwrap();
    assert!(manifest.contains(&format!("\"runs\": {total},")), "{manifest}");

    // Threads.
    let two = t.path().join("two");
    assert_eq!(
        code(&run(&["sweep", s(&f), "--out", s(&two), "--quiet", "--threads", "2"])),
        0
    );
    assert_same(&whole, &two);

    // Shards and merge.
    let mut shards = Vec::new();
    for k in 1..=2 {
        let d = t.path().join(format!("shard{k}"));
        let o = run(&["sweep", s(&f), "--out", s(&d), "--shard", &format!("{k}/2"), "--quiet"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        shards.push(d);
    }
    let merged = t.path().join("merged");
    let o = run(&["merge", s(&shards[0]), s(&shards[1]), "--out", s(&merged)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_same(&whole, &merged);
    let m = String::from_utf8(read(merged.join("manifest.json"))).unwrap();
    assert!(m.contains(&format!("\"runs\": {total},")), "{m}");

    // Interrupted mid-block several times, then resumed.
    let part = t.path().join("part");
    let o = run(&["sweep", s(&f), "--out", s(&part), "--quiet", "--max-runs", "57"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for _ in 0..3 {
        let o = run(&[
            "sweep",
            s(&f),
            "--out",
            s(&part),
            "--resume",
            "--quiet",
            "--max-runs",
            "131",
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    let o = run(&["sweep", s(&f), "--out", s(&part), "--resume", "--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_same(&whole, &part);
}

#[test]
fn bad_replication_settings_name_file_line_and_field() {
    let t = tmp();
    let cases = [
        ("\"lots\"", "", "sweep.runs_per_point"),
        ("100", "target_halfwidth = 0.01", "sweep.target_halfwidth"),
        ("\"auto\"", "target_halfwidth = 0.0", "sweep.target_halfwidth"),
        ("\"auto\"", "block_runs = 1", "sweep.block_runs"),
        ("100", "seeds = \"shared\"", "seeds"),
    ];
    for (i, (runs, extra, field)) in cases.iter().enumerate() {
        let f = lhs_file(t.path(), &format!("bad{i}.toml"), runs, extra);
        let o = run(&["validate", s(&f)]);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{runs} {extra}: {err}");
        // `FILE:LINE:COLUMN: field `sweep.X`: message`
        let at = err
            .find(&format!("bad{i}.toml:"))
            .unwrap_or_else(|| panic!("no file name: {err}"));
        let line = err[at..].split(':').nth(1).unwrap_or("");
        assert!(line.parse::<u32>().is_ok_and(|l| l >= 3), "no line: {err}");
        assert!(err.contains(field), "no field {field}: {err}");
    }
}

/// A factor that does nothing in the model: `partnership.renegotiate_price_gap` above 0.2
/// (rival clouds' prices never fall that far below the lab's in the baseline, so no talks
/// open on an offer and every run is the same). With common seeds and the mechanism
/// streams its Sobol A and AB runs are identical, so its total index is zero, not noise;
/// with independent seeds the uncorrected index is pure Monte Carlo noise, and the noise
/// correction brings it towards zero. 32 base samples × 5 = 160 points × 60 runs per arm.
#[test]
fn a_no_effect_factor_gets_no_sensitivity_under_common_seeds() {
    let t = tmp();
    let mut figures = Vec::new();
    for seeds in ["common", "independent"] {
        let f = write(
            t.path(),
            &format!("sobol-{seeds}.toml"),
            &format!(
                "[sweep]\nscenario = \"baseline\"\nruns_per_point = 60\nseed = 3\ndesign = \"sobol\"\nsamples = 32\nseeds = \"{seeds}\"\n\
                 [[sweep.vary]]\nparam = \"regulation.stringency\"\nrange = [0.5, 2.0]\n\
                 [[sweep.vary]]\nparam = \"cloud.migration_cost\"\nrange = [0.2, 3.0]\n\
                 [[sweep.vary]]\nparam = \"partnership.renegotiate_price_gap\"\nrange = [0.25, 1.0]\n"
            ),
        );
        let d = t.path().join(seeds);
        let o = run(&["sweep", s(&f), "--out", s(&d), "--quiet"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let o = run(&["analyze", s(&d)]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let text = String::from_utf8(read(d.join("analysis/sensitivity.csv"))).unwrap();
        let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
        let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
        for line in text
            .lines()
            .filter(|l| l.starts_with("partnership.renegotiate_price_gap,p_"))
        {
            let v: Vec<&str> = line.split(',').collect();
            let st: f64 = v[col("ST")].parse().unwrap();
            // ST_corr is empty where noise is all of the output's variance (OUTPUTS.md).
            let st_corr: Option<f64> = Some(v[col("ST_corr")])
                .filter(|x| !x.is_empty())
                .map(|x| x.parse().unwrap());
            figures.push(format!("{seeds} {}: ST {st:.3}, ST_corr {st_corr:?}", v[1]));
            if seeds == "common" {
                assert!(st.abs() <= 0.05 && st_corr.is_none_or(|x| x.abs() <= 0.05), "{line}");
            }
        }
    }
    // analyze leaves out an output that is constant across points (notes in its report):
    // with common seeds the same 60 runs at every point may hold no divestiture at all.
    let common = figures.iter().filter(|f| f.starts_with("common")).count();
    assert!((3..=4).contains(&common), "{figures:?}");
    assert_eq!(figures.len() - common, 4, "{figures:?}");
    for f in figures {
        println!("FIGURE no-effect factor, {f}");
    }
}
