//! The CSV files of a report: `timeseries.csv`, `costs.csv` and `triggers.csv`.
//!
//! Every text cell goes through [`csv_text`], so a scenario's or a catalog's text that starts
//! like a formula (`=HYPERLINK(…)`) reaches a spreadsheet as text; numbers stay numbers.

use super::fmt::{csv_f, fmt_action, fmt_condition};
use crate::results::{RunResult, SERIES};
use crate::textsafe::csv_text;

/// The CSV file: every cell, header included, through [`csv_text`] (numbers pass unchanged).
fn to_csv(header: Vec<String>, rows: Vec<Vec<String>>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in std::iter::once(header).chain(rows) {
        w.write_record(r.iter().map(|c| csv_text(c).into_owned()))
            .expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

/// `timeseries.csv`: every period, every series (mean and 95 % CI half-width), cost per
/// component. `simulated` counts the replications that simulated the period's window; a series
/// no replication simulated is empty, not zero.
pub fn timeseries_csv(r: &RunResult) -> Vec<u8> {
    let mut header = vec![
        "period".to_string(),
        "start_day".into(),
        "end_day".into(),
        "stage".into(),
        "simulated".into(),
        "stopped".into(),
    ];
    for (name, _, _) in SERIES {
        header.push(format!("{name}_mean"));
        header.push(format!("{name}_ci95"));
        for q in ["p10", "p50", "p90"] {
            header.push(format!("{name}_{q}"));
        }
    }
    for c in &r.components {
        header.push(format!("cost_{c}_mean"));
    }
    let rows = r
        .periods
        .iter()
        .map(|p| {
            let mut row = vec![
                p.index.to_string(),
                csv_f(p.start_seconds / 86400.0),
                csv_f(p.end_seconds / 86400.0),
                p.stage.clone(),
                p.simulated.to_string(),
                p.stopped.to_string(),
            ];
            for s in &p.series {
                row.push(csv_f(s.mean));
                row.push(csv_f(s.ci95));
                row.extend([s.p10, s.p50, s.p90].map(csv_f));
            }
            for c in &p.component_costs {
                row.push(csv_f(c.mean));
            }
            row
        })
        .collect();
    to_csv(header, rows)
}

fn kind_name(k: crate::pricing::LineKind) -> &'static str {
    use crate::pricing::LineKind as K;
    match k {
        K::Fee => "fee",
        K::Size => "size",
        K::Meter => "meter",
        K::Multiplier => "multiplier",
        K::Credit => "credit",
        K::Commitment => "commitment",
    }
}

/// `costs.csv`: every line of every month's bill (median replication), with its arithmetic.
pub fn costs_csv(r: &RunResult) -> Vec<u8> {
    let header = [
        "month",
        "component",
        "provider",
        "plan",
        "share_of_month",
        "item",
        "kind",
        "usage",
        "unit",
        "included",
        "billable",
        "rate",
        "per",
        "amount_billed",
        "arithmetic",
        "component_mean_across_replications",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut rows = Vec::new();
    for m in &r.months {
        for cb in &m.example.components {
            let mean = m
                .components
                .iter()
                .find(|(c, _)| *c == cb.component)
                .map(|(_, s)| s.mean)
                .unwrap_or(f64::NAN);
            for l in &cb.bill.lines {
                rows.push(vec![
                    m.month.to_string(),
                    cb.component.clone(),
                    cb.provider.clone(),
                    cb.plan.clone(),
                    csv_f(cb.fraction),
                    l.item.clone(),
                    kind_name(l.kind).to_string(),
                    csv_f(l.usage),
                    l.unit.clone(),
                    csv_f(l.included),
                    csv_f(l.billable),
                    csv_f(l.rate),
                    csv_f(l.per),
                    csv_f(l.amount),
                    l.arithmetic.clone(),
                    csv_f(mean),
                ]);
            }
        }
    }
    to_csv(header, rows)
}

/// `triggers.csv`: one row per trigger.
pub fn triggers_csv(r: &RunResult) -> Vec<u8> {
    let header = [
        "trigger",
        "metric",
        "condition",
        "plan_says",
        "action",
        "fired_in",
        "replications",
        "first_fire_day_p50",
        "first_fire_day_p10",
        "first_fire_day_p90",
        "value_at_fire_p50",
        "effect",
        "cost_before_p50",
        "cost_after_p50",
        "periods_held_mean",
        "firings_mean",
        "peak_value",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let rows = r
        .triggers
        .iter()
        .map(|t| {
            vec![
                t.name.clone(),
                t.condition.metric.clone(),
                fmt_condition(&t.condition),
                t.plan_says.clone().unwrap_or_default(),
                fmt_action(&t.action),
                t.fired_in.to_string(),
                t.replications.to_string(),
                csv_f(t.first_fire.p50 / 86400.0),
                csv_f(t.first_fire.p10 / 86400.0),
                csv_f(t.first_fire.p90 / 86400.0),
                csv_f(t.value_at_fire.p50),
                t.effect.clone().unwrap_or_default(),
                csv_f(t.cost_before.p50),
                csv_f(t.cost_after.p50),
                csv_f(t.periods_held.mean),
                csv_f(t.firings.mean),
                t.peak_value.map(csv_f).unwrap_or_default(),
            ]
        })
        .collect();
    to_csv(header, rows)
}
