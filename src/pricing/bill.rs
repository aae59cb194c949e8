//! One month's bill for one plan: pure arithmetic over a [`Plan`] and a [`Usage`].
//!
//! Kept apart from loading so it can be called in the simulator's inner loops and tested
//! with hand-computed numbers. The order of the lines and what each step means are in the
//! module docs of [`crate::pricing`]; each line's `arithmetic` spells out the computation so
//! a reader can check a report without the catalog at hand.

use super::{Bill, BillOptions, CostLine, FeeBasis, LineKind, Meter, Plan, TierMode, Usage};
use crate::units::fmt_money;

/// Bills `plan` for one month of `usage` (see the billing semantics in [`crate::pricing`]):
/// its charges, then the account adjustments of a month in which this was the only
/// configuration.
pub fn bill(plan: &Plan, usage: &Usage, opts: &BillOptions) -> Bill {
    bill_after(plan, usage, opts, 0.0)
}

/// [`bill`] for a month after earlier ones that used `once_used` dollars of the plan's
/// one-time credit (`f64::INFINITY`: none of it is left, as in a steady month's run-rate).
pub fn bill_after(plan: &Plan, usage: &Usage, opts: &BillOptions, once_used: f64) -> Bill {
    let mut b = charges(plan, usage, opts);
    if opts.byok {
        return b;
    }
    let adj = adjustments_after(
        plan,
        &[ChargedPart {
            plan,
            lines: &b.lines,
            fraction: 1.0,
            seats: opts.seats,
            fee_total: fee_total(plan, opts).0,
        }],
        once_used,
    );
    b.lines.extend(adj);
    b.total = b.lines.iter().map(|l| l.amount).sum();
    b
}

/// The monthly fee of `plan` times its basis (seats, instances…): the commitment where the
/// fee is one.
pub fn monthly_fee(plan: &Plan, opts: &BillOptions) -> f64 {
    fee_total(plan, opts).0
}

/// The monthly fee of `plan` (annual price when asked and published) times its basis, with the
/// arithmetic's pieces: `(total, fee, units, unit, " billed annually" or "")`.
fn fee_total(plan: &Plan, opts: &BillOptions) -> (f64, f64, f64, &'static str, &'static str) {
    let (fee, billed_annually) = match (opts.annual_billing, plan.annual_fee) {
        (true, Some(annual)) => (annual, " billed annually"),
        _ => (plan.fee, ""),
    };
    let (fee_units, fee_unit) = match plan.fee_basis {
        FeeBasis::PerSeat => (opts.seats, "seat"),
        FeeBasis::PerInstance => (opts.count, "instance"),
        FeeBasis::PerZone => (opts.count, "zone"),
        // A flat fee is one per plan, whatever the instances its sizes bill.
        FeeBasis::Flat => (1.0, "plan"),
    };
    (fee * fee_units, fee, fee_units, fee_unit, billed_annually)
}

/// A month's charges for `plan` at the monthly rate, before the account's credit and usage
/// commitment: the base fee (unless it is a usage commitment), the compute size(s), the
/// meters, and the multiplier over all of them.
pub fn charges(plan: &Plan, usage: &Usage, opts: &BillOptions) -> Bill {
    let mut lines: Vec<CostLine> = Vec::new();
    let mut warnings = Vec::new();

    let (fee_total, fee, fee_units, fee_unit, billed_annually) = fee_total(plan, opts);
    if !plan.fee_is_usage_credit && fee > 0.0 {
        let arithmetic = format!(
            "{}/month{billed_annually} × {} = {}",
            fmt_price(fee),
            counted(fee_units, fee_unit),
            fmt_money(fee_total)
        );
        lines.push(CostLine {
            usage: fee_units,
            billable: fee_units,
            rate: fee,
            amount: fee_total,
            ..line("base fee", LineKind::Fee, fee_unit, arithmetic)
        });
    }

    let sizes = std::iter::once((opts.size.clone(), opts.count)).chain(opts.more_sizes.iter().cloned());
    for (size, count) in sizes {
        if let Some(l) = size_line(plan, size.as_deref(), count, opts.hours, &mut warnings) {
            lines.push(l);
        }
    }

    for (key, meter) in &plan.meters {
        let used = usage.get(&meter.metric).copied().unwrap_or(0.0);
        if used > 0.0 {
            lines.push(meter_line(plan, key, meter, used, opts, &mut warnings));
        }
    }

    if opts.multiplier != 1.0 {
        let subtotal: f64 = lines.iter().map(|l| l.amount).sum();
        let extra = subtotal * (opts.multiplier - 1.0);
        let m = fmt_qty(opts.multiplier);
        let arithmetic = format!(
            "charges × {m}: {} × ({m} − 1) = {}",
            fmt_money(subtotal),
            fmt_money(extra)
        );
        lines.push(CostLine {
            usage: subtotal,
            billable: subtotal,
            rate: opts.multiplier - 1.0,
            amount: extra,
            ..line(&format!("multiplier ×{m}"), LineKind::Multiplier, "USD", arithmetic)
        });
    }

    if opts.byok {
        return super::byok::bill(lines, usage, warnings);
    }
    let total = lines.iter().map(|l| l.amount).sum();
    Bill { lines, total, warnings }
}

