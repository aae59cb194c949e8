//! Runs a scenario's replications in parallel (rayon) and aggregates them into a
//! [`RunResult`]: plain data that every report format renders.
//!
//! Replication `r` draws from a generator seeded by `(seed, r)` only, and results are
//! collected in replication order, so the outcome is identical whatever the thread count.

use crate::metrics::Summary;
use crate::pricing::{Catalog, CatalogSource};
use crate::progress::Progress;
use crate::scenario::{Action, Scenario, SimMode, Traffic, Trigger};
use crate::simulate::{self, PeriodOut, Plan, Replication};
use crate::theory;
use crate::units::fmt_seconds;
use crate::window::PeriodStatus;
use rayon::prelude::*;

pub use crate::results::*;

/// Periods each replication runs between two aggregation steps: what is kept of the periods
/// of every replication at once, whatever the horizon.
const BLOCK: usize = 16;

/// How to run a validated scenario: the command line's choices, else the scenario's own values.
/// The scenario itself is never edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunConfig {
    /// Seeds every replication's generator (replication `r` draws from `(seed, r)` only).
    pub seed: u64,
    /// Independent replications to run (at least 1).
    pub replications: u32,
    /// Worker threads; `None` runs on the current rayon pool (all cores by default). Results do
    /// not depend on it.
    pub threads: Option<u16>,
    /// Report directory; `None` for the default, `reports/<scenario file stem>`.
    pub out: Option<std::path::PathBuf>,
}

impl RunConfig {
    /// The scenario's own seed and replications, the current pool, the default directory.
    pub fn of(sc: &Scenario) -> RunConfig {
        RunConfig {
            seed: sc.seed,
            replications: sc.replications,
            threads: None,
            out: None,
        }
    }
}

/// Runs the replications `cfg` asks for (on `cfg.threads` threads, else the current rayon pool)
/// and aggregates them. Fails only when the thread pool cannot be started.
pub fn run(sc: &Scenario, catalog: &Catalog, cfg: &RunConfig) -> Result<RunResult, String> {
    pooled(sc, catalog, cfg, false, None).map(|(r, _)| r)
}

/// [`run`], counting each replication's periods done in `progress` (which only reads them: the
/// result is the same with or without it).
pub fn run_with_progress(
    sc: &Scenario,
    catalog: &Catalog,
    cfg: &RunConfig,
    progress: Option<&Progress>,
) -> Result<RunResult, String> {
    pooled(sc, catalog, cfg, false, progress).map(|(r, _)| r)
}

/// [`run`], also returning every replication's monthly bills with their lines, in replication
/// order: what billing several environments together needs ([`crate::envs`]). The result is
/// the one [`run`] gives, to the bit.
pub fn run_with_bills(
    sc: &Scenario,
    catalog: &Catalog,
    cfg: &RunConfig,
) -> Result<(RunResult, Vec<Vec<MonthBill>>), String> {
    pooled(sc, catalog, cfg, true, None)
}

/// [`run_all`] on `cfg.threads` threads, else the current rayon pool.
fn pooled(
    sc: &Scenario,
    catalog: &Catalog,
    cfg: &RunConfig,
    all_lines: bool,
    progress: Option<&Progress>,
) -> Result<(RunResult, Vec<Vec<MonthBill>>), String> {
    match cfg.threads {
        Some(n) => {
            // More threads than replications would only wait.
            let n = u32::from(n).min(cfg.replications.max(1));
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n as usize)
                .build()
                .map_err(|e| format!("cannot start {n} threads: {e}"))?;
            pool.install(|| run_all(sc, catalog, cfg, all_lines, progress))
        }
        None => run_all(sc, catalog, cfg, all_lines, progress),
    }
}

