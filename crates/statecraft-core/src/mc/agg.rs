//! Streaming aggregation of a Monte Carlo job: every run is folded into fixed-size
//! accumulators in run order, so memory does not grow with the run count and any thread count
//! gives the same bits (docs/performance.md §7, "Streaming aggregation").
//!
//! A column (one var, or one round of one series) keeps its values exactly, in run order,
//! while it has at most a cap of them ([`VAR_EXACT_CAP`], [`SERIES_EXACT_CAP`]); its quantiles,
//! histogram, mean and standard deviation are then exactly what sorting every value gives. Past
//! the cap the values go into a [`Sketch`] (relative accuracy [`SKETCH_ALPHA`]) and the exact
//! buffer is dropped; the count, sum (hence the mean), minimum and maximum stay exact, the
//! standard deviation comes from Welford's (1962) online update, and a histogram over the
//! variable's declared range keeps exact counts.

use super::{Histogram, VarSummary, QUANTILES};

/// Values a var column keeps exactly before it switches to the sketch. Above the default run's
/// 3,072–5,120 main-job runs (seeds 1–3), so its printed var figures are exact.
pub const VAR_EXACT_CAP: usize = 8_192;
/// Values one round of a series keeps exactly before it switches to the sketch. Lower than
/// [`VAR_EXACT_CAP`] because a crisis scenario has many more series rounds than vars
/// (Greenland: 75 series × 44 rounds = 3,300 columns against 196 vars): padded rows would hold
/// 3,300 × 1,024 × 8 bytes ≈ 27 MB at the cap; the compact rows of [`SeriesAcc`] keep a value
/// only where it changes, and measured 20.6 MB of allocation at the peak, growth slack included
/// (docs/performance.md §7, "Compact series rows").
pub const SERIES_EXACT_CAP: usize = 1_024;
/// Runs a job takes its per-round series bands from: runs `0..SERIES_MAX_RUNS` (by run index,
/// so any thread count and any batching gives the same runs). A later run records no series
/// and folds none, so past it a run costs what a run without series costs (issue 11's per-run
/// target on the JSON and report path); every other figure still reads every run, and
/// [`super::SeriesBands::n`] says how many runs the bands come from. The bands are fan charts:
/// at 8,192 runs the 5% band's own sampling error is ≈ 0.24 percentage points of probability
/// (√(0.05·0.95/8192)), below what a chart shows and of the order of the sketch's
/// [`SKETCH_ALPHA`]; equal to [`VAR_EXACT_CAP`] so that the default run's 3,072–5,120 runs
/// keep every band they had (docs/performance.md §7, "Series bands from the first 8,192 runs").
pub const SERIES_MAX_RUNS: u64 = 8_192;
/// Relative accuracy α of the sketch: a quantile it reports lies within α·|x| of an order
/// statistic between the two the exact interpolation reads (Masson, Rim & Lee 2019, §2).
pub const SKETCH_ALPHA: f64 = 0.005;
/// Values with |x| below this go to the sketch's zero bucket (absolute error at most this).
pub const SKETCH_MIN_ABS: f64 = 1e-9;

/// A DDSketch-style log-bucketed quantile sketch (Masson, Rim & Lee, "DDSketch: A Fast and
/// Fully-Mergeable Quantile Sketch with Relative-Error Guarantees", PVLDB 12(12), 2019): bucket
/// `i` of a sign counts the values with γ^(i−1) < |x| ≤ γ^i, γ = (1 + α)/(1 − α), and stands
/// for 2γ^i/(γ + 1), which is within α·|x| of every value in it. Dense buckets per sign, so
/// memory grows with log(max/min), not with the count. Deterministic: the same values in any
/// order give the same sketch; [`Sketch::merge`] adds two sketches bucket by bucket.
#[derive(Clone, Debug, PartialEq)]
pub struct Sketch {
    ln_gamma: f64,
    gamma: f64,
    pos: Buckets,
    neg: Buckets,
    zero: u64,
    count: u64,
}

/// Where [`Sketch::add`] counts a value: below [`SKETCH_MIN_ABS`] in magnitude, or bucket `i`
/// of its sign.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Bin {
    Zero,
    Pos(i32),
    Neg(i32),
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Buckets {
    /// Index of `counts[0]`.
    offset: i32,
    counts: Vec<u64>,
}

impl Buckets {
    #[inline]
    fn add(&mut self, i: i32, k: u64) {
        // the common case inline: a bucket inside the range (an index below `offset` wraps to
        // a position past any length)
        let j = i.wrapping_sub(self.offset) as u32 as usize;
        if let Some(c) = self.counts.get_mut(j) {
            *c += k;
        } else {
            self.grow_add(i, k);
        }
    }

    /// [`Buckets::add`] of a bucket outside the range: widen it first.
    #[cold]
    #[inline(never)]
    fn grow_add(&mut self, i: i32, k: u64) {
        if self.counts.is_empty() {
            self.offset = i;
            self.counts.push(0);
        } else if i < self.offset {
            let grow = (self.offset - i) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.offset = i;
        } else if i >= self.offset + self.counts.len() as i32 {
            self.counts.resize((i - self.offset) as usize + 1, 0);
        }
        self.counts[(i - self.offset) as usize] += k;
    }
}

impl Default for Sketch {
    fn default() -> Self {
        Sketch::new(SKETCH_ALPHA)
    }
}

impl Sketch {
    /// An empty sketch of relative accuracy `alpha` (0 < α < 1).
    pub fn new(alpha: f64) -> Sketch {
        let gamma = (1.0 + alpha) / (1.0 - alpha);
        Sketch {
            ln_gamma: gamma.ln(),
            gamma,
            pos: Buckets::default(),
            neg: Buckets::default(),
            zero: 0,
            count: 0,
        }
    }

    fn index(&self, a: f64) -> i32 {
        (a.ln() / self.ln_gamma).ceil() as i32
    }

    /// [`Sketch::index`] of the default sketch (the fallback of [`fast_index`]).
    #[cold]
    fn default_index(a: f64) -> i32 {
        Sketch::default().index(a)
    }

    /// The smallest positive `f64` whose [`Sketch::index`] is `i` (assuming the index is
    /// monotone near it): exp((i − 1)·ln γ), the bucket's lower end γ^(i−1), then stepped by
    /// ULPs with the index itself.
    fn boundary(&self, i: i32) -> f64 {
        let mut x = (f64::from(i - 1) * self.ln_gamma).exp();
        // exp is within an ULP or two of γ^(i−1), so a few steps suffice; the bound only
        // keeps a broken premise from looping (tests check every boundary)
        for _ in 0..4096 {
            if self.index(x) < i {
                x = x.next_up();
            } else if x > 0.0 && self.index(x.next_down()) >= i {
                x = x.next_down();
            } else {
                break;
            }
        }
        x
    }

