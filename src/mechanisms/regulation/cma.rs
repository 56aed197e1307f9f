//! UK CMA (Enterprise Act 2002). Jurisdiction needs a relevant merger situation: two
//! enterprises ceasing to be distinct through material influence or more, or a change in
//! the level of influence (material influence → de facto control → legal control), within
//! the time limit (four months from completion or publicity; `time_limit_months`, checked
//! when a case opens). In the model: a rise of the investor's level above the level
//! already reviewed; a bid or an acqui-hire that moves a team with its know-how, when the
//! share-of-supply test is met (`share_of_supply`, 25% of a segment: for a bid or the
//! investor's absorption of the lab's staff, the partners' combined share where both
//! supply; for an acqui-hire of a startup, the buyer's).
//!
//! Clocks: Phase 1 40 working days; Phase 2 24 weeks (120 working days), extendable by 8
//! weeks (Chambers *Merger Control 2025*, UK chapter). Undertakings in lieu of a reference:
//! 50 working days to accept (model: `undertaking_days`).

use super::jurisdiction::{Influence, Subject};
use super::screens::Screens;
use crate::scenario::{AuthorityParams, RegulationParams};

/// Whether the CMA has jurisdiction over `subject`.
pub fn jurisdiction(subject: &Subject, rp: &RegulationParams) -> bool {
    match *subject {
        Subject::Partnership { level, accepted } => level >= Influence::Material && level > accepted,
        Subject::Bid { combined_share, .. } => combined_share >= rp.share_of_supply,
        Subject::Absorption { combined_share, .. } => combined_share >= rp.share_of_supply,
        Subject::Acquihire { buyer_share, .. } => buyer_share >= rp.share_of_supply,
        // A relevant merger situation: material influence, and the target's UK turnover or
        // the share of supply over its threshold (Enterprise Act 2002 s.23).
        Subject::Tie {
            level,
            uk_turnover,
            combined_share,
            ..
        } => {
            level >= Influence::Material
                && (uk_turnover >= rp.uk_turnover_threshold || combined_share >= rp.share_of_supply)
        }
    }
}

/// The CMA's parameters (its clocks and propensities).
pub fn params(rp: &RegulationParams) -> &AuthorityParams {
    &rp.cma
}

/// Whether the CMA's structural screen flags the combination. The CMA publishes no HHI
/// thresholds (Merger Assessment Guidelines 2021, CMA129, treat concentration as one
/// indicator among several): the US presumption ([`Screens::presumed`]) is the stand-in.
pub fn flags(screens: &Screens, rp: &RegulationParams) -> bool {
    screens.presumed(rp)
}
