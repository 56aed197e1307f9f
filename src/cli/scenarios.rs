//! `scenarios`, `show` and `validate`.

use std::path::PathBuf;
use std::process::ExitCode;

use super::bad_input;
use crate::scenario::{self, Scenario, load};

/// Resolves a scenario argument and applies `--set` overrides in order.
pub fn resolve_with_overrides(arg: &str, sets: &[String]) -> anyhow::Result<Scenario> {
    let mut s = load::resolve(arg).map_err(bad_input)?;
    for set in sets {
        s = scenario::apply_override(&s, set).map_err(bad_input)?;
    }
    Ok(s)
}

pub fn list() -> anyhow::Result<ExitCode> {
    for (name, about) in bundled_list()? {
        println!("{name:<20} {about}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The bundled scenarios: name and the first line of the description.
pub fn bundled_list() -> anyhow::Result<Vec<(&'static str, String)>> {
    let mut out = Vec::new();
    for name in load::bundled_names() {
        let s = load::resolve(name).map_err(bad_input)?;
        out.push((name, s.description.lines().next().unwrap_or("").to_string()));
    }
    Ok(out)
}

pub fn show(arg: &str, sets: &[String]) -> anyhow::Result<ExitCode> {
    let s = resolve_with_overrides(arg, sets)?;
    print!("{}", to_toml(&s)?);
    Ok(ExitCode::SUCCESS)
}

/// The scenario as TOML that `validate` accepts and that reproduces it exactly.
pub fn to_toml(s: &Scenario) -> anyhow::Result<String> {
    Ok(toml::to_string(s)?)
}

pub fn params(arg: &str) -> anyhow::Result<ExitCode> {
    let s = resolve_with_overrides(arg, &[])?;
    print!("{}", scenario::params::markdown_table(&s));
    Ok(ExitCode::SUCCESS)
}

pub fn validate(files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let mut failed = 0;
    for f in files {
        match check_file(f) {
            Ok(kind) => println!("{}: ok ({kind})", f.display()),
            Err(e) => {
                eprintln!("{e}");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        Err(bad_input(format!("{failed} of {} files invalid", files.len())))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

/// Validates one file as a sweep (if it has a `[sweep]` table) or a scenario.
fn check_file(path: &std::path::Path) -> Result<&'static str, String> {
    let is_sweep = std::fs::read_to_string(path).is_ok_and(|src| crate::sweep::spec::is_sweep_source(&src));
    if is_sweep {
        crate::sweep::load_sweep_file(path)
            .map(|_| "sweep")
            .map_err(|e| e.to_string())
    } else {
        load::load_scenario_file(path)
            .map(|_| "scenario")
            .map_err(|e| e.to_string())
    }
}
