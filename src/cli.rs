//! The command line: `capsim run | validate | check | diff | sweep | merge | plans | schema |
//! completions | new`.
//!
//! `--quiet` and `--verbose` are global: every subcommand takes them (`crate::verbosity`).
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
use crate::pricing::requested_pricing;
use crate::pricing::{Catalog, CatalogSource, ChosenBy};
use crate::run::RunConfig;
use crate::scenario::{self, Scenario};
use crate::stdio::{err, out};
use crate::verbosity::Verbosity;
use crate::work::CapOpts;
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
    #[command(flatten)]
    pub verbosity: Verbosity,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate scenarios and write their reports (default: reports/<scenario file stem>/).
    Run {
        /// Scenario files to simulate (YAML; see `capsim schema` and `capsim new`); each is
        /// validated before any runs, and each gets its own report.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        /// Report directory: replaced atomically, and only if capsim wrote it (see --force).
        /// With several scenarios, the directory their reports go in, each in DIR/<file stem>/.
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
    },
    /// Check scenario files (and the pricing catalogs they use) without running them.
    Validate {
        /// Scenario files to check, each with the files it `extends:`.
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
        /// Scenario files to run and check against their budgets and SLOs.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        #[command(flatten)]
        opts: RunOpts,
        /// Treat warnings (a trigger or objective that cannot be evaluated) as errors: exit 2
        /// before running anything (an unpriced component is one). Also fail (exit 1) on what
        /// changes the money: no budget and no SLO, a bill over a plan's hard cap, old prices.
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
        #[command(flatten)]
        gate: crate::gate::GateArgs,
    },
    /// Run a scenario at every point of a grid over one or two of its fields: headroom,
    /// trigger onsets, break-evens, a table, CSV and charts (default: reports/<stem>-sweep/).
    Sweep(crate::sweep::cmd::SweepArgs),
    /// Join the shard files of a sweep (`sweep --shard i/n`) into the report one run gives.
    Merge(crate::sweep::cmd::MergeArgs),
    /// Compare two runs (scenarios or report directories): costs, triggers, checks, headroom.
    ///
    /// Exit 0, or 1 when a gate asked for (--fail-above, --fail-on) fails; 2 on bad input.
    Diff {
        #[command(flatten)]
        args: crate::diff::DiffArgs,
        #[command(flatten)]
        opts: RunOpts,
    },
    /// List the pricing catalogs: fees, meters (rates, included quotas, tiers), sizes and
    /// capacities, and where each price comes from.
    Plans {
        /// Only this provider (its id, e.g. `supabase`, `openai_api`); default: every provider.
        provider: Option<String>,
        /// Pricing catalog directory; beats CAPSIM_PRICING, a pricing/ directory at or above the
        /// current one and the built-in catalogs (see capsim --help)
        #[arg(long, value_name = "DIR")]
        pricing: Option<PathBuf>,
        /// Output format: aligned text, or JSON (the catalogs' numbers, unrounded; amounts in USD).
        #[arg(long, value_enum, default_value = "text")]
        format: crate::plans::Format,
    },
    /// Print the JSON Schema of scenario files or pricing catalogs (for editors and CI).
    ///
    /// `capsim schema > capsim.schema.json`, then start a scenario file with
    /// `# yaml-language-server: $schema=capsim.schema.json` for completion in editors.
    Schema {
        /// Which files the schema describes.
        #[arg(value_enum, default_value = "scenario")]
        which: crate::schema::Which,
    },
    /// Print a shell completion script: `capsim completions bash > ~/.local/share/bash-completion/completions/capsim`.
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write a commented starter scenario from a template for a typical stack.
    New {
        /// The stack to start from.
        #[arg(long, short, value_enum, default_value = "web-app")]
        template: crate::templates::Template,
        /// The scenario file to write.
        #[arg(default_value = "scenario.yaml")]
        path: PathBuf,
        /// Replace the file if it exists (never a directory or a symbolic link).
        #[arg(long)]
        force: bool,
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

/// Runs `sc`, with progress on a terminal's stderr (`crate::progress`) and, with `--verbose`,
/// its settings before and its time after.
fn simulate(sc: &Scenario, cat: &Catalog, cfg: &RunConfig, v: Verbosity) -> Result<crate::run::RunResult, Failure> {
    if v.verbose {
        err(&settings(sc, cat, cfg));
    }
    let started = std::time::Instant::now();
    let progress = crate::progress::wanted(v.quiet).then(|| crate::progress::Progress::new(cfg.replications));
    let r = crate::run::run_with_progress(sc, cat, cfg, progress.as_ref());
    if let Some(p) = &progress {
        p.finish();
    }
    if v.verbose {
        err(&format!("{}: ran in {:.1} s", sc.name, started.elapsed().as_secs_f64()));
    }
    r.map_err(Failure::Other)
}

/// What a run will do, for `--verbose`: seed, replications, threads, estimated work, catalogs.
fn settings(sc: &Scenario, cat: &Catalog, cfg: &RunConfig) -> String {
    let mut probe = sc.clone();
    probe.replications = cfg.replications;
    let e = crate::work::estimate(&probe, cfg.threads.map(usize::from));
    format!(
        "{}: seed {}, {} replications × {} periods on {} threads; estimated {:.3e} events, {} of memory; prices from {}",
        sc.name,
        cfg.seed,
        cfg.replications,
        e.periods,
        e.threads,
        e.events(),
        crate::units::fmt_bytes(e.memory_bytes),
        cat.source
    )
}

/// Default report directory: `reports/<file stem>` next to the working directory.
pub fn default_report_dir(scenario: &Path) -> PathBuf {
    crate::multirun::default_report_dir(scenario)
}

/// Every scenario loaded (every broken file reported) before any runs, then each run to its
/// own report directory ([`crate::multirun::report_dirs`]).
fn cmd_run(
    scenarios: Vec<PathBuf>,
    out: Option<PathBuf>,
    force: bool,
    opts: RunOpts,
    v: Verbosity,
) -> Result<ExitCode, Failure> {
    let dirs = crate::multirun::report_dirs(&scenarios, out.as_deref());
    let mut problems = dirs.as_ref().err().map(|e| e.0.clone()).unwrap_or_default();
    let mut loaded = Vec::new();
    for p in &scenarios {
        // A system of environments is loaded (and reported) by `crate::envs` when it runs.
        if crate::envs::is_system(p) {
            loaded.push(None);
            continue;
        }
        match load(p, &opts) {
            Ok(l) => loaded.push(Some(l)),
            Err(Failure::Input(e)) => {
                for e in e.0 {
                    // Files sharing a base report its problems once.
                    if !problems.contains(&e) {
                        problems.push(e);
                    }
                }
            }
            Err(other) => return Err(other),
        }
    }
    let (Ok(dirs), true) = (dirs, problems.is_empty()) else {
        return Err(Failure::Input(InputErrors(problems)));
    };
    for ((p, l), dir) in scenarios.iter().zip(loaded).zip(dirs) {
        match l {
            Some((sc, cat)) => run_one(&sc, &cat, dir, force, &opts, v)?,
            None => {
                let o = system_opts(Some(&opts), opts.pricing.as_deref(), &opts.caps, false);
                crate::envs::cli::run(p, dir, force, &o, v.quiet)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One scenario run and its report written to `dir`.
fn run_one(
    sc: &Scenario,
    cat: &Catalog,
    dir: PathBuf,
    force: bool,
    opts: &RunOpts,
    v: Verbosity,
) -> Result<(), Failure> {
    print_warnings(sc);
    let cfg = run_config(sc, opts, Some(dir.clone()));
    // Refused before the simulation, so a refusal costs nothing; checked again when writing.
    let target = crate::outdir::check(&dir, &crate::outdir::Protected::for_scenario(sc, &cat.source), force)
        .map_err(Failure::Other)?;
    let r = simulate(sc, cat, &cfg, v)?;
    let report = crate::report::Report::new(&r);
    crate::outdir::write_and_warn(&target, &report, &dir).map_err(Failure::Other)?;
    if v.quiet {
        // Quiet drops the summary, never an overload warning.
        for line in overload_lines(&r) {
            eprintln!("warning: {line}");
        }
        out(&format!("{}\n", dir.display()));
    } else {
        out(&crate::report::text::summary_text(&r, Some(&dir)));
    }
    Ok(())
}

fn cmd_validate(
    scenarios: Vec<PathBuf>,
    pricing: Option<PathBuf>,
    strict: bool,
    caps: CapOpts,
    v: Verbosity,
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
                if v.verbose {
                    err(&settings(&sc, &cat, &RunConfig::of(&sc)));
                }
                if !v.quiet {
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
                }
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
    policy: crate::gate::data::Policy,
    gate: crate::gate::GateArgs,
    v: Verbosity,
) -> Result<ExitCode, Failure> {
    let so = system_opts(Some(&opts), opts.pricing.as_deref(), &opts.caps, policy.strict);
    // Every file is loaded before any runs, so every broken one is reported up front.
    let loaded = scenarios
        .into_iter()
        .map(|p| {
            if crate::envs::is_system(&p) {
                let l = crate::envs::cli::load_system(&p, &so);
                return (p, crate::gate::Input::System(Box::new(l)));
            }
            let l = load(&p, &opts).map_err(|f| match f {
                Failure::Input(e) => e,
                Failure::Other(m) => InputErrors(vec![crate::error::InputError::new(&p, "", m)]),
            });
            (p, crate::gate::Input::Scenario(Box::new(l)))
        })
        .collect();
    let sim = |sc: &Scenario, cat: &Catalog| {
        simulate(sc, cat, &run_config(sc, &opts, None), v).map_err(|f| match f {
            Failure::Input(e) => e.to_string(),
            Failure::Other(m) => m,
        })
    };
    let sim_system = |sys: &crate::envs::System| crate::envs::run_system(sys, opts.threads);
    let lanes = check_lanes(opts.threads);
    let code = crate::gate::check(loaded, &sim, &sim_system, &gate, policy, v, lanes).map_err(Failure::Other)?;
    Ok(ExitCode::from(code))
}

/// How many scenarios `check` runs at once: as many as the cores (at most 4, so memory stays
/// a few runs' worth), one with `--threads 1`.
fn check_lanes(threads: Option<u16>) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    usize::from(threads.unwrap_or(u16::MAX)).min(cores).clamp(1, 4)
}

/// A scenario side of `capsim diff`: run with the command's flags, as its `summary.json`.
fn diff_side(path: &Path, opts: &RunOpts, v: Verbosity) -> Result<Vec<u8>, Failure> {
    let (sc, cat) = load(path, opts)?;
    print_warnings(&sc);
    Ok(crate::report::json::json(&simulate(
        &sc,
        &cat,
        &run_config(&sc, opts, None),
        v,
    )?))
}

fn cmd_plans(
    provider: Option<String>,
    pricing: Option<PathBuf>,
    format: crate::plans::Format,
) -> Result<ExitCode, Failure> {
    let source = requested_pricing(pricing.as_deref()).unwrap_or_else(|| {
        match crate::pricing::nearest_pricing_dir(Path::new(".")) {
            Some(dir) => CatalogSource::dir(dir, ChosenBy::Nearby),
            None => CatalogSource::builtin(),
        }
    });
    let cat = Catalog::load(&source)?;
    let listing = crate::plans::listing(&cat, provider.as_deref()).map_err(Failure::Other)?;
    out(&match format {
        crate::plans::Format::Text => crate::plans::text(&listing),
        crate::plans::Format::Json => crate::plans::json(&listing),
    });
    Ok(ExitCode::SUCCESS)
}

/// `capsim completions SHELL`: the completion script clap_complete writes for this command line.
fn cmd_completions(shell: clap_complete::Shell) -> Result<ExitCode, Failure> {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut <Cli as clap::CommandFactory>::command(), "capsim", &mut buf);
    out(&String::from_utf8_lossy(&buf));
    Ok(ExitCode::SUCCESS)
}

/// `capsim new`: writes a template, then says what to run next (unless `--quiet`).
fn cmd_new(
    template: crate::templates::Template,
    path: PathBuf,
    force: bool,
    v: Verbosity,
) -> Result<ExitCode, Failure> {
    crate::templates::write(template, &path, force).map_err(Failure::Other)?;
    if !v.quiet {
        out(&format!(
            "wrote {} (template {}); next: capsim validate --strict {0} && capsim run {0}\n",
            path.display(),
            crate::templates::name(template)
        ));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn main_with(cli: Cli) -> ExitCode {
    let v = cli.verbosity;
    let result = match cli.command {
        Command::Run {
            scenarios,
            out: dir,
            force,
            opts,
        } => cmd_run(scenarios, dir, force, opts, v),
        Command::Validate {
            scenarios,
            pricing,
            strict,
            caps,
        } => cmd_validate(scenarios, pricing, strict, caps, v),
        Command::Check {
            scenarios,
            opts,
            strict,
            allow_not_evaluated,
            allow_overload,
            gate,
        } => {
            let policy = crate::gate::data::Policy {
                strict,
                allow_not_evaluated,
                allow_overload,
            };
            cmd_check(scenarios, opts, policy, gate, v)
        }
        Command::Diff { args, opts } => crate::diff::command(&args, &mut |p| diff_side(p, &opts, v)),
        Command::Plans {
            provider,
            pricing,
            format,
        } => cmd_plans(provider, pricing, format),
        Command::Sweep(a) => Ok(crate::sweep::cmd::run_sweep(a, v.quiet)),
        Command::Merge(a) => Ok(crate::sweep::cmd::run_merge(a, v.quiet)),
        Command::Schema { which } => {
            out(&crate::schema::text(which));
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => cmd_completions(shell),
        Command::New { template, path, force } => cmd_new(template, path, force, v),
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
