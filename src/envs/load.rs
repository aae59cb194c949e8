//! Reading and validating a system file (see [`super`]): every value located by file, line and
//! field, with what is allowed; each environment loaded as the scenario it is.

use crate::error::{InputError, InputErrors};
use crate::pricing::{Catalog, CatalogSource};
use crate::scenario::Scenario;
use crate::yamlfile::{kind_of, Sources, YamlFile};
use serde::Deserialize;
use serde_yaml::Value;
use std::path::{Path, PathBuf};

/// The fields a system file may have.
pub const TOP_LEVEL: &[&str] = &[
    "name",
    "description",
    "seed",
    "replications",
    "environments",
    "separate_accounts",
    "budget",
    "plan_says",
];

/// An amount (`$20`, `20`) or a range of amounts (`$140-$270`), for the schema.
#[derive(schemars::JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum MoneyText {
    Text(String),
    Number(f64),
}

/// Most environments a system may declare.
pub const MAX_ENVIRONMENTS: usize = 16;

/// A system file as written (also the source of `capsim schema system`).
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Raw {
    name: String,
    description: Option<String>,
    seed: Option<u64>,
    replications: Option<u32>,
    /// Environment name → its scenario file, relative to this file.
    #[schemars(with = "std::collections::BTreeMap<String, String>")]
    environments: Value,
    #[serde(default)]
    separate_accounts: Vec<String>,
    #[serde(default)]
    budget: RawBudget,
    #[serde(default)]
    plan_says: RawPlan,
}

#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawBudget {
    /// The combined monthly budget (`$250`).
    #[schemars(with = "Option<MoneyText>")]
    monthly: Option<Value>,
    /// Component (or `a + b`) → its monthly budget.
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, MoneyText>")]
    components: serde_yaml::Mapping,
}

#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    /// The plan's combined figure: one amount or a range (`$140-$270`).
    #[schemars(with = "Option<MoneyText>")]
    monthly_cost: Option<Value>,
    /// Component (or `a + b`) → the plan's figure.
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, MoneyText>")]
    components: serde_yaml::Mapping,
    #[serde(default)]
    notes: Vec<String>,
}

/// A figure of the plan in dollars a month: one amount (`low == high`) or a range.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Range {
    /// The low end, in dollars per month.
    pub low: f64,
    /// The high end, in dollars per month.
    pub high: f64,
}

/// One environment: its name, its scenario file and the scenario, with the seed and
/// replications the system runs it with.
#[derive(Debug, Clone)]
pub struct Environment {
    pub name: String,
    pub file: PathBuf,
    pub scenario: Scenario,
}

/// A validated system file.
#[derive(Debug, Clone)]
pub struct System {
    pub name: String,
    pub description: Option<String>,
    pub file: PathBuf,
    /// The system's seed; environment `e` runs with [`super::env_seed`]`(seed, e)`.
    pub seed: u64,
    pub replications: u32,
    /// In the file's order.
    pub environments: Vec<Environment>,
    /// Catalog accounts billed once per environment instead of once for the system.
    pub separate_accounts: Vec<String>,
    /// The combined bill's monthly budget, dollars.
    pub budget_monthly: Option<f64>,
    /// Budgets of components (summed over the environments), dollars a month.
    pub budget_components: Vec<(String, f64)>,
    /// The plan's monthly figure for the whole system.
    pub plan_monthly: Option<Range>,
    /// The plan's figures per component (summed over the environments).
    pub plan_components: Vec<(String, Range)>,
    pub notes: Vec<String>,
    /// The catalogs every environment is priced with.
    pub catalog: Catalog,
}

/// Whether `path` is a system file: a YAML mapping with an `environments:` field. A file that
/// cannot be read or parsed is not (loading it as a scenario reports why).
pub fn is_system(path: &Path) -> bool {
    match YamlFile::read(path) {
        Ok(f) => f.value.get("environments").is_some(),
        Err(_) => false,
    }
}

