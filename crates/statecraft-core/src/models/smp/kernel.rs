//! SMP's building blocks (smp-spec §3.1–§3.3): distance, utility, votes, coalitions, victory
//! probabilities, probabilistic Condorcet elections, risk attitudes and bargain interpolation.
//! Pure functions shared by the fast engine and the reference (oracle) engine.

use super::params::*;

/// Minimum coalition strength in `coalitions` (KTAB's `minC`).
pub const MIN_COALITION: f64 = 1e-8;

/// Weighted distance between ideal `xi` and position `x` with saliences `s` (§3.1), in [0,1].
/// `s2sum` = Σ s², which must be positive.
#[inline]
pub fn distance(xi: &[f64], x: &[f64], s: &[f64], s2sum: f64) -> f64 {
    let mut acc = 0.0;
    for k in 0..xi.len() {
        let d = s[k] * (xi[k] - x[k]);
        acc += d * d;
    }
    (acc / s2sum).sqrt()
}

/// Utility of distance `d` with risk attitude `r` (§3.1).
#[inline]
pub fn utility(d: f64, r: f64) -> f64 {
    if d <= 1.0 {
        (1.0 - d) * (1.0 + d * r)
    } else {
        (1.0 - d) * (1.0 + r)
    }
}

/// The vote of an actor with weight `w` for option a over b (§3.3, `Model::vote`).
/// A non-positive weight gives no vote (KTAB aborts instead; see `docs/models/smp.md`).
#[inline(always)]
pub fn vote(vr: VotingRule, w: f64, ua: f64, ub: f64) -> f64 {
    if w <= 0.0 {
        return 0.0;
    }
    let du = ua - ub;
    match vr {
        VotingRule::Binary => w * (du / 1e-8).clamp(-1.0, 1.0),
        VotingRule::PropBin => w * (0.8 * du + 0.2 * (du / 1e-8).clamp(-1.0, 1.0)),
        VotingRule::Prop => w * du,
        VotingRule::PropCbc => w * (0.5 * du + 0.5 * du * du * du),
        VotingRule::Cubic => w * du * du * du,
        VotingRule::ASymProsp => {
            if du < 0.0 {
                w * du
            } else if du > 0.0 {
                2.0 * w * du / 3.0
            } else {
                0.0
            }
        }
    }
}

/// Victory probabilities (p1, p2) from coalition strengths (§3.3, `VictoryProbModel`).
#[inline]
pub fn vprob(vpm: VictoryProbModel, s1: f64, s2: f64) -> (f64, f64) {
    let (x1, x2) = match vpm {
        VictoryProbModel::Linear => (s1, s2),
        VictoryProbModel::Square => (s1 * s1, s2 * s2),
        VictoryProbModel::Quartic => (s1.powi(4), s2.powi(4)),
        VictoryProbModel::Octic => (s1.powi(8), s2.powi(8)),
        VictoryProbModel::Binary => {
            let t = 1.10;
            if s1 >= t * s2 {
                (1.0, 1e-6)
            } else if s2 >= t * s1 {
                (1e-6, 1.0)
            } else {
                let r12 = s1 / (s1 + s2);
                let p12 = (r12 * (t + 1.0) - 1.0) / (t - 1.0);
                (p12, 1.0 - p12)
            }
        }
    };
    (x1 / (x1 + x2), x2 / (x1 + x2))
}

