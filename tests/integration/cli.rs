//! The command line end to end: errors are clear and exit with 2; nothing half-written.
use crate::common::{capsim, repo, write};
use predicates::prelude::*;

#[test]
fn unknown_field_names_file_field_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "bad.yaml",
        "name: x\nstage: s\nhorizon: 1d\ntraffic: {arrival_rate: 1/s}\nrequests: {r: {share: 100%, cpu: 10ms}}\nstages:\n  s:\n    api: {vcpu: 1, workerz: 2}\n",
    );
    capsim()
        .args(["validate", p.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("bad.yaml:8:")
                .and(predicate::str::contains("stages.s.api.workerz"))
                .and(predicate::str::contains("allowed:")),
        );
}

#[test]
fn unknown_plan_lists_known_plans() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "bad.yaml",
        &format!(
            "name: x\nstage: beta\nhorizon: 1d\npricing: {}\ntraffic: {{arrival_rate: 1/s}}\nrequests: {{r: {{share: 100%, cpu: 10ms}}}}\nstages:\n  beta:\n    api: {{vcpu: 1}}\n    database:\n      provider: supabase\n      plan: platinum\n      query_time: 2ms\n",
            repo().join("pricing").display()
        ),
    );
    capsim()
        .args(["validate", p.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("stages.beta.database.plan")
                .and(predicate::str::contains("no plan `platinum`"))
                .and(predicate::str::contains("allowed: "))
                .and(predicate::str::contains("pro"))
                .and(predicate::str::contains("connection limit").not()),
        );
}

#[test]
fn bad_units_shares_and_syntax_are_input_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("name: x\nstage: s\nhorizon: 1 fortnight\ntraffic: {arrival_rate: 1/s}\nrequests: {r: {share: 100%, cpu: 10ms}}\nstages: {s: {api: {vcpu: 1}}}\n", "unknown duration unit"),
        ("name: x\nstage: s\nhorizon: 1d\ntraffic: {arrival_rate: 1/s}\nrequests: {r: {share: 60%, cpu: 10ms}}\nstages: {s: {api: {vcpu: 1}}}\n", "add up to 60.00%"),
        ("name: x\nstage: s\nhorizon: 1d\ntraffic: {arrival_rate: 1/s}\nrequests: {r: {share: 100%, cpu: 10ms}}\nstages: {s: {api: {vcpu: -1}}}\n", "stages.s.api.vcpu"),
        ("name: x\nstage: s\nhorizon: 1d\ntraffic: {arrival_rate: .nan/s}\nrequests: {r: {share: 100%, cpu: 10ms}}\nstages: {s: {api: {vcpu: 1}}}\n", "traffic.arrival_rate"),
        ("name: x\nstage: t\nhorizon: 1d\ntraffic: {arrival_rate: 1/s}\nrequests: {r: {share: 100%, cpu: 10ms}}\nstages: {s: {api: {vcpu: 1}}}\n", "no stage named `t`"),
        ("name: x\nstage: s\nhorizon: [1d\n", "invalid YAML"),
        ("name: x\nstage: s\nhorizon: 1d\ntraffic: {arrival_rate: 1/s}\nrequests: {r: {share: 100%, cpu: 10ms}}\nstages: {s: {api: {vcpu: 1}}}\ntriggers:\n  - {name: t, metric: cpu.load, above: 70%}\n", "unknown metric `cpu.load`"),
        ("name: x\nstage: s\nhorizon: 1d\ntraffic: {arrival_rate: 1/s}\nrequests: {r: {share: 100%, cpu: 10ms}}\nstages: {s: {api: {vcpu: 1}}}\ntriggers:\n  - {name: t, metric: database.size, above: 70 apples}\n", "unknown size unit"),
    ];
    for (i, (text, expect)) in cases.iter().enumerate() {
        let p = write(dir.path(), &format!("c{i}.yaml"), text);
        capsim()
            .args(["validate", p.to_str().unwrap()])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(*expect));
    }
}

#[test]
fn extends_cycle_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", "extends: b.yaml\nname: a\n");
    let b = write(dir.path(), "b.yaml", "extends: a.yaml\nname: b\n");
    capsim()
        .args(["validate", b.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cycle"));
}

#[test]
fn failed_run_leaves_no_report() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "bad.yaml", "name: x\n");
    let out = dir.path().join("reports").join("bad");
    capsim()
        .args(["run", p.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .assert()
        .code(2);
    assert!(!out.exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn help_and_version() {
    capsim()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("run"));
    capsim().arg("--version").assert().success();
}

/// Every `ci95` in a JSON value.
fn half_widths<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a serde_json::Value>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                if k == "ci95" {
                    out.push(x);
                }
                half_widths(x, out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| half_widths(x, out)),
        _ => {}
    }
}

/// One replication has no confidence interval and so no agreement test: no output may print
/// an interval ("± $0.00" is a claim the run cannot make) or a half-width of zero, or say that
/// theory and simulation agree or disagree.
#[test]
fn one_replication_prints_no_interval_and_no_agreement_claim() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("one");
    let run = capsim()
        .args(["run", "tests/fixtures/mmck.yaml", "--replications", "1", "--out"])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8(run.get_output().stdout.clone()).unwrap();
    let mut texts = vec![("stdout".to_string(), stdout)];
    for entry in std::fs::read_dir(&out).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        texts.push((name, std::fs::read_to_string(&p).unwrap()));
    }
    assert!(texts.len() >= 7, "{:?}", texts.iter().map(|t| &t.0).collect::<Vec<_>>());
    for (name, text) in &texts {
        for claim in [
            "±",
            "95% CI",
            "95 % CI",
            "agrees: yes",
            "✓ yes",
            "✗ no",
            "| yes |",
            "**no**",
        ] {
            assert!(!text.contains(claim), "{name} says {claim:?}");
        }
    }
    let file = |f: &str| &texts.iter().find(|t| t.0 == f).unwrap().1;
    for f in ["summary.md", "report.html"] {
        assert!(
            file(f).contains("no test (1 replication)"),
            "{f}: no verdict in the stations table"
        );
        assert!(file(f).contains("1 replication: no interval, no agreement test"), "{f}");
    }
    let json: serde_json::Value = serde_json::from_str(file("summary.json")).unwrap();
    let mut hw = Vec::new();
    half_widths(&json, &mut hw);
    assert!(!hw.is_empty());
    assert!(
        hw.iter().all(|v| v.is_null()),
        "a half-width from one replication: {hw:?}"
    );
    assert!(json["stations"][0]["agrees"].is_null());
    let mut csv = csv::Reader::from_reader(file("timeseries.csv").as_bytes());
    let header = csv.headers().unwrap().clone();
    let ci_cols: Vec<usize> = (0..header.len()).filter(|&i| header[i].ends_with("_ci95")).collect();
    assert!(!ci_cols.is_empty());
    for row in csv.records() {
        let row = row.unwrap();
        assert!(ci_cols.iter().all(|&i| row[i].is_empty()), "a CI half-width in {row:?}");
    }
}
