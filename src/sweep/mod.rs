//! `capsim sweep` and `capsim merge`: one run per point of a grid over one or two fields of a
//! scenario, then the answers people ask of it (headroom, when each trigger starts to fire,
//! break-even between alternatives) and a report of tables and charts.
//!
//! * [`vary`] parses `--vary PATH=VALUES` and edits the scenario's YAML tree.
//! * This file prepares a sweep ([`prepare`]: the fields, the grid, the sweep's identity hash)
//!   and runs points ([`Sweep::run_points`]): each is loaded like a scenario written by hand
//!   (an invalid point is a located error naming the point), and run with the same seed and
//!   replications (common random numbers, so differences between points are not noise).
//!   Points run in parallel, each one's replications too; results are kept in point order, so
//!   they do not depend on the thread count.
//! * [`point`] keeps the figures of a run that a sweep compares; [`answers`] finds headroom
//!   (grid, then bisection), trigger onsets and break-evens; [`render`] and [`chart`] format.
//! * [`shard`]: `--shard i/n` runs the grid points `k` with `k mod n = i − 1` and writes them to
//!   a shard file; `merge` checks the shards belong to one sweep and cover it once, then does
//!   what a single run does after its grid (bisection, report). Both paths call
//!   [`Sweep::finish`] on the same grid, so their reports are byte-identical.
//!
//! The grid is `values(1) × values(2)`: point `k` is `(values1[k mod n1], values2[k div n1])`,
//! so each value of the second parameter is a line along the first, and every answer is given
//! per line.

pub mod answers;
pub mod chart;
pub mod cmd;
pub mod point;
pub mod render;
pub mod shard;
pub mod vary;

use crate::error::{InputError, InputErrors};
use crate::pricing::{Catalog, CatalogSource};
use crate::run::RunConfig;
use crate::scenario::Scenario;
use point::Point;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use vary::{Field, Vary};

/// What failed: the input (exit 2 with located messages) or anything else (exit 2).
#[derive(Debug)]
pub enum Error {
    Input(InputErrors),
    Other(String),
}

impl From<InputErrors> for Error {
    fn from(e: InputErrors) -> Self {
        Error::Input(e)
    }
}

impl From<InputError> for Error {
    fn from(e: InputError) -> Self {
        Error::Input(e.into())
    }
}

/// What identifies a sweep: the scenario file and the flags that change results. Stored in
/// every shard file, so `merge` can redo what the sweep would do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    /// The scenario file as given on the command line.
    pub scenario: String,
    pub vary: Vec<Vary>,
    pub seed: Option<u64>,
    pub replications: Option<u32>,
    /// Bisection stops when the bracket is at most this wide (in the first parameter's unit).
    pub tolerance: Option<f64>,
}

/// A sweep ready to run: its fields, grid and identity.
pub struct Sweep {
    pub spec: Spec,
    pub fields: Vec<Field>,
    /// Each parameter's values as its field takes them (rounded for whole numbers).
    pub axes: Vec<Vec<f64>>,
    /// The seed and replications every point runs with.
    pub seed: u64,
    pub replications: u32,
    /// The bisection's tolerance, in the first parameter's unit.
    pub tolerance: f64,
    /// Hash of the merged scenario tree and the spec: shards of one sweep share it.
    pub hash: String,
    /// The scenario's name, for titles.
    pub name: String,
    requested: Option<CatalogSource>,
    caps: crate::work::Caps,
}

/// FNV-1a, 64 bits: a hash whose value never changes between capsim builds.
pub fn fnv64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Reads the scenario, checks the fields and the grid, and identifies the sweep.
pub fn prepare(spec: Spec, requested: Option<CatalogSource>, caps: crate::work::Caps) -> Result<Sweep, Error> {
    let path = PathBuf::from(&spec.scenario);
    let (mut doc, sources) = crate::yamlfile::load_with_extends(&path, crate::scenario::raw::TOP_LEVEL)?;
    if spec.vary.is_empty() || spec.vary.len() > 2 {
        return Err(Error::Other("give one or two --vary".into()));
    }
    let mut fields = Vec::new();
    let mut axes = Vec::new();
    for v in &spec.vary {
        let f = vary::field(&mut doc, &v.path, &sources)?;
        let axis: Vec<f64> = v.values.iter().map(|&x| vary::as_field(&f, x)).collect();
        if axis.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::Other(format!(
                "--vary {}: the field takes whole numbers, and rounded the values repeat ({}); ask for fewer steps",
                v.path,
                axis.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", ")
            )));
        }
        fields.push(f);
        axes.push(axis);
    }
    if spec.vary.len() == 2 && spec.vary[0].path == spec.vary[1].path {
        return Err(Error::Other(format!("--vary {} is given twice", spec.vary[0].path)));
    }
    let n: usize = axes.iter().map(Vec::len).product();
    if n > vary::MAX_POINTS {
        return Err(Error::Other(format!(
            "{n} points; a sweep has at most {}",
            vary::MAX_POINTS
        )));
    }
    let (base, _) = crate::scenario::load(&path, requested.as_ref())?;
    let step = axes[0].windows(2).map(|w| w[1] - w[0]).fold(f64::INFINITY, f64::min);
    let tolerance = match spec.tolerance {
        Some(t) if t.is_finite() && t > 0.0 => t,
        Some(t) => return Err(Error::Other(format!("--tolerance {t}: give a positive number"))),
        None if fields[0].whole => (step / 16.0).floor().max(1.0),
        None => step / 16.0,
    };
    let text = serde_yaml::to_string(&doc).map_err(|e| Error::Other(e.to_string()))?;
    let flags = serde_json::to_string(&spec).map_err(|e| Error::Other(e.to_string()))?;
    let hash = format!("{:016x}", fnv64(format!("{text}\n{flags}").as_bytes()));
    Ok(Sweep {
        seed: spec.seed.unwrap_or(base.seed),
        replications: spec.replications.unwrap_or(base.replications),
        name: base.name.clone(),
        spec,
        fields,
        axes,
        tolerance,
        hash,
        requested,
        caps,
    })
}

