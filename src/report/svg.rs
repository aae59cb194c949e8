//! The run's charts as standalone SVG documents, drawn with plotters into a `String`.
//!
//! Charts are meant to be shown on a projector and printed: 900 × 420, large fonts, units in
//! every title, a legend, and the Okabe–Ito palette so they read for colour-blind viewers.
//! Across-replication means are drawn as lines with a shaded 95 % confidence band; missing
//! values (NaN) break the line instead of being drawn as zero. Trigger firings are marked as
//! dashed vertical lines at the median time of first firing.
//!
//! Every function returns `None` when its chart has no data (all NaN, or nothing to show:
//! no storage, nothing priced) or could not be drawn; none panics or touches the filesystem.

use super::html::escape;
use super::Chart;
use crate::metrics::Summary;
use crate::run::RunResult;
use crate::simulate::series_index;
use crate::units::fmt_money;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontTransform;

/// Chart size in pixels.
pub const WIDTH: u32 = 900;
pub const HEIGHT: u32 = 420;

const FONT: &str = "sans-serif";
// Plotters draws text at 1/1.24 of the size asked for: these give about 26, 18, 16, 16
// and 14 px in the SVG.
const TITLE_PX: u32 = 32;
const AXIS_DESC_PX: u32 = 22;
const LABEL_PX: u32 = 20;
const LEGEND_PX: u32 = 20;
const MARK_PX: u32 = 17;

/// Okabe & Ito's colour-blind-safe palette, ordered for lines on white (yellow last).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(240, 228, 66),  // yellow
    RGBColor(0, 0, 0),       // black
];

const MARK_LABEL: &str = "trigger fires (median)";
const GRID_LIGHT: RGBColor = RGBColor(236, 236, 236);
const GRID_BOLD: RGBColor = RGBColor(205, 205, 205);
const MARK: RGBColor = RGBColor(90, 90, 90);

type DrawResult<T> = Result<T, Box<dyn std::error::Error>>;
type Cart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// How simulated time maps onto the x axis: days from start, or hours for short horizons.
#[derive(Debug, Clone, Copy)]
struct TimeAxis {
    /// Seconds per axis unit.
    scale: f64,
    desc: &'static str,
    /// Axis length in axis units.
    end: f64,
}

fn time_axis(r: &RunResult) -> TimeAxis {
    let last = r.periods.last().map(|p| p.end_seconds).unwrap_or(0.0);
    let horizon = (r.scenario.horizon_days * 86400.0).max(last);
    let horizon = if horizon.is_finite() && horizon > 0.0 {
        horizon
    } else {
        86400.0
    };
    if horizon < 2.0 * 86400.0 {
        TimeAxis {
            scale: 3600.0,
            desc: "hours from start",
            end: horizon / 3600.0,
        }
    } else {
        TimeAxis {
            scale: 86400.0,
            desc: "days from start",
            end: horizon / 86400.0,
        }
    }
}

/// Where a period's figure is plotted.
#[derive(Debug, Clone, Copy)]
enum At {
    /// Middle of the period (busy-window statistics).
    Middle,
    /// End of the period (sizes "at the end of the period").
    End,
}

/// One line of a time chart: (x, mean, CI half-width) per period, NaN where missing.
struct Line {
    label: String,
    color: RGBColor,
    points: Vec<(f64, f64, f64)>,
}

impl Line {
    fn has_data(&self) -> bool {
        self.points.iter().any(|p| p.1.is_finite())
    }
}

/// A horizontal reference line (an SLO, for instance).
struct HLine {
    label: String,
    color: RGBColor,
    y: f64,
}

struct TimeChart {
    file: &'static str,
    title: String,
    y_desc: String,
    lines: Vec<Line>,
    hlines: Vec<HLine>,
    /// The y axis reaches at least this far (100 for percentages).
    y_min_top: f64,
    y_fmt: fn(f64) -> String,
}

