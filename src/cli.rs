//! The command line: `capsim run | validate | check | plans`.
//!
//! Exit codes: 0 success (for `check`: within budget and SLOs), 1 `check` found a breached
//! budget or SLO, 2 capsim could not do its job (bad input, unwritable report). CI jobs can
//! tell a breached budget from a broken scenario.
//!
//! Warnings (a trigger or objective that cannot be evaluated as written: a threshold outside
//! its metric's range, a metric with no data in the stages the run can reach) are printed on
//! stderr by every command before anything runs. With `--strict` (`validate`, `check`) they are
//! input errors: exit 2, and `check` runs nothing.

use crate::error::InputErrors;
use crate::pricing::Catalog;
use crate::scenario::{self, Scenario};
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "capsim", version, about = "Capacity planning and cost modelling by discrete-event simulation", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario and write its report (default: reports/<scenario name>/).
    Run {
        scenario: PathBuf,
        /// Report directory (replaced atomically).
        #[arg(long)]
        out: Option<PathBuf>,
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
        #[arg(long)]
        pricing: Option<PathBuf>,
        /// Treat warnings (a trigger or objective that cannot be evaluated) as errors: exit 2.
        #[arg(long)]
        strict: bool,
        #[command(flatten)]
        caps: CapOpts,
    },
    /// Run scenarios and exit 1 if a budget or SLO is breached (for CI).
    Check {
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        #[command(flatten)]
        opts: RunOpts,
        /// Treat warnings (a trigger or objective that cannot be evaluated) as errors: exit 2
        /// before running anything.
        #[arg(long)]
        strict: bool,
    },
    /// List the pricing catalog: providers, plans, fees and where each price comes from.
    Plans {
        /// Only this provider.
        provider: Option<String>,
        #[arg(long, default_value = "pricing")]
        pricing: PathBuf,
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
    /// Pricing catalog directory (default: the scenario's `pricing:` or the nearest `pricing/`).
    #[arg(long)]
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

fn out(text: &str) {
    // A closed pipe (`capsim run … | head`) is not an error.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// Prints a scenario's warnings on stderr, before anything runs.
fn print_warnings(sc: &Scenario) {
    for w in &sc.warnings {
        eprintln!("warning: {w}");
    }
}

fn load(path: &Path, opts: &RunOpts) -> Result<(Scenario, Catalog), Failure> {
    let (mut sc, cat) = scenario::load(path, opts.pricing.as_deref())?;
    if let Some(s) = opts.seed {
        sc.seed = s;
    }
    if let Some(r) = opts.replications {
        sc.replications = r;
    }
    crate::work::check(&sc, opts.threads.map(usize::from), &opts.caps.caps()).map_err(InputErrors::from)?;
    Ok((sc, cat))
}

fn simulate(sc: &Scenario, cat: &Catalog, threads: Option<u16>) -> Result<crate::run::RunResult, Failure> {
    match threads {
        Some(n) => {
            // More threads than replications would only wait.
            let n = u32::from(n).min(sc.replications.max(1));
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n as usize)
                .build()
                .map_err(|e| Failure::Other(format!("cannot start {n} threads: {e}")))?;
            Ok(pool.install(|| crate::run::run(sc, cat)))
        }
        None => Ok(crate::run::run(sc, cat)),
    }
}

/// Default report directory: `reports/<file stem>` next to the working directory.
pub fn default_report_dir(scenario: &Path) -> PathBuf {
    let stem = scenario
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "report".into());
    PathBuf::from("reports").join(stem)
}

fn cmd_run(scenario: PathBuf, dir: Option<PathBuf>, opts: RunOpts, quiet: bool) -> Result<ExitCode, Failure> {
    let (sc, cat) = load(&scenario, &opts)?;
    print_warnings(&sc);
    let r = simulate(&sc, &cat, opts.threads)?;
    let dir = dir.unwrap_or_else(|| default_report_dir(&scenario));
    let files = crate::output::render_all(&r);
    crate::output::write_report(&dir, &files)
        .map_err(|e| Failure::Other(format!("cannot write the report to {}: {e}", dir.display())))?;
    if quiet {
        out(&format!("{}\n", dir.display()));
    } else {
        out(&crate::output::summary_text(&r, Some(&dir)));
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_validate(
    scenarios: Vec<PathBuf>,
    pricing: Option<PathBuf>,
    strict: bool,
    caps: CapOpts,
) -> Result<ExitCode, Failure> {
    let mut all = Vec::new();
    let mut warned = Vec::new();
    for p in &scenarios {
        let loaded = scenario::load(p, pricing.as_deref()).and_then(|(sc, cat)| {
            crate::work::check(&sc, None, &caps.caps())?;
            Ok((sc, cat))
        });
        let problems = match loaded {
            Ok((sc, _)) if strict && !sc.warnings.is_empty() => sc.warnings,
            Ok((sc, _)) => {
                out(&format!(
                    "ok  {} ({}: {} stages, {} request types, {} triggers{})\n",
                    p.display(),
                    sc.name,
                    sc.stages.len(),
                    sc.requests.len(),
                    sc.triggers.len(),
                    match sc.warnings.len() {
                        0 => String::new(),
                        1 => ", 1 warning".into(),
                        n => format!(", {n} warnings"),
                    }
                ));
                for w in sc.warnings {
                    if !warned.contains(&w) {
                        eprintln!("warning: {w}");
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

fn cmd_check(scenarios: Vec<PathBuf>, opts: RunOpts, strict: bool) -> Result<ExitCode, Failure> {
    // Every scenario is loaded before any runs, so broken input (and, with --strict, a
    // warning) stops the gate up front.
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
    let mut breached = false;
    for (p, (sc, cat)) in loaded {
        let r = simulate(&sc, &cat, opts.threads)?;
        let ok = r.budget_ok() && r.slo_ok();
        breached |= !ok;
        out(&format!(
            "{}  {}\n",
            if ok { "ok      " } else { "BREACHED" },
            p.display()
        ));
        for c in r.budget.iter().chain(r.slo.iter()).filter(|c| !c.ok) {
            out(&format!("          {}: {} (limit {})\n", c.what, c.value, c.limit));
        }
    }
    Ok(if breached { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn cmd_plans(provider: Option<String>, pricing: PathBuf) -> Result<ExitCode, Failure> {
    let cat = Catalog::load_dir(&pricing)?;
    let mut text = String::new();
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
            opts,
            quiet,
        } => cmd_run(scenario, dir, opts, quiet),
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
        } => cmd_check(scenarios, opts, strict),
        Command::Plans { provider, pricing } => cmd_plans(provider, pricing),
    };
    match result {
        Ok(code) => code,
        Err(Failure::Input(e)) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
        Err(Failure::Other(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
    }
}
