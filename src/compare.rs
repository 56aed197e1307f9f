//! Paired what-if comparisons (`coopetition compare A B`): both scenarios run on common
//! random numbers, so run i of A and run i of B share their seed, and the differences are
//! estimated from the pairs.
//!
//! Pairing removes the noise the two runs of a pair share (the same crises, the same
//! researchers, the same startups as far as the scenarios let their paths agree), so the
//! interval of a difference is much narrower than from two independent batches. For each
//! outcome the difference of proportions `p_b − p_a` has Newcombe's paired interval
//! ([`newcombe_paired`]); for each horizon metric the mean paired difference has the normal
//! interval `mean(d) ± 1.96·sd(d)/√n`. The unpaired intervals of the same runs (Newcombe's
//! independent-samples interval, Welch's normal interval) are reported beside them.
//!
//! Output directory: `comparison.csv`, `switches.csv`, `metrics.csv`, the run directories
//! `a/` and `b/` (as `coopetition run` writes them), `manifest.json`, `report.md`,
//! `report.html` and its charts (`outcomes.svg`, `differences.svg`).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analyze::numbers::pct;
use crate::analyze::plots::{self, BarSeries, DiffBar};
use crate::analyze::report::{self, Block};
use crate::analyze::tables::Table;
use crate::fsutil::write_atomic;
use crate::montecarlo::{BLOCK, Engines, Render, RunRecord, run_block};
use crate::outcome::Outcome;
use crate::output::columns::{METRICS, metric_values, push_num};
use crate::output::manifest::RunManifest;
use crate::output::run_dir::{PerRunFiles, RunDirWriter, write_json};
use crate::scenario::Scenario;
use crate::stats::{Z95, newcombe_diff, newcombe_paired};

/// Running sums of one quantity over the pairs (Welford, in run order: deterministic).
#[derive(Debug, Clone, Copy, Default)]
struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Moments {
    fn add(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }
    fn var(&self) -> f64 {
        if self.n > 1 {
            self.m2 / (self.n - 1) as f64
        } else {
            f64::NAN
        }
    }
}

/// What the pairs of runs add up to.
#[derive(Debug, Clone, Default)]
pub struct Pairs {
    /// Pairs where both runs succeeded.
    pub n: u64,
    /// `switches[a][b]`: pairs with outcome `a` under A and `b` under B.
    pub switches: [[u64; 4]; 4],
    /// Per metric: A, B, and B − A over pairs where both values are finite.
    metrics: Vec<[Moments; 3]>,
}

/// One outcome's paired comparison (`comparison.csv`), with the unpaired interval of the
/// same runs for reference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OutcomeDiff {
    pub outcome: Outcome,
    pub p_a: f64,
    pub p_b: f64,
    /// `p_b − p_a`.
    pub diff: f64,
    pub lo: f64,
    pub hi: f64,
    pub unpaired_lo: f64,
    pub unpaired_hi: f64,
}

impl OutcomeDiff {
    /// The bar of the paired-differences chart (`differences.svg`, and `serve`'s).
    pub(crate) fn bar(&self) -> crate::analyze::plots::DiffBar {
        crate::analyze::plots::DiffBar {
            outcome: self.outcome,
            diff: self.diff,
            lo: self.lo,
            hi: self.hi,
            unpaired_lo: self.unpaired_lo,
            unpaired_hi: self.unpaired_hi,
        }
    }
}

/// One horizon metric's paired comparison (`metrics.csv`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricDiff {
    pub metric: &'static str,
    pub mean_a: f64,
    pub mean_b: f64,
    /// Mean of the paired differences B − A.
    pub diff: f64,
    pub lo: f64,
    pub hi: f64,
    pub unpaired_lo: f64,
    pub unpaired_hi: f64,
}

impl Pairs {
    pub fn new() -> Pairs {
        Pairs {
            metrics: vec![[Moments::default(); 3]; METRICS.len()],
            ..Pairs::default()
        }
    }

