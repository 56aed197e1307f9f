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
use super::evaluate::{Simulated, distance, distance_where, evaluate, is_data_target, simulated};
use super::identify::{Sensitivity, sensitivity};
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
    /// The one-at-a-time sensitivity matrix from the best point (`sensitivity_runs` > 0).
    pub sensitivity: Option<Sensitivity>,
    /// The polish on the data alone (`data_polish_evals` > 0).
    pub data_only: Option<DataOnly>,
}

/// The best point polished again with the outcome shares left out of the distance.
#[derive(Debug, Clone)]
pub struct DataOnly {
    pub theta: Vec<f64>,
    pub evals: usize,
    /// The data distance on the best point's common seeds, before and after.
    pub before: f64,
    pub after: f64,
    /// Its figures on the fresh seeds of the check.
    pub check: Vec<Simulated>,
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
        let sums = pool.install(|| evaluate(s, a.reference, targets, master, runs, &engines))?;
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
    let from_z = |z: &[f64]| theta_from_unit(&file.free, z);
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

    // Identification: each parameter across its prior, one at a time, on common seeds.
    let sensitivity = if a.sensitivity_runs > 0 {
        progress(Progress::Phase("sensitivity matrix"));
        Some(sensitivity(&file.free, &best_theta, a.sensitivity_runs, |th| {
            run_batch(&apply(base, &file.free, th)?, best_seed, a.sensitivity_runs)
        })?)
    } else {
        None
    };

    // Where the data alone put the outcomes: the polish again, without the outcome shares.
    let data_only = if a.data_polish_evals > 0 {
        progress(Progress::Phase("polishing on the data alone"));
        Some(polish_on_data(base, file, &best_z, &fit, verify_runs, &run_batch)?)
    } else {
        None
    };
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
        sensitivity,
        data_only,
    })
}

/// A batch's figures: (scenario, master seed, runs) → each target's simulated value.
type Batch<'a> = dyn Fn(&Scenario, u64, u64) -> Result<Vec<Simulated>, String> + 'a;

/// From the best point (`best_z`, logit space of the priors; its figures `fit` on the best
/// point's seeds), the Nelder–Mead polish on the same seeds with the outcome shares left
/// out of the distance, and the point it reaches on the check's fresh seeds.
fn polish_on_data(
    base: &Scenario,
    file: &TargetFile,
    best_z: &[f64],
    fit: &[Simulated],
    verify_runs: u64,
    run_batch: &Batch,
) -> Result<DataOnly, String> {
    let a = &file.abc;
    let targets = &file.targets;
    let best_seed = run_seed(a.seed, BEST_STREAM, 0);
    let from_z = |z: &[f64]| theta_from_unit(&file.free, z);
    let count = std::cell::Cell::new(0usize);
    let mut data_distance = |z: &[f64]| -> Result<f64, String> {
        count.set(count.get() + 1);
        let s = apply(base, &file.free, &from_z(z))?;
        Ok(distance_where(
            targets,
            &run_batch(&s, best_seed, a.best_runs)?,
            is_data_target,
        ))
    };
    let before = distance_where(targets, fit, is_data_target);
    let (z, after) = super::nelder_mead(
        best_z,
        0.3,
        a.data_polish_evals,
        0.0,
        || count.get(),
        &mut data_distance,
    )?;
    let theta = from_z(&z);
    let check = run_batch(
        &apply(base, &file.free, &theta)?,
        run_seed(a.seed, CHECK_STREAM, 0),
        verify_runs,
    )?;
    Ok(DataOnly {
        theta,
        evals: count.get(),
        before,
        after,
        check,
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

/// A point of the prior box from its logit-space coordinates (one per free parameter), as
/// the simulation will use it.
fn theta_from_unit(free: &[FreeParam], z: &[f64]) -> Vec<f64> {
    free.iter()
        .zip(z)
        .map(|(f, &zj)| simulated_value(f, super::from_unit(zj, f.lo, f.hi)))
        .collect()
}
