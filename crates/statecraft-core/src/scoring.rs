//! Scoring maths for probability forecasts of yes/no questions: mean Brier and log scores, Brier
//! skill against constant baselines, the Murphy (1973) decomposition with its reliability-diagram
//! data, and log-odds pooling with an external probability. See `docs/backtest.md` §2.
//!
//! Everything here is a pure function of `(probability, outcome)` pairs; `forecast::score`,
//! `statecraft score` and the backtest (`crate::backtest`) call it.
//!
//! Binning (stated once, used everywhere): `K` equal-width bins on [0, 1]; a forecast p falls in
//! bin `k = min(⌊p·K⌋, K − 1)`, so p = 1 is in the last bin. The default is [`DEFAULT_BINS`] = 10.

use crate::forecast::{brier, log_score};
use serde::{Deserialize, Serialize};

/// Reliability bins unless told otherwise.
pub const DEFAULT_BINS: usize = 10;
/// Most bins a decomposition may ask for (bounded work and output).
pub const MAX_BINS: usize = 1000;
/// Probabilities are clamped to [ε, 1 − ε] before taking log-odds in [`pool_logodds`].
pub const POOL_EPS: f64 = 1e-6;

/// One forecast and what happened.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pair {
    pub p: f64,
    pub outcome: bool,
}

impl Pair {
    pub fn new(p: f64, outcome: bool) -> Self {
        Pair { p, outcome }
    }
    fn o(&self) -> f64 {
        if self.outcome {
            1.0
        } else {
            0.0
        }
    }
}

fn mean(xs: impl Iterator<Item = f64>) -> f64 {
    let (s, n) = xs.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    if n == 0 {
        f64::NAN
    } else {
        s / n as f64
    }
}

/// Mean Brier score (Brier 1950): (1/N) Σ (p_i − o_i)². NaN for no pairs.
pub fn mean_brier(pairs: &[Pair]) -> f64 {
    mean(pairs.iter().map(|q| brier(q.p, q.outcome)))
}

/// Mean logarithmic score (Good 1952): (1/N) Σ ln P(o_i), p clamped as in `forecast::log_score`.
pub fn mean_log(pairs: &[Pair]) -> f64 {
    mean(pairs.iter().map(|q| log_score(q.p, q.outcome)))
}

/// Share of pairs that resolved yes, ō. NaN for no pairs.
pub fn base_rate(pairs: &[Pair]) -> f64 {
    mean(pairs.iter().map(Pair::o))
}

/// Mean Brier score of the constant forecast `c` on these outcomes.
pub fn constant_brier(pairs: &[Pair], c: f64) -> f64 {
    mean(pairs.iter().map(|q| brier(c, q.outcome)))
}

/// Brier skill score 1 − BS / BS_ref (positive = better than the reference; 1 = perfect).
/// NaN when the reference scores 0 (nothing to beat) or either is NaN.
pub fn skill(bs: f64, bs_ref: f64) -> f64 {
    if bs_ref > 0.0 && bs.is_finite() {
        1.0 - bs / bs_ref
    } else {
        f64::NAN
    }
}

/// One reliability bin: where the forecasts in it sit and how often they came true.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bin {
    /// Bin edges [lo, hi) (the last bin includes 1).
    pub lo: f64,
    pub hi: f64,
    /// Forecasts in the bin.
    pub n: usize,
    /// Their mean forecast p̄_k (NaN when empty).
    pub mean_p: f64,
    /// Share of them that resolved yes, ō_k (NaN when empty).
    pub freq: f64,
}

/// The Murphy (1973) partition of the Brier score over `K` bins.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Murphy {
    pub n: usize,
    pub bins: Vec<Bin>,
    /// Mean Brier score of the raw forecasts.
    pub brier: f64,
    /// REL = (1/N) Σ_k n_k (p̄_k − ō_k)²; lower is better.
    pub reliability: f64,
    /// RES = (1/N) Σ_k n_k (ō_k − ō)²; higher is better.
    pub resolution: f64,
    /// UNC = ō (1 − ō); depends on the outcomes only.
    pub uncertainty: f64,
    /// BS − (REL − RES + UNC): the within-bin terms (within-bin variance of the forecasts minus
    /// their within-bin covariance with the outcomes, Stephenson et al. 2008). Exactly 0 when
    /// every forecast equals its bin's mean.
    pub within_bin: f64,
}

