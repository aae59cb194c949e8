//! Scheduled jobs in the summary and in `summary.md`: each job's run durations (mean, P50, P95,
//! max over every run of every replication), its runs that outlasted the interval, the work a
//! run does and the connections it holds. Nothing is written for a scenario without jobs.

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
         0.8 %, max exact). A run holds its connections only while it is active; the busy-window \
         simulation does not see them.\n"
    );
    let _ = writeln!(
        o,
        "| job | schedule | runs | mean | P50 | P95 | max | outlast the interval | calls per run | DB writes per run | connections held |\n\
         |---|---|---|---|---|---|---|---|---|---|---|"
    );
    for j in &r.jobs {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
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
            connections(j)
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
