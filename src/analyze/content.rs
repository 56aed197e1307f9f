//! What the report says: sections, tables and plain-language summaries.

use super::effects::{self, ParamEffect};
use super::input::{Dataset, Kind};
use super::numbers::pct;
use super::plots::BarSeries;
use super::report::Block;
use super::sensitivity::{Method, Sensitivity};
use super::tables::{Conv, Prob, Table};
use crate::outcome::Outcome;

/// Sweep points drawn as separate bar groups in `outcomes.svg`; more are pooled.
const MAX_BAR_POINTS: usize = 5;
/// Effects described in words.
const MAX_SENTENCES: usize = 5;

/// Everything the report draws on.
pub(crate) struct Context<'a> {
    pub ds: &'a Dataset,
    pub probs: &'a [Prob],
    pub conv: &'a [Conv],
    pub effects: &'a [ParamEffect],
    pub sens: Option<&'a Sensitivity>,
    pub posterior: Option<&'a super::posterior::PosteriorAnalysis>,
    pub routes: Option<&'a super::routes::Routes>,
    pub hazards: Option<&'a super::hazard::Hazards>,
    pub ties: Option<&'a [super::ties::Tie]>,
    pub prims: &'a [super::prim::Prim],
    pub main: &'a Table,
    /// (file, caption) of the charts written.
    pub charts: &'a [(String, String)],
    pub notes: &'a [String],
}

/// Report and chart title.
pub(crate) fn title(ds: &Dataset) -> String {
    let name = ds.manifest.scenario.as_deref().unwrap_or("unnamed scenario");
    match ds.kind {
        Kind::Run => format!("Outcomes of {name}"),
        Kind::Sweep => format!("Sweep of {name}"),
    }
}

/// The line printed above the main table.
pub(crate) fn table_caption(ds: &Dataset) -> String {
    let what = match ds.kind {
        Kind::Run => format!("{} runs", ds.total_runs()),
        Kind::Sweep => format!("{} points, {} runs", ds.point_ids.len(), ds.total_runs()),
    };
    format!(
        "{} ({what}): outcome probabilities with 95% Wilson intervals; \
         `article` is the seed article's expert view.",
        title(ds)
    )
}

/// Bar series of `outcomes.svg`: the run, each of a few sweep points, or all pooled.
pub(crate) fn outcome_bars(ds: &Dataset) -> Vec<BarSeries> {
    let n = ds.point_ids.len();
    if ds.kind == Kind::Run || n > MAX_BAR_POINTS {
        let mut counts = [0u64; 4];
        for i in 0..n {
            for (a, b) in counts.iter_mut().zip(ds.counts(i)) {
                *a += b;
            }
        }
        let runs = ds.total_runs() as u64;
        let label = match ds.kind {
            Kind::Run => format!("simulated ({runs} runs)"),
            Kind::Sweep => format!("all {n} points pooled ({runs} runs)"),
        };
        return vec![BarSeries { label, counts, runs }];
    }
    (0..n)
        .map(|i| BarSeries {
            label: format!("point {}", ds.point_ids[i]),
            counts: ds.counts(i),
            runs: ds.runs[i].len() as u64,
        })
        .collect()
}

/// The report as blocks.
pub(crate) fn blocks(c: &Context<'_>) -> Vec<Block> {
    let ds = c.ds;
    let mut b = vec![Block::Heading(1, title(ds)), Block::Para(overview(ds))];
    b.push(Block::Heading(2, "Outcome probabilities".into()));
    b.push(Block::Para(
        "Share of runs ending in each outcome at the horizon, with 95% Wilson score \
         intervals, beside the seed article's expert view (symbiosis 60%, decoupling 25%, \
         acquisition 10%, divestiture 5%). All values: `outcome_probabilities.csv`."
            .into(),
    ));
    b.push(Block::Table(c.main.clone()));
    images(&mut b, c.charts, |f| f == "outcomes.svg");
    if let Some(a) = c.posterior {
        b.push(Block::Heading(2, super::posterior::TITLE.into()));
        b.push(Block::Para(super::posterior::intro(a)));
        b.push(Block::Table(super::posterior::table(a)));
        b.push(Block::List(super::posterior::sentences(a)));
    }
    if let Some(r) = c.routes {
        routes_section(&mut b, ds, r);
    }
    if let Some(h) = c.hazards {
        hazard_section(&mut b, ds, h);
    }
    if let Some(t) = c.ties {
        ties_section(&mut b, t);
    }
    if ds.kind == Kind::Sweep {
        effects_section(&mut b, c);
    }
    if let Some(s) = c.sens {
        sensitivity_section(&mut b, s);
        images(&mut b, c.charts, |f| f == "sensitivity.svg");
    }
    if !c.prims.is_empty() {
        prim_section(&mut b, c);
    }
    convergence_section(&mut b, c);
    if c.charts.iter().any(|(f, _)| f.starts_with("fan_")) {
        b.push(Block::Heading(2, "Metrics over time".into()));
        b.push(Block::Para(
            "Median (line) and 5-95% band of each metric per month, across runs \
             (sweeps: per point), from `timeseries_quantiles.csv` (streaming sketches, \
             within 0.5% of the exact quantiles) or else from the per-run `timeseries.csv`."
                .into(),
        ));
        images(&mut b, c.charts, |f| f.starts_with("fan_"));
    }
    if !c.notes.is_empty() {
        b.push(Block::Heading(2, "Notes".into()));
        b.push(Block::List(c.notes.to_vec()));
    }
    b
}

