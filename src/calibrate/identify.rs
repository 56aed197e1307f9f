//! Identification of a pattern-oriented calibration (SPEC §9, issue 36): which targets each
//! free parameter moves.
//!
//! The sensitivity matrix is one-at-a-time from the best point: each free parameter in turn
//! at its prior's low and high end, the others at the best point, every arm on the same
//! common seeds. An entry is a target's change in its own tolerance units; a parameter is
//! *identified by* a fitted target whose value moves by at least [`RESPONSIVE`] tolerance
//! units across the prior (the range over the low end, the best point and the high end). A
//! fitted target that no parameter moves that far is reported as unmoved: it adds a constant
//! to the distance and informs nothing.

use std::fmt::Write;

use super::evaluate::Simulated;
use super::targets::{FreeParam, Target, Use};
use crate::output::columns::push_num;

/// Tolerance units a target must move across a prior to count as responsive.
pub const RESPONSIVE: f64 = 1.0;

/// The one-at-a-time sensitivity of every target to every free parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    /// Runs of each arm (common seeds).
    pub runs: u64,
    /// The best point's parameter values and figures on those seeds.
    pub best: Vec<f64>,
    pub at_best: Vec<Simulated>,
    /// Per free parameter, the figures with it at its prior's low end and at its high end.
    pub arms: Vec<[Vec<Simulated>; 2]>,
}

/// One entry of the matrix: target `i` under parameter `j`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entry {
    /// Change from the best point, in tolerance units, at the prior's low and high end.
    pub low: f64,
    pub high: f64,
    /// Largest minus smallest of the three figures, in tolerance units.
    pub range: f64,
}

impl Entry {
    pub fn responsive(&self) -> bool {
        self.range >= RESPONSIVE
    }
}

/// Runs the matrix: `eval` gives the targets' figures at a parameter vector (on the common
/// seeds); it is called for the best point, then each parameter's low and high end in order.
pub fn sensitivity(
    free: &[FreeParam],
    best: &[f64],
    runs: u64,
    mut eval: impl FnMut(&[f64]) -> Result<Vec<Simulated>, String>,
) -> Result<Sensitivity, String> {
    let at_best = eval(best)?;
    let mut arms = Vec::with_capacity(free.len());
    for (j, f) in free.iter().enumerate() {
        let mut arm = |x: f64| {
            let mut theta = best.to_vec();
            theta[j] = x;
            eval(&theta)
        };
        arms.push([arm(f.lo)?, arm(f.hi)?]);
    }
    Ok(Sensitivity {
        runs,
        best: best.to_vec(),
        at_best,
        arms,
    })
}

impl Sensitivity {
    /// Target `i` (with its tolerance) under parameter `j`. A figure that is not a number
    /// (no run measured it) counts as no change.
    pub fn entry(&self, targets: &[Target], j: usize, i: usize) -> Entry {
        let tol = targets[i].tolerance;
        let b = self.at_best[i].value;
        let [lo, hi] = [self.arms[j][0][i].value, self.arms[j][1][i].value];
        let d = |x: f64| {
            if x.is_finite() && b.is_finite() {
                (x - b) / tol
            } else {
                0.0
            }
        };
        let (low, high) = (d(lo), d(hi));
        let range = low.max(high).max(0.0) - low.min(high).min(0.0);
        Entry { low, high, range }
    }

    /// The fitted targets parameter `j` moves by at least [`RESPONSIVE`] units.
    pub fn identified_by(&self, targets: &[Target], j: usize) -> Vec<usize> {
        (0..targets.len())
            .filter(|&i| targets[i].usage == Use::Fit && self.entry(targets, j, i).responsive())
            .collect()
    }

    /// Targets (any use) that no free parameter moves by [`RESPONSIVE`] units.
    pub fn unmoved(&self, targets: &[Target]) -> Vec<usize> {
        (0..targets.len())
            .filter(|&i| (0..self.arms.len()).all(|j| !self.entry(targets, j, i).responsive()))
            .collect()
    }

    /// Half the 95% interval of target `i` at the best point, in tolerance units: the
    /// Monte Carlo noise an entry should be read against (common seeds make the differences
    /// less noisy than this).
    pub fn noise(&self, targets: &[Target], i: usize) -> f64 {
        let s = &self.at_best[i];
        0.5 * (s.hi - s.lo) / targets[i].tolerance
    }
}

