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
fn golden_through_the_model_trait() {
    // the path `statecraft run FILE --model smp` takes: file -> problem -> Model::run
    use statecraft_core::models::Model;
    let k = ktab::parse(&shared("inputs/SOE-Pol-Comp.csv")).unwrap();
    let pr = k.problem();
    let mut rng = statecraft_core::rng::stream(0, 0);
    let t = k.smp().run(&pr, 1000, &mut rng).unwrap();
    assert!(t.converged);
    let exp = expected("SOE-Pol-Comp");
    assert_eq!(t.rounds.len(), exp.iter().map(|e| e.0).max().unwrap() + 1);
    for &(turn, i, d, x, _) in &exp {
        assert!(
            (t.rounds[turn][i][d] - x).abs() < 0.01,
            "turn {turn} actor {i} dim {d}"
        );
    }
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
        let (inp, _) = SmpInput::from_problem(&p, &k.params()).unwrap();
        // every sample runs a few steps with its own parameters
        let mut rng = statecraft_core::rng::stream(k.seed().unwrap_or(0), 0);
        let steps = if p.n_actors() > 50 { 1 } else { 3 };
        let run = smp::engine::run(&inp, &k.params(), steps, &mut rng)
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
    assert_eq!(varb.params().bargn_model, smp::BargnModel::InitRcvrInterp);
    assert_eq!(varb.params().voting_rule, smp::VotingRule::PropCbc);
    assert_eq!(varb.seed(), Some(15455440707583219804));
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
        cases.push((f.to_string(), k.params().clone()));
        let mut c = k.params().clone();
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

#[test]
fn converted_toml_round_trips() {
    for f in [
        "dummyData_3Dim.csv",
        "SOE-Pol-Comp.csv",
        "SOE-Pol-Comp_varB2.xml",
        "dummyData_6Dim.csv",
        "smpExample_fixed_det.xml",
        "dummyData-a160.csv",
    ] {
        let k = ktab::parse(&shared(&format!("inputs/{f}"))).unwrap();
        let text = k.to_toml().unwrap();
        let back: statecraft_core::scenario::Scenario =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(back, k.scenario, "{f}");
        // the SMP settings live in the [model] table, not in comments
        assert!(text.contains("bargn_model = "), "{f}");
        assert_eq!(back.model.options.smp, Some(k.params()), "{f}");
    }
}

fn run_in_pool(threads: usize, inp: &SmpInput, p: &SmpParams, seed: u64, steps: usize) -> String {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let mut rng = statecraft_core::rng::stream(seed, 0);
        let run = smp::engine::run(inp, p, steps, &mut rng).unwrap();
        serde_json::to_string(&run).unwrap()
    })
}

#[test]
fn stochastic_mode_is_byte_identical_across_thread_counts() {
    let k = ktab::parse_xml(&shared("inputs/dummyData_3Dim_stoch_ia.xml")).unwrap();
    assert_eq!(
        k.params().state_transitions,
        smp::StateTransitions::Stochastic
    );
    let (inp, _) = SmpInput::from_problem(&k.problem(), &k.params()).unwrap();
    let seed = k.seed().unwrap();
    let one = run_in_pool(1, &inp, &k.params(), seed, 100);
    let two = run_in_pool(2, &inp, &k.params(), seed, 100);
    assert_eq!(one, two);
    assert_eq!(one, run_in_pool(2, &inp, &k.params(), seed, 100));
    // the seed matters: some other seed gives another trajectory
    let others: Vec<String> = (1..6)
        .map(|s| run_in_pool(2, &inp, &k.params(), s, 100))
        .collect();
    assert!(others.iter().any(|o| *o != one));
    // a bigger case
    let k = ktab::parse_csv(&shared("inputs/dummyData-a040.csv")).unwrap();
    let p = SmpParams {
        state_transitions: smp::StateTransitions::Stochastic,
        ..SmpParams::default()
    };
    let (inp, _) = SmpInput::from_problem(&k.problem(), &p).unwrap();
    assert_eq!(
        run_in_pool(1, &inp, &p, 42, 5),
        run_in_pool(2, &inp, &p, 42, 5)
    );
}

