//! The table of catalog figures and the facts they come from (see the module docs).
use super::{Conf, Row, Rule, GB, GIB, MB};

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
    use Conf::*;
    use Rule::*;
    let cap = Skip("capacity facts rate sources high/medium/low");

    // Vercel.
    for (m, f) in [
        ("fast_data_transfer", "fast_data_transfer_gb"),
        ("edge_requests", "edge_requests"),
        ("active_cpu", "active_cpu_hours"),
        ("provisioned_memory", "provisioned_memory_gb_hours"),
    ] {
        add(
            &format!("vercel/hobby/meters/{m}/included"),
            &format!("pf:vercel/plans[plan=Hobby]/included/{f}"),
            Eq,
            Fact,
        );
    }
    add("vercel/pro/fee", "pf:vercel/plans[plan=Pro]/price", Eq, Fact);
    add(
        "vercel/pro/credit/amount",
        "pf:vercel/plans[plan=Pro]/included_credit_usd",
        Eq,
        Fact,
    );
    add(
        "vercel/pro/meters/fast_data_transfer/included",
        "pf:vercel/plans[plan=Pro]/included/fast_data_transfer_gb",
        Eq,
        Fact,
    );
    add(
        "vercel/pro/meters/fast_data_transfer/rate",
        "pf:vercel/plans[plan=Pro]/overage[metric=fast_data_transfer_gb]/rate",
        Rate(1.0),
        Fact,
    );
    add(
        "vercel/pro/meters/edge_requests/included",
        "pf:vercel/plans[plan=Pro]/included/edge_requests",
        Eq,
        Fact,
    );
    add(
        "vercel/pro/meters/edge_requests/rate",
        "pf:vercel/plans[plan=Pro]/overage[metric=edge_requests]/rate",
        Rate(1e6),
        Fact,
    );
    add(
        "vercel/pro/meters/active_cpu/rate",
        "pf:vercel/plans[plan=Pro]/overage[metric=active_cpu_hours]/rate",
        Rate(1.0),
        Fact,
    );
    add(
        "vercel/pro/meters/active_cpu/included",
        "pf:vercel/plans[plan=Pro]/conflicts",
        Text("16 CPU-h", 1.0),
        Fact,
    );
    add(
        "vercel/pro/meters/provisioned_memory/rate",
        "pf:vercel/plans[plan=Pro]/overage[metric=provisioned_memory_gb_hours]/rate",
        Rate(1.0),
        Fact,
    );
    add(
        "vercel/pro/meters/provisioned_memory/included",
        "pf:vercel/plans[plan=Pro]/conflicts",
        Text("1440 GB-h", 1.0),
        Fact,
    );
    for plan in ["hobby", "pro"] {
        add(
            &format!("vercel/{plan}/capacity/ram_bytes"),
            &format!("cap:vercel/functions_fluid_compute_current/max_memory/{plan}"),
            Bytes,
            cap,
        );
        add(
            &format!("vercel/{plan}/capacity/max_concurrency"),
            &format!("cap:vercel/functions_fluid_compute_current/concurrency/{plan}"),
            Text("30,000", 1.0),
            cap,
        );
    }

    // Railway: the published per-minute rates, on every plan and on Redis-as-a-service.
    let redis = Is(
        "inference",
        "Redis on Railway is an ordinary service at Railway's rates (our inference)",
    );
    for (catalog, conf) in [("railway/*", Fact), ("railway_redis/service", redis)] {
        for (meter, metric) in [("cpu", "cpu"), ("ram", "ram"), ("volume", "volume_storage")] {
            add(
                &format!("{catalog}/meters/{meter}/rate"),
                &format!("pf:railway/usage_rates[metric={metric}]/rate_per_minute"),
                PerMinute,
                conf,
            );
        }
        add(
            &format!("{catalog}/meters/egress/rate"),
            "pf:railway/usage_rates[metric=egress]/rate",
            Rate(1.0),
            conf,
        );
    }
    add(
        "railway/free/credit/amount",
        "pf:railway/plans[plan=Free]/included/monthly_credit_usd",
        Eq,
        Fact,
    );
    add(
        "railway/trial/credit/amount",
        "pf:railway/plans[plan=Trial]/included/one_time_credit_usd",
        Eq,
        Fact,
    );
    add("railway/hobby/fee", "pf:railway/plans[plan=Hobby]/price", Eq, Fact);
    add("railway/pro/fee", "pf:railway/plans[plan=Pro]/price", Eq, Fact);
    for (plan, name, caps) in [
        ("trial", "Trial", "caps"),
        ("free", "Free", "caps"),
        ("hobby", "Hobby", "caps_per_service"),
        ("pro", "Pro", "caps_per_service"),
    ] {
        let base = format!("pf:railway/plans[plan={name}]/{caps}");
        add(
            &format!("railway/{plan}/capacity/vcpu"),
            &format!("{base}/vcpu"),
            Eq,
            Fact,
        );
        add(
            &format!("railway/{plan}/capacity/ram_bytes"),
            &format!("{base}/ram_gb"),
            Scale(GB),
            Fact,
        );
        add(
            &format!("railway/{plan}/capacity/storage_bytes"),
            &format!("{base}/volume_gb"),
            Scale(GB),
            Fact,
        );
        if plan != "free" && plan != "trial" {
            add(
                &format!("railway/{plan}/capacity/max_replicas"),
                &format!("{base}/replicas"),
                Eq,
                Fact,
            );
        }
    }

    // Supabase.
    let pro = "pf:supabase/plans[plan=Pro]";
    let disk_rate = format!("{pro}/overage[metric=disk_gp3]/rate");
    add(
        "supabase/free/meters/database_size/included",
        "pf:supabase/plans[plan=Free]/included/db_size_mb",
        Scale(0.001),
        Fact,
    );
    add(
        "supabase/free/meters/egress/included",
        "pf:supabase/plans[plan=Free]/included/egress_gb",
        Eq,
        Is(
            "third_party",
            "capacity-facts: third-party notes quoting supabase.com/pricing",
        ),
    );
    add(
        "supabase/free/meters/mau/included",
        "pf:supabase/plans[plan=Free]/included/mau",
        Eq,
        Fact,
    );
    add("supabase/pro/fee", &format!("{pro}/price"), Eq, Fact);
    add("supabase/team/fee", "pf:supabase/plans[plan=Team]/price", Eq, Fact);
    for plan in ["pro", "team"] {
        let team_conf = if plan == "team" {
            Skip("Team has Pro's quotas (official); the plan's provenance is its third-party fee")
        } else {
            Fact
        };
        add(
            &format!("supabase/{plan}/credit/amount"),
            &format!("{pro}/included/compute_credits_usd"),
            Eq,
            team_conf,
        );
        add(
            &format!("supabase/{plan}/meters/disk/included"),
            &format!("{pro}/included/disk_gb_per_project_gp3"),
            Eq,
            team_conf,
        );
        add(
            &format!("supabase/{plan}/meters/disk/rate"),
            &disk_rate,
            Rate(1.0),
            team_conf,
        );
        add(
            &format!("supabase/{plan}/meters/egress/included"),
            &format!("{pro}/included/egress_gb"),
            Eq,
            team_conf,
        );
        add(
            &format!("supabase/{plan}/meters/egress/rate"),
            &format!("{pro}/overage[metric=egress_uncached]/rate"),
            Rate(1.0),
            team_conf,
        );
        add(
            &format!("supabase/{plan}/meters/mau/included"),
            &format!("{pro}/included/mau"),
            Eq,
            team_conf,
        );
        add(
            &format!("supabase/{plan}/meters/mau/rate"),
            &format!("{pro}/overage[metric=mau]/rate"),
            Rate(1.0),
            team_conf,
        );
    }
    add(
        "supabase/read_replica/meters/replica_disk/rate",
        &disk_rate,
        Rate(1.0),
        Fact,
    );
    add(
        "supabase/read_replica/meters/replica_disk/multiplier",
        "pf:supabase/read_replicas",
        Text("1.25x", 1.0),
        Fact,
    );
    add(
        "supabase/free/sizes/nano/hourly",
        "pf:supabase/compute_add_ons[size=Nano]/hourly",
        Eq,
        Fact,
    );
    let supabase_sizes = [
        "Micro", "Small", "Medium", "Large", "XL", "2XL", "4XL", "8XL", "12XL", "16XL",
    ];
    for name in supabase_sizes {
        let id = name.to_lowercase();
        let team_conf = Skip("the Team plan's provenance is its third-party fee; the sizes are official");
        for (plan, conf) in [("pro", Fact), ("read_replica", Fact), ("team", team_conf)] {
            for price in ["hourly", "monthly"] {
                add(
                    &format!("supabase/{plan}/sizes/{id}/{price}"),
                    &format!("pf:supabase/compute_add_ons[size={name}]/{price}"),
                    Eq,
                    conf,
                );
            }
        }
    }
    for name in std::iter::once("Nano").chain(supabase_sizes) {
        let id = name.to_lowercase();
        let fact = format!("cap:supabase/compute_sizes/sizes[name={name}]");
        let plans = if name == "Nano" { "free" } else { "*" };
        let at = format!("supabase/{plans}/sizes/{id}/capacity");
        if name != "Nano" {
            add(&format!("{at}/vcpu"), &format!("{fact}/vcpu"), Eq, cap);
        }
        add(&format!("{at}/ram_bytes"), &format!("{fact}/ram_gb"), Scale(GB), cap);
        add(
            &format!("{at}/direct_connections"),
            &format!("{fact}/direct_conn_max"),
            Eq,
            cap,
        );
        add(
            &format!("{at}/pooled_connections"),
            &format!("{fact}/pooler_clients_max"),
            Eq,
            cap,
        );
        add(
            &format!("{at}/db_size_limit_bytes"),
            &format!("{fact}/max_db_size_recommended"),
            Bytes,
            cap,
        );
    }
    add(
        "supabase/free/capacity/ram_bytes",
        "cap:supabase/compute_sizes/sizes[name=Nano]/ram_gb",
        Scale(GB),
        cap,
    );
    add(
        "supabase/free/capacity/direct_connections",
        "cap:supabase/plans/free/direct_conn_max",
        Eq,
        cap,
    );
    add(
        "supabase/free/capacity/pooled_connections",
        "cap:supabase/plans/free/pooler_clients_max",
        Eq,
        cap,
    );
    add(
        "supabase/free/capacity/db_size_limit_bytes",
        "cap:supabase/plans/free/database_size_limit_mb",
        Scale(MB),
        cap,
    );

    // Qdrant Cloud: only the free tier has numbers.
    let free = "cap:qdrant_cloud/free_tier";
    add("qdrant_cloud/free/capacity/vcpu", &format!("{free}/vcpu"), Eq, cap);
    add(
        "qdrant_cloud/free/capacity/ram_bytes",
        &format!("{free}/ram_gb"),
        Scale(GB),
        cap,
    );
    add(
        "qdrant_cloud/free/capacity/storage_bytes",
        &format!("{free}/disk_gb"),
        Scale(GB),
        cap,
    );
    add(
        "qdrant_cloud/free/capacity/max_vectors",
        &format!("{free}/vector_capacity"),
        Text("1M vectors", 1.0),
        cap,
    );

    // Upstash Redis.
    let up = "pf:upstash_redis/plans";
    add(
        "upstash_redis/free/meters/commands/included",
        &format!("{up}[plan=Free]/included/commands"),
        Eq,
        Fact,
    );
    add(
        "upstash_redis/free/meters/data/included",
        &format!("{up}[plan=Free]/included/data_mb"),
        Scale(0.001),
        Fact,
    );
    add(
        "upstash_redis/free/meters/bandwidth/included",
        &format!("{up}[plan=Free]/included/bandwidth_gb"),
        Eq,
        Fact,
    );
    add(
        "upstash_redis/free/capacity/commands_per_sec",
        &format!("{up}[plan=Free]/limits/max_cps"),
        Eq,
        Fact,
    );
    add(
        "upstash_redis/free/capacity/storage_bytes",
        &format!("{up}[plan=Free]/included/data_mb"),
        Scale(MB),
        Fact,
    );
    let payg = format!("{up}[plan=Pay as You Go]");
    add(
        "upstash_redis/payg/meters/commands/rate",
        &format!("{payg}/overage[metric=commands]/rate"),
        Rate(1e5),
        Fact,
    );
    for (meter, metric) in [("storage", "storage"), ("bandwidth", "bandwidth")] {
        add(
            &format!("upstash_redis/payg/meters/{meter}/rate"),
            &format!("{payg}/overage[metric={metric}]/rate"),
            Rate(1.0),
            Fact,
        );
        add(
            &format!("upstash_redis/payg/meters/{meter}/included"),
            &format!("{payg}/overage[metric={metric}]/included"),
            Eq,
            Fact,
        );
    }
    add(
        "upstash_redis/payg/capacity/storage_bytes",
        &format!("{payg}/limits/max_data_gb"),
        Scale(GB),
        Fact,
    );
    add(
        "upstash_redis/payg/capacity/commands_per_sec",
        "cap:upstash_redis/current/plans[name=PayAsYouGo]/max_commands_per_sec",
        Eq,
        cap,
    );
    for size in ["250MB", "1GB", "5GB", "10GB", "50GB", "100GB", "500GB"] {
        let id = format!("upstash_redis/fixed_{}", size.to_lowercase());
        let fact = format!("{up}[plan=Fixed {size}]");
        add(&format!("{id}/fee"), &format!("{fact}/price"), Eq, Fact);
        add(
            &format!("{id}/meters/bandwidth/included"),
            &format!("{fact}/included/bandwidth_gb"),
            Eq,
            Fact,
        );
        add(
            &format!("{id}/capacity/storage_bytes"),
            &format!("{fact}/included/data_gb"),
            Scale(GB),
            Fact,
        );
        add(
            &format!("{id}/capacity/commands_per_sec"),
            &format!("cap:upstash_redis/current/plans[name=Fixed-{size}]/max_commands_per_sec"),
            Eq,
            cap,
        );
    }

    // PostHog: the free allowance is official (README), the bands are the aggregator's.
    add(
        "posthog/free/meters/events/included",
        "pf:posthog/free_tier/events",
        Eq,
        Is("official", "free_tier_source: the PostHog README"),
    );
    for i in 0..7 {
        let band = format!("pf:posthog/product_analytics_events[{i}]");
        add(
            &format!("posthog/pay_as_you_go/meters/events/tiers[{i}]/rate"),
            &format!("{band}/rate"),
            Rate(1.0),
            Fact,
        );
        if i < 6 {
            add(
                &format!("posthog/pay_as_you_go/meters/events/tiers[{i}]/up_to"),
                &format!("{band}/to"),
                Eq,
                Fact,
            );
        }
    }

    // Sentry.
    let team = "pf:sentry/plans[plan=Team]";
    add(
        "sentry/developer/meters/errors/included",
        "pf:sentry/plans[plan=Developer]/included/errors",
        Eq,
        Fact,
    );
    add("sentry/team/fee", &format!("{team}/price"), Eq, Fact);
    add(
        "sentry/team/meters/errors/tiers[0]/up_to",
        &format!("{team}/included/errors"),
        Eq,
        Fact,
    );
    for i in 0..3 {
        let band = format!("{team}/payg_error_tiers[{i}]");
        let at = format!("sentry/team/meters/errors/tiers[{}]", i + 1);
        add(&format!("{at}/up_to"), &format!("{band}/to"), Eq, Fact);
        add(&format!("{at}/rate"), &format!("{band}/rate"), Rate(1.0), Fact);
    }
    add("sentry/business/fee", "pf:sentry/plans[plan=Business]/price", Eq, Fact);
    add(
        "sentry/business/meters/errors/included",
        "pf:sentry/plans[plan=Business]/included/errors",
        Eq,
        Fact,
    );

    // OpenAI: every model's token prices, per 1M tokens; unknown stays unknown.
    let models = [
        "gpt-5-nano",
        "gpt-5.4-nano",
        "gpt-5.4-mini",
        "gpt-5.4",
        "gpt-5",
        "gpt-4.1",
        "gpt-4.1-mini",
        "gpt-4o",
        "gpt-4o-mini",
        "o4-mini",
    ];
    for model in models {
        for meter in ["input", "cached_input", "output"] {
            let conf = match (model, meter) {
                ("gpt-5.4-mini", "input") => Is("official", "OpenAI's quick comparison (the fact says mixed)"),
                ("gpt-5.4-mini", _) => Is("third_party", "docs.rs adk-model (the fact says mixed)"),
                _ => Fact,
            };
            add(
                &format!("openai_api/{model}/meters/{meter}/rate"),
                &format!("pf:openai_api/models[model={model}]/{meter}"),
                Rate(1e6),
                conf,
            );
        }
    }
    for model in ["text-embedding-3-small", "text-embedding-3-large"] {
        add(
            &format!("openai_api/{model}/meters/input/rate"),
            &format!("pf:openai_api/models[model={model}]/input"),
            Rate(1e6),
            Fact,
        );
    }

    // Cloudflare plans and R2.
    for (plan, name) in [("pro", "Pro"), ("business", "Business")] {
        let fact = format!("pf:cloudflare_plans/plans[plan={name}]");
        add(
            &format!("cloudflare/{plan}/fee"),
            &format!("{fact}/monthly_billing_price"),
            Eq,
            Fact,
        );
        add(
            &format!("cloudflare/{plan}/annual_fee"),
            &format!("{fact}/price"),
            Eq,
            Fact,
        );
    }
    let r2 = "pf:cloudflare_r2";
    let free_r2 = format!("{r2}/free_tier_monthly_standard_only");
    for (plan, class) in [("standard", "Standard"), ("infrequent_access", "Infrequent Access")] {
        let fact = format!("{r2}/storage_classes[class={class}]");
        add(
            &format!("cloudflare_r2/{plan}/meters/storage/rate"),
            &format!("{fact}/storage"),
            Rate(1.0),
            Fact,
        );
        add(
            &format!("cloudflare_r2/{plan}/meters/class_a/rate"),
            &format!("{fact}/class_a_per_million"),
            Rate(1e6),
            Fact,
        );
        add(
            &format!("cloudflare_r2/{plan}/meters/class_b/rate"),
            &format!("{fact}/class_b_per_million"),
            Rate(1e6),
            Fact,
        );
    }
    add(
        "cloudflare_r2/standard/meters/egress/rate",
        &format!("{r2}/storage_classes[class=Standard]/egress"),
        Rate(1.0),
        Fact,
    );
    add(
        "cloudflare_r2/infrequent_access/meters/retrieval/rate",
        &format!("{r2}/storage_classes[class=Infrequent Access]/retrieval_per_gb"),
        Rate(1.0),
        Fact,
    );
    add(
        "cloudflare_r2/standard/meters/storage/included",
        &format!("{free_r2}/storage_gb_month"),
        Eq,
        Fact,
    );
    add(
        "cloudflare_r2/standard/meters/class_a/included",
        &format!("{free_r2}/class_a_ops"),
        Eq,
        Fact,
    );
    add(
        "cloudflare_r2/standard/meters/class_b/included",
        &format!("{free_r2}/class_b_ops"),
        Eq,
        Fact,
    );

    // CloudFront: the free tier is the aggregator's verbatim copy, the $0.085 band a
    // third party's (the fact's comment: "# third_party (howtogeek, older)").
    let payg = "pf:aws_cloudfront/pay_as_you_go";
    add(
        "aws_cloudfront/pay_as_you_go/meters/data_transfer/tiers[0]/up_to",
        &format!("{payg}/free_tier_perpetual/data_transfer_out_tb"),
        Scale(1000.0),
        Skip("the free TB is aggregator_verbatim; the meter as a whole is third_party (its $0.085 band)"),
    );
    add(
        "aws_cloudfront/pay_as_you_go/meters/data_transfer/tiers[1]/rate",
        &format!("{payg}/first_10tb_us_per_gb"),
        Rate(1.0),
        Is("third_party", "the fact's comment: third_party (howtogeek, older)"),
    );
    add(
        "aws_cloudfront/pay_as_you_go/meters/requests/included",
        &format!("{payg}/free_tier_perpetual/requests"),
        Eq,
        Fact,
    );
    let flat = "pf:aws_cloudfront/flat_rate_plans";
    add(
        "aws_cloudfront/free/meters/requests/included",
        &format!("{flat}[plan=Free]/included/requests"),
        Eq,
        Fact,
    );
    add(
        "aws_cloudfront/free/meters/data_transfer/included",
        &format!("{flat}[plan=Free]/included/data_transfer_gb"),
        Eq,
        Fact,
    );
    for (plan, name) in [("pro", "Pro"), ("business", "Business")] {
        let fact = format!("{flat}[plan={name}]");
        add(
            &format!("aws_cloudfront/{plan}/fee"),
            &format!("{fact}/price"),
            Eq,
            Fact,
        );
        add(
            &format!("aws_cloudfront/{plan}/meters/requests/included"),
            &format!("{fact}/included/requests"),
            Eq,
            Fact,
        );
        add(
            &format!("aws_cloudfront/{plan}/meters/data_transfer/included"),
            &format!("{fact}/included/data_transfer_tb"),
            Scale(1000.0),
            Fact,
        );
    }
    for (i, tb) in [50, 75, 125, 200, 350, 600].iter().enumerate() {
        let fact = format!("{flat}[plan=Premium]/step_levels[{i}]");
        let plan = format!("aws_cloudfront/premium_{tb}tb");
        add(&format!("{plan}/fee"), &format!("{fact}/price"), Eq, Fact);
        add(
            &format!("{plan}/meters/requests/included"),
            &format!("{fact}/requests"),
            Eq,
            Fact,
        );
        add(
            &format!("{plan}/meters/data_transfer/included"),
            &format!("{fact}/data_transfer_tb"),
            Scale(1000.0),
            Fact,
        );
    }

    // S3 Standard storage bands (TB written as 1,000 GB).
    for i in 0..2 {
        let band = format!("pf:aws_s3/storage_standard_tiers[{i}]");
        add(
            &format!("aws_s3/standard/meters/storage/tiers[{i}]/rate"),
            &format!("{band}/rate"),
            Rate(1.0),
            Fact,
        );
        add(
            &format!("aws_s3/standard/meters/storage/tiers[{i}]/up_to"),
            &format!("{band}/to_tb"),
            Scale(1000.0),
            Fact,
        );
    }

    // Fargate: memory is per GiB-hour.
    for (plan, arch) in [
        ("linux_x86", "Linux/x86"),
        ("linux_arm", "Linux/ARM"),
        ("windows_x86", "Windows/x86"),
    ] {
        let fact = format!("pf:aws_ecs_fargate/rates[arch={arch}]");
        add(
            &format!("aws_ecs_fargate/{plan}/meters/vcpu/rate"),
            &format!("{fact}/vcpu_hour"),
            Rate(1.0),
            Fact,
        );
        add(
            &format!("aws_ecs_fargate/{plan}/meters/memory/rate"),
            &format!("{fact}/gb_hour"),
            GibHour,
            Fact,
        );
        add(
            &format!("aws_ecs_fargate/{plan}/capacity/vcpu"),
            "cap:aws_fargate/max",
            Text("16 vCPU", 1.0),
            cap,
        );
        add(
            &format!("aws_ecs_fargate/{plan}/capacity/ram_bytes"),
            "cap:aws_fargate/max",
            Text("120 GB", GIB),
            cap,
        );
    }
    add(
        "aws_ecs_fargate/windows_x86/meters/os_license/rate",
        "pf:aws_ecs_fargate/rates[arch=Windows/x86]/os_license_vcpu_hour",
        Rate(1.0),
        Fact,
    );

    // RDS for PostgreSQL.
    let rds = "pf:aws_rds_postgresql/instances_single_az_hourly";
    for class in ["db.t4g.micro", "db.t4g.small", "db.t4g.medium"] {
        let at = format!("aws_rds_postgresql/on_demand/sizes/{class}");
        add(
            &format!("{at}/hourly"),
            &format!("{rds}[class={class}]/hourly"),
            Eq,
            Fact,
        );
        add(
            &format!("{at}/monthly"),
            &format!("{rds}[class={class}]/monthly_730h"),
            Eq,
            Fact,
        );
    }
    for class in ["db.m6g.large", "db.m6g.xlarge"] {
        add(
            &format!("aws_rds_postgresql/on_demand/sizes/{class}/hourly"),
            &format!("{rds}[class=db.m6g.*]/hourly"),
            Eq,
            Fact,
        );
    }
    for class in [
        "db.t4g.micro",
        "db.t4g.small",
        "db.t4g.medium",
        "db.t4g.large",
        "db.m6g.large",
        "db.m6g.xlarge",
    ] {
        let at = format!("aws_rds_postgresql/on_demand/sizes/{class}/capacity");
        let fact = format!("cap:aws_rds_postgresql/instance_classes/rows[class={class}]");
        add(&format!("{at}/vcpu"), &format!("{fact}/vcpu"), Eq, cap);
        add(&format!("{at}/ram_bytes"), &format!("{fact}/ram_gib"), Scale(GIB), cap);
        add(
            &format!("{at}/direct_connections"),
            &format!("{fact}/formula_upper_bound"),
            Eq,
            cap,
        );
    }
    add(
        "aws_rds_postgresql/on_demand/meters/gp3_storage/rate",
        "pf:aws_rds_postgresql/storage_gp3/rate",
        Rate(1.0),
        Fact,
    );

    // ElastiCache: serverless storage is priced per GB-hour, metered per GB-month at 730 h.
    for (plan, engine) in [("serverless_redis_oss", "Redis OSS"), ("serverless_valkey", "Valkey")] {
        let fact = format!("pf:aws_elasticache/serverless[engine={engine}]");
        add(
            &format!("aws_elasticache/{plan}/meters/storage/rate"),
            &format!("{fact}/storage_gb_hour"),
            Scale(730.0),
            Fact,
        );
        add(
            &format!("aws_elasticache/{plan}/meters/ecpu/rate"),
            &format!("{fact}/ecpu_per_million"),
            Rate(1e6),
            Fact,
        );
        add(
            &format!("aws_elasticache/{plan}/capacity/direct_connections"),
            "cap:aws_elasticache/max_client_connections_per_node",
            Eq,
            cap,
        );
    }
    for node in ["cache.t4g.micro", "cache.t4g.small", "cache.t4g.medium"] {
        let at = format!("aws_elasticache/node_based/sizes/{node}/capacity");
        let fact = format!("cap:aws_elasticache/node_types/rows[type={node}]");
        add(&format!("{at}/vcpu"), &format!("{fact}/vcpu"), Eq, cap);
        add(
            &format!("{at}/ram_bytes"),
            &format!("{fact}/memory_gib"),
            Scale(GIB),
            cap,
        );
        add(
            &format!("{at}/direct_connections"),
            "cap:aws_elasticache/max_client_connections_per_node",
            Eq,
            cap,
        );
    }

    // EC2 (pricing-facts-2): hourly prices are third-party; specs partly inference.
    let ec2_conf = Is("third_party", "hourly_confidence: third_party (5+ tables agree)");
    let spec_conf = Skip("spec_confidence: third_party for three t3 rows, inference for the rest");
    for t in [
        "t3.micro",
        "t3.small",
        "t3.medium",
        "t3.large",
        "t3.xlarge",
        "t4g.micro",
        "t4g.small",
        "t4g.medium",
        "t4g.large",
        "t4g.xlarge",
        "m6i.large",
        "m6i.xlarge",
        "m6i.2xlarge",
        "m7g.large",
        "m7g.xlarge",
        "m7g.2xlarge",
    ] {
        let at = format!("aws_ec2/on_demand/sizes/{t}");
        let fact = format!("pf2:aws_ec2_nodes/instances[type={t}]");
        add(&format!("{at}/hourly"), &format!("{fact}/hourly"), Eq, ec2_conf);
        add(&format!("{at}/capacity/vcpu"), &format!("{fact}/vcpu"), Eq, spec_conf);
        add(
            &format!("{at}/capacity/ram_bytes"),
            &format!("{fact}/ram_gib"),
            Scale(GIB),
            spec_conf,
        );
    }
    rows
}
