//! A system's result laid out as titled tables of text cells: the one layout the markdown,
//! HTML and CSV renderers format ([`super::render`]).

use super::combine::SystemResult;
use crate::metrics::Summary;
use crate::units::fmt_money;

/// A titled table: a header row and rows of cells.
#[derive(Debug, Clone)]
pub struct Table {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn spread(s: &Summary) -> String {
    format!("{} ({} – {})", fmt_money(s.mean), fmt_money(s.p10), fmt_money(s.p90))
}

/// Every table of the report, in order.
pub fn tables(r: &SystemResult) -> Vec<Table> {
    let mut out = vec![environments(r), monthly(r)];
    if let Some(t) = components(r) {
        out.push(t);
    }
    out.push(shared(r));
    out.push(checks(r));
    out.push(triggers(r));
    out
}

fn triggers(r: &SystemResult) -> Table {
    Table {
        title: "Triggers of every environment".into(),
        header: ["id", "fired in", "effect"].map(String::from).to_vec(),
        rows: r
            .triggers
            .iter()
            .map(|t| {
                vec![
                    t.id.clone(),
                    format!("{} of {} replications", t.trigger.fired_in, t.trigger.replications),
                    t.trigger.effect.clone().unwrap_or_else(|| "—".into()),
                ]
            })
            .collect(),
    }
}

fn environments(r: &SystemResult) -> Table {
    Table {
        title: "Environments".into(),
        header: ["environment", "file", "seed", "scenario", "month 1 mean"]
            .map(String::from)
            .to_vec(),
        rows: r
            .environments
            .iter()
            .map(|e| {
                let m1 = e.result.months.first().map_or(f64::NAN, |m| m.total.mean);
                vec![
                    e.name.clone(),
                    e.file.clone(),
                    e.seed.to_string(),
                    e.result.scenario.name.clone(),
                    fmt_money(m1),
                ]
            })
            .collect(),
    }
}

fn monthly(r: &SystemResult) -> Table {
    let mut header = vec!["month".to_string()];
    header.extend(r.environments.iter().map(|e| format!("{} alone", e.name)));
    header.push("shared accounts".into());
    header.push("all environments, mean (P10 – P90)".into());
    Table {
        title: "Monthly bill".into(),
        header,
        rows: r
            .months
            .iter()
            .map(|m| {
                let mut row = vec![m.month.to_string()];
                row.extend(m.environments.iter().map(|(_, s)| fmt_money(s.mean)));
                let saved: f64 = m.shared.iter().map(|s| s.saving.mean).sum();
                row.push(format!("−{}", fmt_money(saved)));
                row.push(spread(&m.total));
                row
            })
            .collect(),
    }
}

/// Whether environment `e` bills `name` as unpriced in month 1 (no provider: its cost is
/// unknown, not $0).
fn unpriced(e: &super::combine::EnvResult, name: &str) -> bool {
    e.result.months.first().is_some_and(|m| {
        m.example
            .components
            .iter()
            .any(|cb| cb.component == name && cb.provider == crate::billing::unpriced::UNPRICED)
    })
}

fn components(r: &SystemResult) -> Option<Table> {
    let m1 = r.months.first()?;
    let mut header = vec!["component".to_string()];
    header.extend(r.environments.iter().map(|e| e.name.clone()));
    header.push("all environments (shared accounts once)".into());
    let rows = m1
        .components
        .iter()
        .map(|(name, s)| {
            let mut row = vec![name.clone()];
            let mut priced = false;
            for e in &r.environments {
                let v = e
                    .result
                    .months
                    .first()
                    .and_then(|m| m.components.iter().find(|(n, _)| n == name));
                let cell = match v {
                    None => "—".into(),
                    Some(_) if unpriced(e, name) => "unpriced".into(),
                    Some((_, s)) => {
                        priced = true;
                        fmt_money(s.mean)
                    }
                };
                row.push(cell);
            }
            row.push(if priced { fmt_money(s.mean) } else { "unpriced".into() });
            row
        })
        .collect();
    Some(Table {
        title: "Month 1 by component (means; unpriced: no provider, its cost unknown)".into(),
        header,
        rows,
    })
}

fn shared(r: &SystemResult) -> Table {
    Table {
        title: "Accounts billed once across environments".into(),
        header: [
            "month",
            "account",
            "environments",
            "billed apart",
            "billed once",
            "saving",
            "adjustments (first replication sharing it)",
        ]
        .map(String::from)
        .to_vec(),
        rows: r
            .months
            .iter()
            .flat_map(|m| {
                m.shared.iter().map(move |s| {
                    vec![
                        m.month.to_string(),
                        s.account.clone(),
                        s.environments.join(" + "),
                        fmt_money(s.separate.mean),
                        fmt_money(s.together.mean),
                        fmt_money(s.saving.mean),
                        s.example
                            .iter()
                            .map(|l| format!("{}: {}", l.item, l.arithmetic))
                            .collect::<Vec<_>>()
                            .join("; "),
                    ]
                })
            })
            .collect(),
    }
}

fn checks(r: &SystemResult) -> Table {
    let mut rows: Vec<Vec<String>> = r
        .figures
        .iter()
        .map(|f| {
            let plan = if f.plan.low < f.plan.high {
                format!("{} – {}", fmt_money(f.plan.low), fmt_money(f.plan.high))
            } else {
                fmt_money(f.plan.high)
            };
            let verdict = if f.agrees { "agrees" } else { "differs" };
            vec![
                f.id.clone(),
                f.what.clone(),
                plan,
                fmt_money(f.measured),
                verdict.into(),
            ]
        })
        .collect();
    for c in r.budget.iter().chain(&r.environment_checks) {
        rows.push(vec![
            c.id.clone(),
            c.what.clone(),
            crate::report::fmt::fmt_check_limit(c),
            crate::report::fmt::fmt_check_value(c),
            c.verdict.label().into(),
        ]);
    }
    Table {
        title: "Plan figures, budgets and objectives".into(),
        header: ["id", "what", "plan or limit", "capsim", "verdict"]
            .map(String::from)
            .to_vec(),
        rows,
    }
}
