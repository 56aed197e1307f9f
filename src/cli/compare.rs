//! `coopetition compare`: two scenarios on common random numbers.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use super::bad_input;
use super::run::progress;
use super::scenarios::resolve_with_overrides;
use crate::compare::{CompareSpec, run};
use crate::montecarlo::thread_pool;
use crate::output::dirs::OutDir;

#[derive(Debug, Args)]
#[command(
    after_help = "Run i of A and run i of B share their seed, so each pair differs only by what the scenarios \
        change; differences (B − A) get paired 95% intervals.\n\n\
        Examples:\n  coopetition compare baseline timeline-2024 --runs 2000\n  \
        coopetition compare baseline no-exclusivity --seed 7 --out output/exclusivity\n  \
        coopetition compare baseline baseline --set-b partnership.exclusivity=rofr\n  \
        coopetition compare baseline strict-regulators --set horizon_months=24"
)]
pub struct CompareArgs {
    /// Scenario A (the reference): bundled name or path to a TOML file.
    pub a: String,
    /// Scenario B (the what-if): bundled name or path to a TOML file.
    pub b: String,
    /// Runs of each scenario (pairs).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    pub runs: u64,
    /// Master seed; run i of both scenarios uses a seed derived from (seed, i).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Override a parameter of both scenarios, e.g. `--set horizon_months=24` (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Override a parameter of A only (after --set; repeatable).
    #[arg(long = "set-a", value_name = "PATH=VALUE")]
    pub set_a: Vec<String>,
    /// Override a parameter of B only (after --set; repeatable).
    #[arg(long = "set-b", value_name = "PATH=VALUE")]
    pub set_b: Vec<String>,
    /// Output directory (default: output/compare-A-vs-B-seedSEED, made fresh if taken).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Overwrite results already in --out.
    #[arg(long)]
    pub force: bool,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, default_value_t = 0, value_parser = super::parse_threads)]
    pub threads: usize,
    /// No progress bar or table.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn execute(args: CompareArgs, argv: &[String]) -> anyhow::Result<ExitCode> {
    let side = |arg: &str, own: &[String]| {
        let sets: Vec<String> = args.set.iter().chain(own).cloned().collect();
        resolve_with_overrides(arg, &sets)
    };
    let a = side(&args.a, &args.set_a)?;
    let b = side(&args.b, &args.set_b)?;
    // Each side is named by its scenario and its changes (`baseline + regulation.stringency=2`).
    let label = |s: &crate::scenario::Scenario, own: &[String]| {
        let sets: Vec<String> = args.set.iter().chain(own).cloned().collect();
        crate::scenario::label(&s.name, &sets)
    };
    let (label_a, label_b) = (label(&a, &args.set_a), label(&b, &args.set_b));
    if a.horizon_months != b.horizon_months {
        return Err(bad_input(format!(
            "A has horizon_months = {} and B {}: outcomes at different horizons are not comparable",
            a.horizon_months, b.horizon_months
        )));
    }
    let default_name = format!("compare-{}-vs-{}-seed{}", a.name, b.name, args.seed);
    let pool = thread_pool(args.threads).context("cannot start worker threads")?;
    // A block of A's runs and the same block of B's are held together.
    let held = 2 * args.runs.min(crate::montecarlo::BLOCK);
    super::check_memory(
        [&a, &b],
        pool.current_num_threads().min(args.runs.max(1) as usize),
        held,
    )?;
    let OutDir { path: dir, lock: _lock } = super::out_dir(args.out.as_deref(), &default_name, args.force)?;
    let pb = progress(args.runs, args.quiet, &format!("{label_a} vs {label_b}"));
    let spec = CompareSpec {
        a: &a,
        b: &b,
        label_a: label_a.clone(),
        label_b: label_b.clone(),
        runs: args.runs,
        seed: args.seed,
        command_line: argv,
    };
    let summary = run(&spec, &dir, &pool, &|n| pb.inc(n)).map_err(anyhow::Error::msg)?;
    pb.finish_and_clear();
    if !args.quiet {
        println!(
            "compare A: {label_a} with B: {label_b}  {} paired runs  seed {}  horizon {} months",
            summary.pairs.n, args.seed, a.horizon_months
        );
        print!("{}", summary.table);
        println!("wrote {}", dir.display());
    }
    if summary.failed_a + summary.failed_b > 0 {
        eprintln!(
            "{} runs of A and {} of B failed (their pairs are left out); see {} and {}",
            summary.failed_a,
            summary.failed_b,
            dir.join("a/failures.csv").display(),
            dir.join("b/failures.csv").display()
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
