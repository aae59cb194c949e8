//! What a stage's infrastructure can handle, resolved against the pricing catalog.
//!
//! A component's limits come from its plan (and size): Supabase Micro allows 60 direct and 200
//! pooled connections, the Free plan turns read-only past 500 MB, Railway caps a service's vCPU.
//! So an upgrade changes capacity as well as cost. Scaling actions edit a [`Stage`] and the
//! engine re-resolves it.

use crate::pricing::{Capacity, Catalog};
use crate::scenario::limits::MAX_SERVERS;
use crate::scenario::model::{Billing, Stage, Upgrade};
use crate::units::fmt_number;

/// Concrete capacities the engine simulates.
#[derive(Debug, Clone, PartialEq)]
pub struct Infra {
    /// Requests the API works on at once (instances × workers).
    pub api_slots: u32,
    /// CPU cores across instances and their speed (fractional vCPU runs slower).
    pub api_cores: u32,
    pub api_speed: f64,
    pub api_vcpu_total: f64,
    pub api_max_queue: Option<u32>,
    pub api_queue_timeout: Option<f64>,
    pub db: Option<DbInfra>,
    pub vector: Option<VectorInfra>,
    pub queue_slots: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DbInfra {
    /// Connections the application uses (its pool).
    pub connections: u32,
    /// The plan's limit on connections (direct, or pooled with a pooler), if known.
    pub limit: Option<u32>,
    pub size_limit: Option<f64>,
    pub read_only_over_limit: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VectorInfra {
    pub servers: u32,
    pub max_vectors: Option<f64>,
}

/// The capacity of a component's plan, or of its chosen (or default) size.
pub fn capacity_of(billing: &Billing, catalog: &Catalog) -> Option<Capacity> {
    let plan = catalog
        .plan(billing.provider.as_deref()?, billing.plan.as_deref()?)
        .ok()?;
    let size = billing.size.clone().or_else(|| plan.default_size.clone());
    let mut cap = plan.capacity.clone();
    if let Some(s) = size.and_then(|s| plan.sizes.get(&s)) {
        let sc = &s.capacity;
        // A size's figures override the plan's where the size states them.
        cap.vcpu = sc.vcpu.or(cap.vcpu);
        cap.ram_bytes = sc.ram_bytes.or(cap.ram_bytes);
        cap.direct_connections = sc.direct_connections.or(cap.direct_connections);
        cap.pooled_connections = sc.pooled_connections.or(cap.pooled_connections);
        cap.db_size_limit_bytes = sc.db_size_limit_bytes.or(cap.db_size_limit_bytes);
        cap.read_only_over_limit |= sc.read_only_over_limit;
        cap.max_vectors = sc.max_vectors.or(cap.max_vectors);
        cap.commands_per_sec = sc.commands_per_sec.or(cap.commands_per_sec);
        cap.per_service |= sc.per_service;
    }
    Some(cap)
}

/// The billing block of a named component of a stage.
pub fn billing_of<'a>(s: &'a Stage, component: &str) -> Option<&'a Billing> {
    crate::components::billing_of(s, component)
}

/// Applies an upgrade to a stage (plan, size, vCPU, connections…). Returns what changed, in words.
pub fn apply_upgrade(stage: &mut Stage, up: &Upgrade) -> String {
    let mut changes = Vec::new();
    if let Some(b) = crate::components::billing_of_mut(stage, &up.component) {
        if let Some(p) = &up.provider {
            b.provider = Some(p.clone());
            changes.push(format!("provider → {p}"));
        }
        if let Some(p) = &up.plan {
            b.plan = Some(p.clone());
            b.size = None;
            changes.push(format!("plan → {p}"));
        }
        if let Some(s) = &up.size {
            b.size = Some(s.clone());
            changes.push(format!("size → {s}"));
        }
    }
    crate::components::apply_upgrade_fields(stage, up, &mut changes);
    format!("{}: {}", up.component, changes.join(", "))
}

