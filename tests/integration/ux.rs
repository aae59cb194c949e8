//! Working comfortably (issue 10): help on every argument, completions, `--quiet` and
//! `--verbose` everywhere, no progress off a terminal, `capsim new` templates that validate
//! and run, `capsim schema`, and the README section's commands, run as written.
use crate::common::{capsim, repo};
use clap::CommandFactory;
use predicates::prelude::*;

fn subcommands() -> Vec<String> {
    capsim::cli::Cli::command()
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect()
}

#[test]
fn every_argument_of_every_subcommand_has_help() {
    let cli = capsim::cli::Cli::command();
    let mut missing = Vec::new();
    let mut seen = 0;
    for sub in cli.get_subcommands() {
        for a in sub.get_arguments().filter(|a| !a.is_hide_set()) {
            seen += 1;
            if a.get_help().is_none() && a.get_long_help().is_none() {
                missing.push(format!("{} {}", sub.get_name(), a.get_id()));
            }
        }
    }
    assert!(seen > 20, "{seen} arguments");
    assert!(missing.is_empty(), "no help: {missing:?}");
}

#[test]
fn help_of_each_subcommand_shows_its_positionals_pricing_quiet_and_verbose() {
    let subs = subcommands();
    for s in [
        "run",
        "validate",
        "check",
        "diff",
        "sweep",
        "merge",
        "plans",
        "schema",
        "completions",
        "new",
    ] {
        assert!(subs.iter().any(|x| x == s), "{s}");
    }
    for s in &subs {
        let out = crate::common::stdout_of(&["help", s]);
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("--quiet") && text.contains("--verbose"), "{s}: {text}");
        // Its help follows the flag (on the same line or, in long help, the next).
        if let Some(at) = text.find("--pricing <DIR>") {
            let after: String = text[at..].chars().take(120).collect();
            assert!(after.contains("Pricing catalog directory"), "{s}: {after}");
        }
    }
    let run = crate::common::stdout_of(&["help", "run"]);
    assert!(String::from_utf8(run).unwrap().contains("Scenario files to simulate"));
}

#[test]
fn quiet_and_verbose_cannot_be_given_together() {
    capsim()
        .args(["validate", "scenarios/beta.yaml", "--quiet", "--verbose"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));
}

