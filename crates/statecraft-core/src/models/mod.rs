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

/// A statistic of the positions used as a model's forecast.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ForecastStat {
    /// c·s-weighted median.
    #[default]
    Median,
    /// c·s-weighted mean.
    Mean,
}

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
    /// Which statistic of the final positions is this model's forecast (reported as
    /// `forecast` by the engine). Default: the c·s-weighted median (BdM's "dominant outcome").
    fn forecast_stat(&self) -> ForecastStat {
        ForecastStat::Median
    }
    /// Run for at most `max_rounds` rounds.
    fn run(
        &self,
        problem: &Problem,
        max_rounds: usize,
        rng: &mut Rng,
    ) -> Result<Trajectory, ModelError>;
}

pub mod compromise;
pub mod eum;
pub mod median;
pub mod smp;
pub mod stats;

pub use stats::TieRule;

/// The c·s weights of every actor on dimension `d`.
pub fn weights(problem: &Problem, d: usize) -> Vec<f64> {
    problem
        .capability
        .iter()
        .zip(&problem.salience)
        .map(|(c, s)| c * s[d])
        .collect()
}

/// The trajectory of a model that moves no actor (compromise, median): round 0 only, after
/// [`check_problem`], with `forecast(d)` for every dimension in `details.forecast`.
fn static_trajectory(
    problem: &Problem,
    forecast: impl Fn(usize) -> f64,
    note: String,
) -> Result<Trajectory, ModelError> {
    check_problem(problem)?;
    let forecasts: Vec<f64> = (0..problem.n_dims()).map(forecast).collect();
    Ok(Trajectory {
        rounds: vec![problem.position.clone()],
        converged: true,
        notes: vec![note],
        details: serde_json::json!({ "forecast": forecasts }),
    })
}

/// Reject problems whose shape or numbers a model cannot use (never panic on user input).
pub fn check_problem(problem: &Problem) -> Result<(), ModelError> {
    let n = problem.n_actors();
    let m = problem.n_dims();
    if problem.capability.len() != n || problem.position.len() != n || problem.salience.len() != n {
        return Err(ModelError(format!(
            "problem has {n} actors but {} capabilities, {} position rows and {} salience rows",
            problem.capability.len(),
            problem.position.len(),
            problem.salience.len()
        )));
    }
    for (a, name) in problem.actors.iter().enumerate() {
        if problem.position[a].len() != m || problem.salience[a].len() != m {
            return Err(ModelError(format!(
                "actor `{name}` has {} positions and {} saliences for {m} dimensions",
                problem.position[a].len(),
                problem.salience[a].len()
            )));
        }
        let c = problem.capability[a];
        if !c.is_finite() || c < 0.0 {
            return Err(ModelError(format!(
                "actor `{name}` has capability {c}; expected a finite number >= 0"
            )));
        }
        for d in 0..m {
            let (x, s) = (problem.position[a][d], problem.salience[a][d]);
            if !x.is_finite() {
                return Err(ModelError(format!(
                    "actor `{name}` has position {x} on `{}`",
                    problem.dims[d].id
                )));
            }
            if !s.is_finite() || !(0.0..=1.0).contains(&s) {
                return Err(ModelError(format!(
                    "actor `{name}` has salience {s} on `{}`; expected 0–1",
                    problem.dims[d].id
                )));
            }
        }
    }
    Ok(())
}

/// Options a front end may pass to [`by_id`]. Every field is optional; `None` keeps the model's
/// documented default.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelOptions {
    /// Median tie rule (the `median` model, and the median the EUM reports and uses for μ).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tie: Option<TieRule>,
    /// EUM: probability Q that the status quo holds if no challenge is made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q: Option<f64>,
    /// EUM: a complete option set replacing the variant's preset (then `tie` and `q` still
    /// override it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eum: Option<eum::EumOptions>,
}

impl ModelOptions {
    /// Set one option from a `key=value` pair as given on a command line (`--opt q=0.5`).
    /// Keys: `tie` (lower|upper|midpoint), `q`, and every field of [`eum::EumOptions`]
    /// (`ranking=least-move`, `perspective=own`, `stopping=still:0.001`, `stopping=fixed`, …);
    /// EUM fields start from the preset of `model` (`eum-printed` or else `eum-scholz`).
    pub fn set(&mut self, model: &str, key: &str, value: &str) -> Result<(), String> {
        match key {
            "tie" | "median_tie" => {
                let t: TieRule = value.parse()?;
                self.tie = Some(t);
                return Ok(());
            }
            "q" => {
                let q: f64 = value
                    .parse()
                    .map_err(|_| format!("q: `{value}` is not a number"))?;
                if !(0.0..=1.0).contains(&q) {
                    return Err(format!("q = {q} is outside 0–1"));
                }
                self.q = Some(q);
                return Ok(());
            }
            _ => {}
        }
        let base = self.eum.clone().unwrap_or_else(|| {
            if model == "eum-printed" {
                eum::EumOptions::printed()
            } else {
                eum::EumOptions::scholz()
            }
        });
        let mut v = serde_json::to_value(&base).map_err(|e| e.to_string())?;
        let serde_json::Value::Object(map) = &mut v else {
            return Err("EUM options are not an object".into());
        };
        if !map.contains_key(key) {
            let keys: Vec<&str> = ["tie", "q"]
                .into_iter()
                .chain(map.keys().map(String::as_str))
                .collect();
            return Err(format!(
                "unknown model option `{key}`; known: {}",
                keys.join(", ")
            ));
        }
        let new = if key == "stopping" {
            match value.split_once(':') {
                None if value == "fixed" => serde_json::json!({ "rule": "fixed" }),
                Some(("still", eps)) => {
                    let eps: f64 = eps
                        .parse()
                        .map_err(|_| format!("stopping: `{eps}` is not a number"))?;
                    serde_json::json!({ "rule": "still", "eps": eps })
                }
                _ => {
                    return Err(format!(
                        "stopping: expected `fixed` or `still:EPS`, got `{value}`"
                    ))
                }
            }
        } else if let Ok(x) = value.parse::<f64>() {
            serde_json::json!(x)
        } else {
            serde_json::json!(value)
        };
        map.insert(key.to_string(), new);
        // The variant label (and so the model id) is kept: the run's details list every option.
        let o: eum::EumOptions =
            serde_json::from_value(v).map_err(|e| format!("model option `{key}={value}`: {e}"))?;
        o.check()?;
        self.eum = Some(o);
        Ok(())
    }
}

