//! A study: one call from a scenario to every analysis a reader needs.
//!
//! [`study`] runs the Monte Carlo job ([`crate::mc::run_keep`]) with
//! [`crate::engine::simulate_once`] as the run function, then — as configured — the hypothesis
//! tests ([`crate::mc::evaluate_hypotheses`] for counterfactual claims, the pivotality ranking
//! for `pivotal-rank` claims), actor pivotality ([`crate::sensitivity::pivotality`]), a tornado
//! and Sobol indices ([`crate::sensitivity`]), the forecast questions (evaluated on the main
//! job's runs with [`crate::forecast::evaluate`]) and the evidence-discount sensitivity
//! (outcome probabilities at several discounts). Nothing here re-implements a model or an
//! estimator: it only wires the existing pieces together and records the provenance.
//!
//! Determinism: every part is a pure function of (scenario, config); results do not depend on
//! the thread count. The JSON form of [`Study`] is documented in `docs/output.md`.

use crate::engine::{self, ModelOverride, RunOptions};
use crate::ensemble::{self as ens, Ensemble, EnsembleConfig, EnsembleModel};
use crate::forecast::{self, QuestionForecast};
use crate::mc::{self, HypothesisResult, McConfig, McError, McResult, OutcomeProb, Verdict};
use crate::rng::Rng;
use crate::scenario::{Date, Expect, Hypothesis, HypothesisTest, Scenario};
use crate::sensitivity::{self, Pivot, SobolResult, Target, Tornado};
use crate::state::RunState;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};

/// Version tag of the serialized [`Study`].
pub const STUDY_FORMAT: &str = "statecraft.study/1";

/// What to run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyConfig {
    /// The main Monte Carlo job: runs, seed, evidence discount, edits, tolerance.
    pub mc: McConfig,
    /// Model id, options and rounds for bargaining scenarios (crisis scenarios ignore them).
    pub run: RunOptions,
    /// Evaluate the scenario's hypotheses.
    pub hypotheses: bool,
    /// Runs of the base and of each counterfactual world in the hypothesis tests; `None` =
    /// `mc.runs`.
    #[serde(default)]
    pub hypothesis_runs: Option<u64>,
    /// Rank actors by pivotality (also needed by `pivotal-rank` hypotheses; run when either is
    /// asked for).
    pub pivotal: bool,
    /// Runs per configuration for pivotality (1 base + 3 per actor configurations); `None` =
    /// `mc.runs`.
    pub pivotal_runs: Option<u64>,
    /// Grow the runs per pivotality configuration from `pivotal_runs` until the top ranks are
    /// settled ([`sensitivity::pivotality_adaptive`]); `None` = exactly `pivotal_runs`.
    #[serde(default)]
    pub pivotal_rule: Option<sensitivity::PivotRule>,
    /// One-at-a-time tornado for a target; runs per configuration = `tornado_runs`.
    pub tornado: Option<Target>,
    pub tornado_runs: Option<u64>,
    /// Sobol indices for a target with base sample size N.
    pub sobol: Option<(Target, usize)>,
    /// How the Sobol analysis groups the inputs (one index per input by default).
    #[serde(default)]
    pub sobol_groups: sensitivity::SobolGroups,
    /// Bootstrap resamples of the Sobol intervals.
    pub bootstrap: usize,
    /// Evaluate the forecast questions on the main job's runs.
    pub forecasts: bool,
    /// Evidence discounts at which outcome probabilities are recomputed (empty = skip).
    pub discount_levels: Vec<f64>,
    /// Runs per evidence-discount level; `None` = `mc.runs`.
    pub discount_runs: Option<u64>,
    /// Nested Monte Carlo (outer input draws, inner runs each): separates input uncertainty
    /// from in-run chance ([`mc::nested`]).
    #[serde(default)]
    pub nested: Option<(u64, u64)>,
    /// Run the main job once per bargaining model with the same seed (`--ensemble`, crisis
    /// scenarios only; [`crate::ensemble`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ensemble: Option<EnsembleConfig>,
    /// Interim looks of the counterfactual hypothesis tests ([`mc::seq`]; `Looks::FIXED` = one
    /// test at the full run count).
    #[serde(default)]
    pub hypothesis_looks: mc::Looks,
}

impl Default for StudyConfig {
    fn default() -> Self {
        StudyConfig {
            mc: McConfig::default(),
            run: RunOptions::default(),
            hypotheses: true,
            hypothesis_runs: None,
            pivotal: true,
            pivotal_runs: None,
            pivotal_rule: None,
            tornado: None,
            tornado_runs: None,
            sobol: None,
            sobol_groups: sensitivity::SobolGroups::Inputs,
            bootstrap: 200,
            forecasts: true,
            discount_levels: vec![0.0, 0.5, 1.0],
            discount_runs: None,
            nested: None,
            ensemble: None,
            hypothesis_looks: mc::Looks::DEFAULT,
        }
    }
}

