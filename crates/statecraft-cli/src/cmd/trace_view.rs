//! `statecraft run --trace RUN` / `--explain OUTCOME`: one run of the job as a dated trace
//! (the core's [`statecraft_core::trace`]); this module only renders it.

use super::mc_args::McArgs;
use super::study_view::{failure, wrap_into};
use super::Failure;
use statecraft_core::engine::RunOptions;
use statecraft_core::scenario::Scenario;
use statecraft_core::trace::{self, RunTrace, TraceStep};
use std::fmt::Write as _;

/// What to trace.
pub enum Which {
    Run(u64),
    Explain(String),
}

/// Trace the run asked for and render it (table or JSON).
pub fn exec(
    scn: &Scenario,
    opts: &RunOptions,
    mc: &McArgs,
    which: Which,
    json: bool,
) -> Result<String, Failure> {
    let cfg = mc.to_config(serde_json::Value::Null)?;
    let run = match which {
        Which::Run(i) => {
            if i >= cfg.runs {
                return Err(Failure::input(format!(
                    "--trace {i}: the job has runs 0 to {} (pass --runs N for a larger job)",
                    cfg.runs - 1
                )));
            }
            i
        }
        Which::Explain(outcome) => {
            let found = mc
                .install(|| trace::find_run(scn, &cfg, opts, &outcome, cfg.runs))?
                .map_err(failure)?;
            match found {
                Some(i) => i,
                None => {
                    return Err(Failure::input(format!(
                        "--explain {outcome}: none of the first {} runs (seed {}) is in class \
                         `{outcome}`; try --runs N with a larger N or another --seed",
                        cfg.runs.min(trace::MAX_SEARCH_RUNS),
                        cfg.seed
                    )))
                }
            }
        }
    };
    let t = mc
        .install(|| trace::trace(scn, &cfg, opts, run))?
        .map_err(failure)?;
    if json {
        let mut s = serde_json::to_string_pretty(&t)
            .map_err(|e| Failure::other(format!("cannot encode JSON: {e}")))?;
        s.push('\n');
        Ok(s)
    } else {
        Ok(render(&t, scn))
    }
}

fn describe(s: &TraceStep, scn: &Scenario) -> String {
    let c = &scn.crisis;
    let option = |id: &str| {
        c.options
            .iter()
            .find(|o| o.id == id)
            .map_or(id.to_string(), |o| format!("{id} ({})", o.name))
    };
    let event = |id: &str| {
        c.events
            .iter()
            .find(|e| e.id == id)
            .map_or(id.to_string(), |e| {
                if e.name.is_empty() {
                    id.to_string()
                } else {
                    format!("{id} ({})", e.name)
                }
            })
    };
    let gate = s.gate.as_deref().unwrap_or("?");
    match s.kind.as_str() {
        "event" => format!("event begins: {}", event(&s.subject)),
        "event_end" => format!("event ends: {}", event(&s.subject)),
        "order" => format!("ordered: {}", option(&s.subject)),
        "option" => format!("taken: {}", option(&s.subject)),
        "authorized" => format!("gate {gate} authorizes {}", s.subject),
        "delayed" => format!("gate {gate} delays {}", s.subject),
        "blocked" => format!("gate {gate} blocks {}", s.subject),
        "lapsed" => format!("clock of gate {gate} lapses for {}", s.subject),
        "withdrawn" => format!("gate {gate}: {} withdrawn", s.subject),
        "substituted" => format!("gate {gate} substitutes {}", s.subject.replace("->", " → ")),
        "report" => format!("report filed: {}", s.subject.replace("->", " → ")),
        "withdrawal" => format!("withdrawal notice: {}", s.subject),
        "jump" => format!("leader volatility: {} jumps", s.subject),
        "tipped" => format!("tipping: {}", s.subject.replace("->", " tips ")),
        "ended" => format!("run ends: {}", s.subject),
        _ => s.raw.clone(),
    }
}

/// The trace as dated lines (undated steps such as tipping follow the dated step before them).
pub fn render(t: &RunTrace, scn: &Scenario) -> String {
    let mut o = String::new();
    wrap_into(
        &mut o,
        "",
        &format!(
            "RUN {} of seed {} — {} (as of {})",
            t.run,
            t.seed,
            scn.scenario.id,
            t.as_of.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
        ),
    );
    let classes = if t.outcomes.is_empty() {
        "none".to_string()
    } else {
        t.outcomes.join(", ")
    };
    wrap_into(&mut o, "", &format!("outcome classes reached: {classes}"));
    let _ = writeln!(o);
    let mut last = String::new();
    let mut printed_date = String::new();
    let mut i = 0;
    while i < t.steps.len() {
        let s = &t.steps[i];
        // A report is logged when the clock starts, dated when it is due: it keeps the date
        // column of the step before it.
        let dated = s.kind != "report";
        let when = match (s.date, s.day, dated) {
            (Some(d), _, true) => d.to_string(),
            (None, Some(n), true) => format!("day {n}"),
            _ => last.clone(),
        };
        last.clone_from(&when);
        let col = if when == printed_date {
            String::new()
        } else {
            printed_date.clone_from(&when);
            when
        };
        let text = if s.kind == "tipped" {
            // Consecutive steps of one tipper on one line.
            let from = s.subject.split("->").next().unwrap_or("").to_string();
            let mut to = Vec::new();
            while i < t.steps.len() && t.steps[i].kind == "tipped" {
                let (f, b) = t.steps[i].subject.split_once("->").unwrap_or(("", ""));
                if f != from {
                    break;
                }
                to.push(b.to_string());
                i += 1;
            }
            i -= 1;
            format!("tipping: {from} tips {}", to.join(", "))
        } else if s.kind == "report" {
            let due = s.date.map(|d| d.to_string()).unwrap_or_default();
            format!("report due {due}: {}", s.subject.replace("->", " → "))
        } else {
            describe(s, scn)
        };
        wrap_into(&mut o, &format!("  {col:<11} "), &text);
        i += 1;
    }
    if t.steps.is_empty() {
        let _ = writeln!(o, "  (this run recorded no events)");
    }
    let _ = writeln!(o);
    wrap_into(
        &mut o,
        "",
        &format!(
            "Reproduce: statecraft {} --trace {} --seed {} (same --runs, --set, --without, \
             --disable, --evidence-discount)",
            scn.scenario.id, t.run, t.seed
        ),
    );
    o
}
