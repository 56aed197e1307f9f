//! Issue 20: products, research, startups and talent at face value — the record at month 1,
//! no transients, retention in the public range, and no dead parameters.

use crate::support;

use coopetition::scenario::{Scenario, Segment};
use coopetition::sim::RunResult;
use support::{runs, with};

fn mean(rs: &[RunResult], month: usize, f: impl Fn(&coopetition::world::resources::TickMetrics) -> f64) -> f64 {
    rs.iter().map(|r| f(&r.timeseries[month - 1])).sum::<f64>() / rs.len() as f64
}

/// Month-1 shares per segment against the cited starting values (`initial_shares`, from
/// docs/MODEL.md §5): the brands are set by inverting the logit at the starting state, so
/// only month 1's research and shortfall can move them. Tolerance ±5 pp (the issue's).
#[test]
fn month_one_shares_match_the_record() {
    let s = Scenario::default();
    let rs = runs(&s, 200, 31);
    let nf = s.companies.len();
    for seg in Segment::ALL {
        let si = seg.index();
        let mut fringe = 1.0;
        for (f, c) in s.companies.iter().enumerate() {
            let target = c.initial_shares[si];
            fringe -= target;
            let got = mean(&rs, 1, |m| m.shares[si][f]);
            assert!(
                (got - target).abs() <= 0.05,
                "{} {}: month-1 share {got:.3}, record {target:.3}",
                seg.as_str(),
                c.name
            );
        }
        let got = mean(&rs, 1, |m| m.shares[si][nf]);
        assert!(
            (got - fringe).abs() <= 0.05,
            "{} fringe: {got:.3} vs {fringe:.3}",
            seg.as_str()
        );
    }
}

/// With no shocks and no growth (no crises, no capability growth or spillover, no market
/// growth) but
/// every startup flow on (entry with founders, venture rounds, burn, failures from cash and
/// other causes, acquisitions), employment stays where it starts: the starting allocation
/// is the steady state of the hiring model with the sector's exits, and entry keeps the
/// number of startups level. Tolerance ±1.5 pp over 18 months on 300 runs (the sampling
/// error of a share of 2,000 researchers is about 1 pp per run, 0.06 pp on the mean); the
/// startup count within ±15% of the start (entry and exit are Poisson-like counts of about
/// two a month on 60 startups).
#[test]
fn no_shocks_no_drift() {
    let s = with(&[
        "governance.crisis_rate=0",
        "research.productivity=0",
        "research.spillover_rate=0",
        "products.market_growth=0",
        "startups.venture_growth=0",
    ]);
    let rs = runs(&s, 300, 32);
    let alive_start = mean(&rs, 1, |m| f64::from(m.startups_alive));
    for month in [6usize, 12, 18] {
        let alive = mean(&rs, month, |m| f64::from(m.startups_alive));
        println!("FIGURE drift: month {month}: {alive:.1} startups alive (month 1: {alive_start:.1})");
        assert!(
            (alive / alive_start - 1.0).abs() < 0.15,
            "month {month}: {alive:.1} startups alive against {alive_start:.1} at month 1"
        );
    }
    let targets = (
        s.companies[0].talent_share + s.companies[1].talent_share,
        1.0 - s.companies.iter().map(|c| c.talent_share).sum::<f64>(),
    );
    for month in [1usize, 6, 12, 18] {
        let partners = mean(&rs, month, |m| m.talent_share_partners);
        let startups = mean(&rs, month, |m| m.startup_researcher_share);
        println!("FIGURE drift: month {month}: partners {partners:.3}, startups {startups:.3}");
        assert!(
            (partners - targets.0).abs() < 0.015,
            "month {month}: partners employ {partners:.3}, start target {:.3}",
            targets.0
        );
        assert!(
            (startups - targets.1).abs() < 0.015,
            "month {month}: startups employ {startups:.3}, start target {:.3}",
            targets.1
        );
    }
}

