//! One file per mechanism; each is a system in its own phase (the tick order is the composition's: `sim::schedule`).

pub mod cloud;
pub mod funding;
pub mod governance;
pub mod hiring;
pub mod metrics;
pub mod partnership;
pub mod products;
pub mod regulation;
pub mod research;
pub mod startups;
pub mod ties;
