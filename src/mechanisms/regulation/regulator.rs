//! The regulator component: an authority's open cases and what it has already reviewed.

use bevy_ecs::prelude::*;

use super::{Case, Influence, Terms};
use crate::scenario::Stage;
use crate::world::components::{Authority, DivestRoute};

/// Where a control bid stands with one authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BidReview {
    /// No bid pending.
    Idle,
    /// Under review.
    Pending,
    /// The authority has no jurisdiction over the bid (it does not review it).
    NoJurisdiction,
    Cleared,
    Blocked,
}

/// A regulator: its case on the partnership, its review of a pending bid, its reviews of
/// acqui-hires, and what it has already reviewed (see `mechanisms::regulation`).
#[derive(Component, Debug, Clone)]
pub struct Regulator {
    pub authority: Authority,
    /// The open case on the partnership (`None`: monitoring).
    pub case: Option<Case>,
    /// The open review of a pending bid.
    pub bid_case: Option<Case>,
    pub bid: BidReview,
    /// Open reviews of acqui-hires, in the order they were opened.
    pub acquihire_cases: Vec<Case>,
    /// The investor's level of influence over the lab that this authority has already
    /// reviewed (or that is time-barred): only a rise above it is a new merger situation.
    pub accepted: Influence,
    /// Month of the last change in the investor's influence (time limits run from it).
    pub last_change: Option<u32>,
    /// The partnership's terms last month, to detect changes.
    pub seen: Terms,
    /// The route that first gave the open partnership case jurisdiction: an order names
    /// it, even if the investor has since given up the seat that gave it.
    pub case_route: Option<DivestRoute>,
    /// This run's reading of de facto control at this authority: whether the partnership's
    /// ties alone can amount to it (see `jurisdiction::ties_reading`).
    pub ties_suffice: bool,
    /// Open reviews of ties' changes (`[[partnerships]]`), in the order opened.
    pub tie_cases: Vec<TieCase>,
}

/// A review of a tie's change, with what its jurisdiction test found when the change was
/// made: jurisdiction is judged on the transaction, so a later dilution does not end it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TieCase {
    pub case: Case,
    pub jurisdiction: bool,
    /// The level of influence the change reached (recorded as reviewed when the case ends).
    pub level: Influence,
}

impl Regulator {
    /// Stage of the partnership case.
    pub fn stage(&self) -> Stage {
        self.case.map_or(Stage::Monitoring, |c| c.stage)
    }
}
