//! **Procedure** ([`Case::step`], once a month; `s = stringency·weight`; evidence
//! `E = 1 − exp(−months investigated/evidence_months)`):
//!
//! ```text
//! informal   own-initiative inquiry (mean inquiry_months) or pre-notification (mean
//!            prenotification_months), ends with monthly probability 1/mean;
//!            no jurisdiction → closed "no_jurisdiction", else phase 1
//! phase 1    phase1_days working days (21 per month, fractions carried over);
//!            no jurisdiction → closed; else serious doubts with probability
//!            p_ref = 1 − exp(−s·(refer_base + refer_harm·h² + peer_weight·peers)),
//!            otherwise closed "cleared". With serious doubts the parties may offer
//!            undertakings (see [`super::remedies`]; + undertaking_days); accepted →
//!            closed "commitments", else phase 2
//! phase 2    phase2_days (+ extension_days with probability extension_rate), then
//!            adverse finding with p_adv = 1 − exp(−s·adverse_harm·h·E):
//!            structural with probability divest_propensity (bid: bid_block_propensity)
//!            → divest / block (US consummated cases: after litigation_months in court),
//!            else behavioural remedies; no adverse finding → clear
//! ```
//!
//! Every month a case draws the same seven uniforms first, whatever its stage, and then
//! compares them: a change of state or of a probability never shifts later draws (common
//! random numbers between paired scenarios).
//!
//! The clocks' lengths are each authority's (its [`AuthorityParams`]; see its file).

use rand::Rng;

use super::remedies::{Offer, Package};
use crate::scenario::{AuthorityParams, RegulationParams, Stage};
use crate::world::components::FirmIdx;
use crate::world::random::uniform;

/// Working days per month (about 252 working days a year / 12): statutory clocks in
/// working days are advanced by this much each month, the remainder carried over.
pub const WD_PER_MONTH: f64 = 21.0;

/// What a case reviews.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CaseKind {
    /// The investor's influence over the lab (a consummated situation).
    Partnership,
    /// The investor's bid for control of the lab (notified in advance).
    Bid,
    /// A company's acqui-hire of a startup (consummated).
    Acquihire { buyer: FirmIdx, slot: u32 },
    /// The investor's absorption of the lab's staff (a consummated acqui-hire of the lab).
    Absorption,
    /// A tie's change (a tranche raising a minority stake), by its index in `partnerships`.
    Tie { index: u16 },
}

/// A final decision after phase 2 (or court).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Clear,
    Remedies,
    Divest,
    Block,
}

/// How a review ended in phase 1 without undertakings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closure {
    NoJurisdiction,
    Cleared,
}

/// What happened in one month of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Continue,
    /// Moved to phase 2.
    Phase2,
    /// The parties offered undertakings and the authority accepted them: the review ends
    /// with commitments.
    OfferAccepted(Package),
    /// The parties offered undertakings and the authority rejected them: phase 2.
    OfferRejected(Package),
    /// The review ended in phase 1 or for lack of jurisdiction.
    Closed(Closure),
    /// A final decision.
    Decided(Decision),
    /// An adverse finding is litigated in court.
    Court,
}

/// The month's uniforms of a case, drawn before anything is decided.
struct Draws {
    end: f64,
    refer: f64,
    accept: f64,
    basis: f64,
    extension: f64,
    adverse: f64,
    structural: f64,
}

impl Draws {
    fn draw<R: Rng + ?Sized>(rng: &mut R) -> Draws {
        Draws {
            end: uniform(rng),
            refer: uniform(rng),
            accept: uniform(rng),
            basis: uniform(rng),
            extension: uniform(rng),
            adverse: uniform(rng),
            structural: uniform(rng),
        }
    }
}

/// What one month of a case needs to know about the world.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub jurisdiction: bool,
    pub harm: f64,
    /// Other authorities with the same matter in phase 2.
    pub peers: u32,
    pub offers: &'a [Offer],
}

/// An authority's reading of one case: two uniforms drawn in the case's first month and
/// kept. `harm`: an adverse finding when `harm < p_adv`, and undertakings accepted when
/// `harm ≥ 1 − a` with probability `view_weight` (otherwise on other grounds, an independent
/// uniform). `remedy`: an adverse finding is structural when `remedy < d`. One reading
/// behind the findings and the acceptance makes the authority that would find harm the one
/// that rejects what it doubts, and keeps a case's findings nested across stringencies (a
/// stricter authority finds harm wherever a laxer one does).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    pub harm: f64,
    pub remedy: f64,
}

