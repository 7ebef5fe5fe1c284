//! Monte Carlo: sample inputs, run in parallel with per-run RNG streams, aggregate outcome
//! probabilities; counterfactual edits and hypothesis tests with common random numbers.
//!
//! Run `i` of a job with master seed `s`:
//! - draws its input uniforms keyed by each number's path from the run key of
//!   `rng::substream(s, i, SAMPLE_PURPOSE)` (see [`crate::sample::Sampler::draw_u`]);
//! - runs the model with `rng::stream(s, i)`, whose run key drives every in-run draw keyed by
//!   element (`crate::rng::draw`; docs/uncertainty.md, "Random streams keyed by element").
//!
//! Runs are executed with rayon and aggregated in run-index order, so the result is identical for
//! any thread count. A counterfactual run `i` uses the same two streams as the base run `i`
//! (common random numbers).

pub mod agg;
pub mod bits;
pub mod cancel;
pub mod seq;
pub mod stats;
mod tally;
pub mod toy;

pub use bits::Bits;
pub use cancel::{Cancel, Control};
pub use seq::{evaluate_hypotheses_seq_with, Looks, SeqLook};

use crate::expr::{Expr, ParseError};
use crate::rng::{self, Rng};
use crate::sample::Sampler;
use crate::scenario::{Dist, Edit, Expect, Scenario};
use crate::state::{Layout, RunState, SlotRun};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Display;
use std::sync::atomic::{AtomicU64, Ordering};

pub use stats::{
    holm_levels, newcombe_paired, p_by_inversion, paired, quantile_sorted, runs_needed, wilson,
    z_of_level, Paired, PairedCounts, Z95,
};

/// Family-wise error rate of the hypothesis and pivotality corrections (Holm 1979).
pub const FAMILY_ALPHA: f64 = 0.05;

/// `purpose` of the input-sampling substream (`rng::substream(seed, run, SAMPLE_PURPOSE)`).
pub const SAMPLE_PURPOSE: u64 = 1;
/// Quantile levels reported for vars and series.
pub const QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// Monte Carlo settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct McConfig {
    pub runs: u64,
    pub seed: u64,
    /// 0 = ignore source reliability, 1 = full discount (docs/uncertainty.md).
    pub evidence_discount: f64,
    /// Counterfactual edits applied before sampling (`--set`, `--without`, `disable`).
    pub edits: Vec<Edit>,
    /// Convergence tolerance: warn when an outcome's Wilson half-width exceeds it.
    pub tolerance: f64,
    /// Histogram bins per var.
    pub bins: usize,
    /// Smallest |Δprobability| a hypothesis test treats as a real effect.
    pub min_effect: f64,
    /// The model's options (model id, rounds, …), recorded in every output.
    pub model_options: serde_json::Value,
    /// Adaptive precision: when set, `runs` is the minimum and the job runs on in batches of
    /// [`BATCH`] until every outcome's interval meets the target, up to `max_runs`.
    #[serde(default)]
    pub precision: Option<Precision>,
    /// Cooperative cancellation ([`Cancel`]): not configuration, never serialized, and equal
    /// for every two configurations. A cancelled job returns [`McError::Cancelled`].
    #[serde(skip)]
    pub cancel: Cancel,
    /// What the job aggregates beyond outcome and question indicators ([`Collect`]): all of
    /// it unless an analysis asks for less (`statecraft forecast` reads only the questions).
    #[serde(default, skip_serializing_if = "Collect::is_all")]
    pub collect: Collect,
    /// Whether a job kept to stream ([`run_keep`]) keeps every run's outcome and question bit
    /// ([`Runs::outcomes`], [`Runs::questions`]) for a paired comparison made after it; when
    /// false it keeps only their counts, and its memory does not grow with the runs
    /// ([`Bits::counting`]). The study's main job clears it when no hypothesis pairs with its
    /// runs. It changes no number, so it is not serialized (nor part of the provenance).
    #[serde(skip, default = "keep_pairs_default")]
    pub keep_pairs: bool,
}

fn keep_pairs_default() -> bool {
    true
}

/// What a job aggregates beyond its outcome and question indicators, which it always counts.
/// An analysis asks for what it reads and nothing else (issue 11: "nothing per run is kept
/// unless an analysis asks for it"): a part left out is neither recorded by the model (a
/// crisis run then records no per-round series) nor folded, and its map in the [`McResult`]
/// is empty, which [`McResult::collected`] says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collect {
    /// Per-var summaries: quantiles, histograms, moments, alignment counts.
    pub vars: bool,
    /// Only what a study's summary shows of the vars and events it collects: the summary vars
    /// ([`is_summary_var`]) and the gate decisions ([`is_summary_event`]), not every var and
    /// event the runs record. Absent from the JSON when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub summary_only: bool,
    /// Per-round series bands.
    pub series: bool,
    /// Event counts and the tipping steps read from them.
    pub events: bool,
}

impl Collect {
    /// Everything (the default).
    pub const ALL: Collect = Collect {
        vars: true,
        summary_only: false,
        series: true,
        events: true,
    };
    /// Outcome and question indicators only: what a forecast reads.
    pub const ANSWERS: Collect = Collect {
        vars: false,
        summary_only: false,
        series: false,
        events: false,
    };
    /// What a study's summary table reads: the indicators, the summary vars
    /// ([`is_summary_var`]) and the counts of the gate decisions ([`is_summary_event`]); no
    /// series.
    pub const SUMMARY: Collect = Collect {
        vars: true,
        summary_only: true,
        series: false,
        events: true,
    };
    pub fn is_all(&self) -> bool {
        *self == Collect::ALL
    }
    /// Whether a job collecting this folds the var `name` into its summaries.
    pub fn folds_var(&self, name: &str) -> bool {
        self.vars && (!self.summary_only || is_summary_var(name))
    }
    /// Whether a job collecting this counts the event `text`.
    pub fn counts_event(&self, text: &str) -> bool {
        self.events && (!self.summary_only || is_summary_event(text))
    }
}

/// The decisions a crisis run logs at a gate, in the order they are reported, each the kind of
/// its event (`<kind>:<option>@<gate>@day<d>`, `crisis::log`).
pub const GATE_DECISIONS: [&str; 6] = [
    "authorized",
    "delayed",
    "blocked",
    "substituted",
    "lapsed",
    "withdrawn",
];

/// The events a study's summary shows ([`Collect::SUMMARY`]): the gate decisions (its OPTIONS
/// AND GATES, read by `trace::gate_decisions`), i.e. the events whose kind (the text before
/// the first `:`) is one of [`GATE_DECISIONS`].
pub fn is_summary_event(text: &str) -> bool {
    event_kind(text).is_some_and(|k| GATE_DECISIONS.contains(&k))
}

/// The kind of an event text: what comes before its first `:`.
fn event_kind(text: &str) -> Option<&str> {
    text.split_once(':').map(|(k, _)| k)
}

/// The vars a study's summary shows ([`Collect::SUMMARY`]): each issue's outcome (`issue.<id>`
/// and `issue.<id>.mean`, the table's ISSUE OUTCOMES) and each option's take-up
/// (`option.<id>.taken`, its OPTIONS AND GATES). A front end whose summary reads another var
/// asks for [`Collect::ALL`].
pub fn is_summary_var(name: &str) -> bool {
    name.starts_with("issue.") || (name.starts_with("option.") && name.ends_with(".taken"))
}

impl Default for Collect {
    fn default() -> Self {
        Collect::ALL
    }
}

/// An adaptive-precision target (docs/uncertainty.md §3, "Adaptive precision").
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Precision {
    /// Target Wilson 95% half-width for common outcomes (p ≥ `rare_below`), e.g. 0.015.
    pub abs: f64,
    /// Target half-width relative to p for rare outcomes (p < `rare_below`); 0 = none (the
    /// absolute target applies to them too).
    pub rel: f64,
    /// Outcomes with an estimated p below this are "rare".
    pub rare_below: f64,
    /// Cap on the runs.
    pub max_runs: u64,
}

impl Precision {
    /// The default run's target: ±1.5 points on every outcome, up to 20,480 runs.
    pub const DEFAULT: Precision = Precision {
        abs: 0.015,
        rel: 0.0,
        rare_below: 0.05,
        max_runs: 20 * BATCH,
    };
    /// The half-width an outcome with `hits` of `n` must reach.
    pub fn target(&self, hits: u64, n: u64) -> f64 {
        let p = if n > 0 { hits as f64 / n as f64 } else { 0.0 };
        if self.rel > 0.0 && p < self.rare_below {
            // a rare outcome: relative target, but never tighter than the rule-of-three bound
            // 3/n_max would allow when nothing is seen
            (self.rel * p).max(3.0 / self.max_runs.max(1) as f64)
        } else {
            self.abs
        }
    }
    /// Whether every outcome (hits per outcome, of `n` runs) meets its target.
    pub fn met(&self, hits: &[u64], n: u64) -> bool {
        hits.iter().all(|&k| {
            let (lo, hi) = wilson(k, n, Z95);
            (hi - lo) / 2.0 <= self.target(k, n)
        })
    }
}

/// What an adaptive job reached.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrecisionReport {
    pub target: Precision,
    /// Runs used (a multiple of [`BATCH`] unless the cap is not).
    pub runs: u64,
    /// Whether every outcome met its target (false = stopped at the cap).
    pub met: bool,
    /// The widest outcome half-width reached.
    pub max_half_width: f64,
}

impl Default for McConfig {
    fn default() -> Self {
        McConfig {
            runs: 1000,
            seed: 1,
            evidence_discount: 0.0,
            edits: Vec::new(),
            tolerance: 0.05,
            bins: 20,
            min_effect: 0.02,
            precision: None,
            model_options: serde_json::Value::Null,
            cancel: Cancel::never(),
            collect: Collect::ALL,
            keep_pairs: true,
        }
    }
}

/// Why a Monte Carlo job failed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum McError {
    /// A counterfactual edit does not apply (unknown path or actor, value off the scale).
    #[error("edit `{edit}`: {message}")]
    Edit { edit: String, message: String },
    /// An outcome's predicate does not parse.
    #[error("outcome `{outcome}`: {error}")]
    Predicate { outcome: String, error: ParseError },
    /// An outcome, var or hypothesis referred to does not exist.
    #[error("{0}")]
    Unknown(String),
    /// The run function failed on run `run` (the lowest failing index is reported).
    #[error("run {run}: {message}")]
    Run { run: u64, message: String },
    /// The job was cancelled through its [`Cancel`] token before it finished.
    #[error("cancelled")]
    Cancelled,
}

