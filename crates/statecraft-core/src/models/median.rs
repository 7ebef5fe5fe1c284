//! The weighted median (Black's median voter): the forecast is the c·s-weighted median of the
//! positions, with an explicit tie rule. See `docs/models/median.md`.

use super::{stats, Model, ModelError, Problem, Trajectory};
use crate::rng::Rng;
pub use stats::TieRule;

/// The weighted-median model. It moves no actor: the trajectory holds round 0 only and the
/// forecast is the c·s-weighted median of that round.
#[derive(Clone, Debug, Default)]
pub struct Median {
    pub tie: TieRule,
}

impl Median {
    pub fn new(tie: TieRule) -> Self {
        Median { tie }
    }
    /// The forecast on dimension `d`.
    pub fn forecast(&self, problem: &Problem, d: usize) -> f64 {
        let x: Vec<f64> = problem.position.iter().map(|p| p[d]).collect();
        stats::weighted_median(&x, &super::weights(problem, d), self.tie)
    }
}

impl Model for Median {
    fn id(&self) -> &str {
        "median"
    }
    fn describe(&self) -> &str {
        "weighted median voter: capability x salience weighted median of positions (Black 1948); ties -> lower by default; no movement"
    }
    fn run(
        &self,
        problem: &Problem,
        _max_rounds: usize,
        _rng: &mut Rng,
    ) -> Result<Trajectory, ModelError> {
        super::static_trajectory(
            problem,
            |d| self.forecast(problem, d),
            format!(
                "median: no actor moves; the forecast is the c·s-weighted median of round 0 (tie rule: {})",
                self.tie.name()
            ),
        )
    }
}
