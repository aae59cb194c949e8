//! `capsim diff`: a run against itself is empty; a change's costs recompute by hand from the two
//! `summary.json` files; a scenario and the report directory it writes give the same diff; the
//! gate's boundaries; input errors exit 2.
use crate::common::{capsim, repo, write};
use serde_json::Value;
use std::path::{Path, PathBuf};

const PRICING: &str = "pricing";

/// `scenarios/beta.yaml` copied into `dir` (with the base it extends) with its users doubled.
fn doubled_beta(dir: &Path) -> PathBuf {
    let common = dir.join("common");
    std::fs::create_dir_all(&common).unwrap();
    for e in std::fs::read_dir(repo().join("scenarios/common")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), common.join(e.file_name())).unwrap();
    }
    let text = std::fs::read_to_string(repo().join("scenarios/beta.yaml")).unwrap();
    let old = "users: {growth: linear, from: 10, to: 100, over: 60d}";
    assert!(text.contains(old), "beta.yaml's traffic line moved; update this test");
    write(
        dir,
        "beta-doubled.yaml",
        &text.replace(old, "users: {growth: linear, from: 20, to: 200, over: 60d}"),
    )
}

fn diff_json(base: &Path, new: &Path, extra: &[&str]) -> (Value, i32) {
    let out = capsim()
        .args([
            "diff",
            base.to_str().unwrap(),
            new.to_str().unwrap(),
            "--format",
            "json",
        ])
        .args(["--pricing", PRICING, "--replications", "4"])
        .args(extra)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert!(code == 0 || code == 1, "{}", String::from_utf8_lossy(&out.stderr));
    (serde_json::from_slice(&out.stdout).expect("diff json"), code)
}

fn run_to(scenario: &Path, dir: &Path) {
    capsim()
        .args(["run", scenario.to_str().unwrap(), "--out", dir.to_str().unwrap(), "-q"])
        .args(["--pricing", PRICING, "--replications", "4"])
        .assert()
        .success();
}

fn summary(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap()
}

