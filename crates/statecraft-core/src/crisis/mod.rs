//! The crisis-layer simulation: dated rounds, events, options through decision gates, alliance
//! cascade. One run is a pure function of (scenario, RNG): [`simulate`].
//!
//! Each round (`scenario.round_days`, default 7) does, in order (equations in `docs/crisis.md`):
//! 1. dated events whose date falls in the round apply their effects (and undo them on `until`);
//! 2. volatility: each listed stance may jump (E1);
//! 3. effective salience = base salience raised by outside presence (E11);
//! 4. a bargaining step on every issue ([`bargain_step`]): partial adjustment toward the
//!    c·s-weighted mean, faction access pulls (E2), and the target's concession under threat (E7);
//! 5. options: actors order options whose preconditions hold; each order travels its chain of
//!    gates, which pass, delay, block or substitute it (E3, E4); statutory clocks run;
//! 6. the alliance alignment cascade (linear threshold) and withdrawal notices (E8, E9);
//! 7. per-round series are recorded.

use crate::expr::{self, Expr};
use crate::models::stats::{self, TieRule};
use crate::models::step::Stepper;
use crate::models::ModelOptions;
use crate::rng::{self, Rng};
use crate::scenario::{CrisisSpec, EffectOp, InfluenceKind, Scenario};
use crate::state::{EventKey, EventNames, Layout, RunState, SlotRun};
use std::fmt::Display;

mod bargaining;
mod cascade;
mod coercion;
mod compile;
mod events;
mod gates;
mod log;
pub(crate) mod names;
mod out;
mod run;
mod salience;
mod state;
mod volatility;
mod withdrawal;

use run::run;

/// Why a crisis scenario cannot be simulated.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CrisisError {
    #[error("the scenario needs `{0}` to run the crisis layer")]
    Missing(&'static str),
    #[error("unknown {kind} `{id}` in {context}")]
    Unknown {
        kind: &'static str,
        id: String,
        context: String,
    },
    #[error("{context}: {source}")]
    Pred {
        context: String,
        source: expr::PredError,
    },
    #[error("{context}: unknown variable or parameter `{name}`")]
    Name { context: String, name: String },
    /// The bargaining model refused the week's input or is not a crisis model.
    #[error("crisis.bargaining: {0}")]
    Model(String),
}

impl CrisisError {
    fn unknown<C: Display + ?Sized>(kind: &'static str, id: &str, ctx: &C) -> Self {
        CrisisError::Unknown {
            kind,
            id: id.into(),
            context: ctx.to_string(),
        }
    }
}

/// A variable a precondition may read during the simulation.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Var {
    Pos(usize),
    Sal(usize),
    Cap(usize),
    Issue(usize),
    IssueMean(usize),
    Taken(usize),
    Day(usize),
    Cohesion,
    Align(usize),
    Withdrawals,
    Pressure,
    Threat,
    Now,
    /// `params.<name>`: index into the scenario's `[params]` (in name order), read from the
    /// run's sampled values ([`Model::params`]), not fixed when the model is compiled.
    Param(usize),
    Const(f64),
    /// A variable of a removed actor (`without`): always absent.
    Absent,
}

/// A parameter an effect may change.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Param {
    Pos(usize),
    Sal(usize),
    Cap(usize),
    OptAvail(usize),
    OptProp(usize),
    Pressure,
    Threat,
    Cohesion,
    Lean(usize),
    Align(usize),
    Withdraw(usize),
    /// A parameter of a removed actor: effects on it do nothing.
    Nop,
}

#[derive(Clone, Debug)]
struct CEffect {
    param: Param,
    op: EffectOp,
    value: f64,
}

#[derive(Debug)]
struct CEvent {
    id: String,
    day: i64,
    until: Option<i64>,
    effects: Vec<CEffect>,
}

#[derive(Debug)]
struct COpt {
    id: String,
    /// keyed-draw id of `option.<id>`
    rid: u64,
    when: Expr<Var>,
    legality: f64,
    level: Option<f64>,
    gates: Vec<usize>,
    threat: f64,
    push_t: f64,
    push_i: f64,
    effects: Vec<CEffect>,
    on_withdraw: Vec<CEffect>,
}

