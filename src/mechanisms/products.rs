//! Products: model quality → market shares by a logit per segment → revenue and cash.
//!
//! In each segment, product j has utility
//!
//! ```text
//! V_j = quality_weight·ln(q_j / frontier) + distribution_weight·d_j − price_weight·ln(price_j) + ξ_j
//! ```
//!
//! and share exp(V_j)/Σ exp(V). Quality enters relative to the frontier (the best model of
//! any firm this month), so what users compare is how far a model is behind the best one,
//! and growing capability indices cannot swamp price and distribution. q_j is the capability
//! of the model behind the product: the lab's own (rationed by a compute shortfall); the
//! investor's best of its in-house model and the lab's (while the partnership gives it
//! access: first access 1, otherwise 0.9; after an acquisition 1); the open-weight
//! champion's scaled by (0.85 + 0.2·strength), its price by (1 − strength/4).
//!
//! ξ_j is the product's brand: everything the observables leave out (habit, ecosystems,
//! enterprise contracts). It is set once at the start by inverting the logit at the
//! observed starting shares `companies[].initial_shares` (Berry 1994): with the fringe as
//! the reference (ξ = 0), ξ_j = ln(s_j/s_0) − (V_j − V_0) at the starting state, so month-1
//! shares reproduce the record and every later movement comes from the mechanisms. A
//! company without `initial_shares` has ξ = 0.
//!
//! A startup fringe competes in every segment with quality
//! q_open·(startup_fringe_quality + 0.6·strength), where q_open is the open-weight
//! champion's capability (0.7 × the lab's without one): startups build on open models. Its
//! price is `startup_fringe_price`, and its utility gains ln(N/N₀) with N startups alive
//! (N₀ at the start): the inclusive value of N similar logit products. Its HHI term is split
//! over the startups.
//!
//! `products.overlap` sets how hard the investor and the lab push into each other's home
//! segments: their distribution there is scaled by it (lab home: consumer assistant,
//! developer API; investor home: copilot, cloud AI).
//!
//! Revenue is share × segment size (growing `market_growth` a month). While partnered, the
//! lab earns `resale_margin` of the investor's revenue made on its models and pays
//! `lab_revenue_share` of its own product revenue to the investor. Each firm's cash then
//! moves by revenue + other income − payroll − other operating costs (`other_cost_share`
//! of its usage) − compute and deal spending.

use bevy_ecs::prelude::*;

use crate::scenario::{Role, Segment};
use crate::world::components::{Company, Partnership, PartnershipStatus, Product, Tie};
use crate::world::resources::{Clock, Params, Roster, StartupIndex};
use crate::world::signals::Signals;

use crate::world::components::MAX_FIRMS;

/// Whether a segment is the lab's home turf (else the investor's).
fn lab_home(s: Segment) -> bool {
    matches!(s, Segment::ConsumerAssistant | Segment::DeveloperApi)
}

/// Quality of a typical startup product relative to the best open-weight model: open models
/// lift the whole fringe.
pub fn fringe_base_quality(s: &crate::scenario::Scenario) -> f64 {
    s.products.startup_fringe_quality + 0.6 * s.open_source.strength
}

/// How much of the lab's model the investor's products can use.
pub fn access(ps: &Partnership) -> f64 {
    match ps.status {
        PartnershipStatus::Active if ps.first_access => 1.0,
        PartnershipStatus::Active => 0.9,
        PartnershipStatus::Acquired => 1.0,
        _ => 0.0,
    }
}

/// The capability the startup fringe builds on: the best open-weight model, or without an
/// open-weight firm 0.7 × the lab's. One definition for products, hiring and setup.
pub fn open_capability(firms: impl Iterator<Item = (Role, f64)>, lab_capability: f64) -> f64 {
    firms
        .filter(|&(role, _)| role == Role::OpenWeight)
        .map(|(_, capability)| capability)
        .reduce(f64::max)
        .unwrap_or(0.7 * lab_capability)
}

