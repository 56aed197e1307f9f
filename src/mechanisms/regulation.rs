//! Regulation: the EU Commission, the UK CMA and the US FTC, each a state machine.
//!
//! Partnership case: monitoring → inquiry → in-depth → decided. From monitoring an
//! authority opens an inquiry with monthly hazard (doubled in a month a bid is filed)
//!
//! ```text
//! stringency·weight·(open_rate + control_weight·K
//!     + concentration_weight·max(0, HHI_max − hhi_threshold)/1000
//!     + peer_weight·(others in depth) + acquihire_weight·(partner acqui-hires in 12 months))
//! ```
//!
//! An inquiry lasts `inquiry_months`, then escalates with probability
//! min(1, escalate_rate·stringency·weight·K + peer_weight·peers) or closes (peers: other
//! authorities in depth; their pull is not scaled by stringency). An in-depth case lasts
//! `indepth_months` and decides: divest with probability min(1, divest_propensity·
//! stringency·weight·K²), remedies (exclusivity loosened, first access and board seat removed)
//! with probability remedy_propensity·min(1, stringency·weight), else clear. A divestiture takes effect
//! `compliance_months` later (see partnership).
//!
//! Bid review (merger control): a filed bid enters phase 1 (`bid_phase1_months`), goes to
//! phase 2 with probability min(1, bid_phase2_rate·stringency·weight), and phase 2
//! (`bid_phase2_months`) blocks with probability min(1, bid_block_propensity·stringency·
//! weight·max(K, ½)), else clears. Durations follow EU Merger Regulation phases (domain facts).

use bevy_ecs::prelude::*;

use crate::scenario::{AuthorityParams, Stage};
use crate::sim::components::{Authority, BidReview, Partnership, PartnershipStatus, Regulator};
use crate::sim::random::{chance, uniform};
use crate::sim::resources::{Clock, EventLog, Params, Roster, Signals, SimRng};

/// The scenario's parameters of one authority.
pub fn authority_params(params: &Params, a: Authority) -> &AuthorityParams {
    let r = &params.0.regulation;
    match a {
        Authority::Eu => &r.eu,
        Authority::Cma => &r.cma,
        Authority::Ftc => &r.ftc,
    }
}

#[allow(clippy::too_many_arguments)]
pub fn regulation(
    params: Res<Params>,
    clock: Res<Clock>,
    roster: Res<Roster>,
    mut rng: ResMut<SimRng>,
    signals: Res<Signals>,
    mut log: ResMut<EventLog>,
    mut partnership: Query<&mut Partnership>,
    mut regulators: Query<&mut Regulator>,
) {
    let rng = &mut rng.0;
    let rp = &params.0.regulation;
    let tick = clock.tick;
    let Ok(mut ps) = partnership.single_mut() else { return };
    let (lab_name, inv_name) = (roster.name(roster.lab), roster.name(roster.investor));
    let k = ps.control;
    let hhi_max = signals.hhi.iter().copied().fold(0.0, f64::max);
    let in_depth: u32 = regulators.iter().filter(|r| r.stage == Stage::InDepth).count() as u32;
    let active = ps.status == PartnershipStatus::Active;

    let mut regs: Vec<Mut<Regulator>> = regulators.iter_mut().collect();
    regs.sort_by_key(|r| r.authority as u8);
    for reg in regs.iter_mut() {
        let a = reg.authority;
        let ap = authority_params(&params, a);
        let s = rp.stringency * ap.weight;
        let peers = in_depth - u32::from(reg.stage == Stage::InDepth);
        let name = a.as_str();

        // The partnership case.
        if active && reg.stage != Stage::Decided {
            reg.months_in_stage += 1;
            match reg.stage {
                Stage::Monitoring => {
                    let mut hazard = rp.open_rate
                        + rp.control_weight * k
                        + rp.concentration_weight * (hhi_max - rp.hhi_threshold).max(0.0) / 1000.0
                        + rp.peer_weight * peers as f64
                        + rp.acquihire_weight * signals.partner_acquihires.len() as f64;
                    if signals.bid_filed {
                        hazard *= 2.0;
                    }
                    if chance(rng, s * hazard) {
                        reg.stage = Stage::Inquiry;
                        reg.months_in_stage = 0;
                        log.push(
                            tick,
                            "probe_opened",
                            name,
                            inv_name,
                            format!("inquiry into control of {lab_name} (K={k:.2})"),
                        );
                    }
                }
                Stage::Inquiry if reg.months_in_stage >= ap.inquiry_months => {
                    reg.months_in_stage = 0;
                    if chance(rng, s * rp.escalate_rate * k + rp.peer_weight * peers as f64) {
                        reg.stage = Stage::InDepth;
                        log.push(tick, "probe_escalated", name, inv_name, "in-depth investigation".into());
                    } else {
                        reg.stage = Stage::Monitoring;
                        log.push(tick, "probe_closed", name, inv_name, "no further action".into());
                    }
                }
                Stage::InDepth if reg.months_in_stage >= ap.indepth_months => {
                    reg.stage = Stage::Decided;
                    reg.months_in_stage = 0;
                    let p_divest = (rp.divest_propensity * s * k * k).min(1.0);
                    let p_remedy = (rp.remedy_propensity * s.min(1.0)).min(1.0 - p_divest);
                    let u = uniform(rng);
                    if u < p_divest {
                        let due = tick + rp.compliance_months;
                        ps.separation_due = Some(ps.separation_due.map_or(due, |d| d.min(due)));
                        log.push(
                            tick,
                            "decision",
                            name,
                            inv_name,
                            format!("divest: separation due month {due}"),
                        );
                    } else if u < p_divest + p_remedy {
                        ps.exclusivity = ps.exclusivity.loosened();
                        ps.first_access = false;
                        ps.board_seat = false;
                        log.push(
                            tick,
                            "decision",
                            name,
                            inv_name,
                            format!("remedies: exclusivity {}, no first access", ps.exclusivity.as_str()),
                        );
                    } else {
                        log.push(tick, "decision", name, inv_name, "cleared".into());
                    }
                }
                _ => {}
            }
        }

        // Merger control of a pending bid.
        match (ps.bid_pending_since.is_some() && active, reg.bid) {
            (false, BidReview::Idle) => {}
            (false, _) => reg.bid = BidReview::Idle,
            (true, BidReview::Idle) => {
                reg.bid = BidReview::Phase1 { months: 0 };
                log.push(tick, "bid_review", name, inv_name, "phase 1 opened".into());
            }
            (true, BidReview::Phase1 { months }) => {
                let months = months + 1;
                reg.bid = if months < ap.bid_phase1_months {
                    BidReview::Phase1 { months }
                } else if chance(rng, rp.bid_phase2_rate * s) {
                    log.push(tick, "bid_review", name, inv_name, "phase 2 opened".into());
                    BidReview::Phase2 { months: 0 }
                } else {
                    log.push(tick, "bid_review", name, inv_name, "cleared in phase 1".into());
                    BidReview::Cleared
                };
            }
            (true, BidReview::Phase2 { months }) => {
                let months = months + 1;
                reg.bid = if months < ap.bid_phase2_months {
                    BidReview::Phase2 { months }
                } else if chance(rng, rp.bid_block_propensity * s * k.max(0.5)) {
                    log.push(tick, "bid_review", name, inv_name, "blocked".into());
                    BidReview::Blocked
                } else {
                    log.push(tick, "bid_review", name, inv_name, "cleared in phase 2".into());
                    BidReview::Cleared
                };
            }
            (true, BidReview::Cleared | BidReview::Blocked) => {}
        }
    }
}
