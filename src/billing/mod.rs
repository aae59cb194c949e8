//! From a stage's components and their usage to bills: which components share an account
//! ([`billing_units`]), a stage's monthly run-rate ([`stage_run_rate`]) and calendar-month
//! bills over changing configurations ([`month::bill_month`]).
//!
//! # Accounts
//!
//! A provider file may name an `account:` (Railway's workspace, Supabase's organisation;
//! Railway Redis joins the Railway workspace). All components of a stage whose plans belong to
//! one account form one billing unit:
//!
//! - **one plan**: the account is on the plan with the highest fee among its members (upgrading
//!   one service moves the workspace), and the bill says so when a member named another plan;
//! - the **fee, credit and usage commitment count once**, usage is summed over the members,
//!   and each member keeps its own compute size line;
//! - the unit's total is split among the members in proportion to what each one's own usage
//!   and size cost (equally when none costs anything).
//!
//! Every other component is a billing unit of its own.

pub mod alternatives;
pub mod ledger;
pub mod month;
pub mod unpriced;
pub mod usage;

use crate::pricing::{self, Bill, BillOptions, Catalog, Plan, Usage};
use crate::scenario::{Billing, Scenario, Stage};
use usage::{scale_usage, Volumes};

/// How one component is billed in one period.
#[derive(Debug, Clone, PartialEq)]
pub struct BilledConfig {
    pub provider: String,
    pub plan: String,
    pub size: Option<String>,
    pub count: f64,
    pub seats: f64,
    pub multiplier: f64,
    pub annual: bool,
    /// Other plans its usage is priced under in the report (see [`alternatives`]).
    pub alternatives: Vec<crate::scenario::model::Alternative>,
    /// The users' own keys pay its charges (bring your own key): billed $0 with the list
    /// cost avoided, never in an account.
    pub byok: bool,
}

/// Each component's billing configuration and usage in one period.
pub type PeriodUsage = Vec<(Option<BilledConfig>, Usage)>;

/// The billing configuration of a component, `None` when it names no priced plan.
pub fn config_of(b: &Billing, catalog: &Catalog, count: f64) -> Option<BilledConfig> {
    let provider = b.provider.clone()?;
    let plan = b.plan.clone()?;
    // The count multiplies the compute size (three instances of a $7 size are $21) and, on a
    // per-instance or per-zone plan, the fee; a flat or per-seat fee ignores it.
    catalog.plan(&provider, &plan).ok()?;
    Some(BilledConfig {
        provider,
        plan,
        size: b.size.clone(),
        count,
        seats: b.seats,
        multiplier: b.multiplier,
        annual: b.annual_billing,
        alternatives: b.alternatives.clone(),
        byok: b.byok,
    })
}

/// One bill covering one component, or every component of an account.
#[derive(Debug, Clone, PartialEq)]
pub struct BillingUnit {
    /// The account's name, or `component:<index>` for a component billed alone.
    pub key: String,
    /// Indices of the member components.
    pub members: Vec<usize>,
    /// The unit's plan, with the options of the member that set it.
    pub cfg: BilledConfig,
    /// Each member's own configuration (its size, count and the plan it named).
    pub own: Vec<BilledConfig>,
    /// Each member's own usage.
    pub usages: Vec<Usage>,
    /// What the bill must say about the grouping (a member moved to the account's plan).
    pub notes: Vec<String>,
}

impl BillingUnit {
    /// Each member's compute size on the unit's plan, `(size, count)`; none for a member of
    /// another provider in the account (Railway Redis), which has usage but no size.
    fn sizes(&self) -> impl Iterator<Item = Option<(Option<String>, f64)>> + '_ {
        self.own
            .iter()
            .map(|c| (c.provider == self.cfg.provider).then(|| (c.size.clone(), c.count)))
    }

    /// Billing options at the monthly rate: one size line per member.
    pub fn options(&self, hours_per_month: f64) -> BillOptions {
        let mut sizes = self.sizes().flatten();
        let (size, count) = sizes.next().unwrap_or((None, 0.0));
        BillOptions {
            size,
            seats: self.cfg.seats,
            count,
            hours: hours_per_month,
            annual_billing: self.cfg.annual,
            multiplier: self.cfg.multiplier,
            more_sizes: sizes.collect(),
            byok: self.cfg.byok,
        }
    }

    /// The unit's plan in `catalog`.
    pub fn plan<'a>(&self, catalog: &'a Catalog) -> Option<&'a Plan> {
        plan_of(&self.cfg, catalog)
    }

    /// The members' usage, summed (seats are shared; every other metric adds up).
    pub fn merged_usage(&self) -> Usage {
        let mut total = Usage::new();
        for u in &self.usages {
            for (k, v) in u {
                let e = total.entry(k.clone()).or_insert(0.0);
                *e = if k == "seats" { e.max(*v) } else { *e + v };
            }
        }
        total
    }

    /// What each member's own usage and size cost on the unit's plan without fee or credit:
    /// the weights that split the unit's bill among its members.
    pub fn member_weights(&self, scale: f64, catalog: &Catalog, hours_per_month: f64) -> Vec<f64> {
        let n = self.members.len();
        let Some(plan) = self.plan(catalog) else {
            return vec![1.0; n];
        };
        if n == 1 {
            return vec![1.0];
        }
        let mut usage_only = plan.clone();
        usage_only.fee = 0.0;
        usage_only.fee_is_usage_credit = false;
        usage_only.credit = None;
        let base = self.options(hours_per_month);
        self.usages
            .iter()
            .zip(self.sizes())
            .map(|(u, size)| {
                let (size, count) = size.unwrap_or((None, 0.0));
                let opts = BillOptions {
                    size,
                    count,
                    more_sizes: Vec::new(),
                    multiplier: 1.0,
                    ..base.clone()
                };
                pricing::charges(&usage_only, &scale_usage(u, scale), &opts)
                    .total
                    .max(0.0)
            })
            .collect()
    }
}

