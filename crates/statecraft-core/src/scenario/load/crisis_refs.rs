//! Load-time checks of the crisis layer's references (`[crisis]`, docs/crisis.md): every actor,
//! issue, option, gate and ally id it names exists; effect parameters and predicate variables
//! follow the grammar of `crate::crisis` and name known things; options, gates and events have
//! unique ids; the roles the simulation needs are present. The grammar of names is the crisis
//! layer's own (`crisis::names`), parsed once there; the compiler resolves the same parse to
//! indices, and here each problem is reported with its key path (e.g.
//! `crisis.options[2].gates[0]`), so `statecraft check` locates it in the file.
//!
//! Elements removed by `disabled` (`actor.<id>`, `option.<id>`) may still be named, as the
//! simulation reads them as absent.

use super::{did_you_mean, Checker};
use crate::crisis::names;
use crate::expr as cond;
use crate::scenario::Effect;
use std::collections::HashMap;

const VAR_HELP: &str = "variables: `position.<actor>.<issue>`, `salience.<actor>.<issue>`, `capability.<actor>`, `alignment.<actor>`, `issue.<id>`, `issue.<id>.mean`, `option.<id>.taken`, `option.<id>.day`, `disabled.<id>`, `params.<name>` ([params]), `cohesion`, `withdrawals`, `pressure`, `threat`, `day` (docs/crisis.md)";
const PARAM_HELP: &str = "parameters: `position.<actor>.<issue>`, `salience.<actor>.<issue>`, `capability.<actor>`, `option.<id>.available`, `option.<id>.propensity`, `lean.<ally>`, `alignment.<ally>`, `withdraw.<ally>`, `pressure`, `threat`, `cohesion` (docs/crisis.md)";

/// A name that does not resolve.
enum Bad {
    /// Not of the grammar at all.
    Name,
    /// Well-formed, but naming an unknown thing of `kind`.
    Unknown { kind: &'static str, id: String },
}

struct Names<'a> {
    actors: Vec<&'a str>,
    issues: Vec<&'a str>,
    options: Vec<&'a str>,
    gates: Vec<&'a str>,
    allies: Vec<&'a str>,
    params: Vec<&'a str>,
    removed: Vec<&'a str>,
}

impl<'a> Names<'a> {
    fn known(&self, kind: &'static str) -> &[&'a str] {
        match kind {
            "actor" => &self.actors,
            "issue" => &self.issues,
            "option" => &self.options,
            "gate" => &self.gates,
            "param" => &self.params,
            _ => &self.allies,
        }
    }

    fn is(&self, kind: &'static str, id: &str) -> Result<(), Bad> {
        let removed = self.removed.iter().any(|r| {
            r.split_once('.')
                .is_some_and(|(k, x)| x == id && (k == kind || (k == "actor" && kind == "ally")))
        });
        if self.known(kind).contains(&id) || removed {
            Ok(())
        } else {
            Err(Bad::Unknown {
                kind,
                id: id.to_string(),
            })
        }
    }

    /// A variable a predicate may read: of the crisis layer's grammar
    /// ([`crate::crisis::names::var`]), naming known things.
    fn var(&self, name: &str) -> Result<(), Bad> {
        use crate::crisis::names::VarName as V;
        match names::var(name).ok_or(Bad::Name)? {
            V::Cohesion | V::Withdrawals | V::Pressure | V::Threat | V::Day | V::Disabled(_) => {
                Ok(())
            }
            V::Position(a, k) | V::Salience(a, k) => {
                self.is("actor", a)?;
                self.is("issue", k)
            }
            V::Capability(a) => self.is("actor", a),
            V::Param(p) => self.is("param", p),
            V::Alignment(a) => self.is("ally", a),
            V::Issue(k) | V::IssueMean(k) => self.is("issue", k),
            V::Taken(o) | V::OptionDay(o) => self.is("option", o),
        }
    }

