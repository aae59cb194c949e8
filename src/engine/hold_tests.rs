use super::super::*;
use crate::infra::Infra;
use rand::SeedableRng;

/// Open traffic at `rate` per second to a pool of 4 connections; each request makes
/// `queries` queries of exponential time, mean 10 ms, and waits at most 1 s for a connection.
fn scenario(rate: f64, queries: u32) -> (Scenario, Infra) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.yaml");
    let text = format!(
        "name: t\nstage: s\nhorizon: 1d\nresolution: 1d\nsimulation: {{mode: full}}\n\
         traffic: {{arrival_rate: {rate}/s}}\n\
         requests: {{r: {{share: 100%, cpu: 0ms, db_queries: {queries}}}}}\n\
         stages: {{s: {{api: {{vcpu: 1000, workers: 1000}}, database: {{connections: 4, pool_timeout: 1s,\n\
           query_time: {{dist: exponential, mean: 10ms}}}}}}}}\n"
    );
    std::fs::write(&p, text).unwrap();
    let pricing = crate::pricing::CatalogSource::builtin();
    let sc = crate::scenario::load(&p, Some(&pricing))
        .unwrap_or_else(|e| panic!("{e}"))
        .0;
    let catalog = crate::pricing::Catalog::builtin().unwrap();
    let infra = Infra::resolve_lenient(&sc.stages["s"], &catalog).0;
    (sc, infra)
}

fn engine<'s>(sc: &'s Scenario, infra: &Infra) -> Engine<'s> {
    let cfg = EngineConfig::new(sc, &sc.stages["s"], infra);
    Engine::new(sc, cfg, rand::rngs::SmallRng::seed_from_u64(1), 0.0)
}

/// (busy, reserved) of the pool at `t`.
fn at(e: &mut Engine, acc: &mut PeriodAcc, t: f64) -> (u32, u32) {
    e.run_until(t, acc);
    (e.stations[DB].busy, e.stations[DB].reserved)
}

#[test]
fn a_hold_takes_what_is_free_and_the_rest_as_connections_free() {
    // Requests that make no query: the pool is the holds' alone.
    let (sc, infra) = scenario(0.5, 0);
    let mut e = engine(&sc, &infra);
    let mut acc = PeriodAcc::new(&infra);
    e.begin_measuring(&mut acc);
    assert!(e.hold_connections(10.0, 30.0, 3, 0));
    assert!(e.hold_connections(20.0, 100.0, 3, 1));
    assert_eq!(at(&mut e, &mut acc, 15.0), (3, 3));
    // The second gets the one connection left, and waits for two.
    assert_eq!(at(&mut e, &mut acc, 25.0), (4, 4));
    assert!(e.holds.pending());
    // The first ends: the second takes two of its three.
    assert_eq!(at(&mut e, &mut acc, 40.0), (3, 3));
    assert!(!e.holds.pending());
    assert_eq!(at(&mut e, &mut acc, 200.0), (0, 0));
    // Connection-seconds: 3 × 20 for the first; 1 × 10 then 3 × 70 for the second.
    assert_eq!(e.held_area(0), 60.0);
    assert_eq!(e.held_area(1), 220.0);
    let d = &acc.stations[DB];
    assert_eq!(d.reserved_area, 280.0);
    assert_eq!(d.busy_area, 280.0);
    assert_eq!((d.min_reserved, d.max_reserved, d.max_busy), (0, 4, 4));
}

#[test]
fn a_hold_ending_while_short_gives_back_what_it_got_and_stops_waiting() {
    let (sc, infra) = scenario(0.5, 0);
    let mut e = engine(&sc, &infra);
    let mut acc = PeriodAcc::new(&infra);
    e.hold_connections(0.0, 100.0, 4, 0);
    e.hold_connections(10.0, 50.0, 2, 1);
    e.hold_connections(20.0, 150.0, 1, 2);
    assert_eq!(at(&mut e, &mut acc, 60.0), (4, 4));
    assert!(e.holds.pending(), "the third still waits");
    // The first ends at 100: the third, still waiting, takes one; the second is gone.
    assert_eq!(at(&mut e, &mut acc, 120.0), (1, 1));
    assert!(!e.holds.pending());
    assert_eq!(at(&mut e, &mut acc, 160.0), (0, 0));
    // A hold of nothing, of an empty interval or in the past is no hold.
    assert!(!e.hold_connections(200.0, 300.0, 0, 0));
    assert!(!e.hold_connections(300.0, 300.0, 2, 0));
    assert!(!e.hold_connections(10.0, 150.0, 2, 0));
}

#[test]
fn a_freed_connection_goes_to_a_short_hold_before_a_waiting_request() {
    // 380 queries a second of 10 ms on 4 connections (ρ = 0.95): requests queue for the
    // pool. A hold of the whole pool gets every connection as the queries in progress end
    // (a few tens of ms), however many requests wait; were waiting requests served first, the
    // three connections left would stay saturated and the hold would never fill.
    let (sc, infra) = scenario(380.0, 1);
    let mut e = engine(&sc, &infra);
    let mut acc = PeriodAcc::new(&infra);
    e.run_until(100.0, &mut acc);
    e.hold_connections(100.0, 200.0, 4, 0);
    e.begin_measuring(&mut acc);
    assert_eq!(at(&mut e, &mut acc, 101.0), (4, 4));
    assert_eq!(at(&mut e, &mut acc, 199.0), (4, 4));
    // No request got a connection: those served are the (at most 4) queries in progress at
    // 100 s; the others waited their second and timed out.
    let d = &acc.stations[DB];
    assert!(d.served <= 4, "{}", d.served);
    assert!(d.timed_out > 30_000, "{}", d.timed_out);
    // The hold ends: requests are served again.
    e.run_until(210.0, &mut acc);
    assert!(acc.stations[DB].served > 3_000);
    assert_eq!(e.stations[DB].reserved, 0);
}

#[test]
fn a_restart_drops_every_hold() {
    let (sc, infra) = scenario(0.5, 0);
    let mut e = engine(&sc, &infra);
    let mut acc = PeriodAcc::new(&infra);
    e.hold_connections(0.0, 1000.0, 4, 3);
    e.hold_connections(5.0, 1000.0, 4, 3);
    assert_eq!(at(&mut e, &mut acc, 10.0), (4, 4));
    e.restart(None, rand::rngs::SmallRng::seed_from_u64(2), 20.0, 20.0);
    assert_eq!((e.stations[DB].busy, e.stations[DB].reserved), (0, 0));
    assert!(!e.holds.pending());
    assert_eq!(e.held_area(3), 0.0);
    assert_eq!(at(&mut e, &mut acc, 2000.0), (0, 0));
}
