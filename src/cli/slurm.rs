//! `coopetition slurm` (SPEC §8): write, and optionally submit, the SLURM job array that runs
//! a sweep in shards plus the dependent job that merges them.
//!
//! `DIR/slurm/array.sbatch` is a job array: task K runs `sweep FILE --shard K/N` into
//! `DIR/shards/K`, with `--resume` when that directory already has a manifest, so a task that
//! failed or was cut off continues when rerun alone. `DIR/slurm/merge.sbatch` merges
//! `DIR/shards/1..N` into `DIR` itself; `DIR/slurm/submit.sh` (and `--submit`) submit the
//! array, then the merge with `--dependency=afterok:ARRAY`. Every path in the scripts is
//! absolute, so they run from any directory of a shared file system.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::Context as _;
use clap::Args;

use super::bad_input;
use crate::output::dirs::{self, OutDir};
use crate::sweep::run::read_manifest;
use crate::sweep::{load_sweep_file, shard_points, sweep_hash};

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  coopetition slurm scenarios/sweeps/regulation.toml --tasks 6 --out /shared/reg     # writes /shared/reg/slurm/*\n  /shared/reg/slurm/submit.sh                                                        # submit array + merge\n  coopetition slurm big.toml --tasks 100 --out /shared/big --partition compute --time 2:00:00 --cpus-per-task 8 --submit\n  /shared/big/slurm/submit.sh 17,42      # rerun failed tasks 17 and 42 alone (they resume), then merge\n\nThe binary, FILE and DIR must be on a file system the compute nodes share."
)]
pub struct SlurmArgs {
    /// Sweep file (TOML with a `[sweep]` table).
    pub file: PathBuf,
    /// Array tasks N: task K runs shard K/N of the points (most clusters allow N <= 1000).
    #[arg(long, value_name = "N")]
    pub tasks: u64,
    /// Output directory: shards in DIR/shards/K, scripts and logs in DIR/slurm/, the merged
    /// result in DIR (default: output/sweep-NAME, NAME the file name).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// SLURM partition of both jobs (default: the cluster's default).
    #[arg(long, value_name = "P")]
    pub partition: Option<String>,
    /// Time limit of each array task and of the merge job, e.g. 90, 2:00:00 or 1-12:00:00.
    #[arg(long, value_name = "T")]
    pub time: Option<String>,
    /// CPUs per array task; each task's sweep uses that many threads (default: the cluster's
    /// default, and the sweep uses every core it may run on).
    #[arg(long, value_name = "C")]
    pub cpus_per_task: Option<u32>,
    /// Extra sbatch option for both jobs, e.g. `--sbatch-arg=--account=proj` (repeatable).
    #[arg(long = "sbatch-arg", value_name = "OPTION", allow_hyphen_values = true)]
    pub sbatch_args: Vec<String>,
    /// Also write every run's monthly metrics (timeseries.csv; large).
    #[arg(long)]
    pub timeseries: bool,
    /// coopetition binary the jobs run (default: this one).
    #[arg(long, value_name = "PATH")]
    pub bin: Option<PathBuf>,
    /// Discard the results and shards already in DIR.
    #[arg(long)]
    pub force: bool,
    /// Submit the array and the merge job with sbatch and print their job ids.
    #[arg(long)]
    pub submit: bool,
}

/// Everything the three scripts are made of. Paths are absolute.
#[derive(Debug, Clone)]
pub struct Plan {
    pub bin: PathBuf,
    pub sweep_file: PathBuf,
    pub out: PathBuf,
    pub tasks: u64,
    pub job_name: String,
    pub partition: Option<String>,
    pub time: Option<String>,
    pub cpus_per_task: Option<u32>,
    pub sbatch_args: Vec<String>,
    pub timeseries: bool,
    pub command_line: Vec<String>,
}

impl Plan {
    /// `DIR/slurm`: scripts and logs.
    pub fn slurm_dir(&self) -> PathBuf {
        self.out.join("slurm")
    }
    pub fn array_script_path(&self) -> PathBuf {
        self.slurm_dir().join("array.sbatch")
    }
    pub fn merge_script_path(&self) -> PathBuf {
        self.slurm_dir().join("merge.sbatch")
    }
    pub fn submit_script_path(&self) -> PathBuf {
        self.slurm_dir().join("submit.sh")
    }
    fn logs(&self) -> String {
        // `%` starts a filename pattern in --output; `%%` is a literal one.
        text(&self.slurm_dir().join("logs")).replace('%', "%%")
    }

