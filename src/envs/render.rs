//! A system's report files, each formatting the same [`SystemResult`]: `summary.md` (the tables
//! of [`super::tables`], then each environment's own summary), `report.html` ([`super::html`]),
//! `costs.csv`, `timeseries.csv` and `triggers.csv` ([`super::csv`]), `summary.json` (the
//! combined bill and every environment's own `summary.json` object) and the charts
//! ([`super::charts`]: `cost_by_environment.svg`, then `<environment>.<chart>.svg`).

use super::charts::SystemChart;
use super::combine::SystemResult;
use super::tables::{tables, Table};
use crate::textsafe::md_text;
use std::fmt::Write;

/// The files of a system's report, in the order they are written, with their bytes.
pub fn files(r: &SystemResult) -> Vec<(String, Vec<u8>)> {
    let charts = super::charts::charts(r);
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("summary.md".into(), markdown(r, &charts).into_bytes()),
        ("report.html".into(), super::html::html(r, &charts).into_bytes()),
        ("costs.csv".into(), super::csv::costs_csv(r).into_bytes()),
        ("timeseries.csv".into(), super::csv::timeseries_csv(r)),
        ("triggers.csv".into(), super::csv::triggers_csv(r)),
        ("summary.json".into(), json(r)),
    ];
    files.extend(charts.into_iter().map(|c| (c.file, c.chart.svg.into_bytes())));
    files
}

/// The report in markdown: the combined tables and chart, then each environment's own summary
/// with its charts.
pub fn markdown(r: &SystemResult, charts: &[SystemChart]) -> String {
    let mut s = format!("# {}\n\n", md_text(&r.name));
    if let Some(d) = &r.description {
        let _ = writeln!(s, "{}\n", md_text(d));
    }
    let _ = writeln!(
        s,
        "System of {} environments from `{}`: seed {}, {} replications each, {} days; prices from {}. \
         Accounts the catalog shares are billed once across environments{}.\n",
        r.environments.len(),
        md_text(&r.file),
        r.seed,
        r.replications,
        r.horizon_days,
        md_text(&r.pricing.to_string()),
        if r.separate_accounts.is_empty() {
            String::new()
        } else {
            format!(
                " (except {}, billed per environment)",
                md_text(&r.separate_accounts.join(", "))
            )
        }
    );
    for t in tables(r) {
        md_table(&mut s, &t);
    }
    if !r.notes.is_empty() {
        s.push_str("## Notes\n\n");
        for n in &r.notes {
            let _ = writeln!(s, "- {}", md_text(n));
        }
        s.push('\n');
    }
    let combined: Vec<&str> = charts
        .iter()
        .filter(|c| c.environment.is_none())
        .map(|c| c.file.as_str())
        .collect();
    for f in combined {
        let _ = writeln!(s, "![{f}]({f})\n");
    }
    for e in &r.environments {
        let _ = writeln!(s, "---\n\n# Environment `{}` (seed {})\n", md_text(&e.name), e.seed);
        let own: Vec<&str> = charts
            .iter()
            .filter(|c| c.environment.as_deref() == Some(e.name.as_str()))
            .map(|c| c.file.as_str())
            .collect();
        // Its own report, headings one level down.
        for line in crate::report::markdown::markdown(&e.result, &own).lines() {
            if line.starts_with('#') {
                s.push('#');
            }
            s.push_str(line);
            s.push('\n');
        }
    }
    s
}

fn md_table(s: &mut String, t: &Table) {
    let _ = writeln!(s, "## {}\n", md_text(&t.title));
    if t.rows.is_empty() {
        s.push_str("None.\n\n");
        return;
    }
    let row = |cells: &[String]| {
        format!(
            "| {} |\n",
            cells.iter().map(|c| md_text(c)).collect::<Vec<_>>().join(" | ")
        )
    };
    s.push_str(&row(&t.header));
    let _ = writeln!(s, "|{}", "---|".repeat(t.header.len()));
    for r in &t.rows {
        s.push_str(&row(r));
    }
    s.push('\n');
}

/// The result as JSON: the combined bill, and every environment's own `summary.json` object.
pub fn json(r: &SystemResult) -> Vec<u8> {
    let envs: Vec<serde_json::Value> = r
        .environments
        .iter()
        .map(|e| {
            let own: serde_json::Value =
                serde_json::from_slice(&crate::report::json::json(&e.result)).unwrap_or(serde_json::Value::Null);
            serde_json::json!({"name": e.name, "file": e.file, "seed": e.seed, "summary": own})
        })
        .collect();
    let v = serde_json::json!({
        "kind": "system",
        "name": r.name,
        "description": r.description,
        "file": r.file,
        "seed": r.seed,
        "replications": r.replications,
        "horizon_days": r.horizon_days,
        "pricing": r.pricing,
        "separate_accounts": r.separate_accounts,
        "months": r.months,
        "budget": r.budget,
        "environment_checks": r.environment_checks,
        "figures": r.figures,
        "triggers": r.triggers,
        "notes": r.notes,
        "environments": envs,
    });
    let mut out = serde_json::to_vec_pretty(&v).unwrap_or_default();
    out.push(b'\n');
    out
}
