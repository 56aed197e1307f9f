//! The files of a run directory (SPEC §5), written through temporary files and renamed
//! into place when complete, so a reader never sees a partial file under a final name.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::quantiles::{QUANTILES_HEADER, SeriesSketch};
use crate::fsutil::{PendingFile, write_atomic};

/// A CSV file being written: rows go to a temporary file until [`CsvSink::finish`]; a sink
/// dropped unfinished removes it.
pub struct CsvSink {
    pending: PendingFile,
    out: BufWriter<File>,
}

impl CsvSink {
    /// Starts `path` with `header`.
    pub fn create(path: &Path, header: &str) -> std::io::Result<CsvSink> {
        let pending = PendingFile::new(path);
        let mut out = BufWriter::with_capacity(1 << 20, File::create(pending.tmp())?);
        out.write_all(header.as_bytes())?;
        out.write_all(b"\n")?;
        Ok(CsvSink { pending, out })
    }

    /// Appends already-rendered rows.
    pub fn write(&mut self, rows: &str) -> std::io::Result<()> {
        self.out.write_all(rows.as_bytes())
    }

    /// Flushes, syncs and renames into place.
    pub fn finish(self) -> std::io::Result<()> {
        let file = self.out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        self.pending.commit()
    }
}

/// Writes `manifest.json` atomically.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> std::io::Result<()> {
    let mut text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    text.push('\n');
    write_atomic(path, text.as_bytes())
}

// Which per-run files a run writes is the manifest's record (defined there, below this).
pub use super::manifest::{PER_RUN_FILES_MAX_RUNS, PerRunFiles};

/// The tables of a run directory.
pub const RUN_TABLES: [&str; 6] = [
    "outcomes.csv",
    "partnerships.csv",
    "timeseries.csv",
    "events.csv",
    "failures.csv",
    "timeseries_quantiles.csv",
];

/// The CSV files of a run directory being written (SPEC §5), fed run records in run order.
/// `timeseries_quantiles.csv` is always written, from sketches updated in run order, so
/// memory does not grow with the number of runs; the per-run `timeseries.csv` and
/// `events.csv` only when asked ([`PerRunFiles`]).
pub struct RunDirWriter {
    dir: PathBuf,
    outcomes: CsvSink,
    partnerships: CsvSink,
    /// Company names, for `partnerships.csv`.
    firms: Vec<String>,
    /// A reused buffer for a run's `partnerships.csv` rows.
    tie_rows: String,
    timeseries: Option<CsvSink>,
    events: Option<CsvSink>,
    failures: CsvSink,
    quantiles: SeriesSketch,
    format: super::format::TableFormat,
    /// Successful runs per outcome (in `Outcome::ALL` order).
    pub counts: [u64; 4],
    pub failed: u64,
}

impl RunDirWriter {
    /// Starts `outcomes.csv`, `failures.csv` and the per-run files `files` asks for in `dir`.
    pub fn create(
        dir: &Path,
        scenario: &crate::scenario::Scenario,
        files: PerRunFiles,
    ) -> std::io::Result<RunDirWriter> {
        use super::columns::{EVENTS_HEADER, PARTNERSHIPS_HEADER, outcomes_header, timeseries_header};
        // No table of earlier results (in either format) survives beside the new ones.
        super::format::remove_tables(dir, &RUN_TABLES);
        let timeseries = match files.timeseries {
            true => Some(CsvSink::create(
                &dir.join("timeseries.csv"),
                &timeseries_header(scenario),
            )?),
            false => None,
        };
        let events = match files.events {
            true => Some(CsvSink::create(&dir.join("events.csv"), EVENTS_HEADER)?),
            false => None,
        };
        Ok(RunDirWriter {
            dir: dir.into(),
            outcomes: CsvSink::create(&dir.join("outcomes.csv"), &outcomes_header())?,
            partnerships: CsvSink::create(&dir.join("partnerships.csv"), PARTNERSHIPS_HEADER)?,
            firms: scenario.companies.iter().map(|c| c.name.clone()).collect(),
            tie_rows: String::new(),
            timeseries,
            events,
            failures: CsvSink::create(&dir.join("failures.csv"), "run,seed,error")?,
            quantiles: SeriesSketch::new(scenario.horizon_months as usize),
            format: super::format::TableFormat::Csv,
            counts: [0; 4],
            failed: 0,
        })
    }

