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
