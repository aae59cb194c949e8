//! The per-period series of one replication: the row of figures a period reports (what each
//! series means is [`crate::results::series`]), and the stations observed for the
//! queueing-theory comparison.

use crate::components::backups::Backups;
use crate::engine::{self, PeriodAcc, StationAcc, API, CPU, DB, JOBS, VEC};
use crate::hist::Hist;
use crate::infra::Infra;
use crate::results::{s, simulated_series};
use crate::scenario::Stage;
use serde::Serialize;

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

/// What a period's row reports besides the busy window's measurements.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Facts {
    /// Length of the period (seconds).
    pub length: f64,
    /// Registered users at its end.
    pub users: f64,
    /// Requests over the period (expected, from the traffic model).
    pub requests: f64,
    pub db_size: f64,
    pub object_store_size: f64,
    /// Monthly run-rate of the whole stage.
    pub cost: f64,
    /// Whether the busy window was simulated; if not, the simulated series have no figure.
    pub simulated: bool,
    /// Autoscaled API: its time-averaged instances over the period.
    pub api_replicas: Option<f64>,
}

/// The row of series of one period: `acc` over `measured` seconds of its busy window, on
/// `stage` as `infra` resolved it.
pub fn row(f: &Facts, acc: &PeriodAcc, measured: f64, stage: &Stage, infra: &Infra) -> [f64; s::N] {
    // Rates below divide by it; a period with nothing measured has no simulated figure.
    let measured = measured.max(1e-9);
    let mut row = [f64::NAN; s::N];
    row[s::USERS] = f.users;
    row[s::REQ_DAY] = f.requests / f.length * 86400.0;
    // Every request offered, those the per-client limit rejected included.
    row[s::BUSY_RPS] = (acc.arrivals + acc.client_rejected) as f64 / measured;
    row[s::SESS_MAX] = acc.sessions_max as f64;
    row[s::SESS_MEAN] = acc.sessions_area / measured;
    row[s::P50] = pct(&acc.latency, 50.0);
    row[s::P95] = pct(&acc.latency, 95.0);
    row[s::P99] = pct(&acc.latency, 99.0);
    row[s::MEAN] = nan_if_zero(acc.completed as f64, acc.latency_sum / acc.completed as f64);
    // No arrival, no error rate (not 0 %: an objective on it is not evaluated).
    row[s::ERR] = nan_if_zero(acc.arrivals as f64, acc.errors() as f64 / acc.arrivals as f64);
    let cpu = &acc.stations[CPU];
    row[s::CPU] = cpu.busy_area / acc.server_seconds(CPU, cpu.servers.max(1), measured)
        * (infra.api_cores as f64 * infra.api_speed / infra.api_vcpu_total.max(1e-9))
        + stage.api.idle_cpu * stage.api.instances as f64 / infra.api_vcpu_total.max(1e-9);
    let api = &acc.stations[API];
    row[s::API_UTIL] = api.busy_area / acc.server_seconds(API, api.servers.max(1), measured);
    row[s::API_WAIT] = pct(&api.wait, 95.0);
    row[s::API_Q] = api.queue_area / measured;
    // Autoscaled: the time-averaged instances billed over the period.
    row[s::INSTANCES] = f.api_replicas.unwrap_or(stage.api.instances as f64);
    if stage.database.is_some() {
        let d = &acc.stations[DB];
        row[s::DB_UTIL] = utilization(d, measured);
        row[s::DB_CONN] = d.max_busy as f64;
        row[s::DB_WAIT] = pct(&d.wait, 95.0);
        // Only where a job holds connections: elsewhere no figure, not 0.
        if d.max_reserved > 0 || crate::sched::Schedules::of(stage).iter().any(|j| j.connections > 0) {
            row[s::DB_HELD] = d.reserved_area / measured;
        }
    }
    if let Some(vs) = &stage.vector_store {
        let v = &acc.stations[VEC];
        row[s::VEC_P95] = pct(&v.sojourn, 95.0);
        row[s::VEC_UTIL] = utilization(v, measured);
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
        row[s::Q_UTIL] = acc.jobs.busy_area / acc.server_seconds(JOBS, acc.jobs.servers.max(1), measured);
    }
    if stage.blocks.contains_key(crate::components::client_limit::KEY) {
        let offered = (acc.arrivals + acc.client_rejected) as f64;
        row[s::CLIENT_REJ] = acc.client_rejected as f64;
        row[s::CLIENT_REJ_RATE] = nan_if_zero(offered, acc.client_rejected as f64 / offered);
    }
    if stage.cache.is_some() {
        row[s::CACHE_HIT] = nan_if_zero(
            acc.cache_lookups as f64,
            acc.cache_hits as f64 / acc.cache_lookups as f64,
        );
    }
    row[s::DB_SIZE] = f.db_size;
    // The recovery objectives the stage's backups give (the trigger metrics `database.rpo`
    // and `database.rto`, from the same size); no figure without backups.
    if let Some(b) = stage.block::<Backups>("backups") {
        row[s::DB_RPO] = b.rpo();
        row[s::DB_RTO] = b.rto(f.db_size);
    }
    row[s::OBJ_SIZE] = f.object_store_size;
    row[s::COST] = f.cost;
    if !f.simulated {
        // Not simulated is not zero: no figure, and no trigger evaluates one.
        for (k, v) in row.iter_mut().enumerate() {
            if simulated_series(k) {
                *v = f64::NAN;
            }
        }
    }
    row
}

