//! The crisis layer's bargaining step as a registered model (`crisis-averaging`): partial
//! adjustment toward the capability × salience weighted mean with stubbornness (DeGroot 1974;
//! Friedkin & Johnsen 1990; the weighted mean is the compromise model of Achen 2006). See
//! `docs/models/crisis-averaging.md`.
//!
//! [`bargain_step`] is the one implementation: the crisis layer calls it once per week on every
//! issue (at the scenario's rate), and [`Averaging`] iterates it on a plain bargaining
//! problem.

use super::{ForecastStat, Model, ModelError, Problem, Trajectory};
use crate::rng::Rng;

/// Model id.
pub const ID: &str = "crisis-averaging";

/// Default adjustment rate λ: the crisis layer's `[crisis.bargaining] rate` default.
pub const DEFAULT_RATE: f64 = 0.05;

/// One bargaining step on one issue: every actor with a stance (`has[i]`) moves toward the
/// c·s-weighted mean position by `rate·(1−s_i)` of the gap; `rate` is clamped to [0, 1], weights
/// use `max(c,0)` and `s` clamped to [0, 1]. Returns the weighted mean (NaN and no movement if no
/// actor has weight).
pub fn bargain_step(pos: &mut [f64], sal: &[f64], cap: &[f64], has: &[bool], rate: f64) -> f64 {
    // one length check up front instead of one bounds check per element (a shorter input
    // panics as before)
    let n = pos.len();
    let (sal, cap, has) = (&sal[..n], &cap[..n], &has[..n]);
    let (mut w, mut wx) = (0.0, 0.0);
    for i in 0..pos.len() {
        if has[i] {
            let cs = cap[i].max(0.0) * sal[i].clamp(0.0, 1.0);
            w += cs;
            wx += cs * pos[i];
        }
    }
    if w <= 0.0 {
        return f64::NAN;
    }
    let mean = wx / w;
    let r = rate.clamp(0.0, 1.0);
    for i in 0..pos.len() {
        if has[i] {
            pos[i] += r * (1.0 - sal[i].clamp(0.0, 1.0)) * (mean - pos[i]);
        }
    }
    mean
}

/// `crisis-averaging` on a plain problem: [`bargain_step`] on every dimension, every round, at a
/// fixed rate, for exactly `max_rounds` rounds (no stopping rule of its own).
#[derive(Clone, Debug, PartialEq)]
pub struct Averaging {
    pub rate: f64,
}

impl Default for Averaging {
    fn default() -> Self {
        Averaging { rate: DEFAULT_RATE }
    }
}

impl Model for Averaging {
    fn id(&self) -> &str {
        ID
    }
    fn describe(&self) -> &str {
        "the crisis layer's bargaining step: each actor closes rate·(1−salience) of the gap to the c·s-weighted mean per round (DeGroot 1974; Friedkin & Johnsen 1990)"
    }
    fn forecast_stat(&self) -> ForecastStat {
        ForecastStat::Mean
    }
    fn run(
        &self,
        problem: &Problem,
        max_rounds: usize,
        _rng: &mut Rng,
    ) -> Result<Trajectory, ModelError> {
        super::check_problem(problem)?;
        if !(0.0..=1.0).contains(&self.rate) {
            return Err(ModelError(format!(
                "crisis-averaging: rate {} is outside 0–1",
                self.rate
            )));
        }
        let (n, m) = (problem.n_actors(), problem.n_dims());
        let has = vec![true; n];
        let mut cur = problem.position.clone();
        let mut rounds = vec![cur.clone()];
        let mut col = vec![0.0; n];
        let mut sal = vec![0.0; n];
        for _ in 0..max_rounds {
            for d in 0..m {
                for ((x, s), (row, srow)) in col
                    .iter_mut()
                    .zip(sal.iter_mut())
                    .zip(cur.iter().zip(&problem.salience))
                {
                    *x = row[d];
                    *s = srow[d];
                }
                bargain_step(&mut col, &sal, &problem.capability, &has, self.rate);
                for (row, x) in cur.iter_mut().zip(&col) {
                    row[d] = *x;
                }
            }
            rounds.push(cur.clone());
        }
        Ok(Trajectory {
            rounds,
            converged: false,
            notes: vec![format!(
                "crisis-averaging: rate {} for {max_rounds} rounds (no stopping rule)",
                self.rate
            )],
            details: serde_json::json!({ "model": ID, "rate": self.rate }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::Dim;

    #[test]
    fn step_by_hand() {
        // weights 1·0.5 and 3·0.5: mean = (0.5·0 + 1.5·100)/2 = 75
        let mut pos = [0.0, 100.0];
        let m = bargain_step(&mut pos, &[0.5, 0.5], &[1.0, 3.0], &[true, true], 0.2);
        assert_eq!(m, 75.0);
        // 0 + 0.2·0.5·75 = 7.5; 100 + 0.2·0.5·(−25) = 97.5
        assert_eq!(pos, [7.5, 97.5]);
        let mut none = [1.0, 2.0];
        assert!(bargain_step(&mut none, &[0.0, 0.0], &[1.0, 1.0], &[true, true], 0.2).is_nan());
        assert_eq!(none, [1.0, 2.0]);
    }

    #[test]
    fn model_iterates_the_step() {
        let p = Problem {
            actors: vec!["a".into(), "b".into()],
            capability: vec![1.0, 3.0],
            dims: vec![Dim {
                id: "x".into(),
                min: 0.0,
                max: 100.0,
            }],
            position: vec![vec![0.0], vec![100.0]],
            salience: vec![vec![0.5], vec![0.5]],
        };
        let t = Averaging { rate: 0.2 }
            .run(&p, 2, &mut crate::rng::stream(0, 0))
            .unwrap();
        assert_eq!(t.rounds.len(), 3);
        assert_eq!(t.rounds[1], vec![vec![7.5], vec![97.5]]);
        let bad = Averaging { rate: 2.0 }.run(&p, 1, &mut crate::rng::stream(0, 0));
        assert!(bad.is_err());
    }
}
