//! `capsim sweep` and `capsim merge`: monotone costs, headroom against queueing theory, a
//! sweep point equal to a plain run, sharded = unsharded byte for byte, refusals.

use crate::common::{capsim, dir_files, repo, write};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// M/M/4 (service 100 ms, exponential) with a p95 latency SLO of 400 ms.
const MMC_SLO: &str = "\
name: M/M/4 with a p95 SLO
stage: only
seed: 1
replications: 4
horizon: 2h
resolution: 2h
simulation: {mode: full, warmup: 10m}
traffic: {arrival_rate: 32/s}
requests:
  job: {share: 100%, cpu: {dist: exponential, mean: 100ms}}
stages:
  only:
    api: {instances: 1, vcpu: 4, workers: 4}
slo: {latency_p95: 400ms}
";

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The sojourn time's p95 of M/M/c from Erlang C: a waiting request waits Exp(cμ − λ), then
/// every request is served Exp(μ).
fn mmc_sojourn_p95(lambda: f64, mu: f64, c: u32) -> f64 {
    let pw = capsim::theory::erlang_c(c, lambda / mu).expect("stable");
    let a = c as f64 * mu - lambda;
    let cdf = |t: f64| {
        let both = 1.0 - (mu * (-a * t).exp() - a * (-mu * t).exp()) / (mu - a);
        (1.0 - pw) * (1.0 - (-mu * t).exp()) + pw * both
    };
    let (mut lo, mut hi) = (0.0, 100.0);
    for _ in 0..200 {
        let m = (lo + hi) / 2.0;
        if cdf(m) < 0.95 {
            lo = m;
        } else {
            hi = m;
        }
    }
    lo
}

#[test]
fn headroom_bisection_finds_where_erlang_c_breaks_the_slo() {
    // The arrival rate at which the sojourn p95 of M/M/4 (μ = 10/s) reaches 400 ms.
    let (mut lo, mut hi) = (20.0, 39.9);
    for _ in 0..100 {
        let m = (lo + hi) / 2.0;
        if mmc_sojourn_p95(m, 10.0, 4) < 0.4 {
            lo = m;
        } else {
            hi = m;
        }
    }
    let theory = lo;
    assert!((29.0..30.0).contains(&theory), "{theory}");
    let dir = tempfile::tempdir().unwrap();
    let sc = write(dir.path(), "mmc.yaml", MMC_SLO);
    let out = dir.path().join("r");
    capsim()
        .args([
            "sweep",
            sc.to_str().unwrap(),
            "--vary",
            "traffic.arrival_rate=20..38",
            "--steps",
            "4",
        ])
        .args(["--tolerance", "0.05", "--out", out.to_str().unwrap()])
        .assert()
        .success();
    let j = json(&out.join("sweep.json"));
    let h = &j["lines"][0]["headroom"];
    assert_eq!(h["status"], "found");
    let (holds, fails) = (f(&h["holds_at"]), f(&h["fails_at"]));
    assert!(holds < fails && fails - holds <= 0.05 + 1e-9, "{holds}..{fails}");
    // The grid alone brackets it between 26 and 32; bisection must land within 1.5 % of theory.
    assert!(
        (holds - theory).abs() < 0.015 * theory,
        "headroom {holds}/s, Erlang C {theory}/s"
    );
    assert_eq!(h["binding"][0]["id"], "slo.latency_p95");
    let at = &h["at_headroom"][0];
    assert!(f(&at["measured"]) <= 0.4 && f(&at["spread"][0]) <= f(&at["spread"][1]));
    // Every bisection run that held is at or below the headroom, every one that failed above.
    for step in h["bisection"].as_array().unwrap() {
        let (x, ok) = (f(&step[0]), step[1].as_bool().unwrap());
        assert!(if ok { x <= holds } else { x >= fails }, "{step}");
    }
    // The grid's own latencies agree with theory at every stable point (within 3 %).
    for p in j["points"].as_array().unwrap() {
        let lambda = f(&p["values"][0]);
        let exact = mmc_sojourn_p95(lambda, 10.0, 4);
        let sim = f(&p["latency_p95"]);
        assert!((sim / exact - 1.0).abs() < 0.03, "λ {lambda}: p95 {sim} vs {exact}");
    }
}

fn ga_sweep(dir: &Path, vary: &str, extra: &[&str]) -> Value {
    let out = dir.join("ga");
    capsim()
        .args(["sweep", "scenarios/ga.yaml", "--vary", vary, "--replications", "2"])
        .args(extra)
        .args(["--out", out.to_str().unwrap()])
        .assert()
        .success();
    json(&out.join("sweep.json"))
}

