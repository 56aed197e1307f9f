//! Theories of harm: the harm index of a combination as each authority sees it,
//!
//! ```text
//! h = κ·min(ΔHHI, 5000)/1000·(1 if presumed, else ¼) + foreclosure_weight·foreclosure
//! ```
//!
//! with `κ` = 1 for a full merger (a bid) and `κ = K` for the partnership (a partial
//! combination, as in a modified HHI); "presumed": the authority's structural screen flags
//! the combination ([`Screens::flagged`]).

use super::screens::Screens;
use super::{cma, eu, ftc};
use crate::scenario::RegulationParams;
use crate::world::components::{Authority, Partnership};

impl Screens {
    /// Whether authority `a`'s structural screen flags the combination: the EU its
    /// guidelines' bands ([`eu::flags`]); the FTC the US 2023 presumption ([`ftc::flags`]);
    /// the CMA the US presumption as the stand-in ([`cma::flags`]).
    pub fn flagged(&self, rp: &RegulationParams, a: Authority) -> bool {
        match a {
            Authority::Eu => eu::flags(self, rp),
            Authority::Cma => cma::flags(self, rp),
            Authority::Ftc => ftc::flags(self, rp),
        }
    }
    /// Harm index as authority `a` sees it; `kappa` weights the horizontal term (1 full
    /// merger, `K` partial).
    pub fn harm(&self, rp: &RegulationParams, kappa: f64, a: Authority) -> f64 {
        let weight = if self.flagged(rp, a) { 1.0 } else { 0.25 };
        kappa * self.delta_hhi.clamp(0.0, 5000.0) / 1000.0 * weight + rp.foreclosure_weight * self.foreclosure
    }
}

/// How tightly the partnership terms tie the lab's models to the investor (0..=1).
fn tie(ps: &Partnership) -> f64 {
    0.5 * (ps.exclusivity.control_weight() + f64::from(u8::from(ps.first_access)))
}

/// Harm index of the partnership in state `ps` with control indicator `k`.
pub(super) fn partnership_harm(
    ps: &Partnership,
    k: f64,
    base: &Screens,
    api_share: f64,
    rival_compute: f64,
    rp: &RegulationParams,
    a: Authority,
) -> f64 {
    let screens = Screens {
        foreclosure: rival_compute.max(api_share * tie(ps)),
        ..*base
    };
    screens.harm(rp, k, a)
}
