//! Every number-to-text conversion of the reports: renderers format through this module only.
//!
//! The quantity formatters shared with input messages (`fmt_bytes`, `fmt_money`, …) live in
//! [`crate::units`] beside their parsers and are re-exported here.

use crate::metrics::Summary;
use crate::results::{Check, CheckVerdict, Comparison, Direction, PlanFigure, RunResult};
use crate::results::{TriggerAction, TriggerCondition};
use crate::units::Unit;
pub use crate::units::{
    fmt_bytes, fmt_bytes_stated, fmt_count, fmt_money, fmt_number, fmt_percent, fmt_seconds, group_thousands,
};

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
        Unit::Fraction => pct(v),
        Unit::Bytes => fmt_bytes(v),
        Unit::Dollars => fmt_money(v),
    }
}

/// A measured share as a percentage a reader can use: one decimal from 1 % (`12.5%`), two
/// significant digits below (`0.15%`, `0.012%`), `0%` for zero.
pub fn pct(v: f64) -> String {
    let p = v * 100.0;
    if !p.is_finite() {
        return "–".into();
    }
    if p == 0.0 {
        return "0%".into();
    }
    if p.abs() >= 1.0 {
        return format!("{p:.1}%");
    }
    let decimals = (1 - p.abs().log10().floor() as i32).clamp(1, 12) as usize;
    format!("{p:.decimals$}%")
}

