//! Components: the state of every agent kind (SPEC §2).

use bevy_ecs::prelude::*;

use crate::scenario::{Exclusivity, Role, Segment};

/// Index of a company in the roster (scenario order).
pub type FirmIdx = u8;

/// Most companies in a roster (validated in the scenario).
pub const MAX_FIRMS: usize = 32;

/// A company: lab, investor, rival cloud, open-weight champion or independent lab.
#[derive(Component, Debug, Clone)]
pub struct Company {
    pub idx: FirmIdx,
    pub role: Role,
    /// Cash, $bn.
    pub capital: f64,
    /// Non-AI income funding AI work, $bn/month.
    pub other_income: f64,
    /// Compute used for the firm's own models, kGPU (for the lab: its total demand);
    /// hosted on its own cloud where it has one (the cloud's capacity is in `CloudMarket`).
    pub own_compute: f64,
    /// Own datacenter capacity available for the firm's workloads, kGPU.
    pub own_dc: f64,
    /// Frontier capability index.
    pub capability: f64,
    /// Capability from the firm's own research and imitation of the frontier alone: for
    /// the investor, without what it absorbed from the lab through first access and
    /// information sharing (the decoupling test's "in-house capability"); for every other
    /// firm, its capability.
    pub inhouse_capability: f64,
    pub pay: f64,
    pub mission: f64,
    pub distribution: f64,
    /// Product price relative to the market.
    pub price: f64,
    /// Researchers employed (kept in step with `Researcher::employer` by every mover).
    pub headcount: u32,
    /// Sum of employed researchers' skill.
    pub skill_sum: f64,
    /// Researchers employed at the start, and how many of them have stayed without a break.
    pub initial_headcount: u32,
    pub original_staff: u32,
    /// Product revenue this month, $bn.
    pub revenue: f64,
    /// Product usage this month: revenue before partnership transfers, $bn (drives the
    /// lab's inference demand).
    pub usage: f64,
    /// Operating cash committed this month by earlier phases, $bn: compute fees and build
    /// lease payments paid (positive), cloud fees received (negative). Settled by products.
    pub spend: f64,
    /// One-off cash committed this month (migrations), $bn. Settled by products.
    pub one_off: f64,
    /// Last month's operating cash flow (net cash flow before one-off items), $bn.
    pub operating_flow: f64,
    /// Post-money valuation of its last funding round, $bn (0: none yet; see
    /// `mechanisms::funding`).
    pub last_round_valuation: f64,
    /// Its value as the funding market sees it this month, $bn: the standalone value
    /// (its business at the revenue multiple plus its cash), or its last round's post-money
    /// valuation in the month of a round.
    pub valuation: f64,
    /// Investors' view of its growth: its product usage's monthly growth, smoothed (see
    /// `mechanisms::funding`; starts at the market's growth).
    pub usage_growth: f64,
    /// Last month's product usage as the funding phase saw it, $bn (0: none yet).
    pub prev_usage: f64,
}

impl Company {
    /// The month's payroll of its researchers, $bn: headcount at its pay relative to the
    /// market's `cost_per_researcher`.
    pub fn payroll(&self, cost_per_researcher: f64) -> f64 {
        f64::from(self.headcount) * cost_per_researcher * self.pay
    }

    /// Its value as the funding market sees it this month, $bn: its `valuation`, else its
    /// last round's post-money.
    pub fn market_value(&self) -> f64 {
        if self.valuation > 0.0 {
            self.valuation
        } else {
            self.last_round_valuation
        }
    }
}

/// An individual researcher.
#[derive(Component, Debug, Clone, Copy)]
pub struct Researcher {
    /// Research productivity (log-normal, mean about 1).
    pub skill: f32,
    /// Preference for mission/safety culture over pay, 0..=1.
    pub mission_pref: f32,
    /// Employer: a firm index (< firms), a startup slot (`STARTUP_BASE + slot`) or [`UNATTACHED`].
    pub employer: u32,
    /// Next month in which the researcher looks at offers (pre-drawn job-search hazard).
    pub next_search: u16,
    /// Month the researcher joined the current employer (0: employed there since the start).
    pub since: u16,
}

/// Employer codes at and above this are startup slots.
pub const STARTUP_BASE: u32 = 1 << 16;
/// Between jobs (e.g. after a startup failed); searches next month.
pub const UNATTACHED: u32 = u32::MAX;

/// A startup.
#[derive(Component, Debug, Clone)]
pub struct Startup {
    /// Stable slot number; researchers refer to it.
    pub slot: u32,
    pub quality: f64,
    /// Cash, $bn.
    pub cash: f64,
    /// Cloud provider (a cloud slot: a firm index, or the fringe `OTHER_CLOUD`).
    pub cloud: FirmIdx,
    pub staff: u32,
    pub born: u32,
}

/// The kind of workload a contract covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    Training,
    Inference,
}

impl Workload {
    pub fn as_str(self) -> &'static str {
        match self {
            Workload::Training => "training",
            Workload::Inference => "inference",
        }
    }
}

