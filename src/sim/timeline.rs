//! The timeline phase, first in every month: it clears last month's flow signals, ends
//! scheduled contracts whose term is over, and applies the scenario's dated events of
//! this month (docs/MODEL.md, "Timelines") in (month, file) order:
//!
//! - `set`: the parameters from this month on are the ones the event leaves (validated at
//!   load time with every earlier `set` applied). State derived from a parameter at setup
//!   follows it: the partnership's terms (exclusivity, stake, first access, information
//!   sharing, board seat), a company's pay, mission, distribution, price and other income,
//!   and a cloud's build programme and startup credits. Partnership terms cannot change
//!   once the partnership has ended: the event is skipped.
//! - `acquihire`: the buyer hires the `researchers` most skilled of a company's staff or of
//!   the largest startup's and pays `payment` to the seller; a startup left without staff
//!   is gone, and a startup acqui-hire goes to the authorities' review like any other.
//!   Moves between the partners count as poaching for the partnership's tension.
//! - `contract`: the lab contracts `kgpu` of compute on a host at its current price, as far
//!   as the host has capacity its owner, startups and the lab do not already use (the rest
//!   of the market is squeezed); not while exclusivity binds the lab to the investor. The
//!   compute leaves the contract after `months`.
//! - `crisis`: a board crisis at the lab, exactly as the governance phase draws them.
//! - `review`: the authority opens an informal review of the partnership (unless one is
//!   already open or the partnership has ended); the procedure takes it from there.
//!
//! Every applied event is logged as `scheduled_<action>`; an event that cannot apply is
//! logged as `scheduled_skipped` with the reason. A scenario without events draws nothing
//! here, so its runs are those of a scenario that never had a timeline.

use std::sync::Arc;

use bevy_ecs::prelude::*;

use crate::mechanisms::cloud::CloudMarket;
use crate::mechanisms::governance::board_crisis;
use crate::mechanisms::regulation::Regulator;
use crate::mechanisms::regulation::{Case, CaseKind, authority_params};
use crate::scenario::timeline::{Scheduled, ScheduledAction};
use crate::scenario::{Exclusivity, Stage};
use crate::world::components::{
    Authority, CloudContract, Company, Host, OTHER_CLOUD, Partnership, PartnershipStatus, Researcher, STARTUP_BASE,
    Startup, Workload,
};
use crate::world::random::{SimRng, Stream};
use crate::world::resources::{Clock, EventLog, FATE_FAILED, Params, Roster, StartupIndex};
use crate::world::signals::{AcquihireDeal, Signals};

/// The run's scheduled events, in the order they apply, and the next one due.
#[derive(Resource, Debug, Default, Clone)]
pub struct Timeline {
    pub events: Arc<Vec<Scheduled>>,
    pub next: usize,
}

impl Timeline {
    pub fn new(events: Arc<Vec<Scheduled>>) -> Timeline {
        Timeline { events, next: 0 }
    }
}

/// Marks a contract placed by a `contract` event: its compute and the month it ends.
#[derive(Component, Debug, Clone, Copy)]
pub struct ScheduledContract {
    pub kgpu: f64,
    pub until: Option<u32>,
}

/// The timeline phase (an exclusive system: events may touch any part of the world).
pub fn timeline(world: &mut World) {
    let tick = world.resource::<Clock>().tick;
    // A new month: clear last month's flow signals.
    {
        let mut signals = world.resource_mut::<Signals>();
        signals.crises = 0;
        signals.poached_skill_lab_to_investor = 0.0;
        signals.poached_skill_investor_to_lab = 0.0;
        signals.absorption_severity = None;
        signals.compute_shortfall = 0.0;
        signals.bid_filed = false;
        signals.absorbed = None;
        signals.acquihires.clear();
    }
    let (events, mut next) = match world.get_resource::<Timeline>() {
        Some(t) if !t.events.is_empty() => (Arc::clone(&t.events), t.next),
        _ => return,
    };
    end_contracts(world, tick);
    while let Some(e) = events.get(next).filter(|e| e.month <= tick) {
        apply(world, tick, e);
        next += 1;
    }
    world.resource_mut::<Timeline>().next = next;
}

fn log(world: &mut World, tick: u32, kind: &'static str, actor: &str, target: &str, detail: String) {
    world.resource_mut::<EventLog>().push(tick, kind, actor, target, detail);
}