/// Runs all replications on the current rayon pool and aggregates them. The replications
/// advance together, [`BLOCK`] periods at a time, and each block is aggregated as soon as it is
/// done (in replication order, so the result does not depend on the thread count): memory
/// holds a block's periods, not the horizon's. With `all_lines`, every replication's bills keep
/// their lines and are returned too. A scenario with ranges runs each replication on its own
/// draw of them (`scenario::ranged`); fails when a draw makes the scenario invalid.
fn run_all(
    sc: &Scenario,
    catalog: &Catalog,
    cfg: &RunConfig,
    all_lines: bool,
    progress: Option<&Progress>,
) -> Result<(RunResult, Vec<Vec<MonthBill>>), String> {
    let plan = Plan::new(sc);
    let drawn = crate::run_ranges::draw(sc, catalog, cfg.seed, cfg.replications)?;
    let scenario_of = |r: u32| drawn.get(r as usize).map_or(sc, |d| &d.0);
    if let Some(p) = progress {
        p.begin(plan.periods);
    }
    // With one replication, it is the one shown line by line; with more, which one is known only
    // at the end (the median): every replication keeps its lines when they are few, else the
    // median is run again with its bill lines.
    let lines = all_lines || keeps_every_line(cfg.replications, crate::time::month_count(sc));
    let mut runs: Vec<simulate::Run> = (0..cfg.replications)
        .map(|r| simulate::Run::new(scenario_of(r), catalog, &plan, cfg.seed, r))
        .map(|r| if lines { r } else { r.totals_only() })
        .collect();
    let mut periods = Periods::new(plan.periods);
    for start in (0..plan.periods).step_by(BLOCK) {
        let end = (start + BLOCK).min(plan.periods);
        let block: Vec<Vec<PeriodOut>> = runs
            .par_iter_mut()
            .map(|r| {
                let out = (start..end).map(|p| r.period(p)).collect();
                if let Some(p) = progress {
                    p.add((end - start) as u64);
                }
                out
            })
            .collect();
        for p in start..end {
            periods.add(sc, &plan, p, &block, start);
        }
    }
    let mut reps: Vec<Replication> = runs.into_iter().map(simulate::Run::finish).collect();
    if !lines {
        let median = median_replication(&reps);
        // Its own draw of the ranges, so the re-run is the same replication.
        reps[median].months = with_bill_lines(scenario_of(median as u32), catalog, &plan, cfg.seed, median);
    }
    let bills = if all_lines {
        reps.iter().map(|r| r.months.clone()).collect()
    } else {
        Vec::new()
    };
    let mut result = aggregate(sc, cfg, &plan, &reps, periods, catalog);
    result.inputs_from_ranges = crate::run_ranges::inputs(sc, &drawn);
    Ok((result, bills))
}

/// Replication-months up to which every replication keeps its bill lines. Beyond it the lines
/// of every month of every replication would be memory that grows with the horizon, so
/// replications keep their totals and the median is run again for its lines; below it that
/// second run would cost a replication of CPU (a fifth of a 4-replication run) to save
/// kilobytes. Either way the bill shown is the same, to the bit.
const KEEP_LINES_UP_TO: usize = 64;

/// Whether a run of `replications` over `months` keeps every replication's bill lines.
fn keeps_every_line(replications: u32, months: usize) -> bool {
    replications <= 1 || replications as usize * months <= KEEP_LINES_UP_TO
}

/// Replication `rep`'s monthly bills with their lines, from running it again.
fn with_bill_lines(sc: &Scenario, catalog: &Catalog, plan: &Plan, seed: u64, rep: usize) -> Vec<MonthBill> {
    let mut run = simulate::Run::new(sc, catalog, plan, seed, rep as u32);
    for p in 0..plan.periods {
        run.period(p);
    }
    run.finish().months
}

/// The periods aggregated so far.
struct Periods {
    summaries: Vec<PeriodSummary>,
    overload: Vec<crate::overload::PeriodAggs>,
    /// The stages any replication ran on, in order of first appearance.
    visited: Vec<String>,
}

impl Periods {
    fn new(periods: usize) -> Periods {
        Periods {
            summaries: Vec::with_capacity(periods),
            overload: Vec::with_capacity(periods),
            visited: Vec::new(),
        }
    }

