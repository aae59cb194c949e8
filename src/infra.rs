//! What a stage's infrastructure can handle, resolved against the pricing catalog.
//!
//! A component's limits come from its plan (and size): Supabase Micro allows 60 direct and 200
//! pooled connections, the Free plan turns read-only past 500 MB, Railway caps a service's vCPU.
//! So an upgrade changes capacity as well as cost. Scaling actions edit a [`Stage`] and the
//! engine re-resolves it.

use crate::pricing::{Capacity, Catalog};
use crate::scenario::{Billing, Stage, Upgrade};

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
    }
    Some(cap)
}

/// The billing block of a named component of a stage.
pub fn billing_of<'a>(s: &'a Stage, component: &str) -> Option<&'a Billing> {
    match component {
        "api" => Some(&s.api.billing),
        "database" => s.database.as_ref().map(|d| &d.billing),
        "cache" => s.cache.as_ref().map(|d| &d.billing),
        "vector_store" => s.vector_store.as_ref().map(|d| &d.billing),
        "queue" => s.queue.as_ref().map(|d| &d.billing),
        other => s
            .external
            .iter()
            .find(|e| e.name == other)
            .map(|e| &e.billing)
            .or_else(|| s.services.iter().find(|e| e.name == other).map(|e| &e.billing)),
    }
}

fn billing_of_mut<'a>(s: &'a mut Stage, component: &str) -> Option<&'a mut Billing> {
    match component {
        "api" => Some(&mut s.api.billing),
        "database" => s.database.as_mut().map(|d| &mut d.billing),
        "cache" => s.cache.as_mut().map(|d| &mut d.billing),
        "vector_store" => s.vector_store.as_mut().map(|d| &mut d.billing),
        "queue" => s.queue.as_mut().map(|d| &mut d.billing),
        other => {
            if let Some(e) = s.external.iter_mut().find(|e| e.name == other) {
                return Some(&mut e.billing);
            }
            s.services.iter_mut().find(|e| e.name == other).map(|e| &mut e.billing)
        }
    }
}