/// sha256 (hex) of the canonical JSON of a scenario: `serde_json` serialisation of the parsed
/// [`Scenario`] (field order fixed by the type, maps sorted, floats in shortest round-trip form).
pub fn scenario_hash(scn: &Scenario) -> String {
    let json = serde_json::to_string(scn).unwrap_or_default();
    let digest = Sha256::digest(json.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Apply edits to a copy of `scn`.
///
/// - `Set { path, value }`: the number at `path` gets `value`, no distribution, confidence 1 and
///   no source (so the evidence discount leaves it fixed). The value must lie in the number's
///   declared range (`docs/scenario.md`, "Declared ranges").
/// - `Without { actor }`: removes the actor and its stances, and adds `actor.<id>` to
///   `Scenario::disabled` so the crisis layer can skip references to it.
/// - `Disable { id }`: adds `id` to `Scenario::disabled`.
pub fn apply_edits(scn: &Scenario, edits: &[Edit]) -> Result<Scenario, McError> {
    let mut out = scn.clone();
    for e in edits {
        let fail = |message: String| McError::Edit {
            edit: e.to_string(),
            message,
        };
        match e {
            Edit::Without { actor } => {
                if out.actor_index(actor).is_none() {
                    return Err(fail(format!("no actor `{actor}`")));
                }
                out.actors.retain(|a| &a.id != actor);
                out.stances.retain(|s| &s.actor != actor);
                out.disabled.insert(format!("actor.{actor}"));
            }
            Edit::Disable { id } => {
                if id.trim().is_empty() {
                    return Err(fail("empty id".into()));
                }
                // An id that names nothing would be recorded and change nothing.
                let known = out.disabled.contains(id)
                    || out.crisis.disabled.iter().any(|d| d == id)
                    || id
                        .strip_prefix("actor.")
                        .is_some_and(|a| out.actor_index(a).is_some())
                    || out.crisis.clone().disable(id);
                if !known {
                    let mut ids = out.crisis.element_ids();
                    ids.extend(out.actors.iter().map(|a| format!("actor.{}", a.id)));
                    let hint = match crate::suggest::suggest(id, ids.iter().map(String::as_str)) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None if out.crisis.is_empty() => "the scenario has no crisis layer to disable elements of".into(),
                        None => "ids look like `gate.<id>`, `event.<id>`, `option.<id>`, `actor.<id>`, `link.<from>.<to>`".into(),
                    };
                    return Err(fail(format!("nothing to disable at `{id}`; {hint}")));
                }
                out.disabled.insert(id.clone());
            }
            Edit::Set { path, value } => {
                if !value.is_finite() {
                    return Err(fail("value must be a finite number".into()));
                }
                // One walk: the first number at `path` gives the declared domain (what
                // `sample::domain_of` reads) and every number there gets the value; on an
                // error below `out` is dropped, so writing before the range check changes
                // nothing. A domain is declared before its number is visited, so it is the
                // domain of the number as it was.
                let mut found = None;
                out.visit_nums_declared(&mut |p, d, n| {
                    if p == path {
                        found.get_or_insert(d);
                        n.value = *value;
                        n.dist = None;
                        n.confidence = Some(1.0);
                        n.source = None;
                        n.reference = None;
                    }
                });
                let Some(domain) = found else {
                    let paths = num_paths(&out);
                    let hint = match crate::suggest::suggest(path, paths.iter().map(String::as_str))
                    {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "paths look like `stance.<actor>.<issue>.position`, \
                                 `actor.<actor>.capability`"
                            .into(),
                    };
                    return Err(fail(format!("no number at `{path}`; {hint}")));
                };
                // Every number's range is declared by the format (`visit_nums_declared`), so
                // every set value is checked against it.
                if !domain.contains(*value) {
                    return Err(fail(format!(
                        "{value} is outside the allowed range [{}, {}]",
                        domain.min, domain.max
                    )));
                }
            }
        }
    }
    Ok(out)
}

/// Every number's path (in `visit_nums_mut` order).
pub fn num_paths(scn: &Scenario) -> Vec<String> {
    let mut s = scn.clone();
    let mut out = Vec::new();
    s.visit_nums_mut(&mut |p, _| out.push(p.to_string()));
    out
}

/// Parse every outcome class's predicate.
pub fn compile_outcomes(scn: &Scenario) -> Result<Vec<Expr>, McError> {
    scn.outcomes
        .iter()
        .map(|o| {
            Expr::parse(&o.when, scn.scenario.as_of).map_err(|error| McError::Predicate {
                outcome: o.id.clone(),
                error,
            })
        })
        .collect()
}

/// A base scenario's slot layout: every number's path ([`crate::sample::layout`], in visit
/// order) → its slot in the `u` vector. What every job on that base shares; built once per
/// base by a caller that runs many jobs on it ([`simulate_outcomes_on`]).
pub(crate) struct BaseLayout {
    slots: HashMap<String, usize>,
    n_slots: usize,
}

impl BaseLayout {
    pub(crate) fn new(base: &Scenario) -> BaseLayout {
        let paths = crate::sample::layout(base);
        let n_slots = paths.len();
        // in visit order, so a repeated path keeps its last slot
        let slots = paths.into_iter().enumerate().map(|(i, p)| (p, i)).collect();
        BaseLayout { slots, n_slots }
    }
}

/// Prepared job: the edited scenario and its sampler on the base layout.
struct Prepared {
    scn: Scenario,
    sampler: Sampler,
    /// `scn` with the crisis elements named in `scn.disabled` already removed by
    /// [`crate::scenario::crisis::CrisisSpec::disable`] (in the order `crisis::simulate` would
    /// remove them each run), and a sampler writing into it through the same slots. Disabling
    /// only drops elements by id, so sampling then disabling equals disabling then sampling,
    /// and the crisis model no longer copies its spec every run. `None` when that would be
    /// `(scn, sampler)` itself (nothing newly disabled, or nothing removed; or the plain path,
    /// see [`prepare_on`]).
    run: Option<(Scenario, Sampler)>,
}

impl Prepared {
    /// The template every run of the job samples into.
    fn run_scn(&self) -> &Scenario {
        self.run.as_ref().map_or(&self.scn, |(s, _)| s)
    }

    /// The sampler writing into [`Prepared::run_scn`].
    fn run_sampler(&self) -> &Sampler {
        self.run.as_ref().map_or(&self.sampler, |(_, s)| s)
    }
}

fn prepare(base: &Scenario, discount: f64, edits: &[Edit]) -> Result<Prepared, McError> {
    prepare_on(base, &BaseLayout::new(base), discount, edits)
}

/// [`prepare`] on the layout of `base` built beforehand.
fn prepare_on(
    base: &Scenario,
    layout: &BaseLayout,
    discount: f64,
    edits: &[Edit],
) -> Result<Prepared, McError> {
    let mut scn = apply_edits(base, edits)?;
    let sampler = Sampler::with_layout_in(&mut scn, discount, &layout.slots, layout.n_slots);
    let new: Vec<&String> = scn
        .disabled
        .iter()
        .filter(|d| !scn.crisis.disabled.iter().any(|x| x == *d))
        .collect();
    let mut run = None;
    if !new.is_empty() {
        let mut run_scn = scn.clone();
        for d in new {
            run_scn.crisis.disable(d);
        }
        // Nothing removed: the template is `scn`, its sampler `sampler` (the same inputs).
        if run_scn.crisis != scn.crisis {
            let run_sampler =
                Sampler::with_layout_in(&mut run_scn, discount, &layout.slots, layout.n_slots);
            // Numbers outside the base layout got fresh slots, which removal could renumber:
            // keep the plain path so every run draws exactly the uniforms it always drew.
            if run_sampler.n_slots == sampler.n_slots {
                run = Some((run_scn, run_sampler));
            }
        }
    }
    Ok(Prepared { scn, sampler, run })
}

/// A job's outcome predicates (compiled first, so their error comes first), its prepared
/// scenario and sampler (on `layout` when the caller built it beforehand) and its fold context.
fn job(
    scn: &Scenario,
    cfg: &McConfig,
    keep: Keep,
    layout: Option<&BaseLayout>,
) -> Result<(Prepared, FoldCx), McError> {
    let outcomes = compile_outcomes(scn)?;
    let (d, e) = (cfg.evidence_discount, &cfg.edits);
    let p = match layout {
        Some(l) => prepare_on(scn, l, d, e)?,
        None => prepare(scn, d, e)?,
    };
    let cx = FoldCx::new(scn, outcomes, &p, keep, cfg);
    Ok((p, cx))
}

/// Run `i`'s sampled scenario (before the model runs).
fn sampled(p: &Prepared, seed: u64, i: u64) -> Scenario {
    let mut s = p.scn.clone();
    let mut r = rng::substream(seed, i, SAMPLE_PURPOSE);
    let u = p.sampler.draw_u(&mut r);
    p.sampler.apply(&mut s, &u);
    s
}

/// Write run `i`'s sampled values into `s` (a copy of `p.run_scn`, possibly holding an earlier
/// run's values): the scenario handed to the model, i.e. [`sampled`] with the disabled crisis
/// elements already removed. [`Sampler::sample_run`] draws each input's uniform where it is
/// used (the same values as `draw_u_into` then `apply`), so no buffer of uniforms is kept.
fn sample_into(p: &Prepared, seed: u64, i: u64, s: &mut Scenario) {
    let mut r = rng::substream(seed, i, SAMPLE_PURPOSE);
    p.run_sampler().sample_run(&mut r, s);
}

/// Run `i` of a job exactly as [`run_keep`] runs it (same sampled inputs, same stream), for a
/// trace of one run.
pub fn run_one<F, E>(scn: &Scenario, cfg: &McConfig, i: u64, f: F) -> Result<RunState, McError>
where
    F: Fn(&Scenario, &mut Rng) -> Result<RunState, E>,
    E: Display,
{
    let p = prepare(scn, cfg.evidence_discount, &cfg.edits)?;
    let mut s = p.run_scn().clone();
    sample_into(&p, cfg.seed, i, &mut s);
    let mut r = rng::stream(cfg.seed, i);
    f(&s, &mut r).map_err(|e| McError::Run {
        run: i,
        message: e.to_string(),
    })
}

/// The sampled scenario of run `i` of a job (for inspection and tests).
pub fn sampled_scenario(
    scn: &Scenario,
    cfg: &McConfig,
    run_index: u64,
) -> Result<Scenario, McError> {
    let p = prepare(scn, cfg.evidence_discount, &cfg.edits)?;
    Ok(sampled(&p, cfg.seed, run_index))
}

/// What a job folded in, in run-index order: exact counts (outcomes, questions, events),
/// streaming accumulators for vars and series ([`agg`]), and per-run data only where a caller
/// asks for it ([`Keep`]).
#[derive(Clone, Debug, Default)]
pub struct Runs {
    pub n: u64,
    /// var → value per run (NaN = missing in that run). Only with [`Keep::All`].
    pub vars: BTreeMap<String, Vec<f64>>,
    /// series → per run (empty = missing in that run). Only with [`Keep::All`].
    pub series: BTreeMap<String, Vec<Vec<f64>>>,
    /// event → (runs in which it occurred, total occurrences).
    pub events: BTreeMap<String, (u64, u64)>,
    /// outcome index → per-run indicator (what paired comparisons read; only its counts when
    /// the job did not keep pairs, [`McConfig::keep_pairs`]).
    pub outcomes: Vec<Bits>,
    /// question index (of `Scenario::questions`) → per-run indicator of its `when` predicate
    /// (empty for a question whose predicate does not parse; counts only as for
    /// [`Runs::outcomes`]). Not with [`Keep::Outcomes`].
    pub questions: Vec<Bits>,
    /// How the outcome classes covered the runs, counted as they were folded.
    pub coverage: ClassCoverage,
    /// var → streaming summary (not with [`Keep::Outcomes`]).
    pub var_acc: BTreeMap<String, agg::VarAcc>,
    /// series → streaming per-round bands (not with [`Keep::Outcomes`]).
    pub series_acc: BTreeMap<String, agg::SeriesAcc>,
}

/// What per-run data a job keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// Everything streamed plus every run's vars and series (`Runs::vars`, `Runs::series`):
    /// for tests and per-run inspection; memory grows with the run count.
    All,
    /// Outcome and question indicators, event counts and the streaming var and series
    /// accumulators: what [`run_keep`] keeps. Memory is flat in the run count but for one bit
    /// per outcome and question per run, and for none when the job keeps no pairs
    /// ([`McConfig::keep_pairs`]: then only their counts).
    Stream,
    /// Outcome indicators only (no vars, series, questions or events).
    Outcomes,
}

/// The `disabled.<id>` var names of a job, built once per job (not per run).
fn disabled_names(disabled: &BTreeSet<String>) -> Vec<String> {
    disabled.iter().map(|d| format!("disabled.{d}")).collect()
}

/// What folding a run needs, built once per job.
struct FoldCx {
    outcomes: Vec<Expr>,
    /// Per question of the scenario: its parsed `when` (None if it does not parse).
    questions: Vec<Option<Expr>>,
    disabled: Vec<String>,
    /// the `disabled.<id>` names the job folds into its var summaries ([`Collect::folds_var`],
    /// settled once rather than per run)
    folded_disabled: Vec<String>,
    keep: Keep,
    /// Whether the indicators keep their per-run bits ([`McConfig::keep_pairs`]; always with
    /// [`Keep::All`] and [`Keep::Outcomes`], whose runs are paired or inspected).
    pairs: bool,
    /// What the streaming fold aggregates beyond the indicators ([`McConfig::collect`]).
    collect: Collect,
    bins: usize,
    /// What the runs record, typed: a continuous var's histogram spans its declared range.
    schema: crate::schema::OutputSchema,
}

impl FoldCx {
    /// `outcomes` = [`compile_outcomes`] of `scn` (compiled first, so its error comes first).
    fn new(scn: &Scenario, outcomes: Vec<Expr>, p: &Prepared, keep: Keep, cfg: &McConfig) -> Self {
        let as_of = scn.scenario.as_of;
        let collect = cfg.collect;
        let disabled = disabled_names(&p.scn.disabled);
        let folded_disabled = disabled
            .iter()
            .filter(|d| collect.folds_var(d))
            .cloned()
            .collect();
        FoldCx {
            outcomes,
            questions: scn
                .questions
                .iter()
                .map(|q| crate::expr::parse(&q.when, as_of).ok())
                .collect(),
            disabled,
            folded_disabled,
            keep,
            pairs: keep != Keep::Stream || cfg.keep_pairs,
            collect,
            bins: cfg.bins,
            // read only by the var accumulators, which `Keep::Outcomes` does not keep
            schema: if keep == Keep::Outcomes || !collect.vars {
                crate::schema::OutputSchema::default()
            } else {
                crate::schema::outputs(scn)
            },
        }
    }
}

impl FoldCx {
    /// An indicator as this job keeps them: bits, or counts only ([`FoldCx::pairs`]).
    fn empty_bits(&self) -> Bits {
        if self.pairs {
            Bits::new()
        } else {
            Bits::counting()
        }
    }

    /// Whether the job folds its runs' series (not with `Keep::Outcomes`, nor when the job
    /// does not collect them).
    fn folds_series(&self) -> bool {
        self.keep != Keep::Outcomes && self.collect.series
    }
}

