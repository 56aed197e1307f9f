//! `coopetition slurm` (SPEC §8): the scripts it writes, run by bash alone and by a real SLURM
//! cluster, give a merged result byte-identical to a local `sweep` of the same file; a task
//! that failed part-way resumes when rerun alone.
//!
//! The cluster test uses a SLURM that already works (one `scripts/slurm-cluster.sh` left
//! running, or one on the PATH). Otherwise it is skipped with the reason printed, unless
//! `COOPETITION_REQUIRE_SLURM=1` (set by `.ci/run`): then it starts a throw-away single-node
//! cluster with `scripts/slurm-cluster.sh` (root; installs Debian's slurm-wlm when missing),
//! stops it afterwards, and fails when no cluster can be had.

use crate::common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A scratch directory inside the target dir (shared with compute nodes more often than /tmp).
fn scratch() -> tempfile::TempDir {
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir")
}

/// A small sweep: 6 points x 20 runs.
fn sweep_file(dir: &Path) -> PathBuf {
    write(
        dir,
        "small.toml",
        "[sweep]\nscenario = \"baseline\"\nruns_per_point = 20\nseed = 11\ndesign = \"grid\"\n\
         [[sweep.vary]]\nparam = \"regulation.stringency\"\nvalues = [0.5, 1.0, 2.0]\n\
         [[sweep.vary]]\nparam = \"products.overlap\"\nvalues = [0.2, 0.8]\n",
    )
}

fn local_sweep(file: &Path, out: &Path) {
    let o = run(&["sweep", s(file), "--out", s(out), "--quiet"]);
    assert_eq!(code(&o), 0, "local sweep: {}", stderr(&o));
}

/// Every log the jobs wrote, for failure messages.
fn logs(out: &Path) -> String {
    let mut all = String::new();
    let mut files: Vec<_> = std::fs::read_dir(out.join("slurm/logs"))
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(15).collect();
        all.push_str(&format!("--- {}\n", f.display()));
        for l in tail.into_iter().rev() {
            all.push_str(l);
            all.push('\n');
        }
    }
    all
}

/// Runs a generated script with bash, outside SLURM.
fn bash(script: &Path, args: &[&str]) -> std::process::Output {
    Command::new("bash")
        .arg(script)
        .args(args)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("SLURM_CPUS_PER_TASK")
        .output()
        .expect("bash runs")
}

