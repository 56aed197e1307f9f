//! Property tests: random valid parameter sets never panic and keep the model's invariants,
//! and a reused engine gives exactly what a fresh one gives.
//!
//! Two generators: eleven hand-picked knobs over their whole ranges, and (issue 18) twelve
//! parameters drawn from the whole registry, each at a range end or inside it.

use coopetition::scenario::load::{current_value, set_value};
use coopetition::scenario::params::{PARAMS, ParamSpec};
use coopetition::scenario::{Scenario, apply_override};
use coopetition::sim::{RunResult, Simulator, simulate};
use proptest::prelude::*;

/// A random valid parameter set, as `--set`-style overrides.
#[derive(Debug, Clone)]
struct Params {
    stringency: f64,
    migration_cost: f64,
    overlap: f64,
    open_source: f64,
    crisis_rate: f64,
    stake: f64,
    exclusivity: &'static str,
    researchers: u32,
    startups: u32,
    horizon: u32,
    search_hazard: f64,
}

impl Params {
    fn overrides(&self) -> Vec<String> {
        vec![
            format!("regulation.stringency={:?}", self.stringency),
            format!("cloud.migration_cost={:?}", self.migration_cost),
            format!("products.overlap={:?}", self.overlap),
            format!("open_source.strength={:?}", self.open_source),
            format!("governance.crisis_rate={:?}", self.crisis_rate),
            format!("partnership.investor_stake={:?}", self.stake),
            format!("partnership.exclusivity={}", self.exclusivity),
            format!("talent.researchers={}", self.researchers),
            format!("startups.initial={}", self.startups),
            format!("horizon_months={}", self.horizon),
            format!("talent.search_hazard={:?}", self.search_hazard),
        ]
    }

    fn scenario(&self) -> Scenario {
        let mut s = Scenario::default();
        for set in self.overrides() {
            s = apply_override(&s, &set).unwrap_or_else(|e| panic!("valid override {set} rejected: {e}"));
        }
        s
    }
}

fn params() -> impl Strategy<Value = Params> {
    (
        (
            0.0..=5.0f64,
            0.0..=10.0f64,
            0.0..=1.0f64,
            0.0..=1.0f64,
            0.0..=1.0f64,
            0.0..=1.0f64,
        ),
        (
            prop::sample::select(vec!["exclusive", "rofr", "none"]),
            1u32..=3000,
            0u32..=200,
            1u32..=36,
            0.0..=1.0f64,
        ),
    )
        .prop_map(
            |(
                (stringency, migration_cost, overlap, open_source, crisis_rate, stake),
                (exclusivity, researchers, startups, horizon, search_hazard),
            )| Params {
                stringency,
                migration_cost,
                overlap,
                open_source,
                crisis_rate,
                stake,
                exclusivity,
                researchers,
                startups,
                horizon,
                search_hazard,
            },
        )
}

fn in_unit(x: f64) -> bool {
    (0.0..=1.0).contains(&x)
}

/// Checks every invariant of one run; returns a description of the first violation.
fn check_invariants(s: &Scenario, r: &RunResult) -> Result<(), String> {
    let horizon = s.horizon_months;
    if r.timeseries.len() != horizon as usize {
        return Err(format!("{} timeseries rows for horizon {horizon}", r.timeseries.len()));
    }
    for (i, m) in r.timeseries.iter().enumerate() {
        let at = format!("month {} (row {i})", m.tick);
        if m.researchers != s.talent.researchers {
            return Err(format!(
                "{at}: {} researchers, started with {}",
                m.researchers, s.talent.researchers
            ));
        }
        for (seg, shares) in m.shares.iter().enumerate() {
            let total: f64 = shares.iter().sum();
            if (total - 1.0).abs() > 1e-9 {
                return Err(format!("{at}: segment {seg} shares sum to {total}"));
            }
            if !shares.iter().all(|&x| in_unit(x)) {
                return Err(format!("{at}: segment {seg} share outside 0..=1: {shares:?}"));
            }
        }
        let values = coopetition::output::columns::metric_values(m);
        for (name, v) in coopetition::output::columns::METRICS.iter().zip(values) {
            if !v.is_finite() {
                return Err(format!("{at}: metric {name} = {v}"));
            }
        }
        for (name, v) in [
            ("tension", m.tension),
            ("investor_stake", m.investor_stake),
            ("lab_cloud_share_investor", m.lab_cloud_share_investor),
            ("talent_share_top2", m.talent_share_top2),
            ("talent_share_partners", m.talent_share_partners),
        ] {
            if !in_unit(v) {
                return Err(format!("{at}: {name} = {v} outside 0..=1"));
            }
        }
    }
    if !(1..=horizon).contains(&r.outcome_tick) {
        return Err(format!("outcome_tick {} outside 1..={horizon}", r.outcome_tick));
    }
    Ok(())
}

/// Parameters that set a run's size, drawn up to a cap: their full ranges are the memory
/// check's business (tests/suite/hardening.rs), not a property test's.
const SIZE_CAPS: &[(&str, f64)] = &[
    ("talent.researchers", 3000.0),
    ("startups.initial", 300.0),
    ("startups.max_startups", 3000.0),
    ("startups.entry_rate", 1000.0),
    ("horizon_months", 36.0),
];