#[test]
fn validate_quiet_prints_nothing_and_verbose_adds_the_estimate_on_stderr() {
    capsim()
        .args(["validate", "-q", "scenarios/mvp.yaml"])
        .assert()
        .success()
        .stdout(predicate::str::is_empty());
    capsim()
        .args(["validate", "--verbose", "scenarios/mvp.yaml"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("ok  scenarios/mvp.yaml"))
        .stderr(predicate::str::contains("replications").and(predicate::str::contains("estimated")));
}

#[test]
fn completions_for_bash_zsh_and_fish_name_the_subcommands_and_flags() {
    for shell in ["bash", "zsh", "fish"] {
        let out = crate::common::stdout_of(&["completions", shell]);
        let text = String::from_utf8(out).unwrap();
        // fish writes a long flag as `-l pricing`.
        let flag = |f: &str| {
            if shell == "fish" {
                format!("-l {f}")
            } else {
                format!("--{f}")
            }
        };
        for word in [
            "capsim".into(),
            "validate".into(),
            "plans".into(),
            flag("pricing"),
            flag("quiet"),
            "web-app".into(),
        ] {
            assert!(text.contains(&word), "{shell} lacks {word}");
        }
    }
    capsim().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn schema_prints_the_shipped_schema_files() {
    for (which, file) in [("scenario", "scenario.schema.json"), ("catalog", "catalog.schema.json")] {
        let out = crate::common::stdout_of(&["schema", which]);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert!(v.get("$schema").is_some() && v.get("properties").is_some(), "{which}");
        let shipped = std::fs::read(repo().join("schema").join(file)).unwrap();
        assert_eq!(out, shipped, "schema/{file}");
    }
    let default = crate::common::stdout_of(&["schema"]);
    assert_eq!(
        default,
        std::fs::read(repo().join("schema/scenario.schema.json")).unwrap()
    );
}

#[test]
fn plans_json_parses_and_an_unknown_provider_is_exit_2() {
    let out = crate::common::stdout_of(&["plans", "openai_api", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let input = &v["providers"]["openai_api"]["plans"]["gpt-5-nano"]["meters"]["input"];
    assert_eq!(input["rate"].as_f64(), Some(0.05));
    assert_eq!(input["per"].as_f64(), Some(1e6));
    assert_eq!(v["providers"].as_object().unwrap().len(), 1);
    capsim()
        .args(["plans", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown provider `nope`"));
}

#[test]
fn each_template_validates_strictly_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    for t in ["web-app", "api-worker", "serverless"] {
        let path = dir.path().join(format!("{t}.yaml"));
        let p = path.to_str().unwrap();
        capsim()
            .args(["new", "--template", t, p])
            .assert()
            .success()
            .stdout(predicate::str::contains("wrote"));
        capsim()
            .args(["validate", "--strict", p])
            .assert()
            .success()
            .stderr(predicate::str::is_empty());
        let out = dir.path().join(format!("report-{t}"));
        capsim()
            .args(["run", p, "--out", out.to_str().unwrap()])
            .env_remove("CI")
            .assert()
            .success()
            // Off a terminal, no progress: stderr stays empty (the template has no warnings).
            .stderr(predicate::str::is_empty());
        assert!(out.join("summary.json").is_file(), "{t}");
        // A second `new` onto the same file is refused and leaves it as it was.
        std::fs::write(&path, "mine").unwrap();
        capsim()
            .args(["new", "--template", t, p])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--force"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
        capsim()
            .args(["new", "-q", "--force", "--template", t, p])
            .assert()
            .success()
            .stdout("");
        assert!(std::fs::read_to_string(&path).unwrap().starts_with("# "));
    }
}

#[test]
fn the_readme_section_runs_as_written() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let block = &readme[readme.find("## Working comfortably").expect("the section")..];
    let sh = &crate::common::readme_block("## Working comfortably", "sh");
    let dir = tempfile::tempdir().unwrap();
    let mut ran = 0;
    for line in sh.lines() {
        let cmd = line.split(" #").next().unwrap().trim();
        if cmd.is_empty() || cmd.starts_with('#') {
            continue;
        }
        let (cmd, to) = match cmd.split_once(" > ") {
            Some((c, f)) => (c, Some(f.trim())),
            None => (cmd, None),
        };
        let words: Vec<&str> = cmd.split_whitespace().collect();
        assert_eq!(words[0], "capsim", "{line}");
        let out = capsim()
            .current_dir(dir.path())
            .env_remove("CI")
            .args(&words[1..])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        if let Some(f) = to {
            std::fs::write(dir.path().join(f), out).unwrap();
        }
        ran += 1;
    }
    assert!(ran >= 6, "{ran} commands");
    // The header line the section shows names the schema file its example writes.
    assert!(block.contains("# yaml-language-server: $schema=capsim.schema.json"));
    assert!(dir.path().join("capsim.schema.json").is_file());
}

#[test]
fn progress_changes_no_byte_of_the_report_and_counts_every_period() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.yaml");
    std::fs::write(&p, capsim::templates::text(capsim::templates::Template::ApiWorker)).unwrap();
    let (sc, cat) = capsim::scenario::load(&p, None).unwrap_or_else(|e| panic!("{e}"));
    for threads in [1, 2] {
        let cfg = capsim::run::RunConfig {
            threads: Some(threads),
            ..capsim::run::RunConfig::of(&sc)
        };
        let plain = capsim::run::run(&sc, &cat, &cfg).unwrap();
        let progress = capsim::progress::Progress::new(cfg.replications);
        let watched = capsim::run::run_with_progress(&sc, &cat, &cfg, Some(&progress)).unwrap();
        assert_eq!(capsim::report::render_all(&plain), capsim::report::render_all(&watched));
        // Every replication's every period was counted: the line reads 100%.
        assert!(
            progress.line_now().starts_with("capsim: 100% of 4 replications"),
            "{}",
            progress.line_now()
        );
    }
}
