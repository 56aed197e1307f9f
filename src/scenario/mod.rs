//! Scenario parameters: every knob of the model, as data (SPEC §3).
//!
//! Structs mirror the TOML layout exactly; every field has a default (the built-in
//! baseline) and a documented unit and range in [`params`]. Unknown keys are errors.

pub mod load;
pub mod params;
pub mod schema;
pub mod timeline;

use serde::{Deserialize, Serialize};

pub use load::{ScenarioError, apply_override, bundled, bundled_names, load_scenario_file, parse_scenario};
pub use timeline::{TimelineEvent, YearMonth};

/// A complete, resolved scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// Scenario name, shown in manifests and reports.
    pub name: String,
    /// What question the scenario answers (free text).
    pub description: String,
    /// Ticks (months) per run.
    pub horizon_months: u32,
    /// Calendar month of month 1 (`"YYYY-MM"`; `""` for none): outputs then carry a `date`.
    #[serde(
        serialize_with = "timeline::serialize_start",
        deserialize_with = "timeline::deserialize_start"
    )]
    pub start: Option<YearMonth>,
    pub partnership: PartnershipParams,
    pub cloud: CloudParams,
    pub research: ResearchParams,
    pub products: ProductParams,
    pub startups: StartupParams,
    pub regulation: RegulationParams,
    pub open_source: OpenSourceParams,
    pub talent: TalentParams,
    pub governance: GovernanceParams,
    pub outcomes: OutcomeParams,
    pub testing: TestingParams,
    /// The roster of companies; exactly one `lab` and one `investor`.
    pub companies: Vec<CompanyParams>,
    /// Dated events, each applied at the start of its month (see [`timeline`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<TimelineEvent>,
}

/// Lab's cloud exclusivity towards the investor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Label used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Exclusivity::Exclusive => "exclusive",
            Exclusivity::Rofr => "rofr",
            Exclusivity::None => "none",
        }
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Label used in column names.
    pub fn as_str(self) -> &'static str {
        match self {
            Segment::ConsumerAssistant => "consumer_assistant",
            Segment::ProductivityCopilot => "productivity_copilot",
            Segment::DeveloperApi => "developer_api",
            Segment::CloudAiServices => "cloud_ai_services",
        }
    }
    /// Position in [`Segment::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// One company of the roster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CompanyParams {
    /// Short name used in outputs (letters, digits, `_`, `-`).
    pub name: String,
    pub role: Role,
    /// Cash available for compute, pay and deals, $bn.
    pub capital: f64,
    /// Non-AI monthly cash flow that funds AI work, $bn/month.
    pub other_income: f64,
    /// Cloud capacity sold to others or used in-house, thousand GPU-equivalents (kGPU); 0 = no cloud.
    pub cloud_capacity: f64,
    /// Compute the company uses for its own models, kGPU (for the lab: its total demand at start).
    pub own_compute: f64,
    /// Maximum capacity the company's cloud adds per month (its build programme), share of capacity.
    pub build_rate: f64,
    /// Cloud credits offered to a startup that signs up, $M.
    pub startup_credits: f64,
    /// Frontier model capability, index (lab at start = 1).
    pub capability: f64,
    /// Share of the researcher pool employed at start, 0..=1 (the rest work at startups).
    pub talent_share: f64,
    /// Pay offered, relative to the market (1 = market).
    pub pay: f64,
    /// Mission and safety culture, 0 (pure speed) ..= 1 (pure mission).
    pub mission: f64,
    /// Distribution reach (installed base, channels), 0..=1.
    pub distribution: f64,
    /// Price of its AI products relative to the market (1 = market).
    pub price: f64,
    /// Segments where the company sells a product.
    pub segments: Vec<Segment>,
    /// Market share of its product in each segment at the start (consumer assistant,
    /// productivity copilot, developer API, cloud AI services; 0 where it does not sell).
    /// Empty: no brand calibration (ξ = 0).
    pub initial_shares: Vec<f64>,
}

