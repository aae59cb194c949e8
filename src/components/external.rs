//! External APIs (an LLM, a payment provider): calls with a latency and a rate limit, billed
//! per call and per token. A stage has any number, each named by its key under `external:`.
//! Calls come from requests (`requests.*.calls`) and from jobs (`queue.calls`, per job). An
//! entry with `byok: true` bills nothing for its calls (the users' own keys pay): its bill is
//! one $0 line with the calls and their list cost avoided (`pricing::byok`; the report's job
//! costs show it per job too), and they still count against its rate limit.

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
    schema: None,
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
    let from_requests =
        p.volumes.requests * p.per_request(&|r| r.calls.iter().filter(|c| c.0 == name).map(|c| c.1).sum());
    let per_job: f64 = st
        .queue
        .iter()
        .flat_map(|q| &q.calls)
        .filter(|c| c.0 == name)
        .map(|c| f64::from(c.1))
        .sum();
    // Counted for byok entries too: their bill says how many calls the users' keys paid.
    let calls = from_requests + p.volumes.jobs * per_job;
    add(u, "requests", calls);
    add(u, "input_tokens", calls * x.input_tokens);
    add(u, "cached_input_tokens", calls * x.cached_input_tokens);
    add(u, "output_tokens", calls * x.output_tokens);
    Some(1.0)
}
