//! The registry is consistent with the engine's stations and the trigger metrics, and a kind
//! registered next to the built-in ones is listed, billed and priced with no other change.

use super::*;
use std::collections::BTreeSet;
use std::path::Path;

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
fn a_metric_has_at_most_one_owner_and_upgrade_fields_are_shared_only_as_said() {
    for (name, m, _, _) in crate::scenario::Metric::ALL {
        let n = KINDS.iter().filter(|k| k.metrics.contains(m)).count();
        assert!(n <= 1, "`{name}` is owned by {n} kinds");
    }
    // An upgrade applies only the fields of the component it names, so a field two kinds have
    // means two things, each said: `workers` is the API's per instance and the queue's workers.
    let fields: Vec<_> = KINDS
        .iter()
        .flat_map(|k| k.upgrade_fields)
        .filter(|f| **f != "workers")
        .collect();
    assert_eq!(fields.len(), fields.iter().collect::<BTreeSet<_>>().len());
    let workers: Vec<_> = KINDS
        .iter()
        .filter(|k| k.upgrade_fields.contains(&"workers"))
        .map(|k| k.name)
        .collect();
    assert_eq!(workers, ["api", "queue"]);
    // A kind's own block has a parser and its own metrics are named `<component>.<name>`,
    // distinct from every other metric; no two kinds own a stage field.
    let reg = registry();
    let mut ids: Vec<String> = crate::scenario::Metric::ALL.iter().map(|m| m.0.to_string()).collect();
    for k in &reg {
        assert_eq!(k.key.is_some(), k.parse.is_some(), "{}", k.name);
        for d in k.own_metrics {
            assert!(
                d.id.strip_prefix(k.name).is_some_and(|r| r.starts_with('.')),
                "{}",
                d.id
            );
            ids.push(d.id.to_string());
        }
    }
    assert_eq!(ids.len(), ids.iter().collect::<BTreeSet<_>>().len());
    assert_eq!(crate::components::metric_names(&reg), ids);
    let keys: Vec<_> = reg.iter().filter_map(|k| k.key).collect();
    assert_eq!(keys.len(), keys.iter().collect::<BTreeSet<_>>().len());
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
    assert!(reserved_names().eq([
        "api",
        "database",
        "cache",
        "vector_store",
        "queue",
        "logs",
        "backups",
        "client_limit"
    ]));
}

// A kind added by a test: nightly backups of the database, kept `keep_days` days in Cloudflare
// R2 (Infrequent Access). It owns a stage block (`backup:`, billed like any component, with a
// field of its own) and a trigger metric, `backup.stored`. Nothing outside this file knows it:
// the tests below register it next to the built-in kinds (`registry()`, one line).

const BACKUP: ComponentKind = ComponentKind {
    name: "backup",
    label: "nightly backup",
    list: None,
    instances: |s| one_if(s.blocks.contains_key("backup"), "backup"),
    billing: |s, n| s.block::<Backup>(n).map(|b| &b.billing),
    billing_mut: |s, n| s.block_mut::<Backup>(n).map(|b| &mut b.billing),
    usage: backup_usage,
    capacity: &[],
    stations: &[],
    metrics: &[],
    upgrade_fields: &[],
    upgrade: no_upgrade_fields,
    scales_out: false,
    key: Some("backup"),
    parse: Some(parse_backup),
    schema: Some(|g| g.subschema_for::<RawBackup>()),
    own_metrics: &[MetricDef {
        id: "backup.stored",
        unit: crate::units::Unit::Bytes,
        about: "bytes of backups held: the database size times the days kept",
        range: (0.0, None),
        value: |st, p| {
            st.block::<Backup>("backup")
                .map_or(f64::NAN, |b| b.keep_days * p.database_bytes)
        },
    }],
};

/// The built-in kinds and the backup kind: the one registration line.
fn registry() -> Vec<&'static ComponentKind> {
    KINDS.iter().copied().chain([&BACKUP]).collect()
}

crate::scenario::raw::billed_component! {
    /// A stage's `backup:` block as written.
    pub struct RawBackup {
        /// Days a nightly copy is kept (1 to 3650).
        pub keep_days: Option<f64>,
    }
}

