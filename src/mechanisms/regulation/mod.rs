//! Regulation: the EU Commission, the UK CMA and the US FTC, each following its merger
//! procedure. One [`Case`] type steps a review month by month through the same stages at
//! every authority; the authorities differ in their tables ([`AuthorityParams`]: clocks,
//! referral propensities), in their jurisdiction tests and in their structural screens
//! ([`eu`], [`cma`], [`ftc`]).
//!
//! - [`jurisdiction`]: the investor's level of influence over the lab, the terms each
//!   authority watches for changes, and the facts a jurisdiction test reads;
//! - [`screens`]: market screens of a combination (HHI, ΔHHI, combined share, foreclosure);
//! - [`harms`]: the harm index, as each authority's screen weighs it;
//! - [`procedure`]: [`Case::step`], the stages, the clocks in working days, the decisions;
//! - [`remedies`]: the undertakings the parties can offer and the remedies imposed;
//! - the [`Regulator`] component: an authority's open cases and what it has reviewed.
//!
//! The ECS system [`regulation`] reads the state, opens cases (partnership changes, an
//! own-initiative hazard `s·(open_rate·h + peer_weight·peers)`, bids, acqui-hires), steps
//! them, logs events and applies decisions. A divestiture takes effect
//! `implementation_months` after the order (see partnership).

pub mod cma;
pub mod eu;
pub mod ftc;
pub mod harms;
pub mod jurisdiction;
pub mod procedure;
mod regulator;
pub mod remedies;
pub mod screens;
mod ties;

pub use jurisdiction::{
    Influence, Subject, Terms, influence, initial_accepted, route_of, tie_indicator, tie_influence, ties_reading,
};
pub use procedure::{Case, CaseKind, Closure, Decision, Facts, Step, WD_PER_MONTH};
pub use regulator::{BidReview, Regulator};
pub use remedies::{Offer, Package};
pub use screens::Screens;

use bevy_ecs::prelude::*;
use rand::rngs::ChaCha8Rng;
use rand::{Rng, SeedableRng};

use crate::scenario::{AuthorityParams, RegulationParams, Segment, Stage};
use crate::world::components::{
    Authority, CloudContract, Company, DivestRoute, FirmIdx, Partnership, PartnershipStatus, Product, Tie,
    separation_route_label,
};
use crate::world::random::{SimRng, Stream, uniform};
use crate::world::resources::{Clock, EventLog, Params, Roster, StartupIndex};
use crate::world::signals::Signals;

use super::cloud::CloudMarket;
use super::partnership::{control_indicator, lab_share_on_investor};
use harms::partnership_harm;
use remedies::{apply, partnership_offers};
use screens::Market;

/// The scenario's parameters of one authority.
pub fn authority_params(rp: &RegulationParams, a: Authority) -> &AuthorityParams {
    match a {
        Authority::Eu => eu::params(rp),
        Authority::Cma => cma::params(rp),
        Authority::Ftc => ftc::params(rp),
    }
}

/// Whether authority `a` has jurisdiction over `subject`.
pub fn has_jurisdiction(a: Authority, subject: &Subject, rp: &RegulationParams) -> bool {
    match a {
        Authority::Eu => eu::jurisdiction(subject, rp),
        Authority::Cma => cma::jurisdiction(subject, rp),
        Authority::Ftc => ftc::jurisdiction(subject, rp),
    }
}

/// What every authority reads this month: the parties, the market, the screens of the
/// partnership and of a bid, and how many authorities have each matter in phase 2.
struct Month<'w> {
    rp: &'w RegulationParams,
    tick: u32,
    roster: &'w Roster,
    signals: &'w Signals,
    lab: usize,
    inv: usize,
    lab_name: &'w str,
    inv_name: &'w str,
    /// The lab's share of compute on the investor's cloud.
    share: f64,
    market: Market,
    /// Screens of combining the lab and the investor.
    base: Screens,
    /// The lab's developer-API share.
    api_share: f64,
    /// The investor's share of compute supplied to rival labs and startups.
    rival_compute: f64,
    bid_screens: Screens,
    /// Authorities with the partnership in phase 2.
    in_phase2: u32,
    /// Authorities with the bid in phase 2.
    bid_phase2: u32,
}

