//! What the jurisdiction tests read. **Influence.** The investor's level of influence over
//! the lab is read from the state:
//!
//! ```text
//! legal control    stake > 0.5
//! de facto control K ≥ control_threshold        (decisive influence; the EU's "control";
//!                  unless the run's reading lets ties suffice, also a board seat)
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
//! Each authority's test on a [`Subject`] is in its file ([`super::eu`], [`super::cma`],
//! [`super::ftc`]).

use crate::mechanisms::partnership::control_index;
use crate::scenario::{BoardRole, Exclusivity, RegulationParams, TieParams};
use crate::world::components::{Authority, DivestRoute, Partnership};

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
/// indicator `k`. De facto control is decisive influence: the ability to block or direct
/// the lab's strategic decisions. Under the law as the authorities read it in 2024–25
/// (`ties_suffice` false) it needs a governance right — the model's only one short of a
/// voting majority is a board seat — on top of ties at or above `control_threshold`:
/// commercial ties and economic dependence amount to control only exceptionally and then
/// coupled with structural links (Commission Consolidated Jurisdictional Notice, 2008/C
/// 95/01, para 20); the Commission found no control in the Microsoft–OpenAI partnership
/// (April 2024) and the CMA material influence since 2019 but no change to control (March
/// 2025). Under the article's "de facto merger" theory (`ties_suffice`), ties at or above
/// `control_threshold` suffice. Which reading an authority holds in a run is drawn once
/// (`regulation.ties_control_prob`, see [`ties_reading`]).
pub fn influence(stake: f64, board_seat: bool, k: f64, ties_suffice: bool, rp: &RegulationParams) -> Influence {
    if stake > 0.5 {
        Influence::Legal
    } else if (board_seat || ties_suffice) && k >= rp.control_threshold {
        Influence::DeFacto
    } else if k >= rp.material_threshold {
        Influence::Material
    } else {
        Influence::None
    }
}

/// The run's reading of de facto control at authority `a`, from one uniform `u` drawn at
/// setup: the EU Commission and the CMA share it (one legal debate, one set of facts; the
/// authorities coordinate on AI partnerships, joint statement of July 2024) and take the
/// article's reading with probability `ties_control_prob`; the FTC never does (Clayton Act
/// §7 reaches acquisitions of stock or assets, and commercial ties are neither).
pub fn ties_reading(a: Authority, u: f64, rp: &RegulationParams) -> bool {
    a != Authority::Ftc && u < rp.ties_control_prob
}

/// The level every authority counts as already reviewed at the start: the investor's
/// material influence, if it has it, dates from its first investments (2019) — time-barred
/// for the CMA (four months), looked at by the Commission (no concentration) and by the
/// FTC in a 6(b) market study (orders January 2024, staff report January 2025), not a
/// case. Only a rise above it (de facto or legal control) is a new merger situation.
pub fn initial_accepted(level: Influence) -> Influence {
    level.min(Influence::Material)
}

/// The route that gives an authority jurisdiction over the partnership at `level`: legal
/// control by a stake above one half; de facto control by a board seat, unless the ties
/// alone reach it (only under the article's reading, `ties_suffice`); `ties_k` is the
/// control indicator without the seat.
pub fn route_of(
    ps: &Partnership,
    level: Influence,
    ties_k: f64,
    ties_suffice: bool,
    rp: &RegulationParams,
) -> DivestRoute {
    if level == Influence::Legal {
        DivestRoute::Stake
    } else if ps.board_seat && (!ties_suffice || ties_k < rp.control_threshold) {
        DivestRoute::BoardSeat
    } else {
        DivestRoute::Ties
    }
}

/// A tie's investor's level of influence over the lab, on the CMA's scale (CMA2, paras
/// 4.17–4.30): legal control by a voting majority; de facto control by a board seat on top
/// of an indicator `k` at `control_threshold`; material influence presumed from a voting
/// stake of `material_presumption` (25%), possible from `material_stake` (15%) with another
/// indicator (a board role, consultation rights), found with a board seat, or with `k` at
/// `material_threshold` — else none. `k` is [`tie_indicator`]: consultation rights and a
/// relationship of dependency on the investor's infrastructure are "capable of
/// contributing" (the CMA's Amazon/Anthropic decision, 2024).
pub fn tie_influence(
    voting_stake: f64,
    board: BoardRole,
    consultation: bool,
    k: f64,
    rp: &RegulationParams,
) -> Influence {
    let seat = board == BoardRole::Seat;
    let level = influence(voting_stake, seat, k, false, rp);
    let other_indicator = board != BoardRole::None || consultation;
    let material =
        voting_stake >= rp.material_presumption || (voting_stake >= rp.material_stake && other_indicator) || seat;
    if level == Influence::None && material {
        Influence::Material
    } else {
        level
    }
}

/// A tie's control indicator: the partnership's weights
/// ([`crate::mechanisms::partnership::control_index`]) on the voting stake, exclusivity,
/// first access, the lab's compute on the investor's cloud (`dependency`) and governance
/// rights (a seat 1, an observer ½, consultation rights ½; at most 1).
pub fn tie_indicator(t: &TieParams, stake: f64, dependency: f64) -> f64 {
    let board = match t.board {
        BoardRole::Seat => 1.0,
        BoardRole::Observer => 0.5,
        BoardRole::None => 0.0,
    };
    let governance = board + if t.consultation { 0.5 } else { 0.0 };
    let voting_stake = if t.voting { stake } else { 0.0 };
    control_index(voting_stake, t.exclusivity, t.first_access, dependency, governance)
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
    /// A change in a tie (`[[partnerships]]`): a tranche raising the investor's stake, or
    /// its terms changed by an event.
    Tie {
        /// The investor's level of influence over the lab after the change ([`tie_influence`]).
        level: Influence,
        /// Whether the stake carries votes.
        voting: bool,
        /// The investor's stake after the change.
        stake: f64,
        /// Whether the change acquired voting securities (a tranche into a voting stake, or
        /// a conversion into voting stock).
        acquires_votes: bool,
        /// The highest HSR notification threshold the voting securities held after the
        /// change reach (their value, the stake at the lab's value, 16 CFR 801.13:
        /// [`super::ftc::notification_threshold`]), and the highest the investor has filed
        /// for (or held at the start): a new filing only for a higher one.
        notification: u8,
        filed: u8,
        /// The lab's UK turnover, $bn a year (turnover test).
        uk_turnover: f64,
        /// The partners' combined share of supply where both supply.
        combined_share: f64,
    },
}
