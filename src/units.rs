//! Quantities with the units people write in plans: `400MB`, `2GiB`, `15m`, `2h`, `70%`, `$25`,
//! `8/s`, `143K`.
//!
//! We parse these by hand rather than with `bytesize`/`humantime`: those crates accept only
//! integers (`1.5h` fails), disagree on whether `MB` is decimal, and their errors cannot list
//! the units we accept. Here every parse error says what was found and which units are allowed,
//! and every value is stored in one base unit (bytes, seconds, fraction, dollars, per second).

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// The unit of every quantity capsim measures, reports or checks: series, trigger metrics,
/// thresholds, budgets and objectives. Values are stored in the base unit it names; only the
/// renderers turn them into text. Serialised as its snake-case name (`"seconds"`, `"dollars"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A number of things (users, requests, instances, jobs).
    Count,
    /// Events per second.
    PerSecond,
    /// Seconds.
    Seconds,
    /// A share or utilization as a fraction (0.5 is 50 %).
    Fraction,
    /// Bytes (decimal prefixes when formatted: 1 MB = 10^6 B).
    Bytes,
    /// US dollars.
    Dollars,
}

impl Unit {
    /// Parses a value written in this unit (`400MB`, `2s`, `70%`, `$25`, `8/s`, `1.5K`).
    pub fn parse(self, text: &str) -> Result<f64, String> {
        match self {
            Unit::Bytes => parse_bytes(text),
            Unit::Seconds => parse_seconds(text),
            Unit::Fraction => parse_fraction(text),
            Unit::Dollars => parse_money(text),
            Unit::Count => parse_count(text),
            Unit::PerSecond => parse_rate(text),
        }
    }
}

/// Units a size accepts (decimal and binary).
pub const SIZE_UNITS: &[&str] = &["B", "KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB"];
/// Units a duration accepts.
pub const DURATION_UNITS: &[&str] = &["us", "ms", "s", "m", "min", "h", "d", "w"];
/// Units a rate accepts after the slash.
pub const RATE_UNITS: &[&str] = &["/s", "/m", "/min", "/h", "/d", "/w", "/month"];

/// The longest text a quantity is read from: no valid one comes close, and an error quotes the
/// text it could not read, which must stay short.
pub const MAX_QUANTITY_CHARS: usize = 64;

fn not_too_long(text: &str, expected: &str) -> Result<(), String> {
    let n = text.chars().count();
    if n > MAX_QUANTITY_CHARS {
        Err(format!("expected {expected}, found text of {n} characters"))
    } else {
        Ok(())
    }
}

fn split_number(s: &str) -> Option<(f64, &str)> {
    let s = s.trim();
    let end = s
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.' || *c == '-' || *c == '+'))
        .map(|(i, _)| i)
        .unwrap_or(s.len());
    let (num, rest) = s.split_at(end);
    let num: String = num.chars().filter(|c| *c != '_').collect();
    let v: f64 = num.parse().ok()?;
    Some((v, rest.trim()))
}

fn finite_nonneg(v: f64, what: &str, text: &str) -> Result<f64, String> {
    if !v.is_finite() {
        return Err(format!("{what} `{text}` is not a finite number"));
    }
    if v < 0.0 {
        return Err(format!("{what} `{text}` is negative; it must be zero or more"));
    }
    Ok(v)
}

/// Parses a size such as `400MB` (decimal, 10^6) or `2GiB` (binary, 2^30) into bytes.
pub fn parse_bytes(text: &str) -> Result<f64, String> {
    not_too_long(text, "a size such as `400MB`")?;
    let (v, unit) = split_number(text).ok_or_else(|| {
        format!(
            "expected a size such as `400MB` or `2GiB`, found `{text}` (units: {})",
            SIZE_UNITS.join(", ")
        )
    })?;
    let mult = match unit {
        "B" | "b" | "bytes" => 1.0,
        "KB" | "kB" | "K" => 1e3,
        "MB" | "M" => 1e6,
        "GB" | "G" => 1e9,
        "TB" | "T" => 1e12,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        "TiB" => 1024f64.powi(4),
        "" if v == 0.0 => 1.0,
        "" => {
            return Err(format!(
                "size `{text}` has no unit; write it with one of {}",
                SIZE_UNITS.join(", ")
            ))
        }
        other => {
            return Err(format!(
                "unknown size unit `{other}` in `{text}`; expected one of {}",
                SIZE_UNITS.join(", ")
            ))
        }
    };
    finite_nonneg(v * mult, "size", text)
}