/// One authority this month.
struct Desk<'a> {
    month: &'a Month<'a>,
    a: Authority,
    ap: &'a AuthorityParams,
    /// Stringency times the authority's weight.
    s: f64,
    name: &'static str,
    /// Whether the partnership is active.
    active: bool,
    /// Harm index of the bid.
    bid_harm: f64,
}

/// The partnership as one authority reads it this month.
struct Reading {
    /// Control indicator.
    k: f64,
    level: Influence,
    /// What changed in the terms, if anything (a new merger situation).
    change: Option<&'static str>,
    harm: f64,
    /// The route that gives jurisdiction at this level.
    route: DivestRoute,
    jurisdiction: bool,
    /// Other authorities with the partnership in phase 2.
    peers: u32,
}

/// The regulation phase: reads the month's facts, then each authority in turn reviews the
/// partnership, a pending bid, and the acquisitions of teams (absorption, acqui-hires).
#[allow(clippy::too_many_arguments)]
pub fn regulation(
    params: Res<Params>,
    clock: Res<Clock>,
    roster: Res<Roster>,
    startups: Res<StartupIndex>,
    mut rngs: ResMut<SimRng>,
    signals: Res<Signals>,
    mut log: ResMut<EventLog>,
    contracts: Query<&CloudContract>,
    products: Query<&Product>,
    mut partnership: Query<&mut Partnership>,
    mut regulators: Query<&mut Regulator>,
    mut ties: Query<&mut Tie>,
    companies: Query<&Company>,
    cloud: Res<CloudMarket>,
) {
    let rp = &params.0.regulation;
    let tick = clock.tick;
    let Ok(mut ps) = partnership.single_mut() else { return };
    let (lab, inv) = (roster.lab as usize, roster.investor as usize);
    let (lab_name, inv_name) = (roster.name(roster.lab), roster.name(roster.investor));
    let share = lab_share_on_investor(&roster, &contracts);
    let market = Market::read(&products, &signals, startups.alive.len());
    let base = market.combine(lab, inv);
    let api_share = market.share[lab][Segment::DeveloperApi.index()];
    let rival_compute = signals.investor_rival_compute_share;
    let bid_screens = Screens {
        foreclosure: rival_compute.max(api_share),
        ..base
    };
    let in_phase2 = regulators.iter().filter(|r| r.stage() == Stage::Phase2).count() as u32;
    let bid_phase2 = regulators
        .iter()
        .filter(|r| r.bid_case.is_some_and(|c| c.stage == Stage::Phase2))
        .count() as u32;
    let month = Month {
        rp,
        tick,
        roster: &roster,
        signals: &signals,
        lab,
        inv,
        lab_name,
        inv_name,
        share,
        market,
        base,
        api_share,
        rival_compute,
        bid_screens,
        in_phase2,
        bid_phase2,
    };

    ties::note_term_changes(&mut ties, &params.0.partnerships, tick);
    // In authority order (EU, CMA, FTC) without allocating.
    for a in Authority::ALL {
        let Some(mut reg) = regulators.iter_mut().find(|r| r.authority == a) else {
            continue;
        };
        // One draw a month from the authority's stream seeds the month's three sub-streams
        // (the partnership, a bid, team acquisitions): however many cases are open or
        // whatever they draw, next month's numbers stay where they were.
        let seed = rand::Rng::next_u64(rngs.get(Stream::Regulator(a as u8)));
        let [mut r_ps, mut r_bid, mut r_team, mut r_tie] = [0u64, 1, 2, 3].map(|stream| {
            let mut r = ChaCha8Rng::seed_from_u64(seed);
            r.set_stream(stream);
            r
        });
        let ap = authority_params(rp, a);
        let desk = Desk {
            month: &month,
            a,
            ap,
            s: rp.stringency * ap.weight,
            name: a.as_str(),
            active: ps.status == PartnershipStatus::Active,
            bid_harm: month.bid_screens.harm(rp, 1.0, a),
        };
        review_partnership(&desk, &mut reg, &mut ps, &mut r_ps, &mut log);
        review_bid(&desk, &mut reg, &ps, &mut r_bid, &mut log);
        review_team_acquisitions(&desk, &mut reg, &mut ps, &mut r_team, &mut log);
        let tie_world = ties::TieWorld {
            terms: &params.0.partnerships,
            market: &cloud,
            companies: &companies,
        };
        ties::review_ties(&desk, &mut reg.tie_cases, &mut ties, &tie_world, &mut r_tie, &mut log);
    }
}

