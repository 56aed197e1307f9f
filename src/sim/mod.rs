//! The simulation core: one run of the model from (scenario, seed). No I/O here.

pub mod schedule;
pub mod setup;
pub mod timeline;

use std::sync::Arc;

use bevy_ecs::prelude::*;

use crate::mechanisms::metrics::DecouplingWatch;
use crate::outcome::Outcome;
use crate::scenario::Scenario;
use crate::scenario::timeline::{Scheduled, compile};
use crate::world::components::{FirmIdx, Partnership, PartnershipStatus, Tie, separation_route_label};
use crate::world::resources::{Clock, Event, EventLog, MetricsLog, Params, Roster, TickMetrics};

/// Everything one run produces.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    /// The run's seed (reproduces it with [`simulate`]).
    pub seed: u64,
    pub outcome: Outcome,
    /// Month (1-based) of the event that decided the outcome; the horizon for symbiosis.
    pub outcome_tick: u32,
    /// How the outcome came about (`outcomes.csv` `outcome_route`): `status_quo`, `gradual`,
    /// `break_up`, `bid`, `absorption`, or `<authority>:<route>` for a divestiture.
    pub outcome_route: String,
    /// One row per month.
    pub timeseries: Vec<TickMetrics>,
    /// The narrative.
    pub events: Vec<Event>,
    /// Every tie at the horizon (`partnerships.csv`): the headline first, then
    /// `[[partnerships]]` in scenario order.
    pub partnerships: Vec<TieEnd>,
}

/// A tie at the horizon: how it ended (the run's outcome for the headline tie; the others
/// end in divestiture when an order against them took effect, else in symbiosis: they are
/// not yet bargained over or bid for).
#[derive(Debug, Clone, PartialEq)]
pub struct TieEnd {
    /// The tie's name: `<investor>-<lab>` by roster names for the headline, else its
    /// `[[partnerships]]` name.
    pub name: String,
    pub investor: FirmIdx,
    pub lab: FirmIdx,
    pub outcome: Outcome,
    pub route: String,
    pub month: u32,
    /// The investor's stake at the horizon.
    pub stake: f64,
    /// Money the investor paid in during the run, $bn.
    pub invested: f64,
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
    Simulator::new().run(scenario, seed)
}

/// A reusable simulation engine: keeps its World's allocations and the built schedule
/// across runs (one per worker thread), so a run costs only its own work.
pub struct Simulator {
    world: World,
    schedule: Schedule,
    initialized: bool,
    /// Reused buffer of entities to despawn between runs.
    agents: Vec<Entity>,
    /// The last scenario with a timeline and its compiled events (compiled once per engine).
    timeline: Option<(Scenario, Arc<Vec<Scheduled>>)>,
    /// The last scenario, its reference world and what setup derived from them (amenities,
    /// brands).
    prepared: Option<(Scenario, setup::Reference, Arc<setup::Prepared>)>,
}

/// Number of phases in a month (the length of [`schedule::Phase::ORDER`]).
pub const PHASES: usize = schedule::Phase::ORDER.len();

/// The compiled timeline of `scenario` (empty without events: no work, no draws).
fn compile_timeline(scenario: &Scenario) -> Result<Arc<Vec<Scheduled>>, SimError> {
    if scenario.events.is_empty() {
        return Ok(Arc::default());
    }
    compile(scenario).map(Arc::new).map_err(SimError::State)
}

impl Default for Simulator {
    fn default() -> Self {
        Self::new()
    }
}

impl Simulator {
    pub fn new() -> Self {
        Simulator {
            world: World::new(),
            schedule: schedule::build_schedule(),
            initialized: false,
            agents: Vec::new(),
            timeline: None,
            prepared: None,
        }
    }

    /// Despawns every agent of the previous run but the researchers; resources are
    /// overwritten by `populate`.
    /// (`World::clear_entities` would also drop resource entities and desynchronise
    /// bevy's resource cache.)
    fn clear_agents(&mut self) {
        // Researchers stay: `populate` overwrites them in place when the pool size matches.
        let mut q = self.world.query_filtered::<Entity, (
            Without<bevy_ecs::resource::IsResource>,
            Without<crate::world::components::Researcher>,
        )>();
        self.agents.clear();
        self.agents.extend(q.iter(&self.world));
        for &e in &self.agents {
            self.world.despawn(e);
        }
    }

