//! `coopetition._native`: the Python package's bridge to the one Rust library. Commands run
//! in-process through the same command-line code as the binary (`cli::run_command_line`),
//! so results, files and error messages are the CLI's; the Python layer
//! (`coopetition/__init__.py`) builds the argument lists and loads the tables.

use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::Duration;

use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

use coopetition::cli::{error_message, exit_status, run_command_line, scenarios};
use coopetition::interrupt::{self, StopToken};
use coopetition::outcome::ARTICLE_REFERENCE;
use coopetition::output::columns::{METRICS, outcome_labels};
use coopetition::scenario::params;
use coopetition::stats::{Z95, wilson};

create_exception!(
    coopetition._native,
    InputError,
    PyValueError,
    "Bad input: the CLI would exit with code 2 and print this message."
);
create_exception!(
    coopetition._native,
    CoopetitionError,
    PyRuntimeError,
    "A failure that is not bad input (the CLI's exit code 1), e.g. an I/O error."
);

/// How often the waiting thread looks for Ctrl-C (Python runs signal handlers only when
/// it gets control).
const SIGNAL_POLL: Duration = Duration::from_millis(100);

/// Runs a command line (`argv[0]` is the program name) as the binary would, with the GIL
/// released. Returns `(exit_code, message)`: 0 and `None` on success (or the help text
/// for `--help`), 2 with the CLI's message for bad input, 1 with a message for other
/// errors, 1 and `None` when the command reported a failure itself (some runs failed).
/// Ctrl-C stops this call's work at its next block of runs (a sweep at a checkpoint, a
/// calibration after a generation) and raises KeyboardInterrupt; other calls running in
/// other threads go on.
#[pyfunction]
fn main(py: Python<'_>, argv: Vec<String>) -> PyResult<(u8, Option<String>)> {
    let stop = StopToken::new();
    let (tx, rx) = channel();
    let worker_stop = stop.clone();
    let worker = std::thread::Builder::new()
        .name("coopetition".into())
        .spawn(move || {
            let _ = tx.send(interrupt::scoped(&worker_stop, || run_command_line(argv)));
        })
        .map_err(|e| CoopetitionError::new_err(format!("cannot start a thread: {e}")))?;
    let (finished, interrupted) = py.detach(move || {
        let mut interrupted: Option<PyErr> = None;
        loop {
            match rx.recv_timeout(SIGNAL_POLL) {
                Ok(f) => return (Some(f), interrupted),
                Err(RecvTimeoutError::Disconnected) => return (None, interrupted),
                Err(RecvTimeoutError::Timeout) if interrupted.is_none() => {
                    if let Err(e) = Python::attach(|py| py.check_signals()) {
                        stop.request();
                        interrupted = Some(e);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
            }
        }
    });
    let _ = worker.join();
    if let Some(e) = interrupted {
        return Err(e);
    }
    match finished {
        Some(f) => Ok((f.code, f.message)),
        None => Err(CoopetitionError::new_err(
            "the command panicked (a bug: please report it)",
        )),
    }
}

fn input_error(e: anyhow::Error) -> PyErr {
    match exit_status(&e) {
        2 => InputError::new_err(error_message(&e)),
        _ => CoopetitionError::new_err(error_message(&e)),
    }
}

/// The bundled scenarios: `[(name, first line of its description)]`.
#[pyfunction]
fn bundled_scenarios() -> PyResult<Vec<(String, String)>> {
    let list = scenarios::bundled_list().map_err(input_error)?;
    Ok(list.into_iter().map(|(n, a)| (n.to_string(), a)).collect())
}

/// A scenario with overrides, resolved, as JSON (for Python, whose TOML reader is 3.11+).
#[pyfunction]
fn show_json(scenario: &str, sets: Vec<String>) -> PyResult<String> {
    let s = scenarios::resolve_with_overrides(scenario, &sets).map_err(input_error)?;
    serde_json::to_string(&s).map_err(|e| CoopetitionError::new_err(e.to_string()))
}

/// Every parameter: `[(path, value in the scenario, unit, min, max, meaning)]`.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn param_rows(scenario: &str) -> PyResult<Vec<(String, String, String, f64, f64, String)>> {
    let s = scenarios::resolve_with_overrides(scenario, &[]).map_err(input_error)?;
    Ok(params::with_values(&s)
        .into_iter()
        .map(|row| {
            let p = row.spec;
            (row.path, row.value, p.unit.to_string(), p.min, p.max, p.doc.to_string())
        })
        .collect())
}

/// The Wilson interval of `k` successes in `n` trials at normal quantile `z` (the
/// CLI's outcome intervals).
#[pyfunction]
#[pyo3(signature = (k, n, z = Z95))]
fn wilson_interval(k: u64, n: u64, z: f64) -> (f64, f64) {
    wilson(k, n, z)
}

/// JSON text of a table → TOML text (sweep and scenario files given as Python dicts).
#[pyfunction]
fn json_to_toml(json: &str) -> PyResult<String> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| InputError::new_err(format!("not a table: {e}")))?;
    toml::to_string(&value).map_err(|e| InputError::new_err(format!("cannot be written as TOML: {e}")))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // As the binary: a run that panics is recorded in failures.csv; one line on stderr.
    std::panic::set_hook(Box::new(|info| eprintln!("run failed: {info}")));
    m.add("InputError", m.py().get_type::<InputError>())?;
    m.add("CoopetitionError", m.py().get_type::<CoopetitionError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("Z95", Z95)?;
    // Horizon metrics in `outcomes.csv` column order.
    m.add("METRICS", METRICS.to_vec())?;
    m.add("OUTCOMES", outcome_labels().to_vec())?;
    // The seed article's expert view, in `OUTCOMES` order.
    m.add("ARTICLE", ARTICLE_REFERENCE.to_vec())?;
    m.add_function(wrap_pyfunction!(main, m)?)?;
    m.add_function(wrap_pyfunction!(bundled_scenarios, m)?)?;
    m.add_function(wrap_pyfunction!(show_json, m)?)?;
    m.add_function(wrap_pyfunction!(param_rows, m)?)?;
    m.add_function(wrap_pyfunction!(json_to_toml, m)?)?;
    m.add_function(wrap_pyfunction!(wilson_interval, m)?)?;
    Ok(())
}
