//! Tests of `infra_caps.rs`: per-service totals (Railway) and vectors by dimension (Qdrant),
//! for a stage as written and after the actions that scale it.

use crate::infra::Infra;
use crate::pricing::Catalog;
use crate::scenario::Scenario;
use std::path::PathBuf;

fn catalog() -> Catalog {
    let pricing = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("pricing");
    Catalog::load_dir(&pricing, crate::pricing::ChosenBy::Flag).unwrap()
}

/// Loads a one-stage scenario with the given stage body and triggers; the error text if any.
fn load(stage: &str, triggers: &str) -> Result<Scenario, String> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.yaml");
    let text = format!(
        "name: t\nstage: s\nhorizon: 1d\ntraffic: {{arrival_rate: 1/s}}\n\
         requests: {{r: {{share: 100%, cpu: 10ms}}}}\nstages: {{s: {stage}}}\n{triggers}"
    );
    std::fs::write(&p, text).unwrap();
    crate::scenario::load_with_catalog(&p, &catalog()).map_err(|e| e.to_string())
}

fn railway_api(plan: &str, instances: u32, vcpu: &str, ram: &str) -> String {
    format!("{{api: {{provider: railway, plan: {plan}, instances: {instances}, vcpu: {vcpu}, ram: {ram}}}}}")
}

/// Hobby caps a service at 50 vCPU and 50 GB, replicas included: 5 × 10 vCPU fits exactly,
/// 6 × 9 vCPU (54) does not although each instance (9 vCPU) is far under the cap.
#[test]
fn railway_vcpu_is_capped_per_service_not_per_instance() {
    assert!(load(&railway_api("hobby", 5, "10", "1GB"), "").is_ok());
    let e = load(&railway_api("hobby", 6, "9", "1GB"), "").unwrap_err();
    assert!(e.contains("stages.s.api.instances"), "{e}");
    assert!(
        e.contains("6 instances × 9 vCPU = 54 vCPU exceeds the plan's cap of 50 vCPU per service"),
        "{e}"
    );
}

#[test]
fn railway_ram_is_capped_per_service_not_per_instance() {
    assert!(load(&railway_api("hobby", 5, "1", "10GB"), "").is_ok());
    let e = load(&railway_api("hobby", 4, "1", "13GB"), "").unwrap_err();
    assert!(e.contains("stages.s.api.instances"), "{e}");
    assert!(
        e.contains("4 instances × 13.00 GB of RAM = 52.00 GB exceeds the plan's cap of 50.00 GB"),
        "{e}"
    );
}

/// The invariant: for every count of instances, the per-service check fails exactly when
/// instances × vCPU passes the cap (and the replica limit is not what fails).
#[test]
fn the_per_service_check_is_exactly_the_product_against_the_cap() {
    let cat = catalog();
    for n in 1..=10u32 {
        for vcpu in [1.0, 4.0, 5.0, 7.5, 12.0] {
            let sc = load(&railway_api("pro", 1, &vcpu.to_string(), "1GB"), "").unwrap();
            let mut st = sc.stages["s"].clone();
            st.api.instances = n;
            // Hobby's caps through an upgrade of the plan.
            st.api.billing.plan = Some("hobby".into());
            let fails = Infra::resolve(&st, &cat).is_err();
            assert_eq!(fails, n as f64 * vcpu > 50.0, "{n} × {vcpu}");
        }
    }
}

/// A per-instance plan (Render's sizes) is not summed: many instances of a size that fits do.
#[test]
fn a_per_instance_cap_is_not_multiplied() {
    let cat = catalog();
    let plan = cat.plan("railway", "hobby").unwrap();
    assert!(plan.capacity.per_service);
    let sc = load(&railway_api("hobby", 1, "1", "1GB"), "").unwrap();
    let mut st = sc.stages["s"].clone();
    st.api.instances = 10;
    st.api.vcpu = 50.0;
    assert!(Infra::resolve(&st, &cat).is_err(), "per service: 10 × 50 > 50");
    let mut cap = plan.capacity.clone();
    cap.per_service = false;
    let mut out = Vec::new();
    super::api_per_service(&cap, 10, 50.0, 50e9, &mut out);
    assert!(out.is_empty(), "{out:?}");
}

