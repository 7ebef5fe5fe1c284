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

impl ScenarioError {
    /// An error with a message only (no location, no help yet).
    pub fn new(message: impl Into<String>) -> Self {
        ScenarioError {
            message: message.into(),
            span: None,
            help: None,
        }
    }
    /// Attach a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    /// Attach a location (byte range in the source text).
    pub fn with_span(mut self, span: std::ops::Range<usize>) -> Self {
        self.span = Some(span);
        self
    }
    /// 1-based line and column (in characters) of the start of the span in `text`.
    pub fn line_col(&self, text: &str) -> Option<(usize, usize)> {
        self.span.as_ref().map(|s| line_col(text, s.start))
    }
}

impl ScenarioErrors {
    pub fn one(e: ScenarioError) -> Self {
        ScenarioErrors { errors: vec![e] }
    }
}

impl From<ScenarioError> for ScenarioErrors {
    fn from(e: ScenarioError) -> Self {
        ScenarioErrors::one(e)
    }
}

/// 1-based line and column (counted in characters) of byte `offset` in `text`. Offsets past the
/// end or inside a multi-byte character are clamped to the nearest character boundary before.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut off = offset.min(text.len());
    while !text.is_char_boundary(off) {
        off -= 1;
    }
    let before = &text[..off];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_lines_and_chars() {
        let t = "ab\ncd¶e\nf";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        // '¶' is 2 bytes: 'e' is at byte 7, column 4.
        assert_eq!(line_col(t, 7), (2, 4));
        assert_eq!(line_col(t, 6), (2, 3)); // inside '¶' → clamped to its start
        assert_eq!(line_col(t, 99), (3, 2));
    }
}
