//! Scenario parameters: every knob of the model, as data (SPEC §3).
//!
//! Structs mirror the TOML layout exactly; every field has a default (the built-in
//! baseline, in the `Default` impls) and carries its meaning (doc comment), unit and range
//! (`#[param]`), which [`params`] flattens into the registry. Unknown keys are errors.

pub mod load;
pub mod params;
pub mod schema;
pub mod ties;
pub mod timeline;

use serde::{Deserialize, Serialize};

use params::{Params, Variants};

pub use load::{ScenarioError, apply_override, bundled, bundled_names, label, load_scenario_file, parse_scenario};
pub use ties::{BoardRole, TieParams};
pub use timeline::{TimelineEvent, YearMonth};

/// A complete, resolved scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Params)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// Scenario name, shown in manifests and reports.
    #[param(skip)]
    pub name: String,
    /// What question the scenario answers (free text).
    #[param(skip)]
    pub description: String,
    /// ticks per run
    #[param(unit = "months", min = 1, max = 600, initial)]
    pub horizon_months: u32,
    /// calendar month of month 1 (outputs carry a `date` column; "" for none)
    #[param(unit = "YYYY-MM", initial)]
    #[serde(
        serialize_with = "timeline::serialize_start",
        deserialize_with = "timeline::deserialize_start"
    )]
    pub start: Option<YearMonth>,
    #[param(table)]
    pub partnership: PartnershipParams,
    #[param(table)]
    pub cloud: CloudParams,
    #[param(table)]
    pub research: ResearchParams,
    #[param(table)]
    pub products: ProductParams,
    #[param(table)]
    pub startups: StartupParams,
    #[param(table)]
    pub regulation: RegulationParams,
    #[param(table)]
    pub open_source: OpenSourceParams,
    #[param(table)]
    pub talent: TalentParams,
    #[param(table)]
    pub governance: GovernanceParams,
    #[param(table)]
    pub outcomes: OutcomeParams,
    #[param(table)]
    pub testing: TestingParams,
    /// The roster of companies; exactly one `lab` and one `investor`.
    #[param(list)]
    pub companies: Vec<CompanyParams>,
    /// Investor–lab ties besides the headline `[partnership]` (see [`ties`]).
    #[param(list)]
    pub partnerships: Vec<TieParams>,
    /// Dated events, each applied at the start of its month (see [`timeline`]).
    #[param(skip)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<TimelineEvent>,
}

/// Lab's cloud exclusivity towards the investor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Variants)]
#[serde(rename_all = "snake_case")]
pub enum Exclusivity {
    /// All third-party compute must be bought from the investor.
    Exclusive,
    /// The investor has a right of first refusal on new capacity.
    Rofr,
    /// The lab may place compute anywhere.
    None,
}

impl Exclusivity {
    /// Label used in outputs (its serde word).
    pub fn as_str(self) -> &'static str {
        Self::WORDS[self as usize]
    }
    /// Contribution to the control indicator: 1 exclusive, 0.5 rofr, 0 none.
    pub fn control_weight(self) -> f64 {
        match self {
            Exclusivity::Exclusive => 1.0,
            Exclusivity::Rofr => 0.5,
            Exclusivity::None => 0.0,
        }
    }
    /// One step looser (renegotiation or remedy).
    pub fn loosened(self) -> Exclusivity {
        match self {
            Exclusivity::Exclusive => Exclusivity::Rofr,
            _ => Exclusivity::None,
        }
    }
}

/// The company's role in the story; mechanisms key on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Variants)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The frontier lab (OpenAI-like).
    Lab,
    /// The lab's investor, exclusive cloud and product competitor (Microsoft-like).
    Investor,
    /// A rival cloud with its own models (Google-like, Amazon-like).
    RivalCloud,
    /// The open-weight champion (Meta-like).
    OpenWeight,
    /// A second independent lab without a cloud of its own.
    IndependentLab,
}

/// The market segments every company may sell in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Variants)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    ConsumerAssistant,
    ProductivityCopilot,
    DeveloperApi,
    CloudAiServices,
}

impl Segment {
    /// All segments in output order.
    pub const ALL: [Segment; 4] = [
        Segment::ConsumerAssistant,
        Segment::ProductivityCopilot,
        Segment::DeveloperApi,
        Segment::CloudAiServices,
    ];
    /// Label used in column names (its serde word).
    pub fn as_str(self) -> &'static str {
        Self::WORDS[self as usize]
    }
    /// Position in [`Segment::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// One company of the roster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Params)]
#[serde(default, deny_unknown_fields)]
pub struct CompanyParams {
    /// Short name used in outputs (letters, digits, `_`, `-`).
    #[param(skip)]
    pub name: String,
    #[param(skip)]
    pub role: Role,
    /// cash for compute, pay and deals
    #[param(unit = "$bn", min = 0, max = 1e6, initial)]
    pub capital: f64,
    /// non-AI cash flow funding AI work
    ///
    /// For the big firms, the part of their other businesses' free cash flow that funds
    /// AI work; 0 for the frontier labs, which fund themselves by rounds.
    #[param(unit = "$bn/month", min = 0, max = 1e4)]
    pub other_income: f64,
    /// operating costs other than compute and the elite researchers' pay (other staff,
    /// sales, support, general and administrative), as a share of product usage
    ///
    /// The lab in 2024: about $1.5 bn of pay for about 1,500 staff, of which its ~300
    /// frontier researchers (the model's) earn about $0.5 bn, plus other costs of about
    /// $0.3 bn, against $3.7 bn of revenue: about 0.35 (press reports, domain-facts.md).
    /// 0 for the big firms, whose other costs are netted in `other_income`.
    #[param(unit = "share", min = 0, max = 10)]
    pub other_cost_share: f64,
    /// cloud capacity (0 = no cloud)
    ///
    /// 0: the company has no cloud.
    #[param(unit = "kGPU", min = 0, max = 1e9, initial)]
    pub cloud_capacity: f64,
    /// compute used for own models (lab: demand at start); hosted on its own cloud if it
    /// has one
    ///
    /// For the lab: its total compute demand at the start.
    #[param(unit = "kGPU", min = 0, max = 1e9, initial)]
    pub own_compute: f64,
    /// its cloud's maximum monthly build (build programme), share of capacity
    #[param(unit = "1/month", min = 0, max = 1)]
    pub build_rate: f64,
    /// cloud credits it offers a startup that signs up
    #[param(unit = "$M", min = 0, max = 1000)]
    pub startup_credits: f64,
    /// frontier model capability (lab = 1)
    #[param(unit = "index", min = 1e-6, max = 1e6, initial)]
    pub capability: f64,
    /// share of researchers employed at start
    ///
    /// The rest of the pool works at startups.
    #[param(unit = "share", min = 0, max = 1, initial)]
    pub talent_share: f64,
    /// pay offered
    #[param(unit = "x market", min = 1e-6, max = 100)]
    pub pay: f64,
    /// mission and safety culture
    #[param(unit = "index", min = 0, max = 1)]
    pub mission: f64,
    /// distribution reach
    #[param(unit = "index", min = 0, max = 1)]
    pub distribution: f64,
    /// price of its AI products (open-weight: scaled by 1 - strength/4)
    #[param(unit = "x market", min = 1e-6, max = 100)]
    pub price: f64,
    /// Segments where the company sells a product.
    #[param(skip)]
    pub segments: Vec<Segment>,
    /// its share of each segment at start (consumer, copilot, API, cloud AI); sets its
    /// brand
    ///
    /// Empty: no brand calibration (ξ = 0).
    #[param(unit = "share", min = 0, max = 1)]
    pub initial_shares: Vec<f64>,
}

impl Default for CompanyParams {
    fn default() -> Self {
        CompanyParams {
            name: "company".into(),
            role: Role::RivalCloud,
            capital: 10.0,
            other_income: 0.0,
            other_cost_share: 0.0,
            cloud_capacity: 0.0,
            own_compute: 50.0,
            build_rate: 0.0,
            startup_credits: 0.0,
            capability: 0.8,
            talent_share: 0.1,
            pay: 1.0,
            mission: 0.5,
            distribution: 0.5,
            price: 1.0,
            segments: vec![Segment::DeveloperApi],
            initial_shares: Vec::new(),
        }
    }
}

