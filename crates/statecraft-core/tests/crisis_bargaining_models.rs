//! The crisis layer's weekly bargaining round through the model registry (docs/crisis.md §2):
//! `crisis-averaging`, `eum` and `smp` all run on the Greenland scenario, give different
//! positions, and are deterministic per (seed, run index); a model without a round is refused.

use statecraft_core::crisis::simulate_with;
use statecraft_core::models::ModelOptions;
use statecraft_core::rng::stream;
use statecraft_core::scenario::Scenario;

const TEXT: &str = include_str!("../../../scenarios/greenland-2026.toml");

/// Parse the scenario as `crisis_greenland.rs` does (hypotheses reduced to id and claim).
fn load() -> Scenario {
    let mut v: toml::Table = TEXT.parse().unwrap();
    if let Some(toml::Value::Array(hs)) = v.get_mut("hypotheses") {
        for h in hs.iter_mut() {
            if let toml::Value::Table(t) = h {
                t.retain(|k, _| k == "id" || k == "claim");
            }
        }
    }
    toml::Value::Table(v).try_into().unwrap()
}

fn positions(s: &Scenario, model: &str, run: u64) -> Vec<(String, f64)> {
    let st = simulate_with(s, model, &ModelOptions::default(), &mut stream(7, run)).unwrap();
    let mut v: Vec<(String, f64)> = st
        .series
        .iter()
        .filter(|(k, _)| k.starts_with("position."))
        .map(|(k, x)| (k.clone(), *x.last().unwrap()))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

#[test]
fn eum_and_smp_bargain_differently_from_averaging_and_deterministically() {
    let s = load();
    let avg = positions(&s, "crisis-averaging", 0);
    for m in ["eum", "smp"] {
        let a = positions(&s, m, 0);
        assert_eq!(a, positions(&s, m, 0), "{m}: not deterministic per seed");
        assert_eq!(a.len(), avg.len());
        let diff = a
            .iter()
            .zip(&avg)
            .map(|(x, y)| (x.1 - y.1).abs())
            .fold(0.0, f64::max);
        assert!(
            diff > 1.0,
            "{m}: final positions within 1 point of averaging"
        );
    }
    assert_ne!(positions(&s, "eum", 0), positions(&s, "smp", 0));
}

#[test]
fn a_model_without_a_round_is_refused() {
    let s = load();
    for m in ["median", "compromise", "nope"] {
        let e = simulate_with(&s, m, &ModelOptions::default(), &mut stream(7, 0)).unwrap_err();
        assert!(e.to_string().contains("crisis models"), "{m}: {e}");
    }
}
