//! What a batch of runs says about each target: its simulated value with a 95% interval.
//!
//! Each run contributes a pair `(x, y)` per target; the statistic is `Σx / Σy` over runs
//! (`y` = 1 for shares and means; the two event counts for a ratio). Pairs are summed in
//! run order, so the figures are identical whatever the thread count.

use rayon::prelude::*;

use super::targets::{Metric, Target};
use crate::montecarlo::{Engines, LEAF_RUNS};
use crate::scenario::Scenario;
use crate::sim::setup::Reference;
use crate::sim::{RunResult, run_seed};
use crate::stats::{Z95, wilson};

/// Sums of one target's per-run pairs (and the `x` values themselves for a median).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sums {
    /// Runs that contributed (a run that never reached a column's months does not).
    pub n: u64,
    pub x: f64,
    pub y: f64,
    pub xx: f64,
    pub yy: f64,
    pub xy: f64,
    /// The runs' `x`, kept only for median targets.
    pub values: Vec<f64>,
}

impl Sums {
    fn add(&mut self, (x, y): (f64, f64)) {
        self.n += 1;
        self.x += x;
        self.y += y;
        self.xx += x * x;
        self.yy += y * y;
        self.xy += x * y;
    }
}

/// A target's simulated value and 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Simulated {
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
    /// Runs that contributed.
    pub runs: u64,
}

impl Simulated {
    /// From the sums: Wilson intervals for shares of runs, the delta method otherwise
    /// (for a mean it is the usual `mean ± 1.96 s/√n`).
    pub fn from_sums(metric: &Metric, s: &Sums) -> Simulated {
        if s.n == 0 || s.y <= 0.0 {
            return Simulated {
                value: f64::NAN,
                lo: f64::NAN,
                hi: f64::NAN,
                runs: s.n,
            };
        }
        if let Metric::Column { median: true, .. } = metric {
            // The sample median, with the distribution-free interval of order statistics.
            let mut v = s.values.clone();
            v.sort_by(f64::total_cmp);
            let n = v.len();
            let at = |q: f64| v[(q.round().max(0.0) as usize).min(n - 1)];
            let half = Z95 * (n as f64).sqrt() / 2.0;
            let mid = (n as f64 - 1.0) / 2.0;
            return Simulated {
                value: if n % 2 == 1 {
                    v[n / 2]
                } else {
                    0.5 * (v[n / 2 - 1] + v[n / 2])
                },
                lo: at(mid - half),
                hi: at(mid + half),
                runs: s.n,
            };
        }
        let r = s.x / s.y;
        if matches!(metric, Metric::Outcome(_) | Metric::EventShare { .. }) {
            let (lo, hi) = wilson(s.x.round() as u64, s.n, Z95);
            return Simulated {
                value: r,
                lo,
                hi,
                runs: s.n,
            };
        }
        let n = s.n as f64;
        let ybar = s.y / n;
        // Variance of the residuals x − r·y, over the mean denominator squared.
        let resid = (s.xx - 2.0 * r * s.xy + r * r * s.yy) / n;
        let var = if s.n > 1 {
            resid.max(0.0) * n / (n - 1.0) / (n * ybar * ybar)
        } else {
            0.0
        };
        let half = Z95 * var.sqrt();
        Simulated {
            value: r,
            lo: r - half,
            hi: r + half,
            runs: s.n,
        }
    }
}

/// One run's pair for a target (`None`: the run says nothing about it).
fn pair(metric: &Metric, r: &RunResult) -> Option<(f64, f64)> {
    match metric {
        Metric::Outcome(o) => Some((f64::from(u8::from(r.outcome == *o)), 1.0)),
        Metric::Column {
            terms, from, to, base, ..
        } => {
            let mean = |from: u32, to: u32| {
                let (mut sum, mut n) = (0.0, 0u32);
                for m in r.timeseries.iter().filter(|m| (from..=to).contains(&m.tick)) {
                    sum += terms.iter().map(|(c, w)| w * c.value(m)).sum::<f64>();
                    n += 1;
                }
                (n > 0).then(|| sum / f64::from(n))
            };
            let x = mean(*from, *to)?;
            match base {
                None => Some((x, 1.0)),
                Some((a, b)) => {
                    let b = mean(*a, *b).filter(|b| *b > 0.0 && b.is_finite())?;
                    Some((x / b, 1.0))
                }
            }
        }
        Metric::EventShare { filter, by } => {
            let hit = r.events.iter().any(|e| e.tick <= *by && filter.matches(e));
            Some((f64::from(u8::from(hit)), 1.0))
        }
        Metric::EventRatio {
            filter,
            per,
            by,
            per_by,
        } => {
            let (mut num, mut den) = (0u32, 0u32);
            for e in r.events.iter().filter(|e| e.tick <= *by) {
                num += u32::from(filter.matches(e));
                den += u32::from(e.tick <= *per_by && per.matches(e));
            }
            Some((f64::from(num), f64::from(den)))
        }
    }
}

