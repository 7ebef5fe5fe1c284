//! Crisis-layer scenario data: dated events, options, decision gates, the alliance influence
//! network and membership rules. (Data only; the simulation is in `crate::crisis`, the equations
//! in `docs/crisis.md`.)
//!
//! TOML lives under `[crisis]`: `[[crisis.events]]`, `[[crisis.options]]`, `[[crisis.gates]]`,
//! `[[crisis.allies]]`, `[[crisis.links]]`, `[[crisis.influence]]`, `[[crisis.volatility]]`,
//! `[crisis.alliance]` (with `[[crisis.alliance.rules]]`), `[crisis.bargaining]`,
//! `[crisis.coercion]`.
//!
//! Every number is a [`Num`] and is visited by [`CrisisSpec::visit_nums_mut`] under a stable
//! dotted path (`crisis.link.uk.fr.weight`, `crisis.gate.jcs.block`, ...), so samplers,
//! sensitivity analysis, `--set` and hypotheses reach it through one door.

use super::{Date, Domain, Num};
use serde::{Deserialize, Serialize};

/// Everything beyond plain bargaining. Empty for a bargaining-only scenario.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrisisSpec {
    /// The actor whose orders travel the decision chain and whose threats coerce the target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiator: Option<String>,
    /// The actor being coerced (its concession is modelled by `coercion`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The central issue the crisis is about (options' `level`s and gates' distances refer to it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bargaining: Option<BargainingSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coercion: Option<CoercionSpec>,
    /// Leader volatility (E1): per-round stance jumps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volatility: Vec<Volatility>,
    /// Within-state access and outside presence: one actor pulls another's position or raises
    /// its salience.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub influence: Vec<Influence>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<CrisisOption>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gates: Vec<Gate>,
    /// Actors taking part in the alignment cascade.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allies: Vec<Ally>,
    /// Directed, weighted influence edges of the alignment cascade.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alliance: Option<AllianceSpec>,
    /// Elements removed by [`CrisisSpec::disable`] (e.g. `gate.jcs`); recorded as
    /// `disabled.<id>` = 1 in every run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disabled: Vec<String>,
}

/// The per-round bargaining step on the crisis issues (see `docs/crisis.md` §2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BargainingSpec {
    /// The registered model that performs each week's bargaining round (`crisis-averaging`,
    /// `eum`, `eum-scholz`, `eum-printed`, `smp`; `models::step::CRISIS_IDS`). `None` =
    /// `crisis-averaging`. `--model` overrides it. See docs/crisis.md §2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// λ: fraction of the gap to the c·s-weighted mean an actor with salience 0 closes per round.
    #[serde(default = "default_rate")]
    pub rate: Num,
    /// Per-round rate at which `influence` links of kind `position` pull (E2 access).
    #[serde(default = "default_access")]
    pub access_rate: Num,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
}

impl Default for BargainingSpec {
    fn default() -> Self {
        BargainingSpec {
            model: None,
            rate: default_rate(),
            access_rate: default_access(),
            source: String::new(),
        }
    }
}

fn default_rate() -> Num {
    Num::new(0.05)
}
fn default_access() -> Num {
    Num::new(0.1)
}

/// Bargaining under threat (E7): how fast the target concedes once threats are made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoercionSpec {
    /// κ: maximum fraction of the gap to the initiator closed per round under full threat.
    pub rate: Num,
    /// δ: fraction of the threat Θ that erodes in a round after which no option with a
    /// positive `threat` was carried out (credibility decays unless renewed; docs/crisis.md §4).
    /// 0 = threat never falls by itself (the behaviour before issue 12).
    #[serde(default, skip_serializing_if = "is_default_num")]
    pub decay: Num,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
}

/// A time- or state-dependent factor on an option's weekly propensity (docs/crisis.md §3,
/// piecewise-constant proportional hazards): while `when` holds, the propensity is multiplied
/// by `factor`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Modifier {
    /// Predicate on the current state (grammar as in `when`; `day` reads the round's day).
    pub when: String,
    /// Multiplier of the propensity while `when` holds (≥ 0).
    pub factor: Num,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
}

/// A stance that may jump between rounds (E1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Volatility {
    pub actor: String,
    /// Issue id; defaults to the crisis issue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<String>,
    /// Probability of a jump in any one round.
    pub prob: Num,
    /// Size of a jump on the issue scale.
    pub size: Num,
    /// Probability that a jump goes up the scale (0.5 = symmetric).
    #[serde(default = "half")]
    pub up: Num,
    /// Size of the salience jump that comes with a position jump (up or down with equal
    /// probability; 0 = salience does not jump).
    #[serde(default)]
    pub salience: Num,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
}

