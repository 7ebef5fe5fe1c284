//! The scenario model: what a crisis is made of (actors, issues, stances, sources, crisis layer),
//! parsed from TOML or CSV and validated with located errors.
//!
//! Types here are plain data. Parsing (`load`), validation (`validate`) and locating errors in the
//! source text (`error`) live in sibling modules.

/// `format!(…)` when `named`, else an empty (non-allocating) string: lets one traversal serve
/// both the named visit and the per-run, path-free one.
macro_rules! path_if {
    ($named:expr, $($fmt:tt)*) => {
        if $named {
            format!($($fmt)*)
        } else {
            String::new()
        }
    };
}
pub(crate) use path_if;

pub mod crisis;
pub mod date;
pub mod error;
pub mod load;
pub mod num;
pub mod outcome;
pub mod priors;

pub use crisis::*;
pub use date::{date_serde, Date};
pub use error::{ScenarioError, ScenarioErrors};
pub use num::{Dist, Domain, Num};
pub use outcome::*;

use serde::{Deserialize, Serialize};

/// A whole scenario file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Metadata: id, title, `as_of`, horizon.
    pub scenario: Meta,
    #[serde(default)]
    pub sources: Vec<Source>,
    #[serde(default)]
    pub actors: Vec<Actor>,
    #[serde(default)]
    pub issues: Vec<Issue>,
    #[serde(default)]
    pub stances: Vec<Stance>,
    /// Named outcome classes (predicates on the final state).
    #[serde(default)]
    pub outcomes: Vec<OutcomeClass>,
    /// Named counterfactuals with an expected direction of change.
    #[serde(default)]
    pub hypotheses: Vec<Hypothesis>,
    /// Forecast questions with resolution criteria and dates.
    #[serde(default)]
    pub questions: Vec<Question>,
    /// `[params]`: named numbers that predicates read as `params.<name>` (thresholds such as
    /// `position.dk.mil_rights >= params.deal`), sampled like any other number (path
    /// `params.<name>`, declared domain unbounded: a param's range is its distribution's).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub params: std::collections::BTreeMap<String, Num>,
    /// Crisis layer (time, events, options, gates, alliance cascade). Empty for a plain
    /// bargaining scenario.
    #[serde(default, skip_serializing_if = "CrisisSpec::is_empty")]
    pub crisis: CrisisSpec,
    /// Crisis-layer elements switched off (by a counterfactual's `disable` edit, or by hand):
    /// ids such as `gate.jcs`, `event.summit`. The crisis model skips them; Monte Carlo records
    /// var `disabled.<id>` = 1 in every run.
    #[serde(default, skip_serializing_if = "std::collections::BTreeSet::is_empty")]
    pub disabled: std::collections::BTreeSet<String>,
    /// The crisis layer's predicates, parsed once by the loader (a cache, not data: never
    /// serialised, never compared).
    #[serde(skip)]
    pub predicates: crate::expr::Predicates,
    /// `[model]`: the bargaining model and its options (`docs/scenario.md`); empty = the
    /// default model. Checked against the model registry when loaded.
    #[serde(default, skip_serializing_if = "crate::models::ModelSpec::is_empty")]
    pub model: crate::models::ModelSpec,
    /// `use = "priors.toml"`: a priors file (`statecraft fit -o`) whose fitted constants the
    /// loader applies to this scenario's numbers (docs/scenario.md, "Priors"). After loading it
    /// is `None` and [`Scenario::applied_priors`] says what was applied.
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    pub uses: Option<String>,
    /// The constants applied from a `use`d priors file (the numbers above already include
    /// them; loading a scenario that carries this table applies nothing again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_priors: Option<priors::AppliedPriors>,
}

/// Scenario metadata.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Information cut-off: no source may be dated after it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "date_serde::option"
    )]
    pub as_of: Option<Date>,
    /// Last date simulated.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "date_serde::option"
    )]
    pub horizon: Option<Date>,
    /// Days per simulated round (crisis layer); 7 = one round a week.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round_days: Option<u32>,
}

