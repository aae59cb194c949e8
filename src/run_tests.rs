//! Tests of `run.rs`: the shown bill is the median replication's, theory comparisons, aggregation.

use super::*;
use crate::simulate::StationObs;

/// Open Poisson arrivals at 32/s to 4 API workers with the given `extra` API fields.
fn scenario(extra: &str) -> Scenario {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.yaml");
    let text = format!(
        "name: t\nstage: s\nhorizon: 1h\nresolution: 1h\ntraffic: {{arrival_rate: 32/s}}\n\
         requests: {{r: {{share: 100%, cpu: {{dist: exponential, mean: 100ms}}}}}}\n\
         stages: {{s: {{api: {{vcpu: 4, workers: 4{extra}}}}}}}\n"
    );
    std::fs::write(&p, text).unwrap();
    let pricing = crate::pricing::CatalogSource::builtin();
    crate::scenario::load(&p, Some(&pricing))
        .unwrap_or_else(|e| panic!("{e}"))
        .0
}

/// The bill shown line by line is the median replication's, whole: running every
/// replication with its lines and picking the median gives the same months, to the bit.
#[test]
fn the_example_bill_is_the_median_replications_with_every_line() {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/varying-bills.yaml");
    let pricing = crate::pricing::CatalogSource::builtin();
    let (sc, _) = crate::scenario::load(&file, Some(&pricing)).unwrap_or_else(|e| panic!("{e}"));
    let catalog = crate::pricing::Catalog::builtin().unwrap();
    // 5 replications keep their lines; 70 exceed KEEP_LINES_UP_TO and re-run the median.
    for n in [5, 70] {
        assert_eq!(keeps_every_line(n, crate::time::month_count(&sc)), n == 5);
        shown_bill_is_the_median(&sc, &catalog, n);
    }
}

fn shown_bill_is_the_median(sc: &Scenario, catalog: &Catalog, n: u32) {
    let cfg = RunConfig {
        replications: n,
        ..RunConfig::of(sc)
    };
    let result = run(sc, catalog, &cfg).unwrap();
    let plan = Plan::new(sc);
    let full: Vec<Replication> = (0..n)
        .map(|r| {
            let mut run = simulate::Run::new(sc, catalog, &plan, cfg.seed, r);
            (0..plan.periods).for_each(|p| drop(run.period(p)));
            run.finish()
        })
        .collect();
    let median = median_replication(&full);
    // The replications' bills differ, so which one is shown matters.
    let totals: Vec<f64> = full.iter().map(|r| r.months[0].total).collect();
    assert!(totals.iter().any(|t| *t != totals[0]), "{totals:?}");
    assert_eq!(result.months.len(), full[median].months.len());
    for (shown, want) in result.months.iter().zip(&full[median].months) {
        assert!(want.components.iter().any(|c| !c.bill.lines.is_empty()));
        assert_eq!(
            serde_json::to_string(&shown.example).unwrap(),
            serde_json::to_string(want).unwrap()
        );
    }
}

/// One replication's view of the API workers: M/M/4 inputs (32/s, 100 ms, SCV 1).
fn obs(servers: u32, room: Option<u32>, wait: f64, p_block: f64) -> StationObs {
    StationObs {
        station: "api workers".into(),
        servers,
        waiting_room: room,
        arrival_rate: 32.0,
        mean_service: 0.1,
        service_scv: 1.0,
        mean_wait: wait,
        p_wait: 0.5,
        p_block,
        p_timeout: 0.0,
        utilization: 0.75,
        served: 1000,
        mean_sojourn: wait + 0.1,
        throughput: 30.0,
    }
}

fn reps(stations: Vec<StationObs>) -> Vec<Replication> {
    stations
        .into_iter()
        .map(|o| Replication {
            firings: Vec::new(),
            held: Vec::new(),
            peak: Vec::new(),
            months: Vec::new(),
            unstable: Vec::new(),
            stations: vec![o],
            notes: Vec::new(),
            jobs: Vec::new(),
            batches: Vec::new(),
            faults: Vec::new(),
        })
        .collect()
}

