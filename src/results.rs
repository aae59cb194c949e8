//! The plain data a run produces: what every report format renders, and nothing else.
//!
//! Units, stated once: money in US dollars, times in seconds (from the start of the run unless
//! said otherwise), sizes in bytes, rates per second, shares and utilizations as fractions
//! (0.5 is 50 %). A figure across replications is a [`Summary`] of the replications' values in
//! the unit of what it summarises; `NaN` (null in `summary.json`) means no data.
//!
//! [`crate::run`] builds a [`RunResult`]; [`crate::checks`] computes the budget, SLO and plan
//! checks from the scenario and the result and returns them ([`Checks`]).

use crate::metrics::Summary;
use crate::pricing::CatalogSource;
use crate::simulate::{self, MonthBill};
use crate::units::Unit;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct ScenarioInfo {
    pub name: String,
    pub file: String,
    pub description: Option<String>,
    pub source: Option<String>,
    pub seed: u64,
    pub replications: u32,
    pub horizon_days: f64,
    pub resolution_seconds: f64,
    pub start_stage: String,
    pub hours_per_month: f64,
    pub approximation: String,
    /// The pricing catalogs the run was priced with.
    pub pricing: CatalogSource,
}

#[derive(Debug, Clone, Serialize)]
pub struct PeriodSummary {
    pub index: usize,
    pub start_seconds: f64,
    pub end_seconds: f64,
    /// The stage most replications were in.
    pub stage: String,
    pub series: Vec<Summary>,
    pub component_costs: Vec<Summary>,
    /// Replications that simulated this period's window. The others have no figure for the
    /// simulated series (null, "not simulated"), never a zero.
    pub simulated: usize,
    /// Replications that had stopped as unstable before this period's measurement began.
    pub stopped: usize,
}

/// Which side of its threshold a trigger's metric must be on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Fires when the metric is above the threshold.
    Above,
    /// Fires when the metric is below the threshold.
    Below,
}

/// When a trigger holds: its metric against a threshold, for long enough.
#[derive(Debug, Clone, Serialize)]
pub struct TriggerCondition {
    /// The metric's name in scenario files (`database.size`, `api.cpu`, `cost.monthly`).
    pub metric: String,
    /// For `cost.monthly`: the components whose cost is watched (empty: all).
    pub components: Vec<String>,
    /// The percentile of a latency or wait metric (95 for p95); `None` for other metrics.
    pub percentile: Option<f64>,
    /// Above or below the threshold.
    pub comparison: Direction,
    /// The threshold, in `unit`.
    pub threshold: f64,
    /// The unit of the metric and the threshold.
    pub unit: Unit,
    /// How long the condition must hold before the action runs, in seconds (0: at once).
    pub sustained_seconds: f64,
}

/// What a trigger does when its condition holds.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TriggerAction {
    /// Nothing: the report says when the condition held.
    Flag,
    /// Changes a component's plan or size; every field not `None` is changed.
    Upgrade {
        /// The component changed.
        component: String,
        /// New provider.
        provider: Option<String>,
        /// New plan of the provider's catalog.
        plan: Option<String>,
        /// New instance size.
        size: Option<String>,
        /// New vCPUs per instance.
        vcpu: Option<f64>,
        /// New memory per instance, in bytes.
        ram_bytes: Option<f64>,
        /// Connection pooler on or off.
        pooler: Option<bool>,
        /// New number of read replicas.
        read_replicas: Option<u32>,
        /// New connection limit.
        connections: Option<u32>,
        /// New number of servers.
        servers: Option<u32>,
    },
    /// Adds instances of a component, up to a maximum.
    AddInstances {
        /// The component scaled out.
        component: String,
        /// Instances added per firing.
        count: u32,
        /// The most instances it may reach.
        max: u32,
    },
    /// Moves the run to another stage of the roadmap.
    SwitchStage {
        /// The stage switched to.
        stage: String,
    },
}

