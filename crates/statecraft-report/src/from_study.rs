//! Adapter: the core's results (Monte Carlo, forecasts, hypotheses, sensitivity, evidence
//! discount) and the scenario they came from → [`ReportData`].
//!
//! Pure: no I/O, no clock; the same inputs give the same `ReportData` (and so the same bytes).
//! The mapping is documented in `docs/report.md` ("Adapter from the core").

use crate::data::*;
use crate::fmt::{int, pct};
use statecraft_core::evidence;
use statecraft_core::forecast::QuestionForecast;
use statecraft_core::mc::{self, McResult, OutcomeProb};
use statecraft_core::sample::{cited_paragraphs, find_source};
use statecraft_core::scenario::HypothesisTest;
use statecraft_core::scenario::{Dist, Num, Scenario};
use statecraft_core::sensitivity::{Pivot, SobolResult, Target, Tornado as CoreTornado};
use statecraft_core::study::{DiscountLevel, HypothesisVerdict, Study};
use std::collections::BTreeMap;

/// Most actors drawn per trajectory chart (the rest are left out and the caption says so).
pub const MAX_TRAJECTORY_ACTORS: usize = 9;
/// Most tipping paths listed.
pub const MAX_PATHS: usize = 5;

/// Builds the report data from a [`Study`] of `scn` (the scenario the study ran on: it supplies
/// names, issue anchors, the alliance network, sources and provenance). `command` is the exact
/// command that reproduces the report; `notes` describe the analysis settings (footer).
/// Never panics on odd results (missing vars, empty lists).
pub fn from_study(scn: &Scenario, study: &Study, command: &str, notes: &[String]) -> ReportData {
    let meta = &scn.scenario;
    let date = |d: Option<statecraft_core::scenario::Date>| {
        d.map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    };
    let pv = &study.provenance;
    ReportData {
        title: meta.title.clone(),
        scenario_id: meta.id.clone(),
        as_of: date(meta.as_of),
        horizon: date(meta.horizon),
        round_days: meta.round_days,
        notice: None,
        outcomes: outcomes(&study.mc.outcomes),
        class_note: class_note(&study.mc),
        forecasts: forecasts(&study.questions),
        trajectories: trajectories(scn, &study.mc, MAX_TRAJECTORY_ACTORS),
        network: network(scn, &study.mc),
        tornado: study
            .tornado
            .as_ref()
            .map(|t| tornado(scn, t, study.tornado_target.as_ref()))
            .unwrap_or_default(),
        sobol: study
            .sobol
            .as_ref()
            .map(|s| sobol(scn, s, study.sobol_target.as_ref()))
            .unwrap_or_default(),
        pivotal: study
            .pivotality
            .as_ref()
            .map(|p| pivotal(scn, &p.actors))
            .unwrap_or_default(),
        hypotheses: hypotheses(scn, &study.hypotheses),
        provenance: provenance(scn),
        evidence_discount: evidence_discount(scn, &study.evidence_discount),
        reproduction: Reproduction {
            scenario_hash: pv.scenario_hash.clone(),
            seed: pv.seed,
            runs: pv.runs,
            engine_version: pv.engine_version.clone(),
            command: command.to_string(),
            notes: notes.to_vec(),
        },
        track_record: None,
        ledger: Some(ledger(&evidence::ledger(
            scn,
            study.mc.provenance.evidence_discount,
            study.tornado.as_ref(),
        ))),
    }
}

/// Fixed paths shown per reason in the report's ledger.
pub const LEDGER_FIXED_EXAMPLES: usize = 4;

