//! Component kinds: one place says what each kind of stage component is.
//!
//! A [`ComponentKind`] is a table of data and function pointers: its name (as triggers,
//! actions, budgets and bills name it), how it is found in a stage and billed for a period,
//! which capacity figures of its plan it uses, which engine stations it puts in the engine,
//! which trigger metrics need it, and which upgrade fields and actions apply to it. [`KINDS`]
//! lists every kind, in the order components are listed, billed and reported.
//!
//! # Adding a kind
//!
//! 1. Write `src/components/my_kind.rs` with `pub const KIND: ComponentKind = ComponentKind { … }`
//!    and its functions: `instances` (the names it has in a stage), `billing` / `billing_mut`
//!    (its billing block by name), `usage` (what it uses in one period, by billing metric, and
//!    the count its fee multiplies by), `upgrade` (what an `upgrade` action's own fields do).
//! 2. A kind with a YAML block of its own in a stage sets `key` (the stage field, `backup:`)
//!    and `parse`: its raw mirror (declared with `scenario::raw::billed_component!` for the
//!    billing fields, `deny_unknown_fields`) is read with [`read_block`], which locates serde's
//!    errors; its own checks report through [`BlockCx`] with their field path; what it returns
//!    is kept in [`Stage::blocks`] and read back with [`Stage::block`]. It sets `schema` to its
//!    raw mirror's JSON Schema (derived: `schemars::JsonSchema`), which `capsim schema` puts
//!    under the stage's `key`.
//! 3. Its trigger metrics are [`MetricDef`]s in `own_metrics`, named `<component>.<name>`,
//!    with the unit thresholds are parsed in and the function that computes them from the
//!    stage and the period's levels ([`crate::scenario::model::PeriodLevels`]).
//! 4. Add `mod my_kind;` here and `&my_kind::KIND` to [`KINDS`].
//!
//! Everything that goes through the registry then knows it: [`names`] (and so trigger and
//! budget checks, the per-component bill and its ledger), [`billing_of`], [`billings`] (plan
//! and size checks), [`usage`] (the bill), [`apply_upgrade_fields`], the reserved names of
//! `external:` entries, which `upgrade` fields belong to it, whether `add_instances` applies,
//! the stage fields a scenario may write and the metrics a trigger may name.
//! `tests.rs` registers a test-only kind (nightly backups, with a `backup:` block and a
//! `backup.stored` metric) next to the built-in ones and checks, with no other change, that a
//! scenario using it is parsed and validated (located errors for its bad values), that it is
//! listed, billed and priced, and that a trigger on its metric fires in a run.
//!
//! What is *not* open yet: the built-in kinds keep their configuration in typed fields of
//! [`Stage`] and their metrics in the closed part of [`Metric`] (the engine computes them);
//! the engine's stations are the engine's own table ([`crate::engine::KINDS`]; a kind here
//! refers to them).

mod api;
pub mod backups;
mod cache;
pub mod client_limit;
mod database;
mod external;
pub mod logs;
mod queue;
mod schedule;
mod service;
pub mod vector_store;

#[cfg(test)]
mod tests;

use crate::engine::station::StationId;
use crate::pricing::Usage;
use crate::scenario::model::{Billing, KindConfig, Metric, MetricDef, Scenario, Stage, Upgrade};

/// A period's expected volumes and stored sizes.
pub struct Volumes {
    pub hours: f64,
    pub requests: f64,
    pub sessions: f64,
    pub jobs: f64,
    pub users: f64,
    pub db_bytes_avg: f64,
    pub db_bytes_end: f64,
    /// Time-averaged replicas the autoscaled sets ran in the period (API instances, queue
    /// workers; `None`: the stage's fixed count), see `crate::autoscale::period_average`.
    pub replicas: [Option<f64>; 2],
}

/// What a kind's usage is computed from in one period.
pub struct Period<'a> {
    pub scenario: &'a Scenario,
    pub volumes: &'a Volumes,
    /// Cache lookups in the period (the engine counts them per request type).
    pub cache_lookups: f64,
}

