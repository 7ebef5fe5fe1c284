//! `[params]` from the command line: `statecraft paths` lists the Greenland thresholds, and
//! `--set params.<name>=…` moves the outcome that reads them.

mod common;

use common::statecraft;

fn compromise(args: &[&str]) -> f64 {
    let mut a = vec!["--runs", "200", "--seed", "1", "--format", "json"];
    a.extend_from_slice(args);
    let out = statecraft(&a);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let classes = v["mc"]["outcomes"].as_array().unwrap();
    let c = classes.iter().find(|c| c["id"] == "compromise").unwrap();
    c["p"].as_f64().unwrap()
}

#[test]
fn paths_lists_params_and_set_moves_them() {
    let out = statecraft(&["paths"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for p in [
        "params.deal ",
        "params.fracture_cohesion ",
        "params.force_demand ",
    ] {
        assert!(text.contains(p), "{p} missing from paths");
    }
    // A deal needs Denmark at 40 by default; at 70 it needs a far larger concession.
    let base = compromise(&[]);
    let strict = compromise(&["--set", "params.deal=70"]);
    assert!(strict < base, "deal 70: {strict} vs default {base}");
    let out = statecraft(&["--runs", "5", "--set", "params.dael=45"]);
    assert_eq!(out.status.code(), Some(2));
}
