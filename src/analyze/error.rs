//! Errors of `analyze`: bad input (exit code 2) versus failures of the tool (exit code 1).

use std::path::PathBuf;

/// Why an analysis failed. Every input error names the file, and where it applies the
/// line (1-based, as a text editor counts) and the column.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    /// The given path is not a directory.
    #[error("{}: not a directory", .0.display())]
    NotADirectory(PathBuf),
    /// A file the analysis needs does not exist.
    #[error("{}: file not found ({why})", path.display())]
    MissingFile {
        /// The file that was looked for.
        path: PathBuf,
        /// What the file was needed for.
        why: String,
    },
    /// A CSV file lacks a required column.
    #[error("{}, line 1: missing required column `{column}` (header has: {header})", path.display())]
    MissingColumn {
        /// The CSV file.
        path: PathBuf,
        /// The missing column's name.
        column: String,
        /// The columns the header does have, comma-separated.
        header: String,
    },
    /// A cell holds a value that cannot be used.
    #[error("{}, line {line}, column {column_index} (`{column}`): {message}", path.display())]
    BadValue {
        /// The CSV file.
        path: PathBuf,
        /// Line of the record in the file, 1-based.
        line: u64,
        /// Column position, 1-based.
        column_index: usize,
        /// Column name from the header.
        column: String,
        /// What is wrong with the value.
        message: String,
    },
    /// A file is malformed or inconsistent as a whole, or at a line.
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(", line {l}")).unwrap_or_default())]
    BadFile {
        /// The offending file.
        path: PathBuf,
        /// Line, if the problem is at one.
        line: Option<u64>,
        /// What is wrong.
        message: String,
    },
    /// A requested fan-chart metric does not exist in the time series.
    #[error("unknown metric `{name}` in {}; available: {available}", path.display())]
    UnknownMetric {
        /// The name asked for.
        name: String,
        /// The file searched.
        path: PathBuf,
        /// The metrics that exist, comma-separated.
        available: String,
    },
    /// Reading or writing a file failed for a reason other than bad content.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The `analysis/` directory is being written by another command, or cannot be locked.
    #[error(transparent)]
    Locked(#[from] crate::output::lock::LockError),
    /// Drawing a plot failed.
    #[error("{}: drawing failed: {message}", path.display())]
    Plot {
        /// The plot being drawn.
        path: PathBuf,
        /// The plotting library's message.
        message: String,
    },
}

impl AnalyzeError {
    /// True when the user's input is at fault (the CLI exits with code 2), false for a
    /// failure of the tool or the system (exit code 1).
    pub fn is_bad_input(&self) -> bool {
        !matches!(
            self,
            AnalyzeError::Io { .. }
                | AnalyzeError::Plot { .. }
                | AnalyzeError::Locked(crate::output::lock::LockError::Io { .. })
        )
    }

    /// Wraps an I/O error with the path it concerns.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        AnalyzeError::Io {
            path: path.into(),
            source,
        }
    }

    /// A whole-file (or line) problem.
    pub(crate) fn bad_file(path: impl Into<PathBuf>, line: Option<u64>, message: impl Into<String>) -> Self {
        AnalyzeError::BadFile {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}
