//! Initialization: spawning the world of a run from its scenario.

use bevy_ecs::prelude::*;
use rand::rngs::ChaCha8Rng;

use crate::mechanisms::cloud::CloudMarket;
use crate::mechanisms::hiring::{
    Amenities, CHUNK, OPTIONS, PARALLEL_FROM, SectorExit, WeightRows, base_utility, mission_bin, sector_quality,
    steady_state_amenities, steady_state_cumulative,
};
use crate::mechanisms::metrics::DecouplingWatch;
use crate::mechanisms::partnership::control_indicator;
use crate::mechanisms::products::{FirmView, Observables, initial_brands, marketplace_unreached, open_capability};
use crate::mechanisms::regulation;
use crate::mechanisms::regulation::{BidReview, Regulator};
use crate::mechanisms::startups::{new_startup, pick_weighted};
use crate::scenario::{Role, Scenario, Segment, Stage};
use crate::world::components::*;
use crate::world::random::{Geometric, normal, uniform};
use crate::world::random::{SimRng, Stream};
use crate::world::resources::*;
use crate::world::signals::Signals;

/// How researchers are drawn at the start of a run.
struct InitDraw<'a> {
    seed: u64,
    /// Cumulative steady-state employer shares per mission level (firms, then the sector).
    cumulative: &'a WeightRows,
    options: usize,
    n_startups: usize,
    sigma: f64,
    hazard: Geometric,
    /// [`Geometric::beyond`] the horizon: search months after it never matter.
    search_beyond: f64,
    firms: usize,
}

/// What one chunk of new researchers adds to the firm aggregates and startup staff.
struct ChunkInit {
    headcount: Vec<u32>,
    skill_sum: Vec<f64>,
    at_startups: Vec<u32>,
}

/// Streams of the initial draw: far above the hiring kernel's (month << 32 | chunk).
const INIT_STREAM: u64 = 1 << 63;

impl InitDraw<'_> {
    fn fill(&self, chunk: usize, researchers: &mut [Researcher]) -> ChunkInit {
        let mut rng = <ChaCha8Rng as rand::SeedableRng>::seed_from_u64(self.seed);
        rng.set_stream(INIT_STREAM | chunk as u64);
        let mut out = ChunkInit {
            headcount: vec![0; self.firms],
            skill_sum: vec![0.0; self.firms],
            at_startups: Vec::new(),
        };
        for r in researchers.iter_mut() {
            // Log-normal skill with mean 1.
            let skill = (self.sigma * normal(&mut rng) - 0.5 * self.sigma * self.sigma).exp() as f32;
            let mission_pref = uniform(&mut rng) as f32;
            let u = uniform(&mut rng);
            let row = &self.cumulative[mission_bin(mission_pref)];
            let choice = (0..self.options).find(|&o| u < row[o]).unwrap_or(self.options - 1);
            let employer = if choice < self.firms {
                out.headcount[choice] += 1;
                out.skill_sum[choice] += f64::from(skill);
                choice as u32
            } else if self.n_startups > 0 {
                let s = ((uniform(&mut rng) * self.n_startups as f64) as usize).min(self.n_startups - 1);
                out.at_startups.push(s as u32);
                STARTUP_BASE + s as u32
            } else {
                UNATTACHED
            };
            // Clock starts at month 1, so the first search month is the geometric draw itself.
            let next_search = self
                .hazard
                .months_within(&mut rng, self.search_beyond)
                .min(u16::MAX as u32) as u16;
            *r = Researcher {
                skill,
                mission_pref,
                employer,
                next_search,
                since: 0,
            };
        }
        out
    }
}

