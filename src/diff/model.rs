//! The typed difference of two runs ([`Diff`]) and how it is computed from two
//! [`Snapshot`]s. Renderers ([`super::text`], [`super::markdown`], JSON) only format it.
//!
//! Every row keeps both sides' figures, so a reader can recompute the change; a component,
//! month, trigger, check or station present on only one side is a row marked
//! [`Presence::Added`] or [`Presence::Removed`], never dropped.

use super::snapshot::{CheckFigure, Firing, Snapshot};
use crate::results::CheckVerdict;
use crate::units::Unit;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Whether a row's subject is on both sides or only one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// On both sides.
    Both,
    /// Only in NEW.
    Added,
    /// Only in BASE.
    Removed,
}

impl Presence {
    fn of<T>(before: &Option<T>, after: &Option<T>) -> Presence {
        match (before.is_some(), after.is_some()) {
            (true, false) => Presence::Removed,
            (false, true) => Presence::Added,
            _ => Presence::Both,
        }
    }
}

/// One side of the comparison: where its figures come from and how it was run.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// The path as given on the command line.
    pub path: String,
    /// `scenario` (run for this diff) or `report` (a report directory's `summary.json`).
    pub kind: &'static str,
    /// The scenario's name.
    pub name: String,
    /// The seed of the run.
    pub seed: u64,
    /// Replications run (a count).
    pub replications: u64,
}

/// A month's bill, whole (`component` null) or one component's share: means across
/// replications, in dollars.
#[derive(Debug, Clone, Serialize)]
pub struct CostRow {
    /// The month, 1-based.
    pub month: usize,
    /// The component; `None` for the month's total.
    pub component: Option<String>,
    /// On both sides, or only one.
    pub presence: Presence,
    /// BASE's cost in dollars (`None`: not on that side).
    pub before: Option<f64>,
    /// NEW's cost in dollars.
    pub after: Option<f64>,
    /// `after − before` in dollars, a missing side counting as zero.
    pub change: f64,
    /// `change / before`, a fraction (0.1 is +10 %); `None` when BASE has no cost to divide by.
    pub relative: Option<f64>,
    /// Whether the row says anything: on one side only, or the two costs differ by a cent or more
    /// once rounded to cents.
    pub changed: bool,
}

/// What happened to a trigger's firing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerChange {
    /// Fires in NEW, did not in BASE (or was not in BASE).
    NowFires,
    /// Fired in BASE, does not in NEW (or is not in NEW).
    NoLongerFires,
    /// Fires on both sides, with a different mean first firing (by a second or more).
    Moved,
    /// Fires on both sides at the same time, in a different number of replications.
    Share,
    /// Nothing changed.
    Unchanged,
}

/// One trigger, BASE and NEW.
#[derive(Debug, Clone, Serialize)]
pub struct TriggerRow {
    /// The trigger's name (as keyed in `summary.json`).
    pub name: String,
    /// On both sides, or only one.
    pub presence: Presence,
    /// BASE's firing (`None`: not on that side).
    pub before: Option<Firing>,
    /// NEW's firing.
    pub after: Option<Firing>,
    /// What changed.
    pub change: TriggerChange,
    /// NEW's mean first firing minus BASE's, in seconds (negative: earlier), when both fire.
    pub moved_seconds: Option<f64>,
}

/// A check's figures on one side, in the check's unit.
#[derive(Debug, Clone, Serialize)]
pub struct CheckSide {
    /// The most the figure may be.
    pub limit: f64,
    /// The figure measured; `None` when not evaluated.
    pub measured: Option<f64>,
    /// `limit − measured`: room left (negative: over the limit).
    pub headroom: Option<f64>,
    /// What the check found.
    pub verdict: CheckVerdict,
}

