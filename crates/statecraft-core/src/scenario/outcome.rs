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
