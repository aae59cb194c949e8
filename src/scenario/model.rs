//! The types of a checked scenario: what the engine, the component kinds and the reports read.
//! Nothing here validates (see `validate.rs`) or imports from above.

pub use super::arrivals::{Growth, Traffic};
use crate::dist::Dist;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A checked scenario, ready to simulate.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The scenario's name, as reports title it.
    pub name: String,
    /// What it models, in words.
    pub description: Option<String>,
    /// Where the plan being modelled comes from (a document, a section).
    pub source: Option<String>,
    /// The scenario file it was loaded from (as given).
    pub file: PathBuf,
    /// Seeds every replication's random numbers.
    pub seed: u64,
    /// Independent replications to run.
    pub replications: u32,
    /// Simulated time, seconds.
    pub horizon: f64,
    /// Length of a report period, seconds.
    pub resolution: f64,
    /// Hours in a billing month (a monthly price is for this many hours).
    pub hours_per_month: f64,
    /// How requests are simulated.
    pub sim: SimSettings,
    /// How requests arrive.
    pub traffic: Traffic,
    /// The request mix (shares add up to 1).
    pub requests: Vec<RequestType>,
    /// The stage the run starts in (a key of `stages`).
    pub start_stage: String,
    /// The roadmap's stages, by name.
    pub stages: BTreeMap<String, Stage>,
    /// What the database and the object store hold over time.
    pub storage: Storage,
    /// Scaling triggers, in the file's order.
    pub triggers: Vec<Trigger>,
    /// Monthly budgets, dollars per month.
    pub budget: Budget,
    /// Service-level objectives.
    pub slo: Slo,
    /// Faults, health rules and the job retry policy (empty: no fault).
    pub faults: super::faults::FaultPlan,
    /// The plan's own figures, shown next to capsim's.
    pub plan_says: PlanSays,
    /// Problems that do not stop a run but mean a trigger or SLO cannot be evaluated as written:
    /// a threshold outside its metric's possible values, a metric with no data in the stages the
    /// run can reach. `validate`, `run` and `check` print them; `--strict` makes them errors.
    pub warnings: Vec<crate::error::InputError>,
    /// Inputs written as ranges, drawn per replication (`None`: there are none; the values
    /// above are then the scenario's; with ranges, they are every range's high end).
    pub ranges: Option<std::sync::Arc<super::ranges::Drawn>>,
}

