//! **Screens** ([`Screens`]). For two firms with shares `s_a`, `s_b` in a segment of HHI
//! `H`: `ΔHHI = 2·s_a·s_b·10⁴`, post-merger HHI `H + ΔHHI`, combined share `s_a + s_b`
//! (most affected segment: the largest ΔHHI). Each authority's structural screen is in its
//! file: the EU's safe harbours ([`super::eu`]), the US 2023 Merger Guidelines' presumption
//! ([`super::ftc`]), which the CMA uses as its stand-in ([`super::cma`]). The vertical
//! screen is the foreclosure share: the investor's share of compute supplied to rival labs
//! and startups, or the lab's developer-API share while its terms tie it to the investor
//! (see [`super::harms`]).

use bevy_ecs::prelude::*;

use crate::scenario::Segment;
use crate::world::components::{MAX_FIRMS, Product};
use crate::world::signals::Signals;

/// Market screens of a combination.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Screens {
    /// Post-combination HHI of the most affected segment.
    pub hhi_post: f64,
    pub delta_hhi: f64,
    pub combined_share: f64,
    /// Vertical foreclosure share, 0..=1.
    pub foreclosure: f64,
}

impl Screens {
    /// Screens of combining firms with shares `sa` and `sb` in a segment of HHI `hhi`.
    pub fn combine(hhi: f64, sa: f64, sb: f64) -> Screens {
        let delta_hhi = 2.0 * sa * sb * 1e4;
        Screens {
            hhi_post: hhi + delta_hhi,
            delta_hhi,
            combined_share: sa + sb,
            foreclosure: 0.0,
        }
    }
}

/// The market facts regulation reads, per segment.
pub(super) struct Market {
    hhi: [f64; 4],
    /// Shares per firm per segment.
    pub(super) share: [[f64; 4]; MAX_FIRMS],
    /// A single startup's share per segment (the fringe split over the startups alive).
    startup_share: [f64; 4],
}

impl Market {
    pub(super) fn read(products: &Query<&Product>, signals: &Signals, startups_alive: usize) -> Market {
        let mut share = [[0.0; 4]; MAX_FIRMS];
        for p in products.iter() {
            share[p.firm as usize][p.segment.index()] = p.share;
        }
        let n = startups_alive.max(1) as f64;
        Market {
            hhi: signals.hhi,
            share,
            startup_share: signals.fringe_share.map(|x| x / n),
        }
    }

    /// Screens of combining firms `a` and `b` (most affected segment).
    pub(super) fn combine(&self, a: usize, b: usize) -> Screens {
        let mut best = Screens::default();
        for s in Segment::ALL {
            let i = s.index();
            let sc = Screens::combine(self.hhi[i], self.share[a][i], self.share[b][i]);
            if sc.delta_hhi > best.delta_hhi || best.hhi_post == 0.0 {
                best = sc;
            }
        }
        best
    }

    /// Screens of firm `buyer` absorbing one startup.
    pub(super) fn acquihire(&self, buyer: usize) -> Screens {
        let mut best = Screens::default();
        for s in Segment::ALL {
            let i = s.index();
            let sc = Screens::combine(self.hhi[i], self.share[buyer][i], self.startup_share[i]);
            if sc.delta_hhi > best.delta_hhi || best.hhi_post == 0.0 {
                best = sc;
            }
        }
        best
    }

    pub(super) fn max_share(&self, firm: usize) -> f64 {
        self.share[firm].iter().copied().fold(0.0, f64::max)
    }

    /// The share-of-supply test for combining `a` and `b` (Enterprise Act 2002 s.23): the
    /// largest combined share over the segments where both supply (the merger must increase
    /// a share of at least 25%); 0 if they overlap nowhere.
    pub(super) fn combined_supply(&self, a: usize, b: usize) -> f64 {
        (0..self.share[a].len())
            .filter(|&i| self.share[a][i] > 0.0 && self.share[b][i] > 0.0)
            .map(|i| self.share[a][i] + self.share[b][i])
            .fold(0.0, f64::max)
    }
}
