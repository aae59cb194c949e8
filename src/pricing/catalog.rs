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

#[derive(Deserialize, schemars::JsonSchema)]
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

#[derive(Deserialize, schemars::JsonSchema)]
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
    terms: Option<super::Terms>,
    source: Option<Vec<String>>,
    as_of: Option<String>,
    confidence: Option<Confidence>,
    notes: Option<String>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawCredit {
    amount: Money,
    #[serde(default)]
    per_seat: bool,
    /// Granted once, not every month: what a month leaves unused carries to the next.
    #[serde(default)]
    once: bool,
    #[serde(default)]
    applies_to: Vec<String>,
}

#[derive(Deserialize, schemars::JsonSchema)]
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

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawTier {
    up_to: Option<Count>,
    rate: Money,
}

#[derive(Deserialize, schemars::JsonSchema)]
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

#[derive(Deserialize, Default, schemars::JsonSchema)]
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
    #[serde(default)]
    per_service: bool,
}

/// The catalogs compiled into the binary: every `pricing/*.yaml`, by file name. An explicit
/// list (not a build script or a crate) so that what ships is plain to read; the test
/// `every_pricing_file_is_built_in` fails when a catalog file is added but not listed here.
pub const BUILTIN_CATALOGS: &[(&str, &str)] = &[
    ("anthropic_api.yaml", include_str!("../../pricing/anthropic_api.yaml")),
    ("aws_cloudfront.yaml", include_str!("../../pricing/aws_cloudfront.yaml")),
    ("aws_ec2.yaml", include_str!("../../pricing/aws_ec2.yaml")),
    (
        "aws_ecs_fargate.yaml",
        include_str!("../../pricing/aws_ecs_fargate.yaml"),
    ),
    ("aws_eks.yaml", include_str!("../../pricing/aws_eks.yaml")),
    (
        "aws_elasticache.yaml",
        include_str!("../../pricing/aws_elasticache.yaml"),
    ),
    ("aws_rds_mysql.yaml", include_str!("../../pricing/aws_rds_mysql.yaml")),
    (
        "aws_rds_postgresql.yaml",
        include_str!("../../pricing/aws_rds_postgresql.yaml"),
    ),
    ("aws_s3.yaml", include_str!("../../pricing/aws_s3.yaml")),
    ("cloudflare.yaml", include_str!("../../pricing/cloudflare.yaml")),
    ("cloudflare_r2.yaml", include_str!("../../pricing/cloudflare_r2.yaml")),
    ("datadog.yaml", include_str!("../../pricing/datadog.yaml")),
    ("digitalocean.yaml", include_str!("../../pricing/digitalocean.yaml")),
    ("fly_io.yaml", include_str!("../../pricing/fly_io.yaml")),
    (
        "google_gemini_api.yaml",
        include_str!("../../pricing/google_gemini_api.yaml"),
    ),
    ("hetzner_cloud.yaml", include_str!("../../pricing/hetzner_cloud.yaml")),
    ("litellm.yaml", include_str!("../../pricing/litellm.yaml")),
    ("openai_api.yaml", include_str!("../../pricing/openai_api.yaml")),
    (
        "openobserve_cloud.yaml",
        include_str!("../../pricing/openobserve_cloud.yaml"),
    ),
    ("posthog.yaml", include_str!("../../pricing/posthog.yaml")),
    ("qdrant_cloud.yaml", include_str!("../../pricing/qdrant_cloud.yaml")),
    ("railway.yaml", include_str!("../../pricing/railway.yaml")),
    ("railway_redis.yaml", include_str!("../../pricing/railway_redis.yaml")),
    ("render.yaml", include_str!("../../pricing/render.yaml")),
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
/// The catalogs the user named: `--pricing DIR` (`flag`), else a non-empty `CAPSIM_PRICING`.
pub fn requested_pricing(flag: Option<&Path>) -> Option<CatalogSource> {
    if let Some(dir) = flag {
        return Some(CatalogSource::dir(dir, ChosenBy::Flag));
    }
    match std::env::var_os("CAPSIM_PRICING") {
        Some(dir) if !dir.is_empty() => Some(CatalogSource::dir(PathBuf::from(dir), ChosenBy::Env)),
        _ => None,
    }
}

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
            if c.once && c.per_seat {
                self.fail(
                    &format!("{path}.credit.once"),
                    "a one-time credit is granted to the account, not per seat: drop `per_seat` or `once`".to_string(),
                );
            }
            Credit {
                amount: c.amount.0,
                per_seat: c.per_seat,
                once: c.once,
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
            terms: raw.terms,
            account: None,
            provenance,
            notes: raw.notes,
        }
    }

    /// A plan's usage meter at `path`, validated field by field (every error recorded, with its
    /// field), then built with the defaults filled in.
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
        self.meter_charges(path, &raw, included, hard_caps);
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

    /// How a meter charges: a `rate` or `tiers`, never both; tiers without an `included`
    /// allowance; a plan with hard caps neither; `tier_mode` only with tiers.
    fn meter_charges(&mut self, path: &str, raw: &RawMeter, included: f64, hard_caps: bool) {
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
            self.per_minute(path, raw);
        }
    }

    /// `per_minute` qualifies a `rate` of a metric counted in time (hours or months).
    fn per_minute(&mut self, path: &str, raw: &RawMeter) {
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
            per_service: raw.per_service,
        }
    }
}

#[cfg(test)]
#[path = "catalog_tests.rs"]
pub(super) mod tests;

/// The JSON Schema of one catalog file (`capsim schema catalog`), derived from the raw types
/// above: what serde accepts, not the second pass's checks.
pub fn raw_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
    g.root_schema_for::<RawProvider>()
}
