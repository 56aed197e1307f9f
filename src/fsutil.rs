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

/// Memory this process can still take, in bytes: Linux's `MemAvailable` (which counts
/// reclaimable cache as available), lowered to the room under the tightest cgroup v2
/// `memory.max` on the path from this process's cgroup to the root (a container's, a
/// SLURM job's). `None` off Linux.
pub fn available_memory_bytes() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let mut room = line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024;
    let cgroup = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    let own = cgroup.lines().find_map(|l| l.strip_prefix("0::")).unwrap_or("/");
    let root = Path::new("/sys/fs/cgroup");
    let mut dir = root.join(own.trim().trim_start_matches('/'));
    loop {
        if let Some(left) = cgroup_room(&dir) {
            room = room.min(left);
        }
        if dir == root || !dir.pop() {
            break;
        }
    }
    Some(room)
}

/// The room under one cgroup's `memory.max`: the limit less what is in use, not counting
/// inactive file cache (the kernel reclaims it before it kills anything).
fn cgroup_room(dir: &Path) -> Option<u64> {
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).ok();
    let limit: u64 = read("memory.max")?.trim().parse().ok()?;
    let current: u64 = read("memory.current").and_then(|t| t.trim().parse().ok()).unwrap_or(0);
    let cache: u64 = read("memory.stat")
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("inactive_file ")?.trim().parse().ok())
        })
        .unwrap_or(0);
    Some(limit.saturating_sub(current.saturating_sub(cache)))
}
