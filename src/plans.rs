//! `capsim plans [PROVIDER]`: what the pricing catalogs say, plan by plan. The fee, every
//! meter (metric, unit, included quota, rate or tiers), the sizes with their prices and
//! capacities, the plan's capacity, and where each number comes from (source, as-of date and
//! confidence label, as written in the catalog). `--format json` gives the same as data.
//!
//! The listing is [`Listing`] (typed data, the catalog's own structs); [`text`] and [`json`]
//! render it. Units: money in US dollars (fees per month per `fee_basis` unit, sizes per hour
//! or per month), a meter's rate per `per` of its `unit`, capacities in bytes, connections,
//! commands per second, requests per minute (the field names say which).

use crate::pricing::{Capacity, Catalog, Meter, Plan, Provenance, Provider};
use crate::units::{fmt_bytes_stated, fmt_count, fmt_money, fmt_number};
use serde::Serialize;
use std::collections::BTreeMap;

/// How `capsim plans` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Text,
    /// The listing as JSON: the catalog's numbers, unrounded.
    Json,
}

/// The providers `capsim plans` shows, with the catalogs they come from.
#[derive(Debug, Serialize)]
pub struct Listing<'a> {
    /// Which catalogs these are (`built-in catalogs (capsim 0.1.0)`, a directory).
    pub catalogs: String,
    /// Every amount of money is in this currency.
    pub currency: &'static str,
    pub providers: BTreeMap<&'a str, &'a Provider>,
}

