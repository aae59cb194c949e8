//! One run of a scheduled job, simulated as a small discrete-event process: `items` work items
//! taken in order by `concurrency` slots; an item makes its external calls one after another,
//! then uses its CPU and does its database writes. Each external API admits calls at most one
//! per `1 / rate` seconds (a smooth limiter without bursts, calls served first come first
//! served in time order), so `n` calls to an API limited to `L` per second last at least
//! `(n − 1) / L` plus one call's latency, whatever the concurrency.
//!
//! An item's random times are drawn when a slot takes it, and items are taken in index order,
//! so a run's draws do not depend on the limiter or the concurrency: changing either changes
//! only when things happen (the invariant tests rely on this).

use crate::dist::Dist;
use rand::rngs::SmallRng;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// An external API as a run sees it.
#[derive(Debug, Clone)]
pub struct Api {
    /// Time of one call, seconds.
    pub latency: Dist,
    /// Smallest time between two call starts, seconds (0: no limit).
    pub spacing: f64,
}

/// What one run does.
#[derive(Debug, Clone)]
pub struct Work {
    /// Items in a run.
    pub items: u64,
    /// Items worked on at once.
    pub concurrency: u32,
    /// Per item: (index into the APIs, calls), made in this order.
    pub calls: Vec<(usize, u32)>,
    /// CPU time of one item, seconds.
    pub cpu: Dist,
    /// Database writes per item.
    pub writes: u32,
    /// Time of one write, seconds.
    pub write_time: Dist,
}

impl Work {
    /// Events one run takes to simulate (steps of all its items), for the work estimate.
    pub fn events(&self) -> f64 {
        let calls: f64 = self.calls.iter().map(|c| f64::from(c.1)).sum();
        self.items as f64 * (calls + 1.0)
    }
}

/// A step of an item: a call to an API, or local work (CPU and writes).
#[derive(Clone, Copy)]
enum Step {
    Call { api: usize, time: f64 },
    Local(f64),
}

/// Time as a heap key (times are finite and ≥ 0).
#[derive(Clone, Copy)]
struct T(f64);
impl PartialEq for T {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o).is_eq()
    }
}
impl Eq for T {}
impl PartialOrd for T {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for T {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&o.0)
    }
}

/// The duration of one run, seconds (0 for no items).
pub fn duration(w: &Work, apis: &[Api], rng: &mut SmallRng) -> f64 {
    let slots = (w.concurrency.max(1) as u64).min(w.items) as usize;
    let mut steps: Vec<Vec<Step>> = vec![Vec::new(); slots];
    let mut next_free = vec![0.0f64; apis.len()];
    let mut heap: BinaryHeap<Reverse<(T, u64, usize)>> = BinaryHeap::with_capacity(slots);
    let (mut seq, mut taken, mut end) = (0u64, 0u64, 0.0f64);
    for s in 0..slots {
        heap.push(Reverse((T(0.0), seq, s)));
        seq += 1;
    }
    while let Some(Reverse((T(t), _, s))) = heap.pop() {
        end = end.max(t);
        if steps[s].is_empty() {
            if taken == w.items {
                continue;
            }
            taken += 1;
            draw_item(w, apis, rng, &mut steps[s]);
        }
        // Steps are stored last-first.
        let done = match steps[s].pop() {
            Some(Step::Call { api, time }) => {
                let start = t.max(next_free[api]);
                next_free[api] = start + apis[api].spacing;
                start + time
            }
            Some(Step::Local(x)) => t + x,
            None => t,
        };
        heap.push(Reverse((T(done), seq, s)));
        seq += 1;
    }
    end
}