impl Default for CompanyParams {
    fn default() -> Self {
        CompanyParams {
            name: "company".into(),
            role: Role::RivalCloud,
            capital: 10.0,
            other_income: 0.0,
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PartnershipParams {
    pub exclusivity: Exclusivity,
    pub investor_stake: f64,
    pub first_access: bool,
    pub info_sharing: f64,
    pub board_seat: bool,
    pub tension_initial: f64,
    pub tension_overlap_weight: f64,
    pub tension_poach_weight: f64,
    pub tension_crisis_jump: f64,
    pub tension_pace_weight: f64,
    pub tension_compute_weight: f64,
    pub tension_damping: f64,
    pub tension_noise: f64,
    pub sharing_cut_threshold: f64,
    pub sharing_cut_rate: f64,
    pub renegotiate_threshold: f64,
    pub renegotiate_rate: f64,
    /// The lab's recent compute shortfall (5-month average) above which it presses to
    /// renegotiate exclusivity, whatever the tension.
    pub renegotiate_shortfall: f64,
    /// How much cheaper (share of its price) a rival cloud's offer must be before the lab
    /// presses to renegotiate exclusivity.
    pub renegotiate_price_gap: f64,
    /// Share of the unsettled product clash and governance disputes that settled talks
    /// after a clash resolve by agreed terms.
    pub boundary_step: f64,
    /// Months after settled talks before new talks can settle.
    pub renegotiate_interval: u32,
    /// The lab's weight in the Nash bargaining over the partnership's surplus (investor: 1 − it).
    pub bargaining_weight: f64,
    /// Value of the partnership lost per unit of tension, as a share of the partners'
    /// product usage (the friction of a conflictual relationship).
    pub tension_cost: f64,
    pub dissolve_rate: f64,
    pub bid_propensity: f64,
    pub bid_min_stake: f64,
    pub bid_premium: f64,
    /// Mean premium over standalone value the lab's board requires to sell while weak.
    pub board_reservation: f64,
    pub weak_capital_months: f64,
    pub bid_failure_tension: f64,
    pub valuation_multiple: f64,
    /// Multiple of annual profit at which the investor capitalises the rents control secures.
    pub rent_multiple: f64,
    pub fundraise_runway_months: f64,
    pub fundraise_months: f64,
    pub fundraise_success: f64,
    pub absorption_offer_prob: f64,
    /// Risk per unit of regulatory stringency that an absorption is challenged, which
    /// deters the investor from offering.
    pub absorption_review_risk: f64,
    pub absorption_window_months: u32,
    pub absorption_pay_premium: f64,
    pub absorption_share: f64,
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
            renegotiate_threshold: 0.5,
            renegotiate_rate: 0.25,
            renegotiate_shortfall: 0.01,
            renegotiate_price_gap: 0.2,
            boundary_step: 0.5,
            renegotiate_interval: 9,
            bargaining_weight: 0.5,
            tension_cost: 6.0774,
            dissolve_rate: 0.3,
            bid_propensity: 0.7869,
            bid_min_stake: 0.3,
            bid_premium: 0.3,
            board_reservation: 0.3,
            weak_capital_months: 6.0,
            bid_failure_tension: 0.2,
            valuation_multiple: 40.0,
            rent_multiple: 30.0,
            fundraise_runway_months: 12.0,
            fundraise_months: 24.0,
            fundraise_success: 0.5,
            absorption_offer_prob: 0.7,
            absorption_review_risk: 0.3,
            absorption_window_months: 1,
            absorption_pay_premium: 0.3,
            absorption_share: 0.6,
            crisis_exodus: 3.203,
        }
    }
}

/// The cloud capacity market: demand, capacity, builds, prices, placement and migration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CloudParams {
    pub migration_cost: f64,
    pub migration_cost_per_kgpu: f64,
    pub migration_disruption_months: f64,
    pub migration_chunk: f64,
    pub migration_propensity: f64,
    pub migration_tension_threshold: f64,
    /// Monthly growth of the lab's training compute demand.
    pub training_growth: f64,
    /// Monthly standard deviation of the lab's training-demand growth.
    pub demand_volatility: f64,
    pub training_share: f64,
    pub initial_investor_share: f64,
    /// List price at target utilization, $bn per kGPU-month.
    pub price_per_kgpu_month: f64,
    /// Price response to utilization above target (price multiple per unit of utilization).
    pub price_slope: f64,
    pub price_floor: f64,
    pub price_cap: f64,
    /// Elasticity of customers' placement to relative price.
    pub price_elasticity: f64,
    pub diversify_target: f64,
    /// Monthly growth of firms' own AI compute (hosted on their own cloud where they have one).
    pub own_use_growth: f64,
    /// Monthly growth of the rest of the market's cloud demand.
    pub third_party_growth: f64,
    pub initial_utilization: f64,
    pub target_utilization: f64,
    /// Capacity of the fringe of other clouds, kGPU.
    pub other_capacity: f64,
    /// The fringe's maximum monthly build, share of its capacity.
    pub other_build_rate: f64,
    pub build_lead_months: u32,
    pub build_size: f64,
    pub build_cost_per_kgpu: f64,
    pub build_propensity: f64,
    pub depreciation_months: u32,
    pub shortfall_quality_loss: f64,
    pub startup_compute_share: f64,
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
            migration_tension_threshold: 0.4,
            training_growth: 0.09,
            demand_volatility: 0.05,
            training_share: 0.5,
            initial_investor_share: 0.9,
            price_per_kgpu_month: 0.0018,
            price_slope: 3.0,
            price_floor: 0.7,
            price_cap: 1.6,
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResearchParams {
    pub productivity: f64,
    pub compute_elasticity: f64,
    pub talent_elasticity: f64,
    pub catch_up: f64,
    pub compute_ref: f64,
    pub talent_ref: f64,
    pub spillover_rate: f64,
    pub noise: f64,
}

impl Default for ResearchParams {
    fn default() -> Self {
        ResearchParams {
            productivity: 0.03,
            compute_elasticity: 0.4,
            talent_elasticity: 0.5,
            catch_up: 1.3,
            compute_ref: 200.0,
            talent_ref: 300.0,
            spillover_rate: 0.04,
            noise: 0.2,
        }
    }
}

/// Product markets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProductParams {
    pub overlap: f64,
    pub quality_weight: f64,
    pub distribution_weight: f64,
    pub price_weight: f64,
    pub market_size: [f64; 4],
    pub market_growth: f64,
    pub resale_margin: f64,
    pub lab_revenue_share: f64,
    pub startup_fringe_quality: f64,
    pub startup_fringe_price: f64,
}

