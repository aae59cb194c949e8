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

mod acc;
pub mod autoscale;
mod clientlimit;
mod config;
mod event;
pub mod fault;
mod hold;
mod jobcalls;
mod jobs;
mod probe;
mod request;
mod scaleset;
pub mod station;

pub use acc::{PeriodAcc, StationAcc, Unstable};
pub use autoscale::{ScaleAcc, ScaleConfig};
pub use config::{station_servers, waiting_room, EngineConfig};
pub use station::{StationConfig, StationId, StationKind, API, CPU, DB, JOBS, KINDS, REQUEST_STATIONS, VEC};

use crate::dist::Dist;
use crate::event_queue::EventQueue;
use crate::scenario::model::{Scenario, Traffic};
use event::{
    key_time, time_key, Event, EV_ARRIVAL, EV_DELAY, EV_DONE, EV_HOLD_END, EV_HOLD_START, EV_JOB_DONE, EV_JOB_RETRY,
    EV_LIMITER, EV_SCALE, EV_THINK, EV_TIMEOUT,
};
use rand::rngs::SmallRng;
use rand::Rng;
use rand_distr::{Distribution, Exp1};
use request::Req;
use station::{PerStation, Station};
use std::collections::VecDeque;

/// One discrete-event run of a stage: configured as a whole from an [`EngineConfig`], run
/// with [`Engine::run_until`], reconfigured as a whole after a scaling action
/// ([`Engine::reconfigure`]) and, between busy windows, emptied and reseeded without
/// reallocating ([`Engine::restart`]).
pub struct Engine<'s> {
    scenario: &'s Scenario,
    cfg: EngineConfig,
    now: f64,
    seq: u64,
    heap: EventQueue<Event>,
    rng: SmallRng,
    stations: PerStation<Station>,
    reqs: Vec<Req>,
    free_reqs: Vec<u32>,
    in_flight: u32,
    sessions: Vec<u32>,
    free_sessions: Vec<u32>,
    open_sessions: u32,
    sessions_last: f64,
    db_read_only: bool,
    /// Per external service, its fixed one-minute window: (calls so far, window end).
    ext_windows: Vec<(f64, f64)>,
    /// Per external service, the earliest start of the jobs' next call (`jobcalls.rs`).
    job_ext_next: Vec<f64>,
    // Background jobs (BullMQ semantics).
    job_busy: u32,
    job_queue: VecDeque<f64>,
    job_window_count: u32,
    job_window_end: f64,
    limiter_armed: bool,
    jobs_last: f64,
    /// Arrivals stop at this time (end of the run).
    arrivals_until: f64,
    measuring: bool,
    /// Arrival rates before this time are taken at this time (stationary warm-up).
    rate_from: f64,
    /// The current hour of the arrival process and its rate.
    seg_start: f64,
    seg_end: f64,
    seg_rate: f64,
    stopped_unstable: bool,
    /// Faulty components, if any (`fault.rs`).
    fault: fault::Faults,
    /// Autoscaled replica sets (`autoscale.rs`).
    scale: autoscale::Scaler,
    /// The per-client rate limit's counters (`clientlimit.rs`).
    clients: clientlimit::ClientLimiter,
    /// The cache's hit rate now: given, or its TTL model's at this hour's lookup rate.
    cache_hit: f64,
    /// The batch a probe watches, if any (`probe.rs`).
    probe: probe::BatchProbe,
    /// Database connections held by scheduled runs (`hold.rs`).
    holds: hold::Holds,
}

impl<'s> Engine<'s> {
    /// A new, empty system at time `start` configured by `cfg`.
    pub fn new(scenario: &'s Scenario, cfg: EngineConfig, rng: SmallRng, start: f64) -> Self {
        Self::with_rate_from(scenario, cfg, rng, start, f64::NEG_INFINITY)
    }

    /// A new, empty system at time `start`; arrivals before `rate_from` follow the rate at that
    /// time (so a warm-up before a busy window is stationary).
    pub fn with_rate_from(
        scenario: &'s Scenario,
        cfg: EngineConfig,
        rng: SmallRng,
        start: f64,
        rate_from: f64,
    ) -> Self {
        let mut e = Engine {
            scenario,
            stations: PerStation::from_fn(|i| Station::new(cfg.station(i), start)),
            cfg,
            now: start,
            seq: 0,
            heap: EventQueue::new(start),
            rng,
            reqs: Vec::with_capacity(256),
            free_reqs: Vec::new(),
            in_flight: 0,
            sessions: Vec::new(),
            free_sessions: Vec::new(),
            open_sessions: 0,
            sessions_last: start,
            db_read_only: false,
            ext_windows: Vec::new(),
            job_ext_next: Vec::new(),
            job_busy: 0,
            job_queue: VecDeque::new(),
            job_window_count: 0,
            job_window_end: f64::NEG_INFINITY,
            limiter_armed: false,
            jobs_last: start,
            arrivals_until: start,
            measuring: false,
            rate_from,
            seg_start: f64::INFINITY,
            seg_end: f64::NEG_INFINITY,
            seg_rate: 0.0,
            stopped_unstable: false,
            fault: fault::Faults::default(),
            scale: Default::default(),
            clients: Default::default(),
            cache_hit: 0.0,
            probe: Default::default(),
            holds: Default::default(),
        };
        e.restart(None, e.rng.clone(), start, rate_from);
        e
    }