#[test]
fn cost_never_falls_as_users_grow() {
    let dir = tempfile::tempdir().unwrap();
    let j = ga_sweep(dir.path(), "traffic.users.points[2].users=500..8000", &["--steps", "5"]);
    let points = j["points"].as_array().unwrap();
    assert_eq!(points.len(), 5);
    let costs: Vec<f64> = points.iter().map(|p| f(&p["cost_total"])).collect();
    assert!(costs.windows(2).all(|w| w[0] <= w[1]), "{costs:?}");
    assert!(costs[4] > costs[0], "more users cost more: {costs:?}");
    // The components add up to the total at every point.
    for p in points {
        let sum: f64 = p["cost_components"].as_array().unwrap().iter().map(|c| f(&c[1])).sum();
        assert!((sum - f(&p["cost_total"])).abs() < 1e-6 * sum.max(1.0), "{p}");
    }
    let csv = std::fs::read_to_string(dir.path().join("ga/sweep.csv")).unwrap();
    assert_eq!(csv.lines().count(), 6, "a header and a row per point");
}

#[test]
fn a_sweep_point_is_the_run_of_the_edited_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let j = ga_sweep(dir.path(), "traffic.users.points[2].users=4321", &[]);
    let point = &j["points"][0];
    // The same scenario edited by hand, next to the file it extends.
    let text = std::fs::read_to_string(repo().join("scenarios/ga.yaml")).unwrap();
    let edited = text.replace("{at: 180d, users: 2000}", "{at: 180d, users: 4321}");
    assert_ne!(text, edited);
    let base = repo().join("scenarios/common");
    let edited = edited.replace("extends: common/", &format!("extends: {}/", base.display()));
    let sc = write(dir.path(), "ga-edited.yaml", &edited);
    let out = dir.path().join("run");
    capsim()
        .args([
            "run",
            sc.to_str().unwrap(),
            "--replications",
            "2",
            "--pricing",
            "pricing",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let run = json(&out.join("summary.json"));
    let month = run["months"].as_array().unwrap().last().unwrap();
    assert_eq!(f(&point["cost_total"]), f(&month["total"]["mean"]));
    assert_eq!(point["month"], month["month"]);
    let slo = &run["checks"]["slo"];
    let p95 = slo
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "slo.latency_p95")
        .unwrap();
    assert_eq!(f(&point["latency_p95"]), f(&p95["measured"]));
    let checks = point["checks"].as_array().unwrap();
    let run_checks: Vec<&Value> = run["checks"]["budget"]
        .as_array()
        .unwrap()
        .iter()
        .chain(slo.as_array().unwrap())
        .collect();
    assert_eq!(checks.len(), run_checks.len());
    for (a, b) in checks.iter().zip(run_checks) {
        assert_eq!((&a["id"], &a["verdict"]), (&b["id"], &b["verdict"]));
    }
}

fn sweep_args(sc: &Path) -> Vec<String> {
    [
        "sweep",
        sc.to_str().unwrap(),
        "--vary",
        "traffic.arrival_rate=20..38",
        "--steps",
        "4",
        "--vary",
        "stages.only.api.instances=1,2",
        "--replications",
        "2",
    ]
    .map(String::from)
    .to_vec()
}

#[test]
fn three_shards_merged_are_byte_identical_to_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let sc = write(dir.path(), "mmc.yaml", MMC_SLO);
    let whole = dir.path().join("whole");
    capsim()
        .args(sweep_args(&sc))
        .arg("--out")
        .arg(&whole)
        .assert()
        .success();
    let shard = |i: usize| -> PathBuf {
        let p = dir.path().join(format!("shard-{i}.json"));
        capsim()
            .args(sweep_args(&sc))
            .args(["--shard", &format!("{i}/3"), "-j", "1", "--out"])
            .arg(&p)
            .assert()
            .success();
        p
    };
    let shards: Vec<PathBuf> = (1..=3).map(shard).collect();
    let merged = dir.path().join("merged");
    capsim()
        .arg("merge")
        .args([&shards[2], &shards[0], &shards[1]])
        .arg("--out")
        .arg(&merged)
        .assert()
        .success();
    let (a, b) = (dir_files(&whole), dir_files(&merged));
    let names: Vec<&str> = a.iter().map(|(n, _)| n.as_str()).collect();
    for want in ["sweep.md", "sweep.html", "sweep.csv", "sweep.json", "latency.svg"] {
        assert!(names.contains(&want), "{names:?}");
    }
    assert_eq!(a.len(), b.len());
    for ((na, ba), (nb, bb)) in a.iter().zip(&b) {
        assert_eq!(na, nb);
        assert!(ba == bb, "{na} differs between the sharded and the unsharded sweep");
    }
    // Two lines (one instance of 4 workers, two), each with its own headroom: the first breaks
    // the SLO inside the range, the second holds over all of it.
    let j = json(&whole.join("sweep.json"));
    let lines = j["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    let one = &lines[0]["headroom"];
    assert_eq!(one["status"], "found");
    let two = &lines[1]["headroom"];
    assert_eq!(two["status"], "holds_everywhere");
    assert!(f(&two["holds_at"]) > f(&one["holds_at"]));

    // A missing slice, a slice twice, a shard of another sweep: refused, exit 2.
    let refused = |args: Vec<&Path>, says: &str| {
        let o = capsim()
            .arg("merge")
            .args(args)
            .arg("--out")
            .arg(dir.path().join("x"))
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&o.get_output().stderr).to_string();
        assert!(err.contains(says), "{err}");
    };
    refused(vec![&shards[0], &shards[1]], "missing slices: 3/3");
    refused(vec![&shards[0], &shards[1], &shards[1]], "given twice");
    let other = dir.path().join("other.json");
    let mut args = sweep_args(&sc);
    args[5] = "5".into();
    capsim()
        .args(args)
        .args(["--shard", "3/3", "--out"])
        .arg(&other)
        .assert()
        .success();
    refused(vec![&shards[0], &shards[1], &other], "another sweep");
    // The scenario changed after the shards ran.
    std::fs::write(&sc, MMC_SLO.replace("seed: 1", "seed: 2")).unwrap();
    refused(vec![&shards[0], &shards[1], &shards[2]], "changed since they were run");
}

