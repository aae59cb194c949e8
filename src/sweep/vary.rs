//! `--vary PATH=VALUES`: which field of the scenario a sweep sets, and to what.
//!
//! `PATH` is a field path in the scenario's YAML tree once `extends:` is merged: keys joined
//! by dots, a list element by its 0-based index in brackets (`traffic.users.points[2].users`,
//! `stages.beta.api.instances`, `traffic.arrival_rate`). The field must exist and hold a
//! number, or text starting with one (`32/s`, `100ms`, `70%`, `$1200`): the number is
//! replaced and the rest (the unit) kept. `VALUES` is `FROM..TO` (`--steps` points, evenly
//! spaced, or geometrically with `--log`) or a list `A,B,C` in increasing order. A field
//! written as a whole number takes whole numbers (values are rounded).
//!
//! The edit is made on the YAML tree before the scenario is read, so every point is validated
//! like a scenario written by hand.

use crate::error::InputError;
use crate::yamlfile::Sources;
use serde::{Deserialize, Serialize};
use serde_yaml::Value;

/// The most points one `--vary` may give (`--steps` or a list).
pub const MAX_STEPS: usize = 1000;
/// The most points of a sweep (a grid of two `--vary`).
pub const MAX_POINTS: usize = 10_000;

/// One `--vary` as given, before the scenario is read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vary {
    /// The field path (`traffic.users.to`).
    pub path: String,
    /// The values asked for, in increasing order (before rounding to the field's kind).
    pub values: Vec<f64>,
}

/// How `FROM..TO` is spaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Spacing {
    Linear,
    Log,
}

/// One part of a field path: a key or a list index.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

fn parse_number(text: &str, what: &str) -> Result<f64, String> {
    let t = text.trim().replace('_', "");
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("{what}: `{}` is not a finite number", text.trim())),
    }
}

/// Parses `PATH=VALUES` with `steps` points for a range.
pub fn parse(text: &str, steps: usize, spacing: Spacing) -> Result<Vary, String> {
    let allowed = "expected PATH=FROM..TO or PATH=A,B,C (see capsim sweep --help)";
    let (path, spec) = text
        .split_once('=')
        .ok_or_else(|| format!("--vary `{text}`: no `=`; {allowed}"))?;
    let path = path.trim().to_string();
    steps_of(&path)?;
    let what = format!("--vary {path}");
    let values = if let Some((a, b)) = spec.split_once("..") {
        let (a, b) = (parse_number(a, &what)?, parse_number(b, &what)?);
        if a >= b {
            return Err(format!(
                "{what}: the range {a}..{b} must go from a smaller to a larger value"
            ));
        }
        if !(2..=MAX_STEPS).contains(&steps) {
            return Err(format!("--steps {steps}: a range needs 2 to {MAX_STEPS} points"));
        }
        range(a, b, steps, spacing).map_err(|e| format!("{what}: {e}"))?
    } else {
        let v: Vec<f64> = spec
            .split(',')
            .map(|s| parse_number(s, &what))
            .collect::<Result<_, _>>()?;
        if v.len() > MAX_STEPS {
            return Err(format!("{what}: {} values; at most {MAX_STEPS}", v.len()));
        }
        if v.windows(2).any(|w| w[0] >= w[1]) {
            return Err(format!("{what}: list the values in increasing order, each once"));
        }
        v
    };
    Ok(Vary { path, values })
}

fn range(a: f64, b: f64, n: usize, spacing: Spacing) -> Result<Vec<f64>, String> {
    let last = (n - 1) as f64;
    match spacing {
        Spacing::Linear => Ok((0..n).map(|i| a + (b - a) * i as f64 / last).collect()),
        Spacing::Log if a > 0.0 => {
            let (la, lb) = (a.ln(), b.ln());
            Ok((0..n)
                .map(|i| match i {
                    0 => a,
                    _ if i == n - 1 => b,
                    _ => (la + (lb - la) * i as f64 / last).exp(),
                })
                .collect())
        }
        Spacing::Log => Err("--log needs a range of positive values".into()),
    }
}

/// The steps of a field path; an empty key or a bad index is an error.
fn steps_of(path: &str) -> Result<Vec<Step>, String> {
    let bad = |why: &str| format!("--vary `{path}`: {why}; write keys joined by dots, list elements as [N]");
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if key.is_empty() && (out.is_empty() || rest.is_empty()) {
            return Err(bad("an empty key"));
        }
        if !key.is_empty() {
            out.push(Step::Key(key.to_string()));
        }
        while !rest.is_empty() {
            let end = rest.find(']').ok_or_else(|| bad("a `[` without `]`"))?;
            let i = rest[1..end]
                .parse::<usize>()
                .map_err(|_| bad("an index that is not a whole number"))?;
            out.push(Step::Index(i));
            rest = &rest[end + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(bad("text after `]`"));
            }
        }
    }
    Ok(out)
}

/// What a swept field holds: a number, or a number followed by a unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Written as a YAML whole number (`instances: 3`): values are rounded. A number with a
    /// unit (`32/s`) takes any value.
    pub whole: bool,
    /// The text after the number (`/s`, `ms`, `%`), `None` for a YAML number.
    pub unit: Option<String>,
    /// A `$` before the number.
    pub dollar: bool,
}

