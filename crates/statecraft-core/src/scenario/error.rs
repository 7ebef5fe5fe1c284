//! Scenario errors located in the source text (file, line, column, span) with a help line.

/// One problem found while loading or validating a scenario.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ScenarioError {
    pub message: String,
    /// Byte range in the source text, when known.
    pub span: Option<std::ops::Range<usize>>,
    /// Suggestion shown under the caret (e.g. "did you mean `uk`?").
    pub help: Option<String>,
}

/// All problems found in one file (validation reports every error, not just the first).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{} error(s) in scenario", errors.len())]
pub struct ScenarioErrors {
    pub errors: Vec<ScenarioError>,
}
