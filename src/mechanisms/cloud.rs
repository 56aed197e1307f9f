//! Cloud contracts: the lab's compute demand, where exclusivity lets it go, migration
//! of running workloads, and own datacenters with lead times.
//!
//! The lab's demand grows by `cloud.demand_growth` a month, split training/inference by
//! `cloud.training_share`. New demand is placed by the partnership terms:
//! - `exclusive` (active partnership): only the investor's cloud; what its spare capacity
//!   cannot take is a shortfall (tension, slower research);
//! - `none` (or partnership dissolved/separated): a share min(1, diversify_target·(0.5 + tension))
//!   goes to the rival cloud or own datacenter with most spare capacity, the rest to the investor;
//! - `rofr`: the investor takes all of it with probability `rofr_match_rate·(1 − tension)`,
//!   otherwise it is placed as under `none`.
//!
//! Where it is allowed, the lab migrates a `migration_chunk` of its investor-hosted
//! workload with monthly probability `migration_propensity·motive·2/(1+migration_cost)`
//! (motive: tension above `migration_tension_threshold`, scaled to 0..1; 1 once the
//! partnership ended). A move costs `migration_cost·migration_cost_per_kgpu` $bn per kGPU
//! and leaves the moved compute unusable for `round(migration_cost·migration_disruption_months)`.
//! Own builds (not under exclusivity) add `build_size`× demand after `build_lead_months`.

use bevy_ecs::prelude::*;

use crate::scenario::Exclusivity;
use crate::sim::components::{CloudContract, Company, DatacenterBuild, Host, Partnership, PartnershipStatus, Workload};
use crate::sim::random::chance;
use crate::sim::resources::{Clock, EventLog, Params, Roster, Signals, SimRng};

use super::hiring::MAX_FIRMS;

/// The lab's freedom to place compute this month.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Placement {
    InvestorOnly,
    FirstRefusal,
    Free,
}