/// Lab ↔ investor partnership terms and tension dynamics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Params)]
#[serde(default, deny_unknown_fields)]
pub struct PartnershipParams {
    /// the lab's cloud exclusivity towards the investor
    #[param(words)]
    pub exclusivity: Exclusivity,
    /// investor's economic stake in the lab
    #[param(unit = "share", min = 0, max = 1)]
    pub investor_stake: f64,
    /// investor gets the lab's models first
    #[param(unit = "bool")]
    pub first_access: bool,
    /// fraction of the lab's know-how shared with the investor at start
    #[param(unit = "share", min = 0, max = 1)]
    pub info_sharing: f64,
    /// investor holds a board (observer) seat at start
    #[param(unit = "bool")]
    pub board_seat: bool,
    /// tension at start
    #[param(unit = "index", min = 0, max = 1, initial)]
    pub tension_initial: f64,
    /// tension level per unit of product overlap × contested share
    #[param(unit = "index", min = 0, max = 10)]
    pub tension_overlap_weight: f64,
    /// tension level per share of the partners' researchers' skill moving between them in a
    /// month
    #[param(unit = "index per share of skill", min = 0, max = 100)]
    pub tension_poach_weight: f64,
    /// tension added by a board crisis
    #[param(unit = "index", min = 0, max = 1)]
    pub tension_crisis_jump: f64,
    /// tension level per unit of the mean safety and pace gap
    #[param(unit = "index", min = 0, max = 10)]
    pub tension_pace_weight: f64,
    /// tension level per unit of the lab's recent compute shortfall
    #[param(unit = "index", min = 0, max = 10)]
    pub tension_compute_weight: f64,
    /// share of the gap between tension and the conflict level closed each month
    #[param(unit = "1/month", min = 0, max = 1)]
    pub tension_damping: f64,
    /// std. dev. of monthly tension shocks
    #[param(unit = "index", min = 0, max = 1)]
    pub tension_noise: f64,
    /// tension above which the lab slows information sharing
    #[param(unit = "index", min = 0, max = 1)]
    pub sharing_cut_threshold: f64,
    /// monthly relative cut of information sharing above that threshold
    #[param(unit = "1/month", min = 0, max = 1)]
    pub sharing_cut_rate: f64,
    /// tension above which the partners open talks over a clash
    #[param(unit = "index", min = 0, max = 1)]
    pub renegotiate_threshold: f64,
    /// monthly probability that open talks (a clash, a compute shortfall or a rival cloud's
    /// offer) settle
    #[param(unit = "1/month", min = 0, max = 1)]
    pub renegotiate_rate: f64,
    /// the lab's recent compute shortfall above which it presses to renegotiate exclusivity
    ///
    /// The shortfall is a 5-month average; the lab presses whatever the tension.
    #[param(unit = "share", min = 0, max = 1)]
    pub renegotiate_shortfall: f64,
    /// how much cheaper than what the lab pays the investor a rival cloud's price must be
    /// before the lab presses to renegotiate exclusivity
    #[param(unit = "share", min = 0, max = 1)]
    pub renegotiate_price_gap: f64,
    /// share of the unsettled product clash and governance disputes that settled talks
    /// after a clash resolve
    #[param(unit = "share", min = 0, max = 1)]
    pub boundary_step: f64,
    /// months after settled talks before new talks can settle
    #[param(unit = "months", min = 0, max = 600)]
    pub renegotiate_interval: u32,
    /// the lab's weight in the Nash bargaining over the partnership's surplus
    ///
    /// The investor's weight is 1 − it.
    #[param(unit = "share", min = 0, max = 1)]
    pub bargaining_weight: f64,
    /// share of the partnership's gross value (the lab's avoided move, the investor's
    /// compute margin and its products' dependence on the lab's models) that its own
    /// unsettled disputes (safety and pace gaps, 0..=1) destroy per unit
    ///
    /// At most 1, so that disputes alone never eat more than the partnership is worth: a
    /// break-up also needs lock-out or a partner that no longer needs the other. Set at
    /// one half, not fitted: the outcome targets do not identify it (posterior as wide as
    /// its prior, docs/MODEL.md §10.2), and in November 2023 a dispute at its height put
    /// most of the lab's staff, and so much but not all of the partnership's value, at risk.
    #[param(unit = "share of gross value", min = 0, max = 1)]
    pub tension_cost: f64,
    /// share of the lab's usage contested by the investor's overlapping products (overlap ×
    /// contested share) that the lab loses to them a month while they sell its models
    ///
    /// Fitted (the break-up lever besides lock-out); 0.5 means half the contested business
    /// goes to the investor's channel, as when Azure OpenAI and Copilot won enterprise
    /// accounts the lab also sold to.
    #[param(unit = "share of contested usage", min = 0, max = 1)]
    pub clash_cost: f64,
    /// monthly probability the partners part once continuing is worth less to them than
    /// their outside options
    #[param(unit = "1/month", min = 0, max = 1)]
    pub dissolve_rate: f64,
    /// monthly probability that the investor bids for control of a weak lab
    #[param(unit = "1/month", min = 0, max = 1)]
    pub bid_propensity: f64,
    /// stake the investor needs before it bids
    #[param(unit = "share", min = 0, max = 1)]
    pub bid_min_stake: f64,
    /// control premium of a bid over the lab's value (its last round's post-money
    /// valuation, or its standalone value if higher)
    ///
    /// 0.3: median control premiums in public takeovers are about 30% (FactSet Mergerstat
    /// and event studies of US deals put them at 30–40%).
    #[param(unit = "share", min = 0, max = 10)]
    pub bid_premium: f64,
    /// mean premium over standalone value the lab's board requires to sell while the lab is
    /// weak (it never sells otherwise)
    #[param(unit = "share", min = 0, max = 10)]
    pub board_reservation: f64,
    /// the lab is weak when its cash covers fewer months of burn than this
    #[param(unit = "months", min = 0, max = 120)]
    pub weak_capital_months: f64,
    /// how much more of its own compute the investor puts into training its own models per
    /// unit of tension while the partnership is active (its hedge)
    ///
    /// 1: at the baseline's tension (about 0.35) the investor trains on a third more compute
    /// than its products alone would call for. Microsoft's in-house effort (the Inflection
    /// team, March 2024; MAI models from 2025) followed the November 2023 crisis.
    #[param(unit = "per unit tension", min = 0, max = 100)]
    pub hedge_response: f64,
    /// tension added when a bid fails
    #[param(unit = "index", min = 0, max = 1)]
    pub bid_failure_tension: f64,
    /// a frontier lab's business value as a multiple of its annualised product usage when
    /// it grows at its market's pace (`products.market_growth`); the funding market scales
    /// it by the forward year's growth relative to that pace, ((1 + g)/(1 + market
    /// growth))^12
    ///
    /// 40: the lab's October 2024 round valued it at $157 bn post-money, about 40× its
    /// 2024 revenue and 13.5× the $11.6 bn projected for 2025 (press reports,
    /// domain-facts.md); its early-2024 tender at $86 bn was about 40× its annualised
    /// $2 bn; the independent lab's $61.5 bn of March 2025 was about 40–60× its run-rate of
    /// $1–1.5 bn. The value adds cash; it is a round's pre-money.
    #[param(unit = "x annual usage", min = 1e-6, max = 1000)]
    pub valuation_multiple: f64,
    /// multiple of annual profit at which the investor capitalises the partnership rents
    /// control would secure
    #[param(unit = "x annual rents", min = 0, max = 1000)]
    pub rent_multiple: f64,
    /// a frontier lab (the lab, an independent lab) raises equity when its cash covers
    /// fewer months of operating burn than this (the lab not during a crisis)
    ///
    /// 12: late-stage companies raise with about a year of runway left (a round takes
    /// months and a shorter runway weakens the company's hand).
    #[param(unit = "months", min = 0, max = 120)]
    pub fundraise_runway_months: f64,
    /// months of operating burn a round brings in
    ///
    /// 24: rounds buy about two years of runway (the lab's $6.6 bn of October 2024 plus a
    /// $4 bn credit line against a burn of about $0.45 bn a month).
    #[param(unit = "months", min = 0, max = 120)]
    pub fundraise_months: f64,
    /// monthly probability a round a lab seeks closes (never during the lab's crisis)
    ///
    /// 0.35: a late-stage round takes about three months from launch to close.
    #[param(unit = "1/month", min = 0, max = 1)]
    pub fundraise_success: f64,
    /// share of the lab's rounds the investor takes (its stake moves accordingly)
    ///
    /// 0.13: the investor put a little under $1 bn into the $6.6 bn round of October 2024
    /// (press reports, domain-facts.md).
    #[param(unit = "share", min = 0, max = 1)]
    pub investor_round_share: f64,
    /// largest share of a round's post-money valuation investors take: a round is the
    /// runway sought (`fundraise_months` of burn) cut to this dilution
    ///
    /// 0.15: median dilution in US venture rounds was 12.6% at Series C and 10.3% at
    /// Series D in 2023, 15% at Series B in Q4 2024 (Carta, State of Private Markets); the
    /// labs' own rounds sold 4–13% (the lab: $6.6 bn at $157 bn in October 2024, $40 bn at
    /// $300 bn in March 2025; the independent lab: $0.45 bn at $4.1 bn in May 2023,
    /// $3.5 bn at $61.5 bn in March 2025). A cap at the upper end of late-stage practice.
    #[param(unit = "share", min = 0, max = 0.9)]
    pub fundraise_max_dilution: f64,
    /// monthly usage growth (smoothed, see `growth_window_months`) at or below which
    /// investors refuse a frontier lab's round; their appetite (the chance a round closes,
    /// × `fundraise_success`) rises linearly from none here to full at the market's growth
    ///
    /// 0.02 (27% a year): investors price the frontier labs at 25–80× revenue for growth of
    /// 2.5–3× a year (the lab's revenue $3.7 bn in 2024, projected $11.6 bn for 2025;
    /// domain-facts.md); a lab growing at a mature software company's pace (20–30% a
    /// year, valued at 5–10× revenue) could not fund a burn larger than its revenue.
    #[param(unit = "1/month", min = -1, max = 1)]
    pub fundraise_min_growth: f64,
    /// months over which investors smooth a frontier lab's monthly usage growth (the
    /// window of an exponential average)
    ///
    /// 6: late-stage investors read growth off the last two quarters of revenue (round
    /// announcements quote the run-rate and its half-year growth).
    #[param(unit = "months", min = 1, max = 60)]
    pub growth_window_months: f64,
    /// probability the investor offers to hire the lab's staff when a crisis strikes,
    /// before regulatory deterrence
    #[param(unit = "share", min = 0, max = 1)]
    pub absorption_offer_prob: f64,
    /// risk per unit of regulatory stringency that an absorption is challenged; the
    /// investor offers with probability absorption_offer_prob·(1 − risk·stringency)
    #[param(unit = "per unit stringency", min = 0, max = 10)]
    pub absorption_review_risk: f64,
    /// months an offer to hire the lab's staff stays open
    #[param(unit = "months", min = 1, max = 24)]
    pub absorption_window_months: u32,
    /// pay premium of the investor's offer to the lab's staff
    #[param(unit = "share", min = 0, max = 10)]
    pub absorption_pay_premium: f64,
    /// skill-weighted share of the lab's researchers whose move to the investor within the
    /// window means the investor absorbed the lab
    #[param(unit = "share", min = 0.01, max = 1)]
    pub absorption_share: f64,
    /// loss of the lab's attraction to its own staff per unit of crisis severity during an
    /// offer
    #[param(unit = "utility per unit severity", min = 0, max = 100)]
    pub crisis_exodus: f64,
}

