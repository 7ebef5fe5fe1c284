//! Priors files (`statecraft fit -o priors.toml`) and the shared crisis-layer constants they
//! carry (docs/backtest.md §4). A scenario may `use` a priors file: the loader applies its
//! fitted constants to the scenario's numbers once, at load, and records them in
//! `[applied_priors]` (docs/scenario.md, "Priors").

use serde::{Deserialize, Serialize};

use super::{Dist, Num, Scenario};

/// The format tag of a priors file.
pub const PRIORS_FORMAT: &str = "statecraft.priors/1";

/// Shared crisis-layer constants the ledger informs (docs/backtest.md §4). The hand-set values
/// are [`Params::HAND_SET`]: every scenario as written.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Multiplier on every option's weekly propensity (`crisis.option.*.propensity`).
    pub propensity: f64,
    /// Added to every gate's intercept (`crisis.gate.*.block`): > 0 = gates stop more.
    pub gate_block: f64,
    /// Multiplier on the concession rate under threat (`crisis.coercion.rate`).
    pub coercion: f64,
}

impl Params {
    pub const HAND_SET: Params = Params {
        propensity: 1.0,
        gate_block: 0.0,
        coercion: 1.0,
    };
}

fn scale_num(n: &mut Num, m: f64, cap: Option<f64>) {
    let f = |x: f64| match cap {
        Some(c) => (x * m).min(c),
        None => x * m,
    };
    n.value = f(n.value);
    if let Some(d) = &mut n.dist {
        match d {
            Dist::Uniform { min, max } => {
                *min = f(*min);
                *max = f(*max);
            }
            Dist::Triangular { min, mode, max } | Dist::Pert { min, mode, max } => {
                *min = f(*min);
                *mode = f(*mode);
                *max = f(*max);
            }
            Dist::Normal { mean, sd, min, max } => {
                *mean = f(*mean);
                *sd *= m;
                *min = f(*min);
                *max = f(*max);
            }
            Dist::Discrete { values, .. } => {
                for v in values.iter_mut() {
                    *v = f(*v);
                }
            }
            // Derived by the sampler from a reference class, never stated in a number.
            Dist::Beta { .. } | Dist::GammaRate { .. } => {}
        }
    }
}

fn shift_num(n: &mut Num, s: f64) {
    n.value += s;
    if let Some(d) = &mut n.dist {
        match d {
            Dist::Uniform { min, max } => {
                *min += s;
                *max += s;
            }
            Dist::Triangular { min, mode, max } | Dist::Pert { min, mode, max } => {
                *min += s;
                *mode += s;
                *max += s;
            }
            Dist::Normal { mean, min, max, .. } => {
                *mean += s;
                *min += s;
                *max += s;
            }
            Dist::Discrete { values, .. } => {
                for v in values.iter_mut() {
                    *v += s;
                }
            }
            Dist::Beta { .. } | Dist::GammaRate { .. } => {}
        }
    }
}

/// Apply shared constants to a scenario (through `Scenario::visit_nums_mut`, the one door to
/// every number): propensities are multiplied (capped at 1), gate intercepts shifted, the
/// coercion rate multiplied. Distributions move with their values. A number drawn from a
/// reference class is left alone: its posterior is the class's, and scaling its (not yet
/// filled) value would make its nominal value disagree with what is sampled (docs/evidence.md §3).
pub fn apply_params(scn: &mut Scenario, p: &Params) {
    scn.visit_nums_mut(&mut |path: &str, n: &mut Num| {
        if n.reference.is_some() {
            return;
        }
        if path.starts_with("crisis.option.") && path.ends_with(".propensity") {
            scale_num(n, p.propensity, Some(1.0));
        } else if path.starts_with("crisis.gate.") && path.ends_with(".block") {
            shift_num(n, p.gate_block);
        } else if path == "crisis.coercion.rate" {
            scale_num(n, p.coercion, None);
        }
    });
}

/// Whether fitted constants are usable: finite, multipliers > 0 (coercion ≥ 0).
pub fn params_ok(p: &Params) -> bool {
    p.propensity > 0.0
        && p.propensity.is_finite()
        && p.gate_block.is_finite()
        && p.coercion >= 0.0
        && p.coercion.is_finite()
}

/// A priors file as `statecraft fit -o` writes it: the fitted constants and their accepted
/// ranges (TOML).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Priors {
    pub format: String,
    /// Cases the constants were fitted on.
    pub fitted_on: Vec<String>,
    pub params: Params,
    pub range: PriorRange,
}

/// Ranges of the accepted points.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PriorRange {
    pub propensity: [f64; 2],
    pub gate_block: [f64; 2],
    pub coercion: [f64; 2],
}

