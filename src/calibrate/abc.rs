//! Approximate Bayesian computation by adaptive population Monte Carlo (APMC: Lenormand,
//! Jabot and Deffuant 2013, "Adaptive approximate Bayesian computation for complex models",
//! Computational Statistics 28, 2777–2796).
//!
//! Generation 0 draws `N` particles from the uniform prior and keeps the `⌊αN⌋` closest
//! (the tolerance ε is the largest distance kept). Each later generation draws `N − ⌊αN⌋`
//! new particles from the kept ones (chosen by weight, moved by a Gaussian kernel with twice
//! their weighted covariance; parent and move are redrawn together outside the prior),
//! weights each new particle by
//! prior ÷ proposal density, and again keeps the `⌊αN⌋` closest of old and new together.
//! It stops when fewer than `min_acceptance` of the new particles beat the previous ε, or
//! after `max_generations`. The kept particles and their weights are the posterior sample.
//!
//! Everything is deterministic from the seed: generation `t` draws its proposals from its
//! own ChaCha8 stream, and particle `i` of generation `t` is evaluated with the seed
//! `run_seed(seed, t + 1, i)`. A state saved after a generation and resumed continues
//! exactly as an uninterrupted search.

use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, StandardNormal};

use crate::sim::run_seed;

/// Search settings.
#[derive(Debug, Clone, PartialEq)]
pub struct AbcConfig {
    pub particles: usize,
    pub alpha: f64,
    pub min_acceptance: f64,
    pub max_generations: usize,
    pub seed: u64,
}

impl AbcConfig {
    /// Particles kept each generation, `⌊αN⌋`.
    pub fn kept(&self) -> usize {
        ((self.particles as f64 * self.alpha).floor() as usize).clamp(2, self.particles)
    }
}

/// One parameter set with its importance weight and distance.
#[derive(Debug, Clone, PartialEq)]
pub struct Particle {
    pub theta: Vec<f64>,
    pub weight: f64,
    pub distance: f64,
}

/// Where the search stands after a generation.
#[derive(Debug, Clone, PartialEq)]
pub struct AbcState {
    /// The generation just completed (0 = the prior draw).
    pub generation: usize,
    /// The kept particles (weights not normalised).
    pub population: Vec<Particle>,
    /// Tolerance: the largest distance kept.
    pub epsilon: f64,
    /// Share of the last generation's new particles that beat the previous tolerance.
    pub acceptance: f64,
    /// Model evaluations so far.
    pub evaluations: usize,
    /// Whether a stopping rule has been met.
    pub done: bool,
}

/// Evaluates a batch of parameter sets, each with its own seed; returns their distances.
pub trait Evaluator {
    fn distances(&mut self, thetas: &[Vec<f64>], seeds: &[u64]) -> Result<Vec<f64>, String>;
}

impl<F: FnMut(&[Vec<f64>], &[u64]) -> Result<Vec<f64>, String>> Evaluator for F {
    fn distances(&mut self, thetas: &[Vec<f64>], seeds: &[u64]) -> Result<Vec<f64>, String> {
        self(thetas, seeds)
    }
}

/// The proposal stream of generation `t`.
fn generation_rng(seed: u64, t: usize) -> rand::rngs::ChaCha8Rng {
    rand::rngs::ChaCha8Rng::seed_from_u64(run_seed(seed, 0xABC0, t as u64))
}

/// Keeps the `kept` closest particles (ties by position, so the choice is deterministic).
fn keep_closest(mut all: Vec<Particle>, kept: usize) -> (Vec<Particle>, f64) {
    let mut order: Vec<usize> = (0..all.len()).collect();
    order.sort_by(|&a, &b| all[a].distance.total_cmp(&all[b].distance).then(a.cmp(&b)));
    order.truncate(kept);
    order.sort_unstable();
    let mut out = Vec::with_capacity(kept);
    for (pos, p) in all.drain(..).enumerate() {
        if order.binary_search(&pos).is_ok() {
            out.push(p);
        }
    }
    let eps = out.iter().map(|p| p.distance).fold(f64::NEG_INFINITY, f64::max);
    (out, eps)
}

