//! Tests of `pricing::catalog`.
use super::*;
use crate::pricing::{bill, BillOptions, Usage};

/// A provider file around `plans` (already indented under `plans:`).
pub(crate) fn provider_yaml(plans: &str) -> String {
    format!(
        "provider: acme\nname: Acme\nsource: [https://example.com/pricing]\nas_of: \"2026-01\"\nconfidence: official\nplans:\n{plans}"
    )
}

pub(crate) fn parse(text: &str) -> Result<Provider, Vec<InputError>> {
    provider_from_file(YamlFile::parse(Path::new("acme.yaml"), text).map_err(|e| vec![e])?)
}

/// One plan `p` whose body is `body` (a YAML mapping written at column 0).
pub(crate) fn plan(body: &str) -> Plan {
    let indented: String = body.lines().map(|l| format!("    {l}\n")).collect();
    let provider = parse(&provider_yaml(&format!("  p:\n{indented}")))
        .unwrap_or_else(|e| panic!("test plan does not load: {}", InputErrors(e)));
    provider.plans["p"].clone()
}

fn pricing_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing")
}

fn real_catalog() -> Catalog {
    Catalog::load_dir(&pricing_dir(), ChosenBy::Flag).unwrap_or_else(|e| panic!("pricing/ does not load:\n{e}"))
}

