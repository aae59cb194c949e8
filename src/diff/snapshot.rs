//! One side of a diff: the figures `capsim diff` compares, read from a `summary.json`.
//!
//! A report directory gives its `summary.json`; a scenario is run and its result rendered to
//! the same bytes ([`crate::report::json::json`]) before it is read here, so both kinds of
//! input go through one reader and a scenario agrees with the report it writes. Every figure
//! is the mean across replications, in the unit `reports/SCHEMA.md` gives it; a `null` (no
//! data) is `None`. A file that is not a summary capsim wrote is an input error naming the
//! file, the field and what was expected.

use crate::error::{InputError, InputErrors};
use crate::results::CheckVerdict;
use crate::units::Unit;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The largest `summary.json` read (a year-long scenario writes well under 1 MB).
pub const MAX_SUMMARY_BYTES: u64 = 64 << 20;

/// What a run said, as far as a diff needs it.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The scenario's `name`.
    pub name: String,
    /// The seed the run used.
    pub seed: u64,
    /// Replications run (a count).
    pub replications: u64,
    /// Every calendar month billed, in order.
    pub months: Vec<MonthCosts>,
    /// Every trigger, by name.
    pub triggers: BTreeMap<String, Firing>,
    /// Budget checks then SLO checks, in the run's order.
    pub checks: Vec<CheckFigure>,
    /// Each station's utilization in the busiest period's window, a fraction 0–1 (`None`: no
    /// data).
    pub stations: BTreeMap<String, Option<f64>>,
}

/// One month's bill: means across replications, in dollars.
#[derive(Debug, Clone)]
pub struct MonthCosts {
    /// The month, 1-based.
    pub month: usize,
    /// The whole month's bill, in dollars.
    pub total: f64,
    /// Each component's share, in dollars, by name.
    pub components: BTreeMap<String, f64>,
}

/// When a trigger fired.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Firing {
    /// Replications in which it fired (a count).
    pub fired_in: u64,
    /// Replications run (a count).
    pub replications: u64,
    /// Mean time of the first firing over the replications where it fired, in seconds from the
    /// start of the run; `None` when it never fired.
    pub first_fire_seconds: Option<f64>,
}

/// A budget or SLO check of one side.
#[derive(Debug, Clone)]
pub struct CheckFigure {
    /// Its stable id (`budget.month_1.total`, `slo.latency_p95`).
    pub id: String,
    /// What is checked, in words.
    pub what: String,
    /// The unit of `limit` and `measured`.
    pub unit: Unit,
    /// The most the figure may be, in `unit`.
    pub limit: f64,
    /// The figure compared with the limit, in `unit`; `None` when not evaluated.
    pub measured: Option<f64>,
    /// What the check found.
    pub verdict: CheckVerdict,
}

/// Reads `dir/summary.json`, the summary of a report directory capsim wrote.
pub fn read_report_dir(dir: &Path) -> Result<Snapshot, InputErrors> {
    let file = dir.join("summary.json");
    let fail = |reason: String| InputErrors(vec![InputError::new(&file, "", reason)]);
    let meta = std::fs::metadata(&file).map_err(|e| {
        fail(format!(
            "cannot read the report's summary ({e}); a report directory is one `capsim run` wrote"
        ))
    })?;
    if !meta.is_file() {
        return Err(fail(
            "is not a regular file; a report directory is one `capsim run` wrote".into(),
        ));
    }
    if meta.len() > MAX_SUMMARY_BYTES {
        return Err(fail(format!(
            "is {} bytes, more than the {MAX_SUMMARY_BYTES} a summary capsim writes can be",
            meta.len()
        )));
    }
    let bytes = std::fs::read(&file).map_err(|e| fail(format!("cannot read it: {e}")))?;
    parse(&file, &bytes)
}

/// Reads the bytes of a `summary.json`; `file` names it in errors.
pub fn parse(file: &Path, bytes: &[u8]) -> Result<Snapshot, InputErrors> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| {
        InputErrors(vec![
            InputError::new(file, "", format!("is not JSON: {e}")).at(Some(e.line()), Some(e.column()))
        ])
    })?;
    Reader {
        file: file.to_path_buf(),
    }
    .snapshot(&v)
    .map_err(|e| InputErrors(vec![e]))
}

