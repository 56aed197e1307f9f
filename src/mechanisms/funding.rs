//! Funding rounds: the frontier labs (the lab and any independent lab) raise equity when
//! their runway runs short, in a market that prices their growth and may say no.
//!
//! Each month, for each frontier lab (docs/MODEL.md §7.6b):
//! - investors' view of its growth: `usage_growth` ← the month's growth of its product
//!   usage, smoothed over `growth_window_months`;
//! - its market value is its forward revenue at the sector's forward multiple plus its
//!   cash: `valuation_multiple` × 12 × usage × ((1 + g)/(1 + market_growth))^12 — a lab
//!   growing with its market is worth `valuation_multiple` × its run-rate, one growing
//!   faster more, one whose growth stalls much less (so a round after a collapse of growth
//!   is a down round);
//! - when it loses money (operating flow F < 0) and its cash covers fewer than
//!   `fundraise_runway_months` of the loss, it seeks `fundraise_months` × −F, cut to the
//!   dilution investors accept (`fundraise_max_dilution` of the post-money);
//! - the round closes this month with probability `fundraise_success` × appetite, at the
//!   market value as pre-money; investors' appetite is full for a lab growing at least at
//!   its market's pace and falls linearly to none at `fundraise_min_growth` a month (a
//!   stalled lab is refused); investors refuse the lab outright while it is weak after a
//!   board crisis or a bid for it is pending, and an acquired lab is funded by its owner
//!   (a refusal of a round that would otherwise have closed is an event);
//! - the lab's investor takes `investor_round_share` of the lab's rounds (paid from its
//!   cash), so its stake moves to (stake·pre + share·raised)/post; the others dilute it.
//!
//! A lab that is refused runs its cash down; below zero its hiring budget binds (no hires,
//! pay falls to the market, §7.2) and its compute stops growing (§7.3).
//!
//! One uniform is drawn per frontier lab every month, whether or not it raises, so the
//! funding stream stays paired across scenarios (common random numbers).

use bevy_ecs::prelude::*;

use crate::scenario::{PartnershipParams, Role};
use crate::world::components::{Company, MAX_FIRMS, Partnership, PartnershipStatus, Tie};
use crate::world::random::{SimRng, Stream, uniform};
use crate::world::resources::{Clock, EventLog, Params, Roster};

/// A frontier lab's standalone value at the sector's pace, $bn: its business at the
/// revenue multiple (on its monthly product usage) plus its cash.
pub fn standalone_value(valuation_multiple: f64, usage: f64, cash: f64) -> f64 {
    valuation_multiple * 12.0 * usage + cash.max(0.0)
}

/// The monthly growth rates investors extrapolate are bounded to ±50% a month (a guard
/// against the first months of a tiny business; the record's labs grew 5–15% a month).
const GROWTH_BOUND: f64 = 0.5;

/// A frontier lab's market value, $bn: its forward revenue at the sector's forward
/// multiple plus its cash. `growth` is its smoothed monthly usage growth, `market_growth`
/// the sector's; at equal growth this is [`standalone_value`].
pub fn market_value(valuation_multiple: f64, usage: f64, growth: f64, market_growth: f64, cash: f64) -> f64 {
    let g = growth.clamp(-GROWTH_BOUND, GROWTH_BOUND);
    let forward = ((1.0 + g) / (1.0 + market_growth)).powi(12);
    valuation_multiple * 12.0 * usage * forward + cash.max(0.0)
}

/// Investors' growth estimate after a month with usage `usage` (last month `prev`): the
/// month's growth, smoothed over `window` months; unchanged without a previous month.
pub fn smoothed_growth(growth: f64, prev: f64, usage: f64, window: f64) -> f64 {
    if prev > 0.0 && usage > 0.0 {
        growth + ((usage / prev - 1.0) - growth) / window.max(1.0)
    } else {
        growth
    }
}

/// Whether a company raises equity rounds in this mechanism.
fn raises(role: Role) -> bool {
    matches!(role, Role::Lab | Role::IndependentLab)
}

/// A round: what was raised and at which valuations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Round {
    pub raised: f64,
    pub pre_money: f64,
    pub post_money: f64,
}

/// The round a lab with cash `cash` and operating flow `flow` seeks this month at
/// pre-money `pre_money`, or `None` when its runway is long enough (or it makes money):
/// `fundraise_months` of its burn, cut so that the round is at most
/// `fundraise_max_dilution` of the post-money.
pub fn round_sought(pp: &PartnershipParams, cash: f64, flow: f64, pre_money: f64) -> Option<Round> {
    let short = flow < 0.0 && cash < pp.fundraise_runway_months * -flow && pre_money > 0.0;
    short.then(|| {
        let d = pp.fundraise_max_dilution.min(0.99);
        let raised = (pp.fundraise_months * -flow).min(pre_money * d / (1.0 - d));
        Round {
            raised,
            pre_money,
            post_money: pre_money + raised,
        }
    })
}

