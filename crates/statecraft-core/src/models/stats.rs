//! c·s-weighted statistics of positions shared by every bargaining model and the engine.

use serde::{Deserialize, Serialize};

/// How to pick the weighted median when the minimisers of `Σ w_k |x_k − x|` over the actor
/// positions form an interval `[a, b]` (an exact half of the weight on each side).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TieRule {
    /// `a`, the lower end (default; reproduces every worked example, see `docs/models/median.md`).
    #[default]
    Lower,
    /// `b`, the upper end.
    Upper,
    /// `(a + b) / 2`.
    Midpoint,
}

impl TieRule {
    /// The name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            TieRule::Lower => "lower",
            TieRule::Upper => "upper",
            TieRule::Midpoint => "midpoint",
        }
    }
}

impl std::str::FromStr for TieRule {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "lower" => Ok(TieRule::Lower),
            "upper" => Ok(TieRule::Upper),
            "midpoint" | "mid" => Ok(TieRule::Midpoint),
            _ => Err(format!(
                "unknown median tie rule `{s}` (expected lower, upper or midpoint)"
            )),
        }
    }
}

/// Relative tolerance under which the weight below a position counts as exactly half.
/// Sums of products such as 0.08·0.8 are not exact in binary floating point; without a
/// tolerance a true tie would be broken by rounding noise.
pub const HALF_TOL: f64 = 1e-12;

/// Whether a weight is used as given (finite and positive).
fn usable(v: f64) -> bool {
    v.is_finite() && v > 0.0
}

/// The weights actually used, entry by entry, without building them: if some weight is
/// usable, the usable ones as given and 0 for the rest; if none is, equal weights (1 each).
/// `any` = whether some weight of the list is usable.
#[inline]
fn effective(any: bool, v: f64) -> f64 {
    if !any {
        1.0
    } else if usable(v) {
        v
    } else {
        0.0
    }
}

/// `Σ w_k x_k / Σ w_k`; equal weights if all weights are zero; NaN if `x` is empty.
/// Allocates nothing: the effective weights are read as they are summed, in the same order
/// (the same bits as summing them collected).
pub fn weighted_mean(x: &[f64], w: &[f64]) -> f64 {
    let any = w.iter().any(|&v| usable(v));
    let total: f64 = w.iter().map(|&v| effective(any, v)).sum();
    if x.is_empty() || total <= 0.0 {
        return f64::NAN;
    }
    x.iter()
        .zip(w.iter().map(|&v| effective(any, v)))
        .map(|(x, w)| x * w)
        .sum::<f64>()
        / total
}

