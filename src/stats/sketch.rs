//! A streaming quantile sketch with a relative-error bound, and an exact running mean.
//!
//! Per-point and per-batch time-series quantiles are taken over every run of a point, which
//! may be millions; keeping the values costs memory in proportion. [`QuantileSketch`] keeps
//! a histogram on logarithmic buckets instead (the mapping of DDSketch, Masson, Rim & Lee,
//! VLDB 2019), so its size depends on the spread of the values, not on how many there are.
//!
//! ```text
//! γ = (1 + α) / (1 − α),  α = ALPHA = 0.005
//! x > 0 goes to bucket  i = ⌈ln x / ln γ⌉, which holds (γ^(i−1), γ^i];
//! x < 0 to the mirror bucket of −x; x = 0 to a bucket of its own.
//! A bucket keeps its count and the exact minimum and maximum of its values.
//! ```
//!
//! The estimate of an order statistic is its bucket's representative `2γ^i / (γ + 1)`,
//! moved into the bucket's `[min, max]` (so a bucket of equal values, e.g. a code or a
//! count, gives that value exactly, as do the smallest and largest values). Every value of
//! the bucket is within relative distance α of the representative, and moving it into
//! `[min, max]` brings it closer to each of them, so the estimate `v_k` of the k-th smallest
//! value `x_k` has `|v_k − x_k| ≤ α·|x_k|`. A quantile interpolates between two order
//! statistics as [`quantile_sorted`](super::quantile_sorted) does (type 7), so
//!
//! ```text
//! |estimate − exact| ≤ α · max(|x_⌊h⌋|, |x_⌊h⌋+1|),   h = (n − 1)·q
//! ```
//!
//! (plus a few ulps of the logarithm at bucket edges). The bound holds for any number of
//! values, any order and any merge.
//!
//! **Determinism.** No randomness; buckets are kept sorted by key, and counts, minima and
//! maxima combine the same way in any order. The mean is a compensated (Neumaier) sum
//! taken in the order values are added, so callers add in run order. The state serialises
//! to bytes ([`QuantileSketch::write_to`]) with every float bit for bit, so a checkpointed
//! sketch resumes exactly.

/// Relative accuracy of [`QuantileSketch`] quantiles (see the module docs).
pub const ALPHA: f64 = 0.005;

/// `γ = (1 + α)/(1 − α)`.
const GAMMA: f64 = (1.0 + ALPHA) / (1.0 - ALPHA);

/// Keys of positive buckets are `OFFSET + i`, of negative ones `−(OFFSET + i)`, zero is 0:
/// ascending keys are then ascending values. `|i|` is clamped below `OFFSET`.
const OFFSET: i64 = 1 << 40;

/// One bucket: its key, how many values it holds and their exact extremes.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Bucket {
    key: i64,
    count: u64,
    min: f64,
    max: f64,
}

/// Bytes of one serialised bucket.
const BUCKET_BYTES: usize = 32;

/// A mergeable quantile sketch with relative accuracy [`ALPHA`], and the exact mean of the
/// values added. NaN values are ignored (neither counted nor summed).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QuantileSketch {
    /// Ascending by key.
    buckets: Vec<Bucket>,
    count: u64,
    sum: f64,
    /// Neumaier compensation of `sum`.
    comp: f64,
}

fn ln_gamma() -> f64 {
    GAMMA.ln()
}

/// The bucket key of a non-NaN value.
fn key_of(x: f64) -> i64 {
    if x == 0.0 {
        return 0;
    }
    let i = (x.abs().ln() / ln_gamma()).ceil();
    let i = i.clamp(-(OFFSET as f64) + 1.0, OFFSET as f64 - 1.0) as i64;
    if x > 0.0 { OFFSET + i } else { -(OFFSET + i) }
}

/// The representative of a bucket: within relative α of every value the bucket can hold.
fn representative(key: i64) -> f64 {
    if key == 0 {
        return 0.0;
    }
    let i = key.abs() - OFFSET;
    let r = 2.0 * (i as f64 * ln_gamma()).exp() / (GAMMA + 1.0);
    if key > 0 { r } else { -r }
}

impl QuantileSketch {
    /// An empty sketch.
    pub fn new() -> QuantileSketch {
        QuantileSketch::default()
    }

