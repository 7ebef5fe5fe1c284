//! Backtests on resolved crises: a ledger case is a crisis scenario (with `as_of` and forecast
//! questions) plus a separate resolutions file; the backtest forecasts every case's questions with
//! the ordinary study pipeline (fixed seed, modest run count), scores them and pools the scores
//! over the ledger. See `docs/backtest.md`.
//!
//! The core does no I/O: callers hand in the parsed scenarios and the resolutions text.

use crate::scenario::{Date, Scenario};
use crate::scoring::{self, Pair, Summary};
use crate::study;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most cases a ledger may hold (bounded work).
pub const MAX_CASES: usize = 1000;
/// Most Monte Carlo runs per case in a backtest or fit (bounded work).
pub const MAX_RUNS: u64 = 1_000_000;

/// A problem with a ledger case.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum BacktestError {
    #[error("resolutions: {0}")]
    Resolutions(String),
    #[error("case `{case}`: {message}")]
    Case { case: String, message: String },
    #[error("case `{case}`: {message}")]
    Study { case: String, message: String },
    #[error("{0}")]
    Config(String),
}

/// How a question resolved, and the evidence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Resolution {
    pub id: String,
    pub outcome: bool,
    pub date: Date,
    pub source: String,
    /// An external probability (market or crowd price) dated on or before the case's `as_of`,
    /// for log-odds pooling; optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external: Option<External>,
}

/// An external probability for pooling.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct External {
    pub p: f64,
    pub date: Date,
    pub source: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawOutcome {
    Bool(bool),
    Int(i64),
    Str(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResolution {
    id: String,
    outcome: RawOutcome,
    date: String,
    source: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    external: Option<RawExternal>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExternal {
    p: f64,
    date: String,
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    case: String,
    #[serde(default)]
    resolutions: Vec<RawResolution>,
}

fn date(s: &str, what: &str) -> Result<Date, BacktestError> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        BacktestError::Resolutions(format!("{what}: `{s}` is not a date (YYYY-MM-DD)"))
    })
}

/// Parse a case's resolutions file: `case = "<scenario id>"` and `[[resolutions]]` entries with
/// `id`, `outcome` (yes/no, true/false, 1/0), `date`, `source`, optional `note` and `external =
/// { p, date, source }`. Returns the case id and the resolutions in file order.
pub fn parse_resolutions(text: &str) -> Result<(String, Vec<Resolution>), BacktestError> {
    let raw: RawFile = toml::from_str(text)
        .map_err(|e| BacktestError::Resolutions(e.message().trim().to_string()))?;
    let mut out = Vec::with_capacity(raw.resolutions.len());
    for r in raw.resolutions {
        let outcome = match &r.outcome {
            RawOutcome::Bool(b) => Some(*b),
            RawOutcome::Int(1) => Some(true),
            RawOutcome::Int(0) => Some(false),
            RawOutcome::Int(_) => None,
            RawOutcome::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
                "yes" | "true" | "1" => Some(true),
                "no" | "false" | "0" => Some(false),
                _ => None,
            },
        }
        .ok_or_else(|| {
            BacktestError::Resolutions(format!(
                "`{}`: outcome must be yes/no, true/false or 1/0",
                r.id
            ))
        })?;
        if r.source.trim().is_empty() {
            return Err(BacktestError::Resolutions(format!(
                "`{}`: a resolution needs a source",
                r.id
            )));
        }
        let external = match r.external {
            None => None,
            Some(e) => {
                if !(0.0..=1.0).contains(&e.p) {
                    return Err(BacktestError::Resolutions(format!(
                        "`{}`: external p = {} is outside 0–1",
                        r.id, e.p
                    )));
                }
                Some(External {
                    p: e.p,
                    date: date(&e.date, &format!("`{}` external date", r.id))?,
                    source: e.source,
                })
            }
        };
        let _ = r.note;
        out.push(Resolution {
            date: date(&r.date, &format!("`{}` date", r.id))?,
            id: r.id,
            outcome,
            source: r.source,
            external,
        });
    }
    Ok((raw.case, out))
}

