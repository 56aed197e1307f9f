//! The parameter registry: unit, valid range and meaning of every scenario knob.
//!
//! One table serves validation, `--set` hints and the documentation test that keeps
//! `docs/MODEL.md` complete. Paths use `.`; `companies[]` stands for every roster entry.

use super::Scenario;

/// Metadata of one numeric (or boolean/enum) parameter.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    /// Dotted path as written in TOML and `--set`.
    pub path: &'static str,
    /// Unit, or `-` for dimensionless.
    pub unit: &'static str,
    /// Inclusive lower bound.
    pub min: f64,
    /// Inclusive upper bound.
    pub max: f64,
    /// One-line meaning.
    pub doc: &'static str,
}

const INF: f64 = f64::INFINITY;

macro_rules! p {
    ($path:expr, $unit:expr, $min:expr, $max:expr, $doc:expr) => {
        ParamSpec {
            path: $path,
            unit: $unit,
            min: $min as f64,
            max: $max as f64,
            doc: $doc,
        }
    };
}

/// Every numeric parameter with its range. Non-numeric knobs (enums, bools, strings)
/// are checked by serde; they are listed with NaN bounds so the docs test sees them.
pub const PARAMS: &[ParamSpec] = &[
    p!("horizon_months", "months", 1, 600, "ticks per run"),
    p!(
        "start",
        "YYYY-MM",
        f64::NAN,
        f64::NAN,
        "calendar month of month 1 (outputs carry a `date` column; \"\" for none)"
    ),
    p!(
        "partnership.exclusivity",
        "enum",
        f64::NAN,
        f64::NAN,
        "exclusive | rofr | none"
    ),
    p!(
        "partnership.investor_stake",
        "share",
        0,
        1,
        "investor's economic stake in the lab"
    ),
    p!(
        "partnership.first_access",
        "bool",
        f64::NAN,
        f64::NAN,
        "investor gets the lab's models first"
    ),
    p!(
        "partnership.info_sharing",
        "share",
        0,
        1,
        "fraction of the lab's know-how shared with the investor at start"
    ),
    p!(
        "partnership.board_seat",
        "bool",
        f64::NAN,
        f64::NAN,
        "investor holds a board (observer) seat at start"
    ),
    p!("partnership.tension_initial", "index", 0, 1, "tension at start"),
    p!(
        "partnership.tension_overlap_weight",
        "index",
        0,
        10,
        "tension level per unit of product overlap × contested share"
    ),
    p!(
        "partnership.tension_poach_weight",
        "index per share of skill",
        0,
        100,
        "tension level per share of the partners' researchers' skill moving between them in a month"
    ),
    p!(
        "partnership.tension_crisis_jump",
        "index",
        0,
        1,
        "tension added by a board crisis"
    ),
    p!(
        "partnership.tension_pace_weight",
        "index",
        0,
        10,
        "tension level per unit of the mean safety and pace gap"
    ),
    p!(
        "partnership.tension_compute_weight",
        "index",
        0,
        10,
        "tension level per unit of the lab's recent compute shortfall"
    ),
    p!(
        "partnership.tension_damping",
        "1/month",
        0,
        1,
        "share of the gap between tension and the conflict level closed each month"
    ),
    p!(
        "partnership.tension_noise",
        "index",
        0,
        1,
        "std. dev. of monthly tension shocks"
    ),
    p!(
        "partnership.sharing_cut_threshold",
        "index",
        0,
        1,
        "tension above which the lab slows information sharing"
    ),
    p!(
        "partnership.sharing_cut_rate",
        "1/month",
        0,
        1,
        "monthly relative cut of information sharing above that threshold"
    ),
    p!(
        "partnership.renegotiate_threshold",
        "index",
        0,
        1,
        "tension above which the partners open talks over a clash"
    ),
    p!(
        "partnership.renegotiate_rate",
        "1/month",
        0,
        1,
        "monthly probability that open talks (a clash, a compute shortfall or a rival cloud's offer) settle"
    ),
    p!(
        "partnership.renegotiate_shortfall",
        "share",
        0,
        1,
        "the lab's recent compute shortfall above which it presses to renegotiate exclusivity"
    ),
    p!(
        "partnership.renegotiate_price_gap",
        "share",
        0,
        1,
        "how much cheaper than what the lab pays the investor a rival cloud's price must be before the lab presses to renegotiate exclusivity"
    ),
    p!(
        "partnership.boundary_step",
        "share",
        0,
        1,
        "share of the unsettled product clash and governance disputes that settled talks after a clash resolve"
    ),
    p!(
        "partnership.renegotiate_interval",
        "months",
        0,
        600,
        "months after settled talks before new talks can settle"
    ),
    p!(
        "partnership.bargaining_weight",
        "share",
        0,
        1,
        "the lab's weight in the Nash bargaining over the partnership's surplus"
    ),
    p!(
        "partnership.tension_cost",
        "share of usage",
        0,
        100,
        "cost of the partnership's own unsettled disputes (safety and pace gaps) per unit, as a share of the partners' mean product usage"
    ),
    p!(
        "partnership.dissolve_rate",
        "1/month",
        0,
        1,
        "monthly probability the partners part once continuing is worth less to them than their outside options"
    ),
    p!(
        "partnership.bid_propensity",
        "1/month",
        0,
        1,
        "monthly probability that the investor bids for control of a weak lab"
    ),
    p!(
        "partnership.bid_min_stake",
        "share",
        0,
        1,
        "stake the investor needs before it bids"
    ),
    p!(
        "partnership.bid_premium",
        "share",
        0,
        10,
        "premium over the lab's standalone value the investor offers in a bid"
    ),
    p!(
        "partnership.board_reservation",
        "share",
        0,
        10,
        "mean premium over standalone value the lab's board requires to sell while the lab is weak (it never sells otherwise)"
    ),
    p!(
        "partnership.weak_capital_months",
        "months",
        0,
        120,
        "the lab is weak when its cash covers fewer months of burn than this"
    ),
    p!(
        "partnership.bid_failure_tension",
        "index",
        0,
        1,
        "tension added when a bid fails"
    ),
    p!(
        "partnership.valuation_multiple",
        "x annual usage",
        1e-6,
        1000,
        "the lab's standalone value as a multiple of its annualised product usage"
    ),
    p!(
        "partnership.rent_multiple",
        "x annual rents",
        0,
        1000,
        "multiple of annual profit at which the investor capitalises the partnership rents control would secure"
    ),
    p!(
        "partnership.fundraise_runway_months",
        "months",
        0,
        120,
        "the lab raises capital when its cash covers fewer months of operating burn than this (not during a crisis)"
    ),
    p!(
        "partnership.fundraise_months",
        "months",
        0,
        120,
        "months of operating burn a raise brings in"
    ),
    p!(
        "partnership.fundraise_success",
        "1/month",
        0,
        1,
        "monthly probability a raise the lab seeks closes (never during a crisis)"
    ),
    p!(
        "partnership.absorption_offer_prob",
        "share",
        0,
        1,
        "probability the investor offers to hire the lab's staff when a crisis strikes, before regulatory deterrence"
    ),
    p!(
        "partnership.absorption_review_risk",
        "per unit stringency",
        0,
        10,
        "risk per unit of regulatory stringency that an absorption is challenged; the investor offers with probability absorption_offer_prob·(1 − risk·stringency)"
    ),
    p!(
        "partnership.absorption_window_months",
        "months",
        1,
        24,
        "months an offer to hire the lab's staff stays open"
    ),
    p!(
        "partnership.absorption_pay_premium",
        "share",
        0,
        10,
        "pay premium of the investor's offer to the lab's staff"
    ),
    p!(
        "partnership.absorption_share",
        "share",
        0.01,
        1,
        "skill-weighted share of the lab's researchers whose move to the investor within the window means the investor absorbed the lab"
    ),
    p!(
        "partnership.crisis_exodus",
        "utility per unit severity",
        0,
        100,
        "loss of the lab's attraction to its own staff per unit of crisis severity during an offer"
    ),
    p!(
        "cloud.migration_cost",
        "x baseline",
        0,
        1000,
        "cost and disruption of moving workloads"
    ),
    p!(
        "cloud.migration_cost_per_kgpu",
        "$bn/kGPU",
        0,
        10,
        "one-off cost of moving one kGPU of workload (at migration_cost 1)"
    ),
    p!(
        "cloud.migration_disruption_months",
        "months",
        0,
        36,
        "months a moved workload is unavailable (at migration_cost 1)"
    ),
    p!(
        "cloud.migration_chunk",
        "share",
        0,
        1,
        "share of investor-hosted workload moved in one migration"
    ),
    p!(
        "cloud.migration_propensity",
        "1/month",
        0,
        1,
        "monthly probability of a migration when tension is high and allowed"
    ),
    p!(
        "cloud.migration_tension_threshold",
        "index",
        0,
        1,
        "tension above which the lab migrates"
    ),
    p!(
        "cloud.training_growth",
        "1/month",
        0,
        1,
        "monthly growth of the lab's training compute demand"
    ),
    p!(
        "cloud.demand_volatility",
        "1/month",
        0,
        1,
        "standard deviation of the monthly growth of the lab's training demand"
    ),
    p!(
        "cloud.training_share",
        "share",
        0,
        1,
        "share of the lab's demand that is training (rest inference)"
    ),
    p!(
        "cloud.initial_investor_share",
        "share",
        0,
        1,
        "share of the lab's compute on the investor's cloud at start"
    ),
    p!(
        "cloud.price_per_kgpu_month",
        "$bn/kGPU-month",
        1e-9,
        1,
        "list price of cloud compute at target utilization"
    ),
    p!(
        "cloud.price_slope",
        "x price per unit utilization",
        0,
        100,
        "price response to utilization above (below) target"
    ),
    p!("cloud.price_floor", "x list price", 1e-3, 1, "lowest price multiple"),
    p!("cloud.price_cap", "x list price", 1, 100, "highest price multiple"),
    p!(
        "cloud.price_elasticity",
        "-",
        0,
        50,
        "elasticity of customers' placement to a cloud's price relative to the others'"
    ),
    p!(
        "cloud.diversify_target",
        "share",
        0,
        1,
        "share of new demand the lab puts off the investor when free to"
    ),
    p!(
        "cloud.own_use_growth",
        "1/month",
        0,
        1,
        "monthly growth of firms' own AI compute (on their own cloud where they have one)"
    ),
    p!(
        "cloud.third_party_growth",
        "1/month",
        0,
        1,
        "monthly growth of the rest of the market's cloud demand"
    ),
    p!(
        "cloud.initial_utilization",
        "share",
        0.01,
        1,
        "utilization of every cloud at start (sets the rest of the market's load)"
    ),
    p!(
        "cloud.target_utilization",
        "share",
        0.01,
        1,
        "utilization clouds plan their builds for; the price is list price there"
    ),
    p!(
        "cloud.other_capacity",
        "kGPU",
        0,
        1e9,
        "capacity of the fringe of other clouds (Oracle, GPU specialists, ...)"
    ),
    p!(
        "cloud.other_build_rate",
        "1/month",
        0,
        1,
        "the fringe's maximum monthly build, share of its capacity"
    ),
    p!(
        "cloud.build_lead_months",
        "months",
        1,
        120,
        "lead time of a datacenter build (clouds' and the lab's)"
    ),
    p!(
        "cloud.build_size",
        "share of demand",
        0,
        10,
        "size of an own datacenter relative to the lab's demand"
    ),
    p!(
        "cloud.build_cost_per_kgpu",
        "$bn/kGPU",
        0,
        10,
        "capital cost of new capacity (financed, paid over depreciation_months)"
    ),
    p!(
        "cloud.build_propensity",
        "1/month",
        0,
        1,
        "monthly probability the lab starts a build of its own"
    ),
    p!(
        "cloud.depreciation_months",
        "months",
        1,
        600,
        "life over which a build's capital cost is paid"
    ),
    p!(
        "cloud.shortfall_quality_loss",
        "-",
        0,
        1,
        "loss of the lab's product quality per unit of compute shortfall"
    ),
    p!(
        "cloud.startup_compute_share",
        "share",
        0,
        1,
        "share of a startup's burn spent on cloud compute"
    ),
    p!(
        "cloud.startup_credit_weight",
        "1/$M",
        0,
        100,
        "weight of a cloud's startup credits in startups' choice of cloud"
    ),
    p!("research.productivity", "1/month", 0, 10, "capability growth scale"),
    p!(
        "research.compute_elasticity",
        "-",
        0,
        2,
        "exponent of compute in capability growth"
    ),
    p!(
        "research.talent_elasticity",
        "-",
        0,
        2,
        "exponent of researcher skill in capability growth"
    ),
    p!(
        "research.catch_up",
        "-",
        0,
        10,
        "elasticity of a firm's growth to its distance from the frontier (diffusion of ideas)"
    ),
    p!(
        "research.compute_ref",
        "kGPU",
        1e-9,
        INF,
        "compute that gives unit growth factor"
    ),
    p!(
        "research.talent_ref",
        "skill units",
        1e-9,
        INF,
        "skill sum that gives unit growth factor"
    ),
    p!(
        "research.spillover_rate",
        "1/month",
        0,
        1,
        "share of the capability gap the investor closes monthly through first access and sharing"
    ),
    p!(
        "research.noise",
        "-",
        0,
        5,
        "relative std. dev. of monthly research output"
    ),
    p!(
        "products.overlap",
        "index",
        0,
        1,
        "how directly the investor's and the lab's products compete"
    ),
    p!(
        "products.quality_weight",
        "utility per log ratio",
        0,
        100,
        "logit weight on log model quality (relative to the frontier)"
    ),
    p!(
        "products.distribution_weight",
        "utility",
        0,
        100,
        "logit weight on distribution reach"
    ),
    p!(
        "products.market_size",
        "$bn/month",
        0,
        1000,
        "revenue pool per segment (consumer, copilot, API, cloud AI)"
    ),
    p!(
        "products.market_growth",
        "1/month",
        0,
        1,
        "monthly growth of every segment"
    ),
    p!(
        "products.resale_margin",
        "share",
        0,
        1,
        "share of the investor's revenue on lab models paid back to the lab"
    ),
    p!(
        "products.startup_fringe_quality",
        "capability",
        0,
        10,
        "quality of the startup fringe at zero open-source strength"
    ),
    p!("startups.initial", "count", 0, 10_000_000, "startups at start"),
    p!(
        "startups.entry_rate",
        "1/month",
        0,
        1_000_000,
        "expected entries per month at zero concentration and open-source strength 0.5"
    ),
    p!(
        "startups.concentration_deterrence",
        "-",
        0,
        10,
        "how strongly segment concentration deters entry"
    ),
    p!("startups.failure_rate", "1/month", 0, 1, "base monthly failure hazard"),
    p!(
        "startups.acquisition_rate",
        "1/month",
        0,
        1,
        "monthly hazard that a big firm buys a startup"
    ),
    p!(
        "startups.acquihire_share",
        "share",
        0,
        1,
        "share of purchases that are acqui-hires (regulators watch those by the partners; staff join the buyer either way)"
    ),
    p!("startups.initial_cash", "$bn", 0, 1000, "cash of a new startup"),
    p!(
        "startups.burn_per_researcher",
        "$bn/month",
        0,
        1,
        "monthly burn per researcher"
    ),
    p!(
        "startups.growth_rate",
        "1/month",
        0,
        1,
        "monthly quality growth of a startup"
    ),
    p!(
        "startups.max_startups",
        "count",
        0,
        100_000_000,
        "cap on startups alive (memory guard: a cap, exempt from the dead-parameter test)"
    ),
    p!(
        "startups.founders",
        "researchers",
        0,
        1000,
        "founder seats of a new startup, filled by researchers who choose startup jobs"
    ),
    p!(
        "startups.venture_funding",
        "$bn/month",
        0,
        1000,
        "venture capital available to the startups each month"
    ),
    p!(
        "startups.round_months",
        "months",
        0,
        120,
        "months of burn a venture round raises"
    ),
    p!(
        "startups.raise_below_months",
        "months",
        0,
        120,
        "a startup seeks a round when its cash covers fewer months of burn"
    ),
    p!(
        "regulation.stringency",
        "x baseline",
        0,
        1000,
        "all authorities' propensity to find and act on harm (scales referral, adverse-finding and own-initiative hazards)"
    ),
    p!(
        "regulation.defacto_needs_board_seat",
        "bool",
        f64::NAN,
        f64::NAN,
        "de facto control needs a board seat as well as K >= control_threshold (the authorities' 2024-25 reading; the baseline: false)"
    ),
    p!(
        "regulation.control_threshold",
        "index",
        0,
        1,
        "control indicator K at or above which the investor has decisive influence (de facto control)"
    ),
    p!(
        "regulation.material_threshold",
        "index",
        0,
        1,
        "control indicator K at or above which the investor has material influence (CMA)"
    ),
    p!(
        "regulation.hhi_presumption",
        "HHI points",
        0,
        10000,
        "post-merger HHI above which a merger is presumed harmful (US 2023 Merger Guidelines: 1,800)"
    ),
    p!(
        "regulation.delta_presumption",
        "HHI points",
        0,
        10000,
        "HHI increase needed for the presumption (US 2023 Merger Guidelines: 100)"
    ),
    p!(
        "regulation.share_presumption",
        "share",
        0,
        1,
        "combined share above which a merger is presumed harmful (US 2023 Merger Guidelines: 30%)"
    ),
    p!(
        "regulation.eu_share_safe",
        "share",
        0,
        1,
        "EU: combined share below which a concentration is presumed compatible (EUMR recital 32: 25%)"
    ),
    p!(
        "regulation.eu_hhi_floor",
        "HHI points",
        0,
        10000,
        "EU: post-merger HHI below which horizontal concerns are unlikely (Horizontal Merger Guidelines para 19: 1,000)"
    ),
    p!(
        "regulation.eu_hhi_concentrated",
        "HHI points",
        0,
        10000,
        "EU: post-merger HHI above which the smaller ΔHHI band applies (Horizontal Merger Guidelines para 20: 2,000)"
    ),
    p!(
        "regulation.eu_delta_moderate",
        "HHI points",
        0,
        10000,
        "EU: ΔHHI below which concerns are unlikely when the post-merger HHI is between the two bands (para 20: 250)"
    ),
    p!(
        "regulation.eu_delta_concentrated",
        "HHI points",
        0,
        10000,
        "EU: ΔHHI below which concerns are unlikely above the upper HHI band (para 20: 150)"
    ),
    p!(
        "regulation.foreclosure_weight",
        "x",
        0,
        100,
        "weight of the vertical foreclosure share in the harm index"
    ),
    p!(
        "regulation.open_rate",
        "1/month",
        0,
        1,
        "own-initiative hazard of opening a partnership review, per unit of harm"
    ),
    p!(
        "regulation.peer_weight",
        "x",
        0,
        10,
        "added to referral and opening hazards per other authority with the matter in phase 2"
    ),
    p!(
        "regulation.evidence_months",
        "months",
        0,
        120,
        "e-folding time of evidence gathered in an investigation"
    ),
    p!(
        "regulation.adverse_harm",
        "x",
        0,
        100,
        "adverse-finding hazard in phase 2 per unit of harm at full evidence"
    ),
    p!(
        "regulation.divest_propensity",
        "share",
        0,
        1,
        "share of adverse findings on the partnership (or an acqui-hire) that order divestiture rather than behavioural remedies"
    ),
    p!(
        "regulation.bid_block_propensity",
        "share",
        0,
        1,
        "share of adverse findings on a bid that block it rather than clear it with remedies"
    ),
    p!(
        "regulation.behavioural_doubt",
        "x",
        0,
        100,
        "authorities' reluctance to accept behavioural undertakings (acceptance x exp(-stringency x this))"
    ),
    p!(
        "regulation.undertaking_board_cost",
        "x divestiture",
        0,
        10,
        "investor's cost of giving up its board role"
    ),
    p!(
        "regulation.undertaking_behavioural_cost",
        "x divestiture",
        0,
        10,
        "investor's cost of loosening exclusivity and ending first access"
    ),
    p!(
        "regulation.undertaking_stake_cost",
        "x divestiture",
        0,
        10,
        "investor's cost of cutting its stake to undertaking_stake"
    ),
    p!(
        "regulation.undertaking_stake",
        "share",
        0,
        1,
        "stake the investor keeps when it undertakes to reduce it"
    ),
    p!(
        "regulation.implementation_months",
        "months",
        0,
        60,
        "months from a divestiture order to separation (EU first divestiture period about 6 months)"
    ),
    p!(
        "regulation.share_of_supply",
        "share",
        0,
        1,
        "CMA share-of-supply test for acqui-hires (25%)"
    ),
    p!(
        "regulation.hsr_threshold",
        "$bn",
        0,
        1000,
        "US HSR size-of-transaction threshold ($119.5m in 2024)"
    ),
    p!(
        "regulation.eu.weight",
        "x",
        0,
        100,
        "EU Commission's propensity relative to the others (scales its hazards)"
    ),
    p!(
        "regulation.eu.inquiry_months",
        "months",
        0,
        120,
        "EU Commission: mean duration of an own-initiative informal inquiry"
    ),
    p!(
        "regulation.eu.prenotification_months",
        "months",
        0,
        120,
        "EU Commission: mean duration of pre-notification of a bid or acqui-hire"
    ),
    p!(
        "regulation.eu.phase1_days",
        "working days",
        0,
        1000,
        "EU Commission: phase 1 clock"
    ),
    p!(
        "regulation.eu.undertaking_days",
        "working days",
        0,
        1000,
        "EU Commission: days added to phase 1 when undertakings are offered (0: none accepted in phase 1)"
    ),
    p!(
        "regulation.eu.phase2_days",
        "working days",
        0,
        2000,
        "EU Commission: phase 2 clock"
    ),
    p!(
        "regulation.eu.extension_days",
        "working days",
        0,
        1000,
        "EU Commission: phase 2 extension"
    ),
    p!(
        "regulation.eu.extension_rate",
        "share",
        0,
        1,
        "EU Commission: probability that phase 2 is extended"
    ),
    p!(
        "regulation.eu.refer_base",
        "1",
        0,
        10,
        "EU Commission: phase 2 referral hazard without harm"
    ),
    p!(
        "regulation.eu.refer_harm",
        "1",
        0,
        10,
        "EU Commission: phase 2 referral hazard per squared unit of harm"
    ),
    p!(
        "regulation.eu.time_limit_months",
        "months",
        0,
        120,
        "EU Commission: months after a change in influence within which a review can open (0: no limit)"
    ),
    p!(
        "regulation.eu.litigation_months",
        "months",
        0,
        120,
        "EU Commission: months in court before a divestiture of a consummated deal is ordered (0: administrative decision)"
    ),
    p!(
        "regulation.eu.initial_stage",
        "enum",
        f64::NAN,
        f64::NAN,
        "EU Commission: stage of the partnership case at the start: monitoring | informal | phase1 | phase2 | court"
    ),
    p!(
        "regulation.eu.initial_months_in_stage",
        "months",
        0,
        120,
        "EU Commission: months already spent in the initial stage"
    ),
    p!(
        "regulation.cma.weight",
        "x",
        0,
        100,
        "UK CMA's propensity relative to the others (scales its hazards)"
    ),
    p!(
        "regulation.cma.inquiry_months",
        "months",
        0,
        120,
        "UK CMA: mean duration of an own-initiative informal inquiry"
    ),
    p!(
        "regulation.cma.prenotification_months",
        "months",
        0,
        120,
        "UK CMA: mean duration of pre-notification of a bid or acqui-hire"
    ),
    p!(
        "regulation.cma.phase1_days",
        "working days",
        0,
        1000,
        "UK CMA: phase 1 clock"
    ),
    p!(
        "regulation.cma.undertaking_days",
        "working days",
        0,
        1000,
        "UK CMA: days added to phase 1 when undertakings are offered (0: none accepted in phase 1)"
    ),
    p!(
        "regulation.cma.phase2_days",
        "working days",
        0,
        2000,
        "UK CMA: phase 2 clock"
    ),
    p!(
        "regulation.cma.extension_days",
        "working days",
        0,
        1000,
        "UK CMA: phase 2 extension"
    ),
    p!(
        "regulation.cma.extension_rate",
        "share",
        0,
        1,
        "UK CMA: probability that phase 2 is extended"
    ),
    p!(
        "regulation.cma.refer_base",
        "1",
        0,
        10,
        "UK CMA: phase 2 referral hazard without harm"
    ),
    p!(
        "regulation.cma.refer_harm",
        "1",
        0,
        10,
        "UK CMA: phase 2 referral hazard per squared unit of harm"
    ),
    p!(
        "regulation.cma.time_limit_months",
        "months",
        0,
        120,
        "UK CMA: months after a change in influence within which a review can open (0: no limit)"
    ),
    p!(
        "regulation.cma.litigation_months",
        "months",
        0,
        120,
        "UK CMA: months in court before a divestiture of a consummated deal is ordered (0: administrative decision)"
    ),
    p!(
        "regulation.cma.initial_stage",
        "enum",
        f64::NAN,
        f64::NAN,
        "UK CMA: stage of the partnership case at the start: monitoring | informal | phase1 | phase2 | court"
    ),
    p!(
        "regulation.cma.initial_months_in_stage",
        "months",
        0,
        120,
        "UK CMA: months already spent in the initial stage"
    ),
    p!(
        "regulation.ftc.weight",
        "x",
        0,
        100,
        "US FTC's propensity relative to the others (scales its hazards)"
    ),
    p!(
        "regulation.ftc.inquiry_months",
        "months",
        0,
        120,
        "US FTC: mean duration of an own-initiative informal inquiry"
    ),
    p!(
        "regulation.ftc.prenotification_months",
        "months",
        0,
        120,
        "US FTC: mean duration of pre-notification of a bid or acqui-hire"
    ),
    p!(
        "regulation.ftc.phase1_days",
        "working days",
        0,
        1000,
        "US FTC: phase 1 clock"
    ),
    p!(
        "regulation.ftc.undertaking_days",
        "working days",
        0,
        1000,
        "US FTC: days added to phase 1 when undertakings are offered (0: none accepted in phase 1)"
    ),
    p!(
        "regulation.ftc.phase2_days",
        "working days",
        0,
        2000,
        "US FTC: phase 2 clock"
    ),
    p!(
        "regulation.ftc.extension_days",
        "working days",
        0,
        1000,
        "US FTC: phase 2 extension"
    ),
    p!(
        "regulation.ftc.extension_rate",
        "share",
        0,
        1,
        "US FTC: probability that phase 2 is extended"
    ),
    p!(
        "regulation.ftc.refer_base",
        "1",
        0,
        10,
        "US FTC: phase 2 referral hazard without harm"
    ),
    p!(
        "regulation.ftc.refer_harm",
        "1",
        0,
        10,
        "US FTC: phase 2 referral hazard per squared unit of harm"
    ),
    p!(
        "regulation.ftc.time_limit_months",
        "months",
        0,
        120,
        "US FTC: months after a change in influence within which a review can open (0: no limit)"
    ),
    p!(
        "regulation.ftc.litigation_months",
        "months",
        0,
        120,
        "US FTC: months in court before a divestiture of a consummated deal is ordered (0: administrative decision)"
    ),
    p!(
        "regulation.ftc.initial_stage",
        "enum",
        f64::NAN,
        f64::NAN,
        "US FTC: stage of the partnership case at the start: monitoring | informal | phase1 | phase2 | court"
    ),
    p!(
        "regulation.ftc.initial_months_in_stage",
        "months",
        0,
        120,
        "US FTC: months already spent in the initial stage"
    ),
    p!(
        "open_source.strength",
        "index",
        0,
        1,
        "quality and reach of open-weight models"
    ),
    p!(
        "talent.researchers",
        "count",
        1,
        100_000_000,
        "researcher agents at start"
    ),
    p!(
        "talent.search_hazard",
        "1/month",
        0,
        1,
        "monthly probability a researcher looks for a job"
    ),
    p!(
        "talent.crisis_search_boost",
        "x",
        0,
        100,
        "multiplier of the lab staff's search hazard in a crisis month"
    ),
    p!(
        "talent.pay_weight",
        "utility/log pay",
        0,
        100,
        "weight on pay in the employer choice"
    ),
    p!(
        "talent.prestige_weight",
        "utility/log capability",
        0,
        100,
        "weight on the employer's capability"
    ),
    p!("talent.mission_weight", "utility", 0, 100, "weight on mission fit"),
    p!("talent.switching_cost", "utility", 0, 100, "utility bonus of staying"),
    p!("talent.startup_pay", "x market", 1e-6, 100, "pay at startups"),
    p!("talent.startup_mission", "index", 0, 1, "mission culture at startups"),
    p!(
        "talent.cost_per_researcher",
        "$bn/month",
        0,
        1,
        "monthly cost of one researcher at market pay"
    ),
    p!(
        "talent.hiring_budget_share",
        "1/month",
        0,
        1,
        "share of capital a firm may spend on new hires per month"
    ),
    p!(
        "talent.openings_share",
        "1/month",
        0,
        1,
        "a firm's openings a month as a share of its headcount (at least one)"
    ),
    p!(
        "talent.skill_sigma",
        "-",
        0,
        5,
        "log-normal dispersion of researcher skill"
    ),
    p!(
        "governance.crisis_rate",
        "1/month",
        0,
        100,
        "expected board crises per month"
    ),
    p!(
        "governance.crisis_weak_months",
        "months",
        0,
        120,
        "months the lab counts as weak after a crisis"
    ),
    p!(
        "governance.crisis_board_seat_prob",
        "share",
        0,
        1,
        "probability a crisis gives the investor a board seat"
    ),
    p!(
        "governance.safety_gap_initial",
        "index",
        0,
        1,
        "safety-vs-speed gap at start"
    ),
    p!(
        "governance.pace_gap_initial",
        "index",
        0,
        1,
        "commercialization-pace gap at start"
    ),
    p!(
        "governance.gap_volatility",
        "index",
        0,
        1,
        "monthly std. dev. of each gap"
    ),
    p!(
        "governance.gap_reversion",
        "1/month",
        0,
        1,
        "monthly reversion of each gap to its initial value"
    ),
    p!(
        "outcomes.decoupling_share_threshold",
        "share",
        0,
        1,
        "decoupling if the lab's compute share on the investor falls below this"
    ),
    p!(
        "outcomes.decoupling_inhouse_threshold",
        "ratio",
        0,
        100,
        "... while investor/lab capability rises above this"
    ),
    p!(
        "products.price_weight",
        "utility/log price",
        0,
        100,
        "logit weight on (log) price"
    ),
    p!(
        "products.lab_revenue_share",
        "share",
        0,
        1,
        "share of the lab's product revenue paid to the investor while partnered"
    ),
    p!(
        "products.startup_fringe_price",
        "x market",
        1e-6,
        100,
        "price of the startup fringe's products"
    ),
    p!(
        "companies[].price",
        "x market",
        1e-6,
        100,
        "price of its AI products (open-weight: scaled by 1 - strength/4)"
    ),
    p!(
        "testing.fail_every",
        "runs",
        0,
        1e18,
        "testing hook: runs whose seed is divisible by this panic (0 = never)"
    ),
    p!("companies[].capital", "$bn", 0, 1e6, "cash for compute, pay and deals"),
    p!(
        "companies[].other_income",
        "$bn/month",
        0,
        1e4,
        "non-AI cash flow funding AI work"
    ),
    p!(
        "companies[].cloud_capacity",
        "kGPU",
        0,
        1e9,
        "cloud capacity (0 = no cloud)"
    ),
    p!(
        "companies[].own_compute",
        "kGPU",
        0,
        1e9,
        "compute used for own models (lab: demand at start); hosted on its own cloud if it has one"
    ),
    p!(
        "companies[].build_rate",
        "1/month",
        0,
        1,
        "its cloud's maximum monthly build (build programme), share of capacity"
    ),
    p!(
        "companies[].startup_credits",
        "$M",
        0,
        1000,
        "cloud credits it offers a startup that signs up"
    ),
    p!(
        "companies[].capability",
        "index",
        1e-6,
        1e6,
        "frontier model capability (lab = 1)"
    ),
    p!(
        "companies[].talent_share",
        "share",
        0,
        1,
        "share of researchers employed at start"
    ),
    p!("companies[].pay", "x market", 1e-6, 100, "pay offered"),
    p!("companies[].mission", "index", 0, 1, "mission and safety culture"),
    p!("companies[].distribution", "index", 0, 1, "distribution reach"),
    p!(
        "companies[].initial_shares",
        "share",
        0,
        1,
        "its share of each segment at start (consumer, copilot, API, cloud AI); sets its brand"
    ),
];

