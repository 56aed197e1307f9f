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
/// Runs whose results and rendered rows `run` holds at once: a block being simulated, one
/// waiting for the writer and one being written (`montecarlo::run_pipelined`).
pub const PIPELINED_RUNS_HELD: u64 = 3 * crate::montecarlo::BLOCK;
/// Bytes per month of a run held (its result and rendered rows), per company of the
/// roster and fixed: measured 1.5 kB with the baseline's six companies (peak RSS of 3,072
/// runs of 600 months, one thread, less that of 8 runs, over 1,536 runs in flight);
/// 256 B + 256 B per company gives 1.8 kB there, and the rows widen with the roster.
pub const BYTES_PER_RUN_MONTH: u64 = 256;
pub const BYTES_PER_RUN_MONTH_PER_COMPANY: u64 = 256;

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
    /// Runs held in memory at once, between simulation and the writer.
    pub runs_held: u64,
    /// Bytes of those runs.
    pub in_flight: u64,
    /// Bytes in all.
    pub total: u64,
}

/// The peak memory of runs of `s` on `engines` worker threads, `runs_held` of which are
/// held at once between simulation and the writer (the command knows how many: `run`
/// pipelines up to [`PIPELINED_RUNS_HELD`], a sweep holds a block, a calibration reduces
/// each run to counts on its worker and holds none).
pub fn estimate(s: &Scenario, engines: usize, runs_held: u64) -> MemoryEstimate {
    let engines = engines.max(1) as u64;
    // Entries beyond the expected rate are rare: twice the rate over the horizon bounds
    // them, and the cap bounds everything. Dated `set` events may raise both.
    let entry_rate = peak(s, "startups.entry_rate", s.startups.entry_rate);
    let cap = peak(s, "startups.max_startups", f64::from(s.startups.max_startups)) as u64;
    let entries = (2.0 * entry_rate * f64::from(s.horizon_months)).ceil() as u64;
    let startups = (u64::from(s.startups.initial) + entries).min(cap.max(u64::from(s.startups.initial)));
    let months = u64::from(s.horizon_months);
    let per_engine = ENGINE_BYTES
        + u64::from(s.talent.researchers) * BYTES_PER_RESEARCHER
        + startups * BYTES_PER_STARTUP
        + months * BYTES_PER_MONTH;
    let per_run_month = BYTES_PER_RUN_MONTH + BYTES_PER_RUN_MONTH_PER_COMPANY * s.companies.len() as u64;
    let in_flight = runs_held.saturating_mul(months * per_run_month);
    MemoryEstimate {
        engines,
        per_engine,
        startups,
        runs_held,
        in_flight,
        total: (PROCESS_BYTES + engines * per_engine).saturating_add(in_flight),
    }
}

/// The largest value `path` takes in a run of `s`: `start`, or a dated `set` event's value.
fn peak(s: &Scenario, path: &str, start: f64) -> f64 {
    s.events
        .iter()
        .filter(|e| e.action == "set" && e.param.as_deref() == Some(path))
        .filter_map(|e| e.value.as_ref().and_then(crate::scenario::load::number))
        .fold(start, f64::max)
}

/// Why a batch must be refused before anything is allocated: its estimated peak memory
/// exceeds what the machine has left (the message names the largest scenario and what to
/// change); `None` when it fits, when the machine's memory is unknown, or with
/// `COOPETITION_NO_MEMORY_CHECK=1`. The CLI and `serve` refuse with it.
pub fn refusal<'a>(
    scenarios: impl IntoIterator<Item = &'a crate::scenario::Scenario>,
    engines: usize,
    runs_held: u64,
) -> Option<String> {
    if std::env::var("COOPETITION_NO_MEMORY_CHECK").as_deref() == Ok("1") {
        return None;
    }
    let available = crate::fsutil::available_memory_bytes()?;
    let worst = scenarios
        .into_iter()
        .map(|s| (estimate(s, engines, runs_held), s))
        .max_by_key(|(e, _)| e.total);
    let (e, s) = worst.filter(|(e, _)| e.total > available)?;
    let gib = |b: u64| format!("{:.1} GiB", b as f64 / f64::from(1u32 << 30));
    let held = match e.runs_held {
        0 => String::new(),
        n => format!(
            "; {} for {n} runs of {} months held between simulation and writing",
            gib(e.in_flight),
            s.horizon_months
        ),
    };
    Some(format!(
        "scenario `{}` needs about {} of memory ({} worker thread(s), each with an engine of {}: {} researchers at {BYTES_PER_RESEARCHER} B, up to {} startups at {BYTES_PER_STARTUP} B{held}), more than the {} available; use fewer --threads, or fewer researchers (talent.researchers), startups (startups.max_startups) or months (horizon_months); COOPETITION_NO_MEMORY_CHECK=1 skips this check",
        s.name,
        gib(e.total),
        e.engines,
        gib(e.per_engine),
        s.talent.researchers,
        e.startups,
        gib(available)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_grows_with_researchers_and_engines() {
        let s = Scenario::default();
        let one = estimate(&s, 1, 200);
        assert!(one.total < 256 << 20, "{one:?}");
        let mut big = s.clone();
        big.talent.researchers = 100_000_000;
        let e = estimate(&big, 2, 200);
        assert_eq!(e.engines, 2);
        assert!(e.total > 2 * 100_000_000 * BYTES_PER_RESEARCHER, "{e:?}");
    }

    /// Runs held between simulation and the writer count in proportion to the horizon:
    /// `run`'s 1,536 of 600 months are over 1.2 GiB (measured 1.4 GB); a calibration's none.
    #[test]
    fn runs_held_count_with_the_horizon() {
        let s = Scenario {
            horizon_months: 600,
            ..Scenario::default()
        };
        let piped = estimate(&s, 1, PIPELINED_RUNS_HELD);
        assert!(piped.in_flight > 1_200 << 20, "{piped:?}");
        let none = estimate(&s, 1, 0);
        assert_eq!(none.in_flight, 0);
        assert!(none.total < 64 << 20, "{none:?}");
        assert_eq!(estimate(&s, 1, u64::MAX).total, u64::MAX);
    }

    /// A dated event that raises the startup cap or entry rate raises the estimate.
    #[test]
    fn events_that_raise_startups_count() {
        let mut s = Scenario {
            horizon_months: 120,
            ..Scenario::default()
        };
        s.startups.max_startups = 100;
        let capped = estimate(&s, 1, 1);
        assert_eq!(capped.startups, 100);
        let set = |param: &str, value: toml::Value| crate::scenario::TimelineEvent {
            month: 2,
            action: "set".into(),
            param: Some(param.into()),
            value: Some(value),
            ..Default::default()
        };
        s.events
            .push(set("startups.max_startups", toml::Value::Integer(1_000_000)));
        let raised = estimate(&s, 1, 1);
        assert_eq!(raised.startups, 60 + (2.0f64 * 2.5 * 120.0).ceil() as u64);
        s.events.push(set("startups.entry_rate", toml::Value::Float(50.0)));
        assert_eq!(estimate(&s, 1, 1).startups, 60 + 2 * 50 * 120);
    }
}