/// One ledger case: the scenario and how its questions resolved.
#[derive(Clone, Debug)]
pub struct Case {
    pub scenario: Scenario,
    /// One per question, in the scenario's question order.
    pub resolutions: Vec<Resolution>,
}

impl Case {
    /// Pair a scenario with its resolutions. Every question must be resolved exactly once, the
    /// file must name the scenario, no resolution may predate `as_of`, and an external price must
    /// be dated on or before `as_of`.
    pub fn new(
        scenario: Scenario,
        case_id: &str,
        resolutions: Vec<Resolution>,
    ) -> Result<Case, BacktestError> {
        let id = scenario.scenario.id.clone();
        let err = |m: String| BacktestError::Case {
            case: id.clone(),
            message: m,
        };
        if case_id != id {
            return Err(err(format!(
                "the resolutions file is for case `{case_id}`, the scenario is `{id}`"
            )));
        }
        let Some(as_of) = scenario.scenario.as_of else {
            return Err(err("a ledger scenario needs `as_of`".into()));
        };
        if scenario.questions.is_empty() {
            return Err(err("a ledger scenario needs [[questions]]".into()));
        }
        let mut by_id: BTreeMap<&str, &Resolution> = BTreeMap::new();
        for r in &resolutions {
            if by_id.insert(r.id.as_str(), r).is_some() {
                return Err(err(format!("question `{}` is resolved twice", r.id)));
            }
            if !scenario.questions.iter().any(|q| q.id == r.id) {
                return Err(err(format!(
                    "resolution `{}` matches no question of the scenario",
                    r.id
                )));
            }
            if r.date < as_of {
                return Err(err(format!(
                    "`{}` resolved on {} before the cut-off {as_of}: not a forecast",
                    r.id, r.date
                )));
            }
            if let Some(e) = &r.external {
                if e.date > as_of {
                    return Err(err(format!(
                        "`{}`: external probability dated {} is after as_of {as_of}",
                        r.id, e.date
                    )));
                }
            }
        }
        let mut ordered = Vec::with_capacity(scenario.questions.len());
        for q in &scenario.questions {
            match by_id.get(q.id.as_str()) {
                Some(r) => ordered.push((*r).clone()),
                None => return Err(err(format!("question `{}` has no resolution", q.id))),
            }
        }
        Ok(Case {
            scenario,
            resolutions: ordered,
        })
    }

    pub fn id(&self) -> &str {
        &self.scenario.scenario.id
    }
}

pub use crate::scenario::priors::{apply_params, Params};

/// Monte Carlo settings of a backtest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BacktestConfig {
    pub runs: u64,
    pub seed: u64,
    pub bins: usize,
}

impl Default for BacktestConfig {
    fn default() -> Self {
        BacktestConfig {
            runs: 1000,
            seed: 1,
            bins: scoring::DEFAULT_BINS,
        }
    }
}

impl BacktestConfig {
    pub fn check(&self) -> Result<(), BacktestError> {
        if self.runs == 0 || self.runs > MAX_RUNS {
            return Err(BacktestError::Config(format!(
                "runs must be 1–{MAX_RUNS}, got {}",
                self.runs
            )));
        }
        if !(1..=scoring::MAX_BINS).contains(&self.bins) {
            return Err(BacktestError::Config(format!(
                "bins must be 1–{}, got {}",
                scoring::MAX_BINS,
                self.bins
            )));
        }
        Ok(())
    }
}

