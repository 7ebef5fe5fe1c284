//! The run loop: initial state, the rounds in their documented order, and the run's
//! [`RunState`].

use super::compile::{calendar, compile};
use super::out::{OutSlots, Sink};
use super::*;

pub(super) fn run(
    scn: &Scenario,
    spec: &CrisisSpec,
    stepper: Stepper,
    rng: &mut Rng,
) -> Result<RunState, CrisisError> {
    let cal = calendar(scn)?;
    // One word of the run's stream keys every draw of the run (docs/uncertainty.md).
    let key = rng::run_key(rng);
    let model = compile(scn, spec, key, stepper)?;
    // a name-keyed state reads no slot: none are built for a single run
    let slots = OutSlots::default();
    let mut st = RunState::default();
    run_model(
        &model,
        &mut SeriesBufs::default(),
        scn,
        spec,
        key,
        cal,
        (&slots, &mut st),
    )?;
    Ok(st)
}

/// Per-round series of a run, kept by a [`Compiled`] model between runs (cleared, not freed).
#[derive(Default)]
pub(super) struct SeriesBufs {
    pos: Vec<Vec<f64>>,
    coh: Vec<f64>,
    align: Vec<Vec<f64>>,
    /// the event log's buffer
    log: Vec<EventKey>,
    /// the vectors of the last run's [`Sim`]
    sim: SimBufs,
}

impl SeriesBufs {
    /// Values the last run recorded into its series (for tests).
    #[cfg(test)]
    pub(super) fn recorded(&self) -> usize {
        self.pos
            .iter()
            .chain(&self.align)
            .map(Vec::len)
            .sum::<usize>()
            + self.coh.len()
    }
}

/// `v` holding `n` copies of `x` (its buffer kept).
fn fill<T: Clone>(v: &mut Vec<T>, n: usize, x: T) {
    v.clear();
    v.resize(n, x);
}

/// `v` holding the items of `it` (its buffer kept).
fn set<T>(v: &mut Vec<T>, it: impl Iterator<Item = T>) {
    v.clear();
    v.extend(it);
}

impl SimBufs {
    /// Every vector as a fresh run of `m` on `scn` and `spec` starts it (the stances' positions
    /// and saliences, the actors' capabilities, the options' availability and propensity, the
    /// allies' leans; the rest empty, unset or zero), in the buffers of the last run.
    fn refill(&mut self, m: &Model, scn: &Scenario, spec: &CrisisSpec) {
        let (nk, na) = (scn.issues.len(), scn.actors.len());
        let (no, nl, ne) = (m.opts.len(), m.allies.len(), m.events.len());
        set(
            &mut self.pos,
            (0..na).flat_map(|_| (0..nk).map(|k| 0.5 * (m.lo[k] + m.hi[k]))),
        );
        fill(&mut self.sal, na * nk, 0.0);
        // every stance resolved when the model was compiled (from a scenario with the same
        // elements): its flat slot, in the stances' order, so a repeated stance still
        // overwrites
        for (s, &(at, k)) in scn.stances.iter().zip(&m.stance_at) {
            self.pos[at] = s.position.value.clamp(m.lo[k], m.hi[k]);
            self.sal[at] = s.salience.value.clamp(0.0, 1.0);
        }
        set(&mut self.base_sal, self.sal.iter().copied());
        set(&mut self.cap, scn.actors.iter().map(|a| a.capability.value));
        set(&mut self.avail, spec.options.iter().map(|o| o.available));
        set(
            &mut self.prop,
            spec.options.iter().map(|o| o.propensity.value),
        );
        fill(&mut self.taken, no, None);
        fill(&mut self.orders, no, 0);
        fill(&mut self.withdrawn_opt, no, false);
        self.pending.clear();
        self.clocks.clear();
        fill(&mut self.align, nl, 0);
        set(&mut self.lean, m.allies.iter().map(|a| a.lean));
        fill(&mut self.plus_day, nl, None);
        fill(&mut self.minus_day, nl, None);
        fill(&mut self.withdrawn, nl, None);
        // the undo values' buffers are kept (cleared when an event saves into them)
        self.saved.resize_with(ne, Vec::new);
        self.saved.truncate(ne);
        fill(&mut self.saved_on, ne, false);
        fill(&mut self.nb, nl, (0.0, 0.0));
        fill(&mut self.nb_stale, nl, true);
        self.ex.clear();
        self.next.clear();
        fill(&mut self.b_pos, na, 0.0);
        fill(&mut self.b_sal, na, 0.0);
        fill(&mut self.b_has, na, false);
        self.keep.clear();
        let (p, w) = self.stats.get_mut();
        p.clear();
        w.clear();
    }
}