/// Loads and validates a system file and each environment's scenario (priced with `requested`
/// catalogs when given, else each scenario's own, which must then be the same).
pub fn load(path: &Path, requested: Option<&CatalogSource>) -> Result<System, InputErrors> {
    let file = YamlFile::read(path)?;
    let sources = Sources::single(&file);
    if let Some(Value::Mapping(m)) = Some(&file.value) {
        for k in m.keys() {
            let k = k.as_str().unwrap_or("");
            if !TOP_LEVEL.contains(&k) {
                let e = sources
                    .error(k, format!("unknown field `{k}` in a system file"))
                    .allowed(TOP_LEVEL.iter().copied());
                return Err(e.into());
            }
        }
    }
    let raw: Raw = sources.deserialize(file.value.clone())?;
    let mut errors: Vec<InputError> = Vec::new();
    let replications = raw.replications.unwrap_or(8);
    if !(1..=100_000).contains(&replications) {
        errors.push(sources.error(
            "replications",
            format!("expected 1 to 100000 replications, found {replications}"),
        ));
    }
    let seed = raw.seed.unwrap_or(1);
    let listed = env_list(&sources, &raw.environments, &mut errors);
    let (environments, catalog) = load_environments(&sources, path, listed, seed, replications, requested, &mut errors);
    let Some(catalog) = catalog else {
        return Err(InputErrors(errors));
    };
    let components = component_names(&environments);
    let separate_accounts = accounts(&sources, raw.separate_accounts, &catalog, &mut errors);
    let budget_monthly = raw
        .budget
        .monthly
        .as_ref()
        .and_then(|v| money(&sources, "budget.monthly", v, &mut errors));
    let budget_components = named_amounts(
        &sources,
        "budget.components",
        &raw.budget.components,
        &components,
        false,
        &mut errors,
    )
    .into_iter()
    .map(|(n, r)| (n, r.high))
    .collect();
    let plan_monthly = raw
        .plan_says
        .monthly_cost
        .as_ref()
        .and_then(|v| range(&sources, "plan_says.monthly_cost", v, &mut errors));
    let plan_components = named_amounts(
        &sources,
        "plan_says.components",
        &raw.plan_says.components,
        &components,
        true,
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(InputErrors(errors));
    }
    Ok(System {
        name: raw.name,
        description: raw.description,
        file: path.to_path_buf(),
        seed,
        replications,
        environments,
        separate_accounts,
        budget_monthly,
        budget_components,
        plan_monthly,
        plan_components,
        notes: raw.plan_says.notes,
        catalog,
    })
}

/// Loads each listed environment's scenario (relative to the system file `path`), with the
/// seed derived from `seed` and the system's replications; the catalogs of the first.
fn load_environments(
    sources: &Sources,
    path: &Path,
    listed: Vec<(String, String)>,
    seed: u64,
    replications: u32,
    requested: Option<&CatalogSource>,
    errors: &mut Vec<InputError>,
) -> (Vec<Environment>, Option<Catalog>) {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut environments: Vec<Environment> = Vec::new();
    let mut catalog: Option<Catalog> = None;
    for (name, rel) in listed {
        let field = format!("environments.{name}");
        let env_path = dir.join(&rel);
        if !env_path.is_file() {
            errors.push(sources.error(
                &field,
                format!("environment file `{}` does not exist", env_path.display()),
            ));
            continue;
        }
        if same_file(&env_path, path) || is_system(&env_path) {
            errors.push(sources.error(
                &field,
                format!(
                    "`{}` declares environments itself: an environment must be a scenario (systems do not nest, \
                     and a system naming itself would never end)",
                    env_path.display()
                ),
            ));
            continue;
        }
        let (mut sc, cat) = match crate::scenario::load(&env_path, requested) {
            Ok(x) => x,
            Err(e) => {
                errors.extend(e.0);
                continue;
            }
        };
        match &catalog {
            Some(c) if c.source != cat.source => errors.push(sources.error(
                &field,
                format!(
                    "priced with {}, but the first environment with {}: environments billed together must use the \
                     same catalogs (give --pricing, or the same `pricing:`)",
                    cat.source, c.source
                ),
            )),
            Some(_) => {}
            None => catalog = Some(cat),
        }
        if let Some(first) = environments.first() {
            if let Some(reason) = frame_mismatch(&first.scenario, &sc, &first.name) {
                errors.push(sources.error(&field, reason));
            }
        }
        sc.seed = super::env_seed(seed, &name);
        sc.replications = replications;
        environments.push(Environment {
            name,
            file: env_path,
            scenario: sc,
        });
    }
    (environments, catalog)
}

/// The `environments:` mapping as (name, relative path), in the file's order.
fn env_list(sources: &Sources, v: &Value, errors: &mut Vec<InputError>) -> Vec<(String, String)> {
    let Value::Mapping(m) = v else {
        errors.push(sources.error(
            "environments",
            format!(
                "expected a mapping of environment names to scenario files (`production: production.yaml`), found {}",
                kind_of(v)
            ),
        ));
        return Vec::new();
    };
    if m.is_empty() || m.len() > MAX_ENVIRONMENTS {
        errors.push(sources.error(
            "environments",
            format!("expected 1 to {MAX_ENVIRONMENTS} environments, found {}", m.len()),
        ));
        return Vec::new();
    }
    let mut out = Vec::new();
    for (k, file) in m {
        let Some(name) = k.as_str().filter(|n| valid_name(n)) else {
            errors.push(sources.error(
                "environments",
                "an environment's name must be 1 to 40 letters, digits, `-` or `_` (it prefixes the ids of its checks)",
            ));
            continue;
        };
        match file.as_str() {
            Some(f) if !f.trim().is_empty() => out.push((name.to_string(), f.to_string())),
            _ => errors.push(sources.error(
                &format!("environments.{name}"),
                format!(
                    "expected the path of a scenario file, relative to this file, found {}",
                    kind_of(file)
                ),
            )),
        }
    }
    out
}

