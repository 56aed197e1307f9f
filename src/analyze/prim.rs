//! Scenario discovery with PRIM (Friedman and Fisher 1999, "Bump hunting in
//! high-dimensional data", Statistics and Computing 9; used for scenario discovery by
//! Bryant and Lempert 2010, "Thinking inside the box", Technological Forecasting and
//! Social Change 77).
//!
//! Cases are the sweep's points; a point is *of interest* when its outcome probability
//! meets the target (`divestiture>0.2`: `p_divestiture > 0.2`). PRIM starts from the box
//! holding every point and peels: at each step, for every varied parameter, it tries
//! removing the points below the parameter's `PEEL_ALPHA` quantile (or above its
//! `1 − PEEL_ALPHA` quantile) inside the box, at least one point, and keeps the peel that
//! leaves the highest share of points of interest (density). It stops when the box would
//! hold fewer than `MIN_MASS` of the points or no peel raises the density. Every step is a
//! box on the peeling trajectory, with
//! - coverage: points of interest in the box / all points of interest,
//! - density: points of interest in the box / points in the box,
//! - mass: points in the box / all points.
//!
//! The chosen box maximises coverage × density (a box that is both pure and complete; the
//! trade-off plot shows the alternatives). No pasting step is done. Booleans and text
//! parameters are peeled by level index, one end level at a time.
//!
//! Without `--prim`, each outcome is analysed with the threshold "at least the 75th
//! percentile of the points' probabilities" (the points where the outcome is most likely,
//! a quarter of them), skipped if that leaves no contrast.

use super::csvio::num;
use super::input::{Dataset, Param};
use super::numbers::fmt_value;
use crate::outcome::Outcome;

/// Share of the box's points removed by one peel.
const PEEL_ALPHA: f64 = 0.05;
/// Smallest box, as a share of all points.
const MIN_MASS: f64 = 0.05;
/// Largest loss of coverage × density accepted to drop one restriction.
const SIMPLIFY_TOLERANCE: f64 = 0.01;
/// Quantile of the points' probabilities used as the default threshold.
const DEFAULT_QUANTILE: f64 = 0.75;

/// Which side of the threshold is of interest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Above,
    AtLeast,
    Below,
    AtMost,
}

impl Comparison {
    fn symbol(self) -> &'static str {
        match self {
            Comparison::Above => ">",
            Comparison::AtLeast => ">=",
            Comparison::Below => "<",
            Comparison::AtMost => "<=",
        }
    }

    fn holds(self, p: f64, t: f64) -> bool {
        match self {
            Comparison::Above => p > t,
            Comparison::AtLeast => p >= t,
            Comparison::Below => p < t,
            Comparison::AtMost => p <= t,
        }
    }
}

/// A PRIM target: an outcome's probability compared with a threshold, e.g.
/// `divestiture>0.2`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrimTarget {
    pub outcome: Outcome,
    pub comparison: Comparison,
    pub threshold: f64,
}

impl std::str::FromStr for PrimTarget {
    type Err = String;

    /// Parses `OUTCOME OP THRESHOLD` with OP one of `>`, `>=`, `<`, `<=` and a threshold
    /// in 0..1 (a share), e.g. `divestiture>0.2`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let at = s
            .find(['<', '>'])
            .ok_or_else(|| format!("`{s}`: expected OUTCOME>THRESHOLD, e.g. divestiture>0.2"))?;
        let (name, rest) = s.split_at(at);
        let (comparison, value) = if let Some(v) = rest.strip_prefix(">=") {
            (Comparison::AtLeast, v)
        } else if let Some(v) = rest.strip_prefix("<=") {
            (Comparison::AtMost, v)
        } else if let Some(v) = rest.strip_prefix('>') {
            (Comparison::Above, v)
        } else {
            (Comparison::Below, &rest[1..])
        };
        let name = name.trim();
        let outcome = Outcome::ALL
            .into_iter()
            .find(|o| o.as_str() == name)
            .ok_or_else(|| format!("`{name}` is not an outcome (symbiosis, decoupling, acquisition, divestiture)"))?;
        let threshold: f64 = value
            .trim()
            .parse()
            .ok()
            .filter(|t: &f64| (0.0..=1.0).contains(t))
            .ok_or_else(|| format!("`{}`: the threshold must be a share in 0..1", value.trim()))?;
        Ok(PrimTarget {
            outcome,
            comparison,
            threshold,
        })
    }
}