    fn directives(&self, out: &mut String, cpus: bool) {
        if let Some(p) = &self.partition {
            let _ = writeln!(out, "#SBATCH --partition={p}");
        }
        if let Some(t) = &self.time {
            let _ = writeln!(out, "#SBATCH --time={t}");
        }
        if cpus && let Some(c) = self.cpus_per_task {
            let _ = writeln!(out, "#SBATCH --cpus-per-task={c}");
        }
        for a in &self.sbatch_args {
            let _ = writeln!(out, "#SBATCH {a}");
        }
    }

    fn written_by(&self) -> String {
        let line: Vec<String> = self.command_line.iter().map(|a| sh_quote(a)).collect();
        format!(
            "# Written by coopetition {} (`coopetition slurm`):\n#   {}\n",
            env!("CARGO_PKG_VERSION"),
            line.join(" ")
        )
    }

    /// The job array script: task K runs shard K/N into DIR/shards/K (resuming it if started).
    pub fn array_script(&self) -> String {
        let n = self.tasks;
        let mut s = String::from("#!/bin/bash\n");
        let _ = writeln!(s, "#SBATCH --job-name={}", self.job_name);
        let _ = writeln!(s, "#SBATCH --array=1-{n}");
        let _ = writeln!(s, "#SBATCH --output={}/%A_%a.out", self.logs());
        self.directives(&mut s, true);
        s.push_str("#\n");
        s.push_str(&self.written_by());
        let me = sh_quote(&text(&self.array_script_path()));
        let _ = write!(
            s,
            "# Array task K (1..{n}) runs shard K/{n} of the sweep into $OUT/shards/K; rerun alone, a task\n\
             # resumes its shard where an earlier attempt stopped (a finished shard returns at once):\n\
             #   sbatch --array=K {me}        or, without SLURM:  bash {me} K\n\
             # then merge with {merge} (submit.sh K does both).\n",
            merge = sh_quote(&text(&self.merge_script_path())),
        );
        s.push_str("set -euo pipefail\n");
        let _ = writeln!(s, "BIN={}", sh_quote(&text(&self.bin)));
        let _ = writeln!(s, "SWEEP={}", sh_quote(&text(&self.sweep_file)));
        let _ = writeln!(s, "OUT={}", sh_quote(&text(&self.out)));
        let _ = writeln!(s, "TASKS={n}");
        s.push_str(
            r#"K=${1:-${SLURM_ARRAY_TASK_ID:?not a SLURM array task: pass the task number K as the argument}}
if ! [[ $K =~ ^[1-9][0-9]*$ ]] || ((K > TASKS)); then
  echo "task $K is not in 1..$TASKS" >&2
  exit 2
fi
SHARD=$OUT/shards/$K
args=(sweep "$SWEEP" --out "$SHARD" --shard "$K/$TASKS" --threads "${SLURM_CPUS_PER_TASK:-0}" --quiet)
"#,
        );
        if self.timeseries {
            s.push_str("args+=(--timeseries)\n");
        }
        s.push_str(
            r#"if [[ -f $SHARD/manifest.json ]]; then
  echo "shard $K/$TASKS: resuming $SHARD"
  args+=(--resume)
fi
echo "shard $K/$TASKS: starting on ${HOSTNAME:-?} at $(date -Is)"
status=0
"$BIN" "${args[@]}" || status=$?
# Runs that fail inside the model are recorded in failures.csv; the shard is still complete.
if ((status == 1)) && grep -qs '"status": "complete"' "$SHARD/manifest.json"; then
  echo "shard $K/$TASKS: complete, but some runs failed (see $SHARD/failures.csv)" >&2
  status=0
fi
echo "shard $K/$TASKS: exit $status at $(date -Is)"
exit "$status"
"#,
        );
        s
    }

    /// The merge job: DIR/shards/1..N into DIR.
    pub fn merge_script(&self) -> String {
        let n = self.tasks;
        let mut s = String::from("#!/bin/bash\n");
        let _ = writeln!(s, "#SBATCH --job-name={}-merge", self.job_name);
        let _ = writeln!(s, "#SBATCH --output={}/merge_%j.out", self.logs());
        self.directives(&mut s, false);
        s.push_str("#\n");
        s.push_str(&self.written_by());
        let _ = write!(
            s,
            "# Merges the {n} shards in $OUT/shards into $OUT, equal to a local `coopetition sweep`.\n\
             # submit.sh submits it with --dependency=afterok:ARRAY_JOB_ID; merge refuses (exit 2) while\n\
             # a shard is missing or incomplete. Also runs without SLURM: bash {me}\n",
            me = sh_quote(&text(&self.merge_script_path())),
        );
        s.push_str("set -euo pipefail\n");
        let _ = writeln!(s, "BIN={}", sh_quote(&text(&self.bin)));
        let _ = writeln!(s, "OUT={}", sh_quote(&text(&self.out)));
        let _ = writeln!(s, "TASKS={n}");
        s.push_str(
            r#"shards=()
for ((k = 1; k <= TASKS; k++)); do shards+=("$OUT/shards/$k"); done
# --force: $OUT holds the shards and scripts, and the result of any earlier merge of them.
"$BIN" merge "${shards[@]}" --out "$OUT" --force
failed=$(($(wc -l <"$OUT/failures.csv") - 1))
if ((failed > 0)); then echo "$failed runs failed; see $OUT/failures.csv" >&2; fi
"#,
        );
        s
    }

