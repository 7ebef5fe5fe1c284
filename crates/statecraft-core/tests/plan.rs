//! Analysis plans: every front end that asks for the same runs and seed gets the same main
//! Monte Carlo job, whatever preset it uses (issue 9: `run` and `report` used to disagree by
//! default, 1,000 runs at seed 1 against 10,000 runs at seed 42).

use statecraft_core::plan::{self, PlanRequest, Preset};
use statecraft_core::scenario::load::from_toml_str;

fn greenland() -> statecraft_core::scenario::Scenario {
    let text = statecraft_core::builtin::get("greenland-2026").expect("built-in");
    from_toml_str(text).expect("loads")
}

/// A small study of `preset`: few main, pivotality and evidence-discount runs.
fn small(preset: Preset, runs: u64, seed: u64, pivotal_runs: u64) -> PlanRequest {
    PlanRequest {
        runs: Some(runs),
        seed,
        pivotal_runs: Some(pivotal_runs),
        discount_runs: Some(20),
        ..PlanRequest::new(preset)
    }
}

#[test]
fn run_and_report_presets_agree_on_the_main_job() {
    let scn = greenland();
    let req = |preset| small(preset, 120, 7, 3);
    let run = plan::plan(&scn, &req(Preset::Run)).expect("run plan");
    let report = plan::plan(&scn, &req(Preset::Report)).expect("report plan");
    let explore = plan::plan(&scn, &req(Preset::Explore)).expect("explore plan");
    assert!(
        report.pilot_runs.is_some(),
        "the report aims its sensitivity at a pilot's outcome"
    );
    let a = plan::execute(&scn, &run, None).expect("run study");
    let b = plan::execute(&scn, &report, None).expect("report study");
    let c = plan::execute(&scn, &explore, None).expect("explore study");
    assert_eq!(a.mc.outcomes, b.mc.outcomes);
    assert_eq!(a.mc.outcomes, c.mc.outcomes);
    assert_eq!(a.questions, b.questions);
    // The report ran its tornado and Sobol analyses on an outcome; the run preset did not.
    let rc = plan::resolve(&scn, &report, None).expect("resolve");
    assert!(rc.tornado.is_some() && rc.sobol.is_some());
    assert!(a.tornado.is_none());
    // A different seed changes the main job (the test above can fail).
    let other = plan::plan(
        &scn,
        &PlanRequest {
            seed: 8,
            ..req(Preset::Run)
        },
    )
    .expect("plan");
    let d = plan::execute(&scn, &other, None).expect("study");
    assert_ne!(a.mc.outcomes, d.mc.outcomes);
}

#[test]
fn planned_evaluations_count_the_pilot() {
    let scn = greenland();
    let req = PlanRequest {
        runs: Some(100),
        ..PlanRequest::new(Preset::Report)
    };
    let p = plan::plan(&scn, &req).expect("plan");
    let pilot = p.pilot_runs.expect("pilot");
    assert_eq!(
        p.planned_evaluations(&scn),
        pilot
            + plan::resolve(&scn, &p, None)
                .expect("cfg")
                .planned_evaluations(&scn)
    );
}

#[test]
fn adaptive_pivotality_doubles_until_settled_or_capped() {
    let scn = greenland();
    let req = PlanRequest {
        runs: Some(40),
        pivotal_runs: Some(4),
        pivotal_top: Some(3),
        pivotal_cap: Some(16),
        discount_runs: Some(0),
        ..PlanRequest::new(Preset::Run)
    };
    let p = plan::plan(&scn, &req).expect("plan");
    let st = plan::execute(&scn, &p, None).expect("study");
    let piv = st.pivotality.expect("pivotality ran");
    // Passes double from the start and stop at the first settled pass or at the cap.
    assert_eq!(piv.passes.first(), Some(&4));
    assert!(piv.passes.windows(2).all(|w| w[1] == (w[0] * 2).min(16)));
    assert_eq!(piv.runs, *piv.passes.last().expect("a pass"));
    let (top, settled) = piv.settled.expect("adaptive");
    assert_eq!(top, 3);
    assert!(settled || piv.runs == 16, "stopped early without settling");
    assert_eq!(
        settled,
        statecraft_core::sensitivity::pivots_settled(&piv.actors, 3)
    );
    // The fixed request reports no passes.
    let fixed = PlanRequest {
        pivotal_top: None,
        pivotal_cap: None,
        ..req.clone()
    };
    let st = plan::execute(&scn, &plan::plan(&scn, &fixed).expect("plan"), None).expect("study");
    let piv = st.pivotality.expect("pivotality ran");
    assert!(piv.passes.is_empty() && piv.settled.is_none() && piv.runs == 4);
    // A cap without the ranks to settle is refused.
    let bad = PlanRequest {
        pivotal_top: None,
        ..req
    };
    assert!(plan::plan(&scn, &bad).is_err());
}

