//! One replication of a scenario over its horizon: report periods, busy-window (or full)
//! request-level simulation, storage and usage accrual, scaling triggers, and the bill.
//!
//! Approximation (stated in every report): in `peak_window` mode only the busiest window of
//! each report period is simulated request by request, starting from an empty system warmed up
//! at the window's own rate. Volumes (requests per day, storage, billed usage) are accrued over
//! the whole horizon from the same rate function the simulation samples, at their expected
//! values. In `full` mode every request is simulated and the system carries over between periods.

use crate::billing::usage::Volumes;
use crate::billing::{month::bill_month, stage_run_rate, PeriodUsage};
use crate::engine::{self, Engine, PeriodAcc, StationAcc, API, CPU, DB, VEC};
use crate::hist::Hist;
use crate::infra::{add_instances, apply_upgrade, Infra};
use crate::overload::{self, Loads};
use crate::pricing::Catalog;
use crate::scenario::{Action, Metric, Scenario, SimMode, Stage, Traffic};
use crate::window;
use serde::Serialize;

/// What each reported series means and its unit kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Count,
    PerSecond,
    Seconds,
    Fraction,
    Bytes,
    Dollars,
}

/// The per-period series every replication reports (index = position).
pub const SERIES: &[(&str, Unit, &str)] = &[
    ("users", Unit::Count, "registered users at the end of the period"),
    (
        "requests_per_day",
        Unit::Count,
        "requests per day (expected, from the traffic model)",
    ),
    (
        "busy_rps",
        Unit::PerSecond,
        "request arrival rate in the simulated busy window",
    ),
    ("sessions_max", Unit::Count, "most sessions open at once"),
    ("sessions_mean", Unit::Count, "mean sessions open"),
    ("latency_p50", Unit::Seconds, "end-to-end response time, median"),
    (
        "latency_p95",
        Unit::Seconds,
        "end-to-end response time, 95th percentile",
    ),
    (
        "latency_p99",
        Unit::Seconds,
        "end-to-end response time, 99th percentile",
    ),
    ("latency_mean", Unit::Seconds, "end-to-end response time, mean"),
    ("error_rate", Unit::Fraction, "failed / arrived requests"),
    ("api_cpu", Unit::Fraction, "API CPU utilization"),
    ("api_utilization", Unit::Fraction, "API workers busy"),
    ("api_wait_p95", Unit::Seconds, "wait for an API worker, p95"),
    (
        "api_queue_mean",
        Unit::Count,
        "requests waiting for an API worker, mean",
    ),
    ("api_instances", Unit::Count, "API instances"),
    ("db_utilization", Unit::Fraction, "database connections busy"),
    (
        "db_connections_max",
        Unit::Count,
        "most database connections in use at once",
    ),
    ("db_wait_p95", Unit::Seconds, "wait for a database connection, p95"),
    ("vector_latency_p95", Unit::Seconds, "vector query incl. waiting, p95"),
    ("vector_utilization", Unit::Fraction, "vector store servers busy"),
    ("vector_capacity", Unit::Fraction, "stored vectors / plan capacity"),
    ("queue_backlog_max", Unit::Count, "most background jobs waiting"),
    ("queue_backlog_mean", Unit::Count, "background jobs waiting, mean"),
    ("queue_wait_p95", Unit::Seconds, "job wait before start, p95"),
    ("queue_utilization", Unit::Fraction, "job worker slots busy"),
    ("db_size", Unit::Bytes, "database size at the end of the period"),
    (
        "object_store_size",
        Unit::Bytes,
        "object store size at the end of the period",
    ),
    ("monthly_cost", Unit::Dollars, "monthly run-rate of the whole stage"),
];

pub fn series_index(name: &str) -> usize {
    SERIES.iter().position(|s| s.0 == name).expect("known series")
}