fn skip(world: &mut World, tick: u32, e: &Scheduled, actor: &str, reason: String) {
    let what = match &e.action {
        ScheduledAction::Set { .. } => "set",
        ScheduledAction::Acquihire { .. } => "acquihire",
        ScheduledAction::Contract { .. } => "contract",
        ScheduledAction::Crisis => "crisis",
        ScheduledAction::Review { .. } => "review",
    };
    log(
        world,
        tick,
        "scheduled_skipped",
        actor,
        "",
        format!("events.{} ({what}): {reason}", e.index),
    );
}

fn apply(world: &mut World, tick: u32, e: &Scheduled) {
    let roster = world.resource::<Roster>().clone();
    let status = {
        let mut q = world.query::<&Partnership>();
        q.single(world).map_or(PartnershipStatus::Active, |p| p.status)
    };
    match &e.action {
        ScheduledAction::Set { path, value, params } => {
            let term = path.strip_prefix("partnership.").filter(|f| {
                matches!(
                    *f,
                    "exclusivity" | "investor_stake" | "first_access" | "info_sharing" | "board_seat"
                )
            });
            if term.is_some() && status != PartnershipStatus::Active {
                let reason = format!("the partnership has ended ({}); its terms stay", status.as_str());
                return skip(world, tick, e, "timeline", reason);
            }
            world.resource_mut::<Params>().0 = (**params).clone();
            follow(world, path, params);
            log(
                world,
                tick,
                "scheduled_set",
                "timeline",
                path,
                format!("{path} = {value}"),
            );
        }
        ScheduledAction::Acquihire {
            buyer,
            from,
            researchers,
            payment,
        } => acquihire(world, tick, e, &roster, *buyer as u8, *from, *researchers, *payment),
        ScheduledAction::Contract {
            customer,
            host,
            kgpu,
            training,
            months,
        } => {
            let lab = *customer as u8;
            let slot = host.map_or(OTHER_CLOUD, |h| h as u8);
            let host_name = roster.cloud_name(slot).to_string();
            let exclusive = {
                let mut q = world.query::<&Partnership>();
                q.single(world).is_ok_and(|p| {
                    p.status == PartnershipStatus::Acquired
                        || (p.status == PartnershipStatus::Active && p.exclusivity == Exclusivity::Exclusive)
                })
            };
            if exclusive && slot != roster.investor {
                let reason = if status == PartnershipStatus::Acquired {
                    format!(
                        "{} controls the lab; its compute stays there",
                        roster.name(roster.investor)
                    )
                } else {
                    format!(
                        "exclusivity binds: the lab may buy compute only from {}",
                        roster.name(roster.investor)
                    )
                };
                return skip(world, tick, e, roster.name(lab), reason);
            }
            let used: f64 = {
                let mut q = world.query::<&CloudContract>();
                q.iter(world)
                    .filter(|k| k.host == Host::Cloud(slot))
                    .map(|k| k.kgpu)
                    .sum()
            };
            let (room, price) = {
                let m = world.resource::<CloudMarket>();
                let h = slot as usize;
                (
                    (m.capacity[h] - m.own_use[h] - m.startup_load[h] - used).max(0.0),
                    m.price[h],
                )
            };
            let placed = kgpu.min(room);
            if placed <= 0.0 {
                let reason = format!("{host_name} has no capacity left for the lab");
                return skip(world, tick, e, roster.name(lab), reason);
            }
            let workload = if *training {
                Workload::Training
            } else {
                Workload::Inference
            };
            world.spawn((
                CloudContract {
                    customer: lab,
                    host: Host::Cloud(slot),
                    workload,
                    kgpu: placed,
                    price,
                    disrupted: 0.0,
                    disrupted_until: 0,
                },
                ScheduledContract {
                    kgpu: placed,
                    until: months.map(|m| tick + m),
                },
            ));
            let term = months.map_or(String::new(), |m| format!(" for {m} months"));
            let partial = if placed < *kgpu {
                format!(" (of {kgpu:.1} asked; the rest has no capacity)")
            } else {
                String::new()
            };
            log(
                world,
                tick,
                "scheduled_contract",
                roster.name(lab),
                &host_name,
                format!(
                    "{placed:.1} kGPU {} at {:.5} $bn/kGPU-month{term}{partial}",
                    workload.as_str(),
                    price
                ),
            );
        }
        ScheduledAction::Crisis => {
            let p = world.resource::<Params>().0.clone();
            world.resource_scope(|world, mut rng: Mut<SimRng>| {
                world.resource_scope(|world, mut log: Mut<EventLog>| {
                    let mut q = world.query::<&mut Partnership>();
                    if let Ok(mut ps) = q.single_mut(world) {
                        board_crisis(
                            &p,
                            tick,
                            &roster,
                            rng.get(Stream::Timeline),
                            &mut log,
                            &mut ps,
                            "scheduled_crisis",
                        );
                    }
                });
            });
            world.resource_mut::<Signals>().crises += 1;
        }
        ScheduledAction::Review { authority } => {
            let a = Authority::ALL[*authority];
            if status != PartnershipStatus::Active {
                let reason = format!("the partnership has ended ({})", status.as_str());
                return skip(world, tick, e, a.as_str(), reason);
            }
            let ap = authority_params(&world.resource::<Params>().0.regulation, a).clone();
            let mut q = world.query::<&mut Regulator>();
            let mut opened = None;
            for mut reg in q.iter_mut(world) {
                if reg.authority == a {
                    opened = Some(match reg.case {
                        Some(c) => Err(c.stage),
                        None => {
                            reg.case = Some(Case::open(CaseKind::Partnership, Stage::Informal, 0, &ap));
                            Ok(())
                        }
                    });
                }
            }
            match opened {
                Some(Ok(())) => log(
                    world,
                    tick,
                    "scheduled_review",
                    a.as_str(),
                    roster.name(roster.investor),
                    format!("partnership with {}: review opened", roster.name(roster.lab)),
                ),
                Some(Err(stage)) => {
                    let reason = format!("a review of the partnership is already open ({})", stage.as_str());
                    skip(world, tick, e, a.as_str(), reason)
                }
                None => skip(world, tick, e, a.as_str(), "no such authority in the run".into()),
            }
        }
    }
}

