//! The cloud capacity market: every cloud's capacity serves its owner's own workloads, the
//! lab's contracts, startups and the rest of the market; capacity grows only through builds
//! with a lead time; prices follow utilization; exclusivity decides where the lab may go.
//!
//! Each month, in this order (docs/MODEL.md §7.3 gives the formulas):
//! 1. capacity: clouds' builds started `build_lead_months` ago come online; the lab's own
//!    builds come online and are paid as a lease over `depreciation_months`;
//! 2. demand: the lab's training demand grows at `training_growth` with a log-normal shock,
//!    its inference demand follows its product usage; independent labs' compute grows at the
//!    same rate as far as their cash funds it, rented from the rival clouds, and their ties
//!    add the compute the investors' clouds committed (`[[partnerships]]` `compute_kgpu`);
//!    firms' own use and the rest of the market grow at their rates;
//! 3. prices move towards the price that clears last month's demand pressure as contracts
//!    are repriced (hyperscalers' long contracts: sticky list prices; the fringe's short
//!    rentals: a market price); the rest of the market's demand responds to the prices;
//! 4. the lab's and the rest of the market's new demand claim spare capacity; where claims
//!    exceed it, each gets the same fraction (pro rata); under `exclusive` the lab may use
//!    only the investor and its own datacenters, and what they cannot supply is a shortfall;
//!    under `rofr` the investor takes what its spare capacity allows and the rest goes to
//!    the cheapest alternatives; under `none` the lab also diversifies by tension and price;
//! 5. migration of running workloads off the investor (not under exclusivity);
//! 6. the lab may start a build of its own; every cloud starts builds towards its demand
//!    forecast at target utilization, capped by its build programme (`build_rate`);
//! 7. the lab and the independent labs pay their hosts (their income; committed compute at
//!    the tie's discount), and revenues per cloud are recorded.

mod allocation;
mod market;

use bevy_ecs::prelude::*;
use rand::rngs::ChaCha8Rng;

use crate::scenario::{CloudParams, Exclusivity, Role};
use crate::world::components::{
    CLOUD_SLOTS, CloudContract, Company, DatacenterBuild, FirmIdx, Host, Partnership, PartnershipStatus,
};
use crate::world::random::{SimRng, Stream};
use crate::world::random::{normal, uniform};
use crate::world::resources::{Clock, EventLog, Params, Roster};
use crate::world::signals::Signals;
use allocation::{
    Bookings, Committed, allocate, book_contracts, lab_claims, lab_new_demand, migrate, running_contracts,
    serve_committed, signed_prices, third_party_claims,
};
pub use market::{CloudMarket, price_at};

/// Index of the lab's own datacenters in per-host arrays (after every cloud slot).
const OWN: usize = CLOUD_SLOTS;
/// Size of per-host arrays: every cloud slot and the lab's own datacenters.
const HOSTS: usize = CLOUD_SLOTS + 1;

/// How much of its compute growth a firm can fund: its cash over a year of its monthly
/// compute bill, capped at 1 (1 when it pays nothing).
fn funded(capital: f64, monthly_bill: f64) -> f64 {
    if monthly_bill > 0.0 {
        (capital / (12.0 * monthly_bill)).clamp(0.0, 1.0)
    } else {
        1.0
    }
}

/// The lab's freedom to place compute this month.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Placement {
    InvestorOnly,
    FirstRefusal,
    Free,
}

/// Cloud slots sorted by price, cheapest first (ties by slot), into `out`; returns the count.
fn by_price(hosts: &[FirmIdx], price: &[f64; CLOUD_SLOTS], out: &mut [usize; CLOUD_SLOTS]) -> usize {
    let n = hosts.len();
    for (i, &h) in hosts.iter().enumerate() {
        out[i] = h as usize;
    }
    out[..n].sort_unstable_by(|&a, &b| price[a].total_cmp(&price[b]).then(a.cmp(&b)));
    n
}

/// The lab's placement terms this month, from the partnership's status and exclusivity.
fn placement(ps: &Partnership) -> Placement {
    match ps.status {
        PartnershipStatus::Active => match ps.exclusivity {
            Exclusivity::Exclusive => Placement::InvestorOnly,
            Exclusivity::Rofr => Placement::FirstRefusal,
            Exclusivity::None => Placement::Free,
        },
        PartnershipStatus::Acquired => Placement::InvestorOnly,
        PartnershipStatus::Dissolved | PartnershipStatus::Separated => Placement::Free,
    }
}

