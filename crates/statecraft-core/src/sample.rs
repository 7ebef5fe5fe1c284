//! Uncertain inputs: quantile functions for every [`Dist`], the evidence discount that widens a
//! number's distribution by its confidence and its source's reliability, and the [`Sampler`] that
//! turns a vector of uniforms `u ∈ [0,1)^k` into a sampled scenario.
//!
//! Every uncertain input is driven by one uniform through its quantile function, so Monte Carlo,
//! Sobol sampling and one-at-a-time analysis share one path. The formulas are in
//! `docs/uncertainty.md`.

use crate::scenario::{Dist, Num, NumAt, Scenario, Source};
use std::collections::HashMap;
use std::sync::Arc;

pub mod pinv;

// ---------------------------------------------------------------------------------------------
// Special functions
// ---------------------------------------------------------------------------------------------

/// Natural log of the gamma function (Lanczos approximation, g = 7, n = 9; |rel. error| < 1e-15).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection formula.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).abs().ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Continued fraction for the incomplete beta function (modified Lentz's method).
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let qab = a + b;
    let qap = a + 1.0;
    let qam = a - 1.0;
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=300 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// Regularized incomplete beta function `I_x(a, b)` for `a, b > 0`.
pub fn beta_inc(a: f64, b: f64, x: f64) -> f64 {
    beta_inc_lb(a, b, x, ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b))
}

/// `I_x(a, b)` given `ln B(a, b)` (saves three `ln Γ` per call in the inverse's iterations).
fn beta_inc_lb(a: f64, b: f64, x: f64, ln_beta: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    beta_inc_logs(a, b, x, x.ln(), (1.0 - x).ln(), ln_beta)
}

/// `I_x(a, b)` for `0 < x < 1` given `ln x`, `ln(1 − x)` and `ln B(a, b)`: the same operations
/// as [`beta_inc_lb`], so that the inverse's Newton step reuses the two logarithms for the
/// density (same bits, two `ln` fewer per iteration).
fn beta_inc_logs(a: f64, b: f64, x: f64, ln_x: f64, ln_1mx: f64, ln_beta: f64) -> f64 {
    let ln_front = a * ln_x + b * ln_1mx - ln_beta;
    let front = ln_front.exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(a, b, x) / a
    } else {
        1.0 - front * beta_cf(b, a, 1.0 - x) / b
    }
}

/// Regularized lower incomplete gamma function `P(a, x) = γ(a, x) / Γ(a)` for `a > 0`.
///
/// The power series for `x < a + 1`, the continued fraction of `Q = 1 − P` (evaluated by the
/// modified Lentz method) otherwise, as in Press et al., *Numerical Recipes* (3rd ed., 2007),
/// §6.2. Accurate to ~1e-14.
pub fn gamma_inc(a: f64, x: f64) -> f64 {
    gamma_inc_lg(a, x, ln_gamma(a))
}

/// [`gamma_inc`] given `ln Γ(a)` (computed once per shape by a table's build, [`pinv`]).
fn gamma_inc_lg(a: f64, x: f64, ln_gamma_a: f64) -> f64 {
    if x <= 0.0 || a <= 0.0 || x.is_nan() {
        return 0.0;
    }
    if x.is_infinite() {
        return 1.0;
    }
    let ln_front = a * x.ln() - x - ln_gamma_a;
    if x < a + 1.0 {
        // Σ x^n / (a (a+1) … (a+n)), times x^a e^(−x) / Γ(a).
        let (mut term, mut sum, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..1000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-16 {
                break;
            }
        }
        (sum * ln_front.exp()).clamp(0.0, 1.0)
    } else {
        // Q(a, x) = e^(−x) x^a / Γ(a) · 1/(x + 1 − a − 1·(1 − a)/(x + 3 − a − …)).
        const TINY: f64 = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < TINY {
                d = TINY;
            }
            c = b + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < 1e-16 {
                break;
            }
        }
        (1.0 - ln_front.exp() * h).clamp(0.0, 1.0)
    }
}

