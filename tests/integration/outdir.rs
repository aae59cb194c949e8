//! `--out` never destroys a user's files, and a report directory is always either the previous
//! report or the complete new one: refused destinations stay byte for byte as they were,
//! concurrent and interrupted writers leave one whole report and nothing beside it, and the
//! leftovers of runs that died are swept.
//!
//! Every case runs in its own temporary directory with a one-hour M/M/2 scenario, so that a
//! run takes a fraction of a second. The signal and lock cases use the writer's test hook
//! (`CAPSIM_TEST_PAUSE_BEFORE_SWAP`, see `src/outdir/write.rs`): the child creates a flag file
//! once the new report is complete beside the destination and waits for it to be deleted, so
//! the signal (or the second writer) lands exactly between writing and swapping.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const SCENARIO: &str = "name: tiny\nstage: s\nseed: 1\nreplications: 1\nhorizon: 1h\nresolution: 1h\n\
    traffic: {arrival_rate: 5/s}\nrequests: {r: {share: 100%, cpu: 10ms}}\n\
    stages: {s: {api: {vcpu: 2, workers: 2}}}\n";

const HOOK: &str = "CAPSIM_TEST_PAUSE_BEFORE_SWAP";

/// A temporary directory (its real path) holding `s.yaml`.
fn place() -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().expect("tempdir");
    let root = std::fs::canonicalize(t.path()).unwrap();
    std::fs::write(root.join("s.yaml"), SCENARIO).unwrap();
    (t, root)
}

/// `capsim run <scenario> --pricing <repo>/pricing` in `cwd`, then `args`.
fn capsim_run(cwd: &Path, scenario: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_capsim"));
    c.current_dir(cwd)
        .arg("run")
        .arg(scenario)
        .arg("--pricing")
        .arg(crate::common::repo().join("pricing"))
        .arg("--quiet")
        .args(args)
        .stdin(Stdio::null());
    c
}

fn run(cwd: &Path, args: &[&str]) -> Output {
    capsim_run(cwd, &cwd.join("s.yaml"), args).output().expect("run capsim")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file under `dir` with its bytes (directories end in `/`).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut m = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                m.insert(rel + "/", Vec::new());
                todo.push(p);
            } else {
                m.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    m
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// `dir` is a whole report: the marker, every always-written file, nothing else but charts.
fn assert_whole_report(dir: &Path) {
    let have = names(dir);
    for f in [
        ".capsim-report",
        "summary.md",
        "report.html",
        "costs.csv",
        "timeseries.csv",
        "triggers.csv",
        "summary.json",
    ] {
        assert!(have.iter().any(|h| h == f), "{} lacks {f}: {have:?}", dir.display());
    }
    assert!(have.iter().all(|h| h.starts_with('.') || h.contains('.')), "{have:?}");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    assert!(json.is_object(), "summary.json is complete JSON");
}

fn seed_of(report: &Path) -> u64 {
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(report.join("summary.json")).unwrap()).unwrap();
    json["scenario"]["seed"].as_u64().expect("seed in summary.json")
}

/// Polls `cond` every 10 ms, a generous bounded number of times, then fails with `what`.
fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..12_000 {
        if cond() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("gave up waiting: {what}");
}

fn wait_child(child: &mut Child) -> std::process::ExitStatus {
    let mut status = None;
    wait_until("the child to exit", || {
        status = child.try_wait().unwrap();
        status.is_some()
    });
    status.unwrap()
}

/// A process id no process has: a child that has been waited for.
fn dead_pid() -> u32 {
    let mut c = Command::new("true").spawn().expect("spawn true");
    let pid = c.id();
    c.wait().unwrap();
    pid
}