/// What every decision of the month may read: the parameters, who is who, the partnership
/// and the terms it sets.
struct Month<'a> {
    c: &'a CloudParams,
    roster: &'a Roster,
    ps: &'a Partnership,
    tick: u32,
    lab: FirmIdx,
    investor: usize,
    placement: Placement,
    /// Months a migrated workload runs disrupted.
    disruption: u32,
}

/// The lab's own builds this month: the lease it pays on those online, the capacity that
/// came online, and whether one is still under construction.
struct LabBuilds {
    lease_per_kgpu: f64,
    lease: f64,
    new_dc: f64,
    building: bool,
}

/// What the lab brings to the month: its own datacenters, its cash and its product usage.
struct LabFacts {
    own_dc: f64,
    capital: f64,
    usage: f64,
}

/// The lab's compute demand this month, kGPU: by workload (training, inference) and in total.
struct LabDemand {
    by_workload: [f64; 2],
    total: f64,
}

#[allow(clippy::too_many_arguments)]
pub fn cloud_contracts(
    params: Res<Params>,
    clock: Res<Clock>,
    roster: Res<Roster>,
    mut rng: ResMut<SimRng>,
    mut signals: ResMut<Signals>,
    mut log: ResMut<EventLog>,
    mut market: ResMut<CloudMarket>,
    mut commands: Commands,
    partnership: Query<&Partnership>,
    mut companies: Query<&mut Company>,
    mut contracts: Query<&mut CloudContract>,
    mut builds: Query<(Entity, &mut DatacenterBuild)>,
) {
    let rng = rng.get(Stream::Cloud);
    let c = &params.0.cloud;
    let m = &mut *market;
    let Ok(ps) = partnership.single() else { return };
    let mo = Month {
        c,
        roster: &roster,
        ps,
        tick: clock.tick,
        lab: roster.lab,
        investor: roster.investor as usize,
        placement: placement(ps),
        disruption: (c.migration_cost * c.migration_disruption_months).round() as u32,
    };

    // 1. Capacity: the clouds' pipeline, the lab's builds and their lease.
    clouds_capacity_arrives(m, &roster, mo.tick);
    let lab_builds = lab_builds_online(&mo, &mut builds, &mut commands, &mut log);

    // 2. Demand (the compute committed under ties first: it counts in the labs' bills).
    m.commit_tie_compute(&params.0, mo.tick);
    let lab = grow_firms_compute(
        &mo,
        m,
        &mut companies,
        lab_builds.new_dc,
        params.0.talent.cost_per_researcher,
    );
    let demand = grow_lab_demand(&mo, m, rng, &mut companies, lab_builds.lease, &lab);

    // 3. Prices from last month's demand pressure (served plus turned away, over capacity),
    //    as far as contracts are repriced; the rest of the market's demand at those prices.
    m.reprice(c, &roster.hosts);
    m.third_party_at_prices(c, &roster.hosts);
    let mut order = [0usize; CLOUD_SLOTS];
    let n_hosts = by_price(&roster.hosts, &m.price, &mut order);
    let order = &order[..n_hosts];

    // 4. Spare capacity after running workloads; new demand claims it.
    let lab_on = running_contracts(&mut contracts, mo.tick);
    let Committed {
        mut spare,
        served_tp,
        tenant_unmet,
        tenant_demand,
    } = serve_committed(m, &roster, &lab_on, lab.own_dc);
    let (new_lab, training_frac) = lab_new_demand(&demand.by_workload, &lab_on);
    let tp_claim = third_party_claims(c, m, order, served_tp);
    let signed_price = signed_prices(&mo, m, order, &spare);
    let lab_claim = lab_claims(&mo, m, order, &spare, new_lab);
    let alloc = allocate(mo.placement, m, order, &mut spare, &lab_claim, &tp_claim, &tenant_unmet);
    signals.compute_shortfall = if demand.total > 0.0 {
        (alloc.lab_unmet / demand.total).clamp(0.0, 1.0)
    } else {
        0.0
    };

    // 5. Migration of running workloads off the investor, then the month's placements.
    let (moved_in, one_off) = migrate(&mo, m, rng, &mut contracts, &mut log, &mut spare, order);
    let bookings = Bookings {
        got: alloc.got,
        moved_in,
        training_frac,
        signed_price,
    };
    book_contracts(&mo, &bookings, &mut contracts, &mut commands, &mut log);

    // 6. Builds: the lab's own, then every cloud's.
    start_lab_build(
        &mo,
        rng,
        &mut commands,
        &mut log,
        lab_builds.building,
        lab.capital,
        demand.total,
    );
    plan_cloud_builds(c, mo.tick, m, order, &spare, &alloc.turned_away);

    // 7. The lab and the independent labs pay their hosts.
    pay_hosts(&mo, m, &mut companies, &contracts, &lab_builds, tenant_demand, one_off);
    pay_tie_compute(&params.0, mo.tick, m, &mut companies, lab_builds.lease_per_kgpu);
}

