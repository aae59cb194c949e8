use super::*;
use crate::engine::PeriodAcc;
use crate::scenario::Scenario;

const DAY: f64 = 86400.0;

/// A five-day scenario, one period a day, in the given simulation mode; `stage` is YAML for
/// the single stage's components.
fn scenario(mode: &str, stage: &str) -> Scenario {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.yaml");
    let text = format!(
        "name: t\nstage: s\nhorizon: 5d\nresolution: 1d\nsimulation: {{mode: {mode}}}\n\
         traffic: {{arrival_rate: 1/s}}\nrequests: {{r: {{share: 100%, cpu: 10ms, jobs: 1}}}}\n\
         stages: {{s: {{{stage}}}}}\n"
    );
    std::fs::write(&p, text).unwrap();
    let pricing = crate::pricing::CatalogSource::builtin();
    crate::scenario::load(&p, Some(&pricing))
        .unwrap_or_else(|e| panic!("{e}"))
        .0
}

fn peak() -> Scenario {
    scenario("peak_window", "api: {vcpu: 1, workers: 2}")
}

/// A station with capacity 1/s offered `rho` per second, losing `lost` of its arrivals, whose
/// whole period averages `period` arrivals per second.
fn load(rho: f64, lost: f64, period: f64) -> Load {
    Load {
        servers: 2,
        arrival_rate: rho,
        upstream: 1.0,
        mean_service: 2.0,
        capacity: 1.0,
        rate_limited: false,
        lost,
        backlog_start: 0,
        backlog_end: 0,
        visits: 1.0,
        period_request_rate: period,
        keeps_excess: true,
    }
}

/// Replications × periods of loads at the API workers only.
fn api_only(reps: &[Vec<Option<Load>>]) -> Vec<Vec<Option<Loads>>> {
    reps.iter()
        .map(|r| {
            r.iter()
                .map(|l| {
                    l.map(|l| {
                        let mut all: Loads = [None; 5];
                        all[API.index()] = Some(l);
                        all
                    })
                })
                .collect()
        })
        .collect()
}

fn run(sc: &Scenario, reps: &[Vec<Option<Load>>]) -> Vec<Overload> {
    let loads = api_only(reps);
    let refs: Vec<&[Option<Loads>]> = loads.iter().map(|r| r.as_slice()).collect();
    detect(sc, &refs)
}

fn of(kind: OverloadKind, w: &[Overload]) -> Vec<&Overload> {
    w.iter().filter(|o| o.kind == kind).collect()
}

#[test]
fn offered_load_one_is_the_threshold() {
    let sc = peak();
    let below = run(&sc, &[vec![Some(load(0.999, 0.0, 0.3)); 5]]);
    assert!(below.is_empty(), "{below:?}");
    let at = run(&sc, &[vec![Some(load(1.0, 0.0, 0.3)); 5]]);
    assert_eq!(at.len(), 1, "{at:?}");
    assert_eq!(at[0].kind, OverloadKind::Overloaded);
    assert_eq!(at[0].periods, vec![0, 1, 2, 3, 4]);
    assert_eq!(at[0].station, "api_workers");
    assert!(at[0]
        .message
        .starts_with("API workers: arrivals exceed capacity in 5 of 5 periods"));
}

#[test]
fn the_mean_across_replications_decides_and_the_count_is_said() {
    let sc = peak();
    let reps = vec![
        vec![Some(load(0.9, 0.0, 0.3)), Some(load(0.5, 0.0, 0.3))],
        vec![Some(load(1.2, 0.0, 0.3)), Some(load(1.2, 0.0, 0.3))],
    ];
    let w = run(&sc, &reps);
    assert_eq!(w.len(), 1, "{w:?}");
    // Period 0 averages 1.05, period 1 0.85.
    assert_eq!(w[0].periods, vec![0]);
    assert!((w[0].offered_load - 1.05).abs() < 1e-12);
    assert_eq!((w[0].replications, w[0].replications_observed), (1, 2));
    assert!(w[0].message.contains("(in 1 of 2 replications)"), "{}", w[0].message);
}

#[test]
fn losses_above_one_percent_below_load_one_are_turned_away() {
    let sc = peak();
    let w = run(
        &sc,
        &[vec![
            Some(load(0.8, 0.02, 0.3)),
            Some(load(0.8, 0.01, 0.3)),
            Some(load(1.5, 0.3, 0.3)),
            None,
            Some(load(0.8, 0.05, 0.3)),
        ]],
    );
    let turned = of(OverloadKind::TurnedAway, &w);
    assert_eq!(turned.len(), 1, "{w:?}");
    // Exactly 1 % is not above it; an overloaded period is reported as overloaded.
    assert_eq!(turned[0].periods, vec![0, 4]);
    assert_eq!(turned[0].worst_period, 4);
    assert_eq!(turned[0].periods_observed, 4);
    assert_eq!(of(OverloadKind::Overloaded, &w)[0].periods, vec![2]);
}