impl std::fmt::Display for PrimTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}{}{}",
            self.outcome.as_str(),
            self.comparison.symbol(),
            fmt_value(self.threshold)
        )
    }
}

/// One box of the peeling trajectory.
#[derive(Debug, Clone)]
pub(crate) struct PrimBox {
    /// Per parameter, inclusive (low, high) limits on its axis (value or level index).
    pub limits: Vec<(f64, f64)>,
    pub points: usize,
    pub coverage: f64,
    pub density: f64,
    pub mass: f64,
}

/// The result for one target.
#[derive(Debug, Clone)]
pub(crate) struct Prim {
    pub target: PrimTarget,
    /// Whether the threshold was the default one.
    pub default_threshold: bool,
    pub trajectory: Vec<PrimBox>,
    /// The trajectory box with the best coverage × density.
    pub chosen: usize,
    /// That box with the restrictions that do not matter dropped: the box reported.
    pub reported: PrimBox,
    /// Pooled outcome share over the runs inside / outside the chosen box.
    pub p_inside: f64,
    pub p_outside: f64,
}

/// Whether a design is one PRIM is run on by default.
pub(crate) fn sampled_design(ds: &Dataset) -> bool {
    matches!(ds.design(), Some("lhs" | "random" | "sobol" | "posterior"))
}

/// Runs PRIM for each target (or, with none given, for each outcome at its default
/// threshold). Notes say what was skipped.
pub(crate) fn compute(ds: &Dataset, targets: &[PrimTarget]) -> (Vec<Prim>, Vec<String>) {
    let mut notes = Vec::new();
    let mut out = Vec::new();
    if ds.params.is_empty() {
        return (out, notes);
    }
    let probs: Vec<[f64; 4]> = (0..ds.point_ids.len())
        .map(|i| {
            let n = ds.runs[i].len() as f64;
            ds.counts(i).map(|c| if n > 0.0 { c as f64 / n } else { f64::NAN })
        })
        .collect();
    let chosen: Vec<(PrimTarget, bool)> = if targets.is_empty() {
        Outcome::ALL
            .iter()
            .filter_map(|&o| {
                let mut p: Vec<f64> = probs.iter().map(|v| v[o.index()]).filter(|v| v.is_finite()).collect();
                p.sort_by(f64::total_cmp);
                let t = crate::stats::quantile_sorted(&p, DEFAULT_QUANTILE);
                let target = PrimTarget {
                    outcome: o,
                    comparison: Comparison::AtLeast,
                    threshold: t,
                };
                Some((target, true)).filter(|_| t.is_finite())
            })
            .collect()
    } else {
        targets.iter().map(|&t| (t, false)).collect()
    };
    for (target, default_threshold) in chosen {
        let y: Vec<bool> = probs
            .iter()
            .map(|p| {
                let v = p[target.outcome.index()];
                v.is_finite() && target.comparison.holds(v, target.threshold)
            })
            .collect();
        let hits = y.iter().filter(|&&b| b).count();
        if hits == 0 || hits == y.len() {
            notes.push(format!(
                "PRIM for `{target}`: {} of the {} points meet it, so there is no box to find.",
                hits,
                y.len()
            ));
            continue;
        }
        let x: Vec<&[f64]> = ds.params.iter().map(|p| p.x.as_slice()).collect();
        let trajectory = peel(&x, &y);
        let chosen = best(&trajectory);
        let reported = simplify(&x, &y, &trajectory[chosen], &trajectory[0]);
        let inside = |i: usize| {
            reported
                .limits
                .iter()
                .zip(&x)
                .all(|(&(lo, hi), xs)| xs[i] >= lo && xs[i] <= hi)
        };
        let (mut k_in, mut n_in, mut k_out, mut n_out) = (0u64, 0u64, 0u64, 0u64);
        for i in 0..ds.point_ids.len() {
            let k = ds.counts(i)[target.outcome.index()];
            let n = ds.runs[i].len() as u64;
            if inside(i) {
                (k_in, n_in) = (k_in + k, n_in + n);
            } else {
                (k_out, n_out) = (k_out + k, n_out + n);
            }
        }
        let share = |k: u64, n: u64| if n > 0 { k as f64 / n as f64 } else { f64::NAN };
        out.push(Prim {
            target,
            default_threshold,
            trajectory,
            chosen,
            reported,
            p_inside: share(k_in, n_in),
            p_outside: share(k_out, n_out),
        });
    }
    (out, notes)
}