/// A catalog file added to pricing/ but not to `BUILTIN_CATALOGS` would be missing from
/// every installed binary; a listed file that was removed would not compile.
#[test]
fn every_pricing_file_is_built_in() {
    let on_disk: Vec<String> = yaml_files(&pricing_dir())
        .unwrap()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
        .collect();
    let built_in: Vec<String> = BUILTIN_CATALOGS.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(
        built_in, on_disk,
        "BUILTIN_CATALOGS must list every pricing/*.yaml, sorted"
    );
    for (name, text) in BUILTIN_CATALOGS {
        assert_eq!(
            *text,
            std::fs::read_to_string(pricing_dir().join(name)).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn built_in_catalog_is_the_pricing_directory() {
    let built_in = Catalog::builtin().unwrap_or_else(|e| panic!("built-in catalogs do not load:\n{e}"));
    assert_eq!(built_in.source, CatalogSource::builtin());
    assert_eq!(
        built_in.source.to_string(),
        format!("built-in catalogs (capsim {})", env!("CARGO_PKG_VERSION"))
    );
    let dir = real_catalog();
    assert_eq!(
        serde_json::to_value(&built_in.providers).unwrap(),
        serde_json::to_value(&dir.providers).unwrap()
    );
}

#[test]
fn built_in_errors_name_the_file() {
    let e = YamlFile::parse(Path::new("pricing/acme.yaml (built-in)"), "provider: [").unwrap_err();
    let files = vec![
        Err(e),
        YamlFile::parse(Path::new("pricing/b.yaml (built-in)"), "provider: b\n"),
    ];
    let errs = Catalog::from_files(files, CatalogSource::builtin()).unwrap_err();
    let text = errs.to_string();
    assert!(text.contains("pricing/acme.yaml (built-in):"), "{text}");
    assert!(text.contains("pricing/b.yaml (built-in)"), "{text}");
}

#[test]
fn named_directory_that_is_missing_or_empty_says_who_named_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let e = &Catalog::load_dir(&missing, ChosenBy::Env).unwrap_err().0[0];
    assert_eq!(e.file, missing);
    assert_eq!(e.reason, "the pricing directory named by CAPSIM_PRICING does not exist");
    let e = &Catalog::load_dir(dir.path(), ChosenBy::Flag).unwrap_err().0[0];
    assert!(
        e.reason
            .starts_with("no pricing catalogs in the pricing directory named by --pricing"),
        "{e}"
    );
}

#[test]
fn nearest_pricing_dir_needs_yaml_files_and_searches_upward() {
    let root = tempfile::tempdir().unwrap();
    let deep = root.path().join("a").join("b");
    std::fs::create_dir_all(&deep).unwrap();
    // An empty `pricing/` on the way up (a web app's pricing page, say) is skipped.
    std::fs::create_dir_all(root.path().join("a").join("pricing")).unwrap();
    let found = root.path().join("pricing");
    std::fs::create_dir_all(&found).unwrap();
    std::fs::write(found.join("acme.yaml"), provider_yaml("  pro: {name: Pro, fee: $5}\n")).unwrap();
    let got = nearest_pricing_dir(&deep).expect("found");
    assert_eq!(
        std::fs::canonicalize(got).unwrap(),
        std::fs::canonicalize(&found).unwrap()
    );
    assert!(nearest_pricing_dir(&root.path().join("missing")).is_none());
}

#[test]
fn real_catalog_loads_and_every_plan_has_provenance() {
    let cat = real_catalog();
    for needed in [
        "vercel",
        "railway",
        "railway_redis",
        "supabase",
        "qdrant_cloud",
        "upstash_redis",
        "posthog",
        "sentry",
        "openai_api",
        "cloudflare",
        "cloudflare_r2",
        "aws_cloudfront",
        "aws_s3",
        "aws_ecs_fargate",
        "aws_rds_postgresql",
        "aws_elasticache",
        "aws_ec2",
    ] {
        assert!(cat.providers.contains_key(needed), "missing provider {needed}");
    }
    for (pid, p) in &cat.providers {
        assert_eq!(pid, &p.id);
        for (plan_id, plan) in &p.plans {
            let all = std::iter::once(&plan.provenance)
                .chain(plan.meters.values().filter_map(|m| m.provenance.as_ref()))
                .chain(plan.sizes.values().filter_map(|s| s.provenance.as_ref()));
            for prov in all {
                assert!(!prov.source.is_empty(), "{pid}.{plan_id} has no source");
                assert!(prov.source.iter().all(|s| !s.trim().is_empty()), "{pid}.{plan_id}");
                assert!(!prov.as_of.trim().is_empty(), "{pid}.{plan_id} has no as_of");
            }
        }
    }
}

#[test]
fn real_supabase_pro_micro_has_published_connections() {
    let cat = real_catalog();
    let pro = cat.plan("supabase", "pro").unwrap();
    assert_eq!(pro.default_size.as_deref(), Some("micro"));
    let micro = pro.size("micro").unwrap();
    assert_eq!(micro.capacity.direct_connections, Some(60));
    assert_eq!(micro.capacity.pooled_connections, Some(200));
    assert_eq!(micro.hourly, Some(0.01344));
    let free = cat.plan("supabase", "free").unwrap();
    assert!(free.hard_caps);
    assert_eq!(free.capacity.db_size_limit_bytes, Some(500e6));
    assert!(free.capacity.read_only_over_limit);
    // The compute credit covers Micro, so an idle Pro project costs the fee alone.
    let b = bill(pro, &Usage::new(), &BillOptions::default());
    assert!((b.total - 25.0).abs() < 1e-9, "{b:#?}");
}

#[test]
fn real_railway_pro_two_vcpu_two_gb_bills_usage_above_the_commitment() {
    let cat = real_catalog();
    let pro = cat.plan("railway", "pro").unwrap();
    let usage = Usage::from([
        ("vcpu_hours".to_string(), 2.0 * 730.0),
        ("ram_gb_hours".to_string(), 2.0 * 730.0),
    ]);
    let b = bill(pro, &usage, &BillOptions::default());
    // Railway bills per minute: 2 × 730 h = 1,460 vCPU-hours = 87,600 vCPU-minutes.
    // CPU: 87,600 × $0.000463 = $40.5588; RAM: 87,600 GB-minutes × $0.000231 = $20.2356;
    // usage $60.7944; max($20 commitment, $60.7944) = $60.7944 (not the rounded $60).
    let cpu = b.lines.iter().find(|l| l.item == "cpu").unwrap();
    assert!((cpu.amount - 40.5588).abs() < 1e-9, "{cpu:#?}");
    assert!(
        cpu.arithmetic
            .contains("1460 vCPU-hours × 60 min/h = 87.6K minutes × $0.000463/minute = $40.56"),
        "{}",
        cpu.arithmetic
    );
    assert!((b.total - 60.7944).abs() < 1e-9, "{b:#?}");
    let commit = b.lines.iter().find(|l| l.item == "usage below commitment").unwrap();
    assert_eq!(commit.amount, 0.0);
    assert!(commit.arithmetic.contains("usage applies"), "{}", commit.arithmetic);
    // A month of one vCPU, one GB of RAM and one GB of volume (43,800 minutes each):
    // $20.2794, $10.1178 and 43,800 × $0.000003472222222 = $0.15208333 (≈ $0.152).
    let one = Usage::from([
        ("vcpu_hours".to_string(), 730.0),
        ("ram_gb_hours".to_string(), 730.0),
        ("storage_gb_months".to_string(), 1.0),
    ]);
    let b = bill(pro, &one, &BillOptions::default());
    let amount = |item: &str| b.lines.iter().find(|l| l.item == item).unwrap().amount;
    assert!((amount("cpu") - 20.2794).abs() < 1e-9);
    assert!((amount("ram") - 10.1178).abs() < 1e-9);
    assert!((amount("volume") - 0.152083333324).abs() < 1e-9, "{}", amount("volume"));
}

#[test]
fn real_rds_unpriced_class_warns_and_multi_az_doubles() {
    let cat = real_catalog();
    let rds = cat.plan("aws_rds_postgresql", "on_demand").unwrap();
    let opts = BillOptions {
        size: Some("db.t4g.micro".into()),
        multiplier: 2.0,
        ..Default::default()
    };
    let usage = Usage::from([("storage_gb_peak".to_string(), 20.0)]);
    let b = bill(rds, &usage, &opts);
    // (0.016 × 730 + 20 × 0.115) × 2
    assert!((b.total - (0.016 * 730.0 + 20.0 * 0.115) * 2.0).abs() < 1e-9, "{b:#?}");
    let opts = BillOptions {
        size: Some("db.m6g.large".into()),
        ..Default::default()
    };
    let b = bill(rds, &Usage::new(), &opts);
    assert!(b.warnings.iter().any(|w| w.contains("no published price")), "{b:#?}");
}

#[test]
fn unknown_field_is_located() {
    let text = provider_yaml(
        "  pro:\n    name: Pro\n    fee: $25\n    meters:\n      egress: {metric: egress_gb, unit: GB, rat: $0.09}\n",
    );
    let errs = parse(&text).unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:?}");
    let e = &errs[0];
    assert_eq!(e.file, Path::new("acme.yaml"));
    assert_eq!(e.field, "plans.pro.meters.egress.rat");
    assert_eq!(e.line, Some(11));
    assert!(e.reason.contains("unknown field `rat`"), "{e}");
    assert!(e.allowed.contains(&"rate".to_string()), "{e}");
}

#[test]
fn unknown_field_in_a_file_of_a_directory_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("acme.yaml"),
        provider_yaml("  pro: {name: Pro, fee: $5, colour: red}\n"),
    )
    .unwrap();
    std::fs::write(dir.path().join("README.md"), "not a catalog").unwrap();
    let errs = Catalog::load_dir(dir.path(), ChosenBy::Flag).unwrap_err().0;
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].file, dir.path().join("acme.yaml"));
    assert_eq!(errs[0].field, "plans.pro.colour");
    assert_eq!(errs[0].line, Some(7));
}