/// The bin of probability `p` among `k` equal-width bins on [0, 1].
pub fn bin_of(p: f64, k: usize) -> usize {
    let k = k.max(1);
    let b = (p.clamp(0.0, 1.0) * k as f64).floor();
    (b as usize).min(k - 1)
}

/// Murphy decomposition with `k` equal-width bins (clamped to 1..=[`MAX_BINS`]).
pub fn murphy(pairs: &[Pair], k: usize) -> Murphy {
    let k = k.clamp(1, MAX_BINS);
    let mut sp = vec![0.0; k];
    let mut so = vec![0.0; k];
    let mut nk = vec![0usize; k];
    for q in pairs {
        let b = bin_of(q.p, k);
        sp[b] += q.p;
        so[b] += q.o();
        nk[b] += 1;
    }
    let n = pairs.len();
    let obar = base_rate(pairs);
    let bins: Vec<Bin> = (0..k)
        .map(|b| Bin {
            lo: b as f64 / k as f64,
            hi: (b + 1) as f64 / k as f64,
            n: nk[b],
            mean_p: if nk[b] > 0 {
                sp[b] / nk[b] as f64
            } else {
                f64::NAN
            },
            freq: if nk[b] > 0 {
                so[b] / nk[b] as f64
            } else {
                f64::NAN
            },
        })
        .collect();
    let (mut rel, mut res) = (0.0, 0.0);
    for b in bins.iter().filter(|b| b.n > 0) {
        rel += b.n as f64 * (b.mean_p - b.freq).powi(2);
        res += b.n as f64 * (b.freq - obar).powi(2);
    }
    let nf = n as f64;
    let (reliability, resolution) = if n > 0 {
        (rel / nf, res / nf)
    } else {
        (f64::NAN, f64::NAN)
    };
    let uncertainty = obar * (1.0 - obar);
    let bs = mean_brier(pairs);
    Murphy {
        n,
        bins,
        brier: bs,
        reliability,
        resolution,
        uncertainty,
        within_bin: bs - (reliability - resolution + uncertainty),
    }
}

/// Summary scores of a set of forecasts against two baselines.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub n: usize,
    pub brier: f64,
    pub log: f64,
    /// The base rate used as the first baseline (given, e.g. the ledger's, or ō of these pairs).
    pub base_rate: f64,
    pub brier_base_rate: f64,
    /// 1 − BS / BS(base rate).
    pub skill_base_rate: f64,
    /// BS of always saying 50% (= 0.25).
    pub brier_half: f64,
    /// 1 − BS / 0.25.
    pub skill_half: f64,
    pub log_half: f64,
    pub murphy: Murphy,
}

/// Scores, skills and decomposition of `pairs`; the base-rate baseline is `base` if given (e.g.
/// the rate of the other cases, so a case is never its own baseline), else ō of `pairs`.
pub fn summarize(pairs: &[Pair], base: Option<f64>, bins: usize) -> Summary {
    let base_rate = base.unwrap_or_else(|| base_rate(pairs));
    let bs = mean_brier(pairs);
    let bb = constant_brier(pairs, base_rate);
    let bh = constant_brier(pairs, 0.5);
    Summary {
        n: pairs.len(),
        brier: bs,
        log: mean_log(pairs),
        base_rate,
        brier_base_rate: bb,
        skill_base_rate: skill(bs, bb),
        brier_half: bh,
        skill_half: skill(bs, bh),
        log_half: if pairs.is_empty() {
            f64::NAN
        } else {
            0.5f64.ln()
        },
        murphy: murphy(pairs, bins),
    }
}

