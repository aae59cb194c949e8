//! Closed-form queueing theory: the yardstick the simulator is measured against.
//!
//! A discrete-event simulator can be wrong in quiet ways: an off-by-one in a server pool, a
//! biased sampler, a warm-up that never ends. These formulas are the independent second
//! opinion. Where a model matches a textbook queue (Poisson arrivals, exponential or general
//! service, FIFO, identical servers) the simulated means must converge to these values, and
//! the test suite checks that they do. Reports print the theory next to the simulated
//! numbers so that a reader can see at a glance whether their system sits in a regime where
//! the textbook applies, and how far burstiness, finite buffers or rate limits move it.
//!
//! Conventions: rates are per second, times in seconds, `c` is the number of servers and
//! `a = λ/μ` the offered load in Erlangs. Functions that need a stable queue return `None`
//! when the per-server utilisation `ρ = λ/(cμ)` is 1 or more, or when an input is invalid
//! (not finite, a service rate or time that is not positive, zero servers). An arrival rate
//! of zero (or below) means an idle system: every queue quantity is zero and the time in
//! system is the bare service time.
//!
//! Numerics: nothing here computes `a^c/c!`. Erlang B comes from the recursion
//! `B(0) = 1, B(k) = a·B(k−1)/(k + a·B(k−1))`, which stays in [0, 1] and is accurate for
//! thousands of servers; Erlang C is derived from it. The finite-buffer M/M/c/K model
//! accumulates its state probabilities as ratios to `p0` and rescales them as it goes, so
//! large `c` and `K` at any load neither overflow nor underflow.

use serde::Serialize;

/// Steady-state means of an infinite-buffer queue.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QueueEstimate {
    /// Per-server utilisation `ρ = λ/(cμ)`.
    pub rho: f64,
    /// Probability that an arrival has to wait (finds every server busy).
    pub p_wait: f64,
    /// Mean wait in queue before service starts, `Wq` (seconds).
    pub wq: f64,
    /// Mean time in system, `W = Wq + E[S]` (seconds).
    pub w: f64,
    /// Mean number waiting, `Lq = λ·Wq`.
    pub lq: f64,
    /// Mean number in system, `L = λ·W`.
    pub l: f64,
}

/// Steady-state means of a finite-capacity M/M/c/K queue.
///
/// `lq` and `l` are time averages; `wq` and `w` are per *admitted* customer (Little's law
/// with the effective arrival rate `throughput = λ(1 − p_block)`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FiniteQueueEstimate {
    /// Probability an arrival finds the system full and is lost, `P_K` (PASTA).
    pub p_block: f64,
    /// Probability that an *admitted* customer has to wait (finds every server busy but room
    /// to wait): `Σ_{c≤n<K} p_n / (1 − P_K)`. Zero when `K = c`.
    pub p_wait: f64,
    /// Carried per-server utilisation `λ(1 − P_K)/(cμ)` (mean busy servers / c).
    pub rho: f64,
    /// Mean number waiting.
    pub lq: f64,
    /// Mean number in system (waiting and in service).
    pub l: f64,
    /// Mean wait in queue of an admitted customer (seconds), `Lq / throughput`.
    pub wq: f64,
    /// Mean time in system of an admitted customer (seconds), `L / throughput`.
    pub w: f64,
    /// Rate of admitted (and, in steady state, completed) customers, `λ(1 − P_K)` per second.
    pub throughput: f64,
}

impl FiniteQueueEstimate {
    fn nan() -> Self {
        FiniteQueueEstimate {
            p_block: f64::NAN,
            p_wait: f64::NAN,
            rho: f64::NAN,
            lq: f64::NAN,
            l: f64::NAN,
            wq: f64::NAN,
            w: f64::NAN,
            throughput: f64::NAN,
        }
    }
}

/// A rate or time that must be finite and strictly positive.
fn positive(x: f64) -> bool {
    x.is_finite() && x > 0.0
}

/// A load or variability that must be finite and zero or more.
fn nonneg(x: f64) -> bool {
    x.is_finite() && x >= 0.0
}

/// An arrival rate: `None` if not finite, otherwise clamped at zero.
fn arrival_rate(lambda: f64) -> Option<f64> {
    lambda.is_finite().then_some(lambda.max(0.0))
}