/// Coalition matrix over `nopt` options (row-major, `c[i*nopt+j]` = strength for i over j),
/// given `vfn(actor, i, j)` = the actor's vote for i over j.
///
/// KTAB evaluates only v(i:j) for i > j and splits it by sign (`symmetric = false`), which makes
/// the asymmetric `ASymProsp` rule depend on option order (smp-spec §3.9 #2). With
/// `symmetric = true` both v(i:j) and v(j:i) are evaluated and only their positive parts count,
/// so the result does not depend on the order of the options.
pub fn coalitions(
    nact: usize,
    nopt: usize,
    symmetric: bool,
    vfn: impl Fn(usize, usize, usize) -> f64,
) -> Vec<f64> {
    let mut c = vec![0.0; nopt * nopt];
    for i in 0..nopt {
        for j in 0..i {
            let mut cij = MIN_COALITION;
            let mut cji = MIN_COALITION;
            for k in 0..nact {
                let v = vfn(k, i, j);
                if symmetric {
                    let w = vfn(k, j, i);
                    cij += v.max(0.0);
                    cji += w.max(0.0);
                } else {
                    // branch-free; same sums as adding v to the side it favours
                    cij += v.max(0.0);
                    cji += (-v).max(0.0);
                }
            }
            c[i * nopt + j] = cij;
            c[j * nopt + i] = cji;
        }
        c[i * nopt + i] = MIN_COALITION;
    }
    c
}

/// Square matrix of P[i > j] from a coalition matrix (§3.3); P[i > i] = ½.
pub fn victory_matrix(vpm: VictoryProbModel, c: &[f64], nopt: usize) -> Vec<f64> {
    let mut p = vec![0.0; nopt * nopt];
    for i in 0..nopt {
        for j in 0..i {
            let (a, b) = vprob(vpm, c[i * nopt + j], c[j * nopt + i]);
            p[i * nopt + j] = a;
            p[j * nopt + i] = b;
        }
        p[i * nopt + i] = 0.5;
    }
    p
}

/// Probabilistic Condorcet election: option probabilities from a coalition matrix (§3.3).
pub fn pce(pcem: PceModel, vpm: VictoryProbModel, c: &[f64], nopt: usize) -> Vec<f64> {
    let pv = victory_matrix(vpm, c, nopt);
    match pcem {
        PceModel::Conditional => {
            let mut p: Vec<f64> = (0..nopt)
                .map(|i| pv[i * nopt..(i + 1) * nopt].iter().product())
                .collect();
            let s: f64 = p.iter().sum();
            for x in &mut p {
                *x /= s;
            }
            p
        }
        PceModel::MarkovUniform => {
            let mut p = vec![1.0 / nopt as f64; nopt];
            let mut q = p.clone();
            for _ in 0..100_000 {
                let mut change: f64 = 0.0;
                for i in 0..nopt {
                    let mut s = 0.0;
                    for j in 0..nopt {
                        s += pv[i * nopt + j] * (p[i] + p[j]);
                    }
                    q[i] = s / nopt as f64;
                    change = change.max((q[i] - p[i]).abs());
                }
                for i in 0..nopt {
                    p[i] = (p[i] + q[i]) / 2.0;
                }
                if change <= 1e-6 {
                    break;
                }
            }
            p
        }
        PceModel::MarkovIncentive => {
            // incentive for i to challenge j, then P[i challenges | j is the favourite]
            let mut inc = vec![0.0; nopt * nopt];
            for i in 0..nopt {
                for j in 0..nopt {
                    inc[i * nopt + j] = c[i * nopt + j] * pv[i * nopt + j];
                    if i == j {
                        inc[i * nopt + j] += 1e-10;
                    }
                }
            }
            let mut chlg = vec![0.0; nopt * nopt];
            for j in 0..nopt {
                let s: f64 = (0..nopt).map(|k| inc[k * nopt + j]).sum();
                for i in 0..nopt {
                    chlg[i * nopt + j] = inc[i * nopt + j] / s;
                }
            }
            let mut p = vec![1.0 / nopt as f64; nopt];
            let mut q = p.clone();
            let mut ct = vec![0.0; nopt * nopt];
            for _ in 0..100_000 {
                for i in 0..nopt {
                    for j in 0..nopt {
                        ct[i * nopt + j] = p[i] * chlg[j * nopt + i];
                    }
                }
                let mut change: f64 = 0.0;
                for i in 0..nopt {
                    let mut qi = 0.0;
                    for j in 0..nopt {
                        qi += pv[i * nopt + j] * (ct[i * nopt + j] + ct[j * nopt + i]);
                    }
                    q[i] = qi;
                    change = change.max((q[i] - p[i]).abs());
                }
                for i in 0..nopt {
                    p[i] = (p[i] + q[i]) / 2.0;
                }
                if change <= 1e-8 {
                    break;
                }
            }
            p
        }
    }
}

