//! Alternatives side by side (`alternatives:` on a component): priced from the component's
//! own usage, never added to a total, with a break-even that recomputes from the catalogs.

use crate::common::run_text;

/// A queue's Redis on Upstash pay-as-you-go ($0.20 per 100K commands), `commands_per_request`
/// commands per request, 1,000 users growing to `to`; optionally with the fixed $10 plan as
/// an alternative.
fn scenario(commands_per_request: f64, to: u32, with_alternative: bool) -> String {
    let alt = if with_alternative {
        ", alternatives: {fixed: {provider: upstash_redis, plan: fixed_250mb}}"
    } else {
        ""
    };
    format!(
        "name: alt\nstage: s\nseed: 1\nreplications: 1\nhorizon: 90d\nresolution: 1d\n\
         simulation: {{mode: peak_window, window: 5m, warmup: 2m}}\n\
         traffic: {{users: {{growth: linear, from: 1000, to: {to}, over: 90d}}, sessions_per_user_per_week: 2, \
         requests_per_session: 20, think_time: 30s}}\n\
         requests: {{r: {{share: 100%, cpu: 2ms}}}}\n\
         stages:\n  s:\n\
         \x20   api: {{provider: railway, plan: hobby, vcpu: 1, ram: 512MB, workers: 4}}\n\
         \x20   services:\n\
         \x20     queue_redis: {{provider: upstash_redis, plan: payg, \
         usage: {{commands: {{per_request: {commands_per_request}}}}}{alt}}}\n"
    )
}

#[test]
fn alternatives_change_no_total_and_break_even_at_5m_commands() {
    let with = run_text(&scenario(10.0, 4000, true));
    let without = run_text(&scenario(10.0, 4000, false));
    assert_eq!(with.months.len(), without.months.len());
    for (a, b) in with.months.iter().zip(&without.months) {
        assert_eq!(a.total.mean, b.total.mean, "month {}", a.month);
        assert_eq!(a.example.total, b.example.total);
        assert!(b.example.alternatives.is_empty());
    }
    for m in &with.months {
        let alts = &m.example.alternatives;
        assert_eq!(alts.len(), 1, "month {}", m.month);
        let a = &alts[0];
        assert_eq!((a.component.as_str(), a.alternative.as_str()), ("queue_redis", "fixed"));
        // The fixed plan is $10 whatever the commands; PAYG is commands / 100K × $0.20.
        assert!((a.cost - 10.0).abs() < 1e-9, "{}", a.cost);
        let commands = a.chosen / 0.20 * 100e3;
        let k = a.break_even_scale.expect("they cross within 10^-3..10^3");
        let at: f64 = a.break_even_usage.iter().find(|(m, _)| m == "commands").unwrap().1;
        assert!((at - 5e6).abs() < 1e-3, "break-even at {at} commands");
        assert!((k * commands - 5e6).abs() < 1e-3 * 5e6 / 1e6, "{k} × {commands}");
    }
    // Growing from 1,000 to 4,000 users the queue crosses 5M commands a month, and the
    // cheaper plan changes: the date lies in a month where PAYG passes $10.
    let rows = capsim::results::alternatives::rows(
        &with
            .months
            .iter()
            .map(|m| m.example.alternatives.clone())
            .collect::<Vec<_>>(),
        with.scenario.hours_per_month / 24.0,
    );
    let day = rows[0].break_even_day.expect("the cheaper plan changes");
    let first_dearer = rows[0].months.iter().find(|(_, c, _)| *c > 10.0).unwrap().0;
    let mid = |m: usize| (m as f64 - 0.5) * with.scenario.hours_per_month / 24.0;
    assert!(day > mid(first_dearer - 1) && day <= mid(first_dearer), "{day}");
}

#[test]
fn an_alternative_naming_an_unknown_plan_is_an_input_error_at_its_field() {
    let text = scenario(10.0, 1000, true).replace("fixed_250mb", "fixed_3mb");
    let dir = tempfile::tempdir().unwrap();
    let p = crate::common::write(dir.path(), "s.yaml", &text);
    let out = crate::common::capsim()
        .args(["validate", p.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("stages.s.services.queue_redis.alternatives.fixed.plan"),
        "{err}"
    );
}
