pub mod engine;
pub mod pricing;
pub mod report;
pub mod scenario;

use std::path::{Path, PathBuf};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Loads a scenario given as YAML text (written to a temporary file).
pub fn load_text(text: &str) -> (capsim::scenario::Scenario, capsim::pricing::Catalog) {
    let dir = std::env::temp_dir().join(format!("capsim-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("s.yaml");
    std::fs::write(&p, text).unwrap();
    load(&p)
}

pub fn load(p: &Path) -> (capsim::scenario::Scenario, capsim::pricing::Catalog) {
    let pricing = capsim::pricing::CatalogSource::dir(repo().join("pricing"), capsim::pricing::ChosenBy::Flag);
    capsim::scenario::load(p, Some(&pricing)).unwrap_or_else(|e| panic!("{e}"))
}