    /// A parameter an effect may change: of the grammar ([`crate::crisis::names::param`]),
    /// naming known things.
    fn param(&self, name: &str) -> Result<(), Bad> {
        use crate::crisis::names::ParamName as P;
        match names::param(name).ok_or(Bad::Name)? {
            P::Pressure | P::Threat | P::Cohesion => Ok(()),
            P::Position(a, k) | P::Salience(a, k) => {
                self.is("actor", a)?;
                self.is("issue", k)
            }
            P::Capability(a) => self.is("actor", a),
            P::Lean(a) | P::Alignment(a) | P::Withdraw(a) => self.is("ally", a),
            P::Available(o) | P::Propensity(o) => self.is("option", o),
        }
    }
}

impl Checker<'_> {
    /// Report `id` at `path` unless it names a known thing of `kind`.
    fn crisis_ref(&mut self, names: &Names, path: String, kind: &'static str, id: &str) {
        if names.is(kind, id).is_err() {
            self.unknown(names, path, kind, id, None, "");
        }
    }

    fn unknown(
        &mut self,
        names: &Names,
        path: String,
        kind: &'static str,
        id: &str,
        within: Option<std::ops::Range<usize>>,
        context: &str,
    ) {
        let help = if kind == "ally" {
            format!(
                "{} (an ally is an actor listed under [[crisis.allies]])",
                did_you_mean(id, "ally", names.allies.iter().copied())
            )
        } else {
            did_you_mean(id, kind, names.known(kind).iter().copied())
        };
        self.err_within(
            path,
            format!("unknown {kind} `{id}`{context}"),
            help,
            within,
        );
    }

    fn effects(&mut self, names: &Names, path: &str, list: &[Effect]) {
        for (j, e) in list.iter().enumerate() {
            let p = format!("{path}[{j}].param");
            match names.param(&e.param) {
                Ok(()) => {}
                Err(Bad::Name) => {
                    self.err(p, format!("unknown parameter `{}`", e.param), PARAM_HELP)
                }
                Err(Bad::Unknown { kind, id }) => {
                    let within = e.param.find(id.as_str()).map(|k| k..k + id.len());
                    let ctx = format!(" in parameter `{}`", e.param);
                    self.unknown(names, p, kind, &id, within, &ctx);
                }
            }
        }
    }

    fn predicate(&mut self, names: &Names, path: String, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        let pred = match cond::parse(text, self.s.scenario.as_of) {
            Ok(p) => p,
            Err(e) => {
                self.err(
                    path,
                    format!("predicate: {}", e.error.message),
                    "grammar: comparisons (< <= > >= == !=) of variables, numbers and dates (YYYY-MM-DD), combined with and/or/not and parentheses",
                );
                return;
            }
        };
        for v in pred.vars() {
            let within = find_word(text, v);
            match names.var(v) {
                Ok(()) => {}
                Err(Bad::Name) => self.err_within(
                    path.clone(),
                    format!("unknown variable `{v}`"),
                    VAR_HELP,
                    within,
                ),
                Err(Bad::Unknown { kind, id }) => {
                    let ctx = format!(" in variable `{v}`");
                    self.unknown(names, path.clone(), kind, &id, within, &ctx);
                }
            }
        }
    }
}

/// The byte range of `word` in `text` as a whole token (not part of a longer name).
pub(super) fn find_word(text: &str, word: &str) -> Option<std::ops::Range<usize>> {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.';
    text.match_indices(word)
        .map(|(k, _)| k)
        .find(|&k| {
            let before = text[..k].chars().next_back().is_none_or(|c| !is_name(c));
            let after = text[k + word.len()..]
                .chars()
                .next()
                .is_none_or(|c| !is_name(c));
            before && after
        })
        .map(|k| k..k + word.len())
}

