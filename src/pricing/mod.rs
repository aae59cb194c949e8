//! What the hosted services a roadmap runs on cost, and what one month of usage bills.
//!
//! The roadmaps capsim checks quote monthly prices by hand ("Railway Pro, 2 vCPU: $20"), and
//! those figures are often wrong because the real bill depends on usage: a fee that is really a
//! usage commitment, an allowance then per-unit overage, graduated bands, compute sizes with
//! credits. This module holds the providers' price lists as data ([`Catalog`], read from
//! `pricing/*.yaml` by [`Catalog::load`], the only I/O here) and turns a plan plus a month
//! of [`Usage`] into a [`Bill`] whose every line shows its arithmetic ([`bill`], pure).
//! The repository's `pricing/*.yaml` are also compiled into the binary ([`Catalog::builtin`]),
//! so an installed `capsim` prices scenarios kept anywhere; a [`Catalog`] records which
//! catalogs it holds ([`CatalogSource`]) so that every report can say so.
//! Every plan, size and meter carries its [`Provenance`], so a report can say how much to
//! trust each number; a price nobody published stays unknown and the bill says so.
//!
//! # Billing semantics
//!
//! [`bill`] builds the lines in this order; the total is the sum of the lines, and amounts are
//! kept as `f64` (rounding happens only when they are displayed).
//!
//! 1. **Base fee**: `fee × count` (`fee × seats` when `fee_basis` is `per_seat`). With
//!    `annual_billing` and an `annual_fee`, the annual price (a monthly equivalent) replaces
//!    `fee`. Pass `count = 1` for plans billed once per account (Railway workspace, Supabase
//!    organisation). No line is written for a zero fee, nor for a fee that is a usage
//!    commitment (step 6).
//! 2. **Size** (`compute (Micro)`): the chosen size (`BillOptions::size`, else
//!    `default_size`) costs `hourly × hours × count`, or `monthly × count` when only a
//!    monthly price is known (not prorated). A size with neither price is billed at zero with
//!    the warning "no published price".
//! 3. **Meters**, one line per meter with usage above zero:
//!    `billable = max(0, usage − included)`, where `included` is multiplied by `seats` when
//!    `included_per_seat`; then rounded *up* to whole `block`s; then `× multiplier`. The
//!    billable quantity is priced
//!    - by `rate`: `billable × rate / per` (`per` is how many units the rate is for, e.g.
//!      $2 per 1M requests has `rate = 2`, `per = 1_000_000`). With `per_minute` the rate is
//!      per minute of the metric's time (Railway's $0.000463 per vCPU-minute), so the billable
//!      quantity is first turned into minutes: × 60 for a metric in hours, × hours in the
//!      month × 60 for one in months (`storage_gb_months`);
//!    - or by `tiers`. **Tiers apply to the whole usage: no allowance is subtracted first.**
//!      Bands start at 0, so a free allowance is written as a first band with rate 0 (a
//!      tiered meter may not also have `included`). In `graduated` mode each band's rate
//!      applies to the units inside that band; in `volume` mode the band the usage reaches
//!      prices all units. Usage above the last band's `up_to` has no published price: it is
//!      not billed and the bill warns;
//!    - or, with neither, the overage has no published price: it is not billed and the bill
//!      warns.
//! 4. **Hard caps** (`hard_caps: true`, e.g. Vercel Hobby, Supabase Free): usage above the
//!    allowance is never billed; instead a warning names the metric and says the service
//!    would be stopped, paused or made read-only.
//! 5. **Multiplier** (`BillOptions::multiplier`, e.g. 2 for RDS Multi-AZ): scales the charges
//!    above (a line adds `subtotal × (multiplier − 1)`). Steps 1–5 are [`charges`].
//! 6. **Credit**: subtracts up to `amount` (`× seats` when `per_seat`) from the lines it
//!    applies to (`applies_to` lists meter names and/or `sizes`; empty means every size and
//!    meter line, never the base fee). It never takes those lines below zero.
//! 7. **Fee as usage commitment** (`fee_is_usage_credit`, Railway): the total is
//!    `max(fee × count, usage)`; a line "usage below commitment" adds the unused part of the
//!    commitment (zero when usage is higher) and its arithmetic says which of the two applied.
//!
//! Steps 6–7 are the account's monthly [`adjustments`]: over a month with several
//! configurations they apply once, against every configuration's prorated charges.
//! Usage is compared with quotas and band limits with a relative tolerance
//! ([`QUOTA_TOLERANCE`]), so usage summed to exactly a quota is within it.

