//! Sensitivity: Sobol indices, one-at-a-time tornado, actor pivotality.
//!
//! - Sobol first-order (S1) and total (ST) indices by Saltelli's (2010) A/B/A_B^(i) design with
//!   Jansen's (1999) estimators and percentile-bootstrap 95% intervals. Inputs are the scenario's
//!   uncertain numbers, each driven by a uniform through its quantile function (the same path as
//!   Monte Carlo). References: Saltelli et al. (2010), "Variance based sensitivity analysis of
//!   model output. Design and estimator for the total sensitivity index", Comput. Phys. Commun.
//!   181:259–270; Jansen (1999), Comput. Phys. Commun. 117:35–43; Saltelli et al. (2008), *Global
//!   Sensitivity Analysis: The Primer*, Wiley.
//! - Tornado: each input at its 5th and 95th percentile, the others at their nominal values,
//!   with common random numbers for in-model randomness.
//! - Pivotality: Δ of each outcome probability when an actor's positions are set to each end of
//!   the issue range or the actor is removed (paired runs), ranked.
//!
//! Details and caveats in `docs/uncertainty.md`.

use crate::expr::Expr;
use crate::mc::{self, compile_outcomes, Delta, McConfig, McError};
use crate::rng::{self, Rng};
use crate::sample::Sampler;
use crate::scenario::{Edit, Scenario};
use crate::state::RunState;
use rand::Rng as _;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt::Display;

/// `purpose` of the substream that draws the A and B matrices (row j = stream j).
pub const SOBOL_PURPOSE: u64 = 2;
/// `purpose` of the bootstrap resampling streams.
pub const BOOTSTRAP_PURPOSE: u64 = 3;

/// What a sensitivity analysis explains.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum Target {
    /// An outcome class: the model output is its 0/1 indicator (its mean is the probability).
    Outcome(String),
    /// A var of the run state (0 when missing from a run).
    Var(String),
}

impl Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Outcome(o) => write!(f, "P({o})"),
            Target::Var(v) => write!(f, "{v}"),
        }
    }
}

/// A compiled target.
enum Probe {
    Outcome(Expr),
    Var(String),
}

impl Probe {
    fn new(scn: &Scenario, t: &Target) -> Result<Probe, McError> {
        match t {
            Target::Outcome(id) => {
                let k = scn
                    .outcomes
                    .iter()
                    .position(|o| &o.id == id)
                    .ok_or_else(|| McError::Unknown(format!("no outcome class `{id}`")))?;
                let mut exprs = compile_outcomes(scn)?;
                Ok(Probe::Outcome(exprs.swap_remove(k)))
            }
            Target::Var(v) => Ok(Probe::Var(v.clone())),
        }
    }
    fn eval(&self, st: &RunState) -> f64 {
        match self {
            Probe::Outcome(e) => f64::from(u8::from(e.eval(st))),
            Probe::Var(v) => st.get(v).filter(|x| !x.is_nan()).unwrap_or(0.0),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Sobol
// ---------------------------------------------------------------------------------------------

/// An index with its bootstrap 95% interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Est {
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
}

/// Sobol indices of one input, or of one group of inputs ([`SobolGroups`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SobolIndex {
    /// The input's path, or the group's name.
    pub input: String,
    pub first: Est,
    pub total: Est,
    /// A group's member paths (empty for a single input).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
}

/// Sobol indices of every input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SobolResult {
    pub target: String,
    /// Base sample size N; the model was evaluated N·(2k + 4) times ([`sobol_evaluations`]).
    pub n: usize,
    pub evaluations: usize,
    /// Variance of the expected output E[Y | X] (the denominator of the indices).
    pub variance: f64,
    /// The same with its bootstrap 95% interval (a lower bound near 0 makes every index
    /// unreliable; `warnings` says so).
    #[serde(default = "Est::zero")]
    pub variance_est: Est,
    pub indices: Vec<SobolIndex>,
    /// Σ S1 with its bootstrap interval (≤ 1 up to estimation error).
    #[serde(default = "Est::zero")]
    pub sum_first: Est,
    /// Warnings about the estimates (S1 summing above 1, intervals spanning most of [0, 1],
    /// no signal variance).
    #[serde(default)]
    pub warnings: Vec<String>,
    pub bootstrap: usize,
    pub seed: u64,
    /// How the inputs were grouped (`inputs` = one index per input; [`SobolGroups::describe`]).
    #[serde(default = "inputs_rule")]
    pub grouping: String,
    pub provenance: mc::Provenance,
}

fn inputs_rule() -> String {
    "inputs".into()
}

impl Est {
    fn zero() -> Est {
        Est {
            value: 0.0,
            lo: 0.0,
            hi: 0.0,
        }
    }
}

/// Model outputs on the Saltelli design, row j. Deterministic model: `fa[j]` = f(A_j),
/// `fb[j]` = f(B_j), `fab[i][j]` = f(A_B^(i)_j). Stochastic model: every point is run on two
/// independent in-run streams, ω_j (`fa`, `fab`, `fb2`) and ω'_j (`fa2`, `fab2`, `fb`), so that the
/// estimators below can pair a difference on one stream with a difference (or a value) on the
/// other, whose noise is independent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Design {
    /// The uniforms of A and B, row by row (k each).
    pub a: Vec<Vec<f64>>,
    pub b: Vec<Vec<f64>>,
    pub fa: Vec<f64>,
    pub fb: Vec<f64>,
    pub fab: Vec<Vec<f64>>,
    /// The second-stream repeats; all empty for a deterministic model.
    pub fa2: Vec<f64>,
    #[serde(default)]
    pub fb2: Vec<f64>,
    #[serde(default)]
    pub fab2: Vec<Vec<f64>>,
}

impl Design {
    /// Whether the design carries the second-stream repeats (a stochastic model).
    pub fn stochastic(&self) -> bool {
        !self.fa2.is_empty() && !self.fb2.is_empty() && self.fab2.len() == self.fab.len()
    }
}

