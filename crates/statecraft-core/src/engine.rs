//! Running a scenario with a bargaining model: scenario → problem → trajectory per issue.
//!
//! Contract (filled in by the core-engine work):
//! - `Scenario::problem() -> Problem` (in `scenario`): actors with a stance on at least one
//!   issue; a missing stance on an issue = the issue midpoint with salience 0.
//! - `run(&Scenario, &dyn Model, rounds, seed) -> RunResult`: single-issue models run each
//!   issue separately (and say so in `notes`), multi-dimensional models run all issues jointly.
//!   `RunResult` carries, per round, every actor's position and each issue's c·s-weighted median
//!   and weighted mean (see `docs/output.md`).
//! - `simulate_once(&Scenario, &RunOptions, &mut Rng) -> Result<RunState, EngineError>`: one
//!   stochastic run of an already-sampled scenario, used by Monte Carlo. A scenario with a crisis
//!   layer is handed to `crate::crisis`; a plain bargaining scenario runs its model on every issue
//!   and records `issue.*` / `position.*` vars and `position.*` series in the `RunState`.

use crate::models::{
    self, stats, ForecastStat, Model, ModelError, ModelOptions, ModelSpec, Problem,
};
use crate::rng::{self, Rng};
use crate::scenario::Scenario;
use crate::state::RunState;
use serde::{Deserialize, Serialize};

/// Default number of rounds: 10, the horizon of Scholz et al.'s Table 2 and of the jmckib
/// golden trajectory (BdM's own stopping rule is unpublished; see `docs/models/eum.md`).
pub const DEFAULT_ROUNDS: usize = 10;

/// Default round limit for `smp`, whose own stopping rule (KTAB's) usually ends the run first;
/// KTAB's own limit is 100 turns.
pub const DEFAULT_SMP_ROUNDS: usize = 100;

/// The model a bargaining scenario runs when neither its `[model]` table nor the command line
/// names one.
pub const DEFAULT_MODEL: &str = "eum";

/// The model id of the crisis layer's default bargaining step (a crisis scenario may name
/// another in `[crisis.bargaining] model`, or `--model` may: any of
/// [`models::step::CRISIS_IDS`]).
pub const CRISIS_MODEL: &str = models::averaging::ID;

/// What a front end asks for on top of the scenario's `[model]` table: `--model`, `--rounds`,
/// `--model-opt KEY=VALUE` (applied in order; key `seed` sets the model's seed).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModelOverride {
    pub id: Option<String>,
    pub rounds: Option<usize>,
    pub options: Vec<(String, String)>,
}

/// Which model to run and how (what `--model`, `--rounds` and model options map to).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunOptions {
    /// A model id from [`models::IDS`]; default `eum` (= `eum-scholz`).
    pub model: String,
    pub options: ModelOptions,
    /// Maximum number of rounds; default [`DEFAULT_ROUNDS`]. 0 for a crisis scenario, whose
    /// layer runs weekly rounds from `as_of` to the horizon.
    pub rounds: usize,
    /// Seed of the model's random stream in a single run ([`run_options`]); `None` = the
    /// run's seed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            model: "eum".into(),
            options: ModelOptions::default(),
            rounds: DEFAULT_ROUNDS,
            seed: None,
        }
    }
}

