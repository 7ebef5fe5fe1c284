//! Every call into `statecraft-core` the server makes, in one place: when the core's API changes
//! (the compiled experiment, cooperative cancellation), the fix is here and nowhere else. The
//! server holds no model logic or analysis policy: it loads, edits and compares through these
//! functions and shapes their typed results for the page.

use serde::Serialize;
use statecraft_core::catalog::{self, ParamInfo};
use statecraft_core::compare::{self, Comparison};
use statecraft_core::engine::{ModelOverride, RunOptions};
use statecraft_core::mc::{self, McConfig};
use statecraft_core::scenario::{Edit, Scenario};
use statecraft_core::{builtin, plan};

/// Runs of the `explore` preset, the explorer's default (`docs/plans.md`).
pub fn default_runs() -> u64 {
    plan::RUN_RUNS
}

/// The default master seed of every preset.
pub fn default_seed() -> u64 {
    plan::DEFAULT_SEED
}

/// One located problem of a scenario text, as `statecraft check` reports it.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Located {
    pub file: String,
    /// 1-based; absent when the problem concerns the whole file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// Byte range in the text (for highlighting).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<[usize; 2]>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// Most problems reported for one file (as the CLI's `load::MAX_REPORTED_ERRORS`).
pub const MAX_REPORTED_ERRORS: usize = 100;

/// Parse and check a scenario text; `filename` picks the format (`.toml`, `.csv`, `.xml`).
pub fn load_text(filename: &str, text: &str) -> Result<Scenario, Vec<Located>> {
    statecraft_core::scenario::load::from_str_auto(filename, text).map_err(|errs| {
        errs.errors
            .into_iter()
            .take(MAX_REPORTED_ERRORS)
            .map(|e| {
                let lc = e.line_col(text);
                let span = e.span.clone().map(|r| {
                    let start = r.start.min(text.len());
                    [start, r.end.clamp(start, text.len())]
                });
                Located {
                    file: filename.to_string(),
                    line: lc.map(|(l, _)| l),
                    column: lc.map(|(_, c)| c),
                    span,
                    message: e.message,
                    hint: e.help,
                }
            })
            .collect()
    })
}

/// Names of the scenarios compiled into the binary.
pub fn builtin_names() -> Vec<&'static str> {
    builtin::names()
}

/// The text of a built-in scenario.
pub fn builtin_text(name: &str) -> Option<&'static str> {
    builtin::get(name)
}

/// Did-you-mean among `candidates`.
pub fn suggest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    statecraft_core::suggest::suggest(word, candidates).map(|s| s.to_string())
}

/// Every settable number with value, distribution, declared range, source and confidence.
pub fn parameters(scn: &Scenario) -> Vec<ParamInfo> {
    catalog::parameters(scn)
}

/// A distribution as `statecraft paths` prints it.
pub fn dist_text(p: &ParamInfo) -> Option<String> {
    p.dist.as_ref().map(catalog::dist_text)
}

/// One named element of the scenario (actor, issue, option, gate, event, ally).
#[derive(Clone, Debug, Serialize)]
pub struct Element {
    pub id: String,
    pub name: String,
    /// The id a `disable` edit takes (`gate.jcs`), or `without` for an actor; absent when the
    /// element cannot be toggled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub toggle: Option<String>,
}

/// The scenario's elements, each list in the scenario's order.
#[derive(Clone, Debug, Serialize)]
pub struct Elements {
    pub actors: Vec<Element>,
    pub issues: Vec<Element>,
    pub options: Vec<Element>,
    pub gates: Vec<Element>,
    pub events: Vec<Element>,
    pub allies: Vec<Element>,
    pub outcomes: Vec<Element>,
    /// Every id a `disable` edit accepts.
    pub disable_ids: Vec<String>,
}

/// `id` and `name` of any serialisable element (names are optional in some tables).
fn element(v: impl Serialize, id_key: &str, toggle: Option<String>) -> Element {
    let j = serde_json::to_value(v).unwrap_or_default();
    let get = |k: &str| j.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
    let id = get(id_key);
    let name = match get("name") {
        n if n.is_empty() => id.clone(),
        n => n,
    };
    Element { id, name, toggle }
}