/// Two-year retention (share of a firm's starting staff still there without a break at
/// month 24) in the public range: 64% (Meta) to 80% (Anthropic) (SignalFire 2025), ±5 pp
/// for the model's coarser firms; and it differs by firm (pay, mission, capability). The
/// median over 300 runs: in the runs where a crisis ends in the investor absorbing the
/// lab's team (about 8%), the lab's retention collapses, which the public figure — one
/// history — does not average over. (The mean is reported in docs/MODEL.md §7.2.)
#[test]
fn two_year_retention_in_the_public_range() {
    let s = with(&["horizon_months=24"]);
    let rs = runs(&s, 300, 33);
    let mut seen = Vec::new();
    for (f, c) in s.companies.iter().enumerate() {
        let mut v: Vec<f64> = rs.iter().map(|r| r.timeseries[23].retention[f]).collect();
        v.sort_by(f64::total_cmp);
        let r = v[v.len() / 2];
        assert!(
            (0.59..=0.85).contains(&r),
            "{}: median two-year retention {r:.3}",
            c.name
        );
        seen.push(r);
    }
    let spread = seen.iter().copied().fold(0.0, f64::max) - seen.iter().copied().fold(1.0, f64::min);
    assert!(spread > 0.03, "retention hardly differs by firm: {seen:?}");
}

/// The open-weight champion trails the frontier by 6–12 months (public estimates), at the
/// start and at month 18 (median over 300 runs); the investor's in-house test of decoupling
/// is informative (passed in some runs, not all).
#[test]
fn research_positions_hold() {
    let s = Scenario::default();
    let rs = runs(&s, 300, 34);
    for month in [1usize, 18] {
        let mut lags: Vec<f64> = rs
            .iter()
            .map(|r| r.timeseries[month - 1].open_weight_lag_months)
            .collect();
        lags.sort_by(f64::total_cmp);
        let median = lags[lags.len() / 2];
        assert!(
            (6.0..=12.0).contains(&median),
            "month {month}: open-weight lag {median:.1} months"
        );
    }
    let threshold = s.outcomes.decoupling_inhouse_threshold;
    let pass = rs
        .iter()
        .filter(|r| r.timeseries[17].investor_inhouse_ratio > threshold)
        .count() as f64
        / rs.len() as f64;
    // The in-house ratio leaves out what the investor absorbs from the lab (MODEL.md §7.4):
    // with the spillover counted it passed 0.8 in 91% of runs and decided nothing.
    assert!((0.1..=0.9).contains(&pass), "in-house test passed in {pass:.2} of runs");
}

/// New startups are staffed by their founders: few startups alive are staffless.
#[test]
fn startups_have_staff() {
    let rs = runs(&Scenario::default(), 300, 35);
    let staffless = mean(&rs, 18, |m| m.startups_staffless_share);
    assert!(
        staffless < 0.2,
        "{staffless:.3} of live startups have no staff at month 18"
    );
}

/// Hiring openings (`talent.openings_share` of headcount a month) bind when many
/// researchers want the same firms, and hardly at all in ordinary months. In a talent war
/// (searches twice as often, switching costs a fifth) the partners' month-18 share of
/// researchers differs between openings of 2% and 20% by a paired z ≥ 3 (300 runs, common
/// seeds); in the baseline the same move changes it by less than 0.5 pp.
#[test]
fn openings_bind_when_firms_compete() {
    let partners = |sets: &[&str]| -> Vec<f64> {
        runs(&with(sets), 300, 36)
            .iter()
            .map(|r| r.timeseries[17].talent_share_partners)
            .collect()
    };
    let war = ["talent.search_hazard=0.08", "talent.switching_cost=0.5"];
    let tight = partners(&[war[0], war[1], "talent.openings_share=0.02"]);
    let loose = partners(&[war[0], war[1], "talent.openings_share=0.2"]);
    let z = support::paired_z(&loose, &tight);
    let avg = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    println!(
        "FIGURE openings, talent war: partners {:.3} (openings 0.2) vs {:.3} (0.02), z {z:.1}",
        avg(&loose),
        avg(&tight)
    );
    assert!(z.abs() >= 3.0, "openings do not bind in a talent war: z {z:.1}");
    let calm = avg(&partners(&["talent.openings_share=0.2"])) - avg(&partners(&["talent.openings_share=0.02"]));
    println!("FIGURE openings, baseline: partners differ by {calm:.4}");
    assert!(calm.abs() < 0.005, "openings bind in ordinary months: {calm:.4}");
}
