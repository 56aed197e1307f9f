//! Files of a pattern-oriented calibration (docs/OUTPUTS.md, "calibrate"): the search's
//! checkpoint, `posterior.csv`, `targets.csv`, `report.md` and `marginals.svg`.

use std::fmt::Write;

use plotters::prelude::*;

use crate::calibrate::abc::{AbcState, Particle, effective_size, weighted_moments};
use crate::calibrate::patterns::{Generation, PatternResult};
use crate::calibrate::targets::{TargetFile, Use};
use crate::output::columns::{push_field, push_num};

/// File name of the checkpoint in a calibration directory.
pub const STATE_FILE: &str = "abc_state.csv";

fn num(x: f64) -> String {
    let mut s = String::new();
    push_num(&mut s, x);
    s
}

/// The checkpoint: a header line with the run's fingerprint and where the search stands,
/// the generations so far, then the kept particles with exact (round-trip) values.
pub fn state_text(hash: &str, state: &AbcState, history: &[Generation]) -> String {
    let mut t = format!(
        "# coopetition abc state\nhash,{hash}\ngeneration,{}\nepsilon,{}\nacceptance,{}\nevaluations,{}\ndone,{}\n",
        state.generation,
        state.epsilon,
        state.acceptance,
        state.evaluations,
        u8::from(state.done)
    );
    for (g, e, a, n) in history {
        let _ = writeln!(t, "history,{g},{e},{a},{n}");
    }
    for p in &state.population {
        let _ = write!(t, "particle,{},{}", p.weight, p.distance);
        for x in &p.theta {
            let _ = write!(t, ",{x}");
        }
        t.push('\n');
    }
    t
}

/// Reads a checkpoint written by [`state_text`]; an error if it is malformed or was made by
/// a different calibration (another hash).
pub fn parse_state(text: &str, hash: &str, k: usize) -> Result<(AbcState, Vec<Generation>), String> {
    let mut state = AbcState {
        generation: 0,
        population: Vec::new(),
        epsilon: f64::NAN,
        acceptance: f64::NAN,
        evaluations: 0,
        done: false,
    };
    let mut history = Vec::new();
    let mut seen_hash = None;
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.starts_with('#')) {
        let bad = || format!("line {}: malformed `{line}`", i + 1);
        let cells: Vec<&str> = line.split(',').collect();
        let f = |j: usize| -> Result<f64, String> { cells.get(j).and_then(|c| c.parse().ok()).ok_or_else(bad) };
        let u = |j: usize| -> Result<usize, String> { cells.get(j).and_then(|c| c.parse().ok()).ok_or_else(bad) };
        match cells[0] {
            "hash" => seen_hash = cells.get(1).map(|h| h.to_string()),
            "generation" => state.generation = u(1)?,
            "epsilon" => state.epsilon = f(1)?,
            "acceptance" => state.acceptance = f(1)?,
            "evaluations" => state.evaluations = u(1)?,
            "done" => state.done = u(1)? == 1,
            "history" => history.push((u(1)?, f(2)?, f(3)?, u(4)?)),
            "particle" if cells.len() == 3 + k => state.population.push(Particle {
                weight: f(1)?,
                distance: f(2)?,
                theta: (3..3 + k).map(f).collect::<Result<_, _>>()?,
            }),
            _ => return Err(bad()),
        }
    }
    match seen_hash {
        Some(h) if h == hash => {}
        Some(_) => {
            return Err("it was made by a different calibration (scenario, target file or settings changed)".into());
        }
        None => return Err("no hash line".into()),
    }
    if state.population.is_empty() {
        return Err("no particles".into());
    }
    Ok((state, history))
}

/// `posterior.csv`: `particle,weight,distance`, then one column per free parameter.
pub fn posterior_csv(file: &TargetFile, rows: &[Particle]) -> String {
    let mut t = String::from("particle,weight,distance");
    for f in &file.free {
        let _ = write!(t, ",{}", f.param);
    }
    t.push('\n');
    for (i, p) in rows.iter().enumerate() {
        let _ = write!(t, "{i},{},{}", num(p.weight), num(p.distance));
        for &x in &p.theta {
            let _ = write!(t, ",{}", num(x));
        }
        t.push('\n');
    }
    t
}

fn csv_field(s: &str) -> String {
    let mut out = String::new();
    push_field(&mut out, s);
    out
}

