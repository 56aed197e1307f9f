//! `coopetition analyze DIR` (SPEC §7): outcome probabilities with 95% intervals,
//! effects of varied parameters, convergence, sensitivity indices for sobol/morris
//! sweeps, SVG charts and a Markdown/HTML report, all written to `DIR/analysis/`.
//!
//! The input is a run directory (`outcomes.csv`, `timeseries.csv`, ...) or a sweep or
//! merged directory (recognised by `points.csv`). Probabilities always come from the
//! per-run `outcomes.csv`, never from `summary.csv`.
//!
//! Methods:
//! - Probabilities: share of runs per outcome with 95% Wilson score intervals.
//! - Effects (`effects.csv`): runs are pooled over all points at a parameter's low and at
//!   its high setting, and the effect is `p_high − p_low` with a 95% Newcombe hybrid
//!   score interval. Low/high are the lowest/highest level for `grid`/`ofat` designs and
//!   for booleans (false → true) and text values (the order listed in the sweep file);
//!   for continuous designs (`lhs`, `random`, `sobol`, `morris`) they are the bottom and
//!   top third of the points by the parameter's value, and `low`/`high` hold each
//!   third's mean value. Pooling gives the marginal effect averaged over the other
//!   parameters. Parameters are ranked by their largest absolute effect.
//! - Convergence: the interval after the first n runs in run order, n = 10, 20, 50, ...
//! - Sensitivity (sobol and morris designs only): Sobol first-order (Saltelli 2010) and
//!   total (Jansen) indices with bootstrap intervals from a fixed seed, or Morris μ, μ*
//!   and σ, of every outcome probability and per-point mean key metric at the horizon.
//! - Parameter uncertainty (posterior designs only, `posterior.rs`): each outcome's
//!   probability averaged over the posterior draws, with the spread across draws split
//!   into parameter uncertainty and Monte Carlo noise.
//! - How each outcome came about (`routes.rs`, report section of that name): per outcome
//!   and `outcome_route`, the runs, their share of the outcome and of all runs, and the
//!   10th percentile, median and 90th percentile month of the deciding event.
//! - Monthly hazard by period (`hazard.rs`): per outcome other than symbiosis and per six
//!   months, the events over the run-months at risk (a run is at risk until the month
//!   its outcome was decided; a symbiosis run through the horizon).
//! - Partnerships (`ties.rs`, run directories with `partnerships.csv`): per tie and
//!   outcome, the share of runs with its Wilson interval, the median stake at the horizon
//!   and the routes seen.
//!
//! Directories written before `outcome_route`, `outcome_tick` or `partnerships.csv`
//! existed still analyse: the sections that need them are left out with a note.

mod content;
mod csvio;
mod effects;
mod error;
pub(crate) mod fan;
mod hazard;
mod input;
mod noise;
pub(crate) mod numbers;
pub(crate) mod plots;
mod posterior;
mod prim;
pub(crate) mod report;
mod routes;
mod sensitivity;
pub(crate) mod tables;
mod ties;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use error::AnalyzeError;
pub use prim::{Comparison, PrimTarget};

use input::Kind;

/// A report format to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportFormat {
    /// `report.md`, with the charts linked as files beside it.
    Md,
    /// `report.html`, one self-contained page with the charts inlined.
    Html,
}

impl std::str::FromStr for ReportFormat {
    type Err = String;

    /// Parses `md` / `markdown` or `html`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "md" | "markdown" => Ok(ReportFormat::Md),
            "html" => Ok(ReportFormat::Html),
            other => Err(format!("unknown report format `{other}` (expected md or html)")),
        }
    }
}

/// What to analyse and which reports to write.
#[derive(Debug, Clone)]
pub struct AnalyzeOptions {
    /// Metrics to draw fan charts of; `None` means tension, lab_cloud_share_investor,
    /// investor_inhouse_ratio, talent_share_top2 and startups_alive.
    pub metrics: Option<Vec<String>>,
    /// Reports to write; an empty list means both.
    pub formats: Vec<ReportFormat>,
    /// PRIM targets (`divestiture>0.2`); empty means each outcome at its default
    /// threshold, for sampled designs (`lhs`, `random`, `sobol`, `posterior`) only.
    pub prim: Vec<PrimTarget>,
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        AnalyzeOptions {
            metrics: None,
            formats: vec![ReportFormat::Md, ReportFormat::Html],
            prim: Vec::new(),
        }
    }
}