/// The steps of a parameter path: `products.market_size[2]` and `products.market_size.2`
/// both give `products`, `market_size`, `2`. `None` for a malformed path (an empty step,
/// an unclosed or empty bracket).
pub fn path_steps(path: &str) -> Option<Vec<&str>> {
    let mut steps = Vec::new();
    for part in path.split('.') {
        let (head, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        if head.is_empty() {
            return None;
        }
        steps.push(head);
        while let Some(inner) = rest.strip_prefix('[') {
            let close = inner.find(']')?;
            if close == 0 {
                return None;
            }
            steps.push(&inner[..close]);
            rest = &inner[close + 1..];
        }
        if !rest.is_empty() {
            return None;
        }
    }
    Some(steps)
}

/// A settable path split into the registry path it falls under, the company it names
/// (roster fields) and the list element it names: `companies.lab.initial_shares[1]` →
/// (`companies[].initial_shares`, `lab`, `[1]`).
fn split_path(path: &str) -> Option<(String, Option<&str>, String)> {
    let steps = path_steps(path)?;
    if steps.len() >= 3 && steps[0] == "companies" {
        let index: String = steps[3..].iter().map(|i| format!("[{i}]")).collect();
        return Some((format!("companies[].{}", steps[2]), Some(steps[1]), index));
    }
    let key = steps.iter().take_while(|s| s.parse::<usize>().is_err()).count();
    let index: String = steps[key..].iter().map(|i| format!("[{i}]")).collect();
    Some((steps[..key].join("."), None, index))
}

/// The registry path a settable path falls under (`companies.lab.pay` → `companies[].pay`,
/// `products.market_size[2]` → `products.market_size`); `None` for a malformed path.
pub fn registry_path(path: &str) -> Option<String> {
    split_path(path).map(|(key, _, _)| key)
}

/// Looks up the registry entry a settable path falls under: `companies.lab.pay` and
/// `companies.2.pay` under `companies[].pay`, `products.market_size[2]` under
/// `products.market_size`.
pub fn find(path: &str) -> Option<&'static ParamSpec> {
    let key = registry_path(path)?;
    PARAMS.iter().find(|p| p.path == key)
}

