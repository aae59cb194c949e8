//! `summary.json`: the result as data (see `reports/SCHEMA.md`).

use crate::metrics::Summary;
use crate::results::{Checks, Instability, Overload, RunResult, ScenarioInfo, StationSummary, TriggerSummary};
use serde::Serialize;
use std::collections::BTreeMap;

/// The version of the `summary.json` layout; raised whenever a field changes meaning or goes.
pub const SCHEMA_VERSION: u32 = 2;

/// The top level of `summary.json` (every field and its unit: `reports/SCHEMA.md`).
#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    capsim_version: &'static str,
    scenario: &'a ScenarioInfo,
    /// Where the per-period figures are (mean, CI and percentiles of every series).
    timeseries: &'static str,
    /// Where every line of every month's bill is, with its arithmetic.
    costs: &'static str,
    periods: usize,
    components: BTreeMap<&'a str, Component>,
    months: Vec<Month<'a>>,
    triggers: BTreeMap<String, &'a TriggerSummary>,
    stations: BTreeMap<String, &'a StationSummary>,
    instability: &'a Option<Instability>,
    overload: &'a [Overload],
    checks: &'a Checks,
    /// Each fault's figures (absent without faults).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    faults: &'a [crate::results::faults::FaultSummary],
    /// Availability from the faults and health rules (absent without faults or objective).
    #[serde(skip_serializing_if = "Option::is_none")]
    availability: &'a Option<crate::results::faults::Availability>,
    plan_notes: &'a [String],
    notes: &'a [String],
    /// Scheduled jobs (absent without any).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    jobs: &'a [crate::sched::summary::JobSummary],
    /// The work jobs do: cost per job, per batch, per scheduled run; batch drains (absent without).
    #[serde(skip_serializing_if = "Option::is_none")]
    job_work: &'a Option<crate::batch::summary::JobWork>,
    /// Alternatives side by side (left out when the scenario names none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    alternatives: Vec<crate::results::alternatives::AlternativeRow>,
    /// Inputs written as ranges: ends, distribution and the values drawn (absent without).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    inputs_from_ranges: &'a [crate::results::ranges::RangeInput],
    /// The per-client rate limit (absent without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    client_limit: &'a Option<crate::results::clientlimit::ClientLimitSummary>,
}

#[derive(Serialize)]
struct Component {
    /// Part of a stage the run passed through.
    used: bool,
}

#[derive(Serialize)]
struct Month<'a> {
    month: usize,
    covered: f64,
    total: &'a Summary,
    components: BTreeMap<&'a str, &'a Summary>,
    /// Components whose users' own keys pay their calls, by name (absent without any): the
    /// median replication's bill line, as in `costs.csv`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    bring_your_own_key: BTreeMap<&'a str, Byok>,
}

/// A bring-your-own-key bill line: billed $0, in no total.
#[derive(Serialize)]
struct Byok {
    /// Calls the users' own keys paid (count).
    calls: f64,
    /// What they would cost at the plan's list rates, dollars.
    list_cost_avoided: f64,
}

/// The bring-your-own-key lines of month `m`'s median bill, by component.
fn byok_lines(m: &crate::results::MonthSummary) -> BTreeMap<&str, Byok> {
    m.example
        .components
        .iter()
        .flat_map(|cb| cb.bill.lines.iter().map(move |l| (cb, l)))
        .filter(|(_, l)| l.kind == crate::pricing::LineKind::Byok)
        .map(|(cb, l)| {
            let b = Byok {
                calls: l.usage,
                list_cost_avoided: l.avoided,
            };
            (cb.component.as_str(), b)
        })
        .collect()
}

