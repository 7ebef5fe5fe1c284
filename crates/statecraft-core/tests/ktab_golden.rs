//! Golden tests: every KTAB sample input and every parameter variant in `fixtures/ktab/inputs/`
//! against KTAB's own per-turn positions, to 0.01 on KTAB's 0–100 scale, with the same number of
//! turns. Expected numbers: `fixtures/ktab/expected/<case>_positions.csv`, produced by KTAB's
//! `smpc` (provenance in `fixtures/ktab/README.md`). Sample inputs are read from
//! `shared/reference/ktab/inputs/`, the variants from `fixtures/ktab/inputs/`.
//!
//! Each case runs the way `statecraft run FILE --model smp --model-opt ktab_compat=true` runs it:
//! file → scenario (its `[model]` spec carries the file's `ModelParameters`) → resolved run
//! options → `engine::run_options`.

use statecraft_core::engine::{self, ModelOverride, RunOptions};
use statecraft_core::scenario::load;

fn fixture(rel: &str) -> String {
    format!("{}/tests/fixtures/ktab/{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn shared(rel: &str) -> String {
    format!(
        "{}/../../../shared/reference/ktab/{rel}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn read(p: &str) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// `(turn, actor, dim, position)` rows of an expected file (columns `turn, actor_idx, dim_idx,
/// position, ideal`).
fn expected(case: &str) -> Vec<(usize, usize, usize, f64)> {
    let text = read(&fixture(&format!("expected/{case}_positions.csv")));
    let mut rows = Vec::new();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let v: Vec<f64> = line.split(',').map(|x| x.parse().unwrap()).collect();
        rows.push((v[0] as usize, v[1] as usize, v[2] as usize, v[3]));
    }
    rows
}

/// Run `path` as the CLI does and return the worst |Δ| against KTAB, failing on a turn-count
/// mismatch or any position off by 0.01 or more.
fn golden(case: &str, path: &str) -> f64 {
    compare(case, path, 0.01, None)
}

/// The run of `path` against KTAB: every position within `tol`; with `upto = Some(t)` only
/// turns 0..=t are compared and the turn counts are not (a documented divergence, see
/// `fixtures/ktab/README.md`).
fn compare(case: &str, path: &str, tol: f64, upto: Option<usize>) -> f64 {
    let text = read(path);
    let scn = load::from_str_auto(path, &text).unwrap_or_else(|e| panic!("{case}: {e:?}"));
    let over = ModelOverride {
        id: Some("smp".into()),
        options: vec![("ktab_compat".into(), "true".into())],
        ..ModelOverride::default()
    };
    let opts = RunOptions::resolve(&scn, &over).unwrap_or_else(|e| panic!("{case}: {e}"));
    let r = engine::run_options(&scn, &opts, 0).unwrap_or_else(|e| panic!("{case}: {e}"));
    let exp = expected(case);
    let turns = exp.iter().map(|e| e.0).max().unwrap() + 1;
    if upto.is_none() {
        for is in &r.issues {
            assert_eq!(is.rounds.len(), turns, "{case}: number of states");
        }
    }
    let mut worst: f64 = 0.0;
    for &(t, i, k, x) in exp.iter().filter(|e| !matches!(upto, Some(u) if e.0 > u)) {
        let got = r.issues[k]
            .rounds
            .get(t)
            .unwrap_or_else(|| panic!("{case}: statecraft stopped before turn {t}"))
            .positions[i];
        worst = worst.max((got - x).abs());
        assert!(
            (got - x).abs() < tol,
            "{case}: turn {t} actor {i} dim {k}: statecraft {got}, KTAB {x}"
        );
    }
    eprintln!("{case}: {turns} states, worst |Δ| = {worst:.2e}");
    worst
}

macro_rules! sample {
    ($test:ident, $case:literal, $file:literal) => {
        #[test]
        fn $test() {
            golden($case, &shared(concat!("inputs/", $file)));
        }
    };
}

macro_rules! variant {
    ($test:ident, $case:literal) => {
        #[test]
        fn $test() {
            golden($case, &fixture(concat!("inputs/", $case, ".xml")));
        }
    };
}

sample!(
    sample_dummy_data_3dim_csv,
    "dummyData_3Dim",
    "dummyData_3Dim.csv"
);
sample!(sample_soe_pol_comp, "SOE-Pol-Comp", "SOE-Pol-Comp.csv");
sample!(sample_soe_policy, "SOE-Policy", "SOE-Policy.csv");
sample!(
    sample_soe_competitive,
    "SOE-Competitive",
    "SOE-Competitive.csv"
);
sample!(
    sample_dummy_data_6dim,
    "dummyData_6Dim",
    "dummyData_6Dim.csv"
);
sample!(
    sample_dummy_data_a040,
    "dummyData-a040",
    "dummyData-a040.csv"
);
sample!(
    sample_soe_pol_comp_var_a,
    "SOE-Pol-Comp_varA",
    "SOE-Pol-Comp_varA.xml"
);
sample!(
    sample_soe_pol_comp_var_b2,
    "SOE-Pol-Comp_varB2",
    "SOE-Pol-Comp_varB2.xml"
);
sample!(
    sample_smp_example_fixed_det,
    "smpExample_fixed_det",
    "smpExample_fixed_det.xml"
);
variant!(variant_v1, "dummyData_3Dim_v1");
variant!(variant_v2, "dummyData_3Dim_v2");
variant!(variant_v3, "dummyData_3Dim_v3");
variant!(variant_v4, "dummyData_3Dim_v4");
variant!(variant_v5, "dummyData_3Dim_v5");
variant!(variant_v7, "SOE-Pol-Comp_v7");
variant!(variant_v8, "SOE-Pol-Comp_v8");
variant!(variant_v9_accommodation, "dummyData_3Dim_v9_ia");
sample!(
    sample_dummy_data_a080,
    "dummyData-a080",
    "dummyData-a080.csv"
);
sample!(
    sample_dummy_data_3dim_xml,
    "dummyData_3Dim",
    "dummyData_3Dim.xml"
);

/// Binary VPM, MarkovUniform PCE, Cubic votes, Half, Min, NoCommit, S2PMax on SOE-Pol-Comp: the
/// first 20 turns agree to 0.01; at turn 20 one bargain differs (actor 9: statecraft 37.13 /
/// 27.62, KTAB 38.57 / 26.89), and the runs end after 30 (statecraft) and 22 (KTAB) turns.
/// KTAB itself gives 17, 22, 28 or 32 turns on this file run to run on two cores (22 on one
/// core, every time). Documented in `fixtures/ktab/README.md`; this test pins the agreement
/// that holds and the divergence, so a change in either is noticed.
#[test]
fn variant_v6_agrees_until_turn_19() {
    let case = "SOE-Pol-Comp_v6";
    let path = fixture("inputs/SOE-Pol-Comp_v6.xml");
    compare(case, &path, 0.01, Some(19));
    let diverged = std::panic::catch_unwind(|| compare(case, &path, 0.01, Some(20)));
    assert!(
        diverged.is_err(),
        "{case}: turn 20 now agrees; update README and test"
    );
}

/// ASymProsp voting: the turn count (6 states) agrees and every position is within 0.05, but
/// not within 0.01 (turns 4–5, actor 4, dim 2: statecraft 75.89, KTAB 75.91). KTAB is not
/// reproducible here either: its unpinned run differs from its single-core run by 0.01
/// (turn 5, actor 1, dim 1: 37.90 vs 37.89); see `fixtures/ktab/README.md`.
#[test]
fn variant_asymmetric_prospect_within_0_05() {
    let case = "dummyData_3Dim_x_asym";
    let worst = compare(
        case,
        &fixture("inputs/dummyData_3Dim_x_asym.xml"),
        0.05,
        None,
    );
    assert!(
        worst > 0.01,
        "{case}: now within 0.01; update README and test"
    );
}
