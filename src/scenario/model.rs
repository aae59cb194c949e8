//! The types of a checked scenario: what the engine, the component kinds and the reports read.
//! Nothing here validates (see `validate.rs`) or imports from above.

use crate::dist::Dist;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A checked scenario, ready to simulate.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub description: Option<String>,
    pub source: Option<String>,
    pub file: PathBuf,
    pub seed: u64,
    pub replications: u32,
    pub horizon: f64,
    pub resolution: f64,
    pub hours_per_month: f64,
    pub sim: SimSettings,
    pub traffic: Traffic,
    pub requests: Vec<RequestType>,
    pub start_stage: String,
    pub stages: BTreeMap<String, Stage>,
    pub storage: Storage,
    pub triggers: Vec<Trigger>,
    pub budget: Budget,
    pub slo: Slo,
    pub plan_says: PlanSays,
    /// Problems that do not stop a run but mean a trigger or SLO cannot be evaluated as written:
    /// a threshold outside its metric's possible values, a metric with no data in the stages the
    /// run can reach. `validate`, `run` and `check` print them; `--strict` makes them errors.
    pub warnings: Vec<crate::error::InputError>,
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
    pub mode: SimMode,
    /// Requests in the system at which a window is declared unstable and stopped.
    pub max_in_flight: u32,
}

/// Registered users over time.
#[derive(Debug, Clone)]
pub enum Growth {
    Constant(f64),
    Linear {
        from: f64,
        to: f64,
        over: f64,
    },
    Exponential {
        from: f64,
        doubling: f64,
    },
    Logistic {
        from: f64,
        to: f64,
        midpoint: f64,
        spread: f64,
    },
    Points {
        points: Vec<(f64, f64)>,
        step: bool,
    },
}

impl Growth {
    /// Users at time `t` seconds from the start.
    pub fn users_at(&self, t: f64) -> f64 {
        match self {
            Growth::Constant(u) => *u,
            Growth::Linear { from, to, over } => {
                let f = if *over > 0.0 { (t / over).clamp(0.0, 1.0) } else { 1.0 };
                from + (to - from) * f
            }
            Growth::Exponential { from, doubling } => from * (t / doubling).exp2(),
            Growth::Logistic {
                from,
                to,
                midpoint,
                spread,
            } => {
                // Logistic between `from` (t → −∞) and `to` (t → ∞), half-way at `midpoint`.
                from + (to - from) / (1.0 + (-(t - midpoint) / spread).exp())
            }
            Growth::Points { points, step } => {
                let i = points.partition_point(|(pt, _)| *pt <= t);
                if i == 0 {
                    return points[0].1;
                }
                if i == points.len() {
                    return points[i - 1].1;
                }
                let (t0, u0) = points[i - 1];
                let (t1, u1) = points[i];
                if *step {
                    u0
                } else {
                    u0 + (u1 - u0) * (t - t0) / (t1 - t0)
                }
            }
        }
    }
}

/// How requests arrive.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)] // one per scenario
pub enum Traffic {
    /// Users start sessions (Poisson, shaped by hour of day and day of week); a session sends
    /// `requests_per_session` requests, each `think` after the previous response.
    Sessions {
        users: Growth,
        sessions_per_user_per_week: f64,
        requests_per_session: f64,
        think: Dist,
        /// Relative intensity by hour of day, mean 1.
        daily: [f64; 24],
        /// Relative intensity by day of week (day 0 = first day of the horizon), mean 1.
        weekly: [f64; 7],
        /// Set when the file gave peak concurrent sessions instead of users.
        concurrent_target: Option<f64>,
    },
    /// Independent requests at a constant Poisson rate (per second).
    Open { rate: f64 },
}

impl Traffic {
    /// Shape factor at time `t`: daily × weekly (1 for open traffic).
    pub fn shape_at(&self, t: f64) -> f64 {
        match self {
            Traffic::Sessions { daily, weekly, .. } => {
                let hour = ((t / 3600.0).floor() as i64).rem_euclid(24) as usize;
                let day = ((t / 86400.0).floor() as i64).rem_euclid(7) as usize;
                daily[hour] * weekly[day]
            }
            Traffic::Open { .. } => 1.0,
        }
    }

