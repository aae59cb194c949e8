//! Unit tests of the diff model, the gate and the readers, on hand-made snapshots.

use super::gate::{evaluate, exceeds, parse_limit, FailOn, Gate, Limit};
use super::model::{compute, Diff, Presence, Side, TriggerChange};
use super::snapshot::{parse, CheckFigure, Firing, MonthCosts, Snapshot};
use crate::results::CheckVerdict;
use crate::units::Unit;
use std::collections::BTreeMap;
use std::path::Path;

fn side(name: &str) -> Side {
    Side {
        path: format!("{name}.yaml"),
        kind: "scenario",
        name: name.into(),
        seed: 7,
        replications: 4,
    }
}

fn month(m: usize, comps: &[(&str, f64)]) -> MonthCosts {
    MonthCosts {
        month: m,
        total: comps.iter().map(|(_, v)| v).sum(),
        components: comps.iter().map(|(c, v)| (c.to_string(), *v)).collect(),
    }
}

fn firing(fired_in: u64, at: Option<f64>) -> Firing {
    Firing {
        fired_in,
        replications: 4,
        first_fire_seconds: at,
    }
}

fn check(id: &str, limit: f64, measured: Option<f64>, verdict: CheckVerdict) -> CheckFigure {
    CheckFigure {
        id: id.into(),
        what: id.replace('.', " "),
        unit: Unit::Dollars,
        limit,
        measured,
        verdict,
    }
}

fn snap(months: Vec<MonthCosts>) -> Snapshot {
    Snapshot {
        name: "s".into(),
        seed: 7,
        replications: 4,
        months,
        triggers: BTreeMap::new(),
        checks: Vec::new(),
        stations: BTreeMap::new(),
    }
}

fn base() -> Snapshot {
    let mut s = snap(vec![
        month(1, &[("api", 40.0), ("db", 60.0)]),
        month(2, &[("api", 45.0), ("db", 60.0)]),
    ]);
    s.triggers.insert("cpu".into(), firing(4, Some(86400.0 * 10.0)));
    s.triggers.insert("conn".into(), firing(0, None));
    s.checks
        .push(check("budget.month_1.total", 150.0, Some(100.0), CheckVerdict::Ok));
    s.stations.insert("api workers".into(), Some(0.25));
    s
}

fn diff(b: &Snapshot, n: &Snapshot) -> Diff {
    compute((side("base"), b), (side("new"), n))
}

#[test]
fn a_run_against_itself_is_empty_and_passes_every_gate() {
    let b = base();
    let d = diff(&b, &b);
    assert!(d.is_empty());
    assert!(d
        .costs
        .iter()
        .chain(&d.totals)
        .all(|r| r.change == 0.0 && r.presence == Presence::Both));
    let gate = Gate {
        fail_above: Some(Limit::Percent(0.0)),
        fail_on: vec![FailOn::NewTrigger, FailOn::Check],
    };
    assert!(evaluate(&d, &gate).is_empty());
}

#[test]
fn every_cost_row_recomputes_from_its_two_sides_and_the_largest_change_comes_first() {
    let b = base();
    let mut n = snap(vec![
        month(1, &[("api", 80.0), ("db", 60.0)]),
        month(2, &[("api", 30.0), ("db", 61.0)]),
    ]);
    n.triggers = b.triggers.clone();
    let d = diff(&b, &n);
    for r in d.costs.iter().chain(&d.totals) {
        let (x, y) = (r.before.unwrap(), r.after.unwrap());
        assert_eq!(r.change, y - x);
        assert_eq!(r.relative, Some((y - x) / x));
    }
    for w in d.costs.windows(2) {
        assert!(w[0].change.abs() >= w[1].change.abs(), "{:?} before {:?}", w[0], w[1]);
    }
    assert_eq!(d.costs[0].component.as_deref(), Some("api"));
    assert_eq!((d.costs[0].month, d.costs[0].change), (1, 40.0));
    assert_eq!(d.totals[0].change, 40.0);
    assert_eq!(d.totals[1].change, -14.0);
    // db month 1 is unchanged: kept as data, flagged unchanged.
    assert_eq!(d.costs.iter().filter(|r| !r.changed).count(), 1);
}

