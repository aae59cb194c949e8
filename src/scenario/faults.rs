//! Faults and recovery as a scenario states them: `faults:` (a component down or degraded
//! from a time for a duration), `health:` (what the system does while a component is down)
//! and `job_retry:` (what a background job does while a component it needs is down).
//!
//! ```yaml
//! faults:
//!   - {component: database, at: "day 3 19:30", for: 20m}            # mode: down (the default)
//!   - {component: cache, at: "day 5 20:00", for: 1h, mode: degraded, slowdown: 5x}
//! health:                 # while a component is down, requests needing it…
//!   database: down        # …fail: the system is down
//!   external.llm: down
//!   cache: degraded       # …bypass it: every cache lookup misses and goes to the database
//! job_retry: {needs: [database, external.llm], attempts: 3, backoff: 30s}
//! ```
//!
//! Times are `day N HH:MM` (day 1 is the first day of the horizon); a fault must end within
//! the horizon. This module imports nothing of the scenario's other modules (validation hands
//! it the component names and reports its errors), so it sits at the bottom with the model.

use crate::units::Seconds;
use serde::Deserialize;
use std::collections::BTreeMap;

/// What a request needing a component does while that component is down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// It fails; the system's status is down.
    Down,
    /// It goes on without the component (a cache lookup misses, a call or query is skipped);
    /// the status is degraded.
    Degraded,
}

/// How a faulty component misbehaves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mode {
    /// Unreachable: its [`Rule`] applies.
    Down,
    /// Reachable but slower: its service times (query, lookup, call latency, job time) are
    /// multiplied by `slowdown` (≥ 1).
    Degraded { slowdown: f64 },
}

/// A component a fault or rule names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    Database,
    Cache,
    VectorStore,
    /// An `external:` service by name.
    External(String),
}

impl Target {
    /// As a scenario writes it (`database`, `external.llm`).
    pub fn name(&self) -> String {
        match self {
            Target::Database => "database".into(),
            Target::Cache => "cache".into(),
            Target::VectorStore => "vector_store".into(),
            Target::External(n) => format!("external.{n}"),
        }
    }
}

/// One fault: `target` in `mode` over [start, start + length), seconds from the horizon's start.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub target: Target,
    pub start: f64,
    pub length: f64,
    pub mode: Mode,
}

impl Fault {
    pub fn end(&self) -> f64 {
        self.start + self.length
    }
}

/// What a background job does when a component it needs is down (BullMQ's `attempts` and a
/// fixed `backoff`): the attempt fails at once without holding a worker slot, the job waits
/// `backoff` and is tried again, and after `attempts` failed attempts it is lost.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRetry {
    pub needs: Vec<Target>,
    /// Attempts in all (≥ 1).
    pub attempts: u32,
    /// Seconds between attempts.
    pub backoff: f64,
}

impl Default for JobRetry {
    fn default() -> Self {
        JobRetry {
            needs: Vec::new(),
            attempts: 3,
            backoff: 30.0,
        }
    }
}

/// A scenario's faults, health rules and job retry policy.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultPlan {
    pub faults: Vec<Fault>,
    pub health: BTreeMap<Target, Rule>,
    pub job_retry: JobRetry,
}

impl FaultPlan {
    /// The rule of a component with none is [`Rule::Down`] (validation requires one for every
    /// component a `down` fault names).
    pub fn rule(&self, t: &Target) -> Rule {
        self.health.get(t).copied().unwrap_or(Rule::Down)
    }

    /// Seconds during which the system's status is down (a `down` fault of a component whose
    /// rule is down), overlapping faults counted once.
    pub fn down_time(&self) -> f64 {
        union_length(
            self.faults
                .iter()
                .filter(|f| f.mode == Mode::Down && self.rule(&f.target) == Rule::Down),
        )
    }

    /// Seconds during which the status is degraded and not down.
    pub fn degraded_time(&self) -> f64 {
        union_length(self.faults.iter()) - self.down_time()
    }

    /// 1 − down time / `horizon`.
    pub fn availability(&self, horizon: f64) -> f64 {
        1.0 - self.down_time() / horizon
    }
}

/// The length of the union of the faults' intervals.
fn union_length<'a>(faults: impl Iterator<Item = &'a Fault>) -> f64 {
    let mut iv: Vec<(f64, f64)> = faults.map(|f| (f.start, f.end())).collect();
    iv.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut total, mut cur): (f64, Option<(f64, f64)>) = (0.0, None);
    for (a, b) in iv {
        cur = match cur {
            Some((s, e)) if a <= e => Some((s, e.max(b))),
            Some((s, e)) => {
                total += e - s;
                Some((a, b))
            }
            None => Some((a, b)),
        };
    }
    total + cur.map_or(0.0, |(s, e)| e - s)
}