    /// Session starts per second at time `t` (or request arrivals per second for open traffic).
    pub fn arrival_rate_at(&self, t: f64) -> f64 {
        match self {
            Traffic::Sessions {
                users,
                sessions_per_user_per_week,
                ..
            } => users.users_at(t) * sessions_per_user_per_week / (7.0 * 86400.0) * self.shape_at(t),
            Traffic::Open { rate } => *rate,
        }
    }

    /// Requests per second at time `t` (sessions × requests per session).
    pub fn request_rate_at(&self, t: f64) -> f64 {
        match self {
            Traffic::Sessions {
                requests_per_session, ..
            } => self.arrival_rate_at(t) * requests_per_session,
            Traffic::Open { rate } => *rate,
        }
    }

    pub fn users_at(&self, t: f64) -> f64 {
        match self {
            Traffic::Sessions { users, .. } => users.users_at(t),
            Traffic::Open { .. } => 0.0,
        }
    }

    /// Start (seconds into the day) of the busiest hour.
    pub fn peak_hour(&self) -> usize {
        match self {
            Traffic::Sessions { daily, .. } => {
                let mut best = 0;
                for h in 0..24 {
                    if daily[h] > daily[best] {
                        best = h;
                    }
                }
                best
            }
            Traffic::Open { .. } => 0,
        }
    }

    pub fn peak_factor(&self) -> f64 {
        match self {
            Traffic::Sessions { daily, .. } => daily.iter().cloned().fold(0.0, f64::max),
            Traffic::Open { .. } => 1.0,
        }
    }
}

#[derive(Debug, Clone)]
pub struct RequestType {
    pub name: String,
    pub share: f64,
    pub cpu: Dist,
    pub db_queries: f64,
    pub cache_lookups: f64,
    pub vector_queries: f64,
    /// (external name, expected calls per request)
    pub calls: Vec<(String, f64)>,
    pub jobs: f64,
    pub egress_bytes: f64,
    pub writes: bool,
}

/// How a component is billed.
#[derive(Debug, Clone, Default)]
pub struct Billing {
    pub provider: Option<String>,
    pub plan: Option<String>,
    pub size: Option<String>,
    pub seats: f64,
    pub annual_billing: bool,
    pub multiplier: f64,
    pub plan_says: Option<f64>,
    pub usage: BTreeMap<String, UsageRule>,
    pub label: Option<String>,
}

/// Extra usage a component's bill counts: per request, per session, per user-month…
#[derive(Debug, Clone, Default)]
pub struct UsageRule {
    pub per_request: f64,
    pub per_session: f64,
    pub per_user_month: f64,
    pub per_job: f64,
    pub per_month: f64,
    /// Per GB stored in the stage's database (e.g. a read replica's disk follows the primary's).
    pub per_database_gb: f64,
    pub bytes_per_request: f64,
}

#[derive(Debug, Clone)]
pub struct Api {
    pub billing: Billing,
    pub instances: u32,
    pub max_instances: Option<u32>,
    pub vcpu: f64,
    pub ram_bytes: f64,
    pub workers: u32,
    pub max_queue: Option<u32>,
    pub queue_timeout: Option<f64>,
    /// RAM one instance uses, billed as `ram_gb_hours` (Railway): the file's `ram_in_use`, else
    /// the instance's provisioned RAM (`ram_bytes`), as a process that keeps its memory is billed.
    pub ram_in_use_bytes: f64,
    /// `ram_in_use` was not given: RAM in use is the instance's RAM and follows upgrades of `ram`.
    pub ram_in_use_is_ram: bool,
    pub idle_cpu: f64,
    pub hold_worker: bool,
}

