//! Regulators in the simulation: when divestitures happen, who orders them, and how they
//! respond to stringency and to the absence of jurisdiction.
//!
//! Statistical design: fixed master seeds; paired comparisons run both settings on the same
//! seeds (common random numbers) and require a gap of at least 3 standard errors of the
//! difference, the standard error computed as for independent samples (conservative under
//! common random numbers).

use coopetition::outcome::Outcome;
use coopetition::scenario::Scenario;
use coopetition::sim::RunResult;

use crate::support;
use support::*;

/// Authorities whose `decision` events order a divestiture of the partnership.
fn divest_orders(rs: &[RunResult]) -> Vec<(String, u32)> {
    rs.iter()
        .flat_map(|r| r.events.iter())
        .filter(|e| e.kind == "decision" && e.detail.starts_with("divest: stake"))
        .map(|e| (e.actor.clone(), e.tick))
        .collect()
}

#[test]
fn divestitures_still_happen_after_month_24_at_longer_horizons() {
    for horizon in [36, 60] {
        let s = with(&[&format!("horizon_months={horizon}")]);
        let rs = runs(&s, 2000, 36);
        let late = rs
            .iter()
            .filter(|r| r.outcome == Outcome::Divestiture && r.outcome_tick > 24)
            .count();
        let orders_late = divest_orders(&rs).iter().filter(|(_, t)| *t > 24).count();
        println!(
            "FIGURE horizon {horizon}: divestiture {:.1}%, {late} separations and {orders_late} orders after month 24 (2000 runs)",
            100.0 * share(&rs, Outcome::Divestiture)
        );
        assert!(late >= 10, "horizon {horizon}: {late} divestitures after month 24");
    }
}

#[test]
fn without_jurisdiction_there_is_no_divestiture() {
    // No stake, no board seat, no exclusivity, no first access: the investor's influence
    // stays below material influence (K ≤ 0.2·compute share), so no authority has
    // jurisdiction over the partnership, whatever the stringency.
    let free = [
        "partnership.investor_stake=0",
        "partnership.board_seat=false",
        "partnership.exclusivity=none",
        "partnership.first_access=false",
    ];
    let base = runs(&with(&free), 2000, 42);
    let mut strict_sets = free.to_vec();
    strict_sets.push("regulation.stringency=3");
    let strict = runs(&with(&strict_sets), 2000, 42);
    let baseline = runs(&Scenario::default(), 2000, 42);
    let d = share(&baseline, Outcome::Divestiture);
    println!(
        "FIGURE no jurisdiction: divestiture {:.1}% (stringency 1), {:.1}% (stringency 3) vs baseline {:.1}%",
        100.0 * share(&base, Outcome::Divestiture),
        100.0 * share(&strict, Outcome::Divestiture),
        100.0 * d
    );
    // An absorption of the lab's staff is reviewable whatever the partnership's terms (it
    // is a new acquisition), so a divestiture can only be an unwound absorption here.
    let partnership_divestitures = |rs: &[RunResult]| {
        rs.iter()
            .filter(|r| {
                r.outcome == Outcome::Divestiture
                    && !r
                        .events
                        .iter()
                        .any(|e| e.kind == "separation" && e.detail.contains("unwound"))
            })
            .count()
    };
    assert_eq!(partnership_divestitures(&base), 0);
    assert_eq!(partnership_divestitures(&strict), 0);
    assert!(divest_orders(&base).is_empty() && divest_orders(&strict).is_empty());
    // The gap to the baseline is itself many SE (a one-sided z with p = 0 on one side).
    assert!(d / (d * (1.0 - d) / 2000.0).sqrt() >= 3.0, "baseline divestiture {d}");
    // Partnership reviews that open end for lack of jurisdiction, never in phase 2.
    assert!(
        strict
            .iter()
            .flat_map(|r| r.events.iter())
            .all(|e| !(e.kind == "review_phase2" && e.detail.starts_with("partnership")))
    );
}

#[test]
fn event_kinds_and_details_follow_the_documented_vocabulary() {
    let rs = runs(&with(&["horizon_months=36"]), 500, 44);
    for e in rs.iter().flat_map(|r| r.events.iter()) {
        let ok = match e.kind {
            "review_closed" => ["no_jurisdiction", "cleared", "commitments"]
                .iter()
                .any(|p| e.detail.starts_with(p)),
            "decision" => ["clear", "remedies", "divest", "block"]
                .iter()
                .any(|p| e.detail.starts_with(p)),
            "review_opened" | "review_phase2" => ["eu_commission", "uk_cma", "us_ftc"].contains(&e.actor.as_str()),
            _ => true,
        };
        assert!(ok, "{e:?}");
    }
    for kind in [
        "review_opened",
        "review_phase2",
        "review_closed",
        "decision",
        "undertaking",
        "separation",
    ] {
        assert!(
            rs.iter().flat_map(|r| r.events.iter()).any(|e| e.kind == kind),
            "no {kind} event in 500 runs of 36 months"
        );
    }
}

