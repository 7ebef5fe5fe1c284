//! Sequential looks for the paired hypothesis tests (docs/uncertainty.md §6, "Sequential
//! looks").
//!
//! A counterfactual hypothesis is a paired comparison of one outcome between the base world
//! and an edited world on common random numbers. Most of a study's runs went into these worlds,
//! and most claims are settled long before the full run count: an effect of 30 points is plain
//! at 256 pairs. Instead of one test at `n` pairs, each hypothesis is looked at after
//! `n/2^(K−1), …, n/2, n` pairs (at most [`Looks::max`] looks, none below [`Looks::min_runs`])
//! and stops simulating at the first look that settles it.
//!
//! **Error spending.** The family-wise α of the Holm (1979) family is spent over the looks in
//! proportion to the information, the linear spending function α(t) = α·t of Lan & DeMets
//! (1983, *Biometrika* 70:659–663; the ρ = 1 member of Kim & DeMets's 1987 power family):
//! look k at `n_k` pairs spends the share `s_k = (n_k − n_{k−1})/n` of whatever level the
//! hypothesis is tested at. The looks are combined by the Bonferroni inequality rather than
//! by the joint distribution of the looks' statistics (Jennison & Turnbull 2000, ch. 7), so
//! the bound holds for Newcombe's interval at any sample size and any dependence, at the price
//! of some conservatism (the exact boundaries would be a little narrower).
//!
//! **Multiplicity.** With `q_i = p_i / s_{k_i}`, where `p_i` is the p-value of H₀: Δ = +m in the
//! claimed direction at the look `k_i` the hypothesis was reported at, the local test of an
//! intersection H_J rejects when some `q_i ≤ α/|J|`: under H_J that has probability at most
//! `Σ_{i∈J} Σ_k (α/|J|)·s_k = α`, whichever looks were taken. Closed testing (Marcus, Peritz &
//! Gabriel 1976) with these Bonferroni local tests is Holm's step-down on the `q_i`, so the
//! family-wise error stays at α in the strong sense. The procedure below is that step-down
//! taken in time: at a look, every open hypothesis is judged at `s_k·α/(M − R)`, R being the
//! number already stopped as settled (each of which Holm on the final `q` rejects, by the order
//! independence of sequentially rejective Bonferroni procedures); at the last look the open
//! ones go through Holm's step-down at the remaining level `s_K·α`.
//!
//! **When a hypothesis stops.** At a look whose interval gives *supported* (beyond +m),
//! *equivalent* (inside ±m), or *refuted* with the whole interval beyond −m (an effect worth
//! the name against the claim). A refutation whose interval still reaches into (−m, +m) runs on:
//! more pairs may show the effect to be nil (equivalent) rather than opposite, and the two
//! verdicts say different things. Everything else runs to the last look.

use super::{
    apply_holm_at, holm_note, simulate_span_with, verdict, Delta, HypothesisResult, Keep,
    McConfig, McError, Provenance, Runner, Runs, Verdict, FAMILY_ALPHA,
};
use crate::mc::stats::{newcombe_paired, z_of_level, PairedCounts};
use crate::scenario::{Expect, Hypothesis, Scenario};
use serde::{Deserialize, Serialize};

/// The interim looks of the paired hypothesis tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Looks {
    /// Most looks, the last at the full run count (1 = one fixed-sample test).
    pub max: usize,
    /// Fewest pairs at an interim look.
    pub min_runs: u64,
}

impl Looks {
    /// The study's default: up to five looks (n/16, n/8, n/4, n/2, n), none below 256 pairs.
    pub const DEFAULT: Looks = Looks {
        max: 5,
        min_runs: 256,
    };
    /// One test at the full run count (what `--hypothesis-looks 1` asks for).
    pub const FIXED: Looks = Looks {
        max: 1,
        min_runs: 1,
    };
    /// Most looks a configuration may ask for.
    pub const MAX_LOOKS: usize = 12;

    /// Pairs at each look for a base world of `n` runs, ascending, the last `n`: `n >> j` for
    /// `j = max − 1, …, 0`, keeping only those of at least `min_runs` pairs (and always `n`).
    pub fn schedule(&self, n: u64) -> Vec<u64> {
        let max = self.max.clamp(1, Self::MAX_LOOKS);
        let mut v: Vec<u64> = (1..max)
            .rev()
            .map(|j| n >> j)
            .filter(|&k| k >= self.min_runs.max(1) && k < n)
            .collect();
        v.dedup();
        v.push(n);
        v
    }

    /// The share of α each look spends: `s_k = (n_k − n_{k−1})/n` (linear spending; they sum
    /// to 1).
    pub fn spending(schedule: &[u64]) -> Vec<f64> {
        let n = schedule.last().copied().unwrap_or(0).max(1) as f64;
        let mut prev = 0u64;
        schedule
            .iter()
            .map(|&k| {
                let s = (k - prev.min(k)) as f64 / n;
                prev = k;
                s
            })
            .collect()
    }
}