/// The result of [`analyze`].
#[derive(Debug, Clone)]
pub struct AnalyzeSummary {
    /// `DIR/analysis`.
    pub out_dir: PathBuf,
    /// The main table (outcome probabilities with 95% intervals beside the article's
    /// reference) as aligned text for the terminal; for a posterior sweep followed by
    /// the outcome probabilities with parameter uncertainty.
    pub table: String,
    /// Every file written, in writing order.
    pub files: Vec<PathBuf>,
}

/// Analyses the run, sweep or merged directory `dir` and writes `dir/analysis/`.
/// Files there are derived data: a rerun replaces them.
///
/// # Errors
/// Bad input (missing files or columns, malformed values, unknown metric names) gives
/// an error for which [`AnalyzeError::is_bad_input`] is true; I/O failures otherwise.
pub fn analyze(dir: &Path, opts: &AnalyzeOptions) -> Result<AnalyzeSummary, AnalyzeError> {
    // Read and check everything before writing anything.
    let ds = input::load(dir)?;
    let fans = fan::load(&ds, opts.metrics.as_deref())?;
    let probs = tables::probabilities(&ds);
    let conv = tables::convergence(&ds);
    let (effects, mut notes) = match ds.kind {
        Kind::Sweep => effects::compute(&ds),
        Kind::Run => (Vec::new(), Vec::new()),
    };
    let (sens, sens_notes) = sensitivity::compute(&ds);
    notes.extend(sens_notes);
    let (post, post_notes) = posterior::compute(&ds);
    notes.extend(post_notes);
    let prims = if ds.kind == Kind::Sweep && (prim::sampled_design(&ds) || !opts.prim.is_empty()) {
        let (p, n) = prim::compute(&ds, &opts.prim);
        notes.extend(n);
        p
    } else {
        if !opts.prim.is_empty() {
            notes.push("PRIM needs a sweep directory: `--prim` ignored.".into());
        }
        Vec::new()
    };
    notes.extend(fans.notes.iter().cloned());
    let routes = routes::compute(&ds);
    let hazards = hazard::compute(&ds);
    let ties = ties::load(&ds)?;
    notes.extend(missing_section_notes(&ds, hazards.as_ref(), ties.is_some()));

    let out_dir = dir.join("analysis");
    std::fs::create_dir_all(&out_dir).map_err(|e| AnalyzeError::io(&out_dir, e))?;
    // Held until the analysis is written: a second `analyze` of the directory exits 2.
    let _lock = crate::output::lock::DirLock::acquire(&out_dir)?;
    remove_old_outputs(&out_dir)?;
    let mut out = Output {
        dir: out_dir.clone(),
        files: Vec::new(),
        svgs: HashMap::new(),
        charts: Vec::new(),
    };

    write_tables(&mut out, &ds, &probs, &conv, &effects, sens.as_ref())?;
    write_outcome_tables(&mut out, &ds, routes.as_ref(), hazards.as_ref(), ties.as_deref())?;
    if let Some(a) = &post {
        out.csv("posterior.csv", &posterior::HEADER, &posterior::csv_rows(a))?;
    }
    let title = content::title(&ds);
    write_charts(&mut out, &ds, &title, &effects, &fans, sens.as_ref(), &mut notes)?;
    for p in &prims {
        let name = format!("prim_{}", p.target.outcome.as_str());
        let header = prim::header(&ds);
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        out.csv(&format!("{name}.csv"), &header, &prim::rows(&ds, p))?;
        let svg = plots::prim(&out.dir.join(format!("{name}.svg")), p, ds.params.len())?;
        out.svg(
            &format!("{name}.svg"),
            &format!(
                "PRIM trade-off for {}: coverage against density of each peeled box",
                p.target
            ),
            svg,
        )?;
    }

    let main = tables::main_table(&ds, &probs);
    let ctx = content::Context {
        ds: &ds,
        probs: &probs,
        conv: &conv,
        effects: &effects,
        sens: sens.as_ref(),
        posterior: post.as_ref(),
        routes: routes.as_ref(),
        hazards: hazards.as_ref(),
        ties: ties.as_deref(),
        prims: &prims,
        main: &main,
        charts: &out.charts,
        notes: &notes,
    };
    let blocks = content::blocks(&ctx);
    let formats = if opts.formats.is_empty() {
        vec![ReportFormat::Md, ReportFormat::Html]
    } else {
        opts.formats.clone()
    };
    if formats.contains(&ReportFormat::Md) {
        out.text("report.md", &report::markdown(&blocks))?;
    }
    if formats.contains(&ReportFormat::Html) {
        let page = report::html(&title, &blocks, &out.svgs);
        out.text("report.html", &page)?;
    }
    let mut table = format!("{}\n{}", content::table_caption(&ds), main.to_text());
    if let Some(a) = &post {
        table += &format!("\n{}:\n{}", posterior::TITLE, posterior::table(a).to_text());
        for line in posterior::sentences(a) {
            table += &format!("{line}\n");
        }
    }
    Ok(AnalyzeSummary {
        out_dir,
        table,
        files: out.files,
    })
}