/// The partnership case: the terms are read for a change, and a case is opened (on the
/// change, or on the authority's own initiative) or stepped.
fn review_partnership<R: Rng + ?Sized>(
    d: &Desk,
    reg: &mut Regulator,
    ps: &mut Partnership,
    rng: &mut R,
    log: &mut EventLog,
) {
    let (m, rp, a, tick, active) = (d.month, d.month.rp, d.a, d.month.tick, d.active);
    let k = control_indicator(ps, m.share);
    let level = influence(ps.stake, ps.board_seat, k, reg.ties_suffice, rp);
    let terms = Terms::of(ps, level);
    let change = terms.change_from(&reg.seen).filter(|_| active);
    if change.is_some() {
        reg.last_change = Some(tick);
    }
    reg.seen = terms;
    if !active {
        reg.case = None;
        reg.case_route = None;
    } else {
        let harm = partnership_harm(ps, k, &m.base, m.api_share, m.rival_compute, rp, a);
        let ties_k = control_indicator(
            &Partnership {
                board_seat: false,
                ..ps.clone()
            },
            m.share,
        );
        let subject = Subject::Partnership {
            level,
            accepted: reg.accepted,
        };
        let jurisdiction = has_jurisdiction(a, &subject, rp);
        let peers = m.in_phase2 - u32::from(reg.stage() == Stage::Phase2);
        let reading = Reading {
            k,
            level,
            change,
            harm,
            route: route_of(ps, level, ties_k, reg.ties_suffice, rp),
            jurisdiction,
            peers,
        };
        match reg.case {
            None => open_partnership_case(d, reg, &reading, rng, log),
            Some(case) => step_partnership_case(d, reg, ps, case, &reading, rng, log),
        }
    }
}

/// Opens a partnership case on a change in the terms or on the authority's own initiative,
/// if the investor's level is above the one already reviewed and within the time limit.
fn open_partnership_case<R: Rng + ?Sized>(
    d: &Desk,
    reg: &mut Regulator,
    reading: &Reading,
    rng: &mut R,
    log: &mut EventLog,
) {
    let (m, rp, ap, s, tick, name) = (d.month, d.month.rp, d.ap, d.s, d.month.tick, d.name);
    let (lab_name, inv_name) = (m.lab_name, m.inv_name);
    let (k, level, change, harm, peers) = (reading.k, reading.level, reading.change, reading.harm, reading.peers);
    let in_time = ap.time_limit_months == 0 || reg.last_change.is_some_and(|t| tick - t <= ap.time_limit_months);
    let prima_facie = level > reg.accepted && level > Influence::None && in_time;
    // Drawn first, whether or not it is needed.
    let u = uniform(rng);
    let why = if let Some(why) = change {
        Some(why)
    } else if prima_facie && u < s * (rp.open_rate * harm + rp.peer_weight * f64::from(peers)) {
        Some("own initiative")
    } else {
        None
    };
    if let Some(why) = why.filter(|_| prima_facie) {
        let mut case = Case::open(CaseKind::Partnership, Stage::Informal, 0, ap);
        if change.is_some() {
            case.notified = true;
            if case.informal_mean(ap) <= 0.0 {
                case = Case::open(CaseKind::Partnership, Stage::Phase1, 0, ap);
            }
        }
        reg.case = Some(case);
        reg.case_route = None;
        log.push(
            tick,
            "review_opened",
            name,
            inv_name,
            format!("partnership with {lab_name}: {why}; {} (K={k:.2})", level.as_str()),
        );
    }
}

