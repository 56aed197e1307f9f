//! `coopetition run`: Monte Carlo runs of one scenario.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::bad_input;
use super::scenarios::resolve_with_overrides;
use super::table::outcome_table;
use crate::memory::PIPELINED_RUNS_HELD;
use crate::montecarlo::{Render, run_pipelined, thread_pool};
use crate::output::dirs::OutDir;
use crate::output::format::TableFormat;
use crate::output::manifest::RunManifest;
use crate::output::run_dir::{PerRunFiles, RunDirWriter};

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  coopetition run\n  coopetition run strict-regulators --runs 5000 --seed 7 --out output/strict\n  coopetition run scenarios/talent-war.toml --set talent.researchers=20000 --threads 2\n  coopetition run --set regulation.stringency=2 --set partnership.exclusivity=rofr --quiet\n  coopetition run --runs 1000000 --quiet          # no per-run timeseries.csv/events.csv above 10,000 runs\n  coopetition run --runs 50000 --timeseries       # ask for them anyway (~28 kB a run)\n  coopetition run --format parquet                # typed Parquet tables instead of CSV"
)]
pub struct RunArgs {
    /// Bundled scenario name or path to a TOML file.
    #[arg(default_value = "baseline")]
    pub scenario: String,
    /// Number of Monte Carlo runs.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    pub runs: u64,
    /// Master seed; run i uses a seed derived from (seed, i).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Output directory (default: output/SCENARIO-seedSEED, made fresh if taken).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Overwrite results already in --out.
    #[arg(long)]
    pub force: bool,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, default_value_t = 0, value_parser = super::parse_threads)]
    pub threads: usize,
    /// Override a parameter, e.g. `--set regulation.stringency=2` (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Write the per-run timeseries.csv (default: only when --runs is at most 10,000).
    #[arg(long, overrides_with = "no_timeseries")]
    pub timeseries: bool,
    /// Do not write the per-run timeseries.csv.
    #[arg(long, overrides_with = "timeseries")]
    pub no_timeseries: bool,
    /// Write events.csv (default: only when --runs is at most 10,000).
    #[arg(long, overrides_with = "no_events")]
    pub events: bool,
    /// Do not write events.csv.
    #[arg(long, overrides_with = "events")]
    pub no_events: bool,
    /// Table format: csv, or parquet (typed columns; docs/OUTPUTS.md).
    #[arg(long, value_enum, default_value_t = TableFormat::Csv)]
    pub format: TableFormat,
    /// No progress bar or table.
    #[arg(long, short)]
    pub quiet: bool,
}

/// A progress bar on a terminal, hidden when piped or quiet.
pub fn progress(len: u64, quiet: bool, what: &str) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} runs  {rate} runs/s  ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .with_key("rate", |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0}", s.per_sec());
            }),
    );
    pb.set_message(what.to_string());
    pb
}

pub fn execute(args: RunArgs, argv: &[String]) -> anyhow::Result<ExitCode> {
    args.format.check_available().map_err(bad_input)?;
    let scenario = resolve_with_overrides(&args.scenario, &args.set)?;
    let default_name = format!("{}-seed{}", scenario.name, args.seed);
    let pool = thread_pool(args.threads).context("cannot start worker threads")?;
    let engines = pool.current_num_threads().min(args.runs.max(1) as usize);
    super::check_memory([&scenario], engines, args.runs.min(PIPELINED_RUNS_HELD))?;
    let OutDir { path: dir, lock: _lock } = super::out_dir(args.out.as_deref(), &default_name, args.force)?;

    let io = |e: std::io::Error| anyhow::anyhow!("{}: {e}", dir.display());
    let mut files = PerRunFiles::default_for(args.runs);
    files.timeseries = (files.timeseries || args.timeseries) && !args.no_timeseries;
    files.events = (files.events || args.events) && !args.no_events;
    let mut out = RunDirWriter::create(&dir, &scenario, files)
        .map_err(io)?
        .with_format(args.format);
    let render = Render {
        prefix: String::new(),
        timeseries: files.timeseries,
        events: files.events,
    };
    let pb = progress(args.runs, args.quiet, &scenario.name);
    let stop = crate::interrupt::current();
    run_pipelined(&pool, &scenario, args.seed, 0, 0..args.runs, &render, |block| {
        stop.check()?;
        for rec in block {
            out.write(rec)?;
        }
        pb.inc(block.len() as u64);
        Ok::<(), std::io::Error>(())
    })
    .map_err(io)?;
    pb.finish_and_clear();
    let (counts, failed) = (out.counts, out.failed);
    out.finish(&RunManifest::new(&scenario, args.seed, args.runs, failed, files, argv))
        .map_err(io)?;

    let ok = args.runs - failed;
    if !args.quiet {
        println!(
            "scenario {}  runs {}  seed {}  horizon {} months",
            scenario.name, args.runs, args.seed, scenario.horizon_months
        );
        print!("{}", outcome_table(&counts, ok));
        println!("wrote {}", dir.display());
    }
    if failed > 0 {
        eprintln!(
            "{failed} of {} runs failed; see {}",
            args.runs,
            dir.join("failures.csv").display()
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
