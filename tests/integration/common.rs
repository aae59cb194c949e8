//! Shared helpers: temporary scenario files and the `capsim` command.
use std::path::{Path, PathBuf};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn capsim() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("capsim").expect("binary built");
    c.current_dir(repo());
    // A developer's own CAPSIM_PRICING must not change what the tests see.
    c.env_remove("CAPSIM_PRICING");
    c
}

/// Runs `capsim ARGS`, asserts it succeeded, and returns what it printed on stdout.
pub fn stdout_of(args: &[&str]) -> Vec<u8> {
    capsim().args(args).assert().success().get_output().stdout.clone()
}

/// Writes `text` as `name` in `dir` and returns its path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write fixture");
    p
}

/// The first YAML example of the README after the line `heading` (a section title or a marker
/// comment), without its fences: the README's examples are run by the tests of their features.
pub fn readme_yaml(heading: &str) -> String {
    readme_block(heading, "yaml")
}

/// The first fenced block in language `lang` (`yaml`, `sh`, `text`) of the README after the
/// line `heading`, without its fences.
pub fn readme_block(heading: &str, lang: &str) -> String {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    let at = readme
        .find(heading)
        .unwrap_or_else(|| panic!("README has no `{heading}`"));
    let block = &readme[at..];
    let fence = format!("```{lang}\n");
    let start = block
        .find(&fence)
        .unwrap_or_else(|| panic!("no {lang} block after `{heading}`"))
        + fence.len();
    let len = block[start..].find("```").expect("the block's end");
    block[start..start + len].to_string()
}

/// Loads and runs a scenario given as text, with the repository's pricing catalogs.
pub fn run_text(text: &str) -> capsim::run::RunResult {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(dir.path(), "s.yaml", text);
    let pricing = capsim::pricing::CatalogSource::dir(repo().join("pricing"), capsim::pricing::ChosenBy::Flag);
    let (sc, cat) = capsim::scenario::load(&p, Some(&pricing)).unwrap_or_else(|e| panic!("{e}"));
    capsim::run::run(&sc, &cat, &capsim::run::RunConfig::of(&sc)).expect("run")
}

/// Loads and runs a scenario file of the repository (a path relative to its root).
pub fn run_file(path: &str) -> capsim::run::RunResult {
    let pricing = capsim::pricing::CatalogSource::dir(repo().join("pricing"), capsim::pricing::ChosenBy::Flag);
    let (sc, cat) = capsim::scenario::load(&repo().join(path), Some(&pricing)).unwrap_or_else(|e| panic!("{e}"));
    capsim::run::run(&sc, &cat, &capsim::run::RunConfig::of(&sc)).expect("run")
}

/// Every file of report directory `dir` with its bytes, sorted by name.
pub fn dir_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            (
                e.file_name().to_string_lossy().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}
