//! `statecraft paths`, `export`, `new`, and run flags without the `run` word (issue 16).

mod common;
use common::statecraft;

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn paths_lists_settable_numbers_with_ranges_and_sources() {
    let o = statecraft(&["paths", "--filter", "ally.uk"]);
    assert!(o.status.success(), "{o:?}");
    let t = stdout(&o);
    assert!(t.contains("crisis.ally.uk.alignment"), "{t}");
    assert!(t.contains("[-1, 1]"), "alignment's declared range: {t}");
    assert!(t.contains("article ¶27"), "its source: {t}");
    let o = statecraft(&["paths", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let all = v.as_array().expect("array");
    let prop = all
        .iter()
        .find(|p| p["path"] == "crisis.option.invasion.propensity")
        .expect("invasion propensity listed");
    assert_eq!(
        (prop["min"].as_f64(), prop["max"].as_f64()),
        (Some(0.0), Some(1.0))
    );
    // Every listed path is accepted by --set.
    let o = statecraft(&[
        "run",
        "--runs",
        "5",
        "--pivotal-runs",
        "1",
        "--discount-runs",
        "0",
        "--set",
        "crisis.option.invasion.propensity=0.01",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = statecraft(&["paths", "--format", "csv", "--uncertain"]);
    let t = stdout(&o);
    assert!(t.starts_with("path,value,distribution,min,max"), "{t}");
    assert!(t
        .lines()
        .skip(1)
        .all(|l| !l.split(',').nth(2).unwrap_or("").is_empty()));
}

#[test]
fn export_writes_the_builtin_text() {
    let o = statecraft(&["export", "greenland-2026"]);
    assert!(o.status.success());
    assert_eq!(
        stdout(&o),
        statecraft_core::builtin::get("greenland-2026").expect("built-in")
    );
    let o = statecraft(&["export", "greenland-2025"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("greenland-2026"));
}

#[test]
fn new_writes_a_template_that_checks_and_runs() {
    let dir = std::env::temp_dir().join(format!("statecraft-new-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("crisis.toml");
    let f = file.to_str().expect("utf-8 path");
    let o = statecraft(&["new", "my-crisis", "-o", f]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = statecraft(&["check", f]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = statecraft(&[
        f,
        "--runs",
        "20",
        "--pivotal-runs",
        "1",
        "--discount-runs",
        "0",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&o).contains("my-crisis"));
    // An existing file is kept unless --force.
    let o = statecraft(&["new", "my-crisis", "-o", f]);
    assert_eq!(o.status.code(), Some(2));
    let o = statecraft(&["new", "my-crisis", "-o", f, "--force"]);
    assert!(o.status.success());
    let o = statecraft(&["new", "bad name", "-o", "-"]);
    assert_eq!(o.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn run_flags_work_without_the_run_word() {
    let args = [
        "--runs",
        "30",
        "--pivotal-runs",
        "1",
        "--discount-runs",
        "0",
        "--format",
        "json",
    ];
    let a = statecraft(&args);
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    let mut with_run = vec!["run"];
    with_run.extend(args);
    let b = statecraft(&with_run);
    assert_eq!(
        a.stdout, b.stdout,
        "`statecraft FLAGS` = `statecraft run FLAGS`"
    );
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).expect("json");
    assert_eq!(v["provenance"]["runs"], 30);
}

#[test]
fn set_values_are_checked_against_the_declared_range() {
    // legality is a probability-like share: [0, 1] (docs/scenario.md, "Declared ranges").
    let o = statecraft(&[
        "--runs",
        "5",
        "--set",
        "crisis.option.coercion.legality=1.5",
    ]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("outside the allowed range [0, 1]"), "{err}");
    // alignment is [-1, 1]; a gate's log-odds intercept is unbounded.
    let o = statecraft(&["--runs", "5", "--set", "crisis.ally.uk.alignment=-2"]);
    assert_eq!(o.status.code(), Some(2));
    let o = statecraft(&[
        "--runs",
        "5",
        "--pivotal-runs",
        "1",
        "--discount-runs",
        "0",
        "--set",
        "crisis.gate.jcs.block=-4",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}
