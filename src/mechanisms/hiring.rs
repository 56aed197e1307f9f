//! Hiring: researchers choose employers; firms hire within their budgets; poaching.
//!
//! Each researcher looks at offers in months drawn from a job-search hazard
//! (`talent.search_hazard`; boosted by `talent.crisis_search_boost` for the lab's staff in
//! a crisis month; always when their startup failed). A searcher picks among the firms
//! and the startup sector by a multinomial logit:
//!
//! ```text
//! U_f = pay_weight·ln(pay_f) + prestige_weight·ln(capability_f)
//!       + mission_weight·(1 − |mission_pref − mission_f|) + switching_cost·[f = current]
//! ```
//!
//! A firm hires at most its openings, ⌈openings_share·headcount⌉ a month, within
//! ⌊hiring_budget_share·capital / (12·cost_per_researcher·pay)⌋
//! researchers a month (a year of pay committed per hire); a full firm drops out of the
//! choice set. Moves between the lab and the investor are poaching, which the partnership
//! turns into tension. Staff of an acquired startup join the acquirer at their next pass.
//!
//! Performance: the pool is processed in fixed chunks of [`CHUNK`] researchers, in parallel
//! for large pools. Each chunk has its own RNG stream (run seed, month, chunk) and its own
//! share of every firm's hiring slots, so results do not depend on the thread count. The
//! logit weights are tabulated per month over [`MISSION_BINS`] mission-preference levels,
//! so a choice costs a table row and one uniform draw, without `exp`.

use bevy_ecs::prelude::*;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rayon::prelude::*;

use crate::scenario::TalentParams;
use crate::world::components::{Company, MAX_FIRMS, Researcher, STARTUP_BASE, Startup, UNATTACHED};
use crate::world::random::{Geometric, chance, uniform};
use crate::world::resources::{Clock, EventLog, FATE_ALIVE, FATE_FAILED, Params, Roster, RunSeed, StartupIndex};
use crate::world::signals::Signals;

/// Choice options: firms, then the startup sector; flows also track "unattached".
pub const OPTIONS: usize = MAX_FIRMS + 2;
/// Researchers per chunk: the unit of parallel work and of RNG streams.
pub const CHUNK: usize = 8192;
/// Pools at least this large are processed in parallel.
pub const PARALLEL_FROM: usize = 4 * CHUNK;
/// Mission preferences are tabulated on this many levels (0, 1/63, …, 1).
pub const MISSION_BINS: usize = 64;

/// Everything a chunk needs to know about this month's offers (read-only, shared).
struct Offers<'a> {
    tick: u32,
    seed: u64,
    /// Logit weight exp(U − max) of each option for each mission level, without the stay bonus.
    table: &'a WeightRows,
    /// exp(switching_cost): the current employer's weight is multiplied by it.
    stay_factor: f64,
    options: usize,
    sector: usize,
    lab: usize,
    investor: usize,
    /// While the investor's offer to hire the lab's staff is open: the factor on the
    /// investor's weight for the lab's researchers (the team moves with its know-how, so
    /// the investor is as attractive as the lab, plus the pay premium and the crisis'
    /// exodus); every lab researcher considers it. 0 when no offer is open.
    absorption: f64,
    hazard: Geometric,
    /// [`Geometric::beyond`] the months left in the run: later search months never matter.
    search_beyond: f64,
    crisis_extra: f64,
    fate: &'a [u32],
    /// Startup jobs this month, one slot number per job: the founder seats of new startups
    /// first (`seat_count` of them, in slot order), then each live startup's openings. Each
    /// chunk gets its own share of the list (see [`chunk_seats`]); its sector budget is the
    /// share's length.
    jobs: &'a [u32],
    seat_count: usize,
}

/// What one chunk did; merged in chunk order.
struct ChunkMoves {
    hc_delta: [i64; OPTIONS],
    skill_delta: [f64; OPTIONS],
    /// Moves into the lab (`[0]`) and into the investor (`[1]`) by the option they came
    /// from (the only flows the events narrate; a full matrix would be 4.6 KB to zero and
    /// copy per chunk and month).
    into_partners: [[u32; OPTIONS]; 2],
    /// Skill moved lab → investor and investor → lab.
    partner_skill: [f64; 2],
    staff_delta: Vec<(u32, i32)>,
    moves: u64,
    /// Researchers who left a firm they had worked at since the start (for retention).
    left_original: [u32; OPTIONS],
    /// Founder seats of this chunk's share that were filled (a prefix of it).
    seats_used: usize,
    /// The openings of this chunk's share not yet taken (copied at the first one taken).
    openings: Option<Vec<u32>>,
}