/// Count one run's `events` that `keep` accepts into `counts`: per event, (runs in which it
/// occurred, total occurrences). A run logs few events: its first occurrences are found by a
/// scan, no set.
fn count_run_events<K: Ord + Clone>(
    counts: &mut BTreeMap<K, (u64, u64)>,
    events: &[K],
    keep: impl Fn(&K) -> bool,
) {
    for (j, e) in events.iter().enumerate() {
        if !keep(e) {
            continue;
        }
        let first = !events[..j].contains(e);
        let entry = match counts.get_mut(e) {
            Some(x) => x,
            None => counts.entry(e.clone()).or_insert((0, 0)),
        };
        entry.1 += 1;
        if first {
            entry.0 += 1;
        }
    }
}

/// Where a var a predicate reads is found in a [`SlotRun`].
#[derive(Clone, Copy, Debug)]
enum At {
    /// a `disabled.<id>` var of the job: 1 (whatever the run wrote), as in [`Runs::push`]
    One,
    Slot(usize),
    /// not in the layout: never written
    Absent,
}

/// What folding a [`SlotRun`] needs beyond the [`FoldCx`], built once per job from the
/// runner's [`Layout`], and the job's var and series accumulators by slot (moved into
/// [`Runs::var_acc`] and [`Runs::series_acc`] by name when the job ends, [`SlotFold::finish`]).
struct SlotFold {
    layout: Layout,
    outcomes: Vec<Expr<At>>,
    questions: Vec<Option<Expr<At>>>,
    /// per var slot: whether its name is a `disabled.<id>` of the job (folded as the job's 1)
    /// or a var the job does not collect ([`Collect::folds_var`])
    skip: Vec<bool>,
    vars: Vec<Option<agg::VarAcc>>,
    series: Vec<Option<agg::SeriesAcc>>,
    /// per event key of the runs ([`SlotRun::keys`]): (runs in which it occurred, total
    /// occurrences), named into [`Runs::events`] when the job ends
    keys: tally::KeyTally,
    /// per event template of the layout: whether its keys are counted. A template whose kind
    /// its leading text does not settle is counted, and its texts sifted when named
    /// ([`SlotFold::finish`]).
    count_template: Vec<bool>,
}

impl SlotFold {
    fn new(layout: Layout, cx: &FoldCx) -> SlotFold {
        let index: HashMap<&str, usize> = layout
            .vars
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i))
            .collect();
        let mut at = |v: &String| -> Result<At, std::convert::Infallible> {
            Ok(if cx.disabled.binary_search(v).is_ok() {
                At::One
            } else {
                index.get(v.as_str()).map_or(At::Absent, |&i| At::Slot(i))
            })
        };
        let outcomes = cx
            .outcomes
            .iter()
            .filter_map(|e| e.map_vars(&mut at).ok())
            .collect();
        let questions = cx
            .questions
            .iter()
            .map(|q| q.as_ref().and_then(|e| e.map_vars(&mut at).ok()))
            .collect();
        // a slot is not folded when its var is a `disabled.<id>` of the job (folded as 1 by
        // `push_disabled`) or one the job does not collect
        let skip = layout
            .vars
            .iter()
            .map(|v| cx.disabled.binary_search(v).is_ok() || !cx.collect.folds_var(v))
            .collect();
        let count_template = layout
            .events
            .templates
            .iter()
            .map(|parts| match parts.first() {
                Some(crate::state::Part::Text(t)) if t.contains(':') => cx.collect.counts_event(t),
                _ => cx.collect.events,
            })
            .collect();
        SlotFold {
            count_template,
            vars: vec![None; layout.vars.len()],
            series: vec![None; layout.series.len()],
            layout,
            outcomes,
            questions,
            skip,
            keys: tally::KeyTally::default(),
        }
    }

    /// Move the accumulators and event counts into `runs`, by name (keys naming the same text
    /// add up, as their texts would have been counted).
    fn finish(self, runs: &mut Runs, collect: &Collect) {
        let mut text = String::new();
        for (k, (r, n)) in self.keys.into_counts() {
            text.clear();
            self.layout.events.write(&k, &mut text);
            if !collect.counts_event(&text) {
                continue;
            }
            let e = match runs.events.get_mut(text.as_str()) {
                Some(e) => e,
                None => runs.events.entry(text.clone()).or_insert((0, 0)),
            };
            e.0 += r;
            e.1 += n;
        }
        for (name, acc) in self.layout.vars.into_iter().zip(self.vars) {
            if let Some(a) = acc {
                runs.var_acc.insert(name, a);
            }
        }
        for (name, acc) in self.layout.series.into_iter().zip(self.series) {
            if let Some(a) = acc {
                runs.series_acc.insert(name, a);
            }
        }
    }
}

impl Runs {
    /// [`Runs::push`] of the run `sr` stands for (not with [`Keep::All`]): the same indicators,
    /// accumulators and counts, read by slot.
    fn push_slots(&mut self, sr: &SlotRun, cx: &FoldCx, sf: &mut SlotFold) {
        let mut lookup = |a: &At| -> Option<f64> {
            match *a {
                At::One => Some(1.0),
                At::Slot(i) => sr.get(i),
                At::Absent => None,
            }
        };
        self.push_outcomes(cx, sf.outcomes.iter().map(|e| e.eval(&mut lookup)));
        if cx.keep == Keep::Outcomes {
            self.n += 1;
            return;
        }
        if self.questions.len() < sf.questions.len() {
            self.questions.resize(sf.questions.len(), cx.empty_bits());
        }
        for (k, e) in sf.questions.iter().enumerate() {
            if let Some(e) = e {
                self.questions[k].push(e.eval(&mut lookup));
            }
        }
        if cx.collect.vars {
            for (i, (&v, acc)) in sr.vars.iter().zip(sf.vars.iter_mut()).enumerate() {
                if !SlotRun::written(v) || sf.skip[i] {
                    continue;
                }
                acc.get_or_insert_with(|| {
                    agg::VarAcc::new(var_range(&cx.schema, &sf.layout.vars[i]), cx.bins)
                })
                .push(v);
            }
            self.push_disabled(cx);
        }
        // without series collected the layout has none (`simulate_prepared`): nothing here
        for (s, acc) in sr.series.iter().zip(sf.series.iter_mut()) {
            if !s.is_empty() {
                acc.get_or_insert_with(agg::SeriesAcc::default).push(s);
            }
        }
        if cx.collect.events {
            self.count_events(&sr.events, cx);
            sf.keys.count(&sr.keys, &sf.count_template);
        }
        self.n += 1;
    }

    /// One run's outcome indicators, in class order, and the classes it fell in.
    fn push_outcomes(&mut self, cx: &FoldCx, hits: impl ExactSizeIterator<Item = bool>) {
        if self.outcomes.len() < hits.len() {
            self.outcomes.resize(hits.len(), cx.empty_bits());
        }
        let mut classes = 0usize;
        for (b, hit) in self.outcomes.iter_mut().zip(hits) {
            classes += usize::from(hit);
            b.push(hit);
        }
        self.coverage.add(classes);
    }

    /// Every `disabled.<id>` var of the job reads 1 in this run (when the job collects it).
    fn push_disabled(&mut self, cx: &FoldCx) {
        for d in &cx.folded_disabled {
            match self.var_acc.get_mut(d) {
                Some(a) => a.push(1.0),
                None => {
                    let mut a = agg::VarAcc::new(var_range(&cx.schema, d), cx.bins);
                    a.push(1.0);
                    self.var_acc.insert(d.clone(), a);
                }
            }
        }
    }

    /// Count a run's events: occurrences, and runs in which each occurred.
    fn count_events(&mut self, events: &[String], cx: &FoldCx) {
        count_run_events(&mut self.events, events, |e| cx.collect.counts_event(e));
    }

    /// Fold one run in. Every `disabled.<id>` var of the job reads 1 (whatever the run function
    /// set), as if it had been inserted into the run's vars before the outcome predicates are
    /// evaluated; `disabled` holds those names, sorted.
    /// Gives `st` back (for reuse) unless [`Keep::All`] kept it.
    fn push(&mut self, st: RunState, cx: &FoldCx, run: u64) -> Option<RunState> {
        let disabled = &cx.disabled[..];
        {
            let vars = &st.vars;
            let mut lookup = |v: &String| -> Option<f64> {
                if disabled.binary_search(v).is_ok() {
                    Some(1.0)
                } else {
                    vars.get(v).copied()
                }
            };
            self.push_outcomes(cx, cx.outcomes.iter().map(|e| e.eval(&mut lookup)));
            if cx.keep != Keep::Outcomes {
                if self.questions.len() < cx.questions.len() {
                    self.questions.resize(cx.questions.len(), cx.empty_bits());
                }
                for (k, e) in cx.questions.iter().enumerate() {
                    if let Some(e) = e {
                        self.questions[k].push(e.eval(&mut lookup));
                    }
                }
            }
        }
        if cx.keep == Keep::Outcomes {
            self.n += 1;
            return Some(st);
        }
        self.push_streamed(&st, cx, run < agg::SERIES_MAX_RUNS);
        let back = if cx.keep == Keep::All {
            self.keep_run(st, disabled);
            None
        } else {
            Some(st)
        };
        self.n += 1;
        back
    }

    /// The streaming accumulators of [`Runs::push`]: var summaries, series and event counts,
    /// each when the job collects it (the series only when `series`: the run is one of the
    /// first [`agg::SERIES_MAX_RUNS`]).
    fn push_streamed(&mut self, st: &RunState, cx: &FoldCx, series: bool) {
        if cx.collect.vars {
            self.push_vars(st, cx);
        }
        if cx.collect.series && series {
            self.push_series(st);
        }
        if cx.collect.events {
            self.count_events(&st.events, cx);
        }
    }

    /// A run's vars and series come sorted by name, as do the accumulators: walk both in step
    /// (one name comparison per var instead of a tree search), then add the names this run is
    /// the first to have.
    fn push_vars(&mut self, st: &RunState, cx: &FoldCx) {
        let disabled = &cx.disabled[..];
        let mut fresh: Vec<(&String, f64)> = Vec::new();
        {
            let mut acc = self.var_acc.iter_mut().peekable();
            for (k, v) in &st.vars {
                if disabled.binary_search(k).is_ok() || !cx.collect.folds_var(k) {
                    continue;
                }
                while acc.next_if(|(a, _)| a.as_str() < k.as_str()).is_some() {}
                match acc.next_if(|(a, _)| *a == k) {
                    Some((_, a)) => a.push(*v),
                    None => fresh.push((k, *v)),
                }
            }
        }
        for (k, v) in fresh {
            let mut a = agg::VarAcc::new(var_range(&cx.schema, k), cx.bins);
            a.push(v);
            self.var_acc.insert(k.clone(), a);
        }
        self.push_disabled(cx);
    }

    fn push_series(&mut self, st: &RunState) {
        let mut fresh: Vec<(&String, &Vec<f64>)> = Vec::new();
        {
            let mut acc = self.series_acc.iter_mut().peekable();
            for (k, s) in &st.series {
                while acc.next_if(|(a, _)| a.as_str() < k.as_str()).is_some() {}
                match acc.next_if(|(a, _)| *a == k) {
                    Some((_, a)) => a.push(s),
                    None => fresh.push((k, s)),
                }
            }
        }
        for (k, s) in fresh {
            let mut a = agg::SeriesAcc::default();
            a.push(s);
            self.series_acc.insert(k.clone(), a);
        }
    }

    /// [`Keep::All`]: store run `self.n`'s vars and series columnwise.
    fn keep_run(&mut self, st: RunState, disabled: &[String]) {
        let mut st = st;
        let i = self.n as usize;
        for (k, v) in &st.vars {
            match self.vars.get_mut(k) {
                Some(col) => col.push(*v),
                None => {
                    let mut col = vec![f64::NAN; i];
                    col.push(*v);
                    self.vars.insert(k.clone(), col);
                }
            }
        }
        for d in disabled {
            match self.vars.get_mut(d) {
                Some(col) if col.len() == i + 1 => col[i] = 1.0,
                Some(col) => col.push(1.0),
                None => {
                    let mut col = vec![f64::NAN; i];
                    col.push(1.0);
                    self.vars.insert(d.clone(), col);
                }
            }
        }
        for col in self.vars.values_mut() {
            if col.len() == i {
                col.push(f64::NAN);
            }
        }
        for (k, s) in std::mem::take(&mut st.series) {
            match self.series.get_mut(&k) {
                Some(col) => col.push(s),
                None => {
                    let mut col = vec![Vec::new(); i];
                    col.push(s);
                    self.series.insert(k, col);
                }
            }
        }
        for col in self.series.values_mut() {
            if col.len() == i {
                col.push(Vec::new());
            }
        }
    }

    /// Hits per outcome class.
    pub fn hits(&self) -> Vec<u64> {
        self.outcomes.iter().map(Bits::ones).collect()
    }

    /// Runs in which question `k` of the scenario resolved yes (`None` when its predicate did
    /// not parse or the job kept no question indicators).
    pub fn question_yes(&self, k: usize) -> Option<u64> {
        let v = self.questions.get(k)?;
        (v.len() == self.n).then(|| v.ones())
    }