/// Estimates on the rows `rows` of the design: (V, S1_i, ST_i).
///
/// Every output is first **centred** on μ, the mean of all the design's outputs on these rows
/// (A, B and every A_B^(i), on both streams for a stochastic design). The estimators are unbiased for
/// any fixed shift, but a factor like f_B in f_B (f_ABi − f_A) carries E[Y] into the estimator's
/// variance: on a 0/1 outcome at P = 0.85, f_A f_A′ has variance ≈ p²(1 − p²) = 0.20 against
/// (p(1 − p))² = 0.016 once centred. SALib standardises Y for the same reason (the scale cancels
/// in the ratios), so on a deterministic design these are SALib's estimates exactly.
///
/// **Deterministic** (SALib's convention): S1 by Saltelli et al. (2010, Table 2 (b)),
/// V_i = mean(f_B (f_ABi − f_A)); ST by Jansen (1999), V_Ti = mean((f_A − f_ABi)²)/2; V = Var over
/// the 2N outputs f(A), f(B).
///
/// **Stochastic** (indices of g(X) = E[Y | X]; docs/uncertainty.md, "Sobol indices"): with
/// primes for the second stream,
///
/// - V_i  = ½ mean(f_B′ (f_ABi − f_A) + f_B (f_ABi′ − f_A′))  — each product pairs a value and a
///   difference with independent noise, so both terms are unbiased for Cov(g(B), g(A_B^(i)) − g(A));
/// - V_Ti = ½ mean((f_A − f_ABi)(f_A′ − f_ABi′))  — the two differences at the same points have
///   independent noise, so E = E[(g(A) − g(A_B^(i)))²]: Jansen's numerator without the noise term
///   ½E[(ε_A − ε_ABi)²] that a single stream adds;
/// - V    = ½ mean(f_A f_A′ + f_B f_B′) − mean(f_A) · mean(f_B)  — two runs at the same X on
///   independent streams have covariance Var g.
pub fn estimate(d: &Design, rows: &[usize]) -> (f64, Vec<f64>, Vec<f64>) {
    let n = rows.len().max(1) as f64;
    let stochastic = d.stochastic();
    let mu = {
        let mut cols: Vec<&[f64]> = vec![&d.fa, &d.fb];
        cols.extend(d.fab.iter().map(Vec::as_slice));
        if stochastic {
            cols.extend([d.fa2.as_slice(), d.fb2.as_slice()]);
            cols.extend(d.fab2.iter().map(Vec::as_slice));
        }
        let total: f64 = cols
            .iter()
            .map(|c| rows.iter().map(|&j| c[j]).sum::<f64>())
            .sum();
        total / (n * cols.len() as f64)
    };
    let mean = |v: &[f64]| rows.iter().map(|&j| v[j] - mu).sum::<f64>() / n;
    let v = if !stochastic {
        // the variance of the A and B outputs about their own mean (SALib's denominator)
        let all = rows.iter().flat_map(|&j| [d.fa[j], d.fb[j]]);
        let m = all.clone().sum::<f64>() / (2.0 * n);
        all.map(|y| (y - m).powi(2)).sum::<f64>() / (2.0 * n)
    } else {
        rows.iter()
            .map(|&j| 0.5 * ((d.fa[j] - mu) * (d.fa2[j] - mu) + (d.fb[j] - mu) * (d.fb2[j] - mu)))
            .sum::<f64>()
            / n
            - mean(&d.fa) * mean(&d.fb)
    };
    let mut s1 = Vec::with_capacity(d.fab.len());
    let mut st = Vec::with_capacity(d.fab.len());
    for (i, fab) in d.fab.iter().enumerate() {
        let (vi, vt) = if stochastic {
            let fab2 = &d.fab2[i];
            let vi = rows
                .iter()
                .map(|&j| {
                    0.5 * ((d.fb[j] - mu) * (fab[j] - d.fa[j])
                        + (d.fb2[j] - mu) * (fab2[j] - d.fa2[j]))
                })
                .sum::<f64>()
                / n;
            let vt = rows
                .iter()
                .map(|&j| (d.fa[j] - fab[j]) * (d.fa2[j] - fab2[j]))
                .sum::<f64>()
                / (2.0 * n);
            (vi, vt)
        } else {
            let vi = rows
                .iter()
                .map(|&j| (d.fb[j] - mu) * (fab[j] - d.fa[j]))
                .sum::<f64>()
                / n;
            let vt = rows
                .iter()
                .map(|&j| (d.fa[j] - fab[j]).powi(2))
                .sum::<f64>()
                / (2.0 * n);
            (vi, vt)
        };
        if v > 0.0 {
            s1.push(vi / v);
            st.push(vt / v);
        } else {
            s1.push(0.0);
            st.push(0.0);
        }
    }
    (v, s1, st)
}

/// The result of [`sobol_indices`].
#[derive(Clone, Debug, PartialEq)]
pub struct SobolEstimate {
    pub variance: f64,
    /// V with its percentile-bootstrap 95% interval.
    pub variance_est: Est,
    /// (S1, ST) per input.
    pub indices: Vec<(Est, Est)>,
    pub sum_first: Est,
    pub warnings: Vec<String>,
    pub design: Design,
}

/// Sobol indices of a (possibly stochastic) function of `k` uniforms on [0,1)^k.
///
/// `g(stream, u)` is the model; `stream` names its in-run random stream. Row j runs A and every
/// A_B^(i) on stream 2j, B on stream 2j + 1 and, if `stochastic`, A and every A_B^(i) again on
/// stream 2j + 1 and B again on stream 2j: N(k + 2) evaluations for a deterministic model,
/// N(2k + 4) for a stochastic one ([`estimate`] gives the estimators). Rows are drawn from
/// `rng::substream(seed, row, SOBOL_PURPOSE)`: the first k uniforms form A's row, the next k B's.
/// With `stochastic`, the indices are those of E[Y | X] (docs/uncertainty.md, "Sobol indices").
pub fn sobol_indices<G>(
    k: usize,
    n: usize,
    seed: u64,
    bootstrap: usize,
    stochastic: bool,
    g: G,
) -> Result<SobolEstimate, String>
where
    G: Fn(u64, &[f64]) -> Result<f64, String> + Sync,
{
    let singletons: Vec<Vec<usize>> = (0..k).map(|i| vec![i]).collect();
    sobol_indices_grouped(k, &singletons, n, seed, bootstrap, stochastic, g)
}