/// The priors file text (TOML) for these priors.
pub fn to_toml(p: &Priors) -> Result<String, String> {
    let body = toml::to_string(p).map_err(|e| e.to_string())?;
    Ok(format!(
        "# statecraft fit: shared crisis-layer constants fitted to the backtest ledger\n\
         # (history matching / rejection ABC on a grid; docs/backtest.md §4).\n{body}"
    ))
}

/// Parse a priors file (as written by `statecraft fit -o`).
pub fn parse(text: &str) -> Result<Priors, String> {
    let p: Priors = toml::from_str(text).map_err(|e| format!("priors: {}", e.message().trim()))?;
    if p.format != PRIORS_FORMAT {
        return Err(format!(
            "priors: format `{}` is not {PRIORS_FORMAT}",
            p.format
        ));
    }
    if !params_ok(&p.params) {
        return Err("priors: params must be finite, multipliers > 0".into());
    }
    Ok(p)
}

/// What the loader applied from a `use`d priors file, recorded in the scenario (and in every
/// output that serialises it). A scenario that carries it is already adjusted: loading it again
/// does not apply the constants a second time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppliedPriors {
    /// The `use` value the constants came from.
    pub file: String,
    pub params: Params,
    pub fitted_on: Vec<String>,
    pub range: PriorRange,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load::{from_toml_str, from_toml_str_with};

    const PRIORS: &str = r#"
format = "statecraft.priors/1"
fitted_on = ["a-case"]
[params]
propensity = 2.0
gate_block = 0.5
coercion = 3.0
[range]
propensity = [1.0, 4.0]
gate_block = [0.0, 1.0]
coercion = [2.0, 4.0]
"#;

    fn greenland() -> String {
        crate::builtin::get("greenland-2026")
            .expect("built-in")
            .to_string()
    }

    fn num(s: &Scenario, path: &str) -> f64 {
        let mut out = f64::NAN;
        let mut s = s.clone();
        s.visit_nums_mut(&mut |p: &str, n: &mut Num| {
            if p == path {
                out = n.value;
            }
        });
        out
    }

    /// The Greenland text without its own `use` line (the hand-set numbers).
    fn hand_set_text() -> String {
        greenland()
            .lines()
            .filter(|l| !l.starts_with("use = "))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn use_applies_the_fitted_point_once_and_records_it() {
        let text = format!("use = \"mine.toml\"\n{}", hand_set_text());
        let resolve = |name: &str| (name == "mine.toml").then(|| Ok(PRIORS.to_string()));
        let with = from_toml_str_with(&text, &resolve).expect("loads");
        let hand = from_toml_str(&hand_set_text()).expect("loads");
        assert!(with.uses.is_none());
        let applied = with.applied_priors.as_ref().expect("recorded");
        assert_eq!(applied.file, "mine.toml");
        assert_eq!(applied.params.coercion, 3.0);
        let k = "crisis.coercion.rate";
        assert!((num(&with, k) - 3.0 * num(&hand, k)).abs() < 1e-12);
        // A scenario written out after loading carries the record and is not adjusted again.
        let round = toml::to_string(&with).expect("serialises");
        assert!(
            !round.contains("\nuse = "),
            "use is replaced by [applied_priors]"
        );
        let again = from_toml_str(&round).expect("reloads");
        assert!((num(&again, k) - num(&with, k)).abs() < 1e-12);
        assert_eq!(again.applied_priors, with.applied_priors);
    }

    #[test]
    fn use_errors_are_located_at_use() {
        let text = format!("use = \"nope.toml\"\n{}", hand_set_text());
        let errs = from_toml_str(&text).expect_err("missing file");
        let e = &errs.errors[0];
        assert!(e.message.contains("`nope.toml` not found"), "{}", e.message);
        assert_eq!(e.span, Some(6..17));
        let bad = |_: &str| Some(Ok("format = \"x\"".to_string()));
        let errs = from_toml_str_with(&text, &bad).expect_err("malformed file");
        assert!(
            errs.errors[0].message.contains("priors file `nope.toml`"),
            "{}",
            errs.errors[0].message
        );
        let unreadable = |_: &str| Some(Err("permission denied".to_string()));
        let errs = from_toml_str_with(&text, &unreadable).expect_err("unreadable");
        assert!(errs.errors[0].message.contains("permission denied"));
    }

    #[test]
    fn the_built_in_ledger_priors_parse() {
        for name in crate::builtin::priors_names() {
            let p = parse(crate::builtin::priors(name).expect("embedded")).expect(name);
            assert!(params_ok(&p.params) && !p.fitted_on.is_empty(), "{name}");
        }
    }
}
