//! When a scheduled job starts: `every: 2h` or a cron expression (`0 */2 * * *`).
//!
//! The common cron subset is read: five fields (minute 0–59, hour 0–23, day of month 1–31,
//! month 1–12, day of week 0–7 with 0 and 7 both Sunday), each `*`, a number, a range `a-b`,
//! a step `*/n` or `a-b/n`, or a comma-separated list of those. As in Vixie cron, when both the
//! day of month and the day of week are restricted, a day matching either runs the job. Names
//! (`MON`, `JAN`), `?`, `L`, `W`, `#` and `@hourly` are refused with what is allowed.
//!
//! Simulated time has no date of its own; for cron it starts on Monday 1 January 2024 at 00:00
//! (a Monday, as the weekly traffic shape's first day, in a leap year), in the scenario's clock.

use crate::time::{DAY, MINUTE};

/// When a job starts.
#[derive(Debug, Clone, PartialEq)]
pub enum Schedule {
    /// At 0, `period`, 2 × `period`… seconds from the start.
    Every(f64),
    /// At the minutes a cron expression matches.
    Cron(Box<Cron>),
}

/// A parsed cron expression: which values of each field match.
#[derive(Debug, Clone, PartialEq)]
pub struct Cron {
    /// The expression as written.
    pub text: String,
    minute: Vec<bool>,
    hour: Vec<bool>,
    dom: Vec<bool>,
    month: Vec<bool>,
    /// Day of week, 0 = Sunday.
    dow: Vec<bool>,
    dom_star: bool,
    dow_star: bool,
    /// The shortest time between two runs, seconds (see [`Schedule::interval`]); computed once
    /// when parsed, as it walks four years of minutes.
    gap: f64,
}

/// What the cron fields allow, for the error message.
pub const CRON_ALLOWED: &str = "five fields (minute hour day-of-month month day-of-week), each `*`, \
    `5`, `1-5`, `*/15`, `0-30/10` or a list `0,30`";

/// The fields' names and ranges.
const FIELDS: [(&str, u32, u32); 5] = [
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 7),
];

impl Cron {
    /// Parses `text`; the error says which field is wrong and what is allowed.
    pub fn parse(text: &str) -> Result<Cron, String> {
        let parts: Vec<&str> = text.split_whitespace().collect();
        if parts.len() != 5 {
            return Err(format!(
                "a cron expression has {CRON_ALLOWED}; found {} field{}",
                parts.len(),
                if parts.len() == 1 { "" } else { "s" }
            ));
        }
        let mut sets = Vec::with_capacity(5);
        for (part, (name, lo, hi)) in parts.iter().zip(FIELDS) {
            sets.push(field(part, lo, hi).map_err(|e| format!("cron {name} field {}: {e}", shown(part)))?);
        }
        let mut dow = sets.pop().unwrap_or_default();
        // 7 is Sunday too.
        if dow[7] {
            dow[0] = true;
        }
        dow.truncate(7);
        let month = sets.pop().unwrap_or_default();
        let dom = sets.pop().unwrap_or_default();
        let hour = sets.pop().unwrap_or_default();
        let minute = sets.pop().unwrap_or_default();
        let mut cron = Cron {
            text: text.to_string(),
            minute,
            hour,
            dom,
            month,
            dow,
            dom_star: parts[2] == "*",
            dow_star: parts[4] == "*",
            gap: f64::INFINITY,
        };
        cron.gap = cron.shortest_gap();
        Ok(cron)
    }

    /// The shortest gap between two runs over four years from the start, so that 29 February
    /// is seen (8 years would be needed for `0 0 29 2 *` across a century year: none is in
    /// range).
    fn shortest_gap(&self) -> f64 {
        let (mut last, mut gap) = (f64::NAN, f64::INFINITY);
        self.each_start(0.0, 4.0 * 366.0 * DAY, &mut |t| {
            gap = gap.min(t - last);
            last = t;
        });
        gap
    }

