//! Fast numerical inversion of the beta CDF (PERT shapes) and of the gamma CDF (reference-class
//! rates, [`Table::build_gamma`]).
//!
//! Hörmann & Leydold (2003), "Continuous random variate generation by fast numerical inversion",
//! ACM TOMACS 13(4), §3–4: the inverse CDF `x(u)` is interpolated on intervals `[u_i, u_{i+1}]`
//! by quintic Hermite polynomials matching `x`, `x′ = 1/f` and `x″ = −f′/f³` at both ends (their
//! eq. (6) for the cubic case, extended with second derivatives as in their §3.2). Intervals are
//! split in half (in `x`) until the *u-error* `|F(Q̂(u)) − u|` at check points inside each is at
//! most [`BUILD_TOL`]. An interval whose probability mass is at most [`BUILD_TOL`] is linear: any
//! value inside it has u-error ≤ its mass (this handles the ends where the density is 0, α > 1 at
//! 0 and β > 1 at 1). The interval is found by a guide table (Chen & Asau 1974): `guide[j]` is
//! the interval holding `u = j/G`, then a short forward search.
//!
//! The table is a pure function of `(α, β)` (or of the gamma shape); [`table`] memoises it process-wide (built outside
//! the lock; two threads building the same shape build the same bits). A table that cannot meet
//! the tolerance within [`MAX_INTERVALS`] intervals is `None`, and the caller uses the exact
//! inversion.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

/// The u-error the table guarantees (tested on random and dense `u`): `|F(Q̂(u)) − u| ≤ TOL`.
pub const TOL: f64 = 1e-12;

/// The u-error each interval must meet at its check points while the table is built (a margin
/// below [`TOL`] for points between the check points).
const BUILD_TOL: f64 = 0.25 * TOL;

/// Most intervals in one table; beyond, the shape uses the exact inversion.
pub const MAX_INTERVALS: usize = 2000;

/// Largest gamma shape tabulated ([`Table::build_gamma`]): `k + ½` for a reference class of up
/// to 500 events; a larger shape uses the exact inversion. (Beyond it the CDF's own rounding,
/// `a ln x − x − ln Γ(a)` summing terms of thousands, approaches the build tolerance: a shape
/// of 700.5 cannot be tabulated within [`MAX_INTERVALS`].)
pub const MAX_GAMMA_SHAPE: f64 = 500.5;

/// The probability left out of a gamma table at each end ([`Table::build_gamma`]): a draw
/// lands there about once in 10¹⁰ and is inverted exactly.
pub const GAMMA_TAIL: f64 = 1e-10;

/// Most shapes held in the memo; further shapes get a fresh (identical) table per build.
pub const MAX_MEMO_SHAPES: usize = 4096;

/// Equal pieces a table's range starts from, before they are halved ([`Table::build_on`]).
const START_PIECES: usize = 8;

/// `e · ln_x`, and 0 when `e = 0` even where `ln_x` is −∞ at an end of the support (0 · −∞ would
/// be NaN): a term of a log-density, −∞ there (density 0) only when its exponent is positive.
fn log_term(e: f64, ln_x: f64) -> f64 {
    if e == 0.0 {
        0.0
    } else {
        e * ln_x
    }
}

/// Fractions of an interval where the u-error is checked, the middle first: the interpolation
/// error peaks there, so an interval that fails usually fails at its first check (the order
/// changes only how soon a failing interval is rejected, never which intervals pass).
const CHECK_T: [f64; 5] = [0.5, 0.35, 0.65, 0.15, 0.85];

/// Points where each polynomial must be non-decreasing (cheap: no CDF evaluation).
const MONO_STEPS: usize = 32;

/// One interval: `x(u) ≈ Σ c_k t^k` with `t = (u − u0) · inv_h`, clamped to `[x0, x1]`.
#[derive(Clone, Debug, PartialEq)]
struct Interval {
    u0: f64,
    inv_h: f64,
    c: [f64; 6],
    x0: f64,
    x1: f64,
}

/// An interpolated inverse of the Beta(α, β) or Gamma(a) CDF.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    ivs: Vec<Interval>,
    guide: Vec<u32>,
    /// `guide.len()` as `f64`, converted once rather than per evaluation.
    guide_len: f64,
    /// The `u` of the first and last nodes: the table interpolates between them
    /// ([`Table::covers`]).
    u_lo: f64,
    u_hi: f64,
}

/// The CDF, density and `f′/f` of the distribution at a node.
#[derive(Clone, Copy)]
struct Node {
    x: f64,
    u: f64,
    f: f64,
    dlf: f64,
}

