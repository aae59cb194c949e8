//! Work done by jobs and batch workloads (issue 9): a batch drains as the arithmetic says, a
//! job's cost recomputes from the catalog, `byok` changes the cost and nothing else, a limit
//! above the demand changes nothing, bad input is a located error.

use crate::common::{capsim, repo, run_text, write};

const FIXTURE: &str = "tests/fixtures/batch-jobs.yaml";

fn fixture() -> String {
    std::fs::read_to_string(repo().join(FIXTURE)).expect("fixture")
}

fn haiku_rates() -> (f64, f64) {
    let src = capsim::pricing::CatalogSource::dir(repo().join("pricing"), capsim::pricing::ChosenBy::Flag);
    let cat = capsim::pricing::Catalog::load(&src).expect("catalog");
    let plan = cat.plan("anthropic_api", "claude-haiku-4-5").expect("plan");
    let rate = |metric: &str| {
        let m = plan.meters.values().find(|m| m.metric == metric).expect("meter");
        m.rate.expect("flat rate") / m.per
    };
    (rate("input_tokens"), rate("output_tokens"))
}

#[test]
fn a_batch_alone_drains_in_ceil_n_over_slots_job_times() {
    // W = 2 workers × C = 3, T = 10 s, N = 20: ⌈20 / 6⌉ × 10 s = 40 s.
    for (n, w, c) in [(20, 2, 3), (7, 1, 1), (300, 1, 6), (6, 2, 3)] {
        let text = fixture()
            .replace("        rate_limit: 1000000/min\n", "")
            .replace("jobs: 20}", &format!("jobs: {n}}}"))
            .replace("workers: 2\n", &format!("workers: {w}\n"))
            .replace("concurrency: 3\n", &format!("concurrency: {c}\n"));
        let r = run_text(&text);
        let b = &r.job_work.as_ref().expect("job work").batches[0];
        let expect = (f64::from(n) / f64::from(w * c)).ceil() * 10.0;
        assert_eq!(b.batches, 6, "2 replications × 3 periods");
        assert!(
            (b.max_seconds - expect).abs() < 1e-9,
            "{n}/{w}x{c}: {} vs {expect}",
            b.max_seconds
        );
        assert!((b.mean_seconds - expect).abs() < 1e-9);
    }
}

#[test]
fn a_batch_behind_a_limit_of_l_a_minute_lasts_at_least_n_minus_1_over_l() {
    for l in [6.0, 30.0, 100.0] {
        let r = run_text(&fixture().replace("1000000/min", &format!("{l}/min")));
        let b = &r.job_work.as_ref().unwrap().batches[0];
        let bound = 19.0 / l * 60.0;
        assert!(
            b.mean_seconds >= bound && b.max_seconds >= bound,
            "{l}: {} < {bound}",
            b.mean_seconds
        );
        // Calls bind: the last call starts at the bound, its job's own work follows.
        assert!(b.max_seconds <= bound.max(40.0) + 10.0 + 1e-9, "{l}: {}", b.max_seconds);
    }
    // The queue's own BullMQ limiter: 20 job starts at 4 per 10 s lasts ≥ 19 × 2.5 s.
    let r = run_text(&fixture().replace(
        "concurrency: 3\n",
        "concurrency: 3\n      rate_limit: {max: 4, per: 10s}\n",
    ));
    assert!(r.job_work.unwrap().batches[0].mean_seconds >= 19.0 * 2.5);
}

#[test]
fn a_jobs_cost_recomputes_by_hand_from_the_catalog() {
    let (inp, out) = haiku_rates();
    let per_job = 1500.0 * inp + 2000.0 * out;
    let w = run_text(&fixture()).job_work.unwrap();
    assert!(
        (w.usd_per_job.unwrap() - per_job).abs() < 1e-12,
        "{:?} vs {per_job}",
        w.usd_per_job
    );
    assert!((w.batches[0].usd_per_batch.unwrap() - 20.0 * per_job).abs() < 1e-9);
    assert_eq!(w.avoided_usd_per_job, Some(0.0));
    // Two calls a job cost twice as much.
    let w2 = run_text(&fixture().replace("calls: {llm: 1}", "calls: {llm: 2}"))
        .job_work
        .unwrap();
    assert!((w2.usd_per_job.unwrap() - 2.0 * per_job).abs() < 1e-12);
}

/// The run's figures without its money: periods' non-cost series and the stations.
fn timing(r: &capsim::run::RunResult) -> String {
    let w = r.job_work.as_ref().unwrap();
    let drains: Vec<_> = w
        .batches
        .iter()
        .map(|b| (b.mean_seconds, b.p95_seconds, b.max_seconds))
        .collect();
    format!("{:?}{}", drains, serde_json::to_string(&r.stations).unwrap())
}

#[test]
fn byok_changes_the_cost_and_nothing_else() {
    let paid = run_text(&fixture());
    let byok = run_text(&fixture().replace("byok: false", "byok: true"));
    assert_eq!(timing(&paid), timing(&byok));
    let (wp, wb) = (paid.job_work.as_ref().unwrap(), byok.job_work.as_ref().unwrap());
    assert_eq!(wb.usd_per_job, Some(0.0));
    assert_eq!(wb.avoided_usd_per_job, wp.usd_per_job);
    assert_eq!(wb.batches[0].avoided_usd_per_batch, wp.batches[0].usd_per_batch);
    // The bill drops by the LLM's share: the months' totals differ, the LLM's is $0 under byok.
    let total = |r: &capsim::run::RunResult| serde_json::to_value(&r.months).unwrap().to_string();
    assert_ne!(total(&paid), total(&byok));
}

