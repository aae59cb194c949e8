//! The AI-to-Production scenarios (seed 001, `scenarios/ai-to-production/`): `capsim check`
//! gives the outcome the README's table documents, and the autoscaled sets bill what they ran.

use crate::common::capsim;

/// `check` on one scenario of the folder with two replications: (exit code, stdout).
fn check(name: &str) -> (i32, String) {
    let out = capsim()
        .args([
            "check",
            &format!("scenarios/ai-to-production/{name}.yaml"),
            "--replications",
            "2",
        ])
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).to_string(),
    )
}

#[test]
fn the_single_node_worker_cannot_keep_up_and_autoscaled_workers_can() {
    // One worker at concurrency 5 is offered ~0.6 jobs/s × 11 s ≈ 6.7 busy slots at the
    // medium load's evening peak: the job queue is overloaded (the limiter's 10/s is not the
    // bottleneck). Autoscaled on backlog (1-6 workers), it is not at the low and medium loads;
    // at 4× the medium load (~2.4 jobs/s) even 6 workers × 5 (~2.7/s at best) scaled on job
    // wait run saturated on average over the window, so the high load is overloaded too.
    for name in ["base", "single-node", "single-node-high", "multi-instance-high"] {
        let (code, out) = check(name);
        assert_eq!(code, 1, "{name}: {out}");
        assert!(out.contains("OVERLOAD") && out.contains("job queue"), "{name}: {out}");
    }
    for name in ["multi-instance-low", "multi-instance"] {
        let (code, out) = check(name);
        assert_eq!(code, 0, "{name}: {out}");
    }
}

#[test]
fn autoscaled_sets_bill_what_they_ran() {
    // Day 1 of the multi-instance stage at the low and the high load: the API runs its min of
    // 2 Fargate tasks (CPU stays under the 60 % target), billed as 2; the workers scale out at
    // the high load, so the queue's bill rises with the worker-hours run.
    let day1 = |name: &str| -> (f64, f64, f64) {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("r");
        capsim()
            .args(["run", &format!("scenarios/ai-to-production/{name}.yaml"), "--quiet"])
            .args(["--replications", "2", "--out", out.to_str().unwrap()])
            .assert()
            .success();
        let csv = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let first: Vec<&str> = lines.next().unwrap().split(',').collect();
        let col = |c: &str| -> f64 { first[header.iter().position(|h| *h == c).unwrap()].parse().unwrap() };
        (col("api_instances_mean"), col("cost_api_mean"), col("cost_queue_mean"))
    };
    let (low_n, low_api, low_queue) = day1("multi-instance-low");
    let (high_n, high_api, high_queue) = day1("multi-instance-high");
    assert_eq!((low_n, high_n), (2.0, 2.0));
    // Fargate: 2 tasks × (1 vCPU × $0.04048 + 2 GiB × $0.004445) × 730 h.
    let two_tasks = 2.0 * (0.04048 + 2.0 * 0.004445) * 730.0;
    assert!(
        (low_api - two_tasks).abs() < 0.01 && (high_api - two_tasks).abs() < 0.01,
        "{low_api} {high_api}"
    );
    assert!(high_queue > low_queue, "{low_queue} → {high_queue}");
}
