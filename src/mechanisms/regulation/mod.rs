//! Regulation: the EU Commission, the UK CMA and the US FTC, each following its merger
//! procedure. One [`Case`] type steps a review month by month through the same stages at
//! every authority; the authorities differ in their tables ([`AuthorityParams`]: clocks,
//! referral propensities) and in their jurisdiction tests ([`eu`], [`cma`], [`ftc`]).
//!
//! **Influence.** The investor's level of influence over the lab is read from the state:
//!
//! ```text
//! legal control    stake > 0.5
//! de facto control K ≥ control_threshold        (decisive influence; the EU's "control";
//!                  with defacto_needs_board_seat, also a board seat)
//! material         K ≥ material_threshold       (the CMA's "material influence")
//! none             otherwise
//! ```
//!
//! with `K` the control indicator (see partnership). A change in the terms (a board seat
//! gained, a larger stake, tighter exclusivity) that raises the level above the one an
//! authority has already reviewed (`accepted`) is a new merger situation for it if its
//! jurisdiction test is met; a change that leaves the level where it was opens nothing.
//! Because `accepted` is per authority and rises only with a review, no authority is spent
//! after one decision.
//!
//! **Screens** ([`Screens`]). For two firms with shares `s_a`, `s_b` in a segment of HHI
//! `H`: `ΔHHI = 2·s_a·s_b·10⁴`, post-merger HHI `H + ΔHHI`, combined share `s_a + s_b`
//! (most affected segment: the largest ΔHHI). The US 2023 Merger Guidelines presume harm if
//! `ΔHHI > delta_presumption` and (post HHI > `hhi_presumption` or combined share >
//! `share_presumption`). The vertical screen is the foreclosure share: the investor's share
//! of compute supplied to rival labs and startups, or the lab's developer-API share while
//! its terms tie it to the investor. The harm index is
//!
//! ```text
//! h = κ·min(ΔHHI, 5000)/1000·(1 if presumed, else ¼) + foreclosure_weight·foreclosure
//! ```
//!
//! with `κ` = 1 for a full merger (a bid) and `κ = K` for the partnership (a partial
//! combination, as in a modified HHI).
//!
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
//!            undertakings (below; + undertaking_days); accepted → closed "commitments",
//!            else phase 2
//! phase 2    phase2_days (+ extension_days with probability extension_rate), then
//!            adverse finding with p_adv = 1 − exp(−s·adverse_harm·h·E):
//!            structural with probability divest_propensity (bid: bid_block_propensity)
//!            → divest / block (US consummated cases: after litigation_months in court),
//!            else behavioural remedies; no adverse finding → clear
//! ```
//!
//! **Undertakings.** With serious doubts the parties compare the expected cost of phase 2,
//! `R = p_adv·(d + (1 − d)·undertaking_behavioural_cost)` (costs in units of a divestiture,
//! `d` the structural share, `p_adv` at the evidence phase 2 would bring), with each package
//! `u` they could offer: `cost_u + (1 − a_u)·R`, where the authority accepts with
//! `a_u = (1 − p_adv(h_u))·exp(−s·behavioural_doubt)^[behavioural]` (`p_adv(h_u)` = 0 if
//! the package removes jurisdiction). They offer the cheapest if it beats `R`.
//!
//! The ECS system [`regulation`] reads the state, opens cases (partnership changes, an
//! own-initiative hazard `s·(open_rate·h + peer_weight·peers)`, bids, acqui-hires), steps
//! them, logs events and applies decisions. A divestiture takes effect
//! `implementation_months` after the order (see partnership).

pub mod cma;
pub mod eu;
pub mod ftc;
mod regulator;

pub use regulator::{BidReview, Regulator};

use bevy_ecs::prelude::*;
use rand::Rng;

use crate::scenario::{AuthorityParams, Exclusivity, RegulationParams, Segment, Stage};
use crate::world::components::{Authority, CloudContract, FirmIdx, Partnership, PartnershipStatus, Product};
use crate::world::random::chance;
use crate::world::random::{SimRng, Stream};
use crate::world::resources::{Clock, EventLog, Params, Roster, StartupIndex};
use crate::world::signals::Signals;

use super::partnership::{control_indicator, lab_share_on_investor};
use crate::world::components::MAX_FIRMS;

/// Working days per month (about 252 working days a year / 12): statutory clocks in
/// working days are advanced by this much each month, the remainder carried over.
pub const WD_PER_MONTH: f64 = 21.0;

