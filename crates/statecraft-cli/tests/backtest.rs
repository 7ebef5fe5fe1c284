//! `statecraft backtest` and `statecraft fit` end to end on the committed ledger.

mod common;
use common::*;

#[test]
fn backtest_ledger_table_json_and_files() {
    let dir = std::env::temp_dir().join(format!("statecraft-backtest-{}", std::process::id()));
    let out = statecraft(&[
        "backtest",
        "scenarios/backtest",
        "--runs",
        "100",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("pooled"), "{text}");
    assert!(text.contains("Murphy decomposition"), "{text}");
    assert!(text.contains("vs 50%"), "{text}");
    for f in ["reliability.svg", "backtest.html", "backtest.json"] {
        assert!(dir.join(f).exists(), "{f}");
    }
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("backtest.json")).unwrap()).unwrap();
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() >= 10, "the ledger holds at least 10 cases");
    for c in cases {
        let n = c["questions"].as_array().unwrap().len();
        assert!((4..=10).contains(&n), "{}: {n} questions", c["id"]);
    }
    // Murphy identity on the pooled scores: BS = REL − RES + UNC + within-bin term.
    let m = &v["pooled"]["murphy"];
    let f = |k: &str| m[k].as_f64().unwrap();
    assert!(
        (f("brier") - (f("reliability") - f("resolution") + f("uncertainty") + f("within_bin")))
            .abs()
            < 1e-12
    );
    // same seed → same bytes
    let again = statecraft(&[
        "backtest",
        "scenarios/backtest",
        "--runs",
        "100",
        "--format",
        "json",
    ]);
    let v2: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(v, v2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn backtest_bad_input_exits_2() {
    let out = statecraft(&["backtest", "/nonexistent/ledger"]);
    assert_eq!(out.status.code(), Some(2));
    let out = statecraft(&["backtest", "scenarios/backtest", "--runs", "0"]);
    assert_eq!(out.status.code(), Some(2));
    // a ledger case whose resolutions file is missing
    let dir = std::env::temp_dir().join(format!("statecraft-badledger-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        root().join("scenarios/backtest/cuba-1962.toml"),
        dir.join("cuba-1962.toml"),
    )
    .unwrap();
    let out = statecraft(&["backtest", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fit_writes_priors_that_backtest_reads() {
    let dir = std::env::temp_dir().join(format!("statecraft-fit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let priors = dir.join("priors.toml");
    let out = statecraft(&[
        "fit",
        "scenarios/backtest",
        "--runs",
        "20",
        "-o",
        priors.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("out of sample"), "{text}");
    assert!(text.contains("held out"), "{text}");
    let out = statecraft(&[
        "backtest",
        "scenarios/backtest",
        "--runs",
        "20",
        "--priors",
        priors.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn score_prints_skill_and_decomposition() {
    let dir = std::env::temp_dir().join(format!("statecraft-score-skill-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = statecraft(&[
        "forecast",
        "scenarios/backtest/cuba-1962.toml",
        "--runs",
        "50",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let f = dir.join("f.json");
    std::fs::write(&f, &out.stdout).unwrap();
    let r = dir.join("r.toml");
    std::fs::write(
        &r,
        "unsc-resolution-by-1962-11-30 = 0\nwithdrawal-announced-by-1962-11-30 = 1\n",
    )
    .unwrap();
    let out = statecraft(&["score", f.to_str().unwrap(), r.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    // base rate of the two scored questions: 1/2 → its Brier reference is 0.25, as is 50%'s
    assert!(text.contains("vs base rate 0.500: BS_ref 0.2500"), "{text}");
    assert!(text.contains("Murphy decomposition"), "{text}");
    let out = statecraft(&["score", f.to_str().unwrap(), r.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["n"], 2);
    assert!(v["questions"].is_array(), "existing keys kept");
    let out = statecraft(&[
        "score",
        f.to_str().unwrap(),
        r.to_str().unwrap(),
        "--base-rate",
        "2",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