/// Every model id accepted by [`by_id`], with aliases, in listing order.
pub const IDS: &[&str] = &[
    "compromise",
    "median",
    "eum",
    "eum-scholz",
    "eum-printed",
    "smp",
];

/// One instance of every model, with default options, for `statecraft models`.
/// (`eum` is an alias of `eum-scholz` and is not listed twice.)
pub fn all() -> Vec<Box<dyn Model>> {
    let models: Vec<Box<dyn Model>> = vec![
        Box::new(compromise::Compromise),
        Box::new(median::Median::default()),
        Box::new(eum::Eum::new(eum::EumOptions::scholz())),
        Box::new(eum::Eum::new(eum::EumOptions::printed())),
        Box::new(smp::Smp::default()),
    ];
    models
}

/// The model with this id (see [`IDS`]), configured by `opts`; `None` for an unknown id.
/// `eum` means `eum-scholz`.
pub fn by_id(id: &str, opts: &ModelOptions) -> Option<Box<dyn Model>> {
    let tie = opts.tie.unwrap_or_default();
    match id {
        "compromise" => Some(Box::new(compromise::Compromise)),
        "median" => Some(Box::new(median::Median::new(tie))),
        "eum" | "eum-scholz" | "eum-printed" => {
            let mut o = match (&opts.eum, id) {
                (Some(o), _) => o.clone(),
                (None, "eum-printed") => eum::EumOptions::printed(),
                (None, _) => eum::EumOptions::scholz(),
            };
            if let Some(t) = opts.tie {
                o.median_tie = t;
            }
            if let Some(q) = opts.q {
                o.q = q;
            }
            Some(Box::new(eum::Eum::new(o)))
        }
        "smp" => Some(Box::new(smp::Smp::default())),
        _ => None,
    }
}

/// The closest known id to `id` (edit distance ≤ 2, or a prefix), for a did-you-mean hint.
pub fn suggest(id: &str) -> Option<&'static str> {
    let id = id.to_ascii_lowercase();
    if id.is_empty() {
        return None;
    }
    if let Some(k) = IDS.iter().find(|k| k.starts_with(id.as_str())) {
        return Some(k);
    }
    IDS.iter()
        .map(|k| (strsim::levenshtein(&id, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_resolves_every_id_and_suggests() {
        for id in IDS {
            let m = by_id(id, &ModelOptions::default()).expect(id);
            assert!(!m.describe().is_empty());
        }
        assert_eq!(
            by_id("eum", &ModelOptions::default()).unwrap().id(),
            "eum-scholz"
        );
        assert!(by_id("nope", &ModelOptions::default()).is_none());
        assert_eq!(suggest("eun"), Some("eum"));
        assert_eq!(suggest("comp"), Some("compromise"));
        assert_eq!(suggest("medain"), Some("median"));
        assert_eq!(suggest("zzzzzz"), None);
        let ids: Vec<String> = all().iter().map(|m| m.id().to_string()).collect();
        assert_eq!(
            ids,
            ["compromise", "median", "eum-scholz", "eum-printed", "smp"]
        );
    }

    #[test]
    fn options_from_key_value_pairs() {
        let mut o = ModelOptions::default();
        o.set("eum-printed", "ranking", "scholz-key").unwrap();
        o.set("eum-printed", "stopping", "still:0.01").unwrap();
        o.set("eum-printed", "q", "0.5").unwrap();
        o.set("eum-printed", "tie", "upper").unwrap();
        let e = o.eum.clone().unwrap();
        assert_eq!(e.ranking, eum::Ranking::ScholzKey);
        assert_eq!(e.probability, eum::Probability::Printed);
        assert_eq!(e.stopping, eum::Stopping::Still { eps: 0.01 });
        let m = by_id("eum-printed", &o).unwrap();
        assert_eq!(m.id(), "eum-printed");
        assert!(o
            .set("eum", "rankin", "x")
            .unwrap_err()
            .contains("unknown model option"));
        assert!(o.set("eum", "ranking", "best").is_err());
        assert!(o.set("eum", "q", "2").is_err());
        assert!(o.set("eum", "stopping", "sometimes").is_err());
        assert!(o.set("eum", "tie", "left").is_err());
    }
}