impl ChunkMoves {
    /// Counts a move from option `from` to option `to` if it is into a partner.
    #[inline]
    fn count_move(&mut self, offers: &Offers, from: usize, to: usize) {
        if to == offers.lab {
            self.into_partners[0][from] += 1;
        } else if to == offers.investor {
            self.into_partners[1][from] += 1;
        }
    }

    /// The startup a researcher joins from this chunk's share of the jobs (`seats` founder
    /// seats, then openings): the seats first, in order, then an opening drawn uniformly
    /// among those left, so startups are joined in proportion to their openings. The
    /// chunk's sector budget is the share's length, so a job is always left.
    #[inline]
    fn startup_slot(&mut self, jobs: &[u32], seats: usize, rng: &mut ChaCha8Rng) -> u32 {
        if self.seats_used < seats {
            self.seats_used += 1;
            return jobs[self.seats_used - 1];
        }
        let left = self.openings.get_or_insert_with(|| jobs[seats..].to_vec());
        let k = ((uniform(rng) * left.len() as f64) as usize).min(left.len().saturating_sub(1));
        left.swap_remove(k)
    }

    fn new() -> Self {
        ChunkMoves {
            hc_delta: [0; OPTIONS],
            skill_delta: [0.0; OPTIONS],
            into_partners: [[0; OPTIONS]; 2],
            partner_skill: [0.0; 2],
            staff_delta: Vec::new(),
            moves: 0,
            left_original: [0; OPTIONS],
            seats_used: 0,
            openings: None,
        }
    }
}

/// The mission level of a preference in 0..=1.
#[inline]
pub fn mission_bin(m: f32) -> usize {
    // Round half up by truncation (`f32::round` is a libm call, visible in the kernel).
    ((m.clamp(0.0, 1.0) * (MISSION_BINS - 1) as f32 + 0.5) as usize).min(MISSION_BINS - 1)
}

/// Per mission level, the sum of the weights of the options with slots left in this chunk.
fn open_totals(table: &[[f64; OPTIONS]; MISSION_BINS], slots: &[i64; OPTIONS], n: usize) -> [f64; MISSION_BINS] {
    let mut totals = [0.0; MISSION_BINS];
    for (t, row) in totals.iter_mut().zip(table) {
        *t = (0..n).filter(|&o| slots[o] > 0).map(|o| row[o]).sum();
    }
    totals
}

