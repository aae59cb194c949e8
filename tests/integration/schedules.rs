//! Scheduled jobs (issue 9): a run lasts at least what its APIs' limits allow, overruns are
//! warned about, bad schedules are located input errors, and reports do not depend on threads.

use crate::common::{capsim, repo, run_text, write};

const FIXTURE: &str = "tests/fixtures/scheduled-sync.yaml";

fn fixture() -> String {
    std::fs::read_to_string(repo().join(FIXTURE)).expect("fixture")
}

#[test]
fn a_run_of_n_calls_at_l_a_minute_lasts_at_least_n_over_l_minutes() {
    let r = crate::common::run_file(FIXTURE);
    let j = &r.jobs[0];
    // 2 replications × 2 days × 12 runs a day.
    assert_eq!(j.runs, 48);
    let bound = (4000.0 - 1.0) / 100.0 * 60.0;
    assert!(j.max_seconds >= j.p95_seconds * 0.99 && j.p95_seconds >= j.p50_seconds);
    assert!(j.mean_seconds >= bound, "{} < {bound}", j.mean_seconds);
    // The limiter binds (8 slots / ~0.4 s ≫ 100/min): a run lasts the bound plus about one call.
    assert!(j.max_seconds < bound + 30.0, "{}", j.max_seconds);
    assert_eq!(j.overran, 0);
    assert_eq!(j.writes_per_run, 8000.0);
    assert_eq!(j.calls_per_run, vec![("crm".to_string(), 4000.0)]);
    assert_eq!((j.connections, j.pool), (2, Some(10)));
    // The trigger metric is the period's longest run.
    assert!(r.triggers[0].peak_value.is_some_and(|v| v >= bound));
}

#[test]
fn a_limit_above_the_demand_gives_the_unlimited_durations() {
    let unlimited = fixture().replace(", rate_limit: 100/min", "");
    let generous = fixture().replace("100/min", "1000000/min");
    let slow = fixture().replace("p50: 300ms, p95: 1s", "p50: 3s, p95: 10s");
    let (a, b) = (
        run_text(&unlimited).jobs[0].clone(),
        run_text(&generous).jobs[0].clone(),
    );
    assert!(
        (a.mean_seconds - b.mean_seconds).abs() < 1.0,
        "{} vs {}",
        a.mean_seconds,
        b.mean_seconds
    );
    // Without the limit, 8 slots do 4,000 calls of ~0.4 s mean: about 4,000 × 0.4 / 8 = 200 s.
    assert!(a.mean_seconds < 600.0, "{}", a.mean_seconds);
    // Slower calls leave the limiter-bound run nearly as it was.
    let s = run_text(&slow).jobs[0].clone();
    assert!(s.mean_seconds >= 3999.0 * 0.6, "{}", s.mean_seconds);
}

#[test]
fn a_run_longer_than_its_interval_is_warned_about_on_the_terminal_and_in_check() {
    // 15,000 items at 100/min: 150 min against a 2 h interval.
    let text = fixture().replace("items: 4000", "items: 15000");
    let r = run_text(&text);
    assert_eq!(r.jobs[0].overran, r.jobs[0].runs);
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "s.yaml", &text);
    let out = capsim().arg("check").arg(&p).output().unwrap();
    let all = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(all.contains("outlasts its interval of 2.0 h in 48 of 48 runs"), "{all}");
    // A pool the job takes whole is warned about too.
    let r = run_text(&fixture().replace("connections: 2\n", "connections: 10\n"));
    let w = capsim::report::words::warnings(&r);
    assert!(w.iter().any(|w| w.contains("holds 10 database connections")), "{w:?}");
}

