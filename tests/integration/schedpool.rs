//! Scheduled runs load the API's database pool in the busy window (issue 9): a run holding `k`
//! of `c` connections through a window leaves requests an M/M/(c − k) pool; holding them all
//! leaves requests none; a run of no connection, or one that does not overlap the window,
//! changes nothing, to the byte.

use crate::common::{capsim, run_text, write};
use capsim::metrics::{t_quantile_975, Summary};
use capsim::theory;
use statrs::distribution::{ContinuousCDF, StudentsT};
use std::path::Path;

/// `(mode, horizon, replications)`: open Poisson arrivals at `rate` per second, each request
/// one query of exponential time (mean 100 ms) on a pool of `c` connections (`pool = (c, k)`),
/// no other work; a daily job at `cron` whose run lasts `cpu` (one item of that CPU time)
/// holding `k` connections.
fn scenario(run: (&str, &str, u32), rate: f64, pool: (u32, u32), cron: &str, cpu: &str) -> String {
    let ((mode, horizon, reps), (c, k)) = (run, pool);
    format!(
        "name: held pool\nstage: s\nseed: 13\nreplications: {reps}\nhorizon: {horizon}\nresolution: {horizon}\n\
         simulation: {mode}\ntraffic: {{arrival_rate: {rate}/s}}\n\
         requests: {{r: {{share: 100%, cpu: 0ms, db_queries: 1}}}}\n\
         stages:\n  s:\n    api: {{vcpu: 1000, workers: 1000}}\n\
         \x20   database: {{connections: {c}, pool_timeout: 2s, query_time: {{dist: exponential, mean: 100ms}}}}\n\
         \x20   schedules:\n      sync: {{cron: \"{cron}\", items: 1, concurrency: 1, per_item: {{cpu: {cpu}}}, connections: {k}, runs_on: api}}\n"
    )
}

const FULL: &str = "{mode: full, warmup: 10m}";

fn t_9995(df: usize) -> f64 {
    StudentsT::new(0.0, 1.0, df as f64).unwrap().inverse_cdf(0.9995)
}

/// The exact value inside the simulation's 99.9 % interval, and that interval's 95 % half-width
/// at most `width` of it (as `theory.rs` asserts its textbook cases).
fn assert_inside(what: &str, sim: &Summary, exact: f64, width: f64) {
    let half = sim.ci95 / t_quantile_975(sim.n - 1) * t_9995(sim.n - 1);
    assert!(
        (sim.mean - exact).abs() <= half,
        "{what}: {:.6} ± {half:.6} does not contain {exact:.6}",
        sim.mean
    );
    assert!(
        sim.ci95 <= width * exact,
        "{what}: ±{} wider than {width} of {exact}",
        sim.ci95
    );
}

/// Two of six connections held through the whole day (the run starts at 0 and lasts 25 h):
/// 32 queries a second of 100 ms see an M/M/4 pool at ρ = 0.8 (about 2.8M queries a
/// replication, 8 replications: the same sizing as `theory.rs`'s M/M/4 case, ±2 %).
#[test]
fn a_pool_held_in_part_through_the_window_is_erlang_c_with_c_minus_k_servers() {
    let r = run_text(&scenario((FULL, "1d", 8), 32.0, (6, 2), "0 0 * * *", "25h"));
    let db = r
        .stations
        .iter()
        .find(|s| s.station == "database")
        .expect("database row");
    assert_eq!(db.servers, 4, "compared as the pool the run left");
    let exact = theory::mmc(32.0, 10.0, 4).expect("stable");
    assert_inside("mean wait", &db.sim_wait, exact.wq, 0.02);
    assert_inside("P(wait)", &db.sim_p_wait, exact.p_wait, 0.02);
    assert_eq!(db.agrees, Some(true));
    // The six-connection pool's own Erlang C is far off: the hold is what the requests see.
    let six = theory::mmc(32.0, 10.0, 6).unwrap();
    assert!(db.sim_wait.mean > 10.0 * six.wq, "{} vs {}", db.sim_wait.mean, six.wq);
    // Two held all day; the connections' utilization counts them: (3.2 + 2) / 6.
    let held = r.value(0, "db_held_by_schedules");
    assert!((held.mean - 2.0).abs() < 1e-9, "{}", held.mean);
    let util = r.value(0, "db_utilization").mean;
    assert!((util - 5.2 / 6.0).abs() < 0.01, "{util}");
    assert!(
        r.notes.iter().any(|n| n.contains("compared as a pool of the 4 left")),
        "{:?}",
        r.notes
    );
    let j = &r.jobs[0];
    assert_eq!(j.busy_windows, 8);
    assert!((j.held_in_windows - 2.0).abs() < 1e-9);
}

