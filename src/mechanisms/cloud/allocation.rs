//! Steps 4 and 5 of the month: spare capacity after the running workloads, the new
//! demand's claims and their allocation, migration off the investor, and the contracts
//! booked.

use bevy_ecs::prelude::*;
use rand::rngs::ChaCha8Rng;

use super::{CloudMarket, HOSTS, Month, OWN, Placement};
use crate::scenario::CloudParams;
use crate::world::components::{CLOUD_SLOTS, CloudContract, FirmIdx, Host, PartnershipStatus, Workload};
use crate::world::random::uniform;
use crate::world::resources::{EventLog, Roster};

fn host_index(h: Host) -> usize {
    match h {
        Host::Cloud(slot) => slot as usize,
        Host::Own => OWN,
    }
}

fn host_of(i: usize) -> Host {
    if i == OWN { Host::Own } else { Host::Cloud(i as FirmIdx) }
}

/// Capacity after the running workloads: spare per host, the rest of the market still
/// served, and the independent labs' demand (turned away per cloud, and in total).
pub(super) struct Committed {
    pub(super) spare: [f64; HOSTS],
    pub(super) served_tp: f64,
    pub(super) tenant_unmet: [f64; CLOUD_SLOTS],
    pub(super) tenant_demand: f64,
}

/// Where the new demand went: the lab's new compute per host, what it could not place, and
/// the demand each cloud turned away.
pub(super) struct Allocation {
    pub(super) got: [f64; HOSTS],
    pub(super) lab_unmet: f64,
    pub(super) turned_away: [f64; CLOUD_SLOTS],
}

/// The lab's new compute to book this month: placed per host (split by `training_frac`),
/// migrated per host and workload, at the prices signed on each cloud.
pub(super) struct Bookings {
    pub(super) got: [f64; HOSTS],
    pub(super) moved_in: [[f64; 2]; HOSTS],
    pub(super) training_frac: f64,
    pub(super) signed_price: [f64; CLOUD_SLOTS],
}

/// The lab's running contracts, kGPU per host and workload; disruptions that have run
/// their course end.
pub(super) fn running_contracts(contracts: &mut Query<&mut CloudContract>, tick: u32) -> [[f64; 2]; HOSTS] {
    let mut lab_on = [[0.0f64; 2]; HOSTS];
    for mut k in contracts.iter_mut() {
        if k.disrupted > 0.0 && k.disrupted_until <= tick {
            k.disrupted = 0.0;
        }
        lab_on[host_index(k.host)][k.workload as usize] += k.kgpu;
    }
    lab_on
}

/// The committed load on each cloud (its owner, startups, the lab's contracts, the
/// independent labs) is served first; the rest of the market keeps what is left.
pub(super) fn serve_committed(
    m: &mut CloudMarket,
    roster: &Roster,
    lab_on: &[[f64; 2]; HOSTS],
    own_dc: f64,
) -> Committed {
    let mut spare = [0.0f64; HOSTS];
    let mut served_tp = 0.0;
    // Where prices rose above what the rest of the market will pay for its running load,
    // the marginal customers leave (in proportion on every cloud).
    let running: f64 = roster.hosts.iter().map(|&h| m.third_party[h as usize]).sum();
    let keep = if running > m.third_party_wanted && running > 0.0 {
        m.third_party_wanted / running
    } else {
        1.0
    };
    let (mut tenant_unmet, mut tenant_demand) = ([0.0f64; CLOUD_SLOTS], 0.0);
    let (mut tie_demand, mut tie_served) = (0.0, 0.0);
    for &h in &roster.hosts {
        let h = h as usize;
        // The independent labs' load is served as far as the cloud's capacity reaches after
        // its owner, startups and the lab's contracts, the compute committed under their
        // ties (dedicated clusters) before what they rent; the rest is turned away.
        let before = m.own_use[h] + m.startup_load[h] + lab_on[h][0] + lab_on[h][1];
        let tie = m.tie_load[h].min((m.capacity[h] - before).max(0.0));
        let served = m.tenant_load[h].min((m.capacity[h] - before - tie).max(0.0));
        tenant_unmet[h] = m.tenant_load[h] - served + m.tie_load[h] - tie;
        tenant_demand += m.tenant_load[h];
        tie_demand += m.tie_load[h];
        tie_served += tie;
        m.tenant_load[h] = served;
        m.tie_load[h] = tie;
        let committed = before + tie + served;
        // The rest of the market is the flexible customer: squeezed when committed load grows.
        m.third_party[h] = (m.third_party[h] * keep).min((m.capacity[h] - committed).max(0.0));
        spare[h] = (m.capacity[h] - committed - m.third_party[h]).max(0.0);
        served_tp += m.third_party[h];
    }
    spare[OWN] = (own_dc - lab_on[OWN][0] - lab_on[OWN][1]).max(0.0);
    m.tie_served = if tie_demand > 0.0 { tie_served / tie_demand } else { 1.0 };
    Committed {
        spare,
        served_tp,
        tenant_unmet,
        tenant_demand,
    }
}

