//! The engine's event queue (pending events in time order; not the job queue of background
//! jobs): a 4-ary min-heap behind a timing wheel.
//!
//! Profiling a 10,000-user scenario showed `BinaryHeap::pop` at a third of the run time (the
//! heap holds one pending event per open session). A 4-ary heap halves the depth and keeps
//! the children of a node in one cache line pair, which makes pops markedly cheaper; pushes
//! stay O(log n). Ordering is whatever `Ord` the element gives (the engine orders by time,
//! then by scheduling sequence, so simultaneous events come out first-in, first-out).

pub struct QuadHeap<T: Ord + Copy> {
    items: Vec<T>,
}

impl<T: Ord + Copy> Default for QuadHeap<T> {
    fn default() -> Self {
        QuadHeap { items: Vec::new() }
    }
}

impl<T: Ord + Copy> QuadHeap<T> {
    pub fn with_capacity(n: usize) -> Self {
        QuadHeap {
            items: Vec::with_capacity(n),
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The smallest element.
    #[inline]
    pub fn peek(&self) -> Option<&T> {
        self.items.first()
    }

    #[inline]
    pub fn push(&mut self, item: T) {
        let mut i = self.items.len();
        self.items.push(item);
        while i > 0 {
            let parent = (i - 1) / 4;
            if self.items[parent] <= item {
                break;
            }
            self.items[i] = self.items[parent];
            i = parent;
        }
        self.items[i] = item;
    }

    /// Removes and returns the smallest element.
    #[inline]
    pub fn pop(&mut self) -> Option<T> {
        let last = self.items.pop()?;
        if self.items.is_empty() {
            return Some(last);
        }
        let top = self.items[0];
        let n = self.items.len();
        let mut i = 0;
        loop {
            let first = 4 * i + 1;
            if first >= n {
                break;
            }
            let end = (first + 4).min(n);
            let mut best = first;
            for c in first + 1..end {
                if self.items[c] < self.items[best] {
                    best = c;
                }
            }
            if self.items[best] >= last {
                break;
            }
            self.items[i] = self.items[best];
            i = best;
        }
        self.items[i] = last;
        Some(top)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_order_like_a_sort() {
        // Property: for pseudo-random pushes interleaved with pops, the output is sorted.
        let mut x = 7u64;
        let mut h = QuadHeap::default();
        let mut out = Vec::new();
        let mut reference = Vec::new();
        for round in 0..2000 {
            x = crate::seed::splitmix(x);
            let v = x % 1000;
            h.push(v);
            reference.push(v);
            if round % 3 == 0 {
                reference.sort_unstable();
                let min = reference.remove(0);
                assert_eq!(h.pop(), Some(min));
                out.push(min);
            }
        }
        reference.sort_unstable();
        let mut rest = Vec::new();
        while let Some(v) = h.pop() {
            rest.push(v);
        }
        assert_eq!(rest, reference);
        assert!(h.is_empty());
    }
}

/// Something with a time, for [`EventQueue`]'s buckets.
pub trait Timed: Ord + Copy + Default {
    fn time(&self) -> f64;
}

/// Number of buckets of the wheel, and their width in seconds: 1,024 × 0.25 s ≈ 4 minutes ahead.
const WHEEL_BUCKETS: usize = 1024;
const WHEEL_WIDTH: f64 = 0.25;
const INV_WIDTH: f64 = 1.0 / WHEEL_WIDTH;

/// A timing wheel in front of a [`QuadHeap`].
///
/// With thousands of users, most pending events are sessions' next requests, seconds to
/// minutes ahead; keeping them all in one heap made every pop walk a deep heap. Here only the
/// events of the current 0.25 s bucket (and earlier) are in the heap; later ones wait in their
/// bucket (or, beyond the wheel's 4 minutes, in a second heap) and move into the heap when time
/// reaches their bucket. Every event in the heap is earlier than every event outside it, so the
/// order is exactly the heap's order: (time, sequence).
pub struct EventQueue<T: Timed> {
    heap: QuadHeap<T>,
    /// The wheel's buckets, contiguous: bucket `b` holds its first `BUCKET_SLOTS` events in
    /// `slots[b * BUCKET_SLOTS..]` (`counts[b]` of them) and any more in `overflow[b]`. One
    /// arena instead of a `Vec` per bucket: a push is one store next to its bucket's
    /// neighbours, not a load of the bucket's header and a store into a separate allocation
    /// (the year-365 profile showed these pushes into cold buckets at a sixth of the run).
    slots: Vec<T>,
    counts: Vec<u8>,
    overflow: Vec<Vec<T>>,
    in_wheel: usize,
    far: QuadHeap<T>,
    /// All events of buckets up to and including this one are in `heap`.
    current: i64,
    /// The wheel is only worth its bookkeeping once many events are pending (sessions); a
    /// small system (an M/M/c queue) keeps using the heap alone.
    wheel_on: bool,
}

/// Events a bucket holds in the arena before spilling into its overflow `Vec` (at 10,000+
/// users a 0.25 s bucket receives about two).
const BUCKET_SLOTS: usize = 4;

/// Pending events beyond which the wheel is switched on.
const WHEEL_FROM: usize = 128;

impl<T: Timed> EventQueue<T> {
    pub fn new(start: f64) -> Self {
        EventQueue {
            heap: QuadHeap::with_capacity(256),
            slots: Vec::new(),
            counts: vec![0; WHEEL_BUCKETS],
            overflow: (0..WHEEL_BUCKETS).map(|_| Vec::new()).collect(),
            in_wheel: 0,
            far: QuadHeap::default(),
            current: Self::bucket(start),
            wheel_on: false,
        }
    }

    /// Removes every event and restarts the clock at `start`, keeping the allocations (the
    /// same as a new queue, without building one).
    pub fn clear(&mut self, start: f64) {
        self.heap.items.clear();
        if self.in_wheel > 0 {
            self.counts.fill(0);
            for b in &mut self.overflow {
                b.clear();
            }
        }
        self.in_wheel = 0;
        self.far.items.clear();
        self.current = Self::bucket(start);
        self.wheel_on = false;
    }

    /// floor(t / width), without a libm call.
    #[inline]
    fn bucket(t: f64) -> i64 {
        let q = t * INV_WIDTH;
        let i = q as i64;
        if (i as f64) > q {
            i - 1
        } else {
            i
        }
    }

    pub fn len(&self) -> usize {
        self.heap.len() + self.in_wheel + self.far.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    pub fn push(&mut self, item: T) {
        self.push_at(item, item.time());
    }

    /// Pushes `item`, whose time (`item.time()`) the caller already has as `time`: the engine
    /// schedules with an f64 in hand, and mapping its integer key back costs a few instructions
    /// on every event.
    #[inline]
    pub fn push_at(&mut self, item: T, time: f64) {
        debug_assert_eq!(time.to_bits(), item.time().to_bits());
        if !self.wheel_on {
            self.heap.push(item);
            if self.heap.len() > WHEEL_FROM {
                // Everything pending stays in the heap: the wheel starts after its last event.
                self.wheel_on = true;
                if self.slots.is_empty() {
                    self.slots = vec![T::default(); WHEEL_BUCKETS * BUCKET_SLOTS];
                }
                self.current = self
                    .heap
                    .items
                    .iter()
                    .map(|e| Self::bucket(e.time()))
                    .max()
                    .unwrap_or(self.current);
            }
            return;
        }
        let b = Self::bucket(time);
        if b <= self.current {
            self.heap.push(item);
        } else if b - self.current < WHEEL_BUCKETS as i64 {
            self.put_in_bucket(b, item);
        } else {
            self.far.push(item);
        }
    }

    #[inline]
    fn put_in_bucket(&mut self, b: i64, item: T) {
        let slot = (b as usize) & (WHEEL_BUCKETS - 1); // b mod WHEEL_BUCKETS (a power of two)
        let n = self.counts[slot] as usize;
        if n < BUCKET_SLOTS {
            self.slots[slot * BUCKET_SLOTS + n] = item;
            self.counts[slot] = n as u8 + 1;
        } else {
            self.overflow[slot].push(item);
        }
        self.in_wheel += 1;
    }

    /// Moves buckets into the heap until it holds the earliest event (or everything is empty).
    fn refill(&mut self) {
        while self.heap.is_empty() {
            if self.in_wheel == 0 {
                // Jump straight to the far heap's first bucket.
                match self.far.peek() {
                    Some(e) => self.current = Self::bucket(e.time()) - 1,
                    None => return,
                }
            }
            self.current += 1;
            let slot = (self.current as usize) & (WHEEL_BUCKETS - 1);
            let n = std::mem::take(&mut self.counts[slot]) as usize;
            if n > 0 {
                self.in_wheel -= n;
                for k in 0..n {
                    self.heap.push(self.slots[slot * BUCKET_SLOTS + k]);
                }
                if n == BUCKET_SLOTS && !self.overflow[slot].is_empty() {
                    let mut more = std::mem::take(&mut self.overflow[slot]);
                    self.in_wheel -= more.len();
                    for e in more.drain(..) {
                        self.heap.push(e);
                    }
                    self.overflow[slot] = more; // keep the allocation
                }
            }
            // Far events whose bucket has come join too, or move into the wheel's new reach.
            while let Some(e) = self.far.peek().copied() {
                let b = Self::bucket(e.time());
                if b <= self.current {
                    self.far.pop();
                    self.heap.push(e);
                } else if b - self.current < WHEEL_BUCKETS as i64 {
                    self.far.pop();
                    self.put_in_bucket(b, e);
                } else {
                    break;
                }
            }
        }
    }

    #[inline]
    pub fn peek(&mut self) -> Option<&T> {
        if self.heap.is_empty() {
            self.refill();
        }
        self.heap.peek()
    }

    #[inline]
    pub fn pop(&mut self) -> Option<T> {
        if self.heap.is_empty() {
            self.refill();
        }
        self.heap.pop()
    }

    /// Removes and returns the earliest event if `due` says it is (a peek and a pop in one).
    #[inline]
    pub fn pop_if(&mut self, due: impl FnOnce(&T) -> bool) -> Option<T> {
        if self.heap.is_empty() {
            self.refill();
        }
        match self.heap.peek() {
            Some(e) if due(e) => self.heap.pop(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod wheel_tests {
    use super::*;

    #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Default)]
    struct Ev(u64, u64); // (time in µs, sequence)

    impl Timed for Ev {
        fn time(&self) -> f64 {
            self.0 as f64 * 1e-6 - 50.0 // some negative times too
        }
    }

    #[test]
    fn same_order_as_a_plain_heap() {
        // Property: interleaved pushes (near, far, past the wheel, ties) and pops come out in
        // exactly the order of a plain heap.
        let mut x = 3u64;
        let mut wheel = EventQueue::new(-50.0);
        let mut heap = QuadHeap::default();
        let mut now = 0u64;
        let mut seq = 0;
        for round in 0..20_000 {
            x = crate::seed::splitmix(x);
            let ahead = match x % 5 {
                0 => 0,                 // a tie with now
                1 => x % 1_000,         // within a millisecond
                2 => x % 5_000_000,     // seconds
                3 => x % 2_000_000_000, // beyond the wheel (up to 2,000 s)
                _ => x % 100_000,
            };
            seq += 1;
            let e = Ev(now + ahead, seq);
            wheel.push(e);
            heap.push(e);
            if round % 2 == 1 {
                let a = wheel.pop();
                let b = heap.pop();
                assert_eq!(a, b);
                if let Some(e) = a {
                    now = e.0;
                }
            }
        }
        while let Some(b) = heap.pop() {
            assert_eq!(wheel.pop(), Some(b));
        }
        assert!(wheel.is_empty());
    }
}
