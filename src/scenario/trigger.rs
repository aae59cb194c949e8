//! Triggers: metric, threshold, action. Besides what is wrong (an error), validation says what
//! can never happen (a warning): a threshold outside the values its metric can take (`above: 60`
//! on a share is 6,000 %), a metric with no data in the stages the run can reach (a vector
//! capacity the plan does not state), a `sustained` longer than the run.

use super::ctx::Ctx;
use super::model::*;
use super::raw::{RawAction, RawTrigger, RawUpgrade};
use crate::units::{fmt_bytes, fmt_count, fmt_money, fmt_number, fmt_percent, fmt_seconds};
use std::collections::BTreeMap;

/// What a trigger may refer to, from the rest of the scenario.
pub(super) struct Scope<'a> {
    pub resolution: f64,
    pub horizon: f64,
    /// Every component any stage has.
    pub components: &'a [String],
    pub stages: &'a BTreeMap<String, Stage>,
    pub start_stage: &'a str,
}

fn threshold(kind: Unit, text: &str) -> Result<f64, String> {
    kind.parse(text)
}

/// A value in its metric's units, as people write it.
fn fmt_value(kind: Unit, v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    match kind {
        Unit::Bytes => fmt_bytes(v),
        Unit::Count => fmt_count(v),
        Unit::Fraction => fmt_percent(v),
        Unit::Seconds => fmt_seconds(v),
        Unit::Dollars => fmt_money(v),
        Unit::PerSecond => format!("{}/s", fmt_number(v)),
    }
}

/// Checks trigger `i`; `None` when it is too broken to keep (the errors say why).
pub(super) fn trigger(cx: &mut Ctx, i: usize, t: &RawTrigger, scope: &Scope) -> Option<Trigger> {
    let p = format!("triggers[{i}]");
    let Some(metric) = crate::components::metric_named(cx.reg, &t.metric) else {
        let valid = crate::components::metric_names(cx.reg);
        cx.err_allowed(&format!("{p}.metric"), format!("unknown metric `{}`", t.metric), valid);
        return None;
    };
    let kind = metric.kind();
    let (above, raw_threshold, field) = match (&t.above, &t.below) {
        (Some(a), None) => (true, a, "above"),
        (None, Some(b)) => (false, b, "below"),
        _ => {
            cx.err(&p, "a trigger needs exactly one of `above` or `below`");
            return None;
        }
    };
    let text = match raw_threshold {
        serde_yaml::Value::String(s) => s.clone(),
        serde_yaml::Value::Number(n) => n.to_string(),
        _ => {
            cx.err(&format!("{p}.{field}"), "expected a threshold value");
            return None;
        }
    };
    let threshold = match threshold(kind, &text) {
        Ok(v) => v,
        Err(e) => {
            cx.err(
                &format!("{p}.{field}"),
                format!(
                    "{e} (metric `{}` is measured as {})",
                    t.metric,
                    format!("{kind:?}").to_lowercase()
                ),
            );
            return None;
        }
    };
    range_warning(cx, &format!("{p}.{field}"), metric, above, threshold, &text);
    let percentile = t.percentile.unwrap_or(95.0);
    if t.percentile.is_some() && !metric.takes_percentile() {
        cx.err(
            &format!("{p}.percentile"),
            format!("metric `{}` has no percentiles", t.metric),
        );
    }
    if !(percentile > 0.0 && percentile < 100.0) {
        cx.err(
            &format!("{p}.percentile"),
            format!("a percentile lies strictly between 0 and 100, found {percentile}"),
        );
    }
    if !t.components.is_empty() && metric != Metric::MonthlyCost {
        cx.err(
            &format!("{p}.components"),
            "only `cost.monthly` can be limited to some components",
        );
    }
    for (k, c) in t.components.iter().enumerate() {
        if !scope.components.contains(c) {
            cx.err_allowed(
                &format!("{p}.components[{k}]"),
                format!("no component named `{c}`"),
                scope.components.to_vec(),
            );
        }
    }
    let sustained = t.sustained.map(|s| s.0).unwrap_or(0.0);
    let sustained_periods = ((sustained / scope.resolution).ceil() as u32).max(1);
    let periods = (scope.horizon / scope.resolution).ceil().max(1.0);
    if sustained_periods as f64 > periods {
        cx.warn(
            &format!("{p}.sustained"),
            format!(
                "`sustained: {}` needs {sustained_periods} consecutive report periods, but the run has only {periods}: this trigger can never fire",
                fmt_seconds(sustained)
            ),
        );
    }
    let action = action(cx, &p, t.action.as_ref(), scope);
    Some(Trigger {
        name: t.name.clone(),
        metric,
        components: t.components.clone(),
        above,
        threshold,
        percentile,
        sustained_periods,
        sustained,
        action,
        cooldown: t.cooldown.map(|c| c.0).unwrap_or(0.0),
        plan_says: t.plan_says.clone(),
    })
}

