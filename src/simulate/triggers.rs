//! Scaling triggers in one replication: the value each trigger watches in a period, whether
//! its condition held long enough (sustained periods), whether its action is due (cooldown,
//! once or repeatable), and the action on the stage.

use super::series::pct;
use crate::engine::{PeriodAcc, API, DB, VEC};
use crate::hist::Hist;
use crate::infra::{add_instances, apply_upgrade};
use crate::results::s;
use crate::scenario::{Action, Metric, PeriodLevels, Scenario, Stage, Trigger};

/// Percentile triggers are evaluated only on at least this many observations in a period, so a
/// handful of slow queries in a quiet window does not fire an upgrade.
pub const MIN_PERCENTILE_SAMPLES: u64 = 100;

fn pct_for_trigger(h: &Hist, p: f64) -> f64 {
    if h.len() < MIN_PERCENTILE_SAMPLES {
        f64::NAN
    } else {
        pct(h, p)
    }
}

/// What a trigger reads in one period.
pub struct Observed<'a> {
    /// The period's series.
    pub row: &'a [f64; s::N],
    /// The components and each one's monthly run-rate.
    pub components: &'a [String],
    pub costs: &'a [f64],
    /// The busy window.
    pub acc: &'a PeriodAcc,
    /// Longest scheduled-job run that started in the period, seconds (NaN: none).
    pub longest_scheduled_run: f64,
    /// Longest drain of a batch at the peak in the period, seconds (NaN: none).
    pub batch_drain_peak: f64,
}

/// The value trigger `t` compares with its threshold in one period, on `stage` as it stands
/// (an earlier trigger of the same period may have changed it).
pub fn value(t: &Trigger, o: &Observed, stage: &Stage) -> f64 {
    let Observed {
        row,
        components,
        costs,
        acc,
        longest_scheduled_run,
        batch_drain_peak,
    } = *o;
    if t.metric == Metric::MonthlyCost && !t.components.is_empty() {
        return components
            .iter()
            .zip(costs)
            .filter(|(c, _)| t.components.contains(c))
            .map(|(_, v)| v)
            .sum();
    }
    let pctl = t.percentile;
    match t.metric {
        Metric::DatabaseSize => row[s::DB_SIZE],
        Metric::DatabaseConnections => row[s::DB_CONN],
        Metric::DatabaseUtilization => row[s::DB_UTIL],
        Metric::DatabaseWait => pct_for_trigger(&acc.stations[DB].wait, pctl),
        Metric::ApiCpu => row[s::CPU],
        Metric::ApiUtilization => row[s::API_UTIL],
        Metric::ApiInstances => row[s::INSTANCES],
        Metric::ApiWait => pct_for_trigger(&acc.stations[API].wait, pctl),
        Metric::Latency => pct_for_trigger(&acc.latency, pctl),
        Metric::VectorLatency => pct_for_trigger(&acc.stations[VEC].sojourn, pctl),
        Metric::VectorCapacity => row[s::VEC_CAP],
        Metric::ErrorRate => row[s::ERR],
        Metric::QueueBacklog => row[s::Q_MAX],
        Metric::QueueWait => pct_for_trigger(&acc.jobs.wait, pctl),
        Metric::MonthlyCost => row[s::COST],
        Metric::Users => row[s::USERS],
        Metric::RequestsPerDay => row[s::REQ_DAY],
        Metric::ConcurrentSessions => row[s::SESS_MAX],
        Metric::ObjectStoreSize => row[s::OBJ_SIZE],
        Metric::Kind(d) => {
            let levels = PeriodLevels {
                users: row[s::USERS],
                requests_per_day: row[s::REQ_DAY],
                database_bytes: row[s::DB_SIZE],
                object_store_bytes: row[s::OBJ_SIZE],
                longest_scheduled_run,
                batch_drain_peak,
                client_rejected: row[s::CLIENT_REJ_RATE],
                cache_hit_rate: row[s::CACHE_HIT],
            };
            (d.value)(stage, &levels)
        }
    }
}

/// Where every trigger of a scenario stands in one replication.
#[derive(Debug, Clone)]
pub struct TriggerState {
    /// Consecutive periods the condition has held (since the last firing).
    streak: Vec<u32>,
    /// End of the period of the last firing.
    last_fired: Vec<f64>,
    /// Whether the action ran at least once.
    done_once: Vec<bool>,
    /// Periods in which the condition held.
    pub held: Vec<u32>,
    /// The most extreme value seen (largest for `above`, smallest for `below`; NaN if none).
    pub peak: Vec<f64>,
}

impl TriggerState {
    pub fn new(triggers: usize) -> TriggerState {
        TriggerState {
            streak: vec![0; triggers],
            last_fired: vec![f64::NEG_INFINITY; triggers],
            done_once: vec![false; triggers],
            held: vec![0; triggers],
            peak: vec![f64::NAN; triggers],
        }
    }

    /// Records trigger `ti`'s `value` in the period ending at `end`; true when its action is
    /// due: the condition held for its sustained periods, the cooldown since its last firing
    /// is over, and it has not fired yet unless its action is repeatable. A value that is not
    /// finite (no data) never holds and breaks a streak.
    pub fn observe(&mut self, ti: usize, t: &Trigger, value: f64, end: f64) -> bool {
        if value.is_finite() {
            let p = &mut self.peak[ti];
            *p = if p.is_nan() {
                value
            } else if t.above {
                p.max(value)
            } else {
                p.min(value)
            };
        }
        let holds = value.is_finite()
            && if t.above {
                value > t.threshold
            } else {
                value < t.threshold
            };
        if !holds {
            self.streak[ti] = 0;
            return false;
        }
        self.held[ti] += 1;
        self.streak[ti] += 1;
        if self.streak[ti] < t.sustained_periods || end - self.last_fired[ti] < t.cooldown {
            return false;
        }
        !self.done_once[ti] || repeatable(&t.action)
    }

    /// Runs trigger `ti`'s action on `stage` at `end` and returns what it did, or `None` when a
    /// repeated action had nothing left to do (it is then not a firing). The first attempt is
    /// always a firing, even one that changes nothing (an API already at its maximum).
    pub fn act(&mut self, ti: usize, t: &Trigger, sc: &Scenario, stage: &mut Stage, end: f64) -> Option<String> {
        let effect = match &t.action {
            Action::Flag => "flagged (no change)".to_string(),
            Action::Upgrade(u) => apply_upgrade(stage, u),
            Action::AddInstances { component, count, max } => match add_instances(stage, component, *count, *max) {
                Some(e) => e,
                None if self.done_once[ti] => return None,
                None => format!("{component} already at its maximum of {max}; nothing added"),
            },
            Action::SwitchStage(name) => {
                *stage = sc.stages[name].clone();
                format!("switched to stage `{name}`")
            }
        };
        self.done_once[ti] = true;
        self.last_fired[ti] = end;
        self.streak[ti] = 0;
        Some(effect)
    }
}

/// Whether an action can run again after its first firing (adding instances can; an upgrade,
/// a stage switch or a flag happen once).
pub fn repeatable(a: &Action) -> bool {
    matches!(a, Action::AddInstances { .. })
}

#[cfg(test)]
#[path = "triggers_tests.rs"]
mod tests;
