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

/// Whether a target is fitted (enters the distance) or kept for validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Use {
    Fit,
    Validate,
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
    /// Mean (or median) over runs of a column's mean over months `from ..= to` (1-based).
    Column {
        name: String,
        column: Column,
        from: u32,
        to: u32,
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
                name, from, to, median, ..
            } => {
                let stat = if *median { "median" } else { "mean" };
                if from == to {
                    format!("{stat} `{name}` at month {to}")
                } else {
                    format!("{stat} `{name}` over months {from}-{to}")
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
    month: Option<Spanned<i64>>,
    months: Option<Spanned<Vec<i64>>>,
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
        let (line, column) = line_col(self.src, span.span().start);
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
        let kinds = [t.outcome.is_some(), t.column.is_some(), t.event.is_some()];
        if kinds.iter().filter(|&&k| k).count() != 1 {
            ck.at(
                &t.name,
                field("outcome"),
                "give exactly one of `outcome`, `column` or `event`",
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
        } else if let Some(c) = &t.column {
            let found = columns.iter().find(|(n, _)| n == c.get_ref());
            let window = match (&t.month, &t.months) {
                (Some(_), Some(ms)) => {
                    ck.at(ms, field("months"), "give `month` or `months`, not both");
                    None
                }
                (Some(m), None) if month_ok(*m.get_ref()) => Some((*m.get_ref() as u32, *m.get_ref() as u32)),
                (Some(m), None) => {
                    ck.at(
                        m,
                        field("month"),
                        format!("month must be in 1 ..= {horizon} (the horizon)"),
                    );
                    None
                }
                (None, Some(ms)) => match ms.get_ref()[..] {
                    [a, b] if month_ok(a) && month_ok(b) && a <= b => Some((a as u32, b as u32)),
                    _ => {
                        ck.at(
                            ms,
                            field("months"),
                            format!("expected [from, to] within 1 ..= {horizon}"),
                        );
                        None
                    }
                },
                (None, None) => Some((horizon, horizon)),
            };
            match (found, window) {
                (None, _) => {
                    let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
                    let hint = names
                        .iter()
                        .map(|n| (params::edit_distance(c.get_ref(), n), *n))
                        .min()
                        .filter(|(d, _)| *d <= 4)
                        .map(|(_, n)| format!(" (did you mean `{n}`?)"))
                        .unwrap_or_default();
                    ck.at(
                        c,
                        field("column"),
                        format!("`{}` is not a column of timeseries.csv{hint}", c.get_ref()),
                    );
                    None
                }
                (Some((name, column)), Some((from, to))) => {
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
                    Some(Metric::Column {
                        name: name.clone(),
                        column: *column,
                        from,
                        to,
                        median,
                    })
                }
                _ => None,
            }
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
        if t.column.is_none() {
            for (m, k) in [(&t.month, "month")] {
                if let Some(m) = m {
                    ck.at(m, field(k), "only with `column`");
                }
            }
            if let Some(m) = &t.months {
                ck.at(m, field("months"), "only with `column`");
            }
            if let Some(m) = &t.stat {
                ck.at(m, field("stat"), "only with `column`");
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
        // Too few fitted targets for the free parameters.
        let e = err(&GOOD.replace("use = \"validate\"", "").replace(
            "[[target]]\nname = \"azure\"",
            "[[free]]\nparam = \"partnership.tension_cost\"\nprior = [0.1, 1.0]\n\n[[target]]\nname = \"azure\"",
        ));
        assert!(e.contains("at least twice as many"), "{e}");
    }
}
