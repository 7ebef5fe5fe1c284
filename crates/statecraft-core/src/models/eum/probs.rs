//! The probability of success P(i beats j) for every pair of positions, computed two ways:
//! a literal O(n³) transcription (the test oracle) and a fast exact formulation.
//!
//! Fast formulation:
//! - positions are deduplicated (m distinct values; after a few rounds m ≪ n);
//! - **linear votes** (the printed P, and Scholz's P while every r = 1): with the distinct
//!   positions sorted and prefix sums of the weights W and of W·x, the votes for lo over hi,
//!   `Σ_k w_k max(0, |x_k − hi| − |x_k − lo|)`, split into voters at or below lo (each gives
//!   hi − lo) and voters between lo and the midpoint (each gives hi + lo − 2x_k): two binary
//!   searches and four prefix differences, O(log m) per pair;
//! - Scholz's all-pairs denominator: for each voter k, `Σ_{a,b} |g_a − g_b|` over the sorted
//!   g_a = (|x_k − x_a|/Δ)^{r_k} is a weighted rank sum, O(m log m) per voter;
//! - Scholz's numerator with per-voter exponents r_k ≠ 1 is not a sum of separable terms, so
//!   it stays O(m² n) (a cache-friendly table of g values); see `docs/performance.md`.

use super::options::{Algorithm, Probability};

/// P(i beats j) for every pair of actors, stored per pair of distinct positions.
pub struct Probs {
    /// Row/column of each actor in `p`.
    pos_of: Vec<usize>,
    m: usize,
    /// `p[a * m + b]` = P(position a beats position b).
    p: Vec<f64>,
}

impl Probs {
    #[inline]
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.p[self.pos_of[i] * self.m + self.pos_of[j]]
    }
}

/// Inputs of the vote sums: positions, weights c·s, exponents r, range Δ.
pub struct VoteInput<'a> {
    pub x: &'a [f64],
    pub w: &'a [f64],
    pub r: &'a [f64],
    pub delta: f64,
}

/// `(|x_k − y| / Δ)^r`.
#[inline]
fn g(xk: f64, y: f64, delta: f64, r: f64) -> f64 {
    let d = (xk - y).abs() / delta;
    if r == 1.0 {
        d
    } else {
        d.powf(r)
    }
}

/// Compute P for every pair with the chosen rule and algorithm.
pub fn compute(v: &VoteInput, rule: Probability, alg: Algorithm) -> Probs {
    match alg {
        Algorithm::Naive => naive(v, rule),
        Algorithm::Fast => fast(v, rule),
    }
}

/// Literal transcription of eqs. 30–31 (printed) and of Scholz's code (all pairs). O(n³).
pub fn naive(v: &VoteInput, rule: Probability) -> Probs {
    let n = v.x.len();
    let mut p = vec![0.0; n * n];
    match rule {
        Probability::AllPairs => {
            let mut den = 0.0;
            for k in 0..n {
                for a in 0..n {
                    for b in 0..n {
                        let ga = g(v.x[k], v.x[a], v.delta, v.r[k]);
                        let gb = g(v.x[k], v.x[b], v.delta, v.r[k]);
                        den += (v.w[k] * (gb - ga)).abs();
                    }
                }
            }
            for i in 0..n {
                for j in 0..n {
                    if v.x[i] == v.x[j] || den <= 0.0 {
                        continue;
                    }
                    let mut num = 0.0;
                    for k in 0..n {
                        let vote = v.w[k]
                            * (g(v.x[k], v.x[j], v.delta, v.r[k])
                                - g(v.x[k], v.x[i], v.delta, v.r[k]));
                        num += vote.max(0.0);
                    }
                    p[i * n + j] = num / den;
                }
            }
        }
        Probability::Printed => {
            for i in 0..n {
                for j in 0..n {
                    if v.x[i] == v.x[j] {
                        continue;
                    }
                    let (mut num, mut den) = (0.0, 0.0);
                    for k in 0..n {
                        let vote = v.w[k] * ((v.x[k] - v.x[j]).abs() - (v.x[k] - v.x[i]).abs());
                        num += vote.max(0.0);
                        den += vote.abs();
                    }
                    p[i * n + j] = if den > 0.0 { num / den } else { 0.5 };
                }
            }
        }
    }
    Probs {
        pos_of: (0..n).collect(),
        m: n,
        p,
    }
}

/// Distinct sorted positions, the index of each actor's position, and the multiplicity and
/// total weight at each distinct position.
struct Distinct {
    vals: Vec<f64>,
    pos_of: Vec<usize>,
    count: Vec<f64>,
    weight: Vec<f64>,
}

