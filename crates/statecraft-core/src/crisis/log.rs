//! The run's event log as keys ([`EventKey`]): every event the model logs is a template of
//! [`names`] with indices into the model's ids and a day, named as text only where text is
//! asked for (a single run's [`crate::state::RunState`], or once per distinct key when a job
//! ends). The texts are those of docs/crisis.md, "Events".

use super::Model;
use crate::state::{EventKey, EventNames, Part};

/// The name tables of [`names`].
const OPT: u8 = 0;
const GATE: u8 = 1;
const EVENT: u8 = 2;
const ACTOR: u8 = 3;
/// what tipped an ally: an actor id, an option id or `lean`, each text once ([`Tippers`])
const TIPPER: u8 = 4;

/// `event:<event>@day<d>`: a dated event applied.
pub(super) const EVENT_ON: u16 = 0;
/// `event_end:<event>@day<d>`: its `until` date reached.
pub(super) const EVENT_END: u16 = 1;
/// `option:<option>@day<d>`: an option carried out.
pub(super) const OPTION: u16 = 2;
/// `report:<option>@day<report day>-><gate>`: a statutory clock started.
pub(super) const REPORT: u16 = 3;
/// `lapsed:<option>@<gate>@day<d>`
pub(super) const LAPSED: u16 = 4;
/// `delayed:<option>@<gate>@day<d>`
pub(super) const DELAYED: u16 = 5;
/// `substituted:<option>-><substitute>@<gate>@day<d>`
pub(super) const SUBSTITUTED: u16 = 6;
/// `blocked:<option>@<gate>@day<d>`
pub(super) const BLOCKED: u16 = 7;
/// `order:<option>@day<d>`
pub(super) const ORDER: u16 = 8;
/// `withdrawn:<option>@<gate>@day<d>`: a statutory clock ran out, the option withdrawn.
pub(super) const WITHDRAWN: u16 = 9;
/// `authorized:<option>@<gate>@day<d>`
pub(super) const AUTHORIZED: u16 = 10;
/// `tipped:<tipper>-><ally actor>`: tipped by a neighbour (its actor id), by the last
/// coercive option's push (the option id) or by its own `lean` ([`Tippers`]).
pub(super) const TIPPED: u16 = 11;
/// `withdrawal:<ally actor>@day<d>`: a withdrawal notice.
pub(super) const WITHDRAWAL: u16 = 12;
/// `jump:<actor>@day<d>`: a volatile stance jumped.
pub(super) const JUMP: u16 = 13;
/// `ended:option:<option>`: the last thing that ended the crisis, an option carried out.
pub(super) const ENDED_OPTION: u16 = 14;
/// `ended:lapsed@<gate>`
pub(super) const ENDED_LAPSED: u16 = 15;
/// `ended:blocked@<gate>`
pub(super) const ENDED_BLOCKED: u16 = 16;
/// `ended:status_quo`: nothing ended it.
pub(super) const ENDED_STATUS_QUO: u16 = 17;

/// Where each possible tipper of an ally is in the `TIPPER` table, which holds every text once:
/// an actor and an option may share an id, and their `tipped:` events must then be one event
/// (as their texts are), so that the keys of a run name distinct texts.
#[derive(Debug, Default)]
pub(super) struct Tippers {
    pub actor: Vec<usize>,
    pub opt: Vec<usize>,
    pub lean: usize,
}

/// An index as a key argument (a model never has 2³² elements of a kind; one that did would be
/// named `?`, not confused with another).
pub(super) fn ix(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// The key of `template` naming `args` on `day`.
pub(super) fn key(template: u16, args: [usize; 3], day: i64) -> EventKey {
    EventKey::new(template, args.map(ix), day)
}

/// The templates and name tables of `m`'s events, and where its tippers are (built once per
/// compiled model).
///
/// Distinct keys name distinct texts: the templates' fixed words differ, ids hold no `@`, `>`
/// or `:` (the loader checks them: letters, digits, `_` and `-`), so each text splits back into
/// its template and names, and a table holds a text once (ids are unique per kind; the tipper
/// table is deduplicated). A job may therefore count keys in place of texts.
pub(super) fn names(m: &Model) -> (EventNames, Tippers) {
    let (tip_names, tippers) = tippers(&m.actor_ids, m.opts.iter().map(|o| o.id.as_str()));
    let names = EventNames {
        templates: templates(),
        tables: vec![
            m.opts.iter().map(|o| o.id.clone()).collect(),
            m.gates.iter().map(|g| g.id.clone()).collect(),
            m.events.iter().map(|e| e.id.clone()).collect(),
            m.actor_ids.clone(),
            tip_names,
        ],
    };
    (names, tippers)
}

/// The tipper table (each text once, in first-seen order: actors, options, `lean`) and where
/// each actor, option and `lean` is in it.
fn tippers<'a>(actors: &[String], opts: impl Iterator<Item = &'a str>) -> (Vec<String>, Tippers) {
    let mut table: Vec<String> = Vec::new();
    let mut at = |s: &str| match table.iter().position(|t| t == s) {
        Some(i) => i,
        None => {
            table.push(s.to_owned());
            table.len() - 1
        }
    };
    let t = Tippers {
        actor: actors.iter().map(|a| at(a)).collect(),
        opt: opts.map(&mut at).collect(),
        lean: at("lean"),
    };
    (table, t)
}

