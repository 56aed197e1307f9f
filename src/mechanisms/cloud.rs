//! The cloud capacity market: every cloud's capacity serves its owner's own workloads, the
//! lab's contracts, startups and the rest of the market; capacity grows only through builds
//! with a lead time; prices follow utilization; exclusivity decides where the lab may go.
//!
//! Each month, in this order (docs/MODEL.md §7.3 gives the formulas):
//! 1. capacity: clouds' builds started `build_lead_months` ago come online; the lab's own
//!    builds come online and are paid as a lease over `depreciation_months`;
//! 2. demand: the lab's training demand grows at `training_growth` with a log-normal shock,
//!    its inference demand follows its product usage; independent labs' compute grows at the
//!    same rate as far as their cash funds it, rented from the rival clouds; firms' own use
//!    and the rest of the market grow at their rates;
//! 3. prices from last month's utilization;
//! 4. the lab's and the rest of the market's new demand claim spare capacity; where claims
//!    exceed it, each gets the same fraction (pro rata); under `exclusive` the lab may use
//!    only the investor and its own datacenters, and what they cannot supply is a shortfall;
//!    under `rofr` the investor takes what its spare capacity allows and the rest goes to
//!    the cheapest alternatives; under `none` the lab also diversifies by tension and price;
//! 5. migration of running workloads off the investor (not under exclusivity);
//! 6. the lab may start a build of its own; every cloud starts builds towards its demand
//!    forecast at target utilization, capped by its build programme (`build_rate`);
//! 7. the lab and the independent labs pay their hosts (their income), and revenues per
//!    cloud are recorded.

use bevy_ecs::prelude::*;

use crate::scenario::{CloudParams, Exclusivity, Role, Scenario};
use crate::world::components::{
    CLOUD_SLOTS, CloudContract, Company, DatacenterBuild, FirmIdx, Host, OTHER_CLOUD, Partnership, PartnershipStatus,
    Workload,
};
use crate::world::random::{SimRng, Stream};
use crate::world::random::{chance, normal};
use crate::world::resources::{Clock, EventLog, Params, Roster};
use crate::world::signals::Signals;

/// Index of the lab's own datacenters in per-host arrays (after every cloud slot).
const OWN: usize = CLOUD_SLOTS;
/// Size of per-host arrays: every cloud slot and the lab's own datacenters.
const HOSTS: usize = CLOUD_SLOTS + 1;

/// The state of the cloud market, one entry per cloud slot (firm index, or `OTHER_CLOUD`).
#[derive(Resource, Debug, Clone)]
pub struct CloudMarket {
    /// Capacity online, kGPU.
    pub capacity: [f64; CLOUD_SLOTS],
    /// The owner's own workloads on its cloud, kGPU.
    pub own_use: [f64; CLOUD_SLOTS],
    /// The rest of the market's workloads served, kGPU.
    pub third_party: [f64; CLOUD_SLOTS],
    /// The rest of the market's demand, kGPU (served or waiting).
    pub third_party_demand: f64,
    /// Startups' compute this month, kGPU and $bn (set by the startups phase).
    pub startup_load: [f64; CLOUD_SLOTS],
    pub startup_spend: [f64; CLOUD_SLOTS],
    /// The lab's fees paid to each cloud this month, $bn.
    pub lab_fees: [f64; CLOUD_SLOTS],
    /// Independent labs' compute, an anchor tenant's committed load on the rival clouds
    /// (split in proportion to their capacity), kGPU, and what it paid this month, $bn.
    pub tenant_load: [f64; CLOUD_SLOTS],
    pub tenant_spend: [f64; CLOUD_SLOTS],
    /// The clouds that host independent labs: the rival clouds (else the fringe).
    pub tenant_hosts: [bool; CLOUD_SLOTS],
    /// Share of the independent labs' demand served this month (research uses only that).
    pub tenant_served: f64,
    /// Price this month, $bn per kGPU-month.
    pub price: [f64; CLOUD_SLOTS],
    /// Served load over capacity at the end of the month.
    pub utilization: [f64; CLOUD_SLOTS],
    /// Demand (served plus turned away) over capacity at the end of the month: sets the
    /// next month's price, so scarcity shows in prices.
    pub pressure: [f64; CLOUD_SLOTS],
    /// Maximum monthly build, share of capacity.
    pub build_rate: [f64; CLOUD_SLOTS],
    /// Startup credits offered, $M.
    pub credits: [f64; CLOUD_SLOTS],
    /// Trailing monthly growth of the load (served plus unmet) a cloud plans for.
    pub load_growth: [f64; CLOUD_SLOTS],
    pub last_load: [f64; CLOUD_SLOTS],
    /// Capacity under construction, kGPU.
    pub in_pipeline: [f64; CLOUD_SLOTS],
    /// Capacity arriving, by month modulo `build_lead_months + 1`.
    pub arrivals: Vec<[f64; CLOUD_SLOTS]>,
    /// The lab's training demand, kGPU.
    pub lab_training: f64,
    /// The lab's inference demand at its month-1 usage, kGPU.
    pub lab_inference_base: f64,
    /// The lab's product usage in its first month, $bn (0 until known).
    pub lab_usage_ref: f64,
    /// Compute the lab has migrated off the investor so far, kGPU.
    pub lab_migrated: f64,
}

