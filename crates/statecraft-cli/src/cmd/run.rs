//! `statecraft run [SCENARIO] --model <id> --rounds N --format table|json|csv [MONTE CARLO FLAGS]`.
//!
//! Two modes:
//! - **Monte Carlo study** (a scenario with a crisis layer, `--runs N`, `--evidence-discount`
//!   above 0, or an analysis flag):
//!   `statecraft_core::study::study` — outcome probabilities with intervals, hypotheses,
//!   pivotal actors, forecast questions, evidence-discount sensitivity (see `study_view`).
//! - **Single deterministic run** (a bargaining scenario otherwise): runs the bargaining model
//!   and prints, per issue, every actor's position per round with the c·s-weighted median and
//!   mean; `--set/--without` edits apply first. The renderers work on [`RunReport`], which is
//!   built from the engine's result, so the documented JSON does not depend on engine internals.
//!
//! The output formats are documented in `docs/output.md`.

use super::mc_args::{AnalysisArgs, McArgs};
use super::study_view::{self, StudyArgs};
use super::Failure;
use serde::Serialize;
use statecraft_core::plan::Shows;
use statecraft_core::scenario::{Anchor, Scenario};
use std::fmt::Write as _;

/// Output format of `run`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// Actors × rounds per issue, readable in a terminal.
    #[default]
    Table,
    /// The whole run as one JSON document (docs/output.md).
    Json,
    /// One row per round × actor × issue.
    Csv,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario file (TOML or CSV table) or built-in name.
    #[arg(default_value = statecraft_core::builtin::DEFAULT)]
    pub scenario: String,
    /// Bargaining model id (see `statecraft models`). Default: the scenario's `[model] id`, else
    /// `eum` (`crisis-averaging`, the only model a crisis scenario runs, for a crisis scenario).
    #[arg(long, short)]
    pub model: Option<String>,
    /// A model option, `KEY=VALUE` (repeatable; see `statecraft models` and docs/scenario.md),
    /// applied over the scenario's `[model]` table: e.g. `VotingRule=PropCbc`,
    /// `ktab_compat=true`, `q=0.5`, `seed=7`.
    #[arg(long = "model-opt", value_name = "KEY=VALUE")]
    pub model_opt: Vec<String>,
    /// Maximum number of rounds (the model may stop earlier). Default: the scenario's
    /// `[model] rounds`, else 10, or 100 for `smp`, whose own stopping rule usually ends the run
    /// first (KTAB's runs take up to ~40 turns).
    #[arg(long, short)]
    pub rounds: Option<usize>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Monte Carlo: runs, seed (a single run uses it too), evidence discount, edits, threads.
    #[command(flatten)]
    pub mc: McArgs,
    /// Analyses: hypotheses, Sobol, tornado, pivotality.
    #[command(flatten)]
    pub analysis: AnalysisArgs,
    /// Study settings: runs of the pivotality and evidence-discount parts.
    #[command(flatten)]
    pub study: StudyArgs,
    /// Print one sampled run that reaches outcome class OUTCOME (the first in run order), as a
    /// dated trace: events, orders, gate decisions, tipping.
    #[arg(long, value_name = "OUTCOME", conflicts_with = "trace")]
    pub explain: Option<String>,
    /// Print run RUN of the job (0-based) as a dated trace.
    #[arg(long, value_name = "RUN")]
    pub trace: Option<u64>,
    /// Compare with VARIANT (a scenario file or built-in name) instead of running one world:
    /// the shortcut of `statecraft compare SCENARIO VARIANT` (outcome, question and var
    /// differences with paired intervals; `--set`/`--without`/`--disable` edit the variant).
    #[arg(long, value_name = "VARIANT", conflicts_with_all = ["trace", "explain"])]
    pub vs: Option<String>,
}

