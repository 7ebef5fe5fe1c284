//! One compiled experiment: a scenario with its model and edits resolved once and checked
//! completely, shared by every front end (issue 9). [`compile`] is the resolver, in the spirit
//! of a compiler front end: it returns either an [`Experiment`] or *every* problem it found as
//! [`Diagnostics`] (not only the first).
//!
//! An [`Experiment`] holds
//! - the model that runs ([`RunOptions`], resolved against the registry and the scenario's
//!   `[model]` / `[crisis.bargaining]` tables);
//! - the edits (`--set`, `--without`, `--disable`), each checked on its own against the
//!   scenario (known path or id, value in the number's declared range, did-you-mean);
//! - the **input space**: every uncertain number with its path, distribution (before any
//!   evidence discount), declared range and evidence basis ([`InputSpec`]);
//! - the **output schema** ([`crate::schema::OutputSchema`]): outcome classes, questions, vars
//!   and series with their kinds;
//! - the parsed outcome and question predicates.
//!
//! It plans and executes studies ([`Experiment::plan`], [`Experiment::execute`]) with its model
//! and edits filled in, so a front end only maps flags to a [`PlanRequest`] and renders, and a
//! [`Experiment::pilot`] reports outcome classes that are never or always true, and overlap.
//!
//! What is not here yet: the per-run index form of the crisis layer is still compiled by
//! `crisis` per run (issue 11), and the run function still returns a name-keyed
//! [`RunState`].

use crate::engine::{self, ModelOverride, RunOptions};
use crate::expr::Expr;
use crate::mc::{self, ClassCoverage, Keep, McConfig, McError};
use crate::plan::{self, Plan, PlanRequest};
use crate::rng::Rng;
use crate::sample::Sampler;
use crate::scenario::{Dist, Edit, Scenario};
use crate::schema::OutputSchema;
use crate::state::RunState;
use crate::study::{Study, StudyError};
use serde::Serialize;
use std::fmt;

/// Runs of [`Experiment::pilot`] unless the caller asks for another number.
pub const PILOT_RUNS: u64 = 200;

/// What a front end asks to compile: model overrides and edits.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Request {
    pub model: ModelOverride,
    pub edits: Vec<Edit>,
}

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The experiment cannot run.
    Error,
    /// It runs, but a figure will likely mislead (e.g. an outcome class never true).
    Warning,
    /// Worth knowing (e.g. outcome classes overlap, so probabilities do not sum to 100%).
    Note,
}

/// One problem or remark, located at the request item (`--set PATH`, `--model`) or the scenario
/// path (`outcomes[2].when`) it concerns.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// What it concerns: a flag with its argument, or a scenario key path.
    pub at: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        write!(f, "{sev}: {}: {}", self.at, self.message)?;
        if let Some(h) = &self.help {
            write!(f, "\n  help: {h}")?;
        }
        Ok(())
    }
}

/// Every problem [`compile`] found (at least one error).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    /// One diagnostic per line, after an "N problems:" line when there are several.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.len() > 1 {
            writeln!(f, "{} problems:", self.0.len())?;
        }
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// One uncertain input of the experiment (the input space SALib calls the *problem*).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InputSpec {
    /// The dotted path (`--set PATH=VALUE`, Sobol and tornado rows).
    pub path: String,
    /// The stated value.
    pub nominal: f64,
    /// The distribution it is drawn from (no evidence discount).
    pub dist: Dist,
    /// The range the format declares for it (±∞ as `None`).
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Its evidence basis (`crate::evidence::Basis::name`).
    pub basis: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// A scenario compiled with its model and edits: see the module docs.
#[derive(Clone, Debug)]
pub struct Experiment {
    /// The scenario as loaded (before edits: what provenance hashes).
    base: Scenario,
    /// The scenario with the edits applied (what the inputs and the schema describe).
    edited: Scenario,
    edits: Vec<Edit>,
    run: RunOptions,
    inputs: Vec<InputSpec>,
    outputs: OutputSchema,
    outcomes: Vec<Expr>,
    questions: Vec<Option<Expr>>,
}