/// Fills an empty world with the scenario's agents and the run's resources. `seed` seeds the
/// run's RNG and the per-chunk streams of the hiring kernel.
pub fn populate(world: &mut World, scenario: &Scenario, seed: u64, prepared: &Prepared) {
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
    let mut hosts = clouds.clone();
    hosts.push(OTHER_CLOUD);
    let roster = Roster {
        names: scenario.companies.iter().map(|c| c.name.clone()).collect(),
        lab,
        investor,
        clouds,
        hosts,
    };

    // The lab's compute: on the investor's cloud and, for the rest, its own capacity.
    let cp = &scenario.cloud;
    let demand = scenario.companies[lab as usize].own_compute;
    let on_investor = demand * cp.initial_investor_share;
    let own = demand - on_investor;
    let mut lab_on = [0.0f64; CLOUD_SLOTS];
    lab_on[investor as usize] = on_investor;
    let mut market = CloudMarket::new(scenario, &roster, &lab_on);

    // Startups first: researchers are assigned to their slots.
    let mut index = StartupIndex::default();
    let sp = &scenario.startups;
    let fringe_quality = crate::mechanisms::products::fringe_base_quality(scenario);
    let mut weights = [0.0f64; CLOUD_SLOTS];
    market.startup_weights(cp, &roster.hosts, &mut weights);
    let n_startups = sp.initial.min(sp.max_startups) as usize;
    let mut startups = Vec::with_capacity(n_startups);
    for _ in 0..n_startups {
        let cloud = pick_weighted(&roster.hosts, &weights, uniform(&mut rng));
        let quality = fringe_quality * (0.5 + uniform(&mut rng));
        startups.push(new_startup(&mut index, quality, sp.initial_cash, cloud, 0));
    }

    // Researchers: each draws a starting employer from the hiring model's steady state at
    // its mission level. The amenities are solved in the reference world (§ below) so
    // that its steady state gives every firm its `talent_share` and the rest to startups;
    // the draw uses the scenario's own pay, mission and capability with those amenities, so
    // the baseline starts where its hiring dynamics would take it (no transient) and a
    // scenario that changes pay starts at its own steady state. Drawn in the hiring
    // kernel's fixed chunks, each from its own stream, so a large pool is filled in
    // parallel with the same result on any number of threads.
    let t = &scenario.talent;
    let options = if n_startups > 0 { firms + 1 } else { firms };
    let amenity = prepared.amenity;
    let cumulative = &prepared.cumulative;
    let n = t.researchers as usize;
    if !world.contains_resource::<Clock>() {
        claim_resource_entities(world, scenario, &roster, &market, amenity);
    }
    let mut existing = world.query::<&mut Researcher>();
    if existing.iter(world).len() != n {
        // Reuse the previous run's researcher entities when the pool has the same size.
        let old: Vec<Entity> = world.query_filtered::<Entity, With<Researcher>>().iter(world).collect();
        for e in old {
            world.despawn(e);
        }
        world.spawn_batch(std::iter::repeat_n(
            Researcher {
                skill: 0.0,
                mission_pref: 0.0,
                employer: UNATTACHED,
                next_search: 0,
                since: 0,
            },
            n,
        ));
    }
    let draw = InitDraw {
        seed,
        cumulative,
        options,
        n_startups,
        sigma: t.skill_sigma,
        hazard: Geometric::new(t.search_hazard),
        search_beyond: Geometric::new(t.search_hazard).beyond(scenario.horizon_months),
        firms,
    };
    let mut headcount = vec![0u32; firms];
    let mut skill_sum = vec![0.0f64; firms];
    let mut staff = vec![0u32; n_startups];
    let mut state = world.query::<&mut Researcher>();
    if let Ok(tables) = state.contiguous_iter_mut(world) {
        for mut table in tables {
            let slice = table.bypass_change_detection();
            let parts: Vec<ChunkInit> = if slice.len() >= PARALLEL_FROM {
                use rayon::prelude::*;
                slice
                    .par_chunks_mut(CHUNK)
                    .enumerate()
                    .map(|(c, rs)| draw.fill(c, rs))
                    .collect()
            } else {
                slice
                    .chunks_mut(CHUNK)
                    .enumerate()
                    .map(|(c, rs)| draw.fill(c, rs))
                    .collect()
            };
            for part in parts {
                for f in 0..firms {
                    headcount[f] += part.headcount[f];
                    skill_sum[f] += part.skill_sum[f];
                }
                for s in part.at_startups {
                    staff[s as usize] += 1;
                }
            }
        }
    }
    for (st, n) in startups.iter_mut().zip(&staff) {
        st.staff = *n;
        // Mid-life startups: cash for a uniform share of a round's months of burn, so
        // their rounds come due spread over time.
        st.cash = sp.round_months * sp.burn_per_researcher * f64::from(*n) * uniform(&mut rng);
        let spend = cp.startup_compute_share * sp.burn_per_researcher * f64::from(*n);
        market.add_startup_load(st.cloud, spend / market.price[st.cloud as usize]);
    }
    let ids: Vec<Entity> = world.spawn_batch(startups).collect();
    index.alive = (0..n_startups as u32).zip(ids).collect();

    let brands = &prepared.brands;

    // Companies and their products.
    for (i, c) in scenario.companies.iter().enumerate() {
        world.spawn(Company {
            idx: i as u8,
            role: c.role,
            capital: c.capital,
            other_income: c.other_income,
            own_compute: c.own_compute,
            own_dc: if i == lab as usize { own } else { 0.0 },
            capability: c.capability,
            inhouse_capability: c.capability,
            pay: c.pay,
            mission: c.mission,
            distribution: c.distribution,
            price: c.price,
            headcount: headcount[i],
            skill_sum: skill_sum[i],
            initial_headcount: headcount[i],
            original_staff: headcount[i],
            revenue: 0.0,
            usage: 0.0,
            spend: 0.0,
            one_off: 0.0,
            operating_flow: 0.0,
            last_round_valuation: 0.0,
            valuation: 0.0,
            usage_growth: scenario.products.market_growth,
            prev_usage: 0.0,
        });
        for &segment in &c.segments {
            world.spawn(Product {
                firm: i as u8,
                segment,
                quality: c.capability,
                // The starting share (month 1 reads the cloud AI shares from it).
                share: c.initial_shares.get(segment.index()).copied().unwrap_or(0.0),
                brand: brands[i][segment.index()],
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
                    price: if host == Host::Own {
                        0.0
                    } else {
                        market.price[investor as usize]
                    },
                    disrupted: 0.0,
                    disrupted_until: 0,
                });
            }
        }
    }

    let pp = &scenario.partnership;
    let g = &scenario.governance;
    let partnership = Partnership {
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
        sell_down: false,
        divested: None,
        absorbed: false,
        ended_tick: None,
        lab_weak_until: 0,
        renegotiations: 0,
        revenue_share: scenario.products.lab_revenue_share,
        absorption_until: None,
        absorption_base: 0.0,
        absorbed_skill: 0.0,
        crisis_severity: 0.0,
        bid_price: 0.0,
        compute_grievance: 0.0,
        settled_grievance: 0.0,
        last_settled: None,
        board_reservation_draw: None,
        offers_refused: 0,
        surplus: (0.0, 0.0),
        bids: 0,
        separation_route: None,
    };
    // Regulators: a case already open at the start (scenario), the investor's initial
    // terms as seen, and its initial level of influence as reviewed (see
    // `regulation::initial_accepted`).
    let rp = &scenario.regulation;
    let mut rngs = SimRng::new(seed);
    let u_law = uniform(rngs.get(Stream::Law));
    world.spawn(partnership.clone());
    // The other ties, in scenario order (names were checked against the roster).
    let firm = |name: &str| scenario.company_index(name).unwrap_or(0) as FirmIdx;
    for (i, t) in scenario.partnerships.iter().enumerate() {
        world.spawn(Tie {
            index: i as u16,
            investor: firm(&t.investor),
            lab: firm(&t.lab),
            stake: t.stake,
            paid: 0,
            invested: 0.0,
            changed: None,
            tranche: 0.0,
            converted: false,
            terms_seen: TieTerms::of(t),
            reviewed: [None; 3],
            looked_at: [None; 3],
            hsr_filed: None,
            divest_due: None,
            divested: None,
        });
    }
    for a in Authority::ALL {
        let ap = regulation::authority_params(rp, a);
        let ties_suffice = regulation::ties_reading(a, u_law, rp);
        let (seen, level) = {
            let mut ps = Partnership::clone(&partnership);
            ps.control = control_indicator(&ps, cp.initial_investor_share);
            let level = regulation::influence(ps.stake, ps.board_seat, ps.control, ties_suffice, rp);
            (regulation::Terms::of(&ps, level), level)
        };
        let case = (ap.initial_stage != Stage::Monitoring).then(|| {
            regulation::Case::open(
                regulation::CaseKind::Partnership,
                ap.initial_stage,
                ap.initial_months_in_stage,
                ap,
            )
        });
        world.spawn(Regulator {
            authority: a,
            case,
            bid_case: None,
            bid: BidReview::Idle,
            acquihire_cases: Vec::new(),
            accepted: regulation::initial_accepted(level),
            last_change: None,
            seen,
            case_route: None,
            ties_suffice,
            tie_cases: Vec::new(),
        });
    }

    world.insert_resource(Params(scenario.clone()));
    world.insert_resource(rngs);
    world.insert_resource(RunSeed(seed));
    world.insert_resource(Clock { tick: 1 });
    world.insert_resource(roster);
    world.insert_resource(Signals::default());
    world.insert_resource(index);
    world.insert_resource(EventLog::default());
    world.insert_resource(MetricsLog(Vec::with_capacity(scenario.horizon_months as usize)));
    world.insert_resource(DecouplingWatch::default());
    world.insert_resource(market);
    world.insert_resource(Amenities(amenity));
}

