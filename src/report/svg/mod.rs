//! The run's charts as standalone SVG documents, drawn with plotters into a `String`.
//!
//! Charts are meant to be shown on a projector and printed: 900 × 420, large fonts, units in
//! every title, a legend, and a palette of 14 colours (Okabe–Ito, then Paul Tol's muted) so
//! they read for colour-blind viewers and a component keeps its colour on every chart.
//! Across-replication means are drawn as lines with a shaded P10–P90 band (the spread across
//! replications, where there is one); missing values (NaN) break the line instead of being
//! drawn as zero. Trigger firings are marked as dashed vertical lines at the median time of
//! first firing, labelled on a white box, and each trigger's threshold is a dotted horizontal
//! line on the chart of its metric; the budget is one on the cost charts.
//!
//! Every function returns `None` when its chart has no data (all NaN, or nothing to show:
//! no storage, nothing priced) or could not be drawn; none panics or touches the filesystem.

use super::html::escape;
use super::Chart;
use crate::metrics::Summary;
use crate::results::series_index;
use crate::run::RunResult;
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

/// Okabe & Ito's colour-blind-safe palette without its black, then Paul Tol's muted scheme
/// (the colours unlike Okabe–Ito's), Tol's light pink and a grey: 14 colours, none so dark that it dominates a
/// stack, so up to 14 components each keep one colour of their own.
pub const PALETTE: [RGBColor; 14] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(51, 34, 136),   // Tol indigo
    RGBColor(153, 153, 51),  // Tol olive
    RGBColor(136, 34, 85),   // Tol wine
    RGBColor(68, 170, 153),  // Tol teal
    RGBColor(240, 228, 66),  // yellow
    RGBColor(255, 170, 187), // Tol light pink
    RGBColor(221, 204, 119), // Tol sand
    RGBColor(119, 119, 119), // grey
];

const MARK_LABEL: &str = "trigger fires (median)";
const GRID_LIGHT: RGBColor = RGBColor(236, 236, 236);
const GRID_BOLD: RGBColor = RGBColor(205, 205, 205);
const MARK: RGBColor = RGBColor(60, 60, 60);
/// Trigger thresholds and budgets: dotted, dark red.
const LIMIT: RGBColor = RGBColor(170, 20, 20);
const BAND_LABEL: &str = "shaded: P10–P90 across replications";

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

/// One line of a time chart: (x, mean, P10, P90) per period, NaN where missing (P10 and P90
/// with fewer than two replications).
struct Line {
    label: String,
    color: RGBColor,
    points: Vec<(f64, f64, f64, f64)>,
}

impl Line {
    fn has_data(&self) -> bool {
        self.points.iter().any(|p| p.1.is_finite())
    }
}

/// A horizontal reference line (an SLO, a trigger's threshold, a budget).
struct HLine {
    label: String,
    color: RGBColor,
    y: f64,
}

/// Each trigger on one of `metrics` as its threshold line, in axis units (`factor` × the value).
fn trigger_hlines(r: &RunResult, metrics: &[&str], factor: f64) -> Vec<HLine> {
    r.triggers
        .iter()
        .filter(|t| metrics.contains(&t.condition.metric.as_str()) && t.condition.threshold.is_finite())
        .map(|t| HLine {
            label: format!(
                "trigger {} ({})",
                t.name,
                super::fmt::fmt_stated(t.condition.unit, t.condition.threshold)
            ),
            color: LIMIT,
            y: t.condition.threshold * factor,
        })
        .collect()
}

/// The monthly budget (the total's limit) as a line on a cost chart.
fn budget_hline(r: &RunResult) -> Option<HLine> {
    let limit = r
        .checks
        .budget
        .iter()
        .filter(|c| c.id.ends_with(".total"))
        .map(|c| c.limit)
        .filter(|v| v.is_finite())
        .reduce(f64::max)?;
    Some(budget_line(limit))
}