    /// Runs one simulation; identical to a fresh [`simulate`] (tested).
    pub fn run(&mut self, scenario: &Scenario, seed: u64) -> Result<RunResult, SimError> {
        self.run_in(scenario, seed, setup::Reference::Baseline)
    }

    /// Runs one simulation with brands and amenities solved in `reference` (calibration
    /// passes [`setup::Reference::Candidate`]; [`Simulator::run`] is the baseline's).
    pub fn run_in(
        &mut self,
        scenario: &Scenario,
        seed: u64,
        reference: setup::Reference,
    ) -> Result<RunResult, SimError> {
        let fail_every = scenario.testing.fail_every;
        if fail_every > 0 && seed.is_multiple_of(fail_every) {
            panic!("injected fault: seed {seed} is divisible by testing.fail_every = {fail_every}");
        }
        self.clear_agents();
        // bevy records every removed component until trackers are cleared (an app does it
        // each frame); an engine reused for many runs must do it or grow without bound.
        self.world.clear_trackers();
        let events = match &self.timeline {
            _ if scenario.events.is_empty() => Arc::default(),
            Some((s, events)) if s == scenario => Arc::clone(events),
            _ => {
                let events = compile_timeline(scenario)?;
                self.timeline = Some((scenario.clone(), Arc::clone(&events)));
                events
            }
        };
        let prepared = match &self.prepared {
            Some((s, r, p)) if *r == reference && s == scenario => Arc::clone(p),
            _ => {
                let p = Arc::new(setup::Prepared::solve(scenario, reference));
                self.prepared = Some((scenario.clone(), reference, Arc::clone(&p)));
                p
            }
        };
        // Before the first populate: whatever the schedule spawns gets a low entity index
        // (see `setup::claim_resource_entities`).
        if !self.initialized {
            self.schedule
                .initialize(&mut self.world)
                .map_err(|e| SimError::Schedule(e.to_string(self.schedule.graph(), &self.world)))?;
            self.initialized = true;
        }
        setup::populate(&mut self.world, scenario, seed, &prepared);
        self.world.insert_resource(timeline::Timeline::new(events));
        for _ in 0..scenario.horizon_months {
            self.schedule.run(&mut self.world);
            self.world.resource_mut::<Clock>().tick += 1;
        }
        finish(&mut self.world, scenario, seed)
    }

    /// Runs one simulation timing each phase; adds the seconds spent per phase to `times`
    /// (in [`schedule::Phase::ORDER`]). Same results as [`Simulator::run`].
    pub fn run_profiled(scenario: &Scenario, seed: u64, times: &mut [f64; PHASES]) -> Result<RunResult, SimError> {
        let mut world = World::new();
        setup::populate(&mut world, scenario, seed, &setup::Prepared::new(scenario));
        world.insert_resource(timeline::Timeline::new(compile_timeline(scenario)?));
        let mut phases = schedule::build_phase_schedules();
        for (_, s) in phases.iter_mut() {
            s.initialize(&mut world)
                .map_err(|e| SimError::Schedule(e.to_string(s.graph(), &world)))?;
        }
        for _ in 0..scenario.horizon_months {
            for (i, (_, s)) in phases.iter_mut().enumerate() {
                let start = std::time::Instant::now();
                s.run(&mut world);
                times[i] += start.elapsed().as_secs_f64();
            }
            world.resource_mut::<Clock>().tick += 1;
        }
        finish(&mut world, scenario, seed)
    }
}

/// Classifies the final state (first match wins) and takes the logs out of the world.
fn finish(world: &mut World, scenario: &Scenario, seed: u64) -> Result<RunResult, SimError> {
    let horizon = scenario.horizon_months;
    let ps = {
        let mut q = world.query::<&Partnership>();
        q.single(world).map_err(|e| SimError::State(e.to_string()))?.clone()
    };
    let since = world.resource::<DecouplingWatch>().established;
    let (outcome, outcome_tick) = classify(&ps, since, horizon);
    let outcome_route = route(&ps, outcome);
    let timeseries = std::mem::take(&mut world.resource_mut::<MetricsLog>().0);
    let events = std::mem::take(&mut world.resource_mut::<EventLog>().0);
    let partnerships = tie_ends(world, &ps, outcome, outcome_tick, &outcome_route, horizon);
    Ok(RunResult {
        seed,
        outcome,
        outcome_tick,
        outcome_route,
        timeseries,
        events,
        partnerships,
    })
}

