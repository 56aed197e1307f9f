//! Time-series quantiles for fan charts (median and 5–95% band per month).
//!
//! Run and sweep directories have them precomputed in `timeseries_quantiles.csv` (per
//! point for a sweep), which is read when present. Otherwise quantiles are taken across
//! runs of a per-run `timeseries.csv` (directories written before that file existed, or
//! put together by hand).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::csvio::CsvFile;
use super::error::AnalyzeError;
use super::input::{Dataset, Kind};
use crate::stats;

type Result<T> = std::result::Result<T, AnalyzeError>;

/// Metrics drawn when the user names none.
pub(crate) const DEFAULT_METRICS: [&str; 5] = [
    "tension",
    "lab_cloud_share_investor",
    "investor_inhouse_ratio",
    "talent_share_top2",
    "startups_alive",
];

/// Most points drawn as separate bands in one chart; beyond it the first and last.
const MAX_BANDS: usize = 6;

/// One band: quantiles per tick for one point (or for the whole run directory).
#[derive(Debug)]
pub(crate) struct Band {
    pub label: String,
    /// (tick, p05, p50, p95), ascending ticks.
    pub rows: Vec<(f64, f64, f64, f64)>,
}

/// The fan chart of one metric.
#[derive(Debug)]
pub(crate) struct Fan {
    pub metric: String,
    pub bands: Vec<Band>,
}

/// Fan charts plus notes for the report about what was skipped.
#[derive(Debug, Default)]
pub(crate) struct Fans {
    pub fans: Vec<Fan>,
    pub notes: Vec<String>,
}

/// Loads the fan-chart data of `requested` metrics (default [`DEFAULT_METRICS`]).
/// A requested metric that does not exist is an error listing the available ones;
/// a default metric that does not exist is skipped with a note.
pub(crate) fn load(ds: &Dataset, requested: Option<&[String]>) -> Result<Fans> {
    let explicit = requested.is_some();
    let mut wanted: Vec<String> = Vec::new();
    let names: Vec<String> = match requested {
        Some(m) => m.to_vec(),
        None => DEFAULT_METRICS.iter().map(|s| s.to_string()).collect(),
    };
    for m in names {
        if !wanted.contains(&m) {
            wanted.push(m);
        }
    }
    let mut notes = Vec::new();
    let selected = select_points(ds, &mut notes);
    let quantiles = ds.dir.join("timeseries_quantiles.csv");
    let series = ds.dir.join("timeseries.csv");
    let (path, found) = if crate::output::format::table_exists(&quantiles) {
        let (data, available) = read_quantiles(&quantiles, &wanted, ds, &selected)?;
        (quantiles, Some((data, available)))
    } else if crate::output::format::table_exists(&series) {
        let (data, available) = read_series(&series, &wanted, ds, &selected)?;
        (series, Some((data, available)))
    } else {
        (if ds.kind == Kind::Sweep { quantiles } else { series }, None)
    };
    let Some((mut data, available)) = found else {
        if explicit && !wanted.is_empty() {
            return Err(AnalyzeError::MissingFile {
                path,
                why: "time series for the requested fan charts".to_string(),
            });
        }
        notes.push(format!(
            "No {} in the directory, so there are no fan charts.",
            file_name(&path)
        ));
        return Ok(Fans {
            fans: Vec::new(),
            notes,
        });
    };
    let mut fans = Vec::new();
    for metric in wanted {
        if !available.contains(&metric) {
            if explicit {
                return Err(AnalyzeError::UnknownMetric {
                    name: metric,
                    path,
                    available: available.into_iter().collect::<Vec<_>>().join(", "),
                });
            }
            notes.push(format!("Metric `{metric}` is not in {}.", file_name(&path)));
            continue;
        }
        let bands = selected
            .iter()
            .filter_map(|&i| {
                let rows = data.remove(&(metric.clone(), i))?;
                Some(Band {
                    label: band_label(ds, i),
                    rows,
                })
            })
            .collect();
        fans.push(Fan { metric, bands });
    }
    Ok(Fans { fans, notes })
}

