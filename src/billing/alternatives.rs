//! Prices a month of each component's usage under its `alternatives:` (other plans or
//! providers), for the report only: nothing here changes a bill or a total.
//!
//! For component *c* and month *m*: its usage is summed over the periods of the month it ran
//! (volumes added, levels at their peak, the part of a period inside the month prorated),
//! scaled to a whole month, and billed on each alternative plan **alone** (one component, its
//! own count and seats, no account shared with other components), then prorated by the share
//! of the month it ran. The chosen side is what the component's own bill came to that month
//! (its share, when it shares an account).
//!
//! **Break-even.** The factor *k* on the month's volumes (levels unchanged) at which the
//! chosen plan billed alone and the alternative cost the same: a scan of *k* from 10⁻³ to 10³
//! on a logarithmic grid finds the sign changes of (alternative − chosen), bisection narrows
//! the one nearest to *k* = 1 to a relative 10⁻⁹. Upstash pay-as-you-go ($0.20 per 100K
//! commands) against the $10 fixed plan, with only commands billed: 10 / 0.20 × 100K = 5M
//! commands a month.

use super::usage::{is_level_metric, scale_usage};
use super::PeriodUsage;
use crate::pricing::{self, BillOptions, Catalog, Plan, Usage};
use crate::results::alternatives::AlternativeBill;
use crate::results::MonthBill;
use crate::scenario::Scenario;

/// One component's usage over the part of a month it ran.
struct Month<'a> {
    usage: Usage,
    hours: f64,
    cfg: &'a super::BilledConfig,
}

/// The alternatives of every component for month `m` (0-based) whose bill is `chosen`.
pub fn price_month(
    m: usize,
    sc: &Scenario,
    usage_log: &[(usize, PeriodUsage)],
    names: &[String],
    catalog: &Catalog,
    chosen: &MonthBill,
    once: &mut super::month::OnceCredits,
) -> Vec<AlternativeBill> {
    let (hours_per_month, horizon) = (sc.hours_per_month, sc.horizon);
    let period_bounds = |p| crate::time::period_bounds(sc, p);
    let month_s = hours_per_month * 3600.0;
    let (ms, me) = (m as f64 * month_s, ((m + 1) as f64 * month_s).min(horizon));
    let mut out = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let Some(month) = component_month(i, ms, me, usage_log, &period_bounds) else {
            continue;
        };
        let simulated_h = (me - ms) / 3600.0;
        let fraction = if simulated_h > 0.0 {
            (month.hours / simulated_h).min(1.0)
        } else {
            0.0
        };
        let full = scale_usage(&month.usage, hours_per_month / month.hours);
        let chosen_cost: f64 = chosen
            .components
            .iter()
            .flat_map(|c| &c.members)
            .filter(|(n, _)| n == name)
            .map(|(_, x)| x)
            .sum();
        let own = super::plan_of(month.cfg, catalog);
        for alt in &month.cfg.alternatives {
            let Ok(plan) = catalog.plan(&alt.provider, &alt.plan) else {
                continue;
            };
            let opts = options(alt.size.clone(), month.cfg, hours_per_month);
            let used = once.entry(format!("{name}/{}", alt.name)).or_insert(0.0);
            let mut bill = pricing::bill_after(plan, &full, &opts, *used);
            // Used over the month's share that ran, as the bill is.
            *used += pricing::once_credit_used(plan, &bill.lines) * fraction;
            bill.warnings.extend(unmetered(own, plan, &full, alt));
            let own_opts = own.map(|p| (p, options(month.cfg.size.clone(), month.cfg, hours_per_month)));
            let scale = own_opts.and_then(|(p, o)| break_even(&full, (p, &o), (plan, &opts)));
            let break_even_usage = scale.map_or_else(Vec::new, |k| {
                full.iter()
                    .filter(|(m, v)| !is_level_metric(m) && **v > 0.0)
                    .map(|(m, v)| (m.clone(), v * k))
                    .collect()
            });
            out.push(AlternativeBill {
                component: name.clone(),
                alternative: alt.name.clone(),
                provider: alt.provider.clone(),
                plan: alt.plan.clone(),
                chosen_plan: format!("{}/{}", month.cfg.provider, month.cfg.plan),
                chosen: chosen_cost,
                cost: bill.total * fraction,
                bill,
                break_even_scale: scale,
                break_even_usage,
            });
        }
    }
    out
}

