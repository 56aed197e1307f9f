//! Issue 20: no dead parameters. Every numeric parameter of the registry is moved (×2, or
//! inside its range) and the outputs of a few hundred runs on the same seeds must change.
//! A parameter that acts only in another configuration is moved in that configuration; a
//! pure safety cap is exempt and says so in its registry entry.

use crate::support;

use coopetition::scenario::Scenario;
use coopetition::scenario::params::PARAMS;
use coopetition::sim::RunResult;
use support::{BREAK_UP, runs};

/// Caps and test hooks: they must not act in a normal run.
const EXEMPT: &[&str] = &[
    "startups.max_startups", // memory guard (registry: "cap")
    "testing.fail_every",    // fault injection for tests
];

/// Parameters that act only in another configuration: the `--set`s that switch it on, and
/// where the default move (×2) cannot cross the threshold it acts at, the value to move to.
/// Context entries that act in a few baseline runs in some calibrations and in none in
/// others (a price touching its cap, a clock or a cost deciding one case in 300 runs): they
/// keep their context whichever way the current calibration falls.
const MARGINAL: &[&str] = &[
    "cloud.price_cap",
    "regulation.undertaking_behavioural_cost",
    "regulation.cma.initial_months_in_stage",
    "regulation.eu.initial_months_in_stage",
];

const CONTEXT: &[(&str, &[&str], Option<f64>)] = &[
    // A break-up needs a negative joint surplus: years of cheap migration off a
    // non-exclusive investor while its overlapping products contest the lab's usage.
    ("partnership.dissolve_rate", BREAK_UP, Some(0.5)),
    // Prices reach their cap only when demand outruns every build programme (in some
    // calibrations a baseline run or two touches it, in others none).
    (
        "cloud.price_cap",
        &["products.market_growth=0.2", "cloud.training_growth=0.2"],
        None,
    ),
    // The structural presumption holds with a wide margin for the partners (consumer
    // assistants: ΔHHI ≈ 840, post HHI > 5,000, combined share 0.76): move past it.
    (
        "regulation.hhi_presumption",
        &[
            "partnership.bid_propensity=1",
            "governance.crisis_rate=0.2",
            "regulation.stringency=3",
            "regulation.share_presumption=1",
        ],
        Some(9000.0),
    ),
    ("regulation.delta_presumption", BIDS, Some(3000.0)),
    (
        "regulation.share_presumption",
        &[
            "partnership.bid_propensity=1",
            "governance.crisis_rate=0.2",
            "regulation.stringency=3",
            "regulation.hhi_presumption=10000",
        ],
        Some(0.95),
    ),
    // Rival clouds rarely have room at a fifth below the lab's contract prices in the
    // baseline; with a glut of rival capacity they have it at a tenth.
    (
        "partnership.renegotiate_price_gap",
        &["cloud.other_capacity=2000"],
        Some(0.1),
    ),
    // The EU's safe harbours: the partners sit far outside them (copilots: combined share
    // 0.70, post HHI above 5,000, ΔHHI ≈ 1,650), so move each bound past them.
    ("regulation.eu_share_safe", &[], Some(0.95)),
    ("regulation.eu_hhi_floor", &[], Some(9000.0)),
    ("regulation.eu_delta_concentrated", &[], Some(3000.0)),
    (
        "regulation.eu_hhi_concentrated",
        &["regulation.eu_delta_moderate=3000"],
        Some(9000.0),
    ),
    (
        "regulation.eu_delta_moderate",
        &["regulation.eu_hhi_concentrated=9000"],
        Some(3000.0),
    ),
    // The partnership as it stands is under review only in runs that draw the article's
    // reading of control (a minority of the baseline's): take it in every run.
    (
        "regulation.open_rate",
        &[
            "regulation.ties_control_prob=1",
            "regulation.eu.initial_stage=monitoring",
        ],
        None,
    ),
    // Its base (0.003) doubled moves a referral in a few runs of 300 at most: move it to 0.5.
    (
        "regulation.eu.refer_base",
        &["regulation.ties_control_prob=1"],
        Some(0.5),
    ),
    // Board seats gained in crises, often enough for the seat to be offered back, at a
    // cost that makes it dearer than phase 2.
    (
        "regulation.undertaking_board_cost",
        &["governance.crisis_rate=0.2", "governance.crisis_board_seat_prob=1"],
        Some(1.0),
    ),
    // The FTC opens a review of its own only on a level above the one it accepted with no
    // change to start a notified case: a seat held from the start.
    ("regulation.ftc.inquiry_months", &["partnership.board_seat=true"], None),
    (
        "regulation.ftc.time_limit_months",
        &["partnership.board_seat=true"],
        Some(4.0),
    ),
    // The independent lab's UK turnover stays far below £70 M in the baseline (the CMA's
    // finding in 2024): the threshold decides only once the lab earns enough in the UK.
    (
        "regulation.uk_turnover_threshold",
        &[
            "regulation.uk_revenue_share=0.2",
            "partnerships.amazon-anthropic.voting=true",
        ],
        Some(0.01),
    ),
    // The ties' stakes are non-voting in the baseline (the record): the voting-stake tests
    // of material influence decide only for a voting holding the CMA can reach.
    (
        "regulation.material_stake",
        &[
            "regulation.uk_revenue_share=1",
            "partnerships.amazon-anthropic.voting=true",
        ],
        Some(0.3),
    ),
    (
        "regulation.material_presumption",
        &[
            "regulation.uk_revenue_share=1",
            "partnerships.amazon-anthropic.voting=true",
            "partnerships.amazon-anthropic.consultation=false",
        ],
        Some(0.5),
    ),
    // Undertakings: strict authorities, and the stake cut made the cheapest package.
    ("regulation.undertaking_behavioural_cost", STRICT, None),
    ("regulation.undertaking_stake_cost", STRICT, Some(0.01)),
    (
        "regulation.undertaking_stake",
        &[
            "regulation.stringency=3",
            "governance.crisis_rate=0.2",
            "regulation.undertaking_stake_cost=0.01",
        ],
        None,
    ),
    // Time limits bar own-initiative reviews long after a change in influence: an authority
    // with no case open at the start and a high own-initiative rate.
    (
        "regulation.eu.time_limit_months",
        &[
            "regulation.eu.initial_stage=monitoring",
            "regulation.open_rate=0.5",
            "regulation.stringency=3",
        ],
        Some(1.0),
    ),
    (
        "regulation.cma.time_limit_months",
        &[
            "regulation.cma.initial_stage=monitoring",
            "regulation.open_rate=0.5",
            "regulation.stringency=3",
            "governance.crisis_rate=0.2",
        ],
        Some(0.0),
    ),
    (
        "regulation.ftc.extension_days",
        &[
            "regulation.ftc.initial_stage=informal",
            "regulation.stringency=3",
            "regulation.ftc.extension_rate=1",
        ],
        None,
    ),
    (
        "regulation.ftc.extension_rate",
        &[
            "regulation.ftc.initial_stage=informal",
            "regulation.stringency=3",
            "regulation.ftc.extension_days=60",
        ],
        None,
    ),
    // A US challenge of a consummated change goes to court: FTC cases that reach an
    // adverse structural finding (every change reportable).
    (
        "regulation.ftc.litigation_months",
        &[
            "regulation.ftc.initial_stage=informal",
            "regulation.ftc.refer_base=2",
            "regulation.divest_propensity=1",
            "regulation.stringency=3",
            "regulation.hsr_threshold=0",
        ],
        Some(3.0),
    ),
    // The informal stage ends by a hazard (memoryless); time already spent matters in the
    // clocked stages: a case open in phase 2 at the start.
    (
        "regulation.cma.initial_months_in_stage",
        &[
            "regulation.cma.initial_stage=phase2",
            "regulation.cma.initial_months_in_stage=2",
        ],
        None,
    ),
    (
        "regulation.eu.initial_months_in_stage",
        &[
            "regulation.eu.initial_stage=phase2",
            "regulation.eu.initial_months_in_stage=2",
        ],
        None,
    ),
    (
        "regulation.ftc.initial_months_in_stage",
        &[
            "regulation.ftc.initial_stage=phase2",
            "regulation.ftc.initial_months_in_stage=2",
        ],
        None,
    ),
];
const BIDS: &[&str] = &[
    "partnership.bid_propensity=1",
    "governance.crisis_rate=0.2",
    "regulation.stringency=3",
];
const STRICT: &[&str] = &["regulation.stringency=3", "governance.crisis_rate=0.2"];