/// Inserts every resource of a run, with placeholder values that the end of `populate`
/// overwrites, before the first researcher is spawned. bevy stores each resource on an
/// entity of its own, in a sparse set whose index array is as long as the largest entity
/// index it holds: a resource spawned after a million researchers costs 4 MB, one spawned
/// before them a few bytes (measured: 60 MB of a `scale-1m` run's 184 MB peak).
fn claim_resource_entities(
    world: &mut World,
    scenario: &Scenario,
    roster: &Roster,
    market: &CloudMarket,
    amenity: [f64; OPTIONS],
) {
    world.insert_resource(Params(scenario.clone()));
    world.insert_resource(SimRng::new(0));
    world.insert_resource(RunSeed(0));
    world.insert_resource(Clock { tick: 1 });
    world.insert_resource(roster.clone());
    world.insert_resource(Signals::default());
    world.insert_resource(StartupIndex::default());
    world.insert_resource(EventLog::default());
    world.insert_resource(MetricsLog::default());
    world.insert_resource(DecouplingWatch::default());
    world.insert_resource(market.clone());
    world.insert_resource(Amenities(amenity));
    world.insert_resource(crate::sim::timeline::Timeline::default());
}

/// What setup derives from the scenario alone (the same for every run, so an engine
/// computes it once per scenario): the amenities, the steady-state employer draw, the brands.
pub struct Prepared {
    amenity: [f64; OPTIONS],
    cumulative: Box<WeightRows>,
    brands: Vec<[f64; 4]>,
}

