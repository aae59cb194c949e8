//! Inputs written as ranges: `{range: ["500 KB", "5 MB"]}`, optionally with
//! `dist: uniform | loguniform | triangular` (`mode:` for the triangular one), wherever a scenario
//! takes a number (a count, a size, a duration, a rate, a fraction, a price).
//!
//! Ranges are found on the merged YAML document, before it is deserialised: this module reads
//! each one ([`find`]), writes a document with every range replaced by one value ([`ends`],
//! [`draws`]) and draws a replication's values. Replication `r` draws field `f` from a generator
//! seeded by (seed, `r`, `f`) only, so the values do not depend on the thread count, on the other
//! ranges, or on which run asks (the median replication's re-run draws the same ones).
//!
//! `ranged.rs` decides which fields may take a range and builds the per-replication scenarios;
//! this file knows nothing of validation.

use crate::error::InputError;
use crate::units::{self, Unit};
use crate::yamlfile::Sources;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use serde_yaml::{Mapping, Value};

/// The most ranges one scenario may have: each costs a validation when the file is loaded.
pub const MAX_RANGES: usize = 64;

/// A scenario's ranges and the document they are drawn into, kept with the scenario (whose
/// values are every range's high end) to build each replication's scenario (`ranged.rs`).
#[derive(Debug)]
pub struct Drawn {
    /// The ranges, in document order (a degenerate one, `[x, x]`, is a plain value, not here).
    pub specs: Vec<Spec>,
    /// The merged document, ranges in place.
    pub doc: Value,
    /// Where its fields are, for errors.
    pub sources: Sources,
    /// The scenario file.
    pub file: std::path::PathBuf,
}

/// How a range's values are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Shape {
    /// Every value of [low, high] equally likely (the default).
    Uniform,
    /// The logarithm uniform on [ln low, ln high] (each factor of 10 equally likely); low > 0.
    Loguniform,
    /// Density rising linearly from low to `mode` and falling to high; `mode` in base units.
    Triangular { mode: f64 },
}

impl Shape {
    /// The name written in a scenario (`dist:`).
    pub fn name(&self) -> &'static str {
        match self {
            Shape::Uniform => "uniform",
            Shape::Loguniform => "loguniform",
            Shape::Triangular { .. } => "triangular",
        }
    }

    /// The mean of the distribution on [lo, hi] (continuous draws).
    pub fn mean(&self, lo: f64, hi: f64) -> f64 {
        match *self {
            _ if hi == lo => lo,
            Shape::Uniform => (lo + hi) / 2.0,
            Shape::Loguniform => (hi - lo) / (hi.ln() - lo.ln()),
            Shape::Triangular { mode } => (lo + mode + hi) / 3.0,
        }
    }

    /// The value at quantile `u` in [0, 1) of the distribution on [lo, hi] (inverse CDF).
    pub fn quantile(&self, lo: f64, hi: f64, u: f64) -> f64 {
        let x = match *self {
            _ if hi <= lo => lo,
            Shape::Uniform => lo + (hi - lo) * u,
            Shape::Loguniform => (lo.ln() + (hi.ln() - lo.ln()) * u).exp(),
            Shape::Triangular { mode } => {
                let w = hi - lo;
                if u < (mode - lo) / w {
                    lo + (u * w * (mode - lo)).sqrt()
                } else {
                    hi - ((1.0 - u) * w * (hi - mode)).sqrt()
                }
            }
        };
        x.clamp(lo, hi)
    }
}

/// How an end of a range was written, which decides how a drawn value is written back.
#[derive(Debug, Clone, PartialEq)]
enum Form {
    /// A bare number (YAML number or `"5000"`).
    Plain,
    /// A number and a unit suffix (`500 KB`, `15m`, `143K`): value = number × `mult`.
    Suffixed { suffix: String, mult: f64 },
    /// A rate (`500/min`), written back per second.
    Rate,
    /// Money (`$25`), written back as a bare number of dollars.
    Money,
    /// A percentage (`70%`), written back as a bare fraction.
    Percent,
}

