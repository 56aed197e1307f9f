//! The hiring kernel: one chunk of researchers searches, chooses and moves, on its own RNG
//! stream and share of every option's slots; the chunks' split of slots and startup jobs.

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

use super::weights::{WeightRows, mission_bin};
use super::{CHUNK, MISSION_BINS, OPTIONS};
use crate::world::components::{Researcher, STARTUP_BASE, UNATTACHED};
use crate::world::random::{Geometric, chance, uniform};
use crate::world::resources::{FATE_ALIVE, FATE_FAILED};

/// Everything a chunk needs to know about this month's offers (read-only, shared).
pub(super) struct Offers<'a> {
    pub(super) tick: u32,
    pub(super) seed: u64,
    /// Logit weight exp(U − max) of each option for each mission level, without the stay bonus.
    pub(super) table: &'a WeightRows,
    /// exp(switching_cost): the current employer's weight is multiplied by it.
    pub(super) stay_factor: f64,
    pub(super) options: usize,
    pub(super) sector: usize,
    pub(super) lab: usize,
    pub(super) investor: usize,
    /// While the investor's offer to hire the lab's staff is open: the factor on the
    /// investor's weight for the lab's researchers (the team moves with its know-how, so
    /// the investor is as attractive as the lab, plus the pay premium and the crisis'
    /// exodus); every lab researcher considers it. 0 when no offer is open.
    pub(super) absorption: f64,
    pub(super) hazard: Geometric,
    /// [`Geometric::beyond`] the months left in the run: later search months never matter.
    pub(super) search_beyond: f64,
    pub(super) crisis_extra: f64,
    pub(super) fate: &'a [u32],
    /// Startup jobs this month, one slot number per job: the founder seats of new startups
    /// first (`seat_count` of them, in slot order), then each live startup's openings. Each
    /// chunk gets its own share of the list (see [`chunk_seats`]); its sector budget is the
    /// share's length.
    pub(super) jobs: &'a [u32],
    pub(super) seat_count: usize,
}

/// What one chunk did; merged in chunk order.
pub(super) struct ChunkMoves {
    pub(super) hc_delta: [i64; OPTIONS],
    pub(super) skill_delta: [f64; OPTIONS],
    /// Moves into the lab (`[0]`) and into the investor (`[1]`) by the option they came
    /// from (the only flows the events narrate; a full matrix would be 4.6 KB to zero and
    /// copy per chunk and month).
    pub(super) into_partners: [[u32; OPTIONS]; 2],
    /// Skill moved lab → investor and investor → lab.
    pub(super) partner_skill: [f64; 2],
    pub(super) staff_delta: Vec<(u32, i32)>,
    pub(super) moves: u64,
    /// Researchers who left a firm they had worked at since the start (for retention).
    pub(super) left_original: [u32; OPTIONS],
    /// Founder seats of this chunk's share that were filled (a prefix of it).
    pub(super) seats_used: usize,
    /// The openings of this chunk's share not yet taken (copied at the first one taken).
    pub(super) openings: Option<Vec<u32>>,
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

    pub(super) fn new() -> Self {
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

    /// Adds a chunk's moves (chunks are merged in chunk order); its startup staff changes
    /// go to `staff_delta`.
    pub(super) fn merge(&mut self, m: ChunkMoves, staff_delta: &mut Vec<(u32, i32)>) {
        for o in 0..OPTIONS {
            self.hc_delta[o] += m.hc_delta[o];
            self.skill_delta[o] += m.skill_delta[o];
            self.into_partners[0][o] += m.into_partners[0][o];
            self.into_partners[1][o] += m.into_partners[1][o];
        }
        staff_delta.extend_from_slice(&m.staff_delta);
        self.moves += m.moves;
        for (d, s) in self.left_original.iter_mut().zip(m.left_original) {
            *d += s;
        }
        self.partner_skill[0] += m.partner_skill[0];
        self.partner_skill[1] += m.partner_skill[1];
    }
}

/// Per mission level, the sum of the weights of the options with slots left in this chunk.
fn open_totals(table: &[[f64; OPTIONS]; MISSION_BINS], slots: &[i64; OPTIONS], n: usize) -> [f64; MISSION_BINS] {
    let mut totals = [0.0; MISSION_BINS];
    for (t, row) in totals.iter_mut().zip(table) {
        *t = (0..n).filter(|&o| slots[o] > 0).map(|o| row[o]).sum();
    }
    totals
}

/// Processes one chunk of researchers with its own RNG stream and slot budget: each
/// researcher due to search (or forced to) picks among the open options by the logit, then
/// leaves the old employer and joins the new one.
pub(super) fn hire_chunk(
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
        let Some(standing) = standing(offers, r, slots, &mut out) else {
            continue;
        };
        let current = standing.current;
        let offered = offers.absorption > 0.0 && current == Some(offers.lab);
        let searching = standing.forced
            || offered
            || u32::from(r.next_search) <= offers.tick
            || (offers.crisis_extra > 0.0 && current == Some(offers.lab) && chance(rng, offers.crisis_extra));
        if !searching {
            continue;
        }
        let months = offers.hazard.months_within(rng, offers.search_beyond);
        r.next_search = (offers.tick + months).min(u16::MAX as u32) as u16;
        let bin = mission_bin(r.mission_pref);
        let Some(chosen) = choose(offers, &offers.table[bin], totals[bin], standing, offered, slots, rng) else {
            continue;
        };
        let job = Job {
            emp,
            standing,
            offered,
            chosen,
        };
        move_researcher(offers, r, job, slots, &mut totals, &mut out, (jobs, seats), rng);
    }
    out
}