/// The core's evidence ledger in the report's terms.
pub fn ledger(l: &evidence::Ledger) -> LedgerView {
    use evidence::Basis;
    let c = &l.counts;
    let count = |basis: &str, count: usize, meaning: String| LedgerCount {
        basis: basis.into(),
        count,
        meaning,
    };
    let basis_text = |b: &Basis| match b {
        Basis::Sourced {
            source,
            reliability,
            ..
        } => format!("{source} (reliability {})", fmt_num(*reliability)),
        Basis::Assumed {
            confidence: Some(c),
            ..
        } => format!("assumed, confidence {}", fmt_num(*c)),
        Basis::Assumed {
            distribution: true, ..
        } => "assumed, distribution".into(),
        Basis::Assumed { .. } => "assumed (assumption source)".into(),
        Basis::Unmarked => "unmarked (default certainty)".into(),
        other => other.name().into(),
    };
    let mut fixed: Vec<LedgerFixed> = Vec::new();
    for e in &l.fixed {
        if let Basis::Fixed { reason, .. } = &e.basis {
            let ex = format!("{} = {}", e.path, fmt_num(e.value));
            match fixed.iter_mut().find(|f| &f.reason == reason) {
                Some(f) => {
                    f.count += 1;
                    if f.examples.len() < LEDGER_FIXED_EXAMPLES {
                        f.examples.push(ex);
                    }
                }
                None => fixed.push(LedgerFixed {
                    reason: reason.clone(),
                    count: 1,
                    examples: vec![ex],
                }),
            }
        }
    }
    LedgerView {
        total: c.total,
        counts: vec![
            count("sourced", c.sourced, "cite a source (certainty: its confidence, else the source's reliability)".into()),
            count("reference class", c.reference, "drawn from a reference class's posterior".into()),
            count("assumed", c.assumed, "marked assumptions: a confidence, a distribution or the assumption source".into()),
            count(
                "unmarked",
                c.unmarked,
                format!(
                    "no basis stated: sampled with the default certainty {}",
                    fmt_num(statecraft_core::scenario::num::ASSUMED_CONFIDENCE)
                ),
            ),
            count("fixed", c.fixed, format!("certain, with a reason ({} structural by the format)", c.fixed_by_format)),
            count("data", c.data, "bare numbers of a bargaining-only scenario".into()),
        ],
        ordering: match &l.ordering {
            evidence::Ordering::Tornado { target, runs } => {
                format!("by tornado swing of {target} ({runs} runs per configuration)")
            }
            evidence::Ordering::Width => {
                "by the width of each number's distribution relative to its range (no tornado was run)".into()
            }
        },
        assumed: l
            .assumed
            .iter()
            .map(|e| LedgerRow {
                path: e.path.clone(),
                value: fmt_num(e.value),
                basis: basis_text(&e.basis),
                spread: e.spread,
                influence: e.influence,
            })
            .collect(),
        fixed,
        rates_without_reference: l.rates_without_reference.clone(),
    }
}

/// Whether the outcome classes are mutually exclusive in the runs, from the core's run-by-run
/// count (empty when there are no classes or runs).
pub fn class_note(r: &McResult) -> String {
    let c = &r.class_coverage;
    if r.outcomes.is_empty() || c.runs == 0 {
        return String::new();
    }
    let sum: f64 = r.outcomes.iter().map(|o| o.p).sum();
    let none = if c.none > 0 {
        format!(" {} runs are in no class.", int(c.none))
    } else {
        String::new()
    };
    if c.exclusive() {
        format!(
            "The classes are mutually exclusive in these runs: they sum to {} over {} runs.{none}",
            pct(sum),
            int(c.runs)
        )
    } else {
        format!(
            "The classes overlap (a run can be in several), so they do not add up to 100%: they sum to {} over {} runs, and {} runs are in two or more classes.{none}",
            pct(sum),
            int(c.runs),
            int(c.several)
        )
    }
}

fn outcome_name(scn: &Scenario, id: &str) -> String {
    scn.outcomes
        .iter()
        .find(|o| o.id == id)
        .map(|o| {
            if o.name.is_empty() {
                o.id.clone()
            } else {
                o.name.clone()
            }
        })
        .unwrap_or_else(|| id.to_string())
}

fn actor_name(scn: &Scenario, id: &str) -> String {
    scn.actors
        .iter()
        .find(|a| a.id == id)
        .map(|a| {
            if a.name.is_empty() {
                a.id.clone()
            } else {
                a.name.clone()
            }
        })
        .unwrap_or_else(|| id.to_string())
}

