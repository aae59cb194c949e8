//! Tests of `pricing::bill`.
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
    let p =
        plan("name: P\nfee: $0\nmeters:\n  edge: {metric: requests, unit: requests, per: 1M, included: 10M, rate: $2}");
    let b = bill(&p, &usage(&[("requests", 12.5e6)]), &BillOptions::default());
    let l = find(&b, "edge");
    assert!(close(l.amount, 5.0), "{l:#?}");
    assert_eq!(
        l.arithmetic,
        "12.5M requests − 10M included = 2.5M × $2.00 per 1M requests = $5.00"
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
    let expected = 50.0 + 13e6 * 0.0000343 + 35e6 * 0.0000295 + 50e6 * 0.0000218 + 150e6 * 0.000015 + 50e6 * 0.000009;
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
        "250 GB − 100 included = 150, rounded up to 2 × 100 = 200 × $15.00 per 100 GB = $30.00"
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
    assert_eq!(
        find(&b, "cpu").arithmetic,
        "365 vCPU-hours × $20.00 per vCPU-month (730 h) = $10.00"
    );
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
    // Four significant digits below 1,000, whole numbers in full.
    assert_eq!(fmt_qty(0.911772), "0.9118");
    assert_eq!(fmt_qty(14.7035), "14.7");
    assert_eq!(fmt_qty(882.2112), "882.2");
    assert_eq!(fmt_qty(1460.0), "1460");
    assert_eq!(fmt_qty(0.000123456), "0.0001235");
    assert_eq!(fmt_qty(659_013.0), "659.01K");
    assert_eq!(fmt_qty(0.0), "0");
    assert_eq!(fmt_price(0.00005), "$0.00005");
    assert_eq!(fmt_price(0.5), "$0.50");
    assert_eq!(fmt_price(91.25), "$91.25");
    assert_eq!(fmt_price(0.0000343), "$0.0000343");
}

/// Three instances of a $7 size are $21 whatever the fee basis; a flat fee is charged once, a
/// per-instance fee three times. (A flat-fee plan used to bill its size for one instance only.)
#[test]
fn instances_multiply_the_size_and_only_a_per_instance_fee() {
    let sizes = "default_size: starter\nsizes:\n  starter: {name: Starter, monthly: $7}";
    let opts = BillOptions {
        count: 3.0,
        ..BillOptions::default()
    };
    let flat = bill(&plan(&format!("name: P\nfee: $19\n{sizes}")), &Usage::new(), &opts);
    assert!(close(flat.total, 19.0 + 21.0), "{flat:#?}");
    assert_eq!(find(&flat, "base fee").arithmetic, "$19.00/month × 1 plan = $19.00");
    let per = bill(
        &plan(&format!("name: P\nfee: $19\nfee_basis: per_instance\n{sizes}")),
        &Usage::new(),
        &opts,
    );
    assert!(close(per.total, 57.0 + 21.0), "{per:#?}");
    // Cost never falls as instances are added.
    let mut last = 0.0;
    for n in 1..=5 {
        let b = bill(
            &plan(&format!("name: P\nfee: $19\n{sizes}")),
            &Usage::new(),
            &BillOptions {
                count: n as f64,
                ..BillOptions::default()
            },
        );
        assert!(b.total > last);
        last = b.total;
    }
}
