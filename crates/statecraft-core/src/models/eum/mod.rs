//! Bueno de Mesquita's Expected Utility Model (BdM 1994, 1997) as re-specified by Scholz,
//! Calbert & Smith (2011). Single-issue. Equations and every option: `docs/models/eum.md`;
//! the specification notes: `shared/reference/eum-spec.md`.

pub mod options;
pub mod probs;

pub use options::*;

use super::{stats, Model, ModelError, Problem, Trajectory};
use crate::rng::Rng;
use serde::Serialize;

/// One single-issue EUM problem: per actor capability × salience weight, salience, and the
/// range Δ that normalises distances.
#[derive(Clone, Debug)]
pub struct Issue {
    pub w: Vec<f64>,
    pub s: Vec<f64>,
    pub delta: f64,
}

impl Issue {
    /// Build from capabilities, saliences (0–1) and initial positions.
    pub fn new(c: &[f64], s: &[f64], x0: &[f64], range: RangeRule, scale: (f64, f64)) -> Self {
        let delta = match range {
            RangeRule::InitialPositions => {
                let lo = x0.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = x0.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                hi - lo
            }
            RangeRule::IssueScale => scale.1 - scale.0,
        };
        Issue {
            w: c.iter().zip(s).map(|(c, s)| c * s).collect(),
            s: s.to_vec(),
            delta,
        }
    }
}

/// What happened to one receiver in one round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Move {
    Stay,
    /// Lost a conflict and moved to the sender's position.
    Conflict,
    Compromise,
    Capitulation,
}

/// One round's detail: risk exponents, the median μ used, and each actor's move and sender.
#[derive(Clone, Debug, Serialize)]
pub struct RoundDetail {
    pub r: Vec<f64>,
    pub mu: f64,
    pub moves: Vec<Move>,
    /// Index of the actor whose offer was taken (`None` when staying).
    pub sender: Vec<Option<usize>>,
}

/// Utility terms of i with respect to j (eqs. 15, 16, 22–24) for exponent r.
#[inline]
fn util(dist: f64, delta: f64, r: f64) -> (f64, f64) {
    let base_s = (0.5 - 0.5 * dist / delta).max(0.0);
    let base_f = 0.5 + 0.5 * dist / delta;
    if r == 1.0 {
        (2.0 - 4.0 * base_s, 2.0 - 4.0 * base_f)
    } else {
        (2.0 - 4.0 * base_s.powf(r), 2.0 - 4.0 * base_f.powf(r))
    }
}

/// Everything fixed within one pass of a round.
struct Pass<'a> {
    x: &'a [f64],
    issue: &'a Issue,
    o: &'a EumOptions,
    mu: f64,
    p: probs::Probs,
}

impl Pass<'_> {
    /// E(U_ch,tg): expected utility of `ch` challenging `tg`, evaluated with exponent `r`
    /// (eqs. 5–7, 25a). The salience is always the target's (Addendum rule 7).
    fn eu(&self, ch: usize, tg: usize, r: f64) -> f64 {
        let dist = (self.x[ch] - self.x[tg]).abs();
        let u = Utils::new(dist, self.issue.delta, r);
        self.eu_with(ch, tg, r, dist, &u)
    }

    /// (E(U_ij), E(U_ji)) both evaluated with exponent `r`: the two share U_s, U_f and U_sq
    /// (same distance, same exponent), so the powers are computed once.
    fn eu_both(&self, i: usize, j: usize, r: f64) -> (f64, f64) {
        let dist = (self.x[i] - self.x[j]).abs();
        let u = Utils::new(dist, self.issue.delta, r);
        (
            self.eu_with(i, j, r, dist, &u),
            self.eu_with(j, i, r, dist, &u),
        )
    }

    fn eu_with(&self, ch: usize, tg: usize, r: f64, dist: f64, u: &Utils) -> f64 {
        let (x, delta) = (self.x, self.issue.delta);
        let prob = self.p.get(ch, tg);
        let s_t = self.issue.s[tg];
        let eu_resist = s_t * (prob * u.s + (1.0 - prob) * u.f);
        let eu_not_resist = (1.0 - s_t) * u.s;
        let mut eu = eu_resist + eu_not_resist - self.o.q * u.sq;
        if self.o.status_quo == StatusQuo::Full && self.o.q < 1.0 {
            let to_mu = (x[ch] - self.mu).abs();
            let big_d = (to_mu + dist) / delta;
            let (ub, uw) = if r == 1.0 {
                (big_d, -big_d)
            } else {
                (
                    2.0 - 4.0 * (0.5 - 0.25 * big_d).max(0.0).powf(r),
                    2.0 - 4.0 * (0.5 + 0.25 * big_d).powf(r),
                )
            };
            let t = match self.o.t_rule {
                TRule::MedianCloser => {
                    if to_mu < dist {
                        1.0
                    } else {
                        0.0
                    }
                }
                TRule::One => 1.0,
                TRule::Zero => 0.0,
            };
            eu -= (1.0 - self.o.q) * (t * ub + (1.0 - t) * uw);
        }
        eu
    }
}

