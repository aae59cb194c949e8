//! The plain data a run produces: what every report format renders, and nothing else.
//!
//! Units, stated once: money in US dollars, times in seconds (from the start of the run unless
//! said otherwise), sizes in bytes, rates per second, shares and utilizations as fractions
//! (0.5 is 50 %). A figure across replications is a [`Summary`] of the replications' values in
//! the unit of what it summarises; `NaN` (null in `summary.json`) means no data.
//!
//! [`crate::run`] builds a [`RunResult`]; [`crate::checks`] computes the budget, SLO and plan
//! checks from the scenario and the result and returns them ([`Checks`]).
//!
//! **Layering.** This module is the bottom of the run layer: it imports only units, summaries
//! and the pricing catalog's data, never the code that produces or renders results. The arrows
//! of the layer run one way, each module importing only those to its right:
//!
//! ```text
//! cli, report  →  run  →  checks, simulate  →  overload, window, billing  →  results, seed
//! ```
//!
//! [`crate::overload`] and [`crate::billing`] produce [`Overload`], [`Instability`] and
//! [`MonthBill`] values, [`crate::simulate`] a replication's rows of the [`SERIES`], and
//! [`crate::run`] aggregates them into a [`RunResult`]; the seeds come from [`crate::seed`].

mod bill;
mod checks;
mod overload;
pub mod series;
mod triggers;

pub use bill::{ComponentBill, MonthBill};
pub use checks::{Check, CheckVerdict, Checks, Comparison, Missing, PlanFigure};
pub use overload::{Instability, Overload, OverloadKind};
pub use series::{s, series_index, simulated_series, SERIES};
pub use triggers::{Direction, TriggerAction, TriggerCondition, TriggerSummary};

use crate::metrics::Summary;
use crate::pricing::CatalogSource;
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
    pub overload: Vec<Overload>,
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
        self.periods[p].series[series_index(name)]
    }
}
