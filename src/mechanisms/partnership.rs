//! The partnership: tension, information sharing, bargaining over terms, dissolution from
//! outside options, the lab's fund-raising, and the two routes to acquisition.
//!
//! Each month while active (docs/MODEL.md §7.7 gives the formulas):
//! - mutual dependence D = ½·(lab's compute share on the investor) + ½·clamp(1.5 − investor/lab
//!   capability, 0, 1): the lab needs the cloud, the investor needs the lab's models;
//! - control indicator K = 0.3·min(stake/0.5, 1) + 0.25·exclusivity (1, ½, 0) + 0.15·first access
//!   + 0.2·compute share + 0.1·board seat (the CMA's material influence → control scale);
//! - tension T moves towards the conflict the state implies (the unsettled product clash and
//!   safety/pace disputes, skill-weighted poaching between the partners, the unsettled
//!   compute grievance) at speed `tension_damping` (crises add their jump in the governance
//!   phase);
//! - each side's surplus from continuing over its outside option is read from the state
//!   (fees, resale, the investor's margin on the lab's compute, the lab's cost of moving,
//!   what exclusivity costs the lab in unmet compute and in overpaying against a rival
//!   cloud's offer, the investor's dependence on the lab's models, less the cost of
//!   governance disputes). Talks open on a grievance (a compute shortfall or a rival cloud's
//!   offer while exclusivity binds, or a clash: tension above the threshold) and settle at
//!   most once per `renegotiate_interval` months: exclusivity loosens one step and a clash
//!   settles `boundary_step` of the grievance above the level already settled. Renegotiating
//!   from the last agreement, the lab gets `bargaining_weight` of the change in the joint
//!   surplus through the revenue share (Nash). When the joint surplus is negative (no
//!   transfer can keep both), the partners part with monthly probability `dissolve_rate`;
//! - acquisition by bid: when the lab is weak and the rents control would secure against
//!   the partnership's fragility are worth the premium, the investor may bid its last
//!   round's valuation (or its standalone value, if higher) plus a control premium; the lab's board accepts only while weak, and
//!   only above its reservation premium (one draw per weak episode); the authorities with
//!   jurisdiction review it;
//! - acquisition by absorption: after a crisis the investor may offer to hire the lab's
//!   staff (governance, hiring); if a skill-weighted `absorption_share` of them move within
//!   the window, the investor has absorbed the lab.
//!
//! A divestiture order (regulation) takes effect at its due month: the partners separate.

use bevy_ecs::prelude::*;

use crate::mechanisms::cloud::CloudMarket;
use crate::mechanisms::funding;
use crate::mechanisms::regulation::{BidReview, Regulator};
use crate::scenario::Exclusivity;
use crate::world::components::{CLOUD_SLOTS, CloudContract, Company, FirmIdx, Host, Partnership, PartnershipStatus};
use crate::world::random::{SimRng, Stream};
use crate::world::random::{normal, uniform};
use crate::world::resources::{Clock, EventLog, Params, Roster};
use crate::world::signals::Signals;

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
    // A lab with no compute under contract has moved none off the investor.
    if total > 0.0 { on_inv / total } else { 1.0 }
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
    // An order against the partnership lapses with it; only an order against the new
    // state (an absorption's unwinding) can be pending afterwards.
    ps.separation_due = None;
    ps.sell_down = false;
}

/// Control indicator of the investor over the lab (0..=1).
pub fn control_indicator(ps: &Partnership, compute_share: f64) -> f64 {
    control_index(
        ps.stake,
        ps.exclusivity,
        ps.first_access,
        compute_share,
        f64::from(u8::from(ps.board_seat)),
    )
}

/// The control indicator's weights, for the partnership and the ties alike: the voting
/// stake (full at one half), exclusivity, first access, the lab's compute on the investor,
/// and governance rights (`governance` 0..=1: 1 a board seat).
pub fn control_index(
    stake: f64,
    exclusivity: Exclusivity,
    first_access: bool,
    compute_share: f64,
    governance: f64,
) -> f64 {
    0.3 * (stake / 0.5).min(1.0)
        + 0.25 * exclusivity.control_weight()
        + 0.15 * f64::from(u8::from(first_access))
        + 0.2 * compute_share
        + 0.1 * governance.clamp(0.0, 1.0)
}