/// One end (or the mode) of a range: its value in the base unit, and how it was written.
#[derive(Debug, Clone)]
struct End {
    value: f64,
    unit: Option<Unit>,
    form: Form,
    /// A YAML integer: the range then draws integers.
    integer: bool,
    written: Value,
}

/// One step of a field path: a mapping key or a sequence index.
#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(Value),
    Index(usize),
}

/// One field written as a range.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Field path (`storage.database.records[0].bytes_per_request`).
    pub path: String,
    /// The same path, step by step (a key may hold a dot).
    segs: Vec<Seg>,
    lo: End,
    hi: End,
    /// How values are drawn.
    pub shape: Shape,
}

impl Spec {
    /// The low end, in the base unit of [`Self::unit`].
    pub fn low(&self) -> f64 {
        self.lo.value
    }
    /// The high end, in the base unit of [`Self::unit`].
    pub fn high(&self) -> f64 {
        self.hi.value
    }
    /// The unit both ends are in (`None`: plain numbers).
    pub fn unit(&self) -> Option<Unit> {
        match (self.lo.unit, self.hi.unit) {
            // `500K` (a count or a size) with `1 MiB`: sizes.
            (Some(Unit::Bytes), _) | (_, Some(Unit::Bytes)) => Some(Unit::Bytes),
            (a, b) => a.or(b),
        }
    }
    /// Whether the range draws whole numbers (both ends written as YAML integers).
    pub fn integer(&self) -> bool {
        self.lo.integer && self.hi.integer
    }
    /// Whether both ends are the same value (then it is that value, not a range).
    pub fn degenerate(&self) -> bool {
        self.lo.value == self.hi.value
    }
    /// The low end as written.
    pub fn low_written(&self) -> &Value {
        &self.lo.written
    }
    /// The high end as written.
    pub fn high_written(&self) -> &Value {
        &self.hi.written
    }

    /// Replication `rep`'s value of this field in a run seeded with `seed`, in the base unit.
    pub fn draw(&self, seed: u64, rep: u32) -> f64 {
        let mut rng = SmallRng::seed_from_u64(crate::seed::splitmix(
            crate::seed::replication(seed, rep) ^ fnv1a(self.path.as_bytes()),
        ));
        let u: f64 = rng.gen();
        let (lo, hi) = (self.lo.value, self.hi.value);
        if self.integer() {
            let x = match self.shape {
                // Each of the hi − lo + 1 integers equally likely.
                Shape::Uniform => (lo + (u * (hi - lo + 1.0)).floor()).min(hi),
                _ => self.shape.quantile(lo, hi, u).round(),
            };
            return x.clamp(lo, hi);
        }
        self.shape.quantile(lo, hi, u)
    }

    /// `value` (base unit) written as the low end was written, for the field's own parser.
    fn write(&self, value: f64) -> Value {
        if value == self.lo.value {
            return self.lo.written.clone();
        }
        if value == self.hi.value {
            return self.hi.written.clone();
        }
        if self.integer() {
            return Value::Number((value as i64).into());
        }
        match &self.lo.form {
            Form::Plain | Form::Money | Form::Percent => Value::Number(value.into()),
            Form::Suffixed { suffix, mult } => Value::String(format!("{}{suffix}", value / mult)),
            Form::Rate => Value::String(format!("{value}/s")),
        }
    }
}

