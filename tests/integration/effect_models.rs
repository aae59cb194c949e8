//! The Effect Models scenarios (seed 004, `scenarios/effect-models/`): `capsim check` gives the
//! outcome the README's table documents, and the figures the seed states (its sync durations,
//! its RTO/RPO objectives, its $140-270 for staging + production) come out of the runs.

use crate::common::capsim;

const DIR: &str = "scenarios/effect-models";

/// `check` on one file of the folder with two replications: (exit code, stdout + stderr).
fn check(name: &str) -> (i32, String) {
    let out = capsim()
        .args(["check", &format!("{DIR}/{name}.yaml"), "--replications", "2"])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap(), text)
}

/// `run` with two replications: the report's summary.json.
fn summary(name: &str) -> serde_json::Value {
    report(name).0
}

/// `run` with two replications: the report's summary.json and timeseries.csv.
fn report(name: &str) -> (serde_json::Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    capsim()
        .args(["run", &format!("{DIR}/{name}.yaml"), "--quiet", "--replications", "2"])
        .args(["--out", out.to_str().unwrap()])
        .assert()
        .success();
    let json = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    (json, std::fs::read_to_string(out.join("timeseries.csv")).unwrap())
}

/// Column `name` of a timeseries.csv, every period.
fn column(csv: &str, name: &str) -> Vec<f64> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let k = header.iter().position(|h| *h == name).expect(name);
    lines.map(|l| l.split(',').nth(k).unwrap().parse().unwrap()).collect()
}

fn sync_minutes(s: &serde_json::Value) -> (f64, f64) {
    let job = &s["jobs"][0];
    assert_eq!(job["job"], "sync");
    let min = |k: &str| job[k].as_f64().unwrap() / 60.0;
    (min("p50_seconds"), min("max_seconds"))
}

/// Replications of a run.
fn job_reps(s: &serde_json::Value) -> u64 {
    s["scenario"]["replications"].as_u64().unwrap()
}

fn peak(s: &serde_json::Value, trigger: &str) -> f64 {
    s["triggers"][trigger]["peak_value"].as_f64().unwrap()
}

fn month1(s: &serde_json::Value) -> f64 {
    s["months"][0]["total"]["mean"].as_f64().unwrap()
}

#[test]
fn effect_models_checks_give_the_documented_outcomes() {
    // The base file sets no traffic: not runnable alone.
    let (code, out) = check("base");
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("traffic"), "{out}");
    for name in ["production", "staging"] {
        let (code, out) = check(name);
        assert_eq!(code, 0, "{name}: {out}");
    }
    // 10M requests/day: Upstash pay-as-you-go commands and Railway egress break the seed's
    // budget tops ($270 in all, $40 Redis, $100 compute).
    let (code, out) = check("production-high");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("BREACHED") && out.contains("cache") && out.contains("api"),
        "{out}"
    );
}

