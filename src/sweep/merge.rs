//! `merge`: combine the shard directories of one sweep into the unsharded result.
//!
//! Shards own contiguous, disjoint ranges of points, and every per-point figure is computed
//! within its shard, so concatenating the shards' files in shard order gives exactly the
//! files of an unsharded sweep. Shards written as Parquet are read as CSV text and the
//! merged tables converted back, so the result has the shards' format.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::run::{SweepError, read_manifest, write_manifest};
use crate::fsutil::PendingFile;
use crate::output::format::{convert_tables, open_table, remove_converted, table_exists};

/// Files concatenated by merge (those present in every shard).
const FILES: [&str; 6] = super::run::TABLES;

/// Merges complete shard directories into `out` (prepared by the caller).
pub fn merge(shards: &[PathBuf], out: &Path, command_line: Vec<String>) -> Result<usize, SweepError> {
    let bad = |m: String| SweepError::BadInput(m);
    if shards.is_empty() {
        return Err(bad("merge needs at least one shard directory".into()));
    }
    let mut manifests = Vec::new();
    for dir in shards {
        let path = dir.join("manifest.json");
        if !path.exists() {
            return Err(bad(format!("{}: no manifest.json; not a sweep result", dir.display())));
        }
        let m = read_manifest(&path)?;
        if m.kind != "sweep" {
            return Err(bad(format!("{}: a {} result, not a sweep", dir.display(), m.kind)));
        }
        if m.status != "complete" {
            return Err(bad(format!(
                "{}: shard is not complete (status {}); finish it with `sweep --resume`",
                dir.display(),
                m.status
            )));
        }
        manifests.push((dir.clone(), m));
    }
    let hash = manifests[0].1.hash.clone();
    if let Some((d, m)) = manifests.iter().find(|(_, m)| m.hash != hash) {
        return Err(bad(format!(
            "{}: from a different sweep (hash {} vs {hash})",
            d.display(),
            m.hash
        )));
    }
    // Order by the range of points; they must tile 0..points exactly.
    manifests.sort_by_key(|(_, m)| m.points_in_shard[0]);
    let total_points = manifests[0].1.points;
    let mut next = 0;
    for (d, m) in &manifests {
        if m.points_in_shard[0] != next {
            return Err(bad(format!(
                "{}: covers points {}..{}, expected to start at {next} (a shard is missing or duplicated)",
                d.display(),
                m.points_in_shard[0],
                m.points_in_shard[1]
            )));
        }
        next = m.points_in_shard[1];
    }
    if next != total_points {
        return Err(bad(format!(
            "shards cover points 0..{next} of {total_points}: a shard is missing"
        )));
    }

    let format = manifests[0].1.format;
    for name in FILES {
        let present: Vec<bool> = manifests.iter().map(|(d, _)| table_exists(&d.join(name))).collect();
        if present.iter().all(|p| !p) {
            continue;
        }
        if present.iter().any(|p| !p) {
            return Err(bad(format!("{name} is missing from some shards")));
        }
        let path = out.join(name);
        let pending = PendingFile::new(&path);
        let io = |source| SweepError::Io {
            path: path.clone(),
            source,
        };
        let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(pending.tmp()).map_err(io)?);
        for (i, (d, _)) in manifests.iter().enumerate() {
            let (_, table) = open_table(&d.join(name)).map_err(io)?;
            let mut r = BufReader::with_capacity(1 << 16, table);
            let mut header = String::new();
            r.read_line(&mut header).map_err(io)?;
            if i == 0 {
                w.write_all(header.as_bytes()).map_err(io)?;
            }
            std::io::copy(&mut r, &mut w).map_err(io)?;
        }
        let f = w.into_inner().map_err(|e| io(e.into_error()))?;
        f.sync_all().map_err(io)?;
        pending.commit().map_err(io)?;
    }
    let runs: u64 = manifests.iter().map(|(_, m)| m.runs).sum();
    let mut merged = manifests.remove(0).1;
    merged.shard = None;
    merged.points_in_shard = [0, total_points];
    merged.runs = runs;
    merged.failed_runs += manifests.iter().map(|(_, m)| m.failed_runs).sum::<u64>();
    merged.command_line = command_line;
    let converted = |source| SweepError::Io {
        path: out.to_path_buf(),
        source,
    };
    convert_tables(out, &FILES, format).map_err(converted)?;
    write_manifest(&out.join("manifest.json"), &merged)?;
    remove_converted(out, &FILES, format).map_err(converted)?;
    Ok(shards.len())
}
