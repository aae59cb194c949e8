//! How much work and memory a run will take, estimated from the checked scenario before
//! anything is simulated, and the caps beyond which capsim refuses to start.
//!
//! The simulation's cost is its events: every request is an arrival (or the end of a think
//! time), a CPU burst and one event per cache lookup, database query, vector query,
//! external call and background job. In `peak_window` mode only each period's busiest window
//! (and its warm-up) is simulated; in `full` mode the whole horizon is. Expected counts come
//! from the same rate function the engine samples. Bookkeeping adds a step per hour of the
//! horizon (volumes are accrued hour by hour) and per period.
//!
//! Memory is what the run holds at once: every replication's per-period figures and monthly
//! bills until they are aggregated, the report (about 55 KB per period, measured), and, in each
//! replication running at the same time, the sessions open at the busiest moment and the
//! requests in the system (at most `max_in_flight`).
//!
//! An estimate that is not finite (traffic growing without bound, `users: 1e300`) is refused
//! like one beyond the cap.

use crate::results::SERIES;
use crate::scenario::{Scenario, SimMode, Traffic};
use crate::simulate;

/// Default cap on simulated events plus bookkeeping steps, over all replications: about 75 s on
/// the project's two cores, 2.5 min on one (`benches/scenarios/year-365.yaml`, the heaviest
/// shipped run, is 4.5e8 and takes 15–17 s; see BENCHMARKS.md). `--max-events` raises it.
pub const DEFAULT_MAX_EVENTS: f64 = 2e9;

/// Default cap on the estimated memory: 2 GiB. `--max-memory` raises it.
pub const DEFAULT_MAX_MEMORY: f64 = 2.0 * 1024.0 * 1024.0 * 1024.0;

/// Bytes held per open session (its counter and its pending event, with the containers'
/// spare capacity): measured at 32 bytes with 1,000,000 sessions open.
const SESSION_BYTES: f64 = 64.0;
/// Bytes held per request in the system (its record, its place in a queue, its events):
/// measured at 70 bytes with 1,000,000 requests waiting.
const REQUEST_BYTES: f64 = 128.0;
/// Bytes of the report per period (the aggregated figures and the rendered files), measured
/// at 53 KB on a 3,650-period run.
const REPORT_BYTES_PER_PERIOD: f64 = 64.0 * 1024.0;
/// Bytes of one monthly bill per component, per replication.
const BILL_BYTES_PER_COMPONENT: f64 = 512.0;
/// The program itself, the catalogs, the thread stacks.
const BASE_BYTES: f64 = 32.0 * 1024.0 * 1024.0;

/// The work and memory of a run, before it starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub replications: u32,
    /// Replications simulated at once.
    pub threads: usize,
    pub periods: usize,
    pub months: usize,
    /// Requests simulated in one replication (expected).
    pub requests_per_replication: f64,
    /// Events per request (expected, counting every possible step).
    pub events_per_request: f64,
    /// Bookkeeping steps in one replication.
    pub steps_per_replication: f64,
    /// Sessions open at once at the busiest moment.
    pub peak_sessions: f64,
    /// Requests in the system at once, at most (`max_in_flight`, or fewer if fewer arrive).
    pub peak_requests: f64,
    pub memory_bytes: f64,
}

impl Estimate {
    /// Events and bookkeeping steps over all replications.
    pub fn events(&self) -> f64 {
        f64::from(self.replications)
            * (self.requests_per_replication * self.events_per_request + self.steps_per_replication)
    }
}

/// Expected events of one request of the mix: its arrival and CPU burst, then each step.
fn events_per_request(sc: &Scenario) -> f64 {
    let steps: f64 = sc
        .requests
        .iter()
        .map(|r| {
            let calls: f64 = r.calls.iter().map(|c| c.1).sum();
            r.share * (r.cache_lookups + r.db_queries + r.vector_queries + calls + 2.0 * r.jobs)
        })
        .sum();
    3.0 + steps
}

