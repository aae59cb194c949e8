//! A batch's drain at the peak, with the traffic: once per period and batch request type, a
//! probe engine (separate from the window's, so every other figure is unchanged) is restarted
//! at the period's busy window with the stage's configuration and warmed up as the window is
//! (sessions prefilled, run from `t0 − warmup` to `t0`, measuring nothing). At `t0` one batch
//! of N jobs is enqueued at once, behind the traffic's jobs already waiting (FIFO), and the
//! engine runs on, the traffic arriving at its own rate, until the batch's last job is done:
//! the drain is that time − `t0`.
//!
//! The probe stops at a cap: `t0` + the longer of the window and 20 × the batch's drain alone,
//! at most one day. A batch not drained by then is counted as not drained and its drain is only
//! known to be at least the cap: it is never recorded as a drain. So is a batch whose engine
//! stopped as unstable (more jobs waiting than `max_in_flight`): its drain is at least the time
//! the probe ran after `t0` (0 if it stopped in the warm-up).
//!
//! In `full` mode, which has no busy window, the probe starts at the period's busiest hour
//! (the first of equals) after a warm-up of [`FULL_MODE_WARMUP`], with a one-hour window.
//!
//! Why the peak drain is not shorter than the drain alone with constant job times and no
//! limiter: the batch's jobs start in order on at most W·C slots, none before `t0`, so some
//! slot runs ⌈N / (W·C)⌉ of them one after another. With exponential job times of mean
//! E[T] and all slots busy, the drain is exactly, given A jobs in the system at `t0`,
//! (A + N − W·C) departures at rate W·C / E[T] then the longest of the W·C jobs in service
//! (H(W·C) · E[T], H the harmonic number): jobs arriving after `t0` queue behind the batch
//! and do not delay it (`tests/integration/jobwork.rs` checks both).

use crate::engine::{Engine, EngineConfig, PeriodAcc};
use crate::scenario::{Scenario, SimMode};
use crate::time::{period_bounds, window_of, DAY, HOUR, MINUTE};
use crate::window::Period;
use rand::rngs::SmallRng;
use rand::SeedableRng;

/// The probe's warm-up in `full` mode.
pub const FULL_MODE_WARMUP: f64 = 15.0 * MINUTE;

/// The longest a probe runs after `t0`, whatever the batch.
pub const MAX_CAP: f64 = DAY;

/// How one probed batch ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PeakDrain {
    /// Drained in this many seconds.
    Drained(f64),
    /// Not drained by the cap, or by the time the engine stopped as unstable (seconds after
    /// `t0`): its drain is at least that.
    Undrained(f64),
}

/// Where period `p`'s probe starts: (t0, window length, warm-up), seconds.
pub fn start(sc: &Scenario, p: usize) -> (f64, f64, f64) {
    match sc.sim.mode {
        SimMode::PeakWindow { warmup, .. } => {
            let (t0, len) = window_of(sc, p);
            (t0, len, warmup)
        }
        SimMode::Full { .. } => {
            let (a, b) = period_bounds(sc, p);
            let len = HOUR.min(b - a);
            let mut best = (a, -1.0);
            let mut t = a;
            while t + len <= b {
                let r = sc.traffic.arrival_rate_at(t + 1e-6);
                if r > best.1 + 1e-12 {
                    best = (t, r);
                }
                t += HOUR;
            }
            (best.0, len, FULL_MODE_WARMUP)
        }
    }
}

/// The cap after `t0` of a probe whose window lasts `len` and whose batch drains alone in
/// `alone` seconds.
pub fn cap(len: f64, alone: f64) -> f64 {
    len.max(20.0 * alone).min(MAX_CAP)
}

/// Drains one batch of `jobs` jobs at period `p`'s peak on `engine` (restarted), seeded `seed`.
pub fn drain<'s>(
    sc: &'s Scenario,
    p: &Period,
    jobs: u32,
    alone: f64,
    seed: u64,
    engine: &mut Option<Engine<'s>>,
) -> PeakDrain {
    let (t0, len, warmup) = start(sc, p.index);
    let cap_len = cap(len, alone);
    let cfg = EngineConfig::new(sc, p.stage, p.infra);
    let rng = SmallRng::seed_from_u64(seed);
    let e = match engine {
        Some(e) => {
            e.restart(Some(cfg), rng, t0 - warmup, t0);
            e
        }
        None => engine.insert(Engine::with_rate_from(sc, cfg, rng, t0 - warmup, t0)),
    };
    e.prefill_sessions();
    e.set_read_only(p.read_only);
    let mut acc = PeriodAcc::new(p.infra);
    e.run_until(t0, &mut acc);
    if e.stopped_unstable() {
        return PeakDrain::Undrained(0.0);
    }
    e.enqueue_batch(jobs, &mut acc);
    // The drain is recorded at its event whatever the steps: they only bound the simulation
    // past it.
    let step = (alone / 8.0).max(1.0);
    loop {
        if let Some(done) = e.batch_drained_at() {
            return PeakDrain::Drained(done - t0);
        }
        if e.stopped_unstable() {
            // Not drained when the simulation stopped: at least that long.
            return PeakDrain::Undrained((e.now() - t0).max(0.0));
        }
        if e.now() >= t0 + cap_len {
            return PeakDrain::Undrained(cap_len);
        }
        e.run_until((e.now() + step).min(t0 + cap_len), &mut acc);
    }
}
