//! Reading scenarios: TOML files, bundled names and `--set` overrides, with errors that
//! name the file, line, column and field.

use std::path::{Path, PathBuf};

use super::Scenario;
use super::params::{self, Violation};

/// Bundled scenarios, embedded in the binary (name, TOML source).
const BUNDLED: &[(&str, &str)] = &[
    ("baseline", include_str!("../../scenarios/baseline.toml")),
    (
        "strict-regulators",
        include_str!("../../scenarios/strict-regulators.toml"),
    ),
    (
        "open-source-surge",
        include_str!("../../scenarios/open-source-surge.toml"),
    ),
    ("cheap-migration", include_str!("../../scenarios/cheap-migration.toml")),
    ("talent-war", include_str!("../../scenarios/talent-war.toml")),
    (
        "copilot-collision",
        include_str!("../../scenarios/copilot-collision.toml"),
    ),
    ("no-exclusivity", include_str!("../../scenarios/no-exclusivity.toml")),
    ("scale-1m", include_str!("../../scenarios/scale-1m.toml")),
    ("timeline-2024", include_str!("../../scenarios/timeline-2024.toml")),
];

/// Names of the bundled scenarios, in listing order.
pub fn bundled_names() -> Vec<&'static str> {
    BUNDLED.iter().map(|(n, _)| *n).collect()
}

/// The TOML source of a bundled scenario.
pub fn bundled(name: &str) -> Option<&'static str> {
    BUNDLED.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

/// Bad scenario input. Every variant is a user error (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("{path}: cannot read: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{origin}:{line}:{column}: {message}")]
    Parse {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}", format_invalid(origin, problems))]
    Invalid { origin: String, problems: Vec<Problem> },
    #[error("unknown scenario {name:?}: not a file and not a bundled scenario (bundled: {})", bundled_names().join(", "))]
    Unknown { name: String },
    #[error("--set {arg}: {message}")]
    Override { arg: String, message: String },
}

/// One located validation problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub field: String,
    pub message: String,
}

fn format_invalid(origin: &str, problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| match (p.line, p.column) {
            (Some(l), Some(c)) => format!("{origin}:{l}:{c}: field `{}`: {}", p.field, p.message),
            _ => format!("{origin}: field `{}`: {}", p.field, p.message),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Resolves a scenario argument: a bundled name or a path to a TOML file.
pub fn resolve(arg: &str) -> Result<Scenario, ScenarioError> {
    let path = Path::new(arg);
    if path.exists() || arg.ends_with(".toml") || arg.contains('/') {
        return load_scenario_file(path);
    }
    match bundled(arg) {
        Some(src) => parse_scenario(src, &format!("<bundled {arg}>")),
        None => Err(ScenarioError::Unknown { name: arg.into() }),
    }
}

/// Reads a TOML input file (scenario or sweep), refusing directories with a clear message.
pub fn read_input_file(path: &Path) -> Result<String, ScenarioError> {
    if path.is_dir() {
        return Err(ScenarioError::Read {
            path: path.into(),
            source: std::io::Error::other("is a directory, expected a TOML file"),
        });
    }
    std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
        path: path.into(),
        source,
    })
}

/// Reads and validates a scenario file.
pub fn load_scenario_file(path: &Path) -> Result<Scenario, ScenarioError> {
    let src = read_input_file(path)?;
    parse_scenario(&src, &path.display().to_string())
}

/// Parses and validates scenario TOML; `origin` names the source in errors.
pub fn parse_scenario(src: &str, origin: &str) -> Result<Scenario, ScenarioError> {
    if src.trim().is_empty() {
        return Err(ScenarioError::Parse {
            origin: origin.into(),
            line: 1,
            column: 1,
            message: "empty file: a scenario needs at least `name = \"...\"`".into(),
        });
    }
    let scenario: Scenario = toml::from_str(src).map_err(|e| parse_error(src, origin, &e))?;
    // A file must at least name itself: a file of comments alone is almost surely a mistake.
    if toml::from_str::<toml::Table>(src).is_ok_and(|t| !t.contains_key("name")) {
        return Err(ScenarioError::Parse {
            origin: origin.into(),
            line: 1,
            column: 1,
            message: "missing `name`: a scenario file must name itself, e.g. name = \"my-study\"".into(),
        });
    }
    check(scenario, src, origin)
}