#[test]
fn scripts_run_without_slurm_resume_a_partial_shard_and_handle_empty_shards() {
    let t = scratch();
    let f = sweep_file(t.path());
    let local = t.path().join("local");
    local_sweep(&f, &local);
    let d = t.path().join("cluster");
    // 8 tasks for 6 points: two shards are empty, and that must still merge.
    let o = run(&[
        "slurm",
        s(&f),
        "--tasks",
        "8",
        "--out",
        s(&d),
        "--partition",
        "debug",
        "--time",
        "0-00:10:00",
        "--cpus-per-task",
        "2",
        "--sbatch-arg=--mem=200M",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("2 array tasks will have no points"),
        "{}",
        stderr(&o)
    );
    let array = String::from_utf8(read(d.join("slurm/array.sbatch"))).unwrap();
    for line in [
        "#!/bin/bash\n",
        "#SBATCH --array=1-8\n",
        "#SBATCH --partition=debug\n",
        "#SBATCH --time=0-00:10:00\n",
        "#SBATCH --cpus-per-task=2\n",
        "#SBATCH --mem=200M\n",
        "/slurm/logs/%A_%a.out\n",
        "TASKS=8\n",
    ] {
        assert!(array.contains(line), "array.sbatch lacks {line:?}:\n{array}");
    }
    let merge = String::from_utf8(read(d.join("slurm/merge.sbatch"))).unwrap();
    assert!(
        merge.contains(" merge ") && !merge.contains("#SBATCH --cpus-per-task"),
        "{merge}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for name in ["array.sbatch", "merge.sbatch", "submit.sh"] {
            let mode = std::fs::metadata(d.join("slurm").join(name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o111, 0o111, "{name} is not executable");
        }
    }

    // Task 2 was cut off after 5 runs; rerun, it resumes.
    let shard2 = d.join("shards/2");
    let o = run(&[
        "sweep",
        s(&f),
        "--out",
        s(&shard2),
        "--shard",
        "2/8",
        "--max-runs",
        "5",
        "--quiet",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Merging now is refused: shard 2 is incomplete, the others are missing.
    let o = bash(&d.join("slurm/merge.sbatch"), &[]);
    assert_eq!(code(&o), 2, "merge of incomplete shards: {}", stderr(&o));
    for k in 1..=8 {
        let o = bash(&d.join("slurm/array.sbatch"), &[&k.to_string()]);
        assert_eq!(code(&o), 0, "task {k}: {}{}", stdout(&o), stderr(&o));
        assert_eq!(stdout(&o).contains("resuming"), k == 2, "task {k}: {}", stdout(&o));
    }
    // A finished task rerun is a no-op; a task outside 1..N is refused.
    let o = bash(&d.join("slurm/array.sbatch"), &["3"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(code(&bash(&d.join("slurm/array.sbatch"), &["9"])), 2);
    assert_eq!(code(&bash(&d.join("slurm/array.sbatch"), &[])), 1);
    let o = bash(&d.join("slurm/merge.sbatch"), &[]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert_same(&local, &d);
    // The merge job can run again (e.g. resubmitted): same result.
    assert_eq!(code(&bash(&d.join("slurm/merge.sbatch"), &[])), 0);
    assert_same(&local, &d);

    // DIR now holds results: writing the scripts again needs --force, which clears the shards.
    let again = |extra: &[&str]| {
        let mut a = vec!["slurm", s(&f), "--tasks", "3", "--out", s(&d)];
        a.extend_from_slice(extra);
        run(&a)
    };
    let o = again(&[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    let o = again(&["--force"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!d.join("manifest.json").exists() && !d.join("shards/1").exists());
}

#[test]
fn bad_input_is_refused_with_exit_2() {
    let t = scratch();
    let f = sweep_file(t.path());
    let d = t.path().join("d");
    let sd = s(&d);
    let missing = t.path().join("missing.toml");
    for args in [
        vec!["slurm", s(&f), "--tasks", "0", "--out", sd],
        vec!["slurm", s(&missing), "--tasks", "2", "--out", sd],
        vec!["slurm", s(&f), "--out", sd],
        vec!["slurm", s(&f), "--tasks", "2", "--out", sd, "--time", "2h"],
        vec!["slurm", s(&f), "--tasks", "2", "--out", sd, "--partition", "a b"],
        vec!["slurm", s(&f), "--tasks", "2", "--out", sd, "--cpus-per-task", "0"],
        vec!["slurm", s(&f), "--tasks", "2", "--out", sd, "--sbatch-arg", "account"],
        vec![
            "slurm",
            s(&f),
            "--tasks",
            "2",
            "--out",
            sd,
            "--bin",
            "/nonexistent/coopetition",
        ],
    ] {
        let o = run(&args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    }
    // Shards of another task count (or sweep) in DIR: the tasks could not resume them.
    let o = run(&["slurm", s(&f), "--tasks", "2", "--out", sd]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(&[
        "sweep",
        s(&f),
        "--out",
        s(&d.join("shards/1")),
        "--shard",
        "1/2",
        "--quiet",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(&["slurm", s(&f), "--tasks", "2", "--out", sd]);
    assert_eq!(code(&o), 0, "same sweep and tasks: {}", stderr(&o));
    let o = run(&["slurm", s(&f), "--tasks", "3", "--out", sd]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("not 1/3"), "{}", stderr(&o));
    // --submit without sbatch on PATH: a failure (1), scripts still written.
    let o = bin()
        .args(["slurm", s(&f), "--tasks", "2", "--out", sd, "--submit"])
        .env("PATH", t.path())
        .output()
        .unwrap();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("sbatch"), "{}", stderr(&o));
}

// ---------------------------------------------------------------------------------------
// The real cluster.

/// A SLURM to submit to: environment for its commands; stops the cluster on drop if this
/// test started it, and cancels the jobs it submitted.
struct Slurm {
    env: Vec<(String, String)>,
    script: PathBuf,
    started: bool,
    jobs: std::cell::RefCell<Vec<String>>,
}

impl Slurm {
    fn cmd(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.envs(self.env.iter().map(|(k, v)| (k, v)));
        c
    }

    /// `(array task id or "", state, reason)` of every record of job `id`.
    fn states(&self, id: &str) -> Vec<(String, String, String)> {
        let o = self
            .cmd("scontrol")
            .args(["-o", "show", "job", id])
            .output()
            .expect("scontrol");
        assert!(o.status.success(), "scontrol show job {id}: {}", stderr(&o));
        let field = |line: &str, key: &str| {
            line.split_whitespace()
                .find_map(|w| w.strip_prefix(key))
                .unwrap_or("")
                .to_string()
        };
        stdout(&o)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| (field(l, "ArrayTaskId="), field(l, "JobState="), field(l, "Reason=")))
            .collect()
    }

    /// Waits until every record of job `id` has ended (or waits on a dependency that can never
    /// be satisfied); returns the records.
    fn wait(&self, id: &str, out: &Path) -> Vec<(String, String, String)> {
        const ENDED: [&str; 9] = [
            "COMPLETED",
            "FAILED",
            "CANCELLED",
            "TIMEOUT",
            "NODE_FAIL",
            "OUT_OF_MEMORY",
            "PREEMPTED",
            "BOOT_FAIL",
            "DEADLINE",
        ];
        let start = Instant::now();
        loop {
            let states = self.states(id);
            if states
                .iter()
                .all(|(_, st, r)| ENDED.contains(&st.as_str()) || r == "DependencyNeverSatisfied")
            {
                return states;
            }
            assert!(
                start.elapsed() < Duration::from_secs(300),
                "job {id} still not done after 300 s: {states:?}\n{}",
                logs(out)
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    /// Parses `array job ID` and `merge job ID` lines and remembers the ids.
    fn job_ids(&self, out: &str) -> (String, String) {
        let id = |prefix: &str| {
            out.lines()
                .find_map(|l| l.strip_prefix(prefix))
                .and_then(|r| r.split(':').next())
                .unwrap_or_else(|| panic!("no {prefix:?} line in:\n{out}"))
                .to_string()
        };
        let ids = (id("array job "), id("merge job "));
        self.jobs.borrow_mut().extend([ids.0.clone(), ids.1.clone()]);
        ids
    }
}

impl Drop for Slurm {
    fn drop(&mut self) {
        let jobs = self.jobs.borrow().clone();
        if !jobs.is_empty() {
            let _ = self.cmd("scancel").args(&jobs).output();
        }
        if self.started {
            match Command::new("bash").arg(&self.script).arg("stop").output() {
                Ok(o) if o.status.success() => eprintln!("stopped the local SLURM cluster"),
                Ok(o) => eprintln!("slurm-cluster.sh stop failed: {}", stderr(&o)),
                Err(e) => eprintln!("slurm-cluster.sh stop failed: {e}"),
            }
        }
    }
}

/// The environment `slurm-cluster.sh env` exports.
fn cluster_env(script: &Path) -> Result<Vec<(String, String)>, String> {
    let o = Command::new("bash")
        .arg("-c")
        .arg(r#"eval "$(bash "$0" env)" && printf '%s\n%s\n' "$COOPETITION_SLURM_DIR" "$SLURM_CONF""#)
        .arg(script)
        .output()
        .map_err(|e| e.to_string())?;
    let text = stdout(&o);
    let mut lines = text.lines();
    match (o.status.success(), lines.next(), lines.next()) {
        (true, Some(dir), Some(conf)) if !conf.is_empty() => Ok(vec![
            ("COOPETITION_SLURM_DIR".into(), dir.into()),
            ("SLURM_CONF".into(), conf.into()),
        ]),
        _ => Err(format!("slurm-cluster.sh env failed: {}", stderr(&o))),
    }
}

fn required() -> bool {
    std::env::var("COOPETITION_REQUIRE_SLURM").as_deref() == Ok("1")
}

/// Finds or (when required) starts a SLURM cluster; `Err(reason)` when none can be had.
fn slurm() -> Result<Slurm, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/slurm-cluster.sh");
    let mk = |env, started| Slurm {
        env,
        script: script.clone(),
        started,
        jobs: Default::default(),
    };
    let quiet_ok = |c: &mut Command| c.output().map(|o| o.status.success()).unwrap_or(false);
    // 1. The script's cluster left running (by `.ci/run` or a developer): reuse, leave it.
    if quiet_ok(Command::new("bash").arg(&script).arg("status")) {
        return Ok(mk(cluster_env(&script)?, false));
    }
    // 2. A SLURM that already answers in this environment.
    if quiet_ok(Command::new("sinfo").arg("-h")) && quiet_ok(Command::new("sbatch").arg("--version")) {
        return Ok(mk(Vec::new(), false));
    }
    // 3. Start the throw-away cluster, only where asked to: it installs system packages.
    if !required() {
        return Err("no SLURM cluster here (COOPETITION_REQUIRE_SLURM=1 starts one with scripts/slurm-cluster.sh: root, installs slurm-wlm)".into());
    }
    let uid = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| stdout(&o).trim().to_string());
    if uid.ok().as_deref() != Some("0") {
        return Err("no working sbatch, and scripts/slurm-cluster.sh needs root to start a cluster".into());
    }
    eprintln!("starting a local SLURM cluster (installs slurm-wlm on first use; may take minutes)");
    let t = Instant::now();
    let o = Command::new("bash")
        .arg(&script)
        .arg("start")
        .output()
        .map_err(|e| format!("cannot run slurm-cluster.sh: {e}"))?;
    if !o.status.success() {
        let _ = Command::new("bash").arg(&script).arg("stop").output();
        return Err(format!("slurm-cluster.sh start failed:\n{}{}", stdout(&o), stderr(&o)));
    }
    eprintln!("local SLURM cluster up in {:.0} s", t.elapsed().as_secs_f64());
    Ok(mk(cluster_env(&script)?, true))
}

#[test]
fn sweep_as_a_slurm_job_array_equals_the_local_sweep() {
    let cluster = match slurm() {
        Ok(c) => c,
        Err(reason) => {
            if required() {
                panic!("COOPETITION_REQUIRE_SLURM=1 but no SLURM: {reason}");
            }
            eprintln!("SKIPPED sweep_as_a_slurm_job_array_equals_the_local_sweep: {reason}");
            return;
        }
    };
    let t = scratch();
    let f = sweep_file(t.path());
    let local = t.path().join("local");
    local_sweep(&f, &local);
    let slurm_cmd = |out: &Path, extra: &[&str]| {
        let mut c = cluster.cmd(env!("CARGO_BIN_EXE_coopetition"));
        c.args(["slurm", s(&f), "--tasks", "4", "--out", s(out), "--cpus-per-task", "1"])
            .args(["--time", "10", "--submit"])
            .args(extra);
        let o = c.output().expect("coopetition runs");
        assert_eq!(code(&o), 0, "coopetition slurm --submit: {}", stderr(&o));
        cluster.job_ids(&stdout(&o))
    };

    // 1. Four array tasks, then the merge: the same bytes as the local sweep.
    let d1 = t.path().join("run1");
    let (array, merge) = slurm_cmd(&d1, &[]);
    let states = cluster.wait(&merge, &d1);
    assert_eq!(states[0].1, "COMPLETED", "merge job {merge}: {states:?}\n{}", logs(&d1));
    let tasks = cluster.states(&array);
    assert_eq!(tasks.len(), 4, "{tasks:?}");
    assert!(tasks.iter().all(|(_, st, _)| st == "COMPLETED"), "{tasks:?}");
    for k in 1..=4 {
        let log = d1.join(format!("slurm/logs/{array}_{k}.out"));
        let text = String::from_utf8(read(&log)).unwrap();
        assert!(text.contains(&format!("shard {k}/4: exit 0")), "{text}");
    }
    assert_same(&local, &d1);

    // 2. Task 3 dies part-way (a wrapper binary stops it after 7 runs the first time): the
    //    merge never runs; `submit.sh 3` reruns task 3 alone, which resumes, then merges.
    let d2 = t.path().join("run2");
    let marker = t.path().join("task3-failed-once");
    let wrapper = write(
        t.path(),
        "flaky-coopetition",
        &format!(
            "#!/bin/bash\nif [[ \" $* \" == *\" --shard 3/4 \"* && ! -e '{m}' ]]; then\n  touch '{m}'\n  \
             '{bin}' \"$@\" --max-runs 7\n  echo 'injected failure after 7 runs' >&2\n  exit 1\nfi\nexec '{bin}' \"$@\"\n",
            m = s(&marker),
            bin = env!("CARGO_BIN_EXE_coopetition"),
        ),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let (array, merge) = slurm_cmd(&d2, &["--bin", s(&wrapper)]);
    let tasks = cluster.wait(&array, &d2);
    let state = |k: &str| tasks.iter().find(|(id, _, _)| id == k).map(|t| t.1.clone());
    assert_eq!(state("3").as_deref(), Some("FAILED"), "{tasks:?}\n{}", logs(&d2));
    for k in ["1", "2", "4"] {
        assert_eq!(state(k).as_deref(), Some("COMPLETED"), "{tasks:?}\n{}", logs(&d2));
    }
    let manifest = String::from_utf8(read(d2.join("shards/3/manifest.json"))).unwrap();
    assert!(manifest.contains("\"status\": \"running\""), "{manifest}");
    let m = cluster.states(&merge);
    assert_eq!(
        m[0].1, "PENDING",
        "merge {merge} must not run after a failed task: {m:?}"
    );
    let _ = cluster.cmd("scancel").arg(&merge).output();

    let o = cluster
        .cmd("bash")
        .arg(d2.join("slurm/submit.sh"))
        .arg("3")
        .output()
        .expect("submit.sh runs");
    assert_eq!(code(&o), 0, "submit.sh 3: {}", stderr(&o));
    let (array, merge) = cluster.job_ids(&stdout(&o));
    let states = cluster.wait(&merge, &d2);
    assert_eq!(states[0].1, "COMPLETED", "merge job {merge}: {states:?}\n{}", logs(&d2));
    let log = String::from_utf8(read(d2.join(format!("slurm/logs/{array}_3.out")))).unwrap();
    assert!(log.contains("shard 3/4: resuming"), "{log}");
    assert_same(&local, &d2);
}
