//! `capsim diff --format markdown`: short enough for a pull-request comment. The monthly
//! totals, then the largest component changes (at most [`MAX_COST_ROWS`], the rest counted),
//! then only the triggers, checks and stations that changed; unchanged rows are counted, never
//! listed. Every name from a scenario goes through [`crate::textsafe::md_text`].

use super::gate::GateFailure;
use super::model::{CostRow, Diff, Presence, TriggerChange};
use super::words::{
    check_side_words, cost_change, firing_words, money_or_dash, station_side_words, trigger_change_words,
};
use crate::textsafe::md_text;

/// Component rows shown at most; the others are counted.
pub const MAX_COST_ROWS: usize = 10;

/// The whole Markdown rendering.
pub fn render(d: &Diff, gate_asked: bool, failures: &[GateFailure]) -> String {
    let mut s = format!(
        "### capsim diff: {} → {}\n\n",
        md_text(&d.base.name),
        md_text(&d.new.name)
    );
    s.push_str(&format!(
        "BASE {} `{}` (seed {}, {} replications) → NEW {} `{}` (seed {}, {} replications). \
         Costs are means across replications, in dollars.\n\n",
        d.base.kind,
        md_text(&d.base.path),
        d.base.seed,
        d.base.replications,
        d.new.kind,
        md_text(&d.new.path),
        d.new.seed,
        d.new.replications
    ));
    if let Some(g) = gate(gate_asked, failures) {
        s.push_str(&g);
    }
    if d.is_empty() {
        s.push_str("No differences: every cost, trigger, check and station is the same.\n");
        return s;
    }
    totals(&mut s, d);
    costs(&mut s, d);
    triggers(&mut s, d);
    checks(&mut s, d);
    stations(&mut s, d);
    s
}

fn gate(asked: bool, failures: &[GateFailure]) -> Option<String> {
    if !asked {
        return None;
    }
    if failures.is_empty() {
        return Some("**Gate: pass.**\n\n".into());
    }
    let mut s = "**Gate: FAIL.**\n\n".to_string();
    for f in failures {
        s.push_str(&format!("- {}\n", md_text(&f.message)));
    }
    s.push('\n');
    Some(s)
}

fn totals(s: &mut String, d: &Diff) {
    s.push_str("| Month | Total before | Total after | Change |\n|---:|---:|---:|---|\n");
    for r in &d.totals {
        let change = if r.changed { cost_change(r) } else { "unchanged".into() };
        s.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            r.month,
            money_or_dash(r.before),
            money_or_dash(r.after),
            change
        ));
    }
    s.push('\n');
}

fn costs(s: &mut String, d: &Diff) {
    let changed: Vec<&CostRow> = d.costs.iter().filter(|r| r.changed).collect();
    let unchanged = d.costs.len() - changed.len();
    if changed.is_empty() {
        s.push_str(&format!("No component's cost changed ({unchanged} rows).\n\n"));
        return;
    }
    s.push_str("| Month | Component | Before | After | Change |\n|---:|---|---:|---:|---|\n");
    for r in changed.iter().take(MAX_COST_ROWS) {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            r.month,
            md_text(r.component.as_deref().unwrap_or("")),
            money_or_dash(r.before),
            money_or_dash(r.after),
            cost_change(r)
        ));
    }
    let more = changed.len().saturating_sub(MAX_COST_ROWS);
    let more = if more > 0 {
        format!("{more} smaller changes and ")
    } else {
        String::new()
    };
    s.push_str(&format!(
        "\n_Largest change first; {more}{unchanged} unchanged rows not shown._\n\n"
    ));
}

fn triggers(s: &mut String, d: &Diff) {
    let changed: Vec<_> = d
        .triggers
        .iter()
        .filter(|t| t.change != TriggerChange::Unchanged || t.presence != Presence::Both)
        .collect();
    if changed.is_empty() {
        return;
    }
    s.push_str("| Trigger | Change | Before | After |\n|---|---|---|---|\n");
    for t in &changed {
        s.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            md_text(&t.name),
            trigger_change_words(t),
            firing_words(t.before),
            firing_words(t.after)
        ));
    }
    s.push_str(&format!(
        "\n_{} unchanged triggers not shown._\n\n",
        d.triggers.len() - changed.len()
    ));
}

fn checks(s: &mut String, d: &Diff) {
    let changed: Vec<_> = d.checks.iter().filter(|c| c.changed).collect();
    if changed.is_empty() {
        return;
    }
    s.push_str("| Check | Before | After |\n|---|---|---|\n");
    for c in &changed {
        let flag = if c.newly_failing { " **now failing**" } else { "" };
        s.push_str(&format!(
            "| {}{flag} | {} | {} |\n",
            md_text(&c.what),
            check_side_words(c.unit, c.before.as_ref()),
            check_side_words(c.unit, c.after.as_ref())
        ));
    }
    s.push_str(&format!(
        "\n_{} unchanged checks not shown._\n\n",
        d.checks.len() - changed.len()
    ));
}

fn stations(s: &mut String, d: &Diff) {
    let changed: Vec<_> = d.stations.iter().filter(|r| r.changed).collect();
    if changed.is_empty() {
        return;
    }
    s.push_str("| Station (busiest window) | Before | After |\n|---|---|---|\n");
    for r in &changed {
        s.push_str(&format!(
            "| {} | {} | {} |\n",
            md_text(&r.station),
            station_side_words(r.before),
            station_side_words(r.after)
        ));
    }
    s.push_str(&format!(
        "\n_{} unchanged stations not shown._\n",
        d.stations.len() - changed.len()
    ));
}
