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

/// A scenario kept outside any repository: one Railway service, one simulated day.
const OUTSIDE: &str = "name: x\nstage: s\nhorizon: 1d\nreplications: 1\ntraffic: {arrival_rate: 1/s}\nrequests: {r: {share: 100%, cpu: 10ms}}\nstages:\n  s:\n    api: {vcpu: 1, ram: 512MB, provider: railway, plan: pro}\n";

/// `capsim` run from `dir`, with no CAPSIM_PRICING of the developer's.
fn capsim_in(dir: &std::path::Path) -> assert_cmd::Command {
    let mut c = capsim();
    c.current_dir(dir);
    c
}

fn stdout_of(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(a.get_output().stdout.clone()).unwrap()
}

#[test]
fn scenario_outside_the_repository_is_priced_with_the_built_in_catalogs() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "s.yaml", OUTSIDE);
    let out = dir.path().join("out");
    let a = capsim_in(dir.path())
        .args(["run", "s.yaml", "--out", out.to_str().unwrap()])
        .assert()
        .success();
    let built_in = format!("built-in catalogs (capsim {})", env!("CARGO_PKG_VERSION"));
    assert!(
        stdout_of(&a).contains(&format!("Prices: {built_in}.")),
        "{}",
        stdout_of(&a)
    );
    for f in ["summary.md", "report.html"] {
        let text = std::fs::read_to_string(out.join(f)).unwrap();
        assert!(text.contains(&built_in), "{f} does not say which catalogs were used");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(json["scenario"]["pricing"]["kind"], "built_in");
    assert_eq!(json["scenario"]["pricing"]["capsim_version"], env!("CARGO_PKG_VERSION"));
    // Railway Pro is priced (its $20 commitment), not "unknown provider `railway`".
    assert!(stdout_of(&a).contains("month 1: $20.00"), "{}", stdout_of(&a));
}

#[test]
fn pricing_precedence_flag_then_env_then_field_then_nearby() {
    let dir = tempfile::tempdir().unwrap();
    let repo_pricing = repo().join("pricing");
    let repo_pricing = repo_pricing.to_str().unwrap();
    // A nearby pricing/ with a railway of its own (a $7 Pro) is used before the built-in one.
    let nearby = dir.path().join("pricing");
    std::fs::create_dir(&nearby).unwrap();
    let railway = "provider: railway\nname: R\nsource: [s]\nas_of: \"2026\"\nconfidence: official\nplans:\n  pro: {name: Pro, fee: $7}\n";
    std::fs::write(nearby.join("railway.yaml"), railway).unwrap();
    let sub = dir.path().join("scenarios");
    std::fs::create_dir(&sub).unwrap();
    let s = write(&sub, "s.yaml", OUTSIDE);
    let s = s.to_str().unwrap();
    let validate = |env: Option<&str>, flag: Option<&str>| {
        let mut c = capsim_in(dir.path());
        c.args(["validate", s]);
        if let Some(e) = env {
            c.env("CAPSIM_PRICING", e);
        }
        if let Some(f) = flag {
            c.args(["--pricing", f]);
        }
        stdout_of(&c.assert().success())
    };
    assert!(validate(None, None).contains("catalogs in pricing (the nearest pricing/ directory upward)"));
    assert!(validate(Some(repo_pricing), None).contains("(named by CAPSIM_PRICING)"));
    // The flag beats the variable, even one naming nothing.
    let both = validate(Some("/no/such/dir"), Some(repo_pricing));
    assert!(
        both.contains(&format!("catalogs in {repo_pricing} (named by --pricing)")),
        "{both}"
    );
    // The scenario's `pricing:` beats the nearby directory; the variable beats the field.
    let with_field = write(&sub, "f.yaml", &format!("{OUTSIDE}pricing: {repo_pricing}\n"));
    let a = capsim_in(dir.path())
        .args(["validate", with_field.to_str().unwrap()])
        .assert()
        .success();
    assert!(
        stdout_of(&a).contains("(named by the scenario's `pricing:`)"),
        "{}",
        stdout_of(&a)
    );
    let a = capsim_in(dir.path())
        .env("CAPSIM_PRICING", repo_pricing)
        .args(["validate", with_field.to_str().unwrap()])
        .assert()
        .success();
    assert!(stdout_of(&a).contains("(named by CAPSIM_PRICING)"));
}

#[test]
fn a_named_pricing_directory_that_is_missing_or_empty_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let s = write(dir.path(), "s.yaml", OUTSIDE);
    let s = s.to_str().unwrap();
    capsim_in(dir.path())
        .env("CAPSIM_PRICING", "/no/such/dir")
        .args(["run", s])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "/no/such/dir: the pricing directory named by CAPSIM_PRICING does not exist",
        ));
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    capsim_in(dir.path())
        .args(["check", s, "--pricing", empty.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no pricing catalogs in the pricing directory named by --pricing",
        ));
    let field = write(dir.path(), "f.yaml", &format!("{OUTSIDE}pricing: prices\n"));
    capsim_in(dir.path())
        .args(["validate", field.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("field `pricing`").and(predicate::str::contains("does not exist")));
    capsim_in(dir.path())
        .args(["plans", "--pricing", "/no/such/dir"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not exist"));
}

#[test]
fn plans_lists_the_built_in_catalogs_outside_the_repository() {
    let dir = tempfile::tempdir().unwrap();
    let a = capsim_in(dir.path()).args(["plans", "railway"]).assert().success();
    let text = stdout_of(&a);
    assert!(
        text.starts_with(&format!(
            "Catalogs: built-in catalogs (capsim {})\n",
            env!("CARGO_PKG_VERSION")
        )),
        "{text}"
    );
    assert!(text.contains("railway — Railway") && text.contains("pro"), "{text}");
    // In the repository the nearby pricing/ is listed, and says so.
    let a = capsim().args(["plans", "openai_api"]).assert().success();
    let text = stdout_of(&a);
    assert!(
        text.starts_with("Catalogs: catalogs in pricing (the nearest pricing/ directory upward)\n"),
        "{text}"
    );
    assert!(text.contains("gpt-4o-mini"), "{text}");
}

#[test]
fn help_documents_the_pricing_precedence() {
    let a = capsim().arg("--help").assert().success();
    let text = stdout_of(&a);
    for needle in [
        "--pricing DIR",
        "CAPSIM_PRICING",
        "`pricing:`",
        "nearest pricing/",
        "built into",
    ] {
        assert!(
            text.contains(needle),
            "`capsim --help` does not mention {needle}:\n{text}"
        );
    }
    let a = capsim().args(["run", "--help"]).assert().success();
    assert!(stdout_of(&a).contains("CAPSIM_PRICING"));
}
