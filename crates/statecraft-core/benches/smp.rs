//! SMP to convergence on KTAB's 40- and 80-actor dummy data sets (default parameters,
//! deterministic mode): the fast engine on one thread and on all threads, against the
//! straightforward reference engine (one thread). Run: `cargo bench -p statecraft-core --bench smp`.
//! Results are recorded in `docs/performance.md` (section SMP).
//!
//! The input files are read at run time from `../shared/reference/ktab/inputs/` beside the
//! workspace (as in CI); a missing file skips that case.

use statecraft_core::formats::ktab;
use statecraft_core::models::smp::{self, SmpInput, SmpParams};

fn main() {
    divan::main();
}

fn input(file: &str) -> Option<SmpInput> {
    let p = format!(
        "{}/../../../shared/reference/ktab/inputs/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(p).ok()?;
    let k = ktab::parse(&text).ok()?;
    SmpInput::from_problem(&k.problem(), &SmpParams::default())
        .ok()
        .map(|x| x.0)
}

const FILES: &[&str] = &["dummyData-a040.csv", "dummyData-a080.csv"];

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
}

#[divan::bench(args = FILES, sample_count = 5)]
fn fast_one_thread(bencher: divan::Bencher, file: &str) {
    let Some(inp) = input(file) else { return };
    let p = SmpParams::default();
    let pool = pool(1);
    bencher.bench_local(|| {
        pool.install(|| {
            let mut rng = statecraft_core::rng::stream(0, 0);
            smp::engine::run(&inp, &p, 100, &mut rng).map(|r| r.n_states())
        })
    });
}

#[divan::bench(args = FILES, sample_count = 5)]
fn fast_all_threads(bencher: divan::Bencher, file: &str) {
    let Some(inp) = input(file) else { return };
    let p = SmpParams::default();
    bencher.bench_local(|| {
        let mut rng = statecraft_core::rng::stream(0, 0);
        smp::engine::run(&inp, &p, 100, &mut rng).map(|r| r.n_states())
    });
}

#[divan::bench(args = FILES, sample_count = 3)]
fn reference_one_thread(bencher: divan::Bencher, file: &str) {
    let Some(inp) = input(file) else { return };
    let p = SmpParams::default();
    bencher.bench_local(|| {
        let mut rng = statecraft_core::rng::stream(0, 0);
        smp::reference::run(&inp, &p, 100, &mut rng).map(|r| r.n_states())
    });
}

/// One turn (the first) on the 40-actor set: KTAB-like work (straightforward engine plus
/// KTAB's O(n⁴) `calcUtils` bookkeeping) against the fast engine on one thread.
#[divan::bench(sample_count = 3)]
fn one_turn_a040_ktab_like(bencher: divan::Bencher) {
    let Some(inp) = input("dummyData-a040.csv") else {
        return;
    };
    let p = SmpParams::default();
    bencher.bench_local(|| {
        let mut rng = statecraft_core::rng::stream(0, 0);
        smp::reference::run_ktab_like(&inp, &p, 1, &mut rng).map(|r| r.1)
    });
}

#[divan::bench(sample_count = 5)]
fn one_turn_a040_fast_one_thread(bencher: divan::Bencher) {
    let Some(inp) = input("dummyData-a040.csv") else {
        return;
    };
    let p = SmpParams::default();
    let pool = pool(1);
    bencher.bench_local(|| {
        pool.install(|| {
            let mut rng = statecraft_core::rng::stream(0, 0);
            smp::engine::run(&inp, &p, 1, &mut rng).map(|r| r.n_states())
        })
    });
}