    /// `submit.sh [TASKS]`: the array (all tasks, or a list such as `3,7`), then the merge.
    pub fn submit_script(&self) -> String {
        let mut s = String::from("#!/bin/bash\n");
        s.push_str(&self.written_by());
        let _ = write!(
            s,
            "# Submits the array job, then the merge job that runs once every task succeeded.\n\
             #   submit.sh         all {n} tasks\n\
             #   submit.sh 3,7     only tasks 3 and 7 (e.g. after they failed: they resume), then the merge.\n\
             # A merge job left pending by an array job with a failed task never runs: scancel it.\n",
            n = self.tasks
        );
        s.push_str("set -euo pipefail\n");
        let _ = writeln!(s, "HERE={}", sh_quote(&text(&self.slurm_dir())));
        let _ = writeln!(s, "OUT={}", sh_quote(&text(&self.out)));
        s.push_str(
            r#"array=(sbatch --parsable)
if (($#)); then array+=("--array=$1"); fi
id=$("${array[@]}" "$HERE/array.sbatch")
id=${id%%;*}
merge=$(sbatch --parsable --dependency="afterok:$id" "$HERE/merge.sbatch")
merge=${merge%%;*}
echo "array job $id: shards in $OUT/shards, logs in $HERE/logs"
echo "merge job $merge: runs after array job $id succeeds, writes $OUT"
"#,
        );
        s
    }
}

pub fn execute(args: SlurmArgs, argv: &[String]) -> anyhow::Result<ExitCode> {
    let sweep = load_sweep_file(&args.file).map_err(bad_input)?;
    let sweep_file = args
        .file
        .canonicalize()
        .map_err(|e| bad_input(format!("{}: {e}", args.file.display())))?;
    let n = args.tasks;
    if n == 0 {
        return Err(bad_input("--tasks must be at least 1"));
    }
    let points = sweep.points.len() as u64;
    if n > points {
        eprintln!(
            "warning: --tasks {n} but the sweep has {points} points: {} array tasks will have no points to run",
            n - points
        );
    }
    if n > 1000 {
        eprintln!("warning: --tasks {n}: many clusters cap job arrays at 1000 tasks (MaxArraySize)");
    }
    let stem = args
        .file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sweep".into());
    for (name, value) in [("--partition", &args.partition), ("--time", &args.time)] {
        if let Some(v) = value
            && (v.is_empty() || v.chars().any(|c| c.is_whitespace() || c.is_control() || c == '#'))
        {
            return Err(bad_input(format!("{name} {v:?}: not a SLURM value")));
        }
    }
    if let Some(t) = &args.time
        && !valid_time(t)
    {
        return Err(bad_input(format!(
            "--time {t:?}: expected minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS or UNLIMITED"
        )));
    }
    if args.cpus_per_task == Some(0) {
        return Err(bad_input("--cpus-per-task must be at least 1"));
    }
    for a in &args.sbatch_args {
        if !a.starts_with('-') || a.chars().any(|c| c == '\n' || c == '\r') {
            return Err(bad_input(format!(
                "--sbatch-arg {a:?}: expected one sbatch option such as --account=proj"
            )));
        }
    }
    let bin = match &args.bin {
        Some(b) => {
            if !b.is_file() {
                return Err(bad_input(format!("--bin {}: no such file", b.display())));
            }
            b.canonicalize()
                .map_err(|e| bad_input(format!("--bin {}: {e}", b.display())))?
        }
        None => std::env::current_exe()
            .and_then(|p| p.canonicalize())
            .context("cannot locate the coopetition binary; pass --bin PATH")?,
    };

    // The output directory: DIR may hold shards of this very sweep (a rerun), not other results.
    let OutDir { path: out, lock: _lock } = super::out_dir(args.out.as_deref(), &format!("sweep-{stem}"), true)?;
    let out = out
        .canonicalize()
        .with_context(|| format!("{}: cannot resolve", out.display()))?;
    let out_text = path_text(&out)?;
    if out_text
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '\\'))
    {
        return Err(bad_input(format!(
            "{out_text}: SLURM output paths must not contain spaces, quotes or backslashes; choose another --out"
        )));
    }
    path_text(&bin)?;
    path_text(&sweep_file)?;
    let shards_dir = out.join("shards");
    if args.force {
        clear(&out)?;
    } else {
        if dirs::holds_results(&out) {
            return Err(bad_input(dirs::OutDirError::HoldsResults(out.clone())));
        }
        check_shards(&shards_dir, &sweep, n, args.timeseries)?;
    }

