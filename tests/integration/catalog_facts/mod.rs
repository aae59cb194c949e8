//! Catalogs against their sources: every figure a `pricing/*.yaml` takes from the facts in
//! `pricing/facts/` is looked up in the facts and compared, so the two cannot drift apart.
//!
//! The table below maps catalog fields to fact keys. A catalog path is
//! `provider/plan/…` into the loaded catalog (`*` matches every plan or key; YAML anchors
//! repeat meters and sizes across plans); a fact path is `pf:` (pricing-facts.yaml), `pf2:`
//! (pricing-facts-2.yaml) or `cap:` (capacity-facts.yaml), then keys, with `[field=value]`
//! picking a list item (for `pf`/`pf2` the first key is the provider). The rules, and the only
//! roundings allowed:
//!
//! - `Eq`: equal (to 1e-12, relative);
//! - `Scale(k)`: catalog = fact × k, for unit changes only (TB → GB × 1000, GB → bytes,
//!   GiB → bytes, a GB-hour price × 730 h for a GB-month meter);
//! - `Rate(k)`: a meter's `rate / per` = fact / k, the fact being a price per k units;
//! - `PerMinute`: the meter bills per minute (`per_minute: true`) at exactly the fact's
//!   per-minute rate (Railway's published rates: no × 43,800 rounding to $20);
//! - `GibHour`: the rate equals the fact and the meter bills GiB-hours (AWS's "GB" is GiB);
//! - `Bytes`: the fact is a text such as `256 MB` or `1 TB (…)`;
//! - `Text(needle, k)`: the fact is a text containing `needle`, whose number × k is the figure.
//!
//! A fact that is `null` (not found) must be unknown (`null`) in the catalog too.
//!
//! Confidence is checked as well: a catalog figure's confidence (its meter's, size's, plan's
//! or provider's, the nearest given) must be the fact's (the nearest `confidence:` at or above
//! the fact), unless the row says otherwise and why. Capacity facts use another scale
//! (high/medium/low) and are not compared.
//!
//! Completeness: every non-zero figure in the catalogs (fees, credits, allowances, rates,
//! bands, prices, capacities) must be checked by a row or listed in `NOT_FROM_FACTS` with
//! the reason, so a figure added to a catalog without a source fails here too.
use crate::common::repo;
use capsim::pricing::{Catalog, ChosenBy};
use serde_json::Value;
use std::collections::BTreeSet;

const GB: f64 = 1e9;
const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
const MB: f64 = 1e6;

#[derive(Clone, Copy, Debug)]
enum Rule {
    Eq,
    Scale(f64),
    Rate(f64),
    PerMinute,
    GibHour,
    Bytes,
    Text(&'static str, f64),
}

#[derive(Clone, Copy, Debug)]
enum Conf {
    /// The fact's own confidence.
    Fact,
    /// Another level, for the stated reason.
    Is(&'static str, &'static str),
    /// Not compared, for the stated reason.
    Skip(&'static str),
}

struct Row {
    catalog: String,
    fact: String,
    rule: Rule,
    conf: Conf,
}

/// Figures in the catalogs that are not taken from the facts, with why.
const NOT_FROM_FACTS: &[(&str, &str)] = &[
    (
        "qdrant_cloud/startup/fee",
        "the seed roadmap's own figure, marked unconfirmed",
    ),
    (
        "qdrant_cloud/production/fee",
        "the seed roadmap's own figure, marked unconfirmed",
    ),
    (
        "railway/free/capacity/max_replicas",
        "the facts' replicas column shows 0 (no extra replicas): one instance",
    ),
    (
        "railway/trial/capacity/max_replicas",
        "the facts' replicas column shows 0 (no extra replicas): one instance",
    ),
    (
        "aws_cloudfront/pay_as_you_go/meters/data_transfer/tiers[1]/up_to",
        "the 10 TB band edge is in the fact's key name, `first_10tb_us_per_gb`",
    ),
];

mod table;
mod table2;

/// Every row: the first seed system's providers, then the others'.
fn rows() -> Vec<Row> {
    let mut rows = table::rows();
    rows.extend(table2::rows());
    rows
}

/// Splits `a/b[x=y/z]/c` at the slashes outside brackets.
fn segments(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in path.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            '/' if depth == 0 => {
                out.push(&path[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&path[start..]);
    out
}

fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One step: `key`, `key[3]` or `key[field=value]`.
fn step<'a>(v: &'a Value, seg: &str) -> Option<&'a Value> {
    let Some((key, sel)) = seg.split_once('[') else {
        return v.get(seg);
    };
    let list = v.get(key)?;
    let sel = sel.strip_suffix(']')?;
    if let Ok(i) = sel.parse::<usize>() {
        return list.get(i);
    }
    let (field, want) = sel.split_once('=')?;
    list.as_array()?
        .iter()
        .find(|e| e.get(field).map(as_text).as_deref() == Some(want))
}

struct Facts {
    pf: Value,
    pf2: Value,
    cap: Value,
}

impl Facts {
    fn load() -> Facts {
        let read = |name: &str| -> Value {
            let p = repo().join("pricing").join("facts").join(name);
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        };
        Facts {
            pf: read("pricing-facts.yaml"),
            pf2: read("pricing-facts-2.yaml"),
            cap: read("capacity-facts.yaml"),
        }
    }