impl Default for Looks {
    fn default() -> Self {
        Looks::DEFAULT
    }
}

/// Where a sequentially tested hypothesis was reported.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeqLook {
    /// The look (1-based) whose pairs the figures come from.
    pub look: usize,
    /// Looks in the schedule.
    pub looks: usize,
    /// Pairs at each look of the schedule.
    pub schedule: Vec<u64>,
    /// The share of the hypothesis's level spent at its look (`s_k`).
    pub spent: f64,
    /// Whether it stopped before the last look (settled early).
    pub early: bool,
}

/// Whether an interval settles a hypothesis for good (see the module docs).
fn settles(expect: Expect, lo: f64, hi: f64, m: f64) -> bool {
    let hi_oriented = match expect {
        Expect::Increase => hi,
        Expect::Decrease => -lo,
    };
    match verdict(expect, lo, hi, m) {
        Verdict::Supported | Verdict::Equivalent => true,
        Verdict::Refuted => hi_oriented < -m.abs(),
        Verdict::Inconclusive => false,
    }
}

/// One hypothesis in flight.
struct Open<'a> {
    h: &'a Hypothesis,
    /// Index of its outcome class.
    k: usize,
    cfg: McConfig,
    /// The counterfactual world's indicator of the outcome, one per pair simulated so far.
    alt: Vec<bool>,
    /// Reported: (look index, result) once settled or at the last look.
    done: Option<(usize, HypothesisResult, Delta)>,
}

fn delta_at(scn: &Scenario, o: &Open, base: &[bool], n: u64) -> Delta {
    let n = n as usize;
    let b = &base[..n.min(base.len())];
    let a = &o.alt[..n.min(o.alt.len())];
    let counts = PairedCounts::from_pairs(b, a);
    let mean = |v: &[bool]| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().filter(|x| **x).count() as f64 / v.len() as f64
        }
    };
    let (lo, hi) = newcombe_paired(counts, super::Z95);
    Delta {
        outcome: scn.outcomes[o.k].id.clone(),
        p_base: mean(b),
        p_alt: mean(a),
        delta: counts.delta(),
        lo,
        hi,
        counts,
    }
}

fn result_of(scn: &Scenario, o: &Open, d: &Delta, runs: u64, m: f64) -> HypothesisResult {
    let h = o.h;
    let mut cfg = o.cfg.clone();
    cfg.runs = runs;
    HypothesisResult {
        id: h.id.clone(),
        claim: h.claim.clone(),
        outcome: h.outcome.clone(),
        expect: h.expect,
        edits: h.counterfactual.edits().iter().map(ToString::to_string).collect(),
        sources: h.sources.clone(),
        p_base: d.p_base,
        p_counterfactual: d.p_alt,
        delta: d.delta,
        lo: d.lo,
        hi: d.hi,
        verdict: verdict(h.expect, d.lo, d.hi, m),
        level: 0.95,
        p_value: 1.0,
        correction: String::new(),
        provenance: Provenance::new(scn, &cfg),
        sequential: None,
    }
}

/// The multiplicity and spending rule, named (the `correction` of every result).
pub fn seq_note(m: usize, min_effect: f64, schedule: &[u64]) -> String {
    if schedule.len() <= 1 {
        return holm_note(m, min_effect);
    }
    let looks: Vec<String> = schedule.iter().map(u64::to_string).collect();
    format!(
        "{}; sequential looks at {} pairs, α spent in proportion to the pairs (Lan & DeMets \
         1983, linear), Bonferroni over looks",
        holm_note(m, min_effect),
        looks.join(", ")
    )
}

