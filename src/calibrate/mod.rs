//! Calibration (SPEC §9). Two modes:
//! - against a target file ([`targets`]): many patterns at once, with parameter uncertainty
//!   by approximate Bayesian computation ([`abc`], [`patterns`]);
//! - against the outcome distribution alone (this module): chosen free parameters fitted by
//!   Nelder–Mead on common random numbers.
//!
//! Every evaluation runs the same seeds, so the objective Σ (p_o − target_o)² is a
//! deterministic function of the parameters and differences between candidates are not
//! drowned in Monte Carlo noise. Parameters are searched in logit space of their registry
//! range, so every candidate is valid. The fit is then checked out of sample on fresh seeds.

pub mod abc;
pub mod evaluate;
pub mod files;
pub mod identify;
pub mod patterns;
pub mod targets;

use rayon::prelude::*;

use crate::montecarlo::thread_pool;
use crate::outcome::Outcome;
use crate::scenario::{Scenario, load, params};
use crate::sim::run_seed;

/// What to fit.
#[derive(Debug, Clone)]
pub struct CalibrationSpec {
    pub target: [f64; 4],
    pub params: Vec<String>,
    /// Runs per evaluation.
    pub runs: u64,
    pub seed: u64,
    pub max_evals: usize,
    /// Largest acceptable |p − target| per outcome, checked out of sample.
    pub tolerance: f64,
    /// Runs of the out-of-sample check (on seeds the search never saw).
    pub verify_runs: u64,
    pub threads: usize,
}

/// One parameter's search interval.
#[derive(Debug, Clone)]
pub struct Bounds {
    pub path: String,
    pub lo: f64,
    pub hi: f64,
}

/// The outcome of a calibration.
#[derive(Debug, Clone)]
pub struct CalibrationResult {
    pub scenario: Scenario,
    pub values: Vec<(String, f64)>,
    pub evals: usize,
    /// In-sample outcome counts and runs at the optimum.
    pub fit_counts: [u64; 4],
    pub fit_runs: u64,
    /// Out-of-sample counts and runs.
    pub check_counts: [u64; 4],
    pub check_runs: u64,
    pub distance: f64,
    pub within_tolerance: bool,
}

/// Outcome counts of `runs` runs with seeds from `master`.
pub fn outcome_counts(
    scenario: &Scenario,
    master: u64,
    runs: u64,
    pool: &rayon::ThreadPool,
) -> Result<[u64; 4], String> {
    let engines = crate::montecarlo::Engines::default();
    let results: Vec<Result<usize, String>> = pool.install(|| {
        (0..runs as usize)
            .into_par_iter()
            .with_max_len(crate::montecarlo::LEAF_RUNS)
            .map(|r| r as u64)
            .map(|r| {
                engines.with(|sim| {
                    sim.run(scenario, run_seed(master, 0, r))
                        .map(|res| res.outcome.index())
                        .map_err(|e| e.to_string())
                })
            })
            .collect()
    });
    let mut counts = [0u64; 4];
    for r in results {
        counts[r?] += 1;
    }
    Ok(counts)
}

/// Search bounds of a parameter: its registry range, capped to keep the search sane.
pub fn bounds(path: &str) -> Result<Bounds, String> {
    let spec = params::find(path).ok_or_else(|| params::unknown_parameter(path))?;
    if spec.min.is_nan() {
        return Err(format!("`{path}` is not numeric and cannot be calibrated"));
    }
    Ok(Bounds {
        path: path.into(),
        lo: spec.min,
        hi: spec.max.min(spec.min + 100.0),
    })
}

/// `x` in `[lo, hi]` to logit space, where every point maps back inside the interval.
pub(crate) fn to_unit(x: f64, lo: f64, hi: f64) -> f64 {
    let u = ((x - lo) / (hi - lo)).clamp(1e-6, 1.0 - 1e-6);
    (u / (1.0 - u)).ln()
}

/// The inverse of [`to_unit`].
pub(crate) fn from_unit(z: f64, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) / (1.0 + (-z).exp())
}

/// Rounded to 5 significant digits, so a calibrated file reads cleanly.
pub(crate) fn five_digits(x: f64) -> f64 {
    format!("{x:.4e}").parse().unwrap_or(x)
}

fn apply(base: &Scenario, bounds: &[Bounds], z: &[f64]) -> Result<Scenario, String> {
    let mut s = base.clone();
    for (b, &zi) in bounds.iter().zip(z) {
        let x = five_digits(from_unit(zi, b.lo, b.hi));
        s = load::set_value(&s, &b.path, toml::Value::Float(x))?;
    }
    Ok(s)
}

