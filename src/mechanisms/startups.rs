//! Startups: entry with founders, venture rounds, growth, failure, acquisition and acqui-hire.
//!
//! Entries per month are Poisson with mean entry_rate·(0.5 + open_source.strength)
//! ·exp(−concentration_deterrence·HHI/10,000), HHI the mean of the segments the startup
//! fringe sells in: open models lower the cost of entry, concentrated markets deter it.
//! A new startup is founded with `founders` seats, filled at the next hiring pass by
//! researchers who choose a startup job, and a seed of `initial_cash` paid first out of the
//! month's venture capital (`venture_funding` in month 1, growing `venture_growth` a month,
//! plus `exit_reinvestment` of what big firms paid for startups last month; no seed, no
//! entry); it picks a cloud (the
//! fringe of other clouds included) with probability proportional to
//! capacity·(price/mean price)^−price_elasticity·exp(credit_weight·credits).
//!
//! Each month a startup earns its quality-weighted part of the fringe's revenue in the model
//! segments (consumer assistant, copilot, developer API; the cloud AI fringe is other
//! clouds), and burns `burn_per_researcher` per researcher. A startup whose cash covers
//! fewer than `raise_below_months` of burn seeks a round of `round_months` of burn; the
//! month's venture capital (`venture_funding`) funds the candidates best quality first until
//! it runs out. A startup out of cash fails; `failure_rate` adds failures for other reasons
//! (founders leave, the product fails). Quality improves while staffed by
//! growth_rate·(0.5 + strength) of the distance to a ceiling 1.5 × the fringe's base quality
//! (a startup builds on open models, so its headroom is bounded). With hazard
//! `acquisition_rate` a big firm (chosen in proportion to its capital) buys it for its cash
//! plus two years of its staff's pay; a share `acquihire_share` of purchases are
//! acqui-hires. Either way its staff join the buyer (at their next hiring pass) and the
//! startup is gone; acqui-hires (by any company) are passed to the regulation phase for
//! review. A share `cloud.startup_compute_share` of a startup's burn is compute bought from
//! its cloud at that cloud's price: income for the provider and load on its capacity (next
//! month's cloud phase).

use bevy_ecs::prelude::*;

use crate::world::components::{CLOUD_SLOTS, Company, Startup};
use crate::world::random::{SimRng, Stream};
use crate::world::random::{poisson, uniform};
use crate::world::resources::{Clock, EventLog, FATE_ALIVE, FATE_FAILED, Params, Roster, StartupIndex};
use crate::world::signals::{AcquihireDeal, Signals};

use super::cloud::CloudMarket;
use super::products::fringe_competes;
use crate::scenario::Segment;
use crate::world::components::MAX_FIRMS;

/// The month's money flows of the big firms with the startup sector, by firm (or cloud
/// slot): what they paid for startups, and what their clouds earned from them.
struct FirmFlows {
    /// Each firm's cash (at least 0), the weights of the buyer draw.
    capital: [f64; MAX_FIRMS],
    total_capital: f64,
    paid: [f64; MAX_FIRMS],
    cloud_income: [f64; CLOUD_SLOTS],
}

