//! A batch's drain at the peak with the traffic (issue 9, `capsim::batch::probe`): without the
//! traffic's jobs it is the drain alone's law; behind them it is never shorter with constant
//! jobs, and with exponential jobs its mean is what first-in-first-out queueing gives, not the
//! processor-sharing guess N·E[T] / (W·C·(1 − ρ)); a cap that cannot be reached is reported as
//! batches not drained; the report does not depend on the thread count.

use crate::common::{capsim, repo, run_text, write};

const FIXTURE: &str = "tests/fixtures/batch-peak.yaml";

fn fixture() -> String {
    std::fs::read_to_string(repo().join(FIXTURE)).expect("fixture")
}

/// The fixture with constant 10 s jobs.
fn constant() -> String {
    fixture().replace("job_time: {dist: exponential, mean: 10s}", "job_time: 10s")
}

fn batch(r: &capsim::run::RunResult) -> capsim::batch::summary::BatchSummary {
    r.job_work.as_ref().expect("job work").batches[0].clone()
}

#[test]
fn without_the_traffics_jobs_the_peak_drain_is_ceil_n_over_slots_job_times() {
    for (n, w, c) in [(300u32, 2u32, 3u32), (7, 1, 1), (20, 4, 5), (6, 2, 3)] {
        let text = constant()
            .replace("jobs: 1}", "jobs: 0}")
            .replace("replications: 16", "replications: 3")
            .replace("jobs: 300}", &format!("jobs: {n}}}"))
            .replace("workers: 2\n", &format!("workers: {w}\n"))
            .replace("concurrency: 3\n", &format!("concurrency: {c}\n"));
        let b = batch(&run_text(&text));
        let expect = f64::from(n.div_ceil(w * c)) * 10.0;
        assert_eq!((b.peak_batches, b.undrained), (9, 0), "3 replications × 3 periods");
        // Mean = max = the law: every batch drained in exactly ⌈N / (W·C)⌉ · T.
        for got in [b.peak_mean_seconds, b.peak_max_seconds, b.mean_seconds, b.max_seconds] {
            assert!((got - expect).abs() < 1e-9, "{n}/{w}x{c}: {got} vs {expect}");
        }
    }
    // `full` mode: the probe starts at each period's busiest hour, with the same law.
    let text = constant()
        .replace("jobs: 1}", "jobs: 0}")
        .replace("replications: 16", "replications: 2")
        .replace(
            "{mode: peak_window, window: 1h, warmup: 5m}",
            "{mode: full, warmup: 1h}",
        );
    let b = batch(&run_text(&text));
    assert_eq!((b.peak_batches, b.undrained), (6, 0));
    assert!((b.peak_max_seconds - 500.0).abs() < 1e-9 && (b.peak_mean_seconds - 500.0).abs() < 1e-9);
}

/// Each replication of `text` (one period: one batch each): (drain alone, drain at the peak).
fn per_replication(text: &str) -> Vec<(f64, f64)> {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "s.yaml", text);
    let pricing = capsim::pricing::CatalogSource::dir(repo().join("pricing"), capsim::pricing::ChosenBy::Flag);
    let (sc, cat) = capsim::scenario::load(&p, Some(&pricing)).unwrap_or_else(|e| panic!("{e}"));
    let plan = capsim::simulate::Plan::new(&sc);
    assert_eq!(plan.periods, 1);
    (0..sc.replications)
        .map(|rep| {
            let (_, r) = capsim::simulate::replicate(&sc, &cat, &plan, rep);
            let o = &r.batches[0];
            assert_eq!((o.batches, o.peak_batches, o.undrained), (1, 1, 0));
            (o.sum, o.peak_sum)
        })
        .collect()
}

#[test]
fn behind_the_traffics_jobs_a_constant_batch_never_drains_faster_than_alone() {
    // The batch's jobs start in order, none before t0, on 6 slots shared with the traffic:
    // some slot runs ⌈300 / 6⌉ = 50 of them, 500 s, whatever waits ahead.
    let text = constant().replace("horizon: 3d", "horizon: 1d");
    let reps = per_replication(&text);
    for &(alone, peak) in &reps {
        assert!((alone - 500.0).abs() < 1e-9, "{alone}");
        assert!(peak >= alone - 1e-9, "{peak} < {alone}");
    }
    // The traffic's jobs in service at t0 do delay it (a utilization of 0.5: some always are).
    assert!(reps.iter().any(|&(a, p)| p > a + 1.0), "{reps:?}");
}

/// Erlang C: the chance that a job waits in M/M/c at offered load `a` (erlangs).
fn erlang_c(c: u32, a: f64) -> f64 {
    let mut b = 1.0; // Erlang B by its recurrence
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    let rho = a / f64::from(c);
    b / (1.0 - rho * (1.0 - b))
}

