//! Every configuration is validated, not only the first stage: scaling actions against the
//! catalog and the plan (alone and composed), every stage, upper bounds on every number, checked
//! integer products, and objectives that cannot be evaluated.
use crate::common::{capsim, repo, run_text, write};
use capsim::infra::{add_instances, apply_upgrade, Infra};
use capsim::scenario::{Action, Stage};
use rand::rngs::SmallRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;

const API: &str = "api: {provider: railway, plan: hobby, instances: 1, vcpu: 1, ram: 1GiB, workers: 4}";
const DB: &str = "database: {provider: supabase, plan: pro, size: micro, connections: 10, query_time: 2ms}";

/// A scenario whose stages are `stages` (name → YAML flow-map body), starting in the first, with
/// `triggers` (YAML list entries) and `extra` top-level YAML.
fn scenario(stages: &[(&str, &str)], triggers: &[String], extra: &str) -> String {
    let mut t = format!(
        "name: t\nstage: {}\nseed: 1\nreplications: 1\nhorizon: 730h\nresolution: 73h\n\
         traffic: {{arrival_rate: 0.5/s}}\nrequests: {{r: {{share: 100%, cpu: 5ms, db_queries: 1}}}}\nstages:\n",
        stages[0].0
    );
    for (name, body) in stages {
        t.push_str(&format!("  {name}: {{{body}}}\n"));
    }
    if !triggers.is_empty() {
        t.push_str("triggers:\n");
        for tr in triggers {
            t.push_str(&format!("  - {tr}\n"));
        }
    }
    t.push_str(extra);
    t
}

/// A trigger that fires at the end of the first period (43,200 requests a day are more than 1)
/// with `action`.
fn firing(name: &str, action: &str) -> String {
    format!("{{name: {name}, metric: requests.daily, above: 1, action: {action}}}")
}

/// `capsim <args> s.yaml --pricing <repo pricing>` on `text`.
fn cmd(args: &[&str], text: &str) -> assert_cmd::assert::Assert {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "s.yaml", text);
    let mut c = capsim();
    c.args(args).arg(&p).arg("--pricing").arg(repo().join("pricing"));
    c.assert()
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).to_string()
}

/// Each action of the issue, refused at validate time with the action's file:line:field and
/// the same reason a stage gets. All of them were accepted before (exit 0).
#[test]
fn actions_are_validated_like_stages() {
    let cases = [
        (
            "{upgrade: {component: api, workers: 0}}",
            "upgrade.workers",
            "at least one worker",
        ),
        (
            "{upgrade: {component: api, vcpu: .nan}}",
            "upgrade.vcpu",
            "expected vCPU > 0, found NaN",
        ),
        (
            "{upgrade: {component: api, vcpu: -4}}",
            "upgrade.vcpu",
            "expected vCPU > 0, found -4",
        ),
        (
            "{upgrade: {component: database, connections: 500}}",
            "upgrade.connections",
            "opens 500 connections but the plan allows 60 direct connections",
        ),
        (
            "{upgrade: {component: database, size: huge}}",
            "upgrade.size",
            "has no size `huge`",
        ),
        (
            "{upgrade: {component: api, vcpu: 100}}",
            "upgrade.vcpu",
            "100 vCPU exceeds what the plan allows (50 vCPU)",
        ),
        (
            "{upgrade: {component: api, ram: 64GB}}",
            "upgrade.ram",
            "64.00 GB of RAM exceeds what the plan allows (50.00 GB)",
        ),
        (
            "{upgrade: {component: api, plan: free}}",
            "upgrade.plan",
            "1.07 GB of RAM exceeds what the plan allows (500.0 MB)",
        ),
        (
            "{add_instances: {component: api, count: 4294967295, max: 4294967295}}",
            "add_instances.max",
            "4294967295 instances × 1 vCPU = 4294967295 vCPU exceeds the plan's cap of 50 vCPU per service",
        ),
        (
            "{add_instances: {component: api, count: 0, max: 4}}",
            "add_instances.count",
            "adds 0 instances",
        ),
        (
            "{upgrade: {component: database, vcpu: 4}}",
            "upgrade.vcpu",
            "`vcpu` is a field of `api`",
        ),
        ("{upgrade: {component: api}}", "upgrade", "changes nothing"),
    ];
    for (action, field, reason) in cases {
        let text = scenario(&[("s", &format!("{API}, {DB}"))], &[firing("t", action)], "");
        let a = cmd(&["validate"], &text).code(2);
        let err = stderr(&a);
        let want = "s.yaml:12:";
        assert!(err.contains(want), "{action}: no file:line `{want}`: {err}");
        assert!(
            err.contains(&format!("field `triggers[0].action.{field}`")) && err.contains(reason),
            "{action}: expected `{field}` and `{reason}`:\n{err}"
        );
    }
}

