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
use crate::state::RunState;
use std::fmt::Display;

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

/// An error context built from pieces, formatted only when an error is reported (compiling a
/// run's model then formats no string).
struct Cx<'a>(&'a [&'a str]);

impl Display for Cx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|p| f.write_str(p))
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

struct CEvent<'s> {
    id: &'s str,
    day: i64,
    until: Option<i64>,
    effects: Vec<CEffect>,
}

struct COpt<'s> {
    id: &'s str,
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

struct CGate<'s> {
    id: &'s str,
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
}

#[derive(Clone, Copy)]
struct Pending {
    opt: usize,
    /// which order of this option (its `orders` count when made): part of the gate draws' key
    order: u32,
    gate_pos: usize,
    delays: u32,
    skip: Option<usize>,
}

/// The compiled model: everything resolved to indices once per run.
struct Model<'s> {
    actor_ids: Vec<&'s str>,
    issue_ids: Vec<&'s str>,
    n_issues: usize,
    lo: Vec<f64>,
    hi: Vec<f64>,
    stance: Vec<bool>,
    events: Vec<CEvent<'s>>,
    opts: Vec<COpt<'s>>,
    gates: Vec<CGate<'s>>,
    allies: Vec<CAlly>,
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
}

/// The mutable state of one run.
struct Sim<'m> {
    m: &'m Model<'m>,
    /// the run key of every keyed draw ([`rng::draw`])
    key: u64,
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
    n_withdrawals: u32,
    push_t: f64,
    push_i: f64,
    last_push: Option<usize>,
    pressure: f64,
    threat: f64,
    cohesion_shift: f64,
    cohesion_min: f64,
    day: i64,
    saved: Vec<Option<Vec<f64>>>,
    ended: Option<String>,
    log: Vec<String>,
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

fn split3<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    s.strip_prefix(prefix)?.strip_prefix('.')
}

struct Names<'a> {
    scn: &'a Scenario,
    crisis: &'a CrisisSpec,
}

