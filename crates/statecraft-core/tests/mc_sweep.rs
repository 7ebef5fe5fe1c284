//! Sweep core: planning, sharding and reducing give the same merged table for any shard layout.

use statecraft_core::mc::{toy, McConfig};
use statecraft_core::scenario::Scenario;
use statecraft_core::sweep::{self, GridAxis, SweepError};

/// Two actors, one uncertain position; shared with `statecraft-cli/tests/sweep_kill.rs`.
const SCN: &str = include_str!("fixtures/sweep_toy.toml");

fn manifest() -> sweep::Manifest {
    let s: Scenario = toml::from_str(SCN).unwrap();
    let grid = vec![
        GridAxis::parse("stance.b.x.position=20,50,80").unwrap(),
        GridAxis::parse("actor.a.capability=10,90").unwrap(),
    ];
    let cfg = McConfig {
        runs: 200,
        seed: 4,
        ..Default::default()
    };
    sweep::plan(&s, grid, &cfg, vec![]).unwrap()
}

#[test]
fn merged_result_is_independent_of_shard_layout() {
    let m = manifest();
    m.check().unwrap();
    assert_eq!(m.points, 6);
    // Last axis fastest.
    assert_eq!(m.point_values(0), vec![20.0, 10.0]);
    assert_eq!(m.point_values(1), vec![20.0, 90.0]);
    assert_eq!(m.point_values(5), vec![80.0, 90.0]);
    let one = vec![(
        "all".to_string(),
        sweep::run_shard(&m, 0, 1, toy::compromise10, None).unwrap(),
    )];
    let merged1 = sweep::reduce(&one, Some(&m)).unwrap();
    let three: Vec<(String, String)> = (0..3)
        .rev()
        .map(|i| {
            (
                sweep::shard_file_name(i, 3),
                sweep::run_shard(&m, i, 3, toy::compromise10, None).unwrap(),
            )
        })
        .collect();
    let merged3 = sweep::reduce(&three, None).unwrap();
    assert_eq!(merged1, merged3);
    let rows = sweep::parse_csv(&merged1).unwrap();
    assert_eq!(rows.len(), 7);
    assert_eq!(rows[0][0], "point");
    let p_col = rows[0].iter().position(|h| h == "p:high").unwrap();
    // b at 80 with a weak a: the mean is high more often than with b at 20.
    let p = |r: usize| rows[r][p_col].parse::<f64>().unwrap();
    assert!(p(5) > p(1), "{merged1}");
    // Missing shard → error naming the count.
    let err = sweep::reduce(&three[..2], None).unwrap_err();
    assert!(
        matches!(err, SweepError::Reduce(ref m) if m.contains("missing")),
        "{err}"
    );
    // Duplicate point → error.
    let mut dup = three.clone();
    dup.push(one[0].clone());
    let err = sweep::reduce(&dup, None).unwrap_err();
    assert!(err.to_string().contains("appears twice"), "{err}");
    // Tampered manifest is rejected.
    let mut bad = m.clone();
    bad.scenario.actors[0].capability.value = 1.0;
    assert!(bad.check().is_err());
    let mut empty = m.clone();
    empty.grid[0].values.clear();
    empty.points = 0;
    assert!(empty.check().is_err());
}

#[test]
fn plan_rejects_bad_axes() {
    let s: Scenario = toml::from_str(SCN).unwrap();
    let cfg = McConfig::default();
    let off = vec![GridAxis::parse("stance.b.x.position=20,150").unwrap()];
    assert!(sweep::plan(&s, off, &cfg, vec![]).is_err());
    let unknown = vec![GridAxis::parse("stance.zz.x.position=20").unwrap()];
    assert!(sweep::plan(&s, unknown, &cfg, vec![]).is_err());
    assert!(sweep::plan(&s, vec![], &cfg, vec![]).is_err());
}

/// Every manifest field is checked, not only the scenario (issue 17): runs, evidence
/// discount, grid values, and a point product that would wrap.
#[test]
fn manifest_fields_are_checked() {
    let m = manifest();
    let bad = |f: &dyn Fn(&mut sweep::Manifest), want: &str| {
        let mut b = m.clone();
        f(&mut b);
        let e = b.check().unwrap_err().to_string();
        assert!(e.contains(want), "want {want:?} in {e}");
    };
    bad(&|b| b.runs = 0, "runs = 0");
    bad(&|b| b.runs = 1_000_000_000_000, "runs = 1000000000000");
    bad(&|b| b.evidence_discount = 5.0, "evidence_discount = 5");
    bad(&|b| b.evidence_discount = f64::NAN, "evidence_discount");
    bad(
        &|b| b.grid[0].values[0] = f64::INFINITY,
        "not a finite number",
    );
    bad(
        &|b| {
            // 4 × 65,536 values: the product 2^64 wraps to 0 in a plain usize product.
            b.grid = (0..4)
                .map(|k| GridAxis {
                    path: format!("p{k}"),
                    values: vec![1.0; 65_536],
                })
                .collect();
            b.points = 0;
        },
        "point count",
    );
}

/// `reduce` refuses result cells that are not finite numbers.
#[test]
fn reduce_refuses_nan_and_text_cells() {
    let m = manifest();
    let csv = sweep::run_shard(&m, 0, 1, toy::compromise10, None).unwrap();
    let col = sweep::parse_csv(&csv).unwrap()[0]
        .iter()
        .position(|h| h == "p:high")
        .unwrap();
    for cell in ["NaN", "x", "inf"] {
        let mut rows = sweep::parse_csv(&csv).unwrap();
        rows[2][col] = cell.into();
        let text: String = rows.iter().map(|r| sweep::csv_line(r)).collect();
        let e = sweep::reduce(&[("s.csv".into(), text)], Some(&m))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(&format!("`{cell}` is not a finite number")) && e.contains("p:high"),
            "{e}"
        );
    }
}

/// A sweep point's row holds its outcomes and its vars' summaries only, so its runs record no
/// series and count no events; what the row reads is the same, bit for bit, as a job that
/// collects everything (Greenland, whose runs have series and events to leave out).
#[test]
fn a_sweep_point_collects_what_its_row_reads() {
    use statecraft_core::engine::{simulate_once, RunOptions};
    use statecraft_core::mc::{self, Collect};
    let text = statecraft_core::builtin::get("greenland-2026").expect("built-in");
    let s = statecraft_core::scenario::load::from_toml_str(text).expect("loads");
    let cfg = McConfig {
        runs: 80,
        seed: 3,
        ..Default::default()
    };
    let grid = vec![GridAxis::parse("stance.uk.mil_rights.position=30,70").unwrap()];
    let m = sweep::plan(&s, grid, &cfg, vec![]).unwrap();
    let opts = RunOptions::resolve(&s, &Default::default()).unwrap();
    let f = |x: &Scenario, r: &mut _| simulate_once(x, &opts, r);
    let point = m.point_config(1);
    assert!(!point.collect.series && !point.collect.events && point.collect.vars);
    let all = McConfig {
        collect: Collect::ALL,
        ..point.clone()
    };
    let (a, b) = (
        mc::run(&m.scenario, &point, f, None).unwrap(),
        mc::run(&m.scenario, &all, f, None).unwrap(),
    );
    assert!(a.series.is_empty() && a.events.is_empty());
    assert!(!b.series.is_empty() && !b.events.is_empty());
    assert_eq!(a.outcomes, b.outcomes);
    assert!(!m.vars.is_empty());
    for v in &m.vars {
        assert_eq!(a.vars.get(v), b.vars.get(v), "{v}");
        assert!(a.vars.contains_key(v), "{v}");
    }
}
