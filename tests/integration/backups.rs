//! Backups: billed as full copies held, RTO = size / restore rate at each period's end, and a
//! trigger on `database.rto` fires on the first period whose end size exceeds objective × rate.

use crate::common::run_text;

fn scenario(trigger: &str) -> String {
    format!(
        "name: backups\nstage: only\nseed: 1\nreplications: 1\nhorizon: 20d\nresolution: 1d\n\
         simulation: {{mode: peak_window, window: 10m, warmup: 1m}}\ntraffic: {{arrival_rate: 1/s}}\n\
         requests:\n  write: {{share: 100%, cpu: 1ms, db_queries: 1}}\n\
         storage: {{database: {{initial: 100MB, records: {{row: {{size: 1KB, per_request: {{write: 1}}}}}}}}}}\n\
         stages:\n  only:\n    api: {{instances: 1, vcpu: 1, workers: 4}}\n\
         \x20   database: {{connections: 5, query_time: 1ms}}\n\
         \x20   backups: {{provider: cloudflare_r2, plan: standard, daily: {{keep: 7d}}, weekly: {{keep: 30d}},\n\
         \x20             restore_rate: 1MB/s}}\n\
         triggers:\n  - {trigger}\n"
    )
}

#[test]
fn rto_is_size_over_rate_and_its_trigger_fires_when_the_size_first_passes_objective_times_rate() {
    // 86.4 MB a day on 100 MB: 15 min at 1 MB/s is 900 MB, first passed at the end of day 10.
    let r = run_text(&scenario(
        "{name: RTO > 15 min, metric: database.rto, above: 15m, action: flag}",
    ));
    let sizes: Vec<f64> = (0..r.periods.len()).map(|p| r.value(p, "db_size").mean).collect();
    let first = sizes
        .iter()
        .position(|s| *s > 900.0 * 1e6)
        .expect("the database passes 900 MB");
    let t = &r.triggers[0];
    assert_eq!(t.fired_in, 1);
    let (_, end) = (r.periods[first].start_seconds, r.periods[first].end_seconds);
    assert_eq!(t.first_fire.mean, end, "fires at the end of period {first}");
    assert_eq!(t.value_at_fire.mean, sizes[first] / 1e6, "RTO = size / rate exactly");
    assert!(sizes[first - 1] / 1e6 <= 900.0);
}

#[test]
fn rpo_is_the_backup_interval_and_the_copies_are_billed_as_storage() {
    let r = run_text(&scenario(
        "{name: RPO > 2 h, metric: database.rpo, above: 2h, action: flag}",
    ));
    let t = &r.triggers[0];
    assert_eq!(t.value_at_fire.mean, 86_400.0, "daily backups: RPO 1 day");
    assert_eq!(t.first_fire.mean, r.periods[0].end_seconds);
    // 7 daily + 4 weekly full copies of the database, at R2's $0.015 per GB-month over 10 GB.
    let m = &r.months[0].example;
    let line = serde_json::to_string(m).unwrap();
    assert!(line.contains("backups"), "{line}");
    assert!(r.months[0]
        .components
        .iter()
        .any(|(c, s)| c == "backups" && s.mean > 0.0));
}

#[test]
fn the_rto_and_rpo_series_follow_the_size_and_the_rto_trigger_fires_where_the_series_passes_it() {
    let r = run_text(&scenario(
        "{name: RTO > 15 min, metric: database.rto, above: 15m, action: flag}",
    ));
    let rto: Vec<f64> = (0..r.periods.len()).map(|p| r.value(p, "database_rto").mean).collect();
    for (p, v) in rto.iter().enumerate() {
        // By hand: size at the period's end ÷ 1 MB/s, no start-up; RPO the daily interval.
        assert_eq!(*v, r.value(p, "db_size").mean / 1e6, "period {p}");
        assert_eq!(r.value(p, "database_rpo").mean, 86_400.0, "period {p}");
    }
    let first = rto.iter().position(|v| *v > 900.0).expect("RTO passes 15 min");
    let t = &r.triggers[0];
    assert_eq!(t.first_fire.mean, r.periods[first].end_seconds);
    assert_eq!(t.value_at_fire.mean, rto[first]);
    // The chart draws both with the objective.
    let files = capsim::report::render_all(&r);
    let svg = files.iter().find(|f| f.0 == "recovery.svg").expect("recovery.svg");
    let svg = String::from_utf8_lossy(&svg.1);
    assert!(
        svg.contains("trigger RTO &gt; 15 min (15.0 min)") || svg.contains("trigger RTO > 15 min (15.0 min)"),
        "{svg}"
    );
    // Without backups: no figure, no chart, and the trigger metric cannot be named.
    let none = run_text(
        &scenario("{name: big, metric: database.size, above: 1TB, action: flag}")
            .replace("    backups: {provider: cloudflare_r2, plan: standard, daily: {keep: 7d}, weekly: {keep: 30d},\n              restore_rate: 1MB/s}\n", ""),
    );
    assert!(
        none.months[0].components.iter().all(|(c, _)| c != "backups"),
        "backups removed"
    );
    for p in 0..none.periods.len() {
        assert!(none.value(p, "database_rto").mean.is_nan() && none.value(p, "database_rpo").mean.is_nan());
    }
    assert!(capsim::report::render_all(&none).iter().all(|f| f.0 != "recovery.svg"));
}