/// Every tie at the horizon: the headline partnership with the run's outcome, then the
/// others in scenario order.
fn tie_ends(
    world: &mut World,
    ps: &Partnership,
    outcome: Outcome,
    month: u32,
    route: &str,
    horizon: u32,
) -> Vec<TieEnd> {
    let mut ties: Vec<Tie> = world.query::<&Tie>().iter(world).cloned().collect();
    ties.sort_by_key(|t| t.index);
    let roster = world.resource::<Roster>();
    let terms = &world.resource::<Params>().0.partnerships;
    let (lab, investor) = (roster.lab, roster.investor);
    let headline = TieEnd {
        name: format!("{}-{}", roster.name(investor), roster.name(lab)),
        investor,
        lab,
        outcome,
        route: route.to_string(),
        month,
        stake: ps.stake,
        invested: 0.0,
    };
    let others = ties.into_iter().map(|t| {
        let (outcome, route, month) = match t.divested {
            Some((month, a, r)) => (Outcome::Divestiture, separation_route_label((a, r)), month),
            None => (Outcome::Symbiosis, "status_quo".into(), horizon),
        };
        TieEnd {
            name: terms.get(t.index as usize).map(|p| p.name.clone()).unwrap_or_default(),
            investor: t.investor,
            lab: t.lab,
            outcome,
            route,
            month,
            stake: t.stake,
            invested: t.invested,
        }
    });
    std::iter::once(headline).chain(others).collect()
}

/// How the run's outcome came about (SPEC §5 `outcome_route`).
pub fn route(ps: &Partnership, outcome: Outcome) -> String {
    match outcome {
        Outcome::Symbiosis => "status_quo".into(),
        Outcome::Decoupling if ps.status == PartnershipStatus::Dissolved => "break_up".into(),
        Outcome::Decoupling => "gradual".into(),
        Outcome::Acquisition if ps.absorbed => "absorption".into(),
        Outcome::Acquisition => "bid".into(),
        Outcome::Divestiture => ps
            .separation_route
            .map_or_else(|| "order".into(), separation_route_label),
    }
}

/// SPEC §2 classification, first match wins.
pub fn classify(ps: &Partnership, decoupled_since: Option<u32>, horizon: u32) -> (Outcome, u32) {
    let ended = ps.ended_tick.unwrap_or(horizon);
    // A sell-down of the stake ordered as commitments is a divestiture, whatever followed.
    if let Some(t) = ps.divested {
        return (Outcome::Divestiture, t);
    }
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

#[cfg(test)]
mod tests {
    use super::setup::Reference;
    use super::*;
    use crate::scenario::Segment;

    /// The lab's month-1 consumer share and headcount of one run.
    fn month_one(s: &Scenario, reference: Reference) -> (f64, u32) {
        let r = Simulator::new().run_in(s, 7, reference).unwrap();
        let m = &r.timeseries[0];
        (m.shares[Segment::ConsumerAssistant.index()][0], m.headcount[0])
    }

    #[test]
    fn the_candidate_reference_re_solves_brands_and_amenities() {
        let base = Scenario::default();
        // The baseline is its own reference world: both modes give the same runs.
        assert_eq!(
            Simulator::new().run_in(&base, 3, Reference::Baseline).unwrap(),
            Simulator::new().run_in(&base, 3, Reference::Candidate).unwrap()
        );
        assert_eq!(base.companies[0].name, "lab");
        let (share0, staff0) = month_one(&base, Reference::Baseline);
        // The lab twice as dear and paying twice as much: in the baseline's reference world
        // its brand and amenity stay, so it loses customers and gains staff from month 1;
        // as its own reference they are re-solved and it starts at the observed figures.
        let mut moved = base.clone();
        moved.companies[0].price *= 2.0;
        moved.companies[0].pay *= 2.0;
        let (share_b, staff_b) = month_one(&moved, Reference::Baseline);
        let (share_c, staff_c) = month_one(&moved, Reference::Candidate);
        assert!(share_b < share0 - 0.05, "baseline reference: {share_b} vs {share0}");
        assert!(
            (share_c - share0).abs() < 0.02,
            "candidate reference: {share_c} vs {share0}"
        );
        assert!(
            staff_b > staff0 + staff0 / 5,
            "baseline reference: {staff_b} vs {staff0}"
        );
        assert!(
            staff_c.abs_diff(staff0) < staff0 / 10,
            "candidate reference: {staff_c} vs {staff0}"
        );
    }
}
