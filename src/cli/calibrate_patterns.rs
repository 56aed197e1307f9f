//! `coopetition calibrate SCENARIO --targets FILE`: pattern-oriented calibration with an
//! ABC posterior (docs/MODEL.md §10, docs/OUTPUTS.md "calibrate").

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use super::bad_input;
use super::calibrate_args::CalibrateArgs;
use super::scenarios::to_toml;
use crate::calibrate::files::{
    STATE_FILE, marginals_svg, parse_state, posterior_csv, report_md, state_text, targets_csv,
};
use crate::calibrate::patterns::{Progress, calibrate_patterns, posterior_rows};
use crate::calibrate::targets::{Use, load_targets};
use crate::fsutil::write_atomic;
use crate::scenario::Scenario;

/// Files a finished calibration writes (their presence marks the directory as used).
const RESULT_FILES: [&str; 7] = [
    STATE_FILE,
    "posterior.csv",
    "targets.csv",
    "sensitivity.csv",
    "report.md",
    "marginals.svg",
    "calibrated.toml",
];

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    write_atomic(path, text.as_bytes()).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

pub fn execute(args: &CalibrateArgs, targets_path: &Path, base: Scenario, argv: &[String]) -> anyhow::Result<ExitCode> {
    let file = load_targets(targets_path, &base).map_err(bad_input)?;
    // Particles draw the free parameters up to their priors' upper ends.
    let worst = super::largest_scenario(&base, file.free.iter().map(|f| (f.param.as_str(), f.hi)));
    // No run is held: each reduces to counts on its worker.
    super::check_memory([&worst], super::engines(args.threads), 0)?;
    let text =
        std::fs::read_to_string(targets_path).map_err(|e| bad_input(format!("{}: {e}", targets_path.display())))?;
    if args.verify_runs == 0 {
        return Err(bad_input("--verify-runs must be at least 1"));
    }
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("output/calibration-{}", base.name)));
    if dir.exists() && !dir.is_dir() {
        return Err(bad_input(format!("{}: exists and is not a directory", dir.display())));
    }
    std::fs::create_dir_all(&dir).map_err(|e| anyhow::anyhow!("{}: cannot create: {e}", dir.display()))?;
    // Held until the calibration returns: a second one on the same directory exits 2.
    let _lock = crate::output::dirs::lock_existing(&dir).map_err(super::out_dir_error)?;
    let used = RESULT_FILES.iter().any(|f| dir.join(f).exists());
    if used && !args.resume && !args.force {
        return Err(bad_input(format!(
            "{}: holds a calibration; pass --resume to continue it or --force to start over",
            dir.display()
        )));
    }
    if let Some(out) = &args.out
        && out.exists()
        && !args.force
    {
        return Err(bad_input(format!(
            "{}: exists; pass --force to overwrite it",
            out.display()
        )));
    }
    // The fingerprint of everything the search depends on.
    let hash = format!(
        "{:016x}",
        crate::sweep::fnv1a64(format!("{}\n{}\n{text}", env!("CARGO_PKG_VERSION"), to_toml(&base)?).as_bytes())
    );
    let state_path = dir.join(STATE_FILE);
    let resume = if args.resume && state_path.exists() {
        let t = std::fs::read_to_string(&state_path).map_err(|e| anyhow::anyhow!("{}: {e}", state_path.display()))?;
        Some(
            parse_state(&t, &hash, file.free.len())
                .map_err(|e| bad_input(format!("{}: cannot resume: {e}", state_path.display())))?,
        )
    } else {
        if args.force {
            for f in RESULT_FILES {
                let _ = std::fs::remove_file(dir.join(f));
            }
        }
        None
    };

    let a = &file.abc;
    let kept = a.config().kept();
    let planned = (a.particles + a.max_generations * (a.particles - kept)) as u64;
    let done_before = resume.as_ref().map_or(0, |(s, _)| s.evaluations as u64);
    let pb = super::run::progress(planned, args.quiet, "calibrating");
    pb.set_style(
        indicatif::ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} particles (at most)  ETA {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    pb.set_position(done_before);
    let in_generation = Mutex::new(done_before);
    let command: Vec<&str> = std::iter::once("coopetition")
        .chain(argv.iter().skip(1).map(String::as_str))
        .collect();
    let command = command.join(" ");
    let started = std::time::Instant::now();
    let generations_here = Mutex::new(0usize);
    const STOPPED: &str = "stopped as asked by --stop-after";
    let result = calibrate_patterns(
        &base,
        &file,
        args.verify_runs,
        args.threads,
        resume,
        |s, history| {
            write_atomic(&state_path, state_text(&hash, s, history).as_bytes())
                .map_err(|e| format!("{}: {e}", state_path.display()))?;
            let mut n = generations_here.lock().unwrap_or_else(|e| e.into_inner());
            *n += 1;
            if args.stop_after.is_some_and(|limit| *n >= limit) && !s.done {
                return Err(STOPPED.into());
            }
            Ok(())
        },
        |p| match p {
            Progress::Particle(..) => {
                let mut n = in_generation.lock().unwrap_or_else(|e| e.into_inner());
                *n += 1;
                pb.set_position(*n);
            }
            Progress::Generation(s) => {
                *in_generation.lock().unwrap_or_else(|e| e.into_inner()) = s.evaluations as u64;
                pb.set_position(s.evaluations as u64);
                pb.set_message(format!(
                    "generation {} (tolerance {:.3}, acceptance {:.0}%)",
                    s.generation + 1,
                    s.epsilon,
                    100.0 * s.acceptance
                ));
            }
            Progress::Phase(what) => pb.set_message(what.to_string()),
        },
    );
    pb.finish_and_clear();
    let result = match result {
        Err(e) if e == STOPPED => {
            println!(
                "stopped after {} generations; continue with --resume",
                args.stop_after.unwrap_or(0)
            );
            return Ok(ExitCode::SUCCESS);
        }
        other => other.map_err(anyhow::Error::msg)?,
    };

    let rows = posterior_rows(&file, &result.posterior);
    write(&dir.join("posterior.csv"), &posterior_csv(&file, &rows))?;
    write(&dir.join("targets.csv"), &targets_csv(&file, &result))?;
    if let Some(s) = &result.sensitivity {
        write(
            &dir.join("sensitivity.csv"),
            &crate::calibrate::identify::sensitivity_csv(&file.free, &file.targets, s),
        )?;
    }
    let report = report_md(&file, &result, &base.name, &command);
    write(&dir.join("report.md"), &report)?;
    write(
        &dir.join("marginals.svg"),
        &marginals_svg(&file, &rows).map_err(anyhow::Error::msg)?,
    )?;
    let mut scenario_text = format!(
        "# Calibrated by: {command}\n# Best point of the ABC posterior in {}\n",
        dir.display()
    );
    for (f, x) in file.free.iter().zip(&result.best_theta) {
        scenario_text.push_str(&format!("#   {} = {x}\n", f.param));
    }
    scenario_text.push_str(&to_toml(&result.best)?);
    write(&dir.join("calibrated.toml"), &scenario_text)?;
    if let Some(out) = &args.out {
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| anyhow::anyhow!("{}: {e}", parent.display()))?;
        }
        write(out, &scenario_text)?;
    }

    // The terminal summary: the target table.
    println!(
        "calibration of {} against {} targets ({} free parameters): {} generations, {} evaluations, {:.0} s",
        base.name,
        file.targets.len(),
        file.free.len(),
        result.posterior.generation + 1,
        result.posterior.evaluations,
        started.elapsed().as_secs_f64()
    );
    println!(
        "{:<34} {:<8} {:>9} {:>9} {:>21} {:>7}  pass",
        "target", "use", "value", "tol", "simulated [95%]", "z"
    );
    let [pass_fit, n_fit, pass_val, n_val] = crate::calibrate::files::pass_counts(&file, &result.check);
    for (t, s) in file.targets.iter().zip(&result.check) {
        let d = t.standardised(s.value);
        println!(
            "{:<34} {:<8} {:>9.4} {:>9.4} {:>8.4} [{:.3},{:.3}] {:>+7.2}  {}",
            t.name,
            t.usage.as_str(),
            t.value,
            t.tolerance,
            s.value,
            s.lo,
            s.hi,
            d,
            match (t.usage, d.abs() <= 1.0) {
                (Use::Input, _) => "input",
                (_, true) => "yes",
                (_, false) => "NO",
            }
        );
    }
    println!(
        "fitted targets passing: {pass_fit} of {n_fit}; validation targets passing: {pass_val} of {n_val}; distance {:.3} ({} fresh runs)",
        result.check_distance, result.check_runs
    );
    if let Some(s) = &result.sensitivity {
        let ratios = crate::calibrate::files::sd_ratios(&file, &result.posterior);
        for (j, f) in file.free.iter().enumerate() {
            println!(
                "  {}: moves {} fitted targets by >= 1 tolerance unit; posterior sd / prior sd {:.2}",
                f.param,
                s.identified_by(&file.targets, j).len(),
                ratios[j]
            );
        }
    }
    for (f, x) in file.free.iter().zip(&result.best_theta) {
        println!("  {} = {x}", f.param);
    }
    println!("wrote {}", dir.display());
    Ok(ExitCode::SUCCESS)
}