    /// Whether the job runs on day `day` (0 = 1 January 2024).
    fn day_matches(&self, day: i64) -> bool {
        let (month, dom) = civil(day);
        if !self.month[month as usize] {
            return false;
        }
        let dow = (day + 1).rem_euclid(7) as usize; // day 0 is a Monday (1)
        let (d, w) = (self.dom[dom as usize], self.dow[dow]);
        match (self.dom_star, self.dow_star) {
            (false, false) => d || w,
            _ => d && w,
        }
    }

    /// Calls `f` with the start time (seconds) of each run in [a, b), in order.
    fn each_start(&self, a: f64, b: f64, f: &mut dyn FnMut(f64)) {
        let mut m = (a / MINUTE).ceil().max(0.0) as i64;
        let end = (b / MINUTE).ceil() as i64; // minutes m with m·60 < b
        while m < end {
            let day = m.div_euclid(1440);
            if !self.day_matches(day) {
                m = (day + 1) * 1440;
                continue;
            }
            let in_day = m - day * 1440;
            let (h, mi) = ((in_day / 60) as usize, (in_day % 60) as usize);
            if !self.hour[h] {
                m = day * 1440 + (h as i64 + 1) * 60;
                continue;
            }
            if self.minute[mi] {
                f(m as f64 * MINUTE);
            }
            m += 1;
        }
    }
}

/// Month (1–12) and day of month (1–31) of day `day` counted from 1 January 2024 (Howard
/// Hinnant's `civil_from_days`).
fn civil(day: i64) -> (u32, u32) {
    let z = day + 19_723 + 719_468; // 2024-01-01 is day 19,723 of the Unix epoch
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (m, d)
}

/// The values a field matches, as a table indexed by value (0..=hi).
fn field(text: &str, lo: u32, hi: u32) -> Result<Vec<bool>, String> {
    let mut set = vec![false; hi as usize + 1];
    for item in text.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (r, Some(number(s)?)),
            None => (item, None),
        };
        if step == Some(0) {
            return Err("a step must be at least 1".into());
        }
        let (a, b) = if range == "*" {
            (lo, hi)
        } else if let Some((a, b)) = range.split_once('-') {
            (number(a)?, number(b)?)
        } else {
            let a = number(range)?;
            // `5/15` is `5-max/15`, as in Vixie cron.
            (a, if step.is_some() { hi } else { a })
        };
        if a < lo || b > hi || a > b {
            return Err(format!("values run from {lo} to {hi} (a range low to high)"));
        }
        let mut v = a;
        while v <= b {
            set[v as usize] = true;
            v += step.unwrap_or(1);
        }
    }
    Ok(set)
}

/// A piece of the expression quoted when it looks like cron text, else described.
fn shown(s: &str) -> String {
    if s.len() <= 20 && s.bytes().all(|c| c.is_ascii_graphic() && c != b'`') {
        format!("`{s}`")
    } else {
        "(a value that is not cron text)".to_string()
    }
}

fn number(s: &str) -> Result<u32, String> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) || s.len() > 4 {
        return Err(format!("{} is not a number; allowed: {CRON_ALLOWED}", shown(s)));
    }
    s.parse().map_err(|_| "not a number".to_string())
}

impl Schedule {
    /// Calls `f` with the start time (seconds) of each run in [a, b), in order.
    pub fn each_start(&self, a: f64, b: f64, f: &mut dyn FnMut(f64)) {
        match self {
            Schedule::Every(p) => {
                let mut k = (a / p).ceil().max(0.0);
                while k * p < b {
                    f(k * p);
                    k += 1.0;
                }
            }
            Schedule::Cron(c) => c.each_start(a, b, f),
        }
    }

    /// Start times (seconds) of the runs in [a, b), in order.
    pub fn starts(&self, a: f64, b: f64) -> Vec<f64> {
        let mut out = Vec::new();
        self.each_start(a, b, &mut |t| out.push(t));
        out
    }

    /// Runs that start in [a, b).
    pub fn count(&self, a: f64, b: f64) -> u64 {
        let mut n = 0;
        self.each_start(a, b, &mut |_| n += 1);
        n
    }

    /// The time between runs, seconds: the period, or for cron the shortest gap between two
    /// runs over a (leap) year.
    pub fn interval(&self) -> f64 {
        match self {
            Schedule::Every(p) => *p,
            Schedule::Cron(c) => c.gap,
        }
    }

