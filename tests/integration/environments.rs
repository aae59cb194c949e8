//! Environments (`crate::envs`): a system file bills several scenarios together. The combined
//! bill is the environments' bills with each shared catalog account billed once (computed here
//! by hand from the catalog and the bills' lines), an environment inside a system gives what it
//! gives alone with its derived seed, and every mistake in a system file is located (exit 2).

use crate::common::{capsim, dir_files, repo, write};
use capsim::envs::{self, SystemResult};
use capsim::pricing::{CatalogSource, ChosenBy, LineKind};
use std::path::Path;

fn pricing() -> CatalogSource {
    CatalogSource::dir(repo().join("pricing"), ChosenBy::Flag)
}

/// A one-stage scenario with a Railway Pro API whose RAM in use sets its usage.
pub fn railway_env(ram_in_use: &str, horizon: &str) -> String {
    format!(
        "name: env\nstage: s\nseed: 1\nreplications: 1\nhorizon: {horizon}\nresolution: 1d\nhours_per_month: 720\n\
         simulation: {{mode: peak_window, window: 10m, warmup: 5m}}\n\
         traffic: {{users: {{growth: constant, users: 10}}, sessions_per_user_per_week: 2, requests_per_session: 20, think_time: 30s}}\n\
         requests: {{r: {{share: 100%, cpu: 5ms}}}}\n\
         stages:\n  s:\n\
         \x20   api: {{provider: railway, plan: pro, vcpu: 1, ram: 2GB, workers: 4, ram_in_use: {ram_in_use}}}\n"
    )
}

fn system(dir: &Path, extra: &str) -> SystemResult {
    write(dir, "a.yaml", &railway_env("1200MB", "30d"));
    write(dir, "b.yaml", &railway_env("1GB", "30d"));
    let p = write(
        dir,
        "system.yaml",
        &format!("name: two\nseed: 7\nreplications: 2\nenvironments: {{a: a.yaml, b: b.yaml}}\n{extra}"),
    );
    let sys = envs::load(&p, Some(&pricing())).unwrap_or_else(|e| panic!("{e}"));
    envs::run_system(&sys, None).expect("run")
}

/// What environment `e`'s Railway usage comes to in month 1 of its shown replication (its
/// charges, before the commitment), and its whole month-1 bill.
fn usage_and_total(r: &SystemResult, e: usize) -> (f64, f64) {
    let m = &r.environments[e].result.months[0];
    let usage = m
        .example
        .components
        .iter()
        .filter(|c| c.provider == "railway")
        .flat_map(|c| c.bill.lines.iter())
        .filter(|l| !matches!(l.kind, LineKind::Commitment | LineKind::Credit))
        .map(|l| l.amount)
        .sum();
    (usage, m.example.total)
}

#[test]
fn one_workspace_pays_the_commitment_once_two_workspaces_twice() {
    let dir = tempfile::tempdir().unwrap();
    let cat = capsim::pricing::Catalog::load(&pricing()).unwrap();
    let fee = cat.plan("railway", "pro").unwrap().fee;
    assert!(cat.plan("railway", "pro").unwrap().fee_is_usage_credit);
    // Deterministic usage: every replication bills the same, so the example is every one.
    let shared = system(dir.path(), "");
    let (ua, ta) = usage_and_total(&shared, 0);
    let (ub, tb) = usage_and_total(&shared, 1);
    assert!(ua < fee && ub < fee && ua + ub > fee, "usage {ua} + {ub} against {fee}");
    // Apart, each pays max(fee, usage); together the workspace pays max(fee, ua + ub).
    let by_hand = ta + tb - fee.max(ua) - fee.max(ub) + fee.max(ua + ub);
    let m1 = &shared.months[0];
    assert!((m1.total.mean - by_hand).abs() < 1e-6, "{} vs {by_hand}", m1.total.mean);
    assert_eq!(m1.shared.len(), 1);
    assert_eq!(m1.shared[0].account, "railway");
    assert!((m1.shared[0].saving.mean - (2.0 * fee - (ua + ub))).abs() < 1e-6);
    // The api component carries the whole workspace: its combined figure is the workspace's.
    let api = m1.components.iter().find(|(n, _)| n == "api").unwrap().1.mean;
    assert!((api - (ua + ub)).abs() < 1e-6, "{api}");

    // Two workspaces: nothing is shared, the combined bill is the sum.
    let dir2 = tempfile::tempdir().unwrap();
    let apart = system(dir2.path(), "separate_accounts: [railway]\n");
    let m1 = &apart.months[0];
    assert!(m1.shared.is_empty());
    assert!(
        (m1.total.mean - (ta + tb)).abs() < 1e-6,
        "{} vs {}",
        m1.total.mean,
        ta + tb
    );
}

