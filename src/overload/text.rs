//! The overload warnings in plain words: which station, where in the horizon, by how much,
//! and what it means.

use super::{API, STATIONS};
use crate::results::{Overload, OverloadKind};
use crate::scenario::Scenario;
use crate::time::period_bounds;
use crate::units::{fmt_count, fmt_seconds};

/// What the warnings mean, for the report (Markdown and HTML).
pub const EXPLAINED: &str = "A station is overloaded when its offered load ρ = λ / μ (arrivals per \
second over the completions per second its servers sustain) is at least 1 in a simulated window: \
its queue grows for as long as that lasts, or the excess is turned away. Also listed: stations that \
turn away or time out more than 1% of arrivals, and, in peak-window mode, queues whose backlog \
cannot drain between busy windows. Figures in these windows describe a saturated system. \
capsim check fails on any of this unless run with --allow-overload.";

/// `day 3` (the third day of the horizon), 1-based as people count days.
fn day(seconds: f64) -> String {
    format!("day {}", (seconds / 86400.0).floor() as i64 + 1)
}

/// `19:00` (`24:00` for the midnight that ends a day).
fn clock(seconds: f64, end: bool) -> String {
    let mut m = (seconds.rem_euclid(86400.0) / 60.0).round() as i64;
    if end && m == 0 {
        m = 24 * 60;
    }
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// Where a window lies in the horizon: `day 3, 19:00–20:00`, `day 3` (the whole day),
/// `days 1–7`, or `day 1 18:00 to day 2 06:00`.
pub fn window_text(start: f64, end: f64) -> String {
    let whole_days = start.rem_euclid(86400.0) < 1e-6 && end.rem_euclid(86400.0) < 1e-6 && end > start;
    let last = end - 1e-6;
    if whole_days && end - start <= 86400.0 + 1e-6 {
        day(start)
    } else if whole_days {
        format!(
            "days {}–{}",
            (start / 86400.0).floor() as i64 + 1,
            (last / 86400.0).floor() as i64 + 1
        )
    } else if day(start) == day(last) {
        format!("{}, {}–{}", day(start), clock(start, false), clock(end, true))
    } else {
        format!(
            "{} {} to {} {}",
            day(start),
            clock(start, false),
            day(last),
            clock(end, true)
        )
    }
}

fn fmt_load(rho: f64) -> String {
    if rho.is_infinite() {
        "∞".into()
    } else {
        format!("{rho:.2}")
    }
}

fn fmt_rate(r: f64) -> String {
    if r.is_finite() {
        format!("{}/s", fmt_count(r))
    } else {
        "–".into()
    }
}

/// `1 worker`, `4 workers`.
fn servers(n: u32, plural: &str) -> String {
    match n {
        1 => format!("1 {}", plural.strip_suffix('s').unwrap_or(plural)),
        _ => format!("{n} {plural}"),
    }
}

/// What the station can do: `its 4 workers sustain 29.2/s (136.8 ms each)`.
fn capacity_text(o: &Overload, plural: &str) -> String {
    let each = if o.mean_service.is_finite() {
        format!("{} each", fmt_seconds(o.mean_service))
    } else {
        "none finished in the window".into()
    };
    let what = if o.rate_limited {
        format!("its rate limit allows {}", fmt_rate(o.capacity))
    } else {
        let verb = if o.servers == 1 { "sustains" } else { "sustain" };
        format!("its {} {verb} {}", servers(o.servers, plural), fmt_rate(o.capacity))
    };
    let held = if o.station == STATIONS[API.index()].0 {
        ", a worker being held for the whole request, waits downstream included"
    } else {
        ""
    };
    format!("{what} ({each}{held})")
}

/// The warning in plain words.
pub(super) fn message(sc: &Scenario, o: &Overload) -> String {
    let (_, name, plural) = STATIONS
        .iter()
        .find(|s| s.0 == o.station)
        .copied()
        .unwrap_or(STATIONS[0]);
    let reps = if o.replications_observed > 1 {
        format!(" (in {} of {} replications)", o.replications, o.replications_observed)
    } else {
        String::new()
    };
    let count = format!("{} of {} periods", o.periods.len(), o.periods_observed);
    let (start, len) = crate::time::window_of(sc, o.first_period);
    let first = window_text(start, start + len);
    let worst = window_text(o.window_start_seconds, o.window_end_seconds);
    let offered = if o.arrival_rate > o.reached_rate * 1.001 {
        format!(
            "{} offered ({} got past the saturated API workers)",
            fmt_rate(o.arrival_rate),
            fmt_rate(o.reached_rate)
        )
    } else {
        format!("{} arrive", fmt_rate(o.arrival_rate))
    };
    let lost = if o.lost_share >= 0.0005 {
        format!(
            "; {:.1}% of arrivals were turned away or gave up waiting",
            o.lost_share * 100.0
        )
    } else {
        String::new()
    };
    match o.kind {
        OverloadKind::Overloaded => {
            let backlog = if o.backlog_end > o.backlog_start + 0.5 {
                format!(
                    "; {} → {} waiting over the window",
                    fmt_count(o.backlog_start),
                    fmt_count(o.backlog_end)
                )
            } else {
                String::new()
            };
            format!(
                "{name}: arrivals exceed capacity in {count}, first {first}. Worst {worst}: {offered}, \
                 {}: offered load ρ = {} ≥ 1{reps}{lost}{backlog}.",
                capacity_text(o, plural),
                fmt_load(o.offered_load),
            )
        }
        OverloadKind::TurnedAway => format!(
            "{name}: {:.1}% of arrivals turned away or gave up waiting {worst}{reps}, more than the 1% \
             grade of service, at offered load ρ = {} < 1 ({count} above 1%, first {first}): its \
             waiting room or timeout is too small for the bursts it gets.",
            o.lost_share * 100.0,
            fmt_load(o.offered_load)
        ),
        OverloadKind::BacklogCarriesOver => {
            let peak = o.carried_backlog.unwrap_or(f64::NAN);
            let end = o.carried_backlog_end.unwrap_or(f64::NAN);
            let (_, worst_end) = period_bounds(sc, o.worst_period);
            let tail = if end + 0.5 < peak {
                format!("; {} at the end of the horizon", fmt_count(end))
            } else {
                String::new()
            };
            let work = if o.capacity > 0.0 {
                format!(" ({} of work)", fmt_seconds(peak / o.capacity))
            } else {
                String::new()
            };
            format!(
                "{name}: over whole periods, arrivals exceed capacity in {count}, first {}: \
                 period-average offered load up to ρ̄ = {}{reps}, {}. Each busy window here starts with an \
                 empty queue, so the backlog carried from one period to the next is not simulated; a \
                 fluid estimate (each period adds the arrivals it cannot serve) reaches {} waiting by \
                 the end of {}{work}{tail}.",
                day(period_bounds(sc, o.first_period).0),
                fmt_load(o.offered_load),
                capacity_text(o, plural),
                fmt_count(peak),
                day(worst_end - 1e-6),
            )
        }
    }
}