    /// The fact at `path` and the nodes above it, nearest last.
    fn get(&self, path: &str) -> Result<(&Value, Vec<&Value>), String> {
        let (file, rest) = path.split_once(':').ok_or("no file prefix")?;
        let segs = segments(rest);
        let (mut node, segs) = match file {
            "pf" | "pf2" => {
                let root = if file == "pf" { &self.pf } else { &self.pf2 };
                let entry = root["providers"]
                    .as_array()
                    .and_then(|ps| ps.iter().find(|p| p["provider"] == segs[0]))
                    .ok_or_else(|| format!("no provider `{}` in {file}", segs[0]))?;
                (entry, &segs[1..])
            }
            "cap" => (&self.cap, &segs[..]),
            other => return Err(format!("unknown facts file `{other}`")),
        };
        let mut above = Vec::new();
        for seg in segs {
            above.push(node);
            node = step(node, seg).ok_or_else(|| format!("`{seg}` not found"))?;
        }
        Ok((node, above))
    }
}

/// Every catalog path matching `pattern` (`*` = any key), as (path, value, nodes above it).
fn catalog_matches<'a>(catalog: &'a Value, pattern: &str) -> Vec<(String, &'a Value, Vec<&'a Value>)> {
    let segs = segments(pattern);
    let mut found = vec![(String::new(), &catalog["providers"], Vec::new())];
    for (i, seg) in segs.iter().enumerate() {
        let mut next = Vec::new();
        for (path, node, mut above) in found {
            // provider/plan/… : the plan lives under the provider's `plans`.
            let node = if i == 1 {
                above.push(node);
                &node["plans"]
            } else {
                node
            };
            let children: Vec<(String, &Value)> = if *seg == "*" {
                node.as_object()
                    .map(|m| m.iter().map(|(k, v)| (k.clone(), v)).collect())
                    .unwrap_or_default()
            } else {
                step(node, seg).map(|v| vec![(seg.to_string(), v)]).unwrap_or_default()
            };
            for (key, child) in children {
                let mut above = above.clone();
                above.push(node);
                let path = if path.is_empty() { key } else { format!("{path}/{key}") };
                next.push((path, child, above));
            }
        }
        found = next;
    }
    found
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

/// `30,000`, `1.25x`, `1M vectors`, `16 CPU-h` → 30000, 1.25, 1e6, 16.
fn leading_number(text: &str) -> Option<f64> {
    let digits: String = text
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
        .collect();
    let v: f64 = digits.replace(',', "").parse().ok()?;
    let mult = match text[digits.len()..].chars().next() {
        Some('K') => 1e3,
        Some('M') => 1e6,
        Some('B') => 1e9,
        _ => 1.0,
    };
    Some(v * mult)
}

/// The number a rule expects in the catalog, from the fact; `Err` when the fact does not fit.
fn expected(rule: Rule, fact: &Value) -> Result<f64, String> {
    let number = || fact.as_f64().ok_or_else(|| format!("the fact is not a number: {fact}"));
    Ok(match rule {
        Rule::Eq | Rule::PerMinute | Rule::GibHour => number()?,
        Rule::Scale(k) => number()? * k,
        Rule::Rate(k) => number()? / k,
        Rule::Bytes => {
            let text = fact.as_str().ok_or("the fact is not a text")?;
            let size: String = text.split_whitespace().take(2).collect();
            capsim::units::parse_bytes(&size)?
        }
        Rule::Text(needle, k) => {
            let text = fact.as_str().ok_or("the fact is not a text")?;
            if !text.contains(needle) {
                return Err(format!("the fact does not say `{needle}`: {text}"));
            }
            leading_number(needle).ok_or("no number in the needle")? * k
        }
    })
}

/// The confidence written on the nearest of `nodes` (deepest last) that has one.
fn nearest<'a>(nodes: impl DoubleEndedIterator<Item = &'a Value>, key: &str) -> Option<&'a Value> {
    nodes.rev().find_map(|n| n.get(key).filter(|v| !v.is_null()))
}

