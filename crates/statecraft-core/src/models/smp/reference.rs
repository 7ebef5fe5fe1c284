//! The straightforward SMP engine: a direct transcription of smp-spec §3.2–§3.5, with every
//! perspective matrix U^h built in full (O(n³) memory) and every bargain valued by re-scoring
//! all n positions. Kept as the test oracle for the fast engine (`super::engine`) and as the
//! baseline of `benches/smp.rs`.

use super::kernel::*;
use super::params::*;
use super::{SmpInput, SmpRun};
use crate::models::ModelError;
use crate::rng::Rng;
use rand::Rng as _;

/// Everything computed from one state (positions and ideals): §3.2.
pub(crate) struct Assessment {
    /// Risk attitudes R_i.
    pub r: Vec<f64>,
    /// `uh[h][i*n+j]` = U^h_ij.
    pub uh: Vec<Vec<f64>>,
    /// Objective win probability of each actor's position (unique positions, §3.7).
    pub win: Vec<f64>,
}

pub(crate) fn assess(
    inp: &SmpInput,
    p: &SmpParams,
    pos: &[f64],
    ideals: &[f64],
) -> Result<Assessment, ModelError> {
    let (n, m) = (inp.n, inp.m);
    let sym = p.voting_rule == VotingRule::ASymProsp && !p.ktab_compat;
    let mut d = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            d[i * n + j] = distance(
                &ideals[i * m..(i + 1) * m],
                &pos[j * m..(j + 1) * m],
                &inp.sal[i * m..(i + 1) * m],
                inp.s2sum[i],
            );
        }
    }
    let u0: Vec<f64> = d.iter().map(|&x| utility(x, 0.0)).collect();
    let pr = scalar_pce(
        &inp.cap,
        &u0,
        n,
        p.voting_rule,
        p.victory_prob_model,
        p.pce_model,
        sym,
    );
    let r = risk_from_prob(&pr, p)?;
    let mut uh = Vec::with_capacity(n);
    for h in 0..n {
        let mut u = vec![0.0; n * n];
        for i in 0..n {
            let rhi = est_r(r[h], r[i], p.big_r_adjust);
            for j in 0..n {
                u[i * n + j] = utility(d[i * n + j], rhi);
            }
        }
        uh.push(u);
    }
    let win = win_probs(inp, p, pos, |i, j| uh[i][i * n + j]);
    Ok(Assessment { r, uh, win })
}

/// Risk attitudes with the consensus fix (or KTAB's failure under `ktab_compat`).
pub(crate) fn risk_from_prob(pr: &[f64], p: &SmpParams) -> Result<Vec<f64>, ModelError> {
    if p.ktab_compat && p.big_r_adjust == BigRAdjust::Full {
        return Err(ModelError(
            "KTAB aborts with BigRAdjust=Full (its sanity check requires U^h != U); \
             run without --ktab-compat to use it"
                .into(),
        ));
    }
    let tie_tol = if p.ktab_compat { 0.0 } else { 1e-12 };
    match big_r(pr, p.big_r_range, tie_tol) {
        Some(r) => Ok(r),
        None if p.ktab_compat => Err(ModelError(
            "all positions are equally likely (e.g. full consensus): KTAB's risk map divides \
             by zero here and its run fails; run without --ktab-compat to treat every actor \
             as risk neutral"
                .into(),
        )),
        None => Ok(vec![0.0; pr.len()]),
    }
}

/// Win probability of each actor's position: a PCE over the unique positions with weights c,
/// utilities `u(i, j)` = U^i_ij (KTAB's `pDist(-1)`).
pub(crate) fn win_probs(
    inp: &SmpInput,
    p: &SmpParams,
    pos: &[f64],
    u: impl Fn(usize, usize) -> f64,
) -> Vec<f64> {
    let n = inp.n;
    let sym = p.voting_rule == VotingRule::ASymProsp && !p.ktab_compat;
    let (uns, ens) = unique_positions(pos, n, inp.m, p.pos_tol);
    let nu = uns.len();
    let mut uu = vec![0.0; n * nu];
    for i in 0..n {
        for (k, &j) in uns.iter().enumerate() {
            uu[i * nu + k] = u(i, j);
        }
    }
    let pu = scalar_pce(
        &inp.cap,
        &uu,
        nu,
        p.voting_rule,
        p.victory_prob_model,
        p.pce_model,
        sym,
    );
    ens.iter().map(|&e| pu[e]).collect()
}