/// The estimate of an idle queue (no arrivals): nothing waits, a customer would spend its
/// service time in the system.
fn idle(mean_service: f64) -> QueueEstimate {
    QueueEstimate {
        rho: 0.0,
        p_wait: 0.0,
        wq: 0.0,
        w: mean_service,
        lq: 0.0,
        l: 0.0,
    }
}

/// Fill in `W`, `Lq`, `L` from `Wq` with `W = Wq + E[S]` and Little's law.
fn from_wq(lambda: f64, mean_service: f64, rho: f64, p_wait: f64, wq: f64) -> QueueEstimate {
    let w = wq + mean_service;
    QueueEstimate {
        rho,
        p_wait,
        wq,
        w,
        lq: lambda * wq,
        l: lambda * w,
    }
}

/// Erlang B: blocking probability of the loss system M/M/c/c with offered load `a = λ/μ`
/// Erlangs on `c` servers,
///
/// `B(c, a) = (a^c/c!) / Σ_{k=0..c} a^k/k!`,
///
/// computed by the stable recursion `B(0) = 1, B(k) = a·B(k−1)/(k + a·B(k−1))`.
///
/// Assumptions: Poisson arrivals, `c` identical servers, no waiting room (blocked arrivals
/// are lost). The result is insensitive to the service distribution beyond its mean, so it
/// holds for M/G/c/c too. `c = 0` gives 1 (everything is blocked); `a = 0` gives 0 for
/// `c ≥ 1`. Returns NaN when `a` is negative or not finite.
pub fn erlang_b(c: u32, a: f64) -> f64 {
    if !nonneg(a) {
        return f64::NAN;
    }
    let mut b = 1.0;
    for k in 1..=c {
        let ab = a * b;
        b = ab / (f64::from(k) + ab);
        if b == 0.0 {
            // Underflowed: every later term is 0 too, so 4 billion servers cost no more.
            break;
        }
    }
    b
}

/// Erlang C: probability that an arrival has to wait in M/M/c with offered load `a = λ/μ`
/// Erlangs on `c` servers,
///
/// `C(c, a) = B / (1 − ρ(1 − B)) = c·B / (c − a + a·B)`, with `B = B(c, a)` and `ρ = a/c`.
///
/// Assumptions: Poisson arrivals, exponential service, `c` identical servers, unlimited
/// waiting room, work-conserving discipline (the waiting probability does not depend on
/// the order of service). `None` if `a ≥ c` (unstable), `c = 0`, or `a` is negative or not
/// finite. `erlang_c(1, a) = a`.
pub fn erlang_c(c: u32, a: f64) -> Option<f64> {
    if c == 0 || !nonneg(a) || a >= f64::from(c) {
        return None;
    }
    if a == 0.0 {
        return Some(0.0);
    }
    let b = erlang_b(c, a);
    let cf = f64::from(c);
    Some((cf * b / (cf - a + a * b)).min(1.0))
}

/// M/M/1: single exponential server, Poisson arrivals at rate `λ`, service rate `μ`, FIFO,
/// unlimited waiting room.
///
/// `ρ = λ/μ`, `P(wait) = ρ`, `Wq = ρ/(μ − λ)`, `W = 1/(μ − λ)`, `Lq = ρ²/(1 − ρ)`,
/// `L = ρ/(1 − ρ)`.
///
/// `None` if `ρ ≥ 1`, `μ` is not positive and finite, or `λ` is not finite.
/// Computed directly (not through [`mmc`]) so the two can check each other.
pub fn mm1(lambda: f64, mu: f64) -> Option<QueueEstimate> {
    let lambda = arrival_rate(lambda)?;
    if !positive(mu) {
        return None;
    }
    if lambda == 0.0 {
        return Some(idle(1.0 / mu));
    }
    if lambda >= mu {
        return None;
    }
    let rho = lambda / mu;
    let wq = rho / (mu - lambda);
    Some(from_wq(lambda, 1.0 / mu, rho, rho, wq))
}

