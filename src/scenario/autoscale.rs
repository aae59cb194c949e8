//! Validation of `api.autoscale` and `queue.autoscale` (the rule itself: `crate::autoscale`).
//!
//! ```yaml
//! api:   {instances: …, autoscale: {min: 3, max: 10, metric: cpu, target: 70%,
//!                                   interval: 30s, cooldown: 5m, delay: 1m, step: 1}}
//! queue: {workers: …, autoscale: {min: 1, max: 8, metric: backlog, target: 4}}   # or job_wait, 30s
//! ```
//!
//! With `autoscale`, the set's count (`instances`, `workers`) is not written: a window starts
//! at `min`. `max_instances` is refused next to it (`autoscale.max` is the cap).

use super::ctx::Ctx;
use super::limits::MAX_SERVERS;
use super::raw::RawAutoscale;
use crate::autoscale::{Autoscale, ScaleMetric};
use crate::units::{parse_count, parse_fraction, parse_seconds};

/// Seconds a delay, cooldown or interval may last at most (one day).
const LONGEST: f64 = 86_400.0;

/// Which replica set a rule belongs to.
pub(super) struct Set<'a> {
    /// Field path of the set (`stages.ga.api`).
    pub path: &'a str,
    /// The metrics it may scale on.
    pub metrics: &'a [ScaleMetric],
    /// The count field the rule replaces (`instances`, `workers`) and whether it was written.
    pub count_field: &'static str,
    pub count_given: bool,
    /// Servers one replica adds to its station (workers per instance, concurrency per worker).
    pub servers_per_replica: u64,
}

/// The validated rule at `set.path.autoscale`, every problem reported at its field.
pub(super) fn parse(cx: &mut Ctx, set: &Set, raw: &RawAutoscale) -> Autoscale {
    let p = format!("{}.autoscale", set.path);
    if set.count_given {
        cx.err(
            &format!("{}.{}", set.path, set.count_field),
            format!(
                "with `autoscale`, the autoscaler sets the {}: a window starts at `autoscale.min`; remove `{}`",
                set.count_field, set.count_field
            ),
        );
    }
    let metric = match raw.metric.as_str() {
        "cpu" => ScaleMetric::Cpu,
        "backlog" => ScaleMetric::Backlog,
        "job_wait" => ScaleMetric::JobWait,
        _ => set.metrics[0],
    };
    if !set.metrics.contains(&metric) || metric.name() != raw.metric {
        cx.err_allowed(
            &format!("{p}.metric"),
            format!("`{}` is not a metric this set scales on", raw.metric),
            set.metrics.iter().map(|m| m.name()),
        );
    }
    if raw.min == 0 {
        cx.err(&format!("{p}.min"), "at least one replica is needed: `min` ≥ 1");
    }
    if raw.max < raw.min {
        cx.err(
            &format!("{p}.max"),
            format!("`max` ({}) is below `min` ({})", raw.max, raw.min),
        );
    }
    let servers = raw.max as u64 * set.servers_per_replica;
    if servers > MAX_SERVERS {
        cx.err(
            &format!("{p}.max"),
            format!(
                "{} replicas × {} servers each = {servers} servers: at most {MAX_SERVERS} servers per station",
                raw.max, set.servers_per_replica
            ),
        );
    }
    if raw.step == Some(0) {
        cx.err(
            &format!("{p}.step"),
            "a step of 0 replicas never scales; give `step` ≥ 1",
        );
    }
    let mut seconds = |field: &str, v: Option<crate::units::Seconds>, default: f64, least: f64| {
        let v = v.map_or(default, |s| s.0);
        if !(least..=LONGEST).contains(&v) {
            cx.err(
                &format!("{p}.{field}"),
                format!(
                    "{} is outside {} to 1d",
                    crate::units::fmt_seconds(v),
                    crate::units::fmt_seconds(least)
                ),
            );
            return default;
        }
        v
    };
    let interval = seconds("interval", raw.interval, 30.0, 1.0);
    let cooldown = seconds("cooldown", raw.cooldown, 300.0, 0.0);
    let delay = seconds("delay", raw.delay, 60.0, 0.0);
    Autoscale {
        min: raw.min.max(1),
        max: raw.max.max(raw.min).max(1),
        metric,
        target: target(cx, &format!("{p}.target"), metric, &raw.target),
        interval,
        cooldown,
        delay,
        step: raw.step.unwrap_or(1).max(1),
    }
}

/// The target in the metric's unit: a share above 0 and at most 100 % (`cpu`), jobs per
/// worker above 0 (`backlog`), a wait above 0 with its unit (`job_wait`).
fn target(cx: &mut Ctx, field: &str, metric: ScaleMetric, v: &serde_yaml::Value) -> f64 {
    let text = match v {
        serde_yaml::Value::String(s) => s.clone(),
        serde_yaml::Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    let (parsed, allowed) = match metric {
        ScaleMetric::Cpu => (
            parse_fraction(&text),
            "a share of the cores above 0 and at most 100%, such as `70%`",
        ),
        ScaleMetric::Backlog => (
            parse_count(&text),
            "jobs waiting or running per worker above 0, such as `4`",
        ),
        ScaleMetric::JobWait => (
            if v.is_number() {
                Err(format!("`{text}` has no unit"))
            } else {
                parse_seconds(&text)
            },
            "a wait above 0 with its unit, such as `30s`",
        ),
    };
    match parsed {
        Ok(x) if x > 0.0 && x.is_finite() && (metric != ScaleMetric::Cpu || x <= 1.0) => x,
        Ok(x) if metric == ScaleMetric::Cpu && x > 1.0 && x <= 100.0 && !text.contains('%') => {
            cx.err(field, format!("{text} is {:.0} %; did you mean `{text}%`?", x * 100.0));
            0.7
        }
        Ok(_) => {
            cx.err(field, format!("`{text}` is not allowed: expected {allowed}"));
            1.0
        }
        Err(e) => {
            cx.err(field, format!("{e}: expected {allowed}"));
            1.0
        }
    }
}

/// `api.autoscale` of the API at `ap` with `workers` per instance (and `max_instances` refused
/// beside it).
pub(super) fn api(cx: &mut Ctx, ap: &str, a: &super::raw::RawApi, workers: u32) -> Option<Autoscale> {
    let raw = a.autoscale.as_ref()?;
    if a.max_instances.is_some() {
        cx.err(
            &format!("{ap}.max_instances"),
            "with `autoscale`, `max_instances` is replaced by `autoscale.max`; remove `max_instances`",
        );
    }
    let set = Set {
        path: ap,
        metrics: &[ScaleMetric::Cpu],
        count_field: "instances",
        count_given: a.instances.is_some(),
        servers_per_replica: workers.max(1) as u64,
    };
    Some(parse(cx, &set, raw))
}

/// `queue.autoscale` of the queue at `qp` with `concurrency` jobs per worker.
pub(super) fn queue(cx: &mut Ctx, qp: &str, q: &super::raw::RawQueue, concurrency: u32) -> Option<Autoscale> {
    let set = Set {
        path: qp,
        metrics: &[ScaleMetric::Backlog, ScaleMetric::JobWait],
        count_field: "workers",
        count_given: q.workers.is_some(),
        servers_per_replica: concurrency.max(1) as u64,
    };
    q.autoscale.as_ref().map(|raw| parse(cx, &set, raw))
}
