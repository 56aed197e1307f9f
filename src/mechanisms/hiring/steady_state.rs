//! The hiring chain's steady state in closed form: the amenities that make it reproduce the
//! starting employment shares, and the cumulative shares researchers are first drawn from
//! (used by setup).

use super::weights::{WeightRows, fill_weight_table};
use super::{MISSION_BINS, OPTIONS};
use crate::scenario::TalentParams;

/// Mass of each mission level when preferences are uniform on 0..=1 (the end levels
/// collect half a step each).
pub(super) fn bin_mass(b: usize) -> f64 {
    let step = 1.0 / (MISSION_BINS - 1) as f64;
    if b == 0 || b == MISSION_BINS - 1 {
        step / 2.0
    } else {
        step
    }
}

/// The startup sector's own flows in the steady state. Startups bought by a firm send
/// their staff to the buyer without a search; startups that fail for other reasons than
/// cash (`failure_rate`) make their staff search (keeping the sector's stay bonus). With
/// both, starting employment is an equilibrium of the flows the parameters set; failures
/// from cash are an outcome of the run, not a parameter, and are left out (docs/MODEL.md §7.2).
#[derive(Debug, Clone, Copy)]
pub struct SectorExit {
    /// Exits to firms per search (`acquisition_rate / search_hazard`: monthly hazards).
    pub per_search: f64,
    /// Extra searches of the sector's staff per ordinary search (`failure_rate / search_hazard`).
    pub extra_search: f64,
    /// Where the leavers go: shares of the firms with staff (buyers are drawn in proportion
    /// to capital; a firm with a zero `talent_share` is left out, or its zero target could
    /// not be met).
    pub to: [f64; OPTIONS],
}

impl SectorExit {
    /// No flows: the reversible chain.
    pub const NONE: SectorExit = SectorExit {
        per_search: 0.0,
        extra_search: 0.0,
        to: [0.0; OPTIONS],
    };

    pub fn of(s: &crate::scenario::Scenario) -> SectorExit {
        let mut to = [0.0f64; OPTIONS];
        let weight = |c: &crate::scenario::CompanyParams| if c.talent_share > 0.0 { c.capital.max(0.0) } else { 0.0 };
        let total: f64 = s.companies.iter().map(weight).sum();
        let h = s.talent.search_hazard;
        if total <= 0.0 || h <= 0.0 {
            return SectorExit::NONE;
        }
        for (i, c) in s.companies.iter().enumerate() {
            to[i] = weight(c) / total;
        }
        SectorExit {
            per_search: s.startups.acquisition_rate / h,
            extra_search: s.startups.failure_rate / h,
            to,
        }
    }
}

/// The stationary employment shares of the hiring chain at one mission level. A searcher
/// at option i moves to j ≠ i with probability w_j / T_i, T_i = W + (S − 1)·w_i (W the sum of
/// the weights, S the stay factor): without the sector's flows the chain is reversible with
/// π_i ∝ w_i·T_i. With them (the sector is option `options − 1`; per search it also loses
/// `a = per_search` to the firms in shares κ and searches `1 + e` times as often), the
/// balance equations still solve in closed form: with x_j = π_j/T_j and the sector's
/// y = π_s/T_s = 1, firm j's balance gives x_j = (w_j·C + a·T_s·κ_j)/W with
/// C = X + (1 + e) and X = Σ_firms x_j = ((1 + e)·(W − w_s) + a·T_s)/w_s from the sector's.
/// (For a = e = 0 this is the reversible solution; unit test `stationary_solve_with_sector_exits`
/// checks the balance.)
pub(super) fn stationary_row(
    row: &[f64; OPTIONS],
    options: usize,
    stay: f64,
    exit: &SectorExit,
    out: &mut [f64; OPTIONS],
) {
    let total: f64 = row[..options].iter().sum();
    let t = |o: usize| total + (stay - 1.0) * row[o];
    let sector = options.saturating_sub(1);
    let w_s = row[sector];
    if (exit.per_search <= 0.0 && exit.extra_search <= 0.0) || options < 2 || w_s <= 0.0 {
        for o in 0..options {
            out[o] = row[o] * t(o);
        }
    } else {
        let (a, e) = (exit.per_search, 1.0 + exit.extra_search);
        let t_s = t(sector);
        let x_firms = (e * (total - w_s) + a * t_s) / w_s;
        let c = x_firms + e;
        for o in 0..sector {
            out[o] = (row[o] * c + a * t_s * exit.to[o]) / total * t(o);
        }
        out[sector] = t_s;
    }
    let sum: f64 = out[..options].iter().sum();
    for x in out[..options].iter_mut() {
        *x /= sum.max(1e-300);
    }
}

/// Amenities that make the hiring model's steady state match `targets` (shares of the
/// options, summing to 1). Options with a zero target get a weight of about e⁻⁶⁰. Solved by
/// the fixed point η ← η + ln(target/share) (damped); converges in a few dozen steps
/// because the share of an option rises monotonically with its amenity.
pub fn steady_state_amenities(
    t: &TalentParams,
    base: &[f64; OPTIONS],
    mission: &[f64; OPTIONS],
    options: usize,
    targets: &[f64; OPTIONS],
    exit: &SectorExit,
) -> [f64; OPTIONS] {
    let stay = t.switching_cost.exp();
    let mut amenity = [0.0f64; OPTIONS];
    for o in 0..options {
        if targets[o] <= 0.0 {
            amenity[o] = -60.0;
        }
    }
    let mut table = Box::new([[0.0f64; OPTIONS]; MISSION_BINS]);
    let mut pi = [0.0f64; OPTIONS];
    for _ in 0..500 {
        let with: [f64; OPTIONS] = std::array::from_fn(|o| base[o] + amenity[o]);
        fill_weight_table(&with, mission, options, t.mission_weight, &mut table);
        let mut agg = [0.0f64; OPTIONS];
        for (b, row) in table.iter().enumerate() {
            stationary_row(row, options, stay, exit, &mut pi);
            for o in 0..options {
                agg[o] += bin_mass(b) * pi[o];
            }
        }
        let mut worst = 0.0f64;
        for o in 0..options {
            if targets[o] > 0.0 {
                let gap = (targets[o] / agg[o].max(1e-300)).ln();
                worst = worst.max(gap.abs());
                amenity[o] += 0.7 * gap;
            }
        }
        if worst < 1e-10 {
            break;
        }
    }
    amenity
}

/// The cumulative steady-state shares of the options per mission level, for utilities
/// `base` (amenities included): each researcher's starting employer is drawn from its row.
pub fn steady_state_cumulative(
    t: &TalentParams,
    base: &[f64; OPTIONS],
    mission: &[f64; OPTIONS],
    options: usize,
    exit: &SectorExit,
) -> Box<WeightRows> {
    let stay = t.switching_cost.exp();
    let mut table = Box::new([[0.0f64; OPTIONS]; MISSION_BINS]);
    let mut pi = [0.0f64; OPTIONS];
    fill_weight_table(base, mission, options, t.mission_weight, &mut table);
    for row in table.iter_mut() {
        stationary_row(row, options, stay, exit, &mut pi);
        let mut acc = 0.0;
        for o in 0..options {
            acc += pi[o];
            row[o] = acc;
        }
    }
    table
}
