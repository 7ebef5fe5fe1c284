//! The weekly bargaining round (docs/crisis.md §2) through the registered model, faction
//! access pulls (E2), then the target's concession ([`coercion`](super::coercion)).

use super::*;

impl Sim<'_> {
    /// Bargaining, access pulls and coercive concession (docs/crisis.md §2, §4). The
    /// bargaining round is the scenario's registered model ([`Stepper`]); SMP's stochastic
    /// mode draws from a stream keyed by (run key, day, issue), never by draw order.
    pub(super) fn bargaining(&mut self) -> Result<(), CrisisError> {
        let nk = self.m.n_issues;
        let n = self.v.cap.len();
        // Deadline pressure does not act here: it acts once, on the target's concession below
        // (docs/crisis.md, "Deadline pressure").
        let rate = self.m.rate;
        // Only SMP draws from the stream; the other steppers are handed an unused one.
        let smp = matches!(self.m.stepper, Stepper::Smp(_));
        let purpose = rng::element_id("crisis.bargaining");
        if nk == 1 {
            // one issue: the run's own vectors are the issue's (no copies)
            if smp {
                self.brng = rng::substream(self.key, self.day as u64, rng::combine(purpose, 0));
            }
            self.m
                .stepper
                .step(
                    &mut self.v.pos,
                    &self.v.sal,
                    &self.v.cap,
                    &self.m.stance,
                    rate,
                    (self.m.lo[0], self.m.hi[0]),
                    &mut self.brng,
                )
                .map_err(|e| CrisisError::Model(e.0))?;
        } else {
            let (mut pos, mut sal, mut has) = (
                std::mem::take(&mut self.v.b_pos),
                std::mem::take(&mut self.v.b_sal),
                std::mem::take(&mut self.v.b_has),
            );
            let mut result = Ok(());
            for k in 0..nk {
                for a in 0..n {
                    pos[a] = self.v.pos[a * nk + k];
                    sal[a] = self.v.sal[a * nk + k];
                    has[a] = self.m.stance[a * nk + k];
                }
                if smp {
                    self.brng =
                        rng::substream(self.key, self.day as u64, rng::combine(purpose, k as u64));
                }
                if let Err(e) = self.m.stepper.step(
                    &mut pos,
                    &sal,
                    &self.v.cap,
                    &has,
                    rate,
                    (self.m.lo[k], self.m.hi[k]),
                    &mut self.brng,
                ) {
                    result = Err(CrisisError::Model(e.0));
                    break;
                }
                for (a, x) in pos.iter().enumerate() {
                    self.v.pos[a * nk + k] = *x;
                }
            }
            self.v.b_pos = pos;
            self.v.b_sal = sal;
            self.v.b_has = has;
            result?;
        }
        for &(f, t, k, w) in &self.m.access {
            let (xf, sf) = (self.v.pos[f * nk + k], self.v.sal[f * nk + k]);
            let xt = &mut self.v.pos[t * nk + k];
            *xt += (self.m.access_rate * w * sf).clamp(0.0, 1.0) * (xf - *xt);
        }
        self.concession();
        // every position back into its issue's scale: row by row (actor a's row holds issues
        // 0..nk), no division per position
        if nk > 0 {
            let (lo, hi) = (&self.m.lo[..nk], &self.m.hi[..nk]);
            for row in self.v.pos.chunks_exact_mut(nk) {
                for ((x, &l), &h) in row.iter_mut().zip(lo).zip(hi) {
                    *x = x.clamp(l, h);
                }
            }
        }
        Ok(())
    }
}
