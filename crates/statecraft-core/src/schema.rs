//! The output schema of a scenario: every outcome class, forecast question, variable and series
//! a run records, each with its kind (binary, count, day, continuous with unit and range,
//! categorical). Declared here once, from the scenario, so that checks (`scenario::load`'s
//! predicate-name check), aggregation (a variable's range) and renderers read one typed list
//! instead of inferring meaning from a name's last word.
//!
//! What a run records is the contract of `engine::simulate_once` (bargaining scenarios) and
//! `crisis::simulate` (crisis scenarios); `tests/schema.rs` runs both and checks that every
//! recorded name is in the schema with a value of its kind, and that every schema entry a run
//! always records is present.

use crate::scenario::Scenario;
use serde::Serialize;

/// What values a variable takes.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Kind {
    /// 0 or 1.
    Binary,
    /// A non-negative integer, at most `max` when the scenario bounds it.
    Count {
        #[serde(skip_serializing_if = "Option::is_none")]
        max: Option<u64>,
    },
    /// Days after the scenario's `as_of` (a predicate's date literal compares with it).
    Day,
    /// A real number in `[min, max]` (`None` = unbounded on that side), in `unit`.
    Continuous {
        min: Option<f64>,
        max: Option<f64>,
        #[serde(skip_serializing_if = "String::is_empty")]
        unit: String,
    },
    /// One of `values`, with a label each.
    Categorical {
        values: Vec<f64>,
        labels: Vec<&'static str>,
    },
}

impl Kind {
    fn continuous(min: f64, max: f64, unit: &str) -> Kind {
        Kind::Continuous {
            min: min.is_finite().then_some(min.min(max)),
            max: max.is_finite().then_some(max.max(min)),
            unit: unit.to_string(),
        }
    }

    /// Whether `x` is a value of this kind (for tests and checks).
    pub fn admits(&self, x: f64) -> bool {
        match self {
            Kind::Binary => x == 0.0 || x == 1.0,
            Kind::Count { max } => {
                x >= 0.0 && x.fract() == 0.0 && max.is_none_or(|m| x <= m as f64)
            }
            Kind::Day => x.is_finite() && x.fract() == 0.0,
            Kind::Continuous { min, max, .. } => {
                x.is_nan()
                    || (min.is_none_or(|m| x >= m - 1e-9) && max.is_none_or(|m| x <= m + 1e-9))
            }
            Kind::Categorical { values, .. } => values.contains(&x),
        }
    }

    /// The declared range `(min, max)`, when both ends are finite.
    pub fn range(&self) -> Option<(f64, f64)> {
        match self {
            Kind::Binary => Some((0.0, 1.0)),
            Kind::Continuous {
                min: Some(a),
                max: Some(b),
                ..
            } => Some((*a, *b)),
            Kind::Categorical { values, .. } => {
                let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                (lo <= hi).then_some((lo, hi))
            }
            _ => None,
        }
    }
}

/// One variable a run records.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VarSpec {
    pub name: String,
    #[serde(flatten)]
    pub kind: Kind,
    /// `true` if every run records it; `false` if only some do (an option's `.day` exists only
    /// in runs that took it; a predicate reading a missing variable is false).
    pub always: bool,
    /// What it is, in words.
    pub about: String,
}

/// One outcome class or forecast question: a binary output defined by a predicate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Indicator {
    pub id: String,
    pub name: String,
    pub when: String,
}

/// Everything a run of a scenario records, typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct OutputSchema {
    pub outcomes: Vec<Indicator>,
    pub questions: Vec<Indicator>,
    pub vars: Vec<VarSpec>,
    /// Per-round series (round 0 = the start), each of the kind of the var of the same name.
    pub series: Vec<VarSpec>,
}

impl OutputSchema {
    /// The spec of variable `name`.
    pub fn var(&self, name: &str) -> Option<&VarSpec> {
        self.vars
            .binary_search_by(|v| v.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.vars[i])
    }

    /// Every variable name, sorted.
    pub fn var_names(&self) -> impl Iterator<Item = &str> {
        self.vars.iter().map(|v| v.name.as_str())
    }

    /// How many variables of each kind: (binary, count, day, continuous, categorical).
    pub fn kind_counts(&self) -> [usize; 5] {
        let mut c = [0; 5];
        for v in &self.vars {
            c[match v.kind {
                Kind::Binary => 0,
                Kind::Count { .. } => 1,
                Kind::Day => 2,
                Kind::Continuous { .. } => 3,
                Kind::Categorical { .. } => 4,
            }] += 1;
        }
        c
    }
}

/// The alignment categories of the alliance cascade (docs/crisis.md §5).
const ALIGNMENT: [(f64, &str); 3] = [(-1.0, "target"), (0.0, "neutral"), (1.0, "initiator")];

fn alignment_kind() -> Kind {
    Kind::Categorical {
        values: ALIGNMENT.iter().map(|a| a.0).collect(),
        labels: ALIGNMENT.iter().map(|a| a.1).collect(),
    }
}

