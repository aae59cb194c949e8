//! Snapshot tests (`insta`) of the text, Markdown, CSV and JSON renderers, on
//! `tests/fixtures/snapshot.yaml`. A renderer change shows as a reviewable diff of the whole
//! output; accept a meant one with `cargo insta review` (or `INSTA_UPDATE=always`).
use std::path::Path;

/// The fixture's report files, rendered with the built-in catalogs.
fn rendered() -> (String, Vec<(String, String)>) {
    let pricing = capsim::pricing::CatalogSource::builtin();
    let (sc, cat) = capsim::scenario::load(Path::new("tests/fixtures/snapshot.yaml"), Some(&pricing))
        .unwrap_or_else(|e| panic!("{e}"));
    let r = capsim::run::run(&sc, &cat, &capsim::run::RunConfig::of(&sc)).expect("run");
    let text = capsim::report::text::summary_text(&r, None);
    let files = capsim::report::render_all(&r)
        .into_iter()
        .filter(|(n, _)| n.ends_with(".csv") || n.ends_with(".md") || n.ends_with(".json"))
        .map(|(n, b)| (n, String::from_utf8(b).expect("UTF-8")))
        .collect();
    (text, files)
}

#[test]
fn renderers_match_their_snapshots() {
    let (text, files) = rendered();
    insta::assert_snapshot!("summary.txt", text);
    for (name, body) in files {
        insta::assert_snapshot!(name.clone(), body);
    }
}
