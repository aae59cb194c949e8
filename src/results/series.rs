//! The per-period series every replication reports: their names (as in `timeseries.csv` and
//! `summary.json`), units and meanings, and their positions in a period's row of figures.
//!
//! A table of data: [`SERIES`] gives each series' name, [`Unit`] and meaning in order, [`s`] its
//! position by a short name.

use crate::units::Unit;

/// The per-period series every replication reports (index = position).
pub const SERIES: &[(&str, Unit, &str)] = &[
    ("users", Unit::Count, "registered users at the end of the period"),
    (
        "requests_per_day",
        Unit::Count,
        "requests per day (expected, from the traffic model)",
    ),
    (
        "busy_rps",
        Unit::PerSecond,
        "request arrival rate in the simulated busy window",
    ),
    ("sessions_max", Unit::Count, "most sessions open at once"),
    ("sessions_mean", Unit::Count, "mean sessions open"),
    ("latency_p50", Unit::Seconds, "end-to-end response time, median"),
    (
        "latency_p95",
        Unit::Seconds,
        "end-to-end response time, 95th percentile",
    ),
    (
        "latency_p99",
        Unit::Seconds,
        "end-to-end response time, 99th percentile",
    ),
    ("latency_mean", Unit::Seconds, "end-to-end response time, mean"),
    ("error_rate", Unit::Fraction, "failed / arrived requests"),
    ("api_cpu", Unit::Fraction, "API CPU utilization"),
    ("api_utilization", Unit::Fraction, "API workers busy"),
    ("api_wait_p95", Unit::Seconds, "wait for an API worker, p95"),
    (
        "api_queue_mean",
        Unit::Count,
        "requests waiting for an API worker, mean",
    ),
    ("api_instances", Unit::Count, "API instances"),
    ("db_utilization", Unit::Fraction, "database connections busy"),
    (
        "db_connections_max",
        Unit::Count,
        "most database connections in use at once",
    ),
    ("db_wait_p95", Unit::Seconds, "wait for a database connection, p95"),
    ("vector_latency_p95", Unit::Seconds, "vector query incl. waiting, p95"),
    ("vector_utilization", Unit::Fraction, "vector store servers busy"),
    ("vector_capacity", Unit::Fraction, "stored vectors / plan capacity"),
    ("queue_backlog_max", Unit::Count, "most background jobs waiting"),
    ("queue_backlog_mean", Unit::Count, "background jobs waiting, mean"),
    ("queue_wait_p95", Unit::Seconds, "job wait before start, p95"),
    ("queue_utilization", Unit::Fraction, "job worker slots busy"),
    ("db_size", Unit::Bytes, "database size at the end of the period"),
    (
        "object_store_size",
        Unit::Bytes,
        "object store size at the end of the period",
    ),
    ("monthly_cost", Unit::Dollars, "monthly run-rate of the whole stage"),
    (
        "client_rejected",
        Unit::Count,
        "requests rejected (HTTP 429) by the per-client rate limit in the busy window (not in error_rate)",
    ),
    (
        "client_rejected_rate",
        Unit::Fraction,
        "share of the requests offered in the busy window rejected by the per-client rate limit",
    ),
    (
        "database_rpo",
        Unit::Seconds,
        "data a restore from the stage's backups can lose: the backup interval, or 5 minutes with PITR (no figure without backups)",
    ),
    (
        "database_rto",
        Unit::Seconds,
        "time to restore the database from the stage's backups at the period's end: size ÷ restore_rate + restore_startup (no figure without backups)",
    ),
    (
        "cache_hit_rate",
        Unit::Fraction,
        "share of the busy window's cache lookups that hit",
    ),
    (
        "db_held_by_schedules",
        Unit::Count,
        "database connections held by scheduled runs in the busy window, mean",
    ),
];

/// The position in [`SERIES`] (and in [`PeriodSummary::series`](super::PeriodSummary::series))
/// of the series named `name`. Panics on a name that is not in [`SERIES`]: callers name series
/// in code, never from input.
pub fn series_index(name: &str) -> usize {
    SERIES.iter().position(|s| s.0 == name).expect("known series")
}