/// Whether the startup fringe competes in a segment.
/// (Everywhere: assistants, copilots, APIs, and GPU clouds hosting open models.)
pub fn fringe_competes(_s: Segment) -> bool {
    true
}

/// What a product's utility depends on this month, firm by firm (brand aside).
pub struct Observables {
    /// Quality of the model behind each firm's products, relative to the frontier.
    quality: [f64; MAX_FIRMS],
    distribution: [f64; MAX_FIRMS],
    log_price: [f64; MAX_FIRMS],
    /// The share of buyers the firm's developer API does not reach through its models'
    /// listings on partner clouds' AI platforms (1 without listings).
    unreached: [f64; MAX_FIRMS],
    lab: usize,
    investor: usize,
    /// The startup fringe's utility (it has no brand: it is the reference).
    pub fringe: f64,
    /// Whether the investor's products run on the lab's models.
    pub investor_uses_lab: bool,
    /// The investor's model quality (absolute), shown as its products' quality.
    pub investor_quality: f64,
}

/// One firm as the product market sees it.
#[derive(Debug, Clone, Copy)]
pub struct FirmView {
    pub idx: usize,
    pub role: Role,
    pub capability: f64,
    pub distribution: f64,
    pub price: f64,
}

impl Observables {
    /// `access`: how much of the lab's model the investor can use (0..=1); `shortfall`: the
    /// lab's unmet compute share; `alive`: startups alive.
    pub fn new(
        p: &crate::scenario::Scenario,
        firms: &[FirmView],
        lab: usize,
        investor: usize,
        access: f64,
        shortfall: f64,
        alive: usize,
    ) -> Self {
        let pp = &p.products;
        let os = p.open_source.strength;
        let mut capability = [0.0f64; MAX_FIRMS];
        let mut o = Observables {
            quality: [1.0; MAX_FIRMS],
            distribution: [0.0; MAX_FIRMS],
            log_price: [0.0; MAX_FIRMS],
            unreached: [1.0; MAX_FIRMS],
            lab,
            investor,
            fringe: 0.0,
            investor_uses_lab: false,
            investor_quality: 0.0,
        };
        for f in firms {
            capability[f.idx] = f.capability;
            o.distribution[f.idx] = f.distribution;
            let price = if f.role == Role::OpenWeight {
                f.price * (1.0 - 0.25 * os)
            } else {
                f.price
            };
            o.log_price[f.idx] = price.max(1e-6).ln();
        }
        let frontier = firms.iter().map(|f| f.capability).fold(1e-9, f64::max);
        o.investor_quality = capability[investor].max(access * capability[lab]);
        o.investor_uses_lab = access * capability[lab] > capability[investor];
        for f in firms {
            // A compute shortfall rations the lab's own products (rate limits, waitlists);
            // the investor serves the lab's models from its own cloud.
            let q = if f.idx == investor {
                o.investor_quality
            } else if f.role == Role::OpenWeight {
                f.capability * (0.85 + 0.2 * os)
            } else if f.idx == lab {
                f.capability * (1.0 - p.cloud.shortfall_quality_loss * shortfall)
            } else {
                f.capability
            };
            o.quality[f.idx] = (q / frontier).max(1e-9);
        }
        // Startups build on open-weight models: the fringe follows the open-weight champion
        // (or, without one, trails the lab).
        let open = open_capability(firms.iter().map(|f| (f.role, f.capability)), capability[lab]);
        let fringe_quality = (open / frontier * fringe_base_quality(p)).max(1e-9);
        let variety = (alive.max(1) as f64 / f64::from(p.startups.initial.min(p.startups.max_startups).max(1))).ln();
        o.fringe = pp.quality_weight * fringe_quality.ln() + pp.distribution_weight * (0.2 + 0.3 * os)
            - pp.price_weight * pp.startup_fringe_price.max(1e-6).ln()
            + variety;
        o
    }

    /// What the firms' developer APIs do not reach through marketplace listings
    /// ([`marketplace_unreached`]).
    pub fn with_marketplace(mut self, unreached: [f64; MAX_FIRMS]) -> Self {
        self.unreached = unreached;
        self
    }