/// The counterfactual hypotheses of `scn` against the base runs `base` (simulated with `cfg`),
/// each tested at the looks `looks` gives for `base.n` pairs and stopped at the first look
/// that settles it (module docs). With one look this is the fixed-sample test of
/// [`super::evaluate_hypotheses_on_with`], bit for bit.
pub fn evaluate_hypotheses_seq_with<R: Runner>(
    scn: &Scenario,
    cfg: &McConfig,
    base: &Runs,
    runner: &R,
    looks: Looks,
) -> Result<Vec<HypothesisResult>, McError> {
    let m = cfg.min_effect.abs();
    let n = base.n;
    let schedule = looks.schedule(n);
    let spend = Looks::spending(&schedule);
    let mut open: Vec<Open> = Vec::new();
    for h in scn.hypotheses.iter().filter(|h| super::is_testable(h)) {
        let Some(k) = scn.outcomes.iter().position(|o| o.id == h.outcome) else {
            return Err(McError::Unknown(format!(
                "hypothesis `{}`: no outcome class `{}`",
                h.id, h.outcome
            )));
        };
        let mut alt_cfg = cfg.clone();
        alt_cfg.edits.extend(h.counterfactual.edits().iter().cloned());
        alt_cfg.precision = None;
        open.push(Open {
            h,
            k,
            cfg: alt_cfg,
            alt: Vec::new(),
            done: None,
        });
    }
    let total = open.len();
    let empty = Vec::new();
    let note = seq_note(total, m, &schedule);
    let mut settled = 0usize;
    let mut prev = 0u64;
    let last = schedule.len() - 1;
    for (li, &nk) in schedule.iter().enumerate() {
        for o in open.iter_mut().filter(|o| o.done.is_none()) {
            let mut c = o.cfg.clone();
            c.runs = nk;
            let span = simulate_span_with(scn, &c, runner, None, Keep::Outcomes, prev)?;
            let flags = span.outcomes.into_iter().nth(o.k).unwrap_or_default();
            o.alt.extend(flags);
        }
        prev = nk;
        if li == last {
            break;
        }
        // Step down within the look: judge every open hypothesis at s_k·α/(M − R), stop
        // those it settles (all at once, so the order of the scenario does not matter),
        // and judge the rest again at the level their stopping frees.
        loop {
            let alpha = spend[li] * FAMILY_ALPHA / (total - settled).max(1) as f64;
            let level = 1.0 - alpha;
            let z = z_of_level(level);
            let mut now = Vec::new();
            for (i, o) in open.iter().enumerate().filter(|(_, o)| o.done.is_none()) {
                let base_k = base.outcomes.get(o.k).unwrap_or(&empty);
                let d = delta_at(scn, o, base_k, nk);
                let (lo, hi) = newcombe_paired(d.counts, z);
                if settles(o.h.expect, lo, hi, m) {
                    let mut r = result_of(scn, o, &d, nk, m);
                    r.lo = lo;
                    r.hi = hi;
                    r.level = level;
                    r.p_value = d.p_value(if o.h.expect == Expect::Increase { m } else { -m });
                    r.verdict = verdict(o.h.expect, lo, hi, m);
                    r.correction = note.clone();
                    now.push((i, r, d));
                }
            }
            if now.is_empty() {
                break;
            }
            settled += now.len();
            for (i, r, d) in now {
                open[i].done = Some((li, r, d));
            }
            if settled == total {
                break;
            }
        }
        if settled == total {
            break;
        }
    }
    // The last look: Holm's step-down over the hypotheses still open, at the level left
    // (s_K·α over M − R tests, the tests already settled counted as rejected).
    let rest: Vec<usize> = (0..open.len()).filter(|&i| open[i].done.is_none()).collect();
    if !rest.is_empty() {
        let mut rs = Vec::new();
        let mut ds = Vec::new();
        for &i in &rest {
            let base_k = base.outcomes.get(open[i].k).unwrap_or(&empty);
            let d = delta_at(scn, &open[i], base_k, n);
            rs.push(result_of(scn, &open[i], &d, n, m));
            ds.push(d);
        }
        apply_holm_at(&mut rs, &ds, m, spend[last] * FAMILY_ALPHA, &note);
        for ((&i, r), d) in rest.iter().zip(rs).zip(ds) {
            open[i].done = Some((last, r, d));
        }
    }
    Ok(open
        .into_iter()
        .filter_map(|o| o.done)
        .map(|(li, mut r, _)| {
            if schedule.len() > 1 {
                r.sequential = Some(SeqLook {
                    look: li + 1,
                    looks: schedule.len(),
                    schedule: schedule.clone(),
                    spent: spend[li],
                    early: li < last,
                });
            }
            r
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_halve_down_to_the_smallest_look() {
        assert_eq!(
            Looks::DEFAULT.schedule(4096),
            vec![256, 512, 1024, 2048, 4096]
        );
        assert_eq!(Looks::DEFAULT.schedule(1000), vec![250, 500, 1000]);
        assert_eq!(Looks::DEFAULT.schedule(300), vec![300]);
        assert_eq!(Looks::DEFAULT.schedule(0), vec![0]);
        assert_eq!(Looks::FIXED.schedule(4096), vec![4096]);
        let s = Looks::DEFAULT.schedule(4096);
        let sp = Looks::spending(&s);
        assert_eq!(sp, vec![1.0 / 16.0, 1.0 / 16.0, 0.125, 0.25, 0.5]);
        assert!((sp.iter().sum::<f64>() - 1.0).abs() < 1e-15);
    }

    #[test]
    fn only_settling_intervals_stop() {
        let m = 0.02;
        // supported, equivalent, refuted beyond −m: settled
        assert!(settles(Expect::Increase, 0.05, 0.1, m));
        assert!(settles(Expect::Increase, -0.01, 0.01, m));
        assert!(settles(Expect::Increase, -0.1, -0.05, m));
        assert!(settles(Expect::Decrease, 0.05, 0.1, m));
        // refuted but reaching into (−m, m): may yet be equivalent, runs on
        assert!(!settles(Expect::Increase, -0.05, 0.01, m));
        assert!(!settles(Expect::Decrease, -0.01, 0.05, m));
        // inconclusive
        assert!(!settles(Expect::Increase, 0.0, 0.05, m));
    }
}
