//! Ties (`[[partnerships]]`): the investors' money flowing into their labs.
//!
//! Each month every tranche that has fallen due is paid: the investor's cash goes to the
//! lab's, at the lab's value as the funding market sees it this month (its `valuation`,
//! else its last round's). The investor's stake becomes (stake·V + amount)/(V + amount);
//! every other holder of the lab — its other ties and, for the lab, the headline investor —
//! is diluted by V/(V + amount). The money funds the lab's compute and hiring through its
//! cash (cloud, hiring), which is how a lab with partners can grow faster than its own
//! revenue allows.

use bevy_ecs::prelude::*;

use crate::mechanisms::funding::{Round, stake_after};

use crate::world::components::{Company, FirmIdx, Partnership, PartnershipStatus, Tie, separation_route_label};
use crate::world::resources::{Clock, EventLog, Params, Roster};

pub fn ties(
    params: Res<Params>,
    clock: Res<Clock>,
    roster: Res<Roster>,
    mut log: ResMut<EventLog>,
    mut companies: Query<&mut Company>,
    mut ties: Query<&mut Tie>,
    mut partnership: Query<&mut Partnership>,
) {
    let tick = clock.tick;
    let mut ps = partnership.single_mut().ok();
    // A divestiture ordered against a tie takes effect: the investor's stake is sold to
    // other investors at the lab's value this month.
    for mut t in ties.iter_mut() {
        if let Some((month, a, route)) = t.divest_due
            && month <= tick
        {
            let proceeds = t.stake * lab_value(&companies, t.lab);
            if let Some(mut inv) = companies.iter_mut().find(|c| c.idx == t.investor) {
                inv.capital += proceeds;
            }
            t.divested = Some((tick, a, route));
            t.divest_due = None;
            t.stake = 0.0;
            log.push(
                tick,
                "tie_separation",
                roster.name(t.investor),
                roster.name(t.lab),
                format!(
                    "divestiture order takes effect; route {}",
                    separation_route_label((a, route))
                ),
            );
        }
    }
    // Ties in scenario order; a tie's tranches in their order. Few ties, so the nested
    // passes over them cost nothing.
    let n = ties.iter().len();
    for i in 0..n {
        while let Some((investor, lab, amount)) = next_due(&ties, i, &params, tick) {
            // The tranche is a round the investor takes whole, at the lab's value.
            let value = lab_value(&companies, lab).max(amount);
            let round = Round {
                raised: amount,
                pre_money: value,
                post_money: value + amount,
            };
            for mut t in ties.iter_mut().filter(|t| t.lab == lab) {
                let payer = t.index as usize == i;
                t.stake = stake_after(t.stake, if payer { 1.0 } else { 0.0 }, &round);
                if payer {
                    // Above its cap the investor's money stays debt (convertible notes it
                    // may not convert), as Google's 15% cap in Anthropic had it.
                    let cap = params.0.partnerships.get(i).map_or(1.0, |terms| terms.max_stake);
                    t.stake = t.stake.min(cap);
                    t.paid += 1;
                    t.invested += amount;
                    if amount > 0.0 {
                        // Two tranches in one month are one change of the holding.
                        t.change_in(tick);
                        t.tranche += amount;
                    }
                }
            }
            if let Some(ps) = ps.as_mut().filter(|ps| ps.status == PartnershipStatus::Active)
                && lab == roster.lab
            {
                ps.stake = stake_after(ps.stake, 0.0, &round);
            }
            for mut c in companies.iter_mut() {
                if c.idx == lab {
                    c.capital += amount;
                } else if c.idx == investor {
                    c.capital -= amount;
                }
            }
            let stake = ties.iter().find(|t| t.index as usize == i).map_or(0.0, |t| t.stake);
            log.push(
                tick,
                "tranche",
                roster.name(investor),
                roster.name(lab),
                format!("paid {amount:.2} $bn at a value of {value:.0} $bn; stake {stake:.3}"),
            );
        }
    }
}

/// The lab's value as the funding market sees it this month ([`Company::market_value`]).
fn lab_value(companies: &Query<&mut Company>, lab: FirmIdx) -> f64 {
    companies
        .iter()
        .find(|c| c.idx == lab)
        .map_or(0.0, Company::market_value)
}

/// The tranche tie `i` owes by this month, if any: (investor, lab, amount).
fn next_due(ties: &Query<&mut Tie>, i: usize, params: &Params, tick: u32) -> Option<(FirmIdx, FirmIdx, f64)> {
    let t = ties.iter().find(|t| t.index as usize == i && t.divested.is_none())?;
    let terms = params.0.partnerships.get(i)?;
    let k = t.paid as usize;
    let month = *terms.tranche_months.get(k)?;
    (month <= tick).then(|| (t.investor, t.lab, terms.tranche_amounts.get(k).copied().unwrap_or(0.0)))
}
