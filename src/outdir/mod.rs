//! The report directory (`--out`): what capsim may replace, and writing it without ever
//! destroying a user's files.
//!
//! capsim replaces a directory only if it wrote it: the directory holds the marker file
//! [`MARKER`] and nothing but report files, or (a report written before the marker existed)
//! exactly capsim's own file set, or nothing at all. Anything else is refused with exit 2
//! unless `--force` is given. Some places are refused even with `--force`: a plain file, a
//! symbolic link, and any directory that is or contains the working directory, the home
//! directory, the scenario (and the files it `extends:`) or the pricing catalogs.
//!
//! [`check`] decides this before the simulation runs (so a refusal costs nothing);
//! [`write_report`] decides it again under the directory lock and then writes (see `write.rs`).

pub mod signals;
mod write;

pub use write::{write_report, ReportFiles, Written, PAUSE_HOOK};

/// What `run`, `sweep`, `merge` and a system's run do to write a report: install the signal
/// handlers, write `files` into `t` (saying on stderr when another capsim holds `dir`), and
/// print the writer's warnings on stderr.
pub fn write_and_warn(t: &Target, files: &dyn ReportFiles, dir: &Path) -> Result<(), String> {
    signals::install()?;
    let mut on_wait = || {
        crate::stdio::err(&format!(
            "waiting for another capsim writing to {} to finish",
            dir.display()
        ))
    };
    for w in write_report(t, files, &mut on_wait)?.warnings {
        crate::stdio::err(&format!("warning: {w}"));
    }
    Ok(())
}

use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

/// The file capsim writes into every report directory it writes: its mark of ownership.
pub const MARKER: &str = ".capsim-report";

/// Every file a report can hold (see `report::Report`): the files always written, then the
/// charts, which are left out when they have no data.
pub const REPORT_FILES: &[&str] = &[
    "summary.md",
    "report.html",
    "costs.csv",
    "timeseries.csv",
    "triggers.csv",
    "summary.json",
    "queue_backlog.svg",
    "latency.svg",
    "utilization.svg",
    "database_size.svg",
    "recovery.svg",
    "monthly_cost.svg",
    "cost_by_month.svg",
];

/// Every file a sweep's report can hold (`capsim sweep`, `capsim merge`; see `sweep::render`):
/// a directory holding the marker and only these (or [`REPORT_FILES`]) is capsim's to replace.
pub const SWEEP_FILES: &[&str] = &[
    "sweep.md",
    "sweep.html",
    "sweep.csv",
    "sweep.json",
    "cost.svg",
    "latency.svg",
    "triggers.svg",
];

/// The files a system's report (`crate::envs`) holds beyond [`REPORT_FILES`]: its combined
/// chart, and each environment's charts as `<environment>.<chart>` (see [`is_system_chart`]).
pub const SYSTEM_FILES: &[&str] = &["cost_by_environment.svg"];

/// Whether `name` is an environment's chart in a system's report: `<environment>.<chart>` with
/// a name a system file allows (letters, digits, `-`, `_`) and a chart of [`REPORT_FILES`].
pub fn is_system_chart(name: &str) -> bool {
    REPORT_FILES[ALWAYS_WRITTEN..].iter().any(|chart| {
        name.strip_suffix(chart)
            .and_then(|env| env.strip_suffix('.'))
            .is_some_and(|env| {
                (1..=40).contains(&env.len())
                    && env.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            })
    })
}

/// How many of [`REPORT_FILES`] every report holds (the rest are charts, left out without data).
pub const ALWAYS_WRITTEN: usize = 6;

/// Places no report may replace, with what each is (for the message).
#[derive(Debug, Clone, Default)]
pub struct Protected(Vec<(PathBuf, String)>);

impl Protected {
    /// The working directory and the home directory.
    pub fn new() -> Protected {
        let mut p = Protected::default();
        if let Ok(cwd) = std::env::current_dir() {
            p.add(&cwd, format!("the working directory {}", cwd.display()));
        }
        if let Some(home) = std::env::var_os("HOME").filter(|h| Path::new(h).is_absolute()) {
            p.add(
                Path::new(&home),
                format!("your home directory {}", Path::new(&home).display()),
            );
        }
        p
    }

