//! A request's path through the stations: arrival at the API workers, CPU work, cache
//! lookups, database connection, vector store, external calls, background jobs, the end.

use super::acc::{record_wait, PeriodAcc};
use super::config::Count;
use super::event::{EV_DELAY, EV_DONE, EV_THINK, EV_TIMEOUT};
use super::fault::Effect;
use super::station::{StationId, API, CPU, DB, VEC};
use super::Engine;
use rand::Rng;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    Worker,
    Cpu,
    Cache,
    Db,
    Vector,
    External,
    Finish,
}

#[derive(Clone)]
pub(super) struct Req {
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
    /// Its CPU work started at once, outside the CPU station (see `EngineConfig::cpu_bypass`).
    cpu_bypassed: bool,
}

impl Engine<'_> {
    /// A count with the expected value `c`: its whole part, plus one with the probability of
    /// its fractional part.
    #[inline]
    pub(super) fn sample_count(&mut self, c: Count) -> u64 {
        c.whole + u64::from(c.frac > 0.0 && self.rng.gen::<f64>() < c.frac)
    }

    pub(super) fn start_request(&mut self, session: u32, acc: &mut PeriodAcc) {
        if self.in_flight >= self.cfg.max_in_flight {
            let (i, _) = self
                .stations
                .iter()
                .max_by_key(|(_, s)| s.live_waiting)
                .expect("request stations");
            let msg = format!(
                "{} requests in the system at t = {}: arrivals exceed capacity; the longest queue is at the {} ({} waiting)",
                self.in_flight,
                crate::units::fmt_seconds(self.now),
                i.kind().engine_name,
                self.stations[i].live_waiting
            );
            self.unstable(acc, i, msg);
            return;
        }
        if session != u32::MAX {
            self.sessions[session as usize] -= 1;
        }
        if !self.client_admits(session) {
            // HTTP 429 at once: the session goes on as after any answer.
            if self.measuring {
                acc.client_rejected += 1;
            }
            self.session_next(session, acc);
            return;
        }
        let rtype = if self.cfg.type_cdf.len() == 1 {
            0
        } else {
            let u: f64 = self.rng.gen();
            self.cfg
                .type_cdf
                .iter()
                .position(|c| u < *c)
                .unwrap_or(self.cfg.type_cdf.len() - 1)
        };
        let t = &self.cfg.types[rtype];
        let (db, cache, vector, cpu_only) = (t.db, t.cache, t.vector, t.cpu_only);
        let (cache_left, db_left, vec_left) = if cpu_only {
            (0, 0, 0)
        } else {
            (
                self.sample_count(cache) as u32,
                self.sample_count(db) as u32,
                self.sample_count(vector) as u32,
            )
        };
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
            cache_left,
            db_left,
            vec_left,
            ext_i: 0,
            ext_left: 0,
            api_start: self.now,
            db_batch: 0,
            cpu_bypassed: false,
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
        self.in_flight += 1;
        if self.measuring {
            acc.arrivals += 1;
        }
        self.acquire(API, id, acc);
    }

    /// Takes a server of station `i` for request `id`, or queues it, or rejects it.
    fn acquire(&mut self, i: StationId, id: u32, acc: &mut PeriodAcc) {
        self.advance_station(i, acc);
        if self.measuring {
            acc.stations[i].arrivals += 1;
        }
        let s = &mut self.stations[i];
        if s.busy < s.cfg.servers {
            s.busy += 1;
            if self.measuring {
                let a = &mut acc.stations[i];
                a.max_busy = a.max_busy.max(s.busy);
            }
            self.reqs[id as usize].wait_start = self.now;
            self.begin_service(i, id, acc);
            return;
        }
        if let Some(mq) = s.cfg.max_queue {
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
        let timeout = s.cfg.timeout;
        if self.measuring {
            acc.stations[i].max_queue = acc.stations[i].max_queue.max(s.live_waiting);
        }
        let r = &mut self.reqs[id as usize];
        r.waiting = true;
        r.wait_start = self.now;
        r.timer = 0;
        if let Some(t) = timeout {
            self.push(self.now + t, EV_TIMEOUT, id, i.index() as u32);
            self.reqs[id as usize].timer = self.seq;
        }
    }

    fn begin_service(&mut self, i: StationId, id: u32, acc: &mut PeriodAcc) {
        let service = match i {
            API => {
                // The worker is held; the request moves on to the CPU.
                self.reqs[id as usize].holds_worker = true;
                self.reqs[id as usize].phase = Phase::Cpu;
                self.reqs[id as usize].api_start = self.now;
                self.reqs[id as usize].cpu_bypassed = self.cfg.cpu_bypass;
                if self.measuring {
                    let w = self.now - self.reqs[id as usize].wait_start;
                    record_wait(&mut acc.stations[API], w);
                }
                if self.cfg.cpu_bypass {
                    // A core is always free (no more workers than cores): the CPU is not a
                    // queue. Its busy time is the sum of CPU times, counted when work starts
                    // (a bias of at most one service time per core at the end of a period).
                    let rt = self.reqs[id as usize].rtype as usize;
                    let service = self.cfg.types[rt].cpu.sample(&mut self.rng) / self.cfg.cpu_speed;
                    self.scale.cpu_work += service;
                    if self.measuring {
                        let a = &mut acc.stations[CPU];
                        a.arrivals += 1;
                        a.busy_area += service;
                        a.max_busy = a.max_busy.max(self.stations[API].busy);
                    }
                    // With the worker held throughout, the cache lookups that follow need no
                    // event of their own either: neither step can queue.
                    let cache = if self.cfg.hold_worker && self.reqs[id as usize].cache_left > 0 && !self.fault.on {
                        self.cache_lookups_now(id, acc)
                    } else {
                        0.0
                    };
                    self.push(self.now + service + cache, EV_DONE, id, CPU.index() as u32);
                } else {
                    self.acquire(CPU, id, acc);
                }
                return;
            }
            CPU => {
                let rt = self.reqs[id as usize].rtype as usize;
                let service = self.cfg.types[rt].cpu.sample(&mut self.rng) / self.cfg.cpu_speed;
                self.scale.cpu_work += service;
                service
            }
            DB => {
                let n = self.reqs[id as usize].db_batch;
                let t: f64 = (0..n).map(|_| self.cfg.db_query.sample(&mut self.rng)).sum();
                if self.fault.on {
                    t * self.fault.set.database.factor()
                } else {
                    t
                }
            }
            VEC if self.fault.on => self.cfg.vec_query.sample(&mut self.rng) * self.fault.set.vector_store.factor(),
            VEC => self.cfg.vec_query.sample(&mut self.rng),
            _ => unreachable!(),
        };
        if self.measuring {
            let w = self.now - self.reqs[id as usize].wait_start;
            let a = &mut acc.stations[i];
            record_wait(a, w);
            a.service_sum += service;
            a.service_sq_sum += service * service;
        }
        self.push(self.now + service, EV_DONE, id, i.index() as u32);
    }

    /// Starts the first live waiting request of station `i`, if any.
    pub(super) fn start_next_waiting(&mut self, i: StationId, acc: &mut PeriodAcc) -> bool {
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

    fn release(&mut self, i: StationId, acc: &mut PeriodAcc) {
        self.advance_station(i, acc);
        self.stations[i].busy -= 1;
        if self.stations[i].busy < self.stations[i].cfg.servers {
            // A scheduled run short of its connections takes a freed one first (`hold.rs`).
            if i == DB && self.holds.pending() {
                self.hold_take_freed(acc);
            } else {
                self.start_next_waiting(i, acc);
            }
        }
    }

    pub(super) fn on_done(&mut self, i: StationId, id: u32, acc: &mut PeriodAcc) {
        if i == CPU && self.reqs[id as usize].cpu_bypassed {
            if !self.cfg.hold_worker {
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
            a.sojourn.record(soj);
        }
        self.release(i, acc);
        if i == CPU && !self.cfg.hold_worker {
            // Tandem: the API worker is freed once the CPU work is done.
            self.reqs[id as usize].holds_worker = false;
            self.finish_station(API, id, acc);
            self.release(API, acc);
        }
        self.advance(id, acc);
    }

    /// Records the API station's sojourn for a request leaving it.
    fn finish_station(&mut self, i: StationId, id: u32, acc: &mut PeriodAcc) {
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
    fn cache_lookups_now(&mut self, id: u32, acc: &mut PeriodAcc) -> f64 {
        let n = std::mem::take(&mut self.reqs[id as usize].cache_left);
        let (hit, slow) = match self.fault.on {
            false => (self.cache_hit, 1.0),
            // Bypassed: every lookup misses (its time is still spent finding that out).
            true if self.fault.set.cache == Effect::Bypass => {
                self.fault.counts.bypassed += 1;
                (0.0, 1.0)
            }
            true => (self.cache_hit, self.fault.set.cache.factor()),
        };
        let mut d = 0.0;
        let mut misses = 0;
        for _ in 0..n {
            d += self.cfg.cache_time.sample(&mut self.rng) * slow;
            misses += u32::from(self.rng.gen::<f64>() >= hit);
        }
        if self.measuring {
            acc.cache_lookups += u64::from(n);
            acc.cache_hits += u64::from(n - misses);
        }
        if self.cfg.miss_to_db {
            self.reqs[id as usize].db_left += misses;
        }
        d
    }

    pub(super) fn on_delay(&mut self, id: u32, acc: &mut PeriodAcc) {
        let phase = self.reqs[id as usize].phase;
        if phase == Phase::External {
            let r = &mut self.reqs[id as usize];
            r.ext_left -= 1;
        }
        self.advance(id, acc);
    }

    pub(super) fn on_timeout(&mut self, id: u32, station: u32, seq: u64, acc: &mut PeriodAcc) {
        let i = StationId::from_index(station as usize);
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
            if r.phase == Phase::Cpu && self.cfg.types[r.rtype as usize].cpu_only {
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
                    if r.cache_left > 0 && self.fault.on && self.fault.set.cache == Effect::Fail {
                        self.fail_by_fault(id, acc);
                        return;
                    }
                    if r.cache_left > 0 {
                        let d = self.cache_lookups_now(id, acc);
                        self.push(self.now + d, EV_DELAY, id, 0);
                        return;
                    }
                    r.phase = Phase::Db;
                }
                Phase::Db => {
                    if r.db_left > 0 && self.fault.on && self.fault.set.database != Effect::Normal {
                        match self.fault.set.database {
                            Effect::Fail => return self.fail_by_fault(id, acc),
                            Effect::Bypass => {
                                r.db_left = 0;
                                self.fault.counts.bypassed += 1;
                            }
                            _ => {}
                        }
                    }
                    let r = &mut self.reqs[id as usize];
                    if r.db_left > 0 {
                        if self.db_read_only && self.cfg.types[r.rtype as usize].writes {
                            if self.measuring {
                                acc.read_only += 1;
                            }
                            self.fail(id, acc);
                            return;
                        }
                        // One connection for all of the request's queries (as an ORM session
                        // checks one out per request), or one checkout per query.
                        r.db_batch = if self.cfg.db_per_query { 1 } else { r.db_left };
                        r.db_left -= r.db_batch;
                        self.acquire(DB, id, acc);
                        return;
                    }
                    r.phase = Phase::Vector;
                }
                Phase::Vector => {
                    if r.vec_left > 0 && self.fault.on && self.fault.set.vector_store != Effect::Normal {
                        match self.fault.set.vector_store {
                            Effect::Fail => return self.fail_by_fault(id, acc),
                            Effect::Bypass => {
                                r.vec_left = 0;
                                self.fault.counts.bypassed += 1;
                            }
                            _ => {}
                        }
                    }
                    let r = &mut self.reqs[id as usize];
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
                    let calls = &self.cfg.types[rt].calls;
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
                    self.call_external(ext, id, acc);
                    return;
                }
                Phase::Finish => {
                    let rt = r.rtype as usize;
                    let jobs = self.cfg.types[rt].jobs;
                    if !jobs.is_zero() {
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

    /// One call of request `id` to external service `ext`: refused (429) past the service's
    /// rate limit in its fixed one-minute window, else a delay of its latency.
    fn call_external(&mut self, ext: usize, id: u32, acc: &mut PeriodAcc) {
        let now = self.now;
        let mut slow = 1.0;
        if self.fault.on {
            match self.fault.set.external.get(ext).copied().unwrap_or_default() {
                Effect::Fail => return self.fail_by_fault(id, acc),
                Effect::Bypass => {
                    // Skipped: the call ends at once, without counting against the limit.
                    self.fault.counts.bypassed += 1;
                    self.push(now, EV_DELAY, id, 0);
                    return;
                }
                e => slow = e.factor(),
            }
        }
        let x = &self.cfg.externals[ext];
        if let (Some(max), (count, end)) = (x.per_minute, &mut self.ext_windows[ext]) {
            if now >= *end {
                *end = now + 60.0;
                *count = 0.0;
            }
            if *count >= max {
                if self.measuring {
                    acc.rate_limited += 1;
                }
                self.fail(id, acc);
                return;
            }
            *count += 1.0;
        }
        let d = x.latency.sample(&mut self.rng) * slow;
        self.push(now + d, EV_DELAY, id, 0);
    }

    /// A request fails where it stands (rejection, rate limit, read-only database).
    pub(super) fn fail(&mut self, id: u32, acc: &mut PeriodAcc) {
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
                acc.latency.record(lat);
            }
        }
        self.in_flight -= 1;
        if ok {
            self.free_reqs.push(id);
        }
        self.session_next(session, acc);
    }

    /// After an answer to a request of `session` (none: `u32::MAX`): its next request after a
    /// think time, or its end.
    fn session_next(&mut self, session: u32, acc: &mut PeriodAcc) {
        if session != u32::MAX {
            if self.sessions[session as usize] > 0 && self.now < self.arrivals_until {
                let think = self.cfg.think.sample(&mut self.rng);
                self.push(self.now + think, EV_THINK, session, 0);
            } else {
                self.advance_sessions(acc);
                self.open_sessions -= 1;
                self.free_sessions.push(session);
            }
        }
    }
}