/// Inverse of [`gamma_inc`]: the `x ≥ 0` with `P(a, x) = p`, for `a > 0`.
///
/// Starts from the Wilson–Hilferty approximation `a (1 − 1/(9a) + z / (3√a))³` (`z` the normal
/// quantile of `p`), then a safeguarded Newton iteration on a bracket that always holds the root
/// (`P` is increasing in `x`): a Newton step leaving the bracket bisects instead. The upper end
/// of the bracket is doubled until it holds the root.
pub fn gamma_inc_inv(a: f64, p: f64) -> f64 {
    if a.is_nan() || a <= 0.0 || p.is_nan() || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let z = norm_ppf(p);
    let wh = a * (1.0 - 1.0 / (9.0 * a) + z / (3.0 * a.sqrt())).powi(3);
    let mut x = if wh.is_finite() && wh > 0.0 {
        wh
    } else {
        // Small shapes: invert the leading term P ≈ x^a / Γ(a + 1).
        (p * (ln_gamma(a + 1.0)).exp()).powf(1.0 / a).max(1e-300)
    };
    let (mut lo, mut hi) = (0.0_f64, x.max(1.0));
    while gamma_inc(a, hi) < p && hi < 1e300 {
        lo = hi;
        hi *= 2.0;
    }
    if !(x > lo && x < hi) {
        x = 0.5 * (lo + hi);
    }
    let lg = ln_gamma(a);
    for _ in 0..200 {
        let f = gamma_inc(a, x) - p;
        if f.abs() < 1e-15 {
            return x;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let pdf = ((a - 1.0) * x.ln() - x - lg).exp();
        let newton = x - f / pdf;
        x = if pdf.is_finite() && pdf > 0.0 && newton > lo && newton < hi {
            newton
        } else {
            0.5 * (lo + hi)
        };
        if hi - lo <= 1e-15 * hi {
            break;
        }
    }
    x
}

/// Inverse of the regularized incomplete beta function: the `x` with `I_x(a,b) = p`.
///
/// Safeguarded Halley iteration from an approximate quantile ([`beta_inv_start`]): each step is
/// accepted only if it stays inside the current bracket (which always contains the root, since
/// `I_x` is increasing); otherwise the step bisects. It stops when `|I_x − p| < 1e-14`, or after
/// a step shorter than 1e-6 of the distance to the nearer end of [0, 1] (Halley's error after
/// such a step is of the order of its cube). `|I_x − p| ≤ 2e-14` and x within 4e-14 / density
/// of the exact inverse, for any `a, b > 0` (tested against bisection:
/// `tests::beta_inverse_matches_bisection`).
/// Halley's method: Press et al., *Numerical Recipes* (3rd ed., 2007), §9.4 and §6.14.
pub fn beta_inc_inv(a: f64, b: f64, p: f64) -> f64 {
    beta_inc_inv_lb(a, b, p, ln_beta(a, b))
}

/// `ln B(a, b)` as [`beta_inc_inv`] computes it.
fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// An approximate `p`-quantile of Beta(a, b), where the iteration of [`beta_inc_inv`] starts:
/// for `a, b ≥ 1` (every PERT shape) Abramowitz & Stegun (1964) 26.5.22, which maps the normal
/// quantile `y` (upper tail, here from their rational approximation 26.2.23, |error| < 4.5e-4)
/// to `x = a / (a + b·e^{2w})` with `w = y√(h+λ)/h − (1/(2b−1) − 1/(2a−1))(λ + 5/6 − 2/(3h))`,
/// `λ = (y² − 3)/6`, `h = 2/(1/(2a−1) + 1/(2b−1))`; within ≈ 0.07 of the quantile on the
/// most skewed PERT shapes, ≈ 1e-3 on the symmetric ones. The mean otherwise.
fn beta_inv_start(a: f64, b: f64, p: f64) -> f64 {
    let mean = a / (a + b);
    if !(a >= 1.0 && b >= 1.0 && p > 0.0 && p < 1.0) {
        return mean;
    }
    // upper-tail normal quantile of p (A&S 26.2.23, for a tail probability ≤ 0.5)
    let q = p.min(1.0 - p);
    let t = (-2.0 * q.ln()).sqrt();
    let r = t
        - (2.515_517 + t * (0.802_853 + t * 0.010_328))
            / (1.0 + t * (1.432_788 + t * (0.189_269 + t * 0.001_308)));
    let y = if p <= 0.5 { r } else { -r };
    let lam = (y * y - 3.0) / 6.0;
    let (ra, rb) = (1.0 / (2.0 * a - 1.0), 1.0 / (2.0 * b - 1.0));
    let h = 2.0 / (ra + rb);
    let w = y * (h + lam).sqrt() / h - (rb - ra) * (lam + 5.0 / 6.0 - 2.0 / (3.0 * h));
    let x = a / (a + b * (2.0 * w).exp());
    if x > 0.0 && x < 1.0 {
        x
    } else {
        mean
    }
}

/// [`beta_inc_inv`] given `ln B(a, b)` (precomputed once per input by the [`Sampler`]).
fn beta_inc_inv_lb(a: f64, b: f64, p: f64, ln_beta: f64) -> f64 {
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    let mut x = beta_inv_start(a, b, p);
    for _ in 0..200 {
        // x lies in [0, 1] (the start, then inside the bracket); at an end point the logs give
        // the same 0 or 1 as `beta_inc_lb`'s end-point cases.
        let (ln_x, ln_1mx) = (x.ln(), (1.0 - x).ln());
        let f = beta_inc_logs(a, b, x, ln_x, ln_1mx, ln_beta) - p;
        if f.abs() < 1e-14 {
            return x;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let ln_pdf = (a - 1.0) * ln_x + (b - 1.0) * ln_1mx - ln_beta;
        let pdf = ln_pdf.exp();
        // Halley: x − (f/f′) / (1 − (f/f′)·f″/(2f′)), with f″/f′ = (a−1)/x − (b−1)/(1−x);
        // Newton's step where the correction is large.
        let newton = f / pdf;
        let c = 0.5 * newton * ((a - 1.0) / x - (b - 1.0) / (1.0 - x));
        let step = if c.abs() < 0.5 {
            newton / (1.0 - c)
        } else {
            newton
        };
        let next = x - step;
        if pdf.is_finite() && pdf > 0.0 && next > lo && next < hi {
            if step.abs() < 1e-6 * x.min(1.0 - x) {
                return next;
            }
            x = next;
        } else {
            x = 0.5 * (lo + hi);
        }
        if hi - lo <= 1e-15 * hi {
            break;
        }
    }
    x
}

/// Standard normal density.
fn phi(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Standard normal CDF Φ(x), accurate to ~1e-15 absolute and good relative accuracy in the
/// lower tail (Marsaglia's 2004 Taylor series for |x| < 3, a continued fraction beyond).
pub fn norm_cdf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < -3.0 {
        lower_tail_cf(x)
    } else if x > 3.0 {
        1.0 - lower_tail_cf(-x)
    } else {
        // Marsaglia (2004): Φ(x) = 1/2 + φ(x)(x + x³/3 + x⁵/(3·5) + …)
        let mut s = x;
        let mut t = x;
        let x2 = x * x;
        let mut i = 1.0;
        loop {
            i += 2.0;
            t *= x2 / i;
            let s_new = s + t;
            if s_new == s {
                break;
            }
            s = s_new;
        }
        0.5 + s * phi(x)
    }
}

/// Φ(x) for x < −3 by the continued fraction φ(x)/(z + 1/(z + 2/(z + 3/(z + …)))), z = −x.
fn lower_tail_cf(x: f64) -> f64 {
    let z = -x;
    let mut f = z;
    for k in (1..=60).rev() {
        f = z + k as f64 / f;
    }
    phi(x) / f
}

/// Inverse standard normal CDF (Acklam's rational approximation refined by one Halley step).
pub fn norm_ppf(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let p_low = 0.02425;
    let x = if p < p_low {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - p_low {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    // One Halley step.
    let e = norm_cdf(x) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (0.5 * x * x).exp();
    x - u / (1.0 + 0.5 * x * u)
}

// ---------------------------------------------------------------------------------------------
// Quantile functions
// ---------------------------------------------------------------------------------------------

/// PERT shape parameter λ (Vose's PERT).
pub const PERT_LAMBDA: f64 = 4.0;

/// The value of `dist` at cumulative probability `u ∈ [0,1]`.
///
/// Degenerate parameters never panic: an empty or inverted support collapses to a point.
pub fn quantile(dist: &Dist, u: f64) -> f64 {
    let u = if u.is_nan() { 0.5 } else { u.clamp(0.0, 1.0) };
    match dist {
        Dist::Uniform { min, max } => min + u * (max - min),
        Dist::Triangular { min, mode, max } => {
            let (a, c, b) = (*min, mode.clamp(*min, max.max(*min)), max.max(*min));
            if b - a <= 0.0 {
                return a;
            }
            let fc = (c - a) / (b - a);
            if u < fc {
                a + (u * (b - a) * (c - a)).sqrt()
            } else {
                b - ((1.0 - u) * (b - a) * (b - c)).sqrt()
            }
        }
        Dist::Pert { min, mode, max } => match PertShape::new(*min, *mode, *max) {
            Ok(shape) => shape.quantile(u),
            Err(point) => point,
        },
        Dist::Normal { mean, sd, min, max } => truncated_normal_quantile(*mean, *sd, *min, *max, u),
        Dist::Discrete { values, weights } => {
            if values.is_empty() {
                return 0.0;
            }
            let total: f64 = weights.iter().take(values.len()).map(|w| w.max(0.0)).sum();
            if total <= 0.0 || weights.len() < values.len() {
                // Equal weights when the weights are missing or unusable.
                let i = ((u * values.len() as f64) as usize).min(values.len() - 1);
                return values[i];
            }
            let mut cum = 0.0;
            for (v, w) in values.iter().zip(weights) {
                cum += w.max(0.0) / total;
                if u < cum {
                    return *v;
                }
            }
            values[values.len() - 1]
        }
        Dist::Beta { a, b } => beta_inc_inv(*a, *b, u),
        Dist::GammaRate {
            shape,
            rate,
            units_per_round,
        } => gamma_rate_p(gamma_quantile(*shape, u), *rate, *units_per_round),
    }
}

/// The probability of at least one event in a round of `units_per_round` units at the rate
/// `λ = x / rate` per unit (`x` a standard Gamma draw): `1 − exp(−λ t)`, NaN as 0.
#[inline(always)]
fn gamma_rate_p(x: f64, rate: f64, units_per_round: f64) -> f64 {
    let lambda = x / rate;
    let p = -(-lambda * units_per_round).exp_m1();
    if p.is_nan() {
        0.0
    } else {
        p.clamp(0.0, 1.0)
    }
}

/// The `u`-quantile of the standard Gamma(a): the shape's interpolated inverse
/// ([`pinv::gamma_table`], u-error ≤ [`pinv::TOL`]) where it covers `u`, the exact
/// [`gamma_inc_inv`] in the far tails (probability [`pinv::GAMMA_TAIL`] each) and for shapes
/// without a table.
fn gamma_quantile(a: f64, u: f64) -> f64 {
    match pinv::gamma_table(a) {
        Some(t) if t.covers(u) => t.eval(u),
        _ => gamma_inc_inv(a, u),
    }
}

/// A PERT distribution's beta shape, `ln B(α, β)` and its inverse-CDF table ([`pinv`]), computed
/// once per input rather than per draw (the table is shared process-wide by shape). [`PertShape::quantile`] returns exactly what [`quantile`] returns for the same PERT: both go through
/// this type.
#[derive(Clone, Debug, PartialEq)]
struct PertShape {
    a: f64,
    b: f64,
    alpha: f64,
    beta: f64,
    ln_beta: f64,
    /// The interpolated inverse of `I_x(α, β)` (u-error ≤ [`pinv::TOL`]), `None` when the
    /// shape could not be tabulated within [`pinv::MAX_INTERVALS`] (then the exact inversion).
    table: Option<Arc<pinv::Table>>,
}

impl PertShape {
    /// The shape of PERT(min, mode, max), or `Err(point)` for an empty or inverted support.
    fn new(min: f64, mode: f64, max: f64) -> Result<PertShape, f64> {
        let mut shape = PertShape::untabulated(min, mode, max)?;
        shape.table = pinv::table(shape.alpha, shape.beta, shape.ln_beta);
        Ok(shape)
    }

    /// [`PertShape::new`] without its table (`table` is `None` until the caller sets it).
    fn untabulated(min: f64, mode: f64, max: f64) -> Result<PertShape, f64> {
        let (a, b) = (min, max.max(min));
        if b - a <= 0.0 {
            return Err(a);
        }
        let c = mode.clamp(a, b);
        let alpha = 1.0 + PERT_LAMBDA * (c - a) / (b - a);
        let beta = 1.0 + PERT_LAMBDA * (b - c) / (b - a);
        let ln_beta = ln_beta(alpha, beta);
        Ok(PertShape {
            a,
            b,
            alpha,
            beta,
            ln_beta,
            table: None,
        })
    }

    /// The exact inversion (no table, or `u` at an end), kept out of line: the rare path of
    /// [`PertShape::quantile`].
    #[cold]
    #[inline(never)]
    fn exact(&self, u: f64) -> f64 {
        beta_inc_inv_lb(self.alpha, self.beta, u, self.ln_beta)
    }

    /// The table's key: the shape's bits ([`pinv::table`] memoises by the same key).
    fn key(&self) -> (u64, u64) {
        (self.alpha.to_bits(), self.beta.to_bits())
    }

    /// The quantile at `u`, already clamped to `[0, 1]`: the table's `Q̂(u)` inside `(0, 1)`,
    /// the exact ends 0 and 1 (and the exact inversion when there is no table). Inlined into
    /// the per-run sampling loop (one call per PERT input per run).
    #[inline(always)]
    fn quantile(&self, u: f64) -> f64 {
        let x = match &self.table {
            Some(t) if u > 0.0 && u < 1.0 => t.eval(u),
            _ => self.exact(u),
        };
        self.a + (self.b - self.a) * x
    }
}

/// Quantile of N(mean, sd²) truncated to [min, max] (either bound may be infinite).
pub fn truncated_normal_quantile(mean: f64, sd: f64, min: f64, max: f64, u: f64) -> f64 {
    let (lo, hi) = (min.min(max), max.max(min));
    if sd.is_nan() || sd <= 0.0 {
        return mean.clamp(lo, hi);
    }
    let za = (lo - mean) / sd;
    let zb = (hi - mean) / sd;
    // Work in the lower tail for accuracy: reflect when the window lies above the mean.
    let (za, zb, u, sign) = if za > 0.0 {
        (-zb, -za, 1.0 - u, -1.0)
    } else {
        (za, zb, u, 1.0)
    };
    let pa = norm_cdf(za);
    let pb = norm_cdf(zb);
    if pb - pa <= 0.0 {
        // The window is so far in the tail that no mass is representable: use its near edge.
        let z = sign * za;
        return (mean + sd * z).clamp(lo, hi);
    }
    let z = norm_ppf(pa + u * (pb - pa)).clamp(za, zb);
    (mean + sd * sign * z).clamp(lo, hi)
}

/// The support [lo, hi] of a distribution (may be infinite for an untruncated normal).
pub fn support(dist: &Dist) -> (f64, f64) {
    match dist {
        Dist::Uniform { min, max }
        | Dist::Triangular { min, max, .. }
        | Dist::Pert { min, max, .. }
        | Dist::Normal { min, max, .. } => (min.min(*max), max.max(*min)),
        Dist::Discrete { values, .. } => values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(*v), hi.max(*v))
            }),
        Dist::Beta { .. } | Dist::GammaRate { .. } => (0.0, 1.0),
    }
}

// ---------------------------------------------------------------------------------------------
// Evidence discount
// ---------------------------------------------------------------------------------------------

pub use crate::scenario::Domain;

/// The domain of the number at `path`: the range the scenario format declares for it
/// ([`Scenario::visit_nums_declared`]; the table is in `docs/scenario.md`), unbounded for a path
/// the scenario does not have.
pub fn domain_of(scn: &Scenario, path: &str, _num: &Num) -> Domain {
    scn.declared_domain(path).unwrap_or(Domain::UNBOUNDED)
}

/// Find the source a number's `source` string refers to. The rule (also in
/// `docs/uncertainty.md`):
/// 1. a source whose `id` equals the whole string;
/// 2. if the string cites paragraphs (`¶12`, `¶12, ¶14`), the sources whose `paragraphs` include
///    one of them — preferring one whose id equals the string's first word — and of those the
///    least reliable;
/// 3. a source whose `id` equals the string's first word (text before whitespace, `¶`, `,`, `#`
///    or `:`);
/// 4. otherwise none (reliability taken as 1; the validator reports unknown sources).
pub fn find_source<'a>(sources: &'a [Source], cite: &str) -> Option<&'a Source> {
    let cite = cite.trim();
    if let Some(s) = sources.iter().find(|s| s.id == cite) {
        return Some(s);
    }
    let first: &str = cite
        .split(|c: char| c.is_whitespace() || matches!(c, '¶' | ',' | '#' | ':'))
        .next()
        .unwrap_or("");
    let paras = cited_paragraphs(cite);
    if !paras.is_empty() {
        let matching = |s: &&Source| s.paragraphs.iter().any(|p| paras.contains(p));
        let least = |a: &&Source, b: &&Source| a.reliability.total_cmp(&b.reliability);
        let preferred = sources
            .iter()
            .filter(matching)
            .filter(|s| !first.is_empty() && (s.id == first || s.id.starts_with(first)))
            .min_by(least);
        if let Some(s) = preferred.or_else(|| sources.iter().filter(matching).min_by(least)) {
            return Some(s);
        }
    }
    if first.is_empty() {
        return None;
    }
    sources.iter().find(|s| s.id == first)
}