/// Share of a station's servers busy over `measured` seconds.
fn utilization(a: &StationAcc, measured: f64) -> f64 {
    a.busy_area / (a.servers.max(1) as f64 * measured)
}

/// The stations of a busy window that queueing theory describes: those the stage has, that
/// saw arrivals (the CPU only where workers outnumber cores, so that it queues).
pub fn theory_stations(acc: &PeriodAcc, measured: f64, stage: &Stage, infra: &Infra) -> Vec<StationObs> {
    let measured = measured.max(1e-9);
    let mut out = Vec::new();
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
            let room = engine::waiting_room(i, stage, infra);
            match held_through(st) {
                Held::None => out.push(station_obs(n, st, room, measured)),
                Held::Through(free) => out.push(station_obs(n, &free, room, measured)),
                Held::Varying => {}
            }
        }
    }
    if acc.jobs.servers > 0 && acc.jobs.arrivals > 0 {
        out.push(station_obs("job queue", &acc.jobs, None, measured));
    }
    out
}

/// What scheduled runs held of a station's servers in a window (`StationAcc::reserved_area`).
enum Held {
    None,
    /// The same `k` through the whole window, fewer than the servers: the station of the
    /// `c − k` servers left (their busy time without the held ones), which theory describes.
    Through(StationAcc),
    /// Held servers that changed in the window, or all of them: no model of a fixed pool
    /// describes it, and the station is left out of the comparison.
    Varying,
}

fn held_through(a: &StationAcc) -> Held {
    if a.max_reserved == 0 {
        return Held::None;
    }
    if a.min_reserved != a.max_reserved || a.max_reserved >= a.servers {
        return Held::Varying;
    }
    let mut free = a.clone();
    free.servers -= a.max_reserved;
    free.busy_area = (a.busy_area - a.reserved_area).max(0.0);
    Held::Through(free)
}

