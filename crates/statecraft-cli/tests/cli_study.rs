//! `statecraft` (no arguments) and `statecraft run` in Monte Carlo study mode: sections,
//! JSON contents, determinism across seeds and thread counts, counterfactual flags, input errors.

mod common;

use common::{root, statecraft, statecraft_env};
use std::process::Output;

fn ok(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A small study (the default-sized one is exercised by `no_arguments_prints_the_study`).
const SMALL: [&str; 8] = [
    "--runs",
    "120",
    "--pivotal-runs",
    "8",
    "--discount-runs",
    "20",
    "--seed",
    "4",
];

fn json(extra: &[&str]) -> (String, serde_json::Value) {
    let mut args = vec!["run", "--format", "json"];
    args.extend(SMALL);
    args.extend(extra);
    let text = ok(&statecraft(&args));
    let v = serde_json::from_str(&text).expect("JSON");
    (text, v)
}

#[test]
fn no_arguments_prints_the_study() {
    let t = ok(&statecraft(&[]));
    assert!(t.starts_with("greenland-2026 — "), "{t}");
    for section in [
        "OUTCOMES",
        "HYPOTHESES",
        "PIVOTAL ACTORS",
        "FORECAST QUESTIONS",
        "EVIDENCE DISCOUNT",
    ] {
        assert!(t.contains(section), "no {section} in\n{t}");
    }
    for h in ["H1 ", "H2 ", "H3 ", "H4 ", "H5 "] {
        assert!(t.contains(&format!("  {h}")), "no {h} in\n{t}");
    }
    // H1 is answered by the UK's rank among the European allies.
    assert!(t.contains("uk ranks "), "{t}");
    assert!(t.contains("scenario sha256 "), "{t}");
    // no --runs: adaptive precision, ±1.5 points on every outcome, in batches of 1,024
    assert!(t.contains("runs · seed 1"), "{t}");
    assert!(t.contains("adaptive precision: target ±1.5 points"), "{t}");
    assert!(t.contains("target met"), "{t}");
    assert!(t.contains("force-by-2026-06-30"), "{t}");
}

#[test]
fn json_has_hypotheses_questions_and_provenance() {
    let (_, v) = json(&[]);
    assert_eq!(v["format"], "statecraft.study/1");
    let pv = &v["provenance"];
    assert_eq!(pv["runs"], 120);
    assert_eq!(pv["seed"], 4);
    assert_eq!(pv["pivotal_runs"], 8);
    assert_eq!(pv["scenario_hash"].as_str().unwrap().len(), 64);
    // a crisis scenario runs the crisis layer's bargaining step, and the provenance says so
    assert_eq!(pv["model_options"]["model"], "crisis-averaging");
    assert_eq!(pv["model_options"]["rounds"], 0);
    assert!(pv["engine_version"].is_string());
    let ids: Vec<&str> = v["hypotheses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    for h in ["H1", "H2", "H3", "H4", "H5"] {
        assert!(ids.contains(&h), "{ids:?}");
    }
    let h1 = &v["hypotheses"][0];
    assert_eq!(h1["test"], "pivotal-rank");
    assert_eq!(h1["rank"]["actor"], "uk");
    assert_eq!(h1["rank"]["ranking"].as_array().unwrap().len(), 29);
    let qs = v["questions"].as_array().unwrap();
    assert_eq!(qs.len(), 7);
    for q in qs {
        assert_eq!(q["runs"], 120);
        let (p, lo, hi) = (
            q["probability"].as_f64().unwrap(),
            q["lo"].as_f64().unwrap(),
            q["hi"].as_f64().unwrap(),
        );
        assert!(lo <= p && p <= hi, "{q}");
    }
    assert_eq!(v["evidence_discount"].as_array().unwrap().len(), 3);
    assert_eq!(v["mc"]["outcomes"].as_array().unwrap().len(), 9);
    // Every field of the JSON is documented in docs/output.md.
    let doc = std::fs::read_to_string(root().join("docs/output.md")).unwrap();
    let mut keys = Vec::new();
    collect_keys(&v, "", &mut keys);
    for k in keys {
        assert!(
            doc.contains(&format!("`{k}`")),
            "docs/output.md does not document `{k}`"
        );
    }
}

/// Sequential looks (docs/uncertainty.md §6): with 1,024 runs the counterfactual tests look at
/// 256, 512 and 1,024 pairs, each reports its look, every new field is documented; one look
/// (`--hypothesis-looks 1`) reports the fixed test; a count outside 1..=12 exits 2.
#[test]
fn hypothesis_looks_are_reported_and_checked() {
    let base = [
        "run",
        "--format",
        "json",
        "--runs",
        "1024",
        "--pivotal-runs",
        "4",
        "--discount-runs",
        "0",
    ];
    let v: serde_json::Value = serde_json::from_str(&ok(&statecraft(&base))).unwrap();
    let hs = v["hypotheses"].as_array().unwrap();
    let seq: Vec<&serde_json::Value> = hs
        .iter()
        .filter(|h| h["test"] == "counterfactual")
        .collect();
    assert!(!seq.is_empty());
    for h in &seq {
        let q = &h["sequential"];
        assert_eq!(q["schedule"], serde_json::json!([256, 512, 1024]), "{h}");
        let look = q["look"].as_u64().unwrap() as usize;
        assert_eq!(h["runs"], q["schedule"][look - 1], "{h}");
        assert_eq!(q["early"], look < 3, "{h}");
    }
    // a large effect settles at the first look
    assert!(seq.iter().any(|h| h["sequential"]["look"] == 1), "{seq:?}");
    let doc = std::fs::read_to_string(root().join("docs/output.md")).unwrap();
    let mut keys = Vec::new();
    collect_keys(&v, "", &mut keys);
    for k in keys.iter().filter(|k| k.starts_with("hypotheses")) {
        assert!(
            doc.contains(&format!("`{k}`")),
            "docs/output.md does not document `{k}`"
        );
    }
    let mut one = base.to_vec();
    one.extend(["--hypothesis-looks", "1"]);
    let v1: serde_json::Value = serde_json::from_str(&ok(&statecraft(&one))).unwrap();
    for h in v1["hypotheses"].as_array().unwrap() {
        assert!(h.get("sequential").is_none(), "{h}");
        if h["test"] == "counterfactual" {
            assert_eq!(h["runs"], 1024);
        }
    }
    let mut bad = base.to_vec();
    bad.extend(["--hypothesis-looks", "0"]);
    let o = statecraft(&bad);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--hypothesis-looks 0 is outside 1..=12"),
        "{err}"
    );
}

