//! Running a system's environments and combining their bills (see [`super`]): results are
//! data, [`super::tables`] and [`super::render`] format them.

use super::load::{Range, System};
use super::rebill;
use crate::metrics::Summary;
use crate::pricing::{CatalogSource, CostLine};
use crate::results::{Check, CheckVerdict, MonthBill, RunResult};
use crate::run::RunConfig;
use crate::units::Unit;
use serde::Serialize;

/// One environment's run inside the system.
#[derive(Debug, Clone, Serialize)]
pub struct EnvResult {
    pub name: String,
    /// Its scenario file, as the system file names it (relative to the system file).
    pub file: String,
    /// The seed it ran with ([`super::env_seed`]).
    pub seed: u64,
    pub result: RunResult,
}

/// A catalog account billed once across environments in one month.
#[derive(Debug, Clone, Serialize)]
pub struct SharedAccount {
    pub account: String,
    /// The environments with components in it.
    pub environments: Vec<String>,
    /// The environments' bills of it added up, dollars across replications.
    pub separate: Summary,
    /// The account billed once, dollars across replications.
    pub together: Summary,
    /// `separate − together`, dollars across replications (never negative).
    pub saving: Summary,
    /// The adjustments applied once in the first replication that shares it, with their arithmetic.
    pub example: Vec<CostLine>,
}

/// One calendar month of the whole system.
#[derive(Debug, Clone, Serialize)]
pub struct CombinedMonth {
    /// 1-based.
    pub month: usize,
    /// The whole system's bill, dollars across replications.
    pub total: Summary,
    /// Each environment's own bill (its accounts billed alone), dollars.
    pub environments: Vec<(String, Summary)>,
    /// Each environment's share of the combined bill, dollars: its own bill with each shared
    /// account's saving taken off in proportion to what it pays that account alone. The shares
    /// add up to `total` replication by replication.
    pub shares: Vec<(String, Summary)>,
    /// Each component summed over the environments, shared accounts billed once, dollars.
    pub components: Vec<(String, Summary)>,
    /// The sums of components the file's budgets and figures name (`cache + rate_limiter`),
    /// replication by replication, dollars.
    pub groups: Vec<(String, Summary)>,
    /// The accounts billed once across environments this month.
    pub shared: Vec<SharedAccount>,
}

/// A figure of the plan (one amount or a range) next to the system's month 1.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// `plan.monthly_cost` or `plan.component.<name>`.
    pub id: String,
    pub what: String,
    /// The plan's range, dollars a month (`low == high` for one figure).
    pub plan: Range,
    /// The system's month 1 mean, dollars.
    pub measured: f64,
    /// Inside the range (for one figure: within 10 % of it).
    pub agrees: bool,
}

/// What running a system gives: every environment's result and the combined bill.
#[derive(Debug, Clone, Serialize)]
pub struct SystemResult {
    pub name: String,
    pub description: Option<String>,
    pub file: String,
    pub seed: u64,
    pub replications: u32,
    pub horizon_days: f64,
    pub pricing: CatalogSource,
    pub environments: Vec<EnvResult>,
    /// Accounts the file keeps per environment (`separate_accounts`).
    pub separate_accounts: Vec<String>,
    pub months: Vec<CombinedMonth>,
    /// The system's budgets against the combined bill (`budget.month_<m>.total`, …).
    pub budget: Vec<Check>,
    /// Every environment's budgets and objectives, ids prefixed `<environment>.`.
    pub environment_checks: Vec<Check>,
    pub figures: Vec<Figure>,
    /// Every environment's triggers, ids prefixed `<environment>.` (`staging.<trigger name>`).
    pub triggers: Vec<EnvTrigger>,
    pub notes: Vec<String>,
}

/// One environment's trigger, under an id unique in the system.
#[derive(Debug, Clone, Serialize)]
pub struct EnvTrigger {
    /// `<environment>.<trigger name>`.
    pub id: String,
    pub environment: String,
    pub trigger: crate::results::TriggerSummary,
}