fn distance(counts: &[u64; 4], runs: u64, target: &[f64; 4]) -> f64 {
    Outcome::ALL
        .iter()
        .map(|o| {
            let p = counts[o.index()] as f64 / runs.max(1) as f64;
            (p - target[o.index()]).powi(2)
        })
        .sum()
}

/// Fits `spec.params` of `base`; `progress` is called after each evaluation with (evals, distance).
pub fn calibrate(
    base: &Scenario,
    spec: &CalibrationSpec,
    mut progress: impl FnMut(usize, f64),
) -> Result<CalibrationResult, String> {
    let bounds: Vec<Bounds> = spec.params.iter().map(|p| bounds(p)).collect::<Result<_, _>>()?;
    for b in &bounds {
        load::current_value(base, &b.path)?;
    }
    let pool = thread_pool(spec.threads).map_err(|e| e.to_string())?;
    let start: Vec<f64> = bounds
        .iter()
        .map(|b| {
            let x = load::current_value(base, &b.path).ok().and_then(|v| load::number(&v));
            to_unit(x.unwrap_or((b.lo + b.hi) / 2.0), b.lo, b.hi)
        })
        .collect();
    let evals = std::cell::Cell::new(0usize);
    let mut eval = |z: &[f64]| -> Result<f64, String> {
        let s = apply(base, &bounds, z)?;
        let counts = outcome_counts(&s, spec.seed, spec.runs, &pool)?;
        evals.set(evals.get() + 1);
        let d = distance(&counts, spec.runs, &spec.target);
        progress(evals.get(), d);
        Ok(d)
    };

    let good_enough = (spec.tolerance / 3.0).powi(2);
    let (best, _) = nelder_mead(&start, 0.7, spec.max_evals, good_enough, || evals.get(), &mut eval)?;
    let scenario = apply(base, &bounds, &best)?;
    let fit_counts = outcome_counts(&scenario, spec.seed, spec.runs, &pool)?;
    // Out of sample: seeds the search never saw.
    let check_seed = spec.seed ^ 0x9E37_79B9_7F4A_7C15;
    let check_counts = outcome_counts(&scenario, check_seed, spec.verify_runs, &pool)?;
    let within = Outcome::ALL.iter().all(|o| {
        let p = check_counts[o.index()] as f64 / spec.verify_runs.max(1) as f64;
        (p - spec.target[o.index()]).abs() <= spec.tolerance
    });
    let values = bounds
        .iter()
        .map(|b| {
            (
                b.path.clone(),
                load::current_value(&scenario, &b.path)
                    .ok()
                    .and_then(|v| v.as_float())
                    .unwrap_or(f64::NAN),
            )
        })
        .collect();
    Ok(CalibrationResult {
        scenario,
        values,
        evals: evals.get(),
        fit_counts,
        fit_runs: spec.runs,
        check_counts,
        check_runs: spec.verify_runs,
        distance: distance(&check_counts, spec.verify_runs, &spec.target),
        within_tolerance: within,
    })
}

