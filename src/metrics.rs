//! Across replications: means with 95 % confidence intervals (Student t), and the spread
//! (P10, median, P90) that trigger timings are reported with.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// A figure across replications. NaN values (no data in a replication) are left out. Every
/// figure is in the unit of what it summarises (NaN when no replication had a value).
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Summary {
    /// The mean of the replications' values.
    pub mean: f64,
    /// Half-width of the 95 % confidence interval of the mean (NaN with one value).
    pub ci95: f64,
    /// The 10th percentile of the replications' values.
    pub p10: f64,
    /// Their median.
    pub p50: f64,
    /// Their 90th percentile.
    pub p90: f64,
    /// The smallest value.
    pub min: f64,
    /// The largest value.
    pub max: f64,
    /// Replications that had a value.
    pub n: usize,
}

impl Summary {
    pub const EMPTY: Summary = Summary {
        mean: f64::NAN,
        ci95: f64::NAN,
        p10: f64::NAN,
        p50: f64::NAN,
        p90: f64::NAN,
        min: f64::NAN,
        max: f64::NAN,
        n: 0,
    };

    pub fn of(values: impl IntoIterator<Item = f64>) -> Summary {
        let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
        let n = v.len();
        if n == 0 {
            return Summary::EMPTY;
        }
        v.sort_by(f64::total_cmp);
        let mean = v.iter().sum::<f64>() / n as f64;
        let ci95 = if n > 1 {
            let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            t_quantile_975(n - 1) * (var / n as f64).sqrt()
        } else {
            f64::NAN
        };
        Summary {
            mean,
            ci95,
            p10: quantile(&v, 0.10),
            p50: quantile(&v, 0.5),
            p90: quantile(&v, 0.90),
            min: v[0],
            max: v[n - 1],
            n,
        }
    }

    /// True when `x` lies inside mean ± ci95 (or equals the mean when there is no interval).
    pub fn contains(&self, x: f64) -> bool {
        if self.ci95.is_finite() {
            (x - self.mean).abs() <= self.ci95
        } else {
            (x - self.mean).abs() <= 1e-12 * x.abs().max(1.0)
        }
    }
}

/// The 97.5 % quantile of Student's t with `df` degrees of freedom.
pub fn t_quantile_975(df: usize) -> f64 {
    match StudentsT::new(0.0, 1.0, df as f64) {
        Ok(t) => t.inverse_cdf(0.975),
        Err(_) => 1.959_963_984_540_054,
    }
}

/// Linear-interpolated quantile of sorted values.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_known_values() {
        let s = Summary::of([1.0, 2.0, 3.0, 4.0, 5.0, f64::NAN]);
        assert_eq!(s.n, 5);
        assert_eq!(s.mean, 3.0);
        assert_eq!(s.p50, 3.0);
        // sd = sqrt(2.5); t(4) = 2.776
        assert!((s.ci95 - 2.776_445 * (2.5f64 / 5.0).sqrt()).abs() < 1e-4);
        assert!((s.p10 - 1.4).abs() < 1e-12);
        assert!(s.contains(3.5) && !s.contains(10.0));
    }

    #[test]
    fn percentiles_stay_within_min_and_max() {
        // Property: for any data, min ≤ p10 ≤ p50 ≤ p90 ≤ max and min ≤ mean ≤ max.
        let mut x = 12345u64;
        for n in 1..60 {
            let v: Vec<f64> = (0..n)
                .map(|_| {
                    x = crate::seed::splitmix(x);
                    (x % 10_000) as f64 / 7.0
                })
                .collect();
            let s = Summary::of(v);
            assert!(s.min <= s.p10 && s.p10 <= s.p50 && s.p50 <= s.p90 && s.p90 <= s.max);
            assert!(s.min <= s.mean + 1e-9 && s.mean <= s.max + 1e-9);
        }
    }

    #[test]
    fn t_quantiles() {
        assert!((t_quantile_975(1) - 12.706).abs() < 1e-3);
        assert!((t_quantile_975(30) - 2.042).abs() < 1e-3);
    }
}