    /// Empties the system and starts it again at `start` from `rng` (with `cfg`, if given),
    /// keeping every allocation: the same as a new engine, without building one. Arrivals
    /// before `rate_from` follow the rate at that time.
    pub fn restart(&mut self, cfg: Option<EngineConfig>, rng: SmallRng, start: f64, rate_from: f64) {
        if let Some(cfg) = cfg {
            self.cfg = cfg;
        }
        self.now = start;
        self.seq = 0;
        self.heap.clear(start);
        self.rng = rng;
        self.client_limit_restart();
        for (s, c) in self.stations.0.iter_mut().zip(&self.cfg.stations.0) {
            s.reset(*c, start);
        }
        self.reqs.clear();
        self.free_reqs.clear();
        self.in_flight = 0;
        self.sessions.clear();
        self.free_sessions.clear();
        self.open_sessions = 0;
        self.sessions_last = start;
        self.db_read_only = false;
        self.reset_external_windows();
        self.job_busy = 0;
        self.job_queue.clear();
        self.job_window_count = 0;
        self.job_window_end = f64::NEG_INFINITY;
        self.limiter_armed = false;
        self.jobs_last = start;
        self.probe = Default::default();
        self.arrivals_until = start;
        self.measuring = false;
        self.rate_from = rate_from;
        self.seg_start = f64::INFINITY;
        self.seg_end = f64::NEG_INFINITY;
        self.seg_rate = 0.0;
        self.cache_hit = self.cfg.cache_hit;
        self.stopped_unstable = false;
        self.fault.reset();
        self.holds.reset(start);
        self.scale_restart(start);
        self.schedule_arrival(start);
    }

    fn reset_external_windows(&mut self) {
        self.ext_windows.clear();
        self.ext_windows
            .extend(self.cfg.externals.iter().map(|_| (0.0, f64::NEG_INFINITY)));
        self.reset_job_limiters();
    }

    /// Applies a new configuration from now on (after a scaling action). Busy servers above a
    /// reduced capacity finish their work; waiting requests start as capacity allows; external
    /// services' rate-limit windows start afresh.
    pub fn reconfigure(&mut self, cfg: EngineConfig, acc: &mut PeriodAcc) {
        self.cfg = cfg;
        self.cache_hit = self.cfg.cache_hit;
        if self.seg_start.is_finite() {
            self.update_cache_hit();
        }
        self.reset_external_windows();
        for i in REQUEST_STATIONS {
            self.advance_station(i, acc);
            let c = self.cfg.station(i);
            self.stations[i].cfg = c;
            acc.stations[i].servers = c.servers;
            if i == DB {
                self.holds_fill(acc);
            }
            while self.stations[i].busy < c.servers {
                if !self.start_next_waiting(i, acc) {
                    break;
                }
            }
        }
        acc.jobs.servers = self.cfg.job_slots;
        self.try_start_jobs(acc);
        self.scale_reconfigured(acc);
    }

    /// Starts recording into accumulators from now on.
    pub fn begin_measuring(&mut self, acc: &mut PeriodAcc) {
        self.flush(acc);
        self.measuring = true;
        self.holds_begin_measuring(acc);
    }

    /// Stops recording (time integrals are brought up to now first).
    pub fn end_measuring(&mut self, acc: &mut PeriodAcc) {
        self.flush(acc);
        self.measuring = false;
    }

    /// The simulation clock.
    pub fn now(&self) -> f64 {
        self.now
    }

    /// Whether the run stopped because arrivals outgrew capacity (nothing after is simulated).
    pub fn stopped_unstable(&self) -> bool {
        self.stopped_unstable
    }

    /// Open sessions right now.
    pub fn open_sessions(&self) -> u32 {
        self.open_sessions
    }

    pub fn set_read_only(&mut self, ro: bool) {
        self.db_read_only = ro;
    }

