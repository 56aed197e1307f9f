//! US FTC (Clayton Act §7, Hart–Scott–Rodino Act). A reportable acquisition (above the
//! HSR size-of-transaction threshold, `hsr_threshold`: $119.5m in 2024) is notified and
//! reviewed before closing: a 30-day waiting period (21 working days), then a second
//! request in some cases (about 10.6 months on average for a significant investigation,
//! Dechert DAMITT 2023: 223 working days). A consummated acquisition of stock that may
//! lessen competition can be challenged in court at any time (no time limit): the FTC
//! reviews the investor's influence over the lab from material influence upwards, above
//! the level it has already reviewed, and litigates an adverse finding (`litigation_months`)
//! before a divestiture is ordered. A bid, an acqui-hire or an absorption of the lab's
//! staff is reportable when its price (an absorption: the value of the team) exceeds the
//! threshold.

use super::jurisdiction::{Influence, Subject};
use super::screens::Screens;
use crate::scenario::{AuthorityParams, RegulationParams};

/// Whether the FTC has jurisdiction over `subject`.
pub fn jurisdiction(subject: &Subject, rp: &RegulationParams) -> bool {
    match *subject {
        Subject::Partnership { level, accepted } => level >= Influence::Material && level > accepted,
        Subject::Bid { price, .. } => price >= rp.hsr_threshold,
        Subject::Absorption { value, .. } => value >= rp.hsr_threshold,
        Subject::Acquihire { price, .. } => price >= rp.hsr_threshold,
        // An acquisition of voting securities (a tranche into a voting stake, or converting
        // notes or non-voting stock into voting stock) is reportable when the voting
        // securities held afterwards are worth the size-of-transaction threshold (16 CFR
        // 801.13). The investment-only exemption (802.9) does not reach these investors:
        // each competes with the lab, which the FTC holds inconsistent with a passive
        // investment. Buying notes or non-voting stock is no acquisition of voting
        // securities.
        Subject::Tie {
            acquires_votes,
            held_value,
            ..
        } => acquires_votes && held_value >= rp.hsr_threshold,
    }
}

/// The FTC's parameters (its clocks and propensities).
pub fn params(rp: &RegulationParams) -> &AuthorityParams {
    &rp.ftc
}

/// Whether the FTC's structural screen flags the combination: the US 2023 presumption
/// ([`Screens::presumed`]).
pub fn flags(screens: &Screens, rp: &RegulationParams) -> bool {
    screens.presumed(rp)
}

impl Screens {
    /// The US 2023 Merger Guidelines' structural presumption: harm is presumed if
    /// `ΔHHI > delta_presumption` and (post HHI > `hhi_presumption` or combined share >
    /// `share_presumption`).
    pub fn presumed(&self, rp: &RegulationParams) -> bool {
        self.delta_hhi > rp.delta_presumption
            && (self.hhi_post > rp.hhi_presumption || self.combined_share > rp.share_presumption)
    }
}
