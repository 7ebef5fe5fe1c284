//! Where a run's results go: the slots of every var and series a compiled model writes
//! ([`OutSlots`], one [`Layout`] per compiled model), and the two sinks a run writes into — a
//! name-keyed [`RunState`] or an index-addressed [`SlotRun`] — through one output routine
//! (`run::run_model`), so both carry the same values.

use super::Model;
use crate::state::{EventKey, EventNames, Layout, RunState, SlotRun};

/// The slot of every output of a compiled [`Model`], in the order `run::run_model` writes them.
/// A [`RunState`] sink reads no slot, so the single-run path passes `OutSlots::default()` (an
/// output without a slot there gets slot 0, which only a [`SlotRun`] would read).
#[derive(Clone, Debug, Default)]
pub(super) struct OutSlots {
    pub layout: Layout,
    /// per option: `.taken`, `.day`, `.orders`, `.withdrawn`
    pub opt: Vec<[usize; 4]>,
    /// `cohesion`, `cohesion.min`, `withdrawals`, `pressure`, `threat`
    pub fixed: [usize; 5],
    /// per ally: `alignment.<id>`, `.plus_day`, `.minus_day`, `withdrawal.<id>.day`,
    /// `.effective_day`
    pub ally: Vec<[usize; 5]>,
    /// per issue: `issue.<id>`, `.mean`
    pub issue: Vec<[usize; 2]>,
    /// per stance slot of `pos_names`: its var and its series
    pub pos: Vec<(usize, usize)>,
    /// the `cohesion` series
    pub cohesion_series: usize,
    /// per ally: its `alignment.<id>` series
    pub ally_series: Vec<usize>,
    /// per disabled id: `disabled.<id>`, and for an option `.taken` and `.orders`
    pub disabled: Vec<(usize, Option<[usize; 2]>)>,
}

impl OutSlots {
    pub fn of(m: &Model) -> OutSlots {
        let mut l = Layout {
            events: m.ev_names.clone(),
            ..Layout::default()
        };
        let n = &m.names;
        let opt = n
            .opt
            .iter()
            .map(|x| x.each_ref().map(|s| l.var_slot(s)))
            .collect();
        let fixed = [
            "cohesion",
            "cohesion.min",
            "withdrawals",
            "pressure",
            "threat",
        ]
        .map(|s| l.var_slot(s));
        let ally = n
            .ally
            .iter()
            .map(|x| x.each_ref().map(|s| l.var_slot(s)))
            .collect();
        let issue = n
            .issue
            .iter()
            .map(|x| x.each_ref().map(|s| l.var_slot(s)))
            .collect();
        let pos = m
            .pos_names
            .iter()
            .map(|(_, s)| (l.var_slot(s), l.series_slot(s)))
            .collect();
        let cohesion_series = l.series_slot("cohesion");
        let ally_series = n.ally.iter().map(|x| l.series_slot(&x[0])).collect();
        let disabled = n
            .disabled
            .iter()
            .map(|(d, o)| {
                (
                    l.var_slot(d),
                    o.as_ref().map(|x| x.each_ref().map(|s| l.var_slot(s))),
                )
            })
            .collect();
        OutSlots {
            layout: l,
            opt,
            fixed,
            ally,
            issue,
            pos,
            cohesion_series,
            ally_series,
            disabled,
        }
    }
}

/// What a run writes into: a var or a series by name and slot (a sink uses one of the two),
/// and the event log (keys of `names`: a name-keyed sink writes their texts).
pub(super) trait Sink {
    fn var(&mut self, name: &str, slot: usize, v: f64);
    fn series(&mut self, name: &str, slot: usize, values: &[f64]);
    /// Whether the sink takes series at all: a run into a sink that takes none records no
    /// per-round series (`run::run_model`).
    fn takes_series(&self) -> bool;
    fn events(&mut self, log: &[EventKey], names: &EventNames);
}

/// The name-keyed sink: the slots are not read.
impl Sink for RunState {
    fn var(&mut self, name: &str, _: usize, v: f64) {
        self.put(name, v);
    }
    fn series(&mut self, name: &str, _: usize, values: &[f64]) {
        self.put_series(name, values);
    }
    fn takes_series(&self) -> bool {
        true
    }
    fn events(&mut self, log: &[EventKey], names: &EventNames) {
        self.events.clear();
        self.events.extend(log.iter().map(|k| names.name(k)));
    }
}

impl Sink for SlotRun {
    fn var(&mut self, _: &str, slot: usize, v: f64) {
        if let Some(x) = self.vars.get_mut(slot) {
            *x = v;
        }
    }
    fn series(&mut self, _: &str, slot: usize, values: &[f64]) {
        if let Some(s) = self.series.get_mut(slot) {
            s.clear();
            s.extend_from_slice(values);
        }
    }
    /// A layout without series slots (a job that folds none, `mc::simulate_prepared`).
    fn takes_series(&self) -> bool {
        !self.series.is_empty()
    }
    fn events(&mut self, log: &[EventKey], _: &EventNames) {
        self.keys.clear();
        self.keys.extend_from_slice(log);
    }
}

#[cfg(test)]
mod tests {
    use super::super::Compiled;
    use crate::rng;
    use crate::state::SlotRun;

    /// A run into a `SlotRun` whose layout has no series slot (a job that folds no series)
    /// records none, and writes the same vars and events as a run with every series slot:
    /// it fails when `run_model` records regardless of the sink, or when not recording moves
    /// the run.
    #[test]
    fn a_sink_without_series_gets_none_recorded_and_the_same_run() {
        let text = include_str!("../../../../scenarios/greenland-2026.toml");
        let s = crate::scenario::load::from_toml_str(text).expect("the Greenland scenario loads");
        let mut c = Compiled::new(&s).expect("compiles");
        let full = c.layout().clone();
        let mut bare = full.clone();
        bare.series.clear();
        assert!(!full.series.is_empty());
        for i in 0..6 {
            let (mut a, mut b) = (SlotRun::default(), SlotRun::default());
            a.begin(&full);
            c.run_slots(&s, &mut rng::stream(9, i), &mut a)
                .expect("runs");
            let recorded = c.bufs.recorded();
            b.begin(&bare);
            c.run_slots(&s, &mut rng::stream(9, i), &mut b)
                .expect("runs");
            assert!(
                recorded > 1000,
                "run {i}: {recorded} values recorded with series"
            );
            assert_eq!(
                c.bufs.recorded(),
                0,
                "run {i}: series recorded for a bare sink"
            );
            assert!(b.series.is_empty());
            let bits = |r: &SlotRun| r.vars.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&a), bits(&b), "run {i}: vars");
            assert_eq!(a.keys, b.keys, "run {i}: events");
        }
    }
}