impl Names<'_> {
    fn actor<C: Display + ?Sized>(&self, id: &str, ctx: &C) -> Result<usize, CrisisError> {
        self.scn
            .actor_index(id)
            .ok_or_else(|| CrisisError::unknown("actor", id, ctx))
    }
    fn issue<C: Display + ?Sized>(&self, id: &str, ctx: &C) -> Result<usize, CrisisError> {
        self.scn
            .issue_index(id)
            .ok_or_else(|| CrisisError::unknown("issue", id, ctx))
    }
    fn option<C: Display + ?Sized>(&self, id: &str, ctx: &C) -> Result<usize, CrisisError> {
        self.crisis
            .options
            .iter()
            .position(|o| o.id == id)
            .ok_or_else(|| CrisisError::unknown("option", id, ctx))
    }
    fn ally<C: Display + ?Sized>(&self, id: &str, ctx: &C) -> Result<usize, CrisisError> {
        self.crisis
            .allies
            .iter()
            .position(|a| a.actor == id)
            .ok_or_else(|| CrisisError::unknown("ally", id, ctx))
    }
    /// `actor.issue` → flat stance index
    fn slot<C: Display + ?Sized>(&self, rest: &str, ctx: &C) -> Result<usize, CrisisError> {
        let (a, k) = rest.split_once('.').ok_or_else(|| CrisisError::Name {
            context: ctx.to_string(),
            name: rest.into(),
        })?;
        Ok(self.actor(a, ctx)? * self.scn.issues.len() + self.issue(k, ctx)?)
    }

    fn var<C: Display + ?Sized>(&self, name: &str, ctx: &C) -> Result<Var, CrisisError> {
        let bad = || CrisisError::Name {
            context: ctx.to_string(),
            name: name.into(),
        };
        Ok(match name {
            "cohesion" => Var::Cohesion,
            "withdrawals" => Var::Withdrawals,
            "pressure" => Var::Pressure,
            "threat" => Var::Threat,
            "day" => Var::Now,
            _ => {
                if let Some(r) = split3(name, "position") {
                    Var::Pos(self.slot(r, ctx)?)
                } else if let Some(r) = split3(name, "salience") {
                    Var::Sal(self.slot(r, ctx)?)
                } else if let Some(r) = split3(name, "capability") {
                    Var::Cap(self.actor(r, ctx)?)
                } else if let Some(r) = split3(name, "alignment") {
                    Var::Align(self.ally(r, ctx)?)
                } else if let Some(r) = split3(name, "params") {
                    // `[params]`: this run's sampled value, a constant for the run.
                    Var::Const(self.scn.param(r).ok_or_else(bad)?)
                } else if let Some(r) = split3(name, "disabled") {
                    Var::Const(if self.crisis.disabled.iter().any(|d| d == r) {
                        1.0
                    } else {
                        0.0
                    })
                } else if let Some(r) = split3(name, "issue") {
                    match r.strip_suffix(".mean") {
                        Some(k) => Var::IssueMean(self.issue(k, ctx)?),
                        None => Var::Issue(self.issue(r, ctx)?),
                    }
                } else if let Some(r) = split3(name, "option") {
                    if let Some(o) = r.strip_suffix(".taken") {
                        Var::Taken(self.option(o, ctx)?)
                    } else if let Some(o) = r.strip_suffix(".day") {
                        Var::Day(self.option(o, ctx)?)
                    } else {
                        return Err(bad());
                    }
                } else {
                    return Err(bad());
                }
            }
        })
    }

    fn param<C: Display + ?Sized>(&self, name: &str, ctx: &C) -> Result<Param, CrisisError> {
        let bad = || CrisisError::Name {
            context: ctx.to_string(),
            name: name.into(),
        };
        Ok(match name {
            "pressure" => Param::Pressure,
            "threat" => Param::Threat,
            "cohesion" => Param::Cohesion,
            _ => {
                if let Some(r) = split3(name, "position") {
                    Param::Pos(self.slot(r, ctx)?)
                } else if let Some(r) = split3(name, "salience") {
                    Param::Sal(self.slot(r, ctx)?)
                } else if let Some(r) = split3(name, "capability") {
                    Param::Cap(self.actor(r, ctx)?)
                } else if let Some(r) = split3(name, "lean") {
                    Param::Lean(self.ally(r, ctx)?)
                } else if let Some(r) = split3(name, "alignment") {
                    Param::Align(self.ally(r, ctx)?)
                } else if let Some(r) = split3(name, "withdraw") {
                    Param::Withdraw(self.ally(r, ctx)?)
                } else if let Some(r) = split3(name, "option") {
                    if let Some(o) = r.strip_suffix(".available") {
                        Param::OptAvail(self.option(o, ctx)?)
                    } else if let Some(o) = r.strip_suffix(".propensity") {
                        Param::OptProp(self.option(o, ctx)?)
                    } else {
                        return Err(bad());
                    }
                } else {
                    return Err(bad());
                }
            }
        })
    }

    /// True if `disable("actor.<id>")` removed this actor (a `without` counterfactual).
    fn removed(&self, id: &str) -> bool {
        self.crisis
            .disabled
            .iter()
            .any(|d| d.strip_prefix("actor.") == Some(id))
    }

    /// True if `disable("option.<id>")` (or the removal of its actor) removed this option.
    fn removed_option(&self, id: &str) -> bool {
        self.crisis
            .disabled
            .iter()
            .any(|d| d.strip_prefix("option.") == Some(id))
    }

    /// Resolve a variable; one that names a removed actor is absent, and a removed option was
    /// never taken (`.taken` = 0, `.day` absent), rather than an error.
    fn var_or_absent<C: Display + ?Sized>(&self, name: &str, ctx: &C) -> Result<Var, CrisisError> {
        match self.var(name, ctx) {
            Err(CrisisError::Unknown { kind, id, .. })
                if (kind == "actor" || kind == "ally") && self.removed(&id) =>
            {
                Ok(Var::Absent)
            }
            Err(CrisisError::Unknown { kind, id, .. })
                if kind == "option" && self.removed_option(&id) =>
            {
                Ok(if name.ends_with(".taken") {
                    Var::Const(0.0)
                } else {
                    Var::Absent
                })
            }
            other => other,
        }
    }

    /// Resolve a parameter; one that names a removed actor or option is a no-op.
    fn param_or_nop<C: Display + ?Sized>(&self, name: &str, ctx: &C) -> Result<Param, CrisisError> {
        match self.param(name, ctx) {
            Err(CrisisError::Unknown { kind, id, .. })
                if ((kind == "actor" || kind == "ally") && self.removed(&id))
                    || (kind == "option" && self.removed_option(&id)) =>
            {
                Ok(Param::Nop)
            }
            other => other,
        }
    }

    fn pred<C: Display + ?Sized>(&self, text: &str, ctx: &C) -> Result<Expr<Var>, CrisisError> {
        // Parsed once by the loader (`Scenario::predicates`), not per run.
        let p = self
            .scn
            .predicates
            .parse(text, self.scn.scenario.as_of)
            .map_err(|e| CrisisError::Pred {
                context: ctx.to_string(),
                source: e,
            })?;
        p.map_vars(&mut |v: &String| self.var_or_absent(v, ctx))
    }

    fn effects<C: Display + ?Sized>(
        &self,
        list: &[crate::scenario::Effect],
        ctx: &C,
    ) -> Result<Vec<CEffect>, CrisisError> {
        list.iter()
            .map(|e| {
                Ok(CEffect {
                    param: self.param_or_nop(&e.param, ctx)?,
                    op: e.op,
                    value: e.value.value,
                })
            })
            .collect()
    }
}

/// Days from `as_of` to the horizon, and the round length.
fn calendar(scn: &Scenario) -> Result<(i64, i64), CrisisError> {
    let as_of = scn
        .scenario
        .as_of
        .ok_or(CrisisError::Missing("scenario.as_of"))?;
    let horizon = scn
        .scenario
        .horizon
        .ok_or(CrisisError::Missing("scenario.horizon"))?;
    let total = (horizon - as_of).num_days().max(0);
    let rd = i64::from(scn.scenario.round_days.unwrap_or(7).max(1));
    Ok((total, rd))
}