/// Outcome classes with their Wilson 95% intervals (the chart sorts them).
pub fn outcomes(o: &[OutcomeProb]) -> Vec<OutcomeEstimate> {
    o.iter()
        .map(|o| OutcomeEstimate {
            name: if o.name.is_empty() {
                o.id.clone()
            } else {
                o.name.clone()
            },
            p: o.p,
            lo: o.lo,
            hi: o.hi,
        })
        .collect()
}

/// Forecast questions (P(yes) with the Wilson interval).
pub fn forecasts(q: &[QuestionForecast]) -> Vec<ForecastEstimate> {
    q.iter()
        .map(|q| ForecastEstimate {
            id: q.id.clone(),
            title: q.title.clone(),
            by: q
                .by
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            p: q.probability,
            lo: q.lo,
            hi: q.hi,
        })
        .collect()
}

/// Per-issue trajectories from the series `position.<actor>.<issue>`. At most `max_actors`
/// actors per issue: those with a stance on it whose capability × salience is largest (nominal
/// values), with the crisis initiator and target always kept; listed in that order.
pub fn trajectories(scn: &Scenario, r: &McResult, max_actors: usize) -> Vec<IssueTrajectory> {
    let mut out = vec![];
    let bands_from = bands_note(r).unwrap_or_default();
    for issue in &scn.issues {
        let mut cands: Vec<(f64, usize, &str)> = scn
            .stances
            .iter()
            .filter(|s| s.issue == issue.id)
            .filter(|s| {
                r.series
                    .contains_key(&format!("position.{}.{}", s.actor, issue.id))
            })
            .filter_map(|s| {
                let i = scn.actor_index(&s.actor)?;
                let w = scn.actors[i].capability.value * s.salience.value;
                Some((if w.is_finite() { w } else { 0.0 }, i, s.actor.as_str()))
            })
            .collect();
        if cands.is_empty() {
            continue;
        }
        let total = cands.len();
        cands.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let keep = max_actors.max(1);
        let mut chosen: Vec<&str> = cands.iter().take(keep).map(|c| c.2).collect();
        for party in [&scn.crisis.initiator, &scn.crisis.target]
            .into_iter()
            .flatten()
        {
            if !chosen.contains(&party.as_str()) {
                if let Some(c) = cands.iter().find(|c| c.2 == party) {
                    if chosen.len() >= keep {
                        chosen.pop();
                    }
                    chosen.push(c.2);
                }
            }
        }
        // Keep the capability × salience order after the swap.
        chosen.sort_by_key(|a| cands.iter().position(|c| c.2 == *a));
        let actors = chosen
            .iter()
            .filter_map(|a| {
                let s = r.series.get(&format!("position.{a}.{}", issue.id))?;
                Some(ActorTrajectory {
                    actor: actor_name(scn, a),
                    rounds: s.bands.iter().map(|b| Band::from(*b)).collect(),
                })
            })
            .collect::<Vec<_>>();
        let caption = if actors.len() < total {
            format!(
                "Showing {} of {} actors: those with the largest capability × salience on this issue{}.",
                actors.len(),
                total,
                if scn.crisis.initiator.is_some() || scn.crisis.target.is_some() {
                    ", with the crisis initiator and target always included"
                } else {
                    ""
                }
            )
        } else {
            String::new()
        };
        let unit = if issue.unit.is_empty() {
            format!("position, {}–{}", fmt_num(issue.min), fmt_num(issue.max))
        } else {
            issue.unit.clone()
        };
        out.push(IssueTrajectory {
            issue: if issue.name.is_empty() {
                issue.id.clone()
            } else {
                issue.name.clone()
            },
            unit,
            min: issue.min.min(issue.max),
            max: issue.max.max(issue.min),
            anchors: issue
                .anchors
                .iter()
                .map(|a| AnchorLabel {
                    value: a.value,
                    label: a.label.clone(),
                })
                .collect(),
            actors,
            caption,
            bands_from: bands_from.clone(),
        });
    }
    out
}