/// Nelder–Mead minimisation (reflection 1, expansion 2, contraction ½, shrink ½) from
/// `start` with an initial simplex step `step` in each coordinate. Stops when the best value
/// is at most `good_enough`, when the simplex has shrunk below 10⁻³, or once `evals()`
/// reports `max_evals` evaluations. Returns the best point and its value.
pub fn nelder_mead(
    start: &[f64],
    step: f64,
    max_evals: usize,
    good_enough: f64,
    evals: impl Fn() -> usize,
    eval: &mut impl FnMut(&[f64]) -> Result<f64, String>,
) -> Result<(Vec<f64>, f64), String> {
    let k = start.len();
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(k + 1);
    let f0 = eval(start)?;
    simplex.push((start.to_vec(), f0));
    for i in 0..k {
        let mut z = start.to_vec();
        z[i] += step;
        let f = eval(&z)?;
        simplex.push((z, f));
    }
    while evals() < max_evals {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        if simplex[0].1 <= good_enough {
            break;
        }
        let spread = simplex
            .iter()
            .map(|(z, _)| {
                z.iter()
                    .zip(&simplex[0].0)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f64::max)
            })
            .fold(0.0, f64::max);
        if spread < 1e-3 {
            break;
        }
        let centroid: Vec<f64> = (0..k)
            .map(|j| simplex[..k].iter().map(|(z, _)| z[j]).sum::<f64>() / k as f64)
            .collect();
        let worst = simplex[k].clone();
        let along = |t: f64| -> Vec<f64> { (0..k).map(|j| centroid[j] + t * (worst.0[j] - centroid[j])).collect() };
        let reflected = along(-1.0);
        let fr = eval(&reflected)?;
        if fr < simplex[0].1 {
            let expanded = along(-2.0);
            let fe = eval(&expanded)?;
            simplex[k] = if fe < fr { (expanded, fe) } else { (reflected, fr) };
        } else if fr < simplex[k - 1].1 {
            simplex[k] = (reflected, fr);
        } else {
            let contracted = if fr < worst.1 { along(-0.5) } else { along(0.5) };
            let fc = eval(&contracted)?;
            if fc < worst.1.min(fr) {
                simplex[k] = (contracted, fc);
            } else {
                let best = simplex[0].0.clone();
                for item in simplex.iter_mut().skip(1) {
                    let z: Vec<f64> = (0..k).map(|j| best[j] + 0.5 * (item.0[j] - best[j])).collect();
                    let f = eval(&z)?;
                    *item = (z, f);
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    Ok(simplex.swap_remove(0))
}

/// Parses `symbiosis=0.6,decoupling=0.25,...` (all four, summing to 1 within 1e-6).
pub fn parse_target(s: &str) -> Result<[f64; 4], String> {
    let mut t = [f64::NAN; 4];
    for part in s.split(',') {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| format!("`{part}`: expected OUTCOME=P"))?;
        let o = Outcome::parse(k.trim())
            .ok_or_else(|| format!("`{k}` is not an outcome (symbiosis, decoupling, acquisition, divestiture)"))?;
        let p: f64 = v.trim().parse().map_err(|_| format!("`{v}` is not a number"))?;
        if !(0.0..=1.0).contains(&p) {
            return Err(format!("{k}={p}: a probability must be in 0..=1"));
        }
        t[o.index()] = p;
    }
    if t.iter().any(|x| x.is_nan()) {
        return Err("give all four outcomes".into());
    }
    let sum: f64 = t.iter().sum();
    if (sum - 1.0).abs() > 1e-6 {
        return Err(format!("target probabilities sum to {sum}, not 1"));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_validate() {
        let t = parse_target("symbiosis=0.6,decoupling=0.25,acquisition=0.1,divestiture=0.05").unwrap();
        assert_eq!(t, [0.6, 0.25, 0.1, 0.05]);
        assert!(parse_target("symbiosis=0.6,decoupling=0.25,acquisition=0.1").is_err());
        assert!(parse_target("symbiosis=0.7,decoupling=0.25,acquisition=0.1,divestiture=0.05").is_err());
        assert!(parse_target("merger=0.6,decoupling=0.25,acquisition=0.1,divestiture=0.05").is_err());
    }

    #[test]
    fn logit_transform_round_trips_inside_bounds() {
        let b = Bounds {
            path: "x".into(),
            lo: 0.0,
            hi: 1.0,
        };
        for x in [0.01, 0.3, 0.5, 0.99] {
            assert!((from_unit(to_unit(x, b.lo, b.hi), b.lo, b.hi) - x).abs() < 1e-9);
        }
    }

    #[test]
    fn calibration_moves_a_parameter_towards_the_target() {
        // A small, fast problem: fit the crisis exodus (how many of the lab's staff take the
        // investor's offer after a crisis: the main route to acquisition) so acquisitions
        // rise by 3 pp (reachable: 3.56 → 4.2 adds about 2.5 pp in 2,000 runs).
        let base = Scenario::default();
        let before = outcome_counts(&base, 5, 400, &thread_pool(2).unwrap()).unwrap();
        let goal = before[2] as f64 / 400.0 + 0.03;
        let spec = CalibrationSpec {
            target: [
                before[0] as f64 / 400.0 - 0.03,
                before[1] as f64 / 400.0,
                goal,
                1.0 - (before[0] as f64 / 400.0 - 0.03) - before[1] as f64 / 400.0 - goal,
            ],
            params: vec!["partnership.crisis_exodus".into()],
            runs: 400,
            seed: 5,
            max_evals: 25,
            tolerance: 0.1,
            verify_runs: 400,
            threads: 2,
        };
        let r = calibrate(&base, &spec, |_, _| {}).unwrap();
        let fitted = r.values[0].1;
        assert!(
            fitted > base.partnership.crisis_exodus,
            "crisis exodus should rise, got {fitted}"
        );
        let p_acq = r.fit_counts[2] as f64 / 400.0;
        // 400 runs: SE of p near 0.1–0.2 is 1.5–2 pp; the search may stop a little off the target.
        assert!((p_acq - goal).abs() < 0.04, "acquisition {p_acq} not near {goal}");
    }
}
