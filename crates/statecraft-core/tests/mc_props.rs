//! Monte Carlo invariants: determinism across thread counts, probabilities and intervals,
//! positions on the scale, counterfactuals and hypotheses with common random numbers.

use proptest::prelude::*;
use statecraft_core::mc::{self, toy, McConfig, Verdict};
use statecraft_core::scenario::{Edit, Scenario};

const SCN: &str = r#"
[scenario]
id = "toy"
title = "Toy three-actor bargaining"
as_of = "2026-01-11"

[[sources]]
id = "article"
title = "News article"
reliability = 0.5
paragraphs = [3, 4]

[[sources]]
id = "stats"
title = "Official statistics"
reliability = 0.95

[[actors]]
id = "a"
name = "A"
capability = { value = 60, source = "stats", confidence = 0.9 }

[[actors]]
id = "b"
name = "B"
capability = 30

[[actors]]
id = "c"
name = "C"
capability = { dist = "uniform", min = 5, max = 15 }

[[issues]]
id = "x"
name = "X"
min = 0
max = 100

[[stances]]
actor = "a"
issue = "x"
position = { value = 70, source = "article ¶3", confidence = 0.6 }
salience = { dist = "pert", min = 0.5, mode = 0.8, max = 1.0 }

[[stances]]
actor = "b"
issue = "x"
position = { dist = "triangular", min = 10, mode = 30, max = 60 }
salience = { dist = "normal", mean = 0.7, sd = 0.2, min = 0, max = 1 }

[[stances]]
actor = "c"
issue = "x"
position = { dist = "discrete", values = [0, 50, 100], weights = [1, 1, 2] }
salience = 0.5

[[outcomes]]
id = "high"
name = "Outcome at or above 50"
when = "issue.x >= 50"

[[outcomes]]
id = "not_high"
name = "Complement"
when = "not (issue.x >= 50)"

[[outcomes]]
id = "converged"
name = "Converged"
when = "issue.x.mean > 0 and position.a.x - 0 > -1 or issue.x > 1000"

[[hypotheses]]
id = "H1"
claim = "If A were more hawkish the outcome would be high more often"
outcome = "high"
expect = "increase"
sources = ["article ¶3"]
counterfactual = { set = { "stance.a.x.position" = 100 } }

[[hypotheses]]
id = "H2"
claim = "Without A the outcome would be high more often"
outcome = "high"
expect = "increase"
counterfactual = { without = ["a"] }

[[hypotheses]]
id = "H3"
claim = "Disabling a gate changes nothing in a plain bargaining model"
outcome = "high"
expect = "increase"
counterfactual = { disable = ["gate.jcs"] }
"#;

fn scn() -> Scenario {
    toml::from_str(SCN).expect("test scenario parses")
}

fn cfg(runs: u64, seed: u64) -> McConfig {
    McConfig {
        runs,
        seed,
        ..Default::default()
    }
}

fn pool(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .unwrap()
}

