//! Base-versus-variant comparison with common random numbers: the one paired comparison every
//! front end uses (`statecraft compare`, the explorer, the Python binding).
//!
//! Both worlds are run with the same Monte Carlo configuration (runs, seed, evidence discount),
//! so run `i` of the variant draws the same random numbers as run `i` of the base for every
//! element the two share (streams are keyed by seed, run index and element id: `rng`). Each
//! outcome's change is reported with Newcombe's paired interval ([`mc::Delta`]), and so is each
//! forecast question's (its `when` predicate evaluated as each world's runs are folded,
//! [`mc::Runs::questions`]).

use serde::{Deserialize, Serialize};

use crate::engine::{self, RunOptions};
use crate::expr::Expr;
use crate::mc::{self, Control, Delta, McConfig, McResult};
use crate::scenario::Scenario;
use crate::study::StudyError;

/// The outcome of [`compare`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Comparison {
    /// Runs per world (the same for both).
    pub runs: u64,
    pub seed: u64,
    pub base: McResult,
    pub variant: McResult,
    /// One entry per outcome class of the base scenario, in its order.
    pub deltas: Vec<Delta>,
    /// One entry per forecast question of the base scenario with a `when` predicate that the
    /// variant also declares (same id), in the base's order; `outcome` holds the question id.
    /// Paired like `deltas`: the same run index in both worlds.
    #[serde(default)]
    pub question_deltas: Vec<Delta>,
}

