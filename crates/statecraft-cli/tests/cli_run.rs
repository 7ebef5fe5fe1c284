//! `statecraft run` and `statecraft` with no arguments: formats, defaults, input errors.

mod common;

use common::{root, statecraft};
use std::process::Output;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn a_bargaining_scenario_without_runs_is_a_single_run_table() {
    let out = statecraft(&["run", "minimal"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let t = stdout(&out);
    assert!(t.starts_with("minimal — "), "{t}");
    assert!(t.contains("weighted median"), "{t}");
    assert!(t.contains("nearest anchor"), "{t}");
    // --runs turns it into a Monte Carlo study.
    let mc = stdout(&statecraft(&["run", "minimal", "--runs", "20"]));
    assert!(mc.contains("20 runs · seed 1"), "{mc}");
    assert!(mc.contains("issue.budget "), "{mc}");
    assert!(!mc.contains("nearest anchor"), "{mc}");
}

#[test]
fn json_output_has_rounds_positions_median_mean() {
    let out = statecraft(&["run", "minimal", "--format", "json", "--rounds", "3"]);
    assert_eq!(out.status.code(), Some(0));
    let j: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(j["format"], "statecraft.run/1");
    assert_eq!(j["scenario"]["id"], "minimal");
    assert_eq!(j["max_rounds"], 3);
    let is = &j["issues"][0];
    let rounds = is["rounds"].as_array().unwrap();
    assert!(!rounds.is_empty() && rounds.len() <= 4);
    assert_eq!(rounds[0]["positions"].as_array().unwrap().len(), 3);
    // Round 0 holds the inputs: a 20 (c·s = 40·0.8 = 32), b 60 (17.5), c 90 (22.5).
    assert_eq!(rounds[0]["positions"][0], 20.0);
    // Weighted median of the inputs: cumulative weight 32 of 72 at 20, 49.5 ≥ 36 at 60.
    assert_eq!(rounds[0]["median"], 60.0);
    // Weighted mean: (32·20 + 17.5·60 + 22.5·90) / 72 = 3715 / 72.
    let mean = rounds[0]["mean"].as_f64().unwrap();
    assert!((mean - 3715.0 / 72.0).abs() < 1e-9, "{mean}");
}

#[test]
fn csv_output_has_one_row_per_round_actor_issue() {
    let out = statecraft(&[
        "run",
        "../shared/reference/examples/eu_emissions_bdm1994.csv",
        "--format",
        "csv",
        "--rounds",
        "10",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "issue,round,actor,position,median,mean");
    let rounds = (lines.len() - 1) / 10;
    assert_eq!((lines.len() - 1) % 10, 0);
    assert!((1..=11).contains(&rounds));
    // Round 0 of the EU case: initial weighted median 7 (Scholz 2011 / examples/README.md).
    let first: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(
        first[..4],
        ["eu_emissions_bdm1994", "0", "netherlands", "4"]
    );
    assert_eq!(first[4], "7");
    // Initial c·s-weighted mean 7.390 (examples/README.md).
    let mean: f64 = first[5].parse().unwrap();
    assert!((mean - 7.39).abs() < 0.005, "{mean}");
}

#[test]
fn bad_scenario_and_bad_model_exit_2() {
    let out = statecraft(&["run", "tests/fixtures/bad/salience_range.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("tests/fixtures/bad/salience_range.toml:47:12"),
        "{stderr}"
    );
    let out = statecraft(&["run", "minimal", "--model", "eumm"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown model `eumm`"), "{stderr}");
    let out = statecraft(&["run", "minimal", "--format", "xml"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `statecraft run eu_emissions_bdm1994.csv --model eum --rounds 10` reproduces the jmckib
/// trajectory of Scholz et al.'s EUM (examples/eu_emissions_bdm1994_trajectories.csv, columns
/// jmckib_median and jmckib_mean) to 1e-3 for rounds 0–10. Needs the real engine.
#[test]
fn eum_golden_trajectory() {
    let out = statecraft(&[
        "run",
        "../shared/reference/examples/eu_emissions_bdm1994.csv",
        "--model",
        "eum",
        "--rounds",
        "10",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let rounds = j["issues"][0]["rounds"].as_array().unwrap();
    let golden = std::fs::read_to_string(
        root().join("../shared/reference/examples/eu_emissions_bdm1994_trajectories.csv"),
    )
    .unwrap();
    let mut lines = golden.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (cm, ca) = (col("jmckib_median"), col("jmckib_mean"));
    let mut n = 0;
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let r: usize = f[0].parse().unwrap();
        let (m, a): (f64, f64) = (f[cm].parse().unwrap(), f[ca].parse().unwrap());
        let got_m = rounds[r]["median"].as_f64().unwrap();
        let got_a = rounds[r]["mean"].as_f64().unwrap();
        // The golden file carries 4–5 significant digits.
        assert!(
            (got_m - m).abs() < 1e-3 + 5e-5,
            "round {r}: median {got_m} vs {m}"
        );
        assert!(
            (got_a - a).abs() < 1e-3 + 5e-5,
            "round {r}: mean {got_a} vs {a}"
        );
        n += 1;
    }
    assert_eq!(n, 11);
}