/// A month of the open partnership case, with the undertakings the investor could offer;
/// when the case ends, the level reached is the one reviewed.
fn step_partnership_case<R: Rng + ?Sized>(
    d: &Desk,
    reg: &mut Regulator,
    ps: &mut Partnership,
    mut case: Case,
    reading: &Reading,
    rng: &mut R,
    log: &mut EventLog,
) {
    let (m, rp, a) = (d.month, d.month.rp, d.a);
    let mut offers = [Offer {
        package: Package::FixOverlap,
        cost: 0.0,
        harm_after: 0.0,
        jurisdiction_after: false,
        behavioural: false,
    }; 3];
    let n = partnership_offers(
        ps,
        m.share,
        &m.base,
        m.api_share,
        m.rival_compute,
        rp,
        a,
        reg.accepted,
        reg.ties_suffice,
        &mut offers,
    );
    let facts = Facts {
        jurisdiction: reading.jurisdiction,
        harm: reading.harm,
        peers: reading.peers,
        offers: &offers[..n],
    };
    let step = case.step(d.ap, rp, d.s, &facts, rng);
    reg.case = Some(case);
    if reading.jurisdiction && reg.case_route.is_none() {
        reg.case_route = Some(reading.route);
    }
    let reading = Reading {
        route: reg.case_route.unwrap_or(reading.route),
        ..*reading
    };
    let done = partnership_decision(d, ps, step, &reading, log);
    if done {
        reg.case = None;
        reg.case_route = None;
        let k = control_indicator(ps, m.share);
        reg.accepted = influence(ps.stake, ps.board_seat, k, reg.ties_suffice, rp);
        reg.seen = Terms::of(ps, reg.accepted);
    }
}

/// Logs a month's step of the partnership case and applies what it decided (accepted
/// undertakings, behavioural remedies, a divestiture order); whether the case ended.
fn partnership_decision(d: &Desk, ps: &mut Partnership, step: Step, reading: &Reading, log: &mut EventLog) -> bool {
    let (m, rp, tick, name) = (d.month, d.month.rp, d.month.tick, d.name);
    let (lab_name, inv_name) = (m.lab_name, m.inv_name);
    let (k, level, harm) = (reading.k, reading.level, reading.harm);
    let mut done = true;
    match step {
        Step::Continue | Step::Court => done = false,
        Step::Phase2 => {
            done = false;
            log.push(
                tick,
                "review_phase2",
                name,
                inv_name,
                format!("partnership with {lab_name}: in-depth investigation (harm {harm:.2})"),
            );
        }
        Step::OfferRejected(p) => {
            done = false;
            log.push(tick, "undertaking", inv_name, name, format!("offered: {}", p.as_str()));
            log.push(
                tick,
                "review_phase2",
                name,
                inv_name,
                format!("partnership with {lab_name}: undertakings rejected, in-depth investigation"),
            );
        }
        Step::Closed(Closure::NoJurisdiction) => log.push(
            tick,
            "review_closed",
            name,
            inv_name,
            format!("no_jurisdiction: {} over {lab_name} (K={k:.2})", level.as_str()),
        ),
        Step::Closed(Closure::Cleared) => log.push(
            tick,
            "review_closed",
            name,
            inv_name,
            format!("cleared in phase 1: partnership with {lab_name}"),
        ),
        Step::OfferAccepted(Package::ReduceStake) => {
            // Structural commitments: the investor sells its stake down to a passive holding
            // within the time an order gives (a divestiture, as the CMA's order on
            // Ryanair's 29.8% of Aer Lingus cut it to 5%); the commercial ties go on.
            let due = order_separation(ps, tick, rp, d.a, reading.route, true);
            let route = separation_route_label((d.a, reading.route));
            log.push(
                tick,
                "undertaking",
                inv_name,
                name,
                format!("offered: {}", Package::ReduceStake.as_str()),
            );
            log.push(
                tick,
                "review_closed",
                name,
                inv_name,
                format!(
                    "commitments: {}, sell-down due month {due}; route {route}",
                    Package::ReduceStake.as_str()
                ),
            );
        }
        Step::OfferAccepted(p) => {
            apply(ps, p, rp);
            log.push(tick, "undertaking", inv_name, name, format!("offered: {}", p.as_str()));
            log.push(
                tick,
                "review_closed",
                name,
                inv_name,
                format!("commitments: {}", p.as_str()),
            );
        }
        Step::Decided(Decision::Clear) => log.push(
            tick,
            "decision",
            name,
            inv_name,
            format!("clear: partnership with {lab_name}"),
        ),
        Step::Decided(Decision::Remedies | Decision::Block) => {
            apply(ps, Package::Behavioural, rp);
            ps.board_seat = false;
            log.push(
                tick,
                "decision",
                name,
                inv_name,
                format!(
                    "remedies: exclusivity {}, no first access, no board seat",
                    ps.exclusivity.as_str()
                ),
            );
        }
        Step::Decided(Decision::Divest) => {
            let due = order_separation(ps, tick, rp, d.a, reading.route, false);
            let route = separation_route_label((d.a, reading.route));
            log.push(
                tick,
                "decision",
                name,
                inv_name,
                format!("divest: stake in {lab_name}, separation due month {due}; route {route}"),
            );
        }
    }
    done
}