/// Every reference check of the `[crisis]` section.
pub(super) fn check(c: &mut Checker) {
    let s = c.s;
    let cr = &s.crisis;
    if cr.is_empty() {
        return;
    }
    let names = Names {
        actors: s.actors.iter().map(|a| a.id.as_str()).collect(),
        issues: s.issues.iter().map(|i| i.id.as_str()).collect(),
        options: cr.options.iter().map(|o| o.id.as_str()).collect(),
        gates: cr.gates.iter().map(|g| g.id.as_str()).collect(),
        allies: cr.allies.iter().map(|a| a.actor.as_str()).collect(),
        params: s.params.keys().map(String::as_str).collect(),
        removed: s
            .disabled
            .iter()
            .chain(cr.disabled.iter())
            .map(String::as_str)
            .collect(),
    };
    for (key, what) in [("as_of", s.scenario.as_of), ("horizon", s.scenario.horizon)] {
        if what.is_none() {
            c.err(
                "scenario".into(),
                format!("a scenario with a [crisis] section needs `{key}`"),
                "the crisis layer runs dated rounds from as_of to the horizon, e.g. as_of = 2026-01-11, horizon = 2026-11-03",
            );
        }
    }
    if let Some(a) = &cr.initiator {
        c.crisis_ref(&names, "crisis.initiator".into(), "actor", a);
    }
    if let Some(a) = &cr.target {
        c.crisis_ref(&names, "crisis.target".into(), "actor", a);
    }
    if let Some(i) = &cr.issue {
        c.crisis_ref(&names, "crisis.issue".into(), "issue", i);
    }
    if cr.coercion.is_some() && cr.target.is_some() {
        for (key, set) in [
            ("initiator", cr.initiator.is_some()),
            ("issue", cr.issue.is_some()),
        ] {
            if !set {
                c.err(
                    "crisis.coercion".into(),
                    format!("coercion needs `crisis.{key}`"),
                    "coercion moves the target toward the initiator on the crisis issue; set initiator, target and issue under [crisis]",
                );
            }
        }
    }
    let need_issue = |c: &mut Checker, path: String, what: &str| {
        if cr.issue.is_none() {
            c.err(
                path,
                format!("{what} names no issue and the crisis has no `issue`"),
                "give `issue = \"<id>\"` here or under [crisis]",
            );
        }
    };
    for (i, v) in cr.volatility.iter().enumerate() {
        c.crisis_ref(
            &names,
            format!("crisis.volatility[{i}].actor"),
            "actor",
            &v.actor,
        );
        match &v.issue {
            Some(k) => c.crisis_ref(&names, format!("crisis.volatility[{i}].issue"), "issue", k),
            None => need_issue(c, format!("crisis.volatility[{i}]"), "volatility"),
        }
    }
    for (i, l) in cr.influence.iter().enumerate() {
        c.crisis_ref(
            &names,
            format!("crisis.influence[{i}].from"),
            "actor",
            &l.from,
        );
        c.crisis_ref(&names, format!("crisis.influence[{i}].to"), "actor", &l.to);
        match &l.issue {
            Some(k) => c.crisis_ref(&names, format!("crisis.influence[{i}].issue"), "issue", k),
            None => need_issue(c, format!("crisis.influence[{i}]"), "influence"),
        }
    }
    for (i, e) in cr.events.iter().enumerate() {
        c.check_id(format!("crisis.events[{i}].id"), "event", &e.id);
        c.effects(&names, &format!("crisis.events[{i}].effects"), &e.effects);
        if let Some(u) = e.until {
            if u < e.date {
                c.err(
                    format!("crisis.events[{i}].until"),
                    format!("event `{}` ends ({u}) before it starts ({})", e.id, e.date),
                    "`until` is the date the event's effects are undone; it must not precede `date`",
                );
            }
        }
    }
    c.duplicates(
        "crisis.events",
        "event",
        cr.events.iter().map(|e| e.id.as_str()),
    );
    for (i, o) in cr.options.iter().enumerate() {
        let p = format!("crisis.options[{i}]");
        c.check_id(format!("{p}.id"), "option", &o.id);
        match &o.actor {
            Some(a) => c.crisis_ref(&names, format!("{p}.actor"), "actor", a),
            None if cr.initiator.is_none() => c.err(
                p.clone(),
                format!(
                    "option `{}` names no actor and the crisis has no `initiator`",
                    o.id
                ),
                "give `actor = \"<id>\"` here or `initiator` under [crisis]",
            ),
            None => {}
        }
        for (k, g) in o.gates.iter().enumerate() {
            c.crisis_ref(&names, format!("{p}.gates[{k}]"), "gate", g);
        }
        c.predicate(&names, format!("{p}.when"), &o.when);
        for (j, md) in o.modifiers.iter().enumerate() {
            c.predicate(&names, format!("{p}.modifiers[{j}].when"), &md.when);
        }
        c.effects(&names, &format!("{p}.effects"), &o.effects);
        c.effects(&names, &format!("{p}.on_withdraw"), &o.on_withdraw);
    }
    c.duplicates("crisis.options", "option", names.options.iter().copied());
    for (i, g) in cr.gates.iter().enumerate() {
        let p = format!("crisis.gates[{i}]");
        c.check_id(format!("{p}.id"), "gate", &g.id);
        c.crisis_ref(&names, format!("{p}.actor"), "actor", &g.actor);
        for (k, o) in g.substitutes.iter().enumerate() {
            c.crisis_ref(&names, format!("{p}.substitutes[{k}]"), "option", o);
        }
    }
    c.duplicates("crisis.gates", "gate", names.gates.iter().copied());
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, a) in cr.allies.iter().enumerate() {
        c.crisis_ref(
            &names,
            format!("crisis.allies[{i}].actor"),
            "actor",
            &a.actor,
        );
        if seen.insert(a.actor.as_str(), i).is_some() {
            c.err(
                format!("crisis.allies[{i}].actor"),
                format!(
                    "actor `{}` is listed twice under [[crisis.allies]]",
                    a.actor
                ),
                "each actor takes part in the cascade once; keep one entry",
            );
        }
    }
    for (i, l) in cr.links.iter().enumerate() {
        c.crisis_ref(&names, format!("crisis.links[{i}].from"), "ally", &l.from);
        c.crisis_ref(&names, format!("crisis.links[{i}].to"), "ally", &l.to);
    }
    if let Some(al) = &cr.alliance {
        if !s.actors.iter().any(|a| a.groups.contains(&al.group)) {
            c.err(
                "crisis.alliance.group".into(),
                format!("no actor has the group `{}`", al.group),
                "members of the alliance are the actors whose `groups` contain this name",
            );
        }
        c.predicate(
            &names,
            "crisis.alliance.withdraw_when".into(),
            &al.withdraw_when,
        );
        if al.position_weight.value > 0.0 || al.position_weight.dist.is_some() {
            for (key, set) in [
                ("initiator", cr.initiator.is_some()),
                ("target", cr.target.is_some()),
                ("issue", cr.issue.is_some()),
            ] {
                if !set {
                    c.err(
                        "crisis.alliance.position_weight".into(),
                        format!("spatial alignment needs `crisis.{key}`"),
                        "position_weight pulls each ally toward the side (initiator or target) whose position on the crisis issue it is closer to; set initiator, target and issue under [crisis], or position_weight = 0",
                    );
                }
            }
        }
        for (k, r) in al.rules.iter().enumerate() {
            if let Some(a) = &r.actor {
                c.crisis_ref(
                    &names,
                    format!("crisis.alliance.rules[{k}].actor"),
                    "ally",
                    a,
                );
            }
            if let Some(g) = &r.gate {
                c.crisis_ref(
                    &names,
                    format!("crisis.alliance.rules[{k}].gate"),
                    "gate",
                    g,
                );
            }
        }
    }
}
