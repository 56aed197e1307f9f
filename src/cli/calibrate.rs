//! `coopetition calibrate`.

use std::path::PathBuf;
use std::process::ExitCode;

use super::bad_input;
pub use super::calibrate_args::{CalibrateArgs, DEFAULT_PARAMS};
use super::run::progress;
use super::scenarios::{resolve_with_overrides, to_toml};
use crate::calibrate::{CalibrationSpec, calibrate, parse_target};
use crate::outcome::Outcome;
use crate::stats::{Z95, wilson};

pub fn execute(args: CalibrateArgs, argv: &[String]) -> anyhow::Result<ExitCode> {
    let base = resolve_with_overrides(&args.scenario, &args.set)?;
    if let Some(targets) = args.targets.clone() {
        return super::calibrate_patterns::execute(&args, &targets, base, argv);
    }
    let target = parse_target(&args.target).map_err(|e| bad_input(format!("--target: {e}")))?;
    let params: Vec<String> = args
        .params
        .split(',')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    if params.is_empty() {
        return Err(bad_input("--params: name at least one parameter"));
    }
    let mut tops = Vec::with_capacity(params.len());
    for p in &params {
        let bounds = crate::calibrate::bounds(p).map_err(|e| bad_input(format!("--params: {e}")))?;
        crate::scenario::load::current_value(&base, p).map_err(|e| bad_input(format!("--params: {e}")))?;
        tops.push((p.as_str(), bounds.hi));
    }
    // With targets the check is at the priors' upper ends (calibrate_patterns); here at the
    // upper ends of the searched intervals, which the search may reach.
    let worst = super::largest_scenario(&base, tops);
    // No run is held: each reduces to counts on its worker.
    super::check_memory([&worst], super::engines(args.threads), 0)?;
    if args.runs == 0 || args.verify_runs == 0 {
        return Err(bad_input("--runs and --verify-runs must be at least 1"));
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("output/calibrated-{}.toml", base.name)));
    if out.exists() && !args.force {
        return Err(bad_input(format!(
            "{}: exists; pass --force to overwrite it",
            out.display()
        )));
    }
    // Fail on an unwritable --out now, not after the whole search.
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| anyhow::anyhow!("{}: cannot create directory for --out: {e}", parent.display()))?;
    }
    let spec = CalibrationSpec {
        target,
        params,
        runs: args.runs,
        seed: args.seed,
        max_evals: args.max_evals,
        tolerance: args.tolerance,
        verify_runs: args.verify_runs,
        threads: args.threads,
    };
    let pb = progress(args.max_evals as u64, args.quiet, "calibrating");
    pb.set_style(
        indicatif::ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} evaluations  ETA {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let result = calibrate(&base, &spec, |n, d| {
        pb.set_position(n as u64);
        pb.set_message(format!("calibrating (distance {d:.5})"));
    })
    .map_err(anyhow::Error::msg)?;
    pb.finish_and_clear();

    let mut report = String::new();
    report.push_str(&format!(
        "calibration of {} ({} evaluations x {} runs, seed {}); out-of-sample check {} runs\n",
        base.name, result.evals, spec.runs, spec.seed, result.check_runs
    ));
    report.push_str(&format!(
        "{:<12} {:>7} {:>8}   {:<17} {:>7} {:>7}\n",
        "outcome", "target", "fit", "check (95% CI)", "", "diff"
    ));
    for o in Outcome::ALL {
        let i = o.index();
        let fit = result.fit_counts[i] as f64 / result.fit_runs as f64;
        let check = result.check_counts[i] as f64 / result.check_runs as f64;
        let (lo, hi) = wilson(result.check_counts[i], result.check_runs, Z95);
        report.push_str(&format!(
            "{:<12} {:>6.1}% {:>7.1}%   {:>5.1}% [{:>4.1}, {:>4.1}] {:>+7.1} pp\n",
            o.as_str(),
            100.0 * target[i],
            100.0 * fit,
            100.0 * check,
            100.0 * lo,
            100.0 * hi,
            100.0 * (check - target[i])
        ));
    }
    for (p, v) in &result.values {
        report.push_str(&format!("  {p} = {v}\n"));
    }
    let verdict = if result.within_tolerance {
        format!(
            "fit within ±{:.1} pp of the target for every outcome",
            100.0 * spec.tolerance
        )
    } else {
        format!(
            "NO fit within ±{:.1} pp of the target was found: the scenario is written anyway; widen --params or --max-evals",
            100.0 * spec.tolerance
        )
    };
    report.push_str(&verdict);
    report.push('\n');
    print!("{report}");

    let mut text = String::new();
    let command: Vec<&str> = std::iter::once("coopetition")
        .chain(argv.iter().skip(1).map(String::as_str))
        .collect();
    text.push_str(&format!("# Calibrated by: {}\n", command.join(" ")));
    for line in report.lines() {
        text.push_str(&format!("# {line}\n"));
    }
    text.push_str(&to_toml(&result.scenario)?);
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent).map_err(|e| anyhow::anyhow!("{}: {e}", parent.display()))?;
    }
    crate::fsutil::write_atomic(&out, text.as_bytes()).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
    println!("wrote {}", out.display());
    Ok(if result.within_tolerance {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
