//! `[params]`: named thresholds that predicates read as `params.<name>` (docs/scenario.md,
//! "Params"). A param must act exactly like the literal it replaces, in the crisis layer's option
//! preconditions and in outcome classes, and moving it must move the result.

use statecraft_core::crisis::simulate;
use statecraft_core::engine::{simulate_once, RunOptions};
use statecraft_core::rng::stream;
use statecraft_core::scenario::load::from_toml_str;
use statecraft_core::scenario::{Num, Scenario};

const TEXT: &str = include_str!("../../../scenarios/greenland-2026.toml");

/// The built-in scenario without its priors file (the `use` line needs a resolver; the
/// params do not depend on it).
fn greenland() -> Scenario {
    let text = TEXT.replace("use = \"priors/ledger.toml\"", "");
    from_toml_str(&text).unwrap()
}

fn option_when<'a>(s: &'a mut Scenario, id: &str) -> &'a mut String {
    &mut s
        .crisis
        .options
        .iter_mut()
        .find(|o| o.id == id)
        .unwrap()
        .when
}

/// Vars of one crisis run without the `params.*` entries.
fn run(s: &Scenario, i: u64) -> Vec<(String, f64)> {
    let st = simulate(s, &mut stream(11, i)).unwrap();
    st.vars
        .into_iter()
        .filter(|(k, _)| !k.starts_with("params."))
        .collect()
}

#[test]
fn greenland_predicates_read_params_not_literals() {
    let s = greenland();
    for name in [
        "fracture_cohesion",
        "coercion_demand",
        "force_demand",
        "severance_demand",
        "deal",
        "deal_us_max",
        "exit_cohesion",
        "exit_demand",
    ] {
        assert!(s.params.contains_key(name), "param {name}");
    }
    let compromise = s.crisis.options.iter().find(|o| o.id == "compromise");
    assert!(compromise.unwrap().when.contains("params.deal"));
    let fracture = s.outcomes.iter().find(|o| o.id == "nato_fracture").unwrap();
    assert!(fracture.when.contains("params.fracture_cohesion"));
}

/// `params.deal = 45` gives, run by run, exactly what the literal `45` gives; and 35 differs
/// from 45 in some run (so the param is read at all).
#[test]
fn a_param_acts_like_the_literal_it_replaces() {
    let mut by_param = greenland();
    by_param.params.insert("deal".into(), Num::new(45.0));
    let mut literal = greenland();
    let w = option_when(&mut literal, "compromise");
    *w = w.replace("params.deal ", "45 ");
    assert!(w.contains(">= 45 and"), "{w}");
    let mut low = greenland();
    low.params.insert("deal".into(), Num::new(35.0));
    let mut differ = 0;
    for i in 0..40 {
        let a = run(&by_param, i);
        assert_eq!(a, run(&literal, i), "run {i}");
        differ += usize::from(a != run(&low, i));
    }
    assert!(differ > 0, "deal 35 vs 45 changed no run in 40");
}

/// Outcome classes read the run's param value: `simulate_once` records `params.<name>`.
#[test]
fn runs_record_param_values_for_outcomes() {
    let mut s = greenland();
    s.params.insert("fracture_cohesion".into(), Num::new(0.77));
    let opts = RunOptions::resolve(&s, &Default::default()).unwrap();
    let st = simulate_once(&s, &opts, &mut stream(3, 0)).unwrap();
    assert_eq!(st.get("params.fracture_cohesion"), Some(0.77));
    assert_eq!(st.get("params.deal"), Some(40.0));
}

/// A typo in a param name is a located error with a did-you-mean, in a precondition and in an
/// outcome class alike.
#[test]
fn unknown_param_is_a_located_error() {
    let pre = TEXT.replace(
        "position.dk.mil_rights >= params.deal and",
        "position.dk.mil_rights >= params.dael and",
    );
    let out = TEXT.replace(
        "cohesion.min < params.fracture_cohesion",
        "cohesion.min < params.fracture_cohesoin",
    );
    for (text, want, help) in [
        (pre, "unknown param `dael`", "did you mean `deal`?"),
        (
            out,
            "unknown variable `params.fracture_cohesoin`",
            "did you mean `params.fracture_cohesion`?",
        ),
    ] {
        let text = text.replace("use = \"priors/ledger.toml\"", "");
        let errs = from_toml_str(&text).unwrap_err();
        let e = errs
            .errors
            .iter()
            .find(|e| e.message.contains(want))
            .unwrap_or_else(|| panic!("no `{want}` in {errs:?}"));
        assert!(
            e.help.as_deref().unwrap_or("").contains(help),
            "{:?}",
            e.help
        );
        assert!(e.span.is_some(), "located");
    }
}
