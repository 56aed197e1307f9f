//! Reviews of the ties (`[[partnerships]]`). A tranche that raises a tie's investor's stake,
//! or a change of its governance terms (votes, board role, consultation rights,
//! exclusivity, first access: a dated `set` event), is a change authorities may review. The
//! investor's level of influence is read from the terms ([`tie_influence`] on
//! [`tie_indicator`]: the voting stake, governance rights, exclusivity, first access and
//! the lab's compute dependency on the investor's cloud). Each authority applies its own
//! test (`Subject::Tie`): the CMA, whose jurisdiction reaches minority holdings, looks at
//! every change, as it looked at Amazon–Anthropic (phase 1 opened 8 August 2024, "no
//! relevant merger situation" 27 September 2024: the independent lab's UK turnover under
//! £70 M and no 25% share of supply, without deciding material influence) and
//! Google–Anthropic (November 2024); the Commission needs control and the FTC a reportable
//! acquisition of voting securities, so they open a review only of a change that meets
//! their test (a notified deal). A case runs the same procedure as every other
//! ([`Case::step`]); a structural finding orders the investor's stake sold,
//! `implementation_months` later. The CMA and the Commission review a tie once per level of
//! influence it reaches: a larger holding at a level already reviewed is no new merger
//! situation (Enterprise Act 2002 s.26). The FTC reviews a filing, due when the voting
//! securities held cross an HSR notification threshold above the one last filed for
//! ([`notification_threshold`]).

use rand::Rng;

use super::ftc::notification_threshold;
use super::jurisdiction::{Influence, tie_indicator, tie_influence};
use super::regulator::TieCase;
use super::{Case, CaseKind, Closure, Decision, Desk, Facts, Step, Subject, has_jurisdiction};
use crate::mechanisms::cloud::CloudMarket;
use crate::scenario::{RegulationParams, Stage, TieParams};
use crate::world::components::{Authority, Company, DivestRoute, Tie, TieTerms, separation_route_label};
use crate::world::resources::EventLog;
use bevy_ecs::prelude::*;

/// Marks every tie whose governance terms changed since last month (a `set` event) as
/// changed this month, with no tranche. Once a month, before the authorities read them.
pub(super) fn note_term_changes(ties: &mut Query<&mut Tie>, terms: &[TieParams], tick: u32) {
    for mut tie in ties.iter_mut() {
        let Some(t) = terms.get(tie.index as usize) else {
            continue;
        };
        let now = TieTerms::of(t);
        if now != tie.terms_seen {
            tie.change_in(tick);
            tie.converted |= now.voting && !tie.terms_seen.voting;
            tie.terms_seen = now;
        }
    }
}

/// What the authorities read of the ties this month besides each tie: the market and the
/// companies.
pub(super) struct TieWorld<'a, 'w, 's, 'c> {
    pub terms: &'a [TieParams],
    pub market: &'a CloudMarket,
    pub companies: &'a Query<'w, 's, &'c Company>,
}

/// A tie as the authorities read it this month: the facts their tests read, the investor's
/// level of influence and the control indicator it comes from.
struct TieReading {
    subject: Subject,
    level: Influence,
    k: f64,
}