/// One draw: a registry parameter, where in its range (0: the lower end, 1: the upper, else
/// inside at `u`), and which company and list element it falls on.
type Draw = (&'static ParamSpec, u8, f64, usize, usize);

/// Applies the draws that validation accepts (a draw a cross-field rule refuses is itself
/// a clear refusal, not a failure); returns the scenario and the `--set`s applied.
fn registry_scenario(draws: &[Draw]) -> (Scenario, Vec<String>) {
    let mut s = Scenario::default();
    let mut applied = Vec::new();
    for &(spec, end, u, company, element) in draws {
        let mut path = match spec.path.split_once("[].") {
            Some(("partnerships", _)) if s.partnerships.is_empty() => continue,
            Some(("partnerships", field)) => format!("partnerships.{}.{field}", company % s.partnerships.len()),
            Some((_, field)) => format!("companies.{}.{field}", company % s.companies.len()),
            None => spec.path.to_string(),
        };
        let mut current = current_value(&s, &path).unwrap_or_else(|e| panic!("{path}: {e}"));
        if let toml::Value::Array(items) = &current {
            if items.is_empty() {
                continue;
            }
            let j = element % items.len();
            path = format!("{path}[{j}]");
            current = items[j].clone();
        }
        let cap = SIZE_CAPS.iter().find(|(p, _)| *p == spec.path).map(|c| c.1);
        let now = current
            .as_float()
            .or(current.as_integer().map(|i| i as f64))
            .unwrap_or(0.0);
        let hi = match cap {
            Some(c) => c.min(spec.max),
            None if spec.max.is_finite() => spec.max,
            None => (10.0 * now.abs()).max(spec.min + 10.0),
        };
        let x = match end {
            0 => spec.min,
            1 => hi,
            _ => spec.min + u * (hi - spec.min),
        };
        let value = match current {
            toml::Value::Integer(_) => toml::Value::Integer(x.round() as i64),
            _ => toml::Value::Float(x),
        };
        match set_value(&s, &path, value.clone()) {
            Ok(next) => {
                s = next;
                applied.push(format!("{path}={value}"));
            }
            // A cross-field rule's refusal names the field; anything else is a path bug.
            Err(e) => assert!(e.starts_with("field `"), "{path}={value}: {e}"),
        }
    }
    (s, applied)
}

fn registry_draws() -> impl Strategy<Value = Vec<Draw>> {
    let numeric: Vec<&'static ParamSpec> = PARAMS
        .iter()
        .filter(|p| !p.min.is_nan() && p.path != "testing.fail_every")
        .collect();
    prop::collection::vec(
        (
            prop::sample::select(numeric),
            0u8..4,
            0.0..=1.0f64,
            0usize..64,
            0usize..64,
        ),
        12,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Issue 18: any twelve parameters of the registry, at their range ends or inside:
    /// five runs each, none panics or fails, every metric stays finite and every invariant
    /// holds.
    #[test]
    fn random_registry_scenarios_run_and_stay_finite(draws in registry_draws(), seed in any::<u64>()) {
        let (s, applied) = registry_scenario(&draws);
        let mut sim = Simulator::new();
        for k in 0..5u64 {
            let seed = seed.wrapping_add(k);
            let r = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sim.run(&s, seed))) {
                Ok(Ok(r)) => r,
                Ok(Err(e)) => return Err(TestCaseError::fail(format!("{applied:?}: run failed: {e}"))),
                Err(_) => return Err(TestCaseError::fail(format!("{applied:?}: run panicked"))),
            };
            if let Err(msg) = check_invariants(&s, &r) {
                return Err(TestCaseError::fail(format!("{applied:?}: {msg}")));
            }
        }
    }

    #[test]
    fn random_valid_parameters_never_panic_and_keep_invariants(p in params(), seed in any::<u64>()) {
        let s = p.scenario();
        let r = match std::panic::catch_unwind(|| simulate(&s, seed)) {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => return Err(TestCaseError::fail(format!("simulate failed: {e}"))),
            Err(_) => return Err(TestCaseError::fail("simulate panicked")),
        };
        prop_assert_eq!(r.seed, seed);
        if let Err(msg) = check_invariants(&s, &r) {
            return Err(TestCaseError::fail(msg));
        }
    }

    #[test]
    fn reused_engine_equals_fresh_simulation(
        first in params(),
        second in params(),
        seed_a in any::<u64>(),
        seed_b in any::<u64>(),
    ) {
        let (s1, s2) = (first.scenario(), second.scenario());
        let fresh = simulate(&s2, seed_b).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut engine = Simulator::new();
        engine.run(&s1, seed_a).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let reused = engine.run(&s2, seed_b).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(fresh == reused, "reused engine differs from a fresh one after running {:?}", first);
        // And running the same scenario again on the same engine changes nothing either.
        let again = engine.run(&s2, seed_b).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(fresh == again, "second run of the same (scenario, seed) on a reused engine differs");
        // Same pool size, other seed first: researchers are overwritten in place.
        let mut engine = Simulator::new();
        engine.run(&s2, seed_a).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let in_place = engine.run(&s2, seed_b).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(fresh == in_place, "reused engine differs after a run of the same scenario with another seed");
    }
}
