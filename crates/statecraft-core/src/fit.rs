//! Fitting shared crisis-layer constants to the ledger: history matching (rejection ABC on a
//! grid) with leave-one-case-out scoring. See `docs/backtest.md` §4.
//!
//! Every grid point θ (a [`Params`]) is run on every case once (fixed seed, common random
//! numbers across points through the same seed). The discrepancy of θ on a set of cases is their
//! question-weighted mean Brier score. Rejection ABC keeps the points whose discrepancy is within
//! `tolerance` of the best (a uniform prior on the grid, an indicator kernel of width
//! `tolerance`); the fitted value is the accepted point with the lowest discrepancy (ties: the
//! one nearest the hand-set values). Leave-one-case-out: for each case, the fit uses only the
//! other cases, and the held-out case is scored with that fit, so no case is ever scored with
//! parameters fitted on itself.

use crate::backtest::{forecast_case, BacktestConfig, BacktestError, Case, Params};
use crate::forecast::brier;
use crate::scoring::{self, Pair, Summary};
use serde::{Deserialize, Serialize};

/// Most grid points (bounded work).
pub const MAX_GRID: usize = 2000;

/// The grid searched, one list of values per constant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    pub propensity: Vec<f64>,
    pub gate_block: Vec<f64>,
    pub coercion: Vec<f64>,
}

impl Default for Grid {
    /// Propensity × {½, 1, 2, 4, 8, 16}; gate intercept + {−1, 0, ½, 1, 1½, 2}; coercion ×
    /// {½, 1, 2, 4}: 144 points.
    fn default() -> Self {
        Grid {
            propensity: vec![0.5, 1.0, 2.0, 4.0, 8.0, 16.0],
            gate_block: vec![-1.0, 0.0, 0.5, 1.0, 1.5, 2.0],
            coercion: vec![0.5, 1.0, 2.0, 4.0],
        }
    }
}

impl Grid {
    pub fn points(&self) -> Vec<Params> {
        let mut out = Vec::new();
        for &propensity in &self.propensity {
            for &gate_block in &self.gate_block {
                for &coercion in &self.coercion {
                    out.push(Params {
                        propensity,
                        gate_block,
                        coercion,
                    });
                }
            }
        }
        out
    }
}

/// Settings of a fit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitConfig {
    pub backtest: BacktestConfig,
    pub grid: Grid,
    /// ABC tolerance on the mean Brier score.
    pub tolerance: f64,
}

impl Default for FitConfig {
    fn default() -> Self {
        FitConfig {
            backtest: BacktestConfig {
                runs: 300,
                ..BacktestConfig::default()
            },
            grid: Grid::default(),
            tolerance: 0.005,
        }
    }
}

/// The accepted set of one fit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Posterior {
    /// The fitted value: the accepted point with the lowest discrepancy.
    pub best: Params,
    /// Its mean Brier score on the cases it was fitted on.
    pub brier: f64,
    /// The hand-set values' mean Brier score on the same cases.
    pub brier_hand_set: f64,
    /// Accepted points (discrepancy ≤ best + tolerance).
    pub accepted: Vec<Params>,
    /// Range of each constant over the accepted points: [min, max].
    pub propensity: [f64; 2],
    pub gate_block: [f64; 2],
    pub coercion: [f64; 2],
}

/// One leave-one-case-out fold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fold {
    pub held_out: String,
    pub fitted: Params,
    pub accepted: usize,
    /// Held-out case's mean Brier with the fold's fitted values and with the hand-set values.
    pub brier_fitted: f64,
    pub brier_hand_set: f64,
}

/// What `statecraft fit` reports and writes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitReport {
    pub format: String,
    pub engine_version: String,
    pub config: FitConfig,
    pub cases: Vec<String>,
    pub hand_set: Params,
    /// The fit on every case (the prior a new scenario starts from).
    pub posterior: Posterior,
    pub folds: Vec<Fold>,
    /// Held-out questions of every fold, scored with the fold's fitted values.
    pub out_of_sample_fitted: Summary,
    /// The same questions with the hand-set values.
    pub out_of_sample_hand_set: Summary,
}

/// Finite constants, multipliers > 0 (propensity) and ≥ 0 (coercion).
use crate::scenario::priors::params_ok;

fn distance(p: &Params) -> f64 {
    let h = Params::HAND_SET;
    (p.propensity.ln() - h.propensity.ln()).abs()
        + (p.gate_block - h.gate_block).abs()
        + (p.coercion.ln() - h.coercion.ln()).abs()
}

