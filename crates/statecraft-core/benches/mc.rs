//! Monte Carlo throughput: 10,000 runs of the real 34-actor KTAB CNPC scenario
//! (`shared/reference/examples/ktab_china_2014_cnpc.csv`), 10 EUM rounds per run through
//! `engine::simulate_once`, on explicit rayon pools of 1 and 2 threads.
//!
//! Run: `cargo bench -p statecraft-core --bench mc`. Every actor's position (triangular ±15),
//! salience (PERT ±0.15 around the file's value) and capability (PERT from confidence 0.8) is
//! uncertain, so input sampling and aggregation are included. Extra rows: the same with the
//! `eum-printed` variant, the toy compromise dynamic (`mc::toy`) on the same inputs, and a cost
//! breakdown. Figures in docs/performance.md (section Monte Carlo).

use statecraft_core::engine::{self, RunOptions};
use statecraft_core::mc::{self, toy, McConfig};
use statecraft_core::scenario::{load, Dist, OutcomeClass, Scenario};

fn main() {
    divan::main();
}

const CNPC: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/reference/examples/ktab_china_2014_cnpc.csv"
));

/// The CNPC case (34 actors, one issue) with uncertain inputs and one outcome class.
fn cnpc34() -> Scenario {
    let mut s = load::from_str_auto("ktab_china_2014_cnpc.csv", CNPC).expect("CNPC loads");
    assert_eq!(s.actors.len(), 34, "the CNPC case has 34 actors");
    let (lo, hi) = (s.issues[0].min, s.issues[0].max);
    let issue = s.issues[0].id.clone();
    for a in &mut s.actors {
        a.capability.confidence = Some(0.8);
    }
    for st in &mut s.stances {
        let p = st.position.value;
        st.position.dist = Some(Dist::Triangular {
            min: (p - 15.0).max(lo),
            mode: p,
            max: (p + 15.0).min(hi),
        });
        let v = st.salience.value;
        st.salience.dist = Some(Dist::Pert {
            min: (v - 0.15).max(0.0),
            mode: v,
            max: (v + 0.15).min(1.0),
        });
    }
    s.outcomes.push(OutcomeClass {
        id: "high".into(),
        name: "High".into(),
        when: format!("issue.{issue} >= {}", (lo + hi) / 2.0),
    });
    s
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
}

fn cfg() -> McConfig {
    McConfig {
        runs: 10_000,
        seed: 1,
        ..Default::default()
    }
}

fn eum_opts(model: &str) -> RunOptions {
    RunOptions {
        model: model.into(),
        rounds: 10,
        ..Default::default()
    }
}

/// The headline figure: 10,000 runs × 10 rounds of the EUM (`eum` = Scholz variant).
#[divan::bench(args = [1, 2], sample_count = 5, sample_size = 1)]
fn mc_10k_eum_scholz_cnpc34(bencher: divan::Bencher, threads: usize) {
    let s = cnpc34();
    let (cfg, opts, pool) = (cfg(), eum_opts("eum"), pool(threads));
    bencher.bench(|| {
        pool.install(|| {
            mc::run(&s, &cfg, |x, r| engine::simulate_once(x, &opts, r), None).expect("runs")
        })
    });
}

/// The same with the `eum-printed` variant (cheaper per round).
#[divan::bench(args = [1, 2], sample_count = 5, sample_size = 1)]
fn mc_10k_eum_printed_cnpc34(bencher: divan::Bencher, threads: usize) {
    let s = cnpc34();
    let (cfg, opts, pool) = (cfg(), eum_opts("eum-printed"), pool(threads));
    bencher.bench(|| {
        pool.install(|| {
            mc::run(&s, &cfg, |x, r| engine::simulate_once(x, &opts, r), None).expect("runs")
        })
    });
}

/// Extra row: the toy compromise dynamic on the same inputs (sampling + aggregation dominate).
#[divan::bench(args = [1, 2], sample_count = 5, sample_size = 1)]
fn mc_10k_toy_cnpc34(bencher: divan::Bencher, threads: usize) {
    let s = cnpc34();
    let (cfg, pool) = (cfg(), pool(threads));
    bencher.bench(|| pool.install(|| mc::run(&s, &cfg, toy::compromise10, None).expect("runs")));
}

/// Cost breakdown: sampling one run's inputs (34 positions, saliences, capabilities).
#[divan::bench]
fn sample_one_run_cnpc34(bencher: divan::Bencher) {
    let s = cnpc34();
    let cfg = McConfig::default();
    let mut i = 0u64;
    bencher.bench_local(|| {
        i += 1;
        mc::sampled_scenario(divan::black_box(&s), &cfg, i).expect("sample")
    });
}

/// Cost breakdown: one 10-round EUM run (`simulate_once`) on the unperturbed scenario.
#[divan::bench(args = ["eum", "eum-printed"])]
fn simulate_once_cnpc34(bencher: divan::Bencher, model: &str) {
    let s = cnpc34();
    let opts = eum_opts(model);
    let mut rng = statecraft_core::rng::stream(1, 0);
    bencher
        .bench_local(|| engine::simulate_once(divan::black_box(&s), &opts, &mut rng).expect("run"));
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
