//! The run's side of inputs given as ranges: each replication's scenario, drawn from the
//! scenario's ranges (`scenario::ranged`), and what the replications drew, as result data.

use crate::metrics::Summary;
use crate::pricing::Catalog;
use crate::results::ranges::RangeInput;
use crate::scenario::ranges::Shape;
use crate::scenario::Scenario;
use rayon::prelude::*;

/// Each replication's scenario and the values it drew, in replication order (empty when the
/// scenario has no range). Replication `r`'s draw depends on (seed, `r`) only.
pub fn draw(
    sc: &Scenario,
    catalog: &Catalog,
    seed: u64,
    replications: u32,
) -> Result<Vec<(Scenario, Vec<f64>)>, String> {
    if sc.ranges.is_none() {
        return Ok(Vec::new());
    }
    let drawn: Vec<Option<(Scenario, Vec<f64>)>> = (0..replications)
        .into_par_iter()
        .map(|r| crate::scenario::replication(sc, catalog, seed, r))
        .collect::<Result<_, _>>()?;
    Ok(drawn.into_iter().flatten().collect())
}

/// Each ranged field with its ends and the spread of the values drawn (`drawn` from [`draw`]).
pub fn inputs(sc: &Scenario, drawn: &[(Scenario, Vec<f64>)]) -> Vec<RangeInput> {
    let Some(r) = sc.ranges.as_deref() else {
        return Vec::new();
    };
    r.specs
        .iter()
        .enumerate()
        .map(|(i, s)| RangeInput {
            field: s.path.clone(),
            unit: s.unit(),
            low: s.low(),
            high: s.high(),
            distribution: s.shape.name(),
            mode: match s.shape {
                Shape::Triangular { mode } => Some(mode),
                _ => None,
            },
            integer: s.integer(),
            drawn: Summary::of(drawn.iter().map(|d| d.1[i])),
        })
        .collect()
}