fn problem(pos: &[f64], cap: &[f64], sal: f64) -> statecraft_core::models::Problem {
    statecraft_core::models::Problem {
        actors: (0..pos.len()).map(|i| format!("a{i}")).collect(),
        capability: cap.to_vec(),
        dims: vec![statecraft_core::models::Dim {
            id: "d".into(),
            min: 0.0,
            max: 100.0,
        }],
        position: pos.iter().map(|&x| vec![x]).collect(),
        salience: pos.iter().map(|_| vec![sal]).collect(),
    }
}

#[test]
fn consensus_is_nan_free_by_default_and_fails_like_ktab_in_compat_mode() {
    use statecraft_core::models::Model;
    // everyone at one point: all win probabilities equal
    let pr = problem(&[40.0, 40.0, 40.0], &[1.0, 2.0, 3.0], 0.5);
    let mut rng = statecraft_core::rng::stream(0, 0);
    let t = smp::Smp::default().run(&pr, 100, &mut rng).unwrap();
    assert!(t
        .rounds
        .iter()
        .flatten()
        .flatten()
        .all(|x| x.is_finite() && (*x - 40.0).abs() < 1e-12));
    let risk = t.details["risk"][0].as_array().unwrap();
    assert!(risk.iter().all(|r| r.as_f64() == Some(0.0)), "{risk:?}");
    let compat = smp::Smp::new(SmpParams {
        ktab_compat: true,
        ..SmpParams::default()
    });
    let e = compat.run(&pr, 100, &mut rng).unwrap_err();
    assert!(e.0.contains("divides by zero"), "{e}");
    // symmetric actors at 0/50/100 (smp-spec §3.9 #4): KTAB converges, then crashes on NaN
    let pr = problem(&[0.0, 50.0, 100.0], &[1.0, 1.0, 1.0], 0.5);
    let t = smp::Smp::default().run(&pr, 100, &mut rng).unwrap();
    assert!(t.rounds.iter().flatten().flatten().all(|x| x.is_finite()));
    assert!(t.details["win_prob"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|w| w.as_array().unwrap())
        .all(|w| w.as_f64().is_some_and(f64::is_finite)));
    let risk = t.details["risk"].as_array().unwrap();
    assert!(risk
        .iter()
        .flat_map(|r| r.as_array().unwrap())
        .all(|r| r.as_f64().is_some_and(f64::is_finite)));
}

#[test]
fn asymprosp_voting_does_not_depend_on_actor_order_by_default() {
    let k = ktab::parse_csv(&shared("inputs/dummyData_3Dim.csv")).unwrap();
    let pr = k.problem();
    let n = pr.n_actors();
    let perm: Vec<usize> = (0..n).rev().collect();
    let mut rev = pr.clone();
    for (new, &old) in perm.iter().enumerate() {
        rev.actors[new] = pr.actors[old].clone();
        rev.capability[new] = pr.capability[old];
        rev.position[new] = pr.position[old].clone();
        rev.salience[new] = pr.salience[old].clone();
    }
    let run = |pr: &statecraft_core::models::Problem, p: &SmpParams| {
        let (inp, _) = SmpInput::from_problem(pr, p).unwrap();
        let mut rng = statecraft_core::rng::stream(0, 0);
        smp::engine::run(&inp, p, 100, &mut rng).unwrap()
    };
    let p = SmpParams {
        voting_rule: smp::VotingRule::ASymProsp,
        ..SmpParams::default()
    };
    let a = run(&pr, &p);
    let b = run(&rev, &p);
    assert_eq!(a.n_states(), b.n_states());
    let m = pr.n_dims();
    for t in 0..a.n_states() {
        for (new, &old) in perm.iter().enumerate() {
            for k in 0..m {
                let (x, y) = (a.positions[t][old * m + k], b.positions[t][new * m + k]);
                assert!((x - y).abs() < 1e-9, "turn {t} actor {old}: {x} vs {y}");
            }
        }
    }
}