impl RunOptions {
    /// Resolve what runs on `scn`: the model id from `over`, else the scenario's `[model]`
    /// table, else [`DEFAULT_MODEL`] ([`CRISIS_MODEL`] for a crisis scenario); the scenario's
    /// options when it names the same model (or none); then `over`'s key=value options in
    /// order; rounds from `over`, the table, or the model's default. Everything is checked
    /// against the registry (unknown model → [`EngineError::UnknownModel`], unknown or
    /// inapplicable option or bad value → [`EngineError::ModelOption`], a bargaining model on a
    /// crisis scenario → [`EngineError::CrisisModel`]), and the result lists every option of
    /// the model that will run (its complete EUM or SMP option set), so provenance records
    /// exactly what ran.
    pub fn resolve(scn: &Scenario, over: &ModelOverride) -> Result<RunOptions, EngineError> {
        let spec: &ModelSpec = &scn.model;
        let crisis = !scn.crisis.is_empty();
        let default = if crisis {
            crate::crisis::scenario_model(&scn.crisis)
        } else {
            DEFAULT_MODEL
        };
        let id = over
            .id
            .clone()
            .or_else(|| spec.id.clone())
            .unwrap_or_else(|| default.to_string());
        if !models::IDS.contains(&id.as_str()) {
            return Err(EngineError::UnknownModel {
                suggestion: models::suggest(&id).map(str::to_string),
                id,
            });
        }
        if crisis && !models::step::CRISIS_IDS.contains(&id.as_str()) {
            return Err(EngineError::CrisisModel { id });
        }
        let own = !matches!(spec.id.as_deref(), Some(s) if s != id);
        let mut options = if own {
            spec.options.clone()
        } else {
            ModelOptions::default()
        };
        let bad = |m: String| EngineError::ModelOption(m);
        if own {
            if let Some((path, m, help)) = spec.check(crisis).into_iter().next() {
                return Err(bad(format!("{path}: {m} ({help})")));
            }
        }
        let mut seed = spec.seed.map(|s| s.0);
        for (k, v) in &over.options {
            if k == "seed" {
                seed = Some(v.parse().map_err(|_| {
                    bad(format!(
                        "seed: `{v}` is not an integer from 0 to 18446744073709551615"
                    ))
                })?);
                continue;
            }
            if crisis && id == CRISIS_MODEL {
                return Err(bad(format!(
                    "option `{k}`: `{CRISIS_MODEL}` on a crisis scenario takes its rate from \
                     [crisis.bargaining] (use --set crisis.bargaining.rate=...)"
                )));
            }
            options.set(&id, k, v).map_err(bad)?;
        }
        if crisis && options.rate.is_some() {
            return Err(bad(format!(
                "[model] table: `rate` of `{CRISIS_MODEL}` on a crisis scenario comes from \
                 [crisis.bargaining]"
            )));
        }
        // Record the complete option set of the model that runs.
        match id.as_str() {
            "smp" => {
                options.smp.get_or_insert_with(Default::default);
            }
            "eum" | "eum-scholz" | "eum-printed" => {
                let mut o = options.eum.clone().unwrap_or_else(|| {
                    if id == "eum-printed" {
                        models::eum::EumOptions::printed()
                    } else {
                        models::eum::EumOptions::scholz()
                    }
                });
                if let Some(t) = options.tie {
                    o.median_tie = t;
                }
                if let Some(q) = options.q {
                    o.q = q;
                }
                options.eum = Some(o);
            }
            _ => {}
        }
        let rounds = if crisis {
            // The crisis layer runs weekly rounds from `as_of` to the horizon.
            if over.rounds.or(spec.rounds).is_some() {
                return Err(bad(
                    "rounds: a crisis scenario runs weekly rounds from as_of to its horizon; \
                     its bargaining model runs one round per week"
                        .to_string(),
                ));
            }
            0
        } else {
            over.rounds.or(spec.rounds).unwrap_or(if id == "smp" {
                DEFAULT_SMP_ROUNDS
            } else {
                DEFAULT_ROUNDS
            })
        };
        Ok(RunOptions {
            model: id,
            options,
            rounds,
            seed,
        })
    }

    /// The configured model, or [`EngineError::UnknownModel`].
    pub fn model(&self) -> Result<Box<dyn Model>, EngineError> {
        models::by_id(&self.model, &self.options).ok_or_else(|| EngineError::UnknownModel {
            id: self.model.clone(),
            suggestion: models::suggest(&self.model).map(str::to_string),
        })
    }
}

