//! Other billed services (monitoring, a CDN, a managed load balancer): a plan and a count of
//! zones or instances, not simulated. A stage has any number, each named by its key under
//! `services:`.

use super::{add, ComponentKind, Period};
use crate::pricing::Usage;
use crate::scenario::model::{Billing, Stage};

pub const KIND: ComponentKind = ComponentKind {
    name: "service",
    label: "service",
    list: Some("services"),
    instances: |s| s.services.iter().map(|e| e.name.clone()).collect(),
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
    s.services.iter().find(|e| e.name == name).map(|e| &e.billing)
}

fn billing_mut<'a>(s: &'a mut Stage, name: &str) -> Option<&'a mut Billing> {
    s.services.iter_mut().find(|e| e.name == name).map(|e| &mut e.billing)
}

fn usage(_: &Period, st: &Stage, name: &str, u: &mut Usage) -> Option<f64> {
    let s = st.services.iter().find(|e| e.name == name)?;
    add(u, "zones", s.count);
    Some(s.count)
}
