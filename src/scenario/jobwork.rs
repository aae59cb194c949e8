//! Validation of the work background jobs do: a request type's `batch: {jobs: N}` (one batch
//! of N jobs per request, reported as a batch, see `crate::batch`), the queue's `calls:` (the
//! external calls one job makes, named by the stage's `external:` entries) and an external
//! entry's `byok: true` (parsed with the entry).

use super::ctx::Ctx;
use super::limits;
use super::model::Stage;
use super::raw::RawRequest;

/// The jobs a request enqueues: `(jobs per request, jobs of its batch)`. `batch` and `jobs`
/// exclude each other; a batch holds 1 to 10,000 jobs (the limit on jobs per request).
pub fn request_jobs(cx: &mut Ctx, p: &str, r: &RawRequest) -> (Option<f64>, Option<u32>) {
    let Some(b) = &r.batch else { return (r.jobs, None) };
    let field = format!("{p}.batch.jobs");
    if r.jobs.is_some() {
        cx.err(
            &format!("{p}.jobs"),
            "`batch.jobs` already says how many jobs the request enqueues; write one of `jobs` and `batch`",
        );
    }
    if b.jobs == 0 {
        cx.err(&field, "a batch needs at least 1 job");
    }
    let n = cx.at_most(&field, f64::from(b.jobs), limits::PER_REQUEST);
    (Some(n), Some(n as u32))
}

/// The queue's `calls:` name external entries of the same stage, at most 10,000 a job.
pub fn check_queue_calls(cx: &mut Ctx, p: &str, st: &Stage) {
    let Some(q) = &st.queue else { return };
    let names: Vec<String> = st.external.iter().map(|e| e.name.clone()).collect();
    for (ext, n) in &q.calls {
        let field = format!("{p}.queue.calls.{ext}");
        if !names.contains(ext) {
            cx.err_allowed(
                &field,
                format!("this stage has no `external:` entry `{ext}`"),
                names.clone(),
            );
        }
        cx.at_most(&field, f64::from(*n), limits::PER_REQUEST);
    }
}
