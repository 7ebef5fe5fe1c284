//! Five-fold cross-validated DEU III scores (`shared/reference/deu3/README.md`: fold =
//! `prnrnmc` mod 5, grouped by proposal). Every registered bargaining model (`models::all()`,
//! SMP included) is run on every issue and scored fold by fold; models with parameters choose
//! them on the four training folds only and are scored on the fifth. See `docs/backtest.md` §5.
//!
//! Models with fitted parameters (their own code here, not in the `models` registry, because
//! they need the procedure and voting-rule columns a `Problem` does not carry):
//!
//! - `procedural`: a procedure-aware compromise model. The forecast is the weighted mean of the
//!   positions with weights w_i = c̃_i^κ · s_i^γ · m_i: m = α for the Commission, β_COD
//!   (co-decision) or β_CNS (consultation) for the Parliament, 1 for member states; c̃_i = c_i
//!   except for member states under unanimity, where c̃_i = c_i^υ (υ = 0: every state weighs
//!   the same, as each holds a veto). The weights encode the procedure: the Commission's agenda
//!   setting, the Parliament's veto under co-decision and advisory role under consultation, and
//!   the equal veto of unanimity. Cf. the procedural models in Thomson et al. (2006) and the
//!   capability/salience exponents of Achen (2006). γ = α = β = υ = 1 is the compromise model.
//! - `shrunk`: the compromise forecast pulled toward the unweighted mean of the positions,
//!   (1 − λ) · compromise + λ · mean, λ on a 0.1 grid: one parameter, so little room to overfit.
//!   It tempers the c·s weights (Achen 2006 notes the weighted mean's sensitivity to them).
//! - `ensemble`: a convex combination of the compromise, median, SMP, EUM (Scholz) mean and
//!   unweighted-mean forecasts, weights on a 0.1 simplex grid, chosen on the training folds (stacking, Wolpert
//!   1992; Breiman 1996).

use super::{Capability, Deu3, Deu3Issue};
use crate::models::stats::{weighted_mean, weighted_median, TieRule};
use crate::models::{self, Dim, ForecastStat, Problem};
use serde::Serialize;

/// Folds of the protocol.
pub const FOLDS: usize = 5;

/// The fold of an issue: numeric proposal number mod 5.
pub fn fold_of(issue: &Deu3Issue) -> usize {
    issue.proposal.rem_euclid(FOLDS as i64) as usize
}

/// One model's cross-validated scores.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CvRow {
    pub model: String,
    /// Whether the model has parameters chosen on the training folds.
    pub fitted: bool,
    /// Held-out MAE per fold (gdp capability), fold 0..4.
    pub fold_mae_gdp: Vec<f64>,
    pub fold_mae_equal: Vec<f64>,
    /// Mean of the five held-out fold MAEs.
    pub cv_mae_gdp: f64,
    pub cv_mae_equal: f64,
    /// MAE over all held-out issues together (issue-weighted; comparable to the README's
    /// 23.09 for the compromise model).
    pub pooled_mae_gdp: f64,
    /// Parameters chosen per fold (gdp capability), as text.
    pub params_gdp: Vec<String>,
    /// Issues where the model could not run and the compromise forecast stood in.
    pub fallbacks: usize,
}

/// The cross-validation table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CvReport {
    pub folds: usize,
    /// Issues per fold.
    pub fold_sizes: Vec<usize>,
    pub rounds: usize,
    pub rows: Vec<CvRow>,
}

struct Prep {
    fold: usize,
    out: f64,
    cod: bool,
    unan: bool,
    /// Per capability convention (gdp, equal): role, c, x, s of each participant.
    part: [Vec<(u8, f64, f64, f64)>; 2],
}

const COM: u8 = 0;
const EP: u8 = 1;
const STATE: u8 = 2;

fn prepare(d: &Deu3) -> Vec<Prep> {
    d.issues
        .iter()
        .filter(|i| i.out.is_some() && i.x.iter().any(Option::is_some))
        .map(|i| {
            let mut part: [Vec<(u8, f64, f64, f64)>; 2] = [vec![], vec![]];
            for (k, cap) in [Capability::Gdp, Capability::Equal].into_iter().enumerate() {
                let p = d.participants(i, cap);
                let roles =
                    i.x.iter()
                        .enumerate()
                        .filter(|(_, x)| x.is_some())
                        .map(|(a, _)| match d.actors.get(a).map(String::as_str) {
                            Some("com") => COM,
                            Some("ep") => EP,
                            _ => STATE,
                        });
                part[k] = roles
                    .zip(p.c.iter().zip(p.x.iter().zip(&p.s)))
                    .map(|(r, (c, (x, s)))| (r, *c, *x, *s))
                    .collect();
            }
            Prep {
                fold: fold_of(i),
                out: i.out.unwrap_or(0.0),
                cod: i.procedure.eq_ignore_ascii_case("COD"),
                unan: i.voting.to_ascii_lowercase().starts_with("unan"),
                part,
            }
        })
        .collect()
}

