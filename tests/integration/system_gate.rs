//! A system of environments through `capsim check` (`capsim::gate::system`): one row for the
//! system and one per environment in every format (JSON, JUnit, markdown, text, `--out`), in
//! the command line's order, counted by the verdict and the exit code.

use crate::common::{capsim, write};
use crate::environments::railway_env;
use std::path::Path;

/// `check` with `args`: (exit code, stdout, stderr).
fn check(args: &[&str]) -> (i32, String, String) {
    let out = capsim()
        .arg("check")
        .args(args)
        .env_remove("CAPSIM_TODAY")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json_of(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn ids(row: &serde_json::Value) -> Vec<String> {
    row["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

/// The Effect Models system in JSON, JUnit and markdown: the combined row then production's and
/// staging's, each environment's ids under its name, the JUnit suites and cases exactly the
/// JSON's rows and checks, and an `--out` file the same bytes as stdout.
#[test]
fn the_effect_models_system_is_three_rows_in_every_format() {
    let sys = "scenarios/effect-models/system.yaml";
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("gate.json");
    let args = [
        "--replications",
        "1",
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
    ];
    let (code, text, err) = check(&[&[sys][..], &args].concat());
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), text);
    let j = json_of(&text);
    let rows = j["scenarios"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "{text}");
    assert_eq!(rows[0]["file"], sys);
    assert_eq!(rows[0]["system"], sys);
    assert!(rows[0]["environment"].is_null());
    assert_eq!(rows[0]["name"], "Effect Models, production + staging");
    for (row, env) in rows[1..].iter().zip(["production", "staging"]) {
        assert_eq!(row["system"], sys);
        assert_eq!(row["environment"], env);
        assert_eq!(row["file"], format!("scenarios/effect-models/{env}.yaml"));
        let ids = ids(row);
        assert!(!ids.is_empty());
        assert!(ids.iter().all(|i| i.starts_with(&format!("{env}."))), "{ids:?}");
    }
    let combined = ids(&rows[0]);
    for id in [
        "budget.month_1.total",
        "budget.month_1.component.api",
        "budget.month_1.component.monitoring",
    ] {
        assert!(combined.iter().any(|i| i == id), "{id} in {combined:?}");
    }
    // The environments' unpriced components are the system's money findings, under their names.
    assert!(
        combined.iter().any(|i| i == "production.money.unpriced.openrouter"),
        "{combined:?}"
    );
    assert!(
        combined.iter().any(|i| i == "staging.money.unpriced.openrouter"),
        "{combined:?}"
    );
    // The combined month 1 is production + staging with the workspace's commitment once: less
    // than the two environments' own bills added.
    let m1 = |r: &serde_json::Value| r["money"][0]["mean"].as_f64().unwrap();
    assert!(m1(&rows[0]) < m1(&rows[1]) + m1(&rows[2]) - 1.0);

    let (code, xml, _) = check(&[sys, "--replications", "1", "--format", "junit"]);
    assert_eq!(code, 0);
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let suites: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("testsuite")).collect();
    let names: Vec<&str> = suites.iter().map(|s| s.attribute("name").unwrap()).collect();
    assert_eq!(
        names,
        [
            sys.to_string(),
            format!("{sys} [production]"),
            format!("{sys} [staging]")
        ]
    );
    for (suite, row) in suites.iter().zip(rows) {
        let cases: Vec<&str> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .map(|n| n.attribute("name").unwrap())
            .collect();
        assert_eq!(cases, ids(row));
    }

    let (code, md, _) = check(&[sys, "--replications", "1", "--format", "markdown"]);
    assert_eq!(code, 0);
    assert!(
        md.contains("3 of 3 rows passed: 0 scenario(s), 1 system(s) billed together and their 2 environment(s)."),
        "{md}"
    );
    for label in [format!("| `{sys}` | ✅ pass"), format!("| `{sys} [staging]` | ✅ pass")] {
        assert!(md.contains(&label), "{label}\n{md}");
    }
}

/// A combined budget under the bill: exit 1, only the combined row fails, on the check that
/// says so, in JSON, JUnit, markdown and text; the same system with room passes.
#[test]
fn a_tight_combined_budget_fails_the_gate_on_its_check() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", &railway_env("1200MB", "30d"));
    write(dir.path(), "b.yaml", &railway_env("1GB", "30d"));
    let sys = |budget: &str| {
        let text =
            format!("name: two\nseed: 1\nenvironments: {{a: a.yaml, b: b.yaml}}\nbudget: {{monthly: {budget}}}\n");
        write(dir.path(), "system.yaml", &text).to_string_lossy().into_owned()
    };
    let p = sys("$1");
    let (code, text, err) = check(&[&p, "--replications", "1", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let j = json_of(&text);
    assert_eq!(j["outcome"], "fail");
    let rows = j["scenarios"].as_array().unwrap();
    let passed: Vec<bool> = rows.iter().map(|r| r["passed"].as_bool().unwrap()).collect();
    assert_eq!(passed, [false, true, true]);
    let failing: Vec<&serde_json::Value> = rows[0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["fails"] == true)
        .collect();
    assert_eq!(failing.len(), 1);
    assert_eq!(failing[0]["id"], "budget.month_1.total");
    assert_eq!(failing[0]["limit"], 1.0);
    assert!(failing[0]["measured"].as_f64().unwrap() > 1.0);

    let (code, xml, _) = check(&[&p, "--replications", "1", "--format", "junit"]);
    assert_eq!(code, 1);
    assert!(xml.contains("failures=\"1\""), "{xml}");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let failure = doc.descendants().find(|n| n.has_tag_name("failure")).unwrap();
    assert_eq!(
        failure.parent().unwrap().attribute("name"),
        Some("budget.month_1.total")
    );
    let (code, md, _) = check(&[&p, "--replications", "1", "--format", "markdown"]);
    assert_eq!(code, 1);
    assert!(
        md.contains("`budget.month_1.total` month 1 total, all environments"),
        "{md}"
    );
    let (code, text, _) = check(&[&p, "--replications", "1"]);
    assert_eq!(code, 1);
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with("BREACHED  ") && first.ends_with("system.yaml"),
        "{text}"
    );
    assert!(text.contains("month 1 total, all environments: $"), "{text}");

    let p = sys("$1000");
    let (code, text, err) = check(&[&p, "--replications", "1"]);
    assert_eq!(code, 0, "{text}{err}");
}

/// Rows keep the command line's order (a scenario, the system and its environments, another
/// scenario), and the verdict counts every row: the scenario's failure fails the gate.
#[test]
fn rows_follow_the_command_line_and_every_row_counts() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", &railway_env("1GB", "30d"));
    let sys = write(
        dir.path(),
        "system.yaml",
        "name: s\nenvironments: {x: a.yaml}\nbudget: {monthly: $1000}\n",
    );
    let over = write(
        dir.path(),
        "over.yaml",
        &format!("{}budget: {{monthly: $1}}\n", railway_env("1GB", "30d")),
    );
    let ok = dir.path().join("a.yaml");
    let p = |x: &Path| x.to_string_lossy().into_owned();
    let (code, text, err) = check(&[&p(&ok), &p(&sys), &p(&over), "--replications", "1", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let j = json_of(&text);
    let rows: Vec<(String, bool)> = j["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let label = match r["environment"].as_str() {
                Some(e) => format!("{}#{e}", r["system"].as_str().unwrap()),
                None => r["file"].as_str().unwrap().to_string(),
            };
            (label, r["passed"].as_bool().unwrap())
        })
        .collect();
    let want = [
        (p(&ok), true),
        (p(&sys), true),
        (format!("{}#x", p(&sys)), true),
        (p(&over), false),
    ];
    assert_eq!(rows, want);
    // Without the failing scenario the gate passes.
    let (code, _, _) = check(&[&p(&ok), &p(&sys), "--replications", "1"]);
    assert_eq!(code, 0);
}