/// One review at one authority.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Case {
    pub kind: CaseKind,
    pub stage: Stage,
    /// Months in the current stage.
    pub months: u32,
    /// Months since the case opened (the evidence gathered).
    pub investigated: u32,
    /// Working days elapsed on the current statutory clock.
    pub clock_wd: f64,
    /// Length of the current statutory phase, working days.
    pub phase_wd: f64,
    /// Undertakings offered and awaiting acceptance, with the acceptance probability.
    pub offer: Option<(Package, f64)>,
    /// A decision awaiting the court.
    pub pending: Option<Decision>,
    /// A partnership case opened on a change of control: a concentration the parties must
    /// notify, so its informal stage is pre-notification, not an own-initiative inquiry.
    pub notified: bool,
    /// The authority's reading of this case, kept for the case's life (drawn in its first
    /// month): see [`View`].
    pub view: Option<View>,
}

fn evidence(months: f64, rp: &RegulationParams) -> f64 {
    if rp.evidence_months <= 0.0 {
        1.0
    } else {
        1.0 - (-months / rp.evidence_months).exp()
    }
}

fn p_adverse(s: f64, harm: f64, e: f64, rp: &RegulationParams) -> f64 {
    1.0 - (-s * rp.adverse_harm * harm * e).exp()
}

impl Case {
    /// Opens a case in `stage` with `months` already spent there (informal stages of a
    /// notified bid with no pre-notification start in phase 1).
    pub fn open(kind: CaseKind, stage: Stage, months: u32, ap: &AuthorityParams) -> Case {
        let mut c = Case {
            kind,
            stage,
            months,
            investigated: months,
            clock_wd: 0.0,
            phase_wd: 0.0,
            offer: None,
            pending: None,
            notified: false,
            view: None,
        };
        match stage {
            Stage::Informal if c.informal_mean(ap) <= 0.0 => c.enter_phase1(ap),
            Stage::Phase1 => {
                c.phase_wd = ap.phase1_days;
                c.clock_wd = f64::from(months) * WD_PER_MONTH;
            }
            Stage::Phase2 => {
                c.phase_wd = ap.phase2_days;
                c.clock_wd = f64::from(months) * WD_PER_MONTH;
            }
            _ => {}
        }
        c
    }

    pub(super) fn informal_mean(&self, ap: &AuthorityParams) -> f64 {
        match self.kind {
            CaseKind::Partnership if !self.notified => ap.inquiry_months,
            CaseKind::Partnership => ap.prenotification_months,
            CaseKind::Bid | CaseKind::Acquihire { .. } | CaseKind::Absorption | CaseKind::Tie { .. } => {
                ap.prenotification_months
            }
        }
    }

    /// Probability that an adverse finding is structural: a bid's block share, otherwise
    /// `divest_propensity`. A constant share, not a hazard in the harm a behavioural
    /// remedy would leave: that form made stricter authorities choose behavioural
    /// remedies more often (stringency lowers the residual harm through the undertakings
    /// it forces first), inverting the stringency response (docs/MODEL.md §7.8).
    fn structural_share(&self, rp: &RegulationParams) -> f64 {
        match self.kind {
            CaseKind::Bid => rp.bid_block_propensity,
            _ => rp.divest_propensity,
        }
    }

    fn enter_phase1(&mut self, ap: &AuthorityParams) {
        self.stage = Stage::Phase1;
        self.months = 0;
        self.clock_wd = 0.0;
        self.phase_wd = ap.phase1_days;
    }

    /// The authority accepts or rejects the undertakings on offer (phase 2 if rejected).
    fn resolve_offer(&mut self, ap: &AuthorityParams, rp: &RegulationParams, u: &Draws, view: View) -> Step {
        let Some((package, accept)) = self.offer else {
            return Step::Continue;
        };
        let reading = if u.basis < rp.view_weight { view.harm } else { u.accept };
        if reading >= 1.0 - accept.min(1.0) {
            Step::OfferAccepted(package)
        } else {
            self.enter_phase2(ap, u);
            Step::OfferRejected(package)
        }
    }

    fn enter_phase2(&mut self, ap: &AuthorityParams, u: &Draws) {
        self.stage = Stage::Phase2;
        self.months = 0;
        self.clock_wd = (self.clock_wd - self.phase_wd).max(0.0);
        self.phase_wd = ap.phase2_days;
        if u.extension < ap.extension_rate {
            self.phase_wd += ap.extension_days;
        }
        self.offer = None;
    }

    /// Working days from the start of phase 1 to the end of the current statutory phase
    /// (for duration checks).
    pub fn statutory_wd(&self) -> f64 {
        self.phase_wd
    }