/// The independent labs pay for the compute committed under their ties, as far as it was
/// served, at the contract's price (the cloud's when the commitment first came online)
/// less the tie's discount; the cloud keeps the fee net of the
/// capacity cost of what it served.
fn pay_tie_compute(
    s: &crate::scenario::Scenario,
    tick: u32,
    m: &mut CloudMarket,
    companies: &mut Query<&mut Company>,
    lease_per_kgpu: f64,
) {
    m.tie_spend = [0.0; CLOUD_SLOTS];
    let mut paid = [0.0f64; crate::world::components::MAX_FIRMS];
    for (i, t) in s.partnerships.iter().enumerate() {
        let kgpu = m.served_commitment(t, tick);
        if let Some((cloud, lab)) = m.tie_parties[i]
            && kgpu > 0.0
        {
            // The contract's price is the cloud's in the month it first came online.
            m.tie_price[i] = m.contract_price(i, cloud);
            let fee = kgpu * m.tie_price[i] * (1.0 - t.compute_discount);
            m.tie_spend[cloud] += fee;
            paid[lab] += fee;
        }
    }
    for mut co in companies.iter_mut() {
        let i = co.idx as usize;
        co.spend += paid[i] - (m.tie_spend[i] - m.tie_load[i] * lease_per_kgpu);
    }
}

/// The clouds' builds started `build_lead_months` ago come online.
fn clouds_capacity_arrives(m: &mut CloudMarket, roster: &Roster, tick: u32) {
    let len = m.arrivals.len();
    let arriving = std::mem::replace(&mut m.arrivals[tick as usize % len], [0.0; CLOUD_SLOTS]);
    for &h in &roster.hosts {
        let h = h as usize;
        m.capacity[h] += arriving[h];
        m.in_pipeline[h] = (m.in_pipeline[h] - arriving[h]).max(0.0);
    }
}

/// The lab's builds that are ready come online; it pays the lease on those online until
/// they are paid off.
fn lab_builds_online(
    mo: &Month,
    builds: &mut Query<(Entity, &mut DatacenterBuild)>,
    commands: &mut Commands,
    log: &mut EventLog,
) -> LabBuilds {
    let (c, tick) = (mo.c, mo.tick);
    let lease_per_kgpu = CloudMarket::capacity_cost(c);
    let (mut lease, mut new_dc, mut lab_building) = (0.0, 0.0, false);
    for (e, mut b) in builds.iter_mut() {
        if !b.online && b.ready_tick <= tick {
            b.online = true;
            new_dc += b.kgpu;
            log.push(
                tick,
                "build_done",
                mo.roster.name(b.owner),
                "",
                format!("{:.0} kGPU online", b.kgpu),
            );
        }
        if !b.online {
            lab_building = true;
        } else if tick < b.ready_tick + c.depreciation_months {
            lease += b.kgpu * lease_per_kgpu;
        } else {
            commands.entity(e).despawn(); // paid off; the capacity stays
        }
    }
    LabBuilds {
        lease_per_kgpu,
        lease,
        new_dc,
        building: lab_building,
    }
}

