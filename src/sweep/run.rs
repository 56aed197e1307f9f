//! The sweep runner: parallel blocks, streaming outputs, checkpoints for `--resume`.
//!
//! Runs are processed in (point, run) order in blocks. After each block every output is
//! flushed and synced, then `.checkpoint.json` records how many runs are done and the byte
//! length of every partial file. A resumed sweep truncates the files to those lengths and
//! continues with the next run, so after any interruption (even `kill -9`) the result equals
//! an uninterrupted sweep and no checkpointed run is computed twice. Per-point quantiles
//! come from streaming sketches ([`SeriesSketch`]) updated in run order; the open point's
//! sketch state (not its runs' values) is saved beside each checkpoint under `.points/`,
//! so memory and resume state depend on the spread of the metrics, not on
//! `runs_per_point` or on the size of the sweep.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::spec::{Sweep, value_text};
use super::{shard_points, sweep_hash};
use crate::fsutil::{temp_path, write_atomic};
use crate::montecarlo::{BLOCK, Render, RunRecord};
use crate::outcome::Outcome;
use crate::output::columns::{outcomes_header, push_field, push_num, timeseries_header};
use crate::output::format::{TableFormat, convert_tables, remove_converted, remove_tables};
use crate::output::quantiles::{QUANTILES_HEADER, SeriesSketch};
use crate::scenario::Scenario;
use crate::stats::{Z95, wilson};

/// Options of one sweep invocation.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    pub out: PathBuf,
    pub threads: usize,
    pub resume: bool,
    /// (k, n), 1-based.
    pub shard: Option<(u64, u64)>,
    pub timeseries: bool,
    pub command_line: Vec<String>,
    /// Stop after this many runs in this invocation (for tests of interruption).
    pub max_runs: Option<u64>,
    /// Format of the finished tables (the partial streams are always CSV); `None`: CSV
    /// for a new sweep, the sweep's own format on resume.
    pub format: Option<TableFormat>,
}

/// What a sweep invocation did.
#[derive(Debug, Clone, Default)]
pub struct SweepReport {
    pub points: usize,
    pub runs_total: u64,
    /// Runs already done when this invocation started (resume).
    pub runs_resumed: u64,
    /// Runs computed by this invocation.
    pub runs_computed: u64,
    pub failed: u64,
    pub complete: bool,
}

/// Why a sweep could not proceed.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("{0}")]
    BadInput(String),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> SweepError + '_ {
    move |source| SweepError::Io {
        path: path.into(),
        source,
    }
}

