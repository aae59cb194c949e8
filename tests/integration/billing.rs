//! Invariants of the bill: properties that hold for any scenario, not only for the examples.
//!
//! Bills are computed from the expected volumes of the traffic model (never from sampled
//! requests), so these comparisons are exact up to floating-point rounding (1e-9 relative).

use crate::common::{capsim, repo, run_text, write};
use capsim::pricing::{Catalog, CostLine, Usage};
use capsim::run::RunResult;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn component(r: &RunResult, month: usize, name: &str) -> f64 {
    r.months[month]
        .components
        .iter()
        .find(|(c, _)| c == name)
        .map_or(0.0, |(_, s)| s.mean)
}

fn lines<'a>(r: &'a RunResult, month: usize, member: &str) -> Vec<&'a CostLine> {
    r.months[month]
        .example
        .components
        .iter()
        .filter(|c| c.members.iter().any(|(m, _)| m == member))
        .flat_map(|c| c.bill.lines.iter())
        .collect()
}

/// A stage whose bill has fixed fees, sizes, meters with quotas, graduated tiers, a level
/// metric from a usage rule (MAU) and an account commitment. Months of 720 h, so that report
/// periods of 1 d, 6 h and 1 h all divide them (a period straddling a month's end is split in
/// proportion to time, which is exact only for a flat daily shape).
fn billed_stage(resolution: &str, horizon: &str, users: &str) -> String {
    let users = if users.starts_with('{') {
        users.to_string()
    } else {
        format!("{{growth: constant, users: {users}}}")
    };
    format!(
        "name: bill\nstage: s\nseed: 1\nreplications: 1\nhorizon: {horizon}\nresolution: {resolution}\n\
         hours_per_month: 720\nsimulation: {{mode: peak_window, window: 10m, warmup: 5m}}\n\
         traffic: {{users: {users}, sessions_per_user_per_week: 2, requests_per_session: 20, think_time: 30s}}\n\
         requests: {{r: {{share: 100%, cpu: 5ms, db_queries: 1, egress: 20KB}}}}\n\
         storage: {{database: {{initial: 2GB, records: {{row: {{size: 1KB, per_user_per_day: 10}}}}}}}}\n\
         stages:\n  s:\n\
         \x20   api: {{provider: railway, plan: pro, instances: 2, vcpu: 1, ram: 1GB, workers: 4, ram_in_use: 500MB}}\n\
         \x20   database: {{provider: supabase, plan: pro, size: small, connections: 10, query_time: 2ms,\n\
         \x20              usage: {{mau: {{per_user_month: 100}}}}}}\n\
         \x20   services:\n\
         \x20     analytics: {{provider: posthog, plan: pay_as_you_go, usage: {{events: {{per_request: 40}}}}}}\n"
    )
}

/// A month's bill does not depend on the report resolution: every component of every month is
/// the same at 1 d, 6 h and 1 h. (Levels such as MAU once shrank with the period's length:
/// Supabase Pro at 200K MAU billed $25 instead of $350 at `resolution: 1d`.)
#[test]
fn bills_do_not_depend_on_the_resolution() {
    let runs: Vec<RunResult> = ["1d", "6h", "1h"]
        .iter()
        .map(|res| run_text(&billed_stage(res, "60d", "2000")))
        .collect();
    let base = &runs[0];
    assert_eq!(base.months.len(), 2);
    for r in &runs[1..] {
        for m in 0..2 {
            assert!(
                close(r.months[m].total.mean, base.months[m].total.mean),
                "month {m} total"
            );
            for (c, s) in &base.months[m].components {
                assert!(
                    close(component(r, m, c), s.mean),
                    "month {m} {c}: {} vs {}",
                    component(r, m, c),
                    s.mean
                );
            }
        }
    }
    // 2,000 users × 100 MAU each = 200K MAU: 100K over Pro's quota at $0.00325 = $325.
    let mau = lines(base, 0, "database")
        .into_iter()
        .find(|l| l.item == "mau")
        .expect("mau line");
    assert!(close(mau.usage, 200_000.0) && close(mau.amount, 325.0), "{mau:?}");
}

/// With users growing the storage and every volume change over time; the bill still does not
/// depend on the resolution beyond the storage level read at period ends (the month's largest
/// size is taken at the end of its last period, which a coarser period overshoots by at most
/// one period's growth: here under 0.5 %).
#[test]
fn bills_with_growth_agree_across_resolutions_within_one_periods_growth() {
    let users = "{growth: linear, from: 100, to: 5000, over: 60d}";
    let a = run_text(&billed_stage("1d", "60d", users));
    let b = run_text(&billed_stage("1h", "60d", users));
    for m in 0..2 {
        let (x, y) = (a.months[m].total.mean, b.months[m].total.mean);
        assert!((x - y).abs() <= 0.005 * y, "month {m}: {x} at 1d vs {y} at 1h");
    }
}

