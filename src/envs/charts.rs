//! A system's charts, drawn by the scenario report's chart code (`crate::report::svg`): the
//! combined bill by month stacked by environment (`cost_by_environment.svg`), then each
//! environment's own charts under its name, its cost first (`production.monthly_cost.svg`, …).

use super::combine::SystemResult;
use crate::report::svg::{month_labels, stacked_months, MonthBars};
use crate::report::Chart;

/// The combined chart's file.
pub const COMBINED: &str = "cost_by_environment.svg";

/// An environment's charts of its cost, shown first in its section.
const COST_CHARTS: [&str; 2] = ["monthly_cost.svg", "cost_by_month.svg"];

/// A chart of a system's report: its file there, and the environment it is of (none for the
/// combined chart).
pub struct SystemChart {
    pub file: String,
    pub environment: Option<String>,
    pub chart: Chart,
}

/// Every chart with data: the combined one first, then each environment's in the system's order.
pub fn charts(r: &SystemResult) -> Vec<SystemChart> {
    let mut out: Vec<SystemChart> = combined(r)
        .map(|chart| SystemChart {
            file: COMBINED.to_string(),
            environment: None,
            chart,
        })
        .into_iter()
        .collect();
    for e in &r.environments {
        // Its cost first (the system's subject), then the rest in the scenario report's order.
        let mut own = crate::report::charts(&e.result);
        own.sort_by_key(|c| !COST_CHARTS.contains(&c.file));
        for chart in own {
            out.push(SystemChart {
                file: format!("{}.{}", e.name, chart.file),
                environment: Some(e.name.clone()),
                chart,
            });
        }
    }
    out
}

/// Each calendar month's combined bill as a bar stacked by the environments' shares (shared
/// accounts billed once, their saving split as the bill splits it), the system's budget dotted.
fn combined(r: &SystemResult) -> Option<Chart> {
    let names: Vec<String> = r.environments.iter().map(|e| e.name.clone()).collect();
    let stacks = r
        .months
        .iter()
        .map(|m| m.shares.iter().map(|(_, s)| s.mean).collect())
        .collect();
    let totals = r.months.iter().map(|m| m.total.mean).collect();
    let covered: Vec<(usize, f64)> = r
        .months
        .iter()
        .map(|m| {
            let own = r.environments.first().and_then(|e| e.result.months.get(m.month - 1));
            (m.month, own.map_or(1.0, |o| o.covered))
        })
        .collect();
    let bars = MonthBars::new(names, stacks, totals, month_labels(&covered))?;
    let budget = r
        .budget
        .iter()
        .filter(|c| c.id.ends_with(".total"))
        .map(|c| c.limit)
        .reduce(f64::max);
    // As short as the scenario's cost_by_month title, so that it fits the chart's width.
    let star = if bars.partial { ", partial months *" } else { "" };
    let title = format!("Cost by month and environment ($){star}");
    stacked_months(COMBINED, title, &bars, budget)
}
