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

pub mod alternatives;
mod bill;
mod checks;
pub mod clientlimit;
pub mod faults;
mod overload;
pub mod ranges;
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

/// What was run: the scenario, how it was run, and the catalogs it was priced with.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioInfo {
    /// The scenario's `name`.
    pub name: String,
    /// The scenario file as given on the command line (a path, as text).
    pub file: String,
    /// The scenario's `description`, if it has one.
    pub description: Option<String>,
    /// Where the scenario's plan comes from (`source`), if it says.
    pub source: Option<String>,
    /// The seed every replication's generator was derived from.
    pub seed: u64,
    /// Replications run (a count, at least 1).
    pub replications: u32,
    /// The horizon simulated, in days (86,400 s each).
    pub horizon_days: f64,
    /// The length of a report period, in seconds.
    pub resolution_seconds: f64,
    /// The stage the run starts on.
    pub start_stage: String,
    /// The length of a billing month, in hours.
    pub hours_per_month: f64,
    /// What the simulation approximates and how, in words (stated in every report).
    pub approximation: String,
    /// The pricing catalogs the run was priced with.
    pub pricing: CatalogSource,
}

/// One report period across the replications.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodSummary {
    /// The period's position, 0-based.
    pub index: usize,
    /// When the period starts, in seconds from the start of the run.
    pub start_seconds: f64,
    /// When it ends, in seconds from the start of the run (the horizon's end for the last).
    pub end_seconds: f64,
    /// The stage most replications were in.
    pub stage: String,
    /// Every series of [`SERIES`], in its order and in its unit, across the replications.
    pub series: Vec<Summary>,
    /// Per component of [`RunResult::components`], in its order: the monthly run-rate in the
    /// period, in dollars a month, across the replications.
    pub component_costs: Vec<Summary>,
    /// Replications that simulated this period's window (a count). The others have no figure
    /// for the simulated series (null, "not simulated"), never a zero.
    pub simulated: usize,
    /// Replications that had stopped as unstable before this period's measurement began (a
    /// count).
    pub stopped: usize,
}

/// One calendar month's bill across the replications.
#[derive(Debug, Clone, Serialize)]
pub struct MonthSummary {
    /// The month, 1-based.
    pub month: usize,
    /// Share of the month inside the horizon, a fraction 0–1; the rest is billed at the rate of
    /// the horizon's end.
    pub covered: f64,
    /// The whole month's bill, in dollars.
    pub total: Summary,
    /// Each component's share of the month's bill, in dollars, by component name (in the order
    /// of [`RunResult::components`]).
    pub components: Vec<(String, Summary)>,
    /// The bill of the median replication, line by line.
    pub example: MonthBill,
}

/// One station of the busiest period's window, as simulated and as queueing theory has it.
/// Plain numbers are means across the replications that observed the station.
#[derive(Debug, Clone, Serialize)]
pub struct StationSummary {
    /// The station in words (`api workers`, `database`, `job queue`, …).
    pub station: String,
    /// Servers (workers, connections, slots): a count.
    pub servers: u32,
    /// Places to wait beyond the servers: `None` unlimited, `Some(0)` none (a loss system).
    pub waiting_room: Option<u32>,
    /// Every arrival, admitted or turned away, per second.
    pub arrival_rate: f64,
    /// Mean service time, in seconds.
    pub mean_service: f64,
    /// Squared coefficient of variation of the service time, `Var(S) / E(S)²` (no unit; 1 for an
    /// exponential service time).
    pub service_scv: f64,
    /// Share of server time busy, a fraction 0–1.
    pub utilization: f64,
    /// Mean wait in queue per *admitted* request, in seconds (turned-away arrivals are
    /// excluded; with an unlimited waiting room every arrival is admitted).
    pub sim_wait: Summary,
    /// Share of admitted requests that had to wait, a fraction 0–1.
    pub sim_p_wait: Summary,
    /// Share of arrivals turned away (every server busy, waiting room full), a fraction 0–1;
    /// 0 when unlimited.
    pub sim_p_block: Summary,
    /// Share of admitted requests that gave up waiting (queue or pool timeout), a fraction 0–1.
    pub sim_p_timeout: Summary,
    /// Mean time at the station (wait + service), in seconds.
    pub sim_sojourn: Summary,
    /// Completions per second.
    pub sim_throughput: Summary,
    /// Theory's mean time at the station (wait + service), in seconds.
    pub theory_sojourn: Option<f64>,
    /// The queueing model compared with (`M/M/c (Erlang C)`, …), in words, with its caveats.
    pub theory_model: String,
    /// Theory's mean wait per admitted request, in seconds.
    pub theory_wait: Option<f64>,
    /// Theory's probability that an admitted request waits, a fraction 0–1.
    pub theory_p_wait: Option<f64>,
    /// Theory's blocking probability (finite waiting room only), a fraction 0–1.
    pub theory_p_block: Option<f64>,
    /// Theory's wait (and blocking, where the waiting room is finite) inside the simulation's
    /// 95 % interval. None when theory has no answer or fewer than two replications observed
    /// the station (no interval, so no test).
    pub agrees: Option<bool>,
}

