//! Running a [`statecraft_core::study::Study`] from the command line and rendering it: the
//! table printed by `statecraft` / `statecraft run` in Monte Carlo mode, its JSON (the `Study`
//! serialized, documented in `docs/output.md`) and its CSV summary rows.

use super::mc_args::{mc_failure, progress_bar, AnalysisArgs, McArgs};
use super::Failure;
use statecraft_core::engine::RunOptions;
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
    /// Runs per evidence-discount level 0, 0.5, 1 (default: the smaller of --runs and 250 for a
    /// crisis scenario, none otherwise; 0 = skip).
    #[arg(long, value_name = "N")]
    pub discount_runs: Option<u64>,
    /// Nested Monte Carlo OUTERxINNER (e.g. 100x50): inputs sampled in the outer loop, in-run
    /// chance in the inner loop; prints each outcome's probability with its Monte Carlo
    /// interval and the 5–95% band of its probability across input draws.
    #[arg(long, value_name = "OUTERxINNER", value_parser = parse_nested)]
    pub nested: Option<(u64, u64)>,
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
    scn: &Scenario,
    run: RunOptions,
    mc: &McArgs,
    an: &AnalysisArgs,
    st: &StudyArgs,
) -> Result<Plan, Failure> {
    let mut req = mc.plan_request(Preset::Run, run);
    an.apply(&mut req);
    req.pivotal_runs = st.pivotal_runs;
    req.discount_runs = st.discount_runs;
    req.nested = st.nested;
    plan::plan(scn, &req).map_err(failure)
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
    let result = mc.install(|| {
        let cb = |n: u64| {
            if let Some(pb) = &pb {
                if n.is_multiple_of(64) || n == total {
                    pb.set_position(n);
                }
            }
        };
        plan::execute(scn, plan, Some(&cb))
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

fn clip(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// The table: provenance, outcomes, hypotheses, pivotal actors, questions, evidence discount,
/// convergence warnings.
pub fn render_table(s: &Study, scn: &Scenario) -> String {
    let pv = &s.provenance;
    let mut o = String::new();
    let _ = writeln!(o, "{} — {}", pv.scenario_id, pv.title);
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
    let _ = writeln!(o, "{line}");
    let _ = writeln!(
        o,
        "scenario sha256 {} · model options {}",
        pv.scenario_hash, pv.model_options
    );
    if !pv.edits.is_empty() {
        let _ = writeln!(o, "edits: {}", pv.edits.join("; "));
    }

    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "OUTCOMES — probability with 95% Wilson interval ({} runs)",
        pv.runs
    );
    if let Some(pr) = &s.mc.precision {
        let _ = writeln!(
            o,
            "  adaptive precision: target ±{:.1} points, {} runs used (cap {}), target {} (widest ±{:.1})",
            100.0 * pr.target.abs,
            pr.runs,
            pr.target.max_runs,
            if pr.met { "met" } else { "NOT met" },
            100.0 * pr.max_half_width
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
        let _ = writeln!(
            o,
            "  {:<w$}  {:>6}  [{:>6}, {:>6}]  {}",
            x.id,
            pct(x.p),
            pct(x.lo),
            pct(x.hi),
            clip(&x.name, 70)
        );
    }
    if s.mc.outcomes.is_empty() {
        let _ = writeln!(o, "  (the scenario defines no [[outcomes]] classes)");
    }

    let issues: Vec<_> =
        s.mc.vars
            .iter()
            .filter(|(k, _)| k.starts_with("issue."))
            .collect();
    if !issues.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "ISSUE OUTCOMES — final weighted median (issue.<id>) and mean (.mean) across runs"
        );
        let kw = issues.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
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
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "HYPOTHESES — Δprobability (percentage points), common random numbers, Newcombe paired interval at the level shown"
        );
        if let Some(c) = s
            .hypotheses
            .iter()
            .filter(|h| h.test == HypothesisTest::Counterfactual)
            .map(|h| &h.correction)
            .find(|c| !c.is_empty())
        {
            let _ = writeln!(o, "  {c}");
        }
        for h in &s.hypotheses {
            let head = format!("  {:<4} {:<14}", h.id, verdict_word(h.verdict));
            match (&h.test, &h.rank) {
                (HypothesisTest::PivotalRank, Some(r)) => {
                    let _ = writeln!(
                        o,
                        "{head}{} ranks {} of {} for {} (claimed: {} or better); its Δ {} [{}, {}] ({} runs per variant)",
                        r.actor,
                        r.rank,
                        r.ranking.len(),
                        h.outcome,
                        r.claimed,
                        signed_pct(h.delta),
                        signed_pct(h.lo),
                        signed_pct(h.hi),
                        h.runs
                    );
                    let top: Vec<String> = r
                        .ranking
                        .iter()
                        .take(5)
                        .enumerate()
                        .map(|(i, e)| format!("{}. {} {}", i + 1, e.actor, signed_pct(e.delta)))
                        .collect();
                    let _ = writeln!(o, "{:21}top: {}", "", top.join(", "));
                }
                _ => {
                    let dir = match h.expect {
                        Some(Expect::Increase) => "expected ↑",
                        Some(Expect::Decrease) => "expected ↓",
                        None => "",
                    };
                    let _ = writeln!(
                        o,
                        "{head}P({}) {} → {}, Δ {} [{}, {}] {:.1}% {dir}; {}",
                        h.outcome,
                        pct(h.p_base),
                        pct(h.p_alt),
                        signed_pct(h.delta),
                        signed_pct(h.lo),
                        signed_pct(h.hi),
                        100.0 * h.level,
                        h.edits.join(", ")
                    );
                }
            }
            let _ = writeln!(o, "{:21}{}", "", clip(&h.claim, 100));
        }
    }

    if let Some(p) = &s.pivotality {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "PIVOTAL ACTORS — largest |Δprobability| when the actor's positions go to either end or it is removed ({} runs each)",
            p.runs
        );
        let _ = writeln!(
            o,
            "  Δ with Newcombe 95% interval; * = survives {} (unmarked ranks are not distinguishable from noise)",
            p.correction
        );
        let name = |id: &str| {
            scn.actors
                .iter()
                .find(|a| a.id == id)
                .map_or(id.to_string(), |a| a.name.clone())
        };
        for (i, a) in p.actors.iter().take(10).enumerate() {
            let _ = writeln!(
                o,
                "  {:>2}.{} {:<12} {:>6} [{:>6}, {:>6}]  {} ({})  {}",
                i + 1,
                if a.significant { "*" } else { " " },
                a.actor,
                format!("{:.1}", 100.0 * a.max_abs_delta),
                signed_pct(a.max_lo),
                signed_pct(a.max_hi),
                a.max_outcome,
                a.max_variant,
                clip(&name(&a.actor), 40)
            );
        }
        if p.actors.len() > 10 {
            let _ = writeln!(o, "      … {} more in --format json", p.actors.len() - 10);
        }
    }

    if let Some(n) = &s.nested {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "TWO KINDS OF UNCERTAINTY — nested Monte Carlo, {} input draws × {} runs each",
            n.outer, n.inner
        );
        let _ = writeln!(
            o,
            "  probability [95% Monte Carlo interval]   5–95% band of P(outcome | inputs) across input draws"
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

    if !s.questions.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "FORECAST QUESTIONS — probability with 95% Wilson interval ({} runs)",
            pv.runs
        );
        let w = s
            .questions
            .iter()
            .map(|q| q.id.len())
            .max()
            .unwrap_or(0)
            .max(2);
        for q in &s.questions {
            let by = q.by.map(|d| d.to_string()).unwrap_or_default();
            let _ = writeln!(
                o,
                "  {:<w$}  {:>6}  [{:>6}, {:>6}]  {:>10}",
                q.id,
                pct(q.probability),
                pct(q.lo),
                pct(q.hi),
                by
            );
        }
    }

    if !s.evidence_discount.is_empty() {
        let _ = writeln!(o);
        let runs = s.evidence_discount[0].runs;
        let heads: Vec<String> = s
            .evidence_discount
            .iter()
            .map(|d| format!("{:>8}", format!("d={}", d.discount)))
            .collect();
        let _ = writeln!(
            o,
            "EVIDENCE DISCOUNT — outcome probabilities when sources are trusted less ({runs} runs each)"
        );
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

    if !s.mc.convergence.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(o, "CONVERGENCE");
        for c in &s.mc.convergence {
            let _ = writeln!(o, "  warning: {}", c.message);
        }
    }
    o
}

/// JSON: the [`Study`] serialized (docs/output.md), with a trailing newline.
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