/// Writes the CSV tables.
fn write_tables(
    out: &mut Output,
    ds: &input::Dataset,
    probs: &[tables::Prob],
    conv: &[tables::Conv],
    effects: &[effects::ParamEffect],
    sens: Option<&sensitivity::Sensitivity>,
) -> Result<(), AnalyzeError> {
    out.csv(
        "outcome_probabilities.csv",
        &["point", "outcome", "runs", "count", "p", "p_lo", "p_hi", "reference"],
        &tables::probability_rows(probs),
    )?;
    if ds.kind == Kind::Sweep {
        out.csv(
            "effects.csv",
            &[
                "param",
                "outcome",
                "low",
                "high",
                "p_low",
                "p_high",
                "effect",
                "effect_lo",
                "effect_hi",
                "rank",
                "interval",
            ],
            &effects::effect_rows(effects, ds.common_seeds()),
        )?;
    }
    out.csv(
        "convergence.csv",
        &["point", "outcome", "runs", "p", "half_width"],
        &tables::convergence_rows(conv),
    )?;
    if let Some(s) = sens {
        let mut header = vec!["param", "output"];
        header.extend(s.method.columns());
        out.csv("sensitivity.csv", &header, &s.rows())?;
    }
    Ok(())
}

/// Writes `routes.csv`, `hazard.csv` and `partnerships.csv` when their inputs exist.
fn write_outcome_tables(
    out: &mut Output,
    ds: &input::Dataset,
    routes: Option<&routes::Routes>,
    hazards: Option<&hazard::Hazards>,
    ties: Option<&[ties::Tie]>,
) -> Result<(), AnalyzeError> {
    // Sweeps lead with the point, as their `outcomes.csv` does.
    let header = |columns: &[&'static str]| -> Vec<&'static str> {
        let point = ds.leads_with_point().then_some("point");
        point.into_iter().chain(columns.iter().copied()).collect()
    };
    if let Some(r) = routes {
        out.csv("routes.csv", &header(&routes::HEADER), &routes::csv_rows(ds, r))?;
    }
    if let Some(h) = hazards {
        out.csv("hazard.csv", &header(&hazard::HEADER), &hazard::csv_rows(ds, h))?;
    }
    if let Some(t) = ties {
        out.csv("partnerships.csv", &ties::HEADER, &ties::csv_rows(t))?;
    }
    Ok(())
}

/// Notes for the sections an older directory lacks the input for.
fn missing_section_notes(ds: &input::Dataset, hazards: Option<&hazard::Hazards>, has_ties: bool) -> Vec<String> {
    let mut notes = Vec::new();
    if !ds.has_route {
        notes.push(
            "`outcomes.csv` has no `outcome_route` column (written by an older version): \
             no table of how each outcome came about (`routes.csv`)."
                .into(),
        );
    }
    if !ds.has_month {
        notes.push(
            "`outcomes.csv` has no `outcome_tick` column (written by an older version): no \
             hazard by period (`hazard.csv`) and no months of the routes."
                .into(),
        );
    }
    if let Some(h) = hazards.filter(|h| h.horizon_from_data) {
        notes.push(format!(
            "The manifest gives no horizon: the hazard table takes the latest month in \
             `outcomes.csv`, {}, as the horizon.",
            h.horizon
        ));
    }
    if ds.kind == Kind::Run && !has_ties {
        notes.push(
            "No `partnerships.csv` (written by an older version): no table of the \
             partnerships' outcomes."
                .into(),
        );
    }
    notes
}

/// Draws the charts; fan charts without data become notes.
fn write_charts(
    out: &mut Output,
    ds: &input::Dataset,
    title: &str,
    effects: &[effects::ParamEffect],
    fans: &fan::Fans,
    sens: Option<&sensitivity::Sensitivity>,
    notes: &mut Vec<String>,
) -> Result<(), AnalyzeError> {
    let path = out.dir.join("outcomes.svg");
    let bars = content::outcome_bars(ds);
    out.svg(
        "outcomes.svg",
        "Outcome probabilities with 95% intervals beside the article's expert view",
        plots::outcomes(&path, title, &bars)?,
    )?;
    for p in &ds.params {
        let Some(e) = effects.iter().find(|e| e.param == p.name) else {
            continue;
        };
        let file = format!("effect_{}.svg", safe_name(&p.name));
        let groups = effects::plot_groups(ds, p);
        let binned = effects::is_continuous(ds, p);
        let svg = plots::effect(&out.dir.join(&file), &p.name, e.categorical, binned, &groups)?;
        out.svg(&file, &format!("Outcome probabilities vs {}", p.name), svg)?;
    }
    for f in &fans.fans {
        if f.bands.is_empty() {
            notes.push(format!("No time-series rows for `{}`: no fan chart.", f.metric));
            continue;
        }
        let file = format!("fan_{}.svg", safe_name(&f.metric));
        let svg = plots::fan(&out.dir.join(&file), f)?;
        out.svg(&file, &format!("{}: median and 5-95% band over months", f.metric), svg)?;
    }
    if let Some(s) = sens {
        let svg = plots::sensitivity(&out.dir.join("sensitivity.svg"), s)?;
        out.svg("sensitivity.svg", "Sensitivity indices per output", svg)?;
    }
    Ok(())
}

/// Collects what has been written.
struct Output {
    dir: PathBuf,
    files: Vec<PathBuf>,
    svgs: HashMap<String, String>,
    /// (file, caption) of each chart, in order.
    charts: Vec<(String, String)>,
}

impl Output {
    fn write(&mut self, file: &str, bytes: &[u8]) -> Result<(), AnalyzeError> {
        let path = self.dir.join(file);
        crate::fsutil::write_atomic(&path, bytes).map_err(|e| AnalyzeError::io(&path, e))?;
        self.files.push(path);
        Ok(())
    }

    fn csv(&mut self, file: &str, header: &[&str], rows: &[Vec<String>]) -> Result<(), AnalyzeError> {
        let path = self.dir.join(file);
        csvio::write_csv(&path, header, rows)?;
        self.files.push(path);
        Ok(())
    }

    fn svg(&mut self, file: &str, caption: &str, svg: String) -> Result<(), AnalyzeError> {
        self.write(file, svg.as_bytes())?;
        self.svgs.insert(file.to_string(), svg);
        self.charts.push((file.to_string(), caption.to_string()));
        Ok(())
    }

    fn text(&mut self, file: &str, text: &str) -> Result<(), AnalyzeError> {
        self.write(file, text.as_bytes())
    }
}

/// A file-name-safe version of a parameter or metric name.
fn safe_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Removes files a previous analysis wrote, so charts of metrics or parameters no
/// longer analysed do not linger. Only names this module writes are touched.
fn remove_old_outputs(dir: &Path) -> Result<(), AnalyzeError> {
    const FIXED: [&str; 12] = [
        "outcome_probabilities.csv",
        "routes.csv",
        "hazard.csv",
        "partnerships.csv",
        "posterior.csv",
        "effects.csv",
        "convergence.csv",
        "sensitivity.csv",
        "sensitivity.svg",
        "outcomes.svg",
        "report.md",
        "report.html",
    ];
    let entries = std::fs::read_dir(dir).map_err(|e| AnalyzeError::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| AnalyzeError::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = FIXED.contains(&name.as_str())
            || ((name.starts_with("effect_") || name.starts_with("fan_")) && name.ends_with(".svg"))
            || (name.starts_with("prim_") && (name.ends_with(".svg") || name.ends_with(".csv")));
        if ours && entry.file_type().is_ok_and(|t| t.is_file()) {
            let path = entry.path();
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(AnalyzeError::io(&path, e)),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
