//! Writing a report directory: lock, sweep, write beside, swap in one step.
//!
//! 1. **Lock.** An advisory lock on the destination's parent directory (`flock`), so runs
//!    writing into the same place take turns; a run that has to wait says so on stderr.
//! 2. **Sweep.** Siblings `.<name>.partial-<pid>` and `.<name>.old-<pid>` left by runs that
//!    died (their process is gone) are deleted; a `.old-` copy whose report is missing (a run
//!    killed between the two renames of the fallback below) is moved back first.
//! 3. **Check** the destination again (`Target::recheck`), now that no other run can change it.
//! 4. **Write** every file, and the marker, into `.<name>.partial-<pid>` beside it, synced to disk.
//!    Files are rendered as they are written ([`ReportFiles`]), one at a time, so the whole
//!    report is never in memory at once.
//! 5. **Swap.** On Linux and macOS one atomic exchange (`renameat2(RENAME_EXCHANGE)`,
//!    `renameatx_np(RENAME_SWAP)`): the destination is at every instant either the old report
//!    or the new one. Elsewhere (or on a file system without exchange) two renames, old aside
//!    to `.<name>.old-<pid>`, new into place; the sweep repairs a run killed between them.
//!    The old copy is deleted only after the swap.
//!
//! Each step runs under [`signals::step`], so SIGINT or SIGTERM undoes a half-done write.

use super::signals::{self, step};
use super::{Target, MARKER};
use std::ffi::{OsStr, OsString};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The environment variable of the test hook: when it names a file, the writer creates that
/// file once the new report is complete beside the destination, and waits (up to ten minutes)
/// for it to be deleted before the swap, so that tests can send a signal, or start another
/// writer, at exactly that point. Not for users.
pub const PAUSE_HOOK: &str = "CAPSIM_TEST_PAUSE_BEFORE_SWAP";

/// A report written: what went wrong on the side (a leftover the run could not delete).
#[derive(Debug, Default)]
pub struct Written {
    pub warnings: Vec<String>,
}

/// The files of a report, each rendered when it is written.
pub trait ReportFiles {
    /// The files' names, in the order they are written (the marker lists them in this order).
    fn names(&self) -> Vec<&str>;
    /// Writes file `name` (one of [`Self::names`]) to `out`.
    fn render(&self, name: &str, out: &mut dyn Write) -> io::Result<()>;
}

/// Files already rendered, as (name, bytes).
impl ReportFiles for Vec<(String, Vec<u8>)> {
    fn names(&self) -> Vec<&str> {
        self.iter().map(|(n, _)| n.as_str()).collect()
    }

    fn render(&self, name: &str, out: &mut dyn Write) -> io::Result<()> {
        match self.iter().find(|(n, _)| n == name) {
            Some((_, bytes)) => out.write_all(bytes),
            None => Err(io::Error::new(io::ErrorKind::NotFound, format!("no file {name}"))),
        }
    }
}

/// Writes `files` as the report directory `t`, replacing what is there (see the module doc).
/// `on_wait` is called once if another run holds the lock.
pub fn write_report(t: &Target, files: &dyn ReportFiles, on_wait: &mut dyn FnMut()) -> Result<Written, String> {
    let shown = t.shown.display();
    fs::create_dir_all(&t.parent).map_err(|e| format!("cannot create {}: {e}", t.parent.display()))?;
    let mut written = Written::default();
    let _lock = match lock(&t.parent, on_wait) {
        Ok(l) => Some(l),
        Err(e) => {
            written.warnings.push(format!(
                "cannot lock {} ({e}): runs writing there at the same time are not kept apart",
                t.parent.display()
            ));
            None
        }
    };
    written.warnings.extend(sweep(&t.parent, &t.name));
    t.recheck()?;
    let partial = sibling(t, "partial", std::process::id());
    let result = fill(&partial, files).and_then(|()| {
        pause_for_tests();
        swap(&partial, &t.path(), &sibling(t, "old", std::process::id()))
    });
    match result {
        Ok(leftover) => {
            sync_dir(&t.parent);
            step(|p| *p = Default::default());
            written.warnings.extend(leftover);
            Ok(written)
        }
        Err(e) => {
            step(signals::undo);
            Err(format!("cannot write the report to {shown}: {e}"))
        }
    }
}