impl Default for Args {
    /// What `statecraft` with no arguments runs.
    fn default() -> Self {
        Args {
            scenario: statecraft_core::builtin::DEFAULT.to_string(),
            model: None,
            model_opt: Vec::new(),
            rounds: None,
            format: Format::Table,
            mc: McArgs::default(),
            analysis: AnalysisArgs::default(),
            study: StudyArgs::default(),
            explain: None,
            trace: None,
            vs: None,
        }
    }
}

impl Args {
    /// Monte Carlo study mode: a crisis scenario, `--runs`, or an analysis flag.
    pub fn is_study(&self, scn: &Scenario) -> bool {
        !scn.crisis.is_empty()
            || self.mc.runs.is_some()
            || self.mc.evidence_discount > 0.0
            || self.analysis != AnalysisArgs::default()
            || self.study != StudyArgs::default()
    }
}

pub fn exec(args: Args) -> Result<(), Failure> {
    if let Some(variant) = &args.vs {
        let format = match args.format {
            Format::Table => super::compare::Format::Table,
            Format::Json => super::compare::Format::Json,
            Format::Csv => super::compare::Format::Csv,
        };
        return super::compare::exec(super::compare::Args {
            base: args.scenario.clone(),
            variant: Some(variant.clone()),
            mc: args.mc.clone(),
            format,
        });
    }
    let loaded = crate::load::scenario(&args.scenario)?;
    let run = super::mc_args::resolve_model(
        &loaded.scenario,
        args.model.as_deref(),
        &args.model_opt,
        args.rounds,
    )?;
    let which = match (&args.trace, &args.explain) {
        (Some(i), _) => Some(super::trace_view::Which::Run(*i)),
        (None, Some(o)) => Some(super::trace_view::Which::Explain(o.clone())),
        (None, None) => None,
    };
    let out = if let Some(which) = which {
        super::trace_view::exec(
            &loaded.scenario,
            &run,
            &args.mc,
            which,
            args.format == Format::Json,
        )?
    } else if args.is_study(&loaded.scenario) {
        let scn = &loaded.scenario;
        let exp = super::mc_args::experiment(
            scn,
            args.model.as_deref(),
            &args.model_opt,
            args.rounds,
            args.mc.edits(),
        )?;
        // the study collects what the output shows: the JSON everything, the table its
        // summary (no series, only the summary vars), the CSV the outcomes and questions
        let shows = match args.format {
            Format::Json => Shows::Everything,
            Format::Table => Shows::Summary,
            Format::Csv => Shows::Answers,
        };
        let plan = study_view::plan(&exp, &args.mc, &args.analysis, &args.study, shows)?;
        let s = study_view::run(scn, &plan, &args.mc)?;
        match args.format {
            Format::Table => study_view::render_table(&s, scn),
            Format::Json => study_view::render_json(&s)?,
            Format::Csv => study_view::render_csv(&s),
        }
    } else {
        let scn = statecraft_core::mc::apply_edits(&loaded.scenario, &args.mc.edits())
            .map_err(super::mc_args::mc_failure)?;
        let report = backend::run(&scn, &run, args.mc.seed)?;
        match args.format {
            Format::Table => render_table(&report),
            Format::Json => render_json(&report)?,
            Format::Csv => render_csv(&report),
        }
    };
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Ok(()) => Ok(()),
        // `statecraft run | head` is fine.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::other(format!("cannot write output: {e}"))),
    }
}

// -------------------------------------------------------------------------------------------
// The report the renderers print (docs/output.md documents it field by field).