impl Table {
    /// Build the table for Beta(a, b), `a, b ≥ 1`, or `None` if it would need more than
    /// [`MAX_INTERVALS`] intervals (or the shape is outside the PERT range). It covers all of
    /// `[0, 1]`.
    pub fn build(a: f64, b: f64, ln_beta: f64) -> Option<Table> {
        if !(a.is_finite() && b.is_finite() && a >= 1.0 && b >= 1.0) {
            return None;
        }
        let node = |x: f64| -> Node {
            let u = super::beta_inc_lb(a, b, x, ln_beta);
            let (lx, l1x) = (x.ln(), (1.0 - x).ln());
            let f = (log_term(a - 1.0, lx) + log_term(b - 1.0, l1x) - ln_beta).exp();
            let dlf = (a - 1.0) / x - (b - 1.0) / (1.0 - x);
            Node { x, u, f, dlf }
        };
        let cdf = |x: f64| super::beta_inc_lb(a, b, x, ln_beta);
        Table::build_on(0.0, 1.0, node, cdf)
    }

    /// Build the table for the standard Gamma(a) (rate 1), `0 < a ≤` [`MAX_GAMMA_SHAPE`], or
    /// `None` (then the exact inversion). The support is unbounded, so the table covers the
    /// central `u` only: from 0 (`a ≥ 1`, where the density at 0 is finite) or from
    /// `F(Q(GAMMA_TAIL))` (`a < 1`, where it is infinite), up to `F(Q(1 − GAMMA_TAIL))`; a
    /// caller inverts `u` outside ([`Table::covers`]) exactly. `Q` here is the exact
    /// [`super::gamma_inc_inv`], and the ends are nodes of the table.
    pub fn build_gamma(a: f64) -> Option<Table> {
        if !(a.is_finite() && a > 0.0 && a <= MAX_GAMMA_SHAPE) {
            return None;
        }
        let lg = super::ln_gamma(a);
        let node = |x: f64| -> Node {
            let u = super::gamma_inc_lg(a, x, lg);
            let f = (log_term(a - 1.0, x.ln()) - x - lg).exp();
            let dlf = if a == 1.0 { -1.0 } else { (a - 1.0) / x - 1.0 };
            Node { x, u, f, dlf }
        };
        let cdf = |x: f64| super::gamma_inc_lg(a, x, lg);
        let x_lo = if a >= 1.0 {
            0.0
        } else {
            super::gamma_inc_inv(a, GAMMA_TAIL)
        };
        let x_hi = super::gamma_inc_inv(a, 1.0 - GAMMA_TAIL);
        if !(x_lo >= 0.0 && x_hi > x_lo && x_hi.is_finite()) {
            return None;
        }
        Table::build_on(x_lo, x_hi, node, cdf)
    }

    /// The table on `[x_lo, x_hi]`: [`START_PIECES`] equal pieces, each split in half until it
    /// meets the tolerance; it covers `[F(x_lo), F(x_hi)]`. (On `[0, 1]` the nodes are exactly
    /// `k / START_PIECES`.)
    fn build_on(
        x_lo: f64,
        x_hi: f64,
        node: impl Fn(f64) -> Node,
        cdf: impl Fn(f64) -> f64,
    ) -> Option<Table> {
        let mut ivs: Vec<Interval> = Vec::new();
        // explicit stack of pending intervals, right halves pushed first so they come out in
        // order
        let nodes: Vec<Node> = (0..=START_PIECES)
            .map(|k| node(x_lo + (x_hi - x_lo) * (k as f64 / START_PIECES as f64)))
            .collect();
        let (u_lo, u_hi) = (nodes.first()?.u, nodes.last()?.u);
        let mut stack: Vec<(Node, Node)> = nodes.windows(2).rev().map(|w| (w[0], w[1])).collect();
        while let Some((n0, n1)) = stack.pop() {
            if ivs.len() >= MAX_INTERVALS {
                return None;
            }
            let mass = n1.u - n0.u;
            if mass <= BUILD_TOL {
                ivs.push(Interval {
                    u0: n0.u,
                    inv_h: if mass > 0.0 { 1.0 / mass } else { 0.0 },
                    c: [n0.x, n1.x - n0.x, 0.0, 0.0, 0.0, 0.0],
                    x0: n0.x,
                    x1: n1.x,
                });
                continue;
            }
            if let Some(iv) = hermite(&n0, &n1, &cdf) {
                ivs.push(iv);
                continue;
            }
            let xm = 0.5 * (n0.x + n1.x);
            if !(xm > n0.x && xm < n1.x) {
                return None;
            }
            let m = node(xm);
            stack.push((m, n1));
            stack.push((n0, m));
        }
        // guide table: guide[j] = the last interval with u0 ≤ j / G
        let g = ivs.len();
        let mut guide = Vec::with_capacity(g);
        let mut i = 0usize;
        for j in 0..g {
            let uj = j as f64 / g as f64;
            while i + 1 < g && ivs[i + 1].u0 <= uj {
                i += 1;
            }
            guide.push(u32::try_from(i).ok()?);
        }
        let guide_len = guide.len() as f64;
        Some(Table {
            ivs,
            guide,
            guide_len,
            u_lo,
            u_hi,
        })
    }

