//! The answers of a sweep along its first parameter, one [`Line`] per value of the second.
//!
//! * **Headroom**: the largest value for which every budget and SLO holds. The grid brackets
//!   it (the last point that holds before the first that does not), then bisection narrows
//!   the bracket to the sweep's tolerance, each step a run with the same seeds. It assumes
//!   that a larger value never helps; a grid point that holds again after one that failed is
//!   reported (`non_monotone`). The binding checks are those that fail just above it; the
//!   confidence is the binding figure's P10–P90 across replications at the headroom value.
//! * **Trigger onset**: the first grid point at which a trigger fires in at least half the
//!   replications, with the grid point before it.
//! * **Break-even**: where an alternative and the chosen plan cost the same in the last
//!   month, interpolated linearly between the grid points where their difference changes sign.

use super::point::{Point, PointCheck};
use super::{Error, Sweep};
use serde::Serialize;

/// The most bisection steps, whatever the tolerance.
pub const MAX_BISECTIONS: usize = 40;

/// What the grid and the bisection say of the headroom.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The scenario has no budget and no SLO: nothing to hold.
    NoChecks,
    /// Every check holds at every grid point: the headroom is beyond the range.
    HoldsEverywhere,
    /// A check fails already at the first grid point.
    FailsEverywhere,
    /// Found between the last point that holds and the first that fails.
    Found,
}

/// Headroom along one line.
#[derive(Debug, Clone, Serialize)]
pub struct Headroom {
    pub status: Status,
    /// The largest value found to hold (the first parameter's unit).
    pub holds_at: Option<f64>,
    /// The smallest value found to fail; `fails_at − holds_at` is within the tolerance.
    pub fails_at: Option<f64>,
    /// The checks that fail at `fails_at` (the first grid point's for `FailsEverywhere`).
    pub binding: Vec<PointCheck>,
    /// The binding checks at `holds_at`: their figure and its P10–P90 across replications.
    pub at_headroom: Vec<PointCheck>,
    /// Every bisection run: (value, every check holds).
    pub bisection: Vec<(f64, bool)>,
    /// A grid point above the first failure holds again.
    pub non_monotone: bool,
}

/// Where a trigger starts to fire along the line.
#[derive(Debug, Clone, Serialize)]
pub struct Onset {
    pub trigger: String,
    /// The first grid value at which it fires in at least half the replications.
    pub fires_from: Option<f64>,
    /// The grid value before it (where it does not).
    pub not_at: Option<f64>,
    /// Median day of first firing at `fires_from`.
    pub first_fire_days: Option<f64>,
}

/// Where an alternative crosses its component's chosen plan along the line.
#[derive(Debug, Clone, Serialize)]
pub struct BreakEven {
    pub component: String,
    pub alternative: String,
    /// The value at which they cost the same in the last month (`None`: no crossing in range).
    pub at: Option<f64>,
    /// Whether the alternative is the cheaper of the two at the first grid point.
    pub alternative_cheaper_first: bool,
}

/// The answers along one line of the grid.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// The second parameter's value of this line (`None` for a sweep of one parameter).
    pub second: Option<f64>,
    pub headroom: Headroom,
    pub onsets: Vec<Onset>,
    pub break_evens: Vec<BreakEven>,
}

fn failing(p: &Point) -> Vec<PointCheck> {
    p.checks
        .iter()
        .filter(|c| c.verdict != super::point::Verdict::Ok)
        .cloned()
        .collect()
}

/// The next value to try between `lo` (holds) and `hi` (fails), or `None` when the bracket is
/// within the tolerance.
fn midpoint(sw: &Sweep, lo: f64, hi: f64) -> Option<f64> {
    let raw = lo + (hi - lo) / 2.0;
    let mid = if sw.fields[0].whole { raw.floor() } else { raw };
    (hi - lo > sw.tolerance && mid > lo && mid < hi).then_some(mid)
}