/// Version tag of the JSON output.
pub const OUTPUT_FORMAT: &str = "statecraft.run/1";

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RunReport {
    pub format: &'static str,
    pub engine_version: &'static str,
    pub scenario: ScenarioInfo,
    pub model: String,
    pub model_description: String,
    pub seed: u64,
    pub max_rounds: usize,
    /// Every option of the model that ran, as resolved from the scenario's `[model]` table and
    /// `--model-opt` (null when unknown, e.g. in unit tests).
    #[serde(skip_serializing_if = "serde_json::Value::is_null")]
    pub model_options: serde_json::Value,
    pub notes: Vec<String>,
    pub actors: Vec<ActorInfo>,
    pub issues: Vec<IssueRun>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ScenarioInfo {
    pub id: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ActorInfo {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct IssueRun {
    pub id: String,
    pub name: String,
    pub min: f64,
    pub max: f64,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub unit: String,
    pub anchors: Vec<Anchor>,
    /// Ids of the actors in `rounds[].positions` order.
    pub actors: Vec<String>,
    pub converged: bool,
    pub rounds: Vec<RoundRow>,
    pub outcome: Outcome,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RoundRow {
    pub round: usize,
    pub positions: Vec<f64>,
    pub median: f64,
    pub mean: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Outcome {
    /// Which statistic is the model's forecast: `"median"` or `"mean"`.
    pub forecast_stat: String,
    /// Its value after the last round.
    pub forecast: f64,
    pub median: f64,
    pub mean: f64,
    /// The anchor nearest to `forecast`.
    pub nearest_anchor: Option<Anchor>,
}

/// One issue's trajectory as the engine reports it: `positions[round][k]` for `actors[k]`, and
/// the weighted median and mean per round. This is all [`RunReport::build`] needs from the
/// engine.
pub struct IssueTrajectory {
    pub issue: String,
    /// `"median"` or `"mean"`: the model's forecast statistic.
    pub forecast_stat: String,
    pub actors: Vec<String>,
    pub positions: Vec<Vec<f64>>,
    pub median: Vec<f64>,
    pub mean: Vec<f64>,
    pub converged: bool,
}

impl RunReport {
    pub fn build(
        s: &Scenario,
        model: &str,
        model_description: &str,
        seed: u64,
        max_rounds: usize,
        notes: Vec<String>,
        trajectories: Vec<IssueTrajectory>,
    ) -> RunReport {
        let issues = trajectories
            .into_iter()
            .filter_map(|t| {
                let is = s.issues.iter().find(|i| i.id == t.issue)?;
                let rounds: Vec<RoundRow> = t
                    .positions
                    .into_iter()
                    .enumerate()
                    .map(|(r, positions)| RoundRow {
                        round: r,
                        positions,
                        median: t.median.get(r).copied().unwrap_or(f64::NAN),
                        mean: t.mean.get(r).copied().unwrap_or(f64::NAN),
                    })
                    .collect();
                let (median, mean) = rounds
                    .last()
                    .map_or((f64::NAN, f64::NAN), |r| (r.median, r.mean));
                let forecast = if t.forecast_stat == "mean" {
                    mean
                } else {
                    median
                };
                Some(IssueRun {
                    id: is.id.clone(),
                    name: is.name.clone(),
                    min: is.min,
                    max: is.max,
                    unit: is.unit.clone(),
                    anchors: is.anchors.clone(),
                    actors: t.actors,
                    converged: t.converged,
                    outcome: Outcome {
                        forecast_stat: t.forecast_stat,
                        forecast,
                        median,
                        mean,
                        nearest_anchor: is.nearest_anchor(forecast).cloned(),
                    },
                    rounds,
                })
            })
            .collect();
        RunReport {
            format: OUTPUT_FORMAT,
            engine_version: statecraft_core::ENGINE_VERSION,
            scenario: ScenarioInfo {
                id: s.scenario.id.clone(),
                title: s.scenario.title.clone(),
                as_of: s.scenario.as_of.map(|d| d.to_string()),
            },
            model: model.to_string(),
            model_description: model_description.to_string(),
            seed,
            max_rounds,
            model_options: serde_json::Value::Null,
            notes,
            actors: s
                .actors
                .iter()
                .map(|a| ActorInfo {
                    id: a.id.clone(),
                    name: a.name.clone(),
                })
                .collect(),
            issues,
        }
    }

    fn actor_name(&self, id: &str) -> String {
        self.actors
            .iter()
            .find(|a| a.id == id)
            .map_or_else(|| id.to_string(), |a| a.name.clone())
    }
}

// -------------------------------------------------------------------------------------------
// Renderers

/// Decimals that make a difference on this scale (two on a short scale like 4–10, one on 0–100).
fn decimals(min: f64, max: f64) -> usize {
    let w = (max - min).abs();
    if w <= 20.0 {
        2
    } else if w <= 1000.0 {
        1
    } else {
        0
    }
}

/// Which rounds get a column: all if they fit, else the first five, a gap, and the last five.
fn shown_rounds(n: usize) -> Vec<Option<usize>> {
    const MAX: usize = 12;
    if n <= MAX {
        (0..n).map(Some).collect()
    } else {
        let mut v: Vec<Option<usize>> = (0..5).map(Some).collect();
        v.push(None);
        v.extend((n - 5..n).map(Some));
        v
    }
}

fn clip(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(width - 1).collect();
        t.push('…');
        t
    }
}

fn fmt_num(x: f64, d: usize) -> String {
    if x.is_finite() {
        format!("{x:.d$}")
    } else {
        "–".to_string()
    }
}

pub fn render_table(r: &RunReport) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{} — {}", r.scenario.id, r.scenario.title);
    let mut meta = format!(
        "model {} · up to {} rounds · seed {}",
        r.model, r.max_rounds, r.seed
    );
    if let Some(d) = &r.scenario.as_of {
        meta.push_str(&format!(" · as of {d}"));
    }
    let _ = writeln!(o, "{meta}");
    if !r.model_description.is_empty() {
        let _ = writeln!(o, "{}: {}", r.model, r.model_description);
    }
    for n in &r.notes {
        let _ = writeln!(o, "note: {n}");
    }
    for is in &r.issues {
        let d = decimals(is.min, is.max);
        let unit = if is.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", is.unit)
        };
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "{} [{}], scale {}–{}{unit}",
            is.name, is.id, is.min, is.max
        );
        let aw = is
            .anchors
            .iter()
            .map(|a| a.value.to_string().len())
            .max()
            .unwrap_or(0);
        for (k, a) in is.anchors.iter().enumerate() {
            let head = if k == 0 { "  anchors:" } else { "          " };
            let _ = writeln!(o, "{head} {:>aw$}  {}", a.value.to_string(), a.label);
        }
        let names: Vec<String> = is.actors.iter().map(|a| r.actor_name(a)).collect();
        let nw = names
            .iter()
            .map(|n| n.chars().count())
            .chain(["weighted median".len()])
            .max()
            .unwrap_or(0)
            .min(28);
        let cols = shown_rounds(is.rounds.len());
        let cw = fmt_num(is.max.abs().max(is.min.abs()), d).len().max(4) + 1;
        let mut line = format!("  {:<nw$}", "round");
        for c in &cols {
            match c {
                Some(t) => line.push_str(&format!(" {:>cw$}", t)),
                None => line.push_str(&format!(" {:>cw$}", "…")),
            }
        }
        let _ = writeln!(o);
        let _ = writeln!(o, "{}", line.trim_end());
        let row = |label: &str, get: &dyn Fn(&RoundRow) -> f64| {
            let mut line = format!("  {:<nw$}", clip(label, nw));
            for c in &cols {
                match c.and_then(|t| is.rounds.get(t)) {
                    Some(rr) => line.push_str(&format!(" {:>cw$}", fmt_num(get(rr), d))),
                    None => line.push_str(&format!(" {:>cw$}", "…")),
                }
            }
            line
        };
        for (k, name) in names.iter().enumerate() {
            let _ = writeln!(
                o,
                "{}",
                row(name, &|rr| rr.positions.get(k).copied().unwrap_or(f64::NAN))
            );
        }
        let rule_len = 2 + nw + cols.len() * (cw + 1);
        let _ = writeln!(o, "  {}", "─".repeat(rule_len - 2));
        let _ = writeln!(o, "{}", row("weighted median", &|rr| rr.median));
        let _ = writeln!(o, "{}", row("weighted mean", &|rr| rr.mean));
        let last = is.rounds.len().saturating_sub(1);
        let stop = if is.converged {
            format!("converged after {last} rounds")
        } else {
            format!("after {last} rounds")
        };
        let anchor = match &is.outcome.nearest_anchor {
            Some(a) => format!(", nearest anchor {} \"{}\"", a.value, a.label),
            None => String::new(),
        };
        let other = if is.outcome.forecast_stat == "mean" {
            format!("median {}", fmt_num(is.outcome.median, d))
        } else {
            format!("mean {}", fmt_num(is.outcome.mean, d))
        };
        let _ = writeln!(
            o,
            "  outcome {stop}: {} {}{unit}{anchor} ({other})",
            is.outcome.forecast_stat,
            fmt_num(is.outcome.forecast, d)
        );
    }
    o
}

pub fn render_json(r: &RunReport) -> Result<String, Failure> {
    serde_json::to_string_pretty(r)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|e| Failure::other(format!("cannot encode JSON: {e}")))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One row per round × actor × issue: `issue,round,actor,position,median,mean` (the last two
/// repeat the issue's weighted median and mean of that round).
pub fn render_csv(r: &RunReport) -> String {
    let mut o = String::from("issue,round,actor,position,median,mean\n");
    for is in &r.issues {
        for rr in &is.rounds {
            for (k, a) in is.actors.iter().enumerate() {
                let p = rr.positions.get(k).copied().unwrap_or(f64::NAN);
                let _ = writeln!(
                    o,
                    "{},{},{},{},{},{}",
                    csv_field(&is.id),
                    rr.round,
                    csv_field(a),
                    p,
                    rr.median,
                    rr.mean
                );
            }
        }
    }
    o
}

// -------------------------------------------------------------------------------------------

use engine_run as backend;

/// The real engine: `statecraft_core::engine::run_options`, mapped onto the report.
mod engine_run {
    use super::{IssueTrajectory, RunReport};
    use crate::cmd::Failure;
    use statecraft_core::engine::{self, EngineError, RunOptions};
    use statecraft_core::models::ForecastStat;
    use statecraft_core::scenario::Scenario;

    pub fn run(s: &Scenario, opts: &RunOptions, seed: u64) -> Result<RunReport, Failure> {
        let r = engine::run_options(s, opts, seed).map_err(|e| match e {
            EngineError::UnknownModel { .. } | EngineError::NoIssues | EngineError::NoStances => {
                Failure::input(e)
            }
            other => Failure::other(other),
        })?;
        let trajectories = r
            .issues
            .into_iter()
            .map(|ir| IssueTrajectory {
                issue: ir.id,
                forecast_stat: match ir.forecast_stat {
                    ForecastStat::Mean => "mean".into(),
                    ForecastStat::Median => "median".into(),
                },
                actors: ir.actors,
                median: ir.rounds.iter().map(|x| x.median).collect(),
                mean: ir.rounds.iter().map(|x| x.mean).collect(),
                positions: ir.rounds.into_iter().map(|x| x.positions).collect(),
                converged: ir.converged,
            })
            .collect();
        let mut report = RunReport::build(
            s,
            &r.model,
            &r.model_description,
            r.seed,
            r.rounds_requested,
            r.notes,
            trajectories,
        );
        report.model_options = serde_json::to_value(&opts.options).map_err(Failure::other)?;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> RunReport {
        let s = statecraft_core::scenario::load::from_toml_str(
            statecraft_core::builtin::get("minimal").unwrap(),
        )
        .unwrap();
        let t = IssueTrajectory {
            issue: "budget".into(),
            forecast_stat: "median".into(),
            actors: vec!["a".into(), "b".into(), "c".into()],
            positions: vec![vec![20.0, 60.0, 90.0], vec![30.0, 55.0, 80.0]],
            median: vec![60.0, 55.0],
            mean: vec![52.3, 51.0],
            converged: true,
        };
        RunReport::build(
            &s,
            "test",
            "a test model",
            7,
            1,
            vec!["a note".into()],
            vec![t],
        )
    }

    #[test]
    fn table_shows_rounds_summary_rows_anchors_and_outcome() {
        let t = render_table(&report());
        assert!(t.contains("minimal — Three parties split a budget"), "{t}");
        assert!(t.contains("note: a note"), "{t}");
        assert!(t.contains("anchors:   0  nothing"), "{t}");
        assert!(t.contains(" 50  half"), "{t}");
        let words = |start: &str| -> Vec<String> {
            let l = t
                .lines()
                .find(|l| l.trim_start().starts_with(start))
                .unwrap();
            l.split_whitespace().map(String::from).collect()
        };
        assert_eq!(words("round"), ["round", "0", "1"]);
        assert_eq!(words("Party A"), ["Party", "A", "20.0", "30.0"]);
        assert_eq!(
            words("weighted median"),
            ["weighted", "median", "60.0", "55.0"]
        );
        assert_eq!(words("weighted mean"), ["weighted", "mean", "52.3", "51.0"]);
        assert!(
            t.contains("outcome converged after 1 rounds: median 55.0 %, nearest anchor 50 \"half\" (mean 51.0)"),
            "{t}"
        );
    }

    #[test]
    fn json_carries_every_documented_field() {
        let j: serde_json::Value =
            serde_json::from_str(&render_json(&report()).ok().unwrap()).unwrap();
        assert_eq!(j["format"], OUTPUT_FORMAT);
        assert_eq!(j["scenario"]["as_of"], "2026-01-11");
        assert_eq!(j["seed"], 7);
        let is = &j["issues"][0];
        assert_eq!(is["actors"][2], "c");
        assert_eq!(is["rounds"][1]["positions"][1], 55.0);
        assert_eq!(is["rounds"][1]["median"], 55.0);
        assert_eq!(is["outcome"]["nearest_anchor"]["label"], "half");
        // docs/output.md names every field that the JSON has.
        let doc = include_str!("../../../../docs/output.md");
        let mut keys = Vec::new();
        collect_keys(&j, "", &mut keys);
        assert!(keys.contains(&"issues[].rounds[].positions".to_string()));
        for k in keys {
            assert!(
                doc.contains(&format!("`{k}`")),
                "docs/output.md does not document `{k}`"
            );
        }
    }

    /// Every field of the document as a path like `issues[].rounds[].median`.
    fn collect_keys(v: &serde_json::Value, at: &str, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    let p = if at.is_empty() {
                        k.clone()
                    } else {
                        format!("{at}.{k}")
                    };
                    if !out.contains(&p) {
                        out.push(p.clone());
                    }
                    collect_keys(v, &p, out);
                }
            }
            serde_json::Value::Array(a) => {
                let p = format!("{at}[]");
                a.iter().for_each(|v| collect_keys(v, &p, out))
            }
            _ => {}
        }
    }

    #[test]
    fn csv_has_one_row_per_round_actor_issue() {
        let c = render_csv(&report());
        let lines: Vec<&str> = c.lines().collect();
        assert_eq!(lines[0], "issue,round,actor,position,median,mean");
        assert_eq!(lines.len(), 1 + 2 * 3);
        assert_eq!(lines[5], "budget,1,b,55,55,51");
    }

    #[test]
    fn long_runs_elide_middle_rounds() {
        assert_eq!(shown_rounds(3), vec![Some(0), Some(1), Some(2)]);
        let v = shown_rounds(30);
        assert_eq!(v.len(), 11);
        assert_eq!(v[5], None);
        assert_eq!(v[10], Some(29));
    }
}
