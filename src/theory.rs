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
mod tests {
    use super::*;

    fn close(x: f64, y: f64, rel: f64) -> bool {
        (x - y).abs() <= rel * x.abs().max(y.abs()).max(1e-300)
    }

    #[track_caller]
    fn assert_close(x: f64, y: f64, rel: f64) {
        assert!(close(x, y, rel), "{x} vs {y} (rel tol {rel})");
    }

    #[track_caller]
    fn assert_est_close(x: &QueueEstimate, y: &QueueEstimate, rel: f64) {
        for (f, (p, q)) in ["rho", "p_wait", "wq", "w", "lq", "l"].iter().zip([
            (x.rho, y.rho),
            (x.p_wait, y.p_wait),
            (x.wq, y.wq),
            (x.w, y.w),
            (x.lq, y.lq),
            (x.l, y.l),
        ]) {
            assert!(close(p, q, rel), "{f}: {p} vs {q}\n{x:?}\n{y:?}");
        }
    }

    /// ln(Σ exp(x_i)), the independent log-space reference.
    fn log_sum_exp(xs: &[f64]) -> f64 {
        let m = xs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        m + xs.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
    }

    /// ln(a^k/k!) for k = 0..=c, via statrs' ln Γ (independent of the recursion).
    fn log_terms(c: u32, a: f64) -> Vec<f64> {
        (0..=c)
            .map(|k| f64::from(k) * a.ln() - statrs::function::gamma::ln_gamma(f64::from(k) + 1.0))
            .collect()
    }

    fn erlang_b_direct(c: u32, a: f64) -> f64 {
        let t = log_terms(c, a);
        (t[c as usize] - log_sum_exp(&t)).exp()
    }

    fn erlang_c_direct(c: u32, a: f64) -> f64 {
        let mut t = log_terms(c, a);
        let cf = f64::from(c);
        // Waiting states sum to a^c/c! · c/(c − a); replace the last term by that.
        let last = t[c as usize] + (cf / (cf - a)).ln();
        t[c as usize] = last;
        (last - log_sum_exp(&t)).exp()
    }

    #[test]
    fn erlang_b_hand_values() {
        assert_eq!(erlang_b(1, 1.0), 0.5);
        assert_close(erlang_b(2, 1.0), 0.2, 1e-15);
        // (a^3/3!)/(1 + a + a²/2 + a³/6) at a = 2: (8/6)/(1+2+2+8/6) = 4/19.
        assert_close(erlang_b(3, 2.0), 4.0 / 19.0, 1e-15);
        assert_eq!(erlang_b(0, 3.0), 1.0);
        assert_eq!(erlang_b(5, 0.0), 0.0);
        assert!(erlang_b(2, -1.0).is_nan());
        assert!(erlang_b(2, f64::NAN).is_nan());
        assert!(erlang_b(2, f64::INFINITY).is_nan());
    }

    #[test]
    fn erlang_b_large_c_matches_log_space_sum() {
        for &(c, a) in &[(100, 95.0), (100, 80.0), (1000, 990.0), (1000, 1200.0), (1000, 3.0)] {
            let b = erlang_b(c, a);
            assert!(b.is_finite() && (0.0..=1.0).contains(&b));
            assert_close(b, erlang_b_direct(c, a), 1e-10);
        }
    }

    #[test]
    fn erlang_c_hand_values() {
        for &a in &[0.0, 0.1, 0.5, 0.9, 0.999] {
            assert_close(erlang_c(1, a).unwrap(), a, 1e-14);
        }
        // M/M/2 at a = 1.6: B = 64/194, C = 32/45.
        assert_close(erlang_c(2, 1.6).unwrap(), 32.0 / 45.0, 1e-14);
        assert_eq!(erlang_c(2, 2.0), None);
        assert_eq!(erlang_c(2, 2.5), None);
        assert_eq!(erlang_c(0, 0.5), None);
        assert_eq!(erlang_c(3, f64::NAN), None);
        assert_eq!(erlang_c(3, -0.1), None);
    }

    #[test]
    fn erlang_c_large_c_does_not_overflow() {
        for &(c, a) in &[(100, 95.0), (100, 99.9), (1000, 990.0), (1000, 999.99), (1000, 500.0)] {
            let got = erlang_c(c, a).unwrap();
            assert!(got.is_finite() && (0.0..=1.0).contains(&got), "{c} {a} {got}");
            assert_close(got, erlang_c_direct(c, a), 1e-9);
        }
    }