    fn value(&self, i: i32) -> f64 {
        2.0 * self.gamma.powi(i) / (self.gamma + 1.0)
    }

    /// Add one value (NaN is ignored).
    pub fn add(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        let b = self.bin(x);
        self.add_bin(b);
    }

    /// [`Sketch::add`] of a default sketch, indexing by `table` ([`fast_bin`]).
    fn add_fast(&mut self, table: &IndexTable, x: f64) {
        if x.is_nan() {
            return;
        }
        self.add_bin(fast_bin(table, x));
    }

    /// The bucket of a (non-NaN) value.
    fn bin(&self, x: f64) -> Bin {
        let a = x.abs();
        if a < SKETCH_MIN_ABS {
            Bin::Zero
        } else if x > 0.0 {
            Bin::Pos(self.index(a))
        } else {
            Bin::Neg(self.index(a))
        }
    }

    /// Count one value in bucket `b` (= [`Sketch::bin`] of it).
    #[inline]
    fn add_bin(&mut self, b: Bin) {
        self.count += 1;
        match b {
            Bin::Zero => self.zero += 1,
            Bin::Pos(i) => self.pos.add(i, 1),
            Bin::Neg(i) => self.neg.add(i, 1),
        }
    }

    /// Add every value of `other` (same α).
    pub fn merge(&mut self, other: &Sketch) {
        for (j, &k) in other.pos.counts.iter().enumerate() {
            if k > 0 {
                self.pos.add(other.pos.offset + j as i32, k);
            }
        }
        for (j, &k) in other.neg.counts.iter().enumerate() {
            if k > 0 {
                self.neg.add(other.neg.offset + j as i32, k);
            }
        }
        self.zero += other.zero;
        self.count += other.count;
    }

    /// Values added.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Every bucket in ascending order of value: (representative value, count).
    fn ascending(&self) -> impl Iterator<Item = (f64, u64)> + '_ {
        let neg = self
            .neg
            .counts
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, k)| **k > 0)
            .map(|(j, &k)| (-self.value(self.neg.offset + j as i32), k));
        let zero = (self.zero > 0).then_some((0.0, self.zero));
        let pos = self
            .pos
            .counts
            .iter()
            .enumerate()
            .filter(|(_, k)| **k > 0)
            .map(|(j, &k)| (self.value(self.pos.offset + j as i32), k));
        neg.chain(zero).chain(pos)
    }

    /// The value at 0-based rank `r` (r < count).
    fn at_rank(&self, r: u64) -> f64 {
        let mut seen = 0;
        let mut last = f64::NAN;
        for (v, k) in self.ascending() {
            last = v;
            seen += k;
            if r < seen {
                return v;
            }
        }
        last
    }

    /// The quantile at level `q` with the interpolation of [`quantile_sorted`](super::quantile_sorted) between the two
    /// order statistics it reads, each replaced by its bucket's value; NaN when empty.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.count == 0 {
            return f64::NAN;
        }
        let h = (self.count - 1) as f64 * q.clamp(0.0, 1.0);
        let lo = h.floor() as u64;
        let hi = (lo + 1).min(self.count - 1);
        let a = self.at_rank(lo);
        let b = self.at_rank(hi);
        a + (h - lo as f64) * (b - a)
    }

    /// Counts of `bins` equal-width bins between `lo` and `hi`, each bucket counted in the bin
    /// of its value (clamped into the range).
    fn histogram(&self, lo: f64, hi: f64, bins: usize) -> Vec<u64> {
        let mut counts = vec![0u64; bins];
        for (v, k) in self.ascending() {
            let j = if hi > lo {
                (((v.clamp(lo, hi) - lo) / (hi - lo)) * bins as f64).floor() as usize
            } else {
                0
            };
            counts[j.min(bins - 1)] += k;
        }
        counts
    }
}

/// Largest magnitude [`fast_index`] looks up in its table; larger values (and any other value
/// outside the table) take the ln-based [`Sketch::index`].
pub const SKETCH_TABLE_MAX: f64 = 1e12;
/// Mantissa bits of a value that, with its exponent, select its cell in the index table: a
/// cell spans a ratio of at most 1 + 2^−7 ≈ 1.0078 < γ ≈ 1.01005, so it holds at most one
/// bucket boundary.
const CELL_BITS: u32 = 7;
/// Shift taking a positive value's bits to its cell key (exponent and top mantissa bits).
const CELL_SHIFT: u32 = 52 - CELL_BITS;

/// The exact bucket boundaries of the default sketch ([`SKETCH_ALPHA`]) over
/// [[`SKETCH_MIN_ABS`], [`SKETCH_TABLE_MAX`]], and, per cell of values with the same exponent
/// and top [`CELL_BITS`] mantissa bits, the ln-based index of the cell's lowest value.
///
/// `boundary[j]` is the smallest `f64` whose ln-based index ([`Sketch::index`], which stays the
/// definition) is `first + j`, found from exp((first + j − 1)·ln γ) by stepping ULPs with the
/// ln-based index itself. Where the ln-based index is monotone (nondecreasing in the value),
/// its value at `a` is the `i` with `boundary[i] ≤ a < boundary[i + 1]`; a cell starting at
/// `c` holds at most one boundary (it spans a ratio below γ, and consecutive boundaries are a
/// ratio of γ apart up to a few ULPs), so for `a` in it the index is `index(c)` or
/// `index(c) + 1`, the latter exactly when `a ≥ boundary[index(c) + 1]`. The lookup therefore
/// equals the ln-based index for every value in the table wherever that index is monotone. It
/// is: ln and the division by ln γ are monotone up to their rounding (under an ULP each), so
/// the computed quotient can only step back across an integer within a few ULPs of a value
/// where the exact quotient is that integer, i.e. near a boundary; tests
/// `ln_index_is_monotone_around_every_boundary` (±2,000 ULPs of every boundary, exhaustively)
/// and `every_cell_holds_at_most_one_boundary` check both premises on this table, and
/// `fast_index_equals_the_ln_index` checks the result.
#[derive(Debug)]
struct IndexTable {
    /// Cell key of the first cell (the one holding [`SKETCH_MIN_ABS`]).
    key0: u64,
    /// Per cell: ln-based index of its lowest value, minus `first`.
    cell: Vec<u16>,
    /// Index of `boundary[0]`.
    first: i32,
    /// `boundary[j]`: the smallest value whose ln-based index is `first + j`.
    boundary: Vec<f64>,
}

