//! Coercive concession (E7, docs/crisis.md §4): under threat the target moves toward the
//! initiator by φ = κ·Θ·(1+P)·ρ, where ρ is the initiator's side's share of the capability ×
//! salience of the aligned allies with a stance. Deadline pressure P acts here and nowhere else.
//! The threat Θ rises with coercive acts and falls by resistance (options with a negative
//! `threat`) and by erosion δ in rounds with no renewed act.

use super::*;

/// δ of `[crisis.coercion] decay` (0 without a coercion section), clamped to [0, 1].
pub(super) fn compile_decay(c: &CrisisSpec) -> f64 {
    c.coercion
        .as_ref()
        .map_or(0.0, |k| k.decay.value.clamp(0.0, 1.0))
}

impl Sim<'_> {
    /// Threat erosion (docs/crisis.md §4): Θ ← (1 − δ)·Θ unless an option with a positive
    /// `threat` was carried out in the previous round's option step (a renewed threat keeps
    /// its credibility for one more round). Called once per round, before the concession.
    pub(super) fn decay_threat(&mut self) {
        let d = self.m.threat_decay;
        if d <= 0.0 || self.threat <= 0.0 {
            return;
        }
        let rd = self.m.round_days.max(1);
        // the day of the previous round's option step (rounds end at multiples of rd, the
        // last one possibly earlier at the horizon)
        let prev = (self.day - 1).div_euclid(rd) * rd;
        let renewed = self
            .m
            .opts
            .iter()
            .enumerate()
            .any(|(o, opt)| opt.threat > 0.0 && self.v.taken[o] == Some(prev));
        if !renewed {
            self.threat = (self.threat * (1.0 - d)).clamp(0.0, 1.0);
        }
    }

    /// The target's concession of this round (called by the bargaining round, after the
    /// model's step and the access pulls, before positions are clamped).
    pub(super) fn concession(&mut self) {
        self.decay_threat();
        let nk = self.m.n_issues;
        if let Some((ini, tgt, k, kappa)) = self.m.coercion {
            if self.threat > 0.0 {
                let (xi, xt) = (self.v.pos[ini * nk + k], self.v.pos[tgt * nk + k]);
                let cs = |a: usize| self.v.cap[a].max(0.0) * self.v.sal[a * nk + k].clamp(0.0, 1.0);
                let (mut side_i, mut side_t) = (cs(ini), cs(tgt));
                for (j, al) in self.m.allies.iter().enumerate() {
                    if al.actor == ini || al.actor == tgt || !self.m.stance[al.actor * nk + k] {
                        continue;
                    }
                    match self.v.align[j] {
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
                    self.v.pos[tgt * nk + k] = xt + phi * (xi - xt);
                }
            }
        }
    }
}
