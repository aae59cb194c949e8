//! The CSV files of a report: `timeseries.csv`, `costs.csv` and `triggers.csv`.
//!
//! Every text cell goes through [`csv_text`], so a scenario's or a catalog's text that starts
//! like a formula (`=HYPERLINK(…)`) reaches a spreadsheet as text; numbers stay numbers.
//!
//! Each file is written row by row to the writer it is given: `timeseries.csv` has a row per
//! period, and what is held while it is written is one row (and the CSV writer's buffer), not
//! the file, whatever the horizon.

use super::fmt::{csv_f, fmt_action, fmt_condition};
use crate::results::{RunResult, SERIES};
use crate::textsafe::csv_text;
use std::io::{self, Write};

/// Writes a CSV file to `out`, a row at a time: every cell, header included, through
/// [`csv_text`] (numbers pass unchanged).
pub fn write_csv(out: &mut dyn Write, header: Vec<String>, rows: impl Iterator<Item = Vec<String>>) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    for r in std::iter::once(header).chain(rows) {
        for c in &r {
            w.write_field(csv_text(c).as_bytes())?;
        }
        w.write_record(None::<&[u8]>)?;
    }
    w.flush()
}

/// `timeseries.csv`: every period, every series (mean and 95 % CI half-width), cost per
/// component. `simulated` counts the replications that simulated the period's window; a series
/// no replication simulated is empty, not zero.
pub fn write_timeseries(r: &RunResult, out: &mut dyn Write) -> io::Result<()> {
    let rows = r.periods.iter().map(|p| {
        let mut row = period_cells(p);
        row.extend(p.component_costs.iter().map(|c| csv_f(c.mean)));
        row
    });
    write_csv(out, timeseries_header(&r.components), rows)
}

/// The header of `timeseries.csv` for `components`: the period's columns, every series', then
/// `cost_<component>_mean`.
pub fn timeseries_header(components: &[String]) -> Vec<String> {
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
    for c in components {
        header.push(format!("cost_{c}_mean"));
    }
    header
}

/// A period's cells of `timeseries.csv` up to its costs: the period, then every series' mean,
/// CI half-width, P10, P50 and P90.
pub fn period_cells(p: &crate::results::PeriodSummary) -> Vec<String> {
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
    row
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
        K::Byok => "byok",
    }
}

/// `costs.csv`: every line of every month's bill (median replication), with its arithmetic.
pub fn write_costs(r: &RunResult, out: &mut dyn Write) -> io::Result<()> {
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
        "list_cost_avoided",
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
                    csv_f(l.avoided),
                ]);
            }
        }
    }
    write_csv(out, header, rows.into_iter())
}

/// The header of `triggers.csv`.
pub const TRIGGER_HEADER: [&str; 17] = [
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
];

/// `triggers.csv`: one row per trigger.
pub fn write_triggers(r: &RunResult, out: &mut dyn Write) -> io::Result<()> {
    let header = TRIGGER_HEADER.iter().map(|s| s.to_string()).collect();
    write_csv(out, header, r.triggers.iter().map(trigger_cells))
}

/// A trigger's row of `triggers.csv`.
pub fn trigger_cells(t: &crate::results::TriggerSummary) -> Vec<String> {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testdata;

    /// A writer that keeps nothing but how much it was given, and its largest single write.
    #[derive(Default)]
    struct Meter {
        total: usize,
        largest: usize,
    }

    impl Write for Meter {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.total += buf.len();
            self.largest = self.largest.max(buf.len());
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// The run of `testdata` stretched to `n` periods.
    fn periods(n: usize) -> RunResult {
        let mut r = testdata::run();
        let p0 = r.periods[0].clone();
        r.periods = (0..n)
            .map(|i| crate::results::PeriodSummary {
                index: i,
                start_seconds: i as f64 * 86400.0,
                end_seconds: (i + 1) as f64 * 86400.0,
                ..p0.clone()
            })
            .collect();
        r
    }

    /// `timeseries.csv` reaches its writer a row at a time: the largest piece handed over (what
    /// was held at once) does not grow with the horizon, while the file does.
    #[test]
    fn timeseries_is_streamed_whatever_the_horizon() {
        let measure = |n| {
            let mut m = Meter::default();
            write_timeseries(&periods(n), &mut m).unwrap();
            m
        };
        let (month, decade) = (measure(30), measure(3650));
        let row = (decade.total - month.total) / 3620;
        assert!(row > 300, "a row is {row} bytes");
        assert!(decade.total > 1_000_000, "{} bytes", decade.total);
        assert!(decade.largest <= 16 * 1024, "largest write {} bytes", decade.largest);
        assert!(
            decade.largest <= month.largest.max(8 * 1024) + row,
            "{} vs {}",
            decade.largest,
            month.largest
        );
    }

    /// Streaming changes no byte: the file is the header and one line per period, each period's
    /// line the same whatever the rows around it.
    #[test]
    fn a_streamed_timeseries_is_its_rows_in_order() {
        let r = periods(500);
        let mut all = Vec::new();
        write_timeseries(&r, &mut all).unwrap();
        let text = String::from_utf8(all).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 501);
        assert!(lines[0].starts_with("period,start_day,end_day,stage,"));
        for (i, l) in lines[1..].iter().enumerate() {
            assert!(l.starts_with(&format!("{i},{i},{},", i + 1)), "{l}");
            assert_eq!(l.split(',').count(), lines[0].split(',').count());
        }
    }
}