/// Indices into [`SERIES`].
pub mod s {
    pub const USERS: usize = 0;
    pub const REQ_DAY: usize = 1;
    pub const BUSY_RPS: usize = 2;
    pub const SESS_MAX: usize = 3;
    pub const SESS_MEAN: usize = 4;
    pub const P50: usize = 5;
    pub const P95: usize = 6;
    pub const P99: usize = 7;
    pub const MEAN: usize = 8;
    pub const ERR: usize = 9;
    pub const CPU: usize = 10;
    pub const API_UTIL: usize = 11;
    pub const API_WAIT: usize = 12;
    pub const API_Q: usize = 13;
    pub const INSTANCES: usize = 14;
    pub const DB_UTIL: usize = 15;
    pub const DB_CONN: usize = 16;
    pub const DB_WAIT: usize = 17;
    pub const VEC_P95: usize = 18;
    pub const VEC_UTIL: usize = 19;
    pub const VEC_CAP: usize = 20;
    pub const Q_MAX: usize = 21;
    pub const Q_MEAN: usize = 22;
    pub const Q_WAIT: usize = 23;
    pub const Q_UTIL: usize = 24;
    pub const DB_SIZE: usize = 25;
    pub const OBJ_SIZE: usize = 26;
    pub const COST: usize = 27;
    pub const N: usize = 28;
}

/// Whether series `k` comes from the request-level simulation (NaN in a period that was not
/// simulated) rather than from the traffic model, storage or the bill (known in every period).
pub fn simulated_series(k: usize) -> bool {
    !matches!(
        k,
        s::USERS | s::REQ_DAY | s::INSTANCES | s::VEC_CAP | s::DB_SIZE | s::OBJ_SIZE | s::COST
    )
}

pub use crate::window::PeriodStatus;

/// A station as observed in one period, for the queueing-theory comparison.
#[derive(Debug, Clone, Serialize)]
pub struct StationObs {
    pub station: String,
    pub servers: u32,
    /// Places to wait beyond the servers (`None`: unlimited; `Some(0)`: a loss system).
    pub waiting_room: Option<u32>,
    /// Every arrival, admitted or turned away, per second.
    pub arrival_rate: f64,
    pub mean_service: f64,
    pub service_scv: f64,
    /// Mean wait in queue per *admitted* arrival (turned-away arrivals excluded; one that gave
    /// up after a queue timeout counts with the time it waited).
    pub mean_wait: f64,
    /// Share of admitted arrivals that had to wait.
    pub p_wait: f64,
    /// Share of arrivals turned away (every server busy, waiting room full).
    pub p_block: f64,
    /// Share of admitted arrivals that gave up waiting (queue timeout).
    pub p_timeout: f64,
    pub utilization: f64,
    pub served: u64,
    /// Mean time at the station (wait + service) of those served.
    pub mean_sojourn: f64,
    /// Completions per second.
    pub throughput: f64,
}

/// A trigger firing in one replication.
#[derive(Debug, Clone, Serialize)]
pub struct Firing {
    pub trigger: usize,
    pub period: usize,
    pub time: f64,
    pub value: f64,
    pub effect: String,
    pub cost_before: f64,
    pub cost_after: f64,
}

pub use crate::billing::month::{ComponentBill, MonthBill};

/// Result of one replication.
#[derive(Debug, Clone)]
pub struct Replication {
    pub series: Vec<[f64; s::N]>,
    /// Per period, per component (index into `components`): monthly run-rate in dollars.
    pub component_costs: Vec<Vec<f64>>,
    pub stage_at: Vec<String>,
    pub firings: Vec<Firing>,
    /// Per trigger: periods in which its condition held.
    pub held: Vec<u32>,
    /// Per trigger: the largest value it saw (NaN if it never had data).
    pub peak: Vec<f64>,
    pub months: Vec<MonthBill>,
    pub unstable: Vec<(usize, engine::Unstable)>,
    pub stations: Vec<StationObs>,
    pub notes: Vec<String>,
    /// Per period: whether it was simulated, and each station's load (see [`crate::overload`]).
    pub status: Vec<PeriodStatus>,
    pub loads: Vec<Option<Loads>>,
}

/// Fixed facts about a run, the same in every replication.
#[derive(Debug, Clone)]
pub struct Plan {
    pub periods: usize,
    pub components: Vec<String>,
    /// The period whose busy window is compared with queueing theory.
    pub theory_period: usize,
}