/// The closest settable path, for "did you mean" hints (edit distance of the registry
/// path ≤ a third of its length), spelt with the input's company and element.
pub fn suggest(path: &str) -> Option<String> {
    let (key, company, index) = split_path(path).unwrap_or_else(|| (path.to_string(), None, String::new()));
    let mut best: Option<(usize, &'static str)> = None;
    for spec in PARAMS {
        let d = edit_distance(&key, spec.path);
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, spec.path));
        }
    }
    let (_, near) = best.filter(|(d, p)| *d <= p.len().max(3) / 3)?;
    Some(match near.strip_prefix("companies[].") {
        Some(field) => format!("companies.{}.{field}{index}", company.unwrap_or("lab")),
        None => format!("{near}{index}"),
    })
}

/// "unknown parameter", with the closest settable path when one is near (never the input).
pub fn unknown_parameter(path: &str) -> String {
    let hint = suggest(path)
        .filter(|p| p != path)
        .map(|p| format!(" (did you mean `{p}`?)"))
        .unwrap_or_default();
    format!("unknown parameter `{path}`{hint}")
}

/// Levenshtein distance over bytes.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.bytes().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// A violated constraint: the dotted path and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub path: String,
    pub message: String,
}

/// Checks every range and the cross-field rules; returns all violations.
pub fn validate(s: &Scenario) -> Vec<Violation> {
    let mut out = Vec::new();
    let value = match toml::Value::try_from(s) {
        Ok(v) => v,
        Err(e) => {
            out.push(Violation {
                path: String::new(),
                message: e.to_string(),
            });
            return out;
        }
    };
    check_ranges(&value, "", &mut out);
    check_roster(s, &mut out);
    super::timeline::validate(s, &mut out);
    out
}

