//! Effect of each varied parameter on each outcome probability.
//!
//! Method: runs are pooled over all sweep points at a parameter's "low" setting and at
//! its "high" setting, and the effect is `p_high − p_low` with Newcombe's hybrid score
//! interval for a difference of proportions. Pooling over the other parameters gives a
//! marginal (main) effect, averaged over the design's spread of the other parameters.
//! - Discrete designs (`grid`, `ofat`) and non-numeric parameters: low and high are the
//!   lowest and highest level (booleans: false → true; text: the order listed in the
//!   sweep file, else first appearance).
//! - Continuous designs (`lhs`, `random`, `sobol`, `morris`) on numeric parameters:
//!   low and high are the points in the bottom and top third of the parameter's values;
//!   `low`/`high` in `effects.csv` are then the mean parameter value of each third.
//!   Without a manifest, and for `posterior` designs (whose draws repeat particles), a
//!   numeric parameter with more than 12 distinct values counts as continuous.
//!
//! Parameters are ranked by their largest absolute effect over the four outcomes.

use super::csvio::num;
use super::input::{Dataset, Param};
use super::numbers::{fmt_value, pct, prob};
use crate::outcome::Outcome;
use crate::stats::{Z95, interval::newcombe_diff};

/// Distinct values above which a numeric parameter of unknown design counts as continuous.
const CONTINUOUS_LEVELS: usize = 12;
/// Bins used to plot a continuous parameter.
const PLOT_BINS: usize = 6;

/// Runs pooled over a set of points that share a parameter setting.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    /// Display of the setting (a level, or the mean value of a bin).
    pub label: String,
    /// Position on the plot's x axis (value, bin mean, or level index).
    pub x: f64,
    pub runs: u64,
    pub counts: [u64; 4],
    /// The pooled points (indices into the dataset).
    pub points: Vec<usize>,
}

impl Group {
    fn pool(ds: &Dataset, label: String, x: f64, points: &[usize]) -> Group {
        let mut counts = [0u64; 4];
        let mut runs = 0u64;
        for &i in points {
            let c = ds.counts(i);
            for (a, b) in counts.iter_mut().zip(c) {
                *a += b;
            }
            runs += ds.runs[i].len() as u64;
        }
        Group {
            label,
            x,
            runs,
            counts,
            points: points.to_vec(),
        }
    }
}

/// Paired effect of common random numbers: run r's share of `o` over the high points
/// minus over the low points, averaged over the run numbers present in both groups, with
/// a normal 95% interval from the spread of those paired differences (`z·sd/sqrt(R)`;
/// R is the runs per point, at least in the tens in any useful sweep). The shared seed
/// cancels the run-to-run noise both groups have in common, which is what narrows the
/// interval against Newcombe's unpaired one. `None` with fewer than two shared runs.
fn paired_diff(ds: &Dataset, low: &Group, high: &Group, o: Outcome) -> Option<(f64, f64, f64)> {
    use std::collections::BTreeMap;
    let shares = |g: &Group| {
        let mut by_run: BTreeMap<u64, (f64, f64)> = BTreeMap::new();
        for &i in &g.points {
            for r in &ds.runs[i] {
                let e = by_run.entry(r.run).or_insert((0.0, 0.0));
                e.0 += f64::from(u8::from(r.outcome == o));
                e.1 += 1.0;
            }
        }
        by_run
    };
    let (lo, hi) = (shares(low), shares(high));
    let d: Vec<f64> = hi
        .iter()
        .filter_map(|(r, h)| lo.get(r).map(|l| h.0 / h.1 - l.0 / l.1))
        .collect();
    if d.len() < 2 {
        return None;
    }
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let sd = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let half = Z95 * sd / n.sqrt();
    Some((mean, mean - half, mean + half))
}

/// One outcome's effect of one parameter.
#[derive(Debug, Clone)]
pub(crate) struct EffectRow {
    pub outcome: Outcome,
    pub p_low: f64,
    pub p_high: f64,
    pub effect: f64,
    pub lo: f64,
    pub hi: f64,
}

/// All outcomes' effects of one parameter.
#[derive(Debug, Clone)]
pub(crate) struct ParamEffect {
    pub param: String,
    /// Low and high were thirds of a continuous parameter (else levels).
    pub thirds: bool,
    /// The parameter is boolean or text.
    pub categorical: bool,
    pub low: Group,
    pub high: Group,
    pub rows: Vec<EffectRow>,
    /// 1 = largest absolute effect on some outcome.
    pub rank: usize,
}