impl Period<'_> {
    /// The mean over the request mix of `f` (weighted by each type's share).
    pub fn per_request(&self, f: &dyn Fn(&crate::scenario::model::RequestType) -> f64) -> f64 {
        self.scenario.per_request(f)
    }
}

/// Adds `x` to usage metric `k`.
pub fn add(u: &mut Usage, k: &str, x: f64) {
    *u.entry(k.to_string()).or_insert(0.0) += x;
}

pub const GB: f64 = 1e9;
pub const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// What a kind of component is.
#[derive(Clone, Copy)]
pub struct ComponentKind {
    /// The kind's name; for a kind with one component per stage, also the component's name
    /// (`api`, `vector_store`).
    pub name: &'static str,
    /// Name in prose (`vector store`, `job queue`).
    pub label: &'static str,
    /// `None`: at most one per stage, named [`Self::name`]. `Some(field)`: any number, each
    /// named by its key under the stage's `field` (`external`, `services`).
    pub list: Option<&'static str>,
    /// The names of its components in a stage (empty when the stage has none).
    pub instances: fn(&Stage) -> Vec<String>,
    /// The billing block of its component `name` in a stage.
    pub billing: for<'a> fn(&'a Stage, &str) -> Option<&'a Billing>,
    pub billing_mut: for<'a> fn(&'a mut Stage, &str) -> Option<&'a mut Billing>,
    /// What its component `name` uses in one period, by billing metric, added to `u`; returns
    /// the count of instances (or zones) its fee multiplies by, `None` when the stage lacks it.
    /// Seats and the scenario's usage rules are added for every kind by [`usage`].
    pub usage: fn(&Period, &Stage, &str, &mut Usage) -> Option<f64>,
    /// The figures of its plan's [`crate::pricing::Capacity`] it is simulated with
    /// (`infra.rs` resolves them).
    pub capacity: &'static [&'static str],
    /// The engine stations it contributes.
    pub stations: &'static [StationId],
    /// The trigger metrics that have no data in a stage without it.
    pub metrics: &'static [Metric],
    /// The fields of an `upgrade` action that only it has (besides provider, plan and size).
    pub upgrade_fields: &'static [&'static str],
    /// Applies an upgrade's own fields to its component in a stage; pushes what changed, in words.
    pub upgrade: fn(&mut Stage, &Upgrade, &mut Vec<String>),
    /// Whether `add_instances` scales it out.
    pub scales_out: bool,
    /// The stage field its configuration is written under (`backup:`), when it has a block of
    /// its own; the block is handed to [`Self::parse`] and kept in [`Stage::blocks`].
    pub key: Option<&'static str>,
    /// Validates its block (found at field path `at`): every problem reported through `cx`
    /// with its field, `None` when the block is unusable.
    pub parse: Option<ParseFn>,
    /// The JSON Schema of its block (`capsim schema`), set with [`Self::key`]: usually its raw
    /// mirror's derived one, `Some(|g| g.subschema_for::<RawMyKind>())`.
    pub schema: Option<SchemaFn>,
    /// The trigger metrics it defines, named `<component>.<name>`.
    pub own_metrics: &'static [MetricDef],
}

/// A kind's block parser (see [`ComponentKind::parse`]).
pub type ParseFn = fn(&mut dyn BlockCx, &str, serde_yaml::Value) -> Option<Box<dyn KindConfig>>;

/// A kind's block schema (see [`ComponentKind::schema`]).
pub type SchemaFn = fn(&mut schemars::SchemaGenerator) -> schemars::Schema;

/// What a kind's block parser reports its problems to and validates shared fields with
/// (validation implements it, each error located at its field's line).
pub trait BlockCx {
    /// An error at field path `field` (`stages.beta.backup.keep_days`).
    fn err(&mut self, field: &str, reason: String);
    /// An error already located (from deserialising the block).
    fn report(&mut self, e: crate::error::InputError);
    /// The plan `provider/plan` of the catalogs, when there is one.
    fn plan(&self, provider: &str, plan: &str) -> Option<&crate::pricing::Plan>;
    /// The scenario's files, to deserialise a block with located errors.
    fn sources(&self) -> &crate::yamlfile::Sources;
    /// The billing block of the component at `path`, checked against the pricing catalogs.
    fn billing(&mut self, path: &str, raw: &crate::scenario::raw::RawBilling) -> Billing;
}

