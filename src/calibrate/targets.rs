//! Target files of a pattern-oriented calibration (SPEC §9): what the model should
//! reproduce, where each figure comes from, and which parameters are free with what prior.
//!
//! A target reads one statistic off a batch of runs: the share of runs ending in an
//! outcome, the mean or median over runs of a `timeseries.csv` column at a month (or
//! averaged over a window of months), or an event frequency from `events.csv` (the share
//! of runs with a matching event, or the ratio of two event counts). Errors name the file, the line and
//! the field.

use serde::Deserialize;
use toml::Spanned;

use crate::outcome::Outcome;
use crate::output::columns::{Column, timeseries_columns};
use crate::scenario::load::{Problem, ScenarioError, line_col, located_parse_error};
use crate::scenario::{Scenario, load, params};
pub use crate::sim::setup::Reference;

/// Settings of the search (the `[abc]` table); every field has a default.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AbcSettings {
    /// Particles per generation (N).
    pub particles: usize,
    /// Share of the particles kept each generation (α): the tolerance is their distance.
    pub alpha: f64,
    /// Stop when fewer than this share of a generation's new particles beat the tolerance.
    pub min_acceptance: f64,
    /// Most generations after the first (prior) one.
    pub max_generations: usize,
    /// Runs of the model per particle.
    pub runs: u64,
    /// Master seed of the search.
    pub seed: u64,
    /// Best particles re-evaluated on common seeds to pick the best point.
    pub best_candidates: usize,
    /// Runs of that re-evaluation, and of the polish.
    pub best_runs: u64,
    /// Evaluations of the Nelder–Mead polish from the best candidate (0: none).
    pub polish_evals: usize,
    /// The world brands and amenities are solved in for each candidate: `candidate` (the
    /// default: each parameter set is its own reference world, so market primitives can be
    /// free) or `baseline` (as `run` does: the baseline's primitives).
    pub reference: Reference,
    /// Runs (common seeds) of each arm of the sensitivity matrix: the best point and, per
    /// free parameter, that parameter at its prior's low and high end (0: no matrix).
    pub sensitivity_runs: u64,
    /// Evaluations of a second polish from the best point on the fitted targets other than
    /// outcome shares (0: none): where the data alone would put the outcomes.
    pub data_polish_evals: usize,
}

impl Default for AbcSettings {
    fn default() -> Self {
        AbcSettings {
            particles: 200,
            alpha: 0.5,
            min_acceptance: 0.05,
            max_generations: 8,
            runs: 300,
            seed: 2024,
            best_candidates: 8,
            best_runs: 4000,
            polish_evals: 40,
            reference: Reference::Candidate,
            sensitivity_runs: 2000,
            data_polish_evals: 0,
        }
    }
}

impl AbcSettings {
    /// The search's settings as the ABC takes them.
    pub fn config(&self) -> super::abc::AbcConfig {
        super::abc::AbcConfig {
            particles: self.particles,
            alpha: self.alpha,
            min_acceptance: self.min_acceptance,
            max_generations: self.max_generations,
            seed: self.seed,
        }
    }
}

/// A free parameter with a uniform prior on `[lo, hi]`.
#[derive(Debug, Clone, PartialEq)]
pub struct FreeParam {
    pub param: String,
    pub lo: f64,
    pub hi: f64,
    /// Whether the scenario holds it as an integer (rounded when applied).
    pub integer: bool,
}

/// Whether a target is fitted (enters the distance), kept for validation, or the series of
/// an input (reported, never fitted nor counted as a pass: its figure set a parameter or a
/// starting value, so matching it shows nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Use {
    Fit,
    Validate,
    Input,
}

impl Use {
    /// The word of target files and `targets.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Use::Fit => "fit",
            Use::Validate => "validate",
            Use::Input => "input",
        }
    }
}