/// Invariant: a value is refused in an action exactly when the same value written in the stage
/// is refused (the action is checked with the stage's own resolution against the catalog).
#[test]
fn an_action_is_refused_exactly_when_the_stage_it_makes_would_be() {
    let api = |vcpu: &str, workers: &str| {
        format!("api: {{provider: railway, plan: hobby, instances: 1, vcpu: {vcpu}, ram: 1GiB, workers: {workers}}}")
    };
    let db = |f: &str| format!("database: {{provider: supabase, plan: pro, query_time: 2ms{f}}}");
    // (component, upgrade fields, the stage written with them)
    let mut cases: Vec<(&str, String, String)> = Vec::new();
    for v in ["0.5", "1", "50", "51", "100"] {
        cases.push(("api", format!("vcpu: {v}"), format!("{}, {}", api(v, "4"), db(""))));
    }
    for w in ["1", "64", "1000000", "1000001"] {
        cases.push(("api", format!("workers: {w}"), format!("{}, {}", api("1", w), db(""))));
    }
    for (size, conns, pooler) in [
        ("micro", 60, false),
        ("micro", 61, false),
        ("micro", 200, true),
        ("micro", 201, true),
        ("large", 160, false),
        ("large", 161, false),
    ] {
        let fields = format!("size: {size}, connections: {conns}, pooler: {pooler}");
        cases.push((
            "database",
            fields.clone(),
            format!("{}, {}", api("1", "4"), db(&format!(", {fields}"))),
        ));
    }
    let (mut refused, mut accepted) = (0, 0);
    for (component, fields, stage) in cases {
        let as_stage = cmd(&["validate"], &scenario(&[("s", &stage)], &[], ""))
            .get_output()
            .status
            .code();
        let action = format!("{{upgrade: {{component: {component}, {fields}}}}}");
        let base = format!("{}, {}", api("1", "4"), db(", connections: 10"));
        let as_action = cmd(&["validate"], &scenario(&[("s", &base)], &[firing("t", &action)], ""))
            .get_output()
            .status
            .code();
        assert_eq!(
            as_stage, as_action,
            "`{fields}` on `{component}`: in a stage {as_stage:?}, in an action {as_action:?}"
        );
        match as_stage {
            Some(0) => accepted += 1,
            _ => refused += 1,
        }
    }
    assert!(refused >= 4 && accepted >= 4, "{refused} refused, {accepted} accepted");
}

