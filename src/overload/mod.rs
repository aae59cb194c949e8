//! Overload: arrivals beyond what a station can serve, found in every run and said with where,
//! when and by how much (terminal, `summary.md`, `report.html`, `summary.json`, `capsim check`).
//!
//! Each report period, each replication records what every station saw in the simulated window
//! ([`observe`]); [`detect`] averages across replications and applies three criteria:
//!
//! 1. **Overloaded**: offered load ρ = λ / μ ≥ 1, with λ every arrival per second in the window
//!    (admitted or turned away) and μ the completions per second the station sustains: c / E[S]
//!    for c servers and the mean service time E[S] measured in the window, and for the job queue
//!    min(max / per, slots / E[S]) with the configured job time and BullMQ's limiter
//!    ([`theory::rate_limited_throughput`]). No queue settles at ρ ≥ 1: an unlimited one grows
//!    for as long as the load lasts, a bounded one turns the excess away. An API worker is held
//!    for a whole request, so its E[S] includes waits downstream.
//! 2. **Turned away**: ρ < 1, but more than 1 % of arrivals were turned away (full waiting
//!    room, a pool that rejects when busy) or gave up (queue or pool timeout): more loss than
//!    the 1 % grade of service (P.01) capacity is classically sized for.
//! 3. **Backlog carries over** (`peak_window` mode): the busy windows start from an empty
//!    queue, so a backlog that does not drain between windows is never simulated. It is
//!    detected instead: a station that keeps its excess (unlimited waiting room, no timeout,
//!    waiters not held back by API workers) whose period-average offered load ρ̄ (its visits
//!    per request in the window × the period's mean request rate from the traffic model, over
//!    μ) is ≥ 1 cannot catch up between peaks. A fluid estimate, B ← max(0, B + (λ̄ − μ) × period), says how large the
//!    backlog grows. In `full` mode the backlog is simulated and carries over by itself.
//!
//! The engine's own stop (more than `max_in_flight` requests in the system) is reported as
//! [`Instability`].

use crate::engine::{PeriodAcc, StationAcc, StationId, Unstable, API, CPU, DB, JOBS, KINDS, VEC};
use crate::infra::Infra;
use crate::results::{Instability, Overload, OverloadKind};
use crate::scenario::{Scenario, SimMode, Stage};
use crate::theory;
use crate::time::period_bounds;

mod text;
use text::message;
pub use text::{window_text, EXPLAINED};

/// Station ids (as in `summary.json`), names and what their servers are, by engine index.
/// (From the engine's registry of station kinds, [`KINDS`].)
pub const STATIONS: [(&str, &str, &str); KINDS.len()] = {
    let mut t = [("", "", ""); KINDS.len()];
    let mut i = 0;
    while i < KINDS.len() {
        t[i] = (KINDS[i].key, KINDS[i].label, KINDS[i].servers);
        i += 1;
    }
    t
};

/// Losses above this share of arrivals are reported (the P.01 grade of service).
pub const LOSS_LIMIT: f64 = 0.01;

/// What one station saw in one simulated window of one replication.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Load {
    pub servers: u32,
    /// Arrivals that reached the station (admitted or turned away), per second.
    pub arrival_rate: f64,
    /// Arrivals at the API per request that got an API worker (1 for the API itself): what
    /// reached a station behind the workers, scaled by it, is what would have reached it had
    /// the workers kept up, its offered arrival rate.
    pub upstream: f64,
    /// Mean service time (NaN if no service was observed).
    pub mean_service: f64,
    /// Completions per second the station sustains (0 if every server was held throughout
    /// and none finished; NaN if unknown).
    pub capacity: f64,
    /// The job queue's limiter, not its worker slots, sets `capacity`.
    pub rate_limited: bool,
    /// Share of arrivals turned away or that gave up waiting (NaN without arrivals).
    pub lost: f64,
    /// Waiting at the start and at the end of the window.
    pub backlog_start: u32,
    pub backlog_end: u32,
    /// Offered visits per request arriving at the API (1 for the API itself): the station's
    /// offered arrivals over the API's arrivals (NaN when no request arrived).
    pub visits: f64,
    /// The traffic model's mean request rate over the whole period.
    pub period_request_rate: f64,
    /// Its waiting room keeps what it cannot serve (see criterion 3).
    pub keeps_excess: bool,
}

impl Load {
    /// Offered arrivals per second: those that reached the station, scaled by `upstream`.
    pub fn offered_rate(&self) -> f64 {
        self.arrival_rate * self.upstream
    }