impl ParamEffect {
    fn strength(&self) -> f64 {
        self.rows
            .iter()
            .map(|r| if r.effect.is_finite() { r.effect.abs() } else { 0.0 })
            .fold(0.0, f64::max)
    }
}

/// Whether a parameter is treated as continuous (thirds and bins) rather than by levels.
pub(crate) fn is_continuous(ds: &Dataset, p: &Param) -> bool {
    if !p.numeric {
        return false;
    }
    match ds.design() {
        Some("lhs" | "random" | "sobol" | "morris") => true,
        // Posterior draws repeat particles: levels when there are few distinct values.
        Some("posterior") | None => distinct(&p.x).len() > CONTINUOUS_LEVELS,
        Some(_) => false,
    }
}

fn distinct(x: &[f64]) -> Vec<f64> {
    let mut v = x.to_vec();
    v.sort_by(f64::total_cmp);
    v.dedup();
    v
}

/// Point indices sorted by the parameter's value (ties by point order).
fn sorted_points(p: &Param) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..p.x.len()).collect();
    idx.sort_by(|&a, &b| p.x[a].total_cmp(&p.x[b]));
    idx
}

fn mean_x(p: &Param, idx: &[usize]) -> f64 {
    idx.iter().map(|&i| p.x[i]).sum::<f64>() / idx.len().max(1) as f64
}

/// Groups by level: one per distinct value, in value (or level) order.
fn level_groups(ds: &Dataset, p: &Param) -> Vec<Group> {
    let idx = sorted_points(p);
    let mut groups = Vec::new();
    let mut start = 0;
    while start < idx.len() {
        let x = p.x[idx[start]];
        let end = start + idx[start..].iter().take_while(|&&i| p.x[i] == x).count();
        let label = if p.numeric {
            p.raw[idx[start]].clone()
        } else {
            p.level_names.get(x as usize).cloned().unwrap_or_default()
        };
        groups.push(Group::pool(ds, label, x, &idx[start..end]));
        start = end;
    }
    groups
}

/// Groups to plot the parameter's effect: its levels, or up to [`PLOT_BINS`]
/// equal-count bins of a continuous parameter.
pub(crate) fn plot_groups(ds: &Dataset, p: &Param) -> Vec<Group> {
    if !is_continuous(ds, p) {
        return level_groups(ds, p);
    }
    let idx = sorted_points(p);
    let bins = PLOT_BINS.min(idx.len());
    (0..bins)
        .map(|b| {
            let chunk = &idx[b * idx.len() / bins..(b + 1) * idx.len() / bins];
            let x = mean_x(p, chunk);
            Group::pool(ds, fmt_value(x), x, chunk)
        })
        .collect()
}

/// Effects of every parameter, ranked, and notes on parameters that had none.
pub(crate) fn compute(ds: &Dataset) -> (Vec<ParamEffect>, Vec<String>) {
    let mut notes = Vec::new();
    let mut effects = Vec::new();
    for p in &ds.params {
        let thirds = is_continuous(ds, p);
        let (low, high) = if thirds {
            let idx = sorted_points(p);
            let m = (idx.len() / 3).max(1);
            if idx.len() < 2 {
                notes.push(format!("`{}` has a single point: no effect.", p.name));
                continue;
            }
            let (lo_idx, hi_idx) = (&idx[..m], &idx[idx.len() - m..]);
            let (lx, hx) = (mean_x(p, lo_idx), mean_x(p, hi_idx));
            (
                Group::pool(ds, fmt_value(lx), lx, lo_idx),
                Group::pool(ds, fmt_value(hx), hx, hi_idx),
            )
        } else {
            let groups = level_groups(ds, p);
            match (groups.first(), groups.last()) {
                (Some(a), Some(b)) if groups.len() >= 2 => (a.clone(), b.clone()),
                _ => {
                    notes.push(format!("`{}` takes a single value: no effect.", p.name));
                    continue;
                }
            }
        };
        if low.runs == 0 || high.runs == 0 {
            notes.push(format!("`{}`: no runs at its low or high setting.", p.name));
            continue;
        }
        let paired = ds.common_seeds();
        let rows = Outcome::ALL
            .iter()
            .map(|&o| {
                let (s1, s2) = (low.counts[o.index()], high.counts[o.index()]);
                let unpaired = newcombe_diff(s1, low.runs, s2, high.runs, Z95);
                let (effect, lo, hi) = if paired {
                    paired_diff(ds, &low, &high, o).unwrap_or(unpaired)
                } else {
                    unpaired
                };
                EffectRow {
                    outcome: o,
                    p_low: prob(s1, low.runs).0,
                    p_high: prob(s2, high.runs).0,
                    effect,
                    lo,
                    hi,
                }
            })
            .collect();
        effects.push(ParamEffect {
            param: p.name.clone(),
            thirds,
            categorical: !p.numeric,
            low,
            high,
            rows,
            rank: 0,
        });
    }
    let mut order: Vec<usize> = (0..effects.len()).collect();
    order.sort_by(|&a, &b| effects[b].strength().total_cmp(&effects[a].strength()));
    for (r, &i) in order.iter().enumerate() {
        effects[i].rank = r + 1;
    }
    (effects, notes)
}

