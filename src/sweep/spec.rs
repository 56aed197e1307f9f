//! Sweep files (SPEC §6): parsing, validation and expansion into points.

use serde::{Deserialize, Serialize};

use crate::scenario::load::{self, locate};
use crate::scenario::params::Variants;
use crate::scenario::{Scenario, ScenarioError, load::Problem};
use crate::stats::design;

/// The experimental design of a sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Variants)]
#[serde(rename_all = "snake_case")]
pub enum Design {
    Grid,
    Lhs,
    Random,
    Ofat,
    Sobol,
    Morris,
    /// Draws of a calibration's posterior (`posterior.csv`), by systematic resampling.
    Posterior,
}

impl Design {
    /// Its word in sweep files and manifests.
    pub fn as_str(self) -> &'static str {
        Self::WORDS[self as usize]
    }
}

/// How run seeds relate across points (`seeds` in `[sweep]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Variants)]
#[serde(rename_all = "snake_case")]
pub enum Seeds {
    /// Every (point, run) draws its own seed: `run_seed(master, point, run)`.
    #[default]
    Independent,
    /// Common random numbers: run r has the seed `run_seed(master, 0, r)` at every point,
    /// so differences between points are paired run by run.
    Common,
}

impl Seeds {
    /// Its word in sweep files and manifests.
    pub fn as_str(self) -> &'static str {
        Self::WORDS[self as usize]
    }

    fn is_independent(&self) -> bool {
        *self == Seeds::Independent
    }

    /// The seed of run `run` at point `point`.
    pub fn run_seed(self, master: u64, point: u64, run: u64) -> u64 {
        match self {
            Seeds::Independent => crate::sim::run_seed(master, point, run),
            Seeds::Common => crate::sim::run_seed(master, 0, run),
        }
    }
}

/// `runs_per_point`: a fixed count, or `"auto"` (adaptive replication).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunsPerPoint {
    Fixed(u64),
    /// Run blocks of `block_runs` until every outcome's 95% half-width is at most
    /// `target_halfwidth` or `max_runs_per_point` runs are done.
    Auto,
}

impl RunsPerPoint {
    /// The fixed count, if not adaptive.
    pub fn fixed(self) -> Option<u64> {
        match self {
            RunsPerPoint::Fixed(n) => Some(n),
            RunsPerPoint::Auto => None,
        }
    }
}

impl std::fmt::Display for RunsPerPoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunsPerPoint::Fixed(n) => write!(f, "{n}"),
            RunsPerPoint::Auto => f.write_str("auto"),
        }
    }
}

impl Serialize for RunsPerPoint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            RunsPerPoint::Fixed(n) => s.serialize_u64(*n),
            RunsPerPoint::Auto => s.serialize_str("auto"),
        }
    }
}

