//! `statecraft check`: every bad fixture in `tests/fixtures/bad/` gets exit code 2 and a report
//! naming `file:line:col`, the error and its help. Each fixture states what it expects in its
//! header comments (`# expect-error:`, `# expect-at: LINE:COL`, `# expect-help:`); the location
//! was computed from the fixture text when it was written, independently of the loader.

mod common;

use common::{root, statecraft};
use std::path::PathBuf;

fn expectation<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let prefix = format!("# expect-{key}: ");
    text.lines().find_map(|l| l.strip_prefix(prefix.as_str()))
}

#[test]
fn every_bad_fixture_is_located_and_explained() {
    let dir = root().join("tests/fixtures/bad");
    let mut n = 0;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for path in files {
        let rel = format!(
            "tests/fixtures/bad/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        // Lossy: one fixture is deliberately not UTF-8 (its header comments are).
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        let out = statecraft(&["check", &rel]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{rel}: {stderr}");
        assert!(out.stdout.is_empty(), "{rel}: nothing on stdout");
        assert!(!stderr.contains("panicked"), "{rel}: {stderr}");
        if path.extension().is_some_and(|e| e == "toml") {
            let msg = expectation(&text, "error").unwrap();
            let at = expectation(&text, "at").unwrap();
            let help = expectation(&text, "help").unwrap();
            assert!(stderr.contains(msg), "{rel}: want {msg:?} in\n{stderr}");
            assert!(
                stderr.contains(&format!("{rel}:{at}")),
                "{rel}: want {rel}:{at} in\n{stderr}"
            );
            assert!(
                stderr.contains(help),
                "{rel}: want help {help:?} in\n{stderr}"
            );
            // A caret line under the source.
            assert!(stderr.contains("here"), "{rel}: {stderr}");
        }
        n += 1;
    }
    assert!(n >= 20, "only {n} fixtures");
}

#[test]
fn csv_errors_are_located_too() {
    let out = statecraft(&["check", "tests/fixtures/bad/csv_salience.csv"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("tests/fixtures/bad/csv_salience.csv:3:8"),
        "{stderr}"
    );
    assert!(stderr.contains("salience 1.4 is outside"), "{stderr}");
    let out = statecraft(&["check", "tests/fixtures/bad/csv_not_a_number.csv"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("csv_not_a_number.csv:3:3"), "{stderr}");
    assert!(stderr.contains("found `five`"), "{stderr}");
}

#[test]
fn all_errors_of_a_file_are_reported() {
    let text = std::fs::read_to_string(root().join("scenarios/examples/minimal.toml"))
        .unwrap()
        .replace("capability = 35", "capabilty = 35")
        .replace("salience = 0.8", "salience = 1.5")
        .replace("actor = \"b\"", "actor = \"bb\"");
    let tmp = std::env::temp_dir().join(format!("statecraft-multi-{}.toml", std::process::id()));
    std::fs::write(&tmp, text).unwrap();
    let out = statecraft(&["check", tmp.to_str().unwrap()]);
    std::fs::remove_file(&tmp).ok();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("3 errors in scenario"), "{stderr}");
    for want in [
        ":21:1]",
        "did you mean `capability`?",
        ":44:12]",
        "salience 1.5",
        ":47:9]",
        "unknown actor `bb`",
    ] {
        assert!(stderr.contains(want), "want {want:?} in\n{stderr}");
    }
}

#[test]
fn good_files_print_a_summary() {
    let out = statecraft(&["check", "scenarios/examples/minimal.toml"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "ok: 3 actors, 1 issues, 3 stances\n\
         experiment: model eum, 2 uncertain inputs; outputs: 0 outcome classes, 0 questions, \
         5 variables (0 binary, 0 count, 0 day, 5 continuous, 0 categorical), 5 series\n"
    );
    let out = statecraft(&[
        "check",
        "../shared/reference/examples/eu_emissions_bdm1994.csv",
    ]);
    assert!(String::from_utf8_lossy(&out.stdout)
        .starts_with("ok: 10 actors, 1 issues, 10 stances\nexperiment: model eum, "));
    let out = statecraft(&["check", "greenland-2026"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn missing_file_or_builtin_is_input_error() {
    let out = statecraft(&["check", "greenlnd-2026"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("did you mean the built-in `greenland-2026`?"),
        "{stderr}"
    );
}