/// Rows of `effects.csv`.
pub(crate) fn effect_rows(effects: &[ParamEffect], common_seeds: bool) -> Vec<Vec<String>> {
    let interval = if common_seeds { "paired" } else { "newcombe" };
    let cell = |g: &Group, thirds: bool| if thirds { num(g.x) } else { g.label.clone() };
    effects
        .iter()
        .flat_map(|e| {
            e.rows.iter().map(move |r| {
                vec![
                    e.param.clone(),
                    r.outcome.as_str().to_string(),
                    cell(&e.low, e.thirds),
                    cell(&e.high, e.thirds),
                    num(r.p_low),
                    num(r.p_high),
                    num(r.effect),
                    num(r.lo),
                    num(r.hi),
                    e.rank.to_string(),
                    interval.to_string(),
                ]
            })
        })
        .collect()
}

/// The strongest effects in plain words, largest first: those whose 95% interval
/// excludes zero, or the single largest one with a caveat if none does.
pub(crate) fn sentences(effects: &[ParamEffect], max: usize) -> Vec<String> {
    let mut all: Vec<(&ParamEffect, &EffectRow)> = effects
        .iter()
        .flat_map(|e| e.rows.iter().map(move |r| (e, r)))
        .filter(|(_, r)| r.effect.is_finite() && r.effect != 0.0)
        .collect();
    all.sort_by(|a, b| b.1.effect.abs().total_cmp(&a.1.effect.abs()));
    let significant: Vec<String> = all
        .iter()
        .filter(|(_, r)| r.lo > 0.0 || r.hi < 0.0)
        .take(max)
        .map(|(e, r)| sentence(e, r))
        .collect();
    if !significant.is_empty() {
        return significant;
    }
    match all.first() {
        Some((e, r)) => vec![format!(
            "No effect is distinguishable from zero at 95% confidence; the largest: {}",
            sentence(e, r)
        )],
        None => vec!["No parameter changed any outcome probability.".to_string()],
    }
}

fn sentence(e: &ParamEffect, r: &EffectRow) -> String {
    let change = if e.thirds {
        format!(
            "Raising {} from its bottom third (mean {}) to its top third (mean {})",
            e.param, e.low.label, e.high.label
        )
    } else if e.categorical {
        let verb = if e.low.label == "false" && e.high.label == "true" {
            "Switching"
        } else {
            "Changing"
        };
        format!("{verb} {} from {} to {}", e.param, e.low.label, e.high.label)
    } else {
        format!("Raising {} from {} to {}", e.param, e.low.label, e.high.label)
    };
    let verb = if r.effect > 0.0 { "raises" } else { "lowers" };
    format!(
        "{change} {verb} {} from {} to {} ({}, 95% CI {} to {}).",
        r.outcome.as_str(),
        pct(r.p_low),
        pct(r.p_high),
        pp(r.effect),
        pp_bare(r.lo),
        pp_bare(r.hi)
    )
}

/// A signed difference in percentage points, e.g. `+9 pp`.
pub(crate) fn pp(d: f64) -> String {
    format!("{} pp", pp_bare(d))
}

/// A signed difference in percentage points without the unit, e.g. `+9`.
pub(crate) fn pp_bare(d: f64) -> String {
    let s = pct(d.abs());
    let s = s.trim_end_matches('%');
    let sign = if d > 0.0 && s != "0" {
        "+"
    } else if d < 0.0 && s != "0" {
        "-"
    } else {
        ""
    };
    format!("{sign}{s}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_and_pp_formats() {
        assert_eq!(fmt_value(2.0), "2");
        assert_eq!(fmt_value(0.5), "0.5");
        assert_eq!(fmt_value(1.23456), "1.23");
        assert_eq!(fmt_value(1234.6), "1235");
        assert_eq!(pp(0.09), "+9 pp");
        assert_eq!(pp(-0.004), "-0.4 pp");
        assert_eq!(pp(0.0), "0 pp");
    }
}