/// Component `i`'s usage in the month `[ms, me)`, with its configuration in the last period
/// it ran with alternatives; `None` when it had none in the month.
fn component_month<'a>(
    i: usize,
    ms: f64,
    me: f64,
    usage_log: &'a [(usize, PeriodUsage)],
    period_bounds: &impl Fn(usize) -> (f64, f64),
) -> Option<Month<'a>> {
    let mut acc: Option<Month> = None;
    for (p, row) in usage_log {
        let (a, b) = period_bounds(*p);
        let overlap = (b.min(me) - a.max(ms)).max(0.0);
        let Some((Some(cfg), u)) = row.get(i) else {
            continue;
        };
        if overlap <= 0.0 || cfg.alternatives.is_empty() {
            continue;
        }
        let scaled = scale_usage(u, overlap / (b - a));
        let month = acc.get_or_insert_with(|| Month {
            usage: Usage::new(),
            hours: 0.0,
            cfg,
        });
        for (k, v) in scaled {
            let e = month.usage.entry(k.clone()).or_insert(0.0);
            *e = if is_level_metric(&k) { e.max(v) } else { *e + v };
        }
        month.hours += overlap / 3600.0;
        month.cfg = cfg;
    }
    acc.filter(|m| m.hours > 0.0)
}

/// The volumes the chosen plan meters and the alternative does not: priced at nothing there,
/// so said, never a silent $0 (S3's catalog does not meter egress; R2's meters it at $0).
fn unmetered(
    own: Option<&Plan>,
    alt_plan: &Plan,
    usage: &Usage,
    alt: &crate::scenario::model::Alternative,
) -> Vec<String> {
    let meters = |p: &Plan, m: &str| p.meters.values().any(|x| x.metric == m);
    usage
        .iter()
        .filter(|(m, v)| **v > 0.0 && own.is_some_and(|p| meters(p, m)) && !meters(alt_plan, m))
        .map(|(m, v)| {
            format!(
                "{}/{} meters no `{m}`: {} {m} a month are not billed in this alternative (included, or not priced: see its catalog)",
                alt.provider,
                alt.plan,
                crate::units::fmt_count(*v)
            )
        })
        .collect()
}

/// Billing options for `plan` with the component's count (its instances: they multiply the
/// size, and the fee on a per-instance or per-zone plan) and seats.
fn options(size: Option<String>, cfg: &super::BilledConfig, hours_per_month: f64) -> BillOptions {
    let count = cfg.count.max(1.0);
    BillOptions {
        size,
        seats: cfg.seats,
        count,
        hours: hours_per_month,
        annual_billing: false,
        multiplier: cfg.multiplier,
        more_sizes: Vec::new(),
        byok: cfg.byok,
    }
}

/// The factor on `usage`'s volumes at which plans `a` and `b` cost the same, nearest to 1
/// within 10⁻³ to 10³ (see the module docs).
pub fn break_even(usage: &Usage, a: (&Plan, &BillOptions), b: (&Plan, &BillOptions)) -> Option<f64> {
    let diff = |k: f64| {
        let u = scale_usage(usage, k);
        // Steady months: a one-time credit is spent by then.
        let steady = |(p, o): (&Plan, &BillOptions)| pricing::bill_after(p, &u, o, f64::INFINITY).total;
        steady(b) - steady(a)
    };
    const STEPS: i32 = 600;
    let grid = |j: i32| 10f64.powf(-3.0 + 6.0 * f64::from(j) / f64::from(STEPS));
    let mut best: Option<(f64, f64, f64)> = None; // (distance from 1 in log, lo, hi)
    let mut prev = (grid(0), diff(grid(0)));
    for j in 1..=STEPS {
        let k = grid(j);
        let d = diff(k);
        if d == 0.0 || d.signum() != prev.1.signum() {
            let dist = (prev.0.ln().abs()).min(k.ln().abs());
            if best.is_none_or(|b| dist < b.0) {
                best = Some((dist, prev.0, k));
            }
        }
        prev = (k, d);
    }
    let (_, mut lo, mut hi) = best?;
    let d_lo = diff(lo);
    if d_lo == 0.0 {
        return Some(lo);
    }
    while (hi - lo) > 1e-9 * hi {
        let mid = 0.5 * (lo + hi);
        let d = diff(mid);
        if d == 0.0 {
            return Some(mid);
        }
        if d.signum() == d_lo.signum() {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(0.5 * (lo + hi))
}