/// Sum of Brier terms and question count per (point, case).
struct Table {
    points: Vec<Params>,
    probs: Vec<Vec<Vec<f64>>>,
    sums: Vec<Vec<f64>>,
    counts: Vec<usize>,
}

impl Table {
    fn discrepancy(&self, g: usize, cases: &[usize]) -> f64 {
        let s: f64 = cases.iter().map(|&c| self.sums[g][c]).sum();
        let n: usize = cases.iter().map(|&c| self.counts[c]).sum();
        if n == 0 {
            f64::NAN
        } else {
            s / n as f64
        }
    }

    fn posterior(&self, cases: &[usize], tol: f64, hand: usize) -> Posterior {
        let d: Vec<f64> = (0..self.points.len())
            .map(|g| self.discrepancy(g, cases))
            .collect();
        let min = d.iter().copied().fold(f64::INFINITY, f64::min);
        let accepted: Vec<usize> = (0..d.len()).filter(|&g| d[g] <= min + tol).collect();
        let best = accepted
            .iter()
            .copied()
            .min_by(|&a, &b| {
                d[a].total_cmp(&d[b])
                    .then(distance(&self.points[a]).total_cmp(&distance(&self.points[b])))
            })
            .unwrap_or(hand);
        let range = |f: fn(&Params) -> f64| {
            let v = accepted.iter().map(|&g| f(&self.points[g]));
            [
                v.clone().fold(f64::INFINITY, f64::min),
                v.fold(f64::NEG_INFINITY, f64::max),
            ]
        };
        Posterior {
            best: self.points[best],
            brier: d[best],
            brier_hand_set: d[hand],
            accepted: accepted.iter().map(|&g| self.points[g]).collect(),
            propensity: range(|p| p.propensity),
            gate_block: range(|p| p.gate_block),
            coercion: range(|p| p.coercion),
        }
    }
}

/// Run the grid on every case, fit on all cases and leave one case out at a time.
pub fn fit(cases: &[Case], cfg: &FitConfig) -> Result<FitReport, BacktestError> {
    cfg.backtest.check()?;
    if cases.len() < 2 {
        return Err(BacktestError::Config(
            "fitting with leave-one-case-out needs at least 2 cases".into(),
        ));
    }
    let mut points = cfg.grid.points();
    if points.is_empty() || points.len() > MAX_GRID {
        return Err(BacktestError::Config(format!(
            "the grid needs 1–{MAX_GRID} points, got {}",
            points.len()
        )));
    }
    if !points.iter().all(params_ok) {
        return Err(BacktestError::Config(
            "grid values must be finite, multipliers > 0".into(),
        ));
    }
    if !(cfg.tolerance >= 0.0 && cfg.tolerance.is_finite()) {
        return Err(BacktestError::Config("tolerance must be ≥ 0".into()));
    }
    let hand = match points.iter().position(|p| *p == Params::HAND_SET) {
        Some(i) => i,
        None => {
            points.push(Params::HAND_SET);
            points.len() - 1
        }
    };
    let mut probs = Vec::with_capacity(points.len());
    for p in &points {
        probs.push(
            cases
                .iter()
                .map(|c| forecast_case(c, p, &cfg.backtest))
                .collect::<Result<Vec<_>, _>>()?,
        );
    }
    let counts: Vec<usize> = cases.iter().map(|c| c.resolutions.len()).collect();
    let sums: Vec<Vec<f64>> = probs
        .iter()
        .map(|pc: &Vec<Vec<f64>>| {
            pc.iter()
                .zip(cases)
                .map(|(ps, c)| {
                    ps.iter()
                        .zip(&c.resolutions)
                        .map(|(&p, r)| brier(p, r.outcome))
                        .sum()
                })
                .collect()
        })
        .collect();
    let t = Table {
        points,
        probs,
        sums,
        counts,
    };
    let all: Vec<usize> = (0..cases.len()).collect();
    let posterior = t.posterior(&all, cfg.tolerance, hand);
    let mut folds = Vec::with_capacity(cases.len());
    let (mut oos_fit, mut oos_hand) = (Vec::new(), Vec::new());
    for (c, case) in cases.iter().enumerate() {
        let train: Vec<usize> = all.iter().copied().filter(|&o| o != c).collect();
        let post = t.posterior(&train, cfg.tolerance, hand);
        let g = t
            .points
            .iter()
            .position(|p| *p == post.best)
            .unwrap_or(hand);
        for (r, (&pf, &ph)) in case
            .resolutions
            .iter()
            .zip(t.probs[g][c].iter().zip(&t.probs[hand][c]))
        {
            oos_fit.push(Pair::new(pf, r.outcome));
            oos_hand.push(Pair::new(ph, r.outcome));
        }
        folds.push(Fold {
            held_out: case.id().to_string(),
            fitted: post.best,
            accepted: post.accepted.len(),
            brier_fitted: t.discrepancy(g, &[c]),
            brier_hand_set: t.discrepancy(hand, &[c]),
        });
    }
    let bins = cfg.backtest.bins;
    Ok(FitReport {
        format: "statecraft.fit/1".into(),
        engine_version: crate::ENGINE_VERSION.into(),
        config: cfg.clone(),
        cases: cases.iter().map(|c| c.id().to_string()).collect(),
        hand_set: Params::HAND_SET,
        posterior,
        folds,
        out_of_sample_fitted: scoring::summarize(&oos_fit, None, bins),
        out_of_sample_hand_set: scoring::summarize(&oos_hand, None, bins),
    })
}

