//! A toy bargaining model used as a **stand-in** run function by tests, benchmarks and the
//! sweep CLI until the real engine (`crate::engine::simulate_once`) is wired in.
//!
//! Each round every actor moves a fixed share of the way toward the capability·salience-weighted
//! mean position of its issue, plus a small uniform jitter drawn from the run's RNG (so in-model
//! randomness exists and is exercised). It is a deliberately simple compromise dynamic, not one
//! of statecraft's documented models.

use crate::rng::Rng;
use crate::scenario::Scenario;
use crate::state::RunState;
use rand::Rng as _;

/// Share of the distance to the weighted mean covered per round.
pub const PULL: f64 = 0.3;
/// Jitter half-width as a share of the issue range.
pub const JITTER: f64 = 0.01;

/// Weighted median of `(value, weight)` pairs (lower weighted median; weights ≤ 0 ignored).
pub fn weighted_median(pairs: &mut [(f64, f64)]) -> Option<f64> {
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pairs.iter().map(|p| p.1.max(0.0)).sum();
    if total <= 0.0 {
        return None;
    }
    let mut cum = 0.0;
    for (v, w) in pairs.iter() {
        cum += w.max(0.0);
        if cum >= 0.5 * total {
            return Some(*v);
        }
    }
    pairs.last().map(|p| p.0)
}

/// Run the toy model for `rounds` rounds. Records `issue.<i>` (weighted median of final
/// positions), `issue.<i>.mean`, `position.<a>.<i>` vars and `position.<a>.<i>` series.
pub fn compromise(
    scn: &Scenario,
    rounds: usize,
    rng: &mut Rng,
) -> Result<RunState, std::convert::Infallible> {
    let mut st = RunState::default();
    for issue in &scn.issues {
        let (lo, hi) = (issue.min.min(issue.max), issue.max.max(issue.min));
        let members: Vec<(String, f64, f64)> = scn
            .stances
            .iter()
            .filter(|s| s.issue == issue.id)
            .filter_map(|s| {
                let a = scn.actors.iter().find(|a| a.id == s.actor)?;
                let w = a.capability.value.max(0.0) * s.salience.value.clamp(0.0, 1.0);
                Some((s.actor.clone(), w, s.position.value.clamp(lo, hi)))
            })
            .collect();
        if members.is_empty() {
            continue;
        }
        let mut x: Vec<f64> = members.iter().map(|m| m.2).collect();
        let mut series: Vec<Vec<f64>> = x.iter().map(|v| vec![*v]).collect();
        let wsum: f64 = members.iter().map(|m| m.1).sum();
        for _ in 0..rounds {
            let mean = if wsum > 0.0 {
                members.iter().zip(&x).map(|(m, v)| m.1 * v).sum::<f64>() / wsum
            } else {
                x.iter().sum::<f64>() / x.len() as f64
            };
            for (k, v) in x.iter_mut().enumerate() {
                let jitter = (rng.gen::<f64>() - 0.5) * 2.0 * JITTER * (hi - lo);
                *v = (*v + PULL * (mean - *v) + jitter).clamp(lo, hi);
                series[k].push(*v);
            }
        }
        let mut pairs: Vec<(f64, f64)> = members.iter().zip(&x).map(|(m, v)| (*v, m.1)).collect();
        let med = weighted_median(&mut pairs).unwrap_or(x[0]);
        st.set(format!("issue.{}", issue.id), med);
        let mean = if wsum > 0.0 {
            members.iter().zip(&x).map(|(m, v)| m.1 * v).sum::<f64>() / wsum
        } else {
            x.iter().sum::<f64>() / x.len() as f64
        };
        st.set(format!("issue.{}.mean", issue.id), mean);
        for ((m, v), s) in members.iter().zip(&x).zip(series) {
            st.set(format!("position.{}.{}", m.0, issue.id), *v);
            st.series
                .insert(format!("position.{}.{}", m.0, issue.id), s);
        }
        let spread = x.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
            - x.iter().cloned().fold(f64::INFINITY, f64::min);
        if spread < 0.05 * (hi - lo) {
            st.events.push(format!("converged:{}", issue.id));
        }
    }
    Ok(st)
}

/// `compromise` with 10 rounds, as a plain function usable as a Monte Carlo run function.
pub fn compromise10(scn: &Scenario, rng: &mut Rng) -> Result<RunState, std::convert::Infallible> {
    compromise(scn, 10, rng)
}
