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