/// Paragraph numbers cited with `¶` in a source string.
pub fn cited_paragraphs(cite: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let mut rest = cite;
    while let Some(pos) = rest.find('¶') {
        rest = &rest[pos + '¶'.len_utf8()..];
        let digits: String = rest
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        if let Ok(n) = digits.parse() {
            out.push(n);
        }
    }
    out
}

/// Half-width of the distribution given to a point number with no `dist`, as a fraction of its
/// domain's width (or of |value| when the domain is unbounded), at certainty 0.
pub const POINT_HALF_WIDTH: f64 = 0.5;

/// The effective distribution of a number after the evidence discount, or `None` if it is
/// certain. `discount` is `--evidence-discount` (0 = ignore source reliability, 1 = full).
///
/// With `c` the number's confidence (1 if absent), `r` its source's reliability (1 if absent),
/// `d` the discount, the number's certainty is `q = c · (1 − d·(1 − r))`.
/// - A number with a stated `dist` is widened about its nominal value by the factor
///   `w = 1 + (1 − r_eff)` with `r_eff = 1 − d·(1 − r)` (confidence is already expressed by the
///   stated distribution), then truncated to the domain.
/// - A number without a `dist` and `q < 1` gets a PERT with mode = value and half-width
///   `(1 − q) · POINT_HALF_WIDTH · width`, `width` = the domain's width (or |value| if unbounded),
///   truncated to the domain.
///
/// The evidence rule (`docs/evidence.md`): a `fixed` number is certain; a number with a
/// `reference` class is drawn from that class's posterior ([`crate::scenario::num::Reference::posterior`]);
/// a number with neither `dist` nor `confidence` but an `implied` certainty (set by the loader
/// in a crisis scenario: the source's reliability, or `ASSUMED_CONFIDENCE`) has `q = implied`
/// at every discount level (the reliability is its certainty already, not discounted twice).
pub fn effective_dist(num: &Num, reliability: f64, discount: f64, domain: Domain) -> Option<Dist> {
    if num.fixed.is_some() {
        return None;
    }
    if let Some(r) = &num.reference {
        return r.posterior();
    }
    let d = if discount.is_finite() {
        discount.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let r = if reliability.is_finite() {
        reliability.clamp(0.0, 1.0)
    } else {
        1.0
    };
    let c = num
        .confidence
        .filter(|c| c.is_finite())
        .unwrap_or(1.0)
        .clamp(0.0, 1.0);
    let r_eff = 1.0 - d * (1.0 - r);
    let v = num.value;
    match &num.dist {
        Some(dist) => {
            let w = 1.0 + (1.0 - r_eff);
            let widen = |x: f64| domain.clamp(v + w * (x - v));
            Some(match dist {
                Dist::Uniform { min, max } => Dist::Uniform {
                    min: widen(*min),
                    max: widen(*max),
                },
                Dist::Triangular { min, mode, max } => Dist::Triangular {
                    min: widen(*min),
                    mode: domain.clamp(*mode),
                    max: widen(*max),
                },
                Dist::Pert { min, mode, max } => Dist::Pert {
                    min: widen(*min),
                    mode: domain.clamp(*mode),
                    max: widen(*max),
                },
                Dist::Normal { mean, sd, min, max } => Dist::Normal {
                    mean: *mean,
                    sd: sd * w,
                    min: widen(*min).max(domain.min),
                    max: widen(*max).min(domain.max),
                },
                Dist::Discrete { values, weights } => Dist::Discrete {
                    values: values.iter().map(|x| widen(*x)).collect(),
                    weights: weights.clone(),
                },
                // Posteriors are derived here, never stated, so never widened.
                Dist::Beta { .. } | Dist::GammaRate { .. } => dist.clone(),
            })
        }
        None => {
            let q = match (num.confidence, num.implied) {
                (None, Some(q)) if q.is_finite() => q.clamp(0.0, 1.0),
                _ => c * r_eff,
            };
            if q >= 1.0 {
                return None;
            }
            if domain.min == 0.0 && domain.max == 1.0 {
                return unit_point_dist(v, q);
            }
            let width = domain.width().unwrap_or(v.abs());
            let h = (1.0 - q) * POINT_HALF_WIDTH * width;
            if h.is_nan() || h <= 0.0 {
                return None;
            }
            let mode = domain.clamp(v);
            Some(Dist::Pert {
                min: domain.clamp(mode - h),
                mode,
                max: domain.clamp(mode + h),
            })
        }
    }
}

/// The distribution of an uncertain point number on `[0, 1]` (a salience, a per-round propensity, a
/// weight): widened on the log-odds scale, so that a small rate stays small. The bounds are
/// `σ(logit v ± k)` with `k = 4 · (1 − q) · POINT_HALF_WIDTH` — the slope of the logistic at 1/2
/// is 1/4, so at `v = 1/2` this is the additive half-width `(1 − q) · POINT_HALF_WIDTH` — and the
/// mode stays at `v`. An additive half-width would turn a weekly propensity of 0.001 with
/// confidence 0.3 into a mean of about 0.06 a week. `v` of exactly 0 or 1 stays certain.
fn unit_point_dist(v: f64, q: f64) -> Option<Dist> {
    if !(v > 0.0 && v < 1.0) {
        return None;
    }
    let k = 4.0 * (1.0 - q) * POINT_HALF_WIDTH;
    if k.is_nan() || k <= 0.0 {
        return None;
    }
    let logit = (v / (1.0 - v)).ln();
    let sigmoid = |z: f64| 1.0 / (1.0 + (-z).exp());
    Some(Dist::Pert {
        min: sigmoid(logit - k).min(v),
        mode: v,
        max: sigmoid(logit + k).max(v),
    })
}

#[cfg(test)]
mod unit_point_tests {
    use super::*;

    #[test]
    fn small_rates_stay_small_and_midpoints_match_the_additive_rule() {
        // v = 0.001, q = 0.3: k = 1.4, bounds 0.001·e^(∓1.4) ≈ 0.000247 and 0.00404.
        let Some(Dist::Pert { min, mode, max }) = unit_point_dist(0.001, 0.3) else {
            panic!("expected a PERT")
        };
        assert!((min - 0.000_247).abs() < 2e-6, "{min}");
        assert_eq!(mode, 0.001);
        assert!((max - 0.004_03).abs() < 3e-5, "{max}");
        // v = 0.5, q = 0.6: k = 0.8, bounds σ(∓0.8) = 0.310 and 0.690 (additive rule: 0.3, 0.7).
        let Some(Dist::Pert { min, max, .. }) = unit_point_dist(0.5, 0.6) else {
            panic!("expected a PERT")
        };
        assert!((min - 0.3100).abs() < 1e-3 && (max - 0.6900).abs() < 1e-3);
        assert_eq!(unit_point_dist(0.0, 0.3), None);
        assert_eq!(unit_point_dist(1.0, 0.3), None);
    }
}

// ---------------------------------------------------------------------------------------------
// Sampler
// ---------------------------------------------------------------------------------------------

/// One uncertain input of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    /// Dotted path from [`Scenario::visit_nums_mut`].
    pub path: String,
    /// The stated (nominal) value.
    pub nominal: f64,
    /// The distribution after the evidence discount.
    pub dist: Dist,
    pub domain: Domain,
    /// Index of this input's uniform in the `u` vector (see [`Sampler`]).
    pub slot: usize,
}