/// A number left at its default (absent from the file): not serialised, so that adding a
/// defaulted key leaves older scenarios' serialised form (and `scenario_hash`) unchanged.
/// (The loader's `implied` certainty is not data: it does not count.)
fn is_default_num(n: &Num) -> bool {
    n.value == 0.0 && n.is_bare() && n.source.is_none()
}

fn half() -> Num {
    Num::new(0.5)
}

/// What an influence link moves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InfluenceKind {
    /// `to`'s position is pulled toward `from`'s (faction access to a leader).
    #[default]
    Position,
    /// `to`'s salience is raised by `weight · s_from · (1 − s_to)` (outside presence).
    Salience,
}

/// One actor acting on another's stance (E2 factions' access, E11 rivals' presence).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Influence {
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub kind: InfluenceKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<String>,
    pub weight: Num,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
}

/// How an effect combines with the current value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EffectOp {
    Set,
    #[default]
    Add,
    Mul,
}

/// A change to one simulation parameter. `param` names (see `docs/crisis.md` §3):
/// `position.<actor>.<issue>`, `salience.<actor>.<issue>`, `capability.<actor>`,
/// `option.<id>.available`, `option.<id>.propensity`, `pressure`, `threat`, `cohesion`,
/// `lean.<actor>`, `alignment.<actor>`, `withdraw.<actor>`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Effect {
    pub param: String,
    #[serde(default)]
    pub op: EffectOp,
    pub value: Num,
}

/// A dated event (summit, election, deadline) changing parameters on its date, and undoing the
/// change on `until` if given.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub id: String,
    pub name: String,
    pub date: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Date>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effects: Vec<Effect>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// Exogenous push an option gives every ally's alignment when it is carried out.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlliancePush {
    /// Added to every ally's pressure toward backing the target (−1).
    #[serde(default)]
    pub target: Num,
    /// Added to every ally's pressure toward backing the initiator (+1).
    #[serde(default)]
    pub initiator: Num,
}

fn yes() -> bool {
    true
}

/// A discrete course of action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrisisOption {
    pub id: String,
    pub name: String,
    /// Who orders it; defaults to the crisis initiator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// Free-form class: "force", "coercion", "compromise", "alternative", "withdrawal", ...
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// Precondition on the current state (predicate grammar as in outcomes). Empty = always.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub when: String,
    #[serde(default = "yes")]
    pub available: bool,
    /// Probability per round that the actor orders it while the precondition holds (not scaled
    /// by deadline pressure; multiplied by the factors of the `modifiers` that hold).
    pub propensity: Num,
    /// State- and time-dependent factors on the propensity (docs/crisis.md §3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modifiers: Vec<Modifier>,
    /// 0 = plainly unlawful … 1 = plainly lawful; gates resist unlawful orders.
    #[serde(default = "one_num")]
    pub legality: Num,
    /// Where on the crisis issue the option would put the outcome (for gates' distance term).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Num>,
    /// Gate ids the order must pass, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gates: Vec<String>,
    /// Cost to the target if carried out (−1…1); adds to the coercive threat Θ (kept in
    /// [0, 1]). Negative: an act that lowers the threat's bite (a target's resistance raising
    /// the cost of coercion, a counter-offer).
    #[serde(default)]
    pub threat: Num,
    #[serde(default)]
    pub alliance: AlliancePush,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effects: Vec<Effect>,
    /// Effects applied if a clock gate (War Powers) later forces the option to be undone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on_withdraw: Vec<Effect>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

fn one_num() -> Num {
    Num::new(1.0)
}

/// A statutory clock attached to a gate (e.g. the War Powers Resolution: report within 48 h,
/// withdraw after 60 days unless authorised, +30 days for a safe withdrawal).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clock {
    /// Report due this many days after the action (48 h = 2).
    pub report_days: u32,
    /// Days after the report before authorisation is needed.
    pub limit_days: u32,
    /// Extra days allowed for a safe withdrawal.
    #[serde(default)]
    pub extension_days: u32,
}

