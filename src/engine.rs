//! The discrete-event engine: an event queue and a clock, requests and jobs moving through the
//! stations of one stage.
//!
//! ```text
//!  sessions ──► API worker ──► CPU core ──► cache ──► DB connection ──► vector store ──► external APIs ──► done
//!  (Poisson,    (slots = instances   (cores =    (hit /   (pool: FIFO wait,   (servers)       (latency, rate limit
//!   by hour)     × workers; FIFO,     vCPU)       miss)    timeout or reject)                   → 429 errors)
//!               waiting room, timeout)                                      └─► background jobs (BullMQ: slots + fixed-window limiter)
//! ```
//!
//! Events are ordered by `(time, sequence)` so simultaneous events come out first-in, first-out
//! and a run is a pure function of its seed. State that matters for statistics (busy servers,
//! queue lengths, open sessions) is integrated over time as it changes; latencies go into
//! HDR histograms, so memory does not grow with the number of requests.

use crate::dist::Dist;
use crate::hist::Hist;
use crate::infra::Infra;
use crate::event_queue::{EventQueue, Timed};
use crate::scenario::{Scenario, Stage, Traffic};
use rand::rngs::SmallRng;
use rand::Rng;
use rand_distr::{Distribution, Exp1};
use std::cmp::Ordering;
use std::collections::VecDeque;

/// Station indices.
pub const API: usize = 0;
pub const CPU: usize = 1;
pub const DB: usize = 2;
pub const VEC: usize = 3;
pub const STATION_NAMES: [&str; 4] = ["api workers", "api cpu", "database connections", "vector store"];
/// The background job queue, as a station index next to the four above (see [`Engine::backlog`]).
pub const JOBS: usize = 4;

const EV_ARRIVAL: u8 = 0;
const EV_DONE: u8 = 1; // aux = station
const EV_DELAY: u8 = 2;
const EV_TIMEOUT: u8 = 3; // aux = station; matched to its request by sequence number
const EV_THINK: u8 = 4;
const EV_JOB_DONE: u8 = 5;
const EV_LIMITER: u8 = 6;

/// An event: 24 bytes, compared as integers. `key` is the time mapped to an order-preserving
/// integer, `seq` the scheduling order (first-in, first-out among simultaneous events), and
/// `payload` packs kind (8 bits), aux (24 bits) and id (32 bits).
#[derive(Clone, Copy)]
struct Event {
    key: u64,
    seq: u64,
    payload: u64,
}