    /// Whether `u` is strictly inside the `u` range the table covers (`(0, 1)` for a beta
    /// table), where [`Table::eval`] holds the tolerance.
    #[inline(always)]
    pub fn covers(&self, u: f64) -> bool {
        u > self.u_lo && u < self.u_hi
    }

    /// `Q̂(u)` for `u` in `(0, 1)`.
    ///
    /// The guide index is `⌊u·G⌋` capped at `G − 1`, as `((u * G as f64) as usize).min(G − 1)`
    /// computes it for every `u` (NaN and negatives give 0 either way; `G ≤ MAX_INTERVALS` is far
    /// below `u32::MAX`, so the cap decides whenever the `u32` conversion saturates), with the
    /// cheaper conversion to `u32` and `G` converted once: this runs once per PERT input per run.
    #[inline(always)]
    pub fn eval(&self, u: f64) -> f64 {
        let g = self.guide.len();
        let j = ((u * self.guide_len) as u32 as usize).min(g - 1);
        let mut i = self.guide[j] as usize;
        while i + 1 < self.ivs.len() && self.ivs[i + 1].u0 <= u {
            i += 1;
        }
        let iv = &self.ivs[i];
        let t = ((u - iv.u0) * iv.inv_h).clamp(0.0, 1.0);
        let c = &iv.c;
        let x = c[0] + t * (c[1] + t * (c[2] + t * (c[3] + t * (c[4] + t * c[5]))));
        x.clamp(iv.x0, iv.x1)
    }

    /// Number of intervals.
    pub fn len(&self) -> usize {
        self.ivs.len()
    }

    /// Whether the table has no interval (never, for a built table).
    pub fn is_empty(&self) -> bool {
        self.ivs.is_empty()
    }

    /// Heap bytes of the table.
    pub fn bytes(&self) -> usize {
        self.ivs.len() * std::mem::size_of::<Interval>()
            + self.guide.len() * std::mem::size_of::<u32>()
    }
}

/// The quintic Hermite interval between two nodes, if both densities are positive, the
/// polynomial is non-decreasing and its u-error at [`CHECK_T`] is at most [`BUILD_TOL`].
fn hermite(n0: &Node, n1: &Node, cdf: &impl Fn(f64) -> f64) -> Option<Interval> {
    if !(n0.f > 0.0 && n1.f > 0.0 && n0.f.is_finite() && n1.f.is_finite()) {
        return None;
    }
    let h = n1.u - n0.u;
    // derivatives of x(u) scaled to t ∈ [0, 1]: x′ = 1/f, x″ = −(f′/f)/f²
    let (p0, p1) = (n0.x, n1.x);
    let d0 = h / n0.f;
    let d1 = h / n1.f;
    let s0 = -h * h * n0.dlf / (n0.f * n0.f);
    let s1 = -h * h * n1.dlf / (n1.f * n1.f);
    if !(d0.is_finite() && d1.is_finite() && s0.is_finite() && s1.is_finite()) {
        return None;
    }
    let dp = p1 - p0;
    let c = [
        p0,
        d0,
        0.5 * s0,
        10.0 * dp - 6.0 * d0 - 4.0 * d1 - 0.5 * (3.0 * s0 - s1),
        -15.0 * dp + 8.0 * d0 + 7.0 * d1 + 0.5 * (3.0 * s0 - 2.0 * s1),
        6.0 * dp - 3.0 * d0 - 3.0 * d1 - 0.5 * (s0 - s1),
    ];
    let iv = Interval {
        u0: n0.u,
        inv_h: 1.0 / h,
        c,
        x0: p0,
        x1: p1,
    };
    let poly = |t: f64| c[0] + t * (c[1] + t * (c[2] + t * (c[3] + t * (c[4] + t * c[5]))));
    let mut prev = p0;
    for k in 1..=MONO_STEPS {
        let x = poly(k as f64 / MONO_STEPS as f64);
        if x.is_nan() || x < prev {
            return None;
        }
        prev = x;
    }
    for &t in &CHECK_T {
        let x = poly(t).clamp(p0, p1);
        let err = (cdf(x) - (n0.u + t * h)).abs();
        if err.is_nan() || err > BUILD_TOL {
            return None;
        }
    }
    Some(iv)
}