/// Runs whose events include one of `kind` by `actor` whose detail starts with `prefix`.
fn runs_with(rs: &[RunResult], kind: &str, actor: &str, prefix: &str) -> usize {
    rs.iter()
        .filter(|r| {
            r.events
                .iter()
                .any(|e| e.kind == kind && e.actor == actor && e.detail.starts_with(prefix))
        })
        .count()
}

#[test]
fn a_bid_is_reviewed_only_by_authorities_with_jurisdiction() {
    // Bids made frequent (crises make the lab weak, the investor always bids). By default
    // all three authorities have jurisdiction over a bid (EU: sole control; CMA: the
    // partners' combined share of supply ≥ 25%; FTC: the price above the HSR threshold).
    // Moving one authority's test out of reach removes exactly that authority's reviews.
    let bids = ["partnership.bid_propensity=1", "governance.crisis_rate=0.2"];
    let count = |extra: &[&str], actor: &str| {
        let rs = runs(&with(&[&bids[..], extra].concat()), 300, 46);
        runs_with(&rs, "review_opened", actor, "bid for control")
    };
    let authorities = ["eu_commission", "uk_cma", "us_ftc"];
    let default: Vec<usize> = authorities.iter().map(|a| count(&[], a)).collect();
    let no_cma: Vec<usize> = authorities
        .iter()
        .map(|a| count(&["regulation.share_of_supply=1"], a))
        .collect();
    let no_ftc: Vec<usize> = authorities
        .iter()
        .map(|a| count(&["regulation.hsr_threshold=1000"], a))
        .collect();
    println!(
        "FIGURE runs with a bid review (EU, CMA, FTC): default {default:?}, share_of_supply 1 {no_cma:?}, hsr 1000 {no_ftc:?}"
    );
    assert!(default.iter().all(|&c| c >= 20), "{default:?}");
    assert_eq!(no_cma[1], 0);
    assert!(no_cma[0] >= 20 && no_cma[2] >= 20, "{no_cma:?}");
    assert_eq!(no_ftc[2], 0);
    assert!(no_ftc[0] >= 20 && no_ftc[1] >= 20, "{no_ftc:?}");
}

#[test]
fn acquihires_are_reviewed_by_the_cma_and_the_ftc_not_the_eu() {
    // Acqui-hires of startups by any company are reviewable: the CMA when the buyer meets
    // the share-of-supply test, the FTC above the HSR threshold; never the EU (below the
    // EUMR thresholds, no Article 22 referral after Illumina/Grail).
    let rs = runs(&Scenario::default(), 500, 47);
    let opened = |actor: &str| runs_with(&rs, "review_opened", actor, "acqui-hire of");
    let (eu, cma, ftc) = (opened("eu_commission"), opened("uk_cma"), opened("us_ftc"));
    let buyers: std::collections::BTreeSet<&str> = rs
        .iter()
        .flat_map(|r| r.events.iter())
        .filter(|e| e.kind == "review_opened" && e.detail.starts_with("acqui-hire of"))
        .map(|e| e.target.as_str())
        .collect();
    println!("FIGURE runs with an acqui-hire review: EU {eu}, CMA {cma}, FTC {ftc}; buyers {buyers:?}");
    assert_eq!(eu, 0);
    assert!(cma >= 50 && ftc >= 50, "CMA {cma}, FTC {ftc}");
    assert!(buyers.len() >= 2, "acqui-hires reviewed for {buyers:?} only");
}

#[test]
fn an_absorption_is_reviewed_and_can_be_unwound() {
    // The investor's absorption of the lab's staff is a consummated acquisition of the
    // lab's business: all three authorities review it, and a structural finding unwinds it,
    // turning the acquisition into a divestiture. Crises made frequent and every adverse
    // finding structural so enough absorptions reach a decision within 36 months.
    let sets = [
        "governance.crisis_rate=0.15",
        "regulation.divest_propensity=1",
        "horizon_months=36",
    ];
    let rs = runs(&with(&sets), 1000, 48);
    let absorbed = rs
        .iter()
        .filter(|r| r.events.iter().any(|e| e.kind == "absorption"))
        .count();
    let reviewed = |actor: &str| runs_with(&rs, "review_opened", actor, "absorption of");
    let unwound: Vec<&RunResult> = rs
        .iter()
        .filter(|r| {
            r.events
                .iter()
                .any(|e| e.kind == "separation" && e.detail.contains("unwound"))
        })
        .collect();
    println!(
        "FIGURE absorptions {absorbed}; reviewed by EU {}, CMA {}, FTC {}; unwound {} (1,000 runs of 36 months)",
        reviewed("eu_commission"),
        reviewed("uk_cma"),
        reviewed("us_ftc"),
        unwound.len()
    );
    assert!(absorbed >= 100, "{absorbed} absorptions");
    assert_eq!(reviewed("eu_commission"), absorbed);
    assert_eq!(reviewed("uk_cma"), absorbed);
    assert_eq!(reviewed("us_ftc"), absorbed);
    assert!(unwound.len() >= 10, "{} unwound", unwound.len());
    for r in unwound {
        assert_eq!(
            r.outcome,
            Outcome::Divestiture,
            "an unwound absorption is a divestiture"
        );
    }
}

