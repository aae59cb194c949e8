//! What faults did: per replication ([`FaultOutcome`]) and across replications
//! ([`FaultSummary`], [`Availability`]). Times in seconds, counts of requests and jobs.

use crate::metrics::Summary;
use serde::Serialize;

/// One fault's window in one replication (see `simulate::fault`).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct FaultOutcome {
    /// Requests that arrived while the fault lasted.
    pub arrivals: u64,
    /// Requests that failed because a component they needed was down (fault to drain end).
    pub failed: u64,
    /// Requests that went on without a down component (health rule `degraded`).
    pub bypassed: u64,
    /// Job attempts that failed and were scheduled again.
    pub jobs_retried: u64,
    /// Jobs lost after their last attempt.
    pub jobs_lost: u64,
    /// Requests and jobs waiting (jobs waiting for a retry included) when the fault began.
    pub backlog_before: u32,
    /// The most waiting at any second from the fault's start to the end of the drain.
    pub backlog_peak: u32,
    /// Waiting when the component recovered.
    pub backlog_at_recovery: u32,
    /// Seconds from recovery until the backlog was back to `backlog_before` (`None`: not within
    /// the drain limit, or the run stopped as unstable).
    pub drain: Option<f64>,
}

/// One fault across replications.
#[derive(Debug, Clone, Serialize)]
pub struct FaultSummary {
    /// The component as the scenario names it (`database`, `external.llm`).
    pub component: String,
    /// `down` or `degraded 5x`.
    pub mode: String,
    /// What requests needing it did while it was down (`down`, `degraded`), for a `down` fault.
    pub rule: Option<String>,
    /// Start, seconds from the horizon's start.
    pub start: f64,
    /// Length, seconds.
    pub length: f64,
    /// The report period it starts in (0-based).
    pub period: usize,
    /// The stage it ran on.
    pub stage: String,
    /// Requests that arrived during the fault (count, across replications).
    pub arrivals: Summary,
    /// Requests that failed because a component they need was down (count).
    pub failed: Summary,
    /// Requests that went on without the component under a `degraded` rule (count).
    pub bypassed: Summary,
    /// Job attempts that failed and were tried again (count).
    pub jobs_retried: Summary,
    /// Jobs lost after their last attempt (count).
    pub jobs_lost: Summary,
    /// Jobs waiting or running when the fault began (count).
    pub backlog_before: Summary,
    /// The most jobs waiting or running during the fault and its drain (count).
    pub backlog_peak: Summary,
    /// Jobs waiting or running when the component recovered (count).
    pub backlog_at_recovery: Summary,
    /// Over the replications that drained (seconds).
    pub drain: Summary,
    /// Replications in which the backlog was not back to its level within `drain_limit`.
    pub not_drained: usize,
    /// Seconds simulated after recovery at most.
    pub drain_limit: f64,
}

/// Availability over the horizon from the faults and health rules (the same in every
/// replication: it depends on when components are down, not on traffic).
#[derive(Debug, Clone, Serialize)]
pub struct Availability {
    /// 1 − down / horizon, a fraction.
    pub availability: f64,
    /// Seconds the system's status is down.
    pub down: f64,
    /// Seconds the system's status is degraded (not down).
    pub degraded: f64,
    /// The objective (`slo.availability`), a fraction.
    pub objective: Option<f64>,
}

/// Faults' figures across replications.
pub fn summarize(outcomes: &[FaultOutcome]) -> [Summary; 8] {
    let s = |f: &dyn Fn(&FaultOutcome) -> f64| Summary::of(outcomes.iter().map(f));
    [
        s(&|o| o.arrivals as f64),
        s(&|o| o.failed as f64),
        s(&|o| o.bypassed as f64),
        s(&|o| o.jobs_retried as f64),
        s(&|o| o.jobs_lost as f64),
        s(&|o| f64::from(o.backlog_before)),
        s(&|o| f64::from(o.backlog_peak)),
        s(&|o| f64::from(o.backlog_at_recovery)),
    ]
}
