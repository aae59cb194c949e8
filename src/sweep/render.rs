//! A sweep's report: `sweep.md` and `sweep.html` (the table, the answers, the charts),
//! `sweep.csv` (one row per grid point), `sweep.json` (everything, with units in the key
//! names) and the charts of [`super::chart`].
//!
//! Costs are those of the **last month** of the horizon (the month the planner sizes for),
//! mean across replications; latencies and the error rate are those of the worst busy window;
//! a trigger's time is the median day of first firing where it fires in at least half the
//! replications.

use super::answers::{Line, Status};
use super::point::{Point, PointCheck};
use super::{Outcome, Sweep};
use crate::report::html::escape;
use crate::textsafe::csv_text;
use crate::units::{fmt_money, fmt_percent, fmt_seconds};
use std::io;

/// A parameter value: whole numbers without decimals, others with up to 4 significant digits.
pub fn num(x: f64) -> String {
    if x == x.round() && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        let s = format!("{x:.4}");
        let digits = (4 - x.abs().log10().floor() as i32 - 1).clamp(0, 6) as usize;
        let s2 = format!("{x:.digits$}");
        if s2.len() < s.len() {
            s2
        } else {
            s
        }
    }
}

fn opt(x: Option<f64>, f: fn(f64) -> String) -> String {
    x.map_or("–".into(), f)
}

/// A checked figure in its unit.
fn fig(c: &PointCheck, v: f64) -> String {
    match c.unit.as_str() {
        "dollars" => fmt_money(v),
        "seconds" => fmt_seconds(v),
        "fraction" => fmt_percent(v),
        _ => num(v),
    }
}

/// The table of the grid: header and rows of text.
fn table(sw: &Sweep, o: &Outcome) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header: Vec<String> = sw.spec.vary.iter().map(|v| v.path.clone()).collect();
    header.extend(
        [
            "cost, last month",
            "p95 latency",
            "p99 latency",
            "error rate",
            "API utilization",
            "checks",
            "triggers firing",
        ]
        .map(String::from),
    );
    let rows = o
        .points
        .iter()
        .map(|p| {
            let mut r: Vec<String> = p.values.iter().map(|x| num(*x)).collect();
            let broken: Vec<&str> = p
                .checks
                .iter()
                .filter(|c| c.verdict != super::point::Verdict::Ok)
                .map(|c| c.id.as_str())
                .collect();
            let firing: Vec<&str> = p
                .triggers
                .iter()
                .filter(|t| t.fires())
                .map(|t| t.name.as_str())
                .collect();
            r.extend([
                opt(p.cost_total, fmt_money),
                opt(p.latency_p95, fmt_seconds),
                opt(p.latency_p99, fmt_seconds),
                opt(p.error_rate, fmt_percent),
                opt(p.utilization, fmt_percent),
                match (p.checks.len(), broken.len()) {
                    (0, _) => "none".into(),
                    (_, 0) => "all hold".into(),
                    _ => format!("fail: {}", broken.join(", ")),
                },
                if firing.is_empty() {
                    "–".into()
                } else {
                    firing.join(", ")
                },
            ]);
            r
        })
        .collect();
    (header, rows)
}

fn binding_text(checks: &[PointCheck]) -> String {
    let parts: Vec<String> = checks
        .iter()
        .map(|c| {
            let spread = c
                .spread
                .map_or(String::new(), |(a, b)| format!(", P10–P90 {}–{}", fig(c, a), fig(c, b)));
            match c.measured {
                Some(m) => format!("{} {} (limit {}{spread})", c.id, fig(c, m), fig(c, c.limit)),
                None => format!("{} not evaluated", c.id),
            }
        })
        .collect();
    parts.join("; ")
}