#[derive(Debug, Clone)]
pub struct Database {
    pub billing: Billing,
    pub connections: Option<u32>,
    pub pooler: bool,
    pub query_time: Dist,
    pub pool_timeout: Option<f64>,
    pub reject_when_busy: bool,
    /// Each query checks out its own connection (default: one per request, for all its queries).
    pub connection_per_query: bool,
    pub read_replicas: u32,
}

#[derive(Debug, Clone)]
pub struct Cache {
    pub billing: Billing,
    pub hit_rate: f64,
    pub lookup_time: Dist,
    pub ram_bytes: f64,
}

#[derive(Debug, Clone)]
pub struct VectorStore {
    pub billing: Billing,
    pub servers: u32,
    pub query_time: Dist,
    pub vectors: f64,
    pub dimensions: u32,
}

#[derive(Debug, Clone)]
pub struct JobQueue {
    pub billing: Billing,
    pub workers: u32,
    pub concurrency: u32,
    /// BullMQ limiter: at most `max` job starts per fixed window of `per` seconds.
    pub rate_limit: Option<(u32, f64)>,
    pub job_time: Dist,
    /// vCPU a running job uses (0 when not given; required when the plan bills CPU used).
    pub vcpu: f64,
    /// RAM one worker uses (0 when not given; required when the plan bills RAM in use).
    pub ram_in_use_bytes: f64,
}

#[derive(Debug, Clone)]
pub struct External {
    pub name: String,
    pub billing: Billing,
    pub latency: Dist,
    pub rate_limit: Option<f64>,
    pub input_tokens: f64,
    pub cached_input_tokens: f64,
    pub output_tokens: f64,
}

#[derive(Debug, Clone)]
pub struct Service {
    pub name: String,
    pub billing: Billing,
    pub count: f64,
}

/// The infrastructure of one stage of the roadmap.
#[derive(Debug, Clone)]
pub struct Stage {
    pub name: String,
    pub description: Option<String>,
    pub plan_says: Option<f64>,
    pub api: Api,
    pub database: Option<Database>,
    pub cache: Option<Cache>,
    pub vector_store: Option<VectorStore>,
    pub queue: Option<JobQueue>,
    pub external: Vec<External>,
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
    pub database: Store,
    pub object_store: Store,
}

#[derive(Debug, Clone, Default)]
pub struct Store {
    pub initial_bytes: f64,
    pub records: Vec<Record>,
}

#[derive(Debug, Clone)]
pub struct Record {
    pub name: String,
    pub size_bytes: f64,
    /// (request type index, records per request)
    pub per_request: Vec<(usize, f64)>,
    pub per_user: f64,
    pub per_user_per_day: f64,
    pub per_job: f64,
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
    pub component: String,
    pub provider: Option<String>,
    pub plan: Option<String>,
    pub size: Option<String>,
    pub vcpu: Option<f64>,
    pub ram_bytes: Option<f64>,
    pub workers: Option<u32>,
    pub pooler: Option<bool>,
    pub connections: Option<u32>,
    pub read_replicas: Option<u32>,
    pub servers: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct Trigger {
    pub name: String,
    pub metric: Metric,
    /// For `cost.monthly`: the components whose cost is watched (empty: all).
    pub components: Vec<String>,
    pub above: bool,
    pub threshold: f64,
    pub percentile: f64,
    /// Consecutive report periods the condition must hold.
    pub sustained_periods: u32,
    pub sustained: f64,
    pub action: Action,
    pub cooldown: f64,
    pub plan_says: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Budget {
    pub monthly: Option<f64>,
    pub components: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Default)]
pub struct Slo {
    pub latency_p95: Option<f64>,
    pub latency_p99: Option<f64>,
    pub error_rate: Option<f64>,
}

#[derive(Debug, Clone, Default)]
pub struct PlanSays {
    pub monthly_cost: Option<f64>,
    pub requests_per_day: Option<f64>,
    pub peak_requests_per_second: Option<f64>,
    pub database_size: Option<f64>,
    pub latency_p95: Option<f64>,
    pub concurrent_sessions: Option<f64>,
    pub users: Option<f64>,
    pub vector_store_size: Option<f64>,
    pub notes: Vec<String>,
}
