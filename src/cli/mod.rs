//! The command line (SPEC §4): argument structs and dispatch. `main.rs` only parses.

pub mod analyze;
pub mod bench;
pub mod calibrate;
pub mod calibrate_args;
pub mod calibrate_patterns;
pub mod compare;
pub mod run;
pub mod scenarios;
#[cfg(feature = "serve")]
pub mod serve;
pub mod slurm;
pub mod sweep;
pub mod table;

use std::path::Path;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A user error: bad usage, scenario or file. Exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(pub String);

/// Wraps any error as bad input (exit code 2).
pub fn bad_input(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::Error::new(BadInput(e.to_string()))
}

/// [`dirs::prepare`](crate::output::dirs::prepare) with the CLI's exit codes: 2 for what the
/// command line can fix (results present, another writer), 1 for the system's faults.
pub fn out_dir(
    explicit: Option<&Path>,
    default_name: &str,
    force: bool,
) -> anyhow::Result<crate::output::dirs::OutDir> {
    crate::output::dirs::prepare(explicit, default_name, force).map_err(out_dir_error)
}

/// Worker threads a `--threads` value gives (0: one per core, as rayon's default).
pub fn engines(threads: usize) -> usize {
    if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    }
}

/// `base` with each parameter that sets a run's size (researchers, startups, horizon) at
/// the given value when that is larger: the worst case of a sweep's points or a
/// calibration's priors, for [`check_memory`]. Values validation refuses are skipped.
pub fn largest_scenario<'a>(
    base: &crate::scenario::Scenario,
    values: impl IntoIterator<Item = (&'a str, f64)>,
) -> crate::scenario::Scenario {
    use crate::memory::SIZE_PARAMS;
    use crate::scenario::load::{current_value, set_value};
    let mut worst = base.clone();
    for (path, top) in values {
        if !SIZE_PARAMS.contains(&path) || !top.is_finite() {
            continue;
        }
        let value = match current_value(&worst, path) {
            Ok(toml::Value::Integer(i)) if (i as f64) < top => toml::Value::Integer(top as i64),
            Ok(toml::Value::Float(x)) if x < top => toml::Value::Float(top),
            _ => continue,
        };
        if let Ok(s) = set_value(&worst, path, value) {
            worst = s;
        }
    }
    worst
}

/// Refuses (exit 2), before anything is allocated, a batch whose estimated peak memory
/// ([`crate::memory`]) exceeds what the machine has left, naming the largest scenario.
pub fn check_memory<'a>(
    scenarios: impl IntoIterator<Item = &'a crate::scenario::Scenario>,
    engines: usize,
    runs_held: u64,
) -> anyhow::Result<()> {
    match crate::memory::refusal(scenarios, engines, runs_held) {
        Some(message) => Err(bad_input(message)),
        None => Ok(()),
    }
}

/// An output-directory error with the CLI's exit code (see [`out_dir`]).
pub fn out_dir_error(e: crate::output::dirs::OutDirError) -> anyhow::Error {
    if e.is_usage() {
        bad_input(e)
    } else {
        anyhow::Error::new(e)
    }
}

/// Most worker threads accepted: far above any machine's cores, far below what would
/// exhaust the process (each thread has its own stack).
pub const MAX_THREADS: usize = 1024;

/// Parses `--threads` (0 = all cores).
pub fn parse_threads(s: &str) -> Result<usize, String> {
    let n: usize = s.parse().map_err(|_| format!("{s:?} is not a whole number"))?;
    if n > MAX_THREADS {
        return Err(format!("at most {MAX_THREADS} threads (0 = all cores)"));
    }
    Ok(n)
}

/// Exit code of an error: 2 for bad input, 1 otherwise.
pub fn exit_code(e: &anyhow::Error) -> ExitCode {
    ExitCode::from(exit_status(e))
}