impl Default for PartnershipParams {
    fn default() -> Self {
        PartnershipParams {
            exclusivity: Exclusivity::Exclusive,
            investor_stake: 0.49,
            first_access: true,
            info_sharing: 0.8,
            board_seat: false,
            tension_initial: 0.35,
            tension_overlap_weight: 0.8,
            tension_poach_weight: 5.0,
            tension_crisis_jump: 0.15,
            tension_pace_weight: 0.5,
            tension_compute_weight: 2.0,
            tension_damping: 0.1,
            tension_noise: 0.05,
            sharing_cut_threshold: 0.5,
            sharing_cut_rate: 0.1,
            renegotiate_threshold: 0.38917,
            renegotiate_rate: 0.25,
            renegotiate_shortfall: 0.01,
            renegotiate_price_gap: 0.2,
            boundary_step: 0.5,
            renegotiate_interval: 9,
            bargaining_weight: 0.5,
            tension_cost: 0.5,
            clash_cost: 0.5,
            dissolve_rate: 0.3,
            bid_propensity: 0.87859,
            bid_min_stake: 0.3,
            bid_premium: 0.3,
            board_reservation: 0.3,
            weak_capital_months: 6.0,
            hedge_response: 1.5,
            bid_failure_tension: 0.2,
            valuation_multiple: 40.0,
            rent_multiple: 30.0,
            fundraise_runway_months: 12.0,
            fundraise_months: 24.0,
            fundraise_success: 0.35,
            investor_round_share: 0.13,
            fundraise_max_dilution: 0.15,
            fundraise_min_growth: 0.02,
            growth_window_months: 6.0,
            absorption_offer_prob: 0.7,
            absorption_review_risk: 0.3,
            absorption_window_months: 1,
            absorption_pay_premium: 0.3,
            absorption_share: 0.6,
            crisis_exodus: 3.093,
        }
    }
}

