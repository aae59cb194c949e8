//! A system's CSV files: `costs.csv` (the bill by month, environment and component),
//! `timeseries.csv` (every environment's periods under an `environment` column, then the
//! combined bill month by month as `environment = all`) and `triggers.csv` (every environment's
//! triggers). The columns are a scenario's (`crate::report::csv`), so a spreadsheet built on one
//! reads the other.

use super::combine::SystemResult;
use crate::report::csv::{period_cells, timeseries_header, trigger_cells, write_csv, TRIGGER_HEADER};
use crate::report::fmt::csv_f;
use crate::results::SERIES;
use crate::textsafe::csv_text;
use std::fmt::Write;

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

/// Every component of every environment, in order of first appearance.
fn all_components(r: &SystemResult) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let each = r.environments.iter().flat_map(|e| e.result.components.iter());
    for c in each.chain(r.months.iter().flat_map(|m| m.components.iter().map(|(c, _)| c))) {
        if !names.contains(c) {
            names.push(c.clone());
        }
    }
    names
}

/// `timeseries.csv`: a scenario's columns after `environment` and `month`. Each environment's
/// periods (`month` empty), then one row per calendar month of the combined bill
/// (`environment = all`, `period` empty, the month's first and last day, `simulated` the
/// replications): `monthly_cost_*` is the month's bill across replications (shared accounts
/// once) and `cost_<component>_mean` each component's part of it; the other series are empty.
pub fn timeseries_csv(r: &SystemResult) -> Vec<u8> {
    let components = all_components(r);
    let mut header = vec!["environment".to_string(), "month".into()];
    header.extend(timeseries_header(&components));
    let width = header.len();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for e in &r.environments {
        let own = &e.result.components;
        for p in &e.result.periods {
            let mut row = vec![e.name.clone(), String::new()];
            row.extend(period_cells(p));
            for c in &components {
                let k = own.iter().position(|o| o == c);
                row.push(
                    k.and_then(|k| p.component_costs.get(k))
                        .map_or(String::new(), |s| csv_f(s.mean)),
                );
            }
            rows.push(row);
        }
    }
    let month = r
        .environments
        .first()
        .map_or(30.0, |e| e.result.scenario.hours_per_month / 24.0);
    let cost = SERIES.iter().position(|(n, _, _)| *n == "monthly_cost");
    for m in &r.months {
        let start = (m.month - 1) as f64 * month;
        let end = (m.month as f64 * month).min(r.horizon_days);
        let mut row = vec!["all".to_string(), m.month.to_string(), String::new()];
        row.extend([
            csv_f(start),
            csv_f(end),
            String::new(),
            r.replications.to_string(),
            String::new(),
        ]);
        for k in 0..SERIES.len() {
            if Some(k) == cost {
                let t = &m.total;
                row.extend([t.mean, t.ci95, t.p10, t.p50, t.p90].map(csv_f));
            } else {
                row.extend(std::iter::repeat_n(String::new(), 5));
            }
        }
        for c in &components {
            let v = m.components.iter().find(|(n, _)| n == c);
            row.push(v.map_or(String::new(), |(_, s)| csv_f(s.mean)));
        }
        rows.push(row);
    }
    debug_assert!(rows.iter().all(|r| r.len() == width));
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_csv(&mut out, header, rows.into_iter());
    out
}

/// `triggers.csv`: every environment's triggers, a scenario's columns after `environment`.
pub fn triggers_csv(r: &SystemResult) -> Vec<u8> {
    let mut header = vec!["environment".to_string()];
    header.extend(TRIGGER_HEADER.iter().map(|s| s.to_string()));
    let rows = r.triggers.iter().map(|t| {
        let mut row = vec![t.environment.clone()];
        row.extend(trigger_cells(&t.trigger));
        row
    });
    let mut out = Vec::new();
    let _ = write_csv(&mut out, header, rows);
    out
}
