//! Calendar-month bills over changing configurations.
//!
//! A month is `hours_per_month` long. Within it, each billing unit (an account or a lone
//! component, see [`super`]) runs one or more *segments* of constant configuration (a trigger
//! upgraded a plan mid-month, a stage switch added a component). Each segment's charges (fee,
//! sizes, meters) are billed at the monthly rate and prorated by the share of the month it ran;
//! the account's adjustments (credit, usage commitment) then apply **once for the month**,
//! against all its segments, on the plan it ends the month on.
//!
//! **Whole months.** A horizon that ends inside a month does not bill a fraction of it: the
//! configuration running at the end continues to the month's end at the rate of its last
//! simulated part, so every month's figure is a whole month's bill and a budget compares like
//! with like. [`MonthBill::covered`] says how much of the month was simulated.

use super::usage::scale_usage;
use super::{BillingUnit, PeriodUsage};
use crate::pricing::{self, Bill, Catalog, ChargedPart, CostLine};
use crate::results::{ComponentBill, MonthBill};
use crate::units::fmt_money;

/// A billing unit's constant configuration over part of a month.
struct Segment {
    unit: BillingUnit,
    hours: f64,
}

/// What earlier months used of each billing unit's one-time credit (a trial's), by unit key.
pub type OnceCredits = std::collections::BTreeMap<String, f64>;

/// Bills month `m` (0-based) from the usage of the periods that overlap it. `period_bounds`
/// gives a period's start and end in seconds; `names` are the components. `once` holds what
/// months before `m` used of one-time credits; this month's use is added to it.
#[allow(clippy::too_many_arguments)]
pub fn bill_month(
    m: usize,
    hours_per_month: f64,
    horizon: f64,
    usage_log: &[(usize, PeriodUsage)],
    period_bounds: impl Fn(usize) -> (f64, f64),
    names: &[String],
    catalog: &Catalog,
    once: &mut OnceCredits,
) -> MonthBill {
    let month_s = hours_per_month * 3600.0;
    let (ms, me) = (m as f64 * month_s, ((m + 1) as f64 * month_s).min(horizon));
    let (segs, open) = segments(ms, me, usage_log, &period_bounds, names, catalog);
    let mut segs = segs;
    // A horizon ending inside the month: what runs at the end runs on to the month's end.
    let missing_h = ((m + 1) as f64 * month_s - me).max(0.0) / 3600.0;
    if missing_h > 0.0 {
        for &i in &open {
            let s = &mut segs[i];
            let grow = if s.hours > 0.0 {
                (s.hours + missing_h) / s.hours
            } else {
                1.0
            };
            s.unit.usages = s.unit.usages.iter().map(|u| scale_usage(u, grow)).collect();
            s.hours += missing_h;
        }
    }
    let mut bill = MonthBill {
        month: m + 1,
        covered: (me - ms) / month_s,
        components: Vec::new(),
        total: 0.0,
        alternatives: Vec::new(),
    };
    // Segments of one unit, in order of first appearance.
    let mut keys: Vec<&str> = Vec::new();
    for s in &segs {
        if !keys.contains(&s.unit.key.as_str()) {
            keys.push(&s.unit.key);
        }
    }
    for key in keys {
        let chain: Vec<&Segment> = segs.iter().filter(|s| s.unit.key == key).collect();
        let used = once.entry(key.to_string()).or_insert(0.0);
        for cb in bill_chain(&chain, hours_per_month, names, catalog, used) {
            bill.total += cb.bill.total;
            bill.components.push(cb);
        }
    }
    bill
}