impl Input {
    /// The input's value at cumulative probability `u`, clamped to its domain.
    pub fn value_at(&self, u: f64) -> f64 {
        self.domain.clamp(quantile(&self.dist, u))
    }
}

/// Turns uniforms into sampled scenarios.
///
/// The `u` vector has one slot per number of the *layout* scenario (every number visited by
/// `visit_nums_mut`, in visit order), whether uncertain or not. A sampler for an edited scenario
/// (a counterfactual) built with [`Sampler::with_layout`] reuses the base scenario's slots by
/// path, so the same run index drives the same inputs with the same uniforms (common random
/// numbers).
#[derive(Clone, Debug)]
pub struct Sampler {
    /// The uncertain inputs, in visit order.
    pub inputs: Vec<Input>,
    /// Number of slots in the `u` vector.
    pub n_slots: usize,
    /// For each number visited (in visit order) the index into `inputs`, if uncertain: what
    /// the walking reference [`Sampler::apply_with_walk`] follows.
    #[cfg(test)]
    visit_map: Vec<Option<usize>>,
    /// Per input: its PERT's `(min, mode, max)` and precomputed shape, if its distribution is a
    /// non-degenerate PERT (the per-draw fast path of [`Sampler::apply`]).
    pert: Vec<Option<([f64; 3], PertShape)>>,
    /// Per input: the keyed-draw id of its path ([`crate::rng::element_id`], with the path's
    /// occurrence number when a path repeats), so its uniform does not depend on which other
    /// numbers exist.
    keys: Vec<u64>,
    /// Per input, what [`Sampler::sample_run`] needs of it, side by side (built with the rest
    /// of the sampler, from the same inputs and PERT shapes), among it where its number lives
    /// (the address [`Sampler::apply_with`] writes through).
    steps: Vec<RunStep>,
}

/// What one run needs of one input ([`Sampler::sample_run`]).
#[derive(Clone, Debug)]
struct RunStep {
    /// Where the input's number lives in the scenario the sampler was built for
    /// ([`Scenario::visit_nums_at`]), so that a run writes the inputs directly instead of
    /// walking every number of the scenario (most are certain).
    at: NumAt,
    /// The key of the draw that [`Sampler::draw_u_into`] leaves in the input's slot (its own
    /// key, or a later input's sharing the slot, which overwrote it), `None` for a slot outside
    /// the `u` vector (then [`Sampler::apply`] reads 0.5): so the uniform can be drawn where it
    /// is used, without filling a `u` vector.
    key: Option<u64>,
    /// The input's tabulated distribution, when it has one: [`Sampler::value_at`]'s fast path
    /// with its per-call checks done once here (the shape matches the input's distribution,
    /// there is a table). `None`: every run goes through [`Sampler::value_at`].
    fast: Option<RunFast>,
}

/// A tabulated input's quantile for the `u` its table covers: what [`Sampler::value_at`]
/// computes, from the same numbers in the same order.
#[derive(Clone, Debug)]
enum RunFast {
    /// A PERT: `domain.clamp(a + (b − a)·Q̂(u))` ([`PertShape::quantile`] then
    /// [`Domain::clamp`]), the clamp left out when it cannot bind: `a + (b − a)·x` rounds
    /// monotonely in `x ∈ [0, 1]` (the table's range), so it lies in `[a, a + (b − a)]`.
    Pert {
        table: Arc<pinv::Table>,
        a: f64,
        b: f64,
        /// `None` when `[a, a + (b − a)]` lies inside the domain.
        domain: Option<Domain>,
    },
    /// A reference-class rate: `domain.clamp(gamma_rate_p(Q̂(u), rate, units_per_round))`
    /// ([`quantile`]'s `GammaRate` arm then [`Domain::clamp`]).
    GammaRate {
        table: Arc<pinv::Table>,
        rate: f64,
        units_per_round: f64,
        domain: Domain,
    },
}

/// The cached shape of every input's distribution that is a non-degenerate PERT, with its
/// table. The tables of the distinct shapes are built on the rayon pool (the Greenland
/// scenario's 446 PERT inputs have 64 shapes, ≈ 600 intervals each: most of a job's set-up);
/// each is a pure function of its shape ([`pinv::table`]), so the result is the same for any
/// thread count.
fn pert_caches(inputs: &[Input]) -> Vec<Option<([f64; 3], PertShape)>> {
    use rayon::prelude::*;
    let mut shapes: Vec<Option<([f64; 3], PertShape)>> = inputs
        .iter()
        .map(|i| match &i.dist {
            Dist::Pert { min, mode, max } => PertShape::untabulated(*min, *mode, *max)
                .ok()
                .map(|sh| ([*min, *mode, *max], sh)),
            _ => None,
        })
        .collect();
    let distinct: HashMap<(u64, u64), &PertShape> = shapes
        .iter()
        .flatten()
        .map(|(_, sh)| (sh.key(), sh))
        .collect();
    let tables: HashMap<(u64, u64), Option<Arc<pinv::Table>>> = distinct
        .into_par_iter()
        .map(|(key, sh)| (key, pinv::table(sh.alpha, sh.beta, sh.ln_beta)))
        .collect();
    for (_, sh) in shapes.iter_mut().flatten() {
        sh.table = tables.get(&sh.key()).cloned().flatten();
    }
    shapes
}

