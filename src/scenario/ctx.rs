//! What validation has found so far and what it checks against, shared by `validate.rs` and
//! the helpers it calls (each located error goes through here).

use super::limits::{self, Bound};
use crate::components::ComponentKind;
use crate::dist::{Dist, RawDist};
use crate::error::InputError;
use crate::pricing::Catalog;
use crate::yamlfile::Sources;

/// Read replicas would be billed without serving a single read: refused until the engine
/// routes reads to them.
pub(super) const READ_REPLICAS_UNSUPPORTED: &str =
    "read replicas are not simulated (they would serve no reads), so capsim \
    refuses to bill them silently; bill a replica as a service instead, e.g. `services: {read_replica: \
    {provider: supabase, plan: read_replica, size: small, usage: {storage_gb_peak: {per_database_gb: 1}}}}` \
    (its disk follows the primary's database size)";

/// What validation has found so far, and what it checks against.
pub(crate) struct Ctx<'a> {
    pub sources: &'a Sources,
    pub catalog: &'a Catalog,
    /// The component kinds the scenario may use.
    pub reg: &'a [&'static ComponentKind],
    pub errors: Vec<InputError>,
    /// Triggers or objectives that cannot be evaluated as written (see `Scenario::warnings`).
    pub warnings: Vec<InputError>,
}

impl Ctx<'_> {
    pub fn err(&mut self, field: &str, reason: impl Into<String>) {
        self.errors.push(self.sources.error(field, reason));
    }
    pub fn warn(&mut self, field: &str, reason: impl Into<String>) {
        self.warnings.push(self.sources.error(field, reason));
    }
    pub fn err_allowed<I: IntoIterator<Item = S>, S: Into<String>>(
        &mut self,
        field: &str,
        reason: impl Into<String>,
        allowed: I,
    ) {
        self.errors.push(self.sources.error(field, reason).allowed(allowed));
    }
    pub fn dist(&mut self, field: &str, raw: &RawDist) -> Dist {
        match Dist::from_raw(raw) {
            Ok(d) => d,
            Err(e) => {
                self.err(field, e);
                Dist::Constant(0.0)
            }
        }
    }
    pub fn nonneg(&mut self, field: &str, v: f64) -> f64 {
        if !v.is_finite() || v < 0.0 {
            self.err(field, format!("expected a number ≥ 0, found {v}"));
            0.0
        } else {
            v
        }
    }
    /// `v`, or an error (and the bound) when it exceeds `bound` (see `bounds.rs`).
    pub fn at_most(&mut self, field: &str, v: f64, bound: Bound) -> f64 {
        if v > bound.max {
            self.err(field, format!("{} is too large: {}", limits::shown(v), bound.why));
            bound.max
        } else {
            v
        }
    }
    pub fn positive(&mut self, field: &str, v: f64) -> f64 {
        if !v.is_finite() || v <= 0.0 {
            self.err(field, format!("expected a number > 0, found {v}"));
            1.0
        } else {
            v
        }
    }
}
