//! The work jobs do, in the summary and in `summary.md`: each external call a job makes with its
//! price at list rates, the cost of one job, each batch's drain time (mean, P50, P95, max), alone
//! on the queue and at the peak with the traffic, and its cost, each scheduled job's cost per run,
//! and what `byok` calls avoid. Nothing is written for a scenario whose jobs call nothing and that
//! has no batch.

use crate::batch::summary::{BatchSummary, JobWork};
use crate::results::RunResult;
use crate::textsafe::md_text;
use crate::units::{fmt_count, fmt_seconds};
use std::fmt::Write as _;

/// Dollars with four significant digits (a job costs fractions of a cent), `unpriced` for none.
pub fn usd(v: Option<f64>) -> String {
    match v {
        None => "unpriced".to_string(),
        Some(0.0) => "$0".to_string(),
        Some(v) => {
            let digits = (3 - v.abs().log10().floor() as i32).clamp(2, 8) as usize;
            format!("${v:.digits$}")
        }
    }
}

fn avoided(v: Option<f64>) -> String {
    match v {
        Some(x) if x > 0.0 => format!(" (+ {} paid by the users' own keys, avoided)", usd(Some(x))),
        _ => String::new(),
    }
}

fn call_words(w: &JobWork) -> Vec<String> {
    w.calls
        .iter()
        .map(|c| {
            let who = if c.byok {
                "paid by the user's own key".to_string()
            } else {
                format!("{} a call", usd(c.list_usd_per_call))
            };
            format!(
                "{} × {} ({}; {} in + {} out tokens; {})",
                c.calls_per_job,
                c.external,
                c.plan,
                fmt_count(c.input_tokens),
                fmt_count(c.output_tokens),
                who
            )
        })
        .collect()
}

/// The drain at the peak in words: its mean, P50, P95 and max, and the batches not drained.
fn peak_words(b: &BatchSummary) -> String {
    let mut w = if b.peak_batches > 0 {
        format!(
            "mean {}, P50 {}, P95 {}, max {} ({} batches)",
            secs(b.peak_mean_seconds),
            secs(b.peak_p50_seconds),
            secs(b.peak_p95_seconds),
            secs(b.peak_max_seconds),
            fmt_count(b.peak_batches as f64)
        )
    } else {
        "no batch drained".to_string()
    };
    w.push_str(&undrained(b));
    w
}

/// Seconds, or `–` for none (NaN: no batch drained).
fn secs(v: f64) -> String {
    if v.is_nan() {
        "–".to_string()
    } else {
        fmt_seconds(v)
    }
}

/// `, N not drained (≥ cap)`, or nothing when every batch drained.
fn undrained(b: &BatchSummary) -> String {
    match b.undrained_at_least_seconds {
        Some(cap) if b.undrained > 0 => format!(
            ", {} not drained within the cap (each ≥ {})",
            fmt_count(b.undrained as f64),
            fmt_seconds(cap)
        ),
        _ => String::new(),
    }
}

/// Lines for the plain-words summary.
pub fn lines(o: &mut String, r: &RunResult) {
    let Some(w) = &r.job_work else { return };
    let _ = writeln!(o, "Work done by jobs (stage {}):", w.stage);
    if !w.calls.is_empty() {
        let _ = writeln!(
            o,
            "  a job calls {}: {} a job{}",
            call_words(w).join(", "),
            usd(w.usd_per_job),
            avoided(w.avoided_usd_per_job)
        );
    }
    for b in &w.batches {
        let _ = writeln!(
            o,
            "  batch `{}` of {} jobs on {} slots: drains alone in mean {}, P50 {}, P95 {}, max {} ({} batches); at the peak with the traffic {}; {} a batch{}",
            b.request,
            fmt_count(f64::from(b.jobs)),
            b.slots,
            fmt_seconds(b.mean_seconds),
            fmt_seconds(b.p50_seconds),
            fmt_seconds(b.p95_seconds),
            fmt_seconds(b.max_seconds),
            fmt_count(b.batches as f64),
            peak_words(b),
            usd(b.usd_per_batch),
            avoided(b.avoided_usd_per_batch)
        );
    }
    for s in w.scheduled.iter().filter(|s| !s.calls_per_run.is_empty()) {
        let _ = writeln!(
            o,
            "  scheduled job `{}`: {} a run{}",
            s.job,
            usd(s.usd_per_run),
            avoided(s.avoided_usd_per_run)
        );
    }
}

/// The `## Work done by jobs` section of `summary.md`.
pub fn markdown(o: &mut String, r: &RunResult) {
    let Some(w) = &r.job_work else { return };
    let _ = writeln!(o, "## Work done by jobs\n");
    let _ = writeln!(
        o,
        "Stage `{}`. Calls priced at the catalog's list rates.\n",
        md_text(&w.stage)
    );
    if !w.calls.is_empty() {
        let _ = writeln!(
            o,
            "A job calls {}: **{} a job**{}.\n",
            md_text(&call_words(w).join(", ")),
            usd(w.usd_per_job),
            avoided(w.avoided_usd_per_job)
        );
    }
    if !w.batches.is_empty() {
        batch_table(o, w);
    }
    for s in w.scheduled.iter().filter(|s| !s.calls_per_run.is_empty()) {
        let _ = writeln!(
            o,
            "- Scheduled job `{}`: {} a run{}",
            md_text(&s.job),
            usd(s.usd_per_run),
            md_text(&avoided(s.avoided_usd_per_run))
        );
    }
    o.push('\n');
}

/// The batches' table: drains alone and at the peak with the traffic, and the cost of one.
fn batch_table(o: &mut String, w: &JobWork) {
    let _ = writeln!(
        o,
        "| Batch | Jobs | Slots | Drain alone: mean | P50 | P95 | Max | At the peak: mean | P50 | P95 | Max | Not drained | Cost a batch |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for b in &w.batches {
        let not_drained = match b.undrained_at_least_seconds {
            Some(cap) if b.undrained > 0 => format!("{} (≥ {})", fmt_count(b.undrained as f64), fmt_seconds(cap)),
            _ => "0".to_string(),
        };
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {}{} |",
            md_text(&b.request),
            fmt_count(f64::from(b.jobs)),
            b.slots,
            fmt_seconds(b.mean_seconds),
            fmt_seconds(b.p50_seconds),
            fmt_seconds(b.p95_seconds),
            fmt_seconds(b.max_seconds),
            secs(b.peak_mean_seconds),
            secs(b.peak_p50_seconds),
            secs(b.peak_p95_seconds),
            secs(b.peak_max_seconds),
            not_drained,
            usd(b.usd_per_batch),
            md_text(&avoided(b.avoided_usd_per_batch))
        );
    }
    let n = w.batches.first().map_or(0, |b| b.batches);
    let _ = writeln!(
        o,
        "\nDrain: from the batch's enqueue to its last job done, {} batches per type (one per period and \
         replication). Alone: the batch alone on the queue. At the peak: enqueued at the start of the period's \
         busy window behind the traffic's jobs waiting, sharing the slots with the traffic's jobs; a batch not \
         drained within the cap (the longer of the window and 20 × its drain alone, at most a day), or before \
         the simulation stopped as unstable, is counted as not drained, not as a drain.\n",
        fmt_count(n as f64)
    );
}
