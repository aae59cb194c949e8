//! Inputs drawn from ranges: each ranged field's ends, distribution and the values the
//! replications drew (see `scenario::ranges`).

use crate::metrics::Summary;
use crate::units::Unit;
use serde::Serialize;

/// One field written as a range, and what the replications drew for it.
#[derive(Debug, Clone, Serialize)]
pub struct RangeInput {
    /// Field path in the scenario (`storage.database.records[0].bytes_per_request`).
    pub field: String,
    /// The unit of `low`, `high`, `mode` and `drawn` (`null`: a plain number).
    pub unit: Option<Unit>,
    /// The low end, in `unit`.
    pub low: f64,
    /// The high end, in `unit`.
    pub high: f64,
    /// `uniform`, `loguniform` or `triangular`.
    pub distribution: &'static str,
    /// The triangular distribution's most likely value, in `unit`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<f64>,
    /// Whether whole numbers are drawn (both ends written as integers).
    pub integer: bool,
    /// The replications' values, in `unit` (P10, P50, P90 across replications).
    pub drawn: Summary,
}