/// The series `name` of every period as a line, values multiplied by `factor`.
fn series_line(r: &RunResult, axis: TimeAxis, name: &str, label: &str, color: RGBColor, factor: f64, at: At) -> Line {
    let k = series_index(name);
    let points = r
        .periods
        .iter()
        .map(|p| {
            let x = match at {
                At::Middle => (p.start_seconds + p.end_seconds) / 2.0,
                At::End => p.end_seconds,
            } / axis.scale;
            let v: Summary = p.series.get(k).copied().unwrap_or(Summary::EMPTY);
            (x, v.mean * factor, v.ci95 * factor)
        })
        .collect();
    Line {
        label: label.to_string(),
        color,
        points,
    }
}

/// Maximal runs of consecutive items for which `ok` holds.
fn runs<T: Copy>(items: &[T], ok: impl Fn(&T) -> bool) -> Vec<Vec<T>> {
    let mut out: Vec<Vec<T>> = Vec::new();
    let mut cur: Vec<T> = Vec::new();
    for it in items {
        if ok(it) {
            cur.push(*it);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A tidy axis number: `0`, `2.5`, `1.2K`, `3M`.
pub fn axis_num(v: f64) -> String {
    fn trim(s: String) -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    }
    let a = v.abs();
    if a >= 1e9 {
        trim(format!("{:.2}", v / 1e9)) + "B"
    } else if a >= 1e6 {
        trim(format!("{:.2}", v / 1e6)) + "M"
    } else if a >= 1e4 {
        trim(format!("{:.1}", v / 1e3)) + "K"
    } else if a >= 100.0 || a == 0.0 {
        format!("{v:.0}")
    } else {
        let s = trim(format!("{v:.2}"));
        if s == "-0" {
            "0".into()
        } else {
            s
        }
    }
}

/// Dollars on an axis: `$0`, `$250`, `$1.5K`.
fn money_axis(v: f64) -> String {
    if v.abs() >= 1e3 || v == v.round() {
        format!("${}", axis_num(v))
    } else {
        format!("${v:.2}")
    }
}

fn percent_axis(v: f64) -> String {
    format!("{}%", axis_num(v))
}

/// Whole dollars for a bar label (cents below $10).
fn money_label(v: f64) -> String {
    let s = fmt_money(v);
    if v.abs() >= 10.0 {
        s.trim_end_matches(|c: char| c.is_ascii_digit())
            .trim_end_matches('.')
            .to_string()
    } else {
        s
    }
}

/// Triggers that fired in at least one replication: (x, name), by median first-fire time.
fn trigger_marks(r: &RunResult, axis: TimeAxis) -> Vec<(f64, String)> {
    let mut marks: Vec<(f64, String)> = r
        .triggers
        .iter()
        .filter(|t| t.fired_in > 0 && t.first_fire.p50.is_finite())
        .map(|t| (t.first_fire.p50 / axis.scale, t.name.clone()))
        .filter(|(x, _)| *x >= 0.0 && *x <= axis.end)
        .collect();
    marks.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    marks
}

/// Adds a `<title>` (for screen readers and hover) right after the opening `<svg>` tag.
fn with_title(svg: String, title: &str) -> String {
    match svg.find('>') {
        Some(i) if svg.starts_with("<svg") => {
            format!("{}\n<title>{}</title>{}", &svg[..=i], escape(title), &svg[i + 1..])
        }
        _ => svg,
    }
}

fn finish(file: &'static str, title: String, drawn: DrawResult<()>, buf: String) -> Option<Chart> {
    match drawn {
        Ok(()) if buf.starts_with("<svg") => Some(Chart {
            file,
            svg: with_title(buf, &title),
            title,
        }),
        _ => None,
    }
}

/// A legend entry. Legends are drawn in rows under the title, outside the plot, so they
/// never hide data.
struct Key {
    label: String,
    color: RGBColor,
    kind: KeyKind,
}

#[derive(Debug, Clone, Copy)]
enum KeyKind {
    Line,
    Dashed,
    Area,
}

fn key(label: &str, color: RGBColor, kind: KeyKind) -> Key {
    Key {
        label: label.to_string(),
        color,
        kind,
    }
}

const KEY_ROW_PX: i32 = 26;
/// Left edge of the plotting area (chart margin + y label area), where the legend starts.
const PLOT_LEFT: i32 = 14 + 92;
const PLOT_RIGHT: i32 = WIDTH as i32 - 28;

/// Width of a legend entry: swatch, gap, text (plotters draws `LEGEND_PX / 1.24` px type;
/// sans-serif glyphs average a little under 0.6 em) and the space before the next entry.
fn key_width(k: &Key) -> i32 {
    30 + (k.label.chars().count() as f64 * LEGEND_PX as f64 / 1.24 * 0.58).ceil() as i32 + 22
}

/// (x, row) of each legend entry, wrapping onto more rows when one is full.
fn key_layout(keys: &[Key]) -> Vec<(i32, i32)> {
    let (mut x, mut row) = (PLOT_LEFT, 0);
    let mut out = Vec::with_capacity(keys.len());
    for k in keys {
        let w = key_width(k);
        if x > PLOT_LEFT && x + w - 22 > PLOT_RIGHT {
            row += 1;
            x = PLOT_LEFT;
        }
        out.push((x, row));
        x += w;
    }
    out
}

type Area<'b> = DrawingArea<SVGBackend<'b>, plotters::coord::Shift>;

/// White background, the title, and the legend; returns the area left for the plot.
fn frame<'b>(root: &Area<'b>, title: &str, keys: &[Key]) -> DrawResult<Area<'b>> {
    root.fill(&WHITE)?;
    let body = root.titled(title, (FONT, TITLE_PX))?;
    if keys.is_empty() {
        return Ok(body);
    }
    let layout = key_layout(keys);
    let rows = layout.last().map_or(0, |l| l.1 + 1);
    let (band, plot) = body.split_vertically(rows * KEY_ROW_PX + 6);
    let style = TextStyle::from((FONT, LEGEND_PX).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    for (k, (x, row)) in keys.iter().zip(layout) {
        let y = row * KEY_ROW_PX + KEY_ROW_PX / 2 + 4;
        match k.kind {
            KeyKind::Line => band.draw(&PathElement::new(vec![(x, y), (x + 24, y)], k.color.stroke_width(3)))?,
            KeyKind::Dashed => band.draw(&DashedPathElement::new(
                vec![(x, y), (x + 24, y)],
                7,
                4,
                k.color.stroke_width(2),
            ))?,
            KeyKind::Area => band.draw(&Rectangle::new(
                [(x, y - 8), (x + 24, y + 8)],
                k.color.mix(0.85).filled(),
            ))?,
        }
        band.draw(&Text::new(k.label.clone(), (x + 30, y), style.clone()))?;
    }
    Ok(plot)
}

/// Cartesian axes on the plot area.
fn axes<'a, 'b>(area: &'a Area<'b>, x: std::ops::Range<f64>, y: std::ops::Range<f64>) -> DrawResult<Cart<'a, 'b>> {
    Ok(ChartBuilder::on(area)
        .margin(14)
        .margin_top(8)
        .margin_right(28)
        .x_label_area_size(56)
        .y_label_area_size(92)
        .build_cartesian_2d(x, y)?)
}

/// Dashed vertical lines with the trigger name written upwards beside each.
fn draw_marks<'a, 'b: 'a>(chart: &mut Cart<'a, 'b>, marks: &[(f64, String)], y0: f64, y1: f64) -> DrawResult<()> {
    if marks.is_empty() {
        return Ok(());
    }
    let style = TextStyle::from((FONT, MARK_PX).into_font())
        .transform(FontTransform::Rotate270)
        .color(&MARK);
    let mut last_px: Option<i32> = None;
    let mut shift = 0;
    for (x, name) in marks {
        chart.draw_series(DashedLineSeries::new(
            vec![(*x, y0), (*x, y1)],
            7,
            5,
            MARK.stroke_width(2),
        ))?;
        // Names of triggers firing at (nearly) the same time are spread sideways.
        let px = chart.backend_coord(&(*x, y0)).0;
        shift = match last_px {
            Some(l) if px - l < 18 => shift + 18,
            _ => 0,
        };
        last_px = Some(px);
        chart.draw_series(std::iter::once(
            EmptyElement::at((*x, y0)) + Text::new(name.clone(), (6 + shift, -8), style.clone()),
        ))?;
    }
    Ok(())
}