/// An event filter: kind, and optionally actor and a substring of the detail.
#[derive(Debug, Clone, PartialEq)]
pub struct EventFilter {
    pub kind: String,
    pub actor: Option<String>,
    pub detail: Option<String>,
}

impl EventFilter {
    pub fn matches(&self, e: &crate::world::resources::Event) -> bool {
        e.kind == self.kind
            && self.actor.as_ref().is_none_or(|a| *a == e.actor)
            && self.detail.as_ref().is_none_or(|d| e.detail.contains(d.as_str()))
    }
}

/// What a target measures.
#[derive(Debug, Clone, PartialEq)]
pub enum Metric {
    /// Share of runs ending in the outcome.
    Outcome(Outcome),
    /// Mean (or median) over runs of a weighted sum of columns (`Σ weight · column`), each
    /// run's averaged over months `from ..= to` (1-based); with `base`, divided by the same
    /// sum averaged over the base months (a growth factor; a run whose base is not positive
    /// says nothing).
    Column {
        /// The columns with their weights, as written (`a + b`, `a - b`, `0.5·a`).
        name: String,
        terms: Vec<(Column, f64)>,
        from: u32,
        to: u32,
        base: Option<(u32, u32)>,
        median: bool,
    },
    /// Share of runs with at least one matching event by month `by`.
    EventShare { filter: EventFilter, by: u32 },
    /// Matching events by month `by` ÷ events matching `per` by month `per_by`, pooled
    /// over runs (`per_by` < `by` leaves out cases opened too late to reach the stage).
    EventRatio {
        filter: EventFilter,
        per: EventFilter,
        by: u32,
        per_by: u32,
    },
}

/// One pattern to reproduce.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub name: String,
    pub source: String,
    pub metric: Metric,
    pub value: f64,
    pub tolerance: f64,
    pub usage: Use,
}

impl Target {
    /// `(simulated − value) / tolerance`: within ±1 passes.
    pub fn standardised(&self, simulated: f64) -> f64 {
        (simulated - self.value) / self.tolerance
    }

    /// A short description of the metric for reports.
    pub fn describe(&self) -> String {
        fn filter_text(f: &EventFilter) -> String {
            let mut s = format!("`{}`", f.kind);
            if let Some(a) = &f.actor {
                s.push_str(&format!(" by {a}"));
            }
            if let Some(d) = &f.detail {
                s.push_str(&format!(" with \"{d}\""));
            }
            s
        }
        match &self.metric {
            Metric::Outcome(o) => format!("share of runs ending in {}", o.as_str()),
            Metric::Column {
                name,
                from,
                to,
                base,
                median,
                ..
            } => {
                let stat = if *median { "median" } else { "mean" };
                let months = |a: u32, b: u32| {
                    if a == b {
                        format!("month {a}")
                    } else {
                        format!("months {a}-{b}")
                    }
                };
                match base {
                    None => format!("{stat} `{name}` at {}", months(*from, *to)),
                    Some((a, b)) => format!("{stat} growth of `{name}`: {} ÷ {}", months(*from, *to), months(*a, *b)),
                }
            }
            Metric::EventShare { filter, by } => format!("share of runs with {} by month {by}", filter_text(filter)),
            Metric::EventRatio {
                filter,
                per,
                by,
                per_by,
            } => {
                format!(
                    "{} by month {by} per {} by month {per_by}",
                    filter_text(filter),
                    filter_text(per)
                )
            }
        }
    }
}

/// A parsed and validated target file.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetFile {
    pub abc: AbcSettings,
    pub free: Vec<FreeParam>,
    pub targets: Vec<Target>,
}

