//! `--model`, `--model-opt` and the scenario's `[model]` table: resolved against the model
//! registry, every problem an input error (exit 2) naming the flag, and the JSON output records
//! the model that ran with all its options.

mod common;

use common::statecraft;

const VAR_A: &str = "../shared/reference/ktab/inputs/SOE-Pol-Comp_varA.xml";

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn unknown_model_fails_with_a_suggestion() {
    let o = statecraft(&["run", "--model", "nonsense"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--model: unknown model `nonsense`"),
        "{}",
        stderr(&o)
    );
    let o = statecraft(&["run", "minimal", "--model", "eun"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean `eum`?"), "{}", stderr(&o));
}

#[test]
fn a_bargaining_model_on_a_crisis_scenario_is_an_error() {
    // eum and smp run one round per crisis week (tests/crisis_bargaining_models.rs in core);
    // models without a round are refused.
    for m in ["median", "compromise"] {
        let o = statecraft(&["run", "--model", m, "--runs", "10"]);
        assert_eq!(o.status.code(), Some(2), "{m}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("crisis-averaging"),
            "{m}: {}",
            stderr(&o)
        );
    }
    // the crisis step itself runs, and the provenance says so
    let o = statecraft(&[
        "run",
        "--model",
        "crisis-averaging",
        "--runs",
        "20",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("crisis-averaging"), "{out}");
    assert!(!out.contains("eum-scholz"), "{out}");
}

#[test]
fn bad_model_options_are_input_errors() {
    for (args, want) in [
        (
            vec!["--model-opt", "votingrule=Prop"],
            "did you mean `VotingRule`?",
        ),
        (
            vec!["--model-opt", "VotingRule=Sideways"],
            "expected one of",
        ),
        (
            vec!["--model-opt", "q=0.5"],
            "does not apply to model `smp`",
        ),
        (vec!["--model-opt", "VotingRule"], "expected KEY=VALUE"),
        (
            vec!["--model", "eum", "--model-opt", "ranking=best"],
            "--model-opt",
        ),
    ] {
        let mut a = vec!["run", VAR_A];
        a.extend(args.iter().copied());
        let o = statecraft(&a);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(want),
            "{args:?}: want {want:?} in {}",
            stderr(&o)
        );
    }
}

#[test]
fn ktab_xml_parameters_drive_the_run_and_are_recorded() {
    // KTAB's own run of varA takes 7 turns (tests/fixtures/ktab in statecraft-core).
    let o = statecraft(&[
        "run",
        VAR_A,
        "--model-opt",
        "ktab_compat=true",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["model"], "smp");
    assert_eq!(v["issues"][0]["rounds"].as_array().unwrap().len(), 8);
    let smp = &v["model_options"]["smp"];
    assert_eq!(smp["victory_prob_model"], "Square");
    assert_eq!(smp["bargn_model"], "PWCompInterp");
    assert_eq!(smp["ktab_compat"], true);
    // a command-line override changes the run
    let o = statecraft(&[
        "run",
        VAR_A,
        "--model-opt",
        "ktab_compat=true",
        "--model-opt",
        "VictoryProbModel=Linear",
        "--format",
        "json",
    ]);
    let w: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(w["model_options"]["smp"]["victory_prob_model"], "Linear");
    assert_ne!(w["issues"], v["issues"]);
}
