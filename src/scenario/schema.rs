//! The JSON Schema (draft 2020-12) of scenario files, for editors: a TOML language
//! server (Taplo, Even Better TOML) given the schema completes keys, shows each one's
//! meaning, unit and range, and flags unknown keys and out-of-range numbers as you type.
//!
//! The scenario schema is generated: its shape from the default scenario (every key it
//! serializes), its descriptions, ranges and enums from the parameter registry, so it
//! cannot drift from what `validate` accepts. The events table, whose entries have no
//! defaults to read a shape from, is written out here (the sweep file's schema is beside the
//! sweep spec, `crate::sweep::schema`).

use serde_json::{Map, Value, json};

use super::params::{self, ParamSpec, Variants};
use super::timeline::{AUTHORITIES, Action};
use super::{Role, Scenario, Segment};

/// The JSON Schema dialect of every schema here and of the sweep file's.
pub(crate) const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The schema of a scenario file.
pub fn scenario_schema() -> Value {
    let root = toml::Value::try_from(Scenario::default()).expect("the default scenario serializes");
    let mut schema = node(&root, "");
    let props = schema["properties"].as_object_mut().expect("a table");
    props.insert("events".into(), events_schema());
    schema["$schema"] = json!(DRAFT);
    schema["title"] = json!("coopetition scenario");
    schema["description"] = json!(
        "A coopetition scenario: every key is optional and defaults to the built-in baseline's value (`coopetition show baseline`). Units and ranges as in `coopetition params`."
    );
    schema["required"] = json!(["name"]);
    schema
}

/// The schema of one TOML value at registry path `path` (`companies[]` for roster fields).
fn node(v: &toml::Value, path: &str) -> Value {
    let spec = params::PARAMS.iter().find(|p| p.path == path);
    let mut out = match v {
        toml::Value::Table(t) => {
            let mut props = Map::new();
            for (k, child) in t {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                props.insert(k.clone(), node(child, &p));
            }
            json!({ "type": "object", "properties": props, "additionalProperties": false })
        }
        toml::Value::Array(items) if path == "companies" => {
            let mut company = node(&items[0], "companies[]");
            let props = company["properties"].as_object_mut().expect("a table");
            props.insert(
                "name".into(),
                json!({ "type": "string", "description": "the company's name: output columns and `--set companies.NAME.field` use it" }),
            );
            props.insert(
                "role".into(),
                json!({ "enum": Role::WORDS, "description": "its role in the story" }),
            );
            props.insert(
                "segments".into(),
                json!({ "type": "array", "items": { "enum": Segment::WORDS }, "description": "the segments it sells in" }),
            );
            company["required"] = json!(["name"]);
            json!({ "type": "array", "items": company, "description": "the roster, one table per company" })
        }
        toml::Value::Array(items) if path == "partnerships" && !items.is_empty() => {
            let mut tie = node(&items[0], "partnerships[]");
            let props = tie["properties"].as_object_mut().expect("a table");
            for (key, what) in [
                (
                    "name",
                    "the partnership's name: partnerships.csv and `--set partnerships.NAME.field` use it",
                ),
                ("investor", "the investing company (a name in `companies`)"),
                ("lab", "the frontier lab it invests in (a name in `companies`)"),
            ] {
                props.insert(key.into(), json!({ "type": "string", "description": what }));
            }
            tie["required"] = json!(["name", "investor", "lab"]);
            json!({ "type": "array", "items": tie, "description": "investor–lab ties besides `[partnership]`, one table per tie" })
        }
        toml::Value::Array(items) => {
            let item = match items.first() {
                Some(toml::Value::Integer(_)) => json!({ "type": "integer" }),
                Some(toml::Value::String(_)) => json!({ "type": "string" }),
                _ => json!({ "type": "number" }),
            };
            json!({ "type": "array", "items": item })
        }
        toml::Value::Integer(_) => json!({ "type": "integer" }),
        toml::Value::Float(_) => json!({ "type": "number" }),
        toml::Value::Boolean(_) => json!({ "type": "boolean" }),
        toml::Value::String(_) | toml::Value::Datetime(_) => json!({ "type": "string" }),
    };
    if let Some(spec) = spec {
        annotate(&mut out, spec, v);
    }
    out
}

