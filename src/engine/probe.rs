//! A batch probe inside the engine: N jobs enqueued at once on top of the traffic's own jobs,
//! tagged so that the engine knows when the last of them is done (`crate::batch::probe` drives
//! it: how long a batch takes to drain at the peak, with the traffic).
//!
//! The queue is first in, first out, so the batch's jobs are the ones whose start number (jobs
//! started since the restart, in order) falls in `[first, first + n)`, where `first` counts the
//! jobs started before the batch and those waiting ahead of it. A job's start number is one
//! counter increment and one compare; a tagged job's `EV_JOB_DONE` event carries id 1 (the
//! traffic's jobs carry 0), and its completion is counted. Without a batch (`n` = 0) nothing
//! is tagged and nothing changes: no random draw, no event.
//!
//! Jobs retried after a fault re-enter the queue at its back out of their start order: the
//! probe runs without faults (it is restarted, and nothing sets any), so this never occurs.

use super::acc::PeriodAcc;
use super::Engine;

/// The batch a probe engine watches (all zero: none).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct BatchProbe {
    /// Jobs started since the restart (count).
    started: u64,
    /// Start number of the batch's first job, and its jobs (count).
    first: u64,
    n: u64,
    /// Batch jobs done (count).
    done: u64,
    /// When its last job was done (`None`: not yet).
    drained_at: Option<f64>,
}

/// The id of a batch job's `EV_JOB_DONE` event.
pub(super) const BATCH_JOB: u32 = 1;

impl BatchProbe {
    /// Numbers the job starting now; the id its completion event carries.
    #[inline]
    pub(super) fn start(&mut self) -> u32 {
        let k = self.started.wrapping_sub(self.first);
        self.started += 1;
        u32::from(k < self.n)
    }
}

impl Engine<'_> {
    /// Enqueues a batch of `n` jobs now, behind the jobs already waiting, and watches it.
    /// Replaces any batch watched before.
    pub fn enqueue_batch(&mut self, n: u32, acc: &mut PeriodAcc) {
        self.probe = BatchProbe {
            started: self.probe.started,
            first: self.probe.started + self.job_queue.len() as u64,
            n: u64::from(n),
            done: 0,
            drained_at: (n == 0).then_some(self.now),
        };
        for _ in 0..n {
            self.enqueue_job(acc);
            if self.stopped_unstable {
                return;
            }
        }
    }

    /// When the watched batch's last job was done (`None`: not yet, or no batch).
    pub fn batch_drained_at(&self) -> Option<f64> {
        self.probe.drained_at
    }

    /// A tagged job is done.
    pub(super) fn batch_job_done(&mut self) {
        self.probe.done += 1;
        if self.probe.done == self.probe.n {
            self.probe.drained_at = Some(self.now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_batchs_start_numbers_are_tagged() {
        // No batch: nothing is tagged, however many jobs start.
        let mut p = BatchProbe::default();
        assert!((0..1000).all(|_| p.start() == 0));
        // A batch of 3 behind 2 waiting jobs, after 1000 started: starts 1002..1005 are its.
        p.first = p.started + 2;
        p.n = 3;
        let tags: Vec<u32> = (0..7).map(|_| p.start()).collect();
        assert_eq!(tags, [0, 0, BATCH_JOB, BATCH_JOB, BATCH_JOB, 0, 0]);
    }
}