/// Which runs the bands read when the job ran more than per-round bands read
/// ([`mc::agg::SERIES_MAX_RUNS`]): "first 8,192 of N runs"; `None` otherwise.
fn bands_note(r: &McResult) -> Option<String> {
    let runs = r.outcomes.first().map_or(r.provenance.runs, |o| o.runs);
    (runs > mc::agg::SERIES_MAX_RUNS).then(|| {
        format!(
            "first {} of {} runs",
            int(mc::agg::SERIES_MAX_RUNS),
            int(runs)
        )
    })
}

/// Shares of runs ending at alignment −1 (back target), 0, +1 (back initiator), from the
/// core's typed counts; `None` if no run recorded the ally's alignment.
pub fn alignment_shares(c: &mc::AlignmentCounts) -> Option<(f64, f64, f64)> {
    if c.runs == 0 {
        return None;
    }
    let t = c.runs as f64;
    Some((
        c.target as f64 / t,
        c.neutral as f64 / t,
        c.initiator as f64 / t,
    ))
}

/// The alliance cascade: allies (scenario order) with P(back initiator / neutral / back target)
/// from the core's typed alignment counts, influence links with their nominal weights, and the
/// most frequent tipping steps (the core's typed `tipping`, share of runs in which the step
/// happened).
pub fn network(scn: &Scenario, r: &McResult) -> Network {
    let c = &scn.crisis;
    let nodes: Vec<NetworkNode> = c
        .allies
        .iter()
        .map(|a| {
            let (pt, pn, pi) = r
                .alignment
                .get(&a.actor)
                .and_then(alignment_shares)
                .unwrap_or((f64::NAN, f64::NAN, f64::NAN));
            NetworkNode {
                id: a.actor.clone(),
                name: actor_name(scn, &a.actor),
                p_initiator: pi,
                p_neutral: pn,
                p_target: pt,
            }
        })
        .collect();
    let edges = c
        .links
        .iter()
        .map(|l| NetworkEdge {
            from: l.from.clone(),
            to: l.to.clone(),
            weight: l.weight.value,
        })
        .collect();
    let is_ally = |id: &str| c.allies.iter().any(|a| a.actor == id);
    let mut steps: Vec<(u64, Vec<String>)> = r
        .tipping
        .iter()
        .map(|t| {
            let from = t.from.as_str();
            // A tipper that is not an ally is an option (or the ally's own lean): show its name.
            let from = if is_ally(from) {
                from.to_string()
            } else if let Some(o) = c.options.iter().find(|o| o.id == from) {
                format!("option: {}", o.name)
            } else if from == "lean" {
                "own lean".to_string()
            } else {
                from.to_string()
            };
            (t.runs_with, vec![from, t.to.clone()])
        })
        .collect();
    steps.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    // Steps taken in every run are the fixed starting cascade, not a path the runs choose.
    let every = steps.iter().filter(|s| s.0 >= r.provenance.runs).count();
    steps.retain(|s| s.0 < r.provenance.runs);
    let caption = if every > 0 {
        format!(
            "Tipping paths are single steps (who tipped whom) with the share of runs in which they happened; {every} step(s) taken in every run (the starting cascade) are left out."
        )
    } else {
        "Tipping paths are single steps (who tipped whom) with the share of runs in which they happened.".to_string()
    };
    let n = r.provenance.runs.max(1) as f64;
    let paths = steps
        .into_iter()
        .take(MAX_PATHS)
        .map(|(k, path)| TippingPath {
            path,
            frequency: k as f64 / n,
        })
        .collect();
    let side = |id: &Option<String>| {
        id.as_deref()
            .map(|a| actor_name(scn, a))
            .unwrap_or_default()
    };
    Network {
        initiator: side(&c.initiator),
        target: side(&c.target),
        nodes,
        edges,
        paths,
        caption: if c.allies.is_empty() {
            String::new()
        } else {
            caption
        },
    }
}