/// Runs one generation: the prior draw when `state` is `None`, else the next step from it.
pub fn step(
    state: Option<&AbcState>,
    cfg: &AbcConfig,
    bounds: &[(f64, f64)],
    eval: &mut impl Evaluator,
) -> Result<AbcState, String> {
    let k = bounds.len();
    let kept = cfg.kept();
    let Some(prev) = state else {
        let mut rng = generation_rng(cfg.seed, 0);
        let thetas: Vec<Vec<f64>> = (0..cfg.particles)
            .map(|_| {
                bounds
                    .iter()
                    .map(|&(lo, hi)| lo + (hi - lo) * rng.random::<f64>())
                    .collect()
            })
            .collect();
        let seeds: Vec<u64> = (0..cfg.particles).map(|i| run_seed(cfg.seed, 1, i as u64)).collect();
        let d = eval.distances(&thetas, &seeds)?;
        let all = thetas
            .into_iter()
            .zip(d)
            .map(|(theta, distance)| Particle {
                theta,
                weight: 1.0,
                distance,
            })
            .collect();
        let (population, epsilon) = keep_closest(all, kept);
        return Ok(AbcState {
            generation: 0,
            population,
            epsilon,
            acceptance: 1.0,
            evaluations: cfg.particles,
            done: cfg.max_generations == 0,
        });
    };
    let t = prev.generation + 1;
    let mut rng = generation_rng(cfg.seed, t);
    let pop = &prev.population;
    let wsum: f64 = pop.iter().map(|p| p.weight).sum();
    let w: Vec<f64> = pop.iter().map(|p| p.weight / wsum).collect();
    // Twice the weighted covariance (Beaumont et al. 2009), with a ridge so a collapsed
    // coordinate still moves.
    let mean: Vec<f64> = (0..k)
        .map(|j| pop.iter().zip(&w).map(|(p, wi)| wi * p.theta[j]).sum())
        .collect();
    let mut cov = vec![0.0; k * k];
    for (p, wi) in pop.iter().zip(&w) {
        for a in 0..k {
            for b in 0..k {
                cov[a * k + b] += 2.0 * wi * (p.theta[a] - mean[a]) * (p.theta[b] - mean[b]);
            }
        }
    }
    for (j, &(lo, hi)) in bounds.iter().enumerate() {
        cov[j * k + j] += 1e-8 * (hi - lo) * (hi - lo);
    }
    let chol = cholesky(&cov, k).ok_or("the particles' covariance is not positive definite")?;
    let log_det: f64 = (0..k).map(|j| 2.0 * chol[j * k + j].ln()).sum();
    let cum: Vec<f64> = w
        .iter()
        .scan(0.0, |acc, wi| {
            *acc += wi;
            Some(*acc)
        })
        .collect();
    let fresh = cfg.particles - kept;
    let mut thetas = Vec::with_capacity(fresh);
    for _ in 0..fresh {
        // A proposal outside the prior is redrawn from a newly chosen parent, so the
        // proposal density is the mixture restricted to the prior box times one constant
        // (which cancels in the normalised weights); redrawing only the move would cut each
        // parent's kernel by a different amount and over-weight particles near the edges.
        let mut theta = Vec::new();
        for attempt in 0..10_000 {
            let u: f64 = rng.random::<f64>() * cum[cum.len() - 1];
            let j = cum.partition_point(|&c| c <= u).min(pop.len() - 1);
            let z: Vec<f64> = (0..k).map(|_| StandardNormal.sample(&mut rng)).collect();
            let cand: Vec<f64> = (0..k)
                .map(|a| pop[j].theta[a] + (0..=a).map(|b| chol[a * k + b] * z[b]).sum::<f64>())
                .collect();
            let inside = cand.iter().zip(bounds).all(|(x, &(lo, hi))| (lo..=hi).contains(x));
            if inside {
                theta = cand;
                break;
            }
            if attempt == 9_999 {
                return Err("ABC: no proposal inside the prior after 10,000 draws".into());
            }
        }
        thetas.push(theta);
    }
    let seeds: Vec<u64> = (0..fresh).map(|i| run_seed(cfg.seed, t as u64 + 1, i as u64)).collect();
    let d = eval.distances(&thetas, &seeds)?;
    // Importance weight: the uniform prior's density over the proposal mixture's.
    let log_prior: f64 = -bounds.iter().map(|&(lo, hi)| (hi - lo).ln()).sum::<f64>();
    let log_norm = -0.5 * (k as f64 * (2.0 * std::f64::consts::PI).ln() + log_det);
    let mut accepted = 0usize;
    let mut all: Vec<Particle> = pop.clone();
    for (theta, distance) in thetas.into_iter().zip(d) {
        let q: f64 = pop
            .iter()
            .zip(&w)
            .map(|(p, wi)| {
                let diff: Vec<f64> = (0..k).map(|a| theta[a] - p.theta[a]).collect();
                wi * (log_norm - 0.5 * mahalanobis2(&chol, k, &diff)).exp()
            })
            .sum();
        accepted += usize::from(distance < prev.epsilon);
        all.push(Particle {
            theta,
            weight: if q > 0.0 { log_prior.exp() / q } else { 0.0 },
            distance,
        });
    }
    let acceptance = accepted as f64 / fresh.max(1) as f64;
    let (population, epsilon) = keep_closest(all, kept);
    Ok(AbcState {
        generation: t,
        population,
        epsilon,
        acceptance,
        evaluations: prev.evaluations + fresh,
        done: acceptance < cfg.min_acceptance || t >= cfg.max_generations,
    })
}