    /// ρ = λ / μ: 0 without arrivals, ∞ with arrivals and no capacity, NaN if μ is unknown.
    pub fn offered_load(&self) -> f64 {
        ratio(self.offered_rate(), self.capacity)
    }

    /// Offered arrivals per second averaged over the whole period: visits per request (from
    /// the window) × the period's mean request rate (from the traffic model, without the
    /// sampling noise of one window's arrivals).
    pub fn period_offered_rate(&self) -> f64 {
        if self.period_request_rate == 0.0 {
            0.0
        } else {
            self.visits * self.period_request_rate
        }
    }

    /// ρ̄, the period-average offered load.
    pub fn period_offered_load(&self) -> f64 {
        ratio(self.period_offered_rate(), self.capacity)
    }
}

/// λ / μ, with 0 for no arrivals (whatever μ).
fn ratio(lambda: f64, mu: f64) -> f64 {
    if lambda == 0.0 {
        0.0
    } else {
        lambda / mu
    }
}

/// Per station (by engine index), its load in a window; `None` where the stage has no such
/// station (or its CPU is not a queue: no more workers than cores).
pub type Loads = [Option<Load>; 5];

/// One simulated window as [`observe`] reads it.
pub struct Window<'a> {
    pub acc: &'a PeriodAcc,
    /// Seconds measured.
    pub measured: f64,
    /// Waiting at each station when measuring began and when it ended (`Engine::backlog`).
    pub backlog_start: [u32; 5],
    pub backlog_end: [u32; 5],
    /// The traffic model's mean request rate over the period the window belongs to.
    pub period_request_rate: f64,
}

/// Requests that started service at station `a` (each start records a wait, as does each
/// timeout).
fn starts(a: &StationAcc) -> u64 {
    a.wait.len().saturating_sub(a.timed_out)
}

/// The load of every station of `stage` in window `w`.
pub fn observe(w: &Window, stage: &Stage, infra: &Infra) -> Loads {
    let mut out: Loads = [None; 5];
    let present = [
        true,
        infra.api_cores < infra.api_slots,
        stage.database.is_some(),
        stage.vector_store.is_some(),
    ];
    let db = stage.database.as_ref();
    let keeps = [
        infra.api_max_queue.is_none() && infra.api_queue_timeout.is_none(),
        false,
        !stage.api.hold_worker && db.is_some_and(|d| !d.reject_when_busy && d.pool_timeout.is_none()),
        !stage.api.hold_worker,
    ];
    let api = &w.acc.stations[API];
    let upstream = match starts(api) {
        0 => 1.0,
        n => (api.arrivals as f64 / n as f64).max(1.0),
    };
    let blank = |i: StationId, servers: u32, arrivals: u64, lost: u64| Load {
        servers,
        arrival_rate: arrivals as f64 / w.measured,
        upstream: if i == API { 1.0 } else { upstream },
        mean_service: f64::NAN,
        capacity: f64::NAN,
        rate_limited: false,
        lost: if arrivals > 0 {
            lost as f64 / arrivals as f64
        } else {
            f64::NAN
        },
        backlog_start: w.backlog_start[i.index()],
        backlog_end: w.backlog_end[i.index()],
        visits: if api.arrivals == 0 {
            f64::NAN
        } else {
            arrivals as f64 * if i == API { 1.0 } else { upstream } / api.arrivals as f64
        },
        period_request_rate: w.period_request_rate,
        keeps_excess: i == JOBS || keeps[i.index()],
    };
    for i in [API, CPU, DB, VEC] {
        if !present[i.index()] {
            continue;
        }
        let a = &w.acc.stations[i];
        // The API records a worker's holding time when it is released, the others a service
        // time when it starts.
        let services = if i == API { a.served } else { starts(a) };
        let servers = mean_servers(w, i, a.servers);
        let mut l = blank(i, servers.round() as u32, a.arrivals, a.rejected + a.timed_out);
        if services > 0 {
            l.mean_service = a.service_sum / services as f64;
            l.capacity = servers / l.mean_service;
        } else if a.arrivals > 0 && a.busy_area >= 0.999 * f64::from(a.servers) * w.measured {
            // Every server held throughout and nothing finished: no capacity to speak of.
            l.capacity = 0.0;
        }
        out[i.index()] = Some(l);
    }
    if let Some(q) = &stage.queue {
        let slots = mean_servers(w, JOBS, infra.queue_slots);
        let whole_slots = slots.round() as u32;
        let mut l = blank(JOBS, whole_slots, w.acc.jobs.arrivals, 0);
        l.mean_service = q.job_time.mean();
        let by_slots = if whole_slots == 0 { 0.0 } else { slots / l.mean_service };
        l.capacity = match q.rate_limit {
            Some((max, per)) => theory::rate_limited_throughput(max, per, whole_slots, l.mean_service),
            None => by_slots,
        };
        l.rate_limited = l.capacity < by_slots;
        out[JOBS.index()] = Some(l);
    }
    out
}