/// The investor's stake after a round of which it took `share`.
pub fn stake_after(stake: f64, share: f64, round: &Round) -> f64 {
    (stake * round.pre_money + share * round.raised) / round.post_money
}

/// Investors' appetite for a lab's round, 0..=1: full for a lab growing at least at its
/// market's pace, none at or below `fundraise_min_growth`, linear between.
pub fn appetite(pp: &PartnershipParams, growth: f64, market_growth: f64) -> f64 {
    let span = market_growth - pp.fundraise_min_growth;
    if span <= 0.0 {
        return if growth >= pp.fundraise_min_growth { 1.0 } else { 0.0 };
    }
    ((growth - pp.fundraise_min_growth) / span).clamp(0.0, 1.0)
}

/// Why investors refuse a lab's round this month, if they do: a round that would close
/// (`draw` < `fundraise_success`) is refused in a crisis, and while growth is short of the
/// market's unless `draw` < `fundraise_success` × appetite.
fn refusal(pp: &PartnershipParams, draw: f64, appetite: f64, crisis: bool) -> Option<&'static str> {
    if crisis {
        Some("investors stay away from a weak or contested lab")
    } else if draw >= pp.fundraise_success * appetite {
        Some("its growth is short of what investors pay for")
    } else {
        None
    }
}

/// The month's draws: one uniform per frontier lab, in roster order, every month.
fn draws(rng: &mut SimRng, roster: &Roster, companies: &Query<&mut Company>) -> [f64; MAX_FIRMS] {
    let rng = rng.get(Stream::Funding);
    let mut draws = [f64::NAN; MAX_FIRMS];
    let mut order = [false; MAX_FIRMS];
    for c in companies.iter() {
        order[c.idx as usize] = raises(c.role);
    }
    for (i, &raising) in order.iter().enumerate().take(roster.firms()) {
        if raising {
            draws[i] = uniform(rng);
        }
    }
    draws
}

