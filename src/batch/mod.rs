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
//! So with W workers × C concurrency, a constant job time T and no limit, a batch of N jobs
//! drains in ⌈N / (W·C)⌉ · T; with a limit of L calls per minute on an API each job calls once,
//! in at least (N − 1) / L minutes (tests in `tests/integration/jobwork.rs`).

pub mod summary;

use crate::dist::Dist;
use crate::hist::Hist;
use crate::scenario::model::{RequestType, Stage};
use crate::sched::runsim::{self, Api, Work};
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
}

fn batch_types(sc: &crate::scenario::Scenario) -> impl Iterator<Item = (&RequestType, u32)> {
    sc.requests.iter().filter_map(|r| r.batch.map(|n| (r, n)))
}

/// Drains one batch of each batch request type on the stage's queue for the period starting
/// at `a` (seconds), in the replication seeded `seed`, and adds it to the observations.
pub fn period(sc: &crate::scenario::Scenario, stage: &Stage, a: f64, seed: u64, obs: &mut Vec<BatchObs>) {
    for (r, n) in batch_types(sc) {
        let Some((work, apis)) = work(stage, n) else { continue };
        let i = match obs.iter().position(|o| o.request == r.name) {
            Some(i) => i,
            None => {
                obs.push(BatchObs {
                    request: r.name.clone(),
                    jobs: n,
                    drains: Hist::new(),
                    batches: 0,
                    sum: 0.0,
                    max: 0.0,
                });
                obs.len() - 1
            }
        };
        let minute = (a / crate::time::MINUTE).round() as u64;
        let s = crate::seed::splitmix(seed ^ crate::seed::splitmix(name_hash(&r.name) ^ minute));
        let d = runsim::duration(&work, &apis, &mut rand::rngs::SmallRng::seed_from_u64(s));
        let o = &mut obs[i];
        o.drains.record(d);
        o.batches += 1;
        o.sum += d;
        o.max = o.max.max(d);
    }
}

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

/// FNV-1a of a request type's name: part of its batches' seeds.
fn name_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}