pub fn elements(scn: &Scenario) -> Elements {
    let c = &scn.crisis;
    let disable_ids = c.element_ids();
    let has = |id: String| disable_ids.contains(&id).then_some(id);
    Elements {
        actors: scn
            .actors
            .iter()
            .map(|a| element(a, "id", Some(format!("actor.{}", a.id))))
            .collect(),
        issues: scn.issues.iter().map(|i| element(i, "id", None)).collect(),
        options: c
            .options
            .iter()
            .map(|o| element(o, "id", has(format!("option.{}", o.id))))
            .collect(),
        gates: c
            .gates
            .iter()
            .map(|g| element(g, "id", has(format!("gate.{}", g.id))))
            .collect(),
        events: c
            .events
            .iter()
            .map(|e| element(e, "id", has(format!("event.{}", e.id))))
            .collect(),
        allies: c.allies.iter().map(|a| element(a, "actor", None)).collect(),
        outcomes: scn
            .outcomes
            .iter()
            .map(|o| element(o, "id", None))
            .collect(),
        disable_ids,
    }
}

/// A scenario's title and dates.
pub fn meta(scn: &Scenario) -> serde_json::Value {
    serde_json::to_value(&scn.scenario).unwrap_or_default()
}

/// The edits of one request, as the page sends them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Edits {
    pub set: Vec<(String, f64)>,
    pub without: Vec<String>,
    pub disable: Vec<String>,
}

/// An edit that does not apply: `index` is its position in its list (`set`, `without`,
/// `disable`), `message` the core's reason with its did-you-mean.
#[derive(Clone, Debug, PartialEq)]
pub struct EditError {
    pub list: &'static str,
    pub index: usize,
    pub message: String,
}

/// Apply the edits in order (set, then without, then disable), each checked by the core
/// (path exists, value within the declared range, id names something).
pub fn apply(scn: &Scenario, edits: &Edits) -> Result<Scenario, EditError> {
    let mut list: Vec<(&'static str, usize, Edit)> = Vec::new();
    for (i, (path, value)) in edits.set.iter().enumerate() {
        list.push((
            "set",
            i,
            Edit::Set {
                path: path.clone(),
                value: *value,
            },
        ));
    }
    for (i, a) in edits.without.iter().enumerate() {
        list.push(("without", i, Edit::Without { actor: a.clone() }));
    }
    for (i, d) in edits.disable.iter().enumerate() {
        list.push(("disable", i, Edit::Disable { id: d.clone() }));
    }
    let mut cur = scn.clone();
    for (name, index, e) in list {
        cur = mc::apply_edits(&cur, std::slice::from_ref(&e)).map_err(|err| EditError {
            list: name,
            index,
            message: match err {
                mc::McError::Edit { message, .. } => message,
                other => other.to_string(),
            },
        })?;
    }
    Ok(cur)
}

/// A cancellation token for one job (the core's `mc::Cancel`).
pub type Cancel = statecraft_core::mc::Cancel;

/// A fresh, live cancellation token.
pub fn cancel_token() -> Cancel {
    Cancel::new()
}

/// Base versus variant with common random numbers (`compare::compare_with`), fixed `runs` and
/// `seed`. `progress` is called with the number of runs done (both worlds: up to 2 × runs);
/// after `cancel.cancel()` the job stops at its next run and returns an error.
pub fn compare(
    base: &Scenario,
    variant: &Scenario,
    runs: u64,
    seed: u64,
    cancel: &Cancel,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Comparison, String> {
    let opts = RunOptions::resolve(base, &ModelOverride::default()).map_err(|e| e.to_string())?;
    let cfg = McConfig {
        runs,
        seed,
        ..McConfig::default()
    };
    let control = statecraft_core::mc::Control {
        cancel: cancel.clone(),
    };
    compare::compare_with(base, variant, &cfg, &opts, &control, Some(progress))
        .map_err(|e| e.to_string())
}

/// sha256 of the parsed scenario (the provenance hash), to name uploads.
pub fn scenario_hash(scn: &Scenario) -> String {
    mc::scenario_hash(scn)
}
