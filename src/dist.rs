//! Service-time and latency distributions as people describe them: a constant (`20ms`), an
//! exponential with a mean, a lognormal given its median and 95th percentile (how latencies are
//! usually quoted), a gamma given mean and coefficient of variation, or a uniform range.
//!
//! Each knows its mean and squared coefficient of variation, which the queueing-theory
//! estimates (Pollaczek–Khinchine, Allen–Cunneen) need.

use crate::units::Seconds;
use rand::Rng;
use rand_distr::{Distribution, Exp, Gamma, LogNormal};
use serde::Deserialize;

/// z-value of the 95th percentile of the standard normal.
const Z95: f64 = 1.644_853_626_951_472_2;

/// A distribution as written in a scenario file.
#[derive(Debug, Clone)]
pub enum RawDist {
    /// `20ms`: always this long.
    Constant(Seconds),
    Spec(DistSpec),
}

/// The distributions a file can name, with the fields each takes.
const KINDS: &[(&str, &[&str])] = &[
    ("constant", &["value"]),
    ("exponential", &["mean"]),
    ("lognormal", &["p50", "p95", "mean", "cv"]),
    ("gamma", &["mean", "cv"]),
    ("uniform", &["min", "max"]),
];

fn kind_names() -> String {
    KINDS.iter().map(|k| k.0).collect::<Vec<_>>().join(", ")
}

/// A duration field of a distribution (`mean: 30s`); the error names the distribution and field.
fn duration(m: &serde_yaml::Mapping, kind: &str, field: &str) -> Result<Option<Seconds>, String> {
    match m.get(field) {
        None => Ok(None),
        Some(v) => Seconds::deserialize(v.clone()).map(Some).map_err(|e| {
            format!(
                "{} distribution, field `{field}`: {}",
                article(kind),
                crate::yamlmsg::rewrite(&e.to_string())
            )
        }),
    }
}

/// A plain number field of a distribution (`cv: 1.5`).
fn number(m: &serde_yaml::Mapping, kind: &str, field: &str) -> Result<Option<f64>, String> {
    match m.get(field) {
        None => Ok(None),
        Some(v) => match v.as_f64() {
            Some(x) if x.is_finite() && x >= 0.0 => Ok(Some(x)),
            Some(x) => Err(format!(
                "{} distribution, field `{field}`: expected a number ≥ 0, found {x}",
                article(kind)
            )),
            None => Err(format!(
                "{} distribution, field `{field}`: expected a number, found {}",
                article(kind),
                crate::yamlfile::kind_of(v)
            )),
        },
    }
}

fn article(kind: &str) -> String {
    match kind.chars().next() {
        Some('a' | 'e' | 'i' | 'o') => format!("an {kind}"),
        _ => format!("a {kind}"),
    }
}

fn required(v: Option<Seconds>, kind: &str, field: &str) -> Result<Seconds, String> {
    v.ok_or_else(|| format!("{} distribution needs `{field}`", article(kind)))
}