mod bill;
pub mod byok;
mod catalog;

pub use bill::{
    above_quota, adjustments, adjustments_after, bill, bill_after, charges, monthly_fee, once_credit_used, ChargedPart,
    QUOTA_TOLERANCE,
};
pub use catalog::{
    nearest_pricing_dir, provider_from_text, raw_schema as catalog_schema, requested_pricing, BUILTIN_CATALOGS,
};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

/// Hours in the billing month used to turn hourly prices into monthly ones (the AWS and
/// Supabase convention: 365 × 24 / 12 = 730).
pub const HOURS_PER_MONTH: f64 = 730.0;

/// The usage metrics a meter may bill, with what each one means. The simulator fills these
/// by name; a catalog meter naming anything else is an input error listing this vocabulary.
pub const USAGE_METRICS: &[(&str, &str)] = &[
    ("seats", "people holding a paid seat"),
    (
        "instances",
        "running instances (replicas, tasks, projects), averaged over the month",
    ),
    ("instance_hours", "instance-hours run in the month"),
    (
        "vcpu_hours",
        "vCPU-hours of CPU actually used (Railway, Vercel active CPU)",
    ),
    ("ram_gb_hours", "GB-hours of RAM actually in use (Railway)"),
    (
        "vcpu_provisioned_hours",
        "vCPU-hours provisioned, used or not (Fargate)",
    ),
    (
        "ram_provisioned_gb_hours",
        "GB-hours (10^9 bytes) of RAM provisioned, used or not (Vercel functions)",
    ),
    (
        "ram_provisioned_gib_hours",
        "GiB-hours (2^30 bytes) of RAM provisioned, used or not (Fargate: a 2 GiB task is 2 per hour)",
    ),
    ("storage_gb_months", "average GB stored over the month (GB-months)"),
    ("storage_gb_peak", "largest GB stored at any time in the month"),
    ("egress_gb", "GB sent out to the internet"),
    ("requests", "HTTP or API requests"),
    ("events", "analytics events captured"),
    ("errors", "error events sent to error tracking"),
    ("input_tokens", "LLM input tokens not served from the prompt cache"),
    ("cached_input_tokens", "LLM input tokens served from the prompt cache"),
    ("output_tokens", "LLM output tokens"),
    (
        "cache_write_tokens",
        "LLM input tokens written to the prompt cache (Anthropic's 5-minute cache writes)",
    ),
    ("commands", "cache commands (Redis commands; ElastiCache ECPUs)"),
    ("vectors", "vectors stored"),
    ("zones", "domains (zones) served"),
    ("mau", "distinct monthly active users"),
    ("replica_hours", "read-replica hours"),
    ("class_a_ops", "object-store writes and lists (R2 Class A, S3 PUT/LIST)"),
    ("class_b_ops", "object-store reads (R2 Class B, S3 GET)"),
    (
        "log_ingest_gb",
        "GB of logs, traces or metrics sent to an observability store",
    ),
    ("log_query_gb", "GB scanned by queries of an observability store"),
    (
        "log_retained_gb_months",
        "GB-months of logs kept beyond the plan's included retention",
    ),
    ("log_events", "log events indexed (Datadog)"),
];

/// Usage metrics whose monthly figure is a level (how many at once, or the largest amount in
/// the month), not a volume summed over time: 500 `mau` in a month are 500 whatever the
/// period length. A usage rule can only give a level as `per_month` (a fixed level) or
/// `per_user_month` (users × rate); per request, session or job it would be a volume.
pub const LEVEL_METRICS: &[&str] = &["storage_gb_peak", "vectors", "seats", "instances", "zones", "mau"];

