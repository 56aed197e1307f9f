//! The integration tests, one module per area, in one binary: each test binary is a
//! full link of the library, so one binary instead of twenty saves most of the link time.

mod common;
mod support;

mod calibrate;
mod cli;
mod compute;
mod compute_market;
mod dead_params;
mod docs;
mod economics;
mod hardening;
mod inputs;
mod ishigami;
mod layers;
mod markets;
mod model;
mod partnership;
mod paths;
mod posterior;
mod prim;
mod procedure;
mod properties;
mod quantiles;
mod regulation;
#[cfg(feature = "serve")]
mod serve;
mod slurm;
mod streams;
mod sweep;
mod ties;
mod timeline;
mod validity;
