//! Small statistics used by the aggregators: Wilson intervals, quantiles, paired intervals.

use serde::{Deserialize, Serialize};

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Wilson score interval for `k` successes in `n` trials at normal quantile `z`
/// (Wilson 1927; Brown, Cai & DasGupta 2001). Returns `(lo, hi)`; `(0, 1)` when `n = 0`.
pub fn wilson(k: u64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let n = n as f64;
    let p = k as f64 / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // Exact at the ends (the formula gives them up to rounding).
    let lo = if k == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let hi = if k as f64 == n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    (lo.min(p), hi.max(p))
}

/// Smallest run count `m ≥ n` at which the Wilson 95% interval for the observed proportion
/// `k/n` would have half-width ≤ `tol` (the proportion held fixed).
pub fn runs_needed(k: u64, n: u64, tol: f64) -> u64 {
    if n == 0 || tol <= 0.0 {
        return n;
    }
    let p = k as f64 / n as f64;
    let half = |m: f64| {
        let z2 = Z95 * Z95;
        Z95 / (1.0 + z2 / m) * (p * (1.0 - p) / m + z2 / (4.0 * m * m)).sqrt()
    };
    if half(n as f64) <= tol {
        return n;
    }
    let (mut lo, mut hi) = (n as f64, (n as f64).max(1.0) * 2.0);
    while half(hi) > tol && hi < 1e15 {
        lo = hi;
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = (0.5 * (lo + hi)).floor();
        if mid <= lo {
            break;
        }
        if half(mid) > tol {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi.ceil() as u64
}

/// Quantile of sorted data by linear interpolation between order statistics (Hyndman & Fan
/// type 7, R's default). `sorted` must be non-empty and ascending.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// [`quantile_sorted`] of `v` at every level of `qs`, without sorting `v`: the order statistics
/// the interpolation reads are found by selection (O(n) each), so the results are the same bits
/// as sorting `v` by [`f64::total_cmp`] and calling [`quantile_sorted`]. `v` is permuted.
pub fn quantiles_unsorted<const N: usize>(v: &mut [f64], qs: &[f64; N]) -> [f64; N] {
    let n = v.len();
    if n == 0 {
        return [f64::NAN; N];
    }
    // the order statistics needed, ascending and distinct
    let mut need: Vec<usize> = Vec::with_capacity(2 * N);
    for q in qs {
        let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
        let lo = h.floor() as usize;
        need.push(lo);
        need.push((lo + 1).min(n - 1));
    }
    need.sort_unstable();
    need.dedup();
    let mut from = 0;
    for &k in &need {
        // everything before `from` is ≤ every element from `from` on
        v[from..].select_nth_unstable_by(k - from, f64::total_cmp);
        from = k + 1;
        if from >= n {
            break;
        }
    }
    qs.map(|q| {
        let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
        let lo = h.floor() as usize;
        let hi = (lo + 1).min(n - 1);
        v[lo] + (h - lo as f64) * (v[hi] - v[lo])
    })
}

/// Mean of paired differences with a 95% normal-approximation interval
/// (mean ± z·sd/√n, sd with n − 1).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Paired {
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
}

pub fn paired(diffs: &[f64]) -> Paired {
    let n = diffs.len();
    if n == 0 {
        return Paired {
            mean: 0.0,
            lo: 0.0,
            hi: 0.0,
        };
    }
    let mean = diffs.iter().sum::<f64>() / n as f64;
    if n == 1 {
        return Paired {
            mean,
            lo: mean,
            hi: mean,
        };
    }
    let var = diffs.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let se = (var / n as f64).sqrt();
    let mut half = Z95 * se;
    // Differences of 0/1 indicators (an outcome with and without a counterfactual edit): with few
    // or no discordant runs the normal interval collapses to a point and overstates precision.
    // Floor the half-width at the "rule of three" bound 3/n, the 95% upper limit on a rate with
    // no events in n trials (Hanley & Lippman-Hand 1983, JAMA 249:1743).
    if diffs.iter().all(|d| *d == 0.0 || d.abs() == 1.0) {
        half = half.max(3.0 / n as f64);
    }
    Paired {
        mean,
        lo: mean - half,
        hi: mean + half,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired_indicator_differences_never_collapse_to_a_point() {
        // 50 runs, no discordant pair: Δ = 0 with the rule-of-three half-width 3/50.
        let p = paired(&[0.0; 50]);
        assert_eq!(p.mean, 0.0);
        assert!((p.hi - 0.06).abs() < 1e-12 && (p.lo + 0.06).abs() < 1e-12);
        // Non-indicator differences keep the plain normal interval.
        let q = paired(&[0.5; 10]);
        assert_eq!((q.lo, q.hi), (0.5, 0.5));
    }

    #[test]
    fn wilson_known_answer() {
        // Newcombe (1998), Statistics in Medicine 17:857–872, Table I, method 3 (Wilson score):
        // 81/263 → 0.2553–0.3662.
        let (lo, hi) = wilson(81, 263, Z95);
        assert!((lo - 0.2553).abs() < 5e-5, "{lo}");
        assert!((hi - 0.3662).abs() < 5e-5, "{hi}");
        // Newcombe (1998) Table I, method 3: 15/148 → 0.0624–0.1605; 0/20 → 0–0.1611;
        // 1/29 → 0.0061–0.1718.
        let (lo, hi) = wilson(15, 148, Z95);
        assert!(
            (lo - 0.0624).abs() < 5e-5 && (hi - 0.1605).abs() < 5e-5,
            "{lo} {hi}"
        );
        let (lo, hi) = wilson(0, 20, Z95);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.1611).abs() < 5e-5, "{hi}");
        let (lo, hi) = wilson(1, 29, Z95);
        assert!((lo - 0.0061).abs() < 5e-5 && (hi - 0.1718).abs() < 5e-5);
    }

    #[test]
    fn runs_needed_shrinks_interval() {
        let m = runs_needed(50, 100, 0.05);
        let (lo, hi) = wilson(m / 2, m, Z95);
        assert!((hi - lo) / 2.0 <= 0.05 + 1e-3, "{m}");
        // 0.5 at ±0.05 needs about z²/(4·0.05²) ≈ 381 runs.
        assert!((370..=390).contains(&m), "{m}");
        assert_eq!(runs_needed(50, 1000, 0.05), 1000);
    }

    #[test]
    fn quantiles_type7() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&v, 0.5), 2.5);
        assert_eq!(quantile_sorted(&v, 0.0), 1.0);
        assert_eq!(quantile_sorted(&v, 1.0), 4.0);
        assert!((quantile_sorted(&v, 0.25) - 1.75).abs() < 1e-12);
    }
}

