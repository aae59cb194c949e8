//! The command-line side of `capsim sweep` and `capsim merge`: their flags and what each does.

use super::{render, shard, vary, Error, Spec, Sweep};
use crate::pricing::requested_pricing;
use crate::stdio::{err, out};
use crate::work::CapOpts;
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const VARY_HELP: &str = "\
The field to vary and its values: PATH=FROM..TO (--steps points, evenly spaced; geometrically \
with --log) or PATH=A,B,C (increasing). PATH is the field's path in the scenario once `extends:` \
is merged: keys joined by dots, list elements by their 0-based index in brackets, e.g. \
traffic.users.points[2].users, stages.beta.api.instances, traffic.arrival_rate, budget.monthly. \
The field must hold a number or text starting with one (32/s, 100ms, $1200): the number is \
replaced and the unit kept; a field written as a plain whole number (instances: 3) takes whole \
numbers. Give --vary \
twice for a grid (the first is the x axis; every answer is given per value of the second).";

const SWEEP_AFTER_HELP: &str = "\
Every point is the scenario with the field(s) set, validated like a scenario file, and run with \
the same seed and replications (common random numbers). Answers: the headroom (the largest value \
of the first parameter at which every budget and SLO holds: the grid brackets it, then bisection \
narrows it to --tolerance), when each trigger starts to fire, and where each alternative breaks \
even with its chosen plan. Costs are the last month's.

Large sweeps: run `--shard i/n --out shard-i.json` for i = 1..n on n machines (a CI matrix, a \
Kubernetes Indexed Job), then `capsim merge shard-*.json --out DIR`: the same report as one run. \
The bisection runs at merge time.

Examples:
  capsim sweep scenarios/ga.yaml --vary traffic.users.points[2].users=1000..20000 --steps 12
  capsim sweep scenarios/textbook/mmc.yaml --vary traffic.arrival_rate=10,20,30,35 --vary stages.only.api.workers=4,5";

/// `capsim sweep`'s flags.
#[derive(Debug, Args)]
#[command(after_help = SWEEP_AFTER_HELP)]
pub struct SweepArgs {
    /// The scenario file to sweep.
    pub scenario: PathBuf,
    #[arg(long, value_name = "PATH=VALUES", required = true, help = VARY_HELP)]
    pub vary: Vec<String>,
    /// Points of a FROM..TO range (2 to 1000).
    #[arg(long, default_value_t = 10)]
    pub steps: usize,
    /// Space a FROM..TO range geometrically (FROM > 0) instead of evenly.
    #[arg(long)]
    pub log: bool,
    /// Bisection stops when the headroom is bracketed this tightly, in the first parameter's
    /// unit (default: 1/16 of the grid's smallest step; at least 1 for a whole-number field).
    #[arg(long, value_name = "X")]
    pub tolerance: Option<f64>,
    /// Override the scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override the number of replications of every point.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub replications: Option<u32>,
    /// Run only slice i of n of the grid (points k with k mod n = i − 1) and write a shard file
    /// to --out, for `capsim merge`.
    #[arg(long, value_name = "i/n", value_parser = shard::parse)]
    pub shard: Option<(usize, usize)>,
    /// Report directory (default reports/<scenario file stem>-sweep), replaced atomically and
    /// only if capsim wrote it; with --shard, the shard file to write (required).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an --out directory capsim did not write, deleting everything in it.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub common: Common,
}

/// Flags `sweep` and `merge` share.
#[derive(Debug, Args)]
pub struct Common {
    /// Worker threads (default: all cores; at most 256). Results do not depend on it.
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
    /// Pricing catalog directory; beats CAPSIM_PRICING, the scenario's `pricing:`, a nearby
    /// pricing/ and the built-in catalogs (see capsim --help)
    #[arg(long, value_name = "DIR")]
    pub pricing: Option<PathBuf>,
    #[command(flatten)]
    pub caps: CapOpts,
}

/// `capsim merge`'s flags.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shard files of one sweep (`capsim sweep --shard i/n`), every slice once.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Report directory (default reports/<scenario file stem>-sweep), replaced atomically and
    /// only if capsim wrote it.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an --out directory capsim did not write, deleting everything in it.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub common: Common,
}

fn exit(r: Result<(), Error>) -> ExitCode {
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Input(e)) => {
            err(&e.to_string());
            ExitCode::from(2)
        }
        Err(Error::Other(m)) => {
            err(&format!("error: {m}"));
            ExitCode::from(2)
        }
    }
}

/// Runs `f` on a pool of `threads` threads (else the current pool).
fn on_pool<T: Send>(threads: Option<u16>, f: impl FnOnce() -> T + Send) -> Result<T, Error> {
    match threads {
        None => Ok(f()),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(n))
            .build()
            .map(|p| p.install(f))
            .map_err(|e| Error::Other(format!("cannot start {n} threads: {e}"))),
    }
}