/// A budget of `limit` dollars as a line on a cost chart.
fn budget_line(limit: f64) -> HLine {
    HLine {
        label: format!("budget {}", money_axis(limit)),
        color: LIMIT,
        y: limit,
    }
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
            let (lo, hi) = if v.n >= 2 { (v.p10, v.p90) } else { (f64::NAN, f64::NAN) };
            (x, v.mean * factor, lo * factor, hi * factor)
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

/// Dollars on an axis or a label, one format everywhere: `$0`, `$250`, `$4,000`, `$2.50`,
/// `$1.5M` (whole dollars from $10, cents below).
pub fn money_axis(v: f64) -> String {
    if v.abs() >= 1e6 {
        format!("${}", axis_num(v))
    } else if v.abs() >= 10.0 || v == v.round() {
        let s = fmt_money(v.round());
        s.strip_suffix(".00").map_or(s.clone(), str::to_string)
    } else {
        fmt_money(v)
    }
}

pub fn percent_axis(v: f64) -> String {
    format!("{}%", axis_num(v))
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

/// The grid, axis labels and their descriptions, the same on every chart. `x_labels`: how
/// many x key points (`None`: plotters' choice, `Some(0)`: none, the caller labels the axis).
fn mesh<'a, 'b: 'a>(
    chart: &mut Cart<'a, 'b>,
    x_desc: &str,
    y_desc: &str,
    x_labels: Option<usize>,
    y_fmt: &dyn Fn(f64) -> String,
) -> DrawResult<()> {
    let x_fmt = |v: &f64| axis_num(*v);
    let y_fmt = |v: &f64| y_fmt(*v);
    let mut m = chart.configure_mesh();
    if !x_desc.is_empty() {
        m.x_desc(x_desc);
    }
    m.y_desc(y_desc)
        .label_style((FONT, LABEL_PX))
        .axis_desc_style((FONT, AXIS_DESC_PX))
        .max_light_lines(1)
        .light_line_style(GRID_LIGHT)
        .bold_line_style(GRID_BOLD)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt);
    if let Some(n) = x_labels {
        m.disable_x_mesh().x_labels(n);
    }
    m.draw()?;
    Ok(())
}

/// Dotted horizontal reference lines across the whole x range.
fn draw_hlines<'a, 'b: 'a>(chart: &mut Cart<'a, 'b>, hlines: &[HLine], x: std::ops::Range<f64>) -> DrawResult<()> {
    for h in hlines.iter().filter(|h| h.y.is_finite()) {
        chart.draw_series(DashedLineSeries::new(
            vec![(x.start, h.y), (x.end, h.y)],
            10,
            6,
            h.color.stroke_width(2),
        ))?;
    }
    Ok(())
}

/// A reference line more than this many times the data's peak is not drawn: an axis stretched
/// to it would flatten every line onto the x axis (a 70 % CPU threshold over lines at 2 %).
const OFF_SCALE_RATIO: f64 = 4.0;

/// Splits reference lines into those drawn and those far above the data, which the legend
/// names instead; each of the latter carries the data's peak as its `y`.
fn split_off_scale(hlines: Vec<HLine>, values: impl Iterator<Item = f64>) -> (Vec<HLine>, Vec<HLine>) {
    let peak = values.filter(|v| v.is_finite()).fold(0.0, f64::max);
    let (far, near): (Vec<HLine>, Vec<HLine>) = hlines
        .into_iter()
        .partition(|h| peak > 0.0 && h.y.is_finite() && h.y > OFF_SCALE_RATIO * peak);
    (near, far.into_iter().map(|h| HLine { y: peak, ..h }).collect())
}