/// State set from a parameter at setup follows a `set` event.
fn follow(world: &mut World, path: &str, p: &crate::scenario::Scenario) {
    let parts: Vec<&str> = path.split('.').collect();
    match parts.as_slice() {
        ["partnership", field] => {
            let pp = &p.partnership;
            let mut q = world.query::<&mut Partnership>();
            if let Ok(mut ps) = q.single_mut(world) {
                match *field {
                    "exclusivity" => ps.exclusivity = pp.exclusivity,
                    "investor_stake" => ps.stake = pp.investor_stake,
                    "first_access" => ps.first_access = pp.first_access,
                    "info_sharing" => ps.info_sharing = pp.info_sharing,
                    "board_seat" => ps.board_seat = pp.board_seat,
                    _ => {}
                }
            }
        }
        ["companies", i, field] => {
            let Ok(i) = i.parse::<usize>() else { return };
            let Some(c) = p.companies.get(i) else { return };
            let mut q = world.query::<&mut Company>();
            for mut co in q.iter_mut(world) {
                if co.idx as usize == i {
                    match *field {
                        "pay" => co.pay = c.pay,
                        "mission" => co.mission = c.mission,
                        "distribution" => co.distribution = c.distribution,
                        "price" => co.price = c.price,
                        "other_income" => co.other_income = c.other_income,
                        _ => {}
                    }
                }
            }
            if c.cloud_capacity > 0.0 {
                let mut m = world.resource_mut::<CloudMarket>();
                match *field {
                    "build_rate" => m.build_rate[i] = c.build_rate,
                    "startup_credits" => m.credits[i] = c.startup_credits,
                    _ => {}
                }
            }
        }
        ["cloud", "other_build_rate"] => {
            world.resource_mut::<CloudMarket>().build_rate[OTHER_CLOUD as usize] = p.cloud.other_build_rate;
        }
        _ => {}
    }
}

/// Moves the `n` most skilled researchers employed by `from` (a firm index or a startup's
/// employer code) to `buyer`; returns how many moved and their skill.
fn move_team(world: &mut World, from: u32, buyer: u8, n: u32) -> (u32, f64) {
    let mut q = world.query::<(Entity, &Researcher)>();
    let mut team: Vec<(f32, Entity)> = q
        .iter(world)
        .filter(|(_, r)| r.employer == from)
        .map(|(e, r)| (r.skill, e))
        .collect();
    // Most skilled first; equal skills keep the pool's order (a stable sort).
    team.sort_by(|a, b| b.0.total_cmp(&a.0));
    team.truncate(n as usize);
    let mut skill = 0.0;
    for &(s, e) in &team {
        if let Some(mut r) = world.get_mut::<Researcher>(e) {
            r.employer = u32::from(buyer);
        }
        skill += f64::from(s);
    }
    (team.len() as u32, skill)
}

