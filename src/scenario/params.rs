//! The parameter registry: unit, valid range and meaning of every scenario knob.
//!
//! The facts live on the scenario structs themselves (`#[derive(Params)]`: each field's
//! doc comment is its meaning, `#[param(unit, min, max)]` its unit and range); this module
//! flattens them into [`PARAMS`], which serves validation, `params`, `--set` hints, the
//! docs/MODEL.md table and the JSON Schema. Paths use `.`; `companies[]` stands for every
//! roster entry.

use std::sync::LazyLock;

pub use coopetition_derive::{Params, Variants};

use super::Scenario;

/// A struct of knobs (`#[derive(Params)]`): its fields in declaration order.
pub trait Params {
    const FIELDS: &'static [Field];
}

/// A fieldless enum (`#[derive(Variants)]`): its variants and their serde words, in order.
pub trait Variants: Sized + 'static {
    const ALL: &'static [Self];
    const WORDS: &'static [&'static str];
}

/// One field of a [`Params`] struct.
#[derive(Debug)]
pub struct Field {
    /// The TOML key.
    pub name: &'static str,
    pub kind: FieldKind,
}

/// What a field holds.
#[derive(Debug)]
pub enum FieldKind {
    /// A knob.
    Leaf(Leaf),
    /// A table of knobs; a non-empty `label` (an authority's name) prefixes their meanings.
    Table {
        fields: &'static [Field],
        label: &'static str,
    },
    /// A list of tables (the roster): registered once under `name[]`.
    List { fields: &'static [Field] },
    /// No knob (a name, free text, the events): not in the registry, set at the start only.
    Skip,
}

/// A knob as its field declares it.
#[derive(Debug)]
pub struct Leaf {
    /// Unit, `-` for dimensionless, `enum` for words.
    pub unit: &'static str,
    /// Inclusive bounds; NaN for knobs that are not numbers.
    pub min: f64,
    pub max: f64,
    /// Meaning: the field's doc comment.
    pub doc: &'static str,
    /// An enum knob's words.
    pub words: &'static [&'static str],
    /// Sets only the state at the start of a run: a dated event cannot change it.
    pub initial: bool,
}

/// Metadata of one parameter, at its full path.
#[derive(Debug, Clone)]
pub struct ParamSpec {
    /// Dotted path as written in TOML and `--set` (`companies[].pay` for roster fields).
    pub path: String,
    /// Unit, or `-` for dimensionless.
    pub unit: &'static str,
    /// Inclusive lower bound (NaN: not a number).
    pub min: f64,
    /// Inclusive upper bound (NaN: not a number).
    pub max: f64,
    /// One-line meaning, with the authority's name for a per-authority knob and the words
    /// of an enum.
    pub doc: String,
    /// The words an enum knob takes (empty for others).
    pub words: &'static [&'static str],
    /// Sets only the state at the start of a run: a dated event cannot change it.
    pub initial: bool,
}

/// The registry: every parameter of a scenario in the structs' declaration order, and the
/// paths of the fields that are no parameter (`name`, `companies[].role`, ...).
struct Registry {
    params: Vec<ParamSpec>,
    not_knobs: Vec<String>,
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    let mut registry = Registry {
        params: Vec::new(),
        not_knobs: Vec::new(),
    };
    flatten(Scenario::FIELDS, "", "", &mut registry);
    registry
});

/// Every parameter of a scenario, in the structs' declaration order.
pub static PARAMS: LazyLock<&'static [ParamSpec]> = LazyLock::new(|| &REGISTRY.params);

/// The paths of the scenario's fields that are no parameter (`#[param(skip)]`: names, free
/// text, roles, segments, events), registry form.
pub fn not_parameters() -> &'static [String] {
    &REGISTRY.not_knobs
}

