//! Analysis plans: the named presets that fix run counts, seeds and which analyses run.
//!
//! Every front end (the terminal `run`, `forecast`, the HTML `report`, a future web explorer or
//! Python binding) maps its flags to a [`PlanRequest`], calls [`plan`] and then [`execute`], and
//! only renders what comes back. The policy — how many runs each analysis gets, which analyses a
//! crisis scenario gets, which outcome the sensitivity analyses target — lives here, once, so the
//! same scenario, preset and seed give the same numbers whatever front end asked.
//!
//! Presets:
//!
//! | preset | main runs | hypotheses | pivotality | evidence discount | tornado + Sobol |
//! |---|---|---|---|---|---|
//! | [`Preset::Run`] | 1,000 | when the scenario has any | crisis scenarios, or when asked; ≤ 50 runs per variant | crisis scenarios: 0, ½, 1 at ≤ 250 runs | when asked |
//! | [`Preset::Forecast`] | 10,000 | no | no | no | no |
//! | [`Preset::Report`] | 10,000 | yes, ≤ 1,000 runs | scaled with the runs, ≤ 50 | 0, ¼, ½, ¾, 1 at ≤ 500 runs | on the most uncertain outcome of a pilot |
//! | [`Preset::Explore`] | 1,000 | no | no | no | no |
//!
//! [`Preset::Forecast`]'s main job collects the outcome and question indicators only
//! ([`Collect::ANSWERS`]): its study has no var summaries, series or event counts.
//!
//! All presets share [`DEFAULT_SEED`]; the main Monte Carlo job depends only on the scenario, the
//! runs, the seed, the evidence discount and the edits, so `run` and `report` with the same runs
//! and seed print the same outcome probabilities (tested in `tests/plan.rs`).

use crate::engine::{ModelOverride, RunOptions};
use crate::mc::{Collect, Control, McConfig, OutcomeProb};
use crate::scenario::{Edit, Scenario};
use crate::sensitivity::Target;
use crate::study::{self, Study, StudyConfig, StudyError};
use serde::{Deserialize, Serialize};

/// Most Monte Carlo runs one job accepts unless the request raises it (`--max-runs`): 10⁸ runs
/// of the Greenland scenario take about a day on two cores; a typo such as
/// `--runs 10000000000` should fail, not run for months (docs/reliability.md).
pub const MAX_RUNS: u64 = 100_000_000;

/// The master seed every preset uses unless the caller gives one.
pub const DEFAULT_SEED: u64 = 1;
/// Main Monte Carlo runs of [`Preset::Run`] and [`Preset::Explore`].
pub const RUN_RUNS: u64 = 1000;
/// Main Monte Carlo runs of [`Preset::Forecast`] and [`Preset::Report`].
pub const REPORT_RUNS: u64 = 10_000;
/// [`Preset::Run`]: cap on the runs per pivotality variant (1 base + 3 per actor).
pub const RUN_PIVOTAL_RUNS: u64 = 50;
/// [`Preset::Run`]: cap on the runs per evidence-discount level.
pub const RUN_DISCOUNT_RUNS: u64 = 250;
/// [`Preset::Run`]: evidence-discount levels of a crisis scenario.
pub const RUN_DISCOUNTS: [f64; 3] = [0.0, 0.5, 1.0];
/// [`Preset::Report`]: evidence-discount levels.
pub const REPORT_DISCOUNTS: [f64; 5] = [0.0, 0.25, 0.5, 0.75, 1.0];
/// Adaptive pivotality (`--pivotal-top N`): most runs per configuration when the request gives
/// no cap. At 400 the Greenland ranking (121 configurations) costs at most
/// (50 + 100 + 200 + 400) · 121 ≈ 91,000 runs.
pub const ADAPTIVE_PIVOTAL_CAP: u64 = 400;
/// Runs per model of the bargaining-model ensemble (`--ensemble`) when `--ensemble-runs` is not
/// given, capped by the main job's runs: at 200 runs the EUM and SMP jobs on Greenland take
/// minutes, not hours (timings in docs/crisis.md, "Which bargaining model").
pub const ENSEMBLE_RUNS: u64 = 200;
/// Base sample size of a Sobol design asked for explicitly (N·(2k + 4) model runs).
pub const DEFAULT_SOBOL_N: usize = 512;
/// Bootstrap resamples of Sobol intervals asked for explicitly.
pub const DEFAULT_BOOTSTRAP: usize = 200;

