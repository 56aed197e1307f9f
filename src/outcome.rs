//! The four end states of a run (SPEC §2) and the seed article's expert view of them.

use serde::{Deserialize, Serialize};

/// How a run ended at the horizon. Classified first-match-wins in the order of
/// [`Outcome::ALL`]; never sampled, always read off the final state of the world.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The partnership continues with negotiated boundaries.
    Symbiosis,
    /// The partnership dissolved, or the lab left the investor's cloud while the
    /// investor built comparable in-house models.
    Decoupling,
    /// The investor acquired control of the lab.
    Acquisition,
    /// An authority ordered separation and it took effect.
    Divestiture,
}

impl Outcome {
    /// Every outcome, in the column order used by all output files.
    pub const ALL: [Outcome; 4] = [
        Outcome::Symbiosis,
        Outcome::Decoupling,
        Outcome::Acquisition,
        Outcome::Divestiture,
    ];

    /// The label written to CSV files.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Symbiosis => "symbiosis",
            Outcome::Decoupling => "decoupling",
            Outcome::Acquisition => "acquisition",
            Outcome::Divestiture => "divestiture",
        }
    }

    /// Parses a CSV label.
    pub fn parse(label: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == label)
    }

    /// Position in [`Outcome::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The seed article's expert probability of this outcome over 18 months.
    pub fn article_reference(self) -> f64 {
        ARTICLE_REFERENCE[self.index()]
    }
}

/// Expert view in the seed article (symbiosis, decoupling, acquisition, divestiture),
/// the calibration target of the baseline scenario.
pub const ARTICLE_REFERENCE: [f64; 4] = [0.60, 0.25, 0.10, 0.05];
