//! Load-time check of the variables that outcome classes and forecast questions read from a
//! run's final state: every name must be one the run records (`engine::simulate_once` for a
//! bargaining scenario, `crisis::simulate` for a crisis one). A comparison with a missing
//! variable is false, so a typo would otherwise give 0% or 100% silently.
//!
//! Recorded names (docs/crisis.md, docs/output.md): `issue.<issue>`, `issue.<issue>.mean`,
//! `position.<actor>.<issue>`, `disabled.<id>`, `params.<name>` (every `[params]` number); with a crisis layer also
//! `option.<option>.taken|day|orders|withdrawn`, `cohesion`, `cohesion.min`, `withdrawals`,
//! `pressure`, `threat`, `alignment.<ally>` (+ `.plus_day`, `.minus_day`) and
//! `withdrawal.<ally>.day|effective_day`.

use super::{suggest, Checker};
use crate::expr::Expr;

const HELP_PLAIN: &str =
    "a bargaining run records `issue.<issue>`, `issue.<issue>.mean` and `position.<actor>.<issue>`, `params.<name>` ([params])";
const HELP_CRISIS: &str = "a crisis run records `option.<id>.taken|day|orders|withdrawn`, `cohesion`, `cohesion.min`, `withdrawals`, `pressure`, `threat`, `alignment.<ally>` (+ `.plus_day`, `.minus_day`), `withdrawal.<ally>.day|effective_day`, `issue.<id>` (+ `.mean`), `position.<actor>.<issue>`, `params.<name>` ([params]) (docs/crisis.md)";

/// Every concrete variable name a run of `c.s` records (without `disabled.*`): the names of
/// its output schema ([`crate::schema::outputs`]).
fn recorded(c: &Checker) -> Vec<String> {
    crate::schema::outputs(c.s)
        .var_names()
        .filter(|n| !n.starts_with("disabled."))
        .map(str::to_string)
        .collect()
}

/// Report every variable of the outcome and question predicates that no run records.
pub(super) fn check(c: &mut Checker) {
    let s = c.s;
    let preds: Vec<(String, &str)> = s
        .outcomes
        .iter()
        .enumerate()
        .map(|(i, o)| (format!("outcomes[{i}].when"), o.when.as_str()))
        .chain(
            s.questions
                .iter()
                .enumerate()
                .map(|(i, q)| (format!("questions[{i}].when"), q.when.as_str())),
        )
        .collect();
    if preds.is_empty() {
        return;
    }
    let known = recorded(c);
    let help = if s.crisis.is_empty() {
        HELP_PLAIN
    } else {
        HELP_CRISIS
    };
    for (path, text) in preds {
        // Texts that do not parse are reported by `mc::validate`.
        let Ok(e) = Expr::parse(text, s.scenario.as_of) else {
            continue;
        };
        for v in e.vars() {
            if v.starts_with("disabled.") || known.binary_search_by(|k| k.as_str().cmp(v)).is_ok() {
                continue;
            }
            let within = super::crisis_refs::find_word(text, v);
            let hint = match suggest(v, known.iter().map(String::as_str)) {
                Some(k) => format!("did you mean `{k}`? ({help})"),
                None => help.to_string(),
            };
            c.err_within(
                path.clone(),
                format!("unknown variable `{v}`: no run records it, so the predicate would never read it"),
                hint,
                within,
            );
        }
    }
}

/// Check an analysis target (`--sobol`, `--tornado`): an outcome class id, or a variable a
/// run records. Error: a message with a did-you-mean.
pub fn check_target(s: &crate::scenario::Scenario, name: &str) -> Result<(), String> {
    if s.outcomes.iter().any(|o| o.id == name) {
        return Ok(());
    }
    let c = Checker {
        s,
        out: Vec::new(),
        source_ids: Vec::new(),
    };
    let known = recorded(&c);
    if known.binary_search_by(|k| k.as_str().cmp(name)).is_ok() {
        return Ok(());
    }
    let outcomes = s.outcomes.iter().map(|o| o.id.as_str());
    let hint = match suggest(name, outcomes.chain(known.iter().map(String::as_str))) {
        Some(k) => format!("did you mean `{k}`?"),
        None => {
            let ids: Vec<&str> = s.outcomes.iter().map(|o| o.id.as_str()).collect();
            format!(
                "a target is an outcome class id ({}) or a variable a run records",
                ids.join(", ")
            )
        }
    };
    Err(format!("unknown analysis target `{name}`: {hint}"))
}
