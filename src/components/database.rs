//! The database: a connection pool in front of a managed Postgres, billed for storage,
//! instance hours, read replicas and monthly active users.

use super::{add, ComponentKind, Period, GB};
use crate::engine::station::DB;
use crate::pricing::Usage;
use crate::scenario::model::{Billing, Metric, Stage, Upgrade};

pub const KIND: ComponentKind = ComponentKind {
    name: "database",
    label: "database",
    list: None,
    instances: |s| super::one_if(s.database.is_some(), "database"),
    billing,
    billing_mut,
    usage,
    capacity: &[
        "direct_connections",
        "pooled_connections",
        "db_size_limit_bytes",
        "read_only_over_limit",
    ],
    stations: &[DB],
    // `database.size` is the stored data's (storage.database), with or without a database.
    metrics: &[
        Metric::DatabaseConnections,
        Metric::DatabaseUtilization,
        Metric::DatabaseWait,
    ],
    upgrade_fields: &["pooler", "connections", "read_replicas"],
    upgrade,
    scales_out: false,
    key: None,
    parse: None,
    schema: None,
    own_metrics: super::backups::DATABASE_METRICS,
};

fn billing<'a>(s: &'a Stage, name: &str) -> Option<&'a Billing> {
    s.database.as_ref().filter(|_| name == KIND.name).map(|d| &d.billing)
}

fn billing_mut<'a>(s: &'a mut Stage, name: &str) -> Option<&'a mut Billing> {
    s.database
        .as_mut()
        .filter(|_| name == KIND.name)
        .map(|d| &mut d.billing)
}

fn usage(p: &Period, st: &Stage, _: &str, u: &mut Usage) -> Option<f64> {
    let d = st.database.as_ref()?;
    let v = p.volumes;
    add(
        u,
        "storage_gb_months",
        v.db_bytes_avg / GB * v.hours / p.scenario.hours_per_month,
    );
    add(u, "storage_gb_peak", v.db_bytes_end / GB);
    add(u, "instance_hours", v.hours);
    add(u, "replica_hours", d.read_replicas as f64 * v.hours);
    add(u, "mau", v.users);
    Some(1.0)
}

fn upgrade(stage: &mut Stage, up: &Upgrade, changes: &mut Vec<String>) {
    let Some(db) = stage.database.as_mut() else { return };
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