/// [`sobol_indices`] for groups of inputs: `groups[g]` lists the inputs (indices into the k
/// uniforms) that A_B^(g) takes from B at once, so the design has one column per group and
/// N(G + 2) evaluations (N(2G + 4) stochastic). The estimators are unchanged; S1 and ST of a
/// group are the closed first-order and total indices of the group as one input (Jacques,
/// Lavergne & Devictor 2006; Saltelli et al. 2008): S_g includes the interactions
/// inside the group. Rows draw the same k + k uniforms as the ungrouped design, so grouping
/// changes only which points are evaluated. Groups must be disjoint and non-empty.
pub fn sobol_indices_grouped<G>(
    k: usize,
    groups: &[Vec<usize>],
    n: usize,
    seed: u64,
    bootstrap: usize,
    stochastic: bool,
    g: G,
) -> Result<SobolEstimate, String>
where
    G: Fn(u64, &[f64]) -> Result<f64, String> + Sync,
{
    if n < 2 {
        return Err("Sobol analysis needs a base sample of at least 2".into());
    }
    let mut seen = vec![false; k];
    for grp in groups {
        if grp.is_empty() {
            return Err("a Sobol group has no inputs".into());
        }
        for &i in grp {
            if i >= k || seen[i] {
                return Err(format!(
                    "Sobol groups must be disjoint sets of the {k} inputs (input {i})"
                ));
            }
            seen[i] = true;
        }
    }
    let k_cols = groups.len();
    struct Row {
        a: Vec<f64>,
        b: Vec<f64>,
        fa: f64,
        fb: f64,
        fab: Vec<f64>,
        /// (f_A′, f_B′ on the other stream, f_ABi′) for a stochastic model.
        repeat: Option<(f64, f64, Vec<f64>)>,
    }
    let rows: Vec<Result<Row, String>> = (0..n)
        .into_par_iter()
        .map(|j| {
            let mut r = rng::substream(seed, j as u64, SOBOL_PURPOSE);
            let a: Vec<f64> = (0..k).map(|_| r.gen::<f64>()).collect();
            let b: Vec<f64> = (0..k).map(|_| r.gen::<f64>()).collect();
            let (wa, wb) = (2 * j as u64, 2 * j as u64 + 1);
            let fab_on = |w: u64| -> Result<Vec<f64>, String> {
                let mut out = Vec::with_capacity(k_cols);
                let mut ab = a.clone();
                for grp in groups {
                    for &i in grp {
                        ab[i] = b[i];
                    }
                    out.push(g(w, &ab)?);
                    for &i in grp {
                        ab[i] = a[i];
                    }
                }
                Ok(out)
            };
            let fa = g(wa, &a)?;
            let fb = g(wb, &b)?;
            let fab = fab_on(wa)?;
            let repeat = if stochastic {
                Some((g(wb, &a)?, g(wa, &b)?, fab_on(wb)?))
            } else {
                None
            };
            Ok(Row {
                a,
                b,
                fa,
                fb,
                fab,
                repeat,
            })
        })
        .collect();
    let mut d = Design {
        fab: vec![Vec::with_capacity(n); k_cols],
        fab2: if stochastic {
            vec![Vec::with_capacity(n); k_cols]
        } else {
            Vec::new()
        },
        ..Design::default()
    };
    for r in rows {
        let r = r?;
        d.a.push(r.a);
        d.b.push(r.b);
        d.fa.push(r.fa);
        d.fb.push(r.fb);
        for (i, y) in r.fab.into_iter().enumerate() {
            d.fab[i].push(y);
        }
        if let Some((fa2, fb2, fab2)) = r.repeat {
            d.fa2.push(fa2);
            d.fb2.push(fb2);
            for (i, y) in fab2.into_iter().enumerate() {
                d.fab2[i].push(y);
            }
        }
    }
    let all: Vec<usize> = (0..n).collect();
    let (v, s1, st) = estimate(&d, &all);
    // Percentile bootstrap over rows.
    let boots: Vec<(Vec<f64>, Vec<f64>, f64)> = (0..bootstrap)
        .into_par_iter()
        .map(|b| {
            let mut r = rng::substream(seed, b as u64, BOOTSTRAP_PURPOSE);
            let rows: Vec<usize> = (0..n).map(|_| r.gen_range(0..n)).collect();
            let (v, s1, st) = estimate(&d, &rows);
            (s1, st, v)
        })
        .collect();
    let interval = |point: f64, vals: Vec<f64>| {
        if vals.is_empty() {
            return Est {
                value: point,
                lo: point,
                hi: point,
            };
        }
        let mut v = vals;
        v.sort_by(f64::total_cmp);
        Est {
            value: point,
            lo: mc::quantile_sorted(&v, 0.025).min(point),
            hi: mc::quantile_sorted(&v, 0.975).max(point),
        }
    };
    let indices: Vec<(Est, Est)> = (0..k_cols)
        .map(|i| {
            (
                interval(s1[i], boots.iter().map(|b| b.0[i]).collect()),
                interval(st[i], boots.iter().map(|b| b.1[i]).collect()),
            )
        })
        .collect();
    let sum_first = interval(
        s1.iter().sum(),
        boots.iter().map(|b| b.0.iter().sum()).collect(),
    );
    let variance_est = interval(v, boots.iter().map(|b| b.2).collect());
    let mut warnings = Vec::new();
    if v > 0.0 && !boots.is_empty() && variance_est.lo <= 0.25 * v {
        warnings.push(format!(
            "the variance of the expected output over the inputs is not resolved at N = {n}: \
             V = {v:.3e} with 95% interval [{:.3e}, {:.3e}], so every index (a ratio over V) is \
             unreliable; increase N, use fewer inputs, or a continuous target",
            variance_est.lo, variance_est.hi
        ));
    }
    if v <= 0.0 {
        warnings.push(
            "the expected output does not vary over the inputs (variance ≤ 0): indices set to 0"
                .into(),
        );
    }
    if sum_first.lo > 1.0 {
        warnings.push(format!(
            "first-order indices sum to {:.2} [{:.2}, {:.2}], above 1 beyond the bootstrap error: \
             the estimates are not trustworthy (increase N)",
            sum_first.value, sum_first.lo, sum_first.hi
        ));
    }
    let wide = indices
        .iter()
        .filter(|(f, t)| f.hi - f.lo > SOBOL_WIDE || t.hi - t.lo > SOBOL_WIDE)
        .count();
    if wide > 0 {
        warnings.push(format!(
            "{wide} of {k_cols} {} have a 95% interval wider than {SOBOL_WIDE} (most of [0, 1]): \
             increase N{}",
            if k_cols == k { "inputs" } else { "groups" },
            if k_cols > SOBOL_FEW_GROUPS {
                " or group the inputs (--sobol-groups kind)"
            } else {
                ""
            }
        ));
    }
    Ok(SobolEstimate {
        variance: v,
        variance_est,
        indices,
        sum_first,
        warnings,
        design: d,
    })
}