/// Each side's monthly surplus from continuing the partnership over its outside option,
/// $bn: (lab, investor).
pub fn surpluses(p: &crate::scenario::Scenario, ps: &Partnership, f: &PartnerFacts) -> (f64, f64) {
    let fee = ps.revenue_share * f.lab_usage;
    let resale = if f.investor_uses_lab {
        p.products.resale_margin * f.investor_usage
    } else {
        0.0
    };
    let moving = moving_cost(p, f);
    // The investor earns its margin on the lab's compute and depends on the lab's models.
    // Unsettled governance disputes (safety and pace gaps) cost both sides in proportion to
    // the business at stake; unlike product clash and poaching, they end with the
    // partnership. (The compute grievance is the lab's, valued in `locked_out`.)
    let friction = friction(p, f);
    // What the lab itself gains or loses by continuing. The investor owns `stake` of the
    // lab's profits: it bears that share of these, and only (1 − stake) of a transfer
    // between them changes hands (the rest it pays itself).
    let lab_own = moving - locked_out(ps, f) - cannibalised(p, f) - friction / 2.0;
    let (margin, models) = rents(p, f);
    let margin = margin - exclusivity_loss(ps.exclusivity, margin, f);
    (
        (1.0 - ps.stake) * (resale - fee + lab_own),
        (1.0 - ps.stake) * (fee - resale) + ps.stake * lab_own + margin + models - friction / 2.0,
    )
}

/// The investor's compute margin on the lab a regime gives away, $bn a month, against
/// exclusivity. Half of the lab's book comes up for re-placement on average over a
/// contract's term (linear roll-off), and only what cheaper rivals have room for is at
/// stake. Under a right of first refusal the investor keeps that volume by matching their
/// prices: it loses the price gap (`overpay`). Without exclusivity it loses the volume and
/// its margin. This prices exclusivity in the bargain: loosening it costs the investor, and
/// the lab pays for its freedom (January 2025: a right of first refusal, the 20% share
/// kept) — as much as rivals could actually offer, no more.
fn exclusivity_loss(exclusivity: Exclusivity, margin: f64, f: &PartnerFacts) -> f64 {
    match exclusivity {
        Exclusivity::Exclusive => 0.0,
        Exclusivity::Rofr => 0.5 * f.overpay,
        Exclusivity::None => {
            let per_kgpu = margin / f.kgpu_on_investor.max(1e-9);
            0.5 * (f.overpay + per_kgpu.max(0.0) * f.rivals_cheaper)
        }
    }
}

/// What the partnership's unsettled governance disputes cost the partners a month, $bn:
/// `tension_cost` of its gross value per unit of dispute. Disputes (0..=1) and the cost
/// (0..=1) are shares, so disputes alone never eat more than the whole value: a break-up
/// needs an economic reason as well (lock-out, or a partner that no longer needs the other).
fn friction(p: &crate::scenario::Scenario, f: &PartnerFacts) -> f64 {
    p.partnership.tension_cost * f.disputes * gross_value(p, f)
}

/// What continuing is worth to the two partners together over their outside options a
/// month, before disputes and lock-out, $bn: the lab's move it avoids, the investor's margin
/// on the lab's compute and its products' dependence on the lab's models. (Fees and the
/// resale share are transfers between them.)
fn gross_value(p: &crate::scenario::Scenario, f: &PartnerFacts) -> f64 {
    let (margin, models) = rents(p, f);
    moving_cost(p, f) + margin.max(0.0) + models
}

/// What leaving would cost the lab a month, $bn: a move of its compute on the investor,
/// amortised over a year.
fn moving_cost(p: &crate::scenario::Scenario, f: &PartnerFacts) -> f64 {
    f.kgpu_on_investor * p.cloud.migration_cost * p.cloud.migration_cost_per_kgpu / 12.0
}

/// What the investor's overlapping products, built on the lab's models, take from the lab a
/// month, $bn: `clash_cost` of the lab's usage they contest (overlap × contested share), in
/// full with first access and half without. Leaving ends the investor's access to the lab's
/// next models, so this is a cost of the partnership to the lab (Microsoft's Copilot and
/// Azure OpenAI sold the lab's models to the lab's own enterprise customers).
fn cannibalised(p: &crate::scenario::Scenario, f: &PartnerFacts) -> f64 {
    p.partnership.clash_cost * f.contested_usage
}

/// What exclusivity costs the lab a month, $bn: its recent unmet share of demand, valued
/// at the revenue it would have earned (an upper bound on the margin lost), and what it
/// pays the investor above rival clouds' offers (`overpay`). Only full
/// exclusivity locks the lab out: under a right of first refusal the cloud phase sends
/// what the investor cannot host to other clouds in the same month. Leaving frees it.
fn locked_out(ps: &Partnership, f: &PartnerFacts) -> f64 {
    if ps.exclusivity == Exclusivity::Exclusive {
        ps.compute_grievance * f.lab_usage + f.overpay
    } else {
        0.0
    }
}

