//! Budgets, SLOs and the plan's own figures, checked against the run.
//!
//! Every comparison says by how much capsim and the plan differ and, from the model's own
//! arithmetic, why: a database size is broken down by record kind, a request volume by
//! users × sessions × requests, a bill by component.

use crate::results::{Check, Checks, Comparison, RunResult};
use crate::scenario::{Scenario, Traffic};
use crate::simulate::s;
use crate::units::{fmt_bytes, fmt_count, fmt_money, fmt_seconds};

fn difference(plan: f64, capsim: f64) -> (String, bool) {
    if plan == 0.0 && capsim == 0.0 {
        return ("same".into(), true);
    }
    if plan == 0.0 {
        return ("plan says zero".into(), false);
    }
    let ratio = capsim / plan;
    let agrees = (ratio - 1.0).abs() <= 0.10;
    let text = if ratio >= 2.0 {
        format!("capsim {ratio:.1}× higher")
    } else if ratio <= 0.5 && ratio > 0.0 {
        format!("capsim {:.1}× lower", 1.0 / ratio)
    } else {
        format!("{:+.0}%", (ratio - 1.0) * 100.0)
    };
    (text, agrees)
}

/// SLOs: the worst busy window's figure among those with data. With no data in any (no
/// request completed, or none arrived) the objective is not evaluated, never met.
fn slo_checks(sc: &Scenario, r: &RunResult) -> Vec<Check> {
    let mut out = Vec::new();
    type Slo<'a> = (Option<f64>, usize, &'a str, fn(f64) -> String, &'a str);
    let slos: [Slo; 3] = [
        (
            sc.slo.latency_p95,
            s::P95,
            "p95 latency, worst busy window",
            fmt_seconds,
            "no request completed",
        ),
        (
            sc.slo.latency_p99,
            s::P99,
            "p99 latency, worst busy window",
            fmt_seconds,
            "no request completed",
        ),
        (
            sc.slo.error_rate,
            s::ERR,
            "error rate, worst busy window",
            |x| format!("{:.3}%", x * 100.0),
            "no request arrived",
        ),
    ];
    let np = r.periods.len();
    for (limit, series, what, fmt, none) in slos {
        let Some(t) = limit else { continue };
        let values: Vec<f64> = r
            .periods
            .iter()
            .map(|p| p.series[series].mean)
            .filter(|v| v.is_finite())
            .collect();
        let check = if values.is_empty() {
            Check {
                what: what.into(),
                limit: fmt(t),
                value: format!("not evaluated: {none} in any busy window"),
                ok: false,
                evaluated: false,
            }
        } else {
            let v = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mut value = fmt(v);
            if values.len() < np {
                value.push_str(&format!(" ({none} in {} of {np} busy windows)", np - values.len()));
            }
            Check {
                what: what.into(),
                limit: fmt(t),
                value,
                ok: v <= t,
                evaluated: true,
            }
        };
        out.push(check);
    }
    out
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
                what: format!("month {} total", m.month),
                limit: fmt_money(b),
                value: format!("{} (P90 {})", fmt_money(m.total.mean), fmt_money(m.total.p90)),
                ok: m.total.p90 <= b + 1e-9,
                evaluated: true,
            });
        }
    }
    for (comp, limit) in &sc.budget.components {
        if let Some(ci) = r.components.iter().position(|c| c == comp) {
            for m in &r.months {
                let v = m.components[ci].1;
                let rate = v.p90;
                out.budget.push(Check {
                    what: format!("month {} {comp}", m.month),
                    limit: fmt_money(*limit),
                    value: fmt_money(rate),
                    ok: rate <= limit + 1e-9,
                    evaluated: true,
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
        let (d, ok) = difference(plan_total, capsim);
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
        out.plan_comparisons.push(Comparison {
            what: format!("monthly cost of stage `{}` (month 1)", sc.start_stage),
            plan: fmt_money(plan_total),
            capsim: fmt_money(capsim),
            difference: d,
            why: if why.is_empty() {
                "every component matches the plan's table".into()
            } else {
                why.join("; ")
            },
            agrees: ok,
        });
    }
    // Per component: the plan's price next to the catalog's.
    for (ci, comp) in r.components.iter().enumerate() {
        let Some(b) = crate::infra::billing_of(stage, comp) else {
            continue;
        };
        let Some(said) = b.plan_says else { continue };
        let month = &r.months[0];
        let got = month.components[ci].1.mean;
        let (d, ok) = difference(said, got);
        let mine = |c: &&crate::simulate::ComponentBill| c.members.iter().any(|(n, _)| n == comp);
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
        out.plan_comparisons.push(Comparison {
            what: format!(
                "{comp} ({}/{})",
                b.provider.clone().unwrap_or_default(),
                b.plan.clone().unwrap_or_default()
            ),
            plan: fmt_money(said),
            capsim: fmt_money(got),
            difference: d,
            why,
            agrees: ok,
        });
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
        let (d, ok) = difference(v, capsim);
        out.plan_comparisons.push(Comparison {
            what: "requests per day (end of horizon)".into(),
            plan: fmt_count(v),
            capsim: fmt_count(capsim),
            difference: d,
            why: traffic_why.clone(),
            agrees: ok,
        });
    }
    if let Some(v) = ps.peak_requests_per_second {
        let capsim = sc.traffic.request_rate_at(crate::time::window_of(sc, end).0 + 1.0);
        let sim = r.periods[end].series[s::BUSY_RPS];
        let (d, ok) = difference(v, capsim);
        out.plan_comparisons.push(Comparison {
            what: "peak requests per second".into(),
            plan: format!("{v:.2}/s"),
            capsim: if sim.ci95.is_finite() {
                format!(
                    "{capsim:.2}/s (simulated busy window {:.2} ± {:.2}/s)",
                    sim.mean, sim.ci95
                )
            } else {
                // One replication: no interval.
                format!("{capsim:.2}/s (simulated busy window {:.2}/s)", sim.mean)
            },
            difference: d,
            why: format!(
                "{traffic_why}, ÷ 86,400 s × peak factor {:.2}",
                sc.traffic.peak_factor()
            ),
            agrees: ok,
        });
    }
    if let Some(v) = ps.database_size {
        let capsim = r.periods[end].series[s::DB_SIZE].mean;
        let (d, ok) = difference(v, capsim);
        out.plan_comparisons.push(Comparison {
            what: "database size (end of horizon)".into(),
            plan: fmt_bytes(v),
            capsim: fmt_bytes(capsim),
            difference: d,
            why: storage_why(sc, users_end),
            agrees: ok,
        });
    }
    if let Some(v) = ps.latency_p95 {
        let capsim = worst(s::P95);
        out.plan_comparisons.push(Comparison {
            what: "p95 latency (worst busy window)".into(),
            plan: format!("< {}", fmt_seconds(v)),
            capsim: fmt_seconds(capsim),
            difference: if capsim <= v {
                "within the plan's target".into()
            } else {
                format!("{:.1}× the target", capsim / v)
            },
            why: "simulated: CPU, cache, database, vector and external-call times plus queueing at the peak".into(),
            agrees: capsim <= v,
        });
    }
    if let Some(v) = ps.concurrent_sessions {
        let capsim = worst(s::SESS_MAX);
        let (d, ok) = difference(v, capsim);
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
        out.plan_comparisons.push(Comparison {
            what: "concurrent sessions (busiest moment)".into(),
            plan: fmt_count(v),
            capsim: fmt_count(capsim),
            difference: d,
            why,
            agrees: ok,
        });
    }
    if let Some(v) = ps.users {
        let (d, ok) = difference(v, users_end);
        out.plan_comparisons.push(Comparison {
            what: "registered users (end of horizon)".into(),
            plan: fmt_count(v),
            capsim: fmt_count(users_end),
            difference: d,
            why: match &sc.traffic {
                Traffic::Sessions {
                    concurrent_target: Some(c),
                    ..
                } => format!("derived from {} concurrent sessions at the peak", fmt_count(*c)),
                _ => "from the scenario's user growth".into(),
            },
            agrees: ok,
        });
    }
    if let Some(v) = ps.vector_store_size {
        if let Some(vs) = &stage.vector_store {
            let capsim = vs.vectors * vs.dimensions as f64 * 4.0 * 1.5;
            let (d, ok) = difference(v, capsim);
            out.plan_comparisons.push(Comparison {
                what: "vector store memory".into(),
                plan: fmt_bytes(v),
                capsim: fmt_bytes(capsim),
                difference: d,
                why: format!(
                    "Qdrant's sizing rule: {} vectors × {} dimensions × 4 B × 1.5",
                    fmt_count(vs.vectors),
                    vs.dimensions
                ),
                agrees: ok,
            });
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
