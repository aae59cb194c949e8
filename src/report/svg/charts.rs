//! The report's charts, each from a `RunResult` (the drawing helpers are in the parent module).

use super::*;

/// `queue_backlog.svg`: requests waiting for an API worker and background jobs waiting.
pub fn queue_backlog(r: &RunResult) -> Option<Chart> {
    let axis = time_axis(r);
    time_chart(
        r,
        TimeChart {
            file: "queue_backlog.svg",
            title: "Waiting in queues, busy window (count)".into(),
            y_desc: "waiting (count)".into(),
            lines: vec![
                series_line(
                    r,
                    axis,
                    "api_queue_mean",
                    "API requests waiting, mean",
                    PALETTE[0],
                    1.0,
                    At::Middle,
                ),
                series_line(
                    r,
                    axis,
                    "queue_backlog_max",
                    "background jobs waiting, max",
                    PALETTE[3],
                    1.0,
                    At::Middle,
                ),
                series_line(
                    r,
                    axis,
                    "queue_backlog_mean",
                    "background jobs waiting, mean",
                    PALETTE[1],
                    1.0,
                    At::Middle,
                ),
            ],
            hlines: trigger_hlines(r, &["queue.backlog"], 1.0),
            y_min_top: 0.0,
            y_fmt: axis_num,
        },
    )
}

/// The latency SLO limits found in the run's checks, in milliseconds: (percentile, ms).
fn latency_slos(r: &RunResult) -> Vec<(&'static str, f64)> {
    let mut out = Vec::new();
    for c in &r.checks.slo {
        let pct = match c.id.as_str() {
            "slo.latency_p95" => "p95",
            "slo.latency_p99" => "p99",
            _ => continue,
        };
        out.push((pct, c.limit * 1e3));
    }
    out
}

/// `latency.svg`: end-to-end response time percentiles in the busy window, with the SLO.
pub fn latency(r: &RunResult) -> Option<Chart> {
    let axis = time_axis(r);
    let colors = [("p50", PALETTE[0]), ("p95", PALETTE[1]), ("p99", PALETTE[3])];
    let lines = colors
        .iter()
        .map(|(p, c)| {
            series_line(
                r,
                axis,
                &format!("latency_{p}"),
                &format!("{p} latency"),
                *c,
                1e3,
                At::Middle,
            )
        })
        .collect();
    let mut hlines: Vec<HLine> = latency_slos(r)
        .into_iter()
        .map(|(p, ms)| HLine {
            label: format!("{p} SLO {} ms", axis_num(ms)),
            color: colors.iter().find(|c| c.0 == p).map(|c| c.1).unwrap_or(PALETTE[7]),
            y: ms,
        })
        .collect();
    hlines.extend(trigger_hlines(r, &["latency"], 1e3));
    time_chart(
        r,
        TimeChart {
            file: "latency.svg",
            title: "Response time, busy window (ms)".into(),
            y_desc: "latency (ms)".into(),
            lines,
            hlines,
            y_min_top: 0.0,
            y_fmt: axis_num,
        },
    )
}

/// `utilization.svg`: how busy each component is, in percent, the axis scaled to the data and
/// the thresholds of the triggers on these metrics.
pub fn utilization(r: &RunResult) -> Option<Chart> {
    let axis = time_axis(r);
    let specs = [
        ("api_cpu", "API CPU"),
        ("api_utilization", "API workers busy"),
        ("db_utilization", "DB connections busy"),
        ("vector_utilization", "vector store busy"),
        ("queue_utilization", "job workers busy"),
    ];
    let lines = specs
        .iter()
        .enumerate()
        .map(|(i, (k, l))| series_line(r, axis, k, l, PALETTE[i], 100.0, At::Middle))
        .collect();
    time_chart(
        r,
        TimeChart {
            file: "utilization.svg",
            title: "Utilization by component, busy window (%)".into(),
            y_desc: "utilization (%)".into(),
            lines,
            hlines: trigger_hlines(r, &["api.cpu", "api.utilization", "database.utilization"], 100.0),
            y_min_top: 1.0,
            y_fmt: percent_axis,
        },
    )
}

