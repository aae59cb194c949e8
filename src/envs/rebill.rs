//! One catalog account billed once across environments: the members' charges of every
//! environment summed, the fee counted once where it is per account (a flat or per-seat fee;
//! a per-instance fee stays per instance), then the account's credit and usage commitment
//! applied once ([`crate::pricing::adjustments`], the rule a stage's own account follows).

use crate::pricing::{self, Catalog, ChargedPart, CostLine, FeeBasis, LineKind};
use crate::results::ComponentBill;

/// An account's month in one replication, billed per environment and together.
#[derive(Debug, Clone)]
pub struct Together {
    /// What the environments' bills of the account add up to, in dollars.
    pub separate: f64,
    /// The account billed once, in dollars.
    pub together: f64,
    /// The adjustments applied once (credit, commitment), with their arithmetic.
    pub adjustments: Vec<CostLine>,
    /// Dollars of the account's one-time credit this month used.
    pub once_used: f64,
}

/// Whether `plan`'s fee is charged once per account (flat or per seat) rather than per instance.
fn fee_per_account(plan: &pricing::Plan) -> bool {
    matches!(plan.fee_basis, FeeBasis::Flat | FeeBasis::PerSeat)
}

/// Bills one account's month once: `bills` are (environment index, its bills of the account),
/// after months that used `once_used` dollars of the account's one-time credit. `None` when a
/// bill's plan is not in `catalog` (it is then left as billed).
pub fn together(catalog: &Catalog, bills: &[(usize, Vec<&ComponentBill>)], once_used: f64) -> Option<Together> {
    let mut plans = Vec::new();
    for (_, cbs) in bills {
        for cb in cbs {
            plans.push(catalog.plan(&cb.provider, &cb.plan).ok()?);
        }
    }
    // The account is on its highest-fee plan; that plan's environment keeps the fee.
    let (top, _) =
        plans.iter().enumerate().fold(
            (0, f64::NEG_INFINITY),
            |best, (i, p)| if p.fee > best.1 { (i, p.fee) } else { best },
        );
    let keeper_plan = plans[top];
    let mut k = 0;
    let mut keeper = 0;
    for (e, cbs) in bills {
        if (k..k + cbs.len()).contains(&top) {
            keeper = *e;
        }
        k += cbs.len();
    }
    let mut kept: Vec<(Vec<CostLine>, &pricing::Plan, f64)> = Vec::new();
    let mut separate = 0.0;
    let mut k = 0;
    for (e, cbs) in bills {
        // The environment's commitment for the month (prorated where it changed plans).
        let commitment: f64 = cbs
            .iter()
            .flat_map(|cb| cb.bill.lines.iter())
            .filter(|l| l.kind == LineKind::Commitment)
            .map(|l| l.included)
            .sum();
        for (j, cb) in cbs.iter().enumerate() {
            let plan = plans[k];
            k += 1;
            separate += cb.bill.total;
            let lines: Vec<CostLine> = cb
                .bill
                .lines
                .iter()
                .filter(|l| !matches!(l.kind, LineKind::Credit | LineKind::Commitment))
                .filter(|l| !(l.kind == LineKind::Fee && *e != keeper && fee_per_account(plan)))
                .cloned()
                .collect();
            let fee = if *e == keeper && j == 0 { commitment } else { 0.0 };
            kept.push((lines, plan, fee));
        }
    }
    let parts: Vec<ChargedPart> = kept
        .iter()
        .map(|(lines, plan, fee)| ChargedPart {
            plan,
            lines,
            fraction: 1.0,
            seats: 1.0,
            fee_total: *fee,
        })
        .collect();
    let adjustments = pricing::adjustments_after(keeper_plan, &parts, once_used);
    let together = kept
        .iter()
        .flat_map(|(l, _, _)| l.iter())
        .map(|l| l.amount)
        .sum::<f64>()
        + adjustments.iter().map(|l| l.amount).sum::<f64>();
    Some(Together {
        separate,
        together,
        once_used: pricing::once_credit_used(keeper_plan, &adjustments),
        adjustments,
    })
}
