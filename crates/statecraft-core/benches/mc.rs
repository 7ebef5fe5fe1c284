//! Monte Carlo throughput: 10,000 runs of a 34-actor, 10-round scenario on 1 and 2 threads.
//!
//! Run: `cargo bench -p statecraft-core --bench mc`. The per-run model is the toy compromise
//! dynamic (`mc::toy`, a stand-in until the EUM engine is wired in); every actor's position,
//! salience and capability is uncertain (triangular / PERT / from confidence), so sampling cost
//! is included. Figures in docs/performance-mc.md.

use statecraft_core::mc::{self, toy, McConfig};
use statecraft_core::scenario::{Actor, Dist, Issue, Meta, Num, OutcomeClass, Scenario, Stance};

fn main() {
    divan::main();
}

/// 34 actors on one 0–100 issue, deterministic layout.
fn scenario34() -> Scenario {
    let mut s = Scenario {
        scenario: Meta {
            id: "bench34".into(),
            title: "34 actors".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    s.issues.push(Issue {
        id: "x".into(),
        name: "X".into(),
        min: 0.0,
        max: 100.0,
        ..Default::default()
    });
    for k in 0..34 {
        let id = format!("a{k:02}");
        let pos = (k as f64 * 37.0) % 100.0;
        s.actors.push(Actor {
            id: id.clone(),
            name: id.clone(),
            capability: Num {
                value: 10.0 + (k % 7) as f64 * 15.0,
                confidence: Some(0.8),
                ..Default::default()
            },
            ..Default::default()
        });
        s.stances.push(Stance {
            actor: id,
            issue: "x".into(),
            position: Num {
                value: pos,
                dist: Some(Dist::Triangular {
                    min: (pos - 15.0).max(0.0),
                    mode: pos,
                    max: (pos + 15.0).min(100.0),
                }),
                ..Default::default()
            },
            salience: Num {
                value: 0.6,
                dist: Some(Dist::Pert {
                    min: 0.3,
                    mode: 0.6,
                    max: 0.9,
                }),
                ..Default::default()
            },
        });
    }
    s.outcomes.push(OutcomeClass {
        id: "high".into(),
        name: "High".into(),
        when: "issue.x >= 50".into(),
    });
    s
}

#[divan::bench(args = [1, 2], sample_count = 10, sample_size = 1)]
fn mc_10k_runs_34_actors(bencher: divan::Bencher, threads: usize) {
    let s = scenario34();
    let cfg = McConfig {
        runs: 10_000,
        seed: 1,
        ..Default::default()
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    bencher.bench(|| pool.install(|| mc::run(&s, &cfg, toy::compromise10, None).expect("runs")));
}

/// Cost breakdown: sampling one run's inputs (34 positions, saliences, capabilities).
#[divan::bench]
fn sample_one_run_34_actors(bencher: divan::Bencher) {
    let s = scenario34();
    let cfg = McConfig::default();
    let mut i = 0u64;
    bencher.bench_local(|| {
        i += 1;
        mc::sampled_scenario(divan::black_box(&s), &cfg, i).expect("sample")
    });
}

/// Cost breakdown: one 10-round toy model run on an already-sampled scenario.
#[divan::bench]
fn model_one_run_34_actors(bencher: divan::Bencher) {
    let s = scenario34();
    let mut rng = statecraft_core::rng::stream(1, 0);
    bencher.bench_local(|| toy::compromise10(divan::black_box(&s), &mut rng).expect("run"));
}

/// Cost breakdown: one PERT quantile (inverse regularized incomplete beta).
#[divan::bench]
fn pert_quantile() -> f64 {
    let d = Dist::Pert {
        min: 0.3,
        mode: 0.6,
        max: 0.9,
    };
    statecraft_core::sample::quantile(divan::black_box(&d), divan::black_box(0.37))
}
