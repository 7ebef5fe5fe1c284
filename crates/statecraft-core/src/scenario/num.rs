//! A scenario number: a nominal value, optionally a distribution, a source and a confidence.

use serde::{Deserialize, Serialize};

/// A probability distribution for an uncertain input. Every distribution is sampled through its
/// quantile function so that Monte Carlo, Sobol sampling and one-at-a-time analysis share one path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum Dist {
    Uniform {
        min: f64,
        max: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    Pert {
        min: f64,
        mode: f64,
        max: f64,
    },
    /// Normal truncated to [min, max].
    Normal {
        mean: f64,
        sd: f64,
        min: f64,
        max: f64,
    },
    /// Discrete choice among values with weights.
    Discrete {
        values: Vec<f64>,
        weights: Vec<f64>,
    },
}

/// A number in a scenario file. In TOML either a bare number (`position = 80`) or a table
/// (`position = { value = 80, source = "article ¶12", confidence = 0.6 }`, optionally with a
/// distribution: `{ dist = "triangular", min = 60, mode = 80, max = 95 }`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "NumRepr", into = "NumRepr")]
pub struct Num {
    /// The nominal (point) value; also the value after sampling.
    pub value: f64,
    pub dist: Option<Dist>,
    pub source: Option<String>,
    /// Analyst's confidence in the value, 0–1.
    pub confidence: Option<f64>,
}

impl Num {
    pub fn new(value: f64) -> Self {
        Num {
            value,
            ..Default::default()
        }
    }
}

impl From<f64> for Num {
    fn from(v: f64) -> Self {
        Num::new(v)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum NumRepr {
    Plain(f64),
    Table(NumTable),
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct NumTable {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<f64>,
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    dist: Option<Dist>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    confidence: Option<f64>,
}

impl From<NumRepr> for Num {
    fn from(r: NumRepr) -> Self {
        match r {
            NumRepr::Plain(v) => Num::new(v),
            NumRepr::Table(t) => {
                let value = t
                    .value
                    .unwrap_or_else(|| t.dist.as_ref().map_or(0.0, Dist::nominal));
                Num {
                    value,
                    dist: t.dist,
                    source: t.source,
                    confidence: t.confidence,
                }
            }
        }
    }
}

impl From<Num> for NumRepr {
    fn from(n: Num) -> Self {
        if n.dist.is_none() && n.source.is_none() && n.confidence.is_none() {
            NumRepr::Plain(n.value)
        } else {
            NumRepr::Table(NumTable {
                value: Some(n.value),
                dist: n.dist,
                source: n.source,
                confidence: n.confidence,
            })
        }
    }
}

impl Dist {
    /// The central value used when no explicit `value` is given (mode, mean or weighted mean).
    pub fn nominal(&self) -> f64 {
        match self {
            Dist::Uniform { min, max } => 0.5 * (min + max),
            Dist::Triangular { mode, .. } | Dist::Pert { mode, .. } => *mode,
            Dist::Normal { mean, .. } => *mean,
            Dist::Discrete { values, weights } => {
                let w: f64 = weights.iter().sum();
                if w > 0.0 {
                    values.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / w
                } else {
                    values.first().copied().unwrap_or(0.0)
                }
            }
        }
    }
}
