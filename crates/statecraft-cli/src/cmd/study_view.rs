//! Running a [`statecraft_core::study::Study`] from the command line and rendering it: the
//! table printed by `statecraft` / `statecraft run` in Monte Carlo mode, its JSON (the `Study`
//! serialized, documented in `docs/output.md`) and its CSV summary rows.

use super::mc_args::{mc_failure, progress_bar, AnalysisArgs, McArgs};
use super::Failure;
use statecraft_core::experiment::Experiment;
use statecraft_core::mc::Verdict;
use statecraft_core::plan::{self, Plan, Preset};
use statecraft_core::scenario::{Expect, HypothesisTest, Scenario};
use statecraft_core::study::{Study, StudyError};
use std::fmt::Write as _;

/// Extra study settings (flattened into `run`'s Args).
#[derive(clap::Args, Debug, Clone, Default, PartialEq)]
pub struct StudyArgs {
    /// Runs per configuration of the pivotality analysis (default: the smaller of --runs and
    /// 50; at least 1).
    #[arg(long, value_name = "N")]
    pub pivotal_runs: Option<u64>,
    /// Adaptive pivotality: double the runs per configuration (from --pivotal-runs) until the
    /// top N ranks are settled — no rank in the grey zone between "interval excludes 0" and
    /// "survives Holm", and each starred rank's |Δ| clearly above the next — or the cap is hit.
    #[arg(long, value_name = "N")]
    pub pivotal_top: Option<usize>,
    /// Most runs per configuration of adaptive pivotality (default 400; needs --pivotal-top).
    #[arg(long, value_name = "N")]
    pub pivotal_cap: Option<u64>,
    /// Runs per evidence-discount level 0, 0.5, 1 (default: the smaller of --runs and 250 for a
    /// crisis scenario, none otherwise; 0 = skip).
    #[arg(long, value_name = "N")]
    pub discount_runs: Option<u64>,
    /// Nested Monte Carlo OUTERxINNER (e.g. 100x50): inputs sampled in the outer loop, in-run
    /// chance in the inner loop; prints each outcome's probability with its Monte Carlo
    /// interval and the 5–95% band of its probability across input draws.
    #[arg(long, value_name = "OUTERxINNER", value_parser = parse_nested)]
    pub nested: Option<(u64, u64)>,
    /// Bargaining-model ensemble (crisis scenarios): run the main job once per model with the
    /// same seed and print each outcome's probability per model, the spread and where the
    /// models disagree. IDS: comma-separated crisis models (default
    /// crisis-averaging,eum,smp; see docs/crisis.md, "Which bargaining model").
    #[arg(long, value_name = "IDS", num_args = 0..=1, default_missing_value = "")]
    pub ensemble: Option<String>,
    /// Runs per ensemble model (default: the smaller of --runs and 200).
    #[arg(long, value_name = "N")]
    pub ensemble_runs: Option<u64>,
}

/// Parse `OUTERxINNER` (`x`, `X` or `×`), both at least 2.
fn parse_nested(s: &str) -> Result<(u64, u64), String> {
    let t = s.replace('×', "x").to_lowercase();
    let (a, b) = t
        .split_once('x')
        .ok_or_else(|| format!("expected OUTERxINNER, e.g. 100x50, got `{s}`"))?;
    let num = |v: &str| {
        v.trim()
            .parse::<u64>()
            .map_err(|_| format!("expected OUTERxINNER with whole numbers, e.g. 100x50, got `{s}`"))
    };
    let (o, i) = (num(a)?, num(b)?);
    if o < 2 || i < 2 {
        return Err(format!(
            "both OUTER and INNER must be at least 2, got `{s}`"
        ));
    }
    Ok((o, i))
}