/// h's estimate (from U^h = `u`) of the probability that i beats j and of the change in k's
/// expected utility when i challenges j (`probEduChlg`, §3.4 step 1).
pub(crate) fn prob_edu(
    inp: &SmpInput,
    p: &SmpParams,
    u: &[f64],
    k: usize,
    i: usize,
    j: usize,
) -> (f64, f64) {
    let n = inp.n;
    let vr = p.voting_rule;
    let at = |a: usize, b: usize| u[a * n + b];
    let eu_sq = at(k, i) + at(k, j);
    let eu_vict = 2.0 * at(k, i);
    let eu_loss = 2.0 * at(k, j);
    let (si, sj) = (inp.stot[i], inp.stot[j]);
    let ai = vote(vr, si * inp.cap[i], at(i, i), at(i, j));
    let aj = vote(vr, sj * inp.cap[j], at(j, i), at(j, j));
    let mut chij = 1e-10 + ai.max(0.0) + aj.max(0.0);
    let mut chji = 1e-10 + (-ai).max(0.0) + (-aj).max(0.0);
    let (ci0, cj0) = (chij, chji);
    for t in 0..n {
        if t == i || t == j {
            continue;
        }
        let v = third_party_vote(
            vr,
            p.third_party_commit,
            inp.stot[t] * inp.cap[t],
            ci0,
            cj0,
            at(t, i),
            at(t, j),
            at(t, t),
        );
        if v > 0.0 {
            chij += v;
        } else if v < 0.0 {
            chji -= v;
        }
    }
    let pij = chij / (chij + chji);
    let eu_cntst = pij * eu_vict + (1.0 - pij) * eu_loss;
    let eu_chlg = (1.0 - sj) * eu_vict + sj * eu_cntst;
    (pij, eu_chlg - eu_sq)
}

/// A proposed bargain: the initiator's and the receiver's new positions.
#[derive(Clone, Debug)]
pub(crate) struct Bargain {
    pub init: usize,
    pub rcvr: usize,
    pub pos_init: Vec<f64>,
    pub pos_rcvr: Vec<f64>,
}

/// The bargain(s) initiator i proposes to target j (§3.4 step 2), given i's estimate `pij`.
pub(crate) fn form_bargains(
    inp: &SmpInput,
    p: &SmpParams,
    pos: &[f64],
    i: usize,
    j: usize,
    pij: f64,
    uj: &[f64],
) -> Vec<Bargain> {
    form_bargains_with(inp, p, pos, i, j, pij, || prob_edu(inp, p, uj, i, i, j))
}

/// [`form_bargains`] with j's estimate of the challenge (`prob_edu(.., i, i, j)` from j's
/// perspective) computed by `j_estimate`, called only when the bargaining model needs it.
pub(crate) fn form_bargains_with(
    inp: &SmpInput,
    p: &SmpParams,
    pos: &[f64],
    i: usize,
    j: usize,
    pij: f64,
    j_estimate: impl FnOnce() -> (f64, f64),
) -> Vec<Bargain> {
    let m = inp.m;
    let (xi, xj) = (&pos[i * m..(i + 1) * m], &pos[j * m..(j + 1) * m]);
    let (si, sj) = (&inp.sal[i * m..(i + 1) * m], &inp.sal[j * m..(j + 1) * m]);
    let mk = |pr: f64| {
        let (a, b) = interpolate(p.inter_vec_brgn, xi, si, pr, xj, sj, 1.0 - pr);
        Bargain {
            init: i,
            rcvr: j,
            pos_init: a,
            pos_rcvr: b,
        }
    };
    let iij = mk(pij);
    if p.bargn_model == BargnModel::InitOnlyInterp {
        return vec![iij];
    }
    // j's perspective. KTAB feeds j's ΔEU where j's probability belongs (smp-spec §3.9 #9).
    let est = j_estimate();
    let pj = if p.ktab_compat { est.1 } else { est.0 };
    let jij = mk(pj);
    match p.bargn_model {
        BargnModel::InitRcvrInterp => vec![iij, jij],
        _ => {
            // KTAB weights j's version with i's capability (smp-spec §3.9 #7).
            let wi = inp.cap[i] * inp.stot[i];
            let wj = if p.ktab_compat {
                inp.cap[i]
            } else {
                inp.cap[j]
            } * inp.stot[j];
            let avg = |a: &[f64], b: &[f64]| -> Vec<f64> {
                a.iter()
                    .zip(b)
                    .map(|(x, y)| (wi * x + wj * y) / (wi + wj))
                    .collect()
            };
            vec![Bargain {
                init: i,
                rcvr: j,
                pos_init: avg(&iij.pos_init, &jij.pos_init),
                pos_rcvr: avg(&iij.pos_rcvr, &jij.pos_rcvr),
            }]
        }
    }
}

