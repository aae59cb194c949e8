//! Input that would silently change money or make a trigger meaningless: defaults that bill,
//! usage rules, annual billing, thresholds outside a metric's range, metrics with no data.
use crate::common::{capsim, repo, run_text, write};
use predicates::prelude::*;

/// A scenario of one stage `s` with `stage` as its body (YAML flow map entries) and `extra`
/// top-level YAML appended.
fn scenario(stage: &str, extra: &str) -> String {
    format!(
        "name: t\nstage: s\nseed: 1\nreplications: 1\nhorizon: 730h\nresolution: 730h\n\
         traffic: {{arrival_rate: 0.1/s}}\n\
         requests: {{r: {{share: 100%, cpu: 1ms, db_queries: 1}}}}\n\
         stages:\n  s: {{{stage}}}\n{extra}"
    )
}

const RAILWAY_API: &str = "api: {provider: railway, plan: pro, instances: 3, vcpu: 1, ram: 1GiB, workers: 4}";

/// Runs `capsim validate` (plus `args`) on `text`; returns the assertion for further checks.
fn validate(text: &str, args: &[&str]) -> assert_cmd::assert::Assert {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "s.yaml", text);
    let mut cmd = capsim();
    cmd.arg("validate").args(args).arg(p.to_str().unwrap()).arg("--pricing");
    cmd.arg(repo().join("pricing"));
    cmd.assert()
}

fn loaded(text: &str) -> capsim::scenario::Scenario {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "s.yaml", text);
    capsim::scenario::load(
        &p,
        Some(&capsim::pricing::CatalogSource::dir(
            repo().join("pricing"),
            capsim::pricing::ChosenBy::Flag,
        )),
    )
    .unwrap_or_else(|e| panic!("{e}"))
    .0
}

/// The usage on the `item` line of the API's month-1 bill (0 when there is no such line).
fn api_line(r: &capsim::run::RunResult, item: &str) -> (f64, f64) {
    let c = r.months[0]
        .example
        .components
        .iter()
        .find(|c| c.members.iter().any(|(n, _)| n == "api"))
        .expect("api bill");
    c.bill
        .lines
        .iter()
        .find(|l| l.item == item)
        .map(|l| (l.usage, l.amount))
        .unwrap_or((0.0, 0.0))
}

/// Railway bills the RAM a service uses. Three instances of 1 GiB that leave `ram_in_use` out
/// use their RAM: 3 × 1.073741824 GB × 730 h = 2,351.49 GB-hours, at $0.000231 per GB-minute
/// (× 60 min/h) $32.59; and the bill is exactly the one with `ram_in_use: 1GiB` written out.
#[test]
fn api_without_ram_in_use_bills_its_instance_ram() {
    let default = run_text(&scenario(RAILWAY_API, ""));
    let gb_hours = 3.0 * 1.073_741_824 * 730.0;
    let (usage, amount) = api_line(&default, "ram");
    assert!((usage - gb_hours).abs() < 1e-6 * gb_hours, "{usage} GB-hours");
    assert!((amount - gb_hours * 60.0 * 0.000231).abs() < 1e-6, "${amount}");
    let explicit = run_text(&scenario(
        &RAILWAY_API.replace("workers: 4", "workers: 4, ram_in_use: 1GiB"),
        "",
    ));
    assert_eq!(api_line(&explicit, "ram"), (usage, amount));
    assert_eq!(default.months[0].example.total, explicit.months[0].example.total);
}

