//! The run as one self-contained HTML page: scenario, approximation, a plain-words summary,
//! every table a reviewer needs (triggers, costs, the month-1 bill line by line, the plan
//! compared with capsim, budget/SLO checks, queueing theory vs simulation) and the charts
//! inlined as `<svg>`.
//!
//! The page needs nothing from the network (no external CSS, scripts or fonts), prints
//! cleanly, and is deterministic: the same run renders to the same bytes, so reports can be
//! diffed and committed. All text from the run is escaped.

use super::fmt::{days, fmt_count, fmt_seconds, money, money_ci, percent, seconds};
use super::fmt::{fmt_action, fmt_condition, fmt_metric, fmt_prob, fmt_waiting_room};
use super::fmt::{fmt_capsim_figure, fmt_check_limit, fmt_check_value, fmt_difference, fmt_plan_figure};
use super::words::{no_data, stations_preamble, timeout_notes};
use super::Chart;
use crate::results::{Check, CheckVerdict, RunResult, TriggerSummary, Verdict};
use crate::scenario::Metric;
use std::fmt::Write;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const DASH: &str = "–";

/// The report pages' stylesheet (a system's page, `crate::envs::html`, uses it too).
pub const CSS: &str = r#"
:root { --ink: #1b1f24; --muted: #5a6370; --line: #d5d9de; --zebra: #f6f7f9;
        --pass: #e3f4ea; --pass-ink: #0a6b3d; --fail: #fde7e3; --fail-ink: #a3260b;
        --warn: #fff4d6; --warn-edge: #e69f00; --accent: #0072b2; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
       font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; }
pre.summary { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--zebra); padding: .7rem 1rem;
              font-size: .85rem; line-height: 1.45; }
