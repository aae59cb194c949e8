//! A system of environments (`crate::envs`) through the gate, as rows like any scenario's:
//!
//! - **the combined row** (the system file): the system's budgets on the combined bill (shared
//!   accounts billed once), `objectives` (whether the system or any environment states a budget
//!   or an SLO), the money findings of every environment's bills (`<environment>.money.…`) and
//!   the pricing age of every provider any environment is billed by (`money.pricing_age.…`,
//!   once however many environments use it);
//! - **one row per environment** (its scenario file, the system and its name): its own budgets,
//!   objectives, overload and jobs, every id prefixed `<environment>.` as in the system's report.
//!
//! The verdict counts every row: a system passes when its combined row and every environment's
//! row do.

use super::data::{self, CheckKind, GateCheck, MonthMoney, Policy, ScenarioGate};
use crate::envs::SystemResult;
use crate::results::RunResult;
use std::path::Path;

/// The pricing-age checks of one run (none without `--max-pricing-age`).
pub type PricingAge<'a> = &'a dyn Fn(&RunResult) -> Vec<GateCheck>;

/// The rows of system `file` (as given) that ran to `r`: the combined row, then each
/// environment's in the system file's order.
pub fn system_gates(file: &str, r: &SystemResult, policy: Policy, pricing_age: PricingAge) -> Vec<ScenarioGate> {
    let dir = Path::new(file).parent().unwrap_or(Path::new(""));
    let mut money: Vec<GateCheck> = Vec::new();
    let mut rows: Vec<ScenarioGate> = Vec::new();
    for e in &r.environments {
        let env_file = dir.join(&e.file).display().to_string();
        let mut g = data::scenario_gate(&env_file, &e.result, policy, Vec::new());
        // Whether anything is gated on is the system's question (a staging environment may
        // rely on the system's budget); the bills' findings go on the combined row.
        let (own, moved): (Vec<GateCheck>, Vec<GateCheck>) = g
            .checks
            .into_iter()
            .filter(|c| c.kind != CheckKind::Objectives)
            .partition(|c| c.kind != CheckKind::Money);
        g.checks = own.into_iter().map(|c| prefixed(&e.name, c)).collect();
        money.extend(moved.into_iter().map(|mut c| {
            c.message = format!("{}: {}", e.name, c.message);
            prefixed(&e.name, c)
        }));
        for c in pricing_age(&e.result) {
            if !money.iter().any(|m| m.id == c.id) {
                money.push(c);
            }
        }
        g.passed = !g.checks.iter().any(|c| c.fails);
        g.system = Some(file.to_string());
        g.environment = Some(e.name.clone());
        rows.push(g);
    }
    let mut checks = data::checks_of(&r.budget, &[], policy);
    if r.budget.is_empty() && r.environment_checks.is_empty() {
        checks.push(data::warning(
            "objectives".into(),
            CheckKind::Objectives,
            "the system or one of its environments states a budget or an SLO",
            policy.strict,
            "no budget and no SLO in the system or its environments: nothing to gate on \
             (add `budget:` to the system file, or `budget:` or `slo:` to an environment)"
                .into(),
        ));
    }
    checks.extend(money);
    let combined = ScenarioGate {
        file: file.to_string(),
        system: Some(file.to_string()),
        environment: None,
        name: r.name.clone(),
        seed: r.seed,
        replications: r.replications,
        passed: !checks.iter().any(|c| c.fails),
        money: r.months.iter().map(|m| MonthMoney::of(m.month, &m.total)).collect(),
        checks,
    };
    std::iter::once(combined).chain(rows).collect()
}

/// `c` under an id unique in the system: `<environment>.<id>`.
fn prefixed(env: &str, mut c: GateCheck) -> GateCheck {
    c.id = format!("{env}.{}", c.id);
    c
}