impl TieWorld<'_, '_, '_, '_> {
    /// How the authorities read `tie` this month.
    fn read(&self, d: &Desk, tie: &Tie) -> TieReading {
        let filed = tie.hsr_filed.unwrap_or(0);
        let (m, rp, tick) = (d.month, d.month.rp, d.month.tick);
        let lab = self.lab_of(tie);
        let (own, revenue) = lab.map_or((0.0, 0.0), |c| (c.own_compute, c.revenue));
        let value = lab.map_or(0.0, |c| c.market_value());
        let (level, voting, k, acquires_votes, notification) = match self.terms.get(tie.index as usize) {
            Some(t) => {
                let dependency = self.market.tie_dependency(tie.index as usize, t, tick, own);
                let k = tie_indicator(t, tie.stake, dependency);
                let voting_stake = if t.voting { tie.stake } else { 0.0 };
                (
                    tie_influence(voting_stake, t.board, t.consultation, k, rp),
                    t.voting,
                    k,
                    t.voting && (tie.tranche > 0.0 || tie.converted),
                    notification_threshold(voting_stake * value, voting_stake, rp),
                )
            }
            // Ties are spawned from the terms: a tie without them has no rights to read.
            None => (Influence::None, false, 0.0, false, 0),
        };
        let subject = Subject::Tie {
            level,
            voting,
            stake: tie.stake,
            acquires_votes,
            notification,
            filed,
            uk_turnover: 12.0 * revenue * rp.uk_revenue_share,
            combined_share: m.market.combined_supply(tie.lab as usize, tie.investor as usize),
        };
        TieReading { subject, level, k }
    }

    /// The notification threshold the tie's starting holding reached (filed for before the
    /// run, or held since before it), at the lab's value in the FTC's first month.
    fn starting_notification(&self, tie: &Tie, rp: &RegulationParams) -> u8 {
        let Some(t) = self.terms.get(tie.index as usize).filter(|t| t.voting) else {
            return 0;
        };
        let value = self.lab_of(tie).map_or(0.0, Company::market_value);
        notification_threshold(t.stake * value, t.stake, rp)
    }

    /// The tie's lab.
    fn lab_of(&self, tie: &Tie) -> Option<&Company> {
        self.companies.iter().find(|c| c.idx == tie.lab)
    }
}