#[test]
fn a_system_of_one_environment_is_that_environment() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", &railway_env("1200MB", "60d"));
    let p = write(
        dir.path(),
        "system.yaml",
        "name: one\nseed: 3\nreplications: 2\nenvironments: {a: a.yaml}\n",
    );
    let sys = envs::load(&p, Some(&pricing())).unwrap();
    let r = envs::run_system(&sys, None).unwrap();
    assert_eq!(r.months.len(), 2);
    for (m, own) in r.months.iter().zip(&r.environments[0].result.months) {
        assert_eq!(m.total.mean, own.total.mean);
        assert!(m.shared.is_empty());
    }
}

/// Production inside the system is production run alone with the seed the system derives.
#[test]
fn an_environment_alone_with_its_derived_seed_gives_the_same_report() {
    let sys_path = repo().join("scenarios/effect-models/system.yaml");
    let mut sys = envs::load(&sys_path, Some(&pricing())).unwrap();
    sys.replications = 2;
    for e in &mut sys.environments {
        e.scenario.replications = 2;
    }
    let r = envs::run_system(&sys, None).unwrap();
    let staging = r.environments.iter().find(|e| e.name == "staging").unwrap();
    assert_eq!(staging.seed, envs::env_seed(sys.seed, "staging"));
    assert_ne!(staging.seed, envs::env_seed(sys.seed, "production"));
    let (sc, cat) =
        capsim::scenario::load(&repo().join("scenarios/effect-models/staging.yaml"), Some(&pricing())).unwrap();
    let cfg = capsim::run::RunConfig {
        seed: staging.seed,
        replications: 2,
        ..capsim::run::RunConfig::of(&sc)
    };
    let alone = capsim::run::run(&sc, &cat, &cfg).unwrap();
    assert_eq!(
        capsim::report::json::json(&alone),
        capsim::report::json::json(&staging.result),
        "staging alone differs from staging in the system"
    );
}

