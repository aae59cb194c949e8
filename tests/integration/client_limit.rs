//! The per-client rate limit (`client_limit:`): against theory, and its invariants.
//!
//! Theory: Poisson arrivals at λ split evenly over n clients give each client, in each fixed
//! window of length w, N ~ Poisson(λw/n) requests, independently from window to window and
//! client to client. A limit of L per window rejects (N − L)⁺ of them, so the rejected share
//! is E[(N − L)⁺] / E[N].

use crate::common::{run_text, write};
use statrs::distribution::{Discrete, Poisson};

/// An API that never queues (1 ms of CPU, 64 workers on 64 vCPU), open Poisson traffic.
fn scenario(rate: &str, limit: &str, horizon: &str, replications: u32) -> String {
    format!(
        "name: client limit\nstage: only\nseed: 11\nreplications: {replications}\nhorizon: {horizon}\n\
         resolution: {horizon}\nsimulation: {{mode: full, warmup: 0s}}\ntraffic: {{arrival_rate: {rate}}}\n\
         requests:\n  get: {{share: 100%, cpu: 1ms}}\n\
         stages:\n  only:\n    api: {{instances: 1, vcpu: 64, workers: 64}}\n{limit}"
    )
}

/// E[(N − L)⁺], E[(X − p N)²] for N ~ Poisson(mean), X = (N − L)⁺, p = E[X] / E[N].
fn theory(mean: f64, limit: u64) -> (f64, f64) {
    let pois = Poisson::new(mean).unwrap();
    let top = (mean + 40.0 * mean.sqrt() + 50.0) as u64;
    let over: f64 = (limit + 1..=top).map(|k| (k - limit) as f64 * pois.pmf(k)).sum();
    let p = over / mean;
    let var: f64 = (0..=top)
        .map(|k| {
            let x = k.saturating_sub(limit) as f64 - p * k as f64;
            x * x * pois.pmf(k)
        })
        .sum();
    (p, var)
}

#[test]
fn the_rejected_share_is_the_poisson_overflow_of_each_client_window() {
    // 20/s over 10 clients, 120 per client per 1-minute window on average, limit 120.
    let (lambda, n, w, limit) = (20.0, 10.0, 60.0, 120u64);
    let (horizon_s, reps) = (6.0 * 3600.0, 4.0);
    let text = scenario(
        "20/s",
        "    client_limit: {requests: 120, per: 1m, clients: 10, share: uniform}\n",
        "6h",
        reps as u32,
    );
    let r = run_text(&text);
    let mean = lambda * w / n;
    let (p, var) = theory(mean, limit);
    // The ratio estimator over m client-windows: sd ≈ √(Var(X − pN) / m) / E[N].
    let m = n * horizon_s / w * reps;
    let sd = (var / m).sqrt() / mean;
    let got = r.value(0, "client_rejected_rate").mean;
    assert!(p > 0.03 && p < 0.04, "theory {p}");
    eprintln!("rejected share: simulated {got}, theory {p}, sd {sd}");
    assert!((got - p).abs() < 5.0 * sd, "simulated {got}, theory {p} ± {sd} (5 sd)");
    // Counted, not errors: the error rate is over the admitted requests.
    assert_eq!(r.value(0, "error_rate").mean, 0.0);
    let rejected = r.value(0, "client_rejected").mean;
    let offered = r.value(0, "busy_rps").mean * horizon_s;
    assert!(
        (rejected / offered - got).abs() < 1e-3,
        "{rejected} / {offered} vs {got}"
    );
}

#[test]
fn a_limit_no_client_can_reach_changes_nothing_else() {
    let without = run_text(&scenario("5/s", "", "2h", 2));
    // 5/s is at most a few hundred a minute: a billion per minute never binds.
    let with = run_text(&scenario(
        "5/s",
        "    client_limit: {requests: 1B, per: 1m, clients: 1000, share: {zipf: 1.2}}\n",
        "2h",
        2,
    ));
    let (a, b) = (&without.periods[0].series, &with.periods[0].series);
    for (k, (x, y)) in a.iter().zip(b).enumerate() {
        let name = capsim::results::SERIES[k].0;
        if name.starts_with("client_rejected") {
            assert!(x.mean.is_nan(), "{name}: no limit, no figure");
            assert_eq!(y.mean, 0.0, "{name}");
        } else {
            let (x, y) = (serde_json::to_string(x).unwrap(), serde_json::to_string(y).unwrap());
            assert_eq!(x, y, "{name}: identical, bit for bit");
        }
    }
    assert_eq!(
        serde_json::to_string(&without.months).unwrap(),
        serde_json::to_string(&with.months).unwrap()
    );
}

