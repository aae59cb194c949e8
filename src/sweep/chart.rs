//! The charts of a sweep against its first parameter: the last month's cost, the worst busy
//! window's latency, and the day each trigger first fires; one line per value of the second
//! parameter. Drawn by [`crate::report::svg::xy`].

use super::point::Point;
use super::{Outcome, Sweep};
use crate::report::svg::xy::{xy, XyChart, XyLine};
use crate::report::svg::{axis_num, money_axis};
use crate::report::Chart;

/// The label of a line: the second parameter's value, or `what` alone.
fn label(sw: &Sweep, line: &[Point], what: &str) -> String {
    match (sw.spec.vary.get(1), line.first().and_then(|p| p.values.get(1))) {
        (Some(v), Some(x)) => format!("{what}, {} = {}", v.path, super::render::num(*x)),
        _ => what.to_string(),
    }
}

fn lines(sw: &Sweep, o: &Outcome, what: &str, y: impl Fn(&Point) -> Option<f64>) -> Vec<XyLine> {
    o.points
        .chunks(sw.axes[0].len())
        .map(|line| XyLine {
            label: label(sw, line, what),
            points: line.iter().map(|p| (p.values[0], y(p).unwrap_or(f64::NAN))).collect(),
        })
        .collect()
}

/// The limits of the checks with id `prefix…`, once each.
fn limits(o: &Outcome, keep: impl Fn(&str) -> bool, factor: f64, name: &str) -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = Vec::new();
    for c in o.points.iter().flat_map(|p| &p.checks).filter(|c| keep(&c.id)) {
        let l = (format!("{name} {}", c.id), c.limit * factor);
        if !out.contains(&l) {
            out.push(l);
        }
    }
    out
}

/// Every chart with data.
pub fn charts(sw: &Sweep, o: &Outcome) -> Vec<Chart> {
    let x_desc = sw.spec.vary[0].path.clone();
    let ms = |v: f64| axis_num(v);
    let mut latency = lines(sw, o, "p95", |p| p.latency_p95.map(|s| s * 1000.0));
    if sw.axes.len() == 1 {
        latency.extend(lines(sw, o, "p99", |p| p.latency_p99.map(|s| s * 1000.0)));
    }
    let triggers = o.points.first().map_or(0, |p| p.triggers.len());
    let trigger_lines = (0..triggers)
        .flat_map(|t| {
            let name = o.points[0].triggers[t].name.clone();
            lines(sw, o, &name, move |p| {
                p.triggers.get(t).filter(|x| x.fires()).and_then(|x| x.first_fire_days)
            })
        })
        .collect();
    let budget = |id: &str| id.starts_with("budget.") && id.ends_with(".total");
    let slo = |id: &str| id.starts_with("slo.latency");
    [
        XyChart {
            file: "cost.svg",
            title: format!("Cost of the last month against {x_desc} (US$ a month)"),
            x_desc: x_desc.clone(),
            y_desc: "US$ a month".into(),
            lines: lines(sw, o, "total", |p| p.cost_total),
            limits: limits(o, budget, 1.0, "budget"),
            y_fmt: money_axis,
        },
        XyChart {
            file: "latency.svg",
            title: format!("Latency, worst busy window, against {x_desc} (ms)"),
            x_desc: x_desc.clone(),
            y_desc: "milliseconds".into(),
            lines: latency,
            limits: limits(o, slo, 1000.0, "SLO"),
            y_fmt: ms,
        },
        XyChart {
            file: "triggers.svg",
            title: format!("Day each trigger first fires (median) against {x_desc}"),
            x_desc,
            y_desc: "days from start".into(),
            lines: trigger_lines,
            limits: Vec::new(),
            y_fmt: ms,
        },
    ]
    .into_iter()
    .filter_map(xy)
    .collect()
}
