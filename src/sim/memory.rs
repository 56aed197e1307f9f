//! How much memory a batch of runs takes, estimated from the scenario before anything is
//! allocated, so that a scenario too large for the machine is refused with a message
//! rather than killed by the kernel halfway.
//!
//! Each worker thread owns one engine (a bevy world reused run after run); an engine's
//! size is dominated by its agents. The per-agent figures are peak-RSS slopes measured with
//! `/usr/bin/time -v` on one thread (docs/PERFORMANCE.md, "Memory per agent"), rounded up.

use crate::scenario::Scenario;

/// Bytes of the process apart from its engines: code, allocator arenas, output buffers
/// (a default run peaks at 26 MB on 2 threads).
pub const PROCESS_BYTES: u64 = 16 << 20;
/// Bytes of one engine apart from its agents: schedule, resources, tables.
pub const ENGINE_BYTES: u64 = 4 << 20;
/// Bytes per researcher: entity, components and the hiring tables' rows. Measured 74 B
/// from 0.2 to 4 million and 90 B at 20 million (tables grow by doubling, so a growing
/// table briefly holds its old copy too): 128 B keeps the estimate above the peak.
pub const BYTES_PER_RESEARCHER: u64 = 128;
/// Bytes per startup alive: measured 150–180 B; 256 B with the same margin.
pub const BYTES_PER_STARTUP: u64 = 256;
/// Bytes per month of a run's kept result (metrics, shares, retention).
pub const BYTES_PER_MONTH: u64 = 2048;

/// The parameters the estimate reads: a sweep or calibration that varies one of them is
/// checked at its largest value.
pub const SIZE_PARAMS: [&str; 5] = [
    "talent.researchers",
    "startups.initial",
    "startups.entry_rate",
    "startups.max_startups",
    "horizon_months",
];

/// An estimate of a batch's peak memory.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemoryEstimate {
    /// Engines alive at once (worker threads).
    pub engines: u64,
    /// Bytes of one engine.
    pub per_engine: u64,
    /// Most startups alive in a run, as the estimate assumes.
    pub startups: u64,
    /// Bytes in all.
    pub total: u64,
}

/// The peak memory of runs of `s` on `engines` worker threads.
pub fn estimate(s: &Scenario, engines: usize) -> MemoryEstimate {
    let engines = engines.max(1) as u64;
    // Entries beyond the expected rate are rare: twice the rate over the horizon bounds
    // them, and the cap bounds everything.
    let entries = (2.0 * s.startups.entry_rate * f64::from(s.horizon_months)).ceil() as u64;
    let startups = (u64::from(s.startups.initial) + entries)
        .min(u64::from(s.startups.max_startups).max(u64::from(s.startups.initial)));
    let per_engine = ENGINE_BYTES
        + u64::from(s.talent.researchers) * BYTES_PER_RESEARCHER
        + startups * BYTES_PER_STARTUP
        + u64::from(s.horizon_months) * BYTES_PER_MONTH;
    MemoryEstimate {
        engines,
        per_engine,
        startups,
        total: PROCESS_BYTES + engines * per_engine,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_grows_with_researchers_and_engines() {
        let s = Scenario::default();
        let one = estimate(&s, 1);
        assert!(one.total < 256 << 20, "{one:?}");
        let mut big = s.clone();
        big.talent.researchers = 100_000_000;
        let e = estimate(&big, 2);
        assert_eq!(e.engines, 2);
        assert!(e.total > 2 * 100_000_000 * BYTES_PER_RESEARCHER, "{e:?}");
    }
}
