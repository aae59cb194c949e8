//! Scenarios with inputs written as ranges (`ranges.rs` reads them): which fields may take one,
//! the checks at both ends, and the scenario each replication runs.
//!
//! A scenario with ranges is validated three ways before anything runs: with every range at
//! its high end (the scenario returned, so the work estimate and its caps see the worst case),
//! with every range at its low end, and once per range with a text that no number parser
//! accepts in its place, which must fail at that very field: a field that reads text (a name,
//! a plan) cannot take a range. Fields that set the run's frame (horizon, seed, stages'
//! boundaries) or that are checked against rather than simulated (budgets, objectives,
//! triggers, the plan's own figures) are refused by name.
//!
//! Validation itself is handed in as a function ([`Check`]): this module sits below
//! `validate.rs`, which calls it.

use super::model::Scenario;
use super::ranges::{self, Drawn, Spec};
use crate::components::ComponentKind;
use crate::error::{InputError, InputErrors};
use crate::pricing::Catalog;
use crate::yamlfile::Sources;
use serde_yaml::Value;
use std::path::Path;

/// Deserialises and validates a merged document (`validate.rs` hands in its own).
pub type Check = fn(Value, &Sources, &Catalog, &Path, &[&'static ComponentKind]) -> Result<Scenario, InputErrors>;

/// Text no quantity parser reads: a field that accepts it reads text, not a number.
const PROBE: &str = "(not a number: a range probe)";

/// Top-level fields that cannot take a range anywhere below them, and why.
const REFUSED: &[(&str, &str)] = &[
    ("name", "it is a name"),
    ("description", "it is text"),
    ("source", "it is text"),
    ("stage", "it names the starting stage"),
    ("seed", "every replication draws from the run's seed"),
    ("replications", "it is how many replications there are"),
    ("horizon", "every replication simulates the same time"),
    ("resolution", "every replication has the same report periods"),
    ("hours_per_month", "every replication bills the same month"),
    ("pricing", "it names a directory"),
    ("simulation", "every replication is simulated the same way"),
    ("triggers", "a trigger is a decision rule, not an input"),
    ("budget", "a budget is a limit the results are checked against"),
    ("slo", "an objective is a limit the results are checked against"),
    (
        "plan_says",
        "the plan's own figures are compared with the results, not drawn",
    ),
    ("health", "it names what the system does"),
    ("commercial", "it is yes or no"),
];

/// Why the field at `path` cannot take a range, if it cannot whatever its type.
fn refused(path: &str) -> Option<&'static str> {
    let top = &path[..path.find(['.', '[']).unwrap_or(path.len())];
    if let Some((_, why)) = REFUSED.iter().find(|(k, _)| *k == top) {
        return Some(why);
    }
    let last = path.rsplit(['.', ']']).next().unwrap_or(path);
    if path.split('.').any(|s| s == "plan_says") {
        return Some("the plan's own figures are compared with the results, not drawn");
    }
    if last == "at" {
        return Some("it is a point in time (a stage boundary or a fault's start)");
    }
    None
}

/// Validates the merged document `doc` (of `file`, located by `sources`) as `check` does,
/// resolving its ranges; the scenario returned has every range at its high end.
pub fn load(
    doc: Value,
    sources: &Sources,
    catalog: &Catalog,
    file: &Path,
    reg: &[&'static ComponentKind],
    check: Check,
) -> Result<Scenario, InputErrors> {
    let all = ranges::find(&doc, sources).map_err(InputErrors)?;
    if all.is_empty() {
        return check(doc, sources, catalog, file, reg);
    }
    let (fixed, specs): (Vec<Spec>, Vec<Spec>) = all.into_iter().partition(Spec::degenerate);
    let doc = ranges::ends(&doc, &fixed, false);
    if specs.is_empty() {
        return check(doc, sources, catalog, file, reg);
    }
    let refusals: Vec<InputError> = specs
        .iter()
        .filter_map(|s| {
            let why = refused(&s.path)?;
            Some(sources.error(&s.path, format!("cannot be a range: {why}")))
        })
        .collect();
    if !refusals.is_empty() {
        return Err(InputErrors(refusals));
    }
    let at_end = |high: bool| {
        let end = if high { "high" } else { "low" };
        check(ranges::ends(&doc, &specs, high), sources, catalog, file, reg)
            .map_err(|e| InputErrors(e.0.into_iter().map(|e| annotate(e, &specs, end)).collect()))
    };
    let mut sc = at_end(true)?;
    at_end(false)?;
    probe(&doc, &specs, sources, catalog, file, reg, check)?;
    sc.ranges = Some(std::sync::Arc::new(Drawn {
        specs,
        doc,
        sources: sources.clone(),
        file: file.to_path_buf(),
    }));
    Ok(sc)
}

/// Whether `field` is `path` or lies below it.
fn under(field: &str, path: &str) -> bool {
    field == path
        || field
            .strip_prefix(path)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

/// Says which end of its range an error at a ranged field is about.
fn annotate(mut e: InputError, specs: &[Spec], end: &str) -> InputError {
    if specs.iter().any(|s| under(&e.field, &s.path)) {
        e.reason = format!("{} (at the {end} end of its range)", e.reason);
    }
    e
}

/// Refuses each range whose field still validates, or fails elsewhere only, with text in
/// its place: that field reads text or is not read at all.
fn probe(
    doc: &Value,
    specs: &[Spec],
    sources: &Sources,
    catalog: &Catalog,
    file: &Path,
    reg: &[&'static ComponentKind],
    check: Check,
) -> Result<(), InputErrors> {
    let mut errors = Vec::new();
    for (i, s) in specs.iter().enumerate() {
        let probed = ranges::one(doc, specs, i, Value::String(PROBE.into()));
        let reads_number = match check(probed, sources, catalog, file, reg) {
            Ok(_) => false,
            Err(e) => e.0.iter().any(|e| under(&e.field, &s.path)),
        };
        if !reads_number {
            let reason = "cannot be a range: this field does not take a number (ranges are for counts, sizes, durations, rates, fractions and amounts)";
            errors.push(sources.error(&s.path, reason));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(InputErrors(errors))
    }
}

/// Replication `rep`'s scenario and the values it drew (in the order of `Ranged::specs`), or
/// `None` when `sc` has no range. Fails, with the values drawn, when they make the scenario
/// invalid (the ends were checked, but two ranges may together break a rule neither end does).
/// `reg` and `check` are those the scenario was loaded with.
pub fn replication(
    sc: &Scenario,
    catalog: &Catalog,
    (seed, rep): (u64, u32),
    reg: &[&'static ComponentKind],
    check: Check,
) -> Result<Option<(Scenario, Vec<f64>)>, String> {
    let Some(r) = sc.ranges.as_deref() else {
        return Ok(None);
    };
    let (doc, values) = ranges::draws(&r.doc, &r.specs, seed, rep);
    match check(doc, &r.sources, catalog, &r.file, reg) {
        Ok(mut one) => {
            // What the command line set (seed, replications) stays the base scenario's.
            one.seed = sc.seed;
            one.replications = sc.replications;
            Ok(Some((one, values)))
        }
        Err(e) => {
            let drawn: Vec<String> = r
                .specs
                .iter()
                .zip(&values)
                .map(|(s, v)| format!("{} = {v}", s.path))
                .collect();
            Err(format!(
                "replication {rep} drew {} (base units), which the scenario does not accept:\n{e}",
                drawn.join(", ")
            ))
        }
    }
}