/// Every field as a path like `hypotheses[].rank.ranking[].delta`; maps keyed by data (var,
/// series and event names) stop at the map.
fn collect_keys(v: &serde_json::Value, at: &str, out: &mut Vec<String>) {
    const DATA_MAPS: [&str; 4] = ["mc.vars", "mc.series", "mc.events", "mc.alignment"];
    match v {
        serde_json::Value::Object(m) => {
            if DATA_MAPS.contains(&at) {
                if let Some(first) = m.values().next() {
                    collect_keys(first, &format!("{at}.*"), out);
                }
                return;
            }
            for (k, v) in m {
                if at.ends_with("model_options") {
                    continue;
                }
                let p = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                if !out.contains(&p) {
                    out.push(p.clone());
                }
                collect_keys(v, &p, out);
            }
        }
        serde_json::Value::Array(a) => {
            let p = format!("{at}[]");
            a.iter().for_each(|v| collect_keys(v, &p, out))
        }
        _ => {}
    }
}

#[test]
fn same_seed_same_bytes_and_threads_do_not_matter() {
    let mut args = vec!["run", "--format", "json"];
    args.extend(SMALL);
    let one = ok(&statecraft_env(&args, &[("RAYON_NUM_THREADS", "1")]));
    let two = ok(&statecraft_env(&args, &[("RAYON_NUM_THREADS", "2")]));
    assert!(one == two, "JSON differs between 1 and 2 threads");
    let mut t1 = args.clone();
    t1.extend(["--threads", "1"]);
    assert!(ok(&statecraft(&t1)) == one, "--threads 1 differs");
    let mut other = args.clone();
    let last = other.len() - 1;
    other[last] = "5";
    assert!(
        ok(&statecraft(&other)) != one,
        "another seed gives the same JSON"
    );
}