/// How close the partnership is to breaking down, 0..=1: the share of its gross value
/// (the joint surplus before the costs of disputes and lock-out) those costs eat up. At 1
/// the joint surplus is gone and the partners part (dissolution).
pub fn fragility(p: &crate::scenario::Scenario, ps: &Partnership, f: &PartnerFacts) -> f64 {
    let (lab, inv) = surpluses(p, ps, f);
    let costs = friction(p, f) + locked_out(ps, f) + cannibalised(p, f);
    let gross = lab + inv + costs;
    if gross > 0.0 {
        (costs / gross).clamp(0.0, 1.0)
    } else {
        1.0
    }
}

/// What the bargaining reads from the state this month.
#[derive(Debug, Clone, Copy, Default)]
pub struct PartnerFacts {
    pub lab_usage: f64,
    pub investor_usage: f64,
    pub lab_capability: f64,
    pub investor_capability: f64,
    pub investor_uses_lab: bool,
    pub kgpu_on_investor: f64,
    pub fees_to_investor: f64,
    /// What the lab pays the investor a month above rival clouds' current prices, for as
    /// much of its compute there as they have room for, $bn (see `overpay`).
    pub overpay: f64,
    /// Level of the unsettled governance disputes the partnership itself causes, 0..=1
    /// (no noise).
    pub disputes: f64,
    /// The lab's usage the investor's overlapping products contest, $bn/month: overlap ×
    /// contested share × the lab's usage, halved without first access.
    pub contested_usage: f64,
    /// How much of the lab's compute on the investor cheaper rival clouds have room for, kGPU.
    pub rivals_cheaper: f64,
}

/// What the lab pays a month above rival clouds' offers for `volume` kGPU it runs on the
/// investor at `paid` per kGPU-month, $bn: the cheapest rivals' spare capacity is filled
/// first, and only as much compute as they have room for counts. Also returns how much of
/// `volume` cheaper rivals could take, kGPU.
fn overpay(market: &CloudMarket, hosts: &[FirmIdx], investor: FirmIdx, volume: f64, paid: f64) -> (f64, f64) {
    let mut offers = [(f64::INFINITY, 0.0); CLOUD_SLOTS];
    let mut n = 0;
    for &h in hosts.iter().filter(|&&h| h != investor) {
        let i = h as usize;
        offers[n] = (
            market.price[i],
            (market.capacity[i] * (1.0 - market.utilization[i])).max(0.0),
        );
        n += 1;
    }
    offers[..n].sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut left, mut total, mut cheaper) = (volume, 0.0, 0.0);
    for &(price, spare) in &offers[..n] {
        let take = spare.min(left);
        total += take * (paid - price).max(0.0);
        if price < paid {
            cheaper += take;
        }
        left -= take;
    }
    (total, cheaper)
}

/// Share of a grievance above the level agreed terms have settled (1 with no grievance).
fn unsettled_share(grievance: f64, settled: f64) -> f64 {
    if grievance > 0.0 {
        (grievance - settled).max(0.0) / grievance
    } else {
        1.0
    }
}

/// The investor's monthly rents from the partnership that control would lock in, $bn:
/// its margin on the lab's compute (a profit), and the revenue of its products that
/// depends on the lab's models (their lead over its own, an upper bound on the profit at
/// stake).
fn rents(p: &crate::scenario::Scenario, f: &PartnerFacts) -> (f64, f64) {
    let margin = f.fees_to_investor - f.kgpu_on_investor * CloudMarket::capacity_cost(&p.cloud);
    let models = f.investor_usage * (1.0 - f.investor_capability / f.lab_capability.max(1e-9)).max(0.0);
    (margin, models)
}

/// The two partners' names, for the event log.
#[derive(Clone, Copy)]
struct Names<'a> {
    lab: &'a str,
    investor: &'a str,
}

/// The lab's books and staff this month, as the partnership reads them.
#[derive(Default)]
struct LabBooks {
    /// Cash, $bn.
    capital: f64,
    /// Post-money valuation of the lab's last round, $bn (0: none).
    last_round: f64,
    /// Last month's operating cash flow, $bn.
    flow: f64,
    /// Skill of the lab's researchers, and of both partners' together.
    skill: f64,
    partners_skill: f64,
}

/// The lab's standalone value: its business at the sector's revenue multiple plus its cash.
#[derive(Clone, Copy)]
struct LabValue {
    standalone: f64,
}

