//! Safe under any input: the inputs that exhausted memory or hung are refused with exit 2 and
//! a clear message, under a memory limit, never killed; files are read only when they are
//! regular files of at most 1 MiB; messages never quote foreign files nor name Rust types.
//!
//! The limited runs set an address-space limit of 1 GiB and a CPU-time limit of 60 s (CPU
//! seconds, not wall-clock time: a correct refusal takes milliseconds, and the limit only turns
//! an endless loop into a failure instead of a test that never ends).
use crate::common::{capsim, repo, write};
use predicates::prelude::*;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Output;

/// Runs capsim with `args` under 1 GiB of address space and 60 CPU seconds.
fn limited(args: &[&str]) -> Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_capsim"));
    cmd.current_dir(repo()).args(args);
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            for (resource, value) in [(libc::RLIMIT_AS, 1u64 << 30), (libc::RLIMIT_CPU, 60)] {
                let lim = libc::rlimit {
                    rlim_cur: value,
                    rlim_max: value,
                };
                if libc::setrlimit(resource, &lim) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    cmd.output().expect("capsim starts")
}

/// Asserts exit code 2 (not a signal: a process the kernel kills has no code) and that stderr
/// contains every fragment.
fn refused(out: &Output, fragments: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "status {:?}, stderr: {stderr}", out.status);
    for f in fragments {
        assert!(stderr.contains(f), "missing `{f}` in: {stderr}");
    }
}

fn run_limited(file: &Path) -> Output {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("report");
    limited(&["run", file.to_str().unwrap(), "--out", dir.to_str().unwrap()])
}

fn fixture(name: &str) -> std::path::PathBuf {
    repo().join("tests/fixtures/bounds").join(name)
}

#[test]
fn a_quadrillion_users_is_refused_with_the_estimate() {
    let out = run_limited(&fixture("users-1e15.yaml"));
    refused(
        &out,
        &["users-1e15.yaml", "events", "more than the cap", "--max-events"],
    );
}

#[test]
fn a_month_of_1e_minus_300_hours_is_refused() {
    let out = run_limited(&fixture("hours-per-month-tiny.yaml"));
    refused(&out, &["hours_per_month", "672 to 744 hours"]);
}

#[test]
fn four_billion_requests_in_flight_are_refused() {
    let out = run_limited(&fixture("max-in-flight-4e9.yaml"));
    refused(&out, &["simulation.max_in_flight", "at most 1,000,000"]);
}

