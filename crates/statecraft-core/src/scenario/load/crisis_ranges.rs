//! Load-time range checks of the crisis layer's numbers and dates (docs/crisis.md,
//! docs/reliability.md): probabilities and shares in [0, 1], a gate's delay + substitute
//! shares at most 1, weights and thresholds not negative, no self link, initiator ≠ target,
//! no event after the horizon, a bounded number of rounds; and forecast questions' `by`
//! dates inside [as_of, horizon]. Each number is checked with its distribution's support
//! (`Checker::num`), so a sampled value cannot leave the range either.

use super::{Checker, Range01};
use crate::scenario::Num;

/// Most rounds one crisis run may simulate: ⌈(horizon − as_of) / round_days⌉. Weekly rounds
/// over 96 years; a longer horizon needs a longer `round_days`. Documented in
/// `docs/reliability.md`.
pub const MAX_CRISIS_ROUNDS: i64 = 5_000;

const UNIT: (f64, f64) = (0.0, 1.0);
const NONNEG: (f64, f64) = (0.0, f64::INFINITY);
const SIGNED: (f64, f64) = (-1.0, 1.0);
/// Finite, any sign (log-odds, weights of a logistic rule, pushes).
const REAL: (f64, f64) = (-f64::MAX, f64::MAX);

impl Checker<'_> {
    fn in_range(&mut self, path: String, n: &Num, (lo, hi): (f64, f64), what: &'static str) {
        self.num(&path, n, Some(Range01 { lo, hi, what }));
    }

    /// Every effect value of `list` (at `path[j].value`) is a finite number.
    fn effect_values(&mut self, path: &str, list: &[crate::scenario::Effect]) {
        for (j, f) in list.iter().enumerate() {
            self.in_range(format!("{path}[{j}].value"), &f.value, REAL, "effect value");
        }
    }
}

