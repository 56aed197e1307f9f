//! Parameter sweeps (SPEC §6): spec files, the streaming resumable runner, shards and merge,
//! and the calibration posterior a `posterior` design samples.

pub mod merge;
pub mod posterior;
pub mod run;
pub mod schema;
pub mod spec;

pub use run::{SweepError, SweepOptions, SweepReport, run_sweep};
pub use spec::{Adaptive, Design, RunsPerPoint, Seeds, Sweep, SweepSpec, load_sweep_file, parse_sweep};

/// FNV-1a 64-bit hash: a stable fingerprint of the resolved sweep (no crate needed for it).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The fingerprint `--resume` and `merge` compare: tool version, spec, base scenario, points.
pub fn sweep_hash(sweep: &Sweep) -> String {
    let canonical = serde_json::json!({
        "version": env!("CARGO_PKG_VERSION"),
        "spec": sweep.spec,
        "base": sweep.base,
        "params": sweep.params,
        "points": sweep.points.iter().map(|p| p.iter().map(spec::value_text).collect::<Vec<_>>()).collect::<Vec<_>>(),
    });
    format!("{:016x}", fnv1a64(canonical.to_string().as_bytes()))
}

/// The slice of points shard `k` of `n` (1-based) owns: contiguous, disjoint, covering all.
pub fn shard_points(points: usize, k: u64, n: u64) -> std::ops::Range<usize> {
    let p = points as u64;
    let lo = (k - 1) * p / n;
    let hi = k * p / n;
    lo as usize..hi as usize
}