/// Whether `metric` is one of [`LEVEL_METRICS`].
pub fn is_level_metric(metric: &str) -> bool {
    LEVEL_METRICS.contains(&metric)
}

/// Minutes in one unit of `metric` when a month has `hours_per_month` hours, for rates
/// published per minute (`Meter::per_minute`); `None` for a metric that is not a time.
pub fn minutes_per_unit(metric: &str, hours_per_month: f64) -> Option<f64> {
    if metric.ends_with("_hours") {
        Some(60.0)
    } else if metric.ends_with("_months") {
        Some(hours_per_month * 60.0)
    } else {
        None
    }
}

/// Usage of one component over one billing month, by metric name (see [`USAGE_METRICS`]).
pub type Usage = BTreeMap<String, f64>;

/// Every provider's price list, keyed by provider id (`supabase`, `railway`…).
#[derive(Clone, Debug, Serialize)]
pub struct Catalog {
    pub providers: BTreeMap<String, Provider>,
    /// Which catalogs these are: the built-in ones or a directory, and who chose it.
    pub source: CatalogSource,
}

/// Where a run's price lists come from. Shown by every report and by `capsim plans`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CatalogSource {
    /// The `pricing/*.yaml` compiled into this capsim binary ([`BUILTIN_CATALOGS`]).
    BuiltIn { capsim_version: String },
    /// The `*.yaml` files of a directory.
    Directory { path: PathBuf, chosen_by: ChosenBy },
}

/// What chose a pricing directory, in order of precedence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChosenBy {
    /// `--pricing DIR` on the command line (or a library caller naming the directory).
    Flag,
    /// The `CAPSIM_PRICING` environment variable.
    Env,
    /// The scenario's `pricing:` field (relative to the scenario file).
    Scenario,
    /// The nearest `pricing/` directory holding `*.yaml` files, searching upward.
    Nearby,
}

impl CatalogSource {
    /// The catalogs built into this binary.
    pub fn builtin() -> CatalogSource {
        CatalogSource::BuiltIn {
            capsim_version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }

    /// A directory of catalogs chosen by `chosen_by`.
    pub fn dir(path: impl Into<PathBuf>, chosen_by: ChosenBy) -> CatalogSource {
        CatalogSource::Directory {
            path: path.into(),
            chosen_by,
        }
    }
}

impl ChosenBy {
    /// How the directory was chosen, for reports: `named by --pricing`.
    fn how(self) -> &'static str {
        match self {
            ChosenBy::Flag => "named by --pricing",
            ChosenBy::Env => "named by CAPSIM_PRICING",
            ChosenBy::Scenario => "named by the scenario's `pricing:`",
            ChosenBy::Nearby => "the nearest pricing/ directory upward",
        }
    }

    /// The directory, for error messages: `the pricing directory named by --pricing`.
    pub fn the_dir(self) -> String {
        match self {
            ChosenBy::Nearby => "the nearest pricing/ directory upward".to_string(),
            other => format!("the pricing directory {}", other.how()),
        }
    }
}

impl fmt::Display for CatalogSource {
    /// `built-in catalogs (capsim 0.1.0)` or `catalogs in pricing (named by --pricing)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CatalogSource::BuiltIn { capsim_version } => write!(f, "built-in catalogs (capsim {capsim_version})"),
            CatalogSource::Directory { path, chosen_by } => {
                write!(f, "catalogs in {} ({})", path.display(), chosen_by.how())
            }
        }
    }
}

impl Catalog {
    /// The plan `plan` of `provider`. The error names what is unknown and lists what is known
    /// (the providers, or that provider's plans), as `(reason, allowed)`.
    pub fn plan(&self, provider: &str, plan: &str) -> Result<&Plan, (String, Vec<String>)> {
        let p = self.providers.get(provider).ok_or_else(|| {
            (
                format!("unknown provider `{provider}`"),
                self.providers.keys().cloned().collect(),
            )
        })?;
        p.plans.get(plan).ok_or_else(|| {
            (
                format!("provider `{provider}` has no plan `{plan}`"),
                p.plans.keys().cloned().collect(),
            )
        })
    }
}

