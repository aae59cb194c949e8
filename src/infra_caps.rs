//! Plan limits that depend on more than one figure of a component: a service's totals across
//! its replicas (Railway caps vCPU and RAM per service, "replica multiplication" included) and
//! a vector store's size by vector dimension (Qdrant's sizing rule).
//!
//! | Check | Computed | Against | Outcome |
//! |---|---|---|---|
//! | API vCPU per service | instances × vCPU | the plan's `vcpu` when `per_service` | error |
//! | API RAM per service | instances × RAM | the plan's `ram` when `per_service` | error |
//! | queue RAM per service | workers × `ram_in_use` | the plan's `ram` when `per_service` | error |
//! | queue vCPU per service | workers × concurrency × `vcpu` (all jobs running) | the plan's `vcpu` when `per_service` | error |
//! | vectors on disk | vectors × dimensions × 4 bytes (float32) | the plan's `storage` | error |
//! | vectors in RAM | vectors × dimensions × 4 bytes × 1.5 | the plan's `ram` | warning: served from disk, slower |
//!
//! Errors are [`Problem`]s like every other capacity limit: an input error (exit 2) for a stage
//! as written and for every configuration `add_instances` and upgrades can reach
//! ([`crate::scenario`]'s reach module). The RAM advice is not a limit (Qdrant keeps vectors on
//! disk past its RAM, at about twice the search latency per halving), so it is a warning.

use super::{problem, Problem};
use crate::pricing::{Capacity, Catalog};
use crate::scenario::model::{JobQueue, Stage, VectorStore};
use crate::units::{fmt_bytes, fmt_number};

/// Bytes of one vector dimension (float32).
pub const BYTES_PER_DIMENSION: f64 = 4.0;
/// Qdrant's sizing rule: RAM = vectors × dimensions × 4 bytes × 1.5 (indexes and metadata).
pub const QDRANT_RAM_OVERHEAD: f64 = 1.5;

fn over_service(out: &mut Vec<Problem>, field: &str, what: String, total: String, max: String) {
    problem(
        out,
        field,
        format!("{what} = {total} exceeds the plan's cap of {max} per service (replicas included)"),
        "not enforced: simulated and billed as written".into(),
    );
}

/// `n` API instances of `vcpu` and `ram` bytes each against a per-service cap.
pub(super) fn api_per_service(cap: &Capacity, n: u32, vcpu: f64, ram: f64, out: &mut Vec<Problem>) {
    if !cap.per_service {
        return;
    }
    let total = vcpu * n as f64;
    if let Some(max) = cap.vcpu.filter(|m| total > *m + 1e-9) {
        let what = format!("{n} instances × {} vCPU", fmt_number(vcpu));
        over_service(
            out,
            "api.instances",
            what,
            format!("{} vCPU", fmt_number(total)),
            format!("{} vCPU", fmt_number(max)),
        );
    }
    let total = ram * n as f64;
    if let Some(max) = cap.ram_bytes.filter(|m| total > *m) {
        let what = format!("{n} instances × {} of RAM", fmt_bytes(ram));
        over_service(out, "api.instances", what, fmt_bytes(total), fmt_bytes(max));
    }
}

/// A queue's workers against a per-service cap: their RAM, and the vCPU of every job running.
pub(super) fn queue_per_service(q: &JobQueue, cap: &Capacity, out: &mut Vec<Problem>) {
    if !cap.per_service {
        return;
    }
    let ram = q.ram_in_use_bytes * q.workers as f64;
    if let Some(max) = cap.ram_bytes.filter(|m| ram > *m) {
        let what = format!("{} workers × {} of RAM", q.workers, fmt_bytes(q.ram_in_use_bytes));
        over_service(out, "queue.workers", what, fmt_bytes(ram), fmt_bytes(max));
    }
    let vcpu = q.vcpu * q.workers as f64 * q.concurrency as f64;
    if let Some(max) = cap.vcpu.filter(|m| vcpu > *m + 1e-9) {
        let what = format!(
            "{} workers × concurrency {} × {} vCPU a job",
            q.workers,
            q.concurrency,
            fmt_number(q.vcpu)
        );
        over_service(
            out,
            "queue.workers",
            what,
            format!("{} vCPU", fmt_number(vcpu)),
            format!("{} vCPU", fmt_number(max)),
        );
    }
}

/// The raw vectors (vectors × dimensions × 4 bytes) against the plan's disk.
pub(super) fn vectors_on_disk(v: &VectorStore, cap: &Capacity, out: &mut Vec<Problem>) {
    let bytes = v.vectors * v.dimensions as f64 * BYTES_PER_DIMENSION;
    if let Some(max) = cap.storage_bytes.filter(|m| bytes > *m) {
        problem(
            out,
            "vector_store.vectors",
            format!(
                "{} vectors × {} dimensions × 4 bytes = {} do not fit on the plan's {} of disk",
                crate::units::fmt_count(v.vectors),
                v.dimensions,
                fmt_bytes(bytes),
                fmt_bytes(max)
            ),
            "not enforced: simulated as written".into(),
        );
    }
}

/// Advice that is not a limit: `(field inside the stage, what to say)`. Today: vectors whose
/// RAM by Qdrant's rule passes the plan's RAM.
pub fn advice(stage: &Stage, catalog: &Catalog) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(v) = &stage.vector_store {
        let cap = super::capacity_of(&v.billing, catalog).unwrap_or_default();
        let need = v.vectors * v.dimensions as f64 * BYTES_PER_DIMENSION * QDRANT_RAM_OVERHEAD;
        if let Some(ram) = cap.ram_bytes.filter(|r| need > *r) {
            out.push((
                "vector_store.vectors".to_string(),
                format!(
                    "{} vectors × {} dimensions × 4 bytes × 1.5 = {} of RAM to hold them in memory, more than the plan's {}: the rest is served from disk (Qdrant: about 2× the search latency for each halving of the share in RAM), which `query_time` should reflect",
                    crate::units::fmt_count(v.vectors),
                    v.dimensions,
                    fmt_bytes(need),
                    fmt_bytes(ram)
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
#[path = "infra_caps_tests.rs"]
mod tests;
