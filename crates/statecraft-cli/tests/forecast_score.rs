//! `statecraft forecast` and `statecraft score` end to end.

use std::process::Command;

fn statecraft(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_statecraft"))
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn forecast_json_then_score() {
    let out = statecraft(&[
        "forecast", "--format", "json", "--runs", "300", "--seed", "5",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["runs"], 300);
    assert_eq!(v["seed"], 5);
    assert_eq!(v["scenario"], "greenland-2026");
    assert_eq!(v["scenario_hash"].as_str().unwrap().len(), 64);
    let qs = v["questions"].as_array().unwrap();
    assert_eq!(qs.len(), 7);
    for q in qs {
        let (p, lo, hi) = (
            q["probability"].as_f64().unwrap(),
            q["lo"].as_f64().unwrap(),
            q["hi"].as_f64().unwrap(),
        );
        assert!(lo <= p && p <= hi, "{q}");
    }
    // same seed, same numbers
    let again = statecraft(&[
        "forecast", "--format", "json", "--runs", "300", "--seed", "5",
    ]);
    assert_eq!(out.stdout, again.stdout);

    let dir = std::env::temp_dir().join(format!("statecraft-score-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("f.json");
    std::fs::write(&f, &out.stdout).unwrap();
    // hypothetical resolutions for the test (not real-world outcomes)
    let r = dir.join("r.csv");
    std::fs::write(
        &r,
        "id,outcome\nforce-by-2026-06-30,0\ncoercion-by-2026-03-31,1\n",
    )
    .unwrap();
    let s = statecraft(&["score", f.to_str().unwrap(), r.to_str().unwrap(), "--json"]);
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    let sv: serde_json::Value = serde_json::from_slice(&s.stdout).unwrap();
    let p = |id: &str| {
        qs.iter().find(|q| q["id"] == id).unwrap()["probability"]
            .as_f64()
            .unwrap()
    };
    // Brier = mean of (p_force − 0)² and (p_coercion − 1)²
    let expect =
        (p("force-by-2026-06-30").powi(2) + (1.0 - p("coercion-by-2026-03-31")).powi(2)) / 2.0;
    assert!((sv["mean_brier"].as_f64().unwrap() - expect).abs() < 1e-12);
    assert_eq!(sv["unresolved"].as_array().unwrap().len(), 5);

    // bad input exits 2
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "id,outcome\nforce-by-2026-06-30,maybe\n").unwrap();
    let e = statecraft(&["score", f.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(e.status.code(), Some(2));
    let e = statecraft(&["forecast", dir.join("missing.toml").to_str().unwrap()]);
    assert_eq!(e.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}
