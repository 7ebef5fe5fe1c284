//! Adapter: the core's results (Monte Carlo, forecasts, hypotheses, sensitivity, evidence
//! discount) and the scenario they came from → [`ReportData`].
//!
//! Pure: no I/O, no clock; the same inputs give the same `ReportData` (and so the same bytes).
//! The mapping is documented in `docs/report.md` ("Adapter from the core").

use crate::data::*;
use statecraft_core::forecast::QuestionForecast;
use statecraft_core::mc::{self, McResult, OutcomeProb, VarSummary};
use statecraft_core::sample::{cited_paragraphs, find_source};
use statecraft_core::scenario::HypothesisTest;
use statecraft_core::scenario::{Dist, Num, Scenario};
use statecraft_core::sensitivity::{Pivot, SobolResult, Tornado as CoreTornado};
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
        forecasts: forecasts(&study.questions),
        trajectories: trajectories(scn, &study.mc, MAX_TRAJECTORY_ACTORS),
        network: network(scn, &study.mc),
        tornado: study
            .tornado
            .as_ref()
            .map(|t| tornado(scn, t))
            .unwrap_or_default(),
        sobol: study
            .sobol
            .as_ref()
            .map(|s| sobol(scn, s))
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
        });
    }
    out
}

/// Shares of runs ending at alignment −1, 0, +1, read off the var's histogram (the crisis layer
/// records `alignment.<ally>` ∈ {−1, 0, +1}; each bin holds one of the three values, identified by
/// rounding its midpoint). Runs without the var are left out; `None` if no run has it.
pub fn alignment_shares(v: &VarSummary) -> Option<(f64, f64, f64)> {
    let h = &v.histogram;
    let total: u64 = h.counts.iter().sum();
    if total == 0 {
        return None;
    }
    let (mut neg, mut zero, mut pos) = (0u64, 0u64, 0u64);
    for (k, &c) in h.counts.iter().enumerate() {
        if c == 0 {
            continue;
        }
        let (a, b) = (
            h.edges.get(k).copied().unwrap_or(v.min),
            h.edges.get(k + 1).copied().unwrap_or(v.max),
        );
        let mid = if (b - a).abs() < 1e-12 {
            a
        } else {
            0.5 * (a + b)
        };
        if mid <= -0.5 {
            neg += c;
        } else if mid >= 0.5 {
            pos += c;
        } else {
            zero += c;
        }
    }
    let t = total as f64;
    Some((neg as f64 / t, zero as f64 / t, pos as f64 / t))
}

/// The alliance cascade: allies (scenario order) with P(back initiator / neutral / back target)
/// from `alignment.<ally>`, influence links with their nominal weights, and the most frequent
/// tipping steps `tipped:<from>-><to>` (share of runs in which the step happened).
pub fn network(scn: &Scenario, r: &McResult) -> Network {
    let c = &scn.crisis;
    let nodes: Vec<NetworkNode> = c
        .allies
        .iter()
        .map(|a| {
            let (pt, pn, pi) = r
                .vars
                .get(&format!("alignment.{}", a.actor))
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
        .events
        .iter()
        .filter_map(|(k, f)| {
            let (from, to) = k.strip_prefix("tipped:")?.split_once("->")?;
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
            Some((f.runs_with, vec![from, to.to_string()]))
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
pub fn tornado(scn: &Scenario, t: &CoreTornado) -> Tornado {
    Tornado {
        outcome: target_name(scn, &t.target),
        base: t.y_nominal,
        bars: t
            .bars
            .iter()
            .map(|b| TornadoBar {
                input: b.input.clone(),
                low_effect: b.y_low - t.y_nominal,
                high_effect: b.y_high - t.y_nominal,
                low_value: Some(b.low_value),
                high_value: Some(b.high_value),
            })
            .collect(),
    }
}

/// `P(id)` → the outcome's name; anything else as given.
fn target_name(scn: &Scenario, target: &str) -> String {
    target
        .strip_prefix("P(")
        .and_then(|t| t.strip_suffix(')'))
        .map(|id| outcome_name(scn, id))
        .unwrap_or_else(|| target.to_string())
}

/// Sobol first-order and total indices with their bootstrap intervals.
pub fn sobol(scn: &Scenario, s: &SobolResult) -> Sobol {
    Sobol {
        outcome: target_name(scn, &s.target),
        indices: s
            .indices
            .iter()
            .map(|i| SobolIndex {
                input: i.input.clone(),
                s1: i.first.value,
                s1_lo: i.first.lo,
                s1_hi: i.first.hi,
                st: i.total.value,
                st_lo: i.total.lo,
                st_hi: i.total.hi,
            })
            .collect(),
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
