//! The gate's data and renderers on hand-made reports: outcome and exit code from the checks,
//! JUnit that an XML parser reads back whatever the text holds, `--out` files.

use super::data::{warning, CheckKind, FileError, GateCheck, GateReport, MonthMoney, ScenarioGate, Verdict};
use super::outfile::{format_of, render, write_atomic, Format};
use crate::units::Unit;
use std::path::Path;

fn budget(id: &str, measured: f64, limit: f64) -> GateCheck {
    GateCheck {
        id: id.into(),
        kind: CheckKind::Budget,
        what: "month 1 total".into(),
        unit: Some(Unit::Dollars),
        measured: Some(measured),
        limit: Some(limit),
        mean: Some(measured),
        percentile: Some(90),
        verdict: if measured <= limit {
            Verdict::Ok
        } else {
            Verdict::Breached
        },
        fails: measured > limit,
        message: format!("${measured} (limit ${limit})"),
    }
}

fn scenario(file: &str, checks: Vec<GateCheck>) -> ScenarioGate {
    ScenarioGate {
        file: file.into(),
        system: None,
        environment: None,
        name: file.into(),
        seed: 1,
        replications: 2,
        passed: !checks.iter().any(|c| c.fails),
        money: vec![MonthMoney {
            month: 1,
            mean: 10.0,
            p90: 11.0,
        }],
        checks,
    }
}

/// The outcome is `error` exactly when a file is broken, else `pass` exactly when every
/// scenario passed, for every combination of passing and failing scenarios.
#[test]
fn outcome_and_exit_code_follow_the_checks() {
    for mask in 0u32..16 {
        let scenarios: Vec<ScenarioGate> = (0..4)
            .map(|i| {
                let over = mask & (1 << i) != 0;
                scenario(
                    &format!("s{i}.yaml"),
                    vec![budget("budget.month_1.total", if over { 12.0 } else { 8.0 }, 10.0)],
                )
            })
            .collect();
        let g = GateReport::new(scenarios.clone(), Vec::new(), false, None);
        assert_eq!(g.exit_code, if mask == 0 { 0 } else { 1 }, "{mask}");
        let err = FileError {
            file: "x.yaml".into(),
            line: Some(3),
            field: "traffic".into(),
            reason: "missing".into(),
            allowed: Vec::new(),
        };
        assert_eq!(GateReport::new(scenarios, vec![err], false, None).exit_code, 2);
    }
}

/// Text a user wrote (a scenario name, a component) with XML's special and control characters
/// comes back from an XML parser as written (controls as spaces).
#[test]
fn junit_escapes_whatever_the_text_holds() {
    let hostile = "a<b>&\"c'\u{1}d ]]> é";
    let mut c = warning("money.bill.x.1".into(), CheckKind::Money, hostile, true, hostile.into());
    c.verdict = Verdict::Warning;
    let g = GateReport::new(
        vec![scenario(hostile, vec![c, budget("b", 1.0, 2.0)])],
        Vec::new(),
        true,
        None,
    );
    let xml = render(&g, Format::Junit);
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let suite = doc.descendants().find(|n| n.has_tag_name("testsuite")).unwrap();
    assert_eq!(suite.attribute("name"), Some(hostile.replace('\u{1}', " ").as_str()));
    assert_eq!(suite.attribute("failures"), Some("1"));
    let failure = doc.descendants().find(|n| n.has_tag_name("failure")).unwrap();
    assert!(failure.attribute("message").unwrap().contains("a<b>&\"c' d ]]> é"));
    let cases: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("testcase")).collect();
    assert_eq!(cases.len(), 2);
    // The passing check has neither failure nor output.
    assert_eq!(cases[1].children().filter(|n| n.is_element()).count(), 0);
}

/// The JSON holds no NaN (a missing figure is null) and round-trips through a parser.
#[test]
fn json_has_null_for_a_missing_figure() {
    let c = warning("objectives".into(), CheckKind::Objectives, "x", false, "none".into());
    let g = GateReport::new(vec![scenario("s.yaml", vec![c])], Vec::new(), false, None);
    let v: serde_json::Value = serde_json::from_str(&render(&g, Format::Json)).unwrap();
    let c = &v["scenarios"][0]["checks"][0];
    assert!(c["measured"].is_null() && c["limit"].is_null() && c["unit"].is_null());
    assert_eq!(c["verdict"], "warning");
}

#[test]
fn text_names_the_status_and_what_is_wrong() {
    let g = GateReport::new(
        vec![
            scenario("ok.yaml", vec![budget("b", 1.0, 2.0)]),
            scenario("over.yaml", vec![budget("b", 3.0, 2.0)]),
        ],
        Vec::new(),
        false,
        None,
    );
    let t = render(&g, Format::Text);
    assert!(t.contains("ok        ok.yaml\n"), "{t}");
    assert!(
        t.contains("BREACHED  over.yaml\n          month 1 total: $3 (limit $2)\n"),
        "{t}"
    );
}

#[test]
fn out_files_take_their_format_from_the_extension() {
    assert_eq!(format_of(Path::new("a/b.JSON")).unwrap(), Format::Json);
    assert_eq!(format_of(Path::new("r.xml")).unwrap(), Format::Junit);
    assert_eq!(format_of(Path::new("r.md")).unwrap(), Format::Markdown);
    assert_eq!(format_of(Path::new("r.txt")).unwrap(), Format::Text);
    for bad in ["r", "r.yaml", "r.csv", "dir/"] {
        let e = format_of(Path::new(bad)).unwrap_err();
        assert_eq!(e.allowed, [".json", ".xml", ".md", ".txt"], "{bad}");
    }
}

/// An --out file is replaced whole, leaves no temporary file, and never replaces a directory.
#[test]
fn out_files_are_replaced_whole() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("r.json");
    write_atomic(&p, "first").unwrap();
    write_atomic(&p, "second").unwrap();
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "second");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    let sub = dir.path().join("d.json");
    std::fs::create_dir(&sub).unwrap();
    assert!(write_atomic(&sub, "x").unwrap_err().contains("not a regular file"));
    assert!(write_atomic(&dir.path().join("missing/r.json"), "x").is_err());
}