/// `third_party (4 sources agree)` → `third_party`.
fn level(text: &str) -> &str {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next()
        .unwrap_or_default()
}

/// Compares one catalog value with its fact; `Err` says what differs.
fn check(
    rule: Rule,
    conf: Conf,
    value: &Value,
    above: &[&Value],
    fact: &Value,
    fact_above: &[&Value],
) -> Result<(), String> {
    if fact.is_null() {
        return if value.is_null() {
            Ok(())
        } else {
            Err(format!("the fact is null (not found) but the catalog gives {value}"))
        };
    }
    let want = expected(rule, fact)?;
    let got = value
        .as_f64()
        .ok_or_else(|| format!("the catalog has no number here: {value}"))?;
    // The meter a rate belongs to: the nearest node with a `per`.
    let meter = above.iter().rev().find(|n| n.get("per_minute").is_some());
    let got = match rule {
        Rule::Rate(_) => {
            let m = meter.ok_or("a rate rule on something that is not a meter")?;
            if m["per_minute"] == true {
                return Err("the meter bills per minute but the fact is not a per-minute rate".into());
            }
            got / m["per"].as_f64().unwrap_or(1.0)
        }
        Rule::PerMinute => {
            let m = meter.ok_or("a per-minute rule on something that is not a meter")?;
            if m["per_minute"] != true || m["per"] != 1.0 {
                return Err(format!(
                    "the fact is a per-minute rate: the meter needs `per_minute: true` and per 1 (has per_minute {}, per {})",
                    m["per_minute"], m["per"]
                ));
            }
            got
        }
        Rule::GibHour => {
            let m = meter.ok_or("a GiB-hour rule on something that is not a meter")?;
            if m["metric"] != "ram_provisioned_gib_hours" {
                return Err(format!(
                    "AWS's \"GB\" is GiB: the meter must bill ram_provisioned_gib_hours, not {}",
                    m["metric"]
                ));
            }
            got
        }
        _ => got,
    };
    if !close(got, want) {
        return Err(format!("catalog {got} ≠ fact {want}"));
    }
    let have = nearest(above.iter().copied(), "provenance").map(|p| &p["confidence"]);
    let have = have.and_then(Value::as_str).unwrap_or("?");
    match conf {
        Conf::Skip(_) => Ok(()),
        Conf::Is(level_wanted, _) if have == level_wanted => Ok(()),
        Conf::Is(level_wanted, why) => Err(format!("confidence {have}, expected {level_wanted} ({why})")),
        Conf::Fact => {
            let written = nearest(fact_above.iter().copied(), "confidence")
                .and_then(Value::as_str)
                .ok_or("no confidence written at or above the fact: give one in the row")?;
            if level(written) == have {
                Ok(())
            } else {
                Err(format!("confidence {have}, but the fact says `{written}`"))
            }
        }
    }
}

