//! Raw scenario → checked [`Scenario`], collecting every problem with its location.

use super::raw::*;
use super::*;
use crate::dist::{Dist, RawDist};
use crate::error::{InputError, InputErrors};
use crate::pricing::{Catalog, CatalogSource, ChosenBy};
use crate::units::{parse_bytes, parse_count, parse_fraction, parse_money, parse_seconds};
use crate::yamlfile::{load_with_extends, Sources};
use std::path::Path;

/// Loads a scenario and the pricing catalogs it is priced with.
///
/// The catalogs are, in order of precedence: `requested` (the CLI passes `--pricing DIR`, else
/// `CAPSIM_PRICING`); the scenario's `pricing:` field (a directory relative to the file); the
/// nearest `pricing/` directory holding `*.yaml` files at or above the scenario file's
/// directory (so editing a repository's `pricing/` takes effect); the catalogs built into
/// capsim. A named directory that does not exist or holds no catalogs is an input error.
pub fn load(path: &Path, requested: Option<&CatalogSource>) -> Result<(Scenario, Catalog), InputErrors> {
    let (value, sources) = load_with_extends(path)?;
    let raw: RawScenario = sources.deserialize(value)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let source = match (requested, raw.pricing.as_deref()) {
        (Some(s), _) => s.clone(),
        (None, Some(given)) => {
            let p = dir.join(given);
            if !p.is_dir() {
                let reason = format!("pricing directory `{}` does not exist", p.display());
                return Err(sources.error("pricing", reason).into());
            }
            CatalogSource::dir(p, ChosenBy::Scenario)
        }
        (None, None) => match crate::pricing::nearest_pricing_dir(dir) {
            Some(p) => CatalogSource::dir(p, ChosenBy::Nearby),
            None => CatalogSource::builtin(),
        },
    };
    let catalog = Catalog::load(&source)?;
    let scenario = validate(raw, &sources, &catalog, path)?;
    Ok((scenario, catalog))
}

/// Loads a scenario against an already loaded catalog (tests, `validate` of many files).
pub fn load_with_catalog(path: &Path, catalog: &Catalog) -> Result<Scenario, InputErrors> {
    let (value, sources) = load_with_extends(path)?;
    let raw: RawScenario = sources.deserialize(value)?;
    validate(raw, &sources, catalog, path)
}

struct Ctx<'a> {
    sources: &'a Sources,
    catalog: &'a Catalog,
    errors: Vec<InputError>,
}

impl Ctx<'_> {
    fn err(&mut self, field: &str, reason: impl Into<String>) {
        self.errors.push(self.sources.error(field, reason));
    }
    fn err_allowed<I: IntoIterator<Item = S>, S: Into<String>>(
        &mut self,
        field: &str,
        reason: impl Into<String>,
        allowed: I,
    ) {
        self.errors.push(self.sources.error(field, reason).allowed(allowed));
    }
    fn dist(&mut self, field: &str, raw: &RawDist) -> Dist {
        match Dist::from_raw(raw) {
            Ok(d) => d,
            Err(e) => {
                self.err(field, e);
                Dist::Constant(0.0)
            }
        }
    }
    fn nonneg(&mut self, field: &str, v: f64) -> f64 {
        if !v.is_finite() || v < 0.0 {
            self.err(field, format!("expected a number ≥ 0, found {v}"));
            0.0
        } else {
            v
        }
    }
    fn positive(&mut self, field: &str, v: f64) -> f64 {
        if !v.is_finite() || v <= 0.0 {
            self.err(field, format!("expected a number > 0, found {v}"));
            1.0
        } else {
            v
        }
    }
}