    /// Utility of firm `f`'s product in `segment`, without its brand.
    pub fn utility(&self, pp: &crate::scenario::ProductParams, f: usize, segment: Segment) -> f64 {
        let mut d = self.distribution[f];
        if (f == self.investor && lab_home(segment)) || (f == self.lab && !lab_home(segment)) {
            d *= pp.overlap;
        }
        if segment == Segment::DeveloperApi {
            d = 1.0 - (1.0 - d) * self.unreached[f];
        }
        pp.quality_weight * self.quality[f].ln() + pp.distribution_weight * d - pp.price_weight * self.log_price[f]
    }
}

/// What each lab's developer API reaches in month `tick` through its ties' marketplace
/// listings, as the share of buyers not reached by its own channels: a listing on Bedrock or
/// Vertex AI puts the lab's models in front of that cloud's AI customers, who buy them within
/// their cloud accounts and commitments, and the investor's sales force co-sells them. Each
/// listing reaches `r = marketplace_reach · adoption(tick) · s` of all buyers, with `s` the
/// investor's share of cloud AI services (`cloud_ai_share`, by firm); channels overlap at
/// random, so the lab's distribution `d` becomes `1 − (1 − d)·Π(1 − r)` (a union, not a sum:
/// a buyer its own channels reach is not reached twice). Returned: `Π(1 − r)` per firm (1
/// without listings).
pub fn marketplace_unreached(
    p: &crate::scenario::Scenario,
    ties: impl Iterator<Item = (usize, usize, usize)>,
    tick: u32,
    cloud_ai_share: &[f64; MAX_FIRMS],
) -> [f64; MAX_FIRMS] {
    let mut unreached = [1.0f64; MAX_FIRMS];
    for (index, investor, lab) in ties {
        if let Some(t) = p.partnerships.get(index) {
            let reach = p.products.marketplace_reach * t.marketplace_adoption(tick) * cloud_ai_share[investor];
            unreached[lab] *= 1.0 - reach.clamp(0.0, 1.0);
        }
    }
    unreached
}

/// Brands (ξ) that make the logit reproduce `companies[].initial_shares` at the starting
/// state, one per (firm, segment); 0 where a company gives no starting shares.
pub fn initial_brands(p: &crate::scenario::Scenario, obs: &Observables, fringe_alive: bool) -> Vec<[f64; 4]> {
    let mut brands = vec![[0.0f64; 4]; p.companies.len()];
    for s in Segment::ALL {
        let si = s.index();
        let sellers: Vec<usize> = (0..p.companies.len())
            .filter(|&f| p.companies[f].segments.contains(&s) && p.companies[f].initial_shares.len() == 4)
            .collect();
        let given: f64 = sellers.iter().map(|&f| p.companies[f].initial_shares[si]).sum();
        // The reference: the fringe when it competes, else the mean log share of the sellers.
        let (ref_log_share, ref_u) = if fringe_alive {
            ((1.0 - given).max(1e-9).ln(), obs.fringe)
        } else {
            (0.0, 0.0)
        };
        for &f in &sellers {
            let share = p.companies[f].initial_shares[si].max(1e-9);
            let share = if fringe_alive { share } else { share / given.max(1e-9) };
            brands[f][si] = share.ln() - ref_log_share - (obs.utility(&p.products, f, s) - ref_u);
        }
    }
    brands
}

