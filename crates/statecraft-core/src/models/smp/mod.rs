//! KTAB's Spatial Model of Politics (SMP): multi-dimensional bargaining by challenges, bargains
//! and probabilistic Condorcet elections, as specified in `shared/reference/smp-spec.md` and
//! documented in `docs/models/smp.md`.
//!
//! Two engines compute the same thing: [`engine`] (fast: O(n³) per turn with no O(n³) memory,
//! initiators evaluated in parallel with rayon) and [`reference`] (a direct transcription of the
//! spec, kept as the test oracle and the benchmark baseline). Both are deterministic functions of
//! (input, parameters, RNG); the stochastic mode draws its uniforms from the RNG in actor order
//! before any parallel work, so results do not depend on the thread count.

#![allow(clippy::needless_range_loop)]

pub mod engine;
pub mod kernel;
pub mod params;
pub mod reference;

pub use params::*;

use super::{Model, ModelError, Problem, Trajectory};
use crate::rng::Rng;
use serde::{Deserialize, Serialize};

/// The SMP model with its parameters (`--model smp`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Smp {
    pub params: SmpParams,
}

/// SMP's numeric input on KTAB's internal scale: positions in [0,1]^m, saliences in [0,1].
#[derive(Clone, Debug, PartialEq)]
pub struct SmpInput {
    pub n: usize,
    pub m: usize,
    pub cap: Vec<f64>,
    /// `sal[i*m+k]`.
    pub sal: Vec<f64>,
    /// `pos[i*m+k]`, in [0,1].
    pub pos: Vec<f64>,
    /// Σ_k s_ik (total salience S_i).
    pub stot: Vec<f64>,
    /// Σ_k s_ik².
    pub s2sum: Vec<f64>,
}

impl SmpInput {
    /// Build from a problem: positions rescaled from each dimension's [min,max] to [0,1].
    /// Returns notes on any adjustment (e.g. saliences rescaled so that Σ_k s_ik ≤ 1).
    pub fn from_problem(pr: &Problem, p: &SmpParams) -> Result<(Self, Vec<String>), ModelError> {
        let (n, m) = (pr.n_actors(), pr.n_dims());
        let mut notes = Vec::new();
        if n < 3 {
            return Err(ModelError(format!("SMP needs at least 3 actors, got {n}")));
        }
        if m == 0 {
            return Err(ModelError("SMP needs at least one dimension".into()));
        }
        let shape_ok = pr.capability.len() == n
            && pr.position.len() == n
            && pr.salience.len() == n
            && pr.position.iter().all(|r| r.len() == m)
            && pr.salience.iter().all(|r| r.len() == m);
        if !shape_ok {
            return Err(ModelError(
                "SMP: problem arrays do not match actors × dimensions".into(),
            ));
        }
        let mut pos = Vec::with_capacity(n * m);
        let mut sal = Vec::with_capacity(n * m);
        for i in 0..n {
            for (k, d) in pr.dims.iter().enumerate() {
                let span = d.max - d.min;
                if span.is_nan() || span <= 0.0 || !span.is_finite() {
                    return Err(ModelError(format!(
                        "SMP: dimension `{}` has an empty range [{}, {}]",
                        d.id, d.min, d.max
                    )));
                }
                let x = pr.position[i][k];
                if !x.is_finite() {
                    return Err(ModelError(format!(
                        "SMP: position of `{}` on `{}` is not a number",
                        pr.actors[i], d.id
                    )));
                }
                let u = (x - d.min) / span;
                if !(0.0..=1.0).contains(&u) {
                    notes.push(format!(
                        "SMP: position {x} of `{}` on `{}` is outside [{}, {}]; clamped",
                        pr.actors[i], d.id, d.min, d.max
                    ));
                }
                pos.push(u.clamp(0.0, 1.0));
            }
            let row = &pr.salience[i];
            if row.iter().any(|s| !s.is_finite() || *s < 0.0) {
                return Err(ModelError(format!(
                    "SMP: `{}` has a negative or non-numeric salience",
                    pr.actors[i]
                )));
            }
            let tot: f64 = row.iter().sum();
            let scale = if tot > 1.0 + 1e-12 {
                notes.push(format!(
                    "SMP: saliences of `{}` sum to {tot:.3} > 1; divided by their sum (SMP treats \
                     the total as the probability of resisting)",
                    pr.actors[i]
                ));
                1.0 / tot
            } else {
                1.0
            };
            sal.extend(row.iter().map(|s| s * scale));
        }
        let cap = pr.capability.clone();
        for (i, c) in cap.iter().enumerate() {
            if !c.is_finite() || *c < 0.0 || (p.ktab_compat && *c <= 0.0) {
                return Err(ModelError(format!(
                    "SMP: capability of `{}` must be {} (got {c})",
                    pr.actors[i],
                    if p.ktab_compat {
                        "positive (KTAB aborts on a zero voting weight)"
                    } else {
                        "non-negative"
                    }
                )));
            }
        }
        let stot: Vec<f64> = (0..n)
            .map(|i| sal[i * m..(i + 1) * m].iter().sum())
            .collect();
        let s2sum: Vec<f64> = (0..n)
            .map(|i| sal[i * m..(i + 1) * m].iter().map(|s| s * s).sum())
            .collect();
        for i in 0..n {
            if s2sum[i].is_nan() || s2sum[i] <= 0.0 {
                return Err(ModelError(format!(
                    "SMP: `{}` has zero salience on every dimension, so its distance to any \
                     position is undefined; give it a positive salience somewhere or drop it",
                    pr.actors[i]
                )));
            }
        }
        Ok((
            SmpInput {
                n,
                m,
                cap,
                sal,
                pos,
                stot,
                s2sum,
            },
            notes,
        ))
    }

