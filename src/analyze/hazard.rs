//! When outcomes happen (`hazard.csv`): the monthly hazard of each outcome other than
//! symbiosis in periods of six months.
//!
//! A run is at risk in month m if it had not ended before m: a run that ended in month t
//! (any outcome but symbiosis) is at risk in months 1..=t, a symbiosis run through the
//! horizon. The hazard of an outcome in a period is its events there over the run-months
//! at risk there: the cause-specific hazard of competing risks, constant within the
//! period.

use super::csvio::num;
use super::input::{Dataset, RunRec};
use super::tables::Table;
use crate::outcome::Outcome;

/// Columns of `hazard.csv` after the `point` column that sweeps add.
pub(crate) const HEADER: [&str; 6] = [
    "outcome",
    "period_start",
    "period_end",
    "events",
    "run_months_at_risk",
    "hazard_per_month",
];

/// Months per period.
pub(crate) const PERIOD_MONTHS: u32 = 6;

/// The outcomes that end a run early (symbiosis is the absence of an event).
const EVENTS: [Outcome; 3] = [Outcome::Decoupling, Outcome::Acquisition, Outcome::Divestiture];

/// One outcome in one period.
#[derive(Debug, Clone)]
pub(crate) struct Period {
    pub outcome: Outcome,
    pub start: u32,
    pub end: u32,
    pub events: u64,
    pub at_risk: u64,
    /// `events / at_risk` (NaN when no run-month is at risk).
    pub hazard: f64,
}

/// Hazards per point and pooled over all points.
#[derive(Debug)]
pub(crate) struct Hazards {
    pub horizon: u32,
    /// The horizon came from the data (the largest month seen), not the manifest.
    pub horizon_from_data: bool,
    pub per_point: Vec<Vec<Period>>,
    pub pooled: Vec<Period>,
}

/// Hazards by period; `None` when `outcomes.csv` has no `outcome_tick`.
pub(crate) fn compute(ds: &Dataset) -> Option<Hazards> {
    if !ds.has_month {
        return None;
    }
    let seen = ds.runs.iter().flatten().filter_map(|r| r.month).max();
    // The reader bounds every month by the manifest's horizon, so it covers them all.
    let (horizon, horizon_from_data) = match (ds.manifest.horizon, seen) {
        (Some(h), _) => (h, false),
        (None, Some(m)) => (m, true),
        (None, None) => return None,
    };
    Some(Hazards {
        horizon,
        horizon_from_data,
        per_point: ds.runs.iter().map(|runs| periods(runs, horizon)).collect(),
        pooled: periods(ds.runs.iter().flatten(), horizon),
    })
}

/// The periods of a group of runs, outcome by outcome. Linear in the runs: one pass
/// fills per-month counts, suffix sums give the runs at risk per month.
fn periods<'a>(runs: impl IntoIterator<Item = &'a RunRec>, horizon: u32) -> Vec<Period> {
    let h = horizon as usize;
    // Index = month (0 unused).
    let mut ended = vec![0u64; h + 1];
    let mut events = vec![[0u64; 4]; h + 1];
    for r in runs {
        let Some(m) = r.month else { continue };
        let m = (m as usize).min(h);
        if r.outcome == Outcome::Symbiosis {
            ended[h] += 1;
        } else {
            ended[m] += 1;
            events[m][r.outcome.index()] += 1;
        }
    }
    let mut at_risk = vec![0u64; h + 2];
    for m in (1..=h).rev() {
        at_risk[m] = at_risk[m + 1] + ended[m];
    }
    let bounds: Vec<(u32, u32)> = (1..=horizon)
        .step_by(PERIOD_MONTHS as usize)
        .map(|start| (start, (start + PERIOD_MONTHS - 1).min(horizon)))
        .collect();
    let mut out = Vec::with_capacity(EVENTS.len() * bounds.len());
    for o in EVENTS {
        for &(start, end) in &bounds {
            let months = start as usize..=end as usize;
            let n: u64 = events[months.clone()].iter().map(|e| e[o.index()]).sum();
            let risk: u64 = at_risk[months].iter().sum();
            out.push(Period {
                outcome: o,
                start,
                end,
                events: n,
                at_risk: risk,
                hazard: if risk == 0 { f64::NAN } else { n as f64 / risk as f64 },
            });
        }
    }
    out
}

/// Rows of `hazard.csv`: a leading `point` for sweeps, one block per point.
pub(crate) fn csv_rows(ds: &Dataset, hz: &Hazards) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for (&point, periods) in ds.point_ids.iter().zip(&hz.per_point) {
        for p in periods {
            let mut row = ds.row_start(point, HEADER.len());
            row.extend([
                p.outcome.as_str().to_string(),
                p.start.to_string(),
                p.end.to_string(),
                p.events.to_string(),
                p.at_risk.to_string(),
                num(p.hazard),
            ]);
            rows.push(row);
        }
    }
    rows
}

/// The report's table: one row per period, one column per outcome (`% per month` and the
/// events in brackets), all points pooled.
pub(crate) fn table(hz: &Hazards) -> Table {
    let mut header = vec!["months".to_string(), "run-months at risk".to_string()];
    header.extend(EVENTS.iter().map(|o| format!("{} % per month (events)", o.as_str())));
    let rows = hz
        .pooled
        .iter()
        .filter(|p| p.outcome == EVENTS[0])
        .map(|first| {
            let mut row = vec![format!("{}–{}", first.start, first.end), first.at_risk.to_string()];
            for o in EVENTS {
                let cell = hz
                    .pooled
                    .iter()
                    .find(|p| p.outcome == o && p.start == first.start)
                    .map_or_else(|| "n/a".to_string(), |p| format!("{} ({})", rate(p.hazard), p.events));
                row.push(cell);
            }
            row
        })
        .collect();
    Table {
        header,
        rows,
        note: None,
    }
}

/// A monthly hazard in percent with two significant digits down to 0.01%.
fn rate(h: f64) -> String {
    if !h.is_finite() {
        return "n/a".to_string();
    }
    let x = h * 100.0;
    if x >= 9.95 {
        format!("{x:.0}")
    } else if x >= 0.995 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_keeps_two_significant_digits() {
        assert_eq!(rate(0.0028), "0.28");
        assert_eq!(rate(0.0139), "1.4");
        assert_eq!(rate(0.123), "12");
        assert_eq!(rate(0.0), "0.00");
        assert_eq!(rate(f64::NAN), "n/a");
    }
}
