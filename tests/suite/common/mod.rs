//! Helpers shared by the CLI tests: run the real binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The CSV files of a sweep directory that must match byte for byte between equivalent sweeps.
pub const SWEEP_FILES: [&str; 5] = [
    "points.csv",
    "outcomes.csv",
    "summary.csv",
    "timeseries_quantiles.csv",
    "failures.csv",
];

/// Asserts that two sweep directories hold byte-identical [`SWEEP_FILES`].
pub fn assert_same(a: &Path, b: &Path) {
    for f in SWEEP_FILES {
        assert!(
            read(a.join(f)) == read(b.join(f)),
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_coopetition"))
}

pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("binary runs")
}

pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().expect("binary runs")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

pub fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

pub fn read(p: impl AsRef<Path>) -> Vec<u8> {
    std::fs::read(p.as_ref()).unwrap_or_else(|e| panic!("{}: {e}", p.as_ref().display()))
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}