impl Scenario {
    /// The mean over the request mix of `f` (each request type weighted by its share), e.g.
    /// cache lookups per request.
    pub fn per_request(&self, f: impl Fn(&RequestType) -> f64) -> f64 {
        self.requests.iter().map(|r| r.share * f(r)).sum()
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SimMode {
    /// Request-level simulation of each bucket's busiest `window`, after `warmup`.
    PeakWindow { window: f64, warmup: f64 },
    /// Every request of the horizon; statistics start after `warmup`.
    Full { warmup: f64 },
}

#[derive(Debug, Clone, Copy)]
pub struct SimSettings {
    /// Which requests are simulated.
    pub mode: SimMode,
    /// Requests in the system at which a window is declared unstable and stopped.
    pub max_in_flight: u32,
}

#[derive(Debug, Clone)]
pub struct RequestType {
    /// Its name in the file (a key of `requests`).
    pub name: String,
    /// Share of requests of this type, 0..1.
    pub share: f64,
    /// CPU time on the API at 1 vCPU, seconds.
    pub cpu: Dist,
    /// Database queries per request (expected count).
    pub db_queries: f64,
    /// Cache lookups per request (expected count).
    pub cache_lookups: f64,
    /// Vector-store queries per request (expected count).
    pub vector_queries: f64,
    /// (external name, expected calls per request)
    pub calls: Vec<(String, f64)>,
    /// Background jobs enqueued per request (expected count).
    pub jobs: f64,
    /// Bytes sent to the client per request.
    pub egress_bytes: f64,
    /// Whether it writes to the database (fails when it is read-only).
    pub writes: bool,
    /// Jobs of the one batch each request enqueues (`batch: {jobs: N}`; then `jobs` is N too).
    pub batch: Option<u32>,
}

/// How a component is billed.
#[derive(Debug, Clone, Default)]
pub struct Billing {
    /// Pricing catalog (provider) it is billed from, when priced.
    pub provider: Option<String>,
    /// Plan of that catalog.
    pub plan: Option<String>,
    /// Size of the plan (instance size, tier), when the plan has sizes.
    pub size: Option<String>,
    /// Seats billed per month (count).
    pub seats: f64,
    /// Billed annually (the catalog's annual price per month).
    pub annual_billing: bool,
    /// Whole-bill factor, e.g. 2 for Multi-AZ (dimensionless).
    pub multiplier: f64,
    /// What the plan being modelled says it costs, dollars per month.
    pub plan_says: Option<f64>,
    /// Extra usage billed, by the catalog's usage metric.
    pub usage: BTreeMap<String, UsageRule>,
    /// Its name in bills and reports, when not its field path.
    pub label: Option<String>,
    /// Other plans its usage is priced under in the report, never added to the total.
    pub alternatives: Vec<Alternative>,
    /// The users' own keys pay its charges (an `external:` entry's `byok: true`).
    pub byok: bool,
}

/// Another plan or provider a component's usage is priced under (`alternatives:`), for
/// comparison only.
#[derive(Debug, Clone, PartialEq)]
pub struct Alternative {
    /// Its name under `alternatives:` (`fixed`).
    pub name: String,
    /// Pricing catalog (provider) it is priced from.
    pub provider: String,
    /// Plan of that catalog.
    pub plan: String,
    /// Size of the plan, when it has sizes (`None`: its default size).
    pub size: Option<String>,
}

/// Extra usage a component's bill counts: per request, per session, per user-month…
#[derive(Debug, Clone, Default)]
pub struct UsageRule {
    /// Units per request.
    pub per_request: f64,
    /// Units per session.
    pub per_session: f64,
    /// Units per registered user and month.
    pub per_user_month: f64,
    /// Units per background job.
    pub per_job: f64,
    /// Units per month.
    pub per_month: f64,
    /// Per GB stored in the stage's database (e.g. a read replica's disk follows the primary's).
    pub per_database_gb: f64,
    /// Bytes per request, billed in GB (10^9 bytes).
    pub bytes_per_request: f64,
}

#[derive(Debug, Clone)]
pub struct Api {
    /// How it is billed.
    pub billing: Billing,
    /// Instances running (count).
    pub instances: u32,
    /// Most instances `add_instances` may reach (count).
    pub max_instances: Option<u32>,
    /// Replicas between `min` and `max` on a metric (`instances` is then `min`).
    pub autoscale: Option<crate::autoscale::Autoscale>,
    /// vCPU of one instance.
    pub vcpu: f64,
    /// RAM of one instance, bytes.
    pub ram_bytes: f64,
    /// Request workers of one instance (count).
    pub workers: u32,
    /// Requests that may wait for a worker, across instances (`None`: unbounded).
    pub max_queue: Option<u32>,
    /// Longest wait for a worker before a request fails, seconds.
    pub queue_timeout: Option<f64>,
    /// RAM one instance uses, billed as `ram_gb_hours` (Railway): the file's `ram_in_use`, else
    /// the instance's provisioned RAM (`ram_bytes`), as a process that keeps its memory is billed.
    pub ram_in_use_bytes: f64,
    /// `ram_in_use` was not given: RAM in use is the instance's RAM and follows upgrades of `ram`.
    pub ram_in_use_is_ram: bool,
    /// Background CPU use of an idle instance, vCPU.
    pub idle_cpu: f64,
    /// Whether a request holds its worker while it waits on the database, cache and externals.
    pub hold_worker: bool,
}

#[derive(Debug, Clone)]
pub struct Database {
    /// How it is billed.
    pub billing: Billing,
    /// Connections in the pool (`None`: the plan's limit).
    pub connections: Option<u32>,
    /// Whether a connection pooler (transaction mode) is used.
    pub pooler: bool,
    /// Time one query holds a connection, seconds.
    pub query_time: Dist,
    /// Longest wait for a connection before a request fails, seconds.
    pub pool_timeout: Option<f64>,
    /// Fail at once when every connection is busy instead of waiting.
    pub reject_when_busy: bool,
    /// Each query checks out its own connection (default: one per request, for all its queries).
    pub connection_per_query: bool,
    /// Read replicas (refused above 0 until the engine routes reads).
    pub read_replicas: u32,
}

#[derive(Debug, Clone)]
pub struct Cache {
    /// How it is billed.
    pub billing: Billing,
    /// Share of lookups that hit, 0..1 (a miss queries the database), when given.
    pub hit_rate: f64,
    /// A TTL model that derives the hit rate from the lookup rate instead (`ttl:`).
    pub ttl: Option<crate::cachehit::TtlCache>,
    /// Time of one lookup, seconds.
    pub lookup_time: Dist,
    /// RAM of the cache, bytes.
    pub ram_bytes: f64,
}

#[derive(Debug, Clone)]
pub struct VectorStore {
    /// How it is billed.
    pub billing: Billing,
    /// Servers answering queries (count).
    pub servers: u32,
    /// Time of one query on a server, seconds.
    pub query_time: Dist,
    /// Vectors stored (count).
    pub vectors: f64,
    /// Dimensions of one vector.
    pub dimensions: u32,
}

#[derive(Debug, Clone)]
pub struct JobQueue {
    /// How it is billed.
    pub billing: Billing,
    /// Worker processes (count).
    pub workers: u32,
    /// Jobs one worker runs at once (count).
    pub concurrency: u32,
    /// BullMQ limiter: at most `max` job starts per fixed window of `per` seconds.
    pub rate_limit: Option<(u32, f64)>,
    /// Run time of one job, seconds.
    pub job_time: Dist,
    /// vCPU a running job uses (0 when not given; required when the plan bills CPU used).
    pub vcpu: f64,
    /// RAM one worker uses (0 when not given; required when the plan bills RAM in use).
    pub ram_in_use_bytes: f64,
    /// Workers between `min` and `max` on a metric (`workers` is then `min`).
    pub autoscale: Option<crate::autoscale::Autoscale>,
    /// External calls one job makes: (name of a stage `external:` entry, calls), in order.
    pub calls: Vec<(String, u32)>,
}

#[derive(Debug, Clone)]
pub struct External {
    /// Its name (a key of the stage's `external`).
    pub name: String,
    /// How it is billed.
    pub billing: Billing,
    /// Time of one call, seconds.
    pub latency: Dist,
    /// Calls per second it accepts (`None`: no limit).
    pub rate_limit: Option<f64>,
    /// Input tokens per call (expected count).
    pub input_tokens: f64,
    /// Cached input tokens per call (expected count).
    pub cached_input_tokens: f64,
    /// Output tokens per call (expected count).
    pub output_tokens: f64,
    /// Bring your own key: its calls cost the operator nothing (the users' keys pay) but
    /// still count against its rate limit.
    pub byok: bool,
}

#[derive(Debug, Clone)]
pub struct Service {
    /// Its name (a key of the stage's `services`).
    pub name: String,
    /// How it is billed.
    pub billing: Billing,
    /// Instances (or zones) its fee multiplies by.
    pub count: f64,
}

/// The infrastructure of one stage of the roadmap.
#[derive(Debug, Clone)]
pub struct Stage {
    /// Its name (a key of `stages`).
    pub name: String,
    /// What it is, in words.
    pub description: Option<String>,
    /// The plan's monthly total for this stage, dollars per month.
    pub plan_says: Option<f64>,
    /// The API (every stage has one).
    pub api: Api,
    /// The database, when the stage has one.
    pub database: Option<Database>,
    /// The cache, when the stage has one.
    pub cache: Option<Cache>,
    /// The vector store, when the stage has one.
    pub vector_store: Option<VectorStore>,
    /// The background job queue, when the stage has one.
    pub queue: Option<JobQueue>,
    /// External services called by requests, by name.
    pub external: Vec<External>,
    /// Other billed services (not simulated), by name.
    pub services: Vec<Service>,
    /// The blocks of registered component kinds that own a stage field of their own
    /// (`ComponentKind::key`), by that field's name, each as its kind validated it.
    pub blocks: Blocks,
}

impl Stage {
    /// The block of the kind owning field `key`, as that kind's configuration type `T`.
    pub fn block<T: 'static>(&self, key: &str) -> Option<&T> {
        // `**`: the box itself is `Clone` and so a `KindConfig` too; its content is wanted.
        (**self.blocks.get(key)?).as_any().downcast_ref()
    }

    pub fn block_mut<T: 'static>(&mut self, key: &str) -> Option<&mut T> {
        (**self.blocks.get_mut(key)?).as_any_mut().downcast_mut()
    }
}