fn compile<'s>(
    scn: &'s Scenario,
    c: &'s CrisisSpec,
    key: u64,
    stepper: Stepper,
) -> Result<Model<'s>, CrisisError> {
    let nm = Names { scn, crisis: c };
    let nk = scn.issues.len();
    let na = scn.actors.len();
    let as_of = scn
        .scenario
        .as_of
        .ok_or(CrisisError::Missing("scenario.as_of"))?;
    let mut stance = vec![false; na * nk];
    for s in &scn.stances {
        let ctx = Cx(&["stance ", &s.actor, ".", &s.issue]);
        stance[nm.actor(&s.actor, &ctx)? * nk + nm.issue(&s.issue, &ctx)?] = true;
    }
    let crisis_issue = match &c.issue {
        Some(i) => Some(nm.issue(i, "crisis.issue")?),
        None => None,
    };
    let initiator = match &c.initiator {
        Some(a) => Some(nm.actor(a, "crisis.initiator")?),
        None => None,
    };
    let mut events = Vec::new();
    for e in &c.events {
        let ctx = Cx(&["event ", &e.id]);
        events.push(CEvent {
            id: &e.id,
            day: (e.date - as_of).num_days(),
            until: e.until.map(|u| (u - as_of).num_days()),
            effects: nm.effects(&e.effects, &ctx)?,
        });
    }
    let gate_idx = |id: &str, ctx: &Cx| {
        c.gates
            .iter()
            .position(|g| g.id == id)
            .ok_or_else(|| CrisisError::unknown("gate", id, ctx))
    };
    let mut opts = Vec::new();
    for o in &c.options {
        let ctx = Cx(&["option ", &o.id]);
        // the ordering actor must exist (options without one belong to the initiator)
        match &o.actor {
            Some(a) => nm.actor(a, &ctx)?,
            None => initiator.ok_or(CrisisError::Missing("crisis.initiator"))?,
        };
        opts.push(COpt {
            id: &o.id,
            rid: rng::element_id_parts(&["option.", &o.id]),
            when: nm.pred(&o.when, &ctx)?,
            legality: o.legality.value.clamp(0.0, 1.0),
            level: o.level.as_ref().map(|l| l.value),
            gates: o
                .gates
                .iter()
                .map(|g| gate_idx(g, &ctx))
                .collect::<Result<_, _>>()?,
            threat: o.threat.value,
            push_t: o.alliance.target.value,
            push_i: o.alliance.initiator.value,
            effects: nm.effects(&o.effects, &ctx)?,
            on_withdraw: nm.effects(&o.on_withdraw, &ctx)?,
        });
    }
    let mut gates = Vec::new();
    for g in &c.gates {
        let ctx = Cx(&["gate ", &g.id]);
        gates.push(CGate {
            id: &g.id,
            rid: rng::element_id_parts(&["gate.", &g.id]),
            actor: nm.actor(&g.actor, &ctx)?,
            block: g.block.value,
            w_pos: g.w_position.value,
            w_leg: g.w_legality.value,
            delay: g.delay.value.clamp(0.0, 1.0),
            subst: g.substitute.value.clamp(0.0, 1.0),
            substitutes: g
                .substitutes
                .iter()
                .map(|s| nm.option(s, &ctx))
                .collect::<Result<_, _>>()?,
            max_delays: g.max_delays,
            clock: g
                .clock
                .as_ref()
                .map(|k| (k.report_days, k.limit_days, k.extension_days)),
        });
    }
    let group = c.alliance.as_ref().map(|a| a.group.as_str());
    let exclude_parties = c.alliance.as_ref().is_some_and(|a| a.exclude_parties);
    let mut allies = Vec::new();
    for a in &c.allies {
        let ctx = Cx(&["ally ", &a.actor]);
        let actor = nm.actor(&a.actor, &ctx)?;
        let noise = a.noise.value.abs();
        let u = rng::draw(key, rng::element_id_parts(&["ally.", &a.actor]), 0, 0);
        let theta = (a.threshold.value + noise * (2.0 * u - 1.0)).max(1e-9);
        let party =
            Some(actor) == initiator || c.target.as_deref() == Some(scn.actors[actor].id.as_str());
        let member = match group {
            Some(g) => scn.actors[actor].groups.iter().any(|x| x == g),
            None => true,
        };
        let counted = member && !(exclude_parties && party);
        allies.push(CAlly {
            actor,
            wid: rng::element_id_parts(&["withdrawal.", &a.actor]),
            theta,
            lean: a.lean.value,
            locked: a.lock.value >= 0.5,
            member,
            counted,
            inn: Vec::new(),
        });
    }
    for l in &c.links {
        let ctx = Cx(&["link ", &l.from, "->", &l.to]);
        let f = nm.ally(&l.from, &ctx)?;
        let t = nm.ally(&l.to, &ctx)?;
        allies[t].inn.push((f, l.weight.value.max(0.0)));
    }
    let mut vol = Vec::new();
    for v in &c.volatility {
        let ctx = Cx(&["volatility ", &v.actor]);
        let k = match &v.issue {
            Some(i) => nm.issue(i, &ctx)?,
            None => crisis_issue.ok_or(CrisisError::Missing("crisis.issue"))?,
        };
        vol.push((
            nm.actor(&v.actor, &ctx)? * nk + k,
            v.prob.value,
            v.size.value,
            v.up.value,
            v.salience.value.abs(),
            rng::element_id_parts(&["volatility.", &v.actor, ".", &scn.issues[k].id]),
        ));
    }
    let (mut access, mut presence) = (Vec::new(), Vec::new());
    for l in &c.influence {
        let ctx = Cx(&["influence ", &l.from, "->", &l.to]);
        let k = match &l.issue {
            Some(i) => nm.issue(i, &ctx)?,
            None => crisis_issue.ok_or(CrisisError::Missing("crisis.issue"))?,
        };
        let e = (
            nm.actor(&l.from, &ctx)?,
            nm.actor(&l.to, &ctx)?,
            k,
            l.weight.value,
        );
        match l.kind {
            InfluenceKind::Position => access.push(e),
            InfluenceKind::Salience => presence.push(e),
        }
    }
    let b = c.bargaining.clone().unwrap_or_default();
    let coercion = match (&c.coercion, &c.target) {
        (Some(k), Some(t)) => Some((
            initiator.ok_or(CrisisError::Missing("crisis.initiator"))?,
            nm.actor(t, "crisis.target")?,
            crisis_issue.ok_or(CrisisError::Missing("crisis.issue"))?,
            k.rate.value,
        )),
        _ => None,
    };
    let mut consent_bound = vec![false; allies.len()];
    let (withdraw_when, withdraw_prob, withdrawal_damage, notice_days) = match &c.alliance {
        Some(a) => {
            for r in &a.rules {
                if r.kind == "withdrawal_consent" {
                    if let Some(x) = &r.actor {
                        if !nm.removed(x) {
                            consent_bound[nm.ally(x, &Cx(&["alliance rule ", &r.id]))?] = true;
                        }
                    }
                }
            }
            let w = if a.withdraw_when.trim().is_empty() {
                Expr::constant(false)
            } else {
                nm.pred(&a.withdraw_when, "alliance.withdraw_when")?
            };
            (
                w,
                a.withdraw_prob.value,
                a.withdrawal_damage.value,
                i64::from(a.notice_days),
            )
        }
        None => (Expr::constant(false), 0.0, 0.0, 365),
    };
    Ok(Model {
        actor_ids: scn.actors.iter().map(|a| a.id.as_str()).collect(),
        issue_ids: scn.issues.iter().map(|i| i.id.as_str()).collect(),
        n_issues: nk,
        lo: scn.issues.iter().map(|i| i.min).collect(),
        hi: scn.issues.iter().map(|i| i.max).collect(),
        stance,
        events,
        opts,
        gates,
        allies,
        vol,
        access,
        presence,
        rate: b.rate.value,
        access_rate: b.access_rate.value,
        stepper,
        coercion,
        crisis_issue,
        withdraw_when,
        withdraw_prob,
        withdrawal_damage,
        notice_days,
        consent_bound,
    })
}