/// What the stations table can say about theory and simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Theory inside the simulation's 95 % interval.
    Agrees,
    /// Theory outside it.
    Disagrees,
    /// Theory has no answer (an unstable or rate-limited queue), or nothing was simulated.
    NoTheory,
    /// One replication: no confidence interval, so no agreement test.
    TooFewReplications,
}

impl StationSummary {
    /// Whether theory and simulation agree, or why that cannot be said.
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

/// Everything a run produces, for the report formats to render.
#[derive(Debug, Clone, Serialize)]
pub struct RunResult {
    /// What was run, and how.
    pub scenario: ScenarioInfo,
    /// The names of [`SERIES`], in order: the positions of [`PeriodSummary::series`].
    pub series_names: Vec<&'static str>,
    /// Every component of any stage, starting stage first: the positions of
    /// [`PeriodSummary::component_costs`].
    pub components: Vec<String>,
    /// Whether each component is part of a stage the run passed through.
    pub components_used: Vec<bool>,
    /// Every report period, in order.
    pub periods: Vec<PeriodSummary>,
    /// Every scaling trigger of the scenario, in its order.
    pub triggers: Vec<TriggerSummary>,
    /// Every calendar month the horizon touches, in order.
    pub months: Vec<MonthSummary>,
    /// The stations of the busiest period's window, next to queueing theory.
    pub stations: Vec<StationSummary>,
    /// The earliest unstable stop, if any replication stopped.
    pub instability: Option<Instability>,
    /// Arrivals beyond capacity, station by station (see [`crate::overload`]).
    pub overload: Vec<Overload>,
    /// Budgets, SLOs and the plan's own figures, computed by [`crate::checks::evaluate`].
    pub checks: Checks,
    /// The scenario author's notes on the plan's own arithmetic.
    pub plan_notes: Vec<String>,
    /// Scheduled jobs: each one's run durations, overruns and work per run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub jobs: Vec<crate::sched::summary::JobSummary>,
    /// The work jobs do: cost per job, per batch and per scheduled run, batch drain times.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_work: Option<crate::batch::summary::JobWork>,
    /// What the reader should know: scenario warnings, then the replications' notes, each once.
    pub notes: Vec<String>,
    /// Each fault's figures (empty without faults).
    pub faults: Vec<faults::FaultSummary>,
    /// Availability from the faults and health rules (`None`: no fault and no objective).
    pub availability: Option<faults::Availability>,
    /// Inputs written as ranges and the values the replications drew (empty: none).
    pub inputs_from_ranges: Vec<ranges::RangeInput>,
    /// The per-client rate limit's figures (`None`: no stage has one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_limit: Option<clientlimit::ClientLimitSummary>,
}

impl RunResult {
    /// Every budget holds, month by month.
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
    /// The figure of series `name` in period `p`, in the series' unit (see [`SERIES`]).
    pub fn value(&self, p: usize, name: &str) -> Summary {
        self.periods[p].series[series_index(name)]
    }
}