/// Pick an index from probabilities `p` with uniform draw `u` (inverse CDF, first index whose
/// cumulative probability exceeds u).
pub(crate) fn sample(p: &[f64], u: f64) -> usize {
    let total: f64 = p.iter().sum();
    let target = u * total;
    let mut acc = 0.0;
    for (k, &x) in p.iter().enumerate() {
        acc += x;
        if target < acc {
            return k;
        }
    }
    p.len() - 1
}

/// First index of the maximum.
pub(crate) fn argmax(p: &[f64]) -> usize {
    let mut best = 0;
    for (k, &x) in p.iter().enumerate() {
        if x > p[best] {
            best = k;
        }
    }
    best
}

/// Run the straightforward engine for at most `max_steps` steps.
pub fn run(
    inp: &SmpInput,
    p: &SmpParams,
    max_steps: usize,
    rng: &mut Rng,
) -> Result<SmpRun, ModelError> {
    run_impl(inp, p, max_steps, rng, false).map(|x| x.0)
}

/// The straightforward engine plus the O(n⁴)-per-turn bookkeeping KTAB always does (its
/// `calcUtils`: after choosing a target, every actor's estimate of the challenge's effect on
/// the initiator, the target and itself, for every possible target). The results only feed
/// KTAB's database; here they are summed into the returned checksum so that the work is not
/// optimised away. Used by `benches/smp.rs` to measure what skipping it saves.
pub fn run_ktab_like(
    inp: &SmpInput,
    p: &SmpParams,
    max_steps: usize,
    rng: &mut Rng,
) -> Result<(SmpRun, f64), ModelError> {
    run_impl(inp, p, max_steps, rng, true)
}

fn bookkeeping(inp: &SmpInput, p: &SmpParams, a: &Assessment, i: usize) -> f64 {
    let n = inp.n;
    let mut acc = 0.0;
    for j in 0..n {
        if j == i {
            continue;
        }
        for h in 0..n {
            let ks: &[usize] = if h == i {
                &[j]
            } else if h == j {
                &[i, h]
            } else {
                &[i, h, j]
            };
            for &k in ks {
                let (pp, de) = prob_edu(inp, p, &a.uh[h], k, i, j);
                acc += pp + de;
            }
        }
    }
    acc
}