/// The month of the first event of each route in a run: the investor gaining a board seat
/// in a crisis, the absorption of the lab's staff, and for the ties (the run's reading lets
/// them suffice) the authority's in-depth investigation of the partnership.
fn route_month(r: &RunResult, route: &str, actor: &str) -> Option<u32> {
    r.events
        .iter()
        .find(|e| match route {
            "board_seat" => e.detail.contains("investor gains a board seat"),
            "absorption" => e.kind == "absorption",
            "ties" => e.kind == "review_phase2" && e.actor == actor && e.detail.starts_with("partnership"),
            _ => false,
        })
        .map(|e| e.tick)
}

/// The law's reading of de facto control in every run (docs/MODEL.md §7.8): a governance
/// right as well as ties. The baseline draws the article's reading in a minority of runs.
const LAW: [&str; 1] = ["regulation.ties_control_prob=0"];

/// Runs in which some authority opened phase 2 on the partnership as it stands: before any
/// board seat, bid or absorption gave it a change to review.
fn phase2_as_it_stands(rs: &[RunResult]) -> f64 {
    rs.iter()
        .filter(|r| {
            let first_change = ["board_seat", "absorption"]
                .iter()
                .filter_map(|route| route_month(r, route, ""))
                .chain(r.events.iter().filter(|e| e.kind == "bid").map(|e| e.tick))
                .min();
            r.events.iter().any(|e| {
                e.kind == "review_phase2"
                    && e.detail.starts_with("partnership")
                    && first_change.is_none_or(|t| t > e.tick)
            })
        })
        .count() as f64
        / rs.len() as f64
}

#[test]
fn the_partnership_as_it_stands_is_rarely_in_phase_2() {
    // Issue 34.3. The record: the Commission found no control (2024), the CMA material
    // influence since 2019 but no relevant merger situation (March 2025), the FTC ran a
    // 6(b) study, not a case. In the baseline the authorities hold that reading unless the
    // run draws the article's (`ties_control_prob`, 0.18): the open EU and CMA reviews
    // mostly end no_jurisdiction, and phase 2 on the partnership without a change first is
    // a minority of runs. Under the law's reading in every run, it never happens. 2,000
    // runs, seed 5.
    let n = 2000;
    let rs = runs(&Scenario::default(), n, 5);
    let as_it_stands = phase2_as_it_stands(&rs);
    let law = phase2_as_it_stands(&runs(&with(&LAW), n, 5));
    let closed = |actor: &str| {
        rs.iter()
            .filter(|r| {
                r.events.iter().any(|e| {
                    e.kind == "review_closed"
                        && e.actor == actor
                        && e.detail.starts_with("no_jurisdiction")
                        && e.detail.contains(" over ")
                })
            })
            .count() as f64
            / n as f64
    };
    let (eu, cma) = (closed("eu_commission"), closed("uk_cma"));
    println!(
        "FIGURE as it stands: phase 2 {as_it_stands:.3} of runs (law's reading {law:.3}); no_jurisdiction EU {eu:.3}, CMA {cma:.3}"
    );
    // Measured 0.101 (SE 0.007): the ceiling 0.15, and a floor (the article's
    // reading must still be able to open phase 2) 4 SE below.
    assert!(
        (0.07..=0.15).contains(&as_it_stands),
        "phase 2 as it stands in {as_it_stands:.3} of runs"
    );
    assert_eq!(law, 0.0, "phase 2 as it stands under the law's reading");
    // Measured 0.84 / 0.69 (SE about 0.01): both bounds about 6 SE away.
    assert!((0.78..=0.9).contains(&eu), "EU no_jurisdiction in {eu:.3} of runs");
    assert!((0.62..=0.76).contains(&cma), "CMA no_jurisdiction in {cma:.3} of runs");
}

