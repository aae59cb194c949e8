//! Budgets, service-level objectives and the plan's own figures as result data: what
//! [`crate::checks::evaluate`] computes from the scenario and the run ([`Checks`]).

use crate::metrics::Summary;
use crate::units::Unit;
use serde::Serialize;

/// How a figure of the plan is read against capsim's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanFigure {
    /// An estimate: capsim agrees when within 10 % of it.
    Estimate,
    /// A target the figure should stay at or under (the plan's "p95 < 500ms").
    Target,
}

/// One of the plan's own figures next to capsim's, in the figure's unit.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// Stable identifier: `plan.monthly_cost`, `plan.component.<name>`, `plan.requests_per_day`,
    /// `plan.peak_requests_per_second`, `plan.database_size`, `plan.latency_p95`,
    /// `plan.concurrent_sessions`, `plan.users`, `plan.vector_store_memory`.
    pub id: String,
    /// What is compared, in words.
    pub what: String,
    /// The unit of `plan` and `measured`.
    pub unit: Unit,
    /// Whether `plan` is an estimate or a target.
    pub kind: PlanFigure,
    /// The plan's figure, in `unit`.
    pub plan: f64,
    /// capsim's figure, in `unit` (mean across replications; model arithmetic where not
    /// simulated). NaN (null) when there is none.
    pub measured: f64,
    /// The simulated figure beside a computed one (the busy window's arrival rate next to the
    /// traffic model's peak rate), in `unit` across replications.
    pub simulated: Option<Summary>,
    /// `measured / plan`; NaN (null) when the plan says zero.
    pub ratio: f64,
    /// Why capsim's figure is what it is, from the model's own arithmetic (words).
    pub why: String,
    /// An estimate within 10 % (both zero counts), or a target met.
    pub agrees: bool,
}

/// What a budget or SLO check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckVerdict {
    /// The measured figure is within the limit.
    Ok,
    /// The measured figure is over the limit.
    Breached,
    /// The metric had no observation in any busy window.
    NotEvaluated,
}

impl CheckVerdict {
    /// `ok`, `breached` or `not evaluated`.
    pub fn label(self) -> &'static str {
        match self {
            CheckVerdict::Ok => "ok",
            CheckVerdict::Breached => "breached",
            CheckVerdict::NotEvaluated => "not evaluated",
        }
    }
}

/// Busy windows without an observation of an objective's metric.
#[derive(Debug, Clone, Serialize)]
pub struct Missing {
    /// Why there is no observation: `no request completed`, `no request arrived`.
    pub reason: &'static str,
    /// Busy windows (report periods) without an observation.
    pub windows: usize,
    /// Busy windows in the run.
    pub of: usize,
}

/// One budget or SLO check: a measured figure against a limit, both in `unit`. An objective
/// whose metric has no observation in any busy window (no request completed, none arrived) is
/// not evaluated (`measured` is null, `missing` says why); `capsim check` fails on it unless
/// `--allow-not-evaluated`.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Stable identifier: `budget.month_<m>.total`, `budget.month_<m>.component.<name>`,
    /// `slo.latency_p95`, `slo.latency_p99`, `slo.error_rate`, `slo.availability`.
    pub id: String,
    /// What is checked, in words (`month 1 total`, `p95 latency, worst busy window`).
    pub what: String,
    /// The unit of `limit`, `measured` and `mean`: dollars for budgets, seconds for latency,
    /// a fraction for the error rate.
    pub unit: Unit,
    /// The most the figure may be, in `unit`.
    pub limit: f64,
    /// The figure compared with the limit, in `unit`: a month's percentile across replications
    /// for a budget (`percentile`, P90 by default), the worst busy window's mean for an SLO. NaN (null) when not evaluated.
    pub measured: f64,
    /// The mean across replications beside a percentile `measured` (a month's bill), in `unit`.
    pub mean: Option<f64>,
    /// The percentile across replications a budget's `measured` is, when the scenario chose
    /// one (`budget.percentile`: 10, 50, 90 or 100); absent, a budget is checked at the 90th.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percentile: Option<u32>,
    /// Busy windows without an observation (all of them when not evaluated).
    pub missing: Option<Missing>,
    /// Whether the limit holds, is breached, or could not be evaluated.
    pub verdict: CheckVerdict,
}

impl Check {
    /// Within the limit (a check not evaluated is not).
    pub fn ok(&self) -> bool {
        self.verdict == CheckVerdict::Ok
    }
    /// Whether the metric had an observation to check.
    pub fn evaluated(&self) -> bool {
        self.verdict != CheckVerdict::NotEvaluated
    }
}

/// What [`crate::checks::evaluate`] finds: budgets, objectives, and the plan's figures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Checks {
    /// One check per month and budget (monthly total, then each component's limit).
    pub budget: Vec<Check>,
    /// One check per service-level objective of the scenario.
    pub slo: Vec<Check>,
    /// The plan's own figures next to capsim's.
    pub plan_comparisons: Vec<Comparison>,
}
