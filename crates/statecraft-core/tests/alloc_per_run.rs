//! Heap allocations per Monte Carlo run of the Greenland 2026 crisis, counted by a global
//! allocator that wraps the system one (issue 11, "no allocation in the inner loop").
//!
//! Per-run counts are differences between a job of 2N and one of N runs on a one-thread rayon
//! pool, so per-job set-up (compiling outcomes, building the sampler, aggregation's fixed part)
//! cancels out. The bounds are today's counts with a little headroom: they fail when a change
//! adds allocations to the per-run path. The jobs run through `engine::Prepared` (the crisis
//! model compiled once per worker, run states recycled); "model" is one compiled model run
//! alone, "uncompiled" the plain `engine::simulate_once` that compiles every run. They are not
//! zero: a run's state vectors, its event log (strings) and the sampling vector are still
//! allocated per run (docs/performance.md, "Monte Carlo at scale").

use statecraft_core::engine::{self, RunOptions};
use statecraft_core::mc::{self, McConfig, Runner};
use statecraft_core::rng::Rng;
use statecraft_core::scenario::{load, Scenario};
use statecraft_core::state::RunState;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);
/// Bytes live now and the most live since the last reset (for the memory test).
static LIVE: AtomicU64 = AtomicU64::new(0);
static PEAK: AtomicU64 = AtomicU64::new(0);
/// The counters are global: the tests of this file take turns.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn grew(bytes: usize) {
    let now = LIVE.fetch_add(bytes as u64, Ordering::Relaxed) + bytes as u64;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

fn shrank(bytes: usize) {
    LIVE.fetch_sub(bytes as u64, Ordering::Relaxed);
}

// SAFETY: every call is forwarded unchanged to the system allocator; the counter is a relaxed
// atomic and never affects the allocation.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        grew(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        shrank(layout.size());
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        grew(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        grew(new_size);
        shrank(layout.size());
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A job of `runs` runs, every other setting the default.
fn cfg(runs: u64) -> McConfig {
    McConfig {
        runs,
        ..McConfig::default()
    }
}

fn greenland() -> Scenario {
    let text = include_str!("../../../scenarios/greenland-2026.toml");
    load::from_toml_str(text).expect("the Greenland scenario loads")
}

/// Allocations of `job(runs)` on a one-thread pool.
fn count(job: &(dyn Fn(u64) + Sync), runs: u64) -> u64 {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool");
    pool.install(|| {
        let before = ALLOCS.load(Ordering::Relaxed);
        job(runs);
        ALLOCS.load(Ordering::Relaxed) - before
    })
}

fn per_run(job: &(dyn Fn(u64) + Sync)) -> f64 {
    // 512 vs 1,024 runs: past the first two chunks (`mc::CHUNK`), whose run states cannot be
    // recycled yet
    let n = 512;
    let a = count(job, n);
    let b = count(job, 2 * n);
    // signed: a per-job effect larger in the smaller job (e.g. buffers grown for lent runs)
    // shows as a negative count instead of hiding a per-run one behind a clamp at 0
    (b as f64 - a as f64) / n as f64
}

#[test]
fn allocations_per_run_stay_within_todays_bounds() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let s = greenland();
    let opts = RunOptions::resolve(&s, &Default::default()).expect("resolves");
    let f = |sc: &Scenario, r: &mut Rng| -> Result<RunState, engine::EngineError> {
        engine::simulate_once(sc, &opts, r)
    };
    let uncompiled = per_run(&|runs| {
        for i in 0..runs {
            let mut r = statecraft_core::rng::stream(1, i);
            f(&s, &mut r).expect("runs");
        }
    });
    let prepared = engine::Prepared::new(&opts);
    let model = per_run(&|runs| {
        let mut w = prepared.worker(&s).expect("compiles");
        let mut st = RunState::default();
        for i in 0..runs {
            let mut r = statecraft_core::rng::stream(1, i);
            prepared
                .run_into(&mut w, &s, &mut r, &mut st)
                .expect("runs");
        }
    });
    let paired = per_run(&|runs| {
        mc::simulate_outcomes_with(&s, &cfg(runs), &prepared, None).expect("runs");
    });
    let full = per_run(&|runs| {
        mc::run_keep_with(&s, &cfg(runs), &prepared, None).expect("runs");
    });
    println!(
        "allocations per run: uncompiled model {uncompiled:.1}, compiled model {model:.1}, \
         paired job {paired:.1}, full job {full:.1}"
    );
    // No allocation in the inner loop (issue 11): a paired job's runs reuse the worker's
    // `Sim` vectors, sampling's `u` buffer and recycled slot runs. 2026-12-03: 0.0 per run
    // (47.5 before the `Sim` vectors and `u` were recycled); what remains is the outcome
    // indicators' amortised growth.
    assert!(paired <= 2.0, "paired {paired}");
    // The streaming job also folds vars, series, questions and events: 6.9 on 2026-12-03
    // (49.1 before), the exact vars' and series' amortised growth below their caps.
    assert!(full <= 16.0, "full {full}");
    // The compiled model (2026-12-02: 191.4 per run, against 1,132.4 for the same model
    // compiled every run; 341.3 and 1,202.2 before the crisis round stopped allocating per
    // round: the bargaining round's, the cascade's and the option step's scratch vectors and
    // the events' undo vectors are now the run's): the run's `Sim` vectors and its event log
    // strings. 2026-12-03: 121.0, the events logged as keys and named into one allocation each;
    // then 79.9 with the `Sim` vectors kept by the worker: what is left is the name-keyed
    // `RunState`'s event texts (a job folds slot runs instead, see `paired`).
    assert!(model <= 100.0, "model {model}");
    // The model compiled every run also builds its event names (the id tables of
    // `crisis::log::names`): 1,212.6 on 2026-12-03 (1,132.4 before). Only single runs and
    // plain run functions take this path; a job compiles once.
    assert!(uncompiled <= 1_250.0, "uncompiled {uncompiled}");
}

