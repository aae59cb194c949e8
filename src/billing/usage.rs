//! What each component uses in one report period, by billing metric: derived from the
//! period's expected volumes (requests, sessions, jobs, users, stored bytes) and the stage's
//! configuration, plus the scenario's usage rules.

pub use crate::pricing::is_level_metric;
use crate::pricing::Usage;

/// Usage scaled by `factor` (to a full month, or to the part of a period inside a month);
/// levels (peaks, seats, counts) are not volumes and stay as they are.
pub fn scale_usage(usage: &Usage, factor: f64) -> Usage {
    usage
        .iter()
        .map(|(k, v)| (k.clone(), if is_level_metric(k) { *v } else { v * factor }))
        .collect()
}

/// A period's volumes; each kind's usage of them is in its file under `src/components/`.
pub use crate::components::Volumes;