    /// Aggregates period `p` across the replications: `block[r]` is replication `r`'s block of
    /// periods starting at period `start`.
    fn add(&mut self, sc: &Scenario, plan: &Plan, p: usize, block: &[Vec<PeriodOut>], start: usize) {
        let reps = || block.iter().map(|b| &b[p - start]);
        for r in reps() {
            if !self.visited.contains(&r.stage) {
                self.visited.push(r.stage.clone());
            }
        }
        self.summaries.push(PeriodSummary {
            index: p,
            start_seconds: p as f64 * sc.resolution,
            end_seconds: ((p + 1) as f64 * sc.resolution).min(sc.horizon),
            stage: most_common(reps().map(|r| r.stage.clone())),
            series: (0..s::N).map(|k| Summary::of(reps().map(|r| r.series[k]))).collect(),
            component_costs: (0..plan.components.len())
                .map(|c| Summary::of(reps().map(|r| r.component_costs[c])))
                .collect(),
            simulated: reps().filter(|r| r.status == PeriodStatus::Simulated).count(),
            stopped: reps().filter(|r| r.status == PeriodStatus::NotSimulated).count(),
        });
        self.overload
            .push(crate::overload::PeriodAggs::of(reps().filter_map(|r| r.loads.as_ref())));
    }
}

fn most_common(values: impl Iterator<Item = String>) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for v in values {
        match counts.iter_mut().find(|(k, _)| *k == v) {
            Some((_, c)) => *c += 1,
            None => counts.push((v, 1)),
        }
    }
    counts
        .into_iter()
        .max_by_key(|(_, c)| *c)
        .map(|(k, _)| k)
        .unwrap_or_default()
}

/// A scenario's trigger action as result data.
fn action_data(a: &Action) -> TriggerAction {
    match a {
        Action::Flag => TriggerAction::Flag,
        Action::Upgrade(u) => TriggerAction::Upgrade {
            component: u.component.clone(),
            provider: u.provider.clone(),
            plan: u.plan.clone(),
            size: u.size.clone(),
            vcpu: u.vcpu,
            ram_bytes: u.ram_bytes,
            pooler: u.pooler,
            read_replicas: u.read_replicas,
            connections: u.connections,
            servers: u.servers,
        },
        Action::AddInstances { component, count, max } => TriggerAction::AddInstances {
            component: component.clone(),
            count: *count,
            max: *max,
        },
        Action::SwitchStage(s) => TriggerAction::SwitchStage { stage: s.clone() },
    }
}

fn approximation(sc: &Scenario) -> String {
    match sc.sim.mode {
        SimMode::PeakWindow { window, warmup } => format!(
            "Request-level simulation of the busiest {} of each {} period (after a {} warm-up at the same rate, starting empty); \
             requests per day, storage and billed usage are accrued over the whole horizon at their expected values from the same traffic model. \
             Busy-window figures (latency, utilization, queues, connections) describe the peak, not the day's average.",
            fmt_seconds(window),
            fmt_seconds(sc.resolution),
            fmt_seconds(warmup)
        ),
        SimMode::Full { warmup } => format!(
            "Every request of the horizon is simulated; statistics start after {} of warm-up and the system carries over between periods. \
             Storage and billed usage are accrued at their expected values.",
            fmt_seconds(warmup)
        ),
    }
}

/// The run's result from its replications (`reps`, in replication order) and its aggregated
/// periods; the checks are computed last, from the scenario and the rest of the result.
fn aggregate(
    sc: &Scenario,
    cfg: &RunConfig,
    plan: &Plan,
    reps: &[Replication],
    periods: Periods,
    catalog: &Catalog,
) -> RunResult {
    let Periods {
        summaries: periods,
        overload,
        visited,
    } = periods;
    let stops: Vec<_> = reps.iter().filter_map(|r| r.unstable.first()).collect();
    let (faults, availability) = simulate::fault::summaries(sc, reps);
    let mut result = RunResult {
        scenario: scenario_info(sc, cfg, &catalog.source),
        series_names: SERIES.iter().map(|s| s.0).collect(),
        components: plan.components.clone(),
        components_used: components_used(sc, plan, &visited),
        periods,
        triggers: sc
            .triggers
            .iter()
            .enumerate()
            .map(|(ti, t)| trigger_summary(t, ti, reps))
            .collect(),
        months: month_summaries(plan, reps),
        stations: station_summaries(sc, reps),
        instability: crate::overload::instability(sc, &stops),
        overload: crate::overload::detect_from(sc, &overload),
        checks: Checks::default(),
        plan_notes: sc.plan_says.notes.clone(),
        jobs: crate::sched::summary::summary(sc, &reps.iter().map(|r| r.jobs.as_slice()).collect::<Vec<_>>()),
        job_work: crate::batch::summary::summary(
            sc,
            catalog,
            &reps.iter().map(|r| r.batches.as_slice()).collect::<Vec<_>>(),
        ),
        notes: notes(sc, reps),
        faults,
        availability,
        inputs_from_ranges: Vec::new(),
        client_limit: None,
    };
    result.client_limit = crate::components::client_limit::summary(sc, &result.periods);
    result.checks = crate::checks::evaluate(sc, &result);
    result
}

