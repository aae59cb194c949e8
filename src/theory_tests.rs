//! Tests of `theory`: closed forms against published values and each other.
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
