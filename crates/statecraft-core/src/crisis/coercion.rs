//! Coercive concession (E7, docs/crisis.md §4): under threat the target moves toward the
//! initiator by φ = κ·Θ·(1+P)·ρ, where ρ is the initiator's side's share of the capability ×
//! salience of the aligned allies with a stance. Deadline pressure P acts here and nowhere else.

use super::*;

impl Sim<'_> {
    /// The target's concession of this round (called by the bargaining round, after the
    /// model's step and the access pulls, before positions are clamped).
    pub(super) fn concession(&mut self) {
        let nk = self.m.n_issues;
        if let Some((ini, tgt, k, kappa)) = self.m.coercion {
            if self.threat > 0.0 {
                let (xi, xt) = (self.pos[ini * nk + k], self.pos[tgt * nk + k]);
                let cs = |a: usize| self.cap[a].max(0.0) * self.sal[a * nk + k].clamp(0.0, 1.0);
                let (mut side_i, mut side_t) = (cs(ini), cs(tgt));
                for (j, al) in self.m.allies.iter().enumerate() {
                    if al.actor == ini || al.actor == tgt || !self.m.stance[al.actor * nk + k] {
                        continue;
                    }
                    match self.align[j] {
                        1 => side_i += cs(al.actor),
                        -1 => side_t += cs(al.actor),
                        _ => {}
                    }
                }
                let rho = if side_i + side_t > 0.0 {
                    side_i / (side_i + side_t)
                } else {
                    0.0
                };
                let phi = (kappa * self.threat * (1.0 + self.pressure) * rho).clamp(0.0, 1.0);
                if xi > xt {
                    self.pos[tgt * nk + k] = xt + phi * (xi - xt);
                }
            }
        }
    }
}