#[test]
fn bad_schedules_are_located_input_errors() {
    let dir = tempfile::tempdir().unwrap();
    let f = "stages.prod.schedules.sync";
    for (from, to, field, says) in [
        ("cron: \"0 */2 * * *\"", "cron: \"0 */2 * *\"", "cron", "found 4 fields"),
        (
            "cron: \"0 */2 * * *\"",
            "cron: \"0 0 * * MON\"",
            "cron",
            "day of week field",
        ),
        ("cron: \"0 */2 * * *\"", "every: 30s", "every", "1 minute to 366 days"),
        (
            "cron: \"0 */2 * * *\"",
            "every: 2h\n        cron: \"0 * * * *\"",
            "",
            "exactly one of",
        ),
        ("items: 4000", "items: 0", "items", "from 1 to 10M"),
        ("concurrency: 8", "concurrency: 0", "concurrency", "1 to 10000"),
        (
            "calls: {crm: 1}",
            "calls: {crn: 1}",
            "per_item.calls.crn",
            "no `external:` entry named `crn`",
        ),
        ("runs_on: api", "runs_on: worker", "runs_on", "may only be `api`"),
        ("        runs_on: api\n", "", "", "say where it runs"),
        (
            "db_writes: 2",
            "db_writes: 2, fsync: 1",
            "per_item",
            "unknown field `fsync`",
        ),
    ] {
        let text = fixture().replace(from, to);
        assert_ne!(text, fixture(), "{from}");
        let p = write(dir.path(), "bad.yaml", &text);
        let out = capsim().arg("validate").arg(&p).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{to}");
        let err = String::from_utf8_lossy(&out.stderr);
        let at = if field.is_empty() {
            f.to_string()
        } else {
            format!("{f}.{field}")
        };
        assert!(err.contains(&at), "{to}: wants {at}: {err}");
        assert!(err.contains(says), "{to}: wants {says}: {err}");
        assert!(err.contains("bad.yaml:"), "{err}");
    }
}

#[test]
fn scheduled_runs_do_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut outs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("t{threads}"));
        capsim()
            .args(["run", FIXTURE, "--quiet", "--threads", threads, "--out"])
            .arg(&out)
            .assert()
            .success();
        outs.push(std::fs::read(out.join("summary.json")).unwrap());
    }
    assert_eq!(outs[0], outs[1]);
    assert!(String::from_utf8_lossy(&outs[0]).contains("\"jobs\""));
}

/// ValueRank (seed 000): `check` passes on every stage (no budget is stated), and the MVP's
/// free Supabase database passes the plan's own 400 MB warning level when 3.29 runs a day ×
/// s MB of transcripts (kept 90 days) reach 380 MB over the initial 20 MB: on day
/// 380 / (3.29 s), from day 23 at s = 5 MB; never below s = 1.28 MB (90 days are not enough).
#[test]
fn valuerank_scenarios_check_and_the_free_database_fills_as_its_transcripts_say() {
    for s in ["mvp", "growth", "scale"] {
        capsim()
            .args(["check", "--replications", "2", &format!("scenarios/valuerank/{s}.yaml")])
            .assert()
            .code(0);
    }
    let dir = tempfile::tempdir().unwrap();
    let out = capsim()
        .args([
            "run",
            "--replications",
            "2",
            "--quiet",
            "scenarios/valuerank/mvp.yaml",
            "--out",
        ])
        .arg(dir.path().join("r"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let md = std::fs::read_to_string(dir.path().join("r/summary.md")).unwrap();
    assert!(md.contains("## Inputs drawn from ranges"), "{md}");
    let mvp = crate::common::run_file("scenarios/valuerank/mvp.yaml");
    let t = &mvp.triggers[0];
    let runs_a_day = 0.00761 * 86400.0 * 0.005;
    let day = |mb: f64| 380.0 / (runs_a_day * mb) * 86400.0;
    assert!(
        t.fired_in > 0 && t.first_fire.min >= day(5.0) - 86400.0,
        "{:?}",
        t.first_fire
    );
    assert!(
        t.first_fire.max <= day(380.0 / (90.0 * runs_a_day)) + 86400.0,
        "{:?}",
        t.first_fire
    );
    // A run is a batch of 300 one-call jobs: $3.45 at Haiku's list rates; with 6 slots it
    // drains in at least ⌈300 / 6⌉ × 1 s of the jobs' own work plus their calls.
    assert!(md.contains("## Work done by jobs") && md.contains("$3.450"), "{md}");
    let r = crate::common::run_file("scenarios/valuerank/scale.yaml");
    let b = &r.job_work.as_ref().unwrap().batches[0];
    assert_eq!((b.jobs, b.slots), (300, 48));
    assert!(
        b.mean_seconds >= 7.0 && b.mean_seconds < 15.0 * 60.0,
        "{}",
        b.mean_seconds
    );
    // At the peak, behind the traffic's own runs (3.29 a day): every run drains within the cap,
    // rarely behind another run, so its mean stays near the drain alone and its longest is at
    // least the longest drain alone's order (one run ahead at most doubles it).
    assert_eq!((b.peak_batches, b.undrained), (b.batches, 0));
    assert!(
        b.peak_mean_seconds >= 0.95 * b.mean_seconds && b.peak_mean_seconds <= 1.2 * b.mean_seconds,
        "{} vs {}",
        b.peak_mean_seconds,
        b.mean_seconds
    );
}
