//! The tick order: the one place it is written (SPEC §2).

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{LogLevel, ScheduleBuildSettings, SingleThreadedExecutor};

use crate::mechanisms::{cloud, governance, hiring, metrics, partnership, products, regulation, research, startups};

/// The phases of a month, run in this order.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    Governance,
    Hiring,
    Cloud,
    Research,
    Products,
    Startups,
    Partnership,
    Regulation,
    Metrics,
}

impl Phase {
    /// Every phase in tick order.
    pub const ORDER: [Phase; 9] = [
        Phase::Governance,
        Phase::Hiring,
        Phase::Cloud,
        Phase::Research,
        Phase::Products,
        Phase::Startups,
        Phase::Partnership,
        Phase::Regulation,
        Phase::Metrics,
    ];
}

/// Builds the monthly schedule with ambiguity detection as an error: two systems that
/// touch the same data in unspecified order fail the build.
pub fn build_schedule() -> Schedule {
    let mut s = Schedule::default();
    s.set_build_settings(ScheduleBuildSettings {
        ambiguity_detection: LogLevel::Error,
        ..Default::default()
    });
    s.set_executor(SingleThreadedExecutor::new());
    s.configure_sets(
        (
            Phase::Governance,
            Phase::Hiring,
            Phase::Cloud,
            Phase::Research,
            Phase::Products,
            Phase::Startups,
            Phase::Partnership,
            Phase::Regulation,
            Phase::Metrics,
        )
            .chain(),
    );
    s.add_systems((
        governance::governance_shocks.in_set(Phase::Governance),
        hiring::hiring.in_set(Phase::Hiring),
        cloud::cloud_contracts.in_set(Phase::Cloud),
        research::research.in_set(Phase::Research),
        products::products.in_set(Phase::Products),
        startups::startups.in_set(Phase::Startups),
        partnership::partnership.in_set(Phase::Partnership),
        regulation::regulation.in_set(Phase::Regulation),
        metrics::metrics.in_set(Phase::Metrics),
    ));
    s
}
