//! Column layout of every CSV the tool writes, in one place (documented in docs/OUTPUTS.md).

use std::fmt::Write;

use crate::outcome::Outcome;
use crate::scenario::{Scenario, Segment, YearMonth};
use crate::sim::RunResult;
use crate::world::components::Authority;
use crate::world::resources::{Event, TickMetrics};

/// Model-level metrics, in column order, as they appear in `outcomes.csv` (at the horizon)
/// and `timeseries.csv` (per month). The first six are the SPEC §5 prefix.
pub const METRICS: [&str; 22] = [
    "tension",
    "lab_cloud_share_investor",
    "investor_inhouse_ratio",
    "talent_share_top2",
    "startups_alive",
    "hhi_max",
    "talent_share_partners",
    "lab_capability",
    "investor_capability",
    "lab_capital",
    "lab_compute_demand",
    "lab_compute_shortfall",
    "lab_migrated_compute",
    "info_sharing",
    "investor_stake",
    "exclusivity",
    "partnership_status",
    "control_indicator",
    "mutual_dependence",
    "revenue_share",
    "surplus_lab",
    "surplus_investor",
];

/// Values of [`METRICS`] for one month.
pub fn metric_values(m: &TickMetrics) -> [f64; METRICS.len()] {
    [
        m.tension,
        m.lab_cloud_share_investor,
        m.investor_inhouse_ratio,
        m.talent_share_top2,
        f64::from(m.startups_alive),
        m.hhi_max,
        m.talent_share_partners,
        m.lab_capability,
        m.investor_capability,
        m.lab_capital,
        m.lab_compute_demand,
        m.lab_compute_shortfall,
        m.lab_migrated_compute,
        m.info_sharing,
        m.investor_stake,
        f64::from(m.exclusivity),
        f64::from(m.partnership_status),
        m.control_indicator,
        m.mutual_dependence,
        m.revenue_share,
        m.surplus_lab,
        m.surplus_investor,
    ]
}

/// `outcomes.csv` header (without a `point,` prefix).
pub fn outcomes_header() -> String {
    let mut h = String::from("run,seed,outcome,outcome_tick");
    for m in METRICS {
        h.push(',');
        h.push_str(m);
    }
    h.push_str(",outcome_route");
    h
}

/// One column of `timeseries.csv` after `run,tick,date`, as a way to read its value from a
/// month's [`TickMetrics`] (calibration targets name columns by their header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// Index into [`METRICS`].
    Metric(usize),
    /// Regulator stage, by `Authority` index.
    Stage(usize),
    Researchers,
    OpenWeightLag,
    StartupResearcherShare,
    StartupsStafflessShare,
    /// Per company (roster order).
    Retention(usize),
    Revenue(usize),
    Headcount(usize),
    Pay(usize),
    Cash(usize),
    OperatingFlow(usize),
    Valuation(usize),
    Capability(usize),
    /// Per segment.
    Hhi(usize),
    /// Segment, then firm (roster order; the firm count means the startup fringe).
    Share(usize, usize),
    /// Field (0 revenue share, 1 utilization, 2 price), then cloud slot.
    Cloud(usize, usize),
    /// Field (0 stake, 1 committed compute), then `[[partnerships]]` index.
    Tie(usize, usize),
}

impl Column {
    /// The column's value in one month.
    pub fn value(self, m: &TickMetrics) -> f64 {
        match self {
            Column::Metric(i) => metric_values(m)[i],
            Column::Stage(a) => f64::from(m.regulator_stage[a]),
            Column::Researchers => f64::from(m.researchers),
            Column::OpenWeightLag => m.open_weight_lag_months,
            Column::StartupResearcherShare => m.startup_researcher_share,
            Column::StartupsStafflessShare => m.startups_staffless_share,
            Column::Retention(c) => m.retention[c],
            Column::Revenue(c) => m.revenue[c],
            Column::Headcount(c) => f64::from(m.headcount[c]),
            Column::Pay(c) => m.pay[c],
            Column::Cash(c) => m.cash[c],
            Column::OperatingFlow(c) => m.operating_flow[c],
            Column::Valuation(c) => m.valuation[c],
            Column::Capability(c) => m.capability[c],
            Column::Hhi(s) => m.hhi[s],
            Column::Share(s, f) => m.shares[s][f],
            Column::Cloud(field, slot) => m.clouds[slot][field],
            Column::Tie(field, tie) => m.ties[tie][field],
        }
    }
}