impl TargetFile {
    pub fn fitted(&self) -> impl Iterator<Item = &Target> {
        self.targets.iter().filter(|t| t.usage == Use::Fit)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    abc: Option<Spanned<AbcSettings>>,
    #[serde(default)]
    free: Vec<RawFree>,
    #[serde(default)]
    target: Vec<RawTarget>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFree {
    param: Spanned<String>,
    prior: Spanned<Vec<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    name: Spanned<String>,
    source: Spanned<String>,
    value: Spanned<f64>,
    tolerance: Spanned<f64>,
    #[serde(default, rename = "use")]
    usage: Option<Use>,
    outcome: Option<Spanned<String>>,
    column: Option<Spanned<String>>,
    columns: Option<Spanned<Vec<String>>>,
    weights: Option<Spanned<Vec<f64>>>,
    month: Option<Spanned<i64>>,
    months: Option<Spanned<Vec<i64>>>,
    base_month: Option<Spanned<i64>>,
    base_months: Option<Spanned<Vec<i64>>>,
    event: Option<Spanned<String>>,
    actor: Option<Spanned<String>>,
    detail: Option<Spanned<String>>,
    per_event: Option<Spanned<String>>,
    per_actor: Option<Spanned<String>>,
    per_detail: Option<Spanned<String>>,
    by_month: Option<Spanned<i64>>,
    per_by_month: Option<Spanned<i64>>,
    stat: Option<Spanned<String>>,
}

/// Collects located problems while validating.
struct Checker<'a> {
    src: &'a str,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn at<T>(&mut self, span: &Spanned<T>, field: String, message: impl Into<String>) {
        self.at_offset(span.span().start, field, message);
    }

    fn at_offset(&mut self, offset: usize, field: String, message: impl Into<String>) {
        let (line, column) = line_col(self.src, offset);
        self.problems.push(Problem {
            line: Some(line),
            column: Some(column),
            field,
            message: message.into(),
        });
    }
}

/// Reads and validates a target file against the scenario it calibrates.
pub fn load_targets(path: &std::path::Path, scenario: &Scenario) -> Result<TargetFile, ScenarioError> {
    let src = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_targets(&src, &path.display().to_string(), scenario)
}

