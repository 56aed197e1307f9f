//! Research: capability from compute and talent, catch-up to the frontier, spillover to
//! the investor.
//!
//! Capability is an index of model quality on a ratio scale (the lab = 1 at start); what
//! matters for products and the decoupling test is a firm's capability relative to the
//! frontier (the best firm this month), and products read it in logs. Capability is a power
//! of effective training compute, K ∝ E^productivity, so log capability is linear in log
//! compute, as the scaling laws have it (loss a power of compute: Kaplan et al. 2020,
//! Hoffmann et al. 2022; benchmark indices roughly linear in log compute). Effective
//! compute is the firm's largest training compute so far (its largest model: a month short
//! of compute adds nothing, and regaining an old peak adds nothing either) times its
//! algorithmic efficiency, which grows at `algorithmic_progress` a month for a team of
//! reference skill (Ho et al. 2024). Each month a firm's capability grows by a factor 1 + g:
//!
//! ```text
//! own = productivity · (Δ⁺ln C_peak + (S/talent_ref)^talent_elasticity · algorithmic_progress)
//! g   = own · (frontier/capability)^catch_up · max(0, 1 + noise·N(0,1))
//! ```
//!
//! with own ≈ Δ ln K for a firm at the frontier. Effective compute is physical compute
//! times algorithmic efficiency (Ho et al. 2024): the scaling law turns compute into
//! capability whoever runs it, and the talent factor sets how fast a team improves its
//! recipes. C is the training compute the
//! firm can use (the lab: its usable training contracts, less disrupted migrations, so a
//! compute shortfall slows it; an independent lab: the served part of its rented compute;
//! plus the compute committed under its ties; others: the training share
//! `cloud.training_share` of their own compute, the rest serving
//! their products) and S its researchers' summed skill. Only the growth of compute counts,
//! so 60 months multiply capability by (compute growth × algorithmic growth)^productivity:
//! about ×3 at the baseline's inputs, not an order of magnitude. The catch-up factor is the
//! diffusion of ideas (papers, distillation, staff moves): followers grow faster the further
//! behind they are (Nelson–Phelps catch-up), so relative positions settle where a firm's
//! inputs put them instead of drifting apart; the frontier firm grows on its inputs alone. A
//! guard bounds the month's growth so that imitation takes a follower at most to the
//! frontier, its own inputs' growth on top (g ≤ frontier/capability − 1 + own growth, after
//! the shock). The open-weight champion's output is scaled by (0.5 + open_source.strength),
//! the community's help. While the partnership is active, first access and information
//! sharing spill the lab's lead to the investor: Δ = spillover_rate · info_sharing · (1 if
//! first_access else ½) · max(0, lab − investor). After an acquisition the investor owns the
//! lab's models. While the partnership is active the investor hedges: its training compute
//! is scaled by 1 + `partnership.hedge_response` · tension, so tension that rises builds its
//! parallel capability (only a rise of its peak compute counts).
//!
//! The open-weight lag (months) is how long the frontier, at its average monthly growth
//! since the start, takes to go from the open-weight champion's level to its own.

use bevy_ecs::prelude::*;

use crate::scenario::Role;
use crate::world::components::{CloudContract, Company, Partnership, PartnershipStatus, Workload};
use crate::world::random::normal;
use crate::world::random::{SimRng, Stream};
use crate::world::resources::{Clock, Params, Roster};
use crate::world::signals::Signals;