/// What the report says about the scenario and how it was run.
fn scenario_info(sc: &Scenario, cfg: &RunConfig, pricing: &CatalogSource) -> ScenarioInfo {
    ScenarioInfo {
        name: sc.name.clone(),
        file: sc.file.display().to_string(),
        description: sc.description.clone(),
        source: sc.source.clone(),
        seed: cfg.seed,
        replications: cfg.replications,
        horizon_days: sc.horizon / 86400.0,
        resolution_seconds: sc.resolution,
        start_stage: sc.start_stage.clone(),
        hours_per_month: sc.hours_per_month,
        approximation: approximation(sc),
        pricing: pricing.clone(),
    }
}

/// Per component of `plan`: whether it is part of a stage some replication ran on (`visited`).
fn components_used(sc: &Scenario, plan: &Plan, visited: &[String]) -> Vec<bool> {
    let mut visited: Vec<&str> = visited.iter().map(|s| s.as_str()).collect();
    visited.sort();
    visited.dedup();
    let names: Vec<String> = visited
        .iter()
        .flat_map(|s| crate::scenario::component_names(&sc.stages[*s]))
        .collect();
    plan.components.iter().map(|c| names.contains(c)).collect()
}

/// The replication whose total bill over the horizon is the median: with the replications
/// sorted by total (equal totals by index), the one at position n / 2 (the upper of the two
/// middle ones when n is even). Its bills are shown line by line.
fn median_replication(reps: &[Replication]) -> usize {
    let totals: Vec<f64> = reps.iter().map(|r| r.months.iter().map(|m| m.total).sum()).collect();
    let mut order: Vec<usize> = (0..reps.len()).collect();
    order.sort_by(|a, b| totals[*a].total_cmp(&totals[*b]).then(a.cmp(b)));
    order[reps.len() / 2]
}

/// Every calendar month's bill across the replications: the total, each component's share,
/// and the median replication's bill line by line.
fn month_summaries(plan: &Plan, reps: &[Replication]) -> Vec<MonthSummary> {
    let median = median_replication(reps);
    // A component's cost in month `m` of a replication: its share of every bill it is part of.
    let cost = |r: &Replication, m: usize, c: &str| -> f64 {
        r.months[m]
            .components
            .iter()
            .flat_map(|b| b.members.iter())
            .filter(|(name, _)| name == c)
            .map(|(_, v)| v)
            .sum()
    };
    (0..reps[0].months.len())
        .map(|m| MonthSummary {
            month: m + 1,
            covered: reps[0].months[m].covered,
            total: Summary::of(reps.iter().map(|r| r.months[m].total)),
            components: plan
                .components
                .iter()
                .map(|c| (c.clone(), Summary::of(reps.iter().map(|r| cost(r, m, c)))))
                .collect(),
            example: reps[median].months[m].clone(),
        })
        .collect()
}

/// A scenario's trigger condition as result data.
fn condition_data(t: &Trigger) -> TriggerCondition {
    TriggerCondition {
        metric: t.metric.name().to_string(),
        components: t.components.clone(),
        percentile: t.metric.takes_percentile().then_some(t.percentile),
        comparison: if t.above { Direction::Above } else { Direction::Below },
        threshold: t.threshold,
        unit: t.metric.kind(),
        sustained_seconds: t.sustained,
    }
}