impl SystemResult {
    /// Every budget within its limit, every objective met (or, with `allow_not_evaluated`, not
    /// breached).
    pub fn ok(&self, allow_not_evaluated: bool) -> bool {
        self.budget
            .iter()
            .chain(&self.environment_checks)
            .all(|c| c.ok() || (allow_not_evaluated && c.verdict == CheckVerdict::NotEvaluated))
    }
}

/// Runs every environment (in the file's order, each on `threads`) and combines their bills.
pub fn run_system(sys: &System, threads: Option<u16>) -> Result<SystemResult, String> {
    let mut envs = Vec::new();
    let mut bills: Vec<Vec<Vec<MonthBill>>> = Vec::new();
    let base = sys.file.parent().unwrap_or(std::path::Path::new(""));
    for e in &sys.environments {
        let cfg = RunConfig {
            threads,
            ..RunConfig::of(&e.scenario)
        };
        let (result, b) = crate::run::run_with_bills(&e.scenario, &sys.catalog, &cfg)?;
        let file = e.file.strip_prefix(base).unwrap_or(&e.file).display().to_string();
        envs.push(EnvResult {
            name: e.name.clone(),
            file,
            seed: cfg.seed,
            result,
        });
        bills.push(b);
    }
    let months = combine_months(sys, &envs, &bills);
    let budget = budget_checks(sys, &months);
    let environment_checks = envs
        .iter()
        .flat_map(|e| {
            let c = &e.result.checks;
            c.budget.iter().chain(&c.slo).map(move |k| Check {
                id: format!("{}.{}", e.name, k.id),
                what: format!("{}: {}", e.name, k.what),
                ..k.clone()
            })
        })
        .collect();
    let figures = figures(sys, &months);
    let triggers = envs
        .iter()
        .flat_map(|e| {
            e.result.triggers.iter().map(move |t| EnvTrigger {
                id: format!("{}.{}", e.name, t.name),
                environment: e.name.clone(),
                trigger: t.clone(),
            })
        })
        .collect();
    Ok(SystemResult {
        name: sys.name.clone(),
        description: sys.description.clone(),
        file: sys.file.display().to_string(),
        seed: sys.seed,
        replications: sys.replications,
        horizon_days: sys.environments.first().map_or(0.0, |e| e.scenario.horizon / 86_400.0),
        pricing: sys.catalog.source.clone(),
        environments: envs,
        separate_accounts: sys.separate_accounts.clone(),
        months,
        budget,
        environment_checks,
        figures,
        triggers,
        notes: sys.notes.clone(),
    })
}

/// Component `name`, or the sum `a + b` the file names, of a combined month, dollars.
fn group(m: &CombinedMonth, name: &str) -> Summary {
    m.components
        .iter()
        .chain(&m.groups)
        .find(|(c, _)| c == name)
        .map_or(Summary::of([0.0]), |(_, s)| *s)
}

/// One replication's month, combined: its total and each component's share.
struct RepMonth {
    total: f64,
    components: Vec<(String, f64)>,
    /// Per environment, its share of `total`.
    shares: Vec<f64>,
    /// Per shared account, in order of first appearance.
    shared: Vec<RepShared>,
}

/// A shared account in one replication's month.
struct RepShared {
    account: String,
    environments: Vec<String>,
    separate: f64,
    together: f64,
    adjustments: Vec<CostLine>,
}

fn add(v: &mut Vec<(String, f64)>, name: &str, x: f64) {
    match v.iter_mut().find(|(n, _)| n == name) {
        Some((_, y)) => *y += x,
        None => v.push((name.to_string(), x)),
    }
}