fn distinct(x: &[f64], w: &[f64]) -> Distinct {
    let mut vals: Vec<f64> = x.to_vec();
    vals.sort_by(f64::total_cmp);
    vals.dedup();
    let m = vals.len();
    let mut pos_of = Vec::with_capacity(x.len());
    let mut count = vec![0.0; m];
    let mut weight = vec![0.0; m];
    for (k, &xk) in x.iter().enumerate() {
        let a = vals.partition_point(|&v| v < xk);
        pos_of.push(a);
        count[a] += 1.0;
        weight[a] += w[k];
    }
    Distinct {
        vals,
        pos_of,
        count,
        weight,
    }
}

/// Linear vote totals for every pair of distinct positions: `out[a*m+b]` = Σ_k w_k ·
/// max(0, |x_k − v_b| − |x_k − v_a|), the votes for position a over position b.
fn linear_votes(d: &Distinct) -> Vec<f64> {
    let m = d.vals.len();
    // Centre the coordinates so that hi + lo − 2x is computed without cancellation.
    let c = 0.5 * (d.vals[0] + d.vals[m - 1]);
    let v: Vec<f64> = d.vals.iter().map(|x| x - c).collect();
    let mut wc = vec![0.0; m + 1];
    let mut xc = vec![0.0; m + 1];
    for t in 0..m {
        wc[t + 1] = wc[t] + d.weight[t];
        xc[t + 1] = xc[t] + d.weight[t] * v[t];
    }
    let wtot = wc[m];
    let mut out = vec![0.0; m * m];
    for a in 0..m {
        for b in a + 1..m {
            let (lo, hi) = (v[a], v[b]);
            let len = hi - lo;
            let mid = 0.5 * (lo + hi);
            // Voters strictly between a and b: indices a+1 .. b.
            let slice = &v[a + 1..b];
            let cpos = a + 1 + slice.partition_point(|&x| x < mid);
            let epos = a + 1 + slice.partition_point(|&x| x <= mid);
            let for_lo =
                len * wc[a + 1] + (hi + lo) * (wc[cpos] - wc[a + 1]) - 2.0 * (xc[cpos] - xc[a + 1]);
            let for_hi =
                len * (wtot - wc[b]) + 2.0 * (xc[b] - xc[epos]) - (hi + lo) * (wc[b] - wc[epos]);
            out[a * m + b] = for_lo.max(0.0);
            out[b * m + a] = for_hi.max(0.0);
        }
    }
    out
}

/// The fast exact formulation (see the module docs).
pub fn fast(v: &VoteInput, rule: Probability) -> Probs {
    let n = v.x.len();
    let d = distinct(v.x, v.w);
    let m = d.vals.len();
    let mut p = vec![0.0; m * m];
    match rule {
        Probability::Printed => {
            let votes = linear_votes(&d);
            for a in 0..m {
                for b in 0..m {
                    if a == b {
                        continue;
                    }
                    let (num, other) = (votes[a * m + b], votes[b * m + a]);
                    let den = num + other;
                    p[a * m + b] = if den > 0.0 { num / den } else { 0.5 };
                }
            }
        }
        Probability::AllPairs => {
            let den = all_pairs_denominator(v, &d);
            if den > 0.0 {
                if v.r.iter().all(|&r| r == 1.0) {
                    let votes = linear_votes(&d);
                    for (pp, vv) in p.iter_mut().zip(&votes) {
                        *pp = vv / v.delta / den;
                    }
                } else {
                    // gt[a * n + k] = w_k (|x_k − v_a|/Δ)^{r_k}
                    let mut gt = vec![0.0; m * n];
                    for a in 0..m {
                        for k in 0..n {
                            gt[a * n + k] = v.w[k] * g(v.x[k], d.vals[a], v.delta, v.r[k]);
                        }
                    }
                    for a in 0..m {
                        let ga = &gt[a * n..(a + 1) * n];
                        for b in a + 1..m {
                            let gb = &gt[b * n..(b + 1) * n];
                            let (for_a, for_b) = split_votes(ga, gb);
                            p[a * m + b] = for_a / den;
                            p[b * m + a] = for_b / den;
                        }
                    }
                }
            }
        }
    }
    Probs {
        pos_of: d.pos_of,
        m,
        p,
    }
}

