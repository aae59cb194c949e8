//! What a run measures: per station and per period, integrated over time as state changes.

use super::config::station_servers;
use super::station::{PerStation, StationId, JOBS};
use crate::hist::Hist;
use crate::infra::Infra;

/// Statistics of one station over a measured period.
#[derive(Debug, Clone)]
pub struct StationAcc {
    pub servers: u32,
    pub busy_area: f64,
    pub queue_area: f64,
    pub max_busy: u32,
    pub max_queue: u32,
    pub arrivals: u64,
    /// Arrivals turned away: every server busy and the waiting room full.
    pub rejected: u64,
    /// Admitted arrivals that gave up waiting (queue timeout); their wait is in `wait_sum`.
    pub timed_out: u64,
    pub served: u64,
    pub waited: u64,
    pub wait_sum: f64,
    pub sojourn_sum: f64,
    pub wait: Hist,
    pub sojourn: Hist,
    pub service_sum: f64,
    pub service_sq_sum: f64,
    /// Servers held outside the requests (`hold.rs`): their time-integral (server-seconds,
    /// also in `busy_area`), and the fewest and most at once while measuring.
    pub reserved_area: f64,
    pub min_reserved: u32,
    pub max_reserved: u32,
}

impl StationAcc {
    pub fn new(servers: u32) -> Self {
        StationAcc {
            servers,
            busy_area: 0.0,
            queue_area: 0.0,
            max_busy: 0,
            max_queue: 0,
            arrivals: 0,
            rejected: 0,
            timed_out: 0,
            served: 0,
            waited: 0,
            wait_sum: 0.0,
            sojourn_sum: 0.0,
            wait: Hist::new(),
            sojourn: Hist::new(),
            service_sum: 0.0,
            service_sq_sum: 0.0,
            reserved_area: 0.0,
            min_reserved: 0,
            max_reserved: 0,
        }
    }
}

/// Everything measured over one period (a report bucket, or a bucket's busy window).
#[derive(Debug, Clone)]
pub struct PeriodAcc {
    pub measured: f64,
    pub arrivals: u64,
    pub completed: u64,
    pub rejected: u64,
    pub timeouts: u64,
    pub db_timeouts: u64,
    pub db_rejected: u64,
    pub rate_limited: u64,
    pub read_only: u64,
    /// Requests the per-client rate limit rejected (HTTP 429) before the API: not in
    /// `arrivals` (the requests admitted) nor in [`Self::errors`].
    pub client_rejected: u64,
    pub latency: Hist,
    pub latency_sum: f64,
    /// Cache lookups, and those that hit.
    pub cache_lookups: u64,
    pub cache_hits: u64,
    /// The request stations, by [`StationId`] ([`JOBS`] is `jobs`).
    pub stations: PerStation<StationAcc>,
    pub sessions_area: f64,
    pub sessions_max: u32,
    pub jobs: StationAcc,
    pub job_backlog_max: u32,
    pub unstable: Option<Unstable>,
    /// Autoscaled replica sets over the window (`autoscale.rs`).
    pub scale: super::scaleset::ScaleAcc,
}

/// Where and when a run was stopped because arrivals outgrew capacity.
#[derive(Debug, Clone, PartialEq)]
pub struct Unstable {
    /// The station with the longest queue (or [`JOBS`]).
    pub station: StationId,
    /// Simulation time of the stop (negative during a warm-up before the first period).
    pub time: f64,
    pub message: String,
}

impl PeriodAcc {
    pub fn new(infra: &Infra) -> Self {
        let servers = station_servers(infra);
        PeriodAcc {
            measured: 0.0,
            arrivals: 0,
            completed: 0,
            rejected: 0,
            timeouts: 0,
            db_timeouts: 0,
            db_rejected: 0,
            rate_limited: 0,
            read_only: 0,
            client_rejected: 0,
            latency: Hist::new(),
            latency_sum: 0.0,
            cache_lookups: 0,
            cache_hits: 0,
            stations: PerStation::from_fn(|i| StationAcc::new(servers[i.index()])),
            sessions_area: 0.0,
            sessions_max: 0,
            jobs: StationAcc::new(servers[JOBS.index()]),
            job_backlog_max: 0,
            unstable: None,
            scale: Default::default(),
        }
    }

    pub fn errors(&self) -> u64 {
        self.rejected + self.timeouts + self.db_timeouts + self.db_rejected + self.rate_limited + self.read_only
    }
}

#[inline]
pub(super) fn record_wait(a: &mut StationAcc, w: f64) {
    if w > 0.0 {
        a.waited += 1;
    }
    a.wait_sum += w;
    a.wait.record(w);
}