/// The Effect Models system: `check` passes (the seed's $140-270 holds for both environments
/// together), the report's combined total is production + staging with the Railway
/// commitment once, and the report does not depend on the thread count.
#[test]
fn effect_models_system_checks_and_bills_the_workspace_once() {
    let out = capsim()
        .args(["check", "scenarios/effect-models/system.yaml", "--replications", "2"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.starts_with("ok"), "{text}");
    let dir = tempfile::tempdir().unwrap();
    // `threads` empty: the default (every core).
    let report = |threads: &str, name: &str| {
        let o = dir.path().join(name);
        let j: &[&str] = if threads.is_empty() { &[] } else { &["-j", threads] };
        capsim()
            .args([
                "run",
                "scenarios/effect-models/system.yaml",
                "--quiet",
                "--replications",
                "2",
            ])
            .args(j)
            .args(["--out", o.to_str().unwrap()])
            .assert()
            .success();
        let files: Vec<(String, Vec<u8>)> = dir_files(&o).into_iter().filter(|(n, _)| !n.starts_with('.')).collect();
        files
    };
    let files = report("1", "j1");
    // Every file, charts included, is the same bytes whatever the thread count.
    assert_eq!(files, report("", "j-default"), "the report depends on the thread count");
    // A second run replaces the report it wrote (its chart names are known to be capsim's).
    assert_eq!(files, report("1", "j1"));
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for f in [
        "summary.md",
        "report.html",
        "costs.csv",
        "timeseries.csv",
        "triggers.csv",
        "summary.json",
        "cost_by_environment.svg",
        "production.monthly_cost.svg",
        "staging.monthly_cost.svg",
        "staging.latency.svg",
    ] {
        assert!(names.contains(&f), "{f} in {names:?}");
    }
    // The page inlines every chart, in the scenario report's stylesheet.
    let html = String::from_utf8(files.iter().find(|(n, _)| n == "report.html").unwrap().1.clone()).unwrap();
    let svgs = names.iter().filter(|n| n.ends_with(".svg")).count();
    assert_eq!(html.matches("<svg").count(), svgs);
    assert!(html.contains(capsim::report::html::CSS));
    for part in [
        "id=\"env-production\"",
        "id=\"env-staging\"",
        "plan.monthly_cost",
        "(cost_by_environment.svg)",
    ] {
        assert!(html.contains(part), "{part}");
    }
    // A component no environment prices is unpriced (its cost unknown), not $0.
    let md = String::from_utf8(files.iter().find(|(n, _)| n == "summary.md").unwrap().1.clone()).unwrap();
    assert!(md.contains("| openrouter | unpriced | unpriced | unpriced |"), "{md}");
    assert!(md.contains("| api | $"), "{md}");
    let one = files.iter().find(|(n, _)| n == "summary.json").unwrap().1.clone();
    let s: serde_json::Value = serde_json::from_slice(&one).unwrap();
    let env_total = |i: usize| {
        s["environments"][i]["summary"]["months"][0]["total"]["mean"]
            .as_f64()
            .unwrap()
    };
    let (prod, staging) = (env_total(0), env_total(1));
    let m1 = &s["months"][0];
    let saving = m1["shared"][0]["saving"]["mean"].as_f64().unwrap();
    let total = m1["total"]["mean"].as_f64().unwrap();
    assert_eq!(m1["shared"][0]["account"], "railway");
    assert!((total - (prod + staging - saving)).abs() < 1e-6);
    // Both environments run at their minimum replicas, under the $20 commitment each: the
    // workspace pays their summed usage instead of $40.
    let api = m1["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c[0] == "api")
        .unwrap()[1]["mean"]
        .as_f64()
        .unwrap();
    assert!((saving - (40.0 - api)).abs() < 1e-6, "saving {saving}, api {api}");
    assert!((140.0..=270.0).contains(&total), "{total}");
    assert!(s["figures"][0]["agrees"].as_bool().unwrap());
    // Every environment's triggers and checks keep their own, under ids unique in the system.
    for key in ["triggers", "environment_checks"] {
        let ids: Vec<&str> = s[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap())
            .collect();
        assert!(ids.iter().any(|i| i.starts_with("staging.")) && ids.iter().any(|i| i.starts_with("production.")));
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "{key}: {ids:?}");
    }
}

fn validate(dir: &Path, text: &str) -> (i32, String) {
    let p = write(dir, "system.yaml", text);
    let out = capsim().args(["validate", p.to_str().unwrap()]).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn system_file_mistakes_are_located_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", &railway_env("1GB", "30d"));
    write(dir.path(), "long.yaml", &railway_env("1GB", "60d"));
    write(dir.path(), "inner.yaml", "name: inner\nenvironments: {a: a.yaml}\n");
    let cases = [
        (
            "name: s\nenvironments: {a: a.yaml, b: missing.yaml}\n",
            "system.yaml:2",
            "environments.b",
            "does not exist",
        ),
        (
            "name: s\nenvironments: {a: a.yaml, me: system.yaml}\n",
            "system.yaml:2",
            "environments.me",
            "declares environments",
        ),
        (
            "name: s\nenvironments: {a: a.yaml, i: inner.yaml}\n",
            "system.yaml:2",
            "environments.i",
            "declares environments",
        ),
        (
            "name: s\nenvironments: {a: a.yaml, l: long.yaml}\n",
            "system.yaml:2",
            "environments.l",
            "horizon",
        ),
        (
            "name: s\nenvironments: {a: a.yaml}\nbudjet: 3\n",
            "system.yaml:3",
            "budjet",
            "unknown field",
        ),
        (
            "name: s\nenvironments:\n  a: a.yaml\n  a: a.yaml\n",
            "system.yaml",
            "",
            "duplicate",
        ),
        (
            "name: s\nenvironments: {}\n",
            "system.yaml:2",
            "environments",
            "1 to 16",
        ),
        (
            "name: s\nenvironments: {a: a.yaml}\nseparate_accounts: [railwy]\n",
            "system.yaml:3",
            "separate_accounts.0",
            "unknown account",
        ),
        (
            "name: s\nenvironments: {a: a.yaml}\nbudget: {components: {apj: $3}}\n",
            "system.yaml:3",
            "budget.components.apj",
            "no environment",
        ),
        (
            "name: s\nenvironments: {a: a.yaml}\nplan_says: {monthly_cost: $9-$3}\n",
            "system.yaml:3",
            "plan_says.monthly_cost",
            "low to high",
        ),
        (
            "name: s\nenvironments: {a: a.yaml}\nreplications: 0\n",
            "system.yaml:3",
            "replications",
            "1 to 100000",
        ),
    ];
    for (text, at, field, words) in cases {
        let (code, err) = validate(dir.path(), text);
        assert_eq!(code, 2, "{text}\n{err}");
        assert!(
            err.contains(at) && err.contains(field) && err.contains(words),
            "{text}\n{err}"
        );
    }
    // And the same file with the mistakes fixed is valid.
    let (code, err) = validate(dir.path(), "name: s\nenvironments: {a: a.yaml}\n");
    assert_eq!(code, 0, "{err}");
}

/// The README's example of a system file loads (next to the Effect Models environments it names).
#[test]
fn the_readme_environments_example_loads() {
    let yaml = &crate::common::readme_yaml("<!-- environments-example -->");
    let dir = tempfile::tempdir().unwrap();
    for f in ["base.yaml", "production.yaml", "staging.yaml"] {
        std::fs::copy(repo().join("scenarios/effect-models").join(f), dir.path().join(f)).unwrap();
    }
    let p = write(dir.path(), "system.yaml", yaml);
    let sys = envs::load(&p, Some(&pricing())).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sys.environments.len(), 2);
}