/// The listing of `cat`, or only `provider`'s; an unknown provider is an error listing the
/// known ones.
pub fn listing<'a>(cat: &'a Catalog, provider: Option<&str>) -> Result<Listing<'a>, String> {
    if let Some(want) = provider {
        if !cat.providers.contains_key(want) {
            return Err(format!(
                "unknown provider `{want}`; known: {}",
                cat.providers.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    Ok(Listing {
        catalogs: cat.source.to_string(),
        currency: "USD",
        providers: cat
            .providers
            .iter()
            .filter(|(id, _)| provider.is_none_or(|w| w == id.as_str()))
            .map(|(id, p)| (id.as_str(), p))
            .collect(),
    })
}

/// The listing as pretty JSON, with a final newline.
pub fn json(l: &Listing) -> String {
    let mut s = serde_json::to_string_pretty(l).unwrap_or_default();
    s.push('\n');
    s
}

/// A confidence label as the catalogs write it (`third_party`).
fn label<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

fn provenance(p: &Provenance) -> String {
    format!("[{}, as of {}]", label(&p.confidence), p.as_of)
}

/// Rows of cells as aligned columns (two spaces apart), each line indented by `indent`.
fn table(indent: &str, rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = indent.to_string();
        for (c, cell) in r.iter().enumerate() {
            line.push_str(cell);
            if c + 1 < r.len() {
                line.push_str(&" ".repeat(width[c] - cell.chars().count() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Dollars as a catalog writes them: cents when whole (`$0.40`), else every digit (`$0.00325`).
fn dollars(v: f64) -> String {
    if (v * 100.0 - (v * 100.0).round()).abs() < 1e-9 && v < 1e15 {
        fmt_money(v)
    } else {
        format!("${}", fmt_number(v))
    }
}

/// `$0.05 per 1M tokens`, exactly as the catalog writes the rate.
fn rate(r: f64, m: &Meter) -> String {
    let per = if m.per == 1.0 {
        String::new()
    } else {
        format!("{} ", fmt_count(m.per))
    };
    let minute = if m.per_minute { " (per minute)" } else { "" };
    format!("{} per {per}{}{minute}", dollars(r), m.unit)
}

/// What a meter charges: its rate, its tiers, or that no price is known.
fn price(m: &Meter) -> String {
    if !m.tiers.is_empty() {
        let bands: Vec<String> = m
            .tiers
            .iter()
            .map(|t| match t.up_to {
                Some(u) => format!("to {}: {}", fmt_count(u), rate(t.rate, m)),
                None => format!("then {}", rate(t.rate, m)),
            })
            .collect();
        return format!("{} tiers: {}", label(&m.tier_mode), bands.join("; "));
    }
    match m.rate {
        Some(r) => rate(r, m),
        None if m.included > 0.0 => "no overage price known (capped or unpublished)".into(),
        None => "price unknown".into(),
    }
}

fn meter_rows(p: &Plan) -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        "meter".into(),
        "metric".into(),
        "included".into(),
        "price".into(),
        "source".into(),
    ]];
    for (name, m) in &p.meters {
        let included = match (m.included, m.included_per_seat) {
            (0.0, _) => "—".to_string(),
            (x, true) => format!("{} {} per seat", fmt_count(x), m.unit),
            (x, false) => format!("{} {}", fmt_count(x), m.unit),
        };
        let mut extra = Vec::new();
        if let Some(b) = m.block {
            extra.push(format!("in blocks of {}", fmt_count(b)));
        }
        if m.multiplier != 1.0 {
            extra.push(format!("× {}", fmt_number(m.multiplier)));
        }
        let price = if extra.is_empty() {
            price(m)
        } else {
            format!("{} ({})", price(m), extra.join(", "))
        };
        let src = m.provenance.as_ref().map(provenance).unwrap_or_default();
        rows.push(vec![name.clone(), m.metric.clone(), included, price, src]);
    }
    rows
}

/// A capacity in words: `2 vCPU, 1 GiB RAM, 60 direct / 200 pooled connections`.
fn capacity(c: &Capacity) -> String {
    let mut parts = Vec::new();
    let mut put = |v: Option<String>| parts.extend(v);
    put(c.vcpu.map(|v| format!("{} vCPU", fmt_number(v))));
    put(c.ram_bytes.map(|v| format!("{} RAM", fmt_bytes_stated(v))));
    put(c.direct_connections.map(|v| format!("{v} direct connections")));
    put(c.pooled_connections.map(|v| format!("{v} pooled connections")));
    put(c.db_size_limit_bytes.map(|v| {
        let ro = if c.read_only_over_limit {
            ", read-only beyond"
        } else {
            ""
        };
        format!("database up to {}{ro}", fmt_bytes_stated(v))
    }));
    put(c.commands_per_sec.map(|v| format!("{} commands/s", fmt_count(v))));
    put(c.max_vectors.map(|v| format!("{} vectors", fmt_count(v))));
    put(c.storage_bytes.map(|v| format!("{} storage", fmt_bytes_stated(v))));
    put(c.max_replicas.map(|v| format!("up to {v} replicas")));
    put(c.requests_per_min.map(|v| format!("{} requests/min", fmt_count(v))));
    put(c.max_concurrency.map(|v| format!("{v} concurrent")));
    if c.per_service && !parts.is_empty() {
        parts.push("per service (all replicas)".into());
    }
    parts.join(", ")
}

fn size_rows(p: &Plan) -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        "size".into(),
        "name".into(),
        "hourly".into(),
        "monthly".into(),
        "capacity".into(),
    ]];
    for (id, s) in &p.sizes {
        let money = |v: Option<f64>| v.map_or("—".to_string(), dollars);
        let id = if p.default_size.as_deref() == Some(id) {
            format!("{id} (default)")
        } else {
            id.clone()
        };
        rows.push(vec![
            id,
            s.name.clone(),
            money(s.hourly),
            money(s.monthly),
            capacity(&s.capacity),
        ]);
    }
    rows
}

fn plan_text(id: &str, p: &Plan) -> String {
    let basis = match label(&p.fee_basis).as_str() {
        "flat" => "/month".to_string(),
        b => format!("/month {}", b.replace('_', " ")),
    };
    let mut t = format!(
        "  {id} — {}: fee {}{basis}  {}\n",
        p.name,
        fmt_money(p.fee),
        provenance(&p.provenance)
    );
    let mut notes = Vec::new();
    if let Some(a) = p.annual_fee {
        notes.push(format!("{}/month billed annually", fmt_money(a)));
    }
    if p.fee_is_usage_credit {
        notes.push("the fee is a usage commitment: bill = max(fee, usage)".into());
    }
    if let Some(c) = &p.credit {
        let seat = if c.per_seat { " per seat" } else { "" };
        let on = if c.applies_to.is_empty() {
            "all usage".to_string()
        } else {
            c.applies_to.join(", ")
        };
        let when = if c.once {
            " once (carried over until spent)"
        } else {
            " a month"
        };
        notes.push(format!("credit {}{seat}{when} on {on}", fmt_money(c.amount)));
    }
    if p.hard_caps {
        notes.push("hard caps: usage beyond the quota stops, not billed".into());
    }
    if let Some(tm) = &p.terms {
        notes.push(format!(
            "commercial use {}",
            if tm.commercial { "allowed" } else { "not allowed" }
        ));
    }
    let cap = capacity(&p.capacity);
    if !cap.is_empty() {
        notes.push(format!("capacity: {cap}"));
    }
    for n in notes {
        t.push_str(&format!("    {n}\n"));
    }
    if !p.meters.is_empty() {
        t.push_str(&table("    ", &meter_rows(p)));
    }
    if !p.sizes.is_empty() {
        t.push_str(&table("    ", &size_rows(p)));
    }
    if !p.provenance.source.is_empty() {
        t.push_str(&format!("    source: {}\n", p.provenance.source.join("; ")));
    }
    t
}

/// The listing for people: per provider its provenance, then each plan.
pub fn text(l: &Listing) -> String {
    let mut t = format!(
        "Catalogs: {}\nAmounts in {}; fees are per month.\n",
        l.catalogs, l.currency
    );
    for (id, p) in &l.providers {
        t.push_str(&format!("\n{id} — {} {}\n", p.name, provenance(&p.provenance)));
        for (pid, plan) in &p.plans {
            t.push_str(&plan_text(pid, plan));
        }
    }
    t
}

#[cfg(test)]
mod tests;
