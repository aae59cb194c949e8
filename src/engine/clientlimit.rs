//! The per-client rate limit in the engine: each request is attributed to a client, and a
//! client's requests beyond its limit in the current fixed window are rejected (HTTP 429)
//! before they take an API worker (the stage's `client_limit:` block,
//! `crate::components::client_limit`).
//!
//! Windows are fixed and aligned to multiples of the window length from time 0, as
//! @upstash/ratelimit's `fixedWindow` aligns them to the epoch. Each client has one counter
//! (its window and the requests counted in it), reset lazily when a request falls in a later
//! window: memory is 16 bytes a client, whatever the traffic.
//!
//! Clients are drawn from a generator of their own, seeded from the replication's: a limit
//! that never binds draws nothing from the request generator, so the rest of the run is
//! identical, number for number, to the run without the limit.

use super::Engine;
use crate::components::client_limit::{ClientLimit, Share};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Zipf};

/// A client's fixed window: its index (`floor(t / per)`) and the requests counted in it.
#[derive(Debug, Clone, Copy)]
struct Window {
    index: i64,
    count: u32,
}

const NO_WINDOW: Window = Window {
    index: i64::MIN,
    count: 0,
};

/// How clients are drawn.
#[derive(Debug, Clone)]
enum Draw {
    Uniform,
    Zipf(Zipf<f64>),
    /// Client 0 with this probability, else one of the others evenly.
    Heaviest(f64),
}

/// The limit's configuration, as the engine applies it.
#[derive(Debug, Clone)]
pub struct ClientLimitConfig {
    requests: u32,
    per: f64,
    clients: u32,
    draw: Draw,
}

impl ClientLimitConfig {
    pub fn new(l: &ClientLimit) -> Self {
        let draw = match l.share {
            Share::Uniform => Draw::Uniform,
            // Validation keeps n ≥ 1 and 0 ≤ s ≤ 10, which `Zipf::new` accepts.
            Share::Zipf(s) => Zipf::new(u64::from(l.clients), s).map_or(Draw::Uniform, Draw::Zipf),
            Share::Heaviest(h) => Draw::Heaviest(h),
        };
        ClientLimitConfig {
            requests: l.requests,
            per: l.per,
            clients: l.clients,
            draw,
        }
    }
}

/// The limit's state in one engine: a counter per client and the generator clients are
/// drawn from.
#[derive(Debug, Clone)]
pub struct ClientLimiter {
    windows: Vec<Window>,
    /// The client of each open session (by session id).
    of_session: Vec<u32>,
    rng: SmallRng,
}

impl Default for ClientLimiter {
    fn default() -> Self {
        ClientLimiter {
            windows: Vec::new(),
            of_session: Vec::new(),
            rng: SmallRng::seed_from_u64(0),
        }
    }
}

/// Mixed into the replication's seed so clients are drawn independently of requests.
const SALT: u64 = 0x636c_6965_6e74_3432;

impl ClientLimiter {
    /// Every counter empty, the generator seeded from `seed`, for `cfg`'s clients.
    fn reset(&mut self, cfg: Option<&ClientLimitConfig>, seed: u64) {
        self.windows.clear();
        if let Some(c) = cfg {
            self.windows.resize(c.clients as usize, NO_WINDOW);
        }
        self.of_session.clear();
        self.rng = SmallRng::seed_from_u64(seed ^ SALT);
    }

    fn draw(&mut self, c: &ClientLimitConfig) -> u32 {
        let n = c.clients;
        let k = match &c.draw {
            Draw::Uniform => self.rng.gen_range(0..n),
            Draw::Zipf(z) => (z.sample(&mut self.rng) as u32).saturating_sub(1),
            Draw::Heaviest(h) => {
                if self.rng.gen::<f64>() < *h {
                    0
                } else {
                    self.rng.gen_range(1..n)
                }
            }
        };
        k.min(n - 1)
    }

    /// Counts a request of `client` at time `now`; whether it is within the limit.
    fn admit(&mut self, c: &ClientLimitConfig, client: u32, now: f64) -> bool {
        let index = (now / c.per).floor() as i64;
        let w = &mut self.windows[client as usize];
        if w.index != index {
            *w = Window { index, count: 0 };
        }
        if w.count >= c.requests {
            return false;
        }
        w.count += 1;
        true
    }
}

impl Engine<'_> {
    /// Empties the limiter's counters at a (re)start; `seed` from the replication's generator.
    pub(super) fn client_limit_restart(&mut self) {
        let seed = self.rng.clone().gen::<u64>();
        self.clients.reset(self.cfg.client_limit.as_ref(), seed);
    }

    /// A session opened: it is one client's, drawn now.
    pub(super) fn client_session_opened(&mut self, session: u32) {
        let Some(c) = &self.cfg.client_limit else { return };
        let k = self.clients.draw(c);
        let s = session as usize;
        if self.clients.of_session.len() <= s {
            self.clients.of_session.resize(s + 1, 0);
        }
        self.clients.of_session[s] = k;
    }

    /// Whether the request arriving now (of `session`, or none: `u32::MAX`) passes its
    /// client's limit (the caller counts a rejected one).
    pub(super) fn client_admits(&mut self, session: u32) -> bool {
        let Some(c) = &self.cfg.client_limit else { return true };
        if self.clients.windows.len() != c.clients as usize {
            // A stage change brought a limit with another number of clients.
            self.clients.windows.clear();
            self.clients.windows.resize(c.clients as usize, NO_WINDOW);
        }
        let client = match self.clients.of_session.get(session as usize) {
            Some(k) if session != u32::MAX => (*k).min(c.clients - 1),
            _ => self.clients.draw(c),
        };
        self.clients.admit(c, client, self.now)
    }
}
