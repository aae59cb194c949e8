//! Autoscaled replica sets: the control law, kept apart from the engine that runs it.
//!
//! An API (`api.autoscale`) or a queue's workers (`queue.autoscale`) run between `min` and
//! `max` replicas. Every `interval` of simulated time the engine measures the set's metric over
//! the interval just ended and asks [`Autoscale::decide`] for the replicas wanted:
//!
//! - `cpu` (API): the share of the API's cores busy over the interval, held at `target`
//!   (Kubernetes' HPA rule: wanted = ⌈replicas × measured / target⌉);
//! - `job_wait` (queue): the mean wait of the jobs started in the interval (or, if none started,
//!   the age of the oldest waiting job), held at `target` by the same rule;
//! - `backlog` (queue): jobs in the queue (waiting + running) per worker, as KEDA's BullMQ
//!   scaler counts them: wanted = ⌈jobs / target⌉.
//!
//! A decision moves at most `step` replicas, stays within `min..=max`, and takes effect `delay`
//! later (an instance booting, or stopping); the next decision comes no sooner than `cooldown`
//! after it took effect. A removed replica stops taking work and finishes what it holds (its
//! busy servers drain; the bill counts it from the moment it stops taking work).
//!
//! A busy window is simulated, not the whole period, so [`period_average`] extends the
//! window's time-averaged replicas to every hour of the period in proportion to that hour's
//! load (the control law holds the metric per replica near its target, so replicas follow the
//! load), within `min..=max`. In `full` mode the whole period is simulated and its own average
//! is billed.

/// What a replica set scales on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleMetric {
    /// API: share of cores busy (target a fraction, 0.7 for 70 %).
    Cpu,
    /// Queue: jobs waiting or running per worker (target a count).
    Backlog,
    /// Queue: mean wait for a worker slot (target seconds).
    JobWait,
}

impl ScaleMetric {
    /// Its name in a scenario.
    pub fn name(self) -> &'static str {
        match self {
            ScaleMetric::Cpu => "cpu",
            ScaleMetric::Backlog => "backlog",
            ScaleMetric::JobWait => "job_wait",
        }
    }
}

/// A replica set's autoscaling rule, as validated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Autoscale {
    /// Fewest replicas (count ≥ 1); a window starts with this many.
    pub min: u32,
    /// Most replicas (count ≥ `min`).
    pub max: u32,
    pub metric: ScaleMetric,
    /// The metric's target, in its unit (a fraction, a count of jobs per worker, seconds).
    pub target: f64,
    /// Seconds of simulated time between evaluations.
    pub interval: f64,
    /// Seconds after a change took effect before the next decision.
    pub cooldown: f64,
    /// Seconds from a decision to its replicas running (or stopped).
    pub delay: f64,
    /// Most replicas one decision adds or removes (count ≥ 1).
    pub step: u32,
}

impl Autoscale {
    /// The replicas wanted with `current` running, having measured `value` (the metric over
    /// the last interval; for `backlog`, the jobs in the queue now).
    pub fn decide(&self, current: u32, value: f64) -> u32 {
        let cur = current as f64;
        let raw = match self.metric {
            ScaleMetric::Cpu | ScaleMetric::JobWait => cur * value / self.target,
            ScaleMetric::Backlog => value / self.target,
        };
        // Within 1e-9 of a whole number counts as it: 3 × 0.7 / 0.7 is 3, not 4.
        let wanted = if raw.is_finite() {
            (raw - 1e-9).ceil().max(0.0)
        } else {
            self.max as f64
        };
        let lo = current.saturating_sub(self.step).max(self.min) as f64;
        let hi = current.saturating_add(self.step).min(self.max) as f64;
        wanted.clamp(lo.min(hi), hi) as u32
    }

    /// Clamps a replica count to `min..=max`.
    pub fn clamp(&self, r: f64) -> f64 {
        r.clamp(self.min as f64, self.max as f64)
    }
}

/// The time-averaged replicas over a period [a, b) from its busy window: `window_avg` measured
/// while the request rate was `window_rate`; every hour of the period runs
/// `clamp(window_avg × rate(hour) / window_rate)`, the hour's rate taken at its middle.
/// With no load in the window, the period runs what the window ran.
pub fn period_average(
    rule: &Autoscale,
    window_avg: f64,
    window_rate: f64,
    a: f64,
    b: f64,
    rate_at: &dyn Fn(f64) -> f64,
) -> f64 {
    if window_rate.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) || b <= a || rule.min == rule.max {
        return rule.clamp(window_avg);
    }
    let mut t = a;
    let mut area = 0.0;
    while t < b {
        let end = ((t / 3600.0).floor() + 1.0) * 3600.0;
        let end = end.min(b);
        let r = rate_at((t + end) / 2.0);
        area += rule.clamp(window_avg * r / window_rate) * (end - t);
        t = end;
    }
    area / (b - a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(metric: ScaleMetric, target: f64) -> Autoscale {
        Autoscale {
            min: 2,
            max: 10,
            metric,
            target,
            interval: 60.0,
            cooldown: 300.0,
            delay: 60.0,
            step: 3,
        }
    }

    #[test]
    fn decisions_stay_within_min_max_and_step() {
        for metric in [ScaleMetric::Cpu, ScaleMetric::Backlog, ScaleMetric::JobWait] {
            let r = rule(metric, 0.7);
            for cur in r.min..=r.max {
                for v in [0.0, 0.01, 0.3, 0.7, 0.71, 1.0, 5.0, 1e9, f64::INFINITY] {
                    let d = r.decide(cur, v);
                    assert!(d >= r.min && d <= r.max, "{metric:?} {cur} {v} → {d}");
                    assert!(d.abs_diff(cur) <= r.step, "{metric:?} {cur} {v} → {d}");
                }
            }
        }
    }

    #[test]
    fn at_the_target_nothing_changes_and_the_rule_is_proportional() {
        let r = rule(ScaleMetric::Cpu, 0.7);
        assert_eq!(r.decide(3, 0.7), 3);
        assert_eq!(r.decide(4, 0.9), 6); // ⌈4 × 0.9 / 0.7⌉ = ⌈5.14⌉
        assert_eq!(r.decide(6, 0.2), 3); // ⌈6 × 0.2 / 0.7⌉ = ⌈1.71⌉ = 2, one step of 3 → 3
        let b = rule(ScaleMetric::Backlog, 4.0);
        assert_eq!(b.decide(2, 20.0), 5);
        assert_eq!(b.decide(5, 0.0), 2);
    }

    #[test]
    fn the_period_average_follows_the_load_within_min_and_max() {
        let r = rule(ScaleMetric::Cpu, 0.7);
        // Flat load: the window's average all day.
        let flat = period_average(&r, 4.5, 10.0, 0.0, 86400.0, &|_| 10.0);
        assert!((flat - 4.5).abs() < 1e-12);
        // Half the day at a tenth of the window's load: min there.
        let half = period_average(&r, 6.0, 10.0, 0.0, 86400.0, &|t| if t < 43200.0 { 1.0 } else { 10.0 });
        assert!((half - (2.0 + 6.0) / 2.0).abs() < 1e-12, "{half}");
        // Never above max.
        assert!(period_average(&r, 10.0, 1.0, 0.0, 7200.0, &|_| 50.0) <= 10.0);
    }
}

#[cfg(test)]
#[path = "autoscale_tests.rs"]
mod run_tests;