/// One configuration's charges within a month, for [`adjustments`].
pub struct ChargedPart<'a> {
    /// The plan the part was charged on.
    pub plan: &'a Plan,
    /// Its charges at the monthly rate ([`charges`]).
    pub lines: &'a [CostLine],
    /// The share of the month it ran.
    pub fraction: f64,
    pub seats: f64,
    /// Its fee × basis at the monthly rate (the commitment, where the fee is one).
    pub fee_total: f64,
}

/// Whether `credit` of a plan covers line `l`.
fn credit_covers(credit: &super::Credit, l: &CostLine) -> bool {
    match l.kind {
        LineKind::Size => credit.applies_to.is_empty() || credit.applies_to.iter().any(|a| a == "sizes"),
        LineKind::Meter => credit.applies_to.is_empty() || credit.applies_to.contains(&l.item),
        _ => false,
    }
}

/// The account's adjustments for one month, applied once whatever the number of
/// configurations the month had: the credit of `plan` (the plan at the month's end) against
/// the lines each part's own plan lets a credit cover, then the usage commitment (the parts'
/// commitments, prorated, against everything else charged).
pub fn adjustments(plan: &Plan, parts: &[ChargedPart]) -> Vec<CostLine> {
    adjustments_after(plan, parts, 0.0)
}

/// Dollars of `plan`'s one-time credit the adjustment `lines` used (0 for a monthly credit).
pub fn once_credit_used(plan: &Plan, lines: &[CostLine]) -> f64 {
    if !plan.credit.as_ref().is_some_and(|c| c.once) {
        return 0.0;
    }
    lines
        .iter()
        .filter(|l| l.kind == LineKind::Credit)
        .map(|l| -l.amount)
        .sum()
}

/// [`adjustments`] in a month after earlier ones that used `once_used` dollars of the plan's
/// one-time credit: only the rest of it is available.
pub fn adjustments_after(plan: &Plan, parts: &[ChargedPart], once_used: f64) -> Vec<CostLine> {
    let mut out = Vec::new();
    let prorated = parts.iter().any(|p| p.fraction < 1.0);
    let mut charged: f64 = parts
        .iter()
        .map(|p| p.fraction * p.lines.iter().map(|l| l.amount).sum::<f64>())
        .sum();
    if let Some(credit) = &plan.credit {
        let seats = parts.last().map_or(1.0, |p| p.seats);
        let (available, of_what) = if credit.per_seat {
            let total = credit.amount * seats;
            let text = format!(
                "{} × {} = {}",
                fmt_price(credit.amount),
                counted(seats, "seat"),
                fmt_money(total)
            );
            (total, text)
        } else if credit.once {
            let left = (credit.amount - once_used).max(0.0);
            let text = if once_used > 0.0 {
                format!("{} left of the {} one-time", fmt_money(left), fmt_money(credit.amount))
            } else {
                format!("{} one-time", fmt_money(credit.amount))
            };
            (left, text)
        } else {
            (credit.amount, fmt_money(credit.amount))
        };
        let mut names: Vec<&str> = Vec::new();
        let mut eligible = 0.0;
        for p in parts {
            let Some(own) = &p.plan.credit else { continue };
            for l in p.lines.iter().filter(|l| credit_covers(own, l)) {
                eligible += l.amount * p.fraction;
                if !names.contains(&l.item.as_str()) {
                    names.push(&l.item);
                }
            }
        }
        let eligible = eligible.max(0.0);
        let names = if names.is_empty() {
            "no line it applies to".to_string()
        } else {
            names.join(" + ")
        };
        let once = if prorated { " (once for the month)" } else { "" };
        let applied = available.min(eligible);
        let arithmetic = format!(
            "−min({of_what} credit{once}, {} of {names}) = −{}",
            fmt_money(eligible),
            fmt_money(applied)
        );
        charged -= applied;
        out.push(CostLine {
            usage: eligible,
            billable: eligible,
            rate: 1.0,
            amount: if applied > 0.0 { -applied } else { 0.0 },
            ..line("credit", LineKind::Credit, "USD", arithmetic)
        });
    }
    if plan.fee_is_usage_credit {
        let commitment: f64 = parts
            .iter()
            .filter(|p| p.plan.fee_is_usage_credit)
            .map(|p| p.fee_total * p.fraction)
            .sum();
        let unused = (commitment - charged).max(0.0);
        let what = if prorated { "prorated commitment" } else { "commitment" };
        let commitment_text = format!("{} {what}", fmt_money(commitment));
        let arithmetic = if unused > 0.0 {
            format!(
                "max({commitment_text}, {} usage) = {}: the commitment applies; {} of it is unused",
                fmt_money(charged),
                fmt_money(commitment),
                fmt_money(unused)
            )
        } else {
            format!(
                "max({commitment_text}, {} usage) = {}: usage applies (it uses up the commitment)",
                fmt_money(charged),
                fmt_money(charged)
            )
        };
        out.push(CostLine {
            usage: charged,
            included: commitment,
            billable: unused,
            rate: 1.0,
            amount: unused,
            ..line("usage below commitment", LineKind::Commitment, "USD", arithmetic)
        });
    }
    out
}