/// A horizon that ends inside a month bills the whole month at the rate of its end: with
/// constant users and a flat day, month 2 of a 45-day run equals month 1.
#[test]
fn a_partial_last_month_is_billed_whole() {
    let r = run_text(&billed_stage("1d", "45d", "2000").replace(
        "row: {size: 1KB, per_user_per_day: 10}",
        "row: {size: 1KB, per_user: 1}",
    ));
    assert_eq!(r.months.len(), 2);
    assert!(r.months[1].covered < 0.6);
    assert!(
        close(r.months[1].total.mean, r.months[0].total.mean),
        "{} vs {}",
        r.months[1].total.mean,
        r.months[0].total.mean
    );
}

/// Cost never falls when users or instances grow.
#[test]
fn cost_never_decreases_when_users_or_instances_grow() {
    let mut last = 0.0;
    for users in ["10", "300", "3000", "30000", "100000"] {
        let r = run_text(&billed_stage("1d", "30d", users));
        let total = r.months[0].total.mean;
        assert!(total >= last - 1e-9, "{users} users: {total} < {last}");
        last = total;
    }
    let mut last = 0.0;
    for n in 1..=4 {
        let text = billed_stage("1d", "30d", "2000").replace("instances: 2", &format!("instances: {n}"));
        let total = run_text(&text).months[0].total.mean;
        assert!(total >= last - 1e-9, "{n} instances: {total} < {last}");
        last = total;
    }
}

/// On every plan of every shipped catalog, more usage of any metric (alone or all together)
/// never costs less, and neither do more instances. (A `volume`-mode meter may legitimately
/// cost less past a band edge; no shipped catalog has one, and the test says so if one comes.)
#[test]
fn on_every_catalog_plan_more_usage_never_costs_less() {
    let cat = Catalog::load_dir(&repo().join("pricing"), capsim::pricing::ChosenBy::Flag).expect("catalogs load");
    let grid = [0.0, 0.3, 0.999, 1.0, 1.001, 1.5, 3.0, 10.0, 100.0, 1e4];
    for provider in cat.providers.values() {
        for plan in provider.plans.values() {
            let metrics: Vec<&str> = plan.meters.values().map(|m| m.metric.as_str()).collect();
            for m in plan.meters.values() {
                assert!(
                    m.tier_mode != capsim::pricing::TierMode::Volume,
                    "{}/{}: volume tiers may cost less at a band edge; exclude them here",
                    provider.id,
                    plan.id
                );
            }
            let scale = |m: &str| {
                plan.meters
                    .values()
                    .find(|x| x.metric == m)
                    .map_or(1.0, |x| x.included.max(1.0))
            };
            let opts = capsim::pricing::BillOptions::default();
            let mut last_all = f64::NEG_INFINITY;
            for k in grid {
                let all: Usage = metrics.iter().map(|m| (m.to_string(), k * scale(m))).collect();
                let total = capsim::pricing::bill(plan, &all, &opts).total;
                assert!(
                    total.is_finite() && total >= last_all - 1e-9,
                    "{}/{} at ×{k}",
                    provider.id,
                    plan.id
                );
                last_all = total;
                for m in &metrics {
                    let mut one = all.clone();
                    one.insert(m.to_string(), k * 2.0 * scale(m));
                    let more = capsim::pricing::bill(plan, &one, &opts).total;
                    assert!(more >= total - 1e-9, "{}/{}: more {m} costs less", provider.id, plan.id);
                }
            }
            let mut last = f64::NEG_INFINITY;
            for count in [1.0, 2.0, 3.0, 8.0] {
                let opts = capsim::pricing::BillOptions {
                    count,
                    ..Default::default()
                };
                let total = capsim::pricing::bill(plan, &Usage::new(), &opts).total;
                assert!(
                    total >= last - 1e-9,
                    "{}/{}: {count} instances cost less",
                    provider.id,
                    plan.id
                );
                last = total;
            }
        }
    }
}