/// Orders the partnership separated (or, with `sell_down`, the stake sold down to
/// `undertaking_stake`) `implementation_months` from now, or keeps an earlier order,
/// recording who ordered it and by which route; the month it falls due.
fn order_separation(
    ps: &mut Partnership,
    tick: u32,
    rp: &RegulationParams,
    a: Authority,
    route: DivestRoute,
    sell_down: bool,
) -> u32 {
    let due = tick + rp.implementation_months;
    // An earlier order stands, except that a separation supersedes a pending sell-down.
    if ps.separation_due.is_none_or(|d| due < d) || (ps.sell_down && !sell_down) {
        ps.separation_due = Some(due);
        ps.separation_route = Some((a, route));
        ps.sell_down = sell_down;
    }
    due
}

/// Merger control of a pending bid, by authorities with jurisdiction only.
fn review_bid<R: Rng + ?Sized>(d: &Desk, reg: &mut Regulator, ps: &Partnership, rng: &mut R, log: &mut EventLog) {
    if d.active && ps.bid_pending_since.is_some() {
        if reg.bid == BidReview::Idle {
            open_bid_case(d, reg, ps, log);
        } else if let Some(case) = reg.bid_case {
            step_bid_case(d, reg, case, rng, log);
        }
    } else {
        reg.bid = BidReview::Idle;
        reg.bid_case = None;
    }
}

/// Opens a review of a new bid if the authority has jurisdiction over it.
fn open_bid_case(d: &Desk, reg: &mut Regulator, ps: &Partnership, log: &mut EventLog) {
    let (m, rp, a, ap, tick, name) = (d.month, d.month.rp, d.a, d.ap, d.month.tick, d.name);
    let (lab, inv, lab_name, inv_name, market) = (m.lab, m.inv, m.lab_name, m.inv_name, &m.market);
    let subject = Subject::Bid {
        combined_share: market.combined_supply(lab, inv),
        price: ps.bid_price,
    };
    if has_jurisdiction(a, &subject, rp) {
        reg.bid = BidReview::Pending;
        reg.bid_case = Some(Case::open(CaseKind::Bid, Stage::Informal, 0, ap));
        log.push(
            tick,
            "review_opened",
            name,
            inv_name,
            format!("bid for control of {lab_name}"),
        );
    } else {
        reg.bid = BidReview::NoJurisdiction;
    }
}

