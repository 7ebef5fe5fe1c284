//! Compiling a crisis spec into its index form ([`Model`]): every name resolved once, every
//! predicate mapped to [`Var`]s, every effect to [`Param`]s.

use super::*;

/// An error context built from pieces, formatted only when an error is reported (compiling a
/// run's model then formats no string).
struct Cx<'a>(&'a [&'a str]);

impl Display for Cx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|p| f.write_str(p))
    }
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
    /// `<actor>.<issue>` → flat stance index
    fn slot<C: Display + ?Sized>(&self, a: &str, k: &str, ctx: &C) -> Result<usize, CrisisError> {
        Ok(self.actor(a, ctx)? * self.scn.issues.len() + self.issue(k, ctx)?)
    }

    /// Resolve a variable of the grammar ([`names::var`]) to indices.
    fn var<C: Display + ?Sized>(&self, name: &str, ctx: &C) -> Result<Var, CrisisError> {
        use names::VarName as V;
        let bad = || CrisisError::Name {
            context: ctx.to_string(),
            name: name.into(),
        };
        Ok(match names::var(name).ok_or_else(bad)? {
            V::Cohesion => Var::Cohesion,
            V::Withdrawals => Var::Withdrawals,
            V::Pressure => Var::Pressure,
            V::Threat => Var::Threat,
            V::Day => Var::Now,
            V::Position(a, k) => Var::Pos(self.slot(a, k, ctx)?),
            V::Salience(a, k) => Var::Sal(self.slot(a, k, ctx)?),
            V::Capability(a) => Var::Cap(self.actor(a, ctx)?),
            V::Alignment(a) => Var::Align(self.ally(a, ctx)?),
            // `[params]`: this run's sampled value (`Model::params`, rewritten by `refresh`
            // each run).
            V::Param(r) => Var::Param(
                self.scn
                    .params
                    .keys()
                    .position(|k| k == r)
                    .ok_or_else(bad)?,
            ),
            V::Disabled(r) => Var::Const(if self.crisis.disabled.iter().any(|d| d == r) {
                1.0
            } else {
                0.0
            }),
            V::IssueMean(k) => Var::IssueMean(self.issue(k, ctx)?),
            V::Issue(k) => Var::Issue(self.issue(k, ctx)?),
            V::Taken(o) => Var::Taken(self.option(o, ctx)?),
            V::OptionDay(o) => Var::Day(self.option(o, ctx)?),
        })
    }

    /// Resolve an effect parameter of the grammar ([`names::param`]) to indices.
    fn param<C: Display + ?Sized>(&self, name: &str, ctx: &C) -> Result<Param, CrisisError> {
        use names::ParamName as P;
        let bad = || CrisisError::Name {
            context: ctx.to_string(),
            name: name.into(),
        };
        Ok(match names::param(name).ok_or_else(bad)? {
            P::Pressure => Param::Pressure,
            P::Threat => Param::Threat,
            P::Cohesion => Param::Cohesion,
            P::Position(a, k) => Param::Pos(self.slot(a, k, ctx)?),
            P::Salience(a, k) => Param::Sal(self.slot(a, k, ctx)?),
            P::Capability(a) => Param::Cap(self.actor(a, ctx)?),
            P::Lean(a) => Param::Lean(self.ally(a, ctx)?),
            P::Alignment(a) => Param::Align(self.ally(a, ctx)?),
            P::Withdraw(a) => Param::Withdraw(self.ally(a, ctx)?),
            P::Available(o) => Param::OptAvail(self.option(o, ctx)?),
            P::Propensity(o) => Param::OptProp(self.option(o, ctx)?),
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
pub(super) fn calendar(scn: &Scenario) -> Result<(i64, i64), CrisisError> {
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

pub(super) fn compile(
    scn: &Scenario,
    c: &CrisisSpec,
    key: u64,
    stepper: Stepper,
) -> Result<Model, CrisisError> {
    let nm = Names { scn, crisis: c };
    let nk = scn.issues.len();
    let na = scn.actors.len();
    let as_of = scn
        .scenario
        .as_of
        .ok_or(CrisisError::Missing("scenario.as_of"))?;
    let mut stance = vec![false; na * nk];
    let mut stance_at = Vec::with_capacity(scn.stances.len());
    for s in &scn.stances {
        let ctx = Cx(&["stance ", &s.actor, ".", &s.issue]);
        let a = nm.actor(&s.actor, &ctx)?;
        let k = nm.issue(&s.issue, &ctx)?;
        let at = a * nk + k;
        stance[at] = true;
        stance_at.push((at, k));
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
            id: e.id.clone(),
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
            id: o.id.clone(),
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
            id: g.id.clone(),
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
        let theta = ally_theta(a, key);
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
            out: Vec::new(),
        });
    }
    let mut links = Vec::with_capacity(c.links.len());
    for l in &c.links {
        let ctx = Cx(&["link ", &l.from, "->", &l.to]);
        let f = nm.ally(&l.from, &ctx)?;
        let t = nm.ally(&l.to, &ctx)?;
        allies[t].inn.push((f, l.weight.value.max(0.0)));
        links.push((f, t));
    }
    for &(f, t) in &links {
        allies[f].out.push(t);
    }
    for a in &mut allies {
        a.out.sort_unstable();
        a.out.dedup();
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
    let pos_names = (0..na * nk)
        .filter(|&i| stance[i])
        .map(|i| {
            (
                i,
                format!(
                    "position.{}.{}",
                    scn.actors[i / nk].id,
                    scn.issues[i % nk].id
                ),
            )
        })
        .collect();
    let id = |a: &CAlly| &scn.actors[a.actor].id;
    let names = OutNames {
        opt: opts
            .iter()
            .map(|o| {
                let p = format!("option.{}", o.id);
                [
                    format!("{p}.taken"),
                    format!("{p}.day"),
                    format!("{p}.orders"),
                    format!("{p}.withdrawn"),
                ]
            })
            .collect(),
        ally: allies
            .iter()
            .map(|a| {
                let id = id(a);
                [
                    format!("alignment.{id}"),
                    format!("alignment.{id}.plus_day"),
                    format!("alignment.{id}.minus_day"),
                    format!("withdrawal.{id}.day"),
                    format!("withdrawal.{id}.effective_day"),
                ]
            })
            .collect(),
        issue: scn
            .issues
            .iter()
            .map(|i| [format!("issue.{}", i.id), format!("issue.{}.mean", i.id)])
            .collect(),
        disabled: c
            .disabled
            .iter()
            .map(|d| {
                let option = d
                    .strip_prefix("option.")
                    .map(|o| [format!("option.{o}.taken"), format!("option.{o}.orders")]);
                (format!("disabled.{d}"), option)
            })
            .collect(),
    };
    let modifiers = gates::compile_modifiers(c, &|t: &str, cx: &dyn Display| nm.pred(t, cx))?;
    let threat_decay = coercion::compile_decay(c);
    let spatial = cascade::compile_spatial(scn, c, initiator, crisis_issue);
    let round_days = calendar(scn)?.1;
    let mut m = Model {
        actor_ids: scn.actors.iter().map(|a| a.id.clone()).collect(),
        n_issues: nk,
        lo: scn.issues.iter().map(|i| i.min).collect(),
        hi: scn.issues.iter().map(|i| i.max).collect(),
        stance,
        stance_at,
        events,
        opts,
        gates,
        allies,
        links,
        params: scn.params.values().map(|n| n.value).collect(),
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
        pos_names,
        names,
        modifiers,
        threat_decay,
        round_days,
        spatial,
        ev_names: EventNames::default(),
        tippers: log::Tippers::default(),
    };
    (m.ev_names, m.tippers) = log::names(&m);
    Ok(m)
}

/// An ally's tipping threshold in the run keyed by `key`: the stated threshold plus its keyed
/// uniform noise (docs/crisis.md, E8).
fn ally_theta(a: &crate::scenario::Ally, key: u64) -> f64 {
    let noise = a.noise.value.abs();
    let u = rng::draw(key, rng::element_id_parts(&["ally.", &a.actor]), 0, 0);
    (a.threshold.value + noise * (2.0 * u - 1.0)).max(1e-9)
}

/// Rewrite every number of `m` (compiled from a scenario with the same elements as `scn` and
/// `c`) from `scn` and `c`, and the keyed draws of run key `key`: afterwards `m` is what
/// [`compile`]`(scn, c, key, _)` builds, without resolving a name or allocating. Reads the
/// elements in `compile`'s order; every numeric field that `compile` sets must be set here.
pub(super) fn refresh(m: &mut Model, scn: &Scenario, c: &CrisisSpec, key: u64) {
    fn values(out: &mut [CEffect], list: &[crate::scenario::Effect]) {
        for (ce, e) in out.iter_mut().zip(list) {
            ce.value = e.value.value;
        }
    }
    for (ce, e) in m.events.iter_mut().zip(&c.events) {
        values(&mut ce.effects, &e.effects);
    }
    for (co, o) in m.opts.iter_mut().zip(&c.options) {
        co.legality = o.legality.value.clamp(0.0, 1.0);
        co.level = o.level.as_ref().map(|l| l.value);
        co.threat = o.threat.value;
        co.push_t = o.alliance.target.value;
        co.push_i = o.alliance.initiator.value;
        values(&mut co.effects, &o.effects);
        values(&mut co.on_withdraw, &o.on_withdraw);
    }
    for (cg, g) in m.gates.iter_mut().zip(&c.gates) {
        cg.block = g.block.value;
        cg.w_pos = g.w_position.value;
        cg.w_leg = g.w_legality.value;
        cg.delay = g.delay.value.clamp(0.0, 1.0);
        cg.subst = g.substitute.value.clamp(0.0, 1.0);
    }
    for (ca, a) in m.allies.iter_mut().zip(&c.allies) {
        ca.theta = ally_theta(a, key);
        ca.lean = a.lean.value;
        ca.locked = a.lock.value >= 0.5;
        ca.inn.clear();
    }
    for (&(f, t), l) in m.links.iter().zip(&c.links) {
        m.allies[t].inn.push((f, l.weight.value.max(0.0)));
    }
    for (cv, v) in m.vol.iter_mut().zip(&c.volatility) {
        cv.1 = v.prob.value;
        cv.2 = v.size.value;
        cv.3 = v.up.value;
        cv.4 = v.salience.value.abs();
    }
    let (mut ia, mut ip) = (0, 0);
    for l in &c.influence {
        let slot = match l.kind {
            InfluenceKind::Position => {
                ia += 1;
                m.access.get_mut(ia - 1)
            }
            InfluenceKind::Salience => {
                ip += 1;
                m.presence.get_mut(ip - 1)
            }
        };
        if let Some(e) = slot {
            e.3 = l.weight.value;
        }
    }
    let default;
    let b = match &c.bargaining {
        Some(b) => b,
        None => {
            default = crate::scenario::BargainingSpec::default();
            &default
        }
    };
    m.rate = b.rate.value;
    m.access_rate = b.access_rate.value;
    if let (Some(co), Some(k)) = (&mut m.coercion, &c.coercion) {
        co.3 = k.rate.value;
    }
    if let Some(a) = &c.alliance {
        m.withdraw_prob = a.withdraw_prob.value;
        m.withdrawal_damage = a.withdrawal_damage.value;
    }
    m.params.clear();
    m.params.extend(scn.params.values().map(|n| n.value));
    // the mechanisms' numbers (docs/crisis.md §3 modifiers, §4 decay, §5.1 spatial alignment)
    for (ms, o) in m.modifiers.iter_mut().zip(&c.options) {
        for ((_, f), spec) in ms.iter_mut().zip(&o.modifiers) {
            *f = spec.factor.value.max(0.0);
        }
    }
    m.threat_decay = coercion::compile_decay(c);
    if let (Some(s), Some(a)) = (&mut m.spatial, &c.alliance) {
        s.0 = a.position_weight.value.max(0.0);
    }
}