/// A station's loads in one period, averaged across the replications that simulated it.
#[derive(Debug, Clone, Copy, Default)]
struct Agg {
    n: usize,
    rho: f64,
    rho_period: f64,
    /// Offered arrivals per second, and those that reached the station.
    arrival: f64,
    reached: f64,
    arrival_period: f64,
    rate_limited: bool,
    capacity: f64,
    es: f64,
    lost: f64,
    b0: f64,
    b1: f64,
    servers: u32,
    keeps: bool,
    /// Replications meeting each criterion: overloaded, turned away, period-average ρ̄ ≥ 1.
    over: usize,
    turned: usize,
    carried: usize,
}

/// The mean of the values that are not NaN (infinite values count, and make it infinite).
fn mean(v: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for x in v.filter(|x| !x.is_nan()) {
        sum += x;
        n += 1;
    }
    if n == 0 {
        f64::NAN
    } else {
        sum / n as f64
    }
}

fn aggregate(loads: &[Load]) -> Option<Agg> {
    let first = loads.first()?;
    let m = |f: &dyn Fn(&Load) -> f64| mean(loads.iter().map(f));
    Some(Agg {
        n: loads.len(),
        rho: m(&|l| l.offered_load()),
        rho_period: m(&|l| l.period_offered_load()),
        arrival: m(&|l| l.offered_rate()),
        reached: m(&|l| l.arrival_rate),
        arrival_period: m(&|l| l.period_offered_rate()),
        rate_limited: first.rate_limited,
        capacity: m(&|l| l.capacity),
        es: m(&|l| l.mean_service),
        lost: m(&|l| l.lost),
        b0: m(&|l| f64::from(l.backlog_start)),
        b1: m(&|l| f64::from(l.backlog_end)),
        servers: first.servers,
        keeps: loads.iter().all(|l| l.keeps_excess),
        over: loads.iter().filter(|l| l.offered_load() >= 1.0).count(),
        turned: loads.iter().filter(|l| l.lost > LOSS_LIMIT).count(),
        carried: loads.iter().filter(|l| l.period_offered_load() >= 1.0).count(),
    })
}

/// Per station (by engine index), one period's loads averaged across the replications that
/// simulated it: what [`detect_from`] needs of a period, whatever the number of replications.
#[derive(Debug, Clone, Copy, Default)]
pub struct PeriodAggs([Option<Agg>; 5]);

impl PeriodAggs {
    /// From the loads of the replications that simulated the period, in replication order.
    pub fn of<'a>(loads: impl Iterator<Item = &'a Loads> + Clone) -> PeriodAggs {
        PeriodAggs(std::array::from_fn(|k| {
            let here: Vec<Load> = loads.clone().filter_map(|l| l[k]).collect();
            aggregate(&here)
        }))
    }
}

/// The overload warnings of a run: `loads[r][p]` is replication `r`'s [`Loads`] in period `p`
/// (`None` where the period was not simulated).
pub fn detect(sc: &Scenario, loads: &[&[Option<Loads>]]) -> Vec<Overload> {
    let periods = loads.iter().map(|r| r.len()).max().unwrap_or(0);
    let aggs: Vec<PeriodAggs> = (0..periods)
        .map(|p| PeriodAggs::of(loads.iter().filter_map(|r| r.get(p).and_then(|l| l.as_ref()))))
        .collect();
    detect_from(sc, &aggs)
}

/// The overload warnings of a run from each period's [`PeriodAggs`].
pub fn detect_from(sc: &Scenario, periods: &[PeriodAggs]) -> Vec<Overload> {
    let peak_window = matches!(sc.sim.mode, SimMode::PeakWindow { .. });
    let mut out = Vec::new();
    for k in 0..STATIONS.len() {
        let aggs: Vec<Option<Agg>> = periods.iter().map(|a| a.0[k]).collect();
        let observed = aggs.iter().filter(|a| a.is_some()).count();
        let over: Vec<usize> = flagged(&aggs, |a| a.rho >= 1.0);
        let turned: Vec<usize> = flagged(&aggs, |a| a.rho < 1.0 && a.lost > LOSS_LIMIT);
        let all = &aggs;
        let by = |key: fn(&Agg) -> f64| move |p: &usize| all[*p].map_or(f64::NAN, |a| key(&a));
        if let Some(w) = worst(&over, by(|a| a.rho)) {
            out.push(warning(
                sc,
                k,
                OverloadKind::Overloaded,
                over,
                observed,
                w,
                &aggs[w].expect("flagged"),
            ));
        }
        if let Some(w) = worst(&turned, by(|a| a.lost)) {
            out.push(warning(
                sc,
                k,
                OverloadKind::TurnedAway,
                turned,
                observed,
                w,
                &aggs[w].expect("flagged"),
            ));
        }
        if peak_window {
            if let Some(c) = carry_over(sc, k, &aggs, observed) {
                out.push(c);
            }
        }
    }
    out
}

