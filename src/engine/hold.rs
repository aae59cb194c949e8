//! Database connections held by something other than a request: a scheduled run
//! (`crate::sched`) that keeps `k` connections of the pool from its start to its end.
//!
//! [`Engine::hold_connections`] pushes two events. At the start the hold takes as many of its
//! connections as are free at once, and the rest one by one as they free up. A connection a
//! request gives back goes to the oldest hold still short of its connections before the next
//! waiting request: a batch job's connection pool checks connections out as soon as the
//! database has them, ahead of the API's next query, so this is the harder case for requests
//! (a run never gives back a connection it got before its end). At the end the hold gives
//! back every connection it got, drops those it still waited for, and waiting requests start
//! as connections free.
//!
//! Held connections count in the database station's `busy` (so its utilization and
//! `db_connections_max` are the connection use of requests and runs together) and, apart, in
//! [`Station::reserved`](super::station::Station) and the accumulator's `reserved_area`,
//! `min_reserved` and `max_reserved`. Per tag (a job), the connections its holds got are
//! integrated over the measured time ([`Engine::held_area`]). With no hold, nothing here runs:
//! no event, no random draw, and the run is the one without this module.

use super::acc::PeriodAcc;
use super::event::{EV_HOLD_END, EV_HOLD_START};
use super::station::DB;
use super::Engine;
use std::collections::VecDeque;

/// One hold: connections wanted and got, and whose it is.
#[derive(Debug, Clone, Copy, Default)]
struct Hold {
    want: u32,
    got: u32,
    tag: u32,
}

/// The engine's holds.
#[derive(Debug, Clone, Default)]
pub(super) struct Holds {
    /// By id (an event's `id`); ids of ended holds are reused.
    list: Vec<Hold>,
    free: Vec<u32>,
    /// Active holds short of connections, oldest first.
    pending: VecDeque<u32>,
    /// Per tag: connections its active holds got, and their integral over measured time
    /// (connection-seconds).
    by_tag: Vec<(u32, f64)>,
    last: f64,
}

impl Holds {
    /// No hold, at time `start`.
    pub fn reset(&mut self, start: f64) {
        self.list.clear();
        self.free.clear();
        self.pending.clear();
        self.by_tag.clear();
        self.last = start;
    }

    /// Whether a hold waits for a connection (the only test on the requests' path).
    #[inline]
    pub fn pending(&self) -> bool {
        !self.pending.is_empty()
    }
}

impl Engine<'_> {
    /// A hold of `k` database connections from `start` to `end` (seconds, `start` clamped to
    /// now), counted under `tag`. Nothing happens for `k = 0`, a pool of no connections, or an
    /// empty interval. Returns whether it was scheduled.
    pub fn hold_connections(&mut self, start: f64, end: f64, k: u32, tag: u32) -> bool {
        let start = start.max(self.now);
        if k == 0 || self.cfg.station(DB).servers == 0 || end <= start {
            return false;
        }
        let hold = Hold { want: k, got: 0, tag };
        let id = match self.holds.free.pop() {
            Some(i) => {
                self.holds.list[i as usize] = hold;
                i
            }
            None => {
                self.holds.list.push(hold);
                (self.holds.list.len() - 1) as u32
            }
        };
        let tags = self.holds.by_tag.len().max(tag as usize + 1);
        self.holds.by_tag.resize(tags, (0, 0.0));
        self.push(start, EV_HOLD_START, id, 0);
        self.push(end, EV_HOLD_END, id, 0);
        true
    }

    /// Connection-seconds the holds tagged `tag` got since measuring began (0 for a tag
    /// never held). Call after [`Engine::flush`] (`run_until` ends with one).
    pub fn held_area(&self, tag: u32) -> f64 {
        self.holds.by_tag.get(tag as usize).map_or(0.0, |t| t.1)
    }

    /// Brings the per-tag integrals up to now.
    pub(super) fn advance_holds(&mut self) {
        let dt = self.now - self.holds.last;
        if dt > 0.0 && self.measuring {
            for t in &mut self.holds.by_tag {
                t.1 += f64::from(t.0) * dt;
            }
        }
        self.holds.last = self.now;
    }

    /// Measuring starts: the per-tag integrals and the reserved extremes start from now.
    pub(super) fn holds_begin_measuring(&mut self, acc: &mut PeriodAcc) {
        for t in &mut self.holds.by_tag {
            t.1 = 0.0;
        }
        let s = &self.stations[DB];
        let a = &mut acc.stations[DB];
        (a.min_reserved, a.max_reserved) = (s.reserved, s.reserved);
        // Connections held from before count as in use (requests' are counted when they
        // change hands, as before this module: nothing changes without a hold).
        if s.reserved > 0 {
            a.max_busy = a.max_busy.max(s.busy);
        }
    }

    /// Adds `n` connections to hold `id` (they are already counted free).
    fn hold_take(&mut self, id: u32, n: u32, acc: &mut PeriodAcc) {
        self.advance_holds();
        let h = &mut self.holds.list[id as usize];
        h.got += n;
        self.holds.by_tag[h.tag as usize].0 += n;
        let s = &mut self.stations[DB];
        s.busy += n;
        s.reserved += n;
        if self.measuring {
            let a = &mut acc.stations[DB];
            a.max_busy = a.max_busy.max(s.busy);
            a.max_reserved = a.max_reserved.max(s.reserved);
        }
    }

    pub(super) fn on_hold_start(&mut self, id: u32, acc: &mut PeriodAcc) {
        self.advance_station(DB, acc);
        let s = &self.stations[DB];
        let free = s.cfg.servers.saturating_sub(s.busy);
        let h = &self.holds.list[id as usize];
        let n = h.want.min(free);
        if n < h.want {
            self.holds.pending.push_back(id);
        }
        self.hold_take(id, n, acc);
    }

    /// A connection was freed (the station has one below its servers): the oldest pending
    /// hold takes it. The caller has brought the station's integrals up to now.
    pub(super) fn hold_take_freed(&mut self, acc: &mut PeriodAcc) {
        let Some(&id) = self.holds.pending.front() else { return };
        self.hold_take(id, 1, acc);
        let h = self.holds.list[id as usize];
        if h.got >= h.want {
            self.holds.pending.pop_front();
        }
    }

    /// Gives free connections to pending holds first (after the pool grew).
    pub(super) fn holds_fill(&mut self, acc: &mut PeriodAcc) {
        while self.holds.pending() && self.stations[DB].busy < self.stations[DB].cfg.servers {
            self.hold_take_freed(acc);
        }
    }

    pub(super) fn on_hold_end(&mut self, id: u32, acc: &mut PeriodAcc) {
        self.advance_station(DB, acc);
        self.advance_holds();
        let h = self.holds.list[id as usize];
        if h.got < h.want {
            self.holds.pending.retain(|&p| p != id);
        }
        self.holds.by_tag[h.tag as usize].0 -= h.got;
        let s = &mut self.stations[DB];
        s.busy -= h.got;
        s.reserved -= h.got;
        if self.measuring {
            let a = &mut acc.stations[DB];
            a.min_reserved = a.min_reserved.min(s.reserved);
        }
        self.holds.list[id as usize] = Hold::default();
        self.holds.free.push(id);
        // Other pending holds first, then the waiting requests.
        self.holds_fill(acc);
        while self.stations[DB].busy < self.stations[DB].cfg.servers {
            if !self.start_next_waiting(DB, acc) {
                break;
            }
        }
    }
}

#[cfg(test)]
#[path = "hold_tests.rs"]
mod tests;
