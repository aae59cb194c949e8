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
