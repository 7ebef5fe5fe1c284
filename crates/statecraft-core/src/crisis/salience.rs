//! Effective salience (E11, docs/crisis.md §2): outside presence raises an actor's salience.

use super::*;

impl Sim<'_> {
    pub(super) fn effective_salience(&mut self) {
        self.v.sal.copy_from_slice(&self.v.base_sal);
        let nk = self.m.n_issues;
        for &(f, t, k, w) in &self.m.presence {
            let sf = self.v.sal[f * nk + k];
            let st = &mut self.v.sal[t * nk + k];
            *st = (*st + w * sf * (1.0 - *st)).clamp(0.0, 1.0);
        }
    }
}