/// Parses target-file text; `origin` names it in errors.
pub fn parse_targets(src: &str, origin: &str, scenario: &Scenario) -> Result<TargetFile, ScenarioError> {
    let raw: RawFile = toml::from_str(src).map_err(|e| located_parse_error(src, origin, &e))?;
    let mut ck = Checker {
        src,
        problems: Vec::new(),
    };
    let horizon = scenario.horizon_months;
    let abc = match &raw.abc {
        Some(a) => {
            let s = a.get_ref();
            let checks: [(bool, &str, &str); 6] = [
                (s.particles >= 4, "abc.particles", "at least 4 particles"),
                (s.alpha > 0.0 && s.alpha < 1.0, "abc.alpha", "alpha must be in (0, 1)"),
                (
                    (0.0..1.0).contains(&s.min_acceptance),
                    "abc.min_acceptance",
                    "min_acceptance must be in [0, 1)",
                ),
                (s.runs >= 1, "abc.runs", "at least 1 run per particle"),
                (s.best_runs >= 1, "abc.best_runs", "at least 1 run"),
                (
                    (s.particles as f64 * s.alpha).floor() >= 2.0,
                    "abc.alpha",
                    "particles × alpha must keep at least 2 particles",
                ),
            ];
            for (ok, field, msg) in checks {
                if !ok {
                    ck.at(a, field.into(), msg);
                }
            }
            s.clone()
        }
        None => AbcSettings::default(),
    };

    let mut free = Vec::new();
    for (i, f) in raw.free.iter().enumerate() {
        let field = |k: &str| format!("free[{i}].{k}");
        let path = f.param.get_ref();
        let Some(spec) = params::find(path) else {
            ck.at(&f.param, field("param"), params::unknown_parameter(path));
            continue;
        };
        let current = load::current_value(scenario, path);
        let integer = matches!(current, Ok(toml::Value::Integer(_)));
        if spec.min.is_nan() || !matches!(current, Ok(toml::Value::Float(_) | toml::Value::Integer(_))) {
            ck.at(
                &f.param,
                field("param"),
                format!("`{path}` is not numeric and cannot be calibrated"),
            );
            continue;
        }
        let same = |g: &FreeParam| load::canonical_path(scenario, &g.param) == load::canonical_path(scenario, path);
        if free.iter().any(same) {
            ck.at(&f.param, field("param"), format!("`{path}` is listed twice"));
            continue;
        }
        let prior = f.prior.get_ref();
        let [lo, hi] = prior[..] else {
            ck.at(&f.prior, field("prior"), "expected [lo, hi]");
            continue;
        };
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            ck.at(
                &f.prior,
                field("prior"),
                format!("need finite lo < hi, got [{lo}, {hi}]"),
            );
            continue;
        }
        if lo < spec.min || hi > spec.max {
            ck.at(
                &f.prior,
                field("prior"),
                format!(
                    "[{lo}, {hi}] leaves the parameter's range {} ..= {}",
                    spec.min, spec.max
                ),
            );
            continue;
        }
        free.push(FreeParam {
            param: path.clone(),
            lo,
            hi,
            integer,
        });
    }

    let columns = timeseries_columns(scenario);
    let month_ok = |m: i64| m >= 1 && m <= i64::from(horizon);
    let mut targets: Vec<Target> = Vec::new();
    for (i, t) in raw.target.iter().enumerate() {
        let field = |k: &str| format!("target[{i}].{k}");
        let before = ck.problems.len();
        let name = t.name.get_ref().clone();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            ck.at(&t.name, field("name"), "a name of letters, digits, `_` and `-`");
        } else if targets.iter().any(|o| o.name == name) {
            ck.at(&t.name, field("name"), format!("`{name}` is used by an earlier target"));
        }
        if t.source.get_ref().trim().is_empty() {
            ck.at(&t.source, field("source"), "say where the figure comes from");
        }
        if !t.value.get_ref().is_finite() {
            ck.at(&t.value, field("value"), "not a finite number");
        }
        if !(t.tolerance.get_ref().is_finite() && *t.tolerance.get_ref() > 0.0) {
            ck.at(&t.tolerance, field("tolerance"), "must be > 0");
        }
        let kinds = [
            t.outcome.is_some(),
            t.column.is_some() || t.columns.is_some(),
            t.event.is_some(),
        ];
        if kinds.iter().filter(|&&k| k).count() != 1 {
            ck.at(
                &t.name,
                field("outcome"),
                "give exactly one of `outcome`, `column` (or `columns`) or `event`",
            );
            continue;
        }
        let by = match &t.by_month {
            Some(b) if !month_ok(*b.get_ref()) => {
                ck.at(
                    b,
                    field("by_month"),
                    format!("month must be in 1 ..= {horizon} (the horizon)"),
                );
                horizon
            }
            Some(b) => *b.get_ref() as u32,
            None => horizon,
        };
        let metric = if let Some(o) = &t.outcome {
            match Outcome::parse(o.get_ref()) {
                Some(o) => Some(Metric::Outcome(o)),
                None => {
                    ck.at(
                        o,
                        field("outcome"),
                        format!(
                            "`{}` is not an outcome (symbiosis, decoupling, acquisition, divestiture)",
                            o.get_ref()
                        ),
                    );
                    None
                }
            }
        } else if t.column.is_some() || t.columns.is_some() {
            column_metric(t, &columns, horizon, &mut ck, &field)
        } else {
            let filter = |kind: &Spanned<String>,
                          actor: &Option<Spanned<String>>,
                          detail: &Option<Spanned<String>>,
                          ck: &mut Checker,
                          key: &str| {
                if kind.get_ref().is_empty() {
                    ck.at(kind, field(key), "an event kind (docs/OUTPUTS.md, events.csv)");
                }
                EventFilter {
                    kind: kind.get_ref().clone(),
                    actor: actor.as_ref().map(|a| a.get_ref().clone()),
                    detail: detail.as_ref().map(|d| d.get_ref().clone()),
                }
            };
            let Some(kind) = &t.event else { continue };
            let main = filter(kind, &t.actor, &t.detail, &mut ck, "event");
            match &t.per_event {
                Some(pk) => {
                    let per = filter(pk, &t.per_actor, &t.per_detail, &mut ck, "per_event");
                    let per_by = match &t.per_by_month {
                        Some(b) if !month_ok(*b.get_ref()) || *b.get_ref() > i64::from(by) => {
                            ck.at(
                                b,
                                field("per_by_month"),
                                format!("month must be in 1 ..= {by} (by_month)"),
                            );
                            by
                        }
                        Some(b) => *b.get_ref() as u32,
                        None => by,
                    };
                    Some(Metric::EventRatio {
                        filter: main,
                        per,
                        by,
                        per_by,
                    })
                }
                None => {
                    for (f, k) in [(&t.per_actor, "per_actor"), (&t.per_detail, "per_detail")] {
                        if let Some(f) = f {
                            ck.at(f, field(k), "only with `per_event`");
                        }
                    }
                    if let Some(b) = &t.per_by_month {
                        ck.at(b, field("per_by_month"), "only with `per_event`");
                    }
                    Some(Metric::EventShare { filter: main, by })
                }
            }
        };
        if t.column.is_none() && t.columns.is_none() {
            for (m, k) in [(&t.month, "month"), (&t.base_month, "base_month")] {
                if let Some(m) = m {
                    ck.at(m, field(k), "only with `column` or `columns`");
                }
            }
            for (m, k) in [(&t.months, "months"), (&t.base_months, "base_months")] {
                if let Some(m) = m {
                    ck.at(m, field(k), "only with `column` or `columns`");
                }
            }
            if let Some(m) = &t.stat {
                ck.at(m, field("stat"), "only with `column` or `columns`");
            }
            if let Some(w) = &t.weights {
                ck.at(w, field("weights"), "only with `columns`");
            }
        }
        if t.event.is_none() {
            for (f, k) in [
                (&t.actor, "actor"),
                (&t.detail, "detail"),
                (&t.per_event, "per_event"),
                (&t.per_actor, "per_actor"),
                (&t.per_detail, "per_detail"),
            ] {
                if let Some(f) = f {
                    ck.at(f, field(k), "only with `event`");
                }
            }
            for (b, k) in [(&t.by_month, "by_month"), (&t.per_by_month, "per_by_month")] {
                if let Some(b) = b {
                    ck.at(b, field(k), "only with `event`");
                }
            }
        }
        if let (Some(metric), true) = (metric, ck.problems.len() == before) {
            targets.push(Target {
                name,
                source: t.source.get_ref().clone(),
                metric,
                value: *t.value.get_ref(),
                tolerance: *t.tolerance.get_ref(),
                usage: t.usage.unwrap_or(Use::Fit),
            });
        }
    }
    if ck.problems.is_empty() {
        let fitted = targets.iter().filter(|t| t.usage == Use::Fit).count();
        let whole = |field: &str, message: String| Problem {
            line: Some(1),
            column: Some(1),
            field: field.into(),
            message,
        };
        if free.is_empty() {
            ck.problems
                .push(whole("free", "name at least one free parameter ([[free]])".into()));
        } else if fitted < 2 * free.len() {
            ck.problems.push(whole(
                "target",
                format!(
                    "{fitted} fitted targets for {} free parameters: give at least twice as many targets as free parameters",
                    free.len()
                ),
            ));
        }
    }
    if !ck.problems.is_empty() {
        return Err(ScenarioError::Invalid {
            origin: origin.into(),
            problems: ck.problems,
        });
    }
    Ok(TargetFile { abc, free, targets })
}