/// The answers of one line, as sentences.
fn answers(sw: &Sweep, l: &Line) -> Vec<String> {
    let p = &sw.spec.vary[0].path;
    let h = &l.headroom;
    let mut out = vec![match h.status {
        Status::NoChecks => "Headroom: the scenario has no budget and no SLO, so nothing bounds it.".to_string(),
        Status::HoldsEverywhere => format!(
            "Headroom: every budget and SLO holds over the whole range, up to {p} = {}.",
            opt(h.holds_at, num)
        ),
        Status::FailsEverywhere => format!(
            "Headroom: none in the range; already at {p} = {}: {}.",
            opt(h.fails_at, num),
            binding_text(&h.binding)
        ),
        Status::Found => format!(
            "Headroom: {p} = {} (every budget and SLO holds; fails at {}, tolerance {}, {} bisection runs). \
             Binds: {}. At the headroom: {}.",
            opt(h.holds_at, num),
            opt(h.fails_at, num),
            num(sw.tolerance),
            h.bisection.len(),
            binding_text(&h.binding),
            binding_text(&h.at_headroom)
        ),
    }];
    if h.non_monotone {
        out.push("Note: a grid point above the first failure holds again; the headroom is the first edge.".into());
    }
    for t in &l.onsets {
        out.push(match (t.fires_from, t.not_at) {
            (None, _) => format!("Trigger “{}” fires at no point of the range.", t.trigger),
            (Some(x), None) => format!(
                "Trigger “{}” fires from the first point, {p} = {} (median day {}).",
                t.trigger,
                num(x),
                opt(t.first_fire_days, num)
            ),
            (Some(x), Some(b)) => format!(
                "Trigger “{}” starts to fire between {p} = {} and {} (median day {} at {}).",
                t.trigger,
                num(b),
                num(x),
                opt(t.first_fire_days, num),
                num(x)
            ),
        });
    }
    for b in &l.break_evens {
        let (cheap, dear) = if b.alternative_cheaper_first {
            ("the alternative", "the chosen plan")
        } else {
            ("the chosen plan", "the alternative")
        };
        out.push(match b.at {
            Some(x) => format!(
                "Break-even of {} “{}”: at {p} ≈ {} ({cheap} is cheaper below, {dear} above; last month's cost).",
                b.component,
                b.alternative,
                num(x)
            ),
            None => format!(
                "Break-even of {} “{}”: none in the range ({cheap} is cheaper throughout).",
                b.component, b.alternative
            ),
        });
    }
    out
}

fn line_title(sw: &Sweep, l: &Line) -> String {
    match (sw.spec.vary.get(1), l.second) {
        (Some(v), Some(x)) => format!("{} = {}", v.path, num(x)),
        _ => "Answers".into(),
    }
}

fn intro(sw: &Sweep) -> String {
    format!(
        "{} points, seed {}, {} replications each (the same seeds at every point). Costs are the last month's, \
         mean across replications; latencies and the error rate are the worst busy window's.",
        sw.len(),
        sw.seed,
        sw.replications
    )
}

/// `sweep.md`.
pub fn markdown(sw: &Sweep, o: &Outcome, charts: &[crate::report::Chart]) -> String {
    let mut s = format!("# Sweep of {}\n\n{}\n\n", sw.name, intro(sw));
    for l in &o.lines {
        s.push_str(&format!("## {}\n\n", line_title(sw, l)));
        for a in answers(sw, l) {
            s.push_str(&format!("- {a}\n"));
        }
        s.push('\n');
    }
    let (header, rows) = table(sw, o);
    let cell = |c: &String| c.replace('|', "\\|");
    s.push_str("## Points\n\n| ");
    s.push_str(&header.iter().map(cell).collect::<Vec<_>>().join(" | "));
    s.push_str(" |\n|");
    s.push_str(&"---|".repeat(header.len()));
    s.push('\n');
    for r in rows {
        s.push_str(&format!("| {} |\n", r.iter().map(cell).collect::<Vec<_>>().join(" | ")));
    }
    for c in charts {
        s.push_str(&format!("\n![{}]({})\n", c.title, c.file));
    }
    s
}

/// `sweep.html`.
pub fn html(sw: &Sweep, o: &Outcome, charts: &[crate::report::Chart]) -> String {
    let title = escape(&format!("Sweep of {}", sw.name));
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto}}table{{border-collapse:collapse}}\
         td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}</style></head><body>\n<h1>{title}</h1>\n<p>{}</p>\n",
        escape(&intro(sw))
    );
    for l in &o.lines {
        s.push_str(&format!("<h2>{}</h2>\n<ul>\n", escape(&line_title(sw, l))));
        for a in answers(sw, l) {
            s.push_str(&format!("<li>{}</li>\n", escape(&a)));
        }
        s.push_str("</ul>\n");
    }
    let (header, rows) = table(sw, o);
    s.push_str("<h2>Points</h2>\n<table>\n<tr>");
    for h in header {
        s.push_str(&format!("<th>{}</th>", escape(&h)));
    }
    s.push_str("</tr>\n");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            s.push_str(&format!("<td>{}</td>", escape(&c)));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table>\n");
    for c in charts {
        s.push_str(&format!(
            "<figure><img src=\"{}\" alt=\"{}\"></figure>\n",
            c.file,
            escape(&c.title)
        ));
    }
    s.push_str("</body></html>\n");
    s
}