/// With neither `ram_in_use` nor `ram` (nor `vcpu` for CPU billed by the vCPU provisioned),
/// what the plan meters would bill as zero: an input error naming the field and the meter.
#[test]
fn billed_inputs_left_out_are_errors_not_zero() {
    let cases = [
        (
            "api: {provider: railway, plan: pro, vcpu: 1}",
            "stages.s.api.ram_in_use",
            "ram_gb_hours",
        ),
        (
            "api: {provider: aws_ecs_fargate, plan: linux_x86, ram: 2GiB}",
            "stages.s.api.vcpu",
            "vcpu_provisioned_hours",
        ),
        (
            "api: {provider: aws_ecs_fargate, plan: linux_x86, vcpu: 1}",
            "stages.s.api.ram",
            "ram_provisioned_gib_hours",
        ),
        (
            "api: {vcpu: 1}, queue: {provider: railway, plan: pro, job_time: 1s, vcpu: 0.1}",
            "stages.s.queue.ram_in_use",
            "ram_gb_hours",
        ),
        (
            "api: {vcpu: 1}, queue: {provider: railway, plan: pro, job_time: 1s, ram_in_use: 300MB}",
            "stages.s.queue.vcpu",
            "vcpu_hours",
        ),
    ];
    for (stage, field, metric) in cases {
        validate(&scenario(stage, ""), &[]).code(2).stderr(
            predicate::str::contains(field)
                .and(predicate::str::contains(metric))
                .and(predicate::str::contains("s.yaml:")),
        );
    }
    // A usage rule that gives the metric itself is enough (the AWS scenario's Fargate queue).
    validate(
        &scenario(
            "api: {vcpu: 1}, queue: {provider: railway, plan: pro, job_time: 1s, vcpu: 0.1, usage: {ram_gb_hours: {per_month: 365}}}",
            "",
        ),
        &[],
    )
    .success();
}

#[test]
fn ram_in_use_above_the_instance_ram_is_an_error() {
    validate(
        &scenario(&RAILWAY_API.replace("workers: 4", "workers: 4, ram_in_use: 2GB"), ""),
        &[],
    )
    .code(2)
    .stderr(predicate::str::contains("stages.s.api.ram_in_use").and(predicate::str::contains("2.00 GB")));
}

fn with_usage(rule: &str) -> String {
    scenario(
        &format!("api: {{vcpu: 1}}, services: {{web: {{provider: vercel, plan: pro, usage: {{{rule}}}}}}}"),
        "",
    )
}

/// Negative, NaN or infinite usage is rejected where it is written, whatever the spelling.
#[test]
fn usage_rules_reject_negative_and_non_finite_numbers() {
    for (rule, field) in [
        ("requests: {per_month: -5000}", "usage.requests.per_month"),
        ("requests: {per_request: \"-1.5M\"}", "usage.requests.per_request"),
        ("requests: {per_session: .nan}", "usage.requests.per_session"),
        ("egress_gb: {per_user_month: .inf}", "usage.egress_gb.per_user_month"),
        ("requests: {per_job: -0.5}", "usage.requests.per_job"),
        (
            "egress_gb: {bytes_per_request: -2KB}",
            "usage.egress_gb.bytes_per_request",
        ),
    ] {
        validate(&with_usage(rule), &[]).code(2).stderr(
            predicate::str::contains(format!("stages.s.services.web.{field}"))
                .and(predicate::str::contains("s.yaml:10"))
                .and(predicate::str::contains("negative").or(predicate::str::contains("not a finite number"))),
        );
    }
}

/// Counts in usage rules take the suffixes they take everywhere else.
#[test]
fn usage_rules_accept_counts_with_suffixes() {
    let sc = loaded(&with_usage(
        "requests: {per_month: 1.5M, per_session: 143K}, events: {per_request: 1M}",
    ));
    let usage = &sc.stages["s"].services[0].billing.usage;
    assert_eq!(usage["requests"].per_month, 1.5e6);
    assert_eq!(usage["requests"].per_session, 143e3);
    assert_eq!(usage["events"].per_request, 1e6);
}

/// A level (`mau`, `seats`…) is a monthly amount: it cannot grow per request, session or job.
#[test]
fn level_metrics_take_only_level_rules() {
    for (rule, field) in [
        ("mau: {per_request: 1}", "usage.mau.per_request"),
        ("seats: {per_session: 0.1}", "usage.seats.per_session"),
        (
            "storage_gb_peak: {bytes_per_request: 1KB}",
            "usage.storage_gb_peak.bytes_per_request",
        ),
        ("vectors: {per_job: 10}", "usage.vectors.per_job"),
    ] {
        validate(&with_usage(rule), &[]).code(2).stderr(
            predicate::str::contains(format!("stages.s.services.web.{field}"))
                .and(predicate::str::contains("is a level"))
                .and(predicate::str::contains("allowed: per_month, per_user_month")),
        );
    }
    validate(&with_usage("mau: {per_user_month: 1}, seats: {per_month: 3}"), &[]).success();
    validate(&with_usage("requests: {}"), &[])
        .code(2)
        .stderr(predicate::str::contains("usage.requests").and(predicate::str::contains("empty usage rule")));
}