/// The columns of `timeseries.csv` after `run,tick,date`, with their names, in order:
/// metrics, regulator stages, researchers, the open-weight lag, startup staffing, per
/// company its retention, revenue, headcount, pay, cash, operating flow, valuation and capability, per-segment HHI, per-segment shares,
/// per cloud its revenue share, utilization and price, and per tie its stake and committed compute.
pub fn timeseries_columns(scenario: &Scenario) -> Vec<(String, Column)> {
    let mut cols: Vec<(String, Column)> = Vec::new();
    for (i, m) in METRICS.iter().enumerate() {
        cols.push((m.to_string(), Column::Metric(i)));
    }
    for (i, a) in Authority::ALL.iter().enumerate() {
        cols.push((format!("stage_{}", a.as_str()), Column::Stage(i)));
    }
    cols.push(("researchers".into(), Column::Researchers));
    cols.push(("open_weight_lag_months".into(), Column::OpenWeightLag));
    cols.push(("startup_researcher_share".into(), Column::StartupResearcherShare));
    cols.push(("startups_staffless_share".into(), Column::StartupsStafflessShare));
    type PerCompany = fn(usize) -> Column;
    let per_company: [(&str, PerCompany); 8] = [
        ("retention", Column::Retention),
        ("revenue", Column::Revenue),
        ("headcount", Column::Headcount),
        ("pay", Column::Pay),
        ("cash", Column::Cash),
        ("operating_flow", Column::OperatingFlow),
        ("valuation", Column::Valuation),
        ("capability", Column::Capability),
    ];
    for (prefix, col) in per_company {
        for (i, c) in scenario.companies.iter().enumerate() {
            cols.push((format!("{prefix}_{}", c.name), col(i)));
        }
    }
    for s in Segment::ALL {
        cols.push((format!("hhi_{}", s.as_str()), Column::Hhi(s.index())));
    }
    let nf = scenario.companies.len();
    for s in Segment::ALL {
        for (i, c) in scenario.companies.iter().enumerate() {
            cols.push((format!("share_{}_{}", s.as_str(), c.name), Column::Share(s.index(), i)));
        }
        cols.push((format!("share_{}_startups", s.as_str()), Column::Share(s.index(), nf)));
    }
    let clouds = scenario.cloud_names();
    for (field, prefix) in ["cloud_share", "utilization", "price"].iter().enumerate() {
        for (slot, name) in clouds.iter().enumerate() {
            cols.push((format!("{prefix}_{name}"), Column::Cloud(field, slot)));
        }
    }
    for (field, prefix) in ["tie_stake", "tie_compute"].iter().enumerate() {
        for (i, t) in scenario.partnerships.iter().enumerate() {
            cols.push((format!("{prefix}_{}", t.name), Column::Tie(field, i)));
        }
    }
    cols
}

/// `timeseries.csv` header (without a `point,` prefix): `run,tick,date`, then
/// [`timeseries_columns`].
pub fn timeseries_header(scenario: &Scenario) -> String {
    let mut h = String::from("run,tick,date");
    for (name, _) in timeseries_columns(scenario) {
        let _ = write!(h, ",{name}");
    }
    h
}

/// `events.csv` header (without a `point,` prefix).
pub const EVENTS_HEADER: &str = "run,tick,date,kind,actor,target,detail";

/// `partnerships.csv` header.
pub const PARTNERSHIPS_HEADER: &str = "run,partnership,investor,lab,outcome,route,month,stake,invested";

/// Appends the `partnerships.csv` rows of one run: the headline tie, then the others;
/// `firms` names the roster's companies.
pub fn push_partnership_rows(buf: &mut String, run: u64, r: &crate::sim::RunResult, firms: &[String]) {
    let name = |i: crate::world::components::FirmIdx| firms.get(i as usize).map_or("", String::as_str);
    for t in &r.partnerships {
        push_int(buf, run);
        buf.push(',');
        push_field(buf, &t.name);
        buf.push(',');
        push_field(buf, name(t.investor));
        buf.push(',');
        push_field(buf, name(t.lab));
        buf.push(',');
        buf.push_str(t.outcome.as_str());
        buf.push(',');
        push_field(buf, &t.route);
        buf.push(',');
        push_int(buf, t.month);
        buf.push(',');
        // Writing into a String cannot fail.
        let _ = writeln!(buf, "{:.4},{:.3}", t.stake, t.invested);
    }
}