/// `.<name>.<kind>-<pid>` beside the destination.
fn sibling(t: &Target, kind: &str, pid: u32) -> PathBuf {
    let mut n = OsString::from(".");
    n.push(&t.name);
    n.push(format!(".{kind}-{pid}"));
    t.parent.join(n)
}

/// Creates `dir` and writes the files and the marker into it, each rendered straight into its
/// file through a buffer and synced to disk.
fn fill(dir: &Path, files: &dyn ReportFiles) -> io::Result<()> {
    step(|p| {
        fs::create_dir(dir)?;
        p.remove = vec![dir.to_path_buf()];
        Ok::<(), io::Error>(())
    })?;
    let names = files.names();
    let marker = marker_text(&names);
    for name in names.iter().copied().chain([MARKER]) {
        step(|_| {
            let mut f = io::BufWriter::with_capacity(64 * 1024, File::create(dir.join(name))?);
            if name == MARKER {
                f.write_all(marker.as_bytes())?;
            } else {
                files.render(name, &mut f)?;
            }
            f.into_inner().map_err(io::IntoInnerError::into_error)?.sync_all()
        })?;
    }
    sync_dir(dir);
    Ok(())
}

/// The marker's text: what it is, and the files of this report.
pub(super) fn marker_text(files: &[&str]) -> String {
    let mut s = String::from(
        "This directory is a report written by capsim (capacity planning and cost modelling).\n\
         `capsim run --out` replaces a directory only if it holds this file and nothing but the\n\
         report's files; add anything else and capsim refuses to replace it (unless --force).\n\
         Files:\n",
    );
    for f in files {
        s.push_str(f);
        s.push('\n');
    }
    s
}

/// The test hook (see [`PAUSE_HOOK`]).
fn pause_for_tests() {
    let Some(flag) = std::env::var_os(PAUSE_HOOK) else {
        return;
    };
    if fs::write(&flag, b"paused before the swap\n").is_err() {
        return;
    }
    for _ in 0..60_000 {
        if fs::symlink_metadata(&flag).is_err() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Puts `partial` in the place of `dest`; returns warnings about an old copy left behind.
fn swap(partial: &Path, dest: &Path, old: &Path) -> io::Result<Vec<String>> {
    if fs::symlink_metadata(dest).is_err() {
        return step(|p| {
            fs::rename(partial, dest)?;
            p.remove.clear();
            p.written = true;
            Ok(Vec::new())
        });
    }
    match step(|p| exchange(partial, dest).inspect(|()| p.written = true)) {
        // `partial` now holds the old report (still to be deleted if a signal comes).
        Ok(()) => Ok(remove_old(partial)),
        Err(e) if e.kind() == io::ErrorKind::Unsupported => swap_by_renames(partial, dest, old),
        Err(e) => Err(e),
    }
}

/// Two renames: the old report aside to `old`, the new one into place. A run killed between
/// them leaves no report at `dest` but the old one at `old`, which the next run's sweep (or
/// the signal thread) moves back.
pub(super) fn swap_by_renames(partial: &Path, dest: &Path, old: &Path) -> io::Result<Vec<String>> {
    step(|p| {
        fs::rename(dest, old)?;
        p.restore = Some((old.to_path_buf(), dest.to_path_buf()));
        Ok::<(), io::Error>(())
    })?;
    step(|p| {
        fs::rename(partial, dest)?;
        p.restore = None;
        p.remove = vec![old.to_path_buf()];
        p.written = true;
        Ok::<(), io::Error>(())
    })?;
    Ok(remove_old(old))
}

/// Deletes the replaced report; a failure leaves it for the next run's sweep and says so.
fn remove_old(dir: &Path) -> Vec<String> {
    step(|p| {
        let r = fs::remove_dir_all(dir);
        p.remove.clear();
        match r {
            Ok(()) => Vec::new(),
            Err(e) => vec![format!(
                "the replaced report is left at {} ({e}); the next run here deletes it",
                dir.display()
            )],
        }
    })
}

/// Exchanges two directories atomically; `Unsupported` where the platform or file system
/// cannot (the caller then falls back to two renames).
#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    use rustix::io::Errno;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        Err(e) if e == Errno::INVAL || e == Errno::NOSYS || e == Errno::OPNOTSUPP => {
            Err(io::Error::new(io::ErrorKind::Unsupported, e))
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::new(io::ErrorKind::Unsupported, "no atomic exchange here"))
}