impl Plan {
    pub fn new(sc: &Scenario) -> Plan {
        let periods = (sc.horizon / sc.resolution).ceil().max(1.0) as usize;
        let mut components: Vec<String> = Vec::new();
        let mut order: Vec<&Stage> = vec![&sc.stages[&sc.start_stage]];
        order.extend(sc.stages.values().filter(|s| s.name != sc.start_stage));
        for st in order {
            for c in crate::scenario::component_names(st) {
                if !components.contains(&c) {
                    components.push(c);
                }
            }
        }
        let mut best = 0;
        let mut best_rate = -1.0;
        for p in 0..periods {
            let (t0, _) = window_of(sc, p);
            let r = sc.traffic.request_rate_at(t0 + 1.0);
            if r >= best_rate {
                best_rate = r;
                best = p;
            }
        }
        Plan {
            periods,
            components,
            theory_period: best,
        }
    }
}

fn period_bounds(sc: &Scenario, p: usize) -> (f64, f64) {
    let a = p as f64 * sc.resolution;
    (a, ((p + 1) as f64 * sc.resolution).min(sc.horizon))
}

/// Start and length of the busy window of period `p` (peak_window mode).
pub fn window_of(sc: &Scenario, p: usize) -> (f64, f64) {
    let (a, b) = period_bounds(sc, p);
    match sc.sim.mode {
        SimMode::PeakWindow { window, .. } => {
            let len = window.min(b - a);
            // Busiest hour of the period (the first, if several tie).
            let mut best = a;
            let mut best_rate = -1.0;
            let mut t = (a / 3600.0).floor() * 3600.0;
            while t < b {
                let start = t.max(a);
                let r = sc.traffic.arrival_rate_at(start + 1e-6);
                if r > best_rate + 1e-12 {
                    best_rate = r;
                    best = start;
                }
                t += 3600.0;
            }
            (best.min(b - len).max(a), len)
        }
        SimMode::Full { .. } => (a, b - a),
    }
}

/// ∫ rate over [a, b), hour segments, the rate at each segment's middle (as the engine does).
fn integrate(a: f64, b: f64, rate: impl Fn(f64) -> f64) -> f64 {
    let mut total = 0.0;
    let mut t = a;
    while t < b {
        let seg_start = (t / 3600.0).floor() * 3600.0;
        let seg_end = (seg_start + 3600.0).min(b);
        total += rate(seg_start + 1800.0) * (seg_end - t);
        t = seg_end;
    }
    total
}

/// Percentile triggers are evaluated only on at least this many observations in a period, so a
/// handful of slow queries in a quiet window does not fire an upgrade.
pub const MIN_PERCENTILE_SAMPLES: u64 = 100;

fn pct_for_trigger(h: &Hist, p: f64) -> f64 {
    if h.len() < MIN_PERCENTILE_SAMPLES {
        f64::NAN
    } else {
        pct(h, p)
    }
}

pub fn pct(h: &Hist, p: f64) -> f64 {
    if h.is_empty() {
        f64::NAN
    } else {
        h.quantile(p / 100.0)
    }
}

fn nan_if_zero(den: f64, v: f64) -> f64 {
    if den > 0.0 {
        v
    } else {
        f64::NAN
    }
}

fn station_obs(name: &str, a: &StationAcc, waiting_room: Option<u32>, measured: f64) -> StationObs {
    let n = a.served.max(1) as f64;
    let mean_s = a.service_sum / n;
    let var = (a.service_sq_sum / n - mean_s * mean_s).max(0.0);
    let admitted = a.arrivals.saturating_sub(a.rejected) as f64;
    StationObs {
        station: name.to_string(),
        servers: a.servers,
        waiting_room,
        arrival_rate: a.arrivals as f64 / measured,
        mean_service: mean_s,
        service_scv: if mean_s > 0.0 { var / (mean_s * mean_s) } else { 0.0 },
        mean_wait: nan_if_zero(admitted, a.wait_sum / admitted),
        p_wait: nan_if_zero(admitted, a.waited as f64 / admitted),
        p_block: nan_if_zero(a.arrivals as f64, a.rejected as f64 / a.arrivals as f64),
        p_timeout: nan_if_zero(admitted, a.timed_out as f64 / admitted),
        utilization: nan_if_zero(a.servers as f64 * measured, a.busy_area / (a.servers as f64 * measured)),
        served: a.served,
        mean_sojourn: if a.served > 0 {
            a.sojourn_sum / a.served as f64
        } else {
            f64::NAN
        },
        throughput: a.served as f64 / measured,
    }
}