/// P(yes) of every question of `case` (in question order) with constants `p`: a forecast-only
/// study of the edited scenario (input sampling on, `cfg.runs` runs, seed `cfg.seed`).
pub fn forecast_case(
    case: &Case,
    p: &Params,
    cfg: &BacktestConfig,
) -> Result<Vec<f64>, BacktestError> {
    let mut scn = case.scenario.clone();
    apply_params(&mut scn, p);
    let fail = |e: study::StudyError| BacktestError::Study {
        case: case.id().to_string(),
        message: e.to_string(),
    };
    let req = crate::plan::PlanRequest {
        runs: Some(cfg.runs),
        seed: cfg.seed,
        ..crate::plan::PlanRequest::new(crate::plan::Preset::Forecast)
    };
    let plan = crate::plan::plan(&scn, &req).map_err(fail)?;
    let st = crate::plan::execute(&scn, &plan, None).map_err(fail)?;
    let f = st.to_forecast();
    case.resolutions
        .iter()
        .map(|r| {
            f.questions
                .iter()
                .find(|q| q.id == r.id)
                .map(|q| q.probability)
                .ok_or_else(|| BacktestError::Study {
                    case: case.id().to_string(),
                    message: format!("no forecast for question `{}`", r.id),
                })
        })
        .collect()
}

/// One scored question of the ledger.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuestionResult {
    pub id: String,
    pub title: String,
    pub probability: f64,
    pub outcome: bool,
    pub resolved: Date,
    pub source: String,
    pub brier: f64,
    pub log: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external: Option<f64>,
}

/// One case's scores. Its base-rate baseline is the rate of the *other* cases' questions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    pub id: String,
    pub title: String,
    pub as_of: Option<Date>,
    pub questions: Vec<QuestionResult>,
    pub summary: Summary,
}

/// The whole backtest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BacktestReport {
    pub format: String,
    pub engine_version: String,
    pub config: BacktestConfig,
    pub params: Params,
    pub cases: Vec<CaseResult>,
    /// All questions of all cases; base rate = the ledger's.
    pub pooled: Summary,
    /// Log-odds pooling with external probabilities, over the questions that have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_pooling: Option<PoolingResult>,
}

/// Does pooling with an external price help? Scores with and without, on the same questions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PoolingResult {
    pub weight: f64,
    pub n: usize,
    pub brier_model: f64,
    pub brier_external: f64,
    pub brier_pooled: f64,
}

/// Score per-case probabilities (`probs[c][q]`, as from [`forecast_case`]) against the ledger.
pub fn score_ledger(
    cases: &[Case],
    probs: &[Vec<f64>],
    cfg: &BacktestConfig,
    params: Params,
    pool_weight: f64,
) -> BacktestReport {
    let pairs_of = |c: usize| -> Vec<Pair> {
        cases[c]
            .resolutions
            .iter()
            .zip(&probs[c])
            .map(|(r, &p)| Pair::new(p, r.outcome))
            .collect()
    };
    let all: Vec<Pair> = (0..cases.len()).flat_map(pairs_of).collect();
    let mut results = Vec::with_capacity(cases.len());
    for (c, case) in cases.iter().enumerate() {
        let mine = pairs_of(c);
        let others: Vec<Pair> = (0..cases.len())
            .filter(|&o| o != c)
            .flat_map(pairs_of)
            .collect();
        let base = if others.is_empty() {
            None
        } else {
            Some(scoring::base_rate(&others))
        };
        let questions = case
            .resolutions
            .iter()
            .zip(&probs[c])
            .map(|(r, &p)| QuestionResult {
                id: r.id.clone(),
                title: case
                    .scenario
                    .questions
                    .iter()
                    .find(|q| q.id == r.id)
                    .map(|q| q.title.clone())
                    .unwrap_or_default(),
                probability: p,
                outcome: r.outcome,
                resolved: r.date,
                source: r.source.clone(),
                brier: crate::forecast::brier(p, r.outcome),
                log: crate::forecast::log_score(p, r.outcome),
                external: r.external.as_ref().map(|e| e.p),
            })
            .collect();
        results.push(CaseResult {
            id: case.id().to_string(),
            title: case.scenario.scenario.title.clone(),
            as_of: case.scenario.scenario.as_of,
            questions,
            summary: scoring::summarize(&mine, base, cfg.bins),
        });
    }
    let ext: Vec<(f64, f64, bool)> = cases
        .iter()
        .zip(probs)
        .flat_map(|(c, ps)| {
            c.resolutions
                .iter()
                .zip(ps)
                .filter_map(|(r, &p)| r.external.as_ref().map(|e| (p, e.p, r.outcome)))
        })
        .collect();
    let external_pooling = if ext.is_empty() {
        None
    } else {
        let b = |f: &dyn Fn(&(f64, f64, bool)) -> f64| {
            scoring::mean_brier(&ext.iter().map(|t| Pair::new(f(t), t.2)).collect::<Vec<_>>())
        };
        Some(PoolingResult {
            weight: pool_weight,
            n: ext.len(),
            brier_model: b(&|t| t.0),
            brier_external: b(&|t| t.1),
            brier_pooled: b(&|t| scoring::pool_logodds(t.0, t.1, pool_weight)),
        })
    };
    BacktestReport {
        format: "statecraft.backtest/1".into(),
        engine_version: crate::ENGINE_VERSION.into(),
        config: cfg.clone(),
        params,
        cases: results,
        pooled: scoring::summarize(&all, None, cfg.bins),
        external_pooling,
    }
}