/// Why a run failed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum EngineError {
    #[error("unknown model `{id}`{}; known models: {}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default(), models::IDS.join(", "))]
    UnknownModel {
        id: String,
        suggestion: Option<String>,
    },
    #[error("model `{id}` cannot run on a crisis scenario: the crisis layer runs one bargaining round per week, and only these models have one: {} (docs/crisis.md §2)", models::step::CRISIS_IDS.join(", "))]
    CrisisModel { id: String },
    #[error("model option: {0}")]
    ModelOption(String),
    #[error("the scenario has no issues")]
    NoIssues,
    #[error("no actor has a stance on any issue")]
    NoStances,
    #[error("model error: {0}")]
    Model(#[from] ModelError),
    #[error("the model returned a malformed trajectory: {0}")]
    Malformed(String),
    #[error("crisis layer: {0}")]
    Crisis(#[from] crate::crisis::CrisisError),
}

/// One round of one issue: every participating actor's position (aligned with
/// [`IssueResult::actors`]) and the issue's c·s-weighted median and mean.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoundResult {
    pub round: usize,
    pub positions: Vec<f64>,
    pub median: f64,
    pub mean: f64,
}

/// The trajectory of one issue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IssueResult {
    pub id: String,
    pub name: String,
    pub min: f64,
    pub max: f64,
    /// Actors taking part (single-issue models: those with a stance on this issue).
    pub actors: Vec<String>,
    /// Round 0 = the input positions.
    pub rounds: Vec<RoundResult>,
    /// Whether the model's stopping rule ended the run before the round limit.
    pub converged: bool,
    /// The c·s-weighted median of the final positions.
    pub median: f64,
    /// The c·s-weighted mean of the final positions.
    pub mean: f64,
    /// The model's own forecast statistic (`forecast_stat`): `median` or `mean`.
    pub forecast_stat: ForecastStat,
    /// Its value: the median or the mean of the final positions.
    pub forecast: f64,
    /// Model-specific detail (EUM: options, risk exponents and moves per round).
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub details: serde_json::Value,
}

impl IssueResult {
    /// Position of `actor` after `round`, if the actor takes part and the round exists.
    pub fn position(&self, actor: &str, round: usize) -> Option<f64> {
        let a = self.actors.iter().position(|x| x == actor)?;
        self.rounds
            .get(round)
            .and_then(|r| r.positions.get(a))
            .copied()
    }
    /// The last round.
    pub fn last(&self) -> Option<&RoundResult> {
        self.rounds.last()
    }
}

/// The result of [`run`] (documented in `docs/output.md`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    pub scenario: String,
    pub title: String,
    pub model: String,
    pub model_description: String,
    pub engine_version: String,
    pub seed: u64,
    pub rounds_requested: usize,
    pub issues: Vec<IssueResult>,
    /// e.g. "EUM is single-issue; each issue was run separately".
    pub notes: Vec<String>,
}

/// The single-issue problem of issue `d`: only the actors with a stance on it.
fn issue_problem(scn: &Scenario, full: &Problem, d: usize) -> Problem {
    let issue_id = &full.dims[d].id;
    let keep: Vec<usize> = (0..full.n_actors())
        .filter(|&a| {
            scn.stances
                .iter()
                .any(|s| s.actor == full.actors[a] && &s.issue == issue_id)
        })
        .collect();
    Problem {
        actors: keep.iter().map(|&a| full.actors[a].clone()).collect(),
        capability: keep.iter().map(|&a| full.capability[a]).collect(),
        dims: vec![full.dims[d].clone()],
        position: keep.iter().map(|&a| vec![full.position[a][d]]).collect(),
        salience: keep.iter().map(|&a| vec![full.salience[a][d]]).collect(),
    }
}