    #[inline]
    pub(super) fn push(&mut self, time: f64, kind: u8, id: u32, aux: u32) {
        self.seq += 1;
        let payload = ((kind as u64) << 56) | (((aux & 0xFF_FFFF) as u64) << 32) | id as u64;
        let ev = Event {
            key: time_key(time),
            seq: self.seq,
            payload,
        };
        self.heap.push_at(ev, time);
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
                self.seg_rate = self.scenario.traffic.arrival_rate_at(self.rate_time());
                self.update_cache_hit();
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

    /// When the current hour's rates are taken: its middle, and before `rate_from` (a busy
    /// window's warm-up) the window's own hour.
    fn rate_time(&self) -> f64 {
        self.seg_start.max(self.rate_from) + 1800.0
    }

    /// A TTL cache's hit rate at the current hour's lookup rate (the hour the arrivals are in).
    fn update_cache_hit(&mut self) {
        if let Some(m) = &self.cfg.cache_ttl {
            let lookups = self.scenario.traffic.request_rate_at(self.rate_time()) * self.cfg.lookups_per_request;
            self.cache_hit = m.hit_rate(lookups);
        }
    }

    pub(super) fn advance_station(&mut self, i: StationId, acc: &mut PeriodAcc) {
        let s = &mut self.stations[i];
        let dt = self.now - s.last;
        if dt > 0.0 && self.measuring {
            let a = &mut acc.stations[i];
            a.busy_area += s.busy as f64 * dt;
            a.queue_area += s.live_waiting as f64 * dt;
            a.reserved_area += s.reserved as f64 * dt;
        }
        s.last = self.now;
    }

    pub(super) fn advance_sessions(&mut self, acc: &mut PeriodAcc) {
        let dt = self.now - self.sessions_last;
        if dt > 0.0 && self.measuring {
            acc.sessions_area += self.open_sessions as f64 * dt;
        }
        self.sessions_last = self.now;
    }

    pub(super) fn advance_jobs(&mut self, acc: &mut PeriodAcc) {
        let dt = self.now - self.jobs_last;
        if dt > 0.0 && self.measuring {
            acc.jobs.busy_area += self.job_busy as f64 * dt;
            acc.jobs.queue_area += self.job_queue.len() as f64 * dt;
        }
        self.jobs_last = self.now;
    }

    /// Brings time integrals up to `now` (call before reading an accumulator).
    pub fn flush(&mut self, acc: &mut PeriodAcc) {
        for i in REQUEST_STATIONS {
            self.advance_station(i, acc);
        }
        self.advance_sessions(acc);
        self.advance_jobs(acc);
        self.advance_scale(acc);
        self.advance_holds();
    }

    /// Runs events up to `until` (arrivals continue past it unless `stop_arrivals`).
    /// Does nothing once the run has stopped as unstable: what follows is not simulated.
    pub fn run_until(&mut self, until: f64, acc: &mut PeriodAcc) {
        if self.stopped_unstable {
            return;
        }
        self.arrivals_until = self.arrivals_until.max(until);
        let until_key = time_key(until);
        while let Some(ev) = self.heap.pop_if(|e| e.key <= until_key) {
            self.now = key_time(ev.key);
            match ev.kind() {
                EV_ARRIVAL => self.on_arrival(acc),
                EV_DONE => self.on_done(StationId::from_index(ev.aux() as usize), ev.id(), acc),
                EV_DELAY => self.on_delay(ev.id(), acc),
                EV_TIMEOUT => self.on_timeout(ev.id(), ev.aux(), ev.seq, acc),
                EV_THINK => self.start_request(ev.id(), acc),
                EV_JOB_DONE => self.on_job_done(ev.id(), acc),
                EV_LIMITER => {
                    self.limiter_armed = false;
                    self.try_start_jobs(acc);
                }
                EV_JOB_RETRY => self.on_job_retry(acc),
                EV_SCALE => self.on_scale(ev.aux() as usize, ev.id(), acc),
                EV_HOLD_START => self.on_hold_start(ev.id(), acc),
                EV_HOLD_END => self.on_hold_end(ev.id(), acc),
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

    pub(super) fn unstable(&mut self, acc: &mut PeriodAcc, station: StationId, message: String) {
        self.stopped_unstable = true;
        if acc.unstable.is_none() {
            acc.unstable = Some(Unstable {
                station,
                time: self.now,
                message,
            });
        }
    }

    /// Requests waiting at each request station and jobs waiting ([`JOBS`]) right now, by
    /// [`StationId::index`].
    pub fn backlog(&self) -> [u32; KINDS.len()] {
        let mut out = [0; KINDS.len()];
        for (i, s) in self.stations.iter() {
            out[i.index()] = s.live_waiting;
        }
        out[JOBS.index()] = u32::try_from(self.job_queue.len()).unwrap_or(u32::MAX);
        out
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
        let length = self.cfg.requests_per_session * self.cfg.think.mean();
        let mean = rate * length;
        if mean.is_nan() || mean <= 0.0 {
            return;
        }
        let k = match rand_distr::Poisson::new(mean) {
            Ok(p) => p.sample(&mut self.rng) as u64,
            Err(_) => return,
        };
        let exponential_think = matches!(self.cfg.think, Dist::Exponential { .. });
        for _ in 0..k {
            let total = self.sample_count(self.cfg.session_requests).max(1) as u32;
            let remaining = self.rng.gen_range(1..=total);
            let think = self.cfg.think.sample(&mut self.rng);
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
            self.client_session_opened(id);
            self.push(self.now + residual, EV_THINK, id, 0);
        }
    }

    fn on_arrival(&mut self, acc: &mut PeriodAcc) {
        let now = self.now;
        self.schedule_arrival(now);
        match self.scenario.traffic {
            Traffic::Sessions { .. } => {
                let n = self.sample_count(self.cfg.session_requests) as u32;
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
                self.client_session_opened(id);
                self.start_request(id, acc);
            }
            Traffic::Open { .. } => self.start_request(u32::MAX, acc),
        }
    }
}

#[cfg(test)]
mod tests;
