//! Calendar months billed as a replication goes through its periods: each month is billed as
//! soon as its last period ends, and the usage no later month needs is dropped, so what is kept
//! does not grow with the horizon.

use super::month::bill_month;
use super::PeriodUsage;
use crate::pricing::Catalog;
use crate::results::MonthBill;
use crate::scenario::Scenario;
use crate::time::{month_bounds, month_count, month_length, period_bounds};

pub struct Ledger<'a> {
    sc: &'a Scenario,
    components: &'a [String],
    catalog: &'a Catalog,
    /// Usage of the periods a month not yet billed still needs.
    log: Vec<(usize, PeriodUsage)>,
    /// The next month to bill.
    next: usize,
    /// What the months billed so far used of one-time credits, per billing unit and per
    /// alternative plan.
    once: super::month::OnceCredits,
    alternatives_once: super::month::OnceCredits,
    months: usize,
}

impl<'a> Ledger<'a> {
    pub fn new(sc: &'a Scenario, components: &'a [String], catalog: &'a Catalog) -> Ledger<'a> {
        Ledger {
            sc,
            components,
            catalog,
            log: Vec::new(),
            next: 0,
            once: Default::default(),
            alternatives_once: Default::default(),
            months: month_count(sc),
        }
    }

    /// Logs period `p`'s usage; returns the bills of the months it completes.
    pub fn period(&mut self, p: usize, usage: PeriodUsage) -> Vec<MonthBill> {
        let end = period_bounds(self.sc, p).1;
        self.log.push((p, usage));
        let mut bills = Vec::new();
        while self.next < self.months && end >= month_bounds(self.sc, self.next).1 - 1e-6 {
            bills.push(self.bill(self.next));
            let month_end = (self.next + 1) as f64 * month_length(self.sc);
            let sc = self.sc;
            self.log.retain(|(q, _)| period_bounds(sc, *q).1 > month_end);
            self.next += 1;
        }
        bills
    }

    /// Bills the months not billed yet (a horizon shorter than its last month).
    pub fn finish(mut self) -> Vec<MonthBill> {
        let mut bills = Vec::new();
        while self.next < self.months {
            bills.push(self.bill(self.next));
            self.next += 1;
        }
        bills
    }

    fn bill(&mut self, m: usize) -> MonthBill {
        let sc = self.sc;
        let mut bill = bill_month(
            m,
            sc.hours_per_month,
            sc.horizon,
            &self.log,
            |p| period_bounds(sc, p),
            self.components,
            self.catalog,
            &mut self.once,
        );
        bill.alternatives = super::alternatives::price_month(
            m,
            sc,
            &self.log,
            self.components,
            self.catalog,
            &bill,
            &mut self.alternatives_once,
        );
        bill.components.extend(super::unpriced::rows(sc, self.components));
        bill
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::Usage;
    use std::path::Path;

    /// What a replication keeps for billing is the periods of the months not yet billed: at
    /// most a month of periods (and the one that straddles two months), however long the run.
    #[test]
    fn the_log_holds_at_most_a_month_of_periods_whatever_the_horizon() {
        let cat = Catalog::builtin().expect("catalogs");
        let mut sc =
            crate::scenario::load_with_catalog(Path::new("scenarios/mvp.yaml"), &cat).expect("the MVP scenario");
        for (days, hours) in [(730.0, 6.0), (3650.0, 24.0)] {
            sc.horizon = days * 86400.0;
            sc.resolution = hours * 3600.0;
            let per_month = (month_length(&sc) / sc.resolution).ceil() as usize;
            let components = vec!["database".to_string()];
            let mut ledger = Ledger::new(&sc, &components, &cat);
            let (mut most, mut bills) = (0, 0);
            let periods = (sc.horizon / sc.resolution).round() as usize;
            for p in 0..periods {
                bills += ledger.period(p, vec![(None, Usage::new())]).len();
                most = most.max(ledger.log.len());
            }
            bills += ledger.finish().len();
            assert_eq!(bills, month_count(&sc), "{days} days: every month billed once");
            assert!(
                most <= per_month + 1,
                "{days} days in periods of {hours} h: {most} periods kept at once, a month is {per_month}"
            );
            assert!(most >= per_month, "{most}: a month is billed from all its periods");
        }
    }
}