/// The blocks of a stage owned by registered component kinds, by stage field.
pub type Blocks = BTreeMap<String, Box<dyn KindConfig>>;

/// A component kind's own configuration, as its kind's `parse` built it from its stage block.
/// Any `Clone + Debug + Send + Sync` type is one.
pub trait KindConfig: std::fmt::Debug + Send + Sync {
    fn as_any(&self) -> &dyn std::any::Any;
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any;
    fn clone_box(&self) -> Box<dyn KindConfig>;
}

impl<T: std::any::Any + Clone + std::fmt::Debug + Send + Sync> KindConfig for T {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
    fn clone_box(&self) -> Box<dyn KindConfig> {
        Box::new(self.clone())
    }
}

impl Clone for Box<dyn KindConfig> {
    fn clone(&self) -> Self {
        (**self).clone_box()
    }
}

#[derive(Debug, Clone, Default)]
pub struct Storage {
    /// What the database holds.
    pub database: Store,
    /// What the object store holds.
    pub object_store: Store,
}

#[derive(Debug, Clone, Default)]
pub struct Store {
    /// Size at the start, bytes.
    pub initial_bytes: f64,
    /// Kinds of records written over time.
    pub records: Vec<Record>,
}

#[derive(Debug, Clone)]
pub struct Record {
    /// Its name (a key of the store's `records`).
    pub name: String,
    /// Size of one record, bytes.
    pub size_bytes: f64,
    /// (request type index, records per request)
    pub per_request: Vec<(usize, f64)>,
    /// Records per registered user (once).
    pub per_user: f64,
    /// Records per registered user and day.
    pub per_user_per_day: f64,
    /// Records per background job.
    pub per_job: f64,
    /// How long a record is kept, seconds (`None`: forever).
    pub retention: Option<f64>,
}

