//! The JSON API (docs/SERVE.md): request checking, jobs with progress and cancellation,
//! and the handlers.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::error::ApiError;
use super::jobs;
use super::{AppState, JobStats, inside};
use crate::compare::CompareSpec;
use crate::interrupt::StopToken;
use crate::outcome::Outcome;
use crate::output::columns::METRICS;
use crate::scenario::{self, Scenario, load};

type Shared = State<Arc<AppState>>;

type ApiResult<T> = Result<T, ApiError>;

// ---- request fields ----------------------------------------------------------------

fn dotted(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// The body as a JSON object.
fn object(body: &Bytes) -> ApiResult<Map<String, Value>> {
    if body.is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::bad("body", "expected a JSON object")),
        Err(e) => Err(ApiError::bad("body", format!("not JSON: {e}"))),
    }
}

/// Refuses keys other than `allowed`, naming the first unknown one.
fn known_keys(obj: &Map<String, Value>, allowed: &[&str], prefix: &str) -> ApiResult<()> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(ApiError::bad(
            dotted(prefix, k),
            format!("unknown field (expected one of: {})", allowed.join(", ")),
        )),
        None => Ok(()),
    }
}

fn whole(obj: &Map<String, Value>, key: &str, default: u64, prefix: &str) -> ApiResult<u64> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v
            .as_u64()
            .ok_or_else(|| ApiError::bad(dotted(prefix, key), format!("expected a whole number ≥ 0, got {v}"))),
    }
}

fn runs(state: &AppState, obj: &Map<String, Value>) -> ApiResult<u64> {
    let runs = whole(obj, "runs", 1000, "")?;
    let max = state.settings.max_runs;
    if runs == 0 || runs > max {
        return Err(ApiError::bad(
            "runs",
            format!("{runs} runs: expected 1 to {max} per request (serve --max-runs)"),
        ));
    }
    Ok(runs)
}

/// The metrics of the fan charts asked for (`fans`), checked against the metric names.
fn fans(obj: &Map<String, Value>) -> ApiResult<Vec<usize>> {
    let Some(v) = obj.get("fans") else {
        return Ok(Vec::new());
    };
    let list = v
        .as_array()
        .ok_or_else(|| ApiError::bad("fans", "expected a list of metric names"))?;
    list.iter()
        .map(|m| {
            m.as_str()
                .and_then(|m| METRICS.iter().position(|x| *x == m))
                .ok_or_else(|| ApiError::bad("fans", format!("unknown metric {m} (metrics: {})", METRICS.join(", "))))
        })
        .collect()
}

/// A scenario and its overrides, resolved.
pub(crate) struct Side {
    pub scenario: Scenario,
    /// Name and changes, e.g. `baseline + regulation.stringency=2`.
    pub label: String,
}

/// A bundled scenario's name, or a `.toml` file under the working directory.
fn resolve(state: &AppState, name: &str, field: &str) -> ApiResult<Scenario> {
    if let Some(src) = load::bundled(name) {
        return load::parse_scenario(src, &format!("<bundled {name}>"))
            .map_err(|e| ApiError::bad(field, e.to_string()));
    }
    let unknown = || {
        ApiError::bad(
            field,
            format!(
                "unknown scenario {name:?}: not a bundled scenario ({}) nor a scenario file under the working directory (GET /api/scenarios)",
                load::bundled_names().join(", ")
            ),
        )
    };
    if !name.ends_with(".toml") {
        return Err(unknown());
    }
    let path = inside(&state.root, name).filter(|p| p.is_file()).ok_or_else(unknown)?;
    let src = std::fs::read_to_string(&path).map_err(|e| ApiError::bad(field, format!("{name}: {e}")))?;
    if crate::sweep::spec::is_sweep_source(&src) {
        return Err(ApiError::bad(field, format!("{name} is a sweep file, not a scenario")));
    }
    load::parse_scenario(&src, name).map_err(|e| ApiError::bad(field, e.to_string()))
}

/// `--set` arguments of a JSON `set` object, in key order: `{"regulation.stringency": 2}`
/// is `regulation.stringency=2`, a word is written bare, a list as TOML.
fn set_args(obj: &Map<String, Value>, prefix: &str) -> ApiResult<Vec<(String, String)>> {
    let field = dotted(prefix, "set");
    let Some(set) = obj.get("set") else {
        return Ok(Vec::new());
    };
    let set = match set {
        Value::Null => return Ok(Vec::new()),
        Value::Object(m) => m,
        _ => return Err(ApiError::bad(field, "expected an object of parameter paths and values")),
    };
    set.iter()
        .map(|(path, v)| {
            let raw = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Array(_) => v.to_string(),
                _ => {
                    return Err(ApiError::bad(
                        dotted(&field, path),
                        "expected a number, word, boolean or list",
                    ));
                }
            };
            Ok((dotted(&field, path), format!("{path}={raw}")))
        })
        .collect()
}