/// An item's steps with their random times, stored last-first.
fn draw_item(w: &Work, apis: &[Api], rng: &mut SmallRng, out: &mut Vec<Step>) {
    out.clear();
    for &(api, n) in &w.calls {
        for _ in 0..n {
            out.push(Step::Call {
                api,
                time: apis[api].latency.sample(rng).max(0.0),
            });
        }
    }
    let mut local = w.cpu.sample(rng).max(0.0);
    for _ in 0..w.writes {
        local += w.write_time.sample(rng).max(0.0);
    }
    out.push(Step::Local(local));
    out.reverse();
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn work(items: u64, concurrency: u32, calls: Vec<(usize, u32)>) -> Work {
        Work {
            items,
            concurrency,
            calls,
            cpu: Dist::Constant(0.0),
            writes: 0,
            write_time: Dist::Constant(0.0),
        }
    }

    fn run(w: &Work, apis: &[Api], seed: u64) -> f64 {
        duration(w, apis, &mut SmallRng::seed_from_u64(seed))
    }

    fn api(latency: Dist, per_minute: f64) -> Api {
        Api {
            latency,
            spacing: if per_minute > 0.0 { 60.0 / per_minute } else { 0.0 },
        }
    }

    #[test]
    fn without_limits_constant_items_take_ceil_n_over_c_rounds() {
        for (n, c) in [(1u64, 1u32), (10, 3), (4000, 16), (7, 100)] {
            let mut w = work(n, c, vec![(0, 2)]);
            w.cpu = Dist::Constant(0.5);
            w.writes = 3;
            w.write_time = Dist::Constant(0.1);
            let item = 2.0 * 1.0 + 0.5 + 0.3;
            let d = run(&w, &[api(Dist::Constant(1.0), 0.0)], 1);
            let expect = n.div_ceil(u64::from(c)) as f64 * item;
            assert!(
                (d - expect).abs() < 1e-9 * expect,
                "{n} items, {c} slots: {d} vs {expect}"
            );
        }
    }

    #[test]
    fn n_calls_at_l_per_minute_last_at_least_n_over_l_minutes() {
        // 4,000 items, one call each to an API at 600/min, 50 at once, latency 0.5–3 s:
        // the limiter binds (50 slots / ~1.75 s ≈ 1,700/min > 600/min).
        for (n, per_min, lat) in [
            (4000u64, 600.0, Dist::exponential(1.75).unwrap()),
            (300, 60.0, Dist::Constant(1.0)),
        ] {
            let w = work(n, 50, vec![(0, 1)]);
            for seed in 0..5 {
                let d = run(&w, &[api(lat.clone(), per_min)], seed);
                let bound = (n as f64 - 1.0) / per_min * 60.0;
                assert!(d >= bound, "{d} < {bound}");
                // The limiter binds: the run lasts the bound plus about one call.
                assert!(d < bound + 60.0, "{d} vs {bound}");
            }
        }
        // Two calls per item to the same API: 2N calls.
        let d = run(&work(100, 8, vec![(0, 2)]), &[api(Dist::Constant(0.1), 120.0)], 3);
        assert!(d >= 199.0 * 0.5, "{d}");
    }

    #[test]
    fn a_limit_above_the_demand_changes_nothing() {
        let mut w = work(500, 10, vec![(0, 1), (1, 2)]);
        w.cpu = Dist::exponential(0.2).unwrap();
        w.writes = 2;
        w.write_time = Dist::exponential(0.01).unwrap();
        let free = [api(Dist::exponential(1.0).unwrap(), 0.0), api(Dist::Constant(0.3), 0.0)];
        // A million calls a minute: a spacing of 60 µs, far below the gaps between calls.
        let lim = [
            api(Dist::exponential(1.0).unwrap(), 60e6),
            api(Dist::Constant(0.3), 60e6),
        ];
        for seed in 0..5 {
            let (a, b) = (run(&w, &free, seed), run(&w, &lim, seed));
            assert!((a - b).abs() < 5e-3, "{a} vs {b}");
        }
    }

    #[test]
    fn more_concurrency_never_slows_a_constant_run_and_the_limiter_caps_it() {
        let apis = [api(Dist::Constant(2.0), 300.0)];
        let mut last = f64::INFINITY;
        for c in [1u32, 2, 5, 10, 50, 200] {
            let d = run(&work(600, c, vec![(0, 1)]), &apis, 0);
            assert!(d <= last + 1e-9, "concurrency {c}: {d} > {last}");
            assert!(d >= 599.0 * 0.2, "{d}");
            last = d;
        }
        // Far past the limiter's 300/min, the run lasts (n − 1) spacings plus one call.
        assert!((last - (599.0 * 0.2 + 2.0)).abs() < 1e-9, "{last}");
    }

    #[test]
    fn no_items_take_no_time_and_the_same_seed_gives_the_same_run() {
        assert_eq!(run(&work(0, 4, vec![(0, 1)]), &[api(Dist::Constant(1.0), 1.0)], 0), 0.0);
        let w = work(200, 7, vec![(0, 1)]);
        let apis = [api(Dist::exponential(1.0).unwrap(), 100.0)];
        assert_eq!(run(&w, &apis, 9).to_bits(), run(&w, &apis, 9).to_bits());
        assert_ne!(run(&w, &apis, 9), run(&w, &apis, 10));
    }
}