impl Default for ProductParams {
    fn default() -> Self {
        ProductParams {
            overlap: 0.5,
            quality_weight: 4.0,
            distribution_weight: 2.0,
            price_weight: 1.5,
            market_size: [0.6, 0.5, 0.4, 1.0],
            market_growth: 0.03,
            resale_margin: 0.2,
            lab_revenue_share: 0.2,
            startup_fringe_quality: 0.5,
            startup_fringe_price: 0.7,
        }
    }
}

/// Startup dynamics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StartupParams {
    pub initial: u32,
    pub entry_rate: f64,
    pub concentration_deterrence: f64,
    pub failure_rate: f64,
    pub acquisition_rate: f64,
    pub acquihire_share: f64,
    pub initial_cash: f64,
    pub burn_per_researcher: f64,
    pub growth_rate: f64,
    pub max_startups: u32,
    pub founders: u32,
    pub venture_funding: f64,
    pub round_months: f64,
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
            burn_per_researcher: 0.003,
            growth_rate: 0.05,
            max_startups: 100_000,
            founders: 3,
            venture_funding: 0.7,
            round_months: 18.0,
            raise_below_months: 6.0,
        }
    }
}

/// Antitrust authorities (EU Commission, UK CMA, US FTC): jurisdiction thresholds,
/// screens, the parties' undertakings and remedies (shared), and each authority's procedure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegulationParams {
    pub stringency: f64,
    pub defacto_needs_board_seat: bool,
    pub control_threshold: f64,
    pub material_threshold: f64,
    pub hhi_presumption: f64,
    pub delta_presumption: f64,
    pub share_presumption: f64,
    pub eu_share_safe: f64,
    pub eu_hhi_floor: f64,
    pub eu_hhi_concentrated: f64,
    pub eu_delta_moderate: f64,
    pub eu_delta_concentrated: f64,
    pub foreclosure_weight: f64,
    pub open_rate: f64,
    pub peer_weight: f64,
    pub evidence_months: f64,
    pub adverse_harm: f64,
    pub divest_propensity: f64,
    pub bid_block_propensity: f64,
    pub behavioural_doubt: f64,
    pub undertaking_board_cost: f64,
    pub undertaking_behavioural_cost: f64,
    pub undertaking_stake_cost: f64,
    pub undertaking_stake: f64,
    pub implementation_months: u32,
    pub share_of_supply: f64,
    pub hsr_threshold: f64,
    pub eu: AuthorityParams,
    pub cma: AuthorityParams,
    pub ftc: AuthorityParams,
}

