//! Budgets, SLOs and the plan's figures (`capsim::checks::evaluate`): what every check and
//! comparison must satisfy whatever the run, and budgets that move the verdict as they should.
use super::common::{repo, run_text};
use capsim::results::{Check, CheckVerdict, PlanFigure, RunResult, SERIES};

/// The shipped MVP scenario over two billing months, with `extra` fields replacing its own.
fn mvp(extra: &str) -> RunResult {
    let base = repo().join("scenarios/mvp.yaml");
    run_text(&format!(
        "extends: {}\nhorizon: 35d\nreplications: 4\n{extra}",
        base.display()
    ))
}

/// The verdict a limit and a measured figure must give.
fn expected(c: &Check) -> CheckVerdict {
    if c.measured.is_nan() {
        CheckVerdict::NotEvaluated
    } else if c.measured <= c.limit + 1e-9 {
        CheckVerdict::Ok
    } else {
        CheckVerdict::Breached
    }
}

/// What holds of every check and comparison of a run.
fn invariants(r: &RunResult) {
    let mut ids: Vec<&str> = r
        .checks
        .budget
        .iter()
        .chain(&r.checks.slo)
        .map(|c| c.id.as_str())
        .collect();
    ids.extend(r.checks.plan_comparisons.iter().map(|c| c.id.as_str()));
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "ids are unique");
    for c in r.checks.budget.iter().chain(&r.checks.slo) {
        assert_eq!(c.verdict, expected(c), "{}", c.id);
    }
    for (m, month) in r.months.iter().enumerate() {
        let id = format!("budget.month_{}.total", m + 1);
        if let Some(c) = r.checks.budget.iter().find(|c| c.id == id) {
            assert_eq!(c.measured, month.total.p90, "{id}: a month's P90");
            assert_eq!(c.mean, Some(month.total.mean), "{id}");
        }
    }
    for c in &r.checks.slo {
        let k = SERIES
            .iter()
            .position(|s| c.id == format!("slo.{}", s.0))
            .expect("an SLO names a series");
        let worst = r
            .periods
            .iter()
            .map(|p| p.series[k].mean)
            .filter(|v| v.is_finite())
            .fold(f64::NAN, f64::max);
        assert!(
            worst == c.measured || (worst.is_nan() && c.measured.is_nan()),
            "{}: the worst window",
            c.id
        );
    }
    for c in &r.checks.plan_comparisons {
        if c.plan != 0.0 {
            assert!(
                (c.ratio - c.measured / c.plan).abs() <= 1e-12 * c.ratio.abs(),
                "{}",
                c.id
            );
        }
        let agrees = match c.kind {
            PlanFigure::Estimate if c.plan == 0.0 => c.measured == 0.0,
            PlanFigure::Estimate => (c.measured / c.plan - 1.0).abs() <= 0.10,
            PlanFigure::Target => c.measured <= c.plan,
        };
        assert_eq!(c.agrees, agrees, "{}", c.id);
    }
}

#[test]
fn a_budget_holds_or_is_breached_by_its_limit_alone() {
    let generous = mvp("budget: {monthly: $100000, components: {database: $100000}}\n");
    let tight = mvp("budget: {monthly: $0.01, components: {database: $0.01}}\n");
    for r in [&generous, &tight] {
        invariants(r);
        // One total and one database check per month.
        assert_eq!(r.checks.budget.len(), 2 * r.months.len());
        assert_eq!(r.months.len(), 2, "35 days span two billing months");
    }
    assert!(generous.budget_ok());
    // The same run: only the limits differ.
    for (g, t) in generous.checks.budget.iter().zip(&tight.checks.budget) {
        assert_eq!((&g.id, g.measured), (&t.id, t.measured));
        assert_eq!(
            t.verdict == CheckVerdict::Breached,
            t.measured > 0.01 + 1e-9,
            "{}",
            t.id
        );
    }
    assert!(!tight.budget_ok(), "the MVP costs more than a cent a month");
}

#[test]
fn the_plans_figures_and_objectives_follow_their_definitions() {
    let r = mvp("");
    invariants(&r);
    let ids: Vec<&str> = r.checks.plan_comparisons.iter().map(|c| c.id.as_str()).collect();
    // The plan's figures in the order the report lists them.
    let order = [
        "plan.monthly_cost",
        "plan.component.",
        "plan.database_size",
        "plan.latency_p95",
        "plan.concurrent_sessions",
        "plan.users",
    ];
    let mut at = 0;
    for id in &ids {
        let k = order
            .iter()
            .position(|o| id.starts_with(o))
            .unwrap_or_else(|| panic!("{id}"));
        assert!(k >= at, "{id} after {}", order[at]);
        at = k;
    }
    assert_eq!(r.checks.slo.len(), 2, "latency_p95 and error_rate");
}
