//! The world's state, the ground floor of the simulation: the components every agent kind
//! carries, the run's resources (scenario, seed, clock, roster, logs), its random streams and
//! the month's signals. It imports only `scenario` (and nothing above it): mechanisms read and
//! write this state; the composition (`crate::sim`) sets it up and schedules the mechanisms.
//! A type a mechanism owns (a regulator's case, the cloud market) lives with its mechanism.

pub mod components;
pub mod random;
pub mod resources;
pub mod signals;