fn flatten(fields: &[Field], prefix: &str, label: &str, out: &mut Registry) {
    for field in fields {
        let path = if prefix.is_empty() {
            field.name.to_string()
        } else {
            format!("{prefix}.{}", field.name)
        };
        match &field.kind {
            FieldKind::Leaf(leaf) => {
                let mut doc = match label {
                    "" => leaf.doc.to_string(),
                    label => format!("{label}: {}", leaf.doc),
                };
                if !leaf.words.is_empty() {
                    doc = format!("{doc}: {}", leaf.words.join(" | "));
                }
                out.params.push(ParamSpec {
                    path,
                    unit: leaf.unit,
                    min: leaf.min,
                    max: leaf.max,
                    doc,
                    words: leaf.words,
                    initial: leaf.initial,
                });
            }
            FieldKind::Skip => out.not_knobs.push(path),
            FieldKind::Table { fields, label: own } => {
                flatten(fields, &path, if own.is_empty() { label } else { own }, out)
            }
            FieldKind::List { fields } => flatten(fields, &format!("{path}[]"), label, out),
        }
    }
}

/// The steps of a parameter path: `products.market_size[2]` and `products.market_size.2`
/// both give `products`, `market_size`, `2`. `None` for a malformed path (an empty step,
/// an unclosed or empty bracket).
pub fn path_steps(path: &str) -> Option<Vec<&str>> {
    let mut steps = Vec::new();
    for part in path.split('.') {
        let (head, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        if head.is_empty() {
            return None;
        }
        steps.push(head);
        while let Some(inner) = rest.strip_prefix('[') {
            let close = inner.find(']')?;
            if close == 0 {
                return None;
            }
            steps.push(&inner[..close]);
            rest = &inner[close + 1..];
        }
        if !rest.is_empty() {
            return None;
        }
    }
    Some(steps)
}

/// The scenario's lists of named tables: `companies.NAME.field`, `partnerships.NAME.field`
/// (by name or index), `companies[].field` in the registry.
pub const ROSTERS: [&str; 2] = ["companies", "partnerships"];

/// A settable path split into the registry path it falls under, the company it names
/// (roster fields) and the list element it names: `companies.lab.initial_shares[1]` →
/// (`companies[].initial_shares`, `lab`, `[1]`).
fn split_path(path: &str) -> Option<(String, Option<&str>, String)> {
    let steps = path_steps(path)?;
    if steps.len() >= 3 && ROSTERS.contains(&steps[0]) {
        let index: String = steps[3..].iter().map(|i| format!("[{i}]")).collect();
        return Some((format!("{}[].{}", steps[0], steps[2]), Some(steps[1]), index));
    }
    let key = steps.iter().take_while(|s| s.parse::<usize>().is_err()).count();
    let index: String = steps[key..].iter().map(|i| format!("[{i}]")).collect();
    Some((steps[..key].join("."), None, index))
}

/// The registry path a settable path falls under (`companies.lab.pay` → `companies[].pay`,
/// `products.market_size[2]` → `products.market_size`); `None` for a malformed path.
pub fn registry_path(path: &str) -> Option<String> {
    split_path(path).map(|(key, _, _)| key)
}

/// Looks up the registry entry a settable path falls under: `companies.lab.pay` and
/// `companies.2.pay` under `companies[].pay`, `products.market_size[2]` under
/// `products.market_size`.
pub fn find(path: &str) -> Option<&'static ParamSpec> {
    let key = registry_path(path)?;
    PARAMS.iter().find(|p| p.path == key)
}

/// The closest settable path, for "did you mean" hints (edit distance of the registry
/// path ≤ a third of its length), spelt with the input's company and element.
pub fn suggest(path: &str) -> Option<String> {
    let (key, company, index) = split_path(path).unwrap_or_else(|| (path.to_string(), None, String::new()));
    let mut best: Option<(usize, &'static str)> = None;
    for spec in PARAMS.iter() {
        let d = edit_distance(&key, &spec.path);
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, &spec.path));
        }
    }
    let (_, near) = best.filter(|(d, p)| *d <= p.len().max(3) / 3)?;
    Some(match near.split_once("[].") {
        Some((roster, field)) => {
            let entry = company.unwrap_or(if roster == "companies" { "lab" } else { "0" });
            format!("{roster}.{entry}.{field}{index}")
        }
        None => format!("{near}{index}"),
    })
}

