//! The gate's output formats and its `--out` files: the format from the file's extension, and
//! the file replaced in one atomic step (a reader sees the old file or the new one, never half).

use super::data::GateReport;
use crate::error::InputError;
use std::io::Write;
use std::path::Path;

/// A format of the gate's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A status line per scenario and what is wrong (the terminal's).
    Text,
    /// The report as data (schema: docs/ci/check-json.md).
    Json,
    /// JUnit XML: a testsuite per scenario, a testcase per check.
    Junit,
    /// A short pull-request comment or job summary.
    Markdown,
}

/// The extensions an `--out` file may have, and their formats.
pub const EXTENSIONS: [(&str, Format); 4] = [
    ("json", Format::Json),
    ("xml", Format::Junit),
    ("md", Format::Markdown),
    ("txt", Format::Text),
];

/// The format an `--out` file's extension names.
pub fn format_of(path: &Path) -> Result<Format, InputError> {
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase());
    EXTENSIONS
        .iter()
        .find(|(e, _)| Some(*e) == ext.as_deref())
        .map(|(_, f)| *f)
        .ok_or_else(|| {
            InputError::new(
                path,
                "--out",
                "the report's format comes from the file's extension, and this one names none",
            )
            .allowed(EXTENSIONS.iter().map(|(e, _)| format!(".{e}")))
        })
}

/// The report in `format`.
pub fn render(g: &GateReport, format: Format) -> String {
    match format {
        Format::Text => super::render::text(g),
        Format::Markdown => super::render::markdown(g),
        Format::Junit => super::junit::junit(g),
        Format::Json => {
            // The report holds only strings, numbers, booleans and nulls (NaN is null).
            let mut s = serde_json::to_string_pretty(g).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
            s.push('\n');
            s
        }
    }
}

/// Writes `text` to `path` through a temporary file in the same directory, then renames it
/// over `path`. Never writes through a directory or a symbolic link at `path`.
pub fn write_atomic(path: &Path, text: &str) -> Result<(), String> {
    let shown = path.display();
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.is_file() {
            return Err(format!("--out {shown}: exists and is not a regular file"));
        }
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.capsim-{}.tmp", std::process::id()));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|_| f.sync_all()))
        .and_then(|_| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("--out {shown}: cannot write it: {e}"));
    }
    Ok(())
}
