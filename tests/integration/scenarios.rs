//! The shipped scenarios end to end through the CLI, and triggers whose firing time is known.
use crate::common::{capsim, run_text};
use predicates::prelude::*;

fn run_shipped(name: &str, reps: &str) -> (tempfile::TempDir, std::path::PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(name);
    let assert = capsim()
        .args([
            "run",
            &format!("scenarios/{name}.yaml"),
            "--replications",
            reps,
            "--out",
            out.to_str().unwrap(),
        ])
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    (dir, out, stdout)
}

fn read(p: &std::path::Path, f: &str) -> String {
    std::fs::read_to_string(p.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"))
}

#[test]
fn beta_writes_the_whole_report() {
    let (_d, out, stdout) = run_shipped("beta", "4");
    for f in [
        "summary.md",
        "report.html",
        "costs.csv",
        "timeseries.csv",
        "triggers.csv",
        "summary.json",
    ] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    assert!(
        stdout.contains("Scaling triggers:") && stdout.contains("Monthly cost"),
        "{stdout}"
    );
    let md = read(&out, "summary.md");
    // The plan's own figures appear next to capsim's.
    assert!(md.contains("$176.00"), "plan total missing");
    assert!(
        md.contains("| 5 GB |"),
        "plan DB size missing, as the scenario wrote it (5GB)"
    );
    assert!(
        md.contains("Railway CPU > 70% sustained")
            && md.contains("Database connections > 50")
            && md.contains("Qdrant latency > 100ms p95")
    );
    // Every cost line shows its arithmetic.
    let costs = read(&out, "costs.csv");
    assert!(costs.lines().next().unwrap().contains("arithmetic"));
    assert!(
        costs.contains("$0.01344/h × 730 h"),
        "Supabase Micro compute line: {costs}"
    );
    let json: serde_json::Value = serde_json::from_str(&read(&out, "summary.json")).unwrap();
    assert_eq!(json["scenario"]["replications"], 4);
    assert_eq!(json["periods"], 60);
    assert_eq!(json["schema_version"], 2);
    let ts = read(&out, "timeseries.csv");
    assert_eq!(ts.lines().count(), 61);
    assert!(ts.lines().next().unwrap().contains("latency_p95_mean"));
}

#[test]
fn every_learnr_milestone_runs() {
    for (name, plan_total) in [("mvp", "$8.00"), ("ga", "$1,140.00"), ("aws", "$4,000.00")] {
        let (_d, out, _) = run_shipped(name, "2");
        let md = read(&out, "summary.md");
        assert!(md.contains(plan_total), "{name}: plan total {plan_total} missing");
        assert!(md.contains("## Scaling triggers"), "{name}");
    }
}

#[test]
fn aws_reproduces_the_plans_traffic_arithmetic() {
    let (_d, out, _) = run_shipped("aws", "2");
    let json: serde_json::Value = serde_json::from_str(&read(&out, "summary.json")).unwrap();
    let cmp = json["checks"]["plan_comparisons"].as_array().unwrap();
    let find = |what: &str| {
        cmp.iter()
            .find(|c| c["what"].as_str().unwrap().starts_with(what))
            .unwrap_or_else(|| panic!("{what}"))
    };
    // 10,000 users × 2 sessions × 50 requests / 7 days = 142,857 requests a day; peak 3× = 4.96/s.
    assert_eq!(find("requests per day")["agrees"], true);
    assert_eq!(find("peak requests per second")["agrees"], true);
    assert_eq!(
        find("database size")["agrees"],
        true,
        "25 GB after 60 days at 2.5 MB per user"
    );
}

#[test]
fn validate_accepts_all_shipped_scenarios() {
    capsim()
        .args([
            "validate",
            "scenarios/mvp.yaml",
            "scenarios/beta.yaml",
            "scenarios/ga.yaml",
            "scenarios/aws.yaml",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("ok").count(4));
}

/// 100 users write 1,000 records of 1 KB a day each: 100 MB a day from an empty database.
/// A 450 MB threshold is crossed at the end of day 5 in every replication, and the upgrade
/// from Supabase Free to Pro raises the monthly cost.
#[test]
fn database_size_trigger_fires_on_the_right_day_and_changes_cost() {
    let r = run_text(
        "name: t\nstage: s\nseed: 3\nreplications: 4\nhorizon: 10d\nresolution: 1d\n\
         traffic: {users: {users: 100}, sessions_per_user_per_week: 7, requests_per_session: 5, think_time: 10s}\n\
         requests: {r: {share: 100%, cpu: 5ms, db_queries: 1}}\n\
         storage: {database: {records: {row: {size: 1KB, per_user_per_day: 1000}}}}\n\
         stages: {s: {api: {vcpu: 1, workers: 4}, database: {provider: supabase, plan: free, connections: 5, query_time: 2ms}}}\n\
         triggers:\n  - {name: big, metric: database.size, above: 450MB, action: {upgrade: {component: database, plan: pro}}}\n",
    );
    let t = &r.triggers[0];
    assert_eq!(t.fired_in, 4);
    assert_eq!(t.first_fire.p50, 5.0 * 86400.0);
    assert_eq!(
        t.first_fire.p10, t.first_fire.p90,
        "deterministic volume: same day everywhere"
    );
    assert!((t.value_at_fire.p50 - 500e6).abs() < 1e3);
    assert_eq!(t.effect.as_deref(), Some("database: plan → pro"));
    assert!(
        t.cost_before.p50 < 1.0 && t.cost_after.p50 >= 25.0,
        "{:?} → {:?}",
        t.cost_before,
        t.cost_after
    );
    assert_eq!(r.periods[9].stage, "s");
}

/// An API at 1.5× its capacity: the CPU trigger adds an instance; at 2 × 100/s the load is 75 %,
/// below the 80 % threshold, so it stops there although the maximum is 3.
#[test]
fn cpu_trigger_adds_instances_up_to_the_maximum() {
    let r = run_text(
        "name: t\nstage: s\nseed: 5\nreplications: 2\nhorizon: 6h\nresolution: 1h\n\
         simulation: {mode: full}\ntraffic: {arrival_rate: 150/s}\n\
         requests: {r: {share: 100%, cpu: {dist: exponential, mean: 10ms}}}\n\
         stages: {s: {api: {vcpu: 1, workers: 1, instances: 1, max_queue: 1000}}}\n\
         triggers:\n  - {name: hot, metric: api.cpu, above: 80%, action: {add_instances: {component: api, count: 1, max: 3}}}\n",
    );
    let t = &r.triggers[0];
    assert_eq!(t.fired_in, 2);
    assert_eq!(t.first_fire.p50, 3600.0);
    let inst = capsim::results::series_index("api_instances");
    assert_eq!(r.periods[5].series[inst].mean, 2.0);
    assert_eq!(t.firings.mean, 1.0);
    // With 2 × 100/s of capacity the backlog drains: no errors in the last hour.
    let err = capsim::results::series_index("error_rate");
    assert!(
        r.periods[0].series[err].mean > 0.2,
        "overloaded first hour rejects requests"
    );
    assert_eq!(r.periods[5].series[err].mean, 0.0);
}

/// Arrivals far beyond capacity with no waiting-room limit: the run says where and when it
/// became unstable instead of hanging or eating memory.
#[test]
fn overload_is_reported_as_unstable() {
    let r = run_text(
        "name: t\nstage: s\nreplications: 2\nhorizon: 1d\nresolution: 1d\n\
         simulation: {mode: full, max_in_flight: 20000}\ntraffic: {arrival_rate: 200/s}\n\
         requests: {r: {share: 100%, cpu: 10ms}}\nstages: {s: {api: {vcpu: 1, workers: 1}}}\n",
    );
    let u = r.instability.expect("unstable");
    assert_eq!(u.replications, 2);
    assert!(u.message.contains("api workers"), "{}", u.message);
}

/// `reports/beta/` is committed as an example; it must be exactly what the current code writes.
/// Regenerate with `cargo run --release -- run scenarios/beta.yaml`.
#[test]
fn committed_beta_report_is_current() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("beta");
    capsim()
        .args(["run", "scenarios/beta.yaml", "--quiet", "--out", out.to_str().unwrap()])
        .assert()
        .success();
    let committed = crate::common::repo().join("reports").join("beta");
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    let mut have: Vec<String> = std::fs::read_dir(&committed)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    have.sort();
    assert_eq!(names, have, "the committed example has other files than a fresh run");
    for n in names {
        let fresh = std::fs::read(out.join(&n)).unwrap();
        let old = std::fs::read(committed.join(&n)).unwrap();
        assert!(
            fresh == old,
            "reports/beta/{n} is stale: regenerate with `cargo run --release -- run scenarios/beta.yaml`"
        );
    }
}

/// The MVP outgrowing its plan: the plan's first trigger fires in every replication, and the
/// upgrade to Supabase Pro shows in the monthly cost.
#[test]
fn mvp_growth_fires_the_database_trigger() {
    let (_d, out, stdout) = run_shipped("mvp-growth", "4");
    assert!(stdout.contains("FIRES  Database > 400MB"), "{stdout}");
    let csv = read(&out, "triggers.csv");
    let row = csv.lines().find(|l| l.starts_with("Database > 400MB")).unwrap();
    assert!(row.contains(",4,4,"), "fired in 4 of 4 replications: {row}");
    let json: serde_json::Value = serde_json::from_str(&read(&out, "summary.json")).unwrap();
    let t = &json["triggers"]["Database > 400MB"];
    let day = t["first_fire"]["p50"].as_f64().unwrap() / 86400.0;
    // 40 MB + 41.7 KB per user-day with users growing 10 → 1,000: 400 MB is passed on day 22.
    assert!((21.0..=23.0).contains(&day), "fires on day {day}");
    assert!(t["cost_after"]["p50"].as_f64().unwrap() >= t["cost_before"]["p50"].as_f64().unwrap() + 25.0);
}

/// `capsim check` for CI: 0 within budget and SLOs, 1 when breached, 2 for a broken scenario.
#[test]
fn check_exit_codes_gate_ci() {
    capsim()
        .args(["check", "scenarios/beta.yaml", "--replications", "2"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("ok"));
    capsim()
        .args(["check", "scenarios/mvp-growth.yaml", "--replications", "2"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("BREACHED").and(predicate::str::contains("limit $10.00")));
    capsim().args(["check", "scenarios/missing.yaml"]).assert().code(2);
}