impl IndexTable {
    fn build() -> IndexTable {
        let s = Sketch::default();
        let key0 = SKETCH_MIN_ABS.to_bits() >> CELL_SHIFT;
        let key_last = SKETCH_TABLE_MAX.to_bits() >> CELL_SHIFT;
        let lows: Vec<f64> = (key0..=key_last)
            .map(|k| f64::from_bits(k << CELL_SHIFT))
            .collect();
        let first = s.index(lows[0]);
        // the largest value of the last cell, and one boundary past its index
        let top = f64::from_bits(((key_last + 1) << CELL_SHIFT) - 1);
        let last = s.index(top) + 1;
        let boundary: Vec<f64> = (first..=last).map(|i| s.boundary(i)).collect();
        let cell = lows
            .iter()
            .map(|&c| u16::try_from(s.index(c) - first).unwrap_or(u16::MAX))
            .collect();
        IndexTable {
            key0,
            cell,
            first,
            boundary,
        }
    }

    /// The ln-based index of `a` (≥ [`SKETCH_MIN_ABS`], not NaN) by table when it lies in the
    /// table, else `None`.
    #[inline]
    fn lookup(&self, a: f64) -> Option<i32> {
        let k = (a.to_bits() >> CELL_SHIFT).wrapping_sub(self.key0) as usize;
        let c = usize::from(*self.cell.get(k)?);
        let up = *self.boundary.get(c + 1)?;
        Some(self.first + c as i32 + i32::from(a >= up))
    }
}

/// The table of the default sketch, built on first use.
fn index_table() -> &'static IndexTable {
    static TABLE: std::sync::OnceLock<IndexTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(IndexTable::build)
}

/// [`Sketch::index`] of the default sketch at `a` (≥ [`SKETCH_MIN_ABS`], not NaN), through
/// `table` where it covers `a` (see [`IndexTable`] for why that is the same index).
#[inline]
fn fast_index(table: &IndexTable, a: f64) -> i32 {
    match table.lookup(a) {
        Some(i) => i,
        None => Sketch::default_index(a),
    }
}

/// [`Sketch::bin`] of the default sketch, with [`fast_index`].
#[inline]
fn fast_bin(table: &IndexTable, x: f64) -> Bin {
    let a = x.abs();
    if a < SKETCH_MIN_ABS {
        Bin::Zero
    } else if x > 0.0 {
        Bin::Pos(fast_index(table, a))
    } else {
        Bin::Neg(fast_index(table, a))
    }
}

/// The integer key of `x` in the order of [`f64::total_cmp`]: the bits as a signed integer with
/// the 63 low bits flipped when the sign bit is set (the transformation `total_cmp` itself
/// compares). Two values compare by `total_cmp` as their keys compare, and the map is one-to-one
/// on bit patterns, so sorting keys (stably or not: equal keys are equal bits) and mapping back
/// gives exactly the bits of sorting the values by `total_cmp` — integer comparisons are just
/// cheaper (docs/performance.md §7, "Final summaries by integer keys").
#[inline]
pub(crate) fn order_key(x: f64) -> i64 {
    let b = x.to_bits() as i64;
    b ^ ((((b >> 63) as u64) >> 1) as i64)
}

/// The value whose [`order_key`] is `k` (the transformation is its own inverse: the sign bit,
/// which selects the flip, is kept).
#[inline]
pub(crate) fn from_order_key(k: i64) -> f64 {
    f64::from_bits((k ^ ((((k >> 63) as u64) >> 1) as i64)) as u64)
}

/// [`quantile_sorted`](super::quantile_sorted) at every level of [`QUANTILES`] of the non-NaN
/// values whose [`order_key`]s are `keys`, as if those values were sorted by [`f64::total_cmp`];
/// NaN when there are none. Sorts `keys` in place; NaN keys, which sort to the two ends
/// (negative NaNs below −∞, positive above +∞), are then left out, so a column may be passed
/// with its NaNs, as [`SeriesAcc::bands`] does. The two order statistics each level
/// interpolates between are read with `quantile_sorted`'s own arithmetic (tests
/// `key_quantiles_equal_sorted_quantiles*`). Sorting measured fewer instructions than selecting
/// just those order statistics on the default run's columns (docs/performance.md §7, "Final
/// summaries by integer keys").
fn quantiles_of_keys(keys: &mut [i64]) -> [f64; 5] {
    keys.sort_unstable();
    let from = keys.partition_point(|&k| k < order_key(f64::NEG_INFINITY));
    let to = keys.partition_point(|&k| k <= order_key(f64::INFINITY));
    let keys = &keys[from..to];
    let n = keys.len();
    if n == 0 {
        return [f64::NAN; 5];
    }
    QUANTILES.map(|q| {
        let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
        let lo = h.floor() as usize;
        let hi = (lo + 1).min(n - 1);
        let (a, b) = (from_order_key(keys[lo]), from_order_key(keys[hi]));
        a + (h - lo as f64) * (b - a)
    })
}

/// Quantiles of one column: exact values in run order up to `cap`, a [`Sketch`] past it.
#[derive(Clone, Debug)]
pub struct Quant {
    cap: usize,
    exact: Vec<f64>,
    sketch: Option<Sketch>,
    n: u64,
    min: f64,
    max: f64,
}

