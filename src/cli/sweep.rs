//! `coopetition sweep` and `coopetition merge`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::bad_input;
use super::run::progress;
use crate::output::dirs::{self, OutDir};
use crate::output::format::TableFormat;
use crate::sweep::{SweepError, SweepOptions, load_sweep_file, merge::merge, run_sweep};

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  coopetition sweep scenarios/sweeps/regulation.toml\n  coopetition sweep scenarios/sweeps/overlap.toml --out output/overlap --threads 2\n  coopetition sweep big.toml --out output/big --resume            # continue after an interruption\n  coopetition sweep big.toml --out output/big-1 --shard 1/4       # first of four slices\n  coopetition merge output/big-1 output/big-2 output/big-3 output/big-4 --out output/big"
)]
pub struct SweepArgs {
    /// Sweep file (TOML with a `[sweep]` table).
    pub file: PathBuf,
    /// Output directory (default: output/sweep-NAME, NAME the file name).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, default_value_t = 0, value_parser = super::parse_threads)]
    pub threads: usize,
    /// Continue an interrupted sweep in --out (refuses if the sweep file changed).
    #[arg(long)]
    pub resume: bool,
    /// Run only the K-th of N disjoint slices of the points, e.g. 2/4.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,
    /// Also write every run's monthly metrics (timeseries.csv; large).
    #[arg(long)]
    pub timeseries: bool,
    /// Table format of the finished sweep: csv (default) or parquet (typed). The partial
    /// tables of a running sweep are CSV either way; --resume keeps the sweep's format.
    #[arg(long, value_enum)]
    pub format: Option<TableFormat>,
    /// Overwrite results already in --out.
    #[arg(long)]
    pub force: bool,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Stop after this many runs (the sweep stays resumable). For testing interruption.
    #[arg(long, hide = true)]
    pub max_runs: Option<u64>,
}

#[derive(Debug, Args)]
#[command(after_help = "Example:\n  coopetition merge output/big-1 output/big-2 output/big-3 --out output/big")]
pub struct MergeArgs {
    /// Shard directories of one sweep.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Where to write the merged result.
    #[arg(long)]
    pub out: PathBuf,
    /// Overwrite results already in --out.
    #[arg(long)]
    pub force: bool,
}

/// Parses `K/N` with 1 ≤ K ≤ N.
pub fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let (k, n) = s.split_once('/').ok_or("expected K/N, e.g. 2/4")?;
    let k: u64 = k.trim().parse().map_err(|_| format!("{k:?} is not a number"))?;
    let n: u64 = n.trim().parse().map_err(|_| format!("{n:?} is not a number"))?;
    if n == 0 || k == 0 || k > n {
        return Err(format!("need 1 <= K <= N, got {k}/{n}"));
    }
    Ok((k, n))
}

fn sweep_error(e: SweepError) -> anyhow::Error {
    match e {
        SweepError::BadInput(m) => bad_input(m),
        other => anyhow::Error::new(other),
    }
}

/// The sweep's worst case for the memory check: each varied parameter at its largest
/// value over the points (only those that set a run's size count).
fn largest_point(sweep: &crate::sweep::Sweep) -> crate::scenario::Scenario {
    let tops = sweep.params.iter().enumerate().map(|(j, path)| {
        let top = sweep
            .points
            .iter()
            .filter_map(|p| crate::scenario::load::number(&p[j]))
            .fold(f64::NEG_INFINITY, f64::max);
        (path.as_str(), top)
    });
    super::largest_scenario(&sweep.base, tops)
}

