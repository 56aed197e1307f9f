//! Resources: the run's clock, RNG, roster, per-month signals and logs.

use bevy_ecs::prelude::*;
use rand::rngs::ChaCha8Rng;

use super::components::FirmIdx;
use crate::scenario::Scenario;

/// The scenario of this run (read-only for systems).
#[derive(Resource)]
pub struct Params(pub Scenario);

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
}

impl Stream {
    const COUNT: usize = 9;

    fn index(self) -> usize {
        match self {
            Stream::Timeline => 0,
            Stream::Governance => 1,
            Stream::Cloud => 2,
            Stream::Research => 3,
            Stream::Startups => 4,
            Stream::Partnership => 5,
            Stream::Regulator(a) => 6 + usize::from(a).min(2),
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
/// per-chunk streams (see [`RunSeed`]).
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

/// The run's seed, for RNG streams that must not depend on processing order
/// (the hiring kernel's per-chunk streams).
#[derive(Resource, Clone, Copy)]
pub struct RunSeed(pub u64);

/// The month being simulated, 1..=horizon (outputs use the same numbering).
#[derive(Resource, Default)]
pub struct Clock {
    pub tick: u32,
}

/// Who is who in the roster.
#[derive(Resource, Debug, Clone)]
pub struct Roster {
    pub names: Vec<String>,
    pub lab: FirmIdx,
    pub investor: FirmIdx,
    /// Firms with a cloud, in roster order.
    pub clouds: Vec<FirmIdx>,
    /// Every cloud slot: `clouds`, then the fringe (`OTHER_CLOUD`).
    pub hosts: Vec<FirmIdx>,
}

impl Roster {
    pub fn firms(&self) -> usize {
        self.names.len()
    }
    pub fn name(&self, idx: FirmIdx) -> &str {
        &self.names[idx as usize]
    }
    /// Name of a cloud slot (`other` for the fringe).
    pub fn cloud_name(&self, slot: FirmIdx) -> &str {
        if slot == super::components::OTHER_CLOUD {
            "other"
        } else {
            self.name(slot)
        }
    }
}

/// Facts one mechanism tells later ones within the month (reset by governance).
#[derive(Resource, Debug, Default, Clone)]
pub struct Signals {
    pub crises: u32,
    /// Skill of the researchers who moved between the partners this month.
    pub poached_skill_lab_to_investor: f64,
    pub poached_skill_investor_to_lab: f64,
    /// Severity of the crisis behind an open offer by the investor to hire the lab's
    /// staff (set by governance while the offer is open).
    pub absorption_severity: Option<f64>,
    /// Acqui-hires by any company this month (reviewed by the regulation phase).
    pub acquihires: Vec<AcquihireDeal>,
    /// Share of the lab's demanded compute it could not get this month (0..=1).
    pub compute_shortfall: f64,
    /// How much the two partners split the segments where both sell: the mean over those
    /// segments of 2·min(lab share, investor share), 0..=1.
    pub contested: f64,
    pub bid_filed: bool,
    /// The investor absorbed the lab this month: the value of the team that moved, $bn (the
    /// lab's standalone value times the skill share that moved). Reviewed like an
    /// acqui-hire by the authorities with jurisdiction.
    pub absorbed: Option<f64>,
    /// Segment HHI (0..=10,000) after this month's product competition.
    pub hhi: [f64; 4],
    /// Revenue of the startup fringe this month, $bn.
    pub fringe_revenue: f64,
    /// The startup fringe's share per segment.
    pub fringe_share: [f64; 4],
    /// Cumulative researchers moved by hiring this run.
    pub moves: u64,
    /// The investor's share of the cloud compute supplied to rival model developers (the
    /// startups: independent labs other than the partner are part of the startup sector)
    /// (0..=1; set by the startups phase, read by regulation as a vertical foreclosure screen).
    pub investor_rival_compute_share: f64,
    /// The frontier (best capability of any firm) before month 1's research, and now.
    pub frontier_start: f64,
    pub frontier: f64,
    /// Months the frontier, at its average pace since the start, needs to go from the
    /// open-weight champion's capability to its own (0 without an open-weight champion).
    pub open_weight_lag: f64,
}

/// An acqui-hire: a company bought a startup to take over its team.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AcquihireDeal {
    pub buyer: FirmIdx,
    /// The startup's slot.
    pub slot: u32,
    /// Researchers who move to the buyer.
    pub staff: u32,
    /// Price paid, $bn.
    pub price: f64,
}

/// Startup slots alive this month, for assigning researchers to startups.
#[derive(Resource, Debug, Default)]
pub struct StartupIndex {
    /// (slot, entity) of alive startups, in slot order.
    pub alive: Vec<(u32, Entity)>,
    /// Next slot number to hand out.
    pub next_slot: u32,
    /// Staff changes from hiring to apply to startups (slot, delta), drained by startups.
    pub staff_delta: Vec<(u32, i32)>,
    /// Fate of every slot ever handed out: [`FATE_ALIVE`], [`FATE_FAILED`], or the
    /// acquiring firm's index (its staff move there at their next hiring pass).
    pub fate: Vec<u32>,
    /// Open founder seats of new startups (slot, seats), in slot order: researchers who
    /// choose a startup job fill them first.
    pub seats: Vec<(u32, u32)>,
}

/// Slot fate: the startup is alive.
pub const FATE_ALIVE: u32 = u32::MAX - 1;
/// Slot fate: the startup failed; its staff are between jobs.
pub const FATE_FAILED: u32 = u32::MAX;

/// One line of the narrative (`events.csv`).
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub tick: u32,
    pub kind: &'static str,
    pub actor: String,
    pub target: String,
    pub detail: String,
}

/// The run's event log.
#[derive(Resource, Debug, Default)]
pub struct EventLog(pub Vec<Event>);

impl EventLog {
    pub fn push(&mut self, tick: u32, kind: &'static str, actor: &str, target: &str, detail: String) {
        self.0.push(Event {
            tick,
            kind,
            actor: actor.into(),
            target: target.into(),
            detail,
        });
    }
}

/// Model-level metrics after one month (`timeseries.csv`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TickMetrics {
    pub tick: u32,
    pub tension: f64,
    pub lab_cloud_share_investor: f64,
    pub investor_inhouse_ratio: f64,
    pub talent_share_top2: f64,
    pub startups_alive: u32,
    pub hhi_max: f64,
    pub talent_share_partners: f64,
    pub lab_capability: f64,
    pub investor_capability: f64,
    pub lab_capital: f64,
    pub lab_compute_demand: f64,
    pub lab_compute_shortfall: f64,
    pub lab_migrated_compute: f64,
    pub info_sharing: f64,
    pub investor_stake: f64,
    pub exclusivity: u8,
    pub partnership_status: u8,
    pub control_indicator: f64,
    pub mutual_dependence: f64,
    pub regulator_stage: [u8; 3],
    pub researchers: u32,
    pub open_weight_lag_months: f64,
    /// Researchers at startups ÷ all researchers.
    pub startup_researcher_share: f64,
    /// Startups alive with no staff ÷ startups alive.
    pub startups_staffless_share: f64,
    /// Per company: the share of its starting staff still there without a break.
    pub retention: Vec<f64>,
    /// Per company: product revenue this month before the partnership's transfers, $bn.
    pub revenue: Vec<f64>,
    /// Per company: researchers employed at the end of the month.
    pub headcount: Vec<u32>,
    pub hhi: [f64; 4],
    /// Shares per segment, one entry per firm then the startup fringe.
    pub shares: [Vec<f64>; 4],
    /// Per cloud slot of `Roster::hosts`: (revenue share, utilization, price).
    pub clouds: Vec<[f64; 3]>,
}

/// The run's metric rows, one per tick.
#[derive(Resource, Debug, Default)]
pub struct MetricsLog(pub Vec<TickMetrics>);
