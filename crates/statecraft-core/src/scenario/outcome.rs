//! Outcome classes, hypotheses (named counterfactuals) and forecast questions: scenario data.

use serde::{Deserialize, Serialize};

/// A named outcome class: a predicate on the final state of a run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeClass {
    pub id: String,
    pub name: String,
    /// Predicate on the final state, e.g. `issue.mil_rights >= 70` (grammar in docs/scenario.md).
    pub when: String,
}

/// A named counterfactual with an expected direction of change.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hypothesis {
    pub id: String,
    pub claim: String,
}

/// A Metaculus-style forecast question.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    pub title: String,
}