/// Model runs of [`sobol`] with base sample `n` and `k` columns (inputs or groups; the
/// stochastic design).
pub fn sobol_evaluations(n: usize, k: usize) -> usize {
    n.saturating_mul(2 * k + 4)
}

/// Interval width above which a Sobol index is flagged as spanning most of [0, 1].
pub const SOBOL_WIDE: f64 = 0.5;

/// Above this many columns (inputs or groups), the wide-interval warning suggests grouping.
pub const SOBOL_FEW_GROUPS: usize = 30;

/// How [`sobol_with`] groups a scenario's uncertain inputs into the columns of the design.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SobolGroups {
    /// One index per uncertain input.
    #[default]
    Inputs,
    /// One index per kind of number: the input's path with its element ids replaced by `*`
    /// ([`input_kind`]: every actor's capability is one group, every option's propensity
    /// another).
    Kind,
    /// Named groups of path patterns (`*` matches one dotted segment; a pattern without `*`
    /// also matches every path below it). Inputs no pattern matches form the group `(rest)`.
    Named(Vec<(String, Vec<String>)>),
}

impl SobolGroups {
    /// The rule in words, for the output (`inputs`, `kind`, or `name=pattern,…; …`).
    pub fn describe(&self) -> String {
        match self {
            SobolGroups::Inputs => "inputs".into(),
            SobolGroups::Kind => "kind".into(),
            SobolGroups::Named(g) => g
                .iter()
                .map(|(name, pats)| format!("{name}={}", pats.join(",")))
                .collect::<Vec<_>>()
                .join("; "),
        }
    }

    /// Parses `inputs`, `kind` or `NAME=PATTERN[,PATTERN][;NAME=PATTERN…]`.
    pub fn parse(text: &str) -> Result<SobolGroups, String> {
        let t = text.trim();
        match t {
            "inputs" => return Ok(SobolGroups::Inputs),
            "kind" => return Ok(SobolGroups::Kind),
            _ => {}
        }
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for part in t.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((name, pats)) = part.split_once('=') else {
                return Err(format!(
                    "`{part}` is not a group: expected `inputs`, `kind` or NAME=PATTERN[,PATTERN] \
                     (e.g. `options=crisis.option.*.propensity;stances=stance`)"
                ));
            };
            let name = name.trim();
            if name.is_empty() || name == REST_GROUP {
                return Err(format!(
                    "`{part}`: a group needs a name other than `{REST_GROUP}`"
                ));
            }
            if groups.iter().any(|(n, _)| n == name) {
                return Err(format!("group `{name}` is named twice"));
            }
            let pats: Vec<String> = pats
                .split(',')
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect();
            if pats.is_empty() {
                return Err(format!("group `{name}` has no path pattern"));
            }
            groups.push((name.to_string(), pats));
        }
        if groups.is_empty() {
            return Err("expected `inputs`, `kind` or NAME=PATTERN[,PATTERN][;…]".into());
        }
        Ok(SobolGroups::Named(groups))
    }

    /// The groups over `paths` (the sampler's inputs, in order): (name, member indices), in
    /// order of first member (named groups in the order given, then `(rest)`). Every pattern
    /// must match at least one input, and a path matched by two groups is an error.
    pub fn resolve(&self, paths: &[String]) -> Result<Vec<(String, Vec<usize>)>, String> {
        match self {
            SobolGroups::Inputs => Ok(paths
                .iter()
                .enumerate()
                .map(|(i, p)| (p.clone(), vec![i]))
                .collect()),
            SobolGroups::Kind => {
                let mut out: Vec<(String, Vec<usize>)> = Vec::new();
                for (i, p) in paths.iter().enumerate() {
                    let kind = input_kind(p);
                    match out.iter_mut().find(|(n, _)| *n == kind) {
                        Some((_, m)) => m.push(i),
                        None => out.push((kind, vec![i])),
                    }
                }
                Ok(out)
            }
            SobolGroups::Named(groups) => {
                let mut owner: Vec<Option<usize>> = vec![None; paths.len()];
                let mut out: Vec<(String, Vec<usize>)> = Vec::new();
                for (gi, (name, pats)) in groups.iter().enumerate() {
                    let mut members = Vec::new();
                    for pat in pats {
                        let hits: Vec<usize> = (0..paths.len())
                            .filter(|&i| pattern_matches(pat, &paths[i]))
                            .collect();
                        if hits.is_empty() {
                            // candidates: every path and kind cut to the pattern's length
                            let segs = pat.split('.').count();
                            let cut =
                                |p: &str| p.split('.').take(segs).collect::<Vec<_>>().join(".");
                            let mut cands: Vec<String> = paths
                                .iter()
                                .flat_map(|p| [cut(p), cut(&input_kind(p))])
                                .collect();
                            cands.sort();
                            cands.dedup();
                            let hint =
                                crate::suggest::suggest(pat, cands.iter().map(String::as_str))
                                    .map(|c| format!(" (did you mean `{c}`?)"))
                                    .unwrap_or_default();
                            return Err(format!(
                                "group `{name}`: pattern `{pat}` matches no uncertain input{hint}"
                            ));
                        }
                        for i in hits {
                            match owner[i] {
                                Some(o) if o != gi => {
                                    return Err(format!(
                                    "`{}` is in groups `{}` and `{name}`: groups must not overlap",
                                    paths[i], groups[o].0
                                ))
                                }
                                Some(_) => {}
                                None => {
                                    owner[i] = Some(gi);
                                    members.push(i);
                                }
                            }
                        }
                    }
                    members.sort_unstable();
                    out.push((name.clone(), members));
                }
                let rest: Vec<usize> = (0..paths.len()).filter(|&i| owner[i].is_none()).collect();
                if !rest.is_empty() {
                    out.push((REST_GROUP.to_string(), rest));
                }
                Ok(out)
            }
        }
    }
}

/// The group of the inputs no named pattern matches.
pub const REST_GROUP: &str = "(rest)";