/// One bargaining step on issue `k` (docs/crisis.md §2): the registered model
/// `crisis-averaging`'s step (`docs/models/crisis-averaging.md`), called with the week's
/// pressure-scaled rate.
pub use crate::models::averaging::bargain_step;

impl Sim<'_> {
    /// The capability×salience-weighted median (lower end of an exact tie, the issue outcome
    /// convention of `state.rs`) and mean of issue `k` over the actors with a stance on it.
    fn issue_stats(&self, k: usize) -> (f64, f64) {
        let nk = self.m.n_issues;
        let n = self.cap.len();
        let mut p = Vec::with_capacity(n);
        let mut w = Vec::with_capacity(n);
        for a in 0..n {
            let i = a * nk + k;
            if self.m.stance[i] {
                p.push(self.pos[i]);
                w.push(self.cap[a].max(0.0) * self.sal[i].clamp(0.0, 1.0));
            }
        }
        // No weight at all: no outcome (the models' equal-weight fallback does not apply here).
        if !w.iter().any(|&x| x > 0.0) {
            return (f64::NAN, f64::NAN);
        }
        (
            stats::weighted_median(&p, &w, TieRule::Lower),
            stats::weighted_mean(&p, &w),
        )
    }

    fn var(&self, v: &Var) -> Option<f64> {
        Some(match *v {
            Var::Pos(i) => self.pos[i],
            Var::Sal(i) => self.sal[i],
            Var::Cap(a) => self.cap[a],
            Var::Issue(k) => self.issue_stats(k).0,
            Var::IssueMean(k) => self.issue_stats(k).1,
            Var::Taken(o) => f64::from(u8::from(self.taken[o].is_some())),
            Var::Day(o) => return self.taken[o].map(|d| d as f64),
            Var::Cohesion => self.cohesion(),
            Var::Align(a) => f64::from(self.align[a]),
            Var::Withdrawals => f64::from(self.n_withdrawals),
            Var::Pressure => self.pressure,
            Var::Threat => self.threat,
            Var::Now => self.day as f64,
            Var::Const(c) => c,
            Var::Absent => return None,
        })
    }

    fn holds(&self, p: &Expr<Var>) -> bool {
        p.eval(&mut |v: &Var| self.var(v))
    }

    /// Cohesion (docs/crisis.md §5): 1 − 2·min(C⁺, C⁻)/C over members' capabilities, minus the
    /// accumulated damage from options and withdrawal notices, clamped to [0, 1].
    fn cohesion(&self) -> f64 {
        let (mut plus, mut minus, mut total) = (0.0, 0.0, 0.0);
        for (i, a) in self.m.allies.iter().enumerate() {
            if !a.counted {
                continue;
            }
            let c = self.cap[a.actor].max(0.0);
            total += c;
            match self.align[i] {
                1 => plus += c,
                -1 => minus += c,
                _ => {}
            }
        }
        let split = if total > 0.0 {
            2.0 * f64::min(plus, minus) / total
        } else {
            0.0
        };
        let dmg = self.cohesion_shift + self.m.withdrawal_damage * f64::from(self.n_withdrawals);
        (1.0 - split - dmg).clamp(0.0, 1.0)
    }

    fn read(&self, p: Param) -> f64 {
        match p {
            Param::Pos(i) => self.pos[i],
            Param::Sal(i) => self.base_sal[i],
            Param::Cap(a) => self.cap[a],
            Param::OptAvail(o) => f64::from(u8::from(self.avail[o])),
            Param::OptProp(o) => self.prop[o],
            Param::Pressure => self.pressure,
            Param::Threat => self.threat,
            Param::Cohesion => -self.cohesion_shift,
            Param::Lean(a) => self.lean[a],
            Param::Align(a) => f64::from(self.align[a]),
            Param::Withdraw(a) => f64::from(u8::from(self.withdrawn[a].is_some())),
            Param::Nop => 0.0,
        }
    }

    fn write(&mut self, p: Param, v: f64) {
        let nk = self.m.n_issues;
        match p {
            Param::Pos(i) => self.pos[i] = v.clamp(self.m.lo[i % nk], self.m.hi[i % nk]),
            Param::Sal(i) => self.base_sal[i] = v.clamp(0.0, 1.0),
            Param::Cap(a) => self.cap[a] = v.max(0.0),
            Param::OptAvail(o) => self.avail[o] = v >= 0.5,
            Param::OptProp(o) => self.prop[o] = v.clamp(0.0, 1.0),
            Param::Pressure => self.pressure = v.max(0.0),
            Param::Threat => self.threat = v.clamp(0.0, 1.0),
            Param::Cohesion => self.cohesion_shift = -v,
            Param::Lean(a) => self.lean[a] = v,
            Param::Align(a) => self.set_align(a, v.round().clamp(-1.0, 1.0) as i8),
            Param::Withdraw(a) => {
                if v >= 0.5 {
                    self.give_notice(a);
                }
            }
            Param::Nop => {}
        }
    }

    /// Apply effects; returns the values before, so that they can be undone.
    fn apply(&mut self, effects: &[CEffect]) -> Vec<f64> {
        let mut before = Vec::with_capacity(effects.len());
        for e in effects {
            let old = self.read(e.param);
            before.push(old);
            let new = match e.op {
                EffectOp::Set => e.value,
                EffectOp::Add => old + e.value,
                EffectOp::Mul => old * e.value,
            };
            self.write(e.param, new);
        }
        before
    }

    fn undo(&mut self, effects: &[CEffect], before: &[f64]) {
        for (e, old) in effects.iter().zip(before).rev() {
            let cur = self.read(e.param);
            let v = match e.op {
                EffectOp::Set => *old,
                EffectOp::Add => cur - e.value,
                EffectOp::Mul if e.value != 0.0 => cur / e.value,
                EffectOp::Mul => *old,
            };
            self.write(e.param, v);
        }
    }

    fn set_align(&mut self, a: usize, v: i8) {
        self.align[a] = v;
        if v == 1 && self.plus_day[a].is_none() {
            self.plus_day[a] = Some(self.day);
        }
        if v == -1 && self.minus_day[a].is_none() {
            self.minus_day[a] = Some(self.day);
        }
    }

    fn give_notice(&mut self, a: usize) {
        if self.withdrawn[a].is_none() {
            self.withdrawn[a] = Some(self.day);
            self.n_withdrawals += 1;
            let id = &self.m.actor_ids[self.m.allies[a].actor];
            self.log.push(format!("withdrawal:{id}@day{}", self.day));
        }
    }
}