/// Reads `scenario` and `set` of `obj` (under `prefix`) and applies the overrides as
/// `--set` does.
fn side(state: &AppState, obj: &Map<String, Value>, prefix: &str) -> ApiResult<Side> {
    let field = dotted(prefix, "scenario");
    let name = match obj.get("scenario") {
        None | Some(Value::Null) => "baseline",
        Some(Value::String(s)) => s.as_str(),
        Some(v) => return Err(ApiError::bad(field, format!("expected a scenario name, got {v}"))),
    };
    let mut scenario = resolve(state, name, &field)?;
    let sets = set_args(obj, prefix)?;
    for (field, arg) in &sets {
        scenario = scenario::apply_override(&scenario, arg).map_err(|e| match e {
            load::ScenarioError::Override { message, .. } => ApiError::bad(field, message),
            other => ApiError::bad(field, other.to_string()),
        })?;
    }
    let args: Vec<String> = sets.into_iter().map(|(_, a)| a).collect();
    let label = scenario::label(name, &args);
    Ok(Side { scenario, label })
}

/// Refuses a batch the machine has no memory for (as the CLI does).
fn memory(state: &AppState, scenarios: &[&Scenario], runs: u64, held: u64) -> ApiResult<()> {
    let engines = state.pool.current_num_threads().min(runs.max(1) as usize);
    match crate::memory::refusal(scenarios.iter().copied(), engines, held) {
        Some(message) => Err(ApiError::bad("scenario", message)),
        None => Ok(()),
    }
}

// ---- jobs --------------------------------------------------------------------------

/// What a job sends its request.
enum Msg {
    Progress { done: u64, of: u64 },
    Done(ApiResult<Value>),
}

/// Held by whoever waits for a job's answer (the handler's future, or the streamed body):
/// dropped before the answer, when the connection goes away, it asks the job to stop.
struct Watch {
    token: StopToken,
    state: Arc<AppState>,
    answered: bool,
}

impl Drop for Watch {
    fn drop(&mut self) {
        if !self.answered {
            self.token.request();
            self.state.stats.cancelled.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// Starts `work` on a blocking thread with a stop token of its own (429 when
/// `max_jobs` are running); `work` gets a progress callback (runs finished).
fn launch(
    state: &Arc<AppState>,
    total: u64,
    work: impl FnOnce(&AppState, &(dyn Fn(u64) + Sync)) -> ApiResult<Value> + Send + 'static,
) -> ApiResult<(tokio::sync::mpsc::UnboundedReceiver<Msg>, Watch)> {
    let permit = Arc::clone(&state.permits).try_acquire_owned().map_err(|_| ApiError {
        status: StatusCode::TOO_MANY_REQUESTS,
        field: None,
        message: format!(
            "{} jobs are running already (serve --max-jobs); try again when one ends",
            state.settings.max_jobs
        ),
    })?;
    let token = StopToken::new();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let st = Arc::clone(state);
    let job_token = token.clone();
    st.stats.running.fetch_add(1, Ordering::SeqCst);
    tokio::task::spawn_blocking(move || {
        let done = AtomicU64::new(0);
        let progress_tx = tx.clone();
        let tick = move |n: u64| {
            let d = done.fetch_add(n, Ordering::SeqCst) + n;
            let _ = progress_tx.send(Msg::Progress { done: d, of: total });
        };
        let out = crate::interrupt::scoped(&job_token, || {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&st, &tick)))
                .unwrap_or_else(|_| Err(ApiError::internal("the job failed (panic); see the server's log")))
        });
        if out.is_ok() {
            st.stats.completed.fetch_add(1, Ordering::SeqCst);
        }
        st.stats.running.fetch_sub(1, Ordering::SeqCst);
        drop(permit);
        let _ = tx.send(Msg::Done(out));
    });
    let watch = Watch {
        token,
        state: Arc::clone(state),
        answered: false,
    };
    Ok((rx, watch))
}