/// `annual_billing: true` on a plan with no annual price would change nothing: an error, also
/// when an upgrade moves an annually billed component to such a plan.
#[test]
fn annual_billing_needs_an_annual_price() {
    validate(
        &scenario(
            "api: {vcpu: 1}, services: {web: {provider: vercel, plan: pro, annual_billing: true}}",
            "",
        ),
        &[],
    )
    .code(2)
    .stderr(
        predicate::str::contains("stages.s.services.web.annual_billing")
            .and(predicate::str::contains("`vercel/pro` has no annual price")),
    );
    let cdn = "api: {vcpu: 1}, services: {cdn: {provider: cloudflare, plan: pro, annual_billing: true}}";
    validate(&scenario(cdn, ""), &[]).success();
    validate(
        &scenario(
            cdn,
            "triggers:\n  - {name: t, metric: users, above: 5, action: {upgrade: {component: cdn, plan: free}}}\n",
        ),
        &[],
    )
    .code(2)
    .stderr(
        predicate::str::contains("triggers[0].action.upgrade.plan")
            .and(predicate::str::contains("`cloudflare/free` has no annual price")),
    );
}

/// Other money inputs that could be negative: a service's count, an external call's tokens
/// (counts, which also take suffixes), the vCPU a job uses.
#[test]
fn negative_counts_tokens_and_job_cpu_are_errors() {
    for (stage, field) in [
        (
            "api: {vcpu: 1}, services: {cdn: {provider: cloudflare, plan: pro, count: -2}}",
            "stages.s.services.cdn.count",
        ),
        (
            "api: {vcpu: 1}, external: {llm: {provider: openai_api, plan: gpt-4o, input_tokens: -100}}",
            "stages.s.external.llm.input_tokens",
        ),
        (
            "api: {vcpu: 1}, queue: {job_time: 1s, vcpu: -0.5}",
            "stages.s.queue.vcpu",
        ),
    ] {
        validate(&scenario(stage, ""), &[]).code(2).stderr(
            predicate::str::contains(field)
                .and(predicate::str::contains("≥ 0").or(predicate::str::contains("negative"))),
        );
    }
    let sc = loaded(&scenario(
        "api: {vcpu: 1}, external: {llm: {provider: openai_api, plan: gpt-4o, input_tokens: 2K, output_tokens: 1.5K}}",
        "",
    ));
    assert_eq!(sc.stages["s"].external[0].input_tokens, 2000.0);
    assert_eq!(sc.stages["s"].external[0].output_tokens, 1500.0);
}

#[test]
fn more_vectors_than_the_plan_holds_is_an_error() {
    validate(
        &scenario(
            "api: {vcpu: 1}, vector_store: {provider: qdrant_cloud, plan: free, vectors: 2M}",
            "",
        ),
        &[],
    )
    .code(2)
    .stderr(predicate::str::contains("stages.s.vector_store.vectors").and(predicate::str::contains("1M")));
}

fn trigger(t: &str) -> String {
    scenario(
        "api: {vcpu: 1}, database: {provider: supabase, plan: pro, size: micro, query_time: 2ms}",
        &format!("triggers:\n  - {{name: t, {t}}}\n"),
    )
}