/// Parses a duration such as `150ms`, `15m`, `2h`, `30d` into seconds.
pub fn parse_seconds(text: &str) -> Result<f64, String> {
    not_too_long(text, "a duration such as `15m`")?;
    let (v, unit) = split_number(text).ok_or_else(|| {
        format!(
            "expected a duration such as `150ms`, `15m` or `2h`, found `{text}` (units: {})",
            DURATION_UNITS.join(", ")
        )
    })?;
    let mult = duration_unit(unit).ok_or_else(|| {
        if unit.is_empty() && v != 0.0 {
            format!(
                "duration `{text}` has no unit; write it with one of {}",
                DURATION_UNITS.join(", ")
            )
        } else {
            format!(
                "unknown duration unit `{unit}` in `{text}`; expected one of {}",
                DURATION_UNITS.join(", ")
            )
        }
    });
    let mult = match mult {
        Ok(m) => m,
        Err(_) if unit.is_empty() && v == 0.0 => 1.0,
        Err(e) => return Err(e),
    };
    finite_nonneg(v * mult, "duration", text)
}

fn duration_unit(unit: &str) -> Option<f64> {
    Some(match unit {
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "s" | "sec" | "second" | "seconds" => 1.0,
        "m" | "min" | "minute" | "minutes" => 60.0,
        "h" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86400.0,
        "w" | "week" | "weeks" => 7.0 * 86400.0,
        "month" | "months" => 730.0 * 3600.0,
        _ => return None,
    })
}

/// Parses a fraction written `70%` or `0.7`.
pub fn parse_fraction(text: &str) -> Result<f64, String> {
    not_too_long(text, "a fraction such as `70%`")?;
    let (v, unit) = split_number(text)
        .ok_or_else(|| format!("expected a percentage such as `70%` or a fraction such as `0.7`, found `{text}`"))?;
    let v = match unit {
        "%" => v / 100.0,
        "" => v,
        other => {
            return Err(format!(
                "unknown unit `{other}` in `{text}`; a fraction is written `70%` or `0.7`"
            ))
        }
    };
    finite_nonneg(v, "fraction", text)
}

/// Parses money written `$25`, `$0.125`, `25` or `25 USD` into dollars.
pub fn parse_money(text: &str) -> Result<f64, String> {
    not_too_long(text, "an amount such as `$25`")?;
    let t = text.trim();
    let t = t.strip_prefix('$').unwrap_or(t).trim();
    let t = t.strip_suffix("USD").unwrap_or(t).trim();
    let t: String = t.chars().filter(|c| *c != ',').collect();
    let v: f64 = t
        .parse()
        .map_err(|_| format!("expected an amount of money such as `$25` or `$0.125`, found `{text}`"))?;
    finite_nonneg(v, "amount", text)
}

/// Parses a count such as `143K`, `1.5M`, `2B` or `5000`.
pub fn parse_count(text: &str) -> Result<f64, String> {
    not_too_long(text, "a number such as `143K`")?;
    let (v, unit) =
        split_number(text).ok_or_else(|| format!("expected a number such as `5000` or `143K`, found `{text}`"))?;
    let mult = match unit {
        "" => 1.0,
        "K" | "k" => 1e3,
        "M" => 1e6,
        "B" | "G" => 1e9,
        other => {
            return Err(format!(
                "unknown suffix `{other}` in `{text}`; a count accepts K, M or B"
            ))
        }
    };
    finite_nonneg(v * mult, "count", text)
}

/// Parses a rate such as `8/s`, `500/min`, `2000/m`, `1M/month` into events per second.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    not_too_long(text, "a rate such as `8/s`")?;
    let (num, per) = text.split_once('/').ok_or_else(|| {
        format!(
            "expected a rate such as `8/s` or `500/min`, found `{text}` (units: {})",
            RATE_UNITS.join(", ")
        )
    })?;
    let count = parse_count(num)?;
    let per = per.trim();
    let secs = match split_number(per) {
        Some((n, unit)) if !unit.is_empty() => n * duration_unit(unit).ok_or_else(|| bad_rate_unit(per, text))?,
        _ => duration_unit(per).ok_or_else(|| bad_rate_unit(per, text))?,
    };
    if secs <= 0.0 {
        return Err(format!("rate `{text}` has a zero-length period"));
    }
    finite_nonneg(count / secs, "rate", text)
}

