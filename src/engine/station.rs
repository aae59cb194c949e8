//! The engine's stations: the registry of station kinds (one place says what each is called and
//! what its servers are), their typed ids, and the runtime state of one station.

use std::collections::VecDeque;
use std::ops::{Index, IndexMut};

/// A station of the engine: an index into [`KINDS`] and into the engine's stations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StationId(u8);

impl StationId {
    /// Its position in [`KINDS`] (and in per-station arrays such as [`super::Engine::backlog`]).
    #[inline]
    pub const fn index(self) -> usize {
        self.0 as usize
    }

    /// The station at position `i` of [`KINDS`] (panics past the registry).
    #[inline]
    pub const fn from_index(i: usize) -> StationId {
        assert!(i < KINDS.len());
        StationId(i as u8)
    }

    pub const fn kind(self) -> &'static StationKind {
        &KINDS[self.0 as usize]
    }
}

/// What a kind of station is, for everything that names or describes it.
#[derive(Debug, Clone, Copy)]
pub struct StationKind {
    pub id: StationId,
    /// Identifier in `summary.json` and the reports (`api_workers`).
    pub key: &'static str,
    /// Name in prose (`API workers`).
    pub label: &'static str,
    /// What its servers are (`workers`, `cores`).
    pub servers: &'static str,
    /// Name in the engine's messages (`api workers`).
    pub engine_name: &'static str,
    /// Name in the queueing-theory table (`database`).
    pub table_name: &'static str,
    /// The scenario component it belongs to.
    pub component: &'static str,
}

pub const API: StationId = StationId(0);
pub const CPU: StationId = StationId(1);
pub const DB: StationId = StationId(2);
pub const VEC: StationId = StationId(3);
/// The background job queue (BullMQ semantics: slots and a fixed-window limiter). Requests do
/// not visit it, so it is not in the engine's request stations, but it is a station everywhere
/// else (backlog, overload, theory).
pub const JOBS: StationId = StationId(4);

/// Every station kind, in id order. A new kind is one line here plus its id constant.
pub const KINDS: [StationKind; 5] = [
    kind(
        API,
        "api_workers",
        "API workers",
        "workers",
        "api workers",
        "api workers",
        "api",
    ),
    kind(CPU, "api_cpu", "API CPU", "cores", "api cpu", "api cpu", "api"),
    kind(
        DB,
        "database",
        "database connections",
        "connections",
        "database connections",
        "database",
        "database",
    ),
    kind(
        VEC,
        "vector_store",
        "vector store",
        "servers",
        "vector store",
        "vector store",
        "vector_store",
    ),
    kind(
        JOBS,
        "job_queue",
        "job queue",
        "worker slots",
        "job queue",
        "job queue",
        "queue",
    ),
];

/// The stations requests visit, in the order of the engine's stations ([`PerStation`]).
pub const REQUEST_STATIONS: [StationId; 4] = [API, CPU, DB, VEC];

const fn kind(
    id: StationId,
    key: &'static str,
    label: &'static str,
    servers: &'static str,
    engine_name: &'static str,
    table_name: &'static str,
    component: &'static str,
) -> StationKind {
    StationKind {
        id,
        key,
        label,
        servers,
        engine_name,
        table_name,
        component,
    }
}

/// How many stations requests visit (the length of [`REQUEST_STATIONS`]).
pub const N_REQUEST_STATIONS: usize = REQUEST_STATIONS.len();

/// One value per request station, indexed by [`StationId`]. Its length follows the registry;
/// it is an array rather than a `Vec` because a `Vec`'s bounds checks on every station access
/// cost the M/M/4 engine about 8 % more instructions per customer (callgrind).
#[derive(Debug, Clone, PartialEq)]
pub struct PerStation<T>(pub [T; N_REQUEST_STATIONS]);

impl<T> PerStation<T> {
    /// One value per request station, from its id.
    pub fn from_fn(mut f: impl FnMut(StationId) -> T) -> Self {
        PerStation(std::array::from_fn(|i| f(REQUEST_STATIONS[i])))
    }

    /// (id, value) for every request station.
    pub fn iter(&self) -> impl Iterator<Item = (StationId, &T)> {
        self.0.iter().enumerate().map(|(i, v)| (StationId(i as u8), v))
    }
}

impl<T> Index<StationId> for PerStation<T> {
    type Output = T;
    #[inline]
    fn index(&self, i: StationId) -> &T {
        &self.0[i.index()]
    }
}

impl<T> IndexMut<StationId> for PerStation<T> {
    #[inline]
    fn index_mut(&mut self, i: StationId) -> &mut T {
        &mut self.0[i.index()]
    }
}

/// How a station is configured: servers, waiting room (`None`: unlimited), queue timeout.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StationConfig {
    pub servers: u32,
    pub max_queue: Option<u32>,
    pub timeout: Option<f64>,
}

/// A station's runtime state.
pub(super) struct Station {
    pub cfg: StationConfig,
    pub busy: u32,
    /// Waiting requests (ids); abandoned ones are skipped lazily.
    pub queue: VecDeque<u32>,
    pub live_waiting: u32,
    pub last: f64,
    /// Servers held outside the requests (database connections of scheduled runs, `hold.rs`),
    /// counted in `busy` too.
    pub reserved: u32,
}

impl Station {
    pub fn new(cfg: StationConfig, now: f64) -> Self {
        Station {
            cfg,
            busy: 0,
            queue: VecDeque::new(),
            live_waiting: 0,
            last: now,
            reserved: 0,
        }
    }

    /// Empty and idle at `now` with configuration `cfg`, keeping its allocation.
    pub fn reset(&mut self, cfg: StationConfig, now: f64) {
        self.cfg = cfg;
        self.busy = 0;
        self.queue.clear();
        self.live_waiting = 0;
        self.last = now;
        self.reserved = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_is_in_id_order_with_unique_keys() {
        for (i, k) in KINDS.iter().enumerate() {
            assert_eq!(k.id.index(), i);
            assert_eq!(KINDS.iter().filter(|o| o.key == k.key).count(), 1);
        }
        for (i, id) in REQUEST_STATIONS.iter().enumerate() {
            assert_eq!(id.index(), i);
        }
    }
}