/// Whether `pat` matches `path`: segment by segment, `*` matching any one segment; a pattern
/// shorter than the path matches when it is a prefix of whole segments.
pub fn pattern_matches(pat: &str, path: &str) -> bool {
    let mut ps = pat.split('.');
    let mut xs = path.split('.');
    loop {
        match (ps.next(), xs.next()) {
            (None, _) => return true,
            (Some(_), None) => return false,
            (Some(p), Some(x)) => {
                if p != "*" && p != x {
                    return false;
                }
            }
        }
    }
}

/// The kind of an input: its path (`docs/scenario.md`, "Number paths") with the element ids
/// replaced by `*` and the index of an effect by `*`: `actor.us.capability` → `actor.*.capability`,
/// `stance.dk.mil_rights.salience` → `stance.*.mil_rights.salience`,
/// `crisis.option.invasion.propensity` → `crisis.option.*.propensity`,
/// `crisis.influence.jcs.us.weight` → `crisis.influence.*.*.weight`,
/// `crisis.event.x.effect.0.value` → `crisis.event.*.effect.*.value`. Top-level crisis numbers
/// (`crisis.coercion.rate`) and `params.<name>` are their own kind.
pub fn input_kind(path: &str) -> String {
    let mut seg: Vec<&str> = path.split('.').collect();
    let ids: &[usize] = match seg.as_slice() {
        ["actor", _, _, ..] => &[1],
        ["stance", _, _, _, ..] => &[1],
        ["crisis", "influence" | "link", _, _, _, ..] => &[2, 3],
        ["crisis", "option" | "gate" | "event" | "ally" | "volatility", _, _, ..] => &[2],
        _ => &[],
    };
    for &i in ids {
        seg[i] = "*";
    }
    for s in seg.iter_mut() {
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            *s = "*";
        }
    }
    seg.join(".")
}

/// Sobol indices of a scenario's uncertain inputs for the expected `target` (E[Y | X]), one per
/// input ([`sobol_with`] with [`SobolGroups::Inputs`]).
pub fn sobol<F, E>(
    scn: &Scenario,
    cfg: &McConfig,
    target: &Target,
    n: usize,
    bootstrap: usize,
    f: F,
) -> Result<SobolResult, McError>
where
    F: Fn(&Scenario, &mut Rng) -> Result<RunState, E> + Sync,
    E: Display,
{
    sobol_with(scn, cfg, target, n, bootstrap, &SobolGroups::Inputs, f)
}

/// The number of Sobol columns (inputs or groups) of a scenario under `groups`.
pub fn sobol_columns(
    scn: &Scenario,
    cfg: &McConfig,
    groups: &SobolGroups,
) -> Result<usize, McError> {
    let (_, _, paths) = sobol_inputs(scn, cfg)?;
    groups
        .resolve(&paths)
        .map(|g| g.len())
        .map_err(McError::Unknown)
}

/// The edited scenario a Sobol design samples, its sampler, and the sampler's input paths.
fn sobol_inputs(
    scn: &Scenario,
    cfg: &McConfig,
) -> Result<(Scenario, Sampler, Vec<String>), McError> {
    let base = mc::apply_edits(scn, &cfg.edits)?;
    let sampler = Sampler::new(&base, cfg.evidence_discount);
    let paths: Vec<String> = sampler.inputs.iter().map(|i| i.path.clone()).collect();
    Ok((base, sampler, paths))
}

/// Sobol indices of a scenario's uncertain inputs, grouped by `groups`, for the expected
/// `target` (E[Y | X]).
///
/// Design row j runs every point on the in-run streams `rng::stream(cfg.seed, 2j)` and
/// `rng::stream(cfg.seed, 2j + 1)` ([`sobol_indices_grouped`]); since every in-run draw is keyed
/// by element, an input that changes nothing leaves the run bit-identical and gets S_T = 0
/// exactly. `n` is the base sample size; the model runs `n·(2G + 4)` times for G columns.
pub fn sobol_with<F, E>(
    scn: &Scenario,
    cfg: &McConfig,
    target: &Target,
    n: usize,
    bootstrap: usize,
    groups: &SobolGroups,
    f: F,
) -> Result<SobolResult, McError>
where
    F: Fn(&Scenario, &mut Rng) -> Result<RunState, E> + Sync,
    E: Display,
{
    let probe = Probe::new(scn, target)?;
    let (base, sampler, paths) = sobol_inputs(scn, cfg)?;
    let k = paths.len();
    let resolved = groups.resolve(&paths).map_err(McError::Unknown)?;
    let members: Vec<Vec<usize>> = resolved.iter().map(|(_, m)| m.clone()).collect();
    let g = |stream: u64, u: &[f64]| -> Result<f64, String> {
        let mut s = base.clone();
        sampler.apply_with(&mut s, |i, inp| inp.value_at(u[i]));
        let mut r = rng::stream(cfg.seed, stream);
        let st = f(&s, &mut r).map_err(|e| format!("stream {stream}: {e}"))?;
        Ok(probe.eval(&st))
    };
    let est = sobol_indices_grouped(k, &members, n, cfg.seed, bootstrap, true, g)
        .map_err(|message| McError::Run { run: 0, message })?;
    let singles = matches!(groups, SobolGroups::Inputs);
    Ok(SobolResult {
        target: target.to_string(),
        n,
        evaluations: sobol_evaluations(n, resolved.len()),
        variance: est.variance,
        variance_est: est.variance_est,
        indices: resolved
            .into_iter()
            .zip(est.indices)
            .map(|((name, m), (first, total))| SobolIndex {
                input: name,
                first,
                total,
                members: if singles {
                    Vec::new()
                } else {
                    m.iter().map(|&i| paths[i].clone()).collect()
                },
            })
            .collect(),
        sum_first: est.sum_first,
        warnings: est.warnings,
        bootstrap,
        seed: cfg.seed,
        grouping: groups.describe(),
        provenance: mc::Provenance::new(scn, cfg),
    })
}

// ---------------------------------------------------------------------------------------------
// Tornado
// ---------------------------------------------------------------------------------------------

/// One bar of a tornado diagram.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TornadoBar {
    pub input: String,
    pub nominal: f64,
    /// The input's 5th and 95th percentiles (after the evidence discount).
    pub low_value: f64,
    pub high_value: f64,
    /// The target at the low and high value (others nominal).
    pub y_low: f64,
    pub y_high: f64,
    /// |y_high − y_low|.
    pub swing: f64,
}

