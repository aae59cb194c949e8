//! The replicas an autoscaled set runs over a whole report period, from what its busy window
//! measured (the rule and its extension: `crate::autoscale`).
//!
//! - `full` mode: the period is simulated, so its own time-averaged replicas (∫ replicas dt
//!   over the period, / its length).
//! - `peak_window` mode: the window's time-averaged replicas, extended to every hour of the
//!   period in proportion to that hour's request rate, within `min..=max`
//!   ([`crate::autoscale::period_average`]).
//! - A period in the warm-up of a `full` run: `min`; one the run could not simulate (it
//!   stopped as unstable, arrivals outgrew capacity): `max`, what the rule runs at overload.

use crate::engine::PeriodAcc;
use crate::scenario::{Scenario, SimMode, Stage};
use crate::window::PeriodStatus;

/// Per set (API instances, queue workers), the time-averaged replicas of period `p` = [a, b);
/// `None` for a set that is not autoscaled.
pub fn period_replicas(
    sc: &Scenario,
    stage: &Stage,
    acc: &PeriodAcc,
    status: PeriodStatus,
    p: usize,
    (a, b): (f64, f64),
) -> [Option<f64>; 2] {
    let rules = [stage.api.autoscale, stage.queue.as_ref().and_then(|q| q.autoscale)];
    std::array::from_fn(|set| {
        let rule = rules[set]?;
        let avg = match status {
            PeriodStatus::Simulated => acc.mean_replicas(set, acc.measured),
            PeriodStatus::WarmUp => return Some(rule.min as f64),
            PeriodStatus::NotSimulated => return Some(rule.max as f64),
        };
        let avg = avg.unwrap_or(rule.min as f64);
        Some(match sc.sim.mode {
            SimMode::Full { .. } => rule.clamp(avg),
            SimMode::PeakWindow { .. } => {
                let (t0, len) = crate::time::window_of(sc, p);
                let rate = |t: f64| sc.traffic.request_rate_at(t);
                let window_rate = crate::time::integrate(t0, t0 + len, rate) / len.max(1e-9);
                crate::autoscale::period_average(&rule, avg, window_rate, a, b, &rate)
            }
        })
    })
}