impl Quant {
    pub fn new(cap: usize) -> Quant {
        Quant {
            cap,
            exact: Vec::new(),
            sketch: None,
            n: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    /// Add one (non-NaN) value.
    pub fn push(&mut self, x: f64) {
        self.note(x);
        match &mut self.sketch {
            Some(s) => s.add_fast(index_table(), x),
            None => {
                self.exact.push(x);
                if self.exact.len() > self.cap {
                    let mut s = Sketch::default();
                    let table = index_table();
                    for &v in &self.exact {
                        s.add_fast(table, v);
                    }
                    self.exact = Vec::new();
                    self.sketch = Some(s);
                }
            }
        }
    }

    /// [`Quant::push`] with `memo` holding the last value (by bits) this caller binned in a
    /// default sketch, and its bucket: a repeated value is not binned again (a run's series
    /// often repeats its value from round to round). Every [`Quant`] sketches with
    /// [`SKETCH_ALPHA`], so one memo serves the quantiles of every round.
    /// `memo.0` starts as the bits of a NaN, which no pushed value has; `table` is
    /// [`index_table`], read once by the caller.
    #[inline(always)]
    fn push_memo(&mut self, table: &IndexTable, x: f64, memo: &mut (u64, Bin)) {
        let Some(s) = &mut self.sketch else {
            self.push(x);
            return;
        };
        let bits = x.to_bits();
        if bits != memo.0 {
            *memo = (bits, fast_bin(table, x));
        }
        s.add_bin(memo.1);
        self.note(x);
    }

    /// Count `x` and widen the extremes to it. With neither operand NaN (`x` is not, and the
    /// extremes start at ±∞ and only ever take pushed values) this is `f64::min`/`f64::max`
    /// as x86-64 compiles them (`minsd`/`maxsd`: the old extreme is kept when the two compare
    /// equal, so of ±0 the first pushed stays), without their NaN fix-up.
    #[inline]
    fn note(&mut self, x: f64) {
        self.n += 1;
        self.min = if x < self.min { x } else { self.min };
        self.max = if x > self.max { x } else { self.max };
    }

    pub fn n(&self) -> u64 {
        self.n
    }

    /// Whether the values are still kept exactly.
    pub fn is_exact(&self) -> bool {
        self.sketch.is_none()
    }

    /// Quantiles at [`QUANTILES`]: exact (sorting order keys) below the cap, from the sketch (clamped to
    /// the exact minimum and maximum) above it.
    pub fn quantiles(&self) -> [f64; 5] {
        match &self.sketch {
            None => {
                let mut keys: Vec<i64> = self.exact.iter().map(|&x| order_key(x)).collect();
                quantiles_of_keys(&mut keys)
            }
            Some(s) => QUANTILES.map(|q| s.quantile(q).clamp(self.min, self.max)),
        }
    }
}

/// One var across runs: [`Quant`] plus exact count, sum, extremes, alignment counts, Welford's
/// running moments and a histogram over the declared range.
#[derive(Clone, Debug)]
pub struct VarAcc {
    q: Quant,
    /// Sum in run order from −0.0 (the same additions as `Iterator::sum` over the values).
    sum: f64,
    /// Welford (1962): running mean and sum of squared deviations.
    w_mean: f64,
    w_m2: f64,
    /// Declared range and bins: exact bin counts while every value lies in it.
    range: Option<(f64, f64)>,
    bins: usize,
    range_counts: Vec<u64>,
    /// Runs with the value ≤ −0.5, ≥ 0.5 (the alignment classes of `mc::AlignmentCounts`).
    pub(crate) low: u64,
    pub(crate) high: u64,
}

impl VarAcc {
    pub fn new(range: Option<(f64, f64)>, bins: usize) -> VarAcc {
        let bins = bins.max(1);
        let range = range.filter(|(a, b)| b > a);
        VarAcc {
            q: Quant::new(VAR_EXACT_CAP),
            sum: -0.0,
            w_mean: 0.0,
            w_m2: 0.0,
            range,
            bins,
            range_counts: if range.is_some() {
                vec![0; bins]
            } else {
                Vec::new()
            },
            low: 0,
            high: 0,
        }
    }

    /// Add one run's value (NaN = missing, ignored).
    pub fn push(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.q.push(x);
        self.sum += x;
        let n = self.q.n as f64;
        let d = x - self.w_mean;
        self.w_mean += d / n;
        self.w_m2 += d * (x - self.w_mean);
        if let Some((lo, hi)) = self.range {
            if (lo..=hi).contains(&x) {
                // `x − lo` is zero (of either sign) or positive here, so truncating is
                // flooring, without a call to `floor`
                let k = (((x - lo) / (hi - lo)) * self.bins as f64) as usize;
                self.range_counts[k.min(self.bins - 1)] += 1;
            }
        }
        if x <= -0.5 {
            self.low += 1;
        } else if x >= 0.5 {
            self.high += 1;
        }
    }

    /// Runs in which the var was present.
    pub fn n(&self) -> u64 {
        self.q.n
    }

    /// The summary `mc::aggregate` reports; `None` when the var never had a value.
    pub fn summary(&self) -> Option<VarSummary> {
        if self.q.n == 0 {
            return None;
        }
        if self.q.is_exact() {
            return exact_summary(&self.q.exact, self.range, self.bins);
        }
        let n = self.q.n;
        let mean = self.sum / n as f64;
        let sd = if n > 1 {
            (self.w_m2 / (n - 1) as f64).max(0.0).sqrt()
        } else {
            0.0
        };
        let (min, max) = (self.q.min, self.q.max);
        let (lo, hi) = match self.range {
            Some((a, b)) if a <= min && max <= b => (a, b),
            _ => (min, max),
        };
        let (edges, counts) = if hi > lo {
            let edges: Vec<f64> = (0..=self.bins)
                .map(|k| lo + (hi - lo) * k as f64 / self.bins as f64)
                .collect();
            let counts = if Some((lo, hi)) == self.range {
                self.range_counts.clone()
            } else {
                self.q
                    .sketch
                    .as_ref()
                    .map_or_else(|| vec![0; self.bins], |s| s.histogram(lo, hi, self.bins))
            };
            (edges, counts)
        } else {
            (vec![lo, lo], vec![n])
        };
        Some(VarSummary {
            n,
            mean,
            sd,
            min,
            max,
            quantiles: self.q.quantiles(),
            histogram: Histogram { edges, counts },
        })
    }
}

/// The summary of every value (no NaN) in run order: two-pass mean and standard deviation,
/// exact quantiles (of the values sorted by [`f64::total_cmp`], through [`order_key`]), the
/// extremes in that order, and equal-width bins over the declared range when every value lies in it,
/// else over [min, max].
pub fn exact_summary(values: &[f64], range: Option<(f64, f64)>, bins: usize) -> Option<VarSummary> {
    let v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return None;
    }
    let n = v.len();
    let mean = v.iter().sum::<f64>() / n as f64;
    let sd = if n > 1 {
        (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
    } else {
        0.0
    };
    // the extremes and order statistics from integer keys (the bits of sorting `v` by
    // `total_cmp`); `v` stays in run order, which the bin counts below do not depend on
    let mut keys: Vec<i64> = v.iter().map(|&x| order_key(x)).collect();
    let (kmin, kmax) = keys
        .iter()
        .fold((i64::MAX, i64::MIN), |(a, b), &k| (a.min(k), b.max(k)));
    let (min, max) = (from_order_key(kmin), from_order_key(kmax));
    let quantiles = quantiles_of_keys(&mut keys);
    let (lo, hi) = match range {
        Some((a, b)) if a <= min && max <= b && b > a => (a, b),
        _ => (min, max),
    };
    let bins = bins.max(1);
    let edges: Vec<f64> = if hi > lo {
        (0..=bins)
            .map(|k| lo + (hi - lo) * k as f64 / bins as f64)
            .collect()
    } else {
        vec![lo, lo]
    };
    let nb = edges.len() - 1;
    let mut counts = vec![0u64; nb];
    for x in &v {
        let k = if hi > lo {
            (((x - lo) / (hi - lo)) * nb as f64).floor() as usize
        } else {
            0
        };
        counts[k.min(nb - 1)] += 1;
    }
    Some(VarSummary {
        n: n as u64,
        mean,
        sd,
        min,
        max,
        quantiles,
        histogram: Histogram { edges, counts },
    })
}

/// One series across runs. A run whose series is shorter than the longest so far is carried
/// forward at its last value; when a run is longer, the new rounds start as copies of the last
/// round (which holds every earlier run's last value), so the bands equal those of padding
/// every run to the longest length after the fact.
///
/// While at most [`SERIES_EXACT_CAP`] runs have the series, their values are kept as rows, one
/// per run (a run's whole series appended at once), compactly: a row keeps its own rounds only
/// (the carried-forward ones are implied) and, of those, only the values that differ (by bits)
/// from the round before, with one bit per round saying which ([`Rows`]). Past the cap, each
/// round becomes a [`Quant`] fed its column in run order — the same state pushing the values
/// one round at a time would have reached — and later runs are pushed round by round.
#[derive(Clone, Debug, Default)]
pub struct SeriesAcc {
    /// Rounds per row (the longest series so far).
    width: usize,
    /// The present runs' values (NaN kept: skipped when read), until the cap.
    rows: Rows,
    /// Per round, after the cap.
    rounds: Vec<Quant>,
    switched: bool,
    present: u64,
}

/// The rows of a [`SeriesAcc`] below its cap, in run order: per row its own length, its values
/// where they change (by bits) from the round before (round 0 always), and one bit per own
/// round, set where a value was kept, each row's bits starting a fresh word. A series that
/// holds its value for many rounds (an alignment, a settled position) then costs a bit per
/// round instead of 8 bytes: the rows of Greenland's 75 series took 27 MB at the cap when every
/// row was kept padded to the width (docs/performance.md §7, "Compact series rows").
#[derive(Clone, Debug, Default)]
struct Rows {
    lens: Vec<u32>,
    vals: Vec<f64>,
    /// Per row, `⌈len / 64⌉` words: bit `k` of the row's words says whether its round `k`'s
    /// value is the next of `vals`.
    kept: Vec<u64>,
}

impl Rows {
    fn push(&mut self, s: &[f64]) {
        // rows are crisis rounds (at most `MAX_CRISIS_ROUNDS` = 5,000) or model rounds, far
        // below `u32::MAX`; a longer one is cut there so that lengths and bits agree
        let s = &s[..s.len().min(u32::MAX as usize)];
        self.lens.push(s.len() as u32);
        let Some(first) = s.first() else {
            return;
        };
        let mut prev = !first.to_bits();
        // the values are appended whole, then each kept one moved down over the dropped ones
        // (no branch on the data)
        let base = self.vals.len();
        self.vals.extend_from_slice(s);
        let tail = &mut self.vals[base..];
        let (n, mut w, mut word) = (tail.len(), 0usize, 0u64);
        for i in 0..n {
            let x = tail[i];
            let b = x.to_bits();
            let keep = b != prev;
            prev = b;
            tail[w] = x;
            w += usize::from(keep);
            word |= u64::from(keep) << (i % 64);
            if i % 64 == 63 || i + 1 == n {
                self.kept.push(word);
                word = 0;
            }
        }
        self.vals.truncate(base + w);
    }

    fn len(&self) -> usize {
        self.lens.len()
    }

    /// Every row in run order, each expanded to `width` rounds (its last value carried
    /// forward) into `row` and handed to `f`.
    fn for_each(&self, width: usize, mut f: impl FnMut(&[f64])) {
        let mut row = vec![f64::NAN; width];
        let mut vals = self.vals.iter();
        let mut words = self.kept.iter();
        for &len in &self.lens {
            let len = (len as usize).min(width);
            let mut x = f64::NAN;
            // each row's bits start a fresh word
            let (mut word, mut left) = (0u64, 0u32);
            for slot in &mut row[..len] {
                if left == 0 {
                    word = words.next().copied().unwrap_or(0);
                    left = 64;
                }
                if word & 1 == 1 {
                    x = vals.next().copied().unwrap_or(f64::NAN);
                }
                word >>= 1;
                left -= 1;
                *slot = x;
            }
            row[len..].fill(x);
            f(&row);
        }
    }
}

impl SeriesAcc {
    /// Add one run's series (empty = missing in that run).
    pub fn push(&mut self, s: &[f64]) {
        let Some(&last) = s.last() else {
            return;
        };
        self.present += 1;
        if !self.switched {
            self.width = self.width.max(s.len());
            self.rows.push(s);
            if self.present > SERIES_EXACT_CAP as u64 {
                self.switch();
            }
            return;
        }
        if s.len() > self.rounds.len() {
            let fill = self
                .rounds
                .last()
                .cloned()
                .unwrap_or_else(|| Quant::new(SERIES_EXACT_CAP));
            self.rounds.resize(s.len(), fill);
        }
        let table = index_table();
        let mut memo = (f64::NAN.to_bits(), Bin::Zero);
        // `rounds` has at least `s.len()` rounds: the run's own values, then its last value
        // in every later round
        let (own, tail) = self.rounds.split_at_mut(s.len());
        for (q, &x) in own.iter_mut().zip(s) {
            if !x.is_nan() {
                q.push_memo(table, x, &mut memo);
            }
        }
        if !last.is_nan() {
            for q in tail {
                q.push_memo(table, last, &mut memo);
            }
        }
    }

    /// Past the cap: one [`Quant`] per round, fed its column in run order (the rows one by
    /// one, each round's value into that round's [`Quant`]: each sees its values in run order).
    fn switch(&mut self) {
        let w = self.width;
        let mut rounds = vec![Quant::new(SERIES_EXACT_CAP); w];
        self.rows.for_each(w, |row| {
            for (q, &x) in rounds.iter_mut().zip(row) {
                if !x.is_nan() {
                    q.push(x);
                }
            }
        });
        self.rounds = rounds;
        self.rows = Rows::default();
        self.switched = true;
    }

    /// Runs with the series present.
    pub fn present(&self) -> u64 {
        self.present
    }

    /// Per-round quantiles at [`QUANTILES`] (a round with no value gives NaN).
    pub fn bands(&self) -> Vec<[f64; 5]> {
        if self.switched {
            return self.rounds.iter().map(Quant::quantiles).collect();
        }
        let w = self.width;
        if w == 0 {
            return Vec::new();
        }
        // every round's column of keys, NaNs included (`quantiles_of_keys` leaves them out),
        // in one pass over the rows
        let n = self.rows.len();
        let mut cols = vec![0i64; n * w];
        let mut j = 0;
        self.rows.for_each(w, |row| {
            for (r, &x) in row.iter().enumerate() {
                cols[r * n + j] = order_key(x);
            }
            j += 1;
        });
        (0..w)
            .map(|r| quantiles_of_keys(&mut cols[r * n..(r + 1) * n]))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::quantile_sorted;
    use super::*;
    use proptest::prelude::*;

    fn exact_quantiles(v: &[f64]) -> [f64; 5] {
        let mut s = v.to_vec();
        s.sort_by(f64::total_cmp);
        QUANTILES.map(|q| quantile_sorted(&s, q))
    }

    /// The bound of the sketch: the reported quantile lies between the two order statistics
    /// the exact interpolation reads, widened by α·|x| and the zero bucket.
    fn within_bound(v: &[f64], got: &[f64; 5]) -> Result<(), String> {
        let mut s = v.to_vec();
        s.sort_by(f64::total_cmp);
        for (k, q) in QUANTILES.iter().enumerate() {
            let h = (s.len() - 1) as f64 * q;
            let (a, b) = (
                s[h.floor() as usize],
                s[(h.floor() as usize + 1).min(s.len() - 1)],
            );
            let slack = |x: f64| SKETCH_ALPHA * x.abs() + SKETCH_MIN_ABS + 1e-12 * x.abs();
            if got[k] < a - slack(a) || got[k] > b + slack(b) {
                return Err(format!("q{q}: {} outside [{a}, {b}] ± α", got[k]));
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn sketch_quantiles_are_within_the_relative_bound(
            v in prop::collection::vec(
                prop_oneof![-100.0f64..100.0, -1.0f64..1.0, 0.0f64..1e-6, Just(0.0), Just(50.0)],
                1..3000,
            )
        ) {
            let mut s = Sketch::default();
            for &x in &v {
                s.add(x);
            }
            let got = QUANTILES.map(|q| s.quantile(q));
            prop_assert!(within_bound(&v, &got).is_ok(), "{:?}", within_bound(&v, &got));
        }

        #[test]
        fn a_quant_is_exact_up_to_its_cap_and_bounded_past_it(
            v in prop::collection::vec(-50.0f64..150.0, 1..600),
        ) {
            let mut q = Quant::new(200);
            for &x in &v {
                q.push(x);
            }
            if v.len() <= 200 {
                prop_assert_eq!(q.quantiles(), exact_quantiles(&v));
            } else {
                prop_assert!(!q.is_exact());
                let got = q.quantiles();
                prop_assert!(within_bound(&v, &got).is_ok(), "{:?}", within_bound(&v, &got));
            }
        }

        #[test]
        fn merged_sketches_equal_one_sketch(
            a in prop::collection::vec(-10.0f64..10.0, 0..300),
            b in prop::collection::vec(-10.0f64..10.0, 0..300),
        ) {
            let mut one = Sketch::default();
            let (mut x, mut y) = (Sketch::default(), Sketch::default());
            for &v in &a { one.add(v); x.add(v); }
            for &v in &b { one.add(v); y.add(v); }
            x.merge(&y);
            prop_assert_eq!(x.count(), one.count());
            for q in QUANTILES {
                prop_assert_eq!(x.quantile(q).to_bits(), one.quantile(q).to_bits());
            }
        }
    }

    /// The sort-based [`exact_summary`] this module had before the integer keys (the reference
    /// the key-based one must equal bit for bit).
    fn exact_summary_by_sorting(
        values: &[f64],
        range: Option<(f64, f64)>,
        bins: usize,
    ) -> Option<VarSummary> {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
        if v.is_empty() {
            return None;
        }
        let n = v.len();
        let mean = v.iter().sum::<f64>() / n as f64;
        let sd = if n > 1 {
            (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        v.sort_by(f64::total_cmp);
        let (min, max) = (v[0], v[n - 1]);
        let (lo, hi) = match range {
            Some((a, b)) if a <= min && max <= b && b > a => (a, b),
            _ => (min, max),
        };
        let bins = bins.max(1);
        let edges: Vec<f64> = if hi > lo {
            (0..=bins)
                .map(|k| lo + (hi - lo) * k as f64 / bins as f64)
                .collect()
        } else {
            vec![lo, lo]
        };
        let nb = edges.len() - 1;
        let mut counts = vec![0u64; nb];
        for x in &v {
            let k = if hi > lo {
                (((x - lo) / (hi - lo)) * nb as f64).floor() as usize
            } else {
                0
            };
            counts[k.min(nb - 1)] += 1;
        }
        Some(VarSummary {
            n: n as u64,
            mean,
            sd,
            min,
            max,
            quantiles: QUANTILES.map(|q| quantile_sorted(&v, q)),
            histogram: Histogram { edges, counts },
        })
    }

    fn without_nan(v: &[f64]) -> Vec<f64> {
        v.iter().copied().filter(|x| !x.is_nan()).collect()
    }

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// A summary's count, then every float of it as bits (NaN and ±0.0 told apart), then its
    /// bin counts, as one vector.
    fn summary_bits(s: &Option<VarSummary>) -> Option<Vec<u64>> {
        s.as_ref().map(|s| {
            let floats = [
                &[s.mean, s.sd, s.min, s.max],
                &s.quantiles[..],
                &s.histogram.edges[..],
            ];
            [
                vec![s.n],
                bits(&floats.concat()),
                s.histogram.counts.clone(),
            ]
            .concat()
        })
    }

    /// Values with ties, both zeros, both infinities, NaNs of both signs, subnormals and
    /// arbitrary bit patterns.
    fn awkward() -> impl Strategy<Value = f64> {
        prop_oneof![
            Just(0.0),
            Just(-0.0),
            Just(f64::NAN),
            Just(-f64::NAN),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            Just(f64::MIN_POSITIVE / 4.0),
            Just(1.5),
            Just(-2.0),
            -10.0f64..10.0,
            any::<f64>(),
        ]
    }

    /// Columns of up to 600 values: awkward values throughout, plain values in a range (so
    /// that the extremes and every order statistic differ), or few distinct values with both
    /// zeros and NaNs.
    fn columns() -> impl Strategy<Value = Vec<f64>> {
        prop_oneof![
            prop::collection::vec(awkward(), 0..300),
            prop::collection::vec(-10.0f64..10.0, 0..600),
            prop::collection::vec(
                prop_oneof![
                    Just(0.0),
                    Just(-0.0),
                    Just(1.0),
                    Just(f64::NAN),
                    -1.0f64..1.0
                ],
                0..600
            ),
        ]
    }

    /// Every boundary of the index table: the ln-based index over ±2,000 ULPs around it is
    /// nondecreasing and takes a single step, from i − 1 to i, exactly at the boundary.
    #[test]
    fn ln_index_is_monotone_around_every_boundary() {
        let (s, t) = (Sketch::default(), index_table());
        assert!(t.boundary.len() > 4_000, "{}", t.boundary.len());
        for (j, &b) in t.boundary.iter().enumerate() {
            let i = t.first + j as i32;
            let bits = b.to_bits();
            for u in bits - 2_000..=bits + 2_000 {
                let x = f64::from_bits(u);
                let want = if u < bits { i - 1 } else { i };
                assert_eq!(s.index(x), want, "boundary {i} at {b:e}, {x:e}");
            }
        }
    }

    /// Every cell of the index table starts at the ln-based index it stores and holds at most
    /// one boundary, which the table has.
    #[test]
    fn every_cell_holds_at_most_one_boundary() {
        let (s, t) = (Sketch::default(), index_table());
        let last = SKETCH_TABLE_MAX.to_bits() >> CELL_SHIFT;
        assert_eq!(t.cell.len() as u64, last - t.key0 + 1);
        for (k, &c) in t.cell.iter().enumerate() {
            let key = t.key0 + k as u64;
            let lo = f64::from_bits(key << CELL_SHIFT);
            let hi = f64::from_bits((key + 1) << CELL_SHIFT);
            assert_eq!(s.index(lo), t.first + i32::from(c), "cell {k}");
            let inside = t.boundary.iter().filter(|&&b| lo < b && b < hi).count();
            assert!(inside <= 1, "cell {k} at {lo:e}: {inside} boundaries");
            assert!(usize::from(c) + 1 < t.boundary.len());
        }
    }

    /// The ln-based bin (the definition) of a value.
    fn ln_bin(x: f64) -> Bin {
        Sketch::default().bin(x)
    }

    /// Values around the edges of the table and of the buckets.
    fn awkward_magnitudes() -> impl Strategy<Value = f64> {
        let t = index_table();
        let nb = t.boundary.len();
        let gamma = Sketch::default().gamma;
        prop_oneof![
            // a boundary and its ULP neighbours
            (0..nb, -3i64..=3).prop_map(move |(j, d)| {
                f64::from_bits((index_table().boundary[j].to_bits() as i64 + d) as u64)
            }),
            // powers of γ and their ULP neighbours
            (-2_200i32..2_900, -3i64..=3).prop_map(move |(i, d)| f64::from_bits(
                (gamma.powi(i).to_bits() as i64 + d) as u64
            )),
            // the zero bucket's edge and the table's ends
            (-5_000i64..=5_000)
                .prop_map(|d| f64::from_bits((SKETCH_MIN_ABS.to_bits() as i64 + d) as u64)),
            (-5_000i64..=5_000)
                .prop_map(|d| f64::from_bits((SKETCH_TABLE_MAX.to_bits() as i64 + d) as u64)),
            // subnormals, huge values, infinity, zeros
            (1u64..(1 << 52)).prop_map(f64::from_bits),
            1e12f64..1e300,
            Just(f64::MAX),
            Just(f64::INFINITY),
            Just(0.0),
            Just(f64::MIN_POSITIVE),
            1e-9f64..1e3,
            (0u64..0x7ff0_0000_0000_0000).prop_map(f64::from_bits),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        /// The table's bin equals the ln-based bin for either sign of every awkward magnitude.
        #[test]
        fn fast_index_equals_the_ln_index(a in awkward_magnitudes(), neg in any::<bool>()) {
            let x = if neg { -a } else { a };
            prop_assert_eq!(fast_bin(index_table(), x), ln_bin(x), "{:e}", x);
        }
    }

    /// Every boundary and its two ULP neighbours: the table's index is the ln-based one.
    #[test]
    fn fast_index_equals_the_ln_index_at_every_boundary() {
        let (s, t) = (Sketch::default(), index_table());
        for &b in &t.boundary {
            for x in [b.next_down(), b, b.next_up()] {
                if x >= SKETCH_MIN_ABS {
                    assert_eq!(fast_index(t, x), s.index(x), "{x:e}");
                }
            }
        }
    }

    #[test]
    fn order_keys_sort_as_total_cmp_and_map_back() {
        let xs = [
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.0,
            -0.0,
            1.0,
            -1.0,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE / 8.0,
            f64::MAX,
            f64::MIN,
        ];
        for &a in &xs {
            assert_eq!(from_order_key(order_key(a)).to_bits(), a.to_bits());
            for &b in &xs {
                assert_eq!(order_key(a).cmp(&order_key(b)), a.total_cmp(&b), "{a} {b}");
            }
        }
    }

    /// Every length from 0 to 40 (each order statistic index pattern of the five levels), then
    /// long columns: the key quantiles are the bits of sorting the non-NaN values by
    /// `total_cmp`.
    #[test]
    fn key_quantiles_equal_sorted_quantiles_at_every_short_length() {
        let mut x: u64 = 11;
        for n in (0..=40).chain([255, 256, 512, 1023, 1024, 8192]) {
            for pool in [3u64, 1000] {
                let v: Vec<f64> = (0..n)
                    .map(|_| {
                        x = crate::rng::mix64(x);
                        match x % 11 {
                            0 => 0.0,
                            1 => -0.0,
                            2 if pool > 3 => f64::NAN,
                            3 => f64::INFINITY,
                            _ => ((x >> 20) % pool) as f64 - 1.0,
                        }
                    })
                    .collect();
                let mut keys: Vec<i64> = v.iter().map(|&x| order_key(x)).collect();
                assert_eq!(
                    bits(&quantiles_of_keys(&mut keys)),
                    bits(&exact_quantiles(&without_nan(&v))),
                    "n {n} pool {pool}"
                );
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn key_quantiles_equal_sorted_quantiles(v in columns()) {
            let mut keys: Vec<i64> = v.iter().map(|&x| order_key(x)).collect();
            prop_assert_eq!(
                bits(&quantiles_of_keys(&mut keys)),
                bits(&exact_quantiles(&without_nan(&v)))
            );
        }

        /// The whole var summary (NaNs dropped first, as before) equals the sort-based one,
        /// with and without a declared range.
        #[test]
        fn exact_summary_equals_the_sort_based_summary(
            v in columns(),
            bins in 1usize..12,
            ranged in any::<bool>(),
        ) {
            let range = ranged.then_some((-10.0, 10.0));
            prop_assert_eq!(
                summary_bits(&exact_summary(&v, range, bins)),
                summary_bits(&exact_summary_by_sorting(&v, range, bins))
            );
            let mut acc = VarAcc::new(range, bins);
            for &x in &v {
                acc.push(x);
            }
            prop_assert_eq!(
                summary_bits(&acc.summary()),
                summary_bits(&exact_summary_by_sorting(&v, range, bins))
            );
        }

        /// Series bands below the cap equal sorting every round's column (NaNs skipped,
        /// shorter runs carried forward at their last value).
        #[test]
        fn series_bands_equal_sorted_columns(
            runs in prop::collection::vec(prop::collection::vec(awkward(), 0..8), 0..60),
        ) {
            let mut acc = SeriesAcc::default();
            for r in &runs {
                acc.push(r);
            }
            let present: Vec<&Vec<f64>> = runs.iter().filter(|s| !s.is_empty()).collect();
            let width = present.iter().map(|s| s.len()).max().unwrap_or(0);
            let want: Vec<Vec<u64>> = (0..width)
                .map(|r| {
                    let col: Vec<f64> = present
                        .iter()
                        .filter_map(|s| s.get(r).or(s.last()).copied())
                        .filter(|x| !x.is_nan())
                        .collect();
                    bits(&exact_quantiles(&col))
                })
                .collect();
            let got: Vec<Vec<u64>> = acc.bands().iter().map(|b| bits(b)).collect();
            prop_assert_eq!(got, want);
        }

        /// The compact rows give back every row bit for bit, padded to the width with its
        /// last value, in push order: runs of held values (0.0 then -0.0, NaN then -NaN
        /// differ by bits and are kept), varying lengths, empty rows.
        #[test]
        fn compact_rows_expand_to_the_padded_rows(
            runs in prop::collection::vec(
                prop::collection::vec((awkward(), 0..4u8), 0..70),
                0..12,
            ),
        ) {
            // each value held for 1-4 rounds, so rows repeat and change
            let runs: Vec<Vec<f64>> = runs
                .iter()
                .map(|r| {
                    r.iter()
                        .flat_map(|&(x, k)| std::iter::repeat_n(x, 1 + usize::from(k)))
                        .collect()
                })
                .collect();
            let mut rows = Rows::default();
            for r in &runs {
                rows.push(r);
            }
            let width = runs.iter().map(Vec::len).max().unwrap_or(0);
            let mut got: Vec<Vec<u64>> = Vec::new();
            rows.for_each(width, |row| got.push(row.iter().map(|x| x.to_bits()).collect()));
            let want: Vec<Vec<u64>> = runs
                .iter()
                .map(|r| {
                    let last = r.last().copied().unwrap_or(f64::NAN);
                    (0..width)
                        .map(|i| r.get(i).copied().unwrap_or(last).to_bits())
                        .collect()
                })
                .collect();
            prop_assert_eq!(rows.len(), runs.len());
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn a_var_past_its_cap_keeps_exact_moments_extremes_and_declared_bins() {
        let vals: Vec<f64> = (0..(VAR_EXACT_CAP as u64 + 500))
            .map(|i| ((i * 7919) % 1000) as f64 / 10.0)
            .collect();
        let mut acc = VarAcc::new(Some((0.0, 100.0)), 20);
        for &x in &vals {
            acc.push(x);
        }
        let got = acc.summary().unwrap();
        let want = exact_summary(&vals, Some((0.0, 100.0)), 20).unwrap();
        assert_eq!(got.n, want.n);
        assert_eq!(got.mean.to_bits(), want.mean.to_bits());
        assert!(
            (got.sd - want.sd).abs() < 1e-9 * want.sd,
            "{} vs {}",
            got.sd,
            want.sd
        );
        assert_eq!((got.min, got.max), (want.min, want.max));
        assert_eq!(got.histogram, want.histogram);
        for k in 0..5 {
            let e = want.quantiles[k];
            assert!(
                (got.quantiles[k] - e).abs() <= SKETCH_ALPHA * e.abs() + 0.1,
                "{k}"
            );
        }
    }

    #[test]
    fn series_padding_equals_padding_after_the_fact() {
        // runs of lengths 2, 4, 1, 3: bands equal the old rule (pad each run with its last)
        let runs: Vec<Vec<f64>> = vec![
            vec![1.0, 2.0],
            vec![5.0, 6.0, 7.0, 8.0],
            vec![3.0],
            vec![],
            vec![0.0, f64::NAN, 4.0],
        ];
        let mut acc = SeriesAcc::default();
        for r in &runs {
            acc.push(r);
        }
        let present: Vec<&Vec<f64>> = runs.iter().filter(|s| !s.is_empty()).collect();
        let want: Vec<[f64; 5]> = (0..4)
            .map(|r| {
                let col: Vec<f64> = present
                    .iter()
                    .map(|s| s.get(r).or(s.last()).copied().unwrap())
                    .filter(|x| !x.is_nan())
                    .collect();
                exact_quantiles(&col)
            })
            .collect();
        assert_eq!(acc.present(), 4);
        assert_eq!(acc.bands(), want);
    }

    /// The series accumulator's rows, and their switch to per-round quantiles past the cap,
    /// give exactly the bands of pushing every run round by round into per-round [`Quant`]s (the
    /// accumulator before rows), for runs of varying length with NaNs, below and past the cap.
    #[test]
    fn series_rows_equal_per_round_quantiles() {
        fn reference(runs: &[Vec<f64>]) -> Vec<[f64; 5]> {
            let mut rounds: Vec<Quant> = Vec::new();
            for s in runs {
                let Some(&last) = s.last() else { continue };
                if s.len() > rounds.len() {
                    let fill = rounds
                        .last()
                        .cloned()
                        .unwrap_or_else(|| Quant::new(SERIES_EXACT_CAP));
                    rounds.resize(s.len(), fill);
                }
                for (r, q) in rounds.iter_mut().enumerate() {
                    let x = s.get(r).copied().unwrap_or(last);
                    if !x.is_nan() {
                        q.push(x);
                    }
                }
            }
            rounds.iter().map(Quant::quantiles).collect()
        }
        let key = crate::rng::run_key(&mut crate::rng::stream(3, 0));
        let runs: Vec<Vec<f64>> = (0..SERIES_EXACT_CAP + 600)
            .map(|i| {
                let len = [3usize, 5, 0, 4, 6][i % 5] + usize::from(i > 900);
                (0..len)
                    .map(|r| {
                        let u = crate::rng::draw(key, i as u64, r as u64, 0);
                        if u < 0.03 {
                            f64::NAN
                        } else if u < 0.5 {
                            // held from round to round (as an alignment or a settled position
                            // is): the compact rows keep it once
                            (i % 7) as f64
                        } else {
                            (u - 0.3) * 40.0 * (r + 1) as f64
                        }
                    })
                    .collect()
            })
            .collect();
        for n in [7, 600, SERIES_EXACT_CAP + 1, SERIES_EXACT_CAP + 600] {
            let mut acc = SeriesAcc::default();
            for s in &runs[..n] {
                acc.push(s);
            }
            let (a, b) = (acc.bands(), reference(&runs[..n]));
            assert_eq!(a.len(), b.len(), "{n} runs");
            for (x, y) in a.iter().zip(&b) {
                for (p, q) in x.iter().zip(y) {
                    assert!(p.to_bits() == q.to_bits(), "{n} runs: {x:?} vs {y:?}");
                }
            }
        }
    }
}
