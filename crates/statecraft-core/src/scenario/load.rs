//! Parsing scenario text (TOML, CSV tables) into a validated `Scenario`.
