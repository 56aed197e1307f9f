//! How each outcome came about (`routes.csv`): per outcome and route, the runs, their
//! shares and the months (`outcome_tick`) of the deciding events.

use std::collections::BTreeMap;

use super::csvio::num;
use super::input::{Dataset, RunRec};
use super::numbers::{fmt_value, pct};
use super::tables::Table;
use crate::outcome::Outcome;

/// Columns of `routes.csv` after the `point` column that sweeps add.
pub(crate) const HEADER: [&str; 8] = [
    "outcome",
    "route",
    "runs",
    "share_of_outcome",
    "share_of_runs",
    "month_p10",
    "month_median",
    "month_p90",
];

/// Quantiles of the month reported per route.
const MONTH_QUANTILES: [f64; 3] = [0.1, 0.5, 0.9];

/// One route of one outcome over a group of runs.
#[derive(Debug, Clone)]
pub(crate) struct Route {
    pub outcome: Outcome,
    pub route: String,
    pub runs: u64,
    pub share_of_outcome: f64,
    pub share_of_runs: f64,
    /// 10th percentile, median and 90th percentile month (NaN without `outcome_tick`).
    pub months: [f64; 3],
}

/// The routes of every point, and of all points pooled (the report's table).
#[derive(Debug)]
pub(crate) struct Routes {
    pub per_point: Vec<Vec<Route>>,
    pub pooled: Vec<Route>,
}

/// Routes per point and pooled; `None` when `outcomes.csv` has no `outcome_route`.
pub(crate) fn compute(ds: &Dataset) -> Option<Routes> {
    if !ds.has_route {
        return None;
    }
    let names = &ds.route_names;
    Some(Routes {
        per_point: ds.runs.iter().map(|runs| summarise(runs, names)).collect(),
        pooled: summarise(ds.runs.iter().flatten(), names),
    })
}

/// Runs and months of one (outcome, route).
#[derive(Default)]
struct Tally {
    runs: u64,
    /// Runs per month: months are few, so quantiles come from counts in linear time.
    months: BTreeMap<u32, u64>,
}

/// The routes of a group of runs: outcomes in their usual order, each outcome's routes
/// by runs (most first), ties by name.
fn summarise<'a>(runs: impl IntoIterator<Item = &'a RunRec>, names: &[String]) -> Vec<Route> {
    let mut tallies: BTreeMap<(usize, u32), Tally> = BTreeMap::new();
    let mut per_outcome = [0u64; 4];
    let mut total = 0u64;
    for r in runs {
        total += 1;
        per_outcome[r.outcome.index()] += 1;
        // `has_route` guarantees a route on every run.
        let Some(route) = r.route else { continue };
        let t = tallies.entry((r.outcome.index(), route)).or_default();
        t.runs += 1;
        if let Some(m) = r.month {
            *t.months.entry(m).or_default() += 1;
        }
    }
    let mut out: Vec<Route> = tallies
        .into_iter()
        .map(|((o, route), t)| Route {
            outcome: Outcome::ALL[o],
            route: names[route as usize].clone(),
            runs: t.runs,
            share_of_outcome: t.runs as f64 / per_outcome[o] as f64,
            share_of_runs: t.runs as f64 / total as f64,
            months: MONTH_QUANTILES.map(|q| quantile_of_counts(&t.months, q)),
        })
        .collect();
    out.sort_by(|a, b| {
        (a.outcome.index(), std::cmp::Reverse(a.runs), &a.route).cmp(&(
            b.outcome.index(),
            std::cmp::Reverse(b.runs),
            &b.route,
        ))
    });
    out
}

/// Type-7 quantile (as [`crate::stats::quantile_sorted`]) of the values a histogram
/// holds (value → count), without expanding it; NaN when it is empty.
fn quantile_of_counts(hist: &BTreeMap<u32, u64>, q: f64) -> f64 {
    let n: u64 = hist.values().sum();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as u64;
    let frac = h - lo as f64;
    let a = order_statistic(hist, lo);
    if frac == 0.0 {
        return a;
    }
    a + frac * (order_statistic(hist, lo + 1) - a)
}

/// The `k`-th smallest value (0-based) of a histogram with more than `k` values.
fn order_statistic(hist: &BTreeMap<u32, u64>, k: u64) -> f64 {
    let mut seen = 0u64;
    for (&value, &count) in hist {
        seen += count;
        if seen > k {
            return f64::from(value);
        }
    }
    hist.keys().next_back().map_or(f64::NAN, |&v| f64::from(v))
}

/// Rows of `routes.csv`: a leading `point` for sweeps, one block per point.
pub(crate) fn csv_rows(ds: &Dataset, r: &Routes) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for (&point, routes) in ds.point_ids.iter().zip(&r.per_point) {
        for x in routes {
            let mut row = ds.row_start(point, HEADER.len());
            row.extend([
                x.outcome.as_str().to_string(),
                x.route.clone(),
                x.runs.to_string(),
                num(x.share_of_outcome),
                num(x.share_of_runs),
            ]);
            row.extend(x.months.map(num));
            rows.push(row);
        }
    }
    rows
}

/// The report's table: routes of all runs (sweeps: all points pooled).
pub(crate) fn table(r: &Routes) -> Table {
    Table {
        header: [
            "outcome",
            "route",
            "runs",
            "share of outcome",
            "share of runs",
            "month: median (10th–90th percentile)",
        ]
        .map(String::from)
        .to_vec(),
        rows: r
            .pooled
            .iter()
            .map(|x| {
                vec![
                    x.outcome.as_str().to_string(),
                    x.route.clone(),
                    x.runs.to_string(),
                    pct(x.share_of_outcome),
                    pct(x.share_of_runs),
                    month_cell(x.months),
                ]
            })
            .collect(),
        note: None,
    }
}

fn month_cell([p10, median, p90]: [f64; 3]) -> String {
    if !median.is_finite() {
        return "n/a".to_string();
    }
    format!("{} ({}–{})", fmt_value(median), fmt_value(p10), fmt_value(p90))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_of_counts_match_type7_on_the_expanded_values() {
        let mut hist = BTreeMap::new();
        let mut values = Vec::new();
        for (v, c) in [(3u32, 2u64), (7, 1), (12, 4), (18, 3)] {
            hist.insert(v, c);
            values.extend(std::iter::repeat_n(f64::from(v), c as usize));
        }
        for q in [0.0, 0.1, 0.25, 0.5, 0.77, 0.9, 1.0] {
            let expected = crate::stats::quantile_sorted(&values, q);
            assert_eq!(quantile_of_counts(&hist, q), expected, "q = {q}");
        }
        assert!(quantile_of_counts(&BTreeMap::new(), 0.5).is_nan());
    }
}
