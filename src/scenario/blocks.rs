//! The stage blocks of registered component kinds (`ComponentKind::key`): taken out of the
//! document before the rest is deserialised (a stage's own fields stay `deny_unknown_fields`),
//! then each handed to its kind's parser with validation's context.

use super::ctx::Ctx;
use super::model::Blocks;
use crate::components::{block_owner, BlockCx, ComponentKind};
use crate::error::InputError;
use crate::scenario::model::Billing;
use crate::scenario::raw::{RawBilling, RawScenario};
use crate::yamlfile::Sources;
use serde_yaml::Value;

/// Removes from every stage of `doc` the fields some kind of `reg` owns; returns them by stage.
pub fn take(doc: &mut Value, reg: &[&'static ComponentKind]) -> Vec<(String, Vec<(String, Value)>)> {
    let mut out = Vec::new();
    let Some(Value::Mapping(stages)) = doc.get_mut("stages") else {
        return out;
    };
    for (name, stage) in stages.iter_mut() {
        let (Some(name), Value::Mapping(fields)) = (name.as_str(), stage) else {
            continue;
        };
        let owned: Vec<String> = fields
            .keys()
            .filter_map(Value::as_str)
            .filter(|k| block_owner(reg, k).is_some())
            .map(String::from)
            .collect();
        let blocks: Vec<(String, Value)> = owned
            .into_iter()
            .filter_map(|k| fields.remove(k.as_str()).map(|v| (k, v)))
            .collect();
        if !blocks.is_empty() {
            out.push((name.to_string(), blocks));
        }
    }
    out
}

/// Gives the blocks [`take`] removed back to their stages.
pub fn give_back(raw: &mut RawScenario, taken: Vec<(String, Vec<(String, Value)>)>) {
    for (name, blocks) in taken {
        if let Some(st) = raw.stages.get_mut(&name) {
            st.blocks = blocks;
        }
    }
}

/// An unknown field of a stage also lists the fields the kinds of `reg` own as allowed.
pub fn widen_allowed(mut e: InputError, reg: &[&'static ComponentKind]) -> InputError {
    let in_stage = e
        .field
        .strip_prefix("stages.")
        .is_some_and(|r| r.split('.').count() <= 2);
    if in_stage && e.reason.starts_with("unknown field") && e.allowed.iter().any(|a| a == "api") {
        e.allowed.extend(reg.iter().filter_map(|k| k.key).map(String::from));
    }
    e
}

/// The kinds' blocks of stage path `p`, each validated by its kind.
pub fn parse(cx: &mut Ctx, p: &str, blocks: &[(String, Value)]) -> Blocks {
    let mut out = Blocks::new();
    for (key, v) in blocks {
        let Some(kind) = block_owner(cx.reg, key) else { continue };
        let at = format!("{p}.{key}");
        let Some(parse) = kind.parse else {
            Ctx::err(cx, &at, format!("the {} kind reads no block of its own", kind.label));
            continue;
        };
        if let Some(b) = parse(cx, &at, v.clone()) {
            out.insert(key.clone(), b);
        }
    }
    out
}

impl BlockCx for Ctx<'_> {
    fn err(&mut self, field: &str, reason: String) {
        Ctx::err(self, field, reason);
    }
    fn report(&mut self, e: InputError) {
        self.errors.push(e);
    }
    fn plan(&self, provider: &str, plan: &str) -> Option<&crate::pricing::Plan> {
        self.catalog.plan(provider, plan).ok()
    }
    fn sources(&self) -> &Sources {
        self.sources
    }
    fn billing(&mut self, path: &str, raw: &RawBilling) -> Billing {
        super::billing::billing(self, path, raw)
    }
}