/// Applies an upgrade to a stage (plan, size, vCPU, connections…). Returns what changed, in words.
pub fn apply_upgrade(stage: &mut Stage, up: &Upgrade) -> String {
    let mut changes = Vec::new();
    if let Some(b) = billing_of_mut(stage, &up.component) {
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
    match up.component.as_str() {
        "api" => {
            if let Some(v) = up.vcpu {
                stage.api.vcpu = v;
                changes.push(format!("vCPU → {v}"));
            }
            if let Some(r) = up.ram_bytes {
                stage.api.ram_bytes = r;
                // RAM in use that was not given is the instance's RAM, before and after.
                if stage.api.ram_in_use_is_ram {
                    stage.api.ram_in_use_bytes = r;
                }
                changes.push(format!("RAM → {}", crate::units::fmt_bytes(r)));
            }
            if let Some(w) = up.workers {
                stage.api.workers = w;
                changes.push(format!("workers → {w}"));
            }
        }
        "database" => {
            if let Some(db) = stage.database.as_mut() {
                if let Some(p) = up.pooler {
                    db.pooler = p;
                    changes.push(if p {
                        "connection pooler on".into()
                    } else {
                        "connection pooler off".to_string()
                    });
                }
                if let Some(c) = up.connections {
                    db.connections = Some(c);
                    changes.push(format!("connections → {c}"));
                }
                if let Some(r) = up.read_replicas {
                    db.read_replicas = r;
                    changes.push(format!("read replicas → {r}"));
                }
            }
        }
        "vector_store" => {
            if let (Some(v), Some(s)) = (stage.vector_store.as_mut(), up.servers) {
                v.servers = s;
                changes.push(format!("servers → {s}"));
            }
        }
        _ => {}
    }
    format!("{}: {}", up.component, changes.join(", "))
}

impl Infra {
    /// Resolves a stage's capacities. Errors are (field path inside the stage, reason).
    pub fn resolve(stage: &Stage, catalog: &Catalog) -> Result<Infra, Vec<(String, String)>> {
        let mut problems = Vec::new();
        let api_cap = capacity_of(&stage.api.billing, catalog).unwrap_or_default();
        let per_instance_vcpu = if stage.api.vcpu > 0.0 {
            if let Some(max) = api_cap.vcpu {
                if stage.api.vcpu > max {
                    problems.push((
                        "api.vcpu".into(),
                        format!("{} vCPU exceeds what the plan allows ({max} vCPU)", stage.api.vcpu),
                    ));
                }
            }
            stage.api.vcpu
        } else if let Some(v) = api_cap.vcpu {
            v
        } else {
            problems.push((
                "api.vcpu".into(),
                "the plan has no fixed vCPU; give `vcpu` per instance".into(),
            ));
            1.0
        };
        if let (Some(max), n) = (api_cap.max_replicas, stage.api.instances) {
            if max > 0 && n > max {
                problems.push((
                    "api.instances".into(),
                    format!("{n} instances exceed the plan's limit of {max} replicas"),
                ));
            }
        }
        let vcpu_total = per_instance_vcpu * stage.api.instances as f64;
        let cores = vcpu_total.ceil().max(1.0) as u32;
        let db = stage.database.as_ref().map(|d| {
            let cap = capacity_of(&d.billing, catalog).unwrap_or_default();
            let limit = if d.pooler {
                cap.pooled_connections.or(cap.direct_connections)
            } else {
                cap.direct_connections
            };
            let connections = match (d.connections, limit) {
                (Some(c), Some(l)) if c > l => {
                    problems.push((
                        "database.connections".into(),
                        format!(
                            "the application opens {c} connections but the plan allows {l} {}",
                            if d.pooler {
                                "pooled clients"
                            } else {
                                "direct connections (set `pooler: true` to connect through the pooler)"
                            }
                        ),
                    ));
                    l
                }
                (Some(c), _) => c,
                (None, Some(l)) => l,
                (None, None) => {
                    problems.push((
                        "database.connections".into(),
                        "the plan does not state a connection limit; give `connections`".into(),
                    ));
                    1
                }
            };
            DbInfra {
                connections,
                limit,
                size_limit: cap.db_size_limit_bytes,
                read_only_over_limit: cap.read_only_over_limit,
            }
        });
        let vector = stage.vector_store.as_ref().map(|v| {
            let cap = capacity_of(&v.billing, catalog).unwrap_or_default();
            VectorInfra {
                servers: v.servers,
                max_vectors: cap.max_vectors,
            }
        });
        let queue_slots = stage.queue.as_ref().map(|q| q.workers * q.concurrency).unwrap_or(0);
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Infra {
            api_slots: stage.api.instances * stage.api.workers,
            api_cores: cores,
            api_speed: vcpu_total / cores as f64,
            api_vcpu_total: vcpu_total,
            api_max_queue: stage.api.max_queue,
            api_queue_timeout: stage.api.queue_timeout,
            db,
            vector,
            queue_slots,
        })
    }

    /// Like [`Infra::resolve`] but never fails: limits that do not fit are clamped (used after
    /// scaling actions, whose targets were checked when the scenario was loaded).
    pub fn resolve_lenient(stage: &Stage, catalog: &Catalog) -> (Infra, Vec<String>) {
        match Infra::resolve(stage, catalog) {
            Ok(i) => (i, Vec::new()),
            Err(problems) => {
                let mut s = stage.clone();
                let notes: Vec<String> = problems.iter().map(|(f, r)| format!("{f}: {r}")).collect();
                if let Some(db) = s.database.as_mut() {
                    db.connections = None;
                }
                s.api.vcpu = s.api.vcpu.max(0.0);
                let infra = Infra::resolve(&s, catalog).unwrap_or_else(|_| Infra {
                    api_slots: stage.api.instances * stage.api.workers,
                    api_cores: (stage.api.vcpu * stage.api.instances as f64).ceil().max(1.0) as u32,
                    api_speed: 1.0,
                    api_vcpu_total: stage.api.vcpu.max(1.0) * stage.api.instances as f64,
                    api_max_queue: stage.api.max_queue,
                    api_queue_timeout: stage.api.queue_timeout,
                    db: stage.database.as_ref().map(|d| DbInfra {
                        connections: d.connections.unwrap_or(1),
                        limit: None,
                        size_limit: None,
                        read_only_over_limit: false,
                    }),
                    vector: stage.vector_store.as_ref().map(|v| VectorInfra {
                        servers: v.servers,
                        max_vectors: None,
                    }),
                    queue_slots: stage.queue.as_ref().map(|q| q.workers * q.concurrency).unwrap_or(0),
                });
                (infra, notes)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Upgrade;
    use std::path::PathBuf;

    fn stage_with(api: &str) -> Stage {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.yaml");
        let text = format!(
            "name: t\nstage: s\nhorizon: 1d\ntraffic: {{arrival_rate: 1/s}}\n\
             requests: {{r: {{share: 100%, cpu: 10ms}}}}\nstages: {{s: {{api: {api}}}}}\n"
        );
        std::fs::write(&p, text).unwrap();
        let pricing = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("pricing");
        let cat = Catalog::load_dir(&pricing, crate::pricing::ChosenBy::Flag).unwrap();
        let sc = crate::scenario::load_with_catalog(&p, &cat).unwrap_or_else(|e| panic!("{e}"));
        sc.stages["s"].clone()
    }

    fn ram_upgrade(bytes: f64) -> Upgrade {
        Upgrade {
            component: "api".into(),
            ram_bytes: Some(bytes),
            ..Default::default()
        }
    }

    #[test]
    fn ram_in_use_left_out_follows_the_instance_ram_through_upgrades() {
        let gib = 1024.0 * 1024.0 * 1024.0;
        let mut st = stage_with("{provider: railway, plan: pro, vcpu: 1, ram: 1GiB}");
        assert_eq!(st.api.ram_in_use_bytes, gib);
        apply_upgrade(&mut st, &ram_upgrade(4.0 * gib));
        assert_eq!(st.api.ram_bytes, 4.0 * gib);
        assert_eq!(st.api.ram_in_use_bytes, 4.0 * gib);
    }

    #[test]
    fn ram_in_use_given_stays_what_the_file_says_through_upgrades() {
        let gib = 1024.0 * 1024.0 * 1024.0;
        let mut st = stage_with("{provider: railway, plan: pro, vcpu: 1, ram: 1GiB, ram_in_use: 300MB}");
        assert_eq!(st.api.ram_in_use_bytes, 300e6);
        apply_upgrade(&mut st, &ram_upgrade(4.0 * gib));
        assert_eq!(st.api.ram_in_use_bytes, 300e6);
    }
}