/// Runs replication `rep` of the scenario.
pub fn replicate(sc: &Scenario, catalog: &Catalog, plan: &Plan, rep: u32) -> Replication {
    let mut stage = sc.stages[&sc.start_stage].clone();
    // Validation resolved the starting stage; should it not fit after all, the notes say how.
    let (mut infra, start_notes) = Infra::resolve_lenient(&stage, catalog);
    let mut out = Replication {
        series: Vec::with_capacity(plan.periods),
        component_costs: Vec::with_capacity(plan.periods),
        stage_at: Vec::with_capacity(plan.periods),
        firings: Vec::new(),
        held: vec![0; sc.triggers.len()],
        peak: vec![f64::NAN; sc.triggers.len()],
        months: Vec::new(),
        unstable: Vec::new(),
        stations: Vec::new(),
        notes: start_notes,
        status: Vec::with_capacity(plan.periods),
        loads: Vec::with_capacity(plan.periods),
    };
    let base_seed = splitmix(sc.seed ^ splitmix(rep as u64 + 1));
    let mut streak = vec![0u32; sc.triggers.len()];
    let mut last_fired = vec![f64::NEG_INFINITY; sc.triggers.len()];
    let mut done_once = vec![false; sc.triggers.len()];
    // Storage: bytes created per period per record kind (for retention).
    let db_records = &sc.storage.database.records;
    let obj_records = &sc.storage.object_store.records;
    let mut db_created: Vec<Vec<f64>> = vec![Vec::new(); db_records.len()];
    let mut obj_created: Vec<Vec<f64>> = vec![Vec::new(); obj_records.len()];
    let mut db_size_prev = sc.storage.database.initial_bytes
        + db_records
            .iter()
            .map(|r| r.per_user * sc.traffic.users_at(0.0) * r.size_bytes)
            .sum::<f64>();
    // Usage of the periods not yet billed: months are billed as soon as they end, so memory
    // does not grow with the horizon.
    let mut usage_log: Vec<(usize, PeriodUsage)> = Vec::new();
    let month_s = sc.hours_per_month * 3600.0;
    let months = (sc.horizon / month_s).ceil().max(1.0) as usize;
    let mut next_month = 0usize;
    // One engine for the whole replication: reused across busy windows, or running through
    // the horizon in `full` mode.
    let mut engine: Option<Engine> = None;
    let jobs_per_request: f64 = sc.requests.iter().map(|r| r.share * r.jobs).sum();
    let lookups_per_request: f64 = sc.requests.iter().map(|r| r.share * r.cache_lookups).sum();

    for p in 0..plan.periods {
        let (a, b) = period_bounds(sc, p);
        let hours = (b - a) / 3600.0;
        // Expected volumes over the whole period.
        let requests = integrate(a, b, |t| sc.traffic.request_rate_at(t));
        let sessions = match sc.traffic {
            Traffic::Sessions { .. } => integrate(a, b, |t| sc.traffic.arrival_rate_at(t)),
            Traffic::Open { .. } => requests,
        };
        let jobs = if stage.queue.is_some() {
            requests * jobs_per_request
        } else {
            0.0
        };
        let users_start = sc.traffic.users_at(a);
        let users_end = sc.traffic.users_at(b);
        let user_days = integrate(a, b, |t| sc.traffic.users_at(t)) / 86400.0;
        let retained = |created: &mut Vec<Vec<f64>>, records: &[crate::scenario::Record]| -> f64 {
            let mut total = 0.0;
            for (k, r) in records.iter().enumerate() {
                let mut n = r
                    .per_request
                    .iter()
                    .map(|(ti, per)| requests * sc.requests[*ti].share * per)
                    .sum::<f64>();
                n += r.per_user * (users_end - users_start).max(0.0);
                n += r.per_user_per_day * user_days;
                n += r.per_job * jobs;
                created[k].push(n * r.size_bytes);
                let keep = match r.retention {
                    Some(ret) => ((ret / sc.resolution).ceil() as usize).max(1),
                    None => usize::MAX,
                };
                let len = created[k].len();
                let from = len.saturating_sub(keep);
                total += created[k][from..].iter().sum::<f64>();
            }
            total
        };
        let db_size = sc.storage.database.initial_bytes
            + db_records
                .iter()
                .map(|r| r.per_user * sc.traffic.users_at(0.0) * r.size_bytes)
                .sum::<f64>()
            + retained(&mut db_created, db_records);
        let obj_size = sc.storage.object_store.initial_bytes + retained(&mut obj_created, obj_records);

        // Read-only database once past a hard size limit.
        let read_only = infra
            .db
            .as_ref()
            .is_some_and(|d| d.read_only_over_limit && d.size_limit.is_some_and(|l| db_size_prev > l));

        // Request-level simulation of this period.
        let period = window::Period {
            index: p,
            start: a,
            end: b,
            stage: &stage,
            infra: &infra,
            read_only,
            seed: base_seed,
        };
        let window::Simulated {
            mut acc,
            status,
            measured,
            backlog_start,
            backlog_end,
        } = window::simulate(sc, &period, &mut engine);
        acc.measured = measured;
        if let Some(u) = acc.unstable.clone() {
            out.unstable.push((p, u));
        }
        out.status.push(status);
        out.loads.push((status == PeriodStatus::Simulated).then(|| {
            let w = overload::Window {
                acc: &acc,
                measured,
                backlog_start,
                backlog_end,
                period_request_rate: requests / (b - a),
            };
            overload::observe(&w, &stage, &infra)
        }));
        // Rates below divide by it; a period with nothing measured has its simulated series
        // set to NaN after the row is built.
        let measured = measured.max(1e-9);

        let vols = Volumes {
            hours,
            requests,
            sessions,
            jobs,
            users: users_end,
            db_bytes_avg: (db_size_prev + db_size) / 2.0,
            db_bytes_end: db_size,
        };
        db_size_prev = db_size;
        let (costs, detail) = stage_run_rate(
            sc,
            &stage,
            &plan.components,
            &vols,
            requests * lookups_per_request,
            catalog,
        );
        let total_cost: f64 = costs.iter().sum();

        // Series.
        let mut row = [f64::NAN; s::N];
        row[s::USERS] = users_end;
        row[s::REQ_DAY] = requests / (b - a) * 86400.0;
        row[s::BUSY_RPS] = acc.arrivals as f64 / measured;
        row[s::SESS_MAX] = acc.sessions_max as f64;
        row[s::SESS_MEAN] = acc.sessions_area / measured;
        row[s::P50] = pct(&acc.latency, 50.0);
        row[s::P95] = pct(&acc.latency, 95.0);
        row[s::P99] = pct(&acc.latency, 99.0);
        row[s::MEAN] = nan_if_zero(acc.completed as f64, acc.latency_sum / acc.completed as f64);
        // No arrival, no error rate (not 0 %: an objective on it is not evaluated).
        row[s::ERR] = nan_if_zero(acc.arrivals as f64, acc.errors() as f64 / acc.arrivals as f64);
        let cpu = &acc.stations[CPU];
        row[s::CPU] = cpu.busy_area / (cpu.servers.max(1) as f64 * measured)
            * (infra.api_cores as f64 * infra.api_speed / infra.api_vcpu_total.max(1e-9))
            + stage.api.idle_cpu * stage.api.instances as f64 / infra.api_vcpu_total.max(1e-9);
        let api = &acc.stations[API];
        row[s::API_UTIL] = api.busy_area / (api.servers.max(1) as f64 * measured);
        row[s::API_WAIT] = pct(&api.wait, 95.0);
        row[s::API_Q] = api.queue_area / measured;
        row[s::INSTANCES] = stage.api.instances as f64;
        if stage.database.is_some() {
            let d = &acc.stations[DB];
            row[s::DB_UTIL] = d.busy_area / (d.servers.max(1) as f64 * measured);
            row[s::DB_CONN] = d.max_busy as f64;
            row[s::DB_WAIT] = pct(&d.wait, 95.0);
        }
        if let Some(vs) = &stage.vector_store {
            let v = &acc.stations[VEC];
            row[s::VEC_P95] = pct(&v.sojourn, 95.0);
            row[s::VEC_UTIL] = v.busy_area / (v.servers.max(1) as f64 * measured);
            row[s::VEC_CAP] = infra
                .vector
                .as_ref()
                .and_then(|x| x.max_vectors)
                .map(|m| vs.vectors / m)
                .unwrap_or(f64::NAN);
        }
        if stage.queue.is_some() {
            row[s::Q_MAX] = acc.job_backlog_max as f64;
            row[s::Q_MEAN] = acc.jobs.queue_area / measured;
            row[s::Q_WAIT] = pct(&acc.jobs.wait, 95.0);
            row[s::Q_UTIL] = acc.jobs.busy_area / (acc.jobs.servers.max(1) as f64 * measured);
        }
        row[s::DB_SIZE] = db_size;
        row[s::OBJ_SIZE] = obj_size;
        row[s::COST] = total_cost;
        if status != PeriodStatus::Simulated {
            // Not simulated is not zero: no figure, and no trigger evaluates one.
            for (k, v) in row.iter_mut().enumerate() {
                if simulated_series(k) {
                    *v = f64::NAN;
                }
            }
        }

        if p == plan.theory_period {
            for (i, st) in acc.stations.iter() {
                let n = i.kind().table_name;
                // CPU cores only queue when there are more workers than cores.
                let cpu_queues = i != CPU || infra.api_cores < infra.api_slots;
                if cpu_queues
                    && st.servers > 0
                    && st.arrivals > 0
                    && (i != DB || stage.database.is_some())
                    && (i != VEC || stage.vector_store.is_some())
                {
                    out.stations
                        .push(station_obs(n, st, engine::waiting_room(i, &stage, &infra), measured));
                }
            }
            if acc.jobs.servers > 0 && acc.jobs.arrivals > 0 {
                out.stations.push(station_obs("job queue", &acc.jobs, None, measured));
            }
        }

        out.series.push(row);
        out.component_costs.push(costs.clone());
        out.stage_at.push(stage.name.clone());
        usage_log.push((p, detail));
        while next_month < months && (b >= ((next_month + 1) as f64 * month_s).min(sc.horizon) - 1e-6) {
            out.months
                .push(bill_month_of(sc, plan, next_month, &usage_log, catalog));
            let month_end = (next_month + 1) as f64 * month_s;
            usage_log.retain(|(q, _)| period_bounds(sc, *q).1 > month_end);
            next_month += 1;
        }

        // Triggers, evaluated at the end of the period; actions apply from the next one.
        let mut changed = false;
        // Each firing's "before → after" is its own effect: the next firing in the same period
        // starts from the cost the previous one left.
        let mut cost_now = total_cost;
        for (ti, t) in sc.triggers.iter().enumerate() {
            let value = if t.metric == Metric::MonthlyCost && !t.components.is_empty() {
                plan.components
                    .iter()
                    .zip(&costs)
                    .filter(|(c, _)| t.components.contains(c))
                    .map(|(_, v)| v)
                    .sum()
            } else {
                metric_value(t.metric, t.percentile, &acc, &row, &stage)
            };
            if value.is_finite() {
                let p = &mut out.peak[ti];
                *p = if p.is_nan() {
                    value
                } else if t.above {
                    p.max(value)
                } else {
                    p.min(value)
                };
            }
            let holds = value.is_finite()
                && if t.above {
                    value > t.threshold
                } else {
                    value < t.threshold
                };
            if holds {
                out.held[ti] += 1;
                streak[ti] += 1;
            } else {
                streak[ti] = 0;
                continue;
            }
            if streak[ti] < t.sustained_periods || b - last_fired[ti] < t.cooldown {
                continue;
            }
            let repeatable = matches!(t.action, Action::AddInstances { .. });
            if done_once[ti] && !repeatable {
                continue;
            }
            let effect = match &t.action {
                Action::Flag => "flagged (no change)".to_string(),
                Action::Upgrade(u) => apply_upgrade(&mut stage, u),
                Action::AddInstances { count, max, .. } => match add_instances(&mut stage, *count, *max) {
                    Some(e) => e,
                    None if done_once[ti] => continue,
                    None => format!("api already at its maximum of {max} instances; nothing added"),
                },
                Action::SwitchStage(name) => {
                    stage = sc.stages[name].clone();
                    format!("switched to stage `{name}`")
                }
            };
            done_once[ti] = true;
            last_fired[ti] = b;
            streak[ti] = 0;
            let (after_costs, _) = stage_run_rate(
                sc,
                &stage,
                &plan.components,
                &vols,
                requests * lookups_per_request,
                catalog,
            );
            let cost_after: f64 = after_costs.iter().sum();
            out.firings.push(Firing {
                trigger: ti,
                period: p,
                time: b,
                value,
                effect,
                cost_before: cost_now,
                cost_after,
            });
            cost_now = cost_after;
            changed |= !matches!(t.action, Action::Flag);
        }
        if changed {
            let (new_infra, notes) = Infra::resolve_lenient(&stage, catalog);
            for n in notes {
                if !out.notes.contains(&n) {
                    out.notes.push(n);
                }
            }
            window::reconfigure(sc, &mut engine, &stage, &new_infra);
            infra = new_infra;
        }
    }
    while next_month < months {
        out.months
            .push(bill_month_of(sc, plan, next_month, &usage_log, catalog));
        next_month += 1;
    }
    out
}

