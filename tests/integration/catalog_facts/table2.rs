//! Rows for the catalogs of the other seed systems' providers (mostly pricing-facts-2): log
//! stores, VPS and PaaS hosts, MySQL, Kubernetes control planes, LLM APIs.
use super::{Conf, Row, Rule, GB, GIB};

pub(super) fn rows() -> Vec<Row> {
    let mut rows = Vec::new();
    let mut add = |catalog: &str, fact: &str, rule: Rule, conf: Conf| {
        rows.push(Row {
            catalog: catalog.to_string(),
            fact: fact.to_string(),
            rule,
            conf,
        })
    };
    observability(&mut add);
    hosts(&mut add);
    databases_and_clusters(&mut add);
    llm_apis(&mut add);
    rows
}

type Add<'a> = dyn FnMut(&str, &str, Rule, Conf) + 'a;

/// OpenObserve Cloud and Datadog.
fn observability(add: &mut Add) {
    use Conf::*;
    use Rule::*;
    let oo = "pf2:openobserve_cloud/plans[plan=Cloud Professional (pay as you go)]/rates";
    for (meter, fact) in [
        ("ingest", "ingest"),
        ("query", "query"),
        ("extra_retention", "extra_retention_non_metrics"),
    ] {
        add(
            &format!("openobserve_cloud/professional/meters/{meter}/rate"),
            &format!("{oo}[metric={fact}]/rate"),
            Rate(1.0),
            Fact,
        );
    }
    let dd = "pf:datadog/plans";
    for (plan, product) in [
        ("infrastructure_pro", "Infrastructure Pro"),
        ("infrastructure_enterprise", "Infrastructure Enterprise"),
    ] {
        add(
            &format!("datadog/{plan}/fee"),
            &format!("{dd}[product={product}]/price_on_demand"),
            Eq,
            Fact,
        );
        add(
            &format!("datadog/{plan}/annual_fee"),
            &format!("{dd}[product={product}]/price_annual"),
            Eq,
            Fact,
        );
    }
    for (plan, product) in [
        ("apm", "APM"),
        ("apm_pro", "APM Pro"),
        ("apm_enterprise", "APM Enterprise"),
    ] {
        add(
            &format!("datadog/{plan}/fee"),
            &format!("{dd}[product={product}]/price"),
            Eq,
            Fact,
        );
    }
    add(
        "datadog/logs/meters/ingest/rate",
        &format!("{dd}[product=Log ingestion]/price"),
        Rate(1.0),
        Fact,
    );
    add(
        "datadog/logs/meters/indexing/rate",
        &format!("{dd}[product=Log indexing (15-day)]/price"),
        Rate(1e6),
        Fact,
    );
}

/// Hetzner, Fly.io, Render and DigitalOcean: servers, machines and instances.
fn hosts(add: &mut Add) {
    use Conf::*;
    use Rule::*;
    let hz = "pf2:hetzner_cloud/smallest_shared_vcpu_plans";
    for (size, t, usd) in [
        ("cx22", "CX22", "monthly_usd"),
        ("cax11", "CAX11", "monthly_usd"),
        ("cpx11", "CPX11", "monthly_usd/eu"),
        ("cx32", "CX32", "monthly_usd"),
        ("cax21", "CAX21", "monthly_usd"),
        ("cpx21", "CPX21", "monthly_usd_eu"),
        ("ccx13", "CCX13 (dedicated vCPU)", "monthly_usd_eu"),
    ] {
        let at = format!("hetzner_cloud/cloud/sizes/{size}");
        let fact = format!("{hz}[type={t}]");
        add(&format!("{at}/monthly"), &format!("{fact}/{usd}"), Eq, Fact);
        add(&format!("{at}/capacity/vcpu"), &format!("{fact}/vcpu"), Eq, Fact);
        add(
            &format!("{at}/capacity/ram_bytes"),
            &format!("{fact}/ram_gb"),
            Scale(GB),
            Fact,
        );
        add(
            &format!("{at}/capacity/storage_bytes"),
            &format!("{fact}/nvme_gb"),
            Scale(GB),
            Fact,
        );
    }
    add(
        "hetzner_cloud/cloud/meters/traffic/included",
        &format!("{hz}[type=CX22]/traffic_tb"),
        Scale(1000.0),
        Fact,
    );
    add(
        "hetzner_cloud/cloud/meters/traffic/rate",
        "pf2:hetzner_cloud/extras/traffic_overage/eu_us/usd",
        Rate(1000.0),
        Fact,
    );
    fly(add);
    render(add);
    let drops = "pf2:digitalocean_droplets/basic_smallest";
    let verbatim = Is(
        "aggregator_verbatim",
        "the $4 entry point was re-read verbatim on 2026-09-20",
    );
    for (i, size) in [
        "s-1vcpu-512mb",
        "s-1vcpu-1gb",
        "s-1vcpu-2gb",
        "s-2vcpu-2gb",
        "s-2vcpu-4gb",
    ]
    .into_iter()
    .enumerate()
    {
        let at = format!("digitalocean/droplets/sizes/{size}");
        let fact = format!("{drops}[{i}]");
        let conf = if i == 0 { verbatim } else { Fact };
        add(&format!("{at}/monthly"), &format!("{fact}/price"), Eq, conf);
        add(&format!("{at}/capacity/vcpu"), &format!("{fact}/vcpu"), Eq, conf);
        add(
            &format!("{at}/capacity/ram_bytes"),
            &format!("{fact}/ram_gb"),
            Scale(GB),
            conf,
        );
        add(
            &format!("{at}/capacity/storage_bytes"),
            &format!("{fact}/ssd_gb"),
            Scale(GB),
            conf,
        );
    }
    add(
        "digitalocean/kubernetes_ha_control_plane/fee",
        "pf2:digitalocean_kubernetes/ha_control_plane/price",
        Eq,
        Fact,
    );
    let app = "pf2:digitalocean_app_platform/instance_sizes[slug=apps-s-1vcpu-0.5gb]";
    let at = "digitalocean/app_platform/sizes/apps-s-1vcpu-0.5gb";
    add(&format!("{at}/monthly"), &format!("{app}/usd_per_month"), Eq, Fact);
    add(&format!("{at}/capacity/vcpu"), &format!("{app}/vcpu"), Eq, Fact);
    add(
        &format!("{at}/capacity/ram_bytes"),
        &format!("{app}/ram_gib"),
        Scale(GIB),
        Fact,
    );
}