/// The analysis plan of `statecraft run` from the flags (the core's [`Preset::Run`]).
pub fn plan(
    exp: &Experiment,
    mc: &McArgs,
    an: &AnalysisArgs,
    st: &StudyArgs,
    shows: statecraft_core::plan::Shows,
) -> Result<Plan, Failure> {
    let mut req = mc.plan_request(Preset::Run, exp.run_options().clone());
    an.apply(&mut req);
    req.shows = Some(shows);
    req.pivotal_runs = st.pivotal_runs;
    req.pivotal_top = st.pivotal_top;
    req.pivotal_cap = st.pivotal_cap;
    req.discount_runs = st.discount_runs;
    req.nested = st.nested;
    req.ensemble = st.ensemble.as_deref().map(|ids| {
        ids.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    });
    req.ensemble_runs = st.ensemble_runs;
    exp.plan(&req).map_err(failure)
}

/// A confidence level in percent with the decimals it needs (99.0, 99.5, 99.9375): a level
/// spent over sequential looks has more than one.
fn level_pct(level: f64) -> String {
    let t = format!("{:.4}", 100.0 * level);
    let t = t.trim_end_matches('0');
    if t.ends_with('.') {
        format!("{t}0")
    } else {
        t.to_string()
    }
}

/// Map a study error to a CLI failure (bad input exits 2).
pub fn failure(e: StudyError) -> Failure {
    match e {
        StudyError::Mc(m) => mc_failure(m),
        other if other.is_input() => Failure::input(other),
        other => Failure::other(other),
    }
}

/// Run the plan in `--threads` threads with a progress bar on a terminal.
pub fn run(scn: &Scenario, plan: &Plan, mc: &McArgs) -> Result<Study, Failure> {
    let total = plan.planned_evaluations(scn);
    let pb = progress_bar(total, "simulating");
    let result = mc.install(|| match &pb {
        Some(pb) => plan::execute_observed(scn, plan, pb),
        None => plan::execute(scn, plan, None),
    })?;
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    result.map_err(failure)
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

fn signed_pct(x: f64) -> String {
    format!("{:+.1}", 100.0 * x)
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Supported => "supported",
        Verdict::Refuted => "refuted",
        Verdict::Equivalent => "equivalent",
        Verdict::Inconclusive => "inconclusive",
    }
}

/// Width of the terminal table: every line fits (long text is wrapped, never cut).
pub const WIDTH: usize = 100;

/// Append `text` after `prefix`, wrapped at word boundaries to [`WIDTH`] columns; continuation
/// lines are indented to the prefix's width (or 4 columns when the prefix leaves too little
/// room). A word longer than a line is split, never cut.
pub fn wrap_into(o: &mut String, prefix: &str, text: &str) {
    let pw = prefix.chars().count();
    let (hang, avail) = if WIDTH.saturating_sub(pw) >= 30 {
        (pw, WIDTH - pw)
    } else {
        (4, WIDTH - 4)
    };
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut cur_w = 0usize;
    let first_avail = WIDTH.saturating_sub(pw).max(1);
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let limit = if lines.is_empty() { first_avail } else { avail };
            let need = if cur_w == 0 {
                word.len()
            } else {
                cur_w + 1 + word.len()
            };
            if need <= limit {
                if cur_w > 0 {
                    cur.push(' ');
                    cur_w += 1;
                }
                cur.extend(word.iter());
                cur_w += word.len();
                break;
            }
            if cur_w > 0 {
                lines.push(std::mem::take(&mut cur));
                cur_w = 0;
                continue;
            }
            // A word longer than a whole line: split it.
            let rest = word.split_off(limit.min(word.len()));
            lines.push(word.iter().collect());
            word = rest;
            if word.is_empty() {
                break;
            }
        }
    }
    if cur_w > 0 || lines.is_empty() {
        lines.push(cur);
    }
    for (i, l) in lines.iter().enumerate() {
        if i == 0 {
            let _ = writeln!(o, "{prefix}{l}");
        } else {
            let _ = writeln!(o, "{:hang$}{l}", "");
        }
    }
}