/// The scenario's parameters of one authority.
pub fn authority_params(rp: &RegulationParams, a: Authority) -> &AuthorityParams {
    match a {
        Authority::Eu => &rp.eu,
        Authority::Cma => &rp.cma,
        Authority::Ftc => &rp.ftc,
    }
}

/// The investor's level of influence over the lab (the CMA's scale).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Influence {
    #[default]
    None,
    Material,
    DeFacto,
    Legal,
}

impl Influence {
    pub fn as_str(self) -> &'static str {
        match self {
            Influence::None => "no influence",
            Influence::Material => "material influence",
            Influence::DeFacto => "de facto control",
            Influence::Legal => "legal control",
        }
    }
}

/// Level of influence from the stake, the investor's board role and the control
/// indicator `k`. With `defacto_needs_board_seat`, decisive influence needs a governance
/// right, as the authorities read the law in 2024–25: commercial ties and economic
/// dependence alone amount to de facto control only in exceptional cases (Commission
/// Consolidated Jurisdictional Notice, 2008/C 95/01, para 20), and the board seat is the
/// model's only governance right short of a voting majority. Without it (the baseline,
/// calibrated to the article's view that the de facto merger question was open), ties
/// strong enough (`K ≥ control_threshold`) suffice.
pub fn influence(stake: f64, board_seat: bool, k: f64, rp: &RegulationParams) -> Influence {
    if stake > 0.5 {
        Influence::Legal
    } else if (board_seat || !rp.defacto_needs_board_seat) && k >= rp.control_threshold {
        Influence::DeFacto
    } else if k >= rp.material_threshold {
        Influence::Material
    } else {
        Influence::None
    }
}

/// The partnership terms an authority watches for changes.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Terms {
    pub level: Influence,
    pub board_seat: bool,
    pub stake: f64,
    /// Exclusivity: 2 exclusive, 1 rofr, 0 none.
    pub exclusivity: u8,
}

fn exclusivity_rank(e: Exclusivity) -> u8 {
    match e {
        Exclusivity::Exclusive => 2,
        Exclusivity::Rofr => 1,
        Exclusivity::None => 0,
    }
}

impl Terms {
    pub fn of(ps: &Partnership, level: Influence) -> Terms {
        Terms {
            level,
            board_seat: ps.board_seat,
            stake: ps.stake,
            exclusivity: exclusivity_rank(ps.exclusivity),
        }
    }
    /// What rose from `before` to `self`, if anything (a new merger situation).
    pub fn change_from(&self, before: &Terms) -> Option<&'static str> {
        if self.level > before.level {
            Some("higher level of influence")
        } else if self.board_seat && !before.board_seat {
            Some("board seat acquired")
        } else if self.stake > before.stake + 1e-9 {
            Some("larger stake")
        } else if self.exclusivity > before.exclusivity {
            Some("tighter exclusivity")
        } else {
            None
        }
    }
}

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
}

/// The facts a jurisdiction test reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Subject {
    Partnership {
        level: Influence,
        /// Level the authority has already reviewed.
        accepted: Influence,
    },
    Bid {
        /// The partners' combined share of supply where both supply (share-of-supply test).
        combined_share: f64,
        /// Price offered for the whole lab, $bn (US size-of-transaction test).
        price: f64,
    },
    /// The investor's absorption of the lab's staff: the team carries the lab's business,
    /// so it is an acquisition of (sole) control of it.
    Absorption {
        /// The partners' combined share of supply where both supply.
        combined_share: f64,
        /// Value of the team that moved, $bn.
        value: f64,
    },
    Acquihire {
        /// The buyer's largest segment share (share-of-supply test).
        buyer_share: f64,
        /// Price paid, $bn (US size-of-transaction test).
        price: f64,
    },
}

/// Whether authority `a` has jurisdiction over `subject`.
pub fn has_jurisdiction(a: Authority, subject: &Subject, rp: &RegulationParams) -> bool {
    match a {
        Authority::Eu => eu::jurisdiction(subject, rp),
        Authority::Cma => cma::jurisdiction(subject, rp),
        Authority::Ftc => ftc::jurisdiction(subject, rp),
    }
}

/// Market screens of a combination.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Screens {
    /// Post-combination HHI of the most affected segment.
    pub hhi_post: f64,
    pub delta_hhi: f64,
    pub combined_share: f64,
    /// Vertical foreclosure share, 0..=1.
    pub foreclosure: f64,
}