    /// Advances the case by one month. Draws only from `rng`: seven uniforms, first.
    pub fn step<R: Rng + ?Sized>(
        &mut self,
        ap: &AuthorityParams,
        rp: &RegulationParams,
        s: f64,
        facts: &Facts,
        rng: &mut R,
    ) -> Step {
        let u = Draws::draw(rng);
        let view = *self.view.get_or_insert(View {
            harm: u.adverse,
            remedy: u.structural,
        });
        self.months += 1;
        self.investigated += 1;
        let e = evidence(f64::from(self.investigated), rp);
        match self.stage {
            Stage::Monitoring => Step::Continue,
            Stage::Informal => {
                let mean = self.informal_mean(ap);
                let ends = mean <= 1.0 || u.end < 1.0 / mean;
                if !ends {
                    Step::Continue
                } else if !facts.jurisdiction {
                    Step::Closed(Closure::NoJurisdiction)
                } else {
                    self.enter_phase1(ap);
                    Step::Continue
                }
            }
            Stage::Phase1 => {
                self.clock_wd += WD_PER_MONTH;
                if self.clock_wd < self.phase_wd {
                    return Step::Continue;
                }
                if self.offer.is_some() {
                    return self.resolve_offer(ap, rp, &u, view);
                }
                if !facts.jurisdiction {
                    return Step::Closed(Closure::NoJurisdiction);
                }
                let hazard = s
                    * (ap.refer_base
                        + ap.refer_harm * facts.harm * facts.harm
                        + rp.peer_weight * f64::from(facts.peers));
                if u.refer >= 1.0 - (-hazard).exp() {
                    return Step::Closed(Closure::Cleared);
                }
                match self.choose_offer(ap, rp, s, facts) {
                    Some(offer) if ap.undertaking_days > 0.0 => {
                        self.offer = Some(offer);
                        self.phase_wd += ap.undertaking_days;
                        if self.clock_wd >= self.phase_wd {
                            self.resolve_offer(ap, rp, &u, view)
                        } else {
                            Step::Continue
                        }
                    }
                    _ => {
                        self.enter_phase2(ap, &u);
                        Step::Phase2
                    }
                }
            }
            Stage::Phase2 => {
                self.clock_wd += WD_PER_MONTH;
                if self.clock_wd < self.phase_wd {
                    return Step::Continue;
                }
                if !facts.jurisdiction {
                    return Step::Closed(Closure::NoJurisdiction);
                }
                let adverse = view.harm < p_adverse(s, facts.harm, e, rp).min(1.0);
                let structural = view.remedy < self.structural_share(rp);
                match (adverse, structural, self.kind) {
                    (false, _, _) => Step::Decided(Decision::Clear),
                    (true, false, _) => Step::Decided(Decision::Remedies),
                    (true, true, CaseKind::Bid) => Step::Decided(Decision::Block),
                    (true, true, _) if ap.litigation_months > 0 => {
                        self.stage = Stage::Court;
                        self.months = 0;
                        self.pending = Some(Decision::Divest);
                        Step::Court
                    }
                    (true, true, _) => Step::Decided(Decision::Divest),
                }
            }
            Stage::Court => {
                if self.months >= ap.litigation_months {
                    Step::Decided(self.pending.unwrap_or(Decision::Clear))
                } else {
                    Step::Continue
                }
            }
        }
    }

    /// The parties' best undertaking against the risk of phase 2, with its acceptance
    /// probability, or `None` if going to phase 2 is cheaper in expectation. An offer costs
    /// its package plus what a rejection leaves: with weight `view_weight` the acceptance
    /// reads the case's view (`P(rejected, adverse) = min(1 − a, p_adv)`), otherwise an
    /// independent uniform (`(1 − a)·p_adv`).
    fn choose_offer(
        &self,
        ap: &AuthorityParams,
        rp: &RegulationParams,
        s: f64,
        facts: &Facts,
    ) -> Option<(Package, f64)> {
        let months_ahead = (ap.phase2_days / WD_PER_MONTH).ceil();
        let e = evidence(f64::from(self.investigated) + months_ahead, rp);
        let d = self.structural_share(rp);
        let at_stake = d + (1.0 - d) * rp.undertaking_behavioural_cost;
        let p = p_adverse(s, facts.harm, e, rp);
        let mut best: Option<(Package, f64)> = None;
        let mut best_cost = p * at_stake;
        for o in facts.offers {
            let residual = if o.jurisdiction_after {
                p_adverse(s, o.harm_after, e, rp)
            } else {
                0.0
            };
            let mut accept = 1.0 - residual;
            if o.behavioural {
                accept *= (-s * rp.behavioural_doubt).exp();
            }
            let w = rp.view_weight;
            let rejected_adverse = w * (1.0 - accept).min(p) + (1.0 - w) * (1.0 - accept) * p;
            let cost = o.cost + rejected_adverse * at_stake;
            if cost < best_cost {
                best_cost = cost;
                best = Some((o.package, accept));
            }
        }
        best
    }
}
