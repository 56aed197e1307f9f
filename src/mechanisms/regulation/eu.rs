//! EU Commission (EU Merger Regulation). Jurisdiction needs a concentration: the
//! acquisition of control, sole or joint, i.e. the possibility of decisive influence. In
//! the model: a bid (sole control; both parties exceed the EUMR turnover thresholds), or
//! the investor reaching de facto control (`K ≥ control_threshold`; with
//! `defacto_needs_board_seat`, only with a board seat) or legal control above the level
//! already reviewed.
//! An absorption of the lab's staff is an acquisition of control of the lab's business
//! (the team carries it; both parties exceed the EUMR thresholds): EU jurisdiction.
//! Acqui-hires of startups fall below the EUMR turnover thresholds and, since the Court of
//! Justice's Illumina/Grail judgment (3 September 2024), cannot be referred up under
//! Article 22 by states that lack jurisdiction themselves: no EU jurisdiction.
//!
//! Clocks (working days): Phase I 25, 35 with commitments; Phase II 90, + 15 with late
//! remedies, + 20 extension (concurrences.com; lexisnexis.co.uk; lexology.com).

use super::{Influence, Subject};
use crate::scenario::RegulationParams;

/// Whether the Commission has jurisdiction over `subject`.
pub fn jurisdiction(subject: &Subject, _rp: &RegulationParams) -> bool {
    match *subject {
        Subject::Partnership { level, accepted } => level >= Influence::DeFacto && level > accepted,
        Subject::Bid { .. } => true,
        Subject::Absorption { .. } => true,
        Subject::Acquihire { .. } => false,
    }
}