#[allow(clippy::too_many_arguments)]
pub fn products(
    params: Res<Params>,
    clock: Res<Clock>,
    roster: Res<Roster>,
    startups: Res<StartupIndex>,
    mut signals: ResMut<Signals>,
    partnership: Query<&Partnership>,
    ties: Query<&Tie>,
    mut companies: Query<&mut Company>,
    mut products: Query<&mut Product>,
) {
    let p = &params.0;
    let pp = &p.products;
    let Ok(ps) = partnership.single() else { return };
    let lab = roster.lab as usize;
    let investor = roster.investor as usize;

    let mut views = [FirmView {
        idx: 0,
        role: Role::RivalCloud,
        capability: 0.0,
        distribution: 0.0,
        price: 1.0,
    }; MAX_FIRMS];
    let mut n = 0;
    for c in companies.iter() {
        views[n] = FirmView {
            idx: c.idx as usize,
            role: c.role,
            capability: c.capability,
            distribution: c.distribution,
            price: c.price,
        };
        n += 1;
    }
    let access = access(ps);
    let obs = Observables::new(
        p,
        &views[..n],
        lab,
        investor,
        access,
        signals.compute_shortfall,
        startups.alive.len(),
    );
    // Listings reach the cloud's AI customers as of last month (month 1: the starting shares).
    let mut cloud_ai_share = [0.0f64; MAX_FIRMS];
    for pr in products.iter().filter(|pr| pr.segment == Segment::CloudAiServices) {
        cloud_ai_share[pr.firm as usize] = pr.share;
    }
    let listed = ties
        .iter()
        .map(|t| (t.index as usize, t.investor as usize, t.lab as usize));
    let obs = obs.with_marketplace(marketplace_unreached(p, listed, clock.tick, &cloud_ai_share));
    let investor_quality = obs.investor_quality;
    let investor_uses_lab = obs.investor_uses_lab;
    let mut capability = [0.0f64; MAX_FIRMS];
    for v in &views[..n] {
        capability[v.idx] = v.capability;
    }

    // Logit shares: first pass sums, second pass writes shares. Utilities are relative to
    // the frontier, so they stay bounded and exp needs only the fixed offset by the fringe.
    let mut denom = [0.0f64; 4];
    for mut pr in products.iter_mut() {
        let u = (obs.utility(pp, pr.firm as usize, pr.segment) + pr.brand - obs.fringe)
            .clamp(-700.0, 700.0)
            .exp();
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
            // The cloud AI fringe is other clouds, not the model startups.
            if s != Segment::CloudAiServices {
                fringe_revenue += share * pp.market_size[si] * growth;
            }
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
    signals.contested = contested(&present, &lab_share, &inv_share);
    let usage = revenue;
    if ps.status == PartnershipStatus::Active {
        // Revenue shares run both ways: the investor pays for reselling the lab's models,
        // the lab pays a share of its own product revenue.
        let to_investor = revenue[lab] * ps.revenue_share;
        revenue[investor] += to_investor - resale;
        revenue[lab] += resale - to_investor;
    }

    settle_books(p, &revenue, &usage, &mut companies);
}

/// Contested revenue: how much of the two partners' segments they split between them, the
/// mean over segments where both sell of 2·min(lab share, investor share).
fn contested(present: &[[bool; 2]; 4], lab_share: &[f64; 4], inv_share: &[f64; 4]) -> f64 {
    let mut both = 0.0;
    let mut contested = 0.0;
    for si in 0..4 {
        if present[si][0] && present[si][1] {
            both += 1.0;
            contested += 2.0 * lab_share[si].min(inv_share[si]);
        }
    }
    if both > 0.0 { (contested / both).min(1.0) } else { 0.0 }
}

/// The month's P&L of every firm: revenue (after the partnership's transfers) and other
/// income, less the researchers' pay, the other operating costs (`other_cost_share` of
/// usage), and compute and deals (`spend`, committed by the cloud phase); one-off items
/// (migrations) move cash but not the operating flow.
fn settle_books(
    p: &crate::scenario::Scenario,
    revenue: &[f64; MAX_FIRMS],
    usage: &[f64; MAX_FIRMS],
    companies: &mut Query<&mut Company>,
) {
    let cost = p.talent.cost_per_researcher;
    for mut c in companies.iter_mut() {
        let i = c.idx as usize;
        let payroll = c.payroll(cost);
        c.revenue = revenue[i];
        c.usage = usage[i];
        let other_costs = p.companies[i].other_cost_share * usage[i];
        let operating = c.revenue + c.other_income - payroll - other_costs - c.spend;
        c.capital += operating - c.one_off;
        c.operating_flow = operating;
        c.spend = 0.0;
        c.one_off = 0.0;
    }
}
