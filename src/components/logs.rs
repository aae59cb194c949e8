//! Log storage (a stage's `logs:` block): the log volume requests and background jobs write,
//! priced by the log store's plan (OpenObserve Cloud, Datadog Logs, a self-hosted server).
//!
//! ```yaml
//! logs: {provider: openobserve_cloud, plan: professional,
//!        per_request: 2KB, per_job: 20KB,          # bytes of logs each writes
//!        lines_per_request: 1, lines_per_job: 10,  # log events (what Datadog indexes)
//!        retention: 90d, included_retention: 30d,  # kept; what the plan keeps for free
//!        queries: 5%}                              # GB scanned by queries, share of ingested
//! ```
//!
//! Usage in a period of `h` hours with `n` requests and `j` jobs (GB = 10⁹ bytes):
//!
//! - `log_ingest_gb` = (n × per_request + j × per_job) / GB;
//! - `log_query_gb` = queries × `log_ingest_gb`;
//! - `log_events` = n × lines_per_request + j × lines_per_job;
//! - `log_retained_gb_months`: with an ingest rate of r GB/day (this period's), retention R
//!   days and included retention I days, the volume held beyond I at steady state is
//!   r × max(R − I, 0) GB, held for h / hours_per_month of a month. This is the steady state
//!   of the period's own rate: while traffic grows, and in the first R days of a run, it
//!   overstates what is held (older days had less traffic, or none), so it is an upper bound.
//!
//! `included_retention` is required when the plan meters `log_retained_gb_months` (the
//! catalog states the included days only in the meter's unit, which the error quotes).

use super::{add, one_if, read_block, BlockCx, ComponentKind, Period, GB};
use crate::pricing::Usage;
use crate::scenario::model::{Billing, KindConfig, Stage};
use crate::units::{Bytes, Fraction, Seconds};

pub const KIND: ComponentKind = ComponentKind {
    name: "logs",
    label: "log store",
    list: None,
    instances: |s| one_if(s.blocks.contains_key("logs"), "logs"),
    billing: |s, n| s.block::<Logs>(n).map(|b| &b.billing),
    billing_mut: |s, n| s.block_mut::<Logs>(n).map(|b| &mut b.billing),
    usage,
    capacity: &[],
    stations: &[],
    metrics: &[],
    upgrade_fields: &[],
    upgrade: super::no_upgrade_fields,
    scales_out: false,
    key: Some("logs"),
    parse: Some(parse),
    schema: Some(|g| g.subschema_for::<RawLogs>()),
    own_metrics: &[],
};

crate::scenario::raw::billed_component! {
    /// A stage's `logs:` block as written.
    pub struct RawLogs {
        /// Bytes of logs one request writes.
        pub per_request: Option<Bytes>,
        /// Bytes of logs one background job writes.
        pub per_job: Option<Bytes>,
        /// Log events (lines) one request writes.
        pub lines_per_request: Option<f64>,
        /// Log events (lines) one background job writes.
        pub lines_per_job: Option<f64>,
        /// How long logs are kept.
        pub retention: Option<Seconds>,
        /// How long the plan keeps logs at no extra charge.
        pub included_retention: Option<Seconds>,
        /// GB scanned by queries, as a share of the GB ingested.
        pub queries: Option<Fraction>,
    }
}

/// A stage's log store, validated.
#[derive(Debug, Clone)]
pub struct Logs {
    pub billing: Billing,
    /// Bytes per request and per job.
    pub per_request: f64,
    pub per_job: f64,
    /// Log events per request and per job.
    pub lines_per_request: f64,
    pub lines_per_job: f64,
    /// Days kept, and days the plan keeps at no extra charge.
    pub retention_days: f64,
    pub included_days: f64,
    /// GB scanned per GB ingested.
    pub queries: f64,
}

const MAX_BYTES: f64 = 1e18;
const MAX_COUNT: f64 = 1e15;
const MAX_DAYS: f64 = 36_500.0;

fn parse(cx: &mut dyn BlockCx, at: &str, v: serde_yaml::Value) -> Option<Box<dyn KindConfig>> {
    let raw: RawLogs = read_block(cx, at, v)?;
    let billing = cx.billing(at, &raw.billing());
    let mut ok = true;
    let mut check = |field: &str, x: f64, max: f64, what: &str| {
        if !(x.is_finite() && (0.0..=max).contains(&x)) {
            cx.err(
                &format!("{at}.{field}"),
                format!("expected {what} from 0 to {max:e}, found {x}"),
            );
            ok = false;
        }
        x
    };
    let per_request = check("per_request", raw.per_request.map_or(0.0, |b| b.0), MAX_BYTES, "a size");
    let per_job = check("per_job", raw.per_job.map_or(0.0, |b| b.0), MAX_BYTES, "a size");
    let lines_per_request = check(
        "lines_per_request",
        raw.lines_per_request.unwrap_or(0.0),
        MAX_COUNT,
        "a count",
    );
    let lines_per_job = check("lines_per_job", raw.lines_per_job.unwrap_or(0.0), MAX_COUNT, "a count");
    let retention_days = check(
        "retention",
        raw.retention.map_or(0.0, |s| s.0 / 86_400.0),
        MAX_DAYS,
        "days",
    );
    let included_days = check(
        "included_retention",
        raw.included_retention.map_or(0.0, |s| s.0 / 86_400.0),
        MAX_DAYS,
        "days",
    );
    let queries = check(
        "queries",
        raw.queries.map_or(0.0, |f| f.0),
        1e6,
        "a share of the GB ingested",
    );
    if per_request == 0.0 && per_job == 0.0 && lines_per_request == 0.0 && lines_per_job == 0.0 {
        cx.err(at, "a log store needs `per_request` or `per_job` (bytes written), or lines per request or job: otherwise it bills nothing".into());
        ok = false;
    }
    if raw.retention.is_none() {
        cx.err(
            &format!("{at}.retention"),
            "how long logs are kept is required (e.g. `retention: 90d`)".into(),
        );
        ok = false;
    }
    if let Some(unit) = retained_meter_unit(cx, &billing) {
        if raw.included_retention.is_none() {
            let reason = format!("the plan meters `log_retained_gb_months` (\"{unit}\"): write the days it includes, e.g. `included_retention: 30d`");
            cx.err(&format!("{at}.included_retention"), reason);
            ok = false;
        }
    }
    ok.then(|| {
        Box::new(Logs {
            billing,
            per_request,
            per_job,
            lines_per_request,
            lines_per_job,
            retention_days,
            included_days,
            queries,
        }) as Box<dyn KindConfig>
    })
}