h1 { font-size: 1.9rem; margin: 0 0 .3rem; line-height: 1.2; }
h2 { font-size: 1.35rem; margin: 2.2rem 0 .6rem; padding-bottom: .25rem; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
p { margin: .4rem 0 .8rem; }
.lede { color: var(--muted); font-size: 1.05rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1.2rem; margin: 1rem 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.approx { background: var(--zebra); border-left: 4px solid var(--accent); padding: .6rem 1rem; }
.warning { background: var(--warn); border: 1px solid var(--warn-edge); border-left: 6px solid var(--warn-edge);
           padding: .7rem 1rem; margin: 1.2rem 0; }
.warning strong { display: block; margin-bottom: .2rem; }
.table-wrap { overflow-x: auto; max-width: 100%; }
td, th, dd, li, p, figcaption, code { overflow-wrap: break-word; }
.warning ul { margin: .3rem 0 0; padding-left: 1.2rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
caption { text-align: left; color: var(--muted); padding: .2rem 0 .4rem; }
th, td { border: 1px solid var(--line); padding: .35rem .55rem; text-align: left; vertical-align: top; }
th { background: #eef1f4; font-weight: 600; }
tbody tr:nth-child(even) td { background: var(--zebra); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; overflow-wrap: normal; }
td.num { white-space: nowrap; }
td.cond { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .82rem; }
td.arith { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; }
tr.group td { background: #e8eef5; font-weight: 600; }
tr.total td { font-weight: 700; border-top: 2px solid var(--ink); }
tr.first-total td { border-bottom: 2px solid var(--ink); background: #eef1f4; }
td.wrap { text-align: right; }
tbody tr.disagree td { background: var(--fail); }
td.pass { background: var(--pass) !important; color: var(--pass-ink); font-weight: 600; }
td.fail { background: var(--fail) !important; color: var(--fail-ink); font-weight: 700; }
.muted { color: var(--muted); }
figure { margin: 1.2rem 0 1.8rem; }
figure svg { display: block; width: 100%; max-width: 900px; height: auto; border: 1px solid var(--line); }
figcaption { color: var(--muted); font-size: .9rem; margin-top: .3rem; }
ul.notes li { margin: .2rem 0; }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  figure, tr, .warning, .approx { break-inside: avoid; }
  table { font-size: 9pt; }
  .table-wrap { overflow: visible; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

/// Writes a table row of already-escaped cells, each `(class, html)`.
fn row(out: &mut String, cells: &[(&str, String)]) {
    out.push_str("<tr>");
    out.push_str(&row_cells(cells));
    out.push_str("</tr>\n");
}

/// The `<td>` cells of a row.
fn row_cells(cells: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (class, html) in cells {
        if class.is_empty() {
            let _ = write!(out, "<td>{html}</td>");
        } else {
            let _ = write!(out, "<td class=\"{class}\">{html}</td>");
        }
    }
    out
}

fn head(out: &mut String, caption: &str, headers: &[(&str, &str)]) {
    out.push_str("<div class=\"table-wrap\"><table>\n");
    if !caption.is_empty() {
        let _ = writeln!(out, "<caption>{}</caption>", escape(caption));
    }
    out.push_str("<thead><tr>");
    for (class, h) in headers {
        if class.is_empty() {
            let _ = write!(out, "<th scope=\"col\">{}</th>", escape(h));
        } else {
            let _ = write!(out, "<th scope=\"col\" class=\"{class}\">{}</th>", escape(h));
        }
    }
    out.push_str("</tr></thead>\n<tbody>\n");
}

fn foot(out: &mut String) {
    out.push_str("</tbody></table></div>\n");
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn trigger_value(t: &TriggerSummary, v: f64) -> String {
    match Metric::ALL.iter().find(|m| m.0 == t.condition.metric) {
        Some(m) => fmt_metric(m.2, v),
        None if v.is_finite() => fmt_count(v),
        None => DASH.into(),
    }
}

fn section(out: &mut String, id: &str, title: &str) {
    let _ = writeln!(out, "<section id=\"{id}\">\n<h2>{}</h2>", escape(title));
}

/// A summary in plain words, for when the caller has none of its own.
fn plain_summary(r: &RunResult) -> String {
    let mut items: Vec<String> = Vec::new();
    let sc = &r.scenario;
    items.push(format!(
        "{} simulated over {:.0} days from stage <code>{}</code>, {} (seed {}).",
        escape(&sc.name),
        sc.horizon_days,
        escape(&sc.start_stage),
        plural(sc.replications as usize, "replication", "replications"),
        sc.seed
    ));
    let month = |m: &crate::run::MonthSummary| {
        if m.covered < 0.999 {
            format!(
                "month {} costs {} ({} of it simulated; billed as a whole month at the rate of its end)",
                m.month,
                escape(&money_ci(&m.total)),
                percent(m.covered)
            )
        } else {
            format!("month {} costs {}", m.month, escape(&money_ci(&m.total)))
        }
    };
    match r.months.as_slice() {
        [] => {}
        [only] => items.push(format!("{}.", capitalize(&month(only)))),
        [first, .., last] => items.push(format!("{}; {}.", capitalize(&month(first)), month(last))),
    }
    let fired: Vec<&TriggerSummary> = r.triggers.iter().filter(|t| t.fired_in > 0).collect();
    if !r.triggers.is_empty() {
        if fired.is_empty() {
            items.push(format!(
                "None of the {} fired.",
                plural(r.triggers.len(), "trigger", "triggers")
            ));
        } else {
            let list: Vec<String> = fired
                .iter()
                .map(|t| {
                    format!(
                        "<strong>{}</strong> (in {} of {} replications, median day {})",
                        escape(&t.name),
                        t.fired_in,
                        t.replications,
                        days(t.first_fire.p50)
                    )
                })
                .collect();
            items.push(format!(
                "{} of {} fired: {}.",
                fired.len(),
                plural(r.triggers.len(), "trigger", "triggers"),
                list.join("; ")
            ));
        }
    }
    for (what, checks) in [("budget", &r.checks.budget), ("SLO", &r.checks.slo)] {
        if checks.is_empty() {
            continue;
        }
        let failed: Vec<&Check> = checks.iter().filter(|c| !c.ok()).collect();
        if failed.is_empty() {
            items.push(if checks.len() == 1 {
                format!("The {what} check passes.")
            } else {
                format!("All {} {what} checks pass.", checks.len())
            });
        } else {
            let list: Vec<String> = failed
                .iter()
                .map(|c| match c.evaluated() {
                    true => format!(
                        "{} is {} against {}",
                        escape(&c.what),
                        escape(&fmt_check_value(c)),
                        escape(&fmt_check_limit(c))
                    ),
                    false => format!(
                        "{} ({}) is {}",
                        escape(&c.what),
                        escape(&fmt_check_limit(c)),
                        escape(&fmt_check_value(c))
                    ),
                })
                .collect();
            let head = if checks.len() == 1 {
                format!("The {what} check fails")
            } else {
                format!("{} of {} {what} checks fail", failed.len(), checks.len())
            };
            items.push(format!("<strong>{head}</strong>: {}.", list.join("; ")));
        }
    }
    let disagree = r.checks.plan_comparisons.iter().filter(|c| !c.agrees).count();
    if !r.checks.plan_comparisons.is_empty() {
        items.push(format!(
            "capsim disagrees with {} of the plan's {} figures by more than 10 %.",
            disagree,
            r.checks.plan_comparisons.len()
        ));
    }
    if let Some(i) = &r.instability {
        items.push(format!(
            "<strong>Unstable</strong> in {} of {} replications from day {}: {}.",
            i.replications,
            sc.replications,
            days(i.first_time_seconds),
            escape(&i.message)
        ));
    }
    let mut out = String::from("<ul>\n");
    for i in items {
        let _ = writeln!(out, "<li>{i}</li>");
    }
    out.push_str("</ul>\n");
    out
}

/// The warnings that change the meaning of the numbers, in a box at the top (empty when none).
fn warnings_box(r: &RunResult) -> String {
    let list = super::words::warnings(r);
    if list.is_empty() {
        return String::new();
    }
    let items: String = list.iter().map(|w| format!("<li>{}</li>\n", escape(w))).collect();
    format!(
        "<div class=\"warning\" role=\"alert\" id=\"warnings\"><strong>⚠ Read these first: {}</strong>\n<ul>\n{items}</ul></div>\n",
        escape(&super::words::plural(list.len() as f64, "warning", "warnings"))
    )
}

mod alternatives;
mod clientlimit;
mod tables;
use tables::*;

/// The whole report page. `summary_markdown_html` is trusted, already-rendered HTML (from the
/// Markdown report); when absent a short summary is written from the run itself. Charts are
/// inlined in the order given.
pub fn render(r: &RunResult, summary_markdown_html: Option<&str>, charts: &[Chart]) -> String {
    let sc = &r.scenario;
    let mut out = String::with_capacity(64 * 1024 + charts.iter().map(|c| c.svg.len()).sum::<usize>());
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>capsim report: {}</title>", escape(&sc.name));
    let _ = writeln!(out, "<style>{CSS}</style>\n</head>\n<body>\n<main>");

    // Title and scenario.
    let _ = writeln!(out, "<header>\n<h1>{}</h1>", escape(&sc.name));
    if let Some(d) = &sc.description {
        let _ = writeln!(out, "<p class=\"lede\">{}</p>", escape(d));
    }
    out.push_str("<dl class=\"facts\">\n");
    let horizon = if sc.horizon_days < 2.0 {
        format!("{:.1} hours", sc.horizon_days * 24.0)
    } else {
        format!("{:.0} days", sc.horizon_days)
    };
    let mut facts: Vec<(&str, String)> = vec![
        ("Scenario file", sc.file.clone()),
        ("Start stage", sc.start_stage.clone()),
        ("Horizon", horizon),
        ("Report period", fmt_seconds(sc.resolution_seconds)),
        ("Replications", sc.replications.to_string()),
        ("Seed", sc.seed.to_string()),
        ("Hours per month", format!("{}", sc.hours_per_month)),
        ("Pricing catalogs", sc.pricing.to_string()),
    ];
    if let Some(s) = &sc.source {
        facts.push(("Source", s.clone()));
    }
    for (k, v) in facts {
        let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(&v));
    }
    out.push_str("</dl>\n</header>\n");

    section(&mut out, "approximation", "How this was simulated");
    let _ = writeln!(out, "<p class=\"approx\">{}</p>\n</section>", escape(&sc.approximation));

    out.push_str(&warnings_box(r));
    out.push_str(&super::overload_box(r));
    section(&mut out, "summary", "Summary");
    match summary_markdown_html {
        Some(html) => {
            out.push_str(html);
            out.push('\n');
        }
        None => out.push_str(&plain_summary(r)),
    }
    out.push_str("</section>\n");

    triggers_table(&mut out, r);
    monthly_table(&mut out, r);
    out.push_str(&alternatives::html(r));
    bill_table(&mut out, r);
    comparisons_table(&mut out, r);
    checks_table(&mut out, r);
    out.push_str(&clientlimit::html(r));
    stations_table(&mut out, r);

    if !charts.is_empty() {
        section(&mut out, "charts", "Charts");
        for c in charts {
            let _ = writeln!(out, "<figure id=\"chart-{}\">", escape(c.file.trim_end_matches(".svg")));
            out.push_str(c.svg.trim_start_matches(|ch: char| ch != '<').trim());
            let _ = writeln!(
                out,
                "\n<figcaption>{} <span class=\"muted\">({})</span></figcaption>\n</figure>",
                escape(&c.title),
                escape(c.file)
            );
        }
        out.push_str("</section>\n");
    }

    if !r.notes.is_empty() {
        section(&mut out, "notes", "Notes");
        out.push_str("<ul class=\"notes\">\n");
        for n in &r.notes {
            let _ = writeln!(out, "<li>{}</li>", escape(n));
        }
        out.push_str("</ul>\n</section>\n");
    }

    out.push_str("<footer><p class=\"muted\">Generated by capsim.</p></footer>\n</main>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests;
