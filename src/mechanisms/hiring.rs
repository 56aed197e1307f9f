//! Hiring: researchers choose employers; firms hire within their budgets; poaching.
//!
//! Each researcher looks at offers in months drawn from a job-search hazard
//! (`talent.search_hazard`; boosted by `talent.crisis_search_boost` for the lab's staff in
//! a crisis month; always when their startup failed). A searcher picks among the firms
//! and the startup sector by a multinomial logit:
//!
//! U_f = pay_weight·ln(pay_f) + prestige_weight·ln(capability_f)
//!       + mission_weight·(1 − |mission_pref − mission_f|) + switching_cost·[f = current]
//!
//! A firm hires at most ⌊hiring_budget_share·capital / (12·cost_per_researcher·pay)⌋
//! researchers a month (a year of pay committed per hire); a full firm drops out of the
//! choice set. Moves between the lab and the investor are poaching, which the partnership
//! turns into tension. Staff of an acquired startup join the acquirer at their next pass.
//!
//! Cost: one byte compare per researcher-month, plus one logit draw per searcher.

use bevy_ecs::prelude::*;

use crate::sim::components::{Company, Researcher, STARTUP_BASE, UNATTACHED};
use crate::sim::random::{chance, geometric_months, uniform};
use crate::sim::resources::{Clock, EventLog, FATE_ALIVE, FATE_FAILED, Params, Roster, Signals, SimRng, StartupIndex};

/// Most companies in a roster (validated in the scenario).
pub const MAX_FIRMS: usize = 32;
/// Choice options: firms, then the startup sector; flows also track "unattached".
const OPTIONS: usize = MAX_FIRMS + 2;