/// An interrupted job's error (nobody reads it: its connection is gone).
pub(crate) fn stopped(e: std::io::Error) -> ApiError {
    ApiError {
        status: StatusCode::SERVICE_UNAVAILABLE,
        field: None,
        message: format!("stopped: {e}"),
    }
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct Mode {
    /// `?progress=1`: stream NDJSON progress lines, then the answer.
    #[serde(default)]
    progress: Option<String>,
}

/// Answers with the job's result: one JSON document, or (with `?progress=1`) NDJSON lines
/// `{"progress": {"done", "of"}}` and a last line `{"result": ...}` or `{"error": ...}`.
async fn answer(mode: Mode, mut rx: tokio::sync::mpsc::UnboundedReceiver<Msg>, mut watch: Watch) -> Response {
    if mode.progress.as_deref().is_some_and(|p| p != "0" && p != "false") {
        let lines = futures_util::stream::unfold((rx, watch), |(mut rx, mut watch)| async move {
            let msg = rx.recv().await?;
            let line = match msg {
                Msg::Progress { done, of } => json!({"progress": {"done": done, "of": of}}),
                Msg::Done(r) => {
                    watch.answered = true;
                    match r {
                        Ok(v) => json!({ "result": v }),
                        Err(e) => e.to_json(),
                    }
                }
            };
            let mut text = line.to_string();
            text.push('\n');
            Some((Ok::<_, std::convert::Infallible>(Bytes::from(text)), (rx, watch)))
        });
        return (
            [(header::CONTENT_TYPE, HeaderValue::from_static("application/x-ndjson"))],
            Body::from_stream(lines),
        )
            .into_response();
    }
    while let Some(msg) = rx.recv().await {
        if let Msg::Done(r) = msg {
            watch.answered = true;
            return match r {
                Ok(v) => super::json(StatusCode::OK, v),
                Err(e) => e.into_response(),
            };
        }
    }
    ApiError::internal("the job ended without an answer").into_response()
}

// ---- handlers ----------------------------------------------------------------------

/// `GET /api/scenarios`: bundled scenarios and the scenario files under the working
/// directory (top level and `scenarios/`).
pub(crate) async fn scenarios(State(state): Shared) -> Response {
    let mut list = Vec::new();
    for name in load::bundled_names() {
        if let Some(Ok(s)) = load::bundled(name).map(|src| load::parse_scenario(src, name)) {
            list.push(json!({"name": name, "source": "bundled", "description": first_line(&s.description), "horizon_months": s.horizon_months}));
        }
    }
    for dir in ["", "scenarios"] {
        let Ok(entries) = std::fs::read_dir(state.root.join(dir)) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
            .collect();
        files.sort();
        for p in files {
            let Some(file) = p.file_name().and_then(|f| f.to_str()) else {
                continue;
            };
            let rel = if dir.is_empty() {
                file.to_string()
            } else {
                format!("{dir}/{file}")
            };
            let Ok(src) = std::fs::read_to_string(&p) else {
                continue;
            };
            if crate::sweep::spec::is_sweep_source(&src) {
                continue;
            }
            match load::parse_scenario(&src, &rel) {
                Ok(s) => list.push(json!({"name": rel, "source": "file", "description": first_line(&s.description), "horizon_months": s.horizon_months})),
                Err(e) => list.push(json!({"name": rel, "source": "file", "error": e.to_string()})),
            }
        }
    }
    super::json(StatusCode::OK, json!({ "scenarios": list }))
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

#[derive(serde::Deserialize)]
pub(crate) struct ParamsQuery {
    scenario: Option<String>,
}

/// `GET /api/params?scenario=NAME`: every settable parameter with its value in the scenario,
/// unit, range, meaning, grouped by mechanism (roster fields per company).
pub(crate) async fn params(State(state): Shared, Query(q): Query<ParamsQuery>) -> Response {
    let name = q.scenario.as_deref().unwrap_or("baseline");
    let s = match resolve(&state, name, "scenario") {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    let mut groups: Vec<(String, Vec<Value>)> = Vec::new();
    for row in crate::scenario::params::with_values(&s) {
        let spec = row.spec;
        let (group, company) = match row.path.strip_prefix("companies.") {
            Some(rest) => {
                let company = rest.split('.').next().unwrap_or("").to_string();
                (format!("companies.{company}"), Some(company))
            }
            None => match row.path.split_once('.') {
                Some((g, _)) => (g.to_string(), None),
                None => ("general".to_string(), None),
            },
        };
        let value = load::current_value(&s, &row.path)
            .ok()
            .and_then(|v| serde_json::to_value(v).ok())
            .unwrap_or(Value::Null);
        let kind = match &value {
            _ if !spec.words.is_empty() => "word",
            Value::Bool(_) => "bool",
            Value::Array(_) => "list",
            Value::Number(n) if n.is_u64() || n.is_i64() => "integer",
            Value::Number(_) => "number",
            _ => "text",
        };
        let bound = |x: f64| if x.is_finite() { json!(x) } else { Value::Null };
        let entry = json!({
            "path": row.path,
            "value": value,
            "kind": kind,
            "unit": spec.unit,
            "min": bound(spec.min),
            "max": bound(spec.max),
            "words": spec.words,
            "meaning": spec.doc,
            "start_only": spec.initial,
            "company": company,
        });
        match groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, list)) => list.push(entry),
            None => groups.push((group, vec![entry])),
        }
    }
    let groups: Vec<Value> = groups
        .into_iter()
        .map(|(group, params)| json!({"group": group, "params": params}))
        .collect();
    super::json(
        StatusCode::OK,
        json!({"scenario": name, "horizon_months": s.horizon_months, "groups": groups}),
    )
}