/// Log-odds (logit) pooling of a model probability with an external one (a market or crowd
/// price): logit p = (1 − w) logit p_model + w logit p_ext, w ∈ [0, 1] the external weight,
/// probabilities clamped to [ε, 1 − ε] with ε = [`POOL_EPS`]. w = 0 returns the (clamped) model
/// probability, w = 1 the external one. This is the weighted geometric pooling of odds
/// (Genest & Zidek 1986; Satopää et al. 2014 use it for forecast aggregation).
pub fn pool_logodds(p_model: f64, p_ext: f64, w: f64) -> f64 {
    let logit = |p: f64| {
        let p = p.clamp(POOL_EPS, 1.0 - POOL_EPS);
        (p / (1.0 - p)).ln()
    };
    let w = w.clamp(0.0, 1.0);
    let z = (1.0 - w) * logit(p_model) + w * logit(p_ext);
    1.0 / (1.0 + (-z).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(f64, u8)]) -> Vec<Pair> {
        v.iter().map(|&(p, o)| Pair::new(p, o == 1)).collect()
    }

    #[test]
    fn brier_log_and_skill_by_hand() {
        // (0.8,1) (0.4,0) (0.5,1) (0.1,0): Brier terms 0.04, 0.16, 0.25, 0.01 → mean 0.115
        let v = pairs(&[(0.8, 1), (0.4, 0), (0.5, 1), (0.1, 0)]);
        assert!((mean_brier(&v) - 0.115).abs() < 1e-12);
        let log = (0.8f64.ln() + 0.6f64.ln() + 0.5f64.ln() + 0.9f64.ln()) / 4.0;
        assert!((mean_log(&v) - log).abs() < 1e-12);
        // base rate 0.5 → baseline Brier 0.25 = 50% baseline; skill 1 − 0.115/0.25 = 0.54
        let s = summarize(&v, None, 10);
        assert_eq!(s.base_rate, 0.5);
        assert!((s.brier_base_rate - 0.25).abs() < 1e-12);
        assert!((s.skill_half - 0.54).abs() < 1e-12);
        assert!((s.skill_base_rate - 0.54).abs() < 1e-12);
        // a given base rate of 0.25: baseline Brier (0.75² + 0.25² + 0.75² + 0.25²)/4 = 0.3125
        let s = summarize(&v, Some(0.25), 10);
        assert!((s.brier_base_rate - 0.3125).abs() < 1e-12);
        assert!((s.skill_base_rate - (1.0 - 0.115 / 0.3125)).abs() < 1e-12);
        assert!(skill(0.1, 0.0).is_nan());
        assert!(mean_brier(&[]).is_nan());
    }

    #[test]
    fn bins_edges() {
        assert_eq!(bin_of(0.0, 10), 0);
        assert_eq!(bin_of(0.0999, 10), 0);
        assert_eq!(bin_of(0.1, 10), 1);
        assert_eq!(bin_of(1.0, 10), 9);
        assert_eq!(bin_of(0.5, 2), 1);
        assert_eq!(bin_of(0.49, 2), 0);
    }

    #[test]
    fn murphy_by_hand_and_identity_exact_on_bin_values() {
        // Forecasts take two values: 0.2 (×5, 1 yes) and 0.7 (×5, 4 yes); N = 10, ō = 0.5.
        // Bin of 0.2: p̄ = 0.2, ō_k = 0.2 → REL term 0; bin of 0.7: p̄ = 0.7, ō_k = 0.8.
        // REL = 5·(0.7 − 0.8)²/10 = 0.005; RES = (5·0.3² + 5·0.3²)/10 = 0.09; UNC = 0.25.
        // BS by hand: 0.2 bin: 4·0.04 + 0.64 = 0.80; 0.7 bin: 4·0.09 + 0.49 = 0.85 → 1.65/10.
        let v = pairs(&[
            (0.2, 1),
            (0.2, 0),
            (0.2, 0),
            (0.2, 0),
            (0.2, 0),
            (0.7, 1),
            (0.7, 1),
            (0.7, 1),
            (0.7, 1),
            (0.7, 0),
        ]);
        let m = murphy(&v, 10);
        assert!((m.brier - 0.165).abs() < 1e-12);
        assert!((m.reliability - 0.005).abs() < 1e-12);
        assert!((m.resolution - 0.09).abs() < 1e-12);
        assert!((m.uncertainty - 0.25).abs() < 1e-12);
        assert!(m.within_bin.abs() < 1e-12);
        assert!((m.brier - (m.reliability - m.resolution + m.uncertainty)).abs() < 1e-12);
        assert_eq!(m.bins[2].n, 5);
        assert_eq!(m.bins[7].n, 5);
        assert!((m.bins[7].freq - 0.8).abs() < 1e-12);
        assert!(m.bins[0].mean_p.is_nan());
        assert_eq!(m.bins.iter().map(|b| b.n).sum::<usize>(), 10);
    }

    #[test]
    fn murphy_identity_exact_for_any_forecasts_with_one_bin_per_value() {
        // With K bins such that every distinct forecast value is alone in its bin (and all
        // forecasts in a bin are equal) the identity is exact for arbitrary data.
        let v = pairs(&[
            (0.05, 0),
            (0.05, 1),
            (0.35, 0),
            (0.35, 0),
            (0.35, 1),
            (0.65, 1),
            (0.95, 1),
            (0.95, 1),
            (0.95, 0),
        ]);
        let m = murphy(&v, 10);
        assert!(
            (m.brier - (m.reliability - m.resolution + m.uncertainty)).abs() < 1e-12,
            "{m:?}"
        );
        // Spread within a bin leaves a non-zero within-bin term, and BS = REL − RES + UNC + it.
        let w = pairs(&[(0.01, 1), (0.09, 0), (0.5, 1), (0.55, 0)]);
        let m = murphy(&w, 10);
        assert!(m.within_bin.abs() > 1e-6);
        assert!(
            (m.brier - (m.reliability - m.resolution + m.uncertainty + m.within_bin)).abs() < 1e-12
        );
    }

    #[test]
    fn base_rate_forecast_has_zero_skill_and_zero_resolution() {
        let v = pairs(&[(0.3, 1), (0.3, 0), (0.3, 0), (0.3, 0), (0.3, 1)]);
        let s = summarize(&v, Some(0.4), 10);
        // ō = 0.4; the constant 0.3: REL = (0.3 − 0.4)² = 0.01, RES = 0, UNC = 0.24, BS = 0.25.
        assert!((s.murphy.reliability - 0.01).abs() < 1e-12);
        assert!(s.murphy.resolution.abs() < 1e-12);
        assert!((s.brier - 0.25).abs() < 1e-12);
        assert!((s.brier_base_rate - 0.24).abs() < 1e-12);
        assert!(s.skill_half.abs() < 1e-12);
    }

    #[test]
    fn pooling() {
        // Equal weights of 0.2 and 0.8: logits ±ln 4 cancel → 0.5.
        assert!((pool_logodds(0.2, 0.8, 0.5) - 0.5).abs() < 1e-12);
        assert!((pool_logodds(0.3, 0.9, 0.0) - 0.3).abs() < 1e-12);
        assert!((pool_logodds(0.3, 0.9, 1.0) - 0.9).abs() < 1e-12);
        // w = 0.25 of 0.5 (logit 0) and 0.9 (logit ln 9): logit = 0.25 ln 9 → 9^0.25/(1+9^0.25)
        let e = 9f64.powf(0.25) / (1.0 + 9f64.powf(0.25));
        assert!((pool_logodds(0.5, 0.9, 0.25) - e).abs() < 1e-12);
        assert!(pool_logodds(0.0, 1.0, 0.5).is_finite());
        assert!((pool_logodds(0.0, 0.0, 0.5) - POOL_EPS).abs() < 1e-12);
    }
}
