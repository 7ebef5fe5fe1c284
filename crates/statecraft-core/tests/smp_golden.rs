//! Golden tests: statecraft's SMP against KTAB's own per-turn positions.
//!
//! Expected numbers: `shared/reference/ktab/expected/<name>_positions.csv`, produced by KTAB's
//! command-line `smpc` (lsyaseen/KTAB, branch `testing`) with default parameters in
//! deterministic mode (see `shared/reference/README.md`). Columns: turn, actor_idx, actor,
//! dim_idx, dim, position, ideal (0–100 scale).

use statecraft_core::formats::ktab;
use statecraft_core::models::smp::{self, SmpInput, SmpParams, SmpRun};

fn shared(rel: &str) -> String {
    let p = format!(
        "{}/../../../shared/reference/ktab/{rel}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// (turn, actor, dim) -> (position, ideal)
fn expected(name: &str) -> Vec<(usize, usize, usize, f64, f64)> {
    shared(&format!("expected/{name}_positions.csv"))
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[0].parse().unwrap(),
                f[1].parse().unwrap(),
                f[3].parse().unwrap(),
                f[5].parse().unwrap(),
                f[6].parse().unwrap(),
            )
        })
        .collect()
}

fn input(file: &str, params: &SmpParams) -> SmpInput {
    let k = ktab::parse(&shared(&format!("inputs/{file}"))).unwrap();
    SmpInput::from_problem(&k.problem(), params).unwrap().0
}

fn compare(name: &str, run: &SmpRun, m: usize) {
    let exp = expected(name);
    let turns = exp.iter().map(|e| e.0).max().unwrap() + 1;
    assert_eq!(run.n_states(), turns, "{name}: number of states");
    let mut worst: f64 = 0.0;
    for &(t, i, k, x, xi) in &exp {
        let got = 100.0 * run.positions[t][i * m + k];
        let gi = 100.0 * run.ideals[t][i * m + k];
        worst = worst.max((got - x).abs()).max((gi - xi).abs());
        assert!(
            (got - x).abs() < 0.01 && (gi - xi).abs() < 0.01,
            "{name}: turn {t} actor {i} dim {k}: got {got} (ideal {gi}), KTAB {x} (ideal {xi})"
        );
    }
    eprintln!("{name}: {turns} states, worst |Δ| = {worst:.2e}");
}

fn golden(name: &str, file: &str) {
    let p = SmpParams::default();
    let inp = input(file, &p);
    let mut rng = statecraft_core::rng::stream(0, 0);
    let fast = smp::engine::run(&inp, &p, 1000, &mut rng).unwrap();
    compare(name, &fast, inp.m);
    let mut rng = statecraft_core::rng::stream(0, 0);
    let oracle = smp::reference::run(&inp, &p, 1000, &mut rng).unwrap();
    compare(name, &oracle, inp.m);
}

#[test]
fn golden_dummy_data_3dim() {
    golden("dummyData_3Dim", "dummyData_3Dim.csv");
}

#[test]
fn golden_soe_pol_comp() {
    golden("SOE-Pol-Comp", "SOE-Pol-Comp.csv");
}

#[test]
fn golden_win_probabilities_dummy_data_3dim() {
    // expected/dummyData_3Dim_winprob.csv: KTAB's "History of actors' winning probabilities"
    // (4 decimals).
    let p = SmpParams::default();
    let inp = input("dummyData_3Dim.csv", &p);
    let mut rng = statecraft_core::rng::stream(0, 0);
    let run = smp::engine::run(&inp, &p, 1000, &mut rng).unwrap();
    for l in shared("expected/dummyData_3Dim_winprob.csv")
        .lines()
        .skip(1)
    {
        let f: Vec<&str> = l.split(',').collect();
        let (t, i, w): (usize, usize, f64) = (
            f[0].parse().unwrap(),
            f[1].parse().unwrap(),
            f[3].parse().unwrap(),
        );
        let got = run.win_prob[t][i];
        assert!(
            (got - w).abs() <= 0.00051,
            "turn {t} actor {i}: {got} vs KTAB {w}"
        );
    }
}

