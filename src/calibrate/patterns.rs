//! Pattern-oriented calibration (SPEC §9, issue 15): ABC over the free parameters of a
//! target file, then the posterior's best point, checked on fresh seeds.
//!
//! 1. **Posterior.** APMC ([`super::abc`]) with a distance that is the root mean square of
//!    the fitted targets' standardised distances, each particle simulated on `abc.runs` runs
//!    of its own seeds (so the Monte Carlo noise of a finite batch is part of the
//!    approximate likelihood, as in any ABC on a stochastic model).
//! 2. **Best point.** The `best_candidates` closest particles are run again on `best_runs`
//!    runs with common seeds; from the closest there, a Nelder–Mead polish on the same
//!    seeds (at most `polish_evals` evaluations, in logit space of the prior box) finds a
//!    local minimum of the distance: a minimum-distance (simulated method of moments)
//!    estimate started inside the posterior, the calibrated scenario. The ABC batches are
//!    too small to place the outcome shares within a point or two; the polish does that.
//!    The report says whether each value stayed within the posterior's 5–95% range.
//! 3. **Check.** The best point on `verify_runs` fresh seeds (never seen by the search):
//!    the figures the report gives for every target, fitted and held out.

use super::abc::{self, AbcState, Particle};
use super::evaluate::{Simulated, distance, evaluate, simulated};
use super::targets::{FreeParam, TargetFile};
use crate::montecarlo::{Engines, thread_pool};
use crate::scenario::{Scenario, load};
use crate::sim::run_seed;

/// Seed offsets of the best-point and check batches (apart from every search seed).
const BEST_STREAM: u64 = 0xBE57;
const CHECK_STREAM: u64 = 0xC4EC;

/// A parameter value as simulated: integers rounded, others to 5 significant digits so
/// files read cleanly.
pub fn simulated_value(f: &FreeParam, x: f64) -> f64 {
    if f.integer { x.round() } else { super::five_digits(x) }
}

/// The scenario at a parameter vector.
pub fn apply(base: &Scenario, free: &[FreeParam], theta: &[f64]) -> Result<Scenario, String> {
    let mut s = base.clone();
    for (f, &x) in free.iter().zip(theta) {
        let x = simulated_value(f, x);
        let v = if f.integer {
            toml::Value::Integer(x as i64)
        } else {
            toml::Value::Float(x)
        };
        s = load::set_value(&s, &f.param, v)?;
    }
    Ok(s)
}

/// Per generation: (generation, ε, acceptance, evaluations so far).
pub type Generation = (usize, f64, f64, usize);

/// What a calibration produced.
#[derive(Debug, Clone)]
pub struct PatternResult {
    /// The final ABC state: its population is the posterior sample.
    pub posterior: AbcState,
    pub history: Vec<Generation>,
    /// The best point's parameter values (as simulated) and scenario.
    pub best_theta: Vec<f64>,
    pub best: Scenario,
    /// Distance of each re-evaluated candidate (particle index in the posterior, distance).
    pub candidates: Vec<(usize, f64)>,
    /// The particle the polish started from (index in the posterior).
    pub start_particle: usize,
    /// The polish: evaluations, and the distance on the common seeds before and after.
    pub polish: (usize, f64, f64),
    /// The best point's figures on the common seeds of the choice, and on fresh seeds.
    pub fit: Vec<Simulated>,
    pub fit_runs: u64,
    pub check: Vec<Simulated>,
    pub check_runs: u64,
    pub check_distance: f64,
}