/// `database_size.svg`: database (and object store) size at the end of each period.
pub fn database_size(r: &RunResult) -> Option<Chart> {
    let axis = time_axis(r);
    let obj = series_index("object_store_size");
    let with_objects = r
        .periods
        .iter()
        .any(|p| p.series.get(obj).is_some_and(|v| v.mean.is_finite() && v.mean != 0.0));
    let largest = r
        .periods
        .iter()
        .flat_map(|p| {
            ["db_size", "object_store_size"].map(|k| p.series.get(series_index(k)).map_or(f64::NAN, |v| v.mean))
        })
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    if largest <= 0.0 {
        return None; // nothing stored (no database in the scenario)
    }
    let thresholds = trigger_hlines(r, &["database.size", "object_store.size"], 1.0);
    let (unit, div) = if largest >= 1e12 {
        ("TB", 1e12)
    } else if largest >= 1e9 {
        ("GB", 1e9)
    } else {
        ("MB", 1e6)
    };
    let mut lines = vec![series_line(
        r,
        axis,
        "db_size",
        "database",
        PALETTE[0],
        1.0 / div,
        At::End,
    )];
    if with_objects {
        lines.push(series_line(
            r,
            axis,
            "object_store_size",
            "object store",
            PALETTE[2],
            1.0 / div,
            At::End,
        ));
    }
    let title = if with_objects {
        format!("Stored data at the end of each period ({unit})")
    } else {
        format!("Database size at the end of each period ({unit})")
    };
    time_chart(
        r,
        TimeChart {
            file: "database_size.svg",
            title,
            y_desc: format!("size ({unit})"),
            lines,
            hlines: thresholds.into_iter().map(|h| HLine { y: h.y / div, ..h }).collect(),
            y_min_top: 0.0,
            y_fmt: axis_num,
        },
    )
}

/// `recovery.svg`: the RTO and RPO the backups give at the end of each period, with the
/// thresholds of the triggers on `database.rto` and `database.rpo` (the scenario's recovery
/// objectives). Minutes, or hours when a value or an objective reaches 3 hours. `None` without
/// backups (both series missing).
pub fn recovery(r: &RunResult) -> Option<Chart> {
    let axis = time_axis(r);
    let seconds = trigger_hlines(r, &["database.rto", "database.rpo"], 1.0);
    let largest = r
        .periods
        .iter()
        .flat_map(|p| {
            ["database_rto", "database_rpo"].map(|k| p.series.get(series_index(k)).map_or(f64::NAN, |v| v.mean))
        })
        .chain(seconds.iter().map(|h| h.y))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let (unit, div) = if largest >= 3.0 * 3600.0 {
        ("h", 3600.0)
    } else {
        ("min", 60.0)
    };
    let lines = vec![
        series_line(
            r,
            axis,
            "database_rto",
            "RTO (restore time)",
            PALETTE[3],
            1.0 / div,
            At::End,
        ),
        series_line(
            r,
            axis,
            "database_rpo",
            "RPO (data lost at most)",
            PALETTE[0],
            1.0 / div,
            At::End,
        ),
    ];
    time_chart(
        r,
        TimeChart {
            file: "recovery.svg",
            title: format!("Recovery objectives from the backups, end of each period ({unit})"),
            y_desc: format!("time ({unit})"),
            lines,
            hlines: seconds.into_iter().map(|h| HLine { y: h.y / div, ..h }).collect(),
            y_min_top: 0.0,
            y_fmt: axis_num,
        },
    )
}

