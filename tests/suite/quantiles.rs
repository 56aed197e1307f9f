//! Streaming time-series quantiles (issue 21) against exact ones on 100,000 baseline runs.
//!
//! `timeseries_quantiles.csv` comes from sketches with a deterministic relative-error bound
//! (docs/OUTPUTS.md): for the type-7 quantile at `h = (n − 1)·q`,
//! `|sketch − exact| ≤ α·max(|x_⌊h⌋|, |x_⌊h⌋+1|)` with α = 0.005. The test renders the rows
//! exactly as `run` and `sweep` write them, then checks every p05, p50 and p95 of months
//! 1, 6, 12 and 18 (all 19 metrics) against sorted values. The bound is a guarantee, not a
//! probability, so the only tolerance is 1e-9 of it for the logarithm's rounding at bucket
//! edges; the seed is fixed. Means are compensated sums in run order; they are compared
//! with a plain sum of the sorted values, whose own rounding error is up to n·ε ≈ 2e-11
//! relative for n = 100,000, so the tolerance is 1e-9 (relative, or absolute near zero).

use coopetition::montecarlo::{Render, run_pipelined, thread_pool};
use coopetition::output::columns::{METRICS, metric_values};
use coopetition::output::quantiles::{QUANTILES, SeriesSketch};
use coopetition::scenario::load;
use coopetition::stats::quantile_sorted;
use coopetition::stats::sketch::ALPHA;

const RUNS: u64 = 100_000;
const MONTHS: [usize; 4] = [1, 6, 12, 18];

#[test]
fn sketch_quantiles_of_100k_runs_are_within_the_stated_bound() {
    let scenario = load::resolve("baseline").expect("bundled baseline");
    let horizon = scenario.horizon_months as usize;
    assert_eq!(horizon, 18);
    let nm = METRICS.len();
    let mut sketch = SeriesSketch::new(horizon);
    // Exact values of the checked months, column-major: (month index, metric) → runs.
    let mut exact: Vec<Vec<f64>> = vec![Vec::with_capacity(RUNS as usize); MONTHS.len() * nm];
    let render = Render::default();
    let pool = thread_pool(0).unwrap();
    run_pipelined(&pool, &scenario, 2112, 0, 0..RUNS, &render, |block| {
        for rec in block {
            let r = rec.result.as_ref().expect("baseline runs succeed");
            sketch.add_run(r);
            for (k, &t) in MONTHS.iter().enumerate() {
                let Some(m) = r.timeseries.get(t - 1) else { continue };
                for (j, v) in metric_values(m).into_iter().enumerate() {
                    if !v.is_nan() {
                        exact[k * nm + j].push(v);
                    }
                }
            }
        }
        Ok::<(), ()>(())
    })
    .unwrap();

    let rows = sketch.rows("");
    let mut worst = (0.0f64, String::new());
    let mut checked = 0;
    for line in rows.lines() {
        let f: Vec<&str> = line.split(',').collect();
        let tick: usize = f[0].parse().unwrap();
        let Some(k) = MONTHS.iter().position(|&t| t == tick) else {
            continue;
        };
        let j = METRICS.iter().position(|&m| m == f[1]).unwrap();
        let xs = &mut exact[k * nm + j];
        xs.sort_by(f64::total_cmp);
        assert_eq!(xs.len() as u64, RUNS, "{line}");
        let mean: f64 = f[2].parse().unwrap();
        let want_mean = xs.iter().sum::<f64>() / xs.len() as f64;
        assert!(
            (mean - want_mean).abs() <= 1e-9 * want_mean.abs().max(1.0),
            "{line}: mean {mean} vs exact {want_mean}"
        );
        for (c, (q, name)) in QUANTILES.iter().enumerate() {
            let got: f64 = f[3 + c].parse().unwrap();
            let want = quantile_sorted(xs, *q);
            let h = (xs.len() - 1) as f64 * q;
            let lo = h.floor() as usize;
            let scale = xs[lo].abs().max(xs[(lo + 1).min(xs.len() - 1)].abs());
            let err = (got - want).abs();
            assert!(
                err <= ALPHA * (1.0 + 1e-9) * scale,
                "month {tick} {} {name}: sketch {got}, exact {want}, bound {}",
                f[1],
                ALPHA * scale
            );
            if scale > 0.0 && err / scale > worst.0 {
                worst = (err / scale, format!("month {tick} {} {name}", f[1]));
            }
            checked += 1;
        }
    }
    assert_eq!(checked, MONTHS.len() * nm * QUANTILES.len());
    println!(
        "largest relative error of {checked} quantiles: {:.6} ({}), bound {ALPHA}; sketch buckets {}",
        worst.0,
        worst.1,
        sketch.buckets()
    );
}