#[test]
fn every_divestiture_follows_the_route_that_gave_jurisdiction() {
    // Issue 34.3. Each divestiture records `<authority>:<route>` in its separation event,
    // and the route's event (a board seat gained, an absorption, or for the ties the
    // authority's in-depth investigation of the partnership) precedes the order. Baseline,
    // 3,000 runs, seed 46.
    let n = 3000;
    let rs = runs(&Scenario::default(), n, 46);
    let mut months = std::collections::BTreeMap::new();
    let mut routes = std::collections::BTreeMap::new();
    for r in rs.iter().filter(|r| r.outcome == Outcome::Divestiture) {
        let sep = r
            .events
            .iter()
            .find(|e| e.kind == "separation")
            .expect("separation event");
        let label = sep.detail.rsplit("route ").next().unwrap_or("").to_string();
        let (authority, route) = label.split_once(':').unwrap_or_else(|| panic!("no route in {sep:?}"));
        let actor = match authority {
            "eu" => "eu_commission",
            "cma" => "uk_cma",
            "ftc" => "us_ftc",
            other => panic!("authority {other} in {label}"),
        };
        let order = r
            .events
            .iter()
            .find(|e| e.kind == "decision" && e.detail.starts_with("divest") && e.detail.ends_with(&label))
            .unwrap_or_else(|| panic!("no divest order for {label}"));
        let at = route_month(r, route, actor).unwrap_or_else(|| panic!("no {route} event before {label}"));
        assert!(at <= order.tick, "{route} in month {at}, order in month {}", order.tick);
        *months.entry(r.outcome_tick).or_insert(0usize) += 1;
        *routes.entry(label).or_insert(0usize) += 1;
    }
    let total: usize = months.values().sum();
    let d = total as f64 / n as f64;
    let largest = months.values().max().copied().unwrap_or(0) as f64 / total.max(1) as f64;
    println!(
        "FIGURE routes: divestiture {total} of {n} ({:.2}%); by route {routes:?}; by month {months:?}; largest month {:.0}%",
        100.0 * d,
        100.0 * largest
    );
    // The interval 2-8% (measured 2.5%, SE 0.3 points) and its ceiling of 35% of
    // divestitures in one month (measured 27% on 10,000 runs).
    assert!((0.02..=0.08).contains(&d), "divestiture {d:.4}");
    assert!(routes.len() >= 3, "routes {routes:?}");
    assert!(largest <= 0.35, "largest month {largest:.2}");
}

/// Paired differences in divestiture between two scenarios on common seeds: the mean
/// difference (B - A) and its z (mean over its standard error).
fn paired_divestiture(a: &Scenario, b: &Scenario, n: u64, seed: u64) -> (f64, f64) {
    let (ra, rb) = (runs(a, n, seed), runs(b, n, seed));
    let diffs: Vec<f64> = ra
        .iter()
        .zip(&rb)
        .map(|(x, y)| {
            f64::from(u8::from(y.outcome == Outcome::Divestiture))
                - f64::from(u8::from(x.outcome == Outcome::Divestiture))
        })
        .collect();
    let mean = diffs.iter().sum::<f64>() / n as f64;
    let var = diffs.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0);
    (mean, mean / (var / n as f64).sqrt().max(1e-12))
}

#[test]
fn divestiture_responds_to_stringency_and_to_the_crisis_rate() {
    // Paired on common seeds (seed 47): stricter authorities find harm and
    // choose structural remedies more often; more crises bring more board seats and
    // absorptions, the routes to jurisdiction (under the law's reading: under the
    // article's, the partnership is under review from the start and crises lead to
    // acquisitions instead). 8,000 runs: divestiture is rare under this reading (about
    // 0.5%), and a paired difference of 0.3 points needs them for z near 3.
    let n = 8000;
    let (ds, zs) = paired_divestiture(
        &with(&[&LAW[..], &["regulation.stringency=0.5"]].concat()),
        &with(&[&LAW[..], &["regulation.stringency=2"]].concat()),
        n,
        47,
    );
    let (dc, zc) = paired_divestiture(
        &with(&[&LAW[..], &["governance.crisis_rate=0.02"]].concat()),
        &with(&[&LAW[..], &["governance.crisis_rate=0.1"]].concat()),
        n,
        47,
    );
    println!(
        "FIGURE divestiture: stringency 0.5 -> 2 {:+.2} points (z {zs:.1}); crisis rate 0.02 -> 0.1 {:+.2} points (z {zc:.1})",
        100.0 * ds,
        100.0 * dc
    );
    assert!(zs >= 2.0, "stringency z {zs:.2}");
    assert!(zc >= 2.0, "crisis rate z {zc:.2}");
}
