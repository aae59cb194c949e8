//! Scheduled jobs: work that starts on a schedule (`every: 2h`, `cron: "0 */2 * * *"`), does a
//! given number of items against rate-limited external APIs, and so lasts as long as its items,
//! its concurrency, the APIs' latencies and their limits make it last.
//!
//! A stage's `schedules:` block (read by the `schedule` component kind,
//! `src/components/schedule.rs`) lists the jobs. Every run of every job in a report period is
//! simulated on its own ([`runsim`]), seeded from the replication's seed, the job's name and
//! the run's start minute only, so the durations do not depend on the thread count or on the
//! other jobs. Runs are independent of each other and of the request traffic: a run that
//! outlasts its interval does not delay the next one (it overlaps it, as cron would), and the
//! report warns about it.
//!
//! While a run is active it holds `connections` of the database's pool. [`period`] runs before
//! the period's busy window and returns each run as a [`Span`]; the replication keeps the spans
//! still active, and the busy-window simulation (`crate::window`) makes each span that overlaps
//! the window hold its connections in the engine (`Engine::hold_connections`), so requests
//! wait for, time out on or are refused by the pool the runs left them. [`observe_window`]
//! then adds to each job what its runs held in the window and the pool's waits there.
//!
//! The hooks in the replication ([`crate::simulate`]) are [`period`] and [`observe_window`];
//! the run's report section is [`summary`]. Nothing here imports the layers above the scenario.

pub mod cron;
pub mod runsim;
pub mod summary;

use crate::dist::Dist;
use crate::hist::Hist;
use crate::scenario::model::{Billing, Stage};
use rand::SeedableRng;

pub use cron::Schedule;

/// The stage field the jobs are written under.
pub const KEY: &str = "schedules";

/// A stage's scheduled jobs, as the `schedule` kind validated them.
#[derive(Debug, Clone, Default)]
pub struct Schedules {
    pub jobs: Vec<Job>,
}

/// One scheduled job.
#[derive(Debug, Clone)]
pub struct Job {
    /// Its name (a key of `schedules`).
    pub name: String,
    /// When it starts.
    pub schedule: Schedule,
    /// Items one run works through (count).
    pub items: u64,
    /// Items worked on at once (count).
    pub concurrency: u32,
    /// Per item: (name of a stage `external:` entry, calls), in order.
    pub calls: Vec<(String, u32)>,
    /// CPU time of one item, seconds.
    pub cpu: Dist,
    /// Database writes per item (count).
    pub db_writes: u32,
    /// Time of one write, seconds (`None`: the database's `query_time`).
    pub write_time: Option<Dist>,
    /// Database connections a run holds while active (count).
    pub connections: u32,
    /// Its own billing (a worker service), or `None` when it runs on the API's instances.
    pub billing: Option<Billing>,
}

impl Schedules {
    /// The jobs of a stage (empty without a `schedules:` block).
    pub fn of(stage: &Stage) -> &[Job] {
        stage.block::<Schedules>(KEY).map_or(&[], |s| &s.jobs)
    }
}

impl Job {
    /// What one run does, with the stage's APIs (`None` if an API it names is missing).
    pub fn work(&self, stage: &Stage) -> Option<(runsim::Work, Vec<runsim::Api>)> {
        let mut apis = Vec::new();
        let mut calls = Vec::new();
        for (name, n) in &self.calls {
            let e = stage.external.iter().find(|e| &e.name == name)?;
            calls.push((apis.len(), *n));
            apis.push(runsim::Api {
                latency: e.latency.clone(),
                spacing: e.rate_limit.map_or(0.0, |r| 1.0 / r),
            });
        }
        let write_time = self
            .write_time
            .clone()
            .or_else(|| stage.database.as_ref().map(|d| d.query_time.clone()))
            .unwrap_or(Dist::Constant(0.0));
        let work = runsim::Work {
            items: self.items,
            concurrency: self.concurrency,
            calls,
            cpu: self.cpu.clone(),
            writes: self.db_writes,
            write_time,
        };
        Some((work, apis))
    }
}

/// FNV-1a of a job's name: part of its runs' seeds.
fn name_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// What one replication saw of one job over the horizon.
#[derive(Debug, Clone)]
pub struct JobObs {
    pub job: String,
    /// Time between runs, seconds.
    pub interval: f64,
    /// The runs' durations, seconds.
    pub durations: Hist,
    pub runs: u64,
    /// Sum of the durations, seconds.
    pub sum: f64,
    /// Longest run, seconds.
    pub max: f64,
    /// Runs that lasted longer than the interval.
    pub overran: u64,
    /// Database writes of all runs (count).
    pub writes: f64,
    /// Calls of all runs, by external API name (count).
    pub calls: Vec<(String, f64)>,
    /// Connections a run holds.
    pub connections: u32,
    /// Busy windows (measured) that a run of the job overlapped.
    pub windows: u64,
    /// Connection-seconds its runs held in those windows, and the seconds measured there.
    pub held_area: f64,
    pub held_time: f64,
    /// Waits for a database connection of the requests in those windows, seconds.
    pub db_wait: Hist,
}