fn validate(raw: RawScenario, sources: &Sources, catalog: &Catalog, file: &Path) -> Result<Scenario, InputErrors> {
    let mut cx = Ctx {
        sources,
        catalog,
        errors: Vec::new(),
    };

    let horizon = cx.positive("horizon", raw.horizon.0);
    let resolution = match raw.resolution {
        Some(r) => cx.positive("resolution", r.0),
        None => 86400.0_f64.min(horizon),
    };
    if resolution > horizon {
        cx.err("resolution", "the report resolution is longer than the horizon");
    } else if horizon / resolution > 200_000.0 {
        cx.err(
            "resolution",
            "more than 200,000 report periods; choose a coarser resolution",
        );
    }
    let hours_per_month = match raw.hours_per_month {
        Some(h) => cx.positive("hours_per_month", h),
        None => 730.0,
    };
    let replications = raw.replications.unwrap_or(8);
    if replications == 0 || replications > 100_000 {
        cx.err(
            "replications",
            format!("expected 1 to 100000 replications, found {replications}"),
        );
    }

    let sim = simulation(&mut cx, &raw.simulation, resolution);
    let traffic = traffic(&mut cx, &raw.traffic);

    // Request mix.
    let mut requests = Vec::new();
    if raw.requests.is_empty() {
        cx.err("requests", "at least one request type is needed");
    }
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
            calls.push((ext.clone(), cx.nonneg(&format!("{p}.calls.{ext}"), *n)));
        }
        requests.push(RequestType {
            name: name.clone(),
            share: r.share.0,
            cpu,
            db_queries: cx.nonneg(&format!("{p}.db_queries"), r.db_queries.unwrap_or(0.0)),
            cache_lookups: cx.nonneg(&format!("{p}.cache_lookups"), r.cache_lookups.unwrap_or(0.0)),
            vector_queries: cx.nonneg(&format!("{p}.vector_queries"), r.vector_queries.unwrap_or(0.0)),
            calls,
            jobs: cx.nonneg(&format!("{p}.jobs"), r.jobs.unwrap_or(0.0)),
            egress_bytes: r.egress.map(|b| b.0).unwrap_or(0.0),
            writes: r.writes.unwrap_or(false),
        });
    }
    let request_names: Vec<String> = requests.iter().map(|r| r.name.clone()).collect();

    // Stages.
    let mut stages = BTreeMap::new();
    for (name, s) in &raw.stages {
        stages.insert(name.clone(), stage(&mut cx, name, s));
    }
    let stage_names: Vec<String> = raw.stages.keys().cloned().collect();
    if !raw.stages.contains_key(&raw.stage) {
        cx.err_allowed("stage", format!("no stage named `{}`", raw.stage), stage_names.clone());
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

    // Components a trigger, action or budget may name.
    let component_ids: Vec<String> = {
        let mut v: Vec<String> = Vec::new();
        for s in stages.values() {
            v.extend(component_names(s));
        }
        v.sort();
        v.dedup();
        v
    };

    let mut triggers = Vec::new();
    for (i, t) in raw.triggers.iter().enumerate() {
        if let Some(t) = trigger(
            &mut cx,
            i,
            t,
            resolution,
            &component_ids,
            &stage_names,
            &stages,
            &raw.stage,
        ) {
            triggers.push(t);
        }
    }

    let budget = match &raw.budget {
        None => Budget::default(),
        Some(b) => {
            let mut components = BTreeMap::new();
            for (k, v) in &b.components {
                if !component_ids.contains(k) {
                    cx.err_allowed(
                        &format!("budget.components.{k}"),
                        format!("no component named `{k}`"),
                        component_ids.clone(),
                    );
                }
                components.insert(k.clone(), v.0);
            }
            Budget {
                monthly: b.monthly.map(|m| m.0),
                components,
            }
        }
    };
    let slo = raw
        .slo
        .as_ref()
        .map(|s| Slo {
            latency_p95: s.latency_p95.map(|v| v.0),
            latency_p99: s.latency_p99.map(|v| v.0),
            error_rate: s.error_rate.map(|v| v.0),
        })
        .unwrap_or_default();
    if let Some(e) = slo.error_rate {
        if e > 1.0 {
            cx.err("slo.error_rate", "an error rate above 100% is impossible");
        }
    }
    let plan_says = raw
        .plan_says
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
        .unwrap_or_default();

    // The starting infrastructure must resolve against the catalog (capacities, sizes); only
    // worth checking once its plans are known, or every unknown plan would be reported twice.
    let start_prefix = format!("stages.{}.", raw.stage);
    let plans_ok = !cx.errors.iter().any(|e| e.field.starts_with(&start_prefix));
    if let (true, Some(st)) = (plans_ok, stages.get(&raw.stage)) {
        if let Err(problems) = crate::infra::Infra::resolve(st, catalog) {
            for (field, reason) in problems {
                cx.err(&format!("stages.{}.{field}", raw.stage), reason);
            }
        }
    }

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
        plan_says,
    })
}