pub(super) fn check(c: &mut Checker) {
    let s = c.s;
    let m = &s.scenario;
    for (i, q) in s.questions.iter().enumerate() {
        if let Some(by) = q.by {
            let before = m.as_of.filter(|a| by < *a);
            let after = m.horizon.filter(|h| by > *h);
            if let Some(a) = before {
                c.err(
                    format!("questions[{i}].by"),
                    format!("question `{}` resolves by {by}, before as_of {a}", q.id),
                    "a forecast question is about what happens after as_of; move `by` into [as_of, horizon]",
                );
            } else if let Some(h) = after {
                c.err(
                    format!("questions[{i}].by"),
                    format!("question `{}` resolves by {by}, after the horizon {h}", q.id),
                    "the simulation stops at the horizon; move `by` into [as_of, horizon] or extend the horizon",
                );
            }
        }
    }
    let cr = &s.crisis;
    if cr.is_empty() {
        return;
    }
    if let (Some(a), Some(h)) = (m.as_of, m.horizon) {
        let days = (h - a).num_days().max(0);
        let rd = i64::from(m.round_days.unwrap_or(7).max(1));
        let rounds = (days + rd - 1) / rd;
        if rounds > MAX_CRISIS_ROUNDS {
            c.err(
                "scenario.horizon".into(),
                format!("{rounds} rounds from as_of {a} to the horizon {h} (round_days = {rd}), over the limit of {MAX_CRISIS_ROUNDS}"),
                "bring the horizon closer or make rounds longer (`round_days`)",
            );
        }
        // An event dated on or before as_of is part of round 0 (docs/crisis.md §1: the
        // Greenland scenario's `venezuela` event); one after the horizon would never happen.
        for (i, e) in cr.events.iter().enumerate() {
            if e.date > h {
                c.err(
                    format!("crisis.events[{i}].date"),
                    format!(
                        "event `{}` is dated {}, after the horizon {h}: it would never happen",
                        e.id, e.date
                    ),
                    "the simulation runs from as_of to the horizon; move the event or the horizon",
                );
            }
        }
    }
    if let (Some(i), Some(t)) = (&cr.initiator, &cr.target) {
        if i == t {
            c.err(
                "crisis.target".into(),
                format!("`{t}` is both the crisis initiator and its target"),
                "the initiator coerces the target: name two different actors",
            );
        }
    }
    if let Some(b) = &cr.bargaining {
        if let Some(id) = &b.model {
            let ids = crate::models::step::CRISIS_IDS;
            if !ids.contains(&id.as_str()) {
                let hint = crate::models::suggest(id)
                    .filter(|s| ids.contains(s))
                    .map(|s| format!("did you mean `{s}`? "))
                    .unwrap_or_default();
                c.err(
                    "crisis.bargaining.model".into(),
                    format!("`{id}` is not a crisis bargaining model"),
                    format!(
                        "{hint}the crisis layer runs one round per week of one of: {}",
                        ids.join(", ")
                    ),
                );
            }
        }
        c.in_range("crisis.bargaining.rate".into(), &b.rate, UNIT, "rate");
        c.in_range(
            "crisis.bargaining.access_rate".into(),
            &b.access_rate,
            UNIT,
            "rate",
        );
    }
    if let Some(k) = &cr.coercion {
        c.in_range("crisis.coercion.rate".into(), &k.rate, UNIT, "rate");
        c.in_range("crisis.coercion.decay".into(), &k.decay, UNIT, "decay");
    }
    for (i, v) in cr.volatility.iter().enumerate() {
        let p = format!("crisis.volatility[{i}]");
        c.in_range(format!("{p}.prob"), &v.prob, UNIT, "probability");
        c.in_range(format!("{p}.size"), &v.size, NONNEG, "size");
        c.in_range(format!("{p}.up"), &v.up, UNIT, "probability");
        c.in_range(format!("{p}.salience"), &v.salience, UNIT, "salience");
    }
    for (i, l) in cr.influence.iter().enumerate() {
        c.in_range(
            format!("crisis.influence[{i}].weight"),
            &l.weight,
            NONNEG,
            "weight",
        );
    }
    for (i, e) in cr.events.iter().enumerate() {
        c.effect_values(&format!("crisis.events[{i}].effects"), &e.effects);
    }
    for (i, o) in cr.options.iter().enumerate() {
        let p = format!("crisis.options[{i}]");
        c.in_range(format!("{p}.propensity"), &o.propensity, UNIT, "propensity");
        c.in_range(format!("{p}.legality"), &o.legality, UNIT, "legality");
        // negative: resistance or a counter-offer lowering the threat (docs/crisis.md §4)
        c.in_range(format!("{p}.threat"), &o.threat, SIGNED, "threat");
        for (j, md) in o.modifiers.iter().enumerate() {
            c.in_range(
                format!("{p}.modifiers[{j}].factor"),
                &md.factor,
                NONNEG,
                "factor",
            );
        }
        if let Some(l) = &o.level {
            c.in_range(format!("{p}.level"), l, REAL, "level");
        }
        c.in_range(
            format!("{p}.alliance.target"),
            &o.alliance.target,
            REAL,
            "push",
        );
        c.in_range(
            format!("{p}.alliance.initiator"),
            &o.alliance.initiator,
            REAL,
            "push",
        );
        c.effect_values(&format!("{p}.effects"), &o.effects);
        c.effect_values(&format!("{p}.on_withdraw"), &o.on_withdraw);
    }
    for (i, g) in cr.gates.iter().enumerate() {
        let p = format!("crisis.gates[{i}]");
        c.in_range(format!("{p}.block"), &g.block, REAL, "block");
        c.in_range(format!("{p}.w_position"), &g.w_position, REAL, "weight");
        c.in_range(format!("{p}.w_legality"), &g.w_legality, REAL, "weight");
        c.in_range(format!("{p}.delay"), &g.delay, UNIT, "share");
        c.in_range(format!("{p}.substitute"), &g.substitute, UNIT, "share");
        let (d_hi, s_hi) = (max_of(&g.delay), max_of(&g.substitute));
        if d_hi + s_hi > 1.0 + 1e-12 {
            c.err(
                format!("{p}.substitute"),
                format!(
                    "gate `{}`: delay + substitute can reach {}, over 1",
                    g.id,
                    d_hi + s_hi
                ),
                "a stop is a delay, a substitution or a block: the two shares leave 1 − delay − substitute for blocks, so their sum (at the top of their distributions) must not exceed 1",
            );
        }
    }
    for (i, a) in cr.allies.iter().enumerate() {
        let p = format!("crisis.allies[{i}]");
        c.in_range(format!("{p}.alignment"), &a.alignment, SIGNED, "alignment");
        c.in_range(format!("{p}.threshold"), &a.threshold, NONNEG, "threshold");
        c.in_range(format!("{p}.noise"), &a.noise, NONNEG, "noise");
        c.in_range(format!("{p}.lean"), &a.lean, REAL, "lean");
        c.in_range(format!("{p}.lock"), &a.lock, UNIT, "lock");
    }
    for (i, l) in cr.links.iter().enumerate() {
        let p = format!("crisis.links[{i}]");
        c.in_range(format!("{p}.weight"), &l.weight, NONNEG, "weight");
        if l.from == l.to {
            c.err(
                format!("{p}.to"),
                format!("link from `{}` to itself", l.from),
                "an influence link joins two different allies; remove it",
            );
        }
    }
    if let Some(al) = &cr.alliance {
        let p = "crisis.alliance";
        c.in_range(
            format!("{p}.withdraw_prob"),
            &al.withdraw_prob,
            UNIT,
            "probability",
        );
        c.in_range(
            format!("{p}.withdrawal_damage"),
            &al.withdrawal_damage,
            UNIT,
            "damage",
        );
        c.in_range(
            format!("{p}.fracture_cohesion"),
            &al.fracture_cohesion,
            UNIT,
            "cohesion",
        );
        c.in_range(
            format!("{p}.position_weight"),
            &al.position_weight,
            NONNEG,
            "weight",
        );
    }
}

/// The largest value a number can take (its distribution's upper bound, else its value).
fn max_of(n: &Num) -> f64 {
    n.dist
        .as_ref()
        .map_or(n.value, |d| d.support().1.max(n.value))
}