/// U_s, U_f and U_sq for one distance and exponent.
struct Utils {
    s: f64,
    f: f64,
    sq: f64,
}

impl Utils {
    #[inline]
    fn new(dist: f64, delta: f64, r: f64) -> Self {
        let (s, f) = util(dist, delta, r);
        let sq = if r == 1.0 {
            0.0
        } else {
            2.0 - 4.0 * 0.5f64.powf(r)
        };
        Utils { s, f, sq }
    }
}

/// Two actors whose positions differ by at most `SAME_POSITION_TOL · Δ` are treated as holding
/// the same position: neither makes the other an offer (as for exactly equal positions).
///
/// Why: a receiver that compromises towards a nearby sender closes the gap geometrically, and
/// once the gap is a few ulps of Δ both expected utilities are O(gap/Δ) while their rounding
/// error is O(ε); the signs that decide whether an offer exists are then noise, and two
/// summation orders of the same vote sums (the naive and the fast probabilities) differ on
/// them. The tolerance is used by both algorithms identically; 1e-9 is six orders of
/// magnitude above the disagreement of the two summation orders (≈1e-15·Δ) and far below any
/// meaningful position difference. See `docs/models/eum.md` ("Numerical tolerance").
pub const SAME_POSITION_TOL: f64 = 1e-9;

/// Expected utilities (dimensionless, of order 1) that differ by at most `EU_TOL` are treated
/// as equal in the offer rules, and an EU with |E| ≤ `EU_TOL` as zero.
///
/// Why: some comparisons are exact ties in real arithmetic, e.g. two zero-salience actors in
/// the median interval have equal securities, hence equal r, hence E(U_ij) = E(U_ji); the
/// strict test `b > a` is then decided by the last bit, which the naive and fast summation
/// orders of P set differently. 1e-12 is about 10⁴ times their disagreement (≈1e-16 on O(1)
/// values). See `docs/models/eum.md` ("Numerical tolerance").
pub const EU_TOL: f64 = 1e-12;

/// `u` is greater than `v` by more than [`EU_TOL`].
#[inline]
fn eu_gt(u: f64, v: f64) -> bool {
    u > v + EU_TOL
}

/// Largest n for which the n×n matrix of expected utilities is cached within a round.
const EU_MATRIX_MAX: usize = 4096;