impl Sim<'_> {
    fn effective_salience(&mut self) {
        self.sal.copy_from_slice(&self.base_sal);
        let nk = self.m.n_issues;
        for &(f, t, k, w) in &self.m.presence {
            let sf = self.sal[f * nk + k];
            let st = &mut self.sal[t * nk + k];
            *st = (*st + w * sf * (1.0 - *st)).clamp(0.0, 1.0);
        }
    }

    /// The keyed uniform of `element` in this round (day), `slot` (docs/uncertainty.md).
    fn u(&self, element: u64, slot: u64) -> f64 {
        rng::draw(self.key, element, self.day as u64, slot)
    }

    fn volatility(&mut self) {
        let nk = self.m.n_issues;
        for &(i, prob, size, up, sal, id) in &self.m.vol {
            if self.u(id, 0) < prob {
                let dir = if self.u(id, 1) < up { 1.0 } else { -1.0 };
                let k = i % nk;
                self.pos[i] = (self.pos[i] + dir * size).clamp(self.m.lo[k], self.m.hi[k]);
                if sal > 0.0 {
                    let ds = if self.u(id, 2) < 0.5 { sal } else { -sal };
                    self.base_sal[i] = (self.base_sal[i] + ds).clamp(0.0, 1.0);
                }
                let a = &self.m.actor_ids[i / nk];
                self.log.push(format!("jump:{a}@day{}", self.day));
            }
        }
    }

    /// Bargaining, access pulls and coercive concession (docs/crisis.md §2, §4). The
    /// bargaining round is the scenario's registered model ([`Stepper`]); SMP's stochastic
    /// mode draws from a stream keyed by (run key, day, issue), never by draw order.
    fn bargaining(&mut self) -> Result<(), CrisisError> {
        let nk = self.m.n_issues;
        let n = self.cap.len();
        // Deadline pressure does not act here: it acts once, on the target's concession below
        // (docs/crisis.md, "Deadline pressure").
        let rate = self.m.rate;
        let mut pos = vec![0.0; n];
        let mut sal = vec![0.0; n];
        let mut has = vec![false; n];
        for k in 0..nk {
            for a in 0..n {
                pos[a] = self.pos[a * nk + k];
                sal[a] = self.sal[a * nk + k];
                has[a] = self.m.stance[a * nk + k];
            }
            let mut brng = rng::substream(
                self.key,
                self.day as u64,
                rng::combine(rng::element_id("crisis.bargaining"), k as u64),
            );
            self.m
                .stepper
                .step(
                    &mut pos,
                    &sal,
                    &self.cap,
                    &has,
                    rate,
                    (self.m.lo[k], self.m.hi[k]),
                    &mut brng,
                )
                .map_err(|e| CrisisError::Model(e.0))?;
            for (a, x) in pos.iter().enumerate() {
                self.pos[a * nk + k] = *x;
            }
        }
        for &(f, t, k, w) in &self.m.access {
            let (xf, sf) = (self.pos[f * nk + k], self.sal[f * nk + k]);
            let xt = &mut self.pos[t * nk + k];
            *xt += (self.m.access_rate * w * sf).clamp(0.0, 1.0) * (xf - *xt);
        }
        if let Some((ini, tgt, k, kappa)) = self.m.coercion {
            if self.threat > 0.0 {
                let (xi, xt) = (self.pos[ini * nk + k], self.pos[tgt * nk + k]);
                let cs = |a: usize| self.cap[a].max(0.0) * self.sal[a * nk + k].clamp(0.0, 1.0);
                let (mut side_i, mut side_t) = (cs(ini), cs(tgt));
                for (j, al) in self.m.allies.iter().enumerate() {
                    if al.actor == ini || al.actor == tgt || !self.m.stance[al.actor * nk + k] {
                        continue;
                    }
                    match self.align[j] {
                        1 => side_i += cs(al.actor),
                        -1 => side_t += cs(al.actor),
                        _ => {}
                    }
                }
                let rho = if side_i + side_t > 0.0 {
                    side_i / (side_i + side_t)
                } else {
                    0.0
                };
                let phi = (kappa * self.threat * (1.0 + self.pressure) * rho).clamp(0.0, 1.0);
                if xi > xt {
                    self.pos[tgt * nk + k] = xt + phi * (xi - xt);
                }
            }
        }
        for i in 0..self.pos.len() {
            let k = i % nk;
            self.pos[i] = self.pos[i].clamp(self.m.lo[k], self.m.hi[k]);
        }
        Ok(())
    }

    /// Probability that gate `g` stops option `o` (docs/crisis.md §3):
    /// σ(β₀ + β_d·s_g·d(x_g, level) + β_L·(1 − legality)).
    fn p_stop(&self, g: usize, o: usize) -> f64 {
        let gate = &self.m.gates[g];
        let opt = &self.m.opts[o];
        let d = match (opt.level, self.m.crisis_issue) {
            (Some(level), Some(k)) => {
                let i = gate.actor * self.m.n_issues + k;
                let range = (self.m.hi[k] - self.m.lo[k]).max(1e-9);
                self.sal[i].clamp(0.0, 1.0) * ((self.pos[i] - level).abs() / range).min(1.0)
            }
            _ => 0.0,
        };
        sigmoid(gate.block + gate.w_pos * d + gate.w_leg * (1.0 - opt.legality))
    }

    fn is_pending(&self, o: usize) -> bool {
        self.pending.iter().any(|p| p.opt == o)
    }

    fn execute(&mut self, o: usize) {
        let m = self.m;
        let opt = &m.opts[o];
        self.taken[o] = Some(self.day);
        self.log.push(format!("option:{}@day{}", opt.id, self.day));
        self.ended = Some(format!("option:{}", opt.id));
        self.apply(&opt.effects);
        self.push_t += opt.push_t;
        self.push_i += opt.push_i;
        if opt.push_t > 0.0 || opt.push_i > 0.0 {
            self.last_push = Some(o);
        }
        self.threat = (self.threat + opt.threat).clamp(0.0, 1.0);
        for &g in &opt.gates {
            if let Some((report, limit, ext)) = m.gates[g].clock {
                let report_day = self.day + i64::from(report);
                self.log.push(format!(
                    "report:{}@day{report_day}->{}",
                    opt.id, m.gates[g].id
                ));
                self.clocks
                    .push((o, g, report_day + i64::from(limit) + i64::from(ext)));
            }
        }
    }

    /// Take one order as far along its chain as it gets this round. Returns the order if it is
    /// still pending (delayed) and a substitute order if one was made.
    fn advance(&mut self, mut p: Pending) -> (Option<Pending>, Option<Pending>) {
        let m = self.m;
        if self.taken[p.opt].is_some() {
            // carried out meanwhile (e.g. as another order's substitute this round)
            return (None, None);
        }
        while p.gate_pos < m.opts[p.opt].gates.len() {
            let g = m.opts[p.opt].gates[p.gate_pos];
            let gate = &m.gates[g];
            if Some(g) == p.skip || gate.clock.is_some() {
                p.gate_pos += 1;
                continue;
            }
            let oid = &m.opts[p.opt].id;
            // keyed by (gate, option, which order): other elements never shift these draws
            let e = rng::combine(
                rng::combine(gate.rid, m.opts[p.opt].rid),
                u64::from(p.order),
            );
            if self.u(e, 0) >= self.p_stop(g, p.opt) {
                p.gate_pos += 1;
                continue;
            }
            let u = self.u(e, 1);
            if u < gate.delay {
                p.delays += 1;
                if p.delays > gate.max_delays {
                    self.log
                        .push(format!("lapsed:{oid}@{}@day{}", gate.id, self.day));
                    self.ended = Some(format!("lapsed@{}", gate.id));
                    return (None, None);
                }
                self.log
                    .push(format!("delayed:{oid}@{}@day{}", gate.id, self.day));
                return (Some(p), None);
            }
            if u < gate.delay + gate.subst {
                let sub = gate.substitutes.iter().copied().find(|&s| {
                    s != p.opt && self.avail[s] && self.taken[s].is_none() && !self.is_pending(s)
                });
                if let Some(s) = sub {
                    self.log.push(format!(
                        "substituted:{oid}->{}@{}@day{}",
                        m.opts[s].id, gate.id, self.day
                    ));
                    self.orders[s] += 1;
                    let np = Pending {
                        opt: s,
                        order: self.orders[s],
                        gate_pos: 0,
                        delays: 0,
                        skip: Some(g),
                    };
                    return (None, Some(np));
                }
            }
            self.log
                .push(format!("blocked:{oid}@{}@day{}", gate.id, self.day));
            self.ended = Some(format!("blocked@{}", gate.id));
            return (None, None);
        }
        self.execute(p.opt);
        (None, None)
    }

    fn options(&mut self) {
        let m = self.m;
        for o in 0..m.opts.len() {
            if self.taken[o].is_some() || !self.avail[o] || self.is_pending(o) {
                continue;
            }
            if !self.holds(&m.opts[o].when) {
                continue;
            }
            // Propensities are not scaled by deadline pressure (it acts once, on the target's
            // concession: docs/crisis.md, "Deadline pressure").
            let p = self.prop[o].clamp(0.0, 1.0);
            if self.u(m.opts[o].rid, 0) < p {
                self.orders[o] += 1;
                self.log
                    .push(format!("order:{}@day{}", m.opts[o].id, self.day));
                self.pending.push(Pending {
                    opt: o,
                    order: self.orders[o],
                    gate_pos: 0,
                    delays: 0,
                    skip: None,
                });
            }
        }
        let mut queue = std::mem::take(&mut self.pending);
        let mut keep = Vec::new();
        let mut i = 0;
        while i < queue.len() {
            let (still, sub) = self.advance(queue[i]);
            if let Some(s) = still {
                keep.push(s);
            }
            if let Some(s) = sub {
                queue.push(s);
            }
            i += 1;
        }
        self.pending = keep;
        // statutory clocks (War Powers): judge when the time runs out
        let mut clocks = std::mem::take(&mut self.clocks);
        clocks.retain(|&(o, g, due)| {
            if due > self.day {
                return true;
            }
            let (oid, gid) = (&m.opts[o].id, &m.gates[g].id);
            let e = rng::combine(m.gates[g].rid, m.opts[o].rid);
            if self.u(e, 0) < self.p_stop(g, o) {
                self.log
                    .push(format!("withdrawn:{oid}@{gid}@day{}", self.day));
                self.withdrawn_opt[o] = true;
                self.apply(&m.opts[o].on_withdraw);
            } else {
                self.log
                    .push(format!("authorized:{oid}@{gid}@day{}", self.day));
            }
            false
        });
        self.clocks = clocks;
    }

    /// Linear-threshold cascade of alignments (docs/crisis.md §5), iterated to a fixed point.
    fn cascade(&mut self) {
        let m = self.m;
        let n = m.allies.len();
        let mut next = self.align.clone();
        for _ in 0..(2 * n + 2) {
            let mut changed = false;
            for (i, a) in m.allies.iter().enumerate() {
                if a.locked {
                    continue;
                }
                let ex_p = self.lean[i].max(0.0) + self.push_i;
                let ex_n = (-self.lean[i]).max(0.0) + self.push_t;
                let (mut np, mut nn) = (0.0, 0.0);
                for &(j, w) in &a.inn {
                    match self.align[j] {
                        1 => np += w,
                        -1 => nn += w,
                        _ => {}
                    }
                }
                let (p, q) = (ex_p + np, ex_n + nn);
                let cur = self.align[i];
                let new = if p >= a.theta && p > q {
                    1
                } else if q >= a.theta && q > p {
                    -1
                } else {
                    cur
                };
                next[i] = new;
                if new != cur {
                    changed = true;
                    let neigh = if new == 1 { np } else { nn };
                    let exo = if new == 1 { ex_p } else { ex_n };
                    let who = if neigh >= exo {
                        a.inn
                            .iter()
                            .filter(|(j, _)| self.align[*j] == new)
                            .max_by(|x, y| x.1.total_cmp(&y.1))
                            .map(|(j, _)| m.actor_ids[m.allies[*j].actor].to_string())
                    } else {
                        None
                    };
                    let who = who.unwrap_or_else(|| match self.last_push {
                        Some(o) => m.opts[o].id.to_string(),
                        None => "lean".into(),
                    });
                    self.log
                        .push(format!("tipped:{who}->{}", m.actor_ids[a.actor]));
                }
            }
            if !changed {
                break;
            }
            for (i, &v) in next.iter().enumerate() {
                if v != self.align[i] {
                    self.set_align(i, v);
                }
            }
        }
    }

    fn withdrawals(&mut self) {
        let m = self.m;
        if m.withdraw_prob <= 0.0 || !self.holds(&m.withdraw_when) {
            return;
        }
        for i in 0..m.allies.len() {
            let a = &m.allies[i];
            if !a.member || m.consent_bound[i] || self.align[i] != -1 || self.withdrawn[i].is_some()
            {
                continue;
            }
            if self.u(a.wid, 0) < m.withdraw_prob {
                self.give_notice(i);
            }
        }
    }
}

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