fn headroom(sw: &Sweep, line: &[Point]) -> Result<Headroom, Error> {
    let mut h = Headroom {
        status: Status::Found,
        holds_at: None,
        fails_at: None,
        binding: Vec::new(),
        at_headroom: Vec::new(),
        bisection: Vec::new(),
        non_monotone: false,
    };
    if line.first().is_none_or(|p| p.checks.is_empty()) {
        h.status = Status::NoChecks;
        return Ok(h);
    }
    let Some(first_fail) = line.iter().position(|p| !p.holds()) else {
        h.status = Status::HoldsEverywhere;
        h.holds_at = line.last().map(|p| p.values[0]);
        return Ok(h);
    };
    h.non_monotone = line[first_fail..].iter().any(Point::holds);
    if first_fail == 0 {
        h.status = Status::FailsEverywhere;
        h.fails_at = Some(line[0].values[0]);
        h.binding = failing(&line[0]);
        return Ok(h);
    }
    let (mut lo, mut hi) = (line[first_fail - 1].clone(), line[first_fail].clone());
    let rest: Vec<f64> = lo.values[1..].to_vec();
    while let Some(mid) = midpoint(sw, lo.values[0], hi.values[0]) {
        if h.bisection.len() >= MAX_BISECTIONS {
            break;
        }
        let mut v = vec![mid];
        v.extend_from_slice(&rest);
        let p = sw.run_points(&[v])?.remove(0);
        h.bisection.push((mid, p.holds()));
        if p.holds() {
            lo = p;
        } else {
            hi = p;
        }
    }
    h.binding = failing(&hi);
    h.at_headroom = lo
        .checks
        .iter()
        .filter(|c| h.binding.iter().any(|b| b.id == c.id))
        .cloned()
        .collect();
    h.holds_at = Some(lo.values[0]);
    h.fails_at = Some(hi.values[0]);
    Ok(h)
}

fn onsets(line: &[Point]) -> Vec<Onset> {
    let Some(first) = line.first() else { return Vec::new() };
    (0..first.triggers.len())
        .map(|t| {
            let at = line.iter().position(|p| p.triggers.get(t).is_some_and(|x| x.fires()));
            Onset {
                trigger: first.triggers[t].name.clone(),
                fires_from: at.map(|i| line[i].values[0]),
                not_at: at.and_then(|i| i.checked_sub(1)).map(|i| line[i].values[0]),
                first_fire_days: at.and_then(|i| line[i].triggers[t].first_fire_days),
            }
        })
        .collect()
}

fn break_evens(line: &[Point]) -> Vec<BreakEven> {
    let Some(first) = line.first() else { return Vec::new() };
    first
        .alternatives
        .iter()
        .map(|a| {
            let diffs: Vec<(f64, f64)> = line
                .iter()
                .filter_map(|p| {
                    p.alternatives
                        .iter()
                        .find(|b| b.component == a.component && b.alternative == a.alternative)
                        .map(|b| (p.values[0], b.cost - b.chosen))
                })
                .collect();
            BreakEven {
                component: a.component.clone(),
                alternative: a.alternative.clone(),
                at: crossing(&diffs),
                alternative_cheaper_first: a.cost < a.chosen,
            }
        })
        .collect()
}

/// The first x at which `d` changes sign (or is zero after being non-zero), linearly
/// interpolated between grid points.
pub fn crossing(d: &[(f64, f64)]) -> Option<f64> {
    let &(x0, d0) = d.first()?;
    if d0 == 0.0 {
        return Some(x0);
    }
    d.windows(2).find_map(|w| {
        let ((xa, da), (xb, db)) = (w[0], w[1]);
        (db == 0.0 || db.signum() != d0.signum()).then(|| xa + (xb - xa) * da / (da - db))
    })
}

/// Every answer along `line` (grid points in order of the first parameter).
pub fn line(sw: &Sweep, line: &[Point]) -> Result<Line, Error> {
    Ok(Line {
        second: line.first().and_then(|p| p.values.get(1).copied()),
        headroom: headroom(sw, line)?,
        onsets: onsets(line),
        break_evens: break_evens(line),
    })
}

#[cfg(test)]
mod tests {
    use super::crossing;

    #[test]
    fn crossings_are_interpolated_and_absent_without_a_sign_change() {
        assert_eq!(crossing(&[(0.0, -2.0), (10.0, 2.0)]), Some(5.0));
        assert_eq!(crossing(&[(0.0, -3.0), (10.0, -1.0), (20.0, 1.0)]), Some(15.0));
        assert_eq!(crossing(&[(0.0, 1.0), (10.0, 2.0)]), None);
        assert_eq!(crossing(&[(0.0, 1.0), (10.0, 0.0)]), Some(10.0));
        assert_eq!(crossing(&[]), None);
    }
}