    /// In words: `every 2 h` or `cron "0 */2 * * *"`.
    pub fn describe(&self) -> String {
        match self {
            Schedule::Every(p) => format!("every {}", crate::units::fmt_seconds(*p)),
            Schedule::Cron(c) => format!("cron \"{}\"", c.text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::HOUR;

    fn cron(t: &str) -> Schedule {
        Schedule::Cron(Box::new(Cron::parse(t).unwrap_or_else(|e| panic!("{t}: {e}"))))
    }

    #[test]
    fn every_two_hours_and_its_cron_agree() {
        let a = Schedule::Every(2.0 * HOUR).starts(0.0, 30.0 * DAY);
        let b = cron("0 */2 * * *").starts(0.0, 30.0 * DAY);
        assert_eq!(a.len(), 360);
        assert_eq!(a, b);
        assert_eq!(cron("0 */2 * * *").interval(), 2.0 * HOUR);
        // Half-open: a run at the end belongs to the next interval.
        assert_eq!(Schedule::Every(HOUR).starts(HOUR, 3.0 * HOUR), vec![HOUR, 2.0 * HOUR]);
    }

    #[test]
    fn calendar_fields_follow_the_calendar_from_monday_1_january_2024() {
        // Weekdays at 09:30: 5 of every 7 days; the first Saturday is 6 January.
        let s = cron("30 9 * * 1-5").starts(0.0, 14.0 * DAY);
        assert_eq!(s.len(), 10);
        assert_eq!(s[0], 9.5 * HOUR);
        assert!(!s.iter().any(|t| (t / DAY).floor() as i64 % 7 >= 5));
        // The 1st of each month at midnight: Jan 1, Feb 1 (day 31), Mar 1 (day 60: 2024 is leap).
        let m = cron("0 0 1 * *").starts(0.0, 61.0 * DAY);
        assert_eq!(m, vec![0.0, 31.0 * DAY, 60.0 * DAY]);
        // Sunday as 0 and as 7; day-of-month OR day-of-week when both are restricted.
        assert_eq!(
            cron("0 0 * * 0").starts(0.0, 14.0 * DAY),
            cron("0 0 * * 7").starts(0.0, 14.0 * DAY)
        );
        assert_eq!(cron("0 0 * * 0").starts(0.0, 7.0 * DAY), vec![6.0 * DAY]);
        assert_eq!(cron("0 0 3 * 0").starts(0.0, 7.0 * DAY), vec![2.0 * DAY, 6.0 * DAY]);
        // Lists, ranges with steps, `a/n`.
        assert_eq!(cron("0,15 0 * * *").starts(0.0, DAY).len(), 2);
        assert_eq!(cron("0-30/10 0 * * *").starts(0.0, DAY).len(), 4);
        assert_eq!(cron("50/5 0 * * *").starts(0.0, DAY).len(), 2);
        assert_eq!(civil(365), (12, 31), "2024 has 366 days");
        assert_eq!(civil(366), (1, 1));
    }

    #[test]
    fn runs_in_consecutive_intervals_are_the_runs_of_their_union() {
        for s in [cron("*/7 1-3 * * *"), Schedule::Every(5400.0)] {
            let whole = s.starts(0.0, 3.0 * DAY);
            let mut parts = s.starts(0.0, 1.3 * DAY);
            parts.extend(s.starts(1.3 * DAY, 3.0 * DAY));
            assert_eq!(whole, parts);
        }
    }

    #[test]
    fn outside_the_subset_is_refused_with_what_is_allowed() {
        for (t, says) in [
            ("0 */2 * *", "found 4 fields"),
            ("@hourly", "found 1 field"),
            ("60 * * * *", "minute field `60`: values run from 0 to 59"),
            ("0 0 * JAN *", "month field `JAN`"),
            ("0 0 ? * *", "day of month field `?`"),
            ("0 0 * * MON", "day of week field"),
            ("*/0 * * * *", "a step must be at least 1"),
            ("0 5-2 * * *", "hour field"),
            ("0 0 0 * *", "values run from 1 to 31"),
        ] {
            let e = Cron::parse(t).unwrap_err();
            assert!(e.contains(says), "{t}: {e}");
        }
    }
}