#[derive(Debug)]
struct CGate {
    id: String,
    /// keyed-draw id of `gate.<id>`
    rid: u64,
    actor: usize,
    block: f64,
    w_pos: f64,
    w_leg: f64,
    delay: f64,
    subst: f64,
    substitutes: Vec<usize>,
    max_delays: u32,
    clock: Option<(u32, u32, u32)>,
}

#[derive(Debug)]
struct CAlly {
    actor: usize,
    /// keyed-draw id of `withdrawal.<actor>` (docs/uncertainty.md, random streams)
    wid: u64,
    theta: f64,
    lean: f64,
    locked: bool,
    member: bool,
    /// counted in cohesion (members, minus the parties if `exclude_parties`)
    counted: bool,
    /// (ally index of the source, weight)
    inn: Vec<(usize, f64)>,
    /// the allies this one's alignment reaches: the targets of its links, each once, in
    /// ascending order (whose neighbour sums go stale when it changes; structure only, never
    /// refreshed)
    out: Vec<usize>,
}

#[derive(Clone, Copy, Default)]
struct Pending {
    opt: usize,
    /// which order of this option (its `orders` count when made): part of the gate draws' key
    order: u32,
    gate_pos: usize,
    delays: u32,
    skip: Option<usize>,
}

/// The compiled model: everything resolved to indices. Built once per job ([`Compiled`]);
/// per run, [`compile::refresh`] rewrites every number that sampling can change, in the order
/// `compile` reads them. A new numeric field is set in `compile` and rewritten in `refresh`
/// (`tests::refresh_equals_a_fresh_compile` fails when `refresh` misses one).
#[derive(Debug)]
struct Model {
    actor_ids: Vec<String>,
    n_issues: usize,
    lo: Vec<f64>,
    hi: Vec<f64>,
    stance: Vec<bool>,
    /// per stance of the scenario, in its order: (flat slot `actor · n_issues + issue`, issue)
    /// (the run reads the stances' numbers by these, no id looked up per run)
    stance_at: Vec<(usize, usize)>,
    events: Vec<CEvent>,
    opts: Vec<COpt>,
    gates: Vec<CGate>,
    allies: Vec<CAlly>,
    /// per link of `crisis.links` (in order): (source ally, target ally)
    links: Vec<(usize, usize)>,
    /// this run's `[params]` values, in name order ([`Var::Param`])
    params: Vec<f64>,
    /// (stance slot, prob, size, up, salience jump)
    /// (stance index, prob, size, up, salience, keyed-draw id of `volatility.<actor>.<issue>`)
    vol: Vec<(usize, f64, f64, f64, f64, u64)>,
    access: Vec<(usize, usize, usize, f64)>,
    presence: Vec<(usize, usize, usize, f64)>,
    rate: f64,
    access_rate: f64,
    /// the registered model that runs each week's bargaining round (docs/crisis.md §2)
    stepper: Stepper,
    coercion: Option<(usize, usize, usize, f64)>,
    crisis_issue: Option<usize>,
    withdraw_when: Expr<Var>,
    withdraw_prob: f64,
    withdrawal_damage: f64,
    notice_days: i64,
    consent_bound: Vec<bool>,
    /// `position.<actor>.<issue>` of every stance slot, in slot order (series and var names,
    /// built once)
    pos_names: Vec<(usize, String)>,
    /// the other names of the run's vars and series, built once
    names: OutNames,
    /// the names of the run's events ([`log`]), built once
    ev_names: EventNames,
    /// where each possible tipper is in the event names' tipper table ([`log::Tippers`])
    tippers: log::Tippers,
    /// per option (index of `opts`), its propensity modifiers: (predicate, factor) (§3)
    modifiers: gates::Modifiers,
    /// δ: per-round erosion of the threat when no coercive act renewed it (§4)
    threat_decay: f64,
    /// days per round (the threat's "previous round", §4)
    round_days: i64,
    /// β and (initiator, target, crisis issue): spatial alignment in the cascade (§5.1)
    spatial: cascade::Spatial,
}