/// One month of the startup sector, as its decisions in order: staff moves, entry, venture
/// rounds, growth with failure and sale, the clouds' startup income, and the entrants' start.
#[allow(clippy::too_many_arguments)]
pub fn startups(
    params: Res<Params>,
    clock: Res<Clock>,
    roster: Res<Roster>,
    mut rng: ResMut<SimRng>,
    mut signals: ResMut<Signals>,
    mut log: ResMut<EventLog>,
    mut index: ResMut<StartupIndex>,
    mut market: ResMut<CloudMarket>,
    mut commands: Commands,
    mut startups: Query<&mut Startup>,
    mut companies: Query<&mut Company>,
) {
    let rng = rng.get(Stream::Startups);
    let p = &params.0;
    let tick = clock.tick;
    let index = &mut *index;
    apply_staff_moves(index, &mut startups);

    let mut flows = FirmFlows {
        capital: [0.0; MAX_FIRMS],
        total_capital: 0.0,
        paid: [0.0; MAX_FIRMS],
        cloud_income: [0.0; CLOUD_SLOTS],
    };
    for c in companies.iter() {
        flows.capital[c.idx as usize] = c.capital.max(0.0);
    }
    flows.total_capital = flows.capital.iter().sum();
    market.startup_load = [0.0; CLOUD_SLOTS];
    market.startup_spend = [0.0; CLOUD_SLOTS];

    let (entries, pool) = seeded_entries(p, &signals, index, rng, tick);
    let rounds = venture_rounds(p, index, &mut startups, pool);
    let failures = grow_fail_or_sell(
        p,
        &roster,
        &mut signals,
        &mut log,
        index,
        &mut market,
        &mut commands,
        &mut startups,
        &mut flows,
        rng,
        tick,
    );
    let startup_compute: f64 = market.startup_load.iter().sum();
    signals.investor_rival_compute_share = if startup_compute > 0.0 {
        market.startup_load[roster.investor as usize] / startup_compute
    } else {
        0.0
    };
    for mut c in companies.iter_mut() {
        c.capital += flows.cloud_income[c.idx as usize] - flows.paid[c.idx as usize];
    }
    index.exit_proceeds = flows.paid.iter().sum();
    start_entrants(p, &roster, index, &market, &mut commands, entries, rng, tick);

    // Entries and failures are many and alike: one line each per month.
    if entries > 0 {
        log.push(tick, "startup_entry", "startups", "", format!("{entries} entered"));
    }
    if failures > 0 {
        log.push(tick, "startup_exit", "startups", "", format!("{failures} failed"));
    }
    if rounds > 0 {
        log.push(tick, "venture_rounds", "startups", "", format!("{rounds} raised"));
    }
}

/// Staff moves decided by hiring: net them per slot, then one pass along the alive list
/// (both sorted by slot), so a big pool's thousands of moves cost one lookup per startup.
fn apply_staff_moves(index: &mut StartupIndex, startups: &mut Query<&mut Startup>) {
    index.staff_delta.sort_unstable_by_key(|&(slot, _)| slot);
    let mut at = 0;
    let deltas = std::mem::take(&mut index.staff_delta);
    let mut i = 0;
    while i < deltas.len() {
        let slot = deltas[i].0;
        let mut net = 0i64;
        while i < deltas.len() && deltas[i].0 == slot {
            net += i64::from(deltas[i].1);
            i += 1;
        }
        while at < index.alive.len() && index.alive[at].0 < slot {
            at += 1;
        }
        if net != 0
            && at < index.alive.len()
            && index.alive[at].0 == slot
            && let Ok(mut st) = startups.get_mut(index.alive[at].1)
        {
            st.staff = (i64::from(st.staff) + net).max(0) as u32;
        }
    }
    index.staff_delta = deltas;
    index.staff_delta.clear();
}

/// Entry: this month's founders are seeded first from the month's venture capital (the
/// venture total includes seed rounds); they start at the end of the phase. Returns the
/// entries and the venture capital left for rounds.
fn seeded_entries(
    p: &crate::scenario::Scenario,
    signals: &Signals,
    index: &StartupIndex,
    rng: &mut rand::rngs::ChaCha8Rng,
    tick: u32,
) -> (usize, f64) {
    let sp = &p.startups;
    let (mut hhi_sum, mut n) = (0.0, 0.0);
    for s in Segment::ALL {
        if fringe_competes(s) {
            hhi_sum += signals.hhi[s.index()];
            n += 1.0;
        }
    }
    let hhi = if n > 0.0 { hhi_sum / n } else { 0.0 };
    let mean = sp.entry_rate * (0.5 + p.open_source.strength) * (-sp.concentration_deterrence * hhi / 10_000.0).exp();
    let room = (sp.max_startups as usize).saturating_sub(index.alive.len());
    let mut entries = (poisson(rng, mean) as usize).min(room);
    // Venture capital follows the sector's growth and reinvests last month's exits.
    let mut pool = sp.venture_funding * (1.0 + sp.venture_growth).powi(tick.saturating_sub(1) as i32)
        + sp.exit_reinvestment * index.exit_proceeds;
    if sp.initial_cash > 0.0 {
        entries = entries.min((pool / sp.initial_cash).floor() as usize);
        pool -= entries as f64 * sp.initial_cash;
    }
    (entries, pool)
}

