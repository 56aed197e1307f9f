//! The run's random streams (one per drawing mechanism) and small samplers on them (kept
//! here so no system hand-rolls its own).

use bevy_ecs::prelude::*;
use rand::rngs::ChaCha8Rng;
use rand::{Rng, RngExt};

/// A mechanism that draws random numbers, each from its own stream of the run seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Timeline,
    Governance,
    Cloud,
    Research,
    Startups,
    Partnership,
    /// One stream per authority, in `Authority::ALL` order (EU, CMA, FTC).
    Regulator(u8),
    Funding,
    /// The run's legal reading of de facto control, drawn once at setup.
    Law,
}

impl Stream {
    const COUNT: usize = 11;

    fn index(self) -> usize {
        match self {
            Stream::Timeline => 0,
            Stream::Governance => 1,
            Stream::Cloud => 2,
            Stream::Research => 3,
            Stream::Startups => 4,
            Stream::Partnership => 5,
            Stream::Regulator(a) => 6 + usize::from(a).min(2),
            Stream::Funding => 9,
            Stream::Law => 10,
        }
    }
}

/// Stream numbers of the mechanisms' RNGs: apart from the hiring kernel's `(month << 32) |
/// chunk` and the initial draw's `2^63 | chunk`.
const MECHANISM_STREAMS: u64 = 1 << 62;

/// The run's RNGs: one ChaCha8 stream of the run seed per drawing mechanism (and per
/// authority), so a run is a pure function of (scenario, seed), and a change that alters
/// how many numbers one mechanism draws leaves every other mechanism's draws where they
/// were: runs of two scenarios on common seeds stay in step (synchronised random numbers).
/// Initialization draws from stream 0 before these exist; the hiring kernel keeps its
/// per-chunk streams (see [`RunSeed`](super::resources::RunSeed)).
#[derive(Resource)]
pub struct SimRng([ChaCha8Rng; Stream::COUNT]);

impl SimRng {
    pub fn new(seed: u64) -> SimRng {
        SimRng(std::array::from_fn(|i| {
            let mut rng = <ChaCha8Rng as rand::SeedableRng>::seed_from_u64(seed);
            rng.set_stream(MECHANISM_STREAMS | i as u64);
            rng
        }))
    }

    /// The stream of `mechanism`.
    pub fn get(&mut self, mechanism: Stream) -> &mut ChaCha8Rng {
        &mut self.0[mechanism.index()]
    }
}

/// Uniform in [0, 1).
#[inline]
pub fn uniform<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    rng.random::<f64>()
}

/// True with probability `p` (clamped to 0..=1).
#[inline]
/// Always consumes one draw, so changing `p` (even to 0) does not shift later draws:
/// two scenarios run on the same seed share their random numbers (common random numbers).
pub fn chance<R: Rng + ?Sized>(rng: &mut R, p: f64) -> bool {
    uniform(rng) < p.min(1.0)
}

/// Standard normal (ziggurat method from `rand_distr`: several times faster than Box–Muller,
/// which matters when a million researchers draw their skill).
#[inline]
pub fn normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    rng.sample(rand_distr::StandardNormal)
}

/// Poisson draw; inversion for small means, normal approximation above 50.
pub fn poisson<R: Rng + ?Sized>(rng: &mut R, mean: f64) -> u32 {
    if mean <= 0.0 || !mean.is_finite() {
        return 0;
    }
    if mean > 50.0 {
        return (mean + mean.sqrt() * normal(rng)).round().max(0.0) as u32;
    }
    let limit = (-mean).exp();
    let mut k = 0;
    let mut prod = uniform(rng);
    while prod > limit {
        k += 1;
        prod *= uniform(rng);
    }
    k
}

/// Months until the next event of a monthly hazard `h` (≥ 1), capped at `u16::MAX`.
/// Drawing the gap once replaces a coin flip per agent per month.
pub fn geometric_months<R: Rng + ?Sized>(rng: &mut R, h: f64) -> u32 {
    if h <= 0.0 {
        return u16::MAX as u32;
    }
    if h >= 1.0 {
        return 1;
    }
    let u = 1.0 - uniform(rng);
    let k = (u.ln() / (1.0 - h).ln()).floor() + 1.0;
    k.min(u16::MAX as f64) as u32
}