/// [`Input::value_at`] kept out of line: the rare path of [`Sampler::value_at`] (inputs that are
/// not a tabulated PERT), so that the per-run loop stays small enough to inline its common path.
#[cold]
#[inline(never)]
fn general_value_at(inp: &Input, u: f64) -> f64 {
    inp.value_at(u)
}

/// Per input, the key of the draw [`Sampler::draw_u_into`] leaves in the input's slot of a `u`
/// vector of `n_slots`: the key of the last input writing that slot (inputs share a slot when a
/// path repeats), `None` when the slot is outside the vector.
fn slot_keys(inputs: &[Input], keys: &[u64], n_slots: usize) -> Vec<Option<u64>> {
    let mut last: HashMap<usize, u64> = HashMap::new();
    for (inp, &k) in inputs.iter().zip(keys) {
        if inp.slot < n_slots {
            last.insert(inp.slot, k);
        }
    }
    inputs.iter().map(|i| last.get(&i.slot).copied()).collect()
}

/// The [`RunStep`]s of a sampler's inputs: their addresses, their slots' draw keys and, for a
/// PERT input whose cached shape matches its distribution and has a table, that table.
fn run_steps(
    inputs: &[Input],
    at: &[NumAt],
    pert: &[Option<([f64; 3], PertShape)>],
    slot_keys: &[Option<u64>],
) -> Vec<RunStep> {
    inputs
        .iter()
        .zip(at)
        .zip(slot_keys)
        .enumerate()
        .map(|(i, ((inp, &at), &key))| {
            let fast = match (pert.get(i), &inp.dist) {
                (Some(Some((k, shape))), Dist::Pert { min, mode, max })
                    if *k == [*min, *mode, *max] =>
                {
                    let (a, b, d) = (shape.a, shape.b, inp.domain);
                    let inside = d.min <= a && a + (b - a) <= d.max;
                    shape.table.as_ref().map(|t| RunFast::Pert {
                        table: Arc::clone(t),
                        a,
                        b,
                        domain: (!inside).then_some(d),
                    })
                }
                (
                    _,
                    Dist::GammaRate {
                        shape,
                        rate,
                        units_per_round,
                    },
                ) => pinv::gamma_table(*shape).map(|table| RunFast::GammaRate {
                    table,
                    rate: *rate,
                    units_per_round: *units_per_round,
                    domain: inp.domain,
                }),
                _ => None,
            };
            RunStep { at, key, fast }
        })
        .collect()
}

/// Paths of every number of `scn`, in visit order.
pub fn layout(scn: &Scenario) -> Vec<String> {
    let mut s = scn.clone();
    let mut out = Vec::new();
    s.visit_nums_mut(&mut |p, _| out.push(p.to_string()));
    out
}

impl Sampler {
    /// A sampler whose layout is `scn` itself.
    pub fn new(scn: &Scenario, discount: f64) -> Sampler {
        let paths = layout(scn);
        let slots: HashMap<String, usize> = paths
            .iter()
            .enumerate()
            .map(|(i, p)| (p.clone(), i))
            .collect();
        Sampler::with_layout(scn, discount, &slots, paths.len())
    }

    /// A sampler for `scn` using the slots of another (base) scenario's layout. Numbers whose
    /// path is not in the layout get fresh slots after `n_slots`.
    pub fn with_layout(
        scn: &Scenario,
        discount: f64,
        slots: &HashMap<String, usize>,
        n_slots: usize,
    ) -> Sampler {
        let mut s = scn.clone();
        Sampler::with_layout_in(&mut s, discount, slots, n_slots)
    }

    /// [`Sampler::with_layout`] walking `scn` itself instead of a copy: its numbers are read,
    /// not written, and `scn` is left as it was.
    pub(crate) fn with_layout_in(
        scn: &mut Scenario,
        discount: f64,
        slots: &HashMap<String, usize>,
        n_slots: usize,
    ) -> Sampler {
        // the sources are read during the walk, which borrows the rest of `scn` mutably
        let sources = std::mem::take(&mut scn.sources);
        let mut inputs = Vec::new();
        let mut at = Vec::new();
        #[cfg(test)]
        let mut visit_map = Vec::new();
        let mut next = n_slots;
        // the walk of `visit_nums_declared`, with each number's address
        scn.visit_nums_at(true, &mut |path, domain, addr, num| {
            let reliability = num
                .source
                .as_deref()
                .and_then(|c| find_source(&sources, c))
                .map_or(1.0, |s| s.reliability);
            let dist = effective_dist(num, reliability, discount, domain);
            #[cfg(test)]
            visit_map.push(dist.as_ref().map(|_| inputs.len()));
            if let Some(dist) = dist {
                let slot = match slots.get(path) {
                    Some(i) => *i,
                    None => {
                        next += 1;
                        next - 1
                    }
                };
                at.push(addr);
                inputs.push(Input {
                    path: path.to_string(),
                    nominal: num.value,
                    dist,
                    domain,
                    slot,
                });
            }
        });
        scn.sources = sources;
        let pert = pert_caches(&inputs);
        let mut seen: HashMap<&str, u64> = HashMap::new();
        let keys: Vec<u64> = inputs
            .iter()
            .map(|i| {
                let n = seen.entry(i.path.as_str()).or_insert(0);
                *n += 1;
                crate::rng::combine(crate::rng::element_id(&i.path), *n - 1)
            })
            .collect();
        let steps = run_steps(&inputs, &at, &pert, &slot_keys(&inputs, &keys, next));
        Sampler {
            inputs,
            n_slots: next,
            #[cfg(test)]
            visit_map,
            pert,
            keys,
            steps,
        }
    }

    /// Draw the `u` vector for one run from `rng`: one run key from `rng`, then each input's
    /// uniform keyed by its path ([`crate::rng::draw`]); slots of certain numbers get 0.5.
    /// Removing an actor (or any number) leaves every other number's draw unchanged.
    pub fn draw_u(&self, rng: &mut crate::rng::Rng) -> Vec<f64> {
        let mut u = Vec::new();
        self.draw_u_into(rng, &mut u);
        u
    }

    /// [`Sampler::draw_u`] into `u`'s buffer (its old contents are overwritten): what a job's
    /// worker calls per run, so sampling allocates nothing.
    pub fn draw_u_into(&self, rng: &mut crate::rng::Rng, u: &mut Vec<f64>) {
        let key = crate::rng::run_key(rng);
        u.clear();
        u.resize(self.n_slots, 0.5);
        for (inp, &k) in self.inputs.iter().zip(&self.keys) {
            if let Some(x) = u.get_mut(inp.slot) {
                *x = crate::rng::draw(key, k, 0, 0);
            }
        }
    }

    /// One run's sample written into `scn` (the scenario this sampler was built for, or a copy of
    /// it, possibly holding an earlier run's values): exactly [`Sampler::draw_u_into`] then
    /// [`Sampler::apply`] (the same run key from `rng`, the same uniforms, the same values;
    /// `tests::sample_run_is_draw_then_apply`), but each input's keyed uniform is drawn where
    /// its value is computed, so no `u` vector is filled (most slots belong to certain numbers)
    /// and nothing is allocated: the per-run path of a Monte Carlo job.
    ///
    /// It reads its inputs as the sampler was built (its `RunStep`s: addresses, draw keys, PERT
    /// tables), so it assumes `inputs` has not been edited since (nothing in the crate edits a
    /// built sampler's inputs; [`Sampler::apply`] rechecks each PERT shape per call instead).
    pub fn sample_run(&self, rng: &mut crate::rng::Rng, scn: &mut Scenario) {
        let key = crate::rng::run_key(rng);
        for (i, (step, inp)) in self.steps.iter().zip(&self.inputs).enumerate() {
            let Some(num) = scn.num_at(step.at) else {
                continue;
            };
            let u = match step.key {
                Some(k) => crate::rng::draw(key, k, 0, 0),
                None => 0.5,
            };
            num.value = match &step.fast {
                // `value_at` with the shape check, the NaN and clamp of `u` and the table's
                // presence settled (u is in (0, 1) here)
                Some(RunFast::Pert {
                    table,
                    a,
                    b,
                    domain,
                }) if u > 0.0 && u < 1.0 => {
                    let x = a + (b - a) * table.eval(u);
                    match domain {
                        Some(d) => d.clamp(x),
                        None => x,
                    }
                }
                Some(RunFast::GammaRate {
                    table,
                    rate,
                    units_per_round,
                    domain,
                }) if table.covers(u) => {
                    domain.clamp(gamma_rate_p(table.eval(u), *rate, *units_per_round))
                }
                _ => self.value_at(i, inp, u),
            };
        }
    }