/// One-at-a-time effects: Δ from the nominal probability at each input's 5th/95th percentile.
pub fn tornado(scn: &Scenario, t: &CoreTornado, target: Option<&Target>) -> Tornado {
    Tornado {
        outcome: target_name(scn, target, &t.target),
        base: t.y_nominal,
        bars: t
            .bars
            .iter()
            .map(|b| TornadoBar {
                input: input_label(scn, &b.input),
                path: b.input.clone(),
                low_effect: b.y_low - t.y_nominal,
                high_effect: b.y_high - t.y_nominal,
                low_value: Some(b.low_value),
                high_value: Some(b.high_value),
            })
            .collect(),
    }
}

/// An input's human label from the scenario's names (`crisis.gate.jcs.block` → "Joint Chiefs
/// of Staff: gate block"); the path as given when the scenario does not name it.
pub fn input_label(scn: &Scenario, path: &str) -> String {
    let c = &scn.crisis;
    let parts: Vec<&str> = path.split('.').collect();
    let actor = |id: &str| actor_name(scn, id);
    let issue = |id: &str| {
        scn.issues
            .iter()
            .find(|i| i.id == id)
            .map(|i| {
                if i.name.is_empty() {
                    i.id.clone()
                } else {
                    i.name.clone()
                }
            })
            .unwrap_or_else(|| id.to_string())
    };
    let key = |k: &str| k.replace('_', " ");
    let label = match parts.as_slice() {
        ["actor", a, k] => Some(format!("{}: {}", actor(a), key(k))),
        ["stance", a, i, k] => Some(format!("{}: {} on {}", actor(a), key(k), issue(i))),
        ["crisis", "gate", g, k] => c
            .gates
            .iter()
            .find(|x| x.id == *g)
            .map(|x| format!("{}: gate {}", x.name, key(k))),
        ["crisis", "option", o, rest @ ..] => c
            .options
            .iter()
            .find(|x| x.id == *o)
            .map(|x| format!("{}: {}", x.name, key(&rest.join(" ")))),
        ["crisis", "ally", a, k] => Some(format!("{}: ally {}", actor(a), key(k))),
        ["crisis", "link", a, b, k] => {
            Some(format!("{} → {}: link {}", actor(a), actor(b), key(k)))
        }
        ["crisis", "influence", a, b, k] => {
            Some(format!("{} → {}: influence {}", actor(a), actor(b), key(k)))
        }
        ["crisis", "volatility", a, k] => Some(format!("{}: volatility {}", actor(a), key(k))),
        ["crisis", "coercion", k] => Some(format!("Coercion {}", key(k))),
        ["crisis", "bargaining", k] => Some(format!("Bargaining {}", key(k))),
        ["crisis", "alliance", k] => Some(format!(
            "{}: {}",
            c.alliance
                .as_ref()
                .map_or("Alliance".to_string(), |x| x.name.clone()),
            key(k)
        )),
        _ => None,
    };
    label.unwrap_or_else(|| path.to_string())
}

/// The typed target's human name (an outcome's name, a var's path); a study without the typed
/// field (older JSON) shows the recorded display form as given.
fn target_name(scn: &Scenario, target: Option<&Target>, display: &str) -> String {
    match target {
        Some(Target::Outcome(id)) => outcome_name(scn, id),
        Some(Target::Var(v)) => v.clone(),
        None => display.to_string(),
    }
}

/// Sobol first-order and total indices with their bootstrap intervals.
pub fn sobol(scn: &Scenario, s: &SobolResult, target: Option<&Target>) -> Sobol {
    Sobol {
        outcome: target_name(scn, target, &s.target),
        indices: s
            .indices
            .iter()
            .map(|i| SobolIndex {
                input: input_label(scn, &i.input),
                path: i.input.clone(),
                s1: i.first.value,
                s1_lo: i.first.lo,
                s1_hi: i.first.hi,
                st: i.total.value,
                st_lo: i.total.lo,
                st_hi: i.total.hi,
            })
            .collect(),
        n: s.n,
        warnings: s.warnings.clone(),
    }
}

