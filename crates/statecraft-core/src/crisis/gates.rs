//! Options and decision gates (E3, E4, docs/crisis.md §3): orders, gate chains that pass, delay,
//! block or substitute, execution, and statutory clocks.

use super::*;

/// Per option, its propensity modifiers as (predicate, factor) (docs/crisis.md §3).
pub(super) type Modifiers = Vec<Vec<(Expr<Var>, f64)>>;

/// The compiler's predicate resolver (text, error context) → predicate over [`Var`]s.
pub(super) type PredFn<'a> = dyn Fn(&str, &dyn Display) -> Result<Expr<Var>, CrisisError> + 'a;

/// Error context of an option's modifier, formatted only when an error is reported.
struct ModCx<'a>(&'a str, usize);

impl Display for ModCx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "option {} modifier {}", self.0, self.1)
    }
}

/// Resolve every option's `modifiers` (in the order of `c.options`, as `Model::opts`) with the
/// compiler's predicate resolver `pred`.
pub(super) fn compile_modifiers(c: &CrisisSpec, pred: &PredFn) -> Result<Modifiers, CrisisError> {
    c.options
        .iter()
        .map(|o| {
            o.modifiers
                .iter()
                .enumerate()
                .map(|(j, m)| Ok((pred(&m.when, &ModCx(&o.id, j))?, m.factor.value.max(0.0))))
                .collect()
        })
        .collect()
}

