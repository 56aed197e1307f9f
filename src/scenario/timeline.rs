//! Scenario timelines: a calendar start (`start = "YYYY-MM"`) and dated `[[events]]`
//! applied at the start of their month (docs/MODEL.md, "Timelines").
//!
//! This module holds the data and its validation; `sim::timeline` applies the events to a
//! run. Validation follows the file: a `set` event is checked with the `--set` machinery on
//! the parameters as every earlier `set` left them, so a timeline that validates is one
//! every run can follow.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::params::{Violation, edit_distance};
use super::ties::TieParams;
use super::{Role, Scenario};

/// A calendar month, `YYYY-MM` in files and outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct YearMonth {
    pub year: u16,
    /// 1..=12.
    pub month: u8,
}

impl YearMonth {
    /// Parses `YYYY-MM` (year 1000..=9999, month 01..=12).
    pub fn parse(s: &str) -> Result<YearMonth, String> {
        let bad = || format!("{s:?} is not a month: expected \"YYYY-MM\", e.g. \"2024-01\"");
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 || !(y.bytes().chain(m.bytes())).all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: u16 = y.parse().map_err(|_| bad())?;
        let month: u8 = m.parse().map_err(|_| bad())?;
        if !(1000..=9999).contains(&year) || !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(YearMonth { year, month })
    }

    /// The calendar month of simulation month `tick` (1-based) when month 1 is `self`.
    pub fn of_tick(self, tick: u32) -> YearMonth {
        let index = u64::from(self.year) * 12 + u64::from(self.month - 1) + u64::from(tick.saturating_sub(1));
        YearMonth {
            year: (index / 12).min(u64::from(u16::MAX)) as u16,
            month: (index % 12) as u8 + 1,
        }
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        YearMonth::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// `start = "YYYY-MM"`, or `start = ""` for no calendar (outputs then leave `date` empty).
pub fn deserialize_start<'de, D: Deserializer<'de>>(d: D) -> Result<Option<YearMonth>, D::Error> {
    let s = String::deserialize(d)?;
    if s.is_empty() {
        Ok(None)
    } else {
        YearMonth::parse(&s).map(Some).map_err(serde::de::Error::custom)
    }
}

/// Writes `start` as `YYYY-MM`, or `""` for none (so `show` output reads back the same).
pub fn serialize_start<S: Serializer>(v: &Option<YearMonth>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(m) => s.collect_str(m),
        None => s.serialize_str(""),
    }
}

/// One dated event of a timeline, as written in `[[events]]`. Which fields an action takes
/// is checked by [`validate`] (so every problem of a file is reported at once).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TimelineEvent {
    /// Month (1-based) at whose start the event applies.
    #[serde(default)]
    pub month: i64,
    /// `set`, `acquihire`, `contract`, `crisis`, `review` or `tie`.
    #[serde(default)]
    pub action: String,
    /// `set`: a parameter path as `--set` takes it, and its new value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<toml::Value>,
    /// `acquihire`: the company hiring the team, where the team comes from (a company or
    /// `startups`: the largest startup), how many researchers (most skilled first) and the
    /// payment, $bn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub researchers: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<f64>,
    /// `contract`: the customer (the lab), the host cloud, kGPU, workload and an optional
    /// duration in months.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kgpu: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months: Option<i64>,
    /// `crisis`: the company whose board is in crisis (the lab).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// `review`: the authority that opens a review of the partnership.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    /// `tie`: the new tie's name, its investor and its lab (companies), and the tranche the
    /// investor pays in the event's month ($bn); `kgpu`, compute its cloud commits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub investor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lab: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<f64>,
    /// Keys no action knows (reported by [`validate`]).
    #[serde(flatten, skip_serializing_if = "BTreeMap::is_empty")]
    pub unknown: BTreeMap<String, toml::Value>,
}

/// The actions of a timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Set,
    Acquihire,
    Contract,
    Crisis,
    Review,
    Tie,
}

