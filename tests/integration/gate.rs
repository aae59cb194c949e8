//! `capsim check` as a CI gate: its JUnit read back by an XML parser, its JSON against the
//! documented schema (docs/ci/check-json.md), the markdown summary, `--strict` on what changes
//! the money, every broken file reported, budgets at a percentile and month, and the example
//! workflow (docs/ci/capsim.yml) run command by command.

use crate::common::{capsim, repo, write};
use std::collections::BTreeSet;
use std::path::Path;

/// `check` with `args`: (exit code, stdout, stderr).
fn check(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut c = capsim();
    c.arg("check").args(args).env_remove("CAPSIM_TODAY");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json_of(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The JUnit file parses; one testsuite per scenario named by its file, one testcase per
/// check named by the JSON's ids, a failure exactly where the JSON says `fails`, carrying the
/// measured value, the limit and the unit.
#[test]
fn junit_is_read_back_by_an_xml_parser_and_matches_the_json() {
    let dir = tempfile::tempdir().unwrap();
    let (xml_path, json_path) = (dir.path().join("c.xml"), dir.path().join("c.json"));
    let (code, _, err) = check(
        &[
            "scenarios/mvp-growth.yaml",
            "scenarios/beta.yaml",
            "--replications",
            "2",
            "--out",
            xml_path.to_str().unwrap(),
            "--out",
            json_path.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 1, "{err}");
    let xml = std::fs::read_to_string(&xml_path).unwrap();
    let json = json_of(&std::fs::read_to_string(&json_path).unwrap());
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let suites: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("testsuite")).collect();
    let scenarios = json["scenarios"].as_array().unwrap();
    assert_eq!(suites.len(), scenarios.len());
    let mut failures_seen = 0;
    for (suite, sc) in suites.iter().zip(scenarios) {
        assert_eq!(suite.attribute("name"), sc["file"].as_str());
        let cases: Vec<_> = suite.children().filter(|n| n.has_tag_name("testcase")).collect();
        let checks = sc["checks"].as_array().unwrap();
        assert_eq!(cases.len(), checks.len());
        assert_eq!(suite.attribute("tests").unwrap(), checks.len().to_string());
        for (case, c) in cases.iter().zip(checks) {
            assert_eq!(case.attribute("name"), c["id"].as_str());
            let failure = case.children().find(|n| n.has_tag_name("failure"));
            assert_eq!(failure.is_some(), c["fails"].as_bool().unwrap(), "{}", c["id"]);
            if let Some(f) = failure {
                failures_seen += 1;
                let text = f.text().unwrap();
                let measured = c["measured"].as_f64().unwrap();
                assert!(text.contains(&format!("measured={measured}")), "{text}");
                assert!(
                    text.contains(&format!("limit={}", c["limit"].as_f64().unwrap())),
                    "{text}"
                );
                assert!(
                    text.contains(&format!("unit={}", c["unit"].as_str().unwrap())),
                    "{text}"
                );
            }
        }
    }
    // mvp-growth's $10 budget is breached in month 1; beta passes.
    assert!(failures_seen >= 1);
    assert_eq!(scenarios[0]["passed"], false);
    assert_eq!(scenarios[1]["passed"], true);
    let breached = scenarios[0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "budget.month_1.total")
        .unwrap();
    assert_eq!(breached["verdict"], "breached");
    assert!(breached["measured"].as_f64().unwrap() > breached["limit"].as_f64().unwrap());
}

/// The keys a table of the schema document lists under `heading` (first column).
fn documented_keys(doc: &str, heading: &str) -> BTreeSet<String> {
    let section = doc
        .split(&format!("## {heading}\n"))
        .nth(1)
        .unwrap_or_else(|| panic!("{heading}"));
    let section = section.split("\n## ").next().unwrap();
    section
        .lines()
        .skip_while(|l| !l.starts_with("| key |"))
        .skip(2)
        .take_while(|l| l.starts_with("| `"))
        .map(|l| l.split('`').nth(1).unwrap().to_string())
        .collect()
}

fn keys(v: &serde_json::Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

/// Every object of the JSON has exactly the keys docs/ci/check-json.md lists, and every check
/// id has the documented form.
#[test]
fn json_has_exactly_the_documented_keys() {
    let doc = std::fs::read_to_string(repo().join("docs/ci/check-json.md")).unwrap();
    let (code, out, err) = check(
        &[
            "scenarios/mvp-growth.yaml",
            "--replications",
            "2",
            "--format",
            "json",
            "--max-pricing-age",
            "3650d",
        ],
        &[("CAPSIM_TODAY", "2026-11-26")],
    );
    assert_eq!(code, 1, "{err}");
    let j = json_of(&out);
    assert_eq!(keys(&j), documented_keys(&doc, "The report"));
    assert_eq!(j["exit_code"], 1);
    assert_eq!(j["outcome"], "fail");
    assert_eq!(j["today"], "2026-11-26");
    let sc = &j["scenarios"][0];
    assert_eq!(keys(sc), documented_keys(&doc, "A scenario"));
    assert_eq!(keys(&sc["money"][0]), documented_keys(&doc, "A month (`money`)"));
    let ids_doc: Vec<&str> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .collect();
    for c in sc["checks"].as_array().unwrap() {
        assert_eq!(keys(c), documented_keys(&doc, "A check"));
        let id = c["id"].as_str().unwrap();
        let head = id.split('.').next().unwrap();
        assert!(
            ids_doc.iter().any(|d| d.split('.').next() == Some(head)),
            "{id} undocumented"
        );
    }
    // Pricing ages are checks with their unit: seconds.
    let age = sc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"].as_str().unwrap().starts_with("money.pricing_age."))
        .expect("a pricing age check");
    assert_eq!(age["kind"], "money");
    // The errors of a broken file.
    let (code, out, _) = check(&["scenarios/missing.yaml", "--format", "json"], &[]);
    assert_eq!(code, 2);
    let j = json_of(&out);
    assert_eq!(keys(&j["errors"][0]), documented_keys(&doc, "An error"));
    assert_eq!(j["outcome"], "error");
}

/// The markdown summary: a headline, one row per scenario with its money, the failed check by
/// id, and short (a pull-request comment, not the report).
#[test]
fn markdown_is_a_short_summary_with_the_verdicts_and_the_money() {
    let (code, out, _) = check(
        &[
            "scenarios/mvp-growth.yaml",
            "scenarios/beta.yaml",
            "--replications",
            "2",
            "--format",
            "markdown",
        ],
        &[],
    );
    assert_eq!(code, 1);
    assert!(out.starts_with("### ❌ capsim check failed"), "{out}");
    assert!(out.contains("1 of 2 scenario(s) passed"), "{out}");
    assert!(out.contains("| `scenarios/beta.yaml` | ✅ pass |"), "{out}");
    assert!(out.contains("`budget.month_1.total`"), "{out}");
    assert!(out.contains("limit $10.00"), "{out}");
    assert!(out.contains('$'));
    assert!(out.len() < 4000, "{} bytes", out.len());
}

/// A copy of beta.yaml in `dir` with its budget and SLO blocks replaced by `tail`.
fn beta_with(dir: &Path, tail: &str) -> String {
    let text = std::fs::read_to_string(repo().join("scenarios/beta.yaml")).unwrap();
    let base = repo().join("scenarios/common/learnr-base.yaml");
    let mut out = String::new();
    let mut skipping = false;
    for line in text.lines() {
        if line.starts_with("budget:") || line.starts_with("slo:") {
            skipping = true;
            continue;
        }
        if skipping && line.starts_with("  ") {
            continue;
        }
        skipping = false;
        out.push_str(&line.replace("common/learnr-base.yaml", base.to_str().unwrap()));
        out.push('\n');
    }
    out.push_str(tail);
    write(dir, "beta-copy.yaml", &out).to_string_lossy().into_owned()
}

/// No budget and no SLO: said, a pass without --strict, a failure with it (k6's lesson).
#[test]
fn a_scenario_with_nothing_to_gate_on_fails_under_strict() {
    let dir = tempfile::tempdir().unwrap();
    let f = beta_with(dir.path(), "");
    let (code, out, err) = check(&[&f, "--replications", "2"], &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("warning: no budget and no SLO"), "{out}");
    let (code, out, err) = check(&[&f, "--replications", "2", "--strict", "--format", "json"], &[]);
    assert_eq!(code, 1, "{out}{err}");
    let j = json_of(&out);
    let c = &j["scenarios"][0]["checks"][0];
    assert_eq!(
        (c["id"].as_str(), c["fails"].as_bool()),
        (Some("objectives"), Some(true))
    );
}

/// Prices older than --max-pricing-age (today pinned by CAPSIM_TODAY) warn, and fail under
/// --strict; the age grows with today; a malformed CAPSIM_TODAY is an input error.
#[test]
fn old_pricing_warns_and_fails_under_strict() {
    let args = [
        "scenarios/beta.yaml",
        "--replications",
        "2",
        "--format",
        "json",
        "--max-pricing-age",
        "400d",
    ];
    let ages = |today: &str, strict: bool| {
        let mut a = args.to_vec();
        if strict {
            a.push("--strict");
        }
        let (code, out, err) = check(&a, &[("CAPSIM_TODAY", today)]);
        let j = json_of(&out);
        let checks: Vec<serde_json::Value> = j["scenarios"][0]["checks"]
            .as_array()
            .unwrap_or_else(|| panic!("{out}{err}"))
            .iter()
            .filter(|c| c["id"].as_str().unwrap().starts_with("money.pricing_age."))
            .cloned()
            .collect();
        (code, checks)
    };
    let (code_now, now) = ages("2026-11-26", false);
    let (code_later, later) = ages("2030-01-01", false);
    assert!(!now.is_empty());
    assert_eq!(now.len(), later.len());
    assert_eq!(code_now, 0);
    // Without --strict a stale price is a warning: still exit 0.
    assert_eq!(code_later, 0);
    for (a, b) in now.iter().zip(&later) {
        if let (Some(x), Some(y)) = (a["measured"].as_f64(), b["measured"].as_f64()) {
            assert!(y > x, "{a} {b}");
            assert_eq!(b["verdict"], "breached");
            assert_eq!(b["unit"], "seconds");
        }
        assert!(!b["fails"].as_bool().unwrap());
    }
    let (code, strict) = ages("2030-01-01", true);
    assert_eq!(code, 1);
    assert!(strict.iter().all(|c| c["fails"] == true));
    let (code, _, err) = check(&args, &[("CAPSIM_TODAY", "2026-02-30")]);
    assert_eq!(code, 2);
    assert!(err.contains("CAPSIM_TODAY must be a date written YYYY-MM-DD"), "{err}");
}

/// Every broken file is reported, not only the first, and nothing runs.
#[test]
fn every_broken_file_is_reported_and_nothing_runs() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "bad.yaml", "name: x\n");
    let (code, out, err) = check(
        &[
            "scenarios/missing.yaml",
            "scenarios/beta.yaml",
            bad.to_str().unwrap(),
            "--out",
            "x.csv",
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("scenarios/missing.yaml"), "{err}");
    assert!(err.contains("bad.yaml"), "{err}");
    assert!(err.contains("x.csv") && err.contains(".json, .xml, .md, .txt"), "{err}");
    assert!(!repo().join("x.csv").exists());
}

/// `budget: {percentile, month}`: only that month is checked, at that percentile; values
/// outside the allowed sets are input errors naming the field and what is allowed.
#[test]
fn budgets_on_a_percentile_of_one_month() {
    let dir = tempfile::tempdir().unwrap();
    let f = beta_with(dir.path(), "budget: {monthly: $200, percentile: 50, month: 2}\n");
    let (code, out, err) = check(&[&f, "--replications", "3", "--format", "json"], &[]);
    assert_eq!(code, 0, "{out}{err}");
    let j = json_of(&out);
    let budgets: Vec<&serde_json::Value> = j["scenarios"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "budget")
        .collect();
    assert_eq!(budgets.len(), 1);
    assert_eq!(budgets[0]["id"], "budget.month_2.total");
    assert_eq!(budgets[0]["percentile"], 50);
    for (tail, needle) in [
        ("budget: {monthly: $200, percentile: 95}\n", "allowed: 10, 50, 90, 100"),
        ("budget: {monthly: $200, month: 3}\n", "calendar months 1 to 2"),
        ("budget: {percentile: 90}\n", "there is no budget"),
    ] {
        let f = beta_with(dir.path(), tail);
        let (code, _, err) = check(&[&f], &[]);
        assert_eq!(code, 2, "{tail}");
        assert!(err.contains(needle) && err.contains("budget"), "{tail}: {err}");
    }
}

/// The example workflow parses, and its capsim steps, run as written (with two replications
/// and the files in a temporary directory), give the exit codes and files it relies on.
#[test]
fn the_example_workflow_runs() {
    let text = std::fs::read_to_string(repo().join("docs/ci/capsim.yml")).unwrap();
    let wf: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let steps = wf["jobs"]["gate"]["steps"].as_sequence().unwrap();
    let runs: Vec<&str> = steps
        .iter()
        .filter_map(|s| s["run"].as_str())
        .filter(|r| r.trim_start().starts_with("capsim "))
        .collect();
    assert_eq!(runs.len(), 2, "{runs:?}");
    let dir = tempfile::tempdir().unwrap();
    let mut ran_check = false;
    for run in runs {
        let (cmd, summary) = match run.split_once(">>") {
            Some((c, s)) => (c, Some(s.trim())),
            None => (run, None),
        };
        let mut words: Vec<String> = cmd.split_whitespace().skip(1).map(String::from).collect();
        for i in 1..words.len() {
            if words[i - 1] == "--out" {
                words[i] = dir.path().join(&words[i]).to_string_lossy().into_owned();
            }
        }
        if words[0] == "check" {
            words.extend(["--replications".into(), "2".into()]);
        }
        let out = capsim().args(&words).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{run}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if words[0] == "check" {
            ran_check = true;
            assert_eq!(summary, Some("\"$GITHUB_STEP_SUMMARY\""));
            assert!(stdout.starts_with("### ✅ capsim check passed"), "{stdout}");
            let xml = std::fs::read_to_string(dir.path().join("capsim-check.xml")).unwrap();
            let doc = roxmltree::Document::parse(&xml).unwrap();
            assert_eq!(doc.descendants().filter(|n| n.has_tag_name("testsuite")).count(), 2);
            let j = json_of(&std::fs::read_to_string(dir.path().join("capsim-check.json")).unwrap());
            assert_eq!(j["outcome"], "pass");
        }
    }
    assert!(ran_check);
    // The files the upload step names are those the check step writes.
    let upload = steps.iter().find(|s| s["with"]["path"].is_string()).unwrap();
    for f in upload["with"]["path"].as_str().unwrap().split_whitespace() {
        assert!(dir.path().join(f).exists(), "{f}");
    }
}

/// The README's CI gate examples, each run as written (two replications, `--out` files in a
/// temporary directory, `VAR=value` prefixes as environment), give the exit code its comment
/// says.
#[test]
fn the_readme_ci_gate_examples_give_their_exit_codes() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let section = readme.split("## CI gate\n").nth(1).unwrap();
    let block = section.split("```sh\n").nth(1).unwrap().split("```").next().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    for line in block.lines() {
        let (cmd, comment) = line.split_once('#').unwrap();
        let want: i32 = comment.trim().strip_prefix("exit ").unwrap()[..1].parse().unwrap();
        let mut c = capsim();
        c.env_remove("CAPSIM_TODAY");
        let mut words: Vec<String> = Vec::new();
        for w in cmd.split_whitespace() {
            match w.split_once('=') {
                Some((k, v)) if words.is_empty() && k.chars().all(|c| c.is_ascii_uppercase() || c == '_') => {
                    c.env(k, v);
                }
                _ => words.push(w.to_string()),
            }
        }
        assert_eq!(words[0], "capsim", "{line}");
        for i in 2..words.len() {
            if words[i - 1] == "--out" {
                words[i] = dir.path().join(&words[i]).to_string_lossy().into_owned();
            }
        }
        let out = c.args(&words[1..]).args(["--replications", "2"]).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(want),
            "{line}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        n += 1;
    }
    assert!(n >= 5);
    for f in ["check.xml", "check.json"] {
        assert!(dir.path().join(f).exists(), "{f}");
    }
}
