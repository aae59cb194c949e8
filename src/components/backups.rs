//! Database backups: a stage's `backups:` block, billed as storage under a provider and plan of
//! its own, with the recovery objectives it gives the database (`database.rpo`,
//! `database.rto`, trigger metrics of the database kind defined here).
//!
//! ```yaml
//! backups: {provider: cloudflare_r2, plan: standard, daily: {keep: 7d}, weekly: {keep: 30d},
//!           monthly: {keep: 365d}, restore_rate: 100MB/s, restore_startup: 5m, pitr: 5d}
//! ```
//!
//! Assumptions, stated: every copy is a **full snapshot** of the database at the period's end
//! (an upper bound: incremental snapshots store less), so the stored bytes are the copies
//! held × the size: `keep / 1d` daily copies, `keep / 7d` weekly and `keep / 30d` monthly ones
//! (whole copies). Point-in-time-recovery logs are not billed (their volume is not modelled).
//! RPO: with `pitr`, the log shipping interval (5 minutes, as RDS uploads transaction logs);
//! otherwise the interval of the most frequent schedule (1 d, 7 d or 30 d). RTO: the database
//! size ÷ `restore_rate` + `restore_startup` (default 0).

use super::{add, read_block, BlockCx, ComponentKind, Period, GB};
use crate::pricing::Usage;
use crate::scenario::model::{Billing, KindConfig, MetricDef, Stage};
use crate::units::{Seconds, Unit};

/// PITR's recovery point: transaction logs shipped every 5 minutes.
pub const PITR_RPO: f64 = 300.0;

pub const KIND: ComponentKind = ComponentKind {
    name: "backups",
    label: "database backups",
    list: None,
    instances: |s| super::one_if(s.block::<Backups>("backups").is_some(), "backups"),
    billing: |s, n| s.block::<Backups>(n).map(|b| &b.billing),
    billing_mut: |s, n| s.block_mut::<Backups>(n).map(|b| &mut b.billing),
    usage,
    capacity: &[],
    stations: &[],
    metrics: &[],
    upgrade_fields: &[],
    upgrade: super::no_upgrade_fields,
    scales_out: false,
    key: Some("backups"),
    parse: Some(parse),
    schema: Some(|g| g.subschema_for::<RawBackups>()),
    own_metrics: &[],
};

/// The database's recovery objectives (the database kind lists them as its own metrics).
pub const DATABASE_METRICS: &[MetricDef] = &[
    MetricDef {
        id: "database.rto",
        unit: Unit::Seconds,
        about: "time to restore the database from its backups: size ÷ restore_rate + restore_startup",
        range: (0.0, None),
        value: |st, p| {
            st.block::<Backups>("backups")
                .map_or(f64::NAN, |b| b.rto(p.database_bytes))
        },
    },
    MetricDef {
        id: "database.rpo",
        unit: Unit::Seconds,
        about: "data a restore can lose: the backup interval, or 5 minutes with PITR",
        range: (0.0, None),
        value: |st, _| st.block::<Backups>("backups").map_or(f64::NAN, Backups::rpo),
    },
];

crate::scenario::raw::billed_component! {
    /// A stage's `backups:` block as written.
    pub struct RawBackups {
        pub daily: Option<RawKeep>,
        pub weekly: Option<RawKeep>,
        pub monthly: Option<RawKeep>,
        /// Bytes per second, written `100MB/s`.
        pub restore_rate: Option<String>,
        pub restore_startup: Option<Seconds>,
        /// Point-in-time recovery window.
        pub pitr: Option<Seconds>,
    }
}

/// `{keep: 7d}`.
#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawKeep {
    pub keep: Seconds,
}

/// A stage's backups, validated.
#[derive(Debug, Clone)]
pub struct Backups {
    pub billing: Billing,
    /// Copies held of each schedule: daily, weekly, monthly.
    pub copies: [f64; 3],
    /// Bytes per second.
    pub restore_rate: f64,
    /// Seconds.
    pub restore_startup: f64,
    pub pitr: Option<f64>,
}

/// The schedules: name, interval in seconds.
const SCHEDULES: [(&str, f64); 3] = [
    ("daily", 86_400.0),
    ("weekly", 7.0 * 86_400.0),
    ("monthly", 30.0 * 86_400.0),
];

impl Backups {
    /// Seconds to restore a database of `bytes`.
    pub fn rto(&self, bytes: f64) -> f64 {
        bytes / self.restore_rate + self.restore_startup
    }

    /// Seconds of data a restore can lose.
    pub fn rpo(&self) -> f64 {
        if self.pitr.is_some() {
            return PITR_RPO;
        }
        SCHEDULES
            .iter()
            .zip(self.copies)
            .find(|(_, c)| *c > 0.0)
            .map_or(f64::NAN, |((_, every), _)| *every)
    }

    /// Full copies held.
    pub fn copies(&self) -> f64 {
        self.copies.iter().sum()
    }
}

fn parse(cx: &mut dyn BlockCx, at: &str, v: serde_yaml::Value) -> Option<Box<dyn KindConfig>> {
    let raw: RawBackups = read_block(cx, at, v)?;
    let billing = cx.billing(at, &raw.billing());
    let mut copies = [0.0; 3];
    for (i, (name, every)) in SCHEDULES.iter().enumerate() {
        let keep = [&raw.daily, &raw.weekly, &raw.monthly][i].as_ref().map(|k| k.keep.0);
        if let Some(k) = keep {
            if !(k >= *every && k <= 3650.0 * 86_400.0) {
                let reason = format!(
                    "expected a retention from {} to 3650d, found {}",
                    crate::units::fmt_seconds(*every),
                    crate::units::fmt_seconds(k)
                );
                cx.err(&format!("{at}.{name}.keep"), reason);
                return None;
            }
            copies[i] = (k / every).floor();
        }
    }
    if copies.iter().all(|c| *c == 0.0) {
        cx.err(
            at,
            "expected at least one schedule: `daily`, `weekly` or `monthly`, each with `keep`".into(),
        );
        return None;
    }
    let rate_text = raw.restore_rate.as_deref().unwrap_or("");
    let restore_rate = rate_text
        .strip_suffix("/s")
        .and_then(|b| crate::units::parse_bytes(b.trim()).ok())
        .filter(|r| r.is_finite() && *r > 0.0);
    let Some(restore_rate) = restore_rate else {
        cx.err(
            &format!("{at}.restore_rate"),
            format!("expected a restore rate such as `100MB/s`, found `{rate_text}`"),
        );
        return None;
    };
    let restore_startup = raw.restore_startup.map_or(0.0, |s| s.0);
    if !(0.0..=7.0 * 86_400.0).contains(&restore_startup) {
        cx.err(
            &format!("{at}.restore_startup"),
            "expected a duration from 0s to 7d".into(),
        );
        return None;
    }
    let pitr = raw.pitr.map(|p| p.0);
    if pitr.is_some_and(|p| !(p > 0.0 && p <= 35.0 * 86_400.0)) {
        cx.err(&format!("{at}.pitr"), "expected a window from 1s to 35d".into());
        return None;
    }
    Some(Box::new(Backups {
        billing,
        copies,
        restore_rate,
        restore_startup,
        pitr,
    }))
}

/// Full copies of the database held, as GB-months of storage.
fn usage(p: &Period, st: &Stage, n: &str, u: &mut Usage) -> Option<f64> {
    let b = st.block::<Backups>(n)?;
    let v = p.volumes;
    add(
        u,
        "storage_gb_months",
        b.copies() * v.db_bytes_end / GB * v.hours / p.scenario.hours_per_month,
    );
    Some(1.0)
}
