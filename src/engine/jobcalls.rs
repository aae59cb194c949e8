//! The external calls a background job makes (`queue.calls`): part of its duration. A job
//! makes its calls one after another when it starts, then does its own work (`job_time`).
//!
//! Each external API admits the jobs' calls through a smooth limiter: call starts at least
//! `1 / rate` seconds apart, reserved first come first served when a job starts (a job
//! reserves its later calls at the times they will start). This is the scheduled runs'
//! limiter (`crate::sched::runsim`); the jobs' limiter is separate from the fixed one-minute
//! window that refuses requests' calls (`request.rs`). Without a `rate_limit` nothing waits.

use super::Engine;

impl Engine<'_> {
    /// Seconds a job starting now spends on its calls, waits for the limiters included.
    pub(super) fn job_calls_time(&mut self) -> f64 {
        let mut t = self.now;
        for k in 0..self.cfg.job_calls.len() {
            let (ext, n) = self.cfg.job_calls[k];
            for _ in 0..n {
                let start = t.max(self.job_ext_next[ext]);
                if let Some(per_minute) = self.cfg.externals[ext].per_minute {
                    self.job_ext_next[ext] = start + 60.0 / per_minute;
                }
                t = start + self.cfg.externals[ext].latency.sample(&mut self.rng);
            }
        }
        t - self.now
    }

    /// Every limiter free from now on (a restart or a new configuration).
    pub(super) fn reset_job_limiters(&mut self) {
        self.job_ext_next.clear();
        self.job_ext_next
            .extend(self.cfg.externals.iter().map(|_| f64::NEG_INFINITY));
    }
}