/// The manifest of a sweep directory.
#[derive(Debug, Serialize, Deserialize)]
pub struct SweepManifest {
    pub tool: String,
    pub version: String,
    pub kind: String,
    pub status: String,
    pub hash: String,
    pub scenario_name: String,
    pub master_seed: u64,
    pub runs_per_point: super::RunsPerPoint,
    pub points: usize,
    pub points_in_shard: [usize; 2],
    pub shard: Option<String>,
    pub runs: u64,
    pub failed_runs: u64,
    pub timeseries: bool,
    /// Format of the finished tables (older manifests: CSV).
    #[serde(default)]
    pub format: TableFormat,
    pub command_line: Vec<String>,
    pub sweep: super::SweepSpec,
    pub scenario: Scenario,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Checkpoint {
    hash: String,
    runs_done: u64,
    /// Adaptive sweeps: the next point and the runs it has done (fixed sweeps derive both
    /// from `runs_done`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cursor: Option<[u64; 2]>,
    failed: u64,
    lengths: BTreeMap<String, u64>,
}

/// Resume state of an incomplete sweep: the checkpoint and the open point's sketch state.
const CHECKPOINT: &str = ".checkpoint.json";
const POINTS_DIR: &str = ".points";

/// First bytes of a point state file (format version 2: sketches; version 1 held values).
const STATE_MAGIC: &[u8; 8] = b"CQPS0002";

/// The state file of point `p` after `runs` of its runs: named by both, so a state written
/// just before a kill never replaces the one the last checkpoint refers to.
fn state_path(points_dir: &Path, p: usize, runs: u64) -> PathBuf {
    points_dir.join(format!("{p}.{runs}.state"))
}

/// The tables of a sweep directory: `points.csv`, written at the start, then the streams.
pub const TABLES: [&str; 6] = [
    "points.csv",
    "outcomes.csv",
    "failures.csv",
    "summary.csv",
    "timeseries_quantiles.csv",
    "timeseries.csv",
];

/// Partial output files of a sweep, in a fixed order.
const STREAMS: &[&str] = TABLES.split_at(1).1;

struct Streams {
    dir: PathBuf,
    files: Vec<Option<BufWriter<File>>>,
}

impl Streams {
    fn path(&self, i: usize) -> PathBuf {
        temp_path(&self.dir.join(STREAMS[i]))
    }
    fn write(&mut self, i: usize, text: &str) -> Result<(), SweepError> {
        let path = self.path(i);
        if let Some(f) = self.files[i].as_mut() {
            f.write_all(text.as_bytes()).map_err(io(&path))?;
        }
        Ok(())
    }
    fn sync(&mut self) -> Result<BTreeMap<String, u64>, SweepError> {
        let mut lengths = BTreeMap::new();
        for (i, name) in STREAMS.iter().enumerate() {
            let path = self.path(i);
            if let Some(f) = self.files[i].as_mut() {
                f.flush().map_err(io(&path))?;
                f.get_ref().sync_data().map_err(io(&path))?;
                let len = f.get_ref().metadata().map_err(io(&path))?.len();
                lengths.insert(name.to_string(), len);
            }
        }
        Ok(lengths)
    }
}

/// What is kept of an open point: outcome counts and the sketches of its time series.
struct PointData {
    counts: [u64; 4],
    ok: u64,
    processed: u64,
    series: SeriesSketch,
}

impl PointData {
    fn new(horizon: usize) -> PointData {
        PointData {
            counts: [0; 4],
            ok: 0,
            processed: 0,
            series: SeriesSketch::new(horizon),
        }
    }

