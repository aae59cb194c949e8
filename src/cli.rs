//! The command line: `capsim run | validate | check | plans`.
//!
//! Exit codes: 0 success (for `check`: within budget and SLOs, every SLO evaluated unless
//! `--allow-not-evaluated`, and no overload unless `--allow-overload`), 1 `check` found a
//! breached budget or SLO, an SLO it could not evaluate, or an overloaded station, 2 capsim
//! could not do its job (bad input, unwritable report). CI jobs can tell a breached budget
//! from a broken scenario.
//!
//! Warnings (a trigger or objective that cannot be evaluated as written: a threshold outside
//! its metric's range, a metric with no data in the stages the run can reach) are printed on
//! stderr by every command before anything runs. With `--strict` (`validate`, `check`) they are
//! input errors: exit 2, and `check` runs nothing.

use crate::error::InputErrors;
use crate::pricing::{Catalog, CatalogSource, ChosenBy};
use crate::run::RunConfig;
use crate::scenario::{self, Scenario};
use crate::stdio::{err, out};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Where prices come from, shown by `capsim --help`.
const PRICING_AFTER_HELP: &str = "\
Pricing catalogs (the first that applies):
  1. --pricing DIR
  2. the CAPSIM_PRICING environment variable (a directory)
  3. the scenario's `pricing:` field (a directory relative to the scenario file)
  4. the nearest pricing/ directory holding *.yaml files, in the scenario file's directory or
     above it (for `plans`: the current directory or above)
  5. the catalogs built into this capsim binary
A directory named by 1-3 that does not exist or holds no catalogs is an error (exit 2). Reports
and `capsim plans` say which catalogs were used.";

/// `--pricing`'s help for commands that read scenarios.
const PRICING_HELP: &str = "Pricing catalog directory; beats CAPSIM_PRICING, the scenario's `pricing:`, a nearby pricing/ and the built-in catalogs (see capsim --help)";