/// Parameters of the procedural model.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Proc {
    kappa: f64,
    gamma: f64,
    com: f64,
    ep_cod: f64,
    ep_cns: f64,
    unan_exp: f64,
}

fn procedural(p: &Prep, k: usize, q: &Proc) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for &(role, c, x, s) in &p.part[k] {
        let m = match role {
            COM => q.com,
            EP if p.cod => q.ep_cod,
            EP => q.ep_cns,
            _ => 1.0,
        };
        let c = if role == STATE && p.unan {
            c.powf(q.unan_exp)
        } else {
            c
        }
        .powf(q.kappa);
        let w = c * s.powf(q.gamma) * m;
        num += w * x;
        den += w;
    }
    if den > 0.0 {
        num / den
    } else {
        // every weight zero: the plain mean of the positions
        let n = p.part[k].len().max(1) as f64;
        p.part[k].iter().map(|t| t.2).sum::<f64>() / n
    }
}

fn proc_grid() -> Vec<Proc> {
    let mut g = Vec::new();
    for &kappa in &[0.0, 0.25, 0.5, 0.75, 1.0] {
        for &gamma in &[0.0, 0.5, 1.0, 2.0] {
            for &com in &[0.0, 0.5, 1.0, 2.0, 4.0] {
                for &ep_cod in &[0.0, 0.5, 1.0, 2.0, 4.0] {
                    for &ep_cns in &[0.0, 0.5, 1.0] {
                        for &unan_exp in &[0.0, 0.5, 1.0] {
                            g.push(Proc {
                                kappa,
                                gamma,
                                com,
                                ep_cod,
                                ep_cns,
                                unan_exp,
                            });
                        }
                    }
                }
            }
        }
    }
    g
}

fn simplex(parts: usize, steps: usize) -> Vec<Vec<f64>> {
    fn rec(left: usize, parts: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if parts == 1 {
            cur.push(left);
            out.push(cur.clone());
            cur.pop();
            return;
        }
        for k in 0..=left {
            cur.push(k);
            rec(left - k, parts - 1, cur, out);
            cur.pop();
        }
    }
    let mut out = Vec::new();
    rec(steps, parts, &mut Vec::new(), &mut out);
    out.into_iter()
        .map(|v| v.into_iter().map(|k| k as f64 / steps as f64).collect())
        .collect()
}

/// Per-fold MAE of forecasts `f[i]` (issues in `prep` order).
fn fold_maes(prep: &[Prep], f: &[f64]) -> Vec<f64> {
    let mut s = [0.0; FOLDS];
    let mut n = [0usize; FOLDS];
    for (p, &y) in prep.iter().zip(f) {
        s[p.fold] += (y - p.out).abs();
        n[p.fold] += 1;
    }
    (0..FOLDS)
        .map(|k| {
            if n[k] > 0 {
                s[k] / n[k] as f64
            } else {
                f64::NAN
            }
        })
        .collect()
}

fn pooled(prep: &[Prep], f: &[f64]) -> f64 {
    if prep.is_empty() {
        return f64::NAN;
    }
    prep.iter()
        .zip(f)
        .map(|(p, y)| (y - p.out).abs())
        .sum::<f64>()
        / prep.len() as f64
}

fn mean(v: &[f64]) -> f64 {
    let f: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if f.is_empty() {
        f64::NAN
    } else {
        f.iter().sum::<f64>() / f.len() as f64
    }
}