/// "unknown parameter", with the closest settable path when one is near (never the input).
pub fn unknown_parameter(path: &str) -> String {
    let hint = suggest(path)
        .filter(|p| p != path)
        .map(|p| format!(" (did you mean `{p}`?)"))
        .unwrap_or_default();
    format!("unknown parameter `{path}`{hint}")
}

/// Levenshtein distance over bytes.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.bytes().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// A violated constraint: the dotted path and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub path: String,
    pub message: String,
}

/// Checks every range and the cross-field rules; returns all violations.
pub fn validate(s: &Scenario) -> Vec<Violation> {
    let mut out = Vec::new();
    let value = match toml::Value::try_from(s) {
        Ok(v) => v,
        Err(e) => {
            out.push(Violation {
                path: String::new(),
                message: e.to_string(),
            });
            return out;
        }
    };
    check_ranges(&value, "", &mut out);
    check_roster(s, &mut out);
    super::ties::check(s, &mut out);
    super::timeline::validate(s, &mut out);
    out
}

fn check_ranges(v: &toml::Value, prefix: &str, out: &mut Vec<Violation>) {
    match v {
        toml::Value::Table(t) => {
            for (k, child) in t {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                check_ranges(child, &path, out);
            }
        }
        toml::Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                match child {
                    toml::Value::Table(_) => check_ranges(child, &format!("{prefix}.{i}"), out),
                    _ => check_leaf(child, prefix, &format!("{prefix}[{i}]"), out),
                }
            }
        }
        leaf => check_leaf(leaf, prefix, prefix, out),
    }
}

fn check_leaf(v: &toml::Value, spec_path: &str, shown: &str, out: &mut Vec<Violation>) {
    let Some(x) = super::load::number(v) else { return };
    let Some(spec) = find(spec_path) else { return };
    if !x.is_finite() {
        out.push(Violation {
            path: shown.into(),
            message: format!("must be a finite number, got {x}"),
        });
    } else if x < spec.min || x > spec.max {
        out.push(Violation {
            path: shown.into(),
            message: format!(
                "{x} is out of range {} ..= {} ({})",
                fmt_bound(spec.min),
                fmt_bound(spec.max),
                spec.unit
            ),
        });
    }
}

fn fmt_bound(x: f64) -> String {
    if x.is_infinite() { "inf".into() } else { format!("{x}") }
}