/// Forecast and score every case with constants `params`.
pub fn backtest(
    cases: &[Case],
    cfg: &BacktestConfig,
    params: Params,
    pool_weight: f64,
) -> Result<BacktestReport, BacktestError> {
    cfg.check()?;
    if cases.is_empty() || cases.len() > MAX_CASES {
        return Err(BacktestError::Config(format!(
            "a ledger needs 1–{MAX_CASES} cases, got {}",
            cases.len()
        )));
    }
    let probs = cases
        .iter()
        .map(|c| forecast_case(c, &params, cfg))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(score_ledger(cases, &probs, cfg, params, pool_weight))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Dist, Num};

    const SCN: &str = r#"
[scenario]
id = "toy"
title = "Toy ledger case"
as_of = "2020-01-01"
horizon = "2020-06-30"

[[sources]]
id = "s1"
title = "A report"
date = "2019-12-30"

[[actors]]
id = "a"
name = "A"
capability = 10

[[actors]]
id = "b"
name = "B"
capability = 5

[[issues]]
id = "x"
name = "X"
min = 0
max = 100

[[stances]]
actor = "a"
issue = "x"
position = 90
salience = 0.8

[[stances]]
actor = "b"
issue = "x"
position = 10
salience = 0.9

[[questions]]
id = "q1"
title = "Strike by June?"
when = "option.strike.day <= 2020-06-30"

[[questions]]
id = "q2"
title = "Strike by February?"
when = "option.strike.day <= 2020-02-01"

[crisis]
initiator = "a"
target = "b"
issue = "x"

[crisis.coercion]
rate = 0.1

[[crisis.options]]
id = "strike"
name = "Strike"
propensity = { value = 0.05, dist = "uniform", min = 0.02, max = 0.08, source = "s1" }
legality = 0.5
gates = ["g"]

[[crisis.gates]]
id = "g"
name = "Gate"
actor = "b"
block = -1
"#;

    const RES: &str = r#"