/// Every shipped system of environments is within the default caps on work, its environments'
/// events together.
#[test]
fn shipped_systems_are_within_the_default_caps() {
    let sys = envs::load(&repo().join("scenarios/effect-models/system.yaml"), Some(&pricing())).unwrap();
    let events: f64 = sys
        .environments
        .iter()
        .map(|e| capsim::work::estimate(&e.scenario, Some(64)).events())
        .sum();
    assert!(
        events > 0.0 && events <= capsim::work::Caps::default().max_events,
        "{events:.3e}"
    );
}

/// `check` of a system fails (exit 1) on the combined budget, and on an environment's own
/// budget under its prefixed id; within both it passes.
#[test]
fn check_fails_on_the_combined_budget_or_an_environments_own() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", &railway_env("1200MB", "30d"));
    write(
        dir.path(),
        "tight.yaml",
        &format!("{}budget: {{monthly: $1}}\n", railway_env("1GB", "30d")),
    );
    let check = |text: &str| {
        let p = write(dir.path(), "system.yaml", text);
        let out = capsim()
            .args(["check", p.to_str().unwrap(), "--replications", "1"])
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, text) = check("name: s\nenvironments: {a: a.yaml, b: a.yaml}\nbudget: {monthly: $1000}\n");
    assert_eq!(code, 0, "{text}");
    let (code, text) = check("name: s\nenvironments: {a: a.yaml, b: a.yaml}\nbudget: {monthly: $20}\n");
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("BREACHED  ") && text.contains("system.yaml\n          month 1 total, all environments: $"),
        "{text}"
    );
    // The environment's own budget fails its own row, named by the system and the environment.
    let (code, text) = check("name: s\nenvironments: {a: a.yaml, t: tight.yaml}\n");
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("system.yaml [t]\n          month 1 total: $"), "{text}");
    assert!(
        text.contains("ok        ") && text.contains("system.yaml [a]\n"),
        "{text}"
    );
}