    /// Write sampled values into `scn` (which must be the scenario this sampler was built for).
    /// `u` is indexed by slot. Certain numbers keep their value.
    pub fn apply(&self, scn: &mut Scenario, u: &[f64]) {
        self.apply_with(scn, |i, inp| {
            self.value_at(i, inp, u.get(inp.slot).copied().unwrap_or(0.5))
        });
    }

    /// `inp.value_at(u)` for input `i`, through the precomputed PERT shape when it still
    /// matches the input's distribution (same bits as [`Input::value_at`]). Inlined into the
    /// per-run loops ([`Sampler::sample_run`], [`Sampler::apply`]): one call per input per run.
    #[inline(always)]
    fn value_at(&self, i: usize, inp: &Input, u: f64) -> f64 {
        if let (Some(Some((key, shape))), Dist::Pert { min, mode, max }) =
            (self.pert.get(i), &inp.dist)
        {
            if *key == [*min, *mode, *max] {
                let u = if u.is_nan() { 0.5 } else { u.clamp(0.0, 1.0) };
                return inp.domain.clamp(shape.quantile(u));
            }
        }
        general_value_at(inp, u)
    }

    /// Write `value(index, input)` into every uncertain input of `scn` (which must be the
    /// scenario this sampler was built for, or a copy of it), in input order, through the
    /// inputs' recorded addresses: a run touches only its uncertain numbers, not every number
    /// of the scenario. Writes exactly what the walking `apply_with_walk` (tests only) writes
    /// (`tests::addressed_apply_writes_what_the_walk_writes`).
    ///
    /// `value` is called at one place, so that it is inlined into the loop.
    #[inline(always)]
    pub fn apply_with(&self, scn: &mut Scenario, value: impl Fn(usize, &Input) -> f64) {
        for (i, (inp, step)) in self.inputs.iter().zip(&self.steps).enumerate() {
            if let Some(num) = scn.num_at(step.at) {
                num.value = value(i, inp);
            }
        }
    }

    /// [`Sampler::apply_with`] by walking every number of `scn` in visit order (what it did
    /// before the inputs' addresses were recorded): the reference the addressed writes are
    /// tested against.
    #[cfg(test)]
    fn apply_with_walk(&self, scn: &mut Scenario, value: impl Fn(usize, &Input) -> f64) {
        let mut k = 0usize;
        scn.visit_nums_impl(false, &mut |_, _, num| {
            if let Some(Some(i)) = self.visit_map.get(k) {
                num.value = value(*i, &self.inputs[*i]);
            }
            k += 1;
        });
    }