/// A named analysis plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    /// `statecraft run`: outcomes, questions, hypotheses, pivotal actors, evidence discount.
    Run,
    /// `statecraft forecast`: the main job and the forecast questions only.
    Forecast,
    /// `statecraft report`: everything, with a tornado and Sobol indices on a pilot's target.
    Report,
    /// Interactive what-if exploration: the main job and the questions, fast.
    Explore,
}

impl Preset {
    pub const ALL: [Preset; 4] = [
        Preset::Run,
        Preset::Forecast,
        Preset::Report,
        Preset::Explore,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Preset::Run => "run",
            Preset::Forecast => "forecast",
            Preset::Report => "report",
            Preset::Explore => "explore",
        }
    }

    /// Main Monte Carlo runs when the caller gives none.
    pub fn default_runs(self) -> u64 {
        match self {
            Preset::Run | Preset::Explore => RUN_RUNS,
            Preset::Forecast | Preset::Report => REPORT_RUNS,
        }
    }
}

/// What a front end asks for: a preset and the user's overrides. `None` = the preset decides.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanRequest {
    pub preset: Preset,
    /// Main Monte Carlo runs (fixed exactly when given).
    pub runs: Option<u64>,
    pub seed: u64,
    pub evidence_discount: f64,
    /// Counterfactual edits (`--set`, `--without`, `--disable`) applied to every job.
    pub edits: Vec<Edit>,
    /// Warn when an outcome's interval half-width exceeds this.
    pub tolerance: f64,
    /// Raise [`MAX_RUNS`] for this request.
    pub max_runs: Option<u64>,
    /// Model id, options and rounds, resolved by the caller; `None` = the scenario's own
    /// `[model]` table (or the default model) as [`RunOptions::resolve`] gives it.
    pub run: Option<RunOptions>,
    /// Evaluate the scenario's hypotheses even where the preset would not.
    pub hypotheses: bool,
    /// Rank actors by pivotality even where the preset would not.
    pub pivotal: bool,
    /// Runs per pivotality variant; `Some(0)` = skip pivotality unless a hypothesis needs it.
    pub pivotal_runs: Option<u64>,
    /// Adaptive pivotality: double the runs per configuration until this many top ranks are
    /// settled (`sensitivity::pivots_settled`), up to `pivotal_cap`; `None` = fixed runs.
    #[serde(default)]
    pub pivotal_top: Option<usize>,
    /// Cap of adaptive pivotality ([`ADAPTIVE_PIVOTAL_CAP`] when `None`).
    #[serde(default)]
    pub pivotal_cap: Option<u64>,
    /// Runs per evidence-discount level; `Some(0)` = skip the evidence-discount levels.
    pub discount_runs: Option<u64>,
    /// Tornado target (an outcome id or a var name).
    pub tornado: Option<String>,
    /// Sobol target (an outcome id or a var name) and its base sample size.
    pub sobol: Option<String>,
    pub sobol_n: Option<usize>,
    /// How the Sobol analysis groups the inputs (`--sobol-groups`); `None` = one per input.
    #[serde(default)]
    pub sobol_groups: Option<crate::sensitivity::SobolGroups>,
    pub bootstrap: Option<usize>,
    /// Nested Monte Carlo (outer input draws × inner runs each), `--nested OUTERxINNER`.
    pub nested: Option<(u64, u64)>,
    /// Bargaining-model ensemble (`--ensemble [IDS]`): the model ids, empty =
    /// [`crate::ensemble::DEFAULT_MODELS`]; `None` = no ensemble.
    #[serde(default)]
    pub ensemble: Option<Vec<String>>,
    /// Runs per ensemble model; `None` = the smaller of the main runs and [`ENSEMBLE_RUNS`].
    #[serde(default)]
    pub ensemble_runs: Option<u64>,
    /// Most looks of each counterfactual hypothesis test (`--hypothesis-looks`; 1 = one
    /// fixed-sample test); `None` = [`crate::mc::Looks::DEFAULT`].
    #[serde(default)]
    pub hypothesis_looks: Option<usize>,
    /// What the front end shows of the main job, which then records and folds that and nothing
    /// more (issue 11: nothing per run is kept unless an analysis asks for it); `None` = the
    /// preset decides ([`Shows::Answers`] for [`Preset::Forecast`], else
    /// [`Shows::Everything`]). Nothing else in a study reads the main job's var summaries,
    /// series or event counts, so every other figure is the same whatever this says
    /// (docs/performance.md §7, "Series on request", "The summary's vars").
    #[serde(default)]
    pub shows: Option<Shows>,
}

