//! The scenario file exactly as written (serde, `deny_unknown_fields`). Nothing here is
//! trusted: `validate.rs` turns it into a [`crate::scenario::Scenario`] or located errors.

use crate::dist::RawDist;
use crate::units::{Bytes, Count, Fraction, Money, PerSecond, Seconds};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Where the plan being modelled comes from (a document, a section).
    #[serde(default)]
    pub source: Option<String>,
    /// Which entry of `stages` the simulation starts in.
    pub stage: String,
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default)]
    pub replications: Option<u32>,
    pub horizon: Seconds,
    #[serde(default)]
    pub resolution: Option<Seconds>,
    #[serde(default)]
    pub hours_per_month: Option<f64>,
    /// Directory of pricing catalogs, relative to this file.
    #[serde(default)]
    pub pricing: Option<String>,
    #[serde(default)]
    pub simulation: RawSimulation,
    pub traffic: RawTraffic,
    pub requests: BTreeMap<String, RawRequest>,
    pub stages: BTreeMap<String, RawStage>,
    #[serde(default)]
    pub storage: RawStorage,
    #[serde(default)]
    pub triggers: Vec<RawTrigger>,
    #[serde(default)]
    pub budget: Option<RawBudget>,
    #[serde(default)]
    pub slo: Option<RawSlo>,
    /// Faults injected into the run (`scenario::faults`).
    #[serde(default)]
    pub faults: Vec<super::faults::RawFault>,
    /// What the system does while a component is down, by component.
    #[serde(default)]
    pub health: BTreeMap<String, String>,
    /// What a background job does while a component it needs is down.
    #[serde(default)]
    pub job_retry: Option<super::faults::RawJobRetry>,
    /// The plan's own figures, shown next to capsim's.
    #[serde(default)]
    pub plan_says: Option<RawPlanSays>,
    /// Whether the system is commercial (default true): plans whose terms forbid commercial
    /// use are then warned about (`scenario::terms`).
    #[serde(default)]
    pub commercial: Option<bool>,
}

