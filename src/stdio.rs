//! Standard output and error that cannot crash capsim.
//!
//! `println!` and `eprintln!` panic when they cannot write ("failed printing to stderr", exit
//! 101). capsim prints through [`out`] and [`err`] instead: a reader of stdout that went away
//! is not an error (as in ripgrep: printing stops, the exit code is unchanged), any other
//! failure to write stdout exits 2 with a message, and a stderr that cannot be written exits 2
//! quietly, since there is nowhere left to say anything.

use std::io::Write;
use std::process::ExitCode;

static STDOUT_GONE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Prints on stdout. As in ripgrep, a reader that went away (`capsim … | head`) is not an
/// error: printing stops and the command's exit code is unchanged. Any other failure (a full
/// disk) is: exit 2.
pub fn out(text: &str) {
    use std::sync::atomic::Ordering::Relaxed;
    if STDOUT_GONE.load(Relaxed) {
        return;
    }
    let mut so = std::io::stdout().lock();
    match so.write_all(text.as_bytes()).and_then(|()| so.flush()) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => STDOUT_GONE.store(true, Relaxed),
        Err(e) => {
            err(&format!("error: cannot write to standard output: {e}"));
            std::process::exit(2)
        }
    }
}

/// Prints a line on stderr. When stderr cannot be written (a closed pipe, a full disk) capsim
/// has no way left to report anything: it exits 2 quietly rather than panic.
pub fn err(text: &str) {
    let mut se = std::io::stderr().lock();
    if writeln!(se, "{text}").and_then(|()| se.flush()).is_err() {
        std::process::exit(2)
    }
}

/// Prints clap's help, version or usage error: a closed stdout is no error (exit 0), any other
/// failure to print exits 2.
pub fn clap_exit(e: clap::Error) -> ExitCode {
    match e.print() {
        Ok(()) => ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2)),
        Err(io) if !e.use_stderr() && io.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(io) if !e.use_stderr() => {
            err(&format!("error: cannot write to standard output: {io}"));
            ExitCode::from(2)
        }
        Err(_) => ExitCode::from(2),
    }
}