    /// Per-run values of a var (NaN where missing; [`Keep::All`] only).
    pub fn var(&self, name: &str) -> Option<&[f64]> {
        self.vars.get(name).map(Vec::as_slice)
    }

    /// The vars of run `i` (as the run function produced them, plus `disabled.*`;
    /// [`Keep::All`] only).
    pub fn run_vars(&self, i: usize) -> BTreeMap<String, f64> {
        self.vars
            .iter()
            .filter_map(|(k, v)| {
                v.get(i)
                    .copied()
                    .filter(|x| !x.is_nan())
                    .map(|x| (k.clone(), x))
            })
            .collect()
    }

    /// Evaluate any predicate over the stored runs after the fact: per-run indicators in run
    /// order ([`Keep::All`] only; a job that streams evaluates its predicates as it folds).
    pub fn indicators(&self, pred: &Expr) -> Vec<bool> {
        (0..self.n as usize)
            .map(|i| pred.eval_vars(&self.run_vars(i)))
            .collect()
    }

    /// Probability of any predicate with its Wilson 95% interval ([`Keep::All`] only).
    pub fn proportion(&self, pred: &Expr) -> Proportion {
        let hits = self.indicators(pred).iter().filter(|b| **b).count() as u64;
        Proportion::new(hits, self.n)
    }
}

/// A proportion with its Wilson 95% interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Proportion {
    pub hits: u64,
    pub runs: u64,
    pub p: f64,
    pub lo: f64,
    pub hi: f64,
}

impl Proportion {
    pub fn new(hits: u64, runs: u64) -> Proportion {
        let (lo, hi) = wilson(hits, runs, Z95);
        Proportion {
            hits,
            runs,
            p: if runs > 0 {
                hits as f64 / runs as f64
            } else {
                0.0
            },
            lo,
            hi,
        }
    }
}

/// Number of runs evaluated per parallel batch. Adaptive jobs decide whether to stop only here,
/// at a batch boundary in run order, so the run count is a function of (scenario, seed) alone.
pub const BATCH: u64 = 1024;
/// Runs computed in parallel before they are folded (in run order, while the next chunk
/// computes): bounds the run states alive at once to two chunks.
pub const CHUNK: u64 = 128;
/// Runs one worker takes at a time inside a chunk (one scenario buffer per piece): small, so
/// that the two threads of a chunk finish close together (a chunk ends when its last piece
/// does).
const PIECE: u64 = 4;

/// Most slot runs kept between jobs ([`spare_runs`]): the two chunks one job has alive.
pub const MAX_SPARE_RUNS: usize = 2 * CHUNK as usize;

/// Slot runs handed back by finished jobs, lent to the next job's first chunks: a study runs
/// many short jobs (88 pivotality variants of 50 runs, the sequential looks), and a job's first
/// two chunks have no run of its own to recycle yet, so without this every run of a short job
/// grew ≈ 80 fresh buffers (its series). Which buffer a run gets never changes its result:
/// [`SlotRun::begin`] resets every field before the model writes it.
mod spare_runs {
    use super::{SlotRun, MAX_SPARE_RUNS};
    use std::sync::Mutex;

    static SPARE: Mutex<Vec<SlotRun>> = Mutex::new(Vec::new());

    /// Up to `want` spare runs (fewer, or none, when other jobs hold them).
    pub(super) fn take(want: usize) -> Vec<SlotRun> {
        match SPARE.lock() {
            Ok(mut v) => {
                let n = v.len().saturating_sub(want);
                v.split_off(n)
            }
            Err(_) => Vec::new(),
        }
    }

    /// Keep `runs` for later jobs, up to [`MAX_SPARE_RUNS`] in all.
    pub(super) fn give(runs: impl IntoIterator<Item = SlotRun>) {
        if let Ok(mut v) = SPARE.lock() {
            let room = MAX_SPARE_RUNS.saturating_sub(v.len());
            v.extend(runs.into_iter().take(room));
        }
    }

    /// Drop every kept run; how many there were.
    pub(super) fn release() -> usize {
        match SPARE.lock() {
            Ok(mut v) => std::mem::take(&mut *v).len(),
            Err(_) => 0,
        }
    }
}

/// Drop the slot runs finished jobs keep for the next ones (at most [`MAX_SPARE_RUNS`], each
/// holding the buffers of the largest run it served): memory a long-lived process may hand
/// back, and what a leak test sets aside. No result depends on them. Returns how many were kept.
pub fn release_spare_runs() -> usize {
    spare_runs::release()
}

/// A run function prepared once per job: [`Runner::worker`] builds, from the job's template
/// scenario (edits applied, disabled elements removed; every number at its stated value), the
/// state a run needs that does not depend on the sampled numbers (e.g. a compiled crisis model,
/// `crate::engine::Prepared`); [`Runner::run`] then runs one sampled copy of that template.
/// A job builds one worker per piece of runs in flight and reuses it for later pieces, so a
/// worker must give the same result for a run whatever runs it did before.
pub trait Runner: Sync {
    type Worker: Send;
    type Error: Display;
    /// The per-job state for `template`. An error here is reported as the error of the first
    /// run that would have used the worker.
    fn worker(&self, template: &Scenario) -> Result<Self::Worker, Self::Error>;
    /// One run of `scn` (a sampled copy of the template) with the run's stream `rng`.
    fn run(
        &self,
        worker: &mut Self::Worker,
        scn: &Scenario,
        rng: &mut Rng,
    ) -> Result<RunState, Self::Error>;
    /// [`Runner::run`] into `st`, a state recycled from an earlier run (any content): after
    /// `Ok`, `st` must equal what `run` returns. The default overwrites it; a runner may reuse
    /// its keys and buffers instead ([`RunState::begin_reuse`]).
    fn run_into(
        &self,
        worker: &mut Self::Worker,
        scn: &Scenario,
        rng: &mut Rng,
        st: &mut RunState,
    ) -> Result<(), Self::Error> {
        *st = self.run(worker, scn, rng)?;
        Ok(())
    }
    /// The names of the vars and series this runner's runs write, by slot, when it can write
    /// them index-addressed ([`Runner::run_slots`]): a job then folds [`SlotRun`]s, with no
    /// name compared per run. `None` (the default): the job folds [`RunState`]s. Every worker
    /// of one template must give the same layout.
    fn layout(&self, _worker: &Self::Worker) -> Option<Layout> {
        None
    }
    /// [`Runner::run`] into `out` by the slots of `layout` (= [`Runner::layout`] of a worker of
    /// the same template): the same values. The default runs [`Runner::run`] and places its
    /// vars and series by name (a var or series missing from the layout would be lost, which
    /// is why [`Runner::layout`] must list every name a run may write).
    fn run_slots(
        &self,
        worker: &mut Self::Worker,
        scn: &Scenario,
        rng: &mut Rng,
        layout: &Layout,
        out: &mut SlotRun,
    ) -> Result<(), Self::Error> {
        let st = self.run(worker, scn, rng)?;
        out.place(st, layout);
        Ok(())
    }
}

/// A plain run function `Fn(&Scenario, &mut Rng)` as a [`Runner`] that prepares nothing.
pub struct PerRun<F>(pub F);

impl<F, E> Runner for PerRun<F>
where
    F: Fn(&Scenario, &mut Rng) -> Result<RunState, E> + Sync,
    E: Display,
{
    type Worker = ();
    type Error = E;
    fn worker(&self, _: &Scenario) -> Result<(), E> {
        Ok(())
    }
    fn run(&self, _: &mut (), scn: &Scenario, rng: &mut Rng) -> Result<RunState, E> {
        (self.0)(scn, rng)
    }
}

impl<R: Runner + ?Sized> Runner for &R {
    type Worker = R::Worker;
    type Error = R::Error;
    fn worker(&self, template: &Scenario) -> Result<R::Worker, R::Error> {
        (**self).worker(template)
    }
    fn run(&self, w: &mut R::Worker, scn: &Scenario, rng: &mut Rng) -> Result<RunState, R::Error> {
        (**self).run(w, scn, rng)
    }
    fn run_into(
        &self,
        w: &mut R::Worker,
        scn: &Scenario,
        rng: &mut Rng,
        st: &mut RunState,
    ) -> Result<(), R::Error> {
        (**self).run_into(w, scn, rng, st)
    }
    fn layout(&self, w: &R::Worker) -> Option<Layout> {
        (**self).layout(w)
    }
    fn run_slots(
        &self,
        w: &mut R::Worker,
        scn: &Scenario,
        rng: &mut Rng,
        layout: &Layout,
        out: &mut SlotRun,
    ) -> Result<(), R::Error> {
        (**self).run_slots(w, scn, rng, layout, out)
    }
}

/// `runner` calling `tick` after every run (a caller's progress count across several jobs).
pub struct Tick<'a, R> {
    pub runner: R,
    pub tick: &'a (dyn Fn() + Sync),
}

impl<R: Runner> Runner for Tick<'_, R> {
    type Worker = R::Worker;
    type Error = R::Error;
    fn worker(&self, template: &Scenario) -> Result<R::Worker, R::Error> {
        self.runner.worker(template)
    }
    fn run(&self, w: &mut R::Worker, scn: &Scenario, rng: &mut Rng) -> Result<RunState, R::Error> {
        let out = self.runner.run(w, scn, rng);
        (self.tick)();
        out
    }
    fn run_into(
        &self,
        w: &mut R::Worker,
        scn: &Scenario,
        rng: &mut Rng,
        st: &mut RunState,
    ) -> Result<(), R::Error> {
        let out = self.runner.run_into(w, scn, rng, st);
        (self.tick)();
        out
    }
    fn layout(&self, w: &R::Worker) -> Option<Layout> {
        self.runner.layout(w)
    }
    fn run_slots(
        &self,
        w: &mut R::Worker,
        scn: &Scenario,
        rng: &mut Rng,
        layout: &Layout,
        out: &mut SlotRun,
    ) -> Result<(), R::Error> {
        let r = self.runner.run_slots(w, scn, rng, layout, out);
        (self.tick)();
        r
    }
}

