//! Outcome classes, hypotheses (named counterfactuals) and forecast questions: scenario data.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A named outcome class: a predicate on the final state of a run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeClass {
    pub id: String,
    pub name: String,
    /// Predicate on the final state, e.g. `issue.mil_rights >= 70` (grammar in `crate::expr`
    /// and docs/uncertainty.md).
    pub when: String,
}

/// Expected direction of change of an outcome's probability under a counterfactual.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    #[default]
    Increase,
    Decrease,
}

/// A named counterfactual with an expected direction of change.
///
/// ```toml
/// [[hypotheses]]
/// id = "H1"
/// claim = "Without the JCS veto, the operation goes ahead more often"
/// outcome = "invasion"
/// expect = "increase"
/// sources = ["article ¶12"]
/// counterfactual = { set = { "stance.uk.mil_rights.position" = 80 }, without = ["jcs"], disable = ["gate.jcs"] }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hypothesis {
    pub id: String,
    pub claim: String,
    /// The edits that make the counterfactual world.
    #[serde(default, skip_serializing_if = "Counterfactual::is_empty")]
    pub counterfactual: Counterfactual,
    /// Id of the outcome class whose probability the claim is about.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub outcome: String,
    #[serde(default)]
    pub expect: Expect,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// How the claim is tested: `counterfactual` (default; Δprobability under `counterfactual`)
    /// or `pivotal-rank` (the rank of `actor` among `among` in the pivotality ranking for
    /// `outcome`; supported when it is at most `rank`). See docs/uncertainty.md §6.
    #[serde(default, skip_serializing_if = "HypothesisTest::is_counterfactual")]
    pub test: HypothesisTest,
    /// `pivotal-rank`: the actor whose rank is claimed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub actor: String,
    /// `pivotal-rank`: the actors it is ranked among (ids; `group:<name>` = every actor of a
    /// group). Empty = every actor. `actor` is always included.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub among: Vec<String>,
    /// `pivotal-rank`: the claimed rank or better (default 1 = first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<usize>,
}

/// How a hypothesis is tested.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HypothesisTest {
    /// Δprobability of `outcome` between the base and the counterfactual world.
    #[default]
    Counterfactual,
    /// Rank of `actor` in the pivotality ranking for `outcome`.
    PivotalRank,
}

impl HypothesisTest {
    pub fn is_counterfactual(&self) -> bool {
        *self == HypothesisTest::Counterfactual
    }
}

/// A counterfactual as written in a scenario file: three lists of edits.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counterfactual {
    /// Fix numbers: path (from `Scenario::visit_nums_mut`) → value. The number becomes certain.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub set: BTreeMap<String, f64>,
    /// Remove actors (and their stances).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub without: Vec<String>,
    /// Disable crisis-layer elements (`gate.jcs`, `event.summit`): adds the id to
    /// `Scenario::disabled`, which the crisis model reads, and sets var `disabled.<id>` = 1.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disable: Vec<String>,
}

impl Counterfactual {
    pub fn is_empty(&self) -> bool {
        self.set.is_empty() && self.without.is_empty() && self.disable.is_empty()
    }
    /// The edits in application order: removals, then sets, then disables.
    pub fn edits(&self) -> Vec<Edit> {
        let mut out: Vec<Edit> = self
            .without
            .iter()
            .map(|a| Edit::Without { actor: a.clone() })
            .collect();
        out.extend(self.set.iter().map(|(p, v)| Edit::Set {
            path: p.clone(),
            value: *v,
        }));
        out.extend(self.disable.iter().map(|d| Edit::Disable { id: d.clone() }));
        out
    }
}

/// One edit of a scenario (a counterfactual is a list of them). Extensible: new kinds of edit
/// are new variants, applied by `crate::mc::apply_edits`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "edit", rename_all = "lowercase")]
pub enum Edit {
    /// Fix the number at `path` to `value` (no distribution, certain).
    Set { path: String, value: f64 },
    /// Remove an actor and its stances.
    Without { actor: String },
    /// Disable a crisis-layer element by id (e.g. `gate.jcs`).
    Disable { id: String },
}

impl std::fmt::Display for Edit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Edit::Set { path, value } => write!(f, "set {path}={value}"),
            Edit::Without { actor } => write!(f, "without {actor}"),
            Edit::Disable { id } => write!(f, "disable {id}"),
        }
    }
}

/// A Metaculus-style forecast question.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    pub title: String,
    /// Predicate on a run's final state that makes the question resolve YES, e.g.
    /// `option.invasion.day <= 2026-06-30` (a date literal means days after `as_of`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub when: String,
    /// Resolution date: the question closes on this date (should not be after the horizon).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<super::Date>,
    /// Resolution criteria in words (what counts as YES in the real world).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub resolution: String,
}
