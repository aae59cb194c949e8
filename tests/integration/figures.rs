//! Every figure of the shipped scenarios' reports, compared with committed expected values.
//!
//! For each shipped scenario, `costs.csv`, `timeseries.csv` and `triggers.csv` (month totals,
//! component costs, every line of every bill, every series of every period, trigger firing days
//! and values) and `summary.md` (the plain-words summary and every table) are rendered by the
//! current code and compared with `tests/fixtures/figures/<scenario>/`. A CSV is compared cell
//! by cell under its header: every expected column must be present with the same text in every
//! row (a new column is not a change of figure). `summary.md` is compared whole.
//!
//! When a change is meant to move numbers, regenerate the expected files with
//! `CAPSIM_BLESS=1 cargo test --release figures` and review the diff.
use crate::common::repo;
use std::path::{Path, PathBuf};

/// The shipped scenarios, as paths relative to the repository.
const SHIPPED: [&str; 6] = [
    "scenarios/mvp.yaml",
    "scenarios/mvp-growth.yaml",
    "scenarios/beta.yaml",
    "scenarios/ga.yaml",
    "scenarios/aws.yaml",
    "scenarios/textbook/mmc.yaml",
];

/// The report files whose figures are compared.
const FILES: [&str; 4] = ["costs.csv", "timeseries.csv", "triggers.csv", "summary.md"];

fn expected_dir(scenario: &str) -> PathBuf {
    let stem = Path::new(scenario)
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("a file name");
    repo().join("tests/fixtures/figures").join(stem)
}

/// The scenario's report files, rendered by the current code with the built-in catalogs (what
/// `capsim run` uses by default, and no machine path in the report).
fn render(scenario: &str) -> Vec<(String, Vec<u8>)> {
    let pricing = capsim::pricing::CatalogSource::builtin();
    // A relative path, as `capsim run scenarios/x.yaml` gets (tests run in the package root).
    let (sc, cat) = capsim::scenario::load(Path::new(scenario), Some(&pricing)).unwrap_or_else(|e| panic!("{e}"));
    let r = capsim::run::run(&sc, &cat, &capsim::run::RunConfig::of(&sc)).expect("run");
    capsim::report::render_all(&r)
        .into_iter()
        .filter(|(name, _)| FILES.contains(&name.as_str()))
        .collect()
}

fn table(text: &str, what: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut rd = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let header: Vec<String> = rd
        .headers()
        .unwrap_or_else(|e| panic!("{what}: {e}"))
        .iter()
        .map(str::to_string)
        .collect();
    let rows = rd
        .records()
        .map(|r| {
            r.unwrap_or_else(|e| panic!("{what}: {e}"))
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect();
    (header, rows)
}

/// The differences between an expected and a fresh CSV, one line each (empty: same figures).
fn csv_differences(expected: &str, fresh: &str, what: &str) -> Vec<String> {
    let (eh, erows) = table(expected, what);
    let (fh, frows) = table(fresh, what);
    let mut out = Vec::new();
    if erows.len() != frows.len() {
        out.push(format!("{what}: {} rows expected, {} now", erows.len(), frows.len()));
    }
    for (ec, name) in eh.iter().enumerate() {
        let Some(fc) = fh.iter().position(|h| h == name) else {
            out.push(format!("{what}: column `{name}` is gone"));
            continue;
        };
        for (i, (e, f)) in erows.iter().zip(&frows).enumerate() {
            if e.get(ec) != f.get(fc) {
                out.push(format!(
                    "{what} row {} `{name}`: expected {:?}, now {:?}",
                    i + 1,
                    e.get(ec),
                    f.get(fc)
                ));
            }
        }
    }
    out
}

fn differences(scenario: &str) -> Vec<String> {
    let dir = expected_dir(scenario);
    let bless = std::env::var_os("CAPSIM_BLESS").is_some_and(|v| v == "1");
    let mut out = Vec::new();
    for (name, bytes) in render(scenario) {
        let path = dir.join(&name);
        if bless {
            std::fs::create_dir_all(&dir).expect("create the figures directory");
            std::fs::write(&path, &bytes).expect("write an expected file");
            continue;
        }
        let what = format!("{scenario} {name}");
        let fresh = String::from_utf8(bytes).expect("reports are UTF-8");
        let Ok(expected) = std::fs::read_to_string(&path) else {
            out.push(format!("{what}: no expected file (bless with CAPSIM_BLESS=1)"));
            continue;
        };
        if name.ends_with(".csv") {
            out.extend(csv_differences(&expected, &fresh, &what));
        } else if expected != fresh {
            let line = expected.lines().zip(fresh.lines()).position(|(a, b)| a != b);
            out.push(format!("{what} differs (first at line {:?})", line.map(|l| l + 1)));
        }
    }
    out
}

#[test]
fn the_shipped_scenarios_figures_are_unchanged() {
    let mut all = Vec::new();
    for s in SHIPPED {
        all.extend(differences(s));
    }
    assert!(
        all.is_empty(),
        "{} difference(s); if meant, regenerate with `CAPSIM_BLESS=1 cargo test --release figures`:\n{}",
        all.len(),
        all.iter().take(40).cloned().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn a_changed_figure_is_found_and_a_new_column_is_not_a_change() {
    let expected = "a,b\n1,2\n3,4\n";
    assert!(csv_differences(expected, "a,b,c\n1,2,9\n3,4,9\n", "t").is_empty());
    assert!(csv_differences(expected, "b,a\n2,1\n4,3\n", "t").is_empty());
    let d = csv_differences(expected, "a,b\n1,2\n3,5\n", "t");
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].contains("row 2 `b`"), "{d:?}");
    assert_eq!(csv_differences(expected, "a\n1\n3\n", "t").len(), 1);
    assert_eq!(csv_differences(expected, "a,b\n1,2\n", "t").len(), 1);
}