/// One scaling trigger across replications.
#[derive(Debug, Clone, Serialize)]
pub struct TriggerSummary {
    /// The trigger's name in the scenario.
    pub name: String,
    /// When it holds.
    pub condition: TriggerCondition,
    /// What it does.
    pub action: TriggerAction,
    pub plan_says: Option<String>,
    /// Replications in which it fired (its action ran at least once).
    pub fired_in: usize,
    pub replications: usize,
    /// Time of the first firing (seconds from start) across the replications where it fired.
    pub first_fire: Summary,
    pub value_at_fire: Summary,
    /// Periods in which the condition held, per replication.
    pub periods_held: Summary,
    pub effect: Option<String>,
    pub cost_before: Summary,
    pub cost_after: Summary,
    /// Firings per replication (instances added repeatedly, for example).
    pub firings: Summary,
    /// The most extreme value the trigger evaluated over the horizon (largest for `above`,
    /// smallest for `below`; median across replications), for context when it never fires.
    pub peak_value: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MonthSummary {
    pub month: usize,
    pub covered: f64,
    pub total: Summary,
    pub components: Vec<(String, Summary)>,
    /// The bill of the median replication, line by line.
    pub example: MonthBill,
}

#[derive(Debug, Clone, Serialize)]
pub struct StationSummary {
    pub station: String,
    pub servers: u32,
    /// Places to wait beyond the servers: `None` unlimited, `Some(0)` none (a loss system).
    pub waiting_room: Option<u32>,
    /// Every arrival, admitted or turned away, per second.
    pub arrival_rate: f64,
    pub mean_service: f64,
    pub service_scv: f64,
    pub utilization: f64,
    /// Mean wait in queue per *admitted* request (turned-away arrivals are excluded; with an
    /// unlimited waiting room every arrival is admitted).
    pub sim_wait: Summary,
    /// Share of admitted requests that had to wait.
    pub sim_p_wait: Summary,
    /// Share of arrivals turned away (every server busy, waiting room full); 0 when unlimited.
    pub sim_p_block: Summary,
    /// Share of admitted requests that gave up waiting (queue or pool timeout).
    pub sim_p_timeout: Summary,
    /// Mean time at the station (wait + service).
    pub sim_sojourn: Summary,
    pub sim_throughput: Summary,
    pub theory_sojourn: Option<f64>,
    pub theory_model: String,
    /// Theory's mean wait per admitted request.
    pub theory_wait: Option<f64>,
    /// Theory's probability that an admitted request waits.
    pub theory_p_wait: Option<f64>,
    /// Theory's blocking probability (finite waiting room only).
    pub theory_p_block: Option<f64>,
    /// Theory's wait (and blocking, where the waiting room is finite) inside the simulation's
    /// 95 % interval. None when theory has no answer or fewer than two replications observed
    /// the station (no interval, so no test).
    pub agrees: Option<bool>,
}

/// What the stations table can say about theory and simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Agrees,
    Disagrees,
    /// Theory has no answer (an unstable or rate-limited queue), or nothing was simulated.
    NoTheory,
    /// One replication: no confidence interval, so no agreement test.
    TooFewReplications,
}

impl StationSummary {
    pub fn verdict(&self) -> Verdict {
        match self.agrees {
            Some(true) => Verdict::Agrees,
            Some(false) => Verdict::Disagrees,
            None if self.sim_wait.n == 1 => Verdict::TooFewReplications,
            None => Verdict::NoTheory,
        }
    }
}

impl Verdict {
    /// The words of the stations table's last column.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Agrees => "yes",
            Verdict::Disagrees => "no",
            Verdict::NoTheory => "–",
            Verdict::TooFewReplications => "no test (1 replication)",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Instability {
    pub replications: usize,
    pub first_period: usize,
    /// Start of the first period in which a replication stopped.
    pub first_time_seconds: f64,
    /// The station with the longest queue at the stop (an id of [`crate::overload::STATIONS`]).
    pub station: String,
    /// When that replication stopped (negative: in the warm-up before the first period).
    pub stopped_at_seconds: f64,
    pub message: String,
}

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
    /// `slo.latency_p95`, `slo.latency_p99`, `slo.error_rate`.
    pub id: String,
    /// What is checked, in words (`month 1 total`, `p95 latency, worst busy window`).
    pub what: String,
    /// The unit of `limit`, `measured` and `mean`: dollars for budgets, seconds for latency,
    /// a fraction for the error rate.
    pub unit: Unit,
    /// The most the figure may be, in `unit`.
    pub limit: f64,
    /// The figure compared with the limit, in `unit`: a month's P90 across replications for a
    /// budget, the worst busy window's mean for an SLO. NaN (null) when not evaluated.
    pub measured: f64,
    /// The mean across replications beside a P90 `measured` (a month's total bill), in `unit`.
    pub mean: Option<f64>,
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

#[derive(Debug, Clone, Serialize)]
pub struct RunResult {
    pub scenario: ScenarioInfo,
    pub series_names: Vec<&'static str>,
    pub components: Vec<String>,
    /// Whether each component is part of a stage the run passed through.
    pub components_used: Vec<bool>,
    pub periods: Vec<PeriodSummary>,
    pub triggers: Vec<TriggerSummary>,
    pub months: Vec<MonthSummary>,
    pub stations: Vec<StationSummary>,
    pub instability: Option<Instability>,
    /// Arrivals beyond capacity, station by station (see [`crate::overload`]).
    pub overload: Vec<crate::overload::Overload>,
    /// Budgets, SLOs and the plan's own figures, computed by [`crate::checks::evaluate`].
    pub checks: Checks,
    /// The scenario author's notes on the plan's own arithmetic.
    pub plan_notes: Vec<String>,
    pub notes: Vec<String>,
}

impl RunResult {
    pub fn budget_ok(&self) -> bool {
        self.checks.budget.iter().all(Check::ok)
    }
    /// Every objective holds; one that could not be evaluated does not.
    pub fn slo_ok(&self) -> bool {
        self.checks.slo.iter().all(Check::ok)
    }
    /// Every objective that could be evaluated holds (`check --allow-not-evaluated`).
    pub fn slo_ok_where_evaluated(&self) -> bool {
        self.checks.slo.iter().all(|c| c.ok() || !c.evaluated())
    }

    /// Whether arrivals outgrew capacity anywhere: an overload warning or an unstable stop.
    pub fn overloaded(&self) -> bool {
        !self.overload.is_empty() || self.instability.is_some()
    }
    /// The figure of series `name` in period `p`.
    pub fn value(&self, p: usize, name: &str) -> Summary {
        self.periods[p].series[simulate::series_index(name)]
    }
}
