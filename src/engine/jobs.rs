//! Background jobs, BullMQ semantics: worker slots and a fixed-window rate limiter.

use super::acc::{record_wait, PeriodAcc};
use super::event::{EV_JOB_DONE, EV_LIMITER};
use super::station::JOBS;
use super::Engine;

impl Engine<'_> {
    pub(super) fn enqueue_job(&mut self, acc: &mut PeriodAcc) {
        self.advance_jobs(acc);
        self.job_queue.push_back(self.now);
        if self.measuring {
            acc.jobs.arrivals += 1;
            acc.job_backlog_max = acc.job_backlog_max.max(self.job_queue.len() as u32);
            acc.jobs.max_queue = acc.job_backlog_max;
        }
        if self.job_queue.len() as u32 > self.cfg.max_in_flight {
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
    pub(super) fn try_start_jobs(&mut self, acc: &mut PeriodAcc) {
        self.advance_jobs(acc);
        if self.fault.on && self.fault.set.jobs_blocked {
            self.fail_queued_jobs();
            return;
        }
        while self.job_busy < self.cfg.job_slots && !self.job_queue.is_empty() {
            if let Some((max, per)) = self.cfg.job_limit {
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
            let mut s = self.cfg.job_time.sample(&mut self.rng);
            if self.fault.on {
                s *= self.fault.set.job_slowdown;
            }
            s += self.job_calls_time();
            self.scale.job_wait_sum += self.now - enq;
            self.scale.job_wait_n += 1;
            if self.measuring {
                let a = &mut acc.jobs;
                a.max_busy = a.max_busy.max(self.job_busy);
                record_wait(a, self.now - enq);
                a.service_sum += s;
                a.service_sq_sum += s * s;
                a.sojourn_sum += self.now - enq + s;
                a.sojourn.record(self.now - enq + s);
            }
            let tag = self.probe.start();
            self.push(self.now + s, EV_JOB_DONE, tag, 0);
        }
    }

    /// A job is done; `tag` is [`super::probe::BATCH_JOB`] for a probed batch's job.
    pub(super) fn on_job_done(&mut self, tag: u32, acc: &mut PeriodAcc) {
        self.advance_jobs(acc);
        self.job_busy -= 1;
        if tag == super::probe::BATCH_JOB {
            self.batch_job_done();
        }
        if self.measuring {
            acc.jobs.served += 1;
        }
        self.try_start_jobs(acc);
    }
}