/// The top of a y axis: room above the highest value and every reference line (at least
/// `min_top`), so a threshold is always in view.
fn y_top(values: impl Iterator<Item = f64>, hlines: &[HLine], min_top: f64) -> f64 {
    let peak = values
        .chain(hlines.iter().map(|h| h.y))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let top = (peak * 1.12).max(min_top);
    if top.is_finite() && top > 0.0 {
        top
    } else {
        1.0
    }
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
        // A white box under the name keeps it readable over filled areas.
        let len = (name.chars().count() as f64 * MARK_PX as f64 / 1.24 * 0.56).ceil() as i32;
        let h = (MARK_PX as f64 / 1.24).ceil() as i32 + 4;
        chart.draw_series(std::iter::once(
            EmptyElement::at((*x, y0))
                + Rectangle::new(
                    [(4 + shift, -8 - len - 3), (4 + shift + h, -5)],
                    WHITE.mix(0.88).filled(),
                )
                + Text::new(name.clone(), (6 + shift, -8), style.clone()),
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
    let values = || lines.iter().flat_map(|l| l.points.iter().flat_map(|p| [p.1, p.3]));
    let (hlines, off_scale) = split_off_scale(spec.hlines, values());
    let top = y_top(values(), &hlines, spec.y_min_top);
    let marks = trigger_marks(r, axis);
    let banded = lines.iter().any(|l| !bands(l).is_empty());
    let mut keys: Vec<Key> = lines.iter().map(|l| key(&l.label, l.color, KeyKind::Line)).collect();
    keys.extend(hlines.iter().map(|h| key(&h.label, h.color, KeyKind::Dashed)));
    keys.extend(off_scale.iter().map(|h| {
        let label = format!(
            "{}: far above the axis (the data peaks at {})",
            h.label,
            (spec.y_fmt)(h.y)
        );
        key(&label, h.color, KeyKind::Dashed)
    }));
    if !marks.is_empty() {
        keys.push(key(MARK_LABEL, MARK, KeyKind::Dashed));
    }
    if banded {
        keys.push(key(BAND_LABEL, RGBColor(150, 150, 150), KeyKind::Area));
    }

    let mut buf = String::new();
    let drawn = (|| -> DrawResult<()> {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        let plot = frame(&root, &spec.title, &keys)?;
        let mut chart = axes(&plot, 0.0..axis.end, 0.0..top)?;
        mesh(&mut chart, axis.desc, &spec.y_desc, None, &spec.y_fmt)?;
        // Bands first so every line stays on top of every band.
        for l in &lines {
            for band in bands(l) {
                let mut poly: Vec<(f64, f64)> = band.iter().map(|p| (p.0, p.3.min(top))).collect();
                poly.extend(band.iter().rev().map(|p| (p.0, p.2.max(0.0))));
                chart.draw_series(std::iter::once(Polygon::new(poly, l.color.mix(0.2).filled())))?;
            }
        }
        draw_hlines(&mut chart, &hlines, 0.0..axis.end)?;
        for l in &lines {
            for seg in runs(&l.points, |p| p.1.is_finite()) {
                if seg.len() == 1 {
                    chart.draw_series(std::iter::once(Circle::new((seg[0].0, seg[0].1), 4, l.color.filled())))?;
                } else {
                    chart.draw_series(LineSeries::new(seg.iter().map(|p| (p.0, p.1)), l.color.stroke_width(3)))?;
                }
            }
        }
        draw_marks(&mut chart, &marks, 0.0, top)?;
        root.present()?;
        Ok(())
    })();
    finish(spec.file, spec.title, drawn, buf)
}

/// Runs of two or more periods with a spread across replications (P10 below P90).
fn bands(l: &Line) -> Vec<Vec<(f64, f64, f64, f64)>> {
    runs(&l.points, |p| p.2.is_finite() && p.3.is_finite())
        .into_iter()
        .filter(|b| b.len() >= 2 && b.iter().any(|p| p.3 - p.2 > 1e-9 * p.3.abs().max(1e-12)))
        .collect()
}

mod charts;
pub mod xy;
pub use charts::{cost_by_month, database_size, latency, monthly_cost, queue_backlog, recovery, utilization};
pub use charts::{month_labels, stacked_months, MonthBars};

#[cfg(test)]
mod tests;