#[test]
fn the_fluid_backlog_adds_what_each_period_cannot_serve() {
    let sc = peak();
    // Period-average arrivals against a capacity of 1/s.
    let rates = [1.5, 1.5, 0.5, 0.2, 1.2];
    let reps = vec![rates.iter().map(|r| Some(load(3.0 * r, 0.0, *r))).collect()];
    let w = run(&sc, &reps);
    let c = of(OverloadKind::BacklogCarriesOver, &w);
    assert_eq!(c.len(), 1, "{w:?}");
    let c = c[0];
    assert_eq!(c.periods, vec![0, 1, 4]);
    // 0.5 × 1 day, twice; −0.5 and −0.8 days drain it (not below zero); +0.2 day.
    assert!((c.carried_backlog.unwrap() - DAY).abs() < 1e-6);
    assert_eq!(c.worst_period, 1);
    assert!((c.carried_backlog_end.unwrap() - 0.2 * DAY).abs() < 1e-6);
    assert!((c.offered_load - 1.5).abs() < 1e-12);
    assert!(c.message.contains("86.4K waiting by the end of day 2"), "{}", c.message);
    assert!(c.message.contains("17.3K at the end of the horizon"), "{}", c.message);
    // Only where the waiting room keeps the excess, and only in peak_window mode.
    let mut dropped = reps.clone();
    for l in dropped[0].iter_mut().flatten() {
        l.keeps_excess = false;
    }
    assert!(of(OverloadKind::BacklogCarriesOver, &run(&sc, &dropped)).is_empty());
    let full = scenario("full", "api: {vcpu: 1, workers: 2}");
    assert!(of(OverloadKind::BacklogCarriesOver, &run(&full, &reps)).is_empty());
}

#[test]
fn no_capacity_is_infinite_load_and_no_arrivals_none() {
    let sc = peak();
    let mut stuck = load(2.0, 0.0, 1.0);
    stuck.capacity = 0.0;
    let mut idle = load(0.0, f64::NAN, 0.0);
    idle.capacity = f64::NAN;
    let w = run(&sc, &[vec![Some(idle), Some(stuck), None]]);
    let o = of(OverloadKind::Overloaded, &w);
    assert_eq!(o[0].periods, vec![1]);
    assert!(o[0].offered_load.is_infinite());
    assert!(o[0].message.contains("ρ = ∞"), "{}", o[0].message);
    assert_eq!(o[0].periods_observed, 2);
}

/// Property: for random loads, the warnings are exactly the periods that meet each criterion,
/// each warning's worst period is its largest figure, and the fluid backlog is never negative.
#[test]
fn warnings_cover_exactly_the_periods_that_meet_the_criteria() {
    let sc = peak();
    let mut x = 99u64;
    let mut next = || {
        x = crate::seed::splitmix(x);
        (x % 10_000) as f64 / 10_000.0
    };
    for _ in 0..200 {
        let reps: Vec<Vec<Option<Load>>> = (0..3)
            .map(|_| {
                (0..5)
                    .map(|_| (next() > 0.1).then(|| load(2.0 * next(), 0.03 * next(), 1.4 * next())))
                    .collect()
            })
            .collect();
        let w = run(&sc, &reps);
        let mean = |p: usize, f: &dyn Fn(&Load) -> f64| -> f64 {
            let v: Vec<f64> = reps.iter().filter_map(|r| r[p]).map(|l| f(&l)).collect();
            v.iter().sum::<f64>() / v.len() as f64
        };
        let observed: Vec<usize> = (0..5).filter(|p| reps.iter().any(|r| r[*p].is_some())).collect();
        let expect_over: Vec<usize> = observed
            .iter()
            .copied()
            .filter(|p| mean(*p, &|l| l.offered_load()) >= 1.0)
            .collect();
        let expect_turned: Vec<usize> = observed
            .iter()
            .copied()
            .filter(|p| mean(*p, &|l| l.offered_load()) < 1.0 && mean(*p, &|l| l.lost) > LOSS_LIMIT)
            .collect();
        for (kind, expect) in [
            (OverloadKind::Overloaded, &expect_over),
            (OverloadKind::TurnedAway, &expect_turned),
        ] {
            let got = of(kind, &w);
            match got.as_slice() {
                [] => assert!(expect.is_empty(), "{kind:?}: missing {expect:?}"),
                [o] => {
                    assert_eq!(&o.periods, expect, "{kind:?}");
                    assert_eq!(o.first_period, expect[0]);
                    assert!(o.periods.contains(&o.worst_period));
                    assert_eq!(o.periods_observed, observed.len());
                    let key = |p: usize| match kind {
                        OverloadKind::Overloaded => mean(p, &|l| l.offered_load()),
                        _ => mean(p, &|l| l.lost),
                    };
                    assert!(o.periods.iter().all(|p| key(*p) <= key(o.worst_period) + 1e-12));
                }
                more => panic!("one warning per station and kind: {more:?}"),
            }
        }
        for c in of(OverloadKind::BacklogCarriesOver, &w) {
            assert!(c.carried_backlog.unwrap() >= c.carried_backlog_end.unwrap());
            assert!(c.carried_backlog_end.unwrap() >= 0.0);
        }
    }
}

