//! Shaping the core's typed comparison into what the page draws, and the equivalent command line
//! and TOML overlay. Formatting only: every number comes from the core.

use crate::core_api::Edits;
use serde::Serialize;
use statecraft_core::compare::Comparison;
use statecraft_core::mc::{EventFreq, McResult};
use std::collections::BTreeSet;

#[derive(Clone, Debug, Serialize)]
pub struct Prop {
    pub p: f64,
    pub lo: f64,
    pub hi: f64,
    pub hits: u64,
    pub runs: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct DeltaView {
    pub delta: f64,
    pub lo: f64,
    pub hi: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct OutcomeRow {
    pub id: String,
    pub name: String,
    pub base: Prop,
    pub variant: Prop,
    pub delta: Option<DeltaView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SeriesView {
    pub key: String,
    /// Per round: the 5%, 25%, 50%, 75% and 95% quantiles across runs.
    pub base: Vec<[f64; 5]>,
    pub variant: Vec<[f64; 5]>,
}

#[derive(Clone, Debug, Serialize)]
pub struct EventRow {
    pub id: String,
    pub base: Option<Prop>,
    pub variant: Option<Prop>,
}

#[derive(Clone, Debug, Serialize)]
pub struct AllyRow {
    pub actor: String,
    pub base_mean: f64,
    pub variant_mean: f64,
    /// 5%, 25%, 50%, 75%, 95% quantiles of the final alignment across runs.
    pub base_q: [f64; 5],
    pub variant_q: [f64; 5],
}

#[derive(Clone, Debug, Serialize)]
pub struct RunView {
    pub scenario: String,
    pub runs: u64,
    pub seed: u64,
    pub generation: u64,
    pub command: String,
    pub overlay: String,
    pub outcomes: Vec<OutcomeRow>,
    pub series: Vec<SeriesView>,
    /// Every per-round series the runs recorded (ask for some by name in `series`).
    pub series_keys: Vec<String>,
    pub events: Vec<EventRow>,
    pub allies: Vec<AllyRow>,
    pub elapsed_ms: u64,
}

fn prop(e: &EventFreq) -> Prop {
    Prop {
        p: e.p,
        lo: e.lo,
        hi: e.hi,
        hits: e.runs_with,
        runs: e.total,
    }
}

/// Series drawn as fans when the request names none: the crisis-wide scalars and issue series.
fn default_series(key: &str) -> bool {
    key.starts_with("issue.") || matches!(key, "cohesion" | "pressure" | "threat")
}

fn allies(base: &McResult, variant: &McResult) -> Vec<AllyRow> {
    base.vars
        .iter()
        .filter_map(|(k, b)| {
            let actor = k.strip_prefix("alignment.")?;
            if actor.contains('.') {
                return None;
            }
            let v = variant.vars.get(k)?;
            Some(AllyRow {
                actor: actor.to_string(),
                base_mean: b.mean,
                variant_mean: v.mean,
                base_q: b.quantiles,
                variant_q: v.quantiles,
            })
        })
        .collect()
}

pub fn run_view(
    c: &Comparison,
    scenario: &str,
    command: String,
    overlay: String,
    generation: u64,
    elapsed_ms: u64,
    wanted: &[String],
) -> RunView {
    let outcomes = c
        .base
        .outcomes
        .iter()
        .map(|b| {
            let v = c.variant.outcome(&b.id);
            let d = c.deltas.iter().find(|d| d.outcome == b.id);
            let p = |o: &statecraft_core::mc::OutcomeProb| Prop {
                p: o.p,
                lo: o.lo,
                hi: o.hi,
                hits: o.hits,
                runs: o.runs,
            };
            OutcomeRow {
                id: b.id.clone(),
                name: b.name.clone(),
                base: p(b),
                variant: v.map(p).unwrap_or_else(|| p(b)),
                delta: d.map(|d| DeltaView {
                    delta: d.delta,
                    lo: d.lo,
                    hi: d.hi,
                }),
            }
        })
        .collect();
    let series = c
        .base
        .series
        .iter()
        .filter(|(k, _)| {
            if wanted.is_empty() {
                default_series(k)
            } else {
                wanted.contains(k)
            }
        })
        .map(|(k, b)| SeriesView {
            key: k.clone(),
            base: b.bands.clone(),
            variant: c
                .variant
                .series
                .get(k)
                .map(|v| v.bands.clone())
                .unwrap_or_default(),
        })
        .collect();
    let ids: BTreeSet<&String> = c
        .base
        .events
        .keys()
        .chain(c.variant.events.keys())
        .collect();
    let mut events: Vec<EventRow> = ids
        .into_iter()
        .map(|id| EventRow {
            id: id.clone(),
            base: c.base.events.get(id).map(prop),
            variant: c.variant.events.get(id).map(prop),
        })
        .collect();
    let top = |r: &EventRow| {
        let p = |x: &Option<Prop>| x.as_ref().map_or(0.0, |x| x.p);
        p(&r.base).max(p(&r.variant))
    };
    events.sort_by(|a, b| top(b).total_cmp(&top(a)).then_with(|| a.id.cmp(&b.id)));
    events.truncate(crate::limits::MAX_EVENT_ROWS);
    events.sort_by(|a, b| a.id.cmp(&b.id));
    RunView {
        scenario: scenario.to_string(),
        runs: c.runs,
        seed: c.seed,
        generation,
        command,
        overlay,
        outcomes,
        series,
        series_keys: c.base.series.keys().cloned().collect(),
        events,
        allies: allies(&c.base, &c.variant),
        elapsed_ms,
    }
}

/// Quote a word for a POSIX shell when it needs it.
fn sh(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The `statecraft run` command line that runs the variant world.
pub fn command(target: &str, runs: u64, seed: u64, edits: &Edits) -> String {
    let mut out = format!("statecraft run {} --runs {runs} --seed {seed}", sh(target));
    for (p, v) in &edits.set {
        out.push_str(&format!(" --set {}", sh(&format!("{p}={v}"))));
    }
    for a in &edits.without {
        out.push_str(&format!(" --without {}", sh(a)));
    }
    for d in &edits.disable {
        out.push_str(&format!(" --disable {}", sh(d)));
    }
    out
}

/// A TOML basic string (JSON's escapes are valid TOML escapes).
fn toml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The edits as a TOML overlay (`docs/serve.md`, "Overlay").
pub fn overlay(target: &str, runs: u64, seed: u64, edits: &Edits) -> String {
    let mut out = String::from("# statecraft what-if overlay (statecraft serve)\n");
    out.push_str(&format!(
        "scenario = {}\nruns = {runs}\nseed = {seed}\n",
        toml_str(target)
    ));
    let list = |v: Vec<String>| format!("[{}]", v.join(", "));
    out.push_str(&format!(
        "without = {}\ndisable = {}\n",
        list(edits.without.iter().map(|s| toml_str(s)).collect()),
        list(edits.disable.iter().map(|s| toml_str(s)).collect())
    ));
    out.push_str("\n[set]\n");
    for (p, v) in &edits.set {
        out.push_str(&format!("{} = {v:?}\n", toml_str(p)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edits() -> Edits {
        Edits {
            set: vec![("crisis.ally.uk.alignment".into(), 1.0)],
            without: vec!["cn".into()],
            disable: vec!["gate.jcs".into()],
        }
    }

    #[test]
    fn command_lists_every_edit_as_a_flag() {
        assert_eq!(
            command("greenland-2026", 1000, 1, &edits()),
            "statecraft run greenland-2026 --runs 1000 --seed 1 \
             --set crisis.ally.uk.alignment=1 --without cn --disable gate.jcs"
        );
        assert_eq!(sh("my file.toml"), "'my file.toml'");
        assert_eq!(sh("it's"), "'it'\\''s'");
    }

    #[test]
    fn overlay_is_toml_with_every_edit() {
        let t = overlay("greenland-2026", 500, 7, &edits());
        assert!(t.contains("scenario = \"greenland-2026\""), "{t}");
        assert!(t.contains("runs = 500\nseed = 7"), "{t}");
        assert!(
            t.contains("without = [\"cn\"]\ndisable = [\"gate.jcs\"]"),
            "{t}"
        );
        assert!(t.contains("\"crisis.ally.uk.alignment\" = 1.0"), "{t}");
    }
}