    let plan = Plan {
        bin,
        sweep_file,
        out: out.clone(),
        tasks: n,
        job_name: job_name(&stem),
        partition: args.partition.clone(),
        time: args.time.clone(),
        cpus_per_task: args.cpus_per_task,
        sbatch_args: args.sbatch_args.clone(),
        timeseries: args.timeseries,
        command_line: argv.to_vec(),
    };
    write_scripts(&plan)?;
    for dir in [&plan.out, &plan.bin, &plan.sweep_file] {
        if dir.starts_with("/tmp") || dir.starts_with("/dev/shm") {
            eprintln!(
                "warning: {} is under {}, which compute nodes usually do not share",
                dir.display(),
                if dir.starts_with("/tmp") { "/tmp" } else { "/dev/shm" }
            );
        }
    }
    let per_task = points.div_ceil(n);
    println!(
        "wrote {} ({n} tasks, up to {per_task} of {points} points each), {}, {}",
        plan.array_script_path().display(),
        plan.merge_script_path().display(),
        plan.submit_script_path().display()
    );
    if !args.submit {
        println!(
            "submit with {} (or rerun this command with --submit)",
            plan.submit_script_path().display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let array = sbatch(&[], &plan.array_script_path())?;
    println!(
        "array job {array}: shards in {}, logs in {}",
        shards_dir.display(),
        plan.slurm_dir().join("logs").display()
    );
    let merge = sbatch(&[format!("--dependency=afterok:{array}")], &plan.merge_script_path()).with_context(|| {
        format!(
            "array job {array} is submitted, the merge job is not; submit it with: sbatch --dependency=afterok:{array} {}",
            plan.merge_script_path().display()
        )
    })?;
    println!(
        "merge job {merge}: runs after array job {array} succeeds, writes {}",
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes the three scripts (executable) and creates the log directory.
pub fn write_scripts(plan: &Plan) -> anyhow::Result<()> {
    let logs = plan.slurm_dir().join("logs");
    std::fs::create_dir_all(&logs).with_context(|| format!("{}: cannot create", logs.display()))?;
    std::fs::create_dir_all(plan.out.join("shards"))
        .with_context(|| format!("{}: cannot create", plan.out.join("shards").display()))?;
    for (path, body) in [
        (plan.array_script_path(), plan.array_script()),
        (plan.merge_script_path(), plan.merge_script()),
        (plan.submit_script_path(), plan.submit_script()),
    ] {
        crate::fsutil::write_atomic(&path, body.as_bytes())
            .with_context(|| format!("{}: cannot write", path.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .with_context(|| format!("{}: cannot make executable", path.display()))?;
        }
    }
    Ok(())
}

/// Refuses shard directories left by a different sweep, task count or `--timeseries` setting:
/// the array tasks would fail to resume them.
fn check_shards(shards: &Path, sweep: &crate::sweep::Sweep, n: u64, timeseries: bool) -> anyhow::Result<()> {
    let Ok(entries) = std::fs::read_dir(shards) else {
        return Ok(());
    };
    let hash = sweep_hash(sweep);
    let mut names: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    names.sort();
    for dir in names {
        let manifest = dir.join("manifest.json");
        let k = dir
            .file_name()
            .and_then(|f| f.to_str())
            .and_then(|f| f.parse::<u64>().ok());
        let stale = |why: String| {
            bad_input(format!(
                "{}: {why}; pass --force to discard the shards in {}, or choose another --out",
                dir.display(),
                shards.display()
            ))
        };
        match k {
            Some(k) if (1..=n).contains(&k) => {
                if !dir.is_dir() {
                    return Err(stale("not a directory".into()));
                }
                if !manifest.exists() {
                    continue;
                }
                let m = read_manifest(&manifest).map_err(|e| stale(e.to_string()))?;
                let range = shard_points(sweep.points.len(), k, n);
                let expected = format!("{k}/{n}");
                if m.hash != hash {
                    return Err(stale(format!(
                        "holds a shard of a different sweep (hash {} vs {hash})",
                        m.hash
                    )));
                }
                if m.shard.as_deref() != Some(expected.as_str()) || m.points_in_shard != [range.start, range.end] {
                    return Err(stale(format!(
                        "holds shard {} of this sweep, not {expected}",
                        m.shard.as_deref().unwrap_or("(none)")
                    )));
                }
                if m.timeseries != timeseries {
                    return Err(stale(format!(
                        "was run {} --timeseries",
                        if m.timeseries { "with" } else { "without" }
                    )));
                }
            }
            _ if manifest.exists() => return Err(stale(format!("not one of the shards 1..{n}"))),
            _ => {}
        }
    }
    Ok(())
}

/// `--force`: removes the shards and any merged result from `out`.
fn clear(out: &Path) -> anyhow::Result<()> {
    let shards = out.join("shards");
    if shards.exists() {
        // A shard still being written (a task of an earlier submission running) is not
        // removed from under it: each shard's lock is taken first, and held until all go.
        let mut held = Vec::new();
        for entry in std::fs::read_dir(&shards).with_context(|| format!("{}: cannot read", shards.display()))? {
            let dir = entry?.path();
            if dir.is_dir() {
                held.push(dirs::lock_existing(&dir).map_err(super::out_dir_error)?);
            }
        }
        std::fs::remove_dir_all(&shards).with_context(|| format!("{}: cannot remove", shards.display()))?;
    }
    for f in dirs::RESULT_FILES
        .iter()
        .chain(&["failures.csv", "timeseries_quantiles.csv", "timeseries.csv"])
    {
        let p = out.join(f);
        if p.exists() {
            std::fs::remove_file(&p).with_context(|| format!("{}: cannot remove", p.display()))?;
        }
    }
    Ok(())
}

/// Runs `sbatch --parsable [extra] script` and returns the job id.
fn sbatch(extra: &[String], script: &Path) -> anyhow::Result<String> {
    let output = Command::new("sbatch")
        .arg("--parsable")
        .args(extra)
        .arg(script)
        .output()
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot run sbatch ({e}); is SLURM installed on this machine? The scripts are in {}",
                script.parent().map_or(String::new(), |p| p.display().to_string())
            )
        })?;
    if !output.status.success() {
        anyhow::bail!(
            "sbatch {} failed ({}): {}",
            script.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let id = stdout.trim().split(';').next().unwrap_or("").trim().to_string();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit() || c == '_') {
        anyhow::bail!("sbatch {}: unexpected output {:?}", script.display(), stdout.trim());
    }
    Ok(id)
}

/// A SLURM job name from the sweep file's name.
fn job_name(stem: &str) -> String {
    let clean: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    format!("coop-{clean}")
}

/// A SLURM time limit: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS, or unlimited.
pub fn valid_time(t: &str) -> bool {
    if matches!(t.to_ascii_lowercase().as_str(), "unlimited" | "infinite") {
        return true;
    }
    let digits = |s: &str| !s.is_empty() && s.len() <= 6 && s.chars().all(|c| c.is_ascii_digit());
    let (days, rest) = match t.split_once('-') {
        Some((d, r)) => (Some(d), r),
        None => (None, t),
    };
    if days.is_some_and(|d| !digits(d)) {
        return false;
    }
    let fields: Vec<&str> = rest.split(':').collect();
    fields.len() <= 3 && fields.iter().all(|f| digits(f))
}

/// Quotes a word for bash (unchanged when it needs no quoting).
pub fn sh_quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "_-./:=@%+,".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn text(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn path_text(p: &Path) -> anyhow::Result<&str> {
    p.to_str()
        .ok_or_else(|| bad_input(format!("{}: not a UTF-8 path", p.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(sh_quote("/a/b-c_1.toml"), "/a/b-c_1.toml");
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
        assert_eq!(sh_quote("a b"), "'a b'");
        assert_eq!(sh_quote(""), "''");
        assert_eq!(sh_quote("$HOME"), "'$HOME'");
    }

    #[test]
    fn times() {
        for t in ["90", "30:00", "2:00:00", "1-12", "1-12:30", "1-12:30:00", "UNLIMITED"] {
            assert!(valid_time(t), "{t}");
        }
        for t in ["", "1h", "1:2:3:4", "-5", "1-", "a:b", "1--2"] {
            assert!(!valid_time(t), "{t}");
        }
    }
}
