//! A fault's own window: the engine simulates, request by request, the stretch from a warm-up
//! before the fault to the end of the drain after it, on the stage of the period the fault
//! starts in, whatever the simulation mode. Each fault is simulated this way in every
//! replication, on an engine of its own seeded by (replication, fault), so the period's busy
//! window (and every figure, trigger and SLO computed from it) is exactly what it is without
//! faults, and the fault's figures are reported beside it.
//!
//! The window: a warm-up of `simulation.warmup` (30 minutes in `full` mode) at the traffic's
//! own rates, sessions prefilled; at the fault's start the backlog (requests and jobs waiting,
//! jobs waiting for a retry included) is noted; the faults active at each moment (overlapping
//! ones combine) are set on the engine; after the last one ends the run goes on, second by
//! second, until the backlog is back to its level at the fault's start, for at most the drain
//! limit (4 × the fault's length, at least 1 hour, at most 7 days).

use crate::engine::fault::{Effect, FaultSet};
use crate::engine::{Engine, EngineConfig, PeriodAcc};
use crate::infra::Infra;
use crate::metrics::Summary;
use crate::results::faults::{Availability, FaultOutcome, FaultSummary};
use crate::scenario::faults::{Fault, FaultPlan, Mode, Rule, Target};
use crate::scenario::{Scenario, SimMode, Stage};
use rand::rngs::SmallRng;
use rand::SeedableRng;

/// Seconds of warm-up before a fault in `full` mode.
const FULL_MODE_WARMUP: f64 = 1800.0;
/// Seconds between two looks at the backlog.
pub const STEP: f64 = 1.0;

/// The longest the drain after a fault of `length` seconds is simulated.
pub fn drain_limit(length: f64) -> f64 {
    (4.0 * length).clamp(3600.0, 7.0 * 86_400.0)
}

/// Seconds a fault's window simulates in all (warm-up, fault, drain at most).
pub fn window_length(sc: &Scenario, f: &Fault) -> f64 {
    warmup(sc) + f.length + drain_limit(f.length)
}

/// Seconds of warm-up before a fault.
pub fn warmup(sc: &Scenario) -> f64 {
    match sc.sim.mode {
        SimMode::PeakWindow { warmup, .. } => warmup,
        SimMode::Full { .. } => FULL_MODE_WARMUP,
    }
}

/// What the faults active at time `t` do on `stage`.
pub fn fault_set(plan: &FaultPlan, stage: &Stage, t: f64) -> Option<FaultSet> {
    let active: Vec<&Fault> = plan.faults.iter().filter(|f| f.start <= t && t < f.end()).collect();
    if active.is_empty() {
        return None;
    }
    let mut set = FaultSet {
        external: vec![Effect::Normal; stage.external.len()],
        job_slowdown: 1.0,
        attempts: plan.job_retry.attempts,
        backoff: plan.job_retry.backoff,
        ..FaultSet::default()
    };
    for f in active {
        let effect = match f.mode {
            Mode::Down if plan.rule(&f.target) == Rule::Down => Effect::Fail,
            Mode::Down => Effect::Bypass,
            Mode::Degraded { slowdown } => Effect::Slow(slowdown),
        };
        let slot = match &f.target {
            Target::Database => Some(&mut set.database),
            Target::Cache => Some(&mut set.cache),
            Target::VectorStore => Some(&mut set.vector_store),
            Target::External(n) => stage
                .external
                .iter()
                .position(|e| &e.name == n)
                .map(|i| &mut set.external[i]),
        };
        if let Some(slot) = slot {
            *slot = worse(*slot, effect);
        }
        if plan.job_retry.needs.contains(&f.target) {
            match f.mode {
                Mode::Down => set.jobs_blocked = true,
                Mode::Degraded { slowdown } => set.job_slowdown = set.job_slowdown.max(slowdown),
            }
        }
    }
    Some(set)
}

