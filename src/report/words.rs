//! Sentences and labels more than one renderer says the same way.

use crate::results::{PeriodSummary, PlanFigure, RunResult};
use crate::units::Unit;

/// The unit of a trigger's metric, by the metric's name.
pub fn trigger_kind(metric: &str) -> Unit {
    crate::scenario::Metric::ALL
        .iter()
        .find(|m| m.0 == metric)
        .map(|m| m.2)
        .unwrap_or(Unit::Count)
}

/// What a period with no simulated figure is: after an unstable stop, or in `full` mode's warm-up.
pub fn not_simulated(p: &PeriodSummary) -> &'static str {
    if p.stopped > 0 {
        "not simulated"
    } else {
        "warm-up, not measured"
    }
}

/// `2 warnings at the job queue and API workers`.
pub fn overload_count(r: &RunResult) -> String {
    let mut names: Vec<&str> = Vec::new();
    for w in &r.overload {
        let name = crate::overload::STATIONS
            .iter()
            .find(|s| s.0 == w.station)
            .map_or(w.station.as_str(), |s| s.1);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    format!(
        "{} at the {}",
        if r.overload.len() == 1 {
            "1 warning".to_string()
        } else {
            format!("{} warnings", r.overload.len())
        },
        names.join(", ")
    )
}

/// Why a trigger never had a value to compare.
pub fn no_data(metric: &str) -> String {
    let pct = crate::scenario::Metric::ALL
        .iter()
        .any(|m| m.0 == metric && m.1.takes_percentile());
    if pct {
        format!(
            "not evaluated (fewer than {} observations in every busy window)",
            crate::simulate::MIN_PERCENTILE_SAMPLES
        )
    } else {
        "no data (the plan states no capacity for it, or the component is absent)".into()
    }
}

/// `1 replication`, `8 replications`.
pub fn replications(n: u32) -> String {
    if n == 1 {
        "1 replication".into()
    } else {
        format!("{n} replications")
    }
}

/// What the stations table says about how waits, blocking and agreement are measured.
pub fn stations_preamble(r: &RunResult) -> String {
    let test = if r.stations.iter().any(|s| s.sim_wait.n >= 2) {
        "\"Agrees\" means theory's wait, and its blocking where the waiting room is finite, lie inside \
         the simulation's 95% confidence interval (or within 0.1 ms and 0.01 points of its mean)."
    } else {
        "1 replication: no interval, no agreement test."
    };
    format!(
        "Busiest period of the horizon. Theory uses the simulated arrival rate (every arrival) and \
         service-time moments. Waits and P(wait) are per admitted request: arrivals turned away \
         because every server was busy and the waiting room full are left out (with no limit on \
         waiting, every arrival is admitted); \"blocked\" is the share of all arrivals turned away. {test}"
    )
}

/// Stations whose requests gave up waiting, which none of the models allows.
pub fn timeout_notes(r: &RunResult) -> Vec<String> {
    r.stations
        .iter()
        .filter(|s| s.sim_p_timeout.mean > 0.0)
        .map(|s| {
            format!(
                "{}: {:.2}% of admitted requests gave up waiting (timeout). They count with the time \
                 they waited; no model here lets a request leave the queue, so the simulated wait \
                 is expected below theory's.",
                s.station,
                s.sim_p_timeout.mean * 100.0
            )
        })
        .collect()
}

/// `1 day`, `2 days`: a count and its noun, singular for exactly one.
pub fn plural(n: f64, one: &str, many: &str) -> String {
    let noun = if n == 1.0 { one } else { many };
    format!("{} {noun}", super::fmt::trim(n))
}

/// How far off a plan's figure must be (a ratio) for the warnings at the top of a report.
pub const FAR_OFF: f64 = 2.0;

/// What changes the meaning of the numbers, one sentence each, for the box at the top of
/// `report.html` and the `Warnings` of the terminal summary: an unstable stop, a bill line
/// over a hard cap or without a price, a trigger that cannot fire, the plan's figures far off.
/// Overload has a box of its own ([`super::overload_box`]).
pub fn warnings(r: &RunResult) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(u) = &r.instability {
        out.push(format!(
            "Unstable in {} of {}: {}. Figures after that point describe a system that cannot keep up.",
            u.replications,
            replications(r.scenario.replications),
            u.message
        ));
    }
    out.extend(bill_warnings(r));
    out.extend(crate::sched::summary::warnings(&r.jobs));
    for (i, t) in r.triggers.iter().enumerate() {
        let tag = format!("`triggers[{i}]");
        if let Some(n) = r.notes.iter().find(|n| n.contains(&tag)) {
            // The note without its `Scenario warning, `field`:` lead.
            let why = n.split_once("`: ").map_or(n.as_str(), |(_, why)| why);
            out.push(format!("Trigger \"{}\" cannot fire: {why}.", t.name));
        } else if t.fired_in == 0 && t.peak_value.is_none() {
            out.push(format!(
                "Trigger \"{}\" never had a value to compare: {}.",
                t.name,
                no_data(&t.condition.metric)
            ));
        }
    }
    let far: Vec<String> = r
        .checks
        .plan_comparisons
        .iter()
        .filter(|c| c.kind == PlanFigure::Estimate && !c.agrees && far_off(c.plan, c.measured))
        .map(|c| format!("{} ({})", c.what, super::fmt::fmt_difference(c)))
        .collect();
    if !far.is_empty() {
        out.push(format!(
            "{} of the plan's figures {} off by {}× or more: {}.",
            far.len(),
            if far.len() == 1 { "is" } else { "are" },
            super::fmt::trim(FAR_OFF),
            far.join("; ")
        ));
    }
    out
}

