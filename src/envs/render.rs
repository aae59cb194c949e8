//! A system's report files: `summary.md`, `report.html`, `costs.csv` and `summary.json`, each
//! formatting the same [`SystemResult`] (the tables of [`super::tables`]; the JSON holds every
//! environment's own `summary.json` object).

use super::combine::SystemResult;
use super::tables::{tables, Table};
use crate::report::fmt::csv_f;
use crate::report::html::escape;
use crate::textsafe::{csv_text, md_text};
use std::fmt::Write;

/// The files of a system's report, in the order they are written, with their bytes.
pub fn files(r: &SystemResult) -> Vec<(String, Vec<u8>)> {
    vec![
        ("summary.md".into(), markdown(r).into_bytes()),
        ("report.html".into(), html(r).into_bytes()),
        ("costs.csv".into(), costs_csv(r).into_bytes()),
        ("summary.json".into(), json(r)),
    ]
}

/// The report in markdown: the combined tables, then each environment's own summary.
pub fn markdown(r: &SystemResult) -> String {
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
    for e in &r.environments {
        let _ = writeln!(s, "---\n\n# Environment `{}` (seed {})\n", md_text(&e.name), e.seed);
        // Its own report, headings one level down.
        for line in crate::report::markdown::markdown(&e.result, &[]).lines() {
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

/// The report as one HTML page of the same tables.
pub fn html(r: &SystemResult) -> String {
    let mut s = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{0}</title></head><body>\n<h1>{0}</h1>\n",
        escape(&r.name)
    );
    for t in tables(r) {
        let _ = writeln!(s, "<h2>{}</h2>", escape(&t.title));
        s.push_str("<table>\n<tr>");
        for h in &t.header {
            let _ = write!(s, "<th>{}</th>", escape(h));
        }
        s.push_str("</tr>\n");
        for row in &t.rows {
            s.push_str("<tr>");
            for c in row {
                let _ = write!(s, "<td>{}</td>", escape(c));
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</table>\n");
    }
    if !r.notes.is_empty() {
        s.push_str("<h2>Notes</h2>\n<ul>\n");
        for n in &r.notes {
            let _ = writeln!(s, "<li>{}</li>", escape(n));
        }
        s.push_str("</ul>\n");
    }
    s.push_str("</body></html>\n");
    s
}

/// One row per month, environment (or `all`) and component (or `total`): mean, P10, P90 in
/// dollars.
pub fn costs_csv(r: &SystemResult) -> String {
    let mut s = String::from("month,environment,component,mean_usd,p10_usd,p90_usd\n");
    let mut row = |m: usize, env: &str, comp: &str, x: &crate::metrics::Summary| {
        let _ = writeln!(
            s,
            "{m},{},{},{},{},{}",
            csv_text(env),
            csv_text(comp),
            csv_f(x.mean),
            csv_f(x.p10),
            csv_f(x.p90)
        );
    };
    for m in &r.months {
        for e in &r.environments {
            if let Some(em) = e.result.months.get(m.month - 1) {
                row(m.month, &e.name, "total", &em.total);
                for (c, x) in &em.components {
                    row(m.month, &e.name, c, x);
                }
            }
        }
        row(m.month, "all", "total", &m.total);
        for (c, x) in &m.components {
            row(m.month, "all", c, x);
        }
    }
    s
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
