//! The registry is consistent with the engine's stations and the trigger metrics, and a kind
//! registered next to the built-in ones is listed, billed and priced with no other change.

use super::*;
use crate::scenario::Billing;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::LazyLock;

fn beta() -> (crate::scenario::Scenario, crate::pricing::Catalog) {
    crate::scenario::load(Path::new("scenarios/beta.yaml"), None).expect("beta loads")
}

#[test]
fn names_are_unique_and_each_engine_station_belongs_to_the_kind_that_lists_it() {
    let names: BTreeSet<_> = KINDS.iter().map(|k| k.name).collect();
    assert_eq!(names.len(), KINDS.len());
    for st in crate::engine::KINDS.iter() {
        let owners: Vec<_> = KINDS.iter().filter(|k| k.stations.contains(&st.id)).collect();
        assert_eq!(owners.len(), 1, "station `{}` is listed by one kind", st.key);
        assert_eq!(owners[0].name, st.component, "station `{}`", st.key);
    }
}

#[test]
fn a_metric_has_at_most_one_owner_and_upgrade_fields_are_not_shared() {
    for (name, m, _, _) in crate::scenario::Metric::ALL {
        let n = KINDS.iter().filter(|k| k.metrics.contains(m)).count();
        assert!(n <= 1, "`{name}` is owned by {n} kinds");
    }
    let fields: Vec<_> = KINDS.iter().flat_map(|k| k.upgrade_fields).collect();
    assert_eq!(fields.len(), fields.iter().collect::<BTreeSet<_>>().len());
}

#[test]
fn the_registry_lists_and_finds_every_component_of_a_stage() {
    let (sc, _) = beta();
    for st in sc.stages.values() {
        let names = names(st);
        assert_eq!(names[0], "api");
        let paths: Vec<_> = billings(st).into_iter().map(|(p, _)| p).collect();
        assert_eq!(paths.len(), names.len());
        for n in &names {
            assert!(billing_of(st, n).is_some(), "{n}");
            assert!(kind_in(KINDS, st, n).is_some(), "{n}");
        }
    }
    assert!(reserved_names().eq(["api", "database", "cache", "vector_store", "queue"]));
}

// A kind added by a test: a nightly database backup kept 30 days in Cloudflare R2 (Infrequent
// Access). It has no YAML block of its own: a stage with a database has one, billed from the
// period's database size, and it needs a database for the `database.size` metric's backups.

const BACKUP: ComponentKind = ComponentKind {
    name: "backup",
    label: "nightly backup",
    list: None,
    instances: |s| one_if(s.database.is_some(), "backup"),
    billing: |s, n| (n == "backup" && s.database.is_some()).then_some(&*BACKUP_BILLING),
    billing_mut: |_, _| None,
    usage: backup_usage,
    capacity: &[],
    stations: &[],
    metrics: &[],
    upgrade_fields: &[],
    upgrade: no_upgrade_fields,
    scales_out: false,
};

static BACKUP_BILLING: LazyLock<Billing> = LazyLock::new(|| Billing {
    provider: Some("cloudflare_r2".into()),
    plan: Some("infrequent_access".into()),
    multiplier: 1.0,
    ..Billing::default()
});

/// 30 daily copies of the database stored, one write per night.
fn backup_usage(p: &Period, _: &Stage, _: &str, u: &mut Usage) -> Option<f64> {
    let v = p.volumes;
    add(
        u,
        "storage_gb_months",
        30.0 * v.db_bytes_end / GB * v.hours / p.scenario.hours_per_month,
    );
    add(u, "class_a_ops", v.hours / 24.0);
    Some(1.0)
}

#[test]
fn a_kind_registered_next_to_the_built_in_ones_is_listed_billed_and_priced() {
    let (sc, catalog) = beta();
    let mut reg: Vec<&ComponentKind> = KINDS.to_vec();
    reg.push(&BACKUP);
    let st = sc
        .stages
        .values()
        .find(|s| s.database.is_some())
        .expect("a stage with a database");
    let names = names_in(&reg, st);
    assert_eq!(names.last().map(String::as_str), Some("backup"));
    assert_eq!(names[..names.len() - 1], super::names(st)[..]);

    // A month with a 10 GB database: 300 GB-months of backups at $0.01, a write a night at $9/M.
    let v = Volumes {
        hours: sc.hours_per_month,
        requests: 0.0,
        sessions: 0.0,
        jobs: 0.0,
        users: 0.0,
        db_bytes_avg: 10e9,
        db_bytes_end: 10e9,
    };
    let (costs, detail) = crate::billing::stage_run_rate_in(&reg, &sc, st, &names, &v, 0.0, &catalog);
    let i = names.len() - 1;
    let (config, usage) = &detail[i];
    assert_eq!(config.as_ref().map(|c| c.plan.as_str()), Some("infrequent_access"));
    assert!((usage["storage_gb_months"] - 300.0).abs() < 1e-9, "{usage:?}");
    let writes = sc.hours_per_month / 24.0;
    assert!((costs[i] - (3.0 + writes * 9.0 / 1e6)).abs() < 1e-9, "{costs:?}");
    // The built-in components cost what they cost without it.
    let (before, _) = crate::billing::stage_run_rate(&sc, st, &super::names(st), &v, 0.0, &catalog);
    assert_eq!(costs[..i], before[..]);
}