#[test]
fn an_overload_at_the_largest_max_in_flight_runs_under_the_memory_limit() {
    // The same overload with the largest `max_in_flight` allowed runs to its end under the
    // memory limit (its estimate is below it): the queue stops growing at 1,000,000 requests.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("max-in-flight-4e9.yaml"))
        .unwrap()
        .replace("4000000000", "1000000")
        .replace("horizon: 1d", "horizon: 1h");
    let p = write(dir.path(), "overload.yaml", &text);
    let (sc, _) = capsim::scenario::load(&p, None).unwrap();
    let e = capsim::work::estimate(&sc, None);
    assert!(e.memory_bytes < (1u64 << 30) as f64 && e.peak_requests == 1e6, "{e:?}");
    let report_dir = dir.path().join("report");
    let out = limited(&["run", p.to_str().unwrap(), "--out", report_dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report = std::fs::read_to_string(dir.path().join("report/summary.md")).expect("a report");
    assert!(report.contains("arrivals exceed capacity"), "{report}");
}

#[test]
fn dev_zero_is_refused_as_a_scenario_and_as_a_base() {
    refused(
        &run_limited(Path::new("/dev/zero")),
        &["/dev/zero", "character device", "regular files"],
    );
    let out = run_limited(&fixture("extends-dev-zero.yaml"));
    refused(
        &out,
        &["extends-dev-zero.yaml:2", "`extends`", "/dev/zero", "character device"],
    );
}

/// A FIFO: opening it for reading blocks until a writer comes, so a writer is provided; the old
/// capsim then read what it wrote, where the FIFO must be refused unread.
#[test]
fn a_fifo_is_refused_unread_as_a_scenario_and_as_a_base() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.yaml");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let writer = |path: std::path::PathBuf| {
        std::thread::spawn(move || {
            use std::io::Write;
            if let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(path) {
                let _ = f.write_all(b"name: from a pipe\n");
            }
        })
    };
    for _ in 0..2 {
        writer(fifo.clone());
    }
    refused(&run_limited(&fifo), &["pipe.yaml", "named pipe (FIFO)"]);
    let child = write(dir.path(), "child.yaml", "extends: pipe.yaml\nname: x\n");
    refused(
        &run_limited(&child),
        &["child.yaml:1", "`extends`", "named pipe (FIFO)"],
    );
    // In a pricing directory a FIFO named like a catalog is an error, not skipped in silence.
    let pricing = dir.path().join("pricing");
    std::fs::create_dir(&pricing).unwrap();
    std::fs::copy(repo().join("pricing/supabase.yaml"), pricing.join("supabase.yaml")).unwrap();
    let c = std::ffi::CString::new(pricing.join("zz.yaml").to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    refused(
        &limited(&["plans", "--pricing", pricing.to_str().unwrap()]),
        &["zz.yaml", "named pipe (FIFO)"],
    );
}

#[test]
fn a_150000_deep_flow_list_is_refused_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!(
        "name: deep\nstage: s\nhorizon: 1d\ntraffic: {{arrival_rate: 1/s}}\nrequests: {{r: {{share: 100%, cpu: 1ms}}}}\nstages: {{s: {{api: {{vcpu: 1}}}}}}\nflows: {}{}\n",
        "[".repeat(150_000),
        "]".repeat(150_000)
    );
    let p = write(dir.path(), "deep.yaml", &deep);
    refused(&run_limited(&p), &["deep.yaml:7", "levels deep", "at most 64"]);
    let block = format!("name: deep\nlist:\n{}x\n", "- ".repeat(150_000));
    let p = write(dir.path(), "block.yaml", &block);
    refused(&run_limited(&p), &["block.yaml:3", "levels deep"]);
}

#[test]
fn a_billion_laughs_is_refused_before_expanding() {
    let mut text = String::from("name: laughs\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "laughs.yaml", &text);
    refused(&run_limited(&p), &["laughs.yaml", "aliases"]);
}

#[test]
fn files_over_one_mib_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let big = format!("name: big\nnotes: \"{}\"\n", "x".repeat(1 << 20));
    let p = write(dir.path(), "big.yaml", &big);
    refused(&run_limited(&p), &["big.yaml", "larger than the 1 MiB limit"]);
}

#[test]
fn a_billion_queries_per_request_is_refused() {
    let out = run_limited(&fixture("db-queries-1e9.yaml"));
    refused(&out, &["requests.r.db_queries", "at most 10,000 per request"]);
}

#[test]
fn four_billion_workers_are_refused_and_erlang_b_does_not_loop_over_them() {
    let out = run_limited(&fixture("workers-u32-max.yaml"));
    refused(&out, &["stages.s.api.workers", "at most 100,000"]);
    // The recursion underflows to 0 within a few hundred steps of the load; it stops there.
    let b = capsim::theory::erlang_b(u32::MAX, 10.0);
    assert_eq!(b, capsim::theory::erlang_b(1_000, 10.0));
    assert_eq!(b, 0.0);
}

#[test]
fn users_doubling_every_second_are_refused() {
    let out = run_limited(&fixture("exponential-1s.yaml"));
    refused(&out, &["unbounded request rate", "exponential"]);
}

