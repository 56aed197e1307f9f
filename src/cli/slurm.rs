//! `coopetition slurm` (being written).

use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub struct SlurmArgs {}

pub fn execute(_args: SlurmArgs, _argv: &[String]) -> anyhow::Result<ExitCode> {
    Err(super::bad_input("not implemented yet"))
}
