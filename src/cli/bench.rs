//! `coopetition bench`.

use std::process::ExitCode;

use clap::Args;

use crate::bench::{BenchConfig, run_bench};

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  coopetition bench            # full figures (about a minute or two)\n  coopetition bench --quick    # smaller workloads\n  coopetition bench --threads 1\n  coopetition bench --scale-only   # one run of a million researchers"
)]
pub struct BenchArgs {
    /// Smaller workloads (10k-run sweep, pools up to 100k researchers).
    #[arg(long)]
    pub quick: bool,
    /// Only the first figure: one run of `scale-1m` (a few seconds; with --quick, 100k researchers).
    #[arg(long)]
    pub scale_only: bool,
    /// Worker threads for the multi-threaded figures (default: all cores).
    #[arg(long, default_value_t = 0, value_parser = super::parse_threads)]
    pub threads: usize,
}

pub fn execute(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let mut cfg = if args.quick {
        BenchConfig::quick()
    } else {
        BenchConfig::full()
    };
    cfg.threads = args.threads;
    cfg.scale_only = args.scale_only;
    run_bench(&cfg, |section| print!("{section}")).map_err(anyhow::Error::msg)?;
    Ok(ExitCode::SUCCESS)
}