/// A tornado diagram: bars sorted by swing, largest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tornado {
    pub target: String,
    /// The target with every input at its nominal value.
    pub y_nominal: f64,
    /// Runs per configuration (in-model randomness; common random numbers across configurations).
    pub runs: u64,
    pub bars: Vec<TornadoBar>,
    pub provenance: mc::Provenance,
}

/// Lower and upper percentile of the one-at-a-time tornado.
pub const TORNADO_LOW: f64 = 0.05;
pub const TORNADO_HIGH: f64 = 0.95;

/// One-at-a-time tornado. Each configuration runs `cfg.runs` times with in-model RNG
/// `rng::stream(cfg.seed, i)` (common random numbers); the target is averaged over them.
pub fn tornado<F, E>(
    scn: &Scenario,
    cfg: &McConfig,
    target: &Target,
    f: F,
) -> Result<Tornado, McError>
where
    F: Fn(&Scenario, &mut Rng) -> Result<RunState, E> + Sync,
    E: Display,
{
    let probe = Probe::new(scn, target)?;
    let base = mc::apply_edits(scn, &cfg.edits)?;
    let sampler = Sampler::new(&base, cfg.evidence_discount);
    let runs = cfg.runs.max(1);
    // Configuration 0 = all nominal; 2i+1 = input i low; 2i+2 = input i high.
    let n_cfg = 1 + 2 * sampler.inputs.len();
    let ys: Vec<Result<f64, McError>> = (0..n_cfg)
        .into_par_iter()
        .map(|c| {
            let mut s = base.clone();
            if c == 0 {
                sampler.apply_with(&mut s, |_, inp| inp.domain.clamp(inp.nominal));
            } else {
                let which = (c - 1) / 2;
                let u = if c % 2 == 1 {
                    TORNADO_LOW
                } else {
                    TORNADO_HIGH
                };
                sampler.apply_one(&mut s, which, u);
            }
            let mut sum = 0.0;
            for i in 0..runs {
                let mut r = rng::stream(cfg.seed, i);
                let st = f(&s, &mut r).map_err(|e| McError::Run {
                    run: i,
                    message: e.to_string(),
                })?;
                sum += probe.eval(&st);
            }
            Ok(sum / runs as f64)
        })
        .collect();
    let ys: Vec<f64> = ys.into_iter().collect::<Result<_, _>>()?;
    let mut bars: Vec<TornadoBar> = sampler
        .inputs
        .iter()
        .enumerate()
        .map(|(i, inp)| {
            let (y_low, y_high) = (ys[2 * i + 1], ys[2 * i + 2]);
            TornadoBar {
                input: inp.path.clone(),
                nominal: inp.nominal,
                low_value: inp.value_at(TORNADO_LOW),
                high_value: inp.value_at(TORNADO_HIGH),
                y_low,
                y_high,
                swing: (y_high - y_low).abs(),
            }
        })
        .collect();
    bars.sort_by(|a, b| b.swing.total_cmp(&a.swing).then(a.input.cmp(&b.input)));
    Ok(Tornado {
        target: target.to_string(),
        y_nominal: ys[0],
        runs,
        bars,
        provenance: mc::Provenance::new(scn, cfg),
    })
}

// ---------------------------------------------------------------------------------------------
// Pivotality
// ---------------------------------------------------------------------------------------------

/// The effect of one variant of an actor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VariantEffect {
    /// `min` (every position at its issue's minimum), `max`, or `removed`.
    pub variant: String,
    pub deltas: Vec<Delta>,
}

/// How pivotal an actor is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pivot {
    pub actor: String,
    pub variants: Vec<VariantEffect>,
    /// Largest |Δprobability| over outcomes and variants (the ranking key).
    pub max_abs_delta: f64,
    /// The outcome and variant that reach it.
    pub max_outcome: String,
    pub max_variant: String,
    /// Newcombe 95% interval of that Δ.
    #[serde(default)]
    pub max_lo: f64,
    #[serde(default)]
    pub max_hi: f64,
    /// Whether any of the actor's deltas survives Holm's correction over every delta of the
    /// analysis (H₀: Δ = 0, family-wise α = [`mc::FAMILY_ALPHA`]): only such ranks are marked.
    #[serde(default)]
    pub significant: bool,
}

/// The name of the pivotality correction.
pub fn pivot_correction(tests: usize) -> String {
    format!(
        "Holm (1979) over {tests} deltas (actors × variants × outcomes), family-wise α = {}",
        mc::FAMILY_ALPHA
    )
}

/// Edits for an actor's variants: positions to each end of their issues, or removal.
pub fn actor_variants(scn: &Scenario, actor: &str) -> Vec<(String, Vec<Edit>)> {
    let ends = |pick_max: bool| -> Vec<Edit> {
        scn.stances
            .iter()
            .filter(|s| s.actor == actor)
            .filter_map(|s| {
                let i = scn.issues.iter().find(|i| i.id == s.issue)?;
                let (lo, hi) = (i.min.min(i.max), i.max.max(i.min));
                Some(Edit::Set {
                    path: format!("stance.{}.{}.position", s.actor, s.issue),
                    value: if pick_max { hi } else { lo },
                })
            })
            .collect()
    };
    vec![
        ("min".to_string(), ends(false)),
        ("max".to_string(), ends(true)),
        (
            "removed".to_string(),
            vec![Edit::Without {
                actor: actor.to_string(),
            }],
        ),
    ]
}

/// Pivotality of every actor for every outcome class, ranked by the largest |Δ|.
pub fn pivotality<F, E>(scn: &Scenario, cfg: &McConfig, f: F) -> Result<Vec<Pivot>, McError>
where
    F: Fn(&Scenario, &mut Rng) -> Result<RunState, E> + Sync,
    E: Display,
{
    pivotality_with(scn, cfg, &mc::PerRun(f))
}

