//! The cache: lookups that hit skip the database; billed for its RAM and commands.

use super::{add, ComponentKind, Period, GB};
use crate::pricing::Usage;
use crate::scenario::model::{Billing, MetricDef, Stage};
use crate::units::Unit;

pub const KIND: ComponentKind = ComponentKind {
    name: "cache",
    label: "cache",
    list: None,
    instances: |s| super::one_if(s.cache.is_some(), "cache"),
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
    own_metrics: &[MetricDef {
        id: "cache.hit_rate",
        unit: Unit::Fraction,
        about: "share of the period's busy-window cache lookups that hit (a `ttl:` cache's follows the lookup rate)",
        range: (0.0, Some(1.0)),
        value: |st, p| {
            if st.cache.is_some() {
                p.cache_hit_rate
            } else {
                f64::NAN
            }
        },
    }],
};

fn billing<'a>(s: &'a Stage, name: &str) -> Option<&'a Billing> {
    s.cache.as_ref().filter(|_| name == KIND.name).map(|c| &c.billing)
}

fn billing_mut<'a>(s: &'a mut Stage, name: &str) -> Option<&'a mut Billing> {
    s.cache.as_mut().filter(|_| name == KIND.name).map(|c| &mut c.billing)
}

fn usage(p: &Period, st: &Stage, _: &str, u: &mut Usage) -> Option<f64> {
    let c = st.cache.as_ref()?;
    let v = p.volumes;
    add(u, "ram_gb_hours", c.ram_bytes / GB * v.hours);
    add(u, "commands", p.cache_lookups);
    add(
        u,
        "storage_gb_months",
        c.ram_bytes / GB * v.hours / p.scenario.hours_per_month,
    );
    Some(1.0)
}