/// Actions compose: an upgrade that fits the starting stage may not fit a stage a
/// `switch_stage` leads to, and instances added up to `max` meet an upgrade of the workers.
/// Each error names the stage and the actions before it.
#[test]
fn composed_actions_are_checked_on_every_stage_they_can_reach() {
    let pro = "api: {provider: railway, plan: pro, instances: 1, vcpu: 1, ram: 1GiB, workers: 4}";
    let hobby = "api: {provider: railway, plan: hobby, instances: 1, vcpu: 1, ram: 1GiB, workers: 4}";
    let triggers = [
        firing("more cpu", "{upgrade: {component: api, vcpu: 64}}"),
        firing("to hobby", "{switch_stage: h}"),
        firing("scale out", "{add_instances: {component: api, max: 40}}"),
        firing("threads", "{upgrade: {component: api, workers: 30000}}"),
    ];
    let a = cmd(&["validate"], &scenario(&[("s", pro), ("h", hobby)], &triggers, "")).code(2);
    let err = stderr(&a);
    assert!(
        err.contains("field `triggers[0].action.upgrade.vcpu`: in stage `h` after `to hobby` (triggers[1])")
            && err.contains("64 vCPU exceeds what the plan allows (50 vCPU)"),
        "{err}"
    );
    assert!(
        err.contains("field `triggers[2].action.add_instances.max`: in stage `h`")
            && err.contains("40 instances exceed the plan's limit of 10 replicas"),
        "{err}"
    );
    assert!(
        err.contains(
            "40 instances × 30000 workers = 1,200,000 servers of one station; capsim simulates at most 1,000,000"
        ),
        "{err}"
    );
    // On Pro alone, 64 vCPU fit and 40 instances fit, but not both: Railway's cap is per
    // service, replicas included (40 × 64 = 2,560 vCPU > 1,000); 40 instances of 30,000
    // workers do not fit either.
    cmd(&["validate"], &scenario(&[("s", pro)], &[triggers[0].clone()], "")).code(0);
    cmd(&["validate"], &scenario(&[("s", pro)], &[triggers[2].clone()], "")).code(0);
    let both = cmd(
        &["validate"],
        &scenario(&[("s", pro)], &[triggers[0].clone(), triggers[2].clone()], ""),
    )
    .code(2);
    assert!(
        stderr(&both).contains("40 instances × 64 vCPU = 2560 vCPU exceeds the plan's cap of 1000 vCPU per service"),
        "{}",
        stderr(&both)
    );
    cmd(&["validate"], &scenario(&[("s", pro)], &[triggers[3].clone()], "")).code(0);
    let a = cmd(
        &["validate"],
        &scenario(&[("s", pro)], &[triggers[2].clone(), triggers[3].clone()], ""),
    )
    .code(2);
    let err = stderr(&a);
    assert!(
        err.contains("field `triggers[0].action.add_instances.max`: in stage `s` after `threads` (triggers[1])"),
        "{err}"
    );
}

/// Every stage is resolved against the catalog, not only the starting one.
#[test]
fn every_stage_must_fit_its_plans() {
    let big = "api: {provider: railway, plan: hobby, instances: 1, vcpu: 64, ram: 1GiB, workers: 4}";
    let a = cmd(&["validate"], &scenario(&[("s", API), ("later", big)], &[], "")).code(2);
    let err = stderr(&a);
    assert!(
        err.contains("field `stages.later.api.vcpu`: 64 vCPU exceeds what the plan allows (50 vCPU)"),
        "{err}"
    );
}

/// `instances × workers` is a checked product: 65536 × 65536 wrapped to 0 workers, the run
/// showed no latency and `check` printed ok with an SLO set. Now it is an input error with the
/// bound, for `validate` and `check` alike.
#[test]
fn request_slots_never_wrap() {
    let text = scenario(
        &[("s", "api: {instances: 65536, vcpu: 1, workers: 65536}")],
        &[],
        "slo: {latency_p95: 1s}\n",
    );
    for command in ["validate", "check"] {
        let a = cmd(&[command], &text).code(2);
        let err = stderr(&a);
        assert!(
            err.contains("field `stages.s.api.workers`: 65536 instances × 65536 workers = 4,294,967,296 servers of one station; capsim simulates at most 1,000,000"),
            "{command}: {err}"
        );
    }
}

