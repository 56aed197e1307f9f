//! The arguments of `coopetition calibrate`, shared by the outcome-only fit
//! (`calibrate.rs`) and the pattern-oriented one (`calibrate_patterns.rs`).

use std::path::PathBuf;

use clap::Args;

/// The free parameters fitted by default: one lever per non-baseline outcome.
pub const DEFAULT_PARAMS: &str = "partnership.bid_propensity,regulation.divest_propensity,cloud.migration_propensity";

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  coopetition calibrate baseline --targets scenarios/targets/baseline.toml   # many patterns, ABC posterior\n  coopetition calibrate baseline --targets scenarios/targets/baseline.toml --dir output/cal --resume\n  coopetition calibrate                                  # baseline to the article's 60/25/10/5 only\n  coopetition calibrate --runs 8000 --out scenarios/baseline.toml --force\n  coopetition calibrate strict-regulators --target symbiosis=0.5,decoupling=0.2,acquisition=0.05,divestiture=0.25\n  coopetition calibrate --params partnership.bid_propensity,regulation.divest_propensity"
)]
pub struct CalibrateArgs {
    /// Bundled scenario name or path to a TOML file.
    #[arg(default_value = "baseline")]
    pub scenario: String,
    /// Target file: patterns with sources and tolerances, free parameters with priors, and
    /// ABC settings (see scenarios/targets/baseline.toml). Writes report.md, targets.csv,
    /// posterior.csv, marginals.svg and calibrated.toml into --dir.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["target", "params", "runs", "max_evals", "tolerance"])]
    pub targets: Option<PathBuf>,
    /// With --targets: the calibration directory (default: output/calibration-SCENARIO).
    #[arg(long, value_name = "DIR", requires = "targets")]
    pub dir: Option<PathBuf>,
    /// With --targets: continue an interrupted calibration in --dir from its last generation.
    #[arg(long, requires = "targets")]
    pub resume: bool,
    /// With --targets: stop after this many generations of this invocation, leaving the
    /// checkpoint to --resume (for tests of resumption).
    #[arg(long, hide = true, requires = "targets")]
    pub stop_after: Option<usize>,
    /// Target distribution (all four outcomes).
    #[arg(
        long,
        default_value = "symbiosis=0.60,decoupling=0.25,acquisition=0.10,divestiture=0.05"
    )]
    pub target: String,
    /// Free parameters (comma-separated paths).
    #[arg(long, default_value = DEFAULT_PARAMS)]
    pub params: String,
    /// Runs per evaluation (the same seeds every time).
    #[arg(long, default_value_t = 4000)]
    pub runs: u64,
    /// Seed of the evaluation runs.
    #[arg(long, default_value_t = 2024)]
    pub seed: u64,
    /// Most evaluations of the search (the starting simplex always takes parameters + 1).
    #[arg(long, default_value_t = 80)]
    pub max_evals: usize,
    /// Largest acceptable |p − target| per outcome in the out-of-sample check.
    #[arg(long, default_value_t = 0.015)]
    pub tolerance: f64,
    /// Runs of the out-of-sample check on fresh seeds.
    #[arg(long, default_value_t = 10_000)]
    pub verify_runs: u64,
    /// Where to write the calibrated scenario (default: output/calibrated-SCENARIO.toml;
    /// with --targets: DIR/calibrated.toml, and also here when given).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Overwrite --out if it exists.
    #[arg(long)]
    pub force: bool,
    /// Override a parameter before calibrating (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Worker threads (default: all cores).
    #[arg(long, default_value_t = 0, value_parser = super::parse_threads)]
    pub threads: usize,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}