#[test]
fn a_short_job_after_another_recycles_its_runs() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // A study runs many short jobs (pivotality: 88 variants of 50 runs); a job's first two
    // chunks (`mc::CHUNK`) have no run of its own to recycle, so each of their runs grew its
    // series buffers afresh until finished jobs lent theirs (`mc::MAX_SPARE_RUNS`). Per run =
    // (a 100-run job − a 50-run job) / 50, both within the first chunk, after a first job:
    // the per-job set-up cancels out.
    let s = greenland();
    let opts = RunOptions::resolve(&s, &Default::default()).expect("resolves");
    let prepared = engine::Prepared::new(&opts);
    let job = |runs: u64| {
        mc::simulate_outcomes_with(&s, &cfg(runs), &prepared, None).expect("runs");
    };
    count(&job, 100);
    let (a, b) = (count(&job, 50), count(&job, 100));
    let per_run = b.saturating_sub(a) as f64 / 50.0;
    println!("short paired jobs: 50 runs {a} allocations, 100 runs {b}: {per_run:.1} per run");
    // 2026-12-03: 83.4 per run without the lending (every run's series buffers fresh; 15,342
    // and 19,511 allocations), 5.6 with it (11,470 and 11,752).
    assert!(per_run <= 8.0, "{per_run} allocations per run");
}

/// Peak live heap bytes of `job(runs)` on a one-thread pool, above what was live before.
fn peak(job: &(dyn Fn(u64) + Sync), runs: u64) -> u64 {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool");
    pool.install(|| {
        let before = LIVE.load(Ordering::Relaxed);
        PEAK.store(before, Ordering::Relaxed);
        job(runs);
        PEAK.load(Ordering::Relaxed).saturating_sub(before)
    })
}

#[test]
fn a_streaming_job_holds_almost_nothing_per_run() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // Issue 11: memory flat in the run count. Between 1,500 and 3,000 runs (both past the
    // series' exact cap, `mc::agg::SERIES_EXACT_CAP`) a `run_keep` job may grow only by what
    // it still keeps per run: the vars' exact values (below `VAR_EXACT_CAP`; 204 vars × 8
    // bytes) and one indicator per outcome and question. Before streaming it kept every
    // run's vars and series (≈ 50 KB per run, docs/performance.md §7).
    let s = greenland();
    let opts = RunOptions::resolve(&s, &Default::default()).expect("resolves");
    let f = |sc: &Scenario, r: &mut Rng| -> Result<RunState, engine::EngineError> {
        engine::simulate_once(sc, &opts, r)
    };
    let job = |runs| {
        let cfg = McConfig {
            runs,
            ..McConfig::default()
        };
        mc::run_keep(&s, &cfg, f, None).expect("runs");
    };
    let (a, b) = (peak(&job, 1_500), peak(&job, 3_000));
    let per_run = b.saturating_sub(a) as f64 / 1_500.0;
    println!("peak heap: 1,500 runs {a} B, 3,000 runs {b} B, {per_run:.0} B per run");
    // measured 2026-12-02: see the printed line in docs/performance.md §7
    assert!(per_run <= 4_096.0, "{per_run} bytes per run");
}

