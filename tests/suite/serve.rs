//! `coopetition serve`: every endpoint over real HTTP against a server each test starts
//! (happy paths, bad fields, bad paths, cancellation), and the equality of its numbers
//! with the CLI's.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use coopetition::serve::{Server, Settings, start};
use serde_json::{Value, json};

use crate::common::{code, run_in, s, stderr, tmp};

fn server(root: &Path, max_runs: u64, max_jobs: usize) -> Server {
    start(Settings {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        root: root.to_path_buf(),
        max_runs,
        max_jobs,
        threads: 2,
    })
    .expect("server starts")
}

/// A response: status, headers (lower-case names), body.
struct Reply {
    status: u16,
    headers: String,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

fn request_text(method: &str, path: &str, body: &str) -> String {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// One HTTP/1.1 request (a minimal client: the tests need no HTTP library).
fn http(addr: SocketAddr, method: &str, path: &str, body: &str) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    stream.write_all(request_text(method, path, body).as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read reply");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").expect("header end");
    let status: u16 = head.split(' ').nth(1).and_then(|c| c.parse().ok()).expect("status");
    let headers = head.to_ascii_lowercase();
    let body = if headers.contains("transfer-encoding: chunked") {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    Reply { status, headers, body }
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    loop {
        let (size, after) = rest.split_once("\r\n").expect("chunk size");
        let n = usize::from_str_radix(size.trim(), 16).expect("hex size");
        if n == 0 {
            return out;
        }
        out.push_str(&after[..n]);
        rest = &after[n + 2..];
    }
}

fn get(addr: SocketAddr, path: &str) -> Reply {
    http(addr, "GET", path, "")
}

fn post(addr: SocketAddr, path: &str, body: &Value) -> Reply {
    http(addr, "POST", path, &body.to_string())
}

/// Outcome counts of a run directory's `outcomes.csv`.
fn cli_counts(dir: &Path) -> BTreeMap<String, u64> {
    let text = std::fs::read_to_string(dir.join("outcomes.csv")).unwrap();
    let mut counts: BTreeMap<String, u64> = ["symbiosis", "decoupling", "acquisition", "divestiture"]
        .iter()
        .map(|o| (o.to_string(), 0))
        .collect();
    for line in text.lines().skip(1) {
        *counts.get_mut(line.split(',').nth(2).unwrap()).unwrap() += 1;
    }
    counts
}

fn api_counts(v: &Value) -> BTreeMap<String, u64> {
    v["outcomes"]
        .as_object()
        .expect("outcomes")
        .iter()
        .map(|(k, o)| (k.clone(), o["count"].as_u64().unwrap()))
        .collect()
}

#[test]
fn serve_run_equals_coopetition_run() {
    let dir = tmp();
    let srv = server(dir.path(), 10_000, 2);
    let body = json!({"scenario": "baseline", "set": {"regulation.stringency": 2}, "runs": 300, "seed": 7, "fans": ["tension"]});
    let r = post(srv.addr(), "/api/run", &body);
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["runs"], 300);
    assert_eq!(v["scenario"], "baseline + regulation.stringency=2");
    let out = dir.path().join("cli");
    let o = run_in(
        dir.path(),
        &[
            "run",
            "baseline",
            "--set",
            "regulation.stringency=2",
            "--runs",
            "300",
            "--seed",
            "7",
            "--out",
            s(&out),
            "--quiet",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(api_counts(&v), cli_counts(&out), "the server's counts are the CLI's");
    for (_, o) in v["outcomes"].as_object().unwrap() {
        let (p, lo, hi) = (
            o["p"].as_f64().unwrap(),
            o["lo"].as_f64().unwrap(),
            o["hi"].as_f64().unwrap(),
        );
        assert!(lo <= p && p <= hi, "{o}");
    }
    assert!(v["charts"]["fans"]["tension"].as_str().unwrap().starts_with("<svg"));
    assert!(v["charts"]["outcomes"].as_str().unwrap().contains("viewBox"));

    // The same request with progress: NDJSON lines, then the same answer.
    let r = post(srv.addr(), "/api/run?progress=1", &body);
    assert_eq!(r.status, 200);
    assert!(r.headers.contains("application/x-ndjson"), "{}", r.headers);
    let lines: Vec<Value> = r.body.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(lines.iter().any(|l| l["progress"]["of"] == 300), "{}", r.body);
    assert_eq!(api_counts(&lines.last().unwrap()["result"]), cli_counts(&out));
}

#[test]
fn serve_compare_equals_coopetition_compare_and_names_the_change() {
    let dir = tmp();
    let srv = server(dir.path(), 10_000, 2);
    let body = json!({"a": {"scenario": "baseline"}, "b": {"scenario": "baseline", "set": {"regulation.stringency": 2}}, "runs": 200, "seed": 3});
    let r = post(srv.addr(), "/api/compare", &body);
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["pairs"], 200);
    assert_eq!(v["b"]["scenario"], "baseline + regulation.stringency=2");
    assert_eq!(v["a"]["scenario"], "baseline");
    let out = dir.path().join("cmp");
    let o = run_in(
        dir.path(),
        &[
            "compare",
            "baseline",
            "baseline",
            "--set-b",
            "regulation.stringency=2",
            "--runs",
            "200",
            "--seed",
            "3",
            "--out",
            s(&out),
            "--quiet",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(api_counts(&v["a"]), cli_counts(&out.join("a")));
    assert_eq!(api_counts(&v["b"]), cli_counts(&out.join("b")));
    // comparison.csv: outcome,p_a,p_b,diff,diff_lo,diff_hi
    let csv = std::fs::read_to_string(out.join("comparison.csv")).unwrap();
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let d = &v["differences"][f[0]];
        for (col, key) in [(3, "diff"), (4, "lo"), (5, "hi")] {
            let cli: f64 = f[col].parse().unwrap();
            assert!(
                (cli - d[key].as_f64().unwrap()).abs() < 1e-9,
                "{} {key}: {line} vs {d}",
                f[0]
            );
        }
    }
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains("Comparison: B: baseline + regulation.stringency=2 vs A: baseline"),
        "{}",
        &report[..200.min(report.len())]
    );
    // The same run of B alone, through /api/run, gives B's counts.
    let r = post(
        srv.addr(),
        "/api/run",
        &json!({"set": {"regulation.stringency": 2}, "runs": 200, "seed": 3}),
    );
    assert_eq!(api_counts(&r.json()), cli_counts(&out.join("b")));
}

#[test]
fn serve_get_endpoints_and_the_page() {
    let dir = tmp();
    std::fs::write(
        dir.path().join("mine.toml"),
        "name = \"mine\"\ndescription = \"my what-if\"\n[regulation]\nstringency = 1.5\n",
    )
    .unwrap();
    let srv = server(dir.path(), 10_000, 2);
    let a = srv.addr();
    let page = get(a, "/");
    assert_eq!(page.status, 200);
    assert!(page.headers.contains("text/html") && page.body.contains("/assets/app.js"));
    for asset in ["app.js", "app.css"] {
        assert_eq!(get(a, &format!("/assets/{asset}")).status, 200, "{asset}");
    }
    assert_eq!(get(a, "/assets/nope.js").status, 404);

    let v = get(a, "/api/scenarios").json();
    let names: Vec<&str> = v["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"baseline") && names.contains(&"timeline-2024"),
        "{names:?}"
    );
    assert!(
        names.contains(&"mine.toml"),
        "files of the working directory are listed: {names:?}"
    );

    let v = get(a, "/api/params?scenario=mine.toml").json();
    let groups = v["groups"].as_array().unwrap();
    let regulation = groups
        .iter()
        .find(|g| g["group"] == "regulation")
        .expect("regulation group");
    let p = regulation["params"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["path"] == "regulation.stringency")
        .expect("stringency");
    assert_eq!(p["value"], 1.5, "the file's value is shown");
    assert!(p["min"].is_number() && p["max"].is_number() && p["unit"].is_string() && p["meaning"].is_string());
    assert!(
        groups.iter().any(|g| g["group"] == "companies.lab"),
        "roster fields by company"
    );
    assert_eq!(get(a, "/api/params?scenario=nope").json()["field"], "scenario");

    let v = get(a, "/api/metrics").json();
    assert!(v["metrics"].as_array().unwrap().iter().any(|m| m == "tension"));
    let v = get(a, "/api/status").json();
    assert_eq!(v["running"], 0);
    assert_eq!(v["max_runs"], 10_000);
    assert_eq!(get(a, "/api/nothing").status, 404);

    // A scenario file runs by its name.
    let r = post(a, "/api/run", &json!({"scenario": "mine.toml", "runs": 20}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["scenario"], "mine.toml");
}

#[test]
fn serve_bad_requests_get_4xx_naming_the_field() {
    let dir = tmp();
    std::fs::write(dir.path().join("secret.txt"), "x").unwrap();
    let srv = server(dir.path(), 1000, 2);
    let a = srv.addr();
    let cases: Vec<(&str, String, u16, &str)> = vec![
        ("/api/run", json!({"runs": 0}).to_string(), 400, "runs"),
        ("/api/run", json!({"runs": 1001}).to_string(), 400, "runs"),
        ("/api/run", json!({"runs": "many"}).to_string(), 400, "runs"),
        ("/api/run", json!({"seed": -1}).to_string(), 400, "seed"),
        ("/api/run", json!({"runz": 5}).to_string(), 400, "runz"),
        ("/api/run", json!({"scenario": "nope"}).to_string(), 400, "scenario"),
        (
            "/api/run",
            json!({"scenario": "../secret.toml"}).to_string(),
            400,
            "scenario",
        ),
        ("/api/run", json!({"scenario": 7}).to_string(), 400, "scenario"),
        (
            "/api/run",
            json!({"set": {"regulation.stringency": -3}}).to_string(),
            400,
            "set.regulation.stringency",
        ),
        (
            "/api/run",
            json!({"set": {"regulation.stringency": "high"}}).to_string(),
            400,
            "set.regulation.stringency",
        ),
        (
            "/api/run",
            json!({"set": {"regulation.stringncy": 2}}).to_string(),
            400,
            "set.regulation.stringncy",
        ),
        ("/api/run", json!({"set": [1]}).to_string(), 400, "set"),
        ("/api/run", json!({"fans": ["nope"]}).to_string(), 400, "fans"),
        ("/api/run", "{not json".to_string(), 400, "body"),
        ("/api/run", "[1, 2]".to_string(), 400, "body"),
        (
            "/api/compare",
            json!({"a": {"scenario": "baseline"}}).to_string(),
            400,
            "b",
        ),
        (
            "/api/compare",
            json!({"a": {}, "b": {"set": {"horizon_months": 24}}}).to_string(),
            400,
            "b",
        ),
        (
            "/api/compare",
            json!({"a": {}, "b": {"set": {"partnership.exclusivity": "sometimes"}}}).to_string(),
            400,
            "b.set.partnership.exclusivity",
        ),
        (
            "/api/compare",
            json!({"a": {"scenaro": "x"}, "b": {}}).to_string(),
            400,
            "a.scenaro",
        ),
        ("/api/story", json!({"outcome": "victory"}).to_string(), 400, "outcome"),
        (
            "/api/story",
            json!({"outcome": "divestiture", "run": 1}).to_string(),
            400,
            "run",
        ),
        ("/api/analyze", json!({}).to_string(), 400, "dir"),
        ("/api/analyze", json!({"dir": "../"}).to_string(), 404, "dir"),
        ("/api/analyze", json!({"dir": "output/none"}).to_string(), 404, "dir"),
    ];
    for (path, body, status, field) in cases {
        let r = http(a, "POST", path, &body);
        assert_eq!(r.status, status, "{path} {body}: {}", r.body);
        let v = r.json();
        assert_eq!(v["field"], field, "{path} {body}: {}", r.body);
        assert!(!v["error"].as_str().unwrap().is_empty());
    }
    // The server is still there after all of them.
    assert_eq!(get(a, "/api/status").status, 200);
}

#[test]
fn serve_files_only_from_the_output_tree() {
    let dir = tmp();
    let root = dir.path();
    std::fs::create_dir_all(root.join("output/r")).unwrap();
    std::fs::write(root.join("output/r/note.txt"), "inside").unwrap();
    std::fs::write(root.join("secret.txt"), "outside").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("secret.txt"), root.join("output/r/link.txt")).unwrap();
    let srv = server(root, 1000, 2);
    let a = srv.addr();
    let ok = get(a, "/files/output/r/note.txt");
    assert_eq!((ok.status, ok.body.as_str()), (200, "inside"));
    for bad in [
        "/files/secret.txt",
        "/files/output/../secret.txt",
        "/files/output/r/../../secret.txt",
        "/files/output/%2e%2e/secret.txt",
        "/files/output/r/..%2f..%2fsecret.txt",
        "/files/output//etc/passwd",
        "/files/output/r/link.txt",
        "/files/output/r",
        "/files/output/missing.txt",
    ] {
        let r = get(a, bad);
        assert!(r.status == 404 || r.status == 400, "{bad}: {} {}", r.status, r.body);
        assert!(!r.body.contains("outside"), "{bad} leaked a file outside output/");
    }
}

#[test]
fn serve_results_analyze_and_story() {
    let dir = tmp();
    let root = dir.path();
    let o = run_in(
        root,
        &["run", "--runs", "300", "--seed", "7", "--out", "output/r1", "--quiet"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let srv = server(root, 10_000, 2);
    let a = srv.addr();
    let v = get(a, "/api/results").json();
    let list = v["results"].as_array().unwrap();
    let r1 = list.iter().find(|r| r["dir"] == "output/r1").expect("output/r1 listed");
    assert_eq!(r1["kind"], "run");
    assert!(r1["report"].is_null());
    let r = post(a, "/api/analyze", &json!({"dir": "output/r1"}));
    assert_eq!(r.status, 200, "{}", r.body);
    let report = r.json()["report"].as_str().unwrap().to_string();
    assert_eq!(report, "/files/output/r1/analysis/report.html");
    let page = get(a, &report);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<svg"), "the report inlines its charts");
    assert!(get(a, "/api/results").json()["results"][0]["report"].is_string());

    // The story of the first run that ended in divestiture is the CLI's first such run.
    let csv = std::fs::read_to_string(root.join("output/r1/outcomes.csv")).unwrap();
    let first = csv
        .lines()
        .skip(1)
        .find(|l| l.split(',').nth(2) == Some("divestiture"))
        .map(|l| l.split(',').next().unwrap().parse::<u64>().unwrap())
        .expect("a divestiture in 300 runs");
    let r = post(
        a,
        "/api/story",
        &json!({"outcome": "divestiture", "runs": 300, "seed": 7}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["run"], first);
    assert_eq!(v["outcome"], "divestiture");
    assert!(!v["events"].as_array().unwrap().is_empty());
    assert_eq!(v["series"]["tension"].as_array().unwrap().len(), 18);
    let r = post(a, "/api/story", &json!({"run": first, "seed": 7}));
    assert_eq!(
        r.json()["outcome"],
        "divestiture",
        "a run by its number tells the same story"
    );
    // None of a few runs of the baseline ends in a given outcome: 404 naming it.
    let r = post(
        a,
        "/api/story",
        &json!({"outcome": "acquisition", "runs": 1, "seed": 7}),
    );
    assert!(r.status == 404 || r.status == 200, "{}", r.body);
    if r.status == 404 {
        assert_eq!(r.json()["field"], "outcome");
    }
}

fn status(a: SocketAddr) -> Value {
    get(a, "/api/status").json()
}

fn wait_until(what: &str, limit: Duration, mut ok: impl FnMut() -> bool) {
    let t = Instant::now();
    while !ok() {
        assert!(t.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn serve_a_dropped_connection_cancels_its_job_and_jobs_are_capped() {
    let dir = tmp();
    let srv = server(dir.path(), 1_000_000, 1);
    let a = srv.addr();
    // 1,000,000 runs would take minutes: the job must stop when its client goes away.
    let mut stream = TcpStream::connect(a).unwrap();
    stream
        .write_all(request_text("POST", "/api/run", &json!({"runs": 1_000_000}).to_string()).as_bytes())
        .unwrap();
    wait_until("the job to start", Duration::from_secs(30), || {
        status(a)["running"] == 1
    });

    // One job at a time here: a second gets 429.
    let r = post(a, "/api/run", &json!({"runs": 10}));
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.json()["error"].as_str().unwrap().contains("max-jobs"));

    let dropped = Instant::now();
    drop(stream);
    wait_until("the job to stop", Duration::from_secs(30), || {
        let s = status(a);
        s["running"] == 0 && s["cancelled"] == 1
    });
    assert!(dropped.elapsed() < Duration::from_secs(30));
    assert_eq!(status(a)["completed"], 0);

    // A streamed request is cancelled the same way, and the slot is free again.
    let mut stream = TcpStream::connect(a).unwrap();
    stream
        .write_all(request_text("POST", "/api/run?progress=1", &json!({"runs": 1_000_000}).to_string()).as_bytes())
        .unwrap();
    let mut first = [0u8; 64];
    let n = stream.read(&mut first).unwrap();
    assert!(String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200"));
    drop(stream);
    wait_until("the streamed job to stop", Duration::from_secs(30), || {
        let s = status(a);
        s["running"] == 0 && s["cancelled"] == 2
    });
    let r = post(a, "/api/run", &json!({"runs": 10}));
    assert_eq!(r.status, 200, "{}", r.body);
}
