//! How old a catalog's prices are: the date in its `as_of` against today (`--max-pricing-age`).
//!
//! `as_of` is free text written by whoever read the prices (`2026-09-05`, `verified 2026-06-07`,
//! `March 2026`, `generated 5 Nov 2026 from …`, `2026-Q2`, `undated`). The prices are dated by
//! the latest date the text names, each read as the last day it can mean (`2026-05` is
//! 2026-05-31, `2026-Q2` 2026-06-30, `2026` 2026-12-31), so an age is the least the prices can
//! be. A text that starts with `undated`, or names no year, is undated: its age is unknown,
//! which the gate says (and fails under `--strict`) rather than passing.
//!
//! "Today" is the system clock's UTC date, or `CAPSIM_TODAY` (`YYYY-MM-DD`) so tests and
//! reproducible CI runs can pin it.

/// A civil date as days since 1970-01-01.
pub type Day = i64;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> Day {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day (`civil_from_days`): (year, month, day).
pub fn civil_from_days(z: Day) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

/// `YYYY-MM-DD` of a day.
pub fn fmt_day(d: Day) -> String {
    let (y, m, dd) = civil_from_days(d);
    format!("{y:04}-{m:02}-{dd:02}")
}

fn days_in_month(y: i64, m: u32) -> u32 {
    days_from_civil(if m == 12 { y + 1 } else { y }, if m == 12 { 1 } else { m + 1 }, 1) as u32
        - days_from_civil(y, m, 1) as u32
}

/// A strict `YYYY-MM-DD` (a real calendar date).
pub fn parse_iso_day(text: &str) -> Option<Day> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = text[0..4].parse().ok()?;
    let m: u32 = text[5..7].parse().ok()?;
    let d: u32 = text[8..10].parse().ok()?;
    ((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m)).then(|| days_from_civil(y, m, d))
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The month a word names (`March`, `Nov`, `sept.`: three letters or more of its name), 1-based.
fn month_word(w: &str) -> Option<u32> {
    let w = w.trim_end_matches(['.', ',']).to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    MONTHS.iter().position(|m| m.starts_with(&w)).map(|i| i as u32 + 1)
}

/// The last day a year in `text` at byte `at` (4 digits) can mean, from what surrounds it.
fn date_at(text: &str, at: usize, y: i64) -> Day {
    let after = &text[at + 4..];
    let num = |s: &str| -> Option<u32> {
        let d: String = s.chars().take_while(char::is_ascii_digit).collect();
        (d.len() == 2).then(|| d.parse().ok()).flatten()
    };
    if let Some(rest) = after.strip_prefix('-') {
        if let Some(q) = rest
            .strip_prefix('Q')
            .and_then(|q| q.chars().next())
            .and_then(|c| c.to_digit(10))
        {
            if (1..=4).contains(&q) {
                let m = q * 3;
                return days_from_civil(y, m, days_in_month(y, m));
            }
        }
        if let Some(m) = num(rest).filter(|m| (1..=12).contains(m)) {
            let day = rest.get(2..).and_then(|r| r.strip_prefix('-')).and_then(num);
            let d = day.filter(|d| *d >= 1 && *d <= days_in_month(y, m));
            return days_from_civil(y, m, d.unwrap_or_else(|| days_in_month(y, m)));
        }
    }
    // `March 2026`, `5 Nov 2026`
    let words: Vec<&str> = text[..at].split_whitespace().rev().take(2).collect();
    if let Some(m) = words.first().and_then(|w| month_word(w)) {
        let d = words
            .get(1)
            .and_then(|w| w.parse::<u32>().ok())
            .filter(|d| *d >= 1 && *d <= days_in_month(y, m));
        return days_from_civil(y, m, d.unwrap_or_else(|| days_in_month(y, m)));
    }
    days_from_civil(y, 12, 31)
}

/// The latest date an `as_of` text names, read as the last day it can mean; `None` when the
/// text starts with `undated` or names no year (1990-2199) standing on its own.
pub fn as_of_date(text: &str) -> Option<Day> {
    if text.trim_start().to_ascii_lowercase().starts_with("undated") {
        return None;
    }
    let b = text.as_bytes();
    let mut best: Option<Day> = None;
    let mut i = 0;
    while i + 4 <= b.len() {
        let four = &b[i..i + 4];
        let before_ok = i == 0 || !b[i - 1].is_ascii_alphanumeric() && b[i - 1] != b'.';
        let after_ok = b.get(i + 4).is_none_or(|c| {
            !c.is_ascii_alphanumeric() && *c != b'.' || *c == b'.' && b.get(i + 5).is_none_or(|n| !n.is_ascii_digit())
        });
        if four.iter().all(u8::is_ascii_digit) && before_ok && after_ok {
            let y: i64 = text[i..i + 4].parse().unwrap_or(0);
            if (1990..2200).contains(&y) {
                let d = date_at(text, i, y);
                best = Some(best.map_or(d, |b: Day| b.max(d)));
            }
            i += 4;
        } else {
            i += 1;
        }
    }
    best
}

/// Today: `CAPSIM_TODAY` (`YYYY-MM-DD`) when set, else the system clock's UTC date.
pub fn today() -> Result<Day, String> {
    match std::env::var("CAPSIM_TODAY") {
        Ok(v) if !v.is_empty() => parse_iso_day(&v)
            .ok_or_else(|| format!("CAPSIM_TODAY must be a date written YYYY-MM-DD (such as 2026-11-26), found `{v}`")),
        _ => {
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_err(|e| format!("the system clock is before 1970: {e}"))?
                .as_secs();
            Ok((secs / 86_400) as Day)
        }
    }
}

/// How a provider's `as_of` compares with the most age allowed.
#[derive(Debug, Clone, PartialEq)]
pub enum Age {
    /// Dated, and at most the age allowed: its age in days.
    Fresh(i64),
    /// Older than allowed: its age in days and the date read.
    Stale(i64, Day),
    /// No date to measure from.
    Undated,
}

/// The age of prices dated by `as_of`, on `today`, against `max_days`.
pub fn age(as_of: &str, today: Day, max_days: f64) -> Age {
    match as_of_date(as_of) {
        None => Age::Undated,
        Some(d) => {
            let days = today - d;
            if days as f64 > max_days {
                Age::Stale(days, d)
            } else {
                Age::Fresh(days)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Day {
        parse_iso_day(s).unwrap()
    }

    #[test]
    fn civil_dates_round_trip_over_four_centuries() {
        for z in (-150_000..150_000).step_by(7) {
            let (y, m, dd) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, dd), z);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(fmt_day(days_from_civil(2024, 2, 29)), "2024-02-29");
    }

    #[test]
    fn iso_days_are_real_dates_only() {
        assert!(parse_iso_day("2026-02-29").is_none());
        assert!(parse_iso_day("2024-02-29").is_some());
        assert!(parse_iso_day("2026-13-01").is_none());
        assert!(parse_iso_day("2026-1-01").is_none());
        assert!(parse_iso_day("26-01-011").is_none());
    }

    /// The shipped catalogs' ways of writing a date, each read as the last day it can mean.
    #[test]
    fn as_of_texts_give_their_latest_date() {
        let cases = [
            ("2026-09-05", "2026-09-05"),
            ("verified 2026-06-07", "2026-06-07"),
            ("2026-05", "2026-05-31"),
            ("2026-Q2", "2026-06-30"),
            ("March 2026", "2026-03-31"),
            ("June 2026", "2026-06-30"),
            ("generated 5 Nov 2026 from DoTs v1.23.0", "2026-11-05"),
            ("2026 (model page, undated)", "2026-12-31"),
            (
                "2026-07-17 (research note, re-checked 2026-07-18); 2026-09-10 (second note)",
                "2026-09-10",
            ),
            ("effective 2025-08-01", "2025-08-01"),
            (
                "Droplets: the July 2022 price table, the $4 entry point re-confirmed verbatim 2026-09-20",
                "2026-09-20",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(as_of_date(text).map(fmt_day).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn undated_texts_have_no_date() {
        for text in [
            "undated",
            "undated (older than the 2026-09-05 read of the free tier)",
            "MacPorts record of v1.98.0",
            "database-size.mdx commit 0b835ebf; compute-and-disk commit 02a13c9b; undated",
            "commit 2026abcd",
            "",
        ] {
            assert_eq!(as_of_date(text), None, "{text}");
        }
    }

    /// Age is monotone in today and the boundary day is still fresh.
    #[test]
    fn age_is_stale_only_past_the_limit() {
        let as_of = "2026-05-04";
        assert_eq!(age(as_of, d("2026-05-04"), 0.0), Age::Fresh(0));
        assert_eq!(age(as_of, d("2026-06-03"), 30.0), Age::Fresh(30));
        assert_eq!(age(as_of, d("2026-06-04"), 30.0), Age::Stale(31, d("2026-05-04")));
        assert_eq!(age("undated", d("2026-06-04"), 1e9), Age::Undated);
        let mut last = i64::MIN;
        for t in 0..400 {
            let today = d("2026-01-01") + t;
            let days = match age(as_of, today, 1e9) {
                Age::Fresh(n) => n,
                other => panic!("{other:?}"),
            };
            assert!(days > last);
            last = days;
        }
    }
}