/// One step of a decision chain: an actor who can pass, delay, block or substitute an order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gate {
    pub id: String,
    pub name: String,
    /// The actor whose stance drives the gate.
    pub actor: String,
    /// β₀: log-odds that the gate stops an order when nothing else counts.
    pub block: Num,
    /// β_d: weight on the gate actor's salience × distance between its position and the
    /// option's level (normalised 0–1).
    #[serde(default)]
    pub w_position: Num,
    /// β_L: weight on the option's illegality (1 − legality).
    #[serde(default)]
    pub w_legality: Num,
    /// Share of stops that are delays (the order waits a round).
    #[serde(default)]
    pub delay: Num,
    /// Share of stops that substitute another option (when one is available).
    #[serde(default)]
    pub substitute: Num,
    /// Option ids this gate offers instead, in order of preference.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub substitutes: Vec<String>,
    /// An order delayed this many rounds lapses.
    #[serde(default = "default_max_delays")]
    pub max_delays: u32,
    /// If set, the gate does not stop the order beforehand but judges it when the clock runs out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<Clock>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

fn default_max_delays() -> u32 {
    4
}

/// An actor in the alignment cascade.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ally {
    pub actor: String,
    /// Initial alignment: −1 back target, 0 neutral, +1 back initiator (rounded).
    #[serde(default)]
    pub alignment: Num,
    /// θ: weight of aligned in-neighbours (plus pushes) needed to tip.
    pub threshold: Num,
    /// Half-width of the uniform noise added to θ at the start of each run.
    #[serde(default)]
    pub noise: Num,
    /// Standing predisposition: > 0 adds pressure toward the initiator, < 0 toward the target.
    #[serde(default)]
    pub lean: Num,
    /// ≥ 0.5: alignment never changes (a party to the crisis, or a forced counterfactual).
    #[serde(default)]
    pub lock: Num,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
}

/// A directed influence edge `from → to` of the cascade.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub from: String,
    pub to: String,
    pub weight: Num,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
}

/// A membership rule, kept as data (treaty articles, statutes).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllianceRule {
    pub id: String,
    /// "consultation", "collective_defence", "withdrawal", "no_expulsion", "withdrawal_consent".
    pub kind: String,
    pub text: String,
    /// For `withdrawal_consent`: the member it binds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// For `withdrawal_consent`: the gate its withdrawal order must pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
}

/// The alliance whose cohesion is tracked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllianceSpec {
    pub name: String,
    /// Actors with this group are members.
    pub group: String,
    /// Days from a withdrawal notice to its effect (Art. 13: one year).
    #[serde(default = "default_notice")]
    pub notice_days: u32,
    /// Predicate under which a member backing the target may give notice.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub withdraw_when: String,
    /// Per-round probability of notice while `withdraw_when` holds.
    #[serde(default)]
    pub withdraw_prob: Num,
    /// Cohesion lost per withdrawal notice.
    #[serde(default)]
    pub withdrawal_damage: Num,
    /// β: weight of spatial alignment in the cascade (docs/crisis.md §5.1): each round an ally
    /// with a stance on the crisis issue is pulled toward the side whose position it is closer
    /// to by β·s_i·(|x_i − x_T| − |x_i − x_I|)/range. 0 = positions do not reach the cascade.
    #[serde(default, skip_serializing_if = "is_default_num")]
    pub position_weight: Num,
    /// Cohesion below this counts as fracture (for outcome predicates and reports).
    #[serde(default = "default_fracture")]
    pub fracture_cohesion: Num,
    /// If true, cohesion is measured over the members other than the initiator and the target
    /// (does the rest of the alliance hold together?); if false, over all members.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exclude_parties: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<AllianceRule>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
}

fn default_notice() -> u32 {
    365
}
fn default_fracture() -> Num {
    Num::new(0.5)
}

/// The domain an option's `threat` is sampled on: a threat (≥ 0) is a cost on [0, 1], a
/// resistance (< 0, lowering the threat) lives on [−1, 0], so sampling never flips the sign the
/// author gave; a distribution that spans both signs is sampled on [−1, 1] (docs/crisis.md §4).
pub fn threat_domain(n: &Num) -> Domain {
    let (lo, hi) = n.dist.as_ref().map_or((n.value, n.value), |d| d.support());
    if lo < 0.0 && hi > 0.0 {
        Domain::SIGNED_UNIT
    } else if lo < 0.0 || n.value < 0.0 {
        Domain::new(-1.0, 0.0)
    } else {
        Domain::UNIT
    }
}

impl CrisisSpec {
    pub fn is_empty(&self) -> bool {
        *self == CrisisSpec::default()
    }