/// How much of its compute growth a firm can fund: its cash over a year of its monthly
/// compute bill, capped at 1 (1 when it pays nothing).
fn funded(capital: f64, monthly_bill: f64) -> f64 {
    if monthly_bill > 0.0 {
        (capital / (12.0 * monthly_bill)).clamp(0.0, 1.0)
    } else {
        1.0
    }
}

/// Price of a cloud at a utilization: list price at target, linear around it, bounded.
pub fn price_at(c: &CloudParams, utilization: f64) -> f64 {
    c.price_per_kgpu_month
        * (1.0 + c.price_slope * (utilization - c.target_utilization)).clamp(c.price_floor, c.price_cap)
}

impl CloudMarket {
    /// The market at the start of a run: every cloud at `initial_utilization`, the rest of
    /// the market filling what its owner, the lab (`lab_on`) and startups do not use, and
    /// `build_lead_months` of each cloud's build programme already under construction.
    pub fn new(s: &Scenario, roster: &Roster, lab_on: &[f64; CLOUD_SLOTS]) -> CloudMarket {
        let c = &s.cloud;
        let lead = c.build_lead_months as usize;
        let mut m = CloudMarket {
            capacity: [0.0; CLOUD_SLOTS],
            own_use: [0.0; CLOUD_SLOTS],
            third_party: [0.0; CLOUD_SLOTS],
            third_party_demand: 0.0,
            startup_load: [0.0; CLOUD_SLOTS],
            startup_spend: [0.0; CLOUD_SLOTS],
            lab_fees: [0.0; CLOUD_SLOTS],
            tenant_load: [0.0; CLOUD_SLOTS],
            tenant_spend: [0.0; CLOUD_SLOTS],
            tenant_hosts: [false; CLOUD_SLOTS],
            tenant_served: 1.0,
            price: [0.0; CLOUD_SLOTS],
            utilization: [0.0; CLOUD_SLOTS],
            pressure: [0.0; CLOUD_SLOTS],
            build_rate: [0.0; CLOUD_SLOTS],
            credits: [0.0; CLOUD_SLOTS],
            load_growth: [c.third_party_growth; CLOUD_SLOTS],
            last_load: [0.0; CLOUD_SLOTS],
            in_pipeline: [0.0; CLOUD_SLOTS],
            arrivals: vec![[0.0; CLOUD_SLOTS]; lead + 1],
            lab_training: 0.0,
            lab_inference_base: 0.0,
            lab_usage_ref: 0.0,
            lab_migrated: 0.0,
        };
        for &h in &roster.clouds {
            let co = &s.companies[h as usize];
            m.capacity[h as usize] = co.cloud_capacity;
            m.own_use[h as usize] = co.own_compute;
            m.build_rate[h as usize] = co.build_rate;
            m.credits[h as usize] = co.startup_credits;
        }
        let o = OTHER_CLOUD as usize;
        m.capacity[o] = c.other_capacity;
        m.build_rate[o] = c.other_build_rate;
        for &h in &roster.clouds {
            m.tenant_hosts[h as usize] = s.companies[h as usize].role == Role::RivalCloud;
        }
        if !m.tenant_hosts.iter().any(|&t| t) {
            m.tenant_hosts[o] = true;
        }
        let tenants: f64 = s
            .companies
            .iter()
            .filter(|co| co.role == Role::IndependentLab)
            .map(|co| co.own_compute)
            .sum();
        m.place_tenants(tenants);
        for &h in &roster.hosts {
            let h = h as usize;
            m.utilization[h] = c.initial_utilization;
            m.pressure[h] = c.initial_utilization;
            m.price[h] = price_at(c, c.initial_utilization);
            m.third_party[h] =
                (m.capacity[h] * c.initial_utilization - m.own_use[h] - lab_on[h] - m.tenant_load[h]).max(0.0);
            m.third_party_demand += m.third_party[h];
            let build = m.build_rate[h] * m.capacity[h];
            for month in 1..=lead {
                m.arrivals[month % (lead + 1)][h] += build;
            }
            m.in_pipeline[h] = build * lead as f64;
        }
        let lab = &s.companies[roster.lab as usize];
        m.lab_training = lab.own_compute * c.training_share;
        m.lab_inference_base = lab.own_compute * (1.0 - c.training_share);
        m
    }