/// A block heading, wrapped.
fn heading(o: &mut String, text: &str) {
    let _ = writeln!(o);
    wrap_into(o, "", text);
}

fn actor_name(scn: &Scenario, id: &str) -> String {
    scn.actors
        .iter()
        .find(|a| a.id == id)
        .map_or(id.to_string(), |a| a.name.clone())
}

/// "classes overlap: …" / "classes are mutually exclusive …", counted run by run.
pub fn coverage_line(s: &Study) -> Option<String> {
    let c = &s.mc.class_coverage;
    if s.mc.outcomes.is_empty() || c.runs == 0 {
        return None;
    }
    let sum: f64 = s.mc.outcomes.iter().map(|x| x.p).sum();
    let none = if c.none > 0 {
        format!("; {} runs are in no class", c.none)
    } else {
        "; every run is in some class".to_string()
    };
    Some(if c.exclusive() {
        format!(
            "classes are mutually exclusive in these runs: they sum to {} over {} runs{none}",
            pct(sum),
            c.runs
        )
    } else {
        format!(
            "classes overlap (a run can be in several): they sum to {} over {} runs; {} runs \
             are in two or more classes{none}",
            pct(sum),
            c.runs,
            c.several
        )
    })
}

/// Gate decisions and option outcomes, from the event log's counts and the `option.*` vars.
fn gate_block(o: &mut String, s: &Study, scn: &Scenario) {
    let c = &scn.crisis;
    if c.gates.is_empty() && c.options.is_empty() {
        return;
    }
    let runs = s.provenance.runs;
    heading(
        o,
        &format!(
            "OPTIONS AND GATES — share of runs in which an option was taken (95% Wilson \
             interval) and how often each gate decided ({runs} runs)"
        ),
    );
    for opt in &c.options {
        let Some(v) = s.mc.vars.get(&format!("option.{}.taken", opt.id)) else {
            continue;
        };
        let hits = (v.mean * v.n as f64).round() as u64;
        let p = statecraft_core::mc::Proportion::new(hits, v.n);
        let prefix = format!(
            "  {:<20} {:>6}  [{:>6}, {:>6}]  ",
            opt.id,
            pct(p.p),
            pct(p.lo),
            pct(p.hi)
        );
        wrap_into(o, &prefix, &format!("taken — {}", opt.name));
    }
    // Decisions per gate: occurrences summed over the days they happened on.
    let kinds = statecraft_core::trace::GATE_DECISIONS;
    for g in &c.gates {
        let counts = statecraft_core::trace::gate_decisions(&s.mc.events, &g.id);
        if counts.iter().all(|&n| n == 0) {
            let _ = writeln!(o, "  gate {:<15} no decisions recorded", g.id);
            continue;
        }
        let parts: Vec<String> = kinds
            .iter()
            .zip(counts)
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| format!("{k} {n}×"))
            .collect();
        wrap_into(o, &format!("  gate {:<15} ", g.id), &parts.join(", "));
    }
}