/// `--strict`: a system whose budget gates its environments passes though an environment states
/// no budget of its own; with no budget or SLO anywhere the combined row's `objectives` fails.
/// Pricing ages are checked once per provider however many environments it bills.
#[test]
fn strict_objectives_and_pricing_age_are_the_systems() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", &railway_env("1GB", "30d"));
    let run = |text: &str, extra: &[&str]| {
        let p = write(dir.path(), "system.yaml", text);
        let (code, out, err) = check(
            &[
                &[p.to_str().unwrap(), "--replications", "1", "--format", "json"][..],
                extra,
            ]
            .concat(),
        );
        assert_ne!(code, 2, "{err}");
        (code, json_of(&out))
    };
    let (code, j) = run(
        "name: s\nenvironments: {a: a.yaml, b: a.yaml}\nbudget: {monthly: $1000}\n",
        &["--strict"],
    );
    assert_eq!(code, 0, "{j}");
    let (code, j) = run("name: s\nenvironments: {a: a.yaml, b: a.yaml}\n", &["--strict"]);
    assert_eq!(code, 1);
    assert_eq!(ids(&j["scenarios"][0]), ["objectives"]);
    assert_eq!(j["scenarios"][0]["checks"][0]["fails"], true);
    let (code, _) = run("name: s\nenvironments: {a: a.yaml, b: a.yaml}\n", &[]);
    assert_eq!(code, 0);

    let (code, j) = run(
        "name: s\nenvironments: {a: a.yaml, b: a.yaml}\nbudget: {monthly: $1000}\n",
        &["--max-pricing-age", "100000d"],
    );
    assert_eq!(code, 0);
    let all: Vec<String> = j["scenarios"].as_array().unwrap().iter().flat_map(ids).collect();
    let ages: Vec<&String> = all.iter().filter(|i| i.contains("pricing_age")).collect();
    assert_eq!(ages, ["money.pricing_age.railway"]);
}