/// Firms' compute grows: the lab's own datacenters take the new builds; the independent
/// labs grow theirs as far as they can fund it; the others' own use grows at its rate. The
/// independent labs' compute is placed on their hosts.
fn grow_firms_compute(
    mo: &Month,
    m: &mut CloudMarket,
    companies: &mut Query<&mut Company>,
    new_dc: f64,
    cost_per_researcher: f64,
) -> LabFacts {
    let (c, lab) = (mo.c, mo.lab);
    let (mut own_dc, mut lab_capital, mut usage) = (0.0, 0.0, 0.0);
    let tenant_price = m.tenant_price(c);
    let mut tenants = 0.0;
    for mut co in companies.iter_mut() {
        if co.idx == lab {
            co.own_dc += new_dc;
            own_dc = co.own_dc;
            lab_capital = co.capital;
            usage = co.usage;
        } else if co.role == Role::IndependentLab {
            // An independent frontier lab plans its compute like the lab's, as far as it can
            // fund it (its cash over a year of its bill: rentals at last month's prices,
            // commitments at their contract prices). It rents the plan from the rival clouds
            // in proportion to their capacity, except what a host committed to it under a
            // tie already supplies (`place_tenants`). Out of cash, it keeps only what its
            // income (revenue and its investors' tranches, less payroll) pays for; its
            // commitments are take-or-pay.
            let bill = m.rented(co.own_compute) * m.tenant_served * tenant_price + m.tie_bill_lab[co.idx as usize];
            if co.capital > 0.0 {
                co.own_compute *= 1.0 + c.training_growth * funded(co.capital, bill);
            } else {
                let income = co.revenue + co.other_income - co.payroll(cost_per_researcher);
                co.own_compute = co
                    .own_compute
                    .min(income.max(0.0) / (m.tenant_served * tenant_price).max(1e-12));
            }
            tenants += co.own_compute;
        } else {
            co.own_compute *= 1.0 + c.own_use_growth;
            if mo.roster.clouds.contains(&co.idx) {
                m.own_use[co.idx as usize] = co.own_compute;
            }
        }
    }
    m.place_tenants(tenants);
    LabFacts {
        own_dc,
        capital: lab_capital,
        usage,
    }
}

/// The lab's demand: training grows only as far as the lab can fund it (the growth is
/// scaled by its cash over a year of its current compute bill, capped at 1), with a
/// log-normal shock; inference follows its product usage. The rest of the market grows.
fn grow_lab_demand(
    mo: &Month,
    m: &mut CloudMarket,
    rng: &mut ChaCha8Rng,
    companies: &mut Query<&mut Company>,
    lease: f64,
    lab: &LabFacts,
) -> LabDemand {
    let c = mo.c;
    let bill: f64 = mo.roster.hosts.iter().map(|&h| m.lab_fees[h as usize]).sum::<f64>() + lease;
    let funded = funded(lab.capital, bill);
    let shock = (c.demand_volatility * normal(rng) - 0.5 * c.demand_volatility * c.demand_volatility).exp();
    m.lab_training *= (1.0 + c.training_growth * funded) * shock;
    m.third_party_demand *= 1.0 + c.third_party_growth;
    if m.lab_usage_ref <= 0.0 && lab.usage > 0.0 {
        m.lab_usage_ref = lab.usage;
    }
    let usage_ratio = if m.lab_usage_ref > 0.0 {
        lab.usage / m.lab_usage_ref
    } else {
        1.0
    };
    let demand = [m.lab_training, m.lab_inference_base * usage_ratio];
    let lab_demand = demand[0] + demand[1];
    for mut co in companies.iter_mut() {
        if co.idx == mo.lab {
            co.own_compute = lab_demand;
        }
    }
    LabDemand {
        by_workload: demand,
        total: lab_demand,
    }
}

/// The lab may start a build of its own, sized to its demand, if it has the cash for it:
/// financed, so a start costs no cash this month.
fn start_lab_build(
    mo: &Month,
    rng: &mut ChaCha8Rng,
    commands: &mut Commands,
    log: &mut EventLog,
    lab_building: bool,
    lab_capital: f64,
    lab_demand: f64,
) {
    let (c, tick, lab) = (mo.c, mo.tick, mo.lab);
    let build_kgpu = c.build_size * lab_demand;
    // Drawn every month, so that the stream stays paired across scenarios.
    let u = uniform(rng);
    if !lab_building
        && build_kgpu > 0.0
        && lab_capital > 1.5 * build_kgpu * c.build_cost_per_kgpu
        && u < c.build_propensity
    {
        let ready = tick + c.build_lead_months;
        commands.spawn(DatacenterBuild {
            owner: lab,
            kgpu: build_kgpu,
            ready_tick: ready,
            online: false,
        });
        log.push(
            tick,
            "build_start",
            mo.roster.name(lab),
            "",
            format!("{build_kgpu:.0} kGPU ready in month {ready}"),
        );
    }
}