fn fly(add: &mut Add) {
    use Conf::*;
    use Rule::*;
    let ex = "pf:fly_io/compute/examples";
    for (size, sel, ram) in [
        ("shared-cpu-1x-256mb-iad", "region=iad", Text("256MB", 1.0)),
        ("shared-cpu-1x-256mb-lax", "region=lax", Text("256MB", 1.0)),
        ("shared-cpu-1x-256mb-sjc", "region=sjc", Text("256MB", 1.0)),
        ("shared-cpu-1x-1gb-sjc", "preset=shared-cpu-1x 1GB", Text("1GB", GB)),
    ] {
        let at = format!("fly_io/pay_as_you_go/sizes/{size}");
        add(&format!("{at}/monthly"), &format!("{ex}[{sel}]/price_30d"), Eq, Fact);
        add(
            &format!("{at}/capacity/ram_bytes"),
            &format!("{ex}[{sel}]/preset"),
            ram,
            Fact,
        );
    }
    add(
        "fly_io/pay_as_you_go/meters/volumes/rate",
        "pf:fly_io/volumes/rate",
        Rate(1.0),
        Fact,
    );
    add(
        "fly_io/pay_as_you_go/meters/egress/rate",
        "pf:fly_io/network/egress/na_eu",
        Rate(1.0),
        Is(
            "third_party",
            "the provider entry says: official except egress, third_party",
        ),
    );
    let hobby = "pf:fly_io/plans[plan=Hobby (deprecated)]";
    add("fly_io/hobby/fee", &format!("{hobby}/price"), Eq, Fact);
    add(
        "fly_io/hobby/credit/amount",
        &format!("{hobby}/included/usage_credit_usd"),
        Eq,
        Fact,
    );
    for (plan, name) in [
        ("starter", "Starter"),
        ("launch", "Launch"),
        ("scale", "Scale"),
        ("performance", "Performance"),
    ] {
        let at = format!("fly_io/managed_postgres_{plan}");
        let fact = format!("pf:fly_io/managed_postgres[plan={name}]");
        add(&format!("{at}/fee"), &format!("{fact}/price"), Eq, Fact);
        add(
            &format!("{at}/capacity/ram_bytes"),
            &format!("{fact}/ram_gb"),
            Scale(GB),
            Fact,
        );
        add(
            &format!("{at}/meters/storage/rate"),
            "pf:fly_io/managed_postgres[4]/storage",
            Rate(1.0),
            Fact,
        );
    }
}

