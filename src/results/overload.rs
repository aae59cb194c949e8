//! Overload as result data: arrivals beyond what a station can serve ([`Overload`], found by
//! [`crate::overload`]), and the engine's own stop when too many requests are in the system
//! ([`Instability`]).

use serde::Serialize;

/// Which criterion a warning is about (see [`crate::overload`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OverloadKind {
    /// Offered load ρ ≥ 1: more arrives than the station can serve.
    Overloaded,
    /// ρ < 1, but more than 1 % of arrivals were turned away or gave up waiting.
    TurnedAway,
    /// `peak_window` mode: a backlog that the period-average load ρ̄ ≥ 1 keeps from draining.
    BacklogCarriesOver,
}

/// One overload warning: a station, a criterion, the periods it holds in and its worst one.
/// Figures are means across the replications that simulated the period.
#[derive(Debug, Clone, Serialize)]
pub struct Overload {
    /// `api_workers`, `api_cpu`, `database`, `vector_store` or `job_queue`.
    pub station: String,
    /// The criterion that holds.
    pub kind: OverloadKind,
    /// Report periods (0-based) in which the criterion holds.
    pub periods: Vec<usize>,
    /// Periods in which the station was simulated (a count).
    pub periods_observed: usize,
    /// The first period in which the criterion holds, 0-based.
    pub first_period: usize,
    /// The period in which it is worst (largest ρ, share lost or carried backlog), 0-based.
    pub worst_period: usize,
    /// Start of the worst period's simulated window, in seconds from the start of the horizon.
    pub window_start_seconds: f64,
    /// End of that window, in seconds from the start of the horizon.
    pub window_end_seconds: f64,
    /// In the worst period: ρ = λ / μ, no unit (`backlog_carries_over`: the period-average ρ̄).
    /// Infinite (null in JSON) when arrivals met a station that finished nothing.
    pub offered_load: f64,
    /// Offered arrivals per second (`backlog_carries_over`: the period's average).
    pub arrival_rate: f64,
    /// Arrivals that reached it per second: fewer than offered behind saturated API workers.
    pub reached_rate: f64,
    /// Completions per second it sustains.
    pub capacity: f64,
    /// The job queue's rate limiter, not its worker slots, sets `capacity`.
    pub rate_limited: bool,
    /// Servers (workers, connections, slots): a count.
    pub servers: u32,
    /// Mean service time, in seconds.
    pub mean_service: f64,
    /// Share of arrivals turned away or that gave up waiting, a fraction 0–1.
    pub lost_share: f64,
    /// Requests (or jobs) waiting at the start of the worst window, a count.
    pub backlog_start: f64,
    /// Requests (or jobs) waiting at its end, a count.
    pub backlog_end: f64,
    /// `backlog_carries_over`: the fluid estimate of the backlog at the end of the worst period
    /// (its largest), a count of requests or jobs.
    pub carried_backlog: Option<f64>,
    /// `backlog_carries_over`: the fluid estimate of the backlog at the end of the horizon, a
    /// count of requests or jobs.
    pub carried_backlog_end: Option<f64>,
    /// Replications in which the worst period meets the criterion (a count).
    pub replications: usize,
    /// Replications that simulated the worst period (a count).
    pub replications_observed: usize,
    /// The warning in plain words.
    pub message: String,
}

/// The engine's own stop: more than `max_in_flight` requests in the system in some
/// replication, which then simulates nothing more. Said of the earliest stop.
#[derive(Debug, Clone, Serialize)]
pub struct Instability {
    /// Replications that stopped (a count).
    pub replications: usize,
    /// The first period in which a replication stopped, 0-based.
    pub first_period: usize,
    /// Start of that period, in seconds from the start of the run.
    pub first_time_seconds: f64,
    /// The station with the longest queue at the stop (an id of [`crate::overload::STATIONS`]).
    pub station: String,
    /// When that replication stopped, in seconds from the start of the run (negative: in the
    /// warm-up before the first period).
    pub stopped_at_seconds: f64,
    /// What the engine said, in words.
    pub message: String,
}
