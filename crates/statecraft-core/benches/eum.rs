//! EUM benchmarks: one round and a 10-round run at 10, 34, 100 and 1000 actors, fast vs naive
//! vote sums (naive only up to 100), for both variants. Plus the real 34-actor KTAB CNPC case.
//!
//! Run: `cargo bench -p statecraft-core --bench eum` (figures in docs/performance.md).

use divan::{black_box, Bencher};
use rand::{Rng as _, SeedableRng};
use statecraft_core::models::eum::{self, Algorithm, EumOptions, Issue, RangeRule};

fn main() {
    divan::main();
}

/// A reproducible random problem: positions uniform on 0–100 (all distinct, the worst case
/// for the fast formulation), capabilities 0.1–1, saliences 0.1–1.
fn problem(n: usize) -> (Vec<f64>, Issue) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(n as u64);
    let x: Vec<f64> = (0..n).map(|_| rng.gen_range(0.0..100.0)).collect();
    let c: Vec<f64> = (0..n).map(|_| rng.gen_range(0.1..1.0)).collect();
    let s: Vec<f64> = (0..n).map(|_| rng.gen_range(0.1..1.0)).collect();
    let issue = Issue::new(&c, &s, &x, RangeRule::InitialPositions, (0.0, 100.0));
    (x, issue)
}

fn opts(variant: &str, alg: Algorithm) -> EumOptions {
    let base = EumOptions::preset(variant).unwrap_or_default();
    EumOptions {
        algorithm: alg,
        ..base
    }
}

const SIZES: &[usize] = &[10, 34, 100, 1000];
const SMALL: &[usize] = &[10, 34, 100];

#[divan::bench(args = SIZES)]
fn round_scholz_fast(b: Bencher, n: usize) {
    let (x, issue) = problem(n);
    let o = opts("scholz", Algorithm::Fast);
    b.bench(|| eum::round(black_box(&x), &issue, &o));
}

#[divan::bench(args = SMALL)]
fn round_scholz_naive(b: Bencher, n: usize) {
    let (x, issue) = problem(n);
    let o = opts("scholz", Algorithm::Naive);
    b.bench(|| eum::round(black_box(&x), &issue, &o));
}

#[divan::bench(args = SIZES)]
fn round_printed_fast(b: Bencher, n: usize) {
    let (x, issue) = problem(n);
    let o = opts("printed", Algorithm::Fast);
    b.bench(|| eum::round(black_box(&x), &issue, &o));
}

#[divan::bench(args = SMALL)]
fn round_printed_naive(b: Bencher, n: usize) {
    let (x, issue) = problem(n);
    let o = opts("printed", Algorithm::Naive);
    b.bench(|| eum::round(black_box(&x), &issue, &o));
}

#[divan::bench(args = SIZES, sample_count = 10)]
fn run10_scholz_fast(b: Bencher, n: usize) {
    let (x, issue) = problem(n);
    let o = opts("scholz", Algorithm::Fast);
    b.bench(|| eum::run_issue(black_box(&x), &issue, &o, 10));
}

#[divan::bench(args = SMALL, sample_count = 10)]
fn run10_scholz_naive(b: Bencher, n: usize) {
    let (x, issue) = problem(n);
    let o = opts("scholz", Algorithm::Naive);
    b.bench(|| eum::run_issue(black_box(&x), &issue, &o, 10));
}

#[divan::bench(args = SIZES, sample_count = 10)]
fn run10_printed_fast(b: Bencher, n: usize) {
    let (x, issue) = problem(n);
    let o = opts("printed", Algorithm::Fast);
    b.bench(|| eum::run_issue(black_box(&x), &issue, &o, 10));
}

#[divan::bench(args = SMALL, sample_count = 10)]
fn run10_printed_naive(b: Bencher, n: usize) {
    let (x, issue) = problem(n);
    let o = opts("printed", Algorithm::Naive);
    b.bench(|| eum::run_issue(black_box(&x), &issue, &o, 10));
}

/// The real 34-actor case (Efird, Lester & Wise 2016, Table 3; KTAB SOE-Competitive),
/// embedded from the shared reference examples.
#[divan::bench(args = ["scholz", "printed"])]
fn run10_ktab_cnpc_34(b: Bencher, variant: &str) {
    let text = include_str!("../../../../shared/reference/examples/ktab_china_2014_cnpc.csv");
    let (mut c, mut x, mut s) = (vec![], vec![], vec![]);
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        c.push(f[1].parse::<f64>().unwrap());
        x.push(f[2].parse::<f64>().unwrap());
        s.push(f[3].parse::<f64>().unwrap());
    }
    let issue = Issue::new(&c, &s, &x, RangeRule::InitialPositions, (0.0, 100.0));
    let o = opts(variant, Algorithm::Fast);
    b.bench(|| eum::run_issue(black_box(&x), &issue, &o, 10));
}