/// Replication `r`'s month `m` across the environments (`bills[e][r][m]`).
fn rep_month(
    sys: &System,
    envs: &[EnvResult],
    bills: &[Vec<Vec<MonthBill>>],
    r: usize,
    m: usize,
    once: &mut crate::billing::month::OnceCredits,
) -> RepMonth {
    let month = |e: usize| &bills[e][r][m];
    let account_of = |cb: &crate::results::ComponentBill| {
        sys.catalog
            .plan(&cb.provider, &cb.plan)
            .ok()
            .and_then(|p| p.account.clone())
            .filter(|a| !sys.separate_accounts.contains(a))
    };
    let mut accounts: Vec<String> = Vec::new();
    let mut out = RepMonth {
        total: 0.0,
        components: Vec::new(),
        shares: (0..envs.len()).map(|e| month(e).total).collect(),
        shared: Vec::new(),
    };
    for e in 0..envs.len() {
        out.total += month(e).total;
        for cb in &month(e).components {
            match account_of(cb) {
                Some(a) if !accounts.contains(&a) => accounts.push(a),
                _ => {}
            }
        }
    }
    let mut scale: Vec<(String, f64)> = Vec::new();
    for a in accounts {
        let per_env: Vec<(usize, Vec<&crate::results::ComponentBill>)> = (0..envs.len())
            .map(|e| {
                (
                    e,
                    month(e)
                        .components
                        .iter()
                        .filter(|cb| account_of(cb).as_ref() == Some(&a))
                        .collect(),
                )
            })
            .filter(|(_, v): &(usize, Vec<_>)| !v.is_empty())
            .collect();
        if per_env.len() < 2 {
            continue;
        }
        let used = once.entry(a.clone()).or_insert(0.0);
        let Some(t) = rebill::together(&sys.catalog, &per_env, *used) else {
            continue;
        };
        *used += t.once_used;
        out.total += t.together - t.separate;
        let names = per_env.iter().map(|(e, _)| envs[*e].name.clone()).collect();
        let ratio = if t.separate > 0.0 { t.together / t.separate } else { 1.0 };
        scale.push((a.clone(), ratio));
        out.shared.push(RepShared {
            account: a,
            environments: names,
            separate: t.separate,
            together: t.together,
            adjustments: t.adjustments,
        });
    }
    for e in 0..envs.len() {
        for cb in &month(e).components {
            let ratio = account_of(cb)
                .and_then(|a| scale.iter().find(|(s, _)| *s == a).map(|(_, r)| *r))
                .unwrap_or(1.0);
            out.shares[e] -= cb.bill.total * (1.0 - ratio);
            for (name, share) in &cb.members {
                add(&mut out.components, name, share * ratio);
            }
        }
    }
    out
}

