//! The work behind the API, on the library's own code paths: batches through
//! [`run_pipelined`] (as `coopetition run`), comparisons through [`run_pairs`] (as
//! `coopetition compare`), stories through [`simulate`]. What is added here is only what the
//! page shows: outcome counts with their intervals, the months outcomes happened in, runs to
//! tell the story of, and charts drawn by the project's SVG code.

use serde_json::{Value, json};

use super::error::ApiError;
use crate::analyze::fan::{Band, Fan};
use crate::analyze::plots::{self, BarSeries, DiffBar};
use crate::compare::{CompareSpec, Pairs, run_pairs};
use crate::montecarlo::{BLOCK, Engines, Render, RunRecord, run_block, run_pipelined};
use crate::outcome::Outcome;
use crate::output::columns::{METRICS, date, metric_values};
use crate::output::quantiles::SeriesSketch;
use crate::scenario::Scenario;
use crate::sim::{run_seed, simulate};
use crate::stats::{Z95, wilson};

/// Runs kept per outcome as examples to tell the story of.
const EXAMPLES: usize = 20;

/// What a batch adds up to, fed run records in run order.
pub(crate) struct Tally {
    /// Successful runs per outcome (as `RunDirWriter::counts`).
    pub counts: [u64; 4],
    pub failed: u64,
    /// Per outcome, runs by the month it happened in (index month − 1).
    months: [Vec<u64>; 4],
    /// Per outcome, the first runs that ended in it.
    examples: [Vec<u64>; 4],
    /// Per month and metric, the sketches of `timeseries_quantiles.csv`.
    sketch: SeriesSketch,
}

impl Tally {
    pub fn new(horizon: u32) -> Tally {
        Tally {
            counts: [0; 4],
            failed: 0,
            months: std::array::from_fn(|_| vec![0; horizon as usize]),
            examples: Default::default(),
            sketch: SeriesSketch::new(horizon as usize),
        }
    }

    pub fn add(&mut self, rec: &RunRecord) {
        match &rec.result {
            Ok(r) => {
                let o = r.outcome.index();
                self.counts[o] += 1;
                let month = (r.outcome_tick.max(1) as usize - 1).min(self.months[o].len().saturating_sub(1));
                if let Some(m) = self.months[o].get_mut(month) {
                    *m += 1;
                }
                if self.examples[o].len() < EXAMPLES {
                    self.examples[o].push(rec.run);
                }
                self.sketch.add_run(r);
            }
            Err(_) => self.failed += 1,
        }
    }