/// A researcher's employer before a search: the option it is at (`None`: between jobs),
/// whether it must search, and whether it was displaced (the staff of a failed startup
/// search at once and keep the startup sector's stay bonus — the taste for equity pay, the
/// network and the switching costs that kept them in startups do not fail with the firm —
/// while the sector has openings; joining another startup takes one of them).
#[derive(Clone, Copy)]
struct Standing {
    current: Option<usize>,
    forced: bool,
    displaced: bool,
}

/// A researcher's [`Standing`], or `None` when it has moved already: the staff of an
/// acquired startup join the acquirer without a search.
#[inline]
fn standing(offers: &Offers, r: &mut Researcher, slots: &[i64; OPTIONS], out: &mut ChunkMoves) -> Option<Standing> {
    let emp = r.employer;
    let at = |current, forced, displaced| {
        Some(Standing {
            current,
            forced,
            displaced,
        })
    };
    if emp == UNATTACHED {
        return at(None, true, false);
    }
    if emp < STARTUP_BASE {
        return at(Some(emp as usize), false, false);
    }
    let slot = (emp - STARTUP_BASE) as usize;
    match offers.fate.get(slot).copied().unwrap_or(FATE_FAILED) {
        FATE_ALIVE => at(Some(offers.sector), false, false),
        FATE_FAILED if offers.options > offers.sector && slots[offers.sector] > 0 => {
            at(Some(offers.sector), true, true)
        }
        FATE_FAILED => at(None, true, false),
        acquirer => {
            let a = acquirer as usize;
            r.employer = acquirer;
            r.since = offers.tick as u16;
            out.hc_delta[a] += 1;
            out.skill_delta[a] += f64::from(r.skill);
            out.count_move(offers, offers.sector, a);
            None
        }
    }
}

/// The logit over the open options (the current employer is always open): the open total
/// of the mission level (`open_total`), corrected for the stay bonus and an open offer to
/// the lab's staff, then one scan. `None`: the researcher stays.
#[inline]
fn choose(
    offers: &Offers,
    row: &[f64; OPTIONS],
    open_total: f64,
    standing: Standing,
    offered: bool,
    slots: &[i64; OPTIONS],
    rng: &mut ChaCha8Rng,
) -> Option<usize> {
    let current = standing.current;
    let n = offers.options;
    let mut total = open_total;
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
        return None; // nowhere to go and nothing to keep: stays unattached
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
    match chosen.or_else(|| (0..n).rev().find(|&o| weight(o) > 0.0)) {
        Some(o) if Some(o) != current || standing.displaced => Some(o),
        _ => None,
    }
}

/// A decided move: the researcher's employer code, standing and choice.
#[derive(Clone, Copy)]
struct Job {
    emp: u32,
    standing: Standing,
    offered: bool,
    chosen: usize,
}

/// Leaves the old employer and joins the new one, using up a slot (a startup job from the
/// chunk's share `jobs`, `.1` of them founder seats) unless hired under the investor's
/// offer, and counts the move.
#[allow(clippy::too_many_arguments)]
#[inline]
fn move_researcher(
    offers: &Offers,
    r: &mut Researcher,
    job: Job,
    slots: &mut [i64; OPTIONS],
    totals: &mut [f64; MISSION_BINS],
    out: &mut ChunkMoves,
    (jobs, seats): (&[u32], usize),
    rng: &mut ChaCha8Rng,
) {
    let Job {
        emp,
        standing,
        offered,
        chosen,
    } = job;
    let current = standing.current;
    let n = offers.options;
    let skill = f64::from(r.skill);
    match current {
        Some(_) if standing.displaced => {} // the failed startup's books are closed
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
            *totals = open_totals(offers.table, slots, n); // the sector's openings are filled
        }
    } else if offered && chosen == offers.investor {
        // Hired under the offer: outside the investor's ordinary budget.
        r.employer = chosen as u32;
        out.hc_delta[chosen] += 1;
        out.skill_delta[chosen] += skill;
    } else {
        slots[chosen] -= 1;
        if slots[chosen] == 0 {
            *totals = open_totals(offers.table, slots, n); // a firm just filled up
        }
        r.employer = chosen as u32;
        out.hc_delta[chosen] += 1;
        out.skill_delta[chosen] += skill;
    }
    let unattached = offers.sector + 1;
    out.count_move(offers, current.unwrap_or(unattached), chosen);
    if current == Some(offers.lab) && chosen == offers.investor {
        out.partner_skill[0] += skill;
    } else if current == Some(offers.investor) && chosen == offers.lab {
        out.partner_skill[1] += skill;
    }
    out.moves += 1;
}

/// Splits the founder seats over the chunks in proportion to their size: chunk c gets the
/// range `out[c]` of the seat list.
pub(super) fn chunk_seats(seats: usize, chunks: usize, pool: usize) -> Vec<std::ops::Range<usize>> {
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
pub(super) fn chunk_slots(total: &[i64; OPTIONS], options: usize, chunks: usize, pool: usize) -> Vec<[i64; OPTIONS]> {
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