/// The time at which the engine samples the rate of the hour holding `t`: the hour's middle,
/// or, for an hour that starts before `rate_from` (a busy window's warm-up and first hour),
/// `rate_from` plus half an hour. The estimate must sample where the engine does: a rate that
/// is finite at `t` can be infinite half an hour later (users doubling every second).
fn sample_time(t: f64, rate_from: f64) -> f64 {
    ((t / 3600.0).floor() * 3600.0).max(rate_from) + 1800.0
}

/// Expected requests in `[a, b)`, hour by hour at the rate the engine samples.
fn requests_between(sc: &Scenario, a: f64, b: f64, rate_from: f64) -> f64 {
    let mut total = 0.0;
    let mut t = a;
    while t < b {
        let end = ((t / 3600.0).floor() * 3600.0 + 3600.0).min(b);
        total += sc.traffic.request_rate_at(sample_time(t, rate_from)) * (end - t);
        t = end;
    }
    total
}

/// Estimates a run of `sc` on `threads` threads (None: every core).
pub fn estimate(sc: &Scenario, threads: Option<usize>) -> Estimate {
    let plan = simulate::Plan::new(sc);
    let periods = plan.periods;
    let month = sc.hours_per_month * 3600.0;
    let months = (sc.horizon / month).ceil().max(1.0) as usize;
    let hours = (sc.horizon / 3600.0).ceil();
    let mut requests = 0.0;
    let mut peak_rate: f64 = 0.0;
    let mut window_requests: f64 = 0.0;
    match sc.sim.mode {
        SimMode::PeakWindow { warmup, .. } => {
            for p in 0..periods {
                // Warm-up and window run from t0 − warmup, at the window's rate before t0.
                let (t0, len) = crate::time::window_of(sc, p);
                let n = requests_between(sc, t0 - warmup, t0 + len, t0);
                requests += n;
                window_requests = window_requests.max(n);
                // Sessions open at the start (prefilled at the rate of t0's hour) and after.
                let prefill = sc.traffic.arrival_rate_at(sample_time(t0, f64::NEG_INFINITY));
                let first = sc.traffic.arrival_rate_at(sample_time(t0, t0));
                peak_rate = peak_rate.max(prefill).max(first);
            }
        }
        SimMode::Full { .. } => {
            requests = requests_between(sc, 0.0, sc.horizon, f64::NEG_INFINITY);
            window_requests = requests;
            let mut t = 0.0;
            while t < sc.horizon {
                peak_rate = peak_rate.max(sc.traffic.arrival_rate_at(sample_time(t, f64::NEG_INFINITY)));
                t += 3600.0;
            }
        }
    }
    // Each fault's own window (`simulate::fault`): its warm-up, the fault and the drain at most,
    // one look at the backlog per step.
    let mut fault_steps = 0.0;
    for f in &sc.faults.faults {
        let from = f.start - simulate::fault::warmup(sc);
        let len = simulate::fault::window_length(sc, f);
        let n = requests_between(sc, from, from + len, f64::NEG_INFINITY);
        requests += n;
        window_requests = window_requests.max(n);
        fault_steps += len / simulate::fault::STEP;
        peak_rate = peak_rate.max(sc.traffic.arrival_rate_at(sample_time(f.start, f64::NEG_INFINITY)));
    }
    // The batches' peak probes (`batch::probe`): their warm-up and at most their cap, at the
    // rate of t0's hour, as the window.
    for p in 0..periods {
        for (from, to) in crate::batch::probe_spans(sc, p) {
            let t0 = crate::batch::probe::start(sc, p).0;
            let n = requests_between(sc, from, to, t0);
            requests += n;
            window_requests = window_requests.max(n);
        }
    }
    let peak_sessions = match &sc.traffic {
        Traffic::Sessions {
            requests_per_session,
            think,
            ..
        } => peak_rate * requests_per_session * think.mean(),
        Traffic::Open { .. } => 0.0,
    };
    let peak_requests = f64::from(sc.sim.max_in_flight).min(window_requests);
    let components = plan.components.len() as f64;
    let steps_per_replication = fault_steps
        + 4.0 * hours
        + periods as f64 * (SERIES.len() as f64 + components + sc.triggers.len() as f64)
        + crate::sched::events(sc)
        + crate::batch::events(sc, periods as f64);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let threads = threads.unwrap_or(cores).clamp(1, (sc.replications as usize).max(1));
    let per_replication = periods as f64 * (SERIES.len() as f64 + components + 8.0) * 8.0
        + months as f64 * (components + 1.0) * BILL_BYTES_PER_COMPONENT;
    let per_thread = peak_sessions * 1.2 * SESSION_BYTES + peak_requests * REQUEST_BYTES;
    let memory_bytes = BASE_BYTES
        + periods as f64 * REPORT_BYTES_PER_PERIOD
        + f64::from(sc.replications) * per_replication
        + threads as f64 * per_thread;
    Estimate {
        replications: sc.replications,
        threads,
        periods,
        months,
        requests_per_replication: requests,
        events_per_request: events_per_request(sc),
        steps_per_replication,
        peak_sessions,
        peak_requests,
        memory_bytes,
    }
}