/// Warns when `threshold` lies outside the values the metric can take (compared strictly):
/// `above` at or over its largest value, or `below` at or under its smallest, can never hold;
/// `above` under its smallest, or `below` over its largest, always holds.
fn range_warning(cx: &mut Ctx, field: &str, metric: Metric, above: bool, threshold: f64, text: &str) {
    let (min, max) = metric.range();
    let kind = metric.kind();
    let text = text.trim();
    let written = if kind == Unit::Fraction {
        format!("{text} ({})", fmt_percent(threshold))
    } else {
        text.to_string()
    };
    let name = metric.name();
    let over = |m: f64| if threshold > m { "is above" } else { "equals" };
    let under = |m: f64| if threshold < m { "is below" } else { "equals" };
    let mut reason = match (above, max) {
        (true, Some(max)) if threshold >= max => format!(
            "threshold {written} {} the largest possible value of `{name}`, {}: `above` can never fire",
            over(max),
            fmt_value(kind, max)
        ),
        (false, _) if threshold <= min => format!(
            "threshold {written} {} the smallest possible value of `{name}`, {}: `below` can never fire",
            under(min),
            fmt_value(kind, min)
        ),
        (true, _) if threshold < min => format!(
            "threshold {written} is below the smallest possible value of `{name}`, {}: `above` always holds, so the trigger fires at the first period with a value",
            fmt_value(kind, min)
        ),
        (false, Some(max)) if threshold > max => format!(
            "threshold {written} is above the largest possible value of `{name}`, {}: `below` always holds, so the trigger fires at the first period with a value",
            fmt_value(kind, max)
        ),
        _ => return,
    };
    // A share written as a bare number above 1 was almost certainly meant as a percentage.
    if kind == Unit::Fraction && !text.contains('%') && threshold > 1.0 && threshold <= 100.0 {
        reason.push_str(&format!("; did you mean `{text}%`?"));
    }
    cx.warn(field, reason);
}

fn action(cx: &mut Ctx, p: &str, raw: Option<&RawAction>, scope: &Scope) -> Action {
    let allowed_actions = ["flag", "upgrade", "add_instances", "switch_stage"];
    let map = match raw {
        None => return Action::Flag,
        Some(RawAction::Word(w)) if w == "flag" => return Action::Flag,
        Some(RawAction::Word(w)) => {
            cx.err_allowed(&format!("{p}.action"), format!("unknown action `{w}`"), allowed_actions);
            return Action::Flag;
        }
        Some(RawAction::Map(m)) => m,
    };
    let n = map.upgrade.is_some() as u8 + map.add_instances.is_some() as u8 + map.switch_stage.is_some() as u8;
    if n != 1 {
        cx.err_allowed(
            &format!("{p}.action"),
            "an action is `flag` or a map with exactly one of these keys",
            allowed_actions,
        );
        return Action::Flag;
    }
    if let Some(u) = &map.upgrade {
        return Action::Upgrade(upgrade(cx, p, u, scope));
    }
    if let Some(a) = &map.add_instances {
        let scalable = crate::components::KINDS.iter().filter(|k| k.scales_out);
        if !scalable.clone().any(|k| k.name == a.component) {
            cx.err_allowed(
                &format!("{p}.action.add_instances.component"),
                format!(
                    "only the API (instances) and the queue (workers) scale out, not `{}`",
                    a.component
                ),
                scalable.map(|k| k.name),
            );
        }
        let ap = format!("{p}.action.add_instances");
        if a.count == Some(0) {
            cx.err(
                &format!("{ap}.count"),
                "an action that adds 0 instances changes nothing; give a count ≥ 1",
            );
        }
        if a.max == 0 {
            cx.err(
                &format!("{ap}.max"),
                "a replica set has at least one replica, so `max` is at least 1",
            );
        }
        return Action::AddInstances {
            component: a.component.clone(),
            count: a.count.unwrap_or(1).max(1),
            max: a.max.max(1),
        };
    }
    let s = map.switch_stage.clone().unwrap_or_default();
    if !scope.stages.contains_key(&s) {
        cx.err_allowed(
            &format!("{p}.action.switch_stage"),
            format!("no stage named `{s}`"),
            scope.stages.keys().cloned(),
        );
    }
    Action::SwitchStage(s)
}