fn render(add: &mut Add) {
    use Conf::*;
    use Rule::*;
    let generated = Is(
        "aggregator_generated",
        "instance_types_confidence: aggregator_generated",
    );
    for (size, t) in [
        ("free", "Free"),
        ("starter", "Starter"),
        ("standard", "Standard"),
        ("pro", "Pro"),
        ("pro_plus", "Pro Plus"),
        ("pro_max", "Pro Max"),
        ("pro_ultra", "Pro Ultra"),
    ] {
        let at = format!("render/*/sizes/{size}");
        let fact = format!("pf:render/instance_types[type={t}]");
        add(&format!("{at}/monthly"), &format!("{fact}/price"), Eq, generated);
        add(&format!("{at}/capacity/vcpu"), &format!("{fact}/cpu"), Eq, generated);
        add(
            &format!("{at}/capacity/ram_bytes"),
            &format!("{fact}/ram_gb"),
            Scale(GB),
            generated,
        );
    }
    add(
        "render/professional/fee",
        "pf:render/workspace_plans[plan=Professional]/price",
        Eq,
        Fact,
    );
    let bw = "pf:render/outbound_bandwidth[period=from 2025-08-01]";
    add(
        "render/*/meters/bandwidth/rate",
        &format!("{bw}/rate"),
        Rate(100.0),
        Fact,
    );
    add(
        "render/*/meters/bandwidth/block",
        &format!("{bw}/unit"),
        Text("100 GB", 1.0),
        Fact,
    );
}

/// RDS for MySQL and the EKS control plane.
fn databases_and_clusters(add: &mut Add) {
    use Conf::*;
    use Rule::*;
    let cap = Skip("capacity facts rate sources high/medium/low");
    for class in ["db.t4g.micro", "db.t4g.small", "db.t4g.medium"] {
        let at = format!("aws_rds_mysql/on_demand/sizes/{class}");
        let fact = format!("pf2:aws_rds_mysql/instances_single_az_hourly[class={class}]");
        add(&format!("{at}/hourly"), &format!("{fact}/hourly"), Eq, Fact);
        add(&format!("{at}/capacity/vcpu"), &format!("{fact}/vcpu"), Eq, Fact);
        add(
            &format!("{at}/capacity/ram_bytes"),
            &format!("{fact}/ram_gib"),
            Scale(GIB),
            Fact,
        );
        add(
            &format!("{at}/capacity/direct_connections"),
            &format!("cap:aws_rds_mysql/max_connections_default/formula_upper_bound/{class}"),
            Eq,
            cap,
        );
    }
    add(
        "aws_rds_mysql/on_demand/meters/storage/rate",
        "pf2:aws_rds_mysql/storage_gp3/rate",
        Rate(1.0),
        Fact,
    );
    for (size, fact) in [
        ("standard_support", "standard_support"),
        ("extended_support", "extended_support"),
    ] {
        add(
            &format!("aws_eks/cluster/sizes/{size}/hourly"),
            &format!("pf2:aws_eks/control_plane/{fact}/rate"),
            Eq,
            Fact,
        );
    }
}

/// Anthropic and Gemini token prices (per 1M tokens).
fn llm_apis(add: &mut Add) {
    use Conf::*;
    use Rule::*;
    for model in [
        "claude-opus-5",
        "claude-opus-5-5",
        "claude-sonnet-5-5",
        "claude-sonnet-5",
        "claude-sonnet-4-6",
        "claude-haiku-5-5",
        "claude-haiku-4-5",
        "claude-fable-5-1",
    ] {
        let mut meters = vec![("input", "input"), ("cached_input", "cache_read"), ("output", "output")];
        if model != "claude-opus-5-5" {
            // Opus 5.5's cache-write price is absent from the facts, and from the catalog.
            meters.push(("cache_write", "cache_write_5m"));
        }
        for (meter, fact) in meters {
            add(
                &format!("anthropic_api/{model}/meters/{meter}/rate"),
                &format!("pf2:anthropic_api/models[model={model}]/{fact}"),
                Rate(1e6),
                Fact,
            );
        }
    }
    let verbatim = Is("aggregator_verbatim", "the model's own confidence in the facts");
    for (model, cached) in [
        ("gemini-2.5-flash", true),
        ("gemini-2.5-flash-lite", false),
        ("gemini-2.5-pro", false),
        ("gemini-3-flash-preview", true),
        ("gemini-3-pro-preview", false),
        ("gemini-3.8-flash", false),
    ] {
        let conf = if model == "gemini-3.8-flash" { verbatim } else { Fact };
        let mut meters = vec![("input", "input"), ("output", "output")];
        if cached {
            meters.push(("cached_input", "cached_input"));
        }
        for (meter, fact) in meters {
            add(
                &format!("google_gemini_api/{model}/meters/{meter}/rate"),
                &format!("pf2:google_gemini_api/models[model={model}]/{fact}"),
                Rate(1e6),
                conf,
            );
        }
    }
}