/// `(Σ_k max(0, gb_k − ga_k), Σ_k max(0, ga_k − gb_k))`: the votes for a over b and for b
/// over a. Four independent accumulators per sum let the compiler vectorise the loop.
#[inline]
fn split_votes(ga: &[f64], gb: &[f64]) -> (f64, f64) {
    let mut pa = [0.0f64; 4];
    let mut pb = [0.0f64; 4];
    let mut ca = ga.chunks_exact(4);
    let mut cb = gb.chunks_exact(4);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for l in 0..4 {
            let diff = y[l] - x[l];
            pa[l] += diff.max(0.0);
            pb[l] += (-diff).max(0.0);
        }
    }
    let (mut for_a, mut for_b) = (
        (pa[0] + pa[1]) + (pa[2] + pa[3]),
        (pb[0] + pb[1]) + (pb[2] + pb[3]),
    );
    for (x, y) in ca.remainder().iter().zip(cb.remainder()) {
        let diff = y - x;
        for_a += diff.max(0.0);
        for_b += (-diff).max(0.0);
    }
    (for_a, for_b)
}

/// Σ_k Σ_a Σ_b |w_k (g_k(b) − g_k(a))| over all ordered actor pairs (a, b).
fn all_pairs_denominator(v: &VoteInput, d: &Distinct) -> f64 {
    let m = d.vals.len();
    let mut total = 0.0;
    let mut gs: Vec<(f64, f64)> = Vec::with_capacity(m);
    for k in 0..v.x.len() {
        if v.w[k] == 0.0 {
            continue;
        }
        gs.clear();
        gs.extend((0..m).map(|a| (g(v.x[k], d.vals[a], v.delta, v.r[k]), d.count[a])));
        gs.sort_by(|p, q| p.0.total_cmp(&q.0));
        // Σ_{t<u} c_t c_u (g_u − g_t) = Σ_u c_u g_u (C_<u) − Σ_t c_t g_t (C_>t).
        let n_all: f64 = gs.iter().map(|p| p.1).sum();
        let mut before = 0.0;
        let mut s = 0.0;
        for &(gv, c) in &gs {
            let after = n_all - before - c;
            s += c * gv * (before - after);
            before += c;
        }
        total += v.w[k] * 2.0 * s;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(x: &[f64], w: &[f64], r: &[f64], rule: Probability) -> Result<(), TestCaseError> {
        let lo = x.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let delta = if hi > lo { hi - lo } else { 1.0 };
        let v = VoteInput { x, w, r, delta };
        let a = naive(&v, rule);
        let b = fast(&v, rule);
        for i in 0..x.len() {
            for j in 0..x.len() {
                let (pa, pb) = (a.get(i, j), b.get(i, j));
                prop_assert!(
                    (pa - pb).abs() <= 1e-9 * (1.0 + pa.abs()),
                    "P({i},{j}) naive {pa} fast {pb}"
                );
            }
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn fast_probabilities_equal_naive(
            pts in prop::collection::vec((0u8..30, 0.0f64..1.0, 0.5f64..2.0, any::<bool>()), 2..14)
        ) {
            let x: Vec<f64> = pts.iter().map(|p| f64::from(p.0) * 3.5).collect();
            let w: Vec<f64> = pts.iter().map(|p| p.1).collect();
            let r: Vec<f64> = pts.iter().map(|p| if p.3 { 1.0 } else { p.2 }).collect();
            let ones = vec![1.0; x.len()];
            check(&x, &w, &ones, Probability::AllPairs)?;
            check(&x, &w, &r, Probability::AllPairs)?;
            check(&x, &w, &ones, Probability::Printed)?;
        }
    }

    #[test]
    fn printed_probabilities_sum_to_one() {
        let x = [4.0, 7.0, 10.0, 4.0];
        let w = [1.0, 0.5, 2.0, 0.2];
        let r = [1.0; 4];
        let v = VoteInput {
            x: &x,
            w: &w,
            r: &r,
            delta: 6.0,
        };
        let p = fast(&v, Probability::Printed);
        assert!((p.get(0, 2) + p.get(2, 0) - 1.0).abs() < 1e-12);
        // Voters 0, 3 (at 4) and 1 (at 7, closer to 4 than to 10) vote for 4:
        // 1·6 + 0.2·6 + 0.5·(3 − 3)... 7 is equidistant, so it votes for neither.
        assert!((p.get(0, 2) - (1.2 * 6.0) / (1.2 * 6.0 + 2.0 * 6.0)).abs() < 1e-12);
        assert_eq!(p.get(0, 3), 0.0);
    }
}
