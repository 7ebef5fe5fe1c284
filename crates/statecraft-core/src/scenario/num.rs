//! A scenario number: a nominal value, optionally a distribution, a source and a confidence.

use serde::{Deserialize, Serialize};

/// The range a number may take.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Domain {
    pub min: f64,
    pub max: f64,
}

impl Domain {
    pub const UNBOUNDED: Domain = Domain {
        min: f64::NEG_INFINITY,
        max: f64::INFINITY,
    };
    pub const UNIT: Domain = Domain { min: 0.0, max: 1.0 };
    pub const NON_NEGATIVE: Domain = Domain {
        min: 0.0,
        max: f64::INFINITY,
    };
    pub fn clamp(&self, x: f64) -> f64 {
        x.clamp(self.min, self.max)
    }
    /// `max − min` when both are finite.
    pub fn width(&self) -> Option<f64> {
        let w = self.max - self.min;
        w.is_finite().then_some(w)
    }
}

impl Domain {
    /// `[-1, 1]` (alignments).
    pub const SIGNED_UNIT: Domain = Domain {
        min: -1.0,
        max: 1.0,
    };
    pub fn new(min: f64, max: f64) -> Domain {
        Domain {
            min: min.min(max),
            max: max.max(min),
        }
    }
    pub fn contains(&self, x: f64) -> bool {
        x >= self.min && x <= self.max
    }
}

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
///
/// Deserialization is hand-written (not `untagged`) so that a wrong value gets a message that
/// says what was expected, e.g. "expected a number or a table `{ value = …, source = … }`, found
/// a string", or "`dist = \"triangular\"` needs `min`, `mode` and `max`".
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(into = "NumRepr")]
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

#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
enum NumRepr {
    Plain(f64),
    Table(NumTable),
}

#[derive(Clone, Debug, Serialize)]
struct NumTable {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<f64>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    dist: Option<Dist>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    confidence: Option<f64>,
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

/// Keys accepted in a number table.
const NUM_KEYS: &[&str] = &[
    "value",
    "dist",
    "source",
    "confidence",
    "min",
    "mode",
    "max",
    "mean",
    "sd",
    "values",
    "weights",
];

/// Distribution names accepted in `dist = "…"`.
const DIST_NAMES: &[&str] = &["uniform", "triangular", "pert", "normal", "discrete"];

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NumVisitor)
    }
}

struct NumVisitor;

fn finite<E: serde::de::Error>(v: f64) -> Result<f64, E> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(E::custom(format!(
            "expected a finite number, found {v} (nan and inf are not allowed)"
        )))
    }
}