/// The table: provenance, outcomes, hypotheses, pivotal actors, questions, evidence discount,
/// gates, convergence warnings, and how to change an assumption. Every line fits [`WIDTH`].
pub fn render_table(s: &Study, scn: &Scenario) -> String {
    let pv = &s.provenance;
    let crisis = !scn.crisis.is_empty();
    let mut o = String::new();
    wrap_into(&mut o, "", &format!("{} — {}", pv.scenario_id, pv.title));
    let mut line = String::new();
    if let Some(d) = pv.as_of {
        let _ = write!(line, "as of {d} · ");
    }
    if let Some(d) = pv.horizon {
        let _ = write!(line, "horizon {d} · ");
    }
    let _ = write!(
        line,
        "{} runs · seed {} · evidence discount {} · engine {}",
        pv.runs, pv.seed, pv.evidence_discount, pv.engine_version
    );
    wrap_into(&mut o, "", &line);
    if crisis {
        let m = pv.model_options["model"]
            .as_str()
            .unwrap_or("(not recorded)");
        wrap_into(
            &mut o,
            "",
            &format!(
                "model: the crisis layer, one bargaining round of `{m}` per week (docs/crisis.md \
                 §2; --model crisis-averaging|eum|smp)"
            ),
        );
    } else {
        wrap_into(&mut o, "", &format!("model options {}", pv.model_options));
    }
    wrap_into(&mut o, "", &format!("scenario sha256 {}", pv.scenario_hash));
    if !pv.edits.is_empty() {
        wrap_into(&mut o, "edits: ", &pv.edits.join("; "));
    }

    heading(
        &mut o,
        &format!(
            "OUTCOMES — probability with 95% Wilson interval ({} runs)",
            pv.runs
        ),
    );
    if let Some(pr) = &s.mc.precision {
        wrap_into(
            &mut o,
            "  ",
            &format!(
                "adaptive precision: target ±{:.1} points, {} runs used (cap {}), target {} (widest ±{:.1})",
                100.0 * pr.target.abs,
                pr.runs,
                pr.target.max_runs,
                if pr.met { "met" } else { "NOT met" },
                100.0 * pr.max_half_width
            ),
        );
    }
    let w =
        s.mc.outcomes
            .iter()
            .map(|x| x.id.len())
            .max()
            .unwrap_or(0)
            .max(7);
    for x in &s.mc.outcomes {
        let prefix = format!(
            "  {:<w$}  {:>6}  [{:>6}, {:>6}]  ",
            x.id,
            pct(x.p),
            pct(x.lo),
            pct(x.hi)
        );
        wrap_into(&mut o, &prefix, &x.name);
    }
    if s.mc.outcomes.is_empty() {
        let _ = writeln!(o, "  (the scenario defines no [[outcomes]] classes)");
    }
    if let Some(l) = coverage_line(s) {
        wrap_into(&mut o, "  ", &l);
    }

    let issues: Vec<_> =
        s.mc.vars
            .iter()
            .filter(|(k, _)| k.starts_with("issue."))
            .collect();
    if !issues.is_empty() {
        heading(
            &mut o,
            &format!(
                "ISSUE OUTCOMES — final weighted median (issue.<id>) and mean (.mean) across runs ({} runs)",
                pv.runs
            ),
        );
        let kw = issues
            .iter()
            .map(|(k, _)| k.len())
            .max()
            .unwrap_or(0)
            .min(50);
        let _ = writeln!(
            o,
            "  {:<kw$}  {:>8}  {:>8}  {:>8}  {:>8}",
            "", "mean", "5%", "median", "95%"
        );
        for (k, v) in issues {
            let _ = writeln!(
                o,
                "  {:<kw$}  {:>8.2}  {:>8.2}  {:>8.2}  {:>8.2}",
                k, v.mean, v.quantiles[0], v.quantiles[2], v.quantiles[4]
            );
        }
    }

    if !s.hypotheses.is_empty() {
        let hr = s.hypotheses.iter().map(|h| h.runs).max().unwrap_or(0);
        heading(
            &mut o,
            &format!(
                "HYPOTHESES — Δprobability in percentage points, common random numbers, Newcombe \
                 paired interval at the level shown (up to {hr} runs per world)"
            ),
        );
        if let Some(c) = s
            .hypotheses
            .iter()
            .filter(|h| h.test == HypothesisTest::Counterfactual)
            .map(|h| &h.correction)
            .find(|c| !c.is_empty())
        {
            wrap_into(&mut o, "  ", c);
        }
        for h in &s.hypotheses {
            let head = format!("  {:<4} {:<13} ", h.id, verdict_word(h.verdict));
            match (&h.test, &h.rank) {
                (HypothesisTest::PivotalRank, Some(r)) => {
                    wrap_into(
                        &mut o,
                        &head,
                        &format!(
                            "{} ranks {} of {} for {} (claimed: {} or better); its Δ {} [{}, {}] ({} runs per variant)",
                            r.actor,
                            r.rank,
                            r.ranking.len(),
                            h.outcome,
                            r.claimed,
                            signed_pct(h.delta),
                            signed_pct(h.lo),
                            signed_pct(h.hi),
                            h.runs
                        ),
                    );
                    let top: Vec<String> = r
                        .ranking
                        .iter()
                        .take(5)
                        .enumerate()
                        .map(|(i, e)| format!("{}. {} {}", i + 1, e.actor, signed_pct(e.delta)))
                        .collect();
                    wrap_into(
                        &mut o,
                        &format!("{:21}", ""),
                        &format!("top: {}", top.join(", ")),
                    );
                }
                _ => {
                    let dir = match h.expect {
                        Some(Expect::Increase) => " expected ↑",
                        Some(Expect::Decrease) => " expected ↓",
                        None => "",
                    };
                    wrap_into(
                        &mut o,
                        &head,
                        &format!(
                            "P({}) {} → {}, Δ {} [{}, {}] at {}%{dir} ({} runs{}); {}",
                            h.outcome,
                            pct(h.p_base),
                            pct(h.p_alt),
                            signed_pct(h.delta),
                            signed_pct(h.lo),
                            signed_pct(h.hi),
                            level_pct(h.level),
                            h.runs,
                            match &h.sequential {
                                Some(q) if q.early => {
                                    format!(", settled at look {} of {}", q.look, q.looks)
                                }
                                Some(q) => format!(", look {} of {}", q.look, q.looks),
                                None => String::new(),
                            },
                            h.edits.join(", ")
                        ),
                    );
                }
            }
            wrap_into(&mut o, &format!("{:21}", ""), &h.claim);
        }
    }

    if let Some(p) = &s.pivotality {
        heading(
            &mut o,
            &format!(
                "PIVOTAL ACTORS — largest change of an outcome probability when the actor's \
                 positions go to either end or it is removed ({} runs each)",
                p.runs
            ),
        );
        wrap_into(
            &mut o,
            "  ",
            &format!(
                "Δ in percentage points with Newcombe 95% interval; * = survives {} (unmarked \
                 ranks are not distinguishable from noise)",
                p.correction
            ),
        );
        if let Some((top, settled)) = p.settled {
            let passes: Vec<String> = p.passes.iter().map(u64::to_string).collect();
            let _ = writeln!(
                o,
                "  adaptive runs per configuration: {} — top {top} ranks {}",
                passes.join(" → "),
                if settled {
                    "settled"
                } else {
                    "NOT settled at the cap (raise --pivotal-cap)"
                }
            );
        }
        for (i, a) in p.actors.iter().take(10).enumerate() {
            let signed = a
                .variants
                .iter()
                .find(|v| v.variant == a.max_variant)
                .and_then(|v| v.deltas.iter().find(|d| d.outcome == a.max_outcome))
                .map_or(a.max_abs_delta, |d| d.delta);
            let prefix = format!(
                "  {:>2}.{} {:<12} {:>6} pts [{:>6}, {:>6}]  ",
                i + 1,
                if a.significant { "*" } else { " " },
                a.actor,
                signed_pct(signed),
                signed_pct(a.max_lo),
                signed_pct(a.max_hi),
            );
            wrap_into(
                &mut o,
                &prefix,
                &format!(
                    "{} ({}) — {}",
                    a.max_outcome,
                    a.max_variant,
                    actor_name(scn, &a.actor)
                ),
            );
        }
        if p.actors.len() > 10 {
            let _ = writeln!(
                o,
                "      and {} more actors (--format json lists them all)",
                p.actors.len() - 10
            );
        }
    }

    if let Some(n) = &s.nested {
        heading(
            &mut o,
            &format!(
                "TWO KINDS OF UNCERTAINTY — nested Monte Carlo, {} input draws × {} runs each",
                n.outer, n.inner
            ),
        );
        wrap_into(
            &mut o,
            "  ",
            "probability [95% Monte Carlo interval]   5–95% band of P(outcome | inputs) across input draws",
        );
        for x in &n.outcomes {
            let _ = writeln!(
                o,
                "  {:<22} {:>6}  [{:>6}, {:>6}]   {:>6} – {:>6}",
                x.id,
                pct(x.p),
                pct(x.lo),
                pct(x.hi),
                pct(x.band_lo),
                pct(x.band_hi)
            );
        }
    }

    if let Some(t) = &s.tornado {
        sensitivity_tornado(&mut o, t);
    }
    if let Some(x) = &s.sobol {
        sensitivity_sobol(&mut o, x);
    }

    if !s.questions.is_empty() {
        heading(
            &mut o,
            &format!(
                "FORECAST QUESTIONS — probability with 95% Wilson interval ({} runs)",
                pv.runs
            ),
        );
        let qw = s
            .questions
            .iter()
            .map(|q| q.id.len())
            .max()
            .unwrap_or(0)
            .clamp(2, 50);
        for q in &s.questions {
            let by = q.by.map(|d| format!("by {d}")).unwrap_or_default();
            let _ = writeln!(
                o,
                "  {:<qw$}  {:>6}  [{:>6}, {:>6}]  {by}",
                q.id,
                pct(q.probability),
                pct(q.lo),
                pct(q.hi),
            );
            if !q.title.is_empty() {
                wrap_into(&mut o, "      ", &q.title);
            }
        }
    }

    if !s.evidence_discount.is_empty() {
        let runs = s.evidence_discount[0].runs;
        heading(
            &mut o,
            &format!(
                "EVIDENCE DISCOUNT — outcome probabilities when sources are trusted less ({runs} runs each)"
            ),
        );
        wrap_into(
            &mut o,
            "  ",
            &format!(
                "each level is its own job of {runs} runs, so d=0 differs from OUTCOMES ({} runs) \
                 by sampling noise only",
                pv.runs
            ),
        );
        let heads: Vec<String> = s
            .evidence_discount
            .iter()
            .map(|d| format!("{:>8}", format!("d={}", d.discount)))
            .collect();
        let _ = writeln!(o, "  {:<w$}{}", "", heads.join(""));
        for (k, x) in s.mc.outcomes.iter().enumerate() {
            let cells: Vec<String> = s
                .evidence_discount
                .iter()
                .map(|d| format!("{:>8}", d.outcomes.get(k).map_or("–".into(), |y| pct(y.p))))
                .collect();
            let _ = writeln!(o, "  {:<w$}{}", x.id, cells.join(""));
        }
    }

    if let Some(e) = &s.ensemble {
        ensemble_block(&mut o, e);
    }

    if crisis {
        gate_block(&mut o, s, scn);
    }

    if !s.mc.convergence.is_empty() {
        heading(&mut o, &format!("CONVERGENCE ({} runs)", pv.runs));
        for c in &s.mc.convergence {
            wrap_into(&mut o, "  warning: ", &c.message);
        }
    }

    let name = if statecraft_core::builtin::get(&pv.scenario_id).is_some() {
        pv.scenario_id.clone()
    } else {
        "SCENARIO".to_string()
    };
    let example = scn
        .outcomes
        .first()
        .map_or("OUTCOME".to_string(), |x| x.id.clone());
    heading(&mut o, "CHANGE AN ASSUMPTION");
    wrap_into(
        &mut o,
        "  ",
        &format!(
            "statecraft paths {name}   — every number --set accepts, with value, range, source"
        ),
    );
    wrap_into(
        &mut o,
        "  ",
        &format!("statecraft {name} --set PATH=VALUE   — re-run with one number changed (also --without ACTOR, --disable ID)"),
    );
    wrap_into(
        &mut o,
        "  ",
        &format!("statecraft compare {name} --set PATH=VALUE   — what the change moves, paired with the base"),
    );
    wrap_into(
        &mut o,
        "  ",
        &format!("statecraft {name} --explain {example}   — one run that reaches a class, as a dated trace"),
    );
    o
}