fn check_ranges(v: &toml::Value, prefix: &str, out: &mut Vec<Violation>) {
    match v {
        toml::Value::Table(t) => {
            for (k, child) in t {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                check_ranges(child, &path, out);
            }
        }
        toml::Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                match child {
                    toml::Value::Table(_) => check_ranges(child, &format!("{prefix}.{i}"), out),
                    _ => check_leaf(child, prefix, &format!("{prefix}[{i}]"), out),
                }
            }
        }
        leaf => check_leaf(leaf, prefix, prefix, out),
    }
}

fn check_leaf(v: &toml::Value, spec_path: &str, shown: &str, out: &mut Vec<Violation>) {
    let x = match v {
        toml::Value::Integer(i) => *i as f64,
        toml::Value::Float(f) => *f,
        _ => return,
    };
    let Some(spec) = find(spec_path) else { return };
    if !x.is_finite() {
        out.push(Violation {
            path: shown.into(),
            message: format!("must be a finite number, got {x}"),
        });
    } else if x < spec.min || x > spec.max {
        out.push(Violation {
            path: shown.into(),
            message: format!(
                "{x} is out of range {} ..= {} ({})",
                fmt_bound(spec.min),
                fmt_bound(spec.max),
                spec.unit
            ),
        });
    }
}

fn fmt_bound(x: f64) -> String {
    if x.is_infinite() { "inf".into() } else { format!("{x}") }
}

