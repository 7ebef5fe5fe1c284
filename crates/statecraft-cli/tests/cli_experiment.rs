//! The compiled experiment through the CLI (issue 9): every bad edit of a run reported at once,
//! `check --schema` (input space and output schema) and `check --pilot` (outcome classes never or
//! always true, overlap).

mod common;

use common::statecraft;

#[test]
fn every_bad_edit_is_reported_at_once() {
    let out = statecraft(&[
        "run",
        "--runs",
        "10",
        "--without",
        "ukk",
        "--set",
        "actor.us.capabilty=3",
        "--disable",
        "gate.jcss",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    for want in [
        "3 problems",
        "--without ukk: no actor `ukk`",
        "did you mean `uk`?",
        "--set actor.us.capabilty=3: no number at `actor.us.capabilty`; did you mean `actor.us.capability`?",
        "--disable gate.jcss: nothing to disable at `gate.jcss`; did you mean `gate.jcs`?",
    ] {
        assert!(err.contains(want), "want {want:?} in\n{err}");
    }
    // nothing ran: no progress line
    assert!(!err.contains("simulating"), "{err}");
}

#[test]
fn check_schema_lists_inputs_and_typed_outputs() {
    let out = statecraft(&["check", "greenland-2026", "--schema", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["format"], "statecraft.experiment/1");
    assert_eq!(v["model"]["model"], "crisis-averaging");
    let inputs = v["inputs"].as_array().unwrap();
    assert!(inputs.len() > 100, "{}", inputs.len());
    assert!(inputs
        .iter()
        .all(|i| i["path"].is_string() && i["dist"].is_object()));
    let vars = v["outputs"]["vars"].as_array().unwrap();
    let kind = |name: &str| {
        vars.iter()
            .find(|x| x["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))["kind"]
            .clone()
    };
    assert_eq!(kind("option.invasion.taken"), "binary");
    assert_eq!(kind("option.invasion.day"), "day");
    assert_eq!(kind("alignment.uk"), "categorical");
    assert_eq!(kind("cohesion"), "continuous");
    assert_eq!(kind("withdrawals"), "count");
    let text = statecraft(&["check", "greenland-2026", "--schema"]);
    let t = String::from_utf8_lossy(&text.stdout);
    assert!(t.contains("INPUTS — "), "{t}");
    assert!(
        t.contains("categorical {-1 target, 0 neutral, 1 initiator}"),
        "{t}"
    );
}

#[test]
fn check_pilot_warns_of_a_class_that_is_never_true() {
    let dir = std::env::temp_dir().join(format!("statecraft-exp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("never.toml");
    std::fs::write(
        &f,
        "[scenario]\nid = \"t\"\ntitle = \"t\"\n\n[[issues]]\nid = \"x\"\nname = \"x\"\nmin = 0\nmax = 100\n\n\
         [[actors]]\nid = \"a\"\nname = \"a\"\ncapability = 1\n[[actors]]\nid = \"b\"\nname = \"b\"\ncapability = 2\n\n\
         [[stances]]\nactor = \"a\"\nissue = \"x\"\nposition = 10\nsalience = 0.5\n\
         [[stances]]\nactor = \"b\"\nissue = \"x\"\nposition = 90\nsalience = 0.8\n\n\
         [[outcomes]]\nid = \"over\"\nname = \"over the scale\"\nwhen = \"issue.x > 100\"\n\
         [[outcomes]]\nid = \"any\"\nname = \"any\"\nwhen = \"issue.x >= 0\"\n",
    )
    .unwrap();
    let out = statecraft(&["check", f.to_str().unwrap(), "--pilot", "20"]);
    let s = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{s}");
    assert!(s.contains("pilot: 20 runs"), "{s}");
    assert!(
        s.contains("warning: outcomes[0] (over): never true in 20 pilot runs"),
        "{s}"
    );
    assert!(
        s.contains("warning: outcomes[1] (any): true in every one of 20 pilot runs"),
        "{s}"
    );
    assert!(s.contains("\n    help: "), "{s}");
}
