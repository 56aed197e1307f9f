//! Issue 34, pattern 4: no outcome rests on one dial. Moving any calibrated lever by ±10%
//! moves no outcome share by more than 8 pp (a cliff is the mark of one-dial design), and
//! each of decoupling, acquisition and divestiture responds to two parameters of
//! different mechanisms.
//!
//! Statistical design: 2,000 runs per arm on common seeds (seed 21). A share's paired
//! difference then has a standard error under 1 pp, so the 8 pp bound sits far from noise,
//! and the response tests ask for a paired z of at least 3.

use coopetition::outcome::Outcome;
use coopetition::scenario::Scenario;
use coopetition::scenario::params::find;
use coopetition::sim::RunResult;

use crate::support::*;

/// Two settings of one parameter (low, high) and the mechanism it belongs to.
type Contrast = (&'static str, &'static str, &'static str);

const SEED: u64 = 21;
const RUNS: u64 = 2_000;
const OUTCOMES: [Outcome; 4] = [
    Outcome::Symbiosis,
    Outcome::Decoupling,
    Outcome::Acquisition,
    Outcome::Divestiture,
];

fn indicator(rs: &[RunResult], o: Outcome) -> Vec<f64> {
    rs.iter().map(|r| f64::from(u8::from(r.outcome == o))).collect()
}

/// The `[[free]]` parameters of the bundled calibration's target file.
fn calibrated_levers() -> Vec<String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/targets/baseline.toml"))
        .expect("targets file");
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("param = \""))
        .map(|l| l.trim_end_matches('"').to_string())
        .collect()
}

/// A numeric parameter's value in `s` (any settable path, roster fields by name included).
fn value_of(s: &Scenario, path: &str) -> f64 {
    let v = coopetition::scenario::load::current_value(s, path).unwrap_or_else(|e| panic!("{path}: {e}"));
    coopetition::scenario::load::number(&v).unwrap_or_else(|| panic!("{path} is not numeric"))
}

#[test]
fn no_calibrated_lever_is_a_cliff() {
    let base = runs(&with(&[]), RUNS, SEED);
    let levers = calibrated_levers();
    assert!(levers.len() >= 4, "levers {levers:?}");
    let default = with(&[]);
    let mut largest = 0.0f64;
    for lever in &levers {
        assert!(find(lever).is_some(), "{lever} is not a parameter");
        let value = value_of(&default, lever);
        for factor in [0.9, 1.1] {
            let set = format!("{lever}={}", value * factor);
            let moved = runs(&with(&[&set]), RUNS, SEED);
            for o in OUTCOMES {
                let d = share(&moved, o) - share(&base, o);
                println!("FIGURE {lever} x{factor}: {} {:+.2} pp", o.as_str(), 100.0 * d);
                largest = largest.max(d.abs());
                assert!(d.abs() <= 0.08, "{set}: {} moves {:+.1} pp", o.as_str(), 100.0 * d);
            }
        }
    }
    // A lever that moves nothing at ±10% is dead, which calibration would not reveal.
    assert!(largest >= 0.005, "no lever moves any outcome: largest {largest:.4}");
}

#[test]
fn each_path_responds_to_two_mechanisms() {
    // (outcome, [(parameter low, parameter high, mechanism)]): each pair of settings on
    // common seeds, and the paired z of the outcome's indicator (high − low).
    let cases: [(Outcome, [Contrast; 2]); 3] = [
        (
            Outcome::Decoupling,
            [
                (
                    "cloud.migration_cost=0.5",
                    "cloud.migration_cost=2",
                    "cloud (migration)",
                ),
                ("products.overlap=0.2", "products.overlap=0.8", "products (clash)"),
            ],
        ),
        (
            Outcome::Acquisition,
            [
                (
                    "governance.crisis_rate=0.02",
                    "governance.crisis_rate=0.1",
                    "governance (crises)",
                ),
                (
                    "regulation.stringency=0.5",
                    "regulation.stringency=2",
                    "regulation (review)",
                ),
            ],
        ),
        (
            Outcome::Divestiture,
            [
                (
                    "regulation.stringency=0.5",
                    "regulation.stringency=2",
                    "regulation (review)",
                ),
                (
                    "partnership.exclusivity=none",
                    "partnership.exclusivity=exclusive",
                    "partnership (terms)",
                ),
            ],
        ),
    ];
    for (o, pairs) in cases {
        for (lo, hi, mechanism) in pairs {
            let (a, b) = (runs(&with(&[lo]), RUNS, SEED), runs(&with(&[hi]), RUNS, SEED));
            let z = paired_z(&indicator(&b, o), &indicator(&a, o));
            println!(
                "FIGURE {}: {lo} {:.3} -> {hi} {:.3} (paired z {z:+.1}; {mechanism})",
                o.as_str(),
                share(&a, o),
                share(&b, o)
            );
            assert!(z.abs() >= 3.0, "{}: {lo} -> {hi}: z {z:.2}", o.as_str());
        }
    }
}