    /// Adds one pair: each run's outcome and its metric values at the horizon.
    pub fn add(&mut self, a: (Outcome, &[f64]), b: (Outcome, &[f64])) {
        self.n += 1;
        self.switches[a.0.index()][b.0.index()] += 1;
        for (m, (&x, &y)) in self.metrics.iter_mut().zip(a.1.iter().zip(b.1)) {
            if x.is_finite() && y.is_finite() {
                m[0].add(x);
                m[1].add(y);
                m[2].add(y - x);
            }
        }
    }

    /// Adds a pair of run records when both runs succeeded (a failed run's pair is left out).
    pub fn add_records(&mut self, ra: &RunRecord, rb: &RunRecord) {
        if let (Ok(x), Ok(y)) = (&ra.result, &rb.result) {
            let mx = metric_values(&x.last().cloned().unwrap_or_default());
            let my = metric_values(&y.last().cloned().unwrap_or_default());
            self.add((x.outcome, &mx), (y.outcome, &my));
        }
    }

    /// Outcome probabilities under A and B and their paired differences, in outcome order.
    pub fn outcomes(&self) -> Vec<OutcomeDiff> {
        Outcome::ALL
            .iter()
            .map(|&o| {
                let i = o.index();
                let both = self.switches[i][i];
                let in_a: u64 = self.switches[i].iter().sum();
                let in_b: u64 = self.switches.iter().map(|row| row[i]).sum();
                let (a_only, b_only) = (in_a - both, in_b - both);
                let neither = self.n - both - a_only - b_only;
                let (diff, lo, hi) = newcombe_paired(both, a_only, b_only, neither, Z95);
                let (_, unpaired_lo, unpaired_hi) = newcombe_diff(in_a, self.n, in_b, self.n, Z95);
                let p = |k: u64| if self.n > 0 { k as f64 / self.n as f64 } else { f64::NAN };
                OutcomeDiff {
                    outcome: o,
                    p_a: p(in_a),
                    p_b: p(in_b),
                    diff,
                    lo,
                    hi,
                    unpaired_lo,
                    unpaired_hi,
                }
            })
            .collect()
    }

    /// Horizon metrics' means under A and B and their paired mean differences.
    pub fn metrics(&self) -> Vec<MetricDiff> {
        METRICS
            .iter()
            .zip(&self.metrics)
            .map(|(&metric, [a, b, d])| {
                let n = d.n as f64;
                let half = Z95 * (d.var() / n).sqrt();
                let unpaired = Z95 * (a.var() / n + b.var() / n).sqrt();
                let mean = |m: &Moments| if m.n > 0 { m.mean } else { f64::NAN };
                let diff = mean(d);
                MetricDiff {
                    metric,
                    mean_a: mean(a),
                    mean_b: mean(b),
                    diff,
                    lo: diff - half,
                    hi: diff + half,
                    unpaired_lo: diff - unpaired,
                    unpaired_hi: diff + unpaired,
                }
            })
            .collect()
    }
}

/// A comparison to run.
pub struct CompareSpec<'a> {
    pub a: &'a Scenario,
    pub b: &'a Scenario,
    /// What A and B are called in tables, charts and the report: the scenario's name and
    /// the changes made to it ([`crate::scenario::label`]), e.g.
    /// `baseline + regulation.stringency=2`.
    pub label_a: String,
    pub label_b: String,
    pub runs: u64,
    pub seed: u64,
    pub command_line: &'a [String],
}

/// What a comparison produced.
#[derive(Debug)]
pub struct CompareSummary {
    pub pairs: Pairs,
    pub failed_a: u64,
    pub failed_b: u64,
    /// The terminal table.
    pub table: String,
}

#[derive(Serialize)]
struct CompareManifest<'a> {
    tool: &'static str,
    version: &'static str,
    kind: &'static str,
    scenario_a: &'a str,
    scenario_b: &'a str,
    label_a: &'a str,
    label_b: &'a str,
    master_seed: u64,
    runs: u64,
    pairs: u64,
    failed_runs_a: u64,
    failed_runs_b: u64,
    seeds: &'static str,
    command_line: &'a [String],
}

