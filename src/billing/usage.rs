//! What each component uses in one report period, by billing metric: derived from the
//! period's expected volumes (requests, sessions, jobs, users, stored bytes) and the stage's
//! configuration, plus the scenario's usage rules.

use crate::infra::billing_of;
pub use crate::pricing::is_level_metric;
use crate::pricing::Usage;
use crate::scenario::{Billing, Scenario, Stage};

/// Usage scaled by `factor` (to a full month, or to the part of a period inside a month);
/// levels (peaks, seats, counts) are not volumes and stay as they are.
pub fn scale_usage(usage: &Usage, factor: f64) -> Usage {
    usage
        .iter()
        .map(|(k, v)| (k.clone(), if is_level_metric(k) { *v } else { v * factor }))
        .collect()
}

/// A period's expected volumes and stored sizes.
pub struct Volumes {
    pub hours: f64,
    pub requests: f64,
    pub sessions: f64,
    pub jobs: f64,
    pub users: f64,
    pub db_bytes_avg: f64,
    pub db_bytes_end: f64,
}

/// The usage of component `comp` in a period with volumes `v`, its billing settings and the
/// count of instances (or zones) its fee multiplies by; `None` when the stage lacks it.
pub fn component_usage<'a>(
    sc: &Scenario,
    st: &'a Stage,
    comp: &str,
    v: &Volumes,
    cache_lookups: f64,
) -> Option<(Usage, &'a Billing, f64)> {
    let b = billing_of(st, comp)?;
    let mut u = Usage::new();
    let gb = 1e9;
    const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
    fn bump(u: &mut Usage, k: &str, x: f64) {
        *u.entry(k.to_string()).or_insert(0.0) += x;
    }
    macro_rules! add {
        ($k:expr, $x:expr) => {
            bump(&mut u, $k, $x)
        };
    }
    let mut count = 1.0;
    let req_mean =
        |f: &dyn Fn(&crate::scenario::RequestType) -> f64| sc.requests.iter().map(|r| r.share * f(r)).sum::<f64>();
    match comp {
        "api" => {
            let a = &st.api;
            let inst = a.instances as f64;
            count = inst;
            add!(
                "vcpu_hours",
                v.requests * req_mean(&|r| r.cpu.mean()) / 3600.0 + a.idle_cpu * inst * v.hours
            );
            add!("ram_gb_hours", a.ram_in_use_bytes / gb * inst * v.hours);
            add!("instance_hours", inst * v.hours);
            add!("instances", inst);
            add!("vcpu_provisioned_hours", a.vcpu * inst * v.hours);
            add!("ram_provisioned_gb_hours", a.ram_bytes / gb * inst * v.hours);
            add!("ram_provisioned_gib_hours", a.ram_bytes / GIB * inst * v.hours);
            add!("egress_gb", v.requests * req_mean(&|r| r.egress_bytes) / gb);
            add!("requests", v.requests);
        }
        "database" => {
            let d = st.database.as_ref()?;
            add!("storage_gb_months", v.db_bytes_avg / gb * v.hours / sc.hours_per_month);
            add!("storage_gb_peak", v.db_bytes_end / gb);
            add!("instance_hours", v.hours);
            add!("replica_hours", d.read_replicas as f64 * v.hours);
            add!("mau", v.users);
        }
        "cache" => {
            let c = st.cache.as_ref()?;
            add!("ram_gb_hours", c.ram_bytes / gb * v.hours);
            add!("commands", cache_lookups);
            add!("storage_gb_months", c.ram_bytes / gb * v.hours / sc.hours_per_month);
        }
        "vector_store" => {
            let vs = st.vector_store.as_ref()?;
            add!("vectors", vs.vectors);
            add!("storage_gb_peak", vs.vectors * vs.dimensions as f64 * 4.0 * 1.5 / gb);
            add!("requests", v.requests * req_mean(&|r| r.vector_queries));
        }
        "queue" => {
            let q = st.queue.as_ref()?;
            add!("vcpu_hours", v.jobs * q.job_time.mean() * q.vcpu / 3600.0);
            add!("ram_gb_hours", q.ram_in_use_bytes / gb * q.workers as f64 * v.hours);
            add!("instance_hours", q.workers as f64 * v.hours);
        }
        name => {
            if let Some(x) = st.external.iter().find(|e| e.name == name) {
                let calls = v.requests * req_mean(&|r| r.calls.iter().filter(|c| c.0 == name).map(|c| c.1).sum());
                add!("requests", calls);
                add!("input_tokens", calls * x.input_tokens);
                add!("cached_input_tokens", calls * x.cached_input_tokens);
                add!("output_tokens", calls * x.output_tokens);
            } else if let Some(s) = st.services.iter().find(|e| e.name == name) {
                count = s.count;
                add!("zones", s.count);
            }
        }
    }
    add!("seats", b.seats);
    for (metric, r) in &b.usage {
        if is_level_metric(metric) {
            // A level (MAU, stored GB, seats) is an amount held during the month, not a volume
            // accrued over the period: it does not shrink with the period's length.
            let level = r.per_month + r.per_user_month * v.users + r.per_database_gb * v.db_bytes_end / gb;
            u.insert(metric.clone(), level.max(*u.get(metric).unwrap_or(&0.0)));
        } else {
            let x = r.per_request * v.requests
                + r.per_session * v.sessions
                + r.per_user_month * v.users * v.hours / sc.hours_per_month
                + r.per_job * v.jobs
                + r.per_month * v.hours / sc.hours_per_month
                + r.per_database_gb * v.db_bytes_avg / gb * v.hours / sc.hours_per_month
                + r.bytes_per_request * v.requests / gb;
            add!(metric, x);
        }
    }
    Some((u, b, count))
}
