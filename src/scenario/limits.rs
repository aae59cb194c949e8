//! Limits on the quantities whose cost the work estimate (`crate::work`) cannot see (the
//! upper bounds that keep money finite are in [`super::bounds`]): a
//! value that makes one step loop (a request making a billion queries, a month a
//! billionth of an hour long, four billion workers in the Erlang B recursion) or that sizes
//! memory before anything runs. One table, checked where each value is parsed; the README's
//! "Limits" section lists them.

/// One bound: the largest value allowed and why, for the error message.
#[derive(Debug, Clone, Copy)]
pub struct Bound {
    pub max: f64,
    pub why: &'static str,
}

const YEAR: f64 = 365.0 * 86400.0;

/// The longest horizon: 100 years (every hour of it is accrued, in each replication).
pub const HORIZON: Bound = Bound {
    max: 100.0 * YEAR,
    why: "the longest horizon is 100 years",
};

/// A warm-up: at most the longest horizon. Times far beyond it lose the precision to step hour
/// by hour (at 1e26 s adding an hour changes nothing, and the arrival process never advanced).
pub const WARMUP: Bound = Bound {
    max: 100.0 * YEAR,
    why: "the longest warm-up is 100 years (in seconds: 3,153,600,000)",
};

/// Report periods (horizon ÷ resolution): a year at an hourly resolution fits, 27 years at a
/// daily one. The report holds every period (about 10 KB of `summary.json` and 55 KB of
/// memory each, measured), so this bounds its size: about 120 MB of files and 600 MB of memory.
pub const PERIODS: Bound = Bound {
    max: 10_000.0,
    why: "at most 10,000 report periods (horizon ÷ resolution); choose a coarser resolution",
};

/// A month is between 28 and 31 days long: `hours_per_month` only states which.
pub const HOURS_PER_MONTH_MIN: f64 = 28.0 * 24.0;
pub const HOURS_PER_MONTH: Bound = Bound {
    max: 31.0 * 24.0,
    why: "a billing month is 28 to 31 days (672 to 744 hours)",
};

/// Requests in the system at once before a window is declared unstable: each holds about
/// 100 bytes while it waits, in every replication running at once.
pub const MAX_IN_FLIGHT: Bound = Bound {
    max: 1_000_000.0,
    why: "at most 1,000,000 requests in the system at once",
};

/// Database queries, cache lookups, vector queries, external calls or jobs per request: each
/// is a step of the request, taken one after another.
pub const PER_REQUEST: Bound = Bound {
    max: 10_000.0,
    why: "at most 10,000 per request (model heavier work as background jobs)",
};

/// Requests one session sends.
pub const REQUESTS_PER_SESSION: Bound = Bound {
    max: 1_000_000.0,
    why: "at most 1,000,000 requests per session",
};

/// Workers of one API instance: the queueing formulas iterate over every server.
pub const WORKERS: Bound = Bound {
    max: 100_000.0,
    why: "at most 100,000 workers per instance",
};

/// Places in the API's waiting room (`max_queue`): the M/M/c/K formula iterates over every
/// place, and a queue longer than `max_in_flight` is never reached.
pub const MAX_QUEUE: Bound = Bound {
    max: 1_000_000.0,
    why: "at most 1,000,000 places to wait (the simulation stops at `max_in_flight` anyway)",
};

/// Entries of the scenario's lists and maps that the simulation walks for every request or
/// period: request types (the engine numbers them with 16 bits), stages, triggers, points of a
/// user curve.
pub const REQUEST_TYPES: Bound = Bound {
    max: 1_000.0,
    why: "at most 1,000 request types",
};
pub const STAGES: Bound = Bound {
    max: 1_000.0,
    why: "at most 1,000 stages",
};
pub const TRIGGERS: Bound = Bound {
    max: 1_000.0,
    why: "at most 1,000 triggers",
};
pub const POINTS: Bound = Bound {
    max: 10_000.0,
    why: "at most 10,000 points",
};

/// A number as an error message shows it: `1,000,000`, `2.5`, or `1.000e15` when huge.
pub fn shown(v: f64) -> String {
    if v == 0.0 || (v.is_finite() && (1e-4..1e12).contains(&v.abs())) {
        if v.fract() == 0.0 {
            let sign = if v < 0.0 { "-" } else { "" };
            format!("{sign}{}", crate::units::group_thousands(&(v.abs() as u64).to_string()))
        } else {
            format!("{v}")
        }
    } else {
        format!("{v:.3e}")
    }
}

/// Servers of one station (API request slots, API cores, database connections, vector-store
/// servers, job slots). The engine and the queueing formulas work per server.
pub const MAX_SERVERS: u64 = 1_000_000;