/// One EUM round from positions `x`: returns the new positions and the round's detail.
pub fn round(x: &[f64], issue: &Issue, o: &EumOptions) -> (Vec<f64>, RoundDetail) {
    let n = x.len();
    let mu = stats::weighted_median(x, &issue.w, o.median_tie);
    let stay = || RoundDetail {
        r: vec![1.0; n],
        mu,
        moves: vec![Move::Stay; n],
        sender: vec![None; n],
    };
    if n < 2 || issue.delta.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return (x.to_vec(), stay());
    }
    let same_tol = SAME_POSITION_TOL * issue.delta;
    let same = |i: usize, j: usize| (x[i] - x[j]).abs() <= same_tol;
    // Keys closer than this are a tie, broken by `sender_tie` (input order).
    let key_tol = match o.ranking {
        Ranking::SenderEu => EU_TOL,
        Ranking::ScholzKey | Ranking::LeastMove => same_tol,
    };
    let ones = vec![1.0; n];
    fn vote<'a>(x: &'a [f64], issue: &'a Issue, r: &'a [f64]) -> probs::VoteInput<'a> {
        probs::VoteInput {
            x,
            w: &issue.w,
            r,
            delta: issue.delta,
        }
    }
    let first = Pass {
        x,
        issue,
        o,
        mu,
        p: probs::compute(&vote(x, issue, &ones), o.probability, o.algorithm),
    };
    let (r, pass) = match o.risk {
        Risk::Neutral => (ones.clone(), first),
        Risk::Security => {
            // Security: the EU everyone else expects from challenging i, at r = 1.
            let sec: Vec<f64> = (0..n)
                .map(|i| {
                    (0..n)
                        .filter(|&j| j != i)
                        .map(|j| first.eu(j, i, 1.0))
                        .sum()
                })
                .collect();
            let smax = sec.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let smin = sec.iter().copied().fold(f64::INFINITY, f64::min);
            let r: Vec<f64> = sec
                .iter()
                .map(|&si| {
                    let big_r = if smax > smin {
                        (2.0 * si - smax - smin) / (smax - smin)
                    } else {
                        0.0
                    };
                    (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)
                })
                .collect();
            let p = match o.probability {
                // Linear votes do not depend on r: reuse the first pass.
                Probability::Printed => first.p,
                Probability::AllPairs => {
                    probs::compute(&vote(x, issue, &r), o.probability, o.algorithm)
                }
            };
            (r, Pass { x, issue, o, mu, p })
        }
    };

    // With `Perspective::Own`, b = E(U_ji) with r_j is the sender's own a: compute every
    // E(U_ij) with r_i once.
    let eu_matrix: Option<Vec<f64>> = (o.perspective == Perspective::Own && n <= EU_MATRIX_MAX)
        .then(|| {
            let mut m = vec![0.0; n * n];
            for i in 0..n {
                for j in 0..n {
                    if i != j && !same(i, j) {
                        m[i * n + j] = pass.eu(i, j, r[i]);
                    }
                }
            }
            m
        });
    let mut next = x.to_vec();
    let mut detail = stay();
    detail.r.clone_from(&r);
    for i in 0..n {
        // (category rank, key, new position, sender): lower rank wins; then lower key.
        let mut best: Option<(u8, f64, f64, usize)> = None;
        for j in 0..n {
            if j == i || same(i, j) {
                continue;
            }
            let (a, b) = match (o.perspective, &eu_matrix) {
                (Perspective::Receiver, _) => pass.eu_both(i, j, r[i]),
                (Perspective::Own, Some(m)) => (m[i * n + j], m[j * n + i]),
                (Perspective::Own, None) => (pass.eu(i, j, r[i]), pass.eu(j, i, r[j])),
            };
            let offer = if eu_gt(b, a) && eu_gt(a, 0.0) {
                Some((0u8, x[j]))
            } else if eu_gt(b, 0.0) && eu_gt(0.0, a) && eu_gt(b, a.abs()) {
                Some((1u8, x[i] + (x[j] - x[i]) * (a / b).abs()))
            } else if o.offers == Offers::WithCapitulation && eu_gt(b, 0.0) && eu_gt(0.0, a) {
                Some((2u8, x[j]))
            } else {
                None
            };
            let Some((cat, pos)) = offer else { continue };
            let key = match (cat, o.ranking) {
                (1, Ranking::ScholzKey) => (a.abs() * x[i] + b.abs() * x[j]) / (a.abs() + b.abs()),
                (_, Ranking::SenderEu) => -b,
                _ => (pos - x[i]).abs(),
            };
            let better = match best {
                None => true,
                Some((bc, bk, _, _)) => {
                    cat < bc
                        || (cat == bc
                            && match o.sender_tie {
                                SenderTie::First => key < bk - key_tol,
                                SenderTie::Last => key <= bk + key_tol,
                            })
                }
            };
            if better {
                best = Some((cat, key, pos, j));
            }
        }
        if let Some((cat, _, pos, j)) = best {
            next[i] = pos;
            detail.moves[i] = match cat {
                0 => Move::Conflict,
                1 => Move::Compromise,
                _ => Move::Capitulation,
            };
            detail.sender[i] = Some(j);
        }
    }
    (next, detail)
}

/// A single-issue trajectory: positions per round (round 0 = input) and each round's detail.
#[derive(Clone, Debug, Serialize)]
pub struct IssueRun {
    pub positions: Vec<Vec<f64>>,
    pub details: Vec<RoundDetail>,
    pub converged: bool,
}

