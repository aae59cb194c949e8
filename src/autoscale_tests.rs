//! Autoscaled replica sets in runs: against the fixed-count run, ∫ replicas dt, the time to
//! scale out under a step in load, the bounds when scaling in, and the located input errors.

use crate::engine::{Engine, EngineConfig, PeriodAcc};
use crate::infra::Infra;
use crate::pricing::Catalog;
use crate::scenario::Scenario;
use rand::SeedableRng;
use std::path::Path;

fn catalog() -> Catalog {
    Catalog::builtin().unwrap()
}

fn load(text: &str) -> Scenario {
    crate::scenario::load_str(Path::new("a.yaml"), text, &catalog()).unwrap_or_else(|e| panic!("{e}"))
}

fn load_err(text: &str) -> String {
    match crate::scenario::load_str(Path::new("a.yaml"), text, &catalog()) {
        Ok(_) => panic!("expected an input error"),
        Err(e) => e.to_string(),
    }
}

/// An API and a job queue at 40 requests/s; `api` and `queue` are the blocks' extra fields.
fn scenario(mode: &str, api: &str, queue: &str) -> String {
    format!(
        "name: t\nstage: s\nhorizon: 2d\nresolution: 1d\nreplications: 2\n\
         simulation: {mode}\n\
         traffic: {{arrival_rate: 40/s}}\n\
         requests: {{r: {{share: 100%, cpu: {{dist: exponential, mean: 20ms}}, jobs: 0.5}}}}\n\
         stages: {{s: {{api: {{vcpu: 1, workers: 2{api}}},\n\
           queue: {{concurrency: 2, job_time: {{dist: exponential, mean: 150ms}}{queue}}}}}}}\n"
    )
}

const PEAK: &str = "{mode: peak_window, window: 1h, warmup: 10m}";
const FULL: &str = "{mode: full}";

/// Every figure and bill of a run, NaN-aware (bits), for comparing two runs exactly.
fn fingerprint(sc: &Scenario) -> Vec<String> {
    let cat = catalog();
    let plan = crate::simulate::Plan::new(sc);
    (0..sc.replications)
        .map(|r| {
            let (periods, rep) = crate::simulate::replicate(sc, &cat, &plan, r);
            let series: Vec<Vec<u64>> = periods
                .iter()
                .map(|p| p.series.iter().map(|x| x.to_bits()).collect())
                .collect();
            format!(
                "{series:?} {:?} {:?}",
                periods.iter().map(|p| &p.component_costs).collect::<Vec<_>>(),
                rep.months
            )
        })
        .collect()
}

#[test]
fn min_equal_to_max_is_the_fixed_count_run_exactly() {
    for mode in [PEAK, FULL] {
        let fixed = load(&scenario(mode, ", instances: 3", ", workers: 2"));
        let scaled = load(&scenario(
            mode,
            ", autoscale: {min: 3, max: 3, metric: cpu, target: 50%, interval: 10s}",
            ", autoscale: {min: 2, max: 2, metric: backlog, target: 1, interval: 7s}",
        ));
        assert_eq!(fingerprint(&fixed), fingerprint(&scaled), "{mode}");
    }
}

#[test]
fn a_scaled_set_changes_the_run() {
    // The same scenario with room to scale is not the fixed run: the test above can fail.
    let fixed = load(&scenario(PEAK, ", instances: 1", ", workers: 1"));
    let scaled = load(&scenario(
        PEAK,
        ", autoscale: {min: 1, max: 6, metric: cpu, target: 50%, interval: 10s, delay: 10s, cooldown: 20s}",
        ", autoscale: {min: 1, max: 6, metric: backlog, target: 1, interval: 10s}",
    ));
    assert_ne!(fingerprint(&fixed), fingerprint(&scaled));
}

/// An engine for `sc`'s stage `s`, started at 0.
fn engine(sc: &Scenario) -> Engine<'_> {
    let st = &sc.stages["s"];
    let infra = Infra::resolve(st, &catalog()).unwrap();
    let cfg = EngineConfig::new(sc, st, &infra);
    Engine::new(sc, cfg, rand::rngs::SmallRng::seed_from_u64(7), 0.0)
}

