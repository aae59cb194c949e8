//! Unit tests of the system file's pieces: derived seeds and an account billed once.

use super::rebill::together;
use crate::pricing::{self, BillOptions, Catalog, LineKind, Usage};
use crate::results::ComponentBill;

#[test]
fn environment_seeds_depend_on_the_seed_and_the_name_only() {
    let names = ["production", "staging", "prod", "a", "b", "ab", "ba", ""];
    for seed in [0u64, 1, 2004, u64::MAX] {
        let mut seeds: Vec<u64> = names.iter().map(|n| super::env_seed(seed, n)).collect();
        assert_eq!(seeds[0], super::env_seed(seed, "production"));
        seeds.sort_unstable();
        seeds.dedup();
        assert_eq!(seeds.len(), names.len(), "seed {seed}");
    }
    assert_ne!(super::env_seed(1, "staging"), super::env_seed(2, "staging"));
}

fn billed(cat: &Catalog, provider: &str, plan: &str) -> ComponentBill {
    let p = cat.plan(provider, plan).unwrap();
    let bill = pricing::bill(p, &Usage::new(), &BillOptions::default());
    ComponentBill {
        component: "database".into(),
        members: vec![("database".into(), bill.total)],
        provider: provider.into(),
        plan: plan.into(),
        fraction: 1.0,
        bill,
    }
}

/// Supabase Pro, one organisation with a project per environment: the $25 fee once and the
/// $10 compute credit once, each project's Micro compute billed (the catalog's figures, so
/// $25 + $10 + $10 − $10 = $35 against $25 + $25 apart).
#[test]
fn a_flat_fee_and_its_credit_count_once_per_account() {
    let cat = Catalog::builtin().unwrap();
    let plan = cat.plan("supabase", "pro").unwrap();
    assert!(plan.account.is_some());
    let (a, b) = (billed(&cat, "supabase", "pro"), billed(&cat, "supabase", "pro"));
    let size = |cb: &ComponentBill| {
        cb.bill
            .lines
            .iter()
            .filter(|l| l.kind == LineKind::Size)
            .map(|l| l.amount)
            .sum::<f64>()
    };
    let credit = plan.credit.as_ref().unwrap().amount;
    let t = together(&cat, &[(0, vec![&a]), (1, vec![&b])], 0.0).unwrap();
    assert!((t.separate - (a.bill.total + b.bill.total)).abs() < 1e-9);
    let by_hand = plan.fee + size(&a) + size(&b) - credit.min(size(&a) + size(&b));
    assert!((t.together - by_hand).abs() < 1e-9, "{} vs {by_hand}", t.together);
    assert!(t.together < t.separate);
    // One environment alone: billing it "together" changes nothing.
    let alone = together(&cat, &[(0, vec![&a])], 0.0).unwrap();
    assert!((alone.together - a.bill.total).abs() < 1e-9);
}