impl Action {
    pub const ALL: [Action; 6] = [
        Action::Set,
        Action::Acquihire,
        Action::Contract,
        Action::Crisis,
        Action::Review,
        Action::Tie,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Set => "set",
            Action::Acquihire => "acquihire",
            Action::Contract => "contract",
            Action::Crisis => "crisis",
            Action::Review => "review",
            Action::Tie => "tie",
        }
    }

    /// `kind` of the event in `events.csv`.
    pub fn event_kind(self) -> &'static str {
        match self {
            Action::Set => "scheduled_set",
            Action::Acquihire => "scheduled_acquihire",
            Action::Contract => "scheduled_contract",
            Action::Crisis => "scheduled_crisis",
            Action::Review => "scheduled_review",
            Action::Tie => "scheduled_tie",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Fields the action takes (besides `month` and `action`), required ones first.
    fn fields(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Action::Set => (&["param", "value"], &[]),
            Action::Acquihire => (&["buyer", "from", "researchers"], &["payment"]),
            Action::Contract => (&["customer", "host", "kgpu", "workload"], &["months"]),
            Action::Crisis => (&["company"], &[]),
            Action::Review => (&["authority"], &[]),
            Action::Tie => (&["name", "investor", "lab", "amount"], &["kgpu"]),
        }
    }
}

/// Authorities a `review` may name (as in outputs).
pub const AUTHORITIES: [&str; 3] = ["eu_commission", "uk_cma", "us_ftc"];

/// `from = "startups"`: the largest startup (by staff; the lowest slot among equals).
pub const FROM_STARTUPS: &str = "startups";

/// Whether `path` (as `--set` takes it) only sets the state at the start of a run: a knob
/// marked `#[param(initial)]` or a field that is no knob (a name, a role, the segments).
pub fn initial_only(path: &str) -> bool {
    let key = super::params::registry_path(path).unwrap_or_else(|| path.to_string());
    super::params::not_parameters().contains(&key) || super::params::PARAMS.iter().any(|p| p.path == key && p.initial)
}

/// A `set` event's value as `set_value` takes it.
fn set_value_of(e: &TimelineEvent) -> Option<toml::Value> {
    e.value.clone()
}

/// Checks every event of `s` against its roster and horizon, pushing located violations
/// (`events.N.field`). `set` events are applied in (month, file) order to a copy of the
/// scenario without events, each validated like `--set`.
pub fn validate(s: &Scenario, all: &mut Vec<Violation>) {
    if s.events.is_empty() {
        return;
    }
    let mut found = Vec::new();
    check_events(s, &mut found);
    // Report in file order (events are checked in the order they apply).
    found.sort_by_key(|v: &Violation| {
        v.path
            .split('.')
            .nth(1)
            .and_then(|i| i.parse::<usize>().ok())
            .unwrap_or(usize::MAX)
    });
    all.extend(found);
}

