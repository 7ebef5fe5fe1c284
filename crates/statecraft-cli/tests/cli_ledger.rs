//! `statecraft check --ledger`: the evidence ledger in text and JSON (docs/evidence.md).

mod common;

use common::statecraft;

fn json(args: &[&str]) -> serde_json::Value {
    let out = statecraft(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

#[test]
fn greenland_text_ledger_has_no_unmarked_number() {
    let out = statecraft(&["check", "--ledger", "greenland-2026"]);
    assert_eq!(out.status.code(), Some(0));
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.starts_with("EVIDENCE LEDGER — greenland-2026"), "{s}");
    assert!(s.contains("  unmarked       0  "), "{s}");
    assert!(s.contains("ASSUMED NUMBERS"), "{s}");
    assert!(
        s.contains("by the width of the effective distribution"),
        "{s}"
    );
    assert!(s.contains("FIXED — reason: numbers"), "{s}");
    assert!(s.contains("RATES WITHOUT A REFERENCE CLASS"), "{s}");
    assert!(
        s.contains("… "),
        "the list is cut to the first rows without --all"
    );
}

#[test]
fn greenland_json_ledger_counts_add_up() {
    let v = json(&[
        "check",
        "--ledger",
        "--format",
        "json",
        "scenarios/greenland-2026.toml",
    ]);
    let c = &v["counts"];
    let n = |k: &str| c[k].as_u64().unwrap();
    assert_eq!(n("unmarked"), 0, "{c}");
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(n("total") as usize, entries.len());
    assert_eq!(
        n("total"),
        n("sourced") + n("reference") + n("assumed") + n("unmarked") + n("fixed") + n("data")
    );
    assert_eq!(v["ordering"]["by"], "width");
    // Every fixed number carries its reason.
    for e in v["fixed"].as_array().unwrap() {
        assert!(!e["basis"]["reason"].as_str().unwrap().is_empty(), "{e}");
    }
}

#[test]
fn a_backtest_case_lists_its_unmarked_numbers_by_influence() {
    let v = json(&[
        "check",
        "--ledger",
        "--influence",
        "--target",
        "cohesion",
        "--threads",
        "1",
        "--format",
        "json",
        "scenarios/backtest/cuba-1962.toml",
    ]);
    assert!(v["counts"]["unmarked"].as_u64().unwrap() > 0);
    assert_eq!(v["ordering"]["by"], "tornado", "{}", v["ordering"]);
    assert_eq!(v["ordering"]["runs"], 8);
    let first = &v["assumed"][0];
    assert!(first["influence"].is_number(), "{first}");
}

#[test]
fn a_bargaining_table_is_data() {
    let v = json(&[
        "check",
        "--ledger",
        "--format",
        "json",
        "scenarios/examples/minimal.toml",
    ]);
    let c = &v["counts"];
    assert_eq!(c["unmarked"], 0, "{c}");
    assert!(c["data"].as_u64().unwrap() > 0, "{c}");
}

#[test]
fn ledger_flags_need_ledger() {
    let out = statecraft(&["check", "--influence", "greenland-2026"]);
    assert_eq!(out.status.code(), Some(2));
}
