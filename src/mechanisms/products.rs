//! Products: model quality → market shares by a logit per segment → revenue and cash.
//!
//! In each segment, product j has utility
//!
//! ```text
//! V_j = quality_weight·q_j + distribution_weight·d_j − price_weight·ln(price_j)
//! ```
//!
//! and share exp(V_j)/Σ exp(V). Quality is the capability of the model behind the product:
//! the lab's own; the investor's best of its in-house model and the lab's (while the
//! partnership gives it access: first access 1, otherwise 0.9; after an acquisition 1); the
//! open-weight champion's scaled by (0.85 + 0.2·strength), its price by (1 − strength/4).
//!
//! A startup fringe competes in every segment with quality
//! q_open·(startup_fringe_quality + 0.6·strength) + 0.1·ln(1 + startups/10), where q_open is
//! the open-weight champion's capability (0.7 × the lab's without one): startups build on
//! open models. Its price is `startup_fringe_price`; its HHI term is split over the startups.
//!
//! `products.overlap` sets how hard the investor and the lab push into each other's home
//! segments: their distribution there is scaled by it (lab home: consumer assistant,
//! developer API; investor home: copilot, cloud AI).
//!
//! Revenue is share × segment size (growing `market_growth` a month). While partnered, the
//! lab earns `resale_margin` of the investor's revenue made on its models and pays
//! `lab_revenue_share` of its own product revenue to the investor. Each firm's cash then
//! moves by revenue + other income − payroll − compute and deal spending.

use bevy_ecs::prelude::*;

use crate::scenario::{Role, Segment};
use crate::sim::components::{Company, Partnership, PartnershipStatus, Product};
use crate::sim::resources::{Clock, Params, Roster, Signals, StartupIndex};

use super::hiring::MAX_FIRMS;

/// Whether a segment is the lab's home turf (else the investor's).
fn lab_home(s: Segment) -> bool {
    matches!(s, Segment::ConsumerAssistant | Segment::DeveloperApi)
}

/// Quality of a typical startup product relative to the best open-weight model: open models
/// lift the whole fringe.
pub fn fringe_base_quality(s: &crate::scenario::Scenario) -> f64 {
    s.products.startup_fringe_quality + 0.6 * s.open_source.strength
}

/// Whether the startup fringe competes in a segment.
/// (Everywhere: assistants, copilots, APIs, and GPU clouds hosting open models.)
pub fn fringe_competes(_s: Segment) -> bool {
    true
}