fn images(b: &mut Vec<Block>, charts: &[(String, String)], pick: impl Fn(&str) -> bool) {
    for (file, caption) in charts.iter().filter(|(f, _)| pick(f)) {
        b.push(Block::Image {
            file: file.clone(),
            caption: caption.clone(),
        });
    }
}

fn overview(ds: &Dataset) -> String {
    let m = &ds.manifest;
    let mut parts = vec![format!("Input: `{}`.", ds.dir.display())];
    match ds.kind {
        Kind::Run => {
            parts.push(format!("Monte Carlo batch of {} runs.", ds.total_runs()));
            // A differing count means the files were filtered or concatenated.
            if let Some(r) = m.runs.filter(|&r| r != ds.total_runs() as u64) {
                parts.push(format!("(The manifest lists {r} runs.)"));
            }
        }
        Kind::Sweep => {
            let names: Vec<String> = ds.params.iter().map(|p| format!("`{}`", p.name)).collect();
            parts.push(format!(
                "Sweep ({} design) of {} points over {}, {} runs in total.",
                ds.design().unwrap_or("unknown"),
                ds.point_ids.len(),
                if names.is_empty() {
                    "no parameters".to_string()
                } else {
                    names.join(", ")
                },
                ds.total_runs()
            ));
            parts.push(if ds.common_seeds() {
                "Seeds are common across points (run r has the same seed at every point), so \
                 effects are paired run by run."
                    .to_string()
            } else {
                "Seeds are independent across points.".to_string()
            });
            let runs: Vec<usize> = ds.runs.iter().map(Vec::len).collect();
            let (lo, hi) = (runs.iter().min().copied(), runs.iter().max().copied());
            if let (Some(lo), Some(hi)) = (lo, hi)
                && lo != hi
            {
                parts.push(format!(
                    "Runs per point range from {lo} to {hi} (adaptive replication)."
                ));
            }
        }
    }
    if let Some(s) = &m.master_seed {
        parts.push(format!("Master seed {s}."));
    }
    if let Some(v) = &m.version {
        parts.push(format!("Tool version {v}."));
    }
    parts.join(" ")
}

/// Where a sweep's report tables pool the points (empty for a run).
fn pooled_clause(ds: &Dataset, file: &str) -> String {
    match ds.kind {
        Kind::Run => format!("All values: `{file}`."),
        Kind::Sweep => format!(
            "The table pools all {} points; `{file}` has them point by point.",
            ds.point_ids.len()
        ),
    }
}

fn routes_section(b: &mut Vec<Block>, ds: &Dataset, r: &super::routes::Routes) {
    b.push(Block::Heading(2, "How each outcome came about".into()));
    b.push(Block::Para(format!(
        "Runs by outcome and route (`outcome_route`): symbiosis is the `status_quo`; \
         decoupling is `gradual` (the thresholds held) or a `break_up` (dissolution); \
         acquisition is a `bid` or an `absorption`; a divestiture names the authority and the \
         route that gave it jurisdiction (`cma:ties`). Months are those of the deciding event \
         (`outcome_tick`; the horizon for symbiosis), as median and 10th–90th percentile. {}",
        pooled_clause(ds, "routes.csv")
    )));
    b.push(Block::Table(super::routes::table(r)));
}

fn hazard_section(b: &mut Vec<Block>, ds: &Dataset, h: &super::hazard::Hazards) {
    b.push(Block::Heading(2, "Monthly hazard by period".into()));
    b.push(Block::Para(format!(
        "For each outcome that ends the partnership early, the chance per month that it \
         happens to a run still at risk: runs reaching it in the period ÷ run-months at risk \
         there, in % per month (events in brackets). A run is at risk until the month its \
         outcome was decided; a symbiosis run through the horizon (month {}). Periods of {} \
         months, the last one shorter if the horizon ends it. {}",
        h.horizon,
        super::hazard::PERIOD_MONTHS,
        pooled_clause(ds, "hazard.csv")
    )));
    b.push(Block::Table(super::hazard::table(h)));
}