fn num(x: f64) -> String {
    let mut s = String::new();
    push_num(&mut s, x);
    s
}

/// `sensitivity.csv` (docs/OUTPUTS.md): one row per free parameter and target.
pub fn sensitivity_csv(free: &[FreeParam], targets: &[Target], s: &Sensitivity) -> String {
    let mut t = String::from(
        "parameter,prior_lo,prior_hi,best,target,use,tolerance,at_best,at_lo,at_hi,change_lo,change_hi,range,noise,responsive,runs\n",
    );
    for (j, f) in free.iter().enumerate() {
        for (i, tg) in targets.iter().enumerate() {
            let e = s.entry(targets, j, i);
            let _ = writeln!(
                t,
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                f.param,
                num(f.lo),
                num(f.hi),
                num(s.best[j]),
                tg.name,
                tg.usage.as_str(),
                num(tg.tolerance),
                num(s.at_best[i].value),
                num(s.arms[j][0][i].value),
                num(s.arms[j][1][i].value),
                num(e.low),
                num(e.high),
                num(e.range),
                num(s.noise(targets, i)),
                u8::from(e.responsive()),
                s.runs
            );
        }
    }
    t
}

/// The report's identification section: the matrix (ranges in tolerance units, low → high
/// signs), each parameter's identifying targets, and the unmoved targets.
pub fn report_section(free: &[FreeParam], targets: &[Target], s: &Sensitivity, sd_ratio: &[f64]) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "## Identification\n\nOne at a time from the best point: each free parameter at its \
         prior's low and at its high end, the others at the best point, on {} common seeds. \
         An entry is the target's change from the best point in its tolerance units, at the \
         low end / at the high end; **bold** when the range across the prior is at least {} \
         unit (the target is responsive to the parameter). `sensitivity.csv` has the figures.\n",
        s.runs, RESPONSIVE
    );
    let short = |p: &str| p.rsplit('.').next().unwrap_or(p).to_string();
    t.push_str("| target | use | noise |");
    for f in free {
        let _ = write!(t, " `{}` |", short(&f.param));
    }
    t.push_str("\n|---|---|---|");
    t.push_str(&"---|".repeat(free.len()));
    t.push('\n');
    for (i, tg) in targets.iter().enumerate() {
        let _ = write!(
            t,
            "| {} | {} | {:.2} |",
            tg.name,
            tg.usage.as_str(),
            s.noise(targets, i)
        );
        for j in 0..free.len() {
            let e = s.entry(targets, j, i);
            let cell = format!("{:+.1} / {:+.1}", e.low, e.high);
            if e.responsive() {
                let _ = write!(t, " **{cell}** |");
            } else {
                let _ = write!(t, " {cell} |");
            }
        }
        t.push('\n');
    }
    t.push_str("\n| parameter | fitted targets it moves by ≥ 1 unit | count | sd ÷ prior sd |\n|---|---|---|---|\n");
    let mut two = 0;
    for (j, f) in free.iter().enumerate() {
        let by = s.identified_by(targets, j);
        two += usize::from(by.len() >= 2);
        let names: Vec<&str> = by.iter().map(|&i| targets[i].name.as_str()).collect();
        let _ = writeln!(
            t,
            "| `{}` | {} | {} | {:.2} |",
            f.param,
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            },
            by.len(),
            sd_ratio.get(j).copied().unwrap_or(f64::NAN)
        );
    }
    let narrow = sd_ratio.iter().filter(|&&r| r <= 0.6).count();
    let _ = writeln!(
        t,
        "\n{two} of {} free parameters move at least two fitted targets; {narrow} of {} have a \
         posterior sd at most 0.6 of the prior's.",
        free.len(),
        free.len()
    );
    let unmoved = s.unmoved(targets);
    if unmoved.is_empty() {
        t.push_str("\nEvery target moves by at least one tolerance unit under some free parameter.\n");
    } else {
        let names: Vec<String> = unmoved
            .iter()
            .map(|&i| format!("{} ({})", targets[i].name, targets[i].usage.as_str()))
            .collect();
        let _ = writeln!(
            t,
            "\nNo free parameter moves these targets by a tolerance unit across its prior: {}. \
             Fitted ones among them add a constant to the distance; they test the model, they \
             do not inform the parameters.",
            names.join(", ")
        );
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Outcome;

    fn target(name: &str, tolerance: f64, usage: Use) -> Target {
        Target {
            name: name.into(),
            source: "test".into(),
            metric: Metric::Outcome(Outcome::Symbiosis),
            value: 0.0,
            tolerance,
            usage,
        }
    }
    use super::super::targets::Metric;

    fn sim(value: f64) -> Simulated {
        Simulated {
            value,
            lo: value - 0.01,
            hi: value + 0.01,
            runs: 10,
        }
    }

    /// A planted model: target a = θ₀, b = θ₀ + θ₁/10, c = 5 (moved by nothing), d = θ₁
    /// held out.
    #[test]
    fn the_matrix_finds_what_each_parameter_moves() {
        let free = vec![
            FreeParam {
                param: "p.zero".into(),
                lo: 0.0,
                hi: 1.0,
                integer: false,
            },
            FreeParam {
                param: "p.one".into(),
                lo: 0.0,
                hi: 2.0,
                integer: false,
            },
        ];
        let targets = vec![
            target("a", 0.1, Use::Fit),
            target("b", 0.1, Use::Fit),
            target("c", 0.1, Use::Fit),
            target("d", 0.5, Use::Validate),
        ];
        let mut calls = 0;
        let s = sensitivity(&free, &[0.5, 1.0], 10, |th| {
            calls += 1;
            Ok(vec![sim(th[0]), sim(th[0] + th[1] / 10.0), sim(5.0), sim(th[1])])
        })
        .unwrap();
        assert_eq!(calls, 5, "the best point and two ends per parameter");
        // θ₀ over [0, 1]: a moves −5 / +5 units; b likewise; c not at all.
        let e = s.entry(&targets, 0, 0);
        assert!((e.low + 5.0).abs() < 1e-9 && (e.high - 5.0).abs() < 1e-9 && (e.range - 10.0).abs() < 1e-9);
        // θ₁ over [0, 2]: b moves ±1 (range 2), a not at all, d ±2 (range 4).
        let e = s.entry(&targets, 1, 1);
        assert!((e.range - 2.0).abs() < 1e-9, "{e:?}");
        assert!(!s.entry(&targets, 1, 0).responsive());
        assert_eq!(s.identified_by(&targets, 0), vec![0, 1]);
        // d is held out: it moves but does not identify.
        assert_eq!(s.identified_by(&targets, 1), vec![1]);
        assert_eq!(s.unmoved(&targets), vec![2]);
        let csv = sensitivity_csv(&free, &targets, &s);
        assert_eq!(csv.lines().count(), 1 + 2 * 4);
        assert!(
            csv.lines()
                .nth(1)
                .unwrap()
                .starts_with("p.zero,0,1,0.5,a,fit,0.1,0.5,0,1,-5,5,10,")
        );
        let md = report_section(&free, &targets, &s, &[0.3, 0.9]);
        assert!(
            md.contains("**-5.0 / +5.0**") && md.contains("| `p.one` | b | 1 | 0.90 |"),
            "{md}"
        );
        assert!(md.contains("1 of 2 free parameters move at least two") && md.contains("c (fit)"));
    }

    #[test]
    fn a_range_spans_both_sides_and_small_moves_are_not_responsive() {
        let free = vec![FreeParam {
            param: "p".into(),
            lo: -1.0,
            hi: 1.0,
            integer: false,
        }];
        let targets = vec![target("a", 1.0, Use::Fit)];
        // A target with a minimum at the best point: both ends above it by 0.6: range 0.6.
        let s = sensitivity(&free, &[0.0], 10, |th| Ok(vec![sim(0.6 * th[0].abs())])).unwrap();
        let e = s.entry(&targets, 0, 0);
        assert!((e.range - 0.6).abs() < 1e-9 && !e.responsive(), "{e:?}");
        // Monotone through the best point: −0.6 and +0.6, range 1.2.
        let s = sensitivity(&free, &[0.0], 10, |th| Ok(vec![sim(0.6 * th[0])])).unwrap();
        assert!(s.entry(&targets, 0, 0).responsive());
        assert!(s.unmoved(&targets).is_empty());
    }
}