/// The limits a run must stay within.
#[derive(Debug, Clone, Copy)]
pub struct Caps {
    pub max_events: f64,
    pub max_memory: f64,
}

impl Caps {
    /// The caps the flags give, each defaulting when not given (`--max-events`, `--max-memory`).
    pub fn from_flags(max_events: Option<f64>, max_memory: Option<f64>) -> Caps {
        let d = Caps::default();
        Caps {
            max_events: max_events.unwrap_or(d.max_events),
            max_memory: max_memory.unwrap_or(d.max_memory),
        }
    }
}

/// The caps on estimated work and memory as `run`, `check`, `validate` and `sweep` take them
/// (README, "Limits").
#[derive(Debug, clap::Args)]
pub struct CapOpts {
    /// Refuse a run (in a sweep, a point) estimated at more simulated events than this, over
    /// all its replications (default 2e9: about 75 s on two cores, 2.5 min on one).
    #[arg(long, value_name = "N", value_parser = parse_max_events)]
    pub max_events: Option<f64>,
    /// Refuse a run (in a sweep, a point) estimated to need more memory than this (default 2GiB).
    #[arg(long, value_name = "SIZE", value_parser = parse_max_memory)]
    pub max_memory: Option<f64>,
}

impl CapOpts {
    /// The caps these flags set, defaults where they set none.
    pub fn caps(&self) -> Caps {
        Caps::from_flags(self.max_events, self.max_memory)
    }
}

impl Default for Caps {
    fn default() -> Self {
        Caps {
            max_events: DEFAULT_MAX_EVENTS,
            max_memory: DEFAULT_MAX_MEMORY,
        }
    }
}

fn count(v: f64) -> String {
    if v < 1e12 {
        crate::units::fmt_count(v)
    } else {
        format!("{v:.2e}")
    }
}

/// Why the run is refused, with the estimate and how to go on; `None` if it is within `caps`.
pub fn refusal(e: &Estimate, caps: &Caps) -> Option<String> {
    let events = e.events();
    let detail = format!(
        "{} replications × ({} requests × {:.1} events each + {} bookkeeping steps), {} report periods",
        e.replications,
        count(e.requests_per_replication),
        e.events_per_request,
        count(e.steps_per_replication),
        e.periods
    );
    if !events.is_finite() {
        return Some(
            "the traffic model gives an unbounded request rate (infinite or undefined) where the \
             simulation samples it (the middle of each hour the run reaches), so the run cannot \
             be simulated; check the growth of `traffic.users` (an exponential growth doubles \
             without limit) and the horizon"
                .into(),
        );
    }
    if events > caps.max_events {
        return Some(format!(
            "the run would take about {} events ({detail}), more than the cap of {}; \
             reduce the traffic, the horizon, the replications or the simulated window, \
             or raise the cap with `--max-events N`",
            count(events),
            count(caps.max_events)
        ));
    }
    if !(e.memory_bytes.is_finite() && e.memory_bytes <= caps.max_memory) {
        return Some(format!(
            "the run would need about {} of memory ({} report periods and {} monthly bills in each \
             of {} replications; up to {} open sessions and {} requests in the system in each of \
             {} replications running at once), more than the cap of {}; reduce the periods, \
             the replications, the traffic or `simulation.max_in_flight`, or raise the cap with \
             `--max-memory SIZE`",
            crate::units::fmt_bytes(e.memory_bytes),
            e.periods,
            e.months,
            e.replications,
            count(e.peak_sessions),
            count(e.peak_requests),
            e.threads,
            crate::units::fmt_bytes(caps.max_memory)
        ));
    }
    None
}