/// The product clash and governance disputes this month (conflict index points).
#[derive(Clone, Copy)]
struct Grievance {
    total: f64,
    governance: f64,
}

/// What opened this month's talks, and whether they settled.
#[derive(Clone, Copy)]
struct Talks {
    settled: bool,
    short_of_compute: bool,
    rival_offer: bool,
}

/// The month's random numbers, drawn up front (see [`partnership`]).
#[derive(Clone, Copy)]
struct Draws {
    /// Standard normal: the tension shock.
    noise: f64,
    /// Uniforms on [0, 1): talks settle, the partners part, the investor bids, the board's
    /// reservation (used at the first bid of a weak episode).
    talks: f64,
    dissolve: f64,
    bid: f64,
    reservation: f64,
}

impl Draws {
    fn new(rng: &mut rand::rngs::ChaCha8Rng) -> Draws {
        Draws {
            noise: normal(rng),
            talks: uniform(rng),
            dissolve: uniform(rng),
            bid: uniform(rng),
            reservation: uniform(rng),
        }
    }
}

/// One month of the partnership, as its decisions in order: separation on a due order,
/// absorption, tension, talks, the bargain (or a break-up), and a bid. (The lab's
/// rounds are the funding phase's.)
#[allow(clippy::too_many_arguments)]
pub fn partnership(
    params: Res<Params>,
    clock: Res<Clock>,
    roster: Res<Roster>,
    mut rng: ResMut<SimRng>,
    mut signals: ResMut<Signals>,
    mut log: ResMut<EventLog>,
    market: Res<CloudMarket>,
    contracts: Query<&CloudContract>,
    mut companies: Query<&mut Company>,
    regulators: Query<&Regulator>,
    mut partnership: Query<&mut Partnership>,
) {
    let rng = rng.get(Stream::Partnership);
    let p = &params.0;
    let tick = clock.tick;
    let Ok(mut ps) = partnership.single_mut() else { return };
    let names = Names {
        lab: roster.name(roster.lab),
        investor: roster.name(roster.investor),
    };
    let (mut f, books) = read_facts(&roster, &market, &contracts, &companies, &ps);
    let share = lab_share_on_investor(&roster, &contracts);
    ps.control = control_indicator(&ps, share);
    if separation_falls_due(&mut ps, tick, p.regulation.undertaking_stake, &mut log, names) {
        return;
    }
    let value = LabValue {
        standalone: funding::standalone_value(p.partnership.valuation_multiple, f.lab_usage, books.capital),
    };
    if ps.status != PartnershipStatus::Active {
        return;
    }
    ps.dependence = 0.5 * share + 0.5 * (1.5 - f.investor_capability / f.lab_capability.max(1e-9)).clamp(0.0, 1.0);
    // Every active month draws the same numbers in the same order, whatever the state, so
    // that two scenarios on common seeds stay paired (no draw inside a condition).
    let draws = Draws::new(rng);
    if absorb(p, &mut ps, &mut signals, &books, value, tick, &mut log, names) {
        return;
    }
    let access = if ps.first_access { 1.0 } else { 0.5 };
    f.contested_usage = access * p.products.overlap * signals.contested * f.lab_usage;
    let grievance = move_tension(p, &mut ps, &signals, &books, &mut f, draws.noise);
    let before = surpluses(p, &ps, &f);
    let talks = hold_talks(p, &mut ps, &mut f, grievance, draws.talks, tick);
    if bargain(p, &mut ps, &f, talks, before, draws.dissolve, tick, &mut log, names) {
        return;
    }
    match ps.bid_pending_since {
        Some(since) if since < tick => {
            close_bid(p, &mut ps, &regulators, &roster, &mut companies, tick, &mut log, names)
        }
        Some(_) => {}
        None => consider_bid(
            p,
            &mut ps,
            &f,
            &books,
            value,
            &mut signals,
            draws,
            tick,
            &mut log,
            names,
        ),
    }
}