/// `--ensemble`: one column per bargaining model (probability and 95% Wilson interval), the
/// spread and the disagreement flag (docs/crisis.md, "Which bargaining model").
fn ensemble_block(o: &mut String, e: &statecraft_core::ensemble::Ensemble) {
    heading(
        o,
        &format!(
            "BARGAINING MODELS — outcome probability with 95% Wilson interval per crisis \
             bargaining model, same seed and sampled inputs ({} runs each)",
            e.runs
        ),
    );
    wrap_into(
        o,
        "  ",
        &format!(
            "each model is its own job of {} runs; ≠ marks an outcome where {}",
            e.runs, e.rule
        ),
    );
    let w = e
        .outcomes
        .iter()
        .map(|x| x.id.len())
        .max()
        .unwrap_or(0)
        .max(7);
    // "100.0% [56.6, 100.0]" plus a space: three models fit 100 columns.
    const CELL: usize = 21;
    let heads: String = e
        .models
        .iter()
        .map(|m| format!("{:>CELL$}", m.id))
        .collect();
    let _ = writeln!(o, "  {:<w$}{heads}  {:>6}", "", "spread");
    for x in &e.outcomes {
        let cells: String = x
            .models
            .iter()
            .map(|p| {
                format!(
                    "{:>CELL$}",
                    format!("{} [{:.1}, {:.1}]", pct(p.p), 100.0 * p.lo, 100.0 * p.hi)
                )
            })
            .collect();
        let flag = if x.disagree { "  ≠" } else { "" };
        let _ = writeln!(o, "  {:<w$}{cells}  {:>6}{flag}", x.id, pct(x.spread));
    }
    if e.outcomes.is_empty() {
        let _ = writeln!(o, "  (the scenario defines no [[outcomes]] classes)");
    }
}

