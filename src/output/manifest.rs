//! `manifest.json`: what produced a result directory.

use serde::Serialize;

use crate::scenario::Scenario;

/// The manifest of a run directory.
#[derive(Debug, Serialize)]
pub struct RunManifest<'a> {
    pub tool: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub scenario_name: &'a str,
    pub master_seed: u64,
    pub runs: u64,
    pub failed_runs: u64,
    /// Whether the per-run `timeseries.csv` and `events.csv` were written.
    pub timeseries: bool,
    pub events: bool,
    pub command_line: &'a [String],
    pub scenario: &'a Scenario,
}

impl<'a> RunManifest<'a> {
    pub fn new(
        scenario: &'a Scenario,
        master_seed: u64,
        runs: u64,
        failed_runs: u64,
        files: super::run_dir::PerRunFiles,
        command_line: &'a [String],
    ) -> Self {
        RunManifest {
            tool: "coopetition",
            version: env!("CARGO_PKG_VERSION"),
            kind: "run",
            scenario_name: &scenario.name,
            master_seed,
            runs,
            failed_runs,
            timeseries: files.timeseries,
            events: files.events,
            command_line,
            scenario,
        }
    }
}
