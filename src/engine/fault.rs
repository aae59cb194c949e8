//! Faults inside the engine: while [`Faults::on`], a component is down (requests needing it
//! fail, or go on without it, by its health rule) or slower, and background jobs whose
//! dependency is down fail their attempt and are retried after a backoff, up to a number of
//! attempts, then lost.
//!
//! The engine is told what is faulty from outside ([`Engine::set_faults`] and
//! [`Engine::clear_faults`], between two `run_until` calls), as it is told that the database is
//! read-only: no event of its own starts or ends a fault. With no fault set, each hook in the
//! request path is one untaken branch on [`Faults::on`] and nothing else changes (no random
//! draw, no event): a zero-length fault is no fault.

use super::acc::PeriodAcc;
use super::event::EV_JOB_RETRY;
use super::Engine;
use std::collections::VecDeque;

/// What a request (or job) needing a component does while it is faulty.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Effect {
    /// Working.
    #[default]
    Normal,
    /// Down with rule `down`: the request fails where it needs it.
    Fail,
    /// Down with rule `degraded`: the request goes on without it (a cache lookup misses, a
    /// query, vector search or call is skipped).
    Bypass,
    /// Degraded: its service times are multiplied by the factor.
    Slow(f64),
}

impl Effect {
    /// The factor service times are multiplied by.
    #[inline]
    pub fn factor(self) -> f64 {
        match self {
            Effect::Slow(k) => k,
            _ => 1.0,
        }
    }
}

/// What is faulty, by engine component (externals by their index in the stage).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultSet {
    pub database: Effect,
    pub cache: Effect,
    pub vector_store: Effect,
    pub external: Vec<Effect>,
    /// Jobs' attempts fail (a component they need is down).
    pub jobs_blocked: bool,
    /// Job times are multiplied by this (a component they need is degraded); 1 otherwise.
    pub job_slowdown: f64,
    /// Attempts a job gets in all, and the seconds between two.
    pub attempts: u32,
    pub backoff: f64,
}

/// What the faults did, counted from [`Engine::set_faults`] on (whether measuring or not).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FaultCounts {
    /// Requests that failed because a component they needed was down.
    pub failed: u64,
    /// Requests that went on without a component (rule `degraded`).
    pub bypassed: u64,
    /// Job attempts that failed and were scheduled again.
    pub retried: u64,
    /// Jobs lost after their last attempt.
    pub lost: u64,
}

/// The engine's fault state.
#[derive(Debug, Default)]
pub struct Faults {
    /// Whether any fault is set: the only thing the request path reads when none is.
    pub(super) on: bool,
    pub(super) set: FaultSet,
    /// Jobs waiting for their next attempt: (enqueue time, attempts made), in the order they
    /// become due (the backoff is the same for all).
    delayed: VecDeque<(f64, u32)>,
    pub(super) counts: FaultCounts,
}

impl Faults {
    /// Forgets everything (a restarted engine has no fault).
    pub(super) fn reset(&mut self) {
        self.on = false;
        self.set = FaultSet::default();
        self.delayed.clear();
        self.counts = FaultCounts::default();
    }
}

impl Engine<'_> {
    /// Makes `set` the faulty components from now on.
    pub fn set_faults(&mut self, set: FaultSet) {
        self.fault.on = true;
        self.fault.set = set;
    }

    /// Every component works again from now on (jobs waiting for a retry keep their schedule).
    pub fn clear_faults(&mut self) {
        self.fault.on = false;
        self.fault.set.jobs_blocked = false;
        self.fault.set.job_slowdown = 1.0;
    }

    /// What the faults did since they were set.
    pub fn fault_counts(&self) -> FaultCounts {
        self.fault.counts
    }

    /// Jobs waiting for a retry.
    pub fn jobs_delayed(&self) -> usize {
        self.fault.delayed.len()
    }

    /// A request fails because a component it needs is down.
    pub(super) fn fail_by_fault(&mut self, id: u32, acc: &mut PeriodAcc) {
        self.fault.counts.failed += 1;
        self.fail(id, acc);
    }

    /// While jobs are blocked: every waiting job makes an attempt that fails at once (no
    /// worker slot held, not counted by the rate limiter) and waits for its next one.
    pub(super) fn fail_queued_jobs(&mut self) {
        while let Some(enq) = self.job_queue.pop_front() {
            self.job_attempt_failed(enq, 1);
        }
    }

    fn job_attempt_failed(&mut self, enq: f64, attempts: u32) {
        if attempts >= self.fault.set.attempts {
            self.fault.counts.lost += 1;
            return;
        }
        self.fault.counts.retried += 1;
        self.fault.delayed.push_back((enq, attempts));
        self.push(self.now + self.fault.set.backoff, EV_JOB_RETRY, 0, 0);
    }

    /// A delayed job's next attempt is due: it fails again while jobs are blocked, else it
    /// waits for a worker like any job.
    pub(super) fn on_job_retry(&mut self, acc: &mut PeriodAcc) {
        let Some((enq, attempts)) = self.fault.delayed.pop_front() else {
            return;
        };
        if self.fault.on && self.fault.set.jobs_blocked {
            self.job_attempt_failed(enq, attempts + 1);
            return;
        }
        self.advance_jobs(acc);
        self.job_queue.push_back(enq);
        self.try_start_jobs(acc);
    }
}