/// Pivotal actors: the signed Δ of the outcome and variant that move most.
pub fn pivotal(scn: &Scenario, pivots: &[Pivot]) -> Vec<PivotalActor> {
    pivots
        .iter()
        .map(|p| {
            let signed = p
                .variants
                .iter()
                .find(|v| v.variant == p.max_variant)
                .and_then(|v| v.deltas.iter().find(|d| d.outcome == p.max_outcome))
                .map_or(p.max_abs_delta, |d| d.delta);
            let how = match p.max_variant.as_str() {
                "min" => "positions at the scale minimum",
                "max" => "positions at the scale maximum",
                "removed" => "actor removed",
                "" => "",
                other => other,
            };
            PivotalActor {
                actor: actor_name(scn, &p.actor),
                delta_p: signed,
                outcome: if how.is_empty() || p.max_outcome.is_empty() {
                    outcome_name(scn, &p.max_outcome)
                } else {
                    format!("{} ({how})", outcome_name(scn, &p.max_outcome))
                },
            }
        })
        .collect()
}

/// Source references of a list of citations (`"article ¶26"`), grouped by source id in order
/// of first mention; paragraphs from the `¶N` in the citation, else the source's own
/// `paragraphs`.
pub fn source_refs(scn: &Scenario, cites: &[String]) -> Vec<SourceRef> {
    let mut out: Vec<SourceRef> = vec![];
    for cite in cites {
        let src = find_source(&scn.sources, cite);
        let id = src.map_or_else(|| cite.trim().to_string(), |s| s.id.clone());
        let mut paras = cited_paragraphs(cite);
        if paras.is_empty() {
            if let Some(s) = src {
                paras = s.paragraphs.clone();
            }
        }
        match out.iter_mut().find(|r| r.source == id) {
            Some(r) => r.paragraphs.extend(paras),
            None => out.push(SourceRef {
                source: id,
                paragraphs: paras,
            }),
        }
    }
    for r in &mut out {
        r.paragraphs.sort_unstable();
        r.paragraphs.dedup();
    }
    out
}

/// The study's hypotheses (counterfactual and pivotal-rank tests), then any claim of the
/// scenario the study could not test (verdict inconclusive, Δ n/a).
pub fn hypotheses(scn: &Scenario, results: &[HypothesisVerdict]) -> Vec<HypothesisResult> {
    let mut out: Vec<HypothesisResult> = results
        .iter()
        .map(|h| {
            let counterfactual = match (&h.test, &h.rank) {
                (HypothesisTest::PivotalRank, Some(r)) => {
                    let best = r.ranking.get(r.rank.saturating_sub(1));
                    format!(
                        "pivotality ranking: {} ranks {} of {} (claimed: {} or better){}",
                        actor_name(scn, &r.actor),
                        r.rank,
                        r.ranking.len(),
                        r.claimed,
                        best.map(|e| format!("; Δ shown is its strongest variant ({})", e.variant))
                            .unwrap_or_default()
                    )
                }
                (HypothesisTest::PivotalRank, None) => "pivotality ranking".to_string(),
                _ => h.edits.join("; "),
            };
            HypothesisResult {
                id: h.id.clone(),
                claim: h.claim.clone(),
                counterfactual,
                outcome: outcome_name(scn, &h.outcome),
                delta_p: h.delta,
                lo: h.lo,
                hi: h.hi,
                verdict: verdict(h.verdict),
                sources: source_refs(scn, &h.sources),
            }
        })
        .collect();
    for h in &scn.hypotheses {
        if results.iter().any(|r| r.id == h.id) {
            continue;
        }
        out.push(HypothesisResult {
            id: h.id.clone(),
            claim: h.claim.clone(),
            counterfactual: "not tested: no counterfactual or ranking test is stated".into(),
            outcome: outcome_name(scn, &h.outcome),
            delta_p: f64::NAN,
            lo: f64::NAN,
            hi: f64::NAN,
            verdict: Verdict::Inconclusive,
            sources: source_refs(scn, &h.sources),
        });
    }
    out
}

fn verdict(v: mc::Verdict) -> Verdict {
    match v {
        mc::Verdict::Supported => Verdict::Supported,
        mc::Verdict::Refuted | mc::Verdict::Equivalent => Verdict::NotSupported,
        mc::Verdict::Inconclusive => Verdict::Inconclusive,
    }
}

fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// A number as shown in the provenance table: the value, or its distribution, and the
/// analyst's confidence if given.
pub fn show_num(n: &Num) -> String {
    let mut s = match &n.dist {
        None => fmt_num(n.value),
        Some(Dist::Uniform { min, max }) => {
            format!("uniform({}, {})", fmt_num(*min), fmt_num(*max))
        }
        Some(Dist::Triangular { min, mode, max }) => format!(
            "triangular({}, {}, {})",
            fmt_num(*min),
            fmt_num(*mode),
            fmt_num(*max)
        ),
        Some(Dist::Pert { min, mode, max }) => format!(
            "pert({}, {}, {})",
            fmt_num(*min),
            fmt_num(*mode),
            fmt_num(*max)
        ),
        Some(Dist::Normal { mean, sd, min, max }) => format!(
            "normal({}, sd {}) in [{}, {}]",
            fmt_num(*mean),
            fmt_num(*sd),
            fmt_num(*min),
            fmt_num(*max)
        ),
        Some(Dist::Discrete { values, weights }) => format!(
            "discrete({})",
            values
                .iter()
                .zip(weights)
                .map(|(v, w)| format!("{}: {}", fmt_num(*v), fmt_num(*w)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Some(d @ (Dist::Beta { .. } | Dist::GammaRate { .. })) => {
            statecraft_core::catalog::dist_text(d)
        }
    };
    if let Some(c) = n.confidence {
        s.push_str(&format!(" · confidence {}", fmt_num(c)));
    }
    s
}

/// Every number of the scenario (`Scenario::visit_nums_mut` order) with its source's id, title,
/// date and reliability. A number without a source, or citing a source not in the list, gets
/// reliability n/a (the sampler treats it as 1).
pub fn provenance(scn: &Scenario) -> Vec<ProvenanceRow> {
    let mut rows = vec![];
    let mut copy = scn.clone();
    copy.visit_nums_mut(&mut |path, n| {
        let cite = n.source.as_deref().map(str::trim).unwrap_or("");
        let src = if cite.is_empty() {
            None
        } else {
            find_source(&scn.sources, cite)
        };
        let (source_id, source_title, date, reliability) = match src {
            Some(s) => {
                let paras = cited_paragraphs(cite);
                let title = if paras.is_empty() {
                    s.title.clone()
                } else {
                    let shown: Vec<String> = paras.iter().map(|p| format!("¶{p}")).collect();
                    format!("{} ({})", s.title, shown.join(", "))
                };
                (
                    s.id.clone(),
                    title,
                    s.date
                        .map(|d| d.format("%Y-%m-%d").to_string())
                        .unwrap_or_default(),
                    s.reliability,
                )
            }
            None if cite.is_empty() => (
                "—".to_string(),
                "no source given".to_string(),
                String::new(),
                f64::NAN,
            ),
            None => (
                cite.to_string(),
                "not in the scenario's source list".to_string(),
                String::new(),
                f64::NAN,
            ),
        };
        rows.push(ProvenanceRow {
            input: path.to_string(),
            value: show_num(n),
            source_id,
            source_title,
            date,
            reliability,
        });
    });
    rows
}

/// Outcome probabilities at each evidence discount (outcomes in scenario order).
pub fn evidence_discount(scn: &Scenario, points: &[DiscountLevel]) -> EvidenceDiscount {
    let mut by: BTreeMap<usize, DiscountSeries> = BTreeMap::new();
    for (k, o) in scn.outcomes.iter().enumerate() {
        by.insert(
            k,
            DiscountSeries {
                outcome: if o.name.is_empty() {
                    o.id.clone()
                } else {
                    o.name.clone()
                },
                p: points
                    .iter()
                    .map(|pt| {
                        pt.outcomes
                            .iter()
                            .find(|x| x.id == o.id)
                            .map_or(f64::NAN, |x| x.p)
                    })
                    .collect(),
            },
        );
    }
    EvidenceDiscount {
        discounts: points.iter().map(|p| p.discount).collect(),
        series: if points.is_empty() {
            vec![]
        } else {
            by.into_values().collect()
        },
    }
}