/// `add_instances: {count: 4294967295}` took 1 instance to 0 (a wrapping sum); it now adds up to
/// `max` and no further.
#[test]
fn adding_instances_saturates_at_max() {
    let text = scenario(
        &[("s", "api: {instances: 1, vcpu: 1, workers: 4}")],
        &[firing(
            "out",
            "{add_instances: {component: api, count: 4294967295, max: 4}}",
        )],
        "",
    );
    let r = run_text(&text);
    let effect = r.triggers[0].effect.clone().unwrap_or_default();
    assert_eq!(effect, "api: 1 → 4 instances");
    let last = r.periods.len() - 1;
    assert_eq!(r.value(last, "api_instances").mean, 4.0);
}

/// The numbers with no natural bound get one (src/scenario/bounds.rs): an absurd value is an
/// input error naming the field and the largest value accepted, the largest is accepted.
#[test]
fn every_number_has_finite_bounds() {
    let svc = |f: &str| format!("{API}, services: {{f: {{provider: vercel, plan: pro, {f}}}}}");
    // No provider: these are capsim's own bounds, not a plan's caps (Railway's per-service
    // vCPU cap would refuse 10,000 vCPU a job first).
    let queue = |f: &str| format!("{API}, queue: {{job_time: 1s, vcpu: {f}}}");
    let api = |f: &str| API.replace("workers: 4", &format!("workers: 4, {f}"));
    let cases = [
        (
            api("idle_cpu: 1e300"),
            "stages.s.api.idle_cpu",
            Some(api("idle_cpu: 1")),
        ),
        (api("idle_cpu: 1.5"), "stages.s.api.idle_cpu", None),
        (
            api("multiplier: 1e300"),
            "stages.s.api.multiplier",
            Some(api("multiplier: 100")),
        ),
        (api("multiplier: 100.5"), "stages.s.api.multiplier", None),
        (queue("1e300"), "stages.s.queue.vcpu", Some(queue("10000"))),
        (svc("count: 1e300"), "stages.s.services.f.count", Some(svc("count: 1M"))),
        (
            svc("seats: 1e300"),
            "stages.s.services.f.seats",
            Some(svc("seats: 1000000")),
        ),
        (
            svc("usage: {requests: {per_month: 1e300}}"),
            "stages.s.services.f.usage.requests.per_month",
            Some(svc("usage: {requests: {per_month: 1e15}}")),
        ),
    ];
    for (stage, field, largest) in cases {
        let a = cmd(&["validate"], &scenario(&[("s", &stage)], &[], "")).code(2);
        let err = stderr(&a);
        assert!(err.contains(&format!("field `{field}`")), "{stage}: {err}");
        if let Some(ok) = largest {
            cmd(&["validate"], &scenario(&[("s", &ok)], &[], "")).code(0);
        }
    }
    // A rate limit of 0 refused every call; leaving it out is no limit.
    let ext = |rl: &str| format!("{API}, external: {{x: {{latency: 1ms{rl}}}}}");
    let a = cmd(&["validate"], &scenario(&[("s", &ext(", rate_limit: 0/s"))], &[], "")).code(2);
    assert!(
        stderr(&a).contains("field `stages.s.external.x.rate_limit`"),
        "{}",
        stderr(&a)
    );
    cmd(&["validate"], &scenario(&[("s", &ext(""))], &[], "")).code(0);
    // Hourly weights of 1e308 summed to infinity and silently made every weight 0 (no traffic).
    let shaped = |w: &str| {
        scenario(&[("s", API)], &[], "").replace(
            "traffic: {arrival_rate: 0.5/s}",
            &format!(
                "traffic: {{users: {{growth: constant, users: 100}}, sessions_per_user_per_week: 2, \
                 requests_per_session: 5, daily_shape: {{hourly: [{}]}}}}",
                vec![w; 24].join(", ")
            ),
        )
    };
    let a = cmd(&["validate"], &shaped("1e308")).code(2);
    assert!(
        stderr(&a).contains("field `traffic.daily_shape.hourly[0]`"),
        "{}",
        stderr(&a)
    );
    cmd(&["validate"], &shaped("1000000")).code(0);
}