fn rows_changed(v: &Value) -> usize {
    ["totals", "costs", "checks", "stations"]
        .iter()
        .map(|k| v[k].as_array().unwrap().iter().filter(|r| r["changed"] == true).count())
        .sum::<usize>()
        + v["triggers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["change"] != "unchanged")
            .count()
}

#[test]
fn a_scenario_against_itself_is_empty_and_exits_0_even_under_every_gate() {
    let beta = repo().join("scenarios/beta.yaml");
    let (v, code) = diff_json(&beta, &beta, &["--fail-above", "0%", "--fail-on", "new-trigger,check"]);
    assert_eq!(code, 0);
    assert_eq!(rows_changed(&v), 0, "{v:#}");
    assert_eq!(v["gate"]["passed"], true);
    assert!(
        !v["costs"].as_array().unwrap().is_empty(),
        "rows are kept as data, flagged unchanged"
    );
    let out = capsim()
        .args(["diff", "scenarios/beta.yaml", "scenarios/beta.yaml"])
        .assert()
        .success();
    assert!(String::from_utf8_lossy(&out.get_output().stdout).contains("No differences"));
}

#[test]
fn doubling_the_users_shows_costs_that_recompute_from_the_two_summaries() {
    let dir = tempfile::tempdir().unwrap();
    let doubled = doubled_beta(dir.path());
    let beta = repo().join("scenarios/beta.yaml");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    run_to(&beta, &a);
    run_to(&doubled, &b);
    let (sa, sb) = (summary(&a), summary(&b));
    let (v, _) = diff_json(&a, &b, &[]);
    let months = sa["months"].as_array().unwrap();
    assert_eq!(v["totals"].as_array().unwrap().len(), months.len());
    let mut rose = 0;
    for (i, m) in months.iter().enumerate() {
        let before = m["total"]["mean"].as_f64().unwrap();
        let after = sb["months"][i]["total"]["mean"].as_f64().unwrap();
        let row = &v["totals"][i];
        assert_eq!(row["month"], m["month"]);
        assert_eq!(row["before"].as_f64().unwrap(), before);
        assert_eq!(row["after"].as_f64().unwrap(), after);
        assert_eq!(row["change"].as_f64().unwrap(), after - before);
        // serde_json reads a decimal to within the last bit, hence a tolerance for a quotient.
        let rel = row["relative"].as_f64().unwrap();
        assert!((rel - (after - before) / before).abs() <= 1e-12 * rel.abs(), "{rel}");
        rose += usize::from(after > before);
        for (c, s) in m["components"].as_object().unwrap() {
            let cb = s["mean"].as_f64().unwrap();
            let ca = sb["months"][i]["components"][c]["mean"].as_f64().unwrap();
            let r = v["costs"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["month"] == m["month"] && r["component"] == *c);
            let r = r.unwrap_or_else(|| panic!("month {} {c} dropped", m["month"]));
            assert_eq!(r["change"].as_f64().unwrap(), ca - cb, "{c}");
        }
    }
    assert!(rose > 0, "twice the users cost more in some month");
    let changes: Vec<f64> = v["costs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["change"].as_f64().unwrap().abs())
        .collect();
    assert!(changes.windows(2).all(|w| w[0] >= w[1]), "{changes:?}");
}

#[test]
fn a_scenario_and_the_report_it_writes_give_the_same_diff() {
    let dir = tempfile::tempdir().unwrap();
    let doubled = doubled_beta(dir.path());
    let beta = repo().join("scenarios/beta.yaml");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    run_to(&beta, &a);
    run_to(&doubled, &b);
    let (from_runs, c1) = diff_json(&beta, &doubled, &["--fail-above", "+5%"]);
    let (from_dirs, c2) = diff_json(&a, &b, &["--fail-above", "+5%"]);
    let (mixed, c3) = diff_json(&beta, &b, &["--fail-above", "+5%"]);
    for k in ["totals", "costs", "triggers", "checks", "stations", "gate"] {
        assert_eq!(from_runs[k], from_dirs[k], "{k}");
        assert_eq!(from_runs[k], mixed[k], "{k}");
    }
    assert_eq!((c1, c2), (c3, c3));
    assert_eq!(from_runs["base"]["kind"], "scenario");
    assert_eq!(from_dirs["base"]["kind"], "report");
    // A scenario against its own report: nothing differs.
    let (same, code) = diff_json(&beta, &a, &[]);
    assert_eq!((rows_changed(&same), code), (0, 0));
}

#[test]
fn fail_above_fails_just_beyond_the_largest_monthly_rise_and_passes_just_within() {
    let dir = tempfile::tempdir().unwrap();
    let doubled = doubled_beta(dir.path());
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    run_to(&repo().join("scenarios/beta.yaml"), &a);
    run_to(&doubled, &b);
    let (v, _) = diff_json(&a, &b, &[]);
    let totals = v["totals"].as_array().unwrap();
    let pct = totals
        .iter()
        .map(|r| r["relative"].as_f64().unwrap() * 100.0)
        .fold(f64::MIN, f64::max);
    let usd = totals
        .iter()
        .map(|r| r["change"].as_f64().unwrap())
        .fold(f64::MIN, f64::max);
    assert!(pct > 0.0 && usd > 0.0);
    let code = |limit: String| diff_json(&a, &b, &["--fail-above", &limit]).1;
    assert_eq!(code(format!("+{:.4}%", pct - 0.001)), 1);
    assert_eq!(code(format!("+{:.4}%", pct + 0.001)), 0);
    assert_eq!(code(format!("${:.4}", usd - 0.001)), 1);
    assert_eq!(code(format!("${:.4}", usd + 0.001)), 0);
    // The other direction is a fall: no limit fails it.
    assert_eq!(diff_json(&b, &a, &["--fail-above", "0%"]).1, 0);
    let (v, c) = diff_json(&a, &b, &["--fail-above", "0%"]);
    assert_eq!(c, 1);
    assert_eq!(v["gate"]["failures"][0]["kind"], "cost");
}

#[test]
fn out_writes_what_stdout_would_show_and_markdown_fits_a_comment() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("diff.md");
    let args = [
        "diff",
        "scenarios/beta.yaml",
        "scenarios/ga.yaml",
        "--format",
        "markdown",
        "--replications",
        "2",
    ];
    let shown = capsim().args(args).assert().success().get_output().stdout.clone();
    let quiet = capsim()
        .args(args)
        .args(["--out", file.to_str().unwrap()])
        .assert()
        .success();
    assert!(quiet.get_output().stdout.is_empty());
    assert_eq!(std::fs::read(&file).unwrap(), shown);
    let md = String::from_utf8(shown).unwrap();
    assert!(
        md.starts_with("### capsim diff: Learnr Beta (100 users) → Learnr GA (1,000+ users)"),
        "{md}"
    );
    assert!(md.contains("| 3 | – | $"), "month 3 only in GA is shown as added: {md}");
    assert!(md.lines().count() < 80, "{} lines", md.lines().count());
}

#[test]
fn bad_input_exits_2_with_the_file_and_what_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let e = empty.to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["scenarios/beta.yaml", e], "summary.json"),
        (vec!["scenarios/beta.yaml", "no-such.yaml"], "no-such.yaml"),
        (
            vec!["scenarios/beta.yaml", "scenarios/beta.yaml", "--fail-above", "10"],
            "`+10%`",
        ),
        (
            vec!["scenarios/beta.yaml", "scenarios/beta.yaml", "--fail-above", "-5%"],
            "a rise",
        ),
        (
            vec!["scenarios/beta.yaml", "scenarios/beta.yaml", "--fail-on", "cost"],
            "new-trigger",
        ),
        (
            vec!["scenarios/beta.yaml", "scenarios/beta.yaml", "--out", e],
            "is a directory",
        ),
        (
            vec![
                "scenarios/beta.yaml",
                "scenarios/beta.yaml",
                "--out",
                "scenarios/beta.yaml",
            ],
            "input",
        ),
    ];
    for (args, says) in cases {
        let out = capsim().arg("diff").args(&args).assert().code(2);
        let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(err.contains(says), "{args:?}: {err}");
    }
    let bad = write(dir.path(), "summary.json", "{\"schema_version\": 99}");
    let out = capsim()
        .args(["diff", dir.path().to_str().unwrap(), e])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("schema_version") && err.contains(bad.to_str().unwrap()),
        "{err}"
    );
}