#[derive(Debug, Parser)]
#[command(
    name = "capsim",
    version,
    about = "Capacity planning and cost modelling by discrete-event simulation",
    long_about = None,
    after_help = PRICING_AFTER_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario and write its report (default: reports/<scenario name>/).
    Run {
        scenario: PathBuf,
        /// Report directory: replaced atomically, and only if capsim wrote it (see --force).
        ///
        /// The directory is swapped in one atomic step, so it is always the previous report or
        /// the complete new one. It is replaced only if capsim wrote it (it holds
        /// `.capsim-report` and nothing but report files) or it is new or empty. A run stopped
        /// by SIGINT or SIGTERM exits 130 or 143 and leaves nothing half-written. Never a
        /// file, a symbolic link, or a directory that is or contains the working directory,
        /// your home, the scenario (or a file it extends) or the pricing catalogs.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace an --out directory capsim did not write, deleting everything in it.
        ///
        /// Still never a file, a symbolic link, or a directory that is or contains the working
        /// directory, your home, the scenario (or a file it extends) or the pricing catalogs.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        opts: RunOpts,
        /// Print only the report directory.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Check scenario files (and the pricing catalogs they use) without running them.
    Validate {
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        #[arg(long, value_name = "DIR", help = PRICING_HELP)]
        pricing: Option<PathBuf>,
        /// Treat warnings (a trigger or objective that cannot be evaluated) as errors: exit 2.
        #[arg(long)]
        strict: bool,
        #[command(flatten)]
        caps: CapOpts,
    },
    /// Run scenarios and exit 1 if a budget or SLO is breached or a station is overloaded (for CI).
    Check {
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        #[command(flatten)]
        opts: RunOpts,
        /// Treat warnings (a trigger or objective that cannot be evaluated) as errors: exit 2
        /// before running anything.
        #[arg(long)]
        strict: bool,
        /// Pass an SLO whose metric had no observation in any busy window (by default such an
        /// objective is "not evaluated" and fails the check, exit 1).
        #[arg(long)]
        allow_not_evaluated: bool,
        /// Do not fail on overload (arrivals beyond a station's capacity, an unstable stop):
        /// still print it, but exit 0 if budgets and SLOs hold.
        #[arg(long)]
        allow_overload: bool,
    },
    /// List the pricing catalog: providers, plans, fees and where each price comes from.
    Plans {
        /// Only this provider.
        provider: Option<String>,
        /// Pricing catalog directory; beats CAPSIM_PRICING, a pricing/ directory at or above the
        /// current one and the built-in catalogs (see capsim --help)
        #[arg(long, value_name = "DIR")]
        pricing: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct RunOpts {
    /// Override the scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override the number of replications.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub replications: Option<u32>,
    /// Worker threads for replications (default: all cores; at most 256, and never more than
    /// the replications). Results do not depend on it.
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
    #[arg(long, value_name = "DIR", help = PRICING_HELP)]
    pub pricing: Option<PathBuf>,
    #[command(flatten)]
    pub caps: CapOpts,
}

/// The caps on a run's estimated work and memory (README, "Limits").
#[derive(Debug, Args)]
pub struct CapOpts {
    /// Refuse a run estimated at more simulated events than this, over all replications
    /// (default 2e9: about 75 s on two cores, 2.5 min on one).
    #[arg(long, value_name = "N", value_parser = crate::work::parse_max_events)]
    pub max_events: Option<f64>,
    /// Refuse a run estimated to need more memory than this (default 2GiB).
    #[arg(long, value_name = "SIZE", value_parser = crate::work::parse_max_memory)]
    pub max_memory: Option<f64>,
}

impl CapOpts {
    fn caps(&self) -> crate::work::Caps {
        let d = crate::work::Caps::default();
        crate::work::Caps {
            max_events: self.max_events.unwrap_or(d.max_events),
            max_memory: self.max_memory.unwrap_or(d.max_memory),
        }
    }
}

enum Failure {
    Input(InputErrors),
    Other(String),
}

impl From<InputErrors> for Failure {
    fn from(e: InputErrors) -> Self {
        Failure::Input(e)
    }
}

impl From<crate::envs::cli::Fail> for Failure {
    fn from(e: crate::envs::cli::Fail) -> Self {
        match e {
            crate::envs::cli::Fail::Input(e) => Failure::Input(e),
            crate::envs::cli::Fail::Other(m) => Failure::Other(m),
        }
    }
}

/// The flags that apply to a system of environments (`crate::envs`).
fn system_opts(opts: Option<&RunOpts>, pricing: Option<&Path>, caps: &CapOpts, strict: bool) -> crate::envs::cli::Opts {
    crate::envs::cli::Opts {
        requested: requested_pricing(pricing),
        seed: opts.and_then(|o| o.seed),
        replications: opts.and_then(|o| o.replications),
        threads: opts.and_then(|o| o.threads),
        caps: caps.caps(),
        strict,
    }
}

/// Prints a scenario's warnings on stderr, before anything runs.
fn print_warnings(sc: &Scenario) {
    for w in &sc.warnings {
        err(&format!("warning: {w}"));
    }
}

/// The catalogs the user named: `--pricing DIR`, else a non-empty `CAPSIM_PRICING`.
fn requested_pricing(flag: Option<&Path>) -> Option<CatalogSource> {
    if let Some(dir) = flag {
        return Some(CatalogSource::dir(dir, ChosenBy::Flag));
    }
    match std::env::var_os("CAPSIM_PRICING") {
        Some(dir) if !dir.is_empty() => Some(CatalogSource::dir(PathBuf::from(dir), ChosenBy::Env)),
        _ => None,
    }
}

fn load(path: &Path, opts: &RunOpts) -> Result<(Scenario, Catalog), Failure> {
    let requested = requested_pricing(opts.pricing.as_deref());
    let (sc, cat) = scenario::load(path, requested.as_ref())?;
    // The work of the run as the flags configure it, refused beyond the caps before anything runs.
    let mut probe = sc.clone();
    if let Some(r) = opts.replications {
        probe.replications = r;
    }
    crate::work::check(&probe, opts.threads.map(usize::from), &opts.caps.caps()).map_err(InputErrors::from)?;
    Ok((sc, cat))
}

/// The run configuration of the flags: each one given overrides the scenario's value.
fn run_config(sc: &Scenario, opts: &RunOpts, out: Option<PathBuf>) -> RunConfig {
    RunConfig {
        seed: opts.seed.unwrap_or(sc.seed),
        replications: opts.replications.unwrap_or(sc.replications),
        threads: opts.threads,
        out,
    }
}

fn simulate(sc: &Scenario, cat: &Catalog, cfg: &RunConfig) -> Result<crate::run::RunResult, Failure> {
    crate::run::run(sc, cat, cfg).map_err(Failure::Other)
}

/// Default report directory: `reports/<file stem>` next to the working directory.
pub fn default_report_dir(scenario: &Path) -> PathBuf {
    let stem = scenario
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "report".into());
    PathBuf::from("reports").join(stem)
}

fn cmd_run(
    scenario: PathBuf,
    dir: Option<PathBuf>,
    force: bool,
    opts: RunOpts,
    quiet: bool,
) -> Result<ExitCode, Failure> {
    if crate::envs::is_system(&scenario) {
        let dir = dir.unwrap_or_else(|| default_report_dir(&scenario));
        let o = system_opts(Some(&opts), opts.pricing.as_deref(), &opts.caps, false);
        return Ok(crate::envs::cli::run(&scenario, dir, force, &o, quiet)?);
    }
    let (sc, cat) = load(&scenario, &opts)?;
    print_warnings(&sc);
    let cfg = run_config(&sc, &opts, dir);
    let dir = cfg.out.clone().unwrap_or_else(|| default_report_dir(&scenario));
    // Refused before the simulation, so a refusal costs nothing; checked again when writing.
    let target = crate::outdir::check(&dir, &crate::outdir::Protected::for_scenario(&sc, &cat.source), force)
        .map_err(Failure::Other)?;
    let r = simulate(&sc, &cat, &cfg)?;
    let report = crate::report::Report::new(&r);
    crate::outdir::signals::install().map_err(Failure::Other)?;
    let mut on_wait = || {
        err(&format!(
            "waiting for another capsim writing to {} to finish",
            dir.display()
        ))
    };
    let written = crate::outdir::write_report(&target, &report, &mut on_wait).map_err(Failure::Other)?;
    for w in written.warnings {
        err(&format!("warning: {w}"));
    }
    if quiet {
        // Quiet drops the summary, never an overload warning.
        for line in overload_lines(&r) {
            eprintln!("warning: {line}");
        }
        out(&format!("{}\n", dir.display()));
    } else {
        out(&crate::report::text::summary_text(&r, Some(&dir)));
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_validate(
    scenarios: Vec<PathBuf>,
    pricing: Option<PathBuf>,
    strict: bool,
    caps: CapOpts,
) -> Result<ExitCode, Failure> {
    let requested = requested_pricing(pricing.as_deref());
    let mut all = Vec::new();
    let mut warned = Vec::new();
    for p in &scenarios {
        if crate::envs::is_system(p) {
            match crate::envs::cli::validate(p, &system_opts(None, pricing.as_deref(), &caps, strict)) {
                Ok(line) => out(&line),
                Err(e) => all.extend(e.0.into_iter().filter(|e| !all.contains(e)).collect::<Vec<_>>()),
            }
            continue;
        }
        let loaded = scenario::load(p, requested.as_ref()).and_then(|(sc, cat)| {
            crate::work::check(&sc, None, &caps.caps())?;
            Ok((sc, cat))
        });
        let problems = match loaded {
            Ok((sc, _)) if strict && !sc.warnings.is_empty() => sc.warnings,
            Ok((sc, cat)) => {
                out(&format!(
                    "ok  {} ({}: {} stages, {} request types, {} triggers{}; prices from {})\n",
                    p.display(),
                    sc.name,
                    sc.stages.len(),
                    sc.requests.len(),
                    sc.triggers.len(),
                    match sc.warnings.len() {
                        0 => String::new(),
                        1 => ", 1 warning".into(),
                        n => format!(", {n} warnings"),
                    },
                    cat.source
                ));
                for w in sc.warnings {
                    if !warned.contains(&w) {
                        err(&format!("warning: {w}"));
                        warned.push(w);
                    }
                }
                continue;
            }
            Err(e) => e.0,
        };
        for err in problems {
            // Files sharing a base report its problems once.
            if !all.contains(&err) {
                all.push(err);
            }
        }
    }
    if all.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(Failure::Input(InputErrors(all)))
    }
}

/// Overload in one line each: an unstable stop, then every overload warning.
fn overload_lines(r: &crate::run::RunResult) -> Vec<String> {
    let mut lines: Vec<String> = r
        .instability
        .iter()
        .map(|u| format!("unstable: {}", u.message))
        .collect();
    lines.extend(r.overload.iter().map(|w| format!("overload: {}", w.message)));
    lines
}

fn cmd_check(
    scenarios: Vec<PathBuf>,
    opts: RunOpts,
    strict: bool,
    allow_not_evaluated: bool,
    allow_overload: bool,
) -> Result<ExitCode, Failure> {
    // Every scenario is loaded before any runs, so broken input (and, with --strict, a
    // warning) stops the gate up front. Systems of environments go to `crate::envs`.
    let (systems, scenarios): (Vec<PathBuf>, Vec<PathBuf>) =
        scenarios.into_iter().partition(|p| crate::envs::is_system(p));
    let so = system_opts(Some(&opts), opts.pricing.as_deref(), &opts.caps, strict);
    let mut sys_loaded = Vec::new();
    for p in systems {
        let sys = crate::envs::cli::load_system(&p, &so)?;
        sys_loaded.push((p, sys));
    }
    let mut loaded = Vec::new();
    for p in &scenarios {
        loaded.push((p, load(p, &opts)?));
    }
    let warnings: Vec<_> = loaded.iter().flat_map(|(_, (sc, _))| sc.warnings.clone()).collect();
    if strict && !warnings.is_empty() {
        return Err(Failure::Input(InputErrors(warnings)));
    }
    for (_, (sc, _)) in &loaded {
        print_warnings(sc);
    }
    let mut breached = crate::envs::cli::check(&sys_loaded, opts.threads, allow_not_evaluated, allow_overload)?;
    for (p, (sc, cat)) in loaded {
        let r = simulate(&sc, &cat, &run_config(&sc, &opts, None))?;
        let slo_ok = if allow_not_evaluated {
            r.slo_ok_where_evaluated()
        } else {
            r.slo_ok()
        };
        let within = r.budget_ok() && slo_ok;
        let overloaded = r.overloaded() && !allow_overload;
        breached |= !within || overloaded;
        let over = r
            .checks
            .budget
            .iter()
            .chain(r.checks.slo.iter())
            .any(|c| c.verdict == crate::results::CheckVerdict::Breached);
        let status = match (within, over, overloaded) {
            (false, true, _) => "BREACHED",
            (false, false, _) => "NOT EVALUATED",
            (true, _, true) => "OVERLOAD",
            (true, _, false) => "ok      ",
        };
        out(&format!("{status}  {}\n", p.display()));
        for c in r.checks.budget.iter().chain(r.checks.slo.iter()).filter(|c| !c.ok()) {
            let allowed = if !c.evaluated() && allow_not_evaluated {
                " (allowed)"
            } else {
                ""
            };
            out(&format!(
                "          {}: {} (limit {}){allowed}\n",
                c.what,
                crate::report::fmt::fmt_check_value(c),
                crate::report::fmt::fmt_check_limit(c)
            ));
        }
        for line in overload_lines(&r) {
            let allowed = if allow_overload { " (allowed)" } else { "" };
            out(&format!("          {line}{allowed}\n"));
        }
        // Scheduled jobs that outlast their interval: a warning, not a breach.
        for w in crate::sched::summary::warnings(&r.jobs) {
            out(&format!("          warning: {w}\n"));
        }
    }
    Ok(if breached { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn cmd_plans(provider: Option<String>, pricing: Option<PathBuf>) -> Result<ExitCode, Failure> {
    let source = requested_pricing(pricing.as_deref()).unwrap_or_else(|| {
        match crate::pricing::nearest_pricing_dir(Path::new(".")) {
            Some(dir) => CatalogSource::dir(dir, ChosenBy::Nearby),
            None => CatalogSource::builtin(),
        }
    });
    let cat = Catalog::load(&source)?;
    let mut text = format!("Catalogs: {}\n", cat.source);
    for (id, p) in &cat.providers {
        if provider.as_ref().is_some_and(|want| want != id) {
            continue;
        }
        text.push_str(&format!(
            "{id} — {} [{:?}, as of {}]\n",
            p.name, p.provenance.confidence, p.provenance.as_of
        ));
        for (pid, plan) in &p.plans {
            text.push_str(&format!(
                "  {pid:<16} {:<24} fee {}  [{:?}]\n",
                plan.name,
                crate::units::fmt_money(plan.fee),
                plan.provenance.confidence
            ));
        }
    }
    if let Some(want) = &provider {
        if !cat.providers.contains_key(want) {
            return Err(Failure::Other(format!(
                "unknown provider `{want}`; known: {}",
                cat.providers.keys().cloned().collect::<Vec<_>>().join(", ")
            )));
        }
    }
    out(&text);
    Ok(ExitCode::SUCCESS)
}

pub fn main_with(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Run {
            scenario,
            out: dir,
            force,
            opts,
            quiet,
        } => cmd_run(scenario, dir, force, opts, quiet),
        Command::Validate {
            scenarios,
            pricing,
            strict,
            caps,
        } => cmd_validate(scenarios, pricing, strict, caps),
        Command::Check {
            scenarios,
            opts,
            strict,
            allow_not_evaluated,
            allow_overload,
        } => cmd_check(scenarios, opts, strict, allow_not_evaluated, allow_overload),
        Command::Plans { provider, pricing } => cmd_plans(provider, pricing),
    };
    match result {
        Ok(code) => code,
        Err(Failure::Input(e)) => {
            err(&e.to_string());
            ExitCode::from(2)
        }
        Err(Failure::Other(msg)) => {
            err(&format!("error: {msg}"));
            ExitCode::from(2)
        }
    }
}