/// Indices into [`SERIES`].
pub mod s {
    pub const USERS: usize = 0;
    pub const REQ_DAY: usize = 1;
    pub const BUSY_RPS: usize = 2;
    pub const SESS_MAX: usize = 3;
    pub const SESS_MEAN: usize = 4;
    pub const P50: usize = 5;
    pub const P95: usize = 6;
    pub const P99: usize = 7;
    pub const MEAN: usize = 8;
    pub const ERR: usize = 9;
    pub const CPU: usize = 10;
    pub const API_UTIL: usize = 11;
    pub const API_WAIT: usize = 12;
    pub const API_Q: usize = 13;
    pub const INSTANCES: usize = 14;
    pub const DB_UTIL: usize = 15;
    pub const DB_CONN: usize = 16;
    pub const DB_WAIT: usize = 17;
    pub const VEC_P95: usize = 18;
    pub const VEC_UTIL: usize = 19;
    pub const VEC_CAP: usize = 20;
    pub const Q_MAX: usize = 21;
    pub const Q_MEAN: usize = 22;
    pub const Q_WAIT: usize = 23;
    pub const Q_UTIL: usize = 24;
    pub const DB_SIZE: usize = 25;
    pub const OBJ_SIZE: usize = 26;
    pub const COST: usize = 27;
    pub const CLIENT_REJ: usize = 28;
    pub const CLIENT_REJ_RATE: usize = 29;
    pub const DB_RPO: usize = 30;
    pub const DB_RTO: usize = 31;
    pub const CACHE_HIT: usize = 32;
    pub const DB_HELD: usize = 33;
    pub const N: usize = 34;
}

/// Whether series `k` comes from the request-level simulation (NaN in a period that was not
/// simulated) rather than from the traffic model, storage or the bill (known in every period).
pub fn simulated_series(k: usize) -> bool {
    !matches!(
        k,
        s::USERS | s::REQ_DAY | s::INSTANCES | s::VEC_CAP | s::DB_SIZE | s::OBJ_SIZE | s::COST | s::DB_RPO | s::DB_RTO
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_position_names_its_series() {
        assert_eq!(SERIES.len(), s::N);
        let named = [
            (s::USERS, "users"),
            (s::REQ_DAY, "requests_per_day"),
            (s::BUSY_RPS, "busy_rps"),
            (s::SESS_MAX, "sessions_max"),
            (s::SESS_MEAN, "sessions_mean"),
            (s::P50, "latency_p50"),
            (s::P95, "latency_p95"),
            (s::P99, "latency_p99"),
            (s::MEAN, "latency_mean"),
            (s::ERR, "error_rate"),
            (s::CPU, "api_cpu"),
            (s::API_UTIL, "api_utilization"),
            (s::API_WAIT, "api_wait_p95"),
            (s::API_Q, "api_queue_mean"),
            (s::INSTANCES, "api_instances"),
            (s::DB_UTIL, "db_utilization"),
            (s::DB_CONN, "db_connections_max"),
            (s::DB_WAIT, "db_wait_p95"),
            (s::VEC_P95, "vector_latency_p95"),
            (s::VEC_UTIL, "vector_utilization"),
            (s::VEC_CAP, "vector_capacity"),
            (s::Q_MAX, "queue_backlog_max"),
            (s::Q_MEAN, "queue_backlog_mean"),
            (s::Q_WAIT, "queue_wait_p95"),
            (s::Q_UTIL, "queue_utilization"),
            (s::DB_SIZE, "db_size"),
            (s::OBJ_SIZE, "object_store_size"),
            (s::COST, "monthly_cost"),
            (s::CLIENT_REJ, "client_rejected"),
            (s::CLIENT_REJ_RATE, "client_rejected_rate"),
            (s::DB_RPO, "database_rpo"),
            (s::DB_RTO, "database_rto"),
            (s::CACHE_HIT, "cache_hit_rate"),
            (s::DB_HELD, "db_held_by_schedules"),
        ];
        assert_eq!(named.len(), s::N, "every position is named here once");
        for (k, name) in named {
            assert_eq!(SERIES[k].0, name);
            assert_eq!(series_index(name), k);
        }
    }

    #[test]
    fn units_follow_the_names() {
        for (name, unit, _) in SERIES {
            let expected = if name.starts_with("latency")
                || name.ends_with("wait_p95")
                || name.ends_with("latency_p95")
                || name.ends_with("_rpo")
                || name.ends_with("_rto")
            {
                Unit::Seconds
            } else if name.ends_with("utilization")
                || *name == "api_cpu"
                || *name == "error_rate"
                || *name == "vector_capacity"
                || *name == "client_rejected_rate"
                || *name == "cache_hit_rate"
            {
                Unit::Fraction
            } else if name.ends_with("_size") {
                Unit::Bytes
            } else if *name == "monthly_cost" {
                Unit::Dollars
            } else if *name == "busy_rps" {
                Unit::PerSecond
            } else {
                Unit::Count
            };
            assert_eq!(*unit, expected, "{name}");
        }
    }
}
