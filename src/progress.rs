//! Progress of a run on stderr: `capsim: 37% of 16 replications × 365 periods, 9 s left`.
//!
//! Shown only when it helps and can be seen: stderr is a terminal, `CI` is not set to a true
//! value, `--quiet` was not given, and the run has gone on for [`DELAY`] (a short run prints
//! nothing). It is redrawn in place at most every [`EVERY`] and erased when the run ends, so
//! the summary that follows is unchanged. It only reads a counter the workers add to: results
//! do not depend on it, whatever the thread count.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a run goes before progress is shown.
pub const DELAY: Duration = Duration::from_secs(1);
/// Least time between two redraws.
pub const EVERY: Duration = Duration::from_millis(250);

/// A run's progress: units of work (one replication's period) done of the total.
pub struct Progress {
    total: AtomicU64,
    replications: u32,
    done: AtomicU64,
    start: Instant,
    /// When the line was last drawn (`None`: never); the lock also keeps draws whole.
    drawn: Mutex<Option<Instant>>,
}

/// Whether progress may be drawn: stderr is a terminal, not in CI, not `--quiet`.
pub fn wanted(quiet: bool) -> bool {
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"));
    !quiet && !ci && std::io::stderr().is_terminal()
}

impl Progress {
    /// Progress of a run of `replications`; its length is set by [`Self::begin`].
    pub fn new(replications: u32) -> Progress {
        Progress {
            total: AtomicU64::new(0),
            replications,
            done: AtomicU64::new(0),
            start: Instant::now(),
            drawn: Mutex::new(None),
        }
    }

    /// The run has `periods` periods for each replication.
    pub fn begin(&self, periods: usize) {
        self.total.store(u64::from(self.replications) * periods as u64, Relaxed);
    }

    /// Counts `n` more units done, and redraws the line when it is due.
    pub fn add(&self, n: u64) {
        if let Some(text) = self.tick(n, Instant::now()) {
            draw(&text);
        }
    }

    /// Counts `n` more units done at `now`; the line to draw, when one is due (the run has
    /// gone on for [`DELAY`], the last draw is [`EVERY`] old, no other thread is drawing).
    fn tick(&self, n: u64, now: Instant) -> Option<String> {
        let done = self.done.fetch_add(n, Relaxed) + n;
        let elapsed = now.saturating_duration_since(self.start);
        if elapsed < DELAY {
            return None;
        }
        let mut drawn = self.drawn.try_lock().ok()?;
        if drawn.is_some_and(|t| now.saturating_duration_since(t) < EVERY) {
            return None;
        }
        *drawn = Some(now);
        Some(line(done, self.total.load(Relaxed), self.replications, elapsed))
    }

    /// The line as it would be drawn now.
    pub fn line_now(&self) -> String {
        let elapsed = self.start.elapsed();
        line(
            self.done.load(Relaxed),
            self.total.load(Relaxed),
            self.replications,
            elapsed,
        )
    }

    /// Erases the line, if one was drawn.
    pub fn finish(&self) {
        if self.drawn.lock().is_ok_and(|d| d.is_some()) {
            draw("");
        }
    }
}

/// Writes `text` over the current stderr line. A stderr that cannot be written loses only the
/// progress line.
fn draw(text: &str) {
    let mut se = std::io::stderr().lock();
    let _ = write!(se, "\r\x1b[K{text}").and_then(|()| se.flush());
}

/// Seconds left at the rate so far: `elapsed × (total − done) / done`; `None` before any work
/// is done.
pub fn eta(done: u64, total: u64, elapsed: Duration) -> Option<Duration> {
    if done == 0 || total == 0 {
        return None;
    }
    let left = total.saturating_sub(done) as f64;
    Some(Duration::from_secs_f64(elapsed.as_secs_f64() * left / done as f64))
}

/// `1 min 05 s`, `9 s`.
fn fmt_left(d: Duration) -> String {
    let s = d.as_secs_f64().ceil() as u64;
    if s >= 60 {
        format!("{} min {:02} s", s / 60, s % 60)
    } else {
        format!("{s} s")
    }
}

/// The progress line: `capsim: 37% of 16 replications, 9 s left`.
pub fn line(done: u64, total: u64, replications: u32, elapsed: Duration) -> String {
    let pct = (done.min(total) * 100).checked_div(total).unwrap_or(100);
    let left = match eta(done, total, elapsed) {
        Some(d) => format!("{} left", fmt_left(d)),
        None => "estimating time left".into(),
    };
    let reps = if replications == 1 {
        "1 replication".to_string()
    } else {
        format!("{replications} replications")
    };
    format!("capsim: {pct}% of {reps}, {left}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eta_is_elapsed_times_the_share_left_over_the_share_done() {
        let s = |x: f64| Duration::from_secs_f64(x);
        assert_eq!(eta(0, 100, s(5.0)), None);
        assert_eq!(eta(25, 100, s(5.0)), Some(s(15.0)));
        assert_eq!(eta(50, 100, s(4.0)), Some(s(4.0)));
        assert_eq!(eta(100, 100, s(7.0)), Some(s(0.0)));
        // More done than planned (never expected) is no time left, not a wrap-around.
        assert_eq!(eta(120, 100, s(7.0)), Some(s(0.0)));
        // The invariant: elapsed + left is the projected total, elapsed × total / done.
        for (done, total, el) in [(1u64, 7u64, 0.3f64), (3, 9, 2.0), (999, 1000, 60.0)] {
            let left = eta(done, total, s(el)).unwrap().as_secs_f64();
            let projected = el * total as f64 / done as f64;
            assert!((el + left - projected).abs() < 1e-6, "{done}/{total}");
        }
    }

    #[test]
    fn the_line_says_percent_replications_and_time_left() {
        let s = Duration::from_secs;
        assert_eq!(line(37, 100, 16, s(3)), "capsim: 37% of 16 replications, 6 s left");
        assert_eq!(
            line(0, 100, 1, s(3)),
            "capsim: 0% of 1 replication, estimating time left"
        );
        assert_eq!(
            line(10, 100, 4, s(10)),
            "capsim: 10% of 4 replications, 1 min 30 s left"
        );
        assert_eq!(line(100, 100, 4, s(10)), "capsim: 100% of 4 replications, 0 s left");
    }

    #[test]
    fn nothing_is_drawn_before_the_delay_and_then_at_most_every_interval() {
        let p = Progress::new(4);
        p.begin(10);
        let at = |ms: u64| p.start + Duration::from_millis(ms);
        assert_eq!(p.tick(1, at(10)), None);
        assert_eq!(p.tick(1, at(999)), None);
        assert_eq!(
            p.tick(2, at(1000)).as_deref(),
            Some("capsim: 10% of 4 replications, 9 s left")
        );
        assert_eq!(p.tick(1, at(1100)), None, "too soon after the last draw");
        assert_eq!(
            p.tick(6, at(1250)).as_deref(),
            Some("capsim: 27% of 4 replications, 4 s left")
        );
        assert_eq!(p.done.load(Relaxed), 11);
    }
}