/// `add_instances` up to a max that breaks the per-service cap is an error at the action's
/// `max`, though the stage as written fits.
#[test]
fn adding_instances_past_the_service_cap_is_an_error_at_the_action() {
    let trig = "triggers:\n  - {name: busy, metric: api.cpu, above: 80%, action: {add_instances: {component: api, count: 1, max: 6}}}\n";
    let e = load(&railway_api("hobby", 1, "9", "1GB"), trig).unwrap_err();
    assert!(e.contains("triggers[0].action.add_instances.max"), "{e}");
    assert!(e.contains("6 instances × 9 vCPU = 54 vCPU"), "{e}");
    let fits = trig.replace("max: 6", "max: 5");
    assert!(load(&railway_api("hobby", 1, "9", "1GB"), &fits).is_ok());
}

/// An upgrade of the vCPU that makes the service too big is an error at the upgrade's `vcpu`.
#[test]
fn an_upgrade_past_the_service_cap_is_an_error_at_the_upgrade() {
    let trig =
        "triggers:\n  - {name: busy, metric: api.cpu, above: 80%, action: {upgrade: {component: api, vcpu: 20}}}\n";
    let e = load(&railway_api("hobby", 3, "2", "1GB"), trig).unwrap_err();
    assert!(e.contains("triggers[0].action.upgrade.vcpu"), "{e}");
    assert!(e.contains("3 instances × 20 vCPU = 60 vCPU"), "{e}");
}

/// A queue's workers share the service's RAM: the Free plan's 0.5 GB holds 2 × 200 MB, not 3.
#[test]
fn queue_workers_share_the_service_ram() {
    let stage = |w: u32| {
        format!(
            "{{api: {{vcpu: 1}}, queue: {{provider: railway, plan: free, workers: {w}, job_time: 1s, vcpu: 0.01, ram_in_use: 200MB}}}}"
        )
    };
    assert!(load(&stage(2), "").is_ok(), "2 × 200 MB = 400 MB ≤ 500 MB");
    let e = load(&stage(3), "").unwrap_err();
    assert!(e.contains("stages.s.queue.workers"), "{e}");
    assert!(
        e.contains("3 workers × 200.0 MB of RAM = 600.0 MB exceeds the plan's cap of 500.0 MB"),
        "{e}"
    );
}

fn qdrant(vectors: &str, dims: u32) -> String {
    format!("{{api: {{vcpu: 1}}, vector_store: {{provider: qdrant_cloud, plan: free, vectors: {vectors}, dimensions: {dims}, query_time: 20ms}}}}")
}

/// Qdrant Free's 4 GB disk: its own "1M vectors of 768 dimensions" (3.07 GB) fits; the same
/// count at 1,536 dimensions (6.14 GB) does not, though the plan's 1M vector count is met.
#[test]
fn qdrant_capacity_depends_on_the_vector_dimension() {
    assert!(load(&qdrant("1M", 768), "").is_ok());
    let e = load(&qdrant("1M", 1536), "").unwrap_err();
    assert!(e.contains("stages.s.vector_store.vectors"), "{e}");
    assert!(
        e.contains("1M vectors × 1536 dimensions × 4 bytes = 6.14 GB do not fit on the plan's 4.00 GB of disk"),
        "{e}"
    );
    // The bound is exact: the largest count at 1,536 dimensions that fits 4 GB.
    let max: f64 = (4e9_f64 / (1536.0 * 4.0)).floor();
    assert!(load(&qdrant(&format!("{max}"), 1536), "").is_ok());
    assert!(load(&qdrant(&format!("{}", max + 1.0), 1536), "").is_err());
}

/// Past the plan's RAM by Qdrant's rule (× 4 bytes × 1.5) it still fits on disk: a warning.
#[test]
fn vectors_past_the_ram_rule_warn() {
    // 200K × 768 × 6 = 0.92 GB ≤ 1 GB; 300K × 768 × 6 = 1.38 GB > 1 GB.
    let texts = |sc: Scenario| -> Vec<String> {
        sc.warnings
            .iter()
            .map(|w| w.to_string())
            .filter(|w| w.contains("vector_store.vectors"))
            .collect()
    };
    assert!(texts(load(&qdrant("200K", 768), "").unwrap()).is_empty());
    let w = texts(load(&qdrant("300K", 768), "").unwrap());
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("= 1.38 GB of RAM"), "{}", w[0]);
}
