//! The report's charts, each from a `RunResult` (the drawing helpers are in the parent module).

use super::*;

/// `queue_backlog.svg`: requests waiting for an API worker and background jobs waiting.
pub fn queue_backlog(r: &RunResult) -> Option<Chart> {
    let axis = time_axis(r);
    time_chart(
        r,
        TimeChart {
            file: "queue_backlog.svg",
            title: "Waiting in queues (count, mean of replications)".into(),
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
            hlines: Vec::new(),
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
    let hlines = latency_slos(r)
        .into_iter()
        .map(|(p, ms)| HLine {
            label: format!("{p} SLO {} ms", axis_num(ms)),
            color: colors.iter().find(|c| c.0 == p).map(|c| c.1).unwrap_or(PALETTE[7]),
            y: ms,
        })
        .collect();
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

/// `utilization.svg`: how busy each component is, in percent (0–100 %, more if overloaded).
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
            hlines: Vec::new(),
            y_min_top: 100.0,
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
            hlines: Vec::new(),
            y_min_top: 0.0,
            y_fmt: axis_num,
        },
    )
}

fn component_color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
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
    let top = if peak > 0.0 { peak * 1.15 } else { 1.0 };
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
    if !marks.is_empty() {
        keys.push(key(MARK_LABEL, MARK, KeyKind::Dashed));
    }

    let mut buf = String::new();
    let drawn = (|| -> DrawResult<()> {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        let plot = frame(&root, &title, &keys)?;
        let mut chart = axes(&plot, 0.0..axis.end, 0.0..top)?;
        chart
            .configure_mesh()
            .x_desc(axis.desc)
            .y_desc("cost ($ per month)")
            .label_style((FONT, LABEL_PX))
            .axis_desc_style((FONT, AXIS_DESC_PX))
            .max_light_lines(1)
            .light_line_style(GRID_LIGHT)
            .bold_line_style(GRID_BOLD)
            .x_label_formatter(&|v| axis_num(*v))
            .y_label_formatter(&|v| money_axis(*v))
            .draw()?;
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
        draw_marks(&mut chart, &marks, 0.0, top)?;
        root.present()?;
        Ok(())
    })();
    finish("monthly_cost.svg", title, drawn, buf)
}

/// `cost_by_month.svg`: each calendar month's bill as a bar stacked by component, total on top.
pub fn cost_by_month(r: &RunResult) -> Option<Chart> {
    let n = r.months.len();
    if n == 0 {
        return None;
    }
    let stacks: Vec<Vec<f64>> = r
        .months
        .iter()
        .map(|m| {
            r.components
                .iter()
                .map(|c| {
                    m.components.iter().find(|(name, _)| name == c).map_or(0.0, |(_, s)| {
                        if s.mean.is_finite() {
                            s.mean.max(0.0)
                        } else {
                            0.0
                        }
                    })
                })
                .collect()
        })
        .collect();
    let any_data = r
        .months
        .iter()
        .any(|m| m.total.mean.is_finite() || m.components.iter().any(|c| c.1.mean.is_finite()));
    if !any_data {
        return None;
    }
    let totals: Vec<f64> = r
        .months
        .iter()
        .zip(&stacks)
        .map(|(m, s)| {
            if m.total.mean.is_finite() {
                m.total.mean
            } else {
                s.iter().sum()
            }
        })
        .collect();
    let peak = totals
        .iter()
        .chain(stacks.iter().map(|s| s.iter().sum::<f64>()).collect::<Vec<_>>().iter())
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    // Room above the tallest bar for its total.
    let top = if peak > 0.0 { peak * 1.18 } else { 1.0 };
    let present: Vec<usize> = (0..r.components.len())
        .filter(|&c| stacks.iter().any(|s| s[c] > 0.0))
        .collect();
    if present.is_empty() && !totals.iter().any(|t| *t > 0.0) {
        return None; // nothing is priced
    }
    let partial = r.months.iter().any(|m| m.covered < 0.999);
    let title = if partial {
        "Cost by calendar month ($, partial months marked *)".to_string()
    } else {
        "Cost by calendar month ($)".to_string()
    };
    let short = n > 8;
    let labels: Vec<String> = r
        .months
        .iter()
        .map(|m| {
            let star = if m.covered < 0.999 { "*" } else { "" };
            if short {
                format!("M{}{star}", m.month)
            } else {
                format!("Month {}{star}", m.month)
            }
        })
        .collect();
    let bar_font = if n > 12 { 15 } else { LABEL_PX };
    let keys: Vec<Key> = present
        .iter()
        .map(|&c| key(&r.components[c], component_color(c), KeyKind::Area))
        .collect();

    let mut buf = String::new();
    let drawn = (|| -> DrawResult<()> {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        let plot = frame(&root, &title, &keys)?;
        // A few months still get slim bars: the axis spans at least three.
        let pad = 3usize.saturating_sub(n) as f64 / 2.0;
        let mut chart = axes(&plot, 0.4 - pad..n as f64 + 0.6 + pad, 0.0..top)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            // Enough key points for one per month; only whole months are labelled.
            .x_labels(n + 2 + 2 * pad as usize)
            .y_desc("cost ($)")
            .label_style((FONT, LABEL_PX))
            .axis_desc_style((FONT, AXIS_DESC_PX))
            .max_light_lines(1)
            .light_line_style(GRID_LIGHT)
            .bold_line_style(GRID_BOLD)
            .x_label_formatter(&|v| {
                let i = v.round();
                if (v - i).abs() < 1e-6 && i >= 1.0 && i as usize <= n {
                    labels[i as usize - 1].clone()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|v| money_axis(*v))
            .draw()?;
        for (i, stack) in stacks.iter().enumerate() {
            let x = (i + 1) as f64;
            let mut lo = 0.0;
            for &c in &present {
                let hi = lo + stack[c];
                if stack[c] > 0.0 {
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(x - 0.32, lo), (x + 0.32, hi)],
                        component_color(c).mix(0.85).filled(),
                    )))?;
                }
                lo = hi;
            }
            let label_style = TextStyle::from((FONT, bar_font).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
            if totals[i].is_finite() {
                chart.draw_series(std::iter::once(
                    EmptyElement::at((x, lo.max(totals[i]))) + Text::new(money_label(totals[i]), (0, -6), label_style),
                ))?;
            }
        }

        root.present()?;
        Ok(())
    })();
    finish("cost_by_month.svg", title, drawn, buf)
}
