//! What `capsim check` found, as data: one [`ScenarioGate`] per scenario (and per system of
//! environments and each of its environments, `super::system`) with every check it made
//! (stable id, measured value, limit, unit, verdict), the money, and whether it fails the gate
//! under the flags given. The renderers (`text`, `markdown`, `junit`, JSON by serde) only
//! format this.

use crate::error::InputError;
use crate::results::{Check, CheckVerdict, RunResult};
use crate::units::Unit;
use serde::Serialize;

/// The version of the JSON this module serialises (`docs/ci/check-json.md`); raised when a key
/// changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 1;

/// How the gate ends: the exit code's meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every scenario passed (exit 0).
    Pass,
    /// A check failed (exit 1).
    Fail,
    /// A file could not be read or validated, so nothing ran (exit 2).
    Error,
}

impl Outcome {
    /// The process exit code: 0 pass, 1 a check failed, 2 input error.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Pass => 0,
            Outcome::Fail => 1,
            Outcome::Error => 2,
        }
    }
}

/// What a gate check is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// A monthly budget (the whole bill or one component).
    Budget,
    /// A service-level objective (latency percentile, error rate, availability).
    Slo,
    /// Whether the scenario states any budget or objective at all.
    Objectives,
    /// A station whose arrivals exceed its capacity, or a run that stopped unstable.
    Overload,
    /// Something that changes the money: an unpriced component, a bill line over a plan's
    /// hard cap or without a published price, a catalog older than `--max-pricing-age`.
    Money,
    /// A scheduled job that outlasts its interval (never fails the gate).
    Jobs,
}

/// What a gate check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Within the limit.
    Ok,
    /// Over the limit.
    Breached,
    /// The metric had no observation to check.
    NotEvaluated,
    /// A warning (no limit to compare with).
    Warning,
}

impl Verdict {
    /// `ok`, `breached`, `not_evaluated` or `warning`, as the JSON writes it.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Breached => "breached",
            Verdict::NotEvaluated => "not_evaluated",
            Verdict::Warning => "warning",
        }
    }
}

impl From<CheckVerdict> for Verdict {
    fn from(v: CheckVerdict) -> Verdict {
        match v {
            CheckVerdict::Ok => Verdict::Ok,
            CheckVerdict::Breached => Verdict::Breached,
            CheckVerdict::NotEvaluated => Verdict::NotEvaluated,
        }
    }
}

/// One check of a scenario, as data.
#[derive(Debug, Clone, Serialize)]
pub struct GateCheck {
    /// Stable identifier: the run's check ids (`budget.month_3.total`, `slo.latency_p95`, …),
    /// `objectives`, `overload.<station>.<kind>`, `unstable`, `money.unpriced.<component>`,
    /// `money.bill.<component>.<n>`, `money.pricing_age.<provider>`, `jobs.<n>`.
    pub id: String,
    pub kind: CheckKind,
    /// What is checked, in words.
    pub what: String,
    /// The unit of `measured`, `limit` and `mean`; null for a warning without a figure.
    pub unit: Option<Unit>,
    /// The figure compared with the limit, in `unit`; null when there is none.
    pub measured: Option<f64>,
    /// The most the figure may be, in `unit`; null for a warning.
    pub limit: Option<f64>,
    /// The mean across replications beside a percentile `measured` (budgets), in `unit`.
    pub mean: Option<f64>,
    /// The percentile across replications `measured` is (budgets).
    pub percentile: Option<u32>,
    pub verdict: Verdict,
    /// Whether this check fails the gate under the flags given (`--strict`,
    /// `--allow-not-evaluated`, `--allow-overload`).
    pub fails: bool,
    /// Why, in words: the measured value against the limit, or the warning.
    pub message: String,
}

/// One calendar month's bill across replications, in dollars.
#[derive(Debug, Clone, Serialize)]
pub struct MonthMoney {
    pub month: usize,
    /// Mean across replications, dollars.
    pub mean: f64,
    /// 90th percentile across replications, dollars.
    pub p90: f64,
}

impl MonthMoney {
    /// Month `month`'s bill summarised across replications as `total`.
    pub fn of(month: usize, total: &crate::metrics::Summary) -> MonthMoney {
        MonthMoney {
            month,
            mean: total.mean,
            p90: total.p90,
        }
    }
}

