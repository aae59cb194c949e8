//! Unit tests of the report directory: what counts as capsim's, what is protected, the sweep,
//! and both ways of swapping.

use super::write::{leftover, marker_text, swap_by_renames, sweep};
use super::*;
use std::ffi::OsStr;
use std::sync::Mutex;

/// The writer's pending-undo record is process-wide: tests that write take turns.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn files(dir: &Path, names: &[&str]) {
    fs::create_dir_all(dir).unwrap();
    for n in names {
        fs::write(dir.join(n), n.as_bytes()).unwrap();
    }
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A process id that no process has: a child that has been waited for.
fn dead_pid() -> u32 {
    let mut c = std::process::Command::new("true").spawn().expect("spawn true");
    let pid = c.id();
    c.wait().unwrap();
    pid
}

fn report(files: Vec<(&str, &str)>) -> Vec<(String, Vec<u8>)> {
    files
        .into_iter()
        .map(|(n, t)| (n.to_string(), t.as_bytes().to_vec()))
        .collect()
}

#[test]
fn every_file_a_report_can_hold_is_known_and_the_always_written_come_first() {
    let full: Vec<String> = crate::report::render_all(&crate::report::testdata::run())
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(full, REPORT_FILES, "a full run writes every known file, in this order");
    let bare: Vec<String> = crate::report::render_all(&crate::report::testdata::all_nan())
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(
        bare,
        REPORT_FILES[..ALWAYS_WRITTEN],
        "a run with no chart writes the always-written files"
    );
}

#[test]
fn what_counts_as_a_report_directory() {
    let t = tempfile::tempdir().unwrap();
    let d = |n: &str| t.path().join(n);
    let core = &REPORT_FILES[..ALWAYS_WRITTEN];
    assert_eq!(inspect(&d("missing")).unwrap(), Found::Nothing);
    files(&d("empty"), &[]);
    assert_eq!(inspect(&d("empty")).unwrap(), Found::Report);
    files(&d("marked"), &[MARKER, "summary.md", "latency.svg"]);
    assert_eq!(inspect(&d("marked")).unwrap(), Found::Report);
    files(&d("unmarked"), core);
    files(&d("unmarked"), &["latency.svg"]);
    assert_eq!(
        inspect(&d("unmarked")).unwrap(),
        Found::Report,
        "a report from before the marker"
    );
    files(&d("notes"), &[MARKER, "summary.md", "notes.txt"]);
    assert_eq!(
        inspect(&d("notes")).unwrap(),
        Found::Foreign(vec!["notes.txt".into()], 1)
    );
    files(&d("homonym"), &["summary.md", "latency.svg"]);
    assert!(
        matches!(inspect(&d("homonym")).unwrap(), Found::Foreign(_, 2)),
        "report names but no marker"
    );
    files(&d("chart-only"), &["latency.svg"]);
    assert!(matches!(inspect(&d("chart-only")).unwrap(), Found::Foreign(_, 1)));
    files(&d("subdir"), &[MARKER]);
    fs::create_dir(d("subdir").join("summary.md")).unwrap();
    assert_eq!(
        inspect(&d("subdir")).unwrap(),
        Found::Foreign(vec!["summary.md/".into()], 1)
    );
    files(&d("many"), &["a", "b", "c", "d", "e"]);
    let Found::Foreign(names, n) = inspect(&d("many")).unwrap() else {
        panic!("foreign")
    };
    assert_eq!((names.len(), n), (3, 5));
    assert_eq!(list(&names, n).matches('`').count(), 6);
    assert!(list(&names, n).ends_with("and 2 more"));
    fs::write(d("file"), "x").unwrap();
    assert_eq!(inspect(&d("file")).unwrap(), Found::NotDirectory("a file"));
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(d("marked"), d("link")).unwrap();
        assert_eq!(inspect(&d("link")).unwrap(), Found::NotDirectory("a symbolic link"));
    }
}

#[test]
fn the_committed_example_report_is_capsims() {
    let beta = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports").join("beta");
    assert_eq!(inspect(&beta).unwrap(), Found::Report);
}

