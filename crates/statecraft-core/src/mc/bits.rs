//! Per-run indicators: one bit per run, in run order, or only their count.
//!
//! A job folds, for every outcome class and question, whether its predicate held in each run
//! ([`super::Runs::outcomes`], [`super::Runs::questions`]). Paired comparisons made after the
//! job (hypotheses against the same runs, `compare`, pivotality) read those per-run bits; every
//! other reader wants only the count. So a [`Bits`] either keeps the bits, packed 64 runs to a
//! word (1/8 of a `Vec<bool>`: 2 MB for 17 indicators over 10⁶ runs), or, when no paired
//! analysis will read them, keeps only the run and hit counts, and then costs the same memory at
//! 10⁴ and 10⁶ runs (issue 11: "memory flat in the number of runs").

use super::stats::PairedCounts;

/// One predicate's per-run indicator (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bits {
    /// Run `i` is bit `i % 64` of word `i / 64`; bits past `len` are 0. Empty when not kept.
    words: Vec<u64>,
    /// Runs pushed.
    len: u64,
    /// Runs in which the predicate held.
    ones: u64,
    /// Whether the bits are kept ([`Bits::new`]) or only counted ([`Bits::counting`]).
    kept: bool,
}

impl Default for Bits {
    /// An empty indicator that keeps its bits, as [`Bits::new`].
    fn default() -> Self {
        Bits::new()
    }
}

impl Bits {
    /// An empty indicator that keeps every run's bit.
    pub fn new() -> Bits {
        Bits {
            words: Vec::new(),
            len: 0,
            ones: 0,
            kept: true,
        }
    }

    /// An empty indicator that only counts runs and hits: [`Bits::get`] gives `None` and
    /// [`Bits::iter`] nothing, whatever was pushed.
    pub fn counting() -> Bits {
        Bits {
            kept: false,
            ..Bits::new()
        }
    }

    /// Append the next run's bit.
    #[inline]
    pub fn push(&mut self, b: bool) {
        if self.kept {
            let bit = self.len % 64;
            if bit == 0 {
                self.words.push(0);
            }
            if b {
                if let Some(w) = self.words.last_mut() {
                    *w |= 1 << bit;
                }
            }
        }
        self.len += 1;
        self.ones += u64::from(b);
    }

    /// Runs pushed.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Runs in which the predicate held (kept or not).
    pub fn ones(&self) -> u64 {
        self.ones
    }

    /// Whether the per-run bits are kept (else only the counts are).
    pub fn is_kept(&self) -> bool {
        self.kept
    }

    /// Run `i`'s bit: `None` past the end or when the bits are not kept.
    pub fn get(&self, i: u64) -> Option<bool> {
        (self.kept && i < self.len).then(|| self.words[(i / 64) as usize] >> (i % 64) & 1 == 1)
    }

    /// The bits in run order (nothing when they are not kept).
    pub fn iter(&self) -> impl Iterator<Item = bool> + '_ {
        let n = if self.kept { self.len } else { 0 };
        (0..n).map(move |i| self.words[(i / 64) as usize] >> (i % 64) & 1 == 1)
    }

    /// Append `other`'s runs after these. Both must keep their bits (or neither: then only the
    /// counts add up); a kept indicator extended by a counted one stops keeping its bits, so
    /// that no reader takes the missing runs for zeros.
    pub fn extend_from(&mut self, other: &Bits) {
        if self.kept && other.kept {
            for b in other.iter() {
                self.push(b);
            }
            return;
        }
        self.kept = false;
        self.words = Vec::new();
        self.len += other.len;
        self.ones += other.ones;
    }

    /// Word `w` masked to the first `n` runs.
    fn word(&self, w: usize, n: u64) -> u64 {
        let x = self.words.get(w).copied().unwrap_or(0);
        let start = w as u64 * 64;
        if n >= start + 64 {
            x
        } else if n <= start {
            0
        } else {
            x & ((1u64 << (n - start)) - 1)
        }
    }
}