/// Splits the month into segments of constant (configuration, members) per billing unit;
/// returns them with the indices of those still running in the month's last period.
fn segments(
    ms: f64,
    me: f64,
    usage_log: &[(usize, PeriodUsage)],
    period_bounds: &impl Fn(usize) -> (f64, f64),
    names: &[String],
    catalog: &Catalog,
) -> (Vec<Segment>, Vec<usize>) {
    let mut segs: Vec<Segment> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for (p, row) in usage_log {
        let (a, b) = period_bounds(*p);
        let overlap = (b.min(me) - a.max(ms)).max(0.0);
        if overlap <= 0.0 {
            continue;
        }
        let frac = overlap / (b - a);
        let mut still_open = Vec::new();
        for unit in super::billing_units(row, catalog, names) {
            let scaled: Vec<_> = unit.usages.iter().map(|u| scale_usage(u, frac)).collect();
            let same = |s: &Segment| s.unit.cfg == unit.cfg && s.unit.own == unit.own && s.unit.members == unit.members;
            match open.iter().copied().find(|&i| same(&segs[i])) {
                Some(i) => {
                    let seg = &mut segs[i];
                    for (acc, u) in seg.unit.usages.iter_mut().zip(&scaled) {
                        for (k, v) in u {
                            let e = acc.entry(k.clone()).or_insert(0.0);
                            *e = if super::usage::is_level_metric(k) {
                                e.max(*v)
                            } else {
                                *e + v
                            };
                        }
                    }
                    seg.hours += overlap / 3600.0;
                    still_open.push(i);
                }
                None => {
                    segs.push(Segment {
                        unit: BillingUnit { usages: scaled, ..unit },
                        hours: overlap / 3600.0,
                    });
                    still_open.push(segs.len() - 1);
                }
            }
        }
        open = still_open;
    }
    (segs, open)
}

/// Bills one unit's segments of the month: each one's charges prorated, the account's
/// adjustments once, on the last segment.
fn bill_chain(
    chain: &[&Segment],
    hpm: f64,
    names: &[String],
    catalog: &Catalog,
    once_used: &mut f64,
) -> Vec<ComponentBill> {
    struct Charged<'a> {
        seg: &'a Segment,
        plan: &'a pricing::Plan,
        bill: Bill,
        fraction: f64,
        scale: f64,
    }
    let charged: Vec<Charged> = chain
        .iter()
        .filter_map(|seg| {
            let plan = seg.unit.plan(catalog)?;
            let scale = if seg.hours > 0.0 { hpm / seg.hours } else { 1.0 };
            let usage = scale_usage(&seg.unit.merged_usage(), scale);
            let mut bill = pricing::charges(plan, &usage, &seg.unit.options(hpm));
            bill.warnings.extend(seg.unit.notes.iter().cloned());
            Some(Charged {
                seg,
                plan,
                bill,
                fraction: seg.hours / hpm,
                scale,
            })
        })
        .collect();
    let Some(last) = charged.last() else {
        return Vec::new();
    };
    let parts: Vec<ChargedPart> = charged
        .iter()
        .map(|c| ChargedPart {
            plan: c.plan,
            lines: &c.bill.lines,
            fraction: c.fraction,
            seats: c.seg.unit.cfg.seats,
            fee_total: pricing::monthly_fee(c.plan, &c.seg.unit.options(hpm)),
        })
        .collect();
    // The users' own keys pay a byok unit: no account of the operator's to adjust.
    let adjustments = if last.seg.unit.cfg.byok {
        Vec::new()
    } else {
        pricing::adjustments_after(last.plan, &parts, *once_used)
    };
    *once_used += pricing::once_credit_used(last.plan, &adjustments);
    let n = charged.len();
    charged
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let mut bill = prorated(c.bill, c.fraction);
            if i + 1 == n {
                bill.lines.extend(adjustments.iter().cloned());
                bill.total = bill.lines.iter().map(|l| l.amount).sum();
            }
            let unit = &c.seg.unit;
            let shares = super::split(bill.total, &unit.member_weights(c.scale, catalog, hpm));
            let member_names: Vec<String> = unit.members.iter().map(|i| names[*i].clone()).collect();
            ComponentBill {
                component: member_names.join(" + "),
                members: member_names.into_iter().zip(shares).collect(),
                provider: unit.cfg.provider.clone(),
                plan: unit.cfg.plan.clone(),
                fraction: c.fraction,
                bill,
            }
        })
        .collect()
}