/// What a front end shows of a study's main Monte Carlo job ([`PlanRequest::shows`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shows {
    /// Everything a [`Study`] holds (a JSON document, the report, the explorer): every var's
    /// summary, the per-round series bands, the event counts ([`Collect::ALL`]).
    Everything,
    /// A summary table (`run`'s terminal output): the outcomes and questions, the summary vars
    /// ([`crate::mc::is_summary_var`]: the issues' outcomes, the options' take-up) and the event
    /// counts its gate decisions are read from; no series ([`Collect::SUMMARY`]).
    Summary,
    /// The outcomes and questions only (a CSV of them, a forecast: [`Collect::ANSWERS`]).
    Answers,
}

impl Shows {
    /// What the main job collects for this.
    pub fn collect(self) -> Collect {
        match self {
            Shows::Everything => Collect::ALL,
            Shows::Summary => Collect::SUMMARY,
            Shows::Answers => Collect::ANSWERS,
        }
    }
}

impl PlanRequest {
    /// The preset with no overrides.
    pub fn new(preset: Preset) -> PlanRequest {
        PlanRequest {
            preset,
            runs: None,
            seed: DEFAULT_SEED,
            evidence_discount: 0.0,
            edits: Vec::new(),
            tolerance: McConfig::default().tolerance,
            max_runs: None,
            run: None,
            hypotheses: false,
            pivotal: false,
            pivotal_runs: None,
            pivotal_top: None,
            pivotal_cap: None,
            discount_runs: None,
            tornado: None,
            sobol: None,
            sobol_n: None,
            sobol_groups: None,
            bootstrap: None,
            nested: None,
            ensemble: None,
            ensemble_runs: None,
            hypothesis_looks: None,
            shows: None,
        }
    }
}

/// Runs per configuration of the expensive analyses of [`Preset::Report`], scaled with the main
/// runs so that the Greenland report at 10,000 runs stays under 10 s on two cores (measured in
/// `docs/report.md`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    /// Runs of the base and of each counterfactual in the hypothesis tests.
    pub hypotheses: u64,
    /// Runs at each evidence-discount level.
    pub discount: u64,
    /// Runs of the base and of each actor variant in the pivotality ranking.
    pub pivotality: u64,
    /// Runs per configuration of the one-at-a-time tornado.
    pub tornado: u64,
    /// Base sample size N of the Sobol design (N·(2k + 4) model runs).
    pub sobol_n: usize,
    /// Bootstrap resamples for the Sobol intervals.
    pub bootstrap: usize,
}

impl Budget {
    /// The report budget for `runs` Monte Carlo runs. The hypothesis tests and the evidence
    /// discount get `runs` up to a cap; the analyses whose cost grows with the number of inputs
    /// k (tornado: 2k + 1 configurations, Sobol: N·(2k + 4) runs) and of actors (pivotality:
    /// 3·actors + 1 configurations) scale with `runs` up to their cap at 10,000 runs.
    pub fn for_runs(runs: u64) -> Budget {
        let scaled = |cap: u64, min: u64| {
            (runs.saturating_mul(cap))
                .div_ceil(REPORT_RUNS)
                .clamp(min, cap)
        };
        Budget {
            hypotheses: runs.min(1000),
            discount: runs.min(500),
            pivotality: scaled(50, 4),
            tornado: scaled(20, 2),
            sobol_n: scaled(32, 4) as usize,
            bootstrap: 100,
        }
    }
}