/// A component's colour, by its place in the run's component list: the same on every chart.
fn component_color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Triggers on the whole monthly cost (`cost.monthly` of every component) as threshold lines.
fn total_cost_triggers(r: &RunResult) -> Vec<HLine> {
    let whole: Vec<&str> = r
        .triggers
        .iter()
        .filter(|t| t.condition.metric == "cost.monthly" && t.condition.components.is_empty())
        .map(|t| t.name.as_str())
        .collect();
    trigger_hlines(r, &["cost.monthly"], 1.0)
        .into_iter()
        .filter(|h| whole.iter().any(|n| h.label.starts_with(&format!("trigger {n} ("))))
        .collect()
}

/// `monthly_cost.svg`: the monthly run-rate of each period, stacked by component.
pub fn monthly_cost(r: &RunResult) -> Option<Chart> {
    let axis = time_axis(r);
    let nc = r.components.len();
    // Per period: (x0, x1, per-component values with NaN as 0), for periods with any data.
    let rows: Vec<Option<(f64, f64, Vec<f64>)>> = r
        .periods
        .iter()
        .map(|p| {
            let v: Vec<f64> = (0..nc)
                .map(|c| p.component_costs.get(c).map_or(f64::NAN, |s| s.mean))
                .collect();
            v.iter().any(|x| x.is_finite()).then(|| {
                (
                    p.start_seconds / axis.scale,
                    p.end_seconds / axis.scale,
                    v.iter().map(|x| if x.is_finite() { x.max(0.0) } else { 0.0 }).collect(),
                )
            })
        })
        .collect();
    if rows.iter().all(Option::is_none) {
        return None;
    }
    let present: Vec<usize> = (0..nc)
        .filter(|&c| rows.iter().flatten().any(|row| row.2[c] > 0.0))
        .collect();
    if present.is_empty() {
        return None; // nothing is priced: an empty stack says nothing
    }
    let peak = rows
        .iter()
        .flatten()
        .map(|row| row.2.iter().sum::<f64>())
        .fold(0.0, f64::max);
    let mut hlines = total_cost_triggers(r);
    hlines.extend(budget_hline(r));
    let top = y_top(std::iter::once(peak * 1.03), &hlines, 1.0);
    let marks = trigger_marks(r, axis);
    let idx: Vec<Option<usize>> = rows
        .iter()
        .enumerate()
        .map(|(i, row)| row.as_ref().map(|_| i))
        .collect();
    let segments = runs(&idx, Option::is_some);
    let title = "Monthly run-rate by component ($/month)".to_string();
    // Legend in stacking order, bottom first, as the areas read from the axis up.
    let mut keys: Vec<Key> = present
        .iter()
        .map(|&c| key(&r.components[c], component_color(c), KeyKind::Area))
        .collect();
    keys.push(key("total", BLACK, KeyKind::Line));
    keys.extend(hlines.iter().map(|h| key(&h.label, h.color, KeyKind::Dashed)));
    if !marks.is_empty() {
        keys.push(key(MARK_LABEL, MARK, KeyKind::Dashed));
    }

    let mut buf = String::new();
    let drawn = (|| -> DrawResult<()> {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        let plot = frame(&root, &title, &keys)?;
        let mut chart = axes(&plot, 0.0..axis.end, 0.0..top)?;
        mesh(&mut chart, axis.desc, "cost ($ per month)", None, &money_axis)?;
        for seg in &segments {
            let seg: Vec<&(f64, f64, Vec<f64>)> = seg.iter().flatten().filter_map(|&i| rows[i].as_ref()).collect();
            let cum = |row: &(f64, f64, Vec<f64>), upto: usize| row.2[..upto].iter().sum::<f64>();
            for &c in &present {
                let mut poly: Vec<(f64, f64)> = Vec::new();
                for row in &seg {
                    let hi = cum(row, c + 1);
                    poly.push((row.0, hi));
                    poly.push((row.1, hi));
                }
                for row in seg.iter().rev() {
                    let lo = cum(row, c);
                    poly.push((row.1, lo));
                    poly.push((row.0, lo));
                }
                chart.draw_series(std::iter::once(Polygon::new(
                    poly,
                    component_color(c).mix(0.85).filled(),
                )))?;
            }
            let total: Vec<(f64, f64)> = seg
                .iter()
                .flat_map(|row| [(row.0, cum(row, nc)), (row.1, cum(row, nc))])
                .collect();
            chart.draw_series(LineSeries::new(total, BLACK.stroke_width(2)))?;
        }
        draw_hlines(&mut chart, &hlines, 0.0..axis.end)?;
        draw_marks(&mut chart, &marks, 0.0, top)?;
        root.present()?;
        Ok(())
    })();
    finish("monthly_cost.svg", title, drawn, buf)
}

