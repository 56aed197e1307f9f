//! `coopetition bench`: throughput and scaling figures printed on the machine it runs on.
//! (Benchmarks are a subcommand, not timed tests: figures are reported, never asserted.)

use std::fmt::Write as _;
use std::time::Instant;

use rayon::prelude::*;

use crate::fsutil::peak_rss_bytes;
use crate::montecarlo::{Render, thread_pool};
use crate::scenario::{Scenario, apply_override, load};
use crate::sim::schedule::Phase;
use crate::sim::{PHASES, Simulator, run_seed};

/// How much work the benchmark does.
#[derive(Debug, Clone, Copy)]
pub struct BenchConfig {
    /// Monte Carlo runs of the baseline per measurement.
    pub baseline_runs: u64,
    /// Runs of the sweep-throughput measurement.
    pub sweep_runs: u64,
    /// Largest researcher pool in the scaling table.
    pub max_researchers: u32,
    /// Worker threads for the "all threads" figures (0 = all cores).
    pub threads: usize,
    /// Stop after the first section (the one-run large-pool figure).
    pub scale_only: bool,
}

impl BenchConfig {
    pub fn full() -> Self {
        BenchConfig {
            baseline_runs: 20_000,
            sweep_runs: 100_000,
            max_researchers: 1_000_000,
            threads: 0,
            scale_only: false,
        }
    }
    pub fn quick() -> Self {
        BenchConfig {
            baseline_runs: 2_000,
            sweep_runs: 10_000,
            max_researchers: 100_000,
            threads: 0,
            scale_only: false,
        }
    }
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Runs of `scenario` on `threads` workers, simulation only; returns runs/s.
fn mc_rate(scenario: &Scenario, runs: u64, threads: usize) -> Result<f64, String> {
    let pool = thread_pool(threads).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let failures: usize = pool.install(|| {
        (0..runs)
            .into_par_iter()
            .map_init(Simulator::new, |sim, r| {
                usize::from(sim.run(scenario, run_seed(1, 0, r)).is_err())
            })
            .sum()
    });
    if failures > 0 {
        return Err(format!("{failures} runs failed"));
    }
    Ok(runs as f64 / start.elapsed().as_secs_f64())
}

/// Runs with every output rendered and written (to a sink file): runs/s.
fn mc_rate_with_outputs(scenario: &Scenario, runs: u64, threads: usize) -> Result<f64, String> {
    use std::io::Write;
    let pool = thread_pool(threads).map_err(|e| e.to_string())?;
    let dir = std::env::temp_dir().join(format!("coopetition-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let mut sink = std::io::BufWriter::new(std::fs::File::create(dir.join("out.csv")).map_err(|e| e.to_string())?);
    let render = Render {
        prefix: String::new(),
        timeseries: true,
        events: true,
    };
    let start = Instant::now();
    // As `run` does: the block's rows are written while the next block is simulated.
    crate::montecarlo::run_pipelined(&pool, scenario, 1, 0, 0..runs, &render, |block| {
        for rec in block {
            sink.write_all(rec.outcome_row.as_bytes())?;
            sink.write_all(rec.timeseries_rows.as_bytes())?;
            sink.write_all(rec.event_rows.as_bytes())?;
        }
        Ok::<(), std::io::Error>(())
    })
    .map_err(|e| e.to_string())?;
    sink.flush().map_err(|e| e.to_string())?;
    let rate = runs as f64 / start.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&dir);
    Ok(rate)
}

/// Seconds per phase over `runs` profiled runs (one thread).
fn phase_times(scenario: &Scenario, runs: u64) -> Result<[f64; PHASES], String> {
    let mut times = [0.0; PHASES];
    for r in 0..runs {
        Simulator::run_profiled(scenario, run_seed(2, 0, r), &mut times).map_err(|e| e.to_string())?;
    }
    Ok(times)
}

fn with(base: &Scenario, sets: &[String]) -> Result<Scenario, String> {
    let mut s = base.clone();
    for set in sets {
        s = apply_override(&s, set).map_err(|e| e.to_string())?;
    }
    Ok(s)
}

/// Runs the benchmark and returns the report (Markdown), printing sections as they finish.
pub fn run_bench(cfg: &BenchConfig, mut progress: impl FnMut(&str)) -> Result<String, String> {
    let mut out = String::new();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = if cfg.threads == 0 { cores } else { cfg.threads };
    let mut emit = |out: &mut String, text: String| {
        progress(&text);
        out.push_str(&text);
    };
    emit(
        &mut out,
        format!(
            "# coopetition bench\n\nversion {}, {} cores, {} worker threads, release build: {}\n\n",
            env!("CARGO_PKG_VERSION"),
            cores,
            threads,
            !cfg!(debug_assertions)
        ),
    );

    // 1. scale-1m first, so the process's peak RSS reflects it alone.
    let big = load::resolve("scale-1m").map_err(|e| e.to_string())?;
    let big = with(&big, &[format!("talent.researchers={}", cfg.max_researchers)])?;
    let pool = thread_pool(threads).map_err(|e| e.to_string())?;
    let rss_before = peak_rss_bytes().unwrap_or(0);
    let start = Instant::now();
    let r = pool
        .install(|| Simulator::new().run(&big, run_seed(3, 0, 0)))
        .map_err(|e| e.to_string())?;
    let wall = start.elapsed().as_secs_f64();
    let rss = peak_rss_bytes().unwrap_or(0);
    let researcher_months = f64::from(cfg.max_researchers) * f64::from(big.horizon_months);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "## scale-1m: one run ({} researchers, {} startups, {} months)\n",
        cfg.max_researchers, big.startups.initial, big.horizon_months
    );
    let _ = writeln!(s, "| figure | value |\n|---|---|");
    let _ = writeln!(s, "| wall time, {threads} threads | {wall:.3} s |");
    let _ = writeln!(s, "| ns per researcher-month | {:.2} |", wall * 1e9 / researcher_months);
    let _ = writeln!(
        s,
        "| peak RSS | {:.1} MiB (before the run: {:.1} MiB) |",
        mib(rss),
        mib(rss_before)
    );
    let _ = writeln!(
        s,
        "| bytes per researcher (peak RSS / researchers) | {:.0} |",
        rss as f64 / f64::from(cfg.max_researchers)
    );
    let _ = writeln!(s, "| outcome | {} |\n", r.outcome.as_str());
    emit(&mut out, s);
    if cfg.scale_only {
        return Ok(out);
    }

    // 2. Per-phase time, baseline and the large pool.
    let baseline = Scenario::default();
    let mut s = String::from(
        "## Time per tick per phase (one thread)\n\n| phase | baseline µs/tick | share | large pool ms/tick | share |\n|---|---|---|---|---|\n",
    );
    let profile_runs = 200;
    let tb = phase_times(&baseline, profile_runs)?;
    let tl = phase_times(&big, 1)?;
    let (sb, sl): (f64, f64) = (tb.iter().sum(), tl.iter().sum());
    let ticks_b = (profile_runs * u64::from(baseline.horizon_months)) as f64;
    let ticks_l = f64::from(big.horizon_months);
    for (i, phase) in Phase::ORDER.iter().enumerate() {
        let _ = writeln!(
            s,
            "| {} | {:.2} | {:.0}% | {:.3} | {:.0}% |",
            phase.as_str(),
            tb[i] * 1e6 / ticks_b,
            100.0 * tb[i] / sb,
            tl[i] * 1e3 / ticks_l,
            100.0 * tl[i] / sl
        );
    }
    let _ = writeln!(
        s,
        "| **total** | {:.2} | | {:.3} | |\n",
        sb * 1e6 / ticks_b,
        sl * 1e3 / ticks_l
    );
    emit(&mut out, s);

    // 3. Baseline Monte Carlo throughput.
    let n = cfg.baseline_runs;
    let one = mc_rate(&baseline, n.min(5_000), 1)?;
    let all = mc_rate(&baseline, n, threads)?;
    let all_out = mc_rate_with_outputs(&baseline, n, threads)?;
    let mut s = String::from("## Baseline Monte Carlo\n\n| figure | runs/s |\n|---|---|\n");
    let _ = writeln!(s, "| simulation only, 1 thread | {one:.0} |");
    let _ = writeln!(s, "| simulation only, {threads} threads | {all:.0} |");
    let _ = writeln!(
        s,
        "| with outcomes, timeseries and events rendered and written, {threads} threads | {all_out:.0} |\n"
    );
    emit(&mut out, s);

    // 4. Scaling over the researcher pool.
    let mut s = format!(
        "## Scaling over the researcher pool (one run)\n\n| researchers | startups | wall s, 1 thread | ns/researcher-month, 1 thread | wall s, {threads} threads | ns/researcher-month, {threads} threads |\n|---|---|---|---|---|---|\n"
    );
    let single = thread_pool(1).map_err(|e| e.to_string())?;
    let mut n_r = 10_000u32;
    while n_r <= cfg.max_researchers {
        let startups = (n_r / 100).max(60);
        let sc = with(
            &big,
            &[
                format!("talent.researchers={n_r}"),
                format!("startups.initial={startups}"),
                format!("startups.entry_rate={}", 0.066 * f64::from(startups)),
            ],
        )?;
        let reps = (1_000_000 / n_r).clamp(1, 20);
        let months = f64::from(n_r) * f64::from(sc.horizon_months);
        let mut walls = [0.0; 2];
        for (w, p) in walls.iter_mut().zip([&single, &pool]) {
            let mut sim = Simulator::new();
            let start = Instant::now();
            for k in 0..reps {
                p.install(|| sim.run(&sc, run_seed(4, 0, u64::from(k))))
                    .map_err(|e| e.to_string())?;
            }
            *w = start.elapsed().as_secs_f64() / f64::from(reps);
        }
        let _ = writeln!(
            s,
            "| {n_r} | {startups} | {:.4} | {:.2} | {:.4} | {:.2} |",
            walls[0],
            walls[0] * 1e9 / months,
            walls[1],
            walls[1] * 1e9 / months
        );
        n_r *= 10;
    }
    s.push('\n');
    emit(&mut out, s);

    // 5. Hiring kernel with every researcher choosing every month.
    let kernel = with(&big, &["talent.search_hazard=1".into()])?;
    let mut s = String::from(
        "## Hiring kernel: every researcher chooses every month\n\n| threads | hiring ns per researcher-month |\n|---|---|\n",
    );
    for t in [1, threads] {
        let p = thread_pool(t).map_err(|e| e.to_string())?;
        let mut times = [0.0; PHASES];
        p.install(|| Simulator::run_profiled(&kernel, run_seed(5, 0, 0), &mut times))
            .map_err(|e| e.to_string())?;
        let hiring = times[Phase::Hiring.index()];
        let _ = writeln!(s, "| {t} | {:.2} |", hiring * 1e9 / researcher_months);
    }
    s.push('\n');
    emit(&mut out, s);

    // 6. Sweep throughput, outputs included.
    let dir = std::env::temp_dir().join(format!("coopetition-bench-sweep-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let points = (cfg.sweep_runs / 100).max(1);
    let spec = format!(
        "[sweep]\nscenario = \"baseline\"\nruns_per_point = 100\nseed = 1\ndesign = \"random\"\nsamples = {points}\n\
         [[sweep.vary]]\nparam = \"regulation.stringency\"\nrange = [0.5, 2.0]\n"
    );
    let sweep = crate::sweep::parse_sweep(&spec, "<bench>", None).map_err(|e| e.to_string())?;
    let opts = crate::sweep::SweepOptions {
        out: dir.clone(),
        threads,
        resume: false,
        shard: None,
        timeseries: false,
        command_line: vec!["bench".into()],
        max_runs: None,
        format: None,
    };
    let start = Instant::now();
    let report =
        crate::sweep::run_sweep(&sweep, &opts, &indicatif::ProgressBar::hidden()).map_err(|e| e.to_string())?;
    let wall = start.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&dir);
    let mut s = String::from("## Sweep throughput (outputs included)\n\n| figure | value |\n|---|---|\n");
    let _ = writeln!(s, "| runs | {} ({} points × 100) |", report.runs_total, points);
    let _ = writeln!(s, "| wall time | {wall:.1} s |");
    let _ = writeln!(s, "| runs/s | {:.0} |", report.runs_total as f64 / wall);
    let _ = writeln!(
        s,
        "| peak RSS of the process so far | {:.1} MiB |\n",
        mib(peak_rss_bytes().unwrap_or(0))
    );
    emit(&mut out, s);
    Ok(out)
}