fn check_events(s: &Scenario, out: &mut Vec<Violation>) {
    let names: Vec<&str> = s.companies.iter().map(|c| c.name.as_str()).collect();
    let company = |i: usize, field: &str, v: &Option<String>, out: &mut Vec<Violation>| -> Option<usize> {
        let name = v.as_deref()?;
        let found = names.iter().position(|n| *n == name);
        if found.is_none() {
            out.push(Violation {
                path: format!("events.{i}.{field}"),
                message: format!("unknown company {name:?} (roster: {})", names.join(", ")),
            });
        }
        found
    };
    let mut state = Scenario {
        events: Vec::new(),
        ..s.clone()
    };
    for i in order(&s.events) {
        let e = &s.events[i];
        let at = |field: &str| format!("events.{i}.{field}");
        for key in e.unknown.keys() {
            let hint = ALL_FIELDS
                .iter()
                .map(|f| (edit_distance(key, f), *f))
                .filter(|(d, f)| *d <= f.len().max(3) / 2)
                .min()
                .map(|(_, f)| format!(" (did you mean `{f}`?)"))
                .unwrap_or_default();
            put(out, i, key, format!("unknown field `{key}`{hint}"));
        }
        if e.month < 1 || e.month > i64::from(s.horizon_months) {
            put(
                out,
                i,
                "month",
                format!("month {} is outside 1..={} (horizon_months)", e.month, s.horizon_months),
            );
        }
        let Some(action) = Action::parse(&e.action) else {
            let known = Action::ALL.map(Action::as_str).join(" | ");
            if e.action.is_empty() {
                put(out, i, "action", format!("missing: each event needs action = {known}"));
            } else {
                put(
                    out,
                    i,
                    "action",
                    format!("unknown action {:?}: expected {known}", e.action),
                );
            }
            continue;
        };
        let (required, optional) = action.fields();
        for (field, present) in field_presence(e) {
            if present && !required.contains(&field) && !optional.contains(&field) {
                put(
                    out,
                    i,
                    field,
                    format!(
                        "not a field of action \"{}\" (it takes: {})",
                        action.as_str(),
                        required.iter().chain(optional).copied().collect::<Vec<_>>().join(", ")
                    ),
                );
            } else if !present && required.contains(&field) {
                put(
                    out,
                    i,
                    field,
                    format!("missing: action \"{}\" needs `{field}`", action.as_str()),
                );
            }
        }
        match action {
            Action::Set => {
                let (Some(path), Some(value)) = (e.param.as_deref(), set_value_of(e)) else {
                    continue;
                };
                if initial_only(path) {
                    put(
                        out,
                        i,
                        "param",
                        format!(
                            "`{path}` sets the state at the start of a run; a dated event cannot change it \
                             (set it in the scenario or with --set)"
                        ),
                    );
                    continue;
                }
                if path == "events" || path.starts_with("events.") {
                    put(out, i, "param", "an event cannot change the timeline".into());
                    continue;
                }
                match super::load::set_value(&state, path, value) {
                    Ok(next) => state = next,
                    Err(message) => {
                        let field = if message.starts_with("unknown parameter") || message.contains("is a table") {
                            "param"
                        } else {
                            "value"
                        };
                        put(out, i, field, message);
                    }
                }
            }
            Action::Acquihire => {
                let buyer = company(i, "buyer", &e.buyer, out);
                let from = match e.from.as_deref() {
                    Some(FROM_STARTUPS) | None => None,
                    Some(_) => company(i, "from", &e.from, out),
                };
                if buyer.is_some() && buyer == from {
                    out.push(Violation {
                        path: at("from"),
                        message: "a company cannot hire its own team".into(),
                    });
                }
                if let Some(n) = e.researchers
                    && !(1..=i64::from(u32::MAX)).contains(&n)
                {
                    out.push(Violation {
                        path: at("researchers"),
                        message: format!("{n} is out of range 1 ..= {}", u32::MAX),
                    });
                }
                if let Some(x) = e.payment
                    && !(x.is_finite() && (0.0..=10_000.0).contains(&x))
                {
                    out.push(Violation {
                        path: at("payment"),
                        message: format!("{x} is out of range 0 ..= 10000 ($bn)"),
                    });
                }
            }
            Action::Contract => {
                if let Some(c) = company(i, "customer", &e.customer, out)
                    && s.companies[c].role != Role::Lab
                {
                    out.push(Violation {
                        path: at("customer"),
                        message: format!(
                            "{:?} is not the lab: only the lab places compute by contract in the model",
                            names[c]
                        ),
                    });
                }
                if let Some(h) = e.host.as_deref()
                    && h != "other"
                {
                    match names.iter().position(|n| *n == h) {
                        None => out.push(Violation {
                            path: at("host"),
                            message: format!("unknown cloud {h:?} (clouds: {})", s.cloud_names().join(", ")),
                        }),
                        Some(c) if s.companies[c].cloud_capacity <= 0.0 => out.push(Violation {
                            path: at("host"),
                            message: format!("{h:?} has no cloud (cloud_capacity = 0)"),
                        }),
                        Some(_) => {}
                    }
                }
                if let Some(x) = e.kgpu
                    && !(x.is_finite() && x > 0.0 && x <= 1e7)
                {
                    out.push(Violation {
                        path: at("kgpu"),
                        message: format!("{x} is out of range (0, 1e7] (kGPU)"),
                    });
                }
                if let Some(w) = e.workload.as_deref()
                    && w != "training"
                    && w != "inference"
                {
                    out.push(Violation {
                        path: at("workload"),
                        message: format!("unknown workload {w:?}: expected training | inference"),
                    });
                }
                if let Some(m) = e.months
                    && !(1..=600).contains(&m)
                {
                    out.push(Violation {
                        path: at("months"),
                        message: format!("{m} is out of range 1 ..= 600 (months)"),
                    });
                }
            }
            Action::Crisis => {
                if let Some(c) = company(i, "company", &e.company, out)
                    && s.companies[c].role != Role::Lab
                {
                    out.push(Violation {
                        path: at("company"),
                        message: format!("{:?} is not the lab: the model's board crises are the lab's", names[c]),
                    });
                }
            }
            Action::Review => {
                if let Some(a) = e.authority.as_deref()
                    && !AUTHORITIES.contains(&a)
                {
                    out.push(Violation {
                        path: at("authority"),
                        message: format!("unknown authority {a:?}: expected {}", AUTHORITIES.join(" | ")),
                    });
                }
            }
            Action::Tie => {
                if e.name.is_none() || e.investor.is_none() || e.lab.is_none() || e.amount.is_none() {
                    continue;
                }
                let tie = tie_of(e);
                check_new_tie(&state, &tie, i, out);
                // Later events may change the tie's terms (`partnerships.<name>.<field>`).
                state.partnerships.push(tie);
            }
        }
    }
}