    /// Write nominal values into every uncertain input, except input `which`, set to its
    /// quantile at `u` (used by the one-at-a-time tornado).
    pub fn apply_one(&self, scn: &mut Scenario, which: usize, u: f64) {
        self.apply_with(scn, |i, inp| {
            if i == which {
                inp.value_at(u)
            } else {
                inp.domain.clamp(inp.nominal)
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sampler's PERT shapes, whose tables are built once per distinct shape on the rayon
    /// pool (`pert_caches`), give every input of the Greenland scenario exactly the value its
    /// own distribution's quantile gives (`Input::value_at`, which builds its shape alone), at
    /// random and extreme uniforms; the scenario does repeat shapes, so the sharing is used.
    #[test]
    fn shared_tables_give_each_input_its_own_quantile() {
        let Some(src) = crate::builtin::get("greenland-2026") else {
            panic!("no built-in greenland-2026");
        };
        let scn = match crate::scenario::load::from_toml_str(src) {
            Ok(s) => s,
            Err(e) => panic!("{e:?}"),
        };
        let sampler = Sampler::new(&scn, 1.0);
        let shapes: Vec<(u64, u64)> = sampler
            .pert
            .iter()
            .flatten()
            .map(|(_, sh)| sh.key())
            .collect();
        let distinct: std::collections::HashSet<_> = shapes.iter().collect();
        assert!(
            distinct.len() > 10 && distinct.len() < shapes.len(),
            "{} of {}",
            distinct.len(),
            shapes.len()
        );
        let mut us: Vec<f64> = (0..40).map(|k| crate::rng::draw(5, k, 0, 1)).collect();
        us.extend([0.0, 1e-15, 0.5, 1.0 - 1e-15, 1.0]);
        for (i, inp) in sampler.inputs.iter().enumerate() {
            for &u in &us {
                let (got, want) = (sampler.value_at(i, inp, u), inp.value_at(u));
                assert_eq!(
                    got.to_bits(),
                    want.to_bits(),
                    "{} at u {u}: {got} vs {want}",
                    inp.path
                );
            }
        }
    }

    /// Greenland and every other scenario the repository ships (the built-ins and the
    /// backtest cases), loaded.
    fn shipped_scenarios() -> Vec<(String, Scenario)> {
        let mut out = Vec::new();
        for name in crate::builtin::names() {
            if let Some(src) = crate::builtin::get(name) {
                match crate::scenario::load::from_toml_str(src) {
                    Ok(s) => out.push((name.to_string(), s)),
                    Err(e) => panic!("{name}: {e:?}"),
                }
            }
        }
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios/backtest");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        for f in files {
            let name = f.display().to_string();
            if !name.ends_with(".toml") || name.ends_with(".resolutions.toml") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&f) else {
                continue;
            };
            if let Ok(s) = crate::scenario::load::from_toml_str(&text) {
                out.push((name, s));
            }
        }
        assert!(out.len() > 6, "{} scenarios", out.len());
        out
    }

    /// `Scenario::num_at` reaches, for every number of every shipped scenario, exactly the
    /// number that `visit_nums_at` visits with that address (the same `Num` in memory), and
    /// the addresses are distinct.
    #[test]
    fn num_at_reaches_what_the_walk_visits() {
        let mut kinds = std::collections::BTreeSet::new();
        for (name, mut scn) in shipped_scenarios() {
            let mut seen: Vec<(NumAt, usize)> = Vec::new();
            scn.visit_nums_at(false, &mut |_, _, at, num| {
                seen.push((at, num as *mut Num as usize));
            });
            assert!(!seen.is_empty(), "{name}");
            for (at, ptr) in &seen {
                let got = scn.num_at(*at).map(|n| n as *mut Num as usize);
                assert_eq!(got, Some(*ptr), "{name}: {at:?}");
                let kind = format!("{at:?}");
                kinds.insert(kind.split('(').take(2).collect::<Vec<_>>().join("("));
            }
            let distinct: std::collections::HashSet<usize> = seen.iter().map(|x| x.1).collect();
            assert_eq!(distinct.len(), seen.len(), "{name}");
        }
        println!("address kinds seen: {kinds:?}");
        // an address past the scenario's elements is no number
        let (_, mut scn) = shipped_scenarios().swap_remove(0);
        assert!(scn.num_at(NumAt::ActorCapability(usize::MAX)).is_none());
        assert!(scn.num_at(NumAt::Param(usize::MAX)).is_none());
    }

    /// Writing a run's sample through the inputs' addresses (`apply`, `apply_with`) gives
    /// exactly the scenario the walk over every number gives (`apply_with_walk`), bit for
    /// bit, for every shipped scenario over several runs (and the sample does change the
    /// scenario, so the comparison is not vacuous); and so does the one-at-a-time writer.
    #[test]
    fn addressed_apply_writes_what_the_walk_writes() {
        for (name, scn) in shipped_scenarios() {
            let sampler = Sampler::new(&scn, 1.0);
            for run in 0..6 {
                let mut r = crate::rng::substream(11, run, 3);
                let u = sampler.draw_u(&mut r);
                let mut fast = scn.clone();
                sampler.apply(&mut fast, &u);
                let mut walk = scn.clone();
                sampler.apply_with_walk(&mut walk, |i, inp| {
                    sampler.value_at(i, inp, u.get(inp.slot).copied().unwrap_or(0.5))
                });
                assert_eq!(bits(&mut fast), bits(&mut walk), "{name} run {run}");
                if !sampler.inputs.is_empty() {
                    assert_ne!(bits(&mut fast), bits(&mut scn.clone()), "{name} run {run}");
                }
            }
            if let Some(which) = sampler.inputs.len().checked_sub(1) {
                let mut fast = scn.clone();
                sampler.apply_one(&mut fast, which, 0.9);
                let mut walk = scn.clone();
                sampler.apply_with_walk(&mut walk, |i, inp| {
                    if i == which {
                        inp.value_at(0.9)
                    } else {
                        inp.domain.clamp(inp.nominal)
                    }
                });
                assert_eq!(bits(&mut fast), bits(&mut walk), "{name} one-at-a-time");
            }
        }
    }

    /// `sample_run` (each uniform drawn where it is used) writes exactly what `draw_u_into`
    /// then `apply` write, into a scenario holding an earlier run's values, and consumes the
    /// same stream: for every shipped scenario, and for a sampler whose layout puts every input
    /// on one slot (then `draw_u_into` leaves the last input's draw there for all of them).
    #[test]
    fn sample_run_is_draw_then_apply() {
        use rand::RngCore;
        let check = |name: &str, scn: &Scenario, sampler: &Sampler| {
            let mut fast = scn.clone();
            let mut slow = scn.clone();
            let mut u = Vec::new();
            for run in 0..6 {
                let mut r1 = crate::rng::substream(3, run, 9);
                let mut r2 = r1.clone();
                sampler.sample_run(&mut r1, &mut fast);
                sampler.draw_u_into(&mut r2, &mut u);
                sampler.apply(&mut slow, &u);
                assert_eq!(bits(&mut fast), bits(&mut slow), "{name} run {run}");
                assert_eq!(r1.next_u64(), r2.next_u64(), "{name} run {run}");
            }
        };
        let mut kinds = [0usize; 3];
        for (name, scn) in shipped_scenarios() {
            let sampler = Sampler::new(&scn, 1.0);
            check(&name, &scn, &sampler);
            for step in &sampler.steps {
                match &step.fast {
                    Some(RunFast::Pert { domain: None, .. }) => kinds[0] += 1,
                    Some(RunFast::Pert {
                        domain: Some(_), ..
                    }) => kinds[1] += 1,
                    Some(RunFast::GammaRate { .. }) => kinds[2] += 1,
                    None => {}
                }
            }
            // every number on one slot of a short layout: all inputs share slot 0
            let paths = layout(&scn);
            let shared: HashMap<String, usize> = paths.iter().map(|p| (p.clone(), 0)).collect();
            let sampler = Sampler::with_layout(&scn, 1.0, &shared, 1);
            if sampler.inputs.len() > 1 {
                assert!(sampler.inputs.iter().all(|i| i.slot == 0));
                let k = sampler.steps[0].key;
                assert!(k.is_some() && sampler.steps.iter().all(|x| x.key == k));
            }
            check(&format!("{name} shared"), &scn, &sampler);
        }
        // No shipped PERT can leave its domain (the loader truncates each to it, and
        // `a + (b − a)` has not rounded past `b` in any of them), so the clamped fast path is
        // made here: a Greenland PERT input's domain narrowed to the lower half of its range.
        let (name, scn) = shipped_scenarios()
            .into_iter()
            .find(|(n, _)| n.contains("greenland"))
            .expect("greenland is shipped");
        let mut sampler = Sampler::new(&scn, 1.0);
        let i = sampler
            .steps
            .iter()
            .position(|s| matches!(s.fast, Some(RunFast::Pert { .. })))
            .expect("a tabulated PERT input");
        let Some(RunFast::Pert { a, b, .. }) = sampler.steps[i].fast.clone() else {
            unreachable!()
        };
        sampler.inputs[i].domain = Domain::new(a, 0.5 * (a + b));
        let at: Vec<NumAt> = sampler.steps.iter().map(|s| s.at).collect();
        let keys: Vec<Option<u64>> = sampler.steps.iter().map(|s| s.key).collect();
        sampler.steps = run_steps(&sampler.inputs, &at, &sampler.pert, &keys);
        if matches!(
            sampler.steps[i].fast,
            Some(RunFast::Pert {
                domain: Some(_),
                ..
            })
        ) {
            kinds[1] += 1;
        }
        check(&format!("{name} narrowed"), &scn, &sampler);
        // every fast path is taken: a PERT whose range lies inside its domain (no clamp), one
        // that needs the clamp, a reference-class rate
        assert!(kinds.iter().all(|&k| k > 0), "fast paths taken: {kinds:?}");
    }

    /// Every number of `scn` (path and value bits), in visit order.
    fn bits(scn: &mut Scenario) -> Vec<(String, u64)> {
        let mut out = Vec::new();
        scn.visit_nums_mut(&mut |p, n| out.push((p.to_string(), n.value.to_bits())));
        out
    }

    #[test]
    fn normal_cdf_known_values() {
        // Φ(1.96) = 0.9750021048517795, Φ(−5) = 2.866515718791939e-7 (standard tables / scipy).
        assert!((norm_cdf(1.96) - 0.975_002_104_851_779_5).abs() < 1e-13);
        assert!((norm_cdf(-5.0) / 2.866_515_718_791_939e-7 - 1.0).abs() < 1e-10);
        assert!((norm_cdf(0.0) - 0.5).abs() < 1e-15);
        for &p in &[1e-10, 0.001, 0.025, 0.3, 0.5, 0.8, 0.975, 0.999_999] {
            let x = norm_ppf(p);
            assert!((norm_cdf(x) / p - 1.0).abs() < 1e-9, "p={p} x={x}");
        }
    }

    /// The inverse against bisection on the same `I_x` (halved until the bracket stops
    /// shrinking): on PERT shapes (a + b = 6) and on general shapes with a, b in [0.5, 12], over
    /// p in (1e-9, 1 − 1e-9), `|I_x − p| ≤ 2e-14`, and x is within what a CDF error of 4e-14
    /// moves it by (4e-14 / density, + 1e-15): the accuracy of the Newton iteration this
    /// replaced, whose stopping rule was `|I_x − p| < 1e-14`.
    /// A reference-class rate's quantile goes through the shape's gamma table: within the
    /// table's u-error of the exact inverse where the table covers `u`, the exact inverse's bits
    /// in the far tails and for a shape too large to tabulate; and the per-round probability is
    /// `1 − exp(−λ t)` of that λ.
    #[test]
    fn gamma_rate_quantile_is_the_tabulated_inverse() {
        for &(shape, rate) in &[(0.5, 864.0), (1.0, 10.0), (3.5, 120.0), (40.5, 300.0)] {
            let t = 2.0;
            let dist = Dist::GammaRate {
                shape,
                rate,
                units_per_round: t,
            };
            let Some(table) = pinv::gamma_table(shape) else {
                panic!("no table for shape {shape}")
            };
            let mut us: Vec<f64> = (1..2000).map(|k| k as f64 / 2000.0).collect();
            us.extend([1e-12, 1e-11, 0.5e-10, 2e-10, 1.0 - 1e-11, 1.0 - 2e-10]);
            let mut tabulated = 0;
            for u in us {
                let x = gamma_quantile(shape, u);
                if table.covers(u) {
                    tabulated += 1;
                    let err = (gamma_inc(shape, x) - u).abs();
                    assert!(err <= pinv::TOL, "shape {shape} u {u}: u-error {err:e}");
                } else {
                    assert_eq!(x.to_bits(), gamma_inc_inv(shape, u).to_bits(), "u {u}");
                }
                let p = -(-(x / rate) * t).exp_m1();
                assert_eq!(quantile(&dist, u).to_bits(), p.clamp(0.0, 1.0).to_bits());
            }
            assert!(tabulated >= 1999, "shape {shape}: {tabulated} tabulated");
        }
        let big = pinv::MAX_GAMMA_SHAPE + 100.0;
        assert!(pinv::gamma_table(big).is_none());
        for u in [0.1, 0.5, 0.9] {
            assert_eq!(
                gamma_quantile(big, u).to_bits(),
                gamma_inc_inv(big, u).to_bits()
            );
        }
    }

    #[test]
    fn beta_inverse_matches_bisection() {
        let u = |k: u64, slot: u64| crate::rng::draw(7, k, 0, slot);
        let mut worst = 0.0_f64;
        for k in 0..4000 {
            let (a, b) = if k % 2 == 0 {
                let m = u(k, 0);
                (1.0 + PERT_LAMBDA * m, 1.0 + PERT_LAMBDA * (1.0 - m))
            } else {
                (0.5 + 11.5 * u(k, 0), 0.5 + 11.5 * u(k, 1))
            };
            let p = (1e-9 + (1.0 - 2e-9) * u(k, 2)).clamp(1e-9, 1.0 - 1e-9);
            let x = beta_inc_inv(a, b, p);
            let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi);
                if mid <= lo || mid >= hi {
                    break;
                }
                if beta_inc(a, b, mid) < p {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let exact = 0.5 * (lo + hi);
            // what a CDF error of 4e-14 moves x by, at the density there
            let pdf =
                ((a - 1.0) * exact.ln() + (b - 1.0) * (1.0 - exact).ln() - ln_beta(a, b)).exp();
            let bound = 4e-14 / pdf + 1e-15;
            worst = worst.max((x - exact).abs() / bound);
            assert!(
                (x - exact).abs() <= bound,
                "a {a} b {b} p {p}: {x} vs {exact}"
            );
            assert!((beta_inc(a, b, x) - p).abs() <= 2e-14, "a {a} b {b} p {p}");
        }
        println!("worst error / bound {worst:.3}");
    }

    #[test]
    fn beta_known_values() {
        // I_0.5(2,3) = 11/16 (closed form for integer parameters).
        assert!((beta_inc(2.0, 3.0, 0.5) - 11.0 / 16.0).abs() < 1e-12);
        // Γ(5) = 24.
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-12);
        for &(a, b) in &[(1.0, 1.0), (1.2, 4.8), (5.0, 1.0), (0.5, 0.5), (30.0, 2.0)] {
            for &p in &[1e-9, 0.01, 0.25, 0.5, 0.9, 0.999_999] {
                let x = beta_inc_inv(a, b, p);
                assert!((beta_inc(a, b, x) - p).abs() < 1e-10, "a={a} b={b} p={p}");
            }
        }
    }

    #[test]
    fn quantiles_closed_forms() {
        let tri = Dist::Triangular {
            min: 0.0,
            mode: 25.0,
            max: 100.0,
        };
        assert_eq!(quantile(&tri, 0.25), 25.0);
        assert_eq!(quantile(&tri, 0.0), 0.0);
        assert_eq!(quantile(&tri, 1.0), 100.0);
        // PERT with a symmetric mode is symmetric: median = mode.
        let pert = Dist::Pert {
            min: 0.0,
            mode: 50.0,
            max: 100.0,
        };
        assert!((quantile(&pert, 0.5) - 50.0).abs() < 1e-9);
        // PERT(0, 0, 1) = Beta(1, 5): F⁻¹(u) = 1 − (1−u)^{1/5}.
        let pert0 = Dist::Pert {
            min: 0.0,
            mode: 0.0,
            max: 1.0,
        };
        let u: f64 = 0.3;
        assert!((quantile(&pert0, u) - (1.0 - (1.0 - u).powf(0.2))).abs() < 1e-10);
        let n = Dist::Normal {
            mean: 50.0,
            sd: 10.0,
            min: f64::NEG_INFINITY,
            max: f64::INFINITY,
        };
        assert!((quantile(&n, 0.975) - 69.599_639_845_400_54).abs() < 1e-8);
        // Truncated to [50, 60]: the median solves Φ(z) = (0.5 + Φ(1))/2.
        let tn = Dist::Normal {
            mean: 50.0,
            sd: 10.0,
            min: 50.0,
            max: 60.0,
        };
        let z = norm_ppf(0.5 * (0.5 + norm_cdf(1.0)));
        assert!((quantile(&tn, 0.5) - (50.0 + 10.0 * z)).abs() < 1e-9);
        // Far tail does not break.
        let far = Dist::Normal {
            mean: 0.0,
            sd: 1.0,
            min: 40.0,
            max: 41.0,
        };
        let x = quantile(&far, 0.5);
        assert!((40.0..=41.0).contains(&x));
        let disc = Dist::Discrete {
            values: vec![1.0, 2.0, 3.0],
            weights: vec![1.0, 2.0, 1.0],
        };
        assert_eq!(quantile(&disc, 0.1), 1.0);
        assert_eq!(quantile(&disc, 0.5), 2.0);
        assert_eq!(quantile(&disc, 0.99), 3.0);
    }

    /// Mean of a distribution by the midpoint rule on its quantile function: ∫₀¹ F⁻¹(u) du.
    fn quantile_mean(d: &Dist) -> f64 {
        let n = 20_000;
        (0..n)
            .map(|k| quantile(d, (k as f64 + 0.5) / n as f64))
            .sum::<f64>()
            / n as f64
    }

    #[test]
    fn quantile_means_match_closed_forms() {
        // PERT (Vose, λ = 4): mean (a + 4c + b)/6. Triangular: (a + b + c)/3.
        let pert = Dist::Pert {
            min: 10.0,
            mode: 20.0,
            max: 70.0,
        };
        assert!((quantile_mean(&pert) - (10.0 + 80.0 + 70.0) / 6.0).abs() < 1e-3);
        let tri = Dist::Triangular {
            min: 10.0,
            mode: 20.0,
            max: 70.0,
        };
        assert!((quantile_mean(&tri) - 100.0 / 3.0).abs() < 1e-3);
        // Normal truncated to [μ, ∞): mean μ + σ·√(2/π).
        let half = Dist::Normal {
            mean: 5.0,
            sd: 2.0,
            min: 5.0,
            max: f64::INFINITY,
        };
        let m = 5.0 + 2.0 * (2.0 / std::f64::consts::PI).sqrt();
        assert!(
            (quantile_mean(&half) - m).abs() < 2e-3,
            "{}",
            quantile_mean(&half)
        );
        let disc = Dist::Discrete {
            values: vec![0.0, 50.0, 100.0],
            weights: vec![1.0, 1.0, 2.0],
        };
        assert!((quantile_mean(&disc) - disc.nominal()).abs() < 1e-9);
    }

    #[test]
    fn source_lookup_rule() {
        let src = |id: &str, r: f64, paras: Vec<u32>| Source {
            id: id.into(),
            title: id.into(),
            reliability: r,
            paragraphs: paras,
            ..Default::default()
        };
        let sources = vec![
            src("article-ministers", 0.6, vec![10, 11, 12]),
            src("article-officials", 0.4, vec![12, 13]),
            src("article", 0.5, vec![]),
            src("nato", 0.95, vec![]),
        ];
        assert_eq!(
            find_source(&sources, "nato").map(|s| &s.id[..]),
            Some("nato")
        );
        // ¶12 is in two entries: the least reliable wins.
        assert_eq!(
            find_source(&sources, "article ¶12").map(|s| &s.id[..]),
            Some("article-officials")
        );
        assert_eq!(
            find_source(&sources, "article ¶10").map(|s| &s.id[..]),
            Some("article-ministers")
        );
        // Uncovered paragraph: falls back to the id before the ¶.
        assert_eq!(
            find_source(&sources, "article ¶29").map(|s| &s.id[..]),
            Some("article")
        );
        assert_eq!(find_source(&sources, "nope ¶1"), None);
        assert_eq!(cited_paragraphs("article ¶12, ¶ 14"), vec![12, 14]);
    }

    #[test]
    fn evidence_discount_widens() {
        let mut n = Num::new(50.0);
        assert_eq!(
            effective_dist(
                &n,
                1.0,
                1.0,
                Domain {
                    min: 0.0,
                    max: 100.0
                }
            ),
            None
        );
        // Reliability ignored at discount 0.
        assert_eq!(
            effective_dist(
                &n,
                0.2,
                0.0,
                Domain {
                    min: 0.0,
                    max: 100.0
                }
            ),
            None
        );
        n.confidence = Some(0.6);
        // q = 0.6 → half-width 0.4 · 0.5 · 100 = 20.
        assert_eq!(
            effective_dist(
                &n,
                1.0,
                0.0,
                Domain {
                    min: 0.0,
                    max: 100.0
                }
            ),
            Some(Dist::Pert {
                min: 30.0,
                mode: 50.0,
                max: 70.0
            })
        );
        // r = 0.5, d = 1 → q = 0.3 → half-width 35; truncated at 100 for value 90.
        n.value = 90.0;
        assert_eq!(
            effective_dist(
                &n,
                0.5,
                1.0,
                Domain {
                    min: 0.0,
                    max: 100.0
                }
            ),
            Some(Dist::Pert {
                min: 55.0,
                mode: 90.0,
                max: 100.0
            })
        );
        let m = Num {
            value: 50.0,
            dist: Some(Dist::Uniform {
                min: 40.0,
                max: 60.0,
            }),
            ..Default::default()
        };
        // r = 0.5, d = 0.5 → r_eff = 0.75 → w = 1.25.
        assert_eq!(
            effective_dist(&m, 0.5, 0.5, Domain::UNBOUNDED),
            Some(Dist::Uniform {
                min: 37.5,
                max: 62.5
            })
        );
    }
}
