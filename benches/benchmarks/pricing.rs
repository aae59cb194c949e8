//! Billing arithmetic: a graduated PostHog bill and a Railway usage-credit bill.
use capsim::pricing::{bill, BillOptions, Usage};
use criterion::{criterion_group, Criterion};

fn pricing(c: &mut Criterion) {
    let cat = capsim::pricing::Catalog::builtin().unwrap();
    let posthog = cat.plan("posthog", "pay_as_you_go").unwrap();
    let railway = cat.plan("railway", "pro").unwrap();
    let mut events = Usage::new();
    events.insert("events".into(), 60e6);
    let mut compute = Usage::new();
    compute.insert("vcpu_hours".into(), 1460.0);
    compute.insert("ram_gb_hours".into(), 1460.0);
    let opts = BillOptions::default();
    let mut g = c.benchmark_group("pricing");
    g.bench_function("posthog_graduated_60M_events", |b| {
        b.iter(|| bill(posthog, &events, &opts).total)
    });
    g.bench_function("railway_usage_credit", |b| {
        b.iter(|| bill(railway, &compute, &opts).total)
    });
    g.finish();
}

criterion_group!(benches, pricing);
