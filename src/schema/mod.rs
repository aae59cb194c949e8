//! `capsim schema [scenario|catalog|system]`: the JSON Schema (draft 2020-12) of scenario files,
//! of pricing catalogs and of system files (environments billed together), derived from the raw serde types they are read with
//! ([`crate::scenario::raw`], the catalog's raw types), so it cannot drift from the parser.
//!
//! Component kinds with a stage block of their own (`logs:`, `backups:`, `schedules:`)
//! contribute their block's schema ([`crate::components::ComponentKind::schema`]); it is put
//! under the stage's field.
//!
//! # What the scenario schema checks, and what it leaves to `capsim validate`
//!
//! A scenario file may be a base or a child of `extends:`, which capsim merges key by key, so
//! one file alone need not hold every required key (a base may lack `name:`, a child may set
//! only `seed:`). The scenario schema therefore checks shapes, names and types (an unknown
//! field, a string where a mapping belongs, a distribution with a field it does not take) and
//! requires no key; `capsim validate` checks the merged scenario, with file and line. The
//! catalog schema keeps its required keys: a catalog is one whole file. Values with units
//! (`150ms`, `2GiB`, `$25`) are strings or numbers in the schema; their units and ranges are
//! checked by capsim.

use crate::components::{Registry, KINDS};
use crate::scenario::raw::RawScenario;
use serde_json::{json, Value};

/// Which schema `capsim schema` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Which {
    /// Scenario files (`scenarios/*.yaml`), bases and children of `extends:` alike.
    Scenario,
    /// Pricing catalogs (`pricing/*.yaml`).
    Catalog,
    /// System files: several environments billed together (`environments:`).
    System,
}

/// The schema `which` names, as pretty JSON with a final newline.
pub fn text(which: Which) -> String {
    let v = match which {
        Which::Scenario => scenario(),
        Which::Catalog => catalog(),
        Which::System => system(),
    };
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

fn generator() -> schemars::SchemaGenerator {
    schemars::generate::SchemaSettings::draft2020_12().into_generator()
}

/// The scenario schema with the blocks of the built-in kinds.
pub fn scenario() -> Value {
    scenario_with(KINDS)
}

/// The scenario schema with the blocks of the kinds of `reg`.
pub fn scenario_with(reg: Registry) -> Value {
    let mut g = generator();
    // The kinds' fragments first: their definitions then land in the root's `$defs`.
    let blocks: Vec<(&str, Value)> = reg
        .iter()
        .filter_map(|k| Some((k.key?, (k.schema?)(&mut g).to_value())))
        .collect();
    let mut root = g.root_schema_for::<RawScenario>().to_value();
    if let Some(props) = root
        .pointer_mut("/$defs/RawStage/properties")
        .and_then(Value::as_object_mut)
    {
        for (key, frag) in blocks {
            props.insert(key.to_string(), frag);
        }
    }
    if let Some(props) = root.get_mut("properties").and_then(Value::as_object_mut) {
        props.insert(
            "extends".into(),
            json!({"type": "string", "description": "A base scenario file, relative to this one: this file's keys are merged over it."}),
        );
    }
    drop_required(&mut root);
    allow_ranges(&mut root);
    if let Some(defs) = root.get_mut("$defs").and_then(Value::as_object_mut) {
        defs.insert("Range".into(), range_schema());
    }
    if let Some(o) = root.as_object_mut() {
        o.insert("title".into(), json!("capsim scenario"));
        o.insert(
            "description".into(),
            json!("A capsim scenario file (or a base or child of `extends:`). Required keys and value ranges are checked by `capsim validate`."),
        );
    }
    root
}

/// The schema of one pricing catalog file.
pub fn catalog() -> Value {
    let mut root = crate::pricing::catalog_schema(&mut generator()).to_value();
    if let Some(o) = root.as_object_mut() {
        o.insert("title".into(), json!("capsim pricing catalog"));
    }
    root
}

/// The schema of a system file (README, "Environments").
pub fn system() -> Value {
    let mut root = generator().root_schema_for::<crate::envs::load::Raw>().to_value();
    if let Some(o) = root.as_object_mut() {
        o.insert("title".into(), json!("capsim system of environments"));
    }
    root
}

/// `{range: [lo, hi], dist, mode}`: a numeric input drawn per replication (README, "Ranges").
fn range_schema() -> Value {
    let end = json!({"type": ["string", "number"]});
    json!({
        "type": "object",
        "description": "A value drawn per replication between two ends (README, \"Ranges\").",
        "properties": {
            "range": {"type": "array", "items": end, "minItems": 2, "maxItems": 2},
            "dist": {"enum": ["uniform", "loguniform", "triangular"]},
            "mode": end,
        },
        "required": ["range"],
        "additionalProperties": false,
    })
}

/// Lets every numeric value (a number, or a value with units written as a string or a number)
/// be written as a range too: any leaf schema whose `type` admits a number becomes
/// `anyOf: [itself, Range]`. Which fields may not take a range is `capsim validate`'s to say.
fn allow_ranges(v: &mut Value) {
    let numeric = |t: &Value| match t {
        Value::String(s) => s == "number" || s == "integer",
        Value::Array(a) => a.iter().any(|x| x == "number" || x == "integer"),
        _ => false,
    };
    match v {
        Value::Object(o) if o.get("type").is_some_and(numeric) => {
            let inner = Value::Object(std::mem::take(o));
            o.insert("anyOf".into(), json!([inner, {"$ref": "#/$defs/Range"}]));
        }
        Value::Object(o) => o.values_mut().for_each(allow_ranges),
        Value::Array(a) => a.iter_mut().for_each(allow_ranges),
        _ => {}
    }
}

/// Removes every `required` list (see the module doc: one file of an `extends:` chain need not
/// hold every key).
fn drop_required(v: &mut Value) {
    match v {
        Value::Object(o) => {
            if o.get("required").is_some_and(Value::is_array) {
                o.remove("required");
            }
            o.values_mut().for_each(drop_required);
        }
        Value::Array(a) => a.iter_mut().for_each(drop_required),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