/// A stage's backups, validated.
#[derive(Debug, Clone)]
struct Backup {
    billing: Billing,
    keep_days: f64,
}

fn parse_backup(cx: &mut dyn BlockCx, at: &str, v: serde_yaml::Value) -> Option<Box<dyn KindConfig>> {
    let raw: RawBackup = read_block(cx, at, v)?;
    let billing = cx.billing(at, &raw.billing());
    let keep_days = raw.keep_days.unwrap_or(30.0);
    if !(1.0..=3650.0).contains(&keep_days) || keep_days.fract() != 0.0 {
        let reason = format!("expected a whole number of days from 1 to 3650, found {keep_days}");
        cx.err(&format!("{at}.keep_days"), reason);
        return None;
    }
    Some(Box::new(Backup { billing, keep_days }))
}

/// `keep_days` daily copies of the database stored, one write per night.
fn backup_usage(p: &Period, st: &Stage, n: &str, u: &mut Usage) -> Option<f64> {
    let b = st.block::<Backup>(n)?;
    let v = p.volumes;
    let copies = b.keep_days * v.db_bytes_end / GB;
    add(u, "storage_gb_months", copies * v.hours / p.scenario.hours_per_month);
    add(u, "class_a_ops", v.hours / 24.0);
    Some(1.0)
}

/// A one-stage scenario with a 100 GB database, `backup` (a stage block) and `trigger`.
fn backup_scenario(backup: &str, trigger: &str) -> String {
    format!(
        "name: backups\nstage: s\nhorizon: 2h\nresolution: 1h\nreplications: 1\n\
         simulation: {{mode: full}}\ntraffic: {{arrival_rate: 1/s}}\n\
         requests: {{r: {{share: 100%, cpu: {{dist: constant, value: 10ms}}}}}}\n\
         storage: {{database: {{initial: 100 GB}}}}\n\
         stages:\n  s:\n    api: {{vcpu: 1, workers: 2}}\n    backup: {backup}\n\
         triggers:\n  - {trigger}\n"
    )
}

fn load(text: &str) -> Result<crate::scenario::Scenario, crate::error::InputErrors> {
    let catalog = crate::pricing::Catalog::builtin().expect("built-in catalogs");
    crate::scenario::load_str_in(&registry(), Path::new("backups.yaml"), text, &catalog)
}

const R2: &str = "{provider: cloudflare_r2, plan: infrequent_access";
const FLAG: &str = "{name: too much, metric: backup.stored, above: 500 GB, action: flag}";

#[test]
fn a_kind_with_its_own_block_is_parsed_validated_and_its_metric_parsed_in_its_unit() {
    let sc = load(&backup_scenario(&format!("{R2}, keep_days: 7}}"), FLAG)).unwrap_or_else(|e| panic!("{e}"));
    let st = &sc.stages["s"];
    let b = st.block::<Backup>("backup").expect("the block, as its kind built it");
    assert_eq!(b.keep_days, 7.0);
    assert_eq!(b.billing.plan.as_deref(), Some("infrequent_access"));
    assert_eq!(names_in(&registry(), st), ["api", "backup"]);
    let t = &sc.triggers[0];
    assert_eq!(t.metric.name(), "backup.stored");
    assert_eq!(t.threshold, 500e9, "`500 GB` is read in the metric's unit, bytes");
    let levels = crate::scenario::PeriodLevels {
        database_bytes: 100e9,
        ..Default::default()
    };
    let crate::scenario::Metric::Kind(d) = t.metric else {
        panic!("a kind's metric")
    };
    assert_eq!((d.value)(st, &levels), 700e9);
    // Without the kind registered, neither the block nor the metric exists.
    let catalog = crate::pricing::Catalog::builtin().unwrap();
    let text = backup_scenario(&format!("{R2}}}"), FLAG);
    let e = crate::scenario::load_str(Path::new("b.yaml"), &text, &catalog).unwrap_err();
    assert!(e.to_string().contains("unknown field `backup`"), "{e}");
}

