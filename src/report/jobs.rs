//! Scheduled jobs in the summary and in `summary.md`: each job's run durations (mean, P50, P95,
//! max over every run of every replication), its runs that outlasted the interval, the work a
//! run does, the connections it holds, and what they did to the busy windows its runs
//! overlapped. Nothing is written for a scenario without jobs.

use crate::results::RunResult;
use crate::sched::summary::JobSummary;
use crate::textsafe::md_text;
use crate::units::{fmt_count, fmt_seconds};
use std::fmt::Write as _;

/// One line per job for the plain-words summary.
pub fn lines(o: &mut String, r: &RunResult) {
    if r.jobs.is_empty() {
        return;
    }
    let _ = writeln!(o, "Scheduled jobs (run duration over {} runs in all):", total_runs(r));
    for j in &r.jobs {
        let _ = writeln!(
            o,
            "  {} [{}]: mean {}, P50 {}, P95 {}, max {}; {} of {} runs outlast the interval",
            j.job,
            j.schedule,
            fmt_seconds(j.mean_seconds),
            fmt_seconds(j.p50_seconds),
            fmt_seconds(j.p95_seconds),
            fmt_seconds(j.max_seconds),
            fmt_count(j.overran as f64),
            fmt_count(j.runs as f64)
        );
        if j.busy_windows > 0 {
            let _ = writeln!(
                o,
                "    overlapped {} busy windows, holding {} database connections there on average (pool wait P95 {})",
                fmt_count(j.busy_windows as f64),
                fmt_held(j.held_in_windows),
                fmt_wait(j.db_wait_p95_seconds)
            );
        }
    }
}

/// A wait, or a dash where no request waited in a window the job overlapped.
fn fmt_wait(x: f64) -> String {
    if x.is_finite() {
        fmt_seconds(x)
    } else {
        "–".into()
    }
}

/// Connections held on average, to two decimals (a run overlapping part of a window holds a
/// fraction of its connections on average).
fn fmt_held(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.2}")
    } else {
        "–".into()
    }
}

fn total_runs(r: &RunResult) -> String {
    fmt_count(r.jobs.iter().map(|j| j.runs as f64).sum())
}

/// The `## Scheduled jobs` table of `summary.md`.
pub fn markdown(o: &mut String, r: &RunResult) {
    if r.jobs.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "## Scheduled jobs\n\nEvery run of every replication, simulated item by item against the \
         external APIs' latencies and rate limits. Durations are over all runs (P50 and P95 to \
         0.8 %, max exact). A run holds its connections while it is active, in the busy windows \
         too: it takes them ahead of waiting requests, which wait for, time out on or are refused \
         by the connections left. The last three columns are over the simulated busy windows the \
         job's runs overlapped.\n"
    );
    let _ = writeln!(
        o,
        "| job | schedule | runs | mean | P50 | P95 | max | outlast the interval | calls per run | DB writes per run | connections held | busy windows overlapped | held there (mean) | DB wait P95 there |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    );
    for j in &r.jobs {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            md_text(&j.job),
            md_text(&j.schedule),
            fmt_count(j.runs as f64),
            fmt_seconds(j.mean_seconds),
            fmt_seconds(j.p50_seconds),
            fmt_seconds(j.p95_seconds),
            fmt_seconds(j.max_seconds),
            fmt_count(j.overran as f64),
            calls(j),
            fmt_count(j.writes_per_run),
            connections(j),
            fmt_count(j.busy_windows as f64),
            fmt_held(j.held_in_windows),
            fmt_wait(j.db_wait_p95_seconds)
        );
    }
    let _ = writeln!(o);
}

fn calls(j: &JobSummary) -> String {
    if j.calls_per_run.is_empty() {
        return "none".into();
    }
    let parts: Vec<String> = j
        .calls_per_run
        .iter()
        .map(|(n, c)| format!("{} {}", fmt_count(*c), md_text(n)))
        .collect();
    parts.join(", ")
}

fn connections(j: &JobSummary) -> String {
    match j.pool {
        Some(p) => format!("{} of {p}", j.connections),
        None => j.connections.to_string(),
    }
}