#[test]
fn predicate_with_arithmetic_is_rejected_with_location() {
    // `-` is not an operator: the toy scenario's third outcome is deliberately malformed.
    let s = scn();
    let err = mc::run(&s, &cfg(10, 1), toy::compromise10, None).unwrap_err();
    match err {
        mc::McError::Predicate { outcome, error } => {
            assert_eq!(outcome, "converged");
            assert_eq!(error.offset, 34, "{error}");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn validator_hooks_locate_problems() {
    let mut s = scn();
    // the malformed third outcome, and H3 disabling a gate this scenario does not have
    let ps = mc::validate(&s);
    assert_eq!(ps.len(), 2, "{ps:#?}");
    assert_eq!(ps[0].path, "outcomes[2].when");
    assert_eq!(ps[0].predicate.as_ref().unwrap().offset, 34);
    assert_eq!(ps[1].path, "hypotheses[2].counterfactual.disable[0]");
    s.outcomes.truncate(2);
    s.hypotheses.truncate(2);
    assert!(mc::validate(&s).is_empty());
    s.hypotheses[0].outcome = "hihg".into();
    s.hypotheses[1].counterfactual.without = vec!["zz".into()];
    let ps = mc::validate(&s);
    let paths: Vec<&str> = ps.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        vec![
            "hypotheses[0].outcome",
            "hypotheses[1].counterfactual.without[0]"
        ]
    );
    assert!(ps[0].error.help.as_ref().unwrap().contains("high"));
}

fn good_scn() -> Scenario {
    let mut s = scn();
    s.outcomes.truncate(2);
    s
}

#[test]
fn identical_across_thread_counts() {
    let s = good_scn();
    let c = McConfig {
        evidence_discount: 0.7,
        ..cfg(3000, 42)
    };
    let r1 = pool(1).install(|| mc::run(&s, &c, toy::compromise10, None).unwrap());
    let r2 = pool(2).install(|| mc::run(&s, &c, toy::compromise10, None).unwrap());
    assert_eq!(r1, r2);
    assert_eq!(
        serde_json::to_string(&r1).unwrap(),
        serde_json::to_string(&r2).unwrap()
    );
    // A different seed gives a different result (the test can fail).
    let r3 = mc::run(&s, &cfg(3000, 43), toy::compromise10, None).unwrap();
    assert_ne!(r1.vars["issue.x"], r3.vars["issue.x"]);
    // Provenance is recorded.
    assert_eq!(r1.provenance.seed, 42);
    assert_eq!(r1.provenance.runs, 3000);
    assert_eq!(r1.provenance.scenario_hash.len(), 64);
    assert_eq!(r1.provenance.scenario_hash, mc::scenario_hash(&s));
}

#[test]
fn aggregates_have_expected_shape() {
    let s = good_scn();
    let r = mc::run(&s, &cfg(500, 7), toy::compromise10, None).unwrap();
    let v = &r.vars["issue.x"];
    assert_eq!(v.n, 500);
    assert_eq!(v.histogram.counts.iter().sum::<u64>(), 500);
    assert_eq!(v.histogram.edges.first(), Some(&0.0));
    assert_eq!(v.histogram.edges.last(), Some(&100.0));
    assert!(v.quantiles.windows(2).all(|w| w[0] <= w[1]));
    let band = &r.series["position.a.x"];
    assert_eq!(band.bands.len(), 11);
    // Inputs: every uncertain number is listed (a's capability and position via confidence).
    let paths: Vec<&str> = r.inputs.iter().map(|i| i.path.as_str()).collect();
    assert!(paths.contains(&"actor.a.capability"));
    assert!(paths.contains(&"stance.a.x.position"));
    assert!(!paths.contains(&"actor.b.capability"));
    assert!(!paths.contains(&"stance.c.x.salience"));
    // Convergence: 500 runs are too few for ±0.01.
    let tight = McConfig {
        tolerance: 0.01,
        ..cfg(500, 7)
    };
    let r = mc::run(&s, &tight, toy::compromise10, None).unwrap();
    assert_eq!(r.convergence.len(), 2);
    assert!(r.convergence[0].runs_needed > 500);
    // CSV summaries carry provenance.
    let csv = mc::outcomes_csv(&r);
    assert_eq!(csv.lines().count(), 3);
    assert!(csv.lines().nth(1).unwrap().starts_with("high,"));
    assert!(csv.contains(&r.provenance.scenario_hash));
    assert_eq!(mc::vars_csv(&r).lines().count(), 1 + r.vars.len());
    // Post-hoc predicates over stored runs agree with the aggregated outcome.
    let runs = mc::simulate(&s, &tight, toy::compromise10, None).unwrap();
    let e = statecraft_core::expr::Expr::parse(&s.outcomes[0].when, None).unwrap();
    let p = runs.proportion(&e);
    assert_eq!(p.hits, r.outcomes[0].hits);
    assert_eq!((p.lo, p.hi), (r.outcomes[0].lo, r.outcomes[0].hi));
}

/// The toy model, failing with "too high" in every run whose issue x ends above 55.
fn fails_above_55(
    sc: &Scenario,
    rng: &mut statecraft_core::rng::Rng,
) -> Result<statecraft_core::state::RunState, &'static str> {
    let st = toy::compromise10(sc, rng).unwrap();
    if st.get("issue.x").unwrap_or(0.0) > 55.0 {
        Err("too high")
    } else {
        Ok(st)
    }
}

#[test]
fn run_errors_report_lowest_failing_run() {
    let s = good_scn();
    let err = mc::run(&s, &cfg(2000, 1), fails_above_55, None).unwrap_err();
    let mc::McError::Run { run, .. } = err else {
        panic!("expected a run error")
    };
    // The same failing index for 1 and 2 threads.
    let err1 = pool(1)
        .install(|| mc::run(&s, &cfg(2000, 1), fails_above_55, None))
        .unwrap_err();
    assert_eq!(
        err1,
        mc::McError::Run {
            run,
            message: "too high".into()
        }
    );
}

#[test]
fn hypotheses_with_common_random_numbers() {
    let s = scn();
    let mut s2 = s.clone();
    s2.outcomes.truncate(2);
    // `gate.jcs` names nothing in this scenario: an error, not a silent no-op (issue 17).
    assert!(mc::evaluate_hypotheses(&s2, &cfg(20, 3), toy::compromise10).is_err());
    // `actor.a` exists; the toy model does not read `disabled`.
    s2.hypotheses[2].counterfactual.disable = vec!["actor.a".into()];
    let hs = mc::evaluate_hypotheses(&s2, &cfg(2000, 3), toy::compromise10).unwrap();
    assert_eq!(hs.len(), 3);
    // H1: A at 100 pulls the outcome up.
    assert!(hs[0].delta > 0.0);
    assert_eq!(hs[0].verdict, Verdict::Supported);
    assert!(hs[0].lo <= hs[0].delta && hs[0].delta <= hs[0].hi);
    // H2: without the hawkish heavyweight the outcome falls: the claimed rise is refuted.
    assert!(hs[1].delta < 0.0);
    assert_eq!(hs[1].verdict, Verdict::Refuted);
    // H3: disabling has no effect on this model; CRN make Δ exactly 0, Newcombe's interval is
    // narrow but not zero-width, and it lies inside ±min_effect: equivalent (no effect).
    assert_eq!(hs[2].delta, 0.0);
    assert!(
        hs[2].lo < 0.0 && hs[2].hi > 0.0 && hs[2].hi < 0.005,
        "{:?}",
        hs[2]
    );
    assert_eq!(hs[2].verdict, Verdict::Equivalent);
    // Holm: three hypotheses, levels 1 − 0.05/3, 1 − 0.05/2, 1 − 0.05 by increasing p
    let mut levels: Vec<f64> = hs.iter().map(|h| h.level).collect();
    levels.sort_by(f64::total_cmp);
    let want = [0.95, 1.0 - 0.05 / 2.0, 1.0 - 0.05 / 3.0];
    for (a, b) in levels.iter().zip(want) {
        assert!((a - b).abs() < 1e-12, "{levels:?}");
    }
    assert!(hs[0].correction.starts_with("Holm (1979)"));
}

#[test]
fn edits_apply_and_fail_cleanly() {
    let s = good_scn();
    let e = mc::apply_edits(
        &s,
        &[Edit::Set {
            path: "stance.a.x.position".into(),
            value: 80.0,
        }],
    )
    .unwrap();
    let st = e.stances.iter().find(|x| x.actor == "a").unwrap();
    assert_eq!(st.position.value, 80.0);
    assert!(st.position.dist.is_none());
    let bad = mc::apply_edits(
        &s,
        &[Edit::Set {
            path: "stance.a.x.position".into(),
            value: 180.0,
        }],
    );
    assert!(matches!(bad, Err(mc::McError::Edit { .. })));
    let bad = mc::apply_edits(
        &s,
        &[Edit::Set {
            path: "stance.zz.x.position".into(),
            value: 1.0,
        }],
    );
    assert!(matches!(bad, Err(mc::McError::Edit { .. })));
    let bad = mc::apply_edits(&s, &[Edit::Without { actor: "zz".into() }]);
    assert!(matches!(bad, Err(mc::McError::Edit { .. })));
    let w = mc::apply_edits(&s, &[Edit::Without { actor: "a".into() }]).unwrap();
    assert_eq!(w.actors.len(), 2);
    assert!(w.stances.iter().all(|x| x.actor != "a"));
    // Disabled ids appear as vars.
    let mut s3 = s.clone();
    s3.outcomes.push(statecraft_core::scenario::OutcomeClass {
        id: "gate_off".into(),
        name: "Gate disabled".into(),
        when: "disabled.actor.b".into(),
    });
    let unknown = McConfig {
        edits: vec![Edit::Disable {
            id: "gate.jcs".into(),
        }],
        ..cfg(50, 1)
    };
    let e = mc::run(&s3, &unknown, toy::compromise10, None).unwrap_err();
    assert!(
        e.to_string().contains("nothing to disable at `gate.jcs`"),
        "{e}"
    );
    let c = McConfig {
        edits: vec![Edit::Disable {
            id: "actor.b".into(),
        }],
        ..cfg(50, 1)
    };
    let r = mc::run(&s3, &c, toy::compromise10, None).unwrap();
    assert_eq!(r.outcome("gate_off").unwrap().p, 1.0);
    assert_eq!(
        mc::parse_set("a.b = 3").unwrap(),
        Edit::Set {
            path: "a.b".into(),
            value: 3.0
        }
    );
    assert!(mc::parse_set("a.b").is_err());
    assert!(mc::parse_set("a.b=x").is_err());
}

#[test]
fn crn_keeps_unedited_inputs_identical() {
    // Removing actor `a` must not change the sampled values of the other actors' inputs.
    let s = good_scn();
    let base = mc::sampled_scenario(&s, &cfg(1, 9), 5).unwrap();
    let alt_cfg = McConfig {
        edits: vec![Edit::Without { actor: "a".into() }],
        ..cfg(1, 9)
    };
    let alt = mc::sampled_scenario(&s, &alt_cfg, 5).unwrap();
    for st in &alt.stances {
        let b = base
            .stances
            .iter()
            .find(|x| x.actor == st.actor && x.issue == st.issue)
            .unwrap();
        assert_eq!(b.position.value, st.position.value);
        assert_eq!(b.salience.value, st.salience.value);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn probabilities_and_intervals(seed in 0u64..1000, runs in 1u64..300, cut in 0.0f64..100.0) {
        let mut s = good_scn();
        s.outcomes[0].when = format!("issue.x >= {cut}");
        s.outcomes[1].when = format!("not (issue.x >= {cut})");
        let r = mc::run(&s, &cfg(runs, seed), toy::compromise10, None).unwrap();
        let (a, b) = (&r.outcomes[0], &r.outcomes[1]);
        prop_assert!((a.p + b.p - 1.0).abs() < 1e-12);
        prop_assert_eq!(a.hits + b.hits, runs);
        for o in &r.outcomes {
            prop_assert!((0.0..=1.0).contains(&o.p));
            prop_assert!(o.lo <= o.p && o.p <= o.hi, "{:?}", o);
            prop_assert!(o.lo >= 0.0 && o.hi <= 1.0);
        }
        for ev in r.events.values() {
            prop_assert!(ev.lo <= ev.p && ev.p <= ev.hi);
        }
    }

    #[test]
    fn sampled_numbers_stay_in_their_domains(
        seed in 0u64..1000,
        run in 0u64..10_000,
        discount in 0.0f64..=1.0,
        conf in 0.0f64..=1.0,
        rel in 0.0f64..=1.0,
        pos in 0.0f64..=100.0,
    ) {
        let mut s = good_scn();
        s.sources[0].reliability = rel;
        s.stances[0].position.value = pos;
        s.stances[0].position.confidence = Some(conf);
        s.stances[1].salience.confidence = Some(conf);
        // A wide stated distribution that the discount widens past the scale.
        s.stances[1].position.dist = Some(statecraft_core::scenario::Dist::Normal {
            mean: 50.0, sd: 80.0, min: -50.0, max: 150.0,
        });
        s.stances[1].position.source = Some("article ¶4".into());
        let c = McConfig { evidence_discount: discount, ..cfg(1, seed) };
        let t = mc::sampled_scenario(&s, &c, run).unwrap();
        for st in &t.stances {
            prop_assert!((0.0..=100.0).contains(&st.position.value), "{}", st.position.value);
            prop_assert!((0.0..=1.0).contains(&st.salience.value));
        }
        for a in &t.actors {
            prop_assert!(a.capability.value >= 0.0);
        }
        let st = toy::compromise10(&t, &mut statecraft_core::rng::stream(seed, run)).unwrap();
        for s in st.series.values() {
            prop_assert!(s.iter().all(|v| (0.0..=100.0).contains(v)));
        }
    }
}

/// The toy scenario's three hypotheses (H1 supported, H2 refuted, H3 equivalent) with H3's
/// counterfactual pointed at something that exists.
fn hypothesis_scn() -> Scenario {
    let mut s = scn();
    s.outcomes.truncate(2);
    s.hypotheses[2].counterfactual.disable = vec!["actor.a".into()];
    s
}

/// With one look the sequential procedure is the fixed-sample Holm test, field for field.
#[test]
fn one_sequential_look_is_the_fixed_sample_test() {
    let s = hypothesis_scn();
    let c = cfg(2000, 3);
    let base = mc::simulate_outcomes(&s, &c, toy::compromise10, None).unwrap();
    let fixed = mc::evaluate_hypotheses_on(&s, &c, &base, toy::compromise10).unwrap();
    let one = mc::evaluate_hypotheses_seq_with(
        &s,
        &c,
        &base,
        &mc::PerRun(toy::compromise10),
        mc::Looks::FIXED,
    )
    .unwrap();
    assert_eq!(one, fixed);
    assert_eq!(fixed.len(), 3);
}

/// Sequential looks: the same verdicts as the fixed test on these clear claims, each from
/// fewer pairs where a look settled it, the figures those of the first n pairs, and the same
/// bytes on one thread and on four.
#[test]
fn sequential_looks_settle_early_with_the_same_verdicts() {
    let s = hypothesis_scn();
    let c = cfg(4096, 3);
    let base = mc::simulate_outcomes(&s, &c, toy::compromise10, None).unwrap();
    let fixed = mc::evaluate_hypotheses_on(&s, &c, &base, toy::compromise10).unwrap();
    let seq = |threads| {
        pool(threads).install(|| {
            mc::evaluate_hypotheses_seq_with(
                &s,
                &c,
                &base,
                &mc::PerRun(toy::compromise10),
                mc::Looks::DEFAULT,
            )
            .unwrap()
        })
    };
    let one = seq(1);
    assert_eq!(one, seq(4));
    for (f, q) in fixed.iter().zip(&one) {
        assert_eq!(f.verdict, q.verdict, "{}", f.id);
        let look = q.sequential.as_ref().unwrap();
        assert_eq!(look.schedule, vec![256, 512, 1024, 2048, 4096]);
        assert_eq!(q.provenance.runs, look.schedule[look.look - 1]);
        // the figures of the first n pairs: n's own base rate
        let k = s.outcomes.iter().position(|o| o.id == q.outcome).unwrap();
        let n = q.provenance.runs as usize;
        let hits = base.outcomes[k].iter().take(n).filter(|b| *b).count();
        assert_eq!(q.p_base, hits as f64 / n as f64);
        assert!(q.lo <= q.delta && q.delta <= q.hi);
    }
    // H1 (a large effect) settles at the first look, H3 (exactly none) at the second
    let runs: Vec<u64> = one.iter().map(|q| q.provenance.runs).collect();
    assert_eq!((runs[0], runs[2]), (256, 512), "{runs:?}");
    assert!(one[0].sequential.as_ref().unwrap().early);
    assert!(one[0]
        .correction
        .contains("sequential looks at 256, 512, 1024, 2048, 4096"));
}
