//! Alternatives side by side, in words for every format: each alternative's monthly cost next
//! to the chosen plan's, and the break-even (the date the cheaper one changes, and the usage at
//! which the two cost the same). The figures are [`crate::results::alternatives`]'; nothing
//! here computes a price.

use crate::results::alternatives::{rows, AlternativeRow};
use crate::results::RunResult;
use crate::units::{fmt_count, fmt_money};
use std::fmt::Write;

/// Every alternative of the run, from the median replication's monthly bills.
pub fn of(r: &RunResult) -> Vec<AlternativeRow> {
    let months: Vec<_> = r.months.iter().map(|m| m.example.alternatives.clone()).collect();
    rows(&months, r.scenario.hours_per_month / 24.0)
}

/// What the alternatives' bills of the last month could not price (earlier months say the
/// same of smaller volumes).
pub fn warnings(r: &RunResult) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in r.months.iter().rev().take(1).flat_map(|m| &m.example.alternatives) {
        for w in &a.bill.warnings {
            let w = format!("{} `{}`: {w}", a.component, a.alternative);
            if !out.contains(&w) {
                out.push(w);
            }
        }
    }
    out
}

/// The break-even in words: when the cheaper plan changes and at what usage.
pub fn break_even(a: &AlternativeRow) -> String {
    let when = match a.break_even_day {
        Some(d) => format!("the cheaper of the two changes on day {d:.0}"),
        None => "the cheaper of the two does not change within the horizon".to_string(),
    };
    let at = match a.break_even_scale {
        Some(k) if !a.break_even_usage.is_empty() => {
            let usage: Vec<String> = a
                .break_even_usage
                .iter()
                .map(|(m, v)| format!("{} {m}", fmt_count(*v)))
                .collect();
            format!(
                "; they cost the same at {}/month (×{} the last month's usage)",
                usage.join(" + "),
                fmt_sig(k)
            )
        }
        _ => "; they do not cost the same between 1/1000 and 1000 times the last month's usage".to_string(),
    };
    when + &at
}

fn fmt_sig(k: f64) -> String {
    if k >= 10.0 {
        format!("{k:.0}")
    } else if k >= 1.0 {
        format!("{k:.2}")
    } else {
        format!("{k:.3}")
    }
}

/// Plain-text lines for the terminal summary (empty when there are no alternatives).
pub fn text(r: &RunResult) -> String {
    let mut o = String::new();
    let rows = of(r);
    if rows.is_empty() {
        return o;
    }
    let _ = writeln!(o, "Alternatives (priced from the same usage, not in any total):");
    for a in &rows {
        let months: Vec<String> = a
            .months
            .iter()
            .map(|(m, c, x)| format!("m{m} {} vs {}", fmt_money(*c), fmt_money(*x)))
            .collect();
        let _ = writeln!(
            o,
            "  {} on {} vs `{}` ({}/{}): {}; {}.",
            a.component,
            a.chosen_plan,
            a.alternative,
            a.provider,
            a.plan,
            months.join(", "),
            break_even(a)
        );
    }
    for w in warnings(r) {
        let _ = writeln!(o, "  ! {w}");
    }
    o
}

/// The markdown section (empty when there are no alternatives).
pub fn markdown(r: &RunResult) -> String {
    let mut o = String::new();
    let rows = of(r);
    if rows.is_empty() {
        return o;
    }
    let _ = writeln!(o, "## Alternatives side by side\n\nEach alternative is priced from the component's own usage, alone on its plan (no account shared), month by month; none is in any total.\n");
    for a in &rows {
        let _ = writeln!(
            o,
            "### {}: {} vs `{}` ({}/{})\n\n| month | chosen | alternative |\n|---|---|---|",
            a.component, a.chosen_plan, a.alternative, a.provider, a.plan
        );
        for (m, c, x) in &a.months {
            let _ = writeln!(o, "| {m} | {} | {} |", fmt_money(*c), fmt_money(*x));
        }
        let _ = writeln!(o, "\nBreak-even: {}.\n", break_even(a));
    }
    for w in warnings(r) {
        let _ = writeln!(o, "- ⚠ {w}");
    }
    o
}
