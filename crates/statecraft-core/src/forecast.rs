//! Forecast questions: probabilities with Wilson intervals from simulated runs, and proper
//! scoring rules (Brier, logarithmic) once the questions resolve. See `docs/crisis.md` §7.
//!
//! A question's `when` predicate is evaluated on each run's final `RunState` (date literals mean
//! days after `as_of`); P(yes) = k/n over n runs, with the Wilson (1927) score interval. The runs
//! come from the Monte Carlo job (`crate::study::study`, which samples the uncertain inputs);
//! [`Forecast`] is what `statecraft forecast --format json` prints (`Study::to_forecast`).

use crate::expr as cond;
use crate::scenario::{Date, Question, Scenario};
use crate::state::RunState;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One question's forecast.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuestionForecast {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Date>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub when: String,
    pub probability: f64,
    /// 95% Wilson score interval.
    pub lo: f64,
    pub hi: f64,
    /// Runs in which the question resolved yes.
    pub yes: u64,
    pub runs: u64,
}

/// All forecasts of a scenario, as printed by `statecraft forecast --format json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    pub scenario: String,
    pub scenario_hash: String,
    pub seed: u64,
    pub runs: u64,
    pub engine_version: String,
    /// Evidence discount of the Monte Carlo job (0 = sources taken at face value).
    #[serde(default)]
    pub evidence_discount: f64,
    /// Counterfactual edits applied (`--set`, `--without`, `--disable`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edits: Vec<String>,
    /// Model id, rounds and options.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub model_options: serde_json::Value,
    pub questions: Vec<QuestionForecast>,
}

/// Why questions could not be evaluated or scored.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ForecastError {
    #[error("question `{id}`: {source}")]
    Pred { id: String, source: cond::PredError },
    #[error("resolutions: {0}")]
    Resolutions(String),
}

/// Check a forecast file before scoring it: every probability a finite number in [0, 1]
/// (a Brier score of p = 1.5 would be 2.25, outside the score's range) and no question id
/// twice (the later one would silently win).
pub fn check_forecast(f: &Forecast) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for (i, q) in f.questions.iter().enumerate() {
        if !(0.0..=1.0).contains(&q.probability) {
            return Err(format!(
                "questions[{i}] (`{}`): probability {} is outside [0, 1]",
                q.id, q.probability
            ));
        }
        if !seen.insert(q.id.as_str()) {
            return Err(format!(
                "questions[{i}]: question id `{}` appears twice",
                q.id
            ));
        }
    }
    Ok(())
}

/// The 95% Wilson score interval for k successes in n trials (Wilson 1927): the Monte Carlo
/// aggregator's [`crate::mc::stats::wilson`], so a question and an outcome class with the same
/// predicate get the same interval.
pub fn wilson(k: u64, n: u64) -> (f64, f64) {
    crate::mc::stats::wilson(k, n, crate::mc::stats::Z95)
}

impl QuestionForecast {
    /// A forecast from a count (e.g. handed over by the Monte Carlo aggregator).
    pub fn from_counts(q: &Question, yes: u64, runs: u64) -> Self {
        let (lo, hi) = wilson(yes, runs);
        QuestionForecast {
            id: q.id.clone(),
            title: q.title.clone(),
            by: q.by,
            when: q.when.clone(),
            probability: if runs > 0 {
                yes as f64 / runs as f64
            } else {
                f64::NAN
            },
            lo,
            hi,
            yes,
            runs,
        }
    }
}

/// Evaluate every question of the scenario on per-run final states.
pub fn evaluate(
    scn: &Scenario,
    states: &[RunState],
) -> Result<Vec<QuestionForecast>, ForecastError> {
    let as_of = scn.scenario.as_of;
    scn.questions
        .iter()
        .map(|q| {
            let pred = cond::parse(&q.when, as_of).map_err(|e| ForecastError::Pred {
                id: q.id.clone(),
                source: e,
            })?;
            let yes = states
                .iter()
                .filter(|st| pred.eval(&mut |v: &String| st.get(v)))
                .count() as u64;
            Ok(QuestionForecast::from_counts(q, yes, states.len() as u64))
        })
        .collect()
}