/// M/M/c: `c` identical exponential servers of rate `μ`, Poisson arrivals at rate `λ`,
/// FIFO, unlimited waiting room.
///
/// With `a = λ/μ`, `ρ = a/c` and `C = C(c, a)` (Erlang C):
/// `P(wait) = C`, `Wq = C/(cμ − λ)`, `W = Wq + 1/μ`, `Lq = λ·Wq = C·ρ/(1 − ρ)`, `L = λ·W`.
///
/// `None` if `ρ ≥ 1`, `c = 0`, `μ` is not positive and finite, or `λ` is not finite.
pub fn mmc(lambda: f64, mu: f64, c: u32) -> Option<QueueEstimate> {
    let lambda = arrival_rate(lambda)?;
    if !positive(mu) || c == 0 {
        return None;
    }
    if lambda == 0.0 {
        return Some(idle(1.0 / mu));
    }
    let a = lambda / mu;
    let p_wait = erlang_c(c, a)?;
    let cf = f64::from(c);
    // cμ − λ = μ(c − a); the second form keeps the subtraction on the load scale.
    let wq = p_wait / (mu * (cf - a));
    Some(from_wq(lambda, 1.0 / mu, a / cf, p_wait, wq))
}

/// `p`-quantile of the waiting time in queue in M/M/c (FIFO, Poisson arrivals, exponential
/// service). The wait has an atom at 0 of mass `1 − C` and an exponential tail:
///
/// `P(Wq > t) = C·e^{−(cμ − λ)t}`, so `t_p = ln(C/(1 − p)) / (cμ − λ)` when `C > 1 − p`,
/// and `t_p = 0` when `C ≤ 1 − p` (the quantile falls in the atom).
///
/// `p` must lie in `[0, 1)`; `None` for other `p` and wherever [`mmc`] is `None`.
pub fn mmc_wait_quantile(lambda: f64, mu: f64, c: u32, p: f64) -> Option<f64> {
    if !(p.is_finite() && (0.0..1.0).contains(&p)) {
        return None;
    }
    let est = mmc(lambda, mu, c)?;
    let tail = 1.0 - p;
    if est.p_wait <= tail {
        return Some(0.0);
    }
    let lambda = lambda.max(0.0);
    let decay = mu * (f64::from(c) - lambda / mu);
    Some((est.p_wait / tail).ln() / decay)
}

/// M/G/1 by the Pollaczek–Khinchine formula: Poisson arrivals at rate `λ`, one server with
/// i.i.d. general service times of mean `E[S]` and squared coefficient of variation `scv`
/// (`Var[S]/E[S]²`), FIFO (any order that does not look at service times gives the same
/// means), unlimited waiting room.
///
/// `ρ = λ·E[S]`, `E[S²] = (1 + scv)·E[S]²`, `Wq = λ·E[S²] / (2(1 − ρ)) =
/// ρ·E[S]·(1 + scv) / (2(1 − ρ))`, `W = Wq + E[S]`, `P(wait) = ρ` (PASTA), `Lq = λ·Wq`,
/// `L = λ·W`.
///
/// `None` if `ρ ≥ 1`, `E[S]` is not positive and finite, `scv` is negative or not finite,
/// or `λ` is not finite.
pub fn mg1(lambda: f64, mean_service: f64, scv: f64) -> Option<QueueEstimate> {
    let lambda = arrival_rate(lambda)?;
    if !positive(mean_service) || !nonneg(scv) {
        return None;
    }
    if lambda == 0.0 {
        return Some(idle(mean_service));
    }
    let rho = lambda * mean_service;
    if rho >= 1.0 {
        return None;
    }
    let wq = rho * mean_service * (1.0 + scv) / (2.0 * (1.0 - rho));
    Some(from_wq(lambda, mean_service, rho, rho, wq))
}

/// M/D/1: [`mg1`] with deterministic service (`scv = 0`), so
/// `Wq = ρ·E[S] / (2(1 − ρ))`, half the M/M/1 wait at the same load.
pub fn md1(lambda: f64, mean_service: f64) -> Option<QueueEstimate> {
    mg1(lambda, mean_service, 0.0)
}