fn bad_rate_unit(per: &str, text: &str) -> String {
    format!(
        "unknown rate period `/{per}` in `{text}`; expected one of {}",
        RATE_UNITS.join(", ")
    )
}

macro_rules! unit_type {
    ($(#[$doc:meta])* $name:ident, $parse:ident, $expect:literal, $accept_number:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
        pub struct $name(pub f64);

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str($expect)
                    }
                    fn visit_str<E: de::Error>(self, s: &str) -> Result<$name, E> {
                        $parse(s).map($name).map_err(E::custom)
                    }
                    fn visit_f64<E: de::Error>(self, v: f64) -> Result<$name, E> {
                        let accept: fn(f64) -> Result<f64, String> = $accept_number;
                        accept(v).map($name).map_err(E::custom)
                    }
                    fn visit_i64<E: de::Error>(self, v: i64) -> Result<$name, E> {
                        self.visit_f64(v as f64)
                    }
                    fn visit_u64<E: de::Error>(self, v: u64) -> Result<$name, E> {
                        self.visit_f64(v as f64)
                    }
                }
                d.deserialize_any(V)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_f64(self.0)
            }
        }

        /// A string with its unit, or a number (what the parser accepts is checked by capsim,
        /// with the error's file and line; the schema tells editors the shape).
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({"type": ["string", "number"], "description": $expect})
            }
        }
    };
}