pub fn execute(args: SweepArgs, argv: &[String]) -> anyhow::Result<ExitCode> {
    args.format.unwrap_or_default().check_available().map_err(bad_input)?;
    let sweep = load_sweep_file(&args.file).map_err(bad_input)?;
    let stem = args
        .file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sweep".into());
    // A block of runs (`block_runs` with "auto") and the recycled buffers of the one before.
    let block = sweep.spec.adaptive().map_or(crate::montecarlo::BLOCK, |a| a.block);
    super::check_memory(
        [&largest_point(&sweep)],
        super::engines(args.threads),
        block.saturating_mul(2),
    )?;
    // `_lock`: this process writes `out` until it returns (a second writer exits 2).
    let (out, _lock) = match (&args.out, args.resume) {
        (Some(d), true) if d.join("manifest.json").exists() => {
            (d.clone(), dirs::lock_existing(d).map_err(super::out_dir_error)?)
        }
        (None, true) => {
            return Err(bad_input(
                "--resume needs --out DIR (the directory of the interrupted sweep)",
            ));
        }
        (explicit, _) => {
            let default_name = match args.shard {
                Some((k, n)) => format!("sweep-{stem}-shard{k}of{n}"),
                None => format!("sweep-{stem}"),
            };
            let dir = super::out_dir(explicit.as_deref(), &default_name, args.force)?;
            (dir.path, dir.lock)
        }
    };
    let opts = SweepOptions {
        out: out.clone(),
        threads: args.threads,
        resume: args.resume,
        shard: args.shard,
        timeseries: args.timeseries,
        command_line: argv.to_vec(),
        max_runs: args.max_runs,
        format: args.format,
    };
    let (k, n) = args.shard.unwrap_or((1, 1));
    let range = crate::sweep::shard_points(sweep.points.len(), k, n);
    // Adaptive sweeps count points (their runs are known only at the end).
    let work = match sweep.spec.runs_per_point.fixed() {
        Some(rpp) => range.len() as u64 * rpp,
        None => range.len() as u64,
    };
    let pb = progress(work, args.quiet, "sweep");
    let report = run_sweep(&sweep, &opts, &pb).map_err(sweep_error)?;
    pb.finish_and_clear();
    if !args.quiet {
        if report.runs_resumed > 0 {
            eprintln!(
                "resumed: {} of {} runs were already done",
                report.runs_resumed, report.runs_total
            );
        }
        let per_point = match sweep.spec.adaptive() {
            None => format!("{} runs", sweep.spec.runs_per_point),
            Some(a) => format!(
                "auto runs (blocks of {} up to {}, target half-width {})",
                a.block, a.max_runs, a.target_halfwidth
            ),
        };
        let seeds = match sweep.spec.seeds {
            crate::sweep::Seeds::Independent => String::new(),
            other => format!(", {} seeds", other.as_str()),
        };
        println!(
            "{} points x {per_point} ({} design{seeds}), {} runs computed now, {} failed",
            report.points,
            sweep.spec.design.as_str(),
            report.runs_computed,
            report.failed
        );
        if report.complete && sweep.spec.adaptive().is_some() {
            println!(
                "{} runs in all ({} per point on average)",
                report.runs_total,
                report.runs_total as f64 / report.points.max(1) as f64
            );
        }
        if let Some(rss) = crate::fsutil::peak_rss_bytes() {
            println!("peak RSS {:.1} MiB", rss as f64 / (1024.0 * 1024.0));
        }
        if report.complete {
            println!("wrote {}", out.display());
        } else {
            println!("stopped early; continue with --resume --out {}", out.display());
        }
    }
    if report.failed > 0 {
        eprintln!(
            "{} runs failed; see {}",
            report.failed,
            out.join("failures.csv").display()
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn execute_merge(args: MergeArgs, argv: &[String]) -> anyhow::Result<ExitCode> {
    for d in &args.dirs {
        if !d.is_dir() {
            return Err(bad_input(format!("{}: not a directory", d.display())));
        }
    }
    let OutDir { path: out, lock: _lock } = super::out_dir(Some(&args.out), "", args.force)?;
    let n = merge(&args.dirs, &out, argv.to_vec()).map_err(sweep_error)?;
    println!("merged {n} shards into {}", out.display());
    Ok(ExitCode::SUCCESS)
}
