//! End-to-end: `statecraft validate deu3` and `statecraft models`.

use std::process::Command;

const DEU3: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/reference/deu3/deu3.tsv"
);

fn statecraft(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_statecraft"))
        .args(args)
        .output()
        .expect("run statecraft")
}

#[test]
fn validate_deu3_table_and_json() {
    let out = statecraft(&["validate", "deu3", DEU3, "--rounds", "2"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    // Compromise model baselines of shared/reference/deu3/README.md: 23.09 (gdp), 23.61 (equal).
    let line = text.lines().find(|l| l.starts_with("compromise")).unwrap();
    assert!(line.contains("23.09") && line.contains("23.61"), "{line}");
    assert!(text.contains("eum-printed"));

    let out = statecraft(&[
        "validate", "deu3", DEU3, "--format", "json", "--rounds", "1",
    ]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["issues_with_outcome"], 353);
    let comp = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["model"] == "compromise")
        .unwrap();
    assert!((comp["mae_gdp"].as_f64().unwrap() - 23.09).abs() < 0.005);
    assert!((comp["mae_equal"].as_f64().unwrap() - 23.61).abs() < 0.005);
}

#[test]
fn validate_bad_input_exits_2() {
    let out = statecraft(&["validate", "deu3", "/nonexistent/deu3.tsv"]);
    assert_eq!(out.status.code(), Some(2));
    let dir = std::env::temp_dir().join(format!("statecraft-validate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.tsv");
    std::fs::write(&bad, "\"a\"\t\"b\"\n1\t2\n").unwrap();
    let out = statecraft(&["validate", "deu3", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no column"));
}

#[test]
fn models_lists_every_model() {
    let out = statecraft(&["models"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for id in ["compromise", "median", "eum-scholz", "eum-printed", "eum "] {
        assert!(text.contains(id), "{id} missing from:\n{text}");
    }
}
