//! Sample quantiles and means.

/// Sample quantile of an ascending-sorted slice by linear interpolation between order
/// statistics (Hyndman & Fan type 7, the default of R's `quantile` and numpy's `quantile`).
///
/// With `h = (n − 1)·q`, the result is `x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])`, so `q = 0`
/// gives the minimum and `q = 1` the maximum. `q` outside `[0, 1]` is clamped to it.
/// Returns `f64::NAN` for an empty slice or a NaN `q`.
///
/// Precondition: `sorted` is sorted ascending and NaN-free (checked by `debug_assert!`;
/// otherwise the result is unspecified but there is no panic).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    debug_assert!(
        sorted.windows(2).all(|w| w[0] <= w[1]),
        "quantile_sorted: input not sorted ascending or contains NaN"
    );
    let n = sorted.len();
    if n == 0 || q.is_nan() {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    // `lo <= n − 1` because h <= n − 1; at the top there is nothing to interpolate towards.
    if lo + 1 >= n {
        return sorted[n - 1];
    }
    let frac = h - lo as f64;
    let (a, b) = (sorted[lo], sorted[lo + 1]);
    // Skip the product when frac == 0 so infinite neighbours do not produce 0·∞ = NaN.
    if frac == 0.0 { a } else { a + frac * (b - a) }
}

/// Arithmetic mean; `f64::NAN` for an empty slice.
pub fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.iter().sum::<f64>() / xs.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type7_matches_numpy_reference() {
        // numpy.quantile([1, 2, 3, 4, 10], q): h = 4q.
        // q=0.1 -> h=0.4: 1 + 0.4·1 = 1.4;  q=0.5 -> 3;  q=0.9 -> h=3.6: 4 + 0.6·6 = 7.6;
        // q=0.25 -> h=1: 2;  q=0.975 -> h=3.9: 4 + 0.9·6 = 9.4.
        let x = [1.0, 2.0, 3.0, 4.0, 10.0];
        let cases = [
            (0.0, 1.0),
            (0.1, 1.4),
            (0.25, 2.0),
            (0.5, 3.0),
            (0.9, 7.6),
            (0.975, 9.4),
            (1.0, 10.0),
        ];
        for (q, want) in cases {
            let got = quantile_sorted(&x, q);
            // Only rounding in h and the interpolation: a few ulps of values ~10.
            assert!((got - want).abs() < 1e-12, "q={q}: {got} vs {want}");
        }
    }

    #[test]
    fn quantile_edge_cases() {
        assert!(quantile_sorted(&[], 0.5).is_nan());
        assert!(quantile_sorted(&[1.0, 2.0], f64::NAN).is_nan());
        assert_eq!(quantile_sorted(&[7.0], 0.3), 7.0);
        assert_eq!(quantile_sorted(&[1.0, 3.0], -1.0), 1.0);
        assert_eq!(quantile_sorted(&[1.0, 3.0], 2.0), 3.0);
        assert_eq!(quantile_sorted(&[1.0, 3.0], 0.5), 2.0);
    }

    #[test]
    fn mean_basic() {
        assert!(mean(&[]).is_nan());
        assert_eq!(mean(&[1.0, 2.0, 6.0]), 3.0);
    }
}