/// Run the Monte Carlo job and keep every run's data ([`Keep::All`]; for pairing and custom
/// aggregation in tests).
pub fn simulate<F, E>(
    scn: &Scenario,
    cfg: &McConfig,
    f: F,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<Runs, McError>
where
    F: Fn(&Scenario, &mut Rng) -> Result<RunState, E> + Sync,
    E: Display,
{
    simulate_keep(scn, cfg, f, progress, Keep::All)
}

/// [`simulate`] keeping only the outcome indicators (`Runs::outcomes`; `vars`, `series` and
/// `events` stay empty): what [`deltas`] and [`Runs::hits`] read. The indicators are the same
/// bits [`simulate`] gives.
pub fn simulate_outcomes<F, E>(
    scn: &Scenario,
    cfg: &McConfig,
    f: F,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<Runs, McError>
where
    F: Fn(&Scenario, &mut Rng) -> Result<RunState, E> + Sync,
    E: Display,
{
    simulate_keep(scn, cfg, f, progress, Keep::Outcomes)
}

/// [`simulate_outcomes`] with a prepared [`Runner`].
pub fn simulate_outcomes_with<R: Runner>(
    scn: &Scenario,
    cfg: &McConfig,
    runner: &R,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<Runs, McError> {
    simulate_keep_with(scn, cfg, runner, progress, Keep::Outcomes)
}

/// [`simulate`] keeping what `keep` says. Runs are computed in chunks of [`CHUNK`] on the
/// rayon pool; chunk k is folded into the result (in run order) while chunk k + 1 computes.
pub fn simulate_keep<F, E>(
    scn: &Scenario,
    cfg: &McConfig,
    f: F,
    progress: Option<&(dyn Fn(u64) + Sync)>,
    keep: Keep,
) -> Result<Runs, McError>
where
    F: Fn(&Scenario, &mut Rng) -> Result<RunState, E> + Sync,
    E: Display,
{
    simulate_keep_with(scn, cfg, &PerRun(f), progress, keep)
}

/// One computed run as a job hands it to the fold (and back, for reuse).
enum RunOut {
    State(RunState),
    Slots(SlotRun),
}

/// [`simulate_keep`] with a prepared [`Runner`]: its worker is built from the job's template
/// (`Prepared::run_scn`) once per piece in flight and reused, with its scenario buffer, by
/// later pieces.
pub fn simulate_keep_with<R: Runner>(
    scn: &Scenario,
    cfg: &McConfig,
    runner: &R,
    progress: Option<&(dyn Fn(u64) + Sync)>,
    keep: Keep,
) -> Result<Runs, McError> {
    simulate_span_with(scn, cfg, runner, progress, keep, 0)
}

/// [`simulate_keep_with`] of the runs with indices `from..cfg.runs` only (each on its own
/// streams, so the runs are those of the whole job; `Runs::n` counts the span). What a
/// sequential test ([`evaluate_hypotheses_seq_with`]) adds at each look.
pub(crate) fn simulate_span_with<R: Runner>(
    scn: &Scenario,
    cfg: &McConfig,
    runner: &R,
    progress: Option<&(dyn Fn(u64) + Sync)>,
    keep: Keep,
    from: u64,
) -> Result<Runs, McError> {
    let (p, cx) = job(scn, cfg, keep, None)?;
    simulate_prepared(&p, &cx, cfg, runner, progress, from)
}

/// [`simulate_outcomes_with`] on the layout of `scn` built beforehand: what a caller running
/// many jobs on one base scenario (pivotality's variants) uses, so the layout is built once.
pub(crate) fn simulate_outcomes_on<R: Runner>(
    scn: &Scenario,
    layout: &BaseLayout,
    cfg: &McConfig,
    runner: &R,
) -> Result<Runs, McError> {
    let (p, cx) = job(scn, cfg, Keep::Outcomes, Some(layout))?;
    simulate_prepared(&p, &cx, cfg, runner, None, 0)
}

/// The runs `from..` of the prepared job `p` folded by `cx` ([`simulate_span_with`]).
fn simulate_prepared<R: Runner>(
    p: &Prepared,
    cx: &FoldCx,
    cfg: &McConfig,
    runner: &R,
    progress: Option<&(dyn Fn(u64) + Sync)>,
    from: u64,
) -> Result<Runs, McError> {
    let keep = cx.keep;
    let done = AtomicU64::new(0);
    // Scenario buffers with their workers, one per piece in flight: `sample_run` overwrites every
    // uncertain number and certain numbers never change, so a reused buffer equals a fresh
    // sampled copy; a worker depends only on the template.
    type Slot<W> = (Scenario, W);
    let buffers: std::sync::Mutex<Vec<Slot<R::Worker>>> = std::sync::Mutex::new(Vec::new());
    // A runner with a layout writes index-addressed runs (not with `Keep::All`, which keeps
    // every run's named vars): build the first worker now to read it, and pool it.
    let limit = match &cfg.precision {
        Some(p) => p.max_runs.max(cfg.runs),
        None => cfg.runs,
    };
    let mut slot_fold: Option<SlotFold> = None;
    if keep != Keep::All && limit > from {
        if let Ok(w) = runner.worker(p.run_scn()) {
            if let Some(mut layout) = runner.layout(&w) {
                // a job that folds no series gives its runs none to write: a run whose
                // `SlotRun` has no series slot records none ([`Runner::run_slots`])
                if !cx.folds_series() {
                    layout.series.clear();
                }
                slot_fold = Some(SlotFold::new(layout, cx));
            }
            if let Ok(mut v) = buffers.lock() {
                v.push((p.run_scn().clone(), w));
            }
        }
    }
    let layout = slot_fold.as_ref().map(|f| f.layout.clone());
    // the runs past the first `SERIES_MAX_RUNS` record no series: their layout has no series
    // slot (the same layout when the job folds none)
    let bare = layout.as_ref().map(|l| {
        let mut b = l.clone();
        b.series.clear();
        b
    });
    // Run states folded and handed back for reuse (not with `Keep::All`, which keeps them):
    // at most the two chunks alive at a time; the first ones lent by earlier jobs.
    let lent = match &layout {
        Some(_) => {
            spare_runs::take((limit.saturating_sub(from)).min(MAX_SPARE_RUNS as u64) as usize)
        }
        None => Vec::new(),
    };
    let states: std::sync::Mutex<Vec<RunOut>> =
        std::sync::Mutex::new(lent.into_iter().map(RunOut::Slots).collect());
    let compute = |from: u64, to: u64| -> Vec<Result<RunOut, String>> {
        let pieces = (to - from).div_ceil(PIECE);
        let out: Vec<Vec<Result<RunOut, String>>> = (0..pieces)
            .into_par_iter()
            .map(|k| {
                let a = from + k * PIECE;
                let b = (a + PIECE).min(to);
                let taken = buffers.lock().ok().and_then(|mut v| v.pop());
                let (mut s, mut w) = match taken {
                    Some(slot) => slot,
                    None => match runner.worker(p.run_scn()) {
                        Ok(w) => (p.run_scn().clone(), w),
                        Err(e) => {
                            let m = e.to_string();
                            return (a..b).map(|_| Err(m.clone())).collect();
                        }
                    },
                };
                let mut spare: Vec<RunOut> = match states.lock() {
                    Ok(mut v) => {
                        let n = v.len().saturating_sub((b - a) as usize);
                        v.split_off(n)
                    }
                    Err(_) => Vec::new(),
                };
                let res: Vec<Result<RunOut, String>> = (a..b)
                    .map(|i| {
                        if cfg.cancel.is_cancelled() {
                            return Err(String::new());
                        }
                        sample_into(p, cfg.seed, i, &mut s);
                        let mut r = rng::stream(cfg.seed, i);
                        let shape = if i < agg::SERIES_MAX_RUNS {
                            &layout
                        } else {
                            &bare
                        };
                        let out = match (shape, spare.pop()) {
                            (Some(l), spare) => {
                                let mut sr = match spare {
                                    Some(RunOut::Slots(sr)) => sr,
                                    _ => SlotRun::default(),
                                };
                                runner
                                    .run_slots(&mut w, &s, &mut r, l, &mut sr)
                                    .map(|()| RunOut::Slots(sr))
                            }
                            (None, spare) => {
                                let mut st = match spare {
                                    Some(RunOut::State(st)) => st,
                                    _ => RunState::default(),
                                };
                                runner
                                    .run_into(&mut w, &s, &mut r, &mut st)
                                    .map(|()| RunOut::State(st))
                            }
                        }
                        .map_err(|e| e.to_string());
                        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                        if let Some(cb) = progress {
                            cb(n);
                        }
                        out
                    })
                    .collect();
                if let Ok(mut v) = buffers.lock() {
                    v.push((s, w));
                }
                res
            })
            .collect();
        out.into_iter().flatten().collect()
    };
    let fold = |(runs, sf): &mut (Runs, Option<SlotFold>),
                from: u64,
                batch: Vec<Result<RunOut, String>>| {
        for (k, r) in batch.into_iter().enumerate() {
            let back = match (r, sf.as_mut()) {
                (Ok(RunOut::Slots(sr)), Some(sf)) => {
                    runs.push_slots(&sr, cx, sf);
                    Some(RunOut::Slots(sr))
                }
                (Ok(RunOut::State(st)), _) => runs.push(st, cx, from + k as u64).map(RunOut::State),
                (Ok(RunOut::Slots(_)), None) => {
                    // slot runs come only with a layout, which made the slot fold: never here
                    return Err(McError::Run {
                        run: from + k as u64,
                        message: "internal: a slot run without a layout".into(),
                    });
                }
                (Err(message), _) => {
                    return Err(McError::Run {
                        run: from + k as u64,
                        message,
                    })
                }
            };
            if let Some(b) = back {
                if let Ok(mut v) = states.lock() {
                    v.push(b);
                }
            }
        }
        Ok(())
    };
    let mut acc = (Runs::default(), slot_fold);
    let mut start = from;
    while start < limit {
        if cfg.cancel.is_cancelled() {
            return Err(McError::Cancelled);
        }
        if let Some(p) = &cfg.precision {
            if start >= cfg.runs && p.met(&acc.0.hits(), acc.0.n) {
                break;
            }
        }
        // an adaptive job may stop at a batch boundary, so its pipeline ends there; any other
        // job's runs flow through one pipeline
        let end = match &cfg.precision {
            Some(_) => (start + BATCH).min(limit),
            None => limit,
        };
        // pipeline: fold the previous chunk while the next one computes
        let mut pending: Option<(u64, Vec<Result<RunOut, String>>)> = None;
        let mut c = start;
        loop {
            let next = (c + CHUNK).min(end);
            let (computed, folded) = rayon::join(
                || (c < end).then(|| compute(c, next)),
                || match pending.take() {
                    Some((from, batch)) => fold(&mut acc, from, batch),
                    None => Ok(()),
                },
            );
            if cfg.cancel.is_cancelled() {
                return Err(McError::Cancelled);
            }
            folded?;
            match computed {
                Some(batch) => pending = Some((c, batch)),
                None => break,
            }
            c = next;
        }
        start = end;
    }
    let (mut runs, sf) = acc;
    if let Some(sf) = sf {
        sf.finish(&mut runs, &cx.collect);
    }
    if let Ok(left) = states.into_inner() {
        spare_runs::give(left.into_iter().filter_map(|r| match r {
            RunOut::Slots(sr) => Some(sr),
            RunOut::State(_) => None,
        }));
    }
    Ok(runs)
}
/// One outcome class's probability.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutcomeProb {
    pub id: String,
    pub name: String,
    pub when: String,
    /// Runs in which the predicate held.
    pub hits: u64,
    pub runs: u64,
    pub p: f64,
    /// Wilson 95% interval.
    pub lo: f64,
    pub hi: f64,
}

/// Histogram with equal-width bins.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// `bins + 1` edges.
    pub edges: Vec<f64>,
    pub counts: Vec<u64>,
}

/// Distribution of a var across runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VarSummary {
    /// Runs in which the var was present.
    pub n: u64,
    pub mean: f64,
    pub sd: f64,
    pub min: f64,
    pub max: f64,
    /// Quantiles at [`QUANTILES`] (5, 25, 50, 75, 95%).
    pub quantiles: [f64; 5],
    pub histogram: Histogram,
}

/// Per-round quantile bands of a series. Runs whose series is shorter than the longest are
/// carried forward at their last value (a model that stopped early stays where it stopped).
/// Only the job's first [`agg::SERIES_MAX_RUNS`] runs are read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesBands {
    /// Runs the bands come from: those of the first [`agg::SERIES_MAX_RUNS`] runs that have
    /// the series (fewer than the job's runs past that count).
    pub n: u64,
    /// `bands[round]` = quantiles at [`QUANTILES`].
    pub bands: Vec<[f64; 5]>,
}

/// How often an event occurred.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventFreq {
    /// Runs in which it occurred at least once.
    pub runs_with: u64,
    /// Total occurrences across runs.
    pub total: u64,
    pub p: f64,
    pub lo: f64,
    pub hi: f64,
}

/// An outcome whose interval is wider than the tolerance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConvergenceWarning {
    pub outcome: String,
    pub half_width: f64,
    pub tolerance: f64,
    /// Runs at which the interval would be narrow enough at the observed proportion.
    pub runs_needed: u64,
    pub message: String,
}

/// An uncertain input as sampled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InputInfo {
    pub path: String,
    pub nominal: f64,
    /// The distribution after the evidence discount.
    pub dist: Dist,
}

/// Everything recorded to reproduce a figure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    pub scenario_id: String,
    /// sha256 of the canonical scenario JSON (before edits), see [`scenario_hash`].
    pub scenario_hash: String,
    pub seed: u64,
    pub runs: u64,
    pub engine_version: String,
    pub evidence_discount: f64,
    /// Counterfactual edits applied, e.g. `set stance.uk.x.position=80`.
    pub edits: Vec<String>,
    pub model_options: serde_json::Value,
}

impl Provenance {
    pub fn new(scn: &Scenario, cfg: &McConfig) -> Provenance {
        Provenance {
            scenario_id: scn.scenario.id.clone(),
            scenario_hash: scenario_hash(scn),
            seed: cfg.seed,
            runs: cfg.runs,
            engine_version: crate::ENGINE_VERSION.to_string(),
            evidence_discount: cfg.evidence_discount,
            edits: cfg.edits.iter().map(ToString::to_string).collect(),
            model_options: cfg.model_options.clone(),
        }
    }
}

/// The aggregated result of a Monte Carlo job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct McResult {
    pub provenance: Provenance,
    pub inputs: Vec<InputInfo>,
    pub outcomes: Vec<OutcomeProb>,
    pub vars: BTreeMap<String, VarSummary>,
    pub series: BTreeMap<String, SeriesBands>,
    pub events: BTreeMap<String, EventFreq>,
    pub convergence: Vec<ConvergenceWarning>,
    /// Adaptive precision: the target, runs used and whether it was met (absent for `--runs N`).
    #[serde(default)]
    pub precision: Option<PrecisionReport>,
    /// How the outcome classes cover the runs, counted run by run.
    #[serde(default)]
    pub class_coverage: ClassCoverage,
    /// Crisis layer: per ally, the runs ending at each alignment (−1, 0, +1).
    #[serde(default)]
    pub alignment: BTreeMap<String, AlignmentCounts>,
    /// Crisis layer: every tipping step of the alliance cascade with the runs it happened in.
    #[serde(default)]
    pub tipping: Vec<TipStep>,
    /// What the job aggregated ([`McConfig::collect`]): a part it did not collect has an
    /// empty map above, not a result of no runs. Absent from the JSON when everything was.
    #[serde(default, skip_serializing_if = "Collect::is_all")]
    pub collected: Collect,
}

