//! The fast SMP engine. Same arithmetic, in the same order, as [`super::reference`] (so the two
//! agree bit for bit), but:
//! - no perspective matrix U^h is ever stored: initiator i's estimates U^i_tj = u(d_tj, r^i_t)
//!   are formed on the fly from the distance matrix and an O(n) vector of risk estimates, so
//!   memory is O(n²) instead of O(n³);
//! - KTAB's O(n⁴) bookkeeping (`calcUtils`, every estimator × affected actor) is skipped: only
//!   the O(n³) decision-relevant work is done (n initiators × n targets × n third parties);
//! - initiators, bargain queues, rows of the distance and coalition matrices run in parallel with
//!   rayon. Every parallel item is computed independently and collected in index order, and
//!   the stochastic mode draws its uniforms from the RNG in actor order before the parallel
//!   section, so a run is byte-identical for any thread count.

use super::kernel::*;
use super::params::*;
use super::reference::{argmax, form_bargains_with, new_ideals, risk_from_prob, sample, Bargain};
use super::{SmpInput, SmpRun};
use crate::models::ModelError;
use crate::rng::Rng;
use rand::Rng as _;
use rayon::prelude::*;

/// What the engine keeps about one state.
struct State {
    /// d[i*n+j] = distance from i's ideal to j's position.
    d: Vec<f64>,
    r: Vec<f64>,
    win: Vec<f64>,
}

/// Coalition matrix (as `kernel::coalitions`) from option-major utilities
/// `ut[o*nact + k]` = utility to actor k of option o, rows in parallel. Reading both options'
/// utilities contiguously keeps the O(nact·nopt²) loop in cache.
fn coalitions_t(vr: VotingRule, w: &[f64], ut: &[f64], nopt: usize, symmetric: bool) -> Vec<f64> {
    let nact = w.len();
    let rows: Vec<Vec<(f64, f64)>> = (0..nopt)
        .into_par_iter()
        .map(|i| {
            let ui = &ut[i * nact..(i + 1) * nact];
            (0..i)
                .map(|j| {
                    let uj = &ut[j * nact..(j + 1) * nact];
                    let mut cij = MIN_COALITION;
                    let mut cji = MIN_COALITION;
                    for k in 0..nact {
                        let v = vote(vr, w[k], ui[k], uj[k]);
                        if symmetric {
                            let v2 = vote(vr, w[k], uj[k], ui[k]);
                            cij += v.max(0.0);
                            cji += v2.max(0.0);
                        } else {
                            // branch-free; same sums as adding v to the side it favours
                            cij += v.max(0.0);
                            cji += (-v).max(0.0);
                        }
                    }
                    (cij, cji)
                })
                .collect()
        })
        .collect();
    let mut c = vec![0.0; nopt * nopt];
    for (i, row) in rows.iter().enumerate() {
        for (j, &(cij, cji)) in row.iter().enumerate() {
            c[i * nopt + j] = cij;
            c[j * nopt + i] = cji;
        }
        c[i * nopt + i] = MIN_COALITION;
    }
    c
}

fn assess(inp: &SmpInput, p: &SmpParams, pos: &[f64], ideals: &[f64]) -> Result<State, ModelError> {
    let (n, m) = (inp.n, inp.m);
    let sym = p.voting_rule == VotingRule::ASymProsp && !p.ktab_compat;
    let d: Vec<f64> = (0..n)
        .into_par_iter()
        .flat_map_iter(|i| {
            let xi = &ideals[i * m..(i + 1) * m];
            let si = &inp.sal[i * m..(i + 1) * m];
            (0..n).map(move |j| distance(xi, &pos[j * m..(j + 1) * m], si, inp.s2sum[i]))
        })
        .collect();
    let vr = p.voting_rule;
    let mut ut = vec![0.0; n * n];
    for k in 0..n {
        for o in 0..n {
            ut[o * n + k] = utility(d[k * n + o], 0.0);
        }
    }
    let c = coalitions_t(vr, &inp.cap, &ut, n, sym);
    let pr = pce(p.pce_model, p.victory_prob_model, &c, n);
    let r = risk_from_prob(&pr, p)?;
    // win probabilities over unique positions, utilities U^i_ij = u(d_ij, r^i_i)
    let (uns, ens) = unique_positions(pos, n, m, p.pos_tol);
    let nu = uns.len();
    let rii: Vec<f64> = (0..n).map(|i| est_r(r[i], r[i], p.big_r_adjust)).collect();
    let mut ut = vec![0.0; nu * n];
    for (a, &o) in uns.iter().enumerate() {
        for k in 0..n {
            ut[a * n + k] = utility(d[k * n + o], rii[k]);
        }
    }
    let c = coalitions_t(vr, &inp.cap, &ut, nu, sym);
    let pu = pce(p.pce_model, p.victory_prob_model, &c, nu);
    let win = ens.iter().map(|&e| pu[e]).collect();
    Ok(State { d, r, win })
}

