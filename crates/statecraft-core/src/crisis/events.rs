//! Dated events (docs/crisis.md §1): an event whose date falls in the round applies its
//! effects, and undoes them when its `until` date falls in a later round.

use super::*;

impl Sim<'_> {
    /// Apply the events dated in (lo, hi], then undo those whose `until` falls in (lo, hi].
    pub(super) fn events_in(&mut self, lo: i64, hi: i64) {
        let m = self.m;
        for (e, ev) in m.events.iter().enumerate() {
            if ev.day > lo && ev.day <= hi {
                let mut before = std::mem::take(&mut self.v.saved[e]);
                self.apply_saving(&ev.effects, &mut before);
                self.v.saved[e] = before;
                self.v.saved_on[e] = true;
                self.log.push(log::key(log::EVENT_ON, [e, 0, 0], self.day));
            }
        }
        for (e, ev) in m.events.iter().enumerate() {
            if let Some(u) = ev.until {
                // (`saved_on` is read, and cleared, only for an event ending in this round)
                if u > lo && u <= hi && std::mem::take(&mut self.v.saved_on[e]) {
                    let before = std::mem::take(&mut self.v.saved[e]);
                    self.undo(&ev.effects, &before);
                    self.v.saved[e] = before;
                    self.log.push(log::key(log::EVENT_END, [e, 0, 0], self.day));
                }
            }
        }
    }
}