/// Issue 11: "resident memory … the same figure at 10⁴ and 10⁶ runs". A job that collects only
/// the answers (what `statecraft forecast` runs: `Collect::ANSWERS`) and keeps no pairs
/// (`McConfig::keep_pairs` off: the study's main job when no hypothesis pairs with it) keeps
/// per outcome and question only its counts (`mc::Bits::counting`), so its peak heap does not
/// grow with the runs; keeping the bits costs one bit per outcome and question per run (17
/// here, 34,816 B at 16,384 runs). Measured 2026-12-04 (debug build, after a 16,384-run job
/// warmed the lent runs): counted 852,228 B at 2,048 runs and the same at 16,384; kept
/// 937,100 B at 16,384. The warm-up matters: the runs lent between jobs grow to the largest
/// run each has served, a bounded growth (≈ 80 KB per doubling of a cold job's runs, up to
/// 46 KB between warm jobs in other orders) that is not per run.
#[test]
fn a_job_that_keeps_no_pairs_holds_nothing_per_run() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let s = greenland();
    let opts = RunOptions::resolve(&s, &Default::default()).expect("resolves");
    let prepared = engine::Prepared::new(&opts);
    let (s, prepared) = (&s, &prepared);
    let job = |keep_pairs: bool| {
        move |runs| {
            let cfg = McConfig {
                runs,
                collect: mc::Collect::ANSWERS,
                keep_pairs,
                ..McConfig::default()
            };
            let (_, kept) = mc::run_keep_with(s, &cfg, prepared, None).expect("runs");
            assert!(kept.outcomes.iter().all(|b| b.is_kept() == keep_pairs));
            assert_eq!(kept.outcomes.len(), s.outcomes.len());
        }
    };
    let (counted, kept) = (job(false), job(true));
    let n = 16_384u64;
    mc::release_spare_runs();
    peak(&counted, n);
    let small = peak(&counted, 2_048);
    let large = peak(&counted, n);
    let with_bits = peak(&kept, n);
    println!("peak heap, counts only: 2,048 runs {small} B, {n} runs {large} B; bits kept: {with_bits} B");
    let bits = (s.outcomes.len() + s.questions.len()) as u64 * n / 8;
    // the control: keeping the bits costs them (so counting is what saves them)
    assert!(
        with_bits >= large + bits * 9 / 10,
        "bits kept {with_bits} B vs counted {large} B: expected ≥ {bits} B more"
    );
    // and without them eight times the runs hold no more than half what the bits would add
    // (the lent runs' buffers, warmed above, measured 0 B here; a counting job made to keep
    // its packed bits measured 23,400 B more, and failed this)
    assert!(
        large <= small + bits / 2,
        "counted: {small} B at 2,048 runs, {large} B at {n}"
    );
}

#[test]
fn runs_lent_by_a_job_without_series_keep_their_series_buffers() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // A job that folds no series (outcome indicators only, e.g. a hypothesis test's
    // counterfactual world) gives its runs a layout without series slots; the series buffers
    // of the runs it was lent are set aside (`SlotRun::begin`), not dropped, so the next job
    // with series finds them. A 100-run job with series then allocates as much after a job
    // without series as after one with them.
    let s = greenland();
    let opts = RunOptions::resolve(&s, &Default::default()).expect("resolves");
    let prepared = engine::Prepared::new(&opts);
    let series = |runs: u64| {
        mc::run_keep_with(&s, &cfg(runs), &prepared, None).expect("runs");
    };
    let bare = |runs: u64| {
        mc::simulate_outcomes_with(&s, &cfg(runs), &prepared, None).expect("runs");
    };
    count(&series, 100);
    count(&bare, 100);
    let after_bare = count(&series, 100);
    count(&series, 100);
    let after_series = count(&series, 100);
    println!(
        "a 100-run job with series: {after_bare} allocations after one without, \
         {after_series} after one with"
    );
    // 2026-12-03: 22,345 and 22,346; with the buffers dropped instead of set aside, 29,846
    // after the job without series (the lent runs' series buffers grown afresh)
    assert!(
        after_bare <= after_series + 200,
        "{after_bare} allocations after a job without series, {after_series} after one with"
    );
}
