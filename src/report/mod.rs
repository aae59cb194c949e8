//! Turns a finished run ([`RunResult`]) into things people look at: SVG charts and a single
//! self-contained HTML page.
//!
//! Renderers here are pure: they take the run's plain data and return strings, or write to a
//! writer they are given. They never touch the filesystem, so the same output can be written to
//! files, embedded in other reports or compared byte for byte in tests. Writing files is
//! another module's job (`outdir`, which renders each file of a [`Report`] straight into it).

pub mod alternatives;
pub mod clientlimit;
pub mod csv;
pub mod faults;
pub mod fmt;
pub mod html;
pub mod jobs;
pub mod jobwork;
pub mod json;
pub mod markdown;
pub mod ranges;
pub mod svg;
pub mod text;
pub mod words;

use crate::results::RunResult;
use std::io::{self, Write};

/// One rendered chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    /// File name the chart is meant to be saved under, e.g. `latency.svg`.
    pub file: &'static str,
    /// Title drawn on the chart (with units); also used as the figure caption.
    pub title: String,
    /// Complete `<svg>` document.
    pub svg: String,
}

/// Every chart that has data in this run, in reading order. Charts whose series are all
/// missing (no queue in the scenario, for example) are left out.
pub fn charts(r: &RunResult) -> Vec<Chart> {
    [
        svg::queue_backlog,
        svg::latency,
        svg::utilization,
        svg::database_size,
        svg::recovery,
        svg::monthly_cost,
        svg::cost_by_month,
    ]
    .iter()
    .filter_map(|f| f(r))
    .collect()
}

/// A small, hand-built run shared by the report tests.
/// The overload warnings as an HTML alert box near the top of `report.html` (empty when none).
pub fn overload_box(r: &RunResult) -> String {
    if r.overload.is_empty() {
        return String::new();
    }
    let items: String = r
        .overload
        .iter()
        .map(|w| format!("<li>{}</li>\n", html::escape(&w.message)))
        .collect();
    format!(
        "<div class=\"warning\" role=\"alert\" id=\"overload\"><strong>⚠ Overload: arrivals beyond capacity</strong>{}\n<ul>\n{items}</ul></div>\n",
        html::escape(crate::overload::EXPLAINED)
    )
}

/// A report directory's files, each rendered when it is written ([`Report::write`]): what is
/// held at once is the run, its charts (which `report.html` embeds) and the file being written,
/// never the whole report.
pub struct Report<'a> {
    r: &'a RunResult,
    charts: Vec<Chart>,
}

impl<'a> Report<'a> {
    /// The report of run `r` (its charts are drawn now).
    pub fn new(r: &'a RunResult) -> Report<'a> {
        Report { r, charts: charts(r) }
    }

    /// Every file, in the order they are written: those every report holds (the first
    /// [`crate::outdir::ALWAYS_WRITTEN`] of [`crate::outdir::REPORT_FILES`]), then the charts
    /// with data.
    pub fn files(&self) -> Vec<&'static str> {
        crate::outdir::REPORT_FILES[..crate::outdir::ALWAYS_WRITTEN]
            .iter()
            .copied()
            .chain(self.charts.iter().map(|c| c.file))
            .collect()
    }

    /// Renders file `name` (one of [`Self::files`]) into `out`.
    pub fn write(&self, name: &str, out: &mut dyn Write) -> io::Result<()> {
        let r = self.r;
        match name {
            "summary.md" => {
                let chart_files: Vec<&str> = self.charts.iter().map(|c| c.file).collect();
                out.write_all(markdown::markdown(r, &chart_files).as_bytes())
            }
            "report.html" => {
                let summary = format!(
                    "<pre class=\"summary\">{}</pre>",
                    html::escape(&text::summary_text(r, None))
                );
                out.write_all(html::render(r, Some(&summary), &self.charts).as_bytes())
            }
            "costs.csv" => csv::write_costs(r, out),
            "timeseries.csv" => csv::write_timeseries(r, out),
            "triggers.csv" => csv::write_triggers(r, out),
            "summary.json" => json::write_json(r, out),
            _ => match self.charts.iter().find(|c| c.file == name) {
                Some(c) => out.write_all(c.svg.as_bytes()),
                None => Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("a report has no file {name}"),
                )),
            },
        }
    }
}

