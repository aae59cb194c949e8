//! Faults and recovery: a zero-length fault changes nothing, availability is
//! 1 − down time / horizon whatever the traffic, a backlog drains as the M/M/c surplus says,
//! and faults are validated with their field.

use crate::common::{capsim, run_text, write};

/// Open arrivals at `rate`, each request enqueuing one job (4 slots, exponential 1 s: μc = 4/s)
/// and, when `db` is true, querying the database; `extra` is appended.
fn scenario(rate: &str, db: bool, extra: &str) -> String {
    let q = if db { ", db_queries: 1" } else { "" };
    format!(
        "name: faults\nstage: only\nseed: 3\nreplications: 6\nhorizon: 2d\nresolution: 1d\n\
         simulation: {{mode: peak_window, window: 1h, warmup: 10m}}\n\
         traffic: {{arrival_rate: {rate}}}\n\
         requests:\n  submit: {{share: 100%, cpu: 1ms, jobs: 1{q}}}\n\
         stages:\n  only:\n    api: {{instances: 1, vcpu: 4, workers: 16}}\n\
         \x20   database: {{connections: 10, query_time: 2ms}}\n\
         \x20   queue: {{workers: 1, concurrency: 4, job_time: {{dist: exponential, mean: 1s}}}}\n{extra}"
    )
}

const DB_DOWN: &str = "health: {database: down}\njob_retry: {needs: [database], attempts: 1000, backoff: 1s}\n";

#[test]
fn a_zero_length_fault_changes_nothing() {
    let plain = run_text(&scenario("2/s", true, DB_DOWN));
    let zero = run_text(&scenario(
        "2/s",
        true,
        &format!("{DB_DOWN}faults: [{{component: database, at: \"day 1 19:30\", for: 0s}}]\n"),
    ));
    let json = |r: &capsim::run::RunResult| serde_json::to_string(&(&r.periods, &r.months, &r.stations)).unwrap();
    assert_eq!(json(&plain), json(&zero));
    let f = &zero.faults[0];
    assert_eq!((f.failed.mean, f.jobs_retried.mean, f.jobs_lost.mean), (0.0, 0.0, 0.0));
    assert_eq!(f.drain.max, 0.0);
    assert_eq!(f.backlog_at_recovery.mean, f.backlog_before.mean);
    assert_eq!(zero.availability.as_ref().unwrap().availability, 1.0);
}

#[test]
fn availability_is_one_minus_down_time_over_the_horizon_whatever_the_traffic() {
    let faults = "faults:\n  - {component: database, at: \"day 1 12:00\", for: 30m}\n  - {component: database, at: \"day 1 12:20\", for: 20m}\n  - {component: database, at: \"day 2 03:00\", for: 1h, mode: degraded, slowdown: 3x}\n";
    let horizon = 2.0 * 86_400.0;
    for rate in ["0.5/s", "3/s"] {
        let r = run_text(&scenario(rate, true, &format!("{DB_DOWN}{faults}")));
        let a = r.availability.as_ref().unwrap();
        // 12:00–12:40 down (the two overlap), the degraded hour does not count.
        assert_eq!(a.down, 2400.0);
        assert_eq!(a.availability, 1.0 - 2400.0 / horizon);
        assert_eq!(a.degraded, 3600.0);
        // Every request needs the database: every one arriving while it is down fails.
        let f = &r.faults[0];
        assert!(f.failed.mean > 0.0 && f.failed.min <= f.arrivals.max, "{rate}");
        assert!(
            f.failed.mean >= 0.95 * f.arrivals.mean,
            "{rate}: {} of {}",
            f.failed.mean,
            f.arrivals.mean
        );
    }
}

#[test]
fn a_backlog_drains_at_the_service_surplus() {
    // λ = 2/s, μc = 4/s: a backlog B at recovery drains in about B / (μc − λ) = B / 2 s.
    let extra = format!("{DB_DOWN}faults: [{{component: database, at: \"day 1 12:00\", for: 10m}}]\n");
    let r = run_text(&scenario("2/s", false, &extra));
    let f = &r.faults[0];
    assert_eq!(f.not_drained, 0);
    assert_eq!(f.failed.mean, 0.0, "requests do not need the database here");
    // Jobs arriving during the outage all wait: B ≈ λ × 600 s.
    assert!(
        (f.backlog_at_recovery.mean / 1200.0 - 1.0).abs() < 0.1,
        "{:?}",
        f.backlog_at_recovery
    );
    let fluid = f.backlog_at_recovery.mean / 2.0;
    assert!(
        (f.drain.mean / fluid - 1.0).abs() < 0.1,
        "drain {} s, fluid {fluid} s",
        f.drain.mean
    );
    assert_eq!(f.jobs_lost.mean, 0.0);
}

