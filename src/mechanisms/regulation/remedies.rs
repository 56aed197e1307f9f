//! **Undertakings.** With serious doubts the parties compare the expected cost of phase 2,
//! `R = p_adv·D`, `D = d + (1 − d)·undertaking_behavioural_cost` (costs in units of a
//! divestiture, `d` the structural share, `p_adv` at the evidence phase 2 would bring), with
//! each package `u` they could offer: `cost_u + P(rejected, adverse)·D`, where the authority
//! accepts with `a_u = (1 − p_adv(h_u))·exp(−s·behavioural_doubt)^[behavioural]`
//! (`p_adv(h_u)` = 0 if the package removes jurisdiction) and
//! `P(rejected, adverse) = w·min(1 − a_u, p_adv) + (1 − w)·(1 − a_u)·p_adv`: with weight
//! `w = view_weight` the acceptance reads the case's view of the harm, which also decides
//! the finding ([`super::procedure::View`]).
//! They offer the cheapest if it beats `R` (the choice is made in the procedure).
//!
//! A behavioural remedy imposed after phase 2 is the [`Package::Behavioural`] package; a
//! structural one (divestiture, block) is an order the partnership carries out.

use super::harms::partnership_harm;
use super::has_jurisdiction;
use super::jurisdiction::{Influence, Subject, influence};
use super::screens::Screens;
use crate::mechanisms::partnership::control_indicator;
use crate::scenario::{Exclusivity, RegulationParams};
use crate::world::components::{Authority, Partnership};

/// What the parties can offer to end a review early, or a remedy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Package {
    /// The investor gives up its board role.
    DropBoardSeat,
    /// Exclusivity loosened one step and no first access.
    Behavioural,
    /// The investor cuts its stake to `undertaking_stake`.
    ReduceStake,
    /// A generic merger's overlap divested (used by procedure tests).
    FixOverlap,
}

impl Package {
    pub fn as_str(self) -> &'static str {
        match self {
            Package::DropBoardSeat => "board seat given up",
            Package::Behavioural => "exclusivity loosened, first access ended",
            Package::ReduceStake => "stake reduced",
            Package::FixOverlap => "overlap divested",
        }
    }
}

/// An undertaking the parties could offer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Offer {
    pub package: Package,
    /// Cost to the parties, in units of a divestiture.
    pub cost: f64,
    /// Harm index after the package.
    pub harm_after: f64,
    /// Whether the authority still has jurisdiction after the package.
    pub jurisdiction_after: bool,
    pub behavioural: bool,
}

/// Applies an accepted undertaking or an imposed behavioural remedy to the partnership.
pub(super) fn apply(ps: &mut Partnership, package: Package, rp: &RegulationParams) {
    match package {
        Package::DropBoardSeat => ps.board_seat = false,
        Package::Behavioural => {
            ps.exclusivity = ps.exclusivity.loosened();
            ps.first_access = false;
        }
        Package::ReduceStake => ps.stake = ps.stake.min(rp.undertaking_stake),
        Package::FixOverlap => {}
    }
}

/// The packages the investor could offer authority `a`, given the partnership's state.
#[allow(clippy::too_many_arguments)]
pub(super) fn partnership_offers(
    ps: &Partnership,
    share: f64,
    base: &Screens,
    api_share: f64,
    rival_compute: f64,
    rp: &RegulationParams,
    a: Authority,
    accepted: Influence,
    ties_suffice: bool,
    out: &mut [Offer; 3],
) -> usize {
    let mut n = 0;
    for (package, cost, available) in [
        (Package::DropBoardSeat, rp.undertaking_board_cost, ps.board_seat),
        (
            Package::Behavioural,
            rp.undertaking_behavioural_cost,
            ps.exclusivity != Exclusivity::None || ps.first_access,
        ),
        (
            Package::ReduceStake,
            rp.undertaking_stake_cost,
            ps.stake > rp.undertaking_stake,
        ),
    ] {
        if !available {
            continue;
        }
        let mut after = ps.clone();
        apply(&mut after, package, rp);
        let k = control_indicator(&after, share);
        let level = influence(after.stake, after.board_seat, k, ties_suffice, rp);
        out[n] = Offer {
            package,
            cost,
            harm_after: partnership_harm(&after, k, base, api_share, rival_compute, rp, a),
            jurisdiction_after: has_jurisdiction(a, &Subject::Partnership { level, accepted }, rp),
            behavioural: package != Package::ReduceStake,
        };
        n += 1;
    }
    n
}