/// One provider's price list (one `pricing/<provider>.yaml` file).
#[derive(Clone, Debug, Serialize)]
pub struct Provider {
    pub id: String,
    pub name: String,
    pub provenance: Provenance,
    pub plans: BTreeMap<String, Plan>,
    pub notes: Option<String>,
}

/// Where a number comes from, when it was read, and how far to trust it.
#[derive(Clone, Debug, Serialize)]
pub struct Provenance {
    /// Addresses of the pages or files the number was read from.
    pub source: Vec<String>,
    /// The date (or version) the source shows.
    pub as_of: String,
    pub confidence: Confidence,
}

/// How far a number can be trusted, from the provider's own word down to nobody's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// The provider's docs or docs repository.
    Official,
    /// An aggregator's copy of the provider's page, word for word.
    AggregatorVerbatim,
    /// An aggregator's file not taken from the provider: unverified.
    AggregatorGenerated,
    /// Blogs, calculators and code libraries.
    ThirdParty,
    /// Derived by us from other facts (e.g. Redis on Railway costs what any service costs).
    Inference,
    /// No source confirms it (e.g. a price taken from the seed roadmap itself).
    Unconfirmed,
}

/// What the base fee is charged per.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeeBasis {
    /// Once per plan (× `BillOptions::count`, normally 1).
    #[default]
    Flat,
    /// × `BillOptions::seats`.
    PerSeat,
    /// × `BillOptions::count` instances.
    PerInstance,
    /// × `BillOptions::count` zones (domains).
    PerZone,
}

/// One plan of a provider (or, for LLM APIs, one model).
#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    pub id: String,
    pub name: String,
    /// Monthly fee per `fee_basis` unit.
    pub fee: f64,
    pub fee_basis: FeeBasis,
    /// Monthly-equivalent fee when billed annually, where it differs from `fee`.
    pub annual_fee: Option<f64>,
    /// The fee is a minimum usage commitment: bill = max(fee, metered usage) (Railway).
    pub fee_is_usage_credit: bool,
    pub credit: Option<Credit>,
    /// Metered usage, keyed by meter name (`disk`, `egress`…).
    pub meters: BTreeMap<String, Meter>,
    /// SKUs to pick from (Supabase compute sizes, RDS instance classes), keyed by id.
    pub sizes: BTreeMap<String, Size>,
    pub default_size: Option<String>,
    /// What the plan itself can handle (sizes carry their own).
    pub capacity: Capacity,
    /// Usage above the allowance is not billed: the service stops, pauses or goes read-only.
    pub hard_caps: bool,
    /// What the provider's terms allow the plan to be used for (`terms:`), if restricted.
    pub terms: Option<Terms>,
    /// The billing account the plan belongs to (the provider file's `account:`; none for an
    /// `add_on` plan). Every component of a stage on plans of one account is billed together:
    /// one plan for all of them (a Railway workspace, a Supabase organisation), the fee, credit
    /// and usage commitment once a month, usage summed, sizes per component.
    pub account: Option<String>,
    /// The plan's own provenance, or the provider's where the plan gives none.
    pub provenance: Provenance,
    pub notes: Option<String>,
}

impl Plan {
    /// The size `id`; the error names it and lists the plan's sizes, as `(reason, allowed)`.
    pub fn size(&self, id: &str) -> Result<&Size, (String, Vec<String>)> {
        self.sizes.get(id).ok_or_else(|| {
            let reason = if self.sizes.is_empty() {
                format!(
                    "plan `{}` has no sizes to choose from, so `{id}` cannot be chosen",
                    self.id
                )
            } else {
                format!("plan `{}` has no size `{id}`", self.id)
            };
            (reason, self.sizes.keys().cloned().collect())
        })
    }
}