/// Month 1's bill (median replication) of component `name`.
fn bill_of<'a>(r: &'a capsim::run::RunResult, name: &str) -> &'a capsim::results::ComponentBill {
    r.months[0]
        .example
        .components
        .iter()
        .find(|c| c.component == name)
        .expect("component")
}

#[test]
fn a_byok_bill_line_bills_zero_and_says_the_calls_and_the_cost_avoided() {
    let (inp, out) = haiku_rates();
    let paid = run_text(&fixture());
    let byok = run_text(&fixture().replace("byok: false", "byok: true"));
    let p = bill_of(&paid, "llm");
    let usage = |item: &str| p.bill.lines.iter().find(|l| l.item == item).expect("meter line").usage;
    let (tokens_in, tokens_out) = (usage("input"), usage("output"));
    // The paid run's calls, from its token lines: 1,500 in and 2,000 out per call.
    let calls = tokens_in / 1500.0;
    assert!(calls > 0.0 && (tokens_out / 2000.0 - calls).abs() < 1e-6 * calls);
    let b = bill_of(&byok, "llm");
    assert_eq!(b.bill.lines.len(), 1, "{:?}", b.bill.lines);
    let l = &b.bill.lines[0];
    assert_eq!(
        (l.kind, l.amount, b.bill.total),
        (capsim::pricing::LineKind::Byok, 0.0, 0.0)
    );
    assert!((l.usage - calls).abs() < 1e-6 * calls, "{} vs {calls}", l.usage);
    assert_eq!(l.unit, "calls");
    // Avoided: the paid line's amount, by hand from the catalog's rates.
    let by_hand = tokens_in * inp + tokens_out * out;
    assert!(
        (l.avoided - by_hand).abs() < 1e-9 * by_hand,
        "{} vs {by_hand}",
        l.avoided
    );
    assert!((p.bill.total - by_hand).abs() < 1e-9 * by_hand);
    // In no total: each month's total is the paid one less the LLM's (as before byok had a
    // line), and no other component's bill moves.
    for (mp, mb) in paid.months.iter().zip(&byok.months) {
        let llm = mp.components.iter().find(|c| c.0 == "llm").unwrap().1.mean;
        assert!(
            (mb.total.mean - (mp.total.mean - llm)).abs() < 1e-9,
            "month {}",
            mp.month
        );
        for (cp, cb) in mp.components.iter().zip(&mb.components).filter(|c| c.0 .0 != "llm") {
            assert_eq!(cp.1.mean, cb.1.mean, "{}", cp.0);
        }
    }
    // Every renderer says it.
    let files = capsim::report::render_all(&byok);
    let file = |n: &str| String::from_utf8(files.iter().find(|f| f.0 == n).unwrap().1.clone()).unwrap();
    let csv = file("costs.csv");
    assert!(csv.lines().next().unwrap().ends_with(",list_cost_avoided"));
    let row = csv.lines().find(|r| r.starts_with("1,llm,")).expect("llm row");
    assert!(row.contains(",bring your own key,byok,"), "{row}");
    let avoided_cell: f64 = row.rsplit(',').next().unwrap().parse().unwrap();
    assert!((avoided_cell - l.avoided).abs() < 1e-3, "{row}");
    let money = capsim::units::fmt_money(l.avoided);
    for name in ["summary.md", "report.html"] {
        let text = file(name);
        assert!(
            text.contains("bring your own key") && text.contains(&format!("{money} avoided")),
            "{name}"
        );
    }
    let json: serde_json::Value = serde_json::from_str(&file("summary.json")).unwrap();
    let j = &json["months"][0]["bring_your_own_key"]["llm"];
    assert_eq!(
        (j["calls"].as_f64(), j["list_cost_avoided"].as_f64()),
        (Some(l.usage), Some(l.avoided))
    );
    assert_eq!(json["months"][0]["components"]["llm"]["mean"].as_f64(), Some(0.0));
}

#[test]
fn a_rate_limit_above_the_demand_changes_nothing() {
    let limited = run_text(&fixture());
    let free = run_text(&fixture().replace("        rate_limit: 1000000/min\n", ""));
    // The smooth limiter spaces even simultaneous calls by 1 / L: the 6 slots' first calls
    // start at most 6 × 60 / 1,000,000 s late, and nothing else moves.
    let (a, b) = (
        &limited.job_work.as_ref().unwrap().batches[0],
        &free.job_work.as_ref().unwrap().batches[0],
    );
    assert!(a.max_seconds >= b.max_seconds && a.max_seconds - b.max_seconds <= 6.0 * 60.0 / 1e6 + 1e-12);
    assert_eq!(
        serde_json::to_string(&limited.stations).unwrap(),
        serde_json::to_string(&free.stations).unwrap()
    );
    assert_eq!(
        serde_json::to_string(&limited.months).unwrap(),
        serde_json::to_string(&free.months).unwrap()
    );
}

#[test]
fn bad_job_work_is_a_located_input_error() {
    let dir = tempfile::tempdir().unwrap();
    for (from, to, says) in [
        (
            "batch: {jobs: 20}",
            "batch: {jobs: 20}, jobs: 3",
            "requests.start_run.jobs",
        ),
        ("batch: {jobs: 20}", "batch: {jobs: 0}", "requests.start_run.batch.jobs"),
        (
            "batch: {jobs: 20}",
            "batch: {jobs: 20000}",
            "requests.start_run.batch.jobs",
        ),
        ("calls: {llm: 1}", "calls: {lm: 1}", "stages.only.queue.calls.lm"),
        ("byok: false", "byok: maybe", "byok"),
    ] {
        let p = write(dir.path(), "s.yaml", &fixture().replace(from, to));
        let out = capsim().arg("validate").arg(&p).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{to}: {err}");
        assert!(err.contains(says) && err.contains("s.yaml:"), "{to}: {err}");
    }
}