/// [`pivotality`] with a run function prepared once per job ([`mc::Runner`]).
///
/// The variant jobs (3 per actor) run concurrently (rayon), each a pure function of
/// (scenario, configuration, seed), and are assembled in actor and variant order, so the
/// result does not depend on the thread count; the first error in that order is returned.
pub fn pivotality_with<R: mc::Runner>(
    scn: &Scenario,
    cfg: &McConfig,
    runner: &R,
) -> Result<Vec<Pivot>, McError> {
    let base_runs = mc::simulate_outcomes_with(scn, cfg, runner, None)?;
    let edited = mc::apply_edits(scn, &cfg.edits)?;
    let jobs: Vec<(usize, String, McConfig)> = edited
        .actors
        .iter()
        .enumerate()
        .flat_map(|(k, actor)| {
            actor_variants(&edited, &actor.id)
                .into_iter()
                .map(move |(name, edits)| {
                    let mut c = cfg.clone();
                    c.edits.extend(edits);
                    (k, name, c)
                })
        })
        .collect();
    // the base's slot layout, shared by every variant job
    let layout = mc::BaseLayout::new(scn);
    let results: Vec<Result<Vec<Delta>, McError>> = jobs
        .par_iter()
        .map(|(_, _, c)| {
            let alt = mc::simulate_outcomes_on(scn, &layout, c, runner)?;
            Ok(mc::deltas(scn, &base_runs, &alt))
        })
        .collect();
    let mut out: Vec<Pivot> = edited
        .actors
        .iter()
        .map(|actor| Pivot {
            actor: actor.id.clone(),
            variants: Vec::new(),
            max_abs_delta: -1.0,
            max_outcome: String::new(),
            max_variant: String::new(),
            max_lo: 0.0,
            max_hi: 0.0,
            significant: false,
        })
        .collect();
    for ((k, name, _), deltas) in jobs.into_iter().zip(results) {
        let deltas = deltas?;
        let a = &mut out[k];
        for d in &deltas {
            if d.delta.abs() > a.max_abs_delta {
                a.max_abs_delta = d.delta.abs();
                a.max_outcome = d.outcome.clone();
                a.max_variant = name.clone();
                a.max_lo = d.lo;
                a.max_hi = d.hi;
            }
        }
        a.variants.push(VariantEffect {
            variant: name,
            deltas,
        });
    }
    for a in &mut out {
        a.max_abs_delta = a.max_abs_delta.max(0.0);
    }
    // Holm over every delta of the analysis (H₀: Δ = 0).
    let p: Vec<f64> = out
        .iter()
        .flat_map(|a| &a.variants)
        .flat_map(|v| &v.deltas)
        .map(|d| d.p_value(0.0))
        .collect();
    let decided = mc::holm_levels(&p, mc::FAMILY_ALPHA);
    let mut k = 0;
    for a in &mut out {
        let n: usize = a.variants.iter().map(|v| v.deltas.len()).sum();
        a.significant = decided[k..k + n].iter().any(Option::is_some);
        k += n;
    }
    out.sort_by(|a, b| {
        b.max_abs_delta
            .total_cmp(&a.max_abs_delta)
            .then(a.actor.cmp(&b.actor))
    });
    Ok(out)
}

/// How [`pivotality_adaptive`] grows its runs per configuration.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PivotRule {
    /// Runs per configuration of the first pass.
    pub start: u64,
    /// Largest runs per configuration (the pass that reaches it is the last).
    pub cap: u64,
    /// How many of the top ranks must be settled.
    pub top: usize,
}

/// The outcome of [`pivotality_adaptive`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PivotalityReport {
    /// Runs per configuration of the pass reported.
    pub runs: u64,
    /// Whether the top ranks are settled ([`pivots_settled`]) at that run count.
    pub settled: bool,
    /// Runs per configuration of every pass, in order.
    pub passes: Vec<u64>,
    pub pivots: Vec<Pivot>,
}

/// Whether the top `top` ranks of a pivotality ranking are settled: no actor among them is in
/// the grey zone (an unadjusted 95% interval that excludes 0 while Holm's correction does not
/// reject, so one more seed could flip it), and each Holm-significant actor's |Δ| lower bound
/// lies above the point |Δ| of the next significant actor (so their order is not a coin toss).
/// A heuristic stopping rule, documented in docs/uncertainty.md ("Pivotality").
pub fn pivots_settled(pivots: &[Pivot], top: usize) -> bool {
    let head = &pivots[..pivots.len().min(top)];
    let excludes_zero = |p: &Pivot| p.max_lo > 0.0 || p.max_hi < 0.0;
    if head.iter().any(|p| excludes_zero(p) && !p.significant) {
        return false;
    }
    let low_abs = |p: &Pivot| p.max_lo.abs().min(p.max_hi.abs());
    let sig: Vec<&Pivot> = head.iter().filter(|p| p.significant).collect();
    sig.windows(2).all(|w| low_abs(w[0]) > w[1].max_abs_delta)
}

/// Pivotality with a run count that doubles from `rule.start` until the top `rule.top` ranks
/// are settled ([`pivots_settled`]) or `rule.cap` is reached. Each pass is a complete
/// [`pivotality`] analysis with `runs` per configuration (the same seed: pass 2's first runs
/// are pass 1's runs), so the result is a pure function of (scenario, seed, rule).
pub fn pivotality_adaptive<F, E>(
    scn: &Scenario,
    cfg: &McConfig,
    f: F,
    rule: PivotRule,
) -> Result<PivotalityReport, McError>
where
    F: Fn(&Scenario, &mut Rng) -> Result<RunState, E> + Sync,
    E: Display,
{
    pivotality_adaptive_with(scn, cfg, &mc::PerRun(f), rule)
}