/// Names of a run's vars and series (docs in [`simulate`]), built when the model is compiled.
#[derive(Debug)]
struct OutNames {
    /// per option: `option.<id>.taken`, `.day`, `.orders`, `.withdrawn`
    opt: Vec<[String; 4]>,
    /// per ally: `alignment.<id>` (var and series), `.plus_day`, `.minus_day`,
    /// `withdrawal.<id>.day`, `.effective_day`
    ally: Vec<[String; 5]>,
    /// per issue: `issue.<id>`, `issue.<id>.mean`
    issue: Vec<[String; 2]>,
    /// per id of the spec's `disabled`: `disabled.<id>`, and for an option
    /// `option.<id>.taken` and `.orders`
    disabled: Vec<(String, Option<[String; 2]>)>,
}

/// The mutable state of one run: its scalars here, its vectors in [`SimBufs`] (kept by a
/// [`Compiled`] model from one run to the next, refilled by [`SimBufs::refill`]).
struct Sim<'m> {
    m: &'m Model,
    /// the run key of every keyed draw ([`rng::draw`])
    key: u64,
    v: SimBufs,
    n_withdrawals: u32,
    push_t: f64,
    push_i: f64,
    last_push: Option<usize>,
    pressure: f64,
    threat: f64,
    cohesion_shift: f64,
    cohesion_min: f64,
    day: i64,
    /// what ended the crisis last (an `ended:` event, [`log`])
    ended: Option<EventKey>,
    /// the run's events, in order ([`log`])
    log: Vec<EventKey>,
    /// [`Sim::cohesion`] of the current state, `None` once a state change that moves it
    /// (capability, alignment, damage, withdrawals) has made it stale
    coh: std::cell::Cell<Option<f64>>,
    /// the bargaining stream of the current issue (SMP's stochastic mode; unused, and never
    /// reseeded, with the other steppers)
    brng: Rng,
}