/// Where a number comes from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: String,
    pub title: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "date_serde::option"
    )]
    pub date: Option<Date>,
    /// e.g. "news", "official", "dataset", "treaty", "statute", "poll", "analysis", "assumption".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// 0 (worthless) … 1 (certain). Hedged, anonymous claims get less.
    #[serde(default = "one")]
    pub reliability: f64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub url: String,
    /// For the seed article: the paragraphs (¶1–¶30) this source entry stands for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paragraphs: Vec<u32>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

fn one() -> f64 {
    1.0
}

/// What kind of thing an actor is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActorKind {
    #[default]
    State,
    Faction,
    Institution,
    Person,
    Organization,
}

/// A participant in the crisis.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub kind: ActorKind,
    /// The actor this one belongs to (a faction's state, a minister's government).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Groups such as "NATO", "EU".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Capability (only ratios matter to the bargaining models).
    pub capability: Num,
    /// True for actors the seed article leaves out and the analyst added.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub added: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// A labelled point on an issue scale.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Anchor {
    pub value: f64,
    pub label: String,
}

/// One policy dimension.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Issue {
    pub id: String,
    pub name: String,
    pub min: f64,
    pub max: f64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub anchors: Vec<Anchor>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub unit: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// An actor's stance on an issue: where it stands and how much it cares (salience 0–1).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stance {
    pub actor: String,
    pub issue: String,
    pub position: Num,
    pub salience: Num,
}

impl Scenario {
    /// The bargaining problem of the scenario (the one conversion every model input goes
    /// through): every actor with a stance on at least one issue (in scenario order) × every
    /// issue. A missing stance = the issue midpoint with salience 0. Stances naming unknown
    /// actors or issues are ignored (validation reports them).
    pub fn problem(&self) -> crate::models::Problem {
        let scn = self;
        let dims: Vec<crate::models::Dim> = scn
            .issues
            .iter()
            .map(|i| crate::models::Dim {
                id: i.id.clone(),
                min: i.min,
                max: i.max,
            })
            .collect();
        let mut actors = Vec::new();
        let mut capability = Vec::new();
        let mut position = Vec::new();
        let mut salience = Vec::new();
        for a in &scn.actors {
            let stances: Vec<_> = scn.stances.iter().filter(|s| s.actor == a.id).collect();
            if !stances.iter().any(|s| scn.issue_index(&s.issue).is_some()) {
                continue;
            }
            let mut pos: Vec<f64> = scn.issues.iter().map(|i| 0.5 * (i.min + i.max)).collect();
            let mut sal = vec![0.0; dims.len()];
            for s in stances {
                if let Some(d) = scn.issue_index(&s.issue) {
                    pos[d] = s.position.value;
                    sal[d] = s.salience.value;
                }
            }
            actors.push(a.id.clone());
            capability.push(a.capability.value);
            position.push(pos);
            salience.push(sal);
        }
        crate::models::Problem {
            actors,
            capability,
            dims,
            position,
            salience,
        }
    }

    /// Index of the actor with this id.
    pub fn actor_index(&self, id: &str) -> Option<usize> {
        self.actors.iter().position(|a| a.id == id)
    }
    /// Index of the issue with this id.
    pub fn issue_index(&self, id: &str) -> Option<usize> {
        self.issues.iter().position(|i| i.id == id)
    }
    /// Visit every number of the scenario with a stable dotted path (e.g.
    /// `stance.us.mil_rights.position`, `actor.uk.capability`). Samplers, sensitivity
    /// analysis and `--set` all work through this one door.
    pub fn visit_nums_mut(&mut self, f: &mut dyn FnMut(&str, &mut Num)) {
        self.visit_nums_impl(true, &mut |p, _, n| f(p, n))
    }

    /// [`Self::visit_nums_mut`] with each number's declared [`Domain`]: the range every value
    /// of it (nominal, distribution support, `--set`, sampled) must lie in. The table of
    /// domains is in `docs/scenario.md`; it is declared here, by the format, not guessed from
    /// values or path names.
    pub fn visit_nums_declared(&mut self, f: &mut dyn FnMut(&str, Domain, &mut Num)) {
        self.visit_nums_impl(true, f)
    }