/// Counts of a paired binary comparison: `n11` both worlds true, `n10` true only in the
/// alternative, `n01` true only in the base, `n00` neither.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairedCounts {
    pub n11: u64,
    pub n10: u64,
    pub n01: u64,
    pub n00: u64,
}

impl PairedCounts {
    /// Count the pairs (base, alternative).
    pub fn from_pairs(base: &[bool], alt: &[bool]) -> PairedCounts {
        let mut c = PairedCounts::default();
        for (b, a) in base.iter().zip(alt) {
            match (*a, *b) {
                (true, true) => c.n11 += 1,
                (true, false) => c.n10 += 1,
                (false, true) => c.n01 += 1,
                (false, false) => c.n00 += 1,
            }
        }
        c
    }
    pub fn n(&self) -> u64 {
        self.n11 + self.n10 + self.n01 + self.n00
    }
    /// Δ = P(alternative) − P(base) = (n10 − n01)/n (0 when n = 0).
    pub fn delta(&self) -> f64 {
        let n = self.n();
        if n == 0 {
            0.0
        } else {
            (self.n10 as f64 - self.n01 as f64) / n as f64
        }
    }
}

/// Newcombe's (1998, *Stat. Med.* 17:2635–2650) method 10 interval for the difference of paired
/// proportions Δ = p_alt − p_base at normal quantile `z`: Wilson score intervals (l₁, u₁) for
/// p_alt and (l₂, u₂) for p_base combined with the phi coefficient φ of the 2×2 table,
///
///   L = Δ − √((p₁−l₁)² − 2φ(p₁−l₁)(u₂−p₂) + (u₂−p₂)²),
///   U = Δ + √((p₂−l₂)² − 2φ(p₂−l₂)(u₁−p₁) + (u₁−p₁)²),
///
/// with φ from A = n11·n00 − n10·n01 shrunk toward 0 by n/2 when positive (Newcombe's
/// adjustment). Never zero-width for n ≥ 1 unless Δ is at ±1; `(−1, 1)` when n = 0.
pub fn newcombe_paired(c: PairedCounts, z: f64) -> (f64, f64) {
    let n = c.n();
    if n == 0 {
        return (-1.0, 1.0);
    }
    let nf = n as f64;
    let (k1, k2) = (c.n11 + c.n10, c.n11 + c.n01);
    let (p1, p2) = (k1 as f64 / nf, k2 as f64 / nf);
    let (l1, u1) = wilson(k1, n, z);
    let (l2, u2) = wilson(k2, n, z);
    let margins = [c.n11 + c.n10, c.n01 + c.n00, c.n11 + c.n01, c.n10 + c.n00];
    let phi = if margins.contains(&0) {
        0.0
    } else {
        let a = c.n11 as f64 * c.n00 as f64 - c.n10 as f64 * c.n01 as f64;
        let a = if a > nf / 2.0 {
            a - nf / 2.0
        } else if a >= 0.0 {
            0.0
        } else {
            a
        };
        a / margins.iter().map(|&m| m as f64).product::<f64>().sqrt()
    };
    let d = p1 - p2;
    let lo = d
        - ((p1 - l1).powi(2) - 2.0 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2).powi(2))
            .max(0.0)
            .sqrt();
    let hi = d
        + ((p2 - l2).powi(2) - 2.0 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1).powi(2))
            .max(0.0)
            .sqrt();
    (lo.max(-1.0).min(d), hi.min(1.0).max(d))
}