fn ties_section(b: &mut Vec<Block>, ties: &[super::ties::Tie]) {
    b.push(Block::Heading(2, "Outcomes of every partnership".into()));
    b.push(Block::Para(
        "Each tie of `partnerships.csv` (the headline partnership first): the outcomes it \
         reached, as runs and share with a 95% Wilson interval, the median stake at the \
         horizon of those runs, and the routes with their runs. Ties other than the \
         headline end in `divestiture` (an authority's order) or `symbiosis`. Every outcome, \
         also those no run reached: `partnerships.csv` in this directory."
            .into(),
    ));
    b.push(Block::Table(super::ties::table(ties)));
}

fn effects_section(b: &mut Vec<Block>, c: &Context<'_>) {
    b.push(Block::Heading(2, "Effects of the varied parameters".into()));
    let interval = if c.ds.common_seeds() {
        "a 95% paired interval (common seeds: the run-by-run differences between the \
         settings, so noise the runs share cancels)"
    } else {
        "a 95% Newcombe interval (independent seeds)"
    };
    b.push(Block::Para(format!(
        "Effect = change in an outcome's probability from a parameter's lowest to its \
         highest setting (continuous designs: bottom vs top third of its values), pooling \
         runs over the other parameters, with {interval}. Ranked by the \
         largest absolute effect over the outcomes. All values: `effects.csv`."
    )));
    if c.ds.common_seeds() && c.ds.design().is_some_and(|d| d != "grid") {
        // Pooled thirds hold many points that reuse the same seeds: the runs within a
        // group are correlated, so there are fewer independent draws than runs.
        b.push(Block::Para(
            "Note: with common seeds a pooled effect of a continuous design compares groups              in which every seed recurs at many points. The runs within a group are then              correlated, so these intervals are wider than with independent seeds (the              cost of pairing where the other parameters differ). Common seeds pay off for              contrasts between points that differ in one parameter (grid designs, `compare`)              and for the Sobol indices, whose A and AB runs pair exactly."
                .into(),
        ));
    }
    if c.effects.is_empty() {
        b.push(Block::Para("No parameter effects could be computed.".into()));
        return;
    }
    b.push(Block::List(effects::sentences(c.effects, MAX_SENTENCES)));
    let mut ranked: Vec<&ParamEffect> = c.effects.iter().collect();
    ranked.sort_by_key(|e| e.rank);
    let mut t = Table {
        header: ["rank", "parameter", "low", "high"].map(String::from).to_vec(),
        rows: Vec::new(),
        note: None,
    };
    t.header
        .extend(Outcome::ALL.iter().map(|o| format!("{} effect", o.as_str())));
    for e in ranked {
        let mut row = vec![
            e.rank.to_string(),
            e.param.clone(),
            e.low.label.clone(),
            e.high.label.clone(),
        ];
        row.extend(e.rows.iter().map(|r| {
            format!(
                "{} ({} to {})",
                effects::pp(r.effect),
                effects::pp_bare(r.lo),
                effects::pp_bare(r.hi)
            )
        }));
        t.rows.push(row);
    }
    b.push(Block::Table(t));
    images(b, c.charts, |f| f.starts_with("effect_"));
}

fn prim_section(b: &mut Vec<Block>, c: &Context<'_>) {
    b.push(Block::Heading(2, "Scenario discovery (PRIM)".into()));
    let defaults = c.prims.iter().any(|p| p.default_threshold);
    b.push(Block::Para(format!(
        "Boxes of the varied parameters where an outcome is likely, found by PRIM \
         (Friedman and Fisher 1999) as in scenario discovery (Bryant and Lempert 2010): \
         points whose outcome probability meets the target are of interest; boxes are \
         peeled 5% at a time, and the box kept maximises coverage (share of all points of \
         interest inside) × density (share of the box's points that are of interest).{} \
         Every peeled box: `prim_<outcome>.csv`.",
        if defaults {
            " Without `--prim`, the target of each outcome is its top quarter of points \
             (at least the 75th percentile of the points' probabilities)."
        } else {
            ""
        }
    )));
    b.push(Block::List(
        c.prims.iter().map(|p| super::prim::sentence(c.ds, p)).collect(),
    ));
    images(b, c.charts, |f| f.starts_with("prim_"));
}

