//! A cache's `ttl:` model, validated: `cache: {ttl: 1h, keys: 2500, zipf: 1.0,
//! invalidate_every: 2h}` derives the hit rate from the lookup rate ([`crate::cachehit`])
//! instead of taking `hit_rate:` as given. The two ways are exclusive.

use super::ctx::Ctx;
use super::raw::RawCache;
use crate::cachehit::{Popularity, TtlCache, MAX_KEYS};

/// Largest Zipf exponent taken: beyond it one key takes nearly every lookup.
const MAX_ZIPF: f64 = 4.0;

/// The cache's TTL model, or `None` when it gives a `hit_rate` (errors go to `cx`).
pub(super) fn ttl_model(cx: &mut Ctx, cp: &str, c: &RawCache) -> Option<TtlCache> {
    let field = |f: &str| format!("{cp}.{f}");
    let Some(ttl) = c.ttl.map(|t| t.0) else {
        for (name, set) in [
            ("keys", c.keys.is_some()),
            ("zipf", c.zipf.is_some()),
            ("invalidate_every", c.invalidate_every.is_some()),
        ] {
            if set {
                cx.err(
                    &field(name),
                    format!("`{name}` belongs to the TTL model: give `ttl:` too, or leave `{name}` out"),
                );
            }
        }
        return None;
    };
    let mut ok = true;
    if c.hit_rate.is_some() {
        cx.err(
            &field("hit_rate"),
            "give either `hit_rate:` (assumed) or `ttl:` with `keys:` (derived from the lookup rate), not both",
        );
        ok = false;
    }
    if ttl.is_nan() || ttl <= 0.0 {
        cx.err(&field("ttl"), "an entry must live longer than 0 s");
        ok = false;
    }
    let keys = match c.keys.map(|k| k.0) {
        None => {
            cx.err(
                &field("keys"),
                "the TTL model needs the number of distinct keys looked up",
            );
            ok = false;
            1
        }
        Some(k) if k.fract() != 0.0 || !(1.0..=MAX_KEYS as f64).contains(&k) => {
            cx.err(
                &field("keys"),
                format!("expected a whole number of keys from 1 to {MAX_KEYS}, found {k}"),
            );
            ok = false;
            1
        }
        Some(k) => k as u64,
    };
    let popularity = match c.zipf {
        None => Popularity::Uniform,
        Some(s) if s.is_finite() && (0.0..=MAX_ZIPF).contains(&s) => {
            if s == 0.0 {
                Popularity::Uniform
            } else {
                Popularity::Zipf(s)
            }
        }
        Some(s) => {
            cx.err(
                &field("zipf"),
                format!("expected a Zipf exponent from 0 (every key as likely) to {MAX_ZIPF}, found {s}"),
            );
            ok = false;
            Popularity::Uniform
        }
    };
    let invalidate_every = c.invalidate_every.map(|i| i.0);
    if invalidate_every.is_some_and(|i| i.is_nan() || i <= 0.0) {
        cx.err(
            &field("invalidate_every"),
            "the cache cannot be emptied more often than never: expected a duration > 0",
        );
        ok = false;
    }
    ok.then(|| TtlCache::new(ttl, invalidate_every, keys, popularity))
}