/// The standard normal quantile of a two-sided level: z with P(|Z| ≤ z) = `level`.
pub fn z_of_level(level: f64) -> f64 {
    crate::sample::norm_ppf(0.5 + 0.5 * level.clamp(0.0, 1.0 - 1e-15))
}

/// The smallest two-sided α at which the interval family `ci(z)` excludes `value`: the p-value
/// of H₀: Δ = `value` by inverting the interval (bisection on the level, 60 steps).
pub fn p_by_inversion(value: f64, ci: impl Fn(f64) -> (f64, f64)) -> f64 {
    let excludes = |alpha: f64| {
        let (lo, hi) = ci(z_of_level(1.0 - alpha));
        value < lo || value > hi
    };
    if !excludes(1.0 - 1e-12) {
        return 1.0;
    }
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64); // excludes(hi) holds, excludes(lo) fails
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if excludes(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// Holm's (1979) step-down: per-test adjusted levels. Sort the p-values ascending; the test at
/// rank r (0-based) of m is judged at α/(m − r) while every earlier test was rejected; once
/// one is not, it and all later ones get `None` (not decided). Returns, in input order, the
/// level α_r at which each test may be decided, or `None`.
pub fn holm_levels(p: &[f64], alpha: f64) -> Vec<Option<f64>> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let mut out = vec![None; m];
    for (r, &i) in order.iter().enumerate() {
        let level = alpha / (m - r) as f64;
        if p[i] <= level {
            out[i] = Some(level);
        } else {
            break;
        }
    }
    out
}

#[cfg(test)]
mod paired_tests {
    #[test]
    fn quantiles_by_selection_equal_quantiles_of_the_sorted_values() {
        let mut x: u64 = 7;
        for n in [1usize, 2, 3, 5, 20, 101, 1000] {
            let mut v: Vec<f64> = (0..n)
                .map(|_| {
                    x = crate::rng::mix64(x);
                    // ties and both zeros included
                    match x % 7 {
                        0 => 0.0,
                        1 => -0.0,
                        2 => 1.5,
                        _ => (x >> 11) as f64 / (1u64 << 53) as f64 - 0.5,
                    }
                })
                .collect();
            let mut sorted = v.clone();
            sorted.sort_by(f64::total_cmp);
            let qs = [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0];
            let got = quantiles_unsorted(&mut v, &qs);
            for (g, q) in got.iter().zip(qs) {
                assert_eq!(
                    g.to_bits(),
                    quantile_sorted(&sorted, q).to_bits(),
                    "n {n} q {q}"
                );
            }
        }
        assert!(quantiles_unsorted(&mut [], &[0.5])[0].is_nan());
    }