/// A stage whose capacities do not fit its plans or capsim's bounds: where (a field path inside
/// the stage, such as `api.vcpu`), why, and what a lenient resolution simulates instead.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub field: String,
    pub reason: String,
    /// What [`Infra::resolve_lenient`] does about it, in words ("simulated with 50 vCPU").
    pub fallback: String,
}

fn problem(out: &mut Vec<Problem>, field: &str, reason: String, fallback: String) {
    out.push(Problem {
        field: field.to_string(),
        reason,
        fallback,
    });
}

/// The billing block of every component of a stage, with its field path inside the stage.
pub fn billings(s: &Stage) -> Vec<(String, &Billing)> {
    crate::components::billings(s)
}

/// Every plan a stage names is in the catalog, and every size is one of its plan's.
fn plans_and_sizes(stage: &Stage, catalog: &Catalog, out: &mut Vec<Problem>) {
    for (path, b) in billings(stage) {
        let (Some(pr), Some(pl)) = (&b.provider, &b.plan) else {
            continue;
        };
        match catalog.plan(pr, pl) {
            Err((reason, allowed)) => problem(
                out,
                &format!("{path}.plan"),
                format!("{reason} (known: {})", allowed.join(", ")),
                "billed as nothing".into(),
            ),
            Ok(plan) if b.size.is_none() && plan.default_size.is_none() && !plan.sizes.is_empty() => problem(
                out,
                &format!("{path}.size"),
                format!(
                    "`{pr}/{pl}` prices compute by size and has no default size; choose one of {}",
                    plan.sizes.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
                "its compute is not billed (the bill's warnings say so)".into(),
            ),
            Ok(plan) => {
                if let Some(Err((reason, allowed))) = b.size.as_deref().map(|sz| plan.size(sz)) {
                    let known = if allowed.is_empty() {
                        String::new()
                    } else {
                        format!(" (sizes: {})", allowed.join(", "))
                    };
                    problem(
                        out,
                        &format!("{path}.size"),
                        format!("{reason} in `{pr}`{known}"),
                        "its compute is not billed (the bill's warnings say so) and the plan's own capacity applies"
                            .into(),
                    );
                }
            }
        }
    }
}

/// `n` servers of one station, at most [`MAX_SERVERS`]: the count, clamped.
fn servers(out: &mut Vec<Problem>, field: &str, n: u64, what: String) -> u32 {
    if n > MAX_SERVERS {
        problem(
            out,
            field,
            format!(
                "{what} = {} servers of one station; capsim simulates at most {}",
                crate::units::group_thousands(&n.to_string()),
                crate::units::group_thousands(&MAX_SERVERS.to_string())
            ),
            format!("simulated with {MAX_SERVERS}"),
        );
    }
    n.min(MAX_SERVERS) as u32
}

/// The API's slots, cores and speed against its plan: vCPU, RAM, replicas, idle CPU.
fn api(stage: &Stage, catalog: &Catalog, out: &mut Vec<Problem>) -> (u32, u32, f64, f64) {
    let a = &stage.api;
    let cap = capacity_of(&a.billing, catalog).unwrap_or_default();
    let vcpu = match (a.vcpu > 0.0, cap.vcpu) {
        (true, Some(max)) if a.vcpu > max => {
            problem(
                out,
                "api.vcpu",
                format!("{} vCPU exceeds what the plan allows ({max} vCPU)", fmt_number(a.vcpu)),
                format!("simulated with {max} vCPU per instance"),
            );
            max
        }
        (true, _) => a.vcpu,
        // A per-service cap is shared by the instances: each gets its share.
        (false, Some(v)) if cap.per_service => v / a.instances.max(1) as f64,
        (false, Some(v)) => v,
        (false, None) => {
            problem(
                out,
                "api.vcpu",
                "the plan has no fixed vCPU; give `vcpu` per instance".into(),
                "simulated with 1 vCPU per instance".into(),
            );
            1.0
        }
    };
    if let Some(max) = cap.ram_bytes.filter(|m| a.ram_bytes > *m) {
        problem(
            out,
            "api.ram",
            format!(
                "{} of RAM exceeds what the plan allows ({})",
                crate::units::fmt_bytes(a.ram_bytes),
                crate::units::fmt_bytes(max)
            ),
            "not enforced: billed as written".into(),
        );
    }
    if a.idle_cpu > vcpu {
        problem(
            out,
            "api.idle_cpu",
            format!(
                "an idle instance cannot use {} vCPU: it has {} (idle_cpu lies between 0 and the instance's vCPU)",
                fmt_number(a.idle_cpu),
                fmt_number(vcpu)
            ),
            "not enforced: billed as written".into(),
        );
    }
    let n = a.instances;
    caps::api_per_service(&cap, n, vcpu, a.ram_bytes, out);
    let limits = [
        (cap.max_replicas.filter(|m| *m > 0), "the plan's limit of", "replicas"),
        (a.max_instances, "the stage's `max_instances` of", "instances"),
    ];
    for (max, whose, unit) in limits {
        if let Some(max) = max.filter(|m| n > *m) {
            problem(
                out,
                "api.instances",
                format!("{n} instances exceed {whose} {max} {unit}"),
                format!("not enforced: simulated and billed with {n}"),
            );
        }
    }
    let slots = n as u64 * a.workers as u64;
    let slots = servers(
        out,
        "api.workers",
        slots,
        format!("{n} instances × {} workers", a.workers),
    );
    let total = vcpu * n as f64;
    let cores = servers(
        out,
        "api.vcpu",
        total.ceil() as u64,
        format!("{n} instances × {} vCPU", fmt_number(vcpu)),
    );
    let total = total.min(MAX_SERVERS as f64);
    (slots, cores.max(1), total / cores.max(1) as f64, total)
}

/// The database's connections against its plan's limit (direct, or pooled with a pooler).
fn database(d: &crate::scenario::model::Database, catalog: &Catalog, out: &mut Vec<Problem>) -> DbInfra {
    let cap = capacity_of(&d.billing, catalog).unwrap_or_default();
    let limit = if d.pooler {
        cap.pooled_connections.or(cap.direct_connections)
    } else {
        cap.direct_connections
    };
    let connections = match (d.connections, limit) {
        (Some(c), Some(l)) if c > l => {
            problem(
                out,
                "database.connections",
                format!(
                    "the application opens {c} connections but the plan allows {l} {}",
                    if d.pooler {
                        "pooled clients"
                    } else {
                        "direct connections (set `pooler: true` to connect through the pooler)"
                    }
                ),
                format!("simulated with {l}"),
            );
            l
        }
        (Some(c), _) => c,
        (None, Some(l)) => l,
        (None, None) => {
            problem(
                out,
                "database.connections",
                "the plan does not state a connection limit; give `connections`".into(),
                "simulated with 1".into(),
            );
            1
        }
    };
    DbInfra {
        connections: servers(
            out,
            "database.connections",
            connections as u64,
            format!("{connections} connections"),
        ),
        limit,
        size_limit: cap.db_size_limit_bytes,
        read_only_over_limit: cap.read_only_over_limit,
    }
}

/// The vector store's servers, and its vectors against the plan's stated capacity.
fn vector_store(v: &crate::scenario::model::VectorStore, catalog: &Catalog, out: &mut Vec<Problem>) -> VectorInfra {
    let cap = capacity_of(&v.billing, catalog).unwrap_or_default();
    if let Some(max) = cap.max_vectors.filter(|m| v.vectors > *m) {
        problem(
            out,
            "vector_store.vectors",
            format!(
                "{} vectors do not fit in the plan, which holds at most {}",
                crate::units::fmt_count(v.vectors),
                crate::units::fmt_count(max)
            ),
            "not enforced: its capacity share is above 100 %".into(),
        );
    }
    // After the plan's count: a validation error names one problem per component.
    caps::vectors_on_disk(v, &cap, out);
    VectorInfra {
        servers: servers(
            out,
            "vector_store.servers",
            v.servers as u64,
            format!("{} servers", v.servers),
        ),
        max_vectors: cap.max_vectors,
    }
}

/// `add_instances`: `count` more API instances or queue workers (`component`), up to `max`
/// (and the API's `max_instances`); `None` when already there or the stage lacks the
/// component. On an autoscaled set it raises `autoscale.max` instead (room to scale out).
/// Returns what changed, in words. Saturating: `count` may be as large as a u32 holds, and
/// `max` caps the sum anyway (a wrapping sum took 1 instance to 0).
pub fn add_instances(stage: &mut Stage, component: &str, count: u32, max: u32) -> Option<String> {
    let (fixed, rule, unit, cap) = match component {
        "queue" => {
            let q = stage.queue.as_mut()?;
            (&mut q.workers, q.autoscale.as_mut(), "workers", max)
        }
        _ => {
            let a = &mut stage.api;
            (
                &mut a.instances,
                a.autoscale.as_mut(),
                "instances",
                max.min(a.max_instances.unwrap_or(max)),
            )
        }
    };
    let (n_ref, what) = match rule {
        Some(r) => (&mut r.max, "autoscale.max"),
        None => (fixed, unit),
    };
    let now = *n_ref;
    if now >= cap {
        return None;
    }
    let n = now.saturating_add(count).min(cap);
    *n_ref = n;
    Some(format!("{component}: {now} → {n} {what}"))
}

impl Infra {
    /// Resolves a stage's capacities against the catalog and capsim's bounds; the errors say
    /// which field of the stage does not fit and why.
    pub fn resolve(stage: &Stage, catalog: &Catalog) -> Result<Infra, Vec<Problem>> {
        let (infra, problems) = Infra::resolve_clamped(stage, catalog);
        if problems.is_empty() {
            Ok(infra)
        } else {
            Err(problems)
        }
    }

    /// Like [`Infra::resolve`] but never fails: what does not fit is clamped or left as written,
    /// and each note says which and how (for the report). Validation checks every configuration
    /// scaling actions can reach, so a validated scenario only gets here when it has more of
    /// them than validation explores (and then said so in a warning).
    pub fn resolve_lenient(stage: &Stage, catalog: &Catalog) -> (Infra, Vec<String>) {
        let (infra, problems) = Infra::resolve_clamped(stage, catalog);
        let notes = problems
            .into_iter()
            .map(|p| {
                format!(
                    "A configuration of stage `{}` does not fit, `{}`: {}; {}.",
                    stage.name, p.field, p.reason, p.fallback
                )
            })
            .collect();
        (infra, notes)
    }

    fn resolve_clamped(stage: &Stage, catalog: &Catalog) -> (Infra, Vec<Problem>) {
        let mut problems = Vec::new();
        plans_and_sizes(stage, catalog, &mut problems);
        let (api_slots, api_cores, api_speed, api_vcpu_total) = api(stage, catalog, &mut problems);
        let db = stage.database.as_ref().map(|d| database(d, catalog, &mut problems));
        let vector = stage
            .vector_store
            .as_ref()
            .map(|v| vector_store(v, catalog, &mut problems));
        if let Some(q) = &stage.queue {
            caps::queue_per_service(q, &capacity_of(&q.billing, catalog).unwrap_or_default(), &mut problems);
        }
        let queue_slots = stage.queue.as_ref().map_or(0, |q| {
            let slots = q.workers as u64 * q.concurrency as u64;
            let what = format!("{} workers × concurrency {}", q.workers, q.concurrency);
            servers(&mut problems, "queue.concurrency", slots, what)
        });
        let infra = Infra {
            api_slots,
            api_cores,
            api_speed,
            api_vcpu_total,
            api_max_queue: stage.api.max_queue,
            api_queue_timeout: stage.api.queue_timeout,
            db,
            vector,
            queue_slots,
        };
        (infra, problems)
    }
}

#[path = "infra_caps.rs"]
pub mod caps;

#[cfg(test)]
#[path = "infra_tests.rs"]
mod tests;
