//! Governance shocks: board crises, and the safety-vs-speed and commercialization-pace
//! gaps between the lab and the investor.
//!
//! Crises arrive as a Poisson process (`governance.crisis_rate` per month). A crisis adds
//! `partnership.tension_crisis_jump` to tension, leaves the lab weak (a bid target) for
//! `governance.crisis_weak_months`, may hand the investor a board seat (a control
//! indicator), and pushes the lab's staff onto the job market (see hiring). The two gaps
//! follow mean-reverting random walks; the partnership turns them into tension.

use bevy_ecs::prelude::*;

use crate::world::components::{Partnership, PartnershipStatus};
use crate::world::random::{normal, poisson, uniform};
use rand::rngs::ChaCha8Rng;

use crate::scenario::Scenario;
use crate::world::random::{SimRng, Stream};
use crate::world::resources::{Clock, EventLog, Params, Roster};
use crate::world::signals::Signals;

pub fn governance_shocks(
    params: Res<Params>,
    clock: Res<Clock>,
    roster: Res<Roster>,
    mut rng: ResMut<SimRng>,
    mut signals: ResMut<Signals>,
    mut log: ResMut<EventLog>,
    mut partnership: Query<&mut Partnership>,
) {
    let rng = rng.get(Stream::Governance);
    let p = &params.0;
    let g = &p.governance;
    let tick = clock.tick;
    // (Last month's flow signals were cleared at the start of the month, by the timeline phase.)
    let Ok(mut ps) = partnership.single_mut() else { return };
    let crises = poisson(rng, g.crisis_rate);
    signals.crises += crises;
    for _ in 0..crises {
        board_crisis(p, tick, &roster, rng, &mut log, &mut ps, "crisis");
    }
    if ps.status == PartnershipStatus::Active && ps.absorption_until.is_some_and(|until| tick <= until) {
        signals.absorption_severity = Some(ps.crisis_severity);
    }
    let walk = |gap: f64, initial: f64, rng: &mut rand::rngs::ChaCha8Rng| {
        (gap + g.gap_reversion * (initial - gap) + g.gap_volatility * normal(rng)).clamp(0.0, 1.0)
    };
    ps.safety_gap = walk(ps.safety_gap, g.safety_gap_initial, rng);
    ps.pace_gap = walk(ps.pace_gap, g.pace_gap_initial, rng);
}

/// One board crisis at the lab, logged as `kind` (`crisis`, or `scheduled_crisis` from a
/// timeline): tension jumps, the lab is weak for `crisis_weak_months`, the investor may
/// offer to hire the lab's staff and may gain a board seat. Draws three uniforms from
/// `rng` first, in a fixed order (severity, offer, seat).
pub fn board_crisis(
    p: &Scenario,
    tick: u32,
    roster: &Roster,
    rng: &mut ChaCha8Rng,
    log: &mut EventLog,
    ps: &mut Partnership,
    kind: &'static str,
) {
    let g = &p.governance;
    let pp = &p.partnership;
    ps.lab_weak_until = ps.lab_weak_until.max(tick + g.crisis_weak_months);
    // The month's three uniforms are drawn first, whatever the state: a change of state
    // or of a probability never shifts later draws (common random numbers).
    let (severity, u_offer, u_seat) = (uniform(rng), uniform(rng), uniform(rng));
    // The investor may offer to hire the lab's staff (as in November 2023). Hiring a
    // rival's whole team is a reviewable merger (as the CMA and the FTC treated
    // Microsoft/Inflection); the stricter the authorities, the less the investor tries it.
    let offer_p = pp.absorption_offer_prob * (1.0 - pp.absorption_review_risk * p.regulation.stringency).max(0.0);
    if ps.status == PartnershipStatus::Active && ps.absorption_until.is_none() && u_offer < offer_p {
        ps.absorption_until = Some(tick + pp.absorption_window_months - 1);
        ps.absorption_base = 0.0;
        ps.absorbed_skill = 0.0;
        ps.crisis_severity = severity;
        log.push(
            tick,
            "absorption_offer",
            roster.name(roster.investor),
            roster.name(roster.lab),
            format!("offer to hire the lab's staff (crisis severity {severity:.2})"),
        );
    }
    // The investor may take a board seat in the crisis (as it took a non-voting observer
    // seat in November 2023): a governance right that, with the partnership's ties, is de
    // facto control and a new merger situation for the authorities (see regulation).
    let seat = ps.status == PartnershipStatus::Active && !ps.board_seat && u_seat < g.crisis_board_seat_prob;
    if ps.status == PartnershipStatus::Active {
        ps.tension = (ps.tension + p.partnership.tension_crisis_jump).min(1.0);
        if seat {
            ps.board_seat = true;
        }
    }
    let detail = if seat {
        "board crisis; investor gains a board seat"
    } else {
        "board crisis"
    };
    log.push(tick, kind, roster.name(roster.lab), "", detail.into());
}