/// Whether capsim's figure is `FAR_OFF` times the plan's or more, either way.
fn far_off(plan: f64, measured: f64) -> bool {
    if plan == 0.0 || measured == 0.0 {
        return plan != measured;
    }
    let ratio = measured / plan;
    ratio >= FAR_OFF || ratio <= 1.0 / FAR_OFF
}

/// The bills' warnings (over a hard cap, no published price), each once, with the months it holds in.
fn bill_warnings(r: &RunResult) -> Vec<String> {
    let mut seen: Vec<(String, Vec<usize>)> = Vec::new();
    for m in &r.months {
        for cb in &m.example.components {
            for w in &cb.bill.warnings {
                let text = format!("{}: {w}", cb.component);
                match seen.iter_mut().find(|s| s.0 == text) {
                    Some(s) => s.1.push(m.month),
                    None => seen.push((text, vec![m.month])),
                }
            }
        }
    }
    seen.into_iter()
        .map(|(text, months)| {
            let list: Vec<String> = months.iter().map(usize::to_string).collect();
            let when = if months.len() == 1 { "month" } else { "months" };
            format!("Bill ({when} {}, median replication): {text}.", list.join(", "))
        })
        .collect()
}

/// One sentence per component of month 1's bill (median replication) whose users' own keys
/// pay its calls (a bring-your-own-key line): why its cost is $0, the calls counted and the
/// list cost avoided, which no total includes.
pub fn byok_sentences(r: &RunResult) -> Vec<String> {
    let Some(m) = r.months.first() else {
        return Vec::new();
    };
    m.example
        .components
        .iter()
        .flat_map(|cb| {
            cb.bill
                .lines
                .iter()
                .filter(|l| l.kind == crate::pricing::LineKind::Byok)
                .map(move |l| {
                    format!(
                        "{}: bring your own key. Its {} calls of month {} are paid by the users' own keys and billed $0; \
                         at {}/{}'s list rates they would cost {} (avoided, in no total).",
                        cb.component,
                        crate::units::fmt_count(l.usage),
                        m.month,
                        cb.provider,
                        cb.plan,
                        crate::units::fmt_money(l.avoided)
                    )
                })
        })
        .collect()
}