impl Screens {
    /// Screens of combining firms with shares `sa` and `sb` in a segment of HHI `hhi`.
    pub fn combine(hhi: f64, sa: f64, sb: f64) -> Screens {
        let delta_hhi = 2.0 * sa * sb * 1e4;
        Screens {
            hhi_post: hhi + delta_hhi,
            delta_hhi,
            combined_share: sa + sb,
            foreclosure: 0.0,
        }
    }
    /// The US 2023 Merger Guidelines' structural presumption.
    pub fn presumed(&self, rp: &RegulationParams) -> bool {
        self.delta_hhi > rp.delta_presumption
            && (self.hhi_post > rp.hhi_presumption || self.combined_share > rp.share_presumption)
    }
    /// Outside the EU's safe harbours: a combined share of at least 25% (EUMR recital 32)
    /// and an HHI/ΔHHI pair outside the bands of the Horizontal Merger Guidelines (2004/C
    /// 31/03, paras 19–20: post-merger HHI below 1,000; 1,000–2,000 with ΔHHI below 250;
    /// above 2,000 with ΔHHI below 150).
    pub fn eu_concern(&self, rp: &RegulationParams) -> bool {
        let safe = self.combined_share < rp.eu_share_safe
            || self.hhi_post < rp.eu_hhi_floor
            || (self.hhi_post <= rp.eu_hhi_concentrated && self.delta_hhi < rp.eu_delta_moderate)
            || (self.hhi_post > rp.eu_hhi_concentrated && self.delta_hhi < rp.eu_delta_concentrated);
        !safe
    }
    /// Whether authority `a`'s structural screen flags the combination: the EU its
    /// guidelines' bands; the FTC the US 2023 presumption; the CMA, which publishes no HHI
    /// thresholds (Merger Assessment Guidelines 2021, CMA129, treat concentration as one
    /// indicator among several), the US presumption as the stand-in.
    pub fn flagged(&self, rp: &RegulationParams, a: Authority) -> bool {
        match a {
            Authority::Eu => self.eu_concern(rp),
            Authority::Cma | Authority::Ftc => self.presumed(rp),
        }
    }
    /// Harm index as authority `a` sees it; `kappa` weights the horizontal term (1 full
    /// merger, `K` partial).
    pub fn harm(&self, rp: &RegulationParams, kappa: f64, a: Authority) -> f64 {
        let weight = if self.flagged(rp, a) { 1.0 } else { 0.25 };
        kappa * self.delta_hhi.clamp(0.0, 5000.0) / 1000.0 * weight + rp.foreclosure_weight * self.foreclosure
    }
}

/// What the parties can offer to end a review early, or a remedy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Package {
    /// The investor gives up its board role.
    DropBoardSeat,
    /// Exclusivity loosened one step and no first access.
    Behavioural,
    /// The investor cuts its stake to `undertaking_stake`.
    ReduceStake,
    /// A generic merger's overlap divested (used by procedure tests).
    FixOverlap,
}

impl Package {
    pub fn as_str(self) -> &'static str {
        match self {
            Package::DropBoardSeat => "board seat given up",
            Package::Behavioural => "exclusivity loosened, first access ended",
            Package::ReduceStake => "stake reduced",
            Package::FixOverlap => "overlap divested",
        }
    }
}

/// An undertaking the parties could offer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Offer {
    pub package: Package,
    /// Cost to the parties, in units of a divestiture.
    pub cost: f64,
    /// Harm index after the package.
    pub harm_after: f64,
    /// Whether the authority still has jurisdiction after the package.
    pub jurisdiction_after: bool,
    pub behavioural: bool,
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