/// Deserialises a kind's block found at `at` into its raw mirror `T` (serde,
/// `deny_unknown_fields`), reporting serde's error located at its field.
pub fn read_block<T: serde::de::DeserializeOwned>(cx: &mut dyn BlockCx, at: &str, v: serde_yaml::Value) -> Option<T> {
    match cx.sources().deserialize_at(at, v) {
        Ok(t) => Some(t),
        Err(e) => {
            cx.report(e);
            None
        }
    }
}

impl std::fmt::Debug for ComponentKind {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_struct("ComponentKind")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl ComponentKind {
    /// Field path of its component `name` inside a stage (`database`, `external.openai`).
    pub fn path(&self, name: &str) -> String {
        match self.list {
            None => name.to_string(),
            Some(field) => format!("{field}.{name}"),
        }
    }
}

/// A set of kinds, in the order components are listed.
pub type Registry<'r> = &'r [&'r ComponentKind];

/// Every component kind. A new kind is its own file plus one line here.
pub static KINDS: Registry<'static> = &[
    &api::KIND,
    &database::KIND,
    &cache::KIND,
    &vector_store::KIND,
    &queue::KIND,
    &external::KIND,
    &service::KIND,
    &schedule::KIND,
    &logs::KIND,
    &backups::KIND,
    &client_limit::KIND,
];

pub use schedule::check as check_schedules;

/// The kind named `name` (`api`, `external`).
pub fn kind(name: &str) -> Option<&'static ComponentKind> {
    KINDS.iter().copied().find(|k| k.name == name)
}

/// The kind a stage's component `name` is of, among `reg`.
pub fn kind_in<'r>(reg: Registry<'r>, stage: &Stage, name: &str) -> Option<&'r ComponentKind> {
    reg.iter().copied().find(|k| (k.billing)(stage, name).is_some())
}

/// The kind a trigger metric needs (`database.wait` → database), if any, among `reg`.
pub fn owner_in<'r>(reg: Registry<'r>, metric: Metric) -> Option<&'r ComponentKind> {
    reg.iter().copied().find(|k| match metric {
        Metric::Kind(d) => k.own_metrics.iter().any(|m| m == d),
        m => k.metrics.contains(&m),
    })
}

/// [`owner_in`] the registry.
pub fn owner_of(metric: Metric) -> Option<&'static ComponentKind> {
    owner_in(KINDS, metric)
}

/// The kind owning stage field `key` (a block of its own), among `reg`.
pub fn block_owner<'r>(reg: Registry<'r>, key: &str) -> Option<&'r ComponentKind> {
    reg.iter().copied().find(|k| k.key == Some(key))
}

/// The metric triggers name `name`: a built-in one or one a kind of `reg` defines.
pub fn metric_named(reg: &[&'static ComponentKind], name: &str) -> Option<Metric> {
    Metric::ALL.iter().find(|m| m.0 == name).map(|m| m.1).or_else(|| {
        reg.iter()
            .flat_map(|k| k.own_metrics)
            .find(|d| d.id == name)
            .map(Metric::Kind)
    })
}

/// The names of every metric triggers may name with `reg` (the error for an unknown one lists them).
pub fn metric_names(reg: Registry) -> Vec<String> {
    let own = reg.iter().flat_map(|k| k.own_metrics).map(|d| d.id);
    Metric::ALL.iter().map(|m| m.0).chain(own).map(String::from).collect()
}

/// Names reserved by the kinds with one component per stage (an `external:` entry cannot take them).
pub fn reserved_names() -> impl Iterator<Item = &'static str> {
    reserved_names_in(KINDS)
}

/// [`reserved_names`] among the kinds of `reg`.
pub fn reserved_names_in<'r>(reg: &'r [&'static ComponentKind]) -> impl Iterator<Item = &'static str> + 'r {
    reg.iter().filter(|k| k.list.is_none()).map(|k| k.name)
}