/// A resolved plan: the study configuration and what the front end should say about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub preset: Preset,
    pub config: StudyConfig,
    /// Run a pilot first and aim the tornado and Sobol analyses at its most uncertain outcome
    /// (runs per pilot = this value).
    pub pilot_runs: Option<u64>,
    /// Base sample size of the Sobol design chosen after the pilot.
    pub pilot_sobol_n: usize,
    /// The report budget, when the preset uses one.
    pub budget: Option<Budget>,
}

impl Plan {
    /// How many model evaluations [`execute`] will make (for a progress bar): the pilot's and
    /// the study's (whose tornado and Sobol design, when a pilot chooses their target, are
    /// counted as if aimed at an outcome).
    pub fn planned_evaluations(&self, scn: &Scenario) -> u64 {
        let mut cfg = self.config.clone();
        let mut n = 0;
        if let Some(p) = self.pilot_runs {
            n += p;
            if let Some(o) = scn.outcomes.first() {
                cfg.tornado = Some(Target::Outcome(o.id.clone()));
                cfg.sobol = Some((Target::Outcome(o.id.clone()), self.pilot_sobol_n));
            }
        }
        n + cfg.planned_evaluations(scn)
    }
}

fn config_error(msg: impl Into<String>) -> StudyError {
    StudyError::Config(msg.into())
}

/// A tornado or Sobol target by name: an outcome id, or a var a run records. Unknown names are an
/// error with a did-you-mean.
pub fn resolve_target(scn: &Scenario, flag: &str, name: &str) -> Result<Target, StudyError> {
    if name.trim().is_empty() {
        return Err(config_error(format!("{flag}: the target is empty")));
    }
    crate::scenario::load::check_target(scn, name)
        .map_err(|e| config_error(format!("{flag}: {e}")))?;
    Ok(Target::resolve(scn, name))
}