/// The tie a `tie` event creates: no stake until the event's month, when the investor pays
/// `amount` as a tranche at the lab's value (so it buys its stake as every tranche does, and
/// the authorities see the acquisition); compute committed from that month; every other term
/// at its default, changed by `set` events on `partnerships.<name>.<field>`.
fn tie_of(e: &TimelineEvent) -> TieParams {
    let month = e.month.clamp(1, 600) as u32;
    TieParams {
        name: e.name.clone().unwrap_or_default(),
        investor: e.investor.clone().unwrap_or_default(),
        lab: e.lab.clone().unwrap_or_default(),
        stake: 0.0,
        tranche_months: vec![month],
        tranche_amounts: vec![e.amount.unwrap_or(0.0)],
        compute_kgpu: e.kgpu.unwrap_or(0.0),
        compute_month: month,
        ..TieParams::default()
    }
}

/// The checks of a `[[partnerships]]` entry (the registry's ranges and the roster's checks)
/// on the tie a `tie` event creates, reported on the event.
fn check_new_tie(state: &Scenario, tie: &TieParams, i: usize, out: &mut Vec<Violation>) {
    if state.partnerships.iter().any(|t| t.name == tie.name) {
        put(out, i, "name", format!("`{}` already names a partnership", tie.name));
    }
    let probe = Scenario {
        partnerships: vec![tie.clone()],
        events: Vec::new(),
        ..state.clone()
    };
    for v in super::params::validate(&probe) {
        let field = v.path.rsplit('.').next().unwrap_or_default();
        let on = match field {
            "name" | "investor" | "lab" => field,
            "compute_kgpu" => "kgpu",
            _ => "amount",
        };
        put(out, i, on, v.message);
    }
}

/// Makes each `tie` event a `[[partnerships]]` entry (see `tie_of`), in the order the events
/// apply, and drops the event: the tie is then one of the world's from setup (an entity,
/// output columns), with no stake and no terms in force until its month. Called on a
/// validated scenario.
pub fn ties_from_events(mut s: Scenario) -> Scenario {
    if !s.events.iter().any(|e| e.action == Action::Tie.as_str()) {
        return s;
    }
    let events = std::mem::take(&mut s.events);
    for i in order(&events) {
        if events[i].action == Action::Tie.as_str() {
            s.partnerships.push(tie_of(&events[i]));
        }
    }
    s.events = events
        .into_iter()
        .filter(|e| e.action != Action::Tie.as_str())
        .collect();
    s
}

fn put(out: &mut Vec<Violation>, i: usize, field: &str, message: String) {
    out.push(Violation {
        path: format!("events.{i}.{field}"),
        message,
    });
}

/// Every field an action may take.
const ALL_FIELDS: [&str; 19] = [
    "month",
    "action",
    "param",
    "value",
    "buyer",
    "from",
    "researchers",
    "payment",
    "customer",
    "host",
    "kgpu",
    "workload",
    "months",
    "company",
    "authority",
    "name",
    "investor",
    "lab",
    "amount",
];

fn field_presence(e: &TimelineEvent) -> [(&'static str, bool); 17] {
    [
        ("param", e.param.is_some()),
        ("value", e.value.is_some()),
        ("buyer", e.buyer.is_some()),
        ("from", e.from.is_some()),
        ("researchers", e.researchers.is_some()),
        ("payment", e.payment.is_some()),
        ("customer", e.customer.is_some()),
        ("host", e.host.is_some()),
        ("kgpu", e.kgpu.is_some()),
        ("workload", e.workload.is_some()),
        ("months", e.months.is_some()),
        ("company", e.company.is_some()),
        ("authority", e.authority.is_some()),
        ("name", e.name.is_some()),
        ("investor", e.investor.is_some()),
        ("lab", e.lab.is_some()),
        ("amount", e.amount.is_some()),
    ]
}

/// Indices of `events` in the order they apply: by month, then file order.
pub fn order(events: &[TimelineEvent]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..events.len()).collect();
    idx.sort_by_key(|&i| (events[i].month, i));
    idx
}

/// A validated event, ready to apply.
#[derive(Debug, Clone)]
pub struct Scheduled {
    pub month: u32,
    /// Position in the file (`events.N`).
    pub index: usize,
    pub action: ScheduledAction,
}