/// `GET /api/metrics`: the metric names fan charts and stories take.
pub(crate) async fn metrics() -> Response {
    super::json(
        StatusCode::OK,
        json!({"metrics": METRICS, "default": crate::analyze::fan::DEFAULT_METRICS}),
    )
}

/// `POST /api/run`: `coopetition run` of one scenario with overrides.
pub(crate) async fn run(State(state): Shared, Query(mode): Query<Mode>, body: Bytes) -> Response {
    let started = (|| {
        let obj = object(&body)?;
        known_keys(&obj, &["scenario", "set", "runs", "seed", "fans"], "")?;
        let side = side(&state, &obj, "")?;
        let runs = runs(&state, &obj)?;
        let seed = whole(&obj, "seed", 42, "")?;
        let fans = fans(&obj)?;
        memory(
            &state,
            &[&side.scenario],
            runs,
            runs.min(crate::memory::PIPELINED_RUNS_HELD),
        )?;
        launch(&state, runs, move |st, tick| {
            let tally = jobs::run(&st.pool, &side.scenario, runs, seed, tick).map_err(stopped)?;
            let mut out = json!({
                "scenario": side.label,
                "runs": runs,
                "seed": seed,
                "horizon_months": side.scenario.horizon_months,
            });
            jobs::merge(&mut out, tally.to_json());
            out["charts"] = jobs::charts_run(&side.label, &tally, &fans, seed)?;
            Ok(out)
        })
    })();
    match started {
        Ok((rx, watch)) => answer(mode, rx, watch).await,
        Err(e) => e.into_response(),
    }
}

/// `POST /api/compare`: `coopetition compare` of `a` and `b` on common seeds.
pub(crate) async fn compare(State(state): Shared, Query(mode): Query<Mode>, body: Bytes) -> Response {
    let started = (|| {
        let obj = object(&body)?;
        known_keys(&obj, &["a", "b", "runs", "seed", "fans"], "")?;
        let part = |key: &str| -> ApiResult<Side> {
            let o = match obj.get(key) {
                Some(Value::Object(o)) => o,
                None => {
                    return Err(ApiError::bad(
                        key,
                        "missing: expected {\"scenario\": ..., \"set\": {...}}",
                    ));
                }
                Some(_) => return Err(ApiError::bad(key, "expected {\"scenario\": ..., \"set\": {...}}")),
            };
            known_keys(o, &["scenario", "set"], key)?;
            side(&state, o, key)
        };
        let (a, b) = (part("a")?, part("b")?);
        if a.scenario.horizon_months != b.scenario.horizon_months {
            return Err(ApiError::bad(
                "b",
                format!(
                    "A has horizon_months = {} and B {}: outcomes at different horizons are not comparable",
                    a.scenario.horizon_months, b.scenario.horizon_months
                ),
            ));
        }
        let runs = runs(&state, &obj)?;
        let seed = whole(&obj, "seed", 42, "")?;
        let fans = fans(&obj)?;
        memory(
            &state,
            &[&a.scenario, &b.scenario],
            runs,
            2 * runs.min(crate::montecarlo::BLOCK),
        )?;
        launch(&state, runs, move |st, tick| {
            let spec = CompareSpec {
                a: &a.scenario,
                b: &b.scenario,
                label_a: a.label.clone(),
                label_b: b.label.clone(),
                runs,
                seed,
                command_line: &[],
            };
            let (pairs, ta, tb) = jobs::compare(&st.pool, &spec, tick).map_err(stopped)?;
            jobs::compare_json(&spec, &pairs, &ta, &tb, &fans)
        })
    })();
    match started {
        Ok((rx, watch)) => answer(mode, rx, watch).await,
        Err(e) => e.into_response(),
    }
}