fn default_dir(scenario: &str) -> PathBuf {
    let stem = Path::new(scenario)
        .file_stem()
        .map_or("sweep".into(), |s| s.to_string_lossy().to_string());
    PathBuf::from("reports").join(format!("{stem}-sweep"))
}

fn target(sw: &Sweep, dir: &Path, force: bool) -> Result<crate::outdir::Target, Error> {
    let mut protected = crate::outdir::Protected::new();
    protected.add(
        Path::new(&sw.spec.scenario),
        format!("the scenario {}", sw.spec.scenario),
    );
    crate::outdir::check(dir, &protected, force).map_err(Error::Other)
}

/// Bisection, answers, report: what a sweep and a merge do once the grid is run.
fn report(
    sw: &Sweep,
    grid: Vec<super::point::Point>,
    dir: Option<PathBuf>,
    force: bool,
    c: &Common,
    quiet: bool,
) -> Result<(), Error> {
    let dir = dir.unwrap_or_else(|| default_dir(&sw.spec.scenario));
    let t = target(sw, &dir, force)?;
    let outcome = on_pool(c.threads, || sw.finish(grid))??;
    let files = render::files(sw, &outcome, super::chart::charts(sw, &outcome)).map_err(Error::Other)?;
    crate::outdir::write_and_warn(&t, &files, &dir).map_err(Error::Other)?;
    if !quiet {
        out(&render::summary_text(sw, &outcome));
        out("Report: ");
    }
    out(&format!("{}\n", dir.display()));
    Ok(())
}

fn sweep(a: SweepArgs, quiet: bool) -> Result<(), Error> {
    let spacing = if a.log {
        vary::Spacing::Log
    } else {
        vary::Spacing::Linear
    };
    let vary = a
        .vary
        .iter()
        .map(|v| vary::parse(v, a.steps, spacing))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Error::Other)?;
    let spec = Spec {
        scenario: a.scenario.to_string_lossy().to_string(),
        vary,
        seed: a.seed,
        replications: a.replications,
        tolerance: a.tolerance,
    };
    let requested = requested_pricing(a.common.pricing.as_deref());
    let sw = super::prepare(spec, requested, a.common.caps.caps())?;
    let Some((i, n)) = a.shard else {
        let all: Vec<usize> = (0..sw.len()).collect();
        let grid = on_pool(a.common.threads, || sw.run_grid(&all))??;
        return report(&sw, grid, a.out, a.force, &a.common, quiet);
    };
    let path = a
        .out
        .ok_or_else(|| Error::Other("--shard needs --out FILE, the shard file to write".into()))?;
    let ks = shard::indices(i, n, sw.len());
    let points = on_pool(a.common.threads, || sw.run_grid(&ks))??;
    let file = shard::Shard {
        format: shard::FORMAT.into(),
        hash: sw.hash.clone(),
        shard: i,
        of: n,
        points_total: sw.len(),
        spec: sw.spec.clone(),
        points: ks.into_iter().zip(points).collect(),
    };
    shard::write(&path, &file).map_err(Error::Other)?;
    if !quiet {
        out(&format!(
            "slice {i}/{n} of sweep {}: {} of {} points\n",
            sw.hash,
            file.points.len(),
            sw.len()
        ));
    }
    out(&format!("{}\n", path.display()));
    Ok(())
}

fn merge(a: MergeArgs, quiet: bool) -> Result<(), Error> {
    let mut shards = Vec::new();
    for p in &a.shards {
        shards.push((p.clone(), shard::read(p).map_err(Error::Other)?));
    }
    let (spec, hash, grid) = shard::join(shards).map_err(Error::Other)?;
    let requested = requested_pricing(a.common.pricing.as_deref());
    let sw = super::prepare(spec, requested, a.common.caps.caps())?;
    if sw.hash != hash {
        return Err(Error::Other(format!(
            "the shards are of sweep {hash}, but {} with their flags is now sweep {}: the scenario \
             (or a file it extends) changed since they were run; run the shards again",
            sw.spec.scenario, sw.hash
        )));
    }
    report(&sw, grid, a.out, a.force, &a.common, quiet)
}

/// `capsim sweep`; `quiet` (the global `--quiet`) prints only where the report or shard went.
pub fn run_sweep(a: SweepArgs, quiet: bool) -> ExitCode {
    exit(sweep(a, quiet))
}

/// `capsim merge`; `quiet` as for [`run_sweep`].
pub fn run_merge(a: MergeArgs, quiet: bool) -> ExitCode {
    exit(merge(a, quiet))
}
