//! The hit rate of a cache whose entries live a fixed time (a TTL), derived from the lookup rate
//! instead of assumed: `cache: {ttl: 1h, keys: 2500, zipf: 1.0}`.
//!
//! Each key is looked up as a Poisson stream of rate `r = λ · p_k` (λ the cache's lookups per
//! second, `p_k` the key's share). A lookup that misses loads the key, which then lives `T`
//! seconds from that miss (expiry from insertion, as Redis' `SET … EX` does; a hit does not
//! extend it). The key's lookups are then a renewal process of cycles "wait for the next
//! lookup (a miss), then `T` of hits": per cycle one miss and `r·T` hits on average, so its hit
//! rate is `r·T / (1 + r·T)`, exactly, in the long run.
//!
//! With `invalidate_every: I` the whole cache is also emptied every `I` seconds (a sync that
//! invalidates it). From an empty cache, the `n`-th miss of a key comes after `n` lookup waits
//! and `n − 1` lifetimes, so it falls within the interval with probability
//! `P(Gamma(n, r) ≤ I − (n − 1)·T)`, and the expected misses in the interval are the sum of
//! these over `n` (a finite sum: `n ≤ I/T + 1`). This is exact for Poisson lookups.
//!
//! The cache's hit rate is the lookups' mean over keys, `Σ p_k · hit_k`. Both formulas are
//! checked against a direct simulation of the lookups in the tests below.

use statrs::function::gamma::gamma_lr;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// How lookups spread over the keys.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Popularity {
    /// Every key as likely.
    Uniform,
    /// The `k`-th most looked-up key has a share proportional to `1 / k^s`.
    Zipf(f64),
}

/// Most keys a model takes.
pub const MAX_KEYS: u64 = 1_000_000;

/// Keys whose shares are within this ratio of the first key of their group are computed as
/// one group of keys of their mean share (the hit rate moves by far less than 1 % between them).
const GROUP_RATIO: f64 = 1.01;

/// Points per decade of the lookup rate at which the hit rate is computed; rates between are
/// interpolated linearly in log(rate) (error below 2·10⁻⁴, tested).
const PER_DECADE: f64 = 32.0;

/// A TTL cache's hit-rate model.
#[derive(Debug, Clone)]
pub struct TtlCache {
    /// Seconds an entry lives after the miss that loaded it.
    pub ttl: f64,
    /// Seconds between invalidations of the whole cache (`None`: never).
    pub invalidate_every: Option<f64>,
    /// Groups of keys of (nearly) equal share: (share of one key, keys), most popular first.
    groups: Arc<[(f64, f64)]>,
    /// Hit rates computed so far, by grid point of log10(rate): pure functions of the model,
    /// shared by every replication (so computed once whatever the thread count).
    table: Arc<Mutex<BTreeMap<i64, f64>>>,
}

impl TtlCache {
    /// The model of `keys` keys (1 ..= [`MAX_KEYS`]), lookups spread as `popularity`.
    pub fn new(ttl: f64, invalidate_every: Option<f64>, keys: u64, popularity: Popularity) -> TtlCache {
        let keys = keys.clamp(1, MAX_KEYS);
        let weight = |k: u64| match popularity {
            Popularity::Uniform => 1.0,
            Popularity::Zipf(s) => (k as f64).powf(-s),
        };
        let total: f64 = (1..=keys).map(weight).sum();
        let mut groups: Vec<(f64, f64)> = Vec::new();
        let mut first = f64::NAN;
        for k in 1..=keys {
            let p = weight(k) / total;
            match groups.last_mut() {
                Some((sum, n)) if first / p <= GROUP_RATIO => {
                    *sum += p;
                    *n += 1.0;
                }
                _ => {
                    first = p;
                    groups.push((p, 1.0));
                }
            }
        }
        let groups = groups.into_iter().map(|(sum, n)| (sum / n, n)).collect();
        TtlCache {
            ttl,
            invalidate_every,
            groups,
            table: Arc::default(),
        }
    }

    /// The share of lookups that hit when the cache sees `lookups_per_second` (0 with none),
    /// interpolated between the grid points of the rate.
    pub fn hit_rate(&self, lookups_per_second: f64) -> f64 {
        if !(lookups_per_second > 0.0 && lookups_per_second.is_finite()) {
            return 0.0;
        }
        let x = lookups_per_second.log10() * PER_DECADE;
        let g = x.floor();
        let (a, b) = (self.at_grid(g as i64), self.at_grid(g as i64 + 1));
        (a + (b - a) * (x - g)).clamp(0.0, 1.0)
    }

    fn at_grid(&self, g: i64) -> f64 {
        let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        *table
            .entry(g)
            .or_insert_with(|| self.hit_rate_exact(10f64.powf(g as f64 / PER_DECADE)))
    }