/// Cloud slot of the fringe of other clouds (Oracle, GPU specialists): one past the
/// largest firm index, so per-cloud arrays have `CLOUD_SLOTS` entries.
pub const OTHER_CLOUD: FirmIdx = 32;
/// Size of per-cloud arrays: every firm index plus the fringe.
pub const CLOUD_SLOTS: usize = OTHER_CLOUD as usize + 1;

/// Where a workload runs: a cloud (firm index or [`OTHER_CLOUD`]), or the customer's own
/// datacenters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    Cloud(FirmIdx),
    Own,
}

/// A cloud contract: one customer's workload on one host.
#[derive(Component, Debug, Clone)]
pub struct CloudContract {
    pub customer: FirmIdx,
    pub host: Host,
    pub workload: Workload,
    /// Compute under contract, kGPU.
    pub kgpu: f64,
    /// Price locked when the compute was contracted (volume-weighted over tranches),
    /// $bn per kGPU-month; 0 on the lab's own datacenters.
    pub price: f64,
    /// Part of `kgpu` still being migrated in (not yet usable), kGPU.
    pub disrupted: f64,
    /// Tick when the disruption ends.
    pub disrupted_until: u32,
}

/// A datacenter the lab builds for itself: under construction until `ready_tick`, then
/// online and paid for (a lease over `cloud.depreciation_months`) until it is paid off.
/// (Clouds' builds are a pipeline in `CloudMarket`.)
#[derive(Component, Debug, Clone)]
pub struct DatacenterBuild {
    pub owner: FirmIdx,
    pub kgpu: f64,
    pub ready_tick: u32,
    pub online: bool,
}

/// A company's product in one segment.
#[derive(Component, Debug, Clone)]
pub struct Product {
    pub firm: FirmIdx,
    pub segment: Segment,
    pub quality: f64,
    pub share: f64,
    /// Brand (ξ): the utility the observables leave out, fixed at the start so the
    /// starting shares match `companies[].initial_shares`.
    pub brand: f64,
}

/// The state of the lab ↔ investor partnership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnershipStatus {
    Active,
    Dissolved,
    Acquired,
    Separated,
}

impl PartnershipStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PartnershipStatus::Active => "active",
            PartnershipStatus::Dissolved => "dissolved",
            PartnershipStatus::Acquired => "acquired",
            PartnershipStatus::Separated => "separated",
        }
    }
    /// Numeric code for time series (0 active, 1 dissolved, 2 acquired, 3 separated).
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// The partnership entity.
#[derive(Component, Debug, Clone)]
pub struct Partnership {
    pub status: PartnershipStatus,
    pub exclusivity: Exclusivity,
    pub stake: f64,
    pub first_access: bool,
    pub info_sharing: f64,
    pub board_seat: bool,
    pub tension: f64,
    pub safety_gap: f64,
    pub pace_gap: f64,
    /// Mutual dependence (0..=1), derived each month by the partnership system.
    pub dependence: f64,
    /// Control indicator (0..=1) regulators look at.
    pub control: f64,
    /// A control bid awaiting clearance, since this tick.
    pub bid_pending_since: Option<u32>,
    /// A divestiture order takes effect at this tick.
    pub separation_due: Option<u32>,
    /// The order due is a sell-down of the stake to `regulation.undertaking_stake`
    /// (structural commitments accepted), not a separation: the commercial ties go on.
    pub sell_down: bool,
    /// The month a sell-down took effect: the investor was made to divest its stake.
    pub divested: Option<u32>,
    /// The acquisition came by absorption (a consummated acqui-hire of the lab's staff,
    /// which a divestiture order can unwind).
    pub absorbed: bool,
    /// Tick of the event that ended the partnership (dissolution, acquisition, separation).
    pub ended_tick: Option<u32>,
    /// The lab counts as weak (crisis aftermath) until this tick.
    pub lab_weak_until: u32,
    pub renegotiations: u32,
    /// Share of the lab's product usage it pays the investor (bargained; starts at
    /// `products.lab_revenue_share`).
    pub revenue_share: f64,
    /// Each side's surplus over its outside option this month, $bn/month: (lab, investor).
    pub surplus: (f64, f64),
    /// An offer by the investor to hire the lab's staff is open until this month.
    pub absorption_until: Option<u32>,
    /// The lab's researchers' skill when the offer opened, and the skill that has moved
    /// to the investor since.
    pub absorption_base: f64,
    pub absorbed_skill: f64,
    /// Severity (0..1) of the crisis behind the open offer.
    pub crisis_severity: f64,
    /// Price of the pending bid, $bn (for the whole lab).
    pub bid_price: f64,
    /// The lab's recent compute shortfall: an average over about five months (0.8/0.2
    /// smoothing), cleared by a renegotiation that loosens exclusivity.
    pub compute_grievance: f64,
    /// Level (conflict index points) of the product clash and governance disputes the
    /// partners have settled by agreed terms; only the grievance above it counts.
    pub settled_grievance: f64,
    /// Month of the last settled talks (talks reopen only `renegotiate_interval` later).
    pub last_settled: Option<u32>,
    /// The lab's board's reservation premium in the current weak episode (drawn at the
    /// episode's first bid, forgotten when the lab is no longer weak).
    pub board_reservation_draw: Option<f64>,
    /// Bids the board has refused in the current weak episode (each raises the next offer).
    pub offers_refused: u32,
    pub bids: u32,
    /// The authority that ordered the separation now due and the route that gave it
    /// jurisdiction (set with the divestiture order; `<authority>:<route>` in outputs).
    pub separation_route: Option<(Authority, DivestRoute)>,
}