/// A Railway workspace is one account: the Free plan's $1 credit once (not once per service),
/// a Redis service inside the workspace's commitment, one plan for every service.
#[test]
fn a_railway_workspace_is_billed_once_on_one_plan() {
    let stage = |api_plan: &str, cache: &str| {
        format!(
            "name: ws\nstage: s\nseed: 1\nreplications: 1\nhorizon: 30d\nresolution: 1d\nhours_per_month: 720\n\
             simulation: {{mode: peak_window, window: 10m, warmup: 5m}}\n\
             traffic: {{users: {{growth: constant, users: 10}}, sessions_per_user_per_week: 2, requests_per_session: 20, think_time: 30s}}\n\
             requests: {{r: {{share: 100%, cpu: 5ms, cache_lookups: 1}}}}\n\
             stages:\n  s:\n\
             \x20   api: {{provider: railway, plan: {api_plan}, vcpu: 0.5, ram: 500MB, workers: 2, ram_in_use: 100MB}}\n\
             \x20   cache: {{{cache}, ram: 256MB, hit_rate: 100%, lookup_time: 1ms}}\n"
        )
    };
    // Free: usage (api RAM 0.1 GB + cache RAM 0.256 GB all month) less one $1 credit.
    let r = run_text(&stage("free", "provider: railway, plan: free"));
    let l = lines(&r, 0, "cache");
    assert_eq!(
        l.iter().filter(|l| l.item == "credit").count(),
        1,
        "one credit for the workspace"
    );
    assert!(
        lines(&r, 0, "api").iter().zip(&l).all(|(a, b)| std::ptr::eq(*a, *b)),
        "api and cache share one bill"
    );
    let credit = l.iter().find(|l| l.item == "credit").unwrap();
    assert!(close(credit.amount, -1.0), "{credit:?}");
    // Pro + a Redis service: max($20, usage), not $20 + the Redis usage.
    let r = run_text(&stage("pro", "provider: railway_redis, plan: service"));
    let total = r.months[0].total.mean;
    assert!(
        close(total, 20.0),
        "Pro workspace with Redis inside the commitment: {total}"
    );
    // Upgrading only the API moves the workspace: the cache is billed on Pro, and the bill says so.
    let r = run_text(&stage("pro", "provider: railway, plan: hobby"));
    let bill = &r.months[0].example.components;
    assert_eq!(bill.len(), 1, "one workspace bill");
    assert_eq!(bill[0].plan, "pro");
    assert!(
        bill[0]
            .bill
            .warnings
            .iter()
            .any(|w| w.contains("cache names railway/hobby") && w.contains("railway/pro")),
        "{:?}",
        bill[0].bill.warnings
    );
}

/// Two triggers firing in the same period each report their own effect on the cost.
#[test]
fn each_firing_reports_its_own_cost_effect() {
    let text = "name: two\nstage: s\nseed: 1\nreplications: 1\nhorizon: 3d\nresolution: 1d\n\
        simulation: {mode: peak_window, window: 10m, warmup: 5m}\n\
        traffic: {users: {growth: constant, users: 100}, sessions_per_user_per_week: 2, requests_per_session: 20, think_time: 30s}\n\
        requests: {r: {share: 100%, cpu: 5ms, db_queries: 1}}\n\
        stages:\n  s:\n\
        \x20   api: {provider: railway, plan: hobby, vcpu: 1, ram: 2GB, workers: 4, ram_in_use: 2GB}\n\
        \x20   database: {provider: supabase, plan: pro, size: micro, connections: 10, query_time: 2ms}\n\
        triggers:\n\
        \x20 - {name: db, metric: users, above: 1, action: {upgrade: {component: database, size: small}}}\n\
        \x20 - {name: api, metric: users, above: 1, action: {upgrade: {component: api, plan: pro}}}\n";
    let r = run_text(text);
    let t = |name: &str| r.triggers.iter().find(|t| t.name == name).expect("trigger");
    let (db, api) = (t("db"), t("api"));
    assert_eq!((db.fired_in, api.fired_in), (1, 1));
    // Micro → Small on Supabase Pro: Micro's 730 h × $0.01344 = $9.81 is inside the $10 compute
    // credit; Small's 730 h × $0.0206 = $15.04 leaves $5.04 above it.
    let db_delta = db.cost_after.mean - db.cost_before.mean;
    let expected = (0.0206 * 730.0 - 10.0) - (0.01344f64 * 730.0 - 10.0).max(0.0);
    assert!(
        close(db_delta, expected),
        "db firing added {db_delta}, expected {expected}"
    );
    // The second firing starts where the first left off.
    assert!(close(api.cost_before.mean, db.cost_after.mean));
    // Hobby → Pro: the commitment rises from $5 to $20; usage (2 GB RAM, $20.x) is above both.
    assert!(api.cost_after.mean >= api.cost_before.mean - 1e-9);
}