/// A metric a trigger can watch. Each has a unit kind so thresholds are parsed in its units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    DatabaseSize,
    DatabaseConnections,
    DatabaseUtilization,
    DatabaseWait,
    ApiCpu,
    ApiUtilization,
    ApiInstances,
    ApiWait,
    Latency,
    VectorLatency,
    VectorCapacity,
    ErrorRate,
    QueueBacklog,
    QueueWait,
    MonthlyCost,
    Users,
    RequestsPerDay,
    ConcurrentSessions,
    ObjectStoreSize,
    /// A metric a registered component kind defines (`ComponentKind::own_metrics`).
    Kind(&'static MetricDef),
}

/// A trigger metric a component kind defines: named `<component>.<name>` in triggers, its
/// thresholds parsed in its unit, its value computed from the stage and the period's levels.
#[derive(Debug)]
pub struct MetricDef {
    /// The name triggers use, `<component>.<name>` (`backup.stored`).
    pub id: &'static str,
    /// The unit its values and thresholds are in.
    pub unit: Unit,
    /// What it measures, in words (listed with the valid metrics).
    pub about: &'static str,
    /// Smallest and largest values it can take (`None`: no upper bound), as [`Metric::range`].
    pub range: (f64, Option<f64>),
    /// Its value in a period, in `unit`, for the stage as it stands.
    pub value: fn(&Stage, &PeriodLevels) -> f64,
}

/// Levels of one period a kind's metric may be computed from.
#[derive(Debug, Clone, Copy, Default)]
pub struct PeriodLevels {
    /// Registered users at the period's end.
    pub users: f64,
    /// Requests per day in the period.
    pub requests_per_day: f64,
    /// Database size at the period's end, bytes.
    pub database_bytes: f64,
    /// Object store size at the period's end, bytes.
    pub object_store_bytes: f64,
    /// Longest scheduled-job run that started in the period, seconds (NaN: none started).
    pub longest_scheduled_run: f64,
    /// Longest drain of a batch at the busy window's start with the traffic, seconds (a batch
    /// not drained: what it is known to last at least; NaN: no batch).
    pub batch_drain_peak: f64,
    /// Share of the requests offered in the busy window that the per-client rate limit
    /// rejected, a fraction (NaN: not simulated, or nothing offered).
    pub client_rejected: f64,
    /// Share of the busy window's cache lookups that hit (NaN: not simulated, or none).
    pub cache_hit_rate: f64,
}