/// Refuses (as an input error on the scenario's file) a run beyond `caps`.
pub fn check(sc: &Scenario, threads: Option<usize>, caps: &Caps) -> Result<(), crate::error::InputError> {
    match refusal(&estimate(sc, threads), caps) {
        Some(reason) => Err(crate::error::InputError::new(&sc.file, "", reason)),
        None => Ok(()),
    }
}

/// `--max-events`: a count such as `5e9`, `5000000000`, `5B` or `500M`.
pub fn parse_max_events(text: &str) -> Result<f64, String> {
    let v = match text.trim().parse::<f64>() {
        Ok(v) => v,
        Err(_) => crate::units::parse_count(text)?,
    };
    if v.is_finite() && v >= 1.0 {
        Ok(v)
    } else {
        Err(format!(
            "expected a number of events of at least 1, such as `5e9` or `500M`, found `{text}`"
        ))
    }
}

/// `--max-memory`: a size such as `4GiB` or `8GB`.
pub fn parse_max_memory(text: &str) -> Result<f64, String> {
    let v = crate::units::parse_bytes(text)?;
    if v >= 1024.0 * 1024.0 {
        Ok(v)
    } else {
        Err(format!(
            "expected a size of at least 1MiB, such as `4GiB`, found `{text}`"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn load(path: &str) -> Scenario {
        crate::scenario::load(Path::new(path), None).expect(path).0
    }

    fn load_text(text: &str) -> Scenario {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.yaml");
        std::fs::write(&p, text).unwrap();
        crate::scenario::load(&p, None).unwrap_or_else(|e| panic!("{e}")).0
    }

    /// Requests the replications simulated while measuring (the busy windows, or the horizon).
    fn simulated_requests(sc: &Scenario) -> f64 {
        let plan = simulate::Plan::new(sc);
        let cat = crate::pricing::Catalog::builtin().expect("built-in catalogs");
        let total: f64 = (0..sc.replications)
            .map(|r| {
                let (periods, _) = simulate::replicate(sc, &cat, &plan, r);
                periods
                    .iter()
                    .enumerate()
                    .map(|(p, out)| out.series[crate::results::s::BUSY_RPS] * crate::time::window_of(sc, p).1)
                    .sum::<f64>()
            })
            .sum();
        total / f64::from(sc.replications)
    }

    /// The estimate is the work the engine does: requests simulated agree with it within 2 %
    /// (sampling noise is ~0.3 % at these counts), in both modes, with sessions and open
    /// arrivals, growth and a daily shape.
    #[test]
    fn the_estimate_predicts_the_requests_simulated() {
        let sessions = load_text(
            "name: t\nstage: s\nseed: 4\nreplications: 4\nhorizon: 10d\nresolution: 1d\n\
             simulation: {mode: peak_window, window: 1h, warmup: 0s}\n\
             traffic: {users: {growth: linear, from: 1000, to: 5000, over: 10d}, sessions_per_user_per_week: 20,\n\
               requests_per_session: 20, think_time: {dist: exponential, mean: 30s}, daily_shape: {peak_factor: 3, peak_hours: 19-22}}\n\
             requests: {r: {share: 100%, cpu: 1ms}}\nstages: {s: {api: {vcpu: 4, workers: 64}}}\n",
        );
        let open = load_text(
            "name: t\nstage: s\nseed: 4\nreplications: 4\nhorizon: 6h\nresolution: 1h\nsimulation: {mode: full}\n\
             traffic: {arrival_rate: 20/s}\nrequests: {r: {share: 100%, cpu: 1ms}}\nstages: {s: {api: {vcpu: 4}}}\n",
        );
        for sc in [sessions, open] {
            let estimated = estimate(&sc, Some(1)).requests_per_replication;
            let simulated = simulated_requests(&sc);
            assert!(simulated > 1e5, "{simulated}");
            assert!((simulated / estimated - 1.0).abs() < 0.02, "{simulated} vs {estimated}");
        }
    }

    /// More users, replications or periods never make the estimate smaller.
    #[test]
    fn the_estimate_grows_with_the_work() {
        let text = |users: u32, reps: u32, horizon: u32| {
            format!(
                "name: t\nstage: s\nreplications: {reps}\nhorizon: {horizon}d\n\
                 traffic: {{users: {{users: {users}}}, sessions_per_user_per_week: 2, requests_per_session: 10}}\n\
                 requests: {{r: {{share: 100%, cpu: 1ms, db_queries: 2}}}}\nstages: {{s: {{api: {{vcpu: 1}}}}}}\n"
            )
        };
        let e = |u, r, h| estimate(&load_text(&text(u, r, h)), Some(2));
        let base = e(1000, 2, 10);
        for bigger in [e(2000, 2, 10), e(1000, 3, 10), e(1000, 2, 20)] {
            assert!(bigger.events() > base.events());
            assert!(bigger.memory_bytes >= base.memory_bytes);
        }
        assert_eq!(base.events_per_request, 5.0);
    }

    /// Every shipped, bench and fixture scenario runs within the default caps (on a machine of
    /// up to 64 cores, which only changes the memory held by replications running at once).
    #[test]
    fn every_shipped_scenario_is_within_the_default_caps() {
        // Every runnable file under scenarios/ (a base that other files extend is not runnable
        // alone: `common/`, `base.yaml`, `*-base.yaml`), then the benches and two fixtures.
        let mut files = shipped_scenarios(Path::new("scenarios"));
        assert!(files.len() >= 20, "{files:?}");
        files.extend(
            [
                "benches/scenarios/year-30.yaml",
                "benches/scenarios/year-90.yaml",
                "benches/scenarios/year-365.yaml",
                "tests/fixtures/erlang-b.yaml",
                "tests/fixtures/mmck.yaml",
            ]
            .map(String::from),
        );
        for f in &files {
            // A system of environments: tests/integration/environments.rs checks its
            // environments together (`crate::envs` sits above this module).
            let top = crate::yamlfile::YamlFile::read(Path::new(f)).expect(f);
            if top.value.get("environments").is_some() {
                continue;
            }
            let sc = load(f);
            let e = estimate(&sc, Some(64));
            println!(
                "{f}: {:.3e} events ({:.3e} requests/replication × {:.2}), {} periods, {:.1} MB, {:.0} sessions",
                e.events(),
                e.requests_per_replication,
                e.events_per_request,
                e.periods,
                e.memory_bytes / 1e6,
                e.peak_sessions
            );
            assert_eq!(refusal(&e, &Caps::default()), None, "{f}");
        }
    }

    /// The runnable scenario files under `dir`, sorted.
    fn shipped_scenarios(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let p = entry.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if p.is_dir() && name != "common" {
                out.extend(shipped_scenarios(&p));
            } else if name.ends_with(".yaml") && name != "base.yaml" && !name.ends_with("-base.yaml") {
                out.push(p.to_string_lossy().into_owned());
            }
        }
        out.sort();
        out
    }
}
