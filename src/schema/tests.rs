//! Every shipped scenario and catalog is valid under the schemas; broken ones are not; the
//! schema files in `schema/` are current.

use super::*;
use std::path::{Path, PathBuf};

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml") {
            out.push(p);
        }
    }
}

fn files(dir: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    yaml_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir), &mut out);
    out.sort();
    out
}

fn as_json(yaml: &str) -> Value {
    let v: serde_yaml::Value = serde_yaml::from_str(yaml).unwrap();
    serde_json::to_value(v).unwrap()
}

/// The validator's messages for `doc` under `schema` (empty: valid).
fn problems(schema: &Value, doc: &Value) -> Vec<String> {
    let v = jsonschema::validator_for(schema).unwrap();
    v.iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn every_shipped_scenario_is_valid() {
    let schema = scenario();
    let all = files("scenarios");
    assert!(all.len() >= 20, "{} scenario files", all.len());
    let with_extends = all
        .iter()
        .filter(|p| std::fs::read_to_string(p).unwrap().contains("\nextends:"))
        .count();
    assert!(with_extends > 5, "the files with `extends:` are covered too");
    let system = super::system();
    for p in all {
        let text = std::fs::read_to_string(&p).unwrap();
        let doc = as_json(&text);
        // A system file (environments billed together) has a schema of its own.
        let schema = if doc.get("environments").is_some() {
            &system
        } else {
            &schema
        };
        let bad = problems(schema, &doc);
        assert!(bad.is_empty(), "{}: {bad:#?}", p.display());
    }
}

#[test]
fn every_shipped_catalog_is_valid() {
    let schema = catalog();
    let all = files("pricing");
    assert!(all.len() >= 20, "{} catalogs", all.len());
    for p in all.iter().filter(|p| !p.components().any(|c| c.as_os_str() == "facts")) {
        let doc = as_json(&std::fs::read_to_string(p).unwrap());
        let bad = problems(&schema, &doc);
        assert!(bad.is_empty(), "{}: {bad:#?}", p.display());
    }
}

const GOOD: &str = "
name: t
stage: s
horizon: 30d
traffic: {arrival_rate: 5/s}
requests: {get: {share: 100%, cpu: {dist: exponential, mean: 20ms}}}
stages:
  s:
    api: {provider: railway, plan: hobby, instances: 1, workers: 4}
    logs: {provider: openobserve_cloud, plan: professional, per_request: 2KB}
";

#[test]
fn a_good_file_passes_and_each_broken_one_fails_at_its_field() {
    let schema = scenario();
    assert_eq!(problems(&schema, &as_json(GOOD)), Vec::<String>::new());
    let broken = [
        ("name: t", "name: t\nnot_a_field: 1", ""),
        ("horizon: 30d", "horizon: [30d]", "/horizon"),
        ("instances: 1", "instances: many", "/stages/s/api/instances"),
        ("workers: 4", "workers: 4, colour: red", "/stages/s/api"),
        ("per_request: 2KB", "per_request: 2KB, shelf: 1", "/stages/s/logs"),
        ("mean: 20ms", "mean: 20ms, median: 3ms", "/requests/get/cpu"),
        ("dist: exponential", "dist: poisson", "/requests/get/cpu"),
        ("stages:\n  s:", "stages:\n  s: 3\n  x:", "/stages/s"),
    ];
    for (from, to, at) in broken {
        assert!(GOOD.contains(from), "{from}");
        let bad = problems(&schema, &as_json(&GOOD.replacen(from, to, 1)));
        assert!(!bad.is_empty(), "{to} passed the schema");
        assert!(bad.iter().any(|m| m.starts_with(&format!("{at}:"))), "{to}: {bad:#?}");
    }
}

#[test]
fn a_broken_catalog_fails() {
    let schema = catalog();
    let good =
        "provider: x\nname: X\nsource: [a]\nas_of: 2026-01-01\nconfidence: official\nplans:\n  p: {name: P, fee: $5}\n";
    assert_eq!(problems(&schema, &as_json(good)), Vec::<String>::new());
    for (from, to) in [
        ("fee: $5", "fee: $5, price: 3"),
        ("confidence: official", "confidence: sure"),
        ("name: X\n", ""),
        ("fee: $5", "fee: [5]"),
    ] {
        let bad = problems(&schema, &as_json(&good.replacen(from, to, 1)));
        assert!(!bad.is_empty(), "{to} passed");
    }
}

#[test]
fn every_kind_with_a_block_gives_its_schema_under_the_stage() {
    let s = scenario();
    let props = s.pointer("/$defs/RawStage/properties").unwrap();
    for k in KINDS.iter().filter(|k| k.key.is_some()) {
        assert!(k.schema.is_some(), "{} has a block but no schema", k.name);
        assert!(props.get(k.key.unwrap()).is_some(), "{} missing", k.name);
    }
}

#[test]
fn the_shipped_schema_files_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
    for (file, which) in [
        ("scenario.schema.json", Which::Scenario),
        ("catalog.schema.json", Which::Catalog),
        ("system.schema.json", Which::System),
    ] {
        let shipped = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
        assert!(
            shipped == text(which),
            "schema/{file} is out of date: run `capsim schema {} > schema/{file}`",
            match which {
                Which::Scenario => "scenario",
                Which::Catalog => "catalog",
                Which::System => "system",
            }
        );
    }
}