/// `targets.csv`: per target the value, the best point's figure on fresh seeds with its 95%
/// interval, the standardised distance and whether it passes.
pub fn targets_csv(file: &TargetFile, r: &PatternResult) -> String {
    let mut t = String::from(
        "target,use,metric,value,tolerance,simulated,simulated_lo,simulated_hi,runs,standardised,pass,source\n",
    );
    for (tg, s) in file.targets.iter().zip(&r.check) {
        let d = tg.standardised(s.value);
        let _ = writeln!(
            t,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            tg.name,
            use_text(tg.usage),
            csv_field(&tg.describe()),
            num(tg.value),
            num(tg.tolerance),
            num(s.value),
            num(s.lo),
            num(s.hi),
            s.runs,
            num(d),
            u8::from(d.abs() <= 1.0),
            csv_field(&tg.source)
        );
    }
    t
}

fn use_text(u: Use) -> &'static str {
    u.as_str()
}

/// Each free parameter's posterior sd over its uniform prior's sd.
pub fn sd_ratios(file: &TargetFile, state: &AbcState) -> Vec<f64> {
    file.free
        .iter()
        .enumerate()
        .map(|(j, f)| weighted_moments(&state.population, j).1 / ((f.hi - f.lo) / 12f64.sqrt()))
        .collect()
}

/// Pass counts on fresh seeds: (fitted passing, fitted, held out passing, held out); input
/// targets are counted in neither.
pub fn pass_counts(file: &TargetFile, check: &[crate::calibrate::evaluate::Simulated]) -> [usize; 4] {
    let mut c = [0usize; 4];
    for (tg, s) in file.targets.iter().zip(check) {
        let pass = usize::from(tg.standardised(s.value).abs() <= 1.0);
        match tg.usage {
            Use::Fit => {
                c[0] += pass;
                c[1] += 1;
            }
            Use::Validate => {
                c[2] += pass;
                c[3] += 1;
            }
            Use::Input => {}
        }
    }
    c
}