/// Processes one chunk of researchers with its own RNG stream and slot budget.
fn hire_chunk(
    offers: &Offers,
    chunk: usize,
    researchers: &mut [Researcher],
    slots: &mut [i64; OPTIONS],
    share: std::ops::Range<usize>,
) -> ChunkMoves {
    let seats = share.end.min(offers.seat_count).saturating_sub(share.start);
    let jobs = &offers.jobs[share];
    let mut rng = ChaCha8Rng::seed_from_u64(offers.seed);
    rng.set_stream((u64::from(offers.tick) << 32) | chunk as u64);
    let rng = &mut rng;
    let mut out = ChunkMoves::new();
    let unattached = offers.sector + 1;
    let n = offers.options;
    let mut totals = open_totals(offers.table, slots, n);
    // The lab's staff need a look every month while a crisis or an offer is on.
    let lab_watched = offers.absorption > 0.0 || offers.crisis_extra > 0.0;
    let lab = offers.lab as u32;
    for r in researchers.iter_mut() {
        let emp = r.employer;
        // Fast path for most researcher-months: not due to search, nothing forces a look,
        // no draw consumed (so skipping here changes no result).
        if u32::from(r.next_search) > offers.tick {
            let idle = if emp < STARTUP_BASE {
                !(lab_watched && emp == lab)
            } else {
                emp != UNATTACHED && offers.fate.get((emp - STARTUP_BASE) as usize) == Some(&FATE_ALIVE)
            };
            if idle {
                continue;
            }
        }
        // `displaced`: the staff of a failed startup. They search at once and keep the startup
        // sector's stay bonus (the taste for equity pay, the network and the switching costs
        // that kept them in startups do not fail with the firm) while the sector has
        // openings; joining another startup takes one of them.
        let (current, forced, displaced) = if emp == UNATTACHED {
            (None, true, false)
        } else if emp >= STARTUP_BASE {
            let slot = (emp - STARTUP_BASE) as usize;
            match offers.fate.get(slot).copied().unwrap_or(FATE_FAILED) {
                FATE_ALIVE => (Some(offers.sector), false, false),
                FATE_FAILED if offers.options > offers.sector && slots[offers.sector] > 0 => {
                    (Some(offers.sector), true, true)
                }
                FATE_FAILED => (None, true, false),
                acquirer => {
                    // Acquired startup: staff join the acquirer without a search.
                    let a = acquirer as usize;
                    r.employer = acquirer;
                    r.since = offers.tick as u16;
                    out.hc_delta[a] += 1;
                    out.skill_delta[a] += f64::from(r.skill);
                    out.count_move(offers, offers.sector, a);
                    continue;
                }
            }
        } else {
            (Some(emp as usize), false, false)
        };
        let offered = offers.absorption > 0.0 && current == Some(offers.lab);
        let searching = forced
            || offered
            || u32::from(r.next_search) <= offers.tick
            || (offers.crisis_extra > 0.0 && current == Some(offers.lab) && chance(rng, offers.crisis_extra));
        if !searching {
            continue;
        }
        let months = offers.hazard.months_within(rng, offers.search_beyond);
        r.next_search = (offers.tick + months).min(u16::MAX as u32) as u16;

        // Logit over the open options (the current employer is always open): the open
        // total of the mission level, corrected for the stay bonus, then one scan.
        let bin = mission_bin(r.mission_pref);
        let row = &offers.table[bin];
        let mut total = totals[bin];
        // The offer replaces the investor's ordinary weight for the lab's staff.
        let offer_weight = row[offers.lab] * offers.absorption;
        if offered {
            let ordinary = if slots[offers.investor] > 0 {
                row[offers.investor]
            } else {
                0.0
            };
            total += offer_weight - ordinary;
        }
        if let Some(c) = current {
            total += row[c]
                * if slots[c] > 0 {
                    offers.stay_factor - 1.0
                } else {
                    offers.stay_factor
                };
        }
        if total <= 0.0 {
            continue; // nowhere to go and nothing to keep: stays unattached
        }
        let weight = |o: usize| {
            if offered && o == offers.investor {
                offer_weight
            } else if current == Some(o) {
                row[o] * offers.stay_factor
            } else if slots[o] > 0 {
                row[o]
            } else {
                0.0
            }
        };
        let mut pick = uniform(rng) * total;
        let mut chosen = None;
        for o in 0..n {
            let w = weight(o);
            if pick < w {
                chosen = Some(o);
                break;
            }
            pick -= w;
        }
        // Rounding can leave `pick` past the last option: take the last open one.
        let chosen = match chosen.or_else(|| (0..n).rev().find(|&o| weight(o) > 0.0)) {
            Some(o) if Some(o) != current || displaced => o,
            _ => continue,
        };

        // Leave the old employer, join the new one.
        let skill = f64::from(r.skill);
        match current {
            Some(_) if displaced => {} // the failed startup's books are closed
            Some(o) if o == offers.sector => out.staff_delta.push((emp - STARTUP_BASE, -1)),
            Some(o) => {
                out.hc_delta[o] -= 1;
                out.skill_delta[o] -= skill;
                if r.since == 0 {
                    out.left_original[o] += 1;
                }
            }
            None => {}
        }
        r.since = offers.tick as u16;
        if chosen == offers.sector {
            let slot = out.startup_slot(jobs, seats, rng);
            r.employer = STARTUP_BASE + slot;
            out.staff_delta.push((slot, 1));
            slots[chosen] -= 1;
            if slots[chosen] == 0 {
                totals = open_totals(offers.table, slots, n); // the sector's openings are filled
            }
        } else if offered && chosen == offers.investor {
            // Hired under the offer: outside the investor's ordinary budget.
            r.employer = chosen as u32;
            out.hc_delta[chosen] += 1;
            out.skill_delta[chosen] += skill;
        } else {
            slots[chosen] -= 1;
            if slots[chosen] == 0 {
                totals = open_totals(offers.table, slots, n); // a firm just filled up
            }
            r.employer = chosen as u32;
            out.hc_delta[chosen] += 1;
            out.skill_delta[chosen] += skill;
        }
        out.count_move(offers, current.unwrap_or(unattached), chosen);
        if current == Some(offers.lab) && chosen == offers.investor {
            out.partner_skill[0] += skill;
        } else if current == Some(offers.investor) && chosen == offers.lab {
            out.partner_skill[1] += skill;
        }
        out.moves += 1;
    }
    out
}