/// Adds a registry entry's meaning, unit, range and default to a leaf's schema.
fn annotate(out: &mut Value, spec: &ParamSpec, v: &toml::Value) {
    out["description"] = json!(format!("{} [{}]", spec.doc, spec.unit));
    if !spec.words.is_empty() {
        out.as_object_mut().expect("an object").remove("type");
        out["enum"] = json!(spec.words);
    }
    let bounds = if out["type"] == "array" {
        &mut out["items"]
    } else {
        &mut *out
    };
    if spec.min.is_finite() {
        bounds["minimum"] = json!(spec.min);
    }
    if spec.max.is_finite() {
        bounds["maximum"] = json!(spec.max);
    }
    if !spec.path.contains("[].") {
        out["default"] = serde_json::to_value(v).unwrap_or(Value::Null);
    }
}

fn events_schema() -> Value {
    let actions: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
    json!({
        "type": "array",
        "description": "dated changes, each applied at the start of its month (docs/MODEL.md §7.0)",
        "items": {
            "type": "object",
            "additionalProperties": false,
            "required": ["month", "action"],
            "properties": {
                "month": { "type": "integer", "minimum": 1, "description": "month (1-based) at whose start the event applies" },
                "action": { "enum": actions },
                "param": { "type": "string", "description": "set: a parameter path as `--set` takes it (`coopetition params`)" },
                "value": { "description": "set: the new value" },
                "buyer": { "type": "string", "description": "acquihire: the company hiring the team" },
                "from": { "type": "string", "description": "acquihire: a company, or `startups` (the largest startup)" },
                "researchers": { "type": "integer", "minimum": 1, "description": "acquihire: how many researchers, most skilled first" },
                "payment": { "type": "number", "minimum": 0, "description": "acquihire: payment [$bn]" },
                "customer": { "type": "string", "description": "contract: the customer (the lab)" },
                "host": { "type": "string", "description": "contract: the host cloud" },
                "kgpu": { "type": "number", "minimum": 0, "description": "contract: capacity; tie: compute the investor's cloud commits [kGPU]" },
                "workload": { "enum": ["training", "inference"], "description": "contract: the workload" },
                "months": { "type": "integer", "minimum": 1, "description": "contract: duration [months]" },
                "company": { "type": "string", "description": "crisis: the company whose board is in crisis" },
                "authority": { "enum": AUTHORITIES, "description": "review: the authority that opens a review" },
                "name": { "type": "string", "description": "tie: the new tie's name (as `[[partnerships]]` names take)" },
                "investor": { "type": "string", "description": "tie: the investing company" },
                "lab": { "type": "string", "description": "tie: the frontier lab it invests in" },
                "amount": { "type": "number", "minimum": 0, "description": "tie: the tranche paid in the event's month [$bn]" }
            }
        }
    })
}

/// A validator of the part of JSON Schema these schemas use (for the schema tests here and
/// beside the sweep spec).
#[cfg(test)]
pub(crate) mod validator {
    use serde_json::{Value, json};

    /// The part of JSON Schema these schemas use: type, enum, const, oneOf, minimum,
    /// maximum, exclusiveMinimum, properties, additionalProperties, required, items.
    fn check(v: &Value, schema: &Value, at: &str, errors: &mut Vec<String>) {
        let mut fail = |m: String| errors.push(format!("{at}: {m}"));
        if let Some(options) = schema["oneOf"].as_array() {
            let passing = options
                .iter()
                .filter(|o| {
                    let mut e = Vec::new();
                    check(v, o, at, &mut e);
                    e.is_empty()
                })
                .count();
            if passing != 1 {
                fail(format!("{v} matches {passing} of oneOf"));
            }
            return;
        }
        if let Some(c) = schema.get("const").filter(|c| *c != v) {
            fail(format!("{v} is not {c}"));
        }
        if let Some(options) = schema["enum"].as_array().filter(|o| !o.contains(v)) {
            fail(format!("{v} not one of {options:?}"));
        }
        let ok = match schema["type"].as_str() {
            Some("object") => v.is_object(),
            Some("array") => v.is_array(),
            Some("integer") => v.is_i64() || v.is_u64(),
            Some("number") => v.is_number(),
            Some("boolean") => v.is_boolean(),
            Some("string") => v.is_string(),
            _ => true,
        };
        if !ok {
            fail(format!("{v} is not of type {}", schema["type"]));
            return;
        }
        if let (Some(x), Some(min)) = (v.as_f64(), schema["minimum"].as_f64())
            && x < min
        {
            fail(format!("{x} below {min}"));
        }
        if let (Some(x), Some(max)) = (v.as_f64(), schema["maximum"].as_f64())
            && x > max
        {
            fail(format!("{x} above {max}"));
        }
        if let (Some(x), Some(min)) = (v.as_f64(), schema["exclusiveMinimum"].as_f64())
            && x <= min
        {
            fail(format!("{x} not above {min}"));
        }
        if let Some(obj) = v.as_object() {
            for key in schema["required"].as_array().into_iter().flatten() {
                if !obj.contains_key(key.as_str().unwrap_or_default()) {
                    fail(format!("missing {key}"));
                }
            }
            for (k, child) in obj {
                match schema["properties"].get(k) {
                    Some(s) => check(child, s, &format!("{at}.{k}"), errors),
                    None if schema["additionalProperties"] == json!(false) => {
                        errors.push(format!("{at}: unknown key {k}"));
                    }
                    None => {}
                }
            }
        }
        if let (Some(items), Some(item_schema)) = (v.as_array(), schema.get("items")) {
            for (i, item) in items.iter().enumerate() {
                check(item, item_schema, &format!("{at}[{i}]"), errors);
            }
        }
    }