/// Resolve a request against a scenario: the preset's policy plus the user's overrides.
pub fn plan(scn: &Scenario, req: &PlanRequest) -> Result<Plan, StudyError> {
    let runs = req.runs.unwrap_or(req.preset.default_runs());
    if runs == 0 {
        return Err(config_error("--runs must be at least 1"));
    }
    let max = req.max_runs.unwrap_or(MAX_RUNS);
    if runs > max {
        return Err(config_error(format!(
            "--runs {runs} is over the limit of {max} runs per job (pass --max-runs N to allow more, or split the job with `statecraft sweep`)"
        )));
    }
    if !(req.tolerance > 0.0 && req.tolerance < 1.0) {
        return Err(config_error("--tolerance must be in (0, 1)"));
    }
    if !(0.0..=1.0).contains(&req.evidence_discount) {
        return Err(config_error("--evidence-discount must be in [0, 1]"));
    }
    if let Some(n) = req.sobol_n {
        if n < 2 {
            return Err(config_error("--sobol-n must be at least 2"));
        }
    }
    let crisis = !scn.crisis.is_empty();
    let run = match &req.run {
        Some(r) => r.clone(),
        None => RunOptions::resolve(scn, &ModelOverride::default())
            .map_err(|e| config_error(e.to_string()))?,
    };
    if req.pivotal_runs == Some(0) {
        return Err(config_error(
            "--pivotal-runs must be at least 1 (a Δ from 0 runs has no interval); omit it for the default",
        ));
    }
    // The terminal's default on a crisis scenario is adaptive: batches until every outcome's
    // interval is within the target (docs/uncertainty.md, "Adaptive precision"); `--runs N`
    // fixes N exactly.
    let adaptive = req.preset == Preset::Run && crisis && req.runs.is_none();
    let mc = McConfig {
        runs: if adaptive { crate::mc::BATCH } else { runs },
        precision: adaptive.then_some(crate::mc::Precision::DEFAULT),
        seed: req.seed,
        evidence_discount: req.evidence_discount,
        edits: req.edits.clone(),
        tolerance: req.tolerance,
        model_options: serde_json::to_value(&run).unwrap_or_default(),
        // a forecast reads the question indicators only: its main job neither records nor
        // folds the vars' summaries, the series or the events (`mc::Collect`); any other
        // study collects what its front end shows
        collect: req
            .shows
            .unwrap_or(if req.preset == Preset::Forecast {
                Shows::Answers
            } else {
                Shows::Everything
            })
            .collect(),
        ..McConfig::default()
    };
    let tornado = req
        .tornado
        .as_deref()
        .map(|t| resolve_target(scn, "--tornado", t))
        .transpose()?;
    let sobol = match req.sobol.as_deref() {
        Some(t) => Some((
            resolve_target(scn, "--sobol", t)?,
            req.sobol_n.unwrap_or(DEFAULT_SOBOL_N),
        )),
        None => None,
    };
    let sobol_groups = req.sobol_groups.clone().unwrap_or_default();
    if req.sobol_groups.is_some() {
        if sobol.is_none() {
            return Err(config_error(
                "--sobol-groups needs --sobol TARGET (the analysis it groups)",
            ));
        }
        let mcfg = McConfig {
            evidence_discount: req.evidence_discount,
            edits: req.edits.clone(),
            ..McConfig::default()
        };
        crate::sensitivity::sobol_columns(scn, &mcfg, &sobol_groups)
            .map_err(|e| config_error(format!("--sobol-groups: {e}")))?;
    }
    let bootstrap = req.bootstrap.unwrap_or(DEFAULT_BOOTSTRAP);
    if req.pivotal_top == Some(0) {
        return Err(config_error("--pivotal-top must be at least 1"));
    }
    if req.pivotal_cap == Some(0) {
        return Err(config_error("--pivotal-cap must be at least 1"));
    }
    if req.pivotal_cap.is_some() && req.pivotal_top.is_none() {
        return Err(config_error(
            "--pivotal-cap needs --pivotal-top N (the ranks that must settle)",
        ));
    }
    let pivotal_rule = req.pivotal_top.map(|top| crate::sensitivity::PivotRule {
        start: 1,
        cap: req.pivotal_cap.unwrap_or(ADAPTIVE_PIVOTAL_CAP),
        top,
    });
    if req.ensemble.is_none() && req.ensemble_runs.is_some() {
        return Err(config_error(
            "--ensemble-runs needs --ensemble (the ensemble whose runs it sets)",
        ));
    }
    let ensemble = match &req.ensemble {
        Some(ids) => {
            let models: Vec<String> = if ids.is_empty() {
                crate::ensemble::DEFAULT_MODELS
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
            } else {
                ids.clone()
            };
            crate::ensemble::check_ids(&models, crisis).map_err(config_error)?;
            let runs = req.ensemble_runs.unwrap_or(runs.min(ENSEMBLE_RUNS));
            if runs == 0 {
                return Err(config_error("--ensemble-runs must be at least 1"));
            }
            if runs > max {
                return Err(config_error(format!(
                    "--ensemble-runs {runs} is over the limit of {max} runs per job (pass --max-runs N to allow more)"
                )));
            }
            Some(crate::ensemble::EnsembleConfig { models, runs })
        }
        None => None,
    };
    let hypothesis_looks = match req.hypothesis_looks {
        None => crate::mc::Looks::DEFAULT,
        Some(k) if (1..=crate::mc::Looks::MAX_LOOKS).contains(&k) => crate::mc::Looks {
            max: k,
            ..crate::mc::Looks::DEFAULT
        },
        Some(k) => {
            return Err(config_error(format!(
                "--hypothesis-looks {k} is outside 1..={} (1 = one test at the full run count)",
                crate::mc::Looks::MAX_LOOKS
            )))
        }
    };
    let base = StudyConfig {
        mc,
        run,
        hypotheses: false,
        hypothesis_runs: None,
        pivotal: false,
        pivotal_runs: None,
        pivotal_rule,
        tornado: tornado.clone(),
        tornado_runs: None,
        sobol: sobol.clone(),
        sobol_groups,
        bootstrap,
        forecasts: true,
        discount_levels: Vec::new(),
        discount_runs: None,
        nested: req.nested,
        ensemble,
        hypothesis_looks,
    };
    let levels = |skip: bool, levels: &[f64]| {
        if skip {
            Vec::new()
        } else {
            levels.to_vec()
        }
    };
    let plan = match req.preset {
        Preset::Run => {
            let pivotal_runs = req.pivotal_runs.unwrap_or(runs.min(RUN_PIVOTAL_RUNS));
            let discount_runs = req.discount_runs.unwrap_or(if crisis {
                runs.min(RUN_DISCOUNT_RUNS)
            } else {
                0
            });
            Plan {
                preset: req.preset,
                config: StudyConfig {
                    hypotheses: req.hypotheses || !scn.hypotheses.is_empty(),
                    pivotal: (req.pivotal || crisis) && pivotal_runs > 0,
                    pivotal_runs: Some(pivotal_runs.max(1)),
                    discount_levels: levels(discount_runs == 0, &RUN_DISCOUNTS),
                    discount_runs: Some(discount_runs.max(1)),
                    ..base
                },
                pilot_runs: None,
                pilot_sobol_n: 0,
                budget: None,
            }
        }
        Preset::Forecast | Preset::Explore => Plan {
            preset: req.preset,
            config: StudyConfig {
                hypotheses: req.hypotheses,
                pivotal: req.pivotal,
                pivotal_runs: req.pivotal_runs.map(|n| n.max(1)),
                discount_levels: levels(req.discount_runs.unwrap_or(0) == 0, &RUN_DISCOUNTS),
                discount_runs: req.discount_runs.map(|n| n.max(1)),
                ..base
            },
            pilot_runs: None,
            pilot_sobol_n: 0,
            budget: None,
        },
        Preset::Report => {
            let b = Budget::for_runs(runs);
            let pivotal_runs = req.pivotal_runs.unwrap_or(b.pivotality);
            let discount_runs = req.discount_runs.unwrap_or(b.discount);
            let needs_pilot = tornado.is_none() && sobol.is_none() && !scn.outcomes.is_empty();
            Plan {
                preset: req.preset,
                config: StudyConfig {
                    hypotheses: true,
                    hypothesis_runs: Some(b.hypotheses),
                    pivotal: !scn.outcomes.is_empty() && pivotal_runs > 0,
                    pivotal_runs: Some(pivotal_runs.max(1)),
                    tornado_runs: Some(b.tornado),
                    sobol: sobol.map(|(t, n)| (t, req.sobol_n.map_or(b.sobol_n, |_| n))),
                    bootstrap: req.bootstrap.unwrap_or(b.bootstrap),
                    discount_levels: levels(discount_runs == 0, &REPORT_DISCOUNTS),
                    discount_runs: Some(discount_runs.max(1)),
                    ..base
                },
                pilot_runs: needs_pilot.then_some(b.pivotality),
                pilot_sobol_n: b.sobol_n,
                budget: Some(b),
            }
        }
    };
    Ok(plan)
}

