//! One Greenland 2026 crisis run (43 weekly rounds × 40 actors), against a baseline in the same
//! command: a plain 10-round compromise run of the same 40 stances (crisis section removed)
//! through `engine::simulate_once`. Target: well under 1 ms per crisis run.
//! `greenland_job_of_256_runs`: a whole one-thread Monte Carlo job of 256 Greenland runs
//! (sampling, the model, the streaming fold and the aggregation), to set against 256 ×
//! `greenland_run` (issue 11's target: ≤ 1.2× the model alone).
//! `greenland_compiled_run`: the same run through a model compiled once (`crisis::Compiled`,
//! what a Monte Carlo job runs per run); `greenland_prepared_job_of_256_runs`: the 256-run job
//! through `engine::Prepared` (what the CLI's jobs run).
//! `cargo bench -p statecraft-core --bench crisis` (figures in docs/performance.md).

use statecraft_core::crisis::{simulate, Compiled};
use statecraft_core::engine::{self, RunOptions};
use statecraft_core::mc::{self, McConfig};
use statecraft_core::rng::stream;
use statecraft_core::scenario::{load, CrisisSpec, Scenario};

fn main() {
    divan::main();
}

fn load() -> Scenario {
    let text = include_str!("../../../scenarios/greenland-2026.toml");
    load::from_toml_str(text).expect("the Greenland scenario loads and validates")
}

#[divan::bench]
fn greenland_run(bencher: divan::Bencher) {
    let s = load();
    let mut i = 0u64;
    bencher.bench_local(|| {
        i += 1;
        simulate(divan::black_box(&s), &mut stream(1, i)).expect("runs")
    });
}

#[divan::bench]
fn greenland_compiled_run(bencher: divan::Bencher) {
    let s = load();
    let mut c = Compiled::new(&s).expect("compiles");
    let mut st = Default::default();
    let mut i = 0u64;
    bencher.bench_local(|| {
        i += 1;
        c.run_into(divan::black_box(&s), &mut stream(1, i), &mut st, |_| {})
            .expect("runs");
    });
}

/// Baseline: the same actors and stances, no crisis layer, 10 rounds of the compromise model.
#[divan::bench]
fn baseline_compromise_10_rounds_same_actors(bencher: divan::Bencher) {
    let mut s = load();
    s.crisis = CrisisSpec::default();
    let opts = RunOptions {
        model: "compromise".into(),
        rounds: 10,
        ..Default::default()
    };
    let mut i = 0u64;
    bencher.bench_local(|| {
        i += 1;
        engine::simulate_once(divan::black_box(&s), &opts, &mut stream(1, i)).expect("runs")
    });
}

/// A one-thread pool and the 256-run job configuration of the whole-job benches.
fn one_thread_job() -> (rayon::ThreadPool, McConfig) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool");
    let cfg = McConfig {
        runs: 256,
        ..McConfig::default()
    };
    (pool, cfg)
}

/// A whole Monte Carlo job of 256 runs on one thread (divide by 256 for one run with sampling
/// and aggregation included).
#[divan::bench(sample_count = 10)]
fn greenland_job_of_256_runs(bencher: divan::Bencher) {
    let s = load();
    let opts = RunOptions::resolve(&s, &Default::default()).expect("resolves");
    let (pool, cfg) = one_thread_job();
    bencher.bench_local(|| {
        pool.install(|| {
            mc::run_keep(
                divan::black_box(&s),
                &cfg,
                |x, r| engine::simulate_once(x, &opts, r),
                None,
            )
            .expect("runs")
        })
    });
}

/// [`greenland_job_of_256_runs`] through `engine::Prepared` (compiled once per worker).
#[divan::bench(sample_count = 10)]
fn greenland_prepared_job_of_256_runs(bencher: divan::Bencher) {
    let s = load();
    let opts = RunOptions::resolve(&s, &Default::default()).expect("resolves");
    let prepared = engine::Prepared::new(&opts);
    let (pool, cfg) = one_thread_job();
    bencher.bench_local(|| {
        pool.install(|| {
            mc::run_keep_with(divan::black_box(&s), &cfg, &prepared, None).expect("runs")
        })
    });
}