#[test]
fn resolve_follows_existing_links_and_the_rest_lexically() {
    let t = tempfile::tempdir().unwrap();
    let real = fs::canonicalize(t.path()).unwrap();
    fs::create_dir(real.join("a")).unwrap();
    assert_eq!(resolve(&real.join("a/new/../x/./y")).unwrap(), real.join("a/x/y"));
    assert_eq!(resolve(&real.join("a/..")).unwrap(), real);
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(real.join("a"), real.join("l")).unwrap();
        assert_eq!(resolve(&real.join("l/r")).unwrap(), real.join("a/r"));
        assert!(resolve(&real.join("l")).unwrap_err().contains("symbolic link"));
    }
    assert!(resolve(Path::new("")).is_err());
}

#[test]
fn a_protected_place_or_any_ancestor_is_refused_even_with_force() {
    let t = tempfile::tempdir().unwrap();
    let root = fs::canonicalize(t.path()).unwrap();
    files(&root.join("proj/scenarios"), &["s.yaml"]);
    let mut p = Protected::default();
    p.add(&root.join("proj/scenarios/s.yaml"), "the scenario".into());
    for out in [
        "proj/scenarios",
        "proj",
        ".",
        "proj/scenarios/s.yaml",
        "proj/scenarios/../scenarios",
    ] {
        for force in [false, true] {
            let e = check(&root.join(out), &p, force).unwrap_err();
            assert!(e.contains("Not even --force"), "{out}: {e}");
        }
    }
    // Beside it, or below it, is fine.
    assert!(check(&root.join("proj/reports/s"), &p, false).is_ok());
    assert!(check(&root.join("proj/scenarios/out"), &p, false).is_ok());
}

#[test]
fn a_foreign_directory_needs_force_and_a_file_is_never_replaced() {
    let t = tempfile::tempdir().unwrap();
    files(&t.path().join("thesis"), &["chapter1.tex"]);
    fs::write(t.path().join("f"), "x").unwrap();
    let p = Protected::default();
    let e = check(&t.path().join("thesis"), &p, false).unwrap_err();
    assert!(e.contains("`chapter1.tex`") && e.contains("--force"), "{e}");
    assert!(check(&t.path().join("thesis"), &p, true).is_ok());
    for force in [false, true] {
        assert!(check(&t.path().join("f"), &p, force).unwrap_err().contains("is a file"));
    }
}

#[test]
fn leftover_names_parse_exactly() {
    let n = OsStr::new("beta");
    assert_eq!(leftover(OsStr::new(".beta.partial-42"), n), Some((false, 42)));
    assert_eq!(leftover(OsStr::new(".beta.old-7"), n), Some((true, 7)));
    for bad in [
        ".beta.partial-",
        ".beta.partial-4x",
        ".betax.partial-4",
        "beta.partial-4",
        ".beta.old-99999999999",
        ".beta.old--1",
        ".beta.new-1",
    ] {
        assert_eq!(leftover(OsStr::new(bad), n), None, "{bad}");
    }
    // Every pid round-trips, whatever the report's name.
    for name in ["a", "beta", "x.partial-1", "my report"] {
        for pid in [1u32, 9, 10, 4_194_304, u32::MAX] {
            let n = OsStr::new(name);
            assert_eq!(
                leftover(OsStr::new(&format!(".{name}.partial-{pid}")), n),
                Some((false, pid))
            );
            assert_eq!(
                leftover(OsStr::new(&format!(".{name}.old-{pid}")), n),
                Some((true, pid))
            );
        }
    }
}

