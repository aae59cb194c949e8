//! Batch workloads: a request type with `batch: {jobs: N}` enqueues N jobs at once (ValueRank:
//! a run is 50 scenarios × 6 models = 300 LLM jobs). The report says how long a batch takes to
//! drain, from its enqueue to its last job done, and what one batch costs ([`summary`]).
//!
//! Every report period, one batch of each batch request type is drained on its own on the
//! stage's queue, as a small discrete-event process ([`crate::sched::runsim`]): its N jobs
//! taken in order by the queue's `workers × concurrency` slots; a job makes its external calls
//! (`queue.calls`) one after another, each API admitting call starts at most one per
//! `1 / rate_limit` seconds, then does its own work (`job_time`). The queue's BullMQ limiter
//! (`rate_limit: {max, per}`) is applied as a smooth limiter too (a job start at most every
//! `per / max` seconds): a lower bound of the fixed window's drain, which may start `max` jobs
//! at once at the top of a window. The batch is alone on the queue: the stage's peak
//! configuration, without the other traffic's jobs (the peak window's jobs station reports
//! those). A batch's seed is the replication's seed, the request type's name and the period's
//! start minute only, so drains do not depend on the thread count.
//!
//! The same batch is also drained at the period's peak, with the traffic (its jobs FIFO behind
//! the traffic's jobs waiting, on the same slots, the fixed-window limiter of the engine): the
//! drain the issue asks for, on a probe engine of its own ([`probe`]), so that the window and
//! every other figure are unchanged. Its seed is the replication's seed, the period's index and
//! the request type's name only.
//!
//! So with W workers × C concurrency, a constant job time T and no limit, a batch of N jobs
//! drains in ⌈N / (W·C)⌉ · T; with a limit of L calls per minute on an API each job calls once,
//! in at least (N − 1) / L minutes (tests in `tests/integration/jobwork.rs`).

pub mod probe;
pub mod summary;

use crate::dist::Dist;
use crate::engine::Engine;
use crate::hist::Hist;
use crate::scenario::model::{RequestType, Stage};
use crate::sched::runsim::{self, Api, Work};
use crate::seed::splitmix;
use crate::window::Period;
use rand::SeedableRng;

/// What one batch of `jobs` jobs does on the stage's queue (`None`: the stage has no queue).
pub fn work(stage: &Stage, jobs: u32) -> Option<(Work, Vec<Api>)> {
    let q = stage.queue.as_ref()?;
    let mut apis = Vec::new();
    let mut calls = Vec::new();
    if let Some((max, per)) = q.rate_limit {
        calls.push((0, 1));
        apis.push(Api {
            latency: Dist::Constant(0.0),
            spacing: per / f64::from(max),
        });
    }
    for (name, n) in &q.calls {
        let e = stage.external.iter().find(|e| &e.name == name)?;
        calls.push((apis.len(), *n));
        apis.push(Api {
            latency: e.latency.clone(),
            spacing: e.rate_limit.map_or(0.0, |r| 1.0 / r),
        });
    }
    let work = Work {
        items: u64::from(jobs),
        concurrency: q.workers.saturating_mul(q.concurrency),
        calls,
        cpu: q.job_time.clone(),
        writes: 0,
        write_time: Dist::Constant(0.0),
    };
    Some((work, apis))
}

/// What one replication saw of one batch request type.
#[derive(Debug, Clone)]
pub struct BatchObs {
    /// The request type's name.
    pub request: String,
    /// Jobs in one batch (count).
    pub jobs: u32,
    /// Drain times, seconds.
    pub drains: Hist,
    /// Batches drained (count).
    pub batches: u64,
    /// Sum of the drain times, seconds.
    pub sum: f64,
    /// Longest drain, seconds.
    pub max: f64,
    /// Drain times at the peak, with the traffic, seconds (batches drained by the cap only).
    pub peak: Hist,
    /// Batches drained at the peak (count), the sum and the longest of their drains, seconds.
    pub peak_batches: u64,
    pub peak_sum: f64,
    pub peak_max: f64,
    /// Batches not drained at the peak by the probe's cap, or when its engine stopped as
    /// unstable (count), and the least of what each is known to last at least (its cap, or
    /// the time run after `t0`), seconds (infinite: none): each of their drains is at least it.
    pub undrained: u64,
    pub undrained_cap: f64,
}

impl BatchObs {
    fn new(request: &str, jobs: u32) -> BatchObs {
        BatchObs {
            request: request.to_string(),
            jobs,
            drains: Hist::new(),
            batches: 0,
            sum: 0.0,
            max: 0.0,
            peak: Hist::new(),
            peak_batches: 0,
            peak_sum: 0.0,
            peak_max: 0.0,
            undrained: 0,
            undrained_cap: f64::INFINITY,
        }
    }