thread_local! {
    /// The position order of [`weighted_median`], kept per thread so that a median (one per
    /// issue at the end of every crisis run, one per round in EUM) allocates nothing.
    static ORDER: std::cell::RefCell<Vec<usize>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The weighted median of `x` with weights `w`: a minimiser of `Σ w_k |x_k − p|` over the
/// positions `p ∈ x`, i.e. the Condorcet winner among the positions under linear votes.
/// Equal weights if all weights are zero; NaN if `x` is empty.
pub fn weighted_median(x: &[f64], w: &[f64], tie: TieRule) -> f64 {
    if x.is_empty() {
        return f64::NAN;
    }
    ORDER.with(|o| match o.try_borrow_mut() {
        Ok(mut idx) => median_in(x, w, tie, &mut idx),
        Err(_) => median_in(x, w, tie, &mut Vec::new()),
    })
}

/// [`weighted_median`] of a non-empty `x` with `idx` as the buffer of the position order.
fn median_in(x: &[f64], w: &[f64], tie: TieRule, idx: &mut Vec<usize>) -> f64 {
    let any = w.iter().any(|&v| usable(v));
    let we = |i: usize| effective(any, w[i]);
    idx.clear();
    idx.extend(0..x.len());
    // the order of a stable sort by position (equal positions in index order, which the
    // running sum below adds in), without the stable sort's buffer
    idx.sort_unstable_by(|&a, &b| x[a].total_cmp(&x[b]).then(a.cmp(&b)));
    let total: f64 = w.iter().map(|&v| effective(any, v)).sum();
    let half = 0.5 * total;
    let tol = HALF_TOL * total;
    let mut cum = 0.0;
    let mut t = 0;
    while t < idx.len() {
        // Group equal positions.
        let p = x[idx[t]];
        // the first always counts (a NaN position, which equals nothing, cannot stall the
        // walk); the rest while equal
        cum += we(idx[t]);
        t += 1;
        while t < idx.len() && x[idx[t]] == p {
            cum += we(idx[t]);
            t += 1;
        }
        if cum > half + tol {
            return p;
        }
        if cum >= half - tol {
            // Exactly half the weight is at or below p: every point up to the next
            // weighted position minimises the sum.
            let mut u = t;
            while u < idx.len() && we(idx[u]) == 0.0 {
                u += 1;
            }
            let Some(&next) = idx.get(u) else {
                return p;
            };
            let q = x[next];
            return match tie {
                TieRule::Lower => p,
                TieRule::Upper => q,
                TieRule::Midpoint => 0.5 * (p + q),
            };
        }
    }
    x[idx[idx.len() - 1]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_median_of_bdm_1994() {
        // Bueno de Mesquita (1994) EU emissions table; the examples README gives the initial
        // weighted median 7 and the c·s-weighted mean 7.390.
        let c = [0.08, 0.08, 0.03, 0.16, 0.16, 0.16, 0.16, 0.05, 0.05, 0.08];
        let x = [4., 7., 4., 4., 10., 10., 10., 7., 4., 7.];
        let s = [0.8, 0.4, 0.2, 0.8, 0.6, 0.6, 0.9, 0.1, 1.0, 0.7];
        let w: Vec<f64> = c.iter().zip(&s).map(|(c, s)| c * s).collect();
        assert!((weighted_mean(&x, &w) - 7.390).abs() < 5e-4);
        assert_eq!(weighted_median(&x, &w, TieRule::Lower), 7.0);
    }

    #[test]
    fn tie_rules() {
        let x = [10.0, 4.0];
        let w = [1.0, 1.0];
        assert_eq!(weighted_median(&x, &w, TieRule::Lower), 4.0);
        assert_eq!(weighted_median(&x, &w, TieRule::Upper), 10.0);
        assert_eq!(weighted_median(&x, &w, TieRule::Midpoint), 7.0);
        // A zero-weight position inside the tie interval is skipped by Upper.
        let x = [4.0, 6.0, 10.0];
        let w = [1.0, 0.0, 1.0];
        assert_eq!(weighted_median(&x, &w, TieRule::Upper), 10.0);
        // No tie: the majority side wins.
        assert_eq!(
            weighted_median(&[1., 2., 3.], &[1., 1., 3.], TieRule::Lower),
            3.0
        );
    }

    #[test]
    fn zero_weights_fall_back_to_equal() {
        assert_eq!(weighted_mean(&[2.0, 4.0], &[0.0, 0.0]), 3.0);
        assert_eq!(
            weighted_median(&[2.0, 4.0, 9.0], &[0.0, 0.0, 0.0], TieRule::Lower),
            4.0
        );
        assert!(weighted_mean(&[], &[]).is_nan());
    }

    proptest::proptest! {
        #[test]
        fn median_minimises_absolute_deviation(
            pts in proptest::collection::vec((0u8..20, 0.0f64..5.0), 1..15)
        ) {
            let x: Vec<f64> = pts.iter().map(|p| f64::from(p.0)).collect();
            let w: Vec<f64> = pts.iter().map(|p| p.1).collect();
            let cost = |p: f64| -> f64 {
                let any = w.iter().any(|&v| usable(v));
                let we = w.iter().map(|&v| effective(any, v));
                x.iter().zip(we).map(|(x, w)| w * (x - p).abs()).sum()
            };
            let best = x.iter().map(|&p| cost(p)).fold(f64::INFINITY, f64::min);
            for tie in [TieRule::Lower, TieRule::Upper, TieRule::Midpoint] {
                let m = weighted_median(&x, &w, tie);
                proptest::prop_assert!(cost(m) <= best + 1e-9 * (1.0 + best));
            }
            let lo = weighted_median(&x, &w, TieRule::Lower);
            let hi = weighted_median(&x, &w, TieRule::Upper);
            proptest::prop_assert!(lo <= hi);
        }
    }
}
