//! Loading a scenario: its files (`extends:` merged), its pricing catalogs, its ranges
//! (`ranged.rs`), then deserialisation and validation (`validate.rs`).

use super::model::Scenario;
use super::raw::RawScenario;
use crate::components::{ComponentKind, KINDS};
use crate::error::{InputError, InputErrors};
use crate::pricing::{Catalog, CatalogSource, ChosenBy};
use crate::yamlfile::{load_with_extends, Sources};
use serde_yaml::Value;
use std::path::Path;

/// Loads a scenario and the pricing catalogs it is priced with.
///
/// The catalogs are, in order of precedence: `requested` (the CLI passes `--pricing DIR`, else
/// `CAPSIM_PRICING`); the scenario's `pricing:` field (a directory relative to the file); the
/// nearest `pricing/` directory holding `*.yaml` files at or above the scenario file's
/// directory (so editing a repository's `pricing/` takes effect); the catalogs built into
/// capsim. A named directory that does not exist or holds no catalogs is an input error.
pub fn load(path: &Path, requested: Option<&CatalogSource>) -> Result<(Scenario, Catalog), InputErrors> {
    load_edited(path, requested, &|_, _| Ok(()))
}

/// An edit of a scenario's merged YAML tree before it is deserialised (`capsim sweep` sets a
/// field there, so the edited scenario is validated like any other).
pub type Edit<'a> = &'a dyn Fn(&mut Value, &Sources) -> Result<(), InputError>;

/// [`load`] with `edit` applied to the merged document (after `extends:`) before it is read.
pub fn load_edited(
    path: &Path,
    requested: Option<&CatalogSource>,
    edit: Edit,
) -> Result<(Scenario, Catalog), InputErrors> {
    let (mut value, sources) = load_with_extends(path, super::raw::TOP_LEVEL)?;
    edit(&mut value, &sources)?;
    let specs = super::ranges::find(&value, &sources).map_err(InputErrors)?;
    let raw = deserialize(&sources, super::ranges::ends(&value, &specs, true), KINDS)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let source = match (requested, raw.pricing.as_deref()) {
        (Some(s), _) => s.clone(),
        (None, Some(given)) => {
            let p = dir.join(given);
            if !p.is_dir() {
                let reason = format!("pricing directory `{}` does not exist", p.display());
                return Err(sources.error("pricing", reason).into());
            }
            CatalogSource::dir(p, ChosenBy::Scenario)
        }
        (None, None) => match crate::pricing::nearest_pricing_dir(dir) {
            Some(p) => CatalogSource::dir(p, ChosenBy::Nearby),
            None => CatalogSource::builtin(),
        },
    };
    let catalog = Catalog::load(&source)?;
    drop(raw);
    let scenario = super::ranged::load(value, &sources, &catalog, path, KINDS, check_doc)?;
    Ok((scenario, catalog))
}

/// Replication `rep`'s scenario in a run seeded with `seed`, with the values it drew from the
/// scenario's ranges (`None`: it has none). See `ranged.rs`.
pub fn replication(
    sc: &Scenario,
    catalog: &Catalog,
    seed: u64,
    rep: u32,
) -> Result<Option<(Scenario, Vec<f64>)>, String> {
    super::ranged::replication(sc, catalog, (seed, rep), KINDS, check_doc)
}

/// Deserialises and validates a merged document without ranges (`ranged.rs` resolves them).
fn check_doc(
    value: Value,
    sources: &Sources,
    catalog: &Catalog,
    file: &Path,
    reg: &[&'static ComponentKind],
) -> Result<Scenario, InputErrors> {
    let raw = deserialize(sources, value, reg)?;
    super::validate::validate(raw, sources, catalog, file, reg)
}

/// The raw scenario of a merged document, with the blocks of the kinds of `reg` kept aside.
fn deserialize(sources: &Sources, mut value: Value, reg: &[&'static ComponentKind]) -> Result<RawScenario, InputError> {
    let taken = super::blocks::take(&mut value, reg);
    let mut raw: RawScenario = sources
        .deserialize(value)
        .map_err(|e| super::blocks::widen_allowed(e, reg))?;
    super::blocks::give_back(&mut raw, taken);
    Ok(raw)
}

/// Loads a scenario against an already loaded catalog (tests, `validate` of many files).
pub fn load_with_catalog(path: &Path, catalog: &Catalog) -> Result<Scenario, InputErrors> {
    let (value, sources) = load_with_extends(path, super::raw::TOP_LEVEL)?;
    super::ranged::load(value, &sources, catalog, path, KINDS, check_doc)
}

/// [`load_with_catalog`] for a scenario whose text is given (the fuzz harness); `path` places
/// it, for its `extends:` and its messages.
pub fn load_str(path: &Path, text: &str, catalog: &Catalog) -> Result<Scenario, InputErrors> {
    load_str_in(KINDS, path, text, catalog)
}

/// [`load_str`] with the component kinds of `reg` (a test registers a kind of its own).
pub fn load_str_in(
    reg: &[&'static ComponentKind],
    path: &Path,
    text: &str,
    catalog: &Catalog,
) -> Result<Scenario, InputErrors> {
    let (value, sources) = crate::yamlfile::load_text_with_extends(path, text, super::raw::TOP_LEVEL)?;
    super::ranged::load(value, &sources, catalog, path, reg, check_doc)
}