/// The fields of an upgrade that only one component has, and the values each may take (as in
/// a stage): an upgrade cannot set what its component does not have, nor a value a stage could
/// not have. What the new values do with the plan (limits, sizes) is checked on every stage the
/// action can act on (`reach.rs`).
fn upgrade_fields(cx: &mut Ctx, p: &str, u: &RawUpgrade) {
    let up = format!("{p}.action.upgrade");
    // Each kind says which upgrade fields are its own (`src/components/`).
    let given = |field: &str| match field {
        "vcpu" => u.vcpu.is_some(),
        "ram" => u.ram.is_some(),
        "workers" => u.workers.is_some(),
        "pooler" => u.pooler.is_some(),
        "connections" => u.connections.is_some(),
        "read_replicas" => u.read_replicas.is_some(),
        "servers" => u.servers.is_some(),
        other => unreachable!("upgrade field `{other}` of a component kind is not in RawUpgrade"),
    };
    let component_fields: Vec<(&str, &str, bool)> = crate::components::KINDS
        .iter()
        .flat_map(|k| k.upgrade_fields.iter().map(|f| (*f, k.name, given(f))))
        .collect();
    for &(field, owner, given) in &component_fields {
        // A field several kinds have (`workers`: the API's per instance, the queue's) belongs
        // to whichever the upgrade names.
        let owns = |c: &str| component_fields.iter().any(|(f, o, _)| *f == field && *o == c);
        if given
            && !owns(&u.component)
            && component_fields.iter().find(|(f, _, _)| *f == field).map(|x| x.1) == Some(owner)
        {
            let owners: Vec<&str> = component_fields
                .iter()
                .filter(|(f, _, _)| *f == field)
                .map(|x| x.1)
                .collect();
            cx.err(
                &format!("{up}.{field}"),
                format!(
                    "`{field}` is a field of `{}`, not of `{}`: the upgrade would change nothing",
                    owners.join("` and `"),
                    u.component
                ),
            );
        }
    }
    let changes = u.provider.is_some() || u.plan.is_some() || u.size.is_some();
    if !changes && !component_fields.iter().any(|(_, _, given)| *given) {
        cx.err_allowed(
            &up,
            "an upgrade that names only its component changes nothing; give at least one of",
            ["provider", "plan", "size"]
                .into_iter()
                .chain(component_fields.iter().map(|(f, _, _)| *f)),
        );
    }
    if let Some(v) = u.vcpu.filter(|v| !v.is_finite() || *v <= 0.0) {
        cx.err(&format!("{up}.vcpu"), format!("expected vCPU > 0, found {v}"));
    }
    if u.ram.is_some_and(|r| r.0 <= 0.0) {
        cx.err(&format!("{up}.ram"), "an instance needs more than 0 B of RAM");
    }
    for (field, v, what) in [
        ("workers", u.workers, "worker per instance"),
        ("connections", u.connections, "connection"),
        ("servers", u.servers, "server"),
    ] {
        if v == Some(0) {
            cx.err(
                &format!("{up}.{field}"),
                format!("at least one {what} is needed, as in a stage"),
            );
        }
    }
    // The limits a stage's workers obey (`super::limits`), for an action too.
    if let Some(w) = u.workers {
        cx.at_most(&format!("{up}.workers"), w.into(), super::limits::WORKERS);
    }
}

