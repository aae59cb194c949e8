//! A replication's bill for one calendar month, component by component, as
//! [`crate::billing`] computes it (see [`crate::billing::month`] for how a month is billed).

use crate::pricing::Bill;
use serde::Serialize;

/// What one component (or account) costs in one calendar month.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentBill {
    /// The component, or the components sharing one account (`api + cache + queue`).
    pub component: String,
    /// What each member component's share of this bill comes to, in dollars.
    pub members: Vec<(String, f64)>,
    /// The provider billing it (its catalog's name).
    pub provider: String,
    /// The provider's plan it is billed on.
    pub plan: String,
    /// Share of the month this configuration ran, a fraction 0–1.
    pub fraction: f64,
    /// The lines as billed, in dollars: prorated by `fraction`; the account's monthly adjustments are on the
    /// last configuration of the month.
    pub bill: Bill,
}

/// One calendar month of a replication's bill.
#[derive(Debug, Clone, Serialize)]
pub struct MonthBill {
    /// The month, 1-based.
    pub month: usize,
    /// Share of the month the horizon simulated, a fraction 0–1; the rest is billed at the rate
    /// of its end.
    pub covered: f64,
    /// Each account's or lone component's bill, one per configuration it ran in the month.
    pub components: Vec<ComponentBill>,
    /// The whole month's bill, in dollars.
    pub total: f64,
    /// What components with `alternatives:` would cost on each of them this month (never in
    /// [`Self::total`]).
    pub alternatives: Vec<super::alternatives::AlternativeBill>,
}