fn plan_of<'a>(cfg: &BilledConfig, catalog: &'a Catalog) -> Option<&'a Plan> {
    catalog.plan(&cfg.provider, &cfg.plan).ok()
}

/// Groups one period's components into billing units (see the module docs); `names` are the
/// components' names, for the notes.
pub fn billing_units(
    detail: &[(Option<BilledConfig>, Usage)],
    catalog: &Catalog,
    names: &[String],
) -> Vec<BillingUnit> {
    let mut units: Vec<BillingUnit> = Vec::new();
    for (i, (cfg, u)) in detail.iter().enumerate() {
        let Some(cfg) = cfg else { continue };
        // A byok component is billed to its users' keys, not to the operator's account.
        let account = plan_of(cfg, catalog)
            .and_then(|p| p.account.clone())
            .filter(|_| !cfg.byok);
        let unit = match &account {
            Some(acc) => units.iter_mut().position(|x| &x.key == acc),
            None => None,
        };
        match unit {
            Some(k) => {
                let unit = &mut units[k];
                unit.members.push(i);
                unit.own.push(cfg.clone());
                unit.usages.push(u.clone());
                let fee = |c: &BilledConfig| plan_of(c, catalog).map_or(0.0, |p| p.fee);
                if fee(cfg) > fee(&unit.cfg) {
                    unit.cfg = BilledConfig {
                        seats: unit.cfg.seats.max(cfg.seats),
                        ..cfg.clone()
                    };
                } else {
                    unit.cfg.seats = unit.cfg.seats.max(cfg.seats);
                }
            }
            None => units.push(BillingUnit {
                key: account.unwrap_or_else(|| format!("component:{i}")),
                members: vec![i],
                cfg: cfg.clone(),
                own: vec![cfg.clone()],
                usages: vec![u.clone()],
                notes: Vec::new(),
            }),
        }
    }
    for unit in &mut units {
        unit.notes = plan_notes(unit, names);
    }
    units
}

/// Says which members named a plan other than their account's.
fn plan_notes(unit: &BillingUnit, names: &[String]) -> Vec<String> {
    let acc = &unit.cfg;
    unit.members
        .iter()
        .zip(&unit.own)
        .filter(|(_, own)| own.provider == acc.provider && own.plan != acc.plan)
        .map(|(m, own)| {
            format!(
                "{} names {}/{}, but an account has one plan: it is billed on the account's {}/{} \
                 (the plan of its other services)",
                names.get(*m).map_or("a component", |s| s.as_str()),
                own.provider,
                own.plan,
                acc.provider,
                acc.plan
            )
        })
        .collect()
}

/// Splits `total` by `weights` (equally when they are all zero).
pub fn split(total: f64, weights: &[f64]) -> Vec<f64> {
    let sum: f64 = weights.iter().sum();
    let n = weights.len().max(1) as f64;
    weights
        .iter()
        .map(|w| if sum > 0.0 { total * w / sum } else { total / n })
        .collect()
}

/// Bills a unit for a full month of its configuration, with `usage` accrued over `hours`
/// scaled to the month; returns the bill and each member's share of it.
pub fn bill_unit(unit: &BillingUnit, hours: f64, catalog: &Catalog, hours_per_month: f64) -> Option<(Bill, Vec<f64>)> {
    let plan = unit.plan(catalog)?;
    let scale = if hours > 0.0 { hours_per_month / hours } else { 1.0 };
    let merged = scale_usage(&unit.merged_usage(), scale);
    // A run-rate is a steady month's: a one-time credit is not in it.
    let mut bill = pricing::bill_after(plan, &merged, &unit.options(hours_per_month), f64::INFINITY);
    bill.warnings.extend(unit.notes.iter().cloned());
    let shares = split(bill.total, &unit.member_weights(scale, catalog, hours_per_month));
    Some((bill, shares))
}

/// Monthly run-rate of a stage, with the usage of one period, per component.
pub fn stage_run_rate(
    sc: &Scenario,
    st: &Stage,
    components: &[String],
    v: &Volumes,
    cache_lookups: f64,
    catalog: &Catalog,
) -> (Vec<f64>, PeriodUsage) {
    stage_run_rate_in(crate::components::KINDS, sc, st, components, v, cache_lookups, catalog)
}

/// [`stage_run_rate`] with the component kinds of `reg` (a test registers a kind of its own).
pub fn stage_run_rate_in(
    reg: crate::components::Registry,
    sc: &Scenario,
    st: &Stage,
    components: &[String],
    v: &Volumes,
    cache_lookups: f64,
    catalog: &Catalog,
) -> (Vec<f64>, PeriodUsage) {
    let mut costs = vec![0.0; components.len()];
    let mut detail = Vec::with_capacity(components.len());
    let p = crate::components::Period {
        scenario: sc,
        volumes: v,
        cache_lookups,
    };
    for c in components {
        match crate::components::usage_in(reg, &p, st, c) {
            Some((u, b, count)) => detail.push((config_of(b, catalog, count), u)),
            None => detail.push((None, Usage::new())),
        }
    }
    for unit in billing_units(&detail, catalog, components) {
        if let Some((_, shares)) = bill_unit(&unit, v.hours, catalog, sc.hours_per_month) {
            for (m, share) in unit.members.iter().zip(shares) {
                costs[*m] = share;
            }
        }
    }
    (costs, detail)
}
