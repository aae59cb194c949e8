//! SIGINT and SIGTERM while a report is being written: undo what is half done, then exit with
//! 128 + the signal's number (130, 143).
//!
//! The writer records, step by step, what an interruption would have to undo (`Pending`) and
//! takes each step while holding the record's lock. A signal is handled on a thread of its own
//! (signal-hook's iterator, so the handler itself does nothing but wake it); that thread takes
//! the same lock, so it acts only between two steps, undoes what the record says and exits
//! while still holding the lock: the writer never takes another step. A signal that arrives
//! when nothing is pending exits at once.

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

/// What to undo if the run stops now.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    /// Directories to delete: the half-written report, or the previous one once replaced.
    pub remove: Vec<PathBuf>,
    /// `(from, to)`: the previous report was moved aside to `from`; move it back to `to`.
    pub restore: Option<(PathBuf, PathBuf)>,
    /// The new report is in place (for the message).
    pub written: bool,
}

static PENDING: Mutex<Pending> = Mutex::new(Pending {
    remove: Vec::new(),
    restore: None,
    written: false,
});

/// Runs one step of the writer with the record locked: no signal is handled during it.
pub(crate) fn step<R>(f: impl FnOnce(&mut Pending) -> R) -> R {
    let mut p = PENDING.lock().unwrap_or_else(PoisonError::into_inner);
    f(&mut p)
}

/// Undoes what `p` records: the previous report back in its place, the partial copy deleted.
pub(crate) fn undo(p: &mut Pending) {
    if let Some((from, to)) = p.restore.take() {
        if std::fs::symlink_metadata(&to).is_err() {
            let _ = std::fs::rename(&from, &to);
        }
    }
    for dir in p.remove.drain(..) {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// Handles SIGINT and SIGTERM from now on (once per process; later calls do nothing). A signal
/// the process ignores (a background job's SIGINT, say) stays ignored.
#[cfg(unix)]
pub fn install() -> Result<(), String> {
    use std::sync::OnceLock;
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            let wanted = [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM];
            let sigs: Vec<i32> = wanted.into_iter().filter(|s| !ignored(*s)).collect();
            let mut signals =
                signal_hook::iterator::Signals::new(&sigs).map_err(|e| format!("cannot handle signals: {e}"))?;
            std::thread::Builder::new()
                .name("capsim-signals".into())
                .spawn(move || {
                    if let Some(sig) = signals.forever().next() {
                        stop(sig);
                    }
                })
                .map_err(|e| format!("cannot start the signal thread: {e}"))?;
            Ok(())
        })
        .clone()
}

#[cfg(not(unix))]
pub fn install() -> Result<(), String> {
    Ok(())
}

/// Whether the process ignores `sig` (inherited from its parent).
#[cfg(unix)]
fn ignored(sig: i32) -> bool {
    let mut old = std::mem::MaybeUninit::<libc::sigaction>::zeroed();
    // SAFETY: a null new action only queries the current one into `old`, which is a valid,
    // zero-initialised `sigaction` that lives across the call.
    let rc = unsafe { libc::sigaction(sig, std::ptr::null(), old.as_mut_ptr()) };
    // SAFETY: on success the kernel filled `old` (and it was zeroed before in any case).
    rc == 0 && unsafe { old.assume_init() }.sa_sigaction == libc::SIG_IGN
}

/// Undoes the pending step and exits with 128 + `sig`.
#[cfg(unix)]
fn stop(sig: i32) -> ! {
    use std::io::Write;
    let name = if sig == signal_hook::consts::SIGINT {
        "SIGINT"
    } else {
        "SIGTERM"
    };
    step(|p| {
        let busy = !p.remove.is_empty() || p.restore.is_some();
        let what = if p.written {
            "; the new report is complete"
        } else if busy {
            "; the report was not written and an earlier one is unchanged"
        } else {
            ""
        };
        undo(p);
        // Nowhere to say it if stderr is gone: exit all the same.
        let _ = writeln!(std::io::stderr(), "capsim: stopped by {name}{what}");
        std::process::exit(128 + sig)
    })
}
