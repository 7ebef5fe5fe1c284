//! One run told as a dated story: what `statecraft run --trace RUN` and `--explain OUTCOME`
//! print. A run is a pure function of (scenario, seed, run index), so run `i` of a job is
//! reproduced exactly ([`mc::run_one`]) and its event log (dated events, orders, gate
//! decisions, tipping steps, how it ended) is turned into typed, dated steps.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::engine::{self, RunOptions};
use crate::mc::{self, McConfig};
use crate::rng::Rng;
use crate::scenario::{Date, Scenario};
use crate::state::RunState;
use crate::study::StudyError;

/// Most runs [`find_run`] tries before it gives up (an outcome that no run among them reaches
/// has no run to explain).
pub const MAX_SEARCH_RUNS: u64 = 20_000;

/// One step of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceStep {
    /// Days after `as_of` (absent for steps the log does not date, e.g. tipping).
    pub day: Option<i64>,
    /// `as_of + day`, when both are known.
    pub date: Option<Date>,
    /// The log's kind: `event`, `event_end`, `option`, `order`, `report`, `authorized`,
    /// `delayed`, `blocked`, `lapsed`, `substituted`, `withdrawn`, `withdrawal`, `jump`,
    /// `tipped`, `ended`, or any other the crisis layer records.
    pub kind: String,
    /// What the step is about (an event, option or ally id; `a->b` for tipping).
    pub subject: String,
    /// The gate that decided, for gate decisions.
    pub gate: Option<String>,
    /// The log entry as recorded.
    pub raw: String,
}

/// One run of a job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunTrace {
    pub run: u64,
    pub seed: u64,
    pub as_of: Option<Date>,
    /// Outcome classes this run is in (ids, scenario order).
    pub outcomes: Vec<String>,
    /// Steps in log order (the crisis layer logs in simulated time).
    pub steps: Vec<TraceStep>,
    /// The run's final vars.
    pub vars: BTreeMap<String, f64>,
}

fn simulate(
    opts: &RunOptions,
) -> impl Fn(&Scenario, &mut Rng) -> Result<RunState, engine::EngineError> + '_ {
    move |s: &Scenario, r: &mut Rng| engine::simulate_once(s, opts, r)
}

/// Run `run` of the job (`cfg`: seed, evidence discount, edits) as a trace.
pub fn trace(
    scn: &Scenario,
    cfg: &McConfig,
    opts: &RunOptions,
    run: u64,
) -> Result<RunTrace, StudyError> {
    let outcomes = mc::compile_outcomes(scn)?;
    let mut st = mc::run_one(scn, cfg, run, simulate(opts))?;
    for d in &scn.disabled {
        st.vars.insert(format!("disabled.{d}"), 1.0);
    }
    let hit: Vec<String> = scn
        .outcomes
        .iter()
        .zip(&outcomes)
        .filter(|(_, e)| e.eval(&st))
        .map(|(o, _)| o.id.clone())
        .collect();
    let as_of = scn.scenario.as_of;
    let steps = st.events.iter().map(|e| step(e, as_of)).collect();
    Ok(RunTrace {
        run,
        seed: cfg.seed,
        as_of,
        outcomes: hit,
        steps,
        vars: st.vars,
    })
}

