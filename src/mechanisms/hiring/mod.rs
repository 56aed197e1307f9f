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

mod chunk;
mod steady_state;
mod weights;

use bevy_ecs::prelude::*;
use rayon::prelude::*;

use crate::scenario::TalentParams;
use crate::world::components::{Company, MAX_FIRMS, Researcher, Startup};
use crate::world::random::Geometric;
use crate::world::resources::{Clock, EventLog, Params, Roster, RunSeed, StartupIndex};
use crate::world::signals::Signals;
use chunk::{ChunkMoves, Offers, chunk_seats, chunk_slots, hire_chunk};
pub use steady_state::{SectorExit, steady_state_amenities, steady_state_cumulative};
use weights::fill_weight_table;
pub use weights::{WeightRows, WeightTable, mission_bin};

/// Choice options: firms, then the startup sector; flows also track "unattached".
pub const OPTIONS: usize = MAX_FIRMS + 2;
/// Researchers per chunk: the unit of parallel work and of RNG streams.
pub const CHUNK: usize = 8192;
/// Pools at least this large are processed in parallel.
pub const PARALLEL_FROM: usize = 4 * CHUNK;
/// Mission preferences are tabulated on this many levels (0, 1/63, …, 1).
pub const MISSION_BINS: usize = 64;

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

/// One month of hiring, as its steps: the options' utilities and slots, the weight
/// table, the startup jobs, the chunks' searches, then the moves applied to the firms.
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
    let sector = roster.firms();
    let has_startups = !startups.alive.is_empty();
    let options = if has_startups { sector + 1 } else { sector };
    let (base, mission, mut slots) = option_utilities(p, &roster, &amenities, &companies);
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
    // Startup jobs: the founder seats of new startups, then the live startups' openings;
    // the sector's budget is their number.
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
        investor: roster.investor as usize,
        absorption: absorption_factor(p, &signals),
        hazard,
        search_beyond: hazard.beyond(p.horizon_months.saturating_sub(tick)),
        crisis_extra,
        fate,
        jobs: seat_list,
        seat_count,
    };
    let (total, filled) = search_in_chunks(&offers, &mut researchers, &slots, staff_delta);

    // Filled seats close (the seat list is in slot order, so is `filled`).
    for slot in filled {
        if let Ok(k) = seats.binary_search_by_key(&slot, |&(s, _)| s) {
            seats[k].1 = seats[k].1.saturating_sub(1);
        }
    }
    seats.retain(|&(_, open)| open > 0);
    for mut c in companies.iter_mut() {
        let i = c.idx as usize;
        let before = c.headcount;
        if total.hc_delta[i] != 0 {
            c.headcount = (c.headcount as i64 + total.hc_delta[i]).max(0) as u32;
            c.skill_sum = (c.skill_sum + total.skill_delta[i]).max(0.0);
        }
        c.original_staff = c.original_staff.saturating_sub(total.left_original[i]);
        let reference = p.companies.get(i).map_or(c.pay, |cp| cp.pay);
        c.pay = pay_after(t, c.pay, reference, c.capital, c.headcount, before, total.hc_delta[i]);
    }
    signals.moves += total.moves;
    signals.poached_skill_lab_to_investor += total.partner_skill[0];
    signals.poached_skill_investor_to_lab += total.partner_skill[1];
    narrate(&roster, tick, &total.into_partners, &mut log);
}

/// Per-month option utilities (without the mission term), missions and hiring slots of the
/// firms and the startup sector (whose slots are its jobs, set by the caller).
fn option_utilities(
    p: &crate::scenario::Scenario,
    roster: &Roster,
    amenities: &Amenities,
    companies: &Query<&mut Company>,
) -> ([f64; OPTIONS], [f64; OPTIONS], [i64; OPTIONS]) {
    let t = &p.talent;
    let sector = roster.firms();
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
    (base, mission, slots)
}

/// An open offer to the lab's staff (the investor takes every one of them who accepts):
/// the factor on the investor's weight, from the pay premium and the crisis' exodus; 0
/// without an offer.
fn absorption_factor(p: &crate::scenario::Scenario, signals: &Signals) -> f64 {
    match signals.absorption_severity {
        Some(severity) => {
            let pp = &p.partnership;
            (p.talent.pay_weight * (1.0 + pp.absorption_pay_premium).ln() + pp.crisis_exodus * severity).exp()
        }
        None => 0.0,
    }
}