/// JSON: the [`Study`] serialized (docs/output.md), with a trailing newline.
/// Rows of a sensitivity table shown in the terminal (the JSON output has them all).
const SENSITIVITY_ROWS: usize = 15;

fn fmt_target(target: &str, v: f64) -> String {
    if target.starts_with("P(") {
        pct(v)
    } else {
        format!("{v:.3}")
    }
}

fn sensitivity_tornado(o: &mut String, t: &statecraft_core::sensitivity::Tornado) {
    heading(
        o,
        &format!(
            "TORNADO — {} with one input at its 5th and 95th percentile, the others nominal \
             ({} runs per configuration, common random numbers)",
            t.target, t.runs
        ),
    );
    let _ = writeln!(
        o,
        "  nominal {}; {} inputs, the {} largest swings:",
        fmt_target(&t.target, t.y_nominal),
        t.bars.len(),
        t.bars.len().min(SENSITIVITY_ROWS)
    );
    let w = t
        .bars
        .iter()
        .take(SENSITIVITY_ROWS)
        .map(|b| b.input.len())
        .max()
        .unwrap_or(5)
        .clamp(5, 60);
    let _ = writeln!(
        o,
        "  {:<w$}  {:>8}  {:>8}  {:>8}",
        "input", "at p5", "at p95", "swing"
    );
    for b in t.bars.iter().take(SENSITIVITY_ROWS) {
        let _ = writeln!(
            o,
            "  {:<w$}  {:>8}  {:>8}  {:>8}",
            b.input,
            fmt_target(&t.target, b.y_low),
            fmt_target(&t.target, b.y_high),
            fmt_target(&t.target, b.swing)
        );
    }
}