/// Allen–Cunneen approximation for G/G/c: renewal arrivals at rate `λ` with squared
/// coefficient of variation of inter-arrival times `ca2`, `c` identical servers with mean
/// service `E[S] = 1/μ` and squared coefficient of variation `cs2`, FIFO, unlimited waiting
/// room.
///
/// `Wq ≈ (C(c, a) / (cμ − λ)) · (ca2 + cs2)/2` with `a = λ·E[S]`; `P(wait) ≈ C(c, a)`;
/// `W = Wq + E[S]`, `Lq = λ·Wq`, `L = λ·W`.
///
/// Exact for M/M/c (`ca2 = cs2 = 1`) and for M/G/1 (`c = 1, ca2 = 1`, where it is
/// Pollaczek–Khinchine); an approximation otherwise, usually within ~10–20% at moderate to
/// high load, less reliable at light load or for very bursty arrivals.
///
/// `None` if `ρ ≥ 1`, `c = 0`, `E[S]` is not positive and finite, `ca2` or `cs2` is negative
/// or not finite, or `λ` is not finite.
pub fn allen_cunneen(lambda: f64, mean_service: f64, c: u32, ca2: f64, cs2: f64) -> Option<QueueEstimate> {
    let lambda = arrival_rate(lambda)?;
    if !positive(mean_service) || c == 0 || !nonneg(ca2) || !nonneg(cs2) {
        return None;
    }
    if lambda == 0.0 {
        return Some(idle(mean_service));
    }
    let mu = 1.0 / mean_service;
    let a = lambda * mean_service;
    let p_wait = erlang_c(c, a)?;
    let cf = f64::from(c);
    let wq = p_wait / (mu * (cf - a)) * (ca2 + cs2) / 2.0;
    Some(from_wq(lambda, mean_service, a / cf, p_wait, wq))
}

/// M/M/c/K: `c` exponential servers of rate `μ`, Poisson arrivals at rate `λ`, room for `K`
/// customers in total (in service and waiting, `K ≥ c`); arrivals that find `K` present are
/// lost. FIFO among the admitted.
///
/// With `a = λ/μ`, `ρ = a/c`: `p_n = p_0·a^n/n!` for `n ≤ c` and `p_n = p_c·ρ^{n−c}` for
/// `c < n ≤ K`, normalised to 1. Then `P_K = p_K` (PASTA), `throughput = λ(1 − P_K)`,
/// `L = Σ n·p_n`, `Lq = Σ_{n>c} (n − c)·p_n`, `W = L/throughput`, `Wq = Lq/throughput`
/// (Little's law with the effective arrival rate), `rho = throughput/(cμ)`, and the
/// probability that an admitted customer waits `Σ_{c≤n<K} p_n / (1 − P_K)` (PASTA, given
/// the arrival was admitted).
///
/// Defined for any load (the buffer keeps it stable). `K = c` is the Erlang loss system
/// (`p_block = erlang_b(c, a)`); `K → ∞` with `ρ < 1` tends to [`mmc`]. The probabilities
/// are built as ratios to `p_0` and rescaled whenever they grow large, so `c = 1000`,
/// `K = 10⁵` at any load neither overflows nor underflows. Cost is `O(K)`.
///
/// Invalid inputs (`c = 0`, `K < c`, `μ` not positive and finite, `λ` not finite) give an
/// estimate whose fields are all NaN. `λ ≤ 0` gives an idle system (zeros, `w = 1/μ`).
pub fn mmck(lambda: f64, mu: f64, c: u32, k: u32) -> FiniteQueueEstimate {
    let lambda = match arrival_rate(lambda) {
        Some(l) if positive(mu) && c > 0 && k >= c => l,
        _ => return FiniteQueueEstimate::nan(),
    };
    if lambda == 0.0 {
        return FiniteQueueEstimate {
            p_block: 0.0,
            p_wait: 0.0,
            rho: 0.0,
            lq: 0.0,
            l: 0.0,
            wq: 0.0,
            w: 1.0 / mu,
            throughput: 0.0,
        };
    }
    let a = lambda / mu;
    let cf = f64::from(c);
    // Unnormalised p_n / p_0, with running sums of t, n·t, (n − c)·t and of t over n ≥ c
    // (every server busy); `below` keeps (Σ t, Σ_{n≥c} t) over n < K, the states an admitted
    // arrival can find, taken before the last term is added so no subtraction cancels. All
    // are divided by the same factor whenever t gets large, which leaves every ratio intact.
    let (mut t, mut sum, mut sum_n, mut sum_q) = (1.0_f64, 1.0_f64, 0.0_f64, 0.0_f64);
    let mut sum_busy = 0.0_f64;
    let mut below: Option<(f64, f64)> = None;
    for n in 1..=k {
        let servers = if n <= c { f64::from(n) } else { cf };
        t *= a / servers;
        if t == 0.0 {
            // Underflowed: every later term is smaller still and p_K is 0 to double precision.
            break;
        }
        if n == k {
            below = Some((sum, sum_busy));
        }
        sum += t;
        sum_n += f64::from(n) * t;
        if n > c {
            sum_q += f64::from(n - c) * t;
        }
        if n >= c {
            sum_busy += t;
        }
        if t > 1e100 {
            let s = 1.0 / t;
            t = 1.0;
            sum *= s;
            sum_n *= s;
            sum_q *= s;
            sum_busy *= s;
            below = below.map(|(x, y)| (x * s, y * s));
        }
    }
    let p_block = t / sum;
    // Of the admitted arrivals (finding n < K), those finding every server busy wait. If the
    // loop stopped on underflow, p_K is 0 and every state counts.
    let (admit_sum, admit_busy) = below.unwrap_or((sum, sum_busy));
    let p_wait = (admit_busy / admit_sum).clamp(0.0, 1.0);
    let l = sum_n / sum;
    let lq = sum_q / sum;
    let throughput = lambda * (1.0 - p_block);
    FiniteQueueEstimate {
        p_block,
        p_wait,
        rho: throughput / (cf * mu),
        lq,
        l,
        wq: lq / throughput,
        w: l / throughput,
        throughput,
    }
}