/// Exit status of an error as a number (2 bad input, 1 otherwise).
pub fn exit_status(e: &anyhow::Error) -> u8 {
    match e.chain().any(|c| c.is::<BadInput>()) {
        true => 2,
        false => 1,
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "coopetition",
    version,
    about = "Agent-based simulation of the AI market around a frontier-lab / hyperscaler partnership",
    long_about = "Agent-based simulation of the AI market around a frontier-lab / hyperscaler partnership.\n\
        Companies, researchers, startups, cloud contracts, products and three antitrust authorities \
        step month by month; each run ends in symbiosis, decoupling, acquisition or divestiture.",
    after_help = "Examples:\n  coopetition run                         # 1000 runs of the built-in baseline\n  coopetition run strict-regulators --runs 5000 --seed 7\n  coopetition run --set regulation.stringency=2 --set partnership.exclusivity=rofr\n  coopetition show baseline > my.toml && coopetition validate my.toml\n  coopetition compare baseline timeline-2024 --runs 2000\n  coopetition sweep scenarios/sweeps/regulation.toml\n  coopetition analyze output/baseline-seed42\n  coopetition serve                       # the web app on http://127.0.0.1:8080/"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Monte Carlo runs of one scenario; prints the outcome distribution and writes CSVs.
    Run(run::RunArgs),
    /// List the bundled scenarios.
    #[command(after_help = "Examples:\n  coopetition scenarios\n  coopetition show talent-war")]
    Scenarios,
    /// Print a scenario's fully resolved parameters as TOML.
    #[command(
        after_help = "Examples:\n  coopetition show baseline\n  coopetition show my.toml --set cloud.migration_cost=3"
    )]
    Show {
        /// Bundled scenario name or path to a TOML file.
        scenario: String,
        /// Override a parameter, e.g. `--set regulation.stringency=2` (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
    /// Check scenario or sweep files and report every error.
    #[command(
        after_help = "Examples:\n  coopetition validate scenarios/*.toml\n  coopetition validate scenarios/sweeps/regulation.toml"
    )]
    Validate {
        /// Files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Run a parameter sweep: parallel, streaming, resumable, shardable.
    Sweep(sweep::SweepArgs),
    /// Combine the shard directories of one sweep into the unsharded result.
    Merge(sweep::MergeArgs),
    /// Write (or submit) a SLURM job array that runs a sweep in shards, then merges them.
    Slurm(slurm::SlurmArgs),
    /// Analyze a run, sweep or merged directory: intervals, effects, plots, report.
    Analyze(analyze::AnalyzeArgs),
    /// Compare two scenarios on common random numbers: paired differences with 95% intervals.
    Compare(compare::CompareArgs),
    /// Fit free parameters so the outcome distribution matches a target; writes the scenario.
    Calibrate(calibrate::CalibrateArgs),
    /// Measure throughput and scaling on this machine (prints Markdown tables).
    Bench(bench::BenchArgs),
    /// Serve the web app (what-if, run stories, results) and its JSON API on this machine.
    #[cfg(feature = "serve")]
    Serve(serve::ServeArgs),
    /// Print every parameter with its default, unit, valid range and meaning (Markdown).
    #[command(after_help = "Examples:\n  coopetition params\n  coopetition params strict-regulators")]
    Params {
        /// Scenario whose values fill the default column.
        #[arg(default_value = "baseline")]
        scenario: String,
    },
    /// Print a JSON Schema of scenario or sweep files, for editors' TOML completion and checks.
    #[command(after_help = "Examples:
  coopetition schema > scenario.schema.json            # then `#:schema ./scenario.schema.json` atop a scenario
  coopetition schema sweep > sweep.schema.json

Editors with a TOML language server (Taplo, Even Better TOML) read the `#:schema` comment
or a `.taplo.toml` rule; see README.md.")]
    Schema {
        /// Which files the schema describes.
        #[arg(value_enum, default_value = "scenario")]
        kind: SchemaKind,
    },
}

/// The files `coopetition schema` describes.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SchemaKind {
    Scenario,
    Sweep,
}

/// The message the binary prints after `error: `: the error, then any cause it does not
/// already spell out.
pub fn error_message(e: &anyhow::Error) -> String {
    let mut msg = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !msg.contains(&c) {
            msg.push_str(": ");
            msg.push_str(&c);
        }
    }
    msg
}

/// How an in-process command line ended: the binary's exit code and, unless it
/// succeeded, the message the binary prints on stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    pub code: u8,
    pub message: Option<String>,
}

/// Runs a whole command line (`argv[0]` is the program name) in this process as the
/// binary would, for the Python package: same parsing, same messages, same exit codes
/// (2 for bad input or usage). `--help` text comes back as the message with code 0.
/// Work stops early when the thread's stop token is set (`interrupt::scoped`).
pub fn run_command_line(argv: Vec<String>) -> Finished {
    let cli = match Cli::try_parse_from(&argv) {
        Ok(cli) => cli,
        Err(e) => {
            // As the binary prints it, less the `error: ` every other message also lacks.
            let text = e.render().to_string();
            let text = text.strip_prefix("error: ").unwrap_or(&text).trim_end().to_string();
            return Finished {
                code: e.exit_code().clamp(0, 255) as u8,
                message: Some(text),
            };
        }
    };
    match dispatch(cli, argv) {
        Ok(code) if code == ExitCode::SUCCESS => Finished { code: 0, message: None },
        // A failure the command reported itself (some runs failed, a calibration out of
        // tolerance): its output says what.
        Ok(_) => Finished { code: 1, message: None },
        Err(e) => Finished {
            code: exit_status(&e),
            message: Some(error_message(&e)),
        },
    }
}

/// Runs a parsed command line.
pub fn dispatch(cli: Cli, argv: Vec<String>) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Run(args) => run::execute(args, &argv),
        Command::Scenarios => scenarios::list(),
        Command::Show { scenario, set } => scenarios::show(&scenario, &set),
        Command::Validate { files } => scenarios::validate(&files),
        Command::Params { scenario } => scenarios::params(&scenario),
        Command::Schema { kind } => {
            let schema = match kind {
                SchemaKind::Scenario => crate::scenario::schema::scenario_schema(),
                SchemaKind::Sweep => crate::sweep::schema::sweep_schema(),
            };
            println!("{}", serde_json::to_string_pretty(&schema)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Analyze(args) => analyze::execute(args),
        Command::Bench(args) => bench::execute(args),
        Command::Calibrate(args) => calibrate::execute(args, &argv),
        Command::Compare(args) => compare::execute(args, &argv),
        Command::Sweep(args) => sweep::execute(args, &argv),
        Command::Merge(args) => sweep::execute_merge(args, &argv),
        Command::Slurm(args) => slurm::execute(args, &argv),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::execute(args),
    }
}
