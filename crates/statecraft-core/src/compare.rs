//! Base-versus-variant comparison with common random numbers: the one paired comparison every
//! front end uses (`statecraft compare`, the explorer, the Python binding).
//!
//! Both worlds are run with the same Monte Carlo configuration (runs, seed, evidence discount),
//! so run `i` of the variant draws the same random numbers as run `i` of the base for every
//! element the two share (streams are keyed by seed, run index and element id: `rng`). Each
//! outcome's change is reported with Newcombe's paired interval ([`mc::Delta`]).

use serde::{Deserialize, Serialize};

use crate::engine::{self, RunOptions};
use crate::mc::{self, Control, Delta, McConfig, McResult};
use crate::rng::Rng;
use crate::scenario::Scenario;
use crate::state::RunState;
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
    let f = |s: &Scenario, r: &mut Rng| -> Result<RunState, engine::EngineError> {
        engine::simulate_once(s, opts, r)
    };
    let done = std::sync::atomic::AtomicU64::new(0);
    let tick = |_: u64| {
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if let Some(cb) = progress {
            cb(n);
        }
    };
    let (base_result, base_runs) = mc::run_keep(base, &fixed, f, Some(&tick))?;
    let (variant_result, variant_runs) = mc::run_keep(variant, &fixed, f, Some(&tick))?;
    let deltas = mc::deltas(base, &base_runs, &variant_runs);
    Ok(Comparison {
        runs: fixed.runs,
        seed: fixed.seed,
        base: base_result,
        variant: variant_result,
        deltas,
    })
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