fn run_impl(
    inp: &SmpInput,
    p: &SmpParams,
    max_steps: usize,
    rng: &mut Rng,
    ktab_bookkeeping: bool,
) -> Result<(SmpRun, f64), ModelError> {
    let mut checksum = 0.0;
    let (n, m) = (inp.n, inp.m);
    let sym = p.voting_rule == VotingRule::ASymProsp && !p.ktab_compat;
    let acc = inp.accommodation(p)?;
    let mut pos = inp.pos.clone();
    let mut ideals = pos.clone();
    let mut a = assess(inp, p, &pos, &ideals)?;
    let mut out = SmpRun::start(&pos, &ideals, &a.r, &a.win);
    let limit = max_steps.min(p.max_iter);
    let mut t = 0;
    while t < limit {
        // 1–2: challenges and bargains
        let mut queues: Vec<Vec<Option<usize>>> = vec![vec![None]; n];
        let mut bargains: Vec<Bargain> = Vec::new();
        let mut targets = vec![None; n];
        for i in 0..n {
            let mut best: Option<(usize, f64, f64)> = None;
            for j in 0..n {
                if j == i {
                    continue;
                }
                let (pij, de) = prob_edu(inp, p, &a.uh[i], i, i, j);
                if de > 1e-5 && best.is_none_or(|b| de > b.2) {
                    best = Some((j, pij, de));
                }
            }
            if ktab_bookkeeping && best.is_some() {
                checksum += bookkeeping(inp, p, &a, i);
            }
            if let Some((j, pij, _)) = best {
                targets[i] = Some(j);
                for b in form_bargains(inp, p, &pos, i, j, pij, &a.uh[j]) {
                    queues[i].push(Some(bargains.len()));
                    queues[j].push(Some(bargains.len()));
                    bargains.push(b);
                }
            }
        }
        // 3: each actor resolves its queue
        let draws: Vec<f64> = if p.state_transitions == StateTransitions::Stochastic {
            (0..n).map(|_| rng.gen::<f64>()).collect()
        } else {
            Vec::new()
        };
        let mut newpos = pos.clone();
        for k in 0..n {
            let q = &queues[k];
            let nb = q.len();
            let mut u = vec![0.0; n * nb];
            for ai in 0..n {
                let ua = &a.uh[ai];
                for (bi, b) in q.iter().enumerate() {
                    let mut s = 0.0;
                    match b {
                        None => {
                            for x in 0..n {
                                s += ua[ai * n + x];
                            }
                        }
                        Some(id) => {
                            let b = &bargains[*id];
                            let sa = &inp.sal[ai * m..(ai + 1) * m];
                            let xa = &ideals[ai * m..(ai + 1) * m];
                            s += utility(distance(xa, &b.pos_init, sa, inp.s2sum[ai]), a.r[ai]);
                            s += utility(distance(xa, &b.pos_rcvr, sa, inp.s2sum[ai]), a.r[ai]);
                            for x in 0..n {
                                if x != b.init && x != b.rcvr {
                                    s += ua[ai * n + x];
                                }
                            }
                        }
                    }
                    u[ai * nb + bi] = s / n as f64;
                }
            }
            let pb = scalar_pce(
                &inp.cap,
                &u,
                nb,
                p.voting_rule,
                p.victory_prob_model,
                p.pce_model,
                sym,
            );
            let chosen = if draws.is_empty() {
                argmax(&pb)
            } else {
                sample(&pb, draws[k])
            };
            if let Some(id) = q[chosen] {
                let b = &bargains[id];
                let src = if b.init == k {
                    &b.pos_init
                } else {
                    &b.pos_rcvr
                };
                newpos[k * m..(k + 1) * m].copy_from_slice(src);
            }
        }
        // 4: new ideals and the new state
        ideals = new_ideals(&acc, &newpos, &ideals, n, m);
        pos = newpos;
        a = assess(inp, p, &pos, &ideals)?;
        t += 1;
        if out.push(&pos, &ideals, &a.r, &a.win, targets, t, p) {
            break;
        }
    }
    Ok((out, checksum))
}

/// ξ' = A·x' + (1 − rowsum A)·ξ; identity when `acc` is `None`.
pub(crate) fn new_ideals(
    acc: &Option<Vec<f64>>,
    newpos: &[f64],
    ideals: &[f64],
    n: usize,
    m: usize,
) -> Vec<f64> {
    let Some(a) = acc else {
        return newpos.to_vec();
    };
    let mut out = vec![0.0; n * m];
    for i in 0..n {
        let row = &a[i * n..(i + 1) * n];
        let rs: f64 = row.iter().sum::<f64>().min(1.0);
        for k in 0..m {
            let mut v = (1.0 - rs) * ideals[i * m + k];
            for (j, &aij) in row.iter().enumerate() {
                v += aij * newpos[j * m + k];
            }
            out[i * m + k] = v;
        }
    }
    out
}
