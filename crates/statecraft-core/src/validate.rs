//! Scoring models against real outcomes (DEU III).