#[test]
fn effect_models_sync_durations_objectives_and_monthly_total() {
    let (prod, series) = report("production");
    let staging = summary("staging");
    // Production: 2,200 records, each through models.dev at 60 calls/min: at least
    // 2,199 / 60 = 36.65 min, and inside the seed's 30-45 min.
    let (p50, max) = sync_minutes(&prod);
    assert!(p50 >= 2199.0 / 60.0 && max <= 45.0 && p50 >= 30.0, "{p50} {max}");
    // Each busy window (1 h from an even hour) is loaded by a run's 4 connections for the run's
    // length: 4 × d / 60 min held on average; the 100-connection pool keeps every request from
    // waiting (the p95 wait is the histogram's floor, 1 µs).
    let job = &prod["jobs"][0];
    let held = job["held_in_windows"].as_f64().unwrap();
    assert!((held - 4.0 * p50 / 60.0).abs() < 0.01, "{held} vs 4 × {p50} / 60");
    assert_eq!(job["busy_windows"].as_u64().unwrap(), 30 * job_reps(&prod));
    assert!(job["db_wait_p95_seconds"].as_f64().unwrap() < 1e-3);
    // Staging's runs (00:00, 06:00, … for 14 min) miss its busiest hour: none held there.
    assert_eq!(staging["jobs"][0]["busy_windows"], 0);
    // Staging: 850 records at 60/min: at least 849 / 60 = 14.15 min, the seed's "~15 min".
    let (p50, max) = sync_minutes(&staging);
    assert!(p50 >= 849.0 / 60.0 && max <= 16.0, "{p50} {max}");
    // RTO = 20 GB / 100 MB/s + 10 min = 13.33 min < 15 min; RPO with PITR = 5 min < 2 h.
    let rto = peak(&prod, "RTO over 15 min");
    assert!((rto - (20e9 / 100e6 + 600.0)).abs() < 1.0, "{rto}");
    assert!((peak(&prod, "RPO over 2 h") - 300.0).abs() < 1e-6);
    // Period by period, the series: RTO = the period's end size / 100 MB/s + 10 min, under
    // the 15-minute objective throughout (so the trigger never fires); RPO 5 minutes.
    let (rto, size) = (column(&series, "database_rto_mean"), column(&series, "db_size_mean"));
    for (p, (r, s)) in rto.iter().zip(&size).enumerate() {
        assert!((r - (s / 100e6 + 600.0)).abs() < 1e-3, "period {p}: {r} vs {s}");
        assert!(*r < 900.0, "period {p}: {r}");
    }
    assert!(column(&series, "database_rpo_mean").iter().all(|v| *v == 300.0));
    assert_eq!(prod["triggers"]["RTO over 15 min"]["fired_in"], 0);
    // Staging + production, billed as two scenarios: inside the seed's $140-270.
    let (p, s) = (month1(&prod), month1(&staging));
    assert!(p > 0.0 && s > 0.0 && (140.0..=270.0).contains(&(p + s)), "{p} + {s}");
    // 2,000 req/min per IP over 2,000 clients at ~430/min in all: never binds.
    let c = &prod["client_limit"];
    assert_eq!(c["periods_rejecting"], 0, "{c}");
    assert_eq!(c["worst_rate"]["mean"], 0.0, "{c}");
    assert!(staging.get("client_limit").is_none(), "staging states no limit");
    // The cache's hit rate follows from its 1 h TTL, its keys and the sync emptying it:
    // production's lowest busy-window share stays above the seed's 80 % target.
    let target = "Cache hit rate below the 80 % target";
    let lowest = peak(&prod, target);
    assert!(lowest > 0.8 && lowest < 0.95, "{lowest}");
    assert_eq!(prod["triggers"][target]["fired_in"], 0);
}

#[test]
fn effect_models_staging_cache_hits_below_the_target_at_its_few_lookups() {
    let r = crate::common::run_file("scenarios/effect-models/staging.yaml");
    let hit = r.value(0, "cache_hit_rate");
    let model = capsim::cachehit::TtlCache::new(
        3600.0,
        Some(6.0 * 3600.0),
        2500,
        capsim::cachehit::Popularity::Zipf(1.0),
    );
    // The busy window's lookups: every offered request times 0.95 lookups (70 % + 25 %).
    let lookups = r.value(0, "busy_rps").mean * 0.95;
    assert!(
        (hit.mean - model.hit_rate(lookups)).abs() < 0.03,
        "{} vs {}",
        hit.mean,
        model.hit_rate(lookups)
    );
    assert!(hit.mean > 0.5 && hit.mean < 0.7, "{}", hit.mean);
}

#[test]
fn effect_models_per_ip_limit_binds_only_on_the_heavy_client_at_10m_a_day() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    capsim()
        .args([
            "run",
            &format!("{DIR}/production-high.yaml"),
            "--quiet",
            "--replications",
            "1",
        ])
        .args(["--out", out.to_str().unwrap()])
        .assert()
        .success();
    let csv = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let mut lines = csv.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| head.iter().position(|h| *h == name).unwrap();
    let (rps, rate) = (col("busy_rps_mean"), col("client_rejected_rate_mean"));
    let mut shares = Vec::new();
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let per_minute: f64 = f[rps].parse::<f64>().unwrap() * 60.0;
        // One client sends 20 %: its excess over 2,000 a minute, as a share of all requests.
        let theory = 0.2 * (0.2 * per_minute - 2000.0) / (0.2 * per_minute);
        let got: f64 = f[rate].parse().unwrap();
        assert!((got - theory).abs() < 0.015, "{got} vs {theory} at {per_minute}/min");
        shares.push(got);
    }
    let mean = shares.iter().sum::<f64>() / shares.len() as f64;
    // ~231/s: 0.2 × (2,773 − 2,000) / 2,773 = 5.6 %.
    assert!((0.045..0.068).contains(&mean), "{mean}");
}
