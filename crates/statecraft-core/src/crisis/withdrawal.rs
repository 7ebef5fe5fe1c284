//! Withdrawal notices (E9, docs/crisis.md §5).

use super::*;

impl Sim<'_> {
    pub(super) fn withdrawals(&mut self) {
        let m = self.m;
        if m.withdraw_prob <= 0.0 || !self.holds(&m.withdraw_when) {
            return;
        }
        for i in 0..m.allies.len() {
            let a = &m.allies[i];
            if !a.member
                || m.consent_bound[i]
                || self.v.align[i] != -1
                || self.v.withdrawn[i].is_some()
            {
                continue;
            }
            if self.u(a.wid, 0) < m.withdraw_prob {
                self.give_notice(i);
            }
        }
    }
}