#[test]
fn csv_rows_render_ktab_scale() {
    use statecraft_core::models::Model;
    let k = ktab::parse_csv(&shared("inputs/dummyData_3Dim.csv")).unwrap();
    let pr = k.problem();
    let mut rng = statecraft_core::rng::stream(0, 0);
    let t = smp::Smp::default().run(&pr, 100, &mut rng).unwrap();
    let csv = smp::csv_rows(&t, &pr);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "turn,actor,dim,position,ideal,win_prob");
    assert_eq!(lines.len(), 1 + 11 * 7 * 3);
    // KTAB: turn 0, SActor-00, Pstn1 = 75.79, win prob 0.0047 (expected/dummyData_3Dim_winprob.csv)
    assert_eq!(lines[1], "0,SActor-00,pstn1,75.7900,75.7900,0.0047");
    // final state, SActor-06 Pstn3 = 74.11 (expected/dummyData_3Dim_positions.csv)
    assert!(lines
        .last()
        .unwrap()
        .starts_with("10,SActor-06,pstn3,74.1100,74.1100,"));
}

mod invariants {
    use super::*;
    use proptest::prelude::*;

    fn arb_problem() -> impl Strategy<Value = statecraft_core::models::Problem> {
        (3usize..7, 1usize..4).prop_flat_map(|(n, m)| {
            (
                proptest::collection::vec(0.5f64..100.0, n),
                proptest::collection::vec(proptest::collection::vec(0.0f64..100.0, m), n),
                proptest::collection::vec(proptest::collection::vec(0.05f64..1.0, m), n),
            )
                .prop_map(move |(cap, position, sal)| {
                    statecraft_core::models::Problem {
                        actors: (0..n).map(|i| format!("a{i}")).collect(),
                        capability: cap,
                        dims: (0..m)
                            .map(|k| statecraft_core::models::Dim {
                                id: format!("d{k}"),
                                min: 0.0,
                                max: 100.0,
                            })
                            .collect(),
                        position,
                        // saliences summing to at most 1
                        salience: sal
                            .into_iter()
                            .map(|r| {
                                let s: f64 = r.iter().sum();
                                r.iter().map(|x| x / s.max(1.0)).collect()
                            })
                            .collect(),
                    }
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]
        #[test]
        fn runs_are_finite_bounded_and_match_the_oracle(pr in arb_problem(), stoch in any::<bool>(), seed in 0u64..1000) {
            let p = SmpParams {
                state_transitions: if stoch { smp::StateTransitions::Stochastic } else { smp::StateTransitions::Deterministic },
                ..SmpParams::default()
            };
            let (inp, _) = SmpInput::from_problem(&pr, &p).unwrap();
            let mut r1 = statecraft_core::rng::stream(seed, 0);
            let mut r2 = statecraft_core::rng::stream(seed, 0);
            let a = smp::engine::run(&inp, &p, 100, &mut r1).unwrap();
            let b = smp::reference::run(&inp, &p, 100, &mut r2).unwrap();
            prop_assert_eq!(&a, &b);
            prop_assert!(a.n_states() >= 2 && a.n_states() <= 101);
            for (t, s) in a.positions.iter().enumerate() {
                prop_assert!(s.iter().all(|x| x.is_finite() && (0.0..=1.0).contains(x)), "state {}", t);
            }
            for w in &a.win_prob {
                prop_assert!(w.iter().all(|x| x.is_finite() && *x >= 0.0 && *x <= 1.0));
            }
            for r in &a.risk {
                prop_assert!(r.iter().all(|x| x.is_finite() && x.abs() <= 1.0 + 1e-9), "{:?}", r);
            }
        }
    }
}
