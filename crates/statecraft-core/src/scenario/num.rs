//! A scenario number: a nominal value, optionally a distribution, a source and a confidence;
//! or fixed with a reason; or drawn from a reference class (`docs/evidence.md`).

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
    #[inline]
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
    /// Beta(a, b): the Jeffreys posterior of a probability per trial from a reference class
    /// (`reference = { …, unit = "trials" }`). Derived by the sampler, never written in a file.
    Beta {
        a: f64,
        b: f64,
    },
    /// A Poisson rate λ per unit ~ Gamma(shape, rate), turned into the per-round probability
    /// `1 − exp(−λ · units_per_round)`: the Jeffreys posterior of a reference class with a time
    /// unit. Derived by the sampler, never written in a file.
    GammaRate {
        shape: f64,
        rate: f64,
        units_per_round: f64,
    },
}

/// A reference class a rate or probability is drawn from: `events` occurrences in `exposure`
/// units (trials, or crisis-days/-weeks/-months/-years), counted by `source`
/// (`docs/evidence.md`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    pub events: f64,
    pub exposure: f64,
    pub unit: String,
    pub source: String,
    /// Days per simulated round, filled in by the loader from `[scenario] round_days` (a time
    /// unit's rate is converted to a per-round probability); not written by authors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round_days: Option<f64>,
}

/// The units a reference class may count its exposure in, with their length in days
/// (`None`: trials, a probability per trial). A month is 365.25 / 12 days.
pub const REFERENCE_UNITS: &[(&str, Option<f64>)] = &[
    ("trials", None),
    ("crisis-days", Some(1.0)),
    ("crisis-weeks", Some(7.0)),
    ("crisis-months", Some(365.25 / 12.0)),
    ("crisis-years", Some(365.25)),
];

impl Reference {
    /// The unit's length in days (`None` for trials), or `Err` with the accepted units.
    pub fn unit_days(&self) -> Result<Option<f64>, String> {
        REFERENCE_UNITS
            .iter()
            .find(|(u, _)| *u == self.unit)
            .map(|(_, d)| *d)
            .ok_or_else(|| {
                format!(
                    "unknown reference unit `{}`; expected one of {}",
                    self.unit,
                    REFERENCE_UNITS
                        .iter()
                        .map(|(u, _)| *u)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
    }

    /// The Jeffreys posterior as a [`Dist`] of the per-round (or per-trial) probability:
    /// Beta(k + ½, n − k + ½) for trials; for a time unit, λ ~ Gamma(k + ½, n) per unit and
    /// `p = 1 − exp(−λ · round_days / unit_days)`. `None` when the counts or unit are unusable
    /// (the loader reports them).
    pub fn posterior(&self) -> Option<Dist> {
        let (k, n) = (self.events, self.exposure);
        if !(k.is_finite() && n.is_finite() && k >= 0.0 && n > 0.0) {
            return None;
        }
        match self.unit_days().ok()? {
            None => (k <= n).then_some(Dist::Beta {
                a: k + 0.5,
                b: n - k + 0.5,
            }),
            Some(days) => Some(Dist::GammaRate {
                shape: k + 0.5,
                rate: n,
                units_per_round: self.round_days.unwrap_or(DEFAULT_ROUND_DAYS) / days,
            }),
        }
    }

    /// The posterior mean of the per-round probability (the number's nominal value when the
    /// table gives no `value`): (k + ½)/(n + 1) for trials; for a time unit
    /// `1 − (n / (n + t))^(k + ½)`, the mean of `1 − exp(−λ t)` under Gamma(k + ½, n).
    pub fn posterior_mean(&self) -> Option<f64> {
        match self.posterior()? {
            Dist::Beta { a, b } => Some(a / (a + b)),
            Dist::GammaRate {
                shape,
                rate,
                units_per_round: t,
            } => Some(1.0 - (rate / (rate + t)).powf(shape)),
            _ => None,
        }
    }
}

/// Numbers the format itself declares certain, by path suffix, with the reason: switches and
/// other structural entries that are not quantities to be estimated (docs/evidence.md §2).
pub const FORMAT_FIXED: &[(&str, &str)] = &[(
    ".lock",
    "a switch (>= 0.5 locks the alignment: a party to the crisis or a forced counterfactual), not a quantity",
)];

/// The format's reason for treating the number at `path` as certain, if it is structural.
pub fn format_fixed(path: &str) -> Option<&'static str> {
    FORMAT_FIXED
        .iter()
        .find(|(suffix, _)| path.ends_with(suffix))
        .map(|(_, why)| *why)
}

/// Days per round when a scenario does not say (`[scenario] round_days`, docs/scenario.md).
pub const DEFAULT_ROUND_DAYS: f64 = 7.0;

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
    /// `fixed = true` with its `reason`: the number is certain because the author says why.
    pub fixed: Option<String>,
    /// The reference class the number is drawn from (its Jeffreys posterior).
    pub reference: Option<Reference>,
    /// The certainty the loader's evidence rule gives a number of a crisis scenario that states
    /// none (no `dist`, `confidence`, `fixed` or `reference`): its source's reliability, or
    /// [`ASSUMED_CONFIDENCE`] without a known source (`docs/evidence.md`). `None` elsewhere.
    /// Export writes it as `implied_certainty`; authors write `confidence` instead.
    pub implied: Option<f64>,
}

/// The certainty of an *assumed* number: one of a crisis scenario with no distribution, no
/// confidence, no known source, not fixed and no reference class. 0.5 = "as likely off by a
/// quarter of its range as not" under the point-number rule of `sample::effective_dist`
/// (half-width `(1 − q) · POINT_HALF_WIDTH` of the domain; docs/evidence.md §2).
pub const ASSUMED_CONFIDENCE: f64 = 0.5;

impl Num {
    pub fn new(value: f64) -> Self {
        Num {
            value,
            ..Default::default()
        }
    }

