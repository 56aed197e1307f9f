//! Partnerships other than the headline lab–investor tie: `[[partnerships]]`, one table per
//! tie between an investor and a frontier lab (the independent lab's ties with its cloud
//! investors in the baseline). The headline tie keeps its own table, `[partnership]`.
//!
//! The fields are the ones a mechanism reads: the stake and the tranches (`mechanisms::ties`),
//! the compute the investor's cloud commits to the lab (`mechanisms::cloud`) and the listing
//! of the lab's models on the investor's AI platform (`mechanisms::products`); the votes,
//! board role, consultation rights, exclusivity and first access, with the investor's
//! compute dependency, are what the authorities' jurisdiction tests read
//! (`mechanisms::regulation::ties`).
//!
//! Baseline terms at January 2024 (sources in docs/MODEL.md §7.12 and
//! `../shared/notes/domain-facts.md`): Amazon held about $1.25 bn of convertible notes in
//! Anthropic (September 2023) and paid $2.75 bn more in March 2024 and $4 bn from November
//! 2024; AWS its primary, non-exclusive cloud and training partner; models on Bedrock
//! non-exclusively; consultation and first-notification rights; no board seat or observer.
//! Google held about 10% (early 2023) and committed $2 bn in October 2023 ($0.5 bn upfront,
//! $1.5 bn over time), $1 bn more in January 2025; non-voting shares, no board seat or
//! observer; models on Vertex AI non-exclusively.

use serde::{Deserialize, Serialize};

use super::params::{Params, Variants, Violation};
use super::{Exclusivity, Role, Scenario, Segment};

/// One investor–lab tie.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Params)]
#[serde(default, deny_unknown_fields)]
pub struct TieParams {
    /// Short name used in outputs and `--set partnerships.NAME.field`.
    #[param(skip)]
    pub name: String,
    /// The investing company (a name in `companies`).
    #[param(skip)]
    pub investor: String,
    /// The frontier lab it invests in (a name in `companies`, role lab or independent_lab).
    #[param(skip)]
    pub lab: String,
    /// investor's economic stake in the lab at the start
    #[param(unit = "share", min = 0, max = 1, initial)]
    pub stake: f64,
    /// most of the lab the investor's tranches may buy (above it they stay debt)
    #[param(unit = "share", min = 0, max = 1)]
    pub max_stake: f64,
    /// months (1 = the start month) in which the investor pays a tranche
    #[param(unit = "month", min = 1, max = 600)]
    pub tranche_months: Vec<u32>,
    /// the tranches, in the order of `tranche_months`
    #[param(unit = "$bn", min = 0, max = 1e4)]
    pub tranche_amounts: Vec<f64>,
    /// dedicated compute the investor's cloud commits to the lab at full build-out
    #[param(unit = "kGPU", min = 0, max = 1e5)]
    pub compute_kgpu: f64,
    /// month the first of the committed compute comes online
    #[param(unit = "month", min = 1, max = 600)]
    pub compute_month: u32,
    /// months over which the committed compute comes online, in equal steps
    #[param(unit = "month", min = 1, max = 120)]
    pub compute_ramp_months: u32,
    /// discount on the cloud's price that the lab pays for the committed compute
    #[param(unit = "share", min = 0, max = 0.9)]
    pub compute_discount: f64,
    /// the investor's cloud lists and co-sells the lab's models on its AI platform
    #[param(unit = "bool")]
    pub marketplace: bool,
    /// month the listing began (1 = the start month; earlier listings are negative or 0)
    #[param(unit = "month", min = -120, max = 600)]
    pub marketplace_month: i64,
    /// months over which the cloud's customers adopt the listed models
    #[param(unit = "month", min = 1, max = 120)]
    pub marketplace_ramp_months: u32,
    /// the stake carries votes (false: non-voting or convertible holdings)
    #[param(unit = "bool")]
    pub voting: bool,
    /// the investor's place on the lab's board
    #[param(words)]
    pub board: BoardRole,
    /// the investor holds consultation rights on the lab's significant business decisions
    /// (and first notification of a change of control)
    #[param(unit = "bool")]
    pub consultation: bool,
    /// the lab's cloud exclusivity towards the investor (read by the authorities' tests; the
    /// independent labs' cloud placement does not follow it)
    #[param(words)]
    pub exclusivity: Exclusivity,
    /// the investor gets the lab's models first (read by the authorities' tests)
    #[param(unit = "bool")]
    pub first_access: bool,
}

/// A tie's investor's place on the lab's board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Variants)]
#[serde(rename_all = "snake_case")]
pub enum BoardRole {
    /// No board role.
    None,
    /// A non-voting observer.
    Observer,
    /// A director.
    Seat,
}