#[test]
fn counterfactual_flags_change_the_result() {
    let outcomes = |v: &serde_json::Value| v["mc"]["outcomes"].to_string();
    let vars = |v: &serde_json::Value| v["mc"]["vars"].to_string();
    let (_, base) = json(&[]);
    let (_, no_jcs) = json(&["--disable", "gate.jcs"]);
    assert_ne!(outcomes(&base), outcomes(&no_jcs));
    assert_eq!(no_jcs["provenance"]["edits"][0], "disable gate.jcs");
    let (_, no_uk) = json(&["--without", "uk"]);
    assert_ne!(vars(&base), vars(&no_uk));
    assert!(no_uk["mc"]["vars"].get("alignment.uk").is_none());
    // H1 ranks the UK: with the UK removed there is nothing to rank.
    assert!(!no_uk["hypotheses"].to_string().contains("\"H1\""));
    let (_, set) = json(&["--set", "stance.us.mil_rights.position=0"]);
    assert_ne!(outcomes(&base), outcomes(&set));
}

#[test]
fn bad_set_path_exits_2_with_a_suggestion() {
    let o = statecraft(&[
        "run",
        "--runs",
        "5",
        "--set",
        "stance.us.mil_right.position=80",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("did you mean `stance.us.mil_rights.position`?"),
        "{e}"
    );
    let o = statecraft(&["run", "--runs", "5", "--without", "narnia"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn csv_has_outcome_and_question_rows() {
    let mut args = vec!["run", "--format", "csv"];
    args.extend(SMALL);
    let t = ok(&statecraft(&args));
    let lines: Vec<&str> = t.lines().collect();
    assert!(lines[0].starts_with("kind,id,p,lo,hi,hits,runs,by,seed"));
    assert_eq!(lines.len(), 1 + 9 + 7);
    assert!(lines[1].starts_with("outcome,force,"));
    assert!(lines[10].starts_with("question,force-by-2026-06-30,"));
}

/// `--sobol … --sobol-groups kind` prints the grouped indices in the terminal (heading with N,
/// runs and the number of groups, V and ΣS1 with intervals, one row per group) and in JSON
/// (`grouping`, `members`); a pattern that matches no input and groups without `--sobol` are
/// refused with exit 2.
#[test]
fn sobol_groups_print_and_bad_rules_exit_2() {
    let args = [
        "run",
        "--runs",
        "20",
        "--pivotal-runs",
        "1",
        "--discount-runs",
        "0",
        "--sobol",
        "compromise",
        "--sobol-n",
        "4",
        "--sobol-groups",
        "options=crisis.option.*.propensity;caps=actor.*.capability",
    ];
    let text = ok(&statecraft(&args));
    assert!(text.contains("SOBOL INDICES"), "{text}");
    assert!(
        text.contains("3 groups (options=crisis.option.*.propensity; caps=actor.*.capability)"),
        "{text}"
    );
    assert!(text.contains("ΣS1 ="), "{text}");
    for g in ["options", "caps", "(rest)"] {
        assert!(
            text.lines().any(|l| l.trim_start().starts_with(g)),
            "no row {g}: {text}"
        );
    }
    let mut j = args.to_vec();
    j.extend(["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&ok(&statecraft(&j))).expect("JSON");
    let s = &v["sobol"];
    assert_eq!(
        s["grouping"],
        "options=crisis.option.*.propensity; caps=actor.*.capability"
    );
    assert_eq!(s["indices"].as_array().map(Vec::len), Some(3));
    // N·(2·3 + 4) runs
    assert_eq!(s["evaluations"], 40);
    let members = s["indices"][1]["members"].as_array().expect("members");
    assert!(members
        .iter()
        .all(|m| m.as_str().is_some_and(|p| p.ends_with(".capability"))));

    let o = statecraft(&[
        "run",
        "--runs",
        "5",
        "--sobol",
        "compromise",
        "--sobol-groups",
        "x=crisis.optoin",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("matches no uncertain input") && e.contains("did you mean"),
        "{e}"
    );
    let o = statecraft(&["run", "--runs", "5", "--sobol-groups", "kind"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("needs --sobol"));
    let o = statecraft(&[
        "run",
        "--runs",
        "5",
        "--sobol",
        "compromise",
        "--sobol-groups",
        "nonsense",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// The JSON carries the per-round series bands (the table and the CSV, which show none, ask
/// the study for none: `PlanRequest::series`), with every series' rounds present.
#[test]
fn the_json_study_carries_series_bands() {
    let (_, v) = json(&[]);
    let series = v["mc"]["series"].as_object().expect("mc.series");
    assert!(
        series.len() >= 10,
        "Greenland records its positions and alignments per round: {} series",
        series.len()
    );
    assert!(v["mc"].get("collected").is_none(), "nothing left out");
}
