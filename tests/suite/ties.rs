//! Ties besides the headline partnership (`[[partnerships]]`, issue 35): their checks
//! against the roster, their tranches, their compute, and `partnerships.csv`.

use crate::common::*;
use crate::support;
use coopetition::scenario::Segment::DeveloperApi;
use coopetition::sim::RunResult;
use coopetition::world::resources::TickMetrics;

#[test]
fn partnerships_csv_has_every_tie_and_the_headline_follows_the_outcome() {
    let t = tmp();
    let out = t.path().join("r");
    let o = run(&["run", "--runs", "300", "--seed", "9", "--out", s(&out), "--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let outcomes = String::from_utf8(read(out.join("outcomes.csv"))).unwrap();
    let ties = String::from_utf8(read(out.join("partnerships.csv"))).unwrap();
    let mut lines = ties.lines();
    assert_eq!(
        lines.next(),
        Some("run,partnership,investor,lab,outcome,route,month,stake,invested")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 3 * 300, "three ties per run");
    let header: Vec<&str> = outcomes.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let mut amazon = Vec::new();
    for (run, line) in outcomes.lines().skip(1).enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        let mine: Vec<&Vec<&str>> = rows.iter().filter(|r| r[0] == run.to_string()).collect();
        let names: Vec<&str> = mine.iter().map(|r| r[1]).collect();
        assert_eq!(names, ["investor-lab", "amazon-anthropic", "google-anthropic"]);
        // The headline row is the run's outcome, route and month.
        let h = mine[0];
        assert_eq!(
            (h[4], h[5], h[6]),
            (f[col("outcome")], f[col("outcome_route")], f[col("outcome_tick")])
        );
        // Every tranche of the baseline falls due within 18 months and is paid once.
        assert_eq!(mine[1][8], "6.750");
        assert_eq!(mine[2][8], "2.500");
        amazon.push(mine[1][7].parse::<f64>().unwrap());
    }
    // Amazon's stake: 0.07 at the start, its $6.75 bn bought at the independent lab's value
    // (about $13 bn in March 2024, $25 bn in November; measured median 0.27), diluted by
    // Google's tranches and the lab's rounds. Both bounds fail a tranche not paid or paid twice, or a stake bought
    // at a value off by a factor of two.
    amazon.sort_by(f64::total_cmp);
    let median = amazon[amazon.len() / 2];
    println!("FIGURE amazon-anthropic stake at month 18: median {median:.3}");
    assert!((0.2..=0.42).contains(&median), "median stake {median:.3}");
}

#[test]
fn ties_are_checked_against_the_roster() {
    let t = tmp();
    let cases = [
        (
            "investor = \"amazn\"\nlab = \"anthropic\"",
            "partnerships.0.investor",
            "no company `amazn`",
        ),
        (
            "investor = \"amazon\"\nlab = \"google\"",
            "partnerships.0.lab",
            "not a frontier lab",
        ),
        (
            "investor = \"anthropic\"\nlab = \"anthropic\"",
            "partnerships.0.investor",
            "with itself",
        ),
        (
            "investor = \"investor\"\nlab = \"lab\"",
            "partnerships.0.lab",
            "`[partnership]`",
        ),
        (
            "investor = \"amazon\"\nlab = \"anthropic\"\nstake = 0.7\n[[partnerships]]\nname = \"y\"\ninvestor = \"google\"\nlab = \"anthropic\"\nstake = 0.4",
            "partnerships.0.stake",
            "sum to 1.100",
        ),
        (
            "investor = \"amazon\"\nlab = \"anthropic\"\ntranche_months = [3, 5]\ntranche_amounts = [1.0]",
            "partnerships.0.tranche_amounts",
            "one amount per tranche month",
        ),
        (
            "investor = \"amazon\"\nlab = \"anthropic\"\nstake = 0.2\nmax_stake = 0.15",
            "partnerships.0.max_stake",
            "below the starting stake",
        ),
        (
            "investor = \"meta\"\nlab = \"anthropic\"\ncompute_kgpu = 100",
            "partnerships.0.compute_kgpu",
            "has no cloud",
        ),
        (
            "investor = \"google\"\nlab = \"lab\"\ncompute_kgpu = 100",
            "partnerships.0.compute_kgpu",
            "only an independent lab",
        ),
    ];
    for (i, (body, field, message)) in cases.iter().enumerate() {
        let text = format!("name = \"t{i}\"\n\n[[partnerships]]\nname = \"x\"\n{body}\n");
        assert_refused(t.path(), &format!("tie{i}.toml"), &text, field, message);
    }
    // `--set` reaches a tie's field by name or index, and says how for the registry form.
    let o = run(&[
        "run",
        "--runs",
        "2",
        "--out",
        s(&t.path().join("set")),
        "--quiet",
        "--set",
        "partnerships.amazon-anthropic.tranche_amounts=[1.0, 1.0]",
        "--set",
        "partnerships.1.stake=0.12",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(&["run", "--runs", "2", "--quiet", "--set", "partnerships[].stake=0.2"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("partnerships.amazon-anthropic.stake"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_ties_money_raises_the_independent_labs_cash() {
    // Paired on common seeds (1,000 runs, seed 13): the baseline's tranches against none.
    // The cash at month 18 rises by less than was paid in: the lab spends part of it on
    // compute and staff.
    let n = 1000;
    let with_ties = support::runs(&support::with(&[]), n, 13);
    let none = support::runs(
        &support::with(&[
            "partnerships.0.tranche_amounts=[0.0, 0.0]",
            "partnerships.1.tranche_amounts=[0.0, 0.0]",
        ]),
        n,
        13,
    );
    let anthropic = support::with(&[])
        .companies
        .iter()
        .position(|c| c.name == "anthropic")
        .unwrap();
    let diffs: Vec<f64> = with_ties
        .iter()
        .zip(&none)
        .map(|(a, b)| a.timeseries[17].cash[anthropic] - b.timeseries[17].cash[anthropic])
        .collect();
    let mean = diffs.iter().sum::<f64>() / n as f64;
    let sd = (diffs.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0)).sqrt();
    let z = mean / (sd / (n as f64).sqrt()).max(1e-12);
    println!("FIGURE ties' tranches: the independent lab's cash at month 18 {mean:+.2} $bn (paired z {z:.1})");
    // 9.25 $bn paid in; part of it is spent on compute and hiring by month 18.
    assert!((1.0..=9.25).contains(&mean), "cash difference {mean:.2}");
    assert!(z >= 3.0, "z {z:.2}");
}

/// Per run: the CMA's phase 2 references of ties, and whether each tie's reviews all ended
/// `no_jurisdiction` (amazon, google).
fn tie_reviews(rs: &[coopetition::sim::RunResult]) -> (f64, f64, f64) {
    let n = rs.len() as f64;
    let phase2: usize = rs
        .iter()
        .map(|r| {
            r.events
                .iter()
                .filter(|e| e.kind == "review_phase2" && e.detail.starts_with("tie "))
                .count()
        })
        .sum();
    let outside = |tie: &str| {
        rs.iter()
            .filter(|r| {
                let closed: Vec<_> = r
                    .events
                    .iter()
                    .filter(|e| e.actor == "uk_cma" && e.detail.contains(&format!("tie {tie}")))
                    .filter(|e| e.kind != "review_opened")
                    .collect();
                !closed.is_empty() && closed.iter().all(|e| e.detail.starts_with("no_jurisdiction"))
            })
            .count() as f64
            / n
    };
    (
        phase2 as f64 / n,
        outside("amazon-anthropic"),
        outside("google-anthropic"),
    )
}

#[test]
fn the_cma_finds_the_ties_outside_its_jurisdiction_while_turnover_is_small() {
    // Issue 35.3. The record: the CMA found no relevant merger situation in
    // Amazon–Anthropic (the independent lab's UK turnover under £70 M, no 25% share of
    // supply) and Google–Anthropic, and sent none of the AI partnerships it examined to
    // phase 2. Baseline, 2,000 runs, seed 5: the CMA reviews each tie once per level of
    // influence it reaches; phase 2 per run at most 0.5 (measured 0), both ties outside
    // jurisdiction in at least 80% of runs (measured 1.000 and 1.000).
    //
    // Once turnover is no bar (all of the lab's revenue earned in the UK; 300 runs), the
    // terms and the lab's compute dependency decide: Amazon's non-voting holding with first
    // access and its consultation rights reaches the material-influence threshold of the
    // indicator through the lab's dependency on AWS (measured 0.000 outside), without the
    // consultation rights it falls short (measured 1.000 outside).
    let n = 2000;
    let (phase2, amazon, google) = tie_reviews(&support::runs(&support::with(&[]), n, 5));
    let uk = [
        "regulation.uk_revenue_share=1",
        "partnerships.amazon-anthropic.first_access=true",
    ];
    let (_, consulted, _) = tie_reviews(&support::runs(&support::with(&uk), 300, 5));
    let unconsulted = [uk[0], uk[1], "partnerships.amazon-anthropic.consultation=false"];
    let (_, not_consulted, _) = tie_reviews(&support::runs(&support::with(&unconsulted), 300, 5));
    println!(
        "FIGURE tie reviews: phase 2 per run {phase2:.3}; outside UK jurisdiction amazon {amazon:.3}, google {google:.3}; amazon with UK turnover and first access {consulted:.3}, without consultation rights {not_consulted:.3}"
    );
    assert!(phase2 <= 0.5, "phase 2 per run {phase2:.3}");
    assert!(
        amazon >= 0.8 && google >= 0.8,
        "outside: amazon {amazon:.3}, google {google:.3}"
    );
    assert!(consulted <= 0.2, "with consultation rights: {consulted:.3} outside");
    assert!(
        not_consulted >= 0.8,
        "without consultation rights: {not_consulted:.3} outside"
    );
}

/// Runs in which `authority` opened a review of Amazon's tie whose detail contains `what`,
/// and the months it did so.
fn opened(rs: &[RunResult], authority: &str, what: &str) -> (f64, Vec<u32>) {
    let mut months = Vec::new();
    let runs = rs
        .iter()
        .filter(|r| {
            let e = r.events.iter().find(|e| {
                e.kind == "review_opened"
                    && e.actor == authority
                    && e.detail.starts_with("tie amazon-anthropic")
                    && e.detail.contains(what)
            });
            months.extend(e.map(|e| e.tick));
            e.is_some()
        })
        .count();
    (runs as f64 / rs.len() as f64, months)
}

/// A scenario of one dated `set` event on Amazon's tie.
fn with_event(month: u32, field: &str, value: &str) -> coopetition::scenario::Scenario {
    let t = tmp();
    let file = t.path().join("event.toml");
    std::fs::write(
        &file,
        format!(
            "name = \"event\"\n[[events]]\nmonth = {month}\naction = \"set\"\nparam = \"partnerships.amazon-anthropic.{field}\"\nvalue = {value}\n"
        ),
    )
    .unwrap();
    coopetition::scenario::load_scenario_file(&file).unwrap()
}

#[test]
fn each_authority_reads_the_ties_terms() {
    // Issue 35: votes, board role and consultation rights on a tie decide each authority's
    // test (300 runs, seed 5). Baseline (Amazon's holding non-voting, no seat): only the
    // CMA looks, and never at a change of terms; neither the FTC (no voting securities
    // acquired) nor the Commission (no control).
    //
    // - A conversion into voting stock by an event in month 8 is an acquisition of voting
    //   securities worth more than the HSR threshold: the FTC reviews it that month
    //   (measured every run, all in month 8).
    // - A voting stake taken above one half by the March tranche (starting at 0.45) is an
    //   acquisition of control the Commission reviews (measured 0.51: in the rest the
    //   tranche leaves the stake below one half), and jurisdiction, judged on the
    //   transaction, is not lost when later tranches dilute the stake: none of those
    //   reviews ends `no_jurisdiction`.
    // - A board seat given by an event in month 8 is a new level of influence (material)
    //   the CMA reviews (measured 0.94: in the rest the first review was still open and
    //   took the seat in).
    let (runs, with) = (support::runs, support::with);
    let base = runs(&with(&[]), 300, 5);
    let (ftc0, _) = opened(&base, "us_ftc", "");
    let (eu0, _) = opened(&base, "eu_commission", "");
    let (terms0, _) = opened(&base, "uk_cma", "terms changed");
    let converted = runs(&with_event(8, "voting", "true"), 300, 5);
    let (ftc, ftc_months) = opened(&converted, "us_ftc", "converted into voting stock");
    let control = runs(
        &with(&[
            "partnerships.amazon-anthropic.voting=true",
            "partnerships.amazon-anthropic.stake=0.45",
        ]),
        300,
        5,
    );
    let (eu, _) = opened(&control, "eu_commission", "legal control");
    let eu_lost = control
        .iter()
        .flat_map(|r| &r.events)
        .filter(|e| e.actor == "eu_commission" && e.detail.starts_with("no_jurisdiction: tie"))
        .count();
    let seat = runs(&with_event(8, "board", "\"seat\""), 300, 5);
    let (cma_seat, _) = opened(&seat, "uk_cma", "terms changed; material influence");
    println!(
        "FIGURE tie terms: FTC on a conversion {ftc:.3} (baseline {ftc0:.3}); EU on a voting majority {eu:.3} (baseline {eu0:.3}), lost jurisdiction {eu_lost}; CMA on a seat {cma_seat:.3} (baseline {terms0:.3})"
    );
    assert_eq!((ftc0, eu0, terms0), (0.0, 0.0, 0.0));
    assert!(
        ftc >= 0.9 && ftc_months.iter().all(|&m| m == 8),
        "FTC on a conversion {ftc:.3} {ftc_months:?}"
    );
    assert!((0.2..=0.9).contains(&eu), "EU with a voting majority {eu:.3}");
    assert_eq!(eu_lost, 0, "EU reviews of an acquisition of control lost jurisdiction");
    assert!((0.6..=0.99).contains(&cma_seat), "CMA on a seat {cma_seat:.3}");
}

#[test]
fn a_structural_finding_against_a_tie_sells_the_stake() {
    // A context where the CMA has jurisdiction and finds harm (all revenue earned in the UK,
    // Amazon's holding voting, strict, every adverse finding structural, 36 months; 300
    // runs, seed 5): some orders
    // against Amazon's tie take effect; each such tie ends in divestiture with its stake
    // sold, after the order and a `tie_separation` event.
    let rs = support::runs(
        &support::with(&[
            "regulation.uk_revenue_share=1",
            "partnerships.amazon-anthropic.voting=true",
            "regulation.stringency=5",
            "regulation.divest_propensity=1",
            "regulation.adverse_harm=50",
            "horizon_months=36",
        ]),
        300,
        5,
    );
    let mut divested = 0;
    let mut by_cma = 0;
    for r in &rs {
        let tie = &r.partnerships[1];
        if tie.outcome != coopetition::outcome::Outcome::Divestiture {
            continue;
        }
        divested += 1;
        // The CMA (material influence) or, the holding being voting and reportable, the FTC.
        assert!(
            ["cma:stake", "ftc:stake"].contains(&tie.route.as_str()) && tie.stake == 0.0,
            "{} {}",
            tie.route,
            tie.stake
        );
        let order = r
            .events
            .iter()
            .find(|e| e.kind == "decision" && e.detail.starts_with("divest: tie amazon-anthropic"))
            .expect("an order");
        let sale = r
            .events
            .iter()
            .find(|e| e.kind == "tie_separation" && e.actor == "amazon")
            .expect("a sale");
        assert!(
            order.tick < sale.tick && sale.tick == tie.month,
            "{order:?} {sale:?} {tie:?}"
        );
        by_cma += usize::from(tie.route == "cma:stake");
    }
    println!("FIGURE forced tie divestitures: {divested} of 300 runs, {by_cma} by the CMA");
    // Measured 161 of 300, all by the CMA (the FTC litigates first): a floor far below, a ceiling short of
    // every run (Amazon's tie is not always found against in time).
    assert!(
        (30..=280).contains(&divested),
        "{divested} divestitures of Amazon's tie"
    );
}

/// The independent lab's index in the baseline roster.
fn independent_lab() -> usize {
    let s = support::with(&[]);
    s.companies.iter().position(|c| c.name == "anthropic").unwrap()
}

/// Each run's value at month `m` (1-based) of `f` over its month's metrics.
fn at_month(rs: &[RunResult], m: usize, f: impl Fn(&TickMetrics) -> f64) -> Vec<f64> {
    rs.iter().map(|r| f(&r.timeseries[m - 1])).collect()
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

#[test]
fn the_independent_lab_grows_through_its_ties() {
    // Issue 35.2 and 35.4 (baseline, 2,000 runs, seed 5). The record: Anthropic's share of
    // enterprise model APIs went from 12% (2023) to 24% (2024, Menlo Ventures), its
    // revenue from about $0.1 bn annualised to several $bn, its staff grew.
    let n = 2000;
    let ind = independent_lab();
    let api = DeveloperApi.index();
    let base = support::runs(&support::with(&[]), n, 5);
    // Google's tranches never take it past its 15% cap (it starts at 10%; without the cap
    // it passes 15% in about one run in eight).
    let google = base
        .iter()
        .flat_map(|r| r.timeseries.iter().map(|m| m.ties[1][0]))
        .fold(0.0, f64::max);
    assert!(google <= 0.15 + 1e-12, "google's stake reached {google:.4}");
    let share = |rs: &[RunResult], m| at_month(rs, m, |t| t.shares[api][ind]);
    let (api1, api18) = (median(share(&base, 1)), median(share(&base, 18)));
    let revenue = |m| median(at_month(&base, m, |t| t.revenue[ind]));
    let staff = |m| median(at_month(&base, m, |t| f64::from(t.headcount[ind])));
    let growth = revenue(18) / revenue(1);
    println!(
        "FIGURE independent lab, medians month 1 → 18: API share {api1:.4} → {api18:.4}; revenue ×{growth:.2}; headcount {} → {}",
        staff(1),
        staff(18)
    );
    // Revenue at least ×3 (the issue) and short of the record's ×40 (its 2025 pace needs
    // what the model does not have: Claude Code, agentic coding); staff above month 1.
    // The API share gains at least 4 pp (the issue) and at most 20 pp: the record's pace
    // was 12 pp in 2024 and 8 pp more by mid-2025 (Menlo Ventures, 24% → 32%).
    assert!((3.0..=15.0).contains(&growth), "revenue ×{growth:.2}");
    assert!(
        (0.04..=0.20).contains(&(api18 - api1)),
        "API share {api1:.4} → {api18:.4}"
    );
    assert!(staff(18) > staff(1), "headcount {} → {}", staff(1), staff(18));

    // 35.4: directions, paired on common seeds (z ≥ 3). More Amazon compute (450 kGPU:
    // ahead of the lab's own plan from about month 15) raises the share at month 18; no
    // ties (no tranches, no commitments) lowers it.
    let more = support::runs(
        &support::with(&["partnerships.amazon-anthropic.compute_kgpu=450"]),
        n,
        5,
    );
    let mut bare = support::with(&[]);
    bare.partnerships.clear();
    let none = support::runs(&bare, n, 5);
    let z_more = support::paired_z(&share(&more, 18), &share(&base, 18));
    let z_none = support::paired_z(&share(&none, 18), &share(&base, 18));
    // Without the Vertex AI listing (the compute and money unchanged) the share is lower.
    let unlisted = support::runs(
        &support::with(&["partnerships.google-anthropic.marketplace=false"]),
        n,
        5,
    );
    let z_unlisted = support::paired_z(&share(&unlisted, 18), &share(&base, 18));
    // Without Amazon's commitment (its money and listing unchanged) the share is lower: the
    // commitment exceeds AWS's part of the lab's plan from about month 6, a small addition.
    let uncommitted = support::runs(&support::with(&["partnerships.amazon-anthropic.compute_kgpu=0"]), n, 5);
    let z_uncommitted = support::paired_z(&share(&uncommitted, 18), &share(&base, 18));
    println!(
        "FIGURE independent lab API share at month 18, paired z: Amazon compute ×1.5 {z_more:.1}; no ties {z_none:.1}; not on Vertex AI {z_unlisted:.1}; no Amazon commitment {z_uncommitted:.1}"
    );
    assert!(z_uncommitted <= -3.0, "no Amazon commitment: z {z_uncommitted:.1}");
    assert!(z_more >= 3.0, "more committed compute: z {z_more:.1}");
    assert!(z_none <= -3.0, "no ties: z {z_none:.1}");
    assert!(z_unlisted <= -3.0, "no Vertex AI listing: z {z_unlisted:.1}");
}

#[test]
fn a_dated_event_changes_a_ties_terms_from_its_month() {
    // `[[events]]` `set` on a tie's field applies from its month on (MODEL.md §7.0): Amazon's
    // commitment doubled in month 6 leaves months 1-5 as in the baseline and raises the
    // committed compute from month 6 (baseline ramp 15 kGPU a month from month 3: 60 kGPU
    // in month 6, 120 with the doubled commitment).
    let t = tmp();
    let file = t.path().join("s.toml");
    std::fs::write(
        &file,
        "name = \"dated\"\n[[events]]\nmonth = 6\naction = \"set\"\nparam = \"partnerships.amazon-anthropic.compute_kgpu\"\nvalue = 600\n",
    )
    .unwrap();
    let (base, dated) = (t.path().join("b"), t.path().join("d"));
    for (args, out) in [(vec![], &base), (vec![s(&file)], &dated)] {
        let mut a = vec!["run"];
        a.extend(args);
        a.extend(["--runs", "20", "--seed", "4", "--out", s(out), "--quiet"]);
        let o = run(&a);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    let committed = |dir: &std::path::Path| -> Vec<(u32, f64)> {
        let text = String::from_utf8(read(dir.join("timeseries.csv"))).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let col = header
            .iter()
            .position(|h| *h == "tie_compute_amazon-anthropic")
            .unwrap();
        lines
            .filter(|l| l.starts_with("0,"))
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                (f[1].parse().unwrap(), f[col].parse().unwrap())
            })
            .collect()
    };
    let (b, d) = (committed(&base), committed(&dated));
    for ((month, x), (_, y)) in b.iter().zip(&d) {
        if *month < 6 {
            assert_eq!(x, y, "month {month}: before the event");
        } else if *month <= 18 {
            assert!(y > x, "month {month}: {y} not above the baseline's {x}");
        }
    }
    assert_eq!((b[5], d[5]), ((6, 60.0), (6, 120.0)));
}

/// A scenario file's text with the baseline and `events` appended, loaded as `validate`
/// and `run` load it.
fn with_events(events: &str) -> coopetition::scenario::Scenario {
    let t = tmp();
    let file = t.path().join("events.toml");
    std::fs::write(&file, format!("name = \"events\"\n{events}")).unwrap();
    coopetition::scenario::load_scenario_file(&file).unwrap()
}

#[test]
fn a_dated_event_creates_a_tie() {
    // Issue 35: `[[events]]` `action = "tie"` creates a tie in its month (300 runs, seed 5):
    // the headline investor takes a stake in the independent lab in month 6 with $5 bn and
    // 300 kGPU of Azure (Microsoft's November 2025 investment in Anthropic, with its
    // $30 bn Azure commitment, brought forward), and gives itself a board observer by a
    // `set` on the new tie in month 9.
    let n = 300;
    let created = with_events(
        "[[events]]\nmonth = 6\naction = \"tie\"\nname = \"investor-anthropic\"\ninvestor = \"investor\"\nlab = \"anthropic\"\namount = 5.0\nkgpu = 300\n\
         [[events]]\nmonth = 9\naction = \"set\"\nparam = \"partnerships.investor-anthropic.board\"\nvalue = \"observer\"\n",
    );
    assert_eq!(created.partnerships.len(), 3, "the event is a tie from setup");
    assert!(created.events.iter().all(|e| e.action != "tie"));
    let base = support::runs(&support::with(&[]), n, 5);
    let rs = support::runs(&created, n, 5);
    let stake = |m: usize| at_month(&rs, m, |t| t.ties[2][0]);
    // No stake before month 6; in month 6 the $5 bn buys 5/(V + 5) of a lab worth about
    // $15-45 bn then (0.10-0.25): both bounds fail a tranche not paid, paid twice, or
    // bought at a value off by a factor of two.
    assert!(stake(5).iter().all(|&x| x == 0.0));
    let bought = median(stake(6));
    // The committed compute is served from month 6 on, as the tie's ramp has it.
    let compute = median(at_month(&rs, 7, |t| t.ties[2][1]));
    // The independent lab grows with a third partner's money and compute (paired z ≥ 3).
    let (ind, api) = (independent_lab(), DeveloperApi.index());
    let share = |rs: &[RunResult]| at_month(rs, 18, |t| t.shares[api][ind]);
    let z = support::paired_z(&share(&rs), &share(&base));
    // The CMA looks at the acquisition in its month (a change of a tie it has not
    // reviewed); the Commission does not (a 10-25% stake is no control).
    let opened_in = |authority: &str| -> Vec<u32> {
        rs.iter()
            .filter_map(|r| {
                r.events
                    .iter()
                    .find(|e| {
                        e.kind == "review_opened"
                            && e.actor == authority
                            && e.detail.starts_with("tie investor-anthropic")
                    })
                    .map(|e| e.tick)
            })
            .collect()
    };
    let (cma, eu) = (opened_in("uk_cma"), opened_in("eu_commission"));
    println!(
        "FIGURE tie created by an event in month 6: median stake {bought:.3}, compute month 7 {compute:.1} kGPU; independent lab's API share at 18 paired z {z:+.1}; CMA reviews {} of {n} (months {:?}), EU {}",
        cma.len(),
        cma.iter().min().zip(cma.iter().max()),
        eu.len()
    );
    assert!((0.08..=0.3).contains(&bought), "stake bought in month 6 {bought:.3}");
    assert!(
        (10.0..=60.0).contains(&compute),
        "compute served in month 7 {compute:.1}"
    );
    assert!(z >= 3.0, "independent lab's API share with the new tie: z {z:+.1}");
    assert!(cma.len() as f64 >= 0.9 * n as f64, "CMA reviews {}", cma.len());
    assert!(cma.iter().all(|&m| m == 6), "CMA review months {cma:?}");
    assert!(eu.is_empty(), "EU reviews {}", eu.len());
}

#[test]
fn a_tie_event_is_checked_like_a_tie() {
    let t = tmp();
    let event = |body: &str| format!("[[events]]\nmonth = 4\naction = \"tie\"\n{body}\n");
    let cases = [
        (
            event("name = \"x\"\ninvestor = \"amazon\"\nlab = \"antropic\"\namount = 1.0"),
            "events.0.lab",
            "no company `antropic`",
        ),
        (
            event("name = \"x\"\ninvestor = \"investor\"\nlab = \"lab\"\namount = 1.0"),
            "events.0.lab",
            "`[partnership]`",
        ),
        (
            event("name = \"amazon-anthropic\"\ninvestor = \"meta\"\nlab = \"anthropic\"\namount = 1.0"),
            "events.0.name",
            "already names a partnership",
        ),
        (
            event("name = \"x\"\ninvestor = \"meta\"\nlab = \"anthropic\"\namount = 1.0\nkgpu = 10"),
            "events.0.kgpu",
            "has no cloud",
        ),
        (
            event("name = \"x\"\ninvestor = \"meta\"\nlab = \"anthropic\"\namount = -1.0"),
            "events.0.amount",
            "out of range",
        ),
        (
            event("name = \"x\"\ninvestor = \"meta\"\nlab = \"anthropic\""),
            "events.0.amount",
            "missing",
        ),
        // A `set` on the new tie before its month names no partnership yet.
        (
            "[[events]]\nmonth = 3\naction = \"set\"\nparam = \"partnerships.x.board\"\nvalue = \"seat\"\n".to_string()
                + &event("name = \"x\"\ninvestor = \"meta\"\nlab = \"anthropic\"\namount = 1.0"),
            "events.0.value",
            "no entry `x` in `partnerships`",
        ),
    ];
    for (i, (body, field, message)) in cases.iter().enumerate() {
        let text = format!("name = \"t{i}\"\n{body}");
        assert_refused(t.path(), &format!("tie-event{i}.toml"), &text, field, message);
    }
}

/// `validate` refuses the scenario `text` written to `dir/file` with exit 2 and
/// `file:line:column: field `field`: ... message`, without a panic.
fn assert_refused(dir: &std::path::Path, file: &str, text: &str, field: &str, message: &str) {
    let f = write(dir, file, text);
    let o = run(&["validate", s(&f)]);
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(err.contains(&format!("{file}:")), "{err}");
    assert!(err.contains(&format!("field `{field}`")), "{err}");
    assert!(err.contains(message), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn the_ftc_reviews_a_tie_only_when_its_holding_crosses_a_new_notification_threshold() {
    // HSR (16 CFR 801.1(h), 802.21): a filing covers later acquisitions up to the next
    // notification threshold. With both ties' stakes voting (300 runs, seed 5):
    // - Amazon's 7% at the start is worth under $1.195 bn (the lab $11-13 bn in month 1);
    //   its March 2024 tranche takes the holding past it, a new filing the FTC reviews in
    //   month 3 (every run); its November tranche is filed only where it takes the stake
    //   past 25%.
    // - Google's 14% at the start is already worth more than $1.195 bn, and its tranches stop
    //   at its 15% cap, short of 25%: no new threshold, so no filing and no FTC review,
    //   though each tranche acquires voting securities worth more than the HSR threshold.
    let rs = support::runs(
        &support::with(&[
            "partnerships.amazon-anthropic.voting=true",
            "partnerships.google-anthropic.voting=true",
            "partnerships.google-anthropic.stake=0.14",
        ]),
        300,
        5,
    );
    let ftc = |tie: &str, month: u32| -> Vec<f64> {
        rs.iter()
            .filter_map(|r| {
                r.events
                    .iter()
                    .find(|e| {
                        e.kind == "review_opened"
                            && e.actor == "us_ftc"
                            && e.tick == month
                            && e.detail.starts_with(&format!("tie {tie}:"))
                    })
                    .map(|e| {
                        let stake = e.detail.split("stake raised to ").nth(1).unwrap_or("0");
                        stake.split(';').next().unwrap_or("0").parse::<f64>().unwrap_or(0.0)
                    })
            })
            .collect()
    };
    let march = ftc("amazon-anthropic", 3);
    // November's change is filed in month 11, or later where the March review (a second
    // request takes about ten months) is still open then; not where the March tranche had
    // already taken the stake past 25% (measured: 4 runs, filed for in March).
    let november: Vec<f64> = (4..=18).flat_map(|m| ftc("amazon-anthropic", m)).collect();
    let google: usize = (1..=18).map(|m| ftc("google-anthropic", m).len()).sum();
    // The stake after November in each run (the tie's row at month 11).
    let past_quarter = rs.iter().filter(|r| r.timeseries[10].ties[0][0] >= 0.25).count();
    println!(
        "FIGURE HSR filings on voting ties: Amazon March {} of 300, November {} (runs past 25%: {past_quarter}); Google {google}",
        march.len(),
        november.len()
    );
    assert_eq!(march.len(), 300, "Amazon's March tranche crosses $1.195 bn");
    assert!(
        november.iter().all(|&s| s >= 0.245),
        "November filings below 25%: {november:?}"
    );
    assert!(
        november.len() <= past_quarter && november.len() * 10 >= past_quarter * 9,
        "{} later filings, {past_quarter} runs past 25%",
        november.len()
    );
    assert!((30..=270).contains(&past_quarter), "runs past 25% {past_quarter}");
    assert_eq!(google, 0, "Google's tranches cross no new threshold");
}