    /// Spreads the independent labs' compute over their hosts in proportion to capacity.
    pub fn place_tenants(&mut self, kgpu: f64) {
        let cap: f64 = (0..CLOUD_SLOTS)
            .filter(|&h| self.tenant_hosts[h])
            .map(|h| self.capacity[h])
            .sum();
        for h in 0..CLOUD_SLOTS {
            self.tenant_load[h] = if self.tenant_hosts[h] && cap > 0.0 {
                kgpu * self.capacity[h] / cap
            } else {
                0.0
            };
        }
    }

    /// The price an independent lab pays per kGPU-month: its hosts' prices weighted by its load.
    pub fn tenant_price(&self, c: &CloudParams) -> f64 {
        let load: f64 = self.tenant_load.iter().sum();
        if load > 0.0 {
            (0..CLOUD_SLOTS)
                .map(|h| self.tenant_load[h] * self.price[h])
                .sum::<f64>()
                / load
        } else {
            c.price_per_kgpu_month
        }
    }

    /// Records startups' compute on their clouds at setup (they displace the rest of the
    /// market, so utilization stays at its initial value).
    pub fn add_startup_load(&mut self, slot: FirmIdx, kgpu: f64) {
        let h = slot as usize;
        self.startup_load[h] += kgpu;
        let moved = kgpu.min(self.third_party[h]);
        self.third_party[h] -= moved;
        self.third_party_demand -= moved;
    }

    /// Weights of the clouds (`roster.hosts` order) in a new startup's choice: capacity
    /// (reach), relative price and credits.
    pub fn startup_weights(&self, c: &CloudParams, hosts: &[FirmIdx], out: &mut [f64; CLOUD_SLOTS]) {
        let (mut cap, mut paid) = (0.0, 0.0);
        for &h in hosts {
            cap += self.capacity[h as usize];
            paid += self.capacity[h as usize] * self.price[h as usize];
        }
        let mean_price = if cap > 0.0 { paid / cap } else { 1.0 };
        for &h in hosts {
            let h = h as usize;
            out[h] = self.capacity[h]
                * (self.price[h] / mean_price).powf(-c.price_elasticity)
                * (c.startup_credit_weight * self.credits[h]).exp();
        }
    }

    /// The capacity cost of one kGPU-month, $bn: the lease that pays a build off over its
    /// life. Clouds keep their fees net of it.
    pub fn capacity_cost(c: &CloudParams) -> f64 {
        c.build_cost_per_kgpu / f64::from(c.depreciation_months)
    }