/// The unit of the plan's `log_retained_gb_months` meter, when it has one.
fn retained_meter_unit(cx: &mut dyn BlockCx, b: &Billing) -> Option<String> {
    let plan = cx.plan(b.provider.as_deref()?, b.plan.as_deref()?)?;
    plan.meters
        .values()
        .find(|m| m.metric == "log_retained_gb_months")
        .map(|m| m.unit.clone())
}

/// The usage of the period (see the module docs for the arithmetic).
fn usage(p: &Period, st: &Stage, n: &str, u: &mut Usage) -> Option<f64> {
    let l = st.block::<Logs>(n)?;
    Some(log_usage(
        l,
        p.volumes.requests,
        p.volumes.jobs,
        p.volumes.hours,
        p.scenario.hours_per_month,
        u,
    ))
}

/// [`usage`] from the period's requests, jobs and hours.
pub fn log_usage(l: &Logs, requests: f64, jobs: f64, hours: f64, hours_per_month: f64, u: &mut Usage) -> f64 {
    let ingest_gb = (requests * l.per_request + jobs * l.per_job) / GB;
    add(u, "log_ingest_gb", ingest_gb);
    add(u, "log_query_gb", l.queries * ingest_gb);
    add(u, "log_events", requests * l.lines_per_request + jobs * l.lines_per_job);
    if hours > 0.0 {
        let per_day = ingest_gb / (hours / 24.0);
        let beyond = per_day * (l.retention_days - l.included_days).max(0.0);
        add(u, "log_retained_gb_months", beyond * hours / hours_per_month);
    }
    1.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logs(retention: f64, included: f64) -> Logs {
        Logs {
            billing: Billing::default(),
            per_request: 2e3,
            per_job: 20e3,
            lines_per_request: 1.0,
            lines_per_job: 10.0,
            retention_days: retention,
            included_days: included,
            queries: 0.05,
        }
    }

    #[test]
    fn usage_recomputes_by_hand() {
        // 10M requests and 100K jobs in a 30-day (720 h) month of 730 h: 20 + 2 = 22 GB
        // ingested, 1.1 GB scanned, 11M events; 22/30 GB a day held 60 days beyond the
        // included 30 = 44 GB, for 720/730 of a month.
        let mut u = Usage::new();
        log_usage(&logs(90.0, 30.0), 10e6, 100e3, 720.0, 730.0, &mut u);
        assert!((u["log_ingest_gb"] - 22.0).abs() < 1e-9);
        assert!((u["log_query_gb"] - 1.1).abs() < 1e-9);
        assert!((u["log_events"] - 11e6).abs() < 1e-6);
        assert!((u["log_retained_gb_months"] - 22.0 / 30.0 * 60.0 * 720.0 / 730.0).abs() < 1e-9);
    }

    #[test]
    fn retention_within_the_included_days_costs_nothing_and_more_usage_never_less() {
        let mut u = Usage::new();
        log_usage(&logs(30.0, 30.0), 1e6, 0.0, 24.0, 730.0, &mut u);
        assert_eq!(u["log_retained_gb_months"], 0.0);
        let mut u = Usage::new();
        log_usage(&logs(7.0, 30.0), 1e6, 0.0, 24.0, 730.0, &mut u);
        assert_eq!(u["log_retained_gb_months"], 0.0);
        // Every metric is non-decreasing in requests, jobs and retention.
        let at = |n: f64, j: f64, r: f64| {
            let mut u = Usage::new();
            log_usage(&logs(r, 30.0), n, j, 24.0, 730.0, &mut u);
            u
        };
        let base = at(1e5, 1e3, 60.0);
        for more in [at(2e5, 1e3, 60.0), at(1e5, 2e3, 60.0), at(1e5, 1e3, 90.0)] {
            for (k, v) in &base {
                assert!(more[k] >= *v, "{k}");
            }
        }
    }

    #[test]
    fn a_day_of_usage_does_not_depend_on_the_period_length() {
        // One day as one period or as 24 hourly periods: the same volumes and GB-months.
        let mut day = Usage::new();
        log_usage(&logs(90.0, 30.0), 24e3, 240.0, 24.0, 730.0, &mut day);
        let mut hours = Usage::new();
        for _ in 0..24 {
            log_usage(&logs(90.0, 30.0), 1e3, 10.0, 1.0, 730.0, &mut hours);
        }
        for (k, v) in &day {
            assert!((hours[k] - v).abs() <= 1e-12 * v.max(1.0), "{k}");
        }
    }
}
