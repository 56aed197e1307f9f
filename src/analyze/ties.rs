//! Every partnership's outcomes (`partnerships.csv` of the analysis): per tie of a run
//! directory's `partnerships.csv` and per outcome, the share of runs with its 95% Wilson
//! interval, the median stake at the horizon and the routes seen.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::csvio::{CsvFile, num};
use super::error::AnalyzeError;
use super::input::{Dataset, Kind, MonthBound};
use super::numbers::{fmt_value, pct, prob};
use super::tables::Table;
use crate::outcome::Outcome;

type Result<T> = std::result::Result<T, AnalyzeError>;

/// Columns of the analysis' `partnerships.csv`: one row per tie and outcome.
pub(crate) const HEADER: [&str; 11] = [
    "partnership",
    "investor",
    "lab",
    "runs",
    "outcome",
    "count",
    "share",
    "share_lo",
    "share_hi",
    "stake_median",
    "routes",
];

/// One tie over all runs.
#[derive(Debug)]
pub(crate) struct Tie {
    pub name: String,
    pub investor: String,
    pub lab: String,
    pub runs: u64,
    /// Indexed by [`Outcome::index`].
    pub outcomes: [TieOutcome; 4],
}

/// The runs in which a tie ended in one outcome.
#[derive(Debug, Default)]
pub(crate) struct TieOutcome {
    pub count: u64,
    /// Stakes at the horizon, for the median (sorted once the file is read).
    stakes: Vec<f64>,
    /// Runs per route (sorted by name; [`routes_text`] orders by count).
    routes: BTreeMap<String, u64>,
}

impl TieOutcome {
    /// Median stake at the horizon (type 7; NaN without runs).
    pub(crate) fn stake_median(&self) -> f64 {
        crate::stats::quantile_sorted(&self.stakes, 0.5)
    }

    /// The routes with their runs, most first: `cma:stake 12; eu:ties 3`.
    pub(crate) fn routes_text(&self) -> String {
        let mut r: Vec<(&String, &u64)> = self.routes.iter().collect();
        // Stable sort: equal counts stay in name order.
        r.sort_by_key(|&(_, &n)| std::cmp::Reverse(n));
        r.iter()
            .map(|(name, n)| format!("{name} {n}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The ties of a run directory in order of first appearance in its `partnerships.csv`;
/// `None` for a sweep or when the file does not exist (written before ties were).
pub(crate) fn load(ds: &Dataset) -> Result<Option<Vec<Tie>>> {
    let path = ds.dir.join("partnerships.csv");
    if ds.kind == Kind::Sweep || !crate::output::format::table_exists(&path) {
        return Ok(None);
    }
    read(&path, ds.manifest.horizon).map(Some)
}

fn read(path: &Path, horizon: Option<u32>) -> Result<Vec<Tie>> {
    let mut f = CsvFile::open(path, "partnerships")?;
    let name_col = f.column("partnership")?;
    let investor_col = f.column("investor")?;
    let lab_col = f.column("lab")?;
    let outcome_col = f.column("outcome")?;
    let route_col = f.column("route")?;
    let month_col = f.column("month")?;
    let stake_col = f.column("stake")?;
    let months = MonthBound::new(horizon);
    let mut ties: Vec<Tie> = Vec::new();
    // Looked up only, never iterated: the order is `ties`'.
    let mut index: HashMap<String, usize> = HashMap::new();
    while let Some(row) = f.next_row()? {
        let outcome = row.outcome(outcome_col)?;
        months.read(&row, month_col)?;
        let stake = row.f64(stake_col)?;
        if !(0.0..=1.0).contains(&stake) {
            return Err(row.error(
                stake_col,
                format!("expected a stake between 0 and 1, found `{}`", row.text(stake_col)),
            ));
        }
        let route = row.text(route_col);
        if route.is_empty() {
            return Err(row.error(route_col, "empty route"));
        }
        let name = row.text(name_col);
        let i = match index.get(name) {
            Some(&i) => i,
            None => {
                index.insert(name.to_string(), ties.len());
                ties.push(Tie {
                    name: name.to_string(),
                    investor: row.text(investor_col).to_string(),
                    lab: row.text(lab_col).to_string(),
                    runs: 0,
                    outcomes: Default::default(),
                });
                ties.len() - 1
            }
        };
        let tie = &mut ties[i];
        // A name naming two pairs of companies means files of different rosters were mixed.
        for (col, known) in [(investor_col, &tie.investor), (lab_col, &tie.lab)] {
            if row.text(col) != known {
                return Err(row.error(
                    col,
                    format!(
                        "partnership `{}` was `{known}` on an earlier line, here `{}`",
                        tie.name,
                        row.text(col)
                    ),
                ));
            }
        }
        tie.runs += 1;
        let o = &mut tie.outcomes[outcome.index()];
        o.count += 1;
        o.stakes.push(stake);
        match o.routes.get_mut(route) {
            Some(n) => *n += 1,
            None => {
                o.routes.insert(route.to_string(), 1);
            }
        }
    }
    for o in ties.iter_mut().flat_map(|t| t.outcomes.iter_mut()) {
        o.stakes.sort_by(f64::total_cmp);
    }
    Ok(ties)
}

/// Rows of the analysis' `partnerships.csv`: per tie, one row per outcome.
pub(crate) fn csv_rows(ties: &[Tie]) -> Vec<Vec<String>> {
    let mut rows = Vec::with_capacity(ties.len() * 4);
    for t in ties {
        for o in Outcome::ALL {
            let x = &t.outcomes[o.index()];
            let (p, lo, hi) = prob(x.count, t.runs);
            rows.push(vec![
                t.name.clone(),
                t.investor.clone(),
                t.lab.clone(),
                t.runs.to_string(),
                o.as_str().to_string(),
                x.count.to_string(),
                num(p),
                num(lo),
                num(hi),
                num(x.stake_median()),
                x.routes_text(),
            ]);
        }
    }
    rows
}

/// The report's table: the outcomes each tie reached (outcomes without runs left out).
pub(crate) fn table(ties: &[Tie]) -> Table {
    let mut rows = Vec::new();
    for t in ties {
        for o in Outcome::ALL {
            let x = &t.outcomes[o.index()];
            if x.count == 0 {
                continue;
            }
            let (p, lo, hi) = prob(x.count, t.runs);
            rows.push(vec![
                t.name.clone(),
                t.investor.clone(),
                t.lab.clone(),
                o.as_str().to_string(),
                format!("{} of {}", x.count, t.runs),
                format!("{} ({}–{})", pct(p), pct(lo), pct(hi)),
                fmt_value(x.stake_median()),
                x.routes_text(),
            ]);
        }
    }
    Table {
        header: [
            "partnership",
            "investor",
            "lab",
            "outcome",
            "runs",
            "share (95% CI)",
            "median stake",
            "routes (runs)",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        note: None,
    }
}
