//! The month's logit weights, tabulated per mission-preference level and option.

use super::{MISSION_BINS, OPTIONS};

/// The mission level of a preference in 0..=1.
#[inline]
pub fn mission_bin(m: f32) -> usize {
    // Round half up by truncation (`f32::round` is a libm call, visible in the kernel).
    ((m.clamp(0.0, 1.0) * (MISSION_BINS - 1) as f32 + 0.5) as usize).min(MISSION_BINS - 1)
}

/// Logit weights per mission level and option.
pub type WeightRows = [[f64; OPTIONS]; MISSION_BINS];

/// The month's weight table, kept by the hiring system between months and runs so it is
/// filled in place (18 KB neither zeroed nor copied each month).
pub struct WeightTable(pub(super) Box<WeightRows>, pub(super) Vec<u32>);

impl Default for WeightTable {
    fn default() -> Self {
        WeightTable(Box::new([[0.0; OPTIONS]; MISSION_BINS]), Vec::new())
    }
}

/// exp(U) of each option at each mission level, shifted so the largest possible weight is 1.
/// Along the mission axis the weight changes by a constant factor per level on each side of
/// the option's own mission, so each option costs three `exp`s instead of one per level.
#[cfg(test)]
pub(super) fn weight_table(base: &[f64; OPTIONS], mission: &[f64; OPTIONS], options: usize, w: f64) -> WeightRows {
    let mut table = [[0.0f64; OPTIONS]; MISSION_BINS];
    fill_weight_table(base, mission, options, w, &mut table);
    table
}

/// Fills the columns `0..options` of `table` (the others are never read).
pub(super) fn fill_weight_table(
    base: &[f64; OPTIONS],
    mission: &[f64; OPTIONS],
    options: usize,
    w: f64,
    table: &mut WeightRows,
) {
    let levels = (MISSION_BINS - 1) as f64;
    let shift = base[..options].iter().copied().fold(f64::NEG_INFINITY, f64::max) + w;
    let step = (-w / levels).exp();
    for o in 0..options {
        let mo = mission[o].clamp(0.0, 1.0);
        let top = (base[o] + w - shift).exp(); // weight where preference = mission exactly
        let b0 = ((mo * levels).ceil() as usize).min(MISSION_BINS - 1);
        let mut g = top * (-w * (b0 as f64 / levels - mo).abs()).exp();
        for row in table.iter_mut().skip(b0) {
            row[o] = g;
            g *= step;
        }
        if b0 > 0 {
            let mut g = top * (-w * (mo - (b0 - 1) as f64 / levels)).exp();
            for row in table[..b0].iter_mut().rev() {
                row[o] = g;
                g *= step;
            }
        }
    }
}