#[allow(clippy::too_many_arguments)]
pub fn funding(
    params: Res<Params>,
    clock: Res<Clock>,
    roster: Res<Roster>,
    mut rng: ResMut<SimRng>,
    mut log: ResMut<EventLog>,
    mut companies: Query<&mut Company>,
    mut partnership: Query<&mut Partnership>,
    mut ties: Query<&mut Tie>,
) {
    let p = &params.0;
    let pp = &p.partnership;
    let tick = clock.tick;
    let draws = draws(&mut rng, &roster, &companies);
    let mut ps = partnership.single_mut().ok();
    let mut investor_pays = 0.0;
    for mut c in companies.iter_mut() {
        if !raises(c.role) {
            continue;
        }
        c.usage_growth = smoothed_growth(c.usage_growth, c.prev_usage, c.usage, pp.growth_window_months);
        c.prev_usage = c.usage;
        let value = market_value(
            pp.valuation_multiple,
            c.usage,
            c.usage_growth,
            p.products.market_growth,
            c.capital,
        );
        c.valuation = value;
        let is_lab = c.idx == roster.lab;
        let acquired = is_lab && ps.as_ref().is_some_and(|ps| ps.status == PartnershipStatus::Acquired);
        // Outside investors stay away from a weak or contested lab.
        let crisis = is_lab
            && ps
                .as_ref()
                .is_some_and(|ps| tick < ps.lab_weak_until || ps.bid_pending_since.is_some());
        let Some(round) = round_sought(pp, c.capital, c.operating_flow, value) else {
            continue;
        };
        // An acquired lab is funded by its owner; a round not closing this month is still
        // being negotiated.
        if acquired || draws[c.idx as usize] >= pp.fundraise_success {
            continue;
        }
        let appetite = appetite(pp, c.usage_growth, p.products.market_growth);
        if let Some(why) = refusal(pp, draws[c.idx as usize], appetite, crisis) {
            let detail = format!(
                "sought {:.1} $bn at a pre-money valuation of {:.0} $bn: {why}",
                round.raised, round.pre_money
            );
            log.push(tick, "fundraise_refused", roster.name(c.idx), "", detail);
            continue;
        }
        let mut detail = format!(
            "raised {:.1} $bn at a post-money valuation of {:.0} $bn",
            round.raised, round.post_money
        );
        if c.last_round_valuation > 0.0 && round.post_money < c.last_round_valuation {
            detail.push_str(&format!(
                " (a down round: the last was {:.0} $bn)",
                c.last_round_valuation
            ));
        }
        c.capital += round.raised;
        c.valuation = round.post_money;
        c.last_round_valuation = round.post_money;
        if is_lab && let Some(ps) = ps.as_mut().filter(|ps| ps.status == PartnershipStatus::Active) {
            let before = ps.stake;
            ps.stake = stake_after(ps.stake, pp.investor_round_share, &round);
            investor_pays = pp.investor_round_share * round.raised;
            detail.push_str(&format!(
                "; the investor takes {investor_pays:.1} $bn, stake {before:.3} -> {:.3}",
                ps.stake
            ));
        }
        // The lab's ties (`[[partnerships]]`) do not take part in its rounds: diluted.
        for mut t in ties.iter_mut().filter(|t| t.lab == c.idx) {
            t.stake = stake_after(t.stake, 0.0, &round);
        }
        log.push(tick, "fundraise", roster.name(c.idx), "", detail);
    }
    if investor_pays > 0.0 {
        for mut c in companies.iter_mut() {
            if c.idx == roster.investor {
                c.capital -= investor_pays;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A round dilutes a stake that does not take part, and a stake that takes its own
    /// share of the round keeps it.
    #[test]
    fn rounds_dilute_stakes_by_participation() {
        let round = Round {
            raised: 6.6,
            pre_money: 150.4,
            post_money: 157.0,
        };
        let diluted = stake_after(0.49, 0.0, &round);
        assert!((diluted - 0.49 * 150.4 / 157.0).abs() < 1e-12);
        assert!((stake_after(0.49, 0.49, &round) - 0.49).abs() < 1e-12);
        assert!(stake_after(0.49, 0.15, &round) > diluted && stake_after(0.49, 0.15, &round) < 0.49);
    }

    /// A lab raises only when it loses money and its cash covers less than the runway.
    #[test]
    fn rounds_are_sought_only_on_a_short_runway() {
        let pp = crate::scenario::PartnershipParams::default();
        let months = pp.fundraise_runway_months;
        assert!(round_sought(&pp, 10.0, 0.5, 100.0).is_none());
        assert!(round_sought(&pp, (months + 1.0) * 0.4, -0.4, 100.0).is_none());
        let r = round_sought(&pp, (months - 1.0) * 0.4, -0.4, 100.0).expect("a round");
        assert!((r.raised - pp.fundraise_months * 0.4).abs() < 1e-12);
        assert!((r.post_money - 100.0 - r.raised).abs() < 1e-12);
    }

    /// A round is cut to the dilution investors accept: a small lab with a large burn raises
    /// at most `fundraise_max_dilution` of its post-money.
    #[test]
    fn rounds_are_cut_to_the_dilution_investors_accept() {
        let pp = crate::scenario::PartnershipParams::default();
        let r = round_sought(&pp, 1.0, -0.5, 12.0).expect("a round");
        assert!(r.raised < pp.fundraise_months * 0.5);
        assert!((r.raised / r.post_money - pp.fundraise_max_dilution).abs() < 1e-12);
    }

    /// The market value rewards growth above the market's and punishes a stall (a round
    /// after a collapse of growth is a down round); at the market's pace it is the
    /// standalone value.
    #[test]
    fn value_follows_growth_and_appetite_fades_with_it() {
        let pp = crate::scenario::PartnershipParams::default();
        let g = 0.085;
        let at_pace = market_value(40.0, 0.3, g, g, 5.0);
        assert!((at_pace - standalone_value(40.0, 0.3, 5.0)).abs() < 1e-9);
        assert!(market_value(40.0, 0.3, 0.12, g, 5.0) > 1.4 * at_pace);
        assert!(market_value(40.0, 0.3, 0.0, g, 5.0) < 0.5 * at_pace);
        assert_eq!(appetite(&pp, g, g), 1.0);
        assert_eq!(appetite(&pp, pp.fundraise_min_growth, g), 0.0);
        let half = 0.5 * (g + pp.fundraise_min_growth);
        assert!((appetite(&pp, half, g) - 0.5).abs() < 1e-9);
        assert!(refusal(&pp, 0.0, 1.0, true).is_some());
        assert!(refusal(&pp, 0.5 * pp.fundraise_success, 0.4, false).is_some());
        assert!(refusal(&pp, 0.3 * pp.fundraise_success, 0.4, false).is_none());
        // Growth is smoothed over the window.
        assert!((smoothed_growth(0.08, 1.0, 1.02, 6.0) - (0.08 + (0.02 - 0.08) / 6.0)).abs() < 1e-12);
        assert_eq!(smoothed_growth(0.08, 0.0, 1.0, 6.0), 0.08);
    }
}
