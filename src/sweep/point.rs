//! One point of a sweep: the figures of a run that a sweep compares along its parameters.
//!
//! Every figure is `None` where the run has none (no request completed, no month priced),
//! never `NaN`, so that a point read back from a shard file is the point that was written
//! (JSON has no `NaN`).

use crate::metrics::Summary;
use crate::results::{s, Check, CheckVerdict, RunResult};
use crate::units::Unit;
use serde::{Deserialize, Serialize};

/// A figure, `None` unless finite.
pub fn fin(x: f64) -> Option<f64> {
    // `+ 0.0` turns −0 into 0, so no report shows "-0".
    x.is_finite().then_some(x + 0.0)
}

/// A check's verdict at a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Ok,
    Breached,
    NotEvaluated,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Breached => "breached",
            Verdict::NotEvaluated => "not evaluated",
        }
    }
}

/// A budget or SLO check at a point (see [`crate::results::Check`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointCheck {
    /// The check's stable id (`slo.latency_p95`, `budget.month_3.total`).
    pub id: String,
    /// The unit of `limit`, `measured` and `spread`: `dollars`, `seconds`, `fraction`.
    pub unit: String,
    /// The most the figure may be, in `unit`.
    pub limit: f64,
    /// The figure compared with the limit, in `unit` (`None`: not evaluated).
    pub measured: Option<f64>,
    /// P10 and P90 across replications of the figure that is checked (a month's total; the
    /// worst busy window's latency or error rate), in `unit`.
    pub spread: Option<(f64, f64)>,
    pub verdict: Verdict,
}

/// A scaling trigger at a point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointTrigger {
    pub name: String,
    /// Replications in which it fired, of `replications`.
    pub fired_in: usize,
    pub replications: usize,
    /// Median time of first firing among the replications where it fired, in days from the
    /// start (`None`: it never fired).
    pub first_fire_days: Option<f64>,
}

impl PointTrigger {
    /// Fires in at least half the replications (so its median replication fires).
    pub fn fires(&self) -> bool {
        self.replications > 0 && 2 * self.fired_in >= self.replications
    }
}

/// An alternative of a component in the last month, next to its chosen plan, in dollars.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointAlternative {
    pub component: String,
    pub alternative: String,
    /// The chosen plan's cost of the month, dollars (median replication).
    pub chosen: f64,
    /// The alternative's cost of the same usage, dollars.
    pub cost: f64,
}

/// The figures of one run of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// The parameters' values, in the order of the `--vary` flags.
    pub values: Vec<f64>,
    /// The month the costs are of: the last month of the horizon (1-based).
    pub month: usize,
    /// That month's whole bill, mean across replications, dollars.
    pub cost_total: Option<f64>,
    /// Each component's share of that month's bill, mean across replications, dollars.
    pub cost_components: Vec<(String, Option<f64>)>,
    /// p95 and p99 end-to-end latency of the worst busy window (mean across replications),
    /// seconds.
    pub latency_p95: Option<f64>,
    pub latency_p99: Option<f64>,
    /// Error rate of the worst busy window, a fraction.
    pub error_rate: Option<f64>,
    /// API workers busy in the busiest window, a fraction.
    pub utilization: Option<f64>,
    pub triggers: Vec<PointTrigger>,
    pub checks: Vec<PointCheck>,
    pub alternatives: Vec<PointAlternative>,
}

impl Point {
    /// Every budget and SLO holds.
    pub fn holds(&self) -> bool {
        self.checks.iter().all(|c| c.verdict == Verdict::Ok)
    }
}

/// The worst busy window's mean of series `k`, and its summary there.
fn worst(r: &RunResult, k: usize) -> Option<Summary> {
    r.periods
        .iter()
        .map(|p| p.series[k])
        .filter(|v| v.mean.is_finite())
        .max_by(|a, b| a.mean.total_cmp(&b.mean))
}

fn unit_name(u: Unit) -> String {
    serde_json::to_value(u)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// P10–P90 across replications of the figure `c` checks.
fn spread(r: &RunResult, c: &Check) -> Option<(f64, f64)> {
    let sm = match c.id.as_str() {
        "slo.latency_p95" => worst(r, s::P95)?,
        "slo.latency_p99" => worst(r, s::P99)?,
        "slo.error_rate" => worst(r, s::ERR)?,
        id => {
            let rest = id.strip_prefix("budget.month_")?;
            let (m, what) = rest.split_once('.')?;
            let month = r.months.iter().find(|x| x.month.to_string() == m)?;
            match what.strip_prefix("component.") {
                None => month.total,
                Some(comp) => month.components.iter().find(|(n, _)| n == comp)?.1,
            }
        }
    };
    (sm.p10.is_finite() && sm.p90.is_finite()).then_some((sm.p10, sm.p90))
}

fn check(r: &RunResult, c: &Check) -> PointCheck {
    PointCheck {
        id: c.id.clone(),
        unit: unit_name(c.unit),
        limit: c.limit,
        measured: fin(c.measured),
        spread: spread(r, c),
        verdict: match c.verdict {
            CheckVerdict::Ok => Verdict::Ok,
            CheckVerdict::Breached => Verdict::Breached,
            CheckVerdict::NotEvaluated => Verdict::NotEvaluated,
        },
    }
}

/// The point of a run at parameter values `values`.
pub fn of_run(values: Vec<f64>, r: &RunResult) -> Point {
    let last = r.months.last();
    let triggers = r
        .triggers
        .iter()
        .map(|t| PointTrigger {
            name: t.name.clone(),
            fired_in: t.fired_in,
            replications: t.replications,
            first_fire_days: fin(t.first_fire.p50 / 86400.0),
        })
        .collect();
    Point {
        values,
        month: last.map_or(0, |m| m.month),
        cost_total: last.and_then(|m| fin(m.total.mean)),
        cost_components: last
            .map(|m| m.components.iter().map(|(n, sm)| (n.clone(), fin(sm.mean))).collect())
            .unwrap_or_default(),
        latency_p95: worst(r, s::P95).and_then(|v| fin(v.mean)),
        latency_p99: worst(r, s::P99).and_then(|v| fin(v.mean)),
        error_rate: worst(r, s::ERR).and_then(|v| fin(v.mean)),
        utilization: worst(r, s::API_UTIL).and_then(|v| fin(v.mean)),
        triggers,
        checks: r
            .checks
            .budget
            .iter()
            .chain(&r.checks.slo)
            .map(|c| check(r, c))
            .collect(),
        alternatives: last
            .map(|m| {
                m.example
                    .alternatives
                    .iter()
                    .filter(|a| a.chosen.is_finite() && a.cost.is_finite())
                    .map(|a| PointAlternative {
                        component: a.component.clone(),
                        alternative: a.alternative.clone(),
                        chosen: a.chosen,
                        cost: a.cost,
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}