    #[test]
    fn mm1_textbook() {
        let e = mm1(0.8, 1.0).unwrap();
        assert_close(e.rho, 0.8, 1e-15);
        assert_close(e.p_wait, 0.8, 1e-15);
        assert_close(e.wq, 4.0, 1e-13);
        assert_close(e.w, 5.0, 1e-13);
        assert_close(e.lq, 3.2, 1e-13);
        assert_close(e.l, 4.0, 1e-13);
        assert_est_close(&e, &mmc(0.8, 1.0, 1).unwrap(), 1e-13);
        assert_eq!(mm1(1.0, 1.0), None);
        assert_eq!(mm1(2.0, 1.0), None);
        assert_eq!(mm1(0.5, 0.0), None);
        assert_eq!(mm1(f64::NAN, 1.0), None);
        assert_eq!(mm1(0.5, f64::INFINITY), None);
    }

    #[test]
    fn idle_queues_are_zero() {
        for e in [
            mm1(0.0, 2.0).unwrap(),
            mmc(0.0, 2.0, 3).unwrap(),
            mmc(-1.0, 2.0, 3).unwrap(),
            mg1(0.0, 0.5, 4.0).unwrap(),
            allen_cunneen(0.0, 0.5, 3, 2.0, 2.0).unwrap(),
        ] {
            assert_eq!((e.rho, e.p_wait, e.wq, e.lq, e.l), (0.0, 0.0, 0.0, 0.0, 0.0));
            assert_eq!(e.w, 0.5);
        }
        assert_eq!(mmc_wait_quantile(0.0, 1.0, 2, 0.99), Some(0.0));
        let f = mmck(0.0, 2.0, 2, 5);
        assert_eq!((f.p_block, f.l, f.throughput, f.w), (0.0, 0.0, 0.0, 0.5));
    }

    #[test]
    fn mm2_textbook() {
        let e = mmc(1.6, 1.0, 2).unwrap();
        assert_close(e.rho, 0.8, 1e-15);
        assert_close(e.p_wait, 32.0 / 45.0, 1e-14);
        assert_close(e.wq, 16.0 / 9.0, 1e-14);
        assert_close(e.w, 16.0 / 9.0 + 1.0, 1e-14);
        assert_close(e.lq, 1.6 * 16.0 / 9.0, 1e-14);
        // Lq = C·ρ/(1 − ρ), a second route.
        assert_close(e.lq, 32.0 / 45.0 * 0.8 / 0.2, 1e-13);
        assert_close(e.l, e.lq + 1.6, 1e-14);
        assert_eq!(mmc(2.0, 1.0, 2), None);
        assert_eq!(mmc(1.0, 1.0, 0), None);
        assert_eq!(mmc(1.0, -1.0, 2), None);
    }

    #[test]
    fn mmc_is_continuous_near_full_load() {
        // ρ = 1 − 1e-9 on 1000 servers: finite, huge and matching the log-space reference.
        let (c, mu) = (1000, 1.0);
        let lambda = 1000.0 * (1.0 - 1e-9);
        let e = mmc(lambda, mu, c).unwrap();
        assert!(e.wq.is_finite() && e.wq > 1e5);
        let cref = erlang_c_direct(c, lambda / mu);
        assert_close(e.wq, cref / (f64::from(c) * mu - lambda), 1e-6);
    }

    #[test]
    fn wait_quantile_inverts_the_tail() {
        for &(lambda, mu, c) in &[(0.8, 1.0, 1), (1.6, 1.0, 2), (90.0, 1.0, 100), (9.5, 0.1, 100)] {
            let e = mmc(lambda, mu, c).unwrap();
            for &p in &[0.5, 0.9, 0.95, 0.99, 0.999] {
                let t = mmc_wait_quantile(lambda, mu, c, p).unwrap();
                if e.p_wait <= 1.0 - p {
                    assert_eq!(t, 0.0);
                } else {
                    let tail = e.p_wait * (-(f64::from(c) * mu - lambda) * t).exp();
                    assert_close(tail, 1.0 - p, 1e-9);
                }
            }
        }
        // M/M/2 at ρ = 0.8 waits with probability 0.711, so the median is already positive
        // while the 20th percentile sits in the atom at zero.
        assert!(mmc_wait_quantile(1.6, 1.0, 2, 0.5).unwrap() > 0.0);
        assert_eq!(mmc_wait_quantile(1.6, 1.0, 2, 0.2), Some(0.0));
        assert_eq!(mmc_wait_quantile(1.6, 1.0, 2, 1.0), None);
        assert_eq!(mmc_wait_quantile(1.6, 1.0, 2, -0.1), None);
        assert_eq!(mmc_wait_quantile(2.0, 1.0, 2, 0.5), None);
    }