/// A sweep's grid and what it found.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// Every grid point, in grid order.
    pub points: Vec<Point>,
    /// The answers, one line per value of the second parameter (one line without one).
    pub lines: Vec<answers::Line>,
}

impl Sweep {
    /// Grid points in all.
    pub fn len(&self) -> usize {
        self.axes.iter().map(Vec::len).product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The parameters' values of grid point `k`.
    pub fn values(&self, k: usize) -> Vec<f64> {
        let n1 = self.axes[0].len();
        let mut v = vec![self.axes[0][k % n1]];
        if let Some(a2) = self.axes.get(1) {
            v.push(a2[k / n1]);
        }
        v
    }

    /// `path = value` of every parameter, for messages.
    pub fn describe(&self, values: &[f64]) -> String {
        let parts: Vec<String> = self
            .spec
            .vary
            .iter()
            .zip(values)
            .map(|(v, x)| format!("{} = {x}", v.path))
            .collect();
        parts.join(", ")
    }

    /// The scenario with the parameters set to `values`, validated, and within the caps.
    fn load_point(&self, values: &[f64]) -> Result<(Scenario, Catalog), InputErrors> {
        let edit = |doc: &mut serde_yaml::Value, src: &crate::yamlfile::Sources| {
            for ((v, f), x) in self.spec.vary.iter().zip(&self.fields).zip(values) {
                vary::set(doc, &v.path, f, *x, src)?;
            }
            Ok(())
        };
        let path = PathBuf::from(&self.spec.scenario);
        let loaded = crate::scenario::load_edited(&path, self.requested.as_ref(), &edit).and_then(|(mut sc, cat)| {
            sc.replications = self.replications;
            crate::work::check(&sc, None, &self.caps)?;
            Ok((sc, cat))
        });
        loaded.map_err(|InputErrors(es)| {
            let at = self.describe(values);
            InputErrors(
                es.into_iter()
                    .map(|mut e| {
                        e.reason = format!("at the sweep point {at}: {}", e.reason);
                        e
                    })
                    .collect(),
            )
        })
    }

    /// Runs the points at `values`, in parallel; every point is loaded (and refused if
    /// invalid) before any runs. Results are in the order of `values`.
    pub fn run_points(&self, values: &[Vec<f64>]) -> Result<Vec<Point>, Error> {
        let loaded: Vec<_> = values.par_iter().map(|v| self.load_point(v)).collect();
        let mut errors = Vec::new();
        let mut ready = Vec::new();
        for l in loaded {
            match l {
                Ok(x) => ready.push(x),
                Err(InputErrors(es)) => errors.extend(es),
            }
        }
        if !errors.is_empty() {
            return Err(Error::Input(InputErrors(errors)));
        }
        let cfg = RunConfig {
            seed: self.seed,
            replications: self.replications,
            threads: None,
            out: None,
        };
        let runs: Vec<_> = ready
            .par_iter()
            .zip(values)
            .map(|((sc, cat), v)| crate::run::run(sc, cat, &cfg).map(|r| point::of_run(v.clone(), &r)))
            .collect();
        runs.into_iter().collect::<Result<Vec<_>, _>>().map_err(Error::Other)
    }

    /// The grid points `k` (in the order given).
    pub fn run_grid(&self, ks: &[usize]) -> Result<Vec<Point>, Error> {
        let values: Vec<Vec<f64>> = ks.iter().map(|&k| self.values(k)).collect();
        self.run_points(&values)
    }

    /// What a sweep does once its grid is run: bisection and the other answers.
    pub fn finish(&self, points: Vec<Point>) -> Result<Outcome, Error> {
        let n1 = self.axes[0].len();
        let lines = points
            .par_chunks(n1)
            .map(|line| answers::line(self, line))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Outcome { points, lines })
    }
}