fn upgrade(cx: &mut Ctx, p: &str, u: &RawUpgrade, scope: &Scope) -> Upgrade {
    upgrade_fields(cx, p, u);
    if u.read_replicas.is_some_and(|n| n > 0) {
        cx.err(
            &format!("{p}.action.upgrade.read_replicas"),
            super::ctx::READ_REPLICAS_UNSUPPORTED,
        );
    }
    if !scope.components.contains(&u.component) {
        cx.err_allowed(
            &format!("{p}.action.upgrade.component"),
            format!("no component named `{}`", u.component),
            scope.components.to_vec(),
        );
    }
    // The upgraded plan must exist in the catalog for the component's provider.
    if let Some(plan) = &u.plan {
        // The component's provider in the starting stage, else in any stage.
        let provider = u.provider.clone().or_else(|| {
            std::iter::once(scope.start_stage)
                .filter_map(|n| scope.stages.get(n))
                .chain(scope.stages.values())
                .find_map(|s| crate::infra::billing_of(s, &u.component).and_then(|b| b.provider.clone()))
        });
        match provider {
            Some(pr) => match cx.catalog.plan(&pr, plan) {
                Err((reason, allowed)) => cx.err_allowed(&format!("{p}.action.upgrade.plan"), reason, allowed),
                Ok(pl) => {
                    if let Some(sz) = &u.size {
                        if !pl.sizes.contains_key(sz) {
                            let allowed: Vec<String> = pl.sizes.keys().cloned().collect();
                            cx.err_allowed(
                                &format!("{p}.action.upgrade.size"),
                                format!("unknown size `{sz}` for `{pr}/{plan}`"),
                                allowed,
                            );
                        }
                    }
                    // Annual billing stays on through an upgrade: the new plan needs an annual price.
                    let annual_in = scope
                        .stages
                        .values()
                        .find(|s| crate::infra::billing_of(s, &u.component).is_some_and(|b| b.annual_billing));
                    if let (Some(st), None) = (annual_in, pl.annual_fee) {
                        cx.err(
                            &format!("{p}.action.upgrade.plan"),
                            format!(
                                "stage `{}` bills `{}` annually (`annual_billing: true`), but `{pr}/{plan}` has no annual price in the catalog",
                                st.name, u.component
                            ),
                        );
                    }
                }
            },
            None => cx.err(
                &format!("{p}.action.upgrade.provider"),
                "the component has no provider; name one",
            ),
        }
    }
    Upgrade {
        component: u.component.clone(),
        provider: u.provider.clone(),
        plan: u.plan.clone(),
        size: u.size.clone(),
        vcpu: u.vcpu,
        ram_bytes: u.ram.map(|r| r.0),
        workers: u.workers,
        pooler: u.pooler,
        connections: u.connections,
        read_replicas: u.read_replicas,
        servers: u.servers,
    }
}

/// What the rest of the scenario says about whether a metric can have data.
pub(super) struct DataSources<'a> {
    pub traffic: &'a Traffic,
    pub requests: &'a [RequestType],
    pub storage: &'a Storage,
}

/// Stages a run can be in: the starting one and every `switch_stage` target.
pub(super) fn reachable_stages<'a>(start: &'a str, triggers: &'a [Trigger]) -> Vec<&'a str> {
    let mut v = vec![start];
    for t in triggers {
        if let Action::SwitchStage(s) = &t.action {
            if !v.contains(&s.as_str()) {
                v.push(s);
            }
        }
    }
    v
}

/// Warns about triggers whose metric has no data in some or all of the stages the run can reach.
/// Errors found earlier may leave stages or targets missing; such triggers are skipped.
pub(super) fn data_warnings(cx: &mut Ctx, triggers: &[(usize, Trigger)], scope: &Scope, data: &DataSources) {
    let all: Vec<Trigger> = triggers.iter().map(|(_, t)| t.clone()).collect();
    let reachable = reachable_stages(scope.start_stage, &all);
    if reachable.iter().any(|s| !scope.stages.contains_key(*s)) {
        return;
    }
    let upgrades: Vec<&Upgrade> = all
        .iter()
        .filter_map(|t| match &t.action {
            Action::Upgrade(u) => Some(u),
            _ => None,
        })
        .collect();
    for (i, t) in triggers {
        let field = format!("triggers[{i}].metric");
        let name = t.metric.name();
        if let Some(why) = no_data_anywhere(t.metric, data) {
            cx.warn(
                &field,
                format!("`{name}` has no data: {why}, so this trigger can never fire"),
            );
            continue;
        }
        let missing: Vec<String> = reachable
            .iter()
            .filter_map(|s| {
                no_data_in_stage(cx.reg, cx.catalog, t, &scope.stages[*s], &upgrades).map(|why| format!("{s}: {why}"))
            })
            .collect();
        if missing.len() == reachable.len() {
            cx.warn(
                &field,
                format!(
                    "`{name}` has no data in any stage the run can reach ({}), so this trigger can never fire",
                    missing.join("; ")
                ),
            );
        } else if !missing.is_empty() {
            cx.warn(
                &field,
                format!(
                    "`{name}` has no data in stage {}, so this trigger is not evaluated while the run is there",
                    missing.join("; ")
                ),
            );
        }
    }
}