/// Choose the candidate with the lowest training MAE for each fold; return the held-out
/// forecasts and the chosen candidate per fold. `pred(c, i)` = candidate c's forecast of issue i.
fn cross_fit(
    prep: &[Prep],
    candidates: usize,
    pred: &dyn Fn(usize, usize) -> f64,
) -> (Vec<f64>, Vec<usize>) {
    // err[c][fold] = (sum, n)
    let mut err = vec![[0.0f64; FOLDS]; candidates];
    for (i, p) in prep.iter().enumerate() {
        for (c, e) in err.iter_mut().enumerate() {
            e[p.fold] += (pred(c, i) - p.out).abs();
        }
    }
    let mut n = [0usize; FOLDS];
    for p in prep {
        n[p.fold] += 1;
    }
    let total_n: usize = n.iter().sum();
    let chosen: Vec<usize> = (0..FOLDS)
        .map(|k| {
            let train_n = (total_n - n[k]).max(1) as f64;
            (0..candidates)
                .min_by(|&a, &b| {
                    let ta = (err[a].iter().sum::<f64>() - err[a][k]) / train_n;
                    let tb = (err[b].iter().sum::<f64>() - err[b][k]) / train_n;
                    ta.total_cmp(&tb).then(a.cmp(&b))
                })
                .unwrap_or(0)
        })
        .collect();
    let f = prep
        .iter()
        .enumerate()
        .map(|(i, p)| pred(chosen[p.fold], i))
        .collect();
    (f, chosen)
}

/// A fitted model's row: for each capability convention k, candidate c is chosen per fold on
/// the training folds (`pred(k, c, i)` = forecast of issue i); `label(c)` describes a candidate.
fn fitted_row(
    model: &str,
    prep: &[Prep],
    candidates: usize,
    pred: &dyn Fn(usize, usize, usize) -> f64,
    label: &dyn Fn(usize) -> String,
) -> CvRow {
    let (fg, chosen) = cross_fit(prep, candidates, &|c, i| pred(0, c, i));
    let (fe, _) = cross_fit(prep, candidates, &|c, i| pred(1, c, i));
    let (mg, me) = (fold_maes(prep, &fg), fold_maes(prep, &fe));
    CvRow {
        model: model.into(),
        fitted: true,
        cv_mae_gdp: mean(&mg),
        cv_mae_equal: mean(&me),
        pooled_mae_gdp: pooled(prep, &fg),
        fold_mae_gdp: mg,
        fold_mae_equal: me,
        params_gdp: chosen.iter().map(|&c| label(c)).collect(),
        fallbacks: 0,
    }
}

/// The one-issue bargaining problem of a participant list (role, c, x, s).
fn problem_of(part: &[(u8, f64, f64, f64)]) -> Problem {
    Problem {
        actors: (0..part.len()).map(|a| format!("a{a}")).collect(),
        capability: part.iter().map(|t| t.1).collect(),
        dims: vec![Dim {
            id: "issue".into(),
            min: 0.0,
            max: 100.0,
        }],
        position: part.iter().map(|t| vec![t.2]).collect(),
        salience: part.iter().map(|t| vec![t.3]).collect(),
    }
}