/// Clouds plan for their load (served plus turned away) growing at its trailing rate, and
/// for the compute they committed under ties at its level a lead time ahead, at target
/// utilization, within their build programme; this month's utilization and pressure are
/// recorded.
fn plan_cloud_builds(
    c: &CloudParams,
    tick: u32,
    m: &mut CloudMarket,
    order: &[usize],
    spare: &[f64; HOSTS],
    turned_away: &[f64; CLOUD_SLOTS],
) {
    let len = m.arrivals.len();
    let lead = c.build_lead_months as i32;
    for &h in order {
        let served = m.capacity[h] - spare[h];
        let load = served + turned_away[h];
        // The open market's load by its trend; compute committed under ties by its schedule.
        let open = load - m.tie_booked[h];
        if m.last_load[h] > 0.0 {
            m.load_growth[h] = 0.8 * m.load_growth[h] + 0.2 * (open / m.last_load[h] - 1.0);
        }
        m.last_load[h] = open;
        let forecast = open * (1.0 + m.load_growth[h].max(0.0)).powi(lead) + m.tie_ahead[h];
        let gap = forecast / c.target_utilization - m.capacity[h] - m.in_pipeline[h];
        let build = gap.clamp(0.0, m.build_rate[h] * m.capacity[h]);
        m.arrivals[(tick as usize + lead as usize) % len][h] += build;
        m.in_pipeline[h] += build;
        (m.utilization[h], m.pressure[h]) = if m.capacity[h] > 0.0 {
            (served / m.capacity[h], load / m.capacity[h])
        } else {
            (0.0, 0.0)
        };
    }
}

/// The lab pays its clouds at its contracts' prices (this month's new contracts from next
/// month) and the lease on its own builds. A cloud keeps its fee net of the capacity cost
/// of the compute it serves. Independent labs pay their hosts at this month's prices for
/// the compute they were served; their demand stays (unserved demand is their shortfall,
/// like the lab's).
fn pay_hosts(
    mo: &Month,
    m: &mut CloudMarket,
    companies: &mut Query<&mut Company>,
    contracts: &Query<&mut CloudContract>,
    builds: &LabBuilds,
    tenant_demand: f64,
    one_off: f64,
) {
    let (c, lab, roster) = (mo.c, mo.lab, mo.roster);
    let (lease_per_kgpu, lease) = (builds.lease_per_kgpu, builds.lease);
    m.lab_fees = [0.0; CLOUD_SLOTS];
    let mut lab_kgpu = [0.0f64; CLOUD_SLOTS];
    for k in contracts.iter() {
        if let Host::Cloud(h) = k.host {
            m.lab_fees[h as usize] += k.kgpu * k.price;
            lab_kgpu[h as usize] += k.kgpu;
        }
    }
    let fees_total: f64 = m.lab_fees.iter().sum();
    let tenant_price = m.tenant_price(c);
    let tenant_served: f64 = m.tenant_load.iter().sum();
    m.tenant_served = if tenant_demand > 0.0 {
        tenant_served / tenant_demand
    } else {
        1.0
    };
    for h in 0..CLOUD_SLOTS {
        m.tenant_spend[h] = m.tenant_load[h] * m.price[h];
    }
    for mut co in companies.iter_mut() {
        let i = co.idx as usize;
        if roster.clouds.contains(&co.idx) {
            co.spend -= m.lab_fees[i] - lab_kgpu[i] * lease_per_kgpu;
            co.spend -= m.tenant_spend[i] - m.tenant_load[i] * lease_per_kgpu;
        }
        if co.role == Role::IndependentLab {
            co.spend += m.rented(co.own_compute) * m.tenant_served * tenant_price;
        }
        if co.idx == lab {
            co.spend += fees_total + lease;
            co.one_off += one_off;
        }
    }
}
