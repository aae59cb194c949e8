//! Every number-to-text conversion of the reports: renderers format through this module only.
//!
//! The quantity formatters shared with input messages (`fmt_bytes`, `fmt_money`, …) live in
//! [`crate::units`] beside their parsers and are re-exported here.

use crate::metrics::Summary;
use crate::results::RunResult;
use crate::units::Unit;
pub use crate::units::{fmt_bytes, fmt_count, fmt_money, fmt_number, fmt_percent, fmt_seconds, group_thousands};

/// A value of a trigger's metric in its unit; `–` for no data (the same as [`fmt_unit`]).
pub fn fmt_metric(kind: Unit, v: f64) -> String {
    fmt_unit(kind, v)
}

/// A time in the horizon as people say it: `day 23.0`, or `hour 5.2` for short horizons.
pub fn fmt_when(r: &RunResult, seconds: f64) -> String {
    if !seconds.is_finite() {
        return "–".into();
    }
    if r.scenario.horizon_days < 2.0 {
        format!("hour {:.1}", seconds / 3600.0)
    } else {
        format!("day {:.0}", seconds / 86400.0)
    }
}

/// A time across replications: its median, with the P10–P90 range.
pub fn fmt_span(r: &RunResult, s: &Summary) -> String {
    if s.n == 0 {
        return "–".into();
    }
    let unit = |x: f64| {
        if r.scenario.horizon_days < 2.0 {
            format!("{:.1}", x / 3600.0)
        } else {
            format!("{:.0}", x / 86400.0)
        }
    };
    format!("{} (P10–P90 {}–{})", fmt_when(r, s.p50), unit(s.p10), unit(s.p90))
}

/// A number without trailing decimals when whole, else with two.
pub fn trim(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

/// A value of a series in its unit; `–` for no data.
pub fn fmt_unit(u: Unit, v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    match u {
        Unit::Count => fmt_count(v),
        Unit::PerSecond => format!("{v:.3}/s"),
        Unit::Seconds => fmt_seconds(v),
        Unit::Fraction => format!("{:.1}%", v * 100.0),
        Unit::Bytes => fmt_bytes(v),
        Unit::Dollars => fmt_money(v),
    }
}

/// A figure across replications: mean ± 95 % half-width (the half-width only when it matters).
pub fn fmt_summary(u: Unit, s: &Summary) -> String {
    if s.n == 0 {
        return "–".into();
    }
    if s.ci95.is_finite() && s.ci95 > 1e-3 * s.mean.abs() {
        format!("{} ± {}", fmt_unit(u, s.mean), fmt_unit(u, s.ci95))
    } else {
        fmt_unit(u, s.mean)
    }
}

/// A station's waiting room: `unlimited`, `none` or the number of places.
pub fn fmt_waiting_room(room: Option<u32>) -> String {
    match room {
        None => "unlimited".into(),
        Some(0) => "none".into(),
        Some(m) => m.to_string(),
    }
}

/// A probability across replications, `0.0123 ± 0.0004` (no interval from one replication).
pub fn fmt_prob(s: &Summary) -> String {
    if s.n == 0 {
        "–".into()
    } else if s.ci95.is_finite() {
        format!("{:.4} ± {:.4}", s.mean, s.ci95)
    } else {
        format!("{:.4}", s.mean)
    }
}
