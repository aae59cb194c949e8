//! Bring your own key: a component whose calls the users' own keys pay (an `external:` entry
//! with `byok: true`). Its charges become one line that bills $0 and says why: the calls
//! counted (they still count against the entry's rate limit) and what they would cost at the
//! plan's list rates ([`CostLine::avoided`]), which no total includes. Account adjustments
//! (credit, usage commitment) do not apply: the operator holds no account with the provider.

use super::{Bill, CostLine, LineKind, Usage};
use crate::units::fmt_money;

/// The item of the line.
pub const ITEM: &str = "bring your own key";

/// The bill of `charges` (a plan's charge lines for `usage`, [`super::charges`]) paid by the
/// users' own keys: one [`LineKind::Byok`] line of $0 with the calls (`usage`'s `requests`) and
/// the charges' sum as the cost avoided; `warnings` kept.
pub fn bill(charges: Vec<CostLine>, usage: &Usage, warnings: Vec<String>) -> Bill {
    let calls = usage.get("requests").copied().unwrap_or(0.0);
    let avoided: f64 = charges.iter().map(|l| l.amount).sum();
    let list = if charges.is_empty() {
        "nothing at the plan's list rates".to_string()
    } else {
        let parts: Vec<String> = charges
            .iter()
            .map(|l| format!("{}: {}", l.item, l.arithmetic))
            .collect();
        format!("at the plan's list rates {}", parts.join(" + "))
    };
    let arithmetic = format!(
        "{} calls paid by the users' own keys (bring your own key), not billed; {list}: {} avoided, in no total",
        crate::units::fmt_count(calls),
        fmt_money(avoided)
    );
    let line = CostLine {
        item: ITEM.to_string(),
        kind: LineKind::Byok,
        usage: calls,
        unit: "calls".to_string(),
        included: 0.0,
        billable: 0.0,
        rate: 0.0,
        per: 1.0,
        amount: 0.0,
        avoided,
        arithmetic,
    };
    Bill {
        lines: vec![line],
        total: 0.0,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::{charges, BillOptions, Catalog};

    #[test]
    fn a_byok_bill_is_zero_and_carries_the_calls_and_the_list_cost() {
        // Claude Haiku 4.5: $1 per 1M input tokens, $5 per 1M output tokens.
        let cat = Catalog::builtin().unwrap();
        let plan = cat.plan("anthropic_api", "claude-haiku-4-5").unwrap();
        let u: Usage = [
            ("requests".to_string(), 1000.0),
            ("input_tokens".to_string(), 1.5e6),
            ("output_tokens".to_string(), 2e6),
        ]
        .into();
        let paid = charges(plan, &u, &BillOptions::default());
        let byok = charges(
            plan,
            &u,
            &BillOptions {
                byok: true,
                ..Default::default()
            },
        );
        assert_eq!((byok.total, byok.lines.len()), (0.0, 1));
        let l = &byok.lines[0];
        assert_eq!(
            (l.kind, l.amount, l.usage, l.unit.as_str()),
            (LineKind::Byok, 0.0, 1000.0, "calls")
        );
        // By hand: 1.5 × $1 + 2 × $5 = $11.50, the paid bill's total.
        assert!((l.avoided - 11.5).abs() < 1e-9, "{}", l.avoided);
        assert!((paid.total - l.avoided).abs() < 1e-9);
        assert!(
            l.arithmetic.starts_with("1K calls paid by the users' own keys"),
            "{}",
            l.arithmetic
        );
        assert!(l.arithmetic.contains("$11.50 avoided"), "{}", l.arithmetic);
        // The whole bill (adjustments included) stays zero.
        assert_eq!(
            crate::pricing::bill(
                plan,
                &u,
                &BillOptions {
                    byok: true,
                    ..Default::default()
                }
            )
            .total,
            0.0
        );
    }
}