impl<'de> Deserialize<'de> for RunsPerPoint {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = RunsPerPoint;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a whole number of runs or \"auto\"")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<RunsPerPoint, E> {
                Ok(RunsPerPoint::Fixed(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<RunsPerPoint, E> {
                u64::try_from(v)
                    .map(RunsPerPoint::Fixed)
                    .map_err(|_| E::custom(format!("{v} runs: must be a whole number >= 1 or \"auto\"")))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RunsPerPoint, E> {
                if v == "auto" {
                    Ok(RunsPerPoint::Auto)
                } else {
                    Err(E::custom(format!(
                        "\"{v}\": expected a whole number of runs or \"auto\""
                    )))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// Adaptive replication settings, resolved with their defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Adaptive {
    /// Runs per block; a point stops only at a block boundary (or at `max_runs`).
    pub block: u64,
    pub max_runs: u64,
    pub target_halfwidth: f64,
}

/// Defaults of the adaptive settings.
pub const DEFAULT_TARGET_HALFWIDTH: f64 = 0.01;
pub const DEFAULT_MAX_RUNS_PER_POINT: u64 = 10_000;
pub const DEFAULT_BLOCK_RUNS: u64 = 100;

/// One varied parameter: a list of values, or a range (with steps for grid/ofat).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vary {
    pub param: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<toml::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<[f64; 2]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<usize>,
}

/// The `[sweep]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepSpec {
    /// Bundled scenario name or path (relative paths are relative to the sweep file).
    pub scenario: String,
    #[serde(default = "default_runs")]
    pub runs_per_point: RunsPerPoint,
    /// With `runs_per_point = "auto"`: the largest 95% half-width accepted for every
    /// outcome probability of a point (default 0.01).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_halfwidth: Option<f64>,
    /// With `runs_per_point = "auto"`: the most runs of one point (default 10,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_runs_per_point: Option<u64>,
    /// With `runs_per_point = "auto"`: runs per block (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_runs: Option<u64>,
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// `"independent"` (default) or `"common"` random numbers across points.
    #[serde(default, skip_serializing_if = "Seeds::is_independent")]
    pub seeds: Seeds,
    #[serde(default = "default_design")]
    pub design: Design,
    /// Points (lhs, random, posterior) or base samples (sobol: points = samples·(k+2); morris: trajectories, points = samples·(k+1)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples: Option<usize>,
    /// Grid levels of a Morris design (even, ≥ 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub levels: Option<usize>,
    /// Overrides applied to the base scenario before varying (`PATH=VALUE`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set: Vec<String>,
    /// With `design = "posterior"`: the `posterior.csv` of a calibration, as given
    /// (relative paths are relative to the sweep file). Skipped when absent, so the
    /// hashes of other sweeps do not change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posterior: Option<String>,
    /// Empty for a posterior design (its parameters are the posterior's columns).
    #[serde(default)]
    pub vary: Vec<Vary>,
}

fn default_runs() -> RunsPerPoint {
    RunsPerPoint::Fixed(200)
}
fn default_seed() -> u64 {
    42
}
fn default_design() -> Design {
    Design::Grid
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepFile {
    sweep: SweepSpec,
}

/// A sweep resolved against its base scenario: every point's parameter values.
#[derive(Debug, Clone)]
pub struct Sweep {
    pub spec: SweepSpec,
    pub base: Scenario,
    /// Varied parameter paths, in column order.
    pub params: Vec<String>,
    /// Per point, the value of each varied parameter.
    pub points: Vec<Vec<toml::Value>>,
}

impl SweepSpec {
    /// The adaptive settings when `runs_per_point = "auto"`.
    pub fn adaptive(&self) -> Option<Adaptive> {
        match self.runs_per_point {
            RunsPerPoint::Fixed(_) => None,
            RunsPerPoint::Auto => {
                let max_runs = self.max_runs_per_point.unwrap_or(DEFAULT_MAX_RUNS_PER_POINT);
                Some(Adaptive {
                    block: self.block_runs.unwrap_or(DEFAULT_BLOCK_RUNS).min(max_runs),
                    max_runs,
                    target_halfwidth: self.target_halfwidth.unwrap_or(DEFAULT_TARGET_HALFWIDTH),
                })
            }
        }
    }
}

impl Sweep {
    /// Total runs of a fixed-count sweep (`None` for `runs_per_point = "auto"`).
    pub fn runs(&self) -> Option<u64> {
        self.spec.runs_per_point.fixed().map(|r| self.points.len() as u64 * r)
    }

    /// The scenario of point `i` (validated when the sweep was resolved).
    pub fn scenario(&self, i: usize) -> Result<Scenario, String> {
        let mut s = self.base.clone();
        for (p, v) in self.params.iter().zip(&self.points[i]) {
            s = load::set_value(&s, p, v.clone())?;
        }
        Ok(s)
    }
}

/// Whether a TOML source is a sweep file (has a `[sweep]` table).
pub fn is_sweep_source(src: &str) -> bool {
    toml::from_str::<toml::Table>(src).is_ok_and(|t| t.contains_key("sweep"))
}

/// Reads and resolves a sweep file.
pub fn load_sweep_file(path: &std::path::Path) -> Result<Sweep, ScenarioError> {
    let src = load::read_input_file(path)?;
    parse_sweep(&src, &path.display().to_string(), path.parent())
}

/// Parses and resolves sweep TOML; `origin` names it in errors.
pub fn parse_sweep(src: &str, origin: &str, base_dir: Option<&std::path::Path>) -> Result<Sweep, ScenarioError> {
    let file: SweepFile = toml::from_str(src).map_err(|e| load::located_parse_error(src, origin, &e))?;
    let spec = file.sweep;
    let problem = |field: &str, message: String| {
        let (line, column) = locate(src, field)
            .or_else(|| locate(src, &format!("sweep.{field}")))
            .map_or((None, None), |(l, c)| (Some(l), Some(c)));
        Problem {
            line,
            column,
            field: format!("sweep.{field}"),
            message,
        }
    };
    let invalid = |problems: Vec<Problem>| ScenarioError::Invalid {
        origin: origin.into(),
        problems,
    };

    // The base scenario: a bundled name, or a path relative to the sweep file.
    let scenario_arg = match base_dir {
        Some(dir) if load::bundled(&spec.scenario).is_none() && !std::path::Path::new(&spec.scenario).is_absolute() => {
            dir.join(&spec.scenario).display().to_string()
        }
        _ => spec.scenario.clone(),
    };
    let mut base = load::resolve(&scenario_arg).map_err(|e| invalid(vec![problem("scenario", e.to_string())]))?;
    for set in &spec.set {
        base = load::apply_override(&base, set).map_err(|e| invalid(vec![problem("set", e.to_string())]))?;
    }

    let mut problems = Vec::new();
    match spec.runs_per_point {
        RunsPerPoint::Fixed(0) => problems.push(problem("runs_per_point", "must be at least 1".into())),
        RunsPerPoint::Fixed(_) => {
            for (field, given) in [
                ("target_halfwidth", spec.target_halfwidth.is_some()),
                ("max_runs_per_point", spec.max_runs_per_point.is_some()),
                ("block_runs", spec.block_runs.is_some()),
            ] {
                if given {
                    problems.push(problem(
                        field,
                        format!("`{field}` applies only with runs_per_point = \"auto\""),
                    ));
                }
            }
        }
        RunsPerPoint::Auto => {
            if let Some(h) = spec.target_halfwidth
                && !(h.is_finite() && h > 0.0 && h <= 0.5)
            {
                problems.push(problem(
                    "target_halfwidth",
                    format!("{h}: need 0 < target_halfwidth <= 0.5"),
                ));
            }
            if spec.max_runs_per_point.is_some_and(|m| m < 2) {
                problems.push(problem("max_runs_per_point", "must be at least 2".into()));
            }
            if spec.block_runs.is_some_and(|b| b < 2) {
                problems.push(problem(
                    "block_runs",
                    "must be at least 2 (a block estimates a variance)".into(),
                ));
            }
        }
    }
    // A posterior design's parameters and values come from the posterior file.
    let posterior = match (spec.design, &spec.posterior) {
        (Design::Posterior, None) => {
            problems.push(problem(
                "design",
                "a posterior design needs posterior = \"path/to/posterior.csv\"".into(),
            ));
            None
        }
        (Design::Posterior, Some(file)) => {
            let path = posterior_path(file, base_dir);
            match super::posterior::read(&path, &base) {
                Ok(p) => Some((path, p)),
                Err(m) => {
                    problems.push(problem("posterior", m));
                    None
                }
            }
        }
        (_, Some(_)) => {
            problems.push(problem(
                "posterior",
                "`posterior` applies only with design = \"posterior\"".into(),
            ));
            None
        }
        (_, None) => None,
    };
    if spec.design == Design::Posterior {
        if !spec.vary.is_empty() {
            let (line, column) = locate(src, "sweep.vary.0.param").map_or((None, None), |(l, c)| (Some(l), Some(c)));
            problems.push(Problem {
                line,
                column,
                field: "sweep.vary".into(),
                message: "a posterior design takes its parameters from the posterior's columns; \
                          remove the [[sweep.vary]] entries"
                    .into(),
            });
        }
    } else if spec.vary.is_empty() {
        problems.push(problem("vary", "name at least one [[sweep.vary]] parameter".into()));
    }
    let vary = if spec.design == Design::Posterior {
        &[][..]
    } else {
        &spec.vary[..]
    };
    for (vi, v) in vary.iter().enumerate() {
        let at = |f: &str| format!("vary.{vi}.{f}");
        if v.param == "horizon_months" {
            // Per-point quantiles are laid out by month; one horizon per sweep keeps them aligned.
            problems.push(problem(
                &at("param"),
                "`horizon_months` cannot be varied in a sweep; run one sweep per horizon".into(),
            ));
            continue;
        }
        if let Err(m) = load::current_value(&base, &v.param) {
            problems.push(problem(&at("param"), m));
            continue;
        }
        match (&v.values, &v.range) {
            (Some(vals), None) if vals.is_empty() => {
                problems.push(problem(&at("values"), format!("`{}`: empty list", v.param)))
            }
            (Some(vals), None) => {
                for val in vals {
                    if let Err(m) = load::set_value(&base, &v.param, val.clone()) {
                        problems.push(problem(&at("values"), format!("`{}` = {val}: {m}", v.param)));
                    }
                }
            }
            (None, Some([lo, hi])) => {
                if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
                    problems.push(problem(&at("range"), format!("`{}`: need finite lo <= hi", v.param)));
                }
                // Integer parameters take rounded values (as the designs produce them).
                let integer = matches!(load::current_value(&base, &v.param), Ok(toml::Value::Integer(_)));
                for x in [*lo, *hi] {
                    if let Err(m) = load::set_value(&base, &v.param, numeric(x, integer)) {
                        problems.push(problem(&at("range"), format!("`{}` = {x}: {m}", v.param)));
                    }
                }
                if matches!(spec.design, Design::Grid | Design::Ofat) && v.steps.is_none_or(|s| s < 2) {
                    problems.push(problem(
                        "steps",
                        format!(
                            "`{}`: a range in a {} design needs steps >= 2",
                            v.param,
                            spec.design.as_str()
                        ),
                    ));
                }
            }
            _ => problems.push(problem(
                &at("vary"),
                format!("`{}`: give either values = [...] or range = [lo, hi]", v.param),
            )),
        }
    }
    match spec.design {
        Design::Lhs | Design::Random | Design::Sobol | Design::Morris | Design::Posterior
            if spec.samples.is_none_or(|n| n == 0) =>
        {
            problems.push(problem(
                "samples",
                format!("a {} design needs samples >= 1", spec.design.as_str()),
            ));
        }
        Design::Morris if spec.levels.is_some_and(|l| l < 2 || l % 2 == 1) => {
            problems.push(problem("levels", "Morris levels must be even and >= 2".into()));
        }
        _ => {}
    }
    if matches!(spec.design, Design::Sobol | Design::Morris) {
        for (vi, v) in spec.vary.iter().enumerate() {
            if v.range.is_none() {
                problems.push(problem(
                    &format!("vary.{vi}.param"),
                    format!("`{}`: {} designs need range = [lo, hi]", v.param, spec.design.as_str()),
                ));
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for (vi, v) in spec.vary.iter().enumerate() {
        if !seen.insert(load::canonical_path(&base, &v.param)) {
            problems.push(problem(
                &format!("vary.{vi}.param"),
                format!("`{}` is varied twice", v.param),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(invalid(problems));
    }

    let params: Vec<String> = match &posterior {
        Some((_, p)) => p.params.clone(),
        None => spec.vary.iter().map(|v| v.param.clone()).collect(),
    };
    let points =
        expand(&spec, &base, posterior.as_ref().map(|(_, p)| p)).map_err(|m| invalid(vec![problem("vary", m)]))?;
    const MAX_POINTS: usize = 10_000_000;
    if points.len() > MAX_POINTS {
        return Err(invalid(vec![problem(
            "vary",
            format!("{} points is more than {MAX_POINTS}", points.len()),
        )]));
    }
    let sweep = Sweep {
        spec,
        base,
        params,
        points,
    };
    // Every point must be a valid scenario (e.g. integer params, cross-field rules).
    if let Some((path, post)) = &posterior {
        // Draws come in particle order: check each particle drawn once, naming its line.
        let draws = post.draw(sweep.points.len(), design_offset(&sweep.spec));
        for (i, &j) in draws.iter().enumerate() {
            if i > 0 && draws[i - 1] == j {
                continue;
            }
            if let Err(m) = sweep.scenario(i) {
                let p = &post.particles[j];
                return Err(invalid(vec![problem(
                    "posterior",
                    format!("{}, line {} (particle {}): {m}", path.display(), p.line, p.id),
                )]));
            }
        }
        return Ok(sweep);
    }
    for i in 0..sweep.points.len().min(100_000) {
        if let Err(m) = sweep.scenario(i) {
            return Err(invalid(vec![problem("vary", format!("point {i}: {m}"))]));
        }
    }
    Ok(sweep)
}

/// Levels of a factor for grid/ofat designs.
fn levels(v: &Vary, integer: bool) -> Vec<toml::Value> {
    if let Some(vals) = &v.values {
        return vals.clone();
    }
    let [lo, hi] = v.range.unwrap_or([0.0, 0.0]);
    let steps = v.steps.unwrap_or(2).max(2);
    (0..steps)
        .map(|i| numeric(lo + (hi - lo) * i as f64 / (steps - 1) as f64, integer))
        .collect()
}

fn numeric(x: f64, integer: bool) -> toml::Value {
    if integer {
        toml::Value::Integer(x.round() as i64)
    } else {
        // Round away float noise (0.8999999999999999 → 0.9) so points read cleanly.
        toml::Value::Float(format!("{x:.12}").parse().unwrap_or(x))
    }
}

/// Maps a unit-cube coordinate to a value of the factor.
fn from_unit(v: &Vary, u: f64, integer: bool) -> toml::Value {
    if let Some(vals) = &v.values {
        let i = ((u * vals.len() as f64) as usize).min(vals.len() - 1);
        return vals[i].clone();
    }
    let [lo, hi] = v.range.unwrap_or([0.0, 0.0]);
    numeric(lo + (hi - lo) * u, integer)
}

/// Where a posterior file named in a sweep is: relative to the sweep file's directory
/// (to the current directory for a sweep read from text without a path).
fn posterior_path(file: &str, base_dir: Option<&std::path::Path>) -> std::path::PathBuf {
    let p = std::path::Path::new(file);
    match base_dir {
        Some(dir) if p.is_relative() => dir.join(p),
        _ => p.to_path_buf(),
    }
}

/// The design's own RNG: seeded from the sweep seed, separate from every run's stream.
fn design_rng(spec: &SweepSpec) -> rand::rngs::ChaCha8Rng {
    use rand::SeedableRng;
    rand::rngs::ChaCha8Rng::seed_from_u64(spec.seed ^ 0xD1B5_4A32_D192_ED03)
}

/// The uniform offset of a posterior design's systematic resampling: the design RNG's first draw.
fn design_offset(spec: &SweepSpec) -> f64 {
    use rand::RngExt;
    design_rng(spec).random()
}

fn expand(
    spec: &SweepSpec,
    base: &Scenario,
    posterior: Option<&super::posterior::Posterior>,
) -> Result<Vec<Vec<toml::Value>>, String> {
    let integer: Vec<bool> = spec
        .vary
        .iter()
        .map(|v| matches!(load::current_value(base, &v.param), Ok(toml::Value::Integer(_))))
        .collect();
    let k = spec.vary.len();
    let mut rng = design_rng(spec);
    let n = spec.samples.unwrap_or(0);
    let unit_rows = |rows: Vec<Vec<f64>>| -> Vec<Vec<toml::Value>> {
        rows.into_iter()
            .map(|row| {
                row.iter()
                    .enumerate()
                    .map(|(j, &u)| from_unit(&spec.vary[j], u, integer[j]))
                    .collect()
            })
            .collect()
    };
    Ok(match spec.design {
        Design::Grid => {
            let lv: Vec<Vec<toml::Value>> = spec.vary.iter().zip(&integer).map(|(v, &i)| levels(v, i)).collect();
            let counts: Vec<usize> = lv.iter().map(Vec::len).collect();
            let total: usize = counts.iter().product();
            if total > 10_000_000 {
                return Err(format!("grid of {total} points is too large"));
            }
            design::grid(&counts)
                .into_iter()
                .map(|idx| idx.iter().enumerate().map(|(j, &l)| lv[j][l].clone()).collect())
                .collect()
        }
        Design::Ofat => {
            let base_vals: Vec<toml::Value> = spec
                .vary
                .iter()
                .map(|v| load::current_value(base, &v.param).unwrap_or(toml::Value::Float(0.0)))
                .collect();
            let mut pts = vec![base_vals.clone()];
            for (j, v) in spec.vary.iter().enumerate() {
                for val in levels(v, integer[j]) {
                    let mut p = base_vals.clone();
                    p[j] = val;
                    pts.push(p);
                }
            }
            pts
        }
        Design::Lhs => unit_rows(design::latin_hypercube(n, k, &mut rng)),
        Design::Random => unit_rows(design::random_uniform(n, k, &mut rng)),
        Design::Sobol => unit_rows(design::saltelli(n, k, &mut rng)),
        Design::Morris => unit_rows(design::morris(n, k, spec.levels.unwrap_or(4), &mut rng)),
        Design::Posterior => {
            let post = posterior.ok_or("a posterior design needs its posterior")?;
            // Systematic resampling from one uniform offset, the design RNG's first draw
            // (`design_offset`): deterministic in (posterior, seed, samples), in particle order.
            let u: f64 = rand::RngExt::random(&mut rng);
            post.draw(n, u)
                .into_iter()
                .map(|j| {
                    post.particles[j]
                        .values
                        .iter()
                        .zip(&post.integer)
                        .map(|(&x, &i)| numeric(x, i))
                        .collect()
                })
                .collect()
        }
    })
}

/// Renders a parameter value for `points.csv` / `summary.csv`.
pub fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