/// The figures of the catalogs: non-zero numbers under these keys.
const FIGURES: &[&str] = &[
    "fee",
    "annual_fee",
    "amount",
    "included",
    "rate",
    "up_to",
    "hourly",
    "monthly",
    "multiplier",
    "block",
    "vcpu",
    "ram_bytes",
    "direct_connections",
    "pooled_connections",
    "db_size_limit_bytes",
    "commands_per_sec",
    "max_vectors",
    "storage_bytes",
    "max_replicas",
    "requests_per_min",
    "max_concurrency",
];

fn figures(v: &Value, path: String, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                if k == "provenance" {
                    continue;
                }
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}/{k}")
                };
                let is_figure = FIGURES.contains(&k.as_str())
                    && child
                        .as_f64()
                        .is_some_and(|x| x != 0.0 && !(k == "multiplier" && x == 1.0));
                if is_figure {
                    out.insert(p);
                } else {
                    figures(child, p, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                figures(child, format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

fn catalog_json() -> Value {
    let cat = Catalog::load_dir(&repo().join("pricing"), ChosenBy::Flag).unwrap_or_else(|e| panic!("{e}"));
    serde_json::to_value(&cat).unwrap()
}

#[test]
fn every_catalog_figure_matches_its_fact() {
    let catalog = catalog_json();
    let facts = Facts::load();
    let mut problems = Vec::new();
    let mut checked = BTreeSet::new();
    for row in rows() {
        if let Conf::Is(_, why) | Conf::Skip(why) = row.conf {
            assert!(
                !why.trim().is_empty(),
                "{}: say why the confidence differs",
                row.catalog
            );
        }
        let (fact, fact_above) = match facts.get(&row.fact) {
            Ok(f) => f,
            Err(e) => {
                problems.push(format!("{} ← {}: fact not found ({e})", row.catalog, row.fact));
                continue;
            }
        };
        let matches = catalog_matches(&catalog, &row.catalog);
        if matches.is_empty() {
            problems.push(format!("{}: not in the catalogs", row.catalog));
        }
        for (path, value, above) in matches {
            // Plans without this meter or size under a `*` are simply not matched.
            if let Err(e) = check(row.rule, row.conf, value, &above, fact, &fact_above) {
                problems.push(format!("{path} ← {}: {e}", row.fact));
            }
            checked.insert(path);
        }
    }
    assert!(
        problems.is_empty(),
        "catalogs and facts differ:\n  {}",
        problems.join("\n  ")
    );

    let mut all = BTreeSet::new();
    for (provider, p) in catalog["providers"].as_object().unwrap() {
        for (plan, body) in p["plans"].as_object().unwrap() {
            figures(body, format!("{provider}/{plan}"), &mut all);
        }
    }
    let unsourced: Vec<&String> = all
        .iter()
        .filter(|p| !checked.contains(*p) && !NOT_FROM_FACTS.iter().any(|(n, _)| n == p))
        .collect();
    assert!(
        unsourced.is_empty(),
        "catalog figures checked against no fact (add a row, or list them in NOT_FROM_FACTS with why):\n  {}",
        unsourced.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n  ")
    );
    for (p, _) in NOT_FROM_FACTS {
        assert!(
            all.contains(*p),
            "NOT_FROM_FACTS names {p}, which is not a catalog figure (any more)"
        );
    }
}

/// The drifts found in November 2026, each of which the table above must catch.
#[test]
fn the_table_catches_the_drifts_it_was_written_for() {
    let facts = Facts::load();
    let fails = |catalog_yaml: &str, plan: &str, field: &str, fact: &str, rule: Rule, conf: Conf| -> bool {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x.yaml"), catalog_yaml).unwrap();
        let cat = Catalog::load_dir(dir.path(), ChosenBy::Flag).unwrap_or_else(|e| panic!("{e}"));
        let json = serde_json::to_value(&cat).unwrap();
        let (fact, fact_above) = facts.get(fact).unwrap();
        let (_, value, above) = catalog_matches(&json, &format!("x/{plan}/{field}")).remove(0);
        check(rule, conf, value, &above, fact, &fact_above).is_err()
    };
    let provider = |confidence: &str, plan: &str| {
        format!("provider: x\nname: X\nsource: [s]\nas_of: \"2026\"\nconfidence: {confidence}\nplans:\n  p:\n{plan}")
    };
    // Railway's CPU as $20 per 730 vCPU-hours (the rounded monthly figure).
    let railway = provider(
        "official",
        "    name: P\n    fee: $0\n    meters:\n      cpu: {metric: vcpu_hours, unit: h, per: 730, rate: $20}\n",
    );
    let fact = "pf:railway/usage_rates[metric=cpu]/rate_per_minute";
    assert!(fails(
        &railway,
        "p",
        "meters/cpu/rate",
        fact,
        Rule::PerMinute,
        Conf::Fact
    ));
    // Fargate memory billed per GB-hour of 10^9 bytes.
    let fargate = provider(
        "third_party",
        "    name: P\n    fee: $0\n    meters:\n      memory: {metric: ram_provisioned_gb_hours, unit: GB-hours, rate: $0.004445}\n",
    );
    let fact = "pf:aws_ecs_fargate/rates[arch=Linux/x86]/gb_hour";
    assert!(fails(
        &fargate,
        "p",
        "meters/memory/rate",
        fact,
        Rule::GibHour,
        Conf::Fact
    ));
    // CloudFront's $0.085 band left at the provider's aggregator_verbatim.
    let cloudfront = provider(
        "aggregator_verbatim",
        "    name: P\n    fee: $0\n    meters:\n      data_transfer:\n        metric: egress_gb\n        unit: GB\n        tiers:\n          - {up_to: 1000, rate: $0}\n          - {up_to: 10000, rate: $0.085}\n",
    );
    let fact = "pf:aws_cloudfront/pay_as_you_go/first_10tb_us_per_gb";
    let conf = Conf::Is("third_party", "howtogeek");
    assert!(fails(
        &cloudfront,
        "p",
        "meters/data_transfer/tiers[1]/rate",
        fact,
        Rule::Rate(1.0),
        conf
    ));
    // gpt-5.4-nano's published input price missing: the catalog had no such model, so the
    // row's catalog path matches nothing, which `every_catalog_figure_matches_its_fact`
    // reports as "not in the catalogs"; and an unknown input price is caught too.
    assert!(rows()
        .iter()
        .any(|r| r.catalog == "openai_api/gpt-5.4-nano/meters/input/rate"));
    let nano = provider(
        "official",
        "    name: P\n    fee: $0\n    meters:\n      input: {metric: input_tokens, unit: tokens, per: 1M}\n",
    );
    let fact = "pf:openai_api/models[model=gpt-5.4-nano]/input";
    assert!(fails(
        &nano,
        "p",
        "meters/input/rate",
        fact,
        Rule::Rate(1e6),
        Conf::Fact
    ));
}

/// The copies in pricing/facts/ are the shared record, unchanged, wherever that record is
/// beside the repository (it is not shipped, so elsewhere there is nothing to compare).
#[test]
fn fact_copies_are_the_shared_record() {
    let shared = repo().join("..").join("shared").join("pricing-facts");
    if !shared.is_dir() {
        return;
    }
    for name in ["pricing-facts.yaml", "pricing-facts-2.yaml", "capacity-facts.yaml"] {
        let copy = std::fs::read(repo().join("pricing").join("facts").join(name)).unwrap();
        let original = std::fs::read(shared.join(name)).unwrap();
        assert!(
            copy == original,
            "pricing/facts/{name} differs from {}",
            shared.join(name).display()
        );
    }
}
