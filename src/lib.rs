//! `coopetition`: agent-based simulation of the AI market around a frontier-lab /
//! hyperscaler partnership. See `ARCHITECTURE.md` for the module map.

pub mod allocator;
pub mod analyze;
pub mod bench;
pub mod calibrate;
pub mod cli;
pub mod compare;
pub mod fsutil;
pub mod interrupt;
pub mod mechanisms;
pub mod memory;
pub mod montecarlo;
pub mod outcome;
pub mod output;
pub mod scenario;
#[cfg(feature = "serve")]
pub mod serve;
pub mod sim;
pub mod stats;
pub mod sweep;
pub mod world;
