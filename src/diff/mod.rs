//! `capsim diff BASE NEW`: what a change does to the bill, the triggers, the checks and the
//! headroom.
//!
//! Each side is a scenario file (run for the diff, both with the same `--seed` and
//! `--replications` flags) or a report directory capsim wrote (its `summary.json`). A scenario
//! is rendered to the bytes of its `summary.json` and read back by the same
//! [`snapshot`] reader, so a scenario and the report it writes give the same diff.
//! [`model::compute`] turns two snapshots into a typed [`Diff`]; [`text`], [`markdown`] and
//! [`json`] render it; [`gate`] decides the exit code: 0, or 1 when a gate asked for
//! (`--fail-above`, `--fail-on`) fails, like `capsim check`. Bad input exits 2.

pub mod gate;
pub mod markdown;
pub mod model;
pub mod snapshot;
pub mod text;
pub mod words;

pub use model::{compute, Diff, Presence, Side};

use crate::error::{InputError, InputErrors};
use gate::{FailOn, Gate, GateFailure, Limit};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The version of the `diff --format json` layout (`reports/SCHEMA.md`, "capsim diff").
pub const DIFF_SCHEMA_VERSION: u32 = 1;

/// How the diff is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Every change, for a terminal.
    Text,
    /// A short summary for a pull-request comment or a CI job summary.
    Markdown,
    /// Every row as data (schema in reports/SCHEMA.md).
    Json,
}

/// The arguments of `capsim diff` (the run flags are the CLI's `RunOpts`).
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The run before the change: a scenario file (run for the diff) or a report directory
    /// `capsim run` wrote (its summary.json is read).
    pub base: PathBuf,
    /// The run after the change: a scenario file or a report directory, like BASE.
    pub new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Write the diff to FILE (replaced atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Exit 1 when a month's total bill (mean across replications) rises by more than LIMIT:
    /// a percentage of BASE's total (`+10%`) or an amount (`$50`). Only months both runs bill
    /// are compared; a rise of exactly LIMIT passes.
    #[arg(long, value_name = "LIMIT", value_parser = gate::parse_limit, allow_hyphen_values = true)]
    pub fail_above: Option<Limit>,
    /// Also exit 1 on a trigger that fires in NEW but not in BASE (`new-trigger`), or a budget
    /// or SLO check that passed in BASE (or was not there) and fails in NEW (`check`).
    /// Comma-separated.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "WHAT")]
    pub fail_on: Vec<FailOn>,
}

/// The top level of `diff --format json`.
#[derive(Serialize)]
struct Document<'a> {
    diff_schema_version: u32,
    capsim_version: &'static str,
    #[serde(flatten)]
    diff: &'a Diff,
    /// The gate asked for and what it found; null when none was.
    gate: Option<GateDoc<'a>>,
}

#[derive(Serialize)]
struct GateDoc<'a> {
    fail_above: Option<Limit>,
    fail_on: &'a [FailOn],
    passed: bool,
    failures: &'a [GateFailure],
}

/// `diff --format json`: every row, with the gate.
pub fn json(d: &Diff, gate: &Gate, failures: &[GateFailure]) -> String {
    let asked = gate.fail_above.is_some() || !gate.fail_on.is_empty();
    let doc = Document {
        diff_schema_version: DIFF_SCHEMA_VERSION,
        capsim_version: env!("CARGO_PKG_VERSION"),
        diff: d,
        gate: asked.then_some(GateDoc {
            fail_above: gate.fail_above,
            fail_on: &gate.fail_on,
            passed: failures.is_empty(),
            failures,
        }),
    };
    // Every figure is finite (the reader refuses others), so serialising cannot fail.
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// Renders the diff in `format`.
pub fn render(d: &Diff, format: Format, gate: &Gate, failures: &[GateFailure]) -> String {
    let asked = gate.fail_above.is_some() || !gate.fail_on.is_empty();
    match format {
        Format::Text => text::render(d, asked, failures),
        Format::Markdown => markdown::render(d, asked, failures),
        Format::Json => json(d, gate, failures),
    }
}

/// Reads one side: a report directory's summary, or a scenario run by `run_scenario` (which
/// returns the bytes of its `summary.json`).
fn side<E: From<InputErrors>>(
    path: &Path,
    run_scenario: &mut dyn FnMut(&Path) -> Result<Vec<u8>, E>,
) -> Result<(Side, snapshot::Snapshot), E> {
    let (kind, snap) = if path.is_dir() {
        ("report", snapshot::read_report_dir(path)?)
    } else {
        let bytes = run_scenario(path)?;
        ("scenario", snapshot::parse(path, &bytes)?)
    };
    let side = Side {
        path: path.display().to_string(),
        kind,
        name: snap.name.clone(),
        seed: snap.seed,
        replications: snap.replications,
    };
    Ok((side, snap))
}

/// `capsim diff`: reads both sides, prints or writes the diff, and returns the exit code (0,
/// or 1 when the gate fails). `run_scenario` runs a scenario file with the command's run flags
/// and returns its `summary.json` bytes.
pub fn command<E: From<InputErrors>>(
    args: &DiffArgs,
    run_scenario: &mut dyn FnMut(&Path) -> Result<Vec<u8>, E>,
) -> Result<ExitCode, E> {
    if let Some(out) = &args.out {
        check_out(out, &[&args.base, &args.new])?;
    }
    let (bs, b) = side(&args.base, run_scenario)?;
    let (ns, n) = side(&args.new, run_scenario)?;
    let d = compute((bs, &b), (ns, &n));
    let gate = Gate {
        fail_above: args.fail_above,
        fail_on: args.fail_on.clone(),
    };
    let failures = gate::evaluate(&d, &gate);
    let rendered = render(&d, args.format, &gate, &failures);
    match &args.out {
        Some(out) => write_out(out, &rendered)?,
        None => crate::stdio::out(&rendered),
    }
    for f in &failures {
        crate::stdio::err(&format!("diff gate: FAIL: {}", f.message));
    }
    Ok(if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn out_error(out: &Path, reason: String) -> InputErrors {
    InputErrors(vec![InputError::new(out, "--out", reason)])
}

/// `--out` is a file, never a directory nor one of the inputs (or the summary it holds).
fn check_out(out: &Path, inputs: &[&Path]) -> Result<(), InputErrors> {
    if out.is_dir() {
        return Err(out_error(
            out,
            "is a directory; --out names the file to write the diff to".into(),
        ));
    }
    let Ok(target) = std::fs::canonicalize(out) else {
        return Ok(());
    };
    for input in inputs {
        let candidates = [input.to_path_buf(), input.join("summary.json")];
        if candidates
            .iter()
            .filter_map(|c| std::fs::canonicalize(c).ok())
            .any(|c| c == target)
        {
            return Err(out_error(
                out,
                format!(
                    "is an input of this diff ({}); write the diff elsewhere",
                    input.display()
                ),
            ));
        }
    }
    Ok(())
}

/// Writes `text` to `out` through a temporary file beside it, renamed into place, so `out` is
/// either the previous file or the whole new diff.
fn write_out(out: &Path, text: &str) -> Result<(), InputErrors> {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = out.with_file_name(format!(".{name}.capsim-{}.tmp", std::process::id()));
    let result = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, out));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(out_error(out, format!("cannot write the diff: {e}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
