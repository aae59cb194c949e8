//! Components that name no provider: the bill cannot price them, and says so in a row of
//! their own rather than counting them as $0 in silence.
//!
//! Validation warns at the component's block (terminal, report Notes, `check`); the month's
//! bill carries a row per such component with no lines, a total of $0 that the row's warning
//! explains ("unpriced"), so every renderer that lists the bill lists it too.

use crate::pricing::Bill;
use crate::results::ComponentBill;
use crate::scenario::Scenario;

/// The provider and plan an unpriced row shows.
pub const UNPRICED: &str = "unpriced";

/// One row per component of `components` that names no provider in some stage of `sc`.
pub fn rows(sc: &Scenario, components: &[String]) -> Vec<ComponentBill> {
    components
        .iter()
        .filter_map(|c| {
            let stages: Vec<String> = sc
                .stages
                .values()
                .filter(|st| crate::infra::billing_of(st, c).is_some_and(|b| b.provider.is_none()))
                .map(|st| format!("`{}`", st.name))
                .collect();
            (!stages.is_empty()).then(|| ComponentBill {
                component: c.clone(),
                members: vec![(c.clone(), 0.0)],
                provider: UNPRICED.into(),
                plan: UNPRICED.into(),
                fraction: 1.0,
                bill: Bill {
                    lines: Vec::new(),
                    total: 0.0,
                    warnings: vec![format!(
                        "unpriced: it names no `provider` and `plan` in stage {}, so the total leaves it out (its cost is unknown, not $0)",
                        stages.join(", ")
                    )],
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::ledger::Ledger;
    use crate::pricing::Catalog;
    use std::path::Path;

    fn load(path: &str) -> (Scenario, Vec<String>) {
        let cat = Catalog::builtin().expect("catalogs");
        let sc = crate::scenario::load_with_catalog(Path::new(path), &cat).expect("a shipped scenario");
        let components = crate::simulate::Plan::new(&sc).components;
        (sc, components)
    }

    /// The textbook M/M/4 names no provider: every month's bill has a row saying so, which
    /// adds nothing to the total; before, the bill had no row at all and a $0 total.
    #[test]
    fn a_component_without_provider_is_a_row_of_the_bill_flagged_unpriced() {
        let (sc, components) = load("scenarios/textbook/mmc.yaml");
        let cat = Catalog::builtin().expect("catalogs");
        let bills = Ledger::new(&sc, &components, &cat).finish();
        assert!(!bills.is_empty());
        for m in &bills {
            let rows: Vec<&ComponentBill> = m.components.iter().filter(|c| c.provider == UNPRICED).collect();
            assert_eq!(rows.len(), 1, "{:?}", m.components);
            assert_eq!(rows[0].component, "api");
            assert_eq!(rows[0].bill.total, 0.0);
            assert!(
                rows[0].bill.warnings[0].starts_with("unpriced:"),
                "{:?}",
                rows[0].bill.warnings
            );
            let sum: f64 = m.components.iter().map(|c| c.bill.total).sum();
            assert_eq!(m.total, sum, "the total is the sum of the rows");
        }
        assert!(sc.warnings.iter().any(|w| w.to_string().contains("unpriced")));
    }

    /// A scenario whose components all name a provider has no unpriced row (Learnr's stages).
    #[test]
    fn every_priced_component_gives_no_unpriced_row() {
        for path in ["scenarios/mvp.yaml", "scenarios/beta.yaml", "scenarios/ga.yaml"] {
            let (sc, components) = load(path);
            assert!(rows(&sc, &components).is_empty(), "{path}");
            assert!(
                !sc.warnings.iter().any(|w| w.to_string().contains("unpriced")),
                "{path}"
            );
        }
    }
}