fn run(
    scn: &Scenario,
    spec: &CrisisSpec,
    stepper: Stepper,
    rng: &mut Rng,
) -> Result<RunState, CrisisError> {
    let (total, rd) = calendar(scn)?;
    // One word of the run's stream keys every draw of the run (docs/uncertainty.md).
    let key = rng::run_key(rng);
    let model = compile(scn, spec, key, stepper)?;
    let m = &model;
    let nk = scn.issues.len();
    let na = scn.actors.len();
    let mut pos = vec![0.0; na * nk];
    let mut sal = vec![0.0; na * nk];
    for (a, _) in scn.actors.iter().enumerate() {
        for k in 0..nk {
            pos[a * nk + k] = 0.5 * (m.lo[k] + m.hi[k]);
        }
    }
    for s in &scn.stances {
        if let (Some(a), Some(k)) = (scn.actor_index(&s.actor), scn.issue_index(&s.issue)) {
            pos[a * nk + k] = s.position.value.clamp(m.lo[k], m.hi[k]);
            sal[a * nk + k] = s.salience.value.clamp(0.0, 1.0);
        }
    }
    let no = m.opts.len();
    let nl = m.allies.len();
    let mut sim = Sim {
        m,
        key,
        pos,
        base_sal: sal.clone(),
        sal,
        cap: scn.actors.iter().map(|a| a.capability.value).collect(),
        avail: spec.options.iter().map(|o| o.available).collect(),
        prop: spec.options.iter().map(|o| o.propensity.value).collect(),
        taken: vec![None; no],
        orders: vec![0; no],
        withdrawn_opt: vec![false; no],
        pending: Vec::new(),
        clocks: Vec::new(),
        align: vec![0; nl],
        lean: m.allies.iter().map(|a| a.lean).collect(),
        plus_day: vec![None; nl],
        minus_day: vec![None; nl],
        withdrawn: vec![None; nl],
        n_withdrawals: 0,
        push_t: 0.0,
        push_i: 0.0,
        last_push: None,
        pressure: 0.0,
        threat: 0.0,
        cohesion_shift: 0.0,
        cohesion_min: 1.0,
        day: 0,
        saved: vec![None; m.events.len()],
        ended: None,
        log: Vec::new(),
    };
    for (i, a) in spec.allies.iter().enumerate() {
        let v = a.alignment.value.round().clamp(-1.0, 1.0) as i8;
        if v != 0 {
            sim.set_align(i, v);
        }
    }
    // series: actors with a stance, and allies
    let pos_series: Vec<(usize, String)> = (0..na * nk)
        .filter(|&i| m.stance[i])
        .map(|i| {
            (
                i,
                format!("position.{}.{}", m.actor_ids[i / nk], m.issue_ids[i % nk]),
            )
        })
        .collect();
    let n_rounds = if total == 0 { 0 } else { (total + rd - 1) / rd };
    let cap = n_rounds as usize + 1;
    let mut pos_s: Vec<Vec<f64>> = vec![Vec::with_capacity(cap); pos_series.len()];
    let mut coh_s = Vec::with_capacity(cap);
    let mut align_s: Vec<Vec<f64>> = vec![Vec::with_capacity(cap); nl];

    let events_in = |sim: &mut Sim, lo: i64, hi: i64| {
        for (e, ev) in m.events.iter().enumerate() {
            if ev.day > lo && ev.day <= hi {
                sim.saved[e] = Some(sim.apply(&ev.effects));
                sim.log.push(format!("event:{}@day{}", ev.id, sim.day));
            }
        }
        for (e, ev) in m.events.iter().enumerate() {
            if let Some(u) = ev.until {
                if u > lo && u <= hi {
                    if let Some(before) = sim.saved[e].take() {
                        sim.undo(&ev.effects, &before);
                        sim.log.push(format!("event_end:{}@day{}", ev.id, sim.day));
                    }
                }
            }
        }
    };
    // round 0: events dated on or before as_of, then the initial cascade
    events_in(&mut sim, i64::MIN, 0);
    sim.effective_salience();
    sim.cascade();
    sim.cohesion_min = sim.cohesion();
    let record =
        |sim: &Sim, pos_s: &mut Vec<Vec<f64>>, coh_s: &mut Vec<f64>, al: &mut Vec<Vec<f64>>| {
            for (j, (i, _)) in pos_series.iter().enumerate() {
                pos_s[j].push(sim.pos[*i]);
            }
            coh_s.push(sim.cohesion());
            for (j, s) in al.iter_mut().enumerate() {
                s.push(f64::from(sim.align[j]));
            }
        };
    record(&sim, &mut pos_s, &mut coh_s, &mut align_s);
    for r in 1..=n_rounds {
        let prev = sim.day;
        let now = (r * rd).min(total);
        sim.day = now;
        events_in(&mut sim, prev, now);
        sim.volatility();
        sim.effective_salience();
        sim.bargaining()?;
        sim.options();
        sim.cascade();
        sim.withdrawals();
        let c = sim.cohesion();
        sim.cohesion_min = sim.cohesion_min.min(c);
        record(&sim, &mut pos_s, &mut coh_s, &mut align_s);
    }

    let mut st = RunState::default();
    for (o, opt) in m.opts.iter().enumerate() {
        let p = format!("option.{}", opt.id);
        st.set(
            format!("{p}.taken"),
            f64::from(u8::from(sim.taken[o].is_some())),
        );
        if let Some(d) = sim.taken[o] {
            st.set(format!("{p}.day"), d as f64);
        }
        st.set(format!("{p}.orders"), f64::from(sim.orders[o]));
        if sim.withdrawn_opt[o] {
            st.set(format!("{p}.withdrawn"), 1.0);
        }
    }
    st.set("cohesion", sim.cohesion());
    st.set("cohesion.min", sim.cohesion_min);
    st.set("withdrawals", f64::from(sim.n_withdrawals));
    st.set("pressure", sim.pressure);
    st.set("threat", sim.threat);
    for (i, a) in m.allies.iter().enumerate() {
        let id = &m.actor_ids[a.actor];
        st.set(format!("alignment.{id}"), f64::from(sim.align[i]));
        if let Some(d) = sim.plus_day[i] {
            st.set(format!("alignment.{id}.plus_day"), d as f64);
        }
        if let Some(d) = sim.minus_day[i] {
            st.set(format!("alignment.{id}.minus_day"), d as f64);
        }
        if let Some(d) = sim.withdrawn[i] {
            st.set(format!("withdrawal.{id}.day"), d as f64);
            st.set(
                format!("withdrawal.{id}.effective_day"),
                (d + m.notice_days) as f64,
            );
        }
    }
    for k in 0..nk {
        let (med, mean) = sim.issue_stats(k);
        st.set(format!("issue.{}", m.issue_ids[k]), med);
        st.set(format!("issue.{}.mean", m.issue_ids[k]), mean);
    }
    for ((i, name), s) in pos_series.into_iter().zip(pos_s) {
        st.set(name.clone(), sim.pos[i]);
        st.series.insert(name, s);
    }
    st.series.insert("cohesion".into(), coh_s);
    for (a, s) in m.allies.iter().zip(align_s) {
        st.series
            .insert(format!("alignment.{}", m.actor_ids[a.actor]), s);
    }
    for d in &spec.disabled {
        st.set(format!("disabled.{d}"), 1.0);
        // a removed option was never taken (outcome predicates such as `option.x.taken < 1`
        // keep working)
        if let Some(o) = d.strip_prefix("option.") {
            st.set(format!("option.{o}.taken"), 0.0);
            st.set(format!("option.{o}.orders"), 0.0);
        }
    }
    st.events = std::mem::take(&mut sim.log);
    let why = sim.ended.take().unwrap_or_else(|| "status_quo".into());
    st.events.push(format!("ended:{why}"));
    Ok(st)
}