/// The cloud capacity market: demand, capacity, builds, prices, placement and migration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Params)]
#[serde(default, deny_unknown_fields)]
pub struct CloudParams {
    /// cost and disruption of moving workloads
    #[param(unit = "x baseline", min = 0, max = 1000)]
    pub migration_cost: f64,
    /// one-off cost of moving one kGPU of workload (at migration_cost 1)
    #[param(unit = "$bn/kGPU", min = 0, max = 10)]
    pub migration_cost_per_kgpu: f64,
    /// months a moved workload is unavailable (at migration_cost 1)
    #[param(unit = "months", min = 0, max = 36)]
    pub migration_disruption_months: f64,
    /// share of investor-hosted workload moved in one migration (divided by migration_cost
    /// above 1: a costlier move is staged in smaller pieces)
    #[param(unit = "share", min = 0, max = 1)]
    pub migration_chunk: f64,
    /// monthly probability of a migration when tension is high and allowed
    #[param(unit = "1/month", min = 0, max = 1)]
    pub migration_propensity: f64,
    /// tension above which the lab migrates
    #[param(unit = "index", min = 0, max = 1)]
    pub migration_tension_threshold: f64,
    /// monthly growth of the lab's training compute demand
    #[param(unit = "1/month", min = 0, max = 1)]
    pub training_growth: f64,
    /// standard deviation of the monthly growth of the lab's training demand
    #[param(unit = "1/month", min = 0, max = 1)]
    pub demand_volatility: f64,
    /// share of the lab's demand that is training (rest inference)
    #[param(unit = "share", min = 0, max = 1)]
    pub training_share: f64,
    /// share of the lab's compute on the investor's cloud at start
    #[param(unit = "share", min = 0, max = 1, initial)]
    pub initial_investor_share: f64,
    /// list price of cloud compute at target utilization
    #[param(unit = "$bn/kGPU-month", min = 1e-9, max = 1)]
    pub price_per_kgpu_month: f64,
    /// price response to utilization above (below) target
    #[param(unit = "x price per unit utilization", min = 0, max = 100)]
    pub price_slope: f64,
    /// lowest price multiple
    #[param(unit = "x list price", min = 1e-3, max = 1)]
    pub price_floor: f64,
    /// highest price multiple
    #[param(unit = "x list price", min = 1, max = 100)]
    pub price_cap: f64,
    /// mean term of the hyperscalers' compute contracts: a share 1/term of a hyperscaler's
    /// book is repriced each month at the price that clears its market
    ///
    /// 24 months: committed-use and reserved contracts of one to three years; list prices
    /// "hardly budged" through 2024 while the specialists cut theirs (FT Alphaville on RBC
    /// data; AWS's first large H100 cut came in June 2025).
    #[param(unit = "months", min = 1, max = 120)]
    pub contract_months: f64,
    /// mean term of the fringe's (GPU specialists') rentals: its price follows its market
    /// within about this many months
    ///
    /// 2 months: on-demand and short rentals; H100 rental prices fell about 30% in two
    /// months to about $2.99 an hour in autumn 2024 (SemiAnalysis, as cited).
    #[param(unit = "months", min = 1, max = 120)]
    pub other_contract_months: f64,
    /// price elasticity of the rest of the market's compute demand (at the clouds' mean
    /// price against the starting price)
    #[param(unit = "-", min = 0, max = 10)]
    pub demand_elasticity: f64,
    /// elasticity of customers' placement to a cloud's price relative to the others'
    #[param(unit = "-", min = 0, max = 50)]
    pub price_elasticity: f64,
    /// share of new demand the lab puts off the investor when free to
    #[param(unit = "share", min = 0, max = 1)]
    pub diversify_target: f64,
    /// monthly growth of firms' own AI compute (on their own cloud where they have one)
    #[param(unit = "1/month", min = 0, max = 1)]
    pub own_use_growth: f64,
    /// monthly growth of the rest of the market's cloud demand
    #[param(unit = "1/month", min = 0, max = 1)]
    pub third_party_growth: f64,
    /// utilization of every cloud at start (sets the rest of the market's load)
    #[param(unit = "share", min = 0.01, max = 1, initial)]
    pub initial_utilization: f64,
    /// utilization clouds plan their builds for; the price is list price there
    #[param(unit = "share", min = 0.01, max = 1)]
    pub target_utilization: f64,
    /// capacity of the fringe of other clouds (Oracle, GPU specialists, ...)
    #[param(unit = "kGPU", min = 0, max = 1e9, initial)]
    pub other_capacity: f64,
    /// the fringe's maximum monthly build, share of its capacity
    #[param(unit = "1/month", min = 0, max = 1)]
    pub other_build_rate: f64,
    /// lead time of a datacenter build (clouds' and the lab's)
    #[param(unit = "months", min = 1, max = 120, initial)]
    pub build_lead_months: u32,
    /// size of an own datacenter relative to the lab's demand
    #[param(unit = "share of demand", min = 0, max = 10)]
    pub build_size: f64,
    /// capital cost of new capacity (financed, paid over depreciation_months)
    #[param(unit = "$bn/kGPU", min = 0, max = 10)]
    pub build_cost_per_kgpu: f64,
    /// monthly probability the lab starts a build of its own
    #[param(unit = "1/month", min = 0, max = 1)]
    pub build_propensity: f64,
    /// life over which a build's capital cost is paid
    #[param(unit = "months", min = 1, max = 600)]
    pub depreciation_months: u32,
    /// loss of the lab's product quality per unit of compute shortfall
    #[param(unit = "-", min = 0, max = 1)]
    pub shortfall_quality_loss: f64,
    /// share of a startup's burn spent on cloud compute
    #[param(unit = "share", min = 0, max = 1)]
    pub startup_compute_share: f64,
    /// weight of a cloud's startup credits in startups' choice of cloud
    #[param(unit = "1/$M", min = 0, max = 100)]
    pub startup_credit_weight: f64,
}

impl Default for CloudParams {
    fn default() -> Self {
        CloudParams {
            migration_cost: 1.0,
            migration_cost_per_kgpu: 0.01,
            migration_disruption_months: 2.0,
            migration_chunk: 0.2,
            migration_propensity: 0.8097,
            migration_tension_threshold: 0.032595,
            training_growth: 0.09,
            demand_volatility: 0.05,
            training_share: 0.5,
            initial_investor_share: 0.9,
            price_per_kgpu_month: 0.0018,
            price_slope: 3.0,
            price_floor: 0.7,
            price_cap: 1.6,
            contract_months: 24.0,
            other_contract_months: 2.0,
            demand_elasticity: 1.0,
            price_elasticity: 2.0,
            diversify_target: 0.4,
            own_use_growth: 0.045,
            third_party_growth: 0.045,
            initial_utilization: 0.95,
            target_utilization: 0.85,
            other_capacity: 625.0,
            other_build_rate: 0.07,
            build_lead_months: 12,
            build_size: 0.3,
            build_cost_per_kgpu: 0.04,
            build_propensity: 0.1,
            depreciation_months: 72,
            shortfall_quality_loss: 0.5,
            startup_compute_share: 0.033,
            startup_credit_weight: 2.0,
        }
    }
}

/// Capability growth and spillover.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Params)]
#[serde(default, deny_unknown_fields)]
pub struct ResearchParams {
    /// elasticity of capability to effective training compute, for a team of reference skill
    ///
    /// Capability is a power of effective compute (K ∝ E^productivity), so log capability,
    /// what products read, is linear in log compute. 0.1 lies between the compute exponents of
    /// the scaling laws: reducible loss ∝ C^−0.05 (Kaplan et al. 2020) to C^−0.15 (Hoffmann
    /// et al. 2022, compute-optimal); 0 turns research off (docs/MODEL.md §7.4).
    #[param(unit = "-", min = 0, max = 2)]
    pub productivity: f64,
    /// monthly growth of log algorithmic efficiency for a team of reference skill
    ///
    /// Effective compute grows by it on top of physical compute: 0.087 = ln 2 / 8, the compute
    /// needed for a given language-model performance halving about every 8 months (Ho et al.
    /// 2024, Epoch AI; 95% interval 5–14 months).
    #[param(unit = "1/month", min = 0, max = 1)]
    pub algorithmic_progress: f64,
    /// exponent of researcher skill in capability growth
    #[param(unit = "-", min = 0, max = 2)]
    pub talent_elasticity: f64,
    /// elasticity of a firm's growth to its distance from the frontier (diffusion of ideas)
    #[param(unit = "-", min = 0, max = 10)]
    pub catch_up: f64,
    /// skill sum that gives unit growth factor
    #[param(unit = "skill units", min = 1e-9, max = f64::INFINITY)]
    pub talent_ref: f64,
    /// share of the capability gap the investor closes monthly through first access and
    /// sharing
    #[param(unit = "1/month", min = 0, max = 1)]
    pub spillover_rate: f64,
    /// relative std. dev. of monthly research output
    ///
    /// 0.4: twice the 0.2 of the earlier form, whose monthly output was about twice as large,
    /// so the spread of capability paths in absolute terms is kept (docs/MODEL.md §7.4).
    #[param(unit = "-", min = 0, max = 5)]
    pub noise: f64,
}

impl Default for ResearchParams {
    fn default() -> Self {
        ResearchParams {
            productivity: 0.1,
            algorithmic_progress: 0.087,
            talent_elasticity: 0.5,
            catch_up: 1.3,
            talent_ref: 300.0,
            spillover_rate: 0.04,
            noise: 0.4,
        }
    }
}

