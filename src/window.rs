//! One report period's request-level simulation: its busy window on the replication's engine,
//! restarted empty (`peak_window`: a warm-up at the window's own rate, then the window), or the
//! period itself on the engine that runs through the whole horizon (`full`).

use crate::engine::{Engine, EngineConfig, PeriodAcc};
use crate::infra::Infra;
use crate::scenario::{Scenario, SimMode, Stage};
use crate::seed;
use crate::time::window_of;
use rand::rngs::SmallRng;
use rand::SeedableRng;
use serde::Serialize;

/// Whether a period's window was simulated in a replication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodStatus {
    Simulated,
    /// `full` mode: the whole period lies in the warm-up, nothing was measured.
    WarmUp,
    /// The run had stopped as unstable before the period's measurement began.
    NotSimulated,
}

/// A period to simulate, with the stage it runs on.
pub struct Period<'a> {
    pub index: usize,
    pub start: f64,
    pub end: f64,
    pub stage: &'a Stage,
    pub infra: &'a Infra,
    /// The database has passed a hard size limit: writes fail.
    pub read_only: bool,
    /// The replication's seed.
    pub seed: u64,
}

/// What the simulation of a period measured.
pub struct Simulated {
    pub acc: PeriodAcc,
    pub status: PeriodStatus,
    /// Seconds measured (0: nothing was).
    pub measured: f64,
    /// Waiting at each station when measuring began and when it ended (`Engine::backlog`).
    pub backlog_start: [u32; 5],
    pub backlog_end: [u32; 5],
}

/// Simulates period `p` on `engine`, the replication's one engine: in `peak_window` mode it is
/// restarted (emptied and reseeded, its allocations kept) for each busy window; in `full` mode
/// it carries the system over between periods.
pub fn simulate<'s>(sc: &'s Scenario, p: &Period, engine: &mut Option<Engine<'s>>) -> Simulated {
    let (stage, infra) = (p.stage, p.infra);
    let mut acc = PeriodAcc::new(infra);
    let (measured, backlog_start, backlog_end, in_warmup, stopped_before);
    match sc.sim.mode {
        SimMode::PeakWindow { warmup, .. } => {
            let (t0, len) = window_of(sc, p.index);
            let rng = SmallRng::seed_from_u64(seed::window(p.seed, p.index));
            let cfg = EngineConfig::new(sc, stage, infra);
            let e = match engine {
                Some(e) => {
                    e.restart(Some(cfg), rng, t0 - warmup, t0);
                    e
                }
                None => engine.insert(Engine::with_rate_from(sc, cfg, rng, t0 - warmup, t0)),
            };
            e.prefill_sessions();
            e.set_read_only(p.read_only);
            // Nothing is recorded while not measuring, so the same accumulator serves.
            e.run_until(t0, &mut acc);
            // Stopped in the warm-up: nothing of the window is simulated.
            stopped_before = e.stopped_unstable();
            e.begin_measuring(&mut acc);
            acc.sessions_max = e.open_sessions();
            backlog_start = e.backlog();
            e.run_until(t0 + len, &mut acc);
            backlog_end = e.backlog();
            measured = if e.stopped_unstable() {
                (e.now() - t0).max(0.0)
            } else {
                len
            };
            in_warmup = false;
        }
        SimMode::Full { warmup } => {
            let e = engine.get_or_insert_with(|| {
                let cfg = EngineConfig::new(sc, stage, infra);
                Engine::new(sc, cfg, SmallRng::seed_from_u64(p.seed), 0.0)
            });
            e.set_read_only(p.read_only);
            let mstart = p.start.max(warmup);
            if mstart > p.start {
                e.end_measuring(&mut acc);
                e.run_until(mstart.min(p.end), &mut acc);
            }
            stopped_before = e.stopped_unstable();
            acc = PeriodAcc::new(infra);
            e.begin_measuring(&mut acc);
            acc.sessions_max = e.open_sessions();
            backlog_start = e.backlog();
            e.run_until(p.end, &mut acc);
            backlog_end = e.backlog();
            let end = if e.stopped_unstable() {
                e.now().min(p.end)
            } else {
                p.end
            };
            measured = (end - mstart).max(0.0);
            in_warmup = mstart >= p.end;
        }
    }
    let status = if measured > 0.0 && !stopped_before {
        PeriodStatus::Simulated
    } else if in_warmup && !stopped_before {
        PeriodStatus::WarmUp
    } else {
        PeriodStatus::NotSimulated
    };
    acc.measured = measured;
    Simulated {
        acc,
        status,
        measured,
        backlog_start,
        backlog_end,
    }
}

/// Applies a scaling action's new stage and infrastructure to the replication's engine: as a
/// whole from now on in `full` mode (the system carries over); in `peak_window` mode the next
/// busy window restarts the engine with it anyway.
pub fn reconfigure(sc: &Scenario, engine: &mut Option<Engine>, stage: &Stage, infra: &Infra) {
    if let (SimMode::Full { .. }, Some(e)) = (&sc.sim.mode, engine.as_mut()) {
        let mut scratch = PeriodAcc::new(infra);
        e.reconfigure(EngineConfig::new(sc, stage, infra), &mut scratch);
    }
}
