//! Budgets, SLOs and the plan's own figures, checked against the run.
//!
//! Every comparison says by how much capsim and the plan differ and, from the model's own
//! arithmetic, why: a database size is broken down by record kind, a request volume by
//! users × sessions × requests, a bill by component.

use crate::results::{s, Check, CheckVerdict, Checks, Comparison, ComponentBill, Missing, PlanFigure, RunResult};
use crate::scenario::{Scenario, Traffic};
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
    let slos: [Slo; 3] = [
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
            missing,
            verdict,
        });
    }
    out
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
    let mut out = Checks {
        slo: slo_checks(sc, r),
        ..Checks::default()
    };
    let np = r.periods.len();
    let end = np - 1;
    let worst = |k: usize| {
        r.periods
            .iter()
            .map(|p| p.series[k].mean)
            .filter(|v| v.is_finite())
            .fold(f64::NAN, f64::max)
    };

    // Budget: every month's bill, billed whole (mean across replications, P90 quoted).
    if let Some(b) = sc.budget.monthly {
        for m in &r.months {
            out.budget.push(Check {
                id: format!("budget.month_{}.total", m.month),
                what: format!("month {} total", m.month),
                unit: Unit::Dollars,
                limit: b,
                measured: m.total.p90,
                mean: Some(m.total.mean),
                missing: None,
                verdict: within(m.total.p90, b),
            });
        }
    }
    for (comp, limit) in &sc.budget.components {
        if let Some(ci) = r.components.iter().position(|c| c == comp) {
            for m in &r.months {
                let v = m.components[ci].1;
                let rate = v.p90;
                out.budget.push(Check {
                    id: format!("budget.month_{}.component.{comp}", m.month),
                    what: format!("month {} {comp}", m.month),
                    unit: Unit::Dollars,
                    limit: *limit,
                    measured: rate,
                    mean: None,
                    missing: None,
                    verdict: within(rate, *limit),
                });
            }
        }
    }
    // The plan's own figures.
    let ps = &sc.plan_says;
    let stage = &sc.stages[&sc.start_stage];
    let users_end = r.periods[end].series[s::USERS].mean;
    if let Some(plan_total) = ps.monthly_cost.or(stage.plan_says) {
        let capsim = r.months.first().map(|m| m.total.mean).unwrap_or(f64::NAN);
        let mut why: Vec<String> = Vec::new();
        let month = &r.months[0];
        for (ci, comp) in r.components.iter().enumerate() {
            let said = crate::infra::billing_of(stage, comp).and_then(|b| b.plan_says);
            let got = month.components[ci].1.mean;
            if let Some(said) = said {
                if (said - got).abs() >= 0.5 {
                    why.push(format!("{comp}: plan {} vs {}", fmt_money(said), fmt_money(got)));
                }
            } else if got >= 0.5 {
                why.push(format!("{comp}: not in the plan's table, {}", fmt_money(got)));
            }
        }
        out.plan_comparisons.push(estimate(
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
        ));
    }
    // Per component: the plan's price next to the catalog's.
    for (ci, comp) in r.components.iter().enumerate() {
        let Some(b) = crate::infra::billing_of(stage, comp) else {
            continue;
        };
        let Some(said) = b.plan_says else { continue };
        let month = &r.months[0];
        let got = month.components[ci].1.mean;
        let mine = |c: &&ComponentBill| c.members.iter().any(|(n, _)| n == comp);
        let mut lines: Vec<String> = month
            .example
            .components
            .iter()
            .filter(mine)
            .flat_map(|c| c.bill.lines.iter().map(|l| l.arithmetic.clone()))
            .collect();
        if let Some(shared) = month.example.components.iter().find(|c| mine(c) && c.members.len() > 1) {
            lines.insert(
                0,
                format!(
                    "one {}/{} account shared by {}; this component's share",
                    shared.provider, shared.plan, shared.component
                ),
            );
        }
        let warnings: Vec<String> = month
            .example
            .components
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
        out.plan_comparisons.push(estimate(
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
        ));
    }
    let traffic_why = match &sc.traffic {
        Traffic::Sessions {
            sessions_per_user_per_week,
            requests_per_session,
            ..
        } => format!(
            "{} users × {} sessions/week ÷ 7 days × {} requests/session",
            fmt_count(users_end),
            sessions_per_user_per_week,
            requests_per_session
        ),
        Traffic::Open { rate } => format!("{rate}/s × 86,400 s"),
    };
    if let Some(v) = ps.requests_per_day {
        let capsim = r.periods[end].series[s::REQ_DAY].mean;
        out.plan_comparisons.push(estimate(
            "plan.requests_per_day".into(),
            "requests per day (end of horizon)".into(),
            Unit::Count,
            v,
            capsim,
            traffic_why.clone(),
        ));
    }
    if let Some(v) = ps.peak_requests_per_second {
        let capsim = sc.traffic.request_rate_at(crate::time::window_of(sc, end).0 + 1.0);
        let sim = r.periods[end].series[s::BUSY_RPS];
        out.plan_comparisons.push(Comparison {
            simulated: Some(sim),
            ..estimate(
                "plan.peak_requests_per_second".into(),
                "peak requests per second".into(),
                Unit::PerSecond,
                v,
                capsim,
                format!(
                    "{traffic_why}, ÷ 86,400 s × peak factor {:.2}",
                    sc.traffic.peak_factor()
                ),
            )
        });
    }
    if let Some(v) = ps.database_size {
        let capsim = r.periods[end].series[s::DB_SIZE].mean;
        out.plan_comparisons.push(estimate(
            "plan.database_size".into(),
            "database size (end of horizon)".into(),
            Unit::Bytes,
            v,
            capsim,
            storage_why(sc, users_end),
        ));
    }
    if let Some(v) = ps.latency_p95 {
        let capsim = worst(s::P95);
        out.plan_comparisons.push(Comparison {
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
        });
    }
    if let Some(v) = ps.concurrent_sessions {
        let capsim = worst(s::SESS_MAX);
        let why = match &sc.traffic {
            Traffic::Sessions { requests_per_session, think, .. } => format!(
                "Little's law: session starts at the peak ({:.3}/s) × session length (~{} = {} requests × {} think time)",
                sc.traffic.arrival_rate_at(crate::time::window_of(sc, end).0 + 1.0),
                fmt_seconds(requests_per_session * think.mean()),
                requests_per_session,
                fmt_seconds(think.mean())
            ),
            Traffic::Open { .. } => "open arrivals have no sessions".into(),
        };
        out.plan_comparisons.push(estimate(
            "plan.concurrent_sessions".into(),
            "concurrent sessions (busiest moment)".into(),
            Unit::Count,
            v,
            capsim,
            why,
        ));
    }
    if let Some(v) = ps.users {
        out.plan_comparisons.push(estimate(
            "plan.users".into(),
            "registered users (end of horizon)".into(),
            Unit::Count,
            v,
            users_end,
            match &sc.traffic {
                Traffic::Sessions {
                    concurrent_target: Some(c),
                    ..
                } => format!("derived from {} concurrent sessions at the peak", fmt_count(*c)),
                _ => "from the scenario's user growth".into(),
            },
        ));
    }
    if let Some(v) = ps.vector_store_size {
        if let Some(vs) = &stage.vector_store {
            let capsim = vs.vectors * vs.dimensions as f64 * 4.0 * 1.5;
            out.plan_comparisons.push(estimate(
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
            ));
        }
    }
    out
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