#[test]
fn the_readme_example_runs_as_written() {
    let section = "## Comparing two runs (diff)";
    let body = &crate::common::readme_block(section, "sh");
    let mut ran = 0;
    for line in body.lines().filter(|l| l.starts_with("capsim diff ")) {
        let cmd = line.split(" #").next().unwrap().trim();
        let (want, cmd) = match cmd.strip_suffix("; echo $?") {
            Some(c) => (Some(()), c),
            None => (None, cmd),
        };
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("diff.out");
        let mut args: Vec<&str> = cmd.split_whitespace().skip(1).map(|a| a.trim_matches('\'')).collect();
        // An --out file goes to a temporary directory, not into the repository.
        if let Some(i) = args.iter().position(|a| *a == "--out") {
            args[i + 1] = file.to_str().unwrap();
        }
        let out = capsim().args(&args).output().unwrap();
        let code = out.status.code().unwrap();
        assert!(
            code == 0 || (want.is_some() && code == 1),
            "{cmd}: {code} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        ran += 1;
    }
    assert!(ran >= 3, "{ran} commands");
    // The quoted output lines are what the command prints.
    let text = &crate::common::readme_block(section, "text");
    let out = capsim()
        .args([
            "diff",
            "scenarios/beta.yaml",
            "scenarios/ga.yaml",
            "--fail-above",
            "+10%",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    for line in text.lines().filter(|l| !l.trim().is_empty() && !l.contains('…')) {
        assert!(stdout.contains(line), "README line not in the output: {line}\n{stdout}");
    }
}

#[test]
fn the_diff_does_not_depend_on_the_thread_count() {
    let args = [
        "diff",
        "scenarios/beta.yaml",
        "scenarios/ga.yaml",
        "--format",
        "json",
        "--replications",
        "3",
    ];
    let one = capsim().args(args).args(["--threads", "1"]).output().unwrap();
    let two = capsim().args(args).args(["--threads", "2"]).output().unwrap();
    assert!(one.status.success(), "{}", String::from_utf8_lossy(&one.stderr));
    assert_eq!(one.stdout, two.stdout);
}
