//! Running a scenario with a bargaining model: scenario → problem → trajectory per issue.
//!
//! Contract (filled in by the core-engine work):
//! - `problem_from_scenario(&Scenario) -> Problem`: actors with a stance on at least one issue;
//!   a missing stance on an issue = the issue midpoint with salience 0.
//! - `run(&Scenario, &dyn Model, rounds, seed) -> RunResult`: single-issue models run each
//!   issue separately (and say so in `notes`), multi-dimensional models run all issues jointly.
//!   `RunResult` carries, per round, every actor's position and each issue's c·s-weighted median
//!   and weighted mean (see `docs/output.md`).
//! - `simulate_once(&Scenario, &RunOptions, &mut Rng) -> Result<RunState, EngineError>`: one
//!   stochastic run of an already-sampled scenario, used by Monte Carlo. A scenario with a crisis
//!   layer is handed to `crate::crisis`; a plain bargaining scenario runs its model on every issue
//!   and records `issue.*` / `position.*` vars and `position.*` series in the `RunState`.