/// A candidate peel: density left, points kept, the box's limits.
type Peel = (f64, Vec<usize>, Vec<(f64, f64)>);

/// The box with `limits` holding the points `members`: its coverage of the `total_hits`
/// cases of interest in `y`, density and mass.
fn prim_box(limits: Vec<(f64, f64)>, members: &[usize], y: &[bool], total_hits: f64) -> PrimBox {
    let hits = members.iter().filter(|&&i| y[i]).count() as f64;
    PrimBox {
        limits,
        points: members.len(),
        coverage: hits / total_hits,
        density: if members.is_empty() {
            0.0
        } else {
            hits / members.len() as f64
        },
        mass: members.len() as f64 / y.len() as f64,
    }
}

/// The peeling trajectory over points `x[param][point]` with cases of interest `y`.
pub(crate) fn peel(x: &[&[f64]], y: &[bool]) -> Vec<PrimBox> {
    let n = y.len();
    let total_hits = y.iter().filter(|&&b| b).count().max(1) as f64;
    let full: Vec<(f64, f64)> = x
        .iter()
        .map(|xs| {
            xs.iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)))
        })
        .collect();
    let make = |limits: Vec<(f64, f64)>, members: &[usize]| prim_box(limits, members, y, total_hits);
    let mut members: Vec<usize> = (0..n).collect();
    let mut trajectory = vec![make(full.clone(), &members)];
    let min_points = ((MIN_MASS * n as f64).ceil() as usize).max(1);
    loop {
        let current = trajectory.last().expect("trajectory starts with the full box");
        // (density, points kept, limits) of the best peel so far.
        let mut best: Option<Peel> = None;
        for (d, xs) in x.iter().enumerate() {
            let mut vals: Vec<f64> = members.iter().map(|&i| xs[i]).collect();
            vals.sort_by(f64::total_cmp);
            let m = vals.len();
            let k = ((PEEL_ALPHA * m as f64).floor() as usize).max(1);
            if k >= m {
                continue;
            }
            // Lower peel: drop values <= the k-th smallest; upper: >= the k-th largest.
            for (cut, lower) in [(vals[k - 1], true), (vals[m - k], false)] {
                let keep: Vec<usize> = members
                    .iter()
                    .copied()
                    .filter(|&i| if lower { xs[i] > cut } else { xs[i] < cut })
                    .collect();
                if keep.len() < min_points {
                    continue;
                }
                let density = keep.iter().filter(|&&i| y[i]).count() as f64 / keep.len() as f64;
                if best.as_ref().is_none_or(|b| density > b.0) {
                    // Only the peeled side moves, to the nearest remaining value.
                    let mut limits = current.limits.clone();
                    if lower {
                        limits[d].0 = keep.iter().map(|&i| xs[i]).fold(f64::INFINITY, f64::min);
                    } else {
                        limits[d].1 = keep.iter().map(|&i| xs[i]).fold(f64::NEG_INFINITY, f64::max);
                    }
                    best = Some((density, keep, limits));
                }
            }
        }
        match best {
            Some((density, keep, limits)) if density > current.density => {
                members = keep;
                trajectory.push(make(limits, &members));
            }
            _ => break,
        }
    }
    trajectory
}

