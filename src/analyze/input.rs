//! Loading a run or sweep directory: manifest, sweep points and per-run outcomes.
//!
//! Files are read by column name, rows may come in any order (users filter and
//! concatenate them), and every bad cell is reported with file, line and column.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::csvio::{CsvFile, Row};
use super::error::AnalyzeError;
use crate::outcome::Outcome;

type Result<T> = std::result::Result<T, AnalyzeError>;

/// Metrics of `outcomes.csv` at the horizon whose per-point means are analysed.
/// (The first six columns after the outcome in the writer's layout, SPEC §5.)
pub(crate) const KEY_METRICS: [&str; 6] = {
    use crate::output::columns::METRICS as M;
    [M[0], M[1], M[2], M[3], M[4], M[5]]
};

/// Whether the directory holds one batch of runs or a sweep over parameter points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Run,
    Sweep,
}

/// The parts of `manifest.json` used for titles and for the sweep design; all optional.
#[derive(Debug, Default)]
pub(crate) struct Manifest {
    pub scenario: Option<String>,
    pub master_seed: Option<String>,
    pub runs: Option<u64>,
    pub version: Option<String>,
    pub design: Option<String>,
    /// `seeds` of the sweep (`independent` when absent).
    pub seeds: Option<String>,
    pub vary: Vec<VarySpec>,
    /// `scenario.horizon_months`: the last month of every run.
    pub horizon: Option<u32>,
}

/// One `[[sweep.vary]]` entry as recorded in the manifest.
#[derive(Debug, Default)]
pub(crate) struct VarySpec {
    pub param: String,
    /// Listed values, as text, in the order the user gave them.
    pub values: Vec<String>,
    /// `range = [lo, hi]`, if given.
    pub range: Option<(f64, f64)>,
}

/// One varied parameter with its value at every point (indexed like `Dataset::point_ids`).
#[derive(Debug)]
pub(crate) struct Param {
    pub name: String,
    /// True when every value is a number; then `x` holds the values themselves.
    pub numeric: bool,
    /// Position of each point's value: the number, or the level index for bool/text.
    pub x: Vec<f64>,
    /// Each point's value as written in `points.csv`.
    pub raw: Vec<String>,
    /// Names of the levels of a non-numeric parameter, in order (`x` indexes this).
    pub level_names: Vec<String>,
    /// Declared range from the manifest, for normalising to the unit cube.
    pub range: Option<(f64, f64)>,
}

impl Param {
    /// Point `i`'s value for tables and legends: numbers to about three significant
    /// digits (sampled designs write many), anything else as written.
    pub(crate) fn display(&self, i: usize) -> String {
        if self.numeric {
            super::numbers::fmt_value(self.x[i])
        } else {
            self.raw[i].clone()
        }
    }
}

/// One run's result.
#[derive(Debug, Clone)]
pub(crate) struct RunRec {
    pub run: u64,
    pub outcome: Outcome,
    /// Values of [`KEY_METRICS`] (NaN where absent or empty).
    pub metrics: [f64; KEY_METRICS.len()],
    /// `outcome_tick`: month of the deciding event (`None` without the column).
    pub month: Option<u32>,
    /// `outcome_route`, as an index into [`Dataset::route_names`] (`None` without the
    /// column): interned, since a million runs share a handful of routes.
    pub route: Option<u32>,
}

/// Everything read from the input directory.
#[derive(Debug)]
pub(crate) struct Dataset {
    pub dir: PathBuf,
    pub kind: Kind,
    pub manifest: Manifest,
    /// Point ids in ascending order; `[0]` for a run directory.
    pub point_ids: Vec<u64>,
    /// Varied parameters (empty for a run directory).
    pub params: Vec<Param>,
    /// Runs of each point, sorted by run number.
    pub runs: Vec<Vec<RunRec>>,
    /// Which of [`KEY_METRICS`] `outcomes.csv` has.
    pub metric_present: [bool; KEY_METRICS.len()],
    /// Whether `outcomes.csv` has `outcome_tick` (older directories lack it).
    pub has_month: bool,
    /// Whether `outcomes.csv` has `outcome_route` (older directories lack it).
    pub has_route: bool,
    /// The distinct routes in order of first appearance; [`RunRec::route`] indexes it.
    pub route_names: Vec<String>,
}

