//! `capsim check`, the CI gate: runs scenarios (and systems of environments, [`system`]),
//! turns every budget, objective, overload and money warning into a check with a stable id ([`data`]), and reports them as text, JSON,
//! JUnit or markdown ([`render`], [`junit`]) on stdout and in `--out` files.
//!
//! Exit codes: 0 every scenario passed, 1 a check failed, 2 an input error (every broken file
//! is reported, and nothing runs). `--strict` makes scenario warnings input errors (exit 2,
//! before anything runs; an unpriced component is one) and makes the findings that change the
//! money fail (exit 1): no budget and no SLO, a bill line over a plan's hard cap or without a
//! published price, prices older than `--max-pricing-age` or undated.

pub mod data;
pub mod junit;
pub mod outfile;
pub mod pricing_age;
pub mod render;
pub mod system;

use crate::envs::{System, SystemResult};
use crate::error::{InputError, InputErrors};
use crate::pricing::Catalog;
use crate::results::RunResult;
use crate::scenario::Scenario;
use clap::Args;
use data::{CheckKind, FileError, GateCheck, GateReport, Policy, ScenarioGate};
use outfile::Format;
use std::path::PathBuf;

/// The gate's own flags (the run's are `RunOpts`).
#[derive(Debug, Args)]
pub struct GateArgs {
    /// What to print on stdout: text (default), json, junit (XML) or markdown (a short
    /// pull-request comment or job summary).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also write the report to FILE (replaced atomically), in the format its extension names:
    /// .json, .xml (JUnit), .md (markdown) or .txt (text). May be given several times.
    #[arg(long, value_name = "FILE")]
    pub out: Vec<PathBuf>,
    /// Warn about prices older than this (`180d`, `26w`, `6months`), measured from each
    /// catalog's `as_of` date to today (UTC, or CAPSIM_TODAY=YYYY-MM-DD); with --strict, fail.
    /// An `as_of` with no date is warned about too.
    #[arg(long, value_name = "DURATION", value_parser = crate::units::parse_seconds)]
    pub max_pricing_age: Option<f64>,
}

/// A file as loaded: a scenario and its catalog, or a system of environments, or what is
/// wrong with it.
pub enum Input {
    Scenario(Box<Result<(Scenario, Catalog), InputErrors>>),
    System(Box<Result<System, InputErrors>>),
}

/// A file on the command line and what it holds.
pub type Loaded = (PathBuf, Input);

/// Runs one system of environments (the caller's run configuration).
pub type SimulateSystem<'a> = &'a dyn Fn(&System) -> Result<SystemResult, String>;

/// Runs one scenario (the caller's run configuration).
pub type Simulate<'a> = &'a (dyn Fn(&Scenario, &Catalog) -> Result<RunResult, String> + Sync);

/// Runs the scenarios `lanes` at a time (each on the shared rayon pool for its replications),
/// results in the scenarios' order. Scenarios are independent and seeded, so the results do not
/// depend on `lanes`; at most `lanes` runs are in memory at once.
fn run_lanes(
    runnable: &[(PathBuf, Scenario, Catalog)],
    simulate: Simulate,
    lanes: usize,
) -> Vec<Result<RunResult, String>> {
    // The largest runs first (by estimated events), so that no long run starts last and
    // leaves one lane idle; results still come back in the scenarios' order.
    let mut order: Vec<usize> = (0..runnable.len()).collect();
    let events: Vec<f64> = runnable
        .iter()
        .map(|(_, sc, _)| crate::work::estimate(sc, None).events())
        .collect();
    order.sort_by(|&a, &b| events[b].total_cmp(&events[a]).then(a.cmp(&b)));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<Result<RunResult, String>>>> =
        runnable.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..lanes.clamp(1, runnable.len().max(1)) {
            scope.spawn(|| loop {
                let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(&i) = order.get(k) else { break };
                let (_, sc, cat) = &runnable[i];
                let r = simulate(sc, cat);
                *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
            });
        }
    });
    slots
        .into_iter()
        .map(|m| {
            m.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or_else(|| Err("a scenario's run stopped unexpectedly".into()))
        })
        .collect()
}