fn error(at: String, message: String, help: Option<String>) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        at,
        message,
        help,
    }
}

/// Compile `scn` with `req`: resolve the model, check each edit alone and then together, and
/// build the input space, the output schema and the parsed predicates. Every error found is
/// returned, each located at what caused it, with a did-you-mean where one applies.
///
/// `scn` is a scenario as [`crate::scenario::load`] returns it: the loader has already checked
/// every reference, range and predicate name of the file itself, so the diagnostics here are
/// about the request (model, edits) and what they do to the scenario.
pub fn compile(scn: &Scenario, req: &Request) -> Result<Experiment, Diagnostics> {
    match RunOptions::resolve(scn, &req.model) {
        Ok(run) => compile_resolved(scn, run, &req.edits),
        Err(e) => {
            let at = match req.model.id.as_deref() {
                Some(id) => format!("--model {id}"),
                None => "[model]".to_string(),
            };
            let help = match &e {
                engine::EngineError::UnknownModel {
                    suggestion: Some(s),
                    ..
                } => Some(format!("did you mean `{s}`?")),
                engine::EngineError::UnknownModel { .. } => {
                    Some(format!("models: {}", crate::models::IDS.join(", ")))
                }
                _ => None,
            };
            let mut diags = vec![error(at, e.to_string(), help)];
            diags.extend(single_edit_errors(scn, &req.edits));
            Err(Diagnostics(diags))
        }
    }
}

/// [`compile`] with the model already resolved (`RunOptions::resolve`, as a front end does to
/// word its own flag errors): the same checks of the edits, the model is not resolved again.
pub fn compile_resolved(
    scn: &Scenario,
    run: RunOptions,
    edits: &[Edit],
) -> Result<Experiment, Diagnostics> {
    let mut diags = single_edit_errors(scn, edits);
    let edited = if diags.is_empty() {
        match mc::apply_edits(scn, edits) {
            Ok(s) => Some(s),
            Err(err) => {
                // Each edit applies alone but not in this order (e.g. `--without uk` then
                // `--set stance.uk...`).
                diags.push(error(
                    "edits".into(),
                    edit_message(err),
                    Some(
                        "edits apply in order; an edit cannot name what an earlier one removed"
                            .into(),
                    ),
                ));
                None
            }
        }
    } else {
        None
    };
    let outcomes = match mc::compile_outcomes(scn) {
        Ok(o) => Some(o),
        Err(e) => {
            diags.push(error("outcomes".into(), e.to_string(), None));
            None
        }
    };
    let (Some(edited), Some(outcomes)) = (edited, outcomes) else {
        return Err(Diagnostics(diags));
    };
    let questions = scn
        .questions
        .iter()
        .map(|q| {
            (!q.when.trim().is_empty())
                .then(|| Expr::parse(&q.when, scn.scenario.as_of).ok())
                .flatten()
        })
        .collect();
    Ok(Experiment {
        inputs: input_space(&edited),
        outputs: crate::schema::outputs(&edited),
        base: scn.clone(),
        edited,
        edits: edits.to_vec(),
        run,
        outcomes,
        questions,
    })
}

/// Every edit that does not apply to `scn` on its own, as an error at its flag.
fn single_edit_errors(scn: &Scenario, edits: &[Edit]) -> Vec<Diagnostic> {
    let ids = || scn.actors.iter().map(|a| a.id.as_str());
    edits
        .iter()
        .filter_map(|e| {
            let err = mc::apply_edits(scn, std::slice::from_ref(e)).err()?;
            let help = match e {
                Edit::Without { actor } => Some(match crate::suggest::suggest(actor, ids()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("actors: {}", ids().collect::<Vec<_>>().join(", ")),
                }),
                _ => None,
            };
            Some(error(edit_flag(e), edit_message(err), help))
        })
        .collect()
}