/// A distribution from its YAML value: a constant duration, or `{dist: kind, …}`.
fn raw_dist(v: &serde_yaml::Value) -> Result<RawDist, String> {
    use serde_yaml::Value;
    let m = match v {
        Value::String(_) | Value::Number(_) => {
            return Seconds::deserialize(v.clone())
                .map(RawDist::Constant)
                .map_err(|e| crate::yamlmsg::rewrite(&e.to_string()))
        }
        Value::Mapping(m) => m,
        other => {
            return Err(format!(
            "expected a duration such as `20ms` or a distribution such as `{{dist: exponential, mean: 30s}}`, found {}",
            crate::yamlfile::kind_of(other)
        ))
        }
    };
    let kind = match m.get("dist") {
        Some(Value::String(k)) => k.as_str(),
        Some(other) => {
            return Err(format!(
                "`dist` names a distribution, one of {}; found {}",
                kind_names(),
                crate::yamlfile::kind_of(other)
            ))
        }
        None => {
            return Err(format!(
                "a distribution needs `dist:`, one of {} (or write a constant such as `20ms`)",
                kind_names()
            ))
        }
    };
    let Some((_, fields)) = KINDS.iter().find(|k| k.0 == kind) else {
        return Err(format!(
            "unknown distribution `{kind}`; expected one of {}",
            kind_names()
        ));
    };
    for key in m.keys() {
        let known = key.as_str().is_some_and(|k| k == "dist" || fields.contains(&k));
        if !known {
            let name = key.as_str().unwrap_or("?");
            let list: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
            return Err(format!(
                "unknown field `{name}` in {} distribution, expected one of {}",
                article(kind),
                list.join(", ")
            ));
        }
    }
    let d = |f: &str| duration(m, kind, f);
    let spec = match kind {
        "constant" => DistSpec::Constant {
            value: required(d("value")?, kind, "value")?,
        },
        "exponential" => DistSpec::Exponential {
            mean: required(d("mean")?, kind, "mean")?,
        },
        "lognormal" => DistSpec::Lognormal {
            p50: d("p50")?,
            p95: d("p95")?,
            mean: d("mean")?,
            cv: number(m, kind, "cv")?,
        },
        "gamma" => DistSpec::Gamma {
            mean: required(d("mean")?, kind, "mean")?,
            cv: number(m, kind, "cv")?.ok_or_else(|| format!("{} distribution needs `cv`", article(kind)))?,
        },
        _ => DistSpec::Uniform {
            min: required(d("min")?, kind, "min")?,
            max: required(d("max")?, kind, "max")?,
        },
    };
    Ok(RawDist::Spec(spec))
}

impl<'de> Deserialize<'de> for RawDist {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_yaml::Value::deserialize(d)?;
        raw_dist(&v).map_err(serde::de::Error::custom)
    }
}

/// A constant duration, or `{dist: kind, …}` with the fields of [`KINDS`] (which fields each
/// kind needs is checked by capsim).
impl schemars::JsonSchema for RawDist {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Distribution".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut fields = serde_json::Map::new();
        let kinds: Vec<&str> = KINDS.iter().map(|k| k.0).collect();
        fields.insert("dist".into(), serde_json::json!({"enum": kinds}));
        for f in KINDS.iter().flat_map(|k| k.1.iter()) {
            let sch = if matches!(*f, "cv") {
                serde_json::json!({"type": "number", "minimum": 0})
            } else {
                g.subschema_for::<Seconds>().to_value()
            };
            fields.insert((*f).into(), sch);
        }
        schemars::json_schema!({
            "description": "a duration such as `20ms`, or a distribution such as `{dist: lognormal, p50: 12ms, p95: 45ms}`",
            "anyOf": [
                {"type": ["string", "number"]},
                {"type": "object", "properties": fields, "required": ["dist"], "additionalProperties": false}
            ]
        })
    }
}

/// A distribution given by name and parameters (`{dist: lognormal, p50: 12ms, p95: 45ms}`).
#[derive(Debug, Clone)]
pub enum DistSpec {
    Constant {
        value: Seconds,
    },
    Exponential {
        mean: Seconds,
    },
    Lognormal {
        p50: Option<Seconds>,
        p95: Option<Seconds>,
        mean: Option<Seconds>,
        cv: Option<f64>,
    },
    Gamma {
        mean: Seconds,
        cv: f64,
    },
    Uniform {
        min: Seconds,
        max: Seconds,
    },
}

/// A validated distribution of durations in seconds.
#[derive(Debug, Clone)]
pub enum Dist {
    Constant(f64),
    Exponential {
        mean: f64,
        sampler: Exp<f64>,
    },
    Lognormal {
        mu: f64,
        sigma: f64,
        sampler: LogNormal<f64>,
    },
    Gamma {
        mean: f64,
        cv: f64,
        sampler: Gamma<f64>,
    },
    Uniform {
        min: f64,
        max: f64,
    },
}

