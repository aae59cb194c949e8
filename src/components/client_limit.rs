//! A per-client rate limit at the API: a stage's `client_limit:` block, an admission rule that
//! answers HTTP 429 to a client's requests beyond `requests` per `per`, before they use any
//! API capacity.
//!
//! ```yaml
//! client_limit:
//!   requests: 2000          # per client and window
//!   per: 1m                 # the window: fixed, aligned to multiples of `per` (@upstash/ratelimit's fixedWindow)
//!   clients: 5000           # distinct clients (IPs, API keys) the traffic comes from
//!   share: uniform          # or {zipf: 1.1} (client k sends ∝ 1/k^s) or {heaviest: 20%} (one client sends 20 %, the rest evenly)
//! ```
//!
//! Each arrival is attributed to a client drawn from `share` (with session traffic, each
//! session is one client's: drawn when it opens, all its requests counted against that client).
//! The engine keeps one counter per client (16 bytes each), so `clients` is capped at
//! [`MAX_CLIENTS`]. Rejected requests are not errors of the service: they are reported as their
//! own figures (`client_rejected`, `client_rejected_rate`) and left out of `error_rate`, whose
//! denominator is the requests admitted. The trigger metric `client_limit.rejected` is the
//! share of requests rejected in the period's busy window. How the engine applies it is
//! `crate::engine::clientlimit`.

use super::{read_block, BlockCx, ComponentKind};
use crate::scenario::model::{KindConfig, MetricDef};
use crate::units::{Count, Fraction, Seconds, Unit};

/// The stage field of the block.
pub const KEY: &str = "client_limit";

/// Most clients a limit may track (a 16-byte counter each: 16 MB per replication thread).
pub const MAX_CLIENTS: f64 = 1_000_000.0;
/// Most requests per client and window.
const MAX_REQUESTS: f64 = 1e9;
/// Largest Zipf exponent (beyond it the first client takes all traffic).
const MAX_ZIPF: f64 = 10.0;

pub const KIND: ComponentKind = ComponentKind {
    name: KEY,
    label: "per-client rate limit",
    list: None,
    // Not billed (its Redis commands are the cache's or a service's line): no instance.
    instances: |_| Vec::new(),
    billing: |_, _| None,
    billing_mut: |_, _| None,
    usage: |_, _, _, _| None,
    capacity: &[],
    stations: &[],
    metrics: &[],
    upgrade_fields: &[],
    upgrade: super::no_upgrade_fields,
    scales_out: false,
    key: Some(KEY),
    parse: Some(parse),
    schema: Some(|g| g.subschema_for::<RawClientLimit>()),
    own_metrics: &[MetricDef {
        id: "client_limit.rejected",
        unit: Unit::Fraction,
        about:
            "share of the requests offered in the period's busy window rejected (HTTP 429) by the per-client rate limit",
        range: (0.0, Some(1.0)),
        value: |st, p| {
            if st.block::<ClientLimit>(KEY).is_some() {
                p.client_rejected
            } else {
                f64::NAN
            }
        },
    }],
};

/// How traffic is shared among clients.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Share {
    /// Every client equally.
    Uniform,
    /// Client k (1-based) in proportion to 1/k^s.
    Zipf(f64),
    /// Client 0 sends this fraction; the others share the rest evenly.
    Heaviest(f64),
}

/// A stage's per-client rate limit, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientLimit {
    /// Requests a client may send per window.
    pub requests: u32,
    /// The window, seconds.
    pub per: f64,
    /// Distinct clients.
    pub clients: u32,
    pub share: Share,
}

impl ClientLimit {
    /// The share of all traffic the heaviest client sends, a fraction.
    pub fn heaviest_share(&self) -> f64 {
        let n = self.clients as f64;
        match self.share {
            Share::Uniform => 1.0 / n,
            Share::Heaviest(h) => h.max((1.0 - h) / (n - 1.0).max(1.0)),
            Share::Zipf(s) => 1.0 / (1..=self.clients).map(|k| (k as f64).powf(-s)).sum::<f64>(),
        }
    }

    /// The limit in words: `2,000 requests a minute per client, 5,000 clients (shared evenly)`.
    pub fn describe(&self) -> String {
        let share = match self.share {
            Share::Uniform => "shared evenly".to_string(),
            Share::Zipf(s) => format!("Zipf, s = {s}"),
            Share::Heaviest(_) => "one heavy client, the others evenly".to_string(),
        };
        let per = [(1.0, "a second"), (60.0, "a minute"), (3600.0, "an hour")]
            .iter()
            .find(|(s, _)| *s == self.per)
            .map_or_else(
                || format!("per {}", crate::units::fmt_seconds(self.per)),
                |(_, w)| w.to_string(),
            );
        format!(
            "{} requests {per} per client, {} clients ({share})",
            crate::units::group_thousands(&self.requests.to_string()),
            crate::units::group_thousands(&self.clients.to_string())
        )
    }
}