    /// The accommodation matrix, flattened (`None` = identity), validated.
    pub fn accommodation(&self, p: &SmpParams) -> Result<Option<Vec<f64>>, ModelError> {
        let Some(a) = &p.accommodation else {
            return Ok(None);
        };
        let n = self.n;
        if a.len() != n || a.iter().any(|r| r.len() != n) {
            return Err(ModelError(format!(
                "SMP: the accommodation matrix must be {n}×{n}"
            )));
        }
        let mut flat = Vec::with_capacity(n * n);
        let mut identity = true;
        for (i, row) in a.iter().enumerate() {
            let rs: f64 = row.iter().sum();
            if row.iter().any(|x| !(0.0..=1.0).contains(x)) || rs > 1.0 + 1e-10 {
                return Err(ModelError(format!(
                    "SMP: accommodation row {i} must have entries in [0,1] summing to at most 1"
                )));
            }
            for (j, &x) in row.iter().enumerate() {
                identity &= x == if i == j { 1.0 } else { 0.0 };
                flat.push(x);
            }
        }
        Ok(if identity { None } else { Some(flat) })
    }
}

/// Everything one SMP run produced, on the [0,1] scale. State 0 is the input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SmpRun {
    /// `positions[t][i*m+k]`.
    pub positions: Vec<Vec<f64>>,
    /// `ideals[t][i*m+k]`.
    pub ideals: Vec<Vec<f64>>,
    /// Risk attitude R_i in each state.
    pub risk: Vec<Vec<f64>>,
    /// Objective win probability of each actor's position in each state.
    pub win_prob: Vec<Vec<f64>>,
    /// `targets[t][i]`: whom i challenged in the step from state t to t+1.
    pub targets: Vec<Vec<Option<usize>>>,
    /// True if the stopping rule's movement criterion ended the run.
    pub converged: bool,
}

impl SmpRun {
    pub(crate) fn start(pos: &[f64], ideals: &[f64], r: &[f64], win: &[f64]) -> Self {
        SmpRun {
            positions: vec![pos.to_vec()],
            ideals: vec![ideals.to_vec()],
            risk: vec![r.to_vec()],
            win_prob: vec![win.to_vec()],
            targets: Vec::new(),
            converged: false,
        }
    }

    /// Record state `t` and apply KTAB's stopping rule (§3.5); true = stop.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push(
        &mut self,
        pos: &[f64],
        ideals: &[f64],
        r: &[f64],
        win: &[f64],
        targets: Vec<Option<usize>>,
        t: usize,
        p: &SmpParams,
    ) -> bool {
        self.positions.push(pos.to_vec());
        self.ideals.push(ideals.to_vec());
        self.risk.push(r.to_vec());
        self.win_prob.push(win.to_vec());
        self.targets.push(targets);
        let m = if r.is_empty() { 1 } else { pos.len() / r.len() };
        let dist = |a: &[f64], b: &[f64]| -> f64 {
            a.chunks(m)
                .zip(b.chunks(m))
                .map(|(x, y)| {
                    x.iter()
                        .zip(y)
                        .map(|(u, v)| (u - v) * (u - v))
                        .sum::<f64>()
                        .sqrt()
                })
                .sum()
        };
        if t >= p.min_iter {
            let d01 = dist(&self.positions[0], &self.positions[1]) + p.min_sig_delta;
            let dxy = dist(&self.positions[t], &self.positions[t - 1]);
            if dxy / d01 < p.min_delta_ratio {
                self.converged = true;
                return true;
            }
        }
        t >= p.max_iter
    }

    /// Number of states (turns + 1).
    pub fn n_states(&self) -> usize {
        self.positions.len()
    }
}