fn check_roster(s: &Scenario, out: &mut Vec<Violation>) {
    use super::Role;
    let count = |r: Role| s.companies.iter().filter(|c| c.role == r).count();
    for (role, label) in [(Role::Lab, "lab"), (Role::Investor, "investor")] {
        if count(role) != 1 {
            out.push(Violation {
                path: "companies".into(),
                message: format!(
                    "needs exactly one company with role = \"{label}\", found {}",
                    count(role)
                ),
            });
        }
    }
    if s.companies.len() > 32 {
        out.push(Violation {
            path: "companies".into(),
            message: "at most 32 companies".into(),
        });
    }
    let total: f64 = s.companies.iter().map(|c| c.talent_share).sum();
    if total > 1.0 + 1e-9 {
        out.push(Violation {
            path: "companies".into(),
            message: format!("talent_share values sum to {total:.3}, more than 1"),
        });
    }
    check_initial_shares(s, out);
    for (i, c) in s.companies.iter().enumerate() {
        // Not digits alone: `companies.2.pay` means the roster's third entry.
        let ok = !c.name.is_empty()
            && c.name
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
            && c.name.parse::<usize>().is_err();
        if !ok {
            out.push(Violation {
                path: format!("companies.{i}.name"),
                message: format!(
                    "{:?} must be non-empty letters, digits, '_' or '-', and not digits alone",
                    c.name
                ),
            });
        }
        if s.companies[..i].iter().any(|o| o.name == c.name) {
            out.push(Violation {
                path: format!("companies.{i}.name"),
                message: format!("duplicate name {:?}", c.name),
            });
        }
    }
    let clouds = s.companies.iter().filter(|c| c.cloud_capacity > 0.0).count();
    if let Some(inv) = s.companies.iter().find(|c| c.role == Role::Investor)
        && inv.cloud_capacity <= 0.0
    {
        out.push(Violation {
            path: "companies".into(),
            message: "the investor needs cloud_capacity > 0".into(),
        });
    }
    if let Some(i) = s.companies.iter().position(|c| c.name == "other") {
        out.push(Violation {
            path: format!("companies.{i}.name"),
            message: "\"other\" is reserved for the fringe of other clouds".into(),
        });
    }
    if s.cloud.price_floor > s.cloud.price_cap {
        out.push(Violation {
            path: "cloud.price_floor".into(),
            message: "must not exceed cloud.price_cap".into(),
        });
    }
    if clouds == 0 {
        out.push(Violation {
            path: "companies".into(),
            message: "at least one company needs cloud_capacity > 0".into(),
        });
    }
    // An independent lab rents its compute from the rival clouds (else the fringe of other
    // clouds): it has no cloud of its own, and someone must host it.
    for (i, c) in s.companies.iter().enumerate() {
        if c.role == Role::IndependentLab && c.cloud_capacity > 0.0 {
            out.push(Violation {
                path: format!("companies.{i}.cloud_capacity"),
                message: "an independent_lab rents its compute and has no cloud: must be 0".into(),
            });
        }
    }
    let rivals = s
        .companies
        .iter()
        .any(|c| c.role == Role::RivalCloud && c.cloud_capacity > 0.0);
    if count(Role::IndependentLab) > 0 && !rivals && s.cloud.other_capacity <= 0.0 {
        out.push(Violation {
            path: "cloud.other_capacity".into(),
            message: "an independent_lab needs a host: a rival_cloud with capacity or other_capacity > 0".into(),
        });
    }
}

/// Starting shares: four per company (or none), positive exactly where it sells, and room
/// left in every segment for the startup fringe when there are startups.
fn check_initial_shares(s: &Scenario, out: &mut Vec<Violation>) {
    use super::Segment;
    let fringe = s.startups.initial.min(s.startups.max_startups) > 0;
    for (i, c) in s.companies.iter().enumerate() {
        if c.initial_shares.is_empty() {
            continue;
        }
        if c.initial_shares.len() != 4 {
            out.push(Violation {
                path: format!("companies.{i}.initial_shares"),
                message: format!(
                    "needs 4 shares (consumer_assistant, productivity_copilot, developer_api, cloud_ai_services), got {}",
                    c.initial_shares.len()
                ),
            });
            continue;
        }
        for seg in Segment::ALL {
            let x = c.initial_shares[seg.index()];
            let sells = c.segments.contains(&seg);
            if sells && x <= 0.0 {
                out.push(Violation {
                    path: format!("companies.{i}.initial_shares"),
                    message: format!(
                        "{} sells in {} but its starting share there is {x}",
                        c.name,
                        seg.as_str()
                    ),
                });
            } else if !sells && x != 0.0 {
                out.push(Violation {
                    path: format!("companies.{i}.initial_shares"),
                    message: format!(
                        "{} does not sell in {} but its starting share there is {x}",
                        c.name,
                        seg.as_str()
                    ),
                });
            }
        }
    }
    for seg in Segment::ALL {
        let total: f64 = s
            .companies
            .iter()
            .filter(|c| c.initial_shares.len() == 4)
            .map(|c| c.initial_shares[seg.index()])
            .sum();
        if (fringe && total >= 1.0) || total > 1.0 + 1e-9 {
            out.push(Violation {
                path: "companies".into(),
                message: format!(
                    "initial_shares in {} sum to {total:.3}: must stay below 1 (the rest is the startup fringe)",
                    seg.as_str()
                ),
            });
        }
    }
}

