//! The format of result tables: CSV (always) or Parquet (`--format parquet`, with the
//! cargo feature `parquet`). Tables are written as CSV and, for Parquet, converted when
//! complete (`output::parquet`); readers open either through [`open_table`].

use std::io::Read;
use std::path::{Path, PathBuf};

/// How result tables are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TableFormat {
    /// Comma-separated text (the default).
    #[default]
    Csv,
    /// Typed Parquet files (`NAME.parquet` instead of `NAME.csv`).
    Parquet,
}

/// Whether this build can write and read Parquet.
pub const PARQUET_AVAILABLE: bool = cfg!(feature = "parquet");

impl TableFormat {
    /// The name used on the command line and in manifests.
    pub fn as_str(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            TableFormat::Parquet => "parquet",
        }
    }

    /// Refuses a format this build cannot write, with the way to get it.
    pub fn check_available(self) -> Result<(), String> {
        match self {
            TableFormat::Parquet if !PARQUET_AVAILABLE => Err(
                "--format parquet: this build has no Parquet support (it was built with \
                     --no-default-features); build with `cargo build --release`"
                    .into(),
            ),
            _ => Ok(()),
        }
    }
}

/// The Parquet name of a CSV table (`outcomes.csv` → `outcomes.parquet`).
pub fn parquet_path(csv: &Path) -> PathBuf {
    csv.with_extension("parquet")
}

/// Converts the finished CSV tables `names` in `dir` that exist into Parquet when `format`
/// asks for it. The CSV files stay until [`remove_converted`], so the caller can record
/// completion (the manifest) between the two and a crash loses nothing.
pub fn convert_tables(dir: &Path, names: &[&str], format: TableFormat) -> std::io::Result<()> {
    if format == TableFormat::Csv {
        return Ok(());
    }
    for name in names {
        let csv = dir.join(name);
        if csv.is_file() {
            to_parquet(&csv, &parquet_path(&csv))?;
        }
    }
    Ok(())
}

/// Removes every copy of the tables `names` in `dir` (CSV, Parquet and temporary files):
/// a directory being rewritten with `--force` keeps no table of the old results.
pub fn remove_tables(dir: &Path, names: &[&str]) {
    for name in names {
        let csv = dir.join(name);
        for path in [crate::fsutil::temp_path(&csv), parquet_path(&csv), csv] {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Removes the CSV tables `names` whose Parquet copy exists (after [`convert_tables`]).
pub fn remove_converted(dir: &Path, names: &[&str], format: TableFormat) -> std::io::Result<()> {
    if format == TableFormat::Csv {
        return Ok(());
    }
    for name in names {
        let csv = dir.join(name);
        if csv.is_file() && parquet_path(&csv).is_file() {
            std::fs::remove_file(&csv)?;
        }
    }
    Ok(())
}

#[cfg(feature = "parquet")]
fn to_parquet(csv: &Path, parquet: &Path) -> std::io::Result<()> {
    super::parquet::csv_to_parquet(csv, parquet)
}

#[cfg(not(feature = "parquet"))]
fn to_parquet(_csv: &Path, parquet: &Path) -> std::io::Result<()> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        format!(
            "{}: {}",
            parquet.display(),
            TableFormat::Parquet.check_available().unwrap_err()
        ),
    ))
}

/// Where the table `csv` (a `NAME.csv` path) is: the CSV file, else its Parquet copy.
pub fn table_path(csv: &Path) -> Option<PathBuf> {
    if csv.is_file() {
        return Some(csv.to_path_buf());
    }
    let parquet = parquet_path(csv);
    parquet.is_file().then_some(parquet)
}

/// Whether the table `csv` exists in either format.
pub fn table_exists(csv: &Path) -> bool {
    table_path(csv).is_some()
}

/// Opens the table `csv` (a `NAME.csv` path) as CSV text, from the CSV file or, failing
/// that, its Parquet copy. Returns the path actually read, for messages.
pub fn open_table(csv: &Path) -> std::io::Result<(PathBuf, Box<dyn Read + Send>)> {
    let Some(path) = table_path(csv) else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{}: no such file (nor {})", csv.display(), parquet_path(csv).display()),
        ));
    };
    if path == csv {
        return Ok((path, Box::new(std::fs::File::open(csv)?)));
    }
    Ok((path.clone(), open_parquet(&path)?))
}

#[cfg(feature = "parquet")]
fn open_parquet(path: &Path) -> std::io::Result<Box<dyn Read + Send>> {
    Ok(Box::new(super::parquet::ParquetText::open(path)?))
}

#[cfg(not(feature = "parquet"))]
fn open_parquet(path: &Path) -> std::io::Result<Box<dyn Read + Send>> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        format!(
            "{}: this build cannot read Parquet (built with --no-default-features)",
            path.display()
        ),
    ))
}
