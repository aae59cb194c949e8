//! Runs a scenario's replications in parallel (rayon) and aggregates them into a
//! [`RunResult`]: plain data that every report format renders.
//!
//! Replication `r` draws from a generator seeded by `(seed, r)` only, and results are
//! collected in replication order, so the outcome is identical whatever the thread count.

use crate::metrics::Summary;
use crate::pricing::{Catalog, CatalogSource};
use crate::scenario::{Action, Scenario, SimMode, Traffic};
use crate::simulate::{self, s, MonthBill, Plan, Replication, SERIES};
use crate::theory;
use crate::units::{fmt_bytes, fmt_count, fmt_money, fmt_seconds};
use rayon::prelude::*;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct ScenarioInfo {
    pub name: String,
    pub file: String,
    pub description: Option<String>,
    pub source: Option<String>,
    pub seed: u64,
    pub replications: u32,
    pub horizon_days: f64,
    pub resolution_seconds: f64,
    pub start_stage: String,
    pub hours_per_month: f64,
    pub approximation: String,
    /// The pricing catalogs the run was priced with.
    pub pricing: CatalogSource,
}

#[derive(Debug, Clone, Serialize)]
pub struct PeriodSummary {
    pub index: usize,
    pub start_seconds: f64,
    pub end_seconds: f64,
    /// The stage most replications were in.
    pub stage: String,
    pub series: Vec<Summary>,
    pub component_costs: Vec<Summary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TriggerSummary {
    pub name: String,
    pub metric: String,
    pub condition: String,
    pub action: String,
    pub plan_says: Option<String>,
    /// Replications in which it fired (its action ran at least once).
    pub fired_in: usize,
    pub replications: usize,
    /// Time of the first firing (seconds from start) across the replications where it fired.
    pub first_fire: Summary,
    pub value_at_fire: Summary,
    /// Periods in which the condition held, per replication.
    pub periods_held: Summary,
    pub effect: Option<String>,
    pub cost_before: Summary,
    pub cost_after: Summary,
    /// Firings per replication (instances added repeatedly, for example).
    pub firings: Summary,
    /// The most extreme value the trigger evaluated over the horizon (largest for `above`,
    /// smallest for `below`; median across replications), for context when it never fires.
    pub peak_value: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MonthSummary {
    pub month: usize,
    pub covered: f64,
    pub total: Summary,
    /// Monthly run-rate (total ÷ share of the month covered).
    pub run_rate: Summary,
    pub components: Vec<(String, Summary)>,
    /// The bill of the median replication, line by line.
    pub example: MonthBill,
}

#[derive(Debug, Clone, Serialize)]
pub struct StationSummary {
    pub station: String,
    pub servers: u32,
    pub arrival_rate: f64,
    pub mean_service: f64,
    pub service_scv: f64,
    pub utilization: f64,
    pub sim_wait: Summary,
    pub sim_p_wait: Summary,
    /// Mean time at the station (wait + service).
    pub sim_sojourn: Summary,
    pub sim_throughput: Summary,
    pub theory_sojourn: Option<f64>,
    pub theory_model: String,
    pub theory_wait: Option<f64>,
    pub theory_p_wait: Option<f64>,
    /// Theory inside the simulation's 95 % interval (None when theory has no answer).
    pub agrees: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Instability {
    pub replications: usize,
    pub first_period: usize,
    pub first_time_seconds: f64,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub what: String,
    pub plan: String,
    pub capsim: String,
    pub difference: String,
    pub why: String,
    pub agrees: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub what: String,
    pub limit: String,
    pub value: String,
    pub ok: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunResult {
    pub scenario: ScenarioInfo,
    pub series_names: Vec<&'static str>,
    pub components: Vec<String>,
    /// Whether each component is part of a stage the run passed through.
    pub components_used: Vec<bool>,
    pub periods: Vec<PeriodSummary>,
    pub triggers: Vec<TriggerSummary>,
    pub months: Vec<MonthSummary>,
    pub stations: Vec<StationSummary>,
    pub instability: Option<Instability>,
    pub budget: Vec<Check>,
    pub slo: Vec<Check>,
    pub plan_comparisons: Vec<Comparison>,
    /// The scenario author's notes on the plan's own arithmetic.
    pub plan_notes: Vec<String>,
    pub notes: Vec<String>,
}

impl RunResult {
    pub fn budget_ok(&self) -> bool {
        self.budget.iter().all(|c| c.ok)
    }
    pub fn slo_ok(&self) -> bool {
        self.slo.iter().all(|c| c.ok)
    }
    /// The figure of series `name` in period `p`.
    pub fn value(&self, p: usize, name: &str) -> Summary {
        self.periods[p].series[simulate::series_index(name)]
    }
}

/// Runs all replications (on the current rayon pool) and aggregates them.
pub fn run(sc: &Scenario, catalog: &Catalog) -> RunResult {
    let plan = Plan::new(sc);
    let reps: Vec<Replication> = (0..sc.replications)
        .into_par_iter()
        .map(|r| simulate::replicate(sc, catalog, &plan, r))
        .collect();
    aggregate(sc, &plan, &reps, &catalog.source)
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

fn describe_action(a: &Action) -> String {
    match a {
        Action::Flag => "flag only".into(),
        Action::Upgrade(u) => {
            let mut parts = Vec::new();
            if let Some(p) = &u.provider {
                parts.push(format!("provider {p}"));
            }
            if let Some(p) = &u.plan {
                parts.push(format!("plan {p}"));
            }
            if let Some(p) = &u.size {
                parts.push(format!("size {p}"));
            }
            if let Some(v) = u.vcpu {
                parts.push(format!("{v} vCPU"));
            }
            if let Some(v) = u.ram_bytes {
                parts.push(format!("{} RAM", fmt_bytes(v)));
            }
            if let Some(v) = u.pooler {
                parts.push(if v { "pooler on".into() } else { "pooler off".into() });
            }
            if let Some(v) = u.read_replicas {
                parts.push(format!("{v} read replicas"));
            }
            if let Some(v) = u.connections {
                parts.push(format!("{v} connections"));
            }
            if let Some(v) = u.servers {
                parts.push(format!("{v} servers"));
            }
            format!("upgrade {}: {}", u.component, parts.join(", "))
        }
        Action::AddInstances { count, max, .. } => format!("add {count} API instance(s), up to {max}"),
        Action::SwitchStage(s) => format!("switch to stage `{s}`"),
    }
}

pub fn fmt_metric(kind: crate::scenario::MetricKind, v: f64) -> String {
    use crate::scenario::MetricKind::*;
    if !v.is_finite() {
        return "–".into();
    }
    match kind {
        Bytes => fmt_bytes(v),
        Count => fmt_count(v),
        Fraction => format!("{:.1}%", v * 100.0),
        Seconds => fmt_seconds(v),
        Money => fmt_money(v),
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

fn aggregate(sc: &Scenario, plan: &Plan, reps: &[Replication], pricing: &CatalogSource) -> RunResult {
    let n = reps.len();
    let periods: Vec<PeriodSummary> = (0..plan.periods)
        .map(|p| PeriodSummary {
            index: p,
            start_seconds: p as f64 * sc.resolution,
            end_seconds: ((p + 1) as f64 * sc.resolution).min(sc.horizon),
            stage: most_common(reps.iter().map(|r| r.stage_at[p].clone())),
            series: (0..s::N)
                .map(|k| Summary::of(reps.iter().map(|r| r.series[p][k])))
                .collect(),
            component_costs: (0..plan.components.len())
                .map(|c| Summary::of(reps.iter().map(|r| r.component_costs[p][c])))
                .collect(),
        })
        .collect();

    // Median replication by total cost: its bills are shown line by line.
    let totals: Vec<f64> = reps.iter().map(|r| r.months.iter().map(|m| m.total).sum()).collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| totals[*a].total_cmp(&totals[*b]).then(a.cmp(b)));
    let median_rep = order[n / 2];

    let months: Vec<MonthSummary> = (0..reps[0].months.len())
        .map(|m| {
            let covered = reps[0].months[m].covered;
            MonthSummary {
                month: m + 1,
                covered,
                total: Summary::of(reps.iter().map(|r| r.months[m].total)),
                run_rate: Summary::of(reps.iter().map(|r| r.months[m].total / covered.max(1e-9))),
                components: plan
                    .components
                    .iter()
                    .map(|c| {
                        (
                            c.clone(),
                            Summary::of(reps.iter().map(|r| {
                                r.months[m]
                                    .components
                                    .iter()
                                    .flat_map(|b| b.members.iter())
                                    .filter(|(name, _)| name == c)
                                    .map(|(_, v)| v)
                                    .sum::<f64>()
                            })),
                        )
                    })
                    .collect(),
                example: reps[median_rep].months[m].clone(),
            }
        })
        .collect();

    let triggers: Vec<TriggerSummary> = sc
        .triggers
        .iter()
        .enumerate()
        .map(|(ti, t)| {
            let firsts: Vec<&simulate::Firing> = reps
                .iter()
                .filter_map(|r| r.firings.iter().find(|f| f.trigger == ti))
                .collect();
            // The most extreme value the trigger itself evaluated (median across replications).
            let peak = Summary::of(reps.iter().map(|r| r.peak[ti]));
            let peak_value = if peak.n > 0 { Some(peak.p50) } else { None };
            TriggerSummary {
                name: t.name.clone(),
                metric: t.metric.name().to_string(),
                condition: format!(
                    "{}{}{} {} {}{}",
                    t.metric.name(),
                    if t.components.is_empty() {
                        String::new()
                    } else {
                        format!(" of {}", t.components.join(" + "))
                    },
                    if t.metric.takes_percentile() {
                        format!(" p{}", t.percentile)
                    } else {
                        String::new()
                    },
                    if t.above { ">" } else { "<" },
                    fmt_metric(t.metric.kind(), t.threshold),
                    if t.sustained > 0.0 {
                        format!(" for {}", fmt_seconds(t.sustained))
                    } else {
                        String::new()
                    }
                ),
                action: describe_action(&t.action),
                plan_says: t.plan_says.clone(),
                fired_in: firsts.len(),
                replications: n,
                first_fire: Summary::of(firsts.iter().map(|f| f.time)),
                value_at_fire: Summary::of(firsts.iter().map(|f| f.value)),
                periods_held: Summary::of(reps.iter().map(|r| r.held[ti] as f64)),
                effect: if firsts.is_empty() {
                    None
                } else {
                    Some(most_common(firsts.iter().map(|f| f.effect.clone())))
                },
                cost_before: Summary::of(firsts.iter().map(|f| f.cost_before)),
                cost_after: Summary::of(firsts.iter().map(|f| f.cost_after)),
                firings: Summary::of(
                    reps.iter()
                        .map(|r| r.firings.iter().filter(|f| f.trigger == ti).count() as f64),
                ),
                peak_value,
            }
        })
        .collect();

    let stations = station_summaries(sc, reps);

    let unstable: Vec<&(usize, String)> = reps.iter().filter_map(|r| r.unstable.first()).collect();
    let instability = unstable.iter().min_by_key(|u| u.0).map(|first| Instability {
        replications: unstable.len(),
        first_period: first.0,
        first_time_seconds: first.0 as f64 * sc.resolution,
        message: first.1.clone(),
    });

    let mut notes: Vec<String> = Vec::new();
    for r in reps {
        for note in &r.notes {
            if !notes.contains(note) {
                notes.push(note.clone());
            }
        }
    }

    let mut result = RunResult {
        scenario: ScenarioInfo {
            name: sc.name.clone(),
            file: sc.file.display().to_string(),
            description: sc.description.clone(),
            source: sc.source.clone(),
            seed: sc.seed,
            replications: sc.replications,
            horizon_days: sc.horizon / 86400.0,
            resolution_seconds: sc.resolution,
            start_stage: sc.start_stage.clone(),
            hours_per_month: sc.hours_per_month,
            approximation: approximation(sc),
            pricing: pricing.clone(),
        },
        series_names: SERIES.iter().map(|s| s.0).collect(),
        components: plan.components.clone(),
        components_used: {
            let mut visited: Vec<&str> = reps
                .iter()
                .flat_map(|r| r.stage_at.iter().map(|s| s.as_str()))
                .collect();
            visited.sort();
            visited.dedup();
            let names: Vec<String> = visited
                .iter()
                .flat_map(|s| crate::scenario::component_names(&sc.stages[*s]))
                .collect();
            plan.components.iter().map(|c| names.contains(c)).collect()
        },
        periods,
        triggers,
        months,
        stations,
        instability,
        budget: Vec::new(),
        slo: Vec::new(),
        plan_comparisons: Vec::new(),
        plan_notes: sc.plan_says.notes.clone(),
        notes,
    };
    crate::checks::fill(sc, &mut result);
    result
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
            let lambda = mean(&|o| o.arrival_rate);
            let es = mean(&|o| o.mean_service);
            let scv = mean(&|o| o.service_scv);
            let c = obs[0].servers;
            let sim_wait = Summary::of(obs.iter().map(|o| o.mean_wait));
            let sim_p_wait = Summary::of(obs.iter().map(|o| o.p_wait));
            let sim_sojourn = Summary::of(obs.iter().map(|o| o.mean_sojourn));
            let sim_throughput = Summary::of(obs.iter().map(|o| o.throughput));
            // Poisson arrivals reach the first station of open traffic; elsewhere the
            // arrival process is only approximately Poisson (sessions, upstream stations).
            let poisson_exact = open && name == "api workers";
            let (model, est) = if name == "job queue" {
                match sc.stages[&sc.start_stage].queue.as_ref().and_then(|q| q.rate_limit) {
                    Some((max, per)) => (
                        format!(
                            "rate limited: sustained throughput ≤ {:.3}/s",
                            theory::rate_limited_throughput(max, per, c, es)
                        ),
                        None,
                    ),
                    None => (
                        "Allen–Cunneen G/G/c".to_string(),
                        theory::allen_cunneen(lambda, es, c, 1.0, scv),
                    ),
                }
            } else if (scv - 1.0).abs() < 0.05 && poisson_exact {
                ("M/M/c (Erlang C)".to_string(), theory::mmc(lambda, 1.0 / es, c))
            } else if c == 1 && poisson_exact {
                ("M/G/1 (Pollaczek–Khinchine)".to_string(), theory::mg1(lambda, es, scv))
            } else {
                (
                    "Allen–Cunneen G/G/c (ca² = 1)".to_string(),
                    theory::allen_cunneen(lambda, es, c, 1.0, scv),
                )
            };
            let theory_wait = est.map(|e| e.wq);
            let agrees = theory_wait.map(|w| sim_wait.contains(w) || (w - sim_wait.mean).abs() <= 1e-4);
            StationSummary {
                station: name,
                servers: c,
                arrival_rate: lambda,
                mean_service: es,
                service_scv: scv,
                utilization: mean(&|o| o.utilization),
                sim_wait,
                sim_p_wait,
                sim_sojourn,
                sim_throughput,
                theory_sojourn: est.map(|e| e.w),
                theory_model: model,
                theory_wait,
                theory_p_wait: est.map(|e| e.p_wait),
                agrees,
            }
        })
        .collect()
}