/// The vectors of a run's [`Sim`]. A compiled model hands them from one run to the next, each
/// refilled before it is read ([`SimBufs::refill`]), so a run never sees the last run's values
/// and allocates nothing for its state once the worker has run once.
#[derive(Default)]
struct SimBufs {
    pos: Vec<f64>,
    base_sal: Vec<f64>,
    sal: Vec<f64>,
    cap: Vec<f64>,
    avail: Vec<bool>,
    prop: Vec<f64>,
    taken: Vec<Option<i64>>,
    orders: Vec<u32>,
    withdrawn_opt: Vec<bool>,
    pending: Vec<Pending>,
    clocks: Vec<(usize, usize, i64)>,
    align: Vec<i8>,
    lean: Vec<f64>,
    plus_day: Vec<Option<i64>>,
    minus_day: Vec<Option<i64>>,
    withdrawn: Vec<Option<i64>>,
    /// per event, the values its effects overwrote (valid while its `saved_on` is set)
    saved: Vec<Vec<f64>>,
    saved_on: Vec<bool>,
    /// per ally, the cascade's neighbour sums (Σ w over aligned +1, Σ w over aligned −1
    /// in-neighbours), valid unless the ally's `nb_stale` is set
    nb: Vec<(f64, f64)>,
    /// per ally, a neighbour's alignment changed since its `nb` was summed
    nb_stale: Vec<bool>,
    /// scratch of the cascade: per ally, this call's exogenous pulls (toward the initiator,
    /// toward the target), and the next alignments
    ex: Vec<(f64, f64)>,
    next: Vec<i8>,
    /// scratch of the bargaining round: one issue's positions, saliences and stances
    b_pos: Vec<f64>,
    b_sal: Vec<f64>,
    b_has: Vec<bool>,
    /// the orders kept pending by the option step (swapped with `pending`)
    keep: Vec<Pending>,
    /// scratch of [`Sim::issue_stats`]: positions and weights of the actors with a stance
    stats: std::cell::RefCell<(Vec<f64>, Vec<f64>)>,
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// One bargaining step on issue `k` (docs/crisis.md §2): the registered model
/// `crisis-averaging`'s step (`docs/models/crisis-averaging.md`), called with the week's
/// pressure-scaled rate.
pub use crate::models::averaging::bargain_step;

/// Run one crisis: weekly (or `round_days`) rounds from `as_of` to the horizon.
///
/// The result carries `option.<id>.taken|day|orders|withdrawn`, `cohesion`, `cohesion.min`,
/// `alignment.<actor>` (+ `.plus_day`, `.minus_day`), `withdrawals`, `withdrawal.<actor>.day`
/// and `.effective_day`, `issue.<id>` (+ `.mean`), `position.<actor>.<issue>`, `pressure`,
/// `threat`, `disabled.<id>`; series `position.<actor>.<issue>`, `cohesion`,
/// `alignment.<actor>`; and an event log ending in `ended:<why>`.
pub fn simulate(scn: &Scenario, rng: &mut Rng) -> Result<RunState, CrisisError> {
    // Counterfactual `disable` edits and removed actors (`actor.<id>`) arrive in
    // `Scenario::disabled` (see `mc::apply_edits`).
    simulate_disabled(scn, scn.disabled.iter().map(String::as_str), rng)
}

/// The bargaining model a crisis scenario names (`[crisis.bargaining] model`), default
/// `crisis-averaging`.
pub fn scenario_model(spec: &CrisisSpec) -> &str {
    spec.bargaining
        .as_ref()
        .and_then(|b| b.model.as_deref())
        .unwrap_or(crate::models::averaging::ID)
}

/// [`simulate`] with the weekly bargaining round performed by registered model `model`
/// configured by `opts` (what `--model eum` selects), instead of the scenario's own choice.
pub fn simulate_with(
    scn: &Scenario,
    model: &str,
    opts: &ModelOptions,
    rng: &mut Rng,
) -> Result<RunState, CrisisError> {
    let stepper = Stepper::new(model, opts).map_err(|e| CrisisError::Model(e.0))?;
    run_disabling(scn, scn.disabled.iter().map(String::as_str), stepper, rng)
}

/// [`simulate`] with extra crisis elements switched off (`gate.jcs`, `event.summit`,
/// `actor.uk`, ...; see [`CrisisSpec::disable`]). Ids already in `scn.crisis.disabled` are
/// skipped; with nothing new to disable the scenario is not copied.
pub fn simulate_disabled<'a>(
    scn: &Scenario,
    disabled: impl IntoIterator<Item = &'a str>,
    rng: &mut Rng,
) -> Result<RunState, CrisisError> {
    let stepper = Stepper::new(scenario_model(&scn.crisis), &ModelOptions::default())
        .map_err(|e| CrisisError::Model(e.0))?;
    run_disabling(scn, disabled, stepper, rng)
}

/// A crisis scenario compiled once for many runs: the index form with every name, predicate,
/// keyed-draw id and the bargaining [`Stepper`] resolved, built from a job's template scenario.
/// [`Compiled::run`] takes a sampled copy of that template (the same elements, other numbers),
/// rewrites the model's numbers from it and runs: the same [`RunState`] as [`simulate_with`]
/// (or [`simulate`]) of that copy, bit for bit, without re-resolving anything.
pub struct Compiled {
    model: Model,
    /// Ids of `scn.disabled` that the template's crisis spec has not removed: each run removes
    /// them from a copy of its spec, as [`simulate`] does (a job's `mc` layer normally removes
    /// them once, so this stays empty).
    extra: Vec<String>,
    /// days from `as_of` to the horizon, and the round length
    calendar: (i64, i64),
    /// the per-round series of the last run (reused)
    bufs: run::SeriesBufs,
    /// the slot of every var and series a run writes ([`Compiled::layout`])
    slots: out::OutSlots,
}

impl Compiled {
    /// Compile `scn` (a job's template) for the scenario's own bargaining model, as
    /// [`simulate`] runs it.
    pub fn new(scn: &Scenario) -> Result<Compiled, CrisisError> {
        Compiled::with_model(scn, scenario_model(&scn.crisis), &ModelOptions::default())
    }

