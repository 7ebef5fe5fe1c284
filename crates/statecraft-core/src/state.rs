//! The result of one simulated run: named state variables, per-round series and an event log.
//! This is the seam between models (which produce it) and aggregators (which consume it).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What one run of a scenario produced. Everything an outcome predicate, a forecast question
/// or a report needs must be recorded here.
///
/// Naming conventions for `vars` (dotted, lowercase):
/// - `issue.<issue>`: the final outcome (c·s-weighted median of final positions);
/// - `issue.<issue>.mean`: c·s-weighted mean of final positions;
/// - `position.<actor>.<issue>`: an actor's final position;
/// - crisis layer (see `crate::crisis`): e.g. `option.<id>.taken` (0/1), `option.<id>.day`
///   (days after `as_of` when first taken; absent if never), `cohesion`, `alignment.<actor>`
///   (−1 back target … +1 back initiator), `withdrawals`.
///
/// Predicates compare vars with numbers or dates (a date literal means days after `as_of`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunState {
    pub vars: BTreeMap<String, f64>,
    /// Per-round series, e.g. `position.<actor>.<issue>` → value at each round (round 0 = start).
    pub series: BTreeMap<String, Vec<f64>>,
    /// Discrete events for counting across runs, e.g. `tipped:uk->fr`, `ended:blocked@jcs`.
    pub events: Vec<String>,
}

impl RunState {
    pub fn set(&mut self, name: impl Into<String>, v: f64) {
        self.vars.insert(name.into(), v);
    }
    pub fn get(&self, name: &str) -> Option<f64> {
        self.vars.get(name).copied()
    }
}