/// Run `base` and `variant` with the same configuration and pair their runs by index. `opts` is
/// the model that runs (`RunOptions::resolve` of the base scenario and the front end's overrides).
///
/// `cfg.precision` is ignored: a paired comparison needs a fixed run count. The variant must
/// declare the same outcome classes as the base (an edited copy of it does); a class missing
/// from the variant is an error.
pub fn compare(
    base: &Scenario,
    variant: &Scenario,
    cfg: &McConfig,
    opts: &RunOptions,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<Comparison, StudyError> {
    compare_with(
        base,
        variant,
        cfg,
        opts,
        &Control {
            cancel: cfg.cancel.clone(),
        },
        progress,
    )
}

/// [`compare`] under a front end's [`Control`]: cancelling `control.cancel` stops both worlds'
/// jobs at their next check with `StudyError::Mc(McError::Cancelled)`.
pub fn compare_with(
    base: &Scenario,
    variant: &Scenario,
    cfg: &McConfig,
    opts: &RunOptions,
    control: &Control,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<Comparison, StudyError> {
    if cfg.runs == 0 {
        return Err(StudyError::Config("runs must be at least 1".into()));
    }
    let ids = |s: &Scenario| s.outcomes.iter().map(|o| o.id.clone()).collect::<Vec<_>>();
    if ids(base) != ids(variant) {
        return Err(StudyError::Config(format!(
            "the variant's outcome classes ({}) differ from the base's ({}); a paired comparison \
             needs the same classes in the same order",
            ids(variant).join(", "),
            ids(base).join(", ")
        )));
    }
    let fixed = McConfig {
        precision: None,
        cancel: control.cancel.clone(),
        ..cfg.clone()
    };
    // `engine::simulate_once` compiled once per job (a crisis model per worker, not per run)
    let prepared = engine::Prepared::new(opts);
    let done = std::sync::atomic::AtomicU64::new(0);
    let tick = |_: u64| {
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if let Some(cb) = progress {
            cb(n);
        }
    };
    let (base_result, base_runs) = mc::run_keep_with(base, &fixed, &prepared, Some(&tick))?;
    let (variant_result, variant_runs) =
        mc::run_keep_with(variant, &fixed, &prepared, Some(&tick))?;
    let deltas = mc::deltas(base, &base_runs, &variant_runs);
    let question_deltas = question_deltas(base, variant, &base_runs, &variant_runs)?;
    Ok(Comparison {
        runs: fixed.runs,
        seed: fixed.seed,
        base: base_result,
        variant: variant_result,
        deltas,
        question_deltas,
    })
}

/// Paired differences of the forecast questions: each world's own `when` predicate of a
/// question id both declare, evaluated on its runs, paired by run index (Newcombe's interval,
/// as for outcome classes). A question without a predicate, or missing from the variant, has no
/// entry.
pub fn question_deltas(
    base: &Scenario,
    variant: &Scenario,
    base_runs: &mc::Runs,
    variant_runs: &mc::Runs,
) -> Result<Vec<Delta>, StudyError> {
    let parse = |s: &Scenario, id: &str, when: &str| {
        Expr::parse(when, s.scenario.as_of)
            .map_err(|e| StudyError::Config(format!("question `{id}`: its `when` predicate: {e}")))
    };
    let mut out = Vec::new();
    for (kb, q) in base.questions.iter().enumerate() {
        if q.when.trim().is_empty() {
            continue;
        }
        let Some((kv, qv)) = variant
            .questions
            .iter()
            .enumerate()
            .find(|(_, v)| v.id == q.id && !v.when.trim().is_empty())
        else {
            continue;
        };
        parse(base, &q.id, &q.when)?;
        parse(variant, &qv.id, &qv.when)?;
        // the indicators folded while each world ran (`mc::Runs::questions`)
        let empty = mc::Bits::new();
        let b = base_runs.questions.get(kb).unwrap_or(&empty);
        let a = variant_runs.questions.get(kv).unwrap_or(&empty);
        out.push(mc::paired_delta(&q.id, b, a));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin;
    use crate::mc::{apply_edits, parse_set};

    fn greenland() -> Scenario {
        let text = builtin::get("greenland-2026").unwrap();
        crate::scenario::load::from_toml_str(text).unwrap()
    }

    #[test]
    fn a_cancelled_comparison_returns_cancelled() {
        let s = greenland();
        let cfg = McConfig {
            runs: 64,
            ..McConfig::default()
        };
        let opts = RunOptions::resolve(&s, &Default::default()).unwrap();
        let control = Control::cancellable();
        control.cancel.cancel();
        let e = compare_with(&s, &s, &cfg, &opts, &control, None).unwrap_err();
        assert_eq!(e, StudyError::Mc(mc::McError::Cancelled));
        assert!(!e.is_input());
    }

    #[test]
    fn identical_worlds_have_zero_deltas() {
        let s = greenland();
        let cfg = McConfig {
            runs: 64,
            seed: 3,
            ..McConfig::default()
        };
        let opts = RunOptions::resolve(&s, &Default::default()).unwrap();
        let c = compare(&s, &s, &cfg, &opts, None).unwrap();
        assert_eq!(c.deltas.len(), s.outcomes.len());
        for d in &c.deltas {
            assert_eq!(d.delta, 0.0, "{}", d.outcome);
            assert_eq!(d.counts.n10 + d.counts.n01, 0, "no discordant pairs");
        }
    }

    #[test]
    fn question_deltas_match_the_forecasts_of_each_world() {
        let s = greenland();
        assert!(!s.questions.is_empty());
        let edit = parse_set("crisis.coercion.rate=0").unwrap();
        let v = apply_edits(&s, &[edit]).unwrap();
        let cfg = McConfig {
            runs: 200,
            seed: 5,
            ..McConfig::default()
        };
        let opts = RunOptions::resolve(&s, &Default::default()).unwrap();
        let c = compare(&s, &v, &cfg, &opts, None).unwrap();
        let with_when = s.questions.iter().filter(|q| !q.when.trim().is_empty());
        assert_eq!(c.question_deltas.len(), with_when.count());
        for d in &c.question_deltas {
            // The paired table's margins are each world's own YES count (n10: YES in the
            // variant only, n01: YES in the base only).
            let n = c.runs as f64;
            assert_eq!(d.counts.n(), c.runs);
            assert_eq!(
                d.p_base,
                (d.counts.n11 + d.counts.n01) as f64 / n,
                "{}",
                d.outcome
            );
            assert_eq!(
                d.p_alt,
                (d.counts.n11 + d.counts.n10) as f64 / n,
                "{}",
                d.outcome
            );
            assert!((d.delta - (d.p_alt - d.p_base)).abs() < 1e-12);
            assert!(d.lo <= d.delta && d.delta <= d.hi, "{d:?}");
        }
        let same = compare(&s, &s, &cfg, &opts, None).unwrap();
        assert!(same.question_deltas.iter().all(|d| d.delta == 0.0));
    }

    #[test]
    fn an_edit_moves_an_outcome_with_a_paired_interval() {
        let s = greenland();
        let edit = parse_set("crisis.coercion.rate=0").unwrap();
        let v = apply_edits(&s, &[edit]).unwrap();
        let cfg = McConfig {
            runs: 200,
            seed: 1,
            ..McConfig::default()
        };
        let opts = RunOptions::resolve(&s, &Default::default()).unwrap();
        let c = compare(&s, &v, &cfg, &opts, None).unwrap();
        let moved = c
            .deltas
            .iter()
            .any(|d| d.delta != 0.0 && d.lo <= d.delta && d.delta <= d.hi);
        assert!(moved, "{:?}", c.deltas);
        assert_eq!(c.runs, 200);
    }
}