/// The size charge, or a warning when the size is unknown, unchosen or unpriced.
fn size_line(
    plan: &Plan,
    size: Option<&str>,
    count: f64,
    month_hours: f64,
    warnings: &mut Vec<String>,
) -> Option<CostLine> {
    let Some(id) = size.or(plan.default_size.as_deref()) else {
        if !plan.sizes.is_empty() {
            warnings.push(format!(
                "{}: no size chosen and the plan has no default size, so compute is not billed (sizes: {})",
                plan.name,
                plan.sizes.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        return None;
    };
    let size = match plan.size(id) {
        Ok(s) => s,
        Err((reason, allowed)) => {
            let known = if allowed.is_empty() {
                String::new()
            } else {
                format!(" (sizes: {})", allowed.join(", "))
            };
            warnings.push(format!("{}: {reason}; compute is not billed{known}", plan.name));
            return None;
        }
    };
    let item = format!("compute ({})", size.name);
    Some(match (size.hourly, size.monthly) {
        (Some(hourly), _) => {
            let hours = month_hours * count;
            let amount = hourly * hours;
            let arithmetic = format!(
                "{}/h × {} h × {} = {}",
                fmt_price(hourly),
                fmt_qty(month_hours),
                counted(count, "instance"),
                fmt_money(amount)
            );
            CostLine {
                usage: hours,
                billable: hours,
                rate: hourly,
                amount,
                ..line(&item, LineKind::Size, "instance-hours", arithmetic)
            }
        }
        (None, Some(monthly)) => {
            let amount = monthly * count;
            let arithmetic = format!(
                "{}/month × {} = {}",
                fmt_price(monthly),
                counted(count, "instance"),
                fmt_money(amount)
            );
            CostLine {
                usage: count,
                billable: count,
                rate: monthly,
                amount,
                ..line(&item, LineKind::Size, "instance-months", arithmetic)
            }
        }
        (None, None) => {
            warnings.push(format!(
                "{}: size {} has no published price; its cost is not in this bill",
                plan.name, size.name
            ));
            let arithmetic = format!("no published price for {}: not billed", size.name);
            CostLine {
                usage: count,
                ..line(&item, LineKind::Size, "instances", arithmetic)
            }
        }
    })
}

fn meter_line(
    plan: &Plan,
    key: &str,
    m: &Meter,
    used: f64,
    opts: &BillOptions,
    warnings: &mut Vec<String>,
) -> CostLine {
    let seats = opts.seats;
    let included = if m.included_per_seat {
        m.included * seats
    } else {
        m.included
    };
    let mut billable = above_quota(used, included);
    let mut steps = format!("{} {}", fmt_qty(used), m.unit);
    if included > 0.0 {
        let per_seat = if m.included_per_seat {
            format!(" ({})", counted(seats, "seat"))
        } else {
            String::new()
        };
        steps += &format!(" − {} included{per_seat} = {}", fmt_qty(included), fmt_qty(billable));
    }
    if let Some(block) = m.block {
        if billable > 0.0 {
            let blocks = (billable / block - 1e-9).ceil();
            billable = blocks * block;
            steps += &format!(
                ", rounded up to {} × {} = {}",
                fmt_qty(blocks),
                fmt_qty(block),
                fmt_qty(billable)
            );
        }
    }
    if m.multiplier != 1.0 && billable > 0.0 {
        billable *= m.multiplier;
        steps += &format!(" × {} = {}", fmt_qty(m.multiplier), fmt_qty(billable));
    }
    let (amount, rate, pricing) = if plan.hard_caps {
        if billable > 0.0 {
            warnings.push(format!(
                "{}: {key} ({}) is {} {unit}, over the included {} {unit}: this plan has hard caps and bills \
                 no overage, so the service would be stopped, paused or made read-only instead",
                plan.name,
                m.metric,
                fmt_qty(used),
                fmt_qty(included),
                unit = m.unit,
            ));
            (0.0, 0.0, " over the cap: not billed (hard cap)".to_string())
        } else {
            (0.0, 0.0, " (within the cap)".to_string())
        }
    } else if !m.tiers.is_empty() {
        let (amount, text) = tiered(plan, key, m, billable, warnings);
        let average = if billable > 0.0 { amount / billable * m.per } else { 0.0 };
        (amount, average, format!(": {text}"))
    } else if billable == 0.0 {
        (
            0.0,
            m.rate.unwrap_or(0.0),
            " → $0.00 (within the included allowance)".to_string(),
        )
    } else if let Some(rate) = m.rate {
        at_rate(m, rate, billable, opts.hours)
    } else {
        let above = if included > 0.0 {
            format!(" above the included {} {}", fmt_qty(included), m.unit)
        } else {
            String::new()
        };
        warnings.push(format!(
            "{}: {key} ({}) has no published price{above}; {} {} not billed",
            plan.name,
            m.metric,
            fmt_qty(billable),
            m.unit
        ));
        (0.0, 0.0, ": no published price, not billed".to_string())
    };
    CostLine {
        usage: used,
        included,
        billable,
        rate,
        per: m.per,
        amount,
        ..line(key, LineKind::Meter, &m.unit, format!("{steps}{pricing}"))
    }
}

/// Billable usage of meter `m` priced at `rate` per `m.per` units (per minute where the meter
/// says so, `hours` being the month's length): `(amount, rate per metric unit, arithmetic)`.
fn at_rate(m: &Meter, rate: f64, billable: f64, hours: f64) -> (f64, f64, String) {
    let per = per_suffix(m.per, &m.unit);
    // Checked at load: a per-minute meter's metric is counted in hours or months.
    match m
        .per_minute
        .then(|| super::minutes_per_unit(&m.metric, hours))
        .flatten()
    {
        Some(minutes) => {
            let amount = billable * minutes * rate / m.per;
            let per_what = if m.metric.ends_with("_hours") { "h" } else { "month" };
            (
                amount,
                // The line's rate stays per metric unit, so billable × rate / per = amount.
                rate * minutes,
                format!(
                    " × {} min/{per_what} = {} minutes × {}/minute{per} = {}",
                    fmt_qty(minutes),
                    fmt_qty(billable * minutes),
                    fmt_price(rate),
                    fmt_money(amount)
                ),
            )
        }
        None => {
            let amount = billable * rate / m.per;
            (
                amount,
                rate,
                format!(" × {}{per} = {}", fmt_price(rate), fmt_money(amount)),
            )
        }
    }
}

/// Prices `units` by the meter's bands; returns the amount and the band-by-band arithmetic.
fn tiered(plan: &Plan, key: &str, m: &Meter, units: f64, warnings: &mut Vec<String>) -> (f64, String) {
    let per = per_suffix(m.per, &m.unit);
    let last_limit = m.tiers.last().and_then(|t| t.up_to);
    let unpriced = last_limit.map_or(0.0, |limit| above_quota(units, limit));
    if unpriced > 0.0 {
        warnings.push(format!(
            "{}: {key} ({}) has no published price above {} {}; {} {} not billed",
            plan.name,
            m.metric,
            fmt_qty(last_limit.unwrap_or_default()),
            m.unit,
            fmt_qty(unpriced),
            m.unit
        ));
    }
    let unpriced_note = if unpriced > 0.0 {
        format!(" + {} unpriced", fmt_qty(unpriced))
    } else {
        String::new()
    };
    match m.tier_mode {
        TierMode::Graduated => {
            let mut amount = 0.0;
            let mut parts = Vec::new();
            let mut lower = 0.0;
            for t in &m.tiers {
                let upper = t.up_to.unwrap_or(f64::INFINITY);
                let inside = units.min(upper) - lower;
                if inside <= 0.0 || (lower > 0.0 && above_quota(units, lower) == 0.0) {
                    break;
                }
                amount += inside * t.rate / m.per;
                parts.push(if t.rate == 0.0 {
                    format!("{} free", fmt_qty(inside))
                } else {
                    format!("{} × {}{per}", fmt_qty(inside), fmt_price(t.rate))
                });
                lower = upper;
            }
            if parts.is_empty() {
                parts.push("0".to_string());
            }
            (
                amount,
                format!("{}{unpriced_note} = {}", parts.join(" + "), fmt_money(amount)),
            )
        }
        TierMode::Volume => {
            let band = m
                .tiers
                .iter()
                .find(|t| t.up_to.is_none_or(|u| above_quota(units, u) == 0.0))
                .or(m.tiers.last());
            let Some(band) = band else {
                return (0.0, "no bands".to_string());
            };
            let priced = units - unpriced;
            let amount = priced * band.rate / m.per;
            let reached = band
                .up_to
                .map_or("the top band".to_string(), |u| format!("the band up to {}", fmt_qty(u)));
            let text = format!(
                "{reached} prices all units: {} × {}{per}{unpriced_note} = {}",
                fmt_qty(priced),
                fmt_price(band.rate),
                fmt_money(amount)
            );
            (amount, text)
        }
    }
}

/// Relative tolerance when usage is compared with a quota: usage accrued period by period
/// carries rounding errors of about 1e-15 per addition, so exactly the quota (1M events summed
/// over 30 daily periods) must not land "a hair above" it and trip a hard cap.
pub const QUOTA_TOLERANCE: f64 = 1e-9;

/// Usage beyond `included`, or 0 when usage is within the quota up to [`QUOTA_TOLERANCE`].
pub fn above_quota(used: f64, included: f64) -> f64 {
    let over = used - included;
    if over <= QUOTA_TOLERANCE * used.abs().max(included.abs()) {
        0.0
    } else {
        over
    }
}

/// A line with nothing counted yet; callers fill in the quantities with `..line(…)`.
fn line(item: &str, kind: LineKind, unit: &str, arithmetic: String) -> CostLine {
    CostLine {
        item: item.to_string(),
        kind,
        usage: 0.0,
        unit: unit.to_string(),
        included: 0.0,
        billable: 0.0,
        rate: 0.0,
        per: 1.0,
        amount: 0.0,
        avoided: 0.0,
        arithmetic,
    }
}

/// ` per 1M tokens` after a rate that is for more than one unit; a rate per 730 hours of a
/// `…-hours` unit is per month of that unit: ` per vCPU-month (730 h)`.
fn per_suffix(per: f64, unit: &str) -> String {
    if per == 1.0 {
        String::new()
    } else if let Some(what) = unit.strip_suffix("-hours").filter(|_| per == 730.0) {
        format!(" per {what}-month (730 h)")
    } else {
        format!(" per {} {unit}", fmt_qty(per))
    }
}

/// `3 seats`, `1 instance`.
fn counted(n: f64, unit: &str) -> String {
    let s = if n == 1.0 { "" } else { "s" };
    format!("{} {unit}{s}", fmt_qty(n))
}

fn trimmed(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".to_string()
    } else {
        s
    }
}

/// A quantity for arithmetic, to the four significant digits a reader can check a bill with
/// (whole numbers in full): `4.4`, `1460`, `882.2`, `0.9118`, `50K`, `1.5M`, `659.01K`.
fn fmt_qty(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{}B", trimmed(v / 1e9, 3))
    } else if a >= 1e6 {
        format!("{}M", trimmed(v / 1e6, 3))
    } else if a >= 1e4 {
        format!("{}K", trimmed(v / 1e3, 2))
    } else if a >= 1000.0 || a == 0.0 {
        trimmed(v, 0)
    } else {
        // Four significant digits: 3 decimals at 1–10, 5 at 0.01–0.1, …
        let decimals = (3 - a.log10().floor() as i32).clamp(0, 12) as usize;
        trimmed(v, decimals)
    }
}

/// A unit price with all its digits: `$0.00005`, `$0.125`, `$20.00`, `$0.000003472222222`.
fn fmt_price(v: f64) -> String {
    let cents = v * 100.0;
    if (cents - cents.round()).abs() < 1e-9 {
        fmt_money(v)
    } else {
        // 15 significant digits, so $0.000003472222222 (Railway's per-minute volume rate)
        // shows in full without showing the binary noise of larger prices.
        let integer_digits = if v.abs() >= 1.0 {
            v.abs().log10().floor() as usize + 1
        } else {
            0
        };
        format!("${}", trimmed(v, 15usize.saturating_sub(integer_digits)))
    }
}

#[cfg(test)]
#[path = "bill_tests.rs"]
mod tests;
