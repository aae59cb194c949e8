//! A cache whose hit rate follows from its TTL, keys and popularity (`ttl:`): the engine uses
//! the model's rate at each hour's lookup rate, the README's example runs, and every field is
//! validated. The model itself is checked against a simulation of the lookups in
//! `src/cachehit.rs`.

use crate::common::{capsim, run_text, write};
use capsim::cachehit::{Popularity, TtlCache};
use predicates::prelude::*;

/// Open Poisson traffic at `rate` per second, one lookup per request, an API that never queues.
fn scenario(rate: f64, cache: &str) -> String {
    format!(
        "name: ttl cache\nstage: s\nseed: 5\nreplications: 2\nhorizon: 2h\nresolution: 2h\n\
         simulation: {{mode: full, warmup: 0s}}\ntraffic: {{arrival_rate: {rate}/s}}\n\
         requests: {{r: {{share: 100%, cpu: 1ms, cache_lookups: 1}}}}\n\
         stages:\n  s:\n    api: {{instances: 1, vcpu: 64, workers: 64}}\n    cache: {cache}\n\
         triggers:\n  - {{name: below target, metric: cache.hit_rate, below: 80%, action: flag}}\n"
    )
}

const CACHE: &str = "{ttl: 10m, keys: 400, zipf: 0.9, invalidate_every: 30m}";

#[test]
fn the_measured_hit_rate_is_the_models_at_the_lookup_rate() {
    let model = TtlCache::new(600.0, Some(1800.0), 400, Popularity::Zipf(0.9));
    let mut last = -1.0;
    for rate in [0.5, 5.0, 40.0] {
        let r = run_text(&scenario(rate, CACHE));
        let got = r.value(0, "cache_hit_rate").mean;
        let want = model.hit_rate(rate);
        // Each lookup hits with the model's probability: a binomial share over
        // rate × 7,200 s × 2 replications lookups; 5 standard errors.
        let n = rate * 7200.0 * 2.0;
        let sd = (want * (1.0 - want) / n).sqrt();
        assert!((got - want).abs() < 5.0 * sd + 1e-9, "{rate}/s: {got} vs {want} ± {sd}");
        assert!(got > last, "the hit rate grows with traffic: {got} after {last}");
        last = got;
        // The trigger reads the same figure.
        let fired = r.triggers[0].fired_in > 0;
        assert_eq!(fired, got < 0.8, "{rate}/s: {got}, fired {fired}");
    }
}

#[test]
fn misses_go_to_the_database_at_the_models_rate() {
    let db = "    database: {connections: 50, query_time: 1ms}\n";
    let text = scenario(5.0, CACHE).replace("    cache:", &format!("{db}    cache:"));
    let r = run_text(&text);
    let hit = r.value(0, "cache_hit_rate").mean;
    let db = r
        .stations
        .iter()
        .find(|s| s.station == "database")
        .expect("database station");
    let api = r
        .stations
        .iter()
        .find(|s| s.station.contains("api"))
        .expect("api station");
    // One lookup per request; each miss is one database query.
    let expect = api.arrival_rate * (1.0 - hit);
    assert!(
        (db.arrival_rate - expect).abs() < 0.02 * expect,
        "{} vs {expect}",
        db.arrival_rate
    );
}

#[test]
fn the_readme_example_loads_and_runs() {
    let yaml = &crate::common::readme_yaml("### Caches with a TTL");
    let cache = yaml.split_once("    cache:\n").expect("a cache block").1;
    let text = format!(
        "name: readme cache\nstage: production\nseed: 1\nreplications: 1\nhorizon: 1d\nresolution: 1d\n\
         traffic: {{arrival_rate: 3/s}}\nrequests: {{r: {{share: 100%, cpu: 1ms, cache_lookups: 1}}}}\n\
         stages:\n  production:\n    api: {{vcpu: 8, workers: 8}}\n    cache:\n{cache}"
    );
    let r = run_text(&text);
    let model = TtlCache::new(3600.0, Some(7200.0), 2500, Popularity::Zipf(1.0));
    let got = r.value(0, "cache_hit_rate").mean;
    assert!(got > 0.0 && got < 1.0, "{got}");
    // The busy window (1 h) runs at the traffic's rate, 3 lookups a second: a binomial share
    // over 10,800 lookups, 5 standard errors.
    let want = model.hit_rate(3.0);
    let sd = (want * (1.0 - want) / 10_800.0).sqrt();
    assert!((got - want).abs() < 5.0 * sd, "{got} vs {want} ± {sd}");
}

#[test]
fn every_field_is_validated_with_its_place() {
    for (cache, field, says) in [
        ("{hit_rate: 80%, ttl: 1h, keys: 10}", "cache.hit_rate", "not both"),
        ("{ttl: 1h}", "cache.keys", "distinct keys"),
        ("{ttl: 1h, keys: 0}", "cache.keys", "whole number of keys"),
        ("{ttl: 1h, keys: 2.5}", "cache.keys", "whole number of keys"),
        ("{ttl: 1h, keys: 2M}", "cache.keys", "1000000"),
        ("{ttl: 1h, keys: 10, zipf: -1}", "cache.zipf", "Zipf exponent"),
        ("{ttl: 1h, keys: 10, zipf: 9}", "cache.zipf", "Zipf exponent"),
        ("{ttl: 0s, keys: 10}", "cache.ttl", "longer than 0"),
        (
            "{ttl: 1h, keys: 10, invalidate_every: 0s}",
            "cache.invalidate_every",
            "> 0",
        ),
        ("{keys: 10}", "cache.keys", "give `ttl:` too"),
        ("{invalidate_every: 2h}", "cache.invalidate_every", "give `ttl:` too"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "s.yaml", &scenario(1.0, cache));
        capsim()
            .args(["validate", p.to_str().unwrap()])
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains(format!("stages.s.{field}"))
                    .and(predicate::str::contains(says))
                    .and(predicate::str::contains("s.yaml:")),
            );
    }
}

#[test]
fn a_cache_without_a_database_does_not_strand_its_misses() {
    // A miss has no database to query: it costs its lookup and the request completes. (Before,
    // each miss waited forever at a database of no connections, and the workers filled up.)
    let r = run_text(&scenario(5.0, "{hit_rate: 50%}"));
    let got = r.value(0, "cache_hit_rate").mean;
    let sd = (0.25f64 / 72_000.0).sqrt();
    assert!((got - 0.5).abs() < 5.0 * sd, "{got}");
    let api = r
        .stations
        .iter()
        .find(|s| s.station.contains("api"))
        .expect("api station");
    assert!(
        (api.sim_throughput.mean - api.arrival_rate).abs() < 0.01 * api.arrival_rate,
        "every request completes: {} of {} per second",
        api.sim_throughput.mean,
        api.arrival_rate
    );
    assert!(r.value(0, "latency_p99").mean < 0.1);
}
