//! `capsim diff --format text`: every change, for a terminal; unchanged rows are counted, not
//! listed. The phrases shared with the Markdown renderer are here too.

use super::gate::GateFailure;
use super::model::{CheckRow, CheckSide, CostRow, Diff, Presence, Side, StationRow, TriggerChange, TriggerRow};
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

/// A check's side: `$123.39 of $200.00, ok, 38% left`, or `not in this run`.
pub fn check_side_words(unit: Unit, s: Option<&CheckSide>) -> String {
    let Some(s) = s else {
        return "not in this run".into();
    };
    let measured = s.measured.map_or_else(|| "no data".into(), |m| fmt_unit(unit, m));
    let left = match s.headroom {
        Some(h) if s.limit > 0.0 => format!(", {} left", pct(h / s.limit)),
        _ => String::new(),
    };
    format!("{measured} of {}, {}{left}", fmt_unit(unit, s.limit), s.verdict.label())
}

/// A station's side: `24.0% busy (76.0% left)`, or `–`.
pub fn station_side_words(u: Option<f64>) -> String {
    u.map_or_else(|| "–".into(), |u| format!("{} busy ({} left)", pct(u), pct(1.0 - u)))
}

/// The gate's verdict lines (none when no gate was asked for).
pub fn gate_lines(asked: bool, failures: &[GateFailure]) -> Vec<String> {
    if !asked {
        return Vec::new();
    }
    if failures.is_empty() {
        return vec!["gate: pass".into()];
    }
    failures.iter().map(|f| format!("gate: FAIL: {}", f.message)).collect()
}

/// The whole text rendering.
pub fn render(d: &Diff, gate_asked: bool, failures: &[GateFailure]) -> String {
    let mut s = format!("BASE: {}\nNEW:  {}\n", side_words(&d.base), side_words(&d.new));
    if d.is_empty() {
        s.push_str("\nNo differences: every cost, trigger, check and station is the same.\n");
    } else {
        costs(&mut s, d);
        triggers(&mut s, &d.triggers);
        checks(&mut s, &d.checks);
        stations(&mut s, &d.stations);
    }
    let gate = gate_lines(gate_asked, failures);
    if !gate.is_empty() {
        s.push('\n');
        for line in gate {
            s.push_str(&line);
            s.push('\n');
        }
    }
    s
}

fn costs(s: &mut String, d: &Diff) {
    s.push_str("\nMonthly totals (mean across replications):\n");
    for r in &d.totals {
        s.push_str(&format!(
            "  month {:<3} {:>12} → {:<12} {}\n",
            r.month,
            money_or_dash(r.before),
            money_or_dash(r.after),
            if r.changed { cost_change(r) } else { "unchanged".into() }
        ));
    }
    let changed: Vec<&CostRow> = d.costs.iter().filter(|r| r.changed).collect();
    let unchanged = d.costs.len() - changed.len();
    s.push_str(&format!(
        "\nComponent costs, largest change first ({} changed, {unchanged} unchanged not shown):\n",
        changed.len()
    ));
    let width = changed
        .iter()
        .map(|r| r.component.as_deref().unwrap_or("").chars().count())
        .max()
        .unwrap_or(0);
    for r in changed {
        s.push_str(&format!(
            "  month {:<3} {:<width$}  {:>12} → {:<12} {}\n",
            r.month,
            r.component.as_deref().unwrap_or(""),
            money_or_dash(r.before),
            money_or_dash(r.after),
            cost_change(r)
        ));
    }
}

fn triggers(s: &mut String, rows: &[TriggerRow]) {
    let changed: Vec<&TriggerRow> = rows
        .iter()
        .filter(|t| t.change != TriggerChange::Unchanged || t.presence != Presence::Both)
        .collect();
    s.push_str(&format!(
        "\nTriggers ({} changed, {} unchanged not shown):\n",
        changed.len(),
        rows.len() - changed.len()
    ));
    for t in changed {
        s.push_str(&format!(
            "  {}: {}\n    before: {}\n    after:  {}\n",
            t.name,
            trigger_change_words(t),
            firing_words(t.before),
            firing_words(t.after)
        ));
    }
}

fn checks(s: &mut String, rows: &[CheckRow]) {
    let changed: Vec<&CheckRow> = rows.iter().filter(|c| c.changed).collect();
    s.push_str(&format!(
        "\nChecks, measured against the limit ({} changed, {} unchanged not shown):\n",
        changed.len(),
        rows.len() - changed.len()
    ));
    for c in changed {
        let flag = if c.newly_failing { "  NOW FAILING" } else { "" };
        s.push_str(&format!(
            "  {} ({}){flag}\n    before: {}\n    after:  {}\n",
            c.id,
            c.what,
            check_side_words(c.unit, c.before.as_ref()),
            check_side_words(c.unit, c.after.as_ref())
        ));
    }
}

fn stations(s: &mut String, rows: &[StationRow]) {
    let changed: Vec<&StationRow> = rows.iter().filter(|r| r.changed).collect();
    s.push_str(&format!(
        "\nCapacity, busiest window's utilization against 100% ({} changed, {} unchanged not shown):\n",
        changed.len(),
        rows.len() - changed.len()
    ));
    for r in changed {
        let presence = match r.presence {
            Presence::Added => " (only in NEW)",
            Presence::Removed => " (only in BASE)",
            Presence::Both => "",
        };
        s.push_str(&format!(
            "  {}{presence}: {} → {}\n",
            r.station,
            station_side_words(r.before),
            station_side_words(r.after)
        ));
    }
}