    /// The working and home directories, the scenario file, the files it `extends:` and the
    /// pricing catalogs it was priced with.
    pub fn for_scenario(sc: &crate::scenario::Scenario, catalogs: &crate::pricing::CatalogSource) -> Protected {
        let mut p = Protected::new();
        p.add(&sc.file, format!("the scenario {}", sc.file.display()));
        if let Ok((_, sources)) = crate::yamlfile::load_with_extends(&sc.file, crate::scenario::raw::TOP_LEVEL) {
            for (f, _) in sources.files.iter().skip(1) {
                p.add(f, format!("{}, which the scenario extends", f.display()));
            }
        }
        if let crate::pricing::CatalogSource::Directory { path, .. } = catalogs {
            p.add(path, format!("the pricing catalogs {}", path.display()));
        }
        p
    }

    /// Protects `path` (a file or directory), described as `what`.
    pub fn add(&mut self, path: &Path, what: String) {
        let real = fs::canonicalize(path).or_else(|_| std::path::absolute(path));
        if let Ok(real) = real {
            self.0.push((real, what));
        }
    }

    /// What `dir` would destroy, if it is or contains a protected place.
    fn hit(&self, dir: &Path) -> Option<&(PathBuf, String)> {
        self.0.iter().find(|(p, _)| p.starts_with(dir))
    }
}

/// A checked report destination.
#[derive(Debug, Clone)]
pub struct Target {
    /// As the user gave it, for messages.
    pub shown: PathBuf,
    /// The real directory it is in (symbolic links resolved).
    pub parent: PathBuf,
    /// Its name in `parent`.
    pub name: OsString,
    force: bool,
    protected: Protected,
}

impl Target {
    /// The real path of the destination.
    pub fn path(&self) -> PathBuf {
        self.parent.join(&self.name)
    }
}

