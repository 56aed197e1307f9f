//! Calibration and directional validity (SPEC §9).
//!
//! Statistical design: every paired comparison runs both settings on the same seeds (common
//! random numbers), with enough runs that the asserted gap is several standard errors:
//! for a difference of proportions near 0.1–0.3 with 3,000 runs per arm the standard error
//! is about 1 pp even for independent arms, so the 5 pp thresholds below are ≥ 5 SE; with
//! CRN the effective error is smaller still. The sweep tests go through the real sweep
//! engine (independent seeds per point) with 2,000 runs per point and check the ordering
//! across three levels. Seeds are fixed, so the tests are deterministic.

use coopetition::calibrate::outcome_counts;
use coopetition::montecarlo::thread_pool;
use coopetition::outcome::Outcome;
use coopetition::scenario::{Scenario, apply_override, load};
use coopetition::sim::{Simulator, run_seed};
use coopetition::world::resources::TickMetrics;
use rayon::prelude::*;

fn baseline() -> Scenario {
    load::resolve("baseline").expect("bundled baseline")
}

fn with(sets: &[&str]) -> Scenario {
    let mut s = baseline();
    for set in sets {
        s = apply_override(&s, set).unwrap_or_else(|e| panic!("{e}"));
    }
    s
}

fn probabilities(s: &Scenario, runs: u64, seed: u64) -> [f64; 4] {
    let counts = outcome_counts(s, seed, runs, &thread_pool(0).unwrap()).unwrap();
    counts.map(|c| c as f64 / runs as f64)
}

/// Per run: the metrics of the first and last month.
fn trajectories(s: &Scenario, runs: u64, seed: u64) -> Vec<(TickMetrics, TickMetrics)> {
    thread_pool(0).unwrap().install(|| {
        (0..runs)
            .into_par_iter()
            .map_init(Simulator::new, |sim, r| {
                let res = sim.run(s, run_seed(seed, 0, r)).unwrap();
                (res.timeseries[0].clone(), res.last().unwrap().clone())
            })
            .collect()
    })
}