/// What a memoised table inverts: a beta shape `(α, β)` or a gamma shape `a`, by their bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Shape {
    Beta(u64, u64),
    Gamma(u64),
}

type Memo = RwLock<HashMap<Shape, Option<Arc<Table>>>>;

fn memo() -> &'static Memo {
    static MEMO: OnceLock<Memo> = OnceLock::new();
    MEMO.get_or_init(|| RwLock::new(HashMap::new()))
}

/// The memo's table for `key`, built by `build` (outside the lock) when it is not there yet.
fn memoised(key: Shape, build: impl FnOnce() -> Option<Table>) -> Option<Arc<Table>> {
    if let Ok(m) = memo().read() {
        if let Some(t) = m.get(&key) {
            return t.clone();
        }
    }
    let built = build().map(Arc::new);
    match memo().write() {
        Ok(mut m) => {
            if m.len() < MAX_MEMO_SHAPES || m.contains_key(&key) {
                m.entry(key).or_insert(built).clone()
            } else {
                built
            }
        }
        Err(_) => built,
    }
}

/// The table of Beta(a, b) (with `ln B(a, b)`), shared process-wide; `None` when the shape
/// uses the exact inversion. The same bits whichever thread or job builds it first.
pub fn table(a: f64, b: f64, ln_beta: f64) -> Option<Arc<Table>> {
    memoised(Shape::Beta(a.to_bits(), b.to_bits()), || {
        Table::build(a, b, ln_beta)
    })
}