/// The runs of a comparison, the one loop `compare` and `serve` share: blocks of [`BLOCK`]
/// runs of A, then the same runs of B on the same seeds, handed to `each` in run order.
/// `stopped` is asked before every block (an error ends the work and is returned), as is
/// the first error of `each`.
pub fn run_pairs<E>(
    spec: &CompareSpec<'_>,
    pool: &rayon::ThreadPool,
    render: &Render,
    stopped: impl Fn() -> Result<(), E>,
    mut each: impl FnMut(&[RunRecord], &[RunRecord]) -> Result<(), E>,
) -> Result<(), E> {
    let engines = Engines::default();
    let mut start = 0;
    while start < spec.runs {
        stopped()?;
        let end = (start + BLOCK).min(spec.runs);
        // Run i of A and run i of B both use run_seed(seed, 0, i): common random numbers.
        let block_a = pool.install(|| run_block(&engines, spec.a, spec.seed, 0, start..end, render));
        let block_b = pool.install(|| run_block(&engines, spec.b, spec.seed, 0, start..end, render));
        each(&block_a, &block_b)?;
        engines.recycle(block_a);
        engines.recycle(block_b);
        start = end;
    }
    Ok(())
}

/// Runs both scenarios on the same seeds in the rayon pool `pool`, writing everything into
/// `dir` (which must exist); `tick` is called with the number of runs finished.
pub fn run(
    spec: &CompareSpec<'_>,
    dir: &Path,
    pool: &rayon::ThreadPool,
    tick: &dyn Fn(u64),
) -> Result<CompareSummary, String> {
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |e: std::io::Error| format!("{}: {e}", p.display())
    };
    let (dir_a, dir_b) = (dir.join("a"), dir.join("b"));
    for d in [&dir_a, &dir_b] {
        std::fs::create_dir_all(d).map_err(io(d))?;
    }
    // The per-run files follow `run`'s default for this many runs.
    let files = PerRunFiles::default_for(spec.runs);
    let mut out_a = RunDirWriter::create(&dir_a, spec.a, files).map_err(io(&dir_a))?;
    let mut out_b = RunDirWriter::create(&dir_b, spec.b, files).map_err(io(&dir_b))?;
    let render = Render {
        prefix: String::new(),
        timeseries: files.timeseries,
        events: files.events,
    };
    let mut pairs = Pairs::new();
    let stop = crate::interrupt::current();
    run_pairs(
        spec,
        pool,
        &render,
        || stop.check().map_err(io(&dir_a)),
        |block_a, block_b| {
            for (ra, rb) in block_a.iter().zip(block_b) {
                out_a.write(ra).map_err(io(&dir_a))?;
                out_b.write(rb).map_err(io(&dir_b))?;
                pairs.add_records(ra, rb);
            }
            tick(block_a.len() as u64);
            Ok(())
        },
    )?;
    let (failed_a, failed_b) = (out_a.failed, out_b.failed);
    out_a
        .finish(&RunManifest::new(
            spec.a,
            spec.seed,
            spec.runs,
            failed_a,
            files,
            spec.command_line,
        ))
        .map_err(io(&dir_a))?;
    out_b
        .finish(&RunManifest::new(
            spec.b,
            spec.seed,
            spec.runs,
            failed_b,
            files,
            spec.command_line,
        ))
        .map_err(io(&dir_b))?;

    let outcomes = pairs.outcomes();
    let metrics = pairs.metrics();
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        write_atomic(&p, text.as_bytes()).map_err(io(&p))
    };
    write("comparison.csv", &comparison_csv(&outcomes))?;
    write("switches.csv", &switches_csv(&pairs))?;
    write("metrics.csv", &metrics_csv(&metrics))?;
    let (label_a, label_b) = labels(spec);
    let table = outcome_table(&outcomes, &label_a, &label_b);
    let svgs = charts(spec, &pairs, &outcomes, &label_a, &label_b, dir)?;
    for (name, svg) in &svgs {
        write(name, svg)?;
    }
    let blocks = report_blocks(spec, &pairs, &outcomes, &metrics, &label_a, &label_b);
    write("report.md", &report::markdown(&blocks))?;
    let title = format!("Comparison: {label_b} vs {label_a}");
    write("report.html", &report::html(&title, &blocks, &svgs))?;
    let manifest = CompareManifest {
        tool: "coopetition",
        version: env!("CARGO_PKG_VERSION"),
        kind: "compare",
        scenario_a: &spec.a.name,
        scenario_b: &spec.b.name,
        label_a: &spec.label_a,
        label_b: &spec.label_b,
        master_seed: spec.seed,
        runs: spec.runs,
        pairs: pairs.n,
        failed_runs_a: failed_a,
        failed_runs_b: failed_b,
        seeds: "common: run i of a/ and of b/ both use the seed of run i (outcomes.csv `seed`)",
        command_line: spec.command_line,
    };
    let mp = dir.join("manifest.json");
    write_json(&mp, &manifest).map_err(io(&mp))?;
    Ok(CompareSummary {
        pairs,
        failed_a,
        failed_b,
        table,
    })
}