/// The facts the partners' surpluses read, and the lab's books.
fn read_facts(
    roster: &Roster,
    market: &CloudMarket,
    contracts: &Query<&CloudContract>,
    companies: &Query<&mut Company>,
    ps: &Partnership,
) -> (PartnerFacts, LabBooks) {
    let mut f = PartnerFacts {
        lab_capability: 1.0,
        ..Default::default()
    };
    let mut books = LabBooks::default();
    for c in companies.iter() {
        if c.idx == roster.lab {
            f.lab_capability = c.capability;
            f.lab_usage = c.usage;
            books.capital = c.capital;
            books.last_round = c.last_round_valuation;
            books.flow = c.operating_flow;
            books.skill = c.skill_sum;
            books.partners_skill += c.skill_sum;
        } else if c.idx == roster.investor {
            f.investor_capability = c.capability;
            f.investor_usage = c.usage;
            books.partners_skill += c.skill_sum;
        }
    }
    for k in contracts.iter() {
        if k.host == Host::Cloud(roster.investor) {
            f.kgpu_on_investor += k.kgpu;
            f.fees_to_investor += k.kgpu * k.price;
        }
    }
    if f.kgpu_on_investor > 0.0 {
        let paid = f.fees_to_investor / f.kgpu_on_investor;
        (f.overpay, f.rivals_cheaper) = overpay(market, &roster.hosts, roster.investor, f.kgpu_on_investor, paid);
    }
    let access = if ps.first_access { 1.0 } else { 0.9 };
    f.investor_uses_lab = access * f.lab_capability > f.investor_capability;
    (f, books)
}

/// A divestiture order that falls due ends everything else; for an absorbed lab it
/// unwinds the absorption (the investor must let the team and its know-how go).
fn separation_falls_due(
    ps: &mut Partnership,
    tick: u32,
    undertaking_stake: f64,
    log: &mut EventLog,
    names: Names,
) -> bool {
    let unwinding = ps.status == PartnershipStatus::Acquired && ps.absorbed;
    if !((ps.status == PartnershipStatus::Active || unwinding) && ps.separation_due.is_some_and(|due| due <= tick)) {
        return false;
    }
    if ps.sell_down {
        // Commitments to sell the stake down to a passive holding: the investor divests, the
        // commercial ties (cloud contract, licences) continue.
        ps.stake = ps.stake.min(undertaking_stake);
        ps.divested = Some(tick);
        ps.separation_due = None;
        ps.sell_down = false;
        let route = ps
            .separation_route
            .map(crate::world::components::separation_route_label);
        let detail = format!(
            "stake sold down to {:.0}% under commitments; route {}",
            100.0 * ps.stake,
            route.unwrap_or_default()
        );
        log.push(tick, "separation", names.investor, names.lab, detail);
        return false;
    }
    close(ps, PartnershipStatus::Separated, tick);
    let detail = if unwinding {
        "divestiture order takes effect: the absorption is unwound"
    } else {
        "divestiture order takes effect"
    };
    let route = ps
        .separation_route
        .map(crate::world::components::separation_route_label);
    let detail = route.map_or(detail.into(), |r| format!("{detail}; route {r}"));
    log.push(tick, "separation", names.investor, names.lab, detail);
    true
}

/// Absorption: the investor's offer to the lab's staff (opened by governance) succeeds
/// once a skill-weighted `absorption_share` of them has moved within the window.
#[allow(clippy::too_many_arguments)]
fn absorb(
    p: &crate::scenario::Scenario,
    ps: &mut Partnership,
    signals: &mut Signals,
    books: &LabBooks,
    value: LabValue,
    tick: u32,
    log: &mut EventLog,
    names: Names,
) -> bool {
    let Some(until) = ps.absorption_until else { return false };
    let moved = signals.poached_skill_lab_to_investor;
    if ps.absorbed_skill == 0.0 && ps.absorption_base == 0.0 {
        ps.absorption_base = books.skill + moved; // the lab's skill when the offer opened
    }
    ps.absorbed_skill += moved;
    if ps.absorption_base > 0.0 && ps.absorbed_skill >= p.partnership.absorption_share * ps.absorption_base {
        let share = ps.absorbed_skill / ps.absorption_base;
        close(ps, PartnershipStatus::Acquired, tick);
        ps.absorbed = true;
        signals.absorbed = Some(value.standalone * share);
        log.push(
            tick,
            "absorption",
            names.investor,
            names.lab,
            format!(
                "{:.0}% of the lab's researchers (by skill) joined the investor",
                100.0 * share
            ),
        );
        return true;
    }
    if tick >= until {
        ps.absorption_until = None;
    }
    false
}