impl StudyConfig {
    fn hypothesis_runs(&self) -> u64 {
        self.hypothesis_runs.unwrap_or(self.mc.runs).max(1)
    }
    /// Whether the hypothesis tests reuse the main job's runs as their base world.
    fn hypotheses_share_base(&self) -> bool {
        self.hypothesis_runs() == self.mc.runs
    }

    /// Only the Monte Carlo job and the forecast questions (what `statecraft forecast` runs).
    pub fn forecast_only(mc: McConfig, run: RunOptions) -> StudyConfig {
        StudyConfig {
            mc,
            run,
            hypotheses: false,
            pivotal: false,
            forecasts: true,
            discount_levels: Vec::new(),
            ..StudyConfig::default()
        }
    }

    fn pivotal_runs(&self) -> u64 {
        self.pivotal_runs.unwrap_or(self.mc.runs).max(1)
    }
    /// Runs per configuration of every pivotality pass the rule allows (one pass when fixed).
    fn pivotal_pass_runs(&self) -> Vec<u64> {
        let start = self.pivotal_runs();
        match self.pivotal_rule {
            None => vec![start],
            Some(rule) => {
                let cap = rule.cap.max(start);
                let mut v = vec![start];
                let mut r = start;
                while r < cap {
                    r = r.saturating_mul(2).min(cap);
                    v.push(r);
                }
                v
            }
        }
    }
    fn tornado_runs(&self) -> u64 {
        self.tornado_runs.unwrap_or(self.mc.runs).max(1)
    }
    fn discount_runs(&self) -> u64 {
        self.discount_runs.unwrap_or(self.mc.runs).max(1)
    }
    /// Whether pivotality runs (asked for, or needed by a `pivotal-rank` hypothesis).
    pub fn needs_pivotality(&self, scn: &Scenario) -> bool {
        self.pivotal
            || (self.hypotheses
                && scn
                    .hypotheses
                    .iter()
                    .any(|h| h.test == HypothesisTest::PivotalRank))
    }

    /// How many model evaluations [`study`] will make (for a progress bar).
    pub fn planned_evaluations(&self, scn: &Scenario) -> u64 {
        let runs = self.mc.runs;
        let mut n = runs;
        if self.hypotheses {
            let h = scn
                .hypotheses
                .iter()
                .filter(|h| counterfactual_testable(h))
                .count() as u64;
            if self.hypotheses_share_base() {
                n += runs * h;
            } else if h > 0 {
                n += self.hypothesis_runs() * (1 + h);
            }
        }
        if self.needs_pivotality(scn) {
            let actors = mc::apply_edits(scn, &self.mc.edits)
                .map_or(scn.actors.len(), |s| s.actors.len()) as u64;
            // Adaptive: the most it may take (every pass up to the cap).
            n += self.pivotal_pass_runs().iter().sum::<u64>() * (1 + 3 * actors);
        }
        // the uncertain inputs, counted once and only if an analysis needs them (a sampler
        // walks the whole scenario)
        let mut counted = None;
        let mut inputs = || {
            *counted.get_or_insert_with(|| {
                crate::sample::Sampler::new(scn, self.mc.evidence_discount)
                    .inputs
                    .len() as u64
            })
        };
        if self.tornado.is_some() {
            n += self.tornado_runs() * (1 + 2 * inputs());
        }
        if let Some((_, sn)) = &self.sobol {
            let cols = sensitivity::sobol_columns(scn, &self.mc, &self.sobol_groups)
                .unwrap_or_else(|_| inputs() as usize);
            n += sensitivity::sobol_evaluations(*sn, cols) as u64;
        }
        n += self.discount_levels.len() as u64 * self.discount_runs();
        if let Some((o, i)) = self.nested {
            n += o * i;
        }
        if let Some(e) = &self.ensemble {
            n += e.runs * e.models.len() as u64;
        }
        n
    }
}

fn counterfactual_testable(h: &Hypothesis) -> bool {
    h.test == HypothesisTest::Counterfactual
        && !h.outcome.is_empty()
        && !h.counterfactual.is_empty()
}

