//! The simulation core: one run of the model from (scenario, seed). No I/O here.

pub mod components;
pub mod random;
pub mod resources;
pub mod schedule;
pub mod setup;

use bevy_ecs::prelude::*;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

use crate::mechanisms::metrics::DecouplingWatch;
use crate::outcome::Outcome;
use crate::scenario::Scenario;
use components::{Partnership, PartnershipStatus};
use resources::{Clock, Event, EventLog, MetricsLog, Roster, TickMetrics};

/// Everything one run produces.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    /// The run's seed (reproduces it with [`simulate`]).
    pub seed: u64,
    pub outcome: Outcome,
    /// Month (1-based) of the event that decided the outcome; the horizon for symbiosis.
    pub outcome_tick: u32,
    /// One row per month.
    pub timeseries: Vec<TickMetrics>,
    /// The narrative.
    pub events: Vec<Event>,
}

impl RunResult {
    /// Metrics at the horizon.
    pub fn last(&self) -> Option<&TickMetrics> {
        self.timeseries.last()
    }
}

/// A run that could not complete.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("schedule: {0}")]
    Schedule(String),
    #[error("invalid state: {0}")]
    State(String),
}

/// The seed of run `run` at sweep point `point` under `master`: a SplitMix64 hash, so
/// every run's stream depends only on these three numbers (not on thread or order).
pub fn run_seed(master: u64, point: u64, run: u64) -> u64 {
    let mut x = splitmix(master ^ splitmix(point.wrapping_add(0x5851_F42D_4C95_7F2D)));
    x = splitmix(x ^ splitmix(run.wrapping_add(0x1405_7B7E_F767_814F)));
    x
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Runs one simulation. A pure function of (scenario, seed); the scenario must be valid.
pub fn simulate(scenario: &Scenario, seed: u64) -> Result<RunResult, SimError> {
    let fail_every = scenario.testing.fail_every;
    if fail_every > 0 && seed.is_multiple_of(fail_every) {
        panic!("injected fault: seed {seed} is divisible by testing.fail_every = {fail_every}");
    }
    let mut world = World::new();
    let mut schedule = schedule::build_schedule();
    setup::populate(&mut world, scenario, ChaCha8Rng::seed_from_u64(seed));
    schedule
        .initialize(&mut world)
        .map_err(|e| SimError::Schedule(e.to_string(schedule.graph(), &world)))?;
    for _ in 0..scenario.horizon_months {
        schedule.run(&mut world);
        world.resource_mut::<Clock>().tick += 1;
    }
    finish(&mut world, scenario, seed)
}

/// Classifies the final state (first match wins) and takes the logs out of the world.
fn finish(world: &mut World, scenario: &Scenario, seed: u64) -> Result<RunResult, SimError> {
    let horizon = scenario.horizon_months;
    let ps = {
        let mut q = world.query::<&Partnership>();
        q.single(world).map_err(|e| SimError::State(e.to_string()))?.clone()
    };
    let since = world.resource::<DecouplingWatch>().since;
    let (outcome, outcome_tick) = classify(&ps, since, horizon);
    let timeseries = std::mem::take(&mut world.resource_mut::<MetricsLog>().0);
    let events = std::mem::take(&mut world.resource_mut::<EventLog>().0);
    let _ = world.resource::<Roster>();
    Ok(RunResult {
        seed,
        outcome,
        outcome_tick,
        timeseries,
        events,
    })
}

/// SPEC §2 classification, first match wins.
pub fn classify(ps: &Partnership, decoupled_since: Option<u32>, horizon: u32) -> (Outcome, u32) {
    let ended = ps.ended_tick.unwrap_or(horizon);
    match ps.status {
        PartnershipStatus::Separated => (Outcome::Divestiture, ended),
        PartnershipStatus::Acquired => (Outcome::Acquisition, ended),
        PartnershipStatus::Dissolved => (Outcome::Decoupling, ended),
        PartnershipStatus::Active => match decoupled_since {
            Some(t) => (Outcome::Decoupling, t),
            None => (Outcome::Symbiosis, horizon),
        },
    }
}
