//! Inputs written as ranges: a degenerate range is the value itself (byte-identical reports),
//! the thread count changes nothing, the ends of a range bracket the results it draws (database
//! size grows with the size of a record), and a range where none makes sense is refused with
//! its file, line and field.

use crate::common::{capsim, dir_files, repo, run_text, write};
use std::path::Path;

/// Open arrivals at 1/s, each request writing one `rows` record of `size` to the database.
fn scenario(size: &str, extra: &str) -> String {
    format!(
        "name: ranges\nstage: only\nseed: 5\nreplications: 9\nhorizon: 3d\nresolution: 1d\n\
         simulation: {{mode: peak_window, window: 10m, warmup: 1m}}\n\
         traffic: {{arrival_rate: 1/s}}\n\
         requests:\n  submit: {{share: 100%, cpu: 1ms, db_queries: 1}}\n\
         stages:\n  only:\n    api: {{instances: 1, vcpu: 2, workers: 8}}\n\
         \x20   database: {{connections: 10, query_time: 2ms}}\n\
         storage:\n  database:\n    initial: 1MB\n    records:\n      rows: {{size: {size}, per_request: {{submit: 1}}}}\n{extra}"
    )
}

/// Runs `text` as `s.yaml` from a directory of its own (so the reports name the same file),
/// with `args`, and returns the report's files.
fn report(text: &str, args: &[&str]) -> Vec<(String, Vec<u8>)> {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "s.yaml", text);
    capsim()
        .current_dir(dir.path())
        .args(["run", "--quiet", "s.yaml", "--out", "out"])
        .args(args)
        .assert()
        .code(0);
    dir_files(&dir.path().join("out"))
}

#[test]
fn a_degenerate_range_gives_the_report_of_its_value() {
    let plain = report(&scenario("2KB", ""), &[]);
    let same = report(&scenario("{range: [2KB, 2KB]}", ""), &[]);
    let also = report(&scenario("{range: [2KB, 2000B], dist: uniform}", ""), &[]);
    assert_eq!(plain, same);
    assert_eq!(plain, also);
}

#[test]
fn the_thread_count_does_not_change_a_ranged_report() {
    let text = scenario("{range: [1KB, 4KB], dist: loguniform}", "");
    let one = report(&text, &["--threads", "1"]);
    let two = report(&text, &["--threads", "2"]);
    assert_eq!(one, two);
    let md = String::from_utf8(one.iter().find(|(n, _)| n == "summary.md").unwrap().1.clone()).unwrap();
    assert!(md.contains("## Inputs drawn from ranges"), "{md}");
    assert!(
        md.contains("`storage.database.records.rows.size` | 1.0 KB | 4.0 KB | loguniform"),
        "{md}"
    );
}

#[test]
fn the_ends_of_a_range_bracket_the_results_it_draws() {
    let at = |size: &str| run_text(&scenario(size, ""));
    let last = |r: &capsim::run::RunResult| r.value(r.periods.len() - 1, "db_size");
    let (lo, hi) = (at("1KB"), at("4KB"));
    let ranged = at("{range: [1KB, 4KB]}");
    let (lo, hi, mid) = (last(&lo).mean, last(&hi).mean, last(&ranged));
    assert!(lo < hi);
    assert!(lo <= mid.min && mid.max <= hi, "{lo} ≤ {mid:?} ≤ {hi}");
    assert!(mid.p10 < mid.p90, "the range shows as a spread: {mid:?}");
    // Storage accrues at its expected rate: the database holds 1 MB + k × size, the same k
    // (records written) for every size, so the P50 of the sizes drawn gives the P50 size.
    let input = &ranged.inputs_from_ranges[0];
    assert_eq!(input.field, "storage.database.records.rows.size");
    assert_eq!((input.low, input.high, input.drawn.n), (1e3, 4e3, 9));
    assert!(input.drawn.min >= 1e3 && input.drawn.max <= 4e3);
    let k = (hi - 1e6) / 4e3;
    assert!(
        ((lo - 1e6) / 1e3 - k).abs() < 1e-6 * k,
        "records written do not depend on size"
    );
    let expected = 1e6 + k * input.drawn.p50;
    assert!(
        (mid.p50 - expected).abs() < 1e-6 * expected,
        "{} vs {expected}",
        mid.p50
    );
}

/// Runs `check` on `text` and returns its stderr, which must be an input error (exit 2).
fn refused(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "s.yaml", text);
    let out = capsim().args(["validate"]).arg(&p).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[test]
fn a_range_where_none_makes_sense_is_refused_with_its_field() {
    let base = scenario("2KB", "");
    let cases = [
        // The run's frame.
        (
            base.replace("horizon: 3d", "horizon: {range: [2d, 3d]}"),
            "s.yaml:5",
            "horizon",
            "every replication simulates the same time",
        ),
        // A limit results are checked against.
        (
            format!("{base}budget: {{monthly: {{range: [$10, $20]}}}}\n"),
            "s.yaml:",
            "budget.monthly",
            "checked against",
        ),
        // A field that reads text: the probe finds it.
        (
            base.replace("  only:\n", "  only:\n    description: {range: [1KB, 2KB]}\n"),
            "s.yaml:",
            "stages.only.description",
            "does not take a number",
        ),
        // Malformed: low above high.
        (
            scenario("{range: [4KB, 1KB]}", ""),
            "s.yaml:",
            "storage.database.records.rows.size.range",
            "above the high end",
        ),
        // The low end breaks a rule the high end keeps.
        (
            base.replace("workers: 8", "workers: {range: [0, 8]}"),
            "s.yaml:",
            "stages.only.api.workers",
            "low end of its range",
        ),
    ];
    for (text, at, field, words) in cases {
        let err = refused(&text);
        assert!(
            err.contains(at) && err.contains(field) && err.contains(words),
            "{field}: {err}"
        );
    }
}

