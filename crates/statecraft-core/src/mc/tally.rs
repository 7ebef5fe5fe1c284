//! Counting a job's event keys ([`EventKey`]): for each distinct key, the runs in which it
//! occurred and its occurrences — what [`super::count_run_events`] counts, in time linear in a
//! run's events instead of a tree search per event and a quadratic "seen earlier in this run"
//! scan (docs/performance.md §7, "Event keys by hash").

use crate::state::EventKey;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// A key as the map holds it, hashed by [`key_hash`].
#[derive(Clone, Copy, PartialEq, Eq)]
struct Hashed(EventKey);

impl Hash for Hashed {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(key_hash(&self.0));
    }
}

/// A 64-bit hash of every field of `k` (a multiply–rotate chain finished by
/// [`crate::rng::mix64`]); keys come from the job's own model, not from an adversary, so no keyed
/// hash is needed.
fn key_hash(k: &EventKey) -> u64 {
    let mut h = u64::from(k.template);
    for x in [
        u64::from(k.args[0]),
        u64::from(k.args[1]),
        u64::from(k.args[2]),
        k.day as u64,
    ] {
        h = (h ^ x).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
    }
    crate::rng::mix64(h)
}

/// Passes on the one `u64` that [`Hashed`] writes.
#[derive(Default)]
struct Passthrough(u64);

impl Hasher for Passthrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = x;
    }
    fn write(&mut self, bytes: &[u8]) {
        // not reached ([`Hashed`] writes one u64); kept total rather than panicking
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3);
        }
    }
}

/// One distinct key: (key, runs in which it occurred, occurrences, the last run counted).
struct Row {
    key: EventKey,
    runs: u64,
    total: u64,
    last: u64,
}

/// Per distinct event key of a job: runs in which it occurred and occurrences.
#[derive(Default)]
pub(super) struct KeyTally {
    index: HashMap<Hashed, usize, BuildHasherDefault<Passthrough>>,
    rows: Vec<Row>,
    /// runs counted so far (the stamp of the current run is this + 1 while counting it)
    runs: u64,
}

impl KeyTally {
    /// Count one run's keys: every occurrence, and the run once for each distinct key in it;
    /// only the keys of a template `counted` says true of (a template past its end is counted).
    pub(super) fn count(&mut self, keys: &[EventKey], counted: &[bool]) {
        self.runs += 1;
        let stamp = self.runs;
        for k in keys {
            if !counted
                .get(usize::from(k.template))
                .copied()
                .unwrap_or(true)
            {
                continue;
            }
            let rows = &mut self.rows;
            let i = *self.index.entry(Hashed(*k)).or_insert_with(|| {
                rows.push(Row {
                    key: *k,
                    runs: 0,
                    total: 0,
                    last: 0,
                });
                rows.len() - 1
            });
            let r = &mut self.rows[i];
            r.total += 1;
            if r.last != stamp {
                r.last = stamp;
                r.runs += 1;
            }
        }
    }

    /// Every distinct key with (runs in which it occurred, occurrences), in the order keys
    /// were first seen.
    pub(super) fn into_counts(self) -> impl Iterator<Item = (EventKey, (u64, u64))> {
        self.rows.into_iter().map(|r| (r.key, (r.runs, r.total)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn key() -> impl Strategy<Value = EventKey> {
        // few distinct values per field, so keys repeat within and across runs
        (0u16..3, 0u32..3, 0u32..2, -1i64..2)
            .prop_map(|(t, a, b, d)| EventKey::new(t, [a, b, 0], d))
    }

    proptest! {
        /// The tally equals the tree-based count of texts ([`super::super::count_run_events`])
        /// on the same runs: same keys, same (runs, occurrences).
        #[test]
        fn the_tally_equals_the_tree_count(
            runs in proptest::collection::vec(proptest::collection::vec(key(), 0..12), 0..20)
        ) {
            let mut tree: BTreeMap<EventKey, (u64, u64)> = BTreeMap::new();
            let mut t = KeyTally::default();
            for r in &runs {
                super::super::count_run_events(&mut tree, r, |_| true);
                t.count(r, &[]);
            }
            let got: BTreeMap<EventKey, (u64, u64)> = t.into_counts().collect();
            prop_assert_eq!(got, tree);
        }
    }

    #[test]
    fn a_key_repeated_in_a_run_counts_that_run_once() {
        let (a, b) = (
            EventKey::new(1, [2, 3, 4], 5),
            EventKey::new(1, [2, 3, 4], 6),
        );
        let mut t = KeyTally::default();
        t.count(&[a, a, b], &[]);
        t.count(&[a], &[]);
        t.count(&[], &[]);
        let got: Vec<_> = t.into_counts().collect();
        assert_eq!(got, vec![(a, (2, 3)), (b, (1, 1))]);
    }
}