/// Progress reports.
pub enum Progress<'a> {
    /// A particle was evaluated: (evaluations in this generation, its size).
    Particle(usize, usize),
    /// A generation completed (after it was checkpointed).
    Generation(&'a AbcState),
    /// The best-point choice or the check started.
    Phase(&'static str),
}

/// Runs the calibration; `checkpoint` receives every completed generation (to save it).
pub fn calibrate_patterns(
    base: &Scenario,
    file: &TargetFile,
    verify_runs: u64,
    threads: usize,
    resume: Option<(AbcState, Vec<Generation>)>,
    mut checkpoint: impl FnMut(&AbcState, &[Generation]) -> Result<(), String>,
    progress: impl Fn(Progress),
) -> Result<PatternResult, String> {
    let pool = thread_pool(threads).map_err(|e| e.to_string())?;
    let engines = Engines::default();
    let a = &file.abc;
    let cfg = a.config();
    let bounds: Vec<(f64, f64)> = file.free.iter().map(|f| (f.lo, f.hi)).collect();
    let targets = &file.targets;
    let run_batch = |s: &Scenario, master: u64, runs: u64| -> Result<Vec<Simulated>, String> {
        let sums = pool.install(|| evaluate(s, targets, master, runs, &engines))?;
        Ok(simulated(targets, &sums))
    };
    let (resume, mut history) = match resume {
        Some((state, history)) => (Some(state), history),
        None => (None, Vec::new()),
    };
    let mut eval = |thetas: &[Vec<f64>], seeds: &[u64]| -> Result<Vec<f64>, String> {
        let mut out = Vec::with_capacity(thetas.len());
        for (i, (th, &seed)) in thetas.iter().zip(seeds).enumerate() {
            let s = apply(base, &file.free, th)?;
            out.push(distance(targets, &run_batch(&s, seed, a.runs)?));
            progress(Progress::Particle(i + 1, thetas.len()));
        }
        Ok(out)
    };
    let mut after = |s: &AbcState| -> Result<(), String> {
        history.push((s.generation, s.epsilon, s.acceptance, s.evaluations));
        checkpoint(s, &history)?;
        progress(Progress::Generation(s));
        Ok(())
    };
    let posterior = abc::run(resume, &cfg, &bounds, &mut eval, &mut after)?;

    // The best point: the closest particles again, on common seeds.
    progress(Progress::Phase("choosing the best point"));
    let mut order: Vec<usize> = (0..posterior.population.len()).collect();
    order.sort_by(|&x, &y| {
        posterior.population[x]
            .distance
            .total_cmp(&posterior.population[y].distance)
            .then(x.cmp(&y))
    });
    order.truncate(a.best_candidates.max(1));
    let best_seed = run_seed(a.seed, BEST_STREAM, 0);
    let mut candidates = Vec::new();
    let mut best: Option<(usize, f64, Vec<Simulated>)> = None;
    for &i in &order {
        let s = apply(base, &file.free, &posterior.population[i].theta)?;
        let sims = run_batch(&s, best_seed, a.best_runs)?;
        let d = distance(targets, &sims);
        candidates.push((i, d));
        if best.as_ref().is_none_or(|b| d < b.1) {
            best = Some((i, d, sims));
        }
    }
    let (bi, chosen_distance, _) = best.ok_or("no particle to choose from")?;
    progress(Progress::Phase("polishing the best point"));
    let from_z = |z: &[f64]| -> Vec<f64> {
        file.free
            .iter()
            .zip(z)
            .map(|(f, &zj)| simulated_value(f, super::from_unit(zj, f.lo, f.hi)))
            .collect()
    };
    let start: Vec<f64> = file
        .free
        .iter()
        .zip(&posterior.population[bi].theta)
        .map(|(f, &x)| super::to_unit(x, f.lo, f.hi))
        .collect();
    let polish_count = std::cell::Cell::new(0usize);
    let mut polish = |z: &[f64]| -> Result<f64, String> {
        polish_count.set(polish_count.get() + 1);
        let s = apply(base, &file.free, &from_z(z))?;
        Ok(distance(targets, &run_batch(&s, best_seed, a.best_runs)?))
    };
    let (best_z, polished_distance) = if a.polish_evals > 0 {
        super::nelder_mead(&start, 0.3, a.polish_evals, 0.0, || polish_count.get(), &mut polish)?
    } else {
        (start.clone(), chosen_distance)
    };
    let best_theta = from_z(&best_z);
    let best_scenario = apply(base, &file.free, &best_theta)?;
    let fit = run_batch(&best_scenario, best_seed, a.best_runs)?;
    progress(Progress::Phase("checking on fresh seeds"));
    let check = run_batch(&best_scenario, run_seed(a.seed, CHECK_STREAM, 0), verify_runs)?;
    let check_distance = distance(targets, &check);
    Ok(PatternResult {
        posterior,
        history,
        best_theta,
        best: best_scenario,
        candidates,
        start_particle: bi,
        polish: (polish_count.get(), chosen_distance, polished_distance),
        fit,
        fit_runs: a.best_runs,
        check,
        check_runs: verify_runs,
        check_distance,
    })
}

/// The posterior's particles with normalised weights, values as simulated.
pub fn posterior_rows(file: &TargetFile, state: &AbcState) -> Vec<Particle> {
    let ws: f64 = state.population.iter().map(|p| p.weight).sum();
    state
        .population
        .iter()
        .map(|p| Particle {
            theta: file
                .free
                .iter()
                .zip(&p.theta)
                .map(|(f, &x)| simulated_value(f, x))
                .collect(),
            weight: if ws > 0.0 { p.weight / ws } else { 0.0 },
            distance: p.distance,
        })
        .collect()
}
