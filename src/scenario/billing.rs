//! A component's billing block (provider, plan, size, seats, annual billing, usage rules) and
//! the inputs a plan's meters need from the component itself (RAM in use, vCPU): a value that
//! would silently bill as zero is an input error, not a default.

use super::ctx::Ctx;
use super::model::{Alternative, Billing, UsageRule};
use super::raw::{RawBilling, RawUsageRule};
use crate::pricing::{is_level_metric, USAGE_METRICS};
use std::collections::BTreeMap;

/// The usage-rule fields a level metric accepts (see [`crate::pricing::LEVEL_METRICS`]).
const LEVEL_RULES: [&str; 3] = ["per_month", "per_user_month", "per_database_gb"];

/// Checks a component's billing block against the catalog.
pub(super) fn billing(cx: &mut Ctx, path: &str, r: &RawBilling) -> Billing {
    plan_and_size(cx, path, r);
    if r.provider.is_none() && r.plan.is_none() {
        cx.warn(
            path,
            "unpriced: the component names no `provider` and `plan`, so the bill counts nothing for it (not a price of $0: its cost is unknown); name one from `capsim plans`",
        );
    }
    if r.annual_billing == Some(true) {
        annual_billing(cx, path, r);
    }
    let mut rules = BTreeMap::new();
    for (metric, rule) in r.usage {
        rules.insert(
            metric.clone(),
            usage_rule(cx, &format!("{path}.usage.{metric}"), metric, rule),
        );
    }
    let multiplier = match r.multiplier {
        Some(m) => cx.positive(&format!("{path}.multiplier"), m),
        None => 1.0,
    };
    Billing {
        provider: r.provider.map(str::to_string),
        plan: r.plan.map(str::to_string),
        size: r.size.map(str::to_string),
        seats: cx.nonneg(&format!("{path}.seats"), r.seats.unwrap_or(1.0)),
        annual_billing: r.annual_billing.unwrap_or(false),
        multiplier,
        plan_says: r.plan_says.map(|m| m.0),
        usage: rules,
        label: r.label.map(str::to_string),
        alternatives: alternatives(cx, path, r),
        byok: false,
    }
}

/// Each alternative names a plan of the catalogs (and a size the plan has), like the
/// component's own billing block.
fn alternatives(cx: &mut Ctx, path: &str, r: &RawBilling) -> Vec<Alternative> {
    let mut out = Vec::new();
    for (name, a) in r.alternatives {
        let at = format!("{path}.alternatives.{name}");
        let (empty, empty_alts) = (BTreeMap::new(), BTreeMap::new());
        let raw = RawBilling {
            provider: a.provider.as_deref(),
            plan: a.plan.as_deref(),
            size: a.size.as_deref(),
            seats: None,
            annual_billing: None,
            multiplier: None,
            plan_says: None,
            usage: &empty,
            label: None,
            alternatives: &empty_alts,
        };
        let before = cx.errors.len();
        plan_and_size(cx, &at, &raw);
        match (&a.provider, &a.plan) {
            (Some(pr), Some(pl)) if cx.errors.len() == before => out.push(Alternative {
                name: name.clone(),
                provider: pr.clone(),
                plan: pl.clone(),
                size: a.size.clone(),
            }),
            (None, None) => cx.err(
                &format!("{at}.provider"),
                "an alternative needs a `provider` and a `plan`",
            ),
            _ => {}
        }
    }
    out
}

fn plan_and_size(cx: &mut Ctx, path: &str, r: &RawBilling) {
    match (r.provider, r.plan) {
        (Some(pr), Some(pl)) => match cx.catalog.plan(pr, pl) {
            Ok(p) => {
                if let Some(sz) = r.size {
                    if !p.sizes.contains_key(sz) {
                        let allowed: Vec<String> = p.sizes.keys().cloned().collect();
                        let reason = if allowed.is_empty() {
                            format!("plan `{pr}/{pl}` has no sizes to choose from")
                        } else {
                            format!("unknown size `{sz}` for `{pr}/{pl}`")
                        };
                        cx.err_allowed(&format!("{path}.size"), reason, allowed);
                    }
                }
            }
            Err((reason, allowed)) => {
                let field = if cx.catalog.providers.contains_key(pr) {
                    "plan"
                } else {
                    "provider"
                };
                cx.err_allowed(&format!("{path}.{field}"), reason, allowed);
            }
        },
        (Some(_), None) => cx.err(&format!("{path}.plan"), "a provider needs a `plan`"),
        (None, Some(_)) => cx.err(&format!("{path}.provider"), "a plan needs a `provider`"),
        (None, None) => {}
    }
}