/// Validates a parsed scenario, locating problems in `src` when possible.
fn check(s: Scenario, src: &str, origin: &str) -> Result<Scenario, ScenarioError> {
    let violations = params::validate(&s);
    if violations.is_empty() {
        return Ok(super::timeline::ties_from_events(s));
    }
    let problems = violations.into_iter().map(|v| locate_violation(src, v)).collect();
    Err(ScenarioError::Invalid {
        origin: origin.into(),
        problems,
    })
}

fn locate_violation(src: &str, v: Violation) -> Problem {
    let (line, column) = match locate(src, &v.path).or_else(|| locate_entry(src, &v.path)) {
        Some((l, c)) => (Some(l), Some(c)),
        None => (None, None),
    };
    Problem {
        line,
        column,
        field: v.path,
        message: v.message,
    }
}

fn parse_error(src: &str, origin: &str, e: &toml::de::Error) -> ScenarioError {
    located_parse_error(src, origin, e)
}

/// A TOML/serde error with its line, column and, where the span falls on a `key = value`
/// line, the field's dotted path (`cloud.migration_cost`), plus a "did you mean" hint.
pub(crate) fn located_parse_error(src: &str, origin: &str, e: &toml::de::Error) -> ScenarioError {
    let (line, column) = e.span().map(|s| line_col(src, s.start)).unwrap_or((1, 1));
    let mut message = e.message().trim().to_string();
    if let Some(hint) = unknown_field_hint(&message) {
        message.push_str(&format!(" (did you mean `{hint}`?)"));
    }
    if let Some(field) = e.span().and_then(|s| field_at(src, s.start)) {
        message = format!("field `{field}`: {message}");
    }
    ScenarioError::Parse {
        origin: origin.into(),
        line,
        column,
        message,
    }
}

/// From serde's "unknown field `x`, expected one of `a`, `b`" picks the closest expected name.
fn unknown_field_hint(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, rest) = rest.split_once('`')?;
    rest.split('`')
        .skip(1)
        .step_by(2)
        .map(|cand| (params::edit_distance(field, cand), cand))
        .filter(|(d, cand)| *d <= cand.len().max(3) / 2)
        .min()
        .map(|(_, c)| c.to_string())
}

/// The dotted path of the key set on the line holding `offset`, if that line is `key = ...`.
fn field_at(src: &str, offset: usize) -> Option<String> {
    let start = src[..offset.min(src.len())].rfind('\n').map_or(0, |i| i + 1);
    let line = src[start..].lines().next()?;
    let (lhs, _) = line.split_once('=')?;
    let key = lhs.trim();
    if key.is_empty() || key.starts_with('[') || key.starts_with('#') {
        return None;
    }
    // The enclosing table header, with the index of an array-of-tables entry.
    let mut table: Option<String> = None;
    let mut counts: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for l in src[..start].lines() {
        let l = l.trim();
        if let Some(h) = l.strip_prefix("[[").and_then(|x| x.split("]]").next()) {
            let h = h.trim().to_string();
            let n = counts.entry(h.clone()).or_insert(0);
            table = Some(format!("{h}.{n}"));
            *n += 1;
        } else if let Some(h) = l.strip_prefix('[').and_then(|x| x.split(']').next()) {
            table = Some(h.trim().to_string());
        }
    }
    Some(match table {
        Some(t) => format!("{t}.{key}"),
        None => key.to_string(),
    })
}