fn f(x: Option<f64>) -> String {
    x.map_or(String::new(), |v| v.to_string())
}

/// `sweep.csv`: one row per grid point. Units in the column names; an empty cell is no data.
pub fn csv(o: &Outcome, sw: &Sweep) -> io::Result<Vec<u8>> {
    let first = o.points.first();
    let mut comps: Vec<&str> = Vec::new();
    for p in &o.points {
        for (c, _) in &p.cost_components {
            if !comps.contains(&c.as_str()) {
                comps.push(c);
            }
        }
    }
    let mut header: Vec<String> = sw.spec.vary.iter().map(|v| v.path.clone()).collect();
    header.extend(["month", "cost_total_usd"].map(String::from));
    header.extend(comps.iter().map(|c| format!("cost_{c}_usd")));
    header.extend(["latency_p95_s", "latency_p99_s", "error_rate", "api_utilization"].map(String::from));
    for t in first.map_or(&[][..], |p| &p.triggers[..]) {
        header.push(format!("trigger_first_fire_day:{}", t.name));
        header.push(format!("trigger_fired_in:{}", t.name));
    }
    header.extend(
        first
            .map_or(&[][..], |p| &p.checks[..])
            .iter()
            .map(|c| format!("check:{}", c.id)),
    );
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header.iter().map(|h| csv_text(h).into_owned()))?;
    for p in &o.points {
        let mut r: Vec<String> = p.values.iter().map(|x| x.to_string()).collect();
        r.push(p.month.to_string());
        r.push(f(p.cost_total));
        for c in &comps {
            r.push(f(row_cost(p, c)));
        }
        r.extend([f(p.latency_p95), f(p.latency_p99), f(p.error_rate), f(p.utilization)]);
        for t in &p.triggers {
            r.push(if t.fires() { f(t.first_fire_days) } else { String::new() });
            r.push(format!("{}/{}", t.fired_in, t.replications));
        }
        r.extend(p.checks.iter().map(|c| c.verdict.label().to_string()));
        w.write_record(r.iter().map(|c| csv_text(c).into_owned()))?;
    }
    w.into_inner().map_err(|e| io::Error::other(e.to_string()))
}

fn row_cost(p: &Point, comp: &str) -> Option<f64> {
    p.cost_components.iter().find(|(c, _)| c == comp).and_then(|(_, v)| *v)
}

/// `sweep.json`.
pub fn json(sw: &Sweep, o: &Outcome) -> Result<Vec<u8>, String> {
    let params: Vec<serde_json::Value> = sw
        .spec
        .vary
        .iter()
        .zip(&sw.axes)
        .map(|(v, a)| serde_json::json!({"path": v.path, "values": a}))
        .collect();
    let doc = serde_json::json!({
        "scenario": sw.spec.scenario,
        "name": sw.name,
        "sweep_hash": sw.hash,
        "seed": sw.seed,
        "replications": sw.replications,
        "parameters": params,
        "tolerance": sw.tolerance,
        "units": "costs in US dollars for the last month (mean across replications); latency in seconds; \
                  error rate and utilization as fractions; trigger times in days from the start",
        "points": o.points,
        "lines": o.lines,
    });
    let mut bytes = serde_json::to_vec_pretty(&doc).map_err(|e| e.to_string())?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Every file of the report, rendered, with the charts of [`super::chart::charts`].
pub fn files(sw: &Sweep, o: &Outcome, charts: Vec<crate::report::Chart>) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut out = vec![
        ("sweep.md".to_string(), markdown(sw, o, &charts).into_bytes()),
        ("sweep.html".to_string(), html(sw, o, &charts).into_bytes()),
        ("sweep.csv".to_string(), csv(o, sw).map_err(|e| e.to_string())?),
        ("sweep.json".to_string(), json(sw, o)?),
    ];
    out.extend(charts.into_iter().map(|c| (c.file.to_string(), c.svg.into_bytes())));
    Ok(out)
}

/// The answers for the terminal.
pub fn summary_text(sw: &Sweep, o: &Outcome) -> String {
    let mut s = String::new();
    for l in &o.lines {
        if l.second.is_some() {
            s.push_str(&format!("{}:\n", line_title(sw, l)));
        }
        for a in answers(sw, l) {
            s.push_str(&format!("  {a}\n"));
        }
    }
    s
}