/// Venture rounds: the candidates (short of runway), best quality first, while the month's
/// capital lasts. Returns the rounds raised.
fn venture_rounds(
    p: &crate::scenario::Scenario,
    index: &StartupIndex,
    startups: &mut Query<&mut Startup>,
    mut pool: f64,
) -> u32 {
    let sp = &p.startups;
    let mut candidates: Vec<(f64, u32, Entity)> = index
        .alive
        .iter()
        .filter_map(|&(slot, e)| {
            let st = startups.get(e).ok()?;
            let burn = sp.burn_per_researcher * f64::from(st.staff);
            (burn > 0.0 && st.cash < sp.raise_below_months * burn).then_some((st.quality, slot, e))
        })
        .collect();
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut rounds = 0u32;
    for &(_, _, e) in &candidates {
        let Ok(mut st) = startups.get_mut(e) else { continue };
        let round = sp.round_months * sp.burn_per_researcher * f64::from(st.staff);
        if round > pool {
            continue; // too big for what is left; smaller rounds may still fit
        }
        pool -= round;
        st.cash += round;
        rounds += 1;
    }
    rounds
}

/// Each startup, in slot order, earns its share of the fringe's revenue, burns cash (part
/// of it compute bought from its cloud), improves while staffed, and may fail or be bought.
/// Returns the failures.
#[allow(clippy::too_many_arguments)]
fn grow_fail_or_sell(
    p: &crate::scenario::Scenario,
    roster: &Roster,
    signals: &mut Signals,
    log: &mut EventLog,
    index: &mut StartupIndex,
    market: &mut CloudMarket,
    commands: &mut Commands,
    startups: &mut Query<&mut Startup>,
    flows: &mut FirmFlows,
    rng: &mut rand::rngs::ChaCha8Rng,
    tick: u32,
) -> u32 {
    let sp = &p.startups;
    let os = p.open_source.strength;
    let total_quality: f64 = index
        .alive
        .iter()
        .filter_map(|&(_, e)| startups.get(e).ok())
        .map(|s| s.quality)
        .sum();
    let ceiling = 1.5 * super::products::fringe_base_quality(p);
    let mut gone = 0usize;
    let mut failures = 0u32;
    for i in 0..index.alive.len() {
        let (slot, e) = index.alive[i];
        let Ok(mut st) = startups.get_mut(e) else { continue };
        // Four draws per startup every month, used or not, so that a change elsewhere
        // (a failure, a sale) never shifts the stream of the startups after it.
        let u = [uniform(rng), uniform(rng), uniform(rng), uniform(rng)];
        let income = if total_quality > 0.0 {
            signals.fringe_revenue * st.quality / total_quality
        } else {
            0.0
        };
        let burn = sp.burn_per_researcher * st.staff as f64;
        st.cash += income - burn;
        let compute = p.cloud.startup_compute_share * burn;
        let h = st.cloud as usize;
        // The cloud keeps the fee net of the capacity cost of the compute it serves.
        flows.cloud_income[h] += compute * (1.0 - CloudMarket::capacity_cost(&p.cloud) / market.price[h]);
        market.startup_spend[h] += compute;
        market.startup_load[h] += compute / market.price[h];
        if st.staff > 0 {
            st.quality += sp.growth_rate * (0.5 + os) * (ceiling - st.quality).max(0.0);
        }
        let failed = st.cash < 0.0 || u[0] < sp.failure_rate;
        let bought = !failed && flows.total_capital > 0.0 && u[1] < sp.acquisition_rate;
        if !(failed || bought) {
            continue;
        }
        if failed {
            index.fate[slot as usize] = FATE_FAILED;
            failures += 1;
        } else {
            sell(p, roster, signals, log, index, flows, &st, slot, [u[2], u[3]], tick);
        }
        commands.entity(e).despawn();
        index.alive[i].0 = u32::MAX; // tombstone, removed below
        gone += 1;
    }
    if gone > 0 {
        index.alive.retain(|&(s, _)| s != u32::MAX);
        let fate = &index.fate;
        index.seats.retain(|&(slot, _)| fate[slot as usize] == FATE_ALIVE);
    }
    failures
}