#[test]
fn a_users_folder_is_left_alone_and_force_replaces_it_on_request() {
    let (_t, root) = place();
    std::fs::create_dir_all(root.join("thesis/figures")).unwrap();
    std::fs::write(root.join("thesis/chapter1.tex"), "Six months of work.").unwrap();
    std::fs::write(root.join("thesis/figures/f1.svg"), "<svg/>").unwrap();
    let before = snapshot(&root);
    let o = run(&root, &["--out", "thesis"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("not a report directory capsim wrote") && e.contains("--force"),
        "{e}"
    );
    assert!(e.contains("`chapter1.tex`") && e.contains("`figures/`"), "{e}");
    assert_eq!(snapshot(&root), before, "nothing changed, nothing was added");

    let o = run(&root, &["--out", "thesis", "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_whole_report(&root.join("thesis"));
    assert_eq!(names(&root), ["s.yaml", "thesis"]);
}

#[test]
fn the_scenarios_and_catalogs_folders_are_never_replaced() {
    let (_t, root) = place();
    std::fs::create_dir_all(root.join("scenarios/common")).unwrap();
    std::fs::write(root.join("scenarios/common/base.yaml"), SCENARIO).unwrap();
    std::fs::write(
        root.join("scenarios/s.yaml"),
        "extends: common/base.yaml\nname: from a base\n",
    )
    .unwrap();
    let before = snapshot(&root);
    for out in [
        "scenarios",
        "scenarios/common",
        "scenarios/s.yaml",
        "scenarios/common/..",
    ] {
        for force in [&[][..], &["--force"][..]] {
            let o = capsim_run(
                &root,
                Path::new("scenarios/s.yaml"),
                &[&["--out", out][..], force].concat(),
            )
            .output()
            .unwrap();
            assert_eq!(o.status.code(), Some(2), "--out {out} {force:?}: {}", stderr(&o));
            assert!(stderr(&o).contains("Not even --force"), "{}", stderr(&o));
        }
    }
    let pricing = crate::common::repo().join("pricing");
    let o = run(&root, &["--out", pricing.to_str().unwrap(), "--force"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("the pricing catalogs"), "{}", stderr(&o));
    assert_eq!(snapshot(&root), before);
}

#[test]
fn the_working_directory_and_its_ancestors_are_never_replaced() {
    let (_t, root) = place();
    let cwd = root.join("project");
    std::fs::create_dir_all(cwd.join("src")).unwrap();
    std::fs::write(cwd.join("src/main.rs"), "fn main() {}").unwrap();
    let before = snapshot(&root);
    let abs = cwd.to_str().unwrap().to_string();
    for out in [".", abs.as_str(), "..", "../project/.", "src/.."] {
        for force in [&[][..], &["--force"][..]] {
            let o = capsim_run(&cwd, &root.join("s.yaml"), &[&["--out", out][..], force].concat())
                .output()
                .unwrap();
            assert_eq!(o.status.code(), Some(2), "--out {out} {force:?}: {}", stderr(&o));
            assert!(stderr(&o).contains("the working directory"), "{}", stderr(&o));
        }
    }
    assert_eq!(snapshot(&root), before);
}

#[test]
fn a_plain_file_or_a_link_is_never_replaced() {
    let (_t, root) = place();
    std::fs::write(root.join("notes.md"), "my notes").unwrap();
    std::fs::create_dir(root.join("real")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("real"), root.join("link")).unwrap();
    let before = snapshot(&root);
    for force in [&[][..], &["--force"][..]] {
        let o = run(&root, &[&["--out", "notes.md"][..], force].concat());
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("is a file, not a directory"), "{}", stderr(&o));
        #[cfg(unix)]
        {
            let o = run(&root, &[&["--out", "link"][..], force].concat());
            assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
            assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
        }
    }
    assert_eq!(snapshot(&root), before);
}

/// The committed example (written before the marker existed) and capsim's own reports are
/// replaced; a report someone added a file to is not.
#[test]
fn capsims_own_reports_are_replaced_and_nothing_else() {
    let (_t, root) = place();
    let example = root.join("reports/beta");
    std::fs::create_dir_all(&example).unwrap();
    for (name, bytes) in snapshot(&crate::common::repo().join("reports/beta")) {
        std::fs::write(example.join(name), bytes).unwrap();
    }
    for _ in 0..2 {
        let o = run(&root, &["--out", "reports/beta"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_whole_report(&example);
    }
    std::fs::write(example.join("review.txt"), "my comments").unwrap();
    let before = snapshot(&root);
    let o = run(&root, &["--out", "reports/beta"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("`review.txt`"), "{}", stderr(&o));
    assert_eq!(snapshot(&root), before);
}

#[test]
fn concurrent_writers_leave_one_whole_report_and_nothing_beside_it() {
    let (_t, root) = place();
    let children: Vec<Child> = (0..12)
        .map(|i| {
            capsim_run(
                &root,
                &root.join("s.yaml"),
                &["--out", "reports/rep", "--seed", &i.to_string()],
            )
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    assert_eq!(names(&root.join("reports")), ["rep"]);
    assert_whole_report(&root.join("reports/rep"));
    assert!(seed_of(&root.join("reports/rep")) < 12);
}

/// A writer paused between writing and swapping holds the lock: a second one waits, says so,
/// and goes on when the first is done.
#[test]
fn a_second_writer_waits_for_the_first() {
    let (_t, root) = place();
    let flag = root.join("paused");
    let mut first = capsim_run(&root, &root.join("s.yaml"), &["--out", "rep", "--seed", "1"])
        .env(HOOK, &flag)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_until("the first writer to pause", || flag.exists());
    let log = root.join("second.log");
    let mut second = capsim_run(&root, &root.join("s.yaml"), &["--out", "rep", "--seed", "2"])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    wait_until("the second writer to wait for the lock", || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .contains("waiting for another capsim")
    });
    assert!(
        !root.join("rep").exists(),
        "nothing swapped in while the first holds the lock"
    );
    std::fs::remove_file(&flag).unwrap();
    assert_eq!(wait_child(&mut first).code(), Some(0));
    assert_eq!(wait_child(&mut second).code(), Some(0));
    assert_eq!(
        seed_of(&root.join("rep")),
        2,
        "the second writer's report, written after the first"
    );
    assert_whole_report(&root.join("rep"));
    assert_eq!(names(&root), ["rep", "s.yaml", "second.log"]);
}

/// SIGINT or SIGTERM once the new report is written beside the old one: exit 130 or 143, the
/// old report as it was (or, with none, no report), nothing left beside it.
#[cfg(unix)]
#[test]
fn a_signal_during_the_write_leaves_the_previous_report_and_nothing_else() {
    use rustix::process::{kill_process, Pid, Signal};
    for (signal, code, name, earlier) in [
        (Signal::INT, 130, "SIGINT", true),
        (Signal::TERM, 143, "SIGTERM", true),
        (Signal::INT, 130, "SIGINT", false),
    ] {
        let (_t, root) = place();
        if earlier {
            let o = run(&root, &["--out", "rep", "--seed", "1"]);
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        }
        let before = snapshot(&root);
        let flag = root.join("paused");
        let mut child = capsim_run(&root, &root.join("s.yaml"), &["--out", "rep", "--seed", "2"])
            .env(HOOK, &flag)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        wait_until("the writer to pause before the swap", || flag.exists());
        let partial = format!(".rep.partial-{}", child.id());
        assert!(
            root.join(&partial).join("summary.json").exists(),
            "the new report is beside the old"
        );
        kill_process(Pid::from_raw(child.id() as i32).unwrap(), signal).unwrap();
        assert_eq!(wait_child(&mut child).code(), Some(code), "{name}");
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        assert!(err.contains(&format!("stopped by {name}")), "{err}");
        std::fs::remove_file(&flag).unwrap();
        assert_eq!(snapshot(&root), before, "{name}: the previous state, nothing beside it");
    }
}

/// A run started with SIGINT ignored (a background job of a script) keeps ignoring it while it
/// writes: a SIGINT at the pause changes nothing, and the run completes.
#[cfg(unix)]
#[test]
fn a_signal_ignored_from_the_start_stays_ignored() {
    use rustix::process::{kill_process, Pid, Signal};
    use std::os::unix::process::CommandExt;
    let (_t, root) = place();
    let flag = root.join("paused");
    let mut cmd = capsim_run(&root, &root.join("s.yaml"), &["--out", "rep"]);
    cmd.env(HOOK, &flag).stdout(Stdio::null()).stderr(Stdio::piped());
    // SAFETY: between fork and exec the child calls only `signal`, which is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_IGN);
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();
    wait_until("the writer to pause before the swap", || flag.exists());
    kill_process(Pid::from_raw(child.id() as i32).unwrap(), Signal::INT).unwrap();
    std::fs::remove_file(&flag).unwrap();
    assert_eq!(wait_child(&mut child).code(), Some(0), "SIGINT ignored");
    assert_whole_report(&root.join("rep"));
    assert_eq!(names(&root), ["rep", "s.yaml"]);
}

#[test]
fn leftovers_of_dead_runs_are_swept_and_a_lost_report_restored() {
    let (_t, root) = place();
    let o = run(&root, &["--out", "rep"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let dead = dead_pid();
    for d in [
        format!(".rep.partial-{dead}"),
        format!(".rep.old-{dead}"),
        ".rep.partial-1".into(),
        format!(".other.old-{dead}"),
    ] {
        std::fs::create_dir(root.join(&d)).unwrap();
        std::fs::write(root.join(d).join("summary.md"), "half").unwrap();
    }
    let o = run(&root, &["--out", "rep"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Process 1 is alive, and `.other` belongs to another report: both stay.
    assert_eq!(
        names(&root),
        [
            format!(".other.old-{dead}"),
            ".rep.partial-1".into(),
            "rep".into(),
            "s.yaml".into()
        ]
    );
    assert_whole_report(&root.join("rep"));

    // A run killed between the two renames of the fallback swap: no report, the old one aside.
    std::fs::rename(root.join("rep"), root.join(format!(".rep.old-{dead}"))).unwrap();
    let o = run(&root, &["--out", "rep"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("restored"), "{}", stderr(&o));
    assert_whole_report(&root.join("rep"));
    assert!(
        !names(&root).iter().any(|n| n.starts_with(".rep.old")),
        "{:?}",
        names(&root)
    );
}