/// Lower Cholesky factor of a symmetric `k × k` matrix (row-major), or `None`.
fn cholesky(a: &[f64], k: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let s: f64 = (0..j).map(|m| l[i * k + m] * l[j * k + m]).sum();
            if i == j {
                let d = a[i * k + i] - s;
                if d <= 0.0 || !d.is_finite() {
                    return None;
                }
                l[i * k + i] = d.sqrt();
            } else {
                l[i * k + j] = (a[i * k + j] - s) / l[j * k + j];
            }
        }
    }
    Some(l)
}

/// `xᵀ Σ⁻¹ x` given the Cholesky factor of Σ (forward substitution).
fn mahalanobis2(l: &[f64], k: usize, x: &[f64]) -> f64 {
    let mut y = vec![0.0; k];
    for i in 0..k {
        let s: f64 = (0..i).map(|m| l[i * k + m] * y[m]).sum();
        y[i] = (x[i] - s) / l[i * k + i];
    }
    y.iter().map(|v| v * v).sum()
}

/// Runs generations until a stopping rule holds, calling `after` with each state (to save
/// it and report progress); starts from `resume` when given. Stops between generations
/// when the thread's stop token is set (`interrupt`): the last state saved resumes.
pub fn run(
    resume: Option<AbcState>,
    cfg: &AbcConfig,
    bounds: &[(f64, f64)],
    eval: &mut impl Evaluator,
    mut after: impl FnMut(&AbcState) -> Result<(), String>,
) -> Result<AbcState, String> {
    let mut state = match resume {
        Some(s) => s,
        None => {
            let s = step(None, cfg, bounds, eval)?;
            after(&s)?;
            s
        }
    };
    let stop = crate::interrupt::current();
    while !state.done {
        stop.check()
            .map_err(|e| format!("{e} after generation {}; continue with --resume", state.generation))?;
        state = step(Some(&state), cfg, bounds, eval)?;
        after(&state)?;
    }
    Ok(state)
}

