//! File-system helpers shared by every writer: atomic writes and safe directories.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: a temporary file beside it, fsync, then rename,
/// so a reader (or a crash) never sees a half-written file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let pending = PendingFile::new(path);
    {
        let mut f = std::fs::File::create(pending.tmp())?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    pending.commit()
}

/// A file being written under its temporary name ([`temp_path`]): [`PendingFile::commit`]
/// renames it into place; dropped uncommitted (an error, a full disk, a panic) it removes
/// the temporary file, so a failed command leaves none behind.
#[derive(Debug)]
pub struct PendingFile {
    path: PathBuf,
    tmp: PathBuf,
    committed: bool,
}

impl PendingFile {
    pub fn new(path: &Path) -> PendingFile {
        PendingFile {
            path: path.to_path_buf(),
            tmp: temp_path(path),
            committed: false,
        }
    }

    /// Where to write.
    pub fn tmp(&self) -> &Path {
        &self.tmp
    }

    /// Renames the temporary file to its final name.
    pub fn commit(mut self) -> std::io::Result<()> {
        std::fs::rename(&self.tmp, &self.path)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// The temporary name used while `path` is being written (`.NAME.tmp` beside it).
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp"))
}

/// Peak resident set size of this process in bytes (Linux `VmHWM`), if known.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Memory this process can still take, in bytes: Linux's `MemAvailable`, lowered to the
/// room left under a cgroup v2 limit (`memory.max`) when one is set. `None` off Linux.
pub fn available_memory_bytes() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let available = line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024;
    let read = |f: &str| -> Option<u64> {
        std::fs::read_to_string(format!("/sys/fs/cgroup/{f}"))
            .ok()?
            .trim()
            .parse()
            .ok()
    };
    let room = read("memory.max").map(|max| max.saturating_sub(read("memory.current").unwrap_or(0)));
    Some(room.map_or(available, |r| r.min(available)))
}