/// Found by the fuzz harness: over a horizon of a fraction of a second the rate is finite, but
/// the engine samples it at the middle of the hour, where doubling every second is infinite.
#[test]
fn a_rate_infinite_where_the_engine_samples_it_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("exponential-1s.yaml"))
        .unwrap()
        .replace("horizon: 1d", "horizon: 0.0000001month");
    let p = write(dir.path(), "short.yaml", &text);
    refused(&run_limited(&p), &["unbounded request rate"]);
}

/// A warm-up of 1e26 s with no traffic: an hour added to -1e26 changes nothing, so the arrival
/// process looked for the next arrival forever.
#[test]
fn a_warmup_beyond_precision_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "warm.yaml",
        "name: w\nstage: s\nreplications: 1\nhorizon: 1d\n\
         simulation: {mode: peak_window, window: 1h, warmup: 100000000000000000000000000s}\n\
         traffic: {users: {users: 0}, sessions_per_user_per_week: 1, requests_per_session: 1}\n\
         requests: {r: {share: 100%, cpu: 1ms}}\nstages: {s: {api: {vcpu: 1}}}\n",
    );
    refused(&run_limited(&p), &["simulation.warmup", "100 years"]);
}

#[test]
fn a_century_at_daily_resolution_is_refused_for_its_report_size() {
    let out = run_limited(&fixture("century-daily.yaml"));
    refused(&out, &["resolution", "36,500 report periods", "at most 10,000"]);
}

#[test]
fn threads_are_bounded() {
    let out = limited(&[
        "run",
        "scenarios/mvp.yaml",
        "--threads",
        "65535",
        "--out",
        "/nonexistent/never",
    ]);
    refused(&out, &["--threads", "1..=256"]);
}