    #[test]
    fn mg1_with_exponential_service_is_mm1() {
        for &rho in &[0.1, 0.5, 0.8, 0.99] {
            let mu = 4.0;
            let lambda = rho * mu;
            assert_est_close(&mg1(lambda, 1.0 / mu, 1.0).unwrap(), &mm1(lambda, mu).unwrap(), 1e-12);
        }
        assert_eq!(mg1(1.0, 1.0, 1.0), None);
        assert_eq!(mg1(0.5, 1.0, -1.0), None);
        assert_eq!(mg1(0.5, 0.0, 1.0), None);
    }

    #[test]
    fn md1_waits_half_of_mm1() {
        for &rho in &[0.2, 0.5, 0.8, 0.95] {
            let d = md1(rho, 1.0).unwrap();
            let m = mm1(rho, 1.0).unwrap();
            assert_close(d.wq, m.wq / 2.0, 1e-13);
            assert_close(d.w, d.wq + 1.0, 1e-15);
            assert_close(d.p_wait, rho, 1e-15);
        }
        // Hand value: ρ = 0.5, E[S] = 2 → Wq = 0.5·2/(2·0.5) = 1.
        assert_close(md1(0.25, 2.0).unwrap().wq, 1.0, 1e-15);
    }

    #[test]
    fn allen_cunneen_reduces_to_exact_cases() {
        for &c in &[1, 2, 5, 50] {
            for &rho in &[0.3, 0.8, 0.97] {
                let mu = 0.5;
                let lambda = rho * f64::from(c) * mu;
                let ac = allen_cunneen(lambda, 1.0 / mu, c, 1.0, 1.0).unwrap();
                assert_est_close(&ac, &mmc(lambda, mu, c).unwrap(), 1e-12);
            }
        }
        // c = 1 with Poisson arrivals is Pollaczek–Khinchine for any service variability.
        for &cs2 in &[0.0, 0.5, 4.0] {
            let ac = allen_cunneen(0.7, 1.0, 1, 1.0, cs2).unwrap();
            assert_est_close(&ac, &mg1(0.7, 1.0, cs2).unwrap(), 1e-12);
        }
        // Smoother traffic waits less, burstier waits more, linearly in (ca2 + cs2).
        let base = allen_cunneen(1.6, 1.0, 2, 1.0, 1.0).unwrap().wq;
        assert_close(allen_cunneen(1.6, 1.0, 2, 0.0, 0.0).unwrap().wq, 0.0, 1e-15);
        assert_close(allen_cunneen(1.6, 1.0, 2, 3.0, 1.0).unwrap().wq, 2.0 * base, 1e-14);
        assert_eq!(allen_cunneen(2.0, 1.0, 2, 1.0, 1.0), None);
        assert_eq!(allen_cunneen(1.0, 1.0, 2, f64::NAN, 1.0), None);
        assert_eq!(allen_cunneen(1.0, 1.0, 0, 1.0, 1.0), None);
    }

    #[test]
    fn mmck_with_no_waiting_room_is_erlang_b() {
        for &(c, a) in &[(1, 1.0), (2, 1.0), (10, 7.0), (100, 95.0), (100, 150.0), (1000, 990.0)] {
            let mu = 2.0;
            let f = mmck(a * mu, mu, c, c);
            assert_close(f.p_block, erlang_b(c, a), 1e-11);
            assert_eq!(f.lq, 0.0);
            assert_close(f.l, a * (1.0 - f.p_block), 1e-11);
            assert_close(f.w, 1.0 / mu, 1e-11);
        }
    }