#[test]
fn bad_values_of_the_block_and_the_metric_are_located_errors() {
    let cases = [
        (
            format!("{R2}, keep_days: 0}}"),
            FLAG.to_string(),
            "stages.s.backup.keep_days",
            "1 to 3650",
        ),
        (
            format!("{R2}, keep_days: 2.5}}"),
            FLAG.to_string(),
            "stages.s.backup.keep_days",
            "whole number",
        ),
        (
            format!("{R2}, keep: 7}}"),
            FLAG.to_string(),
            "stages.s.backup.keep",
            "unknown field `keep`",
        ),
        (
            "{provider: cloudflare_r2, plan: gold}".into(),
            FLAG.to_string(),
            "stages.s.backup.plan",
            "gold",
        ),
        (
            format!("{R2}}}"),
            FLAG.replace("500 GB", "5 s"),
            "triggers[0].above",
            "",
        ),
        (
            format!("{R2}}}"),
            FLAG.replace("backup.stored", "backup.size"),
            "triggers[0].metric",
            "unknown metric `backup.size`",
        ),
    ];
    for (backup, trigger, field, says) in cases {
        let text = backup_scenario(&backup, &trigger);
        let errs = load(&text).expect_err(&text).0;
        let e = errs
            .iter()
            .find(|e| e.field == field)
            .unwrap_or_else(|| panic!("{field}: {errs:?}"));
        assert!(e.reason.contains(says), "{field}: {}", e.reason);
        assert!(e.line.is_some(), "{field} is located: {e:?}");
    }
    // The unknown metric's error lists the kind's metric among the valid ones; a misspelt stage
    // field lists the kind's field among the allowed ones.
    let text = backup_scenario(&format!("{R2}}}"), &FLAG.replace("backup.stored", "backup.size"));
    let errs = load(&text).unwrap_err().0;
    assert!(
        errs[0].allowed.iter().any(|a| a == "backup.stored"),
        "{:?}",
        errs[0].allowed
    );
    assert!(
        errs[0].allowed.iter().any(|a| a == "database.size"),
        "{:?}",
        errs[0].allowed
    );
    let text = backup_scenario(&format!("{R2}}}"), FLAG).replace("    api:", "    snapshots: {}\n    api:");
    let errs = load(&text).unwrap_err().0;
    assert!(errs[0].reason.contains("unknown field `snapshots`"), "{errs:?}");
    assert!(errs[0].allowed.iter().any(|a| a == "backup"), "{:?}", errs[0].allowed);
}

#[test]
fn a_trigger_on_the_kinds_metric_fires_in_a_run_as_its_block_says() {
    // 100 GB of database: kept 7 days, 700 GB of backups (above 500 GB); kept 3 days, 300 GB.
    let fired = |days: u32| {
        let sc = load(&backup_scenario(&format!("{R2}, keep_days: {days}}}"), FLAG)).unwrap_or_else(|e| panic!("{e}"));
        let catalog = crate::pricing::Catalog::builtin().unwrap();
        let r = crate::run::run(&sc, &catalog, &crate::run::RunConfig::of(&sc)).expect("runs");
        let t = &r.triggers[0];
        (t.fired_in, t.value_at_fire.mean)
    };
    let (n, at) = fired(7);
    assert_eq!(n, 1);
    assert!((at - 700e9).abs() < 1.0, "{at}");
    assert_eq!(fired(3).0, 0);
}

#[test]
fn a_kind_registered_next_to_the_built_in_ones_is_listed_billed_and_priced() {
    let sc = load(&backup_scenario(&format!("{R2}, keep_days: 30}}"), FLAG)).unwrap_or_else(|e| panic!("{e}"));
    let catalog = crate::pricing::Catalog::builtin().unwrap();
    let reg = registry();
    let st = &sc.stages["s"];
    let names = names_in(&reg, st);
    assert_eq!(names.last().map(String::as_str), Some("backup"));
    assert_eq!(names[..names.len() - 1], super::names(st)[..]);

    // A month with a 10 GB database: 300 GB-months of backups at $0.01, a write a night at $9/M.
    let v = Volumes {
        replicas: [None; 2],
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
