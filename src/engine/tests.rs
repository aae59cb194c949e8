use super::*;
use crate::infra::Infra;
use rand::SeedableRng;

/// A one-stage scenario with sessions, a database, a cache and jobs, and `api` as its API.
fn scenario(api: &str) -> Scenario {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.yaml");
    let text = format!(
        "name: t\nstage: s\nhorizon: 2d\nresolution: 1d\nsimulation: {{mode: full}}\n\
         traffic: {{users: {{growth: constant, users: 3000}}, sessions_per_user_per_week: 14,\n\
           requests_per_session: 20, think_time: {{dist: exponential, mean: 20s}}}}\n\
         requests: {{r: {{share: 100%, cpu: {{dist: lognormal, p50: 20ms, p95: 90ms}}, db_queries: 2,\n\
           cache_lookups: 1, jobs: 0.1}}}}\n\
         stages: {{s: {{api: {{{api}}}, database: {{connections: 4,\n\
           query_time: {{dist: lognormal, p50: 2ms, p95: 12ms}}}}, cache: {{hit_rate: 80%}},\n\
           queue: {{workers: 1, concurrency: 2, job_time: 1s}}}}}}\n"
    );
    std::fs::write(&p, text).unwrap();
    let pricing = crate::pricing::CatalogSource::builtin();
    crate::scenario::load(&p, Some(&pricing))
        .unwrap_or_else(|e| panic!("{e}"))
        .0
}

fn config(sc: &Scenario) -> (EngineConfig, Infra) {
    let catalog = crate::pricing::Catalog::builtin().unwrap();
    let (infra, _) = Infra::resolve_lenient(&sc.stages["s"], &catalog);
    (EngineConfig::new(sc, &sc.stages["s"], &infra), infra)
}

/// What a window measured, as numbers to compare exactly.
fn fingerprint(acc: &PeriodAcc) -> Vec<f64> {
    let mut v = vec![
        acc.arrivals as f64,
        acc.completed as f64,
        acc.latency_sum,
        acc.sessions_area,
        acc.jobs.busy_area,
    ];
    for (_, s) in acc.stations.iter() {
        v.extend([s.busy_area, s.queue_area, s.wait_sum, s.arrivals as f64]);
    }
    v
}

/// A busy window as `peak_window` runs it: a warm-up, then `len` seconds measured.
fn window(e: &mut Engine, infra: &Infra, t0: f64, len: f64) -> Vec<f64> {
    let mut acc = PeriodAcc::new(infra);
    e.prefill_sessions();
    e.run_until(t0, &mut acc);
    e.begin_measuring(&mut acc);
    e.run_until(t0 + len, &mut acc);
    assert!(acc.completed > 100, "the window saw traffic");
    fingerprint(&acc)
}

/// An engine restarted for a second window measures exactly what a new one would: nothing of
/// the first window (pending events, requests, sessions, jobs, limiter state) carries over.
#[test]
fn a_restarted_engine_is_a_new_engine() {
    let sc = scenario("vcpu: 1, workers: 4");
    let (cfg, infra) = config(&sc);
    let rng = |s| SmallRng::seed_from_u64(s);
    let (t1, t2) = (20.0 * 3600.0, 44.0 * 3600.0);
    let mut reused = Engine::with_rate_from(&sc, cfg.clone(), rng(1), t1 - 120.0, t1);
    window(&mut reused, &infra, t1, 600.0);
    reused.restart(Some(cfg.clone()), rng(2), t2 - 120.0, t2);
    let second = window(&mut reused, &infra, t2, 600.0);
    let mut fresh = Engine::with_rate_from(&sc, cfg, rng(2), t2 - 120.0, t2);
    assert_eq!(second, window(&mut fresh, &infra, t2, 600.0));
}

/// Reconfiguring from fewer workers than cores (CPU work starts at once, outside the CPU
/// station) to more workers than cores (the CPU queues) mid-run: requests already on a core
/// finish as they started, later ones queue for a core.
#[test]
fn reconfiguring_the_cpu_into_a_queue_mid_run() {
    let sc = scenario("vcpu: 4, workers: 4");
    let (cfg, infra) = config(&sc);
    assert!(cfg.cpu_bypass);
    let mut e = Engine::new(&sc, cfg, SmallRng::seed_from_u64(3), 19.0 * 3600.0);
    let mut acc = PeriodAcc::new(&infra);
    e.run_until(20.0 * 3600.0, &mut acc);
    let mut stage = sc.stages["s"].clone();
    stage.api.workers = 16;
    let catalog = crate::pricing::Catalog::builtin().unwrap();
    let (infra2, _) = Infra::resolve_lenient(&stage, &catalog);
    let cfg2 = EngineConfig::new(&sc, &stage, &infra2);
    assert!(!cfg2.cpu_bypass);
    let mut acc = PeriodAcc::new(&infra2);
    e.reconfigure(cfg2, &mut acc);
    e.begin_measuring(&mut acc);
    e.run_until(21.0 * 3600.0, &mut acc);
    assert_eq!(acc.stations[API].servers, 16);
    let cpu = &acc.stations[CPU];
    assert_eq!(cpu.servers, 4);
    assert!(cpu.arrivals > 1000 && cpu.served > 1000, "the CPU is a station again");
    assert!(acc.completed > 1000);
}