/// Turn dimension `d` of a trajectory into an [`IssueResult`].
fn issue_result(
    scn: &Scenario,
    problem: &Problem,
    traj: &models::Trajectory,
    d: usize,
    issue_index: usize,
    model: &dyn Model,
    tie: stats::TieRule,
) -> Result<IssueResult, EngineError> {
    let n = problem.n_actors();
    let w = models::weights(problem, d);
    let mut rounds = Vec::with_capacity(traj.rounds.len());
    for (t, round) in traj.rounds.iter().enumerate() {
        if round.len() != n || round.iter().any(|row| row.len() <= d) {
            return Err(EngineError::Malformed(format!(
                "round {t} has the wrong shape"
            )));
        }
        let x: Vec<f64> = round.iter().map(|row| row[d]).collect();
        rounds.push(RoundResult {
            round: t,
            median: stats::weighted_median(&x, &w, tie),
            mean: stats::weighted_mean(&x, &w),
            positions: x,
        });
    }
    let Some(last) = rounds.last() else {
        return Err(EngineError::Malformed("no rounds".into()));
    };
    let (median, mean) = (last.median, last.mean);
    let stat = model.forecast_stat();
    let issue = &scn.issues[issue_index];
    let details = match &traj.details {
        serde_json::Value::Object(o) if o.contains_key("issues") => {
            let mut o = o.clone();
            if let Some(serde_json::Value::Array(per_issue)) = o.remove("issues") {
                o.insert(
                    "issue".into(),
                    per_issue.into_iter().nth(d).unwrap_or_default(),
                );
            }
            serde_json::Value::Object(o)
        }
        other => other.clone(),
    };
    Ok(IssueResult {
        id: issue.id.clone(),
        name: issue.name.clone(),
        min: issue.min,
        max: issue.max,
        actors: problem.actors.clone(),
        rounds,
        converged: traj.converged,
        median,
        mean,
        forecast_stat: stat,
        forecast: match stat {
            ForecastStat::Median => median,
            ForecastStat::Mean => mean,
        },
        details,
    })
}

/// Run `model` on every issue: per issue for single-issue models, jointly for
/// multi-dimensional ones. Returns the issue results and notes.
fn run_issues(
    scn: &Scenario,
    model: &dyn Model,
    rounds: usize,
    tie: stats::TieRule,
    rng: &mut Rng,
) -> Result<(Vec<IssueResult>, Vec<String>), EngineError> {
    if scn.issues.is_empty() {
        return Err(EngineError::NoIssues);
    }
    let full = scn.problem();
    if full.n_actors() == 0 {
        return Err(EngineError::NoStances);
    }
    let mut notes = Vec::new();
    let mut out = Vec::with_capacity(scn.issues.len());
    if model.multi_dimensional() {
        let traj = model.run(&full, rounds, rng)?;
        for d in 0..full.n_dims() {
            out.push(issue_result(scn, &full, &traj, d, d, model, tie)?);
        }
        notes.extend(traj.notes);
    } else {
        if scn.issues.len() > 1 {
            notes.push(format!(
                "{} is single-issue; each issue was run separately",
                model.id()
            ));
        }
        for d in 0..full.n_dims() {
            let sub = issue_problem(scn, &full, d);
            if sub.n_actors() == 0 {
                notes.push(format!(
                    "issue `{}` has no stances and was skipped",
                    full.dims[d].id
                ));
                continue;
            }
            let traj = model.run(&sub, rounds, rng)?;
            for note in &traj.notes {
                if !notes.contains(note) {
                    notes.push(note.clone());
                }
            }
            out.push(issue_result(scn, &sub, &traj, 0, d, model, tie)?);
        }
    }
    Ok((out, notes))
}

/// Run a plain bargaining scenario with `model` for at most `rounds` rounds. The RNG is
/// `rng::stream(seed, 0)`; the models shipped so far are deterministic.
pub fn run(
    scn: &Scenario,
    model: &dyn Model,
    rounds: usize,
    seed: u64,
) -> Result<RunResult, EngineError> {
    run_with_tie(scn, model, rounds, seed, stats::TieRule::Lower)
}

