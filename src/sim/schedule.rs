//! The tick order: the one place it is written (SPEC §2).

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{LogLevel, ScheduleBuildSettings, SingleThreadedExecutor};

use super::timeline;
use crate::mechanisms::{
    cloud, funding, governance, hiring, metrics, partnership, products, regulation, research, startups, ties,
};

/// The phases of a month.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    Timeline,
    Governance,
    Hiring,
    Cloud,
    Research,
    Products,
    Startups,
    Funding,
    Ties,
    Partnership,
    Regulation,
    Metrics,
}

impl Phase {
    /// Every phase, in tick order. This array is the tick order.
    pub const ORDER: [Phase; 12] = [
        Phase::Timeline,
        Phase::Governance,
        Phase::Hiring,
        Phase::Cloud,
        Phase::Research,
        Phase::Products,
        Phase::Startups,
        Phase::Funding,
        Phase::Ties,
        Phase::Partnership,
        Phase::Regulation,
        Phase::Metrics,
    ];

    /// Position in [`Phase::ORDER`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Lower-case name for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Timeline => "timeline",
            Phase::Governance => "governance",
            Phase::Hiring => "hiring",
            Phase::Cloud => "cloud",
            Phase::Research => "research",
            Phase::Products => "products",
            Phase::Startups => "startups",
            Phase::Funding => "funding",
            Phase::Ties => "ties",
            Phase::Partnership => "partnership",
            Phase::Regulation => "regulation",
            Phase::Metrics => "metrics",
        }
    }
}

/// Adds the system of one phase, in its set.
fn add_phase_system(s: &mut Schedule, phase: Phase) {
    match phase {
        Phase::Timeline => s.add_systems(timeline::timeline.in_set(phase)),
        Phase::Governance => s.add_systems(governance::governance_shocks.in_set(phase)),
        Phase::Hiring => s.add_systems(hiring::hiring.in_set(phase)),
        Phase::Cloud => s.add_systems(cloud::cloud_contracts.in_set(phase)),
        Phase::Research => s.add_systems(research::research.in_set(phase)),
        Phase::Products => s.add_systems(products::products.in_set(phase)),
        Phase::Startups => s.add_systems(startups::startups.in_set(phase)),
        Phase::Funding => s.add_systems(funding::funding.in_set(phase)),
        Phase::Ties => s.add_systems(ties::ties.in_set(phase)),
        Phase::Partnership => s.add_systems(partnership::partnership.in_set(phase)),
        Phase::Regulation => s.add_systems(regulation::regulation.in_set(phase)),
        Phase::Metrics => s.add_systems(metrics::metrics.in_set(phase)),
    };
}

fn empty_schedule() -> Schedule {
    let mut s = Schedule::default();
    s.set_build_settings(ScheduleBuildSettings {
        ambiguity_detection: LogLevel::Error,
        ..Default::default()
    });
    s.set_executor(SingleThreadedExecutor::new());
    s
}

/// Builds the monthly schedule: the phases chained in [`Phase::ORDER`], with ambiguity
/// detection as an error, so two systems that touch the same data in unspecified order
/// fail the build.
pub fn build_schedule() -> Schedule {
    let mut s = empty_schedule();
    for pair in Phase::ORDER.windows(2) {
        s.configure_sets(pair[0].before(pair[1]));
    }
    for phase in Phase::ORDER {
        add_phase_system(&mut s, phase);
    }
    s
}

/// One schedule per phase, in tick order, for timing each phase (same results as
/// [`build_schedule`] when run in this order).
pub fn build_phase_schedules() -> Vec<(Phase, Schedule)> {
    Phase::ORDER
        .iter()
        .map(|&phase| {
            let mut s = empty_schedule();
            add_phase_system(&mut s, phase);
            (phase, s)
        })
        .collect()
}