/// Tension moves towards the level of conflict the current state implies (product clash,
/// poaching of skill, safety and pace gaps, the unsettled compute grievance) at speed
/// `tension_damping`: it falls when grievances are settled and rises when they grow. Sets
/// the facts' unsettled disputes; information sharing is cut while tension is high.
fn move_tension(
    p: &crate::scenario::Scenario,
    ps: &mut Partnership,
    signals: &Signals,
    books: &LabBooks,
    f: &mut PartnerFacts,
    noise: f64,
) -> Grievance {
    let pp = &p.partnership;
    ps.compute_grievance = 0.8 * ps.compute_grievance + 0.2 * signals.compute_shortfall;
    let poached = (signals.poached_skill_lab_to_investor + signals.poached_skill_investor_to_lab)
        / books.partners_skill.max(1e-9);
    // Agreed terms (the scope of the investor's licence to the lab's models, which cloud
    // hosts which channel, how deployment and safety disagreements are decided) settle the
    // grievance of the product clash and governance disputes up to the level they had when
    // agreed: only the grievance above that level still counts.
    let clash_level = pp.tension_overlap_weight * p.products.overlap * signals.contested;
    let governance = pp.tension_pace_weight * 0.5 * (ps.safety_gap + ps.pace_gap);
    let grievance = clash_level + governance;
    let unsettled = unsettled_share(grievance, ps.settled_grievance);
    let conflict =
        (unsettled * grievance + pp.tension_poach_weight * poached + pp.tension_compute_weight * ps.compute_grievance)
            .min(1.0);
    f.disputes = (unsettled * governance).min(1.0);
    let drift = pp.tension_damping * (conflict - ps.tension) + pp.tension_noise * noise;
    ps.tension = (ps.tension + drift).clamp(0.0, 1.0);

    if ps.tension > pp.sharing_cut_threshold && ps.info_sharing > 0.0 {
        ps.info_sharing *= 1.0 - pp.sharing_cut_rate;
    }
    Grievance {
        total: grievance,
        governance,
    }
}

/// Talks. Two grievances open them: the compute the lab cannot get while exclusivity
/// binds, and a clash (tension above the threshold). Settled talks give the lab freedom
/// to buy compute elsewhere (exclusivity loosens one step) and, after a clash, settle
/// `boundary_step` of the unsettled product clash and governance disputes. Then the Nash
/// solution re-splits the joint surplus through the revenue share ([`bargain`]). An
/// agreement takes time: talks settle at most once per `renegotiate_interval` months.
fn hold_talks(
    p: &crate::scenario::Scenario,
    ps: &mut Partnership,
    f: &mut PartnerFacts,
    grievance: Grievance,
    u: f64,
    tick: u32,
) -> Talks {
    let pp = &p.partnership;
    let rested = ps.last_settled.is_none_or(|t| tick >= t + pp.renegotiate_interval);
    // Only full exclusivity keeps the lab from compute another cloud could supply.
    let short_of_compute = ps.compute_grievance > pp.renegotiate_shortfall && ps.exclusivity == Exclusivity::Exclusive;
    // A rival cloud offers the compute the lab runs on the investor for less; exclusivity
    // keeps the lab from taking it.
    let rival_offer = ps.exclusivity == Exclusivity::Exclusive
        && f.overpay > pp.renegotiate_price_gap * f.fees_to_investor
        && f.fees_to_investor > 0.0;
    let clash = ps.tension > pp.renegotiate_threshold;
    let settled = rested && (short_of_compute || rival_offer || clash) && u < pp.renegotiate_rate;
    let loosen = settled && ps.exclusivity != Exclusivity::None;
    if settled {
        ps.last_settled = Some(tick);
        if clash {
            ps.settled_grievance += pp.boundary_step * (grievance.total - ps.settled_grievance).max(0.0);
            // The settlement's terms are priced in the split below.
            f.disputes = (unsettled_share(grievance.total, ps.settled_grievance) * grievance.governance).min(1.0);
        }
        if loosen {
            // Either side can refuse a term that leaves the two of them worse off (no
            // transfer could then compensate the loser): exclusivity loosens only if the
            // joint surplus does not fall, with the lab's compute grievance still open.
            let was = ps.exclusivity;
            let (lab, inv) = surpluses(p, ps, f);
            ps.exclusivity = was.loosened();
            let (lab_after, inv_after) = surpluses(p, ps, f);
            if lab_after + inv_after < lab + inv {
                ps.exclusivity = was;
            }
        }
        if short_of_compute {
            ps.compute_grievance = 0.0;
        }
    }
    Talks {
        settled,
        short_of_compute,
        rival_offer,
    }
}

