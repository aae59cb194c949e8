//! Tests of `infra.rs`: what a stage's plans give it, and the problems they have.

use super::*;
use crate::scenario::model::Upgrade;
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

/// What does not fit is an error for `resolve`; the lenient form simulates the plan's
/// limit instead and its note says so (with the stage, the field and the value used).
#[test]
fn lenient_resolution_says_what_it_clamps() {
    let pricing = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("pricing");
    let cat = Catalog::load_dir(&pricing, crate::pricing::ChosenBy::Flag).unwrap();
    let mut st = stage_with("{provider: railway, plan: hobby, vcpu: 1, ram: 1GiB, workers: 2}");
    apply_upgrade(
        &mut st,
        &Upgrade {
            component: "api".into(),
            vcpu: Some(100.0),
            ..Default::default()
        },
    );
    let problems = Infra::resolve(&st, &cat).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].field, "api.vcpu");
    let (infra, notes) = Infra::resolve_lenient(&st, &cat);
    assert_eq!(infra.api_vcpu_total, 50.0);
    assert_eq!(
        notes,
        ["A configuration of stage `s` does not fit, `api.vcpu`: 100 vCPU exceeds what the plan allows (50 vCPU); simulated with 50 vCPU per instance."]
    );
    // Added instances past the bound of one station's servers: clamped, and said.
    add_instances(&mut st, "api", u32::MAX, u32::MAX);
    let (infra, notes) = Infra::resolve_lenient(&st, &cat);
    assert_eq!(infra.api_slots as u64, MAX_SERVERS);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("`api.workers`") && n.contains("simulated with 1000000")),
        "{notes:?}"
    );
}

#[test]
fn adding_instances_saturates_and_stops_at_max() {
    let mut st = stage_with("{vcpu: 1}");
    assert_eq!(
        add_instances(&mut st, "api", u32::MAX, 7).as_deref(),
        Some("api: 1 → 7 instances")
    );
    assert_eq!(add_instances(&mut st, "api", 1, 7), None);
    assert_eq!(st.api.instances, 7);
}

#[test]
fn ram_in_use_given_stays_what_the_file_says_through_upgrades() {
    let gib = 1024.0 * 1024.0 * 1024.0;
    let mut st = stage_with("{provider: railway, plan: pro, vcpu: 1, ram: 1GiB, ram_in_use: 300MB}");
    assert_eq!(st.api.ram_in_use_bytes, 300e6);
    apply_upgrade(&mut st, &ram_upgrade(4.0 * gib));
    assert_eq!(st.api.ram_in_use_bytes, 300e6);
}
