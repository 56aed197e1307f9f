//! The partnership: tension, information sharing, renegotiation, dissolution, bids,
//! and the end states that regulators' decisions bring about.
//!
//! Each month while active:
//! - mutual dependence D = ½·(lab's compute share on the investor) + ½·clamp(1.5 − investor/lab
//!   capability, 0, 1): the lab needs the cloud, the investor needs the lab's models;
//! - control indicator K = 0.3·min(stake/0.5, 1) + 0.25·exclusivity (1, ½, 0) + 0.15·first access
//!   + 0.2·compute share + 0.1·board seat (the CMA's material influence → control scale);
//! - tension T moves by
//!
//!   ```text
//!   overlap_weight·products.overlap·contested + poach_weight·poached/(partners' staff)
//!   + pace_weight·(safety gap + pace gap)/2 + compute_weight·shortfall
//!   − damping·D·T + noise·N(0,1)
//!   ```
//!
//!   (crises add their jump in the governance phase), clamped to 0..=1;
//! - above `sharing_cut_threshold` the lab cuts information sharing by `sharing_cut_rate`;
//! - above `renegotiate_threshold`, or when the lab's recent compute shortfall (a 5-month
//!   average) exceeds `renegotiate_shortfall`, with monthly probability `renegotiate_rate`,
//!   exclusivity loosens one step (exclusive → rofr → none), tension falls by
//!   `renegotiate_relief`, and a compute grievance is settled (its average cleared);
//! - above `dissolve_threshold` and with D below `dissolve_dependence_max`, the partnership
//!   dissolves with monthly probability `dissolve_rate`;
//! - when the lab is weak (a crisis aftermath, or cash for fewer than `weak_capital_months`
//!   of burn) and the stake is at least `bid_min_stake`, the investor bids for control with
//!   monthly probability `bid_propensity`. The bid completes when every authority with
//!   jurisdiction has cleared it, and fails (tension + `bid_failure_tension`) if any blocks it.
//!
//! A divestiture order (regulation) takes effect at its due month: the partners separate.

use bevy_ecs::prelude::*;

use crate::scenario::Exclusivity;
use crate::sim::components::{BidReview, CloudContract, Company, Host, Partnership, PartnershipStatus, Regulator};
use crate::sim::random::{chance, normal};
use crate::sim::resources::{Clock, EventLog, Params, Roster, Signals, SimRng};

/// The lab's share of its compute hosted on the investor's cloud.
pub fn lab_share_on_investor(roster: &Roster, contracts: &Query<&CloudContract>) -> f64 {
    let (mut on_inv, mut total) = (0.0, 0.0);
    for k in contracts.iter() {
        if k.customer == roster.lab {
            total += k.kgpu;
            if k.host == Host::Cloud(roster.investor) {
                on_inv += k.kgpu;
            }
        }
    }
    if total > 0.0 { on_inv / total } else { 0.0 }
}

/// Ends the partnership in `status` at `tick`, setting the terms that status implies.
fn close(ps: &mut Partnership, status: PartnershipStatus, tick: u32) {
    match status {
        PartnershipStatus::Acquired => {
            ps.stake = 1.0;
            ps.exclusivity = Exclusivity::Exclusive;
            ps.first_access = true;
            ps.info_sharing = 1.0;
        }
        PartnershipStatus::Separated | PartnershipStatus::Dissolved => {
            if status == PartnershipStatus::Separated {
                ps.stake = 0.0;
                ps.board_seat = false;
            }
            ps.exclusivity = Exclusivity::None;
            ps.first_access = false;
            ps.info_sharing = 0.0;
        }
        PartnershipStatus::Active => {}
    }
    ps.status = status;
    ps.bid_pending_since = None;
    ps.ended_tick = Some(tick);
}

/// Control indicator of the investor over the lab (0..=1).
pub fn control_indicator(ps: &Partnership, compute_share: f64) -> f64 {
    0.3 * (ps.stake / 0.5).min(1.0)
        + 0.25 * ps.exclusivity.control_weight()
        + 0.15 * f64::from(u8::from(ps.first_access))
        + 0.2 * compute_share
        + 0.1 * f64::from(u8::from(ps.board_seat))
}

