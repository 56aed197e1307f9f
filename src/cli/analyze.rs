//! `coopetition analyze DIR`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::bad_input;
use crate::analyze::{AnalyzeOptions, PrimTarget, ReportFormat, analyze};

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  coopetition analyze output/baseline-seed42\n  coopetition analyze output/regulation --metrics tension,hhi_max --format html\n  coopetition analyze output/sensitivity-sobol --prim divestiture>0.2"
)]
pub struct AnalyzeArgs {
    /// A run, sweep or merged result directory.
    pub dir: PathBuf,
    /// Metrics for the fan charts (comma-separated; default: the key metrics).
    #[arg(long, value_delimiter = ',')]
    pub metrics: Option<Vec<String>>,
    /// Report formats to write: md, html (comma-separated; default both).
    #[arg(long = "format", value_delimiter = ',', default_value = "md,html")]
    pub formats: Vec<String>,
    /// Scenario discovery target, e.g. `divestiture>0.2` (repeatable; default: each
    /// outcome's top quarter of points, for lhs/random/sobol/posterior sweeps).
    #[arg(long, value_name = "OUTCOME>SHARE")]
    pub prim: Vec<String>,
}

pub fn execute(args: AnalyzeArgs) -> anyhow::Result<ExitCode> {
    let formats = args
        .formats
        .iter()
        .map(|f| {
            f.parse::<ReportFormat>()
                .map_err(|e| bad_input(format!("--format {f}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut prim: Vec<PrimTarget> = Vec::new();
    for p in &args.prim {
        let t: PrimTarget = p.parse().map_err(|e| bad_input(format!("--prim {e}")))?;
        if prim.iter().any(|q| q.outcome == t.outcome) {
            return Err(bad_input(format!(
                "--prim {p}: one target per outcome (it names the file prim_{}.csv)",
                t.outcome.as_str()
            )));
        }
        prim.push(t);
    }
    let opts = AnalyzeOptions {
        metrics: args.metrics,
        formats,
        prim,
    };
    let summary = analyze(&args.dir, &opts).map_err(|e| if e.is_bad_input() { bad_input(e) } else { e.into() })?;
    print!("{}", summary.table);
    println!("wrote {} files to {}", summary.files.len(), summary.out_dir.display());
    Ok(ExitCode::SUCCESS)
}