/// Draws a time chart; `None` when none of its lines has data.
fn time_chart(r: &RunResult, spec: TimeChart) -> Option<Chart> {
    let axis = time_axis(r);
    let lines: Vec<Line> = spec.lines.into_iter().filter(Line::has_data).collect();
    if lines.is_empty() {
        return None;
    }
    let mut top = spec.y_min_top;
    for l in &lines {
        for &(_, m, c) in &l.points {
            if m.is_finite() {
                top = top.max(if c.is_finite() { m + c } else { m });
            }
        }
    }
    for h in &spec.hlines {
        if h.y.is_finite() {
            top = top.max(h.y);
        }
    }
    let top = if spec.y_min_top > 0.0 && top <= spec.y_min_top {
        spec.y_min_top
    } else {
        top * 1.12
    };
    let top = if top.is_finite() && top > 0.0 { top } else { 1.0 };
    let marks = trigger_marks(r, axis);
    let mut keys: Vec<Key> = lines.iter().map(|l| key(&l.label, l.color, KeyKind::Line)).collect();
    keys.extend(spec.hlines.iter().map(|h| key(&h.label, h.color, KeyKind::Dashed)));
    if !marks.is_empty() {
        keys.push(key(MARK_LABEL, MARK, KeyKind::Dashed));
    }

    let mut buf = String::new();
    let drawn = (|| -> DrawResult<()> {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        let plot = frame(&root, &spec.title, &keys)?;
        let mut chart = axes(&plot, 0.0..axis.end, 0.0..top)?;
        let y_fmt = spec.y_fmt;
        chart
            .configure_mesh()
            .x_desc(axis.desc)
            .y_desc(spec.y_desc.as_str())
            .label_style((FONT, LABEL_PX))
            .axis_desc_style((FONT, AXIS_DESC_PX))
            .max_light_lines(1)
            .light_line_style(GRID_LIGHT)
            .bold_line_style(GRID_BOLD)
            .x_label_formatter(&|v| axis_num(*v))
            .y_label_formatter(&|v| y_fmt(*v))
            .draw()?;
        // Bands first so every line stays on top of every band.
        for l in &lines {
            for band in runs(&l.points, |p| p.1.is_finite() && p.2.is_finite()) {
                if band.len() < 2 {
                    continue;
                }
                let mut poly: Vec<(f64, f64)> = band.iter().map(|p| (p.0, (p.1 + p.2).min(top))).collect();
                poly.extend(band.iter().rev().map(|p| (p.0, (p.1 - p.2).max(0.0))));
                chart.draw_series(std::iter::once(Polygon::new(poly, l.color.mix(0.18).filled())))?;
            }
        }
        for h in &spec.hlines {
            chart.draw_series(DashedLineSeries::new(
                vec![(0.0, h.y), (axis.end, h.y)],
                10,
                6,
                h.color.stroke_width(2),
            ))?;
        }
        for l in &lines {
            for seg in runs(&l.points, |p| p.1.is_finite()) {
                let style = l.color.stroke_width(3);
                if seg.len() == 1 {
                    chart.draw_series(std::iter::once(Circle::new((seg[0].0, seg[0].1), 4, l.color.filled())))?;
                } else {
                    chart.draw_series(LineSeries::new(seg.iter().map(|p| (p.0, p.1)), style))?;
                }
            }
        }
        draw_marks(&mut chart, &marks, 0.0, top)?;
        root.present()?;
        Ok(())
    })();
    finish(spec.file, spec.title, drawn, buf)
}

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