/// The parameter table of `docs/MODEL.md` and `params`: settable path, value in `s`, unit,
/// range, meaning ("(start only)": a dated event cannot change it).
pub fn markdown_table(s: &Scenario) -> String {
    let mut out = String::from("| parameter | default | unit | range | meaning |\n|---|---|---|---|---|\n");
    for row in with_values(s) {
        let spec = row.spec;
        let range = if spec.min.is_nan() {
            "-".to_string()
        } else {
            format!("{} ..= {}", fmt_bound(spec.min), fmt_bound(spec.max))
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {}{} |\n",
            row.path,
            row.value,
            spec.unit,
            range,
            spec.doc.replace('|', "\\|"),
            if spec.initial { " (start only)" } else { "" }
        ));
    }
    out
}

/// One settable parameter of a scenario: its exact path, registry entry and value.
#[derive(Debug, Clone)]
pub struct ParamRow {
    /// What `--set`, events and sweeps take: roster fields once per company, by name
    /// (`companies.lab.pay`).
    pub path: String,
    pub spec: &'static ParamSpec,
    /// The value in the scenario, as the table shows it.
    pub value: String,
}

/// Every settable parameter of `s` with its value, in registry order; roster fields once
/// per company, in roster order.
pub fn with_values(s: &Scenario) -> Vec<ParamRow> {
    let root = toml::Value::try_from(s).ok();
    let mut out = Vec::with_capacity(PARAMS.len() + 16 * (s.companies.len() + s.partnerships.len()));
    for spec in PARAMS.iter() {
        match (&root, spec.path.split_once("[].")) {
            (Some(root), Some((roster, field))) => {
                for c in root.get(roster).and_then(|c| c.as_array()).into_iter().flatten() {
                    let name = c.get("name").and_then(|n| n.as_str()).unwrap_or_default();
                    out.push(ParamRow {
                        path: format!("{roster}.{name}.{field}"),
                        spec,
                        value: c.get(field).map(short).unwrap_or_default(),
                    });
                }
            }
            (root, _) => {
                let mut v = root.as_ref();
                for part in spec.path.split('.') {
                    v = v.and_then(|x| x.get(part));
                }
                out.push(ParamRow {
                    path: spec.path.clone(),
                    spec,
                    value: v.map(short).unwrap_or_default(),
                });
            }
        }
    }
    out
}