/// A month window from `month` or `months` (`what` names the pair in errors); `None` with a
/// problem recorded when it is malformed, `default` when neither is given.
fn window(
    one: &Option<Spanned<i64>>,
    range: &Option<Spanned<Vec<i64>>>,
    names: (&str, &str),
    horizon: u32,
    ck: &mut Checker,
    field: &dyn Fn(&str) -> String,
) -> Option<Option<(u32, u32)>> {
    let month_ok = |m: i64| m >= 1 && m <= i64::from(horizon);
    match (one, range) {
        (Some(_), Some(ms)) => {
            ck.at(
                ms,
                field(names.1),
                format!("give `{}` or `{}`, not both", names.0, names.1),
            );
            None
        }
        (Some(m), None) if month_ok(*m.get_ref()) => Some(Some((*m.get_ref() as u32, *m.get_ref() as u32))),
        (Some(m), None) => {
            ck.at(
                m,
                field(names.0),
                format!("month must be in 1 ..= {horizon} (the horizon)"),
            );
            None
        }
        (None, Some(ms)) => match ms.get_ref()[..] {
            [a, b] if month_ok(a) && month_ok(b) && a <= b => Some(Some((a as u32, b as u32))),
            _ => {
                ck.at(
                    ms,
                    field(names.1),
                    format!("expected [from, to] within 1 ..= {horizon}"),
                );
                None
            }
        },
        (None, None) => Some(None),
    }
}