/// The fields of a scenario's top level (those of [`RawScenario`]; a test keeps them in step):
/// an `extends:` base must have at least one.
pub const TOP_LEVEL: &[&str] = &[
    "name",
    "description",
    "source",
    "stage",
    "seed",
    "replications",
    "horizon",
    "resolution",
    "hours_per_month",
    "pricing",
    "simulation",
    "traffic",
    "requests",
    "stages",
    "storage",
    "triggers",
    "budget",
    "slo",
    "faults",
    "health",
    "job_retry",
    "plan_says",
    "commercial",
];

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSimulation {
    /// `peak_window` (default): request-level simulation of each bucket's busiest window;
    /// `full`: every request of the horizon.
    #[serde(default)]
    pub mode: Option<String>,
    #[serde(default)]
    pub window: Option<Seconds>,
    #[serde(default)]
    pub warmup: Option<Seconds>,
    #[serde(default)]
    pub max_in_flight: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTraffic {
    #[serde(default)]
    pub users: Option<RawUsers>,
    #[serde(default)]
    pub sessions_per_user_per_week: Option<f64>,
    #[serde(default)]
    pub requests_per_session: Option<f64>,
    #[serde(default)]
    pub think_time: Option<RawDist>,
    #[serde(default)]
    pub daily_shape: Option<RawDailyShape>,
    #[serde(default)]
    pub weekly_shape: Option<Vec<f64>>,
    /// Open Poisson arrivals of single requests at a constant rate (textbook models).
    #[serde(default)]
    pub arrival_rate: Option<PerSecond>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawUsers {
    /// constant | step | linear | exponential | logistic | points
    #[serde(default)]
    pub growth: Option<String>,
    #[serde(default)]
    pub users: Option<Count>,
    #[serde(default)]
    pub from: Option<Count>,
    #[serde(default)]
    pub to: Option<Count>,
    #[serde(default)]
    pub over: Option<Seconds>,
    #[serde(default)]
    pub doubling: Option<Seconds>,
    #[serde(default)]
    pub midpoint: Option<Seconds>,
    #[serde(default)]
    pub spread: Option<Seconds>,
    #[serde(default)]
    pub points: Option<Vec<RawPoint>>,
    /// Peak concurrent sessions instead of registered users: the registered count is derived.
    #[serde(default)]
    pub concurrent: Option<Count>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPoint {
    pub at: Seconds,
    pub users: Count,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDailyShape {
    #[serde(default)]
    pub peak_factor: Option<f64>,
    /// `19-22` (hours of the day, end exclusive).
    #[serde(default)]
    pub peak_hours: Option<String>,
    #[serde(default)]
    pub hourly: Option<Vec<f64>>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRequest {
    pub share: Fraction,
    /// CPU time on the API (at 1 vCPU).
    pub cpu: RawDist,
    #[serde(default)]
    pub db_queries: Option<f64>,
    #[serde(default)]
    pub cache_lookups: Option<f64>,
    #[serde(default)]
    pub vector_queries: Option<f64>,
    /// External calls by name of `stages.*.external` entry → expected calls per request.
    #[serde(default)]
    pub calls: BTreeMap<String, f64>,
    /// Background jobs enqueued per request (expected count).
    #[serde(default)]
    pub jobs: Option<f64>,
    #[serde(default)]
    pub egress: Option<Bytes>,
    /// Whether the request writes to the database (fails when it is read-only).
    #[serde(default)]
    pub writes: Option<bool>,
    /// The request enqueues one batch of jobs (instead of `jobs`): see `scenario::jobwork`.
    #[serde(default)]
    pub batch: Option<RawBatch>,
}

/// A batch of jobs one request enqueues at once.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBatch {
    /// Jobs in one batch (count).
    pub jobs: u32,
}

/// Fields every billed component shares (repeated because serde's `flatten` cannot be
/// combined with `deny_unknown_fields`).
macro_rules! billed_component {
    ($(#[$m:meta])* pub struct $name:ident { $($(#[$fm:meta])* pub $f:ident : $t:ty,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, ::serde::Deserialize, ::schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            #[serde(default)]
            pub provider: Option<String>,
            #[serde(default)]
            pub plan: Option<String>,
            #[serde(default)]
            pub size: Option<String>,
            #[serde(default)]
            pub seats: Option<f64>,
            #[serde(default)]
            pub annual_billing: Option<bool>,
            /// Whole-bill factor, e.g. 2 for Multi-AZ.
            #[serde(default)]
            pub multiplier: Option<f64>,
            /// What the plan being modelled says this component costs a month.
            #[serde(default)]
            pub plan_says: Option<$crate::units::Money>,
            #[serde(default)]
            pub usage: ::std::collections::BTreeMap<String, $crate::scenario::raw::RawUsageRule>,
            #[serde(default)]
            pub label: Option<String>,
            /// Other plans or providers this component's usage is priced under, by name, in
            /// the report only (never in the total).
            #[serde(default)]
            pub alternatives: ::std::collections::BTreeMap<String, $crate::scenario::raw::RawAlternative>,
            $($(#[$fm])* #[serde(default)] pub $f: $t,)*
        }

        impl $name {
            /// The fields every billed component shares.
            pub fn billing(&self) -> $crate::scenario::raw::RawBilling<'_> {
                $crate::scenario::raw::RawBilling {
                    provider: self.provider.as_deref(),
                    plan: self.plan.as_deref(),
                    size: self.size.as_deref(),
                    seats: self.seats,
                    annual_billing: self.annual_billing,
                    multiplier: self.multiplier,
                    plan_says: self.plan_says,
                    usage: &self.usage,
                    label: self.label.as_deref(),
                    alternatives: &self.alternatives,
                }
            }
        }
    };
}
/// A component kind's own block (`components/`) is declared with it too.
#[allow(unused_imports)] // used by kinds with a block of their own (the test kind has one)
pub(crate) use billed_component;

/// The billing fields of any billed component, borrowed (see `billed_component!`).
#[derive(Debug, Clone, Copy)]
pub struct RawBilling<'a> {
    pub provider: Option<&'a str>,
    pub plan: Option<&'a str>,
    pub size: Option<&'a str>,
    pub seats: Option<f64>,
    pub annual_billing: Option<bool>,
    pub multiplier: Option<f64>,
    pub plan_says: Option<Money>,
    pub usage: &'a BTreeMap<String, RawUsageRule>,
    pub label: Option<&'a str>,
    pub alternatives: &'a BTreeMap<String, RawAlternative>,
}

/// Another plan a component's usage is priced under (`alternatives: {fixed: {…}}`).
#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAlternative {
    pub provider: Option<String>,
    pub plan: Option<String>,
    #[serde(default)]
    pub size: Option<String>,
}

billed_component! {
    pub struct RawApi {
        pub instances: Option<u32>,
        pub max_instances: Option<u32>,
        /// Replicas between `min` and `max` on a metric (`src/autoscale.rs`).
        pub autoscale: Option<RawAutoscale>,
        pub vcpu: Option<f64>,
        pub ram: Option<Bytes>,
        /// Requests one instance works on at once (worker processes × threads).
        pub workers: Option<u32>,
        /// Waiting room for requests when every worker is busy; beyond it requests are rejected.
        pub max_queue: Option<u32>,
        pub queue_timeout: Option<Seconds>,
        /// RAM one instance uses (what Railway-style usage billing charges). Default: `ram`,
        /// the instance's provisioned RAM; required when the plan bills RAM in use and `ram`
        /// is not given.
        pub ram_in_use: Option<Bytes>,
        /// Background CPU use of an idle instance, in vCPU.
        pub idle_cpu: Option<f64>,
        /// Keep the worker while waiting on the database and other calls (synchronous handlers).
        pub hold_worker: Option<bool>,
    }
}

billed_component! {
    pub struct RawDatabase {
        /// Connections the application's pool opens.
        pub connections: Option<u32>,
        /// Connect through PgBouncer/Supavisor: the plan's pooled limit applies.
        pub pooler: Option<bool>,
        pub query_time: Option<RawDist>,
        pub pool_timeout: Option<Seconds>,
        /// No waiting for a connection: a query that finds every connection busy fails (Erlang B).
        pub reject_when_busy: Option<bool>,
        /// Check a connection out for each query instead of once for all of a request's queries.
        pub connection_per_query: Option<bool>,
        pub read_replicas: Option<u32>,
    }
}

billed_component! {
    pub struct RawCache {
        pub hit_rate: Option<Fraction>,
        /// Entries live this long after the miss that loaded them: the hit rate is then derived
        /// from the lookup rate (`crate::cachehit`) instead of given.
        pub ttl: Option<Seconds>,
        /// Distinct keys looked up (with `ttl`).
        pub keys: Option<Count>,
        /// Zipf exponent of the keys' popularity (with `ttl`; absent: every key as likely).
        pub zipf: Option<f64>,
        /// The whole cache is emptied this often (a sync that invalidates it; with `ttl`).
        pub invalidate_every: Option<Seconds>,
        pub lookup_time: Option<RawDist>,
        pub ram: Option<Bytes>,
    }
}

billed_component! {
    pub struct RawVectorStore {
        pub servers: Option<u32>,
        pub query_time: Option<RawDist>,
        pub vectors: Option<Count>,
        pub dimensions: Option<u32>,
    }
}

billed_component! {
    pub struct RawQueue {
        pub workers: Option<u32>,
        pub concurrency: Option<u32>,
        pub rate_limit: Option<RawRateLimit>,
        pub job_time: Option<RawDist>,
        /// vCPU a running job uses (billed as `vcpu_hours`); required when the plan bills CPU used.
        pub vcpu: Option<f64>,
        /// RAM one worker uses (billed as `ram_gb_hours` × workers). A queue states no
        /// provisioned RAM to default to, so it is required when the plan bills RAM in use.
        pub ram_in_use: Option<Bytes>,
        /// Workers between `min` and `max` on a metric (`src/autoscale.rs`).
        pub autoscale: Option<RawAutoscale>,
        /// External calls one job makes, by `external:` entry of the stage (counts).
        pub calls: BTreeMap<String, u32>,
    }
}

billed_component! {
    pub struct RawExternal {
        pub latency: Option<RawDist>,
        pub rate_limit: Option<PerSecond>,
        /// Tokens per call (counts: `2000`, `2K`).
        pub input_tokens: Option<Count>,
        pub cached_input_tokens: Option<Count>,
        pub output_tokens: Option<Count>,
        /// Bring your own key: the users pay for the calls, which still count against the limit.
        pub byok: Option<bool>,
    }
}

billed_component! {
    pub struct RawService {
        /// Instances or zones (domains) the fee is multiplied by.
        pub count: Option<Count>,
    }
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAutoscale {
    pub min: u32,
    pub max: u32,
    pub metric: String,
    /// In the metric's unit: `70%` (cpu), `4` jobs per worker (backlog), `30s` (job_wait).
    #[schemars(with = "serde_json::Value")]
    pub target: serde_yaml::Value,
    pub interval: Option<Seconds>,
    pub cooldown: Option<Seconds>,
    pub delay: Option<Seconds>,
    pub step: Option<u32>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRateLimit {
    pub max: u32,
    pub per: Seconds,
}

/// Extra usage a component bills, in the metric's units. Numbers are counts (`0.001`, `143K`,
/// `1.5M`), never negative; a level metric (`mau`, `seats`…) takes only `per_month` or
/// `per_user_month` (checked in `validate.rs`).
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawUsageRule {
    #[serde(default)]
    pub per_request: Option<Count>,
    #[serde(default)]
    pub per_session: Option<Count>,
    #[serde(default)]
    pub per_user_month: Option<Count>,
    #[serde(default)]
    pub per_job: Option<Count>,
    #[serde(default)]
    pub per_month: Option<Count>,
    #[serde(default)]
    pub per_database_gb: Option<Count>,
    #[serde(default)]
    pub bytes_per_request: Option<Bytes>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawStage {
    #[serde(default)]
    pub description: Option<String>,
    /// The plan's monthly total for this stage.
    #[serde(default)]
    pub plan_says: Option<Money>,
    pub api: RawApi,
    #[serde(default)]
    pub database: Option<RawDatabase>,
    #[serde(default)]
    pub cache: Option<RawCache>,
    #[serde(default)]
    pub vector_store: Option<RawVectorStore>,
    #[serde(default)]
    pub queue: Option<RawQueue>,
    #[serde(default)]
    pub external: BTreeMap<String, RawExternal>,
    #[serde(default)]
    pub services: BTreeMap<String, RawService>,
    /// The blocks of registered component kinds with a stage field of their own, as written
    /// (taken out of the document before deserialising, see `blocks.rs`).
    #[serde(skip)]
    pub blocks: Vec<(String, serde_yaml::Value)>,
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawStorage {
    #[serde(default)]
    pub database: Option<RawStore>,
    #[serde(default)]
    pub object_store: Option<RawStore>,
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawStore {
    #[serde(default)]
    pub initial: Option<Bytes>,
    #[serde(default)]
    pub records: BTreeMap<String, RawRecord>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRecord {
    pub size: Bytes,
    /// Records written per request of the named types.
    #[serde(default)]
    pub per_request: BTreeMap<String, f64>,
    /// Records created once per new user.
    #[serde(default)]
    pub per_user: Option<f64>,
    /// Records each user accrues per day.
    #[serde(default)]
    pub per_user_per_day: Option<f64>,
    #[serde(default)]
    pub per_job: Option<f64>,
    #[serde(default)]
    pub retention: Option<Seconds>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTrigger {
    pub name: String,
    pub metric: String,
    /// For `cost.monthly`: only these components (default: the whole stage).
    #[serde(default)]
    pub components: Vec<String>,
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Value>")]
    pub above: Option<serde_yaml::Value>,
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Value>")]
    pub below: Option<serde_yaml::Value>,
    #[serde(default)]
    pub percentile: Option<f64>,
    #[serde(default)]
    pub sustained: Option<Seconds>,
    #[serde(default)]
    pub action: Option<RawAction>,
    #[serde(default)]
    pub cooldown: Option<Seconds>,
    /// What the plan says should happen, quoted in the report.
    #[serde(default)]
    pub plan_says: Option<String>,
}

/// `flag`, or a map with exactly one of `upgrade`, `add_instances`, `switch_stage`.
#[derive(Debug, Clone)]
pub enum RawAction {
    Word(String),
    Map(Box<RawActionMap>),
}

/// By hand rather than `#[serde(untagged)]`, whose only error is "did not match any variant":
/// a map's fields keep their own errors and paths.
impl<'de> Deserialize<'de> for RawAction {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawAction;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("`flag` or a mapping with one of `upgrade`, `add_instances`, `switch_stage`")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<RawAction, E> {
                Ok(RawAction::Word(s.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<RawAction, A::Error> {
                let m = RawActionMap::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(RawAction::Map(Box::new(m)))
            }
        }
        d.deserialize_any(V)
    }
}

/// `flag`, or the map (as the hand-written `Deserialize` above reads it).
impl schemars::JsonSchema for RawAction {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RawAction".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let map = g.subschema_for::<RawActionMap>();
        schemars::json_schema!({"anyOf": [{"type": "string"}, map]})
    }
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawActionMap {
    #[serde(default)]
    pub upgrade: Option<RawUpgrade>,
    #[serde(default)]
    pub add_instances: Option<RawAddInstances>,
    #[serde(default)]
    pub switch_stage: Option<String>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawUpgrade {
    pub component: String,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub plan: Option<String>,
    #[serde(default)]
    pub size: Option<String>,
    #[serde(default)]
    pub vcpu: Option<f64>,
    #[serde(default)]
    pub ram: Option<Bytes>,
    #[serde(default)]
    pub workers: Option<u32>,
    #[serde(default)]
    pub pooler: Option<bool>,
    #[serde(default)]
    pub connections: Option<u32>,
    #[serde(default)]
    pub read_replicas: Option<u32>,
    #[serde(default)]
    pub servers: Option<u32>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAddInstances {
    pub component: String,
    #[serde(default)]
    pub count: Option<u32>,
    pub max: u32,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBudget {
    #[serde(default)]
    pub monthly: Option<Money>,
    /// The percentile across replications a month's bill is checked at (10, 50, 90 or 100).
    #[serde(default)]
    pub percentile: Option<f64>,
    /// Check only this calendar month (1-based) instead of every month.
    #[serde(default)]
    pub month: Option<f64>,
    #[serde(default)]
    pub components: BTreeMap<String, Money>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSlo {
    #[serde(default)]
    pub latency_p95: Option<Seconds>,
    #[serde(default)]
    pub latency_p99: Option<Seconds>,
    #[serde(default)]
    pub error_rate: Option<Fraction>,
    /// Largest share of requests the per-client rate limit may reject (`client_limit:`).
    #[serde(default)]
    pub client_rejected: Option<Fraction>,
    /// Least share of the horizon the system is up (see `scenario::faults`).
    #[serde(default)]
    pub availability: Option<Fraction>,
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPlanSays {
    #[serde(default)]
    pub monthly_cost: Option<Money>,
    #[serde(default)]
    pub requests_per_day: Option<Count>,
    #[serde(default)]
    pub peak_requests_per_second: Option<f64>,
    #[serde(default)]
    pub database_size: Option<Bytes>,
    #[serde(default)]
    pub latency_p95: Option<Seconds>,
    #[serde(default)]
    pub concurrent_sessions: Option<Count>,
    #[serde(default)]
    pub users: Option<Count>,
    #[serde(default)]
    pub vector_store_size: Option<Bytes>,
    /// The scenario author's reading of the plan: where its own arithmetic disagrees.
    #[serde(default)]
    pub notes: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_lists_every_field_of_a_scenario() {
        let v: serde_yaml::Value = serde_yaml::from_str("{not_a_field: 1}").unwrap();
        let msg = serde_yaml::from_value::<RawScenario>(v).unwrap_err().to_string();
        let listed = msg.split_once("expected one of ").map(|x| x.1).unwrap_or("");
        let fields: Vec<&str> = listed
            .split(',')
            .map(|f| f.trim().trim_matches('`'))
            .map(|f| f.split('`').next().unwrap_or(f))
            .collect();
        assert_eq!(fields, TOP_LEVEL, "{msg}");
    }
}