/// Steps the open reviews of ties and opens one for every tie that changed since this
/// authority's last review opened (a change during a review waits for its end) and
/// reached a level of influence it has not reviewed (the CMA: any such change;
/// the Commission and the FTC: one that meets their test).
pub(super) fn review_ties<R: Rng + ?Sized>(
    d: &Desk,
    cases: &mut Vec<TieCase>,
    ties: &mut Query<&mut Tie>,
    world: &TieWorld,
    rng: &mut R,
    log: &mut EventLog,
) {
    let (m, rp, ap, tick, name) = (d.month, d.month.rp, d.ap, d.month.tick, d.name);
    let who = d.a as usize;
    let mut kept = 0;
    for i in 0..cases.len() {
        let TieCase {
            mut case,
            jurisdiction,
            level,
        } = cases[i];
        let CaseKind::Tie { index } = case.kind else { continue };
        let Some(mut tie) = ties.iter_mut().find(|t| t.index == index) else {
            continue;
        };
        let tie_name = name_of(world.terms, index);
        let investor = m.roster.name(tie.investor);
        if tie.divested.is_some() {
            // Another authority's order has had the stake sold: nothing left to review.
            log.push(
                tick,
                "review_closed",
                name,
                investor,
                format!("moot: tie {tie_name}: stake sold"),
            );
            continue;
        }
        let now = world.read(d, &tie);
        let harm = m
            .market
            .combine(tie.lab as usize, tie.investor as usize)
            .harm(rp, tie.stake, d.a);
        // Jurisdiction as the change found it: judged on the transaction.
        let facts = Facts {
            jurisdiction,
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
            Step::Closed(Closure::NoJurisdiction) => ("review_closed", no_jurisdiction(d.a, tie_name, &now, rp)),
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
        if !kind.is_empty() {
            log.push(tick, kind, name, investor, detail);
        }
        if matches!(
            step,
            Step::Continue | Step::Court | Step::Phase2 | Step::OfferRejected(_)
        ) {
            cases[kept] = TieCase {
                case,
                jurisdiction,
                level,
            };
            kept += 1;
        } else {
            // The level reviewed: the one the change reached, or a higher one reached since.
            tie.reviewed[who] = Some(level.max(now.level) as u8);
        }
    }
    cases.truncate(kept);
    for mut tie in ties.iter_mut() {
        if d.a == Authority::Ftc && tie.hsr_filed.is_none() {
            tie.hsr_filed = Some(world.starting_notification(&tie, rp));
        }
        let unseen = tie.changed.is_some_and(|c| tie.looked_at[who].is_none_or(|o| c > o));
        let open = cases.iter().any(|c| c.case.kind == CaseKind::Tie { index: tie.index });
        // A change while this authority's review is open waits for the review's end.
        if !unseen || open || tie.divested.is_some() {
            continue;
        }
        tie.looked_at[who] = Some(tick);
        let TieReading { subject, level, .. } = world.read(d, &tie);
        // A larger holding at the level already reviewed is no new merger situation
        // (Enterprise Act 2002 s.26): an authority looks at a tie once per level it reaches.
        let new_level = tie.reviewed[who].is_none_or(|l| level as u8 > l);
        let jurisdiction = has_jurisdiction(d.a, &subject, rp);
        // The FTC reviews a filing, which HSR ties to its notification thresholds, not to a
        // level of influence.
        let opens = match d.a {
            Authority::Cma => new_level,
            Authority::Eu => new_level && jurisdiction,
            Authority::Ftc => jurisdiction,
        };
        if opens {
            if let Subject::Tie { notification, .. } = subject
                && d.a == Authority::Ftc
            {
                tie.hsr_filed = Some(notification);
            }
            cases.push(TieCase {
                case: Case::open(CaseKind::Tie { index: tie.index }, Stage::Informal, 0, ap),
                jurisdiction,
                level,
            });
            let tie_name = name_of(world.terms, tie.index);
            let what = if tie.tranche > 0.0 {
                format!("stake raised to {:.2}", tie.stake)
            } else if tie.converted {
                "holding converted into voting stock".to_string()
            } else {
                "terms changed".to_string()
            };
            log.push(
                tick,
                "review_opened",
                name,
                m.roster.name(tie.investor),
                format!("tie {tie_name}: {what}; {}", level.as_str()),
            );
        }
    }
}

/// Why a tie's change gives authority `a` no jurisdiction. The CMA names the turnover and
/// share-of-supply tests and the want of material influence, whichever fail (in
/// Amazon/Anthropic it found the tests unmet without deciding material influence; in
/// Google/Anthropic it found both); the Commission the want
/// of control; the FTC the want of a reportable acquisition of voting securities.
fn no_jurisdiction(a: Authority, tie: &str, reading: &TieReading, rp: &RegulationParams) -> String {
    let TieReading { subject, level, k } = *reading;
    let Subject::Tie {
        voting,
        stake,
        uk_turnover,
        combined_share,
        ..
    } = subject
    else {
        return format!("no_jurisdiction: tie {tie}");
    };
    let influence = format!(
        "{} (K={k:.2}, stake {stake:.2}{})",
        level.as_str(),
        if voting { "" } else { " non-voting" }
    );
    let small = uk_turnover < rp.uk_turnover_threshold && combined_share < rp.share_of_supply;
    let tests = format!(
        "UK turnover {:.0} $M and share of supply {combined_share:.2} below the thresholds",
        1000.0 * uk_turnover
    );
    match a {
        Authority::Cma if small && level >= Influence::Material => format!("no_jurisdiction: tie {tie}: {tests}"),
        Authority::Cma if small => format!("no_jurisdiction: tie {tie}: {tests}; no material influence: {influence}"),
        Authority::Cma => format!("no_jurisdiction: tie {tie}: no material influence: {influence}"),
        Authority::Eu => format!("no_jurisdiction: tie {tie}: no control: {influence}"),
        Authority::Ftc => format!("no_jurisdiction: tie {tie}: not reportable: {influence}"),
    }
}

/// A tie's `[[partnerships]]` name.
fn name_of(terms: &[TieParams], index: u16) -> &str {
    terms.get(index as usize).map_or("", |t| t.name.as_str())
}