fn check_roster(s: &Scenario, out: &mut Vec<Violation>) {
    use super::Role;
    let count = |r: Role| s.companies.iter().filter(|c| c.role == r).count();
    for (role, label) in [(Role::Lab, "lab"), (Role::Investor, "investor")] {
        if count(role) != 1 {
            out.push(Violation {
                path: "companies".into(),
                message: format!(
                    "needs exactly one company with role = \"{label}\", found {}",
                    count(role)
                ),
            });
        }
    }
    if s.companies.len() > 32 {
        out.push(Violation {
            path: "companies".into(),
            message: "at most 32 companies".into(),
        });
    }
    let total: f64 = s.companies.iter().map(|c| c.talent_share).sum();
    if total > 1.0 + 1e-9 {
        out.push(Violation {
            path: "companies".into(),
            message: format!("talent_share values sum to {total:.3}, more than 1"),
        });
    }
    check_initial_shares(s, out);
    for (i, c) in s.companies.iter().enumerate() {
        // Not digits alone: `companies.2.pay` means the roster's third entry.
        let ok = !c.name.is_empty()
            && c.name
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
            && c.name.parse::<usize>().is_err();
        if !ok {
            out.push(Violation {
                path: format!("companies.{i}.name"),
                message: format!(
                    "{:?} must be non-empty letters, digits, '_' or '-', and not digits alone",
                    c.name
                ),
            });
        }
        if s.companies[..i].iter().any(|o| o.name == c.name) {
            out.push(Violation {
                path: format!("companies.{i}.name"),
                message: format!("duplicate name {:?}", c.name),
            });
        }
    }
    let clouds = s.companies.iter().filter(|c| c.cloud_capacity > 0.0).count();
    if let Some(inv) = s.companies.iter().find(|c| c.role == Role::Investor)
        && inv.cloud_capacity <= 0.0
    {
        out.push(Violation {
            path: "companies".into(),
            message: "the investor needs cloud_capacity > 0".into(),
        });
    }
    if let Some(i) = s.companies.iter().position(|c| c.name == "other") {
        out.push(Violation {
            path: format!("companies.{i}.name"),
            message: "\"other\" is reserved for the fringe of other clouds".into(),
        });
    }
    if s.cloud.price_floor > s.cloud.price_cap {
        out.push(Violation {
            path: "cloud.price_floor".into(),
            message: "must not exceed cloud.price_cap".into(),
        });
    }
    if clouds == 0 {
        out.push(Violation {
            path: "companies".into(),
            message: "at least one company needs cloud_capacity > 0".into(),
        });
    }
    // An independent lab rents its compute from the rival clouds (else the fringe of other
    // clouds): it has no cloud of its own, and someone must host it.
    for (i, c) in s.companies.iter().enumerate() {
        if c.role == Role::IndependentLab && c.cloud_capacity > 0.0 {
            out.push(Violation {
                path: format!("companies.{i}.cloud_capacity"),
                message: "an independent_lab rents its compute and has no cloud: must be 0".into(),
            });
        }
    }
    let rivals = s
        .companies
        .iter()
        .any(|c| c.role == Role::RivalCloud && c.cloud_capacity > 0.0);
    if count(Role::IndependentLab) > 0 && !rivals && s.cloud.other_capacity <= 0.0 {
        out.push(Violation {
            path: "cloud.other_capacity".into(),
            message: "an independent_lab needs a host: a rival_cloud with capacity or other_capacity > 0".into(),
        });
    }
}