/// Logit weights per mission level and option.
pub type WeightRows = [[f64; OPTIONS]; MISSION_BINS];

/// The month's weight table, kept by the hiring system between months and runs so it is
/// filled in place (18 KB neither zeroed nor copied each month).
pub struct WeightTable(Box<WeightRows>, Vec<u32>);

impl Default for WeightTable {
    fn default() -> Self {
        WeightTable(Box::new([[0.0; OPTIONS]; MISSION_BINS]), Vec::new())
    }
}

/// exp(U) of each option at each mission level, shifted so the largest possible weight is 1.
/// Along the mission axis the weight changes by a constant factor per level on each side of
/// the option's own mission, so each option costs three `exp`s instead of one per level.
#[cfg(test)]
fn weight_table(base: &[f64; OPTIONS], mission: &[f64; OPTIONS], options: usize, w: f64) -> WeightRows {
    let mut table = [[0.0f64; OPTIONS]; MISSION_BINS];
    fill_weight_table(base, mission, options, w, &mut table);
    table
}

/// Fills the columns `0..options` of `table` (the others are never read).
fn fill_weight_table(base: &[f64; OPTIONS], mission: &[f64; OPTIONS], options: usize, w: f64, table: &mut WeightRows) {
    let levels = (MISSION_BINS - 1) as f64;
    let shift = base[..options].iter().copied().fold(f64::NEG_INFINITY, f64::max) + w;
    let step = (-w / levels).exp();
    for o in 0..options {
        let mo = mission[o].clamp(0.0, 1.0);
        let top = (base[o] + w - shift).exp(); // weight where preference = mission exactly
        let b0 = ((mo * levels).ceil() as usize).min(MISSION_BINS - 1);
        let mut g = top * (-w * (b0 as f64 / levels - mo).abs()).exp();
        for row in table.iter_mut().skip(b0) {
            row[o] = g;
            g *= step;
        }
        if b0 > 0 {
            let mut g = top * (-w * (mo - (b0 - 1) as f64 / levels)).exp();
            for row in table[..b0].iter_mut().rev() {
                row[o] = g;
                g *= step;
            }
        }
    }
}

/// Splits the founder seats over the chunks in proportion to their size: chunk c gets the
/// range `out[c]` of the seat list.
fn chunk_seats(seats: usize, chunks: usize, pool: usize) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::with_capacity(chunks);
    let mut start = 0;
    let mut covered = 0usize;
    for c in 0..chunks {
        covered += CHUNK.min(pool - c * CHUNK);
        let end = (seats as u128 * covered as u128 / pool.max(1) as u128) as usize;
        out.push(start..end);
        start = end;
    }
    out
}

/// Splits every firm's monthly slots over the chunks in proportion to their size
/// (remainders to the first chunks), so chunks never compete for a slot.
fn chunk_slots(total: &[i64; OPTIONS], options: usize, chunks: usize, pool: usize) -> Vec<[i64; OPTIONS]> {
    let mut out = vec![[0i64; OPTIONS]; chunks];
    for o in 0..options {
        let t = total[o];
        if t >= i64::MAX / 2 {
            for c in out.iter_mut() {
                c[o] = i64::MAX / 2;
            }
            continue;
        }
        let mut given = 0i64;
        for (c, slots) in out.iter_mut().enumerate() {
            let len = CHUNK.min(pool - c * CHUNK) as i64;
            slots[o] = (t as i128 * len as i128 / pool as i128) as i64;
            given += slots[o];
        }
        let mut rest = t - given;
        for slots in out.iter_mut() {
            if rest <= 0 {
                break;
            }
            slots[o] += 1;
            rest -= 1;
        }
    }
    out
}

