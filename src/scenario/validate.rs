//! Raw scenario → checked [`Scenario`], collecting every problem with its location (`load.rs`
//! reads the files and hands the raw scenario here).

use super::billing::{billing, require_billed_input};
use super::ctx::{Ctx, READ_REPLICAS_UNSUPPORTED};
use super::limits;
use super::model::*;
use super::raw::*;
use crate::components::ComponentKind;
use crate::dist::Dist;
use crate::error::InputErrors;
use crate::pricing::Catalog;
use crate::yamlfile::Sources;
use std::collections::BTreeMap;
use std::path::Path;

/// Checks a deserialised scenario (`load.rs` reads the file), collecting every problem.
pub(super) fn validate(
    raw: RawScenario,
    sources: &Sources,
    catalog: &Catalog,
    file: &Path,
    reg: &[&'static ComponentKind],
) -> Result<Scenario, InputErrors> {
    let mut cx = Ctx {
        sources,
        catalog,
        reg,
        errors: Vec::new(),
        warnings: Vec::new(),
    };

    let (horizon, resolution, hours_per_month) = super::frame::time_frame(&mut cx, &raw);
    let replications = raw.replications.unwrap_or(8);
    if replications == 0 || replications > 100_000 {
        cx.err(
            "replications",
            format!("expected 1 to 100000 replications, found {replications}"),
        );
    }

    super::bounds::check(&mut cx, &raw);
    let sim = simulation(&mut cx, &raw.simulation, resolution);
    let traffic = super::traffic::traffic(&mut cx, &raw.traffic);

    let requests = requests(&mut cx, &raw);
    let request_names: Vec<String> = requests.iter().map(|r| r.name.clone()).collect();

    // Stages.
    cx.at_most("stages", raw.stages.len() as f64, limits::STAGES);
    cx.at_most("triggers", raw.triggers.len() as f64, limits::TRIGGERS);
    let mut stages = BTreeMap::new();
    for (name, s) in &raw.stages {
        stages.insert(name.clone(), stage(&mut cx, name, s));
    }
    let stage_names: Vec<String> = raw.stages.keys().cloned().collect();
    if !raw.stages.contains_key(&raw.stage) {
        cx.err_allowed("stage", format!("no stage named `{}`", raw.stage), stage_names);
    }

    let storage = Storage {
        database: store(
            &mut cx,
            "storage.database",
            raw.storage.database.as_ref(),
            &request_names,
        ),
        object_store: store(
            &mut cx,
            "storage.object_store",
            raw.storage.object_store.as_ref(),
            &request_names,
        ),
    };
    let component_ids = component_ids(reg, &stages);

    let scope = super::trigger::Scope {
        resolution,
        horizon,
        components: &component_ids,
        stages: &stages,
        start_stage: &raw.stage,
    };
    let data = super::trigger::DataSources {
        traffic: &traffic,
        requests: &requests,
        storage: &storage,
    };
    let triggers = triggers(&mut cx, &raw, &scope, &data);
    let months = (horizon / (hours_per_month * 3600.0)).ceil().max(1.0) as usize;
    let budget = budget(&mut cx, raw.budget.as_ref(), &component_ids, months);
    let slo = slo(&mut cx, raw.slo.as_ref());
    let faults = fault_plan(&mut cx, &raw, horizon, &stages);
    let plan_says = plan_says(&raw);

    if !cx.errors.is_empty() {
        return Err(InputErrors(cx.errors));
    }
    Ok(Scenario {
        name: raw.name,
        description: raw.description,
        source: raw.source,
        file: file.to_path_buf(),
        seed: raw.seed.unwrap_or(1),
        replications,
        horizon,
        resolution,
        hours_per_month,
        sim,
        traffic,
        requests,
        start_stage: raw.stage,
        stages,
        storage,
        triggers,
        budget,
        slo,
        faults,
        plan_says,
        warnings: cx.warnings,
        ranges: None,
    })
}

/// Ids of the components of every stage, as triggers, actions and budgets may name them.
fn component_ids(reg: &[&'static ComponentKind], stages: &BTreeMap<String, Stage>) -> Vec<String> {
    let mut v: Vec<String> = stages
        .values()
        .flat_map(|s| crate::components::names_in(reg, s))
        .collect();
    v.sort();
    v.dedup();
    v
}

/// The triggers, each checked; then whether each can have data, and whether every stage, and
/// every configuration scaling actions can make of them, fits the catalog's plans and
/// capsim's bounds.
fn triggers(
    cx: &mut Ctx,
    raw: &RawScenario,
    scope: &super::trigger::Scope,
    data: &super::trigger::DataSources,
) -> Vec<Trigger> {
    let mut checked = Vec::new();
    for (i, t) in raw.triggers.iter().enumerate() {
        if let Some(t) = super::trigger::trigger(cx, i, t, scope) {
            checked.push((i, t));
        }
    }
    super::trigger::data_warnings(cx, &checked, scope, data);
    let resolved = super::reach::stages(cx, scope.stages);
    super::reach::actions(cx, scope.stages, &resolved, &raw.stage, &checked);
    super::terms::check(cx, scope.stages, &raw.stage, &checked, raw.commercial.unwrap_or(true));
    checked.into_iter().map(|(_, t)| t).collect()
}

/// The plan's own figures, in base units.
fn plan_says(raw: &RawScenario) -> PlanSays {
    raw.plan_says
        .as_ref()
        .map(|p| PlanSays {
            monthly_cost: p.monthly_cost.map(|v| v.0),
            requests_per_day: p.requests_per_day.map(|v| v.0),
            peak_requests_per_second: p.peak_requests_per_second,
            database_size: p.database_size.map(|v| v.0),
            latency_p95: p.latency_p95.map(|v| v.0),
            concurrent_sessions: p.concurrent_sessions.map(|v| v.0),
            users: p.users.map(|v| v.0),
            vector_store_size: p.vector_store_size.map(|v| v.0),
            notes: p.notes.clone(),
        })
        .unwrap_or_default()
}

/// Budgets: components that exist, a percentile a month's summary holds, a month the horizon
/// reaches (`months` calendar months).
fn budget(cx: &mut Ctx, raw: Option<&RawBudget>, component_ids: &[String], months: usize) -> Budget {
    let Some(b) = raw else { return Budget::default() };
    let allowed = super::model::BUDGET_PERCENTILES;
    let percentile = b.percentile.and_then(|p| {
        let found = allowed.iter().copied().find(|a| f64::from(*a) == p);
        if found.is_none() {
            cx.err_allowed(
                "budget.percentile",
                format!(
                    "a budget is checked at a percentile across replications each month's summary holds; found {p}"
                ),
                allowed.iter().map(|a| a.to_string()),
            );
        }
        found
    });
    let month = b.month.and_then(|m| {
        if m.fract() != 0.0 || m < 1.0 || m > months as f64 {
            cx.err(
                "budget.month",
                format!("the horizon covers calendar months 1 to {months}; found {m}"),
            );
            return None;
        }
        Some(m as usize)
    });
    if (percentile.is_some() || month.is_some()) && b.monthly.is_none() && b.components.is_empty() {
        cx.err(
            "budget",
            "`percentile` and `month` say how budgets are checked, but there is no budget: add `monthly` or `components`",
        );
    }
    let mut components = BTreeMap::new();
    for (k, v) in &b.components {
        if !component_ids.iter().any(|c| c == k) {
            cx.err_allowed(
                &format!("budget.components.{k}"),
                format!("no component named `{k}`"),
                component_ids.to_vec(),
            );
        }
        components.insert(k.clone(), v.0);
    }
    Budget {
        monthly: b.monthly.map(|m| m.0),
        components,
        percentile,
        month,
    }
}

/// Objectives: an error rate is a share (0..100 %); one that always or never holds is a warning.
fn slo(cx: &mut Ctx, raw: Option<&RawSlo>) -> Slo {
    let Some(s) = raw else { return Slo::default() };
    let slo = Slo {
        latency_p95: s.latency_p95.map(|v| v.0),
        latency_p99: s.latency_p99.map(|v| v.0),
        error_rate: s.error_rate.map(|v| v.0),
        client_rejected: s.client_rejected.map(|v| v.0),
        availability: s.availability.map(|v| v.0),
    };
    if let Some(c) = slo.client_rejected.filter(|c| *c > 1.0) {
        cx.err(
            "slo.client_rejected",
            format!(
                "a share of {} is impossible: at most 100%",
                crate::units::fmt_percent(c)
            ),
        );
    }
    if let Some(a) = slo.availability.filter(|a| *a > 1.0) {
        cx.err(
            "slo.availability",
            format!(
                "an availability of {} is impossible: at most 100%",
                crate::units::fmt_percent(a)
            ),
        );
    }
    match slo.error_rate {
        Some(e) if e > 1.0 => {
            let hint = if e <= 100.0 {
                format!("; did you mean `{}%`?", e)
            } else {
                String::new()
            };
            cx.err(
                "slo.error_rate",
                format!(
                    "an error rate of {} is impossible: the largest possible value is 100%{hint}",
                    crate::units::fmt_percent(e)
                ),
            );
        }
        Some(1.0) => cx.warn(
            "slo.error_rate",
            "an error-rate objective of 100% holds whatever happens: it cannot be breached",
        ),
        _ => {}
    }
    for (field, v) in [("latency_p95", slo.latency_p95), ("latency_p99", slo.latency_p99)] {
        if v == Some(0.0) {
            cx.warn(
                &format!("slo.{field}"),
                "a latency objective of 0 can never be met: every response takes some time",
            );
        }
    }
    slo
}

/// Faults, health rules and job retries, checked against the components some stage has.
fn fault_plan(
    cx: &mut Ctx,
    raw: &RawScenario,
    horizon: f64,
    stages: &BTreeMap<String, Stage>,
) -> super::faults::FaultPlan {
    let mut components: Vec<String> = Vec::new();
    for st in stages.values() {
        let fixed = [
            ("database", st.database.is_some()),
            ("cache", st.cache.is_some()),
            ("vector_store", st.vector_store.is_some()),
        ];
        components.extend(fixed.iter().filter(|(_, has)| *has).map(|(n, _)| n.to_string()));
        components.extend(st.external.iter().map(|e| format!("external.{}", e.name)));
    }
    components.sort();
    components.dedup();
    let scope = super::faults::Scope {
        horizon,
        components: &components,
    };
    let mut err = |field: &str, reason: String| cx.err(field, reason);
    super::faults::parse(&raw.faults, &raw.health, raw.job_retry.as_ref(), &scope, &mut err)
}

/// The request mix: shares add up to 100 %, calls name an external service some stage has.
fn requests(cx: &mut Ctx, raw: &RawScenario) -> Vec<RequestType> {
    let mut requests = Vec::new();
    if raw.requests.is_empty() {
        cx.err("requests", "at least one request type is needed");
    }
    cx.at_most("requests", raw.requests.len() as f64, limits::REQUEST_TYPES);
    let share_sum: f64 = raw.requests.values().map(|r| r.share.0).sum();
    if !raw.requests.is_empty() && (share_sum - 1.0).abs() > 1e-3 {
        cx.err(
            "requests",
            format!("request shares add up to {:.2}%, not 100%", share_sum * 100.0),
        );
    }
    let all_externals: Vec<String> = {
        let mut v: Vec<String> = raw.stages.values().flat_map(|s| s.external.keys().cloned()).collect();
        v.sort();
        v.dedup();
        v
    };
    for (name, r) in &raw.requests {
        let p = format!("requests.{name}");
        let cpu = cx.dist(&format!("{p}.cpu"), &r.cpu);
        let mut calls = Vec::new();
        for (ext, n) in &r.calls {
            if !all_externals.contains(ext) {
                cx.err_allowed(
                    &format!("{p}.calls.{ext}"),
                    format!("no stage defines an external service `{ext}`"),
                    all_externals.clone(),
                );
            }
            let n = cx.nonneg(&format!("{p}.calls.{ext}"), *n);
            calls.push((
                ext.clone(),
                cx.at_most(&format!("{p}.calls.{ext}"), n, limits::PER_REQUEST),
            ));
        }
        let count = |cx: &mut Ctx, f: &str, v: Option<f64>| {
            let field = format!("{p}.{f}");
            let v = cx.nonneg(&field, v.unwrap_or(0.0));
            cx.at_most(&field, v, limits::PER_REQUEST)
        };
        let (jobs, batch) = super::jobwork::request_jobs(cx, &p, r);
        requests.push(RequestType {
            name: name.clone(),
            share: r.share.0,
            cpu,
            db_queries: count(cx, "db_queries", r.db_queries),
            cache_lookups: count(cx, "cache_lookups", r.cache_lookups),
            vector_queries: count(cx, "vector_queries", r.vector_queries),
            calls,
            jobs: count(cx, "jobs", jobs),
            egress_bytes: r.egress.map(|b| b.0).unwrap_or(0.0),
            writes: r.writes.unwrap_or(false),
            batch,
        });
    }
    requests
}

/// Ids of a stage's billed components, as triggers, actions and budgets name them.
pub fn component_names(s: &Stage) -> Vec<String> {
    crate::components::names(s)
}

fn simulation(cx: &mut Ctx, raw: &RawSimulation, resolution: f64) -> SimSettings {
    let max_in_flight = raw.max_in_flight.unwrap_or(200_000);
    if max_in_flight == 0 {
        cx.err("simulation.max_in_flight", "must be at least 1");
    }
    let max_in_flight = cx.at_most("simulation.max_in_flight", max_in_flight.into(), limits::MAX_IN_FLIGHT) as u32;
    if let Some(w) = raw.warmup {
        cx.at_most("simulation.warmup", w.0, limits::WARMUP);
    }
    let mode = match raw.mode.as_deref().unwrap_or("peak_window") {
        "peak_window" => {
            let window = raw.window.map(|w| w.0).unwrap_or(3600.0_f64.min(resolution));
            if window <= 0.0 || window > resolution {
                cx.err(
                    "simulation.window",
                    format!(
                        "the window must be > 0 and at most the resolution ({})",
                        crate::units::fmt_seconds(resolution)
                    ),
                );
            }
            SimMode::PeakWindow {
                window,
                warmup: raw.warmup.map(|w| w.0).unwrap_or(300.0),
            }
        }
        "full" => {
            if raw.window.is_some() {
                cx.err("simulation.window", "`window` only applies to mode `peak_window`");
            }
            SimMode::Full {
                warmup: raw.warmup.map(|w| w.0).unwrap_or(0.0),
            }
        }
        other => {
            cx.err_allowed(
                "simulation.mode",
                format!("unknown mode `{other}`"),
                ["peak_window", "full"],
            );
            SimMode::Full { warmup: 0.0 }
        }
    };
    SimSettings {
        mode,
        max_in_flight: max_in_flight.max(1),
    }
}

/// The API: instances, workers, vCPU and RAM. RAM in use defaults to the instance's RAM.
fn api(cx: &mut Ctx, p: &str, a: &RawApi) -> Api {
    let ap = format!("{p}.api");
    let instances = a.instances.unwrap_or(1);
    if instances == 0 {
        cx.err(&format!("{ap}.instances"), "at least one API instance is needed");
    }
    let workers = a.workers.unwrap_or(8);
    if workers == 0 {
        cx.err(&format!("{ap}.workers"), "at least one worker per instance is needed");
    }
    let workers = cx.at_most(&format!("{ap}.workers"), workers.into(), limits::WORKERS) as u32;
    if let Some(q) = a.max_queue {
        cx.at_most(&format!("{ap}.max_queue"), q.into(), limits::MAX_QUEUE);
    }
    if let Some(m) = a.max_instances {
        if m < instances {
            cx.err(
                &format!("{ap}.max_instances"),
                format!("max_instances ({m}) is below instances ({instances})"),
            );
        }
    }
    let autoscale = super::autoscale::api(cx, &ap, a, workers);
    let instances = autoscale.map_or(instances, |s| s.min);
    let ram_bytes = a.ram.map(|b| b.0).unwrap_or(0.0);
    if let (Some(used), Some(ram)) = (a.ram_in_use, a.ram) {
        if used.0 > ram.0 {
            cx.err(
                &format!("{ap}.ram_in_use"),
                format!(
                    "an instance cannot use {} of RAM: it has {} (`ram`)",
                    crate::units::fmt_bytes(used.0),
                    crate::units::fmt_bytes(ram.0)
                ),
            );
        }
    }
    let billing = billing(cx, &ap, &a.billing());
    require_billed_input(
        cx,
        &billing,
        "ram_gb_hours",
        a.ram_in_use.is_some() || a.ram.is_some(),
        &format!("{ap}.ram_in_use"),
        "this API states neither `ram_in_use` (RAM one instance uses) nor `ram` (its RAM, the default of `ram_in_use`)",
    );
    for metric in ["ram_provisioned_gb_hours", "ram_provisioned_gib_hours"] {
        require_billed_input(
            cx,
            &billing,
            metric,
            a.ram.is_some(),
            &format!("{ap}.ram"),
            "this API does not state `ram`, the RAM of one instance",
        );
    }
    require_billed_input(
        cx,
        &billing,
        "vcpu_provisioned_hours",
        a.vcpu.is_some(),
        &format!("{ap}.vcpu"),
        "this API does not state `vcpu`, the vCPU of one instance",
    );
    Api {
        billing,
        instances: instances.max(1),
        max_instances: a.max_instances,
        autoscale,
        vcpu: a.vcpu.map(|v| cx.positive(&format!("{ap}.vcpu"), v)).unwrap_or(0.0),
        ram_bytes,
        workers: workers.max(1),
        max_queue: a.max_queue.map(|q| q.min(limits::MAX_QUEUE.max as u32)),
        queue_timeout: a.queue_timeout.map(|t| t.0),
        ram_in_use_bytes: a.ram_in_use.map(|b| b.0).unwrap_or(ram_bytes),
        ram_in_use_is_ram: a.ram_in_use.is_none(),
        idle_cpu: cx.nonneg(&format!("{ap}.idle_cpu"), a.idle_cpu.unwrap_or(0.0)),
        hold_worker: a.hold_worker.unwrap_or(true),
    }
}

fn stage(cx: &mut Ctx, name: &str, s: &RawStage) -> Stage {
    let p = format!("stages.{name}");
    let api = api(cx, &p, &s.api);
    let database = s.database.as_ref().map(|d| {
        let dp = format!("{p}.database");
        let query_time = match &d.query_time {
            Some(q) => cx.dist(&format!("{dp}.query_time"), q),
            None => {
                cx.err(
                    &format!("{dp}.query_time"),
                    "missing: how long one query holds a connection",
                );
                Dist::Constant(0.0)
            }
        };
        if d.read_replicas.is_some_and(|n| n > 0) {
            cx.err(&format!("{dp}.read_replicas"), READ_REPLICAS_UNSUPPORTED);
        }
        if d.connections == Some(0) {
            cx.err(&format!("{dp}.connections"), "at least one connection is needed");
        }
        Database {
            billing: billing(cx, &dp, &d.billing()),
            connections: d.connections.filter(|c| *c > 0),
            pooler: d.pooler.unwrap_or(false),
            query_time,
            pool_timeout: d.pool_timeout.map(|t| t.0),
            reject_when_busy: d.reject_when_busy.unwrap_or(false),
            connection_per_query: d.connection_per_query.unwrap_or(false),
            read_replicas: d.read_replicas.unwrap_or(0),
        }
    });
    let cache = s.cache.as_ref().map(|c| {
        let cp = format!("{p}.cache");
        let hit_rate = c.hit_rate.map(|h| h.0).unwrap_or(0.0);
        if hit_rate > 1.0 {
            cx.err(&format!("{cp}.hit_rate"), "a hit rate cannot exceed 100%");
        }
        Cache {
            billing: billing(cx, &cp, &c.billing()),
            hit_rate: hit_rate.min(1.0),
            ttl: super::cache_ttl::ttl_model(cx, &cp, c),
            lookup_time: c
                .lookup_time
                .as_ref()
                .map(|l| cx.dist(&format!("{cp}.lookup_time"), l))
                .unwrap_or(Dist::Constant(0.001)),
            ram_bytes: c.ram.map(|b| b.0).unwrap_or(0.0),
        }
    });
    let vector_store = s.vector_store.as_ref().map(|v| vector_store(cx, &p, v));
    let queue = s.queue.as_ref().map(|q| queue(cx, &p, q));
    let reserved: Vec<&str> = crate::components::reserved_names_in(cx.reg).collect();
    let mut external = Vec::new();
    for (n, e) in &s.external {
        let ep = format!("{p}.external.{n}");
        if e.rate_limit.is_some_and(|r| r.0 <= 0.0) {
            cx.err(
                &format!("{ep}.rate_limit"),
                "a rate limit of 0 refuses every call; leave `rate_limit` out for no limit",
            );
        }
        if reserved.contains(&n.as_str()) {
            cx.err(
                &ep,
                format!("`{n}` is the name of a built-in component; choose another name"),
            );
        }
        external.push(External {
            name: n.clone(),
            billing: Billing {
                byok: e.byok.unwrap_or(false),
                ..billing(cx, &ep, &e.billing())
            },
            latency: e
                .latency
                .as_ref()
                .map(|l| cx.dist(&format!("{ep}.latency"), l))
                .unwrap_or(Dist::Constant(0.0)),
            rate_limit: e.rate_limit.map(|r| r.0),
            input_tokens: e.input_tokens.map(|c| c.0).unwrap_or(0.0),
            cached_input_tokens: e.cached_input_tokens.map(|c| c.0).unwrap_or(0.0),
            output_tokens: e.output_tokens.map(|c| c.0).unwrap_or(0.0),
            byok: e.byok.unwrap_or(false),
        });
    }
    let mut services = Vec::new();
    for (n, sv) in &s.services {
        let sp = format!("{p}.services.{n}");
        if reserved.contains(&n.as_str()) || s.external.contains_key(n) {
            cx.err(
                &sp,
                format!("`{n}` is already the name of another component; choose another name"),
            );
        }
        services.push(Service {
            name: n.clone(),
            billing: billing(cx, &sp, &sv.billing()),
            count: sv.count.map(|c| c.0).unwrap_or(1.0),
        });
    }
    let st = Stage {
        name: name.to_string(),
        description: s.description.clone(),
        plan_says: s.plan_says.map(|m| m.0),
        api,
        database,
        cache,
        vector_store,
        queue,
        external,
        services,
        blocks: super::blocks::parse(cx, &p, &s.blocks),
    };
    crate::components::check_schedules(cx, &p, &st);
    super::jobwork::check_queue_calls(cx, &p, &st);
    st
}

/// A vector store.
fn vector_store(cx: &mut Ctx, p: &str, v: &RawVectorStore) -> VectorStore {
    let vp = format!("{p}.vector_store");
    let servers = v.servers.unwrap_or(1);
    if servers == 0 {
        cx.err(&format!("{vp}.servers"), "at least one server is needed");
    }
    let billing = billing(cx, &vp, &v.billing());
    // Whether the vectors fit the plan's capacity is checked with the other limits
    // (`Infra::resolve`), for the stage and every upgrade of it.
    let vectors = v.vectors.map(|c| c.0).unwrap_or(0.0);
    VectorStore {
        billing,
        servers: servers.max(1),
        query_time: v
            .query_time
            .as_ref()
            .map(|q| cx.dist(&format!("{vp}.query_time"), q))
            .unwrap_or(Dist::Constant(0.02)),
        vectors,
        dimensions: v.dimensions.unwrap_or(768),
    }
}

/// A job queue. It states no provisioned RAM, so a plan that bills RAM in use (or CPU used)
/// needs `ram_in_use` (or `vcpu`) written out.
fn queue(cx: &mut Ctx, p: &str, q: &RawQueue) -> JobQueue {
    let qp = format!("{p}.queue");
    let workers = q.workers.unwrap_or(1);
    let concurrency = q.concurrency.unwrap_or(1);
    if workers == 0 || concurrency == 0 {
        cx.err(&qp, "a queue needs at least one worker with concurrency ≥ 1");
    }
    let rate_limit = q.rate_limit.as_ref().map(|r| {
        if r.max == 0 || r.per.0 <= 0.0 {
            cx.err(
                &format!("{qp}.rate_limit"),
                "a rate limit needs max ≥ 1 and a duration > 0",
            );
        }
        (r.max.max(1), r.per.0.max(1e-9))
    });
    let autoscale = super::autoscale::queue(cx, &qp, q, concurrency);
    let workers = autoscale.map_or(workers, |s| s.min);
    let billing = billing(cx, &qp, &q.billing());
    require_billed_input(
        cx,
        &billing,
        "vcpu_hours",
        q.vcpu.is_some(),
        &format!("{qp}.vcpu"),
        "the queue does not state `vcpu`, the vCPU a running job uses",
    );
    require_billed_input(
        cx,
        &billing,
        "ram_gb_hours",
        q.ram_in_use.is_some(),
        &format!("{qp}.ram_in_use"),
        "the queue does not state `ram_in_use`, the RAM one worker uses (a queue has no provisioned RAM to default to)",
    );
    JobQueue {
        billing,
        workers: workers.max(1),
        concurrency: concurrency.max(1),
        rate_limit,
        job_time: match &q.job_time {
            Some(j) => cx.dist(&format!("{qp}.job_time"), j),
            None => {
                cx.err(&format!("{qp}.job_time"), "missing: how long a job runs");
                Dist::Constant(0.0)
            }
        },
        vcpu: cx.nonneg(&format!("{qp}.vcpu"), q.vcpu.unwrap_or(0.0)),
        ram_in_use_bytes: q.ram_in_use.map(|b| b.0).unwrap_or(0.0),
        autoscale,
        calls: q.calls.iter().map(|(n, c)| (n.clone(), *c)).collect(),
    }
}

fn store(cx: &mut Ctx, path: &str, raw: Option<&RawStore>, request_names: &[String]) -> Store {
    let Some(raw) = raw else { return Store::default() };
    let mut records = Vec::new();
    for (name, r) in &raw.records {
        let rp = format!("{path}.records.{name}");
        let mut per_request = Vec::new();
        for (rt, n) in &r.per_request {
            match request_names.iter().position(|x| x == rt) {
                Some(i) => per_request.push((i, cx.nonneg(&format!("{rp}.per_request.{rt}"), *n))),
                None => cx.err_allowed(
                    &format!("{rp}.per_request.{rt}"),
                    format!("no request type named `{rt}`"),
                    request_names.to_vec(),
                ),
            }
        }
        if let Some(ret) = r.retention {
            if ret.0 <= 0.0 {
                cx.err(
                    &format!("{rp}.retention"),
                    "retention must be longer than zero (omit it to keep records forever)",
                );
            }
        }
        records.push(Record {
            name: name.clone(),
            size_bytes: r.size.0,
            per_request,
            per_user: cx.nonneg(&format!("{rp}.per_user"), r.per_user.unwrap_or(0.0)),
            per_user_per_day: cx.nonneg(&format!("{rp}.per_user_per_day"), r.per_user_per_day.unwrap_or(0.0)),
            per_job: cx.nonneg(&format!("{rp}.per_job"), r.per_job.unwrap_or(0.0)),
            retention: r.retention.map(|t| t.0),
        });
    }
    Store {
        initial_bytes: raw.initial.map(|b| b.0).unwrap_or(0.0),
        records,
    }
}
