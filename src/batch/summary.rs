//! What the report says about the work jobs do, for the starting stage: what each external call of
//! a job costs at the catalog's list rates, a job's cost, a batch's drain times (over every batch
//! of every replication), alone and at the peak with the traffic, and its cost, and each scheduled
//! job's cost per run. Calls to a `byok: true` entry cost the operator $0 (the users' own keys
//! pay): their list cost is reported as avoided. Data only; renderers format.

use super::BatchObs;
use crate::hist::Pooled;
use crate::pricing::Catalog;
use crate::scenario::model::{External, Stage};
use crate::scenario::Scenario;
use serde::Serialize;

/// One external entry a job (or a scheduled item) calls.
#[derive(Debug, Clone, Serialize)]
pub struct CallCost {
    /// The `external:` entry's name.
    pub external: String,
    /// `provider/plan` it is priced under (empty when unpriced).
    pub plan: String,
    /// Calls one job makes (count).
    pub calls_per_job: u32,
    /// Tokens one call sends and receives (counts).
    pub input_tokens: f64,
    pub cached_input_tokens: f64,
    pub output_tokens: f64,
    /// One call at the plan's list rates, dollars (`None`: a meter it uses has no flat rate,
    /// or no plan). Free allowances are not deducted: the marginal price.
    pub list_usd_per_call: Option<f64>,
    /// The users' own keys pay for its calls.
    pub byok: bool,
}

/// The starting stage's job work and what it costs.
#[derive(Debug, Clone, Serialize)]
pub struct JobWork {
    pub stage: String,
    /// The calls one queue job makes (`queue.calls`).
    pub calls: Vec<CallCost>,
    /// What one job's calls cost the operator, dollars (byok calls: $0); `None` if unpriced.
    pub usd_per_job: Option<f64>,
    /// What one job's byok calls would cost at list rates, dollars.
    pub avoided_usd_per_job: Option<f64>,
    pub batches: Vec<BatchSummary>,
    pub scheduled: Vec<RunCost>,
}

/// One batch request type over the whole run.
#[derive(Debug, Clone, Serialize)]
pub struct BatchSummary {
    pub request: String,
    /// Jobs in one batch (count).
    pub jobs: u32,
    /// Jobs the starting stage's queue runs at once: workers × concurrency (count).
    pub slots: u32,
    /// Batches drained, over all replications (one per period each).
    pub batches: u64,
    /// Drain time from enqueue to the last job done, seconds: mean, median and P95
    /// (log-bucketed: 0.8 % resolution), longest (exact).
    pub mean_seconds: f64,
    pub p50_seconds: f64,
    pub p95_seconds: f64,
    pub max_seconds: f64,
    /// The same batch at the period's peak with the traffic ([`super::probe`]): batches
    /// drained by the cap, over all replications, and their drains, seconds (NaN: none).
    pub peak_batches: u64,
    pub peak_mean_seconds: f64,
    pub peak_p50_seconds: f64,
    pub peak_p95_seconds: f64,
    pub peak_max_seconds: f64,
    /// Batches not drained at the peak by the probe's cap, or before its engine stopped as
    /// unstable (count); their drains are at least `undrained_at_least_seconds` (the least of
    /// their caps or times run; `None` when every batch drained).
    pub undrained: u64,
    pub undrained_at_least_seconds: Option<f64>,
    /// One batch's calls, dollars (jobs × cost per job); `None` if unpriced.
    pub usd_per_batch: Option<f64>,
    pub avoided_usd_per_batch: Option<f64>,
}

/// One scheduled job's calls per run and their cost.
#[derive(Debug, Clone, Serialize)]
pub struct RunCost {
    pub job: String,
    /// Calls per run, by external entry (count).
    pub calls_per_run: Vec<(String, f64)>,
    /// Dollars per run for the operator; `None` if unpriced.
    pub usd_per_run: Option<f64>,
    pub avoided_usd_per_run: Option<f64>,
}

/// One call of `e` at its plan's list rates, dollars: Σ tokens × rate ÷ per over the meters
/// it uses, times the meter's and the entry's multipliers.
pub fn list_price_per_call(e: &External, catalog: &Catalog) -> Option<f64> {
    let plan = catalog
        .plan(e.billing.provider.as_deref()?, e.billing.plan.as_deref()?)
        .ok()?;
    let used = [
        ("requests", 1.0),
        ("input_tokens", e.input_tokens),
        ("cached_input_tokens", e.cached_input_tokens),
        ("output_tokens", e.output_tokens),
    ];
    let mut usd = 0.0;
    for (metric, x) in used {
        for m in plan.meters.values().filter(|m| m.metric == metric) {
            if m.per_minute || m.block.is_some() || (m.rate.is_none() && x > 0.0) {
                return None;
            }
            usd += x * m.rate.unwrap_or(0.0) / m.per * m.multiplier;
        }
    }
    Some(usd * e.billing.multiplier)
}