#[allow(clippy::too_many_arguments)]
pub fn hiring(
    params: Res<Params>,
    clock: Res<Clock>,
    roster: Res<Roster>,
    mut rng: ResMut<SimRng>,
    mut signals: ResMut<Signals>,
    mut log: ResMut<EventLog>,
    mut startups: ResMut<StartupIndex>,
    mut companies: Query<&mut Company>,
    mut researchers: Query<&mut Researcher>,
) {
    let rng = &mut rng.0;
    let p = &params.0;
    let t = &p.talent;
    let tick = clock.tick;
    let nf = roster.firms();
    let sector = nf; // option index of the startup sector
    let unattached = nf + 1; // flow index of "between jobs"

    // Per-month firm terms, so the per-researcher work is a few multiply-adds.
    let mut base = [0.0f64; OPTIONS];
    let mut mission = [0.0f64; OPTIONS];
    let mut slots = [0i64; OPTIONS];
    for c in companies.iter() {
        let i = c.idx as usize;
        base[i] = t.pay_weight * c.pay.ln() + t.prestige_weight * c.capability.max(1e-6).ln();
        mission[i] = c.mission;
        let per_hire = 12.0 * t.cost_per_researcher * c.pay;
        slots[i] = if per_hire > 0.0 {
            (t.hiring_budget_share * c.capital.max(0.0) / per_hire)
                .floor()
                .min(1e12) as i64
        } else {
            i64::MAX
        };
    }
    let fringe_quality = super::products::fringe_base_quality(p);
    base[sector] = t.pay_weight * t.startup_pay.ln() + t.prestige_weight * fringe_quality.max(1e-6).ln();
    mission[sector] = t.startup_mission;
    let has_startups = !startups.alive.is_empty();
    slots[sector] = if has_startups { i64::MAX } else { 0 };

    let lab = roster.lab as usize;
    let investor = roster.investor as usize;
    let crisis_extra = if signals.crises > 0 {
        (t.crisis_search_boost - 1.0).max(0.0) * t.search_hazard
    } else {
        0.0
    };

    let mut hc_delta = [0i64; OPTIONS];
    let mut skill_delta = [0.0f64; OPTIONS];
    let mut flows = [[0u32; OPTIONS]; OPTIONS];
    let mut weights = [0.0f64; OPTIONS];
    let StartupIndex {
        alive,
        staff_delta,
        fate,
        ..
    } = &mut *startups;

    for mut r in researchers.iter_mut() {
        let emp = r.employer;
        let (current, forced) = if emp == UNATTACHED {
            (None, true)
        } else if emp >= STARTUP_BASE {
            let slot = (emp - STARTUP_BASE) as usize;
            match fate.get(slot).copied().unwrap_or(FATE_FAILED) {
                FATE_ALIVE => (Some(sector), false),
                FATE_FAILED => (None, true),
                acquirer => {
                    // Acquired startup: staff join the acquirer without a search.
                    let a = acquirer as usize;
                    r.employer = acquirer;
                    hc_delta[a] += 1;
                    skill_delta[a] += r.skill as f64;
                    flows[sector][a] += 1;
                    continue;
                }
            }
        } else {
            (Some(emp as usize), false)
        };
        let searching = forced
            || u32::from(r.next_search) <= tick
            || (crisis_extra > 0.0 && current == Some(lab) && chance(rng, crisis_extra));
        if !searching {
            continue;
        }
        r.next_search = (tick + geometric_months(rng, t.search_hazard)).min(u16::MAX as u32) as u16;

        // Logit over the open options (the current employer is always open).
        let m = r.mission_pref as f64;
        let mut max_u = f64::NEG_INFINITY;
        for o in 0..=nf {
            let open = slots[o] > 0 || current == Some(o);
            weights[o] = if open {
                let stay = if current == Some(o) { t.switching_cost } else { 0.0 };
                let u = base[o] + t.mission_weight * (1.0 - (m - mission[o]).abs()) + stay;
                max_u = max_u.max(u);
                u
            } else {
                f64::NEG_INFINITY
            };
        }
        if max_u == f64::NEG_INFINITY {
            continue; // nowhere to go and nothing to keep: stays unattached
        }
        let mut total = 0.0;
        for w in weights.iter_mut().take(nf + 1) {
            *w = (*w - max_u).exp();
            total += *w;
        }
        let mut pick = uniform(rng) * total;
        let mut chosen = nf;
        for (o, w) in weights.iter().enumerate().take(nf + 1) {
            if pick < *w {
                chosen = o;
                break;
            }
            pick -= *w;
        }
        if weights[chosen] == 0.0 || Some(chosen) == current {
            continue;
        }

        // Leave the old employer.
        let skill = r.skill as f64;
        match current {
            Some(o) if o == sector => staff_delta.push((emp - STARTUP_BASE, -1)),
            Some(o) => {
                hc_delta[o] -= 1;
                skill_delta[o] -= skill;
            }
            None => {}
        }
        // Join the new one.
        if chosen == sector {
            let (slot, _) = alive[((uniform(rng) * alive.len() as f64) as usize).min(alive.len() - 1)];
            r.employer = STARTUP_BASE + slot;
            staff_delta.push((slot, 1));
        } else {
            slots[chosen] -= 1;
            r.employer = chosen as u32;
            hc_delta[chosen] += 1;
            skill_delta[chosen] += skill;
        }
        flows[current.unwrap_or(unattached)][chosen] += 1;
        signals.moves += 1;
    }

    for mut c in companies.iter_mut() {
        let i = c.idx as usize;
        if hc_delta[i] != 0 {
            c.headcount = (c.headcount as i64 + hc_delta[i]).max(0) as u32;
            c.skill_sum = (c.skill_sum + skill_delta[i]).max(0.0);
        }
    }
    signals.poached_lab_to_investor += flows[lab][investor];
    signals.poached_investor_to_lab += flows[investor][lab];

    let label = |o: usize| -> &str {
        if o < nf {
            roster.name(o as u8)
        } else if o == sector {
            "startups"
        } else {
            "unattached"
        }
    };
    // The narrative: poaching between the partners, and one line per partner per month
    // summing its hires by source (the full flows are in the metrics).
    if flows[lab][investor] > 0 {
        log.push(
            tick,
            "poach",
            label(investor),
            label(lab),
            format!("{} researchers", flows[lab][investor]),
        );
    }
    if flows[investor][lab] > 0 {
        log.push(
            tick,
            "poach",
            label(lab),
            label(investor),
            format!("{} researchers", flows[investor][lab]),
        );
    }
    for partner in [lab, investor] {
        let other = if partner == lab { investor } else { lab };
        let mut detail = String::new();
        let mut total = 0;
        for (from, row) in flows.iter().enumerate().take(nf + 2) {
            let n = row[partner];
            if n > 0 && from != partner && from != other {
                total += n;
                if !detail.is_empty() {
                    detail.push_str("; ");
                }
                detail.push_str(&format!("{n} from {}", label(from)));
            }
        }
        if total > 0 {
            log.push(
                tick,
                "hires",
                label(partner),
                "",
                format!("{total} researchers: {detail}"),
            );
        }
    }
}
