//! Initialization: spawning the world of a run from its scenario.

use bevy_ecs::prelude::*;
use rand::rngs::ChaCha8Rng;

use super::components::*;
use super::random::{geometric_months, normal, uniform};
use super::resources::*;
use crate::mechanisms::metrics::DecouplingWatch;
use crate::mechanisms::startups::{new_startup, pick_weighted};
use crate::scenario::{Role, Scenario};

/// Fills an empty world with the scenario's agents and the run's resources. `seed` seeds the
/// run's RNG and the per-chunk streams of the hiring kernel.
pub fn populate(world: &mut World, scenario: &Scenario, seed: u64) {
    let mut rng = <ChaCha8Rng as rand::SeedableRng>::seed_from_u64(seed);
    let firms = scenario.companies.len();
    let lab = scenario.companies.iter().position(|c| c.role == Role::Lab).unwrap_or(0) as u8;
    let investor = scenario
        .companies
        .iter()
        .position(|c| c.role == Role::Investor)
        .unwrap_or(0) as u8;
    let clouds: Vec<u8> = (0..firms as u8)
        .filter(|&i| scenario.companies[i as usize].cloud_capacity > 0.0)
        .collect();
    let roster = Roster {
        names: scenario.companies.iter().map(|c| c.name.clone()).collect(),
        lab,
        investor,
        clouds: clouds.clone(),
    };

    // Startups first: researchers are assigned to their slots.
    let mut index = StartupIndex::default();
    let sp = &scenario.startups;
    let fringe_quality = crate::mechanisms::products::fringe_base_quality(scenario);
    let mut capacity = [0.0f64; crate::mechanisms::hiring::MAX_FIRMS];
    for (i, c) in scenario.companies.iter().enumerate() {
        capacity[i] = c.cloud_capacity;
    }
    let n_startups = sp.initial.min(sp.max_startups) as usize;
    let mut startups = Vec::with_capacity(n_startups);
    for _ in 0..n_startups {
        let cloud = pick_weighted(&clouds, &capacity, uniform(&mut rng));
        let quality = fringe_quality * (0.5 + uniform(&mut rng));
        startups.push(new_startup(&mut index, quality, sp.initial_cash, cloud, 0));
    }

    // Researchers: employer by talent_share, the rest spread over startups.
    let t = &scenario.talent;
    let mut headcount = vec![0u32; firms];
    let mut skill_sum = vec![0.0f64; firms];
    let mut staff = vec![0u32; n_startups];
    let mut cumulative = Vec::with_capacity(firms);
    let mut acc = 0.0;
    for c in &scenario.companies {
        acc += c.talent_share;
        cumulative.push(acc);
    }
    let mut make = || {
        // Log-normal skill with mean 1.
        let skill = (t.skill_sigma * normal(&mut rng) - 0.5 * t.skill_sigma * t.skill_sigma).exp() as f32;
        let mission_pref = uniform(&mut rng) as f32;
        let u = uniform(&mut rng);
        let employer = match cumulative.iter().position(|&c| u < c) {
            Some(f) => {
                headcount[f] += 1;
                skill_sum[f] += skill as f64;
                f as u32
            }
            None if n_startups > 0 => {
                let s = ((uniform(&mut rng) * n_startups as f64) as usize).min(n_startups - 1);
                staff[s] += 1;
                STARTUP_BASE + s as u32
            }
            None => UNATTACHED,
        };
        // Clock starts at month 1, so the first search month is the geometric draw itself.
        let next_search = geometric_months(&mut rng, t.search_hazard).min(u16::MAX as u32) as u16;
        Researcher {
            skill,
            mission_pref,
            employer,
            next_search,
        }
    };
    // Reuse the researcher entities of the previous run when the pool has the same size:
    // overwriting in table order gives exactly the state a fresh spawn would.
    let mut existing = world.query::<&mut Researcher>();
    if existing.iter(world).len() == t.researchers as usize {
        for mut r in existing.iter_mut(world) {
            *r = make();
        }
    } else {
        let old: Vec<Entity> = world.query_filtered::<Entity, With<Researcher>>().iter(world).collect();
        for e in old {
            world.despawn(e);
        }
        world.spawn_batch((0..t.researchers).map(|_| make()));
    }
    for (st, n) in startups.iter_mut().zip(&staff) {
        st.staff = *n;
    }
    let ids: Vec<Entity> = world.spawn_batch(startups).collect();
    index.alive = (0..n_startups as u32).zip(ids).collect();

    // The lab's compute: on the investor's cloud and, for the rest, its own capacity.
    let cp = &scenario.cloud;
    let demand = scenario.companies[lab as usize].own_compute;
    let on_investor = demand * cp.initial_investor_share;
    let own = demand - on_investor;

    // Companies and their products.
    for (i, c) in scenario.companies.iter().enumerate() {
        world.spawn(Company {
            idx: i as u8,
            role: c.role,
            capital: c.capital,
            other_income: c.other_income,
            cloud_capacity: c.cloud_capacity,
            own_compute: c.own_compute,
            own_dc: if i == lab as usize { own } else { 0.0 },
            capability: c.capability,
            pay: c.pay,
            mission: c.mission,
            distribution: c.distribution,
            price: c.price,
            headcount: headcount[i],
            skill_sum: skill_sum[i],
            revenue: 0.0,
            spend: 0.0,
            cash_flow: 0.0,
        });
        for &segment in &c.segments {
            world.spawn(Product {
                firm: i as u8,
                segment,
                quality: c.capability,
                share: 0.0,
            });
        }
    }

    for (host, amount) in [(Host::Cloud(investor), on_investor), (Host::Own, own)] {
        for (workload, share) in [
            (Workload::Training, cp.training_share),
            (Workload::Inference, 1.0 - cp.training_share),
        ] {
            if amount * share > 0.0 {
                world.spawn(CloudContract {
                    customer: lab,
                    host,
                    workload,
                    kgpu: amount * share,
                    disrupted: 0.0,
                    disrupted_until: 0,
                });
            }
        }
    }

    let pp = &scenario.partnership;
    let g = &scenario.governance;
    world.spawn(Partnership {
        status: PartnershipStatus::Active,
        exclusivity: pp.exclusivity,
        stake: pp.investor_stake,
        first_access: pp.first_access,
        info_sharing: pp.info_sharing,
        board_seat: pp.board_seat,
        tension: pp.tension_initial,
        safety_gap: g.safety_gap_initial,
        pace_gap: g.pace_gap_initial,
        dependence: 1.0,
        control: 0.0,
        bid_pending_since: None,
        separation_due: None,
        ended_tick: None,
        lab_weak_until: 0,
        renegotiations: 0,
        bids: 0,
    });
    for a in Authority::ALL {
        let ap = match a {
            Authority::Eu => &scenario.regulation.eu,
            Authority::Cma => &scenario.regulation.cma,
            Authority::Ftc => &scenario.regulation.ftc,
        };
        world.spawn(Regulator {
            authority: a,
            stage: ap.initial_stage,
            months_in_stage: ap.initial_months_in_stage,
            bid: BidReview::Idle,
        });
    }

    world.insert_resource(Params(scenario.clone()));
    world.insert_resource(SimRng(rng));
    world.insert_resource(RunSeed(seed));
    world.insert_resource(Clock { tick: 1 });
    world.insert_resource(roster);
    world.insert_resource(Signals::default());
    world.insert_resource(index);
    world.insert_resource(EventLog::default());
    world.insert_resource(MetricsLog(Vec::with_capacity(scenario.horizon_months as usize)));
    world.insert_resource(DecouplingWatch::default());
}