/// Ids of a stage's billed components, as triggers, actions and budgets name them.
pub fn component_names(s: &Stage) -> Vec<String> {
    let mut v = vec!["api".to_string()];
    if s.database.is_some() {
        v.push("database".into());
    }
    if s.cache.is_some() {
        v.push("cache".into());
    }
    if s.vector_store.is_some() {
        v.push("vector_store".into());
    }
    if s.queue.is_some() {
        v.push("queue".into());
    }
    v.extend(s.external.iter().map(|e| e.name.clone()));
    v.extend(s.services.iter().map(|e| e.name.clone()));
    v
}

fn simulation(cx: &mut Ctx, raw: &RawSimulation, resolution: f64) -> SimSettings {
    let max_in_flight = raw.max_in_flight.unwrap_or(200_000);
    if max_in_flight == 0 {
        cx.err("simulation.max_in_flight", "must be at least 1");
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

fn traffic(cx: &mut Ctx, raw: &RawTraffic) -> Traffic {
    if let Some(rate) = raw.arrival_rate {
        for (present, f) in [
            (raw.users.is_some(), "users"),
            (raw.sessions_per_user_per_week.is_some(), "sessions_per_user_per_week"),
            (raw.requests_per_session.is_some(), "requests_per_session"),
        ] {
            if present {
                cx.err(
                    &format!("traffic.{f}"),
                    "`arrival_rate` describes open Poisson arrivals; it cannot be combined with users and sessions",
                );
            }
        }
        let rate = cx.positive("traffic.arrival_rate", rate.0);
        return Traffic::Open { rate };
    }
    let Some(users) = &raw.users else {
        cx.err("traffic", "give either `users` (with sessions) or `arrival_rate`");
        return Traffic::Open { rate: 1.0 };
    };
    let spw = match raw.sessions_per_user_per_week {
        Some(v) => cx.positive("traffic.sessions_per_user_per_week", v),
        None => {
            cx.err(
                "traffic.sessions_per_user_per_week",
                "missing: how many sessions a user starts per week",
            );
            1.0
        }
    };
    let rps = match raw.requests_per_session {
        Some(v) => cx.positive("traffic.requests_per_session", v),
        None => {
            cx.err(
                "traffic.requests_per_session",
                "missing: how many requests a session sends",
            );
            1.0
        }
    };
    let think = match &raw.think_time {
        Some(t) => cx.dist("traffic.think_time", t),
        None => Dist::exponential(30.0).expect("valid"),
    };
    let daily = daily_shape(cx, raw.daily_shape.as_ref());
    let weekly = match &raw.weekly_shape {
        None => [1.0; 7],
        Some(w) if w.len() == 7 && w.iter().all(|x| x.is_finite() && *x >= 0.0) && w.iter().sum::<f64>() > 0.0 => {
            let mean = w.iter().sum::<f64>() / 7.0;
            let mut out = [0.0; 7];
            for (o, x) in out.iter_mut().zip(w) {
                *o = x / mean;
            }
            out
        }
        Some(w) => {
            cx.err(
                "traffic.weekly_shape",
                format!(
                    "expected 7 non-negative weights (Monday..Sunday), found {} values",
                    w.len()
                ),
            );
            [1.0; 7]
        }
    };
    let (growth, concurrent) = growth(cx, users);
    let mut t = Traffic::Sessions {
        users: growth,
        sessions_per_user_per_week: spw,
        requests_per_session: rps,
        think,
        daily,
        weekly,
        concurrent_target: concurrent,
    };
    if let (
        Some(c),
        Traffic::Sessions {
            users,
            think,
            requests_per_session,
            ..
        },
    ) = (concurrent, &mut t)
    {
        // Little's law at the peak hour: concurrent = session start rate × session length.
        let session_len = requests_per_session.max(1.0) * think.mean();
        let peak = daily.iter().cloned().fold(0.0, f64::max) * weekly.iter().cloned().fold(0.0, f64::max);
        if session_len > 0.0 && peak > 0.0 {
            let starts_per_s = c / session_len;
            *users = Growth::Constant(starts_per_s / peak * 7.0 * 86400.0 / spw);
        }
    }
    t
}

fn daily_shape(cx: &mut Ctx, raw: Option<&RawDailyShape>) -> [f64; 24] {
    let Some(raw) = raw else { return [1.0; 24] };
    if let Some(h) = &raw.hourly {
        if raw.peak_factor.is_some() || raw.peak_hours.is_some() {
            cx.err(
                "traffic.daily_shape",
                "give either `hourly` weights or `peak_factor` with `peak_hours`, not both",
            );
        }
        if h.len() != 24 || h.iter().any(|x| !x.is_finite() || *x < 0.0) || h.iter().sum::<f64>() <= 0.0 {
            cx.err(
                "traffic.daily_shape.hourly",
                format!(
                    "expected 24 non-negative weights (hour 0..23), found {} values",
                    h.len()
                ),
            );
            return [1.0; 24];
        }
        let mean = h.iter().sum::<f64>() / 24.0;
        let mut out = [0.0; 24];
        for (o, x) in out.iter_mut().zip(h) {
            *o = x / mean;
        }
        return out;
    }
    let factor = raw.peak_factor.unwrap_or(1.0);
    if !factor.is_finite() || factor < 1.0 {
        cx.err(
            "traffic.daily_shape.peak_factor",
            format!("the peak factor is peak ÷ average and must be ≥ 1, found {factor}"),
        );
        return [1.0; 24];
    }
    let hours = raw.peak_hours.as_deref().unwrap_or("19-22");
    let Some((a, b)) = hours
        .split_once('-')
        .and_then(|(a, b)| Some((a.trim().parse::<usize>().ok()?, b.trim().parse::<usize>().ok()?)))
    else {
        cx.err(
            "traffic.daily_shape.peak_hours",
            format!("expected hours of the day like `19-22`, found `{hours}`"),
        );
        return [1.0; 24];
    };
    if a >= 24 || b > 24 || a >= b {
        cx.err(
            "traffic.daily_shape.peak_hours",
            format!("expected start < end within 0..24, found `{hours}`"),
        );
        return [1.0; 24];
    }
    let k = (b - a) as f64;
    if factor * k > 24.0 {
        cx.err(
            "traffic.daily_shape.peak_factor",
            format!(
                "a {factor}× peak over {k} hours exceeds a whole day's traffic; lower the factor or shorten the peak"
            ),
        );
        return [1.0; 24];
    }
    let off = if k < 24.0 {
        (24.0 - factor * k) / (24.0 - k)
    } else {
        1.0
    };
    let mut out = [off; 24];
    for o in out.iter_mut().take(b).skip(a) {
        *o = factor;
    }
    out
}

fn growth(cx: &mut Ctx, u: &RawUsers) -> (Growth, Option<f64>) {
    let p = "traffic.users";
    if let Some(c) = u.concurrent {
        if u.growth.is_some() || u.users.is_some() || u.from.is_some() {
            cx.err(
                &format!("{p}.concurrent"),
                "give either `concurrent` or a growth of registered users, not both",
            );
        }
        return (
            Growth::Constant(0.0),
            Some(cx.positive(&format!("{p}.concurrent"), c.0)),
        );
    }
    let kind = u
        .growth
        .as_deref()
        .unwrap_or(if u.points.is_some() { "points" } else { "constant" });
    let need = |cx: &mut Ctx, v: Option<crate::units::Count>, f: &str| -> f64 {
        match v {
            Some(c) => c.0,
            None => {
                cx.err(&format!("{p}.{f}"), format!("growth `{kind}` needs `{f}`"));
                1.0
            }
        }
    };
    let g = match kind {
        "constant" => Growth::Constant(need(cx, u.users, "users")),
        "linear" => {
            let over = u.over.map(|o| o.0);
            let over = match over {
                Some(o) => cx.positive(&format!("{p}.over"), o),
                None => {
                    cx.err(
                        &format!("{p}.over"),
                        "linear growth needs `over` (the time to go from `from` to `to`)",
                    );
                    1.0
                }
            };
            Growth::Linear {
                from: need(cx, u.from, "from"),
                to: need(cx, u.to, "to"),
                over,
            }
        }
        "exponential" => {
            let from = need(cx, u.from, "from");
            let doubling = match (u.doubling, u.to, u.over) {
                (Some(d), None, _) => cx.positive(&format!("{p}.doubling"), d.0),
                (None, Some(to), Some(over)) if to.0 > from && from > 0.0 => over.0 / (to.0 / from).log2(),
                _ => {
                    cx.err(
                        p,
                        "exponential growth needs `from` and either `doubling`, or `to` (> from) and `over`",
                    );
                    1.0
                }
            };
            Growth::Exponential { from, doubling }
        }
        "logistic" => {
            let midpoint = u.midpoint.map(|m| m.0);
            let spread = u.spread.map(|m| m.0).unwrap_or(7.0 * 86400.0);
            if midpoint.is_none() {
                cx.err(
                    &format!("{p}.midpoint"),
                    "logistic growth needs `midpoint` (when users are half-way)",
                );
            }
            Growth::Logistic {
                from: need(cx, u.from, "from"),
                to: need(cx, u.to, "to"),
                midpoint: midpoint.unwrap_or(0.0),
                spread: cx.positive(&format!("{p}.spread"), spread),
            }
        }
        "points" | "step" => {
            let pts: Vec<(f64, f64)> = u
                .points
                .as_ref()
                .map(|v| v.iter().map(|pt| (pt.at.0, pt.users.0)).collect())
                .unwrap_or_default();
            if pts.is_empty() {
                cx.err(
                    &format!("{p}.points"),
                    format!("growth `{kind}` needs a list of `points` ({{at: 30d, users: 100}})"),
                );
                return (Growth::Constant(1.0), None);
            }
            if pts.windows(2).any(|w| w[1].0 <= w[0].0) {
                cx.err(&format!("{p}.points"), "points must be in increasing order of `at`");
            }
            Growth::Points {
                points: pts,
                step: kind == "step",
            }
        }
        other => {
            cx.err_allowed(
                &format!("{p}.growth"),
                format!("unknown growth `{other}`"),
                ["constant", "step", "linear", "exponential", "logistic", "points"],
            );
            Growth::Constant(1.0)
        }
    };
    (g, None)
}

#[allow(clippy::too_many_arguments)]
fn billing(
    cx: &mut Ctx,
    path: &str,
    provider: &Option<String>,
    plan: &Option<String>,
    size: &Option<String>,
    seats: Option<f64>,
    annual: Option<bool>,
    multiplier: Option<f64>,
    plan_says: Option<crate::units::Money>,
    usage: &BTreeMap<String, RawUsageRule>,
    label: &Option<String>,
) -> Billing {
    match (provider, plan) {
        (Some(pr), Some(pl)) => match cx.catalog.plan(pr, pl) {
            Ok(p) => {
                if let Some(sz) = size {
                    if !p.sizes.contains_key(sz) {
                        let allowed: Vec<String> = p.sizes.keys().cloned().collect();
                        let reason = if allowed.is_empty() {
                            format!("plan `{pr}/{pl}` has no sizes to choose from")
                        } else {
                            format!("unknown size `{sz}` for `{pr}/{pl}`")
                        };
                        cx.err_allowed(&format!("{path}.size"), reason, allowed);
                    }
                }
            }
            Err((reason, allowed)) => {
                let field = if cx.catalog.providers.contains_key(pr) {
                    "plan"
                } else {
                    "provider"
                };
                cx.err_allowed(&format!("{path}.{field}"), reason, allowed);
            }
        },
        (Some(_), None) => cx.err(&format!("{path}.plan"), "a provider needs a `plan`"),
        (None, Some(_)) => cx.err(&format!("{path}.provider"), "a plan needs a `provider`"),
        (None, None) => {}
    }
    let mut rules = BTreeMap::new();
    for (metric, r) in usage {
        if !crate::pricing::USAGE_METRICS.iter().any(|(m, _)| m == metric) {
            cx.err_allowed(
                &format!("{path}.usage.{metric}"),
                format!("unknown usage metric `{metric}`"),
                crate::pricing::USAGE_METRICS.iter().map(|(m, _)| m.to_string()),
            );
        }
        rules.insert(
            metric.clone(),
            UsageRule {
                per_request: r.per_request.unwrap_or(0.0),
                per_session: r.per_session.unwrap_or(0.0),
                per_user_month: r.per_user_month.unwrap_or(0.0),
                per_job: r.per_job.unwrap_or(0.0),
                per_month: r.per_month.unwrap_or(0.0),
                bytes_per_request: r.bytes_per_request.map(|b| b.0).unwrap_or(0.0),
            },
        );
    }
    let multiplier = match multiplier {
        Some(m) => cx.positive(&format!("{path}.multiplier"), m),
        None => 1.0,
    };
    Billing {
        provider: provider.clone(),
        plan: plan.clone(),
        size: size.clone(),
        seats: cx.nonneg(&format!("{path}.seats"), seats.unwrap_or(1.0)),
        annual_billing: annual.unwrap_or(false),
        multiplier,
        plan_says: plan_says.map(|m| m.0),
        usage: rules,
        label: label.clone(),
    }
}

macro_rules! bill {
    ($cx:expr, $path:expr, $r:expr) => {
        billing(
            $cx,
            $path,
            &$r.provider,
            &$r.plan,
            &$r.size,
            $r.seats,
            $r.annual_billing,
            $r.multiplier,
            $r.plan_says,
            &$r.usage,
            &$r.label,
        )
    };
}

fn stage(cx: &mut Ctx, name: &str, s: &RawStage) -> Stage {
    let p = format!("stages.{name}");
    let a = &s.api;
    let ap = format!("{p}.api");
    let instances = a.instances.unwrap_or(1);
    if instances == 0 {
        cx.err(&format!("{ap}.instances"), "at least one API instance is needed");
    }
    let workers = a.workers.unwrap_or(8);
    if workers == 0 {
        cx.err(&format!("{ap}.workers"), "at least one worker per instance is needed");
    }
    if let Some(m) = a.max_instances {
        if m < instances {
            cx.err(
                &format!("{ap}.max_instances"),
                format!("max_instances ({m}) is below instances ({instances})"),
            );
        }
    }
    let api = Api {
        billing: bill!(cx, &ap, a),
        instances: instances.max(1),
        max_instances: a.max_instances,
        vcpu: a.vcpu.map(|v| cx.positive(&format!("{ap}.vcpu"), v)).unwrap_or(0.0),
        ram_bytes: a.ram.map(|b| b.0).unwrap_or(0.0),
        workers: workers.max(1),
        max_queue: a.max_queue,
        queue_timeout: a.queue_timeout.map(|t| t.0),
        ram_in_use_bytes: a.ram_in_use.map(|b| b.0).unwrap_or(0.0),
        idle_cpu: cx.nonneg(&format!("{ap}.idle_cpu"), a.idle_cpu.unwrap_or(0.0)),
        hold_worker: a.hold_worker.unwrap_or(true),
    };
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
        if d.connections == Some(0) {
            cx.err(&format!("{dp}.connections"), "at least one connection is needed");
        }
        Database {
            billing: bill!(cx, &dp, d),
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
            billing: bill!(cx, &cp, c),
            hit_rate: hit_rate.min(1.0),
            lookup_time: c
                .lookup_time
                .as_ref()
                .map(|l| cx.dist(&format!("{cp}.lookup_time"), l))
                .unwrap_or(Dist::Constant(0.001)),
            ram_bytes: c.ram.map(|b| b.0).unwrap_or(0.0),
        }
    });
    let vector_store = s.vector_store.as_ref().map(|v| {
        let vp = format!("{p}.vector_store");
        let servers = v.servers.unwrap_or(1);
        if servers == 0 {
            cx.err(&format!("{vp}.servers"), "at least one server is needed");
        }
        VectorStore {
            billing: bill!(cx, &vp, v),
            servers: servers.max(1),
            query_time: v
                .query_time
                .as_ref()
                .map(|q| cx.dist(&format!("{vp}.query_time"), q))
                .unwrap_or(Dist::Constant(0.02)),
            vectors: v.vectors.map(|c| c.0).unwrap_or(0.0),
            dimensions: v.dimensions.unwrap_or(768),
        }
    });
    let queue = s.queue.as_ref().map(|q| {
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
        JobQueue {
            billing: bill!(cx, &qp, q),
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
            vcpu: q.vcpu.unwrap_or(0.0),
            ram_in_use_bytes: q.ram_in_use.map(|b| b.0).unwrap_or(0.0),
        }
    });
    let reserved = ["api", "database", "cache", "vector_store", "queue"];
    let mut external = Vec::new();
    for (n, e) in &s.external {
        let ep = format!("{p}.external.{n}");
        if reserved.contains(&n.as_str()) {
            cx.err(
                &ep,
                format!("`{n}` is the name of a built-in component; choose another name"),
            );
        }
        external.push(External {
            name: n.clone(),
            billing: bill!(cx, &ep, e),
            latency: e
                .latency
                .as_ref()
                .map(|l| cx.dist(&format!("{ep}.latency"), l))
                .unwrap_or(Dist::Constant(0.0)),
            rate_limit: e.rate_limit.map(|r| r.0),
            input_tokens: e.input_tokens.unwrap_or(0.0),
            cached_input_tokens: e.cached_input_tokens.unwrap_or(0.0),
            output_tokens: e.output_tokens.unwrap_or(0.0),
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
            billing: bill!(cx, &sp, sv),
            count: sv.count.unwrap_or(1.0),
        });
    }
    Stage {
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

fn threshold(kind: MetricKind, v: &serde_yaml::Value) -> Result<f64, String> {
    let text = match v {
        serde_yaml::Value::String(s) => s.clone(),
        serde_yaml::Value::Number(n) => n.to_string(),
        _ => return Err("expected a threshold value".into()),
    };
    match kind {
        MetricKind::Bytes => parse_bytes(&text),
        MetricKind::Seconds => parse_seconds(&text),
        MetricKind::Fraction => parse_fraction(&text),
        MetricKind::Money => parse_money(&text),
        MetricKind::Count => parse_count(&text),
    }
}

#[allow(clippy::too_many_arguments)]
fn trigger(
    cx: &mut Ctx,
    i: usize,
    t: &RawTrigger,
    resolution: f64,
    components: &[String],
    stage_names: &[String],
    stages: &BTreeMap<String, Stage>,
    start_stage: &str,
) -> Option<Trigger> {
    let p = format!("triggers[{i}]");
    let Some(&(_, metric, kind, _)) = Metric::ALL.iter().find(|m| m.0 == t.metric) else {
        cx.err_allowed(
            &format!("{p}.metric"),
            format!("unknown metric `{}`", t.metric),
            Metric::ALL.iter().map(|m| m.0.to_string()),
        );
        return None;
    };
    let (above, raw_threshold, field) = match (&t.above, &t.below) {
        (Some(a), None) => (true, a, "above"),
        (None, Some(b)) => (false, b, "below"),
        _ => {
            cx.err(&p, "a trigger needs exactly one of `above` or `below`");
            return None;
        }
    };
    let threshold = match threshold(kind, raw_threshold) {
        Ok(v) => v,
        Err(e) => {
            cx.err(
                &format!("{p}.{field}"),
                format!("{e} (metric `{}` is measured as {kind:?})", t.metric)
                    .to_lowercase()
                    .replacen(&e.to_lowercase(), &e, 1),
            );
            return None;
        }
    };
    let percentile = t.percentile.unwrap_or(95.0);
    if t.percentile.is_some() && !metric.takes_percentile() {
        cx.err(
            &format!("{p}.percentile"),
            format!("metric `{}` has no percentiles", t.metric),
        );
    }
    if !(percentile > 0.0 && percentile < 100.0) {
        cx.err(
            &format!("{p}.percentile"),
            format!("a percentile lies strictly between 0 and 100, found {percentile}"),
        );
    }
    if !t.components.is_empty() && metric != Metric::MonthlyCost {
        cx.err(
            &format!("{p}.components"),
            "only `cost.monthly` can be limited to some components",
        );
    }
    for (k, c) in t.components.iter().enumerate() {
        if !components.contains(c) {
            cx.err_allowed(
                &format!("{p}.components[{k}]"),
                format!("no component named `{c}`"),
                components.to_vec(),
            );
        }
    }
    let sustained = t.sustained.map(|s| s.0).unwrap_or(0.0);
    let sustained_periods = ((sustained / resolution).ceil() as u32).max(1);
    let allowed_actions = ["flag", "upgrade", "add_instances", "switch_stage"];
    let mut map = None;
    match &t.action {
        None => {}
        Some(RawAction::Word(w)) if w == "flag" => {}
        Some(RawAction::Word(w)) => {
            cx.err_allowed(&format!("{p}.action"), format!("unknown action `{w}`"), allowed_actions)
        }
        Some(RawAction::Map(m)) => {
            let n = m.upgrade.is_some() as u8 + m.add_instances.is_some() as u8 + m.switch_stage.is_some() as u8;
            if n != 1 {
                cx.err_allowed(
                    &format!("{p}.action"),
                    "an action is `flag` or a map with exactly one of these keys",
                    allowed_actions,
                );
            } else {
                map = Some(m);
            }
        }
    }
    let action = match map.map(|m| (&m.upgrade, &m.add_instances, &m.switch_stage)) {
        None => Action::Flag,
        Some((Some(u), _, _)) => {
            if !components.contains(&u.component) {
                cx.err_allowed(
                    &format!("{p}.action.upgrade.component"),
                    format!("no component named `{}`", u.component),
                    components.to_vec(),
                );
            }
            // The upgraded plan must exist in the catalog for the component's provider.
            if let Some(plan) = &u.plan {
                // The component's provider in the starting stage, else in any stage.
                let provider = u.provider.clone().or_else(|| {
                    std::iter::once(start_stage)
                        .filter_map(|n| stages.get(n))
                        .chain(stages.values())
                        .find_map(|s| crate::infra::billing_of(s, &u.component).and_then(|b| b.provider.clone()))
                });
                match provider {
                    Some(pr) => {
                        if let Err((reason, allowed)) = cx.catalog.plan(&pr, plan) {
                            cx.err_allowed(&format!("{p}.action.upgrade.plan"), reason, allowed);
                        } else if let (Some(sz), Ok(pl)) = (&u.size, cx.catalog.plan(&pr, plan)) {
                            if !pl.sizes.contains_key(sz) {
                                let allowed: Vec<String> = pl.sizes.keys().cloned().collect();
                                cx.err_allowed(
                                    &format!("{p}.action.upgrade.size"),
                                    format!("unknown size `{sz}` for `{pr}/{plan}`"),
                                    allowed,
                                );
                            }
                        }
                    }
                    None => cx.err(
                        &format!("{p}.action.upgrade.provider"),
                        "the component has no provider; name one",
                    ),
                }
            }
            Action::Upgrade(Upgrade {
                component: u.component.clone(),
                provider: u.provider.clone(),
                plan: u.plan.clone(),
                size: u.size.clone(),
                vcpu: u.vcpu,
                ram_bytes: u.ram.map(|r| r.0),
                workers: u.workers,
                pooler: u.pooler,
                connections: u.connections,
                read_replicas: u.read_replicas,
                servers: u.servers,
            })
        }
        Some((None, Some(a), _)) => {
            if a.component != "api" {
                cx.err_allowed(
                    &format!("{p}.action.add_instances.component"),
                    format!("only the API scales out by instances, not `{}`", a.component),
                    ["api"],
                );
            }
            Action::AddInstances {
                component: a.component.clone(),
                count: a.count.unwrap_or(1).max(1),
                max: a.max,
            }
        }
        Some((None, None, Some(s))) => {
            if !stage_names.contains(s) {
                cx.err_allowed(
                    &format!("{p}.action.switch_stage"),
                    format!("no stage named `{s}`"),
                    stage_names.to_vec(),
                );
            }
            Action::SwitchStage(s.clone())
        }
        Some((None, None, None)) => Action::Flag,
    };
    Some(Trigger {
        name: t.name.clone(),
        metric,
        components: t.components.clone(),
        above,
        threshold,
        percentile,
        sustained_periods,
        sustained,
        action,
        cooldown: t.cooldown.map(|c| c.0).unwrap_or(0.0),
        plan_says: t.plan_says.clone(),
    })
}