/// Scalar PCE (`Model::scalarPCE`): `u[a*nopt+o]` = utility to actor a of option o, weights `w`.
pub fn scalar_pce(
    w: &[f64],
    u: &[f64],
    nopt: usize,
    vr: VotingRule,
    vpm: VictoryProbModel,
    pcem: PceModel,
    symmetric: bool,
) -> Vec<f64> {
    let nact = w.len();
    let c = coalitions(nact, nopt, symmetric, |k, i, j| {
        vote(vr, w[k], u[k * nopt + i], u[k * nopt + j])
    });
    pce(pcem, vpm, &c, nopt)
}

/// Risk attitudes from win probabilities (§3.2 step 3, `bigRfromProb`). `None` when
/// p_max − p_min ≤ `tie_tol` (KTAB divides by zero when it is exactly 0, and by rounding noise
/// when the probabilities are equal up to rounding).
pub fn big_r(p: &[f64], rr: BigRRange, tie_tol: f64) -> Option<Vec<f64>> {
    let pmin = p.iter().copied().fold(1.0, f64::min);
    let pmax = p.iter().copied().fold(0.0, f64::max);
    let span = pmax - pmin;
    if span.is_nan() || span <= tie_tol {
        return None;
    }
    Some(
        p.iter()
            .map(|&pi| match rr {
                BigRRange::Min => (pi - pmin) / span,
                BigRRange::Mid => (3.0 * pi - (pmax + 2.0 * pmin)) / (2.0 * span),
                BigRRange::Max => (2.0 * pi - (pmax + pmin)) / span,
            })
            .collect(),
    )
}

/// h's estimate of i's risk attitude (§3.2 step 4, `estNRA`).
#[inline]
pub fn est_r(rh: f64, ri: f64, ra: BigRAdjust) -> f64 {
    match ra {
        BigRAdjust::None => rh,
        BigRAdjust::OneThird => (2.0 * rh + ri) / 3.0,
        BigRAdjust::Half => (rh + ri) / 2.0,
        BigRAdjust::TwoThirds => (rh + 2.0 * ri) / 3.0,
        BigRAdjust::Full => ri,
    }
}

/// KTAB's rounding of bargain coordinates to 4 decimals on [0,1] (`(int)(0.5 + x·1e4)/1e4`).
#[inline]
pub fn round4(x: f64) -> f64 {
    (0.5 + x * 1e4).trunc() / 1e4
}

/// Interpolate a bargain between i at `xi` and j at `xj` (§3.4 step 2), with i's and j's
/// probabilities `pi`, `pj`. Returns (i's new position, j's new position).
pub fn interpolate(
    ivb: InterVecBrgn,
    xi: &[f64],
    si: &[f64],
    pi: f64,
    xj: &[f64],
    sj: &[f64],
    pj: f64,
) -> (Vec<f64>, Vec<f64>) {
    let m = xi.len();
    let mut bi = vec![0.0; m];
    let mut bj = vec![0.0; m];
    const MIN_W: f64 = 1e-6;
    for k in 0..m {
        let (tik, sik, tjk, sjk) = (xi[k], si[k], xj[k], sj[k]);
        match ivb {
            InterVecBrgn::S1P1 | InterVecBrgn::S2P2 => {
                let (wik, wjk) = if ivb == InterVecBrgn::S1P1 {
                    (sik * pi, sjk * pj)
                } else {
                    (sik * sik * pi * pi, sjk * sjk * pj * pj)
                };
                bi[k] = round4(((wik + MIN_W) * tik + wjk * tjk) / (wik + MIN_W + wjk));
                bj[k] = round4((wik * tik + (MIN_W + wjk) * tjk) / (wik + MIN_W + wjk));
            }
            InterVecBrgn::S2PMax => {
                let di = (pj - pi).max(0.0);
                let dj = (pi - pj).max(0.0);
                let (sik2, sjk2) = (sik * sik, sjk * sjk);
                let dik = (di * sjk2) / ((di * sjk2) + MIN_W + ((1.0 - di) * sik2));
                let djk = (dj * sik2) / ((dj * sik2) + MIN_W + ((1.0 - dj) * sjk2));
                bi[k] = tik + dik * (tjk - tik);
                bj[k] = tjk + djk * (tik - tjk);
            }
        }
    }
    (bi, bj)
}

