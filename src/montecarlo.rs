//! Monte Carlo batches: many independent runs in parallel, results in run order.
//!
//! Each run's seed is [`run_seed`]`(master, point, run)`, and blocks are collected in
//! index order, so outputs are identical for any thread count. Work proceeds in blocks
//! of [`BLOCK`] runs so memory stays bounded however many runs are asked for.

use std::panic::{AssertUnwindSafe, catch_unwind};

use rayon::prelude::*;

use crate::output::columns::{push_event_rows, push_outcome_row, push_timeseries_rows};
use crate::scenario::Scenario;
use crate::sim::{Simulator, run_seed};

/// Runs per parallel block: large enough to keep both cores busy, small enough to bound memory.
pub const BLOCK: u64 = 512;

/// Most runs in one unit of parallel work: small, so the threads finish a block together
/// (with rayon's default splitting a thread could be left with a quarter of a block).
pub const LEAF_RUNS: usize = 4;

/// What a batch keeps between runs: simulation engines and the text buffers of rendered
/// rows. Building an engine (world, schedule, the scenario's prepared tables) costs far more
/// than a run, so each is built once per thread; buffers come back from the writer
/// ([`Engines::recycle`]), so rows are neither reallocated as they grow nor freed on another
/// thread than the one that filled them (glibc's malloc serialises such frees on its arena
/// locks). Both are caches only: a run's result never depends on which engine or buffer
/// served it.
#[derive(Default)]
pub struct Engines {
    sims: std::sync::Mutex<Vec<Simulator>>,
    /// Free buffers per kind: outcome rows, timeseries rows, event rows (kept apart so a
    /// small kind's buffers do not grow to the size of a large kind's).
    texts: std::sync::Mutex<[Vec<String>; 3]>,
}

/// Free buffers kept per kind: a block's worth (a block is written while the next is
/// rendered, so one block's buffers are enough to recycle in steady state).
const MAX_TEXTS: usize = BLOCK as usize;

impl Engines {
    /// Calls `f` with an engine taken from the pool (or a new one), then returns it.
    pub fn with<R>(&self, f: impl FnOnce(&mut Simulator) -> R) -> R {
        let taken = self.sims.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut sim = taken.unwrap_or_default();
        let out = f(&mut sim);
        self.sims.lock().unwrap_or_else(|e| e.into_inner()).push(sim);
        out
    }

    /// [`run_one_seeded`] on a pooled engine, rendering into pooled buffers.
    pub fn run(&self, scenario: &Scenario, seed: u64, point: u64, run: u64, render: &Render) -> RunRecord {
        let texts = {
            let mut pool = self.texts.lock().unwrap_or_else(|e| e.into_inner());
            std::array::from_fn(|kind| pool[kind].pop().unwrap_or_default())
        };
        self.with(|sim| run_into(sim, scenario, seed, point, run, render, texts))
    }

    /// Takes back the buffers of written records (the rest of each record is dropped).
    pub fn recycle(&self, block: Vec<RunRecord>) {
        let mut pool = self.texts.lock().unwrap_or_else(|e| e.into_inner());
        for rec in block {
            let texts = [rec.outcome_row, rec.timeseries_rows, rec.event_rows];
            for (free, mut text) in pool.iter_mut().zip(texts) {
                if free.len() < MAX_TEXTS {
                    text.clear();
                    free.push(text);
                }
            }
        }
    }
}

/// What to render for each run (rendering happens on the worker threads).
#[derive(Debug, Clone, Default)]
pub struct Render {
    /// Text put before every row, e.g. `"7,"` for sweep point 7.
    pub prefix: String,
    pub timeseries: bool,
    pub events: bool,
}

// The record of a finished run is the writers' input, so it is defined with them.
pub use crate::output::record::RunRecord;

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
    run_into(sim, scenario, seed, point, run, render, Default::default())
}

/// [`run_one_seeded`] rendering into the given (empty) buffers: outcome, timeseries, events.
fn run_into(
    sim: &mut Simulator,
    scenario: &Scenario,
    seed: u64,
    point: u64,
    run: u64,
    render: &Render,
    [outcome_row, timeseries_rows, event_rows]: [String; 3],
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
        outcome_row,
        timeseries_rows,
        event_rows,
    };
    if let Ok(r) = &mut rec.result {
        rec.outcome_row.push_str(&render.prefix);
        push_outcome_row(&mut rec.outcome_row, run, r);
        // Sized from typical rows (~1.1 kB a month, ~70 B an event) so rendering does
        // not copy the text as it grows.
        if render.timeseries {
            rec.timeseries_rows
                .reserve(r.timeseries.len() * (1200 + render.prefix.len()));
            push_timeseries_rows(&mut rec.timeseries_rows, &render.prefix, run, r, scenario.start);
        }
        if render.events {
            rec.event_rows.reserve(r.events.len() * (80 + render.prefix.len()));
            push_event_rows(&mut rec.event_rows, &render.prefix, run, &r.events, scenario.start);
        }
        r.events = Vec::new();
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
    engines: &Engines,
    scenario: &Scenario,
    master: u64,
    point: u64,
    runs: std::ops::Range<u64>,
    render: &Render,
) -> Vec<RunRecord> {
    let first = runs.start;
    (0..(runs.end - runs.start) as usize)
        .into_par_iter()
        .with_max_len(LEAF_RUNS)
        .map(|i| first + i as u64)
        .map(|run| engines.run(scenario, run_seed(master, point, run), point, run, render))
        .collect()
}

/// Runs `runs` on `pool` in blocks of [`BLOCK`] and hands each finished block, in run
/// order, to `consume` on a thread of its own while the workers simulate the next block: so
/// writing overlaps simulation instead of leaving the workers idle. At most three blocks
/// are in memory (one being written, one waiting, one being simulated); their text buffers
/// are reused. The first error from `consume` stops the work and is returned.
pub fn run_pipelined<E: Send>(
    pool: &rayon::ThreadPool,
    scenario: &Scenario,
    master: u64,
    point: u64,
    runs: std::ops::Range<u64>,
    render: &Render,
    mut consume: impl FnMut(&[RunRecord]) -> Result<(), E> + Send,
) -> Result<(), E> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<RunRecord>>(1);
    let engines = Engines::default();
    std::thread::scope(|scope| {
        let engines = &engines;
        let writer = scope.spawn(move || {
            for block in rx {
                consume(&block)?;
                engines.recycle(block);
            }
            Ok(())
        });
        let mut start = runs.start;
        while start < runs.end {
            let end = (start + BLOCK).min(runs.end);
            let block = pool.install(|| run_block(engines, scenario, master, point, start..end, render));
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
