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
    let mut b = charges(plan, usage, opts);
    let adj = adjustments(
        plan,
        &[ChargedPart {
            plan,
            lines: &b.lines,
            fraction: 1.0,
            seats: opts.seats,
            fee_total: fee_total(plan, opts).0,
        }],
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
        FeeBasis::Flat => (opts.count, "plan"),
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
    let per = per_suffix(m.per);
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
        // Checked at load: a per-minute meter's metric is counted in hours or months.
        match m
            .per_minute
            .then(|| super::minutes_per_unit(&m.metric, opts.hours))
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

/// Prices `units` by the meter's bands; returns the amount and the band-by-band arithmetic.
fn tiered(plan: &Plan, key: &str, m: &Meter, units: f64, warnings: &mut Vec<String>) -> (f64, String) {
    let per = per_suffix(m.per);
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
        arithmetic,
    }
}

/// ` per 1M` after a rate that is for more than one unit.
fn per_suffix(per: f64) -> String {
    if per == 1.0 {
        String::new()
    } else {
        format!(" per {}", fmt_qty(per))
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

/// A quantity for arithmetic: `4.4`, `1460`, `50K`, `1.5M`.
fn fmt_qty(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{}B", trimmed(v / 1e9, 3))
    } else if a >= 1e6 {
        format!("{}M", trimmed(v / 1e6, 3))
    } else if a >= 1e4 {
        format!("{}K", trimmed(v / 1e3, 3))
    } else if a >= 1.0 {
        trimmed(v, 4)
    } else {
        trimmed(v, 6)
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
mod tests {
    use super::*;
    use crate::pricing::catalog::tests::plan;

    fn usage(pairs: &[(&str, f64)]) -> Usage {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    fn find<'a>(b: &'a Bill, item: &str) -> &'a CostLine {
        b.lines
            .iter()
            .find(|l| l.item == item)
            .unwrap_or_else(|| panic!("no line {item}: {b:#?}"))
    }

    fn sum_of_lines(b: &Bill) -> f64 {
        b.lines.iter().map(|l| l.amount).sum()
    }

    #[test]
    fn flat_overage_after_included() {
        let p = plan(
            "name: P\nfee: $25\nmeters:\n  disk: {metric: storage_gb_peak, unit: GB-months, included: 8, rate: $0.125}",
        );
        let b = bill(&p, &usage(&[("storage_gb_peak", 12.4)]), &BillOptions::default());
        let disk = find(&b, "disk");
        assert!(close(disk.billable, 4.4) && close(disk.amount, 0.55), "{disk:#?}");
        assert_eq!(disk.arithmetic, "12.4 GB-months − 8 included = 4.4 × $0.125 = $0.55");
        assert_eq!(find(&b, "base fee").arithmetic, "$25.00/month × 1 plan = $25.00");
        assert!(close(b.total, 25.55) && close(b.total, sum_of_lines(&b)));
        assert!(b.warnings.is_empty());
    }

    #[test]
    fn included_quota_not_exceeded_costs_nothing() {
        let p = plan("name: P\nfee: $0\nmeters:\n  egress: {metric: egress_gb, unit: GB, included: 250, rate: $0.09}");
        let b = bill(&p, &usage(&[("egress_gb", 100.0)]), &BillOptions::default());
        let l = find(&b, "egress");
        assert_eq!((l.billable, l.amount), (0.0, 0.0));
        assert_eq!(
            l.arithmetic,
            "100 GB − 250 included = 0 → $0.00 (within the included allowance)"
        );
        assert_eq!(b.total, 0.0);
    }

    #[test]
    fn rate_per_million_units() {
        let p = plan(
            "name: P\nfee: $0\nmeters:\n  edge: {metric: requests, unit: requests, per: 1M, included: 10M, rate: $2}",
        );
        let b = bill(&p, &usage(&[("requests", 12.5e6)]), &BillOptions::default());
        let l = find(&b, "edge");
        assert!(close(l.amount, 5.0), "{l:#?}");
        assert_eq!(
            l.arithmetic,
            "12.5M requests − 10M included = 2.5M × $2.00 per 1M = $5.00"
        );
    }

    #[test]
    fn per_minute_rates_turn_hours_and_months_into_minutes() {
        let p = plan(concat!(
            "name: P\nfee: $0\nmeters:\n",
            "  cpu: {metric: vcpu_hours, unit: vCPU-hours, included: 10, rate: $0.000463, per_minute: true}\n",
            "  volume: {metric: storage_gb_months, unit: GB-months, rate: $0.000003472222222, per_minute: true}\n",
        ));
        let u = usage(&[("vcpu_hours", 740.0), ("storage_gb_months", 2.0)]);
        let b = bill(&p, &u, &BillOptions::default());
        // (740 − 10) h × 60 = 43,800 vCPU-minutes × $0.000463 = $20.2794.
        let cpu = find(&b, "cpu");
        assert!(close(cpu.amount, 20.2794), "{cpu:#?}");
        assert_eq!(
            cpu.arithmetic,
            "740 vCPU-hours − 10 included = 730 × 60 min/h = 43.8K minutes × $0.000463/minute = $20.28"
        );
        // The line's rate is per hour, so billable × rate = amount still holds.
        assert!(close(cpu.billable * cpu.rate / cpu.per, cpu.amount));
        // 2 GB-months × 730 h × 60 = 87,600 GB-minutes × $0.000003472222222 = $0.30416666665.
        let volume = find(&b, "volume");
        assert!(close(volume.amount, 87_600.0 * 0.000003472222222), "{volume:#?}");
        // A 744-hour month has 44,640 minutes: the same GB-month costs more.
        let long = BillOptions {
            hours: 744.0,
            ..Default::default()
        };
        let b = bill(&p, &usage(&[("storage_gb_months", 1.0)]), &long);
        assert!(close(find(&b, "volume").amount, 44_640.0 * 0.000003472222222));
    }

    #[test]
    fn per_minute_needs_a_rate_and_a_metric_counted_in_time() {
        let text = crate::pricing::catalog::tests::provider_yaml(concat!(
            "  p:\n    name: P\n    fee: $0\n    meters:\n",
            "      egress: {metric: egress_gb, unit: GB, rate: $0.05, per_minute: true}\n",
            "      cpu: {metric: vcpu_hours, unit: vCPU-hours, per_minute: true}\n",
        ));
        let errs = crate::pricing::catalog::tests::parse(&text).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["plans.p.meters.cpu.per_minute", "plans.p.meters.egress.per_minute"]
        );
        assert!(errs[1].reason.contains("counted in time"), "{}", errs[1]);
        assert!(errs[1].allowed.contains(&"storage_gb_months".to_string()));
    }

    #[test]
    fn graduated_bands_posthog_hand_computed() {
        let p = plan(concat!(
            "name: P\nfee: $0\nmeters:\n",
            "  events:\n    metric: events\n    unit: events\n    tiers:\n",
            "      - {up_to: 1M, rate: $0}\n",
            "      - {up_to: 2M, rate: $0.00005}\n",
            "      - {up_to: 15M, rate: $0.0000343}\n",
            "      - {up_to: 50M, rate: $0.0000295}\n",
            "      - {up_to: 100M, rate: $0.0000218}\n",
            "      - {up_to: 250M, rate: $0.000015}\n",
            "      - {rate: $0.000009}\n",
        ));
        // 20M events: 1M free + 1M × 0.00005 (= 50) + 13M × 0.0000343 (= 445.90)
        //             + 5M × 0.0000295 (= 147.50) = 643.40
        let b = bill(&p, &usage(&[("events", 20e6)]), &BillOptions::default());
        let l = find(&b, "events");
        assert!(close(l.amount, 643.4), "{l:#?}");
        assert_eq!(
            l.arithmetic,
            "20M events: 1M free + 1M × $0.00005 + 13M × $0.0000343 + 5M × $0.0000295 = $643.40"
        );
        // Inside the free band nothing is billed; past the last band's edge the open band applies.
        assert_eq!(
            bill(&p, &usage(&[("events", 0.9e6)]), &BillOptions::default()).total,
            0.0
        );
        let b = bill(&p, &usage(&[("events", 300e6)]), &BillOptions::default());
        let expected =
            50.0 + 13e6 * 0.0000343 + 35e6 * 0.0000295 + 50e6 * 0.0000218 + 150e6 * 0.000015 + 50e6 * 0.000009;
        assert!(close(b.total, expected), "{} vs {expected}", b.total);
        assert!(b.warnings.is_empty());
    }

    #[test]
    fn usage_beyond_the_last_priced_band_warns_and_is_not_billed() {
        let p = plan(concat!(
            "name: P\nfee: $26\nmeters:\n",
            "  errors:\n    metric: errors\n    unit: errors\n    tiers:\n",
            "      - {up_to: 50K, rate: $0}\n",
            "      - {up_to: 100K, rate: $0.0003625}\n",
        ));
        let b = bill(&p, &usage(&[("errors", 150e3)]), &BillOptions::default());
        let l = find(&b, "errors");
        assert!(close(l.amount, 50e3 * 0.0003625), "{l:#?}");
        assert!(l.arithmetic.contains("+ 50K unpriced"), "{}", l.arithmetic);
        assert_eq!(b.warnings.len(), 1);
        assert!(
            b.warnings[0].contains("no published price above 100K errors"),
            "{:?}",
            b.warnings
        );
    }

    #[test]
    fn volume_mode_prices_all_units_at_the_band_reached() {
        let p = plan(concat!(
            "name: P\nfee: $0\nmeters:\n",
            "  storage:\n    metric: storage_gb_months\n    unit: GB-months\n    tier_mode: volume\n    tiers:\n",
            "      - {up_to: 50K, rate: $0.023}\n",
            "      - {up_to: 500K, rate: $0.022}\n",
            "      - {rate: $0.021}\n",
        ));
        let b = bill(&p, &usage(&[("storage_gb_months", 60e3)]), &BillOptions::default());
        let l = find(&b, "storage");
        assert!(close(l.amount, 60e3 * 0.022), "{l:#?}");
        assert_eq!(
            l.arithmetic,
            "60K GB-months: the band up to 500K prices all units: 60K × $0.022 = $1,320.00"
        );
        let b = bill(&p, &usage(&[("storage_gb_months", 40e3)]), &BillOptions::default());
        assert!(close(b.total, 40e3 * 0.023));
        let b = bill(&p, &usage(&[("storage_gb_months", 600e3)]), &BillOptions::default());
        assert!(close(b.total, 600e3 * 0.021));
    }

    #[test]
    fn block_rounds_billable_usage_up() {
        let p = plan(
            "name: P\nfee: $0\nmeters:\n  bw: {metric: egress_gb, unit: GB, per: 100, included: 100, block: 100, rate: $15}",
        );
        let b = bill(&p, &usage(&[("egress_gb", 250.0)]), &BillOptions::default());
        let l = find(&b, "bw");
        assert_eq!(l.billable, 200.0);
        assert!(close(l.amount, 30.0));
        assert_eq!(
            l.arithmetic,
            "250 GB − 100 included = 150, rounded up to 2 × 100 = 200 × $15.00 per 100 = $30.00"
        );
        // An exact multiple is not rounded further.
        let b = bill(&p, &usage(&[("egress_gb", 300.0)]), &BillOptions::default());
        assert_eq!(find(&b, "bw").billable, 200.0);
    }

    #[test]
    fn per_seat_fee_and_per_seat_credit() {
        let p = plan(concat!(
            "name: Pro\nfee: $20\nfee_basis: per_seat\n",
            "credit: {amount: $20, per_seat: true}\n",
            "meters:\n  transfer: {metric: egress_gb, unit: GB, included: 1000, rate: $0.15}\n",
        ));
        let opts = BillOptions {
            seats: 3.0,
            ..Default::default()
        };
        // 1,500 GB: 500 × 0.15 = 75 of usage; credit 3 × 20 = 60.
        let b = bill(&p, &usage(&[("egress_gb", 1500.0)]), &opts);
        assert!(close(find(&b, "base fee").amount, 60.0));
        assert_eq!(find(&b, "base fee").arithmetic, "$20.00/month × 3 seats = $60.00");
        let credit = find(&b, "credit");
        assert!(close(credit.amount, -60.0));
        assert_eq!(
            credit.arithmetic,
            "−min($20.00 × 3 seats = $60.00 credit, $75.00 of transfer) = −$60.00"
        );
        assert!(close(b.total, 60.0 + 75.0 - 60.0));
        // With one seat the credit ($20) covers less.
        let b = bill(&p, &usage(&[("egress_gb", 1500.0)]), &BillOptions::default());
        assert!(close(b.total, 20.0 + 75.0 - 20.0));
    }

    #[test]
    fn included_allowance_per_seat() {
        let p = plan("name: P\nfee: $0\nmeters:\n  e: {metric: errors, unit: errors, included: 1000, included_per_seat: true, rate: $0.01}");
        let b = bill(
            &p,
            &usage(&[("errors", 5000.0)]),
            &BillOptions {
                seats: 3.0,
                ..Default::default()
            },
        );
        let l = find(&b, "e");
        assert_eq!((l.included, l.billable), (3000.0, 2000.0));
        assert!(close(l.amount, 20.0));
        assert!(
            l.arithmetic.starts_with("5000 errors − 3000 included (3 seats) = 2000"),
            "{}",
            l.arithmetic
        );
    }

    #[test]
    fn credit_limited_to_sizes_and_never_below_zero() {
        let p = plan(concat!(
            "name: Pro\nfee: $25\n",
            "credit: {amount: $10, applies_to: [sizes]}\n",
            "default_size: micro\n",
            "sizes:\n",
            "  micro: {name: Micro, hourly: $0.01344}\n",
            "  small: {name: Small, hourly: $0.0206}\n",
            "meters:\n  egress: {metric: egress_gb, unit: GB, included: 250, rate: $0.09}\n",
        ));
        let u = usage(&[("egress_gb", 350.0)]);
        // Micro: 0.01344 × 730 = 9.8112, fully covered; the credit does not spill onto egress.
        let b = bill(&p, &u, &BillOptions::default());
        assert!(close(find(&b, "credit").amount, -9.8112));
        assert_eq!(
            find(&b, "credit").arithmetic,
            "−min($10.00 credit, $9.81 of compute (Micro)) = −$9.81"
        );
        assert!(close(b.total, 25.0 + 9.0), "{b:#?}");
        // Small: 0.0206 × 730 = 15.038, the credit covers $10 of it.
        let b = bill(
            &p,
            &u,
            &BillOptions {
                size: Some("small".into()),
                ..Default::default()
            },
        );
        assert!(close(find(&b, "credit").amount, -10.0));
        assert!(close(b.total, 25.0 + 15.038 - 10.0 + 9.0));
    }

    #[test]
    fn fee_as_usage_credit_when_usage_is_below_the_fee() {
        let p = plan(concat!(
            "name: Pro\nfee: $20\nfee_is_usage_credit: true\n",
            "meters:\n",
            "  cpu: {metric: vcpu_hours, unit: vCPU-hours, per: 730, rate: $20}\n",
            "  ram: {metric: ram_gb_hours, unit: GB-hours, per: 730, rate: $10}\n",
        ));
        // Half a vCPU and 0.5 GB all month: 10 + 5 = $15 of usage < $20.
        let b = bill(
            &p,
            &usage(&[("vcpu_hours", 365.0), ("ram_gb_hours", 365.0)]),
            &BillOptions::default(),
        );
        assert!(b.lines.iter().all(|l| l.item != "base fee"));
        let c = find(&b, "usage below commitment");
        assert!(close(c.amount, 5.0));
        assert_eq!(
            c.arithmetic,
            "max($20.00 commitment, $15.00 usage) = $20.00: the commitment applies; $5.00 of it is unused"
        );
        assert!(close(b.total, 20.0));
        assert_eq!(find(&b, "cpu").arithmetic, "365 vCPU-hours × $20.00 per 730 = $10.00");
    }

    #[test]
    fn fee_as_usage_credit_when_usage_is_above_the_fee() {
        let p = plan(concat!(
            "name: Pro\nfee: $20\nfee_is_usage_credit: true\n",
            "meters:\n  cpu: {metric: vcpu_hours, unit: vCPU-hours, per: 730, rate: $20}\n",
        ));
        let b = bill(&p, &usage(&[("vcpu_hours", 4.0 * 730.0)]), &BillOptions::default());
        let c = find(&b, "usage below commitment");
        assert_eq!(c.amount, 0.0);
        assert!(
            c.arithmetic
                .starts_with("max($20.00 commitment, $80.00 usage) = $80.00: usage applies"),
            "{}",
            c.arithmetic
        );
        assert!(close(b.total, 80.0));
        // No usage at all still pays the commitment.
        assert!(close(bill(&p, &Usage::new(), &BillOptions::default()).total, 20.0));
    }

    #[test]
    fn hard_caps_warn_and_do_not_bill() {
        let p = plan(concat!(
            "name: Free\nfee: $0\nhard_caps: true\n",
            "meters:\n",
            "  egress: {metric: egress_gb, unit: GB, included: 5}\n",
            "  mau: {metric: mau, unit: MAU, included: 50K}\n",
        ));
        let b = bill(
            &p,
            &usage(&[("egress_gb", 7.0), ("mau", 1000.0)]),
            &BillOptions::default(),
        );
        assert_eq!(b.total, 0.0);
        let l = find(&b, "egress");
        assert_eq!((l.billable, l.amount), (2.0, 0.0));
        assert_eq!(
            l.arithmetic,
            "7 GB − 5 included = 2 over the cap: not billed (hard cap)"
        );
        assert_eq!(b.warnings.len(), 1, "{:?}", b.warnings);
        let w = &b.warnings[0];
        assert!(w.contains("egress (egress_gb) is 7 GB, over the included 5"), "{w}");
        assert!(w.contains("stopped, paused or made read-only"), "{w}");
    }

    #[test]
    fn usage_summed_to_exactly_the_quota_is_within_it() {
        let p = plan(concat!(
            "name: Free\nfee: $0\nhard_caps: true\n",
            "meters:\n",
            "  events: {metric: events, unit: events, included: 1M}\n",
        ));
        // 1M events accrued over 730 one-hour periods: the float sum is not exactly 1e6.
        let summed: f64 = (0..730).map(|_| 1e6 / 730.0).sum();
        assert_ne!(summed, 1e6, "the test needs a sum that is off by rounding");
        let b = bill(&p, &usage(&[("events", summed)]), &BillOptions::default());
        assert!(b.warnings.is_empty(), "{:?}", b.warnings);
        assert_eq!(find(&b, "events").billable, 0.0);
        // A real overage, one event in a million, still trips the cap.
        let b = bill(&p, &usage(&[("events", 1e6 + 1.0)]), &BillOptions::default());
        assert_eq!(b.warnings.len(), 1);
    }

    #[test]
    fn a_credit_with_nothing_to_cover_is_zero_not_minus_zero() {
        let p = plan(concat!(
            "name: Pro\nfee: $25\ncredit: {amount: $10, applies_to: [sizes]}\n",
            "meters:\n  mau: {metric: mau, unit: MAU, included: 100K, rate: $0.00325}\n",
        ));
        let b = bill(&p, &usage(&[("mau", 10.0)]), &BillOptions::default());
        let credit = find(&b, "credit");
        assert!(
            credit.amount == 0.0 && credit.amount.is_sign_positive(),
            "{}",
            credit.amount
        );
        assert!(!crate::units::fmt_money(credit.amount).contains('-'));
        assert_eq!(crate::units::fmt_money(-0.001), "$0.00");
        assert_eq!(crate::units::fmt_money(-0.01), "-$0.01");
    }

    #[test]
    fn size_hourly_times_hours_and_count_or_monthly() {
        let p = plan(concat!(
            "name: On-demand\nfee: $0\n",
            "sizes:\n",
            "  micro: {name: db.t4g.micro, hourly: $0.016}\n",
            "  fixed: {name: Fixed, monthly: $10}\n",
        ));
        let opts = BillOptions {
            size: Some("micro".into()),
            count: 2.0,
            hours: 100.0,
            ..Default::default()
        };
        let b = bill(&p, &Usage::new(), &opts);
        let l = find(&b, "compute (db.t4g.micro)");
        assert!(close(l.amount, 0.016 * 100.0 * 2.0));
        assert_eq!(l.arithmetic, "$0.016/h × 100 h × 2 instances = $3.20");
        let opts = BillOptions {
            size: Some("fixed".into()),
            count: 3.0,
            ..Default::default()
        };
        assert!(close(bill(&p, &Usage::new(), &opts).total, 30.0));
        // No size chosen and no default: nothing billed, and the bill says why.
        let b = bill(&p, &Usage::new(), &BillOptions::default());
        assert!(
            b.warnings[0].contains("no size chosen") && b.warnings[0].contains("fixed, micro"),
            "{:?}",
            b.warnings
        );
        let b = bill(
            &p,
            &Usage::new(),
            &BillOptions {
                size: Some("mega".into()),
                ..Default::default()
            },
        );
        assert!(b.warnings[0].contains("no size `mega`"), "{:?}", b.warnings);
    }

    #[test]
    fn unknown_price_size_and_meter_warn() {
        let p = plan(concat!(
            "name: On-demand\nfee: $0\ndefault_size: big\n",
            "sizes:\n  big: {name: db.m6g.large, hourly: null}\n",
            "meters:\n",
            "  req: {metric: requests, unit: requests, included: 10M}\n",
            "  cached: {metric: cached_input_tokens, unit: tokens, per: 1M}\n",
        ));
        let u = usage(&[("requests", 12e6), ("cached_input_tokens", 1e6)]);
        let b = bill(&p, &u, &BillOptions::default());
        assert_eq!(b.total, 0.0);
        assert_eq!(b.warnings.len(), 3, "{:?}", b.warnings);
        assert!(b.warnings[0].contains("size db.m6g.large has no published price"));
        assert!(b.warnings[1].contains("cached (cached_input_tokens) has no published price; 1M tokens not billed"));
        assert!(b.warnings[2].contains("no published price above the included 10M requests; 2M requests not billed"));
        assert_eq!(
            find(&b, "compute (db.m6g.large)").arithmetic,
            "no published price for db.m6g.large: not billed"
        );
    }

    #[test]
    fn multiplier_scales_the_whole_bill() {
        let p = plan(concat!(
            "name: RDS\nfee: $0\ndefault_size: micro\n",
            "sizes:\n  micro: {name: db.t4g.micro, hourly: $0.016}\n",
            "meters:\n  gp3: {metric: storage_gb_peak, unit: GB-months, rate: $0.115}\n",
        ));
        let u = usage(&[("storage_gb_peak", 20.0)]);
        let single = bill(&p, &u, &BillOptions::default()).total;
        let b = bill(
            &p,
            &u,
            &BillOptions {
                multiplier: 2.0,
                ..Default::default()
            },
        );
        assert!(close(b.total, 2.0 * single) && close(single, 11.68 + 2.3));
        let l = find(&b, "multiplier ×2");
        assert_eq!(l.arithmetic, "charges × 2: $13.98 × (2 − 1) = $13.98");
    }

    #[test]
    fn meter_multiplier_scales_billable_usage() {
        let p = plan("name: Replica\nfee: $0\nmeters:\n  disk: {metric: storage_gb_peak, unit: GB-months, multiplier: 1.25, rate: $0.125}");
        let b = bill(&p, &usage(&[("storage_gb_peak", 10.0)]), &BillOptions::default());
        let l = find(&b, "disk");
        assert!(close(l.amount, 1.5625));
        assert_eq!(l.arithmetic, "10 GB-months × 1.25 = 12.5 × $0.125 = $1.56");
    }

    #[test]
    fn annual_billing_uses_the_annual_price() {
        let p = plan("name: Pro\nfee: $25\nannual_fee: $20\nfee_basis: per_zone");
        let opts = BillOptions {
            count: 2.0,
            ..Default::default()
        };
        assert!(close(bill(&p, &Usage::new(), &opts).total, 50.0));
        let b = bill(
            &p,
            &Usage::new(),
            &BillOptions {
                annual_billing: true,
                ..opts
            },
        );
        assert!(close(b.total, 40.0));
        assert_eq!(
            find(&b, "base fee").arithmetic,
            "$20.00/month billed annually × 2 zones = $40.00"
        );
    }

    #[test]
    fn formatting_of_quantities_and_prices() {
        assert_eq!(fmt_qty(12.4 - 8.0), "4.4");
        assert_eq!(fmt_qty(1_500_000.0), "1.5M");
        assert_eq!(fmt_qty(50_000.0), "50K");
        assert_eq!(fmt_qty(0.256), "0.256");
        assert_eq!(fmt_price(0.00005), "$0.00005");
        assert_eq!(fmt_price(0.5), "$0.50");
        assert_eq!(fmt_price(91.25), "$91.25");
        assert_eq!(fmt_price(0.0000343), "$0.0000343");
    }
}
