//! External APIs (an LLM, a payment provider): calls with a latency and a rate limit, billed
//! per call and per token. A stage has any number, each named by its key under `external:`.

use super::{add, ComponentKind, Period};
use crate::pricing::Usage;
use crate::scenario::model::{Billing, Stage};

pub const KIND: ComponentKind = ComponentKind {
    name: "external",
    label: "external API",
    list: Some("external"),
    instances: |s| s.external.iter().map(|e| e.name.clone()).collect(),
    billing,
    billing_mut,
    usage,
    capacity: &[],
    stations: &[],
    metrics: &[],
    upgrade_fields: &[],
    upgrade: super::no_upgrade_fields,
    scales_out: false,
    key: None,
    parse: None,
    own_metrics: &[],
};

fn billing<'a>(s: &'a Stage, name: &str) -> Option<&'a Billing> {
    s.external.iter().find(|e| e.name == name).map(|e| &e.billing)
}

fn billing_mut<'a>(s: &'a mut Stage, name: &str) -> Option<&'a mut Billing> {
    s.external.iter_mut().find(|e| e.name == name).map(|e| &mut e.billing)
}

fn usage(p: &Period, st: &Stage, name: &str, u: &mut Usage) -> Option<f64> {
    let x = st.external.iter().find(|e| e.name == name)?;
    let calls = p.volumes.requests * p.per_request(&|r| r.calls.iter().filter(|c| c.0 == name).map(|c| c.1).sum());
    add(u, "requests", calls);
    add(u, "input_tokens", calls * x.input_tokens);
    add(u, "cached_input_tokens", calls * x.cached_input_tokens);
    add(u, "output_tokens", calls * x.output_tokens);
    Some(1.0)
}