fn document(r: &RunResult) -> Document<'_> {
    Document {
        schema_version: SCHEMA_VERSION,
        capsim_version: env!("CARGO_PKG_VERSION"),
        scenario: &r.scenario,
        timeseries: "timeseries.csv",
        costs: "costs.csv",
        periods: r.periods.len(),
        components: r
            .components
            .iter()
            .zip(&r.components_used)
            .map(|(c, used)| (c.as_str(), Component { used: *used }))
            .collect(),
        months: r
            .months
            .iter()
            .map(|m| Month {
                month: m.month,
                covered: m.covered,
                total: &m.total,
                components: m.components.iter().map(|(c, s)| (c.as_str(), s)).collect(),
                bring_your_own_key: byok_lines(m),
            })
            .collect(),
        triggers: keyed(r.triggers.iter().map(|t| (t.name.as_str(), t))),
        stations: keyed(r.stations.iter().map(|s| (s.station.as_str(), s))),
        instability: &r.instability,
        overload: &r.overload,
        checks: &r.checks,
        faults: &r.faults,
        availability: &r.availability,
        plan_notes: &r.plan_notes,
        notes: &r.notes,
        jobs: &r.jobs,
        job_work: &r.job_work,
        alternatives: super::alternatives::of(r),
        inputs_from_ranges: &r.inputs_from_ranges,
        client_limit: &r.client_limit,
    }
}

/// Items keyed by name; a name met again gets ` #2`, ` #3`, … so no item is lost.
fn keyed<'a, T>(items: impl Iterator<Item = (&'a str, T)>) -> BTreeMap<String, T> {
    let mut out = BTreeMap::new();
    for (name, item) in items {
        let mut key = name.to_string();
        let mut k = 1;
        while out.contains_key(&key) {
            k += 1;
            key = format!("{name} #{k}");
        }
        out.insert(key, item);
    }
    out
}

/// `summary.json`: the run's figures as numbers, keyed by name. NaN (no data) becomes null;
/// per-period figures are in `timeseries.csv`, bill lines in `costs.csv`.
pub fn json(r: &RunResult) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_json(r, &mut out);
    out
}

/// Writes [`json`] to `out`. The document goes through a `serde_json::Value` tree, whose maps
/// sort every object's keys (the file's order) and where `-0` becomes `0`; the tree holds
/// no per-period figure, so its size does not grow with the horizon (a month adds its totals).
pub fn write_json(r: &RunResult, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut v = serde_json::to_value(document(r)).map_err(std::io::Error::other)?;
    positive_zeros(&mut v);
    serde_json::to_writer_pretty(&mut *out, &v)?;
    out.write_all(b"\n")
}

/// Replaces every `-0.0` in a JSON tree by `0` (a credit of nothing is not a negative amount).
fn positive_zeros(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Number(n) if n.as_f64() == Some(0.0) && n.to_string().starts_with('-') => {
            *v = serde_json::Value::from(0.0);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(positive_zeros),
        serde_json::Value::Object(o) => o.values_mut().for_each(positive_zeros),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_keeps_every_item_under_a_distinct_name() {
        let m = keyed(["a", "b", "a", "a"].into_iter().enumerate().map(|(i, n)| (n, i)));
        let got: Vec<(String, usize)> = m.into_iter().collect();
        let want = [("a", 0), ("a #2", 2), ("a #3", 3), ("b", 1)].map(|(k, v)| (k.to_string(), v));
        assert_eq!(got, want);
    }

    #[test]
    fn the_document_has_its_versions_and_no_per_period_series() {
        let r = crate::report::testdata::run();
        let v: serde_json::Value = serde_json::from_slice(&json(&r)).unwrap();
        assert_eq!(v["schema_version"], SCHEMA_VERSION);
        assert_eq!(v["capsim_version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(v["periods"], r.periods.len());
        assert!(v.get("series_names").is_none());
        for t in &r.triggers {
            assert!(v["triggers"][&t.name].is_object(), "{}", t.name);
        }
        for (c, used) in r.components.iter().zip(&r.components_used) {
            assert_eq!(v["components"][c]["used"], *used);
        }
    }
}