impl Sim<'_> {
    /// The product of the factors of option `o`'s modifiers whose predicate holds now
    /// (docs/crisis.md §3: piecewise-constant proportional hazards); 1 with none.
    pub(super) fn hazard_factor(&self, o: usize) -> f64 {
        self.m.modifiers.get(o).map_or(1.0, |ms| {
            ms.iter()
                .filter(|(w, _)| self.holds(w))
                .map(|(_, f)| *f)
                .product()
        })
    }

    /// Probability that gate `g` stops option `o` (docs/crisis.md §3):
    /// σ(β₀ + β_d·s_g·d(x_g, level) + β_L·(1 − legality)).
    pub(super) fn p_stop(&self, g: usize, o: usize) -> f64 {
        let gate = &self.m.gates[g];
        let opt = &self.m.opts[o];
        let d = match (opt.level, self.m.crisis_issue) {
            (Some(level), Some(k)) => {
                let i = gate.actor * self.m.n_issues + k;
                let range = (self.m.hi[k] - self.m.lo[k]).max(1e-9);
                self.v.sal[i].clamp(0.0, 1.0) * ((self.v.pos[i] - level).abs() / range).min(1.0)
            }
            _ => 0.0,
        };
        sigmoid(gate.block + gate.w_pos * d + gate.w_leg * (1.0 - opt.legality))
    }

    pub(super) fn is_pending(&self, o: usize) -> bool {
        self.v.pending.iter().any(|p| p.opt == o)
    }

    pub(super) fn execute(&mut self, o: usize) {
        let m = self.m;
        let opt = &m.opts[o];
        self.v.taken[o] = Some(self.day);
        self.log.push(log::key(log::OPTION, [o, 0, 0], self.day));
        self.ended = Some(log::key(log::ENDED_OPTION, [o, 0, 0], 0));
        self.apply(&opt.effects);
        self.push_t += opt.push_t;
        self.push_i += opt.push_i;
        if opt.push_t > 0.0 || opt.push_i > 0.0 {
            self.last_push = Some(o);
        }
        self.threat = (self.threat + opt.threat).clamp(0.0, 1.0);
        for &g in &opt.gates {
            if let Some((report, limit, ext)) = m.gates[g].clock {
                let report_day = self.day + i64::from(report);
                self.log.push(log::key(log::REPORT, [o, g, 0], report_day));
                self.v
                    .clocks
                    .push((o, g, report_day + i64::from(limit) + i64::from(ext)));
            }
        }
    }

    /// Take one order as far along its chain as it gets this round. Returns the order if it is
    /// still pending (delayed) and a substitute order if one was made.
    pub(super) fn advance(&mut self, mut p: Pending) -> (Option<Pending>, Option<Pending>) {
        let m = self.m;
        if self.v.taken[p.opt].is_some() {
            // carried out meanwhile (e.g. as another order's substitute this round)
            return (None, None);
        }
        while p.gate_pos < m.opts[p.opt].gates.len() {
            let g = m.opts[p.opt].gates[p.gate_pos];
            let gate = &m.gates[g];
            if Some(g) == p.skip || gate.clock.is_some() {
                p.gate_pos += 1;
                continue;
            }
            // keyed by (gate, option, which order): other elements never shift these draws
            let e = rng::combine(
                rng::combine(gate.rid, m.opts[p.opt].rid),
                u64::from(p.order),
            );
            if self.u(e, 0) >= self.p_stop(g, p.opt) {
                p.gate_pos += 1;
                continue;
            }
            let u = self.u(e, 1);
            if u < gate.delay {
                p.delays += 1;
                if p.delays > gate.max_delays {
                    self.log
                        .push(log::key(log::LAPSED, [p.opt, g, 0], self.day));
                    self.ended = Some(log::key(log::ENDED_LAPSED, [g, 0, 0], 0));
                    return (None, None);
                }
                self.log
                    .push(log::key(log::DELAYED, [p.opt, g, 0], self.day));
                return (Some(p), None);
            }
            if u < gate.delay + gate.subst {
                let sub = gate.substitutes.iter().copied().find(|&s| {
                    s != p.opt
                        && self.v.avail[s]
                        && self.v.taken[s].is_none()
                        && !self.is_pending(s)
                });
                if let Some(s) = sub {
                    self.log
                        .push(log::key(log::SUBSTITUTED, [p.opt, s, g], self.day));
                    self.v.orders[s] += 1;
                    let np = Pending {
                        opt: s,
                        order: self.v.orders[s],
                        gate_pos: 0,
                        delays: 0,
                        skip: Some(g),
                    };
                    return (None, Some(np));
                }
            }
            self.log
                .push(log::key(log::BLOCKED, [p.opt, g, 0], self.day));
            self.ended = Some(log::key(log::ENDED_BLOCKED, [g, 0, 0], 0));
            return (None, None);
        }
        self.execute(p.opt);
        (None, None)
    }

    pub(super) fn options(&mut self) {
        let m = self.m;
        for o in 0..m.opts.len() {
            if self.v.taken[o].is_some() || !self.v.avail[o] || self.is_pending(o) {
                continue;
            }
            if !self.holds(&m.opts[o].when) {
                continue;
            }
            // Propensities are not scaled by deadline pressure (it acts once, on the target's
            // concession: docs/crisis.md, "Deadline pressure"); the option's own modifiers
            // multiply it once (§3).
            let p = (self.v.prop[o] * self.hazard_factor(o)).clamp(0.0, 1.0);
            if self.u(m.opts[o].rid, 0) < p {
                self.v.orders[o] += 1;
                self.log.push(log::key(log::ORDER, [o, 0, 0], self.day));
                self.v.pending.push(Pending {
                    opt: o,
                    order: self.v.orders[o],
                    gate_pos: 0,
                    delays: 0,
                    skip: None,
                });
            }
        }
        let mut queue = std::mem::take(&mut self.v.pending);
        let mut keep = std::mem::take(&mut self.v.keep);
        keep.clear();
        let mut i = 0;
        while i < queue.len() {
            let (still, sub) = self.advance(queue[i]);
            if let Some(s) = still {
                keep.push(s);
            }
            if let Some(s) = sub {
                queue.push(s);
            }
            i += 1;
        }
        self.v.pending = keep;
        queue.clear();
        self.v.keep = queue;
        // statutory clocks (War Powers): judge when the time runs out
        let mut clocks = std::mem::take(&mut self.v.clocks);
        clocks.retain(|&(o, g, due)| {
            if due > self.day {
                return true;
            }
            let e = rng::combine(m.gates[g].rid, m.opts[o].rid);
            if self.u(e, 0) < self.p_stop(g, o) {
                self.log.push(log::key(log::WITHDRAWN, [o, g, 0], self.day));
                self.v.withdrawn_opt[o] = true;
                self.apply(&m.opts[o].on_withdraw);
            } else {
                self.log
                    .push(log::key(log::AUTHORIZED, [o, g, 0], self.day));
            }
            false
        });
        self.v.clocks = clocks;
    }
}
