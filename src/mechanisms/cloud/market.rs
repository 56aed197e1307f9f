//! The state of the cloud market and how it is set up and read: capacity, load and prices
//! per cloud, the independent labs' placement, startups' choice of cloud, revenue.

use bevy_ecs::prelude::*;

use crate::scenario::{CloudParams, Role, Scenario};
use crate::world::components::{CLOUD_SLOTS, FirmIdx, MAX_FIRMS, OTHER_CLOUD};
use crate::world::resources::Roster;

/// The state of the cloud market, one entry per cloud slot (firm index, or `OTHER_CLOUD`).
#[derive(Resource, Debug, Clone)]
pub struct CloudMarket {
    /// Capacity online, kGPU.
    pub capacity: [f64; CLOUD_SLOTS],
    /// The owner's own workloads on its cloud, kGPU.
    pub own_use: [f64; CLOUD_SLOTS],
    /// The rest of the market's workloads served, kGPU.
    pub third_party: [f64; CLOUD_SLOTS],
    /// The rest of the market's demand at the starting price, kGPU (served or waiting).
    pub third_party_demand: f64,
    /// The rest of the market's demand at this month's prices, kGPU: `third_party_demand`
    /// times (mean price / starting price)^−demand_elasticity.
    pub third_party_wanted: f64,
    /// The price at which `third_party_demand` is measured: every cloud's starting price.
    pub demand_ref_price: f64,
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
    /// Compute the clouds commit to independent labs under their ties (`[[partnerships]]`
    /// `compute_kgpu`), on each cloud this month, kGPU (after step 4, what was served),
    /// and what the labs paid for it at the discounted price, $bn.
    pub tie_load: [f64; CLOUD_SLOTS],
    pub tie_spend: [f64; CLOUD_SLOTS],
    /// Share of the committed compute served this month.
    pub tie_served: f64,
    /// Compute committed on each cloud this month before serving, and `build_lead_months`
    /// ahead, kGPU: a cloud builds for its commitments on their schedule, not by the trend.
    pub tie_booked: [f64; CLOUD_SLOTS],
    pub tie_ahead: [f64; CLOUD_SLOTS],
    /// Compute committed to each lab this month before serving, kGPU (`tie_compute`: what
    /// it was served), and what it will pay for it at the locked, discounted prices, $bn
    /// (its funding test reads the bill).
    pub tie_booked_lab: [f64; MAX_FIRMS],
    pub tie_bill_lab: [f64; MAX_FIRMS],
    /// Each tie's contract price, $bn per kGPU-month before its discount: the cloud's price
    /// in the month its commitment first came online (0 until then).
    pub tie_price: Vec<f64>,
    /// The independent labs' rented compute over their planned compute this month: what
    /// their ties' commitments do not already supply on each host (`place_tenants`).
    pub rent_ratio: f64,
    /// The independent labs' planned compute placed this month, kGPU (`place_tenants`).
    pub tenant_plan: f64,
    /// Each `[[partnerships]]` tie's (investor, lab) by firm index, resolved once at setup
    /// (`None` for a name not in the roster, which validation rejects).
    pub tie_parties: Vec<Option<(usize, usize)>>,
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
    /// Each firm's largest training compute so far, kGPU (at the start, the training share of
    /// its compute): research's memory of its largest model, kept here with the compute it
    /// measures.
    pub training_peak: [f64; MAX_FIRMS],
}

