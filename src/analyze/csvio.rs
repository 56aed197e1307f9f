//! Reading CSV by column name with errors that point at file, line and column, and
//! writing derived CSV files atomically.

use std::path::{Path, PathBuf};

use super::error::AnalyzeError;
use crate::outcome::Outcome;

type Result<T> = std::result::Result<T, AnalyzeError>;

/// A CSV file opened for streaming, rows addressed by header names.
pub(crate) struct CsvFile {
    path: PathBuf,
    reader: csv::Reader<Box<dyn std::io::Read + Send>>,
    header: Vec<String>,
    record: csv::StringRecord,
}

impl CsvFile {
    /// Opens the table `path` (`NAME.csv`, or its Parquet copy `NAME.parquet`); `why` says
    /// what it is needed for, for the missing-file message.
    pub(crate) fn open(path: &Path, why: &str) -> Result<Self> {
        if !crate::output::format::table_exists(path) {
            return Err(AnalyzeError::MissingFile {
                path: path.to_path_buf(),
                why: why.to_string(),
            });
        }
        let (path, table) = crate::output::format::open_table(path).map_err(|e| AnalyzeError::io(path, e))?;
        let path = path.as_path();
        let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(table);
        let header = reader
            .headers()
            .map_err(|e| csv_error(path, e))?
            .iter()
            .map(str::to_string)
            .collect();
        Ok(CsvFile {
            path: path.to_path_buf(),
            reader,
            header,
            record: csv::StringRecord::new(),
        })
    }

    /// Column names in file order.
    pub(crate) fn header(&self) -> &[String] {
        &self.header
    }

    /// Index of a column that may be absent (first one if the name repeats).
    pub(crate) fn optional(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// Index of a column that must exist.
    pub(crate) fn column(&self, name: &str) -> Result<usize> {
        self.optional(name).ok_or_else(|| AnalyzeError::MissingColumn {
            path: self.path.clone(),
            column: name.to_string(),
            header: self.header.join(","),
        })
    }

    /// The next data row, or `None` at the end of the file.
    pub(crate) fn next_row(&mut self) -> Result<Option<Row<'_>>> {
        let more = self
            .reader
            .read_record(&mut self.record)
            .map_err(|e| csv_error(&self.path, e))?;
        if !more {
            return Ok(None);
        }
        let line = self.record.position().map_or(0, |p| p.line());
        Ok(Some(Row {
            path: &self.path,
            header: &self.header,
            record: &self.record,
            line,
        }))
    }
}

/// One data row of a [`CsvFile`], with typed accessors that report bad cells precisely.
pub(crate) struct Row<'a> {
    path: &'a Path,
    header: &'a [String],
    record: &'a csv::StringRecord,
    line: u64,
}

impl Row<'_> {
    /// Line of this record in the file (1-based; the header is line 1).
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// The raw (trimmed) cell; rows have as many cells as the header, which the csv
    /// reader enforces, so a missing cell reads as empty only defensively.
    pub(crate) fn text(&self, col: usize) -> &str {
        self.record.get(col).unwrap_or("")
    }

    /// An error about the cell in column `col` of this row.
    pub(crate) fn error(&self, col: usize, message: impl Into<String>) -> AnalyzeError {
        AnalyzeError::BadValue {
            path: self.path.to_path_buf(),
            line: self.line,
            column_index: col + 1,
            column: self.header.get(col).cloned().unwrap_or_default(),
            message: message.into(),
        }
    }

    /// A non-negative integer cell (`3` or, as pandas writes them, `3.0`).
    pub(crate) fn u64(&self, col: usize) -> Result<u64> {
        let s = self.text(col);
        if let Ok(v) = s.parse::<u64>() {
            return Ok(v);
        }
        match s.parse::<f64>() {
            Ok(v) if v >= 0.0 && v.fract() == 0.0 && v < u64::MAX as f64 => Ok(v as u64),
            _ => Err(self.error(col, format!("expected a non-negative integer, found `{s}`"))),
        }
    }

    /// A numeric cell; an empty cell is a missing value (NaN), as pandas writes them.
    pub(crate) fn f64(&self, col: usize) -> Result<f64> {
        let s = self.text(col);
        if s.is_empty() {
            return Ok(f64::NAN);
        }
        s.parse::<f64>()
            .map_err(|_| self.error(col, format!("expected a number, found `{s}`")))
    }

    /// An outcome label cell.
    pub(crate) fn outcome(&self, col: usize) -> Result<Outcome> {
        let s = self.text(col);
        Outcome::parse(s).ok_or_else(|| {
            let known: Vec<&str> = Outcome::ALL.iter().map(|o| o.as_str()).collect();
            self.error(
                col,
                format!("unknown outcome `{s}` (expected one of {})", known.join(", ")),
            )
        })
    }
}

fn csv_error(path: &Path, e: csv::Error) -> AnalyzeError {
    let line = e.position().map(|p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(source) => AnalyzeError::io(path, source),
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => AnalyzeError::bad_file(
            path,
            line,
            format!("row has {len} fields but the header has {expected_len}"),
        ),
        csv::ErrorKind::Utf8 { err, .. } => AnalyzeError::bad_file(path, line, format!("not valid UTF-8 ({err})")),
        other => AnalyzeError::bad_file(path, line, format!("{other:?}")),
    }
}

/// Writes a CSV file (header + rows) atomically.
pub(crate) fn write_csv(path: &Path, header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| AnalyzeError::io(path, std::io::Error::other(e.to_string()));
    w.write_record(header).map_err(io)?;
    for row in rows {
        w.write_record(row).map_err(io)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| AnalyzeError::io(path, std::io::Error::other(e.to_string())))?;
    crate::fsutil::write_atomic(path, &bytes).map_err(|e| AnalyzeError::io(path, e))
}

/// A number for a CSV cell: rounded to 6 decimals (more is noise for Monte Carlo
/// estimates and clutters spreadsheets); empty when undefined, which pandas reads as NaN.
pub(crate) fn num(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    let r = (x * 1e6).round() / 1e6;
    // Avoid "-0" for tiny negatives rounded to zero.
    if r == 0.0 { "0".to_string() } else { r.to_string() }
}

#[cfg(test)]
mod tests {
    use super::num;

    #[test]
    fn num_rounds_and_blanks_nan() {
        assert_eq!(num(0.1 + 0.2), "0.3");
        assert_eq!(num(f64::NAN), "");
        assert_eq!(num(-1e-9), "0");
        assert_eq!(num(12.0), "12");
    }
}