fn number_needs_unit(what: &'static str, units: &'static [&'static str]) -> impl Fn(f64) -> Result<f64, String> {
    move |v| {
        finite_nonneg(v, what, &v.to_string())?;
        if v == 0.0 {
            Ok(0.0)
        } else {
            Err(format!(
                "{what} `{v}` has no unit; write it with one of {}",
                units.join(", ")
            ))
        }
    }
}

unit_type!(
    /// A size in bytes, written `400MB` or `2GiB`.
    Bytes, parse_bytes, "a size such as `400MB` or `2GiB`",
    |v| number_needs_unit("size", SIZE_UNITS)(v)
);
unit_type!(
    /// A duration in seconds, written `150ms`, `15m`, `2h`, `30d`.
    Seconds, parse_seconds, "a duration such as `150ms`, `15m` or `2h`",
    |v| number_needs_unit("duration", DURATION_UNITS)(v)
);
unit_type!(
    /// A fraction in [0, ∞), written `70%` or `0.7`.
    Fraction, parse_fraction, "a percentage such as `70%` or a fraction such as `0.7`",
    |v| finite_nonneg(v, "fraction", &v.to_string())
);
unit_type!(
    /// An amount of US dollars, written `$25` or `25`.
    Money, parse_money, "an amount such as `$25`",
    |v| finite_nonneg(v, "amount", &v.to_string())
);
unit_type!(
    /// A non-negative count, written `5000`, `143K` or `1.5M`.
    Count, parse_count, "a number such as `5000` or `143K`",
    |v| finite_nonneg(v, "count", &v.to_string())
);
unit_type!(
    /// A rate in events per second, written `8/s`, `500/min` or `1M/month`.
    PerSecond, parse_rate, "a rate such as `8/s` or `500/min`",
    |v| number_needs_unit("rate", RATE_UNITS)(v)
);

/// Formats bytes for people (`1.23 GB`), decimal units as plans are written.
pub fn fmt_bytes(b: f64) -> String {
    let a = b.abs();
    if a >= 1e12 {
        format!("{:.2} TB", b / 1e12)
    } else if a >= 1e9 {
        format!("{:.2} GB", b / 1e9)
    } else if a >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else if a >= 1e3 {
        format!("{:.1} KB", b / 1e3)
    } else {
        format!("{b:.0} B")
    }
}

/// Formats a size a scenario or plan states (a threshold, a RAM size) in the unit family it was
/// most likely written in: a whole number of MiB in binary units (`4 GiB`, `512 MiB`), anything
/// else in decimal ones (`400 MB`, `1.5 GB`), to at most two decimals without trailing zeros.
pub fn fmt_bytes_stated(b: f64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    let trim = |v: f64, unit: &str| {
        let s = format!("{v:.2}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        format!("{s} {unit}")
    };
    let a = b.abs();
    if a >= MIB && (a / MIB).fract() == 0.0 {
        let (mut v, mut i) = (b / MIB, 0);
        while v.abs() >= 1024.0 && i < 2 {
            v /= 1024.0;
            i += 1;
        }
        return trim(v, ["MiB", "GiB", "TiB"][i]);
    }
    for (scale, unit) in [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "KB")] {
        if a >= scale {
            return trim(b / scale, unit);
        }
    }
    format!("{b:.0} B")
}

/// Formats a duration for people: `85 ms`, `2.4 s`, `3.5 h`, `12 d`.
pub fn fmt_seconds(s: f64) -> String {
    let a = s.abs();
    if a < 1e-3 {
        format!("{:.0} µs", s * 1e6)
    } else if a < 1.0 {
        format!("{:.1} ms", s * 1e3)
    } else if a < 120.0 {
        format!("{s:.2} s")
    } else if a < 7200.0 {
        format!("{:.1} min", s / 60.0)
    } else if a < 2.0 * 86400.0 {
        format!("{:.1} h", s / 3600.0)
    } else {
        format!("{:.1} d", s / 86400.0)
    }
}

/// Digits of a whole number with thousands separators: `1140` → `1,140`.
pub fn group_thousands(digits: &str) -> String {
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    grouped
}

/// `v` (finite, ≥ 0) rounded to `places` (≤ 2) decimals, as whole and fractional digits. Below
/// 2^53 hundredths it rounds half away from zero on `v × 100` (`0.125` → `0.13`); above, the
/// float's own decimal digits, so no amount is ever cut to an integer type's maximum.
fn decimal_digits(v: f64, places: usize) -> (String, String) {
    let scale = 10f64.powi(places as i32);
    let scaled = (v * scale).round();
    if scaled < 9.0e15 {
        let n = scaled as u64;
        let div = 10u64.pow(places as u32);
        let frac = if places == 0 {
            String::new()
        } else {
            format!("{:0places$}", n % div)
        };
        return ((n / div).to_string(), frac);
    }
    let text = format!("{v:.places$}");
    match text.split_once('.') {
        Some((w, f)) => (w.to_string(), f.to_string()),
        None => (text, String::new()),
    }
}

/// Formats dollars: `$1,140.00`. Any finite amount is written out in full (never a saturated
/// integer); a non-finite one, which validation keeps out of every bill, says so.
pub fn fmt_money(v: f64) -> String {
    if !v.is_finite() {
        return "not a number".to_string();
    }
    let (whole, cents) = decimal_digits(v.abs(), 2);
    // A negative amount that rounds to zero cents is $0.00, never "-$0.00".
    let neg = v < 0.0 && (whole != "0" || cents != "00");
    format!("{}${}.{cents}", if neg { "-" } else { "" }, group_thousands(&whole))
}

/// Formats a fraction as a percentage: `0.7` → `70%`, `60` → `6,000%`, `0.125` → `12.5%`.
pub fn fmt_percent(fraction: f64) -> String {
    if !fraction.is_finite() {
        return format!("{fraction}");
    }
    let pct = fraction * 100.0;
    let (whole, frac) = decimal_digits(pct.abs(), 2);
    let neg = if pct < 0.0 && (whole != "0" || frac != "00") {
        "-"
    } else {
        ""
    };
    let whole = group_thousands(&whole);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        format!("{neg}{whole}%")
    } else {
        format!("{neg}{whole}.{frac}%")
    }
}