/// Trigger `t` (index `ti`) across the replications: where it fired first, what it did, how
/// often its condition held, and the most extreme value it saw.
fn trigger_summary(t: &Trigger, ti: usize, reps: &[Replication]) -> TriggerSummary {
    let firsts: Vec<&simulate::Firing> = reps
        .iter()
        .filter_map(|r| r.firings.iter().find(|f| f.trigger == ti))
        .collect();
    // The most extreme value the trigger itself evaluated (median across replications).
    let peak = Summary::of(reps.iter().map(|r| r.peak[ti]));
    TriggerSummary {
        name: t.name.clone(),
        condition: condition_data(t),
        action: action_data(&t.action),
        plan_says: t.plan_says.clone(),
        fired_in: firsts.len(),
        replications: reps.len(),
        first_fire: Summary::of(firsts.iter().map(|f| f.time)),
        value_at_fire: Summary::of(firsts.iter().map(|f| f.value)),
        periods_held: Summary::of(reps.iter().map(|r| r.held[ti] as f64)),
        effect: (!firsts.is_empty()).then(|| most_common(firsts.iter().map(|f| f.effect.clone()))),
        cost_before: Summary::of(firsts.iter().map(|f| f.cost_before)),
        cost_after: Summary::of(firsts.iter().map(|f| f.cost_after)),
        firings: Summary::of(
            reps.iter()
                .map(|r| r.firings.iter().filter(|f| f.trigger == ti).count() as f64),
        ),
        peak_value: (peak.n > 0).then_some(peak.p50),
    }
}

/// The report's notes, each once: what validation warned about (a trigger that can never fire,
/// a metric with no data), which is part of the report and not only of the terminal, then the
/// replications' own notes.
fn notes(sc: &Scenario, reps: &[Replication]) -> Vec<String> {
    let mut notes: Vec<String> = Vec::new();
    let warnings = sc
        .warnings
        .iter()
        .map(|w| format!("Scenario warning, `{}`: {}", w.field, w.reason));
    for note in warnings.chain(reps.iter().flat_map(|r| r.notes.iter().cloned())) {
        if !notes.contains(&note) {
            notes.push(note);
        }
    }
    notes
}

/// The queueing model a station is compared with, and its answers.
struct StationTheory {
    model: String,
    wait: Option<f64>,
    sojourn: Option<f64>,
    p_wait: Option<f64>,
    p_block: Option<f64>,
}