/// Starting shares: four per company (or none), positive exactly where it sells, and room
/// left in every segment for the startup fringe when there are startups.
fn check_initial_shares(s: &Scenario, out: &mut Vec<Violation>) {
    use super::Segment;
    let fringe = s.startups.initial.min(s.startups.max_startups) > 0;
    for (i, c) in s.companies.iter().enumerate() {
        if c.initial_shares.is_empty() {
            continue;
        }
        if c.initial_shares.len() != 4 {
            out.push(Violation {
                path: format!("companies.{i}.initial_shares"),
                message: format!(
                    "needs 4 shares (consumer_assistant, productivity_copilot, developer_api, cloud_ai_services), got {}",
                    c.initial_shares.len()
                ),
            });
            continue;
        }
        for seg in Segment::ALL {
            let x = c.initial_shares[seg.index()];
            let sells = c.segments.contains(&seg);
            if sells && x <= 0.0 {
                out.push(Violation {
                    path: format!("companies.{i}.initial_shares"),
                    message: format!(
                        "{} sells in {} but its starting share there is {x}",
                        c.name,
                        seg.as_str()
                    ),
                });
            } else if !sells && x != 0.0 {
                out.push(Violation {
                    path: format!("companies.{i}.initial_shares"),
                    message: format!(
                        "{} does not sell in {} but its starting share there is {x}",
                        c.name,
                        seg.as_str()
                    ),
                });
            }
        }
    }
    for seg in Segment::ALL {
        let total: f64 = s
            .companies
            .iter()
            .filter(|c| c.initial_shares.len() == 4)
            .map(|c| c.initial_shares[seg.index()])
            .sum();
        if (fringe && total >= 1.0) || total > 1.0 + 1e-9 {
            out.push(Violation {
                path: "companies".into(),
                message: format!(
                    "initial_shares in {} sum to {total:.3}: must stay below 1 (the rest is the startup fringe)",
                    seg.as_str()
                ),
            });
        }
    }
}