    /// Remove an element by its qualified id (`gate.jcs`, `event.summit`, `option.invasion`,
    /// `link.uk.nl`, `influence.hardliners.us`, `volatility.us`, `ally.uk`, `actor.uk`) and
    /// record it in `disabled`. A removed gate is also dropped from every option's chain and a
    /// removed option from every gate's substitutes. `actor.<id>` (an actor removed by a
    /// `without` counterfactual) removes everything that refers to the actor: its ally entry,
    /// links, influence, volatility, the gates it holds (orders then pass them), the options it
    /// orders (all default-actor options if it is the initiator), and its initiator/target
    /// role; the simulation then reads its variables as absent. Returns false if nothing
    /// matched.
    pub fn disable(&mut self, id: &str) -> bool {
        let (kind, rest) = match id.split_once('.') {
            Some(p) => p,
            None => return false,
        };
        if kind == "actor" {
            return self.remove_actor(rest, id);
        }
        let before = self.count(kind);
        match kind {
            "gate" => {
                self.gates.retain(|g| g.id != rest);
                for o in &mut self.options {
                    o.gates.retain(|g| g != rest);
                }
            }
            "event" => self.events.retain(|e| e.id != rest),
            "option" => {
                self.options.retain(|o| o.id != rest);
                for g in &mut self.gates {
                    g.substitutes.retain(|s| s != rest);
                }
            }
            "link" => match rest.split_once('.') {
                Some((f, t)) => self.links.retain(|l| !(l.from == f && l.to == t)),
                None => return false,
            },
            "influence" => match rest.split_once('.') {
                Some((f, t)) => self.influence.retain(|l| !(l.from == f && l.to == t)),
                None => return false,
            },
            "volatility" => self.volatility.retain(|v| v.actor != rest),
            "ally" => {
                self.allies.retain(|a| a.actor != rest);
                self.links.retain(|l| l.from != rest && l.to != rest);
            }
            _ => return false,
        }
        let removed = self.count(kind) < before;
        if removed && !self.disabled.iter().any(|d| d == id) {
            self.disabled.push(id.to_string());
        }
        removed
    }

    /// Every id [`CrisisSpec::disable`] accepts for this spec (`gate.<id>`, `event.<id>`,
    /// `option.<id>`, `link.<from>.<to>`, `influence.<from>.<to>`, `volatility.<actor>`,
    /// `ally.<actor>`), for did-you-mean hints.
    pub fn element_ids(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        out.extend(self.gates.iter().map(|g| format!("gate.{}", g.id)));
        out.extend(self.events.iter().map(|e| format!("event.{}", e.id)));
        out.extend(self.options.iter().map(|o| format!("option.{}", o.id)));
        out.extend(
            self.links
                .iter()
                .map(|l| format!("link.{}.{}", l.from, l.to)),
        );
        out.extend(
            self.influence
                .iter()
                .map(|l| format!("influence.{}.{}", l.from, l.to)),
        );
        out.extend(
            self.volatility
                .iter()
                .map(|v| format!("volatility.{}", v.actor)),
        );
        out.extend(self.allies.iter().map(|a| format!("ally.{}", a.actor)));
        out
    }

    fn remove_actor(&mut self, a: &str, id: &str) -> bool {
        let size = |c: &CrisisSpec| {
            c.allies.len()
                + c.links.len()
                + c.influence.len()
                + c.volatility.len()
                + c.gates.len()
                + c.options.len()
        };
        let before = size(self);
        let was_initiator = self.initiator.as_deref() == Some(a);
        let was_target = self.target.as_deref() == Some(a);
        self.allies.retain(|x| x.actor != a);
        self.links.retain(|l| l.from != a && l.to != a);
        self.influence.retain(|l| l.from != a && l.to != a);
        self.volatility.retain(|v| v.actor != a);
        let gates: Vec<String> = self
            .gates
            .iter()
            .filter(|g| g.actor == a)
            .map(|g| g.id.clone())
            .collect();
        for g in &gates {
            self.gates.retain(|x| &x.id != g);
            for o in &mut self.options {
                o.gates.retain(|x| x != g);
            }
        }
        let opts: Vec<String> = self
            .options
            .iter()
            .filter(|o| match &o.actor {
                Some(x) => x == a,
                None => was_initiator,
            })
            .map(|o| o.id.clone())
            .collect();
        for o in &opts {
            self.options.retain(|x| &x.id != o);
            for g in &mut self.gates {
                g.substitutes.retain(|s| s != o);
            }
            let oid = format!("option.{o}");
            if !self.disabled.contains(&oid) {
                self.disabled.push(oid);
            }
        }
        if was_initiator {
            self.initiator = None;
            self.coercion = None;
        }
        if was_target {
            self.target = None;
        }
        let changed = size(self) < before || was_initiator || was_target;
        if changed && !self.disabled.iter().any(|d| d == id) {
            self.disabled.push(id.to_string());
        }
        changed
    }