#[cfg(test)]
mod tests {
    use super::super::testdata;
    use super::*;

    fn assert_valid(c: &Chart) {
        assert!(c.svg.starts_with("<svg"), "{} does not start with <svg", c.file);
        assert!(c.svg.trim_end().ends_with("</svg>"), "{} is not closed", c.file);
        assert!(
            c.svg.contains(&format!("<title>{}</title>", escape(&c.title))),
            "{} lacks its title",
            c.file
        );
        assert!(c.file.ends_with(".svg"));
        assert!(!c.svg.contains("NaN"), "{} has NaN coordinates", c.file);
    }

    #[test]
    fn every_chart_is_valid_svg_with_its_title() {
        let r = testdata::run();
        let charts = super::super::charts(&r);
        assert_eq!(charts.len(), 6);
        for c in &charts {
            assert_valid(c);
        }
    }

    /// The text of every `<text>` element.
    fn texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|s| {
                let start = s.find('>')? + 1;
                let end = s.find("</text>")?;
                Some(s[start..end].trim().to_string())
            })
            .collect()
    }

    #[test]
    fn latency_has_the_slo_legend_and_trigger_mark() {
        let c = latency(&testdata::run()).unwrap();
        let t = texts(&c.svg);
        for label in [
            "p50 latency",
            "p95 latency",
            "p99 latency",
            "p95 SLO 250 ms",
            "db upgrade",
            MARK_LABEL,
            "days from start",
            "latency (ms)",
        ] {
            assert!(t.iter().any(|x| x == label), "missing {label:?} in {t:?}");
        }
        assert!(
            !t.iter().any(|x| x == "add api"),
            "a trigger that never fired is not marked"
        );
    }
    #[test]
    fn nan_only_series_skip_the_chart_without_panicking() {
        let mut r = testdata::run();
        for k in ["api_queue_mean", "queue_backlog_max", "queue_backlog_mean"] {
            let i = series_index(k);
            r.periods.iter_mut().for_each(|p| p.series[i] = Summary::EMPTY);
        }
        assert!(queue_backlog(&r).is_none());
        assert!(latency(&r).is_some());

        let r = testdata::all_nan();
        assert!(queue_backlog(&r).is_none());
        assert!(latency(&r).is_none());
        assert!(utilization(&r).is_none());
        assert!(database_size(&r).is_none());
        assert!(monthly_cost(&r).is_none());
        assert!(cost_by_month(&r).is_none());
    }

    #[test]
    fn zero_storage_and_zero_cost_charts_are_skipped() {
        let mut r = testdata::run();
        let k = series_index("db_size");
        for p in &mut r.periods {
            p.series[k] = testdata::sm(0.0, 0.0);
            p.component_costs.iter_mut().for_each(|c| *c = testdata::sm(0.0, 0.0));
        }
        for m in &mut r.months {
            m.total = testdata::sm(0.0, 0.0);
            m.components.iter_mut().for_each(|c| c.1 = testdata::sm(0.0, 0.0));
        }
        assert!(database_size(&r).is_none());
        assert!(monthly_cost(&r).is_none());
        assert!(cost_by_month(&r).is_none());
        assert!(latency(&r).is_some());
    }

    #[test]
    fn scattered_nans_break_lines_and_single_points_still_draw() {
        let mut r = testdata::run();
        let p95 = series_index("latency_p95");
        for (i, p) in r.periods.iter_mut().enumerate() {
            if i % 2 == 1 {
                p.series[p95] = Summary::EMPTY;
                p.component_costs[1] = Summary::EMPTY;
            }
            p.series[p95].ci95 = f64::NAN;
        }
        for c in [latency(&r).unwrap(), monthly_cost(&r).unwrap()] {
            assert_valid(&c);
        }
    }

    #[test]
    fn short_horizons_use_hours_and_long_ones_days() {
        let mut r = testdata::run();
        assert_eq!(time_axis(&r).desc, "days from start");
        r.scenario.horizon_days = 1.0;
        for p in &mut r.periods {
            p.start_seconds /= 10.0;
            p.end_seconds /= 10.0;
        }
        let axis = time_axis(&r);
        assert_eq!(axis.desc, "hours from start");
        assert!((axis.end - 24.0).abs() < 1e-9);
        assert!(latency(&r).unwrap().svg.contains("hours from start"));
    }

    #[test]
    fn sizes_pick_a_unit_by_magnitude() {
        let r = testdata::run();
        let c = database_size(&r).unwrap();
        assert!(c.title.ends_with("(GB)"), "{}", c.title);
        assert!(
            c.title.starts_with("Database size"),
            "object store is all zero so it is left out"
        );
        let mut small = testdata::run();
        let k = series_index("db_size");
        small.periods.iter_mut().for_each(|p| p.series[k].mean /= 100.0);
        assert!(database_size(&small).unwrap().title.ends_with("(MB)"));
    }

    #[test]
    fn utilization_axis_is_0_to_100_and_expands_when_overloaded() {
        let top_label = |r: &RunResult| {
            texts(&utilization(r).unwrap().svg)
                .iter()
                .filter_map(|x| x.strip_suffix('%')?.parse::<f64>().ok())
                .fold(0.0, f64::max)
        };
        let mut r = testdata::run();
        let (cpu, api) = (series_index("api_cpu"), series_index("api_utilization"));
        r.periods.iter_mut().for_each(|p| p.series[api].mean = 0.5);
        assert_eq!(top_label(&r), 100.0);
        r.periods[9].series[cpu].mean = 1.8;
        assert!(top_label(&r) >= 180.0);
    }

    #[test]
    fn bars_are_labelled_with_totals() {
        let t = texts(&cost_by_month(&testdata::run()).unwrap().svg);
        assert!(t.iter().any(|x| x == "$45"), "total label in {t:?}");
        assert!(t.iter().any(|x| x == "Month 1*"));
    }

    #[test]
    fn legend_rows_wrap_inside_the_chart() {
        let keys: Vec<Key> = (0..12)
            .map(|i| key(&format!("component number {i}"), PALETTE[0], KeyKind::Area))
            .collect();
        let layout = key_layout(&keys);
        assert_eq!(layout[0], (PLOT_LEFT, 0));
        assert!(layout.last().unwrap().1 >= 2, "twelve long labels need several rows");
        for (k, (x, _)) in keys.iter().zip(&layout) {
            assert!(*x + key_width(k) - 22 <= PLOT_RIGHT || *x == PLOT_LEFT);
        }
        assert!(texts(&monthly_cost(&testdata::run()).unwrap().svg)
            .iter()
            .any(|t| t == "vector store"));
    }

    #[test]
    fn every_month_of_a_long_horizon_gets_a_labelled_bar() {
        let mut r = testdata::run();
        let first = r.months[0].clone();
        r.months = (1..=14)
            .map(|m| {
                let mut s = first.clone();
                s.month = m;
                s.covered = 1.0;
                s
            })
            .collect();
        let c = cost_by_month(&r).unwrap();
        assert_valid(&c);
        assert_eq!(c.title, "Cost by calendar month ($)");
        let t = texts(&c.svg);
        for m in 1..=14 {
            assert!(t.contains(&format!("M{m}")), "no label for month {m} in {t:?}");
        }
        assert!(t.iter().filter(|x| *x == "$45").count() >= 14, "a total over every bar");
    }

    #[test]
    fn axis_numbers_are_tidy() {
        assert_eq!(axis_num(0.0), "0");
        assert_eq!(axis_num(2.5), "2.5");
        assert_eq!(axis_num(0.25), "0.25");
        assert_eq!(axis_num(250.0), "250");
        assert_eq!(axis_num(15000.0), "15K");
        assert_eq!(axis_num(2_500_000.0), "2.5M");
        assert_eq!(money_axis(1500.0), "$1500");
        assert_eq!(money_axis(20000.0), "$20K");
        assert_eq!(money_label(1140.0), "$1,140");
        assert_eq!(money_label(4.5), "$4.50");
        assert_eq!(crate::simulate::SERIES.len(), crate::simulate::s::N);
    }
}