#[allow(clippy::too_many_arguments)]
pub fn cloud_contracts(
    params: Res<Params>,
    clock: Res<Clock>,
    roster: Res<Roster>,
    mut rng: ResMut<SimRng>,
    mut signals: ResMut<Signals>,
    mut log: ResMut<EventLog>,
    mut commands: Commands,
    partnership: Query<&Partnership>,
    mut companies: Query<&mut Company>,
    mut contracts: Query<&mut CloudContract>,
    builds: Query<(Entity, &DatacenterBuild)>,
) {
    let rng = &mut rng.0;
    let p = &params.0;
    let c = &p.cloud;
    let tick = clock.tick;
    let Ok(ps) = partnership.single() else { return };
    let lab = roster.lab;
    let investor = roster.investor;
    let placement = match ps.status {
        PartnershipStatus::Active => match ps.exclusivity {
            Exclusivity::Exclusive => Placement::InvestorOnly,
            Exclusivity::Rofr => Placement::FirstRefusal,
            Exclusivity::None => Placement::Free,
        },
        PartnershipStatus::Acquired => Placement::InvestorOnly,
        PartnershipStatus::Dissolved | PartnershipStatus::Separated => Placement::Free,
    };

    // Capacity: grow clouds, finish builds.
    let mut capacity = [0.0f64; MAX_FIRMS];
    let mut own_dc = 0.0;
    let mut lab_demand = 0.0;
    let mut lab_capital = 0.0;
    for (e, b) in builds.iter() {
        if b.ready_tick <= tick {
            for mut co in companies.iter_mut() {
                if co.idx == b.owner {
                    co.own_dc += b.kgpu;
                }
            }
            log.push(
                tick,
                "build_done",
                roster.name(b.owner),
                "",
                format!("{:.0} kGPU online", b.kgpu),
            );
            commands.entity(e).despawn();
        }
    }
    let build_pending = builds.iter().any(|(_, b)| b.ready_tick > tick && b.owner == lab);
    for mut co in companies.iter_mut() {
        co.cloud_capacity *= 1.0 + c.capacity_growth;
        if co.idx == lab {
            co.own_compute *= 1.0 + c.demand_growth;
            lab_demand = co.own_compute;
            own_dc = co.own_dc;
            lab_capital = co.capital;
        } else {
            co.own_compute *= 1.0 + c.capacity_growth;
        }
        if co.idx == investor {
            // The investor reserves part of its cloud for its in-house models.
            capacity[co.idx as usize] = co.cloud_capacity * (1.0 - p.research.investor_inhouse_compute);
        } else {
            capacity[co.idx as usize] = co.cloud_capacity;
        }
    }

    // Spare capacity per host after current contracts; end finished disruptions.
    let mut used = [0.0f64; MAX_FIRMS];
    let mut own_used = 0.0;
    let mut placed = 0.0;
    for mut k in contracts.iter_mut() {
        if k.disrupted > 0.0 && k.disrupted_until <= tick {
            k.disrupted = 0.0;
        }
        match k.host {
            Host::Cloud(h) => used[h as usize] += k.kgpu,
            Host::Own => own_used += k.kgpu,
        }
        if k.customer == lab {
            placed += k.kgpu;
        }
    }
    let spare = |h: Host, used: &[f64; MAX_FIRMS], own_used: f64| match h {
        Host::Cloud(i) => (capacity[i as usize] - used[i as usize]).max(0.0),
        Host::Own => (own_dc - own_used).max(0.0),
    };
    // The best alternative to the investor: most spare capacity among rivals and own DCs.
    let best_alternative = |used: &[f64; MAX_FIRMS], own_used: f64| {
        let mut best = (Host::Own, spare(Host::Own, used, own_used));
        for &cl in &roster.clouds {
            if cl != investor {
                let s = spare(Host::Cloud(cl), used, own_used);
                if s > best.1 {
                    best = (Host::Cloud(cl), s);
                }
            }
        }
        best
    };

    // Place new demand. Free placement diversifies more the higher the tension.
    let free_diversify = (c.diversify_target * (0.5 + ps.tension)).min(1.0);
    let new_demand = (lab_demand - placed).max(0.0);
    let mut moves: Vec<(Host, Workload, f64)> = Vec::new();
    let mut shortfall = 0.0;
    if new_demand > 0.0 {
        let inv_spare = spare(Host::Cloud(investor), &used, own_used);
        let to_investor = match placement {
            Placement::InvestorOnly => new_demand,
            Placement::FirstRefusal => {
                // The investor may take it all; if it passes, the lab places freely.
                let matched = chance(rng, c.rofr_match_rate * (1.0 - ps.tension)) && inv_spare >= new_demand;
                if matched {
                    new_demand
                } else {
                    new_demand * (1.0 - free_diversify)
                }
            }
            Placement::Free => new_demand * (1.0 - free_diversify),
        };
        let got = to_investor.min(inv_spare);
        let mut rest = new_demand - got;
        if placement == Placement::InvestorOnly {
            shortfall = rest;
            rest = 0.0;
        }
        if got > 0.0 {
            moves.push((Host::Cloud(investor), Workload::Training, got * c.training_share));
            moves.push((
                Host::Cloud(investor),
                Workload::Inference,
                got * (1.0 - c.training_share),
            ));
            used[investor as usize] += got;
        }
        if rest > 0.0 {
            let (host, room) = best_alternative(&used, own_used);
            let take = rest.min(room);
            shortfall += rest - take;
            if take > 0.0 {
                moves.push((host, Workload::Training, take * c.training_share));
                moves.push((host, Workload::Inference, take * (1.0 - c.training_share)));
                match host {
                    Host::Cloud(h) => used[h as usize] += take,
                    Host::Own => own_used += take,
                }
            }
        }
    }
    signals.compute_shortfall = if lab_demand > 0.0 { shortfall / lab_demand } else { 0.0 };

    // Migrate running workloads off the investor.
    let mut spend = 0.0;
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
        if motive > 0.0 && chance(rng, c.migration_propensity * motive * 2.0 / (1.0 + c.migration_cost)) {
            let (host, room) = best_alternative(&used, own_used);
            let disruption = (c.migration_cost * c.migration_disruption_months).round() as u32;
            let mut moved_total = 0.0;
            for mut k in contracts.iter_mut() {
                if k.customer == lab && k.host == Host::Cloud(investor) && room - moved_total > 0.0 {
                    let amount = (k.kgpu * c.migration_chunk).min(room - moved_total);
                    k.kgpu -= amount;
                    k.disrupted = k.disrupted.min(k.kgpu);
                    moves.push((host, k.workload, -amount)); // negative: arrives disrupted
                    moved_total += amount;
                }
            }
            if moved_total > 0.0 {
                spend += moved_total * c.migration_cost * c.migration_cost_per_kgpu;
                let to = match host {
                    Host::Cloud(h) => roster.name(h).to_string(),
                    Host::Own => "own datacenter".into(),
                };
                log.push(
                    tick,
                    "migration",
                    roster.name(lab),
                    roster.name(investor),
                    format!("{moved_total:.1} kGPU to {to}, disrupted {disruption} months"),
                );
            }
        }
    }

    // Apply placements: merge into the existing (host, workload) contract or open one.
    let disruption = (c.migration_cost * c.migration_disruption_months).round() as u32;
    for (host, workload, signed) in moves {
        let (amount, migrated) = if signed < 0.0 { (-signed, true) } else { (signed, false) };
        let mut merged = false;
        for mut k in contracts.iter_mut() {
            if k.customer == lab && k.host == host && k.workload == workload {
                k.kgpu += amount;
                if migrated {
                    k.disrupted += amount;
                    k.disrupted_until = k.disrupted_until.max(tick + disruption);
                }
                merged = true;
                break;
            }
        }
        if !merged {
            commands.spawn(CloudContract {
                customer: lab,
                host,
                workload,
                kgpu: amount,
                disrupted: if migrated { amount } else { 0.0 },
                disrupted_until: if migrated { tick + disruption } else { 0 },
            });
            let to = match host {
                Host::Cloud(h) => roster.name(h),
                Host::Own => "own datacenter",
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

    // Own datacenter builds, where the terms allow them.
    let build_cost = c.build_size * lab_demand * c.build_cost_per_kgpu;
    if placement != Placement::InvestorOnly
        && !build_pending
        && lab_capital > 1.5 * build_cost
        && chance(rng, c.build_propensity)
    {
        commands.spawn(DatacenterBuild {
            owner: lab,
            kgpu: c.build_size * lab_demand,
            ready_tick: tick + c.build_lead_months,
        });
        spend += build_cost;
        log.push(
            tick,
            "build_start",
            roster.name(lab),
            "",
            format!(
                "{:.0} kGPU ready in month {}",
                c.build_size * lab_demand,
                tick + c.build_lead_months
            ),
        );
    }

    // The lab pays its hosts for the cloud compute it uses.
    let mut fees = [0.0f64; MAX_FIRMS];
    for k in contracts.iter() {
        if let (true, Host::Cloud(h)) = (k.customer == lab, k.host) {
            fees[h as usize] += k.kgpu * c.price_per_kgpu_month;
        }
    }
    spend += fees.iter().sum::<f64>();
    for mut co in companies.iter_mut() {
        let i = co.idx as usize;
        co.spend -= fees[i]; // income for the host
        if co.idx == lab {
            co.spend += spend;
        }
    }
}
