//! Scheduled jobs as a component kind: a stage's `schedules:` block, keyed by job name.
//!
//! ```yaml
//! schedules:
//!   sync:
//!     every: 2h                    # or cron: "0 */2 * * *" (see `sched::cron`)
//!     items: 4000                  # work items per run
//!     concurrency: 8               # items worked on at once
//!     per_item:
//!       calls: {crm: 1, billing_api: 1}   # external: entries of the stage, in order
//!       cpu: 20ms
//!       db_writes: 2               # each as long as `write_time` (default: the database's query_time)
//!     connections: 2               # database connections a run holds while active
//!     runs_on: api                 # or a provider/plan of its own: {provider: render, plan: hobby, size: starter}
//! ```
//!
//! A job with a provider is billed like a service that runs all month (one instance); a job
//! `runs_on: api` adds no line. How runs are simulated is `crate::sched`; the trigger metric
//! `schedules.duration` is the longest run that started in the period.

use super::{add, BlockCx, ComponentKind, Period};
use crate::dist::RawDist;
use crate::pricing::Usage;
use crate::scenario::model::{Billing, KindConfig, MetricDef, Stage};
use crate::sched::cron::{Cron, Schedule};
use crate::sched::{Job, Schedules, KEY};
use crate::units::{Count, Seconds};
use serde::Deserialize;
use std::collections::BTreeMap;

pub const KIND: ComponentKind = ComponentKind {
    name: "schedules",
    label: "scheduled job",
    list: Some(KEY),
    instances: |s| {
        Schedules::of(s)
            .iter()
            .filter(|j| j.billing.is_some())
            .map(|j| j.name.clone())
            .collect()
    },
    billing: |s, n| job(s, n).and_then(|j| j.billing.as_ref()),
    billing_mut: |s, n| {
        s.block_mut::<Schedules>(KEY)?
            .jobs
            .iter_mut()
            .find(|j| j.name == n)
            .and_then(|j| j.billing.as_mut())
    },
    usage,
    capacity: &[],
    stations: &[],
    metrics: &[],
    upgrade_fields: &[],
    upgrade: super::no_upgrade_fields,
    scales_out: false,
    key: Some(KEY),
    parse: Some(parse),
    schema: Some(|g| g.subschema_for::<BTreeMap<String, RawJob>>()),
    own_metrics: &[MetricDef {
        id: "schedules.duration",
        unit: crate::units::Unit::Seconds,
        about: "the longest scheduled-job run that started in the period (no data in a period no run starts in)",
        range: (0.0, None),
        value: |_, p| p.longest_scheduled_run,
    }],
};

fn job<'a>(s: &'a Stage, name: &str) -> Option<&'a Job> {
    Schedules::of(s).iter().find(|j| j.name == name)
}

/// A job with a worker of its own: one instance, running all month.
fn usage(p: &Period, st: &Stage, name: &str, u: &mut Usage) -> Option<f64> {
    job(st, name)?.billing.as_ref()?;
    add(u, "instance_hours", p.volumes.hours);
    Some(1.0)
}

crate::scenario::raw::billed_component! {
    /// One job of a `schedules:` block as written.
    pub struct RawJob {
        pub every: Option<Seconds>,
        pub cron: Option<String>,
        pub items: Option<Count>,
        pub concurrency: Option<u32>,
        pub per_item: Option<RawPerItem>,
        pub connections: Option<u32>,
        pub runs_on: Option<String>,
    }
}

/// What one item of a run does, as written.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPerItem {
    #[serde(default)]
    pub calls: BTreeMap<String, u32>,
    #[serde(default)]
    pub cpu: Option<RawDist>,
    #[serde(default)]
    pub db_writes: Option<u32>,
    #[serde(default)]
    pub write_time: Option<RawDist>,
}

/// Most items in one run, slots, and calls per item: a run's memory is slots × calls.
const MAX_ITEMS: f64 = 10_000_000.0;
const MAX_CONCURRENCY: u32 = 10_000;
const MAX_CALLS: u32 = 100;
const MAX_WRITES: u32 = 10_000;

fn parse(cx: &mut dyn BlockCx, at: &str, v: serde_yaml::Value) -> Option<Box<dyn KindConfig>> {
    let raw: BTreeMap<String, RawJob> = super::read_block(cx, at, v)?;
    let mut jobs = Vec::new();
    for (name, r) in &raw {
        if let Some(j) = parse_job(cx, &format!("{at}.{name}"), name, r) {
            jobs.push(j);
        }
    }
    Some(Box::new(Schedules { jobs }))
}