/// `above: 60` on a share is 6,000 %: validate warns (exit 0), `--strict` makes it an error
/// (exit 2), and `check --strict` runs nothing.
#[test]
fn threshold_above_a_share_warns_and_strict_fails() {
    let text = trigger("metric: api.cpu, above: 60");
    validate(&text, &[]).success().stderr(
        predicate::str::contains("warning: ")
            .and(predicate::str::contains("s.yaml:12"))
            .and(predicate::str::contains("triggers[0].above"))
            .and(predicate::str::contains("60 (6,000%)"))
            .and(predicate::str::contains("did you mean `60%`?")),
    );
    validate(&text, &["--strict"])
        .code(2)
        .stderr(predicate::str::contains("error: ").and(predicate::str::contains("triggers[0].above")));
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "s.yaml", &text);
    capsim()
        .args(["check", "--strict", p.to_str().unwrap()])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("6,000%"));
    // Without --strict, `run` and `check` say it on the terminal before running.
    capsim()
        .args(["check", p.to_str().unwrap()])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning: ").and(predicate::str::contains("triggers[0].above")));
    // Written as a percentage, it is what it says.
    validate(&trigger("metric: api.cpu, above: 60%"), &[])
        .success()
        .stderr(only_unpriced());
}

#[test]
fn thresholds_outside_a_metrics_range_warn() {
    for (t, expect) in [
        ("metric: database.size, below: 0", "smallest possible value"),
        ("metric: errors.rate, above: 100%", "equals the largest possible value"),
        ("metric: api.instances, below: 1", "`below` can never fire"),
        (
            "metric: database.utilization, above: 150%",
            "is above the largest possible value",
        ),
        ("metric: api.cpu, below: 1.5", "`below` always holds"),
    ] {
        validate(&trigger(t), &[])
            .success()
            .stderr(predicate::str::contains("warning: ").and(predicate::str::contains(expect)));
    }
    validate(&trigger("metric: users, above: 100, sustained: 60d"), &[])
        .success()
        .stderr(predicate::str::contains("triggers[0].sustained").and(predicate::str::contains("only 1")));
}

/// Invariant over every metric: a threshold at the edge of the metric's range or beyond it
/// (never or always crossed) warns; one inside the range does not.
#[test]
fn range_warnings_follow_each_metrics_range() {
    use capsim::scenario::{Metric, Unit};
    for &(name, metric, kind, _) in Metric::ALL {
        let unit = |v: f64| match kind {
            Unit::Bytes => format!("{v}B"),
            Unit::Seconds => format!("{v}s"),
            Unit::Dollars => format!("${v}"),
            Unit::Fraction | Unit::Count => format!("{v}"),
            Unit::PerSecond => format!("{v}/s"),
        };
        let (min, max) = metric.range();
        let range_warnings = |t: &str| {
            loaded(&trigger(&format!("metric: {name}, {t}")))
                .warnings
                .iter()
                .filter(|w| w.field.ends_with(".above") || w.field.ends_with(".below"))
                .count()
        };
        assert_eq!(range_warnings(&format!("below: {}", unit(min))), 1, "{name} below min");
        assert_eq!(
            range_warnings(&format!("below: {}", unit(min + 0.5))),
            0,
            "{name} inside"
        );
        if min > 0.0 {
            assert_eq!(
                range_warnings(&format!("above: {}", unit(min * 0.5))),
                1,
                "{name} always above"
            );
        }
        if let Some(max) = max {
            assert_eq!(range_warnings(&format!("above: {}", unit(max))), 1, "{name} above max");
            assert_eq!(
                range_warnings(&format!("above: {}", unit(max * 0.5))),
                0,
                "{name} inside"
            );
            assert_eq!(
                range_warnings(&format!("below: {}", unit(max * 1.5))),
                1,
                "{name} always below"
            );
        } else {
            assert_eq!(range_warnings(&format!("above: {}", unit(1e12))), 0, "{name} unbounded");
        }
    }
}

