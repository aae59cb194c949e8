//! The gate of `capsim diff`: what makes it exit 1, like `capsim check`.
//!
//! `--fail-above LIMIT` fails when a month's total bill (the mean across replications) rises
//! by more than LIMIT: a percentage of BASE's total (`+10%`) or an amount (`$50`). Only months
//! both runs bill are compared; a month on one side only (a longer horizon) is shown as added
//! or removed but is no price change. An increase from a total of $0 exceeds any percentage.
//! "More than" is strict: a rise of exactly the limit passes.
//!
//! `--fail-on new-trigger,check` also fails on a trigger that fires in NEW but did not in BASE,
//! and on a budget or SLO check that passed in BASE (or was not there) and fails in NEW.

use super::model::{Diff, TriggerChange};
use serde::Serialize;

/// How much a month's total may rise.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Limit {
    /// A share of BASE's total, in percent (10 is +10 %).
    Percent(f64),
    /// An amount, in dollars.
    Dollars(f64),
}

/// Parses `--fail-above`: `+10%`, `10%`, `2.5%`, `$50`, `+$50`, `50 USD`. Zero is allowed (any
/// rise fails); a negative, infinite or unreadable limit is not.
pub fn parse_limit(text: &str) -> Result<Limit, String> {
    let help = "expected a percentage such as `+10%` or an amount such as `$50`";
    if text.len() > 64 {
        return Err(format!("{help}, found {} characters", text.len()));
    }
    let t = text.trim();
    if t.starts_with('-') {
        return Err(format!("{help} (a rise, not a fall), found `{text}`"));
    }
    let t = t.strip_prefix('+').unwrap_or(t).trim();
    let limit = if let Some(p) = t.strip_suffix('%') {
        let v: f64 = p.trim().parse().map_err(|_| format!("{help}, found `{text}`"))?;
        Limit::Percent(v)
    } else if t.starts_with('$') || t.ends_with("USD") {
        Limit::Dollars(crate::units::parse_money(t).map_err(|e| format!("{help}: {e}"))?)
    } else {
        return Err(format!(
            "{help}, found `{text}` (say `%` for a share of the base's total or `$` for dollars)"
        ));
    };
    match limit {
        Limit::Percent(v) | Limit::Dollars(v) if !v.is_finite() || v < 0.0 => {
            Err(format!("{help} of at least zero, found `{text}`"))
        }
        _ => Ok(limit),
    }
}

/// What else fails the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailOn {
    /// A trigger that fires in NEW and did not in BASE.
    NewTrigger,
    /// A budget or SLO check that passed in BASE (or was not there) and fails in NEW.
    Check,
}

/// The gate as asked on the command line.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Gate {
    /// `--fail-above`.
    pub fail_above: Option<Limit>,
    /// `--fail-on`.
    pub fail_on: Vec<FailOn>,
}

/// One reason the gate failed.
#[derive(Debug, Clone, Serialize)]
pub struct GateFailure {
    /// `cost`, `new_trigger` or `check`.
    pub kind: &'static str,
    /// The month (cost), trigger name or check id.
    pub subject: String,
    /// The reason in words.
    pub message: String,
}

/// Whether a rise of `change` dollars from `before` is beyond `limit`. Compared without a
/// division, so `+10%` of $100 lets exactly $110 pass and a rise from $0 beats any share.
pub fn exceeds(limit: Limit, before: f64, change: f64) -> bool {
    match limit {
        Limit::Percent(p) => change * 100.0 > p * before,
        Limit::Dollars(d) => change > d,
    }
}

/// The limit in words: `+10%`, `$50.00`.
pub fn limit_words(limit: Limit) -> String {
    match limit {
        Limit::Percent(p) => format!("+{}%", crate::report::fmt::trim(p)),
        Limit::Dollars(d) => format!("+{}", crate::units::fmt_money(d)),
    }
}

/// Every reason the gate fails, in order: costs by month, triggers by name, checks in order.
pub fn evaluate(d: &Diff, gate: &Gate) -> Vec<GateFailure> {
    let mut out = Vec::new();
    if let Some(limit) = gate.fail_above {
        for row in &d.totals {
            let (Some(before), Some(_)) = (row.before, row.after) else {
                continue;
            };
            if exceeds(limit, before, row.change) {
                out.push(GateFailure {
                    kind: "cost",
                    subject: format!("month {}", row.month),
                    message: format!(
                        "month {} total rose {} ({}), more than {}",
                        row.month,
                        super::words::signed_money(row.change),
                        super::words::relative_words(row.relative),
                        limit_words(limit)
                    ),
                });
            }
        }
    }
    if gate.fail_on.contains(&FailOn::NewTrigger) {
        for t in d.triggers.iter().filter(|t| t.change == TriggerChange::NowFires) {
            out.push(GateFailure {
                kind: "new_trigger",
                subject: t.name.clone(),
                message: format!("trigger `{}` now fires", t.name),
            });
        }
    }
    if gate.fail_on.contains(&FailOn::Check) {
        for c in d.checks.iter().filter(|c| c.newly_failing) {
            let verdict = c.after.as_ref().map_or("", |s| s.verdict.label());
            out.push(GateFailure {
                kind: "check",
                subject: c.id.clone(),
                message: format!("check `{}` ({}) is now {verdict}", c.id, c.what),
            });
        }
    }
    out
}