    fn count(&self, kind: &str) -> usize {
        match kind {
            "gate" => self.gates.len(),
            "event" => self.events.len(),
            "option" => self.options.len(),
            "link" => self.links.len(),
            "influence" => self.influence.len(),
            "volatility" => self.volatility.len(),
            "ally" => self.allies.len(),
            _ => 0,
        }
    }

    /// Visit every number in the order of [`crate::scenario::Scenario::visit_nums_mut`], with
    /// each number's address ([`CrisisAt`]); when `named` is false the paths are empty (no
    /// string formatting). The one walk that fixes both the visit order and where each visited
    /// number lives, so that
    /// [`Self::num_at`] (which a sampler uses to write its inputs without walking) reaches
    /// exactly the number this walk visits with that address.
    pub(crate) fn visit_nums_at(
        &mut self,
        named: bool,
        scale: Domain,
        f: &mut dyn FnMut(&str, Domain, CrisisAt, &mut Num),
    ) {
        use CrisisAt as At;
        if let Some(b) = &mut self.bargaining {
            f(
                "crisis.bargaining.rate",
                Domain::UNIT,
                At::BargainingRate,
                &mut b.rate,
            );
            f(
                "crisis.bargaining.access_rate",
                Domain::UNIT,
                At::BargainingAccessRate,
                &mut b.access_rate,
            );
        }
        if let Some(c) = &mut self.coercion {
            f(
                "crisis.coercion.rate",
                Domain::UNIT,
                At::CoercionRate,
                &mut c.rate,
            );
            f(
                "crisis.coercion.decay",
                Domain::UNIT,
                At::CoercionDecay,
                &mut c.decay,
            );
        }
        for (k, v) in self.volatility.iter_mut().enumerate() {
            let p = crate::scenario::path_if!(named, "crisis.volatility.{}", v.actor);
            f(
                &crate::scenario::path_if!(named, "{p}.prob"),
                Domain::UNIT,
                At::VolatilityProb(k),
                &mut v.prob,
            );
            f(
                &crate::scenario::path_if!(named, "{p}.size"),
                Domain::NON_NEGATIVE,
                At::VolatilitySize(k),
                &mut v.size,
            );
            f(
                &crate::scenario::path_if!(named, "{p}.up"),
                Domain::UNIT,
                At::VolatilityUp(k),
                &mut v.up,
            );
            f(
                &crate::scenario::path_if!(named, "{p}.salience"),
                Domain::UNIT,
                At::VolatilitySalience(k),
                &mut v.salience,
            );
        }
        for (k, l) in self.influence.iter_mut().enumerate() {
            f(
                &crate::scenario::path_if!(named, "crisis.influence.{}.{}.weight", l.from, l.to),
                Domain::NON_NEGATIVE,
                At::InfluenceWeight(k),
                &mut l.weight,
            );
        }
        for (k, e) in self.events.iter_mut().enumerate() {
            for (i, x) in e.effects.iter_mut().enumerate() {
                f(
                    &crate::scenario::path_if!(named, "crisis.event.{}.effect.{i}.value", e.id),
                    Domain::UNBOUNDED,
                    At::EventEffect(k, i),
                    &mut x.value,
                );
            }
        }
        for (k, o) in self.options.iter_mut().enumerate() {
            let p = crate::scenario::path_if!(named, "crisis.option.{}", o.id);
            f(
                &crate::scenario::path_if!(named, "{p}.propensity"),
                Domain::UNIT,
                At::OptionPropensity(k),
                &mut o.propensity,
            );
            f(
                &crate::scenario::path_if!(named, "{p}.legality"),
                Domain::UNIT,
                At::OptionLegality(k),
                &mut o.legality,
            );
            if let Some(l) = &mut o.level {
                f(
                    &crate::scenario::path_if!(named, "{p}.level"),
                    scale,
                    At::OptionLevel(k),
                    l,
                );
            }
            let threat_domain = threat_domain(&o.threat);
            f(
                &crate::scenario::path_if!(named, "{p}.threat"),
                threat_domain,
                At::OptionThreat(k),
                &mut o.threat,
            );
            for (i, m) in o.modifiers.iter_mut().enumerate() {
                f(
                    &crate::scenario::path_if!(named, "{p}.modifier.{i}.factor"),
                    Domain::NON_NEGATIVE,
                    At::OptionModifier(k, i),
                    &mut m.factor,
                );
            }
            f(
                &crate::scenario::path_if!(named, "{p}.alliance.target"),
                Domain::UNBOUNDED,
                At::OptionAllianceTarget(k),
                &mut o.alliance.target,
            );
            f(
                &crate::scenario::path_if!(named, "{p}.alliance.initiator"),
                Domain::UNBOUNDED,
                At::OptionAllianceInitiator(k),
                &mut o.alliance.initiator,
            );
            for (i, x) in o.effects.iter_mut().enumerate() {
                f(
                    &crate::scenario::path_if!(named, "{p}.effect.{i}.value"),
                    Domain::UNBOUNDED,
                    At::OptionEffect(k, i),
                    &mut x.value,
                );
            }
            for (i, x) in o.on_withdraw.iter_mut().enumerate() {
                f(
                    &crate::scenario::path_if!(named, "{p}.on_withdraw.{i}.value"),
                    Domain::UNBOUNDED,
                    At::OptionOnWithdraw(k, i),
                    &mut x.value,
                );
            }
        }
        for (k, g) in self.gates.iter_mut().enumerate() {
            let p = crate::scenario::path_if!(named, "crisis.gate.{}", g.id);
            f(
                &crate::scenario::path_if!(named, "{p}.block"),
                Domain::UNBOUNDED,
                At::GateBlock(k),
                &mut g.block,
            );
            f(
                &crate::scenario::path_if!(named, "{p}.w_position"),
                Domain::NON_NEGATIVE,
                At::GateWPosition(k),
                &mut g.w_position,
            );
            f(
                &crate::scenario::path_if!(named, "{p}.w_legality"),
                Domain::NON_NEGATIVE,
                At::GateWLegality(k),
                &mut g.w_legality,
            );
            f(
                &crate::scenario::path_if!(named, "{p}.delay"),
                Domain::UNIT,
                At::GateDelay(k),
                &mut g.delay,
            );
            f(
                &crate::scenario::path_if!(named, "{p}.substitute"),
                Domain::UNIT,
                At::GateSubstitute(k),
                &mut g.substitute,
            );
        }
        for (k, a) in self.allies.iter_mut().enumerate() {
            let p = crate::scenario::path_if!(named, "crisis.ally.{}", a.actor);
            f(
                &crate::scenario::path_if!(named, "{p}.alignment"),
                Domain::SIGNED_UNIT,
                At::AllyAlignment(k),
                &mut a.alignment,
            );
            f(
                &crate::scenario::path_if!(named, "{p}.threshold"),
                Domain::NON_NEGATIVE,
                At::AllyThreshold(k),
                &mut a.threshold,
            );
            f(
                &crate::scenario::path_if!(named, "{p}.noise"),
                Domain::NON_NEGATIVE,
                At::AllyNoise(k),
                &mut a.noise,
            );
            f(
                &crate::scenario::path_if!(named, "{p}.lean"),
                Domain::UNBOUNDED,
                At::AllyLean(k),
                &mut a.lean,
            );
            f(
                &crate::scenario::path_if!(named, "{p}.lock"),
                Domain::UNIT,
                At::AllyLock(k),
                &mut a.lock,
            );
        }
        for (k, l) in self.links.iter_mut().enumerate() {
            f(
                &crate::scenario::path_if!(named, "crisis.link.{}.{}.weight", l.from, l.to),
                Domain::NON_NEGATIVE,
                At::LinkWeight(k),
                &mut l.weight,
            );
        }
        if let Some(a) = &mut self.alliance {
            f(
                "crisis.alliance.withdraw_prob",
                Domain::UNIT,
                At::AllianceWithdrawProb,
                &mut a.withdraw_prob,
            );
            f(
                "crisis.alliance.withdrawal_damage",
                Domain::UNIT,
                At::AllianceWithdrawalDamage,
                &mut a.withdrawal_damage,
            );
            f(
                "crisis.alliance.fracture_cohesion",
                Domain::UNIT,
                At::AllianceFractureCohesion,
                &mut a.fracture_cohesion,
            );
            f(
                "crisis.alliance.position_weight",
                Domain::NON_NEGATIVE,
                At::AlliancePositionWeight,
                &mut a.position_weight,
            );
        }
    }

