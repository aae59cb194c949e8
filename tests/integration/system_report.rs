//! A system's report files against its result (`capsim::envs::{csv, charts}`): the shares of
//! the combined bill add up to it, `timeseries.csv` holds every environment's periods and the
//! combined months, `triggers.csv` every environment's triggers, and the charts are the scenario
//! report's own (a system of one environment draws exactly that scenario's charts).

use crate::common::{repo, write};
use crate::environments::railway_env;
use capsim::envs::{self, SystemResult};
use capsim::pricing::{CatalogSource, ChosenBy};
use std::path::Path;

fn run(dir: &Path, envs_yaml: &str, extra: &str) -> SystemResult {
    let text = format!("name: sys\nseed: 5\nreplications: 3\nenvironments: {envs_yaml}\n{extra}");
    let p = write(dir, "system.yaml", &text);
    let pricing = CatalogSource::dir(repo().join("pricing"), ChosenBy::Flag);
    let sys = envs::load(&p, Some(&pricing)).unwrap_or_else(|e| panic!("{e}"));
    envs::run_system(&sys, None).expect("run")
}

fn two(dir: &Path, extra: &str) -> SystemResult {
    write(dir, "a.yaml", &railway_env("1200MB", "45d"));
    write(dir, "b.yaml", &railway_env("1GB", "45d"));
    run(dir, "{a: a.yaml, b: b.yaml}", extra)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()))
}

/// Each environment's share of the combined bill: the shares add up to the bill (shared
/// account once), each is at most the environment's own bill, and with nothing shared each is
/// its own bill.
#[test]
fn the_environments_shares_add_up_to_the_combined_bill() {
    let dir = tempfile::tempdir().unwrap();
    let shared = two(dir.path(), "");
    assert_eq!(shared.months.len(), 2);
    for m in &shared.months {
        let sum: f64 = m.shares.iter().map(|(_, s)| s.mean).sum();
        assert!(close(sum, m.total.mean), "month {}: {sum} vs {}", m.month, m.total.mean);
        assert!(!m.shared.is_empty());
        for ((n, share), (_, own)) in m.shares.iter().zip(&m.environments) {
            assert!(share.mean <= own.mean + 1e-9, "{n}: {} > {}", share.mean, own.mean);
        }
        let alone: f64 = m.environments.iter().map(|(_, s)| s.mean).sum();
        assert!(
            sum < alone - 1.0,
            "the workspace's commitment counts once: {sum} vs {alone}"
        );
    }
    let apart = two(dir.path(), "separate_accounts: [railway]\n");
    for m in &apart.months {
        for ((_, share), (_, own)) in m.shares.iter().zip(&m.environments) {
            assert!(close(share.mean, own.mean));
        }
    }
}

fn parse(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(bytes);
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn num(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

/// `timeseries.csv`: a scenario's columns after `environment` and `month`; every period of
/// every environment with its own figures; then each month of the combined bill as `all`, its
/// `monthly_cost_*` the combined bill's summary and its components' costs adding up to it.
#[test]
fn timeseries_holds_every_environments_periods_and_the_combined_months() {
    let dir = tempfile::tempdir().unwrap();
    let r = two(dir.path(), "");
    let (header, rows) = parse(&envs::csv::timeseries_csv(&r));
    assert_eq!(&header[..4], ["environment", "month", "period", "start_day"]);
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert!(rows.iter().all(|row| row.len() == header.len()));
    let cost = col("monthly_cost_mean");
    let k = capsim::results::series_index("monthly_cost");
    for e in &r.environments {
        let own: Vec<&Vec<String>> = rows.iter().filter(|row| row[0] == e.name).collect();
        assert_eq!(own.len(), e.result.periods.len());
        for (row, p) in own.iter().zip(&e.result.periods) {
            assert_eq!(num(&row[col("period")]), p.index as f64);
            assert!(close(num(&row[cost]), p.series[k].mean));
            assert!(row[1].is_empty());
        }
    }
    let all: Vec<&Vec<String>> = rows.iter().filter(|row| row[0] == "all").collect();
    assert_eq!(all.len(), r.months.len());
    let comps: Vec<usize> = (0..header.len()).filter(|&i| header[i].starts_with("cost_")).collect();
    for (row, m) in all.iter().zip(&r.months) {
        assert_eq!(num(&row[1]), m.month as f64);
        assert!(close(num(&row[cost]), m.total.mean));
        assert!(close(num(&row[col("monthly_cost_p90")]), m.total.p90));
        let parts: f64 = comps
            .iter()
            .filter(|&&i| !row[i].is_empty())
            .map(|&i| num(&row[i]))
            .sum();
        assert!(close(parts, m.total.mean), "{parts} vs {}", m.total.mean);
        // The month's days: 30 each (hours_per_month 720), the last cut at the 45-day horizon.
        let (start, end) = (num(&row[col("start_day")]), num(&row[col("end_day")]));
        assert!(close(start, 30.0 * (m.month - 1) as f64) && close(end, (30.0 * m.month as f64).min(45.0)));
        assert!(row[col("latency_p99_mean")].is_empty());
    }
}

/// `triggers.csv`: one row per trigger of every environment, under its environment, with the
/// scenario's columns.
#[test]
fn triggers_are_every_environments_under_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let t = "triggers:\n  - {name: busy, metric: api.cpu, above: 1%, action: flag}\n";
    write(dir.path(), "a.yaml", &format!("{}{t}", railway_env("1GB", "30d")));
    write(dir.path(), "b.yaml", &railway_env("1GB", "30d"));
    let r = run(dir.path(), "{a: a.yaml, b: b.yaml, c: a.yaml}", "");
    let (header, rows) = parse(&envs::csv::triggers_csv(&r));
    assert_eq!(header[0], "environment");
    assert_eq!(&header[1..], capsim::report::csv::TRIGGER_HEADER);
    let envs: Vec<&str> = rows.iter().map(|row| row[0].as_str()).collect();
    assert_eq!(envs, ["a", "c"]);
    assert!(rows.iter().all(|row| row[1] == "busy"));
}

/// A system of one environment draws that environment's charts, byte for byte, under its name,
/// and a combined chart whose single stack is its bill.
#[test]
fn one_environments_charts_are_its_scenarios_charts() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", &railway_env("1GB", "60d"));
    let r = run(dir.path(), "{solo: a.yaml}", "budget: {monthly: $500}\n");
    let charts = envs::charts::charts(&r);
    let own = capsim::report::charts(&r.environments[0].result);
    assert_eq!(charts.len(), own.len() + 1);
    assert_eq!(charts[0].file, envs::charts::COMBINED);
    assert!(charts[0].chart.svg.contains("budget $500"));
    // Its legend names the environment (the stack is by environment, not by component).
    assert!(charts[0].chart.svg.contains("solo"));
    for c in own {
        let mine = charts
            .iter()
            .find(|m| m.file == format!("solo.{}", c.file))
            .unwrap_or_else(|| panic!("{}", c.file));
        assert_eq!(mine.chart.svg, c.svg);
        assert_eq!(mine.environment.as_deref(), Some("solo"));
    }
    for m in &r.months {
        assert!(close(m.shares[0].1.mean, m.total.mean));
    }
}
