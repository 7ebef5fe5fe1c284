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

/// `(turn, actor, dim, position)` rows of an expected file.
fn expected(case: &str) -> Vec<(usize, usize, usize, f64)> {
    read(&fixture(&format!("expected/{case}_positions.csv")))
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[0].parse().unwrap(),
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
                f[3].parse().unwrap(),
            )
        })
        .collect()
}

/// Run `path` as the CLI does and return the worst |Δ| against KTAB, failing on a turn-count
/// mismatch or any position off by 0.01 or more.
fn golden(case: &str, path: &str) -> f64 {
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
    let mut worst: f64 = 0.0;
    if std::env::var("KTAB_DEBUG").is_ok() {
        for &(t, i, k, x) in &exp {
            if let Some(rr) = r.issues[k].rounds.get(t) {
                if (rr.positions[i] - x).abs() >= 0.01 {
                    eprintln!(
                        "DEBUG {case}: turn {t} actor {i} dim {k}: {} vs {x}",
                        rr.positions[i]
                    );
                }
            }
        }
    }
    for is in &r.issues {
        assert_eq!(is.rounds.len(), turns, "{case}: number of states");
    }
    for &(t, i, k, x) in &exp {
        let got = r.issues[k].rounds[t].positions[i];
        worst = worst.max((got - x).abs());
        assert!(
            (got - x).abs() < 0.01,
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
variant!(variant_v6, "SOE-Pol-Comp_v6");
variant!(variant_v7, "SOE-Pol-Comp_v7");
variant!(variant_v8, "SOE-Pol-Comp_v8");
variant!(variant_v9_accommodation, "dummyData_3Dim_v9_ia");
variant!(variant_asymmetric_prospect, "dummyData_3Dim_x_asym");
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
