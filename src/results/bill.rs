//! A replication's bill for one calendar month, component by component, as
//! [`crate::billing`] computes it (see [`crate::billing::month`] for how a month is billed).

use crate::pricing::Bill;
use serde::Serialize;

/// What one component (or account) costs in one calendar month.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentBill {
    /// The component, or the components sharing one account (`api + cache + queue`).
    pub component: String,
    /// What each member component's share of this bill comes to.
    pub members: Vec<(String, f64)>,
    pub provider: String,
    pub plan: String,
    /// Share of the month this configuration ran.
    pub fraction: f64,
    /// The lines as billed: prorated by `fraction`; the account's monthly adjustments are on the
    /// last configuration of the month.
    pub bill: Bill,
}

/// One calendar month of a replication's bill.
#[derive(Debug, Clone, Serialize)]
pub struct MonthBill {
    pub month: usize,
    /// Share of the month the horizon simulated; the rest is billed at the rate of its end.
    pub covered: f64,
    pub components: Vec<ComponentBill>,
    /// The whole month's bill.
    pub total: f64,
}