#[test]
fn bad_money_is_located() {
    let errs = parse(&provider_yaml("  pro:\n    name: Pro\n    fee: twenty\n")).unwrap_err();
    assert_eq!(errs[0].field, "plans.pro.fee");
    assert_eq!(errs[0].line, Some(9));
    assert!(errs[0].reason.contains("`$25`"), "{}", errs[0]);
}

#[test]
fn semantic_errors_are_all_reported_with_positions() {
    let text = provider_yaml(concat!(
        "  pro:\n",
        "    name: Pro\n",
        "    fee: $25\n",
        "    default_size: huge\n",
        "    credit: {amount: $10, applies_to: [sizes, bandwidth]}\n",
        "    sizes:\n",
        "      small: {name: Small, hourly: $0.02}\n",
        "    meters:\n",
        "      cpu: {metric: cpu_seconds, unit: s, rate: $1}\n",
        "      disk: {metric: storage_gb_peak, unit: GB, rate: $1, multiplier: -2}\n",
        "      events:\n",
        "        metric: events\n",
        "        unit: events\n",
        "        tiers:\n",
        "          - {up_to: 2M, rate: $0}\n",
        "          - {up_to: 1M, rate: $0.1}\n",
        "          - {rate: $0.01}\n",
    ));
    let errs = parse(&text).unwrap_err();
    let by_field = |f: &str| {
        errs.iter()
            .find(|e| e.field == f)
            .unwrap_or_else(|| panic!("no error at {f}: {errs:#?}"))
    };
    let e = by_field("plans.pro.default_size");
    assert_eq!((e.line, e.allowed.clone()), (Some(10), vec!["small".to_string()]));
    let e = by_field("plans.pro.credit.applies_to[1]");
    assert_eq!(e.allowed, vec!["sizes", "cpu", "disk", "events"]);
    let e = by_field("plans.pro.meters.cpu.metric");
    assert!(e.allowed.contains(&"vcpu_hours".to_string()) && e.allowed.len() == USAGE_METRICS.len());
    assert_eq!(e.line, Some(15));
    assert_eq!(by_field("plans.pro.meters.disk.multiplier").line, Some(16));
    let e = by_field("plans.pro.meters.events.tiers[1].up_to");
    assert_eq!(e.line, Some(22));
    assert_eq!(errs.len(), 5, "{errs:#?}");
}