/// 1-based line and column of a byte offset.
pub(crate) fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let before = &src[..offset.min(src.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

/// For a field missing from the N-th `[[table]]` entry (`events.2.buyer`): the line of
/// that entry's header.
fn locate_entry(src: &str, path: &str) -> Option<(usize, usize)> {
    let mut parts: Vec<&str> = path.split('.').collect();
    parts.pop()?;
    let n: usize = parts.pop()?.parse().ok()?;
    let table = parts.join(".");
    let mut seen = 0;
    for (i, raw) in src.lines().enumerate() {
        if let Some(h) = raw.trim().strip_prefix("[[").and_then(|l| l.split("]]").next())
            && h.trim() == table
        {
            if seen == n {
                return Some((i + 1, raw.find('[').unwrap_or(0) + 1));
            }
            seen += 1;
        }
    }
    None
}

/// Finds the line that sets a dotted path: the key inside its `[table]` (or
/// `[[companies]]` entry), or a dotted key at top level.
pub(crate) fn locate(src: &str, path: &str) -> Option<(usize, usize)> {
    let parts: Vec<&str> = path.split('.').collect();
    let (key, table) = parts.split_last()?;
    // `a.b.N.key`: the key of the N-th `[[a.b]]` entry.
    let (table_name, array_index) = match table.split_last() {
        Some((idx, head)) if idx.parse::<usize>().is_ok() => (head.join("."), idx.parse::<usize>().ok()),
        _ => (table.join("."), None),
    };
    let mut current = String::new();
    let mut array_seen: Option<usize> = None;
    for (i, raw) in src.lines().enumerate() {
        let line = raw.trim();
        if let Some(h) = line.strip_prefix("[[").and_then(|l| l.split("]]").next()) {
            current = h.trim().to_string();
            if current == table_name {
                array_seen = Some(array_seen.map_or(0, |n| n + 1));
            }
            continue;
        }
        if let Some(h) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
            current = h.trim().to_string();
            continue;
        }
        let Some((lhs, _)) = line.split_once('=') else { continue };
        let lhs = lhs.trim();
        let in_table = current == table_name && (array_index.is_none() || array_index == array_seen);
        let full = if current.is_empty() {
            lhs.to_string()
        } else {
            format!("{current}.{lhs}")
        };
        if (in_table && lhs == *key) || (array_index.is_none() && full == path) {
            let col = raw.find(lhs).unwrap_or(0) + 1;
            return Some((i + 1, col));
        }
    }
    None
}

/// Applies one `PATH=VALUE` override with the same validation as a file.
pub fn apply_override(s: &Scenario, arg: &str) -> Result<Scenario, ScenarioError> {
    let fail = |message: String| ScenarioError::Override {
        arg: arg.into(),
        message,
    };
    let (path, raw) = arg.split_once('=').ok_or_else(|| fail("expected PATH=VALUE".into()))?;
    let path = path.trim();
    current_value(s, path).map_err(&fail)?;
    let raw = raw.trim();
    if raw.parse::<f64>().is_ok_and(|x| !x.is_finite()) {
        return Err(fail(format!("`{path}`: {raw} is not a finite number")));
    }
    set_value(s, path, parse_value(raw)).map_err(fail)
}

/// What a scenario with overrides is called in reports and the web page: its name, then
/// each `PATH=VALUE` as given, e.g. `baseline + regulation.stringency=2` (the name alone
/// without overrides).
pub fn label(name: &str, sets: &[String]) -> String {
    let mut out = name.to_string();
    for set in sets {
        out.push_str(" + ");
        match set.split_once('=') {
            Some((path, value)) => {
                out.push_str(path.trim());
                out.push('=');
                out.push_str(value.trim());
            }
            None => out.push_str(set.trim()),
        }
    }
    out
}

/// A TOML number (integer or float) as `f64`; `None` for anything else.
pub fn number(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(x) => Some(*x),
        _ => None,
    }
}

/// The current value at a parameter path, or a message saying what the path misses.
pub fn current_value(s: &Scenario, path: &str) -> Result<toml::Value, String> {
    let mut root = toml::Value::try_from(s).map_err(|e| e.to_string())?;
    let slot = lookup_mut(&mut root, path)?;
    if slot.is_table()
        || slot
            .as_array()
            .is_some_and(|a| a.first().is_some_and(toml::Value::is_table))
    {
        return Err(format!("`{path}` is a table; set one of its fields"));
    }
    Ok(slot.clone())
}

/// Sets a parameter path to `value` and validates the result; errors are plain messages.
pub fn set_value(s: &Scenario, path: &str, value: toml::Value) -> Result<Scenario, String> {
    let old = current_value(s, path)?;
    let value = match (&value, &old) {
        // An integer where a float is expected is fine (`--set x=2`).
        (toml::Value::Integer(i), toml::Value::Float(_)) => toml::Value::Float(*i as f64),
        _ => value,
    };
    let mut root = toml::Value::try_from(s).map_err(|e| e.to_string())?;
    *lookup_mut(&mut root, path)? = value;
    let updated: Scenario = root
        .try_into()
        .map_err(|e: toml::de::Error| format!("`{path}`: {}", e.message().trim()))?;
    let problems = params::validate(&updated);
    if problems.is_empty() {
        Ok(updated)
    } else {
        Err(problems
            .iter()
            .map(|v| format!("field `{}`: {}", v.path, v.message))
            .collect::<Vec<_>>()
            .join("; "))
    }
}