/// The pricing-age checks of a run: one per provider its bills name, in order of first bill.
fn pricing_age_checks(r: &RunResult, cat: &Catalog, today: i64, max: f64, policy: Policy) -> Vec<GateCheck> {
    let mut seen: Vec<&str> = Vec::new();
    for m in &r.months {
        for cb in &m.example.components {
            if !seen.contains(&cb.provider.as_str()) {
                seen.push(&cb.provider);
            }
        }
    }
    let mut out = Vec::new();
    for name in seen {
        let Some(p) = cat.providers.values().find(|p| p.id == name || p.name == name) else {
            continue;
        };
        let id = format!("money.pricing_age.{}", p.id);
        let what = format!("prices of {} at most {} old", p.name, crate::units::fmt_seconds(max));
        let as_of = &p.provenance.as_of;
        let mut c = match pricing_age::age(as_of, today, max / 86_400.0) {
            pricing_age::Age::Undated => data::warning(
                id,
                CheckKind::Money,
                &what,
                policy.strict,
                format!(
                    "{}: as_of \"{as_of}\" names no date, so the prices' age is unknown",
                    p.name
                ),
            ),
            pricing_age::Age::Fresh(days) | pricing_age::Age::Stale(days, _) => {
                let stale = days as f64 * 86_400.0 > max;
                let mut c = data::warning(
                    id,
                    CheckKind::Money,
                    &what,
                    stale && policy.strict,
                    format!(
                        "{}: prices as of {} (\"{as_of}\") are {days} days old (limit {})",
                        p.name,
                        pricing_age::as_of_date(as_of)
                            .map(pricing_age::fmt_day)
                            .unwrap_or_default(),
                        crate::units::fmt_seconds(max)
                    ),
                );
                c.verdict = if stale {
                    data::Verdict::Breached
                } else {
                    data::Verdict::Ok
                };
                c
            }
        };
        if let Some(days) = pricing_age::as_of_date(as_of).map(|d| today - d) {
            c.unit = Some(crate::units::Unit::Seconds);
            c.measured = Some(days as f64 * 86_400.0);
            c.limit = Some(max);
        }
        out.push(c);
    }
    out
}

/// The gate over `loaded` files: every problem of every file first (exit 2, nothing runs),
/// else each scenario run with `simulate`, each system with `simulate_system`, and checked.
/// Prints the report and writes the `--out` files; returns the exit code, or an error writing a
/// file.
pub fn check(
    loaded: Vec<Loaded>,
    simulate: Simulate,
    simulate_system: SimulateSystem,
    args: &GateArgs,
    policy: Policy,
    v: crate::verbosity::Verbosity,
    lanes: usize,
) -> Result<u8, String> {
    let mut problems: Vec<InputError> = Vec::new();
    let outs: Vec<(PathBuf, Format)> = args
        .out
        .iter()
        .filter_map(|p| match outfile::format_of(p) {
            Ok(f) => Some((p.clone(), f)),
            Err(e) => {
                problems.push(e);
                None
            }
        })
        .collect();
    let today = match args.max_pricing_age.map(|_| pricing_age::today()).transpose() {
        Ok(t) => t,
        Err(e) => {
            problems.push(InputError::new("CAPSIM_TODAY", "", e));
            None
        }
    };
    let runnable = sort_inputs(loaded, policy, &mut problems);
    // Files sharing a base report its problems once.
    let mut unique: Vec<InputError> = Vec::new();
    for p in problems {
        if !unique.contains(&p) {
            unique.push(p);
        }
    }
    let report = if unique.is_empty() {
        let age = |r: &RunResult, cat: &Catalog| match (today, args.max_pricing_age) {
            (Some(t), Some(max)) => pricing_age_checks(r, cat, t, max, policy),
            _ => Vec::new(),
        };
        let gates = run_all(runnable, simulate, simulate_system, policy, &age, lanes)?;
        GateReport::new(gates, Vec::new(), policy.strict, today.map(pricing_age::fmt_day))
    } else {
        crate::stdio::err(&InputErrors(unique.clone()).to_string());
        let errors = unique.iter().map(FileError::from).collect();
        GateReport::new(Vec::new(), errors, policy.strict, None)
    };
    // With input errors the text report would repeat stderr's messages.
    if args.format == Format::Text {
        if report.exit_code != 2 {
            crate::stdio::out(&render::text_with(&report, v));
        }
    } else {
        crate::stdio::out(&outfile::render(&report, args.format));
    }
    for (path, format) in &outs {
        outfile::write_atomic(path, &outfile::render(&report, *format))?;
    }
    Ok(report.exit_code)
}

