//! Statistics: binomial confidence intervals, quantiles (exact and streaming), experimental designs on the unit
//! hypercube and global sensitivity analysis (Sobol' indices, Morris screening).
//!
//! Everything here is pure and deterministic: randomness comes only from an explicit
//! `rng: &mut R` argument.

pub mod design;
pub mod interval;
pub mod quantile;
pub mod sensitivity;
pub mod sketch;

pub use interval::{Z95, newcombe_diff, newcombe_paired, wilson};
pub use quantile::quantile_sorted;
pub use sketch::QuantileSketch;