    /// Writes the tables in `format` (CSV by default): Parquet files are converted from the
    /// finished CSV tables in [`RunDirWriter::finish`].
    pub fn with_format(mut self, format: super::format::TableFormat) -> RunDirWriter {
        self.format = format;
        self
    }

    /// Appends one run's rows (or its failure row).
    pub fn write(&mut self, rec: &super::record::RunRecord) -> std::io::Result<()> {
        match &rec.result {
            Ok(r) => {
                self.counts[r.outcome.index()] += 1;
                self.quantiles.add_run(r);
                self.outcomes.write(&rec.outcome_row)?;
                self.tie_rows.clear();
                super::columns::push_partnership_rows(&mut self.tie_rows, rec.run, r, &self.firms);
                self.partnerships.write(&self.tie_rows)?;
                if let Some(t) = self.timeseries.as_mut() {
                    t.write(&rec.timeseries_rows)?;
                }
                match self.events.as_mut() {
                    Some(e) => e.write(&rec.event_rows),
                    None => Ok(()),
                }
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

    /// Renames the files into place and writes `manifest.json` last (for Parquet: after the
    /// conversion, and the CSV copies are removed after it). A result set is complete only
    /// with its manifest: when a step before it fails, the tables already renamed are removed
    /// too, so a failed run leaves no results behind (and a retry needs no `--force`).
    pub fn finish(self, manifest: &super::manifest::RunManifest<'_>) -> std::io::Result<()> {
        let dir = self.dir.clone();
        let format = self.format;
        let complete = self
            .finish_tables()
            .and_then(|()| write_json(&dir.join("manifest.json"), manifest));
        if complete.is_err() {
            super::format::remove_tables(&dir, &RUN_TABLES);
        }
        complete?;
        super::format::remove_converted(&dir, &RUN_TABLES, format)
    }

    fn finish_tables(self) -> std::io::Result<()> {
        self.outcomes.finish()?;
        self.partnerships.finish()?;
        for sink in [self.timeseries, self.events].into_iter().flatten() {
            sink.finish()?;
        }
        self.failures.finish()?;
        let mut q = CsvSink::create(&self.dir.join("timeseries_quantiles.csv"), QUANTILES_HEADER)?;
        q.write(&self.quantiles.rows(""))?;
        q.finish()?;
        super::format::convert_tables(&self.dir, &RUN_TABLES, self.format)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A failure after the tables are renamed but before the manifest is written (here the
    /// manifest's name is taken by a directory) leaves neither tables nor temporaries.
    #[test]
    fn a_run_that_fails_before_its_manifest_leaves_no_tables() {
        let dir = tempfile::tempdir().unwrap();
        let scenario = crate::scenario::Scenario::default();
        let files = PerRunFiles::default_for(1);
        let writer = RunDirWriter::create(dir.path(), &scenario, files).unwrap();
        std::fs::create_dir(dir.path().join("manifest.json")).unwrap();
        let manifest = super::super::manifest::RunManifest::new(&scenario, 1, 0, 0, files, &[]);
        assert!(writer.finish(&manifest).is_err());
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["manifest.json"], "only the obstacle remains");
    }

    #[test]
    fn per_run_files_by_default_only_up_to_the_limit() {
        let on = PerRunFiles {
            timeseries: true,
            events: true,
        };
        assert_eq!(PerRunFiles::default_for(1), on);
        assert_eq!(PerRunFiles::default_for(PER_RUN_FILES_MAX_RUNS), on);
        let off = PerRunFiles {
            timeseries: false,
            events: false,
        };
        assert_eq!(PerRunFiles::default_for(PER_RUN_FILES_MAX_RUNS + 1), off);
        assert_eq!(PerRunFiles::default_for(1_000_000), off);
    }
}