/// A `client_limit:` block as written.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawClientLimit {
    requests: Count,
    per: Seconds,
    clients: Count,
    share: Option<RawShare>,
}

/// `uniform`, `{zipf: 1.1}` or `{heaviest: 20%}`.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
enum RawShare {
    Named(String),
    Zipf { zipf: f64 },
    Heaviest { heaviest: Fraction },
}

fn parse(cx: &mut dyn BlockCx, at: &str, v: serde_yaml::Value) -> Option<Box<dyn KindConfig>> {
    let raw: RawClientLimit = read_block(cx, at, v)?;
    let mut ok = true;
    let mut whole = |field: &str, x: f64, max: f64, what: &str| {
        if !(x.fract() == 0.0 && (1.0..=max).contains(&x)) {
            let mut reason = format!("expected a whole number of {what} from 1 to {}, found {x}", fmt(max));
            if field == "clients" && x > max {
                // The work estimate: one 16-byte counter per client, per replication thread.
                reason += &format!(
                    " (a counter per client: {} clients would hold {} per replication thread)",
                    fmt(x),
                    crate::units::fmt_bytes(16.0 * x)
                );
            }
            cx.err(&format!("{at}.{field}"), reason);
            ok = false;
        }
        x as u32
    };
    let requests = whole("requests", raw.requests.0, MAX_REQUESTS, "requests");
    let clients = whole("clients", raw.clients.0, MAX_CLIENTS, "clients");
    let per = raw.per.0;
    if !(1.0..=86_400.0).contains(&per) {
        cx.err(
            &format!("{at}.per"),
            format!("expected a window from 1s to 1d, found {per}s"),
        );
        ok = false;
    }
    let share = share(cx, at, raw.share, clients)?;
    ok.then(|| {
        Box::new(ClientLimit {
            requests,
            per,
            clients,
            share,
        }) as Box<dyn KindConfig>
    })
}

fn fmt(x: f64) -> String {
    crate::units::fmt_count(x)
}

fn share(cx: &mut dyn BlockCx, at: &str, raw: Option<RawShare>, clients: u32) -> Option<Share> {
    let field = format!("{at}.share");
    match raw {
        None => Some(Share::Uniform),
        Some(RawShare::Named(n)) if n == "uniform" => Some(Share::Uniform),
        Some(RawShare::Named(n)) => {
            cx.err(
                &field,
                format!("expected `uniform`, `{{zipf: S}}` or `{{heaviest: P%}}`, found `{n}`"),
            );
            None
        }
        Some(RawShare::Zipf { zipf }) if zipf.is_finite() && (0.0..=MAX_ZIPF).contains(&zipf) => {
            Some(Share::Zipf(zipf))
        }
        Some(RawShare::Zipf { zipf }) => {
            cx.err(
                &format!("{field}.zipf"),
                format!("expected an exponent from 0 to {MAX_ZIPF}, found {zipf}"),
            );
            None
        }
        Some(RawShare::Heaviest { heaviest }) if clients < 2 => {
            let _ = heaviest;
            cx.err(
                &format!("{field}.heaviest"),
                "a heaviest client needs `clients` of 2 or more (with one client it sends everything)".into(),
            );
            None
        }
        Some(RawShare::Heaviest { heaviest: Fraction(h) }) if (0.0..=1.0).contains(&h) => Some(Share::Heaviest(h)),
        Some(RawShare::Heaviest { heaviest: Fraction(h) }) => {
            cx.err(
                &format!("{field}.heaviest"),
                format!(
                    "expected a share from 0 % to 100 %, found {}",
                    crate::units::fmt_percent(h)
                ),
            );
            None
        }
    }
}

/// The run's per-client limit figures: the limit of each stage the run was in (most
/// replications, some period) and the periods' rejections.
pub fn summary(
    sc: &crate::scenario::model::Scenario,
    periods: &[crate::results::PeriodSummary],
) -> Option<crate::results::clientlimit::ClientLimitSummary> {
    let limits = sc
        .stages
        .iter()
        .filter(|(name, _)| periods.iter().any(|p| &p.stage == *name))
        .filter_map(|(name, st)| {
            st.block::<ClientLimit>(KEY)
                .map(|l| crate::results::clientlimit::StageLimit {
                    stage: name.clone(),
                    limit: l.describe(),
                    heaviest_share: l.heaviest_share(),
                })
        })
        .collect();
    crate::results::clientlimit::ClientLimitSummary::of(limits, periods)
}