/// Where and when the replications that stopped as unstable did so: the earliest of them.
/// `stops` holds each stopped replication's first stop: the period it stopped in, and how.
pub fn instability(sc: &Scenario, stops: &[&(usize, Unstable)]) -> Option<Instability> {
    stops.iter().min_by_key(|u| u.0).map(|(p, u)| Instability {
        replications: stops.len(),
        first_period: *p,
        first_time_seconds: *p as f64 * sc.resolution,
        station: STATIONS[u.station.index()].0.to_string(),
        stopped_at_seconds: u.time,
        message: u.message.clone(),
    })
}

fn flagged(aggs: &[Option<Agg>], test: impl Fn(&Agg) -> bool) -> Vec<usize> {
    (0..aggs.len())
        .filter(|p| aggs[*p].as_ref().is_some_and(&test))
        .collect()
}

/// The period with the largest `key` (the first of equals; NaN never wins).
fn worst(periods: &[usize], key: impl Fn(&usize) -> f64) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for p in periods {
        let v = key(p);
        if best.is_none() || best.is_some_and(|(_, b)| v > b) {
            best = Some((*p, v));
        }
    }
    best.map(|b| b.0)
}

/// Criterion 3: the fluid backlog of a station that keeps its excess.
fn carry_over(sc: &Scenario, k: usize, aggs: &[Option<Agg>], observed: usize) -> Option<Overload> {
    let flagged = flagged(aggs, |a| a.keeps && a.rho_period >= 1.0);
    let first = *flagged.first()?;
    let (mut b, mut peak, mut at) = (0.0f64, 0.0f64, first);
    for (p, agg) in aggs.iter().enumerate() {
        let Some(a) = agg else { continue };
        let (start, end) = period_bounds(sc, p);
        let next = b + (a.arrival_period - a.capacity) * (end - start);
        if !next.is_nan() {
            b = next.max(0.0);
        }
        if b > peak {
            (peak, at) = (b, p);
        }
    }
    let a = aggs[at].expect("the peak is in an observed period");
    let mut w = warning(sc, k, OverloadKind::BacklogCarriesOver, flagged, observed, at, &a);
    w.offered_load = a.rho_period;
    w.arrival_rate = a.arrival_period;
    w.carried_backlog = Some(peak);
    w.carried_backlog_end = Some(b);
    w.message = message(sc, &w);
    Some(w)
}

fn warning(
    sc: &Scenario,
    k: usize,
    kind: OverloadKind,
    periods: Vec<usize>,
    observed: usize,
    w: usize,
    a: &Agg,
) -> Overload {
    let (start, end) = crate::time::window_of(sc, w);
    let mut o = Overload {
        station: STATIONS[k].0.to_string(),
        kind,
        first_period: periods[0],
        periods,
        periods_observed: observed,
        worst_period: w,
        window_start_seconds: start,
        window_end_seconds: start + end,
        offered_load: a.rho,
        arrival_rate: a.arrival,
        reached_rate: a.reached,
        capacity: a.capacity,
        rate_limited: a.rate_limited,
        servers: a.servers,
        mean_service: a.es,
        lost_share: a.lost,
        backlog_start: a.b0,
        backlog_end: a.b1,
        carried_backlog: None,
        carried_backlog_end: None,
        replications: match kind {
            OverloadKind::Overloaded => a.over,
            OverloadKind::TurnedAway => a.turned,
            OverloadKind::BacklogCarriesOver => a.carried,
        },
        replications_observed: a.n,
        message: String::new(),
    };
    o.message = message(sc, &o);
    o
}

#[cfg(test)]
mod tests;

/// Servers of station `i` in the window: `servers`, or for a station an autoscaled set scales,
/// their time average (server-seconds / seconds measured).
fn mean_servers(w: &Window, i: StationId, servers: u32) -> f64 {
    let set = if i == JOBS { 1 } else { 0 };
    if w.acc.scale.active[set] && (i == JOBS || i == API || i == CPU) && w.measured > 0.0 {
        w.acc.server_seconds(i, servers, w.measured) / w.measured
    } else {
        f64::from(servers)
    }
}