impl Dataset {
    /// Whether per-point tables lead with a `point` column: sweeps, as their
    /// `outcomes.csv` does.
    pub(crate) fn leads_with_point(&self) -> bool {
        self.kind == Kind::Sweep
    }

    /// The start of a per-point table row: point `point` for sweeps, with room for `width`
    /// more cells.
    pub(crate) fn row_start(&self, point: u64, width: usize) -> Vec<String> {
        let mut row = Vec::with_capacity(width + 1);
        if self.leads_with_point() {
            row.push(point.to_string());
        }
        row
    }

    /// Total number of runs over all points.
    pub(crate) fn total_runs(&self) -> usize {
        self.runs.iter().map(Vec::len).sum()
    }

    /// Outcome counts of point `i`.
    pub(crate) fn counts(&self, i: usize) -> [u64; 4] {
        let mut c = [0u64; 4];
        for r in &self.runs[i] {
            c[r.outcome.index()] += 1;
        }
        c
    }

    /// The sweep design named in the manifest (lower case), if any.
    pub(crate) fn design(&self) -> Option<&str> {
        self.manifest.design.as_deref()
    }

    /// Whether runs share seeds across points (`seeds = "common"`): run r of every
    /// point then pairs with run r of every other.
    pub(crate) fn common_seeds(&self) -> bool {
        self.manifest.seeds.as_deref() == Some("common")
    }

    /// Short description of point `i`'s parameter values, e.g. `a=1, b=rofr`.
    pub(crate) fn point_label(&self, i: usize) -> String {
        self.params
            .iter()
            .map(|p| format!("{}={}", p.name, p.display(i)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Loads `dir`: a sweep if it has `points.csv`, else a run.
pub(crate) fn load(dir: &Path) -> Result<Dataset> {
    if !dir.is_dir() {
        return Err(AnalyzeError::NotADirectory(dir.to_path_buf()));
    }
    let manifest = read_manifest(&dir.join("manifest.json"))?;
    let points_path = dir.join("points.csv");
    let kind = match crate::output::format::table_exists(&points_path) {
        true => Kind::Sweep,
        false => Kind::Run,
    };
    let (point_ids, params) = match kind {
        Kind::Run => (vec![0], Vec::new()),
        Kind::Sweep => read_points(&points_path, &manifest)?,
    };
    let o = read_outcomes(&dir.join("outcomes.csv"), kind, &point_ids, manifest.horizon)?;
    Ok(Dataset {
        dir: dir.to_path_buf(),
        kind,
        manifest,
        point_ids,
        params,
        runs: o.runs,
        metric_present: o.metric_present,
        has_month: o.has_month,
        has_route: o.has_route,
        route_names: o.route_names,
    })
}

fn read_manifest(path: &Path) -> Result<Manifest> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Manifest::default()),
        Err(e) => return Err(AnalyzeError::io(path, e)),
    };
    let v: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| AnalyzeError::bad_file(path, Some(e.line() as u64), format!("invalid JSON: {e}")))?;
    let sweep = v.get("sweep");
    let text_of = |x: &serde_json::Value| match x {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    let scenario = v
        .get("scenario_name")
        .or_else(|| v.get("scenario").and_then(|s| s.get("name")))
        .or_else(|| sweep.and_then(|s| s.get("scenario")))
        .and_then(text_of);
    let master_seed = v
        .get("master_seed")
        .or_else(|| sweep.and_then(|s| s.get("seed")))
        .and_then(text_of);
    let runs = v
        .get("runs")
        .or_else(|| sweep.and_then(|s| s.get("runs_per_point")))
        .and_then(serde_json::Value::as_u64);
    let version = v.get("tool_version").or_else(|| v.get("version")).and_then(text_of);
    let design = sweep
        .and_then(|s| s.get("design"))
        .and_then(serde_json::Value::as_str)
        .map(str::to_ascii_lowercase);
    let seeds = sweep
        .and_then(|s| s.get("seeds"))
        .and_then(serde_json::Value::as_str)
        .map(str::to_string);
    let vary = sweep
        .and_then(|s| s.get("vary"))
        .and_then(serde_json::Value::as_array)
        .map(|entries| {
            entries
                .iter()
                .filter_map(|e| {
                    let param = e.get("param")?.as_str()?.to_string();
                    let values = e
                        .get("values")
                        .and_then(serde_json::Value::as_array)
                        .map(|a| a.iter().filter_map(text_of).collect())
                        .unwrap_or_default();
                    let range = e
                        .get("range")
                        .and_then(serde_json::Value::as_array)
                        .and_then(|a| match a.as_slice() {
                            [lo, hi] => Some((lo.as_f64()?, hi.as_f64()?)),
                            _ => None,
                        });
                    Some(VarySpec { param, values, range })
                })
                .collect()
        })
        .unwrap_or_default();
    let horizon = v
        .get("scenario")
        .and_then(|s| s.get("horizon_months"))
        .and_then(serde_json::Value::as_u64)
        .and_then(|h| u32::try_from(h).ok())
        .filter(|&h| h > 0);
    Ok(Manifest {
        scenario,
        master_seed,
        runs,
        version,
        design,
        seeds,
        vary,
        horizon,
    })
}

/// Reads `points.csv`. The parameters are the manifest's `vary` list when it has one
/// (so extra columns are tolerated), else every column but `point`.
fn read_points(path: &Path, manifest: &Manifest) -> Result<(Vec<u64>, Vec<Param>)> {
    let mut f = CsvFile::open(path, "sweep points")?;
    let point_col = f.column("point")?;
    let names: Vec<String> = if manifest.vary.is_empty() {
        f.header().iter().filter(|h| h.as_str() != "point").cloned().collect()
    } else {
        manifest.vary.iter().map(|v| v.param.clone()).collect()
    };
    let cols = names.iter().map(|n| f.column(n)).collect::<Result<Vec<_>>>()?;
    let mut rows: Vec<(u64, u64, Vec<String>)> = Vec::new();
    while let Some(row) = f.next_row()? {
        let id = row.u64(point_col)?;
        let cells = cols.iter().map(|&c| row.text(c).to_string()).collect();
        rows.push((id, row.line(), cells));
    }
    rows.sort_by_key(|r| r.0);
    if let Some(w) = rows.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(AnalyzeError::bad_file(
            path,
            Some(w[1].1),
            format!("point {} appears twice", w[1].0),
        ));
    }
    if rows.is_empty() {
        return Err(AnalyzeError::bad_file(path, None, "no points"));
    }
    let ids = rows.iter().map(|r| r.0).collect();
    let params = names
        .into_iter()
        .enumerate()
        .map(|(j, name)| {
            let raw: Vec<String> = rows.iter().map(|r| r.2[j].clone()).collect();
            let spec = manifest.vary.iter().find(|v| v.param == name);
            make_param(name, raw, spec)
        })
        .collect();
    Ok((ids, params))
}