#[allow(clippy::too_many_arguments)]
pub fn research(
    params: Res<Params>,
    clock: Res<Clock>,
    roster: Res<Roster>,
    mut rng: ResMut<SimRng>,
    mut signals: ResMut<Signals>,
    mut market: ResMut<super::cloud::CloudMarket>,
    partnership: Query<&Partnership>,
    contracts: Query<&CloudContract>,
    mut companies: Query<&mut Company>,
) {
    let rng = rng.get(Stream::Research);
    let p = &params.0;
    let r = &p.research;
    let lab = roster.lab;
    let mut lab_training = 0.0;
    for k in contracts.iter() {
        if k.customer == lab && k.workload == Workload::Training {
            lab_training += (k.kgpu - k.disrupted).max(0.0);
        }
    }
    // The investor hedges against the partnership: the more tension, the more of its own
    // compute it puts into training its own models (after the November 2023 board crisis
    // Microsoft hired Inflection's team, March 2024, to build its own MAI models).
    let hedge = match partnership.single() {
        Ok(ps) if ps.status == PartnershipStatus::Active => 1.0 + p.partnership.hedge_response * ps.tension,
        _ => 1.0,
    };
    // Iterate in roster order so the RNG draws do not depend on storage order.
    let mut firms: Vec<Mut<Company>> = companies.iter_mut().collect();
    firms.sort_by_key(|c| c.idx);
    let frontier = firms.iter().map(|c| c.capability).fold(1e-9, f64::max);
    if signals.frontier_start <= 0.0 {
        signals.frontier_start = frontier;
    }
    let (mut lab_cap, mut inv_cap) = (0.0, 0.0);
    for c in firms.iter_mut() {
        let compute = match c.role {
            Role::Lab => lab_training,
            // What its hosts could serve of its rented compute, and its ties' committed compute.
            Role::IndependentLab => {
                let i = c.idx as usize;
                (market.rented(c.own_compute) * market.tenant_served + market.tie_compute(i)) * p.cloud.training_share
            }
            _ if c.idx == roster.investor => c.own_compute * p.cloud.training_share * hedge,
            _ => c.own_compute * p.cloud.training_share,
        };
        let behind = frontier / c.capability.max(1e-9);
        // The growth of the firm's largest training compute so far (none in its first month).
        let peak = &mut market.training_peak[c.idx as usize];
        let scale_up = if *peak > 0.0 && compute > *peak {
            (compute / *peak).ln()
        } else {
            0.0
        };
        *peak = peak.max(compute);
        let mut own = r.productivity
            * (scale_up + (c.skill_sum / r.talent_ref).max(0.0).powf(r.talent_elasticity) * r.algorithmic_progress);
        let mut g = own * behind.powf(r.catch_up);
        if c.role == Role::OpenWeight {
            g *= 0.5 + p.open_source.strength;
            own *= 0.5 + p.open_source.strength;
        }
        let shock = (1.0 + r.noise * normal(rng)).max(0.0);
        c.capability *= growth_factor(g, own, behind, shock);
        // The same law without the lab's spillover (the same shock: no extra draw). Only the
        // investor's differs: the others absorb nothing from the lab.
        let behind_inhouse = frontier / c.inhouse_capability.max(1e-9);
        let g_inhouse = own * behind_inhouse.powf(r.catch_up);
        c.inhouse_capability *= growth_factor(g_inhouse, own, behind_inhouse, shock);
        if c.idx == lab {
            lab_cap = c.capability;
        } else if c.idx == roster.investor {
            inv_cap = c.capability;
        }
    }
    if let Ok(ps) = partnership.single() {
        let target = match ps.status {
            PartnershipStatus::Active => {
                let access = if ps.first_access { 1.0 } else { 0.5 };
                inv_cap + r.spillover_rate * ps.info_sharing * access * (lab_cap - inv_cap).max(0.0)
            }
            PartnershipStatus::Acquired => inv_cap.max(lab_cap),
            _ => inv_cap,
        };
        for c in firms.iter_mut() {
            if c.idx == roster.investor && target != inv_cap {
                c.capability = target;
            }
        }
    }
    let frontier = firms.iter().map(|c| c.capability).fold(1e-9, f64::max);
    signals.frontier = frontier;
    signals.open_weight_lag = firms
        .iter()
        .filter(|c| c.role == Role::OpenWeight)
        .map(|c| c.capability)
        .fold(None, |best: Option<f64>, x| Some(best.map_or(x, |b| b.max(x))))
        .map_or(0.0, |open| {
            let pace = (frontier / signals.frontier_start).ln() / f64::from(clock.tick.max(1));
            if pace > 1e-9 {
                (frontier / open).ln().max(0.0) / pace
            } else {
                0.0
            }
        });
}

/// A month's growth factor 1 + g·shock of a firm `behind` the frontier (frontier ÷ its
/// capability), with a numerical guard, not a model of diffusion speed: imitation takes a
/// follower at most to the frontier, its own inputs' growth on top (capability · (1 + g) ≤
/// frontier + own growth · capability). Far from the baseline (a steep catch_up and a firm
/// far behind) the power would otherwise overflow capability. A firm's own inputs at most
/// double its capability in a month (the baseline's grow it a few percent): with a
/// vanishing `talent_ref` or a steep `talent_elasticity` the leader would otherwise reach
/// infinity, and the ratios read from it NaN.
fn growth_factor(g: f64, own: f64, behind: f64, shock: f64) -> f64 {
    1.0 + (g * shock).min(behind - 1.0 + (own * shock).min(1.0))
}
