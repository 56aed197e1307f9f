//! Output directories: never overwrite results silently, and one writer at a time.

use std::path::{Path, PathBuf};

use super::lock::{DirLock, LockError};

/// Files whose presence marks a directory as holding results.
pub const RESULT_FILES: &[&str] = &["manifest.json", "outcomes.csv", "summary.csv", "points.csv"];

/// Why an output directory cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum OutDirError {
    #[error("{0}: already holds results; pass --force to overwrite them, or choose another --out")]
    HoldsResults(PathBuf),
    #[error("{path}: cannot create output directory: {source}")]
    Create { path: PathBuf, source: std::io::Error },
    #[error("{0}: exists and is not a directory")]
    NotADirectory(PathBuf),
    #[error(transparent)]
    Locked(#[from] LockError),
}

impl OutDirError {
    /// Whether the fault is the command line's (exit 2) rather than the system's (exit 1):
    /// every case but a directory that cannot be created or locked.
    pub fn is_usage(&self) -> bool {
        !matches!(
            self,
            OutDirError::Create { .. } | OutDirError::Locked(LockError::Io { .. })
        )
    }
}

/// An output directory, locked for this command (see [`super::lock`]).
#[derive(Debug)]
pub struct OutDir {
    pub path: PathBuf,
    pub lock: DirLock,
}

/// Whether `dir` holds any result file.
pub fn holds_results(dir: &Path) -> bool {
    RESULT_FILES.iter().any(|f| dir.join(f).exists())
}

/// Picks, creates and locks the output directory. An explicit `--out` holding results
/// needs `force`; the default `output/<name>` gets a fresh suffix (`-2`, `-3`, …) if taken.
/// The lock comes before the look at the contents, so a directory another command is
/// writing is reported as such.
pub fn prepare(explicit: Option<&Path>, default_name: &str, force: bool) -> Result<OutDir, OutDirError> {
    fn create(path: &Path) -> impl FnOnce(std::io::Error) -> OutDirError + '_ {
        move |source| OutDirError::Create {
            path: path.to_path_buf(),
            source,
        }
    }
    match explicit {
        Some(d) => {
            if d.exists() && !d.is_dir() {
                return Err(OutDirError::NotADirectory(d.into()));
            }
            std::fs::create_dir_all(d).map_err(create(d))?;
            let lock = DirLock::acquire(d)?;
            if holds_results(d) && !force {
                return Err(OutDirError::HoldsResults(d.into()));
            }
            // An analysis of the results being replaced would be stale; one being written
            // now (its lock held) is not removed from under its writer.
            let analysis = d.join("analysis");
            if force && analysis.is_dir() {
                let _writing = DirLock::acquire(&analysis)?;
                let _ = std::fs::remove_dir_all(&analysis);
            }
            Ok(OutDir {
                path: d.to_path_buf(),
                lock,
            })
        }
        None => {
            let base = Path::new("output").join(default_name);
            std::fs::create_dir_all("output").map_err(create(Path::new("output")))?;
            // `create_dir` claims a name atomically: two commands never share a default.
            let mut candidate = base.clone();
            let mut n = 2;
            loop {
                match std::fs::create_dir(&candidate) {
                    Ok(()) => break,
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        candidate = PathBuf::from(format!("{}-{n}", base.display()));
                        n += 1;
                    }
                    Err(e) => return Err(create(&candidate)(e)),
                }
            }
            let lock = DirLock::acquire(&candidate)?;
            Ok(OutDir { path: candidate, lock })
        }
    }
}

/// Locks an existing directory a command continues to write (`--resume`).
pub fn lock_existing(dir: &Path) -> Result<DirLock, OutDirError> {
    Ok(DirLock::acquire(dir)?)
}