/// Mean end-to-end sojourn time through a tandem (series) Jackson network of independent
/// M/M/c stations `(μ, c)`, each visited once in order, with Poisson arrivals at rate `λ`.
///
/// By Burke's theorem each station's departures are again Poisson at rate `λ`, so each
/// station behaves as an M/M/c queue fed at `λ` and `W_total = Σ_i W_i(λ, μ_i, c_i)`.
/// Assumptions: FIFO, unlimited waiting rooms, service times independent across stations.
///
/// `None` if any station is unstable or invalid (see [`mmc`]); an empty network gives 0.
pub fn tandem_mmc(lambda: f64, stations: &[(f64, u32)]) -> Option<f64> {
    stations
        .iter()
        .try_fold(0.0, |acc, &(mu, c)| Some(acc + mmc(lambda, mu, c)?.w))
}

/// Sustained throughput (jobs/s) of a BullMQ-style queue behind a fixed-window rate limiter
/// (at most `max_per_window` jobs started per window of `window_s` seconds) drained by
/// `slots` concurrent worker slots with mean service time `mean_service` seconds:
///
/// `X = min(max_per_window / window_s, slots / E[S])`.
///
/// This is the long-run (fluid) rate when the backlog never empties: whichever of the
/// limiter and the workers is tighter is the bottleneck. Offered load below both bounds
/// passes through unchanged, so callers should take `min(λ, X)`. It ignores burst effects
/// within a window (a fixed window admits up to `2·max` jobs across a window boundary).
///
/// `slots = 0` or `max_per_window = 0` gives 0; `mean_service = 0` makes the workers
/// unconstrained. NaN if `window_s` is not positive and finite, or `mean_service` is
/// negative or not finite.
pub fn rate_limited_throughput(max_per_window: u32, window_s: f64, slots: u32, mean_service: f64) -> f64 {
    if !positive(window_s) || !nonneg(mean_service) {
        return f64::NAN;
    }
    let limiter = f64::from(max_per_window) / window_s;
    let workers = if slots == 0 {
        0.0
    } else if mean_service == 0.0 {
        f64::INFINITY
    } else {
        f64::from(slots) / mean_service
    };
    limiter.min(workers)
}

#[cfg(test)]
#[path = "theory_tests.rs"]
mod tests;