/// The report: settings, the search, the posterior, the best point and the target table.
pub fn report_md(file: &TargetFile, r: &PatternResult, scenario_name: &str, command: &str) -> String {
    let a = &file.abc;
    let mut t = String::new();
    let _ = writeln!(t, "# Calibration of `{scenario_name}`\n");
    let _ = writeln!(t, "Reproduce with:\n\n```text\n{command}\n```\n");
    let fitted = file.fitted().count();
    let _ = writeln!(
        t,
        "{} free parameters, {} targets ({fitted} fitted, {} kept for validation or marked as inputs). Approximate \
         Bayesian computation by adaptive population Monte Carlo (Lenormand et al. 2013): {} \
         particles per generation, α = {}, each particle simulated on {} runs; distance = root mean \
         square of the fitted targets' standardised distances (simulated − value)/tolerance. \
         Brands and amenities are solved in the {} reference world ({}).\n",
        file.free.len(),
        file.targets.len(),
        file.targets.len() - fitted,
        a.particles,
        a.alpha,
        a.runs,
        a.reference.as_str(),
        match a.reference {
            crate::sim::setup::Reference::Candidate => {
                "each candidate is its own reference: its starting shares and employment are the observed ones whatever its primitives, as the calibrated point's will be once it is the default"
            }
            crate::sim::setup::Reference::Baseline => {
                "the defaults' primitives with the candidate's observed shares, as `run` does"
            }
        }
    );
    t.push_str("## Search\n\n| generation | tolerance ε | acceptance | evaluations |\n|---|---|---|---|\n");
    for (g, e, acc, n) in &r.history {
        let _ = writeln!(t, "| {g} | {e:.3} | {:.1}% | {n} |", 100.0 * acc);
    }
    let stop = if r.posterior.acceptance < a.min_acceptance {
        format!("acceptance fell below {:.0}%", 100.0 * a.min_acceptance)
    } else {
        format!("the generation limit ({})", a.max_generations)
    };
    let _ = writeln!(t, "\nStopped at generation {} ({stop}).\n", r.posterior.generation);
    t.push_str(
        "## Posterior\n\n| parameter | prior | posterior mean | sd | sd ÷ prior sd | 5% | 95% | best point | within 5–95% |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for (j, f) in file.free.iter().enumerate() {
        let pop = &r.posterior.population;
        let (m, sd) = weighted_moments(pop, j);
        let (q05, q95) = (weighted_quantile(pop, j, 0.05), weighted_quantile(pop, j, 0.95));
        let prior_sd = (f.hi - f.lo) / 12f64.sqrt();
        let b = r.best_theta[j];
        let inside = if (q05..=q95).contains(&b) { "yes" } else { "**no**" };
        let _ = writeln!(
            t,
            "| `{}` | [{}, {}] | {m:.4} | {sd:.4} | {:.2} | {q05:.4} | {q95:.4} | {b} | {inside} |",
            f.param,
            f.lo,
            f.hi,
            sd / prior_sd
        );
    }
    let _ = writeln!(
        t,
        "\nEffective sample size of the weights: {:.0} of {} particles. An sd ÷ prior sd near 1 \
         means the targets do not identify the parameter.",
        effective_size(&r.posterior.population),
        r.posterior.population.len()
    );
    let _ = writeln!(
        t,
        "\nThe sample is `posterior.csv` ({} particles with weights); `marginals.svg` draws each \
         parameter's weighted histogram against its flat prior. A parameter whose posterior is as wide as its prior is \
         not identified by these targets.\n",
        r.posterior.population.len()
    );
    let _ = writeln!(
        t,
        "## Best point\n\nThe {} closest particles were run again on {} common seeds; the closest \
         there, particle {}, was the starting point (distances: {}).\n",
        r.candidates.len(),
        r.fit_runs,
        r.start_particle,
        r.candidates
            .iter()
            .map(|(i, d)| format!("particle {i}: {d:.3}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if r.polish.0 > 0 {
        let _ = writeln!(
            t,
            "From it, a Nelder–Mead polish on the same seeds ({} evaluations, logit space of the \
             prior box) moved the distance from {:.3} to {:.3}: the best point is a minimum-distance \
             estimate started inside the posterior, not the posterior's mode.\n",
            r.polish.0, r.polish.1, r.polish.2
        );
    }
    let _ = writeln!(
        t,
        "## Targets\n\nThe best point on {} fresh seeds (never used by the search), with 95% \
         intervals; a target passes when |standardised distance| ≤ 1.\n",
        r.check_runs
    );
    t.push_str("| target | use | metric | value | tolerance | simulated [95%] | standardised | pass | source |\n|---|---|---|---|---|---|---|---|---|\n");
    let [pass_fit, n_fit, pass_val, n_val] = pass_counts(file, &r.check);
    for (tg, s) in file.targets.iter().zip(&r.check) {
        let d = tg.standardised(s.value);
        let pass = d.abs() <= 1.0;
        let pass = match (tg.usage, pass) {
            (Use::Input, _) => "input",
            (_, true) => "yes",
            (_, false) => "**no**",
        };
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {} | {} [{}, {}] | {:+.2} | {} | {} |",
            tg.name,
            use_text(tg.usage),
            tg.describe(),
            short(tg.value),
            short(tg.tolerance),
            short(s.value),
            short(s.lo),
            short(s.hi),
            d,
            pass,
            tg.source
        );
    }
    let inputs = file.targets.iter().filter(|t| t.usage == Use::Input).count();
    let _ = writeln!(
        t,
        "\nFitted targets passing: {pass_fit} of {n_fit}; validation targets passing: {pass_val} of {n_val}. \
         Overall distance (fitted): {:.3} on fresh seeds.",
        r.check_distance
    );
    if inputs > 0 {
        let _ = writeln!(
            t,
            "\n{inputs} targets are marked `input`: their series set a parameter or a starting \
             value, so they are reported here and neither fitted nor counted as passes."
        );
    }
    if let Some(s) = &r.sensitivity {
        t.push('\n');
        t.push_str(&super::identify::report_section(
            &file.free,
            &file.targets,
            s,
            &sd_ratios(file, &r.posterior),
        ));
    }
    if let Some(d) = &r.data_only {
        t.push('\n');
        t.push_str(&data_only_section(file, r, d));
    }
    t
}

/// The outcome shares with and without the expert's view among the targets.
fn data_only_section(file: &TargetFile, r: &PatternResult, d: &crate::calibrate::patterns::DataOnly) -> String {
    use crate::calibrate::evaluate::{distance_where, is_data_target};
    use crate::calibrate::targets::Metric;
    let mut t = String::new();
    let _ = writeln!(
        t,
        "## The outcomes with and without the expert's view

From the best point, a second \
         Nelder–Mead polish ({} evaluations, same common seeds) on the fitted targets other than \
         the outcome shares moved their distance from {:.3} to {:.3}. Both points on the {} fresh \
         seeds of the check:
",
        d.evals, d.before, d.after, r.check_runs
    );
    t.push_str(
        "| | with the outcome targets | data alone | target |
|---|---|---|---|
",
    );
    for (i, tg) in file.targets.iter().enumerate() {
        if let Metric::Outcome(_) = tg.metric {
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} |",
                tg.name,
                short(r.check[i].value),
                short(d.check[i].value),
                short(tg.value)
            );
        }
    }
    let _ = writeln!(
        t,
        "| distance on the data targets | {:.3} | {:.3} | |",
        distance_where(&file.targets, &r.check, is_data_target),
        distance_where(&file.targets, &d.check, is_data_target)
    );
    for (f, (a, b)) in file.free.iter().zip(r.best_theta.iter().zip(&d.theta)) {
        let _ = writeln!(t, "| `{}` | {a} | {b} | |", f.param);
    }
    let [pf, nf, ..] = pass_counts(file, &d.check);
    let _ = writeln!(
        t,
        "\nAt the data-alone point {pf} of {nf} fitted targets pass (the outcome shares among them)."
    );
    t
}