    use super::*;

    /// Hand computation (Newcombe 1998 method 10, z = 1.96) for n11 = 10, n10 = 5, n01 = 1,
    /// n00 = 4 (n = 20): p₁ = 15/20 = 0.75, p₂ = 11/20 = 0.55, Δ = 0.20. Wilson(15, 20):
    /// (0.5313, 0.8881); Wilson(11, 20): (0.3421, 0.7418). A = 10·4 − 5·1 = 35 > n/2 = 10, so
    /// A' = 25; φ = 25/√(15·5·11·9) = 0.2901. L = 0.20 − √(0.2187² − 2·0.2901·0.2187·0.1918 +
    /// 0.1918²) = 0.20 − 0.2455 = −0.0455; U = 0.20 + √(0.2079² − 2·0.2901·0.2079·0.1381 +
    /// 0.1381²) = 0.20 + 0.2136 = 0.4136 (recomputed in double precision: −0.04552, 0.41365).
    #[test]
    fn newcombe_method_10_by_hand() {
        let c = PairedCounts {
            n11: 10,
            n10: 5,
            n01: 1,
            n00: 4,
        };
        let (lo, hi) = newcombe_paired(c, Z95);
        assert!((lo - -0.04552).abs() < 1e-4, "{lo}");
        assert!((hi - 0.41365).abs() < 1e-4, "{hi}");
    }

    #[test]
    fn newcombe_is_never_zero_width_and_contains_delta() {
        // n = 1 (the old paired interval collapsed to a point)
        for c in [
            PairedCounts {
                n11: 1,
                ..Default::default()
            },
            PairedCounts {
                n00: 1,
                ..Default::default()
            },
            PairedCounts {
                n10: 1,
                ..Default::default()
            },
            PairedCounts {
                n00: 200,
                ..Default::default()
            },
        ] {
            let (lo, hi) = newcombe_paired(c, Z95);
            assert!(hi - lo > 0.005, "{c:?}: [{lo}, {hi}]");
            assert!(lo <= c.delta() && c.delta() <= hi);
        }
    }

    #[test]
    fn holm_steps_down() {
        // Holm's rule by hand, α = 0.05, m = 4: sorted 0.001 ≤ 0.0125 ✓, 0.01 ≤ 0.0167 ✓,
        // 0.03 > 0.025 ✗ → stop; 0.04 (rank 4) is not decided although 0.04 ≤ 0.05.
        let lv = holm_levels(&[0.04, 0.001, 0.03, 0.01], 0.05);
        assert_eq!(lv[1], Some(0.05 / 4.0));
        assert_eq!(lv[3], Some(0.05 / 3.0));
        assert_eq!(lv[2], None);
        assert_eq!(lv[0], None);
        // the step-down stops at the first failure even if a later p would pass its level
        assert_eq!(holm_levels(&[0.5, 0.04], 0.05), vec![None, None]);
        assert_eq!(
            holm_levels(&[0.01, 0.04], 0.05),
            vec![Some(0.025), Some(0.05)]
        );
    }

    #[test]
    fn p_by_inversion_matches_the_normal_test() {
        // Δ ~ N(1, 0.5²): the interval excludes 0 iff z > 2, p = 2(1 − Φ(2)) = 0.0455
        let p = p_by_inversion(0.0, |z| (1.0 - 0.5 * z, 1.0 + 0.5 * z));
        assert!((p - 0.0455).abs() < 1e-3, "{p}");
        assert_eq!(p_by_inversion(1.0, |z| (1.0 - 0.5 * z, 1.0 + 0.5 * z)), 1.0);
    }
}
