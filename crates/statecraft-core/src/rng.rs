//! Random streams, independent of thread count and of the order in which elements draw.
//!
//! Two layers (derivation in `docs/uncertainty.md` §"Random streams"):
//! - [`stream`]`(seed, run)`: ChaCha8 with the run index as its 64-bit stream id. A run takes
//!   one 64-bit *run key* from it (see [`run_key`]).
//! - [`draw`]`(key, element, round, slot)`: a counter-based uniform, a pure function of the run
//!   key, a stable element id ([`element_id`] of a name such as `ally.uk` or
//!   `gate.jcs/option.quarantine`), the round (day) and a slot within the round. No element
//!   consumes another's numbers, so removing an actor or disabling a gate leaves every other
//!   element's draws bit-identical (common random numbers that survive structural edits).

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The RNG type used everywhere in the engine.
pub type Rng = ChaCha8Rng;

/// The RNG stream for run `run_index` of a job with master seed `seed`.
///
/// ChaCha's 64-bit stream id carries the run index, so streams never overlap and a run's
/// numbers do not depend on which thread executes it or in what order.
pub fn stream(seed: u64, run_index: u64) -> Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(run_index);
    rng
}

/// A second, independent family of streams (e.g. for input sampling vs. in-model randomness).
pub fn substream(seed: u64, run_index: u64, purpose: u64) -> Rng {
    let mixed = seed ^ purpose.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    stream(mixed, run_index)
}

/// The run key: the first 64-bit word of the run's stream. Every keyed draw of the run
/// ([`draw`]) derives from it.
pub fn run_key(rng: &mut Rng) -> u64 {
    rng.next_u64()
}

/// SplitMix64's output function (Steele, Lea & Flood 2014; Stafford's "Mix13" constants): a
/// bijective 64-bit mixer with full avalanche.
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A stable 64-bit id of an element name: FNV-1a over the bytes, then [`mix64`]. Depends only
/// on the name, never on the element's position in the scenario.
pub fn element_id(name: &str) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    mix64(h)
}

/// [`element_id`] of the concatenation of `parts`, without building the string:
/// `element_id_parts(&["gate.", id]) == element_id(&format!("gate.{id}"))`.
pub fn element_id_parts(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in parts.iter().flat_map(|p| p.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    mix64(h)
}

/// Combine two ids into one (e.g. a gate and the option passing it).
pub fn combine(a: u64, b: u64) -> u64 {
    mix64(a ^ mix64(b.wrapping_add(0x9E37_79B9_7F4A_7C15)))
}

/// 53 high bits as a uniform in [0, 1).
fn unit(z: u64) -> f64 {
    (z >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// The keyed uniform in [0, 1) of `element` at `round`, `slot` under run key `key`.
pub fn draw(key: u64, element: u64, round: u64, slot: u64) -> f64 {
    let mut z = mix64(key ^ element);
    z = mix64(z ^ round.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = mix64(z ^ slot.wrapping_mul(0xD1B5_4A32_D192_ED03) ^ 0x8CB9_2BA7_2F3D_8DD7);
    unit(z)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_id_of_parts_is_element_id_of_the_joined_string() {
        for parts in [
            &["gate.", "jcs"][..],
            &["volatility.", "us", ".", "control"],
            &[],
            &["", "x", ""],
        ] {
            assert_eq!(element_id_parts(parts), element_id(&parts.concat()));
        }
        assert_ne!(
            element_id_parts(&["gate.", "a"]),
            element_id_parts(&["gate.", "b"])
        );
    }

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a = stream(7, 3).next_u64();
        assert_eq!(a, stream(7, 3).next_u64());
        assert_ne!(a, stream(7, 4).next_u64());
        assert_ne!(a, stream(8, 3).next_u64());
    }

    #[test]
    fn keyed_draws_are_pure_and_distinct() {
        let e = element_id("ally.uk");
        assert_eq!(draw(5, e, 3, 0), draw(5, e, 3, 0));
        assert_ne!(draw(5, e, 3, 0), draw(5, e, 3, 1));
        assert_ne!(draw(5, e, 3, 0), draw(5, e, 4, 0));
        assert_ne!(draw(5, e, 3, 0), draw(6, e, 3, 0));
        assert_ne!(draw(5, e, 3, 0), draw(5, element_id("ally.fr"), 3, 0));
        assert_ne!(element_id("gate.a"), element_id("gate.b"));
    }

    /// Moments and a 20-bin chi-square of keyed draws over consecutive rounds, slots and
    /// elements: mean 1/2, variance 1/12, lag-1 correlation 0, uniform histogram.
    #[test]
    fn keyed_draws_look_uniform() {
        let n = 200_000usize;
        let xs: Vec<f64> = (0..n)
            .map(|i| {
                let e = element_id(&format!("e{}", i % 50));
                draw(42, e, (i / 200) as u64, ((i / 50) % 4) as u64)
            })
            .collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        let cov = xs
            .windows(2)
            .map(|w| (w[0] - mean) * (w[1] - mean))
            .sum::<f64>()
            / (n - 1) as f64;
        // standard errors: mean 0.00065, var 0.00019, corr 0.0022 → bounds at ≈ 4.5 SE
        assert!((mean - 0.5).abs() < 0.003, "mean {mean}");
        assert!((var - 1.0 / 12.0).abs() < 0.001, "var {var}");
        assert!((cov / var).abs() < 0.01, "lag-1 correlation {}", cov / var);
        let mut bins = [0usize; 20];
        for x in &xs {
            bins[(x * 20.0) as usize] += 1;
        }
        let exp = n as f64 / 20.0;
        let chi2: f64 = bins.iter().map(|&c| (c as f64 - exp).powi(2) / exp).sum();
        // 19 degrees of freedom: the 99.9% point is 43.8
        assert!(chi2 < 43.8, "chi-square {chi2}");
    }
}
