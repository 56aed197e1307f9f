//! The `coopetition` binary: parse arguments, call the library, map errors to exit codes.

use std::process::ExitCode;

use clap::Parser;
use coopetition::cli::{Cli, dispatch, exit_code};

fn main() -> ExitCode {
    // A run that panics is caught and recorded in failures.csv; one line on stderr is
    // enough (no backtrace per failed run).
    std::panic::set_hook(Box::new(|info| eprintln!("run failed: {info}")));
    let argv: Vec<String> = std::env::args().collect();
    let cli = Cli::parse();
    match dispatch(cli, argv) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            exit_code(&e)
        }
    }
}