#[allow(clippy::too_many_arguments)]
pub fn products(
    params: Res<Params>,
    clock: Res<Clock>,
    roster: Res<Roster>,
    startups: Res<StartupIndex>,
    mut signals: ResMut<Signals>,
    partnership: Query<&Partnership>,
    mut companies: Query<&mut Company>,
    mut products: Query<&mut Product>,
) {
    let p = &params.0;
    let pp = &p.products;
    let os = p.open_source.strength;
    let Ok(ps) = partnership.single() else { return };
    let lab = roster.lab as usize;
    let investor = roster.investor as usize;

    let mut capability = [0.0f64; MAX_FIRMS];
    let mut distribution = [0.0f64; MAX_FIRMS];
    let mut log_price = [0.0f64; MAX_FIRMS];
    let mut role = [Role::RivalCloud; MAX_FIRMS];
    for c in companies.iter() {
        capability[c.idx as usize] = c.capability;
        distribution[c.idx as usize] = c.distribution;
        let price = if c.role == Role::OpenWeight {
            c.price * (1.0 - 0.25 * os)
        } else {
            c.price
        };
        log_price[c.idx as usize] = price.max(1e-6).ln();
        role[c.idx as usize] = c.role;
    }
    let access = match ps.status {
        PartnershipStatus::Active if ps.first_access => 1.0,
        PartnershipStatus::Active => 0.9,
        PartnershipStatus::Acquired => 1.0,
        _ => 0.0,
    };
    let investor_quality = capability[investor].max(access * capability[lab]);
    // A compute shortfall rations the lab's own products (rate limits, waitlists); the
    // investor serves the lab's models from its own cloud.
    let lab_served = capability[lab] * (1.0 - p.cloud.shortfall_quality_loss * signals.compute_shortfall);
    let investor_uses_lab = access * capability[lab] > capability[investor];
    // Startups build on open-weight models: the fringe follows the open-weight champion
    // (or, without one, trails the lab).
    let open_cap = (0..roster.firms())
        .find(|&f| role[f] == Role::OpenWeight)
        .map_or(0.7 * capability[lab], |f| capability[f]);
    let fringe_quality =
        open_cap * fringe_base_quality(&params.0) + 0.1 * (1.0 + startups.alive.len() as f64 / 10.0).ln();
    let fringe_distribution = 0.2 + 0.3 * os;

    // Logit shares: first pass sums, second pass writes shares.
    let mut denom = [0.0f64; 4];
    let utility = |pr: &Product| -> f64 {
        let f = pr.firm as usize;
        let q = if f == investor {
            investor_quality
        } else if role[f] == Role::OpenWeight {
            capability[f] * (0.85 + 0.2 * os)
        } else if f == lab {
            lab_served
        } else {
            capability[f]
        };
        let mut d = distribution[f];
        if (f == investor && lab_home(pr.segment)) || (f == lab && !lab_home(pr.segment)) {
            d *= pp.overlap;
        }
        pp.quality_weight * q + pp.distribution_weight * d - pp.price_weight * log_price[f]
    };
    let fringe_u = pp.quality_weight * fringe_quality + pp.distribution_weight * fringe_distribution
        - pp.price_weight * pp.startup_fringe_price.ln();
    // Utilities are bounded (capabilities stay O(1..100)), so exp needs no max shift
    // beyond a fixed offset by the fringe utility.
    for mut pr in products.iter_mut() {
        let u = (utility(&pr) - fringe_u).min(700.0).exp();
        pr.share = u; // stash the weight; normalised below
        denom[pr.segment.index()] += u;
    }
    let mut fringe_share = [0.0f64; 4];
    for s in Segment::ALL {
        if fringe_competes(s) && !startups.alive.is_empty() {
            denom[s.index()] += 1.0; // exp(fringe_u - fringe_u)
            fringe_share[s.index()] = 1.0;
        }
    }
    let growth = (1.0 + pp.market_growth).powi(clock.tick as i32);
    let mut revenue = [0.0f64; MAX_FIRMS];
    let mut hhi = [0.0f64; 4];
    let mut fringe_revenue = 0.0;
    let mut lab_share = [0.0f64; 4];
    let mut inv_share = [0.0f64; 4];
    let mut present = [[false; 2]; 4];
    let mut resale = 0.0;
    for mut pr in products.iter_mut() {
        let si = pr.segment.index();
        pr.share = if denom[si] > 0.0 { pr.share / denom[si] } else { 0.0 };
        pr.quality = if pr.firm as usize == investor {
            investor_quality
        } else {
            capability[pr.firm as usize]
        };
        let rev = pr.share * pp.market_size[si] * growth;
        revenue[pr.firm as usize] += rev;
        if pr.firm as usize == investor && investor_uses_lab {
            resale += rev * pp.resale_margin;
        }
        hhi[si] += (pr.share * 100.0).powi(2);
        if pr.firm as usize == lab {
            lab_share[si] = pr.share;
            present[si][0] = true;
        } else if pr.firm as usize == investor {
            inv_share[si] = pr.share;
            present[si][1] = true;
        }
    }
    for s in Segment::ALL {
        let si = s.index();
        if fringe_share[si] > 0.0 {
            // The fringe is many small firms: its HHI term is split over the startups alive.
            let share = 1.0 / denom[si];
            hhi[si] += (share * 100.0).powi(2) / startups.alive.len().max(1) as f64;
            fringe_revenue += share * pp.market_size[si] * growth;
        }
    }
    signals.hhi = hhi;
    signals.fringe_revenue = fringe_revenue;
    for (si, share) in fringe_share.iter_mut().enumerate() {
        if *share > 0.0 {
            *share = 1.0 / denom[si];
        }
    }
    signals.fringe_share = fringe_share;
    // Contested revenue: how much of the two partners' segments they split between them.
    let mut both = 0.0;
    let mut contested = 0.0;
    for si in 0..4 {
        if present[si][0] && present[si][1] {
            both += 1.0;
            contested += 2.0 * lab_share[si].min(inv_share[si]);
        }
    }
    signals.contested = if both > 0.0 { (contested / both).min(1.0) } else { 0.0 };
    let usage = revenue;
    if ps.status == PartnershipStatus::Active {
        // Revenue shares run both ways: the investor pays for reselling the lab's models,
        // the lab pays a share of its own product revenue.
        let to_investor = revenue[lab] * ps.revenue_share;
        revenue[investor] += to_investor - resale;
        revenue[lab] += resale - to_investor;
    }

    let cost = p.talent.cost_per_researcher;
    for mut c in companies.iter_mut() {
        let i = c.idx as usize;
        let payroll = c.headcount as f64 * cost * c.pay;
        c.revenue = revenue[i];
        c.usage = usage[i];
        let operating = c.revenue + c.other_income - payroll - c.spend;
        c.capital += operating - c.one_off;
        c.operating_flow = operating;
        c.spend = 0.0;
        c.one_off = 0.0;
    }
}
