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

use super::{Influence, Subject};
use crate::scenario::RegulationParams;

/// Whether the FTC has jurisdiction over `subject`.
pub fn jurisdiction(subject: &Subject, rp: &RegulationParams) -> bool {
    match *subject {
        Subject::Partnership { level, accepted } => level >= Influence::Material && level > accepted,
        Subject::Bid { price, .. } => price >= rp.hsr_threshold,
        Subject::Absorption { value, .. } => value >= rp.hsr_threshold,
        Subject::Acquihire { price, .. } => price >= rp.hsr_threshold,
    }
}
