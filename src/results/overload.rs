//! Overload as result data: arrivals beyond what a station can serve ([`Overload`], found by
//! [`crate::overload`]), and the engine's own stop when too many requests are in the system
//! ([`Instability`]).

use serde::Serialize;

/// Which criterion a warning is about (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OverloadKind {
    Overloaded,
    TurnedAway,
    BacklogCarriesOver,
}

/// One overload warning: a station, a criterion, the periods it holds in and its worst one.
/// Figures are means across the replications that simulated the period.
#[derive(Debug, Clone, Serialize)]
pub struct Overload {
    /// `api_workers`, `api_cpu`, `database`, `vector_store` or `job_queue`.
    pub station: String,
    pub kind: OverloadKind,
    /// Report periods (0-based) in which the criterion holds.
    pub periods: Vec<usize>,
    /// Periods in which the station was simulated.
    pub periods_observed: usize,
    pub first_period: usize,
    pub worst_period: usize,
    /// The worst period's simulated window, seconds from the start of the horizon.
    pub window_start_seconds: f64,
    pub window_end_seconds: f64,
    /// In the worst period: ρ (`backlog_carries_over`: the period-average ρ̄). Infinite (null in
    /// JSON) when arrivals met a station that finished nothing.
    pub offered_load: f64,
    /// Offered arrivals per second (`backlog_carries_over`: the period's average).
    pub arrival_rate: f64,
    /// Arrivals that reached it per second: fewer than offered behind saturated API workers.
    pub reached_rate: f64,
    /// Completions per second it sustains.
    pub capacity: f64,
    /// The job queue's rate limiter, not its worker slots, sets `capacity`.
    pub rate_limited: bool,
    pub servers: u32,
    pub mean_service: f64,
    /// Share of arrivals turned away or that gave up waiting.
    pub lost_share: f64,
    /// Waiting at the start and end of the worst window.
    pub backlog_start: f64,
    pub backlog_end: f64,
    /// `backlog_carries_over`: the fluid estimate of the backlog at the end of the worst period
    /// (its largest) and at the end of the horizon.
    pub carried_backlog: Option<f64>,
    pub carried_backlog_end: Option<f64>,
    /// Replications in which the worst period meets the criterion, of those that simulated it.
    pub replications: usize,
    pub replications_observed: usize,
    /// The warning in plain words.
    pub message: String,
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
