//! Issue 18: every allowed input runs or is refused clearly, and one writer per directory.
//! - a second writer of an output directory exits 2 at once, naming the holder; a lock file
//!   left by a dead process is taken over; two concurrent `--resume`s leave an intact result;
//! - a write error (a file-size limit, as a full disk would) leaves no temporary file, and
//!   the sweep resumes to the uninterrupted result;
//! - a scenario too large for the machine's memory exits 2 before allocating;
//! - every path `params` prints is what `--set` takes, and the registry's roster form gets
//!   a hint that is not itself.

use crate::common;
use common::*;

use std::path::Path;
use std::process::Command;

fn sweep_file(dir: &Path, runs_per_point: u64) -> std::path::PathBuf {
    write(
        dir,
        &format!("sw-{runs_per_point}.toml"),
        &format!(
            "[sweep]\nscenario = \"baseline\"\nruns_per_point = {runs_per_point}\nseed = 9\ndesign = \"grid\"\n\
             [[sweep.vary]]\nparam = \"regulation.stringency\"\nvalues = [0.5, 1.0, 2.0]\n"
        ),
    )
}

/// Hidden files a directory holds, other than the lock's.
fn temporaries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    names.sort();
    names
}

#[test]
fn a_directory_being_written_is_refused_with_exit_2_and_a_dead_writers_lock_is_taken_over() {
    let t = tmp();
    let d = t.path().join("held");
    std::fs::create_dir(&d).unwrap();
    let held = coopetition::output::lock::DirLock::acquire(&d).unwrap();
    let o = run(&["run", "--runs", "5", "--out", s(&d), "--quiet"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let want = format!("is being written by process {} (started ", std::process::id());
    assert!(stderr(&o).contains(&want), "{}", stderr(&o));
    assert!(!d.join("outcomes.csv").exists());
    drop(held);

    // The text of a lock whose process is gone: the lock itself went with the process.
    let stale = t.path().join("stale");
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join(".lock"), "999999999\n2020-01-01 00:00:00 UTC\n").unwrap();
    let o = run(&["run", "--runs", "5", "--out", s(&stale), "--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// Two `sweep --resume` of one directory at once (a scheduler's requeue): the second exits
/// 2 at once naming the first, which finishes; the result equals an uninterrupted sweep.
#[test]
fn two_concurrent_resumes_one_refused_and_the_result_intact() {
    let t = tmp();
    let f = sweep_file(t.path(), 1500);
    let whole = t.path().join("whole");
    assert_eq!(code(&run(&["sweep", s(&f), "--out", s(&whole), "--quiet"])), 0);
    let part = t.path().join("part");
    let o = run(&["sweep", s(&f), "--out", s(&part), "--quiet", "--max-runs", "300"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    let mut first = bin()
        .args([
            "sweep",
            s(&f),
            "--out",
            s(&part),
            "--resume",
            "--quiet",
            "--threads",
            "1",
        ])
        .spawn()
        .expect("spawn");
    let pid = first.id().to_string();
    let lock = part.join(".lock");
    let start = std::time::Instant::now();
    while std::fs::read_to_string(&lock).map_or(true, |t| t.lines().next() != Some(pid.as_str())) {
        assert!(start.elapsed().as_secs() < 60, "the first resume never took the lock");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    // Hold the first still while the second tries, so the overlap does not depend on speed.
    let signal = |sig| assert_eq!(unsafe { libc::kill(first.id() as libc::pid_t, sig) }, 0);
    signal(libc::SIGSTOP);
    let second = run(&["sweep", s(&f), "--out", s(&part), "--resume", "--quiet"]);
    signal(libc::SIGCONT);
    let first = first.wait().expect("first resume");
    assert_eq!(code(&second), 2, "{}", stderr(&second));
    assert!(
        stderr(&second).contains(&format!("is being written by process {pid}")),
        "{}",
        stderr(&second)
    );
    assert!(first.success(), "the first resume failed");
    assert_same(&whole, &part);
}

/// The binary with a file-size limit of `kib` KiB: writes past it fail (EFBIG) as they
/// would on a full disk; SIGXFSZ is ignored so the write error reaches the program.
fn limited(kib: u32, args: &[&str]) -> std::process::Output {
    Command::new("bash")
        .arg("-c")
        .arg(format!("trap '' XFSZ; ulimit -f {kib}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_coopetition"))
        .args(args)
        .output()
        .expect("bash runs")
}

#[test]
fn a_write_error_leaves_no_temporary_files_and_the_sweep_resumes() {
    let t = tmp();
    let d = t.path().join("run");
    let o = limited(64, &["run", "--runs", "200", "--out", s(&d), "--quiet"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("File too large"), "{}", stderr(&o));
    assert_eq!(temporaries(&d), Vec::<String>::new());

    // A sweep keeps its checkpointed partial tables (the resume state) and nothing else.
    let f = sweep_file(t.path(), 400);
    let whole = t.path().join("whole");
    assert_eq!(code(&run(&["sweep", s(&f), "--out", s(&whole), "--quiet"])), 0);
    let part = t.path().join("part");
    let o = limited(32, &["sweep", s(&f), "--out", s(&part), "--quiet", "--timeseries"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    for name in temporaries(&part) {
        let table = name.trim_start_matches('.').trim_end_matches(".tmp");
        assert!(
            coopetition::sweep::run::TABLES.contains(&table) || table == "timeseries.csv",
            "{name} left behind"
        );
    }
    let o = run(&["sweep", s(&f), "--out", s(&part), "--resume", "--quiet", "--timeseries"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_same(&whole, &part);
    assert_eq!(temporaries(&part), Vec::<String>::new());
}

/// The check reads Linux's `/proc/meminfo` (elsewhere it lets everything through).
#[cfg(target_os = "linux")]
#[test]
fn a_scenario_too_large_for_memory_exits_2_before_allocating() {
    let t = tmp();
    let started = std::time::Instant::now();
    // 1,024 threads (the most accepted) of the registry's largest population: about 12 GiB
    // each, more than any machine has (the check itself reads the machine's memory).
    let o = run(&[
        "run",
        "--set",
        "talent.researchers=100000000",
        "--threads",
        "1024",
        "--out",
        s(&t.path().join("r")),
        "--quiet",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("needs about") && err.contains("available"), "{err}");
    assert!(err.contains("--threads") && err.contains("talent.researchers"), "{err}");
    assert!(
        started.elapsed().as_secs() < 10,
        "the refusal took {:?}",
        started.elapsed()
    );

    // A sweep is checked at its largest point, before any run.
    let f = write(
        t.path(),
        "big.toml",
        "[sweep]\nscenario = \"baseline\"\nruns_per_point = 10\ndesign = \"grid\"\n\
         [[sweep.vary]]\nparam = \"talent.researchers\"\nvalues = [1000, 100000000]\n",
    );
    let o = run(&[
        "sweep",
        s(&f),
        "--out",
        s(&t.path().join("s")),
        "--quiet",
        "--threads",
        "1024",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("needs about"), "{}", stderr(&o));
    assert!(!t.path().join("s").join("outcomes.csv").exists());
}

/// A calibration is checked with each free size parameter at its prior's upper end.
#[cfg(target_os = "linux")]
#[test]
fn a_calibration_whose_priors_reach_too_large_a_scenario_exits_2() {
    let t = tmp();
    let targets = write(
        t.path(),
        "targets.toml",
        "[[free]]\nparam = \"talent.researchers\"\nprior = [1000, 100000000]\n\n\
         [[free]]\nparam = \"partnership.tension_cost\"\nprior = [0.2, 1.0]\n\n\
         [[target]]\nname = \"symbiosis\"\nsource = \"test\"\noutcome = \"symbiosis\"\nvalue = 0.6\ntolerance = 0.02\n\n\
         [[target]]\nname = \"decoupling\"\nsource = \"test\"\noutcome = \"decoupling\"\nvalue = 0.25\ntolerance = 0.02\n\n\
         [[target]]\nname = \"acquisition\"\nsource = \"test\"\noutcome = \"acquisition\"\nvalue = 0.1\ntolerance = 0.02\n\n\
         [[target]]\nname = \"divestiture\"\nsource = \"test\"\noutcome = \"divestiture\"\nvalue = 0.05\ntolerance = 0.02\n",
    );
    let o = run(&[
        "calibrate",
        "baseline",
        "--targets",
        s(&targets),
        "--dir",
        s(&t.path().join("cal")),
        "--threads",
        "1024",
        "--quiet",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("needs about"), "{}", stderr(&o));
    assert!(stderr(&o).contains("100000000 researchers"), "{}", stderr(&o));
}

#[test]
fn params_prints_the_paths_set_takes() {
    let o = run(&["params"]);
    assert_eq!(code(&o), 0);
    let table = stdout(&o);
    assert!(!table.contains("companies[]"), "params prints the registry form");
    for path in [
        "companies.lab.price",
        "companies.google.cloud_capacity",
        "products.market_size",
    ] {
        assert!(table.contains(&format!("| `{path}` |")), "{path} not in params");
    }
    let t = tmp();
    let o = run(&[
        "run",
        "--runs",
        "3",
        "--quiet",
        "--out",
        s(&t.path().join("a")),
        "--set",
        "companies.lab.price=2",
        "--set",
        "products.market_size[2]=0.9",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(&["run", "--runs", "3", "--quiet", "--set", "companies[].price=2"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("`companies.lab.price`"), "{}", stderr(&o));
    assert!(
        !stderr(&o).contains("did you mean `companies[].price`"),
        "{}",
        stderr(&o)
    );
}

/// Two spellings of one parameter are one parameter to a sweep's duplicate check.
#[test]
fn a_sweep_varying_one_parameter_under_two_spellings_is_refused() {
    let text = "[sweep]\nscenario = \"baseline\"\n\
                [[sweep.vary]]\nparam = \"companies.lab.pay\"\nvalues = [1.0, 1.5]\n\
                [[sweep.vary]]\nparam = \"companies.0.pay\"\nvalues = [1.0, 1.5]\n";
    let e = coopetition::sweep::parse_sweep(text, "s.toml", None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("varied twice"), "{e}");
    let text = text.replace("companies.0.pay", "products.market_size[2]");
    assert!(coopetition::sweep::parse_sweep(&text, "s.toml", None).is_ok());
}
