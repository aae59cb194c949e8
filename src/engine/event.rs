//! Events: 24 bytes each, ordered by (time, sequence) compared as one integer.

use crate::event_queue::Timed;
use std::cmp::Ordering;

pub(super) const EV_ARRIVAL: u8 = 0;
pub(super) const EV_DONE: u8 = 1; // aux = station
pub(super) const EV_DELAY: u8 = 2;
pub(super) const EV_TIMEOUT: u8 = 3; // aux = station; matched to its request by sequence number
pub(super) const EV_THINK: u8 = 4;
pub(super) const EV_JOB_DONE: u8 = 5;
pub(super) const EV_LIMITER: u8 = 6;
pub(super) const EV_JOB_RETRY: u8 = 7; // a job's next attempt after a fault (fault.rs)
pub(super) const EV_SCALE: u8 = 8; // aux = replica set, id = evaluate or apply (autoscale.rs)
pub(super) const EV_HOLD_START: u8 = 9; // id = hold (hold.rs)
pub(super) const EV_HOLD_END: u8 = 10; // id = hold (hold.rs)

/// An event: 24 bytes, compared as integers. `key` is the time mapped to an order-preserving
/// integer, `seq` the scheduling order (first-in, first-out among simultaneous events), and
/// `payload` packs kind (8 bits), aux (24 bits) and id (32 bits).
#[derive(Clone, Copy, Default)]
pub(super) struct Event {
    pub key: u64,
    pub seq: u64,
    pub payload: u64,
}

/// Maps an f64 to a u64 with the same order (negative times occur during warm-up).
#[inline]
pub(super) fn time_key(t: f64) -> u64 {
    let b = t.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

#[inline]
pub(super) fn key_time(k: u64) -> f64 {
    if k >> 63 == 1 {
        f64::from_bits(k & !(1 << 63))
    } else {
        f64::from_bits(!k)
    }
}

impl Event {
    /// (time, sequence) as one integer: a single branch-free comparison in the heap.
    #[inline]
    fn rank(&self) -> u128 {
        ((self.key as u128) << 64) | self.seq as u128
    }
    #[inline]
    pub fn kind(&self) -> u8 {
        (self.payload >> 56) as u8
    }
    #[inline]
    pub fn aux(&self) -> u32 {
        ((self.payload >> 32) & 0xFF_FFFF) as u32
    }
    #[inline]
    pub fn id(&self) -> u32 {
        self.payload as u32
    }
}

impl Timed for Event {
    #[inline]
    fn time(&self) -> f64 {
        key_time(self.key)
    }
}

impl PartialEq for Event {
    fn eq(&self, o: &Self) -> bool {
        self.seq == o.seq
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
    #[inline]
    fn lt(&self, o: &Self) -> bool {
        self.rank() < o.rank()
    }
    #[inline]
    fn ge(&self, o: &Self) -> bool {
        self.rank() >= o.rank()
    }
    #[inline]
    fn le(&self, o: &Self) -> bool {
        self.rank() <= o.rank()
    }
}
impl Ord for Event {
    /// Earliest first; ties by sequence (first scheduled, first out).
    #[inline]
    fn cmp(&self, o: &Self) -> Ordering {
        self.rank().cmp(&o.rank())
    }
}