/// Why a study failed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum StudyError {
    /// A Monte Carlo or analysis step failed (bad edit, bad predicate, a run failed).
    #[error(transparent)]
    Mc(#[from] McError),
    /// A forecast question's predicate does not parse.
    #[error(transparent)]
    Forecast(#[from] forecast::ForecastError),
    /// A hypothesis is malformed (e.g. a `pivotal-rank` test without an actor).
    #[error("hypothesis `{id}`: {message}")]
    Hypothesis { id: String, message: String },
    /// A setting is out of range.
    #[error("{0}")]
    Config(String),
}

impl StudyError {
    /// Whether the user's input (scenario, edits, flags) is at fault rather than the engine.
    pub fn is_input(&self) -> bool {
        !matches!(
            self,
            StudyError::Mc(McError::Run { .. } | McError::Cancelled)
        )
    }
}

/// Everything needed to reproduce any figure of the study.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyProvenance {
    pub scenario_id: String,
    pub title: String,
    pub as_of: Option<Date>,
    pub horizon: Option<Date>,
    /// sha256 of the canonical scenario JSON before edits ([`mc::scenario_hash`]).
    pub scenario_hash: String,
    pub seed: u64,
    /// Runs of the main Monte Carlo job (outcomes, questions, counterfactual hypotheses).
    pub runs: u64,
    /// Runs per configuration of the pivotality analysis (absent when not run).
    pub pivotal_runs: Option<u64>,
    /// Runs per evidence-discount level (absent when not run).
    pub discount_runs: Option<u64>,
    pub engine_version: String,
    pub evidence_discount: f64,
    /// Counterfactual edits applied to every part (`--set`, `--without`, `--disable`).
    pub edits: Vec<String>,
    /// Model id, rounds and options.
    pub model_options: serde_json::Value,
}

/// A `pivotal-rank` test: where the actor ranks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RankTest {
    pub actor: String,
    /// 1 = most pivotal among `ranking`.
    pub rank: usize,
    /// The claimed rank or better.
    pub claimed: usize,
    /// The actors compared, most pivotal first.
    pub ranking: Vec<RankEntry>,
}

/// One actor's largest effect on the hypothesis's outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RankEntry {
    pub actor: String,
    /// The variant (`min`, `max`, `removed`) with the largest |Δ|.
    pub variant: String,
    /// Δprobability of that variant with its paired 95% interval.
    pub delta: f64,
    pub lo: f64,
    pub hi: f64,
}

impl RankEntry {
    fn abs(&self) -> f64 {
        self.delta.abs()
    }
    /// Lower and upper bound of |Δ| implied by the interval of Δ.
    fn abs_bounds(&self) -> (f64, f64) {
        let lo = if self.lo > 0.0 {
            self.lo
        } else if self.hi < 0.0 {
            -self.hi
        } else {
            0.0
        };
        (lo, self.lo.abs().max(self.hi.abs()))
    }
}

/// A hypothesis evaluated, whatever its test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HypothesisVerdict {
    pub id: String,
    pub claim: String,
    pub test: HypothesisTest,
    pub outcome: String,
    /// Expected direction (counterfactual tests).
    pub expect: Option<Expect>,
    pub sources: Vec<String>,
    /// Counterfactual edits (counterfactual tests).
    pub edits: Vec<String>,
    /// P(outcome) in the base world.
    pub p_base: f64,
    /// P(outcome) in the counterfactual world (for `pivotal-rank`: under the actor's most
    /// effective variant).
    pub p_alt: f64,
    /// Δprobability = p_alt − p_base with its paired 95% interval.
    pub delta: f64,
    pub lo: f64,
    pub hi: f64,
    pub verdict: Verdict,
    /// Two-sided confidence level of `[lo, hi]` (Holm-adjusted for counterfactual tests).
    #[serde(default)]
    pub level: f64,
    /// The multiplicity correction behind the verdict, named.
    #[serde(default)]
    pub correction: String,
    /// The ranking (`pivotal-rank` tests).
    pub rank: Option<RankTest>,
    /// Runs per world behind the figures.
    pub runs: u64,
    /// The look the figures come from, when the test had sequential looks ([`mc::seq`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequential: Option<mc::SeqLook>,
}

impl HypothesisVerdict {
    fn from_mc(h: &Hypothesis, r: HypothesisResult) -> Self {
        HypothesisVerdict {
            id: r.id,
            claim: r.claim,
            test: HypothesisTest::Counterfactual,
            outcome: r.outcome,
            expect: Some(h.expect),
            sources: r.sources,
            edits: r.edits,
            p_base: r.p_base,
            p_alt: r.p_counterfactual,
            delta: r.delta,
            lo: r.lo,
            hi: r.hi,
            verdict: r.verdict,
            level: r.level,
            correction: r.correction,
            rank: None,
            runs: r.provenance.runs,
            sequential: r.sequential,
        }
    }
}

/// Outcome probabilities at one evidence discount.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiscountLevel {
    pub discount: f64,
    pub runs: u64,
    pub outcomes: Vec<OutcomeProb>,
}

/// Actor pivotality, ranked by the largest |Δprobability| over outcomes and variants.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pivotality {
    /// Runs per configuration.
    pub runs: u64,
    pub actors: Vec<Pivot>,
    /// Number of deltas (actors × variants × outcomes) in the Holm family.
    #[serde(default)]
    pub tests: usize,
    /// The correction, named.
    #[serde(default)]
    pub correction: String,
    /// Adaptive runs ([`StudyConfig::pivotal_rule`]): runs per configuration of every pass, in
    /// order (empty when the run count was fixed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passes: Vec<u64>,
    /// Adaptive runs: how many top ranks had to settle, and whether they did before the cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled: Option<(usize, bool)>,
}