#[test]
fn hard_caps_plans_reject_rates_and_tiers_reject_included() {
    let text = provider_yaml(concat!(
        "  free:\n",
        "    name: Free\n",
        "    fee: $0\n",
        "    hard_caps: true\n",
        "    meters:\n",
        "      egress: {metric: egress_gb, unit: GB, included: 5, rate: $0.09}\n",
        "  paid:\n",
        "    name: Paid\n",
        "    fee: $0\n",
        "    meters:\n",
        "      events: {metric: events, unit: events, included: 1M, tiers: [{rate: $0.00005}]}\n",
    ));
    let errs = parse(&text).unwrap_err();
    let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        ["plans.free.meters.egress.rate", "plans.paid.meters.events.included"]
    );
}

#[test]
fn duplicate_provider_and_empty_directory_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    assert!(Catalog::load_dir(dir.path(), ChosenBy::Flag).unwrap_err().0[0]
        .reason
        .contains("no pricing catalogs"));
    let text = provider_yaml("  pro: {name: Pro, fee: $5}\n");
    std::fs::write(dir.path().join("a.yaml"), &text).unwrap();
    std::fs::write(dir.path().join("b.yaml"), &text).unwrap();
    let errs = Catalog::load_dir(dir.path(), ChosenBy::Flag).unwrap_err().0;
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].file, dir.path().join("b.yaml"));
    assert_eq!((errs[0].field.as_str(), errs[0].line), ("provider", Some(1)));
}

#[test]
fn unknown_plan_provider_and_size_list_what_is_known() {
    let cat = real_catalog();
    let (reason, allowed) = cat.plan("supabase", "platinum").unwrap_err();
    assert!(reason.contains("supabase") && reason.contains("platinum"), "{reason}");
    assert_eq!(
        allowed,
        cat.providers["supabase"].plans.keys().cloned().collect::<Vec<_>>()
    );
    assert!(allowed.contains(&"pro".to_string()));
    let (reason, allowed) = cat.plan("heroku", "basic").unwrap_err();
    assert!(reason.contains("unknown provider `heroku`"), "{reason}");
    assert!(allowed.contains(&"railway".to_string()));
    let (reason, allowed) = cat.plan("supabase", "pro").unwrap().size("mega").unwrap_err();
    assert!(reason.contains("mega"), "{reason}");
    assert!(allowed.contains(&"16xl".to_string()));
}

#[test]
fn meter_and_size_provenance_fill_in_from_the_plan() {
    let p = plan(concat!(
        "name: P\n",
        "fee: $1\n",
        "as_of: \"2026-05\"\n",
        "sizes:\n",
        "  s: {name: S, hourly: null, confidence: unconfirmed}\n",
        "meters:\n",
        "  cpu: {metric: vcpu_hours, unit: vCPU-hours, rate: $0.128, confidence: third_party, source: [https://blog.example]}\n",
        "  egress: {metric: egress_gb, unit: GB, rate: $0.1}\n",
    ));
    assert_eq!(p.provenance.as_of, "2026-05");
    assert_eq!(p.provenance.source, vec!["https://example.com/pricing"]);
    let cpu = p.meters["cpu"].provenance.as_ref().unwrap();
    assert_eq!(
        (cpu.confidence, cpu.as_of.as_str()),
        (Confidence::ThirdParty, "2026-05")
    );
    assert_eq!(cpu.source, vec!["https://blog.example"]);
    assert!(p.meters["egress"].provenance.is_none());
    let s = &p.sizes["s"];
    assert_eq!(
        (s.hourly, s.provenance.as_ref().unwrap().confidence),
        (None, Confidence::Unconfirmed)
    );
}

#[test]
fn a_one_time_credit_is_per_account_and_spent_once() {
    let errs = parse(&provider_yaml(
        "  trial:\n    name: Trial\n    fee: $0\n    credit: {amount: $5, once: true, per_seat: true}\n",
    ))
    .unwrap_err();
    assert_eq!(errs[0].field, "plans.trial.credit.once");
    assert!(errs[0].reason.contains("not per seat"), "{}", errs[0]);
    let p = plan(
        "name: T\nfee: $0\ncredit: {amount: $5, once: true}\nmeters: {egress: {metric: egress_gb, unit: GB, rate: $1}}",
    );
    let mut u = Usage::new();
    u.insert("egress_gb".into(), 3.0);
    let opts = BillOptions::default();
    // $3 of usage: the first month takes $3 of the credit, the next the $2 left, then nothing.
    assert_eq!(bill(&p, &u, &opts).total, 0.0);
    let second = crate::pricing::bill_after(&p, &u, &opts, 3.0);
    assert!((second.total - 1.0).abs() < 1e-12, "{}", second.total);
    assert!(second
        .lines
        .iter()
        .any(|l| l.arithmetic.contains("$2.00 left of the $5.00 one-time")));
    assert_eq!(crate::pricing::bill_after(&p, &u, &opts, 5.0).total, 3.0);
    assert_eq!(crate::pricing::once_credit_used(&p, &second.lines), 2.0);
}