    /// Compile `scn` with the weekly bargaining round performed by registered model `model`
    /// configured by `opts`, as [`simulate_with`] runs it. Fails exactly where
    /// [`simulate_with`] would fail on any sampled copy of `scn` before its first round.
    pub fn with_model(
        scn: &Scenario,
        model: &str,
        opts: &ModelOptions,
    ) -> Result<Compiled, CrisisError> {
        let stepper = Stepper::new(model, opts).map_err(|e| CrisisError::Model(e.0))?;
        let extra: Vec<String> = scn
            .disabled
            .iter()
            .filter(|d| !scn.crisis.disabled.iter().any(|x| x == *d))
            .cloned()
            .collect();
        let calendar = compile::calendar(scn)?;
        let model = if extra.is_empty() {
            compile::compile(scn, &scn.crisis, 0, stepper)?
        } else {
            let mut spec = scn.crisis.clone();
            for d in &extra {
                spec.disable(d);
            }
            compile::compile(scn, &spec, 0, stepper)?
        };
        Ok(Compiled {
            slots: out::OutSlots::of(&model),
            model,
            extra,
            calendar,
            bufs: run::SeriesBufs::default(),
        })
    }

    /// One run of `scn`, a sampled copy of the template this was compiled from (same actors,
    /// issues and crisis elements; any numbers).
    pub fn run(&mut self, scn: &Scenario, rng: &mut Rng) -> Result<RunState, CrisisError> {
        // One word of the run's stream keys every draw of the run (docs/uncertainty.md).
        let key = rng::run_key(rng);
        let mut st = RunState::default();
        self.run_keyed(scn, key, &mut st)?;
        Ok(st)
    }

    /// [`Compiled::run`] writing into `st`, a state recycled from an earlier run: its keys and
    /// buffers are reused (no allocation for a name this state already has). `more` writes the
    /// caller's own vars (with [`RunState::put`]) before the unwritten ones are dropped.
    /// Afterwards `st` equals what [`Compiled::run`] returns followed by `more`.
    pub fn run_into(
        &mut self,
        scn: &Scenario,
        rng: &mut Rng,
        st: &mut RunState,
        more: impl FnOnce(&mut RunState),
    ) -> Result<(), CrisisError> {
        let key = rng::run_key(rng);
        st.begin_reuse();
        self.run_keyed(scn, key, st)?;
        more(st);
        st.end_reuse();
        Ok(())
    }

    /// The names of the vars and series [`Compiled::run_slots`] writes, by slot.
    pub fn layout(&self) -> &Layout {
        &self.slots.layout
    }

    /// [`Compiled::run`] writing into `out` by the slots of [`Compiled::layout`] (after
    /// [`SlotRun::begin`] with that layout, which the caller does, so that it can add vars of
    /// its own at slots past the layout's): the same values, no name built or looked up.
    pub fn run_slots(
        &mut self,
        scn: &Scenario,
        rng: &mut Rng,
        out: &mut SlotRun,
    ) -> Result<(), CrisisError> {
        let key = rng::run_key(rng);
        self.run_keyed(scn, key, out)
    }

    fn run_keyed(
        &mut self,
        scn: &Scenario,
        key: u64,
        st: &mut impl out::Sink,
    ) -> Result<(), CrisisError> {
        let (m, bufs, cal, slots) = (&mut self.model, &mut self.bufs, self.calendar, &self.slots);
        if self.extra.is_empty() {
            compile::refresh(m, scn, &scn.crisis, key);
            return run::run_model(m, bufs, scn, &scn.crisis, key, cal, (slots, st));
        }
        let mut spec = scn.crisis.clone();
        for d in &self.extra {
            spec.disable(d);
        }
        compile::refresh(m, scn, &spec, key);
        run::run_model(m, bufs, scn, &spec, key, cal, (slots, st))
    }
}