impl BoardRole {
    /// Label used in outputs (its serde word).
    pub fn as_str(self) -> &'static str {
        Self::WORDS[self as usize]
    }
}

impl TieParams {
    /// The compute committed and online in month `tick`, kGPU: `compute_kgpu` reached in
    /// `compute_ramp_months` equal steps from `compute_month`.
    pub fn committed_kgpu(&self, tick: u32) -> f64 {
        if self.compute_kgpu <= 0.0 || tick < self.compute_month {
            return 0.0;
        }
        let steps = f64::from(tick - self.compute_month + 1);
        self.compute_kgpu * (steps / f64::from(self.compute_ramp_months.max(1))).min(1.0)
    }

    /// How far the cloud's customers have adopted the listed models in month `tick`, 0..=1:
    /// linear over `marketplace_ramp_months` from `marketplace_month`; 0 without a listing.
    pub fn marketplace_adoption(&self, tick: u32) -> f64 {
        if !self.marketplace {
            return 0.0;
        }
        let months = i64::from(tick) - self.marketplace_month + 1;
        (months as f64 / f64::from(self.marketplace_ramp_months.max(1))).clamp(0.0, 1.0)
    }
}

impl Default for TieParams {
    fn default() -> Self {
        TieParams {
            name: "tie".into(),
            investor: String::new(),
            lab: String::new(),
            stake: 0.0,
            max_stake: 1.0,
            tranche_months: Vec::new(),
            tranche_amounts: Vec::new(),
            compute_kgpu: 0.0,
            compute_month: 1,
            compute_ramp_months: 12,
            compute_discount: 0.2,
            marketplace: false,
            marketplace_month: 1,
            marketplace_ramp_months: 12,
            voting: true,
            board: BoardRole::None,
            consultation: false,
            exclusivity: Exclusivity::None,
            first_access: false,
        }
    }
}

/// The baseline's ties: the independent lab with Amazon and with Google.
pub fn baseline_ties() -> Vec<TieParams> {
    vec![
        TieParams {
            name: "amazon-anthropic".into(),
            investor: "amazon".into(),
            lab: "anthropic".into(),
            // $1.25 bn of notes against a valuation near $18 bn (2023).
            stake: 0.07,
            // No cap on record: Amazon's notes converted into non-voting preferred stock.
            max_stake: 1.0,
            // March 2024 and November 2024 (announced; paid over 2024–25).
            tranche_months: vec![3, 11],
            tranche_amounts: vec![2.75, 4.0],
            // The compute Amazon's money buys on AWS: from the March 2024 tranche (the FTC's
            // 6(b) report: obligations to spend much of an investment on the investor's
            // cloud) to Project Rainier, about 500k Trainium2 chips (about 0.65 of an
            // H100's dense FP8 throughput each) live by October 2025 (month 22).
            compute_kgpu: 300.0,
            compute_month: 3,
            compute_ramp_months: 20,
            compute_discount: 0.2,
            // Claude on Amazon Bedrock from its general availability, 28 September 2023
            // (month -3), co-sold by AWS under the tie. Enterprises adopt a new model on
            // their cloud's platform over procurement, pilots and production: about a
            // year (an assumption).
            marketplace: true,
            marketplace_month: -3,
            marketplace_ramp_months: 12,
            // Convertible into non-voting equity; no board seat; consultation rights on
            // significant business issues and first notification of a change of control;
            // AWS the primary cloud, not exclusive; a non-exclusive licence of the models
            // (the CMA's decision of 27 September 2024, full text published October 2024).
            voting: false,
            board: BoardRole::None,
            consultation: true,
            exclusivity: Exclusivity::None,
            first_access: false,
        },
        TieParams {
            name: "google-anthropic".into(),
            investor: "google".into(),
            lab: "anthropic".into(),
            stake: 0.1,
            // Capped at 15%, without voting rights (court filings, NYT, March 2025).
            max_stake: 0.15,
            // The rest of the October 2023 commitment (its timing is not public: mid-2024
            // assumed) and January 2025.
            tranche_months: vec![6, 13],
            tranche_amounts: vec![1.5, 1.0],
            // The October 2025 TPU deal: up to 1 M TPUs, "well over a gigawatt" online in
            // 2026 (about 700 kGPU at 1.4 kW per H100-equivalent, all in): beyond the
            // baseline's 18 months. The 2023 contract ($3 bn over four years on TPU v5e)
            // is part of the starting 80 kGPU.
            compute_kgpu: 700.0,
            compute_month: 25,
            compute_ramp_months: 12,
            compute_discount: 0.2,
            // Claude 3 on Google Cloud's Vertex AI from March 2024 (month 3), adopted over
            // a year as on Bedrock.
            marketplace: true,
            marketplace_month: 3,
            marketplace_ramp_months: 12,
            // No voting rights, board seat or observer (court filings, NYT, March 2025).
            voting: false,
            board: BoardRole::None,
            consultation: false,
            exclusivity: Exclusivity::None,
            first_access: false,
        },
    ]
}