    /// A number fixed by the author, with the reason.
    pub fn fixed(value: f64, reason: &str) -> Self {
        Num {
            value,
            fixed: Some(reason.to_string()),
            ..Default::default()
        }
    }

    /// True when the number states no basis of its own: no `dist`, `confidence`, `fixed` or
    /// `reference` (it may still cite a source).
    pub fn is_bare(&self) -> bool {
        self.dist.is_none()
            && self.confidence.is_none()
            && self.fixed.is_none()
            && self.reference.is_none()
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
    Table(Box<NumTable>),
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fixed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reference: Option<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    implied_certainty: Option<f64>,
}

impl From<Num> for NumRepr {
    fn from(n: Num) -> Self {
        if n.dist.is_none()
            && n.source.is_none()
            && n.confidence.is_none()
            && n.fixed.is_none()
            && n.reference.is_none()
            && n.implied.is_none()
        {
            NumRepr::Plain(n.value)
        } else {
            NumRepr::Table(Box::new(NumTable {
                value: Some(n.value),
                dist: n.dist,
                source: n.source,
                confidence: n.confidence,
                fixed: n.fixed.is_some().then_some(true),
                reason: n.fixed,
                reference: n.reference,
                implied_certainty: n.implied,
            }))
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
            Dist::Beta { a, b } => a / (a + b),
            Dist::GammaRate {
                shape,
                rate,
                units_per_round: t,
            } => 1.0 - (rate / (rate + t)).powf(*shape),
        }
    }
}

/// Separates a deserialization message from its help line (the loader splits them:
/// `load::structural_error`).
pub const HELP: &str = " | help: ";

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
    "fixed",
    "reason",
    "reference",
    "implied_certainty",
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
        let mut fixed: Option<bool> = None;
        let mut reason: Option<String> = None;
        let mut reference: Option<Reference> = None;
        let mut implied: Option<f64> = None;
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
                "fixed" => fixed = Some(map.next_value()?),
                "reason" => reason = Some(map.next_value()?),
                "reference" => reference = Some(map.next_value()?),
                "implied_certainty" => implied = Some(finite(map.next_value::<f64>()?)?),
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
        let fixed = match (fixed, reason) {
            (Some(true), Some(r)) if !r.trim().is_empty() => Some(r),
            (Some(true), _) => {
                return Err(A::Error::custom(format!(
                    "`fixed = true` needs a `reason`{HELP}say why the number is certain, e.g. `reason = \"structural: the link exists by treaty\"`; or give it a `confidence` instead of fixing it"
                )))
            }
            (Some(false), _) => {
                return Err(A::Error::custom(
                    "`fixed = false` says nothing; drop it (a number is uncertain unless fixed)",
                ))
            }
            (None, Some(_)) => {
                return Err(A::Error::custom(
                    "`reason` explains `fixed = true`; add `fixed = true` or drop `reason`",
                ))
            }
            (None, None) => None,
        };
        if fixed.is_some() {
            let clash = if dist.is_some() {
                Some("a distribution (`dist`)")
            } else if confidence.is_some() {
                Some("a `confidence`")
            } else if reference.is_some() {
                Some("a `reference` class")
            } else {
                None
            };
            if let Some(what) = clash {
                return Err(A::Error::custom(format!(
                    "a number with `fixed = true` cannot also have {what}{HELP}a fixed number is certain: drop `fixed` and `reason` to keep it uncertain, or drop {what}"
                )));
            }
        }
        if reference.is_some() && (dist.is_some() || confidence.is_some()) {
            return Err(A::Error::custom(
                "a number with a `reference` class is drawn from its posterior; drop `dist`/`confidence`",
            ));
        }
        if let Some(r) = &reference {
            if let Err(e) = r.unit_days() {
                return Err(A::Error::custom(e));
            }
        }
        let value = match (value, &dist, &reference) {
            (Some(v), _, _) => v,
            (None, Some(d), _) => d.nominal(),
            // Filled in by the loader with the posterior mean once `round_days` is known.
            (None, None, Some(_)) => f64::NAN,
            (None, None, None) => {
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
            fixed,
            reference,
            implied,
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
            Dist::Beta { .. } | Dist::GammaRate { .. } => (0.0, 1.0),
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
            Dist::Beta { a, b } => {
                if !(*a > 0.0 && *b > 0.0) {
                    out.push((
                        "reference",
                        format!("beta needs a, b > 0 (a = {a}, b = {b})"),
                    ));
                }
            }
            Dist::GammaRate {
                shape,
                rate,
                units_per_round,
            } => {
                if !(*shape > 0.0 && *rate > 0.0 && *units_per_round > 0.0) {
                    out.push((
                        "reference",
                        format!("gamma needs shape, rate, units per round > 0 (shape = {shape}, rate = {rate}, units per round = {units_per_round})"),
                    ));
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
    fn fixed_needs_a_reason_and_no_distribution() {
        let n =
            parse(r#"x = { value = 3, fixed = true, reason = "structural: by treaty" }"#).unwrap();
        assert_eq!(n.fixed.as_deref(), Some("structural: by treaty"));
        assert!(!n.is_bare());
        let e = parse(r#"x = { value = 3, fixed = true }"#).unwrap_err();
        assert!(e.contains("`fixed = true` needs a `reason`"), "{e}");
        assert!(e.contains(HELP), "{e}");
        let e = parse(r#"x = { value = 3, fixed = true, reason = "  " }"#).unwrap_err();
        assert!(e.contains("needs a `reason`"), "{e}");
        let e = parse(r#"x = { dist = "uniform", min = 1, max = 3, fixed = true, reason = "r" }"#)
            .unwrap_err();
        assert!(e.contains("cannot also have a distribution"), "{e}");
        let e = parse(r#"x = { value = 3, confidence = 0.5, fixed = true, reason = "r" }"#)
            .unwrap_err();
        assert!(e.contains("cannot also have a `confidence`"), "{e}");
        let e = parse(r#"x = { value = 3, reason = "r" }"#).unwrap_err();
        assert!(e.contains("add `fixed = true`"), "{e}");
        let e = parse(r#"x = { value = 3, fixed = false }"#).unwrap_err();
        assert!(e.contains("`fixed = false` says nothing"), "{e}");
    }

    #[test]
    fn reference_classes_parse_and_give_jeffreys_posteriors() {
        let n = parse(
            r#"x = { reference = { events = 3, exposure = 10, unit = "trials", source = "s" } }"#,
        )
        .unwrap();
        assert!(n.value.is_nan(), "the loader fills the value in");
        let r = n.reference.clone().unwrap();
        // Jeffreys: Beta(k + 1/2, n - k + 1/2) = Beta(3.5, 7.5); mean 3.5 / 11.
        assert_eq!(r.posterior(), Some(Dist::Beta { a: 3.5, b: 7.5 }));
        assert!((r.posterior_mean().unwrap() - 3.5 / 11.0).abs() < 1e-15);
        let mut r = parse(
            r#"x = { value = 0.01, reference = { events = 2, exposure = 120, unit = "crisis-months", source = "s" } }"#,
        )
        .unwrap()
        .reference
        .unwrap();
        r.round_days = Some(7.0);
        let t = 7.0 / (365.25 / 12.0);
        assert_eq!(
            r.posterior(),
            Some(Dist::GammaRate {
                shape: 2.5,
                rate: 120.0,
                units_per_round: t
            })
        );
        // E[1 - exp(-λt)] under Gamma(2.5, rate 120) = 1 - (120 / (120 + t))^2.5.
        let want = 1.0 - (120.0 / (120.0 + t)).powf(2.5);
        assert!((r.posterior_mean().unwrap() - want).abs() < 1e-15);
        let e = parse(
            r#"x = { reference = { events = 1, exposure = 4, unit = "decades", source = "s" } }"#,
        )
        .unwrap_err();
        assert!(e.contains("unknown reference unit `decades`"), "{e}");
        let e = parse(r#"x = { dist = "uniform", min = 0, max = 1, reference = { events = 1, exposure = 4, unit = "trials", source = "s" } }"#)
            .unwrap_err();
        assert!(e.contains("drawn from its posterior"), "{e}");
        // More events than trials: no posterior (the loader reports it).
        let r = Reference {
            events: 5.0,
            exposure: 4.0,
            unit: "trials".into(),
            source: "s".into(),
            round_days: None,
        };
        assert_eq!(r.posterior(), None);
    }

    #[test]
    fn format_fixed_numbers_are_switches() {
        assert!(format_fixed("crisis.ally.us.lock").is_some());
        assert!(format_fixed("crisis.ally.us.alignment").is_none());
    }

    #[test]
    fn serialize_round_trip() {
        for s in [
            "x = 80",
            r#"x = { value = 80, source = "s", confidence = 0.5 }"#,
            r#"x = { dist = "normal", mean = 5, sd = 1, min = 0, max = 10 }"#,
            r#"x = { value = 2, fixed = true, reason = "structural" }"#,
            r#"x = { value = 0.1, reference = { events = 1, exposure = 9, unit = "trials", source = "s" } }"#,
            r#"x = { value = 0.1, implied_certainty = 0.5 }"#,
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
