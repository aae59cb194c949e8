//! A closed stdout is no error (as in ripgrep); a full stdout is one (exit 2, said on stderr);
//! a closed or full stderr exits 2 quietly. Never a panic (exit 101).
//!
//! "Closed" is a pipe whose reader is gone before capsim writes (EPIPE), "full" is `/dev/full`
//! (ENOSPC).

use std::process::{Command, Stdio};

fn capsim() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_capsim"));
    c.current_dir(crate::common::repo()).stdin(Stdio::null());
    c
}

/// The write end of a pipe whose read end is already closed.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    Stdio::from(writer)
}

fn dev_full() -> Option<Stdio> {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .ok()
        .map(Stdio::from)
}

const TINY: &str = "name: tiny\nstage: s\nseed: 1\nreplications: 1\nhorizon: 1h\nresolution: 1h\n\
    traffic: {arrival_rate: 5/s}\nrequests: {r: {share: 100%, cpu: 10ms}}\n\
    stages: {s: {api: {provider: hetzner_cloud, plan: cloud, vcpu: 2, workers: 2}}}\n";

#[test]
fn a_closed_stdout_is_not_an_error() {
    let t = tempfile::tempdir().unwrap();
    let s = crate::common::write(t.path(), "s.yaml", TINY);
    let out = t.path().join("rep");
    let o = capsim()
        .args(["run", s.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .stdout(closed_pipe())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stderr.is_empty(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.join("summary.json").exists(), "the report is written all the same");
    for args in [
        &["plans"][..],
        &["--help"],
        &["--version"],
        &["validate", "scenarios/beta.yaml"],
    ] {
        let o = capsim()
            .args(args)
            .stdout(closed_pipe())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // `check` keeps its verdict: exit 0 here, its budgets hold.
    let o = capsim()
        .args(["check", s.to_str().unwrap()])
        .stdout(closed_pipe())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn a_full_stdout_is_an_error() {
    if dev_full().is_none() {
        return; // no /dev/full on this platform
    }
    for args in [&["plans"][..], &["--help"], &["validate", "scenarios/beta.yaml"]] {
        let o = capsim().args(args).stdout(dev_full().unwrap()).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains("cannot write to standard output"), "{args:?}: {e}");
    }
}

#[test]
fn a_closed_or_full_stderr_exits_2_without_a_panic() {
    let t = tempfile::tempdir().unwrap();
    let missing = t.path().join("missing.yaml");
    let ga = t.path().join("ga");
    // An input error, a warning (`validate` and `run` print it before anything runs) and a
    // usage error: each has something to say on stderr.
    let cases: [Vec<&str>; 4] = [
        vec!["validate", missing.to_str().unwrap()],
        vec!["validate", "scenarios/ga.yaml"],
        vec!["run", "scenarios/ga.yaml", "--out", ga.to_str().unwrap()],
        vec!["--no-such-option"],
    ];
    for args in &cases {
        let sinks: Vec<Stdio> = [Some(closed_pipe()), dev_full()].into_iter().flatten().collect();
        for sink in sinks {
            let o = capsim().args(args).stdout(Stdio::null()).stderr(sink).output().unwrap();
            assert_eq!(o.status.code(), Some(2), "{args:?}");
        }
    }
    assert!(!ga.exists(), "a run that cannot warn stops before running");
}