#[test]
fn components_and_months_on_one_side_only_are_added_or_removed_never_dropped() {
    let b = base();
    let n = snap(vec![
        month(1, &[("api", 40.0), ("cache", 10.0)]),
        month(2, &[("api", 45.0), ("cache", 10.0)]),
        month(3, &[("api", 50.0), ("cache", 10.0)]),
    ]);
    let d = diff(&b, &n);
    // Union of (month, component): months 1-2 × {api, db, cache}, month 3 × {api, cache}.
    assert_eq!(d.costs.len(), 8);
    assert_eq!(d.totals.len(), 3);
    let row = |m: usize, c: &str| {
        d.costs
            .iter()
            .find(|r| r.month == m && r.component.as_deref() == Some(c))
            .unwrap()
    };
    assert_eq!(row(1, "db").presence, Presence::Removed);
    assert_eq!(row(1, "db").change, -60.0);
    assert_eq!(row(2, "cache").presence, Presence::Added);
    assert_eq!(row(3, "api").presence, Presence::Added);
    assert_eq!(d.totals[2].presence, Presence::Added);
    assert!(d
        .costs
        .iter()
        .filter(|r| r.presence != Presence::Both)
        .all(|r| r.changed));
    // A month only NEW bills is no price change: the gate compares months 1 and 2 only.
    let gate = Gate {
        fail_above: Some(Limit::Dollars(0.0)),
        fail_on: vec![],
    };
    assert!(evaluate(&d, &gate).is_empty(), "months 1-2 fell; month 3 is new");
}

#[test]
fn swapping_the_sides_negates_every_change_and_swaps_added_and_removed() {
    let b = base();
    let mut n = snap(vec![
        month(1, &[("api", 70.0), ("cache", 5.0)]),
        month(3, &[("api", 1.0)]),
    ]);
    n.triggers.insert("cpu".into(), firing(2, Some(86400.0 * 3.0)));
    let (d, r) = (diff(&b, &n), diff(&n, &b));
    assert_eq!(d.costs.len(), r.costs.len());
    for x in &d.costs {
        let y = r
            .costs
            .iter()
            .find(|y| y.month == x.month && y.component == x.component)
            .unwrap();
        assert_eq!(x.change, -y.change);
        let flipped = match x.presence {
            Presence::Added => Presence::Removed,
            Presence::Removed => Presence::Added,
            Presence::Both => Presence::Both,
        };
        assert_eq!(y.presence, flipped);
    }
    let moved = |d: &Diff| {
        d.triggers
            .iter()
            .find(|t| t.name == "cpu")
            .unwrap()
            .moved_seconds
            .unwrap()
    };
    assert_eq!(moved(&d), -moved(&r));
}

#[test]
fn the_gate_fails_only_beyond_its_limit() {
    // +10 % of $100 lets exactly $110 pass; a cent more fails.
    assert!(!exceeds(Limit::Percent(10.0), 100.0, 10.0));
    assert!(exceeds(Limit::Percent(10.0), 100.0, 10.01));
    assert!(!exceeds(Limit::Dollars(50.0), 100.0, 50.0));
    assert!(exceeds(Limit::Dollars(50.0), 100.0, 50.000001));
    // A fall never fails; a rise from nothing beats any share; zero lets nothing rise.
    assert!(!exceeds(Limit::Percent(0.0), 100.0, -5.0));
    assert!(exceeds(Limit::Percent(1000.0), 0.0, 0.01));
    assert!(!exceeds(Limit::Percent(0.0), 0.0, 0.0));
    assert!(exceeds(Limit::Dollars(0.0), 10.0, 1e-9));

    let b = snap(vec![month(1, &[("api", 100.0)])]);
    let at = |v: f64| diff(&b, &snap(vec![month(1, &[("api", v)])]));
    let fails = |d: &Diff, l: Limit| {
        let gate = Gate {
            fail_above: Some(l),
            fail_on: vec![],
        };
        evaluate(d, &gate).len()
    };
    assert_eq!(fails(&at(110.0), Limit::Percent(10.0)), 0);
    assert_eq!(fails(&at(110.5), Limit::Percent(10.0)), 1);
    assert_eq!(fails(&at(150.0), Limit::Dollars(50.0)), 0);
    assert_eq!(fails(&at(150.5), Limit::Dollars(50.0)), 1);
}