/// A month of the bid's review; its verdict when the review ends.
fn step_bid_case<R: Rng + ?Sized>(d: &Desk, reg: &mut Regulator, mut case: Case, rng: &mut R, log: &mut EventLog) {
    let (m, rp, ap, s, tick, name) = (d.month, d.month.rp, d.ap, d.s, d.month.tick, d.name);
    let (lab_name, inv_name, bid_harm, bid_phase2) = (m.lab_name, m.inv_name, d.bid_harm, m.bid_phase2);
    let peers = bid_phase2 - u32::from(case.stage == Stage::Phase2);
    let facts = Facts {
        jurisdiction: true,
        harm: bid_harm,
        peers,
        offers: &[],
    };
    let step = case.step(ap, rp, s, &facts, rng);
    reg.bid_case = Some(case);
    let verdict = match step {
        Step::Continue | Step::Court => None,
        Step::Phase2 | Step::OfferRejected(_) => {
            log.push(
                tick,
                "review_phase2",
                name,
                inv_name,
                format!("bid for {lab_name}: in-depth investigation (harm {bid_harm:.2})"),
            );
            None
        }
        Step::Closed(Closure::NoJurisdiction) => {
            log.push(tick, "review_closed", name, inv_name, "no_jurisdiction: bid".into());
            Some(BidReview::NoJurisdiction)
        }
        Step::Closed(Closure::Cleared) | Step::OfferAccepted(_) => {
            log.push(
                tick,
                "review_closed",
                name,
                inv_name,
                format!("cleared in phase 1: bid for {lab_name}"),
            );
            Some(BidReview::Cleared)
        }
        Step::Decided(Decision::Clear) => {
            log.push(tick, "decision", name, inv_name, format!("clear: bid for {lab_name}"));
            Some(BidReview::Cleared)
        }
        Step::Decided(Decision::Remedies) => {
            log.push(
                tick,
                "decision",
                name,
                inv_name,
                format!("remedies: bid for {lab_name} cleared with conditions"),
            );
            Some(BidReview::Cleared)
        }
        Step::Decided(Decision::Block | Decision::Divest) => {
            log.push(tick, "decision", name, inv_name, format!("block: bid for {lab_name}"));
            Some(BidReview::Blocked)
        }
    };
    if let Some(v) = verdict {
        reg.bid = v;
        reg.bid_case = None;
    }
}

/// Acqui-hires by any company: a month of each open review, then new reviews.
fn review_team_acquisitions<R: Rng + ?Sized>(
    d: &Desk,
    reg: &mut Regulator,
    ps: &mut Partnership,
    rng: &mut R,
    log: &mut EventLog,
) {
    let mut kept = 0;
    for i in 0..reg.acquihire_cases.len() {
        let mut case = reg.acquihire_cases[i];
        let mut keep = true;
        if case.kind == CaseKind::Absorption && !(ps.absorbed && ps.status == PartnershipStatus::Acquired) {
            // Already unwound by another authority's order: nothing left to review.
            keep = false;
        } else if case.kind == CaseKind::Absorption {
            keep = step_absorption_case(d, ps, &mut case, rng, log);
        } else if let CaseKind::Acquihire { buyer, slot } = case.kind {
            keep = step_acquihire_case(d, &mut case, buyer, slot, rng, log);
        }
        if keep {
            reg.acquihire_cases[kept] = case;
            kept += 1;
        }
    }
    reg.acquihire_cases.truncate(kept);
    open_team_cases(d, reg, log);
}

/// What a month of a review of a consummated team acquisition (an acqui-hire, an
/// absorption) logs: whether the case moved to phase 2, and, when the review ends, the
/// event kind and the first word(s) of its detail.
fn team_review_step(step: &Step) -> (bool, Option<(&'static str, &'static str)>) {
    match step {
        Step::Continue | Step::Court => (false, None),
        Step::Phase2 | Step::OfferRejected(_) => (true, None),
        Step::Closed(Closure::NoJurisdiction) => (false, Some(("review_closed", "no_jurisdiction"))),
        Step::Closed(Closure::Cleared) => (false, Some(("review_closed", "cleared in phase 1"))),
        Step::OfferAccepted(_) => (false, Some(("review_closed", "commitments"))),
        Step::Decided(Decision::Clear) => (false, Some(("decision", "clear"))),
        Step::Decided(Decision::Remedies) => (false, Some(("decision", "remedies"))),
        Step::Decided(Decision::Divest | Decision::Block) => (false, Some(("decision", "divest"))),
    }
}