/// The price that clears a cloud at a demand pressure (demand over capacity): list price at
/// target utilization, linear around it, bounded. A cloud's price moves towards it as its
/// contracts are repriced (`CloudMarket::reprice`).
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
            third_party_wanted: 0.0,
            demand_ref_price: price_at(c, c.initial_utilization),
            startup_load: [0.0; CLOUD_SLOTS],
            startup_spend: [0.0; CLOUD_SLOTS],
            lab_fees: [0.0; CLOUD_SLOTS],
            tenant_load: [0.0; CLOUD_SLOTS],
            tenant_spend: [0.0; CLOUD_SLOTS],
            tenant_hosts: [false; CLOUD_SLOTS],
            tenant_served: 1.0,
            tie_load: [0.0; CLOUD_SLOTS],
            tie_spend: [0.0; CLOUD_SLOTS],
            tie_served: 1.0,
            tie_booked: [0.0; CLOUD_SLOTS],
            tie_ahead: [0.0; CLOUD_SLOTS],
            tie_booked_lab: [0.0; MAX_FIRMS],
            tie_bill_lab: [0.0; MAX_FIRMS],
            tie_price: vec![0.0; s.partnerships.len()],
            rent_ratio: 1.0,
            tenant_plan: 0.0,
            tie_parties: s.tie_parties(),
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
            training_peak: [0.0; MAX_FIRMS],
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
        m.commit_tie_compute(s, 1);
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
                (m.capacity[h] * c.initial_utilization - m.own_use[h] - lab_on[h] - m.tenant_load[h] - m.tie_load[h])
                    .max(0.0);
            m.third_party_demand += m.third_party[h];
            // The growth its planners expect: its book's, each customer at its own pace (the
            // lab's and the independent labs' training growth, the rest at their rates).
            // (Committed compute is planned by its schedule, not by a trend.)
            let load = m.own_use[h] + lab_on[h] + m.tenant_load[h] + m.third_party[h];
            if load > 0.0 {
                m.load_growth[h] = (m.own_use[h] * c.own_use_growth
                    + (lab_on[h] + m.tenant_load[h]) * c.training_growth
                    + m.third_party[h] * c.third_party_growth)
                    / load;
            }
            // The capex programme already under way: builds started over the last lead time,
            // each a `build_rate` share of the capacity it was planned against, so capacity
            // compounds at the build rate as it arrives (about ×2 in the first year, as the
            // record's doubling of capex from 2023 to 2024 has it).
            let mut planned = m.capacity[h];
            for month in 1..=lead {
                let build = m.build_rate[h] * planned;
                m.arrivals[month % (lead + 1)][h] += build;
                m.in_pipeline[h] += build;
                planned += build;
            }
        }
        m.third_party_wanted = m.third_party_demand;
        let lab = &s.companies[roster.lab as usize];
        m.lab_training = lab.own_compute * c.training_share;
        // Every firm's training compute at the start is its largest so far.
        for (i, co) in s.companies.iter().enumerate().take(MAX_FIRMS) {
            let compute = if co.role == Role::IndependentLab {
                m.rented(co.own_compute) + m.tie_compute(i)
            } else {
                co.own_compute
            };
            m.training_peak[i] = compute * c.training_share;
        }
        m.lab_inference_base = lab.own_compute * (1.0 - c.training_share);
        m
    }

    /// Each cloud's price this month: a share 1/contract term of its book is repriced at the
    /// price that clears last month's pressure, so the hyperscalers' list prices (long
    /// contracts) are sticky and the fringe's rental price (short terms) follows the market.
    pub fn reprice(&mut self, c: &CloudParams, hosts: &[FirmIdx]) {
        for &h in hosts {
            let term = if h == OTHER_CLOUD {
                c.other_contract_months
            } else {
                c.contract_months
            };
            let h = h as usize;
            let clearing = price_at(c, self.pressure[h]);
            self.price[h] += (clearing - self.price[h]) / term.max(1.0);
        }
    }

    /// The rest of the market's demand at this month's prices (their capacity-weighted mean
    /// against the starting price, at `demand_elasticity`).
    pub fn third_party_at_prices(&mut self, c: &CloudParams, hosts: &[FirmIdx]) {
        let relative = match self.mean_price(hosts.iter().map(|&h| h as usize)) {
            Some(mean) if self.demand_ref_price > 0.0 => mean / self.demand_ref_price,
            _ => 1.0,
        };
        self.third_party_wanted = self.third_party_demand * relative.powf(-c.demand_elasticity);
    }

    /// The capacity-weighted mean of the hosts' current prices (`None` without capacity).
    pub fn mean_price(&self, hosts: impl IntoIterator<Item = usize>) -> Option<f64> {
        let (mut cap, mut paid) = (0.0, 0.0);
        for h in hosts {
            cap += self.capacity[h];
            paid += self.capacity[h] * self.price[h];
        }
        (cap > 0.0).then(|| paid / cap)
    }

    /// Spreads the independent labs' planned compute `kgpu` over their hosts in proportion
    /// to capacity; on a host that committed compute to them under a tie they rent only what
    /// the commitment does not cover (a commitment larger than the host's part adds to the
    /// plan; one on another host does not take the host's part away).
    pub fn place_tenants(&mut self, kgpu: f64) {
        let cap: f64 = (0..CLOUD_SLOTS)
            .filter(|&h| self.tenant_hosts[h])
            .map(|h| self.capacity[h])
            .sum();
        let mut rented = 0.0;
        for h in 0..CLOUD_SLOTS {
            self.tenant_load[h] = if self.tenant_hosts[h] && cap > 0.0 {
                (kgpu * self.capacity[h] / cap - self.tie_booked[h]).max(0.0)
            } else {
                0.0
            };
            rented += self.tenant_load[h];
        }
        self.rent_ratio = if kgpu > 0.0 { rented / kgpu } else { 1.0 };
        self.tenant_plan = kgpu;
    }

    /// The compute the clouds commit to independent labs in month `tick` under the ties'
    /// terms: on each investor's cloud (`tie_load`, `tie_booked`; and `tie_ahead`, a build
    /// lead time later) and for each lab (`tie_booked_lab`).
    pub fn commit_tie_compute(&mut self, s: &Scenario, tick: u32) {
        self.tie_load = [0.0; CLOUD_SLOTS];
        self.tie_ahead = [0.0; CLOUD_SLOTS];
        self.tie_booked_lab = [0.0; MAX_FIRMS];
        self.tie_bill_lab = [0.0; MAX_FIRMS];
        for (i, (t, parties)) in s.partnerships.iter().zip(&self.tie_parties).enumerate() {
            if let Some((cloud, lab)) = *parties {
                let kgpu = t.committed_kgpu(tick);
                self.tie_load[cloud] += kgpu;
                self.tie_booked_lab[lab] += kgpu;
                self.tie_ahead[cloud] += t.committed_kgpu(tick + s.cloud.build_lead_months);
                self.tie_bill_lab[lab] += kgpu * self.contract_price(i, cloud) * (1.0 - t.compute_discount);
            }
        }
        self.tie_booked = self.tie_load;
    }

    /// The compute committed under tie `t` and served in month `tick`, kGPU.
    pub fn served_commitment(&self, t: &crate::scenario::TieParams, tick: u32) -> f64 {
        t.committed_kgpu(tick) * self.tie_served
    }

    /// The committed compute lab `lab` was served this month, kGPU (research adds it to the
    /// served part of its rented compute).
    pub fn tie_compute(&self, lab: usize) -> f64 {
        self.tie_booked_lab[lab] * self.tie_served
    }

    /// How much of its lab's compute this month runs on tie `i`'s investor's cloud, 0..=1:
    /// the commitment served plus the lab's part (`own / tenant_plan`, its planned compute
    /// `own` over all independent labs') of the rentals placed there, over its rented and
    /// committed compute. The CMA's "relationship of dependency" on infrastructure
    /// (Amazon/Anthropic, 2024). 0 for a tie without parties or a lab without compute.
    pub fn tie_dependency(&self, i: usize, t: &crate::scenario::TieParams, tick: u32, own: f64) -> f64 {
        let Some(&Some((cloud, lab))) = self.tie_parties.get(i) else {
            return 0.0;
        };
        let rentals_there = if self.tenant_plan > 0.0 {
            self.tenant_load[cloud] * own / self.tenant_plan
        } else {
            0.0
        };
        let total = self.rented(own) + self.tie_compute(lab);
        if total > 0.0 {
            ((self.served_commitment(t, tick) + rentals_there) / total).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// Tie `i`'s price per kGPU-month before its discount: locked when its commitment first
    /// came online, else the cloud's current price.
    pub fn contract_price(&self, i: usize, cloud: usize) -> f64 {
        match self.tie_price.get(i) {
            Some(&p) if p > 0.0 => p,
            _ => self.price[cloud],
        }
    }

    /// The part of an independent lab's planned compute `plan` (kGPU, its `own_compute`)
    /// that it rents on the open market (`place_tenants`).
    pub fn rented(&self, plan: f64) -> f64 {
        plan * self.rent_ratio
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
    /// labs' spending (rented and committed) and the rest of the market's, $bn.
    pub fn revenue(&self, slot: usize) -> f64 {
        self.lab_fees[slot]
            + self.startup_spend[slot]
            + self.tenant_spend[slot]
            + self.tie_spend[slot]
            + self.third_party[slot] * self.price[slot]
    }
}