/// The world in which brands and amenities are solved (see `reference_world`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reference {
    /// The baseline's primitives with the scenario's observed shares: what `run`, `sweep`,
    /// `compare` and `serve` use, so a scenario that moves a primitive moves shares and
    /// employment from month 1.
    #[default]
    Baseline,
    /// The scenario itself: brands and amenities re-solved for it, so its starting shares and
    /// employment are the observed ones whatever its primitives. A calibration's mode: each
    /// candidate parameter set is its own reference world, so market primitives can be
    /// free (docs/MODEL.md §10.1). For the baseline both give the same world.
    Candidate,
}

impl Reference {
    /// The word of target files (`[abc] reference`).
    pub fn as_str(self) -> &'static str {
        match self {
            Reference::Baseline => "baseline",
            Reference::Candidate => "candidate",
        }
    }
}

impl Prepared {
    /// Solved in the baseline's reference world ([`Reference::Baseline`]).
    pub fn new(scenario: &Scenario) -> Prepared {
        Prepared::solve(scenario, Reference::Baseline)
    }

    /// Solved in the given reference world.
    pub fn solve(scenario: &Scenario, reference: Reference) -> Prepared {
        let firms = scenario.companies.len();
        let lab = scenario.companies.iter().position(|c| c.role == Role::Lab).unwrap_or(0);
        let investor = scenario
            .companies
            .iter()
            .position(|c| c.role == Role::Investor)
            .unwrap_or(0);
        let n_startups = scenario.startups.initial.min(scenario.startups.max_startups) as usize;
        let options = if n_startups > 0 { firms + 1 } else { firms };
        let reference = match reference {
            Reference::Baseline => reference_world(scenario),
            Reference::Candidate => scenario.clone(),
        };

        // Amenities solved in the reference world; the draw uses the scenario's attributes.
        let (ref_base, ref_mission, targets) = talent_options(&reference, options);
        // The steady state includes the sector's exits (startups bought, staff to the
        // buyer) at the reference world's rates for the amenities and for the draw alike: the
        // start is the record, and a scenario's acquisition rate acts from month 1.
        // Without startups there is no sector to leave.
        let exit = if options > firms {
            SectorExit::of(&reference)
        } else {
            SectorExit::NONE
        };
        let amenity = steady_state_amenities(&reference.talent, &ref_base, &ref_mission, options, &targets, &exit);
        let (mut base, mission, _) = talent_options(scenario, options);
        for (b, a) in base.iter_mut().zip(&amenity) {
            *b += a;
        }
        let cumulative = steady_state_cumulative(&scenario.talent, &base, &mission, options, &exit);

        // Brands: the logit inverted at the starting shares, at the starting state of the
        // reference world.
        let views: Vec<FirmView> = reference
            .companies
            .iter()
            .enumerate()
            .map(|(i, c)| FirmView {
                idx: i,
                role: c.role,
                capability: c.capability,
                distribution: c.distribution,
                price: c.price,
            })
            .collect();
        let access = if reference.partnership.first_access { 1.0 } else { 0.9 };
        let mut cloud_ai_share = [0.0f64; MAX_FIRMS];
        for (i, c) in reference.companies.iter().enumerate() {
            cloud_ai_share[i] = c
                .initial_shares
                .get(Segment::CloudAiServices.index())
                .copied()
                .unwrap_or(0.0);
        }
        let parties = reference.tie_parties();
        let listed = parties
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.map(|(investor, lab)| (i, investor, lab)));
        let obs = Observables::new(&reference, &views, lab, investor, access, 0.0, n_startups)
            .with_marketplace(marketplace_unreached(&reference, listed, 1, &cloud_ai_share));
        let brands = initial_brands(&reference, &obs, n_startups > 0);
        Prepared {
            amenity,
            cumulative,
            brands,
        }
    }
}