    #[test]
    fn mm1k_hand_values() {
        // ρ = 0.5, K = 3: p ∝ 1, 1/2, 1/4, 1/8 (sum 15/8) → P_K = 1/15, L = 11/15.
        let f = mmck(0.5, 1.0, 1, 3);
        assert_close(f.p_block, 1.0 / 15.0, 1e-14);
        assert_close(f.l, 11.0 / 15.0, 1e-14);
        assert_close(f.throughput, 0.5 * 14.0 / 15.0, 1e-14);
        // ρ = 1, K = 4: uniform over 0..=4 → P_K = 0.2, L = 2, Lq = (1+2+3)/5.
        let f = mmck(1.0, 1.0, 1, 4);
        assert_close(f.p_block, 0.2, 1e-14);
        assert_close(f.l, 2.0, 1e-14);
        assert_close(f.lq, 1.2, 1e-14);
        assert_close(f.rho, 0.8, 1e-14);
        assert_close(f.w, 2.0 / 0.8, 1e-14);
    }

    #[test]
    fn mmck_probability_of_waiting_for_admitted_customers() {
        // M/M/1/3 at ρ = 0.5: admitted arrivals find 0, 1 or 2 present with weights
        // 1, 1/2, 1/4; they wait unless the server is free: (3/4)/(7/4) = 3/7.
        assert_close(mmck(0.5, 1.0, 1, 3).p_wait, 3.0 / 7.0, 1e-14);
        // M/M/2/4 at a = 1: weights 1, 1, 1/2, 1/4 below K; waiting from n = 2: 3/11.
        assert_close(mmck(1.0, 1.0, 2, 4).p_wait, 3.0 / 11.0, 1e-14);
        // No waiting room: nobody admitted ever waits.
        for &(c, a) in &[(1, 0.5), (10, 7.0), (100, 150.0)] {
            assert_eq!(mmck(a, 1.0, c, c).p_wait, 0.0);
        }
        // A huge buffer at ρ < 1 is M/M/c: Erlang C.
        for &(c, rho) in &[(1, 0.8), (4, 0.8), (100, 0.95)] {
            let lambda = rho * f64::from(c);
            let f = mmck(lambda, 1.0, c, c + 3000);
            assert_close(f.p_wait, mmc(lambda, 1.0, c).unwrap().p_wait, 1e-9);
        }
        // Deep overload keeps it a probability and close to 1 (the rescaling path).
        for &(lambda, c, k) in &[(150.0, 100, 200), (5000.0, 1000, 100_000), (1e30, 2, 3)] {
            let f = mmck(lambda, 1.0, c, k);
            assert!((0.0..=1.0).contains(&f.p_wait), "{f:?}");
            assert!(f.p_wait > 0.99, "{f:?}");
        }
    }

    #[test]
    fn mmck_with_large_buffer_approaches_mmc() {
        for &(c, rho) in &[(1, 0.8), (2, 0.8), (10, 0.9), (100, 0.95)] {
            let mu = 1.0;
            let lambda = rho * f64::from(c) * mu;
            let f = mmck(lambda, mu, c, c + 2000);
            let e = mmc(lambda, mu, c).unwrap();
            assert!(f.p_block < 1e-30);
            assert_close(f.l, e.l, 1e-9);
            assert_close(f.lq, e.lq, 1e-9);
            assert_close(f.wq, e.wq, 1e-9);
            assert_close(f.w, e.w, 1e-9);
            assert_close(f.rho, e.rho, 1e-9);
        }
    }

