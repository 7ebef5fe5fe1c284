//! The result of one simulated run: named state variables, per-round series and an event log.
//! This is the seam between models (which produce it) and aggregators (which consume it).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What one run of a scenario produced. Everything an outcome predicate, a forecast question
/// or a report needs must be recorded here.
///
/// Naming conventions for `vars` (dotted, lowercase):
/// - `issue.<issue>`: the final outcome (c·s-weighted median of final positions);
/// - `issue.<issue>.mean`: c·s-weighted mean of final positions;
/// - `position.<actor>.<issue>`: an actor's final position;
/// - crisis layer (see `crate::crisis`): e.g. `option.<id>.taken` (0/1), `option.<id>.day`
///   (days after `as_of` when first taken; absent if never), `cohesion`, `alignment.<actor>`
///   (−1 back target … +1 back initiator), `withdrawals`.
///
/// Predicates compare vars with numbers or dates (a date literal means days after `as_of`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunState {
    pub vars: BTreeMap<String, f64>,
    /// Per-round series, e.g. `position.<actor>.<issue>` → value at each round (round 0 = start).
    pub series: BTreeMap<String, Vec<f64>>,
    /// Discrete events for counting across runs, e.g. `tipped:uk->fr`, `ended:blocked@jcs`.
    pub events: Vec<String>,
}

/// The bits a var of a recycled [`RunState`] holds until this run writes it
/// ([`RunState::begin_reuse`]): a signalling NaN with a payload, which no arithmetic produces
/// (an operation on a signalling NaN gives a quiet one).
const UNWRITTEN: u64 = 0x7ff4_0000_5c0f_f1e1;

impl RunState {
    pub fn set(&mut self, name: impl Into<String>, v: f64) {
        self.vars.insert(name.into(), v);
    }

    /// Set var `name`, reusing its key when this state already has it (a recycled state: no
    /// allocation).
    pub fn put(&mut self, name: &str, v: f64) {
        match self.vars.get_mut(name) {
            Some(x) => *x = v,
            None => {
                self.vars.insert(name.to_owned(), v);
            }
        }
    }

    /// Set series `name` to `values`, reusing its key and buffer when this state already has it.
    pub fn put_series(&mut self, name: &str, values: &[f64]) {
        match self.series.get_mut(name) {
            Some(s) => {
                s.clear();
                s.extend_from_slice(values);
            }
            None => {
                self.series.insert(name.to_owned(), values.to_vec());
            }
        }
    }

    /// Start writing a new run into this (recycled) state: every var is marked unwritten, every
    /// series emptied and the event log cleared; keys and buffers stay allocated. Write with
    /// [`RunState::put`] and [`RunState::put_series`], then call [`RunState::end_reuse`].
    pub fn begin_reuse(&mut self) {
        for v in self.vars.values_mut() {
            *v = f64::from_bits(UNWRITTEN);
        }
        for s in self.series.values_mut() {
            s.clear();
        }
        self.events.clear();
    }

    /// Finish a run written after [`RunState::begin_reuse`]: drop the vars and series this run
    /// did not write, so the state equals one built fresh with the same writes (a series is
    /// never empty once written: it holds round 0).
    pub fn end_reuse(&mut self) {
        self.vars.retain(|_, v| v.to_bits() != UNWRITTEN);
        self.series.retain(|_, s| !s.is_empty());
    }
    pub fn get(&self, name: &str) -> Option<f64> {
        self.vars.get(name).copied()
    }
}

/// The names of the vars and series a compiled model writes, each at a fixed index (slot): the
/// layout of a [`SlotRun`]. Built once per job; the order is the model's, not sorted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    pub vars: Vec<String>,
    pub series: Vec<String>,
    /// How the [`EventKey`]s of a [`SlotRun`] are named.
    pub events: EventNames,
}

/// One event of a run as a key into its layout's [`EventNames`]: a template, up to three
/// indices into the name tables and a day. A run logs keys; a job counts them and names each
/// distinct key once ([`EventNames::name`]), so no event text is built per run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventKey {
    pub template: u16,
    pub args: [u32; 3],
    /// the day a [`Part::Day`] writes (ignored by a template without one)
    pub day: i64,
}

impl EventKey {
    /// An event of `template` naming `args` on `day`.
    pub fn new(template: u16, args: [u32; 3], day: i64) -> EventKey {
        EventKey {
            template,
            args,
            day,
        }
    }
}

/// A piece of an event template.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    Text(&'static str),
    /// the name `tables[table][key.args[arg]]`
    Name {
        arg: u8,
        table: u8,
    },
    /// the key's day, in decimal
    Day,
}

/// Templates and name tables that turn an [`EventKey`] into its event text, e.g.
/// `[Text("order:"), Name{arg: 0, table: 0}, Text("@day"), Day]` with table 0 the option ids
/// names `EventKey{template, args: [2, 0, 0], day: 35}` as `order:invade@day35`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventNames {
    pub templates: Vec<Vec<Part>>,
    pub tables: Vec<Vec<String>>,
}