/// One spelling per parameter, for duplicate checks: roster entries by index, list elements
/// as a step (`companies.lab.initial_shares[1]` → `companies.0.initial_shares.1`). A path
/// that names nothing is returned as given.
pub fn canonical_path(s: &Scenario, path: &str) -> String {
    let Some(mut steps) = params::path_steps(path) else {
        return path.to_string();
    };
    let index;
    let position = |roster: &str, name: &str| match roster {
        "companies" => s.companies.iter().position(|c| c.name == name),
        "partnerships" => s.partnerships.iter().position(|t| t.name == name),
        _ => None,
    };
    if steps.len() > 1
        && steps[1].parse::<usize>().is_err()
        && let Some(i) = position(steps[0], steps[1])
    {
        index = i.to_string();
        steps[1] = &index;
    }
    steps.join(".")
}

/// The slot a parameter path names (see [`params::path_steps`]): table keys, list elements
/// by index, roster entries by index or by `name`. The error says which step misses.
fn lookup_mut<'a>(root: &'a mut toml::Value, path: &str) -> Result<&'a mut toml::Value, String> {
    if params::ROSTERS.iter().any(|r| path.starts_with(&format!("{r}[]"))) {
        return Err(roster_form(path, root));
    }
    let steps = params::path_steps(path).ok_or_else(|| {
        format!("`{path}` is not a parameter path (e.g. `regulation.stringency`, `companies.lab.pay`, `products.market_size[2]`)")
    })?;
    let mut cur = root;
    for (k, step) in steps.iter().enumerate() {
        let roster = cur
            .as_array()
            .is_some_and(|a| a.first().is_some_and(toml::Value::is_table));
        cur = match cur {
            toml::Value::Table(t) => match t.get_mut(*step) {
                Some(v) => v,
                None => return Err(params::unknown_parameter(path)),
            },
            toml::Value::Array(a) => {
                let index = step.parse::<usize>().ok().filter(|&i| i < a.len());
                let i = match (index, roster) {
                    (Some(i), _) => i,
                    (None, true) => {
                        let names: Vec<&str> = a.iter().filter_map(|e| e.get("name")?.as_str()).collect();
                        match names.iter().position(|n| n == step) {
                            Some(i) => i,
                            None => {
                                return Err(format!(
                                    "no entry `{step}` in `{}`: give a name ({}) or an index below {}",
                                    steps[..k].join("."),
                                    names.join(", "),
                                    a.len()
                                ));
                            }
                        }
                    }
                    (None, false) if a.is_empty() => {
                        return Err(format!("`{}` is an empty list: set it whole", steps[..k].join(".")));
                    }
                    (None, false) => {
                        let (list, n) = (steps[..k].join("."), a.len());
                        return Err(format!(
                            "`{list}` is a list of {n}: its elements are `{list}[0]` to `{list}[{}]`",
                            n.saturating_sub(1)
                        ));
                    }
                };
                &mut a[i]
            }
            _ => return Err(params::unknown_parameter(path)),
        };
    }
    Ok(cur)
}

/// The registry writes roster fields as `companies[].field` (`partnerships[].field`): say
/// how to set one entry's.
fn roster_form(path: &str, root: &toml::Value) -> String {
    let (roster, field) = path.split_once("[].").unwrap_or(("companies", "pay"));
    let names: Vec<&str> = root
        .get(roster)
        .and_then(toml::Value::as_array)
        .map(|cs| cs.iter().filter_map(|c| c.get("name")?.as_str()).collect())
        .unwrap_or_default();
    let what = if roster == "companies" {
        "company"
    } else {
        "partnership"
    };
    format!(
        "`{path}` stands for a field of every {what}: set one {what}'s, by name or index, e.g. `{roster}.{}.{field}` ({roster}: {})",
        names.first().unwrap_or(&"0"),
        names.join(", ")
    )
}