/// [`run`] with an explicit tie rule for the reported weighted medians.
pub fn run_with_tie(
    scn: &Scenario,
    model: &dyn Model,
    rounds: usize,
    seed: u64,
    tie: stats::TieRule,
) -> Result<RunResult, EngineError> {
    let mut rng = rng::stream(seed, 0);
    let (issues, notes) = run_issues(scn, model, rounds, tie, &mut rng)?;
    Ok(RunResult {
        scenario: scn.scenario.id.clone(),
        title: scn.scenario.title.clone(),
        model: model.id().to_string(),
        model_description: model.describe().to_string(),
        engine_version: crate::ENGINE_VERSION.to_string(),
        seed,
        rounds_requested: rounds,
        issues,
        notes,
    })
}

/// [`run`] with the model named in `opts` (id, options, rounds).
pub fn run_options(scn: &Scenario, opts: &RunOptions, seed: u64) -> Result<RunResult, EngineError> {
    let model = opts.model()?;
    run_with_tie(
        scn,
        model.as_ref(),
        opts.rounds,
        opts.seed.unwrap_or(seed),
        opts.options.tie.unwrap_or_default(),
    )
}

/// The crisis layer's weekly bargaining round is the resolved registered model
/// (docs/crisis.md §2): only a model with a round ([`models::step::CRISIS_IDS`]) can be it.
fn check_crisis_model(opts: &RunOptions) -> Result<(), EngineError> {
    if models::step::CRISIS_IDS.contains(&opts.model.as_str()) {
        Ok(())
    } else {
        Err(EngineError::CrisisModel {
            id: opts.model.clone(),
        })
    }
}

/// One stochastic run of an already-sampled scenario (used by Monte Carlo).
///
/// Records, for every issue: `issue.<id>` (final c·s-weighted median), `issue.<id>.mean`,
/// `position.<actor>.<issue>` (final positions of the actors taking part); series
/// `issue.<id>` and `issue.<id>.mean` (per round) and `position.<actor>.<issue>`.
pub fn simulate_once(
    scn: &Scenario,
    opts: &RunOptions,
    rng: &mut Rng,
) -> Result<RunState, EngineError> {
    if !scn.crisis.is_empty() {
        check_crisis_model(opts)?;
        let mut st = crate::crisis::simulate_with(scn, &opts.model, &opts.options, rng)
            .map_err(EngineError::Crisis)?;
        record_params(scn, &mut st);
        return Ok(st);
    }
    let model = opts.model()?;
    let tie = opts.options.tie.unwrap_or_default();
    let (issues, _notes) = run_issues(scn, model.as_ref(), opts.rounds, tie, rng)?;
    let mut st = RunState::default();
    for ir in &issues {
        st.set(format!("issue.{}", ir.id), ir.median);
        st.set(format!("issue.{}.mean", ir.id), ir.mean);
        st.series.insert(
            format!("issue.{}", ir.id),
            ir.rounds.iter().map(|r| r.median).collect(),
        );
        st.series.insert(
            format!("issue.{}.mean", ir.id),
            ir.rounds.iter().map(|r| r.mean).collect(),
        );
        for (a, actor) in ir.actors.iter().enumerate() {
            let series: Vec<f64> = ir.rounds.iter().map(|r| r.positions[a]).collect();
            if let Some(&last) = series.last() {
                st.set(format!("position.{actor}.{}", ir.id), last);
            }
            st.series
                .insert(format!("position.{actor}.{}", ir.id), series);
        }
    }
    record_params(scn, &mut st);
    Ok(st)
}

/// [`simulate_once`] prepared once per job, as a Monte Carlo [`crate::mc::Runner`]: a crisis
/// scenario is compiled once per worker ([`crate::crisis::Compiled`]) and each run only
/// rewrites the compiled model's numbers from its sampled scenario; any other scenario runs
/// [`simulate_once`]. Gives exactly what [`simulate_once`] gives, run for run.
pub struct Prepared<'a> {
    opts: &'a RunOptions,
}

