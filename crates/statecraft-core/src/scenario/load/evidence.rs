//! The evidence rule applied at load (docs/evidence.md §2): in a crisis scenario a number that
//! states no basis of its own (no `dist`, `confidence`, `fixed` or `reference`) is uncertain —
//! its certainty is its source's reliability, or `ASSUMED_CONFIDENCE` without a known source —
//! unless the format declares it structural (`num::format_fixed`). Bargaining-only scenarios
//! (TOML without a crisis layer, plain CSV and KTAB tables) are data: their bare numbers stay
//! certain, so the model-reproduction goldens (KTAB, EUM, DEU III) are untouched.
//!
//! An entry of the crisis layer whose own `source` cites a source of kind `assumption` (the
//! analyst's judgement) passes that citation to its numbers that cite nothing and state no
//! basis: they are the assumptions the entry says they are. (An entry citing evidence does not
//! pass it on: a treaty that makes a link exist says nothing of the link's weight.)
//!
//! Also fills each reference class's `round_days` from `[scenario] round_days` and a referenced
//! number's missing `value` with its posterior mean.

use crate::sample::find_source;
use crate::scenario::num::{format_fixed, ASSUMED_CONFIDENCE, DEFAULT_ROUND_DAYS};
use crate::scenario::{Num, Scenario, Source};

/// The id of the assumption-kind source an entry's `source` string cites first, if any.
fn assumption_source(sources: &[Source], entry_source: &str) -> Option<String> {
    let first = entry_source.split(';').next()?.trim();
    if first.is_empty() {
        return None;
    }
    find_source(sources, first)
        .filter(|s| s.kind == "assumption")
        .map(|s| s.id.clone())
}

/// Give every bare, uncited number of `nums` the citation `id`.
fn cite(id: &Option<String>, nums: Vec<&mut Num>) {
    let Some(id) = id else { return };
    for n in nums {
        if n.is_bare() && n.source.is_none() {
            n.source = Some(id.clone());
        }
    }
}

/// Pass an assumption-kind entry citation down to the entry's uncited bare numbers.
fn inherit_assumption_sources(s: &mut Scenario) {
    let src = s.sources.clone();
    let a = |e: &str| assumption_source(&src, e);
    let c = &mut s.crisis;
    if let Some(b) = &mut c.bargaining {
        cite(&a(&b.source), vec![&mut b.rate, &mut b.access_rate]);
    }
    if let Some(k) = &mut c.coercion {
        cite(&a(&k.source), vec![&mut k.rate]);
    }
    for v in &mut c.volatility {
        let id = a(&v.source);
        cite(
            &id,
            vec![&mut v.prob, &mut v.size, &mut v.up, &mut v.salience],
        );
    }
    for l in &mut c.influence {
        cite(&a(&l.source), vec![&mut l.weight]);
    }
    for e in &mut c.events {
        let id = a(&e.source);
        cite(&id, e.effects.iter_mut().map(|f| &mut f.value).collect());
    }
    for o in &mut c.options {
        let id = a(&o.source);
        let mut nums = vec![
            &mut o.propensity,
            &mut o.legality,
            &mut o.threat,
            &mut o.alliance.target,
            &mut o.alliance.initiator,
        ];
        if let Some(l) = &mut o.level {
            nums.push(l);
        }
        nums.extend(o.effects.iter_mut().map(|f| &mut f.value));
        nums.extend(o.on_withdraw.iter_mut().map(|f| &mut f.value));
        cite(&id, nums);
    }
    for g in &mut c.gates {
        let id = a(&g.source);
        cite(
            &id,
            vec![
                &mut g.block,
                &mut g.w_position,
                &mut g.w_legality,
                &mut g.delay,
                &mut g.substitute,
            ],
        );
    }
    for y in &mut c.allies {
        let id = a(&y.source);
        cite(
            &id,
            vec![
                &mut y.alignment,
                &mut y.threshold,
                &mut y.noise,
                &mut y.lean,
            ],
        );
    }
    for l in &mut c.links {
        cite(&a(&l.source), vec![&mut l.weight]);
    }
    if let Some(al) = &mut c.alliance {
        let id = a(&al.source);
        cite(
            &id,
            vec![
                &mut al.withdraw_prob,
                &mut al.withdrawal_damage,
                &mut al.fracture_cohesion,
            ],
        );
    }
}

/// Apply the rule to a freshly parsed scenario (after `use = …` priors, before validation).
pub(super) fn apply(s: &mut Scenario) {
    let round_days = s
        .scenario
        .round_days
        .map_or(DEFAULT_ROUND_DAYS, |d| d as f64);
    let crisis = !s.crisis.is_empty();
    if crisis {
        inherit_assumption_sources(s);
    }
    let sources = s.sources.clone();
    s.visit_nums_declared(&mut |path, _domain, num| {
        if let Some(r) = &mut num.reference {
            r.round_days = Some(round_days);
            if num.value.is_nan() {
                if let Some(m) = r.posterior_mean() {
                    num.value = m;
                }
            }
        }
        if !crisis || !num.is_bare() || format_fixed(path).is_some() {
            return;
        }
        let reliability = num
            .source
            .as_deref()
            .and_then(|c| find_source(&sources, c))
            .map(|src| src.reliability);
        num.implied = Some(reliability.unwrap_or(ASSUMED_CONFIDENCE));
    });
}