/// A firm's pay offer after the month's hiring, from how its openings filled:
/// - a firm that lost researchers, net of its hires (it could not fill the places they
///   left), raises its offer by `pay_response` × the share it could not fill (its net loss,
///   at most its openings: a raise of at most `pay_response`·`openings_share` a month;
///   a crisis exodus is not answered by pay alone); the raise (a year of
///   the higher pay for its whole staff) must fit within its hiring budget,
///   `hiring_budget_share` of its cash;
/// - a firm that filled them (it hired at least as many as left) lets its offer drift down
///   by `pay_drift` a month towards its standing offer (`reference`: the scenario's pay,
///   relative to the market), never below it;
/// - a firm whose cash budget binds (it cannot fund its openings) drifts down the same way
///   towards the market's pay (1), or its standing offer if that is lower.
pub fn pay_after(
    t: &TalentParams,
    pay: f64,
    reference: f64,
    capital: f64,
    headcount: u32,
    before: u32,
    net: i64,
) -> f64 {
    let budget = t.hiring_budget_share * capital.max(0.0);
    // Short of cash: the budget funds fewer hires than the openings (`hiring_slots`' rule).
    let cash_short = (hiring_slots(t, pay, capital, headcount) as f64) < openings(t, headcount);
    if net < 0 && before > 0 && !cash_short {
        // The places it could not fill: its net loss, at most its openings (it cannot hire
        // more a month).
        let unfilled = ((-net) as f64).min(openings(t, before));
        let raise = t.pay_response * unfilled / f64::from(before);
        let cost = 12.0 * f64::from(headcount) * t.cost_per_researcher * pay * raise;
        let raise = if cost > budget { raise * budget / cost } else { raise };
        return pay * (1.0 + raise);
    }
    if net < 0 && !cash_short {
        return pay;
    }
    let floor = if cash_short { reference.min(1.0) } else { reference };
    if pay > floor {
        (pay * (1.0 - t.pay_drift)).max(floor)
    } else {
        pay
    }
}

/// All researchers live in one table: take it as a slice, cut it into chunks (in parallel
/// for a large pool) and merge their moves in chunk order. Returns the merged moves and the
/// founder seats filled, in slot order.
fn search_in_chunks(
    offers: &Offers,
    researchers: &mut Query<&mut Researcher>,
    slots: &[i64; OPTIONS],
    staff_delta: &mut Vec<(u32, i32)>,
) -> (ChunkMoves, Vec<u32>) {
    let (options, sector) = (offers.options, offers.sector);
    let mut total = ChunkMoves::new();
    let mut filled: Vec<u32> = Vec::new();
    match researchers.contiguous_iter_mut() {
        Ok(tables) => {
            for mut table in tables {
                let slice = table.bypass_change_detection();
                let pool = slice.len();
                let chunks = pool.div_ceil(CHUNK);
                let mut budgets = chunk_slots(slots, options, chunks, pool);
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
                        .map(|(c, (rs, b))| hire_chunk(offers, c, rs, b, ranges[c].clone()))
                        .collect()
                } else {
                    slice
                        .chunks_mut(CHUNK)
                        .zip(budgets.iter_mut())
                        .enumerate()
                        .map(|(c, (rs, b))| hire_chunk(offers, c, rs, b, ranges[c].clone()))
                        .collect()
                };
                for (m, range) in results.iter().zip(&ranges) {
                    for &slot in &offers.jobs[range.start..range.start + m.seats_used] {
                        filled.push(slot);
                    }
                }
                for m in results {
                    total.merge(m, staff_delta);
                }
            }
        }
        Err(_) => {
            // Not reachable for a plain component query; kept so a future sparse layout
            // still works (sequentially, one chunk).
            let mut rs: Vec<Researcher> = researchers.iter().copied().collect();
            let mut b = *slots;
            let m = hire_chunk(offers, 0, &mut rs, &mut b, 0..offers.jobs.len());
            filled.extend_from_slice(&offers.jobs[..m.seats_used]);
            total.merge(m, staff_delta);
            for (mut r, new) in researchers.iter_mut().zip(rs) {
                *r = new;
            }
        }
    }
    (total, filled)
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
    use super::chunk::*;
    use super::steady_state::*;
    use super::weights::*;
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

    /// Pay responds both ways: up when a firm cannot fill the places it lost (at most its
    /// openings), down towards its standing offer when it fills them, to the market's pay
    /// when its cash budget binds, never below those floors.
    #[test]
    fn pay_rises_on_unfilled_places_and_drifts_back() {
        let t = TalentParams::default();
        let up = pay_after(&t, 1.3, 1.3, 10.0, 190, 200, -10);
        let cap = 1.3 * (1.0 + t.pay_response * openings(&t, 200) / 200.0);
        assert!(up > 1.3 && up <= cap + 1e-12, "{up}");
        let exodus = pay_after(&t, 1.3, 1.3, 10.0, 100, 200, -100);
        assert!(
            (exodus - cap).abs() < 1e-12,
            "the raise stops at the openings: {exodus}"
        );
        let down = pay_after(&t, 1.5, 1.3, 10.0, 200, 200, 3);
        assert!((down - 1.5 * (1.0 - t.pay_drift)).abs() < 1e-12);
        assert_eq!(pay_after(&t, 1.301, 1.3, 10.0, 200, 200, 0), 1.3);
        assert_eq!(pay_after(&t, 1.3, 1.3, 10.0, 200, 200, 0), 1.3);
        // Short of cash: no raise, and the offer drifts towards the market's pay.
        let short = pay_after(&t, 1.3, 1.3, -1.0, 190, 200, -10);
        assert!((short - 1.3 * (1.0 - t.pay_drift)).abs() < 1e-12);
        assert_eq!(pay_after(&t, 1.001, 1.3, -1.0, 200, 200, 0), 1.0);
    }

    #[test]
    fn mission_bins_cover_the_range() {
        assert_eq!(mission_bin(0.0), 0);
        assert_eq!(mission_bin(1.0), MISSION_BINS - 1);
        assert_eq!(mission_bin(0.5), 32);
    }
}
