use super::*;
use crate::engine::PeriodAcc;
use crate::infra::Infra;
use crate::scenario::Scenario;

/// Two stages: `small` (1 API instance) and `big` (3).
fn scenario() -> Scenario {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.yaml");
    let text = "name: t\nstage: small\nhorizon: 1d\nresolution: 1h\ntraffic: {arrival_rate: 1/s}\n\
         requests: {r: {share: 100%, cpu: {dist: exponential, mean: 10ms}}}\n\
         stages: {small: {api: {vcpu: 1, workers: 2}}, big: {api: {vcpu: 1, workers: 2, instances: 3}}}\n";
    std::fs::write(&p, text).unwrap();
    let pricing = crate::pricing::CatalogSource::builtin();
    crate::scenario::load(&p, Some(&pricing))
        .unwrap_or_else(|e| panic!("{e}"))
        .0
}

fn trigger(above: bool, threshold: f64, sustained_periods: u32, cooldown: f64, action: Action) -> Trigger {
    Trigger {
        name: "t".into(),
        metric: Metric::Users,
        components: Vec::new(),
        above,
        threshold,
        percentile: 95.0,
        sustained_periods,
        sustained: 0.0,
        action,
        cooldown,
        plan_says: None,
    }
}

fn add(count: u32, max: u32) -> Action {
    Action::AddInstances {
        component: "api".into(),
        count,
        max,
    }
}

/// Feeds `values` (one per hour-long period) to trigger `t` and returns the periods in
/// which its action was due.
fn due(t: &Trigger, values: &[f64]) -> (Vec<usize>, TriggerState) {
    let mut st = TriggerState::new(1);
    let mut out = Vec::new();
    for (p, v) in values.iter().enumerate() {
        let end = (p + 1) as f64 * 3600.0;
        if st.observe(0, t, *v, end) {
            out.push(p);
            // A flag always acts: the firing resets the streak.
            let mut stage = scenario().stages["small"].clone();
            st.act(0, t, &scenario(), &mut stage, end).unwrap();
        }
    }
    (out, st)
}

#[test]
fn sustained_needs_consecutive_periods_and_a_gap_restarts_the_count() {
    let t = trigger(true, 10.0, 3, 0.0, Action::Flag);
    let (fired, st) = due(&t, &[11.0, 12.0, 9.0, 11.0, 11.0, 11.0, 11.0]);
    // Held in periods 0, 1 (broken by 2), then 3, 4, 5: due at 5; a flag fires only once.
    assert_eq!(fired, vec![5]);
    assert_eq!(st.held, vec![6]);
    assert_eq!(st.peak, vec![12.0]);
}

#[test]
fn no_data_never_holds_and_breaks_a_streak() {
    let t = trigger(true, 10.0, 2, 0.0, Action::Flag);
    let (fired, st) = due(&t, &[11.0, f64::NAN, 11.0, f64::INFINITY, 11.0, 11.0]);
    assert_eq!(fired, vec![5]);
    assert_eq!(st.held, vec![4]);
    assert_eq!(st.peak, vec![11.0]);
    let (fired, st) = due(&t, &[f64::NAN; 4]);
    assert!(fired.is_empty());
    assert!(st.peak[0].is_nan());
}

#[test]
fn below_compares_the_other_way_and_tracks_the_smallest_value() {
    let t = trigger(false, 5.0, 1, 0.0, Action::Flag);
    let (fired, st) = due(&t, &[6.0, 5.0, 4.0, 3.0, 7.0]);
    // 5 is not below 5.
    assert_eq!(fired, vec![2]);
    assert_eq!(st.held, vec![2]);
    assert_eq!(st.peak, vec![3.0]);
}

#[test]
fn a_repeatable_action_waits_for_its_cooldown_and_a_fresh_streak() {
    // Due every period the condition holds twice in a row, at least 3 h after the last.
    let t = trigger(true, 0.0, 2, 3.0 * 3600.0, add(1, 100));
    let (fired, _) = due(&t, &[1.0; 12]);
    // Period p ends at (p + 1) h: 1 (2 h), then the streak restarts; 4 (5 h ≥ 2 h + 3 h),
    // 7, 10.
    assert_eq!(fired, vec![1, 4, 7, 10]);
    // Without cooldown, every second period.
    let t = trigger(true, 0.0, 2, 0.0, add(1, 100));
    assert_eq!(due(&t, &[1.0; 6]).0, vec![1, 3, 5]);
}