#[test]
fn the_sweep_removes_dead_runs_leftovers_only_and_restores_a_lost_report() {
    let _s = serial();
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let dead = dead_pid();
    files(&d.join("rep"), &[MARKER]);
    files(&d.join(format!(".rep.partial-{dead}")), &["summary.md"]);
    files(&d.join(format!(".rep.old-{dead}")), &["summary.md"]);
    files(&d.join(".rep.partial-1"), &[]); // pid 1 is alive
    files(&d.join(format!(".other.partial-{dead}")), &[]); // another report's
    let other = dead_pid();
    fs::write(
        d.join(format!(".rep.partial-{other}")),
        "a file: not a directory capsim made",
    )
    .unwrap();
    assert!(sweep(d, OsStr::new("rep")).is_empty());
    let mut want = vec![
        format!(".other.partial-{dead}"),
        ".rep.partial-1".into(),
        format!(".rep.partial-{other}"),
        "rep".into(),
    ];
    want.sort();
    assert_eq!(entries(d), want);
    fs::remove_file(d.join(format!(".rep.partial-{other}"))).unwrap();

    // Killed between the two renames: no report, the old one aside. It comes back.
    fs::remove_dir_all(d.join("rep")).unwrap();
    files(&d.join(format!(".rep.old-{dead}")), &["summary.md"]);
    files(&d.join(format!(".rep.partial-{dead}")), &["half"]);
    let w = sweep(d, OsStr::new("rep"));
    assert!(w.len() == 1 && w[0].contains("restored"), "{w:?}");
    assert_eq!(entries(&d.join("rep")), ["summary.md"]);
    assert!(!entries(d)
        .iter()
        .any(|e| e.starts_with(".rep.old") || e.starts_with(&format!(".rep.partial-{dead}"))));
}

#[test]
fn both_swaps_replace_the_report_and_leave_nothing_beside_it() {
    let _s = serial();
    let t = tempfile::tempdir().unwrap();
    let p = Protected::default();
    let out = t.path().join("rep");
    for round in 0..3 {
        let target = check(&out, &p, false).unwrap();
        let text = format!("round {round}");
        let w = write_report(&target, &report(vec![("summary.md", &text)]), &mut || {
            panic!("no other writer")
        })
        .unwrap();
        assert!(w.warnings.is_empty(), "{:?}", w.warnings);
        assert_eq!(fs::read_to_string(out.join("summary.md")).unwrap(), text);
        assert_eq!(
            fs::read_to_string(out.join(MARKER)).unwrap(),
            marker_text(&["summary.md"])
        );
        assert_eq!(entries(t.path()), ["rep"]);
    }
    // The fallback of two renames, as on platforms without an exchange.
    let (partial, old) = (t.path().join(".rep.partial-1"), t.path().join(".rep.old-1"));
    files(&partial, &["new"]);
    assert!(swap_by_renames(&partial, &out, &old).unwrap().is_empty());
    super::signals::step(|p| *p = Default::default());
    assert_eq!(entries(&out), ["new"]);
    assert_eq!(entries(t.path()), ["rep"]);
}

#[test]
fn a_failed_fallback_swap_puts_the_old_report_back() {
    let _s = serial();
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("rep");
    files(&out, &["old"]);
    let (partial, old) = (t.path().join(".rep.partial-1"), t.path().join(".rep.old-1"));
    // No partial copy: the second rename fails after the first moved the report aside.
    assert!(swap_by_renames(&partial, &out, &old).is_err());
    assert!(fs::symlink_metadata(&out).is_err(), "the first rename happened");
    super::signals::step(super::signals::undo);
    assert_eq!(entries(&out), ["old"]);
    assert_eq!(entries(t.path()), ["rep"]);
}

#[test]
fn the_write_checks_again_under_the_lock() {
    let _s = serial();
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("rep");
    let target = check(&out, &Protected::default(), false).unwrap();
    files(&out, &["thesis.tex"]); // appears after the check, before the write
    let e = write_report(&target, &report(vec![("summary.md", "x")]), &mut || {}).unwrap_err();
    assert!(e.contains("`thesis.tex`"), "{e}");
    assert_eq!(entries(&out), ["thesis.tex"]);
    assert_eq!(entries(t.path()), ["rep"]);
}

/// A system's charts are known names (a second `capsim run` of a system may replace its
/// report); a name that merely resembles one is not.
#[test]
fn a_systems_chart_names_are_known_and_only_they() {
    for name in [
        "production.latency.svg",
        "staging-2.cost_by_month.svg",
        "a_b.monthly_cost.svg",
    ] {
        assert!(is_system_chart(name), "{name}");
    }
    for name in [
        "latency.svg",
        ".latency.svg",
        "a.b.latency.svg",
        "production.summary.md",
        "production.latency.svg.bak",
        "production latency.svg",
        "production.cost_by_environment.svg",
    ] {
        assert!(!is_system_chart(name), "{name}");
    }
    assert!(SYSTEM_FILES.iter().all(|f| !REPORT_FILES.contains(f)));
}