#[test]
fn behind_exponential_jobs_the_mean_peak_drain_is_the_fifo_law() {
    // FIFO, c = 6 slots, exponential jobs of mean 10 s (μ = 0.1/s), N = 300, A jobs in the
    // system at t0. Every slot is busy until the batch's last job starts (batch jobs wait), so
    // departures are Poisson at cμ and the last job starts at departure A + N − c; then the
    // jobs in service (batch jobs, N ≫ A) end after the longest of c exponentials, H(c)/μ.
    // Jobs arriving after t0 queue behind the batch and do not delay it. So
    //   E[drain] = (E[A] + N − c) / (cμ) + H(c) / μ,
    // with E[A] between 0 (an empty queue) and L, M/M/c's mean number in the system (the
    // warm-up starts empty, and an M/M/c queue started empty holds stochastically fewer jobs
    // than in its steady state). A drain's standard deviation is about
    // √((N − c + L) / (cμ)² + Σ 1/(kμ)²) ≈ 31 s, so 48 batches give a standard error of 4.5 s:
    // the test allows 4 of them each side of the bracket.
    let (c, mu, n) = (6.0, 0.1, 300.0);
    let lambda = 0.3;
    let a = lambda / mu;
    let rho = a / c;
    let l = a + erlang_c(6, a) * rho / (1.0 - rho);
    let h: f64 = (1..=6).map(|k| 1.0 / f64::from(k)).sum();
    let low = (n - c) / (c * mu) + h / mu;
    let high = (l + n - c) / (c * mu) + h / mu;
    let sd = ((n - c + l) / (c * mu).powi(2) + (1..=6).map(|k| 1.0 / (f64::from(k) * mu).powi(2)).sum::<f64>()).sqrt();
    let b = batch(&run_text(&fixture()));
    assert_eq!((b.peak_batches, b.undrained), (48, 0));
    let se = sd / 48f64.sqrt();
    assert!(
        b.peak_mean_seconds >= low - 4.0 * se && b.peak_mean_seconds <= high + 4.0 * se,
        "{} outside [{low}, {high}] ± {}",
        b.peak_mean_seconds,
        4.0 * se
    );
    // The processor-sharing guess, N·E[T] / (c (1 − ρ)) = 1,000 s, is far off.
    assert!(b.peak_mean_seconds < 0.6 * n / (c * mu * (1.0 - rho)));
}

#[test]
fn a_cap_that_cannot_be_reached_is_reported_as_not_drained() {
    // 10,000 jobs of 10 s on one slot take at least 100,000 s, past the one-day cap.
    let text = constant()
        .replace("replications: 16", "replications: 2")
        .replace("jobs: 300}", "jobs: 10000}")
        .replace("workers: 2\n", "workers: 1\n")
        .replace("concurrency: 3\n", "concurrency: 1\n");
    let r = run_text(&text);
    let b = batch(&r);
    assert_eq!((b.peak_batches, b.undrained), (0, 6));
    assert_eq!(b.undrained_at_least_seconds, Some(86_400.0));
    assert!(b.peak_mean_seconds.is_nan() && b.peak_max_seconds.is_nan());
    assert!((b.mean_seconds - 100_000.0).abs() < 1e-6, "alone: {}", b.mean_seconds);
    let md = capsim::report::markdown::markdown(&r, &[]);
    assert!(md.contains("6 (≥ 24.0 h)"), "{md}");
    // More jobs waiting than `max_in_flight` stops the probe as unstable at t0: not drained,
    // known to last at least 0 s, never a drain. The window (no job) is not affected.
    let text = constant()
        .replace("jobs: 1}", "jobs: 0}")
        .replace("replications: 16", "replications: 2")
        .replace("warmup: 5m}", "warmup: 5m, max_in_flight: 100}");
    let r = run_text(&text);
    let b = batch(&r);
    assert_eq!(
        (b.peak_batches, b.undrained, b.undrained_at_least_seconds),
        (0, 6, Some(0.0))
    );
    assert!(r.instability.is_none(), "the window stays stable");
}

#[test]
fn the_peak_drain_is_byte_identical_on_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let report = |threads: &str| {
        let out = dir.path().join(format!("r{threads}"));
        capsim()
            .args(["run", FIXTURE, "--replications", "6", "-j", threads, "--quiet", "--out"])
            .arg(&out)
            .assert()
            .success();
        crate::common::dir_files(&out)
    };
    let (a, b) = (report("1"), report("2"));
    assert!(!a.is_empty() && a == b, "reports differ between 1 and 2 threads");
    let json = String::from_utf8(a.iter().find(|(f, _)| f == "summary.json").unwrap().1.clone()).unwrap();
    assert!(json.contains("\"peak_mean_seconds\""), "{json}");
}

#[test]
fn the_queue_batch_drain_trigger_reads_the_peak_drain() {
    // Without the traffic's jobs every batch drains in exactly 500 s: a trigger just below
    // fires in every replication, one just above never.
    let base = constant()
        .replace("jobs: 1}", "jobs: 0}")
        .replace("replications: 16", "replications: 3");
    for (above, fires) in [("499s", true), ("501s", false)] {
        let text = format!(
            "{base}triggers:\n  - {{name: slow run, metric: queue.batch_drain, above: {above}, action: flag}}\n"
        );
        let r = run_text(&text);
        let t = &r.triggers[0];
        assert_eq!(t.fired_in, if fires { 3 } else { 0 }, "above {above}");
    }
}