/// A budget or SLO check, BASE and NEW.
#[derive(Debug, Clone, Serialize)]
pub struct CheckRow {
    /// The check's stable id.
    pub id: String,
    /// What is checked, in words.
    pub what: String,
    /// The unit of the limits, measured figures and headrooms.
    pub unit: Unit,
    /// On both sides, or only one.
    pub presence: Presence,
    /// BASE's figures.
    pub before: Option<CheckSide>,
    /// NEW's figures.
    pub after: Option<CheckSide>,
    /// Passes in BASE (or is not there) and fails in NEW (breached or not evaluated).
    pub newly_failing: bool,
    /// The verdict differs, the check is on one side only, or a figure moved.
    pub changed: bool,
}

/// A station's utilization in the busiest period's window against its capacity (a fraction;
/// the limit is 1, every server busy).
#[derive(Debug, Clone, Serialize)]
pub struct StationRow {
    /// The station, in words.
    pub station: String,
    /// On both sides, or only one.
    pub presence: Presence,
    /// BASE's utilization, a fraction 0–1 (`None`: not there, or no data).
    pub before: Option<f64>,
    /// NEW's utilization.
    pub after: Option<f64>,
    /// The headroom `1 − utilization` before, a fraction.
    pub headroom_before: Option<f64>,
    /// The headroom after.
    pub headroom_after: Option<f64>,
    /// On one side only, or the utilization moved by 0.1 percentage point or more.
    pub changed: bool,
}

/// Everything that differs between two runs.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// The run before the change.
    pub base: Side,
    /// The run after it.
    pub new: Side,
    /// Each month's total bill, in month order.
    pub totals: Vec<CostRow>,
    /// Each component's share of each month, the largest change first (ties: by month, then
    /// component).
    pub costs: Vec<CostRow>,
    /// Every trigger of either side, by name.
    pub triggers: Vec<TriggerRow>,
    /// Every budget and SLO check of either side: BASE's order, then NEW's new ones.
    pub checks: Vec<CheckRow>,
    /// Every station of either side, by name.
    pub stations: Vec<StationRow>,
}

impl Diff {
    /// Whether anything differs at all.
    pub fn is_empty(&self) -> bool {
        self.totals.iter().chain(&self.costs).all(|r| !r.changed)
            && self
                .triggers
                .iter()
                .all(|t| t.presence == Presence::Both && t.change == TriggerChange::Unchanged)
            && self.checks.iter().all(|c| !c.changed)
            && self.stations.iter().all(|s| !s.changed)
    }
}

/// Compares two runs.
pub fn compute(base: (Side, &Snapshot), new: (Side, &Snapshot)) -> Diff {
    let (b, n) = (base.1, new.1);
    let (totals, costs) = cost_rows(b, n);
    Diff {
        base: base.0,
        new: new.0,
        totals,
        costs,
        triggers: trigger_rows(b, n),
        checks: check_rows(b, n),
        stations: station_rows(b, n),
    }
}

fn cost_row(month: usize, component: Option<String>, before: Option<f64>, after: Option<f64>) -> CostRow {
    let change = after.unwrap_or(0.0) - before.unwrap_or(0.0);
    let cents = |v: Option<f64>| v.map(|x| (x * 100.0).round());
    CostRow {
        month,
        component,
        presence: Presence::of(&before, &after),
        before,
        after,
        change,
        relative: before.filter(|b| *b != 0.0).map(|b| change / b),
        changed: before.is_none() || after.is_none() || cents(before) != cents(after),
    }
}

/// The month totals in month order, and the component rows, largest change first.
fn cost_rows(b: &Snapshot, n: &Snapshot) -> (Vec<CostRow>, Vec<CostRow>) {
    let months: BTreeSet<usize> = b.months.iter().chain(&n.months).map(|m| m.month).collect();
    let (mut totals, mut costs) = (Vec::new(), Vec::new());
    for m in months {
        let bm = b.months.iter().find(|x| x.month == m);
        let nm = n.months.iter().find(|x| x.month == m);
        totals.push(cost_row(m, None, bm.map(|x| x.total), nm.map(|x| x.total)));
        let names: BTreeSet<&String> = bm.iter().chain(&nm).flat_map(|x| x.components.keys()).collect();
        for c in names {
            let get = |side: Option<&super::snapshot::MonthCosts>| side.and_then(|x| x.components.get(c).copied());
            costs.push(cost_row(m, Some(c.clone()), get(bm), get(nm)));
        }
    }
    costs.sort_by(|x, y| {
        y.change
            .abs()
            .total_cmp(&x.change.abs())
            .then(x.month.cmp(&y.month))
            .then(x.component.cmp(&y.component))
    });
    (totals, costs)
}