    /// The declared domain of the number at `path`, or `None` when the scenario has no such
    /// number.
    pub fn declared_domain(&self, path: &str) -> Option<Domain> {
        let mut s = self.clone();
        let mut found = None;
        s.visit_nums_impl(true, &mut |p, d, _| {
            if found.is_none() && p == path {
                found = Some(d);
            }
        });
        found
    }

    /// Visit every number in the order of [`Self::visit_nums_mut`]; when `named` is false the
    /// paths are empty (no string formatting: the per-run sampling path).
    pub(crate) fn visit_nums_impl(
        &mut self,
        named: bool,
        f: &mut dyn FnMut(&str, Domain, &mut Num),
    ) {
        self.visit_nums_at(named, &mut |p, d, _, n| f(p, d, n))
    }

    /// [`Self::visit_nums_impl`] also giving each number's address ([`NumAt`]). This one walk
    /// fixes the visit order, the paths, the domains and the addresses together, so that
    /// [`Self::num_at`] reaches exactly the number visited with that address: a sampler
    /// records its inputs' addresses once and then writes each run's values straight into
    /// them instead of walking every number of the scenario per run.
    pub(crate) fn visit_nums_at(
        &mut self,
        named: bool,
        f: &mut dyn FnMut(&str, Domain, NumAt, &mut Num),
    ) {
        // the issues are read in place (the walk writes only numbers, never an issue's
        // scale): nothing is allocated per walk
        let issues = &self.issues;
        let scale = |id: &str| {
            issues
                .iter()
                .find(|i| i.id == id)
                .map_or(Domain::UNBOUNDED, |i| Domain::new(i.min, i.max))
        };
        for (k, a) in self.actors.iter_mut().enumerate() {
            f(
                &path_if!(named, "actor.{}.capability", a.id),
                Domain::NON_NEGATIVE,
                NumAt::ActorCapability(k),
                &mut a.capability,
            );
        }
        for (k, s) in self.stances.iter_mut().enumerate() {
            f(
                &path_if!(named, "stance.{}.{}.position", s.actor, s.issue),
                scale(&s.issue),
                NumAt::StancePosition(k),
                &mut s.position,
            );
            f(
                &path_if!(named, "stance.{}.{}.salience", s.actor, s.issue),
                Domain::UNIT,
                NumAt::StanceSalience(k),
                &mut s.salience,
            );
        }
        let crisis_scale = self
            .crisis
            .issue
            .as_deref()
            .map(scale)
            .or_else(|| issues.first().map(|i| Domain::new(i.min, i.max)))
            .unwrap_or(Domain::UNBOUNDED);
        self.crisis
            .visit_nums_at(named, crisis_scale, &mut |p, d, at, n| {
                f(p, d, NumAt::Crisis(at), n)
            });
        // Last, so that adding params moves no other number's slot (draws are keyed by path
        // anyway: `sample::Sampler`).
        for (k, (name, n)) in self.params.iter_mut().enumerate() {
            f(
                &path_if!(named, "params.{name}"),
                Domain::UNBOUNDED,
                NumAt::Param(k),
                n,
            );
        }
    }

    /// The number at `at` (as [`Self::visit_nums_at`] addresses it), or `None` when the
    /// scenario has no such element. A param is found by its rank in the map (a walk of the
    /// params; they come last and are few). Inlined: one call per uncertain input per run.
    #[inline(always)]
    pub(crate) fn num_at(&mut self, at: NumAt) -> Option<&mut Num> {
        match at {
            NumAt::ActorCapability(k) => Some(&mut self.actors.get_mut(k)?.capability),
            NumAt::StancePosition(k) => Some(&mut self.stances.get_mut(k)?.position),
            NumAt::StanceSalience(k) => Some(&mut self.stances.get_mut(k)?.salience),
            NumAt::Crisis(c) => self.crisis.num_at(c),
            NumAt::Param(k) => self.params.values_mut().nth(k),
        }
    }

    /// The value of param `name` (`[params]`), as a predicate reads `params.<name>`.
    pub fn param(&self, name: &str) -> Option<f64> {
        self.params.get(name).map(|n| n.value)
    }
}

