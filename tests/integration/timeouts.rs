//! Invariant: a timeout far longer than any wait that can occur changes nothing.
//!
//! Timers are matched to the wait that set them; a timer left behind by a request that was
//! served (or by an earlier occupant of a reused request slot) must never fire on anyone.
//! With a 10-minute timeout on a queue whose waits are a few hundred milliseconds, the run
//! must be the run without a timeout: no timeout, no error, and the same waits. The timeout
//! events draw no random numbers, so the two runs see the same arrivals and service times and
//! their figures agree to rounding, not only within a confidence interval.

use crate::common::run_text;
use capsim::run::RunResult;
use capsim::theory;

fn station_wait(r: &RunResult, name: &str) -> capsim::metrics::Summary {
    r.stations
        .iter()
        .find(|s| s.station == name)
        .unwrap_or_else(|| panic!("no station {name}"))
        .sim_wait
}

fn assert_same_run(what: &str, with: &RunResult, without: &RunResult, station: &str) {
    let err = with.value(0, "error_rate");
    assert_eq!(
        err.mean,
        0.0,
        "{what}: {:.4} % errors with a long timeout",
        err.mean * 100.0
    );
    let (a, b) = (station_wait(with, station), station_wait(without, station));
    assert!(
        (a.mean - b.mean).abs() <= 1e-9 * b.mean.abs().max(1e-12),
        "{what}: mean wait {:.6} s with the timeout, {:.6} s without",
        a.mean,
        b.mean
    );
    for name in ["latency_mean", "latency_p95", "busy_rps"] {
        let (x, y) = (with.value(0, name).mean, without.value(0, name).mean);
        assert!((x - y).abs() <= 1e-9 * y.abs().max(1e-12), "{what}: {name} {x} vs {y}");
    }
}

fn api_scenario(lambda: f64, mean_ms: f64, c: u32, timeout: &str) -> String {
    format!(
        "name: timeout\nstage: s\nseed: 17\nreplications: 4\nhorizon: 6h\nresolution: 6h\n\
         simulation: {{mode: full, warmup: 10m}}\ntraffic: {{arrival_rate: {lambda}/s}}\n\
         requests: {{r: {{share: 100%, cpu: {{dist: exponential, mean: {mean_ms}ms}}}}}}\n\
         stages: {{s: {{api: {{vcpu: {c}, workers: {c}{timeout}}}}}}}\n"
    )
}

/// The API queue at several loads and worker counts, from the M/M/1 of the review (ρ = 0.5,
/// where the bug showed 1.85 % errors and a mean wait of 88 ms instead of 98.6 ms) up.
#[test]
fn api_queue_timeout_longer_than_any_wait_changes_nothing() {
    for (lambda, mean_ms, c) in [(5.0, 100.0, 1u32), (8.0, 100.0, 1), (30.0, 100.0, 4)] {
        let what = format!("M/M/{c}, λ = {lambda}/s, 10-minute queue_timeout");
        let with = run_text(&api_scenario(lambda, mean_ms, c, ", queue_timeout: 10m"));
        let without = run_text(&api_scenario(lambda, mean_ms, c, ""));
        assert_same_run(&what, &with, &without, "api workers");
    }
    // And the figure the review saw is Erlang C's again (within the 99.9 % interval).
    let r = run_text(&api_scenario(5.0, 100.0, 1, ", queue_timeout: 10m"));
    let w = station_wait(&r, "api workers");
    let exact = theory::mmc(5.0, 10.0, 1).unwrap().wq;
    assert!(
        (w.mean - exact).abs() <= 2.0 * w.ci95,
        "mean wait {} ± {} vs {exact}",
        w.mean,
        w.ci95
    );
}

fn pool_scenario(timeout: &str) -> String {
    format!(
        "name: pool timeout\nstage: s\nseed: 23\nreplications: 4\nhorizon: 6h\nresolution: 6h\n\
         simulation: {{mode: full, warmup: 10m}}\ntraffic: {{arrival_rate: 10/s}}\n\
         requests: {{r: {{share: 100%, cpu: 0ms, db_queries: 1}}}}\n\
         stages: {{s: {{api: {{vcpu: 1000, workers: 1000}}, database: {{connections: 2, \
         query_time: {{dist: exponential, mean: 100ms}}{timeout}}}}}}}\n"
    )
}

/// An M/M/2 connection pool at ρ = 0.5 (the review saw 0.77 % timeouts with `pool_timeout: 10m`).
#[test]
fn pool_timeout_longer_than_any_wait_changes_nothing() {
    let with = run_text(&pool_scenario(", pool_timeout: 10m"));
    let without = run_text(&pool_scenario(""));
    assert_same_run("M/M/2 pool, 10-minute pool_timeout", &with, &without, "database");
}

/// Both timeouts at once, on a request that waits at the API and then at the pool: a timer
/// from the first wait must not fire during the second.
#[test]
fn timers_of_an_earlier_wait_never_fire_on_a_later_one() {
    let text = |t: &str, p: &str| {
        format!(
            "name: two waits\nstage: s\nseed: 29\nreplications: 4\nhorizon: 6h\nresolution: 6h\n\
             simulation: {{mode: full, warmup: 10m}}\ntraffic: {{arrival_rate: 12/s}}\n\
             requests: {{r: {{share: 100%, cpu: {{dist: exponential, mean: 100ms}}, db_queries: 1}}}}\n\
             stages: {{s: {{api: {{vcpu: 2, workers: 2, hold_worker: false{t}}}, database: {{connections: 3, \
             query_time: {{dist: exponential, mean: 200ms}}{p}}}}}}}\n"
        )
    };
    let with = run_text(&text(", queue_timeout: 10m", ", pool_timeout: 10m"));
    let without = run_text(&text("", ""));
    assert_same_run("tandem, both timeouts", &with, &without, "api workers");
    assert_same_run("tandem, both timeouts", &with, &without, "database");
}