/// A fault as written.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFault {
    pub component: String,
    /// `day N HH:MM`.
    pub at: String,
    #[serde(rename = "for")]
    pub length: Seconds,
    #[serde(default)]
    pub mode: Option<String>,
    /// `5x` or `5`.
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Value>")]
    pub slowdown: Option<serde_yaml::Value>,
}

/// `job_retry:` as written.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawJobRetry {
    #[serde(default)]
    pub needs: Vec<String>,
    #[serde(default)]
    pub attempts: Option<u32>,
    #[serde(default)]
    pub backoff: Option<Seconds>,
}

/// What validation knows of the scenario that faults are checked against.
pub struct Scope<'a> {
    pub horizon: f64,
    /// Every component a fault or rule may name, as written (`database`, `external.llm`).
    pub components: &'a [String],
}

/// Validates `faults:`, `health:` and `job_retry:`; every problem goes to `err(field, reason)`.
pub fn parse(
    faults: &[RawFault],
    health: &BTreeMap<String, String>,
    retry: Option<&RawJobRetry>,
    scope: &Scope,
    err: &mut dyn FnMut(&str, String),
) -> FaultPlan {
    let mut plan = FaultPlan::default();
    for (k, v) in health {
        let Some(t) = target(k, scope, &format!("health.{k}"), err) else {
            continue;
        };
        let rule = match v.as_str() {
            "down" => Rule::Down,
            "degraded" => Rule::Degraded,
            _ => {
                err(
                    &format!("health.{k}"),
                    format!("expected `down` or `degraded`, found `{v}`"),
                );
                continue;
            }
        };
        plan.health.insert(t, rule);
    }
    for (i, f) in faults.iter().enumerate() {
        if let Some(f) = fault(f, &format!("faults[{i}]"), scope, &plan, err) {
            plan.faults.push(f);
        }
    }
    if let Some(r) = retry {
        for (i, n) in r.needs.iter().enumerate() {
            if let Some(t) = target(n, scope, &format!("job_retry.needs[{i}]"), err) {
                plan.job_retry.needs.push(t);
            }
        }
        if let Some(a) = r.attempts {
            if !(1..=1000).contains(&a) {
                err(
                    "job_retry.attempts",
                    format!("expected a whole number from 1 to 1000, found {a}"),
                );
            }
            plan.job_retry.attempts = a.clamp(1, 1000);
        }
        if let Some(b) = r.backoff {
            if !(b.0 > 0.0 && b.0 <= 86_400.0) {
                err(
                    "job_retry.backoff",
                    format!("expected a duration from 1ms to 1d, found {}s", b.0),
                );
            } else {
                plan.job_retry.backoff = b.0;
            }
        }
    }
    plan
}

fn fault(f: &RawFault, at: &str, scope: &Scope, plan: &FaultPlan, err: &mut dyn FnMut(&str, String)) -> Option<Fault> {
    let t = target(&f.component, scope, &format!("{at}.component"), err);
    let start = match parse_time(&f.at) {
        Ok(s) => Some(s),
        Err(e) => {
            err(&format!("{at}.at"), e);
            None
        }
    };
    let length = f.length.0;
    if !length.is_finite() || length < 0.0 {
        err(
            &format!("{at}.for"),
            format!("expected a duration ≥ 0, found {length}s"),
        );
        return None;
    }
    let mode = match (f.mode.as_deref().unwrap_or("down"), &f.slowdown) {
        ("down", None) => Mode::Down,
        ("down", Some(_)) => {
            err(&format!("{at}.slowdown"), "a slowdown needs `mode: degraded`".into());
            return None;
        }
        ("degraded", s) => Mode::Degraded {
            slowdown: slowdown(s.as_ref())
                .map_err(|e| err(&format!("{at}.slowdown"), e))
                .ok()?,
        },
        (m, _) => {
            err(
                &format!("{at}.mode"),
                format!("expected `down` or `degraded`, found `{m}`"),
            );
            return None;
        }
    };
    let (t, start) = (t?, start?);
    if start + length > scope.horizon {
        let h = crate::units::fmt_seconds(scope.horizon);
        err(
            &format!("{at}.at"),
            format!("the fault ends after the horizon ({h}): it must end within it"),
        );
        return None;
    }
    if mode == Mode::Down && !plan.health.contains_key(&t) {
        let n = t.name();
        let reason = format!("no health rule says what the system does while `{n}` is down: add `health: {{{n}: down}}` (requests needing it fail) or `degraded` (they go on without it)");
        err(&format!("{at}.component"), reason);
        return None;
    }
    Some(Fault {
        target: t,
        start,
        length,
        mode,
    })
}

