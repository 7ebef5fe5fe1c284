//! Volatility (E1, docs/crisis.md §1): listed stances may jump each round.

use super::*;

impl Sim<'_> {
    pub(super) fn volatility(&mut self) {
        let nk = self.m.n_issues;
        for &(i, prob, size, up, sal, id) in &self.m.vol {
            if self.u(id, 0) < prob {
                let dir = if self.u(id, 1) < up { 1.0 } else { -1.0 };
                let k = i % nk;
                self.v.pos[i] = (self.v.pos[i] + dir * size).clamp(self.m.lo[k], self.m.hi[k]);
                if sal > 0.0 {
                    let ds = if self.u(id, 2) < 0.5 { sal } else { -sal };
                    self.v.base_sal[i] = (self.v.base_sal[i] + ds).clamp(0.0, 1.0);
                }
                self.log.push(log::key(log::JUMP, [i / nk, 0, 0], self.day));
            }
        }
    }
}
