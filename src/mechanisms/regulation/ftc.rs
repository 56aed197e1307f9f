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
        // Having filed for one notification threshold, the investor may acquire more up to
        // the next without filing again (16 CFR 801.1(h), 802.21): a new filing, and a
        // review, only when the holding crosses a threshold above the one filed for.
        Subject::Tie {
            acquires_votes,
            notification,
            filed,
            ..
        } => acquires_votes && notification > filed,
    }
}

/// The highest HSR notification threshold (16 CFR 801.1(h)) that voting securities worth
/// `held_value` ($bn), a share `voting_stake` of the lab's votes, reach: 1, 2 and 3 the
/// size-of-transaction threshold `hsr_threshold` and 2× and 10× it ($119.5m, $239m and
/// $1.195bn in 2024: the $50m, $100m and $500m thresholds as adjusted), 4 a quarter of the
/// votes when worth more than 20× it ($2.39bn), 5 one half; 0 below the first.
pub fn notification_threshold(held_value: f64, voting_stake: f64, rp: &RegulationParams) -> u8 {
    let t = rp.hsr_threshold;
    if held_value < t {
        0
    } else if voting_stake >= 0.5 {
        5
    } else if voting_stake >= 0.25 && held_value >= 20.0 * t {
        4
    } else if held_value >= 10.0 * t {
        3
    } else if held_value >= 2.0 * t {
        2
    } else {
        1
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