/// An investor–lab tie besides the headline partnership (`[[partnerships]]`, in scenario
/// order): its terms other than the stake are read from the scenario by `index`.
#[derive(Component, Debug, Clone)]
pub struct Tie {
    /// Position in the scenario's `partnerships`.
    pub index: u16,
    pub investor: FirmIdx,
    pub lab: FirmIdx,
    /// The investor's economic stake in the lab (its tranches raise it, others' dilute it).
    pub stake: f64,
    /// Tranches paid so far.
    pub paid: u16,
    /// Money paid in so far, $bn.
    pub invested: f64,
    /// Month of the last change authorities review: a tranche, or the tie's governance
    /// terms changed by an event.
    pub changed: Option<u32>,
    /// The tranche paid in the month of `changed`, $bn (0 for a change of terms alone).
    pub tranche: f64,
    /// Whether the change of `changed` turned the holding into voting stock (a conversion).
    pub converted: bool,
    /// The governance terms last month (votes, board role, consultation rights,
    /// exclusivity, first access), to detect a change.
    pub terms_seen: TieTerms,
    /// Per authority (EU, CMA, FTC), the level of influence (`Influence` as u8) its last
    /// review of the tie reached: only a rise above it is a new merger situation.
    pub reviewed: [Option<u8>; 3],
    /// Per authority, the month it last looked at the tie's changes (a change while its
    /// review is open waits for the review's end).
    pub looked_at: [Option<u32>; 3],
    /// The highest HSR notification threshold the investor has filed for, or its starting
    /// holding reached (set in the FTC's first month); `None` before.
    pub hsr_filed: Option<u8>,
    /// A divestiture ordered against the tie: the month it falls due, the authority, the route.
    pub divest_due: Option<(u32, Authority, DivestRoute)>,
    /// The divestiture took effect (the stake sold): month, authority, route.
    pub divested: Option<(u32, Authority, DivestRoute)>,
}

impl Tie {
    /// Records a change this month: a change in a new month replaces the last one's facts
    /// (its tranche, whether it was a conversion).
    pub fn change_in(&mut self, tick: u32) {
        if self.changed != Some(tick) {
            (self.tranche, self.converted) = (0.0, false);
            self.changed = Some(tick);
        }
    }
}

/// A tie's governance terms, as an authority watching for a change reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TieTerms {
    pub voting: bool,
    pub board: crate::scenario::BoardRole,
    pub consultation: bool,
    pub exclusivity: crate::scenario::Exclusivity,
    pub first_access: bool,
}

impl TieTerms {
    pub fn of(t: &crate::scenario::TieParams) -> TieTerms {
        TieTerms {
            voting: t.voting,
            board: t.board,
            consultation: t.consultation,
            exclusivity: t.exclusivity,
            first_access: t.first_access,
        }
    }
}

/// The route by which an authority came to have jurisdiction over the investor's hold on
/// the lab, recorded with a divestiture order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DivestRoute {
    /// The investor gained a board seat (a governance right: de facto control).
    BoardSeat,
    /// The investor's stake passed one half (legal control); for a tie, a stake giving
    /// material influence.
    Stake,
    /// The partnership's commercial ties read as de facto control without a governance
    /// right (only in a run whose reading lets ties suffice, `regulation.ties_control_prob`).
    Ties,
    /// The investor absorbed the lab's staff (a consummated acquisition, unwound).
    Absorption,
}

impl DivestRoute {
    /// The route's word in outputs (`outcome_route` as `<authority>:<route>`).
    pub fn as_str(self) -> &'static str {
        match self {
            DivestRoute::BoardSeat => "board_seat",
            DivestRoute::Stake => "stake",
            DivestRoute::Ties => "ties",
            DivestRoute::Absorption => "absorption",
        }
    }
}

/// An antitrust authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authority {
    Eu,
    Cma,
    Ftc,
}

impl Authority {
    pub const ALL: [Authority; 3] = [Authority::Eu, Authority::Cma, Authority::Ftc];
    pub fn as_str(self) -> &'static str {
        match self {
            Authority::Eu => "eu_commission",
            Authority::Cma => "uk_cma",
            Authority::Ftc => "us_ftc",
        }
    }
    /// Short lowercase code (`eu`, `cma`, `ftc`), as in `outcome_route`.
    pub fn code(self) -> &'static str {
        match self {
            Authority::Eu => "eu",
            Authority::Cma => "cma",
            Authority::Ftc => "ftc",
        }
    }
}

/// `<authority>:<route>` of a separation order (e.g. `cma:absorption`).
pub fn separation_route_label(route: (Authority, DivestRoute)) -> String {
    format!("{}:{}", route.0.code(), route.1.as_str())
}
