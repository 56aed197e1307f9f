//! One writer per output directory: an advisory lock (`flock`) on `DIR/.lock`, held for as
//! long as the command writes there.
//!
//! The kernel drops a `flock` when its process ends, however it ends, so the lock of a dead
//! process is taken over without any clean-up; the file's text (pid and start time) only
//! serves the message a second writer gets. On local file systems locks are per open file,
//! so two commands in one process (the Python package running calls on threads) exclude
//! each other too (on NFS, Linux maps `flock` to per-process POSIX locks: not there).
//!
//! A file system without locks (Lustre mounted `noflock`, some network file systems:
//! ENOSYS, ENOLCK, EOPNOTSUPP) gets a warning on stderr and no lock, rather than a tool
//! that cannot write there at all.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

/// The lock file's name inside a locked directory.
pub const LOCK_FILE: &str = ".lock";

/// Why a directory could not be locked.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{}: is being written by process {pid} (started {started}); wait for it to end, or choose another --out", dir.display())]
    Busy { dir: PathBuf, pid: String, started: String },
    #[error("{}: cannot lock the output directory: {source}", dir.display())]
    Io { dir: PathBuf, source: std::io::Error },
}

/// An exclusive lock on a directory, released when dropped (or when the process ends).
#[derive(Debug)]
pub struct DirLock {
    _file: Option<File>,
}

impl DirLock {
    /// Locks `dir` (which must exist) at once, or says who holds it.
    pub fn acquire(dir: &Path) -> Result<DirLock, LockError> {
        let io = |source| LockError::Io {
            dir: dir.to_path_buf(),
            source,
        };
        let path = dir.join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        // SAFETY: flock on a descriptor this function owns; no memory is shared with it.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            let err = std::io::Error::last_os_error();
            let code = err.raw_os_error();
            if [libc::ENOSYS, libc::ENOLCK, libc::EOPNOTSUPP].map(Some).contains(&code) {
                eprintln!(
                    "warning: {}: the file system does not support locks ({err}); nothing stops a second command from writing here",
                    dir.display()
                );
                return Ok(DirLock { _file: None });
            }
            if code != Some(libc::EWOULDBLOCK) {
                return Err(io(err));
            }
            let mut text = String::new();
            let _ = file.read_to_string(&mut text);
            let mut lines = text.lines();
            let pid = lines.next().unwrap_or("?").trim().to_string();
            let started = lines.next().unwrap_or("at an unknown time").trim().to_string();
            return Err(LockError::Busy {
                dir: dir.to_path_buf(),
                pid,
                started,
            });
        }
        let stamp = format!("{}\n{}\n", std::process::id(), utc_now());
        file.set_len(0)
            .and_then(|_| file.rewind())
            .and_then(|_| file.write_all(stamp.as_bytes()))
            .map_err(io)?;
        Ok(DirLock { _file: Some(file) })
    }
}

fn utc_now() -> String {
    utc(std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()))
}

/// Seconds since 1970 as `YYYY-MM-DD HH:MM:SS UTC`.
fn utc(secs: u64) -> String {
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_naming_the_holder_and_taken_once_released() {
        let t = tempfile::tempdir().unwrap();
        let first = DirLock::acquire(t.path()).unwrap();
        let e = DirLock::acquire(t.path()).unwrap_err().to_string();
        assert!(
            e.contains(&format!("is being written by process {}", std::process::id())),
            "{e}"
        );
        assert!(e.contains(" UTC)"), "{e}");
        drop(first);
        DirLock::acquire(t.path()).unwrap();
    }

    /// A lock file left by a process that died (its text remains, its flock does not).
    #[test]
    fn the_lock_file_of_a_dead_process_is_taken_over() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join(LOCK_FILE), "999999999\n2020-01-01 00:00:00 UTC\n").unwrap();
        let _lock = DirLock::acquire(t.path()).unwrap();
        let text = std::fs::read_to_string(t.path().join(LOCK_FILE)).unwrap();
        assert!(text.starts_with(&format!("{}\n", std::process::id())), "{text}");
    }

    #[test]
    fn utc_dates_are_civil_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(1_704_067_199), "2023-12-31 23:59:59 UTC");
    }
}