/// What is at the destination now.
#[derive(Debug, PartialEq)]
enum Found {
    Nothing,
    /// An empty directory, or one capsim wrote.
    Report,
    /// A directory holding something capsim did not write: a few of its names and their count.
    Foreign(Vec<String>, usize),
    /// A file, a symbolic link or a special file: never replaced.
    NotDirectory(&'static str),
}

/// Decides whether a report may be written to `out`; the error is the message for the user.
pub fn check(out: &Path, protected: &Protected, force: bool) -> Result<Target, String> {
    let real = resolve(out)?;
    let (parent, name) = match (real.parent(), real.file_name()) {
        (Some(p), Some(n)) => (p.to_path_buf(), n.to_os_string()),
        _ => {
            return Err(format!(
                "--out {}: the root directory cannot be a report directory",
                out.display()
            ))
        }
    };
    let t = Target {
        shown: out.to_path_buf(),
        parent,
        name,
        force,
        protected: protected.clone(),
    };
    t.recheck()?;
    Ok(t)
}

impl Target {
    /// The checks of [`check`] on the destination as it is now.
    fn recheck(&self) -> Result<(), String> {
        let shown = self.shown.display();
        let real = self.path();
        if let Some((p, what)) = self.protected.hit(&real) {
            let how = if *p == real { "is" } else { "contains" };
            return Err(format!(
                "--out {shown}: refusing to replace {}: it {how} {what}. Not even --force replaces it; \
                 write the report to a new directory, for example `--out reports/NAME`",
                real.display(),
            ));
        }
        let found = inspect(&real).map_err(|e| format!("--out {shown}: cannot read {}: {e}", real.display()))?;
        match found {
            Found::Nothing | Found::Report => Ok(()),
            Found::Foreign(_, _) if self.force => Ok(()),
            Found::Foreign(names, n) => Err(format!(
                "--out {shown}: {} is not a report directory capsim wrote (it holds {}); capsim replaces only \
                 its own reports, which hold a `{MARKER}` file. Choose a new or empty directory, or pass --force \
                 to delete everything in it and write the report there",
                real.display(),
                list(&names, n)
            )),
            Found::NotDirectory(kind) => Err(format!(
                "--out {shown}: {} is {kind}, not a directory; capsim never replaces one, even with --force. \
                 Remove it yourself or choose another path",
                real.display()
            )),
        }
    }
}

/// `` `a`, `b`, `c` and 4 more ``.
fn list(names: &[String], n: usize) -> String {
    let quoted: Vec<String> = names.iter().map(|s| format!("`{s}`")).collect();
    match n.saturating_sub(names.len()) {
        0 => quoted.join(", "),
        more => format!("{} and {more} more", quoted.join(", ")),
    }
}

/// The real path `out` stands for: its longest existing prefix with symbolic links resolved,
/// then the rest of its components. A symbolic link as the last component is refused.
fn resolve(out: &Path) -> Result<PathBuf, String> {
    let shown = out.display();
    if out.as_os_str().is_empty() {
        return Err("--out: an empty path; give a directory".into());
    }
    let abs = std::path::absolute(out).map_err(|e| format!("--out {shown}: {e}"))?;
    if let Ok(m) = fs::symlink_metadata(&abs) {
        if m.file_type().is_symlink() {
            let to = fs::read_link(&abs)
                .map(|t| format!(" (to {})", t.display()))
                .unwrap_or_default();
            return Err(format!(
                "--out {shown}: it is a symbolic link{to}; capsim does not replace links. Give the directory \
                 it points to, or another path"
            ));
        }
    }
    let comps: Vec<Component> = abs.components().collect();
    let mut known = comps.len();
    while known > 1 && fs::symlink_metadata(comps[..known].iter().collect::<PathBuf>()).is_err() {
        known -= 1;
    }
    let prefix: PathBuf = comps[..known].iter().collect();
    let mut real =
        fs::canonicalize(&prefix).map_err(|e| format!("--out {shown}: cannot resolve {}: {e}", prefix.display()))?;
    for c in &comps[known..] {
        match c {
            Component::Normal(n) => real.push(n),
            Component::ParentDir => {
                real.pop();
            }
            _ => {}
        }
    }
    Ok(real)
}

/// What is at `path`, reading at most the whole directory once (names kept: three).
fn inspect(path: &Path) -> io::Result<Found> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Found::Nothing),
        Err(e) => return Err(e),
    };
    let ft = meta.file_type();
    if ft.is_symlink() {
        return Ok(Found::NotDirectory("a symbolic link"));
    }
    if ft.is_file() {
        return Ok(Found::NotDirectory("a file"));
    }
    if !ft.is_dir() {
        return Ok(Found::NotDirectory("a special file"));
    }
    let (mut marker, mut always, mut total) = (false, 0, 0usize);
    let (mut first, mut foreign, mut strangers) = (Vec::new(), Vec::new(), 0usize);
    for entry in fs::read_dir(path)? {
        let entry = entry?;
        let ft = entry.file_type()?;
        let name = entry.file_name();
        let shown = format!("{}{}", name.to_string_lossy(), if ft.is_dir() { "/" } else { "" });
        total += 1;
        if first.len() < 3 {
            first.push(shown.clone());
        }
        // A sweep's or a system's file counts as known but never as one every run report holds.
        let known = name.to_str().and_then(|n| {
            let other = SWEEP_FILES.contains(&n) || SYSTEM_FILES.contains(&n) || is_system_chart(n);
            REPORT_FILES
                .iter()
                .position(|f| *f == n)
                .or_else(|| other.then_some(usize::MAX))
        });
        match (ft.is_file(), name.to_str(), known) {
            (true, Some(MARKER), _) => marker = true,
            (true, _, Some(i)) => always += usize::from(i < ALWAYS_WRITTEN),
            _ => {
                strangers += 1;
                if foreign.len() < 3 {
                    foreign.push(shown);
                }
            }
        }
    }
    Ok(
        if total == 0 || (strangers == 0 && (marker || always == ALWAYS_WRITTEN)) {
            Found::Report
        } else if strangers == 0 {
            // Some of a report's file names but neither the marker nor a whole report: a user's
            // files that happen to share a name.
            Found::Foreign(first, total)
        } else {
            Found::Foreign(foreign, strangers)
        },
    )
}

#[cfg(test)]
mod tests;
