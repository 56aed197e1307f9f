//! Reviews of the ties (`[[partnerships]]`). A tranche that raises a tie's investor's stake
//! is a change in its holding; the CMA, whose jurisdiction reaches minority holdings
//! (material influence), looks at it, as it looked at Amazon–Anthropic (phase 1 opened 8
//! August 2024, "no relevant merger situation" 27 September 2024: the independent lab's UK
//! turnover under £70 M and no 25% share of supply) and Google–Anthropic (November 2024).
//! The Commission (no control without votes or a board seat) and the FTC (non-voting
//! holdings are HSR-exempt) do not: their tests cannot be met by these ties
//! (`Subject::Tie`). A case runs the same procedure as every other ([`Case::step`]); a
//! structural finding orders the investor's stake sold, `implementation_months` later. A
//! tie is reviewed once per level of influence it reaches (none, material, control): a
//! larger holding at a level already reviewed is no new merger situation (s.26).

use rand::Rng;

use super::{Case, CaseKind, Closure, Decision, Desk, Facts, Step, Subject, has_jurisdiction};
use crate::scenario::{Stage, TieParams};
use crate::world::components::{Authority, Company, DivestRoute, Tie, separation_route_label};
use crate::world::resources::EventLog;
use bevy_ecs::prelude::*;

/// Opens a review of every tie that changed this month (CMA only) and steps the open ones.
pub(super) fn review_ties<R: Rng + ?Sized>(
    d: &Desk,
    cases: &mut Vec<Case>,
    ties: &mut Query<&mut Tie>,
    companies: &Query<&Company>,
    terms: &[TieParams],
    rng: &mut R,
    log: &mut EventLog,
) {
    let (m, rp, ap, tick, name) = (d.month, d.month.rp, d.ap, d.month.tick, d.name);
    let mut kept = 0;
    for i in 0..cases.len() {
        let mut case = cases[i];
        let CaseKind::Tie { index } = case.kind else { continue };
        let Some(mut tie) = ties.iter_mut().find(|t| t.index == index) else {
            continue;
        };
        let tie_name = name_of(terms, index);
        let revenue = companies.iter().find(|c| c.idx == tie.lab).map_or(0.0, |c| c.revenue);
        let subject = Subject::Tie {
            stake: tie.stake,
            uk_turnover: 12.0 * revenue * rp.uk_revenue_share,
            combined_share: m.market.combined_supply(tie.lab as usize, tie.investor as usize),
        };
        let harm = m
            .market
            .combine(tie.lab as usize, tie.investor as usize)
            .harm(rp, tie.stake, d.a);
        let facts = Facts {
            jurisdiction: has_jurisdiction(d.a, &subject, rp),
            harm,
            peers: 0,
            offers: &[],
        };
        let step = case.step(ap, rp, d.s, &facts, rng);
        let (kind, detail) = match step {
            Step::Continue | Step::Court => ("", String::new()),
            Step::Phase2 | Step::OfferRejected(_) => (
                "review_phase2",
                format!("tie {tie_name}: in-depth investigation (harm {harm:.2})"),
            ),
            Step::Closed(Closure::NoJurisdiction) => ("review_closed", no_jurisdiction(tie_name, &subject, rp)),
            Step::Closed(Closure::Cleared) | Step::OfferAccepted(_) => {
                ("review_closed", format!("cleared in phase 1: tie {tie_name}"))
            }
            Step::Decided(Decision::Clear) => ("decision", format!("clear: tie {tie_name}")),
            Step::Decided(Decision::Remedies) => ("decision", format!("remedies: tie {tie_name}")),
            Step::Decided(Decision::Divest | Decision::Block) => {
                let due = tick + rp.implementation_months;
                tie.divest_due.get_or_insert((due, d.a, DivestRoute::Stake));
                let route = separation_route_label((d.a, DivestRoute::Stake));
                (
                    "decision",
                    format!("divest: tie {tie_name}, stake sold by month {due}; route {route}"),
                )
            }
        };
        let investor = m.roster.name(tie.investor);
        if !kind.is_empty() {
            log.push(tick, kind, name, investor, detail);
        }
        if matches!(
            step,
            Step::Continue | Step::Court | Step::Phase2 | Step::OfferRejected(_)
        ) {
            cases[kept] = case;
            kept += 1;
        } else {
            tie.reviewed_level = Some(level(tie.stake, rp));
        }
    }
    cases.truncate(kept);
    if d.a != Authority::Cma {
        return;
    }
    for tie in ties.iter() {
        let open = cases.iter().any(|c| c.kind == CaseKind::Tie { index: tie.index });
        // A larger holding at the level already reviewed is no new merger situation
        // (Enterprise Act 2002 s.26): the CMA looks at a tie once per level it reaches.
        let new_level = tie.reviewed_level.is_none_or(|l| level(tie.stake, rp) > l);
        if tie.changed == Some(tick) && tie.divested.is_none() && !open && new_level {
            cases.push(Case::open(CaseKind::Tie { index: tie.index }, Stage::Informal, 0, ap));
            let tie_name = name_of(terms, tie.index);
            log.push(
                tick,
                "review_opened",
                name,
                m.roster.name(tie.investor),
                format!("tie {tie_name}: stake raised to {:.2}", tie.stake),
            );
        }
    }
}

/// Why a tie's change is no relevant merger situation: no material influence, or neither
/// the turnover nor the share-of-supply test met.
fn no_jurisdiction(tie: &str, subject: &Subject, rp: &crate::scenario::RegulationParams) -> String {
    match *subject {
        Subject::Tie {
            stake,
            uk_turnover,
            combined_share,
        } if stake >= rp.material_stake => format!(
            "no_jurisdiction: tie {tie}: UK turnover {:.0} $M and share of supply {combined_share:.2} below the thresholds",
            1000.0 * uk_turnover
        ),
        Subject::Tie { stake, .. } => format!("no_jurisdiction: tie {tie}: no material influence (stake {stake:.2})"),
        _ => format!("no_jurisdiction: tie {tie}"),
    }
}

/// A tie's level of influence for the CMA: 0 none, 1 material influence (a stake of at
/// least `material_stake`), 2 legal control (above one half).
fn level(stake: f64, rp: &crate::scenario::RegulationParams) -> u8 {
    u8::from(stake >= rp.material_stake) + u8::from(stake > 0.5)
}

/// A tie's `[[partnerships]]` name.
fn name_of(terms: &[TieParams], index: u16) -> &str {
    terms.get(index as usize).map_or("", |t| t.name.as_str())
}