fn file_name(p: &std::path::Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Indices of the points to draw: all of a few, else the first and the last.
fn select_points(ds: &Dataset, notes: &mut Vec<String>) -> Vec<usize> {
    let n = ds.point_ids.len();
    if n <= MAX_BANDS {
        return (0..n).collect();
    }
    notes.push(format!(
        "Fan charts show the first and last of the {n} sweep points; \
         timeseries_quantiles.csv has all of them."
    ));
    vec![0, n - 1]
}

fn band_label(ds: &Dataset, i: usize) -> String {
    match ds.kind {
        Kind::Run => "all runs".to_string(),
        Kind::Sweep => {
            let mut s = format!("point {}: {}", ds.point_ids[i], ds.point_label(i));
            if s.chars().count() > 70 {
                s = s.chars().take(67).collect::<String>() + "...";
            }
            s
        }
    }
}

/// (metric, point index).
type Key = (String, usize);
/// Quantile rows per (metric, point).
type Quantiles = HashMap<Key, Vec<(f64, f64, f64, f64)>>;
/// Values per tick, ticks ascending.
type ByTick<T> = BTreeMap<u64, T>;

/// Reads the long-format per-point quantiles of a sweep.
fn read_quantiles(
    path: &std::path::Path,
    wanted: &[String],
    ds: &Dataset,
    selected: &[usize],
) -> Result<(Quantiles, BTreeSet<String>)> {
    let mut f = CsvFile::open(path, "time-series quantiles")?;
    let [tick, metric, p05, p50, p95] = ["tick", "metric", "p05", "p50", "p95"].map(|c| f.column(c));
    let (tick, metric, p05, p50, p95) = (tick?, metric?, p05?, p50?, p95?);
    // A run directory's file has no `point` column: all of it is point 0.
    let point = match ds.kind {
        Kind::Sweep => Some(f.column("point")?),
        Kind::Run => None,
    };
    let slot: HashMap<u64, usize> = selected.iter().map(|&i| (ds.point_ids[i], i)).collect();
    let mut available = BTreeSet::new();
    let mut acc: HashMap<Key, ByTick<(f64, f64, f64)>> = HashMap::new();
    while let Some(row) = f.next_row()? {
        let m = row.text(metric);
        if !available.contains(m) {
            available.insert(m.to_string());
        }
        if !wanted.iter().any(|w| w == m) {
            continue;
        }
        let id = match point {
            Some(c) => row.u64(c)?,
            None => 0,
        };
        let Some(&i) = slot.get(&id) else {
            continue;
        };
        let q = (row.f64(p05)?, row.f64(p50)?, row.f64(p95)?);
        acc.entry((m.to_string(), i)).or_default().insert(row.u64(tick)?, q);
    }
    let data = acc
        .into_iter()
        .map(|(k, v)| {
            let rows = v.into_iter().map(|(t, q)| (t as f64, q.0, q.1, q.2)).collect();
            (k, rows)
        })
        .collect();
    Ok((data, available))
}

/// Reads per-run time series and takes quantiles across runs per point and tick.
fn read_series(
    path: &std::path::Path,
    wanted: &[String],
    ds: &Dataset,
    selected: &[usize],
) -> Result<(Quantiles, BTreeSet<String>)> {
    let mut f = CsvFile::open(path, "per-run time series")?;
    let tick = f.column("tick")?;
    f.column("run")?;
    let point = match ds.kind {
        Kind::Sweep => Some(f.column("point")?),
        Kind::Run => None,
    };
    let available: BTreeSet<String> = f
        .header()
        .iter()
        .filter(|h| !matches!(h.as_str(), "point" | "run" | "tick" | "date"))
        .cloned()
        .collect();
    let cols: Vec<(String, usize)> = wanted
        .iter()
        .filter_map(|w| Some((w.clone(), f.optional(w)?)))
        .filter(|(w, _)| available.contains(w))
        .collect();
    let slot: HashMap<u64, usize> = selected.iter().map(|&i| (ds.point_ids[i], i)).collect();
    let mut acc: HashMap<Key, ByTick<Vec<f64>>> = HashMap::new();
    while let Some(row) = f.next_row()? {
        let i = match point {
            None => 0,
            Some(c) => match slot.get(&row.u64(c)?) {
                Some(&i) => i,
                None => continue,
            },
        };
        let t = row.u64(tick)?;
        for (name, c) in &cols {
            let v = row.f64(*c)?;
            if !v.is_nan() {
                acc.entry((name.clone(), i)).or_default().entry(t).or_default().push(v);
            }
        }
    }
    let data = acc
        .into_iter()
        .map(|(k, by_tick)| {
            let rows = by_tick
                .into_iter()
                .map(|(t, mut v)| {
                    v.sort_by(f64::total_cmp);
                    let q = |p| stats::quantile_sorted(&v, p);
                    (t as f64, q(0.05), q(0.5), q(0.95))
                })
                .collect();
            (k, rows)
        })
        .collect();
    Ok((data, available))
}
