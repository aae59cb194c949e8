//! The background job queue: worker slots running jobs that requests enqueue; billed for the
//! CPU its jobs use, its workers' RAM and hours. `add_instances` adds workers, `upgrade` sets
//! them (`workers`), and `autoscale` scales them on backlog or job wait.

use super::{add, ComponentKind, Period, GB};
use crate::engine::station::JOBS;
use crate::pricing::Usage;
use crate::scenario::model::{Billing, Metric, MetricDef, Stage, Upgrade};

pub const KIND: ComponentKind = ComponentKind {
    name: "queue",
    label: "job queue",
    list: None,
    instances: |s| super::one_if(s.queue.is_some(), "queue"),
    billing,
    billing_mut,
    usage,
    capacity: &[],
    stations: &[JOBS],
    metrics: &[Metric::QueueBacklog, Metric::QueueWait],
    upgrade_fields: &["workers"],
    upgrade,
    scales_out: true,
    key: None,
    parse: None,
    schema: None,
    own_metrics: &[MetricDef {
        id: "queue.batch_drain",
        unit: crate::units::Unit::Seconds,
        about: "the longest drain of a batch enqueued at the busy window's start behind the traffic's jobs (`crate::batch::probe`); a batch not drained counts as what it is known to last at least, its cap or the time its probe ran (no data without batch requests)",
        range: (0.0, None),
        value: |_, p| p.batch_drain_peak,
    }],
};

fn billing<'a>(s: &'a Stage, name: &str) -> Option<&'a Billing> {
    s.queue.as_ref().filter(|_| name == KIND.name).map(|q| &q.billing)
}

fn billing_mut<'a>(s: &'a mut Stage, name: &str) -> Option<&'a mut Billing> {
    s.queue.as_mut().filter(|_| name == KIND.name).map(|q| &mut q.billing)
}

fn usage(p: &Period, st: &Stage, _: &str, u: &mut Usage) -> Option<f64> {
    let q = st.queue.as_ref()?;
    let v = p.volumes;
    add(u, "vcpu_hours", v.jobs * q.job_time.mean() * q.vcpu / 3600.0);
    // Autoscaled: the workers run in the period, on average (worker-hours / hours).
    let workers = v.replicas[1].unwrap_or(q.workers as f64);
    add(u, "ram_gb_hours", q.ram_in_use_bytes / GB * workers * v.hours);
    add(u, "instance_hours", workers * v.hours);
    // Each worker is a billed instance: the workers multiply a compute size (3 × Render
    // Starter) and a per-instance fee; autoscaled, the workers it ran on average.
    Some(workers)
}

/// `upgrade: {component: queue, workers: n}`: n workers (autoscaled: n is the new `min`, and
/// `max` rises to it if below).
fn upgrade(stage: &mut Stage, up: &Upgrade, changes: &mut Vec<String>) {
    let (Some(w), Some(q)) = (up.workers, stage.queue.as_mut()) else {
        return;
    };
    match q.autoscale.as_mut() {
        Some(r) => {
            r.min = w;
            r.max = r.max.max(w);
            changes.push(format!("workers (autoscale.min) → {w}"));
        }
        None => changes.push(format!("workers → {w}")),
    }
    q.workers = w;
}