/// Product markets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Params)]
#[serde(default, deny_unknown_fields)]
pub struct ProductParams {
    /// how directly the investor's and the lab's products compete
    #[param(unit = "index", min = 0, max = 1)]
    pub overlap: f64,
    /// logit weight on log model quality (relative to the frontier)
    #[param(unit = "utility per log ratio", min = 0, max = 100)]
    pub quality_weight: f64,
    /// logit weight on distribution reach
    #[param(unit = "utility", min = 0, max = 100)]
    pub distribution_weight: f64,
    /// logit weight on (log) price
    #[param(unit = "utility/log price", min = 0, max = 100)]
    pub price_weight: f64,
    /// revenue pool per segment (consumer, copilot, API, cloud AI) in month 1
    ///
    /// January 2024, from the record (docs/MODEL.md §7.5): consumer assistants 0.12
    /// (ChatGPT's subscriptions, about $1 bn a year of the lab's $1.6–2 bn annualised in
    /// December 2023, at its 70% share); copilots 0.08 (GitHub Copilot's 1.3 M paid seats and
    /// the first Microsoft 365 Copilot seats, at the investor's 55%); developer APIs 0.13
    /// (the lab's API business, the rest of its revenue, at its 38%); cloud AI services 1.0
    /// (the investor's AI services at about $3 bn a year, at its 25%).
    #[param(unit = "$bn/month", min = 0, max = 1000)]
    pub market_size: [f64; 4],
    /// monthly growth of every segment
    ///
    /// 0.085 a month is 2.7× a year: enterprise generative-AI spend grew 6× from 2023 to
    /// 2024 (Menlo Ventures) and the lab's annualised revenue about 3× over 2024 ($1.6–2 bn
    /// to about $5.5 bn); the investor's AI run-rate about 3× ($3 bn to $10 bn).
    #[param(unit = "1/month", min = 0, max = 1)]
    pub market_growth: f64,
    /// share of the investor's revenue on lab models paid back to the lab
    #[param(unit = "share", min = 0, max = 1)]
    pub resale_margin: f64,
    /// share of the lab's product revenue paid to the investor while partnered
    #[param(unit = "share", min = 0, max = 1, initial)]
    pub lab_revenue_share: f64,
    /// quality of the startup fringe at zero open-source strength
    #[param(unit = "capability", min = 0, max = 10)]
    pub startup_fringe_quality: f64,
    /// price of the startup fringe's products
    #[param(unit = "x market", min = 1e-6, max = 100)]
    pub startup_fringe_price: f64,
    /// distribution a tie's marketplace listing adds to the lab's API per unit of the cloud's share of cloud AI services, at full adoption
    #[param(unit = "index", min = 0, max = 10)]
    pub marketplace_reach: f64,
}

impl Default for ProductParams {
    fn default() -> Self {
        ProductParams {
            overlap: 0.5,
            quality_weight: 4.0,
            distribution_weight: 2.0,
            price_weight: 1.5,
            market_size: [0.12, 0.08, 0.13, 1.0],
            market_growth: 0.085,
            resale_margin: 0.2,
            lab_revenue_share: 0.2,
            startup_fringe_quality: 0.5,
            startup_fringe_price: 0.7,
            marketplace_reach: 1.0,
        }
    }
}

/// Startup dynamics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Params)]
#[serde(default, deny_unknown_fields)]
pub struct StartupParams {
    /// startups at start
    #[param(unit = "count", min = 0, max = 10_000_000, initial)]
    pub initial: u32,
    /// expected entries per month at zero concentration and open-source strength 0.5
    #[param(unit = "1/month", min = 0, max = 1_000_000)]
    pub entry_rate: f64,
    /// how strongly segment concentration deters entry
    #[param(unit = "-", min = 0, max = 10)]
    pub concentration_deterrence: f64,
    /// base monthly failure hazard
    #[param(unit = "1/month", min = 0, max = 1)]
    pub failure_rate: f64,
    /// monthly hazard that a big firm buys a startup
    #[param(unit = "1/month", min = 0, max = 1)]
    pub acquisition_rate: f64,
    /// share of purchases that are acqui-hires (regulators watch those by the partners;
    /// staff join the buyer either way)
    #[param(unit = "share", min = 0, max = 1)]
    pub acquihire_share: f64,
    /// cash of a new startup
    #[param(unit = "$bn", min = 0, max = 1000)]
    pub initial_cash: f64,
    /// monthly burn per researcher
    ///
    /// 0.0023 ($2.3 M a month per elite researcher): the whole frontier-model startup
    /// around each of the model's researchers — about a thousand GPUs at about $2 an hour
    /// ($1.5 M a month), several engineers and other staff ($0.1–0.15 M a month for five
    /// at $0.3 M a year) and the researcher's own pay ($0.1 M a month); the figure also
    /// balances the sector's month-1 income and venture capital after seeds (about
    /// $0.55 bn a month over about 240 researchers; docs/MODEL.md §7.6, §8).
    #[param(unit = "$bn/month", min = 0, max = 1)]
    pub burn_per_researcher: f64,
    /// monthly quality growth of a startup
    #[param(unit = "1/month", min = 0, max = 1)]
    pub growth_rate: f64,
    /// cap on startups alive (memory guard: a cap, exempt from the dead-parameter test)
    #[param(unit = "count", min = 0, max = 100_000_000)]
    pub max_startups: u32,
    /// founder seats of a new startup, filled by researchers who choose startup jobs
    #[param(unit = "researchers", min = 0, max = 1000)]
    pub founders: u32,
    /// venture capital available to the startups in month 1
    #[param(unit = "$bn/month", min = 0, max = 1000)]
    pub venture_funding: f64,
    /// monthly growth of the venture capital available to the startups
    ///
    /// 0.06 a month is 2.0× a year: generative-AI venture funding went from $29.1 bn in 691
    /// deals (2023) to $56 bn in 885 deals (2024), ×1.9 (PitchBook, via TechCrunch,
    /// January 2025), with the sector's revenue (the model's segments 2.7× a year,
    /// `products.market_growth`).
    #[param(unit = "1/month", min = 0, max = 1)]
    pub venture_growth: f64,
    /// share of last month's exit proceeds (what big firms paid for startups) that venture
    /// investors put back into the sector's next rounds
    ///
    /// 0.5: exits return capital that funds recycle and limited partners re-commit; the
    /// 2022–24 fall in venture distributions preceded the fall in venture fund-raising
    /// (PitchBook-NVCA Venture Monitor). Half of the proceeds coming back to this sector
    /// within a month is a reasoned default: the record shows the link, not its size.
    #[param(unit = "share", min = 0, max = 10)]
    pub exit_reinvestment: f64,
    /// months of burn a venture round raises
    #[param(unit = "months", min = 0, max = 120)]
    pub round_months: f64,
    /// a startup seeks a round when its cash covers fewer months of burn
    #[param(unit = "months", min = 0, max = 120)]
    pub raise_below_months: f64,
}

impl Default for StartupParams {
    fn default() -> Self {
        StartupParams {
            initial: 60,
            entry_rate: 2.5,
            concentration_deterrence: 1.0,
            failure_rate: 0.005,
            acquisition_rate: 0.01,
            acquihire_share: 0.5,
            initial_cash: 0.1,
            burn_per_researcher: 0.0023,
            growth_rate: 0.05,
            max_startups: 100_000,
            founders: 3,
            venture_funding: 0.7,
            venture_growth: 0.06,
            exit_reinvestment: 0.5,
            round_months: 18.0,
            raise_below_months: 6.0,
        }
    }
}