/// The replication's note on the queueing-theory comparison of period `p`'s busy window when
/// scheduled runs held database connections in it.
pub fn held_note(acc: &PeriodAcc, p: usize) -> Option<String> {
    let d = &acc.stations[DB];
    match held_through(d) {
        Held::None => None,
        Held::Through(free) => Some(format!(
            "Scheduled runs held {} database connections through the whole busy window compared \
             with queueing theory (period {}): the database is compared as a pool of the {} left.",
            d.max_reserved,
            p + 1,
            free.servers
        )),
        Held::Varying => Some(format!(
            "Scheduled runs held database connections (up to {}) for part of the busy window \
             compared with queueing theory (period {}), or the whole pool: the database is left \
             out of the comparison, which assumes a fixed pool.",
            d.max_reserved,
            p + 1
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::PeriodAcc;
    use crate::results::SERIES;

    /// An API of 2 workers on 2 vCPU, no database, vector store or queue.
    fn stage_and_infra() -> (Stage, Infra) {
        stage_with("")
    }

    /// [`stage_and_infra`]'s stage with `more` (YAML fields of the stage, each followed by a
    /// comma) added.
    fn stage_with(more: &str) -> (Stage, Infra) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.yaml");
        let text = format!(
            "name: t\nstage: s\nhorizon: 1d\nresolution: 1h\ntraffic: {{arrival_rate: 1/s}}\n\
             requests: {{r: {{share: 100%, cpu: {{dist: exponential, mean: 10ms}}}}}}\n\
             stages: {{s: {{{more} api: {{vcpu: 2, workers: 2}}}}}}\n"
        );
        std::fs::write(&p, text).unwrap();
        let pricing = crate::pricing::CatalogSource::builtin();
        let sc = crate::scenario::load(&p, Some(&pricing))
            .unwrap_or_else(|e| panic!("{e}"))
            .0;
        let catalog = crate::pricing::Catalog::builtin().unwrap();
        let stage = sc.stages["s"].clone();
        let infra = Infra::resolve_lenient(&stage, &catalog).0;
        (stage, infra)
    }

    fn facts(simulated: bool) -> Facts {
        Facts {
            length: 3600.0,
            users: 100.0,
            requests: 7200.0,
            db_size: 5e9,
            object_store_size: 1e9,
            cost: 42.0,
            simulated,
            api_replicas: None,
        }
    }

    #[test]
    fn a_row_reads_the_window_and_the_facts() {
        let (stage, infra) = stage_and_infra();
        let mut acc = PeriodAcc::new(&infra);
        acc.arrivals = 600;
        acc.completed = 590;
        // Failures: turned away and timed out.
        acc.rejected = 6;
        acc.timeouts = 4;
        acc.latency_sum = 59.0;
        for _ in 0..590 {
            acc.latency.record(0.1);
        }
        acc.stations[API].busy_area = 300.0;
        acc.stations[API].queue_area = 60.0;
        let row = row(&facts(true), &acc, 300.0, &stage, &infra);
        assert_eq!(row[s::USERS], 100.0);
        // 7,200 requests in an hour: 172,800 a day.
        assert_eq!(row[s::REQ_DAY], 172_800.0);
        assert_eq!(row[s::BUSY_RPS], 2.0);
        assert!((row[s::MEAN] - 0.1).abs() < 1e-12);
        assert!((row[s::P95] - 0.1).abs() < 0.001);
        assert!((row[s::API_UTIL] - 300.0 / (acc.stations[API].servers as f64 * 300.0)).abs() < 1e-12);
        assert_eq!(row[s::API_Q], 0.2);
        assert_eq!(row[s::ERR], 10.0 / 600.0);
        assert_eq!((row[s::DB_SIZE], row[s::OBJ_SIZE], row[s::COST]), (5e9, 1e9, 42.0));
        assert_eq!(row[s::INSTANCES], 1.0);
        // No database, vector store or queue: no figure.
        for k in [s::DB_UTIL, s::DB_CONN, s::VEC_P95, s::VEC_CAP, s::Q_MAX, s::Q_UTIL] {
            assert!(row[k].is_nan(), "{}", SERIES[k].0);
        }
    }

    #[test]
    fn no_arrival_is_no_figure_not_zero() {
        let (stage, infra) = stage_and_infra();
        let acc = PeriodAcc::new(&infra);
        let row = row(&facts(true), &acc, 300.0, &stage, &infra);
        for k in [s::P50, s::P95, s::P99, s::MEAN, s::ERR, s::API_WAIT] {
            assert!(row[k].is_nan(), "{}", SERIES[k].0);
        }
        assert_eq!(row[s::BUSY_RPS], 0.0);
    }

    #[test]
    fn a_period_not_simulated_keeps_only_the_model_figures() {
        let (stage, infra) = stage_and_infra();
        let mut acc = PeriodAcc::new(&infra);
        acc.arrivals = 10;
        let row = row(&facts(false), &acc, 300.0, &stage, &infra);
        for (k, v) in row.iter().enumerate() {
            let no_backups = k == s::DB_RPO || k == s::DB_RTO;
            assert_eq!(
                v.is_nan(),
                simulated_series(k) || k == s::VEC_CAP || no_backups,
                "{}",
                SERIES[k].0
            );
        }
    }

    #[test]
    fn recovery_objectives_follow_the_backups_and_the_size_at_the_end() {
        // 5 GB at 50 MB/s is 100 s, plus 5 minutes to start: 400 s, whether the busy window
        // was simulated or not (they come from the size, not the window).
        let daily = "backups: {daily: {keep: 7d}, restore_rate: 50MB/s, restore_startup: 5m},";
        let (stage, infra) = stage_with(daily);
        let acc = PeriodAcc::new(&infra);
        for simulated in [true, false] {
            let row = row(&facts(simulated), &acc, 300.0, &stage, &infra);
            assert_eq!(row[s::DB_RTO], 5e9 / 50e6 + 300.0);
            assert_eq!(row[s::DB_RPO], 86_400.0, "the daily interval");
        }
        // A weekly schedule alone: its interval; with PITR, the 5-minute log interval; twice
        // the size, twice the transfer.
        let weekly = "backups: {weekly: {keep: 30d}, restore_rate: 1GB/s, pitr: 5d},";
        let (stage, infra) = stage_with(weekly);
        let mut f = facts(true);
        f.db_size = 1e10;
        let pitr = row(&f, &PeriodAcc::new(&infra), 300.0, &stage, &infra);
        assert_eq!(
            (pitr[s::DB_RTO], pitr[s::DB_RPO]),
            (10.0, crate::components::backups::PITR_RPO)
        );
        let (stage, infra) = stage_with("backups: {weekly: {keep: 30d}, restore_rate: 1GB/s},");
        let weekly = row(&f, &PeriodAcc::new(&infra), 300.0, &stage, &infra);
        assert_eq!(weekly[s::DB_RPO], 7.0 * 86_400.0);
    }
}