/// FNV-1a (64 bits) of a field path: a stable hash, the same on every machine and build.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Every range of `doc`, in document order, or located errors for the malformed ones.
/// A range `{range: [x, x]}` is not a range: [`ends`] writes `x`, and it is not listed.
pub fn find(doc: &Value, sources: &Sources) -> Result<Vec<Spec>, Vec<InputError>> {
    let mut specs = Vec::new();
    let mut errors = Vec::new();
    walk(doc, String::new(), &mut Vec::new(), &mut |path, segs, map| {
        match spec(path, segs, map) {
            Ok(s) => specs.push(s),
            Err((field, reason)) => errors.push(sources.error(&field, reason)),
        };
    });
    if specs.len() > MAX_RANGES {
        let reason = format!("{} ranges; at most {MAX_RANGES} are allowed", specs.len());
        errors.push(sources.error(&specs[MAX_RANGES].path, reason));
    }
    if errors.is_empty() {
        Ok(specs)
    } else {
        Err(errors)
    }
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

/// What [`walk`] calls on each range: its path as `yamlfile` indexes it, its steps, the range.
type Found<'f> = dyn FnMut(&str, &[Seg], &Mapping) + 'f;

/// Calls `found` on every mapping with a `range` key.
fn walk(v: &Value, path: String, segs: &mut Vec<Seg>, found: &mut Found) {
    match v {
        Value::Mapping(m) if m.contains_key("range") => found(&path, segs, m),
        Value::Mapping(m) => {
            for (k, child) in m {
                let key = match k {
                    Value::String(s) => s.clone(),
                    other => serde_yaml::to_string(other).unwrap_or_default().trim().to_string(),
                };
                segs.push(Seg::Key(k.clone()));
                walk(child, join(&path, &key), segs, found);
                segs.pop();
            }
        }
        Value::Sequence(s) => {
            for (i, child) in s.iter().enumerate() {
                segs.push(Seg::Index(i));
                walk(child, format!("{path}[{i}]"), segs, found);
                segs.pop();
            }
        }
        Value::Tagged(t) => walk(&t.value, path, segs, found),
        _ => {}
    }
}

type Located = (String, String);

/// Reads the range at `path`.
fn spec(path: &str, segs: &[Seg], map: &Mapping) -> Result<Spec, Located> {
    let here = |reason: String| (path.to_string(), reason);
    for k in map.keys() {
        let known = matches!(k.as_str(), Some("range" | "dist" | "mode"));
        if !known {
            let k = k.as_str().unwrap_or("?");
            return Err(here(format!(
                "unknown field `{k}` in a range; a range has `range: [low, high]`, optional `dist` (uniform, loguniform, triangular) and, for triangular, `mode`"
            )));
        }
    }
    let at = join(path, "range");
    let ends = match map.get("range") {
        Some(Value::Sequence(s)) if s.len() == 2 => s,
        _ => {
            let reason = "expected two values, low and high, e.g. `range: [\"500 KB\", \"5 MB\"]`";
            return Err((at, reason.into()));
        }
    };
    let lo = end(&ends[0]).map_err(|e| (format!("{at}[0]"), e))?;
    let hi = end(&ends[1]).map_err(|e| (format!("{at}[1]"), e))?;
    same_kind(&lo, &hi).map_err(|e| (at.clone(), e))?;
    if lo.value > hi.value {
        return Err((
            at,
            format!("the low end {} is above the high end {}", show(&lo), show(&hi)),
        ));
    }
    let shape = shape(path, map, &lo, &hi)?;
    Ok(Spec {
        path: path.to_string(),
        segs: segs.to_vec(),
        lo,
        hi,
        shape,
    })
}

fn show(e: &End) -> String {
    match &e.written {
        Value::String(s) => format!("`{s}`"),
        Value::Number(n) => format!("`{n}`"),
        _ => "?".into(),
    }
}

fn shape(path: &str, map: &Mapping, lo: &End, hi: &End) -> Result<Shape, Located> {
    let dist = match map.get("dist") {
        None => "uniform",
        Some(Value::String(s)) => s.as_str(),
        Some(_) => "?",
    };
    let mode = map.get("mode");
    if mode.is_some() && dist != "triangular" {
        return Err((join(path, "mode"), "`mode` is for `dist: triangular` only".into()));
    }
    match dist {
        "uniform" => Ok(Shape::Uniform),
        "loguniform" if lo.value > 0.0 => Ok(Shape::Loguniform),
        "loguniform" => Err((
            join(path, "range"),
            format!("a loguniform range needs a low end above zero, found {}", show(lo)),
        )),
        "triangular" => {
            let at = join(path, "mode");
            let Some(m) = mode else {
                return Err((
                    path.to_string(),
                    "`dist: triangular` needs a `mode` (the most likely value)".into(),
                ));
            };
            let m = end(m).map_err(|e| (at.clone(), e))?;
            same_kind(lo, &m).map_err(|e| (at.clone(), e))?;
            if m.value < lo.value || m.value > hi.value {
                let reason = format!(
                    "the mode {} is outside the range {} to {}",
                    show(&m),
                    show(lo),
                    show(hi)
                );
                return Err((at, reason));
            }
            Ok(Shape::Triangular { mode: m.value })
        }
        other => Err((
            join(path, "dist"),
            format!("unknown distribution `{other}`; expected uniform, loguniform or triangular"),
        )),
    }
}

/// Both ends must be in the same kind of unit: sizes with sizes, durations with durations.
fn same_kind(a: &End, b: &End) -> Result<(), String> {
    let unit_ok = match (a.unit, b.unit) {
        (x, y) if x == y => true,
        // `500K` (a count or a size) with `5 MB`: a size.
        (Some(Unit::Count), Some(Unit::Bytes)) | (Some(Unit::Bytes), Some(Unit::Count)) => {
            a.form != Form::Plain && b.form != Form::Plain
        }
        (None, Some(Unit::Count)) | (Some(Unit::Count), None) => true,
        _ => false,
    };
    if unit_ok {
        Ok(())
    } else {
        Err(format!(
            "{} and {} are not in the same kind of unit (both ends must be sizes, durations, rates, fractions, amounts or numbers)",
            show(a),
            show(b)
        ))
    }
}

const SIZE_SUFFIXES: &[(&str, f64)] = &[
    ("B", 1.0),
    ("b", 1.0),
    ("bytes", 1.0),
    ("KB", 1e3),
    ("kB", 1e3),
    ("MB", 1e6),
    ("GB", 1e9),
    ("TB", 1e12),
    ("KiB", 1024.0),
    ("MiB", 1048576.0),
    ("GiB", 1073741824.0),
    ("TiB", 1099511627776.0),
];
/// Suffixes a count and a size share, with the same multiplier.
const SCALE_SUFFIXES: &[(&str, f64)] = &[("K", 1e3), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12)];

