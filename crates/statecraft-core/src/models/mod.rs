//! Bargaining models: pure functions from a bargaining problem (and an RNG) to a trajectory.
//!
//! Invariant: models never do I/O and never read the clock; all randomness comes from the RNG
//! handed in.

use crate::rng::Rng;
use serde::{Deserialize, Serialize};

/// One policy dimension of a bargaining problem.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dim {
    pub id: String,
    pub min: f64,
    pub max: f64,
}

/// The numbers a bargaining model needs: actors × dimensions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub actors: Vec<String>,
    pub capability: Vec<f64>,
    pub dims: Vec<Dim>,
    /// `position[actor][dim]`, on the dimension's own scale.
    pub position: Vec<Vec<f64>>,
    /// `salience[actor][dim]`, 0–1.
    pub salience: Vec<Vec<f64>>,
}

impl Problem {
    pub fn n_actors(&self) -> usize {
        self.actors.len()
    }
    pub fn n_dims(&self) -> usize {
        self.dims.len()
    }
}

/// What a model produced: positions per round (round 0 = the input), plus model-specific notes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Trajectory {
    /// `rounds[t][actor][dim]`.
    pub rounds: Vec<Vec<Vec<f64>>>,
    /// Whether the model's own stopping rule ended the run before the round limit.
    pub converged: bool,
    /// Human-readable notes (e.g. "EUM is single-issue: each issue run separately").
    pub notes: Vec<String>,
    /// Model-specific per-round output (SMP: ideals, win probabilities), free-form JSON.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub details: serde_json::Value,
}

/// Error raised by a model on an input it cannot handle.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ModelError(pub String);

/// A bargaining model.
pub trait Model: Send + Sync {
    /// Short id used on the command line (`--model eum`).
    fn id(&self) -> &str;
    /// One-line description for `statecraft models`.
    fn describe(&self) -> &str;
    /// True if the model bargains over all dimensions jointly (SMP); false if each dimension is
    /// an independent single-issue problem (EUM, compromise, median).
    fn multi_dimensional(&self) -> bool {
        false
    }
    /// Run for at most `max_rounds` rounds.
    fn run(
        &self,
        problem: &Problem,
        max_rounds: usize,
        rng: &mut Rng,
    ) -> Result<Trajectory, ModelError>;
}
pub mod smp;
