//! The engine against queueing theory, through scenario files a user could write.
//!
//! Each case runs independent replications; the replication means give a Student-t interval.
//! We assert the exact value lies inside the 99.9 % interval (so a correct engine fails a case
//! with probability 0.001) and that the 95 % interval is narrow enough to mean something
//! (±2 % of the exact value at ρ ≤ 0.8, ±5 % above), which is what the horizons are sized for.

use crate::common::run_text;
use capsim::metrics::{t_quantile_975, Summary};
use capsim::theory;
use statrs::distribution::{ContinuousCDF, StudentsT};

fn t_9995(df: usize) -> f64 {
    StudentsT::new(0.0, 1.0, df as f64).unwrap().inverse_cdf(0.9995)
}

fn assert_inside(what: &str, sim: &Summary, exact: f64, max_rel_width: f64) {
    let half_999 = sim.ci95 / t_quantile_975(sim.n - 1) * t_9995(sim.n - 1);
    assert!(
        (sim.mean - exact).abs() <= half_999,
        "{what}: simulated {:.6} ± {:.6} (99.9%) does not contain the exact {exact:.6}",
        sim.mean,
        half_999
    );
    assert!(
        sim.ci95 <= max_rel_width * exact,
        "{what}: 95% interval ±{:.6} wider than {:.1}% of {exact:.6}",
        sim.ci95,
        max_rel_width * 100.0
    );
}

/// An open M/M/c: Poisson arrivals at `lambda`, exponential service of mean 1/`mu`, c servers.
fn mmc_scenario(lambda: f64, mu: f64, c: u32, horizon: &str, reps: u32) -> String {
    format!(
        "name: M/M/{c}\nstage: s\nseed: 11\nreplications: {reps}\nhorizon: {horizon}\nresolution: {horizon}\n\
         simulation: {{mode: full, warmup: 10m}}\ntraffic: {{arrival_rate: {lambda}/s}}\n\
         requests: {{r: {{share: 100%, cpu: {{dist: exponential, mean: {}ms}}}}}}\n\
         stages: {{s: {{api: {{vcpu: {c}, workers: {c}}}}}}}\n",
        1000.0 / mu
    )
}

fn check_mmc(lambda: f64, mu: f64, c: u32, horizon: &str, reps: u32, width: f64) {
    let r = run_text(&mmc_scenario(lambda, mu, c, horizon, reps));
    let st = r
        .stations
        .iter()
        .find(|s| s.station == "api workers")
        .expect("api station");
    let exact = theory::mmc(lambda, mu, c).expect("stable");
    let label = format!("M/M/{c} at ρ = {:.2}", lambda / (c as f64 * mu));
    assert_inside(&format!("{label} mean wait"), &st.sim_wait, exact.wq, width);
    assert_inside(&format!("{label} P(wait)"), &st.sim_p_wait, exact.p_wait, width);
    assert_eq!(
        st.agrees,
        Some(true),
        "{label}: the report should say theory and simulation agree"
    );
}

#[test]
fn mm1_at_half_load() {
    // 100/s service, 50/s arrivals, 8 × 6 h ≈ 8.6M customers.
    check_mmc(50.0, 100.0, 1, "6h", 8, 0.02);
}

#[test]
fn mm1_at_load_0_8() {
    check_mmc(80.0, 100.0, 1, "12h", 8, 0.02);
}

#[test]
fn mm1_at_load_0_9() {
    check_mmc(90.0, 100.0, 1, "1d", 8, 0.05);
}

#[test]
fn mm4_at_load_0_8_erlang_c() {
    // The reference case: about 2M customers give ±2 %.
    check_mmc(32.0, 10.0, 4, "1d", 8, 0.02);
}

#[test]
fn mm10_at_load_0_9_erlang_c() {
    check_mmc(90.0, 10.0, 10, "1d", 8, 0.05);
}

#[test]
fn mm2_at_half_load_erlang_c() {
    check_mmc(10.0, 10.0, 2, "1d", 8, 0.03);
}