/// The worse of two effects: failing, then bypassing, then the larger slowdown.
fn worse(a: Effect, b: Effect) -> Effect {
    let rank = |e: Effect| match e {
        Effect::Fail => (3, 0.0),
        Effect::Bypass => (2, 0.0),
        Effect::Slow(k) => (1, k),
        Effect::Normal => (0, 0.0),
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

/// Requests and jobs waiting now, jobs waiting for a retry included.
fn backlog(e: &Engine) -> u32 {
    let waiting: u64 = e.backlog().iter().map(|&n| u64::from(n)).sum();
    u32::try_from(waiting + e.jobs_delayed() as u64).unwrap_or(u32::MAX)
}

/// Simulates fault `fi` of the scenario on `stage` in the replication seeded with `seed`.
pub fn simulate(sc: &Scenario, fi: usize, stage: &Stage, infra: &Infra, seed: u64) -> FaultOutcome {
    let plan = &sc.faults;
    let f = &plan.faults[fi];
    let rng = SmallRng::seed_from_u64(crate::seed::splitmix(
        seed ^ crate::seed::splitmix(0xFA_0000 + fi as u64),
    ));
    let mut acc = PeriodAcc::new(infra);
    let mut e = Engine::new(sc, EngineConfig::new(sc, stage, infra), rng, f.start - warmup(sc));
    e.prefill_sessions();
    e.run_until(f.start, &mut acc);
    let mut out = FaultOutcome {
        backlog_before: backlog(&e),
        ..FaultOutcome::default()
    };
    e.begin_measuring(&mut acc);
    // The moments the set of active faults changes, from the fault's start to its end (later
    // faults overlapping the end extend it).
    let mut end = f.end();
    for g in &plan.faults {
        if g.start <= end && g.end() > end && g.start >= f.start {
            end = g.end();
        }
    }
    let mut changes: Vec<f64> = plan
        .faults
        .iter()
        .flat_map(|g| [g.start, g.end()])
        .filter(|&t| t > f.start && t < end)
        .chain([end])
        .collect();
    changes.sort_by(f64::total_cmp);
    let mut t = f.start;
    let mut peak = out.backlog_before;
    for next in changes {
        match fault_set(plan, stage, t) {
            Some(set) => e.set_faults(set),
            None => e.clear_faults(),
        }
        while t < next && !e.stopped_unstable() {
            t = (t + STEP).min(next);
            e.run_until(t, &mut acc);
            peak = peak.max(backlog(&e));
        }
    }
    e.clear_faults();
    out.arrivals = acc.arrivals;
    out.backlog_at_recovery = backlog(&e);
    let limit = end + drain_limit(f.length);
    while backlog(&e) > out.backlog_before && t < limit && !e.stopped_unstable() {
        t = (t + STEP).min(limit);
        e.run_until(t, &mut acc);
        peak = peak.max(backlog(&e));
    }
    out.backlog_peak = peak;
    if backlog(&e) <= out.backlog_before && !e.stopped_unstable() {
        out.drain = Some(t - end);
    }
    let c = e.fault_counts();
    (out.failed, out.bypassed, out.jobs_retried, out.jobs_lost) = (c.failed, c.bypassed, c.retried, c.lost);
    out
}

/// Each fault's figures across replications, and the availability the faults leave.
pub fn summaries(sc: &Scenario, reps: &[super::Replication]) -> (Vec<FaultSummary>, Option<Availability>) {
    let plan = &sc.faults;
    let faults = plan
        .faults
        .iter()
        .enumerate()
        .map(|(fi, f)| {
            let runs: Vec<&super::FaultRun> = reps.iter().flat_map(|r| &r.faults).filter(|r| r.fault == fi).collect();
            let outcomes: Vec<FaultOutcome> = runs.iter().map(|r| r.outcome).collect();
            let [arrivals, failed, bypassed, jobs_retried, jobs_lost, backlog_before, backlog_peak, backlog_at_recovery] =
                crate::results::faults::summarize(&outcomes);
            let (mode, rule) = match f.mode {
                Mode::Down => ("down".to_string(), Some(plan.rule(&f.target))),
                Mode::Degraded { slowdown } => (format!("degraded {slowdown}x"), None),
            };
            FaultSummary {
                component: f.target.name(),
                mode,
                rule: rule.map(|r| if r == Rule::Down { "down" } else { "degraded" }.to_string()),
                start: f.start,
                length: f.length,
                period: runs.first().map_or(0, |r| r.period),
                stage: runs.first().map_or_else(String::new, |r| r.stage.clone()),
                arrivals,
                failed,
                bypassed,
                jobs_retried,
                jobs_lost,
                backlog_before,
                backlog_peak,
                backlog_at_recovery,
                drain: Summary::of(outcomes.iter().filter_map(|o| o.drain)),
                not_drained: outcomes.iter().filter(|o| o.drain.is_none()).count(),
                drain_limit: drain_limit(f.length),
            }
        })
        .collect();
    let availability = (!plan.faults.is_empty() || sc.slo.availability.is_some()).then(|| Availability {
        availability: plan.availability(sc.horizon),
        down: plan.down_time(),
        degraded: plan.degraded_time(),
        objective: sc.slo.availability,
    });
    (faults, availability)
}