/// What `cost_by_month.svg` draws: each month's stack (by component, or by environment for a
/// system's `cost_by_environment.svg`) and its total.
pub struct MonthBars {
    /// The stacked parts' names (components, environments), each coloured by its place here.
    pub names: Vec<String>,
    /// Per month, per part (in `names`' order), dollars; NaN and negatives as 0.
    pub stacks: Vec<Vec<f64>>,
    /// Per month, the figure written above its bar, dollars.
    pub totals: Vec<f64>,
    /// Parts with a cost in some month, in stacking order.
    pub present: Vec<usize>,
    /// Per month, its label under the bar.
    pub labels: Vec<String>,
    /// Whether a month is only partly inside the horizon (its label is starred).
    pub partial: bool,
}

impl MonthBars {
    /// The bars of `stacks` (per month, per part of `names`, dollars) under `labels`: NaN and
    /// negative parts count as 0, a NaN total as its stack's sum. `None` when nothing costs.
    pub fn new(names: Vec<String>, stacks: Vec<Vec<f64>>, totals: Vec<f64>, labels: Vec<String>) -> Option<MonthBars> {
        let clean = |v: f64| if v.is_finite() { v.max(0.0) } else { 0.0 };
        let stacks: Vec<Vec<f64>> = stacks.into_iter().map(|s| s.into_iter().map(clean).collect()).collect();
        let totals: Vec<f64> = totals
            .iter()
            .zip(&stacks)
            .map(|(t, s)| if t.is_finite() { *t } else { s.iter().sum() })
            .collect();
        let present: Vec<usize> = (0..names.len())
            .filter(|&c| stacks.iter().any(|s| s.get(c).is_some_and(|v| *v > 0.0)))
            .collect();
        if stacks.is_empty() || (present.is_empty() && !totals.iter().any(|t| *t > 0.0)) {
            return None;
        }
        let partial = labels.iter().any(|l| l.ends_with('*'));
        Some(MonthBars {
            names,
            stacks,
            totals,
            present,
            labels,
            partial,
        })
    }
}

/// Month labels for `n` months (`Month 1`, or `M1` beyond eight), starred where `covered` (the
/// share of the month inside the horizon) is short of the whole month.
pub fn month_labels(months: &[(usize, f64)]) -> Vec<String> {
    let short = months.len() > 8;
    months
        .iter()
        .map(|(m, covered)| {
            let star = if *covered < 0.999 { "*" } else { "" };
            match short {
                true => format!("M{m}{star}"),
                false => format!("Month {m}{star}"),
            }
        })
        .collect()
}

fn month_bars(r: &RunResult) -> Option<MonthBars> {
    let any_data = r
        .months
        .iter()
        .any(|m| m.total.mean.is_finite() || m.components.iter().any(|c| c.1.mean.is_finite()));
    if !any_data {
        return None;
    }
    let stacks: Vec<Vec<f64>> = r
        .months
        .iter()
        .map(|m| {
            r.components
                .iter()
                .map(|c| {
                    m.components
                        .iter()
                        .find(|(name, _)| name == c)
                        .map_or(0.0, |(_, s)| s.mean)
                })
                .collect()
        })
        .collect();
    let totals = r.months.iter().map(|m| m.total.mean).collect();
    let covered: Vec<(usize, f64)> = r.months.iter().map(|m| (m.month, m.covered)).collect();
    MonthBars::new(r.components.clone(), stacks, totals, month_labels(&covered))
}