/// Antitrust authorities (EU Commission, UK CMA, US FTC): jurisdiction thresholds,
/// screens, the parties' undertakings and remedies (shared), and each authority's procedure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Params)]
#[serde(default, deny_unknown_fields)]
pub struct RegulationParams {
    /// all authorities' propensity to find and act on harm (scales referral,
    /// adverse-finding and own-initiative hazards)
    #[param(unit = "x baseline", min = 0, max = 1000)]
    pub stringency: f64,
    /// probability, drawn once per run, that the EU Commission and the CMA read the
    /// partnership's ties alone (K >= control_threshold, no board seat) as de facto control
    /// (the article's "de facto merger"); otherwise, as they found in 2024-25, de facto
    /// control needs a board seat as well; 0 is the law's reading, 1 the article's
    #[param(unit = "probability", min = 0, max = 1)]
    pub ties_control_prob: f64,
    /// control indicator K at or above which the investor has decisive influence (de facto
    /// control)
    #[param(unit = "index", min = 0, max = 1)]
    pub control_threshold: f64,
    /// control indicator K at or above which the investor has material influence (CMA)
    #[param(unit = "index", min = 0, max = 1)]
    pub material_threshold: f64,
    /// post-merger HHI above which a merger is presumed harmful (US 2023 Merger Guidelines:
    /// 1,800)
    #[param(unit = "HHI points", min = 0, max = 10000)]
    pub hhi_presumption: f64,
    /// HHI increase needed for the presumption (US 2023 Merger Guidelines: 100)
    #[param(unit = "HHI points", min = 0, max = 10000)]
    pub delta_presumption: f64,
    /// combined share above which a merger is presumed harmful (US 2023 Merger Guidelines:
    /// 30%)
    #[param(unit = "share", min = 0, max = 1)]
    pub share_presumption: f64,
    /// EU: combined share below which a concentration is presumed compatible (EUMR recital
    /// 32: 25%)
    #[param(unit = "share", min = 0, max = 1)]
    pub eu_share_safe: f64,
    /// EU: post-merger HHI below which horizontal concerns are unlikely (Horizontal Merger
    /// Guidelines para 19: 1,000)
    #[param(unit = "HHI points", min = 0, max = 10000)]
    pub eu_hhi_floor: f64,
    /// EU: post-merger HHI above which the smaller ΔHHI band applies (Horizontal Merger
    /// Guidelines para 20: 2,000)
    #[param(unit = "HHI points", min = 0, max = 10000)]
    pub eu_hhi_concentrated: f64,
    /// EU: ΔHHI below which concerns are unlikely when the post-merger HHI is between the
    /// two bands (para 20: 250)
    #[param(unit = "HHI points", min = 0, max = 10000)]
    pub eu_delta_moderate: f64,
    /// EU: ΔHHI below which concerns are unlikely above the upper HHI band (para 20: 150)
    #[param(unit = "HHI points", min = 0, max = 10000)]
    pub eu_delta_concentrated: f64,
    /// weight of the vertical foreclosure share in the harm index
    #[param(unit = "x", min = 0, max = 100)]
    pub foreclosure_weight: f64,
    /// own-initiative hazard of opening a partnership review, per unit of harm
    #[param(unit = "1/month", min = 0, max = 1)]
    pub open_rate: f64,
    /// added to referral and opening hazards per other authority with the matter in phase 2
    #[param(unit = "x", min = 0, max = 10)]
    pub peer_weight: f64,
    /// e-folding time of evidence gathered in an investigation
    #[param(unit = "months", min = 0, max = 120)]
    pub evidence_months: f64,
    /// adverse-finding hazard in phase 2 per unit of harm at full evidence
    #[param(unit = "x", min = 0, max = 100)]
    pub adverse_harm: f64,
    /// share of adverse findings on the partnership or a team acquisition that order a
    /// divestiture rather than behavioural remedies (EU Remedies Notice 2008/C 267/01
    /// paras 15-17: divestiture is the benchmark remedy; calibrated)
    #[param(unit = "share", min = 0, max = 1)]
    pub divest_propensity: f64,
    /// share of adverse findings on a bid that block it rather than clear it with remedies
    #[param(unit = "share", min = 0, max = 1)]
    pub bid_block_propensity: f64,
    /// authorities' reluctance to accept behavioural undertakings (acceptance x
    /// exp(-stringency x this))
    #[param(unit = "x", min = 0, max = 100)]
    pub behavioural_doubt: f64,
    /// chance that an authority decides on undertakings by its reading of the harm (the
    /// case's view, which also decides its findings) rather than on other grounds
    #[param(unit = "probability", min = 0, max = 1)]
    pub view_weight: f64,
    /// investor's cost of giving up its board role
    #[param(unit = "x divestiture", min = 0, max = 10)]
    pub undertaking_board_cost: f64,
    /// investor's cost of loosening exclusivity and ending first access
    #[param(unit = "x divestiture", min = 0, max = 10)]
    pub undertaking_behavioural_cost: f64,
    /// investor's cost of cutting its stake to undertaking_stake
    #[param(unit = "x divestiture", min = 0, max = 10)]
    pub undertaking_stake_cost: f64,
    /// stake the investor keeps when it undertakes to reduce it
    #[param(unit = "share", min = 0, max = 1)]
    pub undertaking_stake: f64,
    /// months from a divestiture order to separation (EU first divestiture period about 6
    /// months)
    #[param(unit = "months", min = 0, max = 60)]
    pub implementation_months: u32,
    /// CMA share-of-supply test for acqui-hires (25%)
    #[param(unit = "share", min = 0, max = 1)]
    pub share_of_supply: f64,
    /// voting stake at or above which a tie's investor may have material influence, with another indicator (CMA)
    ///
    /// The CMA's jurisdiction guidance (CMA2, para 4.20): a holding of 25% or more is
    /// generally presumed to confer material influence, one of 15% or more may, and below
    /// 15% only exceptionally.
    #[param(unit = "share", min = 0, max = 1)]
    pub material_stake: f64,
    /// voting stake from which a tie's investor is presumed to have material influence (CMA)
    #[param(unit = "share", min = 0, max = 1)]
    pub material_presumption: f64,
    /// the UK turnover test of a relevant merger situation: the target's UK turnover
    ///
    /// £70 M (Enterprise Act 2002 s.23, before the DMCC Act raised it to £100 M from
    /// January 2025), about $0.089 bn a year at 2024's exchange rate.
    #[param(unit = "$bn/year", min = 0, max = 1e4)]
    pub uk_turnover_threshold: f64,
    /// share of a frontier lab's revenue earned in the UK (turnover test)
    ///
    /// An assumption: the UK is about 3% of world GDP and a larger share of enterprise
    /// software spending; the CMA found the independent lab's UK turnover below £70 M in
    /// 2024 (September 2024).
    #[param(unit = "share", min = 0, max = 1)]
    pub uk_revenue_share: f64,
    /// US HSR size-of-transaction threshold ($119.5m in 2024)
    #[param(unit = "$bn", min = 0, max = 1000)]
    pub hsr_threshold: f64,
    #[param(table, label = "EU Commission")]
    pub eu: AuthorityParams,
    #[param(table, label = "UK CMA")]
    pub cma: AuthorityParams,
    #[param(table, label = "US FTC")]
    pub ftc: AuthorityParams,
}

/// One authority's procedure: stage durations (statutory clocks in working days), referral
/// propensities and starting stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Params)]
#[serde(default, deny_unknown_fields)]
pub struct AuthorityParams {
    /// propensity relative to the other authorities (scales its hazards)
    #[param(unit = "x", min = 0, max = 100)]
    pub weight: f64,
    /// mean duration of an own-initiative informal inquiry
    #[param(unit = "months", min = 0, max = 120)]
    pub inquiry_months: f64,
    /// mean duration of pre-notification of a bid or acqui-hire
    #[param(unit = "months", min = 0, max = 120)]
    pub prenotification_months: f64,
    /// phase 1 clock
    #[param(unit = "working days", min = 0, max = 1000)]
    pub phase1_days: f64,
    /// days added to phase 1 when undertakings are offered (0: none accepted in phase 1)
    #[param(unit = "working days", min = 0, max = 1000)]
    pub undertaking_days: f64,
    /// phase 2 clock
    #[param(unit = "working days", min = 0, max = 2000)]
    pub phase2_days: f64,
    /// phase 2 extension
    #[param(unit = "working days", min = 0, max = 1000)]
    pub extension_days: f64,
    /// probability that phase 2 is extended
    #[param(unit = "share", min = 0, max = 1)]
    pub extension_rate: f64,
    /// phase 2 referral hazard without harm
    #[param(unit = "1", min = 0, max = 10)]
    pub refer_base: f64,
    /// phase 2 referral hazard per squared unit of harm
    #[param(unit = "1", min = 0, max = 10)]
    pub refer_harm: f64,
    /// months after a change in influence within which a review can open (0: no limit)
    #[param(unit = "months", min = 0, max = 120)]
    pub time_limit_months: u32,
    /// months in court before a divestiture of a consummated deal is ordered (0:
    /// administrative decision)
    #[param(unit = "months", min = 0, max = 120)]
    pub litigation_months: u32,
    /// stage of the partnership case at the start
    #[param(words, initial)]
    pub initial_stage: Stage,
    /// months already spent in the initial stage
    #[param(unit = "months", min = 0, max = 120, initial)]
    pub initial_months_in_stage: u32,
}

impl Default for AuthorityParams {
    fn default() -> Self {
        AuthorityParams {
            weight: 1.0,
            inquiry_months: 6.0,
            prenotification_months: 2.0,
            phase1_days: 25.0,
            undertaking_days: 10.0,
            phase2_days: 90.0,
            extension_days: 35.0,
            extension_rate: 0.5,
            refer_base: 0.01,
            refer_harm: 0.1,
            time_limit_months: 0,
            litigation_months: 0,
            initial_stage: Stage::Monitoring,
            initial_months_in_stage: 0,
        }
    }
}

