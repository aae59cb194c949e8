//! Every configuration a run can be in, resolved against the catalog before anything runs.
//!
//! Each stage as written must fit its plans and capsim's bounds ([`Infra::resolve`]), not only
//! the starting one. Scaling actions then make new configurations: an upgrade sets a plan,
//! a size, vCPU or connections; `add_instances` adds instances up to its `max`; `switch_stage`
//! starts over from another stage. Any trigger may fire in any order (whether it does depends
//! on the traffic), so the configurations a run can reach are those of every sequence of
//! actions from the starting stage. They are explored breadth first, each checked with the
//! same resolution as a stage, and a configuration that does not fit is an error at the field
//! of the action that made it, naming the stage and the actions before it. `add_instances`
//! goes straight to its `max`: every instance limit only gets harder with more instances.

use super::ctx::Ctx;
use super::model::{Action, Stage, Trigger, Upgrade};
use crate::infra::{apply_upgrade, Infra, Problem};
use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};

/// Configurations explored at most; beyond, the run checks the rest as it reaches them.
pub const MAX_CONFIGURATIONS: usize = 4096;

/// Whether `cx` has an error at `prefix` or inside it.
fn has_error(cx: &Ctx, prefix: &str) -> bool {
    let inside = format!("{prefix}.");
    cx.errors
        .iter()
        .any(|e| e.field == prefix || e.field.starts_with(&inside) || e.field.starts_with(&format!("{prefix}[")))
}

/// Resolves every stage; returns the names of those with no error at all. A problem inside a
/// component that already has an error (an unknown plan has no capacities) is not repeated.
pub(super) fn stages(cx: &mut Ctx, stages: &BTreeMap<String, Stage>) -> BTreeSet<String> {
    let mut ok = BTreeSet::new();
    for (name, st) in stages {
        let prefix = format!("stages.{name}");
        match Infra::resolve(st, cx.catalog) {
            Ok(_) => {}
            Err(problems) => {
                for p in problems {
                    let component = p.field.rsplit_once('.').map_or(p.field.as_str(), |(c, _)| c);
                    if !has_error(cx, &format!("{prefix}.{component}")) {
                        cx.err(&format!("{prefix}.{}", p.field), p.reason);
                    }
                }
            }
        }
        for (field, reason) in crate::infra::caps::advice(st, cx.catalog) {
            cx.warn(&format!("{prefix}.{field}"), reason);
        }
        if !has_error(cx, &prefix) {
            ok.insert(name.clone());
        }
    }
    ok
}

/// The stage `action` makes of `st`, or `None` when it changes nothing there (a flag, an
/// upgrade of a component the stage does not have, instances already at `max`, a switch to a
/// stage that is itself in error).
fn apply(st: &Stage, action: &Action, stages: &BTreeMap<String, Stage>, ok: &BTreeSet<String>) -> Option<Stage> {
    match action {
        Action::Flag => None,
        Action::Upgrade(u) => {
            crate::infra::billing_of(st, &u.component)?;
            let mut next = st.clone();
            apply_upgrade(&mut next, u);
            Some(next)
        }
        Action::AddInstances { component, max, .. } => {
            let mut next = st.clone();
            crate::infra::add_instances(&mut next, component, u32::MAX, *max).map(|_| next)
        }
        Action::SwitchStage(name) => ok.contains(name).then(|| stages[name].clone()),
    }
}

/// The field of action `i` a problem in the configuration it made belongs to: the upgrade's
/// field of the same name, else the first it sets of plan, size and the like; `add_instances`
/// is its `max`.
fn action_field(i: usize, action: &Action, p: &Problem) -> String {
    let base = format!("triggers[{i}].action");
    let u: &Upgrade = match action {
        Action::Upgrade(u) => u,
        Action::AddInstances { .. } => return format!("{base}.add_instances.max"),
        _ => return base,
    };
    let last = p.field.rsplit('.').next().unwrap_or("");
    let set = [
        ("size", u.size.is_some()),
        ("plan", u.plan.is_some()),
        ("provider", u.provider.is_some()),
        ("pooler", u.pooler.is_some()),
        ("vcpu", u.vcpu.is_some()),
        ("ram", u.ram_bytes.is_some()),
        ("workers", u.workers.is_some()),
        ("connections", u.connections.is_some()),
        ("servers", u.servers.is_some()),
    ];
    let field = set
        .iter()
        .find(|(f, given)| *given && *f == last)
        .or_else(|| set.iter().find(|(_, given)| *given))
        .map(|(f, _)| format!(".{f}"))
        .unwrap_or_default();
    format!("{base}.upgrade{field}")
}

/// Explores every configuration the actions can reach from the starting stage (see the module
/// doc). `triggers` pairs each checked trigger with its index in the file; triggers whose
/// action has an error of its own are left out, and nothing is explored when the starting
/// stage has errors.
pub(super) fn actions(
    cx: &mut Ctx,
    stages: &BTreeMap<String, Stage>,
    ok: &BTreeSet<String>,
    start: &str,
    triggers: &[(usize, Trigger)],
) {
    let Some(first) = stages.get(start).filter(|_| ok.contains(start)) else {
        return;
    };
    let acts: Vec<(usize, &Trigger)> = triggers
        .iter()
        .filter(|(i, _)| !has_error(cx, &format!("triggers[{i}].action")))
        .map(|(i, t)| (*i, t))
        .collect();
    let mut seen: HashSet<String> = HashSet::from([format!("{first:?}")]);
    let mut queue: VecDeque<(Stage, Vec<usize>)> = VecDeque::from([(first.clone(), Vec::new())]);
    let mut reported: HashSet<(String, String, String)> = HashSet::new();
    while let Some((st, path)) = queue.pop_front() {
        for &(i, t) in &acts {
            let Some(next) = apply(&st, &t.action, stages, ok) else {
                continue;
            };
            let key = format!("{next:?}");
            if seen.contains(&key) {
                continue;
            }
            match Infra::resolve(&next, cx.catalog) {
                Ok(_) => {
                    if seen.len() >= MAX_CONFIGURATIONS {
                        cx.warn(
                            "triggers",
                            format!(
                                "the scaling actions reach more than {MAX_CONFIGURATIONS} configurations; capsim checked {MAX_CONFIGURATIONS} of them against the catalog, and any other that does not fit is said in the report's Notes when a run reaches it"
                            ),
                        );
                        return;
                    }
                    seen.insert(key);
                    let mut p = path.clone();
                    p.push(i);
                    queue.push_back((next, p));
                }
                Err(problems) => {
                    for p in problems {
                        let field = action_field(i, &t.action, &p);
                        if reported.insert((field.clone(), st.name.clone(), p.field.clone())) {
                            let at = context(&st.name, &path, triggers);
                            cx.err(
                                &field,
                                format!("{at}, this action makes `{}` invalid: {}", p.field, p.reason),
                            );
                        }
                    }
                }
            }
        }
    }
}

/// "in stage `beta`", and the actions that made the configuration: "after `Big DB` (triggers[0])".
fn context(stage: &str, path: &[usize], triggers: &[(usize, Trigger)]) -> String {
    let mut text = format!("in stage `{stage}`");
    if !path.is_empty() {
        let names: Vec<String> = path
            .iter()
            .filter_map(|k| triggers.iter().find(|(i, _)| i == k))
            .map(|(i, t)| format!("`{}` (triggers[{i}])", t.name))
            .collect();
        text.push_str(&format!(" after {}", names.join(" then ")));
    }
    text
}