impl PartialEq for MetricDef {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}
impl Eq for MetricDef {}
impl std::hash::Hash for MetricDef {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.id.hash(h)
    }
}
impl PartialOrd for MetricDef {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for MetricDef {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.id.cmp(other.id)
    }
}

/// A metric's unit: the one unit type of series, metrics, checks and reports.
pub use crate::units::Unit;

impl Metric {
    /// (name in files, kind, meaning) for every metric; the error for an unknown metric lists them.
    pub const ALL: &'static [(&'static str, Metric, Unit, &'static str)] = &[
        (
            "database.size",
            Metric::DatabaseSize,
            Unit::Bytes,
            "database size at the end of the period",
        ),
        (
            "database.connections",
            Metric::DatabaseConnections,
            Unit::Count,
            "most connections in use at once in the busy window",
        ),
        (
            "database.utilization",
            Metric::DatabaseUtilization,
            Unit::Fraction,
            "share of the connection pool busy in the busy window",
        ),
        (
            "database.wait",
            Metric::DatabaseWait,
            Unit::Seconds,
            "wait for a connection (percentile, default p95)",
        ),
        (
            "api.cpu",
            Metric::ApiCpu,
            Unit::Fraction,
            "API CPU utilization in the busy window",
        ),
        (
            "api.utilization",
            Metric::ApiUtilization,
            Unit::Fraction,
            "share of API workers busy in the busy window",
        ),
        (
            "api.instances",
            Metric::ApiInstances,
            Unit::Count,
            "API instances running",
        ),
        (
            "api.wait",
            Metric::ApiWait,
            Unit::Seconds,
            "wait for an API worker (percentile, default p95)",
        ),
        (
            "latency",
            Metric::Latency,
            Unit::Seconds,
            "end-to-end response time (percentile, default p95)",
        ),
        (
            "vector_store.latency",
            Metric::VectorLatency,
            Unit::Seconds,
            "vector query time incl. waiting (percentile, default p95)",
        ),
        (
            "vector_store.capacity",
            Metric::VectorCapacity,
            Unit::Fraction,
            "stored vectors / the plan's vector capacity",
        ),
        (
            "errors.rate",
            Metric::ErrorRate,
            Unit::Fraction,
            "failed requests / requests in the busy window",
        ),
        (
            "queue.backlog",
            Metric::QueueBacklog,
            Unit::Count,
            "most background jobs waiting at once",
        ),
        (
            "queue.wait",
            Metric::QueueWait,
            Unit::Seconds,
            "job wait before start (percentile, default p95)",
        ),
        (
            "cost.monthly",
            Metric::MonthlyCost,
            Unit::Dollars,
            "monthly cost at the current stage's run-rate",
        ),
        ("users", Metric::Users, Unit::Count, "registered users"),
        (
            "requests.daily",
            Metric::RequestsPerDay,
            Unit::Count,
            "requests per day",
        ),
        (
            "sessions.concurrent",
            Metric::ConcurrentSessions,
            Unit::Count,
            "most sessions open at once in the busy window",
        ),
        (
            "object_store.size",
            Metric::ObjectStoreSize,
            Unit::Bytes,
            "object store size at the end of the period",
        ),
    ];

    pub fn name(self) -> &'static str {
        if let Metric::Kind(d) = self {
            return d.id;
        }
        Self::ALL.iter().find(|m| m.1 == self).map(|m| m.0).unwrap_or("?")
    }

    pub fn kind(self) -> Unit {
        if let Metric::Kind(d) = self {
            return d.unit;
        }
        Self::ALL
            .iter()
            .find(|m| m.1 == self)
            .map(|m| m.2)
            .unwrap_or(Unit::Count)
    }

    /// The smallest and largest values the metric can take (`None`: no upper bound). Shares
    /// (utilization, CPU, error rate, vector capacity — validation rejects more vectors than a
    /// plan holds) lie in 0..1; sizes, times, counts and money are never negative; a stage has
    /// at least one API instance. A threshold outside this range is crossed never or always.
    pub fn range(self) -> (f64, Option<f64>) {
        match self {
            Metric::ApiCpu
            | Metric::ApiUtilization
            | Metric::DatabaseUtilization
            | Metric::ErrorRate
            | Metric::VectorCapacity => (0.0, Some(1.0)),
            Metric::ApiInstances => (1.0, None),
            Metric::Kind(d) => d.range,
            _ => (0.0, None),
        }
    }

    pub fn takes_percentile(self) -> bool {
        matches!(
            self,
            Metric::DatabaseWait | Metric::ApiWait | Metric::Latency | Metric::VectorLatency | Metric::QueueWait
        )
    }
}