/// A sale: a big firm, drawn in proportion to its cash, buys the startup for its cash plus
/// two years of its staff's pay; a share `acquihire_share` of sales are acqui-hires, passed
/// to regulation for review. The staff join the buyer at their next hiring pass. `u`: the
/// startup's two uniforms for the buyer and the kind of sale.
#[allow(clippy::too_many_arguments)]
fn sell(
    p: &crate::scenario::Scenario,
    roster: &Roster,
    signals: &mut Signals,
    log: &mut EventLog,
    index: &mut StartupIndex,
    flows: &mut FirmFlows,
    st: &Startup,
    slot: u32,
    u: [f64; 2],
    tick: u32,
) {
    let name = format!("startup-{slot}");
    let mut pick = u[0] * flows.total_capital;
    let mut buyer = 0usize;
    for (f, &c) in flows.capital.iter().enumerate().take(roster.firms()) {
        buyer = f;
        if pick < c {
            break;
        }
        pick -= c;
    }
    let acquihire = u[1] < p.startups.acquihire_share;
    index.fate[slot as usize] = buyer as u32;
    let price = st.cash.max(0.0) + 24.0 * p.talent.cost_per_researcher * st.staff as f64;
    flows.paid[buyer] += price;
    let b = buyer as u8;
    if acquihire {
        signals.acquihires.push(AcquihireDeal {
            buyer: b,
            slot,
            staff: st.staff,
            price,
        });
    }
    let kind = if acquihire { "acquihire" } else { "startup_acquired" };
    log.push(
        tick,
        kind,
        roster.name(b),
        &name,
        format!("{} researchers join", st.staff),
    );
}

/// The seeded entrants start (exits only made room), each on a cloud drawn by the
/// startups' cloud weights, with quality around the fringe's base quality.
#[allow(clippy::too_many_arguments)]
fn start_entrants(
    p: &crate::scenario::Scenario,
    roster: &Roster,
    index: &mut StartupIndex,
    market: &CloudMarket,
    commands: &mut Commands,
    entries: usize,
    rng: &mut rand::rngs::ChaCha8Rng,
    tick: u32,
) {
    let sp = &p.startups;
    let fringe_quality = super::products::fringe_base_quality(p);
    let mut weights = [0.0f64; CLOUD_SLOTS];
    if entries > 0 {
        market.startup_weights(&p.cloud, &roster.hosts, &mut weights);
    }
    for _ in 0..entries {
        let cloud = pick_weighted(&roster.hosts, &weights, uniform(rng));
        let st = new_startup(
            index,
            fringe_quality * (0.5 + uniform(rng)),
            sp.initial_cash,
            cloud,
            tick,
        );
        let slot = st.slot;
        let e = commands.spawn(st).id();
        index.alive.push((slot, e));
        if sp.founders > 0 {
            index.seats.push((slot, sp.founders));
        }
    }
}

/// Picks from `ids` in proportion to `weight[id]`.
pub fn pick_weighted(ids: &[u8], weight: &[f64; CLOUD_SLOTS], u: f64) -> u8 {
    let total: f64 = ids.iter().map(|&i| weight[i as usize]).sum();
    let mut pick = u * total;
    for &i in ids {
        if pick < weight[i as usize] {
            return i;
        }
        pick -= weight[i as usize];
    }
    *ids.last().unwrap_or(&0)
}

/// Allocates a slot and builds a startup (the caller spawns it).
pub fn new_startup(index: &mut StartupIndex, quality: f64, cash: f64, cloud: u8, tick: u32) -> Startup {
    let slot = index.next_slot;
    index.next_slot += 1;
    index.fate.push(FATE_ALIVE);
    Startup {
        slot,
        quality,
        cash,
        cloud,
        staff: 0,
        born: tick,
    }
}
