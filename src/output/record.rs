//! What the writers take from a batch: one finished run with its rows rendered.

use crate::sim::RunResult;

/// One finished run, with its CSV rows already rendered. The result's events are rendered
/// into `event_rows` (when asked) and not kept: nothing reads them afterwards, and dropping
/// them on the worker thread spares the writer hundreds of small frees per run.
#[derive(Debug)]
pub struct RunRecord {
    pub point: u64,
    pub run: u64,
    pub seed: u64,
    /// The result, or the error/panic message of a failed run.
    pub result: Result<RunResult, String>,
    pub outcome_row: String,
    pub timeseries_rows: String,
    pub event_rows: String,
}