#[test]
fn a_run_holding_the_whole_pool_times_out_the_requests_that_need_it() {
    let all = run_text(&scenario((FULL, "2h", 2), 20.0, (4, 4), "0 0 * * *", "3h"));
    let none = run_text(&scenario((FULL, "2h", 2), 20.0, (4, 0), "0 0 * * *", "3h"));
    // At 2 Erlangs on 4 connections almost no request waits 2 s; with all 4 held, every one
    // times out (those in the first 2 s of measuring may still be waiting at its end).
    assert!(none.value(0, "error_rate").mean < 1e-3);
    assert!(
        all.value(0, "error_rate").mean > 0.999,
        "{}",
        all.value(0, "error_rate").mean
    );
    assert!(
        all.stations.iter().all(|s| s.station != "database"),
        "no fixed pool to compare"
    );
    assert!(all.notes.iter().any(|n| n.contains("left out of the comparison")));
    assert_eq!(all.value(0, "db_connections_max").mean, 4.0);
}

/// `timeseries.csv` and `summary.json` of a run in `dir/name`.
fn report(dir: &Path, name: &str, text: &str, threads: &str) -> (Vec<u8>, serde_json::Value) {
    let p = write(dir, &format!("{name}.yaml"), text);
    let out = dir.join(name);
    capsim()
        .args(["run", "--quiet", "--threads", threads, "--out"])
        .arg(&out)
        .arg(&p)
        .assert()
        .success();
    let json = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    (std::fs::read(out.join("timeseries.csv")).unwrap(), json)
}

/// A `timeseries.csv`'s cells without the `db_held_by_schedules` columns, and those.
fn split_held(csv: &[u8]) -> (Vec<Vec<String>>, Vec<String>) {
    let text = String::from_utf8(csv.to_vec()).unwrap();
    let rows: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let held: Vec<usize> = (0..rows[0].len())
        .filter(|&i| rows[0][i].starts_with("db_held_by_schedules_"))
        .collect();
    assert_eq!(held.len(), 5, "the series' five columns");
    let rest = rows
        .iter()
        .map(|r| {
            (0..r.len())
                .filter(|i| !held.contains(i))
                .map(|i| r[i].clone())
                .collect()
        })
        .collect();
    let values = rows[1..]
        .iter()
        .flat_map(|r| held.iter().map(|&i| r[i].clone()))
        .collect();
    (rest, values)
}

/// `summary.json` without what describes the jobs themselves and the scenario file's path.
fn without_jobs(mut v: serde_json::Value) -> serde_json::Value {
    let o = v.as_object_mut().unwrap();
    for k in ["jobs", "job_work"] {
        o.remove(k);
    }
    o["scenario"].as_object_mut().unwrap().remove("file");
    v
}

#[test]
fn no_connection_or_no_overlap_changes_nothing_and_threads_do_not_matter() {
    let dir = tempfile::tempdir().unwrap();
    let pw = "{mode: peak_window, window: 1h, warmup: 10m}";
    // 3 of 4 connections at 3 Erlangs: a run in the window is felt.
    let text = |k: u32, cron: &str| scenario((pw, "2d", 3), 30.0, (4, k), cron, "2h");
    let no_jobs = text(0, "0 0 * * *").split("    schedules:").next().unwrap().to_string();
    let (base_csv, base_json) = report(dir.path(), "none", &no_jobs, "2");
    let (zero_csv, zero_json) = report(dir.path(), "zero", &text(0, "0 0 * * *"), "2");
    assert_eq!(zero_csv, base_csv, "connections: 0 is no schedule to the busy window");
    assert_eq!(without_jobs(zero_json), without_jobs(base_json.clone()));
    // Constant traffic: the one period's window is its first hour (warmed up from −10 min).
    // Runs from noon to 14:00 do not touch it: every figure is the same, and the connections
    // they held there are 0 (a figure, where a job holds connections, not none).
    let (noon_csv, noon_json) = report(dir.path(), "noon", &text(3, "0 12 * * *"), "2");
    let (noon_rest, noon_held) = split_held(&noon_csv);
    assert_eq!(
        noon_rest,
        split_held(&base_csv).0,
        "a run outside the window changes nothing"
    );
    assert!(noon_held.iter().all(|v| v == "0"), "{noon_held:?}");
    assert_eq!(noon_json["jobs"][0]["busy_windows"], 0);
    assert_eq!(without_jobs(noon_json), without_jobs(base_json));
    // The same run at midnight is in the window (3 replications), the same at one thread as
    // at two.
    let (mid_csv, mid_json) = report(dir.path(), "mid", &text(3, "0 0 * * *"), "2");
    assert_ne!(split_held(&mid_csv).0, split_held(&base_csv).0);
    assert_eq!(mid_json["jobs"][0]["busy_windows"], 3);
    let one = dir.path().join("one");
    std::fs::create_dir(&one).unwrap();
    let (mid1_csv, mid1_json) = report(&one, "mid", &text(3, "0 0 * * *"), "1");
    let file = |mut v: serde_json::Value| {
        v["scenario"].as_object_mut().unwrap().remove("file");
        v
    };
    let (mid1_json, mid_json) = (file(mid1_json), file(mid_json));
    assert_eq!((mid1_csv, mid1_json), (mid_csv, mid_json));
}
