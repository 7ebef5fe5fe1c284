//! The compromise model: the forecast is the capability × salience weighted mean of the
//! positions (Van den Bos 1991; Achen 2006; Thomson et al. 2006). See `docs/models/compromise.md`.

use super::{stats, Model, ModelError, Problem, Trajectory};
use crate::rng::Rng;

/// The compromise model. It moves no actor: the trajectory holds round 0 only and the
/// forecast is the c·s-weighted mean of that round.
#[derive(Clone, Debug, Default)]
pub struct Compromise;

impl Compromise {
    /// The forecast on dimension `d`: `Σ c_i s_i x_i / Σ c_i s_i`.
    pub fn forecast(problem: &Problem, d: usize) -> f64 {
        let x: Vec<f64> = problem.position.iter().map(|p| p[d]).collect();
        stats::weighted_mean(&x, &super::weights(problem, d))
    }
}

impl Model for Compromise {
    fn id(&self) -> &str {
        "compromise"
    }
    fn describe(&self) -> &str {
        "compromise model: capability x salience weighted mean of positions (Achen 2006; Thomson et al. 2006); no movement"
    }
    fn forecast_stat(&self) -> super::ForecastStat {
        super::ForecastStat::Mean
    }
    fn run(
        &self,
        problem: &Problem,
        _max_rounds: usize,
        _rng: &mut Rng,
    ) -> Result<Trajectory, ModelError> {
        super::static_trajectory(
            problem,
            |d| Self::forecast(problem, d),
            "compromise: no actor moves; the forecast is the c·s-weighted mean of round 0".into(),
        )
    }
}
