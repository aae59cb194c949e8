//! The upper bounds of the numbers a scenario writes, in one place (the README's scenario
//! reference lists the same table).
//!
//! Lower bounds and finiteness are each field's own rule, checked where the field is read (a
//! count is never negative, a size never NaN, a share at most 100 %). What this module adds is
//! an upper bound for every number that has no natural one, chosen far above any real plan but
//! low enough that every product the engine and the bills form stays finite and every integer
//! product stays inside its type: no bill is ever NaN, infinite or a saturated integer.
//!
//! | what | bound |
//! |---|---|
//! | `multiplier` (a whole-bill factor) | (0, 100] |
//! | `vcpu` of an API instance or a running job (`api.vcpu`, `queue.vcpu`, an upgrade's `vcpu`) | ≤ 10,000 |
//! | `idle_cpu` | [0, the instance's vCPU] (checked with the plan, [`crate::infra::Infra::resolve`]) |
//! | `seats`, a service's `count` | ≤ 1,000,000 |
//! | servers of one station: instances × workers, instances × vCPU, connections, vector-store servers, queue workers × concurrency | ≤ 1,000,000 |
//! | every number of a usage rule, tokens per call, records per request/user/day/job | ≤ 10^15 |
//! | sizes: `ram`, `ram_in_use`, a cache's `ram`, `egress`, `bytes_per_request`, storage `initial` and record `size` | ≤ 1 EB (10^18 B) |
//! | vector `dimensions` | 1 to 65,536 |
//! | a weight of `traffic.daily_shape.hourly` or `traffic.weekly_shape` | ≤ 1,000,000 |
//! | an external service's `rate_limit` | > 0 (checked where it is read, `validate.rs`) |
//! | money a file states: `budget`, `plan_says` | ≤ $1,000,000,000,000 |

use super::ctx::Ctx;
use super::raw::{RawBilling, RawScenario, RawStage, RawUpgrade};
use crate::units::{fmt_bytes, fmt_count, fmt_money, fmt_number};

/// A component's whole-bill factor: `multiplier` lies in (0, MAX_MULTIPLIER].
pub const MAX_MULTIPLIER: f64 = 100.0;
/// vCPU of one API instance or one running job (Railway Pro allows 1,000 per service).
pub const MAX_VCPU: f64 = 10_000.0;
/// Seats, and the instances or zones of a service's `count`.
pub const MAX_UNITS: f64 = 1e6;
/// Servers of one station (defined with the other limits infra reads).
pub use super::limits::MAX_SERVERS;
/// Any number of a usage rule, tokens per call, and records per request, user, day or job.
pub const MAX_USAGE: f64 = 1e15;
/// Any size in bytes (1 EB).
pub const MAX_BYTES: f64 = 1e18;
/// Vector dimensions (Qdrant's maximum).
pub const MAX_DIMENSIONS: u32 = 65_536;
/// A relative weight of the daily or weekly traffic shape (their sum must stay finite).
pub const MAX_WEIGHT: f64 = 1e6;
/// Money the file states: budgets and the plan's figures.
pub const MAX_MONEY: f64 = 1e12;

/// How a bounded number is written in an error.
#[derive(Clone, Copy)]
enum Kind {
    Number,
    Count,
    Bytes,
    Money,
}

fn show(kind: Kind, v: f64) -> String {
    if v.abs() >= 1e15 {
        let unit = match kind {
            Kind::Bytes => " B",
            _ => "",
        };
        let dollar = if matches!(kind, Kind::Money) { "$" } else { "" };
        return format!("{dollar}{}{unit}", fmt_number(v));
    }
    match kind {
        Kind::Number => fmt_number(v),
        Kind::Count => fmt_count(v),
        Kind::Bytes => fmt_bytes(v),
        Kind::Money => fmt_money(v),
    }
}

/// An error at `field` when the finite value `v` is above `max` (a non-finite or negative value
/// is the field's own rule's error, reported where the field is read).
fn at_most(cx: &mut Ctx, field: &str, v: Option<f64>, max: f64, kind: Kind) {
    if let Some(v) = v.filter(|v| v.is_finite() && *v > max) {
        cx.err(
            field,
            format!(
                "{} is above the largest value capsim accepts here, {} (see the README's bounds)",
                show(kind, v),
                show(kind, max)
            ),
        );
    }
}