/// Runs `e` from its clock to `until` in steps of `dt`, calling `f(time, api replicas)` at the
/// start of each step (changes fall on whole seconds, applied by the time a step starts there,
/// so the count holds through the step).
fn step(e: &mut Engine, acc: &mut PeriodAcc, until: f64, dt: f64, mut f: impl FnMut(f64, u32)) {
    while e.now() + dt <= until + 1e-9 {
        let t = e.now();
        f(t, e.replicas()[0].expect("autoscaled"));
        e.run_until(t + dt, acc);
    }
}

const RULE: &str = ", autoscale: {min: 1, max: 10, metric: cpu, target: 70%, interval: 10s, delay: 20s, cooldown: 30s}";

#[test]
fn replicas_rise_to_the_load_within_the_bound_and_replica_seconds_are_their_integral() {
    // 40/s × 20 ms = 0.8 vCPU busy … at 100/s, 2 vCPU: ⌈2 / 0.7⌉ = 3 instances of 1 vCPU.
    let text = scenario(FULL, RULE, ", workers: 1").replace("40/s", "100/s");
    let sc = load(&text);
    let mut e = engine(&sc);
    let mut acc = PeriodAcc::new(&Infra::resolve(&sc.stages["s"], &catalog()).unwrap());
    e.begin_measuring(&mut acc);
    // Two steps of one from 1 to 3, each within interval + delay + cooldown.
    let bound = 2.0 * (10.0 + 20.0 + 30.0);
    let (mut sum, dt) = (0.0, 0.5);
    let mut at_bound = 0;
    step(&mut e, &mut acc, 1800.0, dt, |t, r| {
        sum += r as f64 * dt;
        assert!((1..=10).contains(&r), "{r} at {t}");
        if (t - bound).abs() < 1e-9 {
            at_bound = r;
        }
    });
    assert!(at_bound >= 3, "{at_bound} instances after {bound} s");
    // ∫ replicas dt from a half-second sum: replicas change only at control events, on a
    // grid of whole seconds (interval 10 s, delay 20 s), so the sum is exact.
    let measured = acc.scale.replica_seconds[0];
    assert!((measured - sum).abs() < 1e-6, "{measured} vs {sum}");
    assert!(acc.scale.changes[0] >= 2);
    // Settled near the target: the last ten minutes' mean replicas keep CPU at most ~70 %.
    let mean = acc.mean_replicas(0, 1800.0).unwrap();
    assert!((2.5..=10.0).contains(&mean), "{mean}");
}

#[test]
fn scaling_in_stops_at_min_when_the_load_falls() {
    let high = load(&scenario(FULL, &RULE.replace("min: 1", "min: 2"), ", workers: 1").replace("40/s", "150/s"));
    // The same stage with a CPU burst 20 times shorter: the load falls to 0.15 vCPU.
    let low = load(
        &scenario(FULL, &RULE.replace("min: 1", "min: 2"), ", workers: 1")
            .replace("40/s", "150/s")
            .replace("mean: 20ms", "mean: 1ms"),
    );
    let mut e = engine(&high);
    let infra = Infra::resolve(&high.stages["s"], &catalog()).unwrap();
    let mut acc = PeriodAcc::new(&infra);
    let mut peak = 0;
    step(&mut e, &mut acc, 900.0, 1.0, |_, r| peak = peak.max(r));
    assert!(peak >= 5, "scaled out to {peak}");
    e.reconfigure(EngineConfig::new(&low, &low.stages["s"], &infra), &mut acc);
    let mut last = 0;
    step(&mut e, &mut acc, 2700.0, 1.0, |t, r| {
        assert!((2..=10).contains(&r), "{r} at {t}");
        last = r;
    });
    assert_eq!(last, 2, "back at min");
}

#[test]
fn usage_bills_the_replicas_run() {
    use crate::components::{usage, Period, Volumes};
    let sc = load(&scenario(PEAK, RULE, ", workers: 1"));
    let st = &sc.stages["s"];
    let v = Volumes {
        hours: 10.0,
        requests: 0.0,
        sessions: 0.0,
        jobs: 0.0,
        users: 0.0,
        db_bytes_avg: 0.0,
        db_bytes_end: 0.0,
        replicas: [Some(2.5), Some(4.0)],
    };
    let p = Period {
        scenario: &sc,
        volumes: &v,
        cache_lookups: 0.0,
    };
    let (u, _, count) = usage(&p, st, "api").unwrap();
    assert_eq!(u["instance_hours"], 25.0);
    assert_eq!(count, 2.5);
    let (u, _, _) = usage(&p, st, "queue").unwrap();
    assert_eq!(u["instance_hours"], 40.0);
}