    /// Writes the state atomically to `path`.
    fn save(&self, path: &Path) -> Result<(), SweepError> {
        let mut bytes = Vec::with_capacity(64 + 40 * self.series.buckets());
        bytes.extend_from_slice(STATE_MAGIC);
        for v in [self.processed, self.ok].iter().chain(&self.counts) {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        self.series.write_to(&mut bytes);
        write_atomic(path, &bytes).map_err(io(path))
    }

    /// Reads a state written by [`save`](Self::save) after `runs` runs.
    fn load(path: &Path, runs: u64, horizon: usize) -> Result<PointData, SweepError> {
        let bad = || {
            SweepError::BadInput(format!(
                "{}: point state unreadable or from another version; cannot resume. \
                 Use --force to start over",
                path.display()
            ))
        };
        let bytes = std::fs::read(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => bad(),
            _ => io(path)(e),
        })?;
        let mut rest = bytes.strip_prefix(STATE_MAGIC.as_slice()).ok_or_else(bad)?;
        let mut word = || -> Option<u64> {
            let (head, tail) = rest.split_first_chunk::<8>()?;
            rest = tail;
            Some(u64::from_le_bytes(*head))
        };
        let mut head = [0u64; 6];
        for h in head.iter_mut() {
            *h = word().ok_or_else(bad)?;
        }
        let series = SeriesSketch::read_from(&mut rest, horizon).ok_or_else(bad)?;
        let [processed, ok, c0, c1, c2, c3] = head;
        if processed != runs || !rest.is_empty() || c0 + c1 + c2 + c3 != ok {
            return Err(bad());
        }
        Ok(PointData {
            counts: [c0, c1, c2, c3],
            ok,
            processed,
            series,
        })
    }
}

/// How many runs each point gets.
#[derive(Debug, Clone, Copy)]
enum Plan {
    Fixed(u64),
    Auto(super::Adaptive),
}

impl Plan {
    /// Whether a point with these results is finished.
    fn point_done(self, data: &PointData) -> bool {
        match self {
            Plan::Fixed(rpp) => data.processed == rpp,
            Plan::Auto(a) => {
                data.processed >= a.max_runs
                    || (data.processed.is_multiple_of(a.block) && precise_enough(data, a.target_halfwidth))
            }
        }
    }
}

/// Whether every outcome's 95% Wilson half-width is at most `target` (adaptive stop rule).
/// It reads only the point's own results, so which blocks run never depends on threads,
/// shards or interruptions.
fn precise_enough(data: &PointData, target: f64) -> bool {
    data.ok > 0
        && Outcome::ALL.iter().all(|o| {
            let (lo, hi) = wilson(data.counts[o.index()], data.ok, Z95);
            (hi - lo) / 2.0 <= target
        })
}

/// Runs (or resumes) a sweep into `opts.out`, which the caller has prepared.
///
/// With a fixed `runs_per_point`, runs go in (point, run) order in blocks of
/// [`BLOCK`] that may span points. With `runs_per_point = "auto"`, points go one at a
/// time, each in blocks of `block_runs` run in parallel, until the point is precise
/// enough or at its cap; the output order is still (point, run).
pub fn run_sweep(
    sweep: &Sweep,
    opts: &SweepOptions,
    progress: &indicatif::ProgressBar,
) -> Result<SweepReport, SweepError> {
    let dir = &opts.out;
    let hash = sweep_hash(sweep);
    let plan = match (sweep.spec.runs_per_point, sweep.spec.adaptive()) {
        (_, Some(a)) => Plan::Auto(a),
        (rpp, None) => Plan::Fixed(rpp.fixed().unwrap_or(1)),
    };
    let (k, n) = opts.shard.unwrap_or((1, 1));
    let range = shard_points(sweep.points.len(), k, n);
    // Runs of the shard when fixed; for adaptive sweeps known only at the end.
    let total = match plan {
        Plan::Fixed(rpp) => Some((range.end - range.start) as u64 * rpp),
        Plan::Auto(_) => None,
    };
    let horizon = sweep.base.horizon_months as usize;
    let manifest_path = dir.join("manifest.json");
    let checkpoint_path = dir.join(CHECKPOINT);
    let points_dir = dir.join(POINTS_DIR);

    let mut manifest = SweepManifest {
        tool: "coopetition".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        kind: "sweep".into(),
        status: "running".into(),
        hash: hash.clone(),
        scenario_name: sweep.base.name.clone(),
        master_seed: sweep.spec.seed,
        runs_per_point: sweep.spec.runs_per_point,
        points: sweep.points.len(),
        points_in_shard: [range.start, range.end],
        shard: opts.shard.map(|(k, n)| format!("{k}/{n}")),
        runs: total.unwrap_or(0),
        failed_runs: 0,
        timeseries: opts.timeseries,
        format: opts.format.unwrap_or_default(),
        command_line: opts.command_line.clone(),
        sweep: sweep.spec.clone(),
        scenario: sweep.base.clone(),
    };

    // Resume or start fresh.
    let mut checkpoint = Checkpoint {
        hash: hash.clone(),
        ..Default::default()
    };
    let mut report = SweepReport {
        points: range.len(),
        runs_total: total.unwrap_or(0),
        ..Default::default()
    };
    if opts.resume && manifest_path.exists() {
        let old: SweepManifest = read_json(&manifest_path)?;
        if old.hash != hash || old.shard != manifest.shard || old.timeseries != opts.timeseries {
            return Err(SweepError::BadInput(format!(
                "{}: the sweep changed since it started (hash {} then, {} now, shard {:?} vs {:?}, timeseries {} vs {}); \
                 refusing to resume. Use a new --out, or --force to start over",
                dir.display(),
                old.hash,
                hash,
                old.shard,
                manifest.shard,
                old.timeseries,
                opts.timeseries
            )));
        }
        match opts.format {
            Some(f) if f != old.format => {
                return Err(SweepError::BadInput(format!(
                    "{}: the sweep was started with --format {}; resume it with the same format \
                     (or without --format)",
                    dir.display(),
                    old.format.as_str()
                )));
            }
            _ => manifest.format = old.format,
        }
        if old.status == "complete" {
            report.runs_resumed = old.runs;
            report.runs_total = old.runs;
            report.failed = old.failed_runs;
            report.complete = true;
            return Ok(report);
        }
        if checkpoint_path.exists() {
            checkpoint = read_json(&checkpoint_path)?;
        }
    } else {
        // Fresh start: clear leftovers of an earlier attempt (the caller checked --force),
        // so no file of an older sweep survives beside the new results.
        let _ = std::fs::remove_dir_all(&points_dir);
        let _ = std::fs::remove_file(&checkpoint_path);
        remove_tables(dir, &TABLES);
    }
    std::fs::create_dir_all(&points_dir).map_err(io(&points_dir))?;
    write_json(&manifest_path, &manifest)?;
    write_points_csv(sweep, dir, range.clone())?;

    // Where the sweep stands: the next point and the runs it has done.
    let done = checkpoint.runs_done;
    let mut cursor: (usize, u64) = match (plan, checkpoint.cursor) {
        (Plan::Fixed(rpp), _) => (range.start + (done / rpp) as usize, done % rpp),
        (Plan::Auto(_), Some([p, r])) => (p as usize, r),
        (Plan::Auto(_), None) => (range.start, 0),
    };

    // Every run was checkpointed but the final renames were interrupted: finish them.
    if opts.resume && cursor.0 >= range.end && done > 0 {
        complete(dir, &checkpoint.lengths, &mut manifest, done, checkpoint.failed)?;
        report.runs_resumed = done;
        report.runs_total = done;
        report.failed = checkpoint.failed;
        report.complete = true;
        return Ok(report);
    }

    // Open the partial streams at the checkpointed lengths.
    let headers = [
        format!("point,{}", outcomes_header()),
        "point,run,seed,error".to_string(),
        summary_header(sweep),
        format!("point,{QUANTILES_HEADER}"),
        format!("point,{}", timeseries_header(&sweep.base)),
    ];
    let mut streams = Streams {
        dir: dir.clone(),
        files: Vec::new(),
    };
    for (i, name) in STREAMS.iter().enumerate() {
        if *name == "timeseries.csv" && !opts.timeseries {
            streams.files.push(None);
            continue;
        }
        let path = streams.path(i);
        let f = open_at(&path, checkpoint.lengths.get(*name).copied(), &headers[i])?;
        streams.files.push(Some(BufWriter::with_capacity(1 << 20, f)));
    }

    // Reload the state of the point in progress, if any; state files the checkpoint does
    // not refer to (written after it, before an interruption) are dropped.
    let mut open: BTreeMap<usize, PointData> = BTreeMap::new();
    let mut keep = None;
    if cursor.0 < range.end && cursor.1 > 0 {
        let p = cursor.0;
        let path = state_path(&points_dir, p, cursor.1);
        open.insert(p, PointData::load(&path, cursor.1, horizon)?);
        keep = Some(path);
    }
    remove_states_except(&points_dir, keep.as_deref());
    report.runs_resumed = done;
    report.failed = checkpoint.failed;
    progress.set_position(match plan {
        Plan::Fixed(_) => done,
        Plan::Auto(_) => (cursor.0 - range.start) as u64,
    });

    let pool = crate::montecarlo::thread_pool(opts.threads).map_err(|e| SweepError::Io {
        path: dir.clone(),
        source: std::io::Error::other(e),
    })?;
    let render = |p: usize| Render {
        prefix: format!("{p},"),
        timeseries: opts.timeseries,
        events: false,
    };
    let seeds = sweep.spec.seeds;
    let mut scenarios: BTreeMap<usize, Scenario> = BTreeMap::new();
    let mut g = done;
    let mut budget = opts.max_runs.unwrap_or(u64::MAX);
    let engines = crate::montecarlo::Engines::default();
    let stop = crate::interrupt::current();
    while cursor.0 < range.end && budget > 0 && !stop.requested() {
        // The (point, run) pairs of this block.
        let batch: Vec<(usize, u64)> = match plan {
            Plan::Fixed(rpp) => {
                let from = g; // runs of the shard done so far
                let end = (from + BLOCK).min(total.unwrap_or(0)).min(from.saturating_add(budget));
                (from..end)
                    .map(|i| (range.start + (i / rpp) as usize, i % rpp))
                    .collect()
            }
            Plan::Auto(a) => {
                let (p, r0) = cursor;
                let r1 = ((r0 / a.block + 1) * a.block)
                    .min(a.max_runs)
                    .min(r0.saturating_add(budget));
                (r0..r1).map(|r| (p, r)).collect()
            }
        };
        let (first, last) = (batch[0].0, batch[batch.len() - 1].0);
        scenarios.retain(|&p, _| p >= first);
        for p in first..=last {
            if let std::collections::btree_map::Entry::Vacant(e) = scenarios.entry(p) {
                let s = sweep
                    .scenario(p)
                    .map_err(|m| SweepError::BadInput(format!("point {p}: {m}")))?;
                e.insert(s);
            }
        }
        let block: Vec<RunRecord> = pool.install(|| {
            use rayon::prelude::*;
            batch
                .par_iter()
                .with_max_len(crate::montecarlo::LEAF_RUNS)
                .map(|&(p, r)| {
                    let seed = seeds.run_seed(sweep.spec.seed, p as u64, r);
                    engines.run(&scenarios[&p], seed, p as u64, r, &render(p))
                })
                .collect()
        });
        for rec in &block {
            let p = rec.point as usize;
            let data = open.entry(p).or_insert_with(|| PointData::new(horizon));
            match &rec.result {
                Ok(r) => {
                    streams.write(0, &rec.outcome_row)?;
                    streams.write(4, &rec.timeseries_rows)?;
                    data.counts[r.outcome.index()] += 1;
                    data.ok += 1;
                    data.series.add_run(r);
                }
                Err(msg) => {
                    let mut line = format!("{},{},{},", p, rec.run, rec.seed);
                    push_field(&mut line, msg);
                    line.push('\n');
                    streams.write(1, &line)?;
                    report.failed += 1;
                }
            }
            data.processed += 1;
            cursor = (p, data.processed);
            if plan.point_done(data) {
                let data = open.remove(&p).expect("point is open");
                let (summary, quantiles) = finish_point(sweep, p, &data);
                streams.write(2, &summary)?;
                streams.write(3, &quantiles)?;
                cursor = (p + 1, 0);
            }
        }
        engines.recycle(block);
        let ran = batch.len() as u64;
        report.runs_computed += ran;
        budget -= ran;
        g += ran;
        // Durable checkpoint: data and the open point's state first, then the record of
        // how much is valid; then the states it no longer refers to go.
        let lengths = streams.sync()?;
        let mut keep = None;
        for (&p, data) in &open {
            let path = state_path(&points_dir, p, data.processed);
            data.save(&path)?;
            keep = Some(path);
        }
        checkpoint.runs_done = g;
        checkpoint.cursor = match plan {
            Plan::Fixed(_) => None,
            Plan::Auto(_) => Some([cursor.0 as u64, cursor.1]),
        };
        checkpoint.failed = report.failed;
        checkpoint.lengths = lengths;
        write_json(&checkpoint_path, &checkpoint)?;
        remove_states_except(&points_dir, keep.as_deref());
        progress.set_position(match plan {
            Plan::Fixed(_) => g,
            Plan::Auto(_) => (cursor.0 - range.start) as u64,
        });
    }
    if cursor.0 < range.end {
        if stop.requested() {
            // Stopped between blocks, after the last checkpoint: resumable.
            return Err(SweepError::Io {
                path: dir.clone(),
                source: crate::interrupt::error(),
            });
        }
        return Ok(report); // stopped early on request; resumable
    }

    let lengths = streams.sync()?;
    drop(streams);
    complete(dir, &lengths, &mut manifest, g, report.failed)?;
    report.runs_total = g;
    report.complete = true;
    Ok(report)
}

/// Moves every partial stream into place (cut to its synced length `lengths`), converts the
/// tables to the manifest's format, then marks the manifest complete and drops the resume state (and,
/// for Parquet, the CSV copies: a crash before the manifest leaves a resumable sweep). Used at the end of a sweep and by a
/// resume whose runs were all checkpointed before the renames finished.
fn complete(
    dir: &Path,
    lengths: &BTreeMap<String, u64>,
    manifest: &mut SweepManifest,
    runs: u64,
    failed: u64,
) -> Result<(), SweepError> {
    let format = manifest.format;
    for &name in STREAMS {
        let to = dir.join(name);
        let from = temp_path(&to);
        if from.exists() {
            if let Some(&len) = lengths.get(name) {
                let f = OpenOptions::new().write(true).open(&from).map_err(io(&from))?;
                f.set_len(len).map_err(io(&from))?;
                f.sync_all().map_err(io(&from))?;
            }
            std::fs::rename(&from, &to).map_err(io(&to))?;
        }
    }
    convert_tables(dir, &TABLES, format).map_err(io(dir))?;
    manifest.status = "complete".into();
    manifest.runs = runs;
    manifest.failed_runs = failed;
    write_json(&dir.join("manifest.json"), manifest)?;
    remove_converted(dir, &TABLES, format).map_err(io(dir))?;
    let _ = std::fs::remove_file(dir.join(CHECKPOINT));
    let _ = std::fs::remove_dir_all(dir.join(POINTS_DIR));
    Ok(())
}

/// Opens a partial stream: new with its header, or truncated to the checkpointed length.
fn open_at(path: &Path, len: Option<u64>, header: &str) -> Result<File, SweepError> {
    match len {
        Some(len) => {
            let mut f = OpenOptions::new().read(true).write(true).open(path).map_err(io(path))?;
            f.set_len(len).map_err(io(path))?;
            f.seek(SeekFrom::End(0)).map_err(io(path))?;
            Ok(f)
        }
        None => {
            let mut f = File::create(path).map_err(io(path))?;
            f.write_all(header.as_bytes()).map_err(io(path))?;
            f.write_all(b"\n").map_err(io(path))?;
            Ok(f)
        }
    }
}

/// Removes every point state file in `points_dir` except `keep`.
fn remove_states_except(points_dir: &Path, keep: Option<&Path>) {
    let Ok(entries) = std::fs::read_dir(points_dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if Some(path.as_path()) != keep {
            let _ = std::fs::remove_file(&path);
        }
    }
}

fn summary_header(sweep: &Sweep) -> String {
    let mut h = String::from("point");
    for p in &sweep.params {
        h.push(',');
        h.push_str(p);
    }
    h.push_str(",runs");
    for o in Outcome::ALL {
        let o = o.as_str();
        h.push_str(&format!(",p_{o},p_{o}_lo,p_{o}_hi"));
    }
    h
}

/// The summary row and quantile rows of a completed point.
fn finish_point(sweep: &Sweep, p: usize, data: &PointData) -> (String, String) {
    let mut summary = format!("{p}");
    for v in &sweep.points[p] {
        summary.push(',');
        push_field(&mut summary, &value_text(v));
    }
    summary.push_str(&format!(",{}", data.ok));
    for o in Outcome::ALL {
        let k = data.counts[o.index()];
        let pr = if data.ok > 0 {
            k as f64 / data.ok as f64
        } else {
            f64::NAN
        };
        let (lo, hi) = wilson(k, data.ok, Z95);
        for v in [pr, lo, hi] {
            summary.push(',');
            push_num(&mut summary, v);
        }
    }
    summary.push('\n');

    let rows = data.series.rows(&format!("{p},"));
    (summary, rows)
}

fn write_points_csv(sweep: &Sweep, dir: &Path, range: std::ops::Range<usize>) -> Result<(), SweepError> {
    let mut text = String::from("point");
    for p in &sweep.params {
        text.push(',');
        text.push_str(p);
    }
    text.push('\n');
    for i in range {
        text.push_str(&i.to_string());
        for v in &sweep.points[i] {
            text.push(',');
            push_field(&mut text, &value_text(v));
        }
        text.push('\n');
    }
    let path = dir.join("points.csv");
    write_atomic(&path, text.as_bytes()).map_err(io(&path))
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), SweepError> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| SweepError::Io {
        path: path.into(),
        source: std::io::Error::other(e),
    })?;
    text.push('\n');
    write_atomic(path, text.as_bytes()).map_err(io(path))
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, SweepError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    serde_json::from_str(&text)
        .map_err(|e| SweepError::BadInput(format!("{}: not a sweep manifest: {e}", path.display())))
}

/// Reads a sweep manifest (for merge).
pub fn read_manifest(path: &Path) -> Result<SweepManifest, SweepError> {
    read_json(path)
}

/// Writes a sweep manifest (for merge).
pub fn write_manifest(path: &Path, m: &SweepManifest) -> Result<(), SweepError> {
    write_json(path, m)
}