/// A metric no stage can measure: the trigger can never fire, and validation says why.
#[test]
fn metrics_without_data_warn_with_the_stages() {
    // The plan states no vector capacity (as with the GA scenario's Qdrant trigger).
    validate(
        &scenario(
            "api: {vcpu: 1}, vector_store: {provider: qdrant_cloud, plan: startup}",
            "triggers:\n  - {name: q, metric: vector_store.capacity, above: 80%}\n",
        ),
        &[],
    )
    .success()
    .stderr(
        predicate::str::contains("triggers[0].metric")
            .and(predicate::str::contains("no data in any stage the run can reach"))
            .and(predicate::str::contains(
                "`qdrant_cloud/startup` states no vector capacity",
            )),
    );
    // An upgrade to a plan with a capacity gives it data.
    validate(
        &scenario(
            "api: {vcpu: 1}, vector_store: {provider: qdrant_cloud, plan: startup}",
            "triggers:\n  - {name: q, metric: vector_store.capacity, above: 80%}\n  \
             - {name: u, metric: requests.daily, above: 1, action: {upgrade: {component: vector_store, plan: free}}}\n",
        ),
        &[],
    )
    .success()
    .stderr(only_unpriced());
    // No request enqueues jobs: the queue never has a backlog to compare.
    validate(
        &scenario(
            "api: {vcpu: 1}, queue: {job_time: 1s}",
            "triggers:\n  - {name: b, metric: queue.backlog, above: 10}\n",
        ),
        &[],
    )
    .success()
    .stderr(predicate::str::contains("no request type enqueues background jobs"));
}

/// A trigger is global: when the run can switch to a stage without the component, the
/// warning names that stage only.
#[test]
fn metric_missing_in_some_reachable_stages_names_them() {
    let text = "name: t\nstage: a\nhorizon: 2d\ntraffic: {arrival_rate: 1/s}\n\
                requests: {r: {share: 100%, cpu: 1ms, db_queries: 1}}\n\
                stages:\n  a: {api: {vcpu: 1}, database: {query_time: 2ms, connections: 5}}\n  \
                b: {api: {vcpu: 1}}\n  c: {api: {vcpu: 1}}\n\
                triggers:\n  - {name: w, metric: database.wait, above: 1s}\n  \
                - {name: s, metric: requests.daily, above: 1, action: {switch_stage: b}}\n";
    validate(text, &[]).success().stderr(
        predicate::str::contains("no data in stage b: no database")
            .and(predicate::str::contains("not evaluated while the run is there"))
            .and(predicate::str::contains("c:").not()),
    );
}

#[test]
fn slo_values_outside_their_range() {
    validate(&scenario("api: {vcpu: 1}", "slo: {error_rate: 5}\n"), &[])
        .code(2)
        .stderr(
            predicate::str::contains("slo.error_rate")
                .and(predicate::str::contains("500%"))
                .and(predicate::str::contains("did you mean `5%`?")),
        );
    validate(
        &scenario("api: {vcpu: 1}", "slo: {latency_p95: 0s, error_rate: 100%}\n"),
        &[],
    )
    .success()
    .stderr(
        predicate::str::contains("slo.latency_p95")
            .and(predicate::str::contains("can never be met"))
            .and(predicate::str::contains("slo.error_rate")),
    );
}

/// The shipped GA scenario's "Qdrant > 80% capacity" trigger cannot fire: Qdrant Production
/// (and the AWS stage it can switch to) states no vector capacity. It is the plan's own
/// trigger, so the scenario keeps it and validation says so.
#[test]
fn shipped_ga_scenario_warns_about_its_qdrant_trigger() {
    capsim()
        .args(["validate", "scenarios/ga.yaml"])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("scenarios/ga.yaml:31")
                .and(predicate::str::contains("vector_store.capacity"))
                .and(predicate::str::contains(
                    "`qdrant_cloud/production` states no vector capacity",
                )),
        );
    capsim()
        .args(["validate", "--strict", "scenarios/ga.yaml"])
        .assert()
        .code(2);
    capsim()
        .args(["validate", "--strict", "scenarios/beta.yaml", "scenarios/aws.yaml"])
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
    // The MVP serves its frontend from Vercel Hobby, which is for non-commercial use only.
    capsim()
        .args(["validate", "--strict", "scenarios/mvp.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`vercel/hobby` may not serve a commercial system",
        ));
}

/// Stderr with nothing but the warnings that a component names no provider (the test
/// scenarios here leave prices out on purpose).
fn only_unpriced() -> impl predicates::Predicate<str> {
    predicate::function(|s: &str| {
        s.lines()
            .all(|l| l.contains("unpriced: the component names no `provider`"))
    })
}
