//! `coopetition serve`: a local web app (what-if, run story, results) and the JSON API it
//! uses, served from assets embedded in the binary (docs/SERVE.md).
//!
//! Every number comes from the library's own code paths: `/api/run` drives
//! [`montecarlo::run_pipelined`](crate::montecarlo::run_pipelined) as `coopetition run`
//! does, `/api/compare` drives [`compare::run_pairs`](crate::compare::run_pairs) as
//! `coopetition compare` does, and a run's story is [`sim::simulate`](crate::sim::simulate)
//! on the seed of that run. So an answer equals the CLI's for the same scenario,
//! overrides, runs and seed.
//!
//! Safety: the server binds 127.0.0.1 unless told otherwise; files are served only from
//! `ROOT/output` (paths are resolved and must stay inside it); runs per request and jobs at
//! once are capped ([`Settings`]); a bad request gets a 4xx JSON `{"error", "field"}`; a job
//! holds a [`StopToken`](crate::interrupt::StopToken) that is set when its connection goes
//! away (the handler's future, or the streamed body, is dropped), and the job stops at its
//! next block of runs.

mod api;
mod error;
mod jobs;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

/// Settings of a server.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Address to bind (port 0: any free port).
    pub addr: SocketAddr,
    /// The working directory: scenario files are listed from it and from its `scenarios/`,
    /// results from its `output/`.
    pub root: PathBuf,
    /// Most runs one request may ask for.
    pub max_runs: u64,
    /// Most jobs (runs, comparisons, stories, analyses) at once; more get 429.
    pub max_jobs: usize,
    /// Worker threads of the simulation pool (0: all cores).
    pub threads: usize,
}

/// Default of [`Settings::max_runs`]: 100,000 runs take about half a minute on 2 cores.
pub const DEFAULT_MAX_RUNS: u64 = 100_000;
/// Default of [`Settings::max_jobs`].
pub const DEFAULT_MAX_JOBS: usize = 2;

impl Default for Settings {
    fn default() -> Self {
        Settings {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            root: PathBuf::from("."),
            max_runs: DEFAULT_MAX_RUNS,
            max_jobs: DEFAULT_MAX_JOBS,
            threads: 0,
        }
    }
}

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("{root}: not a directory: {source}")]
    Root { root: PathBuf, source: std::io::Error },
    #[error("cannot start the server: {0}")]
    Start(String),
}

/// What the handlers share.
pub(crate) struct AppState {
    pub settings: Settings,
    /// `settings.root`, resolved.
    pub root: PathBuf,
    pub pool: rayon::ThreadPool,
    pub permits: Arc<tokio::sync::Semaphore>,
    pub stats: JobStats,
}

/// Counters of jobs, for `/api/status` (and the tests of cancellation).
#[derive(Debug, Default)]
pub(crate) struct JobStats {
    pub running: AtomicU64,
    pub completed: AtomicU64,
    pub cancelled: AtomicU64,
}

impl JobStats {
    pub fn get(c: &AtomicU64) -> u64 {
        c.load(Ordering::SeqCst)
    }
}

/// A running server (its runtime runs on threads of its own).
pub struct Server {
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// The address it listens on (the port chosen when 0 was asked).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until the process ends.
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    /// Stops accepting connections and ends the runtime.
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Binds `settings.addr` and serves on a runtime of its own; returns once it listens.
pub fn start(settings: Settings) -> Result<Server, ServeError> {
    let root = settings.root.canonicalize().map_err(|source| ServeError::Root {
        root: settings.root.clone(),
        source,
    })?;
    let pool = crate::montecarlo::thread_pool(settings.threads).map_err(|e| ServeError::Start(e.to_string()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .enable_time()
        .thread_name("serve")
        .build()
        .map_err(|e| ServeError::Start(e.to_string()))?;
    let std_listener = std::net::TcpListener::bind(settings.addr).map_err(|source| ServeError::Bind {
        addr: settings.addr,
        source,
    })?;
    std_listener
        .set_nonblocking(true)
        .map_err(|e| ServeError::Start(e.to_string()))?;
    let addr = std_listener
        .local_addr()
        .map_err(|e| ServeError::Start(e.to_string()))?;
    let state = Arc::new(AppState {
        permits: Arc::new(tokio::sync::Semaphore::new(settings.max_jobs.max(1))),
        settings,
        root,
        pool,
        stats: JobStats::default(),
    });
    let app = router(state);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let listener = {
        let _guard = runtime.enter();
        tokio::net::TcpListener::from_std(std_listener).map_err(|e| ServeError::Start(e.to_string()))?
    };
    let thread = std::thread::Builder::new()
        .name("serve".into())
        .spawn(move || {
            runtime.block_on(async move {
                let server = axum::serve(listener, app).with_graceful_shutdown(async move {
                    let _ = rx.await;
                });
                if let Err(e) = server.await {
                    eprintln!("serve: {e}");
                }
            });
            // Jobs still running are asked to stop by their dropped connections; do not wait.
            runtime.shutdown_background();
        })
        .map_err(|e| ServeError::Start(e.to_string()))?;
    Ok(Server {
        addr,
        shutdown: Some(tx),
        thread: Some(thread),
    })
}

fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(|| async { asset("index.html") }))
        .route(
            "/assets/{name}",
            get(|axum::extract::Path(name): axum::extract::Path<String>| async move { asset(&name) }),
        )
        .route("/api/scenarios", get(api::scenarios))
        .route("/api/params", get(api::params))
        .route("/api/metrics", get(api::metrics))
        .route("/api/run", post(api::run))
        .route("/api/compare", post(api::compare))
        .route("/api/story", post(api::story))
        .route("/api/results", get(api::results))
        .route("/api/analyze", post(api::analyze))
        .route("/api/status", get(api::status))
        .route("/files/{*path}", get(api::file))
        .fallback(|| async { error::ApiError::not_found("path", "no such page or endpoint").into_response() })
        .with_state(state)
}

/// The embedded page and its script and style sheet.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "index.html",
        "text/html; charset=utf-8",
        include_str!("assets/index.html"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/app.js"),
    ),
    ("app.css", "text/css; charset=utf-8", include_str!("assets/app.css")),
];

fn asset(name: &str) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, mime, body)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            ],
            *body,
        )
            .into_response(),
        None => error::ApiError::not_found("path", "no such asset").into_response(),
    }
}

/// `rel` (a path relative to `base`, from a request) resolved inside `base`, or `None` if it
/// leaves `base` (`..`, an absolute path, a symlink out) or does not exist.
pub(crate) fn inside(base: &Path, rel: &str) -> Option<PathBuf> {
    let rel = Path::new(rel);
    if rel.is_absolute()
        || rel
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_) | std::path::Component::CurDir))
    {
        return None;
    }
    let base = base.canonicalize().ok()?;
    let full = base.join(rel).canonicalize().ok()?;
    full.starts_with(&base).then_some(full)
}

/// A status code and JSON body.
pub(crate) fn json(status: StatusCode, value: serde_json::Value) -> Response {
    (status, axum::Json(value)).into_response()
}