/// The result of [`study`] (JSON documented in `docs/output.md`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Study {
    /// [`STUDY_FORMAT`].
    pub format: String,
    pub provenance: StudyProvenance,
    /// The main Monte Carlo job: outcome probabilities (Wilson intervals), var quantiles and
    /// histograms, series bands, event frequencies, convergence warnings.
    pub mc: McResult,
    /// Every hypothesis of the scenario that could be tested, in scenario order.
    pub hypotheses: Vec<HypothesisVerdict>,
    pub pivotality: Option<Pivotality>,
    pub tornado: Option<Tornado>,
    pub sobol: Option<SobolResult>,
    /// Forecast questions evaluated on the main job's runs.
    pub questions: Vec<QuestionForecast>,
    /// Outcome probabilities at each configured evidence discount.
    pub evidence_discount: Vec<DiscountLevel>,
    /// The nested job, when asked for.
    #[serde(default)]
    pub nested: Option<mc::NestedResult>,
    /// What the tornado explains, typed (its `target` field is the display form `P(id)`).
    #[serde(default)]
    pub tornado_target: Option<Target>,
    /// What the Sobol indices explain, typed.
    #[serde(default)]
    pub sobol_target: Option<Target>,
    /// The bargaining-model ensemble, when asked for (`--ensemble`); absent from the JSON
    /// otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ensemble: Option<Ensemble>,
}

impl Study {
    /// An outcome class's probability.
    pub fn outcome(&self, id: &str) -> Option<&OutcomeProb> {
        self.mc.outcome(id)
    }
    pub fn hypothesis(&self, id: &str) -> Option<&HypothesisVerdict> {
        self.hypotheses.iter().find(|h| h.id == id)
    }

    /// The forecast questions with their provenance, as `statecraft forecast` prints them and
    /// `statecraft score` reads them.
    pub fn to_forecast(&self) -> forecast::Forecast {
        let pv = &self.provenance;
        forecast::Forecast {
            scenario: pv.scenario_id.clone(),
            scenario_hash: pv.scenario_hash.clone(),
            seed: pv.seed,
            runs: pv.runs,
            engine_version: pv.engine_version.clone(),
            evidence_discount: pv.evidence_discount,
            edits: pv.edits.clone(),
            model_options: pv.model_options.clone(),
            questions: self.questions.clone(),
        }
    }
}

/// What a running study tells its front end. Calls may come from several threads.
pub trait Progress: Sync {
    /// `n` model evaluations are done.
    fn done(&self, n: u64);
    /// The study now plans `total` evaluations in all: said once the adaptive main job has
    /// fixed its run count, and again once the sequential hypothesis tests have stopped
    /// (before, [`StudyConfig::planned_evaluations`] is the plan).
    fn planned(&self, _total: u64) {}
}

/// A plain `Fn(n)` callback as a [`Progress`] that ignores re-planning.
struct DoneOnly<'a>(&'a (dyn Fn(u64) + Sync));

impl Progress for DoneOnly<'_> {
    fn done(&self, n: u64) {
        (self.0)(n)
    }
}

impl StudyConfig {
    /// What is left to run after the main job (`after_hypotheses`: and after the hypothesis
    /// tests) of a configuration whose main run count is fixed.
    fn planned_rest(&self, scn: &Scenario, after_hypotheses: bool) -> u64 {
        let mut c = self.clone();
        if after_hypotheses {
            c.pivotal = self.needs_pivotality(scn);
            c.hypotheses = false;
        }
        c.planned_evaluations(scn).saturating_sub(self.mc.runs)
    }
}

