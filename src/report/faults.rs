//! Faults and recovery in words: availability against its objective, then each fault's
//! failed requests, retried and lost jobs, backlog and drain time (figures from
//! [`crate::results::faults`]).

use super::fmt::fmt_summary;
use crate::results::faults::{Availability, FaultSummary};
use crate::results::RunResult;
use crate::units::{fmt_percent, fmt_seconds, Unit};
use std::fmt::Write;

/// One line on availability, then one per fault (nothing without faults or an objective).
pub fn lines(r: &RunResult) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(a) = &r.availability {
        out.push(availability_line(a));
    }
    out.extend(r.faults.iter().map(fault_line));
    out
}

fn availability_line(a: &Availability) -> String {
    let mut s = format!(
        "Availability: {} (down {}, degraded {} over the horizon; 1 − down time / horizon)",
        fmt_percent_fine(a.availability),
        none_or(a.down),
        none_or(a.degraded)
    );
    if let Some(o) = a.objective {
        let verdict = if a.availability + 1e-12 >= o { "met" } else { "BREACHED" };
        let _ = write!(s, " against an objective of {}: {verdict}", fmt_percent_fine(o));
    }
    s.push('.');
    s
}

/// A duration, or `none`.
fn none_or(s: f64) -> String {
    if s > 0.0 {
        fmt_seconds(s)
    } else {
        "none".into()
    }
}

/// A share with enough digits to tell 99.9 % from 100 %.
fn fmt_percent_fine(x: f64) -> String {
    if (0.99..1.0).contains(&x) {
        format!("{:.3}%", x * 100.0)
    } else {
        fmt_percent(x)
    }
}

fn fault_line(f: &FaultSummary) -> String {
    let day = (f.start / 86_400.0).floor();
    let clock = f.start - day * 86_400.0;
    let rule = f.rule.as_deref().map_or(String::new(), |r| format!(", rule `{r}`"));
    let mut s = format!(
        "Fault: {} {}{rule} on day {} {:02}:{:02} for {} (stage `{}`): {} requests arrived, {} failed, {} went on without it; jobs retried {}, lost {}; backlog {} before, {} at recovery, peak {}; ",
        f.component,
        f.mode,
        day + 1.0,
        (clock / 3600.0).floor(),
        ((clock % 3600.0) / 60.0).floor(),
        fmt_seconds(f.length),
        f.stage,
        fmt_summary(Unit::Count, &f.arrivals),
        fmt_summary(Unit::Count, &f.failed),
        fmt_summary(Unit::Count, &f.bypassed),
        fmt_summary(Unit::Count, &f.jobs_retried),
        fmt_summary(Unit::Count, &f.jobs_lost),
        fmt_summary(Unit::Count, &f.backlog_before),
        fmt_summary(Unit::Count, &f.backlog_at_recovery),
        fmt_summary(Unit::Count, &f.backlog_peak),
    );
    if f.drain.n > 0 {
        let _ = write!(
            s,
            "drained back to its level in {}",
            fmt_summary(Unit::Seconds, &f.drain)
        );
    }
    if f.not_drained > 0 {
        let sep = if f.drain.n > 0 { "; " } else { "" };
        let _ = write!(
            s,
            "{sep}not drained within {} in {} replication(s)",
            fmt_seconds(f.drain_limit),
            f.not_drained
        );
    }
    s.push('.');
    s
}

/// The faults section of `summary.md` (nothing without faults or an objective).
pub fn markdown(o: &mut String, r: &RunResult) {
    let l = lines(r);
    if l.is_empty() {
        return;
    }
    let _ = writeln!(o, "## Faults and recovery\n");
    let _ = writeln!(o, "Each fault's window is simulated on its own (a warm-up, the fault, then until the backlog of waiting requests and jobs is back to its level at the fault's start); the periods' busy-window figures do not include it. Availability is the share of the horizon the health rules say the system is not down.\n");
    for line in l {
        let _ = writeln!(o, "- {}", crate::textsafe::md_text(&line));
    }
    let _ = writeln!(o);
}