    fn record_peak(&mut self, d: probe::PeakDrain) {
        match d {
            probe::PeakDrain::Drained(d) => {
                self.peak.record(d);
                self.peak_batches += 1;
                self.peak_sum += d;
                self.peak_max = self.peak_max.max(d);
            }
            probe::PeakDrain::Undrained(cap) => {
                self.undrained += 1;
                self.undrained_cap = self.undrained_cap.min(cap);
            }
        }
    }
}

fn batch_types(sc: &crate::scenario::Scenario) -> impl Iterator<Item = (&RequestType, u32)> {
    sc.requests.iter().filter_map(|r| r.batch.map(|n| (r, n)))
}

/// Drains one batch of each batch request type of period `p` alone on the stage's queue, and
/// one at the period's peak with the traffic on `probe` (restarted), in the replication seeded
/// `p.seed`, and adds them to the observations. Nothing runs for a scenario without batches.
/// Returns the longest drain at the peak, seconds (a batch not drained: what it is known to
/// last at least, its cap or the time its probe ran; NaN: no batch): the `queue.batch_drain`
/// trigger metric.
pub fn period<'s>(
    sc: &'s crate::scenario::Scenario,
    p: &Period,
    probe: &mut Option<Engine<'s>>,
    obs: &mut Vec<BatchObs>,
) -> f64 {
    let mut longest = f64::NAN;
    for (r, n) in batch_types(sc) {
        let Some((work, apis)) = work(p.stage, n) else { continue };
        let i = match obs.iter().position(|o| o.request == r.name) {
            Some(i) => i,
            None => {
                obs.push(BatchObs::new(&r.name, n));
                obs.len() - 1
            }
        };
        let minute = (p.start / crate::time::MINUTE).round() as u64;
        let name = name_hash(&r.name);
        let s = splitmix(p.seed ^ splitmix(name ^ minute));
        let d = runsim::duration(&work, &apis, &mut rand::rngs::SmallRng::seed_from_u64(s));
        let peak_seed = splitmix(p.seed ^ splitmix(name ^ splitmix(p.index as u64 ^ PROBE_SALT)));
        let peak = probe::drain(sc, p, n, d, peak_seed, probe);
        let (probe::PeakDrain::Drained(x) | probe::PeakDrain::Undrained(x)) = peak;
        longest = longest.max(x);
        let o = &mut obs[i];
        o.drains.record(d);
        o.batches += 1;
        o.sum += d;
        o.max = o.max.max(d);
        o.record_peak(peak);
    }
    longest
}

/// Sets the probes' seeds apart from the batches' alone.
const PROBE_SALT: u64 = 0x7072_6f62_6521;

/// Events the batches of a scenario take in one replication, at most, for the work estimate.
pub fn events(sc: &crate::scenario::Scenario, periods: f64) -> f64 {
    sc.stages
        .values()
        .map(|st| {
            batch_types(sc)
                .filter_map(|(_, n)| Some(work(st, n)?.0.events() + f64::from(n)))
                .sum::<f64>()
        })
        .fold(0.0, f64::max)
        * periods
}

/// A batch's expected drain alone, seconds: ⌈N / slots⌉ rounds of a job's mean duration (its
/// calls' mean latencies and its mean job time), or the limiters' spacing of all its calls
/// when longer.
fn expected_alone(work: &Work, apis: &[Api]) -> f64 {
    let job: f64 = work.cpu.mean()
        + work
            .calls
            .iter()
            .map(|&(a, n)| f64::from(n) * apis[a].latency.mean())
            .sum::<f64>();
    let rounds = work.items.div_ceil(u64::from(work.concurrency.max(1))) as f64;
    let limited = work
        .calls
        .iter()
        .map(|&(a, n)| (work.items as f64 * f64::from(n) - 1.0).max(0.0) * apis[a].spacing)
        .fold(0.0, f64::max);
    (rounds * job).max(limited)
}

/// The spans of traffic the peak probes of period `p` simulate at most, for the work estimate:
/// per batch type, `(from, to)`, seconds: from `t0 −` warm-up to `t0 +` the cap (a probe stops
/// at its batch's last job, at the latest at the cap), the cap taken at the longest expected
/// drain alone over the stages.
pub fn probe_spans(sc: &crate::scenario::Scenario, p: usize) -> Vec<(f64, f64)> {
    let (t0, len, warmup) = probe::start(sc, p);
    batch_types(sc)
        .map(|(_, n)| {
            let alone = sc
                .stages
                .values()
                .filter_map(|st| work(st, n).map(|(w, a)| expected_alone(&w, &a)))
                .fold(0.0, f64::max);
            (t0 - warmup, t0 + probe::cap(len, alone))
        })
        .collect()
}

/// FNV-1a of a request type's name: part of its batches' seeds.
fn name_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}
