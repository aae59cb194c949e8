//! `capsim diff --format text`: every change, for a terminal; unchanged rows are counted, not
//! listed.

use super::gate::GateFailure;
use super::model::{CheckRow, CostRow, Diff, Presence, StationRow, TriggerChange, TriggerRow};
use super::words::{
    check_side_words, cost_change, firing_words, money_or_dash, side_words, station_side_words, trigger_change_words,
};

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