    /// The number at `at` (as [`Self::visit_nums_at`] addresses it), or `None` when this spec
    /// has no such element. Every arm mirrors one visit of that walk
    /// (`sample::tests::num_at_reaches_what_the_walk_visits` checks them against the walk).
    #[inline(always)]
    pub(crate) fn num_at(&mut self, at: CrisisAt) -> Option<&mut Num> {
        use CrisisAt as At;
        Some(match at {
            At::BargainingRate => &mut self.bargaining.as_mut()?.rate,
            At::BargainingAccessRate => &mut self.bargaining.as_mut()?.access_rate,
            At::CoercionRate => &mut self.coercion.as_mut()?.rate,
            At::CoercionDecay => &mut self.coercion.as_mut()?.decay,
            At::VolatilityProb(k) => &mut self.volatility.get_mut(k)?.prob,
            At::VolatilitySize(k) => &mut self.volatility.get_mut(k)?.size,
            At::VolatilityUp(k) => &mut self.volatility.get_mut(k)?.up,
            At::VolatilitySalience(k) => &mut self.volatility.get_mut(k)?.salience,
            At::InfluenceWeight(k) => &mut self.influence.get_mut(k)?.weight,
            At::EventEffect(k, i) => &mut self.events.get_mut(k)?.effects.get_mut(i)?.value,
            At::OptionPropensity(k) => &mut self.options.get_mut(k)?.propensity,
            At::OptionLegality(k) => &mut self.options.get_mut(k)?.legality,
            At::OptionLevel(k) => self.options.get_mut(k)?.level.as_mut()?,
            At::OptionThreat(k) => &mut self.options.get_mut(k)?.threat,
            At::OptionModifier(k, i) => &mut self.options.get_mut(k)?.modifiers.get_mut(i)?.factor,
            At::OptionAllianceTarget(k) => &mut self.options.get_mut(k)?.alliance.target,
            At::OptionAllianceInitiator(k) => &mut self.options.get_mut(k)?.alliance.initiator,
            At::OptionEffect(k, i) => &mut self.options.get_mut(k)?.effects.get_mut(i)?.value,
            At::OptionOnWithdraw(k, i) => {
                &mut self.options.get_mut(k)?.on_withdraw.get_mut(i)?.value
            }
            At::GateBlock(k) => &mut self.gates.get_mut(k)?.block,
            At::GateWPosition(k) => &mut self.gates.get_mut(k)?.w_position,
            At::GateWLegality(k) => &mut self.gates.get_mut(k)?.w_legality,
            At::GateDelay(k) => &mut self.gates.get_mut(k)?.delay,
            At::GateSubstitute(k) => &mut self.gates.get_mut(k)?.substitute,
            At::AllyAlignment(k) => &mut self.allies.get_mut(k)?.alignment,
            At::AllyThreshold(k) => &mut self.allies.get_mut(k)?.threshold,
            At::AllyNoise(k) => &mut self.allies.get_mut(k)?.noise,
            At::AllyLean(k) => &mut self.allies.get_mut(k)?.lean,
            At::AllyLock(k) => &mut self.allies.get_mut(k)?.lock,
            At::LinkWeight(k) => &mut self.links.get_mut(k)?.weight,
            At::AllianceWithdrawProb => &mut self.alliance.as_mut()?.withdraw_prob,
            At::AllianceWithdrawalDamage => &mut self.alliance.as_mut()?.withdrawal_damage,
            At::AllianceFractureCohesion => &mut self.alliance.as_mut()?.fracture_cohesion,
            At::AlliancePositionWeight => &mut self.alliance.as_mut()?.position_weight,
        })
    }
}