/// Run the EUM on one issue for at most `max_rounds` rounds.
pub fn run_issue(x0: &[f64], issue: &Issue, o: &EumOptions, max_rounds: usize) -> IssueRun {
    let mut positions = vec![x0.to_vec()];
    let mut details = Vec::new();
    let mut converged = false;
    for _ in 0..max_rounds {
        let Some(cur) = positions.last() else { break };
        let (next, d) = round(cur, issue, o);
        let moved = cur
            .iter()
            .zip(&next)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        positions.push(next);
        details.push(d);
        if let Stopping::Still { eps } = o.stopping {
            if moved <= eps {
                converged = true;
                break;
            }
        }
    }
    IssueRun {
        positions,
        details,
        converged,
    }
}

/// The EUM as a [`Model`]: each dimension of the problem is run as a separate issue.
#[derive(Clone, Debug)]
pub struct Eum {
    pub opts: EumOptions,
    id: &'static str,
}

impl Eum {
    pub fn new(opts: EumOptions) -> Self {
        let id = match opts.variant {
            Variant::Printed => "eum-printed",
            Variant::Scholz => "eum-scholz",
            Variant::Custom => "eum-custom",
        };
        Eum { opts, id }
    }
}

impl Model for Eum {
    fn id(&self) -> &str {
        self.id
    }
    fn describe(&self) -> &str {
        match self.opts.variant {
            Variant::Printed => "Expected Utility Model (Bueno de Mesquita 1994), equations as printed in Scholz et al. 2011, typos fixed",
            Variant::Scholz => "Expected Utility Model (Bueno de Mesquita 1994) as Scholz et al.'s code computes it; `eum` is this model",
            Variant::Custom => "Expected Utility Model (Bueno de Mesquita 1994) with custom options",
        }
    }
    fn run(
        &self,
        problem: &Problem,
        max_rounds: usize,
        _rng: &mut Rng,
    ) -> Result<Trajectory, ModelError> {
        super::check_problem(problem)?;
        self.opts.check().map_err(ModelError)?;
        let n = problem.n_actors();
        let m = problem.n_dims();
        let mut runs = Vec::with_capacity(m);
        for d in 0..m {
            let x0: Vec<f64> = problem.position.iter().map(|p| p[d]).collect();
            let s: Vec<f64> = problem.salience.iter().map(|p| p[d]).collect();
            let dim = &problem.dims[d];
            let issue = Issue::new(
                &problem.capability,
                &s,
                &x0,
                self.opts.range,
                (dim.min, dim.max),
            );
            runs.push(run_issue(&x0, &issue, &self.opts, max_rounds));
        }
        let len = runs.iter().map(|r| r.positions.len()).max().unwrap_or(1);
        let mut rounds = vec![vec![vec![0.0; m]; n]; len];
        for (d, run) in runs.iter().enumerate() {
            for (t, round) in rounds.iter_mut().enumerate() {
                // A dimension that stopped early keeps its final positions.
                let pos = &run.positions[t.min(run.positions.len() - 1)];
                for (a, row) in round.iter_mut().enumerate() {
                    row[d] = pos[a];
                }
            }
        }
        let mut notes = Vec::new();
        if m > 1 {
            notes.push("EUM is single-issue; each issue was run separately".to_string());
        }
        let details = serde_json::json!({
            "options": self.opts,
            "issues": runs.iter().zip(&problem.dims).map(|(r, d)| serde_json::json!({
                "issue": d.id,
                "converged": r.converged,
                "rounds": r.details,
            })).collect::<Vec<_>>(),
        });
        Ok(Trajectory {
            rounds,
            converged: runs.iter().all(|r| r.converged),
            notes,
            details,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Fast and naive runs make the same decisions, step for step.
    ///
    /// - every round's moves and senders are identical over the whole 10-round runs (the fast
    ///   sums change no decision);
    /// - one step: the fast round from the naive round's positions equals the naive round to
    ///   1e-9 (so the two formulations agree numerically);
    /// - whole trajectories agree to 1e-6: with identical decisions, the two runs can still
    ///   drift apart continuously, because a compromise x_i + (x_j − x_i)|a/b| amplifies a
    ///   1e-15 difference in P when |b| is small (seen: ×6 per round, 2.5e-12 at round 4 to
    ///   4.6e-9 at round 10 in the second saved regression case).
    fn both(x: &[f64], c: &[f64], s: &[f64], base: EumOptions) -> Result<(), TestCaseError> {
        let issue = Issue::new(c, s, x, base.range, (0.0, 100.0));
        let fast_o = EumOptions {
            algorithm: Algorithm::Fast,
            ..base.clone()
        };
        let fast = run_issue(x, &issue, &fast_o, 10);
        let naive = run_issue(
            x,
            &issue,
            &EumOptions {
                algorithm: Algorithm::Naive,
                ..base
            },
            10,
        );
        prop_assert_eq!(fast.positions.len(), naive.positions.len());
        for (t, (df, dn)) in fast.details.iter().zip(&naive.details).enumerate() {
            prop_assert_eq!(&df.moves, &dn.moves, "round {} moves", t);
            prop_assert_eq!(&df.sender, &dn.sender, "round {} senders", t);
            let (step, _) = round(&naive.positions[t], &issue, &fast_o);
            for (k, (p, q)) in step.iter().zip(&naive.positions[t + 1]).enumerate() {
                prop_assert!(
                    (p - q).abs() <= 1e-9,
                    "one step from round {}, actor {}: fast {} naive {}",
                    t,
                    k,
                    p,
                    q
                );
            }
        }
        for (t, (a, b)) in fast.positions.iter().zip(&naive.positions).enumerate() {
            for (k, (p, q)) in a.iter().zip(b).enumerate() {
                prop_assert!(
                    (p - q).abs() <= 1e-6,
                    "round {} actor {}: fast {} naive {}",
                    t,
                    k,
                    p,
                    q
                );
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// The fast vote sums change no decision (see `both`).
        #[test]
        fn fast_run_equals_naive_run(
            actors in prop::collection::vec((0.0f64..100.0, 0.01f64..1.0, 0.0f64..1.0), 2..16),
            q in prop::sample::select(vec![1.0, 0.5]),
        ) {
            let x: Vec<f64> = actors.iter().map(|a| a.0).collect();
            let c: Vec<f64> = actors.iter().map(|a| a.1).collect();
            let s: Vec<f64> = actors.iter().map(|a| a.2).collect();
            both(&x, &c, &s, EumOptions { q, ..EumOptions::scholz() })?;
            both(&x, &c, &s, EumOptions { q, ..EumOptions::printed() })?;
        }

        /// Positions never leave the range of the initial positions (moves are convex).
        #[test]
        fn positions_stay_in_initial_range(
            actors in prop::collection::vec((0u8..=10, 0.01f64..1.0, 0.0f64..1.0), 2..12),
        ) {
            let x: Vec<f64> = actors.iter().map(|a| f64::from(a.0)).collect();
            let c: Vec<f64> = actors.iter().map(|a| a.1).collect();
            let s: Vec<f64> = actors.iter().map(|a| a.2).collect();
            let lo = x.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            for o in [EumOptions::scholz(), EumOptions::printed()] {
                let issue = Issue::new(&c, &s, &x, o.range, (0.0, 10.0));
                let run = run_issue(&x, &issue, &o, 10);
                for p in run.positions.iter().flatten() {
                    prop_assert!(p.is_finite() && *p >= lo - 1e-9 && *p <= hi + 1e-9);
                }
            }
        }
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        // All at one position (Δ = 0), a single actor, zero weights, max S = min S.
        for (x, c, s) in [
            (
                vec![5.0, 5.0, 5.0],
                vec![1.0, 1.0, 1.0],
                vec![0.5, 0.5, 0.5],
            ),
            (vec![5.0], vec![1.0], vec![0.5]),
            (vec![0.0, 10.0], vec![0.0, 0.0], vec![0.0, 0.0]),
            (vec![0.0, 10.0], vec![1.0, 1.0], vec![0.5, 0.5]),
        ] {
            for o in [EumOptions::scholz(), EumOptions::printed()] {
                let issue = Issue::new(&c, &s, &x, o.range, (0.0, 10.0));
                let run = run_issue(&x, &issue, &o, 3);
                assert!(run.positions.iter().flatten().all(|p| p.is_finite()));
            }
        }
    }

    #[test]
    fn still_stopping_rule_stops_early() {
        let x = [0.0, 10.0];
        let o = EumOptions {
            stopping: Stopping::Still { eps: 0.0 },
            ..EumOptions::printed()
        };
        let issue = Issue::new(&[1.0, 1.0], &[0.5, 0.5], &x, o.range, (0.0, 10.0));
        let run = run_issue(&x, &issue, &o, 10);
        assert!(run.converged);
        assert!(run.positions.len() < 11);
    }
}