/// What a validated event does.
#[derive(Debug, Clone)]
pub enum ScheduledAction {
    /// The parameters from this month on (every earlier `set` applied), the path and the
    /// value as written.
    Set {
        path: String,
        value: String,
        params: Box<Scenario>,
    },
    Acquihire {
        buyer: usize,
        /// A company's index, or `None` for the largest startup.
        from: Option<usize>,
        researchers: u32,
        payment: f64,
    },
    Contract {
        customer: usize,
        /// A company's index, or `None` for the fringe of other clouds.
        host: Option<usize>,
        kgpu: f64,
        training: bool,
        months: Option<u32>,
    },
    Crisis,
    Review {
        /// Position in [`AUTHORITIES`].
        authority: usize,
    },
}

/// Resolves the events of a valid scenario into the order they apply, with each `set`
/// carrying the parameters it leaves. Errors only on a scenario that does not validate.
pub fn compile(s: &Scenario) -> Result<Vec<Scheduled>, String> {
    let mut problems = Vec::new();
    validate(s, &mut problems);
    if let Some(v) = problems.first() {
        return Err(format!("field `{}`: {}", v.path, v.message));
    }
    let idx = |name: &Option<String>| -> Result<usize, String> {
        let name = name.as_deref().unwrap_or_default();
        s.company_index(name).ok_or_else(|| format!("unknown company {name:?}"))
    };
    let mut state = Scenario {
        events: Vec::new(),
        ..s.clone()
    };
    let mut out = Vec::with_capacity(s.events.len());
    for i in order(&s.events) {
        let e = &s.events[i];
        let action = match Action::parse(&e.action).ok_or("unknown action")? {
            Action::Set => {
                let path = e.param.clone().unwrap_or_default();
                let value = set_value_of(e).ok_or("missing value")?;
                state = super::load::set_value(&state, &path, value.clone())?;
                let shown = match &value {
                    toml::Value::String(s) => s.clone(),
                    v => v.to_string(),
                };
                ScheduledAction::Set {
                    path,
                    value: shown,
                    params: Box::new(Scenario {
                        events: s.events.clone(),
                        ..state.clone()
                    }),
                }
            }
            Action::Acquihire => ScheduledAction::Acquihire {
                buyer: idx(&e.buyer)?,
                from: match e.from.as_deref() {
                    Some(FROM_STARTUPS) => None,
                    _ => Some(idx(&e.from)?),
                },
                researchers: e.researchers.unwrap_or(0) as u32,
                payment: e.payment.unwrap_or(0.0),
            },
            Action::Contract => ScheduledAction::Contract {
                customer: idx(&e.customer)?,
                host: match e.host.as_deref() {
                    Some("other") => None,
                    _ => Some(idx(&e.host)?),
                },
                kgpu: e.kgpu.unwrap_or(0.0),
                training: e.workload.as_deref() == Some("training"),
                months: e.months.map(|m| m as u32),
            },
            Action::Crisis => ScheduledAction::Crisis,
            // Made partnerships at load (`ties_from_events`); here only if built in code.
            Action::Tie => {
                return Err(format!(
                    "events.{i}: a `tie` event must be loaded (ties_from_events) before it runs"
                ));
            }
            Action::Review => ScheduledAction::Review {
                authority: AUTHORITIES
                    .iter()
                    .position(|a| Some(*a) == e.authority.as_deref())
                    .ok_or("unknown authority")?,
            },
        };
        out.push(Scheduled {
            month: e.month as u32,
            index: i,
            action,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_and_count() {
        let m = YearMonth::parse("2024-01").unwrap();
        assert_eq!(m.of_tick(1).to_string(), "2024-01");
        assert_eq!(m.of_tick(12).to_string(), "2024-12");
        assert_eq!(m.of_tick(13).to_string(), "2025-01");
        assert_eq!(YearMonth::parse("2024-11").unwrap().of_tick(3).to_string(), "2025-01");
        for bad in ["2024-13", "2024-00", "24-01", "2024-1", "2024/01", "abcd-ef", ""] {
            assert!(YearMonth::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn initial_only_paths() {
        assert!(initial_only("talent.researchers"));
        assert!(initial_only("companies.3.capital"));
        assert!(initial_only("companies.lab.capital"));
        assert!(initial_only("companies.lab.initial_shares[1]") == initial_only("companies[].initial_shares"));
        assert!(initial_only("regulation.cma.initial_stage"));
        assert!(!initial_only("companies.3.pay"));
        assert!(!initial_only("partnership.exclusivity"));
        assert!(!initial_only("products.market_size[2]"));
        assert!(initial_only("companies.lab.role") && initial_only("name") && initial_only("horizon_months"));
    }
}
