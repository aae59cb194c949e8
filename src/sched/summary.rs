//! What the report says about scheduled jobs: each job's run durations over every run of every
//! replication (mean, P50, P95, max), the runs that outlasted their interval, the work a run
//! does and the database connections it holds against the pool. Data only; renderers format.

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
}

/// The jobs seen in any replication, in order of first appearance.
pub fn summary(sc: &Scenario, reps: &[&[JobObs]]) -> Vec<JobSummary> {
    let mut out: Vec<(JobSummary, Pooled)> = Vec::new();
    for obs in reps {
        for o in obs.iter() {
            let i = match out.iter().position(|s| s.0.job == o.job) {
                Some(i) => i,
                None => {
                    out.push((empty(sc, o), Pooled::default()));
                    out.len() - 1
                }
            };
            let (s, pooled) = &mut out[i];
            pooled.add(&o.durations, o.sum, o.runs, o.max);
            s.overran += o.overran;
        }
    }
    out.into_iter()
        .map(|(mut s, pooled)| {
            s.runs = pooled.n;
            s.max_seconds = pooled.max().map_or(0.0, |m| m.max(0.0));
            if s.runs > 0 {
                (s.mean_seconds, s.p50_seconds, s.p95_seconds) = pooled.mean_p50_p95();
            }
            s
        })
        .collect()
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
