//! A small multi-model ensemble of the crisis layer's bargaining step (issue 12; docs/crisis.md,
//! "Which bargaining model"; JSON in docs/output.md, `ensemble`).
//!
//! The study runs the main Monte Carlo job once per bargaining model with the same seed and
//! edits. Sampling does not depend on the model, so every model sees the same sampled inputs in
//! run `r` (common random numbers); only the weekly bargaining round differs. This module holds
//! the ids, the result types and the disagreement rule; `study::study` runs the jobs.
//!
//! **Disagreement rule.** On an outcome class, the models *disagree* when the 95% Wilson
//! intervals of two of them do not overlap: max over models of the lower bound > min over models
//! of the upper bound. Non-overlap of two 95% intervals is a conservative test of a difference
//! (it implies p < 0.05 and misses some real differences; Schenker & Gentleman 2001, "On judging
//! the significance of differences by examining the overlap between confidence intervals",
//! *The American Statistician* 55(3)), so a flag means the models differ beyond Monte Carlo
//! noise, and no flag does not mean they agree.

use crate::mc::{McResult, OutcomeProb};
use crate::models::step::CRISIS_IDS;
use serde::{Deserialize, Serialize};

/// The models of `--ensemble` without ids: the averaging rule, EUM (Scholz preset) and SMP.
/// The two other EUM presets (`eum-scholz` is `eum`, `eum-printed` differs in its rules only)
/// are left out to keep the ensemble's cost at three jobs.
pub const DEFAULT_MODELS: [&str; 3] = ["crisis-averaging", "eum", "smp"];

/// What to run: the model ids, in order, and the runs per model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnsembleConfig {
    pub models: Vec<String>,
    pub runs: u64,
}

/// Checks `ids` for an ensemble on a scenario (`crisis` = it has a crisis layer): at least one
/// id, each a crisis model ([`CRISIS_IDS`]), none twice. The error names the valid ids and,
/// for a misspelt one, the nearest.
pub fn check_ids(ids: &[String], crisis: bool) -> Result<(), String> {
    if !crisis {
        return Err(format!(
            "--ensemble: the scenario has no crisis layer; the ensemble compares the crisis \
             layer's weekly bargaining models ({}) — use `statecraft validate` to compare \
             models on a bargaining scenario",
            CRISIS_IDS.join(", ")
        ));
    }
    if ids.is_empty() {
        return Err(format!(
            "--ensemble: no model ids; valid ids: {}",
            CRISIS_IDS.join(", ")
        ));
    }
    for (k, id) in ids.iter().enumerate() {
        if !CRISIS_IDS.contains(&id.as_str()) {
            let hint = crate::suggest::suggest(id, CRISIS_IDS.iter().copied())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return Err(format!(
                "--ensemble: `{id}` is not a crisis bargaining model{hint}; valid ids: {}",
                CRISIS_IDS.join(", ")
            ));
        }
        if ids[..k].contains(id) {
            return Err(format!("--ensemble: `{id}` is given twice"));
        }
    }
    Ok(())
}

/// Whether intervals `(lo, hi)` disagree: two of them do not overlap (max lo > min hi).
pub fn disagree(intervals: &[(f64, f64)]) -> bool {
    let max_lo = intervals
        .iter()
        .map(|i| i.0)
        .fold(f64::NEG_INFINITY, f64::max);
    let min_hi = intervals.iter().map(|i| i.1).fold(f64::INFINITY, f64::min);
    max_lo > min_hi
}

/// One model of the ensemble.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnsembleModel {
    /// The id asked for (`eum`).
    pub id: String,
    /// The options of the model that ran (as `provenance.model_options`).
    pub model_options: serde_json::Value,
    pub runs: u64,
}

/// One outcome class across the models.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnsembleOutcome {
    pub id: String,
    pub name: String,
    /// One per model, in [`Ensemble::models`] order (Wilson 95% intervals).
    pub models: Vec<OutcomeProb>,
    /// max − min of the models' probabilities.
    pub spread: f64,
    /// The disagreement rule ([`disagree`]) holds.
    pub disagree: bool,
}