/// Replication values `centre × (1 + k·spread)` for k = −2..=2: a symmetric sample.
fn around(centre: f64, spread: f64) -> [f64; 5] {
    [-2.0, -1.0, 0.0, 1.0, 2.0].map(|k| centre * (1.0 + k * spread))
}

#[test]
fn the_model_follows_the_waiting_room() {
    let exact = theory::mmck(32.0, 10.0, 4, 8);
    for (extra, room, model) in [
        ("", None, "M/M/c (Erlang C)"),
        (", max_queue: 4", Some(4), "M/M/c/K (K = 4 + 4 waiting)"),
        (", max_queue: 0", Some(0), "Erlang B (M/G/c/c loss system)"),
    ] {
        let sc = scenario(extra);
        let st = &station_summaries(&sc, &reps(vec![obs(4, room, 0.03, 0.0); 3]))[0];
        assert_eq!(st.theory_model, model);
        assert_eq!(st.waiting_room, room);
        assert_eq!(st.theory_p_block.is_some(), room.is_some(), "{model}");
    }
    let sc = scenario(", max_queue: 4");
    let st = &station_summaries(&sc, &reps(vec![obs(4, Some(4), 0.03, 0.0); 3]))[0];
    assert!((st.theory_wait.unwrap() - exact.wq).abs() < 1e-12);
    assert!((st.theory_p_block.unwrap() - exact.p_block).abs() < 1e-12);
    assert!((st.theory_p_wait.unwrap() - exact.p_wait).abs() < 1e-12);
}

#[test]
fn a_finite_room_agrees_only_when_wait_and_blocking_both_do() {
    let sc = scenario(", max_queue: 4");
    let exact = theory::mmck(32.0, 10.0, 4, 8);
    let verdict = |wait: f64, block: f64| {
        let o: Vec<StationObs> = around(wait, 0.01)
            .iter()
            .zip(around(block, 0.01))
            .map(|(w, b)| obs(4, Some(4), *w, b))
            .collect();
        station_summaries(&sc, &reps(o))[0].verdict()
    };
    assert_eq!(verdict(exact.wq, exact.p_block), Verdict::Agrees);
    // Each figure 10 % off (the interval is ±2 % here), with the other one right.
    assert_eq!(verdict(exact.wq * 1.1, exact.p_block), Verdict::Disagrees);
    assert_eq!(verdict(exact.wq, exact.p_block * 1.1), Verdict::Disagrees);
}

#[test]
fn one_replication_makes_no_agreement_claim() {
    for (extra, room) in [("", None), (", max_queue: 4", Some(4))] {
        let sc = scenario(extra);
        let exact = theory::mmck(32.0, 10.0, 4, 8);
        // Even a simulated value equal to theory is no evidence without an interval.
        let st = &station_summaries(&sc, &reps(vec![obs(4, room, exact.wq, exact.p_block)]))[0];
        assert!(st.theory_wait.is_some());
        assert_eq!(st.agrees, None);
        assert_eq!(st.verdict(), Verdict::TooFewReplications);
        assert!(st.sim_wait.ci95.is_nan());
    }
}

#[test]
fn replications_with_different_capacities_get_no_model() {
    let sc = scenario(", max_queue: 4");
    for second in [obs(5, Some(4), 0.03, 0.06), obs(4, Some(6), 0.03, 0.06)] {
        let st = &station_summaries(&sc, &reps(vec![obs(4, Some(4), 0.03, 0.06), second]))[0];
        assert!(st.theory_model.starts_with("none"), "{}", st.theory_model);
        assert_eq!((st.theory_wait, st.agrees), (None, None));
        assert_eq!(st.verdict(), Verdict::NoTheory);
    }
}