    /// The schema errors of every `.toml` file in `dir`, with the number of files read.
    pub(crate) fn errors_in_dir(dir: &std::path::Path, schema: &Value) -> (usize, Vec<String>) {
        let (mut checked, mut errors) = (0, Vec::new());
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|x| x == "toml") {
                let found = errors_of(&std::fs::read_to_string(&path).unwrap(), schema);
                errors.extend(found.into_iter().map(|e| format!("{}: {e}", path.display())));
                checked += 1;
            }
        }
        (checked, errors)
    }

    /// The schema errors of TOML text.
    pub(crate) fn errors_of(text: &str, schema: &Value) -> Vec<String> {
        let v: toml::Value = toml::from_str(text).expect("TOML");
        let mut errors = Vec::new();
        check(&serde_json::to_value(v).expect("JSON"), schema, "", &mut errors);
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::validator::{errors_in_dir, errors_of};
    use super::*;

    /// Every bundled scenario passes its schema; a wrong key, value or enum fails.
    #[test]
    fn bundled_files_pass_their_schema_and_mistakes_do_not() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let scenario = scenario_schema();
        let (checked, errors) = errors_in_dir(&root, &scenario);
        assert!(errors.is_empty(), "{errors:?}");
        assert!(checked >= 8, "only {checked} files");
        for (bad, why) in [
            ("name = \"x\"\n[cloud]\nmigration_cots = 2\n", "unknown key"),
            ("name = \"x\"\n[partnership]\ninvestor_stake = 1.5\n", "above 1"),
            ("name = \"x\"\n[partnership]\nexclusivity = \"maybe\"\n", "not one of"),
            (
                "name = \"x\"\n[[companies]]\nname = \"a\"\nrole = \"bank\"\n",
                "not one of",
            ),
        ] {
            let errors = errors_of(bad, &scenario);
            assert!(errors.iter().any(|e| e.contains(why)), "{bad}: {errors:?}");
        }
    }

    /// Every registry parameter outside the roster is in the schema with its range.
    #[test]
    fn the_scenario_schema_covers_the_registry() {
        let schema = scenario_schema();
        for spec in params::PARAMS.iter() {
            let mut node = &schema;
            let path = spec.path.replace("[].", ".[].");
            for step in path.split('.') {
                node = if step == "[]" {
                    &node["items"]
                } else {
                    &node["properties"][step]
                };
            }
            assert!(node.is_object(), "{} missing from the schema", spec.path);
            assert!(
                node["description"].as_str().is_some_and(|d| d.contains(spec.unit)),
                "{}",
                spec.path
            );
            if spec.max.is_finite() {
                let b = if node["type"] == "array" { &node["items"] } else { node };
                assert_eq!(b["maximum"].as_f64(), Some(spec.max), "{}", spec.path);
            }
        }
        assert_eq!(
            schema["properties"]["partnership"]["properties"]["exclusivity"]["enum"],
            json!(["exclusive", "rofr", "none"])
        );
    }
}