/// Run SMP on a prepared input with the fast engine.
pub fn run_input(
    inp: &SmpInput,
    p: &SmpParams,
    max_steps: usize,
    rng: &mut Rng,
) -> Result<SmpRun, ModelError> {
    engine::run(inp, p, max_steps, rng)
}

impl Smp {
    pub fn new(params: SmpParams) -> Self {
        Smp { params }
    }

    /// Turn a run into a statecraft trajectory (positions on each dimension's own scale) with
    /// ideals, win probabilities, risk attitudes and targets in `details`.
    pub fn trajectory(&self, problem: &Problem, run: &SmpRun, notes: Vec<String>) -> Trajectory {
        let (n, m) = (problem.n_actors(), problem.n_dims());
        let scale = |flat: &Vec<f64>| -> Vec<Vec<f64>> {
            (0..n)
                .map(|i| {
                    (0..m)
                        .map(|k| {
                            let d = &problem.dims[k];
                            d.min + flat[i * m + k] * (d.max - d.min)
                        })
                        .collect()
                })
                .collect()
        };
        let rounds: Vec<Vec<Vec<f64>>> = run.positions.iter().map(scale).collect();
        let ideals: Vec<Vec<Vec<f64>>> = run.ideals.iter().map(scale).collect();
        let targets: Vec<Vec<Option<&str>>> = run
            .targets
            .iter()
            .map(|t| {
                t.iter()
                    .map(|j| j.map(|j| problem.actors[j].as_str()))
                    .collect()
            })
            .collect();
        let params: Vec<(String, String)> = self
            .params
            .ktab_pairs()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let details = serde_json::json!({
            "model": "smp",
            "params": params.into_iter().collect::<std::collections::BTreeMap<_, _>>(),
            "ktab_compat": self.params.ktab_compat,
            "states": run.n_states(),
            "ideals": ideals,
            "win_prob": run.win_prob,
            "risk": run.risk,
            "targets": targets,
        });
        Trajectory {
            rounds,
            converged: run.converged,
            notes,
            details,
        }
    }
}

impl Model for Smp {
    fn id(&self) -> &str {
        "smp"
    }
    fn describe(&self) -> &str {
        "KTAB's Spatial Model of Politics: multi-dimensional challenges, bargains and Condorcet elections"
    }
    fn multi_dimensional(&self) -> bool {
        true
    }
    fn run(
        &self,
        problem: &Problem,
        max_rounds: usize,
        rng: &mut Rng,
    ) -> Result<Trajectory, ModelError> {
        let (inp, notes) = SmpInput::from_problem(problem, &self.params)?;
        let run = engine::run(&inp, &self.params, max_rounds, rng)?;
        Ok(self.trajectory(problem, &run, notes))
    }
}

/// SMP's CSV output: one row per state × actor × dimension on KTAB's 0–100 scale,
/// `turn,actor,dim,position,ideal,win_prob`. Reads ideals and win probabilities from
/// `traj.details` (as written by [`Smp::trajectory`]); positions are rescaled from each
/// dimension's [min,max] to 0–100.
pub fn csv_rows(traj: &Trajectory, problem: &Problem) -> String {
    let mut out = String::from("turn,actor,dim,position,ideal,win_prob\n");
    let to100 = |k: usize, v: f64| {
        let d = &problem.dims[k];
        if d.max > d.min {
            100.0 * (v - d.min) / (d.max - d.min)
        } else {
            v
        }
    };
    let ideals = traj.details.get("ideals");
    let win = traj.details.get("win_prob");
    for (t, round) in traj.rounds.iter().enumerate() {
        for (i, row) in round.iter().enumerate() {
            let w = win
                .and_then(|w| w.get(t))
                .and_then(|w| w.get(i))
                .and_then(|w| w.as_f64());
            for (k, &x) in row.iter().enumerate() {
                let ideal = ideals
                    .and_then(|v| v.get(t))
                    .and_then(|v| v.get(i))
                    .and_then(|v| v.get(k))
                    .and_then(|v| v.as_f64());
                let actor = csv_field(problem.actors.get(i).map_or("", |s| s.as_str()));
                let dim = csv_field(problem.dims.get(k).map_or("", |d| d.id.as_str()));
                out.push_str(&format!(
                    "{t},{actor},{dim},{:.4},{},{}\n",
                    to100(k, x),
                    ideal.map_or(String::new(), |v| format!("{:.4}", to100(k, v))),
                    w.map_or(String::new(), |v| format!("{v:.4}")),
                ));
            }
        }
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