/// `POST /api/story`: one run's dated events and key series: run `run`, or the first run
/// (of at most `runs`) that ended in `outcome`.
pub(crate) async fn story(State(state): Shared, Query(mode): Query<Mode>, body: Bytes) -> Response {
    let started = (|| {
        let obj = object(&body)?;
        known_keys(
            &obj,
            &["scenario", "set", "seed", "run", "outcome", "runs", "metrics"],
            "",
        )?;
        let side = side(&state, &obj, "")?;
        let seed = whole(&obj, "seed", 42, "")?;
        let outcome = match obj.get("outcome") {
            None | Some(Value::Null) => None,
            Some(v) => Some(v.as_str().and_then(Outcome::parse).ok_or_else(|| {
                ApiError::bad(
                    "outcome",
                    format!(
                        "expected one of {}, got {v}",
                        Outcome::ALL.map(Outcome::as_str).join(", ")
                    ),
                )
            })?),
        };
        let run = match (obj.get("run"), outcome) {
            (Some(_), Some(_)) => return Err(ApiError::bad("run", "give either run or outcome, not both")),
            (Some(_), None) => Some(whole(&obj, "run", 0, "")?),
            (None, None) => Some(0),
            (None, Some(_)) => None,
        };
        let runs = if outcome.is_some() { runs(&state, &obj)? } else { 1 };
        let metrics: Vec<usize> = match obj.get("metrics") {
            None => crate::analyze::fan::DEFAULT_METRICS
                .iter()
                .filter_map(|m| METRICS.iter().position(|x| x == m))
                .collect(),
            Some(_) => {
                let mut o = Map::new();
                o.insert("fans".into(), obj["metrics"].clone());
                fans(&o).map_err(|e| ApiError {
                    field: Some("metrics".into()),
                    ..e
                })?
            }
        };
        memory(&state, &[&side.scenario], runs, runs.min(crate::montecarlo::BLOCK))?;
        launch(&state, runs, move |st, tick| {
            let run = match (run, outcome) {
                (Some(r), _) => r,
                (None, Some(o)) => {
                    match jobs::find_run(&st.pool, &side.scenario, seed, o, runs, tick).map_err(stopped)? {
                        Some(r) => r,
                        None => {
                            return Err(ApiError::not_found(
                                "outcome",
                                format!("none of the first {runs} runs ended in {}", o.as_str()),
                            ));
                        }
                    }
                }
                (None, None) => 0,
            };
            let mut out = jobs::story(&side.scenario, seed, run, &metrics)?;
            out["scenario"] = json!(side.label);
            Ok(out)
        })
    })();
    match started {
        Ok((rx, watch)) => answer(mode, rx, watch).await,
        Err(e) => e.into_response(),
    }
}

/// The output tree: `ROOT/output`.
fn output_root(state: &AppState) -> PathBuf {
    state.root.join("output")
}

/// `GET /api/results`: run, sweep and comparison directories under `output/`.
pub(crate) async fn results(State(state): Shared) -> Response {
    let base = output_root(&state);
    let mut found = Vec::new();
    walk(&base, &base, 0, &mut found);
    found.sort_by(|a, b| a.0.cmp(&b.0));
    let list: Vec<Value> = found
        .into_iter()
        .map(|(rel, kind)| {
            let report = report_of(&base.join(&rel), &kind).map(|r| format!("/files/output/{rel}/{r}"));
            json!({"dir": format!("output/{rel}"), "kind": kind, "report": report})
        })
        .collect();
    super::json(StatusCode::OK, json!({ "results": list }))
}

/// Result directories below `dir` (at most 3 levels): relative path and kind.
fn walk(base: &Path, dir: &Path, depth: usize, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        // Never follow a link (it could leave the output tree).
        if !e.file_type().is_ok_and(|t| t.is_dir()) || p.file_name().is_some_and(|n| n == "analysis") {
            continue;
        }
        if let Some(kind) = kind_of(&p) {
            if let Some(rel) = p.strip_prefix(base).ok().and_then(|r| r.to_str()) {
                out.push((rel.to_string(), kind));
            }
        } else if depth < 3 {
            walk(base, &p, depth + 1, out);
        }
    }
}

