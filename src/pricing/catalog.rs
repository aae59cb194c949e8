//! Reading `pricing/<provider>.yaml` into a checked [`Catalog`].
//!
//! Price lists are written by people from pages that disagree, so the loader is strict: every
//! key must be one it knows (`deny_unknown_fields` on the raw structs), money and sizes go
//! through the unit parsers (`$0.125`, `500MB`, `10M`), and a second pass checks what serde
//! cannot (known usage metrics, bands that rise, a default size that exists, no rate where a
//! plan has hard caps…). Every problem becomes an [`InputError`] with file, field path and
//! line, and all files and checks run before anything is reported.

use super::{
    minutes_per_unit, Capacity, Catalog, CatalogSource, ChosenBy, Confidence, Credit, FeeBasis, Meter, Plan,
    Provenance, Provider, Size, Tier, TierMode, USAGE_METRICS,
};
use crate::error::{InputError, InputErrors};
use crate::units::{Bytes, Count, Money};
use crate::yamlfile::{Sources, YamlFile};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProvider {
    provider: String,
    name: String,
    source: Vec<String>,
    as_of: String,
    confidence: Confidence,
    notes: Option<String>,
    /// Providers with the same account are billed as one account (see [`crate::pricing::Plan::account`]).
    account: Option<String>,
    plans: BTreeMap<String, RawPlan>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    name: String,
    fee: Money,
    #[serde(default)]
    fee_basis: FeeBasis,
    annual_fee: Option<Money>,
    #[serde(default)]
    fee_is_usage_credit: bool,
    /// Billed on its own, outside the provider's account (Supabase read replicas).
    #[serde(default)]
    add_on: bool,
    credit: Option<RawCredit>,
    #[serde(default)]
    meters: BTreeMap<String, RawMeter>,
    #[serde(default)]
    sizes: BTreeMap<String, RawSize>,
    default_size: Option<String>,
    #[serde(default)]
    capacity: RawCapacity,
    #[serde(default)]
    hard_caps: bool,
    source: Option<Vec<String>>,
    as_of: Option<String>,
    confidence: Option<Confidence>,
    notes: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCredit {
    amount: Money,
    #[serde(default)]
    per_seat: bool,
    #[serde(default)]
    applies_to: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeter {
    metric: String,
    unit: String,
    per: Option<Count>,
    included: Option<Count>,
    #[serde(default)]
    included_per_seat: bool,
    rate: Option<Money>,
    #[serde(default)]
    per_minute: bool,
    #[serde(default)]
    tiers: Vec<RawTier>,
    tier_mode: Option<TierMode>,
    block: Option<Count>,
    multiplier: Option<f64>,
    source: Option<Vec<String>>,
    as_of: Option<String>,
    confidence: Option<Confidence>,
    notes: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    up_to: Option<Count>,
    rate: Money,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSize {
    name: String,
    hourly: Option<Money>,
    monthly: Option<Money>,
    #[serde(default)]
    capacity: RawCapacity,
    source: Option<Vec<String>>,
    as_of: Option<String>,
    confidence: Option<Confidence>,
    notes: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCapacity {
    vcpu: Option<f64>,
    ram: Option<Bytes>,
    direct_connections: Option<u32>,
    pooled_connections: Option<u32>,
    db_size_limit: Option<Bytes>,
    #[serde(default)]
    read_only_over_limit: bool,
    commands_per_sec: Option<Count>,
    max_vectors: Option<Count>,
    storage: Option<Bytes>,
    max_replicas: Option<u32>,
    requests_per_min: Option<Count>,
    max_concurrency: Option<u32>,
}

/// The catalogs compiled into the binary: every `pricing/*.yaml`, by file name. An explicit
/// list (not a build script or a crate) so that what ships is plain to read; the test
/// `every_pricing_file_is_built_in` fails when a catalog file is added but not listed here.
pub const BUILTIN_CATALOGS: &[(&str, &str)] = &[
    ("aws_cloudfront.yaml", include_str!("../../pricing/aws_cloudfront.yaml")),
    ("aws_ec2.yaml", include_str!("../../pricing/aws_ec2.yaml")),
    (
        "aws_ecs_fargate.yaml",
        include_str!("../../pricing/aws_ecs_fargate.yaml"),
    ),
    (
        "aws_elasticache.yaml",
        include_str!("../../pricing/aws_elasticache.yaml"),
    ),
    (
        "aws_rds_postgresql.yaml",
        include_str!("../../pricing/aws_rds_postgresql.yaml"),
    ),
    ("aws_s3.yaml", include_str!("../../pricing/aws_s3.yaml")),
    ("cloudflare.yaml", include_str!("../../pricing/cloudflare.yaml")),
    ("cloudflare_r2.yaml", include_str!("../../pricing/cloudflare_r2.yaml")),
    ("openai_api.yaml", include_str!("../../pricing/openai_api.yaml")),
    ("posthog.yaml", include_str!("../../pricing/posthog.yaml")),
    ("qdrant_cloud.yaml", include_str!("../../pricing/qdrant_cloud.yaml")),
    ("railway.yaml", include_str!("../../pricing/railway.yaml")),
    ("railway_redis.yaml", include_str!("../../pricing/railway_redis.yaml")),
    ("sentry.yaml", include_str!("../../pricing/sentry.yaml")),
    ("supabase.yaml", include_str!("../../pricing/supabase.yaml")),
    ("upstash_redis.yaml", include_str!("../../pricing/upstash_redis.yaml")),
    ("vercel.yaml", include_str!("../../pricing/vercel.yaml")),
];

/// The nearest directory named `pricing` that holds at least one `*.yaml` file, looking in
/// `start` (a directory) and then in each of its parents. `start` is made absolute first so
/// the search does not stop at a relative path's first component. The result is relative to
/// the current directory when it lies inside it (reports then read `pricing`, not a path
/// that only exists on one machine), else absolute.
pub fn nearest_pricing_dir(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    let found = start
        .ancestors()
        .map(|d| d.join("pricing"))
        .find(|candidate| !yaml_files(candidate).unwrap_or_default().is_empty())?;
    let cwd = std::env::current_dir().and_then(std::fs::canonicalize).ok();
    Some(match cwd.as_deref().and_then(|c| found.strip_prefix(c).ok()) {
        Some(rel) => rel.to_path_buf(),
        None => found,
    })
}

/// The `*.yaml` files directly in `dir`, sorted.
/// Every `*.yaml` of `dir`, sorted. Every one is read (a FIFO or a directory named so is an
/// error when read, not skipped), and there are at most [`MAX_CATALOG_FILES`]: each may hold
/// 1 MiB.
fn yaml_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    if files.len() > MAX_CATALOG_FILES {
        let n = files.len();
        return Err(std::io::Error::other(format!(
            "{n} catalog files; at most {MAX_CATALOG_FILES} are read"
        )));
    }
    Ok(files)
}

/// The most catalog files one directory may hold.
pub const MAX_CATALOG_FILES: usize = 1_000;

/// One provider's catalog from its text (the fuzz harness), checked as `load_dir` checks a file.
pub fn provider_from_text(path: &Path, text: &str) -> Result<Provider, InputErrors> {
    let file = YamlFile::parse(path, text)?;
    provider_from_file(file).map_err(InputErrors)
}

impl Catalog {
    /// Loads the catalogs `source` names: the built-in ones, or every `*.yaml` of a directory.
    pub fn load(source: &CatalogSource) -> Result<Catalog, InputErrors> {
        match source {
            CatalogSource::BuiltIn { .. } => Catalog::builtin(),
            CatalogSource::Directory { path, chosen_by } => Catalog::load_dir(path, *chosen_by),
        }
    }

    /// The catalogs compiled into this binary ([`BUILTIN_CATALOGS`]). Errors name the file as
    /// `pricing/<file> (built-in)`.
    pub fn builtin() -> Result<Catalog, InputErrors> {
        let files = BUILTIN_CATALOGS
            .iter()
            .map(|(name, text)| {
                let shown = PathBuf::from(format!("pricing/{name} (built-in)"));
                YamlFile::parse(&shown, text)
            })
            .collect();
        Catalog::from_files(files, CatalogSource::builtin())
    }

    /// Loads every `*.yaml` in `dir` (one provider per file, id = the file's `provider:`
    /// field); `chosen_by` is recorded in the catalog's source and named in the errors about
    /// the directory itself. All problems in all files are reported, each located (file,
    /// field path, line:col); serde stops at the first type error of a file, the checks after
    /// it do not.
    pub fn load_dir(dir: &Path, chosen_by: ChosenBy) -> Result<Catalog, InputErrors> {
        let files = yaml_files(dir).map_err(|e| {
            let reason = if e.kind() == std::io::ErrorKind::NotFound {
                format!("{} does not exist", chosen_by.the_dir())
            } else {
                format!("cannot read {}: {e}", chosen_by.the_dir())
            };
            InputError::new(dir, "", reason)
        })?;
        if files.is_empty() {
            return Err(InputError::new(
                dir,
                "",
                format!(
                    "no pricing catalogs in {}: expected one `<provider>.yaml` file per provider",
                    chosen_by.the_dir()
                ),
            )
            .into());
        }
        let files = files.iter().map(|p| YamlFile::read(p)).collect();
        Catalog::from_files(files, CatalogSource::dir(dir, chosen_by))
    }

    /// Checks read or parsed catalog files into one catalog, reporting every problem.
    fn from_files(files: Vec<Result<YamlFile, InputError>>, source: CatalogSource) -> Result<Catalog, InputErrors> {
        let mut errors = Vec::new();
        let mut providers = BTreeMap::new();
        let mut origin: BTreeMap<String, PathBuf> = BTreeMap::new();
        for file in files {
            let file = match file {
                Ok(f) => f,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let path = file.path.clone();
            let sources = Sources::single(&file);
            match provider_from_file(file) {
                Ok(p) => {
                    if let Some(first) = origin.get(&p.id) {
                        errors.push(sources.error(
                            "provider",
                            format!(
                                "provider `{}` is already defined in `{}`; each provider has one file",
                                p.id,
                                first.display()
                            ),
                        ));
                    } else {
                        origin.insert(p.id.clone(), path);
                        providers.insert(p.id.clone(), p);
                    }
                }
                Err(mut es) => errors.append(&mut es),
            }
        }
        if errors.is_empty() {
            Ok(Catalog { providers, source })
        } else {
            Err(InputErrors(errors))
        }
    }
}

/// Deserialises and checks one catalog file.
fn provider_from_file(file: YamlFile) -> Result<Provider, Vec<InputError>> {
    let sources = Sources::single(&file);
    let raw: RawProvider = sources.deserialize(file.value).map_err(|e| vec![e])?;
    let mut check = Checker {
        sources,
        errors: Vec::new(),
    };
    let provider = check.provider(raw);
    if check.errors.is_empty() {
        Ok(provider)
    } else {
        Err(check.errors)
    }
}

/// The semantic pass: converts raw structs and records every problem it finds.
struct Checker {
    sources: Sources,
    errors: Vec<InputError>,
}

impl Checker {
    fn fail(&mut self, field: &str, reason: impl Into<String>) {
        let e = self.sources.error(field, reason);
        self.errors.push(e);
    }

    fn fail_allowed(&mut self, field: &str, reason: impl Into<String>, allowed: Vec<String>) {
        let e = self.sources.error(field, reason).allowed(allowed);
        self.errors.push(e);
    }

    fn non_empty(&mut self, field: &str, text: &str, what: &str) {
        if text.trim().is_empty() {
            self.fail(field, format!("{what} is empty"));
        }
    }

    fn sources_list(&mut self, field: &str, list: &[String]) {
        if list.is_empty() {
            self.fail(field, "no source given: list the pages or files the prices come from");
        }
        for (i, s) in list.iter().enumerate() {
            self.non_empty(&format!("{field}[{i}]"), s, "source");
        }
    }

    fn provider(&mut self, raw: RawProvider) -> Provider {
        self.non_empty("provider", &raw.provider, "provider id");
        self.non_empty("name", &raw.name, "name");
        self.sources_list("source", &raw.source);
        self.non_empty("as_of", &raw.as_of, "as_of");
        let provenance = Provenance {
            source: raw.source,
            as_of: raw.as_of,
            confidence: raw.confidence,
        };
        if raw.plans.is_empty() {
            self.fail("plans", "no plans: a provider needs at least one");
        }
        if let Some(a) = &raw.account {
            self.non_empty("account", a, "account");
        }
        let plans = raw
            .plans
            .into_iter()
            .map(|(id, p)| {
                let account = if p.add_on { None } else { raw.account.clone() };
                let mut plan = self.plan(&id, p, &provenance);
                plan.account = account;
                (id, plan)
            })
            .collect();
        Provider {
            id: raw.provider,
            name: raw.name,
            provenance,
            plans,
            notes: raw.notes,
        }
    }

    /// Provenance given at `path` (any of source / as_of / confidence), the rest from `base`.
    fn provenance(
        &mut self,
        path: &str,
        source: Option<Vec<String>>,
        as_of: Option<String>,
        confidence: Option<Confidence>,
        base: &Provenance,
    ) -> Option<Provenance> {
        if source.is_none() && as_of.is_none() && confidence.is_none() {
            return None;
        }
        if let Some(s) = &source {
            self.sources_list(&format!("{path}.source"), s);
        }
        if let Some(a) = &as_of {
            self.non_empty(&format!("{path}.as_of"), a, "as_of");
        }
        Some(Provenance {
            source: source.unwrap_or_else(|| base.source.clone()),
            as_of: as_of.unwrap_or_else(|| base.as_of.clone()),
            confidence: confidence.unwrap_or(base.confidence),
        })
    }

    fn plan(&mut self, id: &str, raw: RawPlan, base: &Provenance) -> Plan {
        let path = format!("plans.{id}");
        self.non_empty(&format!("{path}.name"), &raw.name, "name");
        let provenance = self
            .provenance(&path, raw.source, raw.as_of, raw.confidence, base)
            .unwrap_or_else(|| base.clone());
        let meters: BTreeMap<String, Meter> = raw
            .meters
            .into_iter()
            .map(|(key, m)| {
                let meter = self.meter(&format!("{path}.meters.{key}"), m, raw.hard_caps, &provenance);
                (key, meter)
            })
            .collect();
        let sizes: BTreeMap<String, Size> = raw
            .sizes
            .into_iter()
            .map(|(key, s)| {
                let size = self.size(&format!("{path}.sizes.{key}"), s, &provenance);
                (key, size)
            })
            .collect();
        if let Some(d) = &raw.default_size {
            if !sizes.contains_key(d) {
                self.fail_allowed(
                    &format!("{path}.default_size"),
                    format!("default size `{d}` is not one of the plan's sizes"),
                    sizes.keys().cloned().collect(),
                );
            }
        }
        let credit = raw.credit.map(|c| {
            let mut allowed: Vec<String> = vec!["sizes".to_string()];
            allowed.extend(meters.keys().cloned());
            for (i, target) in c.applies_to.iter().enumerate() {
                if !allowed.contains(target) {
                    self.fail_allowed(
                        &format!("{path}.credit.applies_to[{i}]"),
                        format!(
                            "the credit cannot apply to `{target}`: it is neither `sizes` nor a meter of this plan"
                        ),
                        allowed.clone(),
                    );
                }
            }
            Credit {
                amount: c.amount.0,
                per_seat: c.per_seat,
                applies_to: c.applies_to,
            }
        });
        let capacity = self.capacity(&format!("{path}.capacity"), raw.capacity);
        Plan {
            id: id.to_string(),
            name: raw.name,
            fee: raw.fee.0,
            fee_basis: raw.fee_basis,
            annual_fee: raw.annual_fee.map(|m| m.0),
            fee_is_usage_credit: raw.fee_is_usage_credit,
            credit,
            meters,
            sizes,
            default_size: raw.default_size,
            capacity,
            hard_caps: raw.hard_caps,
            account: None,
            provenance,
            notes: raw.notes,
        }
    }

    fn meter(&mut self, path: &str, raw: RawMeter, hard_caps: bool, base: &Provenance) -> Meter {
        if !USAGE_METRICS.iter().any(|(name, _)| *name == raw.metric) {
            self.fail_allowed(
                &format!("{path}.metric"),
                format!("unknown usage metric `{}`", raw.metric),
                USAGE_METRICS.iter().map(|(n, _)| n.to_string()).collect(),
            );
        }
        self.non_empty(&format!("{path}.unit"), &raw.unit, "unit");
        let per = raw.per.map_or(1.0, |c| c.0);
        if per <= 0.0 {
            self.fail(&format!("{path}.per"), "`per` must be more than zero");
        }
        if let Some(b) = raw.block {
            if b.0 <= 0.0 {
                self.fail(&format!("{path}.block"), "`block` must be more than zero");
            }
        }
        let multiplier = raw.multiplier.unwrap_or(1.0);
        if !(multiplier.is_finite() && multiplier > 0.0) {
            self.fail(
                &format!("{path}.multiplier"),
                format!("multiplier `{multiplier}` must be a number more than zero"),
            );
        }
        let included = raw.included.map_or(0.0, |c| c.0);
        if !raw.tiers.is_empty() {
            if raw.rate.is_some() {
                self.fail(
                    &format!("{path}.rate"),
                    "a meter has either `rate` or `tiers`, not both",
                );
            }
            if included > 0.0 || raw.included_per_seat {
                self.fail(
                    &format!("{path}.included"),
                    "tiers apply to the whole usage: write the free allowance as a first band with rate 0, not as `included`",
                );
            }
            if hard_caps {
                self.fail(
                    &format!("{path}.tiers"),
                    "this plan has hard caps and bills no overage: give the cap as `included`, without tiers",
                );
            }
            self.tiers(path, &raw.tiers);
        } else if raw.tier_mode.is_some() {
            self.fail(&format!("{path}.tier_mode"), "`tier_mode` needs `tiers`");
        }
        if hard_caps && raw.rate.is_some() {
            self.fail(
                &format!("{path}.rate"),
                "this plan has hard caps and bills no overage: remove the rate (or set `hard_caps: false`)",
            );
        }
        if raw.per_minute {
            if raw.rate.is_none() {
                self.fail(
                    &format!("{path}.per_minute"),
                    "`per_minute` qualifies a `rate`: give one",
                );
            }
            if minutes_per_unit(&raw.metric, 1.0).is_none() {
                let timed = USAGE_METRICS
                    .iter()
                    .map(|(n, _)| n.to_string())
                    .filter(|n| minutes_per_unit(n, 1.0).is_some());
                self.fail_allowed(
                    &format!("{path}.per_minute"),
                    format!(
                        "`per_minute` needs a metric counted in time (hours or months), not `{}`",
                        raw.metric
                    ),
                    timed.collect(),
                );
            }
        }
        let provenance = self.provenance(path, raw.source, raw.as_of, raw.confidence, base);
        Meter {
            metric: raw.metric,
            unit: raw.unit,
            per,
            included,
            included_per_seat: raw.included_per_seat,
            rate: raw.rate.map(|m| m.0),
            per_minute: raw.per_minute,
            tiers: raw
                .tiers
                .iter()
                .map(|t| Tier {
                    up_to: t.up_to.map(|c| c.0),
                    rate: t.rate.0,
                })
                .collect(),
            tier_mode: raw.tier_mode.unwrap_or_default(),
            block: raw.block.map(|c| c.0),
            multiplier,
            provenance,
            notes: raw.notes,
        }
    }

    /// Bands must rise strictly, and only the last may be open-ended.
    fn tiers(&mut self, path: &str, tiers: &[RawTier]) {
        let mut previous = 0.0;
        for (i, t) in tiers.iter().enumerate() {
            let field = format!("{path}.tiers[{i}].up_to");
            match t.up_to {
                None if i + 1 < tiers.len() => {
                    self.fail(&field, "only the last band may have no `up_to`");
                }
                None => {}
                Some(Count(u)) => {
                    if u <= previous {
                        self.fail(
                            &field,
                            format!("bands must rise: `up_to` {u} is not above the previous band's {previous}"),
                        );
                    }
                    previous = u;
                }
            }
        }
    }

    fn size(&mut self, path: &str, raw: RawSize, base: &Provenance) -> Size {
        self.non_empty(&format!("{path}.name"), &raw.name, "name");
        Size {
            name: raw.name,
            hourly: raw.hourly.map(|m| m.0),
            monthly: raw.monthly.map(|m| m.0),
            capacity: self.capacity(&format!("{path}.capacity"), raw.capacity),
            provenance: self.provenance(path, raw.source, raw.as_of, raw.confidence, base),
            notes: raw.notes,
        }
    }

    fn capacity(&mut self, path: &str, raw: RawCapacity) -> Capacity {
        if let Some(v) = raw.vcpu {
            if !(v.is_finite() && v > 0.0) {
                self.fail(
                    &format!("{path}.vcpu"),
                    format!("vcpu `{v}` must be a number more than zero"),
                );
            }
        }
        if raw.read_only_over_limit && raw.db_size_limit.is_none() {
            self.fail(
                &format!("{path}.read_only_over_limit"),
                "`read_only_over_limit` needs `db_size_limit`",
            );
        }
        Capacity {
            vcpu: raw.vcpu,
            ram_bytes: raw.ram.map(|b| b.0),
            direct_connections: raw.direct_connections,
            pooled_connections: raw.pooled_connections,
            db_size_limit_bytes: raw.db_size_limit.map(|b| b.0),
            read_only_over_limit: raw.read_only_over_limit,
            commands_per_sec: raw.commands_per_sec.map(|c| c.0),
            max_vectors: raw.max_vectors.map(|c| c.0),
            storage_bytes: raw.storage.map(|b| b.0),
            max_replicas: raw.max_replicas,
            requests_per_min: raw.requests_per_min.map(|c| c.0),
            max_concurrency: raw.max_concurrency,
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::pricing::{bill, BillOptions, Usage};

    /// A provider file around `plans` (already indented under `plans:`).
    pub(crate) fn provider_yaml(plans: &str) -> String {
        format!(
            "provider: acme\nname: Acme\nsource: [https://example.com/pricing]\nas_of: \"2026-01\"\nconfidence: official\nplans:\n{plans}"
        )
    }

    pub(crate) fn parse(text: &str) -> Result<Provider, Vec<InputError>> {
        provider_from_file(YamlFile::parse(Path::new("acme.yaml"), text).map_err(|e| vec![e])?)
    }

    /// One plan `p` whose body is `body` (a YAML mapping written at column 0).
    pub(crate) fn plan(body: &str) -> Plan {
        let indented: String = body.lines().map(|l| format!("    {l}\n")).collect();
        let provider = parse(&provider_yaml(&format!("  p:\n{indented}")))
            .unwrap_or_else(|e| panic!("test plan does not load: {}", InputErrors(e)));
        provider.plans["p"].clone()
    }

    fn pricing_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing")
    }

    fn real_catalog() -> Catalog {
        Catalog::load_dir(&pricing_dir(), ChosenBy::Flag).unwrap_or_else(|e| panic!("pricing/ does not load:\n{e}"))
    }

    /// A catalog file added to pricing/ but not to `BUILTIN_CATALOGS` would be missing from
    /// every installed binary; a listed file that was removed would not compile.
    #[test]
    fn every_pricing_file_is_built_in() {
        let on_disk: Vec<String> = yaml_files(&pricing_dir())
            .unwrap()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
            .collect();
        let built_in: Vec<String> = BUILTIN_CATALOGS.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(
            built_in, on_disk,
            "BUILTIN_CATALOGS must list every pricing/*.yaml, sorted"
        );
        for (name, text) in BUILTIN_CATALOGS {
            assert_eq!(
                *text,
                std::fs::read_to_string(pricing_dir().join(name)).unwrap(),
                "{name}"
            );
        }
    }

    #[test]
    fn built_in_catalog_is_the_pricing_directory() {
        let built_in = Catalog::builtin().unwrap_or_else(|e| panic!("built-in catalogs do not load:\n{e}"));
        assert_eq!(built_in.source, CatalogSource::builtin());
        assert_eq!(
            built_in.source.to_string(),
            format!("built-in catalogs (capsim {})", env!("CARGO_PKG_VERSION"))
        );
        let dir = real_catalog();
        assert_eq!(
            serde_json::to_value(&built_in.providers).unwrap(),
            serde_json::to_value(&dir.providers).unwrap()
        );
    }

    #[test]
    fn built_in_errors_name_the_file() {
        let e = YamlFile::parse(Path::new("pricing/acme.yaml (built-in)"), "provider: [").unwrap_err();
        let files = vec![
            Err(e),
            YamlFile::parse(Path::new("pricing/b.yaml (built-in)"), "provider: b\n"),
        ];
        let errs = Catalog::from_files(files, CatalogSource::builtin()).unwrap_err();
        let text = errs.to_string();
        assert!(text.contains("pricing/acme.yaml (built-in):"), "{text}");
        assert!(text.contains("pricing/b.yaml (built-in)"), "{text}");
    }

    #[test]
    fn named_directory_that_is_missing_or_empty_says_who_named_it() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        let e = &Catalog::load_dir(&missing, ChosenBy::Env).unwrap_err().0[0];
        assert_eq!(e.file, missing);
        assert_eq!(e.reason, "the pricing directory named by CAPSIM_PRICING does not exist");
        let e = &Catalog::load_dir(dir.path(), ChosenBy::Flag).unwrap_err().0[0];
        assert!(
            e.reason
                .starts_with("no pricing catalogs in the pricing directory named by --pricing"),
            "{e}"
        );
    }

    #[test]
    fn nearest_pricing_dir_needs_yaml_files_and_searches_upward() {
        let root = tempfile::tempdir().unwrap();
        let deep = root.path().join("a").join("b");
        std::fs::create_dir_all(&deep).unwrap();
        // An empty `pricing/` on the way up (a web app's pricing page, say) is skipped.
        std::fs::create_dir_all(root.path().join("a").join("pricing")).unwrap();
        let found = root.path().join("pricing");
        std::fs::create_dir_all(&found).unwrap();
        std::fs::write(found.join("acme.yaml"), provider_yaml("  pro: {name: Pro, fee: $5}\n")).unwrap();
        let got = nearest_pricing_dir(&deep).expect("found");
        assert_eq!(
            std::fs::canonicalize(got).unwrap(),
            std::fs::canonicalize(&found).unwrap()
        );
        assert!(nearest_pricing_dir(&root.path().join("missing")).is_none());
    }

    #[test]
    fn real_catalog_loads_and_every_plan_has_provenance() {
        let cat = real_catalog();
        for needed in [
            "vercel",
            "railway",
            "railway_redis",
            "supabase",
            "qdrant_cloud",
            "upstash_redis",
            "posthog",
            "sentry",
            "openai_api",
            "cloudflare",
            "cloudflare_r2",
            "aws_cloudfront",
            "aws_s3",
            "aws_ecs_fargate",
            "aws_rds_postgresql",
            "aws_elasticache",
            "aws_ec2",
        ] {
            assert!(cat.providers.contains_key(needed), "missing provider {needed}");
        }
        for (pid, p) in &cat.providers {
            assert_eq!(pid, &p.id);
            for (plan_id, plan) in &p.plans {
                let all = std::iter::once(&plan.provenance)
                    .chain(plan.meters.values().filter_map(|m| m.provenance.as_ref()))
                    .chain(plan.sizes.values().filter_map(|s| s.provenance.as_ref()));
                for prov in all {
                    assert!(!prov.source.is_empty(), "{pid}.{plan_id} has no source");
                    assert!(prov.source.iter().all(|s| !s.trim().is_empty()), "{pid}.{plan_id}");
                    assert!(!prov.as_of.trim().is_empty(), "{pid}.{plan_id} has no as_of");
                }
            }
        }
    }

    #[test]
    fn real_supabase_pro_micro_has_published_connections() {
        let cat = real_catalog();
        let pro = cat.plan("supabase", "pro").unwrap();
        assert_eq!(pro.default_size.as_deref(), Some("micro"));
        let micro = pro.size("micro").unwrap();
        assert_eq!(micro.capacity.direct_connections, Some(60));
        assert_eq!(micro.capacity.pooled_connections, Some(200));
        assert_eq!(micro.hourly, Some(0.01344));
        let free = cat.plan("supabase", "free").unwrap();
        assert!(free.hard_caps);
        assert_eq!(free.capacity.db_size_limit_bytes, Some(500e6));
        assert!(free.capacity.read_only_over_limit);
        // The compute credit covers Micro, so an idle Pro project costs the fee alone.
        let b = bill(pro, &Usage::new(), &BillOptions::default());
        assert!((b.total - 25.0).abs() < 1e-9, "{b:#?}");
    }

    #[test]
    fn real_railway_pro_two_vcpu_two_gb_bills_usage_above_the_commitment() {
        let cat = real_catalog();
        let pro = cat.plan("railway", "pro").unwrap();
        let usage = Usage::from([
            ("vcpu_hours".to_string(), 2.0 * 730.0),
            ("ram_gb_hours".to_string(), 2.0 * 730.0),
        ]);
        let b = bill(pro, &usage, &BillOptions::default());
        // Railway bills per minute: 2 × 730 h = 1,460 vCPU-hours = 87,600 vCPU-minutes.
        // CPU: 87,600 × $0.000463 = $40.5588; RAM: 87,600 GB-minutes × $0.000231 = $20.2356;
        // usage $60.7944; max($20 commitment, $60.7944) = $60.7944 (not the rounded $60).
        let cpu = b.lines.iter().find(|l| l.item == "cpu").unwrap();
        assert!((cpu.amount - 40.5588).abs() < 1e-9, "{cpu:#?}");
        assert!(
            cpu.arithmetic
                .contains("1460 vCPU-hours × 60 min/h = 87.6K minutes × $0.000463/minute = $40.56"),
            "{}",
            cpu.arithmetic
        );
        assert!((b.total - 60.7944).abs() < 1e-9, "{b:#?}");
        let commit = b.lines.iter().find(|l| l.item == "usage below commitment").unwrap();
        assert_eq!(commit.amount, 0.0);
        assert!(commit.arithmetic.contains("usage applies"), "{}", commit.arithmetic);
        // A month of one vCPU, one GB of RAM and one GB of volume (43,800 minutes each):
        // $20.2794, $10.1178 and 43,800 × $0.000003472222222 = $0.15208333 (≈ $0.152).
        let one = Usage::from([
            ("vcpu_hours".to_string(), 730.0),
            ("ram_gb_hours".to_string(), 730.0),
            ("storage_gb_months".to_string(), 1.0),
        ]);
        let b = bill(pro, &one, &BillOptions::default());
        let amount = |item: &str| b.lines.iter().find(|l| l.item == item).unwrap().amount;
        assert!((amount("cpu") - 20.2794).abs() < 1e-9);
        assert!((amount("ram") - 10.1178).abs() < 1e-9);
        assert!((amount("volume") - 0.152083333324).abs() < 1e-9, "{}", amount("volume"));
    }

    #[test]
    fn real_rds_unpriced_class_warns_and_multi_az_doubles() {
        let cat = real_catalog();
        let rds = cat.plan("aws_rds_postgresql", "on_demand").unwrap();
        let opts = BillOptions {
            size: Some("db.t4g.micro".into()),
            multiplier: 2.0,
            ..Default::default()
        };
        let usage = Usage::from([("storage_gb_peak".to_string(), 20.0)]);
        let b = bill(rds, &usage, &opts);
        // (0.016 × 730 + 20 × 0.115) × 2
        assert!((b.total - (0.016 * 730.0 + 20.0 * 0.115) * 2.0).abs() < 1e-9, "{b:#?}");
        let opts = BillOptions {
            size: Some("db.m6g.large".into()),
            ..Default::default()
        };
        let b = bill(rds, &Usage::new(), &opts);
        assert!(b.warnings.iter().any(|w| w.contains("no published price")), "{b:#?}");
    }

    #[test]
    fn unknown_field_is_located() {
        let text = provider_yaml(
            "  pro:\n    name: Pro\n    fee: $25\n    meters:\n      egress: {metric: egress_gb, unit: GB, rat: $0.09}\n",
        );
        let errs = parse(&text).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        let e = &errs[0];
        assert_eq!(e.file, Path::new("acme.yaml"));
        assert_eq!(e.field, "plans.pro.meters.egress.rat");
        assert_eq!(e.line, Some(11));
        assert!(e.reason.contains("unknown field `rat`"), "{e}");
        assert!(e.allowed.contains(&"rate".to_string()), "{e}");
    }

    #[test]
    fn unknown_field_in_a_file_of_a_directory_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("acme.yaml"),
            provider_yaml("  pro: {name: Pro, fee: $5, colour: red}\n"),
        )
        .unwrap();
        std::fs::write(dir.path().join("README.md"), "not a catalog").unwrap();
        let errs = Catalog::load_dir(dir.path(), ChosenBy::Flag).unwrap_err().0;
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].file, dir.path().join("acme.yaml"));
        assert_eq!(errs[0].field, "plans.pro.colour");
        assert_eq!(errs[0].line, Some(7));
    }

    #[test]
    fn bad_money_is_located() {
        let errs = parse(&provider_yaml("  pro:\n    name: Pro\n    fee: twenty\n")).unwrap_err();
        assert_eq!(errs[0].field, "plans.pro.fee");
        assert_eq!(errs[0].line, Some(9));
        assert!(errs[0].reason.contains("`$25`"), "{}", errs[0]);
    }

    #[test]
    fn semantic_errors_are_all_reported_with_positions() {
        let text = provider_yaml(concat!(
            "  pro:\n",
            "    name: Pro\n",
            "    fee: $25\n",
            "    default_size: huge\n",
            "    credit: {amount: $10, applies_to: [sizes, bandwidth]}\n",
            "    sizes:\n",
            "      small: {name: Small, hourly: $0.02}\n",
            "    meters:\n",
            "      cpu: {metric: cpu_seconds, unit: s, rate: $1}\n",
            "      disk: {metric: storage_gb_peak, unit: GB, rate: $1, multiplier: -2}\n",
            "      events:\n",
            "        metric: events\n",
            "        unit: events\n",
            "        tiers:\n",
            "          - {up_to: 2M, rate: $0}\n",
            "          - {up_to: 1M, rate: $0.1}\n",
            "          - {rate: $0.01}\n",
        ));
        let errs = parse(&text).unwrap_err();
        let by_field = |f: &str| {
            errs.iter()
                .find(|e| e.field == f)
                .unwrap_or_else(|| panic!("no error at {f}: {errs:#?}"))
        };
        let e = by_field("plans.pro.default_size");
        assert_eq!((e.line, e.allowed.clone()), (Some(10), vec!["small".to_string()]));
        let e = by_field("plans.pro.credit.applies_to[1]");
        assert_eq!(e.allowed, vec!["sizes", "cpu", "disk", "events"]);
        let e = by_field("plans.pro.meters.cpu.metric");
        assert!(e.allowed.contains(&"vcpu_hours".to_string()) && e.allowed.len() == USAGE_METRICS.len());
        assert_eq!(e.line, Some(15));
        assert_eq!(by_field("plans.pro.meters.disk.multiplier").line, Some(16));
        let e = by_field("plans.pro.meters.events.tiers[1].up_to");
        assert_eq!(e.line, Some(22));
        assert_eq!(errs.len(), 5, "{errs:#?}");
    }

    #[test]
    fn hard_caps_plans_reject_rates_and_tiers_reject_included() {
        let text = provider_yaml(concat!(
            "  free:\n",
            "    name: Free\n",
            "    fee: $0\n",
            "    hard_caps: true\n",
            "    meters:\n",
            "      egress: {metric: egress_gb, unit: GB, included: 5, rate: $0.09}\n",
            "  paid:\n",
            "    name: Paid\n",
            "    fee: $0\n",
            "    meters:\n",
            "      events: {metric: events, unit: events, included: 1M, tiers: [{rate: $0.00005}]}\n",
        ));
        let errs = parse(&text).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["plans.free.meters.egress.rate", "plans.paid.meters.events.included"]
        );
    }

    #[test]
    fn duplicate_provider_and_empty_directory_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Catalog::load_dir(dir.path(), ChosenBy::Flag).unwrap_err().0[0]
            .reason
            .contains("no pricing catalogs"));
        let text = provider_yaml("  pro: {name: Pro, fee: $5}\n");
        std::fs::write(dir.path().join("a.yaml"), &text).unwrap();
        std::fs::write(dir.path().join("b.yaml"), &text).unwrap();
        let errs = Catalog::load_dir(dir.path(), ChosenBy::Flag).unwrap_err().0;
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].file, dir.path().join("b.yaml"));
        assert_eq!((errs[0].field.as_str(), errs[0].line), ("provider", Some(1)));
    }

    #[test]
    fn unknown_plan_provider_and_size_list_what_is_known() {
        let cat = real_catalog();
        let (reason, allowed) = cat.plan("supabase", "platinum").unwrap_err();
        assert!(reason.contains("supabase") && reason.contains("platinum"), "{reason}");
        assert_eq!(
            allowed,
            cat.providers["supabase"].plans.keys().cloned().collect::<Vec<_>>()
        );
        assert!(allowed.contains(&"pro".to_string()));
        let (reason, allowed) = cat.plan("heroku", "basic").unwrap_err();
        assert!(reason.contains("unknown provider `heroku`"), "{reason}");
        assert!(allowed.contains(&"railway".to_string()));
        let (reason, allowed) = cat.plan("supabase", "pro").unwrap().size("mega").unwrap_err();
        assert!(reason.contains("mega"), "{reason}");
        assert!(allowed.contains(&"16xl".to_string()));
    }

    #[test]
    fn meter_and_size_provenance_fill_in_from_the_plan() {
        let p = plan(concat!(
            "name: P\n",
            "fee: $1\n",
            "as_of: \"2026-05\"\n",
            "sizes:\n",
            "  s: {name: S, hourly: null, confidence: unconfirmed}\n",
            "meters:\n",
            "  cpu: {metric: vcpu_hours, unit: vCPU-hours, rate: $0.128, confidence: third_party, source: [https://blog.example]}\n",
            "  egress: {metric: egress_gb, unit: GB, rate: $0.1}\n",
        ));
        assert_eq!(p.provenance.as_of, "2026-05");
        assert_eq!(p.provenance.source, vec!["https://example.com/pricing"]);
        let cpu = p.meters["cpu"].provenance.as_ref().unwrap();
        assert_eq!(
            (cpu.confidence, cpu.as_of.as_str()),
            (Confidence::ThirdParty, "2026-05")
        );
        assert_eq!(cpu.source, vec!["https://blog.example"]);
        assert!(p.meters["egress"].provenance.is_none());
        let s = &p.sizes["s"];
        assert_eq!(
            (s.hourly, s.provenance.as_ref().unwrap().confidence),
            (None, Confidence::Unconfirmed)
        );
    }
}
