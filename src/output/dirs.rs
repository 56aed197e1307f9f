//! Output directories: never overwrite results silently.

use std::path::{Path, PathBuf};

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
}

/// Whether `dir` holds any result file.
pub fn holds_results(dir: &Path) -> bool {
    RESULT_FILES.iter().any(|f| dir.join(f).exists())
}

/// Picks and creates the output directory. An explicit `--out` holding results needs
/// `force`; the default `output/<name>` gets a fresh suffix (`-2`, `-3`, …) if taken.
pub fn prepare(explicit: Option<&Path>, default_name: &str, force: bool) -> Result<PathBuf, OutDirError> {
    let dir = match explicit {
        Some(d) => {
            if d.exists() && !d.is_dir() {
                return Err(OutDirError::NotADirectory(d.into()));
            }
            if holds_results(d) && !force {
                return Err(OutDirError::HoldsResults(d.into()));
            }
            // An analysis of the results being replaced would be stale.
            if force {
                let _ = std::fs::remove_dir_all(d.join("analysis"));
            }
            d.to_path_buf()
        }
        None => {
            let base = Path::new("output").join(default_name);
            let mut candidate = base.clone();
            let mut n = 2;
            while candidate.exists() {
                candidate = PathBuf::from(format!("{}-{n}", base.display()));
                n += 1;
            }
            candidate
        }
    };
    std::fs::create_dir_all(&dir).map_err(|source| OutDirError::Create {
        path: dir.clone(),
        source,
    })?;
    Ok(dir)
}
