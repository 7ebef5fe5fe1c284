//! Every choice the EUM specification leaves open, as a named option with a documented default.
//! See `docs/models/eum.md` for the reasoning behind each preset.

use crate::models::stats::TieRule;
use serde::{Deserialize, Serialize};

/// Which reading of the model a preset follows (a label; the behaviour is in the other fields).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// What Scholz et al.'s code does (as reproduced by the jmckib port).
    #[default]
    Scholz,
    /// The equations as printed in Scholz, Calbert & Smith (2011), typos fixed.
    Printed,
    /// Any other combination of options.
    Custom,
}

/// How the probability of success P(i beats j) is computed (eqs. 30–31).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Probability {
    /// Scholz's code: each voter k uses its own risk exponent r_k, and the denominator sums
    /// |votes| over **all ordered actor pairs** (a, b), so P is of order 1/n².
    AllPairs,
    /// As printed: linear votes, denominator = Σ_k c_k s_k · | |x_k−x_j| − |x_k−x_i| |, so
    /// P(i beats j) + P(j beats i) = 1. If no voter separates the two positions, P = 1/2.
    Printed,
}

/// Whose risk exponent is used for the two expected utilities a receiver i compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Perspective {
    /// Both E(U_ij) and E(U_ji) are evaluated with the receiver's r_i ("i's perception";
    /// Scholz's code).
    Receiver,
    /// Each expected utility is evaluated with its challenger's own exponent: E(U_ij) with r_i,
    /// E(U_ji) with r_j (the printed reading, as in decisionmechanics).
    Own,
}

/// The status-quo term of E(U_ij) (eqs. 5–7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StatusQuo {
    /// `− Q·U_sq` only; Scholz's code drops `−(1−Q)[T U_b + (1−T) U_w]` (spec Addendum rule 6).
    QOnly,
    /// The full printed term `− Q·U_sq − (1−Q)[T U_b + (1−T) U_w]`.
    Full,
}

/// How T (does j move to the median if i does not challenge, making i better off) is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TRule {
    /// T = 1 iff |x_i − μ| < |x_i − x_j| (Scholz figs. 1–4; decisionmechanics).
    MedianCloser,
    /// T = 1 always.
    One,
    /// T = 0 always.
    Zero,
}

/// Which regions of the (E(U_ij), E(U_ji)) plane produce an offer to the receiver i.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Offers {
    /// Lost conflict (b > a > 0) and compromise (b > 0 > a, b > |a|) only; the capitulation
    /// branch of Scholz's code can never fire (spec Addendum rule 2).
    ConflictCompromise,
    /// Also capitulation: b > 0 > a with |a| ≥ b, i moves fully to x_j (fig. 6 as printed).
    WithCapitulation,
}

/// How a receiver ranks offers within a category (categories: lost conflict, then compromise,
/// then capitulation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ranking {
    /// Conflicts and capitulations by the smallest move; compromises by the numerically
    /// smallest K = (|a| x_i + |b| x_j)/(|a| + |b|) (Scholz's code; Addendum rule 3).
    ScholzKey,
    /// Every category by the smallest move |x_new − x_i| ("players move the least that they
    /// can", §6.2 as printed).
    LeastMove,
    /// Every category by the sender's highest expected utility E(U_ji) ("if offers are not
    /// equally enforceable, i concedes to the sender with the highest EU", BdM via §6.2).
    SenderEu,
}

/// Which sender wins an exact tie in the ranking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SenderTie {
    /// The sender that comes first in input order (Scholz's code).
    First,
    /// The sender that comes last in input order.
    Last,
}

/// How risk exponents are set each round (eqs. 32–34).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Risk {
    /// Security S_i = Σ_{j≠i} E(U_ji) at r = 1, R_i = (2S_i − max S − min S)/(max S − min S)
    /// (R_i = 0 if max S = min S), r_i = (1 − R_i/3)/(1 + R_i/3).
    Security,
    /// r_i = 1 for everyone (risk neutral; one pass per round).
    Neutral,
}

/// When a run stops before the round limit.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "rule")]
pub enum Stopping {
    /// Always run the requested number of rounds (Scholz's fixed τ).
    Fixed,
    /// Stop after the first round in which no position moved by more than `eps`.
    Still { eps: f64 },
}

/// The range Δ that normalises distances.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RangeRule {
    /// max − min of the **initial** positions, never recomputed (every implementation found).
    InitialPositions,
    /// The issue's declared scale, max − min.
    IssueScale,
}

/// How the vote sums are computed. Both give the same numbers (to rounding); `Naive` is the
/// O(n³) test oracle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Algorithm {
    #[default]
    Fast,
    Naive,
}

/// The complete configuration of one EUM run. Start from [`EumOptions::scholz`] or
/// [`EumOptions::printed`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EumOptions {
    pub variant: Variant,
    /// Probability that the status quo holds if i does not challenge. Scholz: 1.0.
    pub q: f64,
    pub probability: Probability,
    pub perspective: Perspective,
    pub status_quo: StatusQuo,
    pub t_rule: TRule,
    pub offers: Offers,
    pub ranking: Ranking,
    pub sender_tie: SenderTie,
    pub risk: Risk,
    pub stopping: Stopping,
    pub range: RangeRule,
    /// Tie rule of the weighted median μ (used in T and reported each round).
    pub median_tie: TieRule,
    #[serde(default)]
    pub algorithm: Algorithm,
}

impl Default for EumOptions {
    fn default() -> Self {
        EumOptions::scholz()
    }
}

impl EumOptions {
    /// What Scholz et al.'s code does; reproduces the jmckib trajectory (spec Addendum).
    pub fn scholz() -> Self {
        EumOptions {
            variant: Variant::Scholz,
            q: 1.0,
            probability: Probability::AllPairs,
            perspective: Perspective::Receiver,
            status_quo: StatusQuo::QOnly,
            t_rule: TRule::MedianCloser,
            offers: Offers::ConflictCompromise,
            ranking: Ranking::ScholzKey,
            sender_tie: SenderTie::First,
            risk: Risk::Security,
            stopping: Stopping::Fixed,
            range: RangeRule::InitialPositions,
            median_tie: TieRule::Lower,
            algorithm: Algorithm::Fast,
        }
    }

    /// The equations as printed in Scholz, Calbert & Smith (2011), with the typos fixed
    /// (see `docs/models/eum.md`, "printed variant").
    pub fn printed() -> Self {
        EumOptions {
            variant: Variant::Printed,
            probability: Probability::Printed,
            perspective: Perspective::Own,
            status_quo: StatusQuo::Full,
            offers: Offers::WithCapitulation,
            ranking: Ranking::LeastMove,
            ..EumOptions::scholz()
        }
    }

    /// The preset for a variant name (`scholz`, `printed`).
    pub fn preset(name: &str) -> Option<Self> {
        match name {
            "scholz" => Some(Self::scholz()),
            "printed" => Some(Self::printed()),
            _ => None,
        }
    }

    /// Reject options no run can use.
    pub fn check(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.q) {
            return Err(format!("EUM option q = {} is outside 0–1", self.q));
        }
        if let Stopping::Still { eps } = self.stopping {
            if !eps.is_finite() || eps < 0.0 {
                return Err(format!(
                    "EUM stopping eps = {eps} must be a finite number >= 0"
                ));
            }
        }
        Ok(())
    }
}