#[test]
fn rejected_plus_admitted_is_every_arrival_and_more_clients_never_reject_more() {
    let mut last = f64::INFINITY;
    for clients in [1, 2, 5, 20] {
        let r = run_text(&scenario(
            "4/s",
            &format!("    client_limit: {{requests: 60, per: 1m, clients: {clients}}}\n"),
            "2h",
            2,
        ));
        let rate = r.value(0, "client_rejected_rate").mean;
        let rejected = r.value(0, "client_rejected").mean;
        let offered = r.value(0, "busy_rps").mean * 7200.0;
        let admitted = offered - rejected;
        // Admitted requests pass through the API: its arrivals are the rest.
        let api = r
            .stations
            .iter()
            .find(|s| s.station.contains("api"))
            .expect("api station");
        assert!(
            (api.arrival_rate * 7200.0 - admitted).abs() < 1e-6 * offered,
            "{clients} clients"
        );
        assert!(
            rate <= last + 1e-12,
            "{clients} clients reject {rate}, fewer rejected {last}"
        );
        last = rate;
    }
    // One client at 4/s = 240 a minute, limit 60: three quarters rejected, to sampling error.
    let one = run_text(&scenario(
        "4/s",
        "    client_limit: {requests: 60, per: 1m, clients: 1}\n",
        "2h",
        2,
    ));
    assert!((one.value(0, "client_rejected_rate").mean - 0.75).abs() < 0.01);
}

#[test]
fn a_heaviest_client_alone_is_limited() {
    // 10/s, 600 a minute; the heaviest sends 30 % = 180 a minute over a limit of 120: a third
    // of its requests, 10 % of all, are rejected; the 99 others send ~4 a minute.
    let r = run_text(&scenario(
        "10/s",
        "    client_limit: {requests: 120, per: 1m, clients: 100, share: {heaviest: 30%}}\n",
        "2h",
        2,
    ));
    let (p, _) = theory(180.0, 120);
    let got = r.value(0, "client_rejected_rate").mean;
    assert!((got - p * 0.3).abs() < 0.01, "{got} vs {}", p * 0.3);
}

#[test]
fn bad_values_are_located_and_absurd_client_counts_refused_with_the_memory_they_would_take() {
    let dir = tempfile::tempdir().unwrap();
    for (block, field, says) in [
        ("{requests: 0, per: 1m, clients: 10}", "client_limit.requests", "from 1"),
        (
            "{requests: 10, per: 0s, clients: 10}",
            "client_limit.per",
            "from 1s to 1d",
        ),
        (
            "{requests: 10, per: 1m, clients: 2.5}",
            "client_limit.clients",
            "whole number",
        ),
        (
            "{requests: 10, per: 1m, clients: 50M}",
            "client_limit.clients",
            "800.0 MB per replication thread",
        ),
        (
            "{requests: 10, per: 1m, clients: 10, share: pareto}",
            "client_limit.share",
            "uniform",
        ),
        (
            "{requests: 10, per: 1m, clients: 10, share: {zipf: 20}}",
            "client_limit.share.zipf",
            "0 to 10",
        ),
        (
            "{requests: 10, per: 1m, clients: 1, share: {heaviest: 20%}}",
            "client_limit.share.heaviest",
            "2 or more",
        ),
        (
            "{requests: 10, per: 1m, clients: 10, share: {heaviest: 120%}}",
            "client_limit.share.heaviest",
            "100 %",
        ),
        (
            "{requests: 10, per: 1m, clients: 10, burst: 5}",
            "burst",
            "unknown field",
        ),
    ] {
        let text = scenario("1/s", &format!("    client_limit: {block}\n"), "1h", 1);
        let p = write(dir.path(), "s.yaml", &text);
        let out = crate::common::capsim().arg("check").arg(&p).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{block}: {err}");
        assert!(err.contains(field) && err.contains(says), "{block}: {err}");
        assert!(err.contains("s.yaml:"), "located at a line: {err}");
    }
}

