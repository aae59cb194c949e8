//! The AI-to-Production outage scenarios run under `capsim check` with the outcome their notes
//! document: a database outage takes the system down (availability 99.80% < 99.9%, exit 1),
//! a Redis outage only degrades it (100%, exit 0). Both extend base.yaml's single node.

use crate::common::{capsim, run_file};

#[test]
fn a_database_outage_breaches_the_availability_objective() {
    let path = "scenarios/ai-to-production/outage-database.yaml";
    capsim().args(["check", path, "--replications", "2"]).assert().code(1);
    let r = run_file(path);
    let a = r.availability.as_ref().unwrap();
    assert_eq!(a.down, 1200.0);
    assert_eq!(format!("{:.2}", a.availability * 100.0), "99.80");
    let f = &r.faults[0];
    // The busy window's arrival rate for 20 minutes (the fault lies in the 19:00 peak the
    // window simulates), every request needing MySQL.
    let rate = r.periods[f.period].series[capsim::results::s::BUSY_RPS].mean;
    assert!(
        (f.arrivals.mean / (rate * 1200.0) - 1.0).abs() < 0.1,
        "{:?} at {rate}/s",
        f.arrivals
    );
    assert_eq!(f.failed.mean, f.arrivals.mean);
    assert_eq!(f.not_drained, 0);
}

#[test]
fn a_redis_outage_degrades_without_failing() {
    let path = "scenarios/ai-to-production/outage-redis.yaml";
    capsim().args(["check", path, "--replications", "2"]).assert().code(0);
    let r = run_file(path);
    let a = r.availability.as_ref().unwrap();
    assert_eq!((a.availability, a.degraded), (1.0, 1200.0));
    let f = &r.faults[0];
    assert_eq!(f.failed.mean, 0.0);
    // The 90 % of requests with a lookup (base.yaml's `read_results`) go to MySQL instead.
    assert!(
        (f.bypassed.mean / (0.9 * f.arrivals.mean) - 1.0).abs() < 0.05,
        "{:?} {:?}",
        f.bypassed,
        f.arrivals
    );
    assert_eq!(f.not_drained, 0);
    assert!(f.drain.max < 60.0, "the backlog is back within a minute: {:?}", f.drain);
}
