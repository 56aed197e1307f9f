//! The JSON Schema of sweep files, for editors (`coopetition schema sweep`). Written out
//! by hand: a sweep's entries have no defaults to read a shape from.

use serde_json::{Value, json};

use super::spec::{Design, Seeds};
use crate::scenario::params::Variants;
use crate::scenario::schema::DRAFT;

/// The schema of a sweep file.
pub fn sweep_schema() -> Value {
    json!({
        "$schema": DRAFT,
        "title": "coopetition sweep",
        "type": "object",
        "additionalProperties": false,
        "required": ["sweep"],
        "properties": { "sweep": {
            "type": "object",
            "additionalProperties": false,
            "required": ["scenario"],
            "properties": {
                "scenario": { "type": "string", "description": "bundled scenario name or path (relative to the sweep file)" },
                "runs_per_point": {
                    "oneOf": [{ "type": "integer", "minimum": 1 }, { "const": "auto" }],
                    "default": 200,
                    "description": "runs per point, or \"auto\": blocks of runs until every outcome's 95% half-width is at most target_halfwidth"
                },
                "target_halfwidth": { "type": "number", "exclusiveMinimum": 0, "default": 0.01, "description": "auto: largest 95% half-width accepted" },
                "max_runs_per_point": { "type": "integer", "minimum": 1, "default": 10000, "description": "auto: most runs of one point" },
                "block_runs": { "type": "integer", "minimum": 1, "default": 100, "description": "auto: runs per block" },
                "seed": { "type": "integer", "minimum": 0, "default": 42, "description": "master seed" },
                "seeds": { "enum": Seeds::WORDS, "default": "independent", "description": "independent seeds per point, or common random numbers across points" },
                "design": { "enum": Design::WORDS, "default": "grid" },
                "samples": { "type": "integer", "minimum": 1, "description": "points (lhs, random, posterior) or base samples (sobol, morris)" },
                "levels": { "type": "integer", "minimum": 2, "description": "morris: grid levels (even)" },
                "set": { "type": "array", "items": { "type": "string" }, "description": "overrides (PATH=VALUE) applied to the scenario before varying" },
                "posterior": { "type": "string", "description": "posterior design: a calibration's posterior.csv (relative to the sweep file)" },
                "vary": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["param"],
                        "properties": {
                            "param": { "type": "string", "description": "a parameter path as `--set` takes it (`coopetition params`)" },
                            "values": { "type": "array", "description": "the values to take" },
                            "range": { "type": "array", "items": { "type": "number" }, "minItems": 2, "maxItems": 2, "description": "[low, high]" },
                            "steps": { "type": "integer", "minimum": 1, "description": "grid/ofat: levels over the range" }
                        }
                    }
                }
            }
        }}
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::schema::validator::{errors_in_dir, errors_of};

    /// Every bundled sweep passes the schema; a wrong value fails.
    #[test]
    fn bundled_sweeps_pass_the_schema_and_mistakes_do_not() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sweeps");
        let sweep = sweep_schema();
        let (checked, errors) = errors_in_dir(&dir, &sweep);
        assert!(errors.is_empty(), "{errors:?}");
        assert!(checked >= 2, "only {checked} files");
        let errors = errors_of("[sweep]\nscenario = \"baseline\"\nruns_per_point = \"many\"\n", &sweep);
        assert!(errors.iter().any(|e| e.contains("oneOf")), "{errors:?}");
    }

    /// The sweep enums' words (as the schema offers them) are their serde words.
    #[test]
    fn design_and_seed_words_are_the_serde_words() {
        use crate::scenario::params::tests::check;
        check::<Design>(Design::as_str);
        check::<Seeds>(Seeds::as_str);
    }
}