#[test]
fn limits_parse_as_written_and_bad_ones_are_refused() {
    assert_eq!(parse_limit("+10%"), Ok(Limit::Percent(10.0)));
    assert_eq!(parse_limit("2.5%"), Ok(Limit::Percent(2.5)));
    assert_eq!(parse_limit("0%"), Ok(Limit::Percent(0.0)));
    assert_eq!(parse_limit("$50"), Ok(Limit::Dollars(50.0)));
    assert_eq!(parse_limit("+$1,200"), Ok(Limit::Dollars(1200.0)));
    assert_eq!(parse_limit("50 USD"), Ok(Limit::Dollars(50.0)));
    for bad in [
        "-10%",
        "10",
        "ten%",
        "$",
        "inf%",
        "NaN%",
        "$-5",
        "",
        "%",
        &"9".repeat(100),
    ] {
        let e = parse_limit(bad).expect_err(bad);
        assert!(e.contains("`+10%`"), "{bad}: {e}");
    }
}

#[test]
fn triggers_that_start_stop_or_move_are_told_apart() {
    let mut b = base();
    b.triggers.insert("share".into(), firing(2, Some(5000.0)));
    b.triggers.insert("gone".into(), firing(1, Some(9.0)));
    let mut n = base();
    n.triggers.insert("cpu".into(), firing(4, Some(86400.0 * 4.0)));
    n.triggers.insert("conn".into(), firing(3, Some(100.0)));
    n.triggers.insert("share".into(), firing(4, Some(5000.0)));
    n.triggers.insert("fresh".into(), firing(4, Some(1.0)));
    let d = diff(&b, &n);
    let t = |name: &str| d.triggers.iter().find(|t| t.name == name).unwrap();
    assert_eq!(t("cpu").change, TriggerChange::Moved);
    assert_eq!(t("cpu").moved_seconds, Some(-6.0 * 86400.0));
    assert_eq!(t("conn").change, TriggerChange::NowFires);
    assert_eq!(t("share").change, TriggerChange::Share);
    assert_eq!(
        (t("gone").change, t("gone").presence),
        (TriggerChange::NoLongerFires, Presence::Removed)
    );
    assert_eq!(
        (t("fresh").change, t("fresh").presence),
        (TriggerChange::NowFires, Presence::Added)
    );
    let gate = Gate {
        fail_above: None,
        fail_on: vec![FailOn::NewTrigger],
    };
    let subjects: Vec<String> = evaluate(&d, &gate).into_iter().map(|f| f.subject).collect();
    assert_eq!(subjects, ["conn", "fresh"]);
}

#[test]
fn checks_that_went_from_pass_to_fail_are_newly_failing_and_others_are_not() {
    let mut b = base();
    b.checks = vec![
        check("a", 10.0, Some(5.0), CheckVerdict::Ok),
        check("b", 10.0, Some(5.0), CheckVerdict::Ok),
        check("c", 10.0, Some(12.0), CheckVerdict::Breached),
    ];
    let mut n = base();
    n.checks = vec![
        check("a", 10.0, Some(11.0), CheckVerdict::Breached),
        check("b", 10.0, None, CheckVerdict::NotEvaluated),
        check("c", 10.0, Some(13.0), CheckVerdict::Breached),
        check("d", 10.0, Some(20.0), CheckVerdict::Breached),
    ];
    let d = diff(&b, &n);
    let failing: Vec<&str> = d
        .checks
        .iter()
        .filter(|c| c.newly_failing)
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(failing, ["a", "b", "d"]);
    assert_eq!(d.checks[0].before.as_ref().unwrap().headroom, Some(5.0));
    assert_eq!(d.checks[0].after.as_ref().unwrap().headroom, Some(-1.0));
    assert!(d.checks.iter().all(|c| c.changed));
    let gate = Gate {
        fail_above: None,
        fail_on: vec![FailOn::Check],
    };
    assert_eq!(evaluate(&d, &gate).len(), 3);
    // Without --fail-on check, the same diff passes.
    assert!(evaluate(&d, &Gate::default()).is_empty());
}