/// Formats a bare number as written (`2.5`, `1000`), in scientific notation when it is very
/// large or very small (`1e300`), so an error quoting an absurd input stays one line.
pub fn fmt_number(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 || (1e-4..1e15).contains(&a) || !v.is_finite() {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// Formats a count: below 1,000 as it is (`12`, `11.5`, `0.25`), from 1,000 on with a K, M or B
/// suffix and up to three significant digits (`1.51K`, `28.5K`, `143K`, `2.4M`, `1K`), so that the two ends
/// of a range read alike (`1.51K → 28.5K`, not `1514 → 28.5K`).
pub fn fmt_count(v: f64) -> String {
    let a = v.abs();
    let sig3 = |x: f64, suffix: &str| {
        let ax = x.abs();
        let digits = if ax >= 99.95 {
            format!("{x:.0}")
        } else if ax >= 9.995 {
            format!("{x:.1}")
        } else {
            format!("{x:.2}")
        };
        // Trailing zeros say nothing: `1K`, `2.4M`.
        let digits = if digits.contains('.') {
            digits.trim_end_matches('0').trim_end_matches('.')
        } else {
            &digits
        };
        format!("{digits}{suffix}")
    };
    if a >= 999.5e6 {
        sig3(v / 1e9, "B")
    } else if a >= 999.5e3 {
        sig3(v / 1e6, "M")
    } else if a >= 999.5 {
        sig3(v / 1e3, "K")
    } else if (v - v.round()).abs() < 1e-9 || a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_decimal_and_binary() {
        assert_eq!(parse_bytes("400MB").unwrap(), 400e6);
        assert_eq!(parse_bytes("2GiB").unwrap(), 2.0 * 1024.0 * 1024.0 * 1024.0);
        assert_eq!(parse_bytes("500 B").unwrap(), 500.0);
        assert_eq!(parse_bytes("1.5TB").unwrap(), 1.5e12);
        assert_eq!(parse_bytes("0").unwrap(), 0.0);
        let e = parse_bytes("400").unwrap_err();
        assert!(e.contains("no unit") && e.contains("GiB"), "{e}");
        let e = parse_bytes("4 parsecs").unwrap_err();
        assert!(e.contains("unknown size unit `parsecs`"), "{e}");
        assert!(parse_bytes("-1MB").unwrap_err().contains("negative"));
        assert!(parse_bytes("NaN MB").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_seconds("15m").unwrap(), 900.0);
        assert_eq!(parse_seconds("2h").unwrap(), 7200.0);
        assert!((parse_seconds("150ms").unwrap() - 0.15).abs() < 1e-12);
        assert_eq!(parse_seconds("1.5h").unwrap(), 5400.0);
        assert_eq!(parse_seconds("30d").unwrap(), 30.0 * 86400.0);
        assert!(parse_seconds("15").unwrap_err().contains("no unit"));
        assert!(parse_seconds("15 fortnights").unwrap_err().contains("expected one of"));
    }

    #[test]
    fn fractions_money_counts_rates() {
        assert!((parse_fraction("70%").unwrap() - 0.7).abs() < 1e-12);
        assert_eq!(parse_fraction("0.25").unwrap(), 0.25);
        assert_eq!(parse_money("$25").unwrap(), 25.0);
        assert_eq!(parse_money("$1,140").unwrap(), 1140.0);
        assert!(parse_money("twenty").is_err());
        assert_eq!(parse_count("143K").unwrap(), 143e3);
        assert_eq!(parse_count("1.5M").unwrap(), 1.5e6);
        assert_eq!(parse_rate("8/s").unwrap(), 8.0);
        assert!((parse_rate("500/min").unwrap() - 500.0 / 60.0).abs() < 1e-12);
        assert!((parse_rate("2000/m").unwrap() - 2000.0 / 60.0).abs() < 1e-12);
        assert!((parse_rate("10/1s").unwrap() - 10.0).abs() < 1e-12);
        assert!((parse_rate("1M/month").unwrap() - 1e6 / (730.0 * 3600.0)).abs() < 1e-9);
        assert!(parse_rate("8").is_err());
        assert!(parse_rate("8/fortnight").unwrap_err().contains("/min"));
    }

    #[test]
    fn serde_accepts_strings_and_rejects_bare_numbers_where_ambiguous() {
        let b: Bytes = serde_yaml::from_str("\"2GiB\"").unwrap();
        assert_eq!(b.0, 2.0 * 1024f64.powi(3));
        let m: Money = serde_yaml::from_str("25").unwrap();
        assert_eq!(m.0, 25.0);
        let f: Fraction = serde_yaml::from_str("70%").unwrap();
        assert!((f.0 - 0.7).abs() < 1e-12);
        let e = serde_yaml::from_str::<Seconds>("15").unwrap_err().to_string();
        assert!(e.contains("no unit"), "{e}");
        // A negative or non-finite bare number is called what it is, not "has no unit".
        let e = serde_yaml::from_str::<Bytes>("-5").unwrap_err().to_string();
        assert!(e.contains("negative"), "{e}");
        let e = serde_yaml::from_str::<Bytes>(".nan").unwrap_err().to_string();
        assert!(e.contains("not a finite number"), "{e}");
    }

    #[test]
    fn formatting() {
        assert_eq!(fmt_money(1140.0), "$1,140.00");
        assert_eq!(fmt_money(0.125), "$0.13");
        assert_eq!(fmt_bytes(400e6), "400.0 MB");
        assert_eq!(fmt_seconds(0.085), "85.0 ms");
        assert_eq!(fmt_count(143_000.0), "143K");
        assert_eq!(fmt_count(1514.0), "1.51K");
        assert_eq!(fmt_count(28_460.0), "28.5K");
        assert_eq!(fmt_count(999.0), "999");
        assert_eq!(fmt_count(999.7), "1K");
        assert_eq!(fmt_count(2_400_000.0), "2.4M");
        assert_eq!(fmt_count(1000.0), "1K");
        assert_eq!(fmt_count(10_000.0), "10K");
        assert_eq!(fmt_count(999_990.0), "1M");
        assert_eq!(fmt_count(11.5), "11.5");
        assert_eq!(fmt_percent(0.7), "70%");
        assert_eq!(fmt_percent(60.0), "6,000%");
        assert_eq!(fmt_percent(0.125), "12.5%");
        assert_eq!(fmt_percent(0.00005), "0.01%");
        assert_eq!(fmt_money(-0.001), "$0.00");
        assert_eq!(fmt_money(-12.5), "-$12.50");
    }

    /// A size as the scenario wrote it: binary when a whole number of MiB, decimal otherwise,
    /// and read back it is the same number of bytes (for sizes written with ≤ 2 decimals).
    #[test]
    fn stated_sizes_keep_their_unit_family() {
        assert_eq!(fmt_bytes_stated(4.0 * 1024.0 * 1024.0 * 1024.0), "4 GiB");
        assert_eq!(fmt_bytes_stated(512.0 * 1024.0 * 1024.0), "512 MiB");
        assert_eq!(fmt_bytes_stated(1.5 * 1024.0 * 1024.0 * 1024.0), "1.5 GiB");
        assert_eq!(fmt_bytes_stated(400e6), "400 MB");
        assert_eq!(fmt_bytes_stated(1e9), "1 GB");
        assert_eq!(fmt_bytes_stated(100e9), "100 GB");
        assert_eq!(fmt_bytes_stated(2.5e9), "2.5 GB");
        assert_eq!(fmt_bytes_stated(500.0), "500 B");
        for text in [
            "4GiB", "2GiB", "512MiB", "3TiB", "400MB", "1GB", "2.5GB", "100GB", "8KB", "1.25TB",
        ] {
            let b = parse_bytes(text).unwrap();
            let shown = fmt_bytes_stated(b);
            assert_eq!(
                parse_bytes(&shown.replace(' ', "")).unwrap(),
                b,
                "{text} shown as {shown}"
            );
            assert_eq!(shown.replace(' ', ""), text, "{text} shown as {shown}");
        }
    }

    /// Amounts beyond any integer type are written out in full, never cut to its maximum
    /// (`$184,467,440,737,095,516.15` was u64::MAX cents).
    #[test]
    fn huge_amounts_are_not_saturated() {
        assert_eq!(fmt_money(1e18), "$1,000,000,000,000,000,000.00");
        assert_eq!(fmt_money(1e300).len(), "$".len() + 301 + 100 + ".00".len());
        assert!(!fmt_money(f64::MAX).contains("184,467,440,737"));
        assert_eq!(fmt_percent(1e18), "100,000,000,000,000,000,000%");
        // Above 2^53 hundredths: the float's own digits (9.1e13 dollars is 9.1e15 cents).
        assert_eq!(fmt_money(91_000_000_000_000.5), "$91,000,000,000,000.50");
        assert_eq!(fmt_money(f64::NAN), "not a number");
        assert_eq!(fmt_number(1e300), "1e300");
        assert_eq!(fmt_number(2.5), "2.5");
    }
}
