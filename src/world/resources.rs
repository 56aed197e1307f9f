//! Resources: the run's scenario, seed, clock, roster, startup index and logs.

use bevy_ecs::prelude::*;

use super::components::FirmIdx;
use crate::scenario::Scenario;

/// The scenario of this run (read-only for systems).
#[derive(Resource)]
pub struct Params(pub Scenario);

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
    /// What big firms paid for startups last month, $bn: exit proceeds the venture
    /// investors reinvest in the sector (`startups.exit_reinvestment`).
    pub exit_proceeds: f64,
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
    pub revenue_share: f64,
    pub surplus_lab: f64,
    pub surplus_investor: f64,
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
    /// Per company: its pay offer (× market), its cash ($bn), its operating cash flow before
    /// funding ($bn/month) and its valuation ($bn: its last round's post-money valuation in
    /// the month of a round, else its standalone value; for firms that do not raise rounds,
    /// 0).
    pub pay: Vec<f64>,
    pub cash: Vec<f64>,
    pub operating_flow: Vec<f64>,
    pub valuation: Vec<f64>,
    /// Per company: its model capability (index; the lab = 1 at the start).
    pub capability: Vec<f64>,
    pub hhi: [f64; 4],
    /// Shares per segment, one entry per firm then the startup fringe.
    pub shares: [Vec<f64>; 4],
    /// Per cloud slot of `Roster::hosts`: (revenue share, utilization, price).
    pub clouds: Vec<[f64; 3]>,
    /// Per `[[partnerships]]` tie, in scenario order: (the investor's stake, the committed
    /// compute served this month in kGPU).
    pub ties: Vec<[f64; 2]>,
}

/// The run's metric rows, one per tick.
#[derive(Resource, Debug, Default)]
pub struct MetricsLog(pub Vec<TickMetrics>);