/// A monthly-rate bill prorated to the share of the month its configuration ran: every
/// amount × `fraction`, and the arithmetic says so.
fn prorated(mut bill: Bill, fraction: f64) -> Bill {
    if (fraction - 1.0).abs() > 1e-9 {
        for l in &mut bill.lines {
            let full = l.amount;
            l.amount = full * fraction;
            l.avoided *= fraction;
            l.arithmetic = if l.kind == crate::pricing::LineKind::Byok {
                format!(
                    "{}; × {:.4} of the month: {} avoided",
                    l.arithmetic,
                    fraction,
                    fmt_money(l.avoided)
                )
            } else {
                format!(
                    "{}; × {:.4} of the month = {}",
                    l.arithmetic,
                    fraction,
                    fmt_money(l.amount)
                )
            };
        }
        bill.total = bill.lines.iter().map(|l: &CostLine| l.amount).sum();
    }
    bill
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::BilledConfig;
    use crate::pricing::Usage;

    fn catalog() -> Catalog {
        Catalog::builtin().expect("catalogs")
    }

    fn supabase(size: &str) -> BilledConfig {
        BilledConfig {
            byok: false,
            provider: "supabase".into(),
            plan: "pro".into(),
            size: Some(size.into()),
            count: 1.0,
            seats: 1.0,
            multiplier: 1.0,
            annual: false,
            alternatives: Vec::new(),
        }
    }

    /// Supabase Pro, Micro for 15 days then Small: the $10 compute credit applies once to the
    /// month's compute, not prorated per configuration.
    #[test]
    fn a_monthly_credit_applies_once_across_a_mid_month_upgrade() {
        let day = |p: usize| (p as f64 * 86400.0, (p + 1) as f64 * 86400.0);
        let log: Vec<(usize, PeriodUsage)> = (0..31)
            .map(|p| {
                (
                    p,
                    vec![(Some(supabase(if p < 15 { "micro" } else { "small" })), Usage::new())],
                )
            })
            .collect();
        let names = vec!["database".to_string()];
        let m = bill_month(
            0,
            730.0,
            60.0 * 86400.0,
            &log,
            day,
            &names,
            &catalog(),
            &mut OnceCredits::new(),
        );
        // $25 fee (prorated over the two parts, which sum to the whole month), Micro 360 h ×
        // $0.01344 = $4.84, Small 370 h × $0.0206 = $7.62; one $10 credit: $25 + $12.46 − $10.
        let expected = 25.0 + 360.0 * 0.01344 + 370.0 * 0.0206 - 10.0;
        assert!((m.total - expected).abs() < 1e-9, "{} vs {expected}", m.total);
        let credits: Vec<&CostLine> = m
            .components
            .iter()
            .flat_map(|c| &c.bill.lines)
            .filter(|l| l.item == "credit")
            .collect();
        assert_eq!(credits.len(), 1, "one credit for the month");
        assert!(
            credits[0].arithmetic.contains("once for the month"),
            "{}",
            credits[0].arithmetic
        );
    }

    /// The same configuration all month bills exactly what a single monthly bill says.
    #[test]
    fn one_configuration_all_month_is_the_plain_monthly_bill() {
        let day = |p: usize| (p as f64 * 86400.0, (p + 1) as f64 * 86400.0);
        let mut u = Usage::new();
        u.insert("mau".into(), 150_000.0);
        let log: Vec<(usize, PeriodUsage)> = (0..31)
            .map(|p| (p, vec![(Some(supabase("micro")), u.clone())]))
            .collect();
        let cat = catalog();
        let m = bill_month(
            0,
            730.0,
            60.0 * 86400.0,
            &log,
            day,
            &["database".to_string()],
            &cat,
            &mut OnceCredits::new(),
        );
        let plan = cat.plan("supabase", "pro").unwrap();
        let opts = crate::pricing::BillOptions {
            size: Some("micro".into()),
            ..Default::default()
        };
        let single = crate::pricing::bill(plan, &u, &opts);
        assert!((m.total - single.total).abs() < 1e-9, "{} vs {}", m.total, single.total);
        // 50K MAU over the quota at $0.00325 = $162.50, plus the $25 fee; Micro is inside the credit.
        assert!((single.total - (25.0 + 162.5)).abs() < 1e-9, "{}", single.total);
    }
}