/// The parameter table of `docs/MODEL.md` and `params`: settable path, value in `s`, unit,
/// range, meaning.
pub fn markdown_table(s: &Scenario) -> String {
    let mut out = String::from("| parameter | default | unit | range | meaning |\n|---|---|---|---|---|\n");
    for row in with_values(s) {
        let spec = row.spec;
        let range = if spec.min.is_nan() {
            "-".to_string()
        } else {
            format!("{} ..= {}", fmt_bound(spec.min), fmt_bound(spec.max))
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            row.path,
            row.value,
            spec.unit,
            range,
            spec.doc.replace('|', "\\|")
        ));
    }
    out
}

/// One settable parameter of a scenario: its exact path, registry entry and value.
#[derive(Debug, Clone)]
pub struct ParamRow {
    /// What `--set`, events and sweeps take: roster fields once per company, by name
    /// (`companies.lab.pay`).
    pub path: String,
    pub spec: &'static ParamSpec,
    /// The value in the scenario, as the table shows it.
    pub value: String,
}

/// Every settable parameter of `s` with its value, in registry order; roster fields once
/// per company, in roster order.
pub fn with_values(s: &Scenario) -> Vec<ParamRow> {
    let root = toml::Value::try_from(s).ok();
    let mut out = Vec::with_capacity(PARAMS.len() + 16 * s.companies.len());
    for spec in PARAMS {
        match (&root, spec.path.strip_prefix("companies[].")) {
            (Some(root), Some(field)) => {
                for c in root.get("companies").and_then(|c| c.as_array()).into_iter().flatten() {
                    let name = c.get("name").and_then(|n| n.as_str()).unwrap_or_default();
                    out.push(ParamRow {
                        path: format!("companies.{name}.{field}"),
                        spec,
                        value: c.get(field).map(short).unwrap_or_default(),
                    });
                }
            }
            (root, _) => {
                let mut v = root.as_ref();
                for part in spec.path.split('.') {
                    v = v.and_then(|x| x.get(part));
                }
                out.push(ParamRow {
                    path: spec.path.to_string(),
                    spec,
                    value: v.map(short).unwrap_or_default(),
                });
            }
        }
    }
    out
}

