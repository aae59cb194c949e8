//! Budgets, SLOs and the plan's own figures, checked against the run.
//!
//! Every comparison says by how much capsim and the plan differ and, from the model's own
//! arithmetic, why: a database size is broken down by record kind, a request volume by
//! users × sessions × requests, a bill by component.

use crate::results::{s, Check, CheckVerdict, Checks, Comparison, ComponentBill, Missing, PlanFigure, RunResult};
use crate::scenario::{Scenario, Stage, Traffic};
use crate::units::{fmt_bytes, fmt_count, fmt_money, fmt_seconds, Unit};

/// Whether capsim's figure agrees with the plan's estimate: within 10 %, or both zero.
fn agrees(plan: f64, capsim: f64) -> bool {
    if plan == 0.0 {
        return capsim == 0.0;
    }
    (capsim / plan - 1.0).abs() <= 0.10
}

/// The plan's estimate next to capsim's figure.
fn estimate(id: String, what: String, unit: Unit, plan: f64, measured: f64, why: String) -> Comparison {
    Comparison {
        id,
        what,
        unit,
        kind: PlanFigure::Estimate,
        plan,
        measured,
        simulated: None,
        ratio: if plan == 0.0 { f64::NAN } else { measured / plan },
        why,
        agrees: agrees(plan, measured),
    }
}

/// SLOs: the worst busy window's figure among those with data. With no data in any (no
/// request completed, or none arrived) the objective is not evaluated, never met.
fn slo_checks(sc: &Scenario, r: &RunResult) -> Vec<Check> {
    let mut out = Vec::new();
    type Slo<'a> = (Option<f64>, usize, &'a str, &'a str, Unit, &'static str);
    let slos: [Slo; 4] = [
        (
            sc.slo.latency_p95,
            s::P95,
            "slo.latency_p95",
            "p95 latency, worst busy window",
            Unit::Seconds,
            "no request completed",
        ),
        (
            sc.slo.latency_p99,
            s::P99,
            "slo.latency_p99",
            "p99 latency, worst busy window",
            Unit::Seconds,
            "no request completed",
        ),
        (
            sc.slo.error_rate,
            s::ERR,
            "slo.error_rate",
            "error rate, worst busy window",
            Unit::Fraction,
            "no request arrived",
        ),
        (
            sc.slo.client_rejected,
            s::CLIENT_REJ_RATE,
            "slo.client_rejected",
            "share rejected by the per-client limit, worst busy window",
            Unit::Fraction,
            "no per-client limit, or no request offered",
        ),
    ];
    let np = r.periods.len();
    for (limit, series, id, what, unit, none) in slos {
        let Some(t) = limit else { continue };
        let values: Vec<f64> = r
            .periods
            .iter()
            .map(|p| p.series[series].mean)
            .filter(|v| v.is_finite())
            .collect();
        let missing = (values.len() < np).then_some(Missing {
            reason: none,
            windows: np - values.len(),
            of: np,
        });
        let (measured, verdict) = if values.is_empty() {
            (f64::NAN, CheckVerdict::NotEvaluated)
        } else {
            let v = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (
                v,
                if v <= t {
                    CheckVerdict::Ok
                } else {
                    CheckVerdict::Breached
                },
            )
        };
        out.push(Check {
            id: id.into(),
            what: what.into(),
            unit,
            limit: t,
            measured,
            mean: None,
            percentile: None,
            missing,
            verdict,
        });
    }
    out
}

/// `slo.availability` as the most the system may be down: (1 − objective) of the horizon
/// against the faults' down time over the horizon (the same in every replication).
fn availability_check(sc: &Scenario, r: &RunResult) -> Option<Check> {
    let objective = sc.slo.availability?;
    let down = r.availability.as_ref().map_or(0.0, |a| 1.0 - a.availability);
    Some(Check {
        id: "slo.availability".into(),
        what: format!(
            "time down, share of the horizon (availability ≥ {})",
            crate::units::fmt_percent(objective)
        ),
        unit: Unit::Fraction,
        limit: 1.0 - objective,
        measured: down,
        mean: None,
        percentile: None,
        missing: None,
        verdict: within(down, 1.0 - objective),
    })
}

/// A budget's verdict: within the limit (with a rounding margin) or breached.
fn within(measured: f64, limit: f64) -> CheckVerdict {
    if measured <= limit + 1e-9 {
        CheckVerdict::Ok
    } else {
        CheckVerdict::Breached
    }
}

