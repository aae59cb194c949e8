//! The long-horizon approximation against full request-level simulation, on a horizon where
//! both run: 7 days of a session workload at ~60 % CPU in the evening peak.
//!
//! `peak_window` simulates only each day's busiest hour (from a steady-state start); `full`
//! simulates every request of the week. The peak window is compared with the busiest hour of
//! each evening in the full run: sessions last ~25 minutes, so the first peak hour (19:00) is
//! still ramping up in reality and the steady peak is reached from 20:00. The README quotes the
//! differences this test prints (`cargo test --release --test integration approximation -- --nocapture`).

use crate::common::run_text;

fn scenario(mode: &str) -> String {
    let sim = match mode {
        "full" => "simulation: {mode: full, warmup: 1h}\nresolution: 1h\n",
        _ => "simulation: {mode: peak_window, window: 1h, warmup: 5m}\nresolution: 1d\n",
    };
    format!(
        "name: approximation check\nstage: s\nseed: 21\nreplications: 6\nhorizon: 7d\n{sim}\
         traffic:\n  users: {{users: 20000}}\n  sessions_per_user_per_week: 2\n  requests_per_session: 50\n  \
         think_time: {{dist: exponential, mean: 30s}}\n  daily_shape: {{peak_factor: 3, peak_hours: 19-22}}\n\
         requests:\n  a: {{share: 80%, cpu: {{dist: lognormal, p50: 12ms, p95: 45ms}}, db_queries: 2}}\n  \
         b: {{share: 20%, cpu: {{dist: lognormal, p50: 30ms, p95: 120ms}}, db_queries: 4}}\n\
         stages:\n  s:\n    api: {{vcpu: 0.5, workers: 4}}\n    database: {{connections: 5, query_time: {{dist: lognormal, p50: 2ms, p95: 12ms}}}}\n"
    )
}

#[test]
fn peak_window_agrees_with_full_simulation_on_the_busy_hour() {
    let peak = run_text(&scenario("peak"));
    let full = run_text(&scenario("full"));
    let mut report = Vec::new();
    // The busiest hour of each evening in the full run.
    let busiest: Vec<usize> = (0..7)
        .map(|d| {
            (19..22)
                .map(|h| d * 24 + h)
                .max_by(|a, b| {
                    full.value(*a, "busy_rps")
                        .mean
                        .total_cmp(&full.value(*b, "busy_rps").mean)
                })
                .unwrap()
        })
        .collect();
    let first_hour: f64 = (0..7).map(|d| full.value(d * 24 + 19, "busy_rps").mean).sum::<f64>() / 7.0;
    report.push(format!(
        "full simulation, first peak hour (19:00) busy_rps {first_hour:.3} (sessions still ramping up)"
    ));
    for (name, tolerance) in [
        ("busy_rps", 0.03),
        ("api_cpu", 0.05),
        ("latency_p50", 0.05),
        ("latency_p95", 0.10),
        ("sessions_mean", 0.05),
    ] {
        // Average over the 7 evenings of each mode's busy-hour figure.
        let p: f64 = (0..7).map(|d| peak.value(d, name).mean).sum::<f64>() / 7.0;
        let f: f64 = busiest.iter().map(|p| full.value(*p, name).mean).sum::<f64>() / 7.0;
        let diff = p / f - 1.0;
        report.push(format!(
            "{name}: peak_window {p:.5}, full {f:.5}, difference {:+.2}%",
            diff * 100.0
        ));
        assert!(
            diff.abs() <= tolerance,
            "{name}: peak_window {p} vs full {f} ({:+.1}%)",
            diff * 100.0
        );
    }
    eprintln!("{}", report.join("\n"));
}
