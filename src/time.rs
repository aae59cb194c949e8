//! Time in the simulation: units, report periods, busy windows, calendar months and the hour
//! segments the traffic model is sampled on. Every time is in seconds from the start.

use crate::scenario::{Scenario, SimMode};

pub const MINUTE: f64 = 60.0;
pub const HOUR: f64 = 3600.0;
pub const DAY: f64 = 24.0 * HOUR;
pub const WEEK: f64 = 7.0 * DAY;

/// Start of the hour containing `t`.
pub fn hour_start(t: f64) -> f64 {
    (t / HOUR).floor() * HOUR
}

/// Report periods over the horizon (at least one; the last may be shorter).
pub fn period_count(sc: &Scenario) -> usize {
    (sc.horizon / sc.resolution).ceil().max(1.0) as usize
}

/// Start and end of report period `p` (the last one ends at the horizon).
pub fn period_bounds(sc: &Scenario, p: usize) -> (f64, f64) {
    bounds(p, sc.resolution, sc.horizon)
}

/// Calendar months over the horizon (at least one; the last may be partly simulated).
pub fn month_count(sc: &Scenario) -> usize {
    (sc.horizon / month_length(sc)).ceil().max(1.0) as usize
}

/// Length of a calendar month (`hours_per_month`).
pub fn month_length(sc: &Scenario) -> f64 {
    sc.hours_per_month * HOUR
}

/// Start and end of month `m` as simulated (the last one ends at the horizon).
pub fn month_bounds(sc: &Scenario, m: usize) -> (f64, f64) {
    bounds(m, month_length(sc), sc.horizon)
}

fn bounds(i: usize, len: f64, horizon: f64) -> (f64, f64) {
    (i as f64 * len, ((i + 1) as f64 * len).min(horizon))
}

/// Start and length of the busy window of period `p`: in `peak_window` mode the busiest hour
/// of the period (the first, if several tie), a window long; in `full` mode the whole period.
pub fn window_of(sc: &Scenario, p: usize) -> (f64, f64) {
    let (a, b) = period_bounds(sc, p);
    match sc.sim.mode {
        SimMode::PeakWindow { window, .. } => {
            let len = window.min(b - a);
            let mut best = a;
            let mut best_rate = -1.0;
            let mut t = hour_start(a);
            while t < b {
                let start = t.max(a);
                let r = sc.traffic.arrival_rate_at(start + 1e-6);
                if r > best_rate + 1e-12 {
                    best_rate = r;
                    best = start;
                }
                t += HOUR;
            }
            (best.min(b - len).max(a), len)
        }
        SimMode::Full { .. } => (a, b - a),
    }
}

/// ∫ rate over [a, b) on hour segments, the rate taken at each segment's middle (as the
/// engine samples it).
pub fn integrate(a: f64, b: f64, rate: impl Fn(f64) -> f64) -> f64 {
    let mut total = 0.0;
    let mut t = a;
    while t < b {
        let seg_start = hour_start(t);
        let seg_end = (seg_start + HOUR).min(b);
        total += rate(seg_start + HOUR / 2.0) * (seg_end - t);
        t = seg_end;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_tile_the_horizon() {
        for (len, horizon) in [(DAY, 30.0 * DAY), (DAY, 30.5 * DAY), (HOUR, 1.0), (7.0, 100.0)] {
            let n = (horizon / len).ceil().max(1.0) as usize;
            let mut end = 0.0;
            for i in 0..n {
                let (a, b) = bounds(i, len, horizon);
                assert_eq!(a, end, "period {i} starts where the previous ended");
                assert!(b > a && b - a <= len + 1e-9);
                end = b;
            }
            assert_eq!(end, horizon);
        }
    }

    #[test]
    fn integrate_is_exact_for_a_constant_and_splits_at_hours() {
        assert!((integrate(0.0, 10.0 * HOUR, |_| 2.0) - 20.0 * HOUR).abs() < 1e-9);
        assert!((integrate(1800.0, 5400.0, |_| 1.0) - 3600.0).abs() < 1e-9);
        // Each partial hour takes the rate at the middle of its whole hour.
        let v = integrate(1800.0, 5400.0, |t| hour_start(t) / HOUR);
        assert!((v - 1800.0).abs() < 1e-9, "{v}");
        // Additive over adjacent ranges.
        let f = |t: f64| (t / HOUR).sin() + 2.0;
        let whole = integrate(100.0, 9.0 * HOUR + 7.0, f);
        let parts = integrate(100.0, 4321.0, f) + integrate(4321.0, 9.0 * HOUR + 7.0, f);
        assert!((whole - parts).abs() < 1e-6);
        assert_eq!(integrate(5.0, 5.0, f), 0.0);
    }

    #[test]
    fn hour_start_floors() {
        assert_eq!(hour_start(0.0), 0.0);
        assert_eq!(hour_start(HOUR - 1e-9), 0.0);
        assert_eq!(hour_start(HOUR), HOUR);
        assert_eq!(hour_start(DAY + 90.0 * MINUTE), DAY + HOUR);
    }
}