/// A study collects what its front end shows (`PlanRequest::shows`) and every other figure it
/// gives is the same, bit for bit: recording the series or folding a var does not touch a
/// run, and nothing else in the study reads them. The summary keeps exactly the summary vars
/// and the gate decisions among the events (each equal to what a study collecting everything
/// gives); the answers keep neither.
#[test]
fn a_study_differs_only_in_what_its_front_end_does_not_show() {
    use statecraft_core::mc::{is_summary_event, is_summary_var};
    use statecraft_core::plan::Shows;
    let scn = greenland();
    let run = |shows| {
        let req = PlanRequest {
            shows,
            ..small(Preset::Run, 150, 5, 4)
        };
        let p = plan::plan(&scn, &req).expect("plan");
        let want = shows.unwrap_or(Shows::Everything).collect();
        assert_eq!(p.config.mc.collect, want);
        let s = plan::execute(&scn, &p, None).expect("study");
        serde_json::to_value(&s).expect("json")
    };
    let all = run(None);
    assert_eq!(run(Some(Shows::Everything)), all);
    let len = |v: &serde_json::Value, k: &str| {
        v["mc"][k]
            .as_object()
            .map(|m| m.len())
            .or_else(|| v["mc"][k].as_array().map(|a| a.len()))
            .unwrap_or(0)
    };
    for k in ["series", "vars", "events", "alignment", "tipping"] {
        assert!(len(&all, k) > 0, "the full study has {k}");
    }
    let strip = |mut v: serde_json::Value, parts: &[&str]| {
        let mc = v["mc"].as_object_mut().expect("mc");
        for k in parts.iter().chain(&["collected"]) {
            mc.remove(*k);
        }
        v
    };
    // the entries of the full study's map `mc.<part>` whose names `keep` accepts
    let only = |part: &str, keep: fn(&str) -> bool| -> serde_json::Map<String, serde_json::Value> {
        all["mc"][part]
            .as_object()
            .expect(part)
            .iter()
            .filter(|(k, _)| keep(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    // the summary: every summary var, with the full study's summary, and no other var
    let summary = run(Some(Shows::Summary));
    let summary_vars = only("vars", is_summary_var);
    assert!(
        summary_vars.keys().any(|k| k.starts_with("issue."))
            && summary_vars.keys().any(|k| k.ends_with(".taken")),
        "Greenland records issue outcomes and option take-up"
    );
    assert!(summary_vars.len() < len(&all, "vars"));
    assert_eq!(
        summary["mc"]["vars"],
        serde_json::Value::Object(summary_vars)
    );
    let summary_events = only("events", is_summary_event);
    assert!(!summary_events.is_empty() && summary_events.len() < len(&all, "events"));
    assert_eq!(
        summary["mc"]["events"],
        serde_json::Value::Object(summary_events)
    );
    assert_eq!(len(&summary, "series"), 0);
    // alignment counts are read from the `alignment.*` vars, which the summary does not show
    assert_eq!(len(&summary, "alignment"), 0);
    // the tipping steps are read from the `tipped:` events, which it does not show either
    assert_eq!(len(&summary, "tipping"), 0);
    assert_eq!(summary["mc"]["collected"]["summary_only"], true);
    let parts = ["series", "vars", "events", "alignment", "tipping"];
    assert_eq!(strip(summary, &parts), strip(all.clone(), &parts));
    // the answers: outcomes and questions only
    let answers = run(Some(Shows::Answers));
    for k in ["series", "vars", "events", "alignment", "tipping"] {
        assert_eq!(len(&answers, k), 0, "answers collect no {k}");
    }
    let parts = ["series", "vars", "events", "alignment", "tipping"];
    assert_eq!(strip(answers, &parts), strip(all, &parts));
}