/// Talent amenities (η) per choice option: what draws researchers to an employer beyond pay,
/// prestige and mission fit (colleagues, compute per researcher, location). Fixed at the
/// start so that the hiring model's steady state reproduces the starting employment shares
/// (`companies[].talent_share`, the rest at startups); see [`steady_state_amenities`].
#[derive(Resource, Debug, Clone)]
pub struct Amenities(pub [f64; OPTIONS]);

/// Utility of an option before mission fit: pay, prestige (model capability, on a log scale
/// so only ratios between employers matter) and amenity.
pub fn base_utility(t: &TalentParams, pay: f64, capability: f64, amenity: f64) -> f64 {
    t.pay_weight * pay.max(1e-9).ln() + t.prestige_weight * capability.max(1e-6).ln() + amenity
}

/// The capability a startup job offers: the startup fringe's models, built on the best open
/// model (`open_capability`).
pub fn sector_quality(p: &crate::scenario::Scenario, open_capability: f64) -> f64 {
    open_capability * super::products::fringe_base_quality(p)
}

/// Appends each live startup's openings this month to `jobs` (its slot once per opening, in
/// slot order): the firms' rule (`openings_share` of its staff, at least one) within what its
/// cash commits beyond the reserve at which it raises (a year of burn per hire). A startup
/// whose founder seats are still open hires through them only (its seed pays them).
pub fn startup_openings<'a>(
    p: &crate::scenario::Scenario,
    alive: &[(u32, Entity)],
    seats: &[(u32, u32)],
    startup: impl Fn(Entity) -> Option<&'a Startup>,
    jobs: &mut Vec<u32>,
) {
    let (t, sp) = (&p.talent, &p.startups);
    let per_hire = 12.0 * sp.burn_per_researcher;
    for &(slot, e) in alive {
        let Some(st) = startup(e) else { continue };
        if seats.binary_search_by_key(&slot, |&(s, _)| s).is_ok() {
            continue;
        }
        let openings = openings(t, st.staff);
        let reserve = sp.raise_below_months * sp.burn_per_researcher * f64::from(st.staff);
        let n = if per_hire > 0.0 {
            openings.min(((st.cash - reserve).max(0.0) / per_hire).floor())
        } else {
            openings
        };
        jobs.extend(std::iter::repeat_n(slot, n as usize));
    }
}

/// Openings a month of an employer with `staff` researchers: ⌈openings_share·staff⌉, at
/// least one (the same rule for firms and startups).
fn openings(t: &TalentParams, staff: u32) -> f64 {
    (t.openings_share * f64::from(staff)).ceil().max(1.0)
}

/// A firm's hires this month: its openings, ⌈openings_share·headcount⌉ (at least one: the
/// pace at which a team can recruit and absorb people), within what its cash commits,
/// ⌊hiring_budget_share·capital / (12·cost_per_researcher·pay)⌋ (a year of pay per hire).
/// Openings bind when many researchers want the same firm in a month (a rival's crisis, a
/// capability jump); the cash limit binds for a firm short of cash.
pub fn hiring_slots(t: &TalentParams, pay: f64, capital: f64, headcount: u32) -> i64 {
    let openings = openings(t, headcount);
    let per_hire = 12.0 * t.cost_per_researcher * pay;
    let cash = if per_hire > 0.0 {
        t.hiring_budget_share * capital.max(0.0) / per_hire
    } else {
        f64::INFINITY
    };
    openings.min(cash).floor().min(1e15) as i64
}

