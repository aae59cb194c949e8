//! Autoscaled replica sets inside the engine: a control event per set every `interval` of
//! simulated time measures the set's metric over the interval just ended, asks the rule
//! ([`crate::autoscale::Autoscale::decide`]) for the replicas wanted and schedules the change
//! `delay` later; the change sets the servers of the set's stations (API: instances × workers
//! and the instances' cores; queue: workers × concurrency). Servers above a reduced count
//! finish their work (a removed replica drains); waiting work starts on added ones.
//!
//! The hooks elsewhere are small: the engine's `scale` field, its restart and reconfigure, the
//! event dispatch, `flush`, one addition per CPU burst (the CPU work measured) and one per job
//! start (the job wait measured). A stage with no `autoscale` schedules no control event.

use super::acc::PeriodAcc;
use super::event::EV_SCALE;
use super::station::{StationId, API, CPU, JOBS};
use super::Engine;
use crate::autoscale::ScaleMetric;
use crate::scenario::limits::MAX_SERVERS;

pub use super::scaleset::{ScaleAcc, ScaleConfig, SETS};
use super::scaleset::{SetConfig, API_SET, QUEUE_SET};
/// Control event ids: evaluate the metric, or apply a decided change.
const EVALUATE: u32 = 0;
const APPLY: u32 = 1;

/// A set's state in a run.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct SetState {
    replicas: u32,
    pending: Option<u32>,
    next_decision: f64,
    /// Its control events are scheduled.
    ticking: bool,
    /// Measurement marks at the last evaluation.
    last_eval: f64,
    capacity_seconds: f64,
    cpu_work_mark: f64,
    wait_sum_mark: f64,
    wait_n_mark: u64,
}

/// The engine's autoscaling state.
#[derive(Debug, Clone, Default)]
pub(super) struct Scaler {
    sets: [SetState; 2],
    /// CPU seconds (at the instances' speed) started since the run began.
    pub cpu_work: f64,
    /// Waits of the jobs started since the run began.
    pub job_wait_sum: f64,
    pub job_wait_n: u64,
    last: f64,
}

impl PeriodAcc {
    /// Server-seconds of station `i` over `measured` seconds: integrated when a set scales it,
    /// else its servers × `measured`.
    pub fn server_seconds(&self, i: StationId, servers: u32, measured: f64) -> f64 {
        let scaled = match i {
            API | CPU => self.scale.active[API_SET],
            JOBS => self.scale.active[QUEUE_SET],
            _ => false,
        };
        if scaled {
            self.scale.server_seconds[i.index()]
        } else {
            servers as f64 * measured
        }
    }

    /// Time-averaged replicas of set `set` over `measured` seconds, if it is autoscaled.
    pub fn mean_replicas(&self, set: usize, measured: f64) -> Option<f64> {
        (self.scale.active[set] && measured > 0.0).then(|| self.scale.replica_seconds[set] / measured)
    }
}