/// [`geometric_months`] with `ln(1 − h)` computed once: the same draws, bit for bit, for a
/// hazard used for many agents (the job search of every researcher).
#[derive(Debug, Clone, Copy)]
pub struct Geometric {
    h: f64,
    ln_stay: f64,
}

impl Geometric {
    pub fn new(h: f64) -> Self {
        Geometric {
            h,
            ln_stay: (1.0 - h).ln(),
        }
    }

    #[inline]
    pub fn months<R: Rng + ?Sized>(&self, rng: &mut R) -> u32 {
        if self.h <= 0.0 {
            return u16::MAX as u32;
        }
        if self.h >= 1.0 {
            return 1;
        }
        let u = 1.0 - uniform(rng);
        let k = (u.ln() / self.ln_stay).floor() + 1.0;
        k.min(u16::MAX as f64) as u32
    }

    /// For [`Geometric::months_within`]: uniforms below this land beyond `limit` months for
    /// sure (P(K > limit) = (1 − h)^limit, shrunk by 1e-9 so rounding in `exp` and `ln` can
    /// never skip a draw that lands within the limit).
    pub fn beyond(&self, limit: u32) -> f64 {
        if self.h <= 0.0 || self.h >= 1.0 {
            return 0.0;
        }
        (f64::from(limit) * self.ln_stay).exp() * (1.0 - 1e-9)
    }

    /// [`Geometric::months`] where the exact value matters only up to a limit (the months
    /// left in the run): the same draw, and the same result whenever it is within the limit;
    /// beyond it `u16::MAX`, without the logarithm. `beyond` comes from
    /// [`Geometric::beyond`]. Most of a large pool's draws land beyond the horizon.
    #[inline]
    pub fn months_within<R: Rng + ?Sized>(&self, rng: &mut R, beyond: f64) -> u32 {
        if self.h <= 0.0 {
            return u16::MAX as u32;
        }
        if self.h >= 1.0 {
            return 1;
        }
        let u = 1.0 - uniform(rng);
        if u < beyond {
            return u16::MAX as u32;
        }
        // ⌊ratio⌋ + 1 capped at u16::MAX; ratio ≥ 0, so truncation is the floor.
        let ratio = u.ln() / self.ln_stay;
        ratio.min(u16::MAX as f64 - 1.0) as u32 + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::ChaCha8Rng;

    #[test]
    fn samplers_have_the_right_means() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let n = 100_000;
        // Tolerances: 5 standard errors of the mean.
        let m: f64 = (0..n).map(|_| poisson(&mut rng, 3.0) as f64).sum::<f64>() / n as f64;
        assert!((m - 3.0).abs() < 5.0 * (3.0f64 / n as f64).sqrt(), "poisson mean {m}");
        let g: f64 = (0..n).map(|_| geometric_months(&mut rng, 0.1) as f64).sum::<f64>() / n as f64;
        // Geometric on {1,2,..}: mean 1/h = 10, sd sqrt(1-h)/h ≈ 9.5.
        assert!((g - 10.0).abs() < 5.0 * 9.5 / (n as f64).sqrt(), "geometric mean {g}");
        let z: f64 = (0..n).map(|_| normal(&mut rng)).sum::<f64>() / n as f64;
        // months_within agrees with months within the limit and stays beyond it otherwise.
        for h in [0.01, 0.04, 0.3, 0.9] {
            let g = Geometric::new(h);
            for limit in [0, 1, 5, 18, 60] {
                let beyond = g.beyond(limit);
                let (mut a, mut b) = (
                    ChaCha8Rng::seed_from_u64(limit.into()),
                    ChaCha8Rng::seed_from_u64(limit.into()),
                );
                for _ in 0..20_000 {
                    let (exact, fast) = (g.months(&mut a), g.months_within(&mut b, beyond));
                    assert!(
                        exact == fast || (exact > limit && fast > limit),
                        "h {h} limit {limit}: {exact} vs {fast}"
                    );
                }
            }
        }
        assert!(z.abs() < 5.0 / (n as f64).sqrt(), "normal mean {z}");
    }
}