/// Month `m`'s bill from the usage of the periods logged so far.
fn bill_month_of(
    sc: &Scenario,
    plan: &Plan,
    m: usize,
    usage_log: &[(usize, PeriodUsage)],
    catalog: &Catalog,
) -> MonthBill {
    let bounds = |p: usize| period_bounds(sc, p);
    bill_month(
        m,
        sc.hours_per_month,
        sc.horizon,
        usage_log,
        bounds,
        &plan.components,
        catalog,
    )
}

/// The value a trigger compares with its threshold, for one period.
fn metric_value(m: Metric, pctl: f64, acc: &PeriodAcc, row: &[f64; s::N], stage: &Stage) -> f64 {
    match m {
        Metric::DatabaseSize => row[s::DB_SIZE],
        Metric::DatabaseConnections => row[s::DB_CONN],
        Metric::DatabaseUtilization => row[s::DB_UTIL],
        Metric::DatabaseWait => pct_for_trigger(&acc.stations[DB].wait, pctl),
        Metric::ApiCpu => row[s::CPU],
        Metric::ApiUtilization => row[s::API_UTIL],
        Metric::ApiInstances => stage.api.instances as f64,
        Metric::ApiWait => pct_for_trigger(&acc.stations[API].wait, pctl),
        Metric::Latency => pct_for_trigger(&acc.latency, pctl),
        Metric::VectorLatency => pct_for_trigger(&acc.stations[VEC].sojourn, pctl),
        Metric::VectorCapacity => row[s::VEC_CAP],
        Metric::ErrorRate => row[s::ERR],
        Metric::QueueBacklog => row[s::Q_MAX],
        Metric::QueueWait => pct_for_trigger(&acc.jobs.wait, pctl),
        Metric::MonthlyCost => row[s::COST],
        Metric::Users => row[s::USERS],
        Metric::RequestsPerDay => row[s::REQ_DAY],
        Metric::ConcurrentSessions => row[s::SESS_MAX],
        Metric::ObjectStoreSize => row[s::OBJ_SIZE],
    }
}

/// SplitMix64: derives independent seeds from (seed, replication, period).
pub fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