impl<'de> serde::de::Visitor<'de> for NumVisitor {
    type Value = Num;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(
            "a number (`80`) or a table (`{ value = 80, source = \"article ¶12\", confidence = 0.6 }`)",
        )
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Num, E> {
        finite(v).map(Num::new)
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Num, E> {
        Ok(Num::new(v as f64))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Num, E> {
        Ok(Num::new(v as f64))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Num, E> {
        let hint = match v.trim().parse::<f64>() {
            Ok(x) if x.is_finite() => format!(" (write `{x}` without quotes)"),
            _ => String::new(),
        };
        Err(E::custom(format!(
            "expected a number or a table `{{ value = …, source = \"…\" }}`, found the string \"{v}\"{hint}"
        )))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Num, A::Error> {
        use serde::de::Error;
        let mut value: Option<f64> = None;
        let mut dist: Option<String> = None;
        let mut source: Option<String> = None;
        let mut confidence: Option<f64> = None;
        let mut params: Vec<(&'static str, f64)> = Vec::new();
        let mut values: Option<Vec<f64>> = None;
        let mut weights: Option<Vec<f64>> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "value" => value = Some(finite(map.next_value::<f64>()?)?),
                "dist" => {
                    let name: String = map.next_value()?;
                    if !DIST_NAMES.contains(&name.as_str()) {
                        return Err(A::Error::custom(format!(
                            "unknown distribution `{name}`; expected one of {}",
                            DIST_NAMES.join(", ")
                        )));
                    }
                    dist = Some(name);
                }
                "source" => source = Some(map.next_value()?),
                "confidence" => confidence = Some(finite(map.next_value::<f64>()?)?),
                "values" => values = Some(map.next_value()?),
                "weights" => weights = Some(map.next_value()?),
                k => match NUM_KEYS.iter().find(|n| **n == k) {
                    Some(n) => params.push((n, finite(map.next_value::<f64>()?)?)),
                    None => {
                        return Err(A::Error::custom(format!(
                            "unknown key `{k}` in a number; expected one of {}",
                            NUM_KEYS.join(", ")
                        )))
                    }
                },
            }
        }
        let get = |n: &str| params.iter().find(|(k, _)| *k == n).map(|(_, v)| *v);
        let need = |name: &str, keys: &[&str]| -> Result<Vec<f64>, A::Error> {
            let missing: Vec<&str> = keys.iter().copied().filter(|k| get(k).is_none()).collect();
            if missing.is_empty() {
                Ok(keys.iter().filter_map(|k| get(k)).collect())
            } else {
                Err(A::Error::custom(format!(
                    "`dist = \"{name}\"` needs {}; missing {}",
                    keys.iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    missing
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
        };
        let dist = match dist.as_deref() {
            None => {
                if let Some((k, _)) = params.first() {
                    return Err(A::Error::custom(format!(
                        "`{k}` only makes sense with a distribution; add `dist = \"uniform\"` (or triangular, pert, normal)"
                    )));
                }
                if values.is_some() || weights.is_some() {
                    return Err(A::Error::custom(
                        "`values`/`weights` only make sense with `dist = \"discrete\"`",
                    ));
                }
                None
            }
            Some("uniform") => {
                let p = need("uniform", &["min", "max"])?;
                Some(Dist::Uniform {
                    min: p[0],
                    max: p[1],
                })
            }
            Some("triangular") => {
                let p = need("triangular", &["min", "mode", "max"])?;
                Some(Dist::Triangular {
                    min: p[0],
                    mode: p[1],
                    max: p[2],
                })
            }
            Some("pert") => {
                let p = need("pert", &["min", "mode", "max"])?;
                Some(Dist::Pert {
                    min: p[0],
                    mode: p[1],
                    max: p[2],
                })
            }
            Some("normal") => {
                let p = need("normal", &["mean", "sd", "min", "max"])?;
                Some(Dist::Normal {
                    mean: p[0],
                    sd: p[1],
                    min: p[2],
                    max: p[3],
                })
            }
            Some(_) => {
                let (Some(values), Some(weights)) = (values, weights) else {
                    return Err(A::Error::custom(
                        "`dist = \"discrete\"` needs `values = [...]` and `weights = [...]`",
                    ));
                };
                if values.len() != weights.len() || values.is_empty() {
                    return Err(A::Error::custom(format!(
                        "`dist = \"discrete\"` needs as many weights as values (at least one); found {} values and {} weights",
                        values.len(),
                        weights.len()
                    )));
                }
                for v in values.iter().chain(&weights) {
                    finite::<A::Error>(*v)?;
                }
                Some(Dist::Discrete { values, weights })
            }
        };
        let value = match (value, &dist) {
            (Some(v), _) => v,
            (None, Some(d)) => d.nominal(),
            (None, None) => {
                return Err(A::Error::custom(
                    "a number table needs `value` (or a distribution `dist = …`)",
                ))
            }
        };
        Ok(Num {
            value,
            dist,
            source,
            confidence,
        })
    }
}

impl Dist {
    /// The interval outside of which the distribution puts no mass.
    pub fn support(&self) -> (f64, f64) {
        match self {
            Dist::Uniform { min, max }
            | Dist::Triangular { min, max, .. }
            | Dist::Pert { min, max, .. }
            | Dist::Normal { min, max, .. } => (*min, *max),
            Dist::Discrete { values, .. } => values
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(*v), hi.max(*v))
                }),
        }
    }

    /// Problems with the distribution's own parameters (min > max, mode outside, sd <= 0,
    /// negative weights), each with the key to blame. Empty when the distribution is well formed.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        match self {
            Dist::Uniform { min, max } => {
                if min >= max {
                    out.push((
                        "max",
                        format!("uniform needs min < max (min = {min}, max = {max})"),
                    ));
                }
            }
            Dist::Triangular { min, mode, max } | Dist::Pert { min, mode, max } => {
                if min >= max {
                    out.push(("max", format!("needs min < max (min = {min}, max = {max})")));
                } else if mode < min || mode > max {
                    out.push((
                        "mode",
                        format!("mode {mode} lies outside [min, max] = [{min}, {max}]"),
                    ));
                }
            }
            Dist::Normal { mean, sd, min, max } => {
                if *sd <= 0.0 {
                    out.push(("sd", format!("normal needs sd > 0 (sd = {sd})")));
                }
                if min >= max {
                    out.push(("max", format!("needs min < max (min = {min}, max = {max})")));
                } else if mean < min || mean > max {
                    out.push((
                        "mean",
                        format!("mean {mean} lies outside [min, max] = [{min}, {max}]"),
                    ));
                }
            }
            Dist::Discrete { weights, .. } => {
                if weights.iter().any(|w| *w < 0.0) {
                    out.push(("weights", "discrete weights must not be negative".into()));
                } else if weights.iter().sum::<f64>() <= 0.0 {
                    out.push(("weights", "discrete weights must not all be zero".into()));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    struct W {
        x: Num,
    }

    fn parse(s: &str) -> Result<Num, String> {
        toml::from_str::<W>(s)
            .map(|w| w.x)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn bare_numbers_and_tables() {
        assert_eq!(parse("x = 80").unwrap(), Num::new(80.0));
        assert_eq!(parse("x = 0.25").unwrap(), Num::new(0.25));
        let n = parse(r#"x = { value = 80, source = "article ¶12", confidence = 0.6 }"#).unwrap();
        assert_eq!(n.value, 80.0);
        assert_eq!(n.source.as_deref(), Some("article ¶12"));
        assert_eq!(n.confidence, Some(0.6));
        let n = parse(r#"x = { dist = "triangular", min = 60, mode = 80, max = 95 }"#).unwrap();
        assert_eq!(n.value, 80.0);
        assert_eq!(
            n.dist,
            Some(Dist::Triangular {
                min: 60.0,
                mode: 80.0,
                max: 95.0
            })
        );
        let n = parse(r#"x = { dist = "discrete", values = [0, 10], weights = [1, 3] }"#).unwrap();
        assert_eq!(n.value, 7.5);
    }

    #[test]
    fn clear_messages() {
        let e = parse(r#"x = "80""#).unwrap_err();
        assert!(e.contains("found the string \"80\""), "{e}");
        assert!(e.contains("without quotes"), "{e}");
        let e = parse(r#"x = { valeu = 3 }"#).unwrap_err();
        assert!(e.contains("unknown key `valeu`"), "{e}");
        let e = parse(r#"x = { dist = "triangular", min = 1, max = 3 }"#).unwrap_err();
        assert!(e.contains("missing `mode`"), "{e}");
        let e = parse(r#"x = { dist = "gamma", min = 1 }"#).unwrap_err();
        assert!(e.contains("unknown distribution `gamma`"), "{e}");
        let e = parse(r#"x = nan"#).unwrap_err();
        assert!(e.contains("finite"), "{e}");
        let e = parse(r#"x = { source = "a" }"#).unwrap_err();
        assert!(e.contains("needs `value`"), "{e}");
        let e = parse(r#"x = { value = 1, min = 0 }"#).unwrap_err();
        assert!(e.contains("only makes sense with a distribution"), "{e}");
    }

    #[test]
    fn serialize_round_trip() {
        for s in [
            "x = 80",
            r#"x = { value = 80, source = "s", confidence = 0.5 }"#,
            r#"x = { dist = "normal", mean = 5, sd = 1, min = 0, max = 10 }"#,
        ] {
            let n = parse(s).unwrap();
            let json = serde_json::to_string(&n).unwrap();
            let back: Num = serde_json::from_str(&json).unwrap();
            assert_eq!(n, back, "{json}");
        }
    }

    #[test]
    fn schema_lists_every_number_key_and_distribution() {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../../../docs/scenario.schema.json")).unwrap();
        let obj = &schema["definitions"]["num"]["oneOf"][1];
        let mut have: Vec<String> = obj["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        let mut want: Vec<String> = NUM_KEYS.iter().map(|k| k.to_string()).collect();
        have.sort();
        want.sort();
        assert_eq!(have, want);
        let dists: Vec<&str> = obj["properties"]["dist"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(dists, DIST_NAMES);
    }

    #[test]
    fn dist_problems() {
        assert!(Dist::Uniform { min: 1.0, max: 0.0 }.problems().len() == 1);
        assert!(Dist::Triangular {
            min: 0.0,
            mode: 5.0,
            max: 10.0
        }
        .problems()
        .is_empty());
        assert_eq!(
            Dist::Discrete {
                values: vec![1.0, 4.0],
                weights: vec![1.0, 1.0]
            }
            .support(),
            (1.0, 4.0)
        );
    }
}