/// The bargain. With a negative joint surplus (no transfer can keep both), or a side that
/// would still rather leave once the revenue share has reached its bound (the only transfer
/// is exhausted), the partners part with monthly probability `dissolve_rate` (returns true). Otherwise the contract in
/// force is the status quo (Hart and Moore 1988: in renegotiation the disagreement point is
/// the existing contract, not the outside options): growth in the business is shared by its
/// terms, and the revenue share moves only for a reason the event names. Settled talks
/// split the gain of their new terms (`before`: both surpluses under the old terms) in the
/// Nash proportions, the lab getting `bargaining_weight` of it (so a looser exclusivity is
/// paid for with a higher revenue share); a side that would rather leave (surplus below 0)
/// is brought back to its outside option, the other keeping the rest.
#[allow(clippy::too_many_arguments)]
fn bargain(
    p: &crate::scenario::Scenario,
    ps: &mut Partnership,
    f: &PartnerFacts,
    talks: Talks,
    before: (f64, f64),
    u: f64,
    tick: u32,
    log: &mut EventLog,
    names: Names,
) -> bool {
    let pp = &p.partnership;
    let (lab_surplus, investor_surplus) = surpluses(p, ps, f);
    ps.surplus = (lab_surplus, investor_surplus);
    let joint = lab_surplus + investor_surplus;
    if joint < 0.0 {
        if u < pp.dissolve_rate {
            let why = format!(
                "joint surplus {joint:.3} $bn/month below the outside options (tension {:.2})",
                ps.tension
            );
            dissolve(ps, why, tick, log, names);
            return true;
        }
        return false;
    }
    let (target, why) = if talks.settled {
        let gain = joint - (before.0 + before.1);
        let why = if talks.short_of_compute {
            "compute shortfall"
        } else if talks.rival_offer {
            "rival cloud's offer"
        } else {
            "clash"
        };
        (before.0 + pp.bargaining_weight * gain, why)
    } else if lab_surplus < 0.0 {
        (0.0, "the lab would rather leave")
    } else if investor_surplus < 0.0 {
        (joint, "the investor would rather leave")
    } else {
        return false;
    };
    resplit(
        ps,
        f,
        talks,
        lab_surplus,
        target.clamp(0.0, joint),
        why,
        tick,
        log,
        names,
    );
    ps.surplus = surpluses(p, ps, f);
    // The revenue share is the only transfer, and it is bounded: at 0 (or 1) a side that
    // still does better outside cannot be paid to stay, however large the joint surplus.
    let (lab_after, investor_after) = ps.surplus;
    if (lab_after < -1e-12 || investor_after < -1e-12) && u < pp.dissolve_rate {
        let side = if lab_after < 0.0 { names.lab } else { names.investor };
        let why = format!(
            "{side} does better outside even at revenue share {:.2} (surpluses {lab_after:.3} / {investor_after:.3} $bn/month)",
            ps.revenue_share
        );
        dissolve(ps, why, tick, log, names);
        return true;
    }
    false
}

/// The partners part (a break-up), with the event saying why.
fn dissolve(ps: &mut Partnership, why: String, tick: u32, log: &mut EventLog, names: Names) {
    close(ps, PartnershipStatus::Dissolved, tick);
    log.push(tick, "dissolution", names.lab, names.investor, why);
}

/// Sets the revenue share so the lab's surplus is `target` (as far as a share in [0, 1] can).
#[allow(clippy::too_many_arguments)]
fn resplit(
    ps: &mut Partnership,
    f: &PartnerFacts,
    talks: Talks,
    lab_surplus: f64,
    target: f64,
    why: &str,
    tick: u32,
    log: &mut EventLog,
    names: Names,
) {
    let from_share = ps.revenue_share;
    let per_share = (1.0 - ps.stake) * f.lab_usage;
    if per_share > 0.0 {
        ps.revenue_share = (ps.revenue_share + (lab_surplus - target) / per_share).clamp(0.0, 1.0);
    }
    ps.renegotiations += 1;
    let terms = if talks.settled {
        format!(
            "exclusivity {}, grievance settled up to {:.3} ({why}); revenue share {from_share:.3} -> {:.3}",
            ps.exclusivity.as_str(),
            ps.settled_grievance,
            ps.revenue_share
        )
    } else {
        format!("revenue share {from_share:.3} -> {:.3} ({why})", ps.revenue_share)
    };
    if talks.settled || (ps.revenue_share - from_share).abs() >= 5e-4 {
        log.push(tick, "renegotiation", names.lab, names.investor, terms);
    }
}