/// Indices of unique positions (first occurrence) and, for each actor, the index into that list
/// of its equivalence class (KTAB's `ueIndices`).
pub fn unique_positions(pos: &[f64], n: usize, m: usize, tol: f64) -> (Vec<usize>, Vec<usize>) {
    let mut uns: Vec<usize> = Vec::new();
    let mut ens = Vec::with_capacity(n);
    for i in 0..n {
        let xi = &pos[i * m..(i + 1) * m];
        let found = uns.iter().position(|&k| {
            let xk = &pos[k * m..(k + 1) * m];
            let d2: f64 = xi.iter().zip(xk).map(|(a, b)| (a - b) * (a - b)).sum();
            d2.sqrt() < tol
        });
        match found {
            Some(u) => ens.push(u),
            None => {
                uns.push(i);
                ens.push(uns.len() - 1);
            }
        }
    }
    (uns, ens)
}

/// Third party n's vote in i's challenge of j (§3.4): returns v_n.
/// `ci0`, `cj0` are the principals' coalition strengths; `uni`, `unj`, `unn` from the
/// estimator's perspective.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub fn third_party_vote(
    vr: VotingRule,
    tpc: ThirdPartyCommit,
    wn: f64,
    ci0: f64,
    cj0: f64,
    uni: f64,
    unj: f64,
    unn: f64,
) -> f64 {
    let v0 = vote(vr, wn, uni, unj);
    // branch-free; identical to adding v0 to the side it favours (x + 0.0 == x for x > 0)
    let cni = ci0 + v0.max(0.0);
    let cnj = cj0 + (-v0).max(0.0);
    let pin = cni / (cni + cnj);
    let pjn = 1.0 - pin;
    let (ik_def_j, j_def_ik, i_def_jk, jk_def_i) = match tpc {
        ThirdPartyCommit::FullCommit => (3.0 * uni, 3.0 * unj, 3.0 * uni, 3.0 * unj),
        ThirdPartyCommit::SemiCommit => (
            uni + uni + unn,
            unj + unj + unj,
            uni + uni + uni,
            unj + unj + unn,
        ),
        ThirdPartyCommit::NoCommit => (
            uni + uni + unn,
            unj + unj + unn,
            uni + uni + unn,
            unj + unj + unn,
        ),
    };
    let u_ik_j = pin * ik_def_j + pjn * j_def_ik;
    let u_i_jk = pin * i_def_jk + pjn * jk_def_i;
    vote(vr, wn, u_ik_j, u_i_jk)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utility_shapes() {
        assert_eq!(utility(0.0, 0.5), 1.0);
        assert_eq!(utility(1.0, -1.0), 0.0);
        assert!((utility(0.5, 1.0) - 0.75).abs() < 1e-15); // 1 - d²
        assert!((utility(0.5, -1.0) - 0.25).abs() < 1e-15); // (1-d)²
        assert!((utility(0.5, 0.0) - 0.5).abs() < 1e-15);
    }

    #[test]
    fn conditional_pce_sums_to_one_and_favours_the_strong() {
        // three options; actors prefer option 0
        let w = [1.0, 1.0, 1.0];
        let u = [1.0, 0.5, 0.0, 0.9, 1.0, 0.1, 1.0, 0.2, 0.3];
        for pcem in PceModel::ALL {
            let p = scalar_pce(
                &w,
                &u,
                3,
                VotingRule::Prop,
                VictoryProbModel::Linear,
                *pcem,
                false,
            );
            let s: f64 = p.iter().sum();
            assert!((s - 1.0).abs() < 1e-6, "{pcem:?}: {p:?}");
            assert!(p[0] > p[2], "{pcem:?}: {p:?}");
        }
    }

    #[test]
    fn asymprosp_symmetric_coalitions_do_not_depend_on_order() {
        let w = [1.0, 2.0, 0.5];
        let u = [0.9, 0.1, 0.2, 0.8, 0.6, 0.4];
        let swapped: Vec<f64> = u.chunks(2).flat_map(|c| [c[1], c[0]]).collect();
        let p = scalar_pce(
            &w,
            &u,
            2,
            VotingRule::ASymProsp,
            VictoryProbModel::Linear,
            PceModel::Conditional,
            true,
        );
        let q = scalar_pce(
            &w,
            &swapped,
            2,
            VotingRule::ASymProsp,
            VictoryProbModel::Linear,
            PceModel::Conditional,
            true,
        );
        assert!((p[0] - q[1]).abs() < 1e-12);
        // KTAB's one-sided evaluation is order dependent
        let p = scalar_pce(
            &w,
            &u,
            2,
            VotingRule::ASymProsp,
            VictoryProbModel::Linear,
            PceModel::Conditional,
            false,
        );
        let q = scalar_pce(
            &w,
            &swapped,
            2,
            VotingRule::ASymProsp,
            VictoryProbModel::Linear,
            PceModel::Conditional,
            false,
        );
        assert!((p[0] - q[1]).abs() > 1e-3);
    }

    #[test]
    fn big_r_ranges_and_consensus() {
        let p = [0.2, 0.3, 0.5];
        let mid = big_r(&p, BigRRange::Mid, 0.0).unwrap();
        assert!((mid[2] - 1.0).abs() < 1e-12 && (mid[0] + 0.5).abs() < 1e-12);
        let min = big_r(&p, BigRRange::Min, 0.0).unwrap();
        assert!((min[0]).abs() < 1e-12 && (min[2] - 1.0).abs() < 1e-12);
        let max = big_r(&p, BigRRange::Max, 0.0).unwrap();
        assert!((max[0] + 1.0).abs() < 1e-12 && (max[2] - 1.0).abs() < 1e-12);
        assert!(big_r(&[0.25; 4], BigRRange::Mid, 0.0).is_none());
        let noisy = [1.0 / 3.0, 1.0 / 3.0 + 1e-16, 1.0 / 3.0 - 1e-16];
        assert!(big_r(&noisy, BigRRange::Mid, 1e-12).is_none());
        assert!(big_r(&noisy, BigRRange::Mid, 0.0).is_some());
    }

    #[test]
    fn round4_matches_ktab() {
        assert_eq!(round4(0.12344), 0.1234);
        assert_eq!(round4(0.12345), 0.1235);
        assert_eq!(round4(0.0), 0.0);
    }

    #[test]
    fn s2p2_compromise_lies_between() {
        let (bi, bj) = interpolate(InterVecBrgn::S2P2, &[0.2], &[0.5], 0.7, &[0.8], &[0.5], 0.3);
        assert!(bi[0] > 0.2 && bi[0] < 0.5, "{bi:?}");
        assert!((bi[0] - bj[0]).abs() <= 1e-4);
    }

    #[test]
    fn unique_positions_groups_close_points() {
        let pos = [0.1, 0.1, 0.1004, 0.1, 0.5, 0.5];
        let (u, e) = unique_positions(&pos, 3, 2, 1e-3);
        assert_eq!(u, vec![0, 2]);
        assert_eq!(e, vec![0, 0, 1]);
    }
}