fn edit_flag(e: &Edit) -> String {
    match e {
        Edit::Set { path, value } => format!("--set {path}={value}"),
        Edit::Without { actor } => format!("--without {actor}"),
        Edit::Disable { id } => format!("--disable {id}"),
    }
}

fn edit_message(e: McError) -> String {
    match e {
        McError::Edit { message, .. } => message,
        other => other.to_string(),
    }
}

/// The uncertain numbers of `scn`, in the sampler's visit order.
fn input_space(scn: &Scenario) -> Vec<InputSpec> {
    let sampler = Sampler::new(scn, 0.0);
    let catalog: std::collections::HashMap<String, crate::catalog::ParamInfo> =
        crate::catalog::parameters(scn)
            .into_iter()
            .map(|p| (p.path.clone(), p))
            .collect();
    sampler
        .inputs
        .iter()
        .map(|i| {
            let info = catalog.get(&i.path);
            InputSpec {
                path: i.path.clone(),
                nominal: i.nominal,
                dist: i.dist.clone(),
                min: info.and_then(|p| p.min),
                max: info.and_then(|p| p.max),
                basis: info.map_or("unmarked", |p| p.basis),
                source: info.and_then(|p| p.source.clone()),
            }
        })
        .collect()
}

/// What [`Experiment::pilot`] found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pilot {
    pub runs: u64,
    pub seed: u64,
    /// Hits per outcome class, in scenario order.
    pub hits: Vec<u64>,
    pub coverage: ClassCoverage,
    pub diagnostics: Vec<Diagnostic>,
}

/// Version tag of [`Experiment::describe`]'s JSON.
pub const EXPERIMENT_FORMAT: &str = "statecraft.experiment/1";

/// What [`Experiment::describe`] returns: the experiment's model, input space and output schema
/// (`statecraft check --schema --format json`, Python `Scenario.schema()`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Description<'a> {
    pub format: &'static str,
    pub scenario: &'a str,
    pub model: &'a RunOptions,
    pub edits: Vec<String>,
    pub inputs: &'a [InputSpec],
    pub outputs: &'a OutputSchema,
}