fn short(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Array(a) => format!("[{}]", a.iter().map(short).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An independent lab must rent (no cloud of its own) and must have a host.
    #[test]
    fn an_independent_lab_needs_a_host_and_no_cloud() {
        let mut s = Scenario::default();
        let i = s
            .companies
            .iter()
            .position(|c| c.role == super::super::Role::IndependentLab)
            .unwrap();
        s.companies[i].cloud_capacity = 10.0;
        let v = validate(&s);
        assert!(
            v.iter().any(|v| v.path == format!("companies.{i}.cloud_capacity")),
            "{v:?}"
        );
        let mut s = Scenario::default();
        for c in s.companies.iter_mut() {
            if c.role == super::super::Role::RivalCloud {
                c.role = super::super::Role::OpenWeight;
                c.cloud_capacity = 0.0;
            }
        }
        assert!(!validate(&s).iter().any(|v| v.path == "cloud.other_capacity"));
        s.cloud.other_capacity = 0.0;
        assert!(validate(&s).iter().any(|v| v.path == "cloud.other_capacity"));
    }

    #[test]
    fn registry_paths_are_unique() {
        for (i, p) in PARAMS.iter().enumerate() {
            assert!(
                PARAMS[..i].iter().all(|q| q.path != p.path),
                "{} registered twice",
                p.path
            );
        }
    }

    /// Every leaf of the scenario has a registry entry, so nothing escapes validation or docs.
    #[test]
    fn every_parameter_is_registered() {
        fn walk(v: &toml::Value, prefix: &str, out: &mut Vec<String>) {
            match v {
                toml::Value::Table(t) => {
                    for (k, c) in t {
                        let p = if prefix.is_empty() {
                            k.clone()
                        } else {
                            format!("{prefix}.{k}")
                        };
                        walk(c, &p, out);
                    }
                }
                toml::Value::Array(a) if a.iter().all(|x| x.is_table()) && !a.is_empty() => {
                    for c in a {
                        walk(c, &format!("{prefix}[]"), out);
                    }
                }
                _ => out.push(prefix.to_string()),
            }
        }
        let mut leaves = Vec::new();
        walk(&toml::Value::try_from(Scenario::default()).unwrap(), "", &mut leaves);
        let skip = [
            "name",
            "description",
            "companies[].name",
            "companies[].role",
            "companies[].segments",
            "events",
        ];
        for leaf in leaves {
            if !skip.contains(&leaf.as_str()) {
                assert!(PARAMS.iter().any(|p| p.path == leaf), "no registry entry for {leaf}");
            }
        }
    }
}
