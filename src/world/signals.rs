//! The month's signals: facts one mechanism tells later ones within the month.

use bevy_ecs::prelude::*;

use super::components::FirmIdx;

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