impl Experiment {
    /// The model, input space and output schema, for front ends to serialise.
    pub fn describe(&self) -> Description<'_> {
        Description {
            format: EXPERIMENT_FORMAT,
            scenario: &self.base.scenario.id,
            model: &self.run,
            edits: self.edits.iter().map(ToString::to_string).collect(),
            inputs: &self.inputs,
            outputs: &self.outputs,
        }
    }

    /// The scenario as loaded (before the edits).
    pub fn scenario(&self) -> &Scenario {
        &self.base
    }
    /// The scenario with the edits applied.
    pub fn edited(&self) -> &Scenario {
        &self.edited
    }
    pub fn edits(&self) -> &[Edit] {
        &self.edits
    }
    /// The model that runs, with every option resolved.
    pub fn run_options(&self) -> &RunOptions {
        &self.run
    }
    /// Every uncertain input.
    pub fn inputs(&self) -> &[InputSpec] {
        &self.inputs
    }
    /// Everything a run records, typed.
    pub fn outputs(&self) -> &OutputSchema {
        &self.outputs
    }
    /// The outcome classes' parsed predicates, in scenario order.
    pub fn outcome_predicates(&self) -> &[Expr] {
        &self.outcomes
    }
    /// The questions' parsed predicates (`None` for a question without one).
    pub fn question_predicates(&self) -> &[Option<Expr>] {
        &self.questions
    }

    /// The Monte Carlo configuration of a job of `runs` runs from `seed`, with the experiment's
    /// edits and model.
    pub fn mc_config(&self, runs: u64, seed: u64) -> McConfig {
        McConfig {
            runs,
            seed,
            edits: self.edits.clone(),
            model_options: serde_json::to_value(&self.run).unwrap_or_default(),
            ..McConfig::default()
        }
    }

    /// One run: run `i` of a job from `seed`, exactly as a Monte Carlo job runs it.
    pub fn run_one(&self, seed: u64, i: u64) -> Result<RunState, McError> {
        let run = &self.run;
        mc::run_one(&self.base, &self.mc_config(1, seed), i, |s, r: &mut Rng| {
            engine::simulate_once(s, run, r)
        })
    }

    /// Resolve a plan: `req` with this experiment's edits and model (whatever `req` says of
    /// them is replaced).
    pub fn plan(&self, req: &PlanRequest) -> Result<Plan, StudyError> {
        let mut req = req.clone();
        req.edits = self.edits.clone();
        req.run = Some(self.run.clone());
        plan::plan(&self.base, &req)
    }

    /// Run a plan made by [`Experiment::plan`].
    pub fn execute(
        &self,
        plan: &Plan,
        progress: Option<&(dyn Fn(u64) + Sync)>,
    ) -> Result<Study, StudyError> {
        plan::execute(&self.base, plan, progress)
    }

    /// A short pilot (`runs` runs from `seed`): warns of outcome classes never true or true in
    /// every run (a predicate that cannot discriminate is usually a mistake: a threshold off
    /// the scale, a misread variable), and notes when classes overlap (their probabilities
    /// then do not sum to 100%) or leave runs in no class.
    pub fn pilot(&self, runs: u64, seed: u64) -> Result<Pilot, McError> {
        let cfg = self.mc_config(runs.max(1), seed);
        let r = mc::simulate_keep_with(
            &self.base,
            &cfg,
            &engine::Prepared::new(&self.run),
            None,
            Keep::Outcomes,
        )?;
        let hits = r.hits();
        let coverage = r.coverage;
        let mut diagnostics = Vec::new();
        for (k, o) in self.base.outcomes.iter().enumerate() {
            let h = hits.get(k).copied().unwrap_or(0);
            let at = format!("outcomes[{k}] ({})", o.id);
            if h == 0 {
                diagnostics.push(Diagnostic {
                    severity: Severity::Warning,
                    at,
                    message: format!("never true in {} pilot runs: `{}`", r.n, o.when),
                    help: Some(
                        "check the predicate's thresholds against the variables' ranges (`statecraft check --schema`)"
                            .into(),
                    ),
                });
            } else if h == r.n {
                diagnostics.push(Diagnostic {
                    severity: Severity::Warning,
                    at,
                    message: format!("true in every one of {} pilot runs: `{}`", r.n, o.when),
                    help: Some(
                        "a class true in every run cannot discriminate between futures".into(),
                    ),
                });
            }
        }
        if coverage.several > 0 {
            diagnostics.push(Diagnostic {
                severity: Severity::Note,
                at: "outcomes".into(),
                message: format!(
                    "outcome classes overlap: {} of {} pilot runs are in two or more classes, so the probabilities do not sum to 100%",
                    coverage.several, r.n
                ),
                help: None,
            });
        }
        if coverage.none > 0 && !self.base.outcomes.is_empty() {
            diagnostics.push(Diagnostic {
                severity: Severity::Note,
                at: "outcomes".into(),
                message: format!(
                    "{} of {} pilot runs are in no outcome class",
                    coverage.none, r.n
                ),
                help: None,
            });
        }
        Ok(Pilot {
            runs: r.n,
            seed,
            hits,
            coverage,
            diagnostics,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load::from_toml_str;

    fn scn() -> Scenario {
        from_toml_str(
            r#"
[scenario]
id = "t"
title = "t"

[[issues]]
id = "x"
name = "x"
min = 0
max = 100

[[actors]]
id = "a"
name = "a"
capability = { dist = "pert", min = 0.5, mode = 1, max = 2 }
[[actors]]
id = "b"
name = "b"
capability = 2

[[stances]]
actor = "a"
issue = "x"
position = 10
salience = 0.5
[[stances]]
actor = "b"
issue = "x"
position = 90
salience = 0.8

[[outcomes]]
id = "high"
name = "high"
when = "issue.x >= 50"
[[outcomes]]
id = "never"
name = "never"
when = "issue.x > 100"
[[outcomes]]
id = "any"
name = "any"
when = "issue.x >= 0"
"#,
        )
        .unwrap()
    }

    #[test]
    fn every_bad_edit_and_the_model_are_reported_together() {
        let req = Request {
            model: ModelOverride {
                id: Some("eumm".into()),
                ..Default::default()
            },
            edits: vec![
                Edit::Set {
                    path: "stance.a.x.positon".into(),
                    value: 5.0,
                },
                Edit::Without {
                    actor: "zzzz".into(),
                },
                Edit::Set {
                    path: "stance.a.x.salience".into(),
                    value: 1.5,
                },
            ],
        };
        let d = compile(&scn(), &req).unwrap_err().0;
        let at: Vec<&str> = d.iter().map(|x| x.at.as_str()).collect();
        assert_eq!(
            at,
            [
                "--model eumm",
                "--set stance.a.x.positon=5",
                "--without zzzz",
                "--set stance.a.x.salience=1.5"
            ]
        );
        assert!(d.iter().all(|x| x.severity == Severity::Error));
        assert_eq!(d[0].help.as_deref(), Some("did you mean `eum`?"));
        assert!(
            d[1].message.contains("did you mean `stance.a.x.position`?"),
            "{}",
            d[1].message
        );
        assert!(
            d[3].message.contains("outside the allowed range"),
            "{}",
            d[3].message
        );
        assert_eq!(d[2].help.as_deref(), Some("actors: a, b"));
    }

    #[test]
    fn edits_that_conflict_in_order_are_an_error() {
        let req = Request {
            edits: vec![
                Edit::Without { actor: "a".into() },
                Edit::Set {
                    path: "stance.a.x.position".into(),
                    value: 5.0,
                },
            ],
            ..Default::default()
        };
        let d = compile(&scn(), &req).unwrap_err().0;
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].at, "edits");
    }

    #[test]
    fn inputs_outputs_and_plans_come_from_one_compile() {
        let req = Request {
            edits: vec![Edit::Set {
                path: "stance.b.x.position".into(),
                value: 80.0,
            }],
            ..Default::default()
        };
        let e = compile(&scn(), &req).unwrap();
        let paths: Vec<&str> = e.inputs().iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, ["actor.a.capability"]);
        assert_eq!(e.inputs()[0].min, Some(0.0));
        assert_eq!(e.outputs().outcomes.len(), 3);
        assert!(e.outputs().var("issue.x").is_some());
        assert_eq!(e.run_options().model, "eum");
        // The plan carries the experiment's edits and model, whatever the request said.
        let mut pr = PlanRequest::new(plan::Preset::Forecast);
        pr.runs = Some(20);
        let p = e.plan(&pr).unwrap();
        assert_eq!(p.config.mc.edits, req.edits);
        let s = e.execute(&p, None).unwrap();
        assert_eq!(s.mc.provenance.runs, 20);
        assert_eq!(s.mc.provenance.edits, ["set stance.b.x.position=80"]);
        // run_one is run i of a job: the same as a job's run i
        let a = e.run_one(3, 5).unwrap();
        let b = e.run_one(3, 5).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.get("position.b.x").map(|x| x > 0.0), Some(true));
    }

    #[test]
    fn the_pilot_warns_of_classes_never_or_always_true_and_notes_overlap() {
        let e = compile(&scn(), &Request::default()).unwrap();
        let p = e.pilot(50, 1).unwrap();
        assert_eq!(p.runs, 50);
        let at: Vec<(Severity, &str)> = p
            .diagnostics
            .iter()
            .map(|d| (d.severity, d.at.as_str()))
            .collect();
        assert!(
            at.contains(&(Severity::Warning, "outcomes[1] (never)")),
            "{at:?}"
        );
        assert!(
            at.contains(&(Severity::Warning, "outcomes[2] (any)")),
            "{at:?}"
        );
        assert!(at.contains(&(Severity::Note, "outcomes")), "{at:?}");
        assert_eq!(p.hits.len(), 3);
        assert_eq!((p.hits[1], p.hits[2]), (0, 50));
    }
}