/// Checks every upper bound of the file (see the module's table).
pub(super) fn check(cx: &mut Ctx, raw: &RawScenario) {
    let t = &raw.traffic;
    let hourly = t.daily_shape.as_ref().and_then(|d| d.hourly.as_ref());
    for (field, weights) in [
        ("daily_shape.hourly", hourly),
        ("weekly_shape", t.weekly_shape.as_ref()),
    ] {
        // The first weight over the bound stands for the list.
        let over = weights
            .into_iter()
            .flatten()
            .enumerate()
            .find(|(_, w)| w.is_finite() && **w > MAX_WEIGHT);
        if let Some((k, w)) = over {
            at_most(cx, &format!("traffic.{field}[{k}]"), Some(*w), MAX_WEIGHT, Kind::Number);
        }
    }
    for (name, r) in &raw.requests {
        at_most(
            cx,
            &format!("requests.{name}.egress"),
            r.egress.map(|b| b.0),
            MAX_BYTES,
            Kind::Bytes,
        );
    }
    for (name, s) in &raw.stages {
        stage(cx, &format!("stages.{name}"), s);
    }
    for (store, raw_store) in [
        ("database", raw.storage.database.as_ref()),
        ("object_store", raw.storage.object_store.as_ref()),
    ] {
        let Some(st) = raw_store else { continue };
        let p = format!("storage.{store}");
        at_most(
            cx,
            &format!("{p}.initial"),
            st.initial.map(|b| b.0),
            MAX_BYTES,
            Kind::Bytes,
        );
        for (rec, r) in &st.records {
            let rp = format!("{p}.records.{rec}");
            at_most(cx, &format!("{rp}.size"), Some(r.size.0), MAX_BYTES, Kind::Bytes);
            for (rt, n) in &r.per_request {
                at_most(cx, &format!("{rp}.per_request.{rt}"), Some(*n), MAX_USAGE, Kind::Count);
            }
            for (f, v) in [
                ("per_user", r.per_user),
                ("per_user_per_day", r.per_user_per_day),
                ("per_job", r.per_job),
            ] {
                at_most(cx, &format!("{rp}.{f}"), v, MAX_USAGE, Kind::Count);
            }
        }
    }
    for (i, t) in raw.triggers.iter().enumerate() {
        if let Some(super::raw::RawAction::Map(m)) = &t.action {
            if let Some(u) = &m.upgrade {
                upgrade(cx, &format!("triggers[{i}].action.upgrade"), u);
            }
        }
    }
    if let Some(b) = &raw.budget {
        at_most(cx, "budget.monthly", b.monthly.map(|m| m.0), MAX_MONEY, Kind::Money);
        for (c, m) in &b.components {
            at_most(cx, &format!("budget.components.{c}"), Some(m.0), MAX_MONEY, Kind::Money);
        }
    }
    if let Some(ps) = &raw.plan_says {
        at_most(
            cx,
            "plan_says.monthly_cost",
            ps.monthly_cost.map(|m| m.0),
            MAX_MONEY,
            Kind::Money,
        );
        // A bare number (no unit type reads it): finite and not negative, checked here.
        if let Some(v) = ps.peak_requests_per_second.filter(|v| !v.is_finite() || *v < 0.0) {
            cx.err(
                "plan_says.peak_requests_per_second",
                format!("expected requests per second ≥ 0, found {v}"),
            );
        }
    }
}