/// The README's section on ranges: its example loads, and every replication draws in it.
#[test]
fn the_readme_example_of_a_range_runs() {
    let yaml = &crate::common::readme_yaml("## Ranges");
    let r = run_text(&scenario("2KB", "").replace(
        "storage:\n  database:\n    initial: 1MB\n    records:\n      rows: {size: 2KB, per_request: {submit: 1}}\n",
        yaml,
    ));
    assert!(!r.inputs_from_ranges.is_empty(), "{yaml}");
    for i in &r.inputs_from_ranges {
        assert!(i.low <= i.drawn.min && i.drawn.max <= i.high, "{i:?}");
    }
}

/// ValueRank's transcripts (500 KB–5 MB per run): the database after 180 days lies between
/// the runs at each end, and varies across replications.
#[test]
fn valuerank_database_size_spreads_between_the_transcript_ends() {
    let dir = tempfile::tempdir().unwrap();
    let base = repo().join("scenarios/valuerank/mvp.yaml");
    let end = |size: &str| {
        let text = format!(
            "extends: {}\nreplications: 2\nstorage:\n  database:\n    records:\n      transcripts: {{size: {size}}}\n",
            base.display()
        );
        run_text_at(dir.path(), &text)
    };
    let last = |r: &capsim::run::RunResult| r.value(r.periods.len() - 1, "db_size");
    let (lo, hi) = (last(&end("500KB")).mean, last(&end("5MB")).mean);
    let r = crate::common::run_file("scenarios/valuerank/mvp.yaml");
    let mid = last(&r);
    assert!(
        lo <= mid.min && mid.max <= hi && mid.p10 < mid.p90,
        "{lo} ≤ {mid:?} ≤ {hi}"
    );
    assert_eq!(
        r.inputs_from_ranges[0].field,
        "storage.database.records.transcripts.size"
    );
}

fn run_text_at(dir: &Path, text: &str) -> capsim::run::RunResult {
    let p = write(dir, "end.yaml", text);
    let pricing = capsim::pricing::CatalogSource::dir(repo().join("pricing"), capsim::pricing::ChosenBy::Flag);
    let (sc, cat) = capsim::scenario::load(&p, Some(&pricing)).unwrap_or_else(|e| panic!("{e}"));
    capsim::run::run(&sc, &cat, &capsim::run::RunConfig::of(&sc)).expect("run")
}

/// The work estimate and its caps see the worst case: a ranged scenario is estimated as the
/// one written with every range at its high end.
#[test]
fn the_work_estimate_uses_the_high_ends() {
    let dir = tempfile::tempdir().unwrap();
    let load = |text: &str| {
        let p = write(dir.path(), "w.yaml", text);
        let pricing = capsim::pricing::CatalogSource::dir(repo().join("pricing"), capsim::pricing::ChosenBy::Flag);
        capsim::scenario::load(&p, Some(&pricing))
            .unwrap_or_else(|e| panic!("{e}"))
            .0
    };
    let ranged = load(&scenario("2KB", "").replace("arrival_rate: 1/s", "arrival_rate: {range: [\"10/min\", 3/s]}"));
    let high = load(&scenario("2KB", "").replace("arrival_rate: 1/s", "arrival_rate: 3/s"));
    let low = load(&scenario("2KB", "").replace("arrival_rate: 1/s", "arrival_rate: 10/min"));
    let est = |sc: &capsim::scenario::Scenario| capsim::work::estimate(sc, Some(1)).requests_per_replication;
    assert_eq!(est(&ranged), est(&high));
    assert!(est(&low) < est(&high));
}

/// A range in a file that `extends:` another replaces the base's value whole: the base's
/// `dist` and `mode` do not leak into it.
#[test]
fn a_range_over_an_extended_range_replaces_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "base.yaml",
        &scenario("{range: [1KB, 4KB], dist: triangular, mode: 3KB}", ""),
    );
    let child = "extends: base.yaml\nstorage:\n  database:\n    records:\n      rows: {size: {range: [1KB, 2KB]}}\n";
    let p = write(dir.path(), "child.yaml", child);
    let pricing = capsim::pricing::CatalogSource::dir(repo().join("pricing"), capsim::pricing::ChosenBy::Flag);
    let (sc, cat) = capsim::scenario::load(&p, Some(&pricing)).unwrap_or_else(|e| panic!("{e}"));
    let r = capsim::run::run(&sc, &cat, &capsim::run::RunConfig::of(&sc)).expect("run");
    let i = &r.inputs_from_ranges[0];
    assert_eq!((i.low, i.high, i.distribution, i.mode), (1e3, 2e3, "uniform", None));
}