/// A usage credit: money the plan gives back against some of its metered lines.
#[derive(Clone, Debug, Serialize)]
pub struct Credit {
    pub amount: f64,
    /// The amount is per seat (× `BillOptions::seats`).
    pub per_seat: bool,
    /// Granted once (a trial's credit), not every month: each month uses what earlier months
    /// left (`BillOptions::once_credit_used`), so it is spent over the first months.
    pub once: bool,
    /// Meter names and/or `sizes`; empty means every size and meter line.
    pub applies_to: Vec<String>,
}

/// One metered quantity of a plan and how it is priced.
#[derive(Clone, Debug, Serialize)]
pub struct Meter {
    /// The usage metric billed (one of [`USAGE_METRICS`]).
    pub metric: String,
    /// What one unit of usage is called, e.g. `GB-months`, `requests`.
    pub unit: String,
    /// The rate (and each tier's rate) is per this many units, e.g. 1_000_000. Default 1.
    pub per: f64,
    /// Free quantity per month (per seat when `included_per_seat`). Always 0 with tiers.
    pub included: f64,
    pub included_per_seat: bool,
    /// Flat rate per `per` units above the allowance; `None` with tiers or when unknown.
    pub rate: Option<f64>,
    /// The rate is per minute of the metric's time (see [`minutes_per_unit`]).
    pub per_minute: bool,
    /// Price bands over the whole usage (bands start at 0; see the module docs).
    pub tiers: Vec<Tier>,
    pub tier_mode: TierMode,
    /// Billable usage rounds up to whole blocks of this many units (Render's 100 GB).
    pub block: Option<f64>,
    /// Scales the billable quantity, e.g. 1.25 for Supabase replica disk. Default 1.
    pub multiplier: f64,
    /// Where the meter's own numbers come from, when not from the plan's sources.
    pub provenance: Option<Provenance>,
    pub notes: Option<String>,
}

/// One price band: units up to `up_to` (no limit when `None`) at `rate` per `per` units.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tier {
    pub up_to: Option<f64>,
    pub rate: f64,
}

/// How bands price usage.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TierMode {
    /// Each band's rate applies to the units inside that band.
    #[default]
    Graduated,
    /// The band the usage reaches prices all units.
    Volume,
}

/// A SKU to pick: a compute size or an instance class. A size with neither price is one
/// whose price nobody published; billing it warns instead of guessing.
#[derive(Clone, Debug, Serialize)]
pub struct Size {
    pub name: String,
    pub hourly: Option<f64>,
    pub monthly: Option<f64>,
    pub capacity: Capacity,
    pub provenance: Option<Provenance>,
    pub notes: Option<String>,
}

/// A plan's terms of use: whether a commercial system may use it, and what they say.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Terms {
    /// Whether the plan may serve a commercial system (`commercial: true` in a scenario).
    pub commercial: bool,
    /// The terms in the provider's words, with where they come from.
    pub says: String,
}

/// What a plan or size can handle. `None` means not known, never a guess.
#[derive(Default, Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub struct Capacity {
    pub vcpu: Option<f64>,
    pub ram_bytes: Option<f64>,
    pub direct_connections: Option<u32>,
    pub pooled_connections: Option<u32>,
    pub db_size_limit_bytes: Option<f64>,
    /// Past `db_size_limit_bytes` the database goes read-only (Supabase Free); when false the
    /// limit is a recommendation.
    pub read_only_over_limit: bool,
    pub commands_per_sec: Option<f64>,
    pub max_vectors: Option<f64>,
    pub storage_bytes: Option<f64>,
    pub max_replicas: Option<u32>,
    pub requests_per_min: Option<f64>,
    pub max_concurrency: Option<u32>,
    /// The figures are a service's totals across its replicas (Railway: "include replica
    /// multiplication"), not one instance's: instances × vCPU and instances × RAM must fit.
    pub per_service: bool,
}

