//! Error paths of the CLI beyond scenario files (those are `cli_check.rs`'s fixtures): each bad
//! flag or input file exits 2 with a message naming the fault, never panics, and stops before
//! any long work. The table in `docs/reliability.md` lists each test here.

mod common;

use common::statecraft;
use std::path::PathBuf;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("statecraft-errors-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// Runs `args`, asserts exit code 2, no panic, and that stderr contains every `want`.
fn input_error(args: &[&str], want: &[&str]) {
    let out = statecraft(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    for w in want {
        assert!(err.contains(w), "{args:?}: want {w:?} in\n{err}");
    }
}

#[test]
fn unknown_disable_target() {
    input_error(
        &["run", "--runs", "10", "--disable", "gate.jcss"],
        &[
            "nothing to disable at `gate.jcss`",
            "did you mean `gate.jcs`?",
        ],
    );
}

#[test]
fn unknown_analysis_targets() {
    for flag in ["--sobol", "--tornado"] {
        input_error(
            &["run", "--runs", "10", flag, "cohesoin"],
            &[
                flag,
                "unknown analysis target `cohesoin`",
                "did you mean `cohesion`?",
            ],
        );
    }
}

#[test]
fn unknown_set_and_without_targets() {
    input_error(
        &["run", "--runs", "10", "--set", "actor.usa.capabilty=3"],
        &["no number at `actor.usa.capabilty`", "did you mean"],
    );
    input_error(
        &["run", "--runs", "10", "--without", "uss"],
        &["no actor `uss`"],
    );
}

#[test]
fn run_and_thread_limits() {
    input_error(
        &["run", "--runs", "10000000000"],
        &["over the limit of 100000000 runs per job", "--max-runs"],
    );
    input_error(
        &["run", "--runs", "10", "--threads", "100000"],
        &["--threads 100000 is over the limit"],
    );
}

#[test]
fn score_refuses_bad_probabilities_and_duplicate_ids() {
    let q = |id: &str, p: f64| {
        format!(r#"{{"id":"{id}","title":"t","probability":{p},"lo":0,"hi":1,"yes":1,"runs":2}}"#)
    };
    let forecast = |qs: &[String]| {
        format!(
            r#"{{"scenario":"s","scenario_hash":"h","seed":1,"runs":2,"engine_version":"0","questions":[{}]}}"#,
            qs.join(",")
        )
    };
    let r = tmp("r.csv");
    std::fs::write(&r, "id,outcome\na,1\n").unwrap();
    let f = tmp("p.json");
    std::fs::write(&f, forecast(&[q("a", 1.5)])).unwrap();
    input_error(
        &["score", f.to_str().unwrap(), r.to_str().unwrap()],
        &["probability 1.5 is outside [0, 1]"],
    );
    std::fs::write(&f, forecast(&[q("a", 0.2), q("a", 0.9)])).unwrap();
    input_error(
        &["score", f.to_str().unwrap(), r.to_str().unwrap()],
        &["question id `a` appears twice"],
    );
    std::fs::write(&f, forecast(&[q("a", 0.2)])).unwrap();
    std::fs::write(&r, "id,outcome\na,1\na,0\n").unwrap();
    input_error(
        &["score", f.to_str().unwrap(), r.to_str().unwrap()],
        &["line 3: question `a` is resolved twice"],
    );
}

#[test]
fn deep_xml_is_refused_with_a_location() {
    let p = tmp("deep.xml");
    std::fs::write(&p, format!("<Scenario>{}", "<a>".repeat(30_000))).unwrap();
    let name = p.to_str().unwrap();
    input_error(
        &["check", name],
        &["XML nested deeper than 256 elements", ":1:"],
    );
}

#[test]
fn report_checks_its_output_directory_first() {
    let f = tmp("not-a-dir");
    std::fs::write(&f, "x").unwrap();
    let t = std::time::Instant::now();
    input_error(
        &["report", "--out", f.to_str().unwrap()],
        &["exists and is not a directory"],
    );
    // Refused before the study (which takes seconds).
    assert!(t.elapsed().as_secs_f64() < 2.0, "{:?}", t.elapsed());
}

#[test]
fn convert_checks_its_output_directory_first() {
    let out = tmp("missing-dir/x.toml");
    input_error(
        &[
            "convert",
            "crates/statecraft-core/tests/fixtures/sweep_toy.toml",
            "-o",
            out.to_str().unwrap(),
        ],
        &["does not exist"],
    );
}

/// 20,000 semantic errors: reported (the first 100 shown), in bounded time and memory (one
/// copy of the source, not one per error).
#[test]
fn many_errors_are_capped() {
    let mut text = String::from("[scenario]\nid = \"many\"\ntitle = \"t\"\n");
    text.push_str("[[issues]]\nid = \"x\"\nname = \"x\"\nmin = 0\nmax = 100\n");
    for i in 0..20_000 {
        text.push_str(&format!(
            "[[stances]]\nactor = \"nobody{i}\"\nissue = \"x\"\nposition = 50\nsalience = 0.5\n"
        ));
    }
    let p = tmp("many.toml");
    std::fs::write(&p, text).unwrap();
    let t = std::time::Instant::now();
    input_error(
        &["check", p.to_str().unwrap()],
        &["20000 errors in scenario (the first 100 shown)"],
    );
    assert!(t.elapsed().as_secs_f64() < 30.0, "{:?}", t.elapsed());
}

#[test]
fn ktab_csv_with_more_rows_than_declared() {
    let mut text = String::from("Toy,desc,3,1\nActor,Description,Power,Pos,Sal\n");
    for i in 0..13 {
        text.push_str(&format!("A{i},d,{},{},0.5\n", 10 + i, 5 * i));
    }
    let p = tmp("extra-rows.csv");
    std::fs::write(&p, text).unwrap();
    let name = p.to_str().unwrap().to_string();
    input_error(
        &["check", &name],
        &[
            "declares 3 actors but 13 actor rows follow",
            &format!("{name}:6:1"),
        ],
    );
}