impl<'a> Prepared<'a> {
    pub fn new(opts: &'a RunOptions) -> Prepared<'a> {
        Prepared { opts }
    }
}

/// What [`Prepared`] builds once per worker for a crisis scenario.
pub struct CrisisWorker {
    compiled: crate::crisis::Compiled,
    /// `params.<name>` of every `[params]` number, in name order ([`record_params`])
    params: Vec<String>,
    /// the compiled model's layout followed by the params' vars, and their slots
    layout: crate::state::Layout,
    param_slots: Vec<usize>,
}

impl crate::mc::Runner for Prepared<'_> {
    /// The compiled crisis model (None: not a crisis scenario).
    type Worker = Option<CrisisWorker>;
    type Error = EngineError;

    fn worker(&self, template: &Scenario) -> Result<Self::Worker, EngineError> {
        if template.crisis.is_empty() {
            return Ok(None);
        }
        // the same check as `simulate_once`
        check_crisis_model(self.opts)?;
        let compiled =
            crate::crisis::Compiled::with_model(template, &self.opts.model, &self.opts.options)
                .map_err(EngineError::Crisis)?;
        let params: Vec<String> = template
            .params
            .keys()
            .map(|name| format!("params.{name}"))
            .collect();
        let mut layout = compiled.layout().clone();
        let param_slots = params.iter().map(|p| layout.var_slot(p)).collect();
        Ok(Some(CrisisWorker {
            compiled,
            params,
            layout,
            param_slots,
        }))
    }

    fn run(
        &self,
        worker: &mut Self::Worker,
        scn: &Scenario,
        rng: &mut Rng,
    ) -> Result<RunState, EngineError> {
        match worker {
            Some(w) => {
                let mut st = w.compiled.run(scn, rng).map_err(EngineError::Crisis)?;
                record_params(scn, &mut st);
                Ok(st)
            }
            None => simulate_once(scn, self.opts, rng),
        }
    }

    fn run_into(
        &self,
        worker: &mut Self::Worker,
        scn: &Scenario,
        rng: &mut Rng,
        st: &mut RunState,
    ) -> Result<(), EngineError> {
        match worker {
            Some(w) => {
                // `end_reuse` comes after the params, so that their recycled keys survive
                w.compiled
                    .run_into(scn, rng, st, |st| {
                        for (name, n) in w.params.iter().zip(scn.params.values()) {
                            st.put(name, n.value);
                        }
                    })
                    .map_err(EngineError::Crisis)
            }
            None => {
                *st = simulate_once(scn, self.opts, rng)?;
                Ok(())
            }
        }
    }

    fn layout(&self, worker: &Self::Worker) -> Option<crate::state::Layout> {
        worker.as_ref().map(|w| w.layout.clone())
    }

    fn run_slots(
        &self,
        worker: &mut Self::Worker,
        scn: &Scenario,
        rng: &mut Rng,
        layout: &crate::state::Layout,
        out: &mut crate::state::SlotRun,
    ) -> Result<(), EngineError> {
        match worker {
            Some(w) => {
                out.begin(layout);
                w.compiled
                    .run_slots(scn, rng, out)
                    .map_err(EngineError::Crisis)?;
                for (&k, n) in w.param_slots.iter().zip(scn.params.values()) {
                    if let Some(x) = out.vars.get_mut(k) {
                        *x = n.value;
                    }
                }
                Ok(())
            }
            None => {
                out.place(simulate_once(scn, self.opts, rng)?, layout);
                Ok(())
            }
        }
    }
}