fn short(x: f64) -> String {
    if x.is_nan() {
        "–".into()
    } else if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.3}")
    }
}

/// Weighted quantile of coordinate `j` (the smallest value whose cumulative weight reaches q).
pub fn weighted_quantile(pop: &[Particle], j: usize, q: f64) -> f64 {
    let mut v: Vec<(f64, f64)> = pop.iter().map(|p| (p.theta[j], p.weight)).collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = v.iter().map(|x| x.1).sum();
    let mut acc = 0.0;
    for (x, w) in &v {
        acc += w;
        if acc >= q * total {
            return *x;
        }
    }
    v.last().map_or(f64::NAN, |x| x.0)
}

/// `marginals.svg`: per free parameter, the posterior's weighted histogram (density) over
/// its prior range, with the flat prior's density as a grey line.
pub fn marginals_svg(file: &TargetFile, rows: &[Particle]) -> Result<String, String> {
    let k = file.free.len();
    let cols = k.clamp(1, 3);
    let nrows = k.div_ceil(cols).max(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (360 * cols as u32, 260 * nrows as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let areas = root.split_evenly((nrows, cols));
        for (j, (f, area)) in file.free.iter().zip(&areas).enumerate() {
            const BINS: usize = 20;
            let width = (f.hi - f.lo) / BINS as f64;
            let mut h = [0.0f64; BINS];
            let total: f64 = rows.iter().map(|p| p.weight).sum();
            for p in rows {
                let b = (((p.theta[j] - f.lo) / width) as usize).min(BINS - 1);
                h[b] += p.weight / total.max(f64::MIN_POSITIVE) / width;
            }
            let ymax = h.iter().copied().fold(1.0 / (f.hi - f.lo), f64::max) * 1.1;
            let mut chart = ChartBuilder::on(area)
                .caption(&f.param, ("sans-serif", 14))
                .margin(8)
                .x_label_area_size(28)
                .y_label_area_size(44)
                .build_cartesian_2d(f.lo..f.hi, 0.0..ymax)
                .map_err(|e| e.to_string())?;
            chart
                .configure_mesh()
                .disable_mesh()
                .x_labels(5)
                .y_labels(4)
                .y_desc("density")
                .draw()
                .map_err(|e| e.to_string())?;
            chart
                .draw_series(h.iter().enumerate().map(|(b, &y)| {
                    let x0 = f.lo + b as f64 * width;
                    Rectangle::new([(x0, 0.0), (x0 + width, y)], RGBColor(52, 101, 164).mix(0.7).filled())
                }))
                .map_err(|e| e.to_string())?;
            let prior = 1.0 / (f.hi - f.lo);
            chart
                .draw_series(LineSeries::new(
                    vec![(f.lo, prior), (f.hi, prior)],
                    RGBColor(150, 150, 150),
                ))
                .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checkpoint_round_trips_exactly() {
        let state = AbcState {
            generation: 3,
            population: vec![
                Particle {
                    theta: vec![0.1 + 0.2, 1.0 / 3.0],
                    weight: 0.7,
                    distance: 1.25,
                },
                Particle {
                    theta: vec![2.5e-9, 7.0],
                    weight: 1e-300,
                    distance: 0.5,
                },
            ],
            epsilon: 1.25,
            acceptance: 0.125,
            evaluations: 500,
            done: false,
        };
        let history = vec![(0, 3.0, 1.0, 200), (3, 1.25, 0.125, 500)];
        let text = state_text("abc", &state, &history);
        assert_eq!(parse_state(&text, "abc", 2).unwrap(), (state, history));
        assert!(
            parse_state(&text, "other", 2)
                .unwrap_err()
                .contains("different calibration")
        );
        assert!(parse_state(&text, "abc", 3).is_err());
    }
}