fn short(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Array(a) => format!("[{}]", a.iter().map(short).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An independent lab must rent (no cloud of its own) and must have a host.
    #[test]
    fn an_independent_lab_needs_a_host_and_no_cloud() {
        let mut s = Scenario::default();
        let i = s
            .companies
            .iter()
            .position(|c| c.role == super::super::Role::IndependentLab)
            .unwrap();
        s.companies[i].cloud_capacity = 10.0;
        let v = validate(&s);
        assert!(
            v.iter().any(|v| v.path == format!("companies.{i}.cloud_capacity")),
            "{v:?}"
        );
        let mut s = Scenario::default();
        for c in s.companies.iter_mut() {
            if c.role == super::super::Role::RivalCloud {
                c.role = super::super::Role::OpenWeight;
                c.cloud_capacity = 0.0;
            }
        }
        assert!(!validate(&s).iter().any(|v| v.path == "cloud.other_capacity"));
        s.cloud.other_capacity = 0.0;
        assert!(validate(&s).iter().any(|v| v.path == "cloud.other_capacity"));
    }

    /// A derived enum's words are what serde writes, variant by variant, and `as_str`
    /// gives them (for every derived enum: the scenario's here, the sweep's beside its spec).
    pub(crate) fn check<T: Variants + serde::Serialize + Copy>(as_str: fn(T) -> &'static str) {
        assert!(!T::ALL.is_empty());
        assert_eq!(T::ALL.len(), T::WORDS.len());
        for (v, word) in T::ALL.iter().zip(T::WORDS) {
            assert_eq!(serde_json::to_value(v).unwrap(), serde_json::json!(word));
            assert_eq!(as_str(*v), *word);
        }
    }

    /// A derived enum's words are what serde writes, variant by variant, and its `ALL` is
    /// every variant (a fieldless enum's discriminants are 0..n, which `as_str` relies on).
    #[test]
    fn variant_words_are_the_serde_words() {
        use super::super::{Exclusivity, Role, Segment, Stage};
        check::<Exclusivity>(Exclusivity::as_str);
        check::<Stage>(Stage::as_str);
        check::<Segment>(Segment::as_str);
        check::<Role>(|r| Role::WORDS[r as usize]);
        assert_eq!(
            Role::WORDS,
            ["lab", "investor", "rival_cloud", "open_weight", "independent_lab"]
        );
        assert_eq!(&Segment::ALL[..], <Segment as Variants>::ALL);
    }

    /// The registry is the structs' declarations: a nested table's knobs under its path,
    /// an authority's under its label, the roster's once under `companies[]`, an enum's
    /// words appended to its meaning.
    #[test]
    fn the_registry_comes_from_the_struct_declarations() {
        use super::super::Stage;
        let spec = |path: &str| {
            PARAMS
                .iter()
                .find(|p| p.path == path)
                .unwrap_or_else(|| panic!("{path}"))
        };
        let stake = spec("partnership.investor_stake");
        assert_eq!((stake.unit, stake.min, stake.max), ("share", 0.0, 1.0));
        assert_eq!(stake.doc, "investor's economic stake in the lab");
        assert!(spec("regulation.cma.phase1_days").doc.starts_with("UK CMA: "));
        assert!(spec("regulation.ftc.weight").doc.starts_with("US FTC: "));
        let stage = spec("regulation.eu.initial_stage");
        assert_eq!(stage.words, Stage::WORDS);
        assert!(
            stage.doc.ends_with(": monitoring | informal | phase1 | phase2 | court"),
            "{}",
            stage.doc
        );
        assert_eq!(spec("companies[].pay").unit, "x market");
        assert!(
            PARAMS
                .iter()
                .all(|p| !p.path.starts_with("companies.") && !p.doc.is_empty())
        );
        assert!(
            !PARAMS
                .iter()
                .any(|p| ["name", "description", "events", "companies[].name"].contains(&p.path.as_str()))
        );
        assert_eq!(PARAMS.first().map(|p| p.path.as_str()), Some("horizon_months"));
    }

    #[test]
    fn registry_paths_are_unique() {
        for (i, p) in PARAMS.iter().enumerate() {
            assert!(
                PARAMS[..i].iter().all(|q| q.path != p.path),
                "{} registered twice",
                p.path
            );
        }
    }

    /// Every leaf of the scenario has a registry entry, so nothing escapes validation or docs.
    #[test]
    fn every_parameter_is_registered() {
        fn walk(v: &toml::Value, prefix: &str, out: &mut Vec<String>) {
            match v {
                toml::Value::Table(t) => {
                    for (k, c) in t {
                        let p = if prefix.is_empty() {
                            k.clone()
                        } else {
                            format!("{prefix}.{k}")
                        };
                        walk(c, &p, out);
                    }
                }
                toml::Value::Array(a) if a.iter().all(|x| x.is_table()) && !a.is_empty() => {
                    for c in a {
                        walk(c, &format!("{prefix}[]"), out);
                    }
                }
                _ => out.push(prefix.to_string()),
            }
        }
        let mut leaves = Vec::new();
        walk(&toml::Value::try_from(Scenario::default()).unwrap(), "", &mut leaves);
        let skip = not_parameters();
        assert_eq!(
            skip,
            [
                "name",
                "description",
                "companies[].name",
                "companies[].role",
                "companies[].segments",
                "partnerships[].name",
                "partnerships[].investor",
                "partnerships[].lab",
                "events"
            ]
        );
        for leaf in leaves {
            if !skip.contains(&leaf) {
                assert!(PARAMS.iter().any(|p| p.path == leaf), "no registry entry for {leaf}");
            }
        }
    }
}