#[test]
fn every_ktab_sample_input_loads() {
    let dir = format!(
        "{}/../../../shared/reference/ktab/inputs",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert!(names.len() >= 14, "{names:?}");
    for f in names {
        let text = shared(&format!("inputs/{f}"));
        let got = ktab::parse(&text);
        if f == "smpExample.xml" {
            // KTAB ships this file with a deliberately blanked <dCoord> (smp-spec §3.9 #6); the
            // fixed copy is smpExample_fixed_det.xml. It must fail with a located error.
            let e = got.unwrap_err();
            assert_eq!(e.errors.len(), 1, "{e:?}");
            let span = e.errors[0].span.clone().unwrap();
            assert_eq!(&text[span], "<dCoord></dCoord>");
            continue;
        }
        let k = got.unwrap_or_else(|e| panic!("{f}: {e:?}"));
        let p = k.problem();
        assert!(p.n_actors() >= 3 && p.n_dims() >= 1, "{f}");
        let (inp, _) = SmpInput::from_problem(&p, &k.params).unwrap();
        // every sample runs a few steps with its own parameters
        let mut rng = statecraft_core::rng::stream(k.seed.unwrap_or(0), 0);
        let steps = if p.n_actors() > 50 { 1 } else { 3 };
        let run = smp::engine::run(&inp, &k.params, steps, &mut rng)
            .unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(run.positions.iter().flatten().all(|x| x.is_finite()), "{f}");
    }
}

#[test]
fn xml_and_csv_of_the_same_scenario_agree() {
    let csv = ktab::parse_csv(&shared("inputs/dummyData_3Dim.csv")).unwrap();
    let xml = ktab::parse_xml(&shared("inputs/dummyData_3Dim.xml")).unwrap();
    assert_eq!(csv.problem(), xml.problem());
    let varb = ktab::parse_xml(&shared("inputs/SOE-Pol-Comp_varB2.xml")).unwrap();
    assert_eq!(varb.params.bargn_model, smp::BargnModel::InitRcvrInterp);
    assert_eq!(varb.params.voting_rule, smp::VotingRule::PropCbc);
    assert_eq!(varb.seed, Some(15455440707583219804));
    assert_eq!(
        varb.problem(),
        ktab::parse_csv(&shared("inputs/SOE-Pol-Comp.csv"))
            .unwrap()
            .problem()
    );
}

fn assert_same(a: &SmpRun, b: &SmpRun, what: &str) {
    assert_eq!(a.n_states(), b.n_states(), "{what}: states");
    assert_eq!(a, b, "{what}: runs differ");
}

#[test]
fn fast_engine_matches_reference_oracle() {
    // every sample scenario (with its own parameters) and every option value on dummyData_3Dim
    let mut cases: Vec<(String, SmpParams)> = Vec::new();
    for f in [
        "dummyData_3Dim.xml",
        "SOE-Pol-Comp_varA.xml",
        "SOE-Pol-Comp_varB2.xml",
        "dummyData_3Dim_stoch_ia.xml",
        "smpExample_fixed_det.xml",
        "dummyData-a040.csv",
        "SOE-Policy.csv",
        "dummyData_6Dim.csv",
    ] {
        let k = ktab::parse(&shared(&format!("inputs/{f}"))).unwrap();
        cases.push((f.to_string(), k.params.clone()));
        let mut c = k.params.clone();
        c.ktab_compat = !c.ktab_compat;
        cases.push((f.to_string(), c));
    }
    let base = SmpParams::default();
    let mut variants = Vec::new();
    for v in smp::VictoryProbModel::ALL {
        variants.push(SmpParams {
            victory_prob_model: *v,
            ..base.clone()
        });
    }
    for v in smp::PceModel::ALL {
        variants.push(SmpParams {
            pce_model: *v,
            ..base.clone()
        });
    }
    for v in smp::VotingRule::ALL {
        variants.push(SmpParams {
            voting_rule: *v,
            ..base.clone()
        });
        variants.push(SmpParams {
            voting_rule: *v,
            ktab_compat: true,
            ..base.clone()
        });
    }
    for v in smp::BigRAdjust::ALL {
        variants.push(SmpParams {
            big_r_adjust: *v,
            ..base.clone()
        });
    }
    for v in smp::BigRRange::ALL {
        variants.push(SmpParams {
            big_r_range: *v,
            ..base.clone()
        });
    }
    for v in smp::ThirdPartyCommit::ALL {
        variants.push(SmpParams {
            third_party_commit: *v,
            ..base.clone()
        });
    }
    for v in smp::InterVecBrgn::ALL {
        variants.push(SmpParams {
            inter_vec_brgn: *v,
            ..base.clone()
        });
    }
    for v in smp::BargnModel::ALL {
        variants.push(SmpParams {
            bargn_model: *v,
            ..base.clone()
        });
        variants.push(SmpParams {
            bargn_model: *v,
            ktab_compat: true,
            ..base.clone()
        });
    }
    variants.push(SmpParams {
        state_transitions: smp::StateTransitions::Stochastic,
        ..base.clone()
    });
    for v in variants {
        cases.push(("dummyData_3Dim.csv".into(), v));
    }
    for (f, p) in cases {
        let k = ktab::parse(&shared(&format!("inputs/{f}"))).unwrap();
        let (inp, _) = SmpInput::from_problem(&k.problem(), &p).unwrap();
        let mut r1 = statecraft_core::rng::stream(11, 0);
        let mut r2 = statecraft_core::rng::stream(11, 0);
        let a = smp::engine::run(&inp, &p, 100, &mut r1);
        let b = smp::reference::run(&inp, &p, 100, &mut r2);
        match (a, b) {
            (Ok(a), Ok(b)) => assert_same(&a, &b, &format!("{f} {p:?}")),
            (Err(a), Err(b)) => assert_eq!(a, b),
            (a, b) => panic!("{f} {p:?}: {a:?} vs {b:?}"),
        }
    }
}
