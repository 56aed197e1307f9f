//! `coopetition serve`: the local web app and its JSON API (docs/SERVE.md).

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::bad_input;
use crate::serve::{DEFAULT_MAX_JOBS, DEFAULT_MAX_RUNS, ServeError, Settings, start};

#[derive(Debug, Args)]
#[command(
    after_help = "Serves a what-if page, run stories and result reports from assets built into the binary \
        (no network needed). Only this machine can connect unless --host says otherwise. API: docs/SERVE.md.\n\n\
        Examples:\n  coopetition serve\n  coopetition serve --port 9000 --open\n  \
        coopetition serve --host 0.0.0.0 --max-runs 20000   # reachable from the network"
)]
pub struct ServeArgs {
    /// Port to listen on (0: any free port, printed at start).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on; the default accepts connections from this machine only.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Open the page in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Working directory: scenario files from it (and its scenarios/), results from its output/.
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,
    /// Most runs one request may ask for.
    #[arg(long, default_value_t = DEFAULT_MAX_RUNS, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_runs: u64,
    /// Most jobs at once (more get HTTP 429).
    #[arg(long, default_value_t = DEFAULT_MAX_JOBS as u64, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub max_jobs: u64,
    /// Worker threads of the simulations (default: all cores). Results do not depend on it.
    #[arg(long, default_value_t = 0, value_parser = super::parse_threads)]
    pub threads: usize,
}

pub fn execute(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let settings = Settings {
        addr: SocketAddr::new(args.host, args.port),
        root: args.dir.clone(),
        max_runs: args.max_runs,
        max_jobs: args.max_jobs as usize,
        threads: args.threads,
    };
    let server = start(settings).map_err(|e| match e {
        ServeError::Bind { .. } | ServeError::Root { .. } => bad_input(e),
        other => anyhow::Error::new(other),
    })?;
    let addr = server.addr();
    let url = match addr.ip() {
        ip if ip.is_unspecified() => format!("http://127.0.0.1:{}/", addr.port()),
        _ => format!("http://{addr}/"),
    };
    let reach = if addr.ip().is_loopback() {
        "only this machine can connect (--host 0.0.0.0 to listen on every interface)".to_string()
    } else {
        format!("listening on {} for every machine that can reach it", addr.ip())
    };
    println!(
        "coopetition serve: {url}  ({reach}; at most {} runs per request, {} jobs at once; Ctrl-C stops)",
        args.max_runs, args.max_jobs
    );
    if args.open {
        open_browser(&url);
    }
    server.wait();
    Ok(ExitCode::SUCCESS)
}

/// Opens `url` with the desktop's opener, if there is one (a failure only prints a note).
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    if let Err(e) = std::process::Command::new(opener)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        eprintln!("cannot open a browser ({opener}: {e}); open {url} yourself");
    }
}