/// Appends `,YYYY-MM` (the calendar month of `tick`), or `,` without a start.
#[inline]
/// The `YYYY-MM` of month `tick` (as the `date` columns write it; empty without a start).
pub fn date(start: Option<YearMonth>, tick: u32) -> String {
    let mut s = String::new();
    push_date(&mut s, start, tick);
    s.split_off(1)
}

fn push_date(buf: &mut String, start: Option<YearMonth>, tick: u32) {
    buf.push(',');
    if let Some(s) = start {
        // `YYYY-MM` by hand: this runs once per row.
        let ym = s.of_tick(tick);
        for _ in itoa::Buffer::new().format(ym.year).len()..4 {
            buf.push('0');
        }
        push_int(buf, ym.year);
        buf.push('-');
        if ym.month < 10 {
            buf.push('0');
        }
        push_int(buf, ym.month);
    }
}

/// Appends a number in the shortest form that reads back exactly: integers without a
/// decimal point; other values by Żmij (`zmij`, already in the tree through serde_json:
/// about 1.8× as fast as Ryū here, and the CSV writing is a visible share of a baseline
/// run). Żmij writes the same digits and layout as Ryū except `e+` for exponents of 16 and
/// more, which only integers reach (every double of magnitude ≥ 2⁵² is an integer): those
/// keep Ryū's `1e16`, so files are byte-identical to earlier versions.
#[inline]
pub fn push_num(buf: &mut String, x: f64) {
    if x.abs() < 1e15 {
        // Integral test by a round trip through i64 (`fract` is a library call here).
        let i = x as i64;
        if i as f64 == x {
            push_int(buf, i);
        } else {
            buf.push_str(zmij::Buffer::new().format_finite(x));
        }
    } else if !x.is_finite() {
        let _ = write!(buf, "{x}");
    } else if x.fract() == 0.0 {
        buf.push_str(ryu::Buffer::new().format_finite(x));
    } else {
        buf.push_str(zmij::Buffer::new().format_finite(x));
    }
}

/// Appends an integer (itoa: no formatting machinery; most cells of a row are integers).
#[inline]
pub fn push_int(buf: &mut String, x: impl itoa::Integer) {
    buf.push_str(itoa::Buffer::new().format(x));
}

/// Appends one `outcomes.csv` row (after the optional prefix already in `buf`).
pub fn push_outcome_row(buf: &mut String, run: u64, r: &RunResult) {
    let _ = write!(buf, "{run},{},{},{}", r.seed, r.outcome.as_str(), r.outcome_tick);
    let last = r.last().cloned().unwrap_or_default();
    for v in metric_values(&last) {
        buf.push(',');
        push_num(buf, v);
    }
    buf.push(',');
    buf.push_str(&r.outcome_route);
    buf.push('\n');
}

/// Appends the `timeseries.csv` rows of one run, each preceded by `prefix`; `start` is the
/// scenario's calendar month of month 1.
pub fn push_timeseries_rows(buf: &mut String, prefix: &str, run: u64, r: &RunResult, start: Option<YearMonth>) {
    for m in &r.timeseries {
        buf.push_str(prefix);
        push_int(buf, run);
        buf.push(',');
        push_int(buf, m.tick);
        push_date(buf, start, m.tick);
        for v in metric_values(m) {
            buf.push(',');
            push_num(buf, v);
        }
        for s in m.regulator_stage {
            buf.push(',');
            push_int(buf, s);
        }
        buf.push(',');
        push_int(buf, m.researchers);
        for v in [
            m.open_weight_lag_months,
            m.startup_researcher_share,
            m.startups_staffless_share,
        ] {
            buf.push(',');
            push_num(buf, v);
        }
        for &v in m.retention.iter().chain(&m.revenue) {
            buf.push(',');
            push_num(buf, v);
        }
        for &v in &m.headcount {
            buf.push(',');
            push_int(buf, v);
        }
        for &v in m
            .pay
            .iter()
            .chain(&m.cash)
            .chain(&m.operating_flow)
            .chain(&m.valuation)
            .chain(&m.capability)
        {
            buf.push(',');
            push_num(buf, v);
        }
        for v in m.hhi {
            buf.push(',');
            push_num(buf, v);
        }
        for seg in &m.shares {
            for &v in seg {
                buf.push(',');
                push_num(buf, v);
            }
        }
        for field in 0..3 {
            for cloud in &m.clouds {
                buf.push(',');
                push_num(buf, cloud[field]);
            }
        }
        for field in 0..2 {
            for tie in &m.ties {
                buf.push(',');
                push_num(buf, tie[field]);
            }
        }
        buf.push('\n');
    }
}