fn sensitivity_section(b: &mut Vec<Block>, s: &Sensitivity) {
    b.push(Block::Heading(2, "Sensitivity indices".into()));
    let (text, cell): (&str, fn(&[f64]) -> String) = match s.method {
        Method::Sobol => (
            "Sobol indices of each output (outcome probabilities and mean key metrics \
             at the horizon per point): cells are first-order S1 / total ST; 95% bootstrap \
             intervals are in `sensitivity.csv`. S1 is the share of output variance due to \
             the parameter alone, ST includes its interactions. Each point's output is a \
             mean over finitely many runs, so it carries Monte Carlo noise, which inflates \
             ST (a parameter without effect gets an ST near the noise share). `noise` is \
             that share of the output's variance, estimated from the within-point \
             variance of the runs; after the arrow are the indices corrected for it \
             (the replicate-variance correction of Hart, Alexanderian and Gremaud 2017: \
             the noise estimate is subtracted from the variance and from each \
             estimator's expectation), with intervals in `sensitivity.csv`.",
            |v| {
                format!(
                    "{} / {} → {} / {}",
                    fmt2(v.first()),
                    fmt2(v.get(3)),
                    fmt2(v.get(7)),
                    fmt2(v.get(10))
                )
            },
        ),
        Method::Morris => (
            "Morris elementary effects of each output (outcome probabilities and mean key \
             metrics at the horizon per point), per unit of the normalised parameter range: \
             cells are mu* (importance) / sigma (non-linearity or interactions), then \
             in brackets the mu* that Monte Carlo noise alone would give and sigma with the \
             noise removed: a mu* at or below its noise level is not distinguishable \
             from noise. `noise` is the share of the output's variance over the points \
             due to Monte Carlo noise. All values: `sensitivity.csv`.",
            |v| {
                format!(
                    "{} / {} ({} / {})",
                    fmt2(v.get(1)),
                    fmt2(v.get(2)),
                    fmt2(v.get(4)),
                    fmt2(v.get(5))
                )
            },
        ),
    };
    b.push(Block::Para(text.into()));
    let mut header = vec!["output".to_string(), "noise".to_string()];
    header.extend(s.params.iter().cloned());
    let share = s.method.noise_share();
    let rows = s
        .outputs
        .iter()
        .map(|o| {
            let noise = o.values.first().and_then(|v| v.get(share)).copied().unwrap_or(f64::NAN);
            let mut row = vec![
                o.output.clone(),
                if noise.is_finite() { pct(noise) } else { "n/a".into() },
            ];
            row.extend(o.values.iter().map(|v| cell(v)));
            row
        })
        .collect();
    b.push(Block::Table(Table {
        header,
        rows,
        note: None,
    }));
}

/// A percentage without the sign, for "pp" values.
fn pct_bare(p: f64) -> String {
    pct(p).trim_end_matches('%').to_string()
}

fn fmt2(v: Option<&f64>) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.2}"),
        _ => "n/a".to_string(),
    }
}

fn convergence_section(b: &mut Vec<Block>, c: &Context<'_>) {
    b.push(Block::Heading(2, "Convergence".into()));
    b.push(Block::Para(
        "Half-width of the 95% interval after the first n runs (in run order); it shrinks \
         roughly as 1/sqrt(n). All checkpoints and points: `convergence.csv`."
            .into(),
    ));
    if c.ds.kind == Kind::Run {
        let mut t = Table {
            header: vec!["runs".to_string()],
            rows: Vec::new(),
            note: None,
        };
        t.header
            .extend(Outcome::ALL.iter().map(|o| format!("{} p ± half-width", o.as_str())));
        for chunk in c.conv.chunks(4) {
            let mut row = vec![chunk.first().map(|x| x.runs.to_string()).unwrap_or_default()];
            row.extend(
                chunk
                    .iter()
                    .map(|x| format!("{} ± {} pp", pct(x.p), pct_bare(x.half_width))),
            );
            t.rows.push(row);
        }
        b.push(Block::Table(t));
        return;
    }
    // Sweep: the widest final interval over points says how precise the table is.
    let widest = c
        .probs
        .iter()
        .filter(|p| p.runs > 0)
        .max_by(|a, b| (a.hi - a.lo).total_cmp(&(b.hi - b.lo)));
    if let Some(p) = widest {
        b.push(Block::Para(format!(
            "With all runs, the widest 95% interval is ±{} pp ({} at point {}, {} runs).",
            pct_bare((p.hi - p.lo) / 2.0),
            p.outcome.as_str(),
            p.point,
            p.runs
        )));
    }
}