/// What one month of a case needs to know about the world.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub jurisdiction: bool,
    pub harm: f64,
    /// Other authorities with the same matter in phase 2.
    pub peers: u32,
    pub offers: &'a [Offer],
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

    fn informal_mean(&self, ap: &AuthorityParams) -> f64 {
        match self.kind {
            CaseKind::Partnership => ap.inquiry_months,
            CaseKind::Bid | CaseKind::Acquihire { .. } | CaseKind::Absorption => ap.prenotification_months,
        }
    }

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
    fn resolve_offer<R: Rng + ?Sized>(&mut self, ap: &AuthorityParams, rng: &mut R) -> Step {
        let Some((package, accept)) = self.offer else {
            return Step::Continue;
        };
        if chance(rng, accept) {
            Step::OfferAccepted(package)
        } else {
            self.enter_phase2(ap, rng);
            Step::OfferRejected(package)
        }
    }

    fn enter_phase2<R: Rng + ?Sized>(&mut self, ap: &AuthorityParams, rng: &mut R) {
        self.stage = Stage::Phase2;
        self.months = 0;
        self.clock_wd = (self.clock_wd - self.phase_wd).max(0.0);
        self.phase_wd = ap.phase2_days;
        if chance(rng, ap.extension_rate) {
            self.phase_wd += ap.extension_days;
        }
        self.offer = None;
    }

    /// Working days from the start of phase 1 to the end of the current statutory phase
    /// (for duration checks).
    pub fn statutory_wd(&self) -> f64 {
        self.phase_wd
    }

    /// Advances the case by one month. Draws only from `rng`.
    pub fn step<R: Rng + ?Sized>(
        &mut self,
        ap: &AuthorityParams,
        rp: &RegulationParams,
        s: f64,
        facts: &Facts,
        rng: &mut R,
    ) -> Step {
        self.months += 1;
        self.investigated += 1;
        let e = evidence(f64::from(self.investigated), rp);
        match self.stage {
            Stage::Monitoring => Step::Continue,
            Stage::Informal => {
                let mean = self.informal_mean(ap);
                let ends = mean <= 1.0 || chance(rng, 1.0 / mean);
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
                    return self.resolve_offer(ap, rng);
                }
                if !facts.jurisdiction {
                    return Step::Closed(Closure::NoJurisdiction);
                }
                let hazard = s
                    * (ap.refer_base
                        + ap.refer_harm * facts.harm * facts.harm
                        + rp.peer_weight * f64::from(facts.peers));
                if !chance(rng, 1.0 - (-hazard).exp()) {
                    return Step::Closed(Closure::Cleared);
                }
                match self.choose_offer(ap, rp, s, facts) {
                    Some(offer) if ap.undertaking_days > 0.0 => {
                        self.offer = Some(offer);
                        self.phase_wd += ap.undertaking_days;
                        if self.clock_wd >= self.phase_wd {
                            self.resolve_offer(ap, rng)
                        } else {
                            Step::Continue
                        }
                    }
                    _ => {
                        self.enter_phase2(ap, rng);
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
                // Two draws always, so the number of draws does not depend on the outcome.
                let adverse = chance(rng, p_adverse(s, facts.harm, e, rp));
                let structural = chance(rng, self.structural_share(rp));
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
    /// probability, or `None` if going to phase 2 is cheaper in expectation.
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
        let risk = p_adverse(s, facts.harm, e, rp) * (d + (1.0 - d) * rp.undertaking_behavioural_cost);
        let mut best: Option<(Package, f64)> = None;
        let mut best_cost = risk;
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
            let cost = o.cost + (1.0 - accept) * risk;
            if cost < best_cost {
                best_cost = cost;
                best = Some((o.package, accept));
            }
        }
        best
    }
}

/// The market facts regulation reads, per segment.
struct Market {
    hhi: [f64; 4],
    /// Shares per firm per segment.
    share: [[f64; 4]; MAX_FIRMS],
    /// A single startup's share per segment (the fringe split over the startups alive).
    startup_share: [f64; 4],
}

impl Market {
    fn read(products: &Query<&Product>, signals: &Signals, startups_alive: usize) -> Market {
        let mut share = [[0.0; 4]; MAX_FIRMS];
        for p in products.iter() {
            share[p.firm as usize][p.segment.index()] = p.share;
        }
        let n = startups_alive.max(1) as f64;
        Market {
            hhi: signals.hhi,
            share,
            startup_share: signals.fringe_share.map(|x| x / n),
        }
    }

    /// Screens of combining firms `a` and `b` (most affected segment).
    fn combine(&self, a: usize, b: usize) -> Screens {
        let mut best = Screens::default();
        for s in Segment::ALL {
            let i = s.index();
            let sc = Screens::combine(self.hhi[i], self.share[a][i], self.share[b][i]);
            if sc.delta_hhi > best.delta_hhi || best.hhi_post == 0.0 {
                best = sc;
            }
        }
        best
    }

    /// Screens of firm `buyer` absorbing one startup.
    fn acquihire(&self, buyer: usize) -> Screens {
        let mut best = Screens::default();
        for s in Segment::ALL {
            let i = s.index();
            let sc = Screens::combine(self.hhi[i], self.share[buyer][i], self.startup_share[i]);
            if sc.delta_hhi > best.delta_hhi || best.hhi_post == 0.0 {
                best = sc;
            }
        }
        best
    }

    fn max_share(&self, firm: usize) -> f64 {
        self.share[firm].iter().copied().fold(0.0, f64::max)
    }

    /// The share-of-supply test for combining `a` and `b` (Enterprise Act 2002 s.23): the
    /// largest combined share over the segments where both supply (the merger must increase
    /// a share of at least 25%); 0 if they overlap nowhere.
    fn combined_supply(&self, a: usize, b: usize) -> f64 {
        (0..self.share[a].len())
            .filter(|&i| self.share[a][i] > 0.0 && self.share[b][i] > 0.0)
            .map(|i| self.share[a][i] + self.share[b][i])
            .fold(0.0, f64::max)
    }
}

/// How tightly the partnership terms tie the lab's models to the investor (0..=1).
fn tie(ps: &Partnership) -> f64 {
    0.5 * (ps.exclusivity.control_weight() + f64::from(u8::from(ps.first_access)))
}

/// Harm index of the partnership in state `ps` with control indicator `k`.
fn partnership_harm(
    ps: &Partnership,
    k: f64,
    base: &Screens,
    api_share: f64,
    rival_compute: f64,
    rp: &RegulationParams,
    a: Authority,
) -> f64 {
    let screens = Screens {
        foreclosure: rival_compute.max(api_share * tie(ps)),
        ..*base
    };
    screens.harm(rp, k, a)
}

/// Applies an accepted undertaking or an imposed behavioural remedy to the partnership.
fn apply(ps: &mut Partnership, package: Package, rp: &RegulationParams) {
    match package {
        Package::DropBoardSeat => ps.board_seat = false,
        Package::Behavioural => {
            ps.exclusivity = ps.exclusivity.loosened();
            ps.first_access = false;
        }
        Package::ReduceStake => ps.stake = ps.stake.min(rp.undertaking_stake),
        Package::FixOverlap => {}
    }
}

/// The packages the investor could offer authority `a`, given the partnership's state.
#[allow(clippy::too_many_arguments)]
fn partnership_offers(
    ps: &Partnership,
    share: f64,
    base: &Screens,
    api_share: f64,
    rival_compute: f64,
    rp: &RegulationParams,
    a: Authority,
    accepted: Influence,
    out: &mut [Offer; 3],
) -> usize {
    let mut n = 0;
    for (package, cost, available) in [
        (Package::DropBoardSeat, rp.undertaking_board_cost, ps.board_seat),
        (
            Package::Behavioural,
            rp.undertaking_behavioural_cost,
            ps.exclusivity != Exclusivity::None || ps.first_access,
        ),
        (
            Package::ReduceStake,
            rp.undertaking_stake_cost,
            ps.stake > rp.undertaking_stake,
        ),
    ] {
        if !available {
            continue;
        }
        let mut after = ps.clone();
        apply(&mut after, package, rp);
        let k = control_indicator(&after, share);
        let level = influence(after.stake, after.board_seat, k, rp);
        out[n] = Offer {
            package,
            cost,
            harm_after: partnership_harm(&after, k, base, api_share, rival_compute, rp, a),
            jurisdiction_after: has_jurisdiction(a, &Subject::Partnership { level, accepted }, rp),
            behavioural: package != Package::ReduceStake,
        };
        n += 1;
    }
    n
}

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

    // In authority order (EU, CMA, FTC) without allocating.
    for a in Authority::ALL {
        let Some(mut reg) = regulators.iter_mut().find(|r| r.authority == a) else {
            continue;
        };
        let rng = rngs.get(Stream::Regulator(a as u8));
        let ap = authority_params(rp, a);
        let s = rp.stringency * ap.weight;
        let name = a.as_str();
        let active = ps.status == PartnershipStatus::Active;
        let bid_harm = bid_screens.harm(rp, 1.0, a);

        // The partnership case.
        let k = control_indicator(&ps, share);
        let level = influence(ps.stake, ps.board_seat, k, rp);
        let terms = Terms::of(&ps, level);
        let change = terms.change_from(&reg.seen).filter(|_| active);
        if change.is_some() {
            reg.last_change = Some(tick);
        }
        reg.seen = terms;
        if !active {
            reg.case = None;
        } else {
            let harm = partnership_harm(&ps, k, &base, api_share, rival_compute, rp, a);
            let subject = Subject::Partnership {
                level,
                accepted: reg.accepted,
            };
            let jurisdiction = has_jurisdiction(a, &subject, rp);
            let peers = in_phase2 - u32::from(reg.stage() == Stage::Phase2);
            match reg.case {
                None => {
                    let in_time =
                        ap.time_limit_months == 0 || reg.last_change.is_some_and(|t| tick - t <= ap.time_limit_months);
                    let prima_facie = level > reg.accepted && level > Influence::None && in_time;
                    let why = if let Some(why) = change {
                        Some(why)
                    } else if prima_facie && chance(rng, s * (rp.open_rate * harm + rp.peer_weight * f64::from(peers)))
                    {
                        Some("own initiative")
                    } else {
                        None
                    };
                    if let Some(why) = why.filter(|_| prima_facie) {
                        reg.case = Some(Case::open(CaseKind::Partnership, Stage::Informal, 0, ap));
                        log.push(
                            tick,
                            "review_opened",
                            name,
                            inv_name,
                            format!("partnership with {lab_name}: {why}; {} (K={k:.2})", level.as_str()),
                        );
                    }
                }
                Some(mut case) => {
                    let mut offers = [Offer {
                        package: Package::FixOverlap,
                        cost: 0.0,
                        harm_after: 0.0,
                        jurisdiction_after: false,
                        behavioural: false,
                    }; 3];
                    let n = partnership_offers(
                        &ps,
                        share,
                        &base,
                        api_share,
                        rival_compute,
                        rp,
                        a,
                        reg.accepted,
                        &mut offers,
                    );
                    let facts = Facts {
                        jurisdiction,
                        harm,
                        peers,
                        offers: &offers[..n],
                    };
                    let step = case.step(ap, rp, s, &facts, rng);
                    reg.case = Some(case);
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
                        Step::OfferAccepted(p) => {
                            apply(&mut ps, p, rp);
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
                            apply(&mut ps, Package::Behavioural, rp);
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
                            let due = tick + rp.implementation_months;
                            ps.separation_due = Some(ps.separation_due.map_or(due, |d| d.min(due)));
                            log.push(
                                tick,
                                "decision",
                                name,
                                inv_name,
                                format!("divest: stake in {lab_name}, separation due month {due}"),
                            );
                        }
                    }
                    if done {
                        reg.case = None;
                        let k = control_indicator(&ps, share);
                        reg.accepted = influence(ps.stake, ps.board_seat, k, rp);
                        reg.seen = Terms::of(&ps, reg.accepted);
                    }
                }
            }
        }

        // Merger control of a pending bid, by authorities with jurisdiction only.
        if active && ps.bid_pending_since.is_some() {
            if reg.bid == BidReview::Idle {
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
            } else if let Some(mut case) = reg.bid_case {
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
        } else {
            reg.bid = BidReview::Idle;
            reg.bid_case = None;
        }

        // Acqui-hires by any company: a month of each open review, then new reviews.
        let reg = &mut *reg;
        let mut kept = 0;
        for i in 0..reg.acquihire_cases.len() {
            let mut case = reg.acquihire_cases[i];
            let mut keep = true;
            if case.kind == CaseKind::Absorption && !(ps.absorbed && ps.status == PartnershipStatus::Acquired) {
                // Already unwound by another authority's order: nothing left to review.
                keep = false;
            } else if case.kind == CaseKind::Absorption {
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
                        let due = tick + rp.implementation_months;
                        ps.separation_due = Some(ps.separation_due.map_or(due, |d| d.min(due)));
                        format!("divest (unwind, separation due month {due}): {what}")
                    } else {
                        format!("{outcome}: {what}")
                    };
                    log.push(tick, kind, name, inv_name, detail);
                }
            } else if let CaseKind::Acquihire { buyer, slot } = case.kind {
                let facts = Facts {
                    jurisdiction: true,
                    harm: market.acquihire(buyer as usize).harm(rp, 1.0, a),
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
            }
            if keep {
                reg.acquihire_cases[kept] = case;
                kept += 1;
            }
        }
        reg.acquihire_cases.truncate(kept);
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
}