/// Maps an f64 to a u64 with the same order (negative times occur during warm-up).
#[inline]
fn time_key(t: f64) -> u64 {
    let b = t.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

#[inline]
fn key_time(k: u64) -> f64 {
    if k >> 63 == 1 {
        f64::from_bits(k & !(1 << 63))
    } else {
        f64::from_bits(!k)
    }
}

impl Event {
    /// (time, sequence) as one integer: a single branch-free comparison in the heap.
    #[inline]
    fn rank(&self) -> u128 {
        ((self.key as u128) << 64) | self.seq as u128
    }
    #[inline]
    fn kind(&self) -> u8 {
        (self.payload >> 56) as u8
    }
    #[inline]
    fn aux(&self) -> u32 {
        ((self.payload >> 32) & 0xFF_FFFF) as u32
    }
    #[inline]
    fn id(&self) -> u32 {
        self.payload as u32
    }
}

impl Timed for Event {
    #[inline]
    fn time(&self) -> f64 {
        key_time(self.key)
    }
}

impl PartialEq for Event {
    fn eq(&self, o: &Self) -> bool {
        self.seq == o.seq
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
    #[inline]
    fn lt(&self, o: &Self) -> bool {
        self.rank() < o.rank()
    }
    #[inline]
    fn ge(&self, o: &Self) -> bool {
        self.rank() >= o.rank()
    }
    #[inline]
    fn le(&self, o: &Self) -> bool {
        self.rank() <= o.rank()
    }
}
impl Ord for Event {
    /// Earliest first; ties by sequence (first scheduled, first out).
    #[inline]
    fn cmp(&self, o: &Self) -> Ordering {
        self.rank().cmp(&o.rank())
    }
}

#[inline]
fn record(h: &mut Hist, seconds: f64) {
    h.record(seconds);
}

/// Statistics of one station over a measured period.
#[derive(Debug, Clone)]
pub struct StationAcc {
    pub servers: u32,
    pub busy_area: f64,
    pub queue_area: f64,
    pub max_busy: u32,
    pub max_queue: u32,
    pub arrivals: u64,
    /// Arrivals turned away: every server busy and the waiting room full.
    pub rejected: u64,
    /// Admitted arrivals that gave up waiting (queue timeout); their wait is in `wait_sum`.
    pub timed_out: u64,
    pub served: u64,
    pub waited: u64,
    pub wait_sum: f64,
    pub sojourn_sum: f64,
    pub wait: Hist,
    pub sojourn: Hist,
    pub service_sum: f64,
    pub service_sq_sum: f64,
}

impl StationAcc {
    fn new(servers: u32) -> Self {
        StationAcc {
            servers,
            busy_area: 0.0,
            queue_area: 0.0,
            max_busy: 0,
            max_queue: 0,
            arrivals: 0,
            rejected: 0,
            timed_out: 0,
            served: 0,
            waited: 0,
            wait_sum: 0.0,
            sojourn_sum: 0.0,
            wait: Hist::new(),
            sojourn: Hist::new(),
            service_sum: 0.0,
            service_sq_sum: 0.0,
        }
    }
}

/// Everything measured over one period (a report bucket, or a bucket's busy window).
#[derive(Debug, Clone)]
pub struct PeriodAcc {
    pub measured: f64,
    pub arrivals: u64,
    pub completed: u64,
    pub rejected: u64,
    pub timeouts: u64,
    pub db_timeouts: u64,
    pub db_rejected: u64,
    pub rate_limited: u64,
    pub read_only: u64,
    pub latency: Hist,
    pub latency_sum: f64,
    pub stations: [StationAcc; 4],
    pub sessions_area: f64,
    pub sessions_max: u32,
    pub jobs: StationAcc,
    pub job_backlog_max: u32,
    pub unstable: Option<Unstable>,
}

/// Where and when a run was stopped because arrivals outgrew capacity.
#[derive(Debug, Clone, PartialEq)]
pub struct Unstable {
    /// Station index ([`API`], [`CPU`], [`DB`], [`VEC`], or [`JOBS`]) with the longest queue.
    pub station: usize,
    /// Simulation time of the stop (negative during a warm-up before the first period).
    pub time: f64,
    pub message: String,
}

impl PeriodAcc {
    pub fn new(infra: &Infra) -> Self {
        PeriodAcc {
            measured: 0.0,
            arrivals: 0,
            completed: 0,
            rejected: 0,
            timeouts: 0,
            db_timeouts: 0,
            db_rejected: 0,
            rate_limited: 0,
            read_only: 0,
            latency: Hist::new(),
            latency_sum: 0.0,
            stations: [
                StationAcc::new(infra.api_slots),
                StationAcc::new(infra.api_cores),
                StationAcc::new(infra.db.as_ref().map(|d| d.connections).unwrap_or(0)),
                StationAcc::new(infra.vector.as_ref().map(|v| v.servers).unwrap_or(0)),
            ],
            sessions_area: 0.0,
            sessions_max: 0,
            jobs: StationAcc::new(infra.queue_slots),
            job_backlog_max: 0,
            unstable: None,
        }
    }

    pub fn errors(&self) -> u64 {
        self.rejected + self.timeouts + self.db_timeouts + self.db_rejected + self.rate_limited + self.read_only
    }
}

struct Station {
    servers: u32,
    busy: u32,
    /// Waiting requests (ids); abandoned ones are skipped lazily.
    queue: VecDeque<u32>,
    live_waiting: u32,
    max_queue: Option<u32>,
    timeout: Option<f64>,
    last: f64,
}

impl Station {
    fn new(servers: u32, max_queue: Option<u32>, timeout: Option<f64>, now: f64) -> Self {
        Station {
            servers,
            busy: 0,
            queue: VecDeque::new(),
            live_waiting: 0,
            max_queue,
            timeout,
            last: now,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Worker,
    Cpu,
    Cache,
    Db,
    Vector,
    External,
    Finish,
}

#[derive(Clone)]
struct Req {
    rtype: u16,
    session: u32,
    arrive: f64,
    wait_start: f64,
    /// Sequence number of this request's pending timeout event (0: none). Event sequence
    /// numbers are unique for the whole run, so a timer left by an earlier occupant of a reused
    /// slot, or by an earlier wait of this request, can never match.
    timer: u64,
    phase: Phase,
    waiting: bool,
    abandoned: bool,
    holds_worker: bool,
    cache_left: u32,
    db_left: u32,
    vec_left: u32,
    ext_i: u16,
    ext_left: u32,
    /// When the request got its API worker.
    api_start: f64,
    /// Queries run on the connection it holds or waits for.
    db_batch: u32,
}

/// Per request type, what the engine samples.
struct TypePlan {
    /// Nothing after the CPU work (no cache, database, vector, external call or job).
    cpu_only: bool,
    cpu: Dist,
    db: f64,
    cache: f64,
    vector: f64,
    calls: Vec<(usize, f64)>,
    jobs: f64,
    writes: bool,
}

struct ExternalRt {
    latency: Dist,
    /// Fixed one-minute window: (max calls per window, calls so far, window end).
    limit: Option<(f64, f64, f64)>,
}

/// One discrete-event run of a stage. Persistent across report periods in `full` mode;
/// a fresh one per busy window in `peak_window` mode.
pub struct Engine<'s> {
    scenario: &'s Scenario,
    pub now: f64,
    seq: u64,
    heap: EventQueue<Event>,
    rng: SmallRng,
    stations: [Station; 4],
    reqs: Vec<Req>,
    free_reqs: Vec<u32>,
    in_flight: u32,
    sessions: Vec<u32>,
    free_sessions: Vec<u32>,
    open_sessions: u32,
    sessions_last: f64,
    types: Vec<TypePlan>,
    type_cdf: Vec<f64>,
    cache_hit: f64,
    cache_time: Dist,
    db_query: Dist,
    db_reject: bool,
    db_per_query: bool,
    db_read_only: bool,
    vec_query: Dist,
    hold_worker: bool,
    cpu_speed: f64,
    externals: Vec<ExternalRt>,
    // Background jobs (BullMQ semantics).
    job_slots: u32,
    job_busy: u32,
    job_queue: VecDeque<f64>,
    job_time: Dist,
    job_limit: Option<(u32, f64)>,
    job_window_count: u32,
    job_window_end: f64,
    limiter_armed: bool,
    jobs_last: f64,
    /// Arrivals stop at this time (end of the run).
    arrivals_until: f64,
    think: Dist,
    requests_per_session: f64,
    pub measuring: bool,
    /// Arrival rates before this time are taken at this time (stationary warm-up).
    rate_from: f64,
    /// The current hour of the arrival process and its rate.
    seg_start: f64,
    seg_end: f64,
    seg_rate: f64,
    /// Workers never outnumber CPU cores: a request's CPU work starts at once.
    cpu_bypass: bool,
    max_in_flight: u32,
    pub stopped_unstable: bool,
}

impl<'s> Engine<'s> {
    /// A new, empty system at time `start`. `rate_from` makes arrivals before that time follow
    /// the rate at that time (so a warm-up before a busy window is stationary).
    pub fn new(scenario: &'s Scenario, stage: &Stage, infra: &Infra, rng: SmallRng, start: f64) -> Self {
        Self::with_rate_from(scenario, stage, infra, rng, start, f64::NEG_INFINITY)
    }

    pub fn with_rate_from(
        scenario: &'s Scenario,
        stage: &Stage,
        infra: &Infra,
        rng: SmallRng,
        start: f64,
        rate_from: f64,
    ) -> Self {
        let ext_names: Vec<&str> = stage.external.iter().map(|e| e.name.as_str()).collect();
        let types = scenario
            .requests
            .iter()
            .map(|r| {
                let mut t = TypePlan {
                    cpu_only: false,
                    cpu: r.cpu.clone(),
                    db: if stage.database.is_some() { r.db_queries } else { 0.0 },
                    cache: if stage.cache.is_some() { r.cache_lookups } else { 0.0 },
                    vector: if stage.vector_store.is_some() {
                        r.vector_queries
                    } else {
                        0.0
                    },
                    calls: r
                        .calls
                        .iter()
                        .filter_map(|(n, k)| ext_names.iter().position(|e| e == n).map(|i| (i, *k)))
                        .collect(),
                    jobs: if stage.queue.is_some() { r.jobs } else { 0.0 },
                    writes: r.writes,
                };
                t.cpu_only = t.db == 0.0 && t.cache == 0.0 && t.vector == 0.0 && t.calls.is_empty() && t.jobs == 0.0;
                t
            })
            .collect();
        let mut acc = 0.0;
        let type_cdf = scenario
            .requests
            .iter()
            .map(|r| {
                acc += r.share;
                acc
            })
            .collect();
        let (think, rps) = match &scenario.traffic {
            Traffic::Sessions {
                think,
                requests_per_session,
                ..
            } => (think.clone(), *requests_per_session),
            Traffic::Open { .. } => (Dist::Constant(0.0), 1.0),
        };
        let db_conn = infra.db.as_ref().map(|d| d.connections).unwrap_or(0);
        let mut e = Engine {
            scenario,
            now: start,
            seq: 0,
            heap: EventQueue::new(start),
            rng,
            stations: [
                Station::new(
                    infra.api_slots,
                    waiting_room(API, stage, infra),
                    infra.api_queue_timeout,
                    start,
                ),
                Station::new(infra.api_cores, None, None, start),
                Station::new(
                    db_conn,
                    waiting_room(DB, stage, infra),
                    stage.database.as_ref().and_then(|d| d.pool_timeout),
                    start,
                ),
                Station::new(infra.vector.as_ref().map(|v| v.servers).unwrap_or(0), None, None, start),
            ],
            reqs: Vec::with_capacity(256),
            free_reqs: Vec::new(),
            in_flight: 0,
            sessions: Vec::new(),
            free_sessions: Vec::new(),
            open_sessions: 0,
            sessions_last: start,
            types,
            type_cdf,
            cache_hit: stage.cache.as_ref().map(|c| c.hit_rate).unwrap_or(0.0),
            cache_time: stage
                .cache
                .as_ref()
                .map(|c| c.lookup_time.clone())
                .unwrap_or(Dist::Constant(0.0)),
            db_query: stage
                .database
                .as_ref()
                .map(|d| d.query_time.clone())
                .unwrap_or(Dist::Constant(0.0)),
            db_reject: stage.database.as_ref().is_some_and(|d| d.reject_when_busy),
            db_per_query: stage.database.as_ref().is_some_and(|d| d.connection_per_query),
            db_read_only: false,
            vec_query: stage
                .vector_store
                .as_ref()
                .map(|v| v.query_time.clone())
                .unwrap_or(Dist::Constant(0.0)),
            hold_worker: stage.api.hold_worker,
            cpu_speed: infra.api_speed,
            externals: stage
                .external
                .iter()
                .map(|x| ExternalRt {
                    latency: x.latency.clone(),
                    limit: x.rate_limit.map(|r| (r * 60.0, 0.0, f64::NEG_INFINITY)),
                })
                .collect(),
            job_slots: infra.queue_slots,
            job_busy: 0,
            job_queue: VecDeque::new(),
            job_time: stage
                .queue
                .as_ref()
                .map(|q| q.job_time.clone())
                .unwrap_or(Dist::Constant(0.0)),
            job_limit: stage.queue.as_ref().and_then(|q| q.rate_limit),
            job_window_count: 0,
            job_window_end: f64::NEG_INFINITY,
            limiter_armed: false,
            jobs_last: start,
            arrivals_until: start,
            think,
            requests_per_session: rps,
            measuring: false,
            rate_from: f64::NEG_INFINITY,
            seg_start: f64::INFINITY,
            seg_end: f64::NEG_INFINITY,
            seg_rate: 0.0,
            cpu_bypass: infra.api_cores >= infra.api_slots,
            max_in_flight: scenario.sim.max_in_flight,
            stopped_unstable: false,
        };
        e.rate_from = rate_from;
        e.schedule_arrival(start);
        e
    }

    /// Applies a new stage/infra from now on (after a scaling action). Busy servers above a
    /// reduced capacity finish their work; waiting requests start as capacity allows.
    pub fn reconfigure(&mut self, stage: &Stage, infra: &Infra, acc: &mut PeriodAcc) {
        let fresh = Engine::new(self.scenario, stage, infra, self.rng.clone(), self.now);
        self.types = fresh.types;
        self.cache_hit = fresh.cache_hit;
        self.cache_time = fresh.cache_time;
        self.db_query = fresh.db_query;
        self.db_reject = fresh.db_reject;
        self.db_per_query = fresh.db_per_query;
        self.vec_query = fresh.vec_query;
        self.hold_worker = fresh.hold_worker;
        self.cpu_speed = fresh.cpu_speed;
        self.externals = fresh.externals;
        self.job_slots = fresh.job_slots;
        self.job_time = fresh.job_time;
        self.job_limit = fresh.job_limit;
        for (i, st) in fresh.stations.into_iter().enumerate() {
            self.advance_station(i, acc);
            let s = &mut self.stations[i];
            s.servers = st.servers;
            s.max_queue = st.max_queue;
            s.timeout = st.timeout;
            acc.stations[i].servers = st.servers;
            while self.stations[i].busy < self.stations[i].servers {
                if !self.start_next_waiting(i, acc) {
                    break;
                }
            }
        }
        acc.jobs.servers = self.job_slots;
        self.try_start_jobs(acc);
    }

    pub fn set_read_only(&mut self, ro: bool) {
        self.db_read_only = ro;
    }

    #[inline]
    fn push(&mut self, time: f64, kind: u8, id: u32, aux: u32) {
        self.seq += 1;
        let payload = ((kind as u64) << 56) | (((aux & 0xFF_FFFF) as u64) << 32) | id as u64;
        self.heap.push(Event {
            key: time_key(time),
            seq: self.seq,
            payload,
        });
    }

    /// Schedules the next arrival after `from`, with the rate constant within each hour.
    fn schedule_arrival(&mut self, from: f64) {
        let mut t = from;
        loop {
            // The rate is constant within each hour; it is computed once per hour.
            if !(t >= self.seg_start && t < self.seg_end) {
                self.seg_start = (t / 3600.0).floor() * 3600.0;
                self.seg_end = self.seg_start + 3600.0;
                // Warm-up before a busy window runs at the window's own rate.
                self.seg_rate = self
                    .scenario
                    .traffic
                    .arrival_rate_at(self.seg_start.max(self.rate_from) + 1800.0);
            }
            let (seg_end, lam) = (self.seg_end, self.seg_rate);
            if lam > 0.0 {
                let e: f64 = Exp1.sample(&mut self.rng);
                let next = t + e / lam;
                if next < seg_end {
                    self.push(next, EV_ARRIVAL, 0, 0);
                    return;
                }
            }
            t = seg_end;
            if matches!(self.scenario.traffic, Traffic::Open { .. }) && lam <= 0.0 {
                return;
            }
            if t > from + 400.0 * 86400.0 {
                return; // no traffic for a very long time
            }
        }
    }

    fn advance_station(&mut self, i: usize, acc: &mut PeriodAcc) {
        let s = &mut self.stations[i];
        let dt = self.now - s.last;
        if dt > 0.0 && self.measuring {
            let a = &mut acc.stations[i];
            a.busy_area += s.busy as f64 * dt;
            a.queue_area += s.live_waiting as f64 * dt;
        }
        s.last = self.now;
    }

    fn advance_sessions(&mut self, acc: &mut PeriodAcc) {
        let dt = self.now - self.sessions_last;
        if dt > 0.0 && self.measuring {
            acc.sessions_area += self.open_sessions as f64 * dt;
        }
        self.sessions_last = self.now;
    }

    fn advance_jobs(&mut self, acc: &mut PeriodAcc) {
        let dt = self.now - self.jobs_last;
        if dt > 0.0 && self.measuring {
            acc.jobs.busy_area += self.job_busy as f64 * dt;
            acc.jobs.queue_area += self.job_queue.len() as f64 * dt;
        }
        self.jobs_last = self.now;
    }

    /// Brings time integrals up to `now` (call before reading an accumulator).
    pub fn flush(&mut self, acc: &mut PeriodAcc) {
        for i in 0..4 {
            self.advance_station(i, acc);
        }
        self.advance_sessions(acc);
        self.advance_jobs(acc);
    }

    /// Runs events up to `until` (arrivals continue past it unless `stop_arrivals`).
    /// Does nothing once the run has stopped as unstable: what follows is not simulated.
    pub fn run_until(&mut self, until: f64, acc: &mut PeriodAcc) {
        if self.stopped_unstable {
            return;
        }
        self.arrivals_until = self.arrivals_until.max(until);
        let until_key = time_key(until);
        while let Some(ev) = self.heap.peek() {
            if ev.key > until_key {
                break;
            }
            let ev = self.heap.pop().expect("peeked");
            self.now = key_time(ev.key);
            match ev.kind() {
                EV_ARRIVAL => self.on_arrival(acc),
                EV_DONE => self.on_done(ev.aux() as usize, ev.id(), acc),
                EV_DELAY => self.on_delay(ev.id(), acc),
                EV_TIMEOUT => self.on_timeout(ev.id(), ev.aux(), ev.seq, acc),
                EV_THINK => self.start_request(ev.id(), acc),
                EV_JOB_DONE => self.on_job_done(acc),
                EV_LIMITER => {
                    self.limiter_armed = false;
                    self.try_start_jobs(acc);
                }
                _ => unreachable!("unknown event kind"),
            }
            if self.stopped_unstable {
                break;
            }
        }
        if !self.stopped_unstable {
            self.now = until;
        }
        self.flush(acc);
    }

    fn unstable(&mut self, acc: &mut PeriodAcc, station: usize, message: String) {
        self.stopped_unstable = true;
        if acc.unstable.is_none() {
            acc.unstable = Some(Unstable {
                station,
                time: self.now,
                message,
            });
        }
    }

    /// Requests waiting at each station ([`API`], [`CPU`], [`DB`], [`VEC`]) and jobs waiting
    /// ([`JOBS`]) right now.
    pub fn backlog(&self) -> [u32; 5] {
        let s = &self.stations;
        [
            s[API].live_waiting,
            s[CPU].live_waiting,
            s[DB].live_waiting,
            s[VEC].live_waiting,
            u32::try_from(self.job_queue.len()).unwrap_or(u32::MAX),
        ]
    }

    /// Starts a run in the sessions' steady state instead of empty: the number of sessions
    /// open at a random moment of a stationary stretch is Poisson with mean (session start rate
    /// × session length), each part-way through (remaining requests uniform over its length,
    /// next request after the residual think time). A warm-up then only has to fill queues,
    /// which takes seconds, not the length of a session.
    pub fn prefill_sessions(&mut self) {
        let Traffic::Sessions { .. } = self.scenario.traffic else {
            return;
        };
        let at = self.now.max(self.rate_from);
        let rate = self
            .scenario
            .traffic
            .arrival_rate_at(((at / 3600.0).floor() * 3600.0) + 1800.0);
        let length = self.requests_per_session * self.think.mean();
        let mean = rate * length;
        if mean.is_nan() || mean <= 0.0 {
            return;
        }
        let k = match rand_distr::Poisson::new(mean) {
            Ok(p) => p.sample(&mut self.rng) as u64,
            Err(_) => return,
        };
        let exponential_think = matches!(self.think, Dist::Exponential { .. });
        for _ in 0..k {
            let total = self.sample_count(self.requests_per_session).max(1) as u32;
            let remaining = self.rng.gen_range(1..=total);
            let think = self.think.sample(&mut self.rng);
            // Exponential think times are memoryless; otherwise a uniform share of one is an
            // approximation of the residual.
            let residual = if exponential_think {
                think
            } else {
                think * self.rng.gen::<f64>()
            };
            let id = match self.free_sessions.pop() {
                Some(i) => {
                    self.sessions[i as usize] = remaining;
                    i
                }
                None => {
                    self.sessions.push(remaining);
                    (self.sessions.len() - 1) as u32
                }
            };
            self.open_sessions += 1;
            self.push(self.now + residual, EV_THINK, id, 0);
        }
    }

    fn on_arrival(&mut self, acc: &mut PeriodAcc) {
        let now = self.now;
        self.schedule_arrival(now);
        match self.scenario.traffic {
            Traffic::Sessions { .. } => {
                let n = self.sample_count(self.requests_per_session) as u32;
                if n == 0 {
                    return;
                }
                self.advance_sessions(acc);
                self.open_sessions += 1;
                if self.measuring {
                    acc.sessions_max = acc.sessions_max.max(self.open_sessions);
                }
                let id = match self.free_sessions.pop() {
                    Some(i) => {
                        self.sessions[i as usize] = n;
                        i
                    }
                    None => {
                        self.sessions.push(n);
                        (self.sessions.len() - 1) as u32
                    }
                };
                self.start_request(id, acc);
            }
            Traffic::Open { .. } => self.start_request(u32::MAX, acc),
        }
    }

    #[inline]
    fn sample_count(&mut self, expected: f64) -> u64 {
        // `as` truncates, which is floor for the non-negative counts here (and, unlike
        // `f64::floor` without SSE4.1, is one instruction rather than a libm call).
        let whole = expected as u64;
        let frac = expected - whole as f64;
        whole + u64::from(frac > 0.0 && self.rng.gen::<f64>() < frac)
    }

    fn start_request(&mut self, session: u32, acc: &mut PeriodAcc) {
        if self.in_flight >= self.max_in_flight {
            let (i, _) = self
                .stations
                .iter()
                .enumerate()
                .max_by_key(|(_, s)| s.live_waiting)
                .expect("4 stations");
            let msg = format!(
                "{} requests in the system at t = {}: arrivals exceed capacity; the longest queue is at the {} ({} waiting)",
                self.in_flight,
                crate::units::fmt_seconds(self.now),
                STATION_NAMES[i],
                self.stations[i].live_waiting
            );
            self.unstable(acc, i, msg);
            return;
        }
        if session != u32::MAX {
            self.sessions[session as usize] -= 1;
        }
        let rtype = if self.type_cdf.len() == 1 {
            0
        } else {
            let u: f64 = self.rng.gen();
            self.type_cdf
                .iter()
                .position(|c| u < *c)
                .unwrap_or(self.type_cdf.len() - 1)
        };
        let t = &self.types[rtype];
        let (db, cache, vector, cpu_only) = (t.db, t.cache, t.vector, t.cpu_only);
        let req = Req {
            rtype: rtype as u16,
            session,
            arrive: self.now,
            wait_start: self.now,
            timer: 0,
            phase: Phase::Worker,
            waiting: false,
            abandoned: false,
            holds_worker: false,
            cache_left: 0,
            db_left: 0,
            vec_left: 0,
            ext_i: 0,
            ext_left: 0,
            api_start: self.now,
            db_batch: 0,
        };
        let id = match self.free_reqs.pop() {
            Some(i) => {
                self.reqs[i as usize] = req;
                i
            }
            None => {
                self.reqs.push(req);
                (self.reqs.len() - 1) as u32
            }
        };
        let (cache_left, db_left, vec_left) = if cpu_only {
            (0, 0, 0)
        } else {
            (
                self.sample_count(cache) as u32,
                self.sample_count(db) as u32,
                self.sample_count(vector) as u32,
            )
        };
        {
            let r = &mut self.reqs[id as usize];
            r.cache_left = cache_left;
            r.db_left = db_left;
            r.vec_left = vec_left;
        }
        self.in_flight += 1;
        if self.measuring {
            acc.arrivals += 1;
        }
        self.acquire(API, id, acc);
    }

    /// Takes a server of station `i` for request `id`, or queues it, or rejects it.
    fn acquire(&mut self, i: usize, id: u32, acc: &mut PeriodAcc) {
        self.advance_station(i, acc);
        if self.measuring {
            acc.stations[i].arrivals += 1;
        }
        let s = &mut self.stations[i];
        if s.busy < s.servers {
            s.busy += 1;
            if self.measuring {
                let a = &mut acc.stations[i];
                a.max_busy = a.max_busy.max(s.busy);
            }
            self.reqs[id as usize].wait_start = self.now;
            self.begin_service(i, id, acc);
            return;
        }
        if let Some(mq) = s.max_queue {
            if s.live_waiting >= mq {
                // No room to wait: rejected.
                if self.measuring {
                    acc.stations[i].rejected += 1;
                    match i {
                        DB => acc.db_rejected += 1,
                        _ => acc.rejected += 1,
                    }
                }
                self.fail(id, acc);
                return;
            }
        }
        s.queue.push_back(id);
        s.live_waiting += 1;
        let timeout = s.timeout;
        if self.measuring {
            acc.stations[i].max_queue = acc.stations[i].max_queue.max(s.live_waiting);
        }
        let r = &mut self.reqs[id as usize];
        r.waiting = true;
        r.wait_start = self.now;
        r.timer = 0;
        if let Some(t) = timeout {
            self.push(self.now + t, EV_TIMEOUT, id, i as u32);
            self.reqs[id as usize].timer = self.seq;
        }
    }

    fn begin_service(&mut self, i: usize, id: u32, acc: &mut PeriodAcc) {
        let service = match i {
            API => {
                // The worker is held; the request moves on to the CPU.
                self.reqs[id as usize].holds_worker = true;
                self.reqs[id as usize].phase = Phase::Cpu;
                self.reqs[id as usize].api_start = self.now;
                if self.measuring {
                    let w = self.now - self.reqs[id as usize].wait_start;
                    record_wait(&mut acc.stations[API], w);
                }
                if self.cpu_bypass {
                    // A core is always free (no more workers than cores): the CPU is not a
                    // queue. Its busy time is the sum of CPU times, counted when work starts
                    // (a bias of at most one service time per core at the end of a period).
                    let rt = self.reqs[id as usize].rtype as usize;
                    let service = self.types[rt].cpu.sample(&mut self.rng) / self.cpu_speed;
                    if self.measuring {
                        let a = &mut acc.stations[CPU];
                        a.arrivals += 1;
                        a.busy_area += service;
                        a.max_busy = a.max_busy.max(self.stations[API].busy);
                    }
                    // With the worker held throughout, the cache lookups that follow need no
                    // event of their own either: neither step can queue.
                    let cache = if self.hold_worker && self.reqs[id as usize].cache_left > 0 {
                        self.cache_lookups_now(id)
                    } else {
                        0.0
                    };
                    self.push(self.now + service + cache, EV_DONE, id, CPU as u32);
                } else {
                    self.acquire(CPU, id, acc);
                }
                return;
            }
            CPU => {
                let rt = self.reqs[id as usize].rtype as usize;
                self.types[rt].cpu.sample(&mut self.rng) / self.cpu_speed
            }
            DB => {
                let n = self.reqs[id as usize].db_batch;
                (0..n).map(|_| self.db_query.sample(&mut self.rng)).sum()
            }
            VEC => self.vec_query.sample(&mut self.rng),
            _ => unreachable!(),
        };
        if self.measuring {
            let w = self.now - self.reqs[id as usize].wait_start;
            let a = &mut acc.stations[i];
            record_wait(a, w);
            a.service_sum += service;
            a.service_sq_sum += service * service;
        }
        self.push(self.now + service, EV_DONE, id, i as u32);
    }

    /// Starts the first live waiting request of station `i`, if any.
    fn start_next_waiting(&mut self, i: usize, acc: &mut PeriodAcc) -> bool {
        while let Some(next) = self.stations[i].queue.pop_front() {
            let r = &mut self.reqs[next as usize];
            if r.abandoned {
                r.abandoned = false;
                self.free_reqs.push(next);
                continue;
            }
            r.waiting = false;
            let s = &mut self.stations[i];
            s.live_waiting -= 1;
            s.busy += 1;
            if self.measuring {
                let a = &mut acc.stations[i];
                a.max_busy = a.max_busy.max(s.busy);
            }
            self.begin_service(i, next, acc);
            return true;
        }
        false
    }

    fn release(&mut self, i: usize, acc: &mut PeriodAcc) {
        self.advance_station(i, acc);
        self.stations[i].busy -= 1;
        if self.stations[i].busy < self.stations[i].servers {
            self.start_next_waiting(i, acc);
        }
    }

    fn on_done(&mut self, i: usize, id: u32, acc: &mut PeriodAcc) {
        if i == CPU && self.cpu_bypass {
            if !self.hold_worker {
                self.reqs[id as usize].holds_worker = false;
                self.finish_station(API, id, acc);
                self.release(API, acc);
            }
            self.advance(id, acc);
            return;
        }
        if self.measuring {
            let r = &self.reqs[id as usize];
            let soj = self.now - r.wait_start;
            let a = &mut acc.stations[i];
            a.served += 1;
            a.sojourn_sum += soj;
            record(&mut a.sojourn, soj);
        }
        self.release(i, acc);
        if i == CPU && !self.hold_worker {
            // Tandem: the API worker is freed once the CPU work is done.
            self.reqs[id as usize].holds_worker = false;
            self.finish_station(API, id, acc);
            self.release(API, acc);
        }
        self.advance(id, acc);
    }

    /// Records the API station's sojourn for a request leaving it.
    fn finish_station(&mut self, i: usize, id: u32, acc: &mut PeriodAcc) {
        if self.measuring {
            let r = &self.reqs[id as usize];
            let soj = self.now - r.arrive;
            // The worker was held from the end of its wait until now.
            let held = self.now - r.api_start;
            let a = &mut acc.stations[i];
            a.served += 1;
            a.sojourn_sum += soj;
            a.service_sum += held;
            a.service_sq_sum += held * held;
        }
    }

    /// Does all of a request's cache lookups at once and returns their total time. The cache
    /// never queues, so lookups one after another take the sum of their times: one event
    /// instead of one per lookup. Each miss becomes a database query.
    fn cache_lookups_now(&mut self, id: u32) -> f64 {
        let n = std::mem::take(&mut self.reqs[id as usize].cache_left);
        let mut d = 0.0;
        let mut misses = 0;
        for _ in 0..n {
            d += self.cache_time.sample(&mut self.rng);
            misses += u32::from(self.rng.gen::<f64>() >= self.cache_hit);
        }
        self.reqs[id as usize].db_left += misses;
        d
    }

    fn on_delay(&mut self, id: u32, acc: &mut PeriodAcc) {
        let phase = self.reqs[id as usize].phase;
        if phase == Phase::External {
            let r = &mut self.reqs[id as usize];
            r.ext_left -= 1;
        }
        self.advance(id, acc);
    }

    fn on_timeout(&mut self, id: u32, station: u32, seq: u64, acc: &mut PeriodAcc) {
        let i = station as usize;
        let r = &self.reqs[id as usize];
        if !r.waiting || r.abandoned || r.timer != seq {
            return;
        }
        self.advance_station(i, acc);
        self.stations[i].live_waiting -= 1;
        let r = &mut self.reqs[id as usize];
        r.waiting = false;
        r.abandoned = true;
        if self.measuring {
            acc.stations[i].timed_out += 1;
            match i {
                DB => acc.db_timeouts += 1,
                _ => acc.timeouts += 1,
            }
            record_wait(&mut acc.stations[i], self.now - r.wait_start);
        }
        // The request ends with an error; its slot is freed when the queue reaches it.
        self.end_request(id, false, acc);
    }

    /// Moves a request to its next step.
    fn advance(&mut self, id: u32, acc: &mut PeriodAcc) {
        {
            let r = &self.reqs[id as usize];
            if r.phase == Phase::Cpu && self.types[r.rtype as usize].cpu_only {
                self.end_request(id, true, acc);
                return;
            }
        }
        loop {
            let r = &mut self.reqs[id as usize];
            match r.phase {
                Phase::Worker | Phase::Cpu => {
                    r.phase = Phase::Cache;
                }
                Phase::Cache => {
                    if r.cache_left > 0 {
                        let d = self.cache_lookups_now(id);
                        self.push(self.now + d, EV_DELAY, id, 0);
                        return;
                    }
                    r.phase = Phase::Db;
                }
                Phase::Db => {
                    if r.db_left > 0 {
                        if self.db_read_only && self.types[r.rtype as usize].writes {
                            if self.measuring {
                                acc.read_only += 1;
                            }
                            self.fail(id, acc);
                            return;
                        }
                        // One connection for all of the request's queries (as an ORM session
                        // checks one out per request), or one checkout per query.
                        r.db_batch = if self.db_per_query { 1 } else { r.db_left };
                        r.db_left -= r.db_batch;
                        self.acquire(DB, id, acc);
                        return;
                    }
                    r.phase = Phase::Vector;
                }
                Phase::Vector => {
                    if r.vec_left > 0 {
                        r.vec_left -= 1;
                        self.acquire(VEC, id, acc);
                        return;
                    }
                    r.phase = Phase::External;
                    r.ext_i = 0;
                    r.ext_left = u32::MAX; // not yet sampled for ext_i
                }
                Phase::External => {
                    let rt = r.rtype as usize;
                    let calls = &self.types[rt].calls;
                    if (r.ext_i as usize) >= calls.len() {
                        r.phase = Phase::Finish;
                        continue;
                    }
                    if r.ext_left == u32::MAX {
                        let expected = calls[r.ext_i as usize].1;
                        let n = self.sample_count(expected) as u32;
                        self.reqs[id as usize].ext_left = n;
                        continue;
                    }
                    if r.ext_left == 0 {
                        r.ext_i += 1;
                        r.ext_left = u32::MAX;
                        continue;
                    }
                    let ext = calls[r.ext_i as usize].0;
                    let now = self.now;
                    let x = &mut self.externals[ext];
                    if let Some((max, count, end)) = x.limit.as_mut() {
                        if now >= *end {
                            *end = now + 60.0;
                            *count = 0.0;
                        }
                        if *count >= *max {
                            if self.measuring {
                                acc.rate_limited += 1;
                            }
                            self.fail(id, acc);
                            return;
                        }
                        *count += 1.0;
                    }
                    let d = x.latency.sample(&mut self.rng);
                    self.push(now + d, EV_DELAY, id, 0);
                    return;
                }
                Phase::Finish => {
                    let rt = r.rtype as usize;
                    let jobs = self.types[rt].jobs;
                    if jobs > 0.0 {
                        let n = self.sample_count(jobs);
                        for _ in 0..n {
                            self.enqueue_job(acc);
                        }
                    }
                    self.end_request(id, true, acc);
                    return;
                }
            }
        }
    }

    /// A request fails where it stands (rejection, rate limit, read-only database).
    fn fail(&mut self, id: u32, acc: &mut PeriodAcc) {
        self.end_request(id, false, acc);
        let r = &self.reqs[id as usize];
        if !r.abandoned {
            self.free_reqs.push(id);
        }
    }

    fn end_request(&mut self, id: u32, ok: bool, acc: &mut PeriodAcc) {
        let (arrive, session, holds) = {
            let r = &self.reqs[id as usize];
            (r.arrive, r.session, r.holds_worker)
        };
        if holds {
            self.reqs[id as usize].holds_worker = false;
            self.finish_station(API, id, acc);
            self.release(API, acc);
        }
        if self.measuring {
            let lat = self.now - arrive;
            if ok {
                acc.completed += 1;
                acc.latency_sum += lat;
                record(&mut acc.latency, lat);
            }
        }
        self.in_flight -= 1;
        if ok {
            self.free_reqs.push(id);
        }
        if session != u32::MAX {
            if self.sessions[session as usize] > 0 && self.now < self.arrivals_until {
                let think = self.think.sample(&mut self.rng);
                self.push(self.now + think, EV_THINK, session, 0);
            } else {
                self.advance_sessions(acc);
                self.open_sessions -= 1;
                self.free_sessions.push(session);
            }
        }
    }

    fn enqueue_job(&mut self, acc: &mut PeriodAcc) {
        self.advance_jobs(acc);
        self.job_queue.push_back(self.now);
        if self.measuring {
            acc.jobs.arrivals += 1;
            acc.job_backlog_max = acc.job_backlog_max.max(self.job_queue.len() as u32);
            acc.jobs.max_queue = acc.job_backlog_max;
        }
        if self.job_queue.len() as u32 > self.max_in_flight {
            let msg = format!(
                "{} background jobs waiting at t = {}: jobs arrive faster than the workers and rate limiter allow",
                self.job_queue.len(),
                crate::units::fmt_seconds(self.now)
            );
            self.unstable(acc, JOBS, msg);
            return;
        }
        self.try_start_jobs(acc);
    }

    /// BullMQ: a job starts when a slot is free and the queue's fixed window allows it.
    fn try_start_jobs(&mut self, acc: &mut PeriodAcc) {
        self.advance_jobs(acc);
        while self.job_busy < self.job_slots && !self.job_queue.is_empty() {
            if let Some((max, per)) = self.job_limit {
                if self.now >= self.job_window_end {
                    self.job_window_end = self.now + per;
                    self.job_window_count = 0;
                }
                if self.job_window_count >= max {
                    if !self.limiter_armed {
                        self.limiter_armed = true;
                        self.push(self.job_window_end, EV_LIMITER, 0, 0);
                    }
                    return;
                }
                self.job_window_count += 1;
            }
            let enq = self.job_queue.pop_front().expect("non-empty");
            self.job_busy += 1;
            let s = self.job_time.sample(&mut self.rng);
            if self.measuring {
                let a = &mut acc.jobs;
                a.max_busy = a.max_busy.max(self.job_busy);
                record_wait(a, self.now - enq);
                a.service_sum += s;
                a.service_sq_sum += s * s;
                a.sojourn_sum += self.now - enq + s;
                record(&mut a.sojourn, self.now - enq + s);
            }
            self.push(self.now + s, EV_JOB_DONE, 0, 0);
        }
    }

    fn on_job_done(&mut self, acc: &mut PeriodAcc) {
        self.advance_jobs(acc);
        self.job_busy -= 1;
        if self.measuring {
            acc.jobs.served += 1;
        }
        self.try_start_jobs(acc);
    }

    /// Open sessions right now.
    pub fn open_sessions(&self) -> u32 {
        self.open_sessions
    }
}

/// The waiting room of station `i` (places to wait beyond its servers; `None` = unlimited):
/// the API's `max_queue`, none for a pool that rejects when busy, unlimited elsewhere.
pub fn waiting_room(i: usize, stage: &Stage, infra: &Infra) -> Option<u32> {
    match i {
        API => infra.api_max_queue,
        DB if stage.database.as_ref().is_some_and(|d| d.reject_when_busy) => Some(0),
        _ => None,
    }
}

#[inline]
fn record_wait(a: &mut StationAcc, w: f64) {
    if w > 0.0 {
        a.waited += 1;
    }
    a.wait_sum += w;
    record(&mut a.wait, w);
}
