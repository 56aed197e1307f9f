//! The `coopetition` binary: parse arguments, call the library, map errors to exit codes.

use std::process::ExitCode;

use clap::Parser;
use coopetition::cli::{Cli, dispatch, error_message, exit_code};

/// mimalloc for small blocks, the system allocator for large ones (why: `allocator`).
#[global_allocator]
static ALLOCATOR: coopetition::allocator::Hybrid = coopetition::allocator::Hybrid;

fn main() -> ExitCode {
    // Like other Unix tools, stop quietly when the reader of our output goes away
    // (`coopetition params | head`), instead of panicking on a closed pipe.
    // SAFETY: setting a signal disposition to the default at start-up, before any thread.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    coopetition::allocator::prefer_small_pages();
    // A run that panics is caught and recorded in failures.csv; one line on stderr is
    // enough (no backtrace per failed run).
    std::panic::set_hook(Box::new(|info| eprintln!("run failed: {info}")));
    let argv: Vec<String> = std::env::args().collect();
    let cli = Cli::parse();
    match dispatch(cli, argv) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", error_message(&e));
            exit_code(&e)
        }
    }
}