/// Reads one end of a range: a number, or a number with a unit.
fn end(v: &Value) -> Result<End, String> {
    let plain = |value: f64, integer: bool| End {
        value,
        unit: None,
        form: Form::Plain,
        integer,
        written: v.clone(),
    };
    let text = match v {
        Value::Number(n) => {
            let x = n.as_f64().filter(|x| x.is_finite() && *x >= 0.0);
            let x = x.ok_or_else(|| format!("`{n}` is not a finite number of zero or more"))?;
            return Ok(plain(x, n.is_i64() || n.is_u64()));
        }
        Value::String(s) => s.trim(),
        _ => {
            let kind = crate::yamlfile::kind_of(v);
            return Err(format!(
                "expected a number or a quantity such as `500 KB`, `30m`, `8/s`, `70%`, `$25`, found {kind}"
            ));
        }
    };
    let with = |value: f64, unit: Unit, form: Form| End {
        value,
        unit: Some(unit),
        form,
        integer: false,
        written: v.clone(),
    };
    if text.contains('/') {
        return Ok(with(units::parse_rate(text)?, Unit::PerSecond, Form::Rate));
    }
    if text.starts_with('$') || text.ends_with("USD") {
        return Ok(with(units::parse_money(text)?, Unit::Dollars, Form::Money));
    }
    if text.ends_with('%') {
        return Ok(with(units::parse_fraction(text)?, Unit::Fraction, Form::Percent));
    }
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | '_')))
        .unwrap_or(text.len());
    let suffix = text[split..].trim();
    if split == 0 {
        return Err(format!(
            "expected a number or a quantity such as `500 KB`, `30m`, `8/s`, `70%`, `$25`, found `{text}`"
        ));
    }
    let suffixed = |unit: Unit, value: f64, mult: f64| {
        let form = Form::Suffixed {
            suffix: suffix.to_string(),
            mult,
        };
        with(value, unit, form)
    };
    if suffix.is_empty() {
        return Ok(plain(units::parse_count(text)?, false));
    }
    if let Some((_, m)) = SIZE_SUFFIXES.iter().find(|(s, _)| *s == suffix) {
        return Ok(suffixed(Unit::Bytes, units::parse_bytes(text)?, *m));
    }
    if let Some((_, m)) = SCALE_SUFFIXES.iter().find(|(s, _)| *s == suffix) {
        return Ok(suffixed(Unit::Count, units::parse_count(text)?, *m));
    }
    let secs = units::parse_seconds(text).map_err(|_| {
        format!(
            "cannot read `{text}` as a number or a quantity: a range's ends are numbers, sizes (`500 KB`), durations (`30m`), rates (`8/s`), fractions (`70%`) or amounts (`$25`)"
        )
    })?;
    let number = units::parse_count(&text[..split]).map_err(|_| format!("cannot read `{text}`"))?;
    let mult = if number > 0.0 { secs / number } else { 1.0 };
    Ok(suffixed(Unit::Seconds, secs, mult))
}