impl crate::outdir::ReportFiles for Report<'_> {
    fn names(&self) -> Vec<&str> {
        self.files()
    }

    fn render(&self, name: &str, out: &mut dyn Write) -> io::Result<()> {
        self.write(name, out)
    }
}

/// All files of a report directory, in memory (for tests and benchmarks; `capsim run` writes
/// them one at a time through [`Report`]).
pub fn render_all(r: &RunResult) -> Vec<(String, Vec<u8>)> {
    let report = Report::new(r);
    report
        .files()
        .into_iter()
        .map(|name| {
            let mut bytes = Vec::new();
            // Writing to memory cannot fail, and every name is the report's own.
            let _ = report.write(name, &mut bytes);
            (name.to_string(), bytes)
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod testdata {
    use crate::metrics::Summary;
    use crate::pricing::{Bill, CostLine};
    use crate::results::{s, ComponentBill, MonthBill, SERIES};
    use crate::results::{
        Check, CheckVerdict, Checks, Comparison, Direction, Instability, MonthSummary, PeriodSummary, PlanFigure,
        RunResult, ScenarioInfo, StationSummary, TriggerAction, TriggerCondition, TriggerSummary,
    };
    use crate::units::Unit;

    /// A summary of five replications around `mean` with the given CI half-width.
    pub fn sm(mean: f64, ci: f64) -> Summary {
        if !mean.is_finite() {
            return Summary::EMPTY;
        }
        Summary {
            mean,
            ci95: ci,
            p10: mean - ci,
            p50: mean,
            p90: mean + ci,
            min: mean - 2.0 * ci,
            max: mean + 2.0 * ci,
            n: 5,
        }
    }

    fn line(item: &str, usage: f64, rate: f64, arithmetic: &str) -> CostLine {
        CostLine {
            item: item.into(),
            kind: crate::pricing::LineKind::Meter,
            usage,
            unit: "GB".into(),
            included: 0.0,
            billable: usage,
            rate,
            per: 1.0,
            amount: usage * rate,
            avoided: 0.0,
            arithmetic: arithmetic.into(),
        }
    }

    /// Ten one-day periods, three components, two triggers (one fired), one month.
    pub fn run() -> RunResult {
        let day = 86400.0;
        let components = vec!["api".to_string(), "database".to_string(), "vector store".to_string()];
        let periods = (0..10)
            .map(|p| {
                let t = p as f64;
                let mut series = vec![Summary::EMPTY; SERIES.len()];
                series[s::USERS] = sm(1000.0 + 100.0 * t, 10.0);
                series[s::P50] = sm(0.080 + 0.002 * t, 0.003);
                series[s::P95] = sm(0.200 + 0.010 * t, 0.010);
                // A gap: the line must break, not panic.
                series[s::P99] = if p == 4 {
                    Summary::EMPTY
                } else {
                    sm(0.350 + 0.020 * t, 0.030)
                };
                series[s::CPU] = sm(0.30 + 0.05 * t, 0.02);
                series[s::API_UTIL] = sm(0.40 + 0.08 * t, 0.03);
                series[s::API_Q] = sm(0.1 * t, 0.05);
                series[s::DB_UTIL] = sm(0.20 + 0.02 * t, 0.01);
                series[s::Q_MAX] = sm(3.0 + t, 1.0);
                series[s::Q_MEAN] = sm(1.0 + 0.3 * t, 0.2);
                series[s::Q_UTIL] = sm(0.5, f64::NAN);
                series[s::DB_SIZE] = sm(2.0e8 * (1.0 + t), 1.0e6);
                // Backups: daily (RPO 24 h), restored at 1 MB/s after 5 minutes.
                series[s::DB_RPO] = sm(86_400.0, 0.0);
                series[s::DB_RTO] = sm(2.0e2 * (1.0 + t) + 300.0, 1.0);
                series[s::OBJ_SIZE] = sm(0.0, 0.0);
                series[s::COST] = sm(120.0 + 5.0 * t, 1.0);
                PeriodSummary {
                    index: p,
                    start_seconds: t * day,
                    end_seconds: (t + 1.0) * day,
                    stage: if p < 5 { "launch".into() } else { "growth".into() },
                    series,
                    component_costs: vec![sm(50.0, 0.0), sm(if p < 5 { 25.0 } else { 60.0 }, 2.0), sm(45.0, 0.0)],
                    simulated: 5,
                    stopped: 0,
                }
            })
            .collect();
        let bill = |name: &str, lines: Vec<CostLine>, fraction: f64| {
            let total = lines.iter().map(|l| l.amount).sum();
            ComponentBill {
                component: name.into(),
                members: vec![(name.to_string(), total * fraction)],
                provider: "acme".into(),
                plan: "pro".into(),
                fraction,
                bill: Bill {
                    lines,
                    total,
                    warnings: vec![],
                },
            }
        };
        let example = MonthBill {
            month: 1,
            covered: 10.0 / 30.4,
            components: vec![
                bill(
                    "api",
                    vec![line("compute", 240.0, 0.0694, "240 h × $0.0694/h = $16.66")],
                    1.0,
                ),
                bill(
                    "database",
                    vec![line("storage", 2.0, 0.125, "2 GB × $0.125/GB = $0.25 <small>")],
                    1.0,
                ),
            ],
            total: 16.91,
            alternatives: vec![],
        };
        let fired = TriggerSummary {
            name: "db upgrade".into(),
            condition: TriggerCondition {
                metric: "database.size".into(),
                components: Vec::new(),
                percentile: None,
                comparison: Direction::Above,
                threshold: 1e9,
                unit: Unit::Bytes,
                sustained_seconds: 0.0,
            },
            action: TriggerAction::Upgrade {
                component: "database".into(),
                provider: None,
                plan: Some("pro".into()),
                size: None,
                vcpu: None,
                ram_bytes: None,
                pooler: None,
                read_replicas: None,
                connections: None,
                servers: None,
            },
            plan_says: Some("around day 5".into()),
            fired_in: 4,
            replications: 5,
            first_fire: sm(4.5 * day, 0.3 * day),
            value_at_fire: sm(1.05e9, 1e7),
            periods_held: sm(5.0, 0.5),
            effect: Some("database: pro".into()),
            cost_before: sm(120.0, 0.0),
            cost_after: sm(155.0, 0.0),
            firings: sm(1.0, 0.0),
            peak_value: Some(2.0e9),
        };
        let quiet = TriggerSummary {
            name: "add api".into(),
            condition: TriggerCondition {
                metric: "api.cpu".into(),
                components: Vec::new(),
                percentile: None,
                comparison: Direction::Above,
                threshold: 0.9,
                unit: Unit::Fraction,
                sustained_seconds: 0.0,
            },
            action: TriggerAction::AddInstances {
                component: "api".into(),
                count: 1,
                max: 4,
            },
            plan_says: None,
            fired_in: 0,
            replications: 5,
            first_fire: Summary::EMPTY,
            value_at_fire: Summary::EMPTY,
            periods_held: sm(0.0, 0.0),
            effect: None,
            cost_before: Summary::EMPTY,
            cost_after: Summary::EMPTY,
            firings: sm(0.0, 0.0),
            peak_value: Some(0.75),
        };
        RunResult {
            scenario: ScenarioInfo {
                name: "Demo <script>alert(1)</script> & co".into(),
                file: "scenarios/demo.yaml".into(),
                description: Some("A small hand-made run".into()),
                source: None,
                seed: 42,
                replications: 5,
                horizon_days: 10.0,
                resolution_seconds: day,
                start_stage: "launch".into(),
                hours_per_month: 730.0,
                approximation: "Busy-window simulation of each day.".into(),
                pricing: crate::pricing::CatalogSource::builtin(),
            },
            series_names: SERIES.iter().map(|s| s.0).collect(),
            components_used: vec![true; 3],
            plan_notes: vec!["The plan's own arithmetic is off by 2×.".into()],
            jobs: Vec::new(),
            job_work: None,
            inputs_from_ranges: Vec::new(),
            components: components.clone(),
            periods,
            triggers: vec![fired, quiet],
            months: vec![MonthSummary {
                month: 1,
                covered: 10.0 / 30.4,
                total: sm(45.0, 1.5),
                components: components
                    .iter()
                    .zip([16.0, 12.0, 17.0])
                    .map(|(c, v)| (c.clone(), sm(v, 0.5)))
                    .collect(),
                example,
            }],
            stations: vec![
                StationSummary {
                    station: "api workers".into(),
                    servers: 4,
                    waiting_room: None,
                    arrival_rate: 12.0,
                    mean_service: 0.25,
                    service_scv: 1.0,
                    utilization: 0.75,
                    sim_wait: sm(0.032, 0.004),
                    sim_p_wait: sm(0.51, 0.02),
                    sim_p_block: sm(0.0, 0.0),
                    sim_p_timeout: sm(0.0, 0.0),
                    sim_sojourn: sm(0.282, 0.004),
                    sim_throughput: sm(12.0, 0.1),
                    theory_sojourn: Some(0.2841),
                    theory_model: "M/M/c (Erlang C)".into(),
                    theory_wait: Some(0.0341),
                    theory_p_wait: Some(0.509),
                    theory_p_block: None,
                    agrees: Some(true),
                },
                StationSummary {
                    station: "database".into(),
                    servers: 10,
                    waiting_room: Some(0),
                    arrival_rate: 80.0,
                    mean_service: 0.1,
                    service_scv: 1.0,
                    utilization: 0.7,
                    sim_wait: sm(0.0, 0.0),
                    sim_p_wait: sm(0.0, 0.0),
                    sim_p_block: sm(0.1217, 0.0021),
                    sim_p_timeout: sm(0.0, 0.0),
                    sim_sojourn: sm(0.1, 0.001),
                    sim_throughput: sm(70.3, 0.2),
                    theory_sojourn: Some(0.1),
                    theory_model: "Erlang B (M/G/c/c loss system), approximate: assumes Poisson arrivals".into(),
                    theory_wait: Some(0.0),
                    theory_p_wait: Some(0.0),
                    theory_p_block: Some(0.1217),
                    agrees: Some(true),
                },
            ],
            instability: Some(Instability {
                replications: 2,
                first_period: 8,
                first_time_seconds: 8.0 * day,
                station: "api_workers".into(),
                stopped_at_seconds: 8.8 * day,
                message: "API queue grows without bound".into(),
            }),
            overload: vec![crate::results::Overload {
                station: "job_queue".into(),
                kind: crate::results::OverloadKind::Overloaded,
                periods: vec![7, 8, 9],
                periods_observed: 10,
                first_period: 7,
                worst_period: 9,
                window_start_seconds: 9.0 * day + 19.0 * 3600.0,
                window_end_seconds: 9.0 * day + 20.0 * 3600.0,
                offered_load: 1.75,
                arrival_rate: 0.35,
                reached_rate: 0.35,
                capacity: 0.2,
                rate_limited: true,
                servers: 2,
                mean_service: 10.0,
                lost_share: 0.0,
                backlog_start: 12.0,
                backlog_end: 560.0,
                carried_backlog: None,
                carried_backlog_end: None,
                replications: 5,
                replications_observed: 5,
                message: "job queue: arrivals exceed capacity <b>here</b>".into(),
            }],
            checks: Checks {
                budget: vec![Check {
                    id: "budget.month_1.total".into(),
                    what: "month 1 total".into(),
                    unit: Unit::Dollars,
                    limit: 150.0,
                    measured: 141.0,
                    mean: Some(136.8),
                    percentile: None,
                    missing: None,
                    verdict: CheckVerdict::Ok,
                }],
                slo: vec![Check {
                    id: "slo.latency_p95".into(),
                    what: "p95 latency, worst busy window".into(),
                    unit: Unit::Seconds,
                    limit: 0.25,
                    measured: 0.29,
                    mean: None,
                    percentile: None,
                    missing: None,
                    verdict: CheckVerdict::Breached,
                }],
                plan_comparisons: vec![
                    Comparison {
                        id: "plan.monthly_cost".into(),
                        what: "monthly cost".into(),
                        unit: Unit::Dollars,
                        kind: PlanFigure::Estimate,
                        plan: 100.0,
                        measured: 136.8,
                        simulated: None,
                        ratio: 1.368,
                        why: "database: plan $10.00 vs $36.00".into(),
                        agrees: false,
                    },
                    Comparison {
                        id: "plan.users".into(),
                        what: "users at the end".into(),
                        unit: Unit::Count,
                        kind: PlanFigure::Estimate,
                        plan: 1900.0,
                        measured: 1900.0,
                        simulated: None,
                        ratio: 1.0,
                        why: "same growth".into(),
                        agrees: true,
                    },
                ],
            },
            notes: vec!["A note with <angle> brackets".into()],
            faults: Vec::new(),
            availability: None,
            client_limit: None,
        }
    }

    /// The same run with every series and cost missing (NaN).
    pub fn all_nan() -> RunResult {
        let mut r = run();
        for p in &mut r.periods {
            p.series.iter_mut().for_each(|v| *v = Summary::EMPTY);
            p.component_costs.iter_mut().for_each(|v| *v = Summary::EMPTY);
        }
        for m in &mut r.months {
            m.total = Summary::EMPTY;
            m.components.iter_mut().for_each(|c| c.1 = Summary::EMPTY);
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_seven_charts_for_a_full_run() {
        let files: Vec<&str> = charts(&testdata::run()).iter().map(|c| c.file).collect();
        assert_eq!(
            files,
            [
                "queue_backlog.svg",
                "latency.svg",
                "utilization.svg",
                "database_size.svg",
                "recovery.svg",
                "monthly_cost.svg",
                "cost_by_month.svg"
            ]
        );
    }

    /// Overload warnings come before the summary in both documents, escaped.
    #[test]
    fn overload_warnings_open_both_documents() {
        let r = testdata::run();
        let html = html::render(&r, None, &[]);
        let bx = html.find("id=\"overload\"").expect("overload box");
        assert!(bx < html.find("id=\"summary\"").unwrap());
        assert!(html.contains("arrivals exceed capacity &lt;b&gt;here&lt;/b&gt;"));
        let md = crate::report::markdown::markdown(&r, &[]);
        let at = md
            .find("## ⚠ Overload: arrivals beyond capacity")
            .expect("overload section");
        assert!(at < md.find("## Summary").unwrap());
        assert!(md.contains("- job queue: arrivals exceed capacity &lt;b&gt;here&lt;/b&gt;"));
        let mut quiet = r.clone();
        quiet.overload.clear();
        assert!(!html::render(&quiet, None, &[]).contains("id=\"overload\""));
        assert!(!crate::report::markdown::markdown(&quiet, &[]).contains("Overload"));
    }

    #[test]
    fn no_charts_without_data() {
        assert!(charts(&testdata::all_nan()).is_empty());
    }

    /// Blocking is shown, theory next to simulation, exactly where the waiting room is finite.
    #[test]
    fn stations_tables_show_blocking_only_for_finite_waiting_rooms() {
        let r = testdata::run();
        let md = crate::report::markdown::markdown(&r, &[]);
        // Station rows start with the name and the number of servers.
        let md_row = |station: &str| md.lines().find(|l| l.starts_with(station)).unwrap();
        let db = md_row("| database | 10 |");
        assert!(
            db.contains("| none |") && db.contains("| 0.1217 / 0.1217 ± 0.0021 |"),
            "{db}"
        );
        let api = md_row("| api workers | 4 |");
        assert!(api.contains("| unlimited |") && api.ends_with("| – | yes |"), "{api}");
        let html = html::render(&r, None, &[]);
        let html_row = |name: &str| {
            html.split("<tr>")
                .find(|l| l.starts_with(&format!("<td>{name}</td>")))
                .unwrap()
        };
        let db = html_row("database");
        assert!(
            db.contains(">none<") && db.contains(">0.1217<") && db.contains(">0.1217 ± 0.0021<"),
            "{db}"
        );
        let api = html_row("api workers");
        assert!(api.contains(">unlimited<") && api.matches(">–<").count() == 2, "{api}");
        for text in [&md, &html] {
            assert!(text.contains("per admitted request"));
        }
    }
}