#[test]
fn actions_other_than_adding_instances_fire_once() {
    let sc = scenario();
    for action in [Action::Flag, Action::SwitchStage("big".into())] {
        let t = trigger(true, 0.0, 1, 0.0, action);
        let mut st = TriggerState::new(1);
        let mut stage = sc.stages["small"].clone();
        assert!(st.observe(0, &t, 1.0, 3600.0));
        assert!(st.act(0, &t, &sc, &mut stage, 3600.0).is_some());
        for p in 2..10 {
            assert!(!st.observe(0, &t, 1.0, p as f64 * 3600.0));
        }
        assert_eq!(st.held, vec![9]);
    }
}

#[test]
fn adding_instances_stops_at_the_maximum() {
    let sc = scenario();
    let t = trigger(true, 0.0, 1, 0.0, add(2, 4));
    let mut st = TriggerState::new(1);
    let mut stage = sc.stages["small"].clone();
    let mut effects = Vec::new();
    for p in 1..6 {
        let end = p as f64 * 3600.0;
        if st.observe(0, &t, 1.0, end) {
            effects.push(st.act(0, &t, &sc, &mut stage, end));
        }
    }
    assert_eq!(stage.api.instances, 4);
    // 1 → 3 → 4, then nothing left to add: not a firing.
    assert_eq!(effects.iter().filter(|e| e.is_some()).count(), 2);
    assert_eq!(effects.len(), 5);

    // A first attempt at the maximum is a firing that says so.
    let mut st = TriggerState::new(1);
    let mut stage = sc.stages["big"].clone();
    let t = trigger(true, 0.0, 1, 0.0, add(1, 3));
    assert!(st.observe(0, &t, 1.0, 3600.0));
    let effect = st.act(0, &t, &sc, &mut stage, 3600.0).unwrap();
    assert!(effect.contains("maximum of 3"), "{effect}");
    assert!(st.observe(0, &t, 1.0, 7200.0));
    assert_eq!(st.act(0, &t, &sc, &mut stage, 7200.0), None);
}

#[test]
fn switching_stage_replaces_the_stage() {
    let sc = scenario();
    let t = trigger(true, 0.0, 1, 0.0, Action::SwitchStage("big".into()));
    let mut st = TriggerState::new(1);
    let mut stage = sc.stages["small"].clone();
    assert!(st.observe(0, &t, 1.0, 3600.0));
    assert_eq!(
        st.act(0, &t, &sc, &mut stage, 3600.0).unwrap(),
        "switched to stage `big`"
    );
    assert_eq!(stage.name, "big");
    assert_eq!(stage.api.instances, 3);
}

#[test]
fn values_come_from_the_row_costs_and_stage() {
    let sc = scenario();
    let stage = sc.stages["small"].clone();
    let catalog = crate::pricing::Catalog::builtin().unwrap();
    let (infra, _) = Infra::resolve_lenient(&stage, &catalog);
    let acc = PeriodAcc::new(&infra);
    let mut row = [f64::NAN; s::N];
    row[s::USERS] = 42.0;
    row[s::COST] = 30.0;
    let components = vec!["api".to_string(), "database".to_string()];
    let costs = [10.0, 20.0];
    let o = Observed {
        row: &row,
        components: &components,
        costs: &costs,
        acc: &acc,
        longest_scheduled_run: f64::NAN,
        batch_drain_peak: f64::NAN,
    };
    let mut t = trigger(true, 0.0, 1, 0.0, Action::Flag);
    assert_eq!(value(&t, &o, &stage), 42.0);
    t.metric = Metric::MonthlyCost;
    assert_eq!(value(&t, &o, &stage), 30.0);
    t.components = vec!["database".into()];
    assert_eq!(value(&t, &o, &stage), 20.0);
    // The period's instances as the row has them (autoscaled: their time average).
    t.metric = Metric::ApiInstances;
    assert!(value(&t, &o, &stage).is_nan());
    row[s::INSTANCES] = 2.5;
    let o = Observed {
        row: &row,
        components: &components,
        costs: &costs,
        acc: &acc,
        longest_scheduled_run: f64::NAN,
        batch_drain_peak: f64::NAN,
    };
    assert_eq!(value(&t, &o, &stage), 2.5);
    // A percentile on fewer than MIN_PERCENTILE_SAMPLES observations has no value.
    t.metric = Metric::Latency;
    assert!(value(&t, &o, &stage).is_nan());
}
