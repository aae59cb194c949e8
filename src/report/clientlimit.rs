//! The per-client rate limit in words: each stage's limit, then the busy window that rejected
//! the largest share (figures from [`crate::results::clientlimit`]); the per-period counts are
//! the series `client_rejected` and `client_rejected_rate` of `timeseries.csv`. The section of
//! `report.html` is `crate::report::html`'s.

use super::fmt::{fmt_summary, fmt_when};
use crate::results::RunResult;
use crate::units::{fmt_percent, Unit};
use std::fmt::Write;

/// One line per stage's limit, then one on what it rejected (nothing without a limit).
pub fn lines(r: &RunResult) -> Vec<String> {
    let Some(c) = &r.client_limit else {
        return Vec::new();
    };
    let mut out: Vec<String> = c
        .limits
        .iter()
        .map(|l| {
            format!(
                "Per-client rate limit in stage `{}`: {}; the heaviest client sends {} of all traffic.",
                l.stage,
                l.limit,
                fmt_percent(l.heaviest_share)
            )
        })
        .collect();
    let line = match c.worst_period {
        Some(p) if c.periods_rejecting > 0 => format!(
            "Rejected by the per-client limit (HTTP 429): {} requests in the worst busy window (period ending {}), {} of those offered; {} of {} limited periods rejected some. Not counted in the error rate (failed / admitted requests).",
            fmt_summary(Unit::Count, &c.worst_rejected),
            fmt_when(r, r.periods[p].end_seconds),
            fmt_summary(Unit::Fraction, &c.worst_rate),
            c.periods_rejecting,
            c.periods_limited
        ),
        Some(_) => format!(
            "Rejected by the per-client limit (HTTP 429): none in any of the {} limited busy windows: the limit does not bind.",
            c.periods_limited
        ),
        None => "Rejected by the per-client limit: no limited period was simulated.".to_string(),
    };
    out.push(line);
    out
}

/// The section of `summary.md` (nothing without a limit).
pub fn markdown(o: &mut String, r: &RunResult) {
    let l = lines(r);
    if l.is_empty() {
        return;
    }
    let _ = writeln!(o, "## Per-client rate limit\n");
    for line in l {
        let _ = writeln!(o, "- {}", crate::textsafe::md_text(&line));
    }
    let _ = writeln!(
        o,
        "\nEvery period's count and share are the series `client_rejected` and `client_rejected_rate` of `timeseries.csv`.\n"
    );
}