/// `cost_by_month.svg`: each calendar month's bill as a bar stacked by component, total on top,
/// and the budget. Only the months are labelled on the x axis (no empty ticks beside a lone bar).
pub fn cost_by_month(r: &RunResult) -> Option<Chart> {
    let bars = month_bars(r)?;
    let title = if bars.partial {
        "Cost by calendar month ($, partial months marked *)".to_string()
    } else {
        "Cost by calendar month ($)".to_string()
    };
    stacked_months("cost_by_month.svg", title, &bars, budget_hline(r).map(|h| h.y))
}

/// Months as bars stacked by part (`bars.names`), each total above its bar, and a dotted
/// `budget` line: `cost_by_month.svg`, and a system's `cost_by_environment.svg`.
pub fn stacked_months(file: &'static str, title: String, bars: &MonthBars, budget: Option<f64>) -> Option<Chart> {
    let n = bars.stacks.len();
    let peak = bars
        .totals
        .iter()
        .copied()
        .chain(bars.stacks.iter().map(|s| s.iter().sum::<f64>()))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let hlines: Vec<HLine> = budget.filter(|b| b.is_finite()).map(budget_line).into_iter().collect();
    // Room above the tallest bar for its total.
    let top = y_top(std::iter::once(peak * 1.06), &hlines, 1.0);
    let mut keys: Vec<Key> = bars
        .present
        .iter()
        .map(|&c| key(&bars.names[c], component_color(c), KeyKind::Area))
        .collect();
    keys.extend(hlines.iter().map(|h| key(&h.label, h.color, KeyKind::Dashed)));
    let mut buf = String::new();
    let drawn = (|| -> DrawResult<()> {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        let plot = frame(&root, &title, &keys)?;
        // A few months still get slim bars: the axis spans at least three.
        let pad = 3usize.saturating_sub(n) as f64 / 2.0;
        let x = 0.4 - pad..n as f64 + 0.6 + pad;
        let mut chart = axes(&plot, x.clone(), 0.0..top)?;
        mesh(&mut chart, "", "cost ($)", Some(0), &money_axis)?;
        draw_bars(&mut chart, bars, if n > 12 { 15 } else { LABEL_PX })?;
        draw_hlines(&mut chart, &hlines, x)?;
        // Month names under their bars, drawn on the whole canvas (outside the plot area).
        let style = TextStyle::from((FONT, LABEL_PX).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
        for (i, label) in bars.labels.iter().enumerate() {
            let (px, py) = chart.backend_coord(&((i + 1) as f64, 0.0));
            root.draw(&Text::new(label.clone(), (px, py + 8), style.clone()))?;
        }
        root.present()?;
        Ok(())
    })();
    finish(file, title, drawn, buf)
}

/// The stacked bars and each one's total above it.
fn draw_bars<'a, 'b: 'a>(chart: &mut Cart<'a, 'b>, bars: &MonthBars, font_px: u32) -> DrawResult<()> {
    let label_style = TextStyle::from((FONT, font_px).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
    for (i, stack) in bars.stacks.iter().enumerate() {
        let x = (i + 1) as f64;
        let mut lo = 0.0;
        for &c in &bars.present {
            let hi = lo + stack[c];
            if stack[c] > 0.0 {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.32, lo), (x + 0.32, hi)],
                    component_color(c).mix(0.85).filled(),
                )))?;
            }
            lo = hi;
        }
        let total = bars.totals[i];
        if total.is_finite() {
            chart.draw_series(std::iter::once(
                EmptyElement::at((x, lo.max(total))) + Text::new(money_axis(total), (0, -6), label_style.clone()),
            ))?;
        }
    }
    Ok(())
}