    /// Adds one value (NaN is ignored).
    pub fn add(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        let x = if x == 0.0 { 0.0 } else { x }; // −0 and +0 alike
        self.count += 1;
        // Neumaier's compensated sum.
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.comp += (self.sum - t) + x;
        } else {
            self.comp += (x - t) + self.sum;
        }
        self.sum = t;
        let key = key_of(x);
        match self.buckets.binary_search_by_key(&key, |b| b.key) {
            Ok(j) => {
                let b = &mut self.buckets[j];
                b.count += 1;
                b.min = b.min.min(x);
                b.max = b.max.max(x);
            }
            Err(j) => self.buckets.insert(
                j,
                Bucket {
                    key,
                    count: 1,
                    min: x,
                    max: x,
                },
            ),
        }
    }

    /// Adds everything `other` holds. Counts, minima and maxima combine exactly in any
    /// order; the mean's sum is added as it stands, so merge in run order for bit-identical
    /// means.
    pub fn merge(&mut self, other: &QuantileSketch) {
        let (x, y) = (&self.buckets, &other.buckets);
        let mut out = Vec::with_capacity(x.len() + y.len());
        let (mut i, mut j) = (0, 0);
        while i < x.len() || j < y.len() {
            if j == y.len() || (i < x.len() && x[i].key < y[j].key) {
                out.push(x[i]);
                i += 1;
            } else if i == x.len() || y[j].key < x[i].key {
                out.push(y[j]);
                j += 1;
            } else {
                out.push(Bucket {
                    key: x[i].key,
                    count: x[i].count + y[j].count,
                    min: x[i].min.min(y[j].min),
                    max: x[i].max.max(y[j].max),
                });
                i += 1;
                j += 1;
            }
        }
        self.buckets = out;
        self.count += other.count;
        let t = self.sum + other.sum;
        if self.sum.abs() >= other.sum.abs() {
            self.comp += (self.sum - t) + other.sum;
        } else {
            self.comp += (other.sum - t) + self.sum;
        }
        self.sum = t;
        self.comp += other.comp;
    }

    /// Values added (NaN excluded).
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Buckets in use (the sketch's size is proportional to it).
    pub fn buckets(&self) -> usize {
        self.buckets.len()
    }

    /// Mean of the values added; `NaN` when there are none.
    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            f64::NAN
        } else {
            (self.sum + self.comp) / self.count as f64
        }
    }

    /// The estimate of the `k`-th smallest value (0-based, `k < count`).
    fn order_statistic(&self, k: u64) -> f64 {
        let mut below = 0u64;
        for b in &self.buckets {
            if k < below + b.count {
                if k == 0 {
                    return b.min;
                }
                if k + 1 == self.count {
                    return b.max;
                }
                return representative(b.key).clamp(b.min, b.max);
            }
            below += b.count;
        }
        self.buckets.last().map_or(f64::NAN, |b| b.max)
    }

    /// The `q` quantile (type 7, as [`quantile_sorted`](super::quantile_sorted)) within the
    /// bound of the module docs. `q` is clamped to `[0, 1]`; `NaN` when empty or `q` is NaN.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.count == 0 || q.is_nan() {
            return f64::NAN;
        }
        let h = (self.count - 1) as f64 * q.clamp(0.0, 1.0);
        let lo = h.floor() as u64;
        let a = self.order_statistic(lo);
        if lo + 1 >= self.count {
            return a;
        }
        let frac = h - lo as f64;
        if frac == 0.0 {
            return a;
        }
        let b = self.order_statistic(lo + 1);
        a + frac * (b - a)
    }

    /// Appends the state to `out` (little-endian, every float bit for bit).
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.reserve(28 + BUCKET_BYTES * self.buckets.len());
        out.extend_from_slice(&self.count.to_le_bytes());
        out.extend_from_slice(&self.sum.to_bits().to_le_bytes());
        out.extend_from_slice(&self.comp.to_bits().to_le_bytes());
        out.extend_from_slice(&(self.buckets.len() as u32).to_le_bytes());
        for b in &self.buckets {
            out.extend_from_slice(&b.key.to_le_bytes());
            out.extend_from_slice(&b.count.to_le_bytes());
            out.extend_from_slice(&b.min.to_bits().to_le_bytes());
            out.extend_from_slice(&b.max.to_bits().to_le_bytes());
        }
    }

    /// Reads a state written by [`write_to`](Self::write_to) from the front of `bytes`,
    /// advancing it; `None` if the bytes are short or inconsistent.
    pub fn read_from(bytes: &mut &[u8]) -> Option<QuantileSketch> {
        fn take<const N: usize>(bytes: &mut &[u8]) -> Option<[u8; N]> {
            let (head, rest) = bytes.split_first_chunk::<N>()?;
            *bytes = rest;
            Some(*head)
        }
        let u64_ = |b: &mut &[u8]| take::<8>(b).map(u64::from_le_bytes);
        let count = u64_(bytes)?;
        let sum = f64::from_bits(u64_(bytes)?);
        let comp = f64::from_bits(u64_(bytes)?);
        let n = u32::from_le_bytes(take::<4>(bytes)?) as usize;
        if bytes.len() < n * BUCKET_BYTES {
            return None;
        }
        let mut buckets = Vec::with_capacity(n);
        for _ in 0..n {
            buckets.push(Bucket {
                key: i64::from_le_bytes(take::<8>(bytes)?),
                count: u64_(bytes)?,
                min: f64::from_bits(u64_(bytes)?),
                max: f64::from_bits(u64_(bytes)?),
            });
        }
        let sorted = buckets.windows(2).all(|w| w[0].key < w[1].key);
        let total: u64 = buckets.iter().map(|b| b.count).sum();
        (sorted && total == count).then_some(QuantileSketch {
            buckets,
            count,
            sum,
            comp,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::quantile_sorted;
    use rand::rngs::ChaCha8Rng;
    use rand::{RngExt, SeedableRng};

    /// The documented bound, with room for the logarithm's rounding at bucket edges.
    fn bound(sorted: &[f64], q: f64) -> f64 {
        let h = (sorted.len() - 1) as f64 * q;
        let lo = h.floor() as usize;
        let hi = (lo + 1).min(sorted.len() - 1);
        ALPHA * (1.0 + 1e-9) * sorted[lo].abs().max(sorted[hi].abs())
    }

    fn check(values: &[f64]) {
        let mut s = QuantileSketch::new();
        for &v in values {
            s.add(v);
        }
        let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
        sorted.sort_by(f64::total_cmp);
        for q in [0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0] {
            let (got, want) = (s.quantile(q), quantile_sorted(&sorted, q));
            assert!(
                (got - want).abs() <= bound(&sorted, q),
                "q={q}: sketch {got}, exact {want}, bound {}",
                bound(&sorted, q)
            );
        }
        let mean = sorted.iter().sum::<f64>() / sorted.len() as f64;
        assert!((s.mean() - mean).abs() <= 1e-12 * mean.abs().max(1.0));
    }

    #[test]
    fn quantiles_within_the_bound_on_mixed_signs_zeros_and_codes() {
        // Fixed seed; the bound is deterministic, so there is no tolerance beyond it.
        let mut rng = ChaCha8Rng::seed_from_u64(21);
        let mixed: Vec<f64> = (0..20_000)
            .map(|i| match i % 5 {
                0 => 0.0,
                1 => -rng.random::<f64>() * 50.0,
                2 => rng.random::<f64>().powi(6),
                3 => (rng.random::<f64>() * 3.0).floor(),
                _ => 1e3 * rng.random::<f64>(),
            })
            .collect();
        check(&mixed);
        check(&[7.0]);
        check(&[-1.0, 1.0]);
        check(&[0.0, 0.0, 0.0]);
        check(&[1e-300, 1e300, -5e-320, f64::NAN, 3.0]);
    }

    #[test]
    fn repeated_values_and_extremes_are_exact() {
        let mut s = QuantileSketch::new();
        for i in 0..1000 {
            s.add(f64::from(i % 3)); // a code: 0, 1, 2
        }
        assert_eq!(s.quantile(0.0), 0.0);
        assert_eq!(s.quantile(0.5), 1.0);
        assert_eq!(s.quantile(1.0), 2.0);
        let mut t = QuantileSketch::new();
        for v in [0.3, 0.30001, 0.2999, 17.25] {
            t.add(v);
        }
        assert_eq!(t.quantile(0.0), 0.2999);
        assert_eq!(t.quantile(1.0), 17.25);
        assert!(QuantileSketch::new().quantile(0.5).is_nan());
        assert!(QuantileSketch::new().mean().is_nan());
    }

    #[test]
    fn merge_equals_one_sketch_and_state_round_trips() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let xs: Vec<f64> = (0..5000).map(|_| rng.random::<f64>() * 2.0 - 0.5).collect();
        let mut whole = QuantileSketch::new();
        let (mut a, mut b) = (QuantileSketch::new(), QuantileSketch::new());
        for (i, &x) in xs.iter().enumerate() {
            whole.add(x);
            if i < 2000 { a.add(x) } else { b.add(x) }
        }
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        for q in [0.0, 0.05, 0.5, 0.95, 1.0] {
            assert_eq!(ab.quantile(q), whole.quantile(q));
            assert_eq!(ba.quantile(q), whole.quantile(q));
        }
        assert_eq!(ab.count(), 5000);
        let mut bytes = Vec::new();
        whole.write_to(&mut bytes);
        bytes.push(9);
        let mut rest = &bytes[..];
        let back = QuantileSketch::read_from(&mut rest).expect("round trip");
        assert_eq!(rest, &[9]);
        assert_eq!(back, whole);
        assert_eq!(back.mean().to_bits(), whole.mean().to_bits());
        assert!(QuantileSketch::read_from(&mut &bytes[..bytes.len() - 10]).is_none());
    }
}