/// One run of the compiled `m` (its numbers already those of `scn`, see
/// [`super::compile::refresh`]) with run key `key`; `(total, rd)` = [`calendar`] of `scn`.
/// Writes the run's vars, series and events into `st` with [`RunState::put`] and
/// [`RunState::put_series`] (a fresh state, or a recycled one between
/// [`RunState::begin_reuse`] and [`RunState::end_reuse`]).
pub(super) fn run_model(
    m: &Model,
    bufs: &mut SeriesBufs,
    scn: &Scenario,
    spec: &CrisisSpec,
    key: u64,
    (total, rd): (i64, i64),
    (slots, st): (&OutSlots, &mut impl Sink),
) -> Result<(), CrisisError> {
    let nl = m.allies.len();
    let mut v = std::mem::take(&mut bufs.sim);
    v.refill(m, scn, spec);
    let mut sim = Sim {
        m,
        key,
        v,
        n_withdrawals: 0,
        push_t: 0.0,
        push_i: 0.0,
        last_push: None,
        pressure: 0.0,
        threat: 0.0,
        cohesion_shift: 0.0,
        cohesion_min: 1.0,
        day: 0,
        ended: None,
        log: {
            let mut l = std::mem::take(&mut bufs.log);
            l.clear();
            l
        },
        coh: std::cell::Cell::new(None),
        brng: rng::stream(0, 0),
    };
    for (i, a) in spec.allies.iter().enumerate() {
        let v = a.alignment.value.round().clamp(-1.0, 1.0) as i8;
        if v != 0 {
            sim.set_align(i, v);
        }
    }
    // series: actors with a stance, and allies
    let pos_series = &m.pos_names;
    let n_rounds = if total == 0 { 0 } else { (total + rd - 1) / rd };
    let cap = n_rounds as usize + 1;
    bufs.pos
        .resize_with(pos_series.len(), || Vec::with_capacity(cap));
    bufs.align.resize_with(nl, || Vec::with_capacity(cap));
    bufs.pos.iter_mut().for_each(Vec::clear);
    bufs.align.iter_mut().for_each(Vec::clear);
    bufs.coh.clear();
    let SeriesBufs {
        pos: pos_s,
        coh: coh_s,
        align: align_s,
        log: log_buf,
        sim: sim_buf,
    } = bufs;

    // round 0: events dated on or before as_of, then the initial cascade
    sim.events_in(i64::MIN, 0);
    sim.effective_salience();
    sim.cascade();
    sim.cohesion_min = sim.cohesion();
    let record =
        |sim: &Sim, pos_s: &mut Vec<Vec<f64>>, coh_s: &mut Vec<f64>, al: &mut Vec<Vec<f64>>| {
            for (s, (i, _)) in pos_s.iter_mut().zip(pos_series) {
                s.push(sim.v.pos[*i]);
            }
            coh_s.push(sim.cohesion());
            for (s, &v) in al.iter_mut().zip(&sim.v.align) {
                s.push(f64::from(v));
            }
        };
    // a sink without series (a job that folds none) gets none recorded: `record` only reads
    // the state (`cohesion` is a cached function of it), so the run is the same without it
    let rec = st.takes_series();
    if rec {
        record(&sim, pos_s, coh_s, align_s);
    }
    for r in 1..=n_rounds {
        let prev = sim.day;
        let now = (r * rd).min(total);
        sim.day = now;
        sim.events_in(prev, now);
        sim.volatility();
        sim.effective_salience();
        sim.bargaining()?;
        sim.options();
        sim.cascade();
        sim.withdrawals();
        let c = sim.cohesion();
        sim.cohesion_min = sim.cohesion_min.min(c);
        if rec {
            record(&sim, pos_s, coh_s, align_s);
        }
    }

    let names = &m.names;
    let sl = slots;
    for (o, n) in names.opt.iter().enumerate() {
        let k = sl.opt.get(o).copied().unwrap_or_default();
        st.var(&n[0], k[0], f64::from(u8::from(sim.v.taken[o].is_some())));
        if let Some(d) = sim.v.taken[o] {
            st.var(&n[1], k[1], d as f64);
        }
        st.var(&n[2], k[2], f64::from(sim.v.orders[o]));
        if sim.v.withdrawn_opt[o] {
            st.var(&n[3], k[3], 1.0);
        }
    }
    let f = &sl.fixed;
    st.var("cohesion", f[0], sim.cohesion());
    st.var("cohesion.min", f[1], sim.cohesion_min);
    st.var("withdrawals", f[2], f64::from(sim.n_withdrawals));
    st.var("pressure", f[3], sim.pressure);
    st.var("threat", f[4], sim.threat);
    for (i, n) in names.ally.iter().enumerate() {
        let k = sl.ally.get(i).copied().unwrap_or_default();
        st.var(&n[0], k[0], f64::from(sim.v.align[i]));
        if let Some(d) = sim.v.plus_day[i] {
            st.var(&n[1], k[1], d as f64);
        }
        if let Some(d) = sim.v.minus_day[i] {
            st.var(&n[2], k[2], d as f64);
        }
        if let Some(d) = sim.v.withdrawn[i] {
            st.var(&n[3], k[3], d as f64);
            st.var(&n[4], k[4], (d + m.notice_days) as f64);
        }
    }
    for (k, n) in names.issue.iter().enumerate() {
        let (med, mean) = sim.issue_stats(k);
        let at = sl.issue.get(k).copied().unwrap_or_default();
        st.var(&n[0], at[0], med);
        st.var(&n[1], at[1], mean);
    }
    for (j, ((i, name), s)) in pos_series.iter().zip(pos_s.iter()).enumerate() {
        let (v, ser) = sl.pos.get(j).copied().unwrap_or_default();
        st.var(name, v, sim.v.pos[*i]);
        st.series(name, ser, s);
    }
    st.series("cohesion", sl.cohesion_series, coh_s);
    for (j, (n, s)) in names.ally.iter().zip(align_s.iter()).enumerate() {
        st.series(&n[0], sl.ally_series.get(j).copied().unwrap_or_default(), s);
    }
    for (j, (d, option)) in names.disabled.iter().enumerate() {
        let (kd, ko) = sl.disabled.get(j).copied().unwrap_or_default();
        st.var(d, kd, 1.0);
        // a removed option was never taken (outcome predicates such as `option.x.taken < 1`
        // keep working)
        if let Some([taken, orders]) = option {
            let [kt, ko] = ko.unwrap_or_default();
            st.var(taken, kt, 0.0);
            st.var(orders, ko, 0.0);
        }
    }
    let ended = sim
        .ended
        .take()
        .unwrap_or_else(|| log::key(log::ENDED_STATUS_QUO, [0; 3], 0));
    sim.log.push(ended);
    st.events(&sim.log, &m.ev_names);
    *log_buf = std::mem::take(&mut sim.log);
    *sim_buf = sim.v;
    Ok(())
}