impl Engine<'_> {
    /// Resets the sets for a run starting at `start` at their base count, and schedules their
    /// first evaluations.
    pub(super) fn scale_restart(&mut self, start: f64) {
        self.scale = Scaler {
            last: start,
            ..Scaler::default()
        };
        for set in 0..SETS.len() {
            if let Some(c) = self.cfg.scale.0[set] {
                self.scale.sets[set] = SetState {
                    replicas: c.base,
                    ticking: true,
                    last_eval: start,
                    next_decision: start,
                    ..SetState::default()
                };
                self.push(start + c.rule.interval, EV_SCALE, EVALUATE, set as u32);
            }
        }
    }

    /// After a new configuration: each set keeps its replicas within the new rule's bounds.
    pub(super) fn scale_reconfigured(&mut self, acc: &mut PeriodAcc) {
        self.advance_scale(acc);
        for set in 0..SETS.len() {
            let Some(c) = self.cfg.scale.0[set] else { continue };
            let st = &mut self.scale.sets[set];
            let r = if st.ticking { st.replicas } else { c.base };
            let r = r.clamp(c.rule.min, c.rule.max);
            st.pending = None;
            if !st.ticking {
                st.ticking = true;
                st.last_eval = self.now;
                self.push(self.now + c.rule.interval, EV_SCALE, EVALUATE, set as u32);
            }
            self.set_replicas(set, r, acc);
        }
    }

    /// A control event of set `set`.
    pub(super) fn on_scale(&mut self, set: usize, what: u32, acc: &mut PeriodAcc) {
        let Some(c) = self.cfg.scale.0[set] else {
            self.scale.sets[set].ticking = false;
            return;
        };
        if what == APPLY {
            if let Some(r) = self.scale.sets[set].pending.take() {
                self.set_replicas(set, r.clamp(c.rule.min, c.rule.max), acc);
            }
            return;
        }
        let value = self.measure(set, &c);
        let now = self.now;
        let st = &mut self.scale.sets[set];
        if st.pending.is_none() && now >= st.next_decision {
            let wanted = c.rule.decide(st.replicas, value);
            if wanted != st.replicas {
                st.pending = Some(wanted);
                st.next_decision = now + c.rule.delay + c.rule.cooldown;
                self.push(now + c.rule.delay, EV_SCALE, APPLY, set as u32);
            }
        }
        self.push(now + c.rule.interval, EV_SCALE, EVALUATE, set as u32);
    }

    /// The set's metric over the interval since its last evaluation (backlog: now).
    fn measure(&mut self, set: usize, c: &SetConfig) -> f64 {
        self.advance_scale_capacity(set);
        let now = self.now;
        let st = &mut self.scale.sets[set];
        let value = match c.rule.metric {
            ScaleMetric::Cpu => {
                let work = self.scale.cpu_work - st.cpu_work_mark;
                if st.capacity_seconds > 0.0 {
                    work / st.capacity_seconds
                } else {
                    0.0
                }
            }
            ScaleMetric::Backlog => (self.job_queue.len() as u64 + self.job_busy as u64) as f64,
            ScaleMetric::JobWait => {
                let n = self.scale.job_wait_n - st.wait_n_mark;
                let oldest = self.job_queue.front().map_or(0.0, |enq| now - enq);
                if n > 0 {
                    ((self.scale.job_wait_sum - st.wait_sum_mark) / n as f64).max(oldest)
                } else {
                    oldest
                }
            }
        };
        st.cpu_work_mark = self.scale.cpu_work;
        st.wait_sum_mark = self.scale.job_wait_sum;
        st.wait_n_mark = self.scale.job_wait_n;
        st.capacity_seconds = 0.0;
        st.last_eval = now;
        value
    }

    /// Adds the set's capacity (core-seconds for the API) since its last mark.
    fn advance_scale_capacity(&mut self, set: usize) {
        let st = &mut self.scale.sets[set];
        let dt = self.now - st.last_eval;
        if set == API_SET && dt > 0.0 {
            st.capacity_seconds += self.stations[CPU].cfg.servers as f64 * dt;
        }
        st.last_eval = self.now;
    }

    /// Integrates replicas and scaled servers up to now into the measured window.
    pub(super) fn advance_scale(&mut self, acc: &mut PeriodAcc) {
        let dt = self.now - self.scale.last;
        self.scale.last = self.now;
        if !self.measuring {
            return;
        }
        for set in 0..SETS.len() {
            if self.cfg.scale.0[set].is_none() {
                continue;
            }
            let r = self.scale.sets[set].replicas;
            let a = &mut acc.scale;
            if !a.active[set] {
                a.active[set] = true;
                a.min[set] = r;
            }
            a.min[set] = a.min[set].min(r);
            a.max[set] = a.max[set].max(r);
            if dt > 0.0 {
                a.replica_seconds[set] += r as f64 * dt;
                let stations: &[StationId] = if set == API_SET { &[API, CPU] } else { &[JOBS] };
                for &i in stations {
                    let servers = if i == JOBS {
                        self.cfg.job_slots
                    } else {
                        self.stations[i].cfg.servers
                    };
                    a.server_seconds[i.index()] += servers as f64 * dt;
                }
            }
        }
    }

    /// Runs set `set` with `r` replicas from now on.
    fn set_replicas(&mut self, set: usize, r: u32, acc: &mut PeriodAcc) {
        let Some(c) = self.cfg.scale.0[set] else { return };
        self.advance_scale(acc);
        if set == API_SET {
            self.advance_scale_capacity(set);
        }
        if self.scale.sets[set].replicas != r && self.measuring {
            acc.scale.changes[set] += 1;
        }
        self.scale.sets[set].replicas = r;
        let (slots, cores, speed, bypass) = if r == c.base {
            c.base_servers
        } else {
            let cap = |n: f64| n.min(MAX_SERVERS as f64) as u32;
            let slots = cap(r as f64 * c.per_replica as f64);
            let total = (r as f64 * c.vcpu).min(MAX_SERVERS as f64);
            let cores = cap(total.ceil()).max(1);
            (slots, cores, total / cores as f64, cores >= slots)
        };
        if set == QUEUE_SET {
            self.cfg.job_slots = slots;
            acc.jobs.servers = slots;
            self.try_start_jobs(acc);
            return;
        }
        self.cfg.cpu_speed = speed;
        self.cfg.cpu_bypass = bypass;
        for (i, n) in [(API, slots), (CPU, cores)] {
            self.advance_station(i, acc);
            self.stations[i].cfg.servers = n;
            self.cfg.stations[i].servers = n;
            acc.stations[i].servers = n;
            while self.stations[i].busy < n {
                if !self.start_next_waiting(i, acc) {
                    break;
                }
            }
        }
    }

    /// Replicas each set runs now (`None`: not autoscaled).
    pub fn replicas(&self) -> [Option<u32>; 2] {
        std::array::from_fn(|set| self.cfg.scale.0[set].map(|_| self.scale.sets[set].replicas))
    }
}