#[test]
fn windows_are_said_as_days_and_clock_times() {
    assert_eq!(
        window_text(2.0 * DAY + 19.0 * 3600.0, 2.0 * DAY + 20.0 * 3600.0),
        "day 3, 19:00–20:00"
    );
    assert_eq!(window_text(0.0, DAY), "day 1");
    assert_eq!(window_text(23.0 * 3600.0, DAY), "day 1, 23:00–24:00");
    assert_eq!(window_text(0.0, 7.0 * DAY), "days 1–7");
    assert_eq!(
        window_text(18.0 * 3600.0, DAY + 6.0 * 3600.0),
        "day 1 18:00 to day 2 06:00"
    );
}

/// `observe` reads offered load from the accumulators: arrivals over the measured time, the
/// API's holding time per released worker, and what got past saturated workers scaled back up.
#[test]
fn observe_measures_offered_load_behind_the_workers() {
    let sc = scenario(
        "peak_window",
        "api: {vcpu: 1, workers: 4, max_queue: 10}, queue: {workers: 1, concurrency: 2, job_time: 4s}",
    );
    let stage = &sc.stages["s"];
    let catalog = crate::pricing::Catalog::builtin().unwrap();
    let (infra, _) = crate::infra::Infra::resolve_lenient(stage, &catalog);
    let mut acc = PeriodAcc::new(&infra);
    // 10 s measured. API: 200 arrivals, 100 got a worker, 100 released after 0.5 s each.
    let api = &mut acc.stations[API];
    (api.arrivals, api.served, api.service_sum, api.rejected) = (200, 100, 50.0, 100);
    for _ in 0..100 {
        api.wait.record(0.1);
    }
    // CPU (1 core, 4 workers: a queue): 100 arrivals, 100 starts of 0.1 s.
    let cpu = &mut acc.stations[CPU];
    cpu.arrivals = 100;
    cpu.service_sum = 10.0;
    for _ in 0..100 {
        cpu.wait.record(0.0);
    }
    acc.jobs.arrivals = 50;
    let w = Window {
        acc: &acc,
        measured: 10.0,
        backlog_start: [0, 3, 0, 0, 5],
        backlog_end: [10, 3, 0, 0, 30],
        period_request_rate: 5.0,
    };
    let l = observe(&w, stage, &infra);
    let a = l[API.index()].unwrap();
    assert_eq!((a.arrival_rate, a.mean_service, a.capacity), (20.0, 0.5, 8.0));
    assert_eq!((a.offered_load(), a.lost, a.keeps_excess), (2.5, 0.5, false));
    let c = l[CPU.index()].unwrap();
    // 10/s reached the core, 20/s were offered: 2 × 10/s × 0.1 s / 1 core.
    assert_eq!((c.upstream, c.capacity, c.offered_load()), (2.0, 10.0, 2.0));
    let j = l[JOBS.index()].unwrap();
    // 5 jobs/s reached it, 10/s offered, against 2 slots / 4 s = 0.5/s.
    assert_eq!((j.capacity, j.offered_load(), j.keeps_excess), (0.5, 20.0, true));
    assert_eq!((j.backlog_start, j.backlog_end, j.visits), (5, 30, 0.5));
    // Over the period: 0.5 jobs per request × 5 requests/s against 0.5/s.
    assert_eq!(j.period_offered_load(), 5.0);
    assert!(l[DB.index()].is_none() && l[VEC.index()].is_none());
}
