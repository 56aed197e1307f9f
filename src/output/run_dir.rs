//! The files of a run directory (SPEC §5), written through temporary files and renamed
//! into place when complete, so a reader never sees a partial file under a final name.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::fsutil::{temp_path, write_atomic};

/// A CSV file being written: rows go to a temporary file until [`CsvSink::finish`].
pub struct CsvSink {
    path: PathBuf,
    tmp: PathBuf,
    out: BufWriter<File>,
}

impl CsvSink {
    /// Starts `path` with `header`.
    pub fn create(path: &Path, header: &str) -> std::io::Result<CsvSink> {
        let tmp = temp_path(path);
        let mut out = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        out.write_all(header.as_bytes())?;
        out.write_all(b"\n")?;
        Ok(CsvSink {
            path: path.into(),
            tmp,
            out,
        })
    }

    /// Appends already-rendered rows.
    pub fn write(&mut self, rows: &str) -> std::io::Result<()> {
        self.out.write_all(rows.as_bytes())
    }

    /// Flushes, syncs and renames into place.
    pub fn finish(self) -> std::io::Result<PathBuf> {
        let file = self.out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&self.tmp, &self.path)?;
        Ok(self.path)
    }
}

/// Writes `manifest.json` atomically.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> std::io::Result<()> {
    let mut text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    text.push('\n');
    write_atomic(path, text.as_bytes())
}

/// The CSV files of a run directory being written (SPEC §5), fed run records in run order.
pub struct RunDirWriter {
    dir: PathBuf,
    outcomes: CsvSink,
    timeseries: CsvSink,
    events: CsvSink,
    failures: CsvSink,
    /// Successful runs per outcome (in `Outcome::ALL` order).
    pub counts: [u64; 4],
    pub failed: u64,
}

impl RunDirWriter {
    /// Starts `outcomes.csv`, `timeseries.csv`, `events.csv` and `failures.csv` in `dir`.
    pub fn create(dir: &Path, scenario: &crate::scenario::Scenario) -> std::io::Result<RunDirWriter> {
        use super::columns::{EVENTS_HEADER, outcomes_header, timeseries_header};
        Ok(RunDirWriter {
            dir: dir.into(),
            outcomes: CsvSink::create(&dir.join("outcomes.csv"), &outcomes_header())?,
            timeseries: CsvSink::create(&dir.join("timeseries.csv"), &timeseries_header(scenario))?,
            events: CsvSink::create(&dir.join("events.csv"), EVENTS_HEADER)?,
            failures: CsvSink::create(&dir.join("failures.csv"), "run,seed,error")?,
            counts: [0; 4],
            failed: 0,
        })
    }

    /// Appends one run's rows (or its failure row).
    pub fn write(&mut self, rec: &crate::montecarlo::RunRecord) -> std::io::Result<()> {
        match &rec.result {
            Ok(r) => {
                self.counts[r.outcome.index()] += 1;
                self.outcomes.write(&rec.outcome_row)?;
                self.timeseries.write(&rec.timeseries_rows)?;
                self.events.write(&rec.event_rows)
            }
            Err(msg) => {
                self.failed += 1;
                let mut row = format!("{},{},", rec.run, rec.seed);
                super::columns::push_field(&mut row, msg);
                row.push('\n');
                self.failures.write(&row)
            }
        }
    }

    /// Renames the files into place and writes `manifest.json` last.
    pub fn finish(self, manifest: &super::manifest::RunManifest<'_>) -> std::io::Result<()> {
        self.outcomes.finish()?;
        self.timeseries.finish()?;
        self.events.finish()?;
        self.failures.finish()?;
        write_json(&self.dir.join("manifest.json"), manifest)
    }
}