/// The metric of a `column` / `columns` target (problems recorded in `ck`).
fn column_metric(
    t: &RawTarget,
    columns: &[(String, Column)],
    horizon: u32,
    ck: &mut Checker,
    field: &dyn Fn(&str) -> String,
) -> Option<Metric> {
    // The names, with the span and key errors about them point at.
    let (names, span, key) = match (&t.column, &t.columns) {
        (Some(_), Some(cs)) => {
            ck.at(cs, field("columns"), "give `column` or `columns`, not both");
            return None;
        }
        (Some(c), None) => (vec![c.get_ref().clone()], c.span(), "column"),
        (None, Some(cs)) => {
            if cs.get_ref().is_empty() {
                ck.at(cs, field("columns"), "name at least one column");
                return None;
            }
            (cs.get_ref().clone(), cs.span(), "columns")
        }
        (None, None) => return None,
    };
    let weights: Vec<f64> = match &t.weights {
        None => vec![1.0; names.len()],
        Some(w) if t.columns.is_none() => {
            ck.at(w, field("weights"), "only with `columns`");
            return None;
        }
        Some(w) if w.get_ref().len() != names.len() || !w.get_ref().iter().all(|x| x.is_finite()) => {
            ck.at(
                w,
                field("weights"),
                format!("expected {} finite numbers, one per column", names.len()),
            );
            return None;
        }
        Some(w) => w.get_ref().clone(),
    };
    let mut terms = Vec::with_capacity(names.len());
    for n in &names {
        match columns.iter().find(|(c, _)| c == n) {
            Some((_, col)) => terms.push(*col),
            None => {
                let hint = columns
                    .iter()
                    .map(|(c, _)| (params::edit_distance(n, c), c.as_str()))
                    .min()
                    .filter(|(d, _)| *d <= 4)
                    .map(|(_, c)| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                ck.at_offset(
                    span.start,
                    field(key),
                    format!("`{n}` is not a column of timeseries.csv{hint}"),
                );
            }
        }
    }
    let months = window(&t.month, &t.months, ("month", "months"), horizon, ck, field);
    let base = window(
        &t.base_month,
        &t.base_months,
        ("base_month", "base_months"),
        horizon,
        ck,
        field,
    );
    let median = match t.stat.as_ref().map(|s| s.get_ref().as_str()) {
        None | Some("mean") => false,
        Some("median") => true,
        Some(other) => {
            if let Some(st) = &t.stat {
                ck.at(st, field("stat"), format!("`{other}`: expected \"mean\" or \"median\""));
            }
            false
        }
    };
    let (Some(months), Some(base)) = (months, base) else {
        return None;
    };
    if terms.len() != names.len() {
        return None;
    }
    let (from, to) = months.unwrap_or((horizon, horizon));
    let name = names
        .iter()
        .zip(&weights)
        .enumerate()
        .map(|(i, (n, &w))| {
            let sign = if w < 0.0 {
                " - "
            } else if i == 0 {
                ""
            } else {
                " + "
            };
            let sign = if i == 0 && w < 0.0 { "-" } else { sign };
            if w.abs() == 1.0 {
                format!("{sign}{n}")
            } else {
                format!("{sign}{}·{n}", w.abs())
            }
        })
        .collect::<String>();
    Some(Metric::Column {
        name,
        terms: terms.into_iter().zip(weights).collect(),
        from,
        to,
        base,
        median,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[abc]
particles = 20
runs = 10

[[free]]
param = "partnership.bid_propensity"
prior = [0.2, 1.0]

[[target]]
name = "symbiosis"
source = "article"
outcome = "symbiosis"
value = 0.6
tolerance = 0.02

[[target]]
name = "azure"
source = "Synergy"
column = "cloud_share_investor"
month = 12
value = 0.21
tolerance = 0.03

[[target]]
name = "eu_phase2"
source = "DAMITT"
event = "review_phase2"
actor = "eu_commission"
per_event = "review_opened"
per_actor = "eu_commission"
value = 0.03
tolerance = 0.03
use = "validate"
"#;

    fn err(src: &str) -> String {
        parse_targets(src, "t.toml", &Scenario::default())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_good_file_parses() {
        let t = parse_targets(GOOD, "t.toml", &Scenario::default()).unwrap();
        assert_eq!(t.abc.particles, 20);
        assert_eq!(t.abc.alpha, 0.5);
        assert_eq!(t.free.len(), 1);
        assert_eq!(t.targets.len(), 3);
        assert_eq!(t.fitted().count(), 2);
        assert!(matches!(t.targets[1].metric, Metric::Column { from: 12, to: 12, .. }));
        assert!(matches!(t.targets[2].metric, Metric::EventRatio { by: 18, .. }));
    }

    #[test]
    fn errors_name_line_and_field() {
        let e = err(&GOOD.replace("column = \"cloud_share_investor\"", "column = \"cloud_share_investr\""));
        assert!(
            e.contains("t.toml:20:") && e.contains("target[1].column") && e.contains("cloud_share_investor"),
            "{e}"
        );
        let e = err(&GOOD.replace("month = 12", "month = 40"));
        assert!(e.contains("t.toml:21:") && e.contains("target[1].month"), "{e}");
        let e = err(&GOOD.replace("prior = [0.2, 1.0]", "prior = [0.2, 3.0]"));
        assert!(e.contains("t.toml:8:") && e.contains("free[0].prior"), "{e}");
        let e = err(&GOOD.replace("outcome = \"symbiosis\"", "outcome = \"merger\""));
        assert!(e.contains("t.toml:13:") && e.contains("target[0].outcome"), "{e}");
        let e = err(&GOOD.replace("tolerance = 0.02", "tolerance = -1"));
        assert!(e.contains("t.toml:15:") && e.contains("target[0].tolerance"), "{e}");
        // A TOML type error carries its line and field too.
        let e = err(&GOOD.replace("value = 0.6", "value = \"high\""));
        assert!(e.contains("t.toml:14:") && e.contains("value"), "{e}");
        let e = err(&GOOD.replace(
            "param = \"partnership.bid_propensity\"",
            "param = \"partnership.bid_propensty\"",
        ));
        assert!(
            e.contains("t.toml:7:") && e.contains("did you mean `partnership.bid_propensity`"),
            "{e}"
        );
        let e = err(&GOOD.replace("month = 12", "month = 12\nstat = \"mode\""));
        assert!(e.contains("t.toml:22:") && e.contains("target[1].stat"), "{e}");
        let e = err(&GOOD.replace(
            "per_actor = \"eu_commission\"",
            "per_actor = \"eu_commission\"\nper_by_month = 30",
        ));
        assert!(e.contains("target[2].per_by_month"), "{e}");
        let ok = parse_targets(
            &GOOD.replace("month = 12", "month = 12\nstat = \"median\"").replace(
                "per_actor = \"eu_commission\"",
                "per_actor = \"eu_commission\"\nper_by_month = 16",
            ),
            "t.toml",
            &Scenario::default(),
        )
        .unwrap();
        assert!(matches!(ok.targets[1].metric, Metric::Column { median: true, .. }));
        assert!(matches!(
            ok.targets[2].metric,
            Metric::EventRatio { by: 18, per_by: 16, .. }
        ));
        // Sums, differences and growth factors of columns; inputs are not fitted.
        let sum = GOOD.replace(
            "column = \"cloud_share_investor\"\nmonth = 12",
            "columns = [\"retention_anthropic\", \"retention_lab\"]\nweights = [1, -1]\nmonths = [16, 18]\nbase_month = 2",
        );
        let ok = parse_targets(&sum, "t.toml", &Scenario::default()).unwrap();
        match &ok.targets[1].metric {
            Metric::Column {
                name,
                terms,
                from: 16,
                to: 18,
                base: Some((2, 2)),
                median: false,
            } => {
                assert_eq!(name, "retention_anthropic - retention_lab");
                assert_eq!(terms.iter().map(|t| t.1).collect::<Vec<_>>(), vec![1.0, -1.0]);
            }
            other => panic!("{other:?}"),
        }
        assert!(
            ok.targets[1]
                .describe()
                .contains("growth of `retention_anthropic - retention_lab`: months 16-18 ÷ month 2")
        );
        let e = err(&sum.replace("weights = [1, -1]", "weights = [1]"));
        assert!(e.contains("t.toml:21:") && e.contains("target[1].weights"), "{e}");
        let e = err(&sum.replace("\"retention_lab\"]", "\"retention_labb\"]"));
        assert!(
            e.contains("t.toml:20:") && e.contains("target[1].columns") && e.contains("did you mean `retention_lab`"),
            "{e}"
        );
        let e = err(&sum.replace("base_month = 2", "base_month = 19"));
        assert!(e.contains("t.toml:23:") && e.contains("target[1].base_month"), "{e}");
        let e = err(&sum.replace("base_month = 2", "base_month = 2\ncolumn = \"researchers\""));
        assert!(e.contains("target[1].columns") && e.contains("not both"), "{e}");
        let e = err(&GOOD.replace(
            "actor = \"eu_commission\"\nper_event",
            "base_months = [1, 2]\nactor = \"eu_commission\"\nper_event",
        ));
        assert!(e.contains("target[2].base_months") && e.contains("only with"), "{e}");
        let input = parse_targets(
            &GOOD.replace("use = \"validate\"", "use = \"input\""),
            "t.toml",
            &Scenario::default(),
        )
        .unwrap();
        assert_eq!(input.targets[2].usage, Use::Input);
        assert_eq!(input.fitted().count(), 2);
        // Inputs do not count towards the fitted targets a free parameter needs.
        let e = err(&GOOD.replace(
            "value = 0.21\ntolerance = 0.03\n",
            "value = 0.21\ntolerance = 0.03\nuse = \"input\"\n",
        ));
        assert!(e.contains("1 fitted targets for 1 free parameters"), "{e}");
        // Too few fitted targets for the free parameters.
        let e = err(&GOOD.replace("use = \"validate\"", "").replace(
            "[[target]]\nname = \"azure\"",
            "[[free]]\nparam = \"partnership.tension_cost\"\nprior = [0.1, 1.0]\n\n[[target]]\nname = \"azure\"",
        ));
        assert!(e.contains("at least twice as many"), "{e}");
    }
}