impl EventNames {
    /// The text of `key`. A template or index outside the tables (which a model that names its
    /// own events never writes) is named `?`, so naming never fails.
    pub fn name(&self, key: &EventKey) -> String {
        // one allocation per text (the texts are short: an id or two and a day)
        let mut out = String::with_capacity(48);
        self.write(key, &mut out);
        out
    }

    /// Append the text of `key` to `out` ([`EventNames::name`]).
    pub fn write(&self, key: &EventKey, out: &mut String) {
        let Some(parts) = self.templates.get(usize::from(key.template)) else {
            out.push('?');
            return;
        };
        for part in parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Name { arg, table } => {
                    let name = key
                        .args
                        .get(usize::from(*arg))
                        .and_then(|&i| self.tables.get(usize::from(*table))?.get(i as usize));
                    out.push_str(name.map_or("?", String::as_str));
                }
                Part::Day => {
                    use std::fmt::Write;
                    let _ = write!(out, "{}", key.day);
                }
            }
        }
    }
}

impl Layout {
    /// The slot of var `name`, adding it if new (a name written twice has one slot: the later
    /// write wins, as with [`RunState::put`]).
    pub fn var_slot(&mut self, name: &str) -> usize {
        slot_in(&mut self.vars, name)
    }

    /// The slot of series `name`, adding it if new.
    pub fn series_slot(&mut self, name: &str) -> usize {
        slot_in(&mut self.series, name)
    }
}

/// The index of `name` in `names`, appended if absent (layouts are built once per compiled
/// model, so a scan is enough).
fn slot_in(names: &mut Vec<String>, name: &str) -> usize {
    names.iter().position(|v| v == name).unwrap_or_else(|| {
        names.push(name.to_owned());
        names.len() - 1
    })
}

/// One run's result addressed by the slots of a [`Layout`]: what a Monte Carlo job folds when
/// its run function has a layout (no name is built, compared or looked up per run). Equivalent
/// to the [`RunState`] with, for every written var slot, `vars[name] = value`, and for every
/// non-empty series slot, `series[name] = values`.
#[derive(Clone, Debug, Default)]
pub struct SlotRun {
    /// Per var slot: the value, or [`SlotRun::UNSET`]'s bits when the run did not write it.
    pub vars: Vec<f64>,
    /// Per series slot: the values (empty = not written).
    pub series: Vec<Vec<f64>>,
    /// Events by text (a run placed by name, [`SlotRun::place`]).
    pub events: Vec<String>,
    /// Events by key of the layout's [`EventNames`] (a model writing by slot), in the order
    /// logged; counted as the events their texts name.
    pub keys: Vec<EventKey>,
    /// Series buffers set aside by a [`SlotRun::begin`] without series slots (a job that
    /// folds no series), handed back to the next one with some: a run lent between such jobs
    /// allocates nothing. Never read; not part of equality.
    idle: Vec<Vec<f64>>,
}

/// Equal when every output is: the idle buffers are not compared.
impl PartialEq for SlotRun {
    fn eq(&self, other: &Self) -> bool {
        self.vars == other.vars
            && self.series == other.series
            && self.events == other.events
            && self.keys == other.keys
    }
}

impl SlotRun {
    /// What an unwritten var slot holds: the signalling NaN of a recycled [`RunState`], which no
    /// arithmetic produces, so a written NaN stays distinguishable from an absent var.
    pub const UNSET: f64 = f64::from_bits(UNWRITTEN);

    /// Start a run: every var unwritten, every series empty, no events (buffers kept).
    pub fn begin(&mut self, layout: &Layout) {
        self.vars.clear();
        self.vars.resize(layout.vars.len(), Self::UNSET);
        let n = layout.series.len();
        // whole lists swapped, so setting aside and taking back allocate nothing
        if n == 0 {
            if self.idle.len() < self.series.len() {
                std::mem::swap(&mut self.series, &mut self.idle);
            }
            self.series.clear();
        } else if self.series.is_empty() {
            std::mem::swap(&mut self.series, &mut self.idle);
        }
        self.series.resize_with(n, Vec::new);
        self.series.truncate(n);
        self.series.iter_mut().for_each(Vec::clear);
        self.events.clear();
        self.keys.clear();
    }

    /// Whether a var slot's value `x` was written (is not [`SlotRun::UNSET`]).
    pub fn written(x: f64) -> bool {
        x.to_bits() != UNWRITTEN
    }

    /// The value of var slot `i`, if written.
    pub fn get(&self, i: usize) -> Option<f64> {
        self.vars.get(i).copied().filter(|x| Self::written(*x))
    }

    /// Place `st`'s vars and series by name at their slots of `layout` (what `st` has
    /// outside the layout is dropped); starts the run with [`SlotRun::begin`].
    pub fn place(&mut self, st: RunState, layout: &Layout) {
        self.begin(layout);
        for (x, name) in self.vars.iter_mut().zip(&layout.vars) {
            if let Some(v) = st.vars.get(name) {
                *x = *v;
            }
        }
        for (x, name) in self.series.iter_mut().zip(&layout.series) {
            if let Some(v) = st.series.get(name) {
                x.extend_from_slice(v);
            }
        }
        self.events = st.events;
    }
}