/// The templates, at the indices of their constants.
fn templates() -> Vec<Vec<Part>> {
    use Part::{Day, Text};
    let n = |arg: u8, table: u8| Part::Name { arg, table };
    let at_gate_day = |head: &'static str| {
        vec![
            Text(head),
            n(0, OPT),
            Text("@"),
            n(1, GATE),
            Text("@day"),
            Day,
        ]
    };
    vec![
        vec![Text("event:"), n(0, EVENT), Text("@day"), Day],
        vec![Text("event_end:"), n(0, EVENT), Text("@day"), Day],
        vec![Text("option:"), n(0, OPT), Text("@day"), Day],
        vec![
            Text("report:"),
            n(0, OPT),
            Text("@day"),
            Day,
            Text("->"),
            n(1, GATE),
        ],
        at_gate_day("lapsed:"),
        at_gate_day("delayed:"),
        vec![
            Text("substituted:"),
            n(0, OPT),
            Text("->"),
            n(1, OPT),
            Text("@"),
            n(2, GATE),
            Text("@day"),
            Day,
        ],
        at_gate_day("blocked:"),
        vec![Text("order:"), n(0, OPT), Text("@day"), Day],
        at_gate_day("withdrawn:"),
        at_gate_day("authorized:"),
        vec![Text("tipped:"), n(0, TIPPER), Text("->"), n(1, ACTOR)],
        vec![Text("withdrawal:"), n(0, ACTOR), Text("@day"), Day],
        vec![Text("jump:"), n(0, ACTOR), Text("@day"), Day],
        vec![Text("ended:option:"), n(0, OPT)],
        vec![Text("ended:lapsed@"), n(0, GATE)],
        vec![Text("ended:blocked@"), n(0, GATE)],
        vec![Text("ended:status_quo")],
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every template constant names the template at its index (a constant off by one would
    /// name every event of its kind as another kind's).
    #[test]
    fn each_constant_names_its_own_template() {
        let tables = vec![
            vec!["o0".to_string(), "o1".to_string()],
            vec!["g0".to_string()],
            vec!["e0".to_string()],
            vec!["a0".to_string(), "a1".to_string()],
            vec!["a0".to_string(), "lean".to_string()],
        ];
        let names = EventNames {
            templates: templates(),
            tables,
        };
        let cases = [
            (EVENT_ON, [0, 0, 0], "event:e0@day7"),
            (EVENT_END, [0, 0, 0], "event_end:e0@day7"),
            (OPTION, [1, 0, 0], "option:o1@day7"),
            (REPORT, [1, 0, 0], "report:o1@day7->g0"),
            (LAPSED, [1, 0, 0], "lapsed:o1@g0@day7"),
            (DELAYED, [0, 0, 0], "delayed:o0@g0@day7"),
            (SUBSTITUTED, [0, 1, 0], "substituted:o0->o1@g0@day7"),
            (BLOCKED, [1, 0, 0], "blocked:o1@g0@day7"),
            (ORDER, [1, 0, 0], "order:o1@day7"),
            (WITHDRAWN, [0, 0, 0], "withdrawn:o0@g0@day7"),
            (AUTHORIZED, [0, 0, 0], "authorized:o0@g0@day7"),
            (TIPPED, [1, 1, 0], "tipped:lean->a1"),
            (TIPPED, [0, 0, 0], "tipped:a0->a0"),
            (WITHDRAWAL, [1, 0, 0], "withdrawal:a1@day7"),
            (JUMP, [0, 0, 0], "jump:a0@day7"),
            (ENDED_OPTION, [1, 0, 0], "ended:option:o1"),
            (ENDED_LAPSED, [0, 0, 0], "ended:lapsed@g0"),
            (ENDED_BLOCKED, [0, 0, 0], "ended:blocked@g0"),
            (ENDED_STATUS_QUO, [0, 0, 0], "ended:status_quo"),
        ];
        // every template is named by a case
        let covered: std::collections::BTreeSet<u16> = cases.iter().map(|c| c.0).collect();
        assert_eq!(covered, (0..names.templates.len() as u16).collect());
        for (t, args, want) in cases {
            assert_eq!(names.name(&key(t, args, 7)), want, "template {t}");
        }
        // outside the tables: `?`, never a panic
        assert_eq!(names.name(&key(OPTION, [9, 0, 0], 1)), "option:?@day1");
        assert_eq!(names.name(&key(99, [0, 0, 0], 1)), "?");
    }

    /// An option sharing an actor's id, and an actor called `lean`, tip as one text each: one
    /// key, so a run counts the event once, as its text.
    #[test]
    fn a_shared_id_is_one_tipper() {
        let actors = ["us", "lean", "dk"].map(String::from);
        let (table, t) = tippers(&actors, ["coerce", "dk"].into_iter());
        assert_eq!(table, ["us", "lean", "dk", "coerce"]);
        assert_eq!(t.actor, [0, 1, 2]);
        assert_eq!(t.opt, [3, 2]);
        assert_eq!(t.lean, 1);
    }
}