/// How the outcome classes cover the runs (classes are predicates: they may overlap, or leave a
/// run in no class). Counted run by run, so `several == 0` means the classes are mutually
/// exclusive in these runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassCoverage {
    pub runs: u64,
    /// Runs in no class.
    pub none: u64,
    /// Runs in exactly one class.
    pub one: u64,
    /// Runs in two or more classes.
    pub several: u64,
}

impl ClassCoverage {
    /// Counted from per-class indicators (class → run → hit) that kept their bits; a run past
    /// an indicator's end, or one not kept, counts as not in that class.
    pub fn count(outcomes: &[Bits], runs: u64) -> ClassCoverage {
        let mut c = ClassCoverage::default();
        for i in 0..runs {
            c.add(
                outcomes
                    .iter()
                    .filter(|v| v.get(i).unwrap_or(false))
                    .count(),
            );
        }
        c
    }
    /// Count one more run, in `classes` outcome classes.
    pub fn add(&mut self, classes: usize) {
        self.runs += 1;
        match classes {
            0 => self.none += 1,
            1 => self.one += 1,
            _ => self.several += 1,
        }
    }
    /// No run is in two classes.
    pub fn exclusive(&self) -> bool {
        self.several == 0
    }
    /// Every run is in some class.
    pub fn exhaustive(&self) -> bool {
        self.none == 0
    }
}

/// Runs in which an ally ended backing the target (−1), neutral (0) or the initiator (+1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlignmentCounts {
    /// Runs that recorded the ally's alignment.
    pub runs: u64,
    pub target: u64,
    pub neutral: u64,
    pub initiator: u64,
}

/// One step of the alliance cascade: `from` (an ally, an option id or `lean`) tipped `to`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TipStep {
    pub from: String,
    pub to: String,
    /// Runs in which the step happened.
    pub runs_with: u64,
}

/// Typed views of the crisis layer's recorded vars and events (`alignment.<ally>`,
/// `tipped:<from>-><to>`: the naming of [`crate::state::RunState`]).
fn alignment_counts(scn: &Scenario, runs: &Runs) -> BTreeMap<String, AlignmentCounts> {
    let mut out = BTreeMap::new();
    for a in &scn.crisis.allies {
        let Some(acc) = runs.var_acc.get(&format!("alignment.{}", a.actor)) else {
            continue;
        };
        let n = acc.n();
        out.insert(
            a.actor.clone(),
            AlignmentCounts {
                runs: n,
                target: acc.low,
                neutral: n - acc.low - acc.high,
                initiator: acc.high,
            },
        );
    }
    out
}

fn tip_steps(runs: &Runs) -> Vec<TipStep> {
    runs.events
        .iter()
        .filter_map(|(k, (with, _))| {
            let (from, to) = k.strip_prefix("tipped:")?.split_once("->")?;
            Some(TipStep {
                from: from.to_string(),
                to: to.to_string(),
                runs_with: *with,
            })
        })
        .collect()
}

impl McConfig {
    /// This configuration with `runs` fixed exactly (no adaptive precision): what the
    /// follow-up analyses of an adaptive job use.
    pub fn fixed(&self, runs: u64) -> McConfig {
        McConfig {
            runs,
            precision: None,
            ..self.clone()
        }
    }
}

impl McResult {
    pub fn outcome(&self, id: &str) -> Option<&OutcomeProb> {
        self.outcomes.iter().find(|o| o.id == id)
    }
}

