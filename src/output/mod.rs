//! Writers: everything that touches files. The simulation core never does I/O.

pub mod columns;
pub mod dirs;
pub mod format;
pub mod lock;
pub mod manifest;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod quantiles;
pub mod record;
pub mod run_dir;