    fn ok(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// `outcomes` (count, p, 95% Wilson interval: the CLI's table), `months` and `examples`.
    pub fn to_json(&self) -> Value {
        let ok = self.ok();
        let mut outcomes = serde_json::Map::new();
        let mut months = serde_json::Map::new();
        let mut examples = serde_json::Map::new();
        for o in Outcome::ALL {
            let k = self.counts[o.index()];
            let (lo, hi) = wilson(k, ok, Z95);
            let p = if ok > 0 { k as f64 / ok as f64 } else { 0.0 };
            outcomes.insert(o.as_str().into(), json!({"count": k, "p": p, "lo": lo, "hi": hi}));
            let hist = &self.months[o.index()];
            let q = |f: f64| -> Value {
                if k == 0 {
                    return Value::Null;
                }
                let target = (f * k as f64).ceil().max(1.0) as u64;
                let mut seen = 0;
                for (i, &n) in hist.iter().enumerate() {
                    seen += n;
                    if seen >= target {
                        return json!(i + 1);
                    }
                }
                json!(hist.len())
            };
            months.insert(
                o.as_str().into(),
                json!({"p05": q(0.05), "median": q(0.5), "p95": q(0.95), "by_month": hist}),
            );
            examples.insert(o.as_str().into(), json!(self.examples[o.index()]));
        }
        json!({"failed": self.failed, "outcomes": outcomes, "months": months, "examples": examples})
    }

    fn band(&self, label: &str, metric: usize) -> Band {
        Band {
            label: label.to_string(),
            rows: self.sketch.band(metric),
        }
    }
}

/// Adds the keys of `extra` (an object) to `out`.
pub(crate) fn merge(out: &mut Value, extra: Value) {
    if let (Some(o), Value::Object(e)) = (out.as_object_mut(), extra) {
        o.extend(e);
    }
}

/// `runs` runs of `scenario` as `coopetition run` makes them (same seeds, same blocks),
/// stopping at a block boundary when the thread's stop token is set.
pub(crate) fn run(
    pool: &rayon::ThreadPool,
    scenario: &Scenario,
    runs: u64,
    seed: u64,
    tick: &(dyn Fn(u64) + Sync),
) -> std::io::Result<Tally> {
    let mut tally = Tally::new(scenario.horizon_months);
    let stop = crate::interrupt::current();
    run_pipelined(pool, scenario, seed, 0, 0..runs, &Render::default(), |block| {
        stop.check()?;
        for rec in block {
            tally.add(rec);
        }
        tick(block.len() as u64);
        Ok::<(), std::io::Error>(())
    })?;
    Ok(tally)
}

/// A comparison as `coopetition compare` makes it, without its files: the pairs and each
/// side's tally (a side's tally equals `coopetition run` of that side).
pub(crate) fn compare(
    pool: &rayon::ThreadPool,
    spec: &CompareSpec<'_>,
    tick: &(dyn Fn(u64) + Sync),
) -> std::io::Result<(Pairs, Tally, Tally)> {
    let (mut ta, mut tb) = (Tally::new(spec.a.horizon_months), Tally::new(spec.b.horizon_months));
    let mut pairs = Pairs::new();
    let stop = crate::interrupt::current();
    run_pairs(
        spec,
        pool,
        &Render::default(),
        || stop.check(),
        |block_a, block_b| {
            for (ra, rb) in block_a.iter().zip(block_b) {
                ta.add(ra);
                tb.add(rb);
                pairs.add_records(ra, rb);
            }
            tick(block_a.len() as u64);
            Ok(())
        },
    )?;
    Ok((pairs, ta, tb))
}

/// A chart as SVG to put inside the page: inline (no prolog or namespace URL) and with a
/// `viewBox`, so it scales to the width it is given.
fn svg(r: Result<String, crate::analyze::AnalyzeError>) -> Result<Value, ApiError> {
    let text = r.map_err(|e| ApiError::bad("fans", e.to_string()))?;
    let mut text = crate::analyze::report::inline_svg(&text);
    let head_end = text.find('>').unwrap_or(0);
    let attr = |name: &str| -> Option<String> {
        let head = &text[..head_end];
        let start = head.find(&format!(" {name}=\""))? + name.len() + 3;
        let len = head[start..].find('"')?;
        Some(head[start..start + len].to_string())
    };
    if !text[..head_end].contains("viewBox")
        && let (Some(w), Some(h)) = (attr("width"), attr("height"))
    {
        text.insert_str(4, &format!(" viewBox=\"0 0 {w} {h}\""));
    }
    Ok(Value::String(text))
}

fn fan_charts(metrics: &[usize], bands: impl Fn(usize) -> Vec<Band>) -> Result<Value, ApiError> {
    let mut fans = serde_json::Map::new();
    for &m in metrics {
        let fan = Fan {
            metric: METRICS[m].to_string(),
            bands: bands(m),
        };
        fans.insert(
            METRICS[m].into(),
            svg(plots::fan(std::path::Path::new(METRICS[m]), &fan))?,
        );
    }
    Ok(Value::Object(fans))
}

/// The charts of a batch: outcome bars and the fan charts of `metrics`.
pub(crate) fn charts_run(label: &str, t: &Tally, metrics: &[usize], seed: u64) -> Result<Value, ApiError> {
    let series = [BarSeries {
        label: label.to_string(),
        counts: t.counts,
        runs: t.ok(),
    }];
    let title = format!("Outcomes over {} runs (seed {seed})", t.ok());
    let outcomes = svg(plots::outcomes(std::path::Path::new("outcomes.svg"), &title, &series))?;
    Ok(json!({"outcomes": outcomes, "fans": fan_charts(metrics, |m| vec![t.band(label, m)])?}))
}

/// The answer of `/api/compare`.
pub(crate) fn compare_json(
    spec: &CompareSpec<'_>,
    pairs: &Pairs,
    ta: &Tally,
    tb: &Tally,
    metrics: &[usize],
) -> Result<Value, ApiError> {
    let diffs = pairs.outcomes();
    let mut differences = serde_json::Map::new();
    for d in &diffs {
        differences.insert(
            d.outcome.as_str().into(),
            json!({"p_a": d.p_a, "p_b": d.p_b, "diff": d.diff, "lo": d.lo, "hi": d.hi,
                   "unpaired_lo": d.unpaired_lo, "unpaired_hi": d.unpaired_hi}),
        );
    }
    let metric_diffs: Vec<Value> = pairs
        .metrics()
        .iter()
        .map(|m| {
            json!({"metric": m.metric, "mean_a": finite(m.mean_a), "mean_b": finite(m.mean_b), "diff": finite(m.diff),
                   "lo": finite(m.lo), "hi": finite(m.hi)})
        })
        .collect();
    let mut side_a = json!({"scenario": spec.label_a});
    merge(&mut side_a, ta.to_json());
    let mut side_b = json!({"scenario": spec.label_b});
    merge(&mut side_b, tb.to_json());
    let (la, lb) = (format!("A: {}", spec.label_a), format!("B: {}", spec.label_b));
    let series = [
        BarSeries {
            label: la.clone(),
            counts: ta.counts,
            runs: ta.ok(),
        },
        BarSeries {
            label: lb.clone(),
            counts: tb.counts,
            runs: tb.ok(),
        },
    ];
    let bars: Vec<DiffBar> = diffs.iter().map(crate::compare::OutcomeDiff::bar).collect();
    let title = format!("Outcomes over {} paired runs (seed {})", pairs.n, spec.seed);
    let charts = json!({
        "outcomes": svg(plots::outcomes(std::path::Path::new("outcomes.svg"), &title, &series))?,
        "differences": svg(plots::differences(
            std::path::Path::new("differences.svg"),
            &format!("{lb} minus {la}: paired differences"),
            &bars
        ))?,
        "fans": fan_charts(metrics, |m| vec![ta.band(&la, m), tb.band(&lb, m)])?,
    });
    Ok(json!({
        "runs": spec.runs,
        "seed": spec.seed,
        "pairs": pairs.n,
        "horizon_months": spec.a.horizon_months,
        "a": side_a,
        "b": side_b,
        "differences": differences,
        "metrics": metric_diffs,
        "switches": pairs.switches,
        "charts": charts,
    }))
}

fn finite(x: f64) -> Value {
    if x.is_finite() { json!(x) } else { Value::Null }
}

/// The first run of `0..runs` (in blocks, as `run` makes them) that ended in `outcome`.
pub(crate) fn find_run(
    pool: &rayon::ThreadPool,
    scenario: &Scenario,
    seed: u64,
    outcome: Outcome,
    runs: u64,
    tick: &(dyn Fn(u64) + Sync),
) -> std::io::Result<Option<u64>> {
    let engines = Engines::default();
    let stop = crate::interrupt::current();
    let mut start = 0;
    while start < runs {
        stop.check()?;
        let end = (start + BLOCK).min(runs);
        let block = pool.install(|| run_block(&engines, scenario, seed, 0, start..end, &Render::default()));
        tick(end - start);
        if let Some(rec) = block
            .iter()
            .find(|rec| rec.result.as_ref().is_ok_and(|r| r.outcome == outcome))
        {
            return Ok(Some(rec.run));
        }
        start = end;
    }
    Ok(None)
}

/// Run `run` of a batch with master seed `seed`: its events and the series of `metrics`.
pub(crate) fn story(scenario: &Scenario, seed: u64, run: u64, metrics: &[usize]) -> Result<Value, ApiError> {
    let run_seed = run_seed(seed, 0, run);
    let r = simulate(scenario, run_seed).map_err(|e| ApiError::bad("run", format!("run {run} failed: {e}")))?;
    let events: Vec<Value> = r
        .events
        .iter()
        .map(|e| {
            json!({"tick": e.tick, "date": date(scenario.start, e.tick), "kind": e.kind,
                   "actor": e.actor, "target": e.target, "detail": e.detail})
        })
        .collect();
    let mut series = serde_json::Map::new();
    for &m in metrics {
        let values: Vec<Value> = r.timeseries.iter().map(|t| finite(metric_values(t)[m])).collect();
        series.insert(METRICS[m].into(), Value::Array(values));
    }
    let dates: Vec<String> = (1..=r.timeseries.len() as u32)
        .map(|t| date(scenario.start, t))
        .collect();
    Ok(json!({
        "run": run,
        "seed": seed,
        "run_seed": run_seed,
        "outcome": r.outcome.as_str(),
        "outcome_tick": r.outcome_tick,
        "outcome_date": date(scenario.start, r.outcome_tick),
        "horizon_months": scenario.horizon_months,
        "dates": dates,
        "events": events,
        "series": series,
    }))
}