#[test]
fn an_invalid_point_is_a_located_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let sc = write(dir.path(), "mmc.yaml", MMC_SLO);
    let o = capsim()
        .args(["sweep", sc.to_str().unwrap(), "--vary", "stages.only.api.workers=0,4"])
        .arg("--out")
        .arg(dir.path().join("r"))
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&o.get_output().stderr).to_string();
    assert!(err.contains("mmc.yaml:13"), "{err}");
    assert!(err.contains("at the sweep point stages.only.api.workers = 0"), "{err}");
    assert!(!dir.path().join("r").exists(), "nothing is written");
    for (vary, says) in [
        ("stages.only.api.cpus=1,2", "no field `stages.only.api.cpus`"),
        ("name=1,2", "does not start with a number"),
        ("traffic.arrival_rate=5..1", "from a smaller to a larger value"),
        ("stages.only.api.workers=4..5", "repeat"),
    ] {
        let o = capsim()
            .args(["sweep", sc.to_str().unwrap(), "--vary", vary])
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&o.get_output().stderr).to_string();
        assert!(err.contains(says), "{vary}: {err}");
    }
}

#[test]
fn the_readme_examples_run_and_the_merged_report_is_the_single_runs() {
    let commands = &crate::common::readme_block("## Sweeps", "sh");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("scenarios/textbook")).unwrap();
    std::fs::copy(
        repo().join("scenarios/textbook/mmc.yaml"),
        dir.path().join("scenarios/textbook/mmc.yaml"),
    )
    .unwrap();
    let mut ran = 0;
    for line in commands.lines().filter(|l| l.starts_with("capsim ")) {
        let args: Vec<&str> = line.split_whitespace().skip(1).collect();
        capsim().current_dir(dir.path()).args(&args).assert().success();
        ran += 1;
    }
    assert_eq!(ran, 5);
    let (a, b) = (
        dir_files(&dir.path().join("reports/mmc-sweep")),
        dir_files(&dir.path().join("reports/mmc-merged")),
    );
    assert!(!a.is_empty() && a == b, "the merged report is the single run's");
    let grid = json(&dir.path().join("reports/mmc-grid/sweep.json"));
    assert_eq!(grid["points"].as_array().unwrap().len(), 6);
}

#[test]
fn every_flag_and_argument_of_sweep_and_merge_has_help() {
    use clap::CommandFactory;
    let cli = capsim::cli::Cli::command();
    for name in ["sweep", "merge"] {
        let cmd = cli.find_subcommand(name).expect(name);
        assert!(cmd.get_about().is_some(), "{name}");
        for arg in cmd.get_arguments().filter(|a| a.get_id() != "help") {
            assert!(
                arg.get_help().is_some() || arg.get_long_help().is_some(),
                "{name} {} has no help text",
                arg.get_id()
            );
        }
    }
    let a = capsim().args(["sweep", "--help"]).assert().success();
    let text = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    for needle in [
        "PATH=FROM..TO",
        "PATH=A,B,C",
        "--log",
        "[2]",
        "--shard",
        "capsim merge",
        "Kubernetes",
    ] {
        assert!(text.contains(needle), "sweep --help does not mention {needle}:\n{text}");
    }
}