#[allow(clippy::too_many_arguments)]
fn acquihire(
    world: &mut World,
    tick: u32,
    e: &Scheduled,
    roster: &Roster,
    buyer: u8,
    from: Option<usize>,
    researchers: u32,
    payment: f64,
) {
    let buyer_name = roster.name(buyer).to_string();
    let (moved, skill, seller) = match from {
        Some(f) => {
            let f = f as u8;
            let (moved, skill) = move_team(world, u32::from(f), buyer, researchers);
            if moved == 0 {
                let reason = format!("{} has no researchers", roster.name(f));
                return skip(world, tick, e, &buyer_name, reason);
            }
            let mut q = world.query::<&mut Company>();
            for mut c in q.iter_mut(world) {
                if c.idx == f {
                    c.headcount -= moved.min(c.headcount);
                    c.skill_sum -= skill;
                    c.capital += payment;
                }
            }
            let mut signals = world.resource_mut::<Signals>();
            if f == roster.lab && buyer == roster.investor {
                signals.poached_skill_lab_to_investor += skill;
            } else if f == roster.investor && buyer == roster.lab {
                signals.poached_skill_investor_to_lab += skill;
            }
            (moved, skill, roster.name(f).to_string())
        }
        None => {
            // The largest startup by staff (the lowest slot among equals).
            let mut best: Option<(u32, u32, Entity, usize)> = None;
            {
                let index = world.resource::<StartupIndex>();
                for (pos, &(slot, ent)) in index.alive.iter().enumerate() {
                    if let Some(st) = world.get::<Startup>(ent)
                        && best.is_none_or(|b| st.staff > b.1)
                    {
                        best = Some((slot, st.staff, ent, pos));
                    }
                }
            }
            let Some((slot, _, ent, pos)) = best else {
                return skip(world, tick, e, &buyer_name, "no startup is alive".into());
            };
            let (moved, skill) = move_team(world, STARTUP_BASE + slot, buyer, researchers);
            if moved == 0 {
                let reason = format!("startup-{slot} has no researchers");
                return skip(world, tick, e, &buyer_name, reason);
            }
            let left = match world.get_mut::<Startup>(ent) {
                Some(mut st) => {
                    st.staff = st.staff.saturating_sub(moved);
                    st.cash += payment;
                    st.staff
                }
                None => 0,
            };
            if left == 0 {
                // Nobody left: the startup is gone (as after any acqui-hire).
                world.despawn(ent);
                let mut index = world.resource_mut::<StartupIndex>();
                index.alive.remove(pos);
                index.fate[slot as usize] = FATE_FAILED;
            }
            world.resource_mut::<Signals>().acquihires.push(AcquihireDeal {
                buyer,
                slot,
                staff: moved,
                price: payment,
            });
            (moved, skill, format!("startup-{slot}"))
        }
    };
    let mut q = world.query::<&mut Company>();
    for mut c in q.iter_mut(world) {
        if c.idx == buyer {
            c.headcount += moved;
            c.skill_sum += skill;
            c.capital -= payment;
        }
    }
    let asked = if moved < researchers {
        format!(" (of {researchers} asked)")
    } else {
        String::new()
    };
    log(
        world,
        tick,
        "scheduled_acquihire",
        &buyer_name,
        &seller,
        format!("{moved} researchers{asked}, skill {skill:.1}, for {payment} $bn"),
    );
}

/// Ends the scheduled contracts whose term is over: their compute leaves the contract (the
/// lab's demand finds a new home in this month's cloud phase).
fn end_contracts(world: &mut World, tick: u32) {
    let mut q = world.query::<(Entity, &ScheduledContract, &mut CloudContract)>();
    let mut ended: Vec<(Entity, Host, f64, bool)> = Vec::new();
    for (e, s, mut k) in q.iter_mut(world) {
        if s.until == Some(tick) {
            let amount = s.kgpu.min(k.kgpu);
            k.kgpu -= amount;
            k.disrupted = k.disrupted.min(k.kgpu);
            ended.push((e, k.host, amount, k.kgpu <= 1e-12));
        }
    }
    if ended.is_empty() {
        return;
    }
    let roster = world.resource::<Roster>().clone();
    for (e, host, amount, empty) in ended {
        if empty {
            world.despawn(e);
        } else {
            world.entity_mut(e).remove::<ScheduledContract>();
        }
        let name = match host {
            Host::Cloud(h) => roster.cloud_name(h).to_string(),
            Host::Own => "own datacenter".into(),
        };
        log(
            world,
            tick,
            "contract_end",
            roster.name(roster.lab),
            &name,
            format!("{amount:.1} kGPU: the scheduled contract's term is over"),
        );
    }
}
