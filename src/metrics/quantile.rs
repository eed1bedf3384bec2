//! Quantiles from cumulative histogram buckets, the way PromQL's `histogram_quantile` does:
//! linear interpolation inside the bucket where the rank falls.

/// The `q` quantile (0–1) of cumulative `(upper bound, count)` buckets, which must include
/// `+Inf`. None without observations or without a `+Inf` bucket.
pub fn quantile(q: f64, buckets: &[(f64, f64)]) -> Option<f64> {
    if !(0.0..=1.0).contains(&q) {
        return None;
    }
    let mut b: Vec<(f64, f64)> = buckets
        .iter()
        .copied()
        .filter(|(le, n)| !le.is_nan() && n.is_finite())
        .collect();
    b.sort_by(|x, y| x.0.total_cmp(&y.0));
    if b.last().is_none_or(|(le, _)| *le != f64::INFINITY) {
        return None;
    }
    // Counts summed from scrapes taken at slightly different moments can dip: keep them
    // monotonic, as PromQL does.
    let mut max = 0.0f64;
    for (_, n) in b.iter_mut() {
        max = max.max(*n);
        *n = max;
    }
    let total = b.last()?.1;
    if total <= 0.0 {
        return None;
    }
    let rank = q * total;
    let i = b.iter().position(|(_, n)| *n >= rank)?;
    if b[i].0 == f64::INFINITY {
        // Above the last finite bound: that bound is the best answer there is.
        return Some(if i == 0 { 0.0 } else { b[i - 1].0 });
    }
    let (lower, below) = if i == 0 {
        (0.0f64.min(b[0].0), 0.0)
    } else {
        b[i - 1]
    };
    let (upper, at) = b[i];
    if at == below {
        return Some(upper);
    }
    Some(lower + (upper - lower) * (rank - below) / (at - below))
}

#[cfg(test)]
mod tests {
    use super::*;

    const INF: f64 = f64::INFINITY;

    #[test]
    fn interpolates_inside_the_bucket() {
        // 100 observations: 50 ≤ 0.1 s, 90 ≤ 0.5 s, 100 ≤ 1 s.
        let b = [(0.1, 50.0), (0.5, 90.0), (1.0, 100.0), (INF, 100.0)];
        assert_eq!(quantile(0.5, &b), Some(0.1));
        // rank 70: 20 of the 40 between 0.1 and 0.5 → halfway.
        assert!((quantile(0.7, &b).unwrap() - 0.3).abs() < 1e-12);
        // rank 99: 9 of the 10 between 0.5 and 1.
        assert!((quantile(0.99, &b).unwrap() - 0.95).abs() < 1e-12);
        // the first bucket interpolates from 0.
        assert!((quantile(0.25, &b).unwrap() - 0.05).abs() < 1e-12);
    }

    #[test]
    fn above_the_last_finite_bucket_answers_its_bound() {
        let b = [(0.1, 10.0), (1.0, 90.0), (INF, 100.0)];
        assert_eq!(quantile(0.99, &b), Some(1.0));
    }

    #[test]
    fn no_observations_or_no_inf_bucket_is_none() {
        assert_eq!(quantile(0.99, &[(0.1, 0.0), (INF, 0.0)]), None);
        assert_eq!(quantile(0.99, &[(0.1, 5.0)]), None);
        assert_eq!(quantile(0.99, &[]), None);
        assert_eq!(quantile(1.5, &[(INF, 1.0)]), None);
    }

    #[test]
    fn unordered_and_dipping_counts_are_mended() {
        let b = [(INF, 100.0), (1.0, 100.0), (0.5, 95.0), (0.1, 96.0)];
        // 0.5's 95 is lifted to 96: rank 99 is 3/4 of the way from 0.5 to 1.
        assert!((quantile(0.99, &b).unwrap() - 0.875).abs() < 1e-12);
    }
}