#[test]
fn rejections_reach_every_report_a_trigger_and_an_objective() {
    let dir = tempfile::tempdir().unwrap();
    // One client at 4/s against 60 a minute: three quarters rejected.
    let text = scenario(
        "4/s",
        "    client_limit: {requests: 60, per: 1m, clients: 1}\n",
        "2h",
        2,
    ) + "slo: {client_rejected: 1%}\n\
           triggers:\n  - {name: 429s, metric: client_limit.rejected, above: 50%, action: flag}\n";
    let p = write(dir.path(), "s.yaml", &text);
    let out = dir.path().join("report");
    let o = crate::common::capsim()
        .args(["run", p.to_str().unwrap(), "--quiet", "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap();
    let md = read("summary.md");
    assert!(md.contains("## Per-client rate limit"), "{md}");
    assert!(md.contains("Not counted in the error rate"), "{md}");
    assert!(read("report.html").contains("id=\"client-limit\""));
    let csv = read("timeseries.csv");
    assert!(csv.lines().next().unwrap().contains("client_rejected_rate"));
    let json: serde_json::Value = serde_json::from_str(&read("summary.json")).unwrap();
    let c = &json["client_limit"];
    assert_eq!(c["in_error_rate"], false);
    let worst = c["worst_rate"]["mean"].as_f64().unwrap();
    assert!((worst - 0.75).abs() < 0.01, "{c}");
    let slo = json["checks"]["slo"].as_array().unwrap();
    let check = slo
        .iter()
        .find(|c| c["id"] == "slo.client_rejected")
        .expect("the objective is checked");
    assert_eq!(check["verdict"], "breached", "{check}");
    let t = &json["triggers"]["429s"];
    assert_eq!(t["fired_in"], 2, "{t}");

    // Without a limit the report says nothing of one.
    let p = write(dir.path(), "s.yaml", &scenario("4/s", "", "2h", 1));
    let out2 = dir.path().join("report2");
    crate::common::capsim()
        .args(["run", p.to_str().unwrap(), "--quiet", "--out", out2.to_str().unwrap()])
        .assert()
        .success();
    let md = std::fs::read_to_string(out2.join("summary.md")).unwrap();
    assert!(!md.contains("Per-client"));
}

#[test]
fn the_readme_example_loads_and_runs() {
    let yaml = &crate::common::readme_yaml("### Per-client rate limits");
    let (stages, rest) = yaml.split_at(yaml.find("slo:").unwrap());
    let limit = stages.replace("stages:\n  prod:\n", "");
    // 10/s: the heaviest client sends 2/s = 120 a minute, far below 2,000: nothing rejected.
    let text = scenario("10/s", &limit, "1h", 1) + rest;
    let r = run_text(&text);
    let c = r.client_limit.as_ref().expect("the limit is reported");
    assert!(c.limits[0]
        .limit
        .contains("2,000 requests a minute per client, 5,000 clients"));
    assert_eq!(c.limits[0].heaviest_share, 0.2);
    assert_eq!(r.value(0, "client_rejected").mean, 0.0);
    assert!(r.checks.slo.iter().any(|k| k.id == "slo.client_rejected" && k.ok()));
    assert_eq!(r.triggers[0].fired_in, 0);
}

#[test]
fn session_traffic_is_limited_per_session_client_and_the_same_on_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    // 20,000 users × 14 sessions a week × 20 requests: ~9.3 requests/s, each session one
    // client's among 4 (Zipf): the first sends ~48 %, ~270 a minute, over a limit of 200.
    let text = "name: sessions\nstage: only\nseed: 5\nreplications: 3\nhorizon: 2d\nresolution: 1d\n\
         simulation: {mode: peak_window, window: 20m, warmup: 5m}\n\
         traffic:\n  users: {growth: constant, users: 20000}\n  sessions_per_user_per_week: 14\n\
         \x20 requests_per_session: 20\n  think_time: {dist: exponential, mean: 5s}\n\
         requests:\n  get: {share: 100%, cpu: 1ms}\n\
         stages:\n  only:\n    api: {instances: 1, vcpu: 64, workers: 64}\n\
         \x20   client_limit: {requests: 200, per: 1m, clients: 4, share: {zipf: 1}}\n";
    let p = write(dir.path(), "s.yaml", text);
    let run = |threads: &str| {
        let out = dir.path().join(format!("r{threads}"));
        crate::common::capsim()
            .args([
                "run",
                p.to_str().unwrap(),
                "--quiet",
                "-j",
                threads,
                "--out",
                out.to_str().unwrap(),
            ])
            .assert()
            .success();
        (
            std::fs::read(out.join("summary.json")).unwrap(),
            std::fs::read(out.join("timeseries.csv")).unwrap(),
        )
    };
    let one = run("1");
    assert!(one == run("2"), "byte-identical on one and two threads");
    let json: serde_json::Value = serde_json::from_slice(&one.0).unwrap();
    let rate = json["client_limit"]["worst_rate"]["mean"].as_f64().unwrap();
    // Sessions are not independent requests, so no closed form: it binds, on the first client only.
    assert!(rate > 0.0 && rate < 0.48, "{rate}");
}