/// The box that maximises coverage × density (first on ties).
fn best(trajectory: &[PrimBox]) -> usize {
    let mut at = 0;
    for (i, b) in trajectory.iter().enumerate() {
        if b.coverage * b.density > trajectory[at].coverage * trajectory[at].density {
            at = i;
        }
    }
    at
}

/// Drops restrictions that do not matter: repeatedly restores to its full range the
/// parameter whose restriction costs least, while coverage × density falls by at most
/// `SIMPLIFY_TOLERANCE` (absolute). Peeling trims many edges a little on its way (a
/// point or two each); this keeps the box's description to the limits that carry it,
/// in the spirit of Bryant and Lempert's box simplification.
pub(crate) fn simplify(x: &[&[f64]], y: &[bool], chosen: &PrimBox, full: &PrimBox) -> PrimBox {
    let total_hits = y.iter().filter(|&&b| b).count().max(1) as f64;
    let evaluate = |limits: Vec<(f64, f64)>| {
        let members: Vec<usize> = (0..y.len())
            .filter(|&i| limits.iter().zip(x).all(|(&(lo, hi), xs)| xs[i] >= lo && xs[i] <= hi))
            .collect();
        prim_box(limits, &members, y, total_hits)
    };
    let score = |b: &PrimBox| b.coverage * b.density;
    let mut current = chosen.clone();
    loop {
        let best = (0..x.len())
            .filter(|&d| restricts(&current, full, d))
            .map(|d| {
                let mut limits = current.limits.clone();
                limits[d] = full.limits[d];
                evaluate(limits)
            })
            .max_by(|a, b| score(a).total_cmp(&score(b)));
        match best {
            Some(b) if score(&b) >= score(&current) - SIMPLIFY_TOLERANCE => current = b,
            _ => return current,
        }
    }
}

/// Whether a box restricts parameter `d` (its limits are inside the full range).
pub(crate) fn restricts(b: &PrimBox, full: &PrimBox, d: usize) -> bool {
    b.limits[d] != full.limits[d]
}

/// A limit of parameter `p` for tables and words.
fn limit_text(p: &Param, v: f64) -> String {
    if p.numeric {
        fmt_value(v)
    } else {
        p.level_names.get(v as usize).cloned().unwrap_or_default()
    }
}

/// Header of `prim_<outcome>.csv`.
pub(crate) fn header(ds: &Dataset) -> Vec<String> {
    let mut h: Vec<String> = [
        "target",
        "step",
        "points",
        "mass",
        "coverage",
        "density",
        "restricted",
        "chosen",
    ]
    .map(String::from)
    .to_vec();
    for p in &ds.params {
        h.push(format!("{}_lo", p.name));
        h.push(format!("{}_hi", p.name));
    }
    h
}

/// Rows of `prim_<outcome>.csv`: the peeling trajectory.
pub(crate) fn rows(ds: &Dataset, prim: &Prim) -> Vec<Vec<String>> {
    let full = &prim.trajectory[0];
    prim.trajectory
        .iter()
        .chain(std::iter::once(&prim.reported))
        .enumerate()
        .map(|(step, b)| {
            let restricted = (0..ds.params.len()).filter(|&d| restricts(b, full, d)).count();
            let chosen = if step == prim.trajectory.len() {
                2
            } else {
                u8::from(step == prim.chosen)
            };
            let mut row = vec![
                prim.target.to_string(),
                step.to_string(),
                b.points.to_string(),
                num(b.mass),
                num(b.coverage),
                num(b.density),
                restricted.to_string(),
                chosen.to_string(),
            ];
            for (p, &(lo, hi)) in ds.params.iter().zip(&b.limits) {
                if p.numeric {
                    row.push(num(lo));
                    row.push(num(hi));
                } else {
                    row.push(limit_text(p, lo));
                    row.push(limit_text(p, hi));
                }
            }
            row
        })
        .collect()
}

