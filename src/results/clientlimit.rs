//! The per-client rate limit's figures: what each stage's limit is, and the busy window that
//! rejected the largest share of the requests offered (from the series `client_rejected` and
//! `client_rejected_rate` of the periods).

use super::{s, PeriodSummary};
use crate::metrics::Summary;
use serde::Serialize;

/// The per-client rate limit across the run.
#[derive(Debug, Clone, Serialize)]
pub struct ClientLimitSummary {
    /// Each stage with a limit and the limit in words (`2,000 requests per 1m per client, …`),
    /// with the share of all traffic its heaviest client sends (a fraction 0–1).
    pub limits: Vec<StageLimit>,
    /// The period (0-based) whose busy window rejected the largest share, on average across
    /// the replications; `None` when no period was simulated with a limit.
    pub worst_period: Option<usize>,
    /// Requests rejected (HTTP 429) in that busy window: a count.
    pub worst_rejected: Summary,
    /// Their share of the requests offered in that busy window: a fraction 0–1.
    pub worst_rate: Summary,
    /// Periods whose busy window rejected at least one request in some replication (a count).
    pub periods_rejecting: usize,
    /// Periods simulated with a limit (a count).
    pub periods_limited: usize,
    /// Whether rejected requests count in `error_rate`: never (they are the limit doing its
    /// job, answered at once; `error_rate` is failed / admitted requests).
    pub in_error_rate: bool,
}

/// One stage's limit.
#[derive(Debug, Clone, Serialize)]
pub struct StageLimit {
    pub stage: String,
    /// The limit in words.
    pub limit: String,
    /// Share of all traffic the heaviest client sends, a fraction 0–1.
    pub heaviest_share: f64,
}

impl ClientLimitSummary {
    /// The summary from the stages' limits and the periods; `None` when no stage has one.
    pub fn of(limits: Vec<StageLimit>, periods: &[PeriodSummary]) -> Option<Self> {
        if limits.is_empty() {
            return None;
        }
        let limited: Vec<&PeriodSummary> = periods.iter().filter(|p| p.series[s::CLIENT_REJ_RATE].n > 0).collect();
        let worst = limited
            .iter()
            .copied()
            .filter(|p| p.series[s::CLIENT_REJ_RATE].mean.is_finite())
            .max_by(|a, b| {
                a.series[s::CLIENT_REJ_RATE]
                    .mean
                    .total_cmp(&b.series[s::CLIENT_REJ_RATE].mean)
            });
        Some(ClientLimitSummary {
            limits,
            worst_period: worst.map(|p| p.index),
            worst_rejected: worst.map_or(Summary::EMPTY, |p| p.series[s::CLIENT_REJ]),
            worst_rate: worst.map_or(Summary::EMPTY, |p| p.series[s::CLIENT_REJ_RATE]),
            periods_rejecting: limited.iter().filter(|p| p.series[s::CLIENT_REJ].max > 0.0).count(),
            periods_limited: limited.len(),
            in_error_rate: false,
        })
    }
}