/// The world in which the starting shares (`initial_shares`, `talent_share`) were observed:
/// the baseline's primitives (capability, pay, mission, distribution, price of the companies
/// it knows, matched by name; the marketplace listings of the ties it knows, by name, and
/// their reach; the choice weights; open-weight strength; first access) with
/// the scenario's observed shares, roster and counts. Brands and amenities are solved there
/// and then held fixed, as in merger simulation: a scenario that moves a primitive (a
/// price, a pay level, a weight) moves shares and employment from month 1 instead of being
/// absorbed by re-solved constants. For the baseline it is the scenario itself.
fn reference_world(s: &Scenario) -> Scenario {
    let base = Scenario::default();
    let mut r = s.clone();
    r.products.quality_weight = base.products.quality_weight;
    r.products.distribution_weight = base.products.distribution_weight;
    r.products.price_weight = base.products.price_weight;
    r.products.overlap = base.products.overlap;
    r.products.startup_fringe_quality = base.products.startup_fringe_quality;
    r.products.startup_fringe_price = base.products.startup_fringe_price;
    r.open_source.strength = base.open_source.strength;
    r.partnership.first_access = base.partnership.first_access;
    r.talent.pay_weight = base.talent.pay_weight;
    r.talent.prestige_weight = base.talent.prestige_weight;
    r.talent.mission_weight = base.talent.mission_weight;
    r.talent.switching_cost = base.talent.switching_cost;
    r.talent.startup_pay = base.talent.startup_pay;
    r.talent.startup_mission = base.talent.startup_mission;
    r.talent.search_hazard = base.talent.search_hazard;
    r.startups.acquisition_rate = base.startups.acquisition_rate;
    r.startups.failure_rate = base.startups.failure_rate;
    // Marketplace listings are distribution: the baseline's, for the ties it knows.
    r.products.marketplace_reach = base.products.marketplace_reach;
    for t in r.partnerships.iter_mut() {
        if let Some(b) = base.partnerships.iter().find(|b| b.name == t.name) {
            t.marketplace = b.marketplace;
            t.marketplace_month = b.marketplace_month;
            t.marketplace_ramp_months = b.marketplace_ramp_months;
        }
    }
    for c in r.companies.iter_mut() {
        if let Some(b) = base.companies.iter().find(|b| b.name == c.name && b.role == c.role) {
            c.capital = b.capital;
            c.capability = b.capability;
            c.pay = b.pay;
            c.mission = b.mission;
            c.distribution = b.distribution;
            c.price = b.price;
        }
    }
    r
}

/// Utilities without amenities, missions and employment targets of the choice options
/// (firms, then the startup sector when `options` includes it).
fn talent_options(s: &Scenario, options: usize) -> ([f64; OPTIONS], [f64; OPTIONS], [f64; OPTIONS]) {
    let t = &s.talent;
    let firms = s.companies.len();
    let lab = s.companies.iter().position(|c| c.role == Role::Lab).unwrap_or(0);
    let mut base = [0.0f64; OPTIONS];
    let mut mission = [0.0f64; OPTIONS];
    let mut targets = [0.0f64; OPTIONS];
    let open_cap = open_capability(
        s.companies.iter().map(|c| (c.role, c.capability)),
        s.companies[lab].capability,
    );
    for (i, c) in s.companies.iter().enumerate() {
        base[i] = base_utility(t, c.pay, c.capability, 0.0);
        mission[i] = c.mission;
        targets[i] = c.talent_share;
    }
    let employed: f64 = targets[..firms].iter().sum();
    if options > firms {
        base[firms] = base_utility(t, t.startup_pay, sector_quality(s, open_cap), 0.0);
        mission[firms] = t.startup_mission;
        targets[firms] = (1.0 - employed).max(0.0);
    } else if employed > 0.0 {
        for x in targets[..firms].iter_mut() {
            *x /= employed; // nobody works at startups: the firms share everyone
        }
    }
    (base, mission, targets)
}