#[derive(Debug, Clone)]
pub enum Action {
    Flag,
    Upgrade(Upgrade),
    AddInstances { component: String, count: u32, max: u32 },
    SwitchStage(String),
}

#[derive(Debug, Clone, Default)]
pub struct Upgrade {
    /// The component it upgrades (as triggers name it).
    pub component: String,
    /// New pricing catalog (provider).
    pub provider: Option<String>,
    /// New plan.
    pub plan: Option<String>,
    /// New size of the plan.
    pub size: Option<String>,
    /// New vCPU of one API instance or running job.
    pub vcpu: Option<f64>,
    /// New RAM of one instance, bytes.
    pub ram_bytes: Option<f64>,
    /// New workers (count).
    pub workers: Option<u32>,
    /// Turn the database's connection pooler on or off.
    pub pooler: Option<bool>,
    /// New database connections (count).
    pub connections: Option<u32>,
    /// New read replicas (count).
    pub read_replicas: Option<u32>,
    /// New vector-store servers (count).
    pub servers: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct Trigger {
    /// Its name in the file.
    pub name: String,
    /// What it watches.
    pub metric: Metric,
    /// For `cost.monthly`: the components whose cost is watched (empty: all).
    pub components: Vec<String>,
    /// Fires when the value is above the threshold (else below).
    pub above: bool,
    /// The threshold, in the metric's unit (bytes, seconds, dollars per month, a count or a 0..1 share).
    pub threshold: f64,
    /// Percentile of a percentile metric, 0..100 (default 95).
    pub percentile: f64,
    /// Consecutive report periods the condition must hold.
    pub sustained_periods: u32,
    /// How long the condition must hold, seconds.
    pub sustained: f64,
    /// What it does when it fires.
    pub action: Action,
    /// Least time between two firings, seconds.
    pub cooldown: f64,
    /// What the plan says happens then, in words.
    pub plan_says: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Budget {
    /// Budget for the whole bill, dollars per month.
    pub monthly: Option<f64>,
    /// Budgets of single components (as triggers name them), dollars per month.
    pub components: BTreeMap<String, f64>,
    /// The percentile across replications a month's bill is checked at: one of
    /// [`BUDGET_PERCENTILES`]; `None` when the file gives none (the 90th is used).
    pub percentile: Option<u32>,
    /// The only calendar month checked (1-based); `None` checks every month.
    pub month: Option<usize>,
}

/// The percentiles across replications a budget may be checked at: those every summary of a
/// month's bill holds (P10, median, P90, and 100 for the largest).
pub const BUDGET_PERCENTILES: [u32; 4] = [10, 50, 90, 100];

impl Budget {
    /// The percentile budgets are checked at (90 unless the file says).
    pub fn percentile(&self) -> u32 {
        self.percentile.unwrap_or(90)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Slo {
    /// Objective for the 95th percentile of response time, seconds.
    pub latency_p95: Option<f64>,
    /// Objective for the 99th percentile of response time, seconds.
    pub latency_p99: Option<f64>,
    /// Largest share of failed requests, 0..1.
    pub error_rate: Option<f64>,
    /// Largest share of offered requests the per-client rate limit may reject, 0..1.
    pub client_rejected: Option<f64>,
    /// Least availability, 0..1: 1 − (time the system is down) / horizon.
    pub availability: Option<f64>,
}

#[derive(Debug, Clone, Default)]
pub struct PlanSays {
    /// Monthly cost, dollars per month.
    pub monthly_cost: Option<f64>,
    /// Requests per day.
    pub requests_per_day: Option<f64>,
    /// Peak requests per second.
    pub peak_requests_per_second: Option<f64>,
    /// Database size, bytes.
    pub database_size: Option<f64>,
    /// 95th percentile of response time, seconds.
    pub latency_p95: Option<f64>,
    /// Peak concurrent sessions (count).
    pub concurrent_sessions: Option<f64>,
    /// Registered users (count).
    pub users: Option<f64>,
    /// Vector store size, bytes.
    pub vector_store_size: Option<f64>,
    /// Other statements of the plan, in words.
    pub notes: Vec<String>,
}
