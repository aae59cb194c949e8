//! The plain-words summary printed by `capsim run` and opening `summary.md`.

use super::fmt::*;
use super::words::*;
use crate::results::{CheckVerdict, RunResult};
use std::fmt::Write as _;
use std::path::Path;

/// The plain-words summary printed by `capsim run` and opening `summary.md`.
pub fn summary_text(r: &RunResult, report_dir: Option<&Path>) -> String {
    let mut o = String::new();
    header(&mut o, r);
    warnings_lines(&mut o, r);
    super::ranges::lines(&mut o, r);
    trigger_lines(&mut o, r);
    super::jobs::lines(&mut o, r);
    super::jobwork::lines(&mut o, r);
    month_lines(&mut o, r);
    o.push_str(&super::alternatives::text(r));
    check_lines(&mut o, r);
    for line in super::faults::lines(r).into_iter().chain(super::clientlimit::lines(r)) {
        let _ = writeln!(o, "{line}");
    }
    plan_lines(&mut o, r);
    let off: Vec<_> = r.stations.iter().filter(|s| s.agrees == Some(false)).collect();
    if !off.is_empty() {
        let names: Vec<&str> = off.iter().map(|s| s.station.as_str()).collect();
        let _ = writeln!(o, "Queueing theory: the simulated wait or blocking differs from the estimate beyond the 95% CI at: {} (see the stations table).", names.join(", "));
    }
    if let Some(d) = report_dir {
        let _ = writeln!(o, "Report: {}", d.display());
    }
    o
}

/// `a → b`, or `a` once when both read the same.
fn from_to(a: String, b: String) -> String {
    if a == b {
        a
    } else {
        format!("{a} → {b}")
    }
}

/// Name, horizon, replications, prices and traffic.
fn header(o: &mut String, r: &RunResult) {
    let sc = &r.scenario;
    let _ = writeln!(
        o,
        "{} — {}, {}, seed {}, starting in stage `{}`",
        sc.name,
        plural(sc.horizon_days, "day", "days"),
        replications(sc.replications),
        sc.seed,
        sc.start_stage
    );
    let _ = writeln!(o, "Prices: {}.", sc.pricing);
    let first = &r.periods[0];
    let last = &r.periods[r.periods.len() - 1];
    let _ = writeln!(
        o,
        "Traffic: {} users, {} requests/day; busiest window {} at the end.",
        from_to(fmt_count(first.series[0].mean), fmt_count(last.series[0].mean)),
        from_to(fmt_count(first.series[1].mean), fmt_count(last.series[1].mean)),
        match last.series[2].mean {
            v if v.is_finite() => format!("{v:.2} req/s"),
            _ => not_simulated(last).to_string(),
        }
    );
}

/// What changes the meaning of the numbers ([`warnings`]), then the overload warnings.
fn warnings_lines(o: &mut String, r: &RunResult) {
    let list = warnings(r);
    if !list.is_empty() {
        let _ = writeln!(o, "WARNINGS ({}):", list.len());
        for w in &list {
            let _ = writeln!(o, "  ! {w}");
        }
    }
    if r.instability.is_some() {
        let lost = r.periods.iter().filter(|p| p.stopped > 0).count();
        if lost > 0 {
            let _ = writeln!(
                o,
                "  {lost} of {} periods not simulated in some replications after the stop (no figures, not zeros).",
                r.periods.len()
            );
        }
    }
    if !r.overload.is_empty() {
        let _ = writeln!(o, "OVERLOAD: arrivals beyond capacity ({}):", overload_count(r));
        for w in &r.overload {
            let _ = writeln!(o, "  {}", w.message);
        }
    }
}

fn trigger_lines(o: &mut String, r: &RunResult) {
    if !r.triggers.is_empty() {
        let _ = writeln!(o, "Scaling triggers:");
    }
    for t in &r.triggers {
        let kind = t.condition.unit;
        if t.fired_in > 0 {
            let _ = writeln!(
                o,
                "  FIRES  {} [{}]: {} in {}/{} runs; value {}; {}; cost {} a month",
                t.name,
                fmt_condition(&t.condition),
                fmt_span(r, &t.first_fire),
                t.fired_in,
                t.replications,
                fmt_metric(kind, t.value_at_fire.p50),
                t.effect.clone().unwrap_or_default(),
                from_to(fmt_money(t.cost_before.p50), fmt_money(t.cost_after.p50))
            );
        } else {
            let _ = writeln!(
                o,
                "  never  {} [{}]: most extreme value {}",
                t.name,
                fmt_condition(&t.condition),
                t.peak_value
                    .map(|v| fmt_metric(kind, v))
                    .unwrap_or_else(|| no_data(&t.condition.metric))
            );
        }
    }
}

fn month_lines(o: &mut String, r: &RunResult) {
    let spread = r
        .months
        .iter()
        .any(|m| m.total.ci95.is_finite() && m.total.ci95 >= 0.005);
    let _ = writeln!(
        o,
        "Monthly cost (whole months, {}):",
        if r.scenario.replications < 2 {
            "one replication"
        } else if spread {
            "mean across replications"
        } else {
            "mean across replications; no spread across replications"
        }
    );
    for m in &r.months {
        let _ = writeln!(
            o,
            "  month {}: {}{}",
            m.month,
            // No interval from one replication, none worth printing when it rounds to no cent.
            match money_ci(&m.total) {
                s if s.contains('±') => s.replacen(" ± ", " (95% CI ± ", 1) + ")",
                s => s,
            },
            if m.covered < 0.999 {
                format!(
                    "; {:.0}% of the month simulated, the rest billed at the rate of its end",
                    m.covered * 100.0
                )
            } else {
                String::new()
            }
        );
    }
}

fn check_lines(o: &mut String, r: &RunResult) {
    for (label, checks) in [("Budget", &r.checks.budget), ("SLO", &r.checks.slo)] {
        if checks.is_empty() {
            continue;
        }
        let bad: Vec<_> = checks.iter().filter(|c| c.verdict == CheckVerdict::Breached).collect();
        let unknown: Vec<_> = checks.iter().filter(|c| !c.evaluated()).collect();
        let n = plural(checks.len() as f64, "check", "checks");
        if bad.is_empty() && unknown.is_empty() {
            let _ = writeln!(o, "{label}: holds ({n}).");
        }
        if !bad.is_empty() {
            let _ = writeln!(o, "{label}: BREACHED in {} of {n}:", bad.len());
            for c in bad {
                let _ = writeln!(o, "  {}: {} > {}", c.what, fmt_check_value(c), fmt_check_limit(c));
            }
        }
        if !unknown.is_empty() {
            let _ = writeln!(o, "{label}: NOT EVALUATED in {} of {n}:", unknown.len());
            for c in unknown {
                let _ = writeln!(o, "  {} (limit {}): {}", c.what, fmt_check_limit(c), fmt_check_value(c));
            }
        }
    }
}

fn plan_lines(o: &mut String, r: &RunResult) {
    let all = &r.checks.plan_comparisons;
    if all.is_empty() {
        return;
    }
    let dis: Vec<_> = all.iter().filter(|c| !c.agrees).collect();
    let agree = all.len() - dis.len();
    let _ = writeln!(
        o,
        "Against the plan: {agree} of {} {} within 10%.",
        plural(all.len() as f64, "figure", "figures"),
        if agree == 1 { "agrees" } else { "agree" }
    );
    for c in dis {
        let _ = writeln!(
            o,
            "  {}: plan {}, capsim {} ({})",
            c.what,
            fmt_plan_figure(c),
            fmt_capsim_figure(c),
            fmt_difference(c)
        );
    }
}
