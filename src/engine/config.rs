//! The engine's configuration: everything a stage and its resolved infrastructure say about
//! how requests move through the stations, built in one place ([`EngineConfig::new`]) and
//! applied to an engine as a whole (at construction, [`super::Engine::restart`] and
//! [`super::Engine::reconfigure`]).

use super::station::{PerStation, StationConfig, StationId, API, CPU, DB, JOBS, KINDS, VEC};
use crate::dist::Dist;
use crate::infra::Infra;
use crate::scenario::model::{Scenario, Stage, Traffic};

/// An expected count (2.4 queries per request), split once at configuration into its whole
/// part and the chance of one more: a float → integer conversion is a dozen instructions, and
/// requests sample several counts each (see `Engine::sample_count`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Count {
    pub whole: u64,
    pub frac: f64,
}

impl Count {
    pub fn new(expected: f64) -> Count {
        // `as` truncates, which is floor for the non-negative counts here (and, unlike
        // `f64::floor` without SSE4.1, is not a libm call).
        let whole = expected as u64;
        Count {
            whole,
            frac: expected - whole as f64,
        }
    }

    /// Whether it is never more than zero.
    pub fn is_zero(&self) -> bool {
        self.whole == 0 && self.frac.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater)
    }
}

/// Per request type, what the engine samples.
#[derive(Debug, Clone)]
pub(super) struct TypePlan {
    /// Nothing after the CPU work (no cache, database, vector, external call or job).
    pub cpu_only: bool,
    pub cpu: Dist,
    pub db: Count,
    pub cache: Count,
    pub vector: Count,
    /// (external service index, expected calls).
    pub calls: Vec<(usize, Count)>,
    pub jobs: Count,
    pub writes: bool,
}

/// An external service: its latency and its limit of calls per fixed one-minute window.
#[derive(Debug, Clone)]
pub(super) struct ExternalConfig {
    pub latency: Dist,
    pub per_minute: Option<f64>,
}

/// How one stage runs: stations, request types, service times, external services and jobs.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub(super) stations: PerStation<StationConfig>,
    pub(super) types: Vec<TypePlan>,
    pub(super) type_cdf: Vec<f64>,
    pub(super) cache_hit: f64,
    /// The cache's TTL model, if its hit rate follows the lookup rate (`cachehit.rs`).
    pub(super) cache_ttl: Option<crate::cachehit::TtlCache>,
    /// Cache lookups per request, mean over the request mix.
    pub(super) lookups_per_request: f64,
    /// A cache miss becomes a database query (the stage has a database; without one a miss
    /// costs its lookup only: there is no station for it to wait at).
    pub(super) miss_to_db: bool,
    pub(super) cache_time: Dist,
    pub(super) db_query: Dist,
    pub(super) db_per_query: bool,
    pub(super) vec_query: Dist,
    pub(super) hold_worker: bool,
    pub(super) cpu_speed: f64,
    /// Workers never outnumber CPU cores: a request's CPU work starts at once.
    pub(super) cpu_bypass: bool,
    pub(super) externals: Vec<ExternalConfig>,
    pub(super) job_slots: u32,
    pub(super) job_time: Dist,
    pub(super) job_limit: Option<(u32, f64)>,
    /// External calls one job makes: (external service index, calls), in order.
    pub(super) job_calls: Vec<(usize, u32)>,
    pub(super) think: Dist,
    pub(super) requests_per_session: f64,
    pub(super) session_requests: Count,
    pub(super) max_in_flight: u32,
    /// Autoscaled replica sets (`autoscale.rs`).
    pub(super) scale: super::scaleset::ScaleConfig,
    /// The per-client rate limit, if the stage has one (`clientlimit.rs`).
    pub(super) client_limit: Option<super::clientlimit::ClientLimitConfig>,
}