/// No money figure in any output is NaN, infinite or a negative zero.
#[test]
fn every_money_figure_is_finite_and_never_negative_zero() {
    let dir = tempfile::tempdir().unwrap();
    for s in ["mvp", "beta"] {
        let out = dir.path().join(s);
        capsim()
            .args(["run", &format!("scenarios/{s}.yaml"), "--replications", "2", "--out"])
            .arg(&out)
            .assert()
            .success();
        for f in ["summary.md", "report.html", "costs.csv", "triggers.csv", "summary.json"] {
            let text = std::fs::read_to_string(out.join(f)).unwrap();
            for bad in ["-$0.00", "$-0", "$NaN", "$inf", "not a number"] {
                assert!(!text.contains(bad), "{s}/{f} contains {bad}");
            }
            if f.ends_with(".csv") || f.ends_with(".json") {
                let negative_zero = regex_lite_negative_zero(&text);
                assert!(negative_zero.is_none(), "{s}/{f}: negative zero in {negative_zero:?}");
            }
        }
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
        walk(&json, &mut |n| {
            assert!(!(n == 0.0 && n.is_sign_negative()), "{s}: -0 in summary.json")
        });
    }
}

fn walk(v: &serde_json::Value, f: &mut impl FnMut(f64)) {
    match v {
        serde_json::Value::Number(n) => f(n.as_f64().unwrap()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, f)),
        serde_json::Value::Object(o) => o.values().for_each(|x| walk(x, f)),
        _ => {}
    }
}

/// The first field that is a negative zero (`-0`, `-0.0`, `-0.000`), if any.
fn regex_lite_negative_zero(text: &str) -> Option<String> {
    text.split([',', '\n', ' ', ':', '"', '['])
        .map(|t| t.trim())
        .find(|t| t.starts_with("-0") && t[1..].chars().all(|c| c == '0' || c == '.'))
        .map(str::to_string)
}

/// `database.read_replicas` would bill nothing and serve no reads: it is refused, with the
/// service form to use instead, in a stage and in a trigger's action.
#[test]
fn read_replicas_are_refused_until_they_serve_reads() {
    let dir = tempfile::tempdir().unwrap();
    let base = "name: rr\nstage: s\nhorizon: 1d\nresolution: 1d\n\
        traffic: {arrival_rate: 1/s}\nrequests: {r: {share: 100%, cpu: 1ms, db_queries: 1}}\n\
        stages:\n  s:\n    api: {vcpu: 1, workers: 1}\n";
    for (name, text) in [
        ("stage.yaml", format!("{base}    database: {{connections: 5, query_time: 2ms, read_replicas: 2}}\n")),
        (
            "action.yaml",
            format!(
                "{base}    database: {{connections: 5, query_time: 2ms}}\n\
                 triggers:\n  - {{name: t, metric: users, above: 1, action: {{upgrade: {{component: database, read_replicas: 1}}}}}}\n"
            ),
        ),
    ] {
        let p = write(dir.path(), name, &text);
        let out = capsim().arg("validate").arg(&p).assert().code(2).get_output().stderr.clone();
        let err = String::from_utf8_lossy(&out);
        assert!(err.contains("read_replicas") && err.contains("per_database_gb"), "{name}: {err}");
    }
}

/// A Supabase organisation is one account: two projects on Pro pay the $25 fee and get the $10
/// compute credit once, and each project's compute size is its own line.
#[test]
fn a_supabase_organisation_pays_its_fee_and_credit_once() {
    let text = "name: org\nstage: s\nseed: 1\nreplications: 1\nhorizon: 30d\nresolution: 1d\nhours_per_month: 720\n\
        simulation: {mode: peak_window, window: 10m, warmup: 5m}\n\
        traffic: {users: {growth: constant, users: 10}, sessions_per_user_per_week: 2, requests_per_session: 20, think_time: 30s}\n\
        requests: {r: {share: 100%, cpu: 5ms, db_queries: 1}}\n\
        stages:\n  s:\n\
        \x20   api: {vcpu: 1, workers: 4}\n\
        \x20   database: {provider: supabase, plan: pro, size: micro, connections: 10, query_time: 2ms}\n\
        \x20   services:\n\
        \x20     analytics_db: {provider: supabase, plan: pro, size: small}\n";
    let r = run_text(text);
    // The API names no provider: its row says it is unpriced; the organisation is one bill.
    let bills: Vec<_> = r.months[0]
        .example
        .components
        .iter()
        .filter(|b| b.provider != "unpriced")
        .collect();
    assert_eq!(bills.len(), 1, "one organisation bill: {bills:?}");
    let lines = &bills[0].bill.lines;
    assert_eq!(lines.iter().filter(|l| l.item == "base fee").count(), 1);
    assert_eq!(lines.iter().filter(|l| l.item == "credit").count(), 1);
    let sizes: Vec<&str> = lines
        .iter()
        .filter(|l| l.item.starts_with("compute"))
        .map(|l| l.item.as_str())
        .collect();
    assert_eq!(sizes, ["compute (Micro)", "compute (Small)"]);
    // $25 + 720 h × ($0.01344 + $0.0206) − $10, months of 720 h.
    let expected = 25.0 + 720.0 * (0.01344 + 0.0206) - 10.0;
    assert!(
        close(r.months[0].total.mean, expected),
        "{} vs {expected}",
        r.months[0].total.mean
    );
}

