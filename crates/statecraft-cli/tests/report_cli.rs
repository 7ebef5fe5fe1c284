//! `statecraft report` on the built-in scenario writes report.html and every chart, and the same
//! seed gives byte-identical files.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn report(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let status = Command::new(env!("CARGO_BIN_EXE_statecraft"))
        .args(["report", "--runs", "200", "--seed", "7", "--out"])
        .arg(out)
        .status()
        .expect("statecraft runs");
    assert!(status.success(), "report failed: {status}");
    std::fs::read_dir(out)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn report_on_builtin_is_complete_and_byte_identical() {
    let base = std::env::temp_dir().join(format!("statecraft-report-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let a = report(&base.join("a"));
    let b = report(&base.join("b"));
    let names: Vec<&str> = a.keys().map(String::as_str).collect();
    for want in [
        "report.html",
        "outcomes.svg",
        "network.svg",
        "tornado.svg",
        "sobol.svg",
        "hypotheses.svg",
        "evidence-discount.svg",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    assert!(
        names.iter().any(|n| n.starts_with("trajectory-")),
        "{names:?}"
    );
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, bytes) in &a {
        assert!(
            bytes == &b[name],
            "{name} differs between two runs with the same seed"
        );
    }
    let html = String::from_utf8(a["report.html"].clone()).unwrap();
    // Real results: no stand-in banner, the reproduction command and all five hypotheses
    // of the built-in scenario (H1 via the pivotality ranking).
    assert!(!html.contains("class=\"notice\""));
    assert!(html.contains("statecraft report greenland-2026 --runs 200 --seed 7"));
    for h in ["H1", "H2", "H2b", "H3", "H4", "H5"] {
        assert!(
            html.contains(&format!("<td class=\"mono\">{h}</td>")),
            "{h} missing"
        );
    }
    let _ = std::fs::remove_dir_all(&base);
}

/// The Track record section (issue 13): the ledger's pooled scores and the reliability diagram
/// (the `statecraft backtest` SVG), with the runs per case printed; `--no-track-record` leaves
/// it out and says so in the reproduction command.
#[test]
fn report_shows_the_track_record_of_the_ledger() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let ledger = root.join("scenarios/backtest");
    let out = std::env::temp_dir().join(format!("statecraft-report-tr-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let o = Command::new(env!("CARGO_BIN_EXE_statecraft"))
        .args([
            "report",
            "--runs",
            "60",
            "--track-record-runs",
            "20",
            "--out",
        ])
        .arg(out.join("a"))
        .arg("--track-record")
        .arg(&ledger)
        .output()
        .expect("statecraft runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(out.join("a/report.html")).unwrap();
    assert!(html.contains("<section id=\"track-record\">"), "no section");
    assert!(html.contains("<a href=\"#track-record\">Track record</a>"));
    assert!(html.contains("id=\"chart-reliability\""));
    assert!(
        html.contains("(20 runs per case, seed 1)"),
        "runs per case printed"
    );
    for row in [
        "Brier score (lower is better)",
        "Brier skill vs the ledger",
        "Brier skill vs 50%",
        "Murphy (1973)",
    ] {
        assert!(html.contains(row), "{row}");
    }
    assert!(html.contains("--runs 60 --seed 1 --track-record-runs 20"));
    let o = Command::new(env!("CARGO_BIN_EXE_statecraft"))
        .args(["report", "--runs", "60", "--no-track-record", "--out"])
        .arg(out.join("b"))
        .output()
        .expect("statecraft runs");
    assert!(o.status.success());
    let html = std::fs::read_to_string(out.join("b/report.html")).unwrap();
    assert!(!html.contains("id=\"track-record\""));
    assert!(html.contains("--no-track-record"));
    let _ = std::fs::remove_dir_all(&out);
}