impl StationTheory {
    fn infinite(model: &str, est: Option<theory::QueueEstimate>) -> Self {
        StationTheory {
            model: model.to_string(),
            wait: est.map(|e| e.wq),
            sojourn: est.map(|e| e.w),
            p_wait: est.map(|e| e.p_wait),
            p_block: None,
        }
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Measured inputs of the theory: arrival rate, mean service, service SCV, servers.
struct Inputs {
    lambda: f64,
    es: f64,
    scv: f64,
    c: u32,
}

/// Picks the model for a station from its waiting room (`None` unlimited, `Some(0)` none):
/// Erlang C, Pollaczek–Khinchine or Allen–Cunneen for an unlimited one, M/M/c/K for a finite
/// one, Erlang B for none. `poisson` says whether its arrivals are exactly Poisson.
fn station_theory(sc: &Scenario, name: &str, room: Option<u32>, x: &Inputs, poisson: bool) -> StationTheory {
    let Inputs { lambda, es, scv, c } = *x;
    let exponential = (scv - 1.0).abs() < 0.05;
    if name == "job queue" {
        return match sc.stages[&sc.start_stage].queue.as_ref().and_then(|q| q.rate_limit) {
            Some((max, per)) => StationTheory::infinite(
                &format!(
                    "rate limited: sustained throughput ≤ {:.3}/s",
                    theory::rate_limited_throughput(max, per, c, es)
                ),
                None,
            ),
            None => StationTheory::infinite("Allen–Cunneen G/G/c", theory::allen_cunneen(lambda, es, c, 1.0, scv)),
        };
    }
    match room {
        // A loss system: Erlang B depends on the service time only through its mean.
        Some(0) => {
            let b = finite(theory::erlang_b(c, lambda * es)).filter(|_| es.is_finite() && es > 0.0);
            StationTheory {
                model: if poisson {
                    "Erlang B (M/G/c/c loss system)".to_string()
                } else {
                    "Erlang B (M/G/c/c loss system), approximate: assumes Poisson arrivals".to_string()
                },
                wait: b.map(|_| 0.0),
                sojourn: b.map(|_| es),
                p_wait: b.map(|_| 0.0),
                p_block: b,
            }
        }
        Some(m) => {
            // The engine never holds more than `max_in_flight` requests: a queue that would
            // grow past it stops the run as unstable, so a longer waiting room never fills and
            // capping K there changes nothing the simulation can show (and bounds the O(K) cost).
            let k = c.saturating_add(m.min(sc.sim.max_in_flight));
            let f = theory::mmck(lambda, 1.0 / es, c, k);
            let mut model = format!("M/M/c/K (K = {c} + {m} waiting)");
            if !(exponential && poisson) {
                model.push_str(", approximate: exponential-service model");
                if !poisson {
                    model.push_str(" with Poisson arrivals");
                }
            }
            StationTheory {
                model,
                wait: finite(f.wq),
                sojourn: finite(f.w),
                p_wait: finite(f.p_wait),
                p_block: finite(f.p_block),
            }
        }
        None if exponential && poisson => StationTheory::infinite("M/M/c (Erlang C)", theory::mmc(lambda, 1.0 / es, c)),
        None if c == 1 && poisson => {
            StationTheory::infinite("M/G/1 (Pollaczek–Khinchine)", theory::mg1(lambda, es, scv))
        }
        None => StationTheory::infinite(
            "Allen–Cunneen G/G/c (ca² = 1)",
            theory::allen_cunneen(lambda, es, c, 1.0, scv),
        ),
    }
}

/// Theory inside the simulation's 95 % interval, or within `abs` of its mean (a difference
/// too small to matter: 0.1 ms of wait, 0.01 percentage points of blocking).
fn inside(sim: &Summary, theory: f64, abs: f64) -> bool {
    sim.contains(theory) || (theory - sim.mean).abs() <= abs
}

fn station_summaries(sc: &Scenario, reps: &[Replication]) -> Vec<StationSummary> {
    let mut names: Vec<String> = Vec::new();
    for r in reps {
        for o in &r.stations {
            if !names.contains(&o.station) {
                names.push(o.station.clone());
            }
        }
    }
    let open = matches!(sc.traffic, Traffic::Open { .. });
    names
        .into_iter()
        .map(|name| {
            let obs: Vec<&simulate::StationObs> = reps
                .iter()
                .filter_map(|r| r.stations.iter().find(|o| o.station == name))
                .collect();
            let mean = |f: &dyn Fn(&simulate::StationObs) -> f64| {
                obs.iter().map(|o| f(o)).sum::<f64>() / obs.len().max(1) as f64
            };
            let inputs = Inputs {
                lambda: mean(&|o| o.arrival_rate),
                es: mean(&|o| o.mean_service),
                scv: mean(&|o| o.service_scv),
                c: obs[0].servers,
            };
            let room = obs[0].waiting_room;
            let sim_wait = Summary::of(obs.iter().map(|o| o.mean_wait));
            let sim_p_block = Summary::of(obs.iter().map(|o| o.p_block));
            // Poisson arrivals reach the first station of open traffic; elsewhere the
            // arrival process is only approximately Poisson (sessions, upstream stations).
            let poisson = open && name == "api workers";
            // Triggers can give replications different capacities by the busiest period: one
            // model cannot describe a mixture, so there is none.
            let th = if obs.iter().any(|o| o.servers != inputs.c || o.waiting_room != room) {
                StationTheory::infinite("none: servers or waiting room differ across replications", None)
            } else {
                station_theory(sc, &name, room, &inputs, poisson)
            };
            let agrees = th
                .wait
                .filter(|_| sim_wait.n >= 2)
                .map(|w| inside(&sim_wait, w, 1e-4) && th.p_block.is_none_or(|p| inside(&sim_p_block, p, 1e-4)));
            StationSummary {
                station: name,
                servers: inputs.c,
                waiting_room: room,
                arrival_rate: inputs.lambda,
                mean_service: inputs.es,
                service_scv: inputs.scv,
                utilization: mean(&|o| o.utilization),
                sim_wait,
                sim_p_wait: Summary::of(obs.iter().map(|o| o.p_wait)),
                sim_p_block,
                sim_p_timeout: Summary::of(obs.iter().map(|o| o.p_timeout)),
                sim_sojourn: Summary::of(obs.iter().map(|o| o.mean_sojourn)),
                sim_throughput: Summary::of(obs.iter().map(|o| o.throughput)),
                theory_sojourn: th.sojourn,
                theory_model: th.model,
                theory_wait: th.wait,
                theory_p_wait: th.p_wait,
                theory_p_block: th.p_block,
                agrees,
            }
        })
        .collect()
}

#[cfg(test)]
#[path = "run_tests.rs"]
mod tests;