fn combine_months(sys: &System, envs: &[EnvResult], bills: &[Vec<Vec<MonthBill>>]) -> Vec<CombinedMonth> {
    let reps = sys.replications as usize;
    let n_months = bills.iter().flat_map(|b| b.iter().map(Vec::len)).min().unwrap_or(0);
    // Per replication, what the shared accounts' one-time credits have used so far.
    let mut once: Vec<crate::billing::month::OnceCredits> = vec![Default::default(); reps];
    (0..n_months)
        .map(|m| {
            let rm: Vec<RepMonth> = (0..reps)
                .map(|r| rep_month(sys, envs, bills, r, m, &mut once[r]))
                .collect();
            let mut names: Vec<String> = Vec::new();
            for x in &rm {
                for (n, _) in &x.components {
                    if !names.contains(n) {
                        names.push(n.clone());
                    }
                }
            }
            let value = |x: &RepMonth, n: &str| x.components.iter().find(|(k, _)| k == n).map_or(0.0, |(_, v)| *v);
            // Accounts by name, in order of first appearance in any replication (a trigger may
            // move a replication onto a shared account the others never use).
            let mut shared: Vec<SharedAccount> = Vec::new();
            for first in rm.iter().flat_map(|x| &x.shared) {
                if shared.iter().any(|s| s.account == first.account) {
                    continue;
                }
                let pick = |f: fn(&RepShared) -> f64| {
                    Summary::of(
                        rm.iter()
                            .filter_map(|x| x.shared.iter().find(|s| s.account == first.account).map(f)),
                    )
                };
                shared.push(SharedAccount {
                    account: first.account.clone(),
                    environments: first.environments.clone(),
                    separate: pick(|s| s.separate),
                    together: pick(|s| s.together),
                    saving: pick(|s| s.separate - s.together),
                    example: first.adjustments.clone(),
                });
            }
            CombinedMonth {
                month: m + 1,
                total: Summary::of(rm.iter().map(|x| x.total)),
                environments: envs
                    .iter()
                    .enumerate()
                    .map(|(e, env)| (env.name.clone(), Summary::of((0..reps).map(|r| bills[e][r][m].total))))
                    .collect(),
                shares: envs
                    .iter()
                    .enumerate()
                    .map(|(e, env)| (env.name.clone(), Summary::of(rm.iter().map(|x| x.shares[e]))))
                    .collect(),
                components: names
                    .iter()
                    .map(|n| (n.clone(), Summary::of(rm.iter().map(|x| value(x, n)))))
                    .collect(),
                groups: sys
                    .budget_components
                    .iter()
                    .map(|(n, _)| n)
                    .chain(sys.plan_components.iter().map(|(n, _)| n))
                    .filter(|n| n.contains('+'))
                    .map(|n| {
                        let sum = |x: &RepMonth| n.split('+').map(|p| value(x, p.trim())).sum::<f64>();
                        (n.clone(), Summary::of(rm.iter().map(sum)))
                    })
                    .collect(),
                shared,
            }
        })
        .collect()
}

/// The system's budgets against every month's combined bill (its P90 across replications, as a
/// scenario's budgets are read).
fn budget_checks(sys: &System, months: &[CombinedMonth]) -> Vec<Check> {
    let mut out = Vec::new();
    let check = |id: String, what: String, limit: f64, s: &Summary| Check {
        id,
        what,
        unit: Unit::Dollars,
        limit,
        measured: s.p90,
        mean: Some(s.mean),
        missing: None,
        percentile: None,
        verdict: if s.p90 <= limit + 1e-9 {
            CheckVerdict::Ok
        } else {
            CheckVerdict::Breached
        },
    };
    for m in months {
        if let Some(limit) = sys.budget_monthly {
            out.push(check(
                format!("budget.month_{}.total", m.month),
                format!("month {} total, all environments", m.month),
                limit,
                &m.total,
            ));
        }
        for (name, limit) in &sys.budget_components {
            let s = group(m, name);
            out.push(check(
                format!("budget.month_{}.component.{name}", m.month),
                format!("month {} {name}, all environments", m.month),
                *limit,
                &s,
            ));
        }
    }
    out
}

/// The plan's figures against month 1 of the combined bill.
fn figures(sys: &System, months: &[CombinedMonth]) -> Vec<Figure> {
    let Some(m1) = months.first() else {
        return Vec::new();
    };
    let figure = |id: String, what: String, plan: Range, measured: f64| {
        let agrees = if plan.low < plan.high {
            plan.low <= measured && measured <= plan.high
        } else {
            (measured - plan.high).abs() <= 0.1 * plan.high.abs()
        };
        Figure {
            id,
            what,
            plan,
            measured,
            agrees,
        }
    };
    let mut out: Vec<Figure> = sys
        .plan_monthly
        .map(|p| {
            figure(
                "plan.monthly_cost".into(),
                "monthly cost, all environments (month 1)".into(),
                p,
                m1.total.mean,
            )
        })
        .into_iter()
        .collect();
    for (name, p) in &sys.plan_components {
        let v = group(m1, name).mean;
        out.push(figure(
            format!("plan.component.{name}"),
            format!("{name}, all environments (month 1)"),
            *p,
            v,
        ));
    }
    out
}
