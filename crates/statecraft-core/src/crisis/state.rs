//! A run's state: reading variables for predicates, reading and writing effect parameters,
//! applying and undoing effects, and the keyed draws of a round.

use super::*;

impl Sim<'_> {
    /// The capability×salience-weighted median (lower end of an exact tie, the issue outcome
    /// convention of `state.rs`) and mean of issue `k` over the actors with a stance on it.
    pub(super) fn issue_stats(&self, k: usize) -> (f64, f64) {
        let nk = self.m.n_issues;
        let n = self.v.cap.len();
        let mut scratch = self.v.stats.borrow_mut();
        let (p, w) = &mut *scratch;
        p.clear();
        w.clear();
        for a in 0..n {
            let i = a * nk + k;
            if self.m.stance[i] {
                p.push(self.v.pos[i]);
                w.push(self.v.cap[a].max(0.0) * self.v.sal[i].clamp(0.0, 1.0));
            }
        }
        // No weight at all: no outcome (the models' equal-weight fallback does not apply here).
        if !w.iter().any(|&x| x > 0.0) {
            return (f64::NAN, f64::NAN);
        }
        (
            stats::weighted_median(p, w, TieRule::Lower),
            stats::weighted_mean(p, w),
        )
    }

    pub(super) fn var(&self, v: &Var) -> Option<f64> {
        Some(match *v {
            Var::Pos(i) => self.v.pos[i],
            Var::Sal(i) => self.v.sal[i],
            Var::Cap(a) => self.v.cap[a],
            Var::Issue(k) => self.issue_stats(k).0,
            Var::IssueMean(k) => self.issue_stats(k).1,
            Var::Taken(o) => f64::from(u8::from(self.v.taken[o].is_some())),
            Var::Day(o) => return self.v.taken[o].map(|d| d as f64),
            Var::Cohesion => self.cohesion(),
            Var::Align(a) => f64::from(self.v.align[a]),
            Var::Withdrawals => f64::from(self.n_withdrawals),
            Var::Pressure => self.pressure,
            Var::Threat => self.threat,
            Var::Now => self.day as f64,
            Var::Param(i) => return self.m.params.get(i).copied(),
            Var::Const(c) => c,
            Var::Absent => return None,
        })
    }

    pub(super) fn holds(&self, p: &Expr<Var>) -> bool {
        p.eval(&mut |v: &Var| self.var(v))
    }

    pub(super) fn read(&self, p: Param) -> f64 {
        match p {
            Param::Pos(i) => self.v.pos[i],
            Param::Sal(i) => self.v.base_sal[i],
            Param::Cap(a) => self.v.cap[a],
            Param::OptAvail(o) => f64::from(u8::from(self.v.avail[o])),
            Param::OptProp(o) => self.v.prop[o],
            Param::Pressure => self.pressure,
            Param::Threat => self.threat,
            Param::Cohesion => -self.cohesion_shift,
            Param::Lean(a) => self.v.lean[a],
            Param::Align(a) => f64::from(self.v.align[a]),
            Param::Withdraw(a) => f64::from(u8::from(self.v.withdrawn[a].is_some())),
            Param::Nop => 0.0,
        }
    }

    pub(super) fn write(&mut self, p: Param, v: f64) {
        let nk = self.m.n_issues;
        match p {
            Param::Pos(i) => self.v.pos[i] = v.clamp(self.m.lo[i % nk], self.m.hi[i % nk]),
            Param::Sal(i) => self.v.base_sal[i] = v.clamp(0.0, 1.0),
            Param::Cap(a) => {
                self.v.cap[a] = v.max(0.0);
                self.coh.set(None);
            }
            Param::OptAvail(o) => self.v.avail[o] = v >= 0.5,
            Param::OptProp(o) => self.v.prop[o] = v.clamp(0.0, 1.0),
            Param::Pressure => self.pressure = v.max(0.0),
            Param::Threat => self.threat = v.clamp(0.0, 1.0),
            Param::Cohesion => {
                self.cohesion_shift = -v;
                self.coh.set(None);
            }
            Param::Lean(a) => self.v.lean[a] = v,
            Param::Align(a) => self.set_align(a, v.round().clamp(-1.0, 1.0) as i8),
            Param::Withdraw(a) => {
                if v >= 0.5 {
                    self.give_notice(a);
                }
            }
            Param::Nop => {}
        }
    }

    /// Apply effects.
    pub(super) fn apply(&mut self, effects: &[CEffect]) {
        for e in effects {
            self.apply_one(e);
        }
    }

    /// Apply effects; returns the values before, so that they can be undone.
    /// Apply `effects`, writing the values they overwrite into `before` (cleared first).
    pub(super) fn apply_saving(&mut self, effects: &[CEffect], before: &mut Vec<f64>) {
        before.clear();
        for e in effects {
            before.push(self.apply_one(e));
        }
    }

    /// Apply one effect; returns the value before.
    fn apply_one(&mut self, e: &CEffect) -> f64 {
        let old = self.read(e.param);
        let new = match e.op {
            EffectOp::Set => e.value,
            EffectOp::Add => old + e.value,
            EffectOp::Mul => old * e.value,
        };
        self.write(e.param, new);
        old
    }

    pub(super) fn undo(&mut self, effects: &[CEffect], before: &[f64]) {
        for (e, old) in effects.iter().zip(before).rev() {
            let cur = self.read(e.param);
            let v = match e.op {
                EffectOp::Set => *old,
                EffectOp::Add => cur - e.value,
                EffectOp::Mul if e.value != 0.0 => cur / e.value,
                EffectOp::Mul => *old,
            };
            self.write(e.param, v);
        }
    }

    pub(super) fn set_align(&mut self, a: usize, v: i8) {
        if self.v.align[a] != v {
            self.coh.set(None);
            for &t in &self.m.allies[a].out {
                self.v.nb_stale[t] = true;
            }
        }
        self.v.align[a] = v;
        if v == 1 && self.v.plus_day[a].is_none() {
            self.v.plus_day[a] = Some(self.day);
        }
        if v == -1 && self.v.minus_day[a].is_none() {
            self.v.minus_day[a] = Some(self.day);
        }
    }

    pub(super) fn give_notice(&mut self, a: usize) {
        if self.v.withdrawn[a].is_none() {
            self.v.withdrawn[a] = Some(self.day);
            self.n_withdrawals += 1;
            self.coh.set(None);
            let id = self.m.allies[a].actor;
            self.log
                .push(log::key(log::WITHDRAWAL, [id, 0, 0], self.day));
        }
    }

    /// The keyed uniform of `element` in this round (day), `slot` (docs/uncertainty.md).
    pub(super) fn u(&self, element: u64, slot: u64) -> f64 {
        rng::draw(self.key, element, self.day as u64, slot)
    }
}