/// The ensemble's result (`Study::ensemble`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ensemble {
    pub seed: u64,
    /// Runs per model.
    pub runs: u64,
    /// The disagreement rule, in words: an outcome is flagged when [`RULE`].
    pub rule: String,
    pub models: Vec<EnsembleModel>,
    pub outcomes: Vec<EnsembleOutcome>,
}

/// The rule as the JSON and the terminal state it.
pub const RULE: &str = "two models' 95% Wilson intervals do not overlap \
                        (max lower bound > min upper bound)";

/// Folds the per-model jobs (`(model, result)` in order) into the ensemble table.
pub fn summarise(seed: u64, runs: u64, jobs: Vec<(EnsembleModel, McResult)>) -> Ensemble {
    let mut outcomes: Vec<EnsembleOutcome> = Vec::new();
    if let Some((_, first)) = jobs.first() {
        for (k, o) in first.outcomes.iter().enumerate() {
            let per: Vec<OutcomeProb> = jobs
                .iter()
                .filter_map(|(_, r)| r.outcomes.get(k).cloned())
                .collect();
            let ps = per.iter().map(|p| p.p);
            let spread =
                ps.clone().fold(f64::NEG_INFINITY, f64::max) - ps.fold(f64::INFINITY, f64::min);
            let iv: Vec<(f64, f64)> = per.iter().map(|p| (p.lo, p.hi)).collect();
            outcomes.push(EnsembleOutcome {
                id: o.id.clone(),
                name: o.name.clone(),
                disagree: disagree(&iv),
                spread,
                models: per,
            });
        }
    }
    Ensemble {
        seed,
        runs,
        rule: RULE.to_string(),
        models: jobs.into_iter().map(|(m, _)| m).collect(),
        outcomes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disagreement_is_non_overlap_of_intervals() {
        // Overlapping: [0.2, 0.4] and [0.35, 0.6] share [0.35, 0.4].
        assert!(!disagree(&[(0.2, 0.4), (0.35, 0.6)]));
        // Touching at one point still overlaps.
        assert!(!disagree(&[(0.2, 0.4), (0.4, 0.6)]));
        // Disjoint.
        assert!(disagree(&[(0.2, 0.3), (0.35, 0.6)]));
        // Three models: the outer two are disjoint although each overlaps the middle one.
        assert!(disagree(&[(0.1, 0.3), (0.25, 0.5), (0.45, 0.7)]));
        // One model cannot disagree with itself.
        assert!(!disagree(&[(0.1, 0.2)]));
        assert!(!disagree(&[]));
        // On Wilson intervals: 20/200 vs 60/200 disagree; 20/200 vs 30/200 do not.
        let w = |k| crate::mc::stats::wilson(k, 200, crate::mc::Z95);
        assert!(disagree(&[w(20), w(60)]));
        assert!(!disagree(&[w(20), w(30)]));
    }

    #[test]
    fn ids_are_checked_with_the_valid_list() {
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(check_ids(&ids(&DEFAULT_MODELS), true).is_ok());
        let e = check_ids(&ids(&["eum", "smpp"]), true).unwrap_err();
        assert!(
            e.contains("`smpp`") && e.contains("did you mean `smp`"),
            "{e}"
        );
        assert!(e.contains("crisis-averaging, eum, eum-scholz"), "{e}");
        let e = check_ids(&ids(&["median"]), true).unwrap_err();
        assert!(e.contains("valid ids"), "{e}");
        assert!(check_ids(&ids(&["eum", "eum"]), true).is_err());
        assert!(check_ids(&[], true).is_err());
        let e = check_ids(&ids(&DEFAULT_MODELS), false).unwrap_err();
        assert!(e.contains("no crisis layer"), "{e}");
    }
}