    /// The hit rate at `lookups_per_second`, computed.
    pub fn hit_rate_exact(&self, lookups_per_second: f64) -> f64 {
        if !(lookups_per_second > 0.0 && lookups_per_second.is_finite()) {
            return 0.0;
        }
        self.groups
            .iter()
            .map(|(p, n)| n * p * key_hit_rate(lookups_per_second * p, self.ttl, self.invalidate_every))
            .sum::<f64>()
            .clamp(0.0, 1.0)
    }
}

/// The hit rate of one key looked up at `r` per second, entries living `ttl` seconds, the
/// cache emptied every `flush` seconds.
pub fn key_hit_rate(r: f64, ttl: f64, flush: Option<f64>) -> f64 {
    if r.is_nan() || ttl.is_nan() || r <= 0.0 || ttl <= 0.0 {
        return 0.0;
    }
    let x = r * ttl;
    match flush {
        None => x / (1.0 + x),
        Some(i) if i > 0.0 => (1.0 - misses_in(r, ttl, i) / (r * i)).clamp(0.0, 1.0),
        Some(_) => 0.0,
    }
}

/// Expected misses of a key looked up at `r` per second in `i` seconds from an empty cache,
/// entries living `ttl` seconds: `Σ_n P(Gamma(n, r) ≤ i − (n − 1)·ttl)`.
///
/// The misses are a renewal count of cycles `Y = Exp(r) + ttl` up to `i + ttl`; where more
/// than 64 cycles fit, the renewal theorem's two-term expansion `t/μ + σ²/(2μ²) − 1/2` (μ, σ²
/// the cycle's mean and variance; the error falls exponentially in t/μ) replaces the sum.
fn misses_in(r: f64, ttl: f64, i: f64) -> f64 {
    let (mu, var, t) = (ttl + 1.0 / r, 1.0 / (r * r), i + ttl);
    if t > 64.0 * mu {
        return t / mu + var / (2.0 * mu * mu) - 0.5;
    }
    misses_sum(r, ttl, i)
}