/// Run the study.
///
/// `progress(n)` is called with the number of model evaluations done so far (of
/// [`StudyConfig::planned_evaluations`]); calls may come from several threads.
pub fn study(
    scn: &Scenario,
    cfg: &StudyConfig,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<Study, StudyError> {
    match progress {
        Some(f) => study_observed(scn, cfg, Some(&DoneOnly(f))),
        None => study_observed(scn, cfg, None),
    }
}

/// [`study`] telling `progress` also when its plan changes ([`Progress::planned`]).
pub fn study_observed(
    scn: &Scenario,
    cfg: &StudyConfig,
    progress: Option<&dyn Progress>,
) -> Result<Study, StudyError> {
    if cfg.mc.runs == 0 {
        return Err(StudyError::Config("runs must be at least 1".into()));
    }
    for (name, v) in [
        ("pivotal runs", cfg.pivotal_runs),
        ("hypothesis runs", cfg.hypothesis_runs),
        ("tornado runs", cfg.tornado_runs),
        ("discount runs", cfg.discount_runs),
    ] {
        if v == Some(0) {
            return Err(StudyError::Config(format!(
                "{name} must be at least 1 (omit the option to use the main run count)"
            )));
        }
    }
    if let Some(d) = cfg
        .discount_levels
        .iter()
        .find(|d| !(0.0..=1.0).contains(*d))
    {
        return Err(StudyError::Config(format!(
            "evidence discount {d} is outside [0, 1]"
        )));
    }
    check_rank_hypotheses(scn)?;
    let done = AtomicU64::new(0);
    let opts = &cfg.run;
    let f = |s: &Scenario, r: &mut Rng| -> Result<RunState, engine::EngineError> {
        let out = engine::simulate_once(s, opts, r);
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(cb) = progress {
            cb.done(n);
        }
        out
    };

    // The same run function compiled once per job (`engine::Prepared`: a crisis model is
    // resolved once per worker, not per run) for the main job, the hypotheses, pivotality and
    // the evidence-discount levels; `f` for the other analyses.
    let tick = || {
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(cb) = progress {
            cb.done(n);
        }
    };
    let prepared = mc::Tick {
        runner: engine::Prepared::new(opts),
        tick: &tick,
    };
    // The main job keeps its runs' outcome bits only for hypotheses that pair with them;
    // otherwise it keeps counts only, and its memory is flat in the runs (`mc::Bits`).
    let main = McConfig {
        keep_pairs: cfg.hypotheses && cfg.hypotheses_share_base(),
        ..cfg.mc.clone()
    };
    let (mc_result, runs) = mc::run_keep_with(scn, &main, &prepared, None)?;
    // An adaptive main job fixes the run count of everything after it (same count, same seeds:
    // the hypothesis tests pair with its runs).
    let fixed = StudyConfig {
        mc: cfg.mc.fixed(runs.n),
        ..cfg.clone()
    };
    let cfg = &fixed;
    let replan = |after_hypotheses: bool| {
        if let Some(p) = progress {
            p.planned(done.load(Ordering::Relaxed) + cfg.planned_rest(scn, after_hypotheses));
        }
    };
    replan(false);

    let questions = if cfg.forecasts && !scn.questions.is_empty() {
        forecast::from_counts(scn, |k| runs.question_yes(k), runs.n)?
    } else {
        Vec::new()
    };

    let mut counterfactual = Vec::new();
    if cfg.hypotheses {
        if cfg.hypotheses_share_base() {
            // The main job's runs are the base world (common random numbers).
            // Each counterfactual world stops at the first look that settles it.
            counterfactual = mc::evaluate_hypotheses_seq_with(
                scn,
                &cfg.mc,
                &runs,
                &prepared,
                cfg.hypothesis_looks,
            )?;
        } else {
            // Fewer runs than the main job (`hypothesis_runs`): base and counterfactuals anew.
            let mut hc = cfg.mc.clone();
            hc.runs = cfg.hypothesis_runs();
            if mc::check_testable(scn)? {
                let base = mc::simulate_outcomes_with(scn, &hc, &prepared, None)?;
                counterfactual = mc::evaluate_hypotheses_seq_with(
                    scn,
                    &hc,
                    &base,
                    &prepared,
                    cfg.hypothesis_looks,
                )?;
            }
        }
    }
    drop(runs);
    if cfg.hypotheses {
        replan(true);
    }

    let pivotality = if cfg.needs_pivotality(scn) {
        let mut pc = cfg.mc.clone();
        pc.runs = cfg.pivotal_runs();
        let (actors, passes, settled) = match cfg.pivotal_rule {
            Some(rule) => {
                let rule = sensitivity::PivotRule {
                    start: pc.runs,
                    cap: rule.cap.max(pc.runs),
                    top: rule.top,
                };
                let r = sensitivity::pivotality_adaptive_with(scn, &pc, &prepared, rule)?;
                pc.runs = r.runs;
                (r.pivots, r.passes, Some((rule.top, r.settled)))
            }
            None => (
                sensitivity::pivotality_with(scn, &pc, &prepared)?,
                Vec::new(),
                None,
            ),
        };
        let tests = actors
            .iter()
            .flat_map(|a| &a.variants)
            .map(|v| v.deltas.len())
            .sum();
        Some(Pivotality {
            runs: pc.runs,
            actors,
            tests,
            correction: sensitivity::pivot_correction(tests),
            passes,
            settled,
        })
    } else {
        None
    };

    let mut hypotheses = Vec::new();
    if cfg.hypotheses {
        for h in &scn.hypotheses {
            match h.test {
                HypothesisTest::Counterfactual => {
                    if let Some(r) = counterfactual.iter().find(|r| r.id == h.id) {
                        hypotheses.push(HypothesisVerdict::from_mc(h, r.clone()));
                    }
                }
                HypothesisTest::PivotalRank => {
                    // Skipped when an edit removed the actor (`--without`): nothing to rank.
                    let present = |p: &Pivotality| p.actors.iter().any(|a| a.actor == h.actor);
                    if let Some(p) = pivotality.as_ref().filter(|p| present(p)) {
                        hypotheses.push(rank_verdict(scn, h, p, cfg.mc.min_effect)?);
                    }
                }
            }
        }
    }

    let tornado = match &cfg.tornado {
        Some(t) => {
            let mut tc = cfg.mc.clone();
            tc.runs = cfg.tornado_runs();
            Some(sensitivity::tornado(scn, &tc, t, f)?)
        }
        None => None,
    };
    let sobol = match &cfg.sobol {
        Some((t, n)) => Some(sensitivity::sobol_with(
            scn,
            &cfg.mc,
            t,
            *n,
            cfg.bootstrap,
            &cfg.sobol_groups,
            f,
        )?),
        None => None,
    };

    let mut evidence_discount = Vec::new();
    for &d in &cfg.discount_levels {
        let mut dc = cfg.mc.clone();
        dc.evidence_discount = d;
        dc.runs = cfg.discount_runs();
        let r = mc::run_with(scn, &dc, &prepared, None)?;
        evidence_discount.push(DiscountLevel {
            discount: d,
            runs: dc.runs,
            outcomes: r.outcomes,
        });
    }

    let nested = match cfg.nested {
        Some((o, i)) => Some(mc::nested(scn, &cfg.mc, o, i, f)?),
        None => None,
    };

    let ensemble = match &cfg.ensemble {
        Some(ec) => Some(run_ensemble(scn, cfg, ec, &done, progress)?),
        None => None,
    };

    let pv = &mc_result.provenance;
    let provenance = StudyProvenance {
        scenario_id: scn.scenario.id.clone(),
        title: scn.scenario.title.clone(),
        as_of: scn.scenario.as_of,
        horizon: scn.scenario.horizon,
        scenario_hash: pv.scenario_hash.clone(),
        seed: pv.seed,
        runs: pv.runs,
        pivotal_runs: pivotality.as_ref().map(|p| p.runs),
        discount_runs: (!cfg.discount_levels.is_empty()).then(|| cfg.discount_runs()),
        engine_version: pv.engine_version.clone(),
        evidence_discount: pv.evidence_discount,
        edits: pv.edits.clone(),
        model_options: pv.model_options.clone(),
    };
    let tornado_target = tornado.as_ref().and(cfg.tornado.clone());
    let sobol_target = sobol
        .as_ref()
        .and(cfg.sobol.as_ref().map(|(t, _)| t.clone()));
    Ok(Study {
        format: STUDY_FORMAT.to_string(),
        provenance,
        mc: mc_result,
        hypotheses,
        pivotality,
        tornado,
        sobol,
        questions,
        evidence_discount,
        nested,
        tornado_target,
        sobol_target,
        ensemble,
    })
}

/// The ensemble: the main job's configuration (seed, edits, evidence discount) at `ec.runs`
/// fixed runs, once per model, each model resolved as `--model ID` would resolve it.
fn run_ensemble(
    scn: &Scenario,
    cfg: &StudyConfig,
    ec: &EnsembleConfig,
    done: &AtomicU64,
    progress: Option<&dyn Progress>,
) -> Result<Ensemble, StudyError> {
    ens::check_ids(&ec.models, !scn.crisis.is_empty()).map_err(StudyError::Config)?;
    if ec.runs == 0 {
        return Err(StudyError::Config(
            "--ensemble-runs must be at least 1".into(),
        ));
    }
    let mut jobs = Vec::with_capacity(ec.models.len());
    for id in &ec.models {
        let over = ModelOverride {
            id: Some(id.clone()),
            ..ModelOverride::default()
        };
        let opts = RunOptions::resolve(scn, &over)
            .map_err(|e| StudyError::Config(format!("--ensemble: {e}")))?;
        let mut mc = cfg.mc.fixed(ec.runs);
        mc.model_options = serde_json::to_value(&opts).unwrap_or_default();
        let f = |s: &Scenario, r: &mut Rng| -> Result<RunState, engine::EngineError> {
            let out = engine::simulate_once(s, &opts, r);
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            if let Some(cb) = progress {
                cb.done(n);
            }
            out
        };
        let r = mc::run(scn, &mc, f, None)?;
        jobs.push((
            EnsembleModel {
                id: id.clone(),
                model_options: mc.model_options.clone(),
                runs: ec.runs,
            },
            r,
        ));
    }
    Ok(ens::summarise(cfg.mc.seed, ec.runs, jobs))
}

/// `pivotal-rank` hypotheses need an actor and an outcome that exist.
fn check_rank_hypotheses(scn: &Scenario) -> Result<(), StudyError> {
    for h in scn
        .hypotheses
        .iter()
        .filter(|h| h.test == HypothesisTest::PivotalRank)
    {
        let fail = |message: String| StudyError::Hypothesis {
            id: h.id.clone(),
            message,
        };
        if h.actor.is_empty() {
            return Err(fail("a `pivotal-rank` test needs `actor`".into()));
        }
        if scn.actor_index(&h.actor).is_none() {
            return Err(fail(format!("no actor `{}`", h.actor)));
        }
        if !scn.outcomes.iter().any(|o| o.id == h.outcome) {
            return Err(fail(format!("no outcome class `{}`", h.outcome)));
        }
        if h.rank == Some(0) {
            return Err(fail("`rank` starts at 1".into()));
        }
        for a in &h.among {
            let ok = match a.strip_prefix("group:") {
                Some(g) => scn.actors.iter().any(|x| x.groups.iter().any(|y| y == g)),
                None => scn.actor_index(a).is_some(),
            };
            if !ok {
                return Err(fail(format!("`among` names unknown actor or group `{a}`")));
            }
        }
    }
    Ok(())
}

/// The actors a `pivotal-rank` hypothesis compares (in scenario order, `actor` included).
pub fn rank_candidates(scn: &Scenario, h: &Hypothesis) -> Vec<String> {
    scn.actors
        .iter()
        .filter(|a| {
            a.id == h.actor
                || h.among.is_empty()
                || h.among.iter().any(|m| match m.strip_prefix("group:") {
                    Some(g) => a.groups.iter().any(|x| x == g),
                    None => *m == a.id,
                })
        })
        .map(|a| a.id.clone())
        .collect()
}

/// Evaluate a `pivotal-rank` hypothesis from the pivotality analysis.
///
/// Each candidate's score is its largest |Δ P(outcome)| over its variants. The verdict:
/// - supported: the actor ranks within `rank`, its |Δ| is a real effect (interval excludes 0 and
///   exceeds `min_effect`) and its |Δ| lower bound exceeds the point |Δ| of the best actor
///   ranked below `rank`;
/// - not supported: the actor ranks below `rank` and its |Δ| upper bound is under the point
///   |Δ| of the actor at rank `rank`, or its effect is within ±`min_effect`;
/// - inconclusive otherwise (the intervals overlap: more runs may decide).
fn rank_verdict(
    scn: &Scenario,
    h: &Hypothesis,
    p: &Pivotality,
    min_effect: f64,
) -> Result<HypothesisVerdict, StudyError> {
    let candidates = rank_candidates(scn, h);
    let mut ranking: Vec<RankEntry> = Vec::new();
    let mut base = None;
    for pv in p.actors.iter().filter(|x| candidates.contains(&x.actor)) {
        let mut best: Option<(RankEntry, f64)> = None;
        for v in &pv.variants {
            if let Some(d) = v.deltas.iter().find(|d| d.outcome == h.outcome) {
                base.get_or_insert(d.p_base);
                let e = RankEntry {
                    actor: pv.actor.clone(),
                    variant: v.variant.clone(),
                    delta: d.delta,
                    lo: d.lo,
                    hi: d.hi,
                };
                if best.as_ref().is_none_or(|(b, _)| e.abs() > b.abs()) {
                    best = Some((e, d.p_alt));
                }
            }
        }
        if let Some((e, _)) = best {
            ranking.push(e);
        }
    }
    ranking.sort_by(|a, b| b.abs().total_cmp(&a.abs()).then(a.actor.cmp(&b.actor)));
    let pos = ranking
        .iter()
        .position(|e| e.actor == h.actor)
        .ok_or_else(|| StudyError::Hypothesis {
            id: h.id.clone(),
            message: format!(
                "actor `{}` is not in the pivotality analysis (removed by an edit?)",
                h.actor
            ),
        })?;
    let claimed = h.rank.unwrap_or(1);
    let me = ranking[pos].clone();
    let (me_lo, me_hi) = me.abs_bounds();
    let real = me_lo > 0.0 && me_lo > min_effect.min(me.abs());
    let verdict = if pos < claimed {
        let next = ranking.get(claimed).map_or(0.0, RankEntry::abs);
        if real && me_lo > next {
            Verdict::Supported
        } else if me_hi <= min_effect {
            Verdict::Equivalent
        } else {
            Verdict::Inconclusive
        }
    } else {
        let at = ranking.get(claimed - 1).map_or(0.0, RankEntry::abs);
        if me_hi <= min_effect {
            Verdict::Equivalent
        } else if me_hi < at {
            Verdict::Refuted
        } else {
            Verdict::Inconclusive
        }
    };
    let p_base = base.unwrap_or(0.0);
    Ok(HypothesisVerdict {
        id: h.id.clone(),
        claim: h.claim.clone(),
        test: HypothesisTest::PivotalRank,
        outcome: h.outcome.clone(),
        expect: None,
        sources: h.sources.clone(),
        edits: Vec::new(),
        p_base,
        p_alt: p_base + me.delta,
        delta: me.delta,
        lo: me.lo,
        hi: me.hi,
        verdict,
        level: 0.95,
        correction: format!(
            "ranks from pivotality intervals; marked ranks survive Holm (1979) over all {} pivotality deltas",
            p.tests
        ),
        rank: Some(RankTest {
            actor: h.actor.clone(),
            rank: pos + 1,
            claimed,
            ranking,
        }),
        runs: p.runs,
        sequential: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn greenland() -> Scenario {
        crate::scenario::load::from_toml_str(crate::builtin::get("greenland-2026").unwrap())
            .unwrap()
    }

    fn small(scn: &Scenario) -> StudyConfig {
        StudyConfig {
            run: RunOptions::resolve(scn, &Default::default()).unwrap(),
            mc: McConfig {
                runs: 60,
                seed: 3,
                ..McConfig::default()
            },
            pivotal_runs: Some(20),
            discount_runs: Some(20),
            ..StudyConfig::default()
        }
    }

    /// The progress a study reports ends where its last plan said: an adaptive main job and
    /// hypothesis tests that stop early both re-plan (the count is exact once they are done).
    #[test]
    fn the_last_plan_is_what_was_done() {
        use std::sync::Mutex;
        #[derive(Default)]
        struct Seen {
            done: AtomicU64,
            plans: Mutex<Vec<u64>>,
        }
        impl Progress for Seen {
            fn done(&self, n: u64) {
                self.done.fetch_max(n, Ordering::Relaxed);
            }
            fn planned(&self, total: u64) {
                if let Ok(mut v) = self.plans.lock() {
                    v.push(total);
                }
            }
        }
        let scn = greenland();
        let mut cfg = small(&scn);
        cfg.mc.runs = 1024;
        cfg.pivotal_runs = Some(4);
        cfg.discount_levels = vec![0.5];
        let seen = Seen::default();
        let st = study_observed(&scn, &cfg, Some(&seen)).unwrap();
        let plans = seen.plans.lock().unwrap().clone();
        let done = seen.done.load(Ordering::Relaxed);
        assert_eq!(plans.len(), 2, "{plans:?}");
        assert_eq!(plans.last(), Some(&done), "{plans:?} vs {done}");
        // the first plan counted every counterfactual at 1,024 pairs; some stopped earlier
        assert!(plans[0] > plans[1], "{plans:?}");
        assert!(st.hypotheses.iter().any(|h| h.runs < 1024));
        assert!(cfg.planned_evaluations(&scn) >= done);
    }

    #[test]
    fn greenland_study_has_every_part() {
        let scn = greenland();
        let cfg = small(&scn);
        let counter = AtomicU64::new(0);
        let cb = |n: u64| {
            counter.fetch_max(n, Ordering::Relaxed);
        };
        let s = study(&scn, &cfg, Some(&cb)).unwrap();
        assert_eq!(s.mc.outcomes.len(), scn.outcomes.len());
        assert_eq!(s.questions.len(), scn.questions.len());
        for id in ["H1", "H2", "H3", "H4", "H5"] {
            assert!(s.hypothesis(id).is_some(), "{id} missing");
        }
        let h1 = s.hypothesis("H1").unwrap();
        let rank = h1.rank.as_ref().unwrap();
        assert!(rank.rank >= 1 && rank.rank <= rank.ranking.len());
        assert!(!rank.ranking.iter().any(|e| e.actor == "us"));
        assert_eq!(s.evidence_discount.len(), 3);
        assert_eq!(s.provenance.runs, 60);
        assert_eq!(s.provenance.pivotal_runs, Some(20));
        assert_eq!(
            counter.load(Ordering::Relaxed),
            cfg.planned_evaluations(&scn)
        );
        for o in &s.mc.outcomes {
            assert!(o.lo <= o.p && o.p <= o.hi);
        }
        // Deterministic.
        let t = study(&scn, &cfg, None).unwrap();
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            serde_json::to_string(&t).unwrap()
        );
    }

    #[test]
    fn questions_match_the_forecast_evaluator_on_the_same_runs() {
        let scn = greenland();
        let mut cfg = small(&scn);
        cfg.hypotheses = false;
        cfg.pivotal = false;
        cfg.discount_levels.clear();
        let s = study(&scn, &cfg, None).unwrap();
        assert!(s.hypotheses.is_empty() && s.pivotality.is_none());
        // The same questions evaluated after the fact on every run's kept vars (`Keep::All`):
        // the counts the study folds while the job runs must be the same.
        let runs = mc::simulate(
            &scn,
            &cfg.mc,
            |x: &Scenario, r: &mut Rng| engine::simulate_once(x, &cfg.run, r),
            None,
        )
        .unwrap();
        let states: Vec<RunState> = (0..runs.n as usize)
            .map(|i| RunState {
                vars: runs.run_vars(i),
                ..RunState::default()
            })
            .collect();
        assert_eq!(forecast::evaluate(&scn, &states).unwrap(), s.questions);
    }

    #[test]
    fn rank_hypothesis_errors_are_reported() {
        let mut scn = greenland();
        let h = scn.hypotheses.iter_mut().find(|h| h.id == "H1").unwrap();
        h.actor = "nobody".into();
        let e = study(&scn, &small(&scn), None).unwrap_err();
        assert!(e.to_string().contains("nobody"), "{e}");
        assert!(e.is_input());
    }
}