/// The lab's demand beyond its running contracts, and the training share of it.
pub(super) fn lab_new_demand(demand: &[f64; 2], lab_on: &[[f64; 2]; HOSTS]) -> (f64, f64) {
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
    (new_lab, training_frac)
}

/// The rest of the market's growth, spread by incumbency and relative price.
pub(super) fn third_party_claims(
    c: &CloudParams,
    m: &CloudMarket,
    order: &[usize],
    served_tp: f64,
) -> [f64; CLOUD_SLOTS] {
    let new_tp = (m.third_party_wanted - served_tp).max(0.0);
    let mean_price = m.mean_price(order.iter().copied()).unwrap_or(c.price_per_kgpu_month);
    let mut tp_claim = [0.0f64; CLOUD_SLOTS];
    let mut weight_sum = 0.0;
    for &h in order {
        tp_claim[h] = m.third_party[h].max(1e-9) * (m.price[h] / mean_price).powf(-c.price_elasticity);
        weight_sum += tp_claim[h];
    }
    for &h in order {
        tp_claim[h] *= new_tp / weight_sum.max(1e-300);
    }
    tp_claim
}

/// The price the lab signs at on each cloud this month. Under first refusal the investor
/// keeps the business by matching the cheapest rival offer.
pub(super) fn signed_prices(mo: &Month, m: &CloudMarket, order: &[usize], spare: &[f64; HOSTS]) -> [f64; CLOUD_SLOTS] {
    let investor = mo.investor;
    let mut signed_price = m.price;
    if let (Placement::FirstRefusal, Some(&alt)) =
        (mo.placement, order.iter().find(|&&h| h != investor && spare[h] > 0.0))
    {
        signed_price[investor] = m.price[investor].min(m.price[alt]);
    }
    signed_price
}

/// The lab's claims: its own datacenters first (cheapest), then by the terms.
pub(super) fn lab_claims(
    mo: &Month,
    m: &CloudMarket,
    order: &[usize],
    spare: &[f64; HOSTS],
    new_lab: f64,
) -> [f64; HOSTS] {
    let investor = mo.investor;
    let mut lab_claim = [0.0f64; HOSTS];
    lab_claim[OWN] = new_lab.min(spare[OWN]);
    let rest = new_lab - lab_claim[OWN];
    let cheapest_alternative = order.iter().copied().find(|&h| h != investor && spare[h] > 0.0);
    match (mo.placement, cheapest_alternative) {
        (Placement::Free | Placement::FirstRefusal, Some(alt)) => {
            let relative = (m.price[investor] / m.price[alt]).powf(mo.c.price_elasticity);
            let off = (mo.c.diversify_target * (0.5 + mo.ps.tension) * relative).min(1.0);
            let mut kept = rest * (1.0 - off);
            // Under a right of first refusal the investor matches the rival offers for as
            // much as its spare capacity holds; it does not build to match (in 2025 the
            // investor let Oracle and others build the lab's new capacity, keeping its right
            // of first refusal).
            if mo.placement == Placement::FirstRefusal {
                kept += (rest * off).min((spare[investor] - kept).max(0.0));
            }
            lab_claim[alt] += rest - kept;
            lab_claim[investor] += kept;
        }
        _ => lab_claim[investor] += rest,
    }
    lab_claim
}