case = "toy"
[[resolutions]]
id = "q1"
outcome = "yes"
date = "2020-03-01"
source = "A later report"
[[resolutions]]
id = "q2"
outcome = 0
date = "2020-02-01"
source = "Nothing happened"
external = { p = 0.2, date = "2019-12-31", source = "a market" }
"#;

    fn case() -> Case {
        let scn = crate::scenario::load::from_toml_str(SCN).unwrap();
        let (id, r) = parse_resolutions(RES).unwrap();
        Case::new(scn, &id, r).unwrap()
    }

    #[test]
    fn resolutions_parse_and_check() {
        let c = case();
        assert_eq!(c.resolutions.len(), 2);
        assert!(c.resolutions[0].outcome);
        assert!(!c.resolutions[1].outcome);
        assert!(parse_resolutions("case = \"toy\"\n[[resolutions]]\nid = \"q1\"\noutcome = \"maybe\"\ndate = \"2020-01-02\"\nsource = \"x\"").is_err());
        assert!(parse_resolutions("case = \"toy\"\n[[resolutions]]\nid = \"q1\"\noutcome = 1\ndate = \"soon\"\nsource = \"x\"").is_err());
        let scn = crate::scenario::load::from_toml_str(SCN).unwrap();
        // a question without a resolution
        let (id, mut r) = parse_resolutions(RES).unwrap();
        r.pop();
        assert!(Case::new(scn.clone(), &id, r).is_err());
        // resolved before as_of
        let (id, mut r) = parse_resolutions(RES).unwrap();
        r[0].date = chrono::NaiveDate::from_ymd_opt(2019, 6, 1).unwrap();
        assert!(Case::new(scn.clone(), &id, r).is_err());
        // external price after as_of
        let (id, mut r) = parse_resolutions(RES).unwrap();
        if let Some(e) = &mut r[1].external {
            e.date = chrono::NaiveDate::from_ymd_opt(2020, 1, 2).unwrap();
        }
        assert!(Case::new(scn.clone(), &id, r).is_err());
        // wrong case id
        let (_, r) = parse_resolutions(RES).unwrap();
        assert!(Case::new(scn, "other", r).is_err());
    }

    #[test]
    fn ledger_scenario_with_late_source_is_rejected() {
        let late = SCN.replace("date = \"2019-12-30\"", "date = \"2020-03-01\"");
        let e = crate::scenario::load::from_toml_str(&late).unwrap_err();
        let msg = format!("{e:?}");
        assert!(msg.contains("after"), "{msg}");
    }

    #[test]
    fn params_apply_to_values_and_distributions() {
        let mut s = case().scenario;
        apply_params(
            &mut s,
            &Params {
                propensity: 2.0,
                gate_block: 0.5,
                coercion: 3.0,
            },
        );
        let mut seen = Vec::new();
        s.visit_nums_mut(&mut |p: &str, n: &mut Num| {
            seen.push((p.to_string(), n.value, n.dist.clone()))
        });
        let get = |k: &str| seen.iter().find(|(p, _, _)| p == k).unwrap().clone();
        let (_, v, d) = get("crisis.option.strike.propensity");
        assert!((v - 0.1).abs() < 1e-12);
        assert_eq!(
            d,
            Some(Dist::Uniform {
                min: 0.04,
                max: 0.16
            })
        );
        assert!((get("crisis.gate.g.block").1 - (-0.5)).abs() < 1e-12);
        assert!((get("crisis.coercion.rate").1 - 0.3).abs() < 1e-12);
        // capped at 1
        let mut s = case().scenario;
        apply_params(
            &mut s,
            &Params {
                propensity: 100.0,
                ..Params::HAND_SET
            },
        );
        s.visit_nums_mut(&mut |p: &str, n: &mut Num| {
            if p == "crisis.option.strike.propensity" {
                assert_eq!(n.value, 1.0);
            }
        });
    }

    #[test]
    fn backtest_is_deterministic_and_monotone_in_propensity() {
        let cases = vec![case()];
        let cfg = BacktestConfig {
            runs: 400,
            seed: 7,
            bins: 10,
        };
        let a = backtest(&cases, &cfg, Params::HAND_SET, 0.5).unwrap();
        let b = backtest(&cases, &cfg, Params::HAND_SET, 0.5).unwrap();
        // NaN (empty bins) is not equal to itself: compare the JSON (same bytes)
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
        let q = &a.cases[0].questions;
        // the strike by February implies the strike by June
        assert!(q[1].probability <= q[0].probability);
        let hi = backtest(
            &cases,
            &cfg,
            Params {
                propensity: 4.0,
                ..Params::HAND_SET
            },
            0.5,
        )
        .unwrap();
        assert!(hi.cases[0].questions[0].probability > q[0].probability);
        let pool = a.external_pooling.unwrap();
        assert_eq!(pool.n, 1);
        assert!((pool.brier_external - 0.04).abs() < 1e-12);
        assert_eq!(a.pooled.n, 2);
        // a single case has no other cases: its base rate falls back to its own
        assert_eq!(a.cases[0].summary.base_rate, 0.5);
    }
}