    #[test]
    fn mmck_is_stable_at_scale_and_overload() {
        // c = 100, K = 200 at 1.5× overload: the servers are saturated, so the throughput is
        // cμ and the blocking fraction is 1 − 1/1.5.
        let f = mmck(150.0, 1.0, 100, 200);
        assert!(f.p_block.is_finite());
        assert_close(f.throughput, 100.0, 1e-9);
        assert_close(f.p_block, 1.0 / 3.0, 1e-9);
        assert_close(f.rho, 1.0, 1e-9);
        // The queue length below the 100-place cap is geometric with ratio 2/3, mean 2:
        // Lq = 100 − 2 and every server is busy.
        assert_close(f.lq, 98.0, 1e-9);
        assert_close(f.l, 198.0, 1e-9);
        for &(lambda, c, k) in &[(950.0, 1000, 1000), (999.0, 1000, 5000), (5000.0, 1000, 100_000)] {
            let f = mmck(lambda, 1.0, c, k);
            for v in [f.p_block, f.rho, f.lq, f.l, f.wq, f.w, f.throughput] {
                assert!(v.is_finite() && v >= 0.0, "{f:?}");
            }
            // Busy servers two ways: L − Lq = throughput/μ.
            assert_close(f.l - f.lq, f.throughput, 1e-9);
        }
        assert!(mmck(1.0, 1.0, 2, 1).p_block.is_nan());
        assert!(mmck(1.0, 1.0, 0, 1).l.is_nan());
        assert!(mmck(f64::NAN, 1.0, 1, 1).w.is_nan());
        assert!(mmck(1.0, 0.0, 1, 1).throughput.is_nan());
    }

    #[test]
    fn tandem_is_the_sum_of_stations() {
        let stations = [(1.0, 1), (1.0, 2), (0.05, 50)];
        let want: f64 = stations.iter().map(|&(mu, c)| mmc(0.8, mu, c).unwrap().w).sum();
        assert_close(tandem_mmc(0.8, &stations).unwrap(), want, 1e-15);
        // By hand: M/M/1 (μ = 1) at 0.8 gives W = 5; M/M/2 (μ = 1) at 0.8 has ρ = 0.4,
        // C = 2ρ²/(1 + ρ) = 8/35, Wq = C/(2 − 0.8) = 4/21, W = 25/21.
        assert_close(
            tandem_mmc(0.8, &[(1.0, 1), (1.0, 2)]).unwrap(),
            5.0 + 25.0 / 21.0,
            1e-13,
        );
        assert_eq!(tandem_mmc(0.8, &[]), Some(0.0));
        assert_eq!(tandem_mmc(0.8, &[(1.0, 1), (0.5, 1)]), None);
    }

    #[test]
    fn rate_limited_throughput_takes_the_bottleneck() {
        // Limiter-bound: 10 per second vs 8 slots / 0.1 s = 80/s.
        assert_close(rate_limited_throughput(100, 10.0, 8, 0.1), 10.0, 1e-15);
        // Worker-bound: 1000 per second vs 4 slots / 0.5 s = 8/s.
        assert_close(rate_limited_throughput(1000, 1.0, 4, 0.5), 8.0, 1e-15);
        assert_eq!(rate_limited_throughput(10, 1.0, 0, 0.5), 0.0);
        assert_eq!(rate_limited_throughput(0, 1.0, 4, 0.5), 0.0);
        assert_eq!(rate_limited_throughput(10, 2.0, 4, 0.0), 5.0);
        assert!(rate_limited_throughput(10, 0.0, 4, 0.5).is_nan());
        assert!(rate_limited_throughput(10, 1.0, 4, -1.0).is_nan());
    }

    #[test]
    fn littles_law_holds_across_sizes_and_loads() {
        let mu = 2.5;
        for &c in &[1, 2, 5, 10, 50, 100] {
            for &rho in &[0.5, 0.8, 0.9, 0.95] {
                let lambda = rho * f64::from(c) * mu;
                let a = lambda / mu;
                let e = mmc(lambda, mu, c).unwrap();
                assert_close(e.l, lambda * e.w, 1e-9);
                assert_close(e.lq, lambda * e.wq, 1e-9);
                // Independent routes: Lq = C·ρ/(1 − ρ), L = Lq + a, W = Wq + 1/μ.
                let cref = erlang_c_direct(c, a);
                assert_close(e.p_wait, cref, 1e-9);
                assert_close(e.lq, cref * rho / (1.0 - rho), 1e-9);
                assert_close(e.l, e.lq + a, 1e-9);
                assert_close(e.w, e.wq + 1.0 / mu, 1e-12);
                assert_close(e.rho, rho, 1e-12);
                // The finite-buffer model obeys Little's law with its effective rate.
                let f = mmck(lambda, mu, c, 2 * c + 10);
                assert_close(f.l, f.throughput * f.w, 1e-9);
                assert_close(f.lq, f.throughput * f.wq, 1e-9);
                assert_close(f.w, f.wq + 1.0 / mu, 1e-9);
            }
        }
    }
}