/// [`misses_in`] by its sum, term by term.
fn misses_sum(r: f64, ttl: f64, i: f64) -> f64 {
    let mut sum = 0.0;
    let mut n = 1u64;
    loop {
        let room = i - (n - 1) as f64 * ttl;
        if room <= 0.0 {
            break;
        }
        let term = gamma_lr(n as f64, r * room);
        sum += term;
        // Past the centre of the count the terms only shrink.
        if term < 1e-15 && n as f64 > r * room {
            break;
        }
        n += 1;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::SmallRng;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Exp};

    /// Lookups of one key at rate `r` over `horizon` seconds, simulated: (hits, lookups).
    fn simulate_key(r: f64, ttl: f64, flush: Option<f64>, horizon: f64, rng: &mut SmallRng) -> (u64, u64) {
        let exp = Exp::new(r).unwrap();
        let (mut t, mut expires, mut hits, mut n) = (0.0, f64::NEG_INFINITY, 0u64, 0u64);
        loop {
            t += exp.sample(rng);
            if t >= horizon {
                return (hits, n);
            }
            n += 1;
            // An invalidation since the entry was loaded empties it.
            let flushed = flush.is_some_and(|i| (t / i).floor() * i > expires - ttl);
            if t < expires && !flushed {
                hits += 1;
            } else {
                expires = t + ttl;
            }
        }
    }

    #[test]
    fn one_key_matches_a_simulation_with_and_without_invalidation() {
        let mut rng = SmallRng::seed_from_u64(7);
        for (r, ttl, flush) in [
            (0.01, 3600.0, None),
            (0.0005, 3600.0, None),
            (0.01, 3600.0, Some(7200.0)),
            (0.0005, 3600.0, Some(7200.0)),
            (0.002, 600.0, Some(1800.0)),
            (0.05, 3600.0, Some(5400.0)),
        ] {
            let horizon: f64 = 2.0e6 / r;
            let (h, n) = simulate_key(r, ttl, flush, horizon, &mut rng);
            let sim = h as f64 / n as f64;
            let theory = key_hit_rate(r, ttl, flush);
            // The lookups are far from independent, but the cycles are: ~n / (1 + rT) cycles,
            // each a Bernoulli-like share; 5 standard errors of a proportion over the cycles.
            let cycles = n as f64 / (1.0 + r * ttl);
            let tol = 5.0 * (theory * (1.0 - theory) / cycles).sqrt() + 1e-4;
            assert!(
                (sim - theory).abs() < tol,
                "r {r}, ttl {ttl}, flush {flush:?}: simulated {sim} vs {theory} ± {tol} ({n} lookups)"
            );
        }
    }

    /// Exact zipf shares of `keys` keys.
    fn zipf(keys: u64, s: f64) -> Vec<f64> {
        let w: Vec<f64> = (1..=keys).map(|k| (k as f64).powf(-s)).collect();
        let t: f64 = w.iter().sum();
        w.into_iter().map(|x| x / t).collect()
    }

    #[test]
    fn a_zipf_cache_matches_a_simulation_of_its_lookups() {
        let model = TtlCache::new(3600.0, Some(7200.0), 200, Popularity::Zipf(1.0));
        let lambda = 0.5;
        let mut rng = SmallRng::seed_from_u64(3);
        let horizon = 200.0 * 86_400.0;
        let (mut hits, mut n) = (0u64, 0u64);
        for p in zipf(200, 1.0) {
            let (h, k) = simulate_key(lambda * p, 3600.0, Some(7200.0), horizon, &mut rng);
            hits += h;
            n += k;
        }
        let sim = hits as f64 / n as f64;
        // 8.6 M lookups in ~100 K independent cycles: a standard error near 0.001.
        for theory in [model.hit_rate(lambda), model.hit_rate_exact(lambda)] {
            assert!((sim - theory).abs() < 0.005, "{sim} vs {theory}");
        }
    }

    #[test]
    fn grouped_and_interpolated_rates_agree_with_the_key_by_key_sum() {
        for (ttl, flush, keys, s) in [
            (3600.0, Some(7200.0), 2500u64, 1.0),
            (3600.0, None, 2500, 1.0),
            (60.0, Some(86_400.0), 20_000, 0.8),
            (600.0, Some(1800.0), 50, 0.0),
        ] {
            let pop = if s == 0.0 {
                Popularity::Uniform
            } else {
                Popularity::Zipf(s)
            };
            let model = TtlCache::new(ttl, flush, keys, pop);
            let shares = zipf(keys, s);
            for lambda in [0.003, 0.07, 1.3, 17.0, 420.0] {
                let by_key: f64 = shares.iter().map(|p| p * key_hit_rate(lambda * p, ttl, flush)).sum();
                let exact = model.hit_rate_exact(lambda);
                let fast = model.hit_rate(lambda);
                assert!(
                    (exact - by_key).abs() < 2e-4,
                    "grouped {exact} vs {by_key} (λ {lambda})"
                );
                assert!(
                    (fast - by_key).abs() < 4e-4,
                    "interpolated {fast} vs {by_key} (λ {lambda})"
                );
            }
        }
    }

    #[test]
    fn the_renewal_expansion_agrees_with_the_sum_where_it_replaces_it() {
        // Nearly deterministic cycles (r·ttl = 50) make the count a step function the
        // expansion only averages: the misses differ by up to ~0.5, which over r·i lookups
        // moves the hit rate by under 10⁻³. Spread-out cycles agree far more closely.
        for r in [0.005, 0.05, 0.5, 5.0] {
            let ttl = 10.0;
            let mu = ttl + 1.0 / r;
            for cycles in [65.0, 90.0, 130.0] {
                let i = cycles * mu - ttl;
                let (sum, exp) = (misses_sum(r, ttl, i), misses_in(r, ttl, i));
                assert!(
                    (sum - exp).abs() / (r * i) < 1e-3,
                    "r {r}, {cycles} cycles: {sum} vs {exp}"
                );
            }
        }
    }

    #[test]
    fn hit_rate_grows_with_traffic_and_ttl_and_falls_with_keys_and_invalidation() {
        let base = TtlCache::new(3600.0, None, 2000, Popularity::Zipf(1.0));
        let mut last = -1.0;
        for lambda in [0.0, 0.001, 0.01, 0.1, 1.0, 10.0, 100.0] {
            let h = base.hit_rate(lambda);
            assert!((0.0..=1.0).contains(&h) && h >= last, "λ {lambda}: {h} after {last}");
            last = h;
        }
        assert_eq!(base.hit_rate(0.0), 0.0);
        let longer = TtlCache::new(7200.0, None, 2000, Popularity::Zipf(1.0));
        let more_keys = TtlCache::new(3600.0, None, 20_000, Popularity::Zipf(1.0));
        let flushed = TtlCache::new(3600.0, Some(7200.0), 2000, Popularity::Zipf(1.0));
        let uniform = TtlCache::new(3600.0, None, 2000, Popularity::Uniform);
        for lambda in [0.01, 1.0, 50.0] {
            let h = base.hit_rate_exact(lambda);
            assert!(longer.hit_rate_exact(lambda) >= h);
            assert!(more_keys.hit_rate_exact(lambda) <= h);
            assert!(flushed.hit_rate_exact(lambda) <= h);
            assert!(uniform.hit_rate_exact(lambda) <= h + 1e-12);
        }
    }

    #[test]
    fn one_uniform_key_is_the_closed_form() {
        let m = TtlCache::new(100.0, None, 1, Popularity::Uniform);
        assert!((m.hit_rate_exact(0.05) - 5.0 / 6.0).abs() < 1e-12);
        // An invalidation interval far longer than the lifetime changes little.
        let h = key_hit_rate(0.01, 60.0, None);
        let f = key_hit_rate(0.01, 60.0, Some(1.0e6));
        assert!((h - f).abs() < 1e-3, "{h} vs {f}");
    }
}