/// One authority's procedure: stage durations (statutory clocks in working days), referral
/// propensities and starting stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthorityParams {
    pub weight: f64,
    pub inquiry_months: f64,
    pub prenotification_months: f64,
    pub phase1_days: f64,
    pub undertaking_days: f64,
    pub phase2_days: f64,
    pub extension_days: f64,
    pub extension_rate: f64,
    pub refer_base: f64,
    pub refer_harm: f64,
    pub time_limit_months: u32,
    pub litigation_months: u32,
    pub initial_stage: Stage,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Label used in events.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Monitoring => "monitoring",
            Stage::Informal => "informal",
            Stage::Phase1 => "phase1",
            Stage::Phase2 => "phase2",
            Stage::Court => "court",
        }
    }
}

impl Default for RegulationParams {
    fn default() -> Self {
        RegulationParams {
            stringency: 1.0,
            defacto_needs_board_seat: false,
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
            divest_propensity: 0.19476,
            bid_block_propensity: 0.3,
            behavioural_doubt: 0.3,
            undertaking_board_cost: 0.05,
            undertaking_behavioural_cost: 0.3,
            undertaking_stake_cost: 0.6,
            undertaking_stake: 0.1,
            implementation_months: 6,
            share_of_supply: 0.25,
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OpenSourceParams {
    pub strength: f64,
}

impl Default for OpenSourceParams {
    fn default() -> Self {
        OpenSourceParams { strength: 0.5 }
    }
}

/// The researcher pool and the hiring choice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TalentParams {
    pub researchers: u32,
    pub search_hazard: f64,
    pub crisis_search_boost: f64,
    pub pay_weight: f64,
    pub prestige_weight: f64,
    pub mission_weight: f64,
    pub switching_cost: f64,
    pub startup_pay: f64,
    pub startup_mission: f64,
    pub cost_per_researcher: f64,
    pub hiring_budget_share: f64,
    pub openings_share: f64,
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
            skill_sigma: 0.5,
        }
    }
}

/// Governance shocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GovernanceParams {
    pub crisis_rate: f64,
    pub crisis_weak_months: u32,
    pub crisis_board_seat_prob: f64,
    pub safety_gap_initial: f64,
    pub pace_gap_initial: f64,
    pub gap_volatility: f64,
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutcomeParams {
    pub decoupling_share_threshold: f64,
    pub decoupling_inhouse_threshold: f64,
}

impl Default for OutcomeParams {
    fn default() -> Self {
        OutcomeParams {
            decoupling_share_threshold: 0.6,
            decoupling_inhouse_threshold: 0.8,
        }
    }
}

/// Hooks for testing the tool itself; leave at their defaults for studies.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TestingParams {
    /// Every run whose seed is divisible by this panics (0 = never): exercises failure handling.
    pub fail_every: u64,
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
                    capital: 12.0,
                    other_income: 0.0,
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
                    build_rate: 0.05,
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
                    other_income: 0.6,
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
            events: Vec::new(),
        }
    }
}