/// [`run`] with the ids of `disabled` that `scn.crisis.disabled` does not already hold switched
/// off; with nothing new to disable the crisis spec is not copied.
fn run_disabling<'a>(
    scn: &Scenario,
    disabled: impl IntoIterator<Item = &'a str>,
    stepper: Stepper,
    rng: &mut Rng,
) -> Result<RunState, CrisisError> {
    let new: Vec<&str> = disabled
        .into_iter()
        .filter(|d| !scn.crisis.disabled.iter().any(|x| x == d))
        .collect();
    if new.is_empty() {
        return run(scn, &scn.crisis, stepper, rng);
    }
    let mut spec = scn.crisis.clone();
    for d in new {
        spec.disable(d);
    }
    run(scn, &spec, stepper, rng)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mc::{self, McConfig};
    use crate::scenario::{load, Edit};
    use std::collections::BTreeSet;

    fn greenland() -> Scenario {
        let text = include_str!("../../../../scenarios/greenland-2026.toml");
        load::from_toml_str(text).expect("the Greenland scenario loads")
    }

    /// Run `i`'s sampled scenario of a job with `edits` (disabled elements not yet removed, so
    /// `Compiled` removes them per run, as `simulate` does).
    fn sampled(s: &Scenario, edits: &[Edit], i: u64) -> Scenario {
        let cfg = McConfig {
            edits: edits.to_vec(),
            ..McConfig::default()
        };
        mc::sampled_scenario(s, &cfg, i).expect("samples")
    }

    /// `refresh` of a model compiled from run 0's numbers gives exactly the model compiled from
    /// run 1's (every field, `Debug`-compared): it fails when a numeric field that `compile`
    /// reads from the scenario is not rewritten by `refresh`.
    #[test]
    fn refresh_equals_a_fresh_compile() {
        let s = greenland();
        let (a, b) = (sampled(&s, &[], 0), sampled(&s, &[], 1));
        let st = || Stepper::new(scenario_model(&s.crisis), &ModelOptions::default()).unwrap();
        let mut m = compile::compile(&a, &a.crisis, 11, st()).unwrap();
        let fresh = compile::compile(&b, &b.crisis, 22, st()).unwrap();
        let before = format!("{m:?}");
        assert_ne!(before, format!("{fresh:?}"), "the two runs' numbers differ");
        compile::refresh(&mut m, &b, &b.crisis, 22);
        assert_eq!(format!("{m:?}"), format!("{fresh:?}"));
    }

    /// One compiled model run over many sampled scenarios gives, run for run, what `simulate`
    /// gives (run states compared whole), also with elements and an actor removed per run.
    #[test]
    fn compiled_runs_equal_simulate() {
        let s = greenland();
        let without = [
            Edit::Disable {
                id: "gate.jcs".into(),
            },
            Edit::Without { actor: "uk".into() },
        ];
        for edits in [&[][..], &without[..]] {
            let template = sampled(&s, edits, 0);
            let mut c = Compiled::new(&template).expect("compiles");
            assert_eq!(c.extra.is_empty(), edits.is_empty());
            // one recycled state for every run: keys written by an earlier run only (e.g. an
            // option's `.day`) must not survive into a later one
            let mut st = RunState::default();
            let (mut union, mut every) = (BTreeSet::new(), None::<BTreeSet<String>>);
            for i in 0..24 {
                let x = sampled(&s, edits, i);
                let want = simulate(&x, &mut rng::stream(5, i)).expect("runs");
                let got = c.run(&x, &mut rng::stream(5, i)).expect("runs");
                assert_eq!(got, want, "run {i} with {edits:?}");
                c.run_into(&x, &mut rng::stream(5, i), &mut st, |_| {})
                    .expect("runs");
                assert_eq!(st, want, "recycled, run {i} with {edits:?}");
                let keys: BTreeSet<String> = want.vars.keys().cloned().collect();
                union.extend(keys.iter().cloned());
                every = Some(match every {
                    Some(e) => e.intersection(&keys).cloned().collect(),
                    None => keys,
                });
            }
            // some var (e.g. an option's `.day`) is written by some runs only
            assert!(every.is_some_and(|e| e.len() < union.len()));
        }
    }
}