/// The budget and SLO checks and the plan's figures next to capsim's, from the scenario and
/// the run.
pub fn evaluate(sc: &Scenario, r: &RunResult) -> Checks {
    Checks {
        budget: budget_checks(sc, r),
        slo: slo_checks(sc, r).into_iter().chain(availability_check(sc, r)).collect(),
        plan_comparisons: plan_comparisons(sc, r),
    }
}

/// A summary's value at a budget percentile (one of [`crate::scenario::BUDGET_PERCENTILES`]).
fn at_percentile(s: &crate::metrics::Summary, p: u32) -> f64 {
    match p {
        10 => s.p10,
        50 => s.p50,
        100 => s.max,
        _ => s.p90,
    }
}

/// Budgets: each month's whole bill against the monthly budget (its percentile across
/// replications measured, P90 unless the scenario says, the mean quoted), then each
/// component's budget month by month; only `budget.month` when the scenario names one.
fn budget_checks(sc: &Scenario, r: &RunResult) -> Vec<Check> {
    let mut out = Vec::new();
    let p = sc.budget.percentile();
    let months = || {
        r.months
            .iter()
            .filter(|m| sc.budget.month.is_none_or(|only| only == m.month))
    };
    if let Some(b) = sc.budget.monthly {
        for m in months() {
            let v = at_percentile(&m.total, p);
            out.push(Check {
                id: format!("budget.month_{}.total", m.month),
                what: format!("month {} total", m.month),
                unit: Unit::Dollars,
                limit: b,
                measured: v,
                mean: Some(m.total.mean),
                percentile: sc.budget.percentile,
                missing: None,
                verdict: within(v, b),
            });
        }
    }
    for (comp, limit) in &sc.budget.components {
        let Some(ci) = r.components.iter().position(|c| c == comp) else {
            continue;
        };
        for m in months() {
            let rate = at_percentile(&m.components[ci].1, p);
            out.push(Check {
                id: format!("budget.month_{}.component.{comp}", m.month),
                what: format!("month {} {comp}", m.month),
                unit: Unit::Dollars,
                limit: *limit,
                measured: rate,
                mean: None,
                percentile: sc.budget.percentile,
                missing: None,
                verdict: within(rate, *limit),
            });
        }
    }
    out
}

/// The plan's own figures next to capsim's, in the order the report lists them: the monthly
/// cost, each component's price, traffic, storage, latency, sessions, users, vector memory.
fn plan_comparisons(sc: &Scenario, r: &RunResult) -> Vec<Comparison> {
    let f = Facts::of(sc, r);
    let mut out: Vec<Comparison> = monthly_cost(&f).into_iter().collect();
    out.extend(
        r.components
            .iter()
            .enumerate()
            .filter_map(|(ci, comp)| component_price(&f, ci, comp)),
    );
    out.extend(traffic(&f));
    out.extend(database_size(&f));
    out.extend(latency_p95(&f));
    out.extend(concurrent_sessions(&f));
    out.extend(users(&f));
    out.extend(vector_store_memory(&f));
    out
}

/// What every comparison with the plan reads: the scenario, the run, the starting stage, the
/// last period and the users at its end.
struct Facts<'a> {
    sc: &'a Scenario,
    r: &'a RunResult,
    stage: &'a Stage,
    /// The last report period.
    end: usize,
    /// Registered users at the end of the horizon (mean across replications).
    users_end: f64,
}

impl<'a> Facts<'a> {
    fn of(sc: &'a Scenario, r: &'a RunResult) -> Facts<'a> {
        let end = r.periods.len() - 1;
        Facts {
            sc,
            r,
            stage: &sc.stages[&sc.start_stage],
            end,
            users_end: r.periods[end].series[s::USERS].mean,
        }
    }

    /// The mean of series `k` at the end of the horizon.
    fn at_end(&self, k: usize) -> f64 {
        self.r.periods[self.end].series[k].mean
    }

    /// The largest mean of series `k` over the busy windows with data (NaN with none).
    fn worst(&self, k: usize) -> f64 {
        self.r
            .periods
            .iter()
            .map(|p| p.series[k].mean)
            .filter(|v| v.is_finite())
            .fold(f64::NAN, f64::max)
    }
}

