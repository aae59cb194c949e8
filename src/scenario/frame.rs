//! The scenario's time frame: horizon, resolution and hours per month, checked together.

use super::ctx::Ctx;
use super::limits::*;
use super::raw::RawScenario;

/// The horizon, the report resolution and the month length, within their bounds.
pub(super) fn time_frame(cx: &mut Ctx, raw: &RawScenario) -> (f64, f64, f64) {
    let horizon = cx.positive("horizon", raw.horizon.0);
    if horizon > HORIZON.max {
        let long = crate::units::fmt_seconds(horizon);
        cx.err("horizon", format!("{long} is too long: {}", HORIZON.why));
    }
    let horizon = horizon.min(HORIZON.max);
    let resolution = match raw.resolution {
        Some(r) => cx.positive("resolution", r.0),
        None => 86400.0_f64.min(horizon),
    };
    let periods = (horizon / resolution).ceil();
    if resolution > horizon {
        cx.err("resolution", "the report resolution is longer than the horizon");
    } else if periods > PERIODS.max {
        let why = PERIODS.why;
        cx.err(
            "resolution",
            format!("{} report periods are too many: {why}", shown(periods)),
        );
    }
    let hours_per_month = match raw.hours_per_month {
        Some(h) if (HOURS_PER_MONTH_MIN..=HOURS_PER_MONTH.max).contains(&h) => h,
        Some(h) => {
            let why = HOURS_PER_MONTH.why;
            cx.err("hours_per_month", format!("{} hours is not a month: {why}", shown(h)));
            730.0
        }
        None => 730.0,
    };
    (horizon, resolution, hours_per_month)
}
