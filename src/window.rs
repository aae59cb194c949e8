//! One report period's request-level simulation: its busy window on the replication's engine,
//! restarted empty (`peak_window`: a warm-up at the window's own rate, then the window), or the
//! period itself on the engine that runs through the whole horizon (`full`).
//!
//! Scheduled runs that hold database connections ([`crate::sched::Span`]) hold them in the
//! engine: in `peak_window` mode each run active at some time of the warm-up or the window is
//! pushed after the restart (its start clamped to the engine's); in `full` mode each run once,
//! in the period that computed it (its end event carries over in the engine).

use crate::engine::{Engine, EngineConfig, PeriodAcc};
use crate::infra::Infra;
use crate::scenario::{Scenario, SimMode, Stage};
use crate::sched::Span;
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
    /// The scheduled runs holding connections still active at the period's start or started
    /// in it.
    pub spans: &'a [Span],
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
    /// Per job whose runs overlapped the measured time: the connection-seconds they held there.
    pub held: Vec<(u32, f64)>,
}

/// Simulates period `p` on `engine`, the replication's one engine: in `peak_window` mode it is
/// restarted (emptied and reseeded, its allocations kept) for each busy window; in `full` mode
/// it carries the system over between periods.
pub fn simulate<'s>(sc: &'s Scenario, p: &Period, engine: &mut Option<Engine<'s>>) -> Simulated {
    let (stage, infra) = (p.stage, p.infra);
    let mut acc = PeriodAcc::new(infra);
    let (measured, backlog_start, backlog_end, in_warmup, stopped_before, m0);
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
            push_holds(e, stage, p.spans, |s| s.overlaps(t0 - warmup, t0 + len));
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
            m0 = t0;
        }
        SimMode::Full { warmup } => {
            let e = engine.get_or_insert_with(|| {
                let cfg = EngineConfig::new(sc, stage, infra);
                Engine::new(sc, cfg, SmallRng::seed_from_u64(p.seed), 0.0)
            });
            e.set_read_only(p.read_only);
            push_holds(e, stage, p.spans, |s| s.start >= p.start);
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
            m0 = mstart;
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
    let held = match (status, engine.as_ref()) {
        (PeriodStatus::Simulated, Some(e)) => held(e, stage, p.spans, m0, m0 + measured),
        _ => Vec::new(),
    };
    Simulated {
        acc,
        status,
        measured,
        backlog_start,
        backlog_end,
        held,
    }
}

/// The earliest time period `index`, starting at `start`, simulates: scheduled runs that end
/// before it cannot load its window.
pub fn first_simulated(sc: &Scenario, index: usize, start: f64) -> f64 {
    match sc.sim.mode {
        SimMode::PeakWindow { warmup, .. } => start.min(window_of(sc, index).0 - warmup),
        SimMode::Full { .. } => start,
    }
}

/// Makes the runs of `spans` that `pick` selects hold their connections, if the stage has a
/// database (a run of no connection pushes nothing: `Engine::hold_connections`).
fn push_holds(e: &mut Engine, stage: &Stage, spans: &[Span], pick: impl Fn(&Span) -> bool) {
    if stage.database.is_none() {
        return;
    }
    for s in spans.iter().filter(|s| pick(s)) {
        e.hold_connections(s.start, s.end, s.connections, s.job);
    }
}

/// Per job whose runs overlapped the measured [a, b): the connection-seconds they held there.
fn held(e: &Engine, stage: &Stage, spans: &[Span], a: f64, b: f64) -> Vec<(u32, f64)> {
    let mut out: Vec<(u32, f64)> = Vec::new();
    if stage.database.is_none() {
        return out;
    }
    for s in spans.iter().filter(|s| s.overlaps(a, b)) {
        if !out.iter().any(|o| o.0 == s.job) {
            out.push((s.job, e.held_area(s.job)));
        }
    }
    out
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