fn sensitivity_sobol(o: &mut String, x: &statecraft_core::sensitivity::SobolResult) {
    let cols = if x.grouping == "inputs" {
        "inputs".to_string()
    } else {
        format!("groups ({})", x.grouping)
    };
    heading(
        o,
        &format!(
            "SOBOL INDICES — share of the variance of E[{}] over the inputs, 95% bootstrap \
             intervals (N = {}, {} runs, {} {cols})",
            x.target,
            x.n,
            x.evaluations,
            x.indices.len()
        ),
    );
    let _ = writeln!(
        o,
        "  V = {:.3e} [{:.3e}, {:.3e}]; ΣS1 = {:.2} [{:.2}, {:.2}] (≤ 1 up to estimation error)",
        x.variance_est.value,
        x.variance_est.lo,
        x.variance_est.hi,
        x.sum_first.value,
        x.sum_first.lo,
        x.sum_first.hi
    );
    let mut order: Vec<&statecraft_core::sensitivity::SobolIndex> = x.indices.iter().collect();
    order.sort_by(|a, b| b.total.value.total_cmp(&a.total.value));
    let w = order
        .iter()
        .take(SENSITIVITY_ROWS)
        .map(|i| i.input.len())
        .max()
        .unwrap_or(5)
        .clamp(5, 60);
    let _ = writeln!(
        o,
        "  {:<w$}  {:>25}  {:>25}",
        if x.grouping == "inputs" {
            "input"
        } else {
            "group"
        },
        "S1 [95%]",
        "ST [95%]"
    );
    for i in order.iter().take(SENSITIVITY_ROWS) {
        let members = if i.members.len() > 1 {
            format!("  ({} inputs)", i.members.len())
        } else {
            String::new()
        };
        let _ = writeln!(
            o,
            "  {:<w$}  {:>7.3} [{:>7.3}, {:>7.3}]  {:>7.3} [{:>7.3}, {:>7.3}]{members}",
            i.input, i.first.value, i.first.lo, i.first.hi, i.total.value, i.total.lo, i.total.hi
        );
    }
    if order.len() > SENSITIVITY_ROWS {
        let _ = writeln!(
            o,
            "  … {} more (ordered by ST; --format json has every index)",
            order.len() - SENSITIVITY_ROWS
        );
    }
    for warn in &x.warnings {
        wrap_into(o, "  warning: ", warn);
    }
}