/// [`pivotality_adaptive`] with a run function prepared once per job ([`mc::Runner`]).
pub fn pivotality_adaptive_with<R: mc::Runner>(
    scn: &Scenario,
    cfg: &McConfig,
    runner: &R,
    rule: PivotRule,
) -> Result<PivotalityReport, McError> {
    let cap = rule.cap.max(1);
    let mut runs = rule.start.clamp(1, cap);
    let mut passes = Vec::new();
    loop {
        let c = McConfig {
            runs,
            precision: None,
            ..cfg.clone()
        };
        let pivots = pivotality_with(scn, &c, runner)?;
        passes.push(runs);
        let settled = pivots_settled(&pivots, rule.top);
        if settled || runs >= cap {
            return Ok(PivotalityReport {
                runs,
                settled,
                passes,
                pivots,
            });
        }
        runs = runs.saturating_mul(2).min(cap);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn additive_function_has_additive_indices() {
        // g = u0 + 2·u1: V = 1/12 + 4/12, S = (0.2, 0.8), ST = S (no interactions).
        let e = sobol_indices(2, 4000, 5, 50, false, |_, u| Ok(u[0] + 2.0 * u[1])).expect("runs");
        assert!((e.variance - 5.0 / 12.0).abs() < 0.03);
        assert!((e.indices[0].0.value - 0.2).abs() < 0.03);
        assert!((e.indices[1].0.value - 0.8).abs() < 0.03);
        assert!((e.indices[0].1.value - 0.2).abs() < 0.03);
        let f = e.indices[0].0;
        assert!(f.lo <= f.value && f.value <= f.hi);
        assert!(e.warnings.is_empty(), "{:?}", e.warnings);
    }

    /// The concurrent variant jobs assemble as the serial loop did: per actor its variants in
    /// order with their deltas, and the largest |Δ| over them (Greenland, whose removal
    /// variants disable crisis elements).
    #[test]
    fn pivotality_assembles_as_the_serial_loop() {
        let text = include_str!("../../../scenarios/greenland-2026.toml");
        let scn = crate::scenario::load::from_toml_str(text).expect("the scenario loads");
        let cfg = McConfig {
            runs: 8,
            seed: 3,
            ..Default::default()
        };
        let opts = crate::engine::RunOptions::default();
        let runner = crate::engine::Prepared::new(&opts);
        let got = pivotality_with(&scn, &cfg, &runner).expect("pivotality");
        let base = mc::simulate_outcomes_with(&scn, &cfg, &runner, None).expect("base job");
        assert_eq!(got.len(), scn.actors.len());
        for actor in &scn.actors {
            let p = got.iter().find(|p| p.actor == actor.id).expect("ranked");
            let variants = actor_variants(&scn, &actor.id);
            assert_eq!(p.variants.len(), variants.len());
            let mut best = (-1.0_f64, String::new(), String::new(), 0.0, 0.0);
            for ((name, edits), v) in variants.into_iter().zip(&p.variants) {
                let mut c = cfg.clone();
                c.edits.extend(edits);
                let alt = mc::simulate_outcomes_with(&scn, &c, &runner, None).expect("variant");
                let deltas = mc::deltas(&scn, &base, &alt);
                for d in &deltas {
                    if d.delta.abs() > best.0 {
                        best = (d.delta.abs(), d.outcome.clone(), name.clone(), d.lo, d.hi);
                    }
                }
                assert_eq!(v.variant, name);
                assert_eq!(v.deltas, deltas, "{} {name}", actor.id);
            }
            assert_eq!(p.max_abs_delta, best.0.max(0.0), "{}", actor.id);
            assert_eq!((&p.max_outcome, &p.max_variant), (&best.1, &best.2));
            assert_eq!((p.max_lo, p.max_hi), (best.3, best.4));
        }
    }

    fn pivot(actor: &str, d: f64, lo: f64, hi: f64, significant: bool) -> Pivot {
        Pivot {
            actor: actor.into(),
            variants: Vec::new(),
            max_abs_delta: d,
            max_outcome: "o".into(),
            max_variant: "removed".into(),
            max_lo: lo,
            max_hi: hi,
            significant,
        }
    }

    #[test]
    fn settled_rankings_have_no_grey_zone_and_separated_ranks() {
        let a = pivot("a", 0.30, 0.25, 0.35, true);
        let b = pivot("b", 0.10, 0.05, 0.15, true);
        let c = pivot("c", 0.02, -0.01, 0.05, false);
        assert!(pivots_settled(&[a.clone(), b.clone(), c.clone()], 5));
        // b's interval excludes 0 but Holm does not reject: grey zone
        let grey = pivot("b", 0.10, 0.01, 0.19, false);
        assert!(!pivots_settled(&[a.clone(), grey.clone(), c.clone()], 5));
        // ... unless it is below the ranks that must be settled
        assert!(pivots_settled(&[a.clone(), grey, c.clone()], 1));
        // a's lower bound 0.08 is below b's point 0.10: their order is not settled
        let close = pivot("a", 0.12, 0.08, 0.16, true);
        assert!(!pivots_settled(&[close, b, c], 5));
        // negative deltas count by magnitude
        let neg = pivot("n", 0.30, -0.35, -0.25, true);
        assert!(pivots_settled(&[neg, pivot("b", 0.1, 0.05, 0.15, true)], 5));
    }

    /// With the second stream equal to the first, the two-stream numerators reduce to the
    /// single-stream Saltelli (2010) and Jansen (1999) numerators that SALib computes
    /// (tests/python/salib_check.py checks those against SALib).
    #[test]
    fn two_stream_numerators_reduce_to_salib_s_with_one_stream() {
        let det = sobol_indices(3, 500, 8, 0, false, |_, u| {
            Ok(u[0].sin() + 3.0 * u[1] * u[1] + u[0] * u[2])
        })
        .expect("runs")
        .design;
        let mut twin = det.clone();
        twin.fa2 = det.fa.clone();
        twin.fb2 = det.fb.clone();
        twin.fab2 = det.fab.clone();
        assert!(twin.stochastic() && !det.stochastic());
        let rows: Vec<usize> = (0..500).collect();
        let (v1, s1, st) = estimate(&det, &rows);
        let (v2, s1b, stb) = estimate(&twin, &rows);
        for i in 0..3 {
            assert!((s1[i] * v1 - s1b[i] * v2).abs() < 1e-12, "V_{i}");
            assert!((st[i] * v1 - stb[i] * v2).abs() < 1e-12, "V_T{i}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// All analyses in one call (what `statecraft run --hypotheses --sobol … --tornado … --pivotal`
// asks for)
// ---------------------------------------------------------------------------------------------

impl Target {
    /// An outcome class id if the scenario has one by that name, otherwise a var name.
    pub fn resolve(scn: &Scenario, name: &str) -> Target {
        if scn.outcomes.iter().any(|o| o.id == name) {
            Target::Outcome(name.to_string())
        } else {
            Target::Var(name.to_string())
        }
    }
}

/// Which analyses to run beyond the plain Monte Carlo job.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AnalysisRequest {
    /// Evaluate the scenario's hypotheses.
    pub hypotheses: bool,
    /// Sobol indices for a target with base sample size N.
    pub sobol: Option<(Target, usize)>,
    /// Bootstrap resamples for the Sobol intervals.
    pub bootstrap: usize,
    /// One-at-a-time tornado for a target.
    pub tornado: Option<Target>,
    /// Actor pivotality for every outcome class.
    pub pivotality: bool,
}

impl AnalysisRequest {
    pub fn is_empty(&self) -> bool {
        !self.hypotheses && self.sobol.is_none() && self.tornado.is_none() && !self.pivotality
    }
}