#[test]
fn upgrade_and_add_instances_change_the_queue_workers() {
    // Before: the upgrade was refused (or, earlier, fired and changed nothing) and
    // `add_instances` was API-only.
    let text = scenario(PEAK, "", ", workers: 1")
        + "triggers:\n\
           - {name: w, metric: queue.backlog, above: 5, action: {upgrade: {component: queue, workers: 4}}}\n\
           - {name: a, metric: queue.backlog, above: 5, action: {add_instances: {component: queue, max: 6}}}\n";
    let sc = load(&text);
    let mut st = sc.stages["s"].clone();
    let crate::scenario::Action::Upgrade(up) = &sc.triggers[0].action else {
        panic!()
    };
    crate::infra::apply_upgrade(&mut st, up);
    assert_eq!(st.queue.as_ref().unwrap().workers, 4);
    assert_eq!(Infra::resolve(&st, &catalog()).unwrap().queue_slots, 8);
    let msg = crate::infra::add_instances(&mut st, "queue", 1, 6);
    assert_eq!(msg.as_deref(), Some("queue: 4 → 5 workers"));
    assert_eq!(
        crate::infra::add_instances(&mut st, "queue", 9, 6).as_deref(),
        Some("queue: 5 → 6 workers")
    );
    assert_eq!(crate::infra::add_instances(&mut st, "queue", 1, 6), None);
}

#[test]
fn bad_rules_are_located_errors() {
    let cases = [
        (
            ", autoscale: {min: 1, max: 4, metric: backlog, target: 3}",
            "",
            "stages.s.api.autoscale.metric",
            "cpu",
        ),
        (
            ", autoscale: {min: 1, max: 4, metric: cpu, target: 70}",
            "",
            "stages.s.api.autoscale.target",
            "did you mean `70%`",
        ),
        (
            ", autoscale: {min: 3, max: 2, metric: cpu, target: 70%}",
            "",
            "stages.s.api.autoscale.max",
            "below `min`",
        ),
        (
            ", autoscale: {min: 0, max: 2, metric: cpu, target: 70%}",
            "",
            "stages.s.api.autoscale.min",
            "at least one",
        ),
        (
            ", instances: 2, autoscale: {min: 1, max: 2, metric: cpu, target: 70%}",
            "",
            "stages.s.api.instances",
            "remove `instances`",
        ),
        (
            ", max_instances: 5, autoscale: {min: 1, max: 2, metric: cpu, target: 70%}",
            "",
            "stages.s.api.max_instances",
            "autoscale.max",
        ),
        (
            ", autoscale: {min: 1, max: 2, metric: cpu, target: 70%, interval: 0s}",
            "",
            "stages.s.api.autoscale.interval",
            "outside",
        ),
        (
            ", autoscale: {min: 1, max: 2, metric: cpu, target: 70%, step: 0}",
            "",
            "stages.s.api.autoscale.step",
            "step",
        ),
        (
            "",
            ", autoscale: {min: 1, max: 4, metric: job_wait, target: 30}",
            "stages.s.queue.autoscale.target",
            "unit",
        ),
        (
            "",
            ", autoscale: {min: 1, max: 4, metric: cpu, target: 70%}",
            "stages.s.queue.autoscale.metric",
            "backlog",
        ),
        (
            "",
            ", autoscale: {min: 1, max: 600000, metric: backlog, target: 2}",
            "stages.s.queue.autoscale.max",
            "servers",
        ),
        (
            "",
            ", autoscale: {min: 1, max: 4, metric: backlog, target: 2, warm: 1}",
            "autoscale",
            "warm",
        ),
    ];
    for (api, queue, field, says) in cases {
        let e = load_err(&scenario(PEAK, api, queue));
        assert!(
            e.contains("a.yaml:") && e.contains(field) && e.contains(says),
            "{api}{queue}: {e}"
        );
    }
}