fn parse_job(cx: &mut dyn BlockCx, jp: &str, name: &str, r: &RawJob) -> Option<Job> {
    if super::reserved_names().any(|n| n == name) {
        cx.err(
            jp,
            format!("`{name}` is the name of a component kind; choose another name"),
        );
    }
    let schedule = schedule(cx, jp, r)?;
    let items = r.items.map(|c| c.0);
    let items = match items {
        Some(n) if n.fract() == 0.0 && (1.0..=MAX_ITEMS).contains(&n) => n as u64,
        other => {
            let found = other.map_or("nothing".to_string(), |n| n.to_string());
            cx.err(
                &format!("{jp}.items"),
                format!("expected a whole number of items per run from 1 to 10M, found {found}"),
            );
            return None;
        }
    };
    let concurrency = r.concurrency.unwrap_or(1);
    if !(1..=MAX_CONCURRENCY).contains(&concurrency) {
        let reason = format!("expected 1 to {MAX_CONCURRENCY} items at once, found {concurrency}");
        cx.err(&format!("{jp}.concurrency"), reason);
    }
    let per = r.per_item.clone().unwrap_or(RawPerItem {
        calls: BTreeMap::new(),
        cpu: None,
        db_writes: None,
        write_time: None,
    });
    let pp = format!("{jp}.per_item");
    let total: u32 = per.calls.values().fold(0u32, |a, &c| a.saturating_add(c));
    if total > MAX_CALLS {
        cx.err(
            &format!("{pp}.calls"),
            format!("at most {MAX_CALLS} calls per item in all, found {total}"),
        );
    }
    let db_writes = per.db_writes.unwrap_or(0);
    if db_writes > MAX_WRITES {
        let reason = format!("at most {MAX_WRITES} writes per item, found {db_writes}");
        cx.err(&format!("{pp}.db_writes"), reason);
    }
    let connections = r.connections.unwrap_or(u32::from(db_writes > 0));
    if connections > MAX_CONCURRENCY {
        let reason = format!("at most {MAX_CONCURRENCY} connections, found {connections}");
        cx.err(&format!("{jp}.connections"), reason);
    }
    let billing = placement(cx, jp, r);
    Some(Job {
        name: name.to_string(),
        schedule,
        items,
        concurrency: concurrency.clamp(1, MAX_CONCURRENCY),
        calls: per.calls.into_iter().filter(|c| c.1 > 0).collect(),
        cpu: dist(cx, &format!("{pp}.cpu"), per.cpu.as_ref()).unwrap_or(crate::dist::Dist::Constant(0.0)),
        db_writes,
        write_time: dist(cx, &format!("{pp}.write_time"), per.write_time.as_ref()),
        connections,
        billing,
    })
}

fn dist(cx: &mut dyn BlockCx, at: &str, d: Option<&RawDist>) -> Option<crate::dist::Dist> {
    match crate::dist::Dist::from_raw(d?) {
        Ok(d) => Some(d),
        Err(e) => {
            cx.err(at, e);
            None
        }
    }
}

/// `every` or `cron`, exactly one.
fn schedule(cx: &mut dyn BlockCx, jp: &str, r: &RawJob) -> Option<Schedule> {
    match (&r.every, &r.cron) {
        (Some(e), None) => {
            if !(60.0..=366.0 * 86_400.0).contains(&e.0) {
                let reason = format!("expected 1 minute to 366 days between runs, found {} s", e.0);
                cx.err(&format!("{jp}.every"), reason);
                return None;
            }
            Some(Schedule::Every(e.0))
        }
        (None, Some(c)) => match Cron::parse(c) {
            Ok(c) => Some(Schedule::Cron(Box::new(c))),
            Err(e) => {
                cx.err(&format!("{jp}.cron"), e);
                None
            }
        },
        _ => {
            cx.err(
                jp,
                "a scheduled job needs exactly one of `every: 2h` or `cron: \"0 */2 * * *\"`".into(),
            );
            None
        }
    }
}

/// Where it runs: `runs_on: api` (no bill of its own) or a provider (billed), one of the two.
fn placement(cx: &mut dyn BlockCx, jp: &str, r: &RawJob) -> Option<Billing> {
    match (r.runs_on.as_deref(), r.provider.is_some()) {
        (Some("api"), false) => None,
        (None, true) => Some(cx.billing(jp, &r.billing())),
        (Some(other), false) => {
            let reason = if other.len() <= 40 {
                format!("`runs_on` may only be `api`, found `{other}`")
            } else {
                "`runs_on` may only be `api`".to_string()
            };
            cx.err(&format!("{jp}.runs_on"), reason);
            None
        }
        (Some(_), true) => {
            cx.err(jp, "give `runs_on: api` or a provider and plan, not both".into());
            None
        }
        (None, false) => {
            cx.err(
                jp,
                "say where it runs: `runs_on: api`, or `provider` and `plan` of a worker of its own".into(),
            );
            None
        }
    }
}

/// Checks the jobs of a built stage against the rest of it (called by validation once the
/// stage is built): every API a job calls is one of the stage's `external:` entries.
pub fn check(cx: &mut dyn BlockCx, p: &str, st: &Stage) {
    let names: Vec<String> = st.external.iter().map(|e| e.name.clone()).collect();
    for j in Schedules::of(st) {
        for (api, _) in &j.calls {
            if !names.contains(api) {
                let known = if names.is_empty() {
                    "the stage has no `external:` entries".to_string()
                } else {
                    format!("the stage's are {}", names.join(", "))
                };
                cx.err(
                    &format!("{p}.{KEY}.{}.per_item.calls.{api}", j.name),
                    format!("no `external:` entry named `{api}` in this stage ({known})"),
                );
            }
        }
    }
}