/// A run of a job, for the busy windows it overlaps: `job` indexes the replication's
/// [`JobObs`]; from `start` to `end` (seconds) it holds `connections`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub job: u32,
    pub start: f64,
    pub end: f64,
    pub connections: u32,
}

impl Span {
    /// Whether the run is active at some time in [a, b).
    pub fn overlaps(&self, a: f64, b: f64) -> bool {
        self.start < b && self.end > a
    }
}

impl JobObs {
    fn new(job: &Job) -> JobObs {
        JobObs {
            job: job.name.clone(),
            interval: job.schedule.interval(),
            durations: Hist::new(),
            runs: 0,
            sum: 0.0,
            max: 0.0,
            overran: 0,
            writes: 0.0,
            calls: Vec::new(),
            connections: job.connections,
            windows: 0,
            held_area: 0.0,
            held_time: 0.0,
            db_wait: Hist::new(),
        }
    }

    fn record(&mut self, job: &Job, d: f64) {
        self.durations.record(d);
        self.runs += 1;
        self.sum += d;
        self.max = self.max.max(d);
        self.overran += u64::from(d > self.interval);
        let items = job.items as f64;
        self.writes += items * f64::from(job.db_writes);
        for (api, n) in &job.calls {
            let n = items * f64::from(*n);
            match self.calls.iter_mut().find(|c| &c.0 == api) {
                Some(c) => c.1 += n,
                None => self.calls.push((api.clone(), n)),
            }
        }
    }
}

/// Simulates the runs of the stage's jobs that start in [a, b), in the replication seeded
/// `seed`, and adds them to its observations, and to `spans` those that hold connections of a
/// database the stage has; returns the longest run of the period (seconds, NaN when none
/// started in it): the `schedules.duration` trigger metric.
pub fn period(stage: &Stage, a: f64, b: f64, seed: u64, obs: &mut Vec<JobObs>, spans: &mut Vec<Span>) -> f64 {
    let mut longest = f64::NAN;
    for job in Schedules::of(stage) {
        let Some((work, apis)) = job.work(stage) else { continue };
        let i = match obs.iter().position(|o| o.job == job.name) {
            Some(i) => i,
            None => {
                obs.push(JobObs::new(job));
                obs.len() - 1
            }
        };
        // A stage switch may change the interval or the connections: the last one is reported.
        obs[i].interval = job.schedule.interval();
        obs[i].connections = job.connections;
        job.schedule.each_start(a, b, &mut |t| {
            let minute = (t / crate::time::MINUTE).round() as u64;
            let s = crate::seed::splitmix(seed ^ crate::seed::splitmix(name_hash(&job.name) ^ minute));
            let d = runsim::duration(&work, &apis, &mut rand::rngs::SmallRng::seed_from_u64(s));
            obs[i].record(job, d);
            if job.connections > 0 && stage.database.is_some() {
                spans.push(Span {
                    job: i as u32,
                    start: t,
                    end: t + d,
                    connections: job.connections,
                });
            }
            longest = if longest.is_nan() { d } else { longest.max(d) };
        });
    }
    longest
}

/// What a measured busy window saw of the jobs: per job (index into `obs`) whose runs
/// overlapped it, the connection-seconds they held; `measured` seconds; the pool's waits.
pub fn observe_window(obs: &mut [JobObs], held: &[(u32, f64)], measured: f64, db_wait: &Hist) {
    for &(job, area) in held {
        let o = &mut obs[job as usize];
        o.windows += 1;
        o.held_area += area;
        o.held_time += measured;
        o.db_wait.merge(db_wait);
    }
}

/// Events the scheduled runs of a scenario take in one replication, at most (the busiest
/// stage's jobs over the whole horizon), for the work estimate.
pub fn events(sc: &crate::scenario::Scenario) -> f64 {
    sc.stages
        .values()
        .map(|st| {
            Schedules::of(st)
                .iter()
                .filter_map(|j| {
                    let (w, _) = j.work(st)?;
                    let runs = j.schedule.count(0.0, sc.horizon) as f64;
                    Some(runs * w.events())
                })
                .sum::<f64>()
        })
        .fold(0.0, f64::max)
}
