//! Metrics: one row of model-level observables per month, and the decoupling watch.

use bevy_ecs::prelude::*;

use crate::mechanisms::regulation::Regulator;
use crate::scenario::Segment;
use crate::world::components::{CloudContract, Company, Partnership, Product, Researcher, Startup, Tie};
use crate::world::resources::{Clock, MetricsLog, Params, Roster, StartupIndex, TickMetrics};
use crate::world::signals::Signals;

use super::cloud::CloudMarket;
use super::partnership::lab_share_on_investor;
use crate::world::components::MAX_FIRMS;

/// Tracks the gradual form of decoupling (§2, rule 3): when the thresholds began to hold,
/// and the month they had held for `outcomes.decoupling_months` (then the partners have
/// decoupled, whatever happens to the thresholds later).
#[derive(Resource, Debug, Default)]
pub struct DecouplingWatch {
    pub since: Option<u32>,
    pub established: Option<u32>,
}

#[allow(clippy::too_many_arguments)]
pub fn metrics(
    params: Res<Params>,
    clock: Res<Clock>,
    roster: Res<Roster>,
    signals: Res<Signals>,
    startups: Res<StartupIndex>,
    market: Res<CloudMarket>,
    mut log: ResMut<MetricsLog>,
    mut watch: ResMut<DecouplingWatch>,
    contracts: Query<&CloudContract>,
    companies: Query<&Company>,
    partnership: Query<&Partnership>,
    products: Query<&Product>,
    regulators: Query<&Regulator>,
    researchers: Query<(), With<Researcher>>,
    staff: Query<&Startup>,
    ties: Query<&Tie>,
) {
    let p = &params.0;
    let nf = roster.firms();
    let mut row = TickMetrics {
        tick: clock.tick,
        ..Default::default()
    };
    let mut headcount = [0u32; MAX_FIRMS];
    row.retention = vec![0.0; nf];
    row.revenue = vec![0.0; nf];
    row.headcount = vec![0; nf];
    row.pay = vec![0.0; nf];
    row.cash = vec![0.0; nf];
    row.operating_flow = vec![0.0; nf];
    row.valuation = vec![0.0; nf];
    row.capability = vec![0.0; nf];
    let (mut lab_cap, mut inv_cap, mut inv_inhouse) = (1.0, 0.0, 0.0);
    for c in companies.iter() {
        headcount[c.idx as usize] = c.headcount;
        row.revenue[c.idx as usize] = c.usage;
        row.headcount[c.idx as usize] = c.headcount;
        row.pay[c.idx as usize] = c.pay;
        row.cash[c.idx as usize] = c.capital;
        row.operating_flow[c.idx as usize] = c.operating_flow;
        row.valuation[c.idx as usize] = c.valuation;
        row.capability[c.idx as usize] = c.capability;
        row.retention[c.idx as usize] = if c.initial_headcount > 0 {
            f64::from(c.original_staff) / f64::from(c.initial_headcount)
        } else {
            0.0
        };
        if c.idx == roster.lab {
            lab_cap = c.capability;
            row.lab_capital = c.capital;
            row.lab_compute_demand = c.own_compute;
        } else if c.idx == roster.investor {
            inv_cap = c.capability;
            inv_inhouse = c.inhouse_capability;
        }
    }
    lab_cap = f64::max(lab_cap, 1e-12);
    let total = researchers.iter().len() as u32;
    row.researchers = total;
    let mut sorted = headcount;
    sorted[..nf].sort_unstable_by(|a, b| b.cmp(a));
    let denom = f64::from(total.max(1));
    row.talent_share_top2 = f64::from(sorted[0] + sorted.get(1).copied().unwrap_or(0)) / denom;
    row.talent_share_partners = f64::from(headcount[roster.lab as usize] + headcount[roster.investor as usize]) / denom;
    row.lab_capability = lab_cap;
    row.open_weight_lag_months = signals.open_weight_lag;
    row.investor_capability = inv_cap;
    row.investor_inhouse_ratio = inv_inhouse / lab_cap;
    row.lab_cloud_share_investor = lab_share_on_investor(&roster, &contracts);
    row.lab_compute_shortfall = signals.compute_shortfall;
    row.lab_migrated_compute = market.lab_migrated;
    let total_revenue: f64 = roster.hosts.iter().map(|&h| market.revenue(h as usize)).sum();
    row.clouds = roster
        .hosts
        .iter()
        .map(|&h| {
            let h = h as usize;
            let share = if total_revenue > 0.0 {
                market.revenue(h) / total_revenue
            } else {
                0.0
            };
            [share, market.utilization[h], market.price[h]]
        })
        .collect();
    row.startups_alive = startups.alive.len() as u32;
    let (mut at_startups, mut staffless) = (0u64, 0u32);
    for &(_, e) in &startups.alive {
        if let Ok(st) = staff.get(e) {
            at_startups += u64::from(st.staff);
            staffless += u32::from(st.staff == 0);
        }
    }
    row.startup_researcher_share = at_startups as f64 / denom;
    row.startups_staffless_share = f64::from(staffless) / f64::from(row.startups_alive.max(1));
    row.hhi = signals.hhi;
    row.hhi_max = signals.hhi.iter().copied().fold(0.0, f64::max);
    for s in Segment::ALL {
        let mut v = vec![0.0; nf + 1];
        v[nf] = signals.fringe_share[s.index()];
        row.shares[s.index()] = v;
    }
    for pr in products.iter() {
        row.shares[pr.segment.index()][pr.firm as usize] = pr.share;
    }
    row.ties = vec![[0.0; 2]; p.partnerships.len()];
    for t in ties.iter() {
        if let (Some(row), Some(terms)) = (row.ties.get_mut(t.index as usize), p.partnerships.get(t.index as usize)) {
            *row = [t.stake, market.served_commitment(terms, clock.tick)];
        }
    }
    for r in regulators.iter() {
        row.regulator_stage[r.authority as usize] = r.stage().code();
    }
    if let Ok(ps) = partnership.single() {
        row.tension = ps.tension;
        row.info_sharing = ps.info_sharing;
        row.investor_stake = ps.stake;
        row.exclusivity = match ps.exclusivity {
            crate::scenario::Exclusivity::Exclusive => 2,
            crate::scenario::Exclusivity::Rofr => 1,
            crate::scenario::Exclusivity::None => 0,
        };
        row.partnership_status = ps.status.code();
        row.control_indicator = ps.control;
        row.mutual_dependence = ps.dependence;
        row.revenue_share = ps.revenue_share;
        row.surplus_lab = ps.surplus.0;
        row.surplus_investor = ps.surplus.1;
    }
    let o = &p.outcomes;
    let decoupled = row.lab_cloud_share_investor < o.decoupling_share_threshold
        && row.investor_inhouse_ratio > o.decoupling_inhouse_threshold;
    watch.since = match (decoupled, watch.since) {
        (true, None) => Some(clock.tick),
        (true, since) => since,
        (false, _) => None,
    };
    if watch.established.is_none() && watch.since.is_some_and(|t| clock.tick + 1 >= t + o.decoupling_months) {
        watch.established = Some(clock.tick);
    }
    log.0.push(row);
}
