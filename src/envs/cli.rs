//! What `capsim run | validate` do with a system file (see [`super`]), and how `check` loads
//! one (`crate::cli` hands such files over here; the gate runs them, `crate::gate::system`).

use super::{load, run_system, System, SystemResult};
use crate::error::{InputError, InputErrors};
use crate::pricing::CatalogSource;
use crate::stdio::{err, out};
use crate::work::Caps;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Why a command failed: bad input (exit 2) or anything else (exit 2 too, said differently).
pub enum Fail {
    Input(InputErrors),
    Other(String),
}

impl From<InputErrors> for Fail {
    fn from(e: InputErrors) -> Self {
        Fail::Input(e)
    }
}

/// The command line's choices that apply to a system.
pub struct Opts {
    pub requested: Option<CatalogSource>,
    pub seed: Option<u64>,
    pub replications: Option<u32>,
    pub threads: Option<u16>,
    pub caps: Caps,
    /// Warnings are errors.
    pub strict: bool,
}

/// Loads a system with the flags applied (a `--seed` re-derives every environment's seed),
/// refusing it when its environments together exceed the caps on work.
pub fn load_system(path: &Path, o: &Opts) -> Result<System, InputErrors> {
    let mut sys = load(path, o.requested.as_ref())?;
    if let Some(s) = o.seed {
        sys.seed = s;
    }
    if let Some(r) = o.replications {
        sys.replications = r;
    }
    for e in &mut sys.environments {
        e.scenario.seed = super::env_seed(sys.seed, &e.name);
        e.scenario.replications = sys.replications;
    }
    within_caps(&sys, o)?;
    let warnings: Vec<InputError> = sys
        .environments
        .iter()
        .flat_map(|e| e.scenario.warnings.clone())
        .collect();
    if o.strict && !warnings.is_empty() {
        return Err(InputErrors(warnings));
    }
    Ok(sys)
}

/// Every environment within the caps, and their events together too (they run one after the
/// other, so memory is the largest environment's).
fn within_caps(sys: &System, o: &Opts) -> Result<(), InputErrors> {
    let threads = o.threads.map(usize::from);
    let mut events = 0.0;
    for e in &sys.environments {
        crate::work::check(&e.scenario, threads, &o.caps)?;
        events += crate::work::estimate(&e.scenario, threads).events();
    }
    if events > o.caps.max_events {
        let reason = format!(
            "its {} environments are estimated at {events:.3e} simulated events together, over the cap of {:.3e} \
             (--max-events; fewer --replications, or run the environments one by one)",
            sys.environments.len(),
            o.caps.max_events
        );
        return Err(InputError::new(&sys.file, "environments", reason).into());
    }
    Ok(())
}

/// Each warning once: environments extending one base file share its warnings.
fn print_warnings(sys: &System) {
    let mut seen: Vec<&InputError> = Vec::new();
    for w in sys.environments.iter().flat_map(|e| &e.scenario.warnings) {
        if !seen.contains(&w) {
            err(&format!("warning: {w}"));
            seen.push(w);
        }
    }
}

/// `capsim validate` of a system: the line saying it is valid.
pub fn validate(path: &Path, o: &Opts) -> Result<String, InputErrors> {
    let sys = load_system(path, o)?;
    print_warnings(&sys);
    let names: Vec<String> = sys
        .environments
        .iter()
        .map(|e| format!("{} = {}", e.name, e.scenario.name))
        .collect();
    Ok(format!(
        "ok  {} ({}: {} environments: {}; prices from {})\n",
        path.display(),
        sys.name,
        sys.environments.len(),
        names.join(", "),
        sys.catalog.source
    ))
}

/// The places a system's report may not replace: its files and the catalogs.
fn protected(sys: &System) -> crate::outdir::Protected {
    let mut p = match sys.environments.first() {
        Some(e) => crate::outdir::Protected::for_scenario(&e.scenario, &sys.catalog.source),
        None => crate::outdir::Protected::new(),
    };
    p.add(&sys.file, format!("the system {}", sys.file.display()));
    for e in &sys.environments {
        p.add(&e.file, format!("the environment {}", e.file.display()));
    }
    p
}

/// `capsim run` of a system: runs it and writes its report to `dir`.
pub fn run(path: &Path, dir: PathBuf, force: bool, o: &Opts, quiet: bool) -> Result<ExitCode, Fail> {
    let sys = load_system(path, o)?;
    print_warnings(&sys);
    let target = crate::outdir::check(&dir, &protected(&sys), force).map_err(Fail::Other)?;
    let r = run_system(&sys, o.threads).map_err(Fail::Other)?;
    let files = super::render::files(&r);
    crate::outdir::write_and_warn(&target, &files, &dir).map_err(Fail::Other)?;
    if quiet {
        out(&format!("{}\n", dir.display()));
    } else {
        out(&summary_text(&r, &dir));
    }
    Ok(ExitCode::SUCCESS)
}

/// The few lines `capsim run` prints.
fn summary_text(r: &SystemResult, dir: &Path) -> String {
    let mut s = format!("{} ({} environments)\n", r.name, r.environments.len());
    if let Some(m) = r.months.first() {
        for (e, x) in &m.environments {
            s.push_str(&format!("  {e:<12} month 1 {}\n", crate::units::fmt_money(x.mean)));
        }
        let saved: f64 = m.shared.iter().map(|a| a.saving.mean).sum();
        s.push_str(&format!(
            "  all          month 1 {} (shared accounts −{})\n",
            crate::units::fmt_money(m.total.mean),
            crate::units::fmt_money(saved)
        ));
    }
    s.push_str(&format!("report: {}\n", dir.display()));
    s
}