/// Where a number of a [`Scenario`] lives (see [`Scenario::visit_nums_at`]): an index into
/// the actors, the stances or (by rank) the params, or a place in the crisis spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumAt {
    ActorCapability(usize),
    StancePosition(usize),
    StanceSalience(usize),
    Crisis(CrisisAt),
    Param(usize),
}

impl Issue {
    /// The anchor closest to `x` (the lower one on a tie), for labelling an outcome.
    pub fn nearest_anchor(&self, x: f64) -> Option<&Anchor> {
        let mut best: Option<&Anchor> = None;
        for a in &self.anchors {
            let d = (a.value - x).abs();
            match best {
                Some(b) if (b.value - x).abs() < d => {}
                Some(b) if (b.value - x).abs() == d && b.value <= a.value => {}
                _ => best = Some(a),
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = include_str!("../../../../docs/scenario.schema.json");

    fn keys(v: &serde_json::Value) -> Vec<String> {
        v.as_object().unwrap().keys().cloned().collect()
    }

    /// The JSON Schema for editors is valid JSON and lists exactly the keys the loader accepts:
    /// every top-level key of `Scenario` and every field of the tables this module defines.
    /// (A field added to a struct without a schema entry fails here.)
    #[test]
    fn schema_matches_the_structs() {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
        let mut top = keys(&serde_json::to_value(Scenario::default()).unwrap());
        top.push("crisis".into()); // skipped when empty
        let props = keys(&schema["properties"]);
        for k in &top {
            assert!(props.contains(k), "schema lacks top-level key `{k}`");
        }
        let full_num = Num {
            value: 1.0,
            dist: None,
            source: Some("s".into()),
            confidence: Some(0.5),
            ..Default::default()
        };
        let day = Date::from_ymd_opt(2026, 1, 1);
        let samples: Vec<(&str, serde_json::Value)> = vec![
            (
                "meta",
                serde_json::to_value(Meta {
                    description: "d".into(),
                    as_of: day,
                    horizon: day,
                    round_days: Some(7),
                    ..Default::default()
                })
                .unwrap(),
            ),
            (
                "source",
                serde_json::to_value(Source {
                    date: day,
                    kind: "k".into(),
                    url: "u".into(),
                    paragraphs: vec![1],
                    note: "n".into(),
                    ..Default::default()
                })
                .unwrap(),
            ),
            (
                "actor",
                serde_json::to_value(Actor {
                    parent: Some("p".into()),
                    groups: vec!["g".into()],
                    added: true,
                    note: "n".into(),
                    capability: full_num.clone(),
                    ..Default::default()
                })
                .unwrap(),
            ),
            (
                "issue",
                serde_json::to_value(Issue {
                    anchors: vec![Anchor::default()],
                    unit: "u".into(),
                    description: "d".into(),
                    ..Default::default()
                })
                .unwrap(),
            ),
            ("anchor", serde_json::to_value(Anchor::default()).unwrap()),
            ("stance", serde_json::to_value(Stance::default()).unwrap()),
        ];
        for (def, sample) in samples {
            let want = keys(&sample);
            let have = keys(&schema["definitions"][def]["properties"]);
            let mut w = want.clone();
            let mut h = have.clone();
            w.sort();
            h.sort();
            assert_eq!(w, h, "definitions.{def} differs from the struct");
        }
    }

    /// The field names a struct accepts, read from serde's `deny_unknown_fields` error (which
    /// lists them all), so the check needs no hand-made sample of each struct.
    fn fields<T: serde::de::DeserializeOwned>() -> Vec<String> {
        let msg = match serde_json::from_str::<T>(r#"{"__not_a_field__": 0}"#) {
            Ok(_) => panic!("{} accepts unknown fields", std::any::type_name::<T>()),
            Err(e) => e.to_string(),
        };
        assert!(msg.starts_with("unknown field"), "{msg}");
        let tail = msg.split_once("expected").map_or("", |x| x.1);
        let tail = tail.split(" at line").next().unwrap_or("");
        let mut out: Vec<String> = tail
            .split('`')
            .skip(1)
            .step_by(2)
            .map(String::from)
            .collect();
        out.sort();
        out
    }

    fn schema_props(schema: &serde_json::Value, def: &str) -> Vec<String> {
        let mut have = keys(&schema["definitions"][def]["properties"]);
        have.sort();
        have
    }

    /// Every table of the uncertainty and crisis layers has a schema definition with exactly
    /// the struct's keys, and the top-level keys are exactly `Scenario`'s.
    #[test]
    fn schema_matches_the_uncertainty_and_crisis_structs() {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
        let mut top = keys(&schema["properties"]);
        top.sort();
        assert_eq!(top, fields::<Scenario>(), "top-level keys");
        let checks: Vec<(&str, Vec<String>)> = vec![
            ("meta", fields::<Meta>()),
            ("outcome", fields::<OutcomeClass>()),
            ("hypothesis", fields::<Hypothesis>()),
            ("counterfactual", fields::<Counterfactual>()),
            ("question", fields::<Question>()),
            ("crisis", fields::<CrisisSpec>()),
            ("crisis_bargaining", fields::<BargainingSpec>()),
            ("crisis_coercion", fields::<CoercionSpec>()),
            ("crisis_volatility", fields::<Volatility>()),
            ("crisis_influence", fields::<Influence>()),
            ("effect", fields::<Effect>()),
            ("crisis_event", fields::<Event>()),
            ("crisis_option", fields::<CrisisOption>()),
            ("crisis_gate", fields::<Gate>()),
            ("crisis_ally", fields::<Ally>()),
            ("crisis_link", fields::<Link>()),
            ("crisis_alliance", fields::<AllianceSpec>()),
            ("crisis_alliance_rule", fields::<AllianceRule>()),
            ("model", fields::<crate::models::ModelSpec>()),
            ("model_options", fields::<crate::models::ModelOptions>()),
            ("model_smp", fields::<crate::models::smp::SmpParams>()),
        ];
        for (def, want) in checks {
            assert!(!want.is_empty(), "{def}: no fields read");
            assert_eq!(schema_props(&schema, def), want, "definitions.{def}");
        }
        let mut eum =
            keys(&serde_json::to_value(crate::models::eum::EumOptions::scholz()).unwrap());
        eum.sort();
        assert_eq!(
            schema_props(&schema, "model_eum"),
            eum,
            "definitions.model_eum"
        );
        let ids = schema["definitions"]["model"]["properties"]["id"]["enum"].clone();
        assert_eq!(
            ids,
            serde_json::json!(crate::models::IDS),
            "definitions.model.id lists the registry"
        );
        // nested inline tables
        let opt = &schema["definitions"]["crisis_option"]["properties"];
        let mut push = keys(&opt["alliance"]["properties"]);
        push.sort();
        assert_eq!(push, fields::<AlliancePush>(), "crisis_option.alliance");
        let gate = &schema["definitions"]["crisis_gate"]["properties"];
        let mut clock = keys(&gate["clock"]["properties"]);
        clock.sort();
        assert_eq!(clock, fields::<Clock>(), "crisis_gate.clock");
        // every $ref resolves
        let text = SCHEMA;
        for part in text.split("\"#/definitions/").skip(1) {
            let name = part.split('"').next().unwrap();
            assert!(
                schema["definitions"].get(name).is_some(),
                "dangling $ref to `{name}`"
            );
        }
    }

    #[test]
    fn nearest_anchor_prefers_lower_on_tie() {
        let is = Issue {
            anchors: [0.0, 50.0, 100.0]
                .iter()
                .map(|v| Anchor {
                    value: *v,
                    label: format!("a{v}"),
                })
                .collect(),
            ..Default::default()
        };
        assert_eq!(is.nearest_anchor(24.0).unwrap().value, 0.0);
        assert_eq!(is.nearest_anchor(25.0).unwrap().value, 0.0);
        assert_eq!(is.nearest_anchor(26.0).unwrap().value, 50.0);
        assert_eq!(is.nearest_anchor(1e9).unwrap().value, 100.0);
        assert!(Issue::default().nearest_anchor(1.0).is_none());
    }
}
