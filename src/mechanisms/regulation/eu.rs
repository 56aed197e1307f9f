//! EU Commission (EU Merger Regulation). Jurisdiction needs a concentration: the
//! acquisition of control, sole or joint, i.e. the possibility of decisive influence. In
//! the model: a bid (sole control; both parties exceed the EUMR turnover thresholds), or
//! the investor reaching de facto control (`K ≥ control_threshold`, with a board seat
//! unless the run's reading lets ties suffice) or legal control above the level
//! already reviewed.
//! An absorption of the lab's staff is an acquisition of control of the lab's business
//! (the team carries it; both parties exceed the EUMR thresholds): EU jurisdiction.
//! Acqui-hires of startups fall below the EUMR turnover thresholds and, since the Court of
//! Justice's Illumina/Grail judgment (3 September 2024), cannot be referred up under
//! Article 22 by states that lack jurisdiction themselves: no EU jurisdiction.
//!
//! Clocks (working days): Phase I 25, 35 with commitments; Phase II 90, + 15 with late
//! remedies, + 20 extension (concurrences.com; lexisnexis.co.uk; lexology.com).

use super::jurisdiction::{Influence, Subject};
use super::screens::Screens;
use crate::scenario::{AuthorityParams, RegulationParams};

/// Whether the Commission has jurisdiction over `subject`.
pub fn jurisdiction(subject: &Subject, _rp: &RegulationParams) -> bool {
    match *subject {
        Subject::Partnership { level, accepted } => level >= Influence::DeFacto && level > accepted,
        Subject::Bid { .. } => true,
        Subject::Absorption { .. } => true,
        Subject::Acquihire { .. } => false,
        // A concentration needs control: a voting majority, or decisive influence through
        // a board seat on top of ties at the control threshold.
        Subject::Tie { level, .. } => level >= Influence::DeFacto,
    }
}

/// The Commission's parameters (its clocks and propensities).
pub fn params(rp: &RegulationParams) -> &AuthorityParams {
    &rp.eu
}

/// Whether the Commission's structural screen flags the combination: outside its safe
/// harbours ([`Screens::eu_concern`]).
pub fn flags(screens: &Screens, rp: &RegulationParams) -> bool {
    screens.eu_concern(rp)
}

impl Screens {
    /// Outside the EU's safe harbours: a combined share of at least 25% (EUMR recital 32)
    /// and an HHI/ΔHHI pair outside the bands of the Horizontal Merger Guidelines (2004/C
    /// 31/03, paras 19–20: post-merger HHI below 1,000; 1,000–2,000 with ΔHHI below 250;
    /// above 2,000 with ΔHHI below 150).
    pub fn eu_concern(&self, rp: &RegulationParams) -> bool {
        let safe = self.combined_share < rp.eu_share_safe
            || self.hhi_post < rp.eu_hhi_floor
            || (self.hhi_post <= rp.eu_hhi_concentrated && self.delta_hhi < rp.eu_delta_moderate)
            || (self.hhi_post > rp.eu_hhi_concentrated && self.delta_hhi < rp.eu_delta_concentrated);
        !safe
    }
}