/// Where a number of a [`CrisisSpec`] lives: the element's index in its list (and the entry's
/// index within the element's list) and the field. Given by [`CrisisSpec::visit_nums_at`],
/// followed by [`CrisisSpec::num_at`]. It lets a sampler write its uncertain inputs straight
/// into a run's scenario instead of walking every number of it each run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CrisisAt {
    BargainingRate,
    BargainingAccessRate,
    CoercionRate,
    CoercionDecay,
    VolatilityProb(usize),
    VolatilitySize(usize),
    VolatilityUp(usize),
    VolatilitySalience(usize),
    InfluenceWeight(usize),
    EventEffect(usize, usize),
    OptionPropensity(usize),
    OptionLegality(usize),
    OptionLevel(usize),
    OptionThreat(usize),
    OptionModifier(usize, usize),
    OptionAllianceTarget(usize),
    OptionAllianceInitiator(usize),
    OptionEffect(usize, usize),
    OptionOnWithdraw(usize, usize),
    GateBlock(usize),
    GateWPosition(usize),
    GateWLegality(usize),
    GateDelay(usize),
    GateSubstitute(usize),
    AllyAlignment(usize),
    AllyThreshold(usize),
    AllyNoise(usize),
    AllyLean(usize),
    AllyLock(usize),
    LinkWeight(usize),
    AllianceWithdrawProb,
    AllianceWithdrawalDamage,
    AllianceFractureCohesion,
    AlliancePositionWeight,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> CrisisSpec {
        toml::from_str(
            r#"
            [[gates]]
            id = "jcs"
            name = "Joint Chiefs"
            actor = "jcs"
            block = -1.0
            [[options]]
            id = "invasion"
            name = "Invasion"
            propensity = 0.1
            gates = ["jcs"]
            [[links]]
            from = "uk"
            to = "fr"
            weight = 0.3
            "#,
        )
        .unwrap()
    }

    #[test]
    fn paths_are_dotted_and_stable() {
        let mut s = spec();
        let mut paths = Vec::new();
        let mut domains = Vec::new();
        s.visit_nums_at(true, Domain::new(0.0, 100.0), &mut |p, d, _, _| {
            paths.push(p.to_string());
            domains.push((p.to_string(), d));
        });
        assert!(paths.contains(&"crisis.link.uk.fr.weight".to_string()));
        let d = |p: &str| domains.iter().find(|(q, _)| q == p).map(|(_, d)| *d);
        assert_eq!(d("crisis.option.invasion.propensity"), Some(Domain::UNIT));
        assert_eq!(d("crisis.link.uk.fr.weight"), Some(Domain::NON_NEGATIVE));
        assert_eq!(d("crisis.gate.jcs.block"), Some(Domain::UNBOUNDED));
        assert!(paths.contains(&"crisis.gate.jcs.block".to_string()));
        assert!(paths.contains(&"crisis.option.invasion.propensity".to_string()));
    }

    #[test]
    fn issue_12_numbers_have_paths_and_a_sign_keeping_threat_domain() {
        let mut s: CrisisSpec = toml::from_str(
            r#"
            [coercion]
            rate = 0.1
            decay = 0.05
            [alliance]
            name = "N"
            group = "N"
            position_weight = 0.3
            [[options]]
            id = "resist"
            name = "Resist"
            propensity = 0.1
            threat = -0.2
            modifiers = [{ when = "day >= 7", factor = 2 }]
            "#,
        )
        .unwrap();
        let mut seen = Vec::new();
        s.visit_nums_at(true, Domain::new(0.0, 100.0), &mut |p, d, _, n| {
            seen.push((p.to_string(), d, n.value));
        });
        let d = |p: &str| {
            seen.iter()
                .find(|(q, _, _)| q == p)
                .map(|(_, d, v)| (*d, *v))
        };
        assert_eq!(d("crisis.coercion.decay"), Some((Domain::UNIT, 0.05)));
        assert_eq!(
            d("crisis.alliance.position_weight"),
            Some((Domain::NON_NEGATIVE, 0.3))
        );
        assert_eq!(
            d("crisis.option.resist.modifier.0.factor"),
            Some((Domain::NON_NEGATIVE, 2.0))
        );
        // a resistance is sampled on [−1, 0], a threat on [0, 1], a two-signed one on [−1, 1]
        assert_eq!(
            d("crisis.option.resist.threat"),
            Some((Domain::new(-1.0, 0.0), -0.2))
        );
        assert_eq!(threat_domain(&Num::new(0.4)), Domain::UNIT);
        assert_eq!(threat_domain(&Num::new(0.0)), Domain::UNIT);
        let two = Num {
            dist: Some(crate::scenario::Dist::Uniform {
                min: -0.2,
                max: 0.3,
            }),
            ..Num::new(0.0)
        };
        assert_eq!(threat_domain(&two), Domain::SIGNED_UNIT);
    }

    #[test]
    fn disable_removes_gate_from_chains() {
        let mut s = spec();
        assert!(s.disable("gate.jcs"));
        assert!(s.gates.is_empty());
        assert!(s.options[0].gates.is_empty());
        assert_eq!(s.disabled, vec!["gate.jcs".to_string()]);
        assert!(!s.disable("gate.jcs"));
        assert!(!s.disable("nonsense"));
        assert!(s.disable("link.uk.fr"));
    }
}