/// How to bill a plan for one component.
#[derive(Clone, Debug, PartialEq)]
pub struct BillOptions {
    /// The size to bill; `None` uses the plan's `default_size`.
    pub size: Option<String>,
    pub seats: f64,
    /// Instances, zones or projects multiplying the fee (unless per seat) and the size.
    pub count: f64,
    /// Hours in the period, normally [`HOURS_PER_MONTH`].
    pub hours: f64,
    pub annual_billing: bool,
    /// Scales the component's charges (fee, size, meters), e.g. 2.0 for Multi-AZ; credits and
    /// usage commitments apply after it.
    pub multiplier: f64,
    /// Compute sizes of the other components sharing this bill (an account's projects):
    /// `(size, count)`, each billed as its own size line.
    pub more_sizes: Vec<(Option<String>, f64)>,
    /// The users' own keys pay (bring your own key): the charges become one $0 line
    /// ([`byok::bill`]) and no account adjustment applies.
    pub byok: bool,
}

impl Default for BillOptions {
    fn default() -> Self {
        BillOptions {
            size: None,
            seats: 1.0,
            count: 1.0,
            hours: HOURS_PER_MONTH,
            annual_billing: false,
            multiplier: 1.0,
            more_sizes: Vec::new(),
            byok: false,
        }
    }
}

/// One month's bill for one component: its lines, their sum and what could not be priced.
#[derive(Clone, Debug, Serialize)]
pub struct Bill {
    /// The charges and adjustments, in the order they apply.
    pub lines: Vec<CostLine>,
    /// The sum of the lines' amounts, in dollars.
    pub total: f64,
    /// What could not be priced, in words.
    pub warnings: Vec<String>,
}

/// What a bill line is: a charge (fee, size, meter, multiplier) or an account adjustment
/// applied once a month (credit, usage commitment).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// The plan's base fee.
    Fee,
    /// An instance size's compute charge.
    Size,
    /// A usage meter's charge.
    Meter,
    /// The charges so far multiplied (`multiplier ×2`): the extra over one times them.
    Multiplier,
    /// The account's monthly credit (a negative amount).
    Credit,
    /// A top-up to the account's usage commitment.
    Commitment,
    /// Charges the users' own keys pay (bring your own key): $0, the list cost in `avoided`.
    Byok,
}

/// One line of a bill, with the arithmetic a person can check.
#[derive(Clone, Debug, Serialize)]
pub struct CostLine {
    /// `base fee`, `compute (Micro)`, a meter name, `credit`, `usage below commitment`…
    pub item: String,
    /// A charge or an adjustment.
    pub kind: LineKind,
    /// What was used, in `unit`.
    pub usage: f64,
    /// The unit of `usage`, `included`, `billable` and `per` (`GB-months`, `instance-hours`,
    /// `requests`, `USD` for adjustments…).
    pub unit: String,
    /// The plan's free allowance, in `unit`.
    pub included: f64,
    /// What is charged for, in `unit`: `usage` beyond `included`.
    pub billable: f64,
    /// The rate applied per `per` units, in dollars (for tiers: the average over the billable
    /// units); for the lines in `USD` (multiplier, credit, commitment), the factor applied.
    pub rate: f64,
    /// How many units `rate` is for (1, or 1,000,000 for a price per million).
    pub per: f64,
    /// What the line comes to, in dollars (negative for a credit).
    pub amount: f64,
    /// What the users' own keys pay instead at the plan's list rates, in dollars (a
    /// [`LineKind::Byok`] line; 0 on every other): never in a total.
    pub avoided: f64,
    /// e.g. `12.4 GB-months − 8 included = 4.4 × $0.125 = $0.55`.
    pub arithmetic: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_level_metric_is_a_usage_metric() {
        for m in LEVEL_METRICS {
            assert!(USAGE_METRICS.iter().any(|(u, _)| u == m), "{m}");
            assert!(is_level_metric(m));
        }
        assert!(!is_level_metric("requests") && !is_level_metric("ram_gb_hours"));
    }
}