/// The stage of an authority's case (the partnership case is written to time series).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Variants)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// No open case.
    Monitoring,
    /// Informal inquiry or pre-notification, before the statutory clock starts.
    Informal,
    /// Phase 1 (EU Phase I, CMA Phase 1, US HSR waiting period or preliminary investigation).
    Phase1,
    /// Phase 2 (EU Phase II, CMA Phase 2, US second request or full investigation).
    Phase2,
    /// Litigation of an adverse finding in court (US).
    Court,
}

impl Stage {
    /// Numeric code used in time series (0 monitoring, 1 informal, 2 phase 1, 3 phase 2, 4 court).
    pub fn code(self) -> u8 {
        self as u8
    }
    /// Label used in events (its serde word).
    pub fn as_str(self) -> &'static str {
        Self::WORDS[self as usize]
    }
}

impl Default for RegulationParams {
    fn default() -> Self {
        RegulationParams {
            stringency: 1.0,
            ties_control_prob: 0.1439,
            control_threshold: 0.85,
            material_threshold: 0.3,
            hhi_presumption: 1800.0,
            delta_presumption: 100.0,
            share_presumption: 0.3,
            eu_share_safe: 0.25,
            eu_hhi_floor: 1000.0,
            eu_hhi_concentrated: 2000.0,
            eu_delta_moderate: 250.0,
            eu_delta_concentrated: 150.0,
            foreclosure_weight: 1.0,
            open_rate: 0.02,
            peer_weight: 0.1,
            evidence_months: 6.0,
            adverse_harm: 0.5,
            divest_propensity: 0.53132,
            bid_block_propensity: 0.3,
            behavioural_doubt: 0.3,
            view_weight: 0.75,
            undertaking_board_cost: 0.05,
            undertaking_behavioural_cost: 0.3,
            undertaking_stake_cost: 0.6,
            undertaking_stake: 0.1,
            implementation_months: 6,
            share_of_supply: 0.25,
            material_stake: 0.15,
            material_presumption: 0.25,
            uk_turnover_threshold: 0.089,
            uk_revenue_share: 0.05,
            hsr_threshold: 0.1195,
            eu: AuthorityParams {
                weight: 1.0,
                inquiry_months: 4.0,
                prenotification_months: 2.0,
                phase1_days: 25.0,
                undertaking_days: 10.0,
                phase2_days: 90.0,
                extension_days: 35.0,
                extension_rate: 0.5,
                refer_base: 0.003,
                refer_harm: 0.45,
                time_limit_months: 0,
                litigation_months: 0,
                initial_stage: Stage::Informal,
                initial_months_in_stage: 2,
            },
            cma: AuthorityParams {
                weight: 1.0,
                inquiry_months: 12.0,
                prenotification_months: 2.0,
                phase1_days: 40.0,
                undertaking_days: 50.0,
                phase2_days: 120.0,
                extension_days: 40.0,
                extension_rate: 0.5,
                refer_base: 0.2,
                refer_harm: 1.2,
                time_limit_months: 4,
                litigation_months: 0,
                initial_stage: Stage::Informal,
                initial_months_in_stage: 3,
            },
            ftc: AuthorityParams {
                weight: 1.0,
                inquiry_months: 6.0,
                prenotification_months: 0.0,
                phase1_days: 21.0,
                undertaking_days: 0.0,
                phase2_days: 223.0,
                extension_days: 0.0,
                extension_rate: 0.0,
                refer_base: 0.002,
                refer_harm: 0.25,
                time_limit_months: 0,
                litigation_months: 12,
                initial_stage: Stage::Monitoring,
                initial_months_in_stage: 0,
            },
        }
    }
}

/// Open-weight models.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Params)]
#[serde(default, deny_unknown_fields)]
pub struct OpenSourceParams {
    /// quality and reach of open-weight models
    #[param(unit = "index", min = 0, max = 1)]
    pub strength: f64,
}

impl Default for OpenSourceParams {
    fn default() -> Self {
        OpenSourceParams { strength: 0.5 }
    }
}

/// The researcher pool and the hiring choice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Params)]
#[serde(default, deny_unknown_fields)]
pub struct TalentParams {
    /// researcher agents at start
    #[param(unit = "count", min = 1, max = 100_000_000, initial)]
    pub researchers: u32,
    /// monthly probability a researcher looks for a job
    #[param(unit = "1/month", min = 0, max = 1)]
    pub search_hazard: f64,
    /// multiplier of the lab staff's search hazard in a crisis month
    #[param(unit = "x", min = 0, max = 100)]
    pub crisis_search_boost: f64,
    /// weight on pay in the employer choice
    #[param(unit = "utility/log pay", min = 0, max = 100)]
    pub pay_weight: f64,
    /// weight on the employer's capability
    #[param(unit = "utility/log capability", min = 0, max = 100)]
    pub prestige_weight: f64,
    /// weight on mission fit
    #[param(unit = "utility", min = 0, max = 100)]
    pub mission_weight: f64,
    /// utility bonus of staying
    #[param(unit = "utility", min = 0, max = 100)]
    pub switching_cost: f64,
    /// pay at startups
    #[param(unit = "x market", min = 1e-6, max = 100)]
    pub startup_pay: f64,
    /// mission culture at startups
    #[param(unit = "index", min = 0, max = 1)]
    pub startup_mission: f64,
    /// monthly cost of one researcher at market pay
    #[param(unit = "$bn/month", min = 0, max = 1)]
    pub cost_per_researcher: f64,
    /// share of capital a firm may commit per month to new hires and raises (each at a year
    /// of pay)
    #[param(unit = "1/month", min = 0, max = 1)]
    pub hiring_budget_share: f64,
    /// a firm's openings a month as a share of its headcount (at least one)
    #[param(unit = "1/month", min = 0, max = 1)]
    pub openings_share: f64,
    /// raise of a firm's pay offer per unit of net attrition: a firm that lost a share x of
    /// its researchers this month (net of hires: places it could not fill) raises its pay
    /// by pay_response·x, within its hiring budget
    ///
    /// 2: a firm that loses 1% of its researchers in a month raises its offers by 2%, so
    /// pay is bid up where firms compete for the same people (offers of $5–10 M a year to
    /// top researchers in late 2023, far more in 2025; domain-facts.md). A reasoned
    /// default, calibrated in the baseline's targets.
    #[param(unit = "x", min = 0, max = 100)]
    pub pay_response: f64,
    /// monthly downward drift of a firm's pay offer while it fills its places (or its cash
    /// budget binds), towards its standing offer (the scenario's `pay`; the market's pay,
    /// 1, for a firm short of cash), never below it
    ///
    /// 0.01 (about 11% a year): pay is sticky downwards — employers rarely cut the pay of
    /// staff they keep and adjust through smaller offers to new hires and fewer retention
    /// grants (Bewley, *Why Wages Don't Fall during a Recession*, 1999) — so a premium bid
    /// up in a talent war fades over one to two years once the competition eases, as
    /// four-year equity grants vest out.
    #[param(unit = "1/month", min = 0, max = 1)]
    pub pay_drift: f64,
    /// log-normal dispersion of researcher skill
    #[param(unit = "-", min = 0, max = 5, initial)]
    pub skill_sigma: f64,
}

impl Default for TalentParams {
    fn default() -> Self {
        TalentParams {
            researchers: 2000,
            search_hazard: 0.04,
            crisis_search_boost: 4.0,
            pay_weight: 2.0,
            prestige_weight: 1.5,
            mission_weight: 1.5,
            switching_cost: 2.5,
            startup_pay: 0.8,
            startup_mission: 0.7,
            cost_per_researcher: 0.0001,
            hiring_budget_share: 0.02,
            openings_share: 0.05,
            pay_response: 2.0,
            pay_drift: 0.01,
            skill_sigma: 0.5,
        }
    }
}