/// `run`, `sweep`, `compare`, ... from the manifest; `sweep` for a sweep without one.
fn kind_of(dir: &Path) -> Option<String> {
    if let Ok(text) = std::fs::read_to_string(dir.join("manifest.json")) {
        let kind = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|m| m.get("kind").and_then(Value::as_str).map(str::to_string));
        return Some(kind.unwrap_or_else(|| "run".into()));
    }
    (dir.join("summary.csv").is_file() || dir.join("points.csv").is_file()).then(|| "sweep".into())
}

/// The report of a result directory, relative to it, if written.
fn report_of(dir: &Path, kind: &str) -> Option<&'static str> {
    let name = if kind == "compare" || kind == "calibration" {
        "report.html"
    } else {
        "analysis/report.html"
    };
    dir.join(name).is_file().then_some(name)
}

/// `POST /api/analyze` `{"dir": "output/NAME"}`: the directory's report, written first
/// (as `coopetition analyze DIR`) when it has none.
pub(crate) async fn analyze(State(state): Shared, body: Bytes) -> Response {
    let started = (|| {
        let obj = object(&body)?;
        known_keys(&obj, &["dir"], "")?;
        let rel = obj
            .get("dir")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                ApiError::bad(
                    "dir",
                    "expected a directory under output/, e.g. \"output/baseline-seed42\"",
                )
            })?
            .to_string();
        let inner = rel
            .strip_prefix("output/")
            .unwrap_or(&rel)
            .trim_end_matches('/')
            .to_string();
        let dir = inside(&output_root(&state), &inner)
            .filter(|d| d.is_dir())
            .ok_or_else(|| ApiError::not_found("dir", format!("{rel}: no such directory under output/")))?;
        let kind =
            kind_of(&dir).ok_or_else(|| ApiError::bad("dir", format!("{rel}: holds no run, sweep or comparison")))?;
        let url = |r: &str| json!({"dir": format!("output/{inner}"), "kind": kind, "report": format!("/files/output/{inner}/{r}")});
        if let Some(r) = report_of(&dir, &kind) {
            return Ok(Err(url(r)));
        }
        let answer = url("analysis/report.html");
        launch(&state, 0, move |_, _| {
            let opts = crate::analyze::AnalyzeOptions {
                formats: vec![crate::analyze::ReportFormat::Html],
                ..Default::default()
            };
            crate::analyze::analyze(&dir, &opts).map_err(|e| match e.is_bad_input() {
                true => ApiError::bad("dir", e.to_string()),
                false => ApiError::internal(e.to_string()),
            })?;
            Ok(answer)
        })
        .map(Ok)
    })();
    match started {
        Ok(Ok((rx, watch))) => answer(Mode::default(), rx, watch).await,
        Ok(Err(ready)) => super::json(StatusCode::OK, ready),
        Err(e) => e.into_response(),
    }
}

/// `GET /api/status`: jobs running, completed and cancelled, and the caps.
pub(crate) async fn status(State(state): Shared) -> Response {
    let s = &state.stats;
    super::json(
        StatusCode::OK,
        json!({
            "running": JobStats::get(&s.running),
            "completed": JobStats::get(&s.completed),
            "cancelled": JobStats::get(&s.cancelled),
            "max_runs": state.settings.max_runs,
            "max_jobs": state.settings.max_jobs,
            "threads": state.pool.current_num_threads(),
        }),
    )
}

/// `GET /files/output/...`: a file of the output tree (reports, charts, tables).
pub(crate) async fn file(State(state): Shared, axum::extract::Path(path): axum::extract::Path<String>) -> Response {
    let Some(inner) = path.strip_prefix("output/") else {
        return ApiError::not_found("path", "only files under output/ are served").into_response();
    };
    let Some(full) = inside(&output_root(&state), inner).filter(|p| p.is_file()) else {
        return ApiError::not_found("path", format!("{path}: no such file under output/")).into_response();
    };
    let mime = match full.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "svg" => "image/svg+xml",
        "csv" | "md" | "txt" => "text/plain; charset=utf-8",
        "json" => "application/json",
        "png" => "image/png",
        _ => "application/octet-stream",
    };
    match std::fs::read(&full) {
        Ok(bytes) => ([(header::CONTENT_TYPE, HeaderValue::from_static(mime))], bytes).into_response(),
        Err(e) => ApiError::internal(format!("{path}: {e}")).into_response(),
    }
}
