//! Storage accrual: the bytes a store holds at the end of each report period, from the records
//! the period's activity creates and each record kind's retention.
//!
//! Memory is flat in the horizon: a kind kept forever carries a running total; a kind with a
//! retention keeps only the periods it still holds.

use crate::scenario::{Record, Store};
use std::collections::VecDeque;

/// What a period did, in the units records are created per.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Activity {
    /// Requests over the period (expected).
    pub requests: f64,
    /// Users who joined during the period (never negative).
    pub new_users: f64,
    /// ∫ users dt over the period, in days.
    pub user_days: f64,
    /// Background jobs over the period.
    pub jobs: f64,
}

/// One record kind's bytes created per period, as long as they are retained.
#[derive(Debug, Clone)]
struct Kind {
    /// Periods a record is kept (`None`: forever).
    keep: Option<usize>,
    /// The last `keep` periods' creations (with a retention).
    recent: VecDeque<f64>,
    /// Everything created so far (kept forever).
    total: f64,
}

impl Kind {
    /// Adds one period's creation and returns the bytes still held.
    fn push(&mut self, bytes: f64) -> f64 {
        match self.keep {
            Some(keep) => {
                if self.recent.len() == keep {
                    self.recent.pop_front();
                }
                self.recent.push_back(bytes);
                self.recent.iter().sum()
            }
            None => {
                self.total += bytes;
                self.total
            }
        }
    }
}

/// A store's size over time.
#[derive(Debug, Clone)]
pub struct Accrual {
    records: Vec<Record>,
    /// Share of requests of each request type (index of `Record::per_request`).
    shares: Vec<f64>,
    /// Bytes held from the start: initial bytes and the records of the users present then.
    base: f64,
    kinds: Vec<Kind>,
}

impl Accrual {
    /// A store holding `initial_users`' per-user records from the start; periods last
    /// `resolution` seconds; `shares` are the request types' shares.
    pub fn new(store: &Store, initial_users: f64, resolution: f64, shares: &[f64]) -> Accrual {
        let seeded: f64 = store
            .records
            .iter()
            .map(|r| r.per_user * initial_users * r.size_bytes)
            .sum();
        Accrual {
            records: store.records.clone(),
            shares: shares.to_vec(),
            base: store.initial_bytes + seeded,
            kinds: store
                .records
                .iter()
                .map(|r| Kind {
                    keep: r.retention.map(|ret| ((ret / resolution).ceil() as usize).max(1)),
                    recent: VecDeque::new(),
                    total: -0.0,
                })
                .collect(),
        }
    }

    /// The size before any period.
    pub fn initial(&self) -> f64 {
        self.base
    }

    /// Accrues one period and returns the size at its end.
    pub fn period(&mut self, a: &Activity) -> f64 {
        let mut held = 0.0;
        for (r, kind) in self.records.iter().zip(&mut self.kinds) {
            let mut n = r
                .per_request
                .iter()
                .map(|(ti, per)| a.requests * self.shares[*ti] * per)
                .sum::<f64>();
            n += r.per_user * a.new_users;
            n += r.per_user_per_day * a.user_days;
            n += r.per_job * a.jobs;
            held += kind.push(n * r.size_bytes);
        }
        self.base + held
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(size: f64, per_request: f64, retention: Option<f64>) -> Record {
        Record {
            name: "r".into(),
            size_bytes: size,
            per_request: vec![(0, per_request)],
            per_user: 0.0,
            per_user_per_day: 0.0,
            per_job: 0.0,
            retention,
        }
    }

    fn requests(n: f64) -> Activity {
        Activity {
            requests: n,
            ..Activity::default()
        }
    }

    #[test]
    fn without_retention_everything_accumulates() {
        let store = Store {
            initial_bytes: 1000.0,
            records: vec![record(10.0, 2.0, None)],
        };
        let mut acc = Accrual::new(&store, 0.0, 3600.0, &[1.0]);
        assert_eq!(acc.initial(), 1000.0);
        let sizes: Vec<f64> = (1..=4).map(|p| acc.period(&requests(p as f64))).collect();
        // 20 bytes per request: 1, 2, 3, 4 requests.
        assert_eq!(sizes, vec![1020.0, 1060.0, 1120.0, 1200.0]);
    }

    #[test]
    fn retention_keeps_only_the_last_periods_and_rounds_up() {
        // 2.5 periods of retention keep 3 periods; less than one period keeps one.
        for (retention, keep) in [(2.5 * 3600.0, 3usize), (60.0, 1), (7200.0, 2)] {
            let store = Store {
                initial_bytes: 0.0,
                records: vec![record(1.0, 1.0, Some(retention))],
            };
            let mut acc = Accrual::new(&store, 0.0, 3600.0, &[1.0]);
            for p in 1..=10usize {
                let size = acc.period(&requests(p as f64));
                let expected: usize = (p.saturating_sub(keep) + 1..=p).sum();
                assert_eq!(size, expected as f64, "retention {retention}, period {p}");
            }
        }
    }

    #[test]
    fn every_driver_counts_and_kinds_add_up() {
        let mut users = record(100.0, 0.0, None);
        users.per_user = 1.0;
        users.per_user_per_day = 0.5;
        let mut jobs = record(3.0, 1.0, Some(3600.0));
        jobs.per_request = vec![(1, 2.0)];
        jobs.per_job = 4.0;
        let store = Store {
            initial_bytes: 7.0,
            records: vec![users, jobs],
        };
        // 10 users at the start: 1,000 bytes of their records.
        let mut acc = Accrual::new(&store, 10.0, 3600.0, &[0.75, 0.25]);
        assert_eq!(acc.initial(), 1007.0);
        let a = Activity {
            requests: 8.0,
            new_users: 2.0,
            user_days: 4.0,
            jobs: 1.0,
        };
        // users: (2 + 0.5 × 4) × 100 = 400; jobs: (8 × 0.25 × 2 + 4) × 3 = 24.
        assert_eq!(acc.period(&a), 1007.0 + 400.0 + 24.0);
        // The job records are kept one period, the users' forever.
        assert_eq!(acc.period(&Activity::default()), 1007.0 + 400.0);
    }

    #[test]
    fn size_never_decreases_without_retention() {
        let store = Store {
            initial_bytes: 0.0,
            records: vec![record(3.0, 1.5, None), record(1.0, 0.1, Some(1e9))],
        };
        let mut acc = Accrual::new(&store, 0.0, 86400.0, &[1.0]);
        let mut last = acc.initial();
        for p in 0..500 {
            let size = acc.period(&requests(((p * 7919) % 97) as f64));
            assert!(size >= last);
            last = size;
        }
    }
}