/// Reads fields, naming the file and the field in every error.
struct Reader {
    file: PathBuf,
}

impl Reader {
    fn err(&self, field: &str, reason: impl Into<String>) -> InputError {
        InputError::new(&self.file, field, reason)
    }

    fn get<'v>(&self, v: &'v Value, field: &str, key: &str) -> Result<&'v Value, InputError> {
        v.get(key)
            .ok_or_else(|| self.err(&join(field, key), "is missing; this is not a summary.json capsim wrote"))
    }

    fn obj<'v>(&self, v: &'v Value, field: &str) -> Result<&'v Map<String, Value>, InputError> {
        v.as_object().ok_or_else(|| self.err(field, "expected an object"))
    }

    /// A finite number, or `None` for null.
    fn num(&self, v: &Value, field: &str) -> Result<Option<f64>, InputError> {
        match v {
            Value::Null => Ok(None),
            Value::Number(n) => match n.as_f64() {
                Some(x) if x.is_finite() => Ok(Some(x)),
                _ => Err(self.err(field, format!("expected a finite number, found {n}"))),
            },
            other => Err(self.err(field, format!("expected a number or null, found {other}"))),
        }
    }

    fn count(&self, v: &Value, field: &str) -> Result<u64, InputError> {
        v.as_u64()
            .ok_or_else(|| self.err(field, format!("expected a whole number ≥ 0, found {v}")))
    }

    fn text(&self, v: &Value, field: &str) -> Result<String, InputError> {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| self.err(field, format!("expected text, found {v}")))
    }

    /// The `mean` of a summary object, in dollars: a bill always has one.
    fn money_mean(&self, v: &Value, field: &str) -> Result<f64, InputError> {
        let f = join(field, "mean");
        self.num(self.get(v, field, "mean")?, &f)?
            .ok_or_else(|| self.err(&f, "a bill's mean cannot be null"))
    }

    fn snapshot(&self, v: &Value) -> Result<Snapshot, InputError> {
        let version = self.count(self.get(v, "", "schema_version")?, "schema_version")?;
        let want = u64::from(crate::report::json::SCHEMA_VERSION);
        if version != want {
            return Err(self
                .err(
                    "schema_version",
                    format!("is {version}; this capsim reads summaries of version {want}"),
                )
                .allowed([want.to_string()]));
        }
        let sc = self.get(v, "", "scenario")?;
        Ok(Snapshot {
            name: self.text(self.get(sc, "scenario", "name")?, "scenario.name")?,
            seed: self.count(self.get(sc, "scenario", "seed")?, "scenario.seed")?,
            replications: self.count(self.get(sc, "scenario", "replications")?, "scenario.replications")?,
            months: self.months(self.get(v, "", "months")?)?,
            triggers: self.triggers(self.get(v, "", "triggers")?)?,
            checks: self.checks(self.get(v, "", "checks")?)?,
            stations: self.stations(self.get(v, "", "stations")?)?,
        })
    }

    fn months(&self, v: &Value) -> Result<Vec<MonthCosts>, InputError> {
        let list = v.as_array().ok_or_else(|| self.err("months", "expected a list"))?;
        let mut months: Vec<MonthCosts> = Vec::with_capacity(list.len());
        for (i, m) in list.iter().enumerate() {
            let field = format!("months[{i}]");
            let month = self.count(self.get(m, &field, "month")?, &join(&field, "month"))?;
            let month = usize::try_from(month).map_err(|_| self.err(&field, "month out of range"))?;
            if months.last().is_some_and(|p| p.month >= month) {
                return Err(self.err(&join(&field, "month"), "months must be in increasing order"));
            }
            let total = self.money_mean(self.get(m, &field, "total")?, &join(&field, "total"))?;
            let cf = join(&field, "components");
            let mut components = BTreeMap::new();
            for (name, s) in self.obj(self.get(m, &field, "components")?, &cf)? {
                components.insert(name.clone(), self.money_mean(s, &join(&cf, name))?);
            }
            months.push(MonthCosts {
                month,
                total,
                components,
            });
        }
        Ok(months)
    }

    fn triggers(&self, v: &Value) -> Result<BTreeMap<String, Firing>, InputError> {
        let mut out = BTreeMap::new();
        for (name, t) in self.obj(v, "triggers")? {
            let field = join("triggers", name);
            let first = self.get(t, &field, "first_fire")?;
            let fired_in = self.count(self.get(t, &field, "fired_in")?, &join(&field, "fired_in"))?;
            let first_fire = self.num(self.get(first, &field, "mean")?, &join(&field, "first_fire.mean"))?;
            let firing = Firing {
                fired_in,
                replications: self.count(self.get(t, &field, "replications")?, &join(&field, "replications"))?,
                first_fire_seconds: if fired_in > 0 { first_fire } else { None },
            };
            out.insert(name.clone(), firing);
        }
        Ok(out)
    }

    fn checks(&self, v: &Value) -> Result<Vec<CheckFigure>, InputError> {
        let mut out = Vec::new();
        for group in ["budget", "slo"] {
            let gf = join("checks", group);
            let list = self.get(v, "checks", group)?;
            let list = list.as_array().ok_or_else(|| self.err(&gf, "expected a list"))?;
            for (i, c) in list.iter().enumerate() {
                let f = format!("{gf}[{i}]");
                let at = |key: &str| self.get(c, &f, key);
                out.push(CheckFigure {
                    id: self.text(at("id")?, &join(&f, "id"))?,
                    what: self.text(at("what")?, &join(&f, "what"))?,
                    unit: self.unit(at("unit")?, &join(&f, "unit"))?,
                    limit: self
                        .num(at("limit")?, &join(&f, "limit"))?
                        .ok_or_else(|| self.err(&join(&f, "limit"), "a limit cannot be null"))?,
                    measured: self.num(at("measured")?, &join(&f, "measured"))?,
                    verdict: self.verdict(at("verdict")?, &join(&f, "verdict"))?,
                });
            }
        }
        Ok(out)
    }

    fn stations(&self, v: &Value) -> Result<BTreeMap<String, Option<f64>>, InputError> {
        let mut out = BTreeMap::new();
        for (name, s) in self.obj(v, "stations")? {
            let field = join("stations", name);
            let u = self.num(self.get(s, &field, "utilization")?, &join(&field, "utilization"))?;
            out.insert(name.clone(), u);
        }
        Ok(out)
    }

    fn unit(&self, v: &Value, field: &str) -> Result<Unit, InputError> {
        const UNITS: [(&str, Unit); 6] = [
            ("count", Unit::Count),
            ("per_second", Unit::PerSecond),
            ("seconds", Unit::Seconds),
            ("fraction", Unit::Fraction),
            ("bytes", Unit::Bytes),
            ("dollars", Unit::Dollars),
        ];
        let t = self.text(v, field)?;
        UNITS.iter().find(|(n, _)| *n == t).map(|(_, u)| *u).ok_or_else(|| {
            self.err(field, format!("unknown unit `{t}`"))
                .allowed(UNITS.iter().map(|(n, _)| *n))
        })
    }

    fn verdict(&self, v: &Value, field: &str) -> Result<CheckVerdict, InputError> {
        match self.text(v, field)?.as_str() {
            "ok" => Ok(CheckVerdict::Ok),
            "breached" => Ok(CheckVerdict::Breached),
            "not_evaluated" => Ok(CheckVerdict::NotEvaluated),
            other => {
                Err(self
                    .err(field, format!("unknown verdict `{other}`"))
                    .allowed(["ok", "breached", "not_evaluated"]))
            }
        }
    }
}

/// `a.b`, or `b` at the top.
fn join(field: &str, key: &str) -> String {
    if field.is_empty() {
        key.to_string()
    } else {
        format!("{field}.{key}")
    }
}