/// One run's pair per target.
type RunPairs = Vec<Option<(f64, f64)>>;

/// Runs `runs` runs of `scenario` (seeds `run_seed(master, 0, r)`), brands and amenities
/// solved in `reference`, and sums each target's pairs, in run order.
pub fn evaluate(
    scenario: &Scenario,
    reference: Reference,
    targets: &[Target],
    master: u64,
    runs: u64,
    engines: &Engines,
) -> Result<Vec<Sums>, String> {
    let pairs: Vec<Result<RunPairs, String>> = (0..runs as usize)
        .into_par_iter()
        .with_max_len(LEAF_RUNS)
        .map(|run| {
            engines.with(|sim| {
                let r = sim
                    .run_in(scenario, run_seed(master, 0, run as u64), reference)
                    .map_err(|e| e.to_string())?;
                Ok(targets.iter().map(|t| pair(&t.metric, &r)).collect())
            })
        })
        .collect();
    let mut sums = vec![Sums::default(); targets.len()];
    for run in pairs {
        for ((s, p), t) in sums.iter_mut().zip(run?).zip(targets) {
            if let Some(p) = p {
                s.add(p);
                if let Metric::Column { median: true, .. } = t.metric {
                    s.values.push(p.0);
                }
            }
        }
    }
    Ok(sums)
}

/// The simulated value of every target.
pub fn simulated(targets: &[Target], sums: &[Sums]) -> Vec<Simulated> {
    targets
        .iter()
        .zip(sums)
        .map(|(t, s)| Simulated::from_sums(&t.metric, s))
        .collect()
}

/// The distance of a batch to the fitted targets: the root mean square of the standardised
/// distances `(simulated − value)/tolerance` (a target with no value counts as 10).
pub fn distance(targets: &[Target], sims: &[Simulated]) -> f64 {
    distance_where(targets, sims, |t| t.usage == super::targets::Use::Fit)
}

/// The fitted targets other than outcome shares: the data alone.
pub fn is_data_target(t: &Target) -> bool {
    t.usage == super::targets::Use::Fit && !matches!(t.metric, Metric::Outcome(_))
}

/// The distance over the targets `keep` selects (as [`distance`] does over the fitted ones).
pub fn distance_where(targets: &[Target], sims: &[Simulated], keep: impl Fn(&Target) -> bool) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for (t, s) in targets.iter().zip(sims) {
        if keep(t) {
            let d = t.standardised(s.value);
            sum += if d.is_finite() { d * d } else { 100.0 };
            n += 1;
        }
    }
    if n == 0 { 0.0 } else { (sum / n as f64).sqrt() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Outcome;

    #[test]
    fn a_mean_interval_is_the_usual_one() {
        let mut s = Sums::default();
        for x in [1.0, 2.0, 3.0, 4.0] {
            s.add((x, 1.0));
        }
        let m = Metric::Column {
            name: "x".into(),
            terms: vec![(crate::output::columns::Column::Researchers, 1.0)],
            from: 1,
            to: 1,
            base: None,
            median: false,
        };
        let sim = Simulated::from_sums(&m, &s);
        assert_eq!(sim.value, 2.5);
        // sd = 1.291, se = 0.6455
        assert!((sim.hi - 2.5 - Z95 * (5.0f64 / 3.0).sqrt() / 2.0).abs() < 1e-12);
        let mut s = Sums::default();
        for x in [1.0, 0.0, 0.0, 1.0] {
            s.add((x, 1.0));
        }
        let o = Simulated::from_sums(&Metric::Outcome(Outcome::Symbiosis), &s);
        assert_eq!(o.value, 0.5);
        assert!(o.lo > 0.0 && o.lo < 0.5 && o.hi < 1.0, "Wilson: {o:?}");
        let mut s = Sums::default();
        for x in [5.0, 1.0, 3.0, 100.0, 2.0] {
            s.add((x, 1.0));
            s.values.push(x);
        }
        let med = Metric::Column {
            name: "x".into(),
            terms: vec![(crate::output::columns::Column::Researchers, 1.0)],
            from: 1,
            to: 1,
            base: None,
            median: true,
        };
        let m = Simulated::from_sums(&med, &s);
        assert_eq!(m.value, 3.0, "the median ignores the outlier");
        assert!(m.lo <= 3.0 && m.hi >= 3.0);
    }
}