/// The plan's monthly cost against month 1's bill, with the components whose price differs
/// from the plan's table.
fn monthly_cost(f: &Facts) -> Option<Comparison> {
    let (sc, r) = (f.sc, f.r);
    let plan_total = sc.plan_says.monthly_cost.or(f.stage.plan_says)?;
    let capsim = r.months.first().map(|m| m.total.mean).unwrap_or(f64::NAN);
    let mut why: Vec<String> = Vec::new();
    let month = &r.months[0];
    for (ci, comp) in r.components.iter().enumerate() {
        let said = crate::infra::billing_of(f.stage, comp).and_then(|b| b.plan_says);
        let got = month.components[ci].1.mean;
        if let Some(said) = said {
            if (said - got).abs() >= 0.5 {
                why.push(format!("{comp}: plan {} vs {}", fmt_money(said), fmt_money(got)));
            }
        } else if got >= 0.5 {
            why.push(format!("{comp}: not in the plan's table, {}", fmt_money(got)));
        }
    }
    Some(estimate(
        "plan.monthly_cost".into(),
        format!("monthly cost of stage `{}` (month 1)", sc.start_stage),
        Unit::Dollars,
        plan_total,
        capsim,
        if why.is_empty() {
            "every component matches the plan's table".into()
        } else {
            why.join("; ")
        },
    ))
}

/// The plan's price of component `comp` (index `ci`) next to month 1's bill for it, explained
/// by the median replication's bill lines and warnings.
fn component_price(f: &Facts, ci: usize, comp: &str) -> Option<Comparison> {
    let b = crate::infra::billing_of(f.stage, comp)?;
    let said = b.plan_says?;
    let month = &f.r.months[0];
    let got = month.components[ci].1.mean;
    let mine = |c: &&ComponentBill| c.members.iter().any(|(n, _)| n == comp);
    let bills = &month.example.components;
    let mut lines: Vec<String> = bills
        .iter()
        .filter(mine)
        .flat_map(|c| c.bill.lines.iter().map(|l| l.arithmetic.clone()))
        .collect();
    if let Some(shared) = bills.iter().find(|c| mine(c) && c.members.len() > 1) {
        lines.insert(
            0,
            format!(
                "one {}/{} account shared by {}; this component's share",
                shared.provider, shared.plan, shared.component
            ),
        );
    }
    let warnings: Vec<String> = bills
        .iter()
        .filter(mine)
        .flat_map(|c| c.bill.warnings.clone())
        .collect();
    let mut why = if lines.is_empty() {
        "no priced plan".to_string()
    } else {
        lines.join("; ")
    };
    if !warnings.is_empty() {
        why.push_str(&format!(" — {}", warnings.join("; ")));
    }
    Some(estimate(
        format!("plan.component.{comp}"),
        format!(
            "{comp} ({}/{})",
            b.provider.clone().unwrap_or_default(),
            b.plan.clone().unwrap_or_default()
        ),
        Unit::Dollars,
        said,
        got,
        why,
    ))
}

/// The plan's requests per day (end of horizon) and peak requests per second, next to the
/// traffic model's, with the simulated busy window's rate beside the peak.
fn traffic(f: &Facts) -> Vec<Comparison> {
    let sc = f.sc;
    let ps = &sc.plan_says;
    let why = match &sc.traffic {
        Traffic::Sessions {
            sessions_per_user_per_week,
            requests_per_session,
            ..
        } => format!(
            "{} users × {} sessions/week ÷ 7 days × {} requests/session",
            fmt_count(f.users_end),
            sessions_per_user_per_week,
            requests_per_session
        ),
        Traffic::Open { rate } => format!("{rate}/s × 86,400 s"),
    };
    let mut out = Vec::new();
    if let Some(v) = ps.requests_per_day {
        out.push(estimate(
            "plan.requests_per_day".into(),
            "requests per day (end of horizon)".into(),
            Unit::Count,
            v,
            f.at_end(s::REQ_DAY),
            why.clone(),
        ));
    }
    if let Some(v) = ps.peak_requests_per_second {
        let capsim = sc.traffic.request_rate_at(crate::time::window_of(sc, f.end).0 + 1.0);
        out.push(Comparison {
            simulated: Some(f.r.periods[f.end].series[s::BUSY_RPS]),
            ..estimate(
                "plan.peak_requests_per_second".into(),
                "peak requests per second".into(),
                Unit::PerSecond,
                v,
                capsim,
                format!("{why}, ÷ 86,400 s × peak factor {:.2}", sc.traffic.peak_factor()),
            )
        });
    }
    out
}

