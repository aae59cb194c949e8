//! Sentences and labels more than one renderer says the same way.

use crate::results::{PeriodSummary, RunResult};
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