/// Where claims exceed spare capacity the lab, an anchor tenant on long-term contracts,
/// is served first; the rest of the market gets what is left.
pub(super) fn allocate(
    placement: Placement,
    m: &mut CloudMarket,
    order: &[usize],
    spare: &mut [f64; HOSTS],
    lab_claim: &[f64; HOSTS],
    tp_claim: &[f64; CLOUD_SLOTS],
    tenant_unmet: &[f64; CLOUD_SLOTS],
) -> Allocation {
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
    for (t, unmet) in turned_away.iter_mut().zip(*tenant_unmet) {
        *t = *t * unserved_share + unmet;
    }
    Allocation {
        got,
        lab_unmet,
        turned_away,
    }
}

/// Migration of running workloads off the investor (not under exclusivity): with a motive
/// (tension above the threshold, or the partnership over), the lab may move a chunk of its
/// contracts there to its own datacenters, else the cheapest alternative with room. Returns
/// what moved in per host and workload, and its one-off cost.
pub(super) fn migrate(
    mo: &Month,
    m: &mut CloudMarket,
    rng: &mut ChaCha8Rng,
    contracts: &mut Query<&mut CloudContract>,
    log: &mut EventLog,
    spare: &mut [f64; HOSTS],
    order: &[usize],
) -> ([[f64; 2]; HOSTS], f64) {
    let (c, ps, investor, disruption) = (mo.c, mo.ps, mo.investor, mo.disruption);
    let mut moved_in = [[0.0f64; 2]; HOSTS];
    let mut one_off = 0.0;
    // Drawn every month, whatever the terms, so that the stream stays paired across scenarios.
    let u = uniform(rng);
    if mo.placement != Placement::InvestorOnly {
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
            && u < c.migration_propensity * motive * 2.0 / (1.0 + c.migration_cost)
        {
            let mut room = spare[to];
            // A costlier move is staged in smaller pieces (re-engineering, data egress and
            // validation per workload), as well as being started less often.
            let chunk = c.migration_chunk / c.migration_cost.max(1.0);
            for mut k in contracts.iter_mut() {
                if k.host == Host::Cloud(investor as FirmIdx) && room > 0.0 {
                    let amount = (k.kgpu * chunk).min(room);
                    k.kgpu -= amount;
                    k.disrupted = k.disrupted.min(k.kgpu);
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
                    mo.roster.cloud_name(to as FirmIdx)
                };
                log.push(
                    mo.tick,
                    "migration",
                    mo.roster.name(mo.lab),
                    mo.roster.cloud_name(investor as FirmIdx),
                    format!("{moved:.1} kGPU to {name}, disrupted {disruption} months"),
                );
            }
        }
    }
    (moved_in, one_off)
}

/// Apply placements: merge into the (host, workload) contract or open one.
pub(super) fn book_contracts(
    mo: &Month,
    b: &Bookings,
    contracts: &mut Query<&mut CloudContract>,
    commands: &mut Commands,
    log: &mut EventLog,
) {
    let (tick, lab, roster) = (mo.tick, mo.lab, mo.roster);
    let training_frac = b.training_frac;
    for (i, host_got) in b.got.iter().enumerate() {
        for (w, workload) in [Workload::Training, Workload::Inference].into_iter().enumerate() {
            let placed = host_got * if w == 0 { training_frac } else { 1.0 - training_frac };
            let migrated = b.moved_in[i][w];
            if placed + migrated <= 0.0 {
                continue;
            }
            let host = host_of(i);
            let until = tick + mo.disruption;
            let price = if i == OWN { 0.0 } else { b.signed_price[i] };
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
}