/// Every question of the scenario from counts folded during the Monte Carlo job
/// (`yes(k)`: runs in which question `k`'s `when` held, `None` if it was not counted): the
/// same figures as [`evaluate`] on the job's runs, and the same error for a predicate that
/// does not parse.
pub fn from_counts(
    scn: &Scenario,
    yes: impl Fn(usize) -> Option<u64>,
    runs: u64,
) -> Result<Vec<QuestionForecast>, ForecastError> {
    let as_of = scn.scenario.as_of;
    scn.questions
        .iter()
        .enumerate()
        .map(|(k, q)| {
            cond::parse(&q.when, as_of).map_err(|e| ForecastError::Pred {
                id: q.id.clone(),
                source: e,
            })?;
            Ok(QuestionForecast::from_counts(q, yes(k).unwrap_or(0), runs))
        })
        .collect()
}

/// Brier score (Brier 1950) of probability p for outcome o ∈ {0, 1}: (p − o)². Lower is better.
pub fn brier(p: f64, outcome: bool) -> f64 {
    let o = if outcome { 1.0 } else { 0.0 };
    (p - o).powi(2)
}

/// Logarithmic score (Good 1952): ln of the probability given to what happened, with p clamped
/// to [ε, 1 − ε], ε = 1e-6, so a confident miss is finite. Higher (closer to 0) is better.
pub fn log_score(p: f64, outcome: bool) -> f64 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    if outcome {
        p.ln()
    } else {
        (1.0 - p).ln()
    }
}

/// One scored question.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuestionScore {
    pub id: String,
    pub probability: f64,
    pub outcome: bool,
    pub brier: f64,
    pub log: f64,
}

/// Scores of a set of forecasts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    pub questions: Vec<QuestionScore>,
    pub mean_brier: f64,
    pub mean_log: f64,
    /// Forecast questions with no resolution (not scored).
    pub unresolved: Vec<String>,
    /// Resolutions with no matching forecast.
    pub unknown: Vec<String>,
}

/// Score forecasts against resolutions (id → outcome).
pub fn score(forecast: &Forecast, resolutions: &BTreeMap<String, bool>) -> Scores {
    let mut questions = Vec::new();
    let mut unresolved = Vec::new();
    for q in &forecast.questions {
        match resolutions.get(&q.id) {
            Some(&o) => questions.push(QuestionScore {
                id: q.id.clone(),
                probability: q.probability,
                outcome: o,
                brier: brier(q.probability, o),
                log: log_score(q.probability, o),
            }),
            None => unresolved.push(q.id.clone()),
        }
    }
    let unknown = resolutions
        .keys()
        .filter(|k| !forecast.questions.iter().any(|q| &q.id == *k))
        .cloned()
        .collect();
    let n = questions.len() as f64;
    let mean = |f: fn(&QuestionScore) -> f64| {
        if n > 0.0 {
            questions.iter().map(f).sum::<f64>() / n
        } else {
            f64::NAN
        }
    };
    Scores {
        mean_brier: mean(|q| q.brier),
        mean_log: mean(|q| q.log),
        questions,
        unresolved,
        unknown,
    }
}

fn outcome_of(s: &str) -> Option<bool> {
    match s.trim().trim_matches('"').to_ascii_lowercase().as_str() {
        "1" | "1.0" | "yes" | "true" | "y" => Some(true),
        "0" | "0.0" | "no" | "false" | "n" => Some(false),
        _ => None,
    }
}