/// Moves a number inside [min, max]: doubles it, halves it when doubling leaves the range,
/// and takes a point inside the range when it is 0.
fn moved(x: f64, min: f64, max: f64, up: bool) -> f64 {
    if x == 0.0 {
        return if max.is_finite() { (min + max) / 2.0 } else { 1.0 };
    }
    if up && 2.0 * x <= max {
        2.0 * x
    } else if up && max > x {
        max
    } else if x / 2.0 >= min {
        x / 2.0
    } else {
        (min + max) / 2.0
    }
}

fn move_value(v: &mut toml::Value, min: f64, max: f64, up: bool) {
    match v {
        toml::Value::Float(f) => *f = moved(*f, min, max, up),
        toml::Value::Integer(i) => {
            let m = moved(*i as f64, min, max, up).round() as i64;
            *i = if m == *i { (*i + 1).min(max as i64) } else { m };
        }
        // Zeros in an array mean "absent" (a segment a company does not sell in): kept.
        toml::Value::Array(a) => a
            .iter_mut()
            .filter(|x| x.as_float().is_none_or(|f| f != 0.0))
            .for_each(|x| move_value(x, min, max, up)),
        _ => {}
    }
}

/// The scenario with `path` moved up (×2), or down when up is not a valid scenario.
fn moved_scenario(base: &Scenario, path: &str, min: f64, max: f64) -> Scenario {
    moved_scenario_dir(base, path, min, max, true)
        .or_else(|_| moved_scenario_dir(base, path, min, max, false))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn moved_scenario_dir(base: &Scenario, path: &str, min: f64, max: f64, up: bool) -> Result<Scenario, String> {
    let mut root = toml::Value::try_from(base).unwrap();
    if let Some((roster, field)) = path.split_once("[].") {
        for c in root[roster].as_array_mut().unwrap() {
            // An independent lab may not own a cloud (validation): its 0 stays.
            if field == "cloud_capacity" && c["role"].as_str() == Some("independent_lab") {
                continue;
            }
            move_value(&mut c[field], min, max, up);
        }
    } else {
        let mut v = &mut root;
        for part in path.split('.') {
            v = &mut v[part];
        }
        move_value(v, min, max, up);
    }
    let text = toml::to_string(&root).unwrap();
    coopetition::scenario::parse_scenario(&text, path).map_err(|e| e.to_string())
}

/// Whether two batches differ materially: an outcome, an event or a metric's mean over
/// runs at some month moves by more than 1e-6 (relative). Exact comparison would count the
/// last-bit differences of re-solved brands and amenities as an effect.
fn differ(a: &[RunResult], b: &[RunResult]) -> bool {
    if a.iter()
        .zip(b)
        .any(|(x, y)| x.outcome != y.outcome || x.events != y.events)
    {
        return true;
    }
    let months = a[0].timeseries.len();
    (0..months).any(|m| {
        let mean = |rs: &[RunResult]| -> Vec<f64> {
            let mut acc: Vec<f64> = Vec::new();
            for r in rs {
                let v = coopetition::output::columns::metric_values(&r.timeseries[m]);
                let t = &r.timeseries[m];
                let extra = t.shares.iter().flatten().chain(&t.retention).chain([
                    &t.open_weight_lag_months,
                    &t.startup_researcher_share,
                    &t.startups_staffless_share,
                ]);
                let row: Vec<f64> = v.iter().chain(extra).copied().collect();
                if acc.is_empty() {
                    acc = row;
                } else {
                    acc.iter_mut().zip(row).for_each(|(s, x)| *s += x);
                }
            }
            acc
        };
        let (x, y) = (mean(a), mean(b));
        x.iter()
            .zip(&y)
            .any(|(p, q)| (p - q).abs() > 1e-6 * p.abs().max(q.abs()).max(1e-9))
    })
}

/// Whether moving `base` to `moved` changes the outputs of runs on the same seeds. Runs are
/// seeded by their index, so a batch's first runs are the same runs in a larger batch: a
/// difference among the first `PROBE` is already a difference among all `n`, and only a
/// parameter that shows none there is run `n` times. `base_runs` are `base`'s `n` runs when
/// they are already known.
fn acts(base: &Scenario, moved: &Scenario, base_runs: Option<&[RunResult]>, n: u64) -> bool {
    const PROBE: u64 = 20;
    [PROBE, n].into_iter().any(|k| {
        let owned;
        let before = match base_runs {
            Some(rs) => &rs[..k as usize],
            None => {
                owned = runs(base, k, 77);
                &owned[..]
            }
        };
        differ(before, &runs(moved, k, 77))
    })
}

#[test]
fn every_parameter_acts() {
    let n = 300;
    let mut dead = Vec::new();
    let mut live_in_baseline = Vec::new();
    // `DEAD_PARAMS_ONLY=a,b` checks only those paths (for working on one).
    let only = std::env::var("DEAD_PARAMS_ONLY").ok();
    let default = Scenario::default();
    let default_runs = runs(&default, n, 77);
    for spec in PARAMS.iter() {
        if spec.min.is_nan() || EXEMPT.contains(&spec.path.as_str()) {
            continue;
        }
        if only.as_deref().is_some_and(|o| !o.split(',').any(|p| p == spec.path)) {
            continue;
        }
        // The baseline first: a parameter that acts there needs no context.
        let in_baseline = moved_scenario(&default, &spec.path, spec.min, spec.max);
        let context: Vec<_> = CONTEXT.iter().filter(|(path, _, _)| *path == spec.path).collect();
        if acts(&default, &in_baseline, Some(&default_runs[..]), n) {
            if !context.is_empty() && !MARGINAL.contains(&spec.path.as_str()) {
                live_in_baseline.push(spec.path.as_str());
            }
            continue;
        }
        if context.is_empty() {
            dead.push(spec.path.as_str());
            continue;
        }
        let mut base = default.clone();
        let mut to = None;
        for (_, sets, target) in context {
            for set in *sets {
                base = coopetition::scenario::apply_override(&base, set).unwrap();
            }
            to = *target;
        }
        let moved = match to {
            Some(x) => coopetition::scenario::apply_override(&base, &format!("{}={x}", spec.path)).unwrap(),
            None => moved_scenario(&base, &spec.path, spec.min, spec.max),
        };
        if !acts(&base, &moved, None, n) {
            dead.push(spec.path.as_str());
        }
    }
    assert!(dead.is_empty(), "parameters that change nothing in {n} runs: {dead:?}");
    // The context list names only what the baseline cannot show (docs/MODEL.md §9 lists
    // them with their context): one that acts in the baseline leaves it.
    assert!(
        live_in_baseline.is_empty(),
        "act in the baseline, remove from CONTEXT: {live_in_baseline:?}"
    );
}