/// A value a scenario states (a trigger's threshold), in the units it was written in: `70%`,
/// `0.15%`, `400 MB`, `4 GiB`, `$500.00`.
pub fn fmt_stated(u: Unit, v: f64) -> String {
    match u {
        Unit::Fraction if v.is_finite() => fmt_percent(v),
        Unit::Bytes if v.is_finite() => fmt_bytes_stated(v),
        _ => fmt_unit(u, v),
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

/// A value of a check in its unit: an error rate to a thousandth of a percent, else as
/// [`fmt_unit`].
pub fn fmt_check_unit(u: Unit, v: f64) -> String {
    match u {
        Unit::Fraction => format!("{:.3}%", v * 100.0),
        _ => fmt_unit(u, v),
    }
}

/// A check's limit: `$50.00`, `800ms`, `1%`.
pub fn fmt_check_limit(c: &Check) -> String {
    match c.unit {
        Unit::Fraction => fmt_stated(c.unit, c.limit),
        _ => fmt_check_unit(c.unit, c.limit),
    }
}

/// What a check measured, with its context: `$12.00 (P90 $14.00)` for a month's bill,
/// `1.2s (no request completed in 3 of 30 busy windows)`, or why it is not evaluated.
pub fn fmt_check_value(c: &Check) -> String {
    if c.verdict == CheckVerdict::NotEvaluated {
        let reason = c.missing.as_ref().map_or("no observation", |m| m.reason);
        return format!("not evaluated: {reason} in any busy window");
    }
    let mut v = match c.mean {
        Some(mean) => format!(
            "{} (P{} {})",
            fmt_check_unit(c.unit, mean),
            c.percentile.unwrap_or(90),
            fmt_check_unit(c.unit, c.measured)
        ),
        None => fmt_check_unit(c.unit, c.measured),
    };
    if let Some(m) = &c.missing {
        v.push_str(&format!(" ({} in {} of {} busy windows)", m.reason, m.windows, m.of));
    }
    v
}

/// A figure of a plan comparison in its unit (a rate to two decimals).
fn fmt_plan_unit(u: Unit, v: f64) -> String {
    match u {
        Unit::PerSecond => format!("{v:.2}/s"),
        Unit::Count => fmt_count(v),
        Unit::Seconds => fmt_seconds(v),
        Unit::Bytes => fmt_bytes(v),
        Unit::Dollars => fmt_money(v),
        Unit::Fraction => fmt_percent(v),
    }
}

/// The plan's figure: `$176.00`, `< 500ms` for a target.
pub fn fmt_plan_figure(c: &Comparison) -> String {
    let stated = match c.unit {
        Unit::Bytes | Unit::Fraction => fmt_stated(c.unit, c.plan),
        u => fmt_plan_unit(u, c.plan),
    };
    match c.kind {
        PlanFigure::Estimate => stated,
        PlanFigure::Target => format!("< {stated}"),
    }
}

/// capsim's figure, with the simulated one beside a computed one.
pub fn fmt_capsim_figure(c: &Comparison) -> String {
    let v = fmt_plan_unit(c.unit, c.measured);
    match (&c.simulated, c.unit) {
        (Some(sim), Unit::PerSecond) if sim.ci95.is_finite() => {
            format!("{v} (simulated busy window {:.2} ± {:.2}/s)", sim.mean, sim.ci95)
        }
        // One replication: no interval.
        (Some(sim), Unit::PerSecond) => format!("{v} (simulated busy window {:.2}/s)", sim.mean),
        (Some(sim), u) => format!("{v} (simulated {})", fmt_summary(u, sim)),
        (None, _) => v,
    }
}

/// How far capsim is from the plan: `+4%`, `capsim 2.3× higher`, `within the plan's target`.
pub fn fmt_difference(c: &Comparison) -> String {
    let (plan, capsim) = (c.plan, c.measured);
    if c.kind == PlanFigure::Target {
        return if capsim <= plan {
            "within the plan's target".into()
        } else {
            format!("{:.1}× the target", capsim / plan)
        };
    }
    if plan == 0.0 && capsim == 0.0 {
        return "same".into();
    }
    if plan == 0.0 {
        return "plan says zero".into();
    }
    let ratio = capsim / plan;
    if ratio >= 2.0 {
        format!("capsim {ratio:.1}× higher")
    } else if ratio <= 0.5 && ratio > 0.0 {
        format!("capsim {:.1}× lower", 1.0 / ratio)
    } else {
        format!("{:+.0}%", (ratio - 1.0) * 100.0)
    }
}

/// A trigger's condition as the plan would say it: `database.size > 400.0 MB for 1d`,
/// `cost.monthly of api + database > $50.00`, `api.wait p95 > 200ms`.
pub fn fmt_condition(c: &TriggerCondition) -> String {
    let mut s = c.metric.clone();
    if !c.components.is_empty() {
        s.push_str(&format!(" of {}", c.components.join(" + ")));
    }
    if let Some(p) = c.percentile {
        s.push_str(&format!(" p{p}"));
    }
    let op = match c.comparison {
        Direction::Above => ">",
        Direction::Below => "<",
    };
    s.push_str(&format!(" {op} {}", fmt_stated(c.unit, c.threshold)));
    if c.sustained_seconds > 0.0 {
        s.push_str(&format!(" for {}", fmt_seconds(c.sustained_seconds)));
    }
    s
}

/// A trigger's action in words: `upgrade database: plan pro`, `add 1 API instance(s), up to 4`.
pub fn fmt_action(a: &TriggerAction) -> String {
    match a {
        TriggerAction::Flag => "flag only".into(),
        TriggerAction::Upgrade {
            component,
            provider,
            plan,
            size,
            vcpu,
            ram_bytes,
            pooler,
            read_replicas,
            connections,
            servers,
        } => {
            let mut parts = Vec::new();
            if let Some(p) = provider {
                parts.push(format!("provider {p}"));
            }
            if let Some(p) = plan {
                parts.push(format!("plan {p}"));
            }
            if let Some(p) = size {
                parts.push(format!("size {p}"));
            }
            if let Some(v) = vcpu {
                parts.push(format!("{v} vCPU"));
            }
            if let Some(v) = ram_bytes {
                parts.push(format!("{} RAM", fmt_bytes_stated(*v)));
            }
            if let Some(v) = pooler {
                parts.push(if *v { "pooler on".into() } else { "pooler off".into() });
            }
            if let Some(v) = read_replicas {
                parts.push(format!("{v} read replicas"));
            }
            if let Some(v) = connections {
                parts.push(format!("{v} connections"));
            }
            if let Some(v) = servers {
                parts.push(format!("{v} servers"));
            }
            format!("upgrade {component}: {}", parts.join(", "))
        }
        TriggerAction::AddInstances { count, max, .. } => format!("add {count} API instance(s), up to {max}"),
        TriggerAction::SwitchStage { stage } => format!("switch to stage `{stage}`"),
    }
}

/// Dollars, `–` for no data.
pub fn money(v: f64) -> String {
    if v.is_finite() {
        fmt_money(v)
    } else {
        "–".into()
    }
}

/// `$12.00 ± $0.40`, or just the mean when there is no interval or it rounds to no cent.
pub fn money_ci(s: &Summary) -> String {
    if !s.mean.is_finite() {
        "–".into()
    } else if s.ci95.is_finite() && s.ci95 >= 0.005 {
        format!("{} ± {}", fmt_money(s.mean), fmt_money(s.ci95))
    } else {
        fmt_money(s.mean)
    }
}

/// Seconds as days with one decimal (`4.5`), `–` for no data.
pub fn days(seconds: f64) -> String {
    if seconds.is_finite() {
        format!("{:.1}", seconds / 86400.0)
    } else {
        "–".into()
    }
}

/// A duration, `–` for no data.
pub fn seconds(v: f64) -> String {
    if v.is_finite() {
        fmt_seconds(v)
    } else {
        "–".into()
    }
}

/// A fraction as a percentage (`12.5%`, `0.15%`, see [`pct`]), `–` for no data.
pub fn percent(v: f64) -> String {
    pct(v)
}

/// A number for a CSV cell: up to six decimals without trailing zeros, `0` for minus zero,
/// empty for no data.
pub fn csv_f(v: f64) -> String {
    if v.is_finite() {
        let s = format!("{v:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s.is_empty() || s == "-" || s == "-0" {
            "0".into()
        } else {
            s.to_string()
        }
    } else {
        String::new()
    }
}