/// `doc` with every range replaced by the value `pick` chooses for it (base unit).
fn replace(doc: &Value, specs: &[Spec], pick: &dyn Fn(usize, &Spec) -> Value) -> Value {
    let mut out = doc.clone();
    for (i, s) in specs.iter().enumerate() {
        if let Some(slot) = slot_mut(&mut out, &s.segs) {
            *slot = pick(i, s);
        }
    }
    out
}

/// `doc` with every range at its low end (`high` false) or its high end.
pub fn ends(doc: &Value, specs: &[Spec], high: bool) -> Value {
    replace(doc, specs, &|_, s| {
        if high {
            s.hi.written.clone()
        } else {
            s.lo.written.clone()
        }
    })
}

/// `doc` with range `i` replaced by `value` and every other at its high end.
pub fn one(doc: &Value, specs: &[Spec], i: usize, value: Value) -> Value {
    replace(doc, specs, &|j, s| {
        if j == i {
            value.clone()
        } else {
            s.hi.written.clone()
        }
    })
}

/// `doc` with every range replaced by replication `rep`'s draw, and the values drawn.
pub fn draws(doc: &Value, specs: &[Spec], seed: u64, rep: u32) -> (Value, Vec<f64>) {
    let values: Vec<f64> = specs.iter().map(|s| s.draw(seed, rep)).collect();
    let doc = replace(doc, specs, &|i, s| s.write(values[i]));
    (doc, values)
}

/// The node at the end of `segs`.
fn slot_mut<'a>(v: &'a mut Value, segs: &[Seg]) -> Option<&'a mut Value> {
    let Some((first, rest)) = segs.split_first() else {
        return Some(v);
    };
    let child = match (v, first) {
        (Value::Tagged(t), _) => return slot_mut(&mut t.value, segs),
        (Value::Mapping(m), Seg::Key(k)) => m.get_mut(k)?,
        (Value::Sequence(s), Seg::Index(i)) => s.get_mut(*i)?,
        _ => return None,
    };
    slot_mut(child, rest)
}

#[cfg(test)]
#[path = "ranges_tests.rs"]
mod tests;