/// One scenario through the gate, or one row of a system of environments (`crate::envs`): the
/// system's combined row, or one of its environments.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioGate {
    /// The scenario file as given; the system file on a system's combined row; the
    /// environment's scenario file on an environment's row.
    pub file: String,
    /// The system file as given, on a system's rows (combined and environments); null for a
    /// scenario checked on its own.
    pub system: Option<String>,
    /// The environment's name on an environment's row of a system; null on the combined row
    /// and for a scenario.
    pub environment: Option<String>,
    /// The scenario's name.
    pub name: String,
    pub seed: u64,
    pub replications: u32,
    /// Whether it passed: no check with `fails`.
    pub passed: bool,
    /// Every month's bill.
    pub money: Vec<MonthMoney>,
    /// Every check, budgets first, then objectives, overload, money and jobs.
    pub checks: Vec<GateCheck>,
}

impl ScenarioGate {
    /// The row as a person reads it: the file, or for an environment of a system
    /// `system.yaml [production]` (two environments may share one scenario file).
    pub fn label(&self) -> String {
        match (&self.system, &self.environment) {
            (Some(sys), Some(env)) => format!("{sys} [{env}]"),
            _ => self.file.clone(),
        }
    }

    /// The checks that fail the gate.
    pub fn failures(&self) -> impl Iterator<Item = &GateCheck> {
        self.checks.iter().filter(|c| c.fails)
    }
}

/// A problem in a file that stopped the gate before anything ran.
#[derive(Debug, Clone, Serialize)]
pub struct FileError {
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// Dotted path of the field (empty for the document).
    pub field: String,
    pub reason: String,
    /// What is allowed instead, when the set is closed.
    pub allowed: Vec<String>,
}

impl From<&InputError> for FileError {
    fn from(e: &InputError) -> FileError {
        FileError {
            file: e.file.display().to_string(),
            line: e.line,
            field: e.field.clone(),
            reason: e.reason.clone(),
            allowed: e.allowed.clone(),
        }
    }
}

/// Everything `capsim check` found.
#[derive(Debug, Clone, Serialize)]
pub struct GateReport {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    pub capsim_version: String,
    pub outcome: Outcome,
    /// 0 pass, 1 a check failed, 2 input error.
    pub exit_code: u8,
    /// Whether `--strict` was given.
    pub strict: bool,
    /// The date pricing ages were measured from (`YYYY-MM-DD`), with `--max-pricing-age`.
    pub today: Option<String>,
    pub scenarios: Vec<ScenarioGate>,
    /// Every problem found in the files (none ran when there is one).
    pub errors: Vec<FileError>,
}

impl GateReport {
    /// The report of the scenarios run, or of the broken files when `errors` is not empty.
    pub fn new(
        scenarios: Vec<ScenarioGate>,
        errors: Vec<FileError>,
        strict: bool,
        today: Option<String>,
    ) -> GateReport {
        let outcome = if !errors.is_empty() {
            Outcome::Error
        } else if scenarios.iter().all(|s| s.passed) {
            Outcome::Pass
        } else {
            Outcome::Fail
        };
        GateReport {
            schema_version: SCHEMA_VERSION,
            capsim_version: env!("CARGO_PKG_VERSION").to_string(),
            outcome,
            exit_code: outcome.exit_code(),
            strict,
            today,
            scenarios,
            errors,
        }
    }
}

/// The flags that decide which checks fail the gate.
#[derive(Debug, Clone, Copy, Default)]
pub struct Policy {
    pub strict: bool,
    pub allow_not_evaluated: bool,
    pub allow_overload: bool,
}

/// A finite number, else none (JSON has no NaN).
fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// The budget and SLO checks of a run as gate checks.
fn run_checks(r: &RunResult, policy: Policy) -> Vec<GateCheck> {
    checks_of(&r.checks.budget, &r.checks.slo, policy)
}

/// Budget and SLO checks (a run's, or a system's on its combined bill) as gate checks.
pub fn checks_of(budget: &[Check], slo: &[Check], policy: Policy) -> Vec<GateCheck> {
    let budget = budget.iter().map(|c| (CheckKind::Budget, c));
    let slo = slo.iter().map(|c| (CheckKind::Slo, c));
    budget
        .chain(slo)
        .map(|(kind, c)| {
            let verdict = Verdict::from(c.verdict);
            let fails = match verdict {
                Verdict::Breached => true,
                Verdict::NotEvaluated => !policy.allow_not_evaluated,
                _ => false,
            };
            GateCheck {
                id: c.id.clone(),
                kind,
                what: c.what.clone(),
                unit: Some(c.unit),
                measured: finite(c.measured),
                limit: Some(c.limit),
                mean: c.mean.and_then(finite),
                percentile: (kind == CheckKind::Budget).then(|| c.percentile.unwrap_or(90)),
                verdict,
                fails,
                message: format!(
                    "{} (limit {})",
                    crate::report::fmt::fmt_check_value(c),
                    crate::report::fmt::fmt_check_limit(c)
                ),
            }
        })
        .collect()
}