/// h's estimate of (P[i beats j], ΔEU for k) — `reference::prob_edu` with U^h formed on the fly
/// from `rh[t]` = r^h_t.
#[allow(clippy::too_many_arguments)]
fn prob_edu(
    inp: &SmpInput,
    p: &SmpParams,
    d: &[f64],
    rh: &[f64],
    k: usize,
    i: usize,
    j: usize,
) -> (f64, f64) {
    let n = inp.n;
    let vr = p.voting_rule;
    let at = |a: usize, b: usize| utility(d[a * n + b], rh[a]);
    let eu_sq = at(k, i) + at(k, j);
    let eu_vict = 2.0 * at(k, i);
    let eu_loss = 2.0 * at(k, j);
    let (si, sj) = (inp.stot[i], inp.stot[j]);
    let ai = vote(vr, si * inp.cap[i], at(i, i), at(i, j));
    let aj = vote(vr, sj * inp.cap[j], at(j, i), at(j, j));
    let mut chij = 1e-10 + ai.max(0.0) + aj.max(0.0);
    let mut chji = 1e-10 + (-ai).max(0.0) + (-aj).max(0.0);
    let (ci0, cj0) = (chij, chji);
    let tpc = p.third_party_commit;
    for t in 0..n {
        if t == i || t == j {
            continue;
        }
        let v = third_party_vote(
            vr,
            tpc,
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

/// Per-initiator precomputation for [`challenge`].
struct Initiator<'a> {
    i: usize,
    /// r^i_t
    ri: &'a [f64],
    /// U^i_ti
    col: &'a [f64],
    /// U^i_tt
    diag: &'a [f64],
    /// S_t c_t
    w3: &'a [f64],
    /// `dt[j*n + t]` = d_tj (the distance matrix transposed, so column j is contiguous)
    dt: &'a [f64],
}

/// Initiator i's own estimate (h = k = i) of challenging j: `prob_edu(.., i, i, j)` with U^i's
/// column i, diagonal and the third-party weights precomputed, so only U^i_tj is formed in the
/// O(n) loop. `v` is scratch space of length n.
#[inline]
fn challenge(
    inp: &SmpInput,
    p: &SmpParams,
    ini: &Initiator,
    v: &mut [f64],
    j: usize,
) -> (f64, f64) {
    let n = inp.n;
    let i = ini.i;
    let vr = p.voting_rule;
    let dj = &ini.dt[j * n..(j + 1) * n];
    let uij = utility(dj[i], ini.ri[i]);
    let ujj = utility(dj[j], ini.ri[j]);
    let (col, diag, w3) = (ini.col, ini.diag, ini.w3);
    let eu_sq = col[i] + uij;
    let eu_vict = 2.0 * col[i];
    let eu_loss = 2.0 * uij;
    let (si, sj) = (inp.stot[i], inp.stot[j]);
    let ai = vote(vr, si * inp.cap[i], diag[i], uij);
    let aj = vote(vr, sj * inp.cap[j], col[j], ujj);
    let mut chij = 1e-10 + ai.max(0.0) + aj.max(0.0);
    let mut chji = 1e-10 + (-ai).max(0.0) + (-aj).max(0.0);
    let (ci0, cj0) = (chij, chji);
    let tpc = p.third_party_commit;
    // the default rule pair gets a copy with the rules as constants (no dispatch in the loop)
    if vr == VotingRule::Prop && tpc == ThirdPartyCommit::SemiCommit {
        for (t, vt) in v.iter_mut().enumerate() {
            let unj = utility(dj[t], ini.ri[t]);
            *vt = third_party_vote(
                VotingRule::Prop,
                ThirdPartyCommit::SemiCommit,
                w3[t],
                ci0,
                cj0,
                col[t],
                unj,
                diag[t],
            );
        }
    } else {
        for (t, vt) in v.iter_mut().enumerate() {
            let unj = utility(dj[t], ini.ri[t]);
            *vt = third_party_vote(vr, tpc, w3[t], ci0, cj0, col[t], unj, diag[t]);
        }
    }
    // the same order of summation as the reference; branch-free (the sign of v is unpredictable)
    for (t, &vt) in v.iter().enumerate() {
        if t == i || t == j {
            continue;
        }
        chij += vt.max(0.0);
        chji += (-vt).max(0.0);
    }
    let pij = chij / (chij + chji);
    let eu_cntst = pij * eu_vict + (1.0 - pij) * eu_loss;
    let eu_chlg = (1.0 - sj) * eu_vict + sj * eu_cntst;
    (pij, eu_chlg - eu_sq)
}

/// `reference::form_bargains` with j's perspective formed on the fly.
fn form_bargains(
    inp: &SmpInput,
    p: &SmpParams,
    st: &State,
    pos: &[f64],
    i: usize,
    j: usize,
    pij: f64,
) -> Vec<Bargain> {
    form_bargains_with(inp, p, pos, i, j, pij, || {
        let rj: Vec<f64> = (0..inp.n)
            .map(|t| est_r(st.r[j], st.r[t], p.big_r_adjust))
            .collect();
        prob_edu(inp, p, &st.d, &rj, i, i, j)
    })
}

/// Run the fast engine for at most `max_steps` steps.
pub fn run(
    inp: &SmpInput,
    p: &SmpParams,
    max_steps: usize,
    rng: &mut Rng,
) -> Result<SmpRun, ModelError> {
    let (n, m) = (inp.n, inp.m);
    let sym = p.voting_rule == VotingRule::ASymProsp && !p.ktab_compat;
    let acc = inp.accommodation(p)?;
    let mut pos = inp.pos.clone();
    let mut ideals = pos.clone();
    let mut st = assess(inp, p, &pos, &ideals)?;
    let mut out = SmpRun::start(&pos, &ideals, &st.r, &st.win);
    let limit = max_steps.min(p.max_iter);
    let mut t = 0;
    while t < limit {
        // 1–2: each initiator picks its target and forms its bargain(s), in parallel
        let w3: Vec<f64> = (0..n).map(|t| inp.stot[t] * inp.cap[t]).collect();
        let mut dt = vec![0.0; n * n];
        for a in 0..n {
            for b in 0..n {
                dt[b * n + a] = st.d[a * n + b];
            }
        }
        let proposals: Vec<Option<(usize, Vec<Bargain>)>> = (0..n)
            .into_par_iter()
            .map(|i| {
                let ri: Vec<f64> = (0..n)
                    .map(|x| est_r(st.r[i], st.r[x], p.big_r_adjust))
                    .collect();
                let col: Vec<f64> = (0..n).map(|t| utility(st.d[t * n + i], ri[t])).collect();
                let diag: Vec<f64> = (0..n).map(|t| utility(st.d[t * n + t], ri[t])).collect();
                let ini = Initiator {
                    i,
                    ri: &ri,
                    col: &col,
                    diag: &diag,
                    w3: &w3,
                    dt: &dt,
                };
                let mut scratch = vec![0.0; n];
                let mut best: Option<(usize, f64, f64)> = None;
                for j in 0..n {
                    if j == i {
                        continue;
                    }
                    let (pij, de) = challenge(inp, p, &ini, &mut scratch, j);
                    if de > 1e-5 && best.is_none_or(|b| de > b.2) {
                        best = Some((j, pij, de));
                    }
                }
                best.map(|(j, pij, _)| (j, form_bargains(inp, p, &st, &pos, i, j, pij)))
            })
            .collect();
        let mut queues: Vec<Vec<Option<usize>>> = vec![vec![None]; n];
        let mut bargains: Vec<Bargain> = Vec::new();
        let mut targets = vec![None; n];
        for (i, prop) in proposals.into_iter().enumerate() {
            if let Some((j, bs)) = prop {
                targets[i] = Some(j);
                for b in bs {
                    queues[i].push(Some(bargains.len()));
                    queues[j].push(Some(bargains.len()));
                    bargains.push(b);
                }
            }
        }
        // 3: each actor resolves its queue, in parallel
        let draws: Vec<f64> = if p.state_transitions == StateTransitions::Stochastic {
            (0..n).map(|_| rng.gen::<f64>()).collect()
        } else {
            Vec::new()
        };
        // U^a_ax = u(d_ax, r^a_a): each actor's own utility for every current position
        let own: Vec<f64> = (0..n)
            .into_par_iter()
            .flat_map_iter(|a| {
                let raa = est_r(st.r[a], st.r[a], p.big_r_adjust);
                let d = &st.d;
                (0..n).map(move |x| utility(d[a * n + x], raa))
            })
            .collect();
        let choices: Vec<Option<usize>> = (0..n)
            .into_par_iter()
            .map(|k| {
                let q = &queues[k];
                let nb = q.len();
                if nb == 1 {
                    return None; // only the status quo
                }
                let mut u = vec![0.0; n * nb];
                for a in 0..n {
                    let ua = &own[a * n..(a + 1) * n];
                    for (bi, b) in q.iter().enumerate() {
                        let mut s = 0.0;
                        match b {
                            None => {
                                for x in ua {
                                    s += x;
                                }
                            }
                            Some(id) => {
                                let b = &bargains[*id];
                                let sa = &inp.sal[a * m..(a + 1) * m];
                                let xa = &ideals[a * m..(a + 1) * m];
                                s += utility(distance(xa, &b.pos_init, sa, inp.s2sum[a]), st.r[a]);
                                s += utility(distance(xa, &b.pos_rcvr, sa, inp.s2sum[a]), st.r[a]);
                                for (x, ux) in ua.iter().enumerate() {
                                    if x != b.init && x != b.rcvr {
                                        s += ux;
                                    }
                                }
                            }
                        }
                        u[a * nb + bi] = s / n as f64;
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
                q[chosen]
            })
            .collect();
        let mut newpos = pos.clone();
        for (k, ch) in choices.into_iter().enumerate() {
            if let Some(id) = ch {
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
        st = assess(inp, p, &pos, &ideals)?;
        t += 1;
        if out.push(&pos, &ideals, &st.r, &st.win, targets, t, p) {
            break;
        }
    }
    Ok(out)
}