/// A pending bid after the authorities' reviews: blocked by one (tension rises), or
/// cleared (or outside the jurisdiction) of all, when the investor pays and takes control.
#[allow(clippy::too_many_arguments)]
fn close_bid(
    p: &crate::scenario::Scenario,
    ps: &mut Partnership,
    regulators: &Query<&Regulator>,
    roster: &Roster,
    companies: &mut Query<&mut Company>,
    tick: u32,
    log: &mut EventLog,
    names: Names,
) {
    if regulators.iter().any(|r| r.bid == BidReview::Blocked) {
        ps.bid_pending_since = None;
        ps.tension = (ps.tension + p.partnership.bid_failure_tension).min(1.0);
        log.push(
            tick,
            "bid_failed",
            names.investor,
            names.lab,
            "blocked by a regulator".into(),
        );
    } else if regulators
        .iter()
        .all(|r| matches!(r.bid, BidReview::Cleared | BidReview::NoJurisdiction))
    {
        let paid = (1.0 - ps.stake) * ps.bid_price;
        for mut c in companies.iter_mut() {
            if c.idx == roster.investor {
                c.capital -= paid;
            }
        }
        close(ps, PartnershipStatus::Acquired, tick);
        log.push(
            tick,
            "acquisition",
            names.investor,
            names.lab,
            format!("control acquired after clearance; paid {paid:.1} $bn"),
        );
    }
}

/// The investor bids when the lab is weak and control is worth a premium. As a partner it
/// already earns its rents; control secures them against the partnership breaking down,
/// which is the closer the more of its value disputes and lock-out eat up (`fragility`).
/// Those rents at risk (the margin capitalised as profit, the dependent revenue at the
/// sector's revenue multiple) set the most it would pay over the lab's value (its
/// `ceiling` premium). It opens at the customary premium (`bid_premium`) and, refused,
/// raises its offer by that step in later months of the same weak episode, up to its
/// ceiling. The lab's board weighs the price against the mission: it sells only while the
/// lab is weak, and only above a reservation premium it draws once per weak episode
/// (uniform with mean `board_reservation`), which a short runway lowers in proportion.
#[allow(clippy::too_many_arguments)]
fn consider_bid(
    p: &crate::scenario::Scenario,
    ps: &mut Partnership,
    f: &PartnerFacts,
    books: &LabBooks,
    value: LabValue,
    signals: &mut Signals,
    d: Draws,
    tick: u32,
    log: &mut EventLog,
    names: Names,
) {
    let pp = &p.partnership;
    let runway = if books.flow < 0.0 {
        books.capital.max(0.0) / -books.flow
    } else {
        f64::INFINITY
    };
    let runway_short = runway < pp.weak_capital_months;
    let weak = tick < ps.lab_weak_until || runway_short;
    if !weak {
        ps.board_reservation_draw = None;
        ps.offers_refused = 0;
        return;
    }
    // A bid starts from what the funding market last paid for the lab (or its standalone
    // value, if it has grown since); the premium is paid on the (1 − stake) the investor buys.
    let base = books.last_round.max(value.standalone);
    let (margin, models) = rents(p, f);
    let rent_value = 12.0 * (pp.rent_multiple * margin + pp.valuation_multiple * models);
    let ceiling = fragility(p, ps, f) * rent_value / ((1.0 - ps.stake) * base).max(1e-9);
    let offer = (pp.bid_premium * f64::from(1 + ps.offers_refused)).min(ceiling);
    let bids = offer >= pp.bid_premium && ps.stake >= pp.bid_min_stake && d.bid < pp.bid_propensity;
    if !bids {
        return;
    }
    let price = (1.0 + offer) * base;
    let why = if runway_short {
        "lab short of cash"
    } else {
        "lab weakened by crisis"
    };
    ps.bids += 1;
    // Cash buys less resolve: a board with `runway` months left of `weak_capital_months`
    // asks that fraction of its reservation (a quarter at least: the mission still counts).
    let pressure = if runway_short {
        (runway / pp.weak_capital_months).clamp(0.25, 1.0)
    } else {
        1.0
    };
    let reservation = *ps
        .board_reservation_draw
        .get_or_insert(2.0 * pp.board_reservation * d.reservation);
    if offer >= reservation * pressure {
        ps.bid_pending_since = Some(tick);
        ps.bid_price = price;
        signals.bid_filed = true;
        log.push(
            tick,
            "bid",
            names.investor,
            names.lab,
            format!(
                "bid for control at {price:.0} $bn (premium {:.0}%), accepted by the board ({why})",
                100.0 * offer
            ),
        );
    } else {
        ps.offers_refused += 1;
        ps.tension = (ps.tension + pp.bid_failure_tension).min(1.0);
        log.push(
            tick,
            "bid_rejected",
            names.lab,
            names.investor,
            format!(
                "the board rejects a bid at {price:.0} $bn (premium {:.0}%) ({why})",
                100.0 * offer
            ),
        );
    }
}
