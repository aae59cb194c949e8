//! The API: instances of a web service, each with vCPU, RAM and workers; the one component
//! every stage has, and the one `add_instances` scales out.

use super::{add, ComponentKind, Period, GB, GIB};
use crate::engine::station::{API, CPU};
use crate::pricing::Usage;
use crate::scenario::model::{Billing, Metric, Stage, Upgrade};

pub const KIND: ComponentKind = ComponentKind {
    name: "api",
    label: "API",
    list: None,
    instances: |_| vec!["api".to_string()],
    billing,
    billing_mut,
    usage,
    capacity: &["vcpu", "ram_bytes", "max_replicas"],
    stations: &[API, CPU],
    metrics: &[
        Metric::ApiCpu,
        Metric::ApiUtilization,
        Metric::ApiInstances,
        Metric::ApiWait,
    ],
    upgrade_fields: &["vcpu", "ram", "workers"],
    upgrade,
    scales_out: true,
    key: None,
    parse: None,
    schema: None,
    own_metrics: &[],
};

fn billing<'a>(s: &'a Stage, name: &str) -> Option<&'a Billing> {
    (name == KIND.name).then_some(&s.api.billing)
}

fn billing_mut<'a>(s: &'a mut Stage, name: &str) -> Option<&'a mut Billing> {
    (name == KIND.name).then_some(&mut s.api.billing)
}

fn usage(p: &Period, st: &Stage, _: &str, u: &mut Usage) -> Option<f64> {
    let (a, v) = (&st.api, p.volumes);
    // Autoscaled: the replicas run in the period, on average (replica-hours / hours).
    let inst = v.replicas[0].unwrap_or(a.instances as f64);
    add(
        u,
        "vcpu_hours",
        v.requests * p.per_request(&|r| r.cpu.mean()) / 3600.0 + a.idle_cpu * inst * v.hours,
    );
    add(u, "ram_gb_hours", a.ram_in_use_bytes / GB * inst * v.hours);
    add(u, "instance_hours", inst * v.hours);
    add(u, "instances", inst);
    add(u, "vcpu_provisioned_hours", a.vcpu * inst * v.hours);
    add(u, "ram_provisioned_gb_hours", a.ram_bytes / GB * inst * v.hours);
    add(u, "ram_provisioned_gib_hours", a.ram_bytes / GIB * inst * v.hours);
    add(u, "egress_gb", v.requests * p.per_request(&|r| r.egress_bytes) / GB);
    add(u, "requests", v.requests);
    Some(inst)
}

fn upgrade(stage: &mut Stage, up: &Upgrade, changes: &mut Vec<String>) {
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