/// Checks the ties against the roster: known companies, a frontier lab as the lab, no tie
/// of a company with itself or a second tie for the headline pair, matching tranche lists,
/// unique names, and at most the whole of a lab in its investors' hands.
pub(super) fn check(s: &Scenario, out: &mut Vec<Violation>) {
    let company = |name: &str| s.companies.iter().find(|c| c.name == name);
    for (i, t) in s.partnerships.iter().enumerate() {
        let at = |field: &str| format!("partnerships.{i}.{field}");
        if t.name.is_empty() || t.name.chars().all(|c| c.is_ascii_digit()) {
            out.push(Violation {
                path: at("name"),
                message: "needs a name that is not digits alone".into(),
            });
        }
        if s.partnerships[..i].iter().any(|o| o.name == t.name) {
            out.push(Violation {
                path: at("name"),
                message: format!("`{}` names two partnerships", t.name),
            });
        }
        let names = || {
            s.companies
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if company(&t.investor).is_none() {
            out.push(Violation {
                path: at("investor"),
                message: format!("no company `{}` (companies: {})", t.investor, names()),
            });
        }
        match company(&t.lab) {
            None => out.push(Violation {
                path: at("lab"),
                message: format!("no company `{}` (companies: {})", t.lab, names()),
            }),
            Some(c) if !matches!(c.role, Role::Lab | Role::IndependentLab) => out.push(Violation {
                path: at("lab"),
                message: format!("`{}` is not a frontier lab (role lab or independent_lab)", t.lab),
            }),
            Some(_) => {}
        }
        if t.investor == t.lab {
            out.push(Violation {
                path: at("investor"),
                message: format!("`{}` cannot be partnered with itself", t.lab),
            });
        }
        let headline = |role: Role, name: &str| company(name).is_some_and(|c| c.role == role);
        if headline(Role::Lab, &t.lab) && headline(Role::Investor, &t.investor) {
            out.push(Violation {
                path: at("lab"),
                message: "the lab–investor tie is `[partnership]`, not a `[[partnerships]]` entry".into(),
            });
        }
        if t.compute_kgpu > 0.0 {
            if company(&t.investor).is_some_and(|c| c.cloud_capacity <= 0.0) {
                out.push(Violation {
                    path: at("compute_kgpu"),
                    message: format!(
                        "`{}` has no cloud (cloud_capacity 0) to commit compute from",
                        t.investor
                    ),
                });
            }
            if company(&t.lab).is_some_and(|c| c.role != Role::IndependentLab) {
                out.push(Violation {
                    path: at("compute_kgpu"),
                    message: format!(
                        "only an independent lab takes committed compute; `{}` buys its compute through cloud contracts",
                        t.lab
                    ),
                });
            }
        }
        if t.marketplace && company(&t.investor).is_some_and(|c| !c.segments.contains(&Segment::CloudAiServices)) {
            out.push(Violation {
                path: at("marketplace"),
                message: format!(
                    "`{}` sells no cloud AI services to list the lab's models on",
                    t.investor
                ),
            });
        }
        if t.stake > t.max_stake {
            out.push(Violation {
                path: at("max_stake"),
                message: format!("is below the starting stake {}", t.stake),
            });
        }
        if t.tranche_months.len() != t.tranche_amounts.len() {
            out.push(Violation {
                path: at("tranche_amounts"),
                message: format!(
                    "needs one amount per tranche month: {} months, {} amounts",
                    t.tranche_months.len(),
                    t.tranche_amounts.len()
                ),
            });
        }
    }
    // Stakes in one lab at the start, the headline investor's included, at most the whole.
    for c in s
        .companies
        .iter()
        .filter(|c| matches!(c.role, Role::Lab | Role::IndependentLab))
    {
        let mut total: f64 = s.partnerships.iter().filter(|t| t.lab == c.name).map(|t| t.stake).sum();
        if c.role == Role::Lab {
            total += s.partnership.investor_stake;
        }
        if total > 1.0 + 1e-9 {
            let first = s.partnerships.iter().position(|t| t.lab == c.name).unwrap_or(0);
            out.push(Violation {
                path: format!("partnerships.{first}.stake"),
                message: format!("the investors' stakes in `{}` sum to {total:.3}, above 1", c.name),
            });
        }
    }
}
