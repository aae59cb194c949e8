//! The vector store: servers answering vector queries; billed for stored vectors, their
//! storage and queries.

use super::{add, ComponentKind, Period, GB};
use crate::engine::station::VEC;
use crate::pricing::Usage;
use crate::scenario::model::{Billing, Metric, Stage, Upgrade};

pub const KIND: ComponentKind = ComponentKind {
    name: "vector_store",
    label: "vector store",
    list: None,
    instances: |s| super::one_if(s.vector_store.is_some(), "vector_store"),
    billing,
    billing_mut,
    usage,
    capacity: &["max_vectors"],
    stations: &[VEC],
    metrics: &[Metric::VectorLatency, Metric::VectorCapacity],
    upgrade_fields: &["servers"],
    upgrade,
    scales_out: false,
    key: None,
    parse: None,
    schema: None,
    own_metrics: &[],
};

fn billing<'a>(s: &'a Stage, name: &str) -> Option<&'a Billing> {
    s.vector_store
        .as_ref()
        .filter(|_| name == KIND.name)
        .map(|v| &v.billing)
}

fn billing_mut<'a>(s: &'a mut Stage, name: &str) -> Option<&'a mut Billing> {
    s.vector_store
        .as_mut()
        .filter(|_| name == KIND.name)
        .map(|v| &mut v.billing)
}

fn usage(p: &Period, st: &Stage, _: &str, u: &mut Usage) -> Option<f64> {
    let vs = st.vector_store.as_ref()?;
    let v = p.volumes;
    add(u, "vectors", vs.vectors);
    add(u, "storage_gb_peak", vs.vectors * vs.dimensions as f64 * 4.0 * 1.5 / GB);
    add(u, "requests", v.requests * p.per_request(&|r| r.vector_queries));
    Some(1.0)
}

fn upgrade(stage: &mut Stage, up: &Upgrade, changes: &mut Vec<String>) {
    if let (Some(v), Some(s)) = (stage.vector_store.as_mut(), up.servers) {
        v.servers = s;
        changes.push(format!("servers → {s}"));
    }
}