/// Run and aggregate.
pub fn run<F, E>(
    scn: &Scenario,
    cfg: &McConfig,
    f: F,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<McResult, McError>
where
    F: Fn(&Scenario, &mut Rng) -> Result<RunState, E> + Sync,
    E: Display,
{
    run_keep(scn, cfg, f, progress).map(|(r, _)| r)
}

/// Run and aggregate, and keep the per-run data (e.g. to evaluate forecast questions after the
/// fact with [`Runs::run_vars`]).
pub fn run_keep<F, E>(
    scn: &Scenario,
    cfg: &McConfig,
    f: F,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<(McResult, Runs), McError>
where
    F: Fn(&Scenario, &mut Rng) -> Result<RunState, E> + Sync,
    E: Display,
{
    run_keep_with(scn, cfg, &PerRun(f), progress)
}

/// [`run`] with a prepared [`Runner`].
pub fn run_with<R: Runner>(
    scn: &Scenario,
    cfg: &McConfig,
    runner: &R,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<McResult, McError> {
    run_keep_with(scn, cfg, runner, progress).map(|(r, _)| r)
}

/// [`run_keep`] with a prepared [`Runner`].
pub fn run_keep_with<R: Runner>(
    scn: &Scenario,
    cfg: &McConfig,
    runner: &R,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<(McResult, Runs), McError> {
    // [`simulate_keep_with`] with `Keep::Stream`, on the job prepared once for the runs and
    // for the aggregate's sampler.
    let (p, cx) = job(scn, cfg, Keep::Stream, None)?;
    let runs = simulate_prepared(&p, &cx, cfg, runner, progress, 0)?;
    let agg = McConfig {
        runs: runs.n,
        ..cfg.clone()
    };
    Ok((aggregate(scn, &agg, &p.sampler, &runs), runs))
}

/// The histogram range of var `name`: the declared range of a continuous var of the output
/// schema (an issue's scale, cohesion's [0, 1], a param's domain); other kinds and unbounded
/// vars get a histogram over the values seen.
fn var_range(schema: &crate::schema::OutputSchema, name: &str) -> Option<(f64, f64)> {
    let v = schema.var(name)?;
    match v.kind {
        crate::schema::Kind::Continuous { .. } => v.kind.range(),
        _ => None,
    }
}

/// Aggregate per-run data into an [`McResult`].
pub fn aggregate(scn: &Scenario, cfg: &McConfig, sampler: &Sampler, runs: &Runs) -> McResult {
    let n = runs.n;
    let mut outcomes = Vec::new();
    let mut convergence = Vec::new();
    for (k, o) in scn.outcomes.iter().enumerate() {
        let hits = runs.outcomes.get(k).map_or(0, Bits::ones);
        let (lo, hi) = wilson(hits, n, Z95);
        let p = if n > 0 { hits as f64 / n as f64 } else { 0.0 };
        let half = (hi - lo) / 2.0;
        if half > cfg.tolerance {
            let need = runs_needed(hits, n, cfg.tolerance);
            convergence.push(ConvergenceWarning {
                outcome: o.id.clone(),
                half_width: half,
                tolerance: cfg.tolerance,
                runs_needed: need,
                message: format!(
                    "P({}) = {:.3} has a 95% interval ±{:.3}, wider than ±{:.3}; about {} runs would narrow it enough",
                    o.id, p, half, cfg.tolerance, need
                ),
            });
        }
        outcomes.push(OutcomeProb {
            id: o.id.clone(),
            name: o.name.clone(),
            when: o.when.clone(),
            hits,
            runs: n,
            p,
            lo,
            hi,
        });
    }
    // Each summary is a pure function of its accumulator (sorting its exact values, or reading
    // its sketch), so computing them in parallel gives the same maps for any thread count.
    let (vars, series) = rayon::join(
        || var_summaries(&runs.var_acc),
        || series_summaries(&runs.series_acc),
    );
    let events = runs
        .events
        .iter()
        .map(|(k, (with, total))| {
            let (lo, hi) = wilson(*with, n, Z95);
            (
                k.clone(),
                EventFreq {
                    runs_with: *with,
                    total: *total,
                    p: if n > 0 { *with as f64 / n as f64 } else { 0.0 },
                    lo,
                    hi,
                },
            )
        })
        .collect();
    McResult {
        provenance: Provenance::new(scn, cfg),
        inputs: sampler
            .inputs
            .iter()
            .map(|i| InputInfo {
                path: i.path.clone(),
                nominal: i.nominal,
                dist: i.dist.clone(),
            })
            .collect(),
        outcomes,
        vars,
        series,
        events,
        convergence,
        precision: cfg.precision.map(|target| {
            let hits = runs.hits();
            PrecisionReport {
                target,
                runs: n,
                met: target.met(&hits, n),
                max_half_width: hits
                    .iter()
                    .map(|&k| {
                        let (lo, hi) = wilson(k, n, Z95);
                        (hi - lo) / 2.0
                    })
                    .fold(0.0, f64::max),
            }
        }),
        class_coverage: runs.coverage,
        alignment: alignment_counts(scn, runs),
        tipping: tip_steps(runs),
        collected: cfg.collect,
    }
}

/// [`agg::VarAcc::summary`] of every var, computed on the rayon pool.
fn var_summaries(acc: &BTreeMap<String, agg::VarAcc>) -> BTreeMap<String, VarSummary> {
    acc.par_iter()
        .filter_map(|(k, a)| a.summary().map(|s| (k.clone(), s)))
        .collect()
}

/// The per-round bands of every series present in some run, computed on the rayon pool.
fn series_summaries(acc: &BTreeMap<String, agg::SeriesAcc>) -> BTreeMap<String, SeriesBands> {
    acc.par_iter()
        .filter_map(|(k, a)| {
            let bands = a.bands();
            if bands.is_empty() || a.present() == 0 {
                return None;
            }
            Some((
                k.clone(),
                SeriesBands {
                    n: a.present(),
                    bands,
                },
            ))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Paired comparisons (counterfactuals, hypotheses)
// ---------------------------------------------------------------------------------------------

/// Change of one outcome's probability between a base and an alternative world, from paired
/// runs (same run index = same random numbers).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Delta {
    pub outcome: String,
    pub p_base: f64,
    pub p_alt: f64,
    /// p_alt − p_base.
    pub delta: f64,
    /// Newcombe's (1998) 95% interval for the paired difference (method 10).
    pub lo: f64,
    pub hi: f64,
    /// The paired 2×2 table behind Δ.
    #[serde(default)]
    pub counts: PairedCounts,
}

impl Delta {
    /// Newcombe's interval at two-sided confidence `level`.
    pub fn interval(&self, level: f64) -> (f64, f64) {
        newcombe_paired(self.counts, z_of_level(level))
    }
    /// Two-sided p-value of H₀: Δ = `value`, by inverting Newcombe's interval.
    pub fn p_value(&self, value: f64) -> f64 {
        let c = self.counts;
        p_by_inversion(value, |z| newcombe_paired(c, z))
    }
}

/// Compare two sets of paired runs outcome by outcome.
pub fn deltas(scn: &Scenario, base: &Runs, alt: &Runs) -> Vec<Delta> {
    let empty = Bits::new();
    scn.outcomes
        .iter()
        .enumerate()
        .map(|(k, o)| {
            let b = base.outcomes.get(k).unwrap_or(&empty);
            let a = alt.outcomes.get(k).unwrap_or(&empty);
            paired_delta(&o.id, b, a)
        })
        .collect()
}

/// The paired difference of one indicator between two worlds' runs, paired by run index:
/// each world's own proportion, Δ from the paired 2×2 table and Newcombe's 95% interval.
/// Both sides must have kept their bits (every job does but a study's main job run with
/// [`McConfig::keep_pairs`] off, which nothing pairs with); a side that did not is a bug,
/// caught in debug builds, and gives the table of no pairs (Δ 0 in (−1, 1)), never a table
/// read from missing bits.
pub fn paired_delta(id: &str, b: &Bits, a: &Bits) -> Delta {
    let counts = PairedCounts::from_bits(b, a);
    debug_assert!(counts.is_some(), "`{id}`: a side kept counts only");
    let counts = counts.unwrap_or_default();
    let mean = |v: &Bits| {
        if v.is_empty() {
            0.0
        } else {
            v.ones() as f64 / v.len() as f64
        }
    };
    let (lo, hi) = newcombe_paired(counts, Z95);
    Delta {
        outcome: id.to_string(),
        p_base: mean(b),
        p_alt: mean(a),
        delta: counts.delta(),
        lo,
        hi,
        counts,
    }
}

/// The verdict on a hypothesis (docs/uncertainty.md §6). With Δ oriented so that the claimed
/// direction is positive and `m` the minimum effect:
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The whole interval lies beyond +m: an effect worth the name, in the claimed direction.
    Supported,
    /// The whole interval lies below +m and reaches below −m: the claimed effect is excluded.
    Refuted,
    /// The whole interval lies inside (−m, +m): no effect worth the name (equivalence, the
    /// interval form of Schuirmann's two one-sided tests).
    Equivalent,
    /// Anything else: more runs may decide.
    Inconclusive,
}

impl Verdict {
    /// Whether the claim is rejected (refuted or equivalent).
    pub fn is_rejected(self) -> bool {
        matches!(self, Verdict::Refuted | Verdict::Equivalent)
    }
}

/// Decide a verdict from a Δ interval `[lo, hi]`, the claimed direction and the minimum effect.
pub fn verdict(expect: Expect, lo: f64, hi: f64, min_effect: f64) -> Verdict {
    let (lo, hi) = match expect {
        Expect::Increase => (lo, hi),
        Expect::Decrease => (-hi, -lo),
    };
    let m = min_effect.abs();
    if lo > m {
        Verdict::Supported
    } else if lo > -m && hi < m {
        Verdict::Equivalent
    } else if hi < m {
        Verdict::Refuted
    } else {
        Verdict::Inconclusive
    }
}

/// The multiplicity correction applied to a scenario's counterfactual hypotheses.
pub fn holm_note(m: usize, min_effect: f64) -> String {
    format!(
        "Holm (1979) step-down over {m} counterfactual hypotheses, family-wise α = {FAMILY_ALPHA}; \
         supported = interval beyond {:.1} points in the claimed direction, equivalent = inside ±{:.1}",
        100.0 * min_effect,
        100.0 * min_effect
    )
}

/// Apply Holm's step-down to hypothesis results in place: each result's p-value is that of
/// H₀: Δ = ±m (the decision boundary nearest its estimate; decided iff its interval excludes
/// +m in the claimed direction), tests are taken in increasing p, the r-th (0-based) of M
/// judged with a two-sided interval at level 1 − α/(M − r); after the first undecided test,
/// every later one is inconclusive (its interval still shown at its Holm level).
pub fn apply_holm(results: &mut [HypothesisResult], deltas: &[Delta], min_effect: f64) {
    let m = min_effect.abs();
    let boundary = |r: &HypothesisResult| match r.expect {
        Expect::Increase => m,
        Expect::Decrease => -m,
    };
    let p: Vec<f64> = results
        .iter()
        .zip(deltas)
        .map(|(r, d)| d.p_value(boundary(r)))
        .collect();
    let decided = holm_levels(&p, FAMILY_ALPHA);
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let n = p.len();
    let note = holm_note(n, m);
    for (rank, &i) in order.iter().enumerate() {
        let alpha = FAMILY_ALPHA / (n - rank) as f64;
        let level = 1.0 - alpha;
        let (lo, hi) = deltas[i].interval(level);
        let r = &mut results[i];
        r.lo = lo;
        r.hi = hi;
        r.level = level;
        r.p_value = p[i];
        r.correction = note.clone();
        r.verdict = match decided[i] {
            Some(_) => verdict(r.expect, lo, hi, m),
            None => Verdict::Inconclusive,
        };
    }
}

/// A hypothesis evaluated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HypothesisResult {
    pub id: String,
    pub claim: String,
    pub outcome: String,
    pub expect: Expect,
    pub edits: Vec<String>,
    pub sources: Vec<String>,
    pub p_base: f64,
    pub p_counterfactual: f64,
    pub delta: f64,
    pub lo: f64,
    pub hi: f64,
    pub verdict: Verdict,
    /// Two-sided confidence level of `[lo, hi]` (Holm-adjusted).
    #[serde(default)]
    pub level: f64,
    /// p-value of H₀: Δ = the minimum effect in the claimed direction.
    #[serde(default)]
    pub p_value: f64,
    /// The multiplicity correction, named.
    #[serde(default)]
    pub correction: String,
    pub provenance: Provenance,
    /// The look the figures come from, when tested at sequential looks ([`seq`]); the
    /// provenance's `runs` is then that look's pairs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequential: Option<SeqLook>,
}

/// Hypotheses without an outcome or a counterfactual are claims only (or rank tests): skipped
/// by the counterfactual evaluation.
fn is_testable(h: &crate::scenario::Hypothesis) -> bool {
    !h.outcome.is_empty() && !h.counterfactual.is_empty()
}

/// Check that every testable hypothesis names a known outcome class; true if there is any.
pub(crate) fn check_testable(scn: &Scenario) -> Result<bool, McError> {
    let mut any = false;
    for h in scn.hypotheses.iter().filter(|h| is_testable(h)) {
        any = true;
        if !scn.outcomes.iter().any(|o| o.id == h.outcome) {
            return Err(McError::Unknown(format!(
                "hypothesis `{}`: no outcome class `{}`",
                h.id, h.outcome
            )));
        }
    }
    Ok(any)
}

/// Evaluate every hypothesis of the scenario (common random numbers; the base is run once).
pub fn evaluate_hypotheses<F, E>(
    scn: &Scenario,
    cfg: &McConfig,
    f: F,
) -> Result<Vec<HypothesisResult>, McError>
where
    F: Fn(&Scenario, &mut Rng) -> Result<RunState, E> + Sync,
    E: Display,
{
    evaluate_hypotheses_with(scn, cfg, &PerRun(f))
}

/// [`evaluate_hypotheses`] with a prepared [`Runner`].
pub fn evaluate_hypotheses_with<R: Runner>(
    scn: &Scenario,
    cfg: &McConfig,
    runner: &R,
) -> Result<Vec<HypothesisResult>, McError> {
    if !check_testable(scn)? {
        return Ok(Vec::new());
    }
    let base = simulate_outcomes_with(scn, cfg, runner, None)?;
    evaluate_hypotheses_on_with(scn, cfg, &base, runner)
}

/// [`evaluate_hypotheses`] against base runs already simulated with `cfg` (e.g. the main Monte
/// Carlo job's, kept by [`run_keep`]): only the counterfactual worlds are simulated.
pub fn evaluate_hypotheses_on<F, E>(
    scn: &Scenario,
    cfg: &McConfig,
    base: &Runs,
    f: F,
) -> Result<Vec<HypothesisResult>, McError>
where
    F: Fn(&Scenario, &mut Rng) -> Result<RunState, E> + Sync,
    E: Display,
{
    evaluate_hypotheses_on_with(scn, cfg, base, &PerRun(f))
}

/// [`evaluate_hypotheses_on`] with a prepared [`Runner`].
pub fn evaluate_hypotheses_on_with<R: Runner>(
    scn: &Scenario,
    cfg: &McConfig,
    base: &Runs,
    runner: &R,
) -> Result<Vec<HypothesisResult>, McError> {
    check_testable(scn)?;
    let mut out = Vec::new();
    let mut found = Vec::new();
    for h in scn.hypotheses.iter().filter(|h| is_testable(h)) {
        let edits = h.counterfactual.edits();
        let mut alt_cfg = cfg.clone();
        alt_cfg.edits.extend(edits.iter().cloned());
        let alt = simulate_outcomes_with(scn, &alt_cfg, runner, None)?;
        let ds = deltas(scn, base, &alt);
        let Some(d) = ds.into_iter().find(|d| d.outcome == h.outcome) else {
            continue;
        };
        found.push(d.clone());
        out.push(HypothesisResult {
            id: h.id.clone(),
            claim: h.claim.clone(),
            outcome: h.outcome.clone(),
            expect: h.expect,
            edits: edits.iter().map(ToString::to_string).collect(),
            sources: h.sources.clone(),
            p_base: d.p_base,
            p_counterfactual: d.p_alt,
            delta: d.delta,
            lo: d.lo,
            hi: d.hi,
            verdict: verdict(h.expect, d.lo, d.hi, cfg.min_effect),
            level: 0.95,
            p_value: 1.0,
            correction: String::new(),
            provenance: Provenance::new(scn, &alt_cfg),
            sequential: None,
        });
    }
    apply_holm(&mut out, &found, cfg.min_effect);
    Ok(out)
}

/// Parse `path=value` (the `--set` syntax).
pub fn parse_set(s: &str) -> Result<Edit, String> {
    let (path, value) = s.split_once('=').ok_or_else(|| {
        format!("`{s}`: expected PATH=VALUE, e.g. stance.uk.mil_rights.position=80")
    })?;
    let value: f64 = value
        .trim()
        .parse()
        .map_err(|_| format!("`{s}`: `{}` is not a number", value.trim()))?;
    Ok(Edit::Set {
        path: path.trim().to_string(),
        value,
    })
}

/// CSV summary of outcome probabilities, one row per outcome class, with provenance columns.
pub fn outcomes_csv(r: &McResult) -> String {
    let pv = &r.provenance;
    let mut out = crate::csv::csv_line(&[
        "outcome",
        "name",
        "p",
        "lo",
        "hi",
        "hits",
        "runs",
        "seed",
        "scenario_hash",
        "engine_version",
    ]);
    for o in &r.outcomes {
        out.push_str(&crate::csv::csv_line(&[
            o.id.clone(),
            o.name.clone(),
            o.p.to_string(),
            o.lo.to_string(),
            o.hi.to_string(),
            o.hits.to_string(),
            o.runs.to_string(),
            pv.seed.to_string(),
            pv.scenario_hash.clone(),
            pv.engine_version.clone(),
        ]));
    }
    out
}

/// CSV summary of vars: mean, sd and the 5/25/50/75/95% quantiles, with provenance columns.
pub fn vars_csv(r: &McResult) -> String {
    let pv = &r.provenance;
    let mut out = crate::csv::csv_line(&[
        "var",
        "n",
        "mean",
        "sd",
        "q05",
        "q25",
        "q50",
        "q75",
        "q95",
        "seed",
        "scenario_hash",
        "engine_version",
    ]);
    for (k, v) in &r.vars {
        let mut row = vec![
            k.clone(),
            v.n.to_string(),
            v.mean.to_string(),
            v.sd.to_string(),
        ];
        row.extend(v.quantiles.iter().map(|q| q.to_string()));
        row.extend([
            pv.seed.to_string(),
            pv.scenario_hash.clone(),
            pv.engine_version.clone(),
        ]);
        out.push_str(&crate::csv::csv_line(&row));
    }
    out
}

/// Checks of the uncertainty-related parts of a scenario, for the scenario validator. Each
/// problem is keyed by the validator's path syntax (`outcomes[2].when`, `hypotheses[0].outcome`).
/// For predicate errors, `predicate` holds the parse error whose byte offset is relative to the
/// predicate text (add the string value's start in the file, +1 for its opening quote).
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub path: String,
    pub error: crate::scenario::ScenarioError,
    pub predicate: Option<ParseError>,
}

/// Validate outcome and question predicates and hypotheses: every `when` parses (dates need
/// `as_of`); every hypothesis names an existing outcome class and its counterfactual applies
/// (known paths and actors, values in range, `disable` ids naming crisis-layer elements). A
/// failing counterfactual is reported at the edit at fault where one alone fails
/// (`hypotheses[1].counterfactual.without[0]`), else at the whole counterfactual.
pub fn validate(scn: &Scenario) -> Vec<Problem> {
    use crate::scenario::ScenarioError;
    let mut out = Vec::new();
    let mut predicate = |path: String, what: &str, id: &str, when: &str| {
        if let Err(e) = Expr::parse(when, scn.scenario.as_of) {
            out.push(Problem {
                path,
                error: ScenarioError {
                    message: format!("{what} `{id}`: {e}"),
                    span: None,
                    help: e.to_scenario_error(0).help,
                },
                predicate: Some(e),
            });
        }
    };
    for (i, o) in scn.outcomes.iter().enumerate() {
        predicate(format!("outcomes[{i}].when"), "outcome", &o.id, &o.when);
    }
    for (i, q) in scn.questions.iter().enumerate() {
        if !q.when.trim().is_empty() {
            predicate(format!("questions[{i}].when"), "question", &q.id, &q.when);
        }
    }
    let edit_help = "set = { \"stance.<actor>.<issue>.position\" = 80 }, without = [\"<actor>\"], disable = [\"gate.<id>\"]";
    for (i, h) in scn.hypotheses.iter().enumerate() {
        if !h.outcome.is_empty() && !scn.outcomes.iter().any(|o| o.id == h.outcome) {
            let ids: Vec<&str> = scn.outcomes.iter().map(|o| o.id.as_str()).collect();
            out.push(Problem {
                path: format!("hypotheses[{i}].outcome"),
                error: ScenarioError {
                    message: format!(
                        "hypothesis `{}` names outcome `{}`, which is not defined",
                        h.id, h.outcome
                    ),
                    span: None,
                    help: Some(
                        match crate::suggest::suggest(&h.outcome, ids.iter().copied()) {
                            Some(s) => {
                                format!("did you mean `{s}`? (outcome classes: {})", ids.join(", "))
                            }
                            None if ids.is_empty() => "define it under [[outcomes]]".into(),
                            None => format!("outcome classes: {}", ids.join(", ")),
                        },
                    ),
                },
                predicate: None,
            });
        }
        let cf = &h.counterfactual;
        let mut single: Vec<(String, Edit)> = Vec::new();
        single.extend(cf.without.iter().enumerate().map(|(k, a)| {
            (
                format!("hypotheses[{i}].counterfactual.without[{k}]"),
                Edit::Without { actor: a.clone() },
            )
        }));
        single.extend(cf.set.iter().map(|(p, v)| {
            (
                format!("hypotheses[{i}].counterfactual.set"),
                Edit::Set {
                    path: p.clone(),
                    value: *v,
                },
            )
        }));
        let mut found = false;
        for (path, e) in &single {
            if let Err(err) = apply_edits(scn, std::slice::from_ref(e)) {
                found = true;
                out.push(Problem {
                    path: path.clone(),
                    error: ScenarioError {
                        message: format!("hypothesis `{}`: {err}", h.id),
                        span: None,
                        help: Some(match e {
                            Edit::Without { actor } => did_you_mean_actor(scn, actor),
                            _ => edit_help.into(),
                        }),
                    },
                    predicate: None,
                });
            }
        }
        for (k, d) in cf.disable.iter().enumerate() {
            if !scn.crisis.clone().disable(d) {
                found = true;
                out.push(Problem {
                    path: format!("hypotheses[{i}].counterfactual.disable[{k}]"),
                    error: ScenarioError {
                        message: format!(
                            "hypothesis `{}`: `disable` names `{d}`, which is not a crisis-layer element of this scenario",
                            h.id
                        ),
                        span: None,
                        help: Some(
                            "qualified ids: `gate.<id>`, `option.<id>`, `event.<id>`, `link.<from>.<to>`, `influence.<from>.<to>`, `volatility.<actor>`, `ally.<actor>`, `actor.<id>`"
                                .into(),
                        ),
                    },
                    predicate: None,
                });
            }
        }
        if !found {
            if let Err(e) = apply_edits(scn, &cf.edits()) {
                out.push(Problem {
                    path: format!("hypotheses[{i}].counterfactual"),
                    error: ScenarioError {
                        message: format!("hypothesis `{}`: {e}", h.id),
                        span: None,
                        help: Some(edit_help.into()),
                    },
                    predicate: None,
                });
            }
        }
    }
    out
}

fn did_you_mean_actor(scn: &Scenario, actor: &str) -> String {
    let ids: Vec<&str> = scn.actors.iter().map(|a| a.id.as_str()).collect();
    match crate::suggest::suggest(actor, ids.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => "`without` lists actor ids from [[actors]]".into(),
    }
}

#[cfg(test)]
mod verdict_tests {
    use super::*;

    /// Every region of the verdict rule, m = 0.02, for both directions.
    #[test]
    fn every_region() {
        let up = Expect::Increase;
        let dn = Expect::Decrease;
        let m = 0.02;
        // supported: whole interval beyond +m
        assert_eq!(verdict(up, 0.03, 0.08, m), Verdict::Supported);
        assert_eq!(verdict(dn, -0.08, -0.03, m), Verdict::Supported);
        // excludes 0 but not beyond m (the old rule called this supported): equivalent
        assert_eq!(verdict(up, 0.004, 0.016, m), Verdict::Equivalent);
        assert_eq!(verdict(dn, -0.017, -0.005, m), Verdict::Equivalent);
        // excludes 0, straddles +m: inconclusive
        assert_eq!(verdict(up, 0.01, 0.05, m), Verdict::Inconclusive);
        // refuted: whole interval on the other side, or below +m and reaching below −m
        assert_eq!(verdict(up, -0.08, -0.03, m), Verdict::Refuted);
        assert_eq!(verdict(up, -0.05, 0.01, m), Verdict::Refuted);
        assert_eq!(verdict(dn, 0.03, 0.08, m), Verdict::Refuted);
        // straddles both bounds: inconclusive
        assert_eq!(verdict(up, -0.05, 0.05, m), Verdict::Inconclusive);
        // boundaries are strict
        assert_eq!(verdict(up, 0.02, 0.05, m), Verdict::Inconclusive);
        assert_eq!(verdict(up, -0.02, 0.01, m), Verdict::Refuted);
        assert!(Verdict::Refuted.is_rejected() && Verdict::Equivalent.is_rejected());
        assert!(!Verdict::Inconclusive.is_rejected());
    }

    fn delta(n10: u64, n01: u64, n: u64) -> Delta {
        let counts = PairedCounts {
            n11: 0,
            n10,
            n01,
            n00: n - n10 - n01,
        };
        let (lo, hi) = newcombe_paired(counts, Z95);
        Delta {
            outcome: "o".into(),
            p_base: 0.0,
            p_alt: 0.0,
            delta: counts.delta(),
            lo,
            hi,
            counts,
        }
    }

    fn result(expect: Expect) -> HypothesisResult {
        HypothesisResult {
            id: "h".into(),
            claim: String::new(),
            outcome: "o".into(),
            expect,
            edits: Vec::new(),
            sources: Vec::new(),
            p_base: 0.0,
            p_counterfactual: 0.0,
            delta: 0.0,
            lo: 0.0,
            hi: 0.0,
            verdict: Verdict::Inconclusive,
            level: 0.95,
            p_value: 1.0,
            correction: String::new(),
            provenance: Provenance::new(&Scenario::default(), &McConfig::default()),
            sequential: None,
        }
    }

    /// A strong effect decides at α/2; a weaker one that would pass alone at 95% is held back
    /// when it is judged at its Holm level.
    #[test]
    fn holm_adjusts_levels_and_steps_down() {
        // Δ = +0.10 (n = 1000): far beyond m; Δ = +0.045 (n = 1000): lo at 95% ≈ 0.031 > m
        let ds = [delta(120, 20, 1000), delta(70, 25, 1000)];
        let mut rs = vec![result(Expect::Increase), result(Expect::Increase)];
        apply_holm(&mut rs, &ds, 0.02);
        assert_eq!(rs[0].verdict, Verdict::Supported);
        assert!((rs[0].level - 0.975).abs() < 1e-12);
        assert!((rs[1].level - 0.95).abs() < 1e-12);
        assert!((rs[1].lo - ds[1].lo).abs() < 1e-9 && rs[1].lo > 0.02);
        assert_eq!(rs[1].verdict, Verdict::Supported);
        assert!(rs[0].p_value < rs[1].p_value);
        // Δ exactly at +m cannot be decided; the other test still is
        let ds = [delta(45, 25, 1000), delta(120, 20, 1000)];
        let mut rs = vec![result(Expect::Increase), result(Expect::Decrease)];
        apply_holm(&mut rs, &ds, 0.02);
        assert_eq!(rs[0].verdict, Verdict::Inconclusive);
        assert_eq!(rs[1].verdict, Verdict::Refuted);
    }
}

// ---------------------------------------------------------------------------------------------
// Nested Monte Carlo: inputs in the outer loop, in-run chance in the inner loop
// ---------------------------------------------------------------------------------------------

/// `purpose` of the in-run streams of a nested job's inner runs.
pub const NESTED_PURPOSE: u64 = 4;

/// One outcome of a nested job (docs/uncertainty.md §3, "Two kinds of uncertainty").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NestedOutcome {
    pub id: String,
    /// P(outcome) over all outer × inner runs.
    pub p: f64,
    /// 95% Monte Carlo interval of `p` from the spread of the outer means (two-stage sampling).
    pub lo: f64,
    pub hi: f64,
    /// 5% and 95% quantiles of the conditional probability P(outcome | inputs) across the outer
    /// draws (each estimated from the inner runs).
    pub band_lo: f64,
    pub band_hi: f64,
    /// Standard deviation of P(outcome | inputs) across input draws with the inner binomial
    /// noise removed: √max(0, s²_between − mean p_o(1−p_o)/(I−1)).
    pub input_sd: f64,
}

/// The result of [`nested`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NestedResult {
    pub outer: u64,
    pub inner: u64,
    pub outcomes: Vec<NestedOutcome>,
    pub provenance: Provenance,
}

/// Nested Monte Carlo: outer draw o samples the inputs (keyed as run o of a plain job, so its
/// inputs equal run o's), then `inner` runs with those inputs and in-run streams
/// `rng::substream(seed, o·inner + i, NESTED_PURPOSE)`. Outer draws run in parallel and are
/// folded in order: identical for any thread count.
pub fn nested<F, E>(
    scn: &Scenario,
    cfg: &McConfig,
    outer: u64,
    inner: u64,
    f: F,
) -> Result<NestedResult, McError>
where
    F: Fn(&Scenario, &mut Rng) -> Result<RunState, E> + Sync,
    E: Display,
{
    if outer < 2 || inner < 2 {
        return Err(McError::Unknown(
            "a nested job needs at least 2 outer and 2 inner runs".into(),
        ));
    }
    let (p, cx) = job(scn, cfg, Keep::Outcomes, None)?;
    let per_outer: Vec<Result<Vec<u64>, McError>> = (0..outer)
        .into_par_iter()
        .map(|o| {
            if cfg.cancel.is_cancelled() {
                return Err(McError::Cancelled);
            }
            let mut s = p.run_scn().clone();
            sample_into(&p, cfg.seed, o, &mut s);
            let mut runs = Runs::default();
            for i in 0..inner {
                let idx = o * inner + i;
                let mut r = rng::substream(cfg.seed, idx, NESTED_PURPOSE);
                let st = f(&s, &mut r).map_err(|e| McError::Run {
                    run: idx,
                    message: e.to_string(),
                })?;
                runs.push(st, &cx, i);
            }
            Ok(runs.hits())
        })
        .collect();
    if cfg.cancel.is_cancelled() {
        return Err(McError::Cancelled);
    }
    let mut hits: Vec<Vec<u64>> = Vec::with_capacity(outer as usize);
    for h in per_outer {
        hits.push(h?);
    }
    let (of, inf) = (outer as f64, inner as f64);
    let out = scn
        .outcomes
        .iter()
        .enumerate()
        .map(|(k, oc)| {
            let mut po: Vec<f64> = hits
                .iter()
                .map(|h| h.get(k).copied().unwrap_or(0) as f64 / inf)
                .collect();
            let mean = po.iter().sum::<f64>() / of;
            let s2 = po.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (of - 1.0);
            let half = Z95 * (s2 / of).sqrt();
            let within = po.iter().map(|x| x * (1.0 - x)).sum::<f64>() / of / (inf - 1.0);
            po.sort_by(f64::total_cmp);
            NestedOutcome {
                id: oc.id.clone(),
                p: mean,
                lo: (mean - half).max(0.0),
                hi: (mean + half).min(1.0),
                band_lo: quantile_sorted(&po, 0.05),
                band_hi: quantile_sorted(&po, 0.95),
                input_sd: (s2 - within).max(0.0).sqrt(),
            }
        })
        .collect();
    Ok(NestedResult {
        outer,
        inner,
        outcomes: out,
        provenance: Provenance::new(scn, &cfg.fixed(outer * inner)),
    })
}

#[cfg(test)]
mod prepare_tests {
    use super::*;

    fn greenland() -> Scenario {
        let text = include_str!("../../../../scenarios/greenland-2026.toml");
        crate::scenario::load::from_toml_str(text).expect("the Greenland scenario loads")
    }

    /// A job's template and sampler built as they were before [`prepare_on`] shared them: the
    /// edited scenario's sampler, then the template with the newly disabled elements removed
    /// and its own sampler (the plain path when the slot counts differ).
    fn reference(base: &Scenario, discount: f64, edits: &[Edit]) -> (Scenario, Sampler) {
        let paths = crate::sample::layout(base);
        let slots: HashMap<String, usize> = paths
            .iter()
            .enumerate()
            .map(|(i, p)| (p.clone(), i))
            .collect();
        let scn = apply_edits(base, edits).expect("the edits apply");
        let sampler = Sampler::with_layout(&scn, discount, &slots, paths.len());
        let mut run_scn = scn.clone();
        for d in &scn.disabled {
            if !scn.crisis.disabled.iter().any(|x| x == d) {
                run_scn.crisis.disable(d);
            }
        }
        let run_sampler = Sampler::with_layout(&run_scn, discount, &slots, paths.len());
        if run_sampler.n_slots != sampler.n_slots {
            return (scn, sampler);
        }
        (run_scn, run_sampler)
    }

    /// Every pivotality variant of the Greenland crisis (positions to either end, actor
    /// removed) and the unedited job: the shared template and sampler equal the two-sampler
    /// construction, and both the shared and the own-template path are taken.
    #[test]
    fn prepared_templates_equal_the_two_sampler_construction() {
        let base = greenland();
        let layout = BaseLayout::new(&base);
        let mut cases: Vec<Vec<Edit>> = vec![Vec::new()];
        for a in &base.actors {
            for (_, edits) in crate::sensitivity::actor_variants(&base, &a.id) {
                cases.push(edits);
            }
        }
        let (mut shared, mut own) = (0, 0);
        for edits in &cases {
            let p = prepare_on(&base, &layout, 0.5, edits).expect("prepares");
            let (scn, sampler) = reference(&base, 0.5, edits);
            assert!(p.run_scn() == &scn, "template of {edits:?}");
            assert_eq!(p.run_sampler().inputs, sampler.inputs, "{edits:?}");
            assert_eq!(p.run_sampler().n_slots, sampler.n_slots, "{edits:?}");
            let (mut a, mut b) = (p.run_scn().clone(), scn.clone());
            sample_into(&p, 7, 3, &mut a);
            let mut r = rng::substream(7, 3, SAMPLE_PURPOSE);
            sampler.apply(&mut b, &sampler.draw_u(&mut r));
            assert!(a == b, "sampled run of {edits:?}");
            match p.run {
                Some(_) => own += 1,
                None => shared += 1,
            }
        }
        assert!(shared > 0 && own > 0, "shared {shared}, own {own}");
    }
}