/// The files that can run, each with its place on the command line; every other file's
/// problems (and, with `--strict`, a scenario's warnings) go to `problems`.
fn sort_inputs(loaded: Vec<Loaded>, policy: Policy, problems: &mut Vec<InputError>) -> Runnable {
    let mut run = Runnable::default();
    for (i, (path, l)) in loaded.into_iter().enumerate() {
        match l {
            Input::Scenario(s) => match *s {
                Err(e) => problems.extend(e.0),
                Ok((sc, _)) if policy.strict && !sc.warnings.is_empty() => problems.extend(sc.warnings),
                Ok((sc, cat)) => run.scenarios.push((i, (path, sc, cat))),
            },
            Input::System(s) => match *s {
                Err(e) => problems.extend(e.0),
                Ok(sys) => run.systems.push((i, path, sys)),
            },
        }
    }
    run
}

/// The scenarios and systems that can run, each with its place on the command line.
#[derive(Default)]
struct Runnable {
    scenarios: Vec<(usize, (PathBuf, Scenario, Catalog))>,
    systems: Vec<(usize, PathBuf, System)>,
}

/// Runs everything (the scenarios `lanes` at a time, then each system on the shared pool) and
/// returns the gate's rows in the command line's order (a system's combined row, then its
/// environments'). Warnings are printed once each.
fn run_all(
    run: Runnable,
    simulate: Simulate,
    simulate_system: SimulateSystem,
    policy: Policy,
    age: &dyn Fn(&RunResult, &Catalog) -> Vec<GateCheck>,
    lanes: usize,
) -> Result<Vec<ScenarioGate>, String> {
    let mut warned = Vec::new();
    let scenario_warnings = run.scenarios.iter().flat_map(|(_, (_, sc, _))| sc.warnings.iter());
    let system_warnings = run
        .systems
        .iter()
        .flat_map(|(_, _, s)| s.environments.iter().flat_map(|e| e.scenario.warnings.iter()));
    for w in scenario_warnings.chain(system_warnings) {
        if !warned.contains(&w) {
            crate::stdio::err(&format!("warning: {w}"));
            warned.push(w);
        }
    }
    let mut rows: Vec<(usize, Vec<ScenarioGate>)> = Vec::new();
    let (order, scenarios): (Vec<usize>, Vec<_>) = run.scenarios.into_iter().unzip();
    let results = run_lanes(&scenarios, simulate, lanes);
    for ((i, (path, _, cat)), r) in order.into_iter().zip(&scenarios).zip(results) {
        let r = r?;
        let money = age(&r, cat);
        rows.push((
            i,
            vec![data::scenario_gate(&path.display().to_string(), &r, policy, money)],
        ));
    }
    drop(scenarios);
    for (i, path, sys) in &run.systems {
        let r = simulate_system(sys)?;
        let sys_age = |run: &RunResult| age(run, &sys.catalog);
        rows.push((
            *i,
            system::system_gates(&path.display().to_string(), &r, policy, &sys_age),
        ));
    }
    rows.sort_by_key(|(i, _)| *i);
    Ok(rows.into_iter().flat_map(|(_, g)| g).collect())
}

#[cfg(test)]
mod tests;
