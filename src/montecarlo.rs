//! Monte Carlo batches: many independent runs in parallel, results in run order.
//!
//! Each run's seed is [`run_seed`]`(master, point, run)`, and blocks are collected in
//! index order, so outputs are identical for any thread count. Work proceeds in blocks
//! of [`BLOCK`] runs so memory stays bounded however many runs are asked for.

use std::panic::{AssertUnwindSafe, catch_unwind};

use rayon::prelude::*;

use crate::output::columns::{push_event_rows, push_outcome_row, push_timeseries_rows};
use crate::scenario::Scenario;
use crate::sim::{RunResult, Simulator, run_seed};

/// Runs per parallel block: large enough to keep both cores busy, small enough to bound memory.
pub const BLOCK: u64 = 512;

/// What to render for each run (rendering happens on the worker threads).
#[derive(Debug, Clone, Default)]
pub struct Render {
    /// Text put before every row, e.g. `"7,"` for sweep point 7.
    pub prefix: String,
    pub timeseries: bool,
    pub events: bool,
}

/// One finished run, with its CSV rows already rendered.
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

/// Runs one simulation on a reusable engine, turning a panic into an error so a batch
/// never dies of one run (the engine is rebuilt after a panic).
pub fn run_one(
    sim: &mut Simulator,
    scenario: &Scenario,
    master: u64,
    point: u64,
    run: u64,
    render: &Render,
) -> RunRecord {
    run_one_seeded(sim, scenario, run_seed(master, point, run), point, run, render)
}

/// [`run_one`] with the run's seed given (e.g. common random numbers across sweep points).
pub fn run_one_seeded(
    sim: &mut Simulator,
    scenario: &Scenario,
    seed: u64,
    point: u64,
    run: u64,
    render: &Render,
) -> RunRecord {
    let result = match catch_unwind(AssertUnwindSafe(|| sim.run(scenario, seed))) {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(e)) => Err(e.to_string()),
        Err(panic) => {
            *sim = Simulator::new();
            Err(panic_message(&panic))
        }
    };
    let mut rec = RunRecord {
        point,
        run,
        seed,
        result,
        outcome_row: String::new(),
        timeseries_rows: String::new(),
        event_rows: String::new(),
    };
    if let Ok(r) = &rec.result {
        rec.outcome_row.push_str(&render.prefix);
        push_outcome_row(&mut rec.outcome_row, run, r);
        if render.timeseries {
            push_timeseries_rows(&mut rec.timeseries_rows, &render.prefix, run, r, scenario.start);
        }
        if render.events {
            push_event_rows(&mut rec.event_rows, &render.prefix, run, &r.events, scenario.start);
        }
    }
    rec
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        format!("panic: {s}")
    } else if let Some(s) = panic.downcast_ref::<String>() {
        format!("panic: {s}")
    } else {
        "panic".into()
    }
}

/// Runs `runs` in parallel on the current rayon pool and returns them in order.
pub fn run_block(
    scenario: &Scenario,
    master: u64,
    point: u64,
    runs: std::ops::Range<u64>,
    render: &Render,
) -> Vec<RunRecord> {
    runs.into_par_iter()
        .map_init(Simulator::new, |sim, run| {
            run_one(sim, scenario, master, point, run, render)
        })
        .collect()
}

/// Runs `runs` on `pool` in blocks of [`BLOCK`] and hands each finished block, in run
/// order, to `consume` on a thread of its own while the workers simulate the next block: so
/// writing overlaps simulation instead of leaving the workers idle. At most two blocks are
/// in memory. The first error from `consume` stops the work and is returned.
pub fn run_pipelined<E: Send>(
    pool: &rayon::ThreadPool,
    scenario: &Scenario,
    master: u64,
    point: u64,
    runs: std::ops::Range<u64>,
    render: &Render,
    mut consume: impl FnMut(Vec<RunRecord>) -> Result<(), E> + Send,
) -> Result<(), E> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<RunRecord>>(1);
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || {
            for block in rx {
                consume(block)?;
            }
            Ok(())
        });
        let mut start = runs.start;
        while start < runs.end {
            let end = (start + BLOCK).min(runs.end);
            let block = pool.install(|| run_block(scenario, master, point, start..end, render));
            if tx.send(block).is_err() {
                break; // the writer stopped on an error: it is returned below
            }
            start = end;
        }
        drop(tx);
        writer.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Builds a rayon pool with `threads` workers (0 = all cores).
pub fn thread_pool(threads: usize) -> Result<rayon::ThreadPool, rayon::ThreadPoolBuildError> {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build()
}