/// `5x`, `5` or `5.0`: at least 1 (1 is no slowdown), at most 1,000.
fn slowdown(v: Option<&serde_yaml::Value>) -> Result<f64, String> {
    let bad = || "expected a slowdown factor such as `5x` (from 1x to 1000x)".to_string();
    let x = match v {
        None => return Err("`mode: degraded` needs a `slowdown` such as `5x`".into()),
        Some(serde_yaml::Value::Number(n)) => n.as_f64().ok_or_else(bad)?,
        Some(serde_yaml::Value::String(s)) => s
            .trim()
            .trim_end_matches('x')
            .trim()
            .parse::<f64>()
            .map_err(|_| bad())?,
        Some(_) => return Err(bad()),
    };
    if (1.0..=1000.0).contains(&x) {
        Ok(x)
    } else {
        Err(bad())
    }
}

/// `day N HH:MM` → seconds from the horizon's start (day 1 starts at 0).
pub fn parse_time(s: &str) -> Result<f64, String> {
    let bad = || format!("expected a time such as `day 3 19:30` (day 1 is the first day), found `{s}`");
    let mut w = s.split_whitespace();
    let (Some("day"), Some(d), Some(hm), None) = (w.next(), w.next(), w.next(), w.next()) else {
        return Err(bad());
    };
    let day: u32 = d.parse().map_err(|_| bad())?;
    let (h, m) = hm.split_once(':').ok_or_else(bad)?;
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if day == 0 || day > 36_600 || h > 23 || m > 59 {
        return Err(bad());
    }
    Ok(f64::from(day - 1) * 86_400.0 + f64::from(h) * 3600.0 + f64::from(m) * 60.0)
}

fn target(name: &str, scope: &Scope, field: &str, err: &mut dyn FnMut(&str, String)) -> Option<Target> {
    if !scope.components.iter().any(|c| c == name) {
        let allowed = scope.components.join(", ");
        err(
            field,
            format!("no component `{name}` that can fail in any stage (allowed: {allowed})"),
        );
        return None;
    }
    Some(match name {
        "database" => Target::Database,
        "cache" => Target::Cache,
        "vector_store" => Target::VectorStore,
        n => Target::External(n.strip_prefix("external.").unwrap_or(n).to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(start: f64, length: f64, target: Target, mode: Mode) -> Fault {
        Fault {
            target,
            start,
            length,
            mode,
        }
    }

    #[test]
    fn times_are_day_hour_minute_and_bad_ones_are_refused() {
        assert_eq!(parse_time("day 1 00:00"), Ok(0.0));
        assert_eq!(parse_time("day 3 19:30"), Ok(2.0 * 86_400.0 + 19.5 * 3600.0));
        for bad in [
            "day 0 10:00",
            "day 2 24:00",
            "day 2 10:60",
            "3 19:30",
            "day x 1:00",
            "day 2 10:00 x",
        ] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn availability_counts_down_time_once_and_ignores_degraded_rules() {
        let mut p = FaultPlan::default();
        p.health.insert(Target::Database, Rule::Down);
        p.health.insert(Target::Cache, Rule::Degraded);
        p.faults = vec![
            f(100.0, 50.0, Target::Database, Mode::Down),
            f(120.0, 50.0, Target::Database, Mode::Down), // overlaps: 100..170
            f(1000.0, 500.0, Target::Cache, Mode::Down),  // degraded only
            f(2000.0, 10.0, Target::Database, Mode::Degraded { slowdown: 5.0 }),
        ];
        assert_eq!(p.down_time(), 70.0);
        assert_eq!(p.degraded_time(), 510.0);
        assert_eq!(p.availability(10_000.0), 1.0 - 70.0 / 10_000.0);
        p.faults.clear();
        assert_eq!(p.availability(10_000.0), 1.0);
    }

    #[test]
    fn slowdowns_are_factors_from_one() {
        let s = |y: &str| slowdown(Some(&serde_yaml::from_str(y).unwrap()));
        assert_eq!(s("5x"), Ok(5.0));
        assert_eq!(s("2.5"), Ok(2.5));
        assert!(s("0.5x").is_err() && s("fast").is_err() && slowdown(None).is_err());
    }
}
