//! Research: capability from compute and talent, spillover to the investor.
//!
//! Each firm's capability grows by a factor 1 + g with
//!
//! g = productivity · (C/compute_ref)^compute_elasticity · (S/talent_ref)^talent_elasticity
//!     / capability^diminishing_returns · max(0, 1 + noise·N(0,1))
//!
//! where C is the compute the firm can use for training (the lab: its usable training
//! contracts, less disrupted migrations, so a compute shortfall slows it; others: their own
//! compute, hosted on their own cloud where they have one) and S its researchers' summed skill. The open-weight
//! champion's output is scaled by (0.5 + open_source.strength), the community's help.
//! While the partnership is active, first access and information sharing spill the lab's
//! lead to the investor: Δ = spillover_rate · info_sharing · (1 if first_access else ½)
//! · max(0, lab − investor). After an acquisition the investor owns the lab's models.

use bevy_ecs::prelude::*;

use crate::scenario::Role;
use crate::sim::components::{CloudContract, Company, Partnership, PartnershipStatus, Workload};
use crate::sim::random::normal;
use crate::sim::resources::{Params, Roster, SimRng};

pub fn research(
    params: Res<Params>,
    roster: Res<Roster>,
    mut rng: ResMut<SimRng>,
    partnership: Query<&Partnership>,
    contracts: Query<&CloudContract>,
    mut companies: Query<&mut Company>,
) {
    let rng = &mut rng.0;
    let p = &params.0;
    let r = &p.research;
    let lab = roster.lab;
    let mut lab_training = 0.0;
    for k in contracts.iter() {
        if k.customer == lab && k.workload == Workload::Training {
            lab_training += (k.kgpu - k.disrupted).max(0.0);
        }
    }
    let mut lab_cap = 0.0;
    let mut inv_cap = 0.0;
    // Iterate in roster order so the RNG draws do not depend on storage order.
    let mut firms: Vec<Mut<Company>> = companies.iter_mut().collect();
    firms.sort_by_key(|c| c.idx);
    for c in firms.iter_mut() {
        let compute = match c.role {
            Role::Lab => lab_training,
            _ => c.own_compute,
        };
        let mut g = r.productivity
            * (compute / r.compute_ref).max(0.0).powf(r.compute_elasticity)
            * (c.skill_sum / r.talent_ref).max(0.0).powf(r.talent_elasticity)
            / c.capability.max(1e-9).powf(r.diminishing_returns);
        if c.role == Role::OpenWeight {
            g *= 0.5 + p.open_source.strength;
        }
        let shock = (1.0 + r.noise * normal(rng)).max(0.0);
        c.capability *= 1.0 + g * shock;
        if c.idx == lab {
            lab_cap = c.capability;
        } else if c.idx == roster.investor {
            inv_cap = c.capability;
        }
    }
    let Ok(ps) = partnership.single() else { return };
    let target = match ps.status {
        PartnershipStatus::Active => {
            let access = if ps.first_access { 1.0 } else { 0.5 };
            inv_cap + r.spillover_rate * ps.info_sharing * access * (lab_cap - inv_cap).max(0.0)
        }
        PartnershipStatus::Acquired => inv_cap.max(lab_cap),
        _ => inv_cap,
    };
    for c in firms.iter_mut() {
        if c.idx == roster.investor && target != inv_cap {
            c.capability = target;
        }
    }
}