/// Appends the `events.csv` rows of one run, each preceded by `prefix`.
pub fn push_event_rows(buf: &mut String, prefix: &str, run: u64, events: &[Event], start: Option<YearMonth>) {
    for e in events {
        buf.push_str(prefix);
        push_int(buf, run);
        buf.push(',');
        push_int(buf, e.tick);
        push_date(buf, start, e.tick);
        buf.push(',');
        buf.push_str(e.kind);
        buf.push(',');
        push_field(buf, &e.actor);
        buf.push(',');
        push_field(buf, &e.target);
        buf.push(',');
        push_field(buf, &e.detail);
        buf.push('\n');
    }
}

/// Appends a text field, quoted when it holds a comma, quote or newline (RFC 4180).
pub fn push_field(buf: &mut String, s: &str) {
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        buf.push('"');
        buf.push_str(&s.replace('"', "\"\""));
        buf.push('"');
    } else {
        buf.push_str(s);
    }
}

/// Outcome labels in column order.
pub fn outcome_labels() -> [&'static str; 4] {
    Outcome::ALL.map(Outcome::as_str)
}

#[cfg(test)]
mod tests {
    use super::push_num;
    use rand::{Rng, SeedableRng};

    /// The layout Ryū gave every file before the switch to Żmij.
    fn ryu_layout(x: f64) -> String {
        if x.fract() == 0.0 && x.abs() < 1e15 {
            (x as i64).to_string()
        } else if x.is_finite() {
            ryu::Buffer::new().format_finite(x).to_string()
        } else {
            x.to_string()
        }
    }

    #[test]
    fn numbers_are_written_as_before() {
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(7);
        let mut buf = String::new();
        let special = [
            0.0,
            -0.0,
            1.0,
            0.5,
            1e15,
            1e15 + 0.5,
            -1e15,
            1e16,
            -2e20,
            1e-7,
            123.456,
            -3.0,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for i in 0..400_000u64 {
            // Arbitrary bit patterns, and values at every decade from 1e-20 to 1e20.
            let x = match i {
                _ if (i as usize) < special.len() => special[i as usize],
                _ if i % 2 == 0 => f64::from_bits(rng.next_u64()),
                _ => (rng.next_u64() as f64 / 2f64.powi(64)) * 10f64.powi((i % 41) as i32 - 20),
            };
            buf.clear();
            push_num(&mut buf, x);
            assert_eq!(buf, ryu_layout(x), "{x:e}");
        }
    }

    /// Every value `push_timeseries_rows` writes is what `Column::value` reads, column by
    /// column (calibration targets read columns through `Column`).
    #[test]
    fn column_values_match_the_written_rows() {
        let scenario = crate::scenario::Scenario::default();
        let r = crate::sim::simulate(&scenario, 3).unwrap();
        let mut buf = String::new();
        super::push_timeseries_rows(&mut buf, "", 0, &r, None);
        let cols = super::timeseries_columns(&scenario);
        assert_eq!(super::timeseries_header(&scenario).split(',').count(), cols.len() + 3);
        for (line, m) in buf.lines().zip(&r.timeseries) {
            let cells: Vec<&str> = line.split(',').skip(3).collect();
            assert_eq!(cells.len(), cols.len());
            for (cell, (name, col)) in cells.iter().zip(&cols) {
                let written: f64 = cell.parse().unwrap();
                let read = col.value(m);
                assert!(
                    written == read || (written.is_nan() && read.is_nan()),
                    "{name}: {written} vs {read}"
                );
            }
        }
    }
}