/// An exclusive advisory lock on directory `dir`, held until the file is dropped.
#[cfg(unix)]
fn lock(dir: &Path, on_wait: &mut dyn FnMut()) -> io::Result<File> {
    let f = File::open(dir)?;
    match f.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            on_wait();
            f.lock()?;
        }
        Err(fs::TryLockError::Error(e)) => return Err(e),
    }
    Ok(f)
}

/// Elsewhere a directory cannot be opened as a file: a lock file `.capsim-lock` in `dir`.
#[cfg(not(unix))]
fn lock(dir: &Path, on_wait: &mut dyn FnMut()) -> io::Result<File> {
    let f = fs::OpenOptions::new()
        .create(true)
        .write(true)
        .open(dir.join(".capsim-lock"))?;
    match f.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            on_wait();
            f.lock()?;
        }
        Err(fs::TryLockError::Error(e)) => return Err(e),
    }
    Ok(f)
}

/// Makes a directory's entries durable (where the platform can; failures change nothing).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Deletes (or, for a lost report, restores) the siblings of `name` left by dead runs.
pub(super) fn sweep(parent: &Path, name: &OsStr) -> Vec<String> {
    let mut warnings = Vec::new();
    let Ok(entries) = fs::read_dir(parent) else {
        return warnings;
    };
    let dest = parent.join(name);
    let mut stale: Vec<(bool, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| {
            let (is_old, pid) = leftover(&e.file_name(), name)?;
            (pid == std::process::id() || !alive(pid)).then(|| (is_old, e.path()))
        })
        .collect();
    // Old copies first, so that a lost report is restored from one, never from a partial copy.
    stale.sort_by_key(|(is_old, _)| !is_old);
    for (is_old, path) in stale {
        if is_old && fs::symlink_metadata(&dest).is_err() && fs::rename(&path, &dest).is_ok() {
            warnings.push(format!(
                "restored {} from {}, left by a run that was killed while replacing it",
                dest.display(),
                path.display()
            ));
            continue;
        }
        if let Err(e) = fs::remove_dir_all(&path) {
            warnings.push(format!("cannot delete {}, left by an earlier run: {e}", path.display()));
        }
    }
    warnings
}

/// `(true, pid)` for `.<name>.old-<pid>`, `(false, pid)` for `.<name>.partial-<pid>`.
pub(super) fn leftover(file: &OsStr, name: &OsStr) -> Option<(bool, u32)> {
    let rest = file.as_encoded_bytes().strip_prefix(b".")?;
    let rest = rest.strip_prefix(name.as_encoded_bytes())?;
    let (is_old, digits) = match rest.strip_prefix(b".old-") {
        Some(d) => (true, d),
        None => (false, rest.strip_prefix(b".partial-")?),
    };
    if digits.is_empty() || digits.len() > 10 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let pid = std::str::from_utf8(digits).ok()?.parse().ok()?;
    Some((is_old, pid))
}

/// Whether process `pid` exists (`kill(pid, 0)`; a process of another user counts).
#[cfg(unix)]
fn alive(pid: u32) -> bool {
    let Some(p) = i32::try_from(pid).ok().and_then(rustix::process::Pid::from_raw) else {
        return false;
    };
    !matches!(rustix::process::test_kill_process(p), Err(rustix::io::Errno::SRCH))
}

/// Elsewhere the lock alone tells: a leftover found while holding it is a dead run's.
#[cfg(not(unix))]
fn alive(_: u32) -> bool {
    false
}