/// Governance shocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Params)]
#[serde(default, deny_unknown_fields)]
pub struct GovernanceParams {
    /// expected board crises per month
    #[param(unit = "1/month", min = 0, max = 100)]
    pub crisis_rate: f64,
    /// months the lab counts as weak after a crisis
    #[param(unit = "months", min = 0, max = 120)]
    pub crisis_weak_months: u32,
    /// probability a crisis gives the investor a board seat
    #[param(unit = "share", min = 0, max = 1)]
    pub crisis_board_seat_prob: f64,
    /// safety-vs-speed gap at start
    #[param(unit = "index", min = 0, max = 1)]
    pub safety_gap_initial: f64,
    /// commercialization-pace gap at start
    #[param(unit = "index", min = 0, max = 1)]
    pub pace_gap_initial: f64,
    /// monthly std. dev. of each gap
    #[param(unit = "index", min = 0, max = 1)]
    pub gap_volatility: f64,
    /// monthly reversion of each gap to its initial value
    #[param(unit = "1/month", min = 0, max = 1)]
    pub gap_reversion: f64,
}

impl Default for GovernanceParams {
    fn default() -> Self {
        GovernanceParams {
            crisis_rate: 0.04,
            crisis_weak_months: 4,
            crisis_board_seat_prob: 0.5,
            safety_gap_initial: 0.3,
            pace_gap_initial: 0.3,
            gap_volatility: 0.05,
            gap_reversion: 0.1,
        }
    }
}

/// Thresholds of the outcome classification (SPEC §2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Params)]
#[serde(default, deny_unknown_fields)]
pub struct OutcomeParams {
    /// decoupling if the lab's compute share on the investor falls below this
    #[param(unit = "share", min = 0, max = 1)]
    pub decoupling_share_threshold: f64,
    /// ... while the investor's in-house capability (without what it absorbed from the
    /// lab) over the lab's rises above this (0.7: above the starting ratio's range, 0.62-0.67
    /// at month 1, so it needs the investor's own models to gain on the lab's)
    #[param(unit = "ratio", min = 0, max = 100)]
    pub decoupling_inhouse_threshold: f64,
    /// ... both for this many consecutive months
    ///
    /// 3: a quarter. A single month below the thresholds can be a migration in progress or
    /// a model release; a quarter is the period the partners report and renegotiate on.
    #[param(unit = "months", min = 1, max = 600)]
    pub decoupling_months: u32,
}

impl Default for OutcomeParams {
    fn default() -> Self {
        OutcomeParams {
            decoupling_share_threshold: 0.75,
            decoupling_inhouse_threshold: 0.7,
            decoupling_months: 3,
        }
    }
}

/// Hooks for testing the tool itself; leave at their defaults for studies.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Params)]
#[serde(default, deny_unknown_fields)]
pub struct TestingParams {
    /// testing hook: runs whose seed is divisible by this panic (0 = never)
    #[param(unit = "runs", min = 0, max = 1e18, initial)]
    pub fail_every: u64,
}

impl Scenario {
    /// The roster index of the company named `name`, if any.
    pub fn company_index(&self, name: &str) -> Option<usize> {
        self.companies.iter().position(|c| c.name == name)
    }

    /// Each `[[partnerships]]` tie's (investor, lab) roster indices, in scenario order
    /// (`None` for a name not in the roster, which validation rejects).
    pub fn tie_parties(&self) -> Vec<Option<(usize, usize)>> {
        self.partnerships
            .iter()
            .map(|t| Some((self.company_index(&t.investor)?, self.company_index(&t.lab)?)))
            .collect()
    }

    /// Names of the cloud slots in column order: companies with cloud capacity, then
    /// `other` (the fringe of GPU specialists).
    pub fn cloud_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .companies
            .iter()
            .filter(|c| c.cloud_capacity > 0.0)
            .map(|c| c.name.as_str())
            .collect();
        names.push("other");
        names
    }
}

impl Default for Scenario {
    fn default() -> Self {
        use Segment::*;
        let company = |name: &str, role: Role| CompanyParams {
            name: name.into(),
            role,
            ..CompanyParams::default()
        };
        Scenario {
            name: "baseline".into(),
            description: "The article's situation, calibrated to its 60/25/10/5 expert view".into(),
            horizon_months: 18,
            start: Some(YearMonth { year: 2024, month: 1 }),
            partnership: PartnershipParams::default(),
            cloud: CloudParams::default(),
            research: ResearchParams::default(),
            products: ProductParams::default(),
            startups: StartupParams::default(),
            regulation: RegulationParams::default(),
            open_source: OpenSourceParams::default(),
            talent: TalentParams::default(),
            governance: GovernanceParams::default(),
            outcomes: OutcomeParams::default(),
            testing: TestingParams::default(),
            companies: vec![
                CompanyParams {
                    capital: 9.0,
                    other_income: 0.0,
                    other_cost_share: 0.35,
                    own_compute: 200.0,
                    capability: 1.0,
                    talent_share: 0.15,
                    pay: 1.3,
                    mission: 0.7,
                    distribution: 0.8,
                    segments: vec![ConsumerAssistant, ProductivityCopilot, DeveloperApi],
                    initial_shares: vec![0.70, 0.15, 0.38, 0.0],
                    ..company("lab", Role::Lab)
                },
                CompanyParams {
                    capital: 80.0,
                    other_income: 1.5,
                    cloud_capacity: 600.0,
                    own_compute: 120.0,
                    build_rate: 0.065,
                    startup_credits: 0.15,
                    capability: 0.6,
                    talent_share: 0.18,
                    pay: 1.2,
                    mission: 0.3,
                    distribution: 0.9,
                    segments: vec![ConsumerAssistant, ProductivityCopilot, DeveloperApi, CloudAiServices],
                    initial_shares: vec![0.06, 0.55, 0.12, 0.25],
                    ..company("investor", Role::Investor)
                },
                CompanyParams {
                    capital: 90.0,
                    other_income: 1.5,
                    cloud_capacity: 335.0,
                    own_compute: 120.0,
                    build_rate: 0.06,
                    startup_credits: 0.35,
                    capability: 0.95,
                    talent_share: 0.22,
                    pay: 1.2,
                    mission: 0.5,
                    distribution: 0.7,
                    segments: vec![ConsumerAssistant, ProductivityCopilot, DeveloperApi, CloudAiServices],
                    initial_shares: vec![0.08, 0.10, 0.07, 0.11],
                    ..company("google", Role::RivalCloud)
                },
                CompanyParams {
                    capital: 70.0,
                    other_income: 1.5,
                    cloud_capacity: 640.0,
                    own_compute: 50.0,
                    // AWS's 2024 capex ($53 bn) matched the investor's ($56 bn, FY2024).
                    build_rate: 0.065,
                    startup_credits: 0.1,
                    capability: 0.7,
                    talent_share: 0.1,
                    pay: 1.1,
                    mission: 0.4,
                    distribution: 0.6,
                    segments: vec![DeveloperApi, CloudAiServices],
                    initial_shares: vec![0.0, 0.0, 0.03, 0.31],
                    ..company("amazon", Role::RivalCloud)
                },
                CompanyParams {
                    capital: 50.0,
                    other_income: 1.0,
                    own_compute: 110.0,
                    capability: 0.85,
                    talent_share: 0.15,
                    pay: 1.15,
                    mission: 0.4,
                    distribution: 0.6,
                    price: 0.6,
                    segments: vec![ConsumerAssistant, DeveloperApi],
                    initial_shares: vec![0.03, 0.0, 0.10, 0.0],
                    ..company("meta", Role::OpenWeight)
                },
                CompanyParams {
                    capital: 2.0,
                    other_income: 0.0,
                    other_cost_share: 0.35,
                    own_compute: 80.0,
                    capability: 0.9,
                    talent_share: 0.08,
                    pay: 1.25,
                    mission: 0.9,
                    distribution: 0.4,
                    segments: vec![ConsumerAssistant, DeveloperApi],
                    initial_shares: vec![0.02, 0.0, 0.12, 0.0],
                    ..company("anthropic", Role::IndependentLab)
                },
            ],
            partnerships: ties::baseline_ties(),
            events: Vec::new(),
        }
    }
}