pub fn render_json(s: &Study) -> Result<String, Failure> {
    serde_json::to_string_pretty(s)
        .map(|mut t| {
            t.push('\n');
            t
        })
        .map_err(|e| Failure::other(format!("cannot encode JSON: {e}")))
}

/// CSV: one row per outcome class and per forecast question, with provenance columns.
pub fn render_csv(s: &Study) -> String {
    let pv = &s.provenance;
    let opts = pv.model_options.to_string();
    let mut o = statecraft_core::sweep::csv_line(&[
        "kind",
        "id",
        "p",
        "lo",
        "hi",
        "hits",
        "runs",
        "by",
        "seed",
        "evidence_discount",
        "scenario_hash",
        "engine_version",
        "model_options",
    ]);
    let tail = [
        pv.seed.to_string(),
        pv.evidence_discount.to_string(),
        pv.scenario_hash.clone(),
        pv.engine_version.clone(),
        opts,
    ];
    for x in &s.mc.outcomes {
        let mut row = vec![
            "outcome".to_string(),
            x.id.clone(),
            x.p.to_string(),
            x.lo.to_string(),
            x.hi.to_string(),
            x.hits.to_string(),
            x.runs.to_string(),
            String::new(),
        ];
        row.extend(tail.iter().cloned());
        o.push_str(&statecraft_core::sweep::csv_line(&row));
    }
    for q in &s.questions {
        let mut row = vec![
            "question".to_string(),
            q.id.clone(),
            q.probability.to_string(),
            q.lo.to_string(),
            q.hi.to_string(),
            q.yes.to_string(),
            q.runs.to_string(),
            q.by.map(|d| d.to_string()).unwrap_or_default(),
        ];
        row.extend(tail.iter().cloned());
        o.push_str(&statecraft_core::sweep::csv_line(&row));
    }
    o
}