fn trigger_rows(b: &Snapshot, n: &Snapshot) -> Vec<TriggerRow> {
    let names: BTreeSet<&String> = b.triggers.keys().chain(n.triggers.keys()).collect();
    names
        .into_iter()
        .map(|name| {
            let before = b.triggers.get(name).copied();
            let after = n.triggers.get(name).copied();
            let fires = |f: Option<Firing>| f.is_some_and(|f| f.fired_in > 0);
            let first = |f: Option<Firing>| f.and_then(|f| f.first_fire_seconds);
            let moved_seconds = first(before).zip(first(after)).map(|(x, y)| y - x);
            let change = match (fires(before), fires(after)) {
                (false, true) => TriggerChange::NowFires,
                (true, false) => TriggerChange::NoLongerFires,
                (true, true) if moved_seconds.is_some_and(|d| d.abs() >= 1.0) => TriggerChange::Moved,
                (true, true) if before.map(|f| f.fired_in) != after.map(|f| f.fired_in) => TriggerChange::Share,
                _ => TriggerChange::Unchanged,
            };
            TriggerRow {
                name: name.clone(),
                presence: Presence::of(&before, &after),
                before,
                after,
                change,
                moved_seconds,
            }
        })
        .collect()
}

fn check_side(c: &CheckFigure) -> CheckSide {
    CheckSide {
        limit: c.limit,
        measured: c.measured,
        headroom: c.measured.map(|m| c.limit - m),
        verdict: c.verdict,
    }
}

fn check_rows(b: &Snapshot, n: &Snapshot) -> Vec<CheckRow> {
    let by_id = |s: &Snapshot| -> BTreeMap<String, CheckFigure> {
        s.checks.iter().map(|c| (c.id.clone(), c.clone())).collect()
    };
    let (bm, nm) = (by_id(b), by_id(n));
    let mut ids: Vec<&String> = Vec::new();
    for c in b.checks.iter().chain(&n.checks) {
        if !ids.contains(&&c.id) {
            ids.push(&c.id);
        }
    }
    ids.into_iter()
        .map(|id| {
            let (bc, nc) = (bm.get(id), nm.get(id));
            let any = nc.or(bc).expect("an id comes from one side");
            let before = bc.map(check_side);
            let after = nc.map(check_side);
            let passed = before.as_ref().is_none_or(|s| s.verdict == CheckVerdict::Ok);
            let fails = after.as_ref().is_some_and(|s| s.verdict != CheckVerdict::Ok);
            let same = match (&before, &after) {
                (Some(x), Some(y)) => x.verdict == y.verdict && x.limit == y.limit && x.measured == y.measured,
                _ => false,
            };
            CheckRow {
                id: id.clone(),
                what: any.what.clone(),
                unit: any.unit,
                presence: Presence::of(&before, &after),
                before,
                after,
                newly_failing: passed && fails,
                changed: !same,
            }
        })
        .collect()
}

fn station_rows(b: &Snapshot, n: &Snapshot) -> Vec<StationRow> {
    let names: BTreeSet<&String> = b.stations.keys().chain(n.stations.keys()).collect();
    names
        .into_iter()
        .map(|name| {
            let (bs, ns) = (b.stations.get(name), n.stations.get(name));
            let (before, after) = (bs.copied().flatten(), ns.copied().flatten());
            let permille = |v: Option<f64>| v.map(|x| (x * 1000.0).round());
            StationRow {
                station: name.clone(),
                presence: Presence::of(&bs, &ns),
                before,
                after,
                headroom_before: before.map(|u| 1.0 - u),
                headroom_after: after.map(|u| 1.0 - u),
                changed: bs.is_none() || ns.is_none() || permille(before) != permille(after),
            }
        })
        .collect()
}