fn stage(cx: &mut Ctx, p: &str, s: &RawStage) {
    at_most(
        cx,
        &format!("{p}.plan_says"),
        s.plan_says.map(|m| m.0),
        MAX_MONEY,
        Kind::Money,
    );
    let a = &s.api;
    at_most(cx, &format!("{p}.api.vcpu"), a.vcpu, MAX_VCPU, Kind::Number);
    at_most(cx, &format!("{p}.api.ram"), a.ram.map(|b| b.0), MAX_BYTES, Kind::Bytes);
    at_most(
        cx,
        &format!("{p}.api.ram_in_use"),
        a.ram_in_use.map(|b| b.0),
        MAX_BYTES,
        Kind::Bytes,
    );
    billing(cx, &format!("{p}.api"), &a.billing());
    if let Some(d) = &s.database {
        billing(cx, &format!("{p}.database"), &d.billing());
    }
    if let Some(c) = &s.cache {
        at_most(
            cx,
            &format!("{p}.cache.ram"),
            c.ram.map(|b| b.0),
            MAX_BYTES,
            Kind::Bytes,
        );
        billing(cx, &format!("{p}.cache"), &c.billing());
    }
    if let Some(v) = &s.vector_store {
        let vp = format!("{p}.vector_store");
        if let Some(d) = v.dimensions.filter(|d| *d == 0 || *d > MAX_DIMENSIONS) {
            cx.err(
                &format!("{vp}.dimensions"),
                format!("a vector has 1 to {MAX_DIMENSIONS} dimensions, found {d}"),
            );
        }
        at_most(
            cx,
            &format!("{vp}.vectors"),
            v.vectors.map(|c| c.0),
            MAX_USAGE,
            Kind::Count,
        );
        billing(cx, &vp, &v.billing());
    }
    if let Some(q) = &s.queue {
        at_most(cx, &format!("{p}.queue.vcpu"), q.vcpu, MAX_VCPU, Kind::Number);
        at_most(
            cx,
            &format!("{p}.queue.ram_in_use"),
            q.ram_in_use.map(|b| b.0),
            MAX_BYTES,
            Kind::Bytes,
        );
        billing(cx, &format!("{p}.queue"), &q.billing());
    }
    for (n, e) in &s.external {
        let ep = format!("{p}.external.{n}");
        for (f, v) in [
            ("input_tokens", e.input_tokens),
            ("cached_input_tokens", e.cached_input_tokens),
            ("output_tokens", e.output_tokens),
        ] {
            at_most(cx, &format!("{ep}.{f}"), v.map(|c| c.0), MAX_USAGE, Kind::Count);
        }
        billing(cx, &ep, &e.billing());
    }
    for (n, sv) in &s.services {
        let sp = format!("{p}.services.{n}");
        at_most(
            cx,
            &format!("{sp}.count"),
            sv.count.map(|c| c.0),
            MAX_UNITS,
            Kind::Count,
        );
        billing(cx, &sp, &sv.billing());
    }
}

/// The bounds every billed component shares: multiplier, seats, usage rules, `plan_says`.
fn billing(cx: &mut Ctx, p: &str, b: &RawBilling) {
    at_most(
        cx,
        &format!("{p}.multiplier"),
        b.multiplier,
        MAX_MULTIPLIER,
        Kind::Number,
    );
    at_most(cx, &format!("{p}.seats"), b.seats, MAX_UNITS, Kind::Count);
    at_most(
        cx,
        &format!("{p}.plan_says"),
        b.plan_says.map(|m| m.0),
        MAX_MONEY,
        Kind::Money,
    );
    for (metric, r) in b.usage {
        let up = format!("{p}.usage.{metric}");
        for (f, v) in [
            ("per_request", r.per_request),
            ("per_session", r.per_session),
            ("per_user_month", r.per_user_month),
            ("per_job", r.per_job),
            ("per_month", r.per_month),
            ("per_database_gb", r.per_database_gb),
        ] {
            at_most(cx, &format!("{up}.{f}"), v.map(|c| c.0), MAX_USAGE, Kind::Count);
        }
        at_most(
            cx,
            &format!("{up}.bytes_per_request"),
            r.bytes_per_request.map(|b| b.0),
            MAX_BYTES,
            Kind::Bytes,
        );
    }
}

fn upgrade(cx: &mut Ctx, p: &str, u: &RawUpgrade) {
    at_most(cx, &format!("{p}.vcpu"), u.vcpu, MAX_VCPU, Kind::Number);
    at_most(cx, &format!("{p}.ram"), u.ram.map(|b| b.0), MAX_BYTES, Kind::Bytes);
}