/// Record every `[params]` number's (sampled) value as var `params.<name>`, so outcome classes,
/// questions and hypotheses read the same threshold the run used.
fn record_params(scn: &Scenario, st: &mut RunState) {
    for (name, n) in &scn.params {
        st.set(format!("params.{name}"), n.value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Actor, Issue, Meta, Num, Stance};

    /// BdM (1994) EU emissions (shared/reference/examples/eu_emissions_bdm1994.csv) as a
    /// scenario, plus a second issue on which only three actors take a stance.
    fn scenario() -> Scenario {
        let rows = [
            ("nl", 0.08, 4., 0.80),
            ("be", 0.08, 7., 0.40),
            ("lu", 0.03, 4., 0.20),
            ("de", 0.16, 4., 0.80),
            ("fr", 0.16, 10., 0.60),
            ("it", 0.16, 10., 0.60),
            ("uk", 0.16, 10., 0.90),
            ("ie", 0.05, 7., 0.10),
            ("dk", 0.05, 4., 1.00),
            ("gr", 0.08, 7., 0.70),
        ];
        let mut scn = Scenario {
            scenario: Meta {
                id: "eu".into(),
                title: "EU emissions".into(),
                ..Default::default()
            },
            ..Default::default()
        };
        scn.issues.push(Issue {
            id: "lag".into(),
            name: "Years of delay".into(),
            min: 4.0,
            max: 10.0,
            ..Default::default()
        });
        scn.issues.push(Issue {
            id: "other".into(),
            name: "Other".into(),
            min: 0.0,
            max: 100.0,
            ..Default::default()
        });
        for (id, c, x, s) in rows {
            scn.actors.push(Actor {
                id: id.into(),
                name: id.into(),
                capability: Num::new(c),
                ..Default::default()
            });
            scn.stances.push(Stance {
                actor: id.into(),
                issue: "lag".into(),
                position: Num::new(x),
                salience: Num::new(s),
            });
        }
        for (id, x) in [("nl", 0.0), ("fr", 100.0), ("uk", 60.0)] {
            scn.stances.push(Stance {
                actor: id.into(),
                issue: "other".into(),
                position: Num::new(x),
                salience: Num::new(0.5),
            });
        }
        scn
    }

    #[test]
    fn problem_fills_missing_stances_with_midpoint_and_zero_salience() {
        let p = scenario().problem();
        assert_eq!(p.n_actors(), 10);
        assert_eq!(p.n_dims(), 2);
        let be = p.actors.iter().position(|a| a == "be").unwrap();
        assert_eq!(p.position[be], vec![7.0, 50.0]);
        assert_eq!(p.salience[be], vec![0.4, 0.0]);
    }

    #[test]
    fn eum_run_reports_golden_medians_and_notes() {
        let scn = scenario();
        let model = models::by_id("eum", &ModelOptions::default()).unwrap();
        let res = run(&scn, model.as_ref(), 10, 1).unwrap();
        assert_eq!(res.issues.len(), 2);
        assert!(res
            .notes
            .iter()
            .any(|n| n.contains("each issue was run separately")));
        let lag = &res.issues[0];
        assert_eq!(lag.rounds.len(), 11);
        // jmckib_median, rounds 1 and 2 (examples/eu_emissions_bdm1994_trajectories.csv).
        assert!((lag.rounds[1].median - 8.4159).abs() < 1e-3);
        assert!((lag.rounds[2].median - 9.6109).abs() < 1e-3);
        assert_eq!(lag.forecast, lag.median);
        let other = &res.issues[1];
        assert_eq!(other.actors, vec!["nl", "fr", "uk"]);
        assert!(res.issues[0].details.get("issue").is_some());
    }

    #[test]
    fn simulate_once_fills_run_state() {
        let scn = scenario();
        let opts = RunOptions::default();
        let st = simulate_once(&scn, &opts, &mut rng::stream(0, 0)).unwrap();
        // jmckib: round-10 median 7.0, mean 7.2421.
        assert!((st.get("issue.lag").unwrap() - 7.0).abs() < 1e-3);
        assert!((st.get("issue.lag.mean").unwrap() - 7.2421).abs() < 1e-3);
        assert_eq!(st.series["position.uk.lag"].len(), 11);
        assert_eq!(st.series["position.uk.lag"][0], 10.0);
        assert!(st.get("position.be.other").is_none());
        assert!(st.get("position.fr.other").is_some());
        assert_eq!(st.series["issue.lag"].len(), 11);
    }

    #[test]
    fn compromise_forecast_is_the_mean() {
        let scn = scenario();
        let opts = RunOptions {
            model: "compromise".into(),
            ..Default::default()
        };
        let res = run_options(&scn, &opts, 0).unwrap();
        assert_eq!(res.issues[0].rounds.len(), 1);
        assert!((res.issues[0].forecast - 7.39).abs() < 5e-4);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// Every registered model runs any well-formed random scenario without error, and
        /// every reported median and mean lies within the issue's scale.
        #[test]
        fn every_model_runs_random_scenarios(
            stances in proptest::collection::vec((0usize..6, 0usize..2, 0.0f64..=100.0, 0.0f64..=1.0), 1..20),
            caps in proptest::collection::vec(0.0f64..10.0, 6),
        ) {
            let mut scn = Scenario::default();
            for d in 0..2 {
                scn.issues.push(Issue { id: format!("i{d}"), name: format!("i{d}"), min: 0.0, max: 100.0, ..Default::default() });
            }
            for (a, c) in caps.iter().enumerate() {
                scn.actors.push(Actor { id: format!("a{a}"), name: format!("a{a}"), capability: Num::new(*c), ..Default::default() });
            }
            for (a, d, x, s) in stances {
                if scn.stances.iter().any(|t| t.actor == format!("a{a}") && t.issue == format!("i{d}")) {
                    continue;
                }
                scn.stances.push(Stance { actor: format!("a{a}"), issue: format!("i{d}"), position: Num::new(x), salience: Num::new(s) });
            }
            let with_stance = scn.actors.iter().filter(|a| scn.stances.iter().any(|t| t.actor == a.id)).count();
            for id in models::IDS {
                let opts = RunOptions { model: (*id).into(), ..Default::default() };
                if *id == "smp" && with_stance < 3 {
                    // KTAB's SMP is defined for three or more actors: a located model error.
                    let err = run_options(&scn, &opts, 3).unwrap_err();
                    proptest::prop_assert!(err.to_string().contains("at least 3 actors"), "{err}");
                    continue;
                }
                let res = run_options(&scn, &opts, 3).map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
                for ir in &res.issues {
                    for r in &ir.rounds {
                        proptest::prop_assert!((0.0..=100.0).contains(&r.median), "{id}: median {}", r.median);
                        proptest::prop_assert!(r.mean >= -1e-9 && r.mean <= 100.0 + 1e-9, "{id}: mean {}", r.mean);
                    }
                }
                let st = simulate_once(&scn, &opts, &mut rng::stream(3, 0)).map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
                proptest::prop_assert_eq!(st.vars.keys().filter(|k| k.starts_with("issue.") && !k.ends_with(".mean")).count(), res.issues.len());
            }
        }
    }

    #[test]
    fn errors_are_reported_not_panics() {
        let scn = scenario();
        let bad = RunOptions {
            model: "eun".into(),
            ..Default::default()
        };
        let err = run_options(&scn, &bad, 0).unwrap_err();
        assert!(err.to_string().contains("did you mean `eum`"), "{err}");
        let empty = Scenario::default();
        assert_eq!(
            run_options(&empty, &RunOptions::default(), 0).unwrap_err(),
            EngineError::NoIssues
        );
        let mut no_stances = scenario();
        no_stances.stances.clear();
        assert_eq!(
            run_options(&no_stances, &RunOptions::default(), 0).unwrap_err(),
            EngineError::NoStances
        );
        let mut bad_sal = scenario();
        bad_sal.stances[0].salience = Num::new(2.0);
        assert!(matches!(
            run_options(&bad_sal, &RunOptions::default(), 0),
            Err(EngineError::Model(_))
        ));
    }
}