/// `annual_billing: true` needs a plan with an annual price; otherwise it would change nothing.
fn annual_billing(cx: &mut Ctx, path: &str, r: &RawBilling) {
    let field = format!("{path}.annual_billing");
    match (r.provider, r.plan) {
        (Some(pr), Some(pl)) => {
            if let Ok(p) = cx.catalog.plan(pr, pl) {
                if p.annual_fee.is_none() {
                    cx.err(
                        &field,
                        format!(
                            "`annual_billing: true`, but `{pr}/{pl}` has no annual price in the catalog (it bills {}/month); remove the field or choose a plan with an annual price",
                            crate::units::fmt_money(p.fee)
                        ),
                    );
                }
            }
        }
        _ => cx.err(
            &field,
            "`annual_billing: true` on a component with no priced plan; give `provider` and `plan`",
        ),
    }
}

/// A usage rule: numbers are never negative (the units parser rejects them), at least one is
/// given, and a level metric is given only as a level.
fn usage_rule(cx: &mut Ctx, path: &str, metric: &str, r: &RawUsageRule) -> UsageRule {
    if !USAGE_METRICS.iter().any(|(m, _)| *m == metric) {
        cx.err_allowed(
            path,
            format!("unknown usage metric `{metric}`"),
            USAGE_METRICS.iter().map(|(m, _)| m.to_string()),
        );
    }
    let volume_fields = [
        ("per_request", r.per_request.is_some()),
        ("per_session", r.per_session.is_some()),
        ("per_job", r.per_job.is_some()),
        ("bytes_per_request", r.bytes_per_request.is_some()),
    ];
    let any_level = r.per_month.is_some() || r.per_user_month.is_some() || r.per_database_gb.is_some();
    if !any_level && !volume_fields.iter().any(|(_, given)| *given) {
        let allowed: Vec<&str> = if is_level_metric(metric) {
            LEVEL_RULES.to_vec()
        } else {
            let mut v: Vec<&str> = volume_fields.iter().map(|(f, _)| *f).collect();
            v.extend(LEVEL_RULES);
            v
        };
        cx.err_allowed(
            path,
            "an empty usage rule adds nothing; give at least one rate",
            allowed,
        );
    }
    if is_level_metric(metric) {
        for (field, given) in volume_fields {
            if given {
                cx.err_allowed(
                    &format!("{path}.{field}"),
                    format!(
                        "`{metric}` is a level (how many in the month, not a sum over time), so it cannot grow by `{field}`; give the level with `per_month` (a fixed level), `per_user_month` (users × rate) or `per_database_gb` (database GB × rate)"
                    ),
                    LEVEL_RULES,
                );
            }
        }
    }
    let n = |c: Option<crate::units::Count>| c.map(|c| c.0).unwrap_or(0.0);
    UsageRule {
        per_request: n(r.per_request),
        per_session: n(r.per_session),
        per_user_month: n(r.per_user_month),
        per_job: n(r.per_job),
        per_month: n(r.per_month),
        per_database_gb: n(r.per_database_gb),
        bytes_per_request: r.bytes_per_request.map(|b| b.0).unwrap_or(0.0),
    }
}

/// A meter of the component's plan bills `metric`, which the component computes from one of its
/// own fields; `given` says whether the file states that field (or a usage rule gives the
/// metric). If neither, the metric would bill as zero: an error at `field` saying `missing`.
pub(super) fn require_billed_input(cx: &mut Ctx, b: &Billing, metric: &str, given: bool, field: &str, missing: &str) {
    if given || b.usage.contains_key(metric) {
        return;
    }
    let (Some(pr), Some(pl)) = (&b.provider, &b.plan) else {
        return;
    };
    let Ok(plan) = cx.catalog.plan(pr, pl) else {
        return;
    };
    let Some(meter) = plan
        .meters
        .iter()
        .find(|(_, m)| m.metric == metric)
        .map(|(n, _)| n.clone())
    else {
        return;
    };
    cx.err(
        field,
        format!("`{pr}/{pl}` bills `{metric}` (meter `{meter}`), but {missing}; without it that usage would be billed as zero"),
    );
}