/// The first run index (from 0, at most `limit` runs, capped at [`MAX_SEARCH_RUNS`]) whose run
/// is in outcome class `outcome`; `None` if none of them is.
pub fn find_run(
    scn: &Scenario,
    cfg: &McConfig,
    opts: &RunOptions,
    outcome: &str,
    limit: u64,
) -> Result<Option<u64>, StudyError> {
    let Some(k) = scn.outcomes.iter().position(|o| o.id == outcome) else {
        let ids: Vec<&str> = scn.outcomes.iter().map(|o| o.id.as_str()).collect();
        return Err(StudyError::Config(format!(
            "no outcome class `{outcome}`; the classes are: {}",
            ids.join(", ")
        )));
    };
    let outcomes = mc::compile_outcomes(scn)?;
    for i in 0..limit.min(MAX_SEARCH_RUNS) {
        let mut st = mc::run_one(scn, cfg, i, simulate(opts))?;
        for d in &scn.disabled {
            st.vars.insert(format!("disabled.{d}"), 1.0);
        }
        if outcomes[k].eval(&st) {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

/// The gate decisions a crisis run logs, in the order they are reported (defined beside the
/// summary a study collects them for, [`mc::is_summary_event`]).
pub use crate::mc::GATE_DECISIONS;

/// How often `gate` took each of [`GATE_DECISIONS`] in a job, summed over runs and days, from
/// the job's event counts (`McResult::events`, keyed by log entry). The log grammar is parsed
/// here, in one place ([`step`]), so front ends never decode event strings.
pub fn gate_decisions(
    events: &BTreeMap<String, mc::EventFreq>,
    gate: &str,
) -> [u64; GATE_DECISIONS.len()] {
    let mut counts = [0; GATE_DECISIONS.len()];
    for (raw, f) in events {
        let s = step(raw, None);
        if s.gate.as_deref() != Some(gate) {
            continue;
        }
        if let Some(i) = GATE_DECISIONS.iter().position(|k| *k == s.kind) {
            counts[i] += f.total;
        }
    }
    counts
}

/// Parse one log entry (`kind:subject[@gate][@dayN][->to]`, `tipped:a->b`, `ended:why`).
fn step(raw: &str, as_of: Option<Date>) -> TraceStep {
    let (kind, rest) = raw.split_once(':').unwrap_or((raw, ""));
    let mut parts: Vec<&str> = rest.split('@').collect();
    let mut day = None;
    let mut tail = String::new();
    if let Some(pos) = parts.iter().position(|p| p.starts_with("day")) {
        let p = parts.remove(pos);
        let digits = &p[3..];
        let (num, after) = match digits.find("->") {
            Some(j) => (&digits[..j], &digits[j..]),
            None => (digits, ""),
        };
        day = num.parse::<i64>().ok();
        tail = after.to_string();
    }
    let subject = format!("{}{}", parts.first().copied().unwrap_or(""), tail);
    let gate = parts.get(1).map(|g| g.to_string());
    let date = match (as_of, day) {
        (Some(d), Some(n)) => d.checked_add_signed(chrono::Duration::days(n)),
        _ => None,
    };
    TraceStep {
        day,
        date,
        kind: kind.to_string(),
        subject,
        gate,
        raw: raw.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin;

    fn greenland() -> Scenario {
        let text = builtin::get("greenland-2026").unwrap();
        crate::scenario::load::from_toml_str(text).unwrap()
    }

    #[test]
    fn gate_decisions_sum_a_gates_entries_over_days() {
        let f = |total| mc::EventFreq {
            runs_with: 1,
            total,
            p: 0.0,
            lo: 0.0,
            hi: 0.0,
        };
        let events: BTreeMap<String, mc::EventFreq> = [
            ("blocked:invasion@jcs@day112".to_string(), f(3)),
            ("blocked:invasion@jcs@day119".to_string(), f(2)),
            ("delayed:coercion@jcs@day7".to_string(), f(4)),
            ("blocked:invasion@denmark@day7".to_string(), f(9)),
            ("tipped:dk->eu".to_string(), f(5)),
        ]
        .into_iter()
        .collect();
        let jcs = gate_decisions(&events, "jcs");
        assert_eq!(jcs, [0, 4, 5, 0, 0, 0]);
        assert_eq!(gate_decisions(&events, "denmark")[2], 9);
        assert_eq!(gate_decisions(&events, "none"), [0; 6]);
    }

    #[test]
    fn log_entries_parse_into_dated_steps() {
        let d = Date::from_ymd_opt(2026, 1, 11);
        let s = step("delayed:invasion@jcs@day14", d);
        assert_eq!(s.kind, "delayed");
        assert_eq!(s.subject, "invasion");
        assert_eq!(s.gate.as_deref(), Some("jcs"));
        assert_eq!(s.day, Some(14));
        assert_eq!(s.date, Date::from_ymd_opt(2026, 1, 25));
        let t = step("tipped:uk->fr", d);
        assert_eq!(
            (t.kind.as_str(), t.subject.as_str(), t.day),
            ("tipped", "uk->fr", None)
        );
        let r = step("report:invasion@day3->congress", d);
        assert_eq!((r.subject.as_str(), r.day), ("invasion->congress", Some(3)));
    }

    #[test]
    fn a_trace_reproduces_the_jobs_run() {
        let s = greenland();
        let cfg = McConfig {
            runs: 40,
            seed: 7,
            ..McConfig::default()
        };
        let opts = RunOptions::resolve(&s, &Default::default()).unwrap();
        let (res, runs) = mc::run_keep(&s, &cfg, simulate(&opts), None).unwrap();
        for i in [0u64, 5, 39] {
            let t = trace(&s, &cfg, &opts, i).unwrap();
            for (k, o) in s.outcomes.iter().enumerate() {
                assert_eq!(
                    runs.outcomes[k].get(i) == Some(true),
                    t.outcomes.contains(&o.id),
                    "run {i}, class {}",
                    o.id
                );
            }
            assert!(t.steps.iter().any(|s| s.kind == "ended"), "{:?}", t.steps);
        }
        // The first run found for the likeliest class is in it.
        let top = res
            .outcomes
            .iter()
            .max_by(|a, b| a.p.total_cmp(&b.p))
            .unwrap();
        let i = find_run(&s, &cfg, &opts, &top.id, 40).unwrap().unwrap();
        assert_eq!(
            runs.outcomes[s.outcomes.iter().position(|o| o.id == top.id).unwrap()].get(i),
            Some(true)
        );
        assert!(find_run(&s, &cfg, &opts, "nope", 10).is_err());
    }
}