    /// Compute revenue of a cloud this month: the lab's fees, startups' and independent
    /// labs' spending and the rest of the market's, $bn.
    pub fn revenue(&self, slot: usize) -> f64 {
        self.lab_fees[slot]
            + self.startup_spend[slot]
            + self.tenant_spend[slot]
            + self.third_party[slot] * self.price[slot]
    }
}

/// The lab's freedom to place compute this month.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Placement {
    InvestorOnly,
    FirstRefusal,
    Free,
}

fn host_index(h: Host) -> usize {
    match h {
        Host::Cloud(slot) => slot as usize,
        Host::Own => OWN,
    }
}

fn host_of(i: usize) -> Host {
    if i == OWN { Host::Own } else { Host::Cloud(i as FirmIdx) }
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
    let tick = clock.tick;
    let Ok(ps) = partnership.single() else { return };
    let lab = roster.lab;
    let investor = roster.investor as usize;
    let placement = match ps.status {
        PartnershipStatus::Active => match ps.exclusivity {
            Exclusivity::Exclusive => Placement::InvestorOnly,
            Exclusivity::Rofr => Placement::FirstRefusal,
            Exclusivity::None => Placement::Free,
        },
        PartnershipStatus::Acquired => Placement::InvestorOnly,
        PartnershipStatus::Dissolved | PartnershipStatus::Separated => Placement::Free,
    };

    // 1. Capacity: the clouds' pipeline, the lab's builds and their lease.
    let len = m.arrivals.len();
    let arriving = std::mem::replace(&mut m.arrivals[tick as usize % len], [0.0; CLOUD_SLOTS]);
    for &h in &roster.hosts {
        let h = h as usize;
        m.capacity[h] += arriving[h];
        m.in_pipeline[h] = (m.in_pipeline[h] - arriving[h]).max(0.0);
    }
    let lease_per_kgpu = CloudMarket::capacity_cost(c);
    let (mut lease, mut new_dc, mut lab_building) = (0.0, 0.0, false);
    for (e, mut b) in builds.iter_mut() {
        if !b.online && b.ready_tick <= tick {
            b.online = true;
            new_dc += b.kgpu;
            log.push(
                tick,
                "build_done",
                roster.name(b.owner),
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

    // 2. Demand. The lab grows its training compute only as far as it can fund it: the
    // growth is scaled by its cash over a year of its current compute bill (capped at 1).
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
            // An independent frontier lab scales its compute like the lab, as far as it can
            // fund it (its cash over a year of its bill, at last month's prices), renting it
            // from the rival clouds. Out of cash, it keeps only what its income (revenue and
            // its investors' tranches, less payroll) pays for.
            let bill = co.own_compute * m.tenant_served * tenant_price;
            if co.capital > 0.0 {
                co.own_compute *= 1.0 + c.training_growth * funded(co.capital, bill);
            } else {
                let income = co.revenue + co.other_income - co.payroll(params.0.talent.cost_per_researcher);
                co.own_compute = co
                    .own_compute
                    .min(income.max(0.0) / (m.tenant_served * tenant_price).max(1e-12));
            }
            tenants += co.own_compute;
        } else {
            co.own_compute *= 1.0 + c.own_use_growth;
            if roster.clouds.contains(&co.idx) {
                m.own_use[co.idx as usize] = co.own_compute;
            }
        }
    }
    m.place_tenants(tenants);
    let bill: f64 = roster.hosts.iter().map(|&h| m.lab_fees[h as usize]).sum::<f64>() + lease;
    let funded = funded(lab_capital, bill);
    let shock = (c.demand_volatility * normal(rng) - 0.5 * c.demand_volatility * c.demand_volatility).exp();
    m.lab_training *= (1.0 + c.training_growth * funded) * shock;
    m.third_party_demand *= 1.0 + c.third_party_growth;
    if m.lab_usage_ref <= 0.0 && usage > 0.0 {
        m.lab_usage_ref = usage;
    }
    let usage_ratio = if m.lab_usage_ref > 0.0 {
        usage / m.lab_usage_ref
    } else {
        1.0
    };
    let demand = [m.lab_training, m.lab_inference_base * usage_ratio];
    let lab_demand = demand[0] + demand[1];
    for mut co in companies.iter_mut() {
        if co.idx == lab {
            co.own_compute = lab_demand;
        }
    }

    // 3. Prices from last month's demand pressure (served plus turned away, over capacity).
    for &h in &roster.hosts {
        let h = h as usize;
        m.price[h] = price_at(c, m.pressure[h]);
    }
    let mut order = [0usize; CLOUD_SLOTS];
    let n_hosts = by_price(&roster.hosts, &m.price, &mut order);
    let order = &order[..n_hosts];

    // 4. Spare capacity after running workloads; new demand claims it.
    let mut lab_on = [[0.0f64; 2]; HOSTS];
    for mut k in contracts.iter_mut() {
        if k.disrupted > 0.0 && k.disrupted_until <= tick {
            k.disrupted = 0.0;
        }
        lab_on[host_index(k.host)][k.workload as usize] += k.kgpu;
    }
    let mut spare = [0.0f64; HOSTS];
    let mut served_tp = 0.0;
    let (mut tenant_unmet, mut tenant_demand) = ([0.0f64; CLOUD_SLOTS], 0.0);
    for &h in &roster.hosts {
        let h = h as usize;
        // The independent labs' load is served as far as the cloud's capacity reaches after
        // its owner, startups and the lab's contracts; the rest is turned away.
        let before = m.own_use[h] + m.startup_load[h] + lab_on[h][0] + lab_on[h][1];
        let served = m.tenant_load[h].min((m.capacity[h] - before).max(0.0));
        tenant_unmet[h] = m.tenant_load[h] - served;
        tenant_demand += m.tenant_load[h];
        m.tenant_load[h] = served;
        let committed = before + served;
        // The rest of the market is the flexible customer: squeezed when committed load grows.
        m.third_party[h] = m.third_party[h].min((m.capacity[h] - committed).max(0.0));
        spare[h] = (m.capacity[h] - committed - m.third_party[h]).max(0.0);
        served_tp += m.third_party[h];
    }
    spare[OWN] = (own_dc - lab_on[OWN][0] - lab_on[OWN][1]).max(0.0);

    let new_by_workload = [
        (demand[0] - (0..HOSTS).map(|h| lab_on[h][0]).sum::<f64>()).max(0.0),
        (demand[1] - (0..HOSTS).map(|h| lab_on[h][1]).sum::<f64>()).max(0.0),
    ];
    let new_lab = new_by_workload[0] + new_by_workload[1];
    let training_frac = if new_lab > 0.0 {
        new_by_workload[0] / new_lab
    } else {
        0.0
    };

    // The rest of the market's growth, spread by incumbency and relative price.
    let new_tp = (m.third_party_demand - served_tp).max(0.0);
    let mean_price = {
        let (mut w, mut p) = (0.0, 0.0);
        for &h in order {
            w += m.capacity[h];
            p += m.capacity[h] * m.price[h];
        }
        if w > 0.0 { p / w } else { c.price_per_kgpu_month }
    };
    let mut tp_claim = [0.0f64; CLOUD_SLOTS];
    let mut weight_sum = 0.0;
    for &h in order {
        tp_claim[h] = m.third_party[h].max(1e-9) * (m.price[h] / mean_price).powf(-c.price_elasticity);
        weight_sum += tp_claim[h];
    }
    for &h in order {
        tp_claim[h] *= new_tp / weight_sum.max(1e-300);
    }

    // The price the lab signs at on each cloud this month. Under first refusal the investor
    // keeps the business by matching the cheapest rival offer.
    let mut signed_price = m.price;
    if let (Placement::FirstRefusal, Some(&alt)) = (placement, order.iter().find(|&&h| h != investor && spare[h] > 0.0))
    {
        signed_price[investor] = m.price[investor].min(m.price[alt]);
    }

    // The lab's claims: its own datacenters first (cheapest), then by the terms.
    let mut lab_claim = [0.0f64; HOSTS];
    lab_claim[OWN] = new_lab.min(spare[OWN]);
    let rest = new_lab - lab_claim[OWN];
    let cheapest_alternative = order.iter().copied().find(|&h| h != investor && spare[h] > 0.0);
    match (placement, cheapest_alternative) {
        (Placement::Free, Some(alt)) => {
            let relative = (m.price[investor] / m.price[alt]).powf(c.price_elasticity);
            let off = (c.diversify_target * (0.5 + ps.tension) * relative).min(1.0);
            lab_claim[alt] += rest * off;
            lab_claim[investor] += rest * (1.0 - off);
        }
        _ => lab_claim[investor] += rest,
    }

    // Where claims exceed spare capacity the lab, an anchor tenant on long-term contracts,
    // is served first; the rest of the market gets what is left.
    let mut got = [0.0f64; HOSTS];
    got[OWN] = lab_claim[OWN];
    spare[OWN] -= got[OWN];
    let (mut lab_unmet, mut tp_unmet) = (0.0, 0.0);
    let mut turned_away = [0.0f64; CLOUD_SLOTS];
    for &h in order {
        got[h] = lab_claim[h].min(spare[h]);
        let tp = tp_claim[h].min(spare[h] - got[h]);
        m.third_party[h] += tp;
        spare[h] = (spare[h] - got[h] - tp).max(0.0);
        lab_unmet += lab_claim[h] - got[h];
        tp_unmet += tp_claim[h] - tp;
        turned_away[h] = lab_claim[h] - got[h] + tp_claim[h] - tp;
    }
    let first_unmet = lab_unmet + tp_unmet;
    // What the first choice could not take goes to the cheapest clouds with room, except
    // under exclusivity, where it is the lab's shortfall.
    if placement != Placement::InvestorOnly {
        for &h in order {
            let take = lab_unmet.min(spare[h]);
            got[h] += take;
            spare[h] -= take;
            lab_unmet -= take;
        }
    }
    for &h in order {
        let take = tp_unmet.min(spare[h]);
        m.third_party[h] += take;
        spare[h] -= take;
        tp_unmet -= take;
    }
    // Demand that found no home anywhere presses on the clouds that turned it away (each
    // unit once, so two clouds do not both plan for it).
    let unserved_share = if first_unmet > 0.0 {
        (lab_unmet + tp_unmet) / first_unmet
    } else {
        0.0
    };
    for (t, unmet) in turned_away.iter_mut().zip(tenant_unmet) {
        *t = *t * unserved_share + unmet;
    }
    signals.compute_shortfall = if lab_demand > 0.0 {
        (lab_unmet / lab_demand).clamp(0.0, 1.0)
    } else {
        0.0
    };

    // 5. Migration of running workloads off the investor.
    let mut moved_in = [[0.0f64; 2]; HOSTS];
    let mut one_off = 0.0;
    let disruption = (c.migration_cost * c.migration_disruption_months).round() as u32;
    if placement != Placement::InvestorOnly {
        let motive = match ps.status {
            PartnershipStatus::Active => {
                let thr = c.migration_tension_threshold;
                if ps.tension > thr {
                    (ps.tension - thr) / (1.0 - thr).max(1e-9)
                } else {
                    0.0
                }
            }
            _ => 1.0,
        };
        let target = if spare[OWN] > 0.0 {
            Some(OWN)
        } else {
            order.iter().copied().find(|&h| h != investor && spare[h] > 0.0)
        };
        if let Some(to) = target
            && motive > 0.0
            && chance(rng, c.migration_propensity * motive * 2.0 / (1.0 + c.migration_cost))
        {
            let mut room = spare[to];
            for mut k in contracts.iter_mut() {
                if k.host == Host::Cloud(investor as FirmIdx) && room > 0.0 {
                    let amount = (k.kgpu * c.migration_chunk).min(room);
                    k.kgpu -= amount;
                    k.disrupted = k.disrupted.min(k.kgpu);
                    lab_on[investor][k.workload as usize] -= amount;
                    moved_in[to][k.workload as usize] += amount;
                    room -= amount;
                }
            }
            let moved = spare[to] - room;
            spare[to] = room;
            if moved > 0.0 {
                one_off += moved * c.migration_cost * c.migration_cost_per_kgpu;
                m.lab_migrated += moved;
                let name = if to == OWN {
                    "own datacenter"
                } else {
                    roster.cloud_name(to as FirmIdx)
                };
                log.push(
                    tick,
                    "migration",
                    roster.name(lab),
                    roster.cloud_name(investor as FirmIdx),
                    format!("{moved:.1} kGPU to {name}, disrupted {disruption} months"),
                );
            }
        }
    }

    // Apply placements: merge into the (host, workload) contract or open one.
    for (i, host_got) in got.iter().enumerate() {
        for (w, workload) in [Workload::Training, Workload::Inference].into_iter().enumerate() {
            let placed = host_got * if w == 0 { training_frac } else { 1.0 - training_frac };
            let migrated = moved_in[i][w];
            if placed + migrated <= 0.0 {
                continue;
            }
            lab_on[i][w] += placed + migrated;
            let host = host_of(i);
            let until = tick + disruption;
            let price = if i == OWN { 0.0 } else { signed_price[i] };
            if let Some(mut k) = contracts.iter_mut().find(|k| k.host == host && k.workload == workload) {
                // The book's price is the volume-weighted price of its tranches.
                let total = k.kgpu + placed + migrated;
                k.price = (k.price * k.kgpu + price * (placed + migrated)) / total.max(1e-300);
                k.kgpu = total;
                if migrated > 0.0 {
                    k.disrupted += migrated;
                    k.disrupted_until = k.disrupted_until.max(until);
                }
                continue;
            }
            commands.spawn(CloudContract {
                customer: lab,
                host,
                workload,
                kgpu: placed + migrated,
                price,
                disrupted: migrated,
                disrupted_until: if migrated > 0.0 { until } else { 0 },
            });
            let to = if i == OWN {
                "own datacenter"
            } else {
                roster.cloud_name(i as FirmIdx)
            };
            log.push(
                tick,
                "contract",
                roster.name(lab),
                to,
                format!("new {} contract", workload.as_str()),
            );
        }
    }

    // 6. Builds. The lab's own: financed, so a start costs no cash this month.
    let build_kgpu = c.build_size * lab_demand;
    if !lab_building
        && build_kgpu > 0.0
        && lab_capital > 1.5 * build_kgpu * c.build_cost_per_kgpu
        && chance(rng, c.build_propensity)
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
            roster.name(lab),
            "",
            format!("{build_kgpu:.0} kGPU ready in month {ready}"),
        );
    }
    // Clouds plan for their load (served plus turned away) growing at its trailing rate,
    // at target utilization, within their build programme.
    let lead = c.build_lead_months as i32;
    for &h in order {
        let served = m.capacity[h] - spare[h];
        let load = served + turned_away[h];
        if m.last_load[h] > 0.0 {
            m.load_growth[h] = 0.8 * m.load_growth[h] + 0.2 * (load / m.last_load[h] - 1.0);
        }
        m.last_load[h] = load;
        let forecast = load * (1.0 + m.load_growth[h].max(0.0)).powi(lead);
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

    // 7. The lab pays its clouds at its contracts' prices (this month's new contracts from
    // next month) and the lease on its own builds. A cloud keeps its fee net of the
    // capacity cost of the compute it serves.
    m.lab_fees = [0.0; CLOUD_SLOTS];
    let mut lab_kgpu = [0.0f64; CLOUD_SLOTS];
    for k in contracts.iter() {
        if let Host::Cloud(h) = k.host {
            m.lab_fees[h as usize] += k.kgpu * k.price;
            lab_kgpu[h as usize] += k.kgpu;
        }
    }
    let fees_total: f64 = m.lab_fees.iter().sum();
    // Independent labs pay their hosts at this month's prices for the compute they were
    // served; their demand stays (unserved demand is their shortfall, like the lab's).
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
            co.spend += co.own_compute * m.tenant_served * tenant_price;
        }
        if co.idx == lab {
            co.spend += fees_total + lease;
            co.one_off += one_off;
        }
    }
}