/// Invariant: at the largest values the bounds allow, every bill is finite and every amount is
/// written out (no NaN, no infinity, no u64::MAX cents).
#[test]
fn money_is_finite_at_the_bounds() {
    let stage = "api: {provider: railway, plan: pro, instances: 10, vcpu: 50, ram: 50GB, workers: 4, \
                 idle_cpu: 50, multiplier: 100}, \
                 services: {f: {provider: vercel, plan: pro, seats: 1000000, multiplier: 100, \
                 usage: {requests: {per_month: 1e15, per_request: 1e15}}}}";
    let r = run_text(&scenario(&[("s", stage)], &[], "budget: {monthly: $1000000000000}\n"));
    for m in &r.months {
        assert!(
            m.total.mean.is_finite() && m.total.mean > 0.0,
            "month {}: {}",
            m.month,
            m.total.mean
        );
    }
    let mut text = capsim::report::text::summary_text(&r, None);
    for (name, bytes) in capsim::report::render_all(&r) {
        if name.ends_with(".md") || name.ends_with(".csv") {
            text.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    for bad in ["NaN", "not a number", "184,467,440,737,095,516"] {
        assert!(!text.contains(bad), "`{bad}` in:\n{text}");
    }
    let words: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).collect();
    assert!(!words.iter().any(|w| *w == "inf" || *w == "infinity"), "{text}");
}

/// An SLO whose metric has no observation (no request ever completes) is "not evaluated" in
/// every output, and `check` fails on it (exit 1) unless `--allow-not-evaluated`. It passed
/// (exit 0, NaN shown as met) before.
#[test]
fn an_slo_without_observations_is_not_evaluated_and_fails_check() {
    let text = scenario(
        &[("s", "api: {instances: 1, vcpu: 1, workers: 4}")],
        &[],
        "slo: {latency_p95: 1s, error_rate: 1%}\n",
    )
    .replace("cpu: 5ms, db_queries: 1", "cpu: 30d");
    let a = cmd(&["check"], &text).code(1);
    let out = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(out.starts_with("NOT EVALUATED"), "{out}");
    assert!(
        out.contains("p95 latency, worst busy window: not evaluated: no request completed in any busy window"),
        "{out}"
    );
    // (A request that takes 30 days also overloads the API: allowed here, it is not the point.)
    let a = cmd(&["check", "--allow-not-evaluated", "--allow-overload"], &text).code(0);
    let out = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(out.starts_with("ok") && out.contains("(allowed)"), "{out}");

    let r = run_text(&text);
    let p95 = &r.checks.slo[0];
    assert!(
        !p95.evaluated() && !p95.ok() && p95.verdict.label() == "not evaluated",
        "{p95:?}"
    );
    assert!(
        r.checks.slo[1].evaluated(),
        "requests arrive, so the error rate is evaluated: {:?}",
        r.checks.slo[1]
    );
    let files = capsim::report::render_all(&r);
    let file = |name: &str| {
        let bytes = &files.iter().find(|(n, _)| n == name).expect(name).1;
        String::from_utf8_lossy(bytes).to_string()
    };
    assert!(
        file("summary.md").contains("| **not evaluated** |"),
        "{}",
        file("summary.md")
    );
    assert!(
        file("summary.json").contains("\"verdict\": \"not_evaluated\""),
        "{}",
        file("summary.json")
    );
    assert!(file("report.html").contains("✗ NOT EVALUATED"));
}

/// Draws a scenario of two stages and up to four actions from pools of values around the
/// catalog's limits (Railway Free/Hobby/Pro, Supabase Micro/Large), starting in `s`.
fn random_scenario(rng: &mut SmallRng) -> String {
    let stage = |rng: &mut SmallRng| {
        format!(
            "api: {{provider: railway, plan: {}, instances: {}, vcpu: {}, ram: {}, workers: {}}}, \
             database: {{provider: supabase, plan: pro, size: {}, connections: {}, pooler: {}, query_time: 2ms}}",
            ["hobby", "hobby", "pro", "free"].choose(rng).unwrap(),
            [1, 1, 2, 8].choose(rng).unwrap(),
            [0.5, 1.0, 8.0, 64.0].choose(rng).unwrap(),
            ["256MB", "1GB", "1GB", "8GB"].choose(rng).unwrap(),
            [1, 8, 8, 30000].choose(rng).unwrap(),
            ["micro", "large"].choose(rng).unwrap(),
            [10, 10, 100, 500].choose(rng).unwrap(),
            rng.gen_bool(0.5),
        )
    };
    let actions = [
        "{upgrade: {component: api, plan: pro}}",
        "{upgrade: {component: api, plan: hobby}}",
        "{upgrade: {component: api, plan: free}}",
        "{upgrade: {component: api, vcpu: 8}}",
        "{upgrade: {component: api, vcpu: 64, ram: 4GB}}",
        "{upgrade: {component: api, workers: 30000}}",
        "{upgrade: {component: database, size: large}}",
        "{upgrade: {component: database, size: micro, pooler: true}}",
        "{upgrade: {component: database, connections: 150}}",
        "{add_instances: {component: api, count: 2, max: 10}}",
        "{add_instances: {component: api, count: 4294967295, max: 40}}",
        "{switch_stage: g}",
        "{switch_stage: s}",
        "flag",
    ];
    let n = rng.gen_range(0..=4);
    let triggers: Vec<String> = (0..n)
        .map(|i| firing(&format!("t{i}"), actions.choose(rng).unwrap()))
        .collect();
    let (s, g) = (stage(rng), stage(rng));
    scenario(&[("s", &s), ("g", &g)], &triggers, "")
}

/// What a fired action does to the stage, as the simulation does it.
fn act(stage: &mut Stage, action: &Action, stages: &BTreeMap<String, Stage>) {
    match action {
        Action::Flag => {}
        Action::Upgrade(u) => {
            apply_upgrade(stage, u);
        }
        Action::AddInstances { component, count, max } => {
            add_instances(stage, component, *count, *max);
        }
        Action::SwitchStage(name) => *stage = stages[name].clone(),
    }
}

/// Invariant: in a scenario that validates, every configuration its actions can reach, in any
/// order and any number of firings, resolves against the catalog; so the run never needs the
/// lenient resolution's clamps. Random scenarios near the plans' limits, random firing orders.
#[test]
fn every_configuration_of_a_valid_scenario_resolves() {
    let pricing = repo().join("pricing");
    let catalog = capsim::pricing::Catalog::load_dir(&pricing, capsim::pricing::ChosenBy::Flag).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut rng = SmallRng::seed_from_u64(2026);
    let (mut valid, mut refused, mut walks) = (0, 0, 0);
    for k in 0..2000 {
        let text = random_scenario(&mut rng);
        let p = write(dir.path(), &format!("r{k}.yaml"), &text);
        let Ok(sc) = capsim::scenario::load_with_catalog(&p, &catalog) else {
            refused += 1;
            continue;
        };
        valid += 1;
        for _ in 0..40 {
            let mut stage = sc.stages[&sc.start_stage].clone();
            for _ in 0..8 {
                let Some(t) = sc.triggers.choose(&mut rng) else { break };
                act(&mut stage, &t.action, &sc.stages);
                walks += 1;
                if let Err(problems) = Infra::resolve(&stage, &catalog) {
                    panic!("validated, yet a reachable configuration does not fit: {problems:?}\n{text}");
                }
            }
        }
    }
    assert!(valid >= 150 && refused >= 150, "{valid} valid, {refused} refused");
    assert!(walks > 1000, "{walks} actions applied");
}