/// Types a parameter column: numbers if all parse, else booleans, else text levels
/// ordered as the manifest lists them, then by first appearance.
fn make_param(name: String, raw: Vec<String>, spec: Option<&VarySpec>) -> Param {
    let nums: Option<Vec<f64>> = raw
        .iter()
        .map(|s| s.parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect();
    let declared_range = spec.and_then(|s| s.range).or_else(|| {
        let vals: Option<Vec<f64>> = spec?.values.iter().map(|v| v.parse().ok()).collect();
        let vals = vals.filter(|v| !v.is_empty())?;
        let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Some((lo, hi))
    });
    if let Some(x) = nums {
        return Param {
            name,
            numeric: true,
            x,
            raw,
            level_names: Vec::new(),
            range: declared_range,
        };
    }
    let is_bool = raw.iter().all(|s| s == "true" || s == "false");
    let level_names: Vec<String> = if is_bool {
        vec!["false".to_string(), "true".to_string()]
    } else {
        let mut order: Vec<String> = Vec::new();
        let listed = spec.map(|s| s.values.iter()).into_iter().flatten();
        for v in listed.chain(raw.iter()) {
            if raw.contains(v) && !order.contains(v) {
                order.push(v.clone());
            }
        }
        order
    };
    let x = raw
        .iter()
        .map(|s| level_names.iter().position(|l| l == s).unwrap_or(0) as f64)
        .collect();
    Param {
        name,
        numeric: false,
        x,
        raw,
        level_names,
        range: None,
    }
}

/// What [`read_outcomes`] found.
struct Outcomes {
    runs: Vec<Vec<RunRec>>,
    metric_present: [bool; KEY_METRICS.len()],
    has_month: bool,
    has_route: bool,
    route_names: Vec<String>,
}

/// Reads `outcomes.csv`, grouping runs by point (a run directory has the single point 0).
/// `horizon` (from the manifest) bounds `outcome_tick`.
fn read_outcomes(path: &Path, kind: Kind, point_ids: &[u64], horizon: Option<u32>) -> Result<Outcomes> {
    let mut f = CsvFile::open(path, "per-run outcomes")?;
    let point_col = match kind {
        Kind::Sweep => Some(f.column("point")?),
        Kind::Run => None,
    };
    let run_col = f.column("run")?;
    let outcome_col = f.column("outcome")?;
    let month_col = f.optional("outcome_tick");
    let route_col = f.optional("outcome_route");
    let metric_cols = KEY_METRICS.map(|m| f.optional(m));
    let index: HashMap<u64, usize> = point_ids.iter().enumerate().map(|(i, &p)| (p, i)).collect();
    let months = MonthBound::new(horizon);
    let mut routes = Interner::default();
    let mut runs: Vec<Vec<RunRec>> = vec![Vec::new(); point_ids.len()];
    while let Some(row) = f.next_row()? {
        let slot = match point_col {
            None => 0,
            Some(c) => {
                let p = row.u64(c)?;
                *index
                    .get(&p)
                    .ok_or_else(|| row.error(c, format!("point {p} is not in points.csv")))?
            }
        };
        let mut metrics = [f64::NAN; KEY_METRICS.len()];
        for (m, col) in metrics.iter_mut().zip(metric_cols) {
            if let Some(c) = col {
                *m = row.f64(c)?;
            }
        }
        runs[slot].push(RunRec {
            run: row.u64(run_col)?,
            outcome: row.outcome(outcome_col)?,
            metrics,
            month: month_col.map(|c| months.read(&row, c)).transpose()?,
            route: route_col.map(|c| route(&row, c, &mut routes)).transpose()?,
        });
    }
    if runs.iter().all(Vec::is_empty) {
        return Err(AnalyzeError::bad_file(
            path,
            None,
            "no runs (the file has only a header)",
        ));
    }
    for r in &mut runs {
        r.sort_by_key(|x| x.run);
    }
    Ok(Outcomes {
        runs,
        metric_present: metric_cols.map(|c| c.is_some()),
        has_month: month_col.is_some(),
        has_route: route_col.is_some(),
        route_names: routes.names,
    })
}

/// The range a month cell must lie in: `1..=` the manifest's horizon, or without one the
/// longest horizon a scenario accepts, so a corrupt cell cannot make the hazard table
/// (one row per six months) enormous.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MonthBound {
    max: u64,
    source: &'static str,
}