#[test]
fn a_summary_that_is_not_capsims_is_an_input_error_naming_the_field() {
    let f = Path::new("r/summary.json");
    let e = parse(f, b"{\n  \"schema_version\": 2,\n  oops").unwrap_err();
    assert_eq!(e.0[0].line, Some(3), "{}", e.0[0]);
    let e = parse(f, br#"{"schema_version": 1}"#).unwrap_err();
    assert_eq!(e.0[0].field, "schema_version");
    assert_eq!(e.0[0].allowed, ["2"]);
    let e = parse(f, br#"{"schema_version": 2, "scenario": {"name": "x", "seed": 1}}"#).unwrap_err();
    assert_eq!(e.0[0].field, "scenario.replications");
    let r = crate::report::testdata::run();
    let mut v: serde_json::Value = serde_json::from_slice(&crate::report::json::json(&r)).unwrap();
    v["months"][0]["total"]["mean"] = serde_json::Value::from("ten");
    let e = parse(f, &serde_json::to_vec(&v).unwrap()).unwrap_err();
    assert_eq!(e.0[0].field, "months[0].total.mean");
    assert!(e.to_string().contains("r/summary.json"), "{e}");
}

#[test]
fn a_run_read_back_from_its_summary_keeps_every_month_trigger_and_check() {
    let r = crate::report::testdata::run();
    let s = parse(Path::new("summary.json"), &crate::report::json::json(&r)).unwrap();
    assert_eq!(s.months.len(), r.months.len());
    for (m, rm) in s.months.iter().zip(&r.months) {
        assert_eq!(m.total, rm.total.mean);
        assert_eq!(m.components.len(), rm.components.len());
    }
    assert_eq!(s.triggers.len(), r.triggers.len());
    assert_eq!(s.checks.len(), r.checks.budget.len() + r.checks.slo.len());
    assert_eq!(s.stations.len(), r.stations.len());
}

#[test]
fn markdown_counts_what_it_leaves_out_and_escapes_names() {
    let b = snap(vec![month(1, &[("a|b", 1.0), ("same", 5.0)])]);
    let n = snap(vec![month(1, &[("a|b", 2.0), ("same", 5.0)])]);
    let md = super::markdown::render(&diff(&b, &n), false, &[]);
    assert!(md.contains("a\\|b"), "{md}");
    assert!(md.contains("1 unchanged rows not shown"), "{md}");
    assert!(!md.contains("| same |"), "{md}");
    let many: Vec<(String, f64)> = (0..15).map(|i| (format!("c{i:02}"), i as f64)).collect();
    let refs: Vec<(&str, f64)> = many.iter().map(|(c, v)| (c.as_str(), *v)).collect();
    let more: Vec<(&str, f64)> = refs.iter().map(|(c, v)| (*c, v + 1.0)).collect();
    let md = super::markdown::render(
        &diff(&snap(vec![month(1, &refs)]), &snap(vec![month(1, &more)])),
        false,
        &[],
    );
    assert!(md.contains("5 smaller changes and 0 unchanged rows not shown"), "{md}");
}

#[test]
fn text_names_every_kind_of_change_and_the_gate_verdict() {
    let mut b = base();
    b.checks = vec![check("budget.month_1.total", 150.0, Some(100.0), CheckVerdict::Ok)];
    let mut n = snap(vec![
        month(1, &[("api", 140.0), ("db", 60.0)]),
        month(2, &[("api", 45.0), ("db", 60.0)]),
    ]);
    n.triggers.insert("cpu".into(), firing(4, Some(86400.0 * 2.0)));
    n.triggers.insert("conn".into(), firing(4, Some(86400.0)));
    n.checks = vec![check(
        "budget.month_1.total",
        150.0,
        Some(200.0),
        CheckVerdict::Breached,
    )];
    n.stations.insert("api workers".into(), Some(0.5));
    let d = diff(&b, &n);
    let gate = Gate {
        fail_above: Some(Limit::Percent(10.0)),
        fail_on: vec![FailOn::NewTrigger, FailOn::Check],
    };
    let failures = evaluate(&d, &gate);
    assert_eq!(failures.len(), 3, "{failures:?}");
    let t = super::text::render(&d, true, &failures);
    for want in [
        "month 1        $100.00 → $200.00      +$100.00 (+100.0%)",
        "month 2        $105.00 → $105.00      unchanged",
        "month 1   api        $40.00 → $140.00      +$100.00 (+250.0%)",
        "conn: now fires",
        "cpu: moved earlier by 8.0 days",
        "budget.month_1.total (budget month_1 total)  NOW FAILING",
        "$100.00 of $150.00, ok, 33.3% left",
        "$200.00 of $150.00, breached, 33.3% over",
        "api workers: 25.0% busy (75.0% left) → 50.0% busy (50.0% left)",
        "gate: FAIL: month 1 total rose +$100.00 (+100.0%), more than +10%",
        "gate: FAIL: trigger `conn` now fires",
    ] {
        assert!(t.contains(want), "missing `{want}` in\n{t}");
    }
    assert!(super::text::render(&diff(&b, &b), true, &[]).contains("gate: pass"));
}