/// Why `metric` has no value in any stage, from the traffic, requests and storage alone.
fn no_data_anywhere(metric: Metric, data: &DataSources) -> Option<String> {
    let open = matches!(data.traffic, Traffic::Open { .. });
    let none = |f: &dyn Fn(&RequestType) -> f64| data.requests.iter().all(|r| r.share * f(r) <= 0.0);
    let empty = |s: &Store| s.initial_bytes <= 0.0 && s.records.is_empty();
    match metric {
        Metric::Users | Metric::ConcurrentSessions if open => {
            Some("open arrivals (`traffic.arrival_rate`) have no users or sessions".into())
        }
        Metric::DatabaseSize if empty(&data.storage.database) => {
            Some("nothing is stored in the database (`storage.database` is empty)".into())
        }
        Metric::ObjectStoreSize if empty(&data.storage.object_store) => {
            Some("nothing is stored in the object store (`storage.object_store` is empty)".into())
        }
        Metric::DatabaseWait if none(&|r| r.db_queries + r.cache_lookups) => {
            Some("no request type queries the database".into())
        }
        Metric::VectorLatency if none(&|r| r.vector_queries) => Some("no request type makes vector queries".into()),
        Metric::QueueBacklog | Metric::QueueWait if none(&|r| r.jobs) => {
            Some("no request type enqueues background jobs".into())
        }
        _ => None,
    }
}

/// Why trigger `t`'s metric has no value in stage `st` (with any plan an upgrade may give it).
fn no_data_in_stage(
    reg: &[&'static crate::components::ComponentKind],
    catalog: &crate::pricing::Catalog,
    t: &Trigger,
    st: &Stage,
    upgrades: &[&Upgrade],
) -> Option<String> {
    if let Some(k) = crate::components::owner_in(reg, t.metric) {
        // A kind present only as a block of its own (no billed instance) has data too.
        let block = k.key.is_some_and(|key| st.blocks.contains_key(key));
        if k.list.is_none() && (k.instances)(st).is_empty() && !block {
            return Some(format!("no {}", k.label));
        }
    }
    match t.metric {
        Metric::VectorCapacity => {
            // The stage's plan, and every plan an upgrade of the vector store would give it.
            let mut plans = Vec::new();
            let mut candidates = vec![st.clone()];
            for u in upgrades
                .iter()
                .filter(|u| u.component == crate::components::vector_store::KIND.name)
            {
                let mut s = st.clone();
                crate::infra::apply_upgrade(&mut s, u);
                candidates.push(s);
            }
            for s in &candidates {
                let Some(vs) = s.vector_store.as_ref() else { continue };
                let cap = crate::infra::capacity_of(&vs.billing, catalog);
                if cap.and_then(|c| c.max_vectors).is_some() {
                    return None;
                }
                let b = &vs.billing;
                let name = match (&b.provider, &b.plan) {
                    (Some(pr), Some(pl)) => format!("`{pr}/{pl}`"),
                    _ => "an unpriced component".into(),
                };
                if !plans.contains(&name) {
                    plans.push(name);
                }
            }
            Some(format!("{} states no vector capacity", plans.join(" or ")))
        }
        Metric::MonthlyCost if !t.components.is_empty() => {
            let present = crate::components::names_in(reg, st);
            if t.components.iter().any(|c| present.contains(c)) {
                None
            } else {
                Some(format!("none of {} is in it", t.components.join(", ")))
            }
        }
        _ => None,
    }
}