/// Names shown for A and B (`A: label`, `B: label`).
fn labels(spec: &CompareSpec<'_>) -> (String, String) {
    (format!("A: {}", spec.label_a), format!("B: {}", spec.label_b))
}

fn num(buf: &mut String, x: f64) {
    buf.push(',');
    push_num(buf, x);
}

/// `comparison.csv`: `outcome,p_a,p_b,diff,diff_lo,diff_hi`.
pub fn comparison_csv(rows: &[OutcomeDiff]) -> String {
    let mut s = String::from("outcome,p_a,p_b,diff,diff_lo,diff_hi\n");
    for r in rows {
        s.push_str(r.outcome.as_str());
        for x in [r.p_a, r.p_b, r.diff, r.lo, r.hi] {
            num(&mut s, x);
        }
        s.push('\n');
    }
    s
}

/// `switches.csv`: `from,to,runs` for every pair of outcomes (A's, then B's).
pub fn switches_csv(p: &Pairs) -> String {
    let mut s = String::from("from,to,runs\n");
    for from in Outcome::ALL {
        for to in Outcome::ALL {
            let _ = writeln!(
                s,
                "{},{},{}",
                from.as_str(),
                to.as_str(),
                p.switches[from.index()][to.index()]
            );
        }
    }
    s
}

/// `metrics.csv`: `metric,mean_a,mean_b,diff,diff_lo,diff_hi`.
pub fn metrics_csv(rows: &[MetricDiff]) -> String {
    let mut s = String::from("metric,mean_a,mean_b,diff,diff_lo,diff_hi\n");
    for r in rows {
        s.push_str(r.metric);
        for x in [r.mean_a, r.mean_b, r.diff, r.lo, r.hi] {
            num(&mut s, x);
        }
        s.push('\n');
    }
    s
}

fn pp(x: f64) -> String {
    if x.is_finite() {
        format!("{:+.1}", 100.0 * x)
    } else {
        "n/a".into()
    }
}

fn outcome_rows(rows: &[OutcomeDiff], label_a: &str, label_b: &str) -> Table {
    Table {
        header: vec![
            "outcome".into(),
            format!("p ({label_a})"),
            format!("p ({label_b})"),
            "diff B − A (pp)".into(),
            "95% CI, paired".into(),
            "95% CI, unpaired".into(),
            "width ratio".into(),
        ],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.outcome.as_str().into(),
                    pct(r.p_a),
                    pct(r.p_b),
                    pp(r.diff),
                    format!("[{}, {}]", pp(r.lo), pp(r.hi)),
                    format!("[{}, {}]", pp(r.unpaired_lo), pp(r.unpaired_hi)),
                    format!("{:.2}", (r.hi - r.lo) / (r.unpaired_hi - r.unpaired_lo)),
                ]
            })
            .collect(),
        note: None,
    }
}

/// The table printed to the terminal.
fn outcome_table(rows: &[OutcomeDiff], label_a: &str, label_b: &str) -> String {
    outcome_rows(rows, label_a, label_b).to_text()
}