/// Parse resolutions from TOML (`id = 1`, optionally under `[resolutions]`; values 0/1,
/// true/false, "yes"/"no") or CSV (`id,outcome` lines; a header line is skipped).
pub fn parse_resolutions(text: &str) -> Result<BTreeMap<String, bool>, ForecastError> {
    let err = |m: String| ForecastError::Resolutions(m);
    if let Ok(v) = text.parse::<toml::Table>() {
        let table = match v.get("resolutions") {
            Some(toml::Value::Table(t)) => t.clone(),
            _ => v,
        };
        let mut out = BTreeMap::new();
        for (k, val) in &table {
            let o = match val {
                toml::Value::Boolean(b) => Some(*b),
                toml::Value::Integer(i) => outcome_of(&i.to_string()),
                toml::Value::Float(f) => outcome_of(&f.to_string()),
                toml::Value::String(s) => outcome_of(s),
                _ => None,
            };
            out.insert(
                k.clone(),
                o.ok_or_else(|| err(format!("`{k}`: expected 0/1, true/false or yes/no")))?,
            );
        }
        return Ok(out);
    }
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (id, val) = line
            .split_once(',')
            .ok_or_else(|| err(format!("line {}: expected `id,outcome`", n + 1)))?;
        match outcome_of(val) {
            Some(o) => {
                let id = id.trim().trim_matches('"').to_string();
                if out.insert(id.clone(), o).is_some() {
                    return Err(err(format!(
                        "line {}: question `{id}` is resolved twice",
                        n + 1
                    )));
                }
            }
            None if n == 0 => {} // header
            None => {
                return Err(err(format!(
                    "line {}: outcome `{}` is not 0/1",
                    n + 1,
                    val.trim()
                )))
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_hand_values() {
        // k = 5, n = 10, z = 1.96: centre 0.5, half-width 1.96·√(0.025+0.0096)/1.38416 = 0.26340
        let (lo, hi) = wilson(5, 10);
        assert!((lo - 0.2366).abs() < 1e-4, "{lo}");
        assert!((hi - 0.7634).abs() < 1e-4, "{hi}");
        // k = 0: lower bound 0, upper z²/(n+z²) = 3.8415/13.8415 = 0.27753
        let (lo, hi) = wilson(0, 10);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.27753).abs() < 1e-4, "{hi}");
        assert_eq!(wilson(0, 0), (0.0, 1.0));
    }

    #[test]
    fn brier_and_log() {
        assert!((brier(0.7, true) - 0.09).abs() < 1e-12);
        assert!((brier(0.7, false) - 0.49).abs() < 1e-12);
        assert!((log_score(0.5, true) - 0.5f64.ln()).abs() < 1e-12);
        assert!(log_score(0.0, true).is_finite());
    }

    #[test]
    fn resolutions_from_toml_and_csv() {
        let t = parse_resolutions("[resolutions]\na = 1\nb = false\nc = \"yes\"").unwrap();
        assert!(t["a"]);
        assert!(!t["b"]);
        assert!(t["c"]);
        let c = parse_resolutions("id,outcome\na,1\nb,0\n").unwrap();
        assert_eq!(c.len(), 2);
        assert!(parse_resolutions("a,maybe\nb,3").is_err());
    }

    #[test]
    fn score_means_and_unresolved() {
        let q = |id: &str, p: f64| QuestionForecast {
            id: id.into(),
            title: id.into(),
            by: None,
            when: String::new(),
            probability: p,
            lo: 0.0,
            hi: 1.0,
            yes: 0,
            runs: 0,
        };
        let f = Forecast {
            scenario: "s".into(),
            scenario_hash: "h".into(),
            seed: 1,
            runs: 10,
            engine_version: "0".into(),
            evidence_discount: 0.0,
            edits: Vec::new(),
            model_options: serde_json::Value::Null,
            questions: vec![q("a", 0.8), q("b", 0.4), q("c", 0.5)],
        };
        let r: BTreeMap<String, bool> = [
            ("a".to_string(), true),
            ("b".to_string(), false),
            ("z".to_string(), true),
        ]
        .into();
        let s = score(&f, &r);
        // Brier: (0.2² + 0.4²)/2 = (0.04 + 0.16)/2 = 0.1
        assert!((s.mean_brier - 0.1).abs() < 1e-12);
        assert!((s.mean_log - (0.8f64.ln() + 0.6f64.ln()) / 2.0).abs() < 1e-12);
        assert_eq!(s.unresolved, vec!["c".to_string()]);
        assert_eq!(s.unknown, vec!["z".to_string()]);
    }
}