fn valid_name(n: &str) -> bool {
    (1..=40).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn same_file(a: &Path, b: &Path) -> bool {
    matches!((std::fs::canonicalize(a), std::fs::canonicalize(b)), (Ok(x), Ok(y)) if x == y)
}

/// Why `sc` cannot be billed month by month with `first` (environment `first_name`), if so.
fn frame_mismatch(first: &Scenario, sc: &Scenario, first_name: &str) -> Option<String> {
    let days = |s: &Scenario| s.horizon / 86_400.0;
    if (first.horizon - sc.horizon).abs() > 1e-6 {
        return Some(format!(
            "its horizon is {} days but {first_name}'s is {} days: environments billed together must cover the same months",
            days(sc),
            days(first)
        ));
    }
    if (first.hours_per_month - sc.hours_per_month).abs() > 1e-9 {
        return Some(format!(
            "its month is {} hours but {first_name}'s is {} hours: environments billed together must share hours_per_month",
            sc.hours_per_month, first.hours_per_month
        ));
    }
    None
}

/// Every component name of every environment's stages, sorted.
fn component_names(envs: &[Environment]) -> Vec<String> {
    let mut names: Vec<String> = envs
        .iter()
        .flat_map(|e| e.scenario.stages.values().flat_map(crate::scenario::component_names))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// `separate_accounts`, each an account some catalog plan belongs to.
fn accounts(sources: &Sources, given: Vec<String>, catalog: &Catalog, errors: &mut Vec<InputError>) -> Vec<String> {
    let mut known: Vec<String> = catalog
        .providers
        .values()
        .flat_map(|p| p.plans.values().filter_map(|pl| pl.account.clone()))
        .collect();
    known.sort();
    known.dedup();
    for (i, a) in given.iter().enumerate() {
        if !known.contains(a) {
            let e = sources.error(&format!("separate_accounts.{i}"), format!("unknown account `{a}`"));
            errors.push(e.allowed(known.clone()));
        }
    }
    given
}

/// An amount of money (`$25`, `25`), at least 0.
fn money(sources: &Sources, field: &str, v: &Value, errors: &mut Vec<InputError>) -> Option<f64> {
    let parsed = match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| "not a number".to_string()),
        Value::String(s) => crate::units::parse_money(s),
        other => Err(format!(
            "expected an amount of money such as `$25`, found {}",
            kind_of(other)
        )),
    };
    match parsed {
        Ok(x) if x.is_finite() && x >= 0.0 => Some(x),
        Ok(x) => {
            errors.push(sources.error(field, format!("expected an amount of at least $0, found {x}")));
            None
        }
        Err(e) => {
            errors.push(sources.error(field, e));
            None
        }
    }
}

/// A figure (`$270`) or a range (`$140-$270`, low ≤ high).
fn range(sources: &Sources, field: &str, v: &Value, errors: &mut Vec<InputError>) -> Option<Range> {
    if let Value::String(s) = v {
        let t = s.trim();
        if let Some(i) = t.get(1..).and_then(|rest| rest.find(['-', '–'])).map(|i| i + 1) {
            let dash = t[i..].chars().next().map_or(1, char::len_utf8);
            let (a, b) = (t[..i].trim(), t[i + dash..].trim());
            let low = money(sources, field, &Value::String(a.into()), errors)?;
            let high = money(sources, field, &Value::String(b.into()), errors)?;
            if low > high {
                errors.push(sources.error(field, format!("a range goes from low to high, found `{t}`")));
                return None;
            }
            return Some(Range { low, high });
        }
    }
    money(sources, field, v, errors).map(|x| Range { low: x, high: x })
}

/// A mapping of component names (or sums `a + b`) to amounts, or to ranges when `ranges`; each
/// name a component of an environment.
fn named_amounts(
    sources: &Sources,
    field: &str,
    m: &serde_yaml::Mapping,
    components: &[String],
    ranges: bool,
    errors: &mut Vec<InputError>,
) -> Vec<(String, Range)> {
    let mut out = Vec::new();
    for (k, v) in m {
        let name = k.as_str().unwrap_or("").to_string();
        let at = format!("{field}.{name}");
        // `cache + rate_limiter`: several components' sum.
        if let Some(bad) = name
            .split('+')
            .map(str::trim)
            .find(|n| !components.iter().any(|c| c == n))
        {
            let e = sources.error(
                &at,
                format!("no environment has a component `{bad}` (`a + b` sums components)"),
            );
            errors.push(e.allowed(components.iter().cloned()));
            continue;
        }
        let parsed = if ranges {
            range(sources, &at, v, errors)
        } else {
            money(sources, &at, v, errors).map(|x| Range { low: x, high: x })
        };
        if let Some(r) = parsed {
            out.push((name, r));
        }
    }
    out
}