/// Each queue worker is a billed instance: three workers on Render Starter ($7 a month each,
/// flat $0 workspace fee) are $21 a month, and the bill line says × 3 instances. (A fixed
/// queue used to be billed as one instance whatever its workers.)
#[test]
fn queue_workers_multiply_their_compute_size() {
    let text = |workers: u32| {
        format!(
            "name: q\nstage: s\nseed: 1\nreplications: 1\nhorizon: 30d\nresolution: 1d\nhours_per_month: 720\n\
             simulation: {{mode: peak_window, window: 10m, warmup: 5m}}\n\
             traffic: {{arrival_rate: 0.1/s}}\n\
             requests: {{r: {{share: 100%, cpu: 5ms, jobs: 1}}}}\n\
             stages:\n  s:\n\
             \x20   api: {{provider: hetzner_cloud, plan: cloud, vcpu: 1, workers: 4}}\n\
             \x20   queue: {{provider: render, plan: hobby, size: starter, workers: {workers}, concurrency: 2, job_time: 1s}}\n"
        )
    };
    for (workers, want) in [(1, 7.0), (3, 21.0)] {
        let r = run_text(&text(workers));
        assert!(
            close(component(&r, 0, "queue"), want),
            "{workers} workers: {}",
            component(&r, 0, "queue")
        );
        let compute = lines(&r, 0, "queue")
            .into_iter()
            .find(|l| l.item.starts_with("compute"))
            .expect("a compute line");
        assert!(close(compute.usage, workers as f64), "{compute:?}");
    }
}

/// Railway's trial: a one-time $5 credit spent over the first months (what a month leaves of
/// it carries to the next), never renewed; the same in the chosen bill and as an alternative.
#[test]
fn a_one_time_credit_is_spent_once_over_the_first_months() {
    // Usage: RAM in use 0.25 GB all month, $0.000231/GB-min × 43,800 min ≈ $2.53 a month, and
    // a little CPU: every month uses a bit over $2.5 of the $5.
    let text = "name: trial\nstage: s\nseed: 1\nreplications: 1\nhorizon: 120d\nresolution: 10d\n\
         simulation: {mode: peak_window, window: 10m, warmup: 5m}\n\
         traffic: {arrival_rate: 0.2/s}\nrequests: {r: {share: 100%, cpu: 5ms}}\n\
         stages:\n  s:\n\
         \x20   api: {provider: railway, plan: trial, vcpu: 0.5, ram: 500MB, workers: 2, ram_in_use: 250MB,\n\
         \x20         alternatives: {again: {provider: railway, plan: trial}}}\n";
    let r = run_text(text);
    let mut left = 5.0;
    let mut used_in_all = 0.0;
    for (m, month) in r.months.iter().enumerate() {
        let l = lines(&r, m, "api");
        let usage: f64 = l.iter().filter(|l| l.item != "credit").map(|l| l.amount).sum();
        let credit: f64 = l.iter().filter(|l| l.item == "credit").map(|l| l.amount).sum();
        // By hand: this month takes what is left of the $5, up to its usage.
        let applied = f64::min(left, usage);
        assert!(
            close(-credit, applied),
            "month {}: credit {credit}, expected −{applied}",
            m + 1
        );
        assert!(close(month.total.mean, usage - applied), "month {}", m + 1);
        left -= applied;
        used_in_all += applied;
        // The alternative is the same plan, so the same bill month by month.
        let alt = month
            .example
            .alternatives
            .iter()
            .find(|a| a.alternative == "again")
            .expect("the alternative");
        assert!(
            close(alt.cost, month.total.mean),
            "month {}: {} vs {}",
            m + 1,
            alt.cost,
            month.total.mean
        );
    }
    assert!(r.months.len() >= 4);
    assert!(close(used_in_all, 5.0), "the credit is spent once: {used_in_all}");
    assert!(r.months[0].total.mean < 0.01, "month 1 is covered");
    assert!(r.months[1].total.mean > 0.0 && r.months[1].total.mean < r.months[2].total.mean);
}
