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