fn path_text(steps: &[Step]) -> String {
    let mut s = String::new();
    for st in steps {
        match st {
            Step::Key(k) if s.is_empty() => s.push_str(k),
            Step::Key(k) => {
                s.push('.');
                s.push_str(k);
            }
            Step::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// The node at `path` in `doc`, or a located error naming what is there instead.
fn node<'a>(doc: &'a mut Value, path: &str, sources: &Sources) -> Result<&'a mut Value, InputError> {
    let steps = steps_of(path).map_err(|e| sources.error("", e))?;
    let mut cur = doc;
    for (k, st) in steps.iter().enumerate() {
        let here = path_text(&steps[..k]);
        let missing = |allowed: Vec<String>| {
            sources
                .error(
                    &here,
                    format!("--vary {path}: no field `{}` here", path_text(&steps[..=k])),
                )
                .allowed(allowed)
        };
        cur = match (st, cur) {
            (Step::Key(key), Value::Mapping(m)) => {
                let keys: Vec<String> = m.keys().filter_map(|k| k.as_str().map(String::from)).collect();
                m.get_mut(Value::String(key.clone())).ok_or_else(|| missing(keys))?
            }
            (Step::Index(i), Value::Sequence(s)) => {
                let n = s.len();
                s.get_mut(*i)
                    .ok_or_else(|| missing(vec![format!("an index from 0 to {}", n.max(1) - 1)]))?
            }
            (_, other) => {
                let kind = crate::yamlfile::kind_of(other);
                return Err(sources.error(
                    &here,
                    format!("--vary {path}: `{here}` is {kind}, not what the path goes into"),
                ));
            }
        };
    }
    Ok(cur)
}

/// Splits `32/s` into 32 and `/s`; `$1200` into 1200 and `` with a dollar.
fn split_number(text: &str) -> Option<(f64, bool, String)> {
    let t = text.trim();
    let (dollar, t) = match t.strip_prefix('$') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let end = t
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || c == '_' || (i == 0 && c == '-')))
        .map_or(t.len(), |(i, _)| i);
    let v = t[..end].replace('_', "").parse::<f64>().ok()?;
    Some((v, dollar, t[end..].to_string()))
}

/// What the field at `path` holds, or a located error.
pub fn field(doc: &mut Value, path: &str, sources: &Sources) -> Result<Field, InputError> {
    let n = node(doc, path, sources)?;
    match n {
        Value::Number(x) => Ok(Field {
            whole: x.is_i64() || x.is_u64(),
            unit: None,
            dollar: false,
        }),
        Value::String(s) => match split_number(s) {
            Some((_, dollar, unit)) => Ok(Field {
                whole: false,
                unit: Some(unit),
                dollar,
            }),
            None => Err(sources.error(
                path,
                format!("--vary {path}: the field is text that does not start with a number"),
            )),
        },
        other => Err(sources.error(
            path,
            format!(
                "--vary {path}: the field is {}, not a number",
                crate::yamlfile::kind_of(other)
            ),
        )),
    }
}

/// `v` as the field takes it: rounded for a whole-number field.
pub fn as_field(f: &Field, v: f64) -> f64 {
    if f.whole {
        v.round()
    } else {
        v
    }
}

/// Sets the field at `path` to `v` (already [`as_field`]), keeping its unit.
pub fn set(doc: &mut Value, path: &str, f: &Field, v: f64, sources: &Sources) -> Result<(), InputError> {
    let n = node(doc, path, sources)?;
    *n = match &f.unit {
        None if f.whole => Value::Number((v as i64).into()),
        None => Value::Number(v.into()),
        Some(unit) => Value::String(format!("{}{v}{unit}", if f.dollar { "$" } else { "" })),
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_lists_and_log_spacing() {
        let v = parse("a.b=1000..2000", 3, Spacing::Linear).unwrap();
        assert_eq!(v.values, vec![1000.0, 1500.0, 2000.0]);
        let v = parse("a=1..100", 3, Spacing::Log).unwrap();
        assert_eq!(v.values[0], 1.0);
        assert!((v.values[1] - 10.0).abs() < 1e-9);
        assert_eq!(v.values[2], 100.0);
        assert_eq!(
            parse("x[2].y=1,2,5", 0, Spacing::Linear).unwrap().values,
            vec![1.0, 2.0, 5.0]
        );
        for bad in [
            "a=5..1", "a=1,1", "a=x..2", "a", "a..b=1,2", "a[x]=1,2", "=1,2", "a=0..5",
        ] {
            let spacing = if bad == "a=0..5" { Spacing::Log } else { Spacing::Linear };
            assert!(parse(bad, 4, spacing).is_err(), "{bad}");
        }
        assert!(parse("a=1..2", 1, Spacing::Linear).is_err());
    }

    #[test]
    fn numbers_keep_their_unit() {
        assert_eq!(split_number("32/s"), Some((32.0, false, "/s".into())));
        assert_eq!(split_number("$1_200"), Some((1200.0, true, String::new())));
        assert_eq!(split_number("2.5GB"), Some((2.5, false, "GB".into())));
        assert_eq!(split_number("fast"), None);
    }
}