impl FromIterator<bool> for Bits {
    fn from_iter<I: IntoIterator<Item = bool>>(it: I) -> Bits {
        let mut b = Bits::new();
        for x in it {
            b.push(x);
        }
        b
    }
}

impl From<&[bool]> for Bits {
    fn from(v: &[bool]) -> Bits {
        v.iter().copied().collect()
    }
}

impl PairedCounts {
    /// [`PairedCounts::from_pairs`] on packed indicators: the 2×2 table of the first
    /// min(`base.len()`, `alt.len()`) pairs, counted a word (64 pairs) at a time. `None` when
    /// either side did not keep its bits (a paired table cannot be formed from counts).
    pub fn from_bits(base: &Bits, alt: &Bits) -> Option<PairedCounts> {
        PairedCounts::from_bits_upto(base, alt, u64::MAX)
    }

    /// [`PairedCounts::from_bits`] of the first `n` pairs at most.
    pub fn from_bits_upto(base: &Bits, alt: &Bits, n: u64) -> Option<PairedCounts> {
        if !base.kept || !alt.kept {
            return None;
        }
        let n = base.len.min(alt.len).min(n);
        let mut c = PairedCounts::default();
        for w in 0..n.div_ceil(64) as usize {
            let (b, a) = (base.word(w, n), alt.word(w, n));
            c.n11 += u64::from((a & b).count_ones());
            c.n10 += u64::from((a & !b).count_ones());
            c.n01 += u64::from((!a & b).count_ones());
        }
        c.n00 = n - c.n11 - c.n10 - c.n01;
        Some(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Packed indicators read back as the bools pushed, count them, and give the paired
        /// table `from_pairs` gives on the bools, for any lengths (word boundaries included).
        #[test]
        fn packed_bits_equal_bools(
            a in proptest::collection::vec(any::<bool>(), 0..300),
            b in proptest::collection::vec(any::<bool>(), 0..300),
        ) {
            let (pa, pb) = (Bits::from(&a[..]), Bits::from(&b[..]));
            prop_assert_eq!(pa.iter().collect::<Vec<_>>(), a.clone());
            prop_assert_eq!(pa.len(), a.len() as u64);
            prop_assert_eq!(pa.ones(), a.iter().filter(|x| **x).count() as u64);
            for (i, x) in a.iter().enumerate() {
                prop_assert_eq!(pa.get(i as u64), Some(*x));
            }
            prop_assert_eq!(pa.get(a.len() as u64), None);
            prop_assert_eq!(
                PairedCounts::from_bits(&pb, &pa),
                Some(PairedCounts::from_pairs(&b, &a))
            );
            let mut joined = pa.clone();
            joined.extend_from(&pb);
            let mut want = a.clone();
            want.extend(&b);
            prop_assert_eq!(joined.iter().collect::<Vec<_>>(), want);
            prop_assert_eq!(joined.ones(), pa.ones() + pb.ones());
            let cut = (a.len() / 2) as u64;
            prop_assert_eq!(
                PairedCounts::from_bits_upto(&pb, &pa, cut),
                Some(PairedCounts::from_pairs(&b[..b.len().min(cut as usize)], &a[..cut as usize]))
            );
        }
    }

    /// A counting indicator keeps the counts, no bits, and refuses to pair.
    #[test]
    fn counting_keeps_counts_only() {
        let mut c = Bits::counting();
        for i in 0..1000 {
            c.push(i % 3 == 0);
        }
        assert_eq!((c.len(), c.ones()), (1000, 334));
        assert_eq!(c.get(0), None);
        assert_eq!(c.iter().count(), 0);
        assert!(c.words.capacity() == 0);
        let k = Bits::from(&[true, false][..]);
        assert_eq!(PairedCounts::from_bits(&k, &c), None);
        let mut k2 = k.clone();
        k2.extend_from(&c);
        assert!(!k2.is_kept());
        assert_eq!((k2.len(), k2.ones()), (1002, 335));
    }
}
