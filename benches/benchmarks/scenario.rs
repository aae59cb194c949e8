//! Whole shipped scenarios, one replication at a time (the unit rayon parallelises).
use capsim::simulate::{replicate, Plan};
use criterion::{criterion_group, Criterion};

fn scenarios(c: &mut Criterion) {
    let mut g = c.benchmark_group("scenario");
    for name in ["beta", "ga"] {
        let (sc, cat) = super::load(&super::repo().join("scenarios").join(format!("{name}.yaml")));
        let plan = Plan::new(&sc);
        g.bench_function(format!("{name}_one_replication"), |b| {
            b.iter(|| replicate(&sc, &cat, &plan, 0).0.len())
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = scenarios
}
