//! The phrases of a diff in words, shared by the text and Markdown renderers and the gate's
//! messages: signed money, relative changes, a trigger's firing, a check's side.

use super::model::{CheckSide, CostRow, Presence, Side, TriggerChange, TriggerRow};
use crate::report::fmt::{fmt_unit, pct};
use crate::units::{fmt_money, Unit};

/// A change of money with its sign: `+$12.50`, `-$3.00`, `$0.00`.
pub fn signed_money(v: f64) -> String {
    let m = fmt_money(v);
    if m.starts_with('-') || m == "$0.00" {
        m
    } else {
        format!("+{m}")
    }
}

/// A relative change with its sign (`+12.5%`), or `from $0` when there is nothing to divide by.
pub fn relative_words(r: Option<f64>) -> String {
    match r {
        Some(r) if r > 0.0 => format!("+{}", pct(r)),
        Some(r) => pct(r),
        None => "from $0".into(),
    }
}

/// Dollars, or `–` when the side does not have it.
pub fn money_or_dash(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), fmt_money)
}

/// A cost row's change: `+$5.52 (+85.2%)`, `added`, `removed`.
pub fn cost_change(r: &CostRow) -> String {
    match r.presence {
        Presence::Added => format!("added ({})", signed_money(r.change)),
        Presence::Removed => format!("removed ({})", signed_money(r.change)),
        Presence::Both => format!("{} ({})", signed_money(r.change), relative_words(r.relative)),
    }
}

/// `Learnr Beta (100 users), scenario scenarios/beta.yaml, seed 42, 16 replications`.
pub fn side_words(s: &Side) -> String {
    format!(
        "{}, {} {}, seed {}, {} replications",
        s.name, s.kind, s.path, s.seed, s.replications
    )
}

/// A side of a trigger: `day 12.3 in 16/16 replications`, `never fires`, `not in this run`.
pub fn firing_words(f: Option<super::snapshot::Firing>) -> String {
    match f {
        None => "not in this run".into(),
        Some(f) => match f.first_fire_seconds {
            Some(s) if f.fired_in > 0 => format!(
                "fires day {} in {}/{} replications",
                crate::report::fmt::days(s),
                f.fired_in,
                f.replications
            ),
            _ => format!("never fires ({} replications)", f.replications),
        },
    }
}

/// What happened to a trigger, in words.
pub fn trigger_change_words(t: &TriggerRow) -> String {
    let presence = match t.presence {
        Presence::Added => " (trigger only in NEW)",
        Presence::Removed => " (trigger only in BASE)",
        Presence::Both => "",
    };
    let what = match t.change {
        TriggerChange::Unchanged if t.presence != Presence::Both => {
            return presence.trim().trim_matches(['(', ')']).to_string()
        }
        TriggerChange::NowFires => "now fires".to_string(),
        TriggerChange::NoLongerFires => "no longer fires".to_string(),
        TriggerChange::Moved => {
            let d = t.moved_seconds.unwrap_or(0.0) / 86400.0;
            format!(
                "moved {} by {:.1} days",
                if d < 0.0 { "earlier" } else { "later" },
                d.abs()
            )
        }
        TriggerChange::Share => "fires in a different number of replications".to_string(),
        TriggerChange::Unchanged => "unchanged".to_string(),
    };
    format!("{what}{presence}")
}

/// A check's side: `$123.39 of $200.00, ok, 38.3% left` (or `12.0% over`), or `not in this
/// run`.
pub fn check_side_words(unit: Unit, s: Option<&CheckSide>) -> String {
    let Some(s) = s else {
        return "not in this run".into();
    };
    let measured = s.measured.map_or_else(|| "no data".into(), |m| fmt_unit(unit, m));
    let left = match s.headroom {
        Some(h) if s.limit > 0.0 && h < 0.0 => format!(", {} over", pct(-h / s.limit)),
        Some(h) if s.limit > 0.0 => format!(", {} left", pct(h / s.limit)),
        _ => String::new(),
    };
    format!("{measured} of {}, {}{left}", fmt_unit(unit, s.limit), s.verdict.label())
}

/// A station's side: `24.0% busy (76.0% left)`, or `–`.
pub fn station_side_words(u: Option<f64>) -> String {
    u.map_or_else(|| "–".into(), |u| format!("{} busy ({} left)", pct(u), pct(1.0 - u)))
}