impl Dist {
    pub fn constant(v: f64) -> Dist {
        Dist::Constant(v)
    }

    pub fn exponential(mean: f64) -> Result<Dist, String> {
        if mean <= 0.0 || !mean.is_finite() {
            return Err("an exponential distribution needs a mean above zero".into());
        }
        Ok(Dist::Exponential {
            mean,
            sampler: Exp::new(1.0 / mean).map_err(|e| e.to_string())?,
        })
    }

    pub fn lognormal_from_p50_p95(p50: f64, p95: f64) -> Result<Dist, String> {
        if p50 <= 0.0 || p95 <= p50 {
            return Err(format!(
                "a lognormal needs 0 < p50 < p95 (got p50 = {p50} s, p95 = {p95} s)"
            ));
        }
        let mu = p50.ln();
        let sigma = (p95 / p50).ln() / Z95;
        Ok(Dist::Lognormal {
            mu,
            sigma,
            sampler: LogNormal::new(mu, sigma).map_err(|e| e.to_string())?,
        })
    }

    pub fn lognormal_from_mean_cv(mean: f64, cv: f64) -> Result<Dist, String> {
        if mean <= 0.0 || cv <= 0.0 || !cv.is_finite() {
            return Err("a lognormal needs mean > 0 and cv > 0".into());
        }
        let sigma2 = (1.0 + cv * cv).ln();
        let mu = mean.ln() - sigma2 / 2.0;
        let sigma = sigma2.sqrt();
        Ok(Dist::Lognormal {
            mu,
            sigma,
            sampler: LogNormal::new(mu, sigma).map_err(|e| e.to_string())?,
        })
    }

    pub fn gamma(mean: f64, cv: f64) -> Result<Dist, String> {
        if mean <= 0.0 || cv <= 0.0 || !cv.is_finite() {
            return Err("a gamma distribution needs mean > 0 and cv > 0".into());
        }
        let shape = 1.0 / (cv * cv);
        let scale = mean / shape;
        Ok(Dist::Gamma {
            mean,
            cv,
            sampler: Gamma::new(shape, scale).map_err(|e| e.to_string())?,
        })
    }