/// Mass of each mission level when preferences are uniform on 0..=1 (the end levels
/// collect half a step each).
fn bin_mass(b: usize) -> f64 {
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
fn stationary_row(row: &[f64; OPTIONS], options: usize, stay: f64, exit: &SectorExit, out: &mut [f64; OPTIONS]) {
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

#[allow(clippy::too_many_arguments)]
pub fn hiring(
    params: Res<Params>,
    clock: Res<Clock>,
    roster: Res<Roster>,
    seed: Res<RunSeed>,
    mut signals: ResMut<Signals>,
    mut log: ResMut<EventLog>,
    mut startups: ResMut<StartupIndex>,
    mut weights: Local<WeightTable>,
    amenities: Res<Amenities>,
    mut companies: Query<&mut Company>,
    mut researchers: Query<&mut Researcher>,
    staffs: Query<&Startup>,
) {
    let p = &params.0;
    let t = &p.talent;
    let tick = clock.tick;
    let nf = roster.firms();
    let sector = nf;
    let has_startups = !startups.alive.is_empty();
    let options = if has_startups { nf + 1 } else { nf };

    // Per-month option utilities (without the mission term) and slots.
    let mut base = [0.0f64; OPTIONS];
    let mut mission = [0.0f64; OPTIONS];
    let mut slots = [0i64; OPTIONS];
    let mut lab_cap = 1.0;
    for c in companies.iter() {
        let i = c.idx as usize;
        base[i] = base_utility(t, c.pay, c.capability, amenities.0[i]);
        mission[i] = c.mission;
        slots[i] = hiring_slots(t, c.pay, c.capital, c.headcount);
        if i == roster.lab as usize {
            lab_cap = c.capability;
        }
    }
    let open_cap = super::products::open_capability(companies.iter().map(|c| (c.role, c.capability)), lab_cap);
    base[sector] = base_utility(t, t.startup_pay, sector_quality(p, open_cap), amenities.0[sector]);
    mission[sector] = t.startup_mission;
    // Startup jobs are listed below; the sector's budget is their number.

    // An open offer to the lab's staff: the investor takes every one of them who accepts.
    let investor = roster.investor as usize;
    let absorption = match signals.absorption_severity {
        Some(severity) => {
            let pp = &p.partnership;
            (t.pay_weight * (1.0 + pp.absorption_pay_premium).ln() + pp.crisis_exodus * severity).exp()
        }
        None => 0.0,
    };
    fill_weight_table(&base, &mission, options, t.mission_weight, &mut weights.0);
    let WeightTable(table, seat_list) = &mut *weights;
    let table = &**table;

    let crisis_extra = if signals.crises > 0 {
        (t.crisis_search_boost - 1.0).max(0.0) * t.search_hazard
    } else {
        0.0
    };
    let StartupIndex {
        alive,
        staff_delta,
        fate,
        seats,
        ..
    } = &mut *startups;
    seat_list.clear();
    for &(slot, open) in seats.iter() {
        seat_list.extend(std::iter::repeat_n(slot, open as usize));
    }
    let seat_count = seat_list.len();
    if has_startups {
        startup_openings(p, alive, seats, |e| staffs.get(e).ok(), seat_list);
    }
    slots[sector] = if has_startups { seat_list.len() as i64 } else { 0 };
    let hazard = Geometric::new(t.search_hazard);
    let offers = Offers {
        tick,
        seed: seed.0,
        table,
        stay_factor: t.switching_cost.exp(),
        options,
        sector,
        lab: roster.lab as usize,
        investor,
        absorption,
        hazard,
        search_beyond: hazard.beyond(p.horizon_months.saturating_sub(tick)),
        crisis_extra,
        fate,
        jobs: seat_list,
        seat_count,
    };

    // All researchers live in one table: take it as a slice and cut it into chunks.
    let mut total = ChunkMoves::new();
    let mut filled: Vec<u32> = Vec::new();
    let mut merge = |m: ChunkMoves| {
        for o in 0..OPTIONS {
            total.hc_delta[o] += m.hc_delta[o];
            total.skill_delta[o] += m.skill_delta[o];
            total.into_partners[0][o] += m.into_partners[0][o];
            total.into_partners[1][o] += m.into_partners[1][o];
        }
        staff_delta.extend_from_slice(&m.staff_delta);
        total.moves += m.moves;
        for (d, s) in total.left_original.iter_mut().zip(m.left_original) {
            *d += s;
        }
        total.partner_skill[0] += m.partner_skill[0];
        total.partner_skill[1] += m.partner_skill[1];
    };
    match researchers.contiguous_iter_mut() {
        Ok(tables) => {
            for mut table in tables {
                let slice = table.bypass_change_detection();
                let pool = slice.len();
                let chunks = pool.div_ceil(CHUNK);
                let mut budgets = chunk_slots(&slots, options, chunks, pool);
                let ranges = chunk_seats(offers.jobs.len(), chunks, pool);
                if options > sector {
                    for (b, r) in budgets.iter_mut().zip(&ranges) {
                        b[sector] = r.len() as i64; // a chunk's sector budget is its share of the jobs
                    }
                }
                let results: Vec<ChunkMoves> = if pool >= PARALLEL_FROM {
                    slice
                        .par_chunks_mut(CHUNK)
                        .zip(budgets.par_iter_mut())
                        .enumerate()
                        .map(|(c, (rs, b))| hire_chunk(&offers, c, rs, b, ranges[c].clone()))
                        .collect()
                } else {
                    slice
                        .chunks_mut(CHUNK)
                        .zip(budgets.iter_mut())
                        .enumerate()
                        .map(|(c, (rs, b))| hire_chunk(&offers, c, rs, b, ranges[c].clone()))
                        .collect()
                };
                for (m, range) in results.iter().zip(&ranges) {
                    for &slot in &offers.jobs[range.start..range.start + m.seats_used] {
                        filled.push(slot);
                    }
                }
                results.into_iter().for_each(&mut merge);
            }
        }
        Err(_) => {
            // Not reachable for a plain component query; kept so a future sparse layout
            // still works (sequentially, one chunk).
            let mut rs: Vec<Researcher> = researchers.iter().copied().collect();
            let mut b = slots;
            let m = hire_chunk(&offers, 0, &mut rs, &mut b, 0..offers.jobs.len());
            filled.extend_from_slice(&offers.jobs[..m.seats_used]);
            merge(m);
            for (mut r, new) in researchers.iter_mut().zip(rs) {
                *r = new;
            }
        }
    }

    // Filled seats close (the seat list is in slot order, so is `filled`).
    for slot in filled {
        if let Ok(k) = seats.binary_search_by_key(&slot, |&(s, _)| s) {
            seats[k].1 = seats[k].1.saturating_sub(1);
        }
    }
    seats.retain(|&(_, open)| open > 0);
    for mut c in companies.iter_mut() {
        let i = c.idx as usize;
        if total.hc_delta[i] != 0 {
            c.headcount = (c.headcount as i64 + total.hc_delta[i]).max(0) as u32;
            c.skill_sum = (c.skill_sum + total.skill_delta[i]).max(0.0);
        }
        c.original_staff = c.original_staff.saturating_sub(total.left_original[i]);
    }
    signals.moves += total.moves;
    signals.poached_skill_lab_to_investor += total.partner_skill[0];
    signals.poached_skill_investor_to_lab += total.partner_skill[1];
    narrate(&roster, tick, &total.into_partners, &mut log);
}

/// Events: poaching between the partners, and one line per partner per month summing its hires
/// by source (the full flows are in the metrics). `into[0]` / `into[1]`: moves into the lab
/// / the investor by source option.
fn narrate(roster: &Roster, tick: u32, into: &[[u32; OPTIONS]; 2], log: &mut EventLog) {
    let nf = roster.firms();
    let lab = roster.lab as usize;
    let investor = roster.investor as usize;
    let label = |o: usize| -> &str {
        if o < nf {
            roster.name(o as u8)
        } else if o == nf {
            "startups"
        } else {
            "unattached"
        }
    };
    if into[1][lab] > 0 {
        log.push(
            tick,
            "poach",
            label(investor),
            label(lab),
            format!("{} researchers", into[1][lab]),
        );
    }
    if into[0][investor] > 0 {
        log.push(
            tick,
            "poach",
            label(lab),
            label(investor),
            format!("{} researchers", into[0][investor]),
        );
    }
    for (k, partner) in [lab, investor].into_iter().enumerate() {
        let other = if partner == lab { investor } else { lab };
        let mut detail = String::new();
        let mut total = 0;
        for (from, &n) in into[k].iter().enumerate().take(nf + 2) {
            if n > 0 && from != partner && from != other {
                total += n;
                if !detail.is_empty() {
                    detail.push_str("; ");
                }
                detail.push_str(&format!("{n} from {}", label(from)));
            }
        }
        if total > 0 {
            log.push(
                tick,
                "hires",
                label(partner),
                "",
                format!("{total} researchers: {detail}"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The solve with the sector's flows agrees with the reversible closed form when they
    /// vanish; with exits and extra searches its solution satisfies πG = 0 and moves staff
    /// from the sector to the firms.
    #[test]
    fn stationary_solve_with_sector_exits() {
        let mut row = [0.0f64; OPTIONS];
        row[..4].copy_from_slice(&[0.5, 1.2, 0.3, 0.9]);
        let (n, stay) = (4, 2.5f64.exp());
        let mut to = [0.0f64; OPTIONS];
        to[..3].copy_from_slice(&[0.2, 0.5, 0.3]);
        let mut closed = [0.0f64; OPTIONS];
        stationary_row(&row, n, stay, &SectorExit::NONE, &mut closed);
        let mut tiny = [0.0f64; OPTIONS];
        let vanishing = SectorExit {
            per_search: 1e-12,
            extra_search: 0.0,
            to,
        };
        stationary_row(&row, n, stay, &vanishing, &mut tiny);
        for o in 0..n {
            assert!((closed[o] - tiny[o]).abs() < 1e-9, "{o}: {} vs {}", closed[o], tiny[o]);
        }
        let exit = SectorExit {
            per_search: 0.25,
            extra_search: 0.1,
            to,
        };
        let mut pi = [0.0f64; OPTIONS];
        stationary_row(&row, n, stay, &exit, &mut pi);
        let total: f64 = row[..n].iter().sum();
        let rate = |i: usize, j: usize| rate_from(&row, n, stay, total, &exit, i, j);
        for j in 0..n {
            // Flow into j minus flow out of j.
            let flow: f64 = (0..n)
                .filter(|&i| i != j)
                .map(|i| pi[i] * rate(i, j) - pi[j] * rate(j, i))
                .sum();
            assert!(flow.abs() < 1e-12, "balance of {j}: {flow}");
        }
        assert!((pi[..n].iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(pi[n - 1] < closed[n - 1], "exits shrink the sector");
        for f in 0..n - 1 {
            assert!(pi[f] > closed[f], "firm {f} gains");
        }
    }

    /// Rate of moving i → j per search in the chain with exits (for the balance check).
    fn rate_from(row: &[f64; OPTIONS], n: usize, stay: f64, total: f64, exit: &SectorExit, i: usize, j: usize) -> f64 {
        let t_i = total + (stay - 1.0) * row[i];
        if i == n - 1 {
            row[j] / t_i * (1.0 + exit.extra_search) + exit.per_search * exit.to[j]
        } else {
            row[j] / t_i
        }
    }

    #[test]
    fn chunk_slots_split_exactly() {
        let mut total = [0i64; OPTIONS];
        total[0] = 1000;
        total[1] = 7;
        total[2] = i64::MAX / 2;
        let pool = 3 * CHUNK + 100;
        let split = chunk_slots(&total, 3, 4, pool);
        assert_eq!(split.iter().map(|c| c[0]).sum::<i64>(), 1000);
        assert_eq!(split.iter().map(|c| c[1]).sum::<i64>(), 7);
        assert!(split.iter().all(|c| c[2] == i64::MAX / 2));
        // The short last chunk gets proportionally fewer.
        assert!(split[3][0] < split[0][0]);
    }

    #[test]
    fn weight_table_matches_direct_exponentials() {
        let mut base = [0.0; OPTIONS];
        let mut mission = [0.0; OPTIONS];
        base[..3].copy_from_slice(&[0.3, -0.2, 0.1]);
        mission[..3].copy_from_slice(&[0.7, 0.3, 0.0]);
        let w = 1.5;
        let table = weight_table(&base, &mission, 3, w);
        let shift = 0.3 + w;
        for (b, row) in table.iter().enumerate() {
            let m = b as f64 / (MISSION_BINS - 1) as f64;
            for o in 0..3 {
                let direct = (base[o] + w * (1.0 - (m - mission[o]).abs()) - shift).exp();
                assert!(
                    (row[o] - direct).abs() < 1e-12 * direct.max(1.0),
                    "bin {b} option {o}: {} vs {direct}",
                    row[o]
                );
            }
        }
    }

    #[test]
    fn mission_bins_cover_the_range() {
        assert_eq!(mission_bin(0.0), 0);
        assert_eq!(mission_bin(1.0), MISSION_BINS - 1);
        assert_eq!(mission_bin(0.5), 32);
    }
}