/// The plan's database size against the accrued size at the end of the horizon.
fn database_size(f: &Facts) -> Option<Comparison> {
    let v = f.sc.plan_says.database_size?;
    Some(estimate(
        "plan.database_size".into(),
        "database size (end of horizon)".into(),
        Unit::Bytes,
        v,
        f.at_end(s::DB_SIZE),
        storage_why(f.sc, f.users_end),
    ))
}

/// The plan's p95 latency, a target, against the worst busy window's.
fn latency_p95(f: &Facts) -> Option<Comparison> {
    let v = f.sc.plan_says.latency_p95?;
    let capsim = f.worst(s::P95);
    Some(Comparison {
        id: "plan.latency_p95".into(),
        what: "p95 latency (worst busy window)".into(),
        unit: Unit::Seconds,
        kind: PlanFigure::Target,
        plan: v,
        measured: capsim,
        simulated: None,
        ratio: capsim / v,
        why: "simulated: CPU, cache, database, vector and external-call times plus queueing at the peak".into(),
        agrees: capsim <= v,
    })
}

/// The plan's concurrent sessions against the most sessions open at once in any busy window,
/// explained by Little's law.
fn concurrent_sessions(f: &Facts) -> Option<Comparison> {
    let sc = f.sc;
    let v = sc.plan_says.concurrent_sessions?;
    let why = match &sc.traffic {
        Traffic::Sessions {
            requests_per_session,
            think,
            ..
        } => format!(
            "Little's law: session starts at the peak ({:.3}/s) × session length (~{} = {} requests × {} think time)",
            sc.traffic.arrival_rate_at(crate::time::window_of(sc, f.end).0 + 1.0),
            fmt_seconds(requests_per_session * think.mean()),
            requests_per_session,
            fmt_seconds(think.mean())
        ),
        Traffic::Open { .. } => "open arrivals have no sessions".into(),
    };
    Some(estimate(
        "plan.concurrent_sessions".into(),
        "concurrent sessions (busiest moment)".into(),
        Unit::Count,
        v,
        f.worst(s::SESS_MAX),
        why,
    ))
}

/// The plan's registered users against those at the end of the horizon.
fn users(f: &Facts) -> Option<Comparison> {
    let v = f.sc.plan_says.users?;
    Some(estimate(
        "plan.users".into(),
        "registered users (end of horizon)".into(),
        Unit::Count,
        v,
        f.users_end,
        match &f.sc.traffic {
            Traffic::Sessions {
                concurrent_target: Some(c),
                ..
            } => format!("derived from {} concurrent sessions at the peak", fmt_count(*c)),
            _ => "from the scenario's user growth".into(),
        },
    ))
}

/// The plan's vector store memory against Qdrant's sizing rule for the starting stage's
/// vectors (none without a vector store).
fn vector_store_memory(f: &Facts) -> Option<Comparison> {
    let v = f.sc.plan_says.vector_store_size?;
    let vs = f.stage.vector_store.as_ref()?;
    let capsim = vs.vectors * vs.dimensions as f64 * 4.0 * 1.5;
    Some(estimate(
        "plan.vector_store_memory".into(),
        "vector store memory".into(),
        Unit::Bytes,
        v,
        capsim,
        format!(
            "Qdrant's sizing rule: {} vectors × {} dimensions × 4 B × 1.5",
            fmt_count(vs.vectors),
            vs.dimensions
        ),
    ))
}

/// Database size at the end of the horizon, by record kind, in words.
fn storage_why(sc: &Scenario, users_end: f64) -> String {
    let db = &sc.storage.database;
    let mut parts = Vec::new();
    if db.initial_bytes > 0.0 {
        parts.push(format!("initial {}", fmt_bytes(db.initial_bytes)));
    }
    for r in &db.records {
        let mut how = Vec::new();
        if r.per_user > 0.0 {
            how.push(format!("{} per user", fmt_count(r.per_user)));
        }
        if r.per_user_per_day > 0.0 {
            how.push(format!("{} per user per day", r.per_user_per_day));
        }
        for (ti, n) in &r.per_request {
            how.push(format!("{n} per `{}` request", sc.requests[*ti].name));
        }
        if r.per_job > 0.0 {
            how.push(format!("{} per job", r.per_job));
        }
        let ret = r
            .retention
            .map(|t| format!(", kept {}", fmt_seconds(t)))
            .unwrap_or_default();
        parts.push(format!(
            "{}: {} × {}{}",
            r.name,
            how.join(" + "),
            fmt_bytes(r.size_bytes),
            ret
        ));
    }
    format!("{} users; {}", fmt_count(users_end), parts.join("; "))
}
