//! Charts of a figure against a parameter (`capsim sweep`): lines of (x, y) points with the
//! same frame, legend, axes and reference lines as the time charts.

use super::{axes, finish, frame, key, mesh, runs, split_off_scale, y_top, HLine, Key, KeyKind, LIMIT, PALETTE};
use crate::report::Chart;
use plotters::prelude::*;

/// One line: its label and its points; a `NaN` y breaks the line.
pub struct XyLine {
    pub label: String,
    pub points: Vec<(f64, f64)>,
}

/// A chart of lines against a parameter.
pub struct XyChart {
    pub file: &'static str,
    pub title: String,
    pub x_desc: String,
    pub y_desc: String,
    pub lines: Vec<XyLine>,
    /// Dotted reference lines (a budget, an SLO): label and y.
    pub limits: Vec<(String, f64)>,
    pub y_fmt: fn(f64) -> String,
}

/// Draws `c`; `None` when no line has data.
pub fn xy(c: XyChart) -> Option<Chart> {
    let lines: Vec<&XyLine> = c
        .lines
        .iter()
        .filter(|l| l.points.iter().any(|p| p.1.is_finite()))
        .collect();
    let xs = || {
        lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.0))
            .filter(|x| x.is_finite())
    };
    let (x0, x1) = (
        xs().fold(f64::INFINITY, f64::min),
        xs().fold(f64::NEG_INFINITY, f64::max),
    );
    if lines.is_empty() || !(x0.is_finite() && x1.is_finite()) {
        return None;
    }
    let x1 = if x1 > x0 { x1 } else { x0 + 1.0 };
    let values = || lines.iter().flat_map(|l| l.points.iter().map(|p| p.1));
    let hlines = c
        .limits
        .iter()
        .map(|(label, y)| HLine {
            label: label.clone(),
            color: LIMIT,
            y: *y,
        })
        .collect();
    let (hlines, _) = split_off_scale(hlines, values());
    let top = y_top(values(), &hlines, 0.0);
    let color = |i: usize| PALETTE[i % PALETTE.len()];
    let mut keys: Vec<Key> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| key(&l.label, color(i), KeyKind::Line))
        .collect();
    keys.extend(hlines.iter().map(|h| key(&h.label, h.color, KeyKind::Dashed)));
    let mut buf = String::new();
    let drawn = (|| -> super::DrawResult<()> {
        let root = SVGBackend::with_string(&mut buf, (super::WIDTH, super::HEIGHT)).into_drawing_area();
        let plot = frame(&root, &c.title, &keys)?;
        let mut chart = axes(&plot, x0..x1, 0.0..top)?;
        mesh(&mut chart, &c.x_desc, &c.y_desc, None, &c.y_fmt)?;
        super::draw_hlines(&mut chart, &hlines, x0..x1)?;
        for (i, l) in lines.iter().enumerate() {
            for seg in runs(&l.points, |p| p.1.is_finite()) {
                chart.draw_series(seg.iter().map(|p| Circle::new(*p, 4, color(i).filled())))?;
                chart.draw_series(LineSeries::new(seg.iter().copied(), color(i).stroke_width(3)))?;
            }
        }
        root.present()?;
        Ok(())
    })();
    finish(c.file, c.title, drawn, buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(lines: Vec<XyLine>) -> Option<Chart> {
        xy(XyChart {
            file: "cost.svg",
            title: "t".into(),
            x_desc: "x".into(),
            y_desc: "y".into(),
            lines,
            limits: vec![("budget".into(), 5.0)],
            y_fmt: super::super::axis_num,
        })
    }

    #[test]
    fn lines_with_data_are_drawn_and_lines_without_are_not() {
        let line = |label: &str, y: f64| XyLine {
            label: label.into(),
            points: vec![(1.0, y), (2.0, y), (3.0, f64::NAN), (4.0, y)],
        };
        for lines in [
            vec![line("a", 0.0)],
            vec![line("a, k = 1", 0.0), line("a, k = 2", 0.0)],
            vec![line("a", 3.0)],
        ] {
            let c = chart(lines).expect("drawn");
            assert!(c.svg.starts_with("<svg") && c.svg.contains("<title>t</title>"));
        }
        assert!(chart(vec![line("a", f64::NAN)]).is_none());
        assert!(chart(Vec::new()).is_none());
    }
}