/// Cross-validate every registered model and the three fitted models.
pub fn cross_validate(d: &Deu3, rounds: usize) -> CvReport {
    let prep = prepare(d);
    let mut fold_sizes = vec![0usize; FOLDS];
    for p in &prep {
        fold_sizes[p.fold] += 1;
    }
    let mut rows = Vec::new();
    // base[k][model] = forecasts per issue, for the ensemble
    let mut base: [Vec<(String, Vec<f64>)>; 2] = [vec![], vec![]];
    let mut registered_rows: Vec<(String, [Vec<f64>; 2], usize)> = Vec::new();
    for model in models::all() {
        let mut per_cap: [Vec<f64>; 2] = [vec![], vec![]];
        let mut fallbacks = 0;
        for (k, pc) in per_cap.iter_mut().enumerate() {
            for (i, p) in prep.iter().enumerate() {
                let comp = {
                    let x: Vec<f64> = p.part[k].iter().map(|t| t.2).collect();
                    let w: Vec<f64> = p.part[k].iter().map(|t| t.1 * t.3).collect();
                    weighted_mean(&x, &w)
                };
                let problem = problem_of(&p.part[k]);
                let run = |pr: &Problem| {
                    let mut rng = crate::rng::stream(1, i as u64);
                    model
                        .run(pr, rounds, &mut rng)
                        .ok()
                        .and_then(|tr| tr.rounds.last().cloned())
                        .map(|last| {
                            let x: Vec<f64> = last.iter().map(|r| r[0]).collect();
                            let w = models::weights(pr, 0);
                            match model.forecast_stat() {
                                ForecastStat::Mean => weighted_mean(&x, &w),
                                ForecastStat::Median => weighted_median(&x, &w, TieRule::Lower),
                            }
                        })
                        .filter(|v| v.is_finite())
                };
                // A model that rejects the issue (SMP: an actor with zero salience has no
                // defined distance) runs again without the zero-salience actors, whose c·s
                // weight is 0 in every statistic anyway.
                let f = run(&problem).or_else(|| {
                    let keep: Vec<usize> = (0..problem.actors.len())
                        .filter(|&a| problem.salience[a][0] > 0.0)
                        .collect();
                    if keep.len() == problem.actors.len() {
                        return None;
                    }
                    let pick = |v: &Vec<Vec<f64>>| keep.iter().map(|&a| v[a].clone()).collect();
                    let pr = Problem {
                        actors: keep.iter().map(|&a| problem.actors[a].clone()).collect(),
                        capability: keep.iter().map(|&a| problem.capability[a]).collect(),
                        dims: problem.dims.clone(),
                        position: pick(&problem.position),
                        salience: pick(&problem.salience),
                    };
                    run(&pr)
                });
                let f = match f {
                    Some(v) => v,
                    None => {
                        if k == 0 {
                            fallbacks += 1;
                        }
                        comp
                    }
                };
                pc.push(f);
            }
        }
        registered_rows.push((model.id().to_string(), per_cap, fallbacks));
    }
    // EUM mean of positions after `rounds` (the EUM's better statistic on DEU III) for the
    // ensemble, from the registered EUM's trajectory.
    let eum_mean: [Vec<f64>; 2] = {
        let eum = models::by_id("eum-scholz", &models::ModelOptions::default());
        let mut out: [Vec<f64>; 2] = [vec![], vec![]];
        for (k, o) in out.iter_mut().enumerate() {
            for (i, p) in prep.iter().enumerate() {
                let x0: Vec<f64> = p.part[k].iter().map(|t| t.2).collect();
                let w: Vec<f64> = p.part[k].iter().map(|t| t.1 * t.3).collect();
                let problem = problem_of(&p.part[k]);
                let mut rng = crate::rng::stream(1, i as u64);
                let f = eum
                    .as_ref()
                    .and_then(|m| m.run(&problem, rounds, &mut rng).ok())
                    .and_then(|tr| tr.rounds.last().cloned())
                    .map(|last| {
                        let x: Vec<f64> = last.iter().map(|r| r[0]).collect();
                        weighted_mean(&x, &w)
                    })
                    .filter(|v| v.is_finite())
                    .unwrap_or_else(|| weighted_mean(&x0, &w));
                o.push(f);
            }
        }
        out
    };
    for (id, per_cap, fallbacks) in &registered_rows {
        let fg = fold_maes(&prep, &per_cap[0]);
        let fe = fold_maes(&prep, &per_cap[1]);
        rows.push(CvRow {
            model: id.clone(),
            fitted: false,
            pooled_mae_gdp: pooled(&prep, &per_cap[0]),
            cv_mae_gdp: mean(&fg),
            cv_mae_equal: mean(&fe),
            fold_mae_gdp: fg,
            fold_mae_equal: fe,
            params_gdp: vec![],
            fallbacks: *fallbacks,
        });
        for (k, b) in base.iter_mut().enumerate() {
            if id == "compromise" || id == "median" || id == "smp" {
                b.push((id.clone(), per_cap[k].clone()));
            }
        }
    }
    for (k, b) in base.iter_mut().enumerate() {
        b.push(("eum-scholz-mean".into(), eum_mean[k].clone()));
        let plain: Vec<f64> = prep
            .iter()
            .map(|p| {
                let n = p.part[k].len().max(1) as f64;
                p.part[k].iter().map(|t| t.2).sum::<f64>() / n
            })
            .collect();
        b.push(("unweighted-mean".into(), plain));
    }
    // procedural
    let grid = proc_grid();
    let tables: Vec<Vec<Vec<f64>>> = (0..2)
        .map(|k| {
            grid.iter()
                .map(|q| prep.iter().map(|p| procedural(p, k, q)).collect())
                .collect()
        })
        .collect();
    rows.push(fitted_row(
        "procedural",
        &prep,
        grid.len(),
        &|k, c, i| tables[k][c][i],
        &|c| {
            let q = grid[c];
            format!(
                "κ={} γ={} α_com={} β_cod={} β_cns={} υ={}",
                q.kappa, q.gamma, q.com, q.ep_cod, q.ep_cns, q.unan_exp
            )
        },
    ));
    // ensemble of compromise, median, SMP, the EUM mean and the unweighted mean (unfitted
    // inputs only: the procedural model's forecasts depend on the fold and would leak)
    let weights = simplex(base[0].len(), 10);
    rows.push(fitted_row(
        "ensemble",
        &prep,
        weights.len(),
        &|k, c, i| {
            weights[c]
                .iter()
                .zip(base[k].iter())
                .map(|(w, (_, f))| w * f[i])
                .sum()
        },
        &|c| {
            base[0]
                .iter()
                .zip(&weights[c])
                .filter(|(_, w)| **w > 0.0)
                .map(|((id, _), w)| format!("{w:.1}·{id}"))
                .collect::<Vec<_>>()
                .join(" + ")
        },
    ));
    // shrunk: the compromise forecast pulled toward the unweighted mean of the positions by a
    // share λ ∈ {0, 0.1, …, 1} (one parameter; λ = 0 is the compromise model)
    rows.push(fitted_row(
        "shrunk",
        &prep,
        11,
        &|k, c, i| {
            let (comp, plain) = (&base[k][0].1, &base[k][base[k].len() - 1].1);
            let l = c as f64 / 10.0;
            (1.0 - l) * comp[i] + l * plain[i]
        },
        &|c| format!("λ={:.1}", c as f64 / 10.0),
    ));
    CvReport {
        folds: FOLDS,
        fold_sizes,
        rounds,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simplex_grid() {
        let s = simplex(3, 2);
        // compositions of 2 into 3 parts: 6
        assert_eq!(s.len(), 6);
        assert!(s
            .iter()
            .all(|w| (w.iter().sum::<f64>() - 1.0).abs() < 1e-12));
        assert_eq!(simplex(4, 10).len(), 286);
        assert_eq!(simplex(5, 10).len(), 1001);
    }

    #[test]
    fn cross_fit_never_uses_the_held_out_fold() {
        // 5 issues, one per fold; candidate c forecasts c for every issue; outcome of fold k is
        // k. Trained without fold k, the best constant is the median of the other outcomes.
        let prep: Vec<Prep> = (0..5)
            .map(|k| Prep {
                fold: k,
                out: k as f64,
                cod: false,
                unan: false,
                part: [vec![], vec![]],
            })
            .collect();
        let (f, chosen) = cross_fit(&prep, 5, &|c, _| c as f64);
        // without fold 0: outcomes 1,2,3,4 → any of 2,3 minimises; ties go to the lower (2)
        assert_eq!(chosen, vec![2, 2, 1, 1, 1]);
        assert_eq!(f, vec![2.0, 2.0, 1.0, 1.0, 1.0]);
    }

    #[test]
    fn procedural_weights_by_hand() {
        // Commission at 100 (c 1, s 0.5), EP at 0 (c 1, s 1), one state at 50 (c 0.5, s 1).
        let p = Prep {
            fold: 0,
            out: 0.0,
            cod: true,
            unan: true,
            part: [
                vec![
                    (COM, 1.0, 100.0, 0.5),
                    (EP, 1.0, 0.0, 1.0),
                    (STATE, 0.5, 50.0, 1.0),
                ],
                vec![],
            ],
        };
        // γ = 1, α = 2, β_cod = 1, υ = 0 (state capability 0.5^0 = 1):
        // weights 1·0.5·2 = 1, 1·1·1 = 1, 1·1·1 = 1 → mean (100 + 0 + 50)/3 = 50
        let q = Proc {
            kappa: 1.0,
            gamma: 1.0,
            com: 2.0,
            ep_cod: 1.0,
            ep_cns: 0.0,
            unan_exp: 0.0,
        };
        assert!((procedural(&p, 0, &q) - 50.0).abs() < 1e-12);
        // plain compromise: γ = 1, α = β = 1, υ = 1 → weights 0.5, 1, 0.5 → (50 + 0 + 25)/2 = 37.5
        let q = Proc {
            kappa: 1.0,
            gamma: 1.0,
            com: 1.0,
            ep_cod: 1.0,
            ep_cns: 1.0,
            unan_exp: 1.0,
        };
        assert!((procedural(&p, 0, &q) - 37.5).abs() < 1e-12);
        // the compromise model is a point of the grid, so the fitted model can only match or
        // beat it in the training folds
        assert!(proc_grid().contains(&q));
    }
}
