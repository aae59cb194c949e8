use super::*;
use crate::pricing::{CatalogSource, BUILTIN_CATALOGS};
use serde::Deserialize;
use serde_json::Value;

fn builtin() -> Catalog {
    Catalog::load(&CatalogSource::builtin()).unwrap()
}

fn shown(provider: &str) -> String {
    let cat = builtin();
    text(&listing(&cat, Some(provider)).unwrap())
}

/// The line of `t` that holds every one of `parts`.
fn line_with<'t>(t: &'t str, parts: &[&str]) -> &'t str {
    t.lines()
        .find(|l| parts.iter().all(|p| l.contains(p)))
        .unwrap_or_else(|| panic!("no line with {parts:?} in\n{t}"))
}

#[test]
fn openai_shows_per_token_input_and_output_rates() {
    let t = shown("openai_api");
    assert!(t.contains("gpt-5-nano"), "{t}");
    line_with(&t, &["input", "input_tokens", "$0.05 per 1M tokens"]);
    line_with(&t, &["output", "output_tokens", "$0.40 per 1M tokens"]);
    line_with(&t, &["cached_input", "cached_input_tokens", "$0.005 per 1M tokens"]);
    // A price nobody published says so, rather than $0.
    line_with(&t, &["cached_input", "price unknown"]);
    // The confidence label as the catalog writes it, and its date.
    line_with(&t, &["gpt-5-nano", "[official, as of 2026 (model page, undated)]"]);
    assert!(!t.contains("other providers"), "only the provider asked for");
    assert!(!t.contains("\nsupabase"), "{t}");
}

#[test]
fn supabase_shows_included_quotas_and_overage() {
    let t = shown("supabase");
    line_with(&t, &["mau", "100K MAU", "$0.00325 per MAU"]);
    line_with(&t, &["egress", "250 GB", "$0.09 per GB"]);
    // Sizes with their prices and capacities.
    line_with(&t, &["size", "hourly", "monthly", "capacity"]);
    assert!(t.contains("pooled connections"), "{t}");
}

#[test]
fn columns_are_aligned() {
    let t = shown("openai_api");
    let block: Vec<&str> = t
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("meter "))
        .take(4)
        .collect();
    let col = |l: &str| l.find("_tokens").or_else(|| l.find("metric")).unwrap();
    let at: Vec<usize> = block.iter().map(|l| col(l)).collect();
    // The metric column starts at one offset on every row (header included).
    let starts: Vec<usize> = block
        .iter()
        .zip(&at)
        .map(|(l, &i)| l[..i].rfind("  ").map_or(0, |j| j + 2))
        .collect();
    assert!(starts.windows(2).all(|w| w[0] == w[1]), "{block:#?}");
}

#[test]
fn an_unknown_provider_lists_the_known_ones() {
    let cat = builtin();
    let e = listing(&cat, Some("nope")).unwrap_err();
    assert!(e.contains("unknown provider `nope`") && e.contains("supabase"), "{e}");
}

/// A money or count field of a catalog file, parsed as capsim parses it.
fn file_number(v: &serde_yaml::Value) -> f64 {
    crate::units::Count::deserialize(v.clone())
        .map(|c| c.0)
        .or_else(|_| crate::units::Money::deserialize(v.clone()).map(|m| m.0))
        .unwrap()
}

#[test]
fn json_round_trips_and_holds_every_fee_rate_quota_of_the_catalog_files() {
    let cat = builtin();
    let j: Value = serde_json::from_str(&json(&listing(&cat, None).unwrap())).unwrap();
    assert_eq!(j["currency"], "USD");
    let mut checked = 0;
    for (_, text) in BUILTIN_CATALOGS {
        let file: serde_yaml::Value = serde_yaml::from_str(text).unwrap();
        let id = file["provider"].as_str().unwrap();
        let plans = file["plans"].as_mapping().unwrap();
        for (pid, plan) in plans {
            let pid = pid.as_str().unwrap();
            let shown = &j["providers"][id]["plans"][pid];
            assert_eq!(shown["fee"].as_f64().unwrap(), file_number(&plan["fee"]), "{id}/{pid}");
            let Some(meters) = plan.get("meters").and_then(|m| m.as_mapping()) else {
                continue;
            };
            for (mid, m) in meters {
                let js = &shown["meters"][mid.as_str().unwrap()];
                for field in ["rate", "included", "per"] {
                    if let Some(v) = m.get(field) {
                        assert_eq!(
                            js[field].as_f64().unwrap(),
                            file_number(v),
                            "{id}/{pid}/{mid:?}.{field}"
                        );
                        checked += 1;
                    }
                }
                if let Some(c) = m.get("confidence") {
                    assert_eq!(
                        js["provenance"]["confidence"].as_str(),
                        c.as_str(),
                        "{id}/{pid}/{mid:?}"
                    );
                }
            }
        }
    }
    assert!(checked > 100, "{checked} numbers compared");
}