    pub fn from_raw(raw: &RawDist) -> Result<Dist, String> {
        match raw {
            RawDist::Constant(s) => Ok(Dist::Constant(s.0)),
            RawDist::Spec(DistSpec::Constant { value }) => Ok(Dist::Constant(value.0)),
            RawDist::Spec(DistSpec::Exponential { mean }) => Dist::exponential(mean.0),
            RawDist::Spec(DistSpec::Lognormal { p50, p95, mean, cv }) => match (p50, p95, mean, cv) {
                (Some(a), Some(b), None, None) => Dist::lognormal_from_p50_p95(a.0, b.0),
                (None, None, Some(m), Some(c)) => Dist::lognormal_from_mean_cv(m.0, *c),
                _ => Err("a lognormal is given either by `p50` and `p95`, or by `mean` and `cv`".into()),
            },
            RawDist::Spec(DistSpec::Gamma { mean, cv }) => Dist::gamma(mean.0, *cv),
            RawDist::Spec(DistSpec::Uniform { min, max }) => {
                if max.0 < min.0 {
                    Err("a uniform distribution needs min ≤ max".into())
                } else {
                    Ok(Dist::Uniform { min: min.0, max: max.0 })
                }
            }
        }
    }

    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Dist::Constant(v) => *v,
            Dist::Exponential { sampler, .. } => sampler.sample(rng),
            Dist::Lognormal { sampler, .. } => sampler.sample(rng),
            Dist::Gamma { sampler, .. } => sampler.sample(rng),
            Dist::Uniform { min, max } => {
                if max > min {
                    rng.gen_range(*min..*max)
                } else {
                    *min
                }
            }
        }
    }

    pub fn mean(&self) -> f64 {
        match self {
            Dist::Constant(v) => *v,
            Dist::Exponential { mean, .. } => *mean,
            Dist::Lognormal { mu, sigma, .. } => (mu + sigma * sigma / 2.0).exp(),
            Dist::Gamma { mean, .. } => *mean,
            Dist::Uniform { min, max } => (min + max) / 2.0,
        }
    }

    /// Squared coefficient of variation, Var/mean².
    pub fn scv(&self) -> f64 {
        match self {
            Dist::Constant(_) => 0.0,
            Dist::Exponential { .. } => 1.0,
            Dist::Lognormal { sigma, .. } => (sigma * sigma).exp() - 1.0,
            Dist::Gamma { cv, .. } => cv * cv,
            Dist::Uniform { min, max } => {
                let m = (min + max) / 2.0;
                if m == 0.0 {
                    0.0
                } else {
                    (max - min).powi(2) / 12.0 / (m * m)
                }
            }
        }
    }

    /// The same distribution with every value divided by `speed` (a faster or slower CPU).
    pub fn scaled(&self, factor: f64) -> Dist {
        match self {
            Dist::Constant(v) => Dist::Constant(v * factor),
            Dist::Exponential { mean, .. } => Dist::exponential(mean * factor).expect("valid mean"),
            Dist::Lognormal { mu, sigma, .. } => Dist::Lognormal {
                mu: mu + factor.ln(),
                sigma: *sigma,
                sampler: LogNormal::new(mu + factor.ln(), *sigma).expect("valid"),
            },
            Dist::Gamma { mean, cv, .. } => Dist::gamma(mean * factor, *cv).expect("valid"),
            Dist::Uniform { min, max } => Dist::Uniform {
                min: min * factor,
                max: max * factor,
            },
        }
    }

    pub fn describe(&self) -> String {
        use crate::units::fmt_seconds as f;
        match self {
            Dist::Constant(v) => format!("constant {}", f(*v)),
            Dist::Exponential { mean, .. } => format!("exponential, mean {}", f(*mean)),
            Dist::Lognormal { mu, sigma, .. } => {
                format!("lognormal, p50 {} p95 {}", f(mu.exp()), f((mu + Z95 * sigma).exp()))
            }
            Dist::Gamma { mean, cv, .. } => format!("gamma, mean {} cv {cv:.2}", f(*mean)),
            Dist::Uniform { min, max } => format!("uniform {}–{}", f(*min), f(*max)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::SmallRng;
    use rand::SeedableRng;

    fn sample_mean(d: &Dist, n: usize) -> f64 {
        let mut rng = SmallRng::seed_from_u64(1);
        (0..n).map(|_| d.sample(&mut rng)).sum::<f64>() / n as f64
    }

    #[test]
    fn lognormal_from_percentiles_hits_them() {
        let d = Dist::lognormal_from_p50_p95(0.020, 0.080).unwrap();
        let mut rng = SmallRng::seed_from_u64(3);
        let mut v: Vec<f64> = (0..200_000).map(|_| d.sample(&mut rng)).collect();
        v.sort_by(f64::total_cmp);
        // Order-statistic standard error at n=200k is well under 1 %; allow 3 %.
        assert!((v[100_000] / 0.020 - 1.0).abs() < 0.03);
        assert!((v[190_000] / 0.080 - 1.0).abs() < 0.03);
    }

    #[test]
    fn means_match_analytic() {
        // n = 400k, cv ≤ 2: standard error of the mean ≤ 2/sqrt(4e5) = 0.3 %; allow 1.5 %.
        for d in [
            Dist::exponential(0.1).unwrap(),
            Dist::gamma(0.1, 2.0).unwrap(),
            Dist::lognormal_from_mean_cv(0.1, 1.5).unwrap(),
            Dist::Uniform { min: 0.05, max: 0.15 },
        ] {
            let m = sample_mean(&d, 400_000);
            assert!((m / d.mean() - 1.0).abs() < 0.015, "{d:?}: {m}");
        }
        assert!((Dist::gamma(1.0, 2.0).unwrap().scv() - 4.0).abs() < 1e-12);
    }
}