/// The chosen box in words.
pub(crate) fn sentence(ds: &Dataset, prim: &Prim) -> String {
    let b = &prim.reported;
    let full = &prim.trajectory[0];
    let conditions: Vec<String> = ds
        .params
        .iter()
        .enumerate()
        .filter(|&(d, _)| restricts(b, full, d))
        .map(|(d, p)| {
            let (lo, hi) = b.limits[d];
            let (flo, fhi) = full.limits[d];
            match (lo > flo, hi < fhi) {
                (true, true) => format!("{} is between {} and {}", p.name, limit_text(p, lo), limit_text(p, hi)),
                (true, false) => format!("{} ≥ {}", p.name, limit_text(p, lo)),
                _ => format!("{} ≤ {}", p.name, limit_text(p, hi)),
            }
        })
        .collect();
    let t = &prim.target;
    let what = format!(
        "p({}) {} {}",
        t.outcome.as_str(),
        t.comparison.symbol(),
        super::numbers::pct(t.threshold)
    );
    if conditions.is_empty() {
        return format!(
            "`{t}`: no box improves on the whole sweep ({what} at {} of the points).",
            super::numbers::pct(b.density)
        );
    }
    format!(
        "{what} at {} of the points when {} (coverage {}: the box holds that share of all \
         such points, and {} of the points). Pooled over runs, {} happens in {} of runs in \
         the box against {} outside it.",
        super::numbers::pct(b.density),
        conditions.join(" and "),
        super::numbers::pct(b.coverage),
        super::numbers::pct(b.mass),
        t.outcome.as_str(),
        super::numbers::pct(prim.p_inside),
        super::numbers::pct(prim.p_outside),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_bad_ones_say_why() {
        let t: PrimTarget = "divestiture>0.2".parse().unwrap();
        assert_eq!(t.outcome, Outcome::Divestiture);
        assert_eq!(t.comparison, Comparison::Above);
        assert_eq!(t.threshold, 0.2);
        assert_eq!(t.to_string(), "divestiture>0.2");
        let t: PrimTarget = "symbiosis <= 0.5".parse().unwrap();
        assert_eq!(t.comparison, Comparison::AtMost);
        assert!(
            "merger>0.2"
                .parse::<PrimTarget>()
                .unwrap_err()
                .contains("not an outcome")
        );
        assert!("divestiture>2".parse::<PrimTarget>().unwrap_err().contains("0..1"));
        assert!("divestiture".parse::<PrimTarget>().unwrap_err().contains("expected"));
    }

    /// 2,000 uniform points in [0, 1]³; cases of interest exactly in x0 > 0.6, x1 < 0.4
    /// (x2 irrelevant). The reported box must find both edges within 0.05 (one peel removes
    /// 5% of the box, so the last step can overshoot or stop short by about that) and
    /// leave x2 unrestricted once simplified.
    #[test]
    fn peeling_recovers_a_planted_box() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(5);
        let n = 2000;
        let x: Vec<Vec<f64>> = (0..3).map(|_| (0..n).map(|_| rng.random::<f64>()).collect()).collect();
        let y: Vec<bool> = (0..n).map(|i| x[0][i] > 0.6 && x[1][i] < 0.4).collect();
        let xs: Vec<&[f64]> = x.iter().map(Vec::as_slice).collect();
        let t = peel(&xs, &y);
        let b = &simplify(&xs, &y, &t[best(&t)], &t[0]);
        println!("{:?} coverage {} density {}", b.limits, b.coverage, b.density);
        assert!((b.limits[0].0 - 0.6).abs() < 0.05, "x0 low {}", b.limits[0].0);
        assert!((b.limits[1].1 - 0.4).abs() < 0.05, "x1 high {}", b.limits[1].1);
        assert!(!restricts(b, &t[0], 2), "x2 restricted: {:?}", b.limits[2]);
        assert!(b.density > 0.9 && b.coverage > 0.9);
    }
}