impl EngineConfig {
    /// The configuration of `stage` on `infra` (what its plans resolved to).
    pub fn new(scenario: &Scenario, stage: &Stage, infra: &Infra) -> Self {
        let (think, requests_per_session) = match &scenario.traffic {
            Traffic::Sessions {
                think,
                requests_per_session,
                ..
            } => (think.clone(), *requests_per_session),
            Traffic::Open { .. } => (Dist::Constant(0.0), 1.0),
        };
        let servers = station_servers(infra);
        let mut acc = 0.0;
        let type_cdf = scenario
            .requests
            .iter()
            .map(|r| {
                acc += r.share;
                acc
            })
            .collect();
        let constant0 = || Dist::Constant(0.0);
        EngineConfig {
            stations: PerStation::from_fn(|i| StationConfig {
                servers: servers[i.index()],
                max_queue: waiting_room(i, stage, infra),
                timeout: queue_timeout(i, stage, infra),
            }),
            types: type_plans(scenario, stage),
            type_cdf,
            cache_hit: stage.cache.as_ref().map_or(0.0, |c| c.hit_rate),
            cache_ttl: stage.cache.as_ref().and_then(|c| c.ttl.clone()),
            lookups_per_request: scenario.per_request(|r| r.cache_lookups),
            miss_to_db: stage.database.is_some(),
            cache_time: stage.cache.as_ref().map_or_else(constant0, |c| c.lookup_time.clone()),
            db_query: stage.database.as_ref().map_or_else(constant0, |d| d.query_time.clone()),
            db_per_query: stage.database.as_ref().is_some_and(|d| d.connection_per_query),
            vec_query: stage
                .vector_store
                .as_ref()
                .map_or_else(constant0, |v| v.query_time.clone()),
            hold_worker: stage.api.hold_worker,
            cpu_speed: infra.api_speed,
            cpu_bypass: infra.api_cores >= infra.api_slots,
            externals: stage
                .external
                .iter()
                .map(|x| ExternalConfig {
                    latency: x.latency.clone(),
                    per_minute: x.rate_limit.map(|r| r * 60.0),
                })
                .collect(),
            job_slots: servers[JOBS.index()],
            job_time: stage.queue.as_ref().map_or_else(constant0, |q| q.job_time.clone()),
            job_limit: stage.queue.as_ref().and_then(|q| q.rate_limit),
            job_calls: stage.queue.as_ref().map_or_else(Vec::new, |q| {
                q.calls
                    .iter()
                    .filter_map(|(n, k)| stage.external.iter().position(|e| &e.name == n).map(|i| (i, *k)))
                    .collect()
            }),
            think,
            requests_per_session,
            session_requests: Count::new(requests_per_session),
            max_in_flight: scenario.sim.max_in_flight,
            scale: super::scaleset::ScaleConfig::new(stage, infra),
            client_limit: stage
                .block::<crate::components::client_limit::ClientLimit>(crate::components::client_limit::KEY)
                .map(super::clientlimit::ClientLimitConfig::new),
        }
    }

    /// Station `i`'s configuration (a request station).
    pub fn station(&self, i: StationId) -> StationConfig {
        self.stations[i]
    }
}

/// Per request type of the scenario, what the stage makes of it (no database, no queries).
fn type_plans(scenario: &Scenario, stage: &Stage) -> Vec<TypePlan> {
    let ext_names: Vec<&str> = stage.external.iter().map(|e| e.name.as_str()).collect();
    let when = |present: bool, v: f64| if present { v } else { 0.0 };
    scenario
        .requests
        .iter()
        .map(|r| {
            let db = when(stage.database.is_some(), r.db_queries);
            let cache = when(stage.cache.is_some(), r.cache_lookups);
            let vector = when(stage.vector_store.is_some(), r.vector_queries);
            let calls: Vec<(usize, f64)> = r
                .calls
                .iter()
                .filter_map(|(n, k)| ext_names.iter().position(|e| e == n).map(|i| (i, *k)))
                .collect();
            let jobs = when(stage.queue.is_some(), r.jobs);
            TypePlan {
                cpu_only: db == 0.0 && cache == 0.0 && vector == 0.0 && calls.is_empty() && jobs == 0.0,
                cpu: r.cpu.clone(),
                db: Count::new(db),
                cache: Count::new(cache),
                vector: Count::new(vector),
                calls: calls.into_iter().map(|(i, k)| (i, Count::new(k))).collect(),
                jobs: Count::new(jobs),
                writes: r.writes,
            }
        })
        .collect()
}

/// Servers of every station (indexed by [`StationId::index`]; 0 where the stage has none).
pub fn station_servers(infra: &Infra) -> [u32; KINDS.len()] {
    let mut s = [0; KINDS.len()];
    s[API.index()] = infra.api_slots;
    s[CPU.index()] = infra.api_cores;
    s[DB.index()] = infra.db.as_ref().map_or(0, |d| d.connections);
    s[VEC.index()] = infra.vector.as_ref().map_or(0, |v| v.servers);
    s[JOBS.index()] = infra.queue_slots;
    s
}

/// The waiting room of station `i` (places to wait beyond its servers; `None` = unlimited):
/// the API's `max_queue`, none for a pool that rejects when busy, unlimited elsewhere.
pub fn waiting_room(i: StationId, stage: &Stage, infra: &Infra) -> Option<u32> {
    match i {
        API => infra.api_max_queue,
        DB if stage.database.as_ref().is_some_and(|d| d.reject_when_busy) => Some(0),
        _ => None,
    }
}

/// How long a request waits at station `i` before it gives up (`None`: for ever).
fn queue_timeout(i: StationId, stage: &Stage, infra: &Infra) -> Option<f64> {
    match i {
        API => infra.api_queue_timeout,
        DB => stage.database.as_ref().and_then(|d| d.pool_timeout),
        _ => None,
    }
}
