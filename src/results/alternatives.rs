//! Alternatives side by side: what a component's month of usage would cost on another plan
//! or provider (`alternatives:` on any billed component), next to what its chosen plan costs,
//! and where the two cross. Never part of a total.
//!
//! [`crate::billing::alternatives`] prices them month by month; [`rows`] puts each
//! alternative's months side by side with the break-even date, for every renderer.

use crate::pricing::Bill;
use serde::Serialize;

/// One alternative of one component, priced for one month from the component's own usage.
#[derive(Debug, Clone, Serialize)]
pub struct AlternativeBill {
    /// The component (`queue_redis`), as bills name it.
    pub component: String,
    /// The alternative's name under `alternatives:` (`fixed`).
    pub alternative: String,
    /// The alternative's provider (`upstash_redis`).
    pub provider: String,
    /// The alternative's plan (`fixed_250mb`).
    pub plan: String,
    /// The chosen plan's provider and plan, as the component was billed at the month's end.
    pub chosen_plan: String,
    /// What the component costs on its chosen plan this month (its share of its bill), dollars.
    pub chosen: f64,
    /// What the same usage costs on the alternative this month, dollars (prorated like the
    /// component by the share of the month it ran).
    pub cost: f64,
    /// The alternative's bill for the whole month, line by line.
    pub bill: Bill,
    /// The factor on this month's volumes (requests, commands, GB…, levels unchanged) at which
    /// the chosen plan billed alone and the alternative cost the same: the crossing nearest to
    /// 1 within 10⁻³ to 10³; `None` when they do not cross there.
    pub break_even_scale: Option<f64>,
    /// This month's volumes times [`Self::break_even_scale`], by billing metric, per month.
    pub break_even_usage: Vec<(String, f64)>,
}

/// An alternative over the whole horizon: its cost month by month next to the chosen plan's,
/// and when the cheaper of the two changes.
#[derive(Debug, Clone, Serialize)]
pub struct AlternativeRow {
    /// The component (`queue_redis`), as bills name it.
    pub component: String,
    /// The alternative's name under `alternatives:` (`fixed`).
    pub alternative: String,
    /// The alternative's provider (`upstash_redis`).
    pub provider: String,
    /// The alternative's plan (`fixed_250mb`).
    pub plan: String,
    /// The chosen `provider/plan`, as the component was billed at the last month's end.
    pub chosen_plan: String,
    /// `(month, chosen, alternative)`, dollars, for the months the component ran.
    pub months: Vec<(usize, f64, f64)>,
    /// The day (from the start of the run) at which the cheaper of the two changes,
    /// interpolated linearly between month midpoints; `None` when it never changes.
    pub break_even_day: Option<f64>,
    /// The last month's break-even factor on its volumes (see [`AlternativeBill`]), unitless.
    pub break_even_scale: Option<f64>,
    /// The last month's volumes at the break-even, by billing metric, in each metric's unit
    /// per month.
    pub break_even_usage: Vec<(String, f64)>,
}

/// Every alternative's months side by side, from each month's bill of alternatives
/// (`months[i]` is month i + 1), in the order they first appear; `days_per_month` dates them.
pub fn rows(months: &[Vec<AlternativeBill>], days_per_month: f64) -> Vec<AlternativeRow> {
    let mut out: Vec<AlternativeRow> = Vec::new();
    for (i, month) in months.iter().enumerate() {
        for a in month {
            let row = match out
                .iter_mut()
                .find(|r| r.component == a.component && r.alternative == a.alternative)
            {
                Some(r) => r,
                None => {
                    out.push(AlternativeRow {
                        component: a.component.clone(),
                        alternative: a.alternative.clone(),
                        provider: a.provider.clone(),
                        plan: a.plan.clone(),
                        chosen_plan: a.chosen_plan.clone(),
                        months: Vec::new(),
                        break_even_day: None,
                        break_even_scale: None,
                        break_even_usage: Vec::new(),
                    });
                    out.last_mut().expect("pushed")
                }
            };
            row.months.push((i + 1, a.chosen, a.cost));
            row.break_even_scale = a.break_even_scale;
            row.break_even_usage = a.break_even_usage.clone();
        }
    }
    for r in &mut out {
        r.break_even_day = crossing_day(&r.months, days_per_month);
    }
    out
}

/// The first day the sign of (alternative − chosen) changes, interpolated linearly between
/// the midpoints of consecutive months; a month where they cost the same counts as a change
/// at its midpoint.
pub fn crossing_day(months: &[(usize, f64, f64)], days_per_month: f64) -> Option<f64> {
    let mid = |m: usize| (m as f64 - 0.5) * days_per_month;
    let first = months.first()?;
    let d0 = first.2 - first.1;
    if d0 == 0.0 {
        return None;
    }
    let mut prev = (mid(first.0), d0);
    for &(m, chosen, alt) in &months[1..] {
        let d = alt - chosen;
        if d == 0.0 || d.signum() != d0.signum() {
            let t = prev.1 / (prev.1 - d);
            return Some(prev.0 + t * (mid(m) - prev.0));
        }
        prev = (mid(m), d);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crossing_is_interpolated_between_month_midpoints() {
        // Month 1: the alternative is $5 dearer; month 2: $5 cheaper: they cross at the day
        // halfway between the midpoints (15 and 45 days of 30-day months), day 30.
        let m = [(1, 10.0, 15.0), (2, 20.0, 15.0)];
        assert_eq!(crossing_day(&m, 30.0), Some(30.0));
        // $9 dearer then $1 cheaper: 90 % of the way.
        let m = [(1, 10.0, 19.0), (2, 11.0, 10.0)];
        assert!((crossing_day(&m, 30.0).unwrap() - (15.0 + 0.9 * 30.0)).abs() < 1e-9);
        // Never crossing, or a single month: no date.
        assert_eq!(crossing_day(&[(1, 1.0, 2.0), (2, 1.0, 3.0)], 30.0), None);
        assert_eq!(crossing_day(&[(1, 1.0, 2.0)], 30.0), None);
    }
}