/// Parses VALUE as a TOML literal; anything else is taken as a string.
fn parse_value(raw: &str) -> toml::Value {
    let doc = format!("v = {raw}");
    match toml::from_str::<toml::Table>(&doc) {
        Ok(mut t) => t.remove("v").unwrap_or(toml::Value::String(raw.into())),
        Err(_) => toml::Value::String(raw.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_scenario_is_named_by_its_changes() {
        assert_eq!(label("baseline", &[]), "baseline");
        let sets = [
            "regulation.stringency = 2".to_string(),
            "partnership.exclusivity=rofr".into(),
        ];
        assert_eq!(
            label("baseline", &sets),
            "baseline + regulation.stringency=2 + partnership.exclusivity=rofr"
        );
    }

    #[test]
    fn every_bundled_scenario_is_valid() {
        for name in bundled_names() {
            resolve(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn unknown_key_names_line_and_hint() {
        let err = parse_scenario("name = \"x\"\n[cloud]\nmigration_cots = 2\n", "f.toml").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("f.toml:3:"), "{msg}");
        assert!(msg.contains("migration_cost"), "{msg}");
    }

    #[test]
    fn out_of_range_names_line_and_field() {
        let err = parse_scenario("name = \"x\"\n\n[partnership]\ninvestor_stake = 1.5\n", "f.toml").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("f.toml:4:1: field `partnership.investor_stake`"), "{msg}");
    }

    #[test]
    fn override_sets_and_validates() {
        let s = Scenario::default();
        let s2 = apply_override(&s, "regulation.stringency=2").unwrap();
        assert_eq!(s2.regulation.stringency, 2.0);
        let s3 = apply_override(&s, "partnership.exclusivity=rofr").unwrap();
        assert_eq!(s3.partnership.exclusivity, super::super::Exclusivity::Rofr);
        let s4 = apply_override(&s, "companies.1.pay=1.5").unwrap();
        assert_eq!(s4.companies[1].pay, 1.5);
        let e = apply_override(&s, "regulation.stringncy=2").unwrap_err().to_string();
        assert!(e.contains("did you mean `regulation.stringency`"), "{e}");
        assert!(apply_override(&s, "partnership.investor_stake=2").is_err());
        assert!(apply_override(&s, "partnership.exclusivity=maybe").is_err());
        assert!(apply_override(&s, "cloud.migration_cost=nan").is_err());
    }

    /// Roster fields by company name, list elements by index in either spelling; errors
    /// that say which step misses, and a hint that is never the input.
    #[test]
    fn override_reaches_roster_fields_by_name_and_list_elements() {
        let s = Scenario::default();
        let lab = s.companies.iter().position(|c| c.name == "lab").unwrap();
        let google = s.companies.iter().position(|c| c.name == "google").unwrap();
        assert_eq!(
            apply_override(&s, "companies.lab.price=2").unwrap().companies[lab].price,
            2.0
        );
        let g = apply_override(&s, "companies.google.cloud_capacity=400").unwrap();
        assert_eq!(g.companies[google].cloud_capacity, 400.0);
        let m = apply_override(&s, "products.market_size[2]=0.9").unwrap();
        assert_eq!(m.products.market_size[2], 0.9);
        assert_eq!(m.products.market_size[0], s.products.market_size[0]);
        assert_eq!(apply_override(&s, "products.market_size.2=0.9").unwrap(), m);
        let sh = apply_override(&s, "companies.lab.initial_shares[1]=0.2").unwrap();
        assert_eq!(sh.companies[lab].initial_shares[1], 0.2);

        let e = apply_override(&s, "companies[].price=2").unwrap_err().to_string();
        assert!(
            e.contains("`companies.lab.price`") && !e.contains("did you mean `companies[].price`"),
            "{e}"
        );
        let e = apply_override(&s, "companies.labb.price=2").unwrap_err().to_string();
        assert!(
            e.contains("no entry `labb` in `companies`") && e.contains("lab, investor"),
            "{e}"
        );
        let e = apply_override(&s, "products.market_size[9]=1").unwrap_err().to_string();
        assert!(e.contains("`products.market_size[3]`"), "{e}");
        let e = apply_override(&s, "companies.lab.prise=2").unwrap_err().to_string();
        assert!(e.contains("did you mean `companies.lab.price`"), "{e}");
        assert_eq!(
            canonical_path(&s, "companies.lab.initial_shares[1]"),
            format!("companies.{lab}.initial_shares.1")
        );
        assert_eq!(
            canonical_path(&s, "products.market_size.2"),
            canonical_path(&s, "products.market_size[2]")
        );
        let e = apply_override(&s, "products.market_size[x=1").unwrap_err().to_string();
        assert!(e.contains("not a parameter path"), "{e}");
        // Every path `params` prints is settable to its own value.
        for row in params::with_values(&s) {
            if row.spec.min.is_nan() {
                continue;
            }
            let v = current_value(&s, &row.path).unwrap_or_else(|e| panic!("{}: {e}", row.path));
            assert_eq!(set_value(&s, &row.path, v).unwrap(), s, "{}", row.path);
        }
    }
}