/// Ids of a stage's components of the kinds in `reg`, as triggers, actions and budgets name them.
pub fn names_in(reg: Registry, s: &Stage) -> Vec<String> {
    reg.iter().flat_map(|k| (k.instances)(s)).collect()
}

/// Ids of a stage's components, as triggers, actions and budgets name them.
pub fn names(s: &Stage) -> Vec<String> {
    names_in(KINDS, s)
}

/// The billing block of a named component of a stage.
pub fn billing_of<'a>(s: &'a Stage, component: &str) -> Option<&'a Billing> {
    KINDS.iter().find_map(|k| (k.billing)(s, component))
}

pub fn billing_of_mut<'a>(s: &'a mut Stage, component: &str) -> Option<&'a mut Billing> {
    let k = kind_in(KINDS, s, component)?;
    (k.billing_mut)(s, component)
}

/// The billing block of every component of a stage, with its field path inside the stage.
pub fn billings(s: &Stage) -> Vec<(String, &Billing)> {
    KINDS
        .iter()
        .flat_map(|k| {
            (k.instances)(s)
                .into_iter()
                .filter_map(move |n| (k.billing)(s, &n).map(|b| (k.path(&n), b)))
        })
        .collect()
}

/// Applies the kind-specific fields of an upgrade (vCPU, connections, servers…) to a stage.
pub fn apply_upgrade_fields(stage: &mut Stage, up: &Upgrade, changes: &mut Vec<String>) {
    if let Some(k) = KINDS.iter().find(|k| k.list.is_none() && k.name == up.component) {
        (k.upgrade)(stage, up, changes);
    }
}

/// An upgrade with no fields of its own changes nothing beyond its billing block.
pub fn no_upgrade_fields(_: &mut Stage, _: &Upgrade, _: &mut Vec<String>) {}

/// The usage of component `comp` in a period, its billing settings and the count of instances
/// (or zones) its fee multiplies by, among the kinds of `reg`; `None` when the stage lacks it.
pub fn usage_in<'a>(reg: Registry, p: &Period, st: &'a Stage, comp: &str) -> Option<(Usage, &'a Billing, f64)> {
    let k = kind_in(reg, st, comp)?;
    let b = (k.billing)(st, comp)?;
    let mut u = Usage::new();
    let count = (k.usage)(p, st, comp, &mut u)?;
    add_billing_rules(&mut u, b, p);
    Some((u, b, count))
}

/// [`usage_in`] the registry.
pub fn usage<'a>(p: &Period, st: &'a Stage, comp: &str) -> Option<(Usage, &'a Billing, f64)> {
    usage_in(KINDS, p, st, comp)
}

/// Seats and the scenario's usage rules, which every kind's billing block may give.
fn add_billing_rules(u: &mut Usage, b: &Billing, p: &Period) {
    use crate::pricing::is_level_metric;
    let (v, hpm) = (p.volumes, p.scenario.hours_per_month);
    add(u, "seats", b.seats);
    for (metric, r) in &b.usage {
        if is_level_metric(metric) {
            // A level (MAU, stored GB, seats) is an amount held during the month, not a volume
            // accrued over the period: it does not shrink with the period's length.
            let level = r.per_month + r.per_user_month * v.users + r.per_database_gb * v.db_bytes_end / GB;
            u.insert(metric.clone(), level.max(*u.get(metric).unwrap_or(&0.0)));
        } else {
            let x = r.per_request * v.requests
                + r.per_session * v.sessions
                + r.per_user_month * v.users * v.hours / hpm
                + r.per_job * v.jobs
                + r.per_month * v.hours / hpm
                + r.per_database_gb * v.db_bytes_avg / GB * v.hours / hpm
                + r.bytes_per_request * v.requests / GB;
            add(u, metric, x);
        }
    }
}

/// `instances` of a kind with at most one component per stage: its name when `present`.
pub fn one_if(present: bool, name: &'static str) -> Vec<String> {
    if present {
        vec![name.to_string()]
    } else {
        Vec::new()
    }
}