/// Paired z of `outcome` between two scenarios on common seeds: mean per-run difference
/// (high − low) over its standard error, and the two shares.
fn paired_outcome_z(lo: &Scenario, hi: &Scenario, outcome: Outcome, runs: u64, seed: u64) -> (f64, f64, f64) {
    let diffs: Vec<(f64, f64)> = thread_pool(0).unwrap().install(|| {
        (0..runs)
            .into_par_iter()
            .map_init(Simulator::new, |sim, r| {
                let hit = |s: &Scenario, sim: &mut Simulator| {
                    f64::from(u8::from(sim.run(s, run_seed(seed, 0, r)).unwrap().outcome == outcome))
                };
                (hit(lo, sim), hit(hi, sim))
            })
            .collect()
    });
    let n = diffs.len() as f64;
    let (pl, ph) = (
        diffs.iter().map(|d| d.0).sum::<f64>() / n,
        diffs.iter().map(|d| d.1).sum::<f64>() / n,
    );
    let mean = ph - pl;
    let var = diffs.iter().map(|d| (d.1 - d.0 - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean / (var / n).sqrt().max(1e-12), pl, ph)
}

/// z of the mean per-run difference a − b over its standard error.
fn paired(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    mean / (var / n).sqrt().max(1e-12)
}

fn mean_last(t: &[(TickMetrics, TickMetrics)], f: impl Fn(&TickMetrics) -> f64) -> f64 {
    t.iter().map(|(_, l)| f(l)).sum::<f64>() / t.len() as f64
}

const P: [Outcome; 4] = Outcome::ALL;

#[test]
fn bundled_baseline_is_the_default_scenario() {
    // Theme scenarios and user files fill missing keys from the defaults, so the defaults
    // must be the calibrated baseline.
    assert_eq!(baseline(), Scenario::default());
}

#[test]
fn baseline_matches_the_article_within_3pp_for_any_seed() {
    // 10,000 runs: SE of p = 0.6 is 0.49 pp, so ±3 pp is > 6 SE around a fit within ~1 pp.
    for seed in [1, 777, 123_456_789] {
        let p = probabilities(&baseline(), 10_000, seed);
        println!("FIGURE baseline seed {seed}: {:?}", p);
        for o in P {
            let diff = p[o.index()] - o.article_reference();
            assert!(
                diff.abs() <= 0.03,
                "seed {seed}: {} {:.3} vs {:.2}",
                o.as_str(),
                p[o.index()],
                o.article_reference()
            );
        }
    }
}

#[test]
fn stricter_regulators_mean_more_divestiture_and_fewer_acquisitions() {
    let lax = probabilities(&with(&["regulation.stringency=0.5"]), 3000, 21);
    let strict = probabilities(&with(&["regulation.stringency=2"]), 3000, 21);
    let (div, acq) = (Outcome::Divestiture.index(), Outcome::Acquisition.index());
    println!(
        "FIGURE stringency 0.5 vs 2: divestiture {:.3} -> {:.3}, acquisition {:.3} -> {:.3}",
        lax[div], strict[div], lax[acq], strict[acq]
    );
    // z of the difference with the variance of independent samples (conservative: the
    // arms share their seeds); the issue asks for z ≥ 3.
    let z = |a: f64, b: f64| (a - b) / (a * (1.0 - a) / 3000.0 + b * (1.0 - b) / 3000.0).sqrt().max(1e-12);
    assert!(
        z(strict[div], lax[div]) >= 3.0,
        "divestiture {:.3} vs {:.3}",
        strict[div],
        lax[div]
    );
    assert!(
        z(lax[acq], strict[acq]) >= 3.0,
        "acquisition {:.3} vs {:.3}",
        strict[acq],
        lax[acq]
    );
}

#[test]
fn costlier_migration_means_less_decoupling() {
    let cheap = probabilities(&with(&["cloud.migration_cost=0.3"]), 3000, 22);
    let dear = probabilities(&with(&["cloud.migration_cost=3"]), 3000, 22);
    let d = Outcome::Decoupling.index();
    println!(
        "FIGURE migration_cost 0.3 vs 3: decoupling {:.3} -> {:.3}",
        cheap[d], dear[d]
    );
    assert!(
        dear[d] < cheap[d] - 0.05,
        "decoupling {:.3} (costly) vs {:.3} (cheap)",
        dear[d],
        cheap[d]
    );
}

#[test]
fn more_overlap_means_more_tension_and_decoupling() {
    let lo_s = with(&["products.overlap=0.1"]);
    let hi_s = with(&["products.overlap=0.9"]);
    let lo = trajectories(&lo_s, 2000, 23);
    let hi = trajectories(&hi_s, 2000, 23);
    let (tl, th) = (mean_last(&lo, |m| m.tension), mean_last(&hi, |m| m.tension));
    assert!(th > tl + 0.03, "tension {th:.3} vs {tl:.3}");
    // Settled talks absorb much of the clash (negotiated boundaries), so the decoupling
    // effect is a few points: asserted as a paired difference on common seeds, z ≥ 3.
    let (z, pl, ph) = paired_outcome_z(&lo_s, &hi_s, Outcome::Decoupling, 3000, 23);
    println!("FIGURE overlap 0.1 vs 0.9: tension {tl:.3} -> {th:.3}, decoupling {pl:.3} -> {ph:.3} (paired z {z:.1})");
    assert!(z >= 3.0, "decoupling {ph:.3} vs {pl:.3}, z {z:.2}");
}

#[test]
fn stronger_open_source_means_more_startups_and_less_concentration() {
    let lo = trajectories(&with(&["open_source.strength=0.1"]), 1000, 24);
    let hi = trajectories(&with(&["open_source.strength=0.9"]), 1000, 24);
    let (sl, sh) = (
        mean_last(&lo, |m| f64::from(m.startups_alive)),
        mean_last(&hi, |m| f64::from(m.startups_alive)),
    );
    assert!(sh > 1.2 * sl, "startups {sh:.1} vs {sl:.1}");
    let (hl, hh) = (mean_last(&lo, |m| m.hhi_max), mean_last(&hi, |m| m.hhi_max));
    println!("FIGURE open_source 0.1 vs 0.9: startups {sl:.1} -> {sh:.1}, HHI max {hl:.0} -> {hh:.0}");
    assert!(hh < hl - 500.0, "HHI {hh:.0} vs {hl:.0}");
}

#[test]
fn no_exclusivity_means_more_decoupling_than_exclusive() {
    let excl = probabilities(&with(&["partnership.exclusivity=exclusive"]), 3000, 25);
    let none = probabilities(&with(&["partnership.exclusivity=none"]), 3000, 25);
    let d = Outcome::Decoupling.index();
    println!(
        "FIGURE exclusivity exclusive vs none: decoupling {:.3} -> {:.3}",
        excl[d], none[d]
    );
    assert!(
        none[d] > excl[d] + 0.05,
        "decoupling {:.3} (none) vs {:.3} (exclusive)",
        none[d],
        excl[d]
    );
}

/// The article's direction: researchers concentrate in the two partners — because of the
/// mechanisms (the lab's lead and the spillover raising the partners' prestige, crises
/// ending in the investor absorbing the lab's team, startups bought by the partners), not
/// because of where the run starts. So the baseline's 18-month rise in the partners' share
/// is compared, run by run on common seeds, with the rise in the same runs without crises,
/// research, spillover or market growth (what the starting state alone would do, about
/// +0.3 pp): asserted 0.3–5 pp more, paired z ≥ 3 (2,000 runs). The bar was 1 pp before
/// issue 33 made hiring pay for itself (pay that rises with unfilled places and payroll
/// out of cash): the mechanisms now add about 0.6 pp, where the record has the lab's staff
/// growing several-fold, a gap the closing note of issue 33 reports. (Earlier still the bar
/// was a 2 pp rise while a transient drain of the startup sector added about 2 pp.)
#[test]
fn researchers_concentrate_in_the_two_partners_over_the_horizon() {
    let calm_sets = [
        "governance.crisis_rate=0",
        "research.productivity=0",
        "research.spillover_rate=0",
        "products.market_growth=0",
    ];
    let rise = |s: &Scenario| -> Vec<f64> {
        trajectories(s, 2000, 26)
            .iter()
            .map(|(f, l)| l.talent_share_partners - f.talent_share_partners)
            .collect()
    };
    let base = rise(&baseline());
    let calm = rise(&with(&calm_sets));
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let z = paired(&base, &calm);
    println!(
        "FIGURE partners' researcher share, rise over 18 months: baseline {:+.4}, no shocks or growth {:+.4} (paired z {z:.1})",
        mean(&base),
        mean(&calm)
    );
    assert!(
        (0.003..=0.05).contains(&(mean(&base) - mean(&calm))) && z >= 3.0,
        "rise {:.4} vs {:.4} without the mechanisms, z {z:.1}",
        mean(&base),
        mean(&calm)
    );
}

#[test]
fn more_board_crises_mean_more_acquisitions() {
    // The article: the November 2023 crisis showed the investor's leverage over a weakened lab.
    let calm = probabilities(&with(&["governance.crisis_rate=0.01"]), 3000, 27);
    let stormy = probabilities(&with(&["governance.crisis_rate=0.15"]), 3000, 27);
    let a = Outcome::Acquisition.index();
    println!(
        "FIGURE crisis_rate 0.01 vs 0.15: acquisition {:.3} -> {:.3}",
        calm[a], stormy[a]
    );
    assert!(
        stormy[a] > calm[a] + 0.05,
        "acquisition {:.3} vs {:.3}",
        stormy[a],
        calm[a]
    );
}

#[test]
fn talent_war_means_more_tension() {
    // Researchers who search more often move more between the partners: more tension.
    let calm = trajectories(&with(&["talent.search_hazard=0.01"]), 1500, 28);
    let war = trajectories(&with(&["talent.search_hazard=0.12"]), 1500, 28);
    let (tc, tw) = (mean_last(&calm, |m| m.tension), mean_last(&war, |m| m.tension));
    println!("FIGURE search_hazard 0.01 vs 0.12: tension {tc:.3} -> {tw:.3}");
    assert!(tw > tc + 0.01, "tension {tw:.3} vs {tc:.3}");
}

/// Runs a one-parameter grid sweep through the sweep engine and returns the summary rows
/// (value, p per outcome).
fn sweep_summary(param: &str, values: &str, runs_per_point: u64, seeds: &str) -> Vec<(String, [f64; 4])> {
    let spec = format!(
        "[sweep]\nscenario = \"baseline\"\nruns_per_point = {runs_per_point}\nseed = 31\ndesign = \"grid\"\nseeds = \"{seeds}\"\n\
         [[sweep.vary]]\nparam = \"{param}\"\nvalues = {values}\n"
    );
    let sweep = coopetition::sweep::parse_sweep(&spec, "<test>", None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let opts = coopetition::sweep::SweepOptions {
        out: dir.path().to_path_buf(),
        threads: 0,
        resume: false,
        shard: None,
        timeseries: false,
        command_line: vec![],
        max_runs: None,
        format: None,
    };
    coopetition::sweep::run_sweep(&sweep, &opts, &indicatif::ProgressBar::hidden()).unwrap();
    let text = std::fs::read_to_string(dir.path().join("summary.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let p = Outcome::ALL.map(|o| f[col(&format!("p_{}", o.as_str()))].parse::<f64>().unwrap());
            (f[col(param)].to_string(), p)
        })
        .collect()
}

#[test]
fn sweep_over_stringency_orders_divestiture_and_acquisition() {
    let rows = sweep_summary("regulation.stringency", "[0.5, 1.0, 2.0]", 2000, "independent");
    let (div, acq) = (Outcome::Divestiture.index(), Outcome::Acquisition.index());
    for w in rows.windows(2) {
        println!(
            "FIGURE sweep stringency {} -> {}: divestiture {:.3} -> {:.3}, acquisition {:.3} -> {:.3}",
            w[0].0, w[1].0, w[0].1[div], w[1].1[div], w[0].1[acq], w[1].1[acq]
        );
        // 2,000 independent runs per point: at divestiture shares of 1-4% the SE of a step
        // is 0.4-0.6 pp. No step may fall by more than 1.3 pp (about 3 SE). Measured 1.3% ->
        // 2.6% -> 3.6%: the investor settles in phase 1 by loosening exclusivity only when
        // the finding it expects is likely enough (docs/MODEL.md §7.8, the authority's view),
        // which at the baseline's structural share it rarely is below stringency 2 (3 offers in 5,000
        // runs at stringency 1.5, seed 5).
        assert!(
            w[1].1[div] > w[0].1[div] - 0.013,
            "divestiture {:.3} -> {:.3}",
            w[0].1[div],
            w[1].1[div]
        );
    }
    // From the laxest to the strictest level divestiture rises by more than 1.3 pp
    // (measured 1.3% -> 3.6%).
    let (lax, strict) = (rows[0].1[div], rows[rows.len() - 1].1[div]);
    assert!(strict > lax + 0.013, "divestiture {lax:.3} -> {strict:.3}");
    // Acquisitions fall from the laxest to the strictest level (absorptions, which no
    // review stops, make up most of them, so the steps are small): ≥ 2 pp, about 3 SE
    // for independent points at these shares.
    let (first, last) = (&rows[0].1, &rows[rows.len() - 1].1);
    assert!(
        last[acq] < first[acq] - 0.02,
        "acquisition {:.3} -> {:.3}",
        first[acq],
        last[acq]
    );
}

#[test]
fn sweep_over_overlap_and_migration_cost_orders_decoupling() {
    let d = Outcome::Decoupling.index();
    // Negotiated boundaries absorb much of the clash, so overlap moves decoupling by a
    // few points only: the overlap sweep runs on common seeds (paired points, synchronised
    // streams), where a step's standard error is 0.5–0.7 pp (measured on these seeds; about
    // 2 pp with independent points), and asks for ≥ 1 pp a step.
    let overlap = sweep_summary("products.overlap", "[0.1, 0.5, 0.9]", 2000, "common");
    let migration = sweep_summary("cloud.migration_cost", "[0.3, 1.0, 3.0]", 2000, "independent");
    for w in overlap.windows(2) {
        println!(
            "FIGURE sweep overlap {} -> {} (common seeds): decoupling {:.3} -> {:.3}",
            w[0].0, w[1].0, w[0].1[d], w[1].1[d]
        );
        assert!(
            w[1].1[d] > w[0].1[d] + 0.01,
            "overlap {} -> {}: {:.3} -> {:.3}",
            w[0].0,
            w[1].0,
            w[0].1[d],
            w[1].1[d]
        );
    }
    for w in migration.windows(2) {
        assert!(
            w[1].1[d] < w[0].1[d] - 0.02,
            "migration {} -> {}: {:.3} -> {:.3}",
            w[0].0,
            w[1].0,
            w[0].1[d],
            w[1].1[d]
        );
    }
}