/// (operator's cost, avoided cost) of `calls` (external name, calls) in `stage`, dollars.
fn cost_of(stage: &Stage, catalog: &Catalog, calls: &[(String, f64)]) -> (Option<f64>, Option<f64>) {
    let (mut paid, mut avoided) = (Some(0.0), Some(0.0));
    for (name, n) in calls {
        let Some(e) = stage.external.iter().find(|e| &e.name == name) else {
            continue;
        };
        let usd = list_price_per_call(e, catalog).map(|p| p * n);
        let slot = if e.byok { &mut avoided } else { &mut paid };
        *slot = slot.zip(usd).map(|(a, b)| a + b);
    }
    (paid, avoided)
}

/// The job work of the starting stage (`None` when its jobs call nothing, it has no batch
/// request and no scheduled job).
pub fn summary(sc: &Scenario, catalog: &Catalog, reps: &[&[BatchObs]]) -> Option<JobWork> {
    let stage = &sc.stages[&sc.start_stage];
    let job_calls: Vec<(String, f64)> = stage
        .queue
        .iter()
        .flat_map(|q| &q.calls)
        .map(|(n, k)| (n.clone(), f64::from(*k)))
        .collect();
    let scheduled = scheduled(stage, catalog);
    let batches = batches(sc, stage, reps);
    if job_calls.is_empty() && batches.is_empty() && scheduled.iter().all(|r| r.calls_per_run.is_empty()) {
        return None;
    }
    let (usd_per_job, avoided_usd_per_job) = cost_of(stage, catalog, &job_calls);
    let calls = job_calls
        .iter()
        .filter_map(|(n, k)| stage.external.iter().find(|e| &e.name == n).map(|e| (e, *k)))
        .map(|(e, k)| CallCost {
            external: e.name.clone(),
            plan: match (&e.billing.provider, &e.billing.plan) {
                (Some(p), Some(pl)) => format!("{p}/{pl}"),
                _ => String::new(),
            },
            calls_per_job: k as u32,
            input_tokens: e.input_tokens,
            cached_input_tokens: e.cached_input_tokens,
            output_tokens: e.output_tokens,
            list_usd_per_call: list_price_per_call(e, catalog),
            byok: e.byok,
        })
        .collect();
    let batches = batches
        .into_iter()
        .map(|mut b| {
            let n = f64::from(b.jobs);
            b.usd_per_batch = usd_per_job.map(|c| c * n);
            b.avoided_usd_per_batch = avoided_usd_per_job.map(|c| c * n);
            b
        })
        .collect();
    Some(JobWork {
        stage: stage.name.clone(),
        calls,
        usd_per_job,
        avoided_usd_per_job,
        batches,
        scheduled,
    })
}

fn scheduled(stage: &Stage, catalog: &Catalog) -> Vec<RunCost> {
    crate::sched::Schedules::of(stage)
        .iter()
        .map(|j| {
            let items = j.items as f64;
            let calls: Vec<(String, f64)> = j
                .calls
                .iter()
                .map(|(n, k)| (n.clone(), items * f64::from(*k)))
                .collect();
            let (usd_per_run, avoided_usd_per_run) = cost_of(stage, catalog, &calls);
            RunCost {
                job: j.name.clone(),
                calls_per_run: calls,
                usd_per_run,
                avoided_usd_per_run,
            }
        })
        .collect()
}

fn batches(sc: &Scenario, stage: &Stage, reps: &[&[BatchObs]]) -> Vec<BatchSummary> {
    let slots = stage
        .queue
        .as_ref()
        .map_or(0, |q| q.workers.saturating_mul(q.concurrency));
    sc.requests
        .iter()
        .filter(|r| r.batch.is_some())
        .map(|r| {
            let (mut pooled, mut peak) = (Pooled::default(), Pooled::default());
            let (mut undrained, mut cap) = (0, f64::INFINITY);
            for o in reps.iter().flat_map(|o| o.iter()).filter(|o| o.request == r.name) {
                pooled.add(&o.drains, o.sum, o.batches, o.max);
                if o.peak_batches > 0 {
                    peak.add(&o.peak, o.peak_sum, o.peak_batches, o.peak_max);
                }
                undrained += o.undrained;
                cap = cap.min(o.undrained_cap);
            }
            let (mean_seconds, p50_seconds, p95_seconds) = pooled.mean_p50_p95();
            let (peak_mean_seconds, peak_p50_seconds, peak_p95_seconds) = peak.mean_p50_p95();
            BatchSummary {
                request: r.name.clone(),
                jobs: r.batch.unwrap_or(0),
                slots,
                batches: pooled.n,
                mean_seconds,
                p50_seconds,
                p95_seconds,
                max_seconds: pooled.max().unwrap_or(f64::NAN),
                peak_batches: peak.n,
                peak_mean_seconds,
                peak_p50_seconds,
                peak_p95_seconds,
                peak_max_seconds: peak.max().unwrap_or(f64::NAN),
                undrained,
                undrained_at_least_seconds: (undrained > 0).then_some(cap),
                usd_per_batch: None,
                avoided_usd_per_batch: None,
            }
        })
        .collect()
}