/// The output schema of `scn` (with its edits applied, e.g. `disabled`, if any).
pub fn outputs(scn: &Scenario) -> OutputSchema {
    let mut vars = Vec::new();
    let mut series = Vec::new();
    let mut push = |name: String, kind: Kind, always: bool, about: String| {
        vars.push(VarSpec {
            name,
            kind,
            always,
            about,
        });
    };
    let crisis = !scn.crisis.is_empty();
    for i in &scn.issues {
        let k = Kind::continuous(i.min, i.max, &i.unit);
        let (med, mean) = (format!("issue.{}", i.id), format!("issue.{}.mean", i.id));
        let about = |w: &str| format!("{w} of issue {} after the last round", i.id);
        if !crisis {
            for (n, w) in [(&med, "median"), (&mean, "mean")] {
                series.push(VarSpec {
                    name: n.clone(),
                    kind: k.clone(),
                    always: true,
                    about: format!("capability×salience-weighted {w} per round"),
                });
            }
        }
        push(
            med,
            k.clone(),
            true,
            about("capability×salience-weighted median"),
        );
        push(mean, k, true, about("capability×salience-weighted mean"));
    }
    for st in &scn.stances {
        let Some(i) = scn.issues.iter().find(|i| i.id == st.issue) else {
            continue;
        };
        let name = format!("position.{}.{}", st.actor, st.issue);
        let k = Kind::continuous(i.min, i.max, &i.unit);
        series.push(VarSpec {
            name: name.clone(),
            kind: k.clone(),
            always: true,
            about: format!("{}'s position per round", st.actor),
        });
        push(
            name,
            k,
            true,
            format!(
                "{}'s position on {} after the last round",
                st.actor, st.issue
            ),
        );
    }
    let declared = param_domains(scn);
    for name in scn.params.keys() {
        let (lo, hi) = declared
            .iter()
            .find(|(p, _, _)| p == name)
            .map_or((f64::NEG_INFINITY, f64::INFINITY), |(_, a, b)| (*a, *b));
        push(
            format!("params.{name}"),
            Kind::continuous(lo, hi, ""),
            true,
            format!("[params] {name}: this run's sampled value"),
        );
    }
    for d in &scn.disabled {
        push(
            format!("disabled.{d}"),
            Kind::Binary,
            true,
            format!("1: `{d}` is switched off in this experiment"),
        );
    }
    if crisis {
        let c = &scn.crisis;
        for d in &c.disabled {
            if !scn.disabled.contains(d) {
                push(
                    format!("disabled.{d}"),
                    Kind::Binary,
                    true,
                    format!("1: `{d}` is switched off in this scenario"),
                );
            }
        }
        let unit = Kind::continuous(0.0, 1.0, "");
        push(
            "cohesion".into(),
            unit.clone(),
            true,
            "alliance cohesion at the horizon (docs/crisis.md §5)".into(),
        );
        series.push(VarSpec {
            name: "cohesion".into(),
            kind: unit.clone(),
            always: true,
            about: "alliance cohesion per round".into(),
        });
        push(
            "cohesion.min".into(),
            unit.clone(),
            true,
            "lowest cohesion of any round".into(),
        );
        push(
            "withdrawals".into(),
            Kind::Count {
                max: Some(c.allies.len() as u64),
            },
            true,
            "withdrawal notices given".into(),
        );
        push(
            "pressure".into(),
            Kind::continuous(0.0, f64::INFINITY, ""),
            true,
            "deadline pressure at the horizon (docs/crisis.md, Deadline pressure)".into(),
        );
        push(
            "threat".into(),
            unit,
            true,
            "the initiator's threat at the horizon (docs/crisis.md §4)".into(),
        );
        for o in &c.options {
            let p = format!("option.{}", o.id);
            push(
                format!("{p}.taken"),
                Kind::Binary,
                true,
                format!("1: option {} was carried out", o.id),
            );
            push(
                format!("{p}.day"),
                Kind::Day,
                false,
                format!("day option {} was carried out (runs that took it)", o.id),
            );
            push(
                format!("{p}.orders"),
                Kind::Count { max: None },
                true,
                format!("orders of option {} (substitutions included)", o.id),
            );
            push(
                format!("{p}.withdrawn"),
                Kind::Binary,
                false,
                format!("1: option {} was withdrawn under a statutory clock", o.id),
            );
        }
        for a in &c.allies {
            let id = &a.actor;
            push(
                format!("alignment.{id}"),
                alignment_kind(),
                true,
                format!("{id}'s alignment at the horizon: −1 target, 0 neutral, +1 initiator"),
            );
            series.push(VarSpec {
                name: format!("alignment.{id}"),
                kind: alignment_kind(),
                always: true,
                about: format!("{id}'s alignment per round"),
            });
            for (f, side) in [("plus_day", "initiator"), ("minus_day", "target")] {
                push(
                    format!("alignment.{id}.{f}"),
                    Kind::Day,
                    false,
                    format!("first day {id} backed the {side}"),
                );
            }
            push(
                format!("withdrawal.{id}.day"),
                Kind::Day,
                false,
                format!("day {id} gave withdrawal notice"),
            );
            push(
                format!("withdrawal.{id}.effective_day"),
                Kind::Day,
                false,
                format!("day {id}'s withdrawal takes effect (notice + notice_days)"),
            );
        }
    }
    vars.sort_by(|a, b| a.name.cmp(&b.name));
    vars.dedup_by(|a, b| a.name == b.name);
    series.sort_by(|a, b| a.name.cmp(&b.name));
    series.dedup_by(|a, b| a.name == b.name);
    let ind = |id: &str, name: &str, when: &str| Indicator {
        id: id.into(),
        name: name.into(),
        when: when.into(),
    };
    OutputSchema {
        outcomes: scn
            .outcomes
            .iter()
            .map(|o| ind(&o.id, &o.name, &o.when))
            .collect(),
        questions: scn
            .questions
            .iter()
            .map(|q| ind(&q.id, &q.title, &q.when))
            .collect(),
        vars,
        series,
    }
}

/// `(name, min, max)` of every `[params]` number's declared domain.
fn param_domains(scn: &Scenario) -> Vec<(String, f64, f64)> {
    let mut s = scn.clone();
    let mut out = Vec::new();
    s.visit_nums_declared(&mut |path, d, _| {
        if let Some(name) = path.strip_prefix("params.") {
            out.push((name.to_string(), d.min, d.max));
        }
    });
    out
}