impl MonthBound {
    pub(crate) fn new(horizon: Option<u32>) -> Self {
        match horizon {
            Some(h) => MonthBound {
                max: u64::from(h),
                source: "the horizon in manifest.json",
            },
            None => MonthBound {
                max: crate::scenario::params::find("horizon_months").map_or(600, |p| p.max as u64),
                source: "the longest horizon a scenario allows",
            },
        }
    }

    /// The month in column `col` of `row`.
    pub(crate) fn read(self, row: &Row<'_>, col: usize) -> Result<u32> {
        let max = self.max;
        let m = row
            .u64(col)
            .map_err(|_| row.error(col, format!("expected a month (1 to {max}), found `{}`", row.text(col))))?;
        if m == 0 || m > max {
            return Err(row.error(col, format!("month {m} is outside 1..={max} ({})", self.source)));
        }
        // `max` fits in u32 (a horizon), so `m` does too.
        Ok(m as u32)
    }
}

/// A route cell (`status_quo`, `gradual`, `cma:ties`, ...), interned; empty is an error.
fn route(row: &Row<'_>, col: usize, routes: &mut Interner) -> Result<u32> {
    let s = row.text(col);
    if s.is_empty() {
        return Err(row.error(col, "empty route (expected e.g. status_quo, gradual, bid, cma:ties)"));
    }
    Ok(routes.id(s))
}

/// Distinct strings numbered in order of first appearance (the map is only looked up,
/// never iterated, so output order does not depend on hashing).
#[derive(Default)]
struct Interner {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.names.len() as u32;
        self.ids.insert(s.to_string(), id);
        self.names.push(s.to_string());
        id
    }
}