/// Effective sample size of a population's weights, `(Σw)² / Σw²`.
pub fn effective_size(pop: &[Particle]) -> f64 {
    let s: f64 = pop.iter().map(|p| p.weight).sum();
    let s2: f64 = pop.iter().map(|p| p.weight * p.weight).sum();
    if s2 > 0.0 { s * s / s2 } else { 0.0 }
}

/// Weighted mean and standard deviation of coordinate `j` of a population.
pub fn weighted_moments(pop: &[Particle], j: usize) -> (f64, f64) {
    let ws: f64 = pop.iter().map(|p| p.weight).sum();
    let m = pop.iter().map(|p| p.weight * p.theta[j]).sum::<f64>() / ws;
    let v = pop.iter().map(|p| p.weight * (p.theta[j] - m).powi(2)).sum::<f64>() / ws;
    (m, v.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A planted toy problem: the statistic is θ₁ + noise (sd 0.3) and does not depend on
    /// θ₂; the observed value 3 was made with θ₁ = 3. ABC must find θ₁ near 3 with a narrow
    /// posterior and leave θ₂ as spread as its prior.
    fn toy(thetas: &[Vec<f64>], seeds: &[u64]) -> Result<Vec<f64>, String> {
        Ok(thetas
            .iter()
            .zip(seeds)
            .map(|(th, &s)| {
                let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(s);
                let z: f64 = StandardNormal.sample(&mut rng);
                (th[0] + 0.3 * z - 3.0).abs() / 0.3
            })
            .collect())
    }

    fn cfg() -> AbcConfig {
        AbcConfig {
            particles: 400,
            alpha: 0.5,
            min_acceptance: 0.1,
            max_generations: 12,
            seed: 11,
        }
    }

    #[test]
    fn recovers_a_planted_parameter() {
        let bounds = [(0.0, 10.0), (0.0, 10.0)];
        let s = run(None, &cfg(), &bounds, &mut toy, |_| Ok(())).unwrap();
        let (m1, sd1) = weighted_moments(&s.population, 0);
        let (m2, sd2) = weighted_moments(&s.population, 1);
        // Exact posterior of θ₁: about N(3, 0.3²) (flat prior, noise sd 0.3); the ABC
        // tolerance widens it a little. Prior sd of θ₂: 10/√12 = 2.89.
        assert!((m1 - 3.0).abs() < 0.15, "θ₁ mean {m1}");
        assert!(sd1 > 0.15 && sd1 < 0.6, "θ₁ sd {sd1}");
        assert!(sd2 > 2.2, "θ₂ should stay spread: sd {sd2}");
        assert!((m2 - 5.0).abs() < 1.0, "θ₂ mean {m2}");
        assert!(s.generation >= 2, "stopped after {} generations", s.generation);
    }

    #[test]
    fn resuming_equals_an_uninterrupted_search() {
        let bounds = [(0.0, 10.0), (0.0, 10.0)];
        let whole = run(None, &cfg(), &bounds, &mut toy, |_| Ok(())).unwrap();
        let first = step(None, &cfg(), &bounds, &mut toy).unwrap();
        let second = step(Some(&first), &cfg(), &bounds, &mut toy).unwrap();
        let resumed = run(Some(second), &cfg(), &bounds, &mut toy, |_| Ok(())).unwrap();
        assert_eq!(whole, resumed);
    }

    #[test]
    fn cholesky_solves() {
        let a = [4.0, 2.0, 2.0, 3.0];
        let l = cholesky(&a, 2).unwrap();
        // xᵀA⁻¹x for x = (1, 1): A⁻¹ = [3 −2; −2 4]/8 → (3 − 4 + 4)/8 = 0.375
        assert!((mahalanobis2(&l, 2, &[1.0, 1.0]) - 0.375).abs() < 1e-12);
        assert!(cholesky(&[1.0, 2.0, 2.0, 1.0], 2).is_none());
    }
}