/// A check with no figure: a warning or a finding in words.
pub fn warning(id: String, kind: CheckKind, what: &str, fails: bool, message: String) -> GateCheck {
    GateCheck {
        id,
        kind,
        what: what.to_string(),
        unit: None,
        measured: None,
        limit: None,
        mean: None,
        percentile: None,
        verdict: Verdict::Warning,
        fails,
        message,
    }
}

/// Overload and an unstable stop as checks: they fail unless `--allow-overload`.
fn overload_checks(r: &RunResult, policy: Policy) -> Vec<GateCheck> {
    let fails = !policy.allow_overload;
    let mut out: Vec<GateCheck> = r
        .instability
        .iter()
        .map(|u| {
            let what = "the run stopped: a queue grew without bound";
            warning(
                "unstable".into(),
                CheckKind::Overload,
                what,
                fails,
                format!("unstable: {}", u.message),
            )
        })
        .collect();
    for o in &r.overload {
        let kind = serde_json::to_value(o.kind)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        let mut c = warning(
            format!("overload.{}.{kind}", o.station),
            CheckKind::Overload,
            "offered load at most 1 (arrivals within capacity)",
            fails,
            format!("overload: {}", o.message),
        );
        c.verdict = Verdict::Breached;
        if o.kind == crate::results::OverloadKind::Overloaded {
            // Offered load ρ is a utilization: a fraction (1 = 100 % of capacity).
            c.unit = Some(Unit::Fraction);
            c.measured = finite(o.offered_load);
            c.limit = Some(1.0);
        }
        out.push(c);
    }
    out
}

/// A scenario with no budget and no objective gates nothing: said, and a failure under `--strict`.
fn objectives_check(r: &RunResult, policy: Policy) -> Option<GateCheck> {
    if !r.checks.budget.is_empty() || !r.checks.slo.is_empty() {
        return None;
    }
    Some(warning(
        "objectives".into(),
        CheckKind::Objectives,
        "the scenario states a budget or an SLO",
        policy.strict,
        "no budget and no SLO: nothing to gate on (add `budget:` or `slo:`)".into(),
    ))
}

/// The bills' warnings (over a hard cap, no published price, unpriced), each once with the
/// months it holds in, from the median replication's bills.
pub fn bill_checks(r: &RunResult, policy: Policy) -> Vec<GateCheck> {
    // (component, the warning up to its figures, the first month's words, its months)
    let mut seen: Vec<(String, String, String, Vec<usize>)> = Vec::new();
    for m in &r.months {
        for cb in &m.example.components {
            for w in &cb.bill.warnings {
                let key = w.split(" is ").next().unwrap_or(w).to_string();
                match seen.iter_mut().find(|s| s.0 == cb.component && s.1 == key) {
                    Some(s) => s.3.push(m.month),
                    None => seen.push((cb.component.clone(), key, w.clone(), vec![m.month])),
                }
            }
        }
    }
    let mut n = 0;
    seen.into_iter()
        .map(|(component, _, w, months)| {
            let id = if w.starts_with("unpriced") {
                format!("money.unpriced.{component}")
            } else {
                n += 1;
                format!("money.bill.{component}.{n}")
            };
            let list: Vec<String> = months.iter().map(usize::to_string).collect();
            let when = if months.len() == 1 { "month" } else { "months" };
            warning(
                id,
                CheckKind::Money,
                "the bill prices every component within its plan",
                policy.strict,
                format!(
                    "{component}: {w} ({when} {}; first month shown, median replication)",
                    list.join(", ")
                ),
            )
        })
        .collect()
}

/// A scenario's run through the gate, with the pricing-age checks `money` made for it.
pub fn scenario_gate(file: &str, r: &RunResult, policy: Policy, money: Vec<GateCheck>) -> ScenarioGate {
    let mut checks = run_checks(r, policy);
    checks.extend(objectives_check(r, policy));
    checks.extend(overload_checks(r, policy));
    checks.extend(bill_checks(r, policy));
    checks.extend(money);
    for (i, w) in crate::sched::summary::warnings(&r.jobs).into_iter().enumerate() {
        let what = "scheduled jobs end within their interval";
        checks.push(warning(format!("jobs.{}", i + 1), CheckKind::Jobs, what, false, w));
    }
    ScenarioGate {
        file: file.to_string(),
        system: None,
        environment: None,
        name: r.scenario.name.clone(),
        seed: r.scenario.seed,
        replications: r.scenario.replications,
        passed: !checks.iter().any(|c| c.fails),
        money: r.months.iter().map(|m| MonthMoney::of(m.month, &m.total)).collect(),
        checks,
    }
}