fn charts(
    spec: &CompareSpec<'_>,
    pairs: &Pairs,
    outcomes: &[OutcomeDiff],
    label_a: &str,
    label_b: &str,
    dir: &Path,
) -> Result<HashMap<String, String>, String> {
    let count = |side: usize| -> [u64; 4] {
        let mut c = [0u64; 4];
        for (i, row) in pairs.switches.iter().enumerate() {
            for (j, &k) in row.iter().enumerate() {
                c[if side == 0 { i } else { j }] += k;
            }
        }
        c
    };
    let series = [
        BarSeries {
            label: label_a.into(),
            counts: count(0),
            runs: pairs.n,
        },
        BarSeries {
            label: label_b.into(),
            counts: count(1),
            runs: pairs.n,
        },
    ];
    let path = |name: &str| -> PathBuf { dir.join(name) };
    let title = format!("Outcomes over {} paired runs (seed {})", pairs.n, spec.seed);
    let bars_svg = plots::outcomes(&path("outcomes.svg"), &title, &series).map_err(|e| e.to_string())?;
    let bars: Vec<DiffBar> = outcomes.iter().map(OutcomeDiff::bar).collect();
    let diff_svg = plots::differences(
        &path("differences.svg"),
        &format!("{label_b} minus {label_a}: paired differences"),
        &bars,
    )
    .map_err(|e| e.to_string())?;
    Ok(HashMap::from([
        ("outcomes.svg".to_string(), bars_svg),
        ("differences.svg".to_string(), diff_svg),
    ]))
}

fn report_blocks(
    spec: &CompareSpec<'_>,
    pairs: &Pairs,
    outcomes: &[OutcomeDiff],
    metrics: &[MetricDiff],
    label_a: &str,
    label_b: &str,
) -> Vec<Block> {
    let mut blocks = vec![
        Block::Heading(1, format!("Comparison: {label_b} vs {label_a}")),
        Block::Para(format!(
            "{} paired runs, master seed {}: run i of both scenarios uses the same seed (common random \
             numbers), so each pair differs only by what the scenarios change. Differences are B − A. \
             Outcome intervals are Newcombe's paired score intervals (method 10); the unpaired interval \
             is what the same runs would give as two independent batches. Runs in `a/` and `b/`.",
            pairs.n, spec.seed
        )),
        Block::Heading(2, "Outcomes".into()),
        Block::Table(outcome_rows(outcomes, label_a, label_b)),
        Block::Image {
            file: "differences.svg".into(),
            caption: "Paired differences of outcome probabilities with 95% intervals, beside the unpaired intervals"
                .into(),
        },
        Block::Image {
            file: "outcomes.svg".into(),
            caption: "Outcome probabilities of both scenarios (95% Wilson intervals) and the article's view".into(),
        },
        Block::Heading(2, "How runs moved between outcomes".into()),
    ];
    let mut header = vec![format!("{label_a} \\ {label_b}")];
    header.extend(Outcome::ALL.map(|o| o.as_str().to_string()));
    blocks.push(Block::Table(Table {
        header,
        rows: Outcome::ALL
            .iter()
            .map(|&from| {
                let mut row = vec![from.as_str().to_string()];
                row.extend(pairs.switches[from.index()].iter().map(|k| k.to_string()));
                row
            })
            .collect(),
        note: Some("Rows: outcome under A; columns: outcome under B (switches.csv).".into()),
    }));
    blocks.push(Block::Heading(2, "Metrics at the horizon".into()));
    let f = |x: f64| {
        if x.is_finite() { format!("{x:.4}") } else { "n/a".into() }
    };
    blocks.push(Block::Table(Table {
        header: vec![
            "metric".into(),
            "mean A".into(),
            "mean B".into(),
            "diff".into(),
            "95% CI, paired".into(),
            "95% CI, unpaired".into(),
        ],
        rows: metrics
            .iter()
            .map(|m| {
                vec![
                    m.metric.into(),
                    f(m.mean_a),
                    f(m.mean_b),
                    f(m.diff),
                    format!("[{}, {}]", f(m.lo), f(m.hi)),
                    format!("[{}, {}]", f(m.unpaired_lo), f(m.unpaired_hi)),
                ]
            })
            .collect(),
        note: Some("Normal intervals of the mean paired difference (metrics.csv).".into()),
    }));
    blocks
}
