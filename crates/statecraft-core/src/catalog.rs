//! The catalogue of a scenario's numbers: every path `--set` accepts, with its stated value,
//! distribution, the range a value must lie in, and the evidence behind it. What
//! `statecraft paths` prints and what an explorer's controls are built from.

use crate::scenario::{Dist, Scenario};
use serde::Serialize;

/// One settable number of a scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParamInfo {
    /// The dotted path (`--set PATH=VALUE`).
    pub path: String,
    /// The stated (nominal) value.
    pub value: f64,
    /// Its distribution when it is uncertain; `None` = a point value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dist: Option<Dist>,
    /// The range a value of this number must lie in (±∞ serialized as `null`).
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// The source id, and that source's title, date and reliability where the scenario has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reliability: Option<f64>,
    /// The analyst's confidence in the value, 0–1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// What the number rests on ([`crate::evidence::Basis::name`]: sourced, reference,
    /// assumed, unmarked, fixed, data; docs/evidence.md).
    pub basis: &'static str,
    /// The reason a fixed number is certain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The reference class the number is drawn from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<crate::scenario::num::Reference>,
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Every number of the scenario in visiting order (actors, stances, the crisis layer).
pub fn parameters(scn: &Scenario) -> Vec<ParamInfo> {
    let mut s = scn.clone();
    let mut out = Vec::new();
    s.visit_nums_declared(&mut |path, d, num| {
        let src = num
            .source
            .as_deref()
            .and_then(|id| scn.sources.iter().find(|s| s.id == id));
        out.push(ParamInfo {
            path: path.to_string(),
            value: num.value,
            dist: num.dist.clone(),
            min: finite(d.min),
            max: finite(d.max),
            source: num.source.clone(),
            source_title: src.map(|s| s.title.clone()),
            source_date: src.and_then(|s| s.date.map(|d| d.to_string())),
            reliability: src.map(|s| s.reliability),
            confidence: num.confidence,
            basis: {
                let b = crate::evidence::basis(scn, path, num);
                b.name()
            },
            reason: match crate::evidence::basis(scn, path, num) {
                crate::evidence::Basis::Fixed { reason, .. } => Some(reason),
                _ => None,
            },
            reference: num.reference.clone(),
        });
    });
    out
}

/// A short text form of a distribution: `pert(10, 20, 40)`.
pub fn dist_text(d: &Dist) -> String {
    let g = |x: f64| crate::catalog::num_text(x);
    match d {
        Dist::Uniform { min, max } => format!("uniform({}, {})", g(*min), g(*max)),
        Dist::Triangular { min, mode, max } => {
            format!("triangular({}, {}, {})", g(*min), g(*mode), g(*max))
        }
        Dist::Pert { min, mode, max } => format!("pert({}, {}, {})", g(*min), g(*mode), g(*max)),
        Dist::Normal { mean, sd, min, max } => format!(
            "normal({}, sd {}, [{}, {}])",
            g(*mean),
            g(*sd),
            g(*min),
            g(*max)
        ),
        Dist::Discrete { values, .. } => format!(
            "discrete({})",
            values.iter().map(|v| g(*v)).collect::<Vec<_>>().join(", ")
        ),
        Dist::Beta { a, b } => format!("beta({}, {})", g(*a), g(*b)),
        Dist::GammaRate {
            shape,
            rate,
            units_per_round,
        } => format!(
            "1 - exp(-gamma({}, rate {}) * {})",
            g(*shape),
            g(*rate),
            g(*units_per_round)
        ),
    }
}

/// A number in its shortest faithful decimal form (`0.25`, `40`, `1e-6`).
pub fn num_text(x: f64) -> String {
    if x.is_finite() && x == x.trunc() && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greenland_paths_carry_ranges_and_sources() {
        let text = crate::builtin::get("greenland-2026").expect("built-in");
        let scn = crate::scenario::load::from_toml_str(text).expect("loads");
        let p = parameters(&scn);
        assert_eq!(p.len(), crate::mc::num_paths(&scn).len());
        let uk = p
            .iter()
            .find(|x| x.path == "crisis.ally.uk.alignment")
            .expect("uk alignment is settable");
        assert!(uk.value.is_finite());
        let prop = p
            .iter()
            .find(|x| x.path.ends_with(".propensity"))
            .expect("an option propensity");
        assert_eq!((prop.min, prop.max), (Some(0.0), Some(1.0)));
        assert!(p.iter().any(|x| x.source_title.is_some()));
    }

    #[test]
    fn builtin_numbers_lie_in_their_declared_domains() {
        for name in crate::builtin::names() {
            let text = crate::builtin::get(name).expect("built-in");
            let scn = crate::scenario::load::from_toml_str(text).expect("loads");
            for p in parameters(&scn) {
                let (lo, hi) = (
                    p.min.unwrap_or(f64::NEG_INFINITY),
                    p.max.unwrap_or(f64::INFINITY),
                );
                assert!(
                    p.value >= lo && p.value <= hi,
                    "{name}: {} = {} outside [{lo}, {hi}]",
                    p.path,
                    p.value
                );
                if let Some(d) = &p.dist {
                    let (a, b) = crate::sample::support(d);
                    assert!(
                        a >= lo && b <= hi,
                        "{name}: {} support [{a}, {b}] outside [{lo}, {hi}]",
                        p.path
                    );
                }
            }
        }
    }

    #[test]
    fn texts() {
        assert_eq!(num_text(40.0), "40");
        assert_eq!(num_text(0.25), "0.25");
        assert_eq!(
            dist_text(&Dist::Pert {
                min: 10.0,
                mode: 20.0,
                max: 40.5
            }),
            "pert(10, 20, 40.5)"
        );
    }
}