#[test]
fn the_event_cap_is_stated_and_raised_by_max_events() {
    let f = fixture("users-1e15.yaml");
    let f = f.to_str().unwrap();
    capsim()
        .args(["validate", f])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cap of 2B"));
    // Open arrivals at 100,000/s for a day in full mode: 2.1e11 events, little memory.
    let dir = tempfile::tempdir().unwrap();
    let busy = write(
        dir.path(),
        "busy.yaml",
        "name: busy
stage: s
horizon: 1d
simulation: {mode: full}
traffic: {arrival_rate: 100000/s}
requests: {r: {share: 100%, cpu: 1us}}
stages: {s: {api: {vcpu: 1}}}
",
    );
    let busy = busy.to_str().unwrap();
    capsim()
        .args(["validate", busy])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("events").and(predicate::str::contains("--max-events")));
    capsim()
        .args(["validate", busy, "--max-events", "1e12"])
        .assert()
        .success();
    // A small run under a smaller cap is refused, with its estimate.
    capsim()
        .args(["validate", "scenarios/beta.yaml", "--max-events", "1000"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("16 replications").and(predicate::str::contains("cap of 1K")));
    capsim()
        .args(["check", "scenarios/beta.yaml", "--max-memory", "1MiB"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("of memory").and(predicate::str::contains("--max-memory")));
    capsim()
        .args(["validate", "scenarios/beta.yaml", "--max-events", "lots"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--max-events"));
}

#[test]
fn a_byte_order_mark_is_ignored() {
    let f = fixture("bom.yaml");
    capsim().args(["validate", f.to_str().unwrap()]).assert().success();
}

#[test]
fn a_base_that_is_not_a_mapping_is_refused_without_quoting_it() {
    let dir = tempfile::tempdir().unwrap();
    // A file of another program, like /etc/passwd or /etc/shadow: YAML reads it as text.
    write(
        dir.path(),
        "shadow",
        "root:$6$s3cr3tHash$abc:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n",
    );
    let child = write(
        dir.path(),
        "child.yaml",
        "extends: shadow\nname: x\nstage: s\nhorizon: 1d\ntraffic: {arrival_rate: 1/s}\nrequests: {r: {share: 100%, cpu: 1ms}}\nstages: {s: {api: {vcpu: 1}}}\n",
    );
    capsim()
        .args(["validate", child.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("child.yaml:1")
                .and(predicate::str::contains("is not a scenario"))
                .and(predicate::str::contains("s3cr3t").not())
                .and(predicate::str::contains("root").not()),
        );
    let passwd = write(dir.path(), "p.yaml", "extends: /etc/passwd\nname: x\n");
    capsim()
        .args(["validate", passwd.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a mapping of fields").and(predicate::str::contains("root").not()));
}

#[test]
fn extends_chains_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..12 {
        write(
            dir.path(),
            &format!("f{i}.yaml"),
            &format!("extends: f{}.yaml\nname: x\n", i + 1),
        );
    }
    write(dir.path(), "f12.yaml", "name: x\n");
    capsim()
        .args(["validate", dir.path().join("f0.yaml").to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("at most 8 bases"));
}

/// Each bad distribution says which distribution, which field, and what is wrong.
#[test]
fn bad_distributions_name_the_distribution_the_field_and_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "{dist: lognormal, p50: -1ms, p95: 5ms}",
            "a lognormal distribution, field `p50`: duration `-1ms` is negative",
        ),
        (
            "{dist: exponential, mean: 5 parsecs}",
            "an exponential distribution, field `mean`: unknown duration unit `parsecs`",
        ),
        (
            "{dist: gamma, mean: 1s, cv: 1, shape: 2}",
            "unknown field `shape` in a gamma distribution",
        ),
        ("{dist: weibull, mean: 1s}", "unknown distribution `weibull`"),
        ("{mean: 1s}", "a distribution needs `dist:`"),
        ("{dist: uniform, min: 1ms}", "a uniform distribution needs `max`"),
        ("[1ms]", "found a list"),
    ];
    for (dist, message) in cases {
        let p = write(
            dir.path(),
            "d.yaml",
            &format!("name: x\nstage: s\nhorizon: 1d\ntraffic: {{arrival_rate: 1/s}}\nrequests: {{r: {{share: 100%, cpu: {dist}}}}}\nstages: {{s: {{api: {{vcpu: 1}}}}}}\n"),
        );
        capsim()
            .args(["validate", p.to_str().unwrap()])
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains("requests.r.cpu")
                    .and(predicate::str::contains(message))
                    .and(predicate::str::contains("untagged").not()),
            );
    }
}

#[test]
fn messages_never_name_internal_types() {
    let dir = tempfile::tempdir().unwrap();
    let base =
        "name: x\nstage: s\nhorizon: 1d\nrequests: {r: {share: 100%, cpu: 1ms}}\nstages: {s: {api: {vcpu: 1}}}\n";
    let cases = [
        ("traffic: {users: 10, sessions_per_user_per_week: 1, requests_per_session: 1}\n", "expected a mapping of fields such as `{growth: constant, users: 10}`, found the number 10"),
        ("traffic: {arrival_rate: 1/s}\nsimulation: [peak_window]\n", "expected a mapping of fields such as"),
        ("traffic: {arrival_rate: 1/s}\nreplications: lots\n", "expected a whole number from 0 to 4294967295, found text"),
        ("traffic: {arrival_rate: 1/s}\ntriggers: [{name: t, metric: users, above: 1, action: 5}]\n", "expected `flag` or a mapping with one of"),
        ("traffic: {arrival_rate: 1/s}\ntriggers: [{name: t, metric: users, above: 1, action: {upgrade: {component: api, vcpux: 2}}}]\n", "triggers[0].action.upgrade.vcpux"),
        ("- just\n- a list\n", "not a mapping of fields"),
    ];
    for (extra, message) in cases {
        let text = if extra.starts_with('-') {
            extra.to_string()
        } else {
            format!("{base}{extra}")
        };
        let p = write(dir.path(), "m.yaml", &text);
        let out = capsim().args(["validate", p.to_str().unwrap()]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(message), "missing `{message}` in: {stderr}");
        for internal in ["Raw", "struct ", "untagged", "enum "] {
            assert!(!stderr.contains(internal), "`{internal}` in: {stderr}");
        }
    }
}