/// A month of the review of the investor's absorption of the lab's staff; whether it goes
/// on. A structural finding unwinds the absorption.
fn step_absorption_case<R: Rng + ?Sized>(
    d: &Desk,
    ps: &mut Partnership,
    case: &mut Case,
    rng: &mut R,
    log: &mut EventLog,
) -> bool {
    let (m, rp, ap, s, tick, name) = (d.month, d.month.rp, d.ap, d.s, d.month.tick, d.name);
    let (lab_name, inv_name, bid_harm) = (m.lab_name, m.inv_name, d.bid_harm);
    let mut keep = true;
    let facts = Facts {
        jurisdiction: true,
        harm: bid_harm,
        peers: 0,
        offers: &[],
    };
    let what = format!("absorption of {lab_name}'s staff");
    let (phase2, end) = team_review_step(&case.step(ap, rp, s, &facts, rng));
    if phase2 {
        log.push(
            tick,
            "review_phase2",
            name,
            inv_name,
            format!("{what}: in-depth investigation (harm {bid_harm:.2})"),
        );
    }
    if let Some((kind, outcome)) = end {
        keep = false;
        let detail = if outcome == "divest" {
            // A consummated absorption is unwound: the investor must let the
            // team and its know-how go, after the implementation period.
            let due = order_separation(ps, tick, rp, d.a, DivestRoute::Absorption, false);
            let route = separation_route_label((d.a, DivestRoute::Absorption));
            format!("divest (unwind, separation due month {due}): {what}; route {route}")
        } else {
            format!("{outcome}: {what}")
        };
        log.push(tick, kind, name, inv_name, detail);
    }
    keep
}

/// A month of the review of a company's acqui-hire of a startup; whether it goes on.
fn step_acquihire_case<R: Rng + ?Sized>(
    d: &Desk,
    case: &mut Case,
    buyer: FirmIdx,
    slot: u32,
    rng: &mut R,
    log: &mut EventLog,
) -> bool {
    let (m, rp, a, ap, s, tick, name) = (d.month, d.month.rp, d.a, d.ap, d.s, d.month.tick, d.name);
    let (market, roster) = (&m.market, m.roster);
    let mut keep = true;
    let harm = market.acquihire(buyer as usize).harm(rp, 1.0, a);
    let facts = Facts {
        jurisdiction: true,
        harm,
        peers: 0,
        offers: &[],
    };
    let buyer_name = roster.name(buyer);
    let (phase2, detail) = team_review_step(&case.step(ap, rp, s, &facts, rng));
    if phase2 {
        log.push(
            tick,
            "review_phase2",
            name,
            buyer_name,
            format!("acqui-hire of startup-{slot}: in-depth investigation"),
        );
    }
    if let Some((kind, what)) = detail {
        keep = false;
        log.push(
            tick,
            kind,
            name,
            buyer_name,
            format!("{what}: acqui-hire of startup-{slot}"),
        );
    }
    keep
}

/// Opens reviews of this month's absorption of the lab's staff and of acqui-hires, where
/// the authority has jurisdiction.
fn open_team_cases(d: &Desk, reg: &mut Regulator, log: &mut EventLog) {
    let (m, rp, a, ap, tick, name) = (d.month, d.month.rp, d.a, d.ap, d.month.tick, d.name);
    let (lab, inv, lab_name, inv_name) = (m.lab, m.inv, m.lab_name, m.inv_name);
    let (market, roster, signals) = (&m.market, m.roster, m.signals);
    if let Some(value) = signals.absorbed {
        let subject = Subject::Absorption {
            combined_share: market.combined_supply(lab, inv),
            value,
        };
        if has_jurisdiction(a, &subject, rp) {
            reg.acquihire_cases
                .push(Case::open(CaseKind::Absorption, Stage::Informal, 0, ap));
            log.push(
                tick,
                "review_opened",
                name,
                inv_name,
                format!("absorption of {lab_name}'s staff (value {value:.1} $bn)"),
            );
        }
    }
    for deal in &signals.acquihires {
        let subject = Subject::Acquihire {
            buyer_share: market.max_share(deal.buyer as usize),
            price: deal.price,
        };
        // An acqui-hire that moves nobody is not reviewed.
        if deal.staff > 0 && has_jurisdiction(a, &subject, rp) {
            let kind = CaseKind::Acquihire {
                buyer: deal.buyer,
                slot: deal.slot,
            };
            reg.acquihire_cases.push(Case::open(kind, Stage::Informal, 0, ap));
            log.push(
                tick,
                "review_opened",
                name,
                roster.name(deal.buyer),
                format!("acqui-hire of startup-{} ({} researchers)", deal.slot, deal.staff),
            );
        }
    }
}
