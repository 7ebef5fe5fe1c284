//! The scenario model: what a crisis is made of (actors, issues, stances, sources, crisis layer),
//! parsed from TOML or CSV and validated with located errors.
//!
//! Types here are plain data. Parsing (`load`), validation (`validate`) and locating errors in the
//! source text (`error`) live in sibling modules.

pub mod crisis;
pub mod error;
pub mod load;
pub mod num;
pub mod outcome;

pub use crisis::*;
pub use error::{ScenarioError, ScenarioErrors};
pub use num::{Dist, Num};
pub use outcome::*;

use serde::{Deserialize, Serialize};

/// A calendar date (no time of day).
pub type Date = chrono::NaiveDate;

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
    /// Crisis layer (time, events, options, gates, alliance cascade). Empty for a plain
    /// bargaining scenario.
    #[serde(default, skip_serializing_if = "CrisisSpec::is_empty")]
    pub crisis: CrisisSpec,
    /// Crisis-layer elements switched off (by a counterfactual's `disable` edit, or by hand):
    /// ids such as `gate.jcs`, `event.summit`. The crisis model skips them; Monte Carlo records
    /// var `disabled.<id>` = 1 in every run.
    #[serde(default, skip_serializing_if = "std::collections::BTreeSet::is_empty")]
    pub disabled: std::collections::BTreeSet<String>,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<Date>,
    /// Last date simulated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
        for a in &mut self.actors {
            f(&format!("actor.{}.capability", a.id), &mut a.capability);
        }
        for s in &mut self.stances {
            f(
                &format!("stance.{}.{}.position", s.actor, s.issue),
                &mut s.position,
            );
            f(
                &format!("stance.{}.{}.salience", s.actor, s.issue),
                &mut s.salience,
            );
        }
        self.crisis.visit_nums_mut(f);
    }
}
