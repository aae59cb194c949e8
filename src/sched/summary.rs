//! What the report says about scheduled jobs: each job's run durations over every run of every
//! replication (mean, P50, P95, max), the runs that outlasted their interval, the work a run
//! does and the database connections it holds against the pool, and what its runs did to the
//! busy windows they overlapped (connections held there, the pool's wait). Data only;
//! renderers format.

use super::JobObs;
use crate::hist::Pooled;
use crate::scenario::Scenario;
use serde::Serialize;

/// One scheduled job over the whole run.
#[derive(Debug, Clone, Serialize)]
pub struct JobSummary {
    pub job: String,
    /// When it runs, in words (`every 2 h`, `cron "0 */2 * * *"`).
    pub schedule: String,
    /// Time between runs, seconds.
    pub interval_seconds: f64,
    /// Runs simulated, over all replications.
    pub runs: u64,
    /// Mean run duration, seconds.
    pub mean_seconds: f64,
    /// Median run duration, seconds (log-bucketed: 0.8 % resolution).
    pub p50_seconds: f64,
    /// 95th percentile of the run duration, seconds (0.8 % resolution).
    pub p95_seconds: f64,
    /// Longest run, seconds (exact).
    pub max_seconds: f64,
    /// Runs that lasted longer than the interval.
    pub overran: u64,
    /// Database writes per run (count).
    pub writes_per_run: f64,
    /// Calls per run, by external API (count).
    pub calls_per_run: Vec<(String, f64)>,
    /// Database connections a run holds while active (count).
    pub connections: u32,
    /// Connections in the starting stage's pool, when the scenario states them (count).
    pub pool: Option<u32>,
    /// Simulated busy windows that a run of the job overlapped, over all replications (count).
    pub busy_windows: u64,
    /// Database connections its runs held in those windows, time-averaged over them (count;
    /// NaN when none): fewer than `connections` when runs overlapped only part of a window, or
    /// waited for connections requests held.
    pub held_in_windows: f64,
    /// Wait for a database connection of the requests in those windows, 95th percentile
    /// (seconds, 0.8 % resolution; NaN when none).
    pub db_wait_p95_seconds: f64,
}

/// The jobs seen in any replication, in order of first appearance.
pub fn summary(sc: &Scenario, reps: &[&[JobObs]]) -> Vec<JobSummary> {
    let mut out: Vec<(JobSummary, Pooled, Windows)> = Vec::new();
    for obs in reps {
        for o in obs.iter() {
            let i = match out.iter().position(|s| s.0.job == o.job) {
                Some(i) => i,
                None => {
                    out.push((empty(sc, o), Pooled::default(), Windows::default()));
                    out.len() - 1
                }
            };
            let (s, pooled, w) = &mut out[i];
            pooled.add(&o.durations, o.sum, o.runs, o.max);
            s.overran += o.overran;
            s.busy_windows += o.windows;
            w.area += o.held_area;
            w.time += o.held_time;
            w.wait.merge(&o.db_wait);
        }
    }
    out.into_iter()
        .map(|(mut s, pooled, w)| {
            s.runs = pooled.n;
            if w.time > 0.0 {
                s.held_in_windows = w.area / w.time;
            }
            if !w.wait.is_empty() {
                s.db_wait_p95_seconds = w.wait.quantile(0.95);
            }
            s.max_seconds = pooled.max().map_or(0.0, |m| m.max(0.0));
            if s.runs > 0 {
                (s.mean_seconds, s.p50_seconds, s.p95_seconds) = pooled.mean_p50_p95();
            }
            s
        })
        .collect()
}

/// A job's busy windows pooled over the replications.
#[derive(Default)]
struct Windows {
    /// Connection-seconds held, and seconds measured.
    area: f64,
    time: f64,
    wait: crate::hist::Hist,
}

fn empty(sc: &Scenario, o: &JobObs) -> JobSummary {
    let start = &sc.stages[&sc.start_stage];
    let job = super::Schedules::of(start).iter().find(|j| j.name == o.job);
    let per_run = |x: f64| if o.runs > 0 { x / o.runs as f64 } else { 0.0 };
    JobSummary {
        job: o.job.clone(),
        schedule: job.map_or_else(String::new, |j| j.schedule.describe()),
        interval_seconds: o.interval,
        runs: 0,
        mean_seconds: f64::NAN,
        p50_seconds: f64::NAN,
        p95_seconds: f64::NAN,
        max_seconds: 0.0,
        overran: 0,
        writes_per_run: per_run(o.writes),
        calls_per_run: o.calls.iter().map(|(n, c)| (n.clone(), per_run(*c))).collect(),
        connections: o.connections,
        pool: start.database.as_ref().and_then(|d| d.connections),
        busy_windows: 0,
        held_in_windows: f64::NAN,
        db_wait_p95_seconds: f64::NAN,
    }
}

/// The warnings a reader must see (terminal, report, `check`): runs outlasting their interval,
/// a run holding as many connections as the pool has.
pub fn warnings(jobs: &[JobSummary]) -> Vec<String> {
    use crate::units::fmt_seconds;
    let mut out = Vec::new();
    for j in jobs {
        if j.overran > 0 {
            out.push(format!(
                "Scheduled job `{}` ({}) outlasts its interval of {} in {} of {} runs (longest {}): \
                 the next run starts before it ends.",
                j.job,
                j.schedule,
                fmt_seconds(j.interval_seconds),
                j.overran,
                j.runs,
                fmt_seconds(j.max_seconds)
            ));
        }
        if let Some(pool) = j.pool.filter(|&p| j.connections >= p && j.connections > 0) {
            out.push(format!(
                "Scheduled job `{}` holds {} database connections while it runs, of a pool of {pool}: \
                 requests get none.",
                j.job, j.connections
            ));
        }
    }
    out
}