/// The table of the standard Gamma(a) ([`Table::build_gamma`]), shared process-wide like
/// [`table`]'s.
pub fn gamma_table(a: f64) -> Option<Arc<Table>> {
    memoised(Shape::Gamma(a.to_bits()), || Table::build_gamma(a))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::{beta_inc, ln_beta};

    fn uni(k: u64, slot: u64) -> f64 {
        crate::rng::draw(11, k, 0, slot)
    }

    /// Random shapes with α, β in [1, 5], random PERT shapes (α + β = 6) and near-degenerate
    /// ones (mode at min or max, α = 1 + 1e-9, α = β = 3).
    fn shapes() -> Vec<(f64, f64)> {
        let mut v = vec![
            (1.0, 5.0),
            (5.0, 1.0),
            (1.0 + 1e-9, 5.0 - 1e-9),
            (5.0 - 1e-9, 1.0 + 1e-9),
            (3.0, 3.0),
            (1.0, 1.0),
            (5.0, 5.0),
            (1.0 + 1e-9, 1.0 + 1e-9),
        ];
        for k in 0..40 {
            v.push((1.0 + 4.0 * uni(k, 0), 1.0 + 4.0 * uni(k, 1)));
            let m = uni(k, 2);
            v.push((1.0 + 4.0 * m, 1.0 + 4.0 * (1.0 - m)));
        }
        v
    }

    fn built(a: f64, b: f64) -> Table {
        match Table::build(a, b, ln_beta(a, b)) {
            Some(t) => t,
            None => panic!("no table for a {a} b {b}"),
        }
    }

    /// `eval` through the guide equals `eval` from the interval found by a linear search (the
    /// last with `u0 ≤ u`), bit for bit, at and a few floats around every guide point `j/G` and
    /// every interval start, where rounding `u·G` could name the neighbouring guide entry.
    /// (Were an interval to start exactly at such a rounded point, the guide would name it for
    /// the `u` one float below, and `eval` give its start `x0`: the value the interval holding
    /// `u` reaches at its end, the Hermite pieces meeting at their nodes, so within the table's
    /// u-error, though not the same bits.)
    #[test]
    fn the_guide_finds_the_interval_a_linear_search_finds() {
        fn by_search(t: &Table, u: f64) -> f64 {
            let i = t.ivs.iter().rposition(|iv| iv.u0 <= u).unwrap_or(0);
            let iv = &t.ivs[i];
            let x = (u - iv.u0) * iv.inv_h;
            let x = x.clamp(0.0, 1.0);
            let c = &iv.c;
            let p = c[0] + x * (c[1] + x * (c[2] + x * (c[3] + x * (c[4] + x * c[5]))));
            p.clamp(iv.x0, iv.x1)
        }
        let near = |x: f64| {
            let mut v = vec![x];
            let (mut lo, mut hi) = (x, x);
            for _ in 0..3 {
                lo = lo.next_down();
                hi = hi.next_up();
                v.extend([lo, hi]);
            }
            v
        };
        let mut checked = 0u64;
        let tables = shapes()
            .into_iter()
            .take(24)
            .map(|(a, b)| (format!("beta a {a} b {b}"), built(a, b)))
            .chain(
                gamma_shapes()
                    .into_iter()
                    .take(12)
                    .map(|a| (format!("gamma a {a}"), built_gamma(a))),
            );
        for (name, t) in tables {
            let g = t.guide.len();
            let points = (0..g)
                .map(|j| j as f64 / g as f64)
                .chain(t.ivs.iter().map(|iv| iv.u0));
            for p in points {
                for u in near(p).into_iter().filter(|u| t.covers(*u)) {
                    assert_eq!(
                        t.eval(u).to_bits(),
                        by_search(&t, u).to_bits(),
                        "{name} u {u:e}"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 15_000, "{checked} points");
    }

    /// The u-error |F(Q̂(u)) − u| with the exact `beta_inc`, at the ends, extreme u, random u and
    /// densely spaced u; Q̂(0) = 0 and Q̂(1) = 1.
    #[test]
    fn u_error_within_tolerance() {
        let mut worst = 0.0_f64;
        let mut most = 0;
        for (s, &(a, b)) in shapes().iter().enumerate() {
            let t = built(a, b);
            most = most.max(t.len());
            let mut us = vec![
                0.0,
                1.0,
                1e-300,
                1e-16,
                1.0 - 1e-16,
                0.5,
                1e-12,
                1.0 - 1e-12,
            ];
            us.extend((0..300).map(|k| uni(1000 + s as u64, k)));
            us.extend((0..=3000).map(|k| k as f64 / 3000.0));
            us.extend((0..=300).map(|k| 1e-3 * k as f64 / 300.0));
            us.extend((0..=300).map(|k| 1.0 - 1e-3 * k as f64 / 300.0));
            for &u in &us {
                let x = t.eval(u);
                assert!((0.0..=1.0).contains(&x), "a {a} b {b} u {u}: {x}");
                let err = (beta_inc(a, b, x) - u).abs();
                worst = worst.max(err);
                assert!(err <= TOL, "a {a} b {b} u {u}: x {x} u-error {err:e}");
            }
            assert!(t.eval(0.0).abs() <= TOL, "a {a} b {b}");
            assert!((t.eval(1.0) - 1.0).abs() <= TOL, "a {a} b {b}");
        }
        println!("worst u-error {worst:e}, most intervals {most}");
    }

    /// Q̂ is non-decreasing in u on a dense grid (across interval boundaries too).
    #[test]
    fn table_is_monotone() {
        for &(a, b) in shapes().iter().take(20) {
            let t = built(a, b);
            let n = 200_000;
            let mut prev = t.eval(0.0);
            for k in 1..=n {
                let u = k as f64 / n as f64;
                let x = t.eval(u);
                assert!(x >= prev, "a {a} b {b} u {u}: {x} < {prev}");
                prev = x;
            }
            // and across every interval boundary: the float just below its start
            for iv in t.ivs.iter().skip(1).filter(|iv| iv.u0 > 0.0) {
                let below = f64::from_bits(iv.u0.to_bits() - 1);
                let (x0, x1) = (t.eval(below), t.eval(iv.u0));
                assert!(x1 >= x0, "a {a} b {b} at u {}: {x1} < {x0}", iv.u0);
            }
        }
    }

    /// Gamma shapes: the Jeffreys `k + ½` of small and large reference classes, the exponential
    /// (`a = 1`), random shapes in (0, 30) and the largest tabulated.
    fn gamma_shapes() -> Vec<f64> {
        let mut v = vec![
            0.5,
            1.0,
            1.5,
            2.5,
            3.5,
            5.5,
            10.5,
            50.5,
            200.5,
            400.5,
            MAX_GAMMA_SHAPE,
        ];
        v.extend((0..12).map(|k| 30.0 * uni(k, 7)));
        v
    }

    fn built_gamma(a: f64) -> Table {
        match Table::build_gamma(a) {
            Some(t) => t,
            None => panic!("no gamma table for a {a}"),
        }
    }

    /// The gamma tables' u-error with the exact `gamma_inc`, on random, dense and extreme `u`
    /// inside what each covers; the covered range leaves out at most [`GAMMA_TAIL`] (plus the
    /// tolerance) at each end, and nothing at 0 when `a ≥ 1`.
    #[test]
    fn gamma_u_error_within_tolerance() {
        let mut worst = 0.0_f64;
        let mut most = 0;
        for (s, &a) in gamma_shapes().iter().enumerate() {
            let t = built_gamma(a);
            most = most.max(t.len());
            assert!(t.u_lo <= GAMMA_TAIL + TOL, "a {a}: u_lo {:e}", t.u_lo);
            assert!(t.u_hi >= 1.0 - GAMMA_TAIL - TOL, "a {a}: u_hi {}", t.u_hi);
            if a >= 1.0 {
                assert_eq!(t.u_lo, 0.0, "a {a}");
            }
            let mut us = vec![1e-300, 1e-16, 1e-12, 1e-10, 1e-9, 0.5, 1.0 - 1e-9];
            us.extend((0..300).map(|k| uni(2000 + s as u64, k)));
            us.extend((0..=3000).map(|k| k as f64 / 3000.0));
            us.extend((0..=300).map(|k| 1e-3 * k as f64 / 300.0));
            us.extend((0..=300).map(|k| 1.0 - 1e-3 * k as f64 / 300.0));
            us.extend([t.u_lo.next_up(), t.u_hi.next_down()]);
            for &u in us.iter().filter(|&&u| t.covers(u)) {
                let x = t.eval(u);
                assert!(x >= 0.0 && x.is_finite(), "a {a} u {u}: {x}");
                let err = (crate::sample::gamma_inc(a, x) - u).abs();
                worst = worst.max(err);
                assert!(err <= TOL, "a {a} u {u}: x {x} u-error {err:e}");
            }
            assert!(!t.covers(0.0) && !t.covers(1.0), "a {a}");
        }
        println!("worst gamma u-error {worst:e}, most intervals {most}");
    }

    /// A gamma table is non-decreasing in u on a dense grid and across its interval boundaries.
    #[test]
    fn gamma_table_is_monotone() {
        for &a in gamma_shapes().iter().take(10) {
            let t = built_gamma(a);
            let n = 200_000;
            let mut prev = 0.0;
            for k in 1..n {
                let u = k as f64 / n as f64;
                if t.covers(u) {
                    let x = t.eval(u);
                    assert!(x >= prev, "a {a} u {u}: {x} < {prev}");
                    prev = x;
                }
            }
            for iv in t.ivs.iter().skip(1) {
                let below = iv.u0.next_down();
                if t.covers(below) {
                    let (x0, x1) = (t.eval(below), t.eval(iv.u0));
                    assert!(x1 >= x0, "a {a} at u {}: {x1} < {x0}", iv.u0);
                }
            }
        }
    }

    /// Shapes outside `(0, MAX_GAMMA_SHAPE]` (and NaN) have no table.
    #[test]
    fn gamma_shapes_out_of_range_have_no_table() {
        for a in [
            0.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            MAX_GAMMA_SHAPE.next_up(),
            1e6,
        ] {
            assert!(Table::build_gamma(a).is_none(), "a {a}");
        }
    }

    /// The same table (and bits) from a fresh build, from the memo, and from two threads.
    #[test]
    fn same_bits_fresh_cached_and_threads() {
        let (a, b) = (1.0 + 4.0 * 0.123_456_789, 1.0 + 4.0 * (1.0 - 0.123_456_789));
        let lb = ln_beta(a, b);
        let handles: Vec<_> = (0..2)
            .map(|_| std::thread::spawn(move || table(a, b, lb)))
            .collect();
        let from_threads: Vec<_> = handles
            .into_iter()
            .map(|h| h.join().ok().flatten())
            .collect();
        let fresh = built(a, b);
        let cached = table(a, b, lb);
        let grid: Vec<f64> = (0..=10_000).map(|k| k as f64 / 10_000.0).collect();
        for got in from_threads.iter().chain(std::iter::once(&cached)) {
            let Some(got) = got else { panic!("no table") };
            assert_eq!(**got, fresh);
            for &u in &grid {
                assert_eq!(got.eval(u).to_bits(), fresh.eval(u).to_bits(), "u {u}");
            }
        }
    }
}