#[allow(clippy::too_many_arguments)]
pub fn partnership(
    params: Res<Params>,
    clock: Res<Clock>,
    roster: Res<Roster>,
    mut rng: ResMut<SimRng>,
    mut signals: ResMut<Signals>,
    mut log: ResMut<EventLog>,
    contracts: Query<&CloudContract>,
    companies: Query<&Company>,
    regulators: Query<&Regulator>,
    mut partnership: Query<&mut Partnership>,
) {
    let rng = &mut rng.0;
    let pp = &params.0.partnership;
    let tick = clock.tick;
    let Ok(mut ps) = partnership.single_mut() else { return };
    let (lab_name, inv_name) = (roster.name(roster.lab), roster.name(roster.investor));
    let (mut lab_cap, mut inv_cap, mut staff) = (1.0, 0.0, 0u32);
    let (mut lab_capital, mut lab_flow) = (0.0, 0.0);
    for c in companies.iter() {
        if c.idx == roster.lab {
            lab_cap = c.capability;
            lab_capital = c.capital;
            lab_flow = c.operating_flow;
            staff += c.headcount;
        } else if c.idx == roster.investor {
            inv_cap = c.capability;
            staff += c.headcount;
        }
    }
    let share = lab_share_on_investor(&roster, &contracts);
    ps.control = control_indicator(&ps, share);

    // A divestiture order that falls due ends everything else.
    if ps.status == PartnershipStatus::Active && ps.separation_due.is_some_and(|due| due <= tick) {
        close(&mut ps, PartnershipStatus::Separated, tick);
        log.push(
            tick,
            "separation",
            inv_name,
            lab_name,
            "divestiture order takes effect".into(),
        );
        return;
    }
    if ps.status != PartnershipStatus::Active {
        return;
    }
    ps.dependence = 0.5 * share + 0.5 * (1.5 - inv_cap / lab_cap.max(1e-9)).clamp(0.0, 1.0);

    let poached = signals.poached_lab_to_investor + signals.poached_investor_to_lab;
    let pace = 0.5 * (ps.safety_gap + ps.pace_gap);
    let drift = pp.tension_overlap_weight * params.0.products.overlap * signals.contested
        + pp.tension_poach_weight * poached as f64 / staff.max(1) as f64
        + pp.tension_pace_weight * pace
        + pp.tension_compute_weight * signals.compute_shortfall
        - pp.tension_damping * ps.dependence * ps.tension
        + pp.tension_noise * normal(rng);
    ps.tension = (ps.tension + drift).clamp(0.0, 1.0);

    if ps.tension > pp.sharing_cut_threshold && ps.info_sharing > 0.0 {
        ps.info_sharing *= 1.0 - pp.sharing_cut_rate;
    }
    ps.compute_grievance = 0.8 * ps.compute_grievance + 0.2 * signals.compute_shortfall;
    let short_of_compute = ps.compute_grievance > pp.renegotiate_shortfall;
    if (ps.tension > pp.renegotiate_threshold || short_of_compute)
        && ps.exclusivity != Exclusivity::None
        && chance(rng, pp.renegotiate_rate)
    {
        let from = ps.exclusivity;
        ps.exclusivity = from.loosened();
        ps.tension = (ps.tension - pp.renegotiate_relief).max(0.0);
        ps.renegotiations += 1;
        let why = if short_of_compute {
            ps.compute_grievance = 0.0;
            "compute shortfall"
        } else {
            "tension"
        };
        log.push(
            tick,
            "renegotiation",
            lab_name,
            inv_name,
            format!("exclusivity {} -> {} ({why})", from.as_str(), ps.exclusivity.as_str()),
        );
    }
    if ps.tension > pp.dissolve_threshold && ps.dependence < pp.dissolve_dependence_max && chance(rng, pp.dissolve_rate)
    {
        close(&mut ps, PartnershipStatus::Dissolved, tick);
        log.push(
            tick,
            "dissolution",
            lab_name,
            inv_name,
            format!("tension {:.2}, dependence {:.2}", ps.tension, ps.dependence),
        );
        return;
    }

    match ps.bid_pending_since {
        Some(since) if since < tick => {
            if regulators.iter().any(|r| r.bid == BidReview::Blocked) {
                ps.bid_pending_since = None;
                ps.tension = (ps.tension + pp.bid_failure_tension).min(1.0);
                log.push(tick, "bid_failed", inv_name, lab_name, "blocked by a regulator".into());
            } else if regulators
                .iter()
                .all(|r| matches!(r.bid, BidReview::Cleared | BidReview::NoJurisdiction))
            {
                close(&mut ps, PartnershipStatus::Acquired, tick);
                log.push(
                    tick,
                    "acquisition",
                    inv_name,
                    lab_name,
                    "control acquired after clearance".into(),
                );
            }
        }
        Some(_) => {}
        None => {
            let runway_short = lab_flow < 0.0 && lab_capital < pp.weak_capital_months * -lab_flow;
            let weak = tick < ps.lab_weak_until || runway_short;
            if weak && ps.stake >= pp.bid_min_stake && chance(rng, pp.bid_propensity) {
                ps.bid_pending_since = Some(tick);
                ps.bids += 1;
                signals.bid_filed = true;
                let why = if runway_short {
                    "lab short of cash"
                } else {
                    "lab weakened by crisis"
                };
                log.push(tick, "bid", inv_name, lab_name, format!("bid for control ({why})"));
            }
        }
    }
}