pub use crate::scenario::priors::{PriorRange, Priors, PRIORS_FORMAT};

impl FitReport {
    pub fn priors(&self) -> Priors {
        Priors {
            format: PRIORS_FORMAT.into(),
            fitted_on: self.cases.clone(),
            params: self.posterior.best,
            range: PriorRange {
                propensity: self.posterior.propensity,
                gate_block: self.posterior.gate_block,
                coercion: self.posterior.coercion,
            },
        }
    }
}

/// The priors file text (TOML) for these priors.
pub fn priors_toml(p: &Priors) -> Result<String, BacktestError> {
    crate::scenario::priors::to_toml(p).map_err(BacktestError::Config)
}

/// Parse a priors file (as written by `statecraft fit -o`).
pub fn parse_priors(text: &str) -> Result<Priors, BacktestError> {
    crate::scenario::priors::parse(text).map_err(BacktestError::Config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posterior_picks_the_lowest_discrepancy_and_ties_go_to_hand_set() {
        let points = vec![
            Params::HAND_SET,
            Params {
                propensity: 2.0,
                ..Params::HAND_SET
            },
            Params {
                propensity: 0.5,
                ..Params::HAND_SET
            },
        ];
        // two cases with one question each; sums = Brier per case
        let t = Table {
            points,
            probs: vec![vec![vec![0.5], vec![0.5]]; 3],
            sums: vec![vec![0.20, 0.30], vec![0.10, 0.30], vec![0.20, 0.10]],
            counts: vec![1, 1],
        };
        // all cases: 0.25, 0.20, 0.15 → best is point 2; tol 0.06 accepts 1 and 2
        let p = t.posterior(&[0, 1], 0.06, 0);
        assert_eq!(p.best, t.points[2]);
        assert_eq!(p.accepted.len(), 2);
        assert_eq!(p.propensity, [0.5, 2.0]);
        assert!((p.brier_hand_set - 0.25).abs() < 1e-12);
        // case 0 alone: 0.20, 0.10, 0.20 → point 1
        assert_eq!(t.posterior(&[0], 0.0, 0).best, t.points[1]);
        // case 1 alone: 0.30, 0.30, 0.10 → point 2
        assert_eq!(t.posterior(&[1], 0.0, 0).best, t.points[2]);
        // a tie between hand-set and another point goes to hand-set
        let t2 = Table {
            sums: vec![vec![0.1], vec![0.1], vec![0.3]],
            counts: vec![1],
            ..t
        };
        assert_eq!(t2.posterior(&[0], 0.0, 0).best, Params::HAND_SET);
    }

    #[test]
    fn priors_round_trip() {
        let p = Priors {
            format: PRIORS_FORMAT.into(),
            fitted_on: vec!["a".into()],
            params: Params {
                propensity: 0.5,
                gate_block: -0.5,
                coercion: 1.0,
            },
            range: PriorRange {
                propensity: [0.25, 1.0],
                gate_block: [-1.0, 0.0],
                coercion: [1.0, 1.0],
            },
        };
        let s = priors_toml(&p).unwrap();
        assert_eq!(parse_priors(&s).unwrap(), p);
        assert!(parse_priors(&s.replace("priors/1", "priors/9")).is_err());
        assert!(parse_priors("format = 3").is_err());
    }
}