#[test]
fn jobs_are_lost_after_their_last_attempt() {
    // One attempt, then lost: every job arriving during the outage is lost, none retried.
    let extra = "health: {database: down}\njob_retry: {needs: [database], attempts: 1}\nfaults: [{component: database, at: \"day 1 12:00\", for: 10m}]\n";
    let r = run_text(&scenario("2/s", false, extra));
    let f = &r.faults[0];
    assert_eq!(f.jobs_retried.mean, 0.0);
    assert!(
        (f.jobs_lost.mean / f.arrivals.mean - 1.0).abs() < 0.02,
        "{} of {}",
        f.jobs_lost.mean,
        f.arrivals.mean
    );
}

#[test]
fn a_cache_down_with_rule_degraded_keeps_the_system_up() {
    let text = "name: cache\nstage: only\nseed: 3\nreplications: 2\nhorizon: 1d\nresolution: 1d\n\
        simulation: {mode: peak_window, window: 1h, warmup: 10m}\ntraffic: {arrival_rate: 5/s}\n\
        requests:\n  read: {share: 100%, cpu: 1ms, cache_lookups: 1}\n\
        stages:\n  only:\n    api: {instances: 1, vcpu: 4, workers: 16}\n\
        \x20   database: {connections: 10, query_time: 2ms}\n\
        \x20   cache: {hit_rate: 100%, lookup_time: 0.5ms}\n\
        health: {cache: degraded}\nslo: {availability: 99.9%}\n\
        faults: [{component: cache, at: \"day 1 12:00\", for: 30m}]\n";
    let r = run_text(text);
    let a = r.availability.as_ref().unwrap();
    assert_eq!((a.availability, a.down, a.degraded), (1.0, 0.0, 1800.0));
    assert_eq!(r.faults[0].failed.mean, 0.0);
    assert!(r.checks.slo.iter().all(|c| c.ok()));
}

#[test]
fn faults_are_validated_with_their_field() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "faults: [{component: database, at: \"day 9 10:00\", for: 1h}]\nhealth: {database: down}\n",
            "faults[0].at",
            "horizon",
        ),
        (
            "faults: [{component: database, at: \"3 19:30\", for: 1h}]\nhealth: {database: down}\n",
            "faults[0].at",
            "day 3 19:30",
        ),
        (
            "faults: [{component: redis, at: \"day 1 10:00\", for: 1h}]\n",
            "faults[0].component",
            "allowed",
        ),
        (
            "faults: [{component: database, at: \"day 1 10:00\", for: 1h}]\n",
            "faults[0].component",
            "health",
        ),
        (
            "faults: [{component: database, at: \"day 1 10:00\", for: 1h, mode: degraded, slowdown: 0.5x}]\n",
            "slowdown",
            "1x",
        ),
        ("health: {database: sideways}\n", "health.database", "degraded"),
        ("job_retry: {attempts: 0}\n", "job_retry.attempts", "1 to 1000"),
        ("slo: {availability: 150%}\n", "slo.availability", "impossible"),
    ];
    for (extra, field, says) in cases {
        let p = write(dir.path(), "bad.yaml", &scenario("1/s", true, extra));
        let out = capsim().args(["validate", p.to_str().unwrap()]).assert().code(2);
        let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(err.contains(field) && err.contains(says), "{extra}: {err}");
        assert!(err.contains("bad.yaml:"), "{err}");
    }
}

#[test]
fn the_readme_example_loads_and_runs() {
    let yaml = &crate::common::readme_yaml("## Faults and backups");
    let text = scenario("2/s", true, yaml).replace(
        "    database: {connections: 10, query_time: 2ms}\n",
        "    database: {connections: 10, query_time: 2ms}\n    cache: {hit_rate: 90%, lookup_time: 1ms}\n",
    );
    let r = run_text(&text);
    assert_eq!(r.faults.len(), 2);
    assert_eq!(r.availability.as_ref().unwrap().down, 1200.0);
    assert!(r.checks.slo.iter().any(|c| c.id == "slo.availability" && !c.ok()));
}