/// The sensitivity target of a report: the outcome whose indicator varies most (p·(1 − p)
/// largest; the first in scenario order on a tie).
pub fn most_uncertain_outcome(outcomes: &[OutcomeProb]) -> Option<String> {
    let mut best: Option<(&OutcomeProb, f64)> = None;
    for o in outcomes {
        let v = o.p * (1.0 - o.p);
        if best.is_none_or(|(_, b)| v > b) {
            best = Some((o, v));
        }
    }
    best.map(|(o, _)| o.id.clone())
}

/// The study configuration a plan runs: with a pilot, the tornado and Sobol analyses aimed at
/// the pilot's most uncertain outcome.
pub fn resolve(
    scn: &Scenario,
    plan: &Plan,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<StudyConfig, StudyError> {
    let mut cfg = plan.config.clone();
    if let Some(pilot_runs) = plan.pilot_runs {
        let pilot = StudyConfig {
            mc: McConfig {
                runs: pilot_runs,
                ..cfg.mc.clone()
            },
            hypotheses: false,
            pivotal: false,
            tornado: None,
            sobol: None,
            forecasts: false,
            discount_levels: vec![],
            ensemble: None,
            ..cfg.clone()
        };
        let st = study::study(scn, &pilot, progress)?;
        if let Some(t) = most_uncertain_outcome(&st.mc.outcomes) {
            cfg.tornado = Some(Target::Outcome(t.clone()));
            cfg.sobol = Some((Target::Outcome(t), plan.pilot_sobol_n));
        }
    }
    Ok(cfg)
}

/// Runs a plan: the pilot (when the plan has one), then the study.
pub fn execute(
    scn: &Scenario,
    plan: &Plan,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<Study, StudyError> {
    let cfg = resolve(scn, plan, progress)?;
    study::study(scn, &cfg, progress)
}

/// [`execute`] telling `progress` also when the study's plan changes
/// ([`study::Progress::planned`]; the pilot, when the plan has one, reports as a plain count).
pub fn execute_observed(
    scn: &Scenario,
    plan: &Plan,
    progress: &dyn study::Progress,
) -> Result<Study, StudyError> {
    let done = |n: u64| progress.done(n);
    let cfg = resolve(scn, plan, Some(&done))?;
    study::study_observed(scn, &cfg, Some(progress))
}

/// [`execute`] under a front end's [`Control`]: cancelling `control.cancel` (from another
/// thread) makes the pilot and every Monte Carlo job of the study stop at its next check and
/// return `StudyError::Mc(McError::Cancelled)`. With a token that is never cancelled the result
/// is [`execute`]'s, byte for byte.
pub fn execute_with(
    scn: &Scenario,
    plan: &Plan,
    control: &Control,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<Study, StudyError> {
    let mut plan = plan.clone();
    plan.config.mc.cancel = control.cancel.clone();
    execute(scn, &plan, progress)
}

/// One line per analysis saying how many runs it got (for report footers and terminal notes).
pub fn run_notes(cfg: &StudyConfig) -> Vec<String> {
    let runs = cfg.mc.runs;
    let name = |t: &Target| match t {
        Target::Outcome(o) => format!("P({o})"),
        Target::Var(v) => v.clone(),
    };
    let mut notes = vec![format!(
        "Outcome probabilities, forecasts, trajectories and the alliance cascade: {runs} runs."
    )];
    if cfg.hypotheses {
        let n = cfg.hypothesis_runs.unwrap_or(runs);
        let looks = cfg.hypothesis_looks.schedule(n).len();
        notes.push(if looks > 1 {
            format!(
                "Hypothesis tests: up to {n} paired runs per counterfactual (common random \
                 numbers), looked at {looks} times; a test stops at the first look that settles \
                 it, with the error spent over the looks."
            )
        } else {
            format!("Hypothesis tests: {n} paired runs per counterfactual (common random numbers).")
        });
    }
    if !cfg.discount_levels.is_empty() {
        notes.push(format!(
            "Evidence-discount sensitivity: {} runs per discount level.",
            cfg.discount_runs.unwrap_or(runs)
        ));
    }
    if cfg.pivotal {
        notes.push(format!(
            "Pivotal actors: {} paired runs per actor variant (separates large effects only).",
            cfg.pivotal_runs.unwrap_or(runs)
        ));
    }
    if let Some(t) = &cfg.tornado {
        notes.push(format!(
            "Tornado for {}: {} runs per configuration (inputs at their 5th/95th percentiles).",
            name(t),
            cfg.tornado_runs.unwrap_or(runs)
        ));
    }
    if let Some((t, n)) = &cfg.sobol {
        notes.push(format!(
            "Sobol indices for {}: base sample N = {n}, {} bootstrap resamples (at small N a rough screen: read the intervals, not the points).",
            name(t),
            cfg.bootstrap
        ));
    }
    if let Some(e) = &cfg.ensemble {
        notes.push(format!(
            "Bargaining-model ensemble ({}): {} runs per model, same seed (common random numbers).",
            e.models.join(", "),
            e.runs
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_caps_and_scales() {
        // At 10,000 runs every analysis is at its cap; at 200 the scaled ones are
        // ceil(200·cap/10000) but at least their floor: pivotality ceil(1) → 4, tornado 2, Sobol 4.
        let b = Budget::for_runs(10_000);
        assert_eq!(
            (b.hypotheses, b.discount, b.pivotality, b.tornado, b.sobol_n),
            (1000, 500, 50, 20, 32)
        );
        let b = Budget::for_runs(200);
        assert_eq!(
            (b.hypotheses, b.discount, b.pivotality, b.tornado, b.sobol_n),
            (200, 200, 4, 2, 4)
        );
        let b = Budget::for_runs(5_000);
        assert_eq!((b.pivotality, b.tornado, b.sobol_n), (25, 10, 16));
        // No overflow at the largest run counts.
        assert_eq!(Budget::for_runs(u64::MAX).pivotality, 50);
    }

    #[test]
    fn target_is_the_most_uncertain_outcome() {
        let o = |id: &str, p: f64| OutcomeProb {
            id: id.into(),
            name: id.into(),
            when: String::new(),
            hits: 0,
            runs: 0,
            p,
            lo: 0.0,
            hi: 0.0,
        };
        // p(1−p): 0.09, 0.25, 0.16 → b; a tie keeps the first.
        assert_eq!(
            most_uncertain_outcome(&[o("a", 0.1), o("b", 0.5), o("c", 0.2)]).as_deref(),
            Some("b")
        );
        assert_eq!(
            most_uncertain_outcome(&[o("a", 0.25), o("b", 0.75)]).as_deref(),
            Some("a")
        );
        assert_eq!(most_uncertain_outcome(&[]), None);
    }

    #[test]
    fn bad_settings_are_config_errors() {
        let s = Scenario::default();
        let mut r = PlanRequest::new(Preset::Run);
        r.runs = Some(0);
        assert!(matches!(plan(&s, &r), Err(StudyError::Config(_))));
        let mut r = PlanRequest::new(Preset::Report);
        r.tolerance = 1.5;
        assert!(matches!(plan(&s, &r), Err(StudyError::Config(_))));
        let mut r = PlanRequest::new(Preset::Run);
        r.sobol = Some("x".into());
        r.sobol_n = Some(1);
        assert!(matches!(plan(&s, &r), Err(StudyError::Config(_))));
    }

    fn greenland() -> Scenario {
        let text = crate::builtin::get("greenland-2026").unwrap();
        crate::scenario::load::from_toml_str(text).unwrap()
    }

    /// A job cancelled from its progress callback (as a front end's other thread would) stops
    /// with `Cancelled` well before its planned runs; a live token that is never cancelled gives
    /// `execute`'s result exactly.
    #[test]
    fn execute_with_cancels_and_an_idle_token_changes_nothing() {
        let s = greenland();
        let mut r = PlanRequest::new(Preset::Explore);
        r.runs = Some(4 * crate::mc::BATCH);
        let pl = plan(&s, &r).unwrap();
        let control = Control::cancellable();
        let seen = std::sync::atomic::AtomicU64::new(0);
        let cb = |n: u64| {
            seen.store(n, std::sync::atomic::Ordering::Relaxed);
            if n >= 10 {
                control.cancel.cancel();
            }
        };
        let e = execute_with(&s, &pl, &control, Some(&cb)).unwrap_err();
        assert_eq!(e, StudyError::Mc(crate::mc::McError::Cancelled));
        assert!(seen.load(std::sync::atomic::Ordering::Relaxed) <= crate::mc::BATCH);

        r.runs = Some(64);
        let pl = plan(&s, &r).unwrap();
        let a = execute(&s, &pl, None).unwrap();
        let b = execute_with(&s, &pl, &Control::cancellable(), None).unwrap();
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
    }

    #[test]
    fn presets_share_the_seed_and_differ_in_runs() {
        let s = Scenario::default();
        for p in Preset::ALL {
            let pl = plan(&s, &PlanRequest::new(p)).ok().unwrap();
            assert_eq!(pl.config.mc.seed, DEFAULT_SEED, "{p:?}");
            assert_eq!(pl.config.mc.runs, p.default_runs(), "{p:?}");
        }
        let f = plan(&s, &PlanRequest::new(Preset::Forecast)).ok().unwrap();
        assert!(!f.config.hypotheses && !f.config.pivotal && f.config.forecasts);
        assert!(f.config.discount_levels.is_empty());
    }
}
