//! `manifest.json`: what produced a result directory.

use serde::Serialize;

use crate::scenario::Scenario;

/// Largest `--runs` for which `run` (and `compare`) write the per-run `timeseries.csv` and
/// `events.csv` unless told otherwise: about 28 kB per baseline run, so 10,000 runs write
/// 280 MB and a million would write 28 GB.
pub const PER_RUN_FILES_MAX_RUNS: u64 = 10_000;

/// Which per-run files a run directory gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PerRunFiles {
    pub timeseries: bool,
    pub events: bool,
}

impl PerRunFiles {
    /// The default for `runs` runs: both up to [`PER_RUN_FILES_MAX_RUNS`], neither above.
    pub fn default_for(runs: u64) -> PerRunFiles {
        let small = runs <= PER_RUN_FILES_MAX_RUNS;
        PerRunFiles {
            timeseries: small,
            events: small,
        }
    }
}

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
        files: PerRunFiles,
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
